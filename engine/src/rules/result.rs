//! Load results: Falco's error and warning codes, their texts, and the
//! summary / verbose / JSON renderings used by `-V` and load failures.

use super::context::Context;

/// Falco's load error codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum ErrorCode {
    FileRead,
    YamlParse,
    YamlValidate,
    CompileCondition,
    CompileOutput,
    Validate,
    Extension,
}

impl ErrorCode {
    /// `LOAD_ERR_*`.
    pub fn code(self) -> &'static str {
        use ErrorCode::*;
        match self {
            FileRead => "LOAD_ERR_FILE_READ",
            YamlParse => "LOAD_ERR_YAML_PARSE",
            YamlValidate => "LOAD_ERR_YAML_VALIDATE",
            CompileCondition => "LOAD_ERR_COMPILE_CONDITION",
            CompileOutput => "LOAD_ERR_COMPILE_OUTPUT",
            Validate => "LOAD_ERR_VALIDATE",
            Extension => "LOAD_ERR_EXTENSION",
        }
    }

    /// Short string, used in text and (upstream quirk) as JSON `codedesc`.
    pub fn short(self) -> &'static str {
        use ErrorCode::*;
        match self {
            FileRead => "File read error",
            YamlParse => "YAML parse error",
            YamlValidate => "Error validating internal structure of YAML file",
            CompileCondition => "Error compiling condition",
            CompileOutput => "Error compiling output",
            Validate => "Error validating rule/macro/list/exception objects",
            Extension => "Error in extension item",
        }
    }
}

/// Falco's load warning codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[allow(missing_docs)]
pub enum WarningCode {
    UnknownSource,
    UnsafeNaCheck,
    NoEvttype,
    UnknownFilter,
    UnusedMacro,
    UnusedList,
    UnknownItem,
    DeprecatedItem,
    WarningExtension,
    AppendNoValues,
    ExceptionNameNotUnique,
    InvalidMacroName,
    InvalidListName,
    CompileCondition,
    UnknownKey,
}

impl WarningCode {
    /// `LOAD_*`.
    pub fn code(self) -> &'static str {
        use WarningCode::*;
        match self {
            UnknownSource => "LOAD_UNKNOWN_SOURCE",
            UnsafeNaCheck => "LOAD_UNSAFE_NA_CHECK",
            NoEvttype => "LOAD_NO_EVTTYPE",
            UnknownFilter => "LOAD_UNKNOWN_FILTER",
            UnusedMacro => "LOAD_UNUSED_MACRO",
            UnusedList => "LOAD_UNUSED_LIST",
            UnknownItem => "LOAD_UNKNOWN_ITEM",
            DeprecatedItem => "LOAD_DEPRECATED_ITEM",
            WarningExtension => "LOAD_WARNING_EXTENSION",
            AppendNoValues => "LOAD_APPEND_NO_VALUES",
            ExceptionNameNotUnique => "LOAD_EXCEPTION_NAME_NOT_UNIQUE",
            InvalidMacroName => "LOAD_INVALID_MACRO_NAME",
            InvalidListName => "LOAD_INVALID_LIST_NAME",
            CompileCondition => "LOAD_COMPILE_CONDITION",
            UnknownKey => "LOAD_UNKNOWN_KEY",
        }
    }

    /// Short string used in text output.
    pub fn short(self) -> &'static str {
        use WarningCode::*;
        match self {
            UnknownSource => "Unknown event source",
            UnsafeNaCheck => "Unsafe <NA> comparison in condition",
            NoEvttype => "Condition has no event-type restriction",
            UnknownFilter => "Unknown field or event-type in condition or output",
            UnusedMacro => "Unused macro",
            UnusedList => "Unused list",
            UnknownItem => "Unknown rules file item",
            DeprecatedItem => "Used deprecated item",
            WarningExtension => "Warning in extension item",
            AppendNoValues => "Overriding/appending with no values",
            ExceptionNameNotUnique => "Multiple exceptions defined with the same name",
            InvalidMacroName => "Invalid macro name",
            InvalidListName => "Invalid list name",
            CompileCondition => "Warning in rule condition",
            UnknownKey => "Unknown key in item definition",
        }
    }

    /// Long description, used as JSON `codedesc`.
    pub fn description(self) -> &'static str {
        use WarningCode::*;
        match self {
            UnknownSource => {
                "A rule has a unknown event source. This can occur when reading rules content without having a corresponding plugin loaded, etc. The rule will be silently ignored."
            }
            UnsafeNaCheck => {
                "Comparing a field value with <NA> is unsafe and can lead to unpredictable behavior of the rule condition. If you need to check for the existence of a field, consider using the 'exists' operator instead."
            }
            NoEvttype => {
                "A rule condition matches too many evt.type values. This has a significant performance penalty. Make the condition more specific by adding an evt.type field or further restricting the number of evt.type values in the condition."
            }
            UnknownFilter => {
                "A rule condition or output refers to a field or evt.type that does not exist. This is normally an error, but if a rule has a skip-if-unknown-filter property, the error is downgraded to a warning."
            }
            UnusedMacro => {
                "A macro is defined in the rules content but is not used by any other macro or rule."
            }
            UnusedList => {
                "A list is defined in the rules content but is not used by any other list, macro, or rule."
            }
            UnknownItem => {
                "An unknown top-level object is in the rules content. It will be ignored."
            }
            DeprecatedItem => "A deprecated item is employed by lists, macros, or rules.",
            WarningExtension => "An extension item has a warning",
            AppendNoValues => "A rule exception is overriding/appending with no values",
            ExceptionNameNotUnique => "A rule is defining multiple exceptions with the same name",
            InvalidMacroName => "A macro is defined with an invalid name",
            InvalidListName => "A list is defined with an invalid name",
            CompileCondition => "A rule condition or output have been parsed with a warning",
            UnknownKey => {
                "An item in the rules content contains an unrecognized key. The key will be ignored. This may indicate a typo or a property placed on the wrong item type."
            }
        }
    }
}

