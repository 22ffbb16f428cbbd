//! A YAML document tree whose every node keeps its source mark and whose
//! scalars keep their source text (no YAML 1.1 typing: `yes`, `010`, `=`
//! stay strings). Built from yaml-rust2's event parser, which gives a marker
//! for every event; the tree API of most crates drops those marks.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// A position in a rules file, 0-based like yaml-cpp's marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Mark {
    /// Byte offset.
    pub pos: usize,
    /// Line, from 0.
    pub line: usize,
    /// Column, from 0.
    pub column: usize,
}

impl From<Marker> for Mark {
    fn from(m: Marker) -> Mark {
        Mark {
            pos: m.index(),
            line: m.line().saturating_sub(1),
            column: m.col(),
        }
    }
}

/// One YAML node.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// What it holds.
    pub kind: Kind,
    /// Where it starts.
    pub mark: Mark,
}

/// Node contents.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// `~`, `null`, or an empty value.
    Null,
    /// A scalar's text as written (quotes removed, escapes applied).
    Scalar(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in source order.
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// The value under `key` of a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.kind {
            Kind::Map(entries) => entries
                .iter()
                .find(|(k, _)| k.as_scalar() == Some(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// The scalar text, if this is a scalar.
    pub fn as_scalar(&self) -> Option<&str> {
        match &self.kind {
            Kind::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// True for a null node.
    pub fn is_null(&self) -> bool {
        matches!(self.kind, Kind::Null)
    }

    /// The items of a sequence.
    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.kind {
            Kind::Seq(v) => Some(v),
            _ => None,
        }
    }

    /// The entries of a mapping.
    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.kind {
            Kind::Map(v) => Some(v),
            _ => None,
        }
    }

    /// The text of a node as yaml-cpp's `as<std::string>()` gives it: the
    /// scalar, `null` → "" (callers only use it on keys and override modes).
    pub fn text(&self) -> String {
        self.as_scalar().unwrap_or_default().to_string()
    }
}

/// A YAML syntax error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    /// yaml-cpp style text: `yaml-cpp: error at line L, column C: msg`.
    pub message: String,
    /// Where it happened.
    pub mark: Mark,
}

/// Converts yaml-rust2's character-based markers on the (possibly padded)
/// text to byte-based marks on the original text (as yaml-cpp counts them
/// and as snippets index the file).
struct Positions<'s> {
    text: &'s str,
    /// Byte offset of each char, when the text is not ASCII.
    char_starts: Option<Vec<usize>>,
    /// Blanks inserted by [`load_all`]: (byte offset in `text`, count),
    /// ascending.
    pads: &'s [(usize, usize)],
}

impl<'s> Positions<'s> {
    fn new(text: &'s str, pads: &'s [(usize, usize)]) -> Self {
        let char_starts = (!text.is_ascii()).then(|| text.char_indices().map(|(i, _)| i).collect());
        Positions {
            text,
            char_starts,
            pads,
        }
    }

    /// Byte offset in the padded text of a marker.
    fn byte(&self, m: Marker) -> usize {
        match &self.char_starts {
            None => m.index().min(self.text.len()),
            Some(starts) => starts.get(m.index()).copied().unwrap_or(self.text.len()),
        }
    }

    fn mark(&self, m: Marker) -> Mark {
        let padded = self.byte(m);
        let removed = |at: usize| -> usize {
            self.pads
                .iter()
                .take_while(|(o, _)| *o < at)
                .map(|(o, n)| (at - o).min(*n))
                .sum()
        };
        let pos = padded - removed(padded);
        let line_start_padded = self.text[..padded].rfind('\n').map_or(0, |p| p + 1);
        let line_start = line_start_padded - removed(line_start_padded);
        Mark {
            pos,
            line: m.line().saturating_sub(1),
            column: pos - line_start,
        }
    }
}

/// Parses every document of a YAML stream.
///
/// yaml-rust2 requires the lines of a flow collection (`items: [` … `]`)
/// to be indented past their key, which yaml-cpp does not: rules files
/// often close `]` at the key's column. When the parser reports
/// `invalid indentation` inside a flow collection, a blank is inserted at
/// the start of that line and the text parsed again. In flow context
/// indentation carries no meaning and leading blanks of continued scalars
/// are folded away, so values are unchanged; marks are mapped back to the
/// original text.
pub fn load_all(src: &str) -> Result<Vec<Node>, YamlError> {
    let mut text = src.to_string();
    let mut pads: Vec<(usize, usize)> = Vec::new();
    loop {
        match parse_once(&text, &pads) {
            Ok(docs) => return Ok(docs),
            Err(Failure::FlowIndent(line_start)) if pads.len() < 100_000 => {
                text.insert(line_start, ' ');
                // Offsets after the insertion move by one.
                for p in pads.iter_mut() {
                    if p.0 > line_start {
                        p.0 += 1;
                    }
                }
                match pads.iter_mut().find(|p| p.0 == line_start) {
                    Some(p) => p.1 += 1,
                    None => {
                        pads.push((line_start, 1));
                        pads.sort_unstable();
                    }
                }
            }
            Err(Failure::FlowIndent(_)) => unreachable!("guarded above"),
            Err(Failure::Error(e)) => return Err(e),
        }
    }
}

