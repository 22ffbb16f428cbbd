//! Where a load error or warning happened: a chain of locations, outermost
//! first, printed and snippeted exactly like Falco's `rule_loader::context`.

use super::yaml::Mark;
use crate::filter::Pos;

/// What kind of item a location points at (Falco's item-type strings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum ItemType {
    ValueFor,
    Exceptions,
    Exception,
    ExceptionValues,
    ExceptionValue,
    RulesContent,
    RulesContentItem,
    RequiredEngineVersion,
    RequiredPluginVersions,
    RequiredPluginVersionsEntry,
    RequiredPluginVersionsAlternative,
    List,
    ListItem,
    Macro,
    MacroCondition,
    Rule,
    RuleCondition,
    ConditionExpression,
    RuleOutput,
    RuleOutputExpression,
    RulePriority,
    Overrides,
    ExtensionItem,
}

impl ItemType {
    /// The text Falco prints for it.
    pub fn as_str(self) -> &'static str {
        use ItemType::*;
        match self {
            ValueFor => "value for",
            Exceptions => "exceptions",
            Exception => "exception",
            ExceptionValues => "exception values",
            ExceptionValue => "exception value",
            RulesContent => "rules content",
            RulesContentItem => "rules content item",
            RequiredEngineVersion => "required_engine_version",
            RequiredPluginVersions => "required plugin versions",
            RequiredPluginVersionsEntry => "required plugin versions entry",
            RequiredPluginVersionsAlternative => "required plugin versions alternative",
            List => "list",
            ListItem => "list item",
            Macro => "macro",
            MacroCondition => "macro condition",
            Rule => "rule",
            RuleCondition => "rule condition",
            ConditionExpression => "condition expression",
            RuleOutput => "rule output",
            RuleOutputExpression => "rule output expression",
            RulePriority => "rule priority",
            Overrides => "overrides",
            ExtensionItem => "extension item",
        }
    }
}

/// One step of a context chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// File name, or for a condition expression the quoted condition prefix.
    pub name: String,
    /// Position (0-based line/column, byte offset).
    pub pos: Mark,
    /// Kind of item.
    pub item_type: ItemType,
    /// Item name (may be empty).
    pub item_name: String,
}

/// A chain of locations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    /// Outermost first; never empty.
    pub locations: Vec<Location>,
    /// For condition contexts: the condition text that snippets come from.
    alt_content: Option<String>,
}

impl Context {
    /// The root context of a file: the whole rules content.
    pub fn file(name: &str) -> Context {
        Context {
            locations: vec![Location {
                name: name.to_string(),
                pos: Mark::default(),
                item_type: ItemType::RulesContent,
                item_name: String::new(),
            }],
            alt_content: None,
        }
    }

    /// The file (or first location) name.
    pub fn name(&self) -> &str {
        &self.locations[0].name
    }

    /// A child location at `mark`.
    pub fn child(&self, mark: Mark, item_type: ItemType, item_name: &str) -> Context {
        let mut locations = self.locations.clone();
        locations.push(Location {
            name: self.name().to_string(),
            pos: mark,
            item_type,
            item_name: item_name.to_string(),
        });
        Context {
            locations,
            alt_content: None,
        }
    }

    /// A location inside a condition string, at parser position `pos`
    /// (added field by field to the enclosing location, as Falco does).
    pub fn condition(&self, pos: Pos, condition: &str) -> Context {
        let mut name = if condition.len() > 20 {
            format!("\"{}...\"", prefix(condition, 17))
        } else {
            format!("\"{condition}\"")
        };
        name = name.replace(['\n', '\r'], " ");
        let last = self.locations.last().map(|l| l.pos).unwrap_or_default();
        let mut locations = self.locations.clone();
        locations.push(Location {
            name,
            pos: Mark {
                pos: pos.idx + last.pos,
                line: pos.line + last.line,
                column: pos.col + last.column,
            },
            item_type: ItemType::ConditionExpression,
            item_name: String::new(),
        });
        Context {
            locations,
            alt_content: Some(condition.to_string()),
        }
    }

