//! Cost of live capture with the eBPF probe, and the highest event rate it
//! sustains without drops. `cargo bench --bench driver_overhead` (root).
//!
//! Per-syscall overhead: a workload process pinned to CPU 1 runs a tight
//! loop of `getpid` (raw syscall) and of 1-byte `read`s from /dev/zero and
//! measures its own CPU time (CLOCK_PROCESS_CPUTIME_ID). Each loop runs
//! without the probe (baseline), with the probe attached but no syscall of
//! interest (hooks return at once), and with every syscall captured while
//! this process, pinned to CPU 0, drains the rings and runs every event
//! through the state tracker (falcon's per-event work minus rules). All in
//! the same run; the median of `REPS` repetitions is reported, with ratios
//! against the baseline.
//!
//! Sustained rate: the workload issues `getpid` at a fixed rate for
//! `RATE_SECS` seconds; the rate doubles, then bisects, until the probe's
//! drop counters move. The highest rate with zero drops (and every event
//! delivered) is reported, and so is the unthrottled rate.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use falcon_driver::bpf::{self, Counters, Probe, ProbeConfig};
use falcon_driver::stream::Merger;
use falcon_engine::state::{Limits, Parser};

const REPS: usize = 3;
const CALLS: u64 = 2_000_000;
const RATE_SECS: f64 = 2.0;

fn pin(cpu: usize) {
    // SAFETY: a zeroed cpu_set_t is valid; CPU_SET and sched_setaffinity
    // only touch that set.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu, &mut set);
        libc::sched_setaffinity(0, size_of::<libc::cpu_set_t>(), &set);
    }
}

fn cpu_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: valid out-pointer.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// The workload (this binary re-executed): `workload KIND CALLS RATE`.
fn workload(kind: &str, calls: u64, rate: f64, cpu: usize) {
    pin(cpu);
    let zero = std::fs::File::open("/dev/zero").expect("/dev/zero");
    let fd = std::os::fd::AsRawFd::as_raw_fd(&zero);
    let mut b = [0u8; 1];
    let start = Instant::now();
    let c0 = cpu_ns();
    let mut done = 0u64;
    while done < calls {
        let chunk = 1000.min(calls - done);
        for _ in 0..chunk {
            // SAFETY: plain syscalls with valid arguments.
            unsafe {
                if kind == "getpid" {
                    libc::syscall(libc::SYS_getpid);
                } else {
                    libc::read(fd, b.as_mut_ptr().cast(), 1);
                }
            }
        }
        done += chunk;
        if rate > 0.0 {
            let due = Duration::from_secs_f64(done as f64 / rate);
            let el = start.elapsed();
            if due > el {
                std::thread::sleep(due - el);
            }
        }
    }
    let cpu = cpu_ns() - c0;
    let wall = start.elapsed().as_nanos() as u64;
    println!("{} {}", cpu as f64 / calls as f64, wall);
}

struct Drain<'a> {
    probe: Option<&'a mut Probe>,
    parser: Parser,
    merger: Merger,
    delivered: u64,
}

impl Drain<'_> {
    fn round(&mut self, all: bool) -> u64 {
        let Some(p) = self.probe.as_deref_mut() else {
            return 0;
        };
        let now = p.now_ns();
        let parser = &mut self.parser;
        let mut n = 0;
        let f = |cpu: usize, ev: &falcon_driver::event::Event<'_>| {
            std::hint::black_box(parser.process(ev, cpu as u16));
            n += 1;
        };
        if all {
            self.merger.drain_all(p.rings_mut(), f);
        } else {
            self.merger.drain(p.rings_mut(), now, f);
        }
        self.delivered += n;
        n
    }
}

fn totals(p: &Probe) -> Counters {
    let mut t = Counters::default();
    for c in p.counters().unwrap_or_default() {
        t.add(&c);
    }
    t
}

