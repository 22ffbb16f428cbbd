//! Alerts and how they are written: Falco's text line
//! `<evt.time>: <Priority> <output>` and its JSON object.

use serde_json::{Map, Value};
use std::sync::Arc;

pub use crate::rules::Priority;

/// One alert, built by the engine when a rule matches.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    /// The event's timestamp, ns since the epoch.
    pub time_ns: u64,
    /// The rule's priority.
    pub priority: Priority,
    /// The rule's name.
    pub rule: Arc<str>,
    /// The rule's event source (`syscall`, or a plugin's).
    pub source: Arc<str>,
    /// The rule's tags, sorted.
    pub tags: Arc<[String]>,
    /// The rendered rule output (with `append_output` text), without the
    /// time/priority prefix. Missing values already read `<NA>`.
    pub message: String,
    /// Each output field's typed value (missing ones `null`), in any order;
    /// the prefix field is added by the [`Formatter`].
    pub fields: Vec<(String, Value)>,
}

/// How alerts are rendered (falco.yaml's `json_*` and time keys).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Formatter {
    /// `json_output` (default false).
    pub json: bool,
    /// `json_include_output_property` (default true).
    pub include_output: bool,
    /// `json_include_message_property` (default false).
    pub include_message: bool,
    /// `json_include_output_fields_property` (default true).
    pub include_output_fields: bool,
    /// `json_include_tags_property` (default true).
    pub include_tags: bool,
    /// `time_format_iso_8601` (default false): the prefix is
    /// `evt.time.iso8601` (UTC) instead of local `evt.time`.
    pub iso8601: bool,
    /// `$FALCO_HOSTNAME`, else the host's name.
    pub hostname: String,
}

impl Default for Formatter {
    fn default() -> Self {
        Formatter {
            json: false,
            include_output: true,
            include_message: false,
            include_output_fields: true,
            include_tags: true,
            iso8601: false,
            hostname: hostname(),
        }
    }
}