enum Failure {
    /// `invalid indentation` inside a flow collection, on the line starting
    /// at this byte offset of the padded text.
    FlowIndent(usize),
    Error(YamlError),
}

fn parse_once(text: &str, pads: &[(usize, usize)]) -> Result<Vec<Node>, Failure> {
    let positions = Positions::new(text, pads);
    let mut parser = Parser::new_from_str(text);
    let mut docs = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, Node> = HashMap::new();
    loop {
        let (event, marker) = match parser.next_token() {
            Ok(x) => x,
            Err(e) => {
                let in_flow = stack.iter().any(|f| f.flow);
                if in_flow && e.info() == "invalid indentation" {
                    let at = positions.byte(*e.marker());
                    let line_start = text[..at].rfind('\n').map_or(0, |p| p + 1);
                    return Err(Failure::FlowIndent(line_start));
                }
                let mark = positions.mark(*e.marker());
                return Err(Failure::Error(YamlError {
                    message: format!(
                        "yaml-cpp: error at line {}, column {}: {}",
                        mark.line + 1,
                        mark.column + 1,
                        yaml_cpp_message(e.info())
                    ),
                    mark,
                }));
            }
        };
        let mark = positions.mark(marker);
        let opens_flow =
            |m: Marker| matches!(text.as_bytes().get(positions.byte(m)), Some(b'[' | b'{'));
        let node = match event {
            Event::StreamEnd => break,
            Event::StreamStart | Event::DocumentEnd | Event::Nothing => continue,
            Event::DocumentStart => {
                stack.clear();
                continue;
            }
            Event::Alias(id) => anchors.get(&id).cloned().unwrap_or(Node {
                kind: Kind::Null,
                mark,
            }),
            Event::Scalar(text, style, anchor, _tag) => {
                let null = style == TScalarStyle::Plain
                    && matches!(text.as_str(), "~" | "null" | "Null" | "NULL" | "");
                let node = Node {
                    kind: if null { Kind::Null } else { Kind::Scalar(text) },
                    mark,
                };
                if anchor > 0 {
                    anchors.insert(anchor, node.clone());
                }
                node
            }
            Event::SequenceStart(anchor, _) => {
                stack.push(Frame {
                    mark,
                    anchor,
                    flow: opens_flow(marker),
                    kind: FrameKind::Seq(Vec::new()),
                });
                continue;
            }
            Event::MappingStart(anchor, _) => {
                stack.push(Frame {
                    mark,
                    anchor,
                    flow: opens_flow(marker),
                    kind: FrameKind::Map(Vec::new(), None),
                });
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = stack.pop() else {
                    continue;
                };
                let node = match frame.kind {
                    FrameKind::Seq(items) => Node {
                        kind: Kind::Seq(items),
                        mark: frame.mark,
                    },
                    FrameKind::Map(entries, _) => Node {
                        // yaml-cpp marks a block map at its first key
                        mark: entries.first().map_or(frame.mark, |(k, _)| k.mark),
                        kind: Kind::Map(entries),
                    },
                };
                if frame.anchor > 0 {
                    anchors.insert(frame.anchor, node.clone());
                }
                node
            }
        };
        match stack.last_mut().map(|f| &mut f.kind) {
            None => docs.push(node),
            Some(FrameKind::Seq(items)) => items.push(node),
            Some(FrameKind::Map(entries, pending)) => match pending.take() {
                None => *pending = Some(node),
                Some(key) => entries.push((key, node)),
            },
        }
    }
    Ok(docs)
}

/// yaml-cpp's wording (`exceptions.h` ErrorMsg) for the yaml-rust2 errors
/// that mean the same thing; others keep yaml-rust2's text.
fn yaml_cpp_message(info: &str) -> &str {
    const MAP: &[(&str, &str)] = &[
        (
            "mapping values are not allowed in this context",
            "illegal map value",
        ),
        (
            "block sequence entries are not allowed in this context",
            "illegal block entry",
        ),
        (
            "mapping keys are not allowed in this context",
            "illegal map key",
        ),
        (
            "while parsing a block mapping, did not find expected key",
            "end of map not found",
        ),
        (
            "while parsing a block collection, did not find expected '-' indicator",
            "end of sequence not found",
        ),
        (
            "while parsing a flow sequence, expected ',' or ']'",
            "end of sequence flow not found",
        ),
        (
            "while parsing a flow mapping, did not find expected ',' or '}'",
            "end of map flow not found",
        ),
        (
            "while scanning a quoted scalar, found unexpected end of stream",
            "illegal EOF in scalar",
        ),
        (
            "while scanning a quoted scalar, found unexpected document indicator",
            "illegal document indicator in scalar",
        ),
        (
            "tab cannot be used as indentation",
            "illegal tab when looking for indentation",
        ),
    ];
    MAP.iter()
        .find(|(from, _)| info.starts_with(from))
        .map_or(info, |(_, to)| to)
}

