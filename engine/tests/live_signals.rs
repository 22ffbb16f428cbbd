//! The live loop's signals and periodic stats, on the eBPF driver: SIGHUP
//! reloads the rules (a new rule that needs a syscall the old set lacked
//! fires afterwards, with the process state kept across the reload),
//! SIGUSR1 reopens output files, `-s` prints capture counters. Needs root.

mod live_util;

use live_util::{Live, TempDir, require_root, sh};
use serde_json::Value;

fn rule(name: &str, cond: &str) -> String {
    format!(
        "- rule: {name}\n  desc: test rule\n  condition: {cond}\n  output: \"{name} (file=%evt.arg.path proc=%proc.name parent=%proc.pname cmd=%proc.cmdline)\"\n  priority: WARNING\n"
    )
}

fn alerts_in(path: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

#[test]
fn sighup_reload_sigusr1_reopen_and_stats() {
    require_root();
    let tmp = TempDir::new("live-signals");
    let tag = std::process::id();
    let rules = tmp.path("rules.yaml");
    let out = tmp.path("alerts.json");
    let first = format!("falcon-sig-unlink-{tag}");
    let second = format!("falcon-sig-mkdir-{tag}");
    std::fs::write(
        &rules,
        rule(
            "Test Unlink",
            &format!("evt.type=unlink and evt.arg.path contains {first}"),
        ),
    )
    .unwrap();
    let mut live = Live::start(&[
        "--modern-bpf",
        "-r",
        rules.to_str().unwrap(),
        "-s",
        "200ms",
        "-o",
        "json_output=true",
        "-o",
        "syslog_output.enabled=false",
        "-o",
        "stdout_output.enabled=false",
        "-o",
        "file_output.enabled=true",
        "-o",
        "file_output.keep_alive=true",
        "-o",
        &format!("file_output.filename={}", out.display()),
    ]);

    // rule 1 fires
    let f1 = tmp.path(&first);
    std::fs::write(&f1, b"x").unwrap();
    sh("unlink", &[f1.to_str().unwrap()]);
    assert!(
        live.wait_stderr("falcon stats: events", 10),
        "no periodic stats line"
    );

    // SIGHUP with a second rule on mkdir, a syscall the first set lacked
    let mut both = std::fs::read_to_string(&rules).unwrap();
    both.push_str(&rule(
        "Test Mkdir",
        &format!("evt.type=mkdir and evt.arg.path contains {second}"),
    ));
    std::fs::write(&rules, both).unwrap();
    live.signal(libc::SIGHUP);
    assert!(live.wait_stderr("rules reloaded", 30), "no reload");

    // SIGUSR1 after moving the alerts file away: new alerts go to a new file
    std::thread::sleep(std::time::Duration::from_millis(300));
    let moved = tmp.path("alerts.1.json");
    std::fs::rename(&out, &moved).unwrap();
    live.signal(libc::SIGUSR1);
    assert!(live.wait_stderr("reopening outputs", 10), "no reopen");
    std::thread::sleep(std::time::Duration::from_millis(200));

    let d = tmp.path(&second);
    sh("mkdir", &[d.to_str().unwrap()]);
    let (status, _, err) = live.stop();
    assert!(status.success(), "falcon failed ({status}):\n{err}");

    let old = alerts_in(&moved);
    assert!(
        old.iter()
            .any(|a| a["rule"] == "Test Unlink" && a["output"].as_str().unwrap().contains(&first)),
        "no unlink alert before the reload: {old:?}\n{err}"
    );
    let new = alerts_in(&out);
    let mk = new
        .iter()
        .find(|a| a["rule"] == "Test Mkdir")
        .unwrap_or_else(|| {
            panic!("no mkdir alert after the reload in the reopened file: {new:?}\n{err}")
        });
    let o = mk["output"].as_str().unwrap();
    assert!(o.contains(&second), "{o}");
    // the parent is this test, known from the startup scan: state survived
    assert!(
        o.contains("parent=live_signals"),
        "state lost across the reload: {o}"
    );
    assert!(
        !old.iter().any(|a| a["rule"] == "Test Mkdir"),
        "mkdir alert in the old file"
    );
}
