//! `stress`: a syscall storm on every CPU through a deliberately small
//! ring with a slow consumer, so events are dropped; every event the
//! kernel counted must be either delivered or counted as a drop.
//! `hotplug`: a CPU goes offline and back while capturing.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use falcon_driver::abi;
use falcon_driver::event::Event;
use falcon_driver::kmod::{KmodOptions, KmodSource};

use crate::report::Report;
use crate::util::{cstr, gettid, pin, sys};

fn storm(cpu: usize, stop: Arc<AtomicBool>) -> u64 {
    pin(cpu);
    let p = cstr("/etc/passwd");
    let mut buf = [0u8; 64];
    let mut n = 0u64;
    while !stop.load(Ordering::Relaxed) {
        sys(libc::SYS_getpid, &[]);
        let fd = sys(libc::SYS_openat, &[-100i64 as u64, p.as_ptr() as u64, 0]);
        sys(libc::SYS_read, &[fd as u64, buf.as_mut_ptr() as u64, 64]);
        sys(libc::SYS_close, &[fd as u64]);
        n += 4;
    }
    n
}

pub fn run(r: &mut Report, secs: u64) {
    let ncpu = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let opts = KmodOptions {
        ring_bytes: Some(64 * 1024),
        ..KmodOptions::default()
    };
    let mut src = match KmodSource::open(&opts) {
        Ok(s) => s,
        Err(e) => {
            r.check("open", Err(e.to_string()));
            return;
        }
    };
    r.check("open with a 64 KiB ring", Ok(()));
    let stop = Arc::new(AtomicBool::new(false));
    let workers: Vec<_> = (0..ncpu)
        .map(|cpu| {
            let s = stop.clone();
            std::thread::spawn(move || storm(cpu, s))
        })
        .collect();
    let mut delivered = 0u64;
    let mut bad = 0u64;
    let start = Instant::now();
    let mut round = 0u32;
    while start.elapsed() < Duration::from_secs(secs) {
        delivered += src.drain(&mut |_, e: Event<'_>| {
            if e.nparams() != e.info().params.len() {
                bad += 1;
            }
        });
        round += 1;
        // a slow consumer every fourth round: the rings overflow
        std::thread::sleep(Duration::from_millis(if round.is_multiple_of(4) {
            50
        } else {
            1
        }));
    }
    stop.store(true, Ordering::Relaxed);
    let issued: u64 = workers.into_iter().map(|w| w.join().unwrap_or(0)).sum();
    let _ = src.stop();
    std::thread::sleep(Duration::from_millis(100));
    for _ in 0..10 {
        delivered += src.drain(&mut |_, _| {});
    }
    let st = src.stats();
    println!(
        "STRESS issued={issued} kernel_events={} delivered={} drops={} pf={} preempt={}",
        st.kernel_events(),
        st.delivered_total(),
        st.drops(),
        st.rings.iter().map(|r| r.n_drops_pf).sum::<u64>(),
        st.rings.iter().map(|r| r.n_preemptions).sum::<u64>()
    );
    r.ok(
        "events were dropped (ring too small)",
        st.drops() > 0,
        || "no drops".into(),
    );
    for (cpu, ring) in st.rings.iter().enumerate() {
        let cat: u64 = ring.n_drops_buffer_cat.iter().sum();
        r.ok(
            &format!("cpu{cpu}: kernel events == delivered + dropped"),
            ring.n_evts == st.delivered[cpu] + ring.n_drops_buffer,
            || {
                format!(
                    "{} != {} + {}",
                    ring.n_evts, st.delivered[cpu], ring.n_drops_buffer
                )
            },
        );
        r.ok(
            &format!("cpu{cpu}: drop categories add up"),
            cat == ring.n_drops_buffer,
            || format!("{cat} != {}", ring.n_drops_buffer),
        );
    }
    r.ok(
        "delivered events are well formed",
        bad == 0 && st.bad_batches.iter().all(|&b| b == 0),
        || format!("{bad} bad, {:?}", src.last_error()),
    );
    r.ok(
        "delivery counted",
        delivered == st.delivered_total(),
        || format!("{delivered} vs {}", st.delivered_total()),
    );
    r.ok(
        "the storm reached the kernel",
        st.kernel_events() >= issued / 2,
        || format!("{} events for {issued} syscalls", st.kernel_events()),
    );
}

