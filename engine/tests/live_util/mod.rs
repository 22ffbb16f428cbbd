//! Running the `falcon` binary live for the live tests (root, eBPF).
//!
//! A [`Live`] is one falcon process capturing live; it is started, waited
//! for until its capture is up, stopped with SIGINT, and its output
//! collected. Only the processes a test starts are ever signalled.

#![allow(dead_code)]

use serde_json::Value;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub const FALCON: &str = env!("CARGO_BIN_EXE_falcon");

/// The repository root (tests read the corpora and rules from it).
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

pub fn require_root() {
    // SAFETY: geteuid has no preconditions.
    assert_eq!(
        unsafe { libc::geteuid() },
        0,
        "live tests load the eBPF probe and need root (CI runs as root)"
    );
}

/// A scratch directory removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("falcon-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// One falcon process capturing live.
pub struct Live {
    child: Child,
    stderr_rx: mpsc::Receiver<String>,
    stderr: Vec<String>,
    stdout: Option<std::thread::JoinHandle<String>>,
}

impl Live {
    /// Starts `falcon ARGS` and waits until it reports the capture is up.
    pub fn start(args: &[&str]) -> Live {
        let mut child = Command::new(FALCON)
            .args(args)
            .args(["-o", "log_level=info", "-o", "log_stderr=true"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start falcon");
        let mut out = child.stdout.take().unwrap();
        let stdout = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = out.read_to_string(&mut s);
            s
        });
        let err = child.stderr.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut live = Live {
            child,
            stderr_rx: rx,
            stderr: Vec::new(),
            stdout: Some(stdout),
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            match live.stderr_rx.recv_timeout(Duration::from_millis(200)) {
                Ok(l) => {
                    let up = l.contains("Live capture started");
                    live.stderr.push(l);
                    if up {
                        break;
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    panic!(
                        "falcon exited before capturing:\n{}",
                        live.stderr.join("\n")
                    )
                }
            }
            if let Ok(Some(st)) = live.child.try_wait() {
                panic!(
                    "falcon exited ({st}) before capturing:\n{}",
                    live.stderr.join("\n")
                );
            }
            assert!(
                Instant::now() < deadline,
                "falcon did not start capturing within 60 s:\n{}",
                live.stderr.join("\n")
            );
        }
        live
    }

    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    pub fn signal(&self, sig: i32) {
        // SAFETY: signals only the falcon child this test started.
        unsafe { libc::kill(self.pid(), sig) };
    }

    /// SIGINT, then waits; returns (exit status, stdout, stderr).
    pub fn stop(mut self) -> (std::process::ExitStatus, String, String) {
        // let the last events reach the rings and the reorder window pass
        std::thread::sleep(Duration::from_millis(300));
        self.signal(libc::SIGINT);
        let deadline = Instant::now() + Duration::from_secs(30);
        let st = loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                break st;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                break self.child.wait().unwrap();
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let out = self.stdout.take().unwrap().join().unwrap();
        while let Ok(l) = self.stderr_rx.recv_timeout(Duration::from_millis(500)) {
            self.stderr.push(l);
        }
        (st, out, self.stderr.join("\n"))
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Runs a program to completion; returns its pid and exit status.
pub fn run(prog: &str, args: &[&str]) -> (u32, std::process::ExitStatus) {
    let mut c = Command::new(prog)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {prog}: {e}"));
    let pid = c.id();
    (pid, c.wait().unwrap())
}

/// Runs `prog args`, output discarded; the exit status is not checked
/// (several actions fail on purpose after doing what the rule looks for).
pub fn sh(prog: &str, args: &[&str]) {
    let st = Command::new(prog)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap_or_else(|e| panic!("cannot run {prog}: {e}"));
    let _ = st;
}

pub struct Case {
    pub rule: &'static str,
    pub priority: &'static str,
    /// marker of the action: appears in the alert
    pub hit: String,
    /// marker of the benign twin: must appear in no alert
    pub twin: String,
    /// output fields that must have these values in the alert
    pub fields: Vec<(&'static str, String)>,
}

pub fn alerts(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON alert {l}: {e}")))
        .collect()
}

pub fn mentions(a: &Value, marker: &str) -> bool {
    a["output"].as_str().is_some_and(|o| o.contains(marker))
}

/// Checks every case against the alerts found; returns what is wrong.
pub fn check(cases: &[Case], found: &[Value], what: &str) -> Vec<String> {
    let mut errors = Vec::new();
    for c in cases {
        let hits: Vec<&Value> = found.iter().filter(|a| mentions(a, &c.hit)).collect();
        let right: Vec<&&Value> = hits.iter().filter(|a| a["rule"] == c.rule).collect();
        match right.first() {
            None => errors.push(format!(
                "{what}: no '{}' alert for marker {} (alerts with it: {:?})",
                c.rule,
                c.hit,
                hits.iter().map(|a| a["rule"].clone()).collect::<Vec<_>>()
            )),
            Some(a) => {
                if a["priority"] != c.priority {
                    errors.push(format!(
                        "{what}: '{}' has priority {} (want {})",
                        c.rule, a["priority"], c.priority
                    ));
                }
                for (k, v) in &c.fields {
                    let got = &a["output_fields"][*k];
                    let got = got
                        .as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| got.to_string());
                    if &got != v {
                        errors.push(format!("{what}: '{}' field {k} = {got} (want {v})", c.rule));
                    }
                }
            }
        }
        for a in found.iter().filter(|a| mentions(a, &c.twin)) {
            errors.push(format!(
                "{what}: benign twin {} of '{}' raised '{}': {}",
                c.twin, c.rule, a["rule"], a["output"]
            ));
        }
    }
    errors
}

impl Live {
    /// Waits until falcon's stderr has a line containing `what`.
    pub fn wait_stderr(&mut self, what: &str, secs: u64) -> bool {
        if self.stderr.iter().any(|l| l.contains(what)) {
            return true;
        }
        let deadline = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < deadline {
            if let Ok(l) = self.stderr_rx.recv_timeout(Duration::from_millis(100)) {
                let hit = l.contains(what);
                self.stderr.push(l);
                if hit {
                    return true;
                }
            }
        }
        false
    }
}