struct Frame {
    mark: Mark,
    anchor: usize,
    /// A `[...]` or `{...}` collection.
    flow: bool,
    kind: FrameKind,
}

enum FrameKind {
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>, Option<Node>),
}

/// Decodes a boolean like yaml-cpp: `y n yes no true false on off` in
/// lower, Title or UPPER case.
pub fn decode_bool(s: &str) -> Option<bool> {
    const TRUE: &[&str] = &["y", "yes", "true", "on"];
    const FALSE: &[&str] = &["n", "no", "false", "off"];
    let forms = |w: &str| {
        let mut title = w.to_string();
        title[..1].make_ascii_uppercase();
        [w.to_string(), title, w.to_ascii_uppercase()]
    };
    if TRUE.iter().any(|w| forms(w).iter().any(|f| f == s)) {
        Some(true)
    } else if FALSE.iter().any(|w| forms(w).iter().any(|f| f == s)) {
        Some(false)
    } else {
        None
    }
}

/// Decodes an unsigned integer like yaml-cpp's `convert<unsigned>`:
/// decimal digits only (a leading `+` is accepted by the stream read).
pub fn decode_uint<T: std::str::FromStr>(s: &str) -> Option<T> {
    let digits = s.strip_prefix('+').unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_keep_their_text() {
        let docs = load_all("- items: [yes, 010, =]\n  x: ~\n").unwrap();
        let item = &docs[0].as_seq().unwrap()[0];
        let items: Vec<_> = item
            .get("items")
            .unwrap()
            .as_seq()
            .unwrap()
            .iter()
            .map(|n| n.text())
            .collect();
        assert_eq!(items, ["yes", "010", "="]);
        assert!(item.get("x").unwrap().is_null());
        assert_eq!(
            item.mark,
            Mark {
                pos: 2,
                line: 0,
                column: 2
            }
        );
    }

    #[test]
    fn marks_are_byte_offsets() {
        let docs = load_all("- a: é\n- b: c\n").unwrap();
        let second = &docs[0].as_seq().unwrap()[1];
        assert_eq!(second.mark.line, 1);
        assert_eq!(second.mark.pos, "- a: é\n- ".len());
    }

    #[test]
    fn node_marks() {
        let src = "- rule: x\n  tags: [a, b]\n  items:\n    - c\n";
        let docs = load_all(src).unwrap();
        let seq = &docs[0];
        let item = &seq.as_seq().unwrap()[0];
        assert_eq!(
            item.mark,
            Mark {
                pos: 2,
                line: 0,
                column: 2
            }
        );
        let tags = item.get("tags").unwrap();
        assert_eq!((tags.mark.line, tags.mark.column), (1, 8));
        let items = item.get("items").unwrap();
        assert_eq!((items.mark.line, items.mark.column), (3, 4));
        assert_eq!(
            item.get("rule").unwrap().mark,
            Mark {
                pos: 8,
                line: 0,
                column: 8
            }
        );
    }

    #[test]
    fn flow_collections_may_close_at_the_key_column() {
        let src = "- list: a\n  items: [\n    \"x\",\n    y\n  ]\n- list: b\n  items: [c]\n";
        let docs = load_all(src).unwrap();
        let seq = docs[0].as_seq().unwrap();
        let items: Vec<_> = seq[0]
            .get("items")
            .unwrap()
            .as_seq()
            .unwrap()
            .iter()
            .map(|n| n.text())
            .collect();
        assert_eq!(items, ["x", "y"]);
        let b = &seq[1];
        assert_eq!(b.mark.pos, src.find("list: b").unwrap());
        assert_eq!((b.mark.line, b.mark.column), (5, 2));
        let c = &b.get("items").unwrap().as_seq().unwrap()[0];
        assert_eq!(c.mark.pos, src.find("c]").unwrap());
        // a genuine block indentation error is still an error
        assert!(load_all("- a: 1\n b: 2\n").is_err());
    }

    #[test]
    fn bools() {
        assert_eq!(decode_bool("True"), Some(true));
        assert_eq!(decode_bool("OFF"), Some(false));
        assert_eq!(decode_bool("tRue"), None);
    }
}
