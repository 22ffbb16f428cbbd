//! Where alerts go: stdout, a file, a program, syslog, an HTTP endpoint.
//!
//! Every output has the same shape (one module each): a `Config` whose
//! fields are falco.yaml's, `Config::build(&OutputContext)` that fails only
//! on configuration that can never work, an [`Output`] that writes one
//! rendered alert, and the same [`Counters`] (`sent`, `dropped`, `failed`).
//!
//! [`Outputs`] renders each [`Alert`] once ([`format`]) and hands it to
//! every output through that output's own bounded queue and thread, so a
//! slow or dead output (a webhook that is down, a program that hangs) never
//! stops detection: its queue fills, further alerts for it are counted as
//! `dropped`, and the other outputs go on. In replay mode
//! ([`Backpressure::Block`]) a full queue is waited on instead, since there
//! is no kernel buffer to overflow, for at most `output_timeout` per alert.
//!
//! # Guarantees
//! * Per output, alerts are written in the order [`Outputs::send`] saw them.
//! * Every alert handed to [`Outputs::send`] ends up counted exactly once
//!   per output as `sent`, `dropped` or `failed`.
//! * [`Outputs::shutdown`] drains every queue and joins the threads before
//!   it returns the final counts.

pub mod file;
pub mod format;
pub mod http;
pub mod program;
pub mod stdout;
pub mod syslog;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub use format::{Alert, Formatter, Priority};

/// Why an output cannot be built from its configuration.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// A required setting is missing or empty.
    #[error("{output} output: '{key}' must be set")]
    Missing {
        output: &'static str,
        key: &'static str,
    },
    /// A setting that can never work.
    #[error("{output} output: invalid '{key}': {why}")]
    Invalid {
        output: &'static str,
        key: &'static str,
        why: String,
    },
    /// The output thread could not be started.
    #[error("{output} output: cannot start its thread: {err}")]
    Thread {
        output: &'static str,
        err: std::io::Error,
    },
}

/// Why one alert could not be written. A closed set: counters and logs
/// are keyed by [`FailReason`], the detail only goes to the log.
#[derive(Debug, thiserror::Error)]
#[error("{reason}: {detail}")]
pub struct OutputError {
    /// What failed.
    pub reason: FailReason,
    /// The underlying error text.
    pub detail: String,
}

impl OutputError {
    /// An error of `reason` with the text of `err`.
    pub fn new(reason: FailReason, err: impl std::fmt::Display) -> Self {
        OutputError {
            reason,
            detail: err.to_string(),
        }
    }
}

/// Why an alert failed, for logs and stats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailReason {
    /// Opening a file or socket.
    Open,
    /// Writing to a file, pipe or socket.
    Write,
    /// Starting a program.
    Spawn,
    /// The program exited unsuccessfully.
    Program,
    /// The HTTP request failed or was answered with an error status.
    Http,
}

impl std::fmt::Display for FailReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            FailReason::Open => "open failed",
            FailReason::Write => "write failed",
            FailReason::Spawn => "spawn failed",
            FailReason::Program => "program failed",
            FailReason::Http => "http request failed",
        })
    }
}

/// The same three measures for every output.
#[derive(Debug, Default)]
pub struct Counters {
    /// Alerts written.
    pub sent: AtomicU64,
    /// Alerts never handed to the output (its queue was full).
    pub dropped: AtomicU64,
    /// Alerts the output tried and failed to write.
    pub failed: AtomicU64,
}

/// A copy of [`Counters`] at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CountSnapshot {
    /// See [`Counters::sent`].
    pub sent: u64,
    /// See [`Counters::dropped`].
    pub dropped: u64,
    /// See [`Counters::failed`].
    pub failed: u64,
}

impl Counters {
    /// The current values.
    pub fn snapshot(&self) -> CountSnapshot {
        CountSnapshot {
            sent: self.sent.load(Ordering::Relaxed),
            dropped: self.dropped.load(Ordering::Relaxed),
            failed: self.failed.load(Ordering::Relaxed),
        }
    }
}

/// An alert rendered once for every output.
#[derive(Debug)]
pub struct Rendered {
    /// The alert's priority (syslog severity).
    pub priority: Priority,
    /// The line to write: the text line or the JSON object, no newline.
    pub line: String,
}

