//! Live capture with the eBPF probe, checked through `--dump-events`: real
//! programs run while falcon captures, and their events must come out with
//! the right parameters and state (process names, fd names, tuples). The
//! same run writes a capture with `-w`, which must replay to the same lines.
//! Needs root.

mod live_util;

use live_util::{FALCON, Live, TempDir, require_root, run};
use std::net::TcpListener;
use std::process::Command;

const FMT: &str = "%evt.type|%evt.dir|%proc.name|%proc.pid|%thread.tid|%proc.pname|%fd.name|%proc.args|%evt.res|%proc.exepath";

struct Line<'a> {
    ty: &'a str,
    dir: &'a str,
    name: &'a str,
    pid: &'a str,
    pname: &'a str,
    fd: &'a str,
    args: &'a str,
    res: &'a str,
    exepath: &'a str,
}

fn parse(l: &str) -> Option<Line<'_>> {
    let f: Vec<&str> = l.split('|').collect();
    (f.len() == 10).then(|| Line {
        ty: f[0],
        dir: f[1],
        name: f[2],
        pid: f[3],
        pname: f[5],
        fd: f[6],
        args: f[7],
        res: f[8],
        exepath: f[9],
    })
}

fn lines_of(out: &str, pid: u32) -> Vec<&str> {
    let p = pid.to_string();
    out.lines()
        .filter(|l| parse(l).is_some_and(|x| x.pid == p))
        .collect()
}

#[test]
fn live_events_and_capture_replay() {
    require_root();
    let tmp = TempDir::new("live-dump");
    let cap = tmp.path("live.scap");
    let live = Live::start(&[
        "--modern-bpf",
        "--dump-events",
        FMT,
        "-w",
        cap.to_str().unwrap(),
    ]);

    let (cat_pid, st) = run("cat", &["/etc/shadow"]);
    assert!(st.success());
    let marker = format!("falcon-live-marker-{}", std::process::id());
    let (echo_pid, _) = run("/bin/echo", &[&marker]);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let script = format!("exec 3<>/dev/tcp/127.0.0.1/{port}");
    let (bash_pid, st) = run("bash", &["-c", &script]);
    assert!(st.success());
    let (sh_pid, _) = run("sh", &["-c", "/bin/true; exit 3"]);

    let (status, out, err) = live.stop();
    assert!(status.success(), "falcon failed: {status}\n{err}");
    assert!(err.contains("Capture: "), "no capture summary:\n{err}");
    assert!(err.contains(" 0 dropped"), "events were dropped:\n{err}");

    // cat: execve with its exe path, then open of /etc/shadow resolving the fd
    let cat = lines_of(&out, cat_pid);
    assert!(
        cat.iter().filter_map(|l| parse(l)).any(|l| l.ty == "execve"
            && l.dir == "<"
            && l.name == "cat"
            && l.exepath == "/usr/bin/cat"
            && l.args == "/etc/shadow"
            && l.res == "SUCCESS"),
        "no execve of cat:\n{}",
        cat.join("\n")
    );
    assert!(
        cat.iter()
            .filter_map(|l| parse(l))
            .any(|l| l.ty == "openat" && l.dir == "<" && l.fd == "/etc/shadow" && l.name == "cat"),
        "no openat exit of /etc/shadow:\n{}",
        cat.join("\n")
    );
    // the time-of-check enter event comes first
    let enter = cat
        .iter()
        .position(|l| l.starts_with("openat|>|") && l.contains("|cat|"));
    let exit = cat
        .iter()
        .position(|l| l.starts_with("openat|<|") && l.contains("/etc/shadow"));
    assert!(
        enter.is_some() && exit.is_some() && enter < exit,
        "{}",
        cat.join("\n")
    );
    assert!(
        cat.iter()
            .any(|l| l.starts_with("read|<|cat|") && l.contains("/etc/shadow")),
        "no read from /etc/shadow"
    );
    assert!(
        cat.iter().any(|l| l.starts_with("procexit|")),
        "no procexit for cat"
    );

    // echo: args carried by the execve event, parent is this test
    let echo = lines_of(&out, echo_pid);
    assert!(
        echo.iter()
            .filter_map(|l| parse(l))
            .any(|l| l.ty == "execve" && l.args == marker && l.pname.starts_with("live_dump")),
        "no execve of echo with the marker:\n{}",
        echo.join("\n")
    );

    // bash: connect to our listener, tuple resolved into fd.name
    let bash = lines_of(&out, bash_pid);
    let tuple_end = format!("->127.0.0.1:{port}");
    assert!(
        bash.iter()
            .filter_map(|l| parse(l))
            .any(|l| l.ty == "connect"
                && l.dir == "<"
                && l.fd.starts_with("127.0.0.1:")
                && l.fd.ends_with(&tuple_end)),
        "no connect to 127.0.0.1:{port}:\n{}",
        bash.join("\n")
    );
    drop(listener);

    // sh: forks a child for /bin/true, both sides of the clone are seen
    let sh = lines_of(&out, sh_pid);
    assert!(
        sh.iter().any(|l| l.starts_with("clone|<|sh|")
            || l.starts_with("clone3|<|sh|")
            || l.starts_with("vfork|<|sh|")
            || l.starts_with("fork|<|sh|")),
        "no clone by sh:\n{}",
        sh.join("\n")
    );
    assert!(
        out.lines()
            .filter_map(parse)
            .any(|l| l.ty == "execve" && l.name == "true" && l.pname == "sh"),
        "no execve of /bin/true under sh"
    );

    // the capture replays to the same lines for these processes
    let replay = Command::new(FALCON)
        .args(["-e", cap.to_str().unwrap(), "--dump-events", FMT])
        .output()
        .unwrap();
    assert!(
        replay.status.success(),
        "replay failed: {}",
        String::from_utf8_lossy(&replay.stderr)
    );
    let rout = String::from_utf8_lossy(&replay.stdout);
    for pid in [cat_pid, echo_pid, bash_pid, sh_pid] {
        assert_eq!(
            lines_of(&rout, pid),
            lines_of(&out, pid),
            "replayed events of pid {pid} differ from the live ones"
        );
    }
}