/// Runs one workload while draining; returns (cpu ns/call, wall ns).
fn run(kind: &str, calls: u64, rate: f64, drain: &mut Drain<'_>) -> (f64, u64) {
    run_on(kind, calls, rate, &[1], drain)
}

/// Runs one workload process per CPU in `cpus` at once while draining;
/// returns (mean cpu ns/call, longest wall ns).
fn run_on(kind: &str, calls: u64, rate: f64, cpus: &[usize], drain: &mut Drain<'_>) -> (f64, u64) {
    let exe = std::env::current_exe().unwrap();
    let mut children: Vec<_> = cpus
        .iter()
        .map(|c| {
            Command::new(&exe)
                .args([
                    "workload",
                    kind,
                    &calls.to_string(),
                    &rate.to_string(),
                    &c.to_string(),
                ])
                .stdout(Stdio::piped())
                .spawn()
                .expect("spawn workload")
        })
        .collect();
    let mut sleep = Duration::from_micros(500);
    loop {
        let n = drain.round(false);
        if children.iter_mut().all(|c| c.try_wait().unwrap().is_some()) {
            break;
        }
        sleep = if n > 0 {
            Duration::from_micros(500)
        } else {
            (sleep * 2).min(Duration::from_millis(10))
        };
        std::thread::sleep(sleep);
    }
    std::thread::sleep(Duration::from_millis(10));
    drain.round(true);
    let (mut cpu_sum, mut wall_max) = (0.0, 0u64);
    for c in children {
        let out = c.wait_with_output().unwrap();
        let s = String::from_utf8_lossy(&out.stdout);
        let mut it = s.split_whitespace();
        cpu_sum += it
            .next()
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(f64::NAN);
        wall_max = wall_max.max(it.next().and_then(|v| v.parse().ok()).unwrap_or(0));
    }
    (cpu_sum / cpus.len() as f64, wall_max)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("workload") {
        let cpu = args.get(5).and_then(|c| c.parse().ok()).unwrap_or(1);
        workload(
            &args[2],
            args[3].parse().unwrap(),
            args[4].parse().unwrap(),
            cpu,
        );
        return;
    }
    if args.iter().any(|a| a == "--list") {
        println!("driver_overhead: bench");
        return;
    }
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("driver_overhead: needs root (BPF); skipped");
        return;
    }
    pin(0);
    let cfg = ProbeConfig {
        syscalls: Vec::new(),
        ..ProbeConfig::default()
    };
    let mut probe = Probe::load(&cfg).expect("load the probe");
    println!(
        "probe: {} flavour, {} rings of {} MiB",
        probe.flavour(),
        probe.rings().len(),
        cfg.ring_bytes >> 20
    );

    let mut rows = Vec::new();
    for kind in ["getpid", "read"] {
        let (mut base, mut hooks, mut full) = (Vec::new(), Vec::new(), Vec::new());
        let mut drops = 0;
        for _ in 0..REPS {
            // the probe stays loaded; "baseline" detaches by emptying
            // nothing: measure it with a fresh process and no probe below
            probe.set_interest(&[]).unwrap();
            let mut d = Drain {
                probe: None,
                parser: Parser::new(Limits::default()),
                merger: Merger::new(5_000_000, 65536),
                delivered: 0,
            };
            hooks.push(run(kind, CALLS, 0.0, &mut d).0);
            probe.set_interest(&bpf::all_syscalls()).unwrap();
            let before = totals(&probe);
            let mut d = Drain {
                probe: Some(&mut probe),
                parser: Parser::new(Limits::default()),
                merger: Merger::new(5_000_000, 65536),
                delivered: 0,
            };
            full.push(run(kind, CALLS, 0.0, &mut d).0);
            let after = totals(&probe);
            drops += after.drops() - before.drops();
        }
        // baseline: the probe unloaded entirely
        drop(probe);
        for _ in 0..REPS {
            let mut d = Drain {
                probe: None,
                parser: Parser::new(Limits::default()),
                merger: Merger::new(5_000_000, 65536),
                delivered: 0,
            };
            base.push(run(kind, CALLS, 0.0, &mut d).0);
        }
        probe = Probe::load(&cfg).expect("reload the probe");
        let (b, h, f) = (median(base), median(hooks), median(full));
        rows.push((kind, b, h, f, drops));
    }
    println!("\nper-syscall CPU time of the workload (ns/call, median of {REPS}, {CALLS} calls):");
    println!(
        "{:<8} {:>10} {:>16} {:>8} {:>16} {:>8} {:>7}",
        "loop", "baseline", "hooks only", "ratio", "full capture", "ratio", "drops"
    );
    for (k, b, h, f, d) in &rows {
        println!(
            "{k:<8} {b:>10.1} {h:>16.1} {:>7.2}x {f:>16.1} {:>7.2}x {d:>7}",
            h / b,
            f / b
        );
    }

    // sustained rate without drops
    probe.set_interest(&bpf::all_syscalls()).unwrap();
    let try_rate = |rate: f64, probe: &mut Probe| -> (bool, f64, u64) {
        let calls = if rate > 0.0 {
            (rate * RATE_SECS) as u64
        } else {
            10_000_000
        };
        let before = totals(probe);
        let mut d = Drain {
            probe: Some(probe),
            parser: Parser::new(Limits::default()),
            merger: Merger::new(5_000_000, 65536),
            delivered: 0,
        };
        let (_, wall) = run("getpid", calls, rate, &mut d);
        let delivered = d.delivered;
        let after = totals(d.probe.unwrap());
        let dropped = after.drops() - before.drops();
        let achieved = calls as f64 / (wall as f64 / 1e9);
        (dropped == 0 && delivered >= calls, achieved, dropped)
    };
    let (_, max_rate, max_drops) = try_rate(0.0, &mut probe);
    println!(
        "\nunthrottled getpid: {:.0} ev/s produced, {} dropped",
        max_rate, max_drops
    );
    let mut lo = 0.0f64;
    let mut best = 0.0f64;
    let mut hi = None;
    let mut rate = 100_000.0f64;
    for _ in 0..12 {
        if rate > max_rate * 1.05 {
            hi = Some(rate);
            rate = (lo + rate) / 2.0;
            continue;
        }
        let (ok, achieved, dropped) = try_rate(rate, &mut probe);
        println!("  target {rate:>10.0} ev/s: achieved {achieved:>10.0}, dropped {dropped}");
        if ok && achieved >= rate * 0.9 {
            lo = rate;
            best = best.max(achieved);
        } else {
            hi = Some(rate);
        }
        rate = match hi {
            None => rate * 2.0,
            Some(h) => {
                if (h - lo) / h < 0.1 {
                    break;
                }
                (lo + h) / 2.0
            }
        };
    }
    println!(
        "highest sustained rate with zero drops: {:.0} events/s achieved (target {:.0}; one producer on CPU 1, state tracker consumer on CPU 0, 8 MiB rings)",
        best, lo
    );

    // both CPUs producing (one shares CPU 0 with the consumer): where the
    // consumer, not the producer, sets the limit
    let before = totals(&probe);
    let calls = 5_000_000u64;
    let mut d = Drain {
        probe: Some(&mut probe),
        parser: Parser::new(Limits::default()),
        merger: Merger::new(5_000_000, 65536),
        delivered: 0,
    };
    let (_, wall) = run_on("getpid", calls, 0.0, &[0, 1], &mut d);
    let delivered = d.delivered;
    let after = totals(&probe);
    let secs = wall as f64 / 1e9;
    println!(
        "two unthrottled producers (CPU 0 and 1): {:.0} ev/s produced, {:.0} ev/s delivered, {} dropped ({:.2}%)",
        2.0 * calls as f64 / secs,
        delivered as f64 / secs,
        after.drops() - before.drops(),
        100.0 * (after.drops() - before.drops()) as f64 / (2 * calls) as f64
    );
}