/// What every output's `build` may need besides its own section.
#[derive(Debug, Clone)]
pub struct OutputContext {
    /// `json_output`: HTTP sends `application/json` instead of `text/plain`.
    pub json: bool,
    /// `buffered_outputs` (false with `-U`): when false every alert is
    /// flushed as soon as it is written.
    pub buffered: bool,
}

/// One output: writes rendered alerts somewhere.
pub trait Output: Send {
    /// The name used in logs and stats (`stdout`, `file`, ...).
    fn name(&self) -> &'static str;
    /// Writes one alert.
    fn emit(&mut self, alert: &Rendered) -> Result<(), OutputError>;
    /// Pushes out anything buffered.
    fn flush(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    /// Closes and reopens files, pipes and sockets (SIGUSR1).
    fn reopen(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
    /// The startup check: a real open/connect. Only ever warned about.
    fn check(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
}

/// One output's configuration, as enabled in falco.yaml.
#[derive(Debug, Clone, PartialEq)]
pub enum Config {
    /// `stdout_output`.
    Stdout(stdout::Config),
    /// `file_output`.
    File(file::Config),
    /// `syslog_output`.
    Syslog(syslog::Config),
    /// `program_output`.
    Program(program::Config),
    /// `http_output`.
    Http(http::Config),
}

impl Config {
    /// Builds the output.
    pub fn build(&self, cx: &OutputContext) -> Result<Box<dyn Output>, BuildError> {
        match self {
            Config::Stdout(c) => c.build(cx),
            Config::File(c) => c.build(cx),
            Config::Syslog(c) => c.build(cx),
            Config::Program(c) => c.build(cx),
            Config::Http(c) => c.build(cx),
        }
    }
}

/// What [`Outputs::send`] does when an output's queue is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backpressure {
    /// Count the alert as dropped for that output (live capture).
    Drop,
    /// Wait for room (replay: nothing is lost, detection just slows), but
    /// at most `output_timeout` per alert: an output that stays blocked
    /// that long is reported and the alert counted as dropped for it.
    Block(Duration),
}

enum Msg {
    Alert(Arc<Rendered>),
    Reopen,
}

struct Sink {
    name: &'static str,
    tx: Option<SyncSender<Msg>>,
    counters: Arc<Counters>,
    thread: Option<JoinHandle<()>>,
}

/// The default per-output queue length (`outputs_queue.capacity: 0`).
pub const DEFAULT_QUEUE_CAPACITY: usize = 65_536;

/// Final counts of one output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputStats {
    /// The output's name.
    pub name: &'static str,
    /// Its counters.
    pub counts: CountSnapshot,
}

/// All enabled outputs, each on its own thread behind a bounded queue.
pub struct Outputs {
    formatter: Formatter,
    sinks: Vec<Sink>,
    backpressure: Backpressure,
}

impl std::fmt::Debug for Outputs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outputs")
            .field(
                "outputs",
                &self.sinks.iter().map(|s| s.name).collect::<Vec<_>>(),
            )
            .field("backpressure", &self.backpressure)
            .finish()
    }
}

impl Outputs {
    /// Builds every output, runs its startup check (a failure is only
    /// logged), and starts its thread. `capacity` 0 means
    /// [`DEFAULT_QUEUE_CAPACITY`].
    pub fn start(
        configs: &[Config],
        cx: &OutputContext,
        formatter: Formatter,
        capacity: usize,
        backpressure: Backpressure,
    ) -> Result<Self, BuildError> {
        let built = configs
            .iter()
            .map(|c| c.build(cx))
            .collect::<Result<Vec<_>, _>>()?;
        Self::from_outputs(built, cx.buffered, formatter, capacity, backpressure)
    }

    /// Starts already-built outputs (tests use this with their own).
    pub fn from_outputs(
        outputs: Vec<Box<dyn Output>>,
        buffered: bool,
        formatter: Formatter,
        capacity: usize,
        backpressure: Backpressure,
    ) -> Result<Self, BuildError> {
        let cap = if capacity == 0 {
            DEFAULT_QUEUE_CAPACITY
        } else {
            capacity
        };
        let mut sinks = Vec::new();
        for mut out in outputs {
            let name = out.name();
            if let Err(e) = out.check() {
                log::warn!("{name} output: startup check failed ({e}); alerts will be retried");
            }
            let (tx, rx) = sync_channel(cap);
            let counters = Arc::new(Counters::default());
            let c = Arc::clone(&counters);
            let thread = std::thread::Builder::new()
                .name(format!("out-{name}"))
                .spawn(move || run_output(out, rx, &c, buffered))
                .map_err(|err| BuildError::Thread { output: name, err })?;
            sinks.push(Sink {
                name,
                tx: Some(tx),
                counters,
                thread: Some(thread),
            });
        }
        Ok(Outputs {
            formatter,
            sinks,
            backpressure,
        })
    }

