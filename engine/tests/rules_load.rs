//! The rules files of Falco's legacy regression suite
//! (../shared/corpora/falco-legacy/falco_tests.yaml) that the suite
//! validates with `-V`: each expected error and warning (code, item type,
//! item name, message) must be produced.
//!
//! The suite was written for Falco 0.34.1; falcon follows current Falco
//! (engine 0.62), whose loader reworded a few messages and codes since. Those
//! expectations are listed in `CHANGED_SINCE_0_34` with the current text,
//! taken from falco `userspace/engine/rule_loading_messages.h`,
//! `rule_loader_reader.cpp` and `rule_loader_collector.cpp`.

mod common;

use std::path::PathBuf;

use falcon_engine::filter::syscall::SyscallFields;
use falcon_engine::rules::yaml::{Node, load_all};
use falcon_engine::rules::{Context, ItemType, LoadOptions, SourceSet, load_rules};

/// (legacy code, legacy message, current code, current message).
const CHANGED_SINCE_0_34: &[(&str, &str, &str, &str)] = &[
    (
        "LOAD_ERR_VALIDATE",
        "Macro has 'append' key but no macro by that name already exists",
        "LOAD_ERR_VALIDATE",
        "Macro uses 'append' or 'override.condition: append' but no macro by that name already exists",
    ),
    (
        "LOAD_ERR_VALIDATE",
        "List has 'append' key but no list by that name already exists",
        "LOAD_ERR_VALIDATE",
        "List uses 'append' or 'override.items: append' but no list by that name already exists",
    ),
    (
        "LOAD_ERR_VALIDATE",
        "Rule has 'append' key but no rule by that name already exists",
        "LOAD_ERR_VALIDATE",
        "Rule uses 'append' or 'override.<key>: append' but no rule by that name already exists",
    ),
    // A non-numeric required_engine_version is now tried as a semver string.
    (
        "LOAD_ERR_YAML_VALIDATE",
        "Can't decode YAML scalar value",
        "LOAD_ERR_YAML_VALIDATE",
        "Unable to parse engine version 'not-a-number' as a semver string. Expected \"x.y.z\" semver format.",
    ),
    // LOAD_UNKNOWN_FIELD was renamed LOAD_UNKNOWN_FILTER.
    (
        "LOAD_UNKNOWN_FIELD",
        "filter_check called with nonexistent field proc.nobody",
        "LOAD_UNKNOWN_FILTER",
        "filter_check called with nonexistent field proc.nobody",
    ),
    // An unsigned required_engine_version N now means 0.N.0.
    (
        "LOAD_ERR_VALIDATE",
        "Rules require engine version 9999999, but engine version is",
        "LOAD_ERR_VALIDATE",
        "Rules require engine version 0.9999999.0, but engine version is 0.62.0",
    ),
    // Output tokens are parsed as fields or transformers now; a token that
    // is neither fails on its last one-character candidate.
    (
        "LOAD_ERR_COMPILE_OUTPUT",
        "invalid formatting token not_a_real_field",
        "LOAD_ERR_COMPILE_OUTPUT",
        "unknown filter: unexpected token after '",
    ),
];

#[derive(Debug, Clone)]
struct Expect {
    item_type: String,
    item_name: String,
    code: String,
    message: String,
    contains: bool,
}

fn text(n: Option<&Node>) -> String {
    n.map(|n| n.text()).unwrap_or_default()
}

fn expectations(case: &Node, key: &str) -> Vec<Expect> {
    let Some(items) = case.get(key).and_then(|n| n.as_seq()) else {
        return Vec::new();
    };
    items
        .iter()
        .map(|e| {
            let (message, contains) = match e.get("message") {
                Some(m) => (m.text(), false),
                None => (text(e.get("message_contains")), true),
            };
            let mut x = Expect {
                item_type: text(e.get("item_type")),
                item_name: text(e.get("item_name")),
                code: text(e.get("code")),
                message,
                contains,
            };
            for (old_code, old_msg, new_code, new_msg) in CHANGED_SINCE_0_34 {
                if x.code == *old_code && x.message == *old_msg {
                    x.code = new_code.to_string();
                    x.message = new_msg.to_string();
                    x.contains = false;
                }
            }
            x
        })
        .collect()
}

/// The item a result is about: the innermost location that is an item
/// (not a value, a condition expression or a sub-part of one).
fn item_of(ctx: &Context) -> (String, String) {
    let items = [
        ItemType::RulesContent,
        ItemType::RulesContentItem,
        ItemType::RequiredEngineVersion,
        ItemType::RequiredPluginVersions,
        ItemType::List,
        ItemType::Macro,
        ItemType::Rule,
        ItemType::Exception,
    ];
    let loc = ctx
        .locations
        .iter()
        .rev()
        .find(|l| items.contains(&l.item_type))
        .unwrap_or(&ctx.locations[0]);
    (loc.item_type.as_str().to_string(), loc.item_name.clone())
}

fn matches(x: &Expect, code: &str, ctx: &Context, message: &str) -> bool {
    let (it, name) = item_of(ctx);
    x.code == code
        && x.item_type == it
        && x.item_name == name
        && if x.contains {
            message.contains(&x.message)
        } else {
            message == x.message
        }
}

