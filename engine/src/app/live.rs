//! Live capture: the `mio` main loop over the capture source's rings.
//!
//! One thread does everything on the event path: it polls the per-CPU ring
//! fds (readable only when the probe forced a wakeup past its fill
//! threshold) with a short adaptive timeout, drains every ring in batches
//! merged by timestamp (`driver::stream::Merger`), and hands each event to a
//! [`Consumer`] (the rules engine, or the event dump). Signals arrive through
//! `signal-hook-mio` on the same poll:
//!
//! - SIGINT / SIGTERM: drain what is left in the rings, then exit with the
//!   summary;
//! - SIGHUP: [`Consumer::reload`] (rules and config) while the probe keeps
//!   capturing: events that arrive meanwhile wait in the rings, none is lost;
//! - SIGUSR1: [`Consumer::reopen`] (output files).
//!
//! Every `stats_interval` the loop prints capture counters (events, drops by
//! cause, rates) to stderr, and it feeds the drop counters to Falco's
//! `syscall_event_drops` monitor.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use falcon_driver::bpf::{self, Counters, Probe, ProbeConfig};
use falcon_driver::event::Event;
use falcon_driver::kmod::{KmodOptions, KmodSource};
use falcon_driver::proc_scan::{self, Snapshot};
use falcon_driver::scap::{CaptureWriter, WriteOptions};
use falcon_driver::stream::Merger;
use mio::unix::SourceFd;
use mio::{Events, Interest, Poll, Token};
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM, SIGUSR1};
use signal_hook_mio::v1_0::Signals;

use crate::app::drops::{DropCounts, DropMonitor};
use crate::app::{Engine, rules_modes};
use crate::cli::LowArgs;
use crate::config::{Config, EngineKind};
use crate::filter::syscall::SyscallFields;
use crate::format::Format;
use crate::outputs::Backpressure;
use crate::rules::Ruleset;
use crate::state::{Limits, Parser};
use falcon_driver::abi::{PPME_GENERIC_E, SYSCALL_TABLE};

const SIGNALS: Token = Token(0);
const RING_BASE: usize = 1;
/// Shortest and longest sleep between drains when no wakeup comes.
const MIN_POLL: Duration = Duration::from_micros(500);
const MAX_POLL: Duration = Duration::from_millis(20);
/// How long an event may wait for older events from idle CPUs.
const REORDER_WINDOW_NS: u64 = 5_000_000;
/// libsinsp's thread purge: scan every 20 minutes, drop threads idle 30.
pub const HOUSEKEEPING_EVERY: Duration = Duration::from_secs(1200);
pub const THREAD_TIMEOUT_NS: u64 = 1800 * 1_000_000_000;
/// How often the kernel counters are read for the drop monitor.
const COUNTS_EVERY: Duration = Duration::from_millis(100);
/// Most events handed out per drain round.
const MAX_BATCH: u64 = 65_536;

/// Whether the loop goes on after an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    /// Stop (e.g. the `exit` drop action); the summary is still printed.
    Stop,
}