    /// The formatter alerts are rendered with.
    pub fn formatter(&self) -> &Formatter {
        &self.formatter
    }

    /// Renders `alert` and queues it for every output.
    pub fn send(&self, alert: &Alert) {
        if self.sinks.is_empty() {
            return;
        }
        let rendered = Arc::new(self.formatter.render(alert));
        for s in &self.sinks {
            let Some(tx) = &s.tx else { continue };
            let msg = Msg::Alert(Arc::clone(&rendered));
            let lost = match self.backpressure {
                Backpressure::Block(limit) => !send_within(tx, msg, limit, s.name),
                Backpressure::Drop => match tx.try_send(msg) {
                    Ok(()) => false,
                    Err(TrySendError::Full(_)) | Err(TrySendError::Disconnected(_)) => true,
                },
            };
            if lost && s.counters.dropped.fetch_add(1, Ordering::Relaxed) == 0 {
                log::error!(
                    "{} output: queue full, dropping alerts (counted as dropped)",
                    s.name
                );
            }
        }
    }

    /// Asks every output to close and reopen its files/pipes/sockets.
    pub fn reopen(&self) {
        for s in &self.sinks {
            if let Some(tx) = &s.tx {
                let _ = tx.send(Msg::Reopen);
            }
        }
    }

    /// Current counts of every output.
    pub fn stats(&self) -> Vec<OutputStats> {
        self.sinks
            .iter()
            .map(|s| OutputStats {
                name: s.name,
                counts: s.counters.snapshot(),
            })
            .collect()
    }

    /// Drains every queue, flushes, joins the threads, returns final counts.
    pub fn shutdown(mut self) -> Vec<OutputStats> {
        self.close();
        self.stats()
    }

    fn close(&mut self) {
        for s in &mut self.sinks {
            s.tx = None;
        }
        for s in &mut self.sinks {
            if let Some(t) = s.thread.take()
                && t.join().is_err()
            {
                log::error!("{} output: its thread panicked", s.name);
            }
        }
    }
}

impl Drop for Outputs {
    fn drop(&mut self) {
        self.close();
    }
}

/// Sends, waiting up to `limit` for room in the queue.
fn send_within(tx: &SyncSender<Msg>, mut msg: Msg, limit: Duration, name: &str) -> bool {
    let start = Instant::now();
    let mut pause = Duration::from_micros(50);
    loop {
        match tx.try_send(msg) {
            Ok(()) => return true,
            Err(TrySendError::Disconnected(_)) => return false,
            Err(TrySendError::Full(m)) => {
                if start.elapsed() >= limit {
                    log::error!("\"{name}\" output timeout, all output channels are blocked");
                    return false;
                }
                msg = m;
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(10));
            }
        }
    }
}

/// Rate-limits failure logs: the first one, then at most one per interval.
struct FailureLog {
    last: Option<Instant>,
    suppressed: u64,
}

const FAILURE_LOG_INTERVAL: Duration = Duration::from_secs(10);

impl FailureLog {
    fn record(&mut self, name: &str, err: &OutputError) {
        let now = Instant::now();
        match self.last {
            Some(t) if now.duration_since(t) < FAILURE_LOG_INTERVAL => self.suppressed += 1,
            _ => {
                if self.suppressed > 0 {
                    log::error!(
                        "{name} output: {err} ({} more failures since the last report)",
                        self.suppressed
                    );
                } else {
                    log::error!("{name} output: {err}");
                }
                self.last = Some(now);
                self.suppressed = 0;
            }
        }
    }
}

