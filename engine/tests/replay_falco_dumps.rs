//! Replays every legacy trace and compares falcon's values of the 28 dump
//! fields with what Falco 0.44.1 computed (`falco-0.44-event-dumps`).
//!
//! Prints how many values matched and lists every difference; any
//! difference fails the test.

mod common;

use falcon_driver::scap::{CaptureReader, Record};
use falcon_engine::app::dump::feed_state;
use falcon_engine::fields::{self, BoundField, FieldType, Value, Values};
use falcon_engine::state::{Limits, Parser};
use serde_json::Value as J;
use std::collections::HashMap;

const FIELDS: &[&str] = &[
    "evt.num",
    "evt.time",
    "evt.type",
    "evt.res",
    "evt.rawres",
    "thread.tid",
    "proc.pid",
    "proc.name",
    "proc.exe",
    "proc.exepath",
    "proc.cmdline",
    "proc.pname",
    "proc.aname[2]",
    "proc.cwd",
    "proc.tty",
    "fd.num",
    "fd.name",
    "fd.type",
    "fd.typechar",
    "fd.l4proto",
    "fd.sip",
    "fd.sport",
    "fd.cip",
    "fd.cport",
    "user.uid",
    "user.name",
    "group.gid",
    "container.id",
];

/// falcon's value as Falco's JSON output carries it.
fn to_json(f: &BoundField, vals: &Values) -> J {
    let Some(v) = vals.first() else {
        return J::Null;
    };
    match v {
        Value::Str(s) | Value::Bytes(s) => J::String(String::from_utf8_lossy(s).into_owned()),
        Value::I64(n) => J::from(n),
        Value::U64(n) if f.info().ty == FieldType::Bool => J::Bool(n != 0),
        Value::U64(n) => J::from(n),
        Value::Bool(b) => J::Bool(b),
        Value::Ip(ip) => J::String(ip.to_string()),
        Value::Net(ip, p) => J::String(format!("{ip}/{p}")),
        Value::Double(d) => J::from(d),
    }
}

#[test]
fn falcon_matches_falco_044_dumps() {
    let dir = common::corpus("falco-legacy");
    let bound: Vec<BoundField> = FIELDS
        .iter()
        .map(|f| fields::bind_text(f).unwrap())
        .collect();
    let mut vals = Values::new();
    let (mut total, mut matched) = (0u64, 0u64);
    let mut diffs = Vec::new();
    let mut traces = 0;
    let mut paths: Vec<_> = std::fs::read_dir(dir.join("trace_files"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "scap"))
        .collect();
    paths.sort();
    for path in paths {
        traces += 1;
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let dump =
            std::fs::read_to_string(dir.join(format!("falco-0.44-event-dumps/{stem}.jsonl")))
                .unwrap();
        let expected: HashMap<u64, serde_json::Map<String, J>> = dump
            .lines()
            .map(|l| {
                let o: serde_json::Map<String, J> = serde_json::from_str(l).unwrap();
                (o["evt.num"].as_u64().unwrap(), o)
            })
            .collect();
        let mut reader = CaptureReader::open(&path).unwrap();
        let mut parser = Parser::new(Limits::default());
        let mut seen = 0;
        while let Some(rec) = reader.next().unwrap() {
            let Record::Event {
                num, cpu, event, ..
            } = rec
            else {
                feed_state(&mut parser, &rec);
                continue;
            };
            let p = parser.process_numbered(&event, cpu, num).unwrap();
            let Some(exp) = expected.get(&num) else {
                // Falco's rule engine does not evaluate enter events.
                assert_eq!(
                    event.info().direction(),
                    falcon_driver::abi::Direction::Enter,
                    "{stem}: event {num} ({}) is missing from Falco's dump",
                    event.info().name
                );
                continue;
            };
            seen += 1;
            let cx = parser.ctx(event, &p);
            for (f, name) in bound.iter().zip(FIELDS) {
                vals.clear();
                f.extract(&cx, &mut vals);
                // Falco's JSON output carries evt.time as integer ns.
                let got = if *name == "evt.time" {
                    J::from(event.ts())
                } else {
                    to_json(f, &vals)
                };
                let want = exp.get(*name).cloned().unwrap_or(J::Null);
                total += 1;
                if got == want {
                    matched += 1;
                } else {
                    diffs.push(format!(
                        "{stem} evt {num} {} {name}: falcon {got} falco {want}",
                        event.info().name
                    ));
                }
            }
        }
        assert_eq!(seen, expected.len(), "{stem}: events compared");
    }
    assert_eq!(traces, 6);
    println!("falco-0.44 dumps: {matched} of {total} values match");
    for d in &diffs {
        println!("DIFF {d}");
    }
    assert!(
        diffs.is_empty(),
        "{} differences (first: {})",
        diffs.len(),
        diffs.first().map_or("", |s| s.as_str())
    );
}
