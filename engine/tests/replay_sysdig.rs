//! Compares falcon's dump of every legacy trace with Debian's sysdig 0.29
//! (`sysdig -r FILE -p FORMAT "evt.dir=<"`), exit events only.
//!
//! falcon follows current Falco (libs 0.25), which reads these old
//! enter+exit captures through libscap's converter; sysdig 0.29 reads them
//! as they are. Every difference must be one of the kinds named in
//! [`Kind`], each with the reason it exists; anything else fails.

mod common;

use falcon_engine::app::dump;
use std::collections::{BTreeMap, HashMap};
use std::process::Command;

const FIELDS: &[&str] = &[
    "evt.rawtime",
    "thread.tid",
    "evt.type",
    "proc.pid",
    "proc.name",
    "proc.exe",
    "proc.cmdline",
    "proc.pname",
    "proc.cwd",
    "fd.num",
    "fd.name",
    "fd.type",
    "fd.typechar",
    "fd.l4proto",
    "fd.sip",
    "fd.sport",
    "fd.cip",
    "fd.cport",
    "user.uid",
    "user.name",
    "group.gid",
    "evt.res",
    "evt.rawres",
    "fd.directory",
    "fd.filename",
    "evt.is_open_read",
    "evt.is_open_write",
    "proc.sname",
    "proc.tty",
    "user.loginuid",
    "user.loginname",
    "proc.ppid",
    "proc.vpid",
    "thread.vtid",
    "evt.failed",
    "fd.is_server",
    "proc.exeline",
    "user.homedir",
    "user.shell",
    "group.name",
    "proc.sid",
    "proc.vpgid",
    "evt.datetime",
    "evt.time.s",
    "fd.sockfamily",
    "evt.io_dir",
    "evt.is_io",
    "proc.fdlimit",
    "proc.nthreads",
    "proc.nchilds",
    "thread.ismain",
    "proc.loginshellid",
    "evt.count",
    "fd.connected",
    "fd.name_changed",
    "evt.args",
];

/// The kinds of difference between current Falco and sysdig 0.29 that
/// falcon reproduces on purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// Current Falco resolves the fd of mmap: the converter moves the
    /// enter event's `fd` into the exit event. sysdig 0.29's mmap exit has
    /// no fd.
    MmapFd,
    /// Current libsinsp adds a UDP socket for a send* on an fd it has never
    /// seen, from the event's tuple (completing a 0.0.0.0 end from the
    /// interface list); sysdig 0.29 leaves the fd unknown.
    SendInfersSocket,
    /// For a thread it knows nothing of (not in the capture's process list,
    /// no clone seen), current libsinsp makes a placeholder with pid -1:
    /// `proc.pid` is -1, and with no main thread `proc.cwd` is `./`,
    /// `proc.ppid` has no value, `proc.fdlimit` is 0 and `thread.ismain` is
    /// false, and an invalid thread gets no thread group (`proc.nthreads`
    /// 0, libsinsp `create_thread_dependencies`); sysdig 0.29 takes the tid
    /// as pid (a main thread of a one-thread process, cwd "", ppid and
    /// fdlimit -1).
    UnknownThread,
    /// An execve by a thread known only from that execve: current libsinsp
    /// sets `thread.vtid`/`proc.vpid` to the tid/pid when the thread is not
    /// in a pid namespace; sysdig 0.29 leaves them unknown.
    ExecveVirtualIds,
    /// Events old captures stored without parameters (generic syscalls
    /// such as mprotect, madvise, arch_prctl): current libsinsp sees no
    /// return value, so `evt.failed` has none; sysdig 0.29 says false.
    NoReturnValue,
    /// Current exit events carry their enter event's parameters (libscap's
    /// converter appends them), so `evt.args` lists more `name=value`
    /// pairs than sysdig 0.29, which also ends `evt.args` with a space.
    ArgsFromEnterEvent,
    /// sysdig's command line cuts long buffers in `evt.args` to 80
    /// characters ending in `...` (its default `max_evt_output_len`);
    /// Falco prints them whole.
    ArgsBufferCut,
    /// mmap's `res` is `ERRNO` in the current event table (printed in
    /// decimal); sysdig 0.29's table has `UINT64` printed in hex.
    MmapResType,
    /// A generic-syscall event whose syscall id current libs maps to a
    /// name (e.g. fadvise64); sysdig 0.29's table prints `<unknown>`.
    GenericSyscallName,
}

