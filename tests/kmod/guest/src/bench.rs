//! `bench base|falcon|scap N`: CPU ns per getpid() of a loop pinned to the
//! last CPU, while a consumer on CPU 0 drains the rings every 1 ms. Prints
//! the minimum of 5 repetitions.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use falcon_driver::kmod::{KmodOptions, KmodSource};

use crate::util::{pin, sys, thread_cpu_ns};

fn getpid_loop(iters: u64) -> u64 {
    let t0 = thread_cpu_ns();
    for _ in 0..iters {
        sys(libc::SYS_getpid, &[]);
    }
    (thread_cpu_ns() - t0) / iters
}

pub fn run(what: &str, iters: u64) -> Result<(), String> {
    let ncpu = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let stop = Arc::new(AtomicBool::new(false));
    let s2 = stop.clone();
    let what2 = what.to_owned();
    let (tx, rx) = std::sync::mpsc::channel::<Result<(), String>>();
    let consumer = std::thread::spawn(move || -> (u64, u64, u64) {
        pin(0);
        let mut events = 0u64;
        match what2.as_str() {
            "falcon" => {
                let mut src = match KmodSource::open(&KmodOptions::default()) {
                    Ok(s) => s,
                    Err(e) => {
                        let _ = tx.send(Err(e.to_string()));
                        return (0, 0, 0);
                    }
                };
                let _ = tx.send(Ok(()));
                while !s2.load(Ordering::Relaxed) {
                    events += src.drain(&mut |_, _| {});
                    std::thread::sleep(Duration::from_millis(1));
                }
                let st = src.stats();
                (events, st.kernel_events(), st.drops())
            }
            "scap" => {
                let rings = match crate::scap::open() {
                    Ok(r) => r,
                    Err(e) => {
                        let _ = tx.send(Err(e));
                        return (0, 0, 0);
                    }
                };
                let _ = tx.send(Ok(()));
                let mut bytes = 0;
                while !s2.load(Ordering::Relaxed) {
                    for r in &rings {
                        bytes += r.discard();
                    }
                    std::thread::sleep(Duration::from_millis(1));
                }
                let (ev, dr) = rings.iter().fold((0, 0), |a, r| {
                    let c = r.counters();
                    (a.0 + c.0, a.1 + c.1)
                });
                (bytes, ev, dr)
            }
            _ => {
                let _ = tx.send(Ok(()));
                (0, 0, 0)
            }
        }
    });
    rx.recv().map_err(|e| e.to_string())??;
    pin(ncpu - 1);
    getpid_loop(iters / 10);
    let mut runs: Vec<u64> = (0..5).map(|_| getpid_loop(iters)).collect();
    stop.store(true, Ordering::Relaxed);
    let (delivered, kernel, drops) = consumer.join().map_err(|_| "consumer panicked")?;
    runs.sort_unstable();
    println!(
        "BENCH {what} ns_per_call={} runs={runs:?} delivered={delivered} kernel_events={kernel} drops={drops}",
        runs[0]
    );
    Ok(())
}
