//! Every legacy trace replays through the dump mode without error, every
//! event is printed once, and a damaged capture is an error, not a panic.

mod common;

use falcon_driver::scap::{CaptureReader, Record};
use falcon_engine::app::dump;
use std::path::PathBuf;

fn traces() -> Vec<PathBuf> {
    let dir = common::corpus("falco-legacy/trace_files");
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "scap"))
        .collect();
    v.sort();
    v
}

#[test]
fn every_trace_replays() {
    let fmt = "%evt.num %evt.time %evt.type %evt.args %proc.cmdline %proc.aname %fd.name \
               %fd.directory %fd.filename %user.name %thread.cap_effective %evt.arg.flags";
    let all = traces();
    assert_eq!(all.len(), 6);
    for t in all {
        let mut out = Vec::new();
        let stats =
            dump::run(&t, fmt, &mut out).unwrap_or_else(|e| panic!("{}: {e:#}", t.display()));
        let mut reader = CaptureReader::open(&t).unwrap();
        let mut events = 0;
        while let Some(r) = reader.next().unwrap() {
            if matches!(r, Record::Event { .. }) {
                events += 1;
            }
        }
        assert_eq!(stats.events + stats.state_only, events, "{}", t.display());
        // Values may hold raw newlines (string parameters), so lines are
        // at least as many as events.
        assert!(out.iter().filter(|&&b| b == b'\n').count() as u64 >= events);
        println!(
            "{}: {events} events",
            t.file_name().unwrap().to_string_lossy()
        );
    }
}

#[test]
fn damaged_capture_is_an_error() {
    let src = traces()
        .into_iter()
        .max_by_key(|p| std::fs::metadata(p).unwrap().len())
        .unwrap();
    let bytes = std::fs::read(&src).unwrap();
    let dir = std::env::temp_dir().join(format!("falcon-replay-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for cut in [bytes.len() / 2 + 3, bytes.len() - 5] {
        let p = dir.join("cut.scap");
        std::fs::write(&p, &bytes[..cut]).unwrap();
        let mut out = Vec::new();
        let r = dump::run(&p, "%evt.num", &mut out);
        assert!(r.is_err(), "truncated at {cut} must fail");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
