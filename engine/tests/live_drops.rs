//! Real drops on the eBPF driver are counted and raise Falco's
//! `syscall event drop` alert: falcon is stopped (SIGSTOP) with small rings
//! while a burst of syscalls overflows them, then resumed. Needs root.

mod live_util;

use live_util::{Live, alerts, require_root, sh};

#[test]
fn ring_overflow_is_counted_and_alerted() {
    require_root();
    let live = Live::start(&[
        "--modern-bpf",
        "-r",
        live_util::repo()
            .join("rules/falcon_rules.yaml")
            .to_str()
            .unwrap(),
        "-o",
        "engine.modern_ebpf.buf_size_preset=1",
        "-o",
        "base_syscalls.all=true",
        "-o",
        "syscall_event_drops.threshold=0",
        "-o",
        "json_output=true",
        "-o",
        "syslog_output.enabled=false",
    ]);
    live.signal(libc::SIGSTOP);
    // ~400k read/write events: far more than two 1 MiB rings hold
    sh(
        "dd",
        &["if=/dev/zero", "of=/dev/null", "bs=1", "count=200000"],
    );
    live.signal(libc::SIGCONT);
    // the drop monitor looks once per second of event time
    for _ in 0..15 {
        std::thread::sleep(std::time::Duration::from_millis(200));
        sh("true", &[]);
    }
    let (status, out, err) = live.stop();
    assert!(status.success(), "falcon failed ({status}):\n{err}");
    let summary = err
        .lines()
        .find(|l| l.starts_with("Capture: "))
        .unwrap_or_else(|| panic!("no capture summary:\n{err}"));
    let dropped: u64 = summary
        .split(", ")
        .find(|p| p.contains(" dropped"))
        .and_then(|p| p.split(" dropped").next())
        .and_then(|p| p.trim().parse().ok())
        .unwrap_or(0);
    assert!(dropped > 0, "no drops counted: {summary}");
    assert!(
        summary.contains("buffer "),
        "drop causes missing: {summary}"
    );
    let a = alerts(&out);
    let drop_alert = a
        .iter()
        .find(|a| a["rule"] == "Falco internal: syscall event drop")
        .unwrap_or_else(|| panic!("no drop alert in:\n{out}"));
    assert_eq!(drop_alert["priority"], "Critical");
    let n: u64 = drop_alert["output_fields"]["n_drops_buffer_total"]
        .as_str()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    assert!(n > 0, "drop alert without buffer drops: {drop_alert}");
    assert!(out.contains("Events detected:"), "no summary:\n{out}");
}