fn run_output(mut out: Box<dyn Output>, rx: Receiver<Msg>, c: &Counters, buffered: bool) {
    let name = out.name();
    let mut flog = FailureLog {
        last: None,
        suppressed: 0,
    };
    let handle = |out: &mut Box<dyn Output>, msg: Msg, flog: &mut FailureLog| match msg {
        Msg::Alert(r) => match out.emit(&r) {
            Ok(()) => {
                c.sent.fetch_add(1, Ordering::Relaxed);
                if !buffered && let Err(e) = out.flush() {
                    flog.record(name, &e);
                }
            }
            Err(e) => {
                c.failed.fetch_add(1, Ordering::Relaxed);
                flog.record(name, &e);
            }
        },
        Msg::Reopen => {
            if let Err(e) = out.reopen() {
                flog.record(name, &e);
            }
        }
    };
    while let Ok(msg) = rx.recv() {
        handle(&mut out, msg, &mut flog);
        // Under load, write what is queued before flushing once.
        while let Ok(more) = rx.try_recv() {
            handle(&mut out, more, &mut flog);
        }
        if let Err(e) = out.flush() {
            flog.record(name, &e);
        }
    }
    if let Err(e) = out.flush() {
        flog.record(name, &e);
    }
}

#[cfg(test)]
pub mod testutil;

#[cfg(test)]
mod tests {
    use super::testutil::{Memory, alert, assert_counts};
    use super::*;

    #[test]
    fn every_alert_reaches_every_output_in_order() {
        let (a, seen_a) = Memory::new("a", 0);
        let (b, seen_b) = Memory::new("b", 0);
        let outs = Outputs::from_outputs(
            vec![Box::new(a), Box::new(b)],
            false,
            Formatter::default(),
            4,
            Backpressure::Block(Duration::from_secs(5)),
        )
        .unwrap();
        for i in 0..100 {
            outs.send(&alert(&format!("rule{i}")));
        }
        let stats = outs.shutdown();
        assert_counts(&stats, "a", 100, 0, 0);
        assert_counts(&stats, "b", 100, 0, 0);
        let lines = seen_a.lock().unwrap();
        assert_eq!(lines.len(), 100);
        assert!(lines[0].contains("rule0") && lines[99].contains("rule99"));
        assert_eq!(*lines, *seen_b.lock().unwrap());
    }

    #[test]
    fn a_stuck_output_drops_and_counts_without_blocking_others() {
        let (slow, _) = Memory::new("slow", 200);
        let (fast, seen) = Memory::new("fast", 0);
        let outs = Outputs::from_outputs(
            vec![Box::new(slow), Box::new(fast)],
            true,
            Formatter::default(),
            8,
            Backpressure::Drop,
        )
        .unwrap();
        let t = Instant::now();
        for i in 0..20 {
            outs.send(&alert(&format!("r{i}")));
            std::thread::sleep(Duration::from_millis(1));
        }
        assert!(t.elapsed() < Duration::from_millis(150), "send blocked");
        let stats = outs.shutdown();
        let slow = stats.iter().find(|s| s.name == "slow").unwrap().counts;
        assert!(slow.dropped > 0);
        assert_eq!(slow.sent + slow.dropped + slow.failed, 20);
        // The fast output keeps up unless this machine starves its
        // thread; either way every alert is accounted for.
        let fast = stats.iter().find(|s| s.name == "fast").unwrap().counts;
        assert_eq!(fast.sent + fast.dropped, 20);
        assert!(fast.sent > slow.sent);
        assert_eq!(seen.lock().unwrap().len() as u64, fast.sent);
    }

    #[test]
    fn failures_are_counted() {
        let (mut m, _) = Memory::new("bad", 0);
        m.fail = true;
        let outs = Outputs::from_outputs(
            vec![Box::new(m)],
            false,
            Formatter::default(),
            8,
            Backpressure::Block(Duration::from_secs(5)),
        )
        .unwrap();
        outs.send(&alert("x"));
        outs.send(&alert("y"));
        assert_counts(&outs.shutdown(), "bad", 0, 0, 2);
    }

    #[test]
    fn blocking_send_gives_up_after_the_timeout() {
        let (slow, _) = Memory::new("slow", 300);
        let outs = Outputs::from_outputs(
            vec![Box::new(slow)],
            true,
            Formatter::default(),
            1,
            Backpressure::Block(Duration::from_millis(50)),
        )
        .unwrap();
        let t = Instant::now();
        for i in 0..4 {
            outs.send(&alert(&format!("r{i}")));
        }
        assert!(t.elapsed() < Duration::from_millis(600));
        let c = outs.shutdown()[0].counts;
        assert!(c.dropped >= 1, "{c:?}");
        assert_eq!(c.sent + c.dropped, 4);
    }
}