#[test]
fn legacy_validation_cases() {
    run_suite("falco_tests.yaml");
}

#[test]
fn legacy_exception_validation_cases() {
    run_suite("falco_tests_exceptions.yaml");
}

fn run_suite(suite: &str) {
    let dir = common::corpus("falco-legacy");
    let doc = std::fs::read_to_string(dir.join(suite)).expect("suite file");
    let docs = load_all(&doc).expect("suite parses");
    let cases = docs[0]
        .get("trace_files")
        .and_then(|n| n.as_map())
        .expect("trace_files map");
    let mut sources = SourceSet::new();
    sources.add("syscall", SyscallFields);
    let (mut checked, mut expectations_met, mut failures) = (0, 0, Vec::new());
    for (name, case) in cases {
        let Some(files) = case.get("validate_rules_file").and_then(|n| n.as_seq()) else {
            continue;
        };
        checked += 1;
        let paths: Vec<PathBuf> = files.iter().map(|f| dir.join(f.text())).collect();
        let res = load_rules(&paths, &sources, &LoadOptions::default());
        let errors: Vec<_> = res.files.iter().flat_map(|f| f.errors.iter()).collect();
        let warnings: Vec<_> = res.files.iter().flat_map(|f| f.warnings.iter()).collect();
        let exp_errors = expectations(case, "validate_errors");
        let exp_warnings = expectations(case, "validate_warnings");
        let describe = || {
            let mut s = String::new();
            for e in &errors {
                let (it, n) = item_of(&e.context);
                s += &format!("\n    error {} {it} '{n}': {}", e.code.code(), e.message);
            }
            for w in &warnings {
                let (it, n) = item_of(&w.context);
                s += &format!("\n    warning {} {it} '{n}': {}", w.code.code(), w.message);
            }
            s
        };
        for x in &exp_errors {
            if errors
                .iter()
                .any(|e| matches(x, e.code.code(), &e.context, &e.message))
            {
                expectations_met += 1;
            } else {
                failures.push(format!(
                    "{}: missing error {x:?}; got:{}",
                    name.text(),
                    describe()
                ));
            }
        }
        for x in &exp_warnings {
            if warnings
                .iter()
                .any(|w| matches(x, w.code.code(), &w.context, &w.message))
            {
                expectations_met += 1;
            } else {
                failures.push(format!(
                    "{}: missing warning {x:?}; got:{}",
                    name.text(),
                    describe()
                ));
            }
        }
        if exp_errors.is_empty() && !errors.is_empty() {
            failures.push(format!("{}: unexpected errors:{}", name.text(), describe()));
        }
        if !exp_errors.is_empty() && res.successful() {
            failures.push(format!("{}: expected the load to fail", name.text()));
        }
    }
    println!(
        "{suite} -V cases: {checked} checked, {expectations_met} expected errors/warnings found, {} failures",
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `test_warnings` also lists, per rule of `falco_rules_warnings.yaml`, the
/// event types it is evaluated for. Rules listed with explicit types must
/// get exactly those. Rules listed as `all` are not compared: 0.34.1
/// gave up on any negation, while current libs push negations down to the
/// leaves (De Morgan) and give e.g. "every type but execve" for
/// `evt.type != execve`, or just `execve, open` for
/// `not proc.name=x and evt.type in (execve, open)`.
#[test]
fn legacy_rules_events() {
    let dir = common::corpus("falco-legacy");
    let doc = std::fs::read_to_string(dir.join("falco_tests.yaml")).expect("suite");
    let docs = load_all(&doc).expect("suite parses");
    let case = docs[0]
        .get("trace_files")
        .and_then(|n| n.get("test_warnings"))
        .expect("test_warnings case");
    let mut sources = SourceSet::new();
    sources.add("syscall", SyscallFields);
    let res = load_rules(
        &[dir.join("rules/falco_rules_warnings.yaml")],
        &sources,
        &LoadOptions::default(),
    );
    assert!(res.successful(), "{}", res.validation_text());
    let rs = res
        .into_ruleset(falcon_engine::rules::Priority::Debug)
        .expect("compiled");
    let mut checked = 0;
    let mut failures = Vec::new();
    for entry in case
        .get("rules_events")
        .and_then(|n| n.as_seq())
        .expect("rules_events")
    {
        for (rule, events) in entry.as_map().unwrap_or_default() {
            let want: Vec<String> = events
                .as_seq()
                .unwrap_or_default()
                .iter()
                .map(|e| e.text())
                .collect();
            let r = rs
                .rules()
                .iter()
                .find(|r| r.name == rule.text())
                .unwrap_or_else(|| panic!("rule {}", rule.text()));
            if want == ["all"] {
                continue;
            }
            checked += 1;
            let ok = {
                let mut got: Vec<String> = r
                    .event_codes
                    .names()
                    .iter()
                    .map(|s| s.to_string())
                    .collect();
                got.sort();
                let mut w = want.clone();
                w.sort();
                got == w
            };
            if !ok {
                failures.push(format!(
                    "{}: expected {want:?}, got {:?}",
                    rule.text(),
                    r.event_codes.names()
                ));
            }
        }
    }
    println!(
        "rules_events: {checked} rules checked, {} failures",
        failures.len()
    );
    assert_eq!(checked, 12);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
