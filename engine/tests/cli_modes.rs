//! The `falcon` binary's modes end to end: -V, -L, --version, flag errors,
//! replay with each output, and a dead webhook that must not stop
//! detection.

mod common;

use falcon_driver::scap::{CaptureReader, CaptureWriter, Record, WriteOptions};
use falcon_engine::app::dump::STATE_ONLY;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn legacy(p: &str) -> String {
    common::corpus("falco-legacy").join(p).display().to_string()
}

fn upstream_rules() -> String {
    common::corpus("upstream-rules/falco_rules.yaml")
        .display()
        .to_string()
}

fn falcon(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_falcon"))
        .args([
            "-c",
            "/dev/null",
            "-o",
            "syslog_output.enabled=false",
            "-o",
            "log_syslog=false",
        ])
        .args(args)
        .env("FALCO_HOSTNAME", "test-host")
        .output()
        .expect("run falcon")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("falcon-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn validate_upstream_stable_rules() {
    let o = falcon(&["-V", &upstream_rules()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).trim_end().ends_with(": Ok"), "{}", stdout(&o));
    let o = falcon(&["-o", "json_output=true", "-V", &upstream_rules()]);
    let v: Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    let r = &v["falco_load_results"][0];
    assert_eq!(r["successful"], true);
    assert_eq!(r["errors"].as_array().unwrap().len(), 0);
}

#[test]
fn list_upstream_stable_rules() {
    let o = falcon(&["-r", &upstream_rules(), "-L"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.starts_with("Rule "));
    for name in [
        "Terminal shell in container",
        "Read sensitive file untrusted",
    ] {
        assert!(text.lines().any(|l| l.starts_with(name)), "{name} missing");
    }
    let o = falcon(&["-o", "json_output=true", "-r", &upstream_rules(), "-L"]);
    let v: Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    let rules = v["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 25);
    assert_eq!(v["required_engine_version"], "0.57.0");
    assert!(
        rules
            .iter()
            .all(|r| !r["info"]["description"].as_str().unwrap().is_empty())
    );
    // Text -L lists the same 25 names.
    let names = text
        .lines()
        .skip(2)
        .filter(|l| !l.is_empty() && !l.starts_with(' '))
        .count();
    assert_eq!(names, 25);
}

#[test]
fn describe_one_rule() {
    let o = falcon(&[
        "-o",
        "json_output=true",
        "-r",
        &upstream_rules(),
        "-l",
        "Read sensitive file untrusted",
    ]);
    let v: Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(v["rules"].as_array().unwrap().len(), 1);
    assert_eq!(v["rules"][0]["info"]["priority"], "Warning");
}

#[test]
fn invalid_rules_exit_1() {
    let o = falcon(&["-V", &legacy("rules/invalid_not_yaml.yaml")]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains(": Invalid"));
    assert!(stdout(&o).contains("LOAD_ERR_YAML_VALIDATE"));
}

#[test]
fn version_works_with_an_unreadable_config() {
    let o = Command::new(env!("CARGO_BIN_EXE_falcon"))
        .args(["-c", "/nonexistent/falcon.yaml", "--version"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).starts_with("Falcon version: "));
    let o = Command::new(env!("CARGO_BIN_EXE_falcon"))
        .args(["-c", "/nonexistent/falcon.yaml", "-L"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("Error reading config file (/nonexistent/falcon.yaml)"));
}

#[test]
fn flag_errors_like_falco() {
    let o = falcon(&["--no-such-flag"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stderr(&o).trim(),
        "Runtime error: Could not parse options: Option \u{2018}no-such-flag\u{2019} does not exist. Exiting."
    );
    let o = falcon(&["-t", "a", "-D", "x"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains(
        "Runtime error: You can not specify both disabled (-D/-T) and enabled (-t) rules. Exiting."
    ));
}

#[test]
fn help_lists_every_flag() {
    let o = falcon(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    let h = stdout(&o);
    for f in [
        "-c <path>",
        "-r <path>",
        "--option",
        "-V, --validate",
        "--list",
        "--support",
    ] {
        assert!(h.contains(f), "{f} missing from --help");
    }
}

#[test]
fn unknown_config_keys_warn_with_their_path() {
    let o = falcon(&["-o", "file_output.colour=red", "--support"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("Unknown configuration key 'file_output.colour'"));
    let v: Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(v["config"]["file_output"]["colour"], "red");
}

fn replay(extra: &[&str]) -> Output {
    let mut args = vec![
        "-r".to_string(),
        legacy("rules/single_rule.yaml"),
        "-e".to_string(),
        legacy("trace_files/cat_write.scap"),
        "-o".to_string(),
        "time_format_iso_8601=true".to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    falcon(&refs)
}

#[test]
fn replay_prints_alerts_and_the_summary() {
    let o = replay(&[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let alerts: Vec<&str> = out.lines().filter(|l| l.contains(": Warning ")).collect();
    assert_eq!(alerts.len(), 4);
    assert_eq!(
        alerts[3],
        "2016-08-04T16:17:57.882054739+0000: Warning An open was seen (command=cat /dev/null)"
    );
    assert!(out.contains(
        "Events detected: 4\nRule counts by severity:\n   WARNING: 4\nTriggered rules by rule name:\n   open_from_cat: 4\n"
    ));
}

#[test]
fn replay_json_alerts() {
    let o = replay(&[
        "-o",
        "json_output=true",
        "-o",
        "json_include_message_property=true",
    ]);
    let line = stdout(&o).lines().next().unwrap().to_string();
    let v: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(v["hostname"], "test-host");
    assert_eq!(v["rule"], "open_from_cat");
    assert_eq!(v["priority"], "Warning");
    assert_eq!(v["source"], "syscall");
    assert_eq!(v["message"], "An open was seen (command=cat /dev/null)");
    assert_eq!(v["output_fields"]["proc.cmdline"], "cat /dev/null");
    assert_eq!(
        v["output_fields"]["evt.time.iso8601"],
        1470327477881785348u64
    );
    assert_eq!(v["time"], "2016-08-04T16:17:57.881785348Z");
    // Keys come out sorted.
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert!(line.starts_with("{\"hostname\":"));
}

#[test]
fn replay_to_file_and_program() {
    let d = tmp("outs");
    let file = d.join("events.txt");
    let prog = d.join("prog.txt");
    let o = replay(&[
        "-o",
        "stdout_output.enabled=false",
        "-o",
        "file_output.enabled=true",
        "-o",
        &format!("file_output.filename={}", file.display()),
        "-o",
        "program_output.enabled=true",
        "-o",
        &format!("program_output.program=cat >> {}", prog.display()),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let f = std::fs::read_to_string(&file).unwrap();
    assert_eq!(f.lines().count(), 4);
    assert_eq!(std::fs::read_to_string(&prog).unwrap(), f);
    assert!(!stdout(&o).contains(": Warning "));
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn a_dead_webhook_does_not_stop_detection() {
    // A port nothing listens on: every POST fails fast and is counted.
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    let o = replay(&[
        "-o",
        "http_output.enabled=true",
        "-o",
        &format!("http_output.url=http://127.0.0.1:{port}/"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("Events detected: 4"));
    let err = stderr(&o);
    assert!(err.contains("http: sent 0, dropped 0, failed 4"), "{err}");
    assert!(err.contains("stdout: sent 4, dropped 0, failed 0"), "{err}");
}

#[test]
fn selection_flags_and_priority() {
    let o = replay(&["-D", "from_cat"]);
    assert!(stdout(&o).contains("Events detected: 0"));
    let o = replay(&["-o", "priority=error"]);
    assert!(stdout(&o).contains("Events detected: 0"));
    let o = replay(&["-o", "rules[]={disable: {rule: \"open_*\"}}"]);
    assert!(stdout(&o).contains("Events detected: 0"));
}

#[test]
fn append_output_extra_text_and_fields() {
    let d = tmp("append");
    let conf = d.join("falcon.yaml");
    std::fs::write(
        &conf,
        "append_output:\n  - match: {source: syscall}\n    extra_output: \"pid=%proc.pid\"\n    extra_fields:\n      - wd: \"%proc.cwd\"\n      - proc.name\n",
    )
    .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_falcon"))
        .args(["-c", conf.to_str().unwrap()])
        .args([
            "-o",
            "syslog_output.enabled=false",
            "-o",
            "log_syslog=false",
        ])
        .args(["-o", "json_output=true"])
        .args(["-r", &legacy("rules/single_rule.yaml")])
        .args(["-e", &legacy("trace_files/cat_write.scap")])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let line = stdout(&o).lines().next().unwrap().to_string();
    let v: Value = serde_json::from_str(&line).unwrap();
    let out = v["output"].as_str().unwrap();
    let pid = out
        .split("(command=cat /dev/null) pid=")
        .nth(1)
        .unwrap_or("");
    assert!(
        !pid.is_empty() && pid.chars().all(|c| c.is_ascii_digit()),
        "{out}"
    );
    assert_eq!(v["output_fields"]["proc.name"], "cat");
    assert!(v["output_fields"]["wd"].is_string());
    std::fs::remove_dir_all(&d).unwrap();
}

/// A copy of `src` with every event before `cut` (ns) flagged state-only.
fn flag_state_only(src: &str, cut: u64, out: &Path) {
    let mut reader = CaptureReader::open(Path::new(src)).unwrap();
    let mut w = CaptureWriter::create(out, WriteOptions::default()).unwrap();
    let mut flagged = 0;
    while let Some(rec) = reader.next().unwrap() {
        match rec {
            Record::Event {
                cpu, flags, event, ..
            } if event.ts() < cut => {
                w.write_event(cpu, flags | STATE_ONLY, &event).unwrap();
                flagged += 1;
            }
            other => w.write_record(&other).unwrap(),
        }
    }
    w.finish().unwrap();
    assert!(flagged > 0);
}

/// Events flagged state-only (`SCAP_DF_STATE_ONLY`) update the state but
/// no rule sees them, as in libsinsp.
#[test]
fn replay_does_not_evaluate_state_only_events() {
    let d = tmp("state-only");
    let trace = legacy("trace_files/cat_write.scap");
    let rules = legacy("rules/single_rule.yaml");
    // Every event flagged: no alert.
    let all = d.join("all.scap");
    flag_state_only(&trace, u64::MAX, &all);
    let o = falcon(&["-r", &rules, "-e", all.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(!out.contains(": Warning "), "{out}");
    assert!(
        out.contains(
            "Events detected: 0\nRule counts by severity:\nTriggered rules by rule name:\n"
        ),
        "{out}"
    );
    // Everything before the last of the 4 alerts flagged: that one alert
    // remains, its command taken from the state the flagged execve built.
    let last = d.join("last.scap");
    flag_state_only(&trace, 1_470_327_477_882_054_739, &last);
    let o = falcon(&[
        "-r",
        &rules,
        "-e",
        last.to_str().unwrap(),
        "-o",
        "time_format_iso_8601=true",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let alerts: Vec<&str> = out.lines().filter(|l| l.contains(": Warning ")).collect();
    assert_eq!(
        alerts,
        ["2016-08-04T16:17:57.882054739+0000: Warning An open was seen (command=cat /dev/null)"]
    );
    assert!(out.contains("Events detected: 1\n"), "{out}");
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn source_flags_and_dry_run() {
    let o = replay(&["--disable-source", "syscall"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("Must enable at least one event source"));
    let o = replay(&["--enable-source", "k8s_audit"]);
    assert!(stderr(&o).contains("unknown event source: k8s_audit"));
    let o = replay(&["--enable-source", "syscall", "--dry-run"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!stdout(&o).contains("Events detected"));
}