    /// The position of the innermost location.
    pub fn last(&self) -> &Location {
        self.locations.last().expect("a context has a location")
    }

    /// One line per location: `In <type> '<name>': (<file>:<line>:<col>)`.
    pub fn as_text(&self) -> String {
        let mut s = String::new();
        for (i, l) in self.locations.iter().enumerate() {
            s.push_str(if i == 0 { "In " } else { "    " });
            s.push_str(l.item_type.as_str());
            if !l.item_name.is_empty() {
                s.push_str(&format!(" '{}'", l.item_name));
            }
            s.push_str(&format!(": ({}:{}:{})\n", l.name, l.pos.line, l.pos.column));
        }
        s
    }

    /// The `locations` JSON array (snippet added by the caller).
    pub fn as_json(&self) -> serde_json::Value {
        let locs: Vec<_> = self
            .locations
            .iter()
            .map(|l| {
                serde_json::json!({
                    "item_type": l.item_type.as_str(),
                    "item_name": l.item_name,
                    "position": {
                        "name": l.name,
                        "line": l.pos.line,
                        "column": l.pos.column,
                        "offset": l.pos.pos,
                    }
                })
            })
            .collect();
        serde_json::json!({ "locations": locs })
    }

    /// The source line around the innermost location with a `^` marker.
    /// `contents` finds a file's text by name.
    pub fn snippet(&self, contents: &dyn Fn(&str) -> Option<String>) -> String {
        const WIDTH: usize = 160;
        let loc = self.last();
        let content = match &self.alt_content {
            Some(c) => c.clone(),
            None => match contents(&loc.name) {
                Some(c) => c,
                None => return format!("<No context for file + {}>\n", loc.name),
            },
        };
        snippet_of(content.as_bytes(), loc.pos.pos, WIDTH)
    }
}

fn prefix(s: &str, n: usize) -> &str {
    let mut end = n.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

fn snippet_of(c: &[u8], offset: usize, width: usize) -> String {
    if c.is_empty() {
        return "<No context available>\n".into();
    }
    let half = width / 2;
    let mut pos = offset;
    while pos > 0 && (pos >= c.len() || c[pos] == b'\n') {
        pos -= 1;
    }
    let mut from = pos;
    while from > 0 && c[from] != b'\n' && (pos - from) < half {
        from -= 1;
    }
    let mut to = pos;
    while to < c.len() - 1 && c[to] != b'\n' && (to - pos) < half {
        to += 1;
    }
    if from < c.len() && c[from] == b'\n' {
        from += 1;
    }
    if to < c.len() && c[to] == b'\n' {
        // A line holding only the newline gives an empty snippet.
        if to == 0 {
            return "<No context available>\n".into();
        }
        to -= 1;
    }
    if to < from {
        return "<No context available>\n".into();
    }
    let mut ret = c[from..=to].to_vec();
    if pos - from >= half {
        let n = 3.min(ret.len());
        ret.splice(0..n, *b"...");
    }
    if to - pos >= half {
        let n = ret.len().saturating_sub(3);
        ret.splice(n.., *b"...");
    }
    ret.push(b'\n');
    let mut s = String::from_utf8_lossy(&ret).into_owned();
    if pos - from < ret.len() {
        s.push_str(&" ".repeat(pos - from));
        s.push_str("^\n");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippet_marks_column() {
        let s = snippet_of(b"- rule: x\n  condition: a\n", 12, 160);
        assert_eq!(s, "  condition: a\n  ^\n");
    }

    #[test]
    fn condition_name_is_cut() {
        let c = Context::file("f.yaml").condition(Pos::START, "evt.type = open and proc.name = x");
        assert_eq!(c.last().name, "\"evt.type = open a...\"");
    }
}
