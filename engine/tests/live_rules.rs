//! Every rule of rules/falcon_rules.yaml, live on the eBPF driver: real
//! programs perform each action while falcon runs, and the alert must come
//! with its rule name, priority and key output fields; a benign twin of
//! each action must raise nothing. The same run writes a capture with `-w`
//! that must replay (`-e`) to the same alerts. Needs root.
//!
//! Each action carries a unique marker (in its command line or a path), so
//! alerts caused by other activity on the host are told apart.

mod live_util;

use live_util::{Case, FALCON, Live, TempDir, alerts, check, mentions, repo, require_root, sh};
use serde_json::Value;
use std::net::TcpListener;
use std::process::Command;

const PY: &str = "/usr/bin/python3";

/// Performs every action and its twin; returns the cases to check.
fn act(tmp: &TempDir, tag: &str) -> (Vec<Case>, Vec<std::process::Child>) {
    let m = |what: &str| format!("falcon-{what}-{tag}");
    let mut cases = Vec::new();
    let mut started = Vec::new();

    // sensitive file read by an untrusted program / a benign read
    let (hit, twin) = (m("shadow"), m("hostname"));
    sh("cat", &["/etc/shadow", &format!("/nonexistent/{hit}")]);
    sh("cat", &["/etc/hostname", &format!("/nonexistent/{twin}")]);
    cases.push(Case {
        rule: "Falcon Sensitive File Read By Untrusted Program",
        priority: "Warning",
        fields: vec![
            ("fd.name", "/etc/shadow".into()),
            ("proc.name", "cat".into()),
            ("proc.exepath", "/usr/bin/cat".into()),
        ],
        hit,
        twin,
    });

    // shell on a terminal (script gives it a pty) / the same shell without
    let (hit, twin) = (m("ttyshell"), m("notty"));
    sh(
        "script",
        &["-qc", &format!("bash -c 'true {hit}'"), "/dev/null"],
    );
    sh("bash", &["-c", &format!("true {twin}")]);
    cases.push(Case {
        rule: "Falcon Shell Spawned With Terminal",
        priority: "Notice",
        fields: vec![("proc.name", "bash".into())],
        hit,
        twin,
    });

    // write below a binary directory / below /tmp
    let (hit, twin) = (m("usrbin"), m("tmpfile"));
    let bin = format!("/usr/bin/{hit}");
    sh("touch", &[&bin]);
    let _ = std::fs::remove_file(&bin);
    sh("touch", &[tmp.path(&twin).to_str().unwrap()]);
    cases.push(Case {
        rule: "Falcon Write Below Binary Dir",
        priority: "Error",
        fields: vec![("fd.name", bin.clone()), ("proc.name", "touch".into())],
        hit,
        twin,
    });

    // write below /etc / below /tmp
    let (hit, twin) = (m("etcfile"), m("tmpetc"));
    let etc = format!("/etc/{hit}");
    sh("touch", &[&etc]);
    let _ = std::fs::remove_file(&etc);
    sh("touch", &[tmp.path(&twin).to_str().unwrap()]);
    cases.push(Case {
        rule: "Falcon Write Below Etc",
        priority: "Error",
        fields: vec![("fd.name", etc.clone()), ("proc.name", "touch".into())],
        hit,
        twin,
    });

    // execution from /dev/shm / the same binary from /tmp
    let (hit, twin) = (m("shmexe"), m("tmpexe"));
    let shm = format!("/dev/shm/{hit}");
    std::fs::copy("/usr/bin/true", &shm).unwrap();
    sh(&shm, &[]);
    let _ = std::fs::remove_file(&shm);
    let tmp_exe = tmp.path(&twin);
    std::fs::copy("/usr/bin/true", &tmp_exe).unwrap();
    sh(tmp_exe.to_str().unwrap(), &[]);
    cases.push(Case {
        rule: "Falcon Execution From Dev Shm",
        priority: "Warning",
        fields: vec![("proc.exepath", shm.clone())],
        hit,
        twin,
    });

    // fileless execution through memfd_create / a plain exec
    let (hit, twin) = (m("memfd"), m("plainexec"));
    let memfd = "import os,sys; fd=os.memfd_create('x'); os.write(fd, open('/usr/bin/true','rb').read()); os.execv('/proc/self/fd/%d' % fd, [sys.argv[1], sys.argv[1]])";
    sh(PY, &["-c", memfd, &hit]);
    sh(
        PY,
        &[
            "-c",
            "import os,sys; os.execv('/usr/bin/true', [sys.argv[1], sys.argv[1]])",
            &twin,
        ],
    );
    cases.push(Case {
        rule: "Falcon Fileless Execution Via Memfd",
        priority: "Critical",
        fields: vec![("proc.exepath", "/memfd:x".into())],
        hit,
        twin,
    });

    // raw socket / a TCP socket
    let (hit, twin) = (m("rawsock"), m("tcpsock"));
    sh(
        PY,
        &[
            "-c",
            "import socket; socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)",
            &hit,
        ],
    );
    sh(
        PY,
        &[
            "-c",
            "import socket; socket.socket(socket.AF_INET, socket.SOCK_STREAM)",
            &twin,
        ],
    );
    cases.push(Case {
        rule: "Falcon Raw Socket Opened",
        priority: "Warning",
        fields: vec![("proc.name", "python3".into())],
        hit,
        twin,
    });

    // outbound connection from a shell / from python (a network program)
    let (hit, twin) = (m("bashconn"), m("pyconn"));
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    sh(
        "bash",
        &["-c", &format!("exec 3<>/dev/tcp/127.0.0.1/{port}; : {hit}")],
    );
    sh(
        PY,
        &[
            "-c",
            &format!("import socket; socket.create_connection(('127.0.0.1', {port}))"),
            &twin,
        ],
    );
    drop(listener);
    cases.push(Case {
        rule: "Falcon Unexpected Outbound Connection From System Binary",
        priority: "Warning",
        fields: vec![
            ("proc.name", "bash".into()),
            ("fd.sip", "127.0.0.1".into()),
            ("fd.sport", port.to_string()),
        ],
        hit,
        twin,
    });

    // ptrace attach to a sleep we started / PEEKDATA without attaching
    let (hit, twin) = (m("ptattach"), m("ptpeek"));
    let target = Command::new("sleep").arg("30").spawn().unwrap();
    let tpid = target.id();
    let attach = format!(
        "import ctypes,sys,time; l=ctypes.CDLL(None); l.ptrace(16, {tpid}, 0, 0); time.sleep(0.05); l.ptrace(17, {tpid}, 0, 0)"
    );
    sh(PY, &["-c", &attach, &hit]);
    let peek = format!("import ctypes,sys; ctypes.CDLL(None).ptrace(2, {tpid}, 0, 0)");
    sh(PY, &["-c", &peek, &twin]);
    started.push(target);
    cases.push(Case {
        rule: "Falcon Ptrace Attach",
        priority: "Warning",
        fields: vec![("evt.arg[request]", "PTRACE_ATTACH".into())],
        hit,
        twin,
    });

    // kernel module load (refused: this kernel has no module support) /
    // reading the same file
    let (hit, twin) = (m("finit"), m("readko"));
    let ko = tmp.path("falcon-test.ko");
    std::fs::write(&ko, b"\x7fELF not a module").unwrap();
    let finit = format!(
        "import ctypes,os; fd=os.open('{}', os.O_RDONLY); ctypes.CDLL(None).syscall(313, fd, b'', 0)",
        ko.display()
    );
    sh(PY, &["-c", &finit, &hit]);
    sh(
        PY,
        &[
            "-c",
            &format!("open('{}','rb').read()", ko.display()),
            &twin,
        ],
    );
    cases.push(Case {
        rule: "Falcon Kernel Module Load Attempt",
        priority: "Warning",
        fields: vec![("proc.name", "python3".into())],
        hit,
        twin,
    });

    // a log file truncated / appended to
    let (hit, twin) = (m("logtrunc"), m("logappend"));
    let (lt, la) = (
        format!("/var/log/{hit}.log"),
        format!("/var/log/{twin}.log"),
    );
    for p in [&lt, &la] {
        // created without O_TRUNC, so that only the action truncates
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(p)
            .unwrap();
        f.write_all(b"evidence\n").unwrap();
    }
    sh("sh", &["-c", &format!(": > {lt}")]);
    sh("sh", &["-c", &format!("echo more >> {la}")]);
    let _ = std::fs::remove_file(&lt);
    let _ = std::fs::remove_file(&la);
    cases.push(Case {
        rule: "Falcon Log Files Cleared",
        priority: "Warning",
        fields: vec![("fd.name", lt.clone())],
        hit,
        twin,
    });

    // symlink over a sensitive file / over a harmless one
    let (hit, twin) = (m("shadowlink"), m("hostlink"));
    let (l1, l2) = (tmp.path(&hit), tmp.path(&twin));
    sh("ln", &["-s", "/etc/shadow", l1.to_str().unwrap()]);
    sh("ln", &["-s", "/etc/hostname", l2.to_str().unwrap()]);
    cases.push(Case {
        rule: "Falcon Symlink Over Sensitive File",
        priority: "Warning",
        fields: vec![
            ("evt.arg[target]", "/etc/shadow".into()),
            ("proc.name", "ln".into()),
        ],
        hit,
        twin,
    });

    (cases, started)
}

