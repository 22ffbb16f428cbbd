//! Every flag falcon takes: one unit struct each, in the order `--help`
//! lists them. [`FLAGS`] feeds the parser and the help; a flag's tests sit
//! under it.

use super::{Arity, Category, CliError, Flag, LowArgs, Selection};
use std::path::PathBuf;

/// Declares one flag: a unit struct and its [`Flag`] impl. `$update` is a
/// `fn(Option<&str>, &mut LowArgs) -> Result<(), CliError>`.
macro_rules! flag {
    ($name:ident, $short:expr, $long:expr, $arity:expr, $cat:expr, $doc:expr, $update:expr) => {
        #[doc = $doc]
        #[derive(Debug)]
        pub struct $name;
        impl Flag for $name {
            fn short(&self) -> Option<char> {
                $short
            }
            fn long(&self) -> Option<&'static str> {
                $long
            }
            fn arity(&self) -> Arity {
                $arity
            }
            fn category(&self) -> Category {
                $cat
            }
            fn doc(&self) -> &'static str {
                $doc
            }
            fn update(&self, v: Option<&str>, a: &mut LowArgs) -> Result<(), CliError> {
                let f: fn(Option<&str>, &mut LowArgs) -> Result<(), CliError> = $update;
                f(v, a)
            }
        }
    };
}

/// The value of a flag declared with [`Arity::Value`]; the parser
/// guarantees it is present.
fn val(v: Option<&str>) -> String {
    v.unwrap_or_default().to_string()
}

fn number(flag: &str, v: Option<&str>) -> Result<u64, CliError> {
    let s = v.unwrap_or_default();
    s.trim().parse().map_err(|_| CliError::BadValue {
        flag: flag.to_string(),
        value: s.to_string(),
        why: "expected a non-negative integer",
    })
}

/// Parses `500`, `500ms`, `2s`, `1m`, `1h` into milliseconds (a bare
/// number is milliseconds, as Falco's `--stats-interval` was).
fn interval_ms(flag: &str, v: Option<&str>) -> Result<u64, CliError> {
    let s = v.unwrap_or_default().trim();
    let bad = || CliError::BadValue {
        flag: flag.to_string(),
        value: s.to_string(),
        why: "expected milliseconds or a duration like 500ms, 2s, 1m, 1h",
    };
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (n, unit) = s.split_at(split);
    let n: u64 = n.parse().map_err(|_| bad())?;
    let mul = match unit {
        "" | "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        _ => return Err(bad()),
    };
    n.checked_mul(mul).filter(|&ms| ms > 0).ok_or_else(bad)
}

fn check_selection(a: &LowArgs) -> Result<(), CliError> {
    let enable = a
        .selection
        .iter()
        .any(|s| matches!(s, Selection::EnableTag(_)));
    let disable = a
        .selection
        .iter()
        .any(|s| !matches!(s, Selection::EnableTag(_)));
    if enable && disable {
        return Err(CliError::EnableAndDisable);
    }
    Ok(())
}

flag!(
    Help,
    Some('h'),
    Some("help"),
    Arity::Switch,
    Category::Info,
    "Print this help and exit.",
    |_, a| {
        a.help = true;
        Ok(())
    }
);

flag!(
    Config,
    Some('c'),
    None,
    Arity::Value("path"),
    Category::Input,
    "Configuration file (falco.yaml format). Default /etc/falcon/falcon.yaml, then its config.d/.",
    |v, a| {
        a.config = Some(PathBuf::from(val(v)));
        Ok(())
    }
);

flag!(
    Rules,
    Some('r'),
    None,
    Arity::Value("path"),
    Category::Input,
    "Rules file or directory (its *.yaml/*.yml files, sorted). Repeatable; replaces rules_files.",
    |v, a| {
        a.rules.push(PathBuf::from(val(v)));
        Ok(())
    }
);

flag!(
    Opt,
    Some('o'),
    Some("option"),
    Arity::Value("key=value"),
    Category::Input,
    "Set a config key: dotted path, [N] index, [] append, \\. escape; a {..} or [..] value is YAML. Repeatable; the last wins.",
    |v, a| {
        let s = val(v);
        if !s.contains('=') || s.starts_with('=') {
            return Err(CliError::BadValue {
                flag: "o".into(),
                value: s,
                why: "must be of the form key=val or key.subkey=val",
            });
        }
        a.options.push(s);
        Ok(())
    }
);

flag!(
    Replay,
    Some('e'),
    None,
    Arity::Value("file"),
    Category::Run,
    "Replay a .scap capture (same as -o engine.kind=replay -o engine.replay.capture_file=<file>).",
    |v, a| {
        a.replay = Some(PathBuf::from(val(v)));
        Ok(())
    }
);

