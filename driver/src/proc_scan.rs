//! The startup snapshot of a live host: every thread and every process's fd
//! table read from `/proc`, as the same [`ProcEntry`]/[`FdEntry`] records a
//! capture file's PL/FDL blocks hold, so the state tracker seeds its tables
//! the same way in live and replay runs (and `-w` writes them out).
//!
//! Processes come and go while the scan runs: a thread or fd that vanishes
//! half-read is skipped and counted in [`Snapshot::vanished`], never an error.

use std::collections::HashMap;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::scap::{FdEntry, FdInfo, FdType, GroupEntry, ProcEntry, UserEntry};

/// What a scan found.
#[derive(Debug, Default, Clone)]
pub struct Snapshot {
    /// one entry per thread
    pub procs: Vec<ProcEntry>,
    /// fd table per process, keyed by the main thread's tid
    pub fds: Vec<(u64, Vec<FdEntry>)>,
    /// threads or fds that disappeared while being read
    pub vanished: u64,
    /// the host's users and groups (`/etc/passwd`, `/etc/group`)
    pub users: Vec<UserEntry>,
    pub groups: Vec<GroupEntry>,
}

/// Users and groups from `passwd` and `group` files (malformed lines are
/// skipped).
pub fn users(passwd: &str, group: &str) -> (Vec<UserEntry>, Vec<GroupEntry>) {
    let ok = |l: &&str| !l.is_empty() && !l.starts_with('#');
    let us = passwd
        .lines()
        .filter(ok)
        .filter_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            (f.len() >= 7).then_some(())?;
            Some(UserEntry {
                uid: f[2].parse().ok()?,
                gid: f[3].parse().ok()?,
                name: f[0].as_bytes().to_vec(),
                homedir: f[5].as_bytes().to_vec(),
                shell: f[6].as_bytes().to_vec(),
            })
        })
        .collect();
    let gs = group
        .lines()
        .filter(ok)
        .filter_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            (f.len() >= 3).then_some(())?;
            Some(GroupEntry {
                gid: f[2].parse().ok()?,
                name: f[0].as_bytes().to_vec(),
            })
        })
        .collect();
    (us, gs)
}

fn read(p: &Path) -> Option<Vec<u8>> {
    fs::read(p).ok()
}

fn read_link(p: &Path) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    fs::read_link(p)
        .map(|l| l.as_os_str().as_bytes().to_vec())
        .unwrap_or_default()
}

/// `Key:\tvalue` lines of /proc/<pid>/status.
fn status_field<'a>(status: &'a str, key: &str) -> Option<&'a str> {
    status.lines().find_map(|l| {
        l.strip_prefix(key)
            .and_then(|r| r.strip_prefix(':'))
            .map(str::trim)
    })
}

fn first_num<T: std::str::FromStr>(s: Option<&str>) -> Option<T> {
    s?.split_whitespace().next()?.parse().ok()
}

fn kb(s: Option<&str>) -> u32 {
    first_num(s).unwrap_or(0)
}

/// Fields of /proc/<pid>/task/<tid>/stat after the `(comm)`, 0-based from
/// field 3 (`state`).
fn stat_fields(stat: &[u8]) -> Vec<i64> {
    let s = String::from_utf8_lossy(stat);
    let Some(close) = s.rfind(')') else {
        return Vec::new();
    };
    s[close + 1..]
        .split_whitespace()
        .skip(1)
        .map(|f| f.parse().unwrap_or(0))
        .collect()
}

/// Converts Linux open flags (octal in fdinfo) to the scap PPM_O_* bits.
pub fn scap_open_flags(f: u32) -> u32 {
    let mut r = if f & 0o2 != 0 {
        3
    } else if f & 0o1 != 0 {
        2
    } else {
        1
    };
    let map = [
        (0o100, 1 << 2),
        (0o2000, 1 << 3),
        (0o10000, 1 << 4),
        (0o200, 1 << 5),
        (0o4000, 1 << 6),
        (0o1000, 1 << 8),
        (0o40000, 1 << 9),
        (0o200000, 1 << 10),
        (0o100000, 1 << 11),
        (0o2000000, 1 << 12),
        (0o20000000, 1 << 13),
    ];
    for (l, p) in map {
        if f & l != 0 {
            r |= p;
        }
    }
    if f & 0o4010000 == 0o4010000 {
        r |= 1 << 7;
    }
    r
}