/// What the live loop feeds events to.
pub trait Consumer {
    /// Seeds state from the startup `/proc` scan, before any event.
    fn start(&mut self, snapshot: &Snapshot);
    /// One event, in timestamp order; `cpu` is the ring it came from.
    fn event(&mut self, cpu: u16, ev: &Event<'_>) -> Flow;
    /// End of a drain round (flush buffered output).
    fn flush(&mut self) {}
    /// SIGHUP: reload rules and configuration. Returns the new set of
    /// syscalls of interest when it changed.
    fn reload(&mut self) -> Result<Option<Vec<u32>>>;
    /// SIGUSR1: reopen output files.
    fn reopen(&mut self) {}
    /// The capture's cumulative counters, after every drain round that
    /// delivered events (for the `syscall_event_drops` monitor).
    fn drop_counts(&mut self, counts: DropCounts);
    /// Every [`HOUSEKEEPING_EVERY`]: drop threads without events for
    /// [`THREAD_TIMEOUT_NS`] (their exit was lost), like libsinsp.
    fn housekeeping(&mut self, _now_ns: u64) {}
    /// The consumer's part of the end-of-run summary.
    fn summary(&mut self) -> String;
}

/// Capture settings taken from the configuration.
#[derive(Debug, Clone)]
pub struct LiveSettings {
    pub ring_bytes: u64,
    pub snaplen: u32,
    pub syscalls: Vec<u32>,
    pub stats_interval: Option<Duration>,
    pub duration: Option<Duration>,
    pub write_capture: Option<PathBuf>,
}

impl LiveSettings {
    /// From the configuration; `syscalls` is the set of interest.
    pub fn from_config(cfg: &Config, syscalls: Vec<u32>) -> Self {
        let interval = cfg
            .stats_interval_ms
            .or(cfg.metrics.enabled.then_some(cfg.metrics.interval_ms))
            .filter(|&ms| ms > 0)
            .map(Duration::from_millis);
        LiveSettings {
            ring_bytes: cfg.engine.modern_ebpf.buffer_bytes() as u64,
            snaplen: cfg.snaplen,
            syscalls,
            stats_interval: interval,
            duration: cfg.duration_s.map(Duration::from_secs),
            write_capture: cfg.write_capture.clone(),
        }
    }
}

/// The capture source a live run reads.
pub enum Source {
    /// The CO-RE eBPF probe: per-CPU BPF rings, merged by timestamp.
    ModernEbpf(Probe),
    /// The kernel module's per-CPU rings (`/dev/falconN`), drained one
    /// batch per ring per round (its reader hands out each ring's batch in
    /// order; events of different CPUs in one round are not interleaved).
    Kmod(KmodSource),
}

impl Source {
    /// Kernel counters: the total and per CPU.
    fn counters(&self) -> (Counters, Vec<Counters>) {
        let per_cpu: Vec<Counters> = match self {
            Source::ModernEbpf(p) => p.counters().unwrap_or_default(),
            Source::Kmod(k) => k
                .stats()
                .rings
                .iter()
                .map(|r| Counters {
                    n_evts: r.n_evts.saturating_sub(r.n_drops_buffer),
                    n_drops_buffer: r.n_drops_buffer,
                    n_drops_buffer_cat: r.n_drops_buffer_cat,
                    ..Counters::default()
                })
                .collect(),
        };
        let mut t = Counters::default();
        for c in &per_cpu {
            t.add(c);
        }
        (t, per_cpu)
    }

    /// Now, on the clock of event timestamps.
    fn now_ns(&self) -> u64 {
        match self {
            Source::ModernEbpf(p) => p.now_ns(),
            Source::Kmod(_) => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(0),
        }
    }

