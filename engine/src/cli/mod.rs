//! The command line: flags as data ([`defs`]), the parser ([`parse`]) and
//! the generated help ([`help`]).
//!
//! This layer only validates: it opens no file and reads no configuration.
//! It yields [`LowArgs`], plain values that `config::Config::load` turns into
//! the objects a run needs. `--help` and `--version` are answered from here
//! alone, so they work whatever state the configuration is in.

mod defs;
mod help;
mod parse;

pub use defs::FLAGS;
pub use help::help_text;
pub use parse::parse;

use std::path::PathBuf;

/// Why the command line was refused. Printed as Falco prints its own:
/// `Runtime error: <message>. Exiting.`
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CliError {
    /// A flag falcon does not know.
    #[error("Could not parse options: Option \u{2018}{0}\u{2019} does not exist")]
    UnknownFlag(String),
    /// A flag that takes a value was given none.
    #[error("Could not parse options: Option \u{2018}{0}\u{2019} is missing an argument")]
    MissingValue(String),
    /// A flag that takes no value was given one (`--help=x`).
    #[error("Could not parse options: Option \u{2018}{0}\u{2019} does not take an argument")]
    UnexpectedValue(String),
    /// A value that does not parse (`-M abc`).
    #[error(
        "Could not parse options: Option \u{2018}{flag}\u{2019}: invalid value '{value}': {why}"
    )]
    BadValue {
        flag: String,
        value: String,
        why: &'static str,
    },
    /// A positional argument: falcon takes none.
    #[error("Could not parse options: unexpected argument '{0}'")]
    Positional(String),
    /// `-t` mixed with `-D`/`-T` (Falco's own wording).
    #[error("You can not specify both disabled (-D/-T) and enabled (-t) rules")]
    EnableAndDisable,
}

/// How a flag's value is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arity {
    /// A switch: `-L`.
    Switch,
    /// A required value, named for the help: `-r <path>`.
    Value(&'static str),
    /// An optional value: `--list` or `--list=<source>` (or `--list <source>`
    /// when the next argument does not start with `-`).
    Optional(&'static str),
}

/// Groups for `--help`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Category {
    /// Config and rules files.
    Input,
    /// What the run does.
    Run,
    /// Rule selection.
    Rules,
    /// Outputs.
    Output,
    /// Live capture drivers.
    Driver,
    /// One-shot commands that print something and exit.
    Info,
}

impl Category {
    /// The heading printed by `--help`.
    pub fn heading(self) -> &'static str {
        match self {
            Category::Input => "Configuration and rules",
            Category::Run => "Running",
            Category::Rules => "Selecting rules",
            Category::Output => "Outputs",
            Category::Driver => "Live capture",
            Category::Info => "Information (print and exit)",
        }
    }
}

/// One flag, documented once: the parser and `--help` both read these.
pub trait Flag: Sync {
    /// The one-letter name, if any.
    fn short(&self) -> Option<char>;
    /// The long name without dashes, if any.
    fn long(&self) -> Option<&'static str>;
    /// Whether and how it takes a value.
    fn arity(&self) -> Arity;
    /// Where `--help` lists it.
    fn category(&self) -> Category;
    /// One or two lines for `--help`.
    fn doc(&self) -> &'static str;
    /// Records the flag (and its value) into `args`.
    fn update(&self, value: Option<&str>, args: &mut LowArgs) -> Result<(), CliError>;
}

/// Which job this invocation does. Chosen after all flags are read;
/// the first that applies wins, in this order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Mode {
    /// `-h`: print the help.
    Help,
    /// `--version`.
    Version,
    /// `--support`: a JSON dump of versions, system, config and rules.
    Support,
    /// `--list [SOURCE]` (with `-N`): the field tables.
    ListFields,
    /// `-V FILE…`: validate rules files (then `-L`/`-l` if all are valid).
    Validate,
    /// `-L` or `-l RULE` without `-V`: describe the loaded rules.
    Describe,
    /// The default: run (replay a capture or capture live).
    #[default]
    Run,
}

/// The `-D`/`-T`/`-t` rule selection, kept in the order given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// `-D SUBSTRING`: disable every rule whose name contains it.
    DisableRule(String),
    /// `-T TAG`: disable every rule with this tag.
    DisableTag(String),
    /// `-t TAG`: run only rules with this tag (all `-t` tags together).
    EnableTag(String),
}

/// Every flag's value, validated but not acted on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LowArgs {
    /// `-h`.
    pub help: bool,
    /// `--version`.
    pub version: bool,
    /// `--support`.
    pub support: bool,
    /// `-c FILE`.
    pub config: Option<PathBuf>,
    /// `-r PATH`, in order; replaces the config's `rules_files`.
    pub rules: Vec<PathBuf>,
    /// `-o key=value`, in order (later ones win).
    pub options: Vec<String>,
    /// `-e FILE`: replay this capture (`engine.kind=replay`).
    pub replay: Option<PathBuf>,
    /// `-V FILE`, in order.
    pub validate: Vec<PathBuf>,
    /// `-L`.
    pub list_rules: bool,
    /// `-l RULE`.
    pub describe_rule: Option<String>,
    /// `--list [SOURCE]`: `Some(None)` lists every source.
    pub list_fields: Option<Option<String>>,
    /// `-N`.
    pub names_only: bool,
    /// `--format text|markdown|json` for `--list`.
    pub list_format: Option<String>,
    /// `-M SECONDS`.
    pub duration_s: Option<u64>,
    /// `-U`.
    pub unbuffered: bool,
    /// `-s`/`--stats-interval` in milliseconds.
    pub stats_interval_ms: Option<u64>,
    /// `-w FILE`.
    pub write_capture: Option<PathBuf>,
    /// `--dump-events FMT`.
    pub dump_events: Option<String>,
    /// `-D`, `-T`, `-t`, in order.
    pub selection: Vec<Selection>,
    /// `--modern-bpf`, `--kmod`, `--nodriver`: sets `engine.kind`.
    pub engine_kind: Option<&'static str>,
    /// `--dry-run`.
    pub dry_run: bool,
    /// `-P FILE`.
    pub pidfile: Option<PathBuf>,
    /// `-v`.
    pub verbose: bool,
    /// `--disable-source SRC`, repeatable.
    pub disable_sources: Vec<String>,
    /// `--enable-source SRC`, repeatable.
    pub enable_sources: Vec<String>,
    /// `-p FMT` (deprecated): appended to every rule output.
    pub print_extra: Option<String>,
    /// The program name and arguments, for `--support` (`cmdline`).
    pub cmdline: String,
}

impl LowArgs {
    /// The mode this invocation runs in.
    pub fn mode(&self) -> Mode {
        if self.help {
            Mode::Help
        } else if self.version {
            Mode::Version
        } else if self.support {
            Mode::Support
        } else if self.list_fields.is_some() {
            Mode::ListFields
        } else if !self.validate.is_empty() {
            Mode::Validate
        } else if self.list_rules || self.describe_rule.is_some() {
            Mode::Describe
        } else {
            Mode::Run
        }
    }
}