/// Fields whose use Falco reports as deprecated.
pub const DEPRECATED_FIELDS: &[&str] = &[
    "evt.dir",
    "evt.latency",
    "evt.latency.s",
    "evt.latency.ns",
    "evt.latency.human",
    "evt.wait_latency",
];

/// The deprecation text of a deprecated field used in a condition.
pub fn deprecated_field_desc(field: &str) -> &'static str {
    if field == "evt.dir" {
        "due to the drop of enter events, 'evt.dir = <' always evaluates to true, and 'evt.dir = >' always evaluates to false. The rule expression can be simplified by removing the condition on 'evt.dir'"
    } else {
        "field is not available due to the drop of enter events."
    }
}

/// One load error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    /// Its code.
    pub code: ErrorCode,
    /// Falco's message text.
    pub message: String,
    /// Where.
    pub context: Context,
}

/// One load warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadWarning {
    /// Its code.
    pub code: WarningCode,
    /// Falco's message text.
    pub message: String,
    /// Where.
    pub context: Context,
    /// For deprecated-field warnings: the field.
    pub deprecated_field: Option<&'static str>,
}

impl LoadWarning {
    /// Short string; deprecated fields add `: field '<f>'`.
    pub fn short(&self) -> String {
        match self.deprecated_field {
            Some(f) => format!("{}: field '{f}'", self.code.short()),
            None => self.code.short().to_string(),
        }
    }
}

/// Result of loading one rules file (Falco's `rule_loader::result`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileResult {
    /// File name as given.
    pub name: String,
    /// The file's text (for snippets); empty when unreadable.
    pub content: String,
    /// Errors (loading stops at the first one of a file).
    pub errors: Vec<LoadError>,
    /// Warnings.
    pub warnings: Vec<LoadWarning>,
    /// Rule-schema status of each YAML document (`ok` or its
    /// `failed for <path>: <msg>` lines); empty when the YAML did not parse.
    pub schema_status: Vec<String>,
    /// The schema warnings Falco reports: `schema_status` when the first
    /// document fails the schema, else empty.
    pub schema_warnings: Vec<String>,
}

impl FileResult {
    /// An empty result for `name`.
    pub fn new(name: &str, content: &str) -> FileResult {
        FileResult {
            name: name.to_string(),
            content: content.to_string(),
            errors: Vec::new(),
            warnings: Vec::new(),
            schema_status: Vec::new(),
            schema_warnings: Vec::new(),
        }
    }

    /// Records the schema status of the file's documents.
    pub fn set_schema_status(&mut self, status: Vec<String>) {
        self.schema_status = status;
        self.schema_warnings = if self.schema_valid() {
            Vec::new()
        } else {
            self.schema_status.clone()
        };
    }

    /// The first document satisfies the rule schema (Falco reports only
    /// the first document's verdict).
    pub fn schema_valid(&self) -> bool {
        self.schema_status.first().map(String::as_str) == Some(super::schema::OK)
    }

    fn schema_failed(&self) -> bool {
        !self.schema_status.is_empty() && !self.schema_valid()
    }

    /// No error was raised.
    pub fn successful(&self) -> bool {
        self.errors.is_empty()
    }