#[test]
fn falcon_rules_fire_live_and_replay() {
    require_root();
    let tmp = TempDir::new("live-rules");
    let rules = repo().join("rules/falcon_rules.yaml");
    let cap = tmp.path("rules.scap");
    let common = [
        "-r",
        rules.to_str().unwrap(),
        "-o",
        "json_output=true",
        "-o",
        "syslog_output.enabled=false",
        "-o",
        "stdout_output.enabled=true",
    ];
    let mut args = vec!["--modern-bpf", "-w", cap.to_str().unwrap()];
    args.extend_from_slice(&common);
    let live = Live::start(&args);
    let tag = std::process::id().to_string();
    let (cases, mut started) = act(&tmp, &tag);
    let (status, out, err) = live.stop();
    for mut c in started.drain(..) {
        let _ = c.kill();
        let _ = c.wait();
    }
    assert!(status.success(), "falcon failed ({status}):\n{err}");
    assert!(out.contains("Events detected:"), "no summary:\n{out}");
    assert!(err.contains(" 0 dropped"), "events were dropped:\n{err}");
    let live_alerts = alerts(&out);
    let mut errors = check(&cases, &live_alerts, "live");

    // the capture replays to the same alerts for our markers
    let mut rargs = vec!["-e", cap.to_str().unwrap()];
    rargs.extend_from_slice(&common);
    let replay = Command::new(FALCON).args(&rargs).output().unwrap();
    assert!(
        replay.status.success(),
        "replay failed:\n{}",
        String::from_utf8_lossy(&replay.stderr)
    );
    let replay_alerts = alerts(&String::from_utf8_lossy(&replay.stdout));
    errors.extend(check(&cases, &replay_alerts, "replay"));
    let ours = |v: &[Value]| -> Vec<(String, String)> {
        let mut r: Vec<(String, String)> = v
            .iter()
            .filter(|a| cases.iter().any(|c| mentions(a, &c.hit)))
            .map(|a| (a["rule"].to_string(), a["output"].to_string()))
            .collect();
        r.sort();
        r
    };
    if ours(&live_alerts) != ours(&replay_alerts) {
        errors.push(format!(
            "replayed alerts differ:\nlive:   {:?}\nreplay: {:?}",
            ours(&live_alerts),
            ours(&replay_alerts)
        ));
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}