/// `$FALCON_HOSTNAME`, `$FALCO_HOSTNAME`, else the kernel's host name.
pub fn hostname() -> String {
    for var in ["FALCON_HOSTNAME", "FALCO_HOSTNAME"] {
        if let Ok(h) = std::env::var(var)
            && !h.is_empty()
        {
            return h;
        }
    }
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

/// `HH:MM:SS.nnnnnnnnn` in local time (`%evt.time`).
pub fn local_time(ns: u64) -> String {
    use chrono::TimeZone;
    let secs = (ns / 1_000_000_000) as i64;
    let frac = ns % 1_000_000_000;
    match chrono::Local.timestamp_opt(secs, 0).single() {
        Some(t) => format!("{}.{frac:09}", t.format("%H:%M:%S")),
        None => format!("{secs}.{frac:09}"),
    }
}

fn utc(ns: u64) -> (String, u64) {
    let secs = (ns / 1_000_000_000) as i64;
    let frac = ns % 1_000_000_000;
    let t = chrono::DateTime::from_timestamp(secs, 0).unwrap_or_default();
    (t.format("%Y-%m-%dT%H:%M:%S").to_string(), frac)
}

/// `YYYY-MM-DDTHH:MM:SS.nnnnnnnnn+0000` (`%evt.time.iso8601`).
pub fn iso8601_time(ns: u64) -> String {
    let (s, frac) = utc(ns);
    format!("{s}.{frac:09}+0000")
}

/// The JSON `time` key: `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ`.
pub fn rfc3339_time(ns: u64) -> String {
    let (s, frac) = utc(ns);
    format!("{s}.{frac:09}Z")
}

/// Falco passes the text line through a JSON string encoder and strips
/// the quotes: control characters come out escaped.
fn json_escaped(line: &str) -> String {
    if !line
        .bytes()
        .any(|b| b < 0x20 || b == b'"' || b == b'\\' || b == 0x7f)
    {
        return line.to_string();
    }
    let quoted = Value::String(line.to_string()).to_string();
    quoted[1..quoted.len() - 1].to_string()
}

impl Formatter {
    /// The prefix field's name: `evt.time` or `evt.time.iso8601`.
    pub fn time_field(&self) -> &'static str {
        if self.iso8601 {
            "evt.time.iso8601"
        } else {
            "evt.time"
        }
    }

    /// The text line: `<time>: <Priority> <message>`.
    pub fn text_line(&self, a: &Alert) -> String {
        let time = if self.iso8601 {
            iso8601_time(a.time_ns)
        } else {
            local_time(a.time_ns)
        };
        json_escaped(&format!("{time}: {} {}", a.priority.as_str(), a.message))
    }

    /// The JSON object, keys sorted as Falco's nlohmann::json sorts them.
    pub fn json_value(&self, a: &Alert) -> Value {
        let mut m = Map::new();
        m.insert("hostname".into(), Value::String(self.hostname.clone()));
        if self.include_output {
            m.insert("output".into(), Value::String(self.text_line(a)));
        }
        if self.include_message {
            m.insert("message".into(), Value::String(a.message.clone()));
        }
        if self.include_output_fields {
            let mut f = Map::new();
            f.insert(self.time_field().into(), Value::from(a.time_ns));
            for (k, v) in &a.fields {
                f.insert(k.clone(), v.clone());
            }
            m.insert("output_fields".into(), Value::Object(f));
        }
        m.insert("priority".into(), Value::String(a.priority.as_str().into()));
        m.insert("rule".into(), Value::String(a.rule.to_string()));
        m.insert("source".into(), Value::String(a.source.to_string()));
        // Falco's internal alerts (drops, ...) carry no tags key.
        if self.include_tags && &*a.source != "internal" {
            let mut tags: Vec<&String> = a.tags.iter().collect();
            tags.sort();
            tags.dedup();
            m.insert(
                "tags".into(),
                Value::Array(tags.into_iter().map(|t| Value::String(t.clone())).collect()),
            );
        }
        m.insert("time".into(), Value::String(rfc3339_time(a.time_ns)));
        Value::Object(m)
    }

    /// Renders one alert as every output writes it.
    pub fn render(&self, a: &Alert) -> super::Rendered {
        let line = if self.json {
            self.json_value(a).to_string()
        } else {
            self.text_line(a)
        };
        super::Rendered {
            priority: a.priority,
            line,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cat_alert() -> Alert {
        Alert {
            time_ns: 1_470_327_477_881_781_397,
            priority: Priority::Warning,
            rule: "open_from_cat".into(),
            source: "syscall".into(),
            tags: vec!["testing".into(), "filesystem".into(), "process".into()].into(),
            message: "An open was seen (command=cat /dev/null)".into(),
            fields: vec![("proc.cmdline".into(), Value::String("cat /dev/null".into()))],
        }
    }

    fn fmt(json: bool) -> Formatter {
        Formatter {
            json,
            iso8601: true,
            hostname: "test-falco-hostname".into(),
            ..Formatter::default()
        }
    }

    #[test]
    fn text_line_iso8601_matches_falco() {
        assert_eq!(
            fmt(false).render(&cat_alert()).line,
            "2016-08-04T16:17:57.881781397+0000: Warning An open was seen (command=cat /dev/null)"
        );
    }

    #[test]
    fn json_matches_falco_with_sorted_keys() {
        let line = fmt(true).render(&cat_alert()).line;
        assert_eq!(
            line,
            concat!(
                r#"{"hostname":"test-falco-hostname","output":"2016-08-04T16:17:57.881781397+0000: Warning An open was seen (command=cat /dev/null)","#,
                r#""output_fields":{"evt.time.iso8601":1470327477881781397,"proc.cmdline":"cat /dev/null"},"#,
                r#""priority":"Warning","rule":"open_from_cat","source":"syscall","tags":["filesystem","process","testing"],"time":"2016-08-04T16:17:57.881781397Z"}"#
            )
        );
    }

    #[test]
    fn json_include_flags() {
        let mut f = fmt(true);
        f.include_output = false;
        f.include_tags = false;
        f.include_message = true;
        f.include_output_fields = false;
        let v = f.json_value(&cat_alert());
        let keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
        assert_eq!(
            keys,
            ["hostname", "message", "priority", "rule", "source", "time"]
        );
        assert_eq!(v["message"], "An open was seen (command=cat /dev/null)");
    }

    #[test]
    fn empty_tags_are_an_empty_array() {
        let mut a = cat_alert();
        a.tags = Vec::new().into();
        let line = fmt(true).render(&a).line;
        assert!(line.contains(r#""tags":[],"#), "{line}");
    }

    #[test]
    fn control_characters_are_escaped_in_text() {
        let mut a = cat_alert();
        a.message = "tab\there \"q\"\n".into();
        let line = fmt(false).text_line(&a);
        assert!(line.ends_with(r#"Warning tab\there \"q\"\n"#), "{line}");
    }

    #[test]
    fn local_time_shape() {
        let t = local_time(1_470_327_477_881_781_397);
        assert_eq!(t.len(), 18);
        assert!(t.ends_with(".881781397"));
    }

    #[test]
    fn priorities() {
        assert_eq!(Priority::parse("INFO"), Some(Priority::Informational));
        assert_eq!(Priority::parse("Warning"), Some(Priority::Warning));
        assert_eq!(Priority::parse("bogus"), None);
        assert!(Priority::Critical < Priority::Warning);
        assert_eq!(Priority::Warning.severity(), 4);
        assert_eq!(Priority::Informational.summary_name(), "INFO");
    }
}