    /// One drain round; `all` ignores the reorder window (shutdown).
    fn drain(
        &mut self,
        merger: &mut Merger,
        all: bool,
        f: &mut dyn FnMut(usize, &Event<'_>),
    ) -> falcon_driver::stream::DrainStats {
        let now = self.now_ns();
        match self {
            Source::ModernEbpf(p) if all => merger.drain_all(p.rings_mut(), f),
            Source::ModernEbpf(p) => merger.drain(p.rings_mut(), now, f),
            Source::Kmod(k) => {
                let n = k.drain(&mut |cpu, ev| f(cpu, &ev));
                falcon_driver::stream::DrainStats {
                    events: n,
                    malformed: 0,
                    held_back: false,
                }
            }
        }
    }

    fn set_interest(&mut self, set: &[u32]) -> Result<()> {
        match self {
            Source::ModernEbpf(p) => Ok(p.set_interest(set)?),
            Source::Kmod(_) => {
                bail!("changing the syscall set of the kernel module while capturing")
            }
        }
    }
}

fn open_kmod(s: &LiveSettings) -> Result<Source> {
    let opts = KmodOptions {
        syscalls: s.syscalls.clone(),
        snaplen: s.snaplen,
        ring_bytes: Some(s.ring_bytes),
        ..KmodOptions::default()
    };
    let k = KmodSource::open(&opts)
        .map_err(|e| anyhow::anyhow!("cannot capture live with the kernel module: {e}"))?;
    log::info!(
        "Opening 'syscall' source with kernel module ({} rings)",
        k.rings()
    );
    Ok(Source::Kmod(k))
}

/// Picks and opens the source for `engine.kind`: `auto` takes the kernel
/// module when `/dev/falcon*` exists, else the eBPF probe; failures carry a
/// one-line diagnosis.
pub fn open_source(kind: EngineKind, s: &LiveSettings) -> Result<Source> {
    let kmod_present = std::fs::read_dir("/dev").is_ok_and(|d| {
        d.flatten().any(|e| {
            let n = e.file_name();
            let n = n.to_string_lossy();
            n.strip_prefix("falcon")
                .is_some_and(|r| !r.is_empty() && r.bytes().all(|b| b.is_ascii_digit()))
        })
    });
    match kind {
        EngineKind::Kmod => open_kmod(s),
        EngineKind::Auto if kmod_present => open_kmod(s),
        EngineKind::Auto | EngineKind::ModernEbpf => {
            let cfg = ProbeConfig {
                ring_bytes: s.ring_bytes,
                snaplen: s.snaplen,
                wakeup_bytes: s.ring_bytes / 4,
                syscalls: s.syscalls.clone(),
                self_tgid: std::process::id(),
                enter_events: true,
                flavour: bpf::Flavour::Auto,
            };
            let probe = Probe::load(&cfg).map_err(|e| {
                let why = std::error::Error::source(&e)
                    .map(|s| format!(" ({s})"))
                    .unwrap_or_default();
                anyhow::anyhow!(
                    "cannot capture live: no /dev/falcon* device and the eBPF probe failed: {e}{why}"
                )
            })?;
            for w in probe.warnings() {
                log::warn!("modern_ebpf: {w}");
            }
            log::info!(
                "Opening 'syscall' source with modern BPF probe ({} programs, {} rings of {} MiB)",
                probe.flavour(),
                probe.rings().len(),
                s.ring_bytes >> 20
            );
            Ok(Source::ModernEbpf(probe))
        }
        EngineKind::Replay | EngineKind::NoDriver => {
            bail!("engine.kind={} is not live", kind.name())
        }
    }
}

fn drop_counts(c: &Counters) -> DropCounts {
    DropCounts {
        events: c.n_evts + c.drops(),
        drops: c.drops(),
        drops_buffer: c.n_drops_buffer,
    }
}

/// What the loop counted, for the summary.
#[derive(Debug, Default, Clone)]
pub struct LiveStats {
    pub delivered: u64,
    pub malformed: u64,
    pub written: u64,
    pub kernel: Counters,
    pub elapsed: Duration,
}

impl LiveStats {
    /// The capture part of the summary.
    pub fn report(&self) -> String {
        let k = &self.kernel;
        let secs = self.elapsed.as_secs_f64().max(1e-9);
        let mut s = format!(
            "Capture: {} events in {:.1} s ({:.0} ev/s), {} dropped",
            self.delivered,
            secs,
            self.delivered as f64 / secs,
            k.drops()
        );
        if k.drops() > 0 {
            s.push_str(&format!(
                " (buffer {}, scratch {}, page fault {}, too large {}; by category {:?})",
                k.n_drops_buffer,
                k.n_drops_scratch,
                k.n_drops_pf,
                k.n_drops_max_event_size,
                k.n_drops_buffer_cat
            ));
        }
        if self.malformed > 0 {
            s.push_str(&format!(", {} malformed records skipped", self.malformed));
        }
        if self.written > 0 {
            s.push_str(&format!(", {} written to the capture file", self.written));
        }
        s.push('\n');
        s
    }
}

fn write_snapshot(w: &mut CaptureWriter, snap: &Snapshot) -> Result<()> {
    w.write_users(&snap.users, &snap.groups)?;
    w.write_processes(&snap.procs)?;
    for (tid, fds) in &snap.fds {
        w.write_fds(*tid, fds)?;
    }
    Ok(())
}

/// Runs the loop until a signal, `-M`, or the consumer stops it.
pub fn run_loop(
    src: &mut Source,
    s: &LiveSettings,
    consumer: &mut dyn Consumer,
) -> Result<LiveStats> {
    let started = Instant::now();
    let snapshot = proc_scan::scan(Path::new("/proc"), Path::new("/etc"));
    consumer.start(&snapshot);
    let mut writer = match &s.write_capture {
        Some(p) => {
            let mut w = CaptureWriter::create(p, WriteOptions::default())
                .with_context(|| format!("cannot create capture file {}", p.display()))?;
            write_snapshot(&mut w, &snapshot)?;
            Some(w)
        }
        None => None,
    };
    drop(snapshot);

    let mut poll = Poll::new().context("creating the poll")?;
    let mut signals = Signals::new([SIGINT, SIGTERM, SIGHUP, SIGUSR1]).context("signals")?;
    poll.registry()
        .register(&mut signals, SIGNALS, Interest::READABLE)?;
    let ncpu = match &*src {
        Source::ModernEbpf(probe) => {
            use std::os::fd::AsRawFd;
            for (i, r) in probe.rings().iter().enumerate() {
                let fd = std::os::fd::AsFd::as_fd(r).as_raw_fd();
                poll.registry().register(
                    &mut SourceFd(&fd),
                    Token(RING_BASE + i),
                    Interest::READABLE,
                )?;
            }
            probe.rings().len()
        }
        // the module's rings are read on the timer alone
        Source::Kmod(k) => k.rings(),
    };

    log::info!(
        "Live capture started: {} syscalls of interest, {} CPUs",
        s.syscalls.len(),
        ncpu
    );
    let mut merger = Merger::new(REORDER_WINDOW_NS, MAX_BATCH);
    let mut events = Events::with_capacity(64);
    let mut stats = LiveStats::default();
    let mut timeout = MIN_POLL;
    let deadline = s.duration.map(|d| started + d);
    let mut next_stats = s.stats_interval.map(|i| Instant::now() + i);
    let mut last_stats = (Instant::now(), 0u64, 0u64);
    let mut stop = false;
    let mut write_err: Option<anyhow::Error> = None;
    let mut last_counts = Instant::now() - COUNTS_EVERY;
    let mut next_housekeeping = Instant::now() + HOUSEKEEPING_EVERY;

    while !stop {
        match poll.poll(&mut events, Some(timeout)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e).context("polling the rings"),
        }
        for ev in events.iter() {
            if ev.token() == SIGNALS {
                for sig in signals.pending() {
                    match sig {
                        SIGINT | SIGTERM => stop = true,
                        SIGHUP => {
                            log::info!("SIGHUP received, reloading rules and configuration");
                            match consumer.reload() {
                                Ok(Some(set)) => {
                                    if let Err(e) = src.set_interest(&set) {
                                        log::error!("cannot apply the new syscall set: {e}");
                                    }
                                }
                                Ok(None) => {}
                                Err(e) => {
                                    log::error!("reload failed, keeping the old rules: {e:#}")
                                }
                            }
                        }
                        SIGUSR1 => {
                            log::info!("SIGUSR1 received, reopening outputs");
                            consumer.reopen();
                        }
                        _ => {}
                    }
                }
            }
        }
        let mut flow = Flow::Continue;
        let st = src.drain(&mut merger, false, &mut |cpu, ev| {
            if flow == Flow::Stop {
                return;
            }
            if let Some(w) = writer.as_mut()
                && write_err.is_none()
            {
                match w.write_event(cpu as u16, 0, ev) {
                    Ok(()) => stats.written += 1,
                    Err(e) => write_err = Some(e.into()),
                }
            }
            flow = consumer.event(cpu as u16, ev);
        });
        stats.delivered += st.events;
        stats.malformed += st.malformed;
        if flow == Flow::Stop {
            stop = true;
        }
        if let Some(e) = write_err.take() {
            return Err(e).context("writing the capture file");
        }
        consumer.flush();
        // adaptive timer: poll again soon while events flow, back off when idle
        timeout = if st.events > 0 || st.held_back {
            MIN_POLL
        } else {
            (timeout * 2).min(MAX_POLL)
        };

        // the drop monitor looks once per second of event time: refresh its
        // counters (one map lookup per CPU) at most every 100 ms
        if st.events > 0 && last_counts.elapsed() >= COUNTS_EVERY {
            consumer.drop_counts(drop_counts(&src.counters().0));
            last_counts = Instant::now();
        }
        if let Some(t) = next_stats
            && Instant::now() >= t
        {
            let (tot, per_cpu) = src.counters();
            let (t0, ev0, dr0) = last_stats;
            let dt = t0.elapsed().as_secs_f64().max(1e-9);
            let per: Vec<String> = per_cpu
                .iter()
                .enumerate()
                .map(|(i, c)| format!("cpu{i} {}/{}", c.n_evts, c.drops()))
                .collect();
            eprintln!(
                "falcon stats: events {} ({:.0}/s), drops {} ({:.0}/s), delivered {}, per cpu (events/drops) [{}]",
                tot.n_evts,
                (tot.n_evts.saturating_sub(ev0)) as f64 / dt,
                tot.drops(),
                (tot.drops().saturating_sub(dr0)) as f64 / dt,
                stats.delivered,
                per.join(", ")
            );
            last_stats = (Instant::now(), tot.n_evts, tot.drops());
            next_stats = s.stats_interval.map(|i| Instant::now() + i);
        }
        if next_housekeeping <= Instant::now() {
            consumer.housekeeping(src.now_ns());
            next_housekeeping = Instant::now() + HOUSEKEEPING_EVERY;
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            stop = true;
        }
    }