/// `row(name)` / `srow(name)`: falcon's / sysdig's value of another field of
/// the same event.
fn classify(
    field: &str,
    sysdig: &str,
    falcon: &str,
    row: &dyn Fn(&str) -> String,
    srow: &dyn Fn(&str) -> String,
) -> Option<Kind> {
    let ty = row("evt.type");
    let ty = ty.as_str();
    let no_fd = |v: &str| v == "<NA>" || v.is_empty() || v == "o";
    if field.starts_with("fd.") && (ty == "mmap" || ty == "mmap2") && no_fd(sysdig) {
        return Some(Kind::MmapFd);
    }
    if field.starts_with("fd.")
        && matches!(ty, "sendmsg" | "sendto" | "send")
        && srow("fd.type") == "<NA>"
        && matches!(row("fd.type").as_str(), "ipv4" | "ipv6")
    {
        return Some(Kind::SendInfersSocket);
    }
    if row("proc.pid") == "-1" {
        let tid = row("thread.tid");
        let placeholder = match field {
            "proc.pid" => sysdig == tid,
            "proc.cwd" => sysdig.is_empty() && falcon == "./",
            "proc.ppid" => sysdig == "-1" && falcon == "<NA>",
            "proc.fdlimit" => sysdig == "-1" && falcon == "0",
            "thread.ismain" => sysdig == "true" && falcon == "false",
            "proc.nthreads" => sysdig == "1" && falcon == "0",
            _ => false,
        };
        if placeholder {
            return Some(Kind::UnknownThread);
        }
    }
    if matches!(field, "thread.vtid" | "proc.vpid")
        && sysdig == "<NA>"
        && (falcon == row("thread.tid") || falcon == row("proc.pid"))
    {
        return Some(Kind::ExecveVirtualIds);
    }
    if field == "evt.failed" && sysdig == "false" && falcon == "<NA>" && row("evt.res") == "<NA>" {
        return Some(Kind::NoReturnValue);
    }
    if field == "evt.args" {
        return classify_args(&row("evt.type"), sysdig, falcon);
    }
    if field == "evt.type" && sysdig == "<unknown>" {
        return Some(Kind::GenericSyscallName);
    }
    None
}

/// `evt.args`: falcon's may extend sysdig's with the enter parameters;
/// sysdig's may have cut buffers (`...`); mmap's res differs in base.
fn classify_args(ty: &str, sysdig: &str, falcon: &str) -> Option<Kind> {
    let s = sysdig.trim_end_matches(' ');
    let mut f = falcon.to_string();
    let mut kind = Kind::ArgsFromEnterEvent;
    if ty == "mmap" || ty == "mmap2" {
        // res=<decimal> -> res=<HEX>, as sysdig 0.29 prints it
        if let Some(rest) = f.strip_prefix("res=") {
            let end = rest.find(' ').unwrap_or(rest.len());
            if let Ok(v) = rest[..end].parse::<i64>()
                && v >= 0
            {
                f = format!("res={v:X}{}", &rest[end..]);
                kind = Kind::MmapResType;
            }
        }
    }
    if f.starts_with(s) {
        return Some(kind);
    }
    // sysdig's cut buffers: each piece before a "..." must follow in order
    let pieces: Vec<&str> = s.split("...").collect();
    if pieces.len() > 1 && f.starts_with(pieces[0]) {
        let mut at = pieces[0].len();
        for p in &pieces[1..] {
            match f[at..].find(p) {
                Some(i) => at += i + p.len(),
                None => return None,
            }
        }
        return Some(Kind::ArgsBufferCut);
    }
    None
}

