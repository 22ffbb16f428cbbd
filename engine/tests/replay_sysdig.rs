//! Compares falcon's dump of every legacy trace with Debian's sysdig 0.29
//! (`sysdig -r FILE -p FORMAT "evt.dir=<"`), exit events only.
//!
//! falcon follows current Falco (libs 0.25), which reads these old
//! enter+exit captures through libscap's converter; sysdig 0.29 reads them
//! as they are. Every difference must be one of the kinds named in
//! [`Kind`], each with the reason it exists; anything else fails.

use falcon_engine::app::dump;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
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
    /// no clone seen), current libsinsp makes a placeholder with pid -1, so
    /// `proc.pid` is -1 and `proc.cwd` is `./` (no main thread); sysdig 0.29
    /// uses the tid as pid and prints an empty cwd.
    UnknownThread,
    /// A generic-syscall event whose syscall id current libs maps to a
    /// name (e.g. fadvise64); sysdig 0.29's table prints `<unknown>`.
    GenericSyscallName,
}

fn classify(field: &str, ty: &str, tid: &str, sysdig: &str, falcon: &str) -> Option<Kind> {
    let no_fd = |v: &str| v == "<NA>" || v.is_empty() || v == "o";
    if field.starts_with("fd.") && (ty == "mmap" || ty == "mmap2") && no_fd(sysdig) {
        return Some(Kind::MmapFd);
    }
    if field.starts_with("fd.") && matches!(ty, "sendmsg" | "sendto" | "send") && no_fd(sysdig) {
        return Some(Kind::SendInfersSocket);
    }
    if (field == "proc.cwd" && sysdig.is_empty() && falcon == "./")
        || (field == "proc.pid" && sysdig == tid && falcon == "-1")
    {
        return Some(Kind::UnknownThread);
    }
    if field == "evt.type" && sysdig == "<unknown>" {
        return Some(Kind::GenericSyscallName);
    }
    None
}

fn corpora() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpora/falco-legacy")
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
    let mut traces: Vec<_> = std::fs::read_dir(corpora().join("trace_files"))
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
            for (i, field) in FIELDS.iter().enumerate() {
                compared += 1;
                if s[i] == f[i] {
                    same += 1;
                    continue;
                }
                match classify(field, ty, &key.1, &s[i], &f[i]) {
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