flag!(
    Duration,
    Some('M'),
    None,
    Arity::Value("seconds"),
    Category::Run,
    "Stop after this many seconds.",
    |v, a| {
        a.duration_s = Some(number("M", v)?);
        Ok(())
    }
);

flag!(
    StatsInterval,
    Some('s'),
    Some("stats-interval"),
    Arity::Value("interval"),
    Category::Run,
    "Print capture and output counters to stderr at this interval (ms, or 500ms/2s/1m/1h).",
    |v, a| {
        a.stats_interval_ms = Some(interval_ms("stats-interval", v)?);
        Ok(())
    }
);

flag!(
    WriteCapture,
    Some('w'),
    None,
    Arity::Value("file"),
    Category::Run,
    "Write the captured events to a .scap file as well.",
    |v, a| {
        a.write_capture = Some(PathBuf::from(val(v)));
        Ok(())
    }
);

flag!(
    DumpEvents,
    None,
    Some("dump-events"),
    Arity::Value("format"),
    Category::Run,
    "Print every event with its parsed state instead of evaluating rules (format: json or text).",
    |v, a| {
        a.dump_events = Some(val(v));
        Ok(())
    }
);

flag!(
    DryRun,
    None,
    Some("dry-run"),
    Arity::Switch,
    Category::Run,
    "Load the config and rules, open no capture, process no event.",
    |_, a| {
        a.dry_run = true;
        Ok(())
    }
);

flag!(
    Pidfile,
    Some('P'),
    Some("pidfile"),
    Arity::Value("file"),
    Category::Run,
    "Write the process id to this file.",
    |v, a| {
        a.pidfile = Some(PathBuf::from(val(v)));
        Ok(())
    }
);

flag!(
    Verbose,
    Some('v'),
    None,
    Arity::Switch,
    Category::Run,
    "Verbose: log at debug level.",
    |_, a| {
        a.verbose = true;
        Ok(())
    }
);

flag!(
    DisableRule,
    Some('D'),
    None,
    Arity::Value("substring"),
    Category::Rules,
    "Disable the rules whose names contain this text (alias of rules: [{disable: {rule: \"*text*\"}}]). Repeatable.",
    |v, a| {
        a.selection.push(Selection::DisableRule(val(v)));
        check_selection(a)
    }
);

flag!(
    DisableTag,
    Some('T'),
    None,
    Arity::Value("tag"),
    Category::Rules,
    "Disable the rules with this tag (alias of rules: [{disable: {tag: t}}]). Repeatable.",
    |v, a| {
        a.selection.push(Selection::DisableTag(val(v)));
        check_selection(a)
    }
);

flag!(
    EnableTag,
    Some('t'),
    None,
    Arity::Value("tag"),
    Category::Rules,
    "Run only the rules with this tag (repeatable, any tag matches). Not with -D/-T.",
    |v, a| {
        a.selection.push(Selection::EnableTag(val(v)));
        check_selection(a)
    }
);

flag!(
    DisableSource,
    None,
    Some("disable-source"),
    Arity::Value("source"),
    Category::Rules,
    "Turn an event source off. Repeatable.",
    |v, a| {
        a.disable_sources.push(val(v));
        Ok(())
    }
);

flag!(
    EnableSource,
    None,
    Some("enable-source"),
    Arity::Value("source"),
    Category::Rules,
    "Enable only these event sources. Repeatable.",
    |v, a| {
        a.enable_sources.push(val(v));
        Ok(())
    }
);

flag!(
    Unbuffered,
    Some('U'),
    Some("unbuffered"),
    Arity::Switch,
    Category::Output,
    "Unbuffered outputs: flush every alert (overrides buffered_outputs).",
    |_, a| {
        a.unbuffered = true;
        Ok(())
    }
);

flag!(
    Print,
    Some('p'),
    Some("print"),
    Arity::Value("format"),
    Category::Output,
    "Deprecated: append this format to every rule output (use append_output).",
    |v, a| {
        a.print_extra = Some(val(v));
        Ok(())
    }
);

flag!(
    ModernBpf,
    None,
    Some("modern-bpf"),
    Arity::Switch,
    Category::Driver,
    "Capture live with the CO-RE eBPF probe (engine.kind=modern_ebpf).",
    |_, a| {
        a.engine_kind = Some("modern_ebpf");
        Ok(())
    }
);

flag!(
    Kmod,
    None,
    Some("kmod"),
    Arity::Switch,
    Category::Driver,
    "Capture live with the falcon kernel module (engine.kind=kmod).",
    |_, a| {
        a.engine_kind = Some("kmod");
        Ok(())
    }
);