/// `self`: with the module's default (capture_self=0) the consumer's own
/// syscalls are not captured, a child's are.
pub fn self_filter(r: &mut Report) {
    let opts = KmodOptions {
        syscalls: vec![39],
        ..KmodOptions::default()
    };
    let mut src = match KmodSource::open(&opts) {
        Ok(s) => s,
        Err(e) => {
            r.check("open", Err(e.to_string()));
            return;
        }
    };
    let me = gettid();
    getpids(100);
    // SAFETY: the child only makes raw syscalls and exits.
    let child = unsafe { libc::fork() };
    if child == 0 {
        getpids(100);
        // SAFETY: immediate exit of the forked child.
        unsafe { libc::_exit(0) };
    }
    let mut st = 0;
    // SAFETY: reaping our child.
    unsafe { libc::waitpid(child, &mut st, 0) };
    let mut own = vec![0u64; src.rings()];
    let mut theirs = vec![0u64; src.rings()];
    let t0 = Instant::now();
    while t0.elapsed() < Duration::from_millis(300) {
        src.drain(&mut |cpu, e| {
            if e.code() as u32 == abi::PPME_GENERIC_X && e.param_u64(1) == Some(39) {
                if e.tid() as i64 == me {
                    own[cpu] += 1;
                } else if e.tid() as i64 == child as i64 {
                    theirs[cpu] += 1;
                }
            }
        });
        std::thread::sleep(Duration::from_millis(5));
    }
    r.ok(
        "the consumer's own syscalls are not captured",
        own.iter().sum::<u64>() == 0,
        || format!("{own:?}"),
    );
    r.ok(
        "a child's syscalls are",
        theirs.iter().sum::<u64>() == 100,
        || format!("{theirs:?}"),
    );
}

/// One capture cycle without output: open, 100 getpids, drain, close.
/// Exit status 0 when the getpids came back.
pub fn cycle() -> std::process::ExitCode {
    let tid = gettid();
    let Ok(mut src) = KmodSource::open(&KmodOptions::default()) else {
        return std::process::ExitCode::FAILURE;
    };
    getpids(100);
    let mut n = vec![0u64; src.rings()];
    count_getpid(&mut src, tid, &mut n);
    if n.iter().sum::<u64>() == 100 {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}

fn getpids(n: u32) {
    for _ in 0..n {
        sys(libc::SYS_getpid, &[]);
    }
}

fn count_getpid(src: &mut KmodSource, tid: i64, per_cpu: &mut [u64]) {
    let t0 = Instant::now();
    while t0.elapsed() < Duration::from_millis(300) {
        src.drain(&mut |cpu, e| {
            if e.code() as u32 == abi::PPME_GENERIC_X
                && e.tid() as i64 == tid
                && e.param_u64(1) == Some(39)
            {
                per_cpu[cpu] += 1;
            }
        });
        std::thread::sleep(Duration::from_millis(5));
    }
}

pub fn hotplug(r: &mut Report) {
    let online = "/sys/devices/system/cpu/cpu1/online";
    let opts = KmodOptions {
        syscalls: vec![39],
        ..KmodOptions::default()
    };
    let mut src = match KmodSource::open(&opts) {
        Ok(s) => s,
        Err(e) => {
            r.check("open", Err(e.to_string()));
            return;
        }
    };
    let tid = gettid();
    let mut before = vec![0u64; src.rings()];
    r.ok("pin to cpu1", pin(1), || "sched_setaffinity".into());
    getpids(1000);
    count_getpid(&mut src, tid, &mut before);
    let off = std::fs::write(online, "0");
    r.ok("cpu1 offline", off.is_ok(), || format!("{off:?}"));
    let mut during = vec![0u64; src.rings()];
    getpids(1000);
    count_getpid(&mut src, tid, &mut during);
    let on = std::fs::write(online, "1");
    r.ok("cpu1 online again", on.is_ok(), || format!("{on:?}"));
    std::thread::sleep(Duration::from_millis(100));
    let mut after = vec![0u64; src.rings()];
    r.ok("pin to cpu1 again", pin(1), || "sched_setaffinity".into());
    getpids(1000);
    count_getpid(&mut src, tid, &mut after);
    println!("HOTPLUG before={before:?} during={during:?} after={after:?}");
    r.ok(
        "events on cpu1 before",
        before.get(1) == Some(&1000),
        || format!("{before:?}"),
    );
    r.ok(
        "events elsewhere while cpu1 is offline",
        during.iter().sum::<u64>() == 1000 && during.get(1) == Some(&0),
        || format!("{during:?}"),
    );
    r.ok(
        "events on cpu1 after it returns",
        after.get(1) == Some(&1000),
        || format!("{after:?}"),
    );
    r.ok("no drops", src.stats().drops() == 0, || "drops".into());
}
