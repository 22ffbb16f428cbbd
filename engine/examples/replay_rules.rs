//! `cargo run --release --example replay_rules -- TRACE.scap RULES...`:
//! replays a capture through the state tracker, evaluates the rules on
//! every event and prints per-rule match counts (first match wins) and the
//! evaluation time per event.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use falcon_driver::scap::{CaptureReader, ScapError};
use falcon_engine::app::dump::replay_events;
use falcon_engine::filter::syscall::SyscallFields;
use falcon_engine::rules::{LoadOptions, Priority, SourceSet, load_rules};
use falcon_engine::state::{Limits, Parser};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (trace, rules) = args.split_first().expect("usage: TRACE RULES...");
    let mut sources = SourceSet::new();
    sources.add("syscall", SyscallFields);
    let paths: Vec<_> = rules.iter().map(std::path::PathBuf::from).collect();
    let t0 = Instant::now();
    let res = load_rules(&paths, &sources, &LoadOptions::default());
    let load = t0.elapsed();
    if !res.successful() {
        eprintln!("{}", res.validation_text());
        std::process::exit(1);
    }
    let mut rs = res.into_ruleset(Priority::Debug).expect("compiled");
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    let (mut events, mut eval) = (0u64, Duration::ZERO);
    for _ in 0..20 {
        let mut reader = CaptureReader::open(std::path::Path::new(trace)).expect("open trace");
        let mut parser = Parser::new(Limits::default());
        counts.clear();
        replay_events(&mut reader, &mut parser, |parser, event, p, _| {
            let cx = parser.ctx(event, p);
            events += 1;
            let t = Instant::now();
            let hit = rs.evaluate(&cx).next().map(|r| r.name.clone());
            eval += t.elapsed();
            if let Some(name) = hit {
                *counts.entry(name).or_default() += 1;
            }
            Ok::<_, ScapError>(())
        })
        .expect("read");
    }
    for (r, n) in &counts {
        println!("{r}: {n}");
    }
    eprintln!(
        "load+compile {load:?}; {} events/pass, eval {:.0} ns/event",
        events / 20,
        eval.as_nanos() as f64 / events.max(1) as f64
    );
}
