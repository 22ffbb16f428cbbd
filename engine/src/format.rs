//! Output formats: `%field`, `%field[arg]`, `%(field)`, `%20field`
//! (padded/truncated to 20 characters) between literal text, compiled once
//! and rendered per event into a caller-owned `String`.
//!
//! Like libsinsp's formatter, a token is the longest text after `%` that
//! names a field; `%proc.name)` therefore renders `proc.name` followed by
//! `)`. A field with no value renders `<NA>`. There is no `%%` escape and a
//! trailing `%` is an error. The `*` prefix and `%container.info` handling
//! of rule outputs belong to the rules layer.

use crate::fields::{self, BoundField, EvalCtx, FieldError, Values};

/// Why a format does not compile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    #[error("formatting cannot end with a %")]
    TrailingPercent,
    /// The field can only be used in conditions (`fd.ip`, `fd.net`...).
    #[error(
        "'{field}' is a filter-only field and cannot be used in an output (at offset {offset})"
    )]
    FilterOnly { field: String, offset: usize },
    /// No field name starts at byte `offset`.
    #[error("unknown filter: {text} (at offset {offset})")]
    UnknownField {
        text: String,
        offset: usize,
        source: FieldError,
    },
}

#[derive(Debug, Clone)]
enum Token {
    Text(String),
    Field { field: BoundField, width: usize },
}

/// A compiled output format.
#[derive(Debug, Clone)]
pub struct Format {
    tokens: Vec<Token>,
    scratch: Values,
}

fn is_name_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'.'
}

impl Format {
    pub fn compile(fmt: &str) -> Result<Format, FormatError> {
        let b = fmt.as_bytes();
        let mut tokens = Vec::new();
        let mut text = String::new();
        let mut i = 0;
        while i < b.len() {
            if b[i] != b'%' {
                let next = fmt[i..].find('%').map_or(b.len(), |p| i + p);
                text.push_str(&fmt[i..next]);
                i = next;
                continue;
            }
            let start = i;
            i += 1;
            if i >= b.len() {
                return Err(FormatError::TrailingPercent);
            }
            let wstart = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            let width = fmt[wstart..i].parse::<usize>().unwrap_or(0);
            let (field, end) = match (b.get(i), fmt[i..].find(')')) {
                (Some(b'('), Some(p)) => {
                    let inner = &fmt[i + 1..i + p];
                    let f = fields::bind_text(inner).map_err(|e| FormatError::UnknownField {
                        text: inner.to_string(),
                        offset: start,
                        source: e,
                    })?;
                    (f, i + p + 1)
                }
                _ => Self::longest_field(fmt, i, start)?,
            };
            if field.info().flags.contains(fields::FieldFlags::FILTER_ONLY) {
                return Err(FormatError::FilterOnly {
                    field: field.display_name(),
                    offset: start,
                });
            }
            if !text.is_empty() {
                tokens.push(Token::Text(std::mem::take(&mut text)));
            }
            tokens.push(Token::Field { field, width });
            i = end;
        }
        if !text.is_empty() {
            tokens.push(Token::Text(text));
        }
        Ok(Format {
            tokens,
            scratch: Values::new(),
        })
    }

    /// The longest field starting at `i`: a name, optionally `[arg]`,
    /// shortened until it binds.
    fn longest_field(
        fmt: &str,
        i: usize,
        start: usize,
    ) -> Result<(BoundField, usize), FormatError> {
        let b = fmt.as_bytes();
        let mut end = i;
        while end < b.len() && is_name_char(b[end]) {
            end += 1;
        }
        if b.get(end) == Some(&b'[')
            && let Some(p) = fmt[end..].find(']')
        {
            end += p + 1;
        }
        let mut last_err = FieldError::Unknown(fmt[i..end].to_string());
        let mut e = end;
        while e > i {
            match fields::bind_text(&fmt[i..e]) {
                Ok(f) => return Ok((f, e)),
                Err(err) => {
                    if e == end {
                        last_err = err;
                    }
                }
            }
            e -= 1;
        }
        Err(FormatError::UnknownField {
            text: fmt[i..end].to_string(),
            offset: start,
            source: last_err,
        })
    }

    /// The fields the format names, in order.
    pub fn fields(&self) -> impl Iterator<Item = &BoundField> {
        self.tokens.iter().filter_map(|t| match t {
            Token::Field { field, .. } => Some(field),
            Token::Text(_) => None,
        })
    }

    /// Renders the format for one event, appending to `out`.
    pub fn render(&mut self, cx: &EvalCtx<'_>, out: &mut String) {
        for t in &self.tokens {
            match t {
                Token::Text(s) => out.push_str(s),
                Token::Field { field, width } => {
                    let start = out.len();
                    if !field.render(cx, &mut self.scratch, out) {
                        out.push_str("<NA>");
                    }
                    if *width > 0 {
                        pad_or_cut(out, start, *width);
                    }
                }
            }
        }
    }
}

/// Makes `out[start..]` exactly `width` characters.
fn pad_or_cut(out: &mut String, start: usize, width: usize) {
    let n = out[start..].chars().count();
    if n < width {
        out.extend(std::iter::repeat_n(' ', width - n));
    } else if n > width {
        let cut = out[start..]
            .char_indices()
            .nth(width)
            .map_or(out.len(), |(p, _)| start + p);
        out.truncate(cut);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiles_tokens() {
        let f = Format::compile("%evt.num %proc.name) x %proc.aname[2] %5fd.num").unwrap();
        let names: Vec<_> = f.fields().map(|b| b.display_name()).collect();
        assert_eq!(names, ["evt.num", "proc.name", "proc.aname[2]", "fd.num"]);
        assert_eq!(
            Format::compile("abc %").unwrap_err(),
            FormatError::TrailingPercent
        );
        assert!(matches!(
            Format::compile("%nosuch.field"),
            Err(FormatError::UnknownField { .. })
        ));
        let f = Format::compile("%(evt.arg.flags)").unwrap();
        assert_eq!(f.fields().count(), 1);
        assert!(matches!(
            Format::compile("%fd.net"),
            Err(FormatError::FilterOnly { .. })
        ));
    }

    #[test]
    fn pads() {
        let mut s = String::from("ab");
        pad_or_cut(&mut s, 0, 4);
        assert_eq!(s, "ab  ");
        pad_or_cut(&mut s, 0, 1);
        assert_eq!(s, "a");
    }
}
