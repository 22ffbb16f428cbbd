//! The current upstream stable ruleset (falco-rules-5.1.0) loads with no
//! error: 25 rules, 87 macros, 49 lists, all compiled for the syscall source.

mod common;

use falcon_engine::filter::syscall::SyscallFields;
use falcon_engine::rules::{LoadOptions, Priority, SourceSet, load_rules};

#[test]
fn stable_rules_load_clean() {
    let mut sources = SourceSet::new();
    sources.add("syscall", SyscallFields);
    let path = common::corpus("upstream-rules/falco_rules.yaml");
    let t0 = std::time::Instant::now();
    let res = load_rules(&[path], &sources, &LoadOptions::default());
    let elapsed = t0.elapsed();
    let contents = |n: &str| res.content(n);
    for f in &res.files {
        println!("{}", f.verbose_string(&contents));
    }
    assert!(res.successful(), "{}", res.validation_text());
    let file = &res.files[0];
    assert!(file.errors.is_empty());
    assert!(file.schema_valid(), "{:?}", file.schema_status);
    let col = &res.collector;
    assert_eq!(col.rules.len(), 25);
    assert_eq!(col.macros.len(), 87);
    assert_eq!(col.lists.len(), 49);
    let unused: Vec<_> = file
        .warnings
        .iter()
        .filter(|w| w.code.code().starts_with("LOAD_UNUSED"))
        .collect();
    assert!(unused.is_empty(), "{unused:?}");
    let ruleset = res.into_ruleset(Priority::Debug).expect("compiled");
    assert_eq!(ruleset.rules().len(), 25);
    println!("loaded and compiled in {elapsed:?}");
    for r in ruleset.rules() {
        println!(
            "{} [{}] {} event codes",
            r.name,
            r.priority,
            r.event_codes.len()
        );
        assert!(
            r.event_codes.len() <= 100,
            "{} matches too many event types",
            r.name
        );
    }
}

#[test]
fn stable_rules_describe() {
    let mut sources = SourceSet::new();
    sources.add("syscall", SyscallFields);
    let res = load_rules(
        &[common::corpus("upstream-rules/falco_rules.yaml")],
        &sources,
        &LoadOptions::default(),
    );
    let d = res.describe(None).expect("describe");
    assert_eq!(d["required_engine_version"], "0.57.0");
    assert_eq!(
        d["required_plugin_versions"],
        serde_json::json!([{"name": "container", "version": "0.4.0", "alternatives": []}])
    );
    assert_eq!(d["rules"].as_array().unwrap().len(), 25);
    assert_eq!(d["macros"].as_array().unwrap().len(), 87);
    assert_eq!(d["lists"].as_array().unwrap().len(), 49);
    let shell = d["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["info"]["name"] == "Terminal shell in container")
        .expect("rule");
    let compiled = shell["details"]["condition_compiled"].as_str().unwrap();
    assert!(
        compiled.starts_with(
            "(evt.type in (execve, execveat) and container.id != host and proc.name in (ash, bash, "
        ),
        "{compiled}"
    );
    assert!(compiled.ends_with(" and not evt.num = 0)"), "{compiled}");
    let events: Vec<_> = shell["details"]["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    assert_eq!(events, ["asyncevent", "execve", "execveat"]);
    assert!(
        shell["details"]["macros"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m == "spawned_process")
    );
    let one = res.describe(Some("Terminal shell in container")).unwrap();
    assert_eq!(one["rules"].as_array().unwrap().len(), 1);
    assert!(res.describe(Some("nope")).is_err());
    let text = falcon_engine::rules::describe::describe_text(&d);
    assert!(
        text.starts_with("Rule                                               Description\n----"),
        "{text}"
    );
}
