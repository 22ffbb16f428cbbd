//! Replay throughput: the largest legacy trace replayed 100 times through
//! (1) the capture reader alone (baseline), (2) reader + state tracking,
//! (3) reader + state + extraction and rendering of the 28 fields of the
//! Falco event dumps (what `--dump-events` does, minus the write).
//!
//! Each is run three times and the fastest run counts. Prints events/s for
//! each, the ratios to the baseline, heap allocations
//! per event in (3) (counted by a wrapping global allocator), and the
//! process's peak RSS (getrusage).

use falcon_driver::scap::{CaptureReader, ReadOptions, Record};
use falcon_engine::app::dump::feed_state;
use falcon_engine::format::Format;
use falcon_engine::state::{Limits, Parser};
use std::alloc::{GlobalAlloc, Layout, System};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

struct Counting;
static ALLOCS: AtomicU64 = AtomicU64::new(0);

// SAFETY: forwards every call to the system allocator unchanged; only
// counts allocations.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as our caller's.
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        // SAFETY: `p` came from `System.alloc` with layout `l`.
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as our caller's.
        unsafe { System.realloc(p, l, n) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const ROUNDS: u32 = 100;
const FORMAT: &str = "%evt.num %evt.time %evt.type %evt.res %evt.rawres %thread.tid %proc.pid \
    %proc.name %proc.exe %proc.exepath %proc.cmdline %proc.pname %proc.aname[2] %proc.cwd \
    %proc.tty %fd.num %fd.name %fd.type %fd.typechar %fd.l4proto %fd.sip %fd.sport %fd.cip \
    %fd.cport %user.uid %user.name %group.gid %container.id";

fn peak_rss_kib() -> i64 {
    let mut ru = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: `ru` is writable memory of the size getrusage expects.
    let r = unsafe { libc::getrusage(libc::RUSAGE_SELF, ru.as_mut_ptr()) };
    if r != 0 {
        return -1;
    }
    // SAFETY: getrusage succeeded and filled `ru`.
    unsafe { ru.assume_init() }.ru_maxrss
}

/// Runs `f` over the trace `ROUNDS` times, three times over; returns
/// (events of one run, seconds of the fastest run): the machine is shared,
/// the best run is the least disturbed one.
fn run(bytes: &[u8], mut f: impl FnMut(Record<'_>)) -> (u64, f64) {
    let mut best = f64::MAX;
    let mut n = 0;
    for _ in 0..3 {
        let t0 = Instant::now();
        n = 0;
        for _ in 0..ROUNDS {
            let mut r = CaptureReader::from_bytes(bytes.to_vec(), ReadOptions::default());
            while let Some(rec) = r.next().expect("trace replays") {
                if matches!(rec, Record::Event { .. }) {
                    n += 1;
                }
                f(rec);
            }
        }
        best = best.min(t0.elapsed().as_secs_f64());
    }
    (n, best)
}

fn main() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpora/falco-legacy/trace_files");
    let largest = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "scap"))
        .max_by_key(|p| std::fs::metadata(p).unwrap().len())
        .unwrap();
    let bytes = std::fs::read(&largest).unwrap();
    println!(
        "trace {} ({} bytes), {ROUNDS} rounds",
        largest.file_name().unwrap().to_string_lossy(),
        bytes.len()
    );

    let (n, base) = run(&bytes, |_| {});
    let base_rate = n as f64 / base;
    println!("reader only:            {n} events in {base:.3} s = {base_rate:.0} events/s");

    let mut parser = Parser::new(Limits::default());
    let (n2, st) = run(&bytes, |rec| match rec {
        Record::Event {
            num, cpu, event, ..
        } => {
            if num == 1 {
                parser = Parser::new(Limits::default());
            }
            parser.process_numbered(&event, cpu, num);
        }
        other => feed_state(&mut parser, &other),
    });
    let st_rate = n2 as f64 / st;
    println!(
        "reader + state:         {n2} events in {st:.3} s = {st_rate:.0} events/s ({:.2}x the baseline time)",
        st / base
    );

    let mut fmt = Format::compile(FORMAT).unwrap();
    let mut line = String::new();
    let mut parser = Parser::new(Limits::default());
    let mut extract_allocs = 0u64;
    let mut bytes_out = 0usize;
    let (n3, ex) = run(&bytes, |rec| match rec {
        Record::Event {
            num, cpu, event, ..
        } => {
            if num == 1 {
                parser = Parser::new(Limits::default());
            }
            if let Some(p) = parser.process_numbered(&event, cpu, num) {
                let cx = parser.ctx(event, &p);
                line.clear();
                let a0 = ALLOCS.load(Ordering::Relaxed);
                fmt.render(&cx, &mut line);
                extract_allocs += ALLOCS.load(Ordering::Relaxed) - a0;
                bytes_out += line.len();
            }
        }
        other => feed_state(&mut parser, &other),
    });
    let ex_rate = n3 as f64 / ex;
    println!(
        "reader + state + 28 fields: {n3} events in {ex:.3} s = {ex_rate:.0} events/s ({:.2}x the baseline time), {bytes_out} bytes rendered",
        ex / base
    );
    println!(
        "allocations in field extraction+rendering: {extract_allocs} ({:.4} per event)",
        extract_allocs as f64 / n3 as f64
    );
    println!("peak RSS: {} KiB", peak_rss_kib());
}