/// Lines keyed by (rawtime, tid), each split into its tab-separated fields.
fn index(text: &str) -> HashMap<(String, String), Vec<String>> {
    text.lines()
        .map(|l| {
            let v: Vec<String> = l.split('\t').map(str::to_string).collect();
            ((v[0].clone(), v[1].clone()), v)
        })
        .collect()
}

#[test]
fn falcon_dump_matches_sysdig_029_up_to_named_differences() {
    let fmt: String = FIELDS
        .iter()
        .map(|f| format!("%{f}"))
        .collect::<Vec<_>>()
        .join("\t");
    let mut traces: Vec<_> = std::fs::read_dir(common::corpus("falco-legacy/trace_files"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "scap"))
        .collect();
    traces.sort();
    assert_eq!(traces.len(), 6);
    let mut kinds: BTreeMap<Kind, u64> = BTreeMap::new();
    let (mut compared, mut same) = (0u64, 0u64);
    let mut unexplained = Vec::new();
    for t in &traces {
        let name = t.file_name().unwrap().to_string_lossy().into_owned();
        let out = Command::new("sysdig")
            .arg("-r")
            .arg(t)
            .arg("-p")
            .arg(format!("*{fmt}"))
            .arg("evt.dir=<")
            .output()
            .expect("sysdig must be installed (scripts/install-deps test)");
        assert!(out.status.success(), "sysdig failed on {name}");
        let sysdig = index(&String::from_utf8_lossy(&out.stdout));

        // falcon: the same format plus the direction, exit events only.
        let mut buf = Vec::new();
        dump::run(t, &format!("{fmt}\t%evt.dir"), &mut buf).unwrap();
        let text = String::from_utf8_lossy(&buf);
        let exits: String = text
            .lines()
            .filter(|l| l.ends_with("\t<"))
            .map(|l| format!("{}\n", &l[..l.len() - 2]))
            .collect();
        let falcon = index(&exits);

        for key in sysdig.keys().filter(|k| !falcon.contains_key(*k)) {
            unexplained.push(format!("{name} {key:?}: only in sysdig"));
        }
        for key in falcon.keys().filter(|k| !sysdig.contains_key(*k)) {
            unexplained.push(format!("{name} {key:?}: only in falcon"));
        }
        for (key, s) in &sysdig {
            let Some(f) = falcon.get(key) else { continue };
            assert_eq!(s.len(), f.len(), "{name} {key:?}: field count");
            let ty = &f[2];
            let row = |name: &str| {
                FIELDS
                    .iter()
                    .position(|x| *x == name)
                    .map_or(String::new(), |i| f[i].clone())
            };
            let srow = |name: &str| {
                FIELDS
                    .iter()
                    .position(|x| *x == name)
                    .map_or(String::new(), |i| s[i].clone())
            };
            for (i, field) in FIELDS.iter().enumerate() {
                compared += 1;
                if s[i] == f[i] {
                    same += 1;
                    continue;
                }
                match classify(field, &s[i], &f[i], &row, &srow) {
                    Some(k) => *kinds.entry(k).or_default() += 1,
                    None => unexplained.push(format!(
                        "{name} {key:?} {ty} {field}: sysdig {:?} falcon {:?}",
                        s[i], f[i]
                    )),
                }
            }
        }
    }
    println!("sysdig 0.29: {same} of {compared} values identical");
    for (k, n) in &kinds {
        println!("  {n} values differ as {k:?}");
    }
    for u in &unexplained {
        println!("UNEXPLAINED {u}");
    }
    assert!(
        unexplained.is_empty(),
        "{} unexplained differences",
        unexplained.len()
    );
    assert!(compared > 2000, "{compared}");
}
