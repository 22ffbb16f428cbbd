//! Upstream Falco rules (../shared/corpora/upstream-rules/falco_rules.yaml,
//! unmodified) that can fire outside containers, live on the eBPF driver:
//! each action alerts with the upstream rule's name and priority, its benign
//! twin does not. Needs root.

mod live_util;

use live_util::{Case, Live, TempDir, alerts, check, repo, require_root, sh};
use std::process::Command;

const PY: &str = "/usr/bin/python3";

fn act(tmp: &TempDir, tag: &str) -> (Vec<Case>, Vec<std::process::Child>) {
    let m = |what: &str| format!("falcon-up-{what}-{tag}");
    let mut cases = Vec::new();
    let mut started = Vec::new();

    let (hit, twin) = (m("shadow"), m("hostname"));
    sh("cat", &["/etc/shadow", &format!("/nonexistent/{hit}")]);
    sh("cat", &["/etc/hostname", &format!("/nonexistent/{twin}")]);
    cases.push(Case {
        rule: "Read sensitive file untrusted",
        priority: "Warning",
        fields: vec![
            ("fd.name", "/etc/shadow".into()),
            ("proc.name", "cat".into()),
        ],
        hit,
        twin,
    });

    let (hit, twin) = (m("traversal"), m("notraversal"));
    let t = tmp.path("t");
    std::fs::write(&t, b"x").unwrap();
    sh(
        "cat",
        &["/etc/../../etc/hostname", &format!("/nonexistent/{hit}")],
    );
    sh(
        "cat",
        &[t.to_str().unwrap(), &format!("/nonexistent/{twin}")],
    );
    cases.push(Case {
        rule: "Directory traversal monitored file read",
        priority: "Warning",
        fields: vec![("fd.name", "/etc/hostname".into())],
        hit,
        twin,
    });

    let (hit, twin) = (m("shadowlink"), m("hostlink"));
    sh(
        "ln",
        &["-s", "/etc/shadow", tmp.path(&hit).to_str().unwrap()],
    );
    sh(
        "ln",
        &["-s", "/etc/hostname", tmp.path(&twin).to_str().unwrap()],
    );
    cases.push(Case {
        rule: "Create Symlink Over Sensitive Files",
        priority: "Warning",
        fields: vec![("evt.arg[target]", "/etc/shadow".into())],
        hit,
        twin,
    });

    let target = Command::new("sleep").arg("30").spawn().unwrap();
    let tpid = target.id();
    started.push(target);
    let (hit, twin) = (m("ptattach"), m("ptpeek"));
    let attach = format!(
        "import ctypes,time; l=ctypes.CDLL(None); l.ptrace(16, {tpid}, 0, 0); time.sleep(0.05); l.ptrace(17, {tpid}, 0, 0)"
    );
    sh(PY, &["-c", &attach, &hit]);
    sh(
        PY,
        &[
            "-c",
            &format!("import ctypes; ctypes.CDLL(None).ptrace(2, {tpid}, 0, 0)"),
            &twin,
        ],
    );
    cases.push(Case {
        rule: "PTRACE attached to process",
        priority: "Warning",
        fields: vec![("proc.name", "python3".into())],
        hit,
        twin,
    });

    let (hit, twin) = (m("traceme"), m("notraceme"));
    sh(
        PY,
        &[
            "-c",
            "import ctypes; ctypes.CDLL(None).ptrace(0, 0, 0, 0)",
            &hit,
        ],
    );
    sh(PY, &["-c", "import os; os.getpid()", &twin]);
    cases.push(Case {
        rule: "PTRACE anti-debug attempt",
        priority: "Notice",
        fields: vec![("proc.name", "python3".into())],
        hit,
        twin,
    });

    let (hit, twin) = (m("shmexe"), m("tmpexe"));
    let shm = format!("/dev/shm/{hit}");
    std::fs::copy("/usr/bin/true", &shm).unwrap();
    sh(&shm, &[]);
    let _ = std::fs::remove_file(&shm);
    let tmp_exe = tmp.path(&twin);
    std::fs::copy("/usr/bin/true", &tmp_exe).unwrap();
    sh(tmp_exe.to_str().unwrap(), &[]);
    cases.push(Case {
        rule: "Execution from /dev/shm",
        priority: "Warning",
        fields: vec![("proc.exepath", shm.clone())],
        hit,
        twin,
    });

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
        rule: "Fileless execution via memfd_create",
        priority: "Critical",
        fields: vec![],
        hit,
        twin,
    });

    let (hit, twin) = (m("logtrunc"), m("logappend"));
    let (lt, la) = (
        format!("/var/log/{hit}.log"),
        format!("/var/log/{twin}.log"),
    );
    for p in [&lt, &la] {
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
        rule: "Clear Log Activities",
        priority: "Warning",
        fields: vec![("fd.name", lt.clone())],
        hit,
        twin,
    });

    let (hit, twin) = (m("awsgrep"), m("plaingrep"));
    sh(
        "grep",
        &["-r", "aws_access_key_id", &format!("/nonexistent/{hit}")],
    );
    sh("grep", &["-r", "hello", &format!("/nonexistent/{twin}")]);
    cases.push(Case {
        rule: "Find AWS Credentials",
        priority: "Warning",
        fields: vec![("proc.name", "grep".into())],
        hit,
        twin,
    });

    let (hit, twin) = (m("keygrep"), m("wordgrep"));
    sh("grep", &["BEGIN PRIVATE", &format!("/nonexistent/{hit}")]);
    sh("grep", &["BEGIN", &format!("/nonexistent/{twin}")]);
    cases.push(Case {
        rule: "Search Private Keys or Passwords",
        priority: "Warning",
        fields: vec![("proc.name", "grep".into())],
        hit,
        twin,
    });

    let (hit, twin) = (m("shred"), m("rm"));
    let (f1, f2) = (tmp.path(&hit), tmp.path(&twin));
    std::fs::write(&f1, b"data").unwrap();
    std::fs::write(&f2, b"data").unwrap();
    sh("shred", &["-u", f1.to_str().unwrap()]);
    sh("rm", &["-f", f2.to_str().unwrap()]);
    cases.push(Case {
        rule: "Remove Bulk Data from Disk",
        priority: "Warning",
        fields: vec![("proc.name", "shred".into())],
        hit,
        twin,
    });

    (cases, started)
}

#[test]
fn upstream_rules_fire_live() {
    require_root();
    let rules = repo().join("../shared/corpora/upstream-rules/falco_rules.yaml");
    assert!(rules.exists(), "missing {}", rules.display());
    let tmp = TempDir::new("live-upstream");
    let live = Live::start(&[
        "--modern-bpf",
        "-r",
        rules.to_str().unwrap(),
        "-o",
        "json_output=true",
        "-o",
        "syslog_output.enabled=false",
        "-o",
        "stdout_output.enabled=true",
    ]);
    let tag = std::process::id().to_string();
    let (cases, started) = act(&tmp, &tag);
    let (status, out, err) = live.stop();
    for mut c in started {
        let _ = c.kill();
        let _ = c.wait();
    }
    assert!(status.success(), "falcon failed ({status}):\n{err}");
    assert!(err.contains(" 0 dropped"), "events were dropped:\n{err}");
    let errors = check(&cases, &alerts(&out), "upstream");
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}