    // drain what is left, ignoring the reorder window
    let mut flow = Flow::Continue;
    let mut write_err = None;
    loop {
        let st = src.drain(&mut merger, true, &mut |cpu, ev| {
            if let Some(w) = writer.as_mut()
                && write_err.is_none()
            {
                match w.write_event(cpu as u16, 0, ev) {
                    Ok(()) => stats.written += 1,
                    Err(e) => write_err = Some(e),
                }
            }
            if flow == Flow::Continue {
                flow = consumer.event(cpu as u16, ev);
            }
        });
        stats.delivered += st.events;
        stats.malformed += st.malformed;
        if !st.held_back {
            break;
        }
    }
    consumer.flush();
    if let Some(e) = write_err {
        return Err(e).context("writing the capture file");
    }
    if let Some(w) = writer {
        w.finish().context("finishing the capture file")?;
    }
    stats.kernel = src.counters().0;
    stats.elapsed = started.elapsed();
    Ok(stats)
}

/// The syscalls a live run captures: everything for `base_syscalls.all` or
/// an event dump, else the state set plus `custom_set` plus `extra` (the
/// syscalls the loaded rules need).
pub fn interest(cfg: &Config, extra: &[&str], everything: bool) -> Vec<u32> {
    if everything || cfg.base_syscalls.all {
        return bpf::all_syscalls();
    }
    let names = bpf::STATE_SYSCALLS
        .iter()
        .copied()
        .chain(cfg.base_syscalls.custom_set.iter().map(String::as_str))
        .chain(extra.iter().copied());
    bpf::syscall_numbers(names)
}

/// Seeds the state tracker from the startup snapshot, the way a capture's
/// UL/PL/FDL blocks seed it on replay.
fn seed(parser: &mut Parser, snapshot: &Snapshot) {
    for u in &snapshot.users {
        parser.state.users.add_user(crate::state::User {
            uid: u.uid,
            gid: u.gid,
            name: u.name.clone(),
            homedir: u.homedir.clone(),
            shell: u.shell.clone(),
        });
    }
    for g in &snapshot.groups {
        parser.state.users.add_group(crate::state::Group {
            gid: g.gid,
            name: g.name.clone(),
        });
    }
    for p in &snapshot.procs {
        parser.add_thread(crate::app::dump::thread_of(p));
    }
    for (tid, fds) in &snapshot.fds {
        for f in fds {
            parser.add_fd(*tid as i64, f.fd, crate::app::dump::fd_of(f));
        }
    }
}

/// `--dump-events FORMAT` on live capture: every event through the state
/// tracker, printed with an output format.
pub struct DumpConsumer {
    parser: Parser,
    monitor: DropMonitor,
    counts: DropCounts,
    stop: bool,
    format: Format,
    line: String,
    out: std::io::BufWriter<std::io::Stdout>,
    printed: u64,
    broken: bool,
}

impl DumpConsumer {
    /// A dump printing `format` for every event.
    pub fn new(format: &str, drops: &crate::config::DropsConfig) -> Result<Self> {
        Ok(DumpConsumer {
            parser: Parser::new(Limits::default()),
            monitor: DropMonitor::new(drops),
            counts: DropCounts::default(),
            stop: false,
            format: Format::compile(format)
                .with_context(|| format!("invalid format '{format}'"))?,
            line: String::new(),
            out: std::io::BufWriter::with_capacity(1 << 16, std::io::stdout()),
            printed: 0,
            broken: false,
        })
    }
}

impl Consumer for DumpConsumer {
    fn start(&mut self, snapshot: &Snapshot) {
        seed(&mut self.parser, snapshot);
    }

