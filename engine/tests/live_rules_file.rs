//! falcon's default rules files (rules/falcon_rules.yaml and the local
//! file loaded after it) load without errors or warnings, define the rules
//! the live suite (tests/live/run-suite) exercises with the priorities it
//! asserts, and every rule carries a description, an output with fields,
//! tags, and a condition restricted to the event types it is about.

use std::path::PathBuf;

use falcon_engine::filter::syscall::SyscallFields;
use falcon_engine::rules::items::Priority;
use falcon_engine::rules::{LoadOptions, SourceSet, load_rules};

fn rules_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../rules")
}

/// Rule name, priority, and event types its condition must be limited to.
const EXPECTED: &[(&str, Priority, &[&str])] = &[
    (
        "Sensitive File Read By Untrusted Program",
        Priority::Warning,
        &["open", "openat", "openat2"],
    ),
    (
        "Terminal Shell Spawned By Unexpected Parent",
        Priority::Notice,
        &["execve", "execveat"],
    ),
    (
        "Write Below Binary Directory",
        Priority::Error,
        &["open", "openat", "openat2"],
    ),
    (
        "Write Below Etc",
        Priority::Error,
        &["open", "openat", "openat2"],
    ),
    (
        "Program Executed From Shared Memory Or Memfd",
        Priority::Critical,
        &["execve", "execveat"],
    ),
    ("Raw Socket Opened", Priority::Warning, &["socket"]),
    (
        "Outbound Connection From System Binary",
        Priority::Warning,
        &["connect"],
    ),
    ("Ptrace Attached To Process", Priority::Warning, &["ptrace"]),
    (
        "Kernel Module Load Attempt",
        Priority::Critical,
        &["init_module", "finit_module"],
    ),
    (
        "Log File Cleared",
        Priority::Error,
        &["open", "openat", "openat2", "unlink", "unlinkat"],
    ),
    (
        "Symlink Created To Sensitive File",
        Priority::Warning,
        &["symlink", "symlinkat"],
    ),
];

#[test]
fn default_rules_load_cleanly_and_are_complete() {
    let paths = [
        rules_dir().join("falcon_rules.yaml"),
        rules_dir().join("falcon_rules.local.yaml"),
    ];
    let mut sources = SourceSet::new();
    sources.add("syscall", SyscallFields);
    let res = load_rules(&paths, &sources, &LoadOptions::default());
    assert!(res.successful(), "{}", res.validation_text());
    for f in &res.files {
        assert!(
            f.warnings.is_empty() && f.schema_warnings.is_empty(),
            "{}: warnings {:?} {:?}",
            f.name,
            f.warnings.iter().map(|w| w.short()).collect::<Vec<_>>(),
            f.schema_warnings
        );
    }
    let rs = res
        .into_ruleset(Priority::Debug)
        .expect("a successful load compiles");
    let rules = rs.rules();
    let names: Vec<&str> = rules.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        EXPECTED.iter().map(|e| e.0).collect::<Vec<_>>(),
        "the default rules and the live suite's list differ"
    );
    for (r, (_, prio, types)) in rules.iter().zip(EXPECTED) {
        assert_eq!(r.priority, *prio, "{}", r.name);
        assert!(r.enabled, "{} is disabled", r.name);
        assert!(
            r.description.len() > 80,
            "{}: description too short",
            r.name
        );
        assert!(
            r.output.matches('%').count() >= 6,
            "{}: output has few fields",
            r.name
        );
        assert!(r.output.contains("%proc.pid"), "{}: no %proc.pid", r.name);
        assert!(r.tags.iter().any(|t| t.starts_with("mitre_")), "{}", r.name);
        assert!(r.tags.iter().any(|t| t.starts_with('T')), "{}", r.name);
        let mut got = r.event_codes.names();
        got.sort_unstable();
        got.dedup();
        let mut want: Vec<&str> = types.to_vec();
        want.sort_unstable();
        assert_eq!(got, want, "{}: event types", r.name);
    }
}
