//! The eBPF probe on the running kernel, in both program flavours (tp_btf
//! and raw tracepoints): a real `cat` run while the probe captures must
//! come out as its execve, openat (enter and exit), read (with the file's
//! bytes) and procexit events, in timestamp order, with no drops; and the
//! syscall set of interest filters in the kernel. Needs root.

use std::process::Command;
use std::time::{Duration, Instant};

use falcon_driver::abi::{
    PPME_PROCEXIT_1_E, PPME_SYSCALL_EXECVE_19_X, PPME_SYSCALL_OPENAT_2_E, PPME_SYSCALL_OPENAT_2_X,
    PPME_SYSCALL_READ_X,
};
use falcon_driver::bpf::{self, Flavour, Probe, ProbeConfig};
use falcon_driver::stream::Merger;

/// (type, tid, ts, selected params) of one event.
#[derive(Debug, Clone)]
struct Seen {
    code: u16,
    tid: u64,
    ts: u64,
    str1: Vec<u8>,
    str2: Vec<u8>,
    int0: i64,
}

fn capture_cat(probe: &mut Probe, file: &str) -> (u32, Vec<Seen>) {
    let mut m = Merger::new(5_000_000, 1 << 20);
    // drain what happened before
    m.drain_all(probe.rings_mut(), |_, _| {});
    let mut child = Command::new("cat")
        .arg(file)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut seen = Vec::new();
    let mut f = |_: usize, e: &falcon_driver::event::Event<'_>| {
        if e.tid() as u32 != pid {
            return;
        }
        let s = |i| e.param_str(i).unwrap_or_default().to_vec();
        seen.push(Seen {
            code: e.code(),
            tid: e.tid(),
            ts: e.ts(),
            str1: s(1),
            str2: s(2),
            int0: e.param_i64(0).unwrap_or(i64::MIN),
        });
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut exited = None;
    while Instant::now() < deadline {
        m.drain_all(probe.rings_mut(), &mut f);
        if exited.is_none() && child.try_wait().unwrap().is_some() {
            exited = Some(Instant::now());
        }
        if exited.is_some_and(|t| t.elapsed() > Duration::from_millis(200)) {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    m.drain_all(probe.rings_mut(), &mut f);
    let _ = child.kill();
    let _ = child.wait();
    (pid, seen)
}

fn check_flavour(flavour: Flavour, name: &str) {
    // SAFETY: geteuid has no preconditions.
    assert_eq!(unsafe { libc::geteuid() }, 0, "the probe tests need root");
    let syscalls = bpf::syscall_numbers(
        [
            "execve",
            "openat",
            "read",
            "close",
            "clone",
            "clone3",
            "exit_group",
        ]
        .iter()
        .copied(),
    );
    let cfg = ProbeConfig {
        syscalls,
        flavour,
        ..ProbeConfig::default()
    };
    let mut probe = Probe::load(&cfg).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(probe.flavour(), name);
    let file = "/etc/hostname";
    let content = std::fs::read(file).unwrap();
    let (pid, seen) = capture_cat(&mut probe, file);

    let of = |c: u32| seen.iter().filter(move |s| s.code == c as u16);
    // (failed execve attempts along PATH come first)
    let exec = of(PPME_SYSCALL_EXECVE_19_X)
        .find(|s| s.int0 == 0)
        .unwrap_or_else(|| panic!("{name}: no execve exit of cat {pid}: {seen:?}"));
    assert_eq!(exec.str1, b"cat");
    assert_eq!(exec.str2, file.as_bytes(), "args of cat");
    let open_x = of(PPME_SYSCALL_OPENAT_2_X)
        .find(|s| s.str2 == file.as_bytes())
        .unwrap_or_else(|| panic!("{name}: no openat exit of {file}"));
    assert!(open_x.int0 >= 0, "openat failed: {}", open_x.int0);
    let open_e = of(PPME_SYSCALL_OPENAT_2_E)
        .find(|s| s.str1 == file.as_bytes())
        .unwrap_or_else(|| panic!("{name}: no openat enter of {file}"));
    assert!(open_e.ts <= open_x.ts, "enter after exit");
    let want = &content[..content.len().min(80)];
    assert!(
        of(PPME_SYSCALL_READ_X).any(|s| s.int0 == content.len() as i64 && s.str1 == want),
        "{name}: no read of the {} bytes of {file}",
        content.len()
    );
    assert!(
        of(PPME_PROCEXIT_1_E).any(|s| s.tid == pid as u64),
        "{name}: no procexit"
    );
    assert!(
        seen.windows(2).all(|w| w[0].ts <= w[1].ts),
        "{name}: out of order"
    );
    let drops: u64 = probe.counters().unwrap().iter().map(|c| c.drops()).sum();
    assert_eq!(drops, 0, "{name}: drops");

    // in-kernel selection: without read in the set, cat's reads vanish
    probe
        .set_interest(&bpf::syscall_numbers(["execve", "openat"].iter().copied()))
        .unwrap();
    let (_, seen) = capture_cat(&mut probe, file);
    assert!(
        seen.iter()
            .any(|s| s.code == PPME_SYSCALL_OPENAT_2_X as u16)
    );
    assert!(
        !seen.iter().any(|s| s.code == PPME_SYSCALL_READ_X as u16),
        "{name}: read captured though not of interest"
    );
}

#[test]
fn tp_btf_probe_captures_a_real_program() {
    check_flavour(Flavour::TpBtf, "tp_btf");
}

#[test]
fn raw_tracepoint_probe_captures_a_real_program() {
    check_flavour(Flavour::RawTp, "raw_tp");
}