    fn housekeeping(&mut self, now_ns: u64) {
        self.parser.purge_inactive(now_ns, THREAD_TIMEOUT_NS);
    }

    fn event(&mut self, cpu: u16, ev: &Event<'_>) -> Flow {
        let counts = self.counts;
        if let Some(act) = self.monitor.on_event(ev.ts(), || counts) {
            if let Some(a) = act.alert {
                log::warn!("{}", a.message);
            }
            self.stop |= act.exit;
        }
        if self.stop {
            return Flow::Stop;
        }
        let Some(p) = self.parser.process(ev, cpu) else {
            return Flow::Continue;
        };
        let cx = self.parser.ctx(*ev, &p);
        self.line.clear();
        self.format.render(&cx, &mut self.line);
        self.line.push('\n');
        if self.out.write_all(self.line.as_bytes()).is_err() {
            self.broken = true;
            return Flow::Stop;
        }
        self.printed += 1;
        Flow::Continue
    }

    fn flush(&mut self) {
        if self.out.flush().is_err() {
            self.broken = true;
        }
    }

    fn reload(&mut self) -> Result<Option<Vec<u32>>> {
        Ok(None)
    }

    fn drop_counts(&mut self, counts: DropCounts) {
        self.counts = counts;
    }

    fn summary(&mut self) -> String {
        format!(
            "Events printed: {}\n{}",
            self.printed,
            self.monitor.report()
        )
    }
}

/// The syscalls the rules of `ruleset` need (by their event types).
pub fn rule_syscalls(ruleset: &Ruleset<SyscallFields>) -> Vec<&'static str> {
    let codes = ruleset.wanted_codes();
    SYSCALL_TABLE
        .iter()
        .filter(|s| {
            codes.contains(s.exit_event as u16)
                || (s.enter_event != PPME_GENERIC_E && codes.contains(s.enter_event as u16))
        })
        .map(|s| s.name)
        .collect()
}