flag!(
    NoDriver,
    None,
    Some("nodriver"),
    Arity::Switch,
    Category::Driver,
    "Open no syscall capture (engine.kind=nodriver).",
    |_, a| {
        a.engine_kind = Some("nodriver");
        Ok(())
    }
);

flag!(
    Validate,
    Some('V'),
    Some("validate"),
    Arity::Value("file"),
    Category::Info,
    "Validate rules files (JSON with -o json_output=true); exit 1 if one is invalid. Repeatable.",
    |v, a| {
        a.validate.push(PathBuf::from(val(v)));
        Ok(())
    }
);

flag!(
    ListRules,
    Some('L'),
    None,
    Arity::Switch,
    Category::Info,
    "List the loaded rules with their descriptions (JSON with json_output).",
    |_, a| {
        a.list_rules = true;
        Ok(())
    }
);

flag!(
    DescribeRule,
    Some('l'),
    None,
    Arity::Value("rule"),
    Category::Info,
    "Describe one rule.",
    |v, a| {
        a.describe_rule = Some(val(v));
        Ok(())
    }
);

flag!(
    ListFields,
    None,
    Some("list"),
    Arity::Optional("source"),
    Category::Info,
    "List the fields rules can use (of one source if given).",
    |v, a| {
        a.list_fields = Some(v.map(str::to_string));
        Ok(())
    }
);

flag!(
    NamesOnly,
    Some('N'),
    None,
    Arity::Switch,
    Category::Info,
    "With --list, print field names only.",
    |_, a| {
        a.names_only = true;
        Ok(())
    }
);

flag!(
    Format,
    None,
    Some("format"),
    Arity::Value("text|markdown|json"),
    Category::Info,
    "Output format of --list.",
    |v, a| {
        let f = val(v);
        if !matches!(f.as_str(), "text" | "markdown" | "json") {
            return Err(CliError::BadValue {
                flag: "format".into(),
                value: f,
                why: "expected text, markdown or json",
            });
        }
        a.list_format = Some(f);
        Ok(())
    }
);

flag!(
    Support,
    None,
    Some("support"),
    Arity::Switch,
    Category::Info,
    "Print a JSON support dump: versions, system, command line, config, rules files.",
    |_, a| {
        a.support = true;
        Ok(())
    }
);

flag!(
    Version,
    None,
    Some("version"),
    Arity::Switch,
    Category::Info,
    "Print version information and exit.",
    |_, a| {
        a.version = true;
        Ok(())
    }
);

/// Every flag, in help order.
pub static FLAGS: &[&dyn Flag] = &[
    &Config,
    &Rules,
    &Opt,
    &Replay,
    &Duration,
    &StatsInterval,
    &WriteCapture,
    &DumpEvents,
    &DryRun,
    &Pidfile,
    &Verbose,
    &DisableRule,
    &DisableTag,
    &EnableTag,
    &DisableSource,
    &EnableSource,
    &Unbuffered,
    &Print,
    &ModernBpf,
    &Kmod,
    &NoDriver,
    &Validate,
    &ListRules,
    &DescribeRule,
    &ListFields,
    &NamesOnly,
    &Format,
    &Support,
    &Version,
    &Help,
];

#[cfg(test)]
mod tests {
    use super::super::{Mode, parse};
    use super::*;

