//! The items a rules file defines, as collected before compilation
//! (Falco's `rule_loader::{list,macro,rule}_info`).

use std::collections::BTreeSet;
use std::fmt;

use super::context::Context;

/// Rule priority, most severe first (Falco's numbering: Emergency = 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[allow(missing_docs)]
pub enum Priority {
    Emergency,
    Alert,
    Critical,
    Error,
    Warning,
    Notice,
    Informational,
    Debug,
}

impl Priority {
    /// All priorities, in order.
    pub const ALL: [Priority; 8] = [
        Priority::Emergency,
        Priority::Alert,
        Priority::Critical,
        Priority::Error,
        Priority::Warning,
        Priority::Notice,
        Priority::Informational,
        Priority::Debug,
    ];

    /// Parses a name case-insensitively; `info` is an alias of Informational.
    pub fn parse(s: &str) -> Option<Priority> {
        if s.eq_ignore_ascii_case("info") {
            return Some(Priority::Informational);
        }
        Priority::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(s))
    }

    /// The printed name (`Warning`, `Informational`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Emergency => "Emergency",
            Priority::Alert => "Alert",
            Priority::Critical => "Critical",
            Priority::Error => "Error",
            Priority::Warning => "Warning",
            Priority::Notice => "Notice",
            Priority::Informational => "Informational",
            Priority::Debug => "Debug",
        }
    }

    /// The short upper-case name of Falco's exit summary: `WARNING`, `INFO`.
    pub fn summary_name(self) -> &'static str {
        match self {
            Priority::Emergency => "EMERGENCY",
            Priority::Alert => "ALERT",
            Priority::Critical => "CRITICAL",
            Priority::Error => "ERROR",
            Priority::Warning => "WARNING",
            Priority::Notice => "NOTICE",
            Priority::Informational => "INFO",
            Priority::Debug => "DEBUG",
        }
    }

    /// Syslog severity (equal to the enum order).
    pub fn severity(self) -> u8 {
        self as u8
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `list` item.
#[derive(Debug, Clone)]
pub struct ListInfo {
    /// Name.
    pub name: String,
    /// Items as written.
    pub items: Vec<String>,
    /// Where it was (last) defined.
    pub ctx: Context,
    /// Position of the first definition.
    pub index: u32,
    /// Id of the last define/append.
    pub visibility: u32,
}

/// A `macro` item.
#[derive(Debug, Clone)]
pub struct MacroInfo {
    /// Name.
    pub name: String,
    /// Condition text (appends concatenated with a blank).
    pub cond: String,
    /// Item context.
    pub ctx: Context,
    /// Condition context.
    pub cond_ctx: Context,
    /// Position of the first definition.
    pub index: u32,
    /// Id of the last define/append/override.
    pub visibility: u32,
}

/// A field, comp or value entry of an exception: a scalar or a list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Entry {
    /// Holds `items` rather than `item`.
    pub is_list: bool,
    /// Scalar text.
    pub item: String,
    /// List entries.
    pub items: Vec<Entry>,
}

impl Entry {
    /// A scalar entry.
    pub fn scalar(s: &str) -> Entry {
        Entry {
            is_list: false,
            item: s.to_string(),
            items: Vec::new(),
        }
    }

    /// Upstream's `is_valid`: a non-empty list or a non-empty scalar.
    pub fn is_valid(&self) -> bool {
        if self.is_list {
            !self.items.is_empty()
        } else {
            !self.item.is_empty()
        }
    }
}

/// One `exceptions:` entry.
#[derive(Debug, Clone)]
pub struct ExceptionInfo {
    /// Where.
    pub ctx: Context,
    /// Name.
    pub name: String,
    /// `fields`.
    pub fields: Entry,
    /// `comps`.
    pub comps: Entry,
    /// `values`.
    pub values: Vec<Entry>,
}

/// A fully defined `rule` item.
#[derive(Debug, Clone)]
pub struct RuleInfo {
    /// Item context.
    pub ctx: Context,
    /// Condition context.
    pub cond_ctx: Context,
    /// Output context.
    pub output_ctx: Context,
    /// Position of the first definition.
    pub index: u32,
    /// Id of the last update.
    pub visibility: u32,
    /// The source has no registered field set.
    pub unknown_source: bool,
    /// Name.
    pub name: String,
    /// Condition text.
    pub cond: String,
    /// Event source.
    pub source: String,
    /// `desc`.
    pub desc: String,
    /// `output` (trimmed).
    pub output: String,
    /// Tags (a set, sorted).
    pub tags: BTreeSet<String>,
    /// Exceptions.
    pub exceptions: Vec<ExceptionInfo>,
    /// Priority.
    pub priority: Priority,
    /// `enabled`.
    pub enabled: bool,
    /// `capture`.
    pub capture: bool,
    /// `capture_duration` in ms.
    pub capture_duration: u64,
    /// `warn_evttypes`.
    pub warn_evttypes: bool,
    /// `skip-if-unknown-filter`.
    pub skip_if_unknown_filter: bool,
}

/// An append or replace update of a rule.
#[derive(Debug, Clone, Default)]
#[allow(missing_docs)]
pub struct RuleUpdate {
    pub ctx: Option<Context>,
    pub cond_ctx: Option<Context>,
    pub name: String,
    pub source: String,
    pub cond: Option<String>,
    pub output: Option<String>,
    pub desc: Option<String>,
    pub tags: Option<BTreeSet<String>>,
    pub exceptions: Option<Vec<ExceptionInfo>>,
    pub priority: Option<Priority>,
    pub capture: Option<bool>,
    pub capture_duration: Option<u64>,
    pub enabled: Option<bool>,
    pub warn_evttypes: Option<bool>,
    pub skip_if_unknown_filter: Option<bool>,
}

impl RuleUpdate {
    /// At least one key is set.
    pub fn has_any_value(&self) -> bool {
        self.cond.is_some()
            || self.output.is_some()
            || self.desc.is_some()
            || self.tags.is_some()
            || self.exceptions.is_some()
            || self.priority.is_some()
            || self.enabled.is_some()
            || self.capture.is_some()
            || self.capture_duration.is_some()
            || self.warn_evttypes.is_some()
            || self.skip_if_unknown_filter.is_some()
    }
}

/// A semantic version `x.y.z`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Version {
    /// Major.
    pub major: u64,
    /// Minor.
    pub minor: u64,
    /// Patch.
    pub patch: u64,
}

impl Version {
    /// Parses `x.y.z` (libsinsp's `sinsp_version`: three dot-separated
    /// decimal numbers, anything after the patch number ignored).
    pub fn parse(s: &str) -> Option<Version> {
        let mut parts = s.splitn(3, '.');
        let num = |p: &str| -> Option<u64> {
            let d: String = p.chars().take_while(|c| c.is_ascii_digit()).collect();
            if d.is_empty() { None } else { d.parse().ok() }
        };
        let major = parts.next()?;
        let minor = parts.next()?;
        let patch = parts.next()?;
        if !major.bytes().all(|b| b.is_ascii_digit()) || !minor.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        Some(Version {
            major: num(major)?,
            minor: num(minor)?,
            patch: num(patch)?,
        })
    }

    /// Same major and at least `required`.
    pub fn compatible_with(&self, required: &Version) -> bool {
        self.major == required.major && self >= required
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// One `required_plugin_versions` entry: a plugin and its alternatives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginRequirement {
    /// (name, version) of the entry, then of each alternative.
    pub alternatives: Vec<(String, String)>,
}