    /// Adds an error.
    pub fn error(&mut self, code: ErrorCode, message: impl Into<String>, context: Context) {
        self.errors.push(LoadError {
            code,
            message: message.into(),
            context,
        });
    }

    /// Adds a warning.
    pub fn warn(&mut self, code: WarningCode, message: impl Into<String>, context: Context) {
        self.warnings.push(LoadWarning {
            code,
            message: message.into(),
            context,
            deprecated_field: None,
        });
    }

    fn status(&self) -> &'static str {
        match (self.successful(), self.warnings.is_empty()) {
            (true, true) => "Ok",
            (true, false) => "Ok, with warnings",
            (false, _) => "Invalid",
        }
    }

    /// `<name>: Ok|Ok, with warnings|Invalid` plus one-line code lists.
    pub fn summary_string(&self) -> String {
        let mut s = format!("{}: {}", self.name, self.status());
        if self.schema_failed() {
            s.push_str(&format!(
                "\n {} schema warnings: [{}]",
                self.schema_status.len(),
                self.schema_status.join(" ")
            ));
        }
        if !self.errors.is_empty() {
            let items: Vec<_> = self
                .errors
                .iter()
                .map(|e| format!("{} ({})", e.code.code(), e.code.short()))
                .collect();
            s.push_str(&format!("\n {} errors: [{}]", items.len(), items.join(" ")));
        }
        if !self.warnings.is_empty() {
            let items: Vec<_> = self
                .warnings
                .iter()
                .map(|w| format!("{} ({})", w.code.code(), w.short()))
                .collect();
            s.push_str(&format!(
                "\n {} warnings: [{}]",
                items.len(),
                items.join(" ")
            ));
        }
        s
    }

    /// The verbose text `-V` prints.
    pub fn verbose_string(&self, contents: &dyn Fn(&str) -> Option<String>) -> String {
        let mut s = format!("{}: {}", self.name, self.status());
        if self.schema_failed() {
            s.push_str(&format!(
                "\n{} Schema warnings:\n",
                self.schema_status.len()
            ));
            for w in &self.schema_status {
                s.push_str(&format!("------\n{w}\n"));
            }
            s.push_str("------\n");
        }
        if !self.errors.is_empty() {
            s.push_str(&format!("\n{} Errors:\n", self.errors.len()));
            for e in &self.errors {
                s.push_str(&e.context.as_text());
                s.push_str("------\n");
                s.push_str(&e.context.snippet(contents));
                s.push_str("------\n");
                s.push_str(&format!(
                    "{} ({}): {}\n",
                    e.code.code(),
                    e.code.short(),
                    e.message
                ));
            }
        }
        if !self.warnings.is_empty() {
            s.push_str(&format!("\n{} Warnings:\n", self.warnings.len()));
            for w in &self.warnings {
                s.push_str(&w.context.as_text());
                s.push_str("------\n");
                s.push_str(&w.context.snippet(contents));
                s.push_str("------\n");
                s.push_str(&format!(
                    "{} ({}): {}\n",
                    w.code.code(),
                    w.short(),
                    w.message
                ));
            }
        }
        s
    }

    /// The per-file JSON object of `falco_load_results` (serde_json's
    /// default map sorts keys, as nlohmann::json does).
    pub fn to_json(&self, contents: &dyn Fn(&str) -> Option<String>) -> serde_json::Value {
        let ctx = |c: &Context| {
            let mut j = c.as_json();
            j["snippet"] = serde_json::Value::String(c.snippet(contents));
            j
        };
        let errors: Vec<_> = self
            .errors
            .iter()
            .map(|e| {
                serde_json::json!({
                    "code": e.code.code(),
                    "codedesc": e.code.short(),
                    "message": e.message,
                    "context": ctx(&e.context),
                })
            })
            .collect();
        let warnings: Vec<_> = self
            .warnings
            .iter()
            .map(|w| {
                let mut j = serde_json::json!({
                    "code": w.code.code(),
                    "codedesc": w.code.description(),
                    "message": w.message,
                    "context": ctx(&w.context),
                });
                if let Some(f) = w.deprecated_field {
                    j["deprecated_field"] = serde_json::Value::String(f.to_string());
                }
                j
            })
            .collect();
        let mut j = serde_json::json!({
            "name": self.name,
            "successful": self.successful(),
            "errors": errors,
            "warnings": warnings,
        });
        if !self.schema_status.is_empty() {
            j["schema_valid"] = serde_json::Value::Bool(self.schema_valid());
            j["schema_warnings"] = serde_json::json!(self.schema_warnings);
        }
        j
    }
}