    fn p(args: &[&str]) -> Result<LowArgs, CliError> {
        parse(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn test_names_unique() {
        let mut seen = std::collections::HashSet::new();
        for f in FLAGS {
            if let Some(s) = f.short() {
                assert!(seen.insert(s.to_string()), "duplicate -{s}");
            }
            if let Some(l) = f.long() {
                assert!(seen.insert(l.to_string()), "duplicate --{l}");
            }
        }
    }

    #[test]
    fn test_help() {
        assert_eq!(p(&["-h"]).unwrap().mode(), Mode::Help);
        assert_eq!(p(&["--help"]).unwrap().mode(), Mode::Help);
    }

    #[test]
    fn test_config() {
        let a = p(&["-c", "a.yaml", "-c", "b.yaml"]).unwrap();
        assert_eq!(a.config, Some(PathBuf::from("b.yaml")));
        assert_eq!(p(&["-cx.yaml"]).unwrap().config, Some("x.yaml".into()));
    }

    #[test]
    fn test_rules_appends() {
        let a = p(&["-r", "a.yaml", "-r", "dir"]).unwrap();
        assert_eq!(a.rules, vec![PathBuf::from("a.yaml"), PathBuf::from("dir")]);
    }

    #[test]
    fn test_option_keeps_order() {
        let a = p(&["-o", "json_output=true", "--option=json_output=false"]).unwrap();
        assert_eq!(a.options, vec!["json_output=true", "json_output=false"]);
        assert!(matches!(
            p(&["-o", "novalue"]),
            Err(CliError::BadValue { .. })
        ));
    }

    #[test]
    fn test_replay() {
        let a = p(&["-e", "x.scap"]).unwrap();
        assert_eq!(a.replay, Some("x.scap".into()));
        assert_eq!(a.mode(), Mode::Run);
    }

    #[test]
    fn test_duration() {
        assert_eq!(p(&["-M", "5"]).unwrap().duration_s, Some(5));
        assert!(p(&["-M", "five"]).is_err());
    }

    #[test]
    fn test_stats_interval() {
        assert_eq!(p(&["-s", "250"]).unwrap().stats_interval_ms, Some(250));
        let a = p(&["--stats-interval", "2s"]).unwrap();
        assert_eq!(a.stats_interval_ms, Some(2000));
        assert!(p(&["-s", "0"]).is_err());
        assert!(p(&["-s", "3d"]).is_err());
    }

    #[test]
    fn test_write_capture_and_dump() {
        let a = p(&["-w", "o.scap", "--dump-events", "json"]).unwrap();
        assert_eq!(a.write_capture, Some("o.scap".into()));
        assert_eq!(a.dump_events.as_deref(), Some("json"));
    }

    #[test]
    fn test_selection_aliases() {
        let a = p(&["-D", "open", "-T", "net"]).unwrap();
        assert_eq!(
            a.selection,
            vec![
                Selection::DisableRule("open".into()),
                Selection::DisableTag("net".into())
            ]
        );
        let a = p(&["-t", "a", "-t", "b"]).unwrap();
        assert_eq!(a.selection.len(), 2);
    }

    #[test]
    fn test_enable_with_disable_is_an_error() {
        assert_eq!(p(&["-T", "a", "-t", "a"]), Err(CliError::EnableAndDisable));
        assert_eq!(p(&["-t", "a", "-D", "x"]), Err(CliError::EnableAndDisable));
        assert_eq!(
            CliError::EnableAndDisable.to_string(),
            "You can not specify both disabled (-D/-T) and enabled (-t) rules"
        );
    }

    #[test]
    fn test_unbuffered() {
        assert!(p(&["-U"]).unwrap().unbuffered);
        assert!(p(&["--unbuffered"]).unwrap().unbuffered);
        assert!(!p(&[]).unwrap().unbuffered);
    }

    #[test]
    fn test_driver_flags_last_wins() {
        let a = p(&["--kmod", "--modern-bpf"]).unwrap();
        assert_eq!(a.engine_kind, Some("modern_ebpf"));
    }

    #[test]
    fn test_validate() {
        let a = p(&["-V", "a.yaml", "--validate", "b.yaml", "-L"]).unwrap();
        assert_eq!(a.validate.len(), 2);
        assert_eq!(a.mode(), Mode::Validate);
    }

    #[test]
    fn test_list_rules_and_describe() {
        assert_eq!(p(&["-L"]).unwrap().mode(), Mode::Describe);
        let a = p(&["-l", "Terminal shell in container"]).unwrap();
        assert_eq!(
            a.describe_rule.as_deref(),
            Some("Terminal shell in container")
        );
    }

    #[test]
    fn test_list_fields() {
        assert_eq!(p(&["--list"]).unwrap().list_fields, Some(None));
        let a = p(&["--list=syscall", "-N"]).unwrap();
        assert_eq!(a.list_fields, Some(Some("syscall".into())));
        assert!(a.names_only);
        let a = p(&["--list", "syscall"]).unwrap();
        assert_eq!(a.list_fields, Some(Some("syscall".into())));
        let a = p(&["--list", "-N"]).unwrap();
        assert_eq!(a.list_fields, Some(None));
        assert_eq!(a.mode(), Mode::ListFields);
    }

    #[test]
    fn test_format() {
        assert!(p(&["--format", "json"]).is_ok());
        assert!(p(&["--format", "yaml"]).is_err());
    }

    #[test]
    fn test_support_and_version() {
        assert_eq!(p(&["--support"]).unwrap().mode(), Mode::Support);
        assert_eq!(
            p(&["--version", "--support"]).unwrap().mode(),
            Mode::Version
        );
    }

    #[test]
    fn test_unknown_flags() {
        let e = p(&["--bogus"]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Could not parse options: Option \u{2018}bogus\u{2019} does not exist"
        );
        assert_eq!(p(&["-k"]), Err(CliError::UnknownFlag("k".into())));
        assert_eq!(p(&["-r"]), Err(CliError::MissingValue("r".into())));
        assert_eq!(
            p(&["--help=x"]),
            Err(CliError::UnexpectedValue("help".into()))
        );
        assert_eq!(p(&["stray"]), Err(CliError::Positional("stray".into())));
    }
}