/// The rules engine on live events: state, rules, outputs.
pub struct EngineConsumer {
    args: LowArgs,
    cfg: Config,
    engine: Option<Engine>,
    interest: Vec<u32>,
}

impl EngineConsumer {
    /// Loads the rules of `cfg` and starts the outputs.
    pub fn new(args: &LowArgs, cfg: &Config) -> Result<Self> {
        let rules = rules_modes::load_ruleset(cfg)?;
        let interest = interest(cfg, &rule_syscalls(&rules), false);
        let engine = Engine::new(cfg, rules, Backpressure::Drop)?;
        Ok(EngineConsumer {
            args: args.clone(),
            cfg: cfg.clone(),
            engine: Some(engine),
            interest,
        })
    }

    /// The syscalls the loaded rules and the state tracker need.
    pub fn interest(&self) -> Vec<u32> {
        self.interest.clone()
    }
}

impl Consumer for EngineConsumer {
    fn start(&mut self, snapshot: &Snapshot) {
        let Some(e) = self.engine.as_mut() else {
            return;
        };
        let parser = e.parser_mut();
        for p in &snapshot.procs {
            parser.add_thread(crate::app::dump::thread_of(p));
        }
        for (tid, fds) in &snapshot.fds {
            for f in fds {
                parser.add_fd(*tid as i64, f.fd, crate::app::dump::fd_of(f));
            }
        }
    }

