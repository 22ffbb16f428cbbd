//! Evaluation cost of the upstream stable ruleset (falco-rules-5.1.0) on
//! the legacy suite's five traces, replayed through the state tracker.
//! Measured: time inside `Ruleset::evaluate` (event-type index, all
//! matching rules) per event, against the baseline of the same filters
//! tried without the index (`evaluate_unindexed`), in the same run; plus
//! the load+compile time of the ruleset. `cargo bench -p falcon-engine
//! --bench rules_eval`.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use falcon_driver::scap::{CaptureReader, ScapError};
use falcon_engine::app::dump::replay_events;
use falcon_engine::filter::syscall::SyscallFields;
use falcon_engine::rules::{LoadOptions, Priority, SourceSet, load_rules};
use falcon_engine::state::{Limits, Parser};

fn corpus(p: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpora")
        .join(p)
}

fn main() {
    let rules = corpus("upstream-rules/falco_rules.yaml");
    let mut sources = SourceSet::new();
    sources.add("syscall", SyscallFields);
    let mut load = Duration::MAX;
    let mut res = None;
    for _ in 0..20 {
        let t = Instant::now();
        let r = load_rules(
            std::slice::from_ref(&rules),
            &sources,
            &LoadOptions::default(),
        );
        load = load.min(t.elapsed());
        assert!(r.successful());
        res = Some(r);
    }
    let mut rs = res
        .expect("loaded")
        .into_ruleset(Priority::Debug)
        .expect("compiled");
    println!(
        "load+compile falco_rules.yaml (25 rules, 87 macros, 49 lists): {load:?} (best of 20)"
    );

    let traces = [
        "cat_write",
        "connect_localhost",
        "open-multiple-files",
        "ping_sendto",
        "syscall",
    ];
    const PASSES: usize = 200;
    let (mut indexed, mut unindexed) = (Duration::ZERO, Duration::ZERO);
    let (mut events, mut m_idx, mut m_all) = (0u64, 0u64, 0u64);
    for _ in 0..PASSES {
        for t in traces {
            let path = corpus(&format!("falco-legacy/trace_files/{t}.scap"));
            let mut reader = CaptureReader::open(&path).expect("trace");
            let mut parser = Parser::new(Limits::default());
            replay_events(&mut reader, &mut parser, |parser, event, p, _| {
                let cx = parser.ctx(event, p);
                events += 1;
                let a = Instant::now();
                m_idx += rs.evaluate(&cx).count() as u64;
                let b = Instant::now();
                m_all += rs.evaluate_unindexed(&cx).count() as u64;
                let c = Instant::now();
                indexed += b - a;
                unindexed += c - b;
                Ok::<_, ScapError>(())
            })
            .expect("read");
        }
    }
    assert_eq!(m_idx, m_all, "index changed the matches");
    let ns = |d: Duration| d.as_nanos() as f64 / events as f64;
    println!(
        "{events} event evaluations ({} per pass), {m_idx} matches",
        events / PASSES as u64
    );
    println!("indexed evaluate:       {:8.1} ns/event", ns(indexed));
    println!("baseline (no index):    {:8.1} ns/event", ns(unindexed));
    println!(
        "ratio baseline/indexed: {:8.2}x",
        ns(unindexed) / ns(indexed)
    );
}
