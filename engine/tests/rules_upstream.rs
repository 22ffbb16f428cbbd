//! The current upstream stable ruleset (falco-rules-5.1.0) loads with no
//! error: 25 rules, 87 macros, 49 lists, all compiled for the syscall source.

use std::path::PathBuf;

use falcon_engine::filter::syscall::SyscallFields;
use falcon_engine::rules::{LoadOptions, Priority, SourceSet, load_rules};

fn corpus(p: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpora")
        .join(p)
}

#[test]
fn stable_rules_load_clean() {
    let mut sources = SourceSet::new();
    sources.add("syscall", SyscallFields);
    let path = corpus("upstream-rules/falco_rules.yaml");
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