    #[inline]
    fn event(&mut self, cpu: u16, ev: &Event<'_>) -> Flow {
        match self.engine.as_mut().map(|e| e.process(ev, cpu).is_exit()) {
            Some(false) => Flow::Continue,
            _ => Flow::Stop,
        }
    }

    fn reload(&mut self) -> Result<Option<Vec<u32>>> {
        let cfg = Config::load(&self.args).context("reloading the configuration")?;
        let rules = rules_modes::load_ruleset(&cfg)?;
        let interest = interest(&cfg, &rule_syscalls(&rules), false);
        let mut fresh = Engine::new(&cfg, rules, Backpressure::Drop)?;
        if let Some(old) = self.engine.as_mut() {
            // the thread and fd tables carry over: no state is lost
            std::mem::swap(old.parser_mut(), fresh.parser_mut());
        }
        if let Some(old) = self.engine.replace(fresh) {
            let r = old.finish();
            log::info!(
                "previous rules raised {} alerts before the reload",
                r.detections.total()
            );
        }
        self.cfg = cfg;
        let changed = interest != self.interest;
        self.interest = interest.clone();
        log::info!("rules reloaded");
        Ok(changed.then_some(interest))
    }

    fn reopen(&mut self) {
        if let Some(e) = self.engine.as_ref() {
            e.reopen_outputs();
        }
    }

    fn drop_counts(&mut self, counts: DropCounts) {
        if let Some(e) = self.engine.as_mut() {
            e.set_drop_counts(counts);
        }
    }

    fn summary(&mut self) -> String {
        let Some(e) = self.engine.take() else {
            return String::new();
        };
        let r = e.finish();
        eprint!("{}", r.drops);
        if let Some(lost) = crate::app::summary::output_report(&r.outputs) {
            eprint!("{lost}");
        }
        r.detections.summary()
    }
}

/// `falcon` with a live `engine.kind`: capture until a signal or `-M`.
pub fn run(args: &LowArgs, cfg: &Config) -> Result<u8> {
    let (mut consumer, to_stdout, syscalls): (Box<dyn Consumer>, bool, Vec<u32>) =
        match &cfg.dump_events {
            Some(fmt) => (
                Box::new(DumpConsumer::new(fmt, &cfg.drops)?),
                false,
                interest(cfg, &[], true),
            ),
            None => {
                let c = EngineConsumer::new(args, cfg)?;
                let set = c.interest();
                (Box::new(c), true, set)
            }
        };
    if cfg.dry_run {
        return Ok(0);
    }
    let settings = LiveSettings::from_config(cfg, syscalls);
    let mut src = open_source(cfg.engine.kind, &settings)?;
    let stats = run_loop(&mut src, &settings, consumer.as_mut())?;
    eprint!("{}", stats.report());
    let summary = consumer.summary();
    if to_stdout {
        print!("{summary}");
    } else {
        eprint!("{summary}");
    }
    Ok(0)
}