/// One thread's entry.
fn scan_thread(pid_dir: &Path, task_dir: &Path, tid: u64) -> Option<ProcEntry> {
    let status = String::from_utf8(read(&task_dir.join("status"))?).ok()?;
    let stat = stat_fields(&read(&task_dir.join("stat"))?);
    let mut e = ProcEntry {
        tid,
        pid: first_num(status_field(&status, "Tgid")).unwrap_or(tid),
        ptid: first_num(status_field(&status, "PPid")).unwrap_or(0),
        ..Default::default()
    };
    let mut comm = read(&task_dir.join("comm")).unwrap_or_default();
    if comm.last() == Some(&b'\n') {
        comm.pop();
    }
    e.comm = comm;
    let cmdline = read(&pid_dir.join("cmdline")).unwrap_or_default();
    let mut parts = cmdline.splitn(2, |&b| b == 0);
    e.exe = parts.next().unwrap_or_default().to_vec();
    e.args = parts.next().unwrap_or_default().to_vec();
    e.exepath = read_link(&pid_dir.join("exe"));
    if e.exe.is_empty() {
        e.exe = e.comm.clone();
    }
    e.cwd = read_link(&task_dir.join("cwd"));
    e.root = read_link(&pid_dir.join("root"));
    e.env = read(&pid_dir.join("environ")).unwrap_or_default();
    e.cgroups = cgroups(&read(&pid_dir.join("cgroup")).unwrap_or_default());
    let uids: Vec<u32> = status_field(&status, "Uid")
        .map(|s| {
            s.split_whitespace()
                .filter_map(|v| v.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    let gids: Vec<u32> = status_field(&status, "Gid")
        .map(|s| {
            s.split_whitespace()
                .filter_map(|v| v.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    // euid/egid, as the probe reports for clone/execve
    e.uid = uids.get(1).copied().unwrap_or(0);
    e.gid = gids.get(1).copied().unwrap_or(0);
    e.vmsize_kb = kb(status_field(&status, "VmSize"));
    e.vmrss_kb = kb(status_field(&status, "VmRSS"));
    e.vmswap_kb = kb(status_field(&status, "VmSwap"));
    let cap = |k| {
        status_field(&status, k)
            .and_then(|v| u64::from_str_radix(v, 16).ok())
            .unwrap_or(0)
    };
    e.cap_inheritable = cap("CapInh");
    e.cap_permitted = cap("CapPrm");
    e.cap_effective = cap("CapEff");
    let ns = |k| -> i64 {
        status_field(&status, k)
            .and_then(|v| v.split_whitespace().last()?.parse().ok())
            .unwrap_or(-1)
    };
    e.vtid = ns("NSpid");
    e.vpid = ns("NStgid");
    // stat fields (after state): ppid 0, pgrp 1, session 2, tty_nr 3, ...
    // minflt 6, majflt 8
    e.pgid = stat.get(1).copied().unwrap_or(-1);
    e.vpgid = e.pgid;
    e.sid = stat.get(2).copied().unwrap_or(-1);
    e.tty = stat.get(3).copied().unwrap_or(0) as u32;
    e.pfminor = stat.get(6).copied().unwrap_or(0) as u64;
    e.pfmajor = stat.get(8).copied().unwrap_or(0) as u64;
    e.loginuid = read(&pid_dir.join("loginuid"))
        .and_then(|b| String::from_utf8(b).ok()?.trim().parse().ok())
        .unwrap_or(u32::MAX);
    e.fdlimit = fd_limit(&read(&pid_dir.join("limits")).unwrap_or_default());
    if let Ok(m) = fs::metadata(pid_dir.join("exe")) {
        e.exe_ino = m.ino();
        e.exe_ino_ctime = m.ctime() as u64 * 1_000_000_000 + m.ctime_nsec() as u64;
        e.exe_ino_mtime = m.mtime() as u64 * 1_000_000_000 + m.mtime_nsec() as u64;
    }
    e.exe_from_memfd = e.exepath.starts_with(b"/memfd:");
    Some(e)
}

/// `/proc/<pid>/cgroup` lines `id:controllers:path` as `subsys=path\0`.
fn cgroups(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for line in String::from_utf8_lossy(raw).lines() {
        let mut f = line.splitn(3, ':');
        let (_, ctl, path) = (f.next(), f.next().unwrap_or(""), f.next().unwrap_or(""));
        if ctl.is_empty() {
            // cgroup v2: one hierarchy for every controller
            for c in [
                "cpuset", "cpu", "cpuacct", "io", "memory", "devices", "pids",
            ] {
                out.extend_from_slice(format!("{c}={path}\0").as_bytes());
            }
        } else {
            for c in ctl.split(',') {
                let c = c.strip_prefix("name=").unwrap_or(c);
                out.extend_from_slice(format!("{c}={path}\0").as_bytes());
            }
        }
    }
    out
}

fn fd_limit(limits: &[u8]) -> u64 {
    String::from_utf8_lossy(limits)
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .and_then(|l| {
            l["Max open files".len()..]
                .split_whitespace()
                .next()?
                .parse()
                .ok()
        })
        .unwrap_or(0)
}

/// A socket's inode -> what it is, from /proc/net.
#[derive(Debug, Clone)]
enum Sock {
    Inet(FdInfo),
    Unix(Vec<u8>),
}

fn hex_ip4(s: &str) -> Option<u32> {
    // /proc/net shows the address as the host-order print of a
    // network-order u32: the bytes are already in network order in memory.
    u32::from_str_radix(s, 16).ok()
}

fn hex_ip6(s: &str) -> Option<[u8; 16]> {
    if s.len() != 32 {
        return None;
    }
    let mut out = [0u8; 16];
    for w in 0..4 {
        let v = u32::from_str_radix(&s[w * 8..w * 8 + 8], 16).ok()?;
        out[w * 4..w * 4 + 4].copy_from_slice(&v.to_ne_bytes());
    }
    Some(out)
}

fn sockets(net: &Path) -> HashMap<u64, Sock> {
    let mut m = HashMap::new();
    for (file, proto, v6) in [
        ("tcp", 6u8, false),
        ("udp", 17, false),
        ("raw", 255, false),
        ("tcp6", 6, true),
        ("udp6", 17, true),
        ("raw6", 255, true),
    ] {
        let Some(raw) = read(&net.join(file)) else {
            continue;
        };
        for line in String::from_utf8_lossy(&raw).lines().skip(1) {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() < 10 {
                continue;
            }
            let (Some((la, lp)), Some((ra, rp))) = (f[1].split_once(':'), f[2].split_once(':'))
            else {
                continue;
            };
            let (Ok(lp), Ok(rp), Ok(ino)) = (
                u16::from_str_radix(lp, 16),
                u16::from_str_radix(rp, 16),
                f[9].parse::<u64>(),
            ) else {
                continue;
            };
            let listening = (proto == 6 && f[3] == "0A") || (proto != 6 && rp == 0);
            let info = if v6 {
                let (Some(l), Some(r)) = (hex_ip6(la), hex_ip6(ra)) else {
                    continue;
                };
                if listening {
                    FdInfo::Ipv6Server {
                        ip: l,
                        port: lp,
                        l4proto: proto,
                    }
                } else {
                    FdInfo::Ipv6 {
                        sip: l,
                        dip: r,
                        sport: lp,
                        dport: rp,
                        l4proto: proto,
                    }
                }
            } else {
                let (Some(l), Some(r)) = (hex_ip4(la), hex_ip4(ra)) else {
                    continue;
                };
                if listening {
                    FdInfo::Ipv4Server {
                        ip: l,
                        port: lp,
                        l4proto: proto,
                    }
                } else {
                    FdInfo::Ipv4 {
                        sip: l,
                        dip: r,
                        sport: lp,
                        dport: rp,
                        l4proto: proto,
                    }
                }
            };
            m.insert(ino, Sock::Inet(info));
        }
    }
    if let Some(raw) = read(&net.join("unix")) {
        for line in String::from_utf8_lossy(&raw).lines().skip(1) {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() < 7 {
                continue;
            }
            if let Ok(ino) = f[6].parse::<u64>() {
                let path = f.get(7).map(|p| p.as_bytes().to_vec()).unwrap_or_default();
                m.insert(ino, Sock::Unix(path));
            }
        }
    }
    m
}

fn bracket_ino(s: &str) -> u64 {
    s.split_once('[')
        .and_then(|(_, r)| r.strip_suffix(']'))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn fd_entry(pid_dir: &Path, fd: i64, socks: &HashMap<u64, Sock>) -> Option<FdEntry> {
    let link_path = pid_dir.join("fd").join(fd.to_string());
    let target = read_link(&link_path);
    if target.is_empty() {
        return None;
    }
    let t = String::from_utf8_lossy(&target).into_owned();
    let named = |ty| FdInfo::Named {
        ty,
        name: target.clone(),
    };
    let fdinfo = read(&pid_dir.join("fdinfo").join(fd.to_string())).unwrap_or_default();
    let flags = String::from_utf8_lossy(&fdinfo)
        .lines()
        .find_map(|l| l.strip_prefix("flags:"))
        .and_then(|v| u32::from_str_radix(v.trim(), 8).ok())
        .unwrap_or(0);
    let (ino, info) = if t.starts_with("socket:") {
        let ino = bracket_ino(&t);
        let info = match socks.get(&ino) {
            Some(Sock::Inet(i)) => i.clone(),
            Some(Sock::Unix(p)) => FdInfo::Unix {
                source: 0,
                destination: 0,
                path: p.clone(),
            },
            None => named(FdType::Unsupported),
        };
        (ino, info)
    } else if t.starts_with("pipe:") {
        (bracket_ino(&t), named(FdType::Fifo))
    } else if let Some(kind) = t.strip_prefix("anon_inode:") {
        let ty = match kind.trim_matches(|c| c == '[' || c == ']') {
            "eventfd" => FdType::Event,
            "eventpoll" => FdType::Eventpoll,
            "inotify" => FdType::Inotify,
            "signalfd" => FdType::Signalfd,
            "timerfd" => FdType::Timerfd,
            "userfaultfd" => FdType::Userfaultfd,
            "io_uring" => FdType::Iouring,
            "pidfd" => FdType::Pidfd,
            k if k.starts_with("bpf") => FdType::Bpf,
            _ => FdType::Unsupported,
        };
        (0, named(ty))
    } else if t.starts_with("/memfd:") {
        (0, named(FdType::Memfd))
    } else if t.starts_with('/') {
        let meta = fs::metadata(&link_path).ok();
        let ino = meta.as_ref().map(|m| m.ino()).unwrap_or(0);
        if meta.as_ref().is_some_and(|m| m.is_dir()) {
            (ino, named(FdType::Directory))
        } else {
            let dev = meta.map(|m| m.dev() as u32);
            (
                ino,
                FdInfo::File {
                    open_flags: scap_open_flags(flags),
                    name: target.clone(),
                    dev,
                },
            )
        }
    } else {
        (0, named(FdType::Unsupported))
    };
    Some(FdEntry { fd, ino, info })
}

/// Scans `proc_root` (normally `/proc`) and the users and groups of
/// `etc` (normally `/etc`).
pub fn scan(proc_root: &Path, etc: &Path) -> Snapshot {
    let mut snap = Snapshot::default();
    let rd = |f: &str| fs::read_to_string(etc.join(f)).unwrap_or_default();
    (snap.users, snap.groups) = users(&rd("passwd"), &rd("group"));
    let socks = sockets(&proc_root.join("net"));
    let Ok(dir) = fs::read_dir(proc_root) else {
        return snap;
    };
    let mut pids: Vec<u64> = dir
        .filter_map(|d| d.ok()?.file_name().to_str()?.parse().ok())
        .collect();
    pids.sort_unstable();
    for pid in pids {
        let pid_dir = proc_root.join(pid.to_string());
        let Ok(tasks) = fs::read_dir(pid_dir.join("task")) else {
            snap.vanished += 1;
            continue;
        };
        let mut tids: Vec<u64> = tasks
            .filter_map(|d| d.ok()?.file_name().to_str()?.parse().ok())
            .collect();
        tids.sort_unstable();
        for tid in tids {
            let task_dir: PathBuf = pid_dir.join("task").join(tid.to_string());
            match scan_thread(&pid_dir, &task_dir, tid) {
                Some(e) => snap.procs.push(e),
                None => snap.vanished += 1,
            }
        }
        let Ok(fds) = fs::read_dir(pid_dir.join("fd")) else {
            continue;
        };
        let mut nums: Vec<i64> = fds
            .filter_map(|d| d.ok()?.file_name().to_str()?.parse().ok())
            .collect();
        nums.sort_unstable();
        let mut table = Vec::with_capacity(nums.len());
        for fd in nums {
            match fd_entry(&pid_dir, fd, &socks) {
                Some(e) => table.push(e),
                None => snap.vanished += 1,
            }
        }
        snap.fds.push((pid, table));
    }
    snap
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    #[test]
    fn scans_own_process() {
        let dir = std::env::temp_dir().join(format!("falcon-proc-scan-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("held-open");
        let file = fs::File::create(&path).unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();

        let snap = scan(Path::new("/proc"), Path::new("/etc"));
        assert!(snap.users.iter().any(|u| u.uid == 0 && u.name == b"root"));
        assert!(snap.groups.iter().any(|g| g.gid == 0));
        let me = std::process::id() as u64;
        let main = snap.procs.iter().find(|p| p.tid == me).expect("own thread");
        assert_eq!(main.pid, me);
        assert_eq!(main.ptid as u32, std::os::unix::process::parent_id());
        let exe = std::env::current_exe().unwrap();
        assert_eq!(main.exepath, exe.as_os_str().as_encoded_bytes());
        assert!(main.exe_ino != 0 && main.fdlimit > 0 && main.vmsize_kb > 0);
        assert!(!main.cwd.is_empty() && !main.comm.is_empty());

        let (_, fds) = snap.fds.iter().find(|(p, _)| *p == me).expect("own fds");
        let f = fds
            .iter()
            .find(|e| e.name() == Some(path.as_os_str().as_encoded_bytes()))
            .expect("the open file");
        match &f.info {
            // opened write-only (File::create): PPM_O_WRONLY | CREAT | TRUNC | CLOEXEC
            FdInfo::File { open_flags, .. } => assert_eq!(open_flags & 3, 2),
            other => panic!("unexpected {other:?}"),
        }
        assert!(fds.iter().any(|e| matches!(
            e.info,
            FdInfo::Ipv4Server { port: p, l4proto: 6, .. } if p == port
        )));
        drop((file, listener));
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn open_flags_and_cgroups() {
        assert_eq!(scap_open_flags(0), 1);
        assert_eq!(scap_open_flags(0o1 | 0o100 | 0o1000), 2 | 4 | 256);
        assert_eq!(scap_open_flags(0o2 | 0o2000000), 3 | 4096);
        assert_eq!(cgroups(b"0::/user.slice\n"), b"cpuset=/user.slice\0cpu=/user.slice\0cpuacct=/user.slice\0io=/user.slice\0memory=/user.slice\0devices=/user.slice\0pids=/user.slice\0");
        assert_eq!(cgroups(b"3:cpu,cpuacct:/a\n"), b"cpu=/a\0cpuacct=/a\0");
        assert_eq!(
            stat_fields(b"12 (a b) S 1 12 12 0 -1"),
            vec![1, 12, 12, 0, -1]
        );
    }
}
