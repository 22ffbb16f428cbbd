//! Evaluating the upstream ruleset allocates nothing per event once the
//! checks' value containers have grown: a counting global allocator
//! watches every `Ruleset::evaluate` call of a second replay pass.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use falcon_driver::scap::{CaptureReader, ScapError};
use falcon_engine::app::dump::replay_events;
use falcon_engine::filter::syscall::SyscallFields;
use falcon_engine::rules::{LoadOptions, Priority, SourceSet, load_rules};
use falcon_engine::state::{Limits, Parser};

struct Counting;
static COUNTING: AtomicBool = AtomicBool::new(false);
static ALLOCS: AtomicU64 = AtomicU64::new(0);

// SAFETY: forwards to the system allocator unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(p, l, n) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn evaluation_does_not_allocate() {
    let mut sources = SourceSet::new();
    sources.add("syscall", SyscallFields);
    let res = load_rules(
        &[common::corpus("upstream-rules/falco_rules.yaml")],
        &sources,
        &LoadOptions::default(),
    );
    assert!(res.successful(), "{}", res.validation_text());
    let mut rs = res.into_ruleset(Priority::Debug).expect("compiled");
    let traces = [
        "cat_write",
        "connect_localhost",
        "open-multiple-files",
        "ping_sendto",
        "syscall",
    ];
    let mut evaluated = 0u64;
    for pass in 0..2 {
        for t in traces {
            let path = common::corpus(&format!("falco-legacy/trace_files/{t}.scap"));
            let mut reader = CaptureReader::open(&path).expect("trace");
            let mut parser = Parser::new(Limits::default());
            replay_events(&mut reader, &mut parser, |parser, event, p, _| {
                let cx = parser.ctx(event, p);
                COUNTING.store(pass == 1, Ordering::Relaxed);
                let n = rs.evaluate(&cx).count();
                COUNTING.store(false, Ordering::Relaxed);
                std::hint::black_box(n);
                evaluated += (pass == 1) as u64;
                Ok::<_, ScapError>(())
            })
            .expect("read");
        }
    }
    let allocs = ALLOCS.load(Ordering::Relaxed);
    println!("{evaluated} events evaluated against 25 rules, {allocs} allocations");
    assert!(evaluated > 3000);
    assert_eq!(allocs, 0);
}
