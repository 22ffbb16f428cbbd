//! The replay run: capture reader -> state -> ruleset -> outputs, then
//! Falco's summary.

use super::dump::STATE_ONLY;
use super::engine::{Engine, Report};
use crate::config::Config;
use crate::outputs::Backpressure;
use anyhow::{Context as _, Result};
use falcon_driver::scap::{CaptureReader, Record};
use std::path::Path;
use std::time::{Duration, Instant};

/// Replays `capture` through the configured rules; prints the summary.
/// Returns the exit code (1 when a drop action asked to exit).
pub fn run(cfg: &Config, capture: &Path) -> Result<u8> {
    let rules = super::rules_modes::load_ruleset(cfg)?;
    if let Some(w) = &cfg.write_capture {
        log::warn!(
            "-w {}: ignored when replaying (the capture is already a file)",
            w.display()
        );
    }
    log::info!("Enabled event sources: syscall");
    log::info!(
        "Opening 'syscall' source with savefile {}",
        capture.display()
    );
    let mut reader = CaptureReader::open(capture)
        .with_context(|| format!("cannot open capture {}", capture.display()))?;
    let mut engine = Engine::new(
        cfg,
        rules,
        Backpressure::Block(Duration::from_millis(cfg.output_timeout_ms)),
    )?;
    let deadline = cfg
        .duration_s
        .map(|s| Instant::now() + Duration::from_secs(s));
    let stats_every = cfg.stats_interval_ms.map(Duration::from_millis);
    let mut next_stats = stats_every.map(|d| Instant::now() + d);
    let mut exit = false;
    let mut n: u64 = 0;
    loop {
        let rec = reader
            .next()
            .with_context(|| format!("reading {}", capture.display()))?;
        let Some(rec) = rec else { break };
        match rec {
            Record::Event {
                num,
                cpu,
                flags,
                event,
            } => {
                if flags & STATE_ONLY != 0 {
                    engine.feed_state_event(&event, cpu, num);
                } else if engine.process_numbered(&event, cpu, num).is_exit() {
                    exit = true;
                    break;
                }
                n += 1;
                if n.is_multiple_of(4096) {
                    let now = Instant::now();
                    if deadline.is_some_and(|d| now >= d) {
                        break;
                    }
                    if let (Some(at), Some(every)) = (next_stats, stats_every)
                        && now >= at
                    {
                        print_stats(&engine);
                        next_stats = Some(now + every);
                    }
                }
            }
            other => engine.feed_state(&other),
        }
    }
    let report = engine.finish();
    print_report(&report);
    Ok(if exit { 1 } else { 0 })
}

fn print_stats(engine: &Engine) {
    for s in engine.output_stats() {
        log::info!(
            "output {}: sent {}, dropped {}, failed {}",
            s.name,
            s.counts.sent,
            s.counts.dropped,
            s.counts.failed
        );
    }
    log::info!("events detected so far: {}", engine.detections().total());
}

/// Falco's end-of-run output: drop monitoring on stderr, the detection
/// summary on stdout, and any lost alerts.
pub fn print_report(r: &Report) {
    eprint!("{}", r.drops);
    print!("{}", r.detections.summary());
    if let Some(lost) = super::summary::output_report(&r.outputs) {
        eprint!("{lost}");
    }
}
