//! Replays every legacy trace through the reader (with conversion) and
//! compares each event with what Falco 0.44.1 computed for it
//! (`falco-0.44-event-dumps/<trace>.jsonl`): `evt.num`, `evt.type`,
//! `evt.rawres` and `fd.num` where the event has an `fd` parameter.

mod scap_common;

use std::collections::HashMap;

use falcon_driver::abi::Direction;
use falcon_driver::scap::{CaptureReader, Record};
use scap_common::*;
use serde_json::Value;

/// Why an event falcon returns can be absent from Falco's dump: Falco
/// numbers it but its catch-all rule never sees it.
fn unseen_reason(name: &str, dir: Direction) -> Option<&'static str> {
    match (name, dir) {
        // Falco's rule engine only matches exit events; the time-of-check
        // enter events are numbered but not evaluated.
        (
            "open" | "openat" | "openat2" | "creat" | "connect" | "execve" | "execveat",
            Direction::Enter,
        ) => Some("TOCTOU enter event: numbered, not evaluated by rules"),
        // Container events are consumed by the container plugin.
        ("container", _) => Some("container meta event: consumed by the container plugin"),
        _ => None,
    }
}

#[test]
fn events_match_falco_044_dumps() {
    let mut total_match = 0usize;
    let mut report = String::new();
    let mut all_diffs: Vec<String> = Vec::new();
    for trace in traces() {
        let stem = trace.file_stem().unwrap().to_string_lossy().to_string();
        let dump = corpus(&format!("falco-legacy/falco-0.44-event-dumps/{stem}.jsonl"));
        let text = std::fs::read_to_string(&dump).unwrap();
        let mut want: HashMap<u64, Value> = HashMap::new();
        for line in text.lines() {
            let v: Value = serde_json::from_str(line).unwrap();
            want.insert(v["evt.num"].as_u64().unwrap(), v);
        }
        let mut r = CaptureReader::open(&trace).unwrap();
        let (mut matched, mut unseen, mut seen) = (0usize, 0usize, 0usize);
        let mut diffs = Vec::new();
        while let Some(rec) = r.next().unwrap() {
            let Record::Event { num, event, .. } = rec else {
                continue;
            };
            let Some(w) = want.get(&num) else {
                match unseen_reason(event.info().name, event.info().direction()) {
                    Some(_) => unseen += 1,
                    None => diffs.push(format!(
                        "{stem}: event {num} ({}) is not in Falco's dump",
                        evt_type(&event)
                    )),
                }
                continue;
            };
            seen += 1;
            let mut bad = Vec::new();
            if w["evt.type"].as_str() != Some(&evt_type(&event)) {
                bad.push(format!("type {} vs {}", evt_type(&event), w["evt.type"]));
            }
            if w["evt.time"].as_u64() != Some(event.ts()) {
                bad.push(format!("time {} vs {}", event.ts(), w["evt.time"]));
            }
            if w["thread.tid"].as_u64() != Some(event.tid()) {
                bad.push(format!("tid {} vs {}", event.tid(), w["thread.tid"]));
            }
            if let Some(res) = rawres(&event)
                && w["evt.rawres"].as_i64() != Some(res)
            {
                bad.push(format!("rawres {res} vs {}", w["evt.rawres"]));
            }
            if let Some(fd) = fd_param(&event)
                && w["fd.num"].as_i64() != Some(fd)
            {
                bad.push(format!("fd.num {fd} vs {}", w["fd.num"]));
            }
            if bad.is_empty() {
                matched += 1;
            } else {
                diffs.push(format!("{stem}: event {num}: {}", bad.join(", ")));
            }
        }
        assert_eq!(
            seen,
            want.len(),
            "{stem}: Falco has events falcon does not return"
        );
        assert_eq!(
            r.stats().events as usize,
            seen + unseen + diffs.len(),
            "{stem}"
        );
        report += &format!(
            "{stem}: {matched}/{} dumped events match, {unseen} numbered events not evaluated by Falco\n",
            want.len()
        );
        total_match += matched;
        all_diffs.extend(diffs);
    }
    println!("{report}");
    for d in &all_diffs {
        println!("diff: {d}");
    }
    // Residual differences, each with its reason: none left.
    let expected_diffs: [&str; 0] = [];
    assert_eq!(all_diffs, expected_diffs, "{report}");
    assert_eq!(total_match, 3921, "{report}");
}
