//! Replay throughput with the full upstream stable ruleset.
//!
//! The largest capture of the corpus is replayed in a loop, three ways, in
//! the same run:
//! 1. reader only (decode and convert every block) — the floor;
//! 2. reader + state tracking (the baseline: what every event costs
//!    before any rule runs);
//! 3. reader + state + the 25 stable rules through [`Engine`] (outputs
//!    off, so alert I/O is not measured; matches still render).
//!
//! Prints events/s and ns/event for each and the ratio of 3 to 2.
//! Run: `cargo bench -p falcon-engine --bench rules_replay`.

use falcon_driver::scap::{CaptureReader, ReadOptions, Record};
use falcon_engine::app::Engine;
use falcon_engine::app::dump::feed_state;
use falcon_engine::config::Config;
use falcon_engine::outputs::Backpressure;
use falcon_engine::state::{Limits, Parser};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const MIN_TIME: Duration = Duration::from_secs(1);
/// Rounds of the three measurements, interleaved; the best round counts
/// (the machine is shared, so the minimum is the least disturbed figure).
const ROUNDS: usize = 3;

fn corpora() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpora")
}

fn largest_trace() -> PathBuf {
    let dir = corpora().join("falco-legacy/trace_files");
    let mut best = None;
    for e in std::fs::read_dir(&dir).expect("trace_files") {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "scap") {
            let len = p.metadata().unwrap().len();
            if best.as_ref().is_none_or(|(l, _)| len > *l) {
                best = Some((len, p));
            }
        }
    }
    best.expect("no .scap in the corpus").1
}

/// Runs `pass` (which returns events processed) until MIN_TIME is spent;
/// returns (events, seconds).
fn measure(mut pass: impl FnMut() -> u64) -> (u64, f64) {
    pass(); // warm-up
    let mut events = 0;
    let mut spent = Duration::ZERO;
    while spent < MIN_TIME {
        let t = Instant::now();
        events += pass();
        spent += t.elapsed();
    }
    (events, spent.as_secs_f64())
}

fn report(name: &str, (events, secs): (u64, f64)) -> f64 {
    let ns = secs * 1e9 / events as f64;
    println!(
        "{name:<28} {:>12.0} events/s {:>9.1} ns/event ({events} events in {secs:.2} s)",
        events as f64 / secs,
        ns
    );
    ns
}

fn main() {
    let trace = largest_trace();
    let bytes = std::fs::read(&trace).expect("read trace");
    let rules = corpora().join("upstream-rules/falco_rules.yaml");
    let argv = [
        "-c",
        "/dev/null",
        "-r",
        rules.to_str().unwrap(),
        "-o",
        "stdout_output.enabled=false",
        "-o",
        "syslog_output.enabled=false",
    ];
    let args = falcon_engine::cli::parse(argv.iter().map(|s| s.to_string())).unwrap();
    let cfg = Config::load(&args).expect("config");
    println!(
        "trace {} ({} bytes), rules {}",
        trace.display(),
        bytes.len(),
        rules.display()
    );

    let reader_only = || {
        measure(|| {
            let mut r = CaptureReader::from_bytes(bytes.clone(), ReadOptions::default());
            let mut n = 0;
            while let Some(rec) = r.next().unwrap() {
                if let Record::Event { event, .. } = rec {
                    black_box(event.ts());
                    n += 1;
                }
            }
            n
        })
    };

    let state_only = || {
        measure(|| {
            let mut r = CaptureReader::from_bytes(bytes.clone(), ReadOptions::default());
            let mut p = Parser::new(Limits::default());
            let mut n = 0;
            while let Some(rec) = r.next().unwrap() {
                match rec {
                    Record::Event {
                        num, cpu, event, ..
                    } => {
                        black_box(p.process_numbered(&event, cpu, num));
                        n += 1;
                    }
                    other => feed_state(&mut p, &other),
                }
            }
            n
        })
    };

    let mut alerts = 0;
    let mut with_rules = || {
        let mut events = 0;
        let mut spent = Duration::ZERO;
        let mut first = true;
        while spent < MIN_TIME || first {
            let rs = falcon_engine::app::rules_modes::load_ruleset(&cfg).expect("rules");
            let mut engine =
                Engine::new(&cfg, rs, Backpressure::Block(Duration::from_secs(2))).expect("engine");
            let mut r = CaptureReader::from_bytes(bytes.clone(), ReadOptions::default());
            let t = Instant::now();
            let mut n = 0;
            while let Some(rec) = r.next().unwrap() {
                match rec {
                    Record::Event {
                        num, cpu, event, ..
                    } => {
                        black_box(engine.process_numbered(&event, cpu, num));
                        n += 1;
                    }
                    other => engine.feed_state(&other),
                }
            }
            let dt = t.elapsed();
            let rep = engine.finish();
            if first {
                alerts = rep.detections.total();
                first = false;
            } else {
                events += n;
                spent += dt;
            }
        }
        (events, spent.as_secs_f64())
    };

    let ns = |(events, secs): (u64, f64)| secs * 1e9 / events as f64;
    let mut best: [Option<(u64, f64)>; 3] = [None; 3];
    for _ in 0..ROUNDS {
        let r = [reader_only(), state_only(), with_rules()];
        for (b, r) in best.iter_mut().zip(r) {
            if b.is_none_or(|x| ns(r) < ns(x)) {
                *b = Some(r);
            }
        }
    }
    let [Some(r0), Some(r1), Some(r2)] = best else {
        unreachable!("ROUNDS > 0")
    };
    report("reader only", r0);
    let base = report("reader + state (baseline)", r1);
    let full = report("reader + state + 25 rules", r2);
    println!(
        "ratio rules/baseline: {:.2}x ns/event; rule evaluation adds {:.1} ns/event; {alerts} alerts per pass",
        full / base,
        full - base
    );
}
