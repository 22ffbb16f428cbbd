//! Parser unit tests on hand-built events (current schema, exit-only).

use super::*;
use crate::fields::{self, Value, Values};
use falcon_driver::abi::*;
use falcon_driver::event::{Event, EventBuilder};

struct T {
    p: Parser,
    b: EventBuilder,
    ts: u64,
    vals: Values,
}

impl T {
    fn new() -> T {
        T {
            p: Parser::new(Limits::default()),
            b: EventBuilder::new(),
            ts: 1_000,
            vals: Values::new(),
        }
    }

    /// Feeds the event built by `f` and returns `field` for it.
    fn feed(
        &mut self,
        tid: u64,
        code: u32,
        f: impl FnOnce(&mut EventBuilder),
        field: &str,
    ) -> Option<String> {
        self.ts += 1;
        self.b.start();
        f(&mut self.b);
        let bytes = self.b.finish(self.ts, tid, code as u16).to_vec();
        let ev = Event::parse(&bytes).unwrap();
        let p = self.p.process(&ev, 0).unwrap();
        let cx = self.p.ctx(ev, &p);
        let bf = fields::bind_text(field).unwrap();
        self.vals.clear();
        if !bf.extract(&cx, &mut self.vals) {
            return None;
        }
        Some(match self.vals.first().unwrap() {
            Value::Str(s) => String::from_utf8_lossy(s).into_owned(),
            Value::I64(n) => n.to_string(),
            Value::U64(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Ip(ip) => ip.to_string(),
            v => format!("{v:?}"),
        })
    }
}

fn proc_entry(tid: i64, pid: i64, ptid: i64, comm: &str, cwd: &str) -> Thread {
    Thread {
        tid,
        pid,
        ptid,
        comm: comm.as_bytes().to_vec(),
        exe: comm.as_bytes().to_vec(),
        cwd: cwd.as_bytes().to_vec(),
        uid: 1000,
        gid: 1000,
        loginuid: 1000,
        last_fd: -1,
        ..Thread::default()
    }
}

/// A clone exit as the child (res 0) or the parent (res = child tid).
fn clone_x(b: &mut EventBuilder, res: i64, tid: i64, pid: i64, ptid: i64, comm: &str, flags: u32) {
    b.param_i64(res)
        .param_str(comm.as_bytes())
        .param(b"")
        .param_i64(tid)
        .param_i64(pid)
        .param_i64(ptid)
        .param_str(b"/")
        .param_i64(1024)
        .param_u64(0)
        .param_u64(0)
        .param_u32(0)
        .param_u32(0)
        .param_u32(0)
        .param_str(comm.as_bytes())
        .param(b"cpu=/user.slice\0")
        .param_u32(flags)
        .param_u32(1000)
        .param_u32(1000);
}

fn openat_x(b: &mut EventBuilder, fd: i64, dirfd: i64, name: &str, flags: u32) {
    b.param_i64(fd)
        .param_i64(dirfd)
        .param_str(name.as_bytes())
        .param_u32(flags)
        .param_u32(0)
        .param_u32(0)
        .param_u64(0);
}

fn setup() -> T {
    let mut t = T::new();
    t.p.add_thread(proc_entry(1, 1, 0, "init", "/"));
    t.p.add_thread(proc_entry(100, 100, 1, "bash", "/home/u/"));
    t
}

#[test]
fn clone_inherits_and_execve_replaces() {
    let mut t = setup();
    // parent side of a fork: the child 200 inherits bash's cwd and fds
    t.feed(
        100,
        PPME_SYSCALL_OPENAT_2_X,
        |b| openat_x(b, 3, PPM_AT_FDCWD, "notes.txt", PPM_O_RDONLY),
        "fd.name",
    );
    let r = t.feed(
        100,
        PPME_SYSCALL_CLONE_20_X,
        |b| clone_x(b, 200, 100, 100, 1, "bash", 0),
        "proc.name",
    );
    assert_eq!(r.as_deref(), Some("bash"));
    let name = t.feed(
        200,
        PPME_SYSCALL_READ_X,
        |b| {
            b.param_i64(4).param(b"abcd").param_i64(3).param_u32(4);
        },
        "fd.name",
    );
    assert_eq!(name.as_deref(), Some("/home/u/notes.txt"));
    // execve in the child
    let cmd = t.feed(
        200,
        PPME_SYSCALL_EXECVE_19_X,
        |b| {
            b.param_i64(0)
                .param_str(b"cat")
                .param(b"-n\0notes.txt\0")
                .param_i64(200)
                .param_i64(200)
                .param_i64(100)
                .param_str(b"/home/u")
                .param_u64(1024)
                .param_u64(0)
                .param_u64(0)
                .param_u32(0)
                .param_u32(0)
                .param_u32(0)
                .param_str(b"cat");
        },
        "proc.cmdline",
    );
    assert_eq!(cmd.as_deref(), Some("cat -n notes.txt"));
    let pname = t.feed(
        200,
        PPME_SYSCALL_READ_X,
        |b| {
            b.param_i64(0).param(b"").param_i64(3).param_u32(4);
        },
        "proc.pname",
    );
    assert_eq!(pname.as_deref(), Some("bash"));
    let a2 = t.feed(
        200,
        PPME_SYSCALL_READ_X,
        |b| {
            b.param_i64(0).param(b"").param_i64(3).param_u32(4);
        },
        "proc.aname[2]",
    );
    assert_eq!(a2.as_deref(), Some("init"));
    let cwd = t.feed(
        200,
        PPME_SYSCALL_READ_X,
        |b| {
            b.param_i64(0).param(b"").param_i64(3).param_u32(4);
        },
        "proc.cwd",
    );
    assert_eq!(cwd.as_deref(), Some("/home/u/"));
    let uid = t.feed(
        200,
        PPME_SYSCALL_READ_X,
        |b| {
            b.param_i64(0).param(b"").param_i64(3).param_u32(4);
        },
        "user.uid",
    );
    assert_eq!(uid.as_deref(), Some("1000"));
}

#[test]
fn threads_share_fds_with_clone_files_processes_copy_them() {
    let mut t = setup();
    // a thread (CLONE_THREAD|CLONE_FILES) and a process (no CLONE_FILES)
    t.feed(
        100,
        PPME_SYSCALL_CLONE_20_X,
        |b| {
            clone_x(
                b,
                101,
                100,
                100,
                1,
                "bash",
                PPM_CL_CLONE_THREAD | PPM_CL_CLONE_FILES,
            )
        },
        "proc.pid",
    );
    t.feed(
        100,
        PPME_SYSCALL_CLONE_20_X,
        |b| clone_x(b, 300, 100, 100, 1, "bash", 0),
        "proc.pid",
    );
    // an fd opened by the thread after the clones
    t.feed(
        101,
        PPME_SYSCALL_OPENAT_2_X,
        |b| openat_x(b, 5, PPM_AT_FDCWD, "/etc/hosts", PPM_O_RDONLY),
        "fd.name",
    );
    let read = |t: &mut T, tid| {
        t.feed(
            tid,
            PPME_SYSCALL_READ_X,
            |b| {
                b.param_i64(1).param(b"x").param_i64(5).param_u32(1);
            },
            "fd.name",
        )
    };
    assert_eq!(
        read(&mut t, 100).as_deref(),
        Some("/etc/hosts"),
        "shared with the main thread"
    );
    // libsinsp gives "" as fd.name of an fd missing from the table
    assert_eq!(
        read(&mut t, 300).as_deref(),
        Some(""),
        "the forked process has its own copy"
    );
    let pid = t.feed(
        101,
        PPME_SYSCALL_READ_X,
        |b| {
            b.param_i64(1).param(b"x").param_i64(5).param_u32(1);
        },
        "proc.pid",
    );
    assert_eq!(pid.as_deref(), Some("100"));
}

#[test]
fn close_dup_fcntl_and_chdir() {
    let mut t = setup();
    t.feed(
        100,
        PPME_SYSCALL_OPENAT_2_X,
        |b| openat_x(b, 3, PPM_AT_FDCWD, "../x/./y", PPM_O_RDONLY),
        "fd.name",
    );
    let n = t.feed(
        100,
        PPME_SYSCALL_DUP2_X,
        |b| {
            b.param_i64(7).param_i64(3).param_i64(7);
        },
        "fd.name",
    );
    assert_eq!(n.as_deref(), Some("/home/x/y"), "dup2 exit names oldfd");
    let n = t.feed(
        100,
        PPME_SYSCALL_FCNTL_X,
        |b| {
            b.param_i64(9)
                .param_i64(7)
                .param_u8(PPM_FCNTL_F_DUPFD)
                .param_u64(0);
        },
        "fd.num",
    );
    assert_eq!(n.as_deref(), Some("7"));
    // close keeps the fd visible for its own event, then drops it
    let n = t.feed(
        100,
        PPME_SYSCALL_CLOSE_X,
        |b| {
            b.param_i64(0).param_i64(3);
        },
        "fd.name",
    );
    assert_eq!(n.as_deref(), Some("/home/x/y"));
    let n = t.feed(
        100,
        PPME_SYSCALL_READ_X,
        |b| {
            b.param_i64(1).param(b"x").param_i64(3).param_u32(1);
        },
        "fd.type",
    );
    assert_eq!(n, None);
    for fd in [7, 9] {
        let n = t.feed(
            100,
            PPME_SYSCALL_READ_X,
            |b| {
                b.param_i64(1).param(b"x").param_i64(fd).param_u32(1);
            },
            "fd.name",
        );
        assert_eq!(n.as_deref(), Some("/home/x/y"), "fd {fd}");
    }
    t.feed(
        100,
        PPME_SYSCALL_CHDIR_X,
        |b| {
            b.param_i64(0).param_str(b"../tmp");
        },
        "proc.cwd",
    );
    let cwd = t.feed(
        100,
        PPME_SYSCALL_CHDIR_X,
        |b| {
            b.param_i64(-2).param_str(b"/nonexistent");
        },
        "proc.cwd",
    );
    assert_eq!(cwd.as_deref(), Some("/home/tmp/"));
}

#[test]
fn sockets_connect_and_accept() {
    let mut t = setup();
    // this machine is 10.0.0.1 (what makes an address "local")
    t.p.state
        .ipv4_interfaces
        .push(("10.0.0.1".parse().unwrap(), "255.0.0.0".parse().unwrap()));
    t.feed(
        100,
        PPME_SOCKET_SOCKET_X,
        |b| {
            b.param_i64(4)
                .param_u32(PPM_AF_INET as u32)
                .param_u32(SOCK_STREAM)
                .param_u32(0)
                .param_u32(0);
        },
        "fd.type",
    );
    let mut tuple = vec![PPM_AF_INET, 10, 0, 0, 1];
    tuple.extend_from_slice(&40000u16.to_le_bytes());
    tuple.extend_from_slice(&[93, 184, 216, 34]);
    tuple.extend_from_slice(&443u16.to_le_bytes());
    let name = t.feed(
        100,
        PPME_SOCKET_CONNECT_X,
        |b| {
            b.param_i64(0).param(&tuple).param_i64(4).param(b"");
        },
        "fd.name",
    );
    assert_eq!(name.as_deref(), Some("10.0.0.1:40000->93.184.216.34:443"));
    let f = |t: &mut T, field| {
        t.feed(
            100,
            PPME_SYSCALL_READ_X,
            |b| {
                b.param_i64(1).param(b"x").param_i64(4).param_u32(1);
            },
            field,
        )
    };
    assert_eq!(f(&mut t, "fd.sip").as_deref(), Some("93.184.216.34"));
    assert_eq!(f(&mut t, "fd.sport").as_deref(), Some("443"));
    assert_eq!(f(&mut t, "fd.cport").as_deref(), Some("40000"));
    assert_eq!(f(&mut t, "fd.l4proto").as_deref(), Some("tcp"));
    assert_eq!(f(&mut t, "fd.lport").as_deref(), Some("40000"));
    assert_eq!(f(&mut t, "fd.rip").as_deref(), Some("93.184.216.34"));
    assert_eq!(f(&mut t, "fd.is_server").as_deref(), Some("false"));
    assert_eq!(f(&mut t, "fd.sockfamily").as_deref(), Some("ip"));
    // accept4: this process is the server, the tuple's source the client
    let name = t.feed(
        100,
        PPME_SOCKET_ACCEPT4_6_X,
        |b| {
            b.param_i64(6)
                .param(&tuple)
                .param_u8(0)
                .param_u32(0)
                .param_u32(0)
                .param_u32(0);
        },
        "fd.name",
    );
    assert_eq!(name.as_deref(), Some("10.0.0.1:40000->93.184.216.34:443"));
    let cip = t.feed(
        100,
        PPME_SYSCALL_READ_X,
        |b| {
            b.param_i64(1).param(b"x").param_i64(6).param_u32(1);
        },
        "fd.cip",
    );
    assert_eq!(cip.as_deref(), Some("10.0.0.1"));
}

#[test]
fn procexit_reparents_and_removes_after_the_event() {
    let mut t = setup();
    t.p.add_thread(proc_entry(200, 200, 100, "sleep", "/"));
    let name = t.feed(
        100,
        PPME_PROCEXIT_1_E,
        |b| {
            b.param_i64(0)
                .param_i64(0)
                .param_u8(0)
                .param_u8(0)
                .param_i64(1);
        },
        "proc.name",
    );
    assert_eq!(
        name.as_deref(),
        Some("bash"),
        "the exiting thread is still known"
    );
    let p = t.feed(
        200,
        PPME_SYSCALL_READ_X,
        |b| {
            b.param_i64(0).param(b"").param_i64(0).param_u32(0);
        },
        "proc.pname",
    );
    assert_eq!(p.as_deref(), Some("init"), "reparented to the reaper");
    assert!(!t.p.state.threads.contains(100));
    assert_eq!(t.p.state.stats.threads_removed, 1);
}

#[test]
fn unknown_threads_get_a_placeholder_and_tables_are_bounded() {
    let mut t = T::new();
    t.p.state.limits = Limits {
        max_threads: 2,
        max_fds_per_table: 1,
    };
    let pid = t.feed(
        42,
        PPME_SYSCALL_READ_X,
        |b| {
            b.param_i64(0).param(b"").param_i64(0).param_u32(0);
        },
        "proc.pid",
    );
    assert_eq!(pid.as_deref(), Some("-1"));
    assert_eq!(t.p.state.stats.failed_thread_lookups, 1);
    for tid in [43, 44] {
        t.feed(
            tid,
            PPME_SYSCALL_READ_X,
            |b| {
                b.param_i64(0).param(b"").param_i64(0).param_u32(0);
            },
            "proc.pid",
        );
    }
    assert_eq!(t.p.state.threads.len(), 2);
    assert_eq!(t.p.state.stats.threads_evicted, 1);
    t.feed(
        44,
        PPME_SYSCALL_OPENAT_2_X,
        |b| openat_x(b, 3, PPM_AT_FDCWD, "/a", 0),
        "fd.name",
    );
    t.feed(
        44,
        PPME_SYSCALL_OPENAT_2_X,
        |b| openat_x(b, 4, PPM_AT_FDCWD, "/b", 0),
        "fd.name",
    );
    assert_eq!(t.p.state.stats.fds_evicted, 1);
}

#[test]
fn container_id_from_clone_cgroups() {
    let mut t = setup();
    let id = "3ad7b26ded6d8e7b23da7d48fe889434573036c27ae5a74837233de441c3601e";
    let cg = format!("cpu=/docker/{id}\0");
    let c = t.feed(
        500,
        PPME_SYSCALL_CLONE_20_X,
        |b| {
            b.param_i64(0)
                .param_str(b"sh")
                .param(b"")
                .param_i64(500)
                .param_i64(500)
                .param_i64(100)
                .param_str(b"/")
                .param_i64(1024)
                .param_u64(0)
                .param_u64(0)
                .param_u32(0)
                .param_u32(0)
                .param_u32(0)
                .param_str(b"sh")
                .param(cg.as_bytes())
                .param_u32(0);
        },
        "container.id",
    );
    assert_eq!(c.as_deref(), Some("3ad7b26ded6d"));
    let host = t.feed(
        100,
        PPME_SYSCALL_CHDIR_X,
        |b| {
            b.param_i64(0).param_str(b"/");
        },
        "container.id",
    );
    assert_eq!(host.as_deref(), Some("host"));
    let field = |t: &mut T, tid, f| {
        t.feed(
            tid,
            PPME_SYSCALL_CHDIR_X,
            |b| {
                b.param_i64(0).param_str(b"/");
            },
            f,
        )
    };
    assert_eq!(
        field(&mut t, 100, "container.name").as_deref(),
        Some("host")
    );
    assert_eq!(
        field(&mut t, 100, "container.image.repository").as_deref(),
        Some("")
    );
    assert_eq!(
        field(&mut t, 100, "container.privileged").as_deref(),
        Some("false")
    );
    assert_eq!(field(&mut t, 100, "k8s.ns.name"), None);
    // a container the engine has no runtime metadata for: id only
    assert_eq!(field(&mut t, 500, "container.name"), None);
    assert_eq!(field(&mut t, 500, "container.image.repository"), None);
}

#[test]
fn fs_path_fields() {
    let mut t = setup();
    // a directory fd for the *at syscalls
    t.feed(
        100,
        PPME_SYSCALL_OPENAT_2_X,
        |b| {
            openat_x(
                b,
                8,
                PPM_AT_FDCWD,
                "/var/log",
                PPM_O_RDONLY | PPM_O_DIRECTORY,
            )
        },
        "fd.type",
    );
    let unlinkat = |b: &mut EventBuilder, res: i64| {
        b.param_i64(res)
            .param_i64(8)
            .param_str(b"old/../app.log")
            .param_u32(0);
    };
    let n = t.feed(
        100,
        PPME_SYSCALL_UNLINKAT_2_X,
        |b| unlinkat(b, 0),
        "fs.path.name",
    );
    assert_eq!(n.as_deref(), Some("/var/log/app.log"));
    let n = t.feed(
        100,
        PPME_SYSCALL_UNLINKAT_2_X,
        |b| unlinkat(b, 0),
        "fs.path.nameraw",
    );
    assert_eq!(n.as_deref(), Some("old/../app.log"));
    let n = t.feed(
        100,
        PPME_SYSCALL_UNLINKAT_2_X,
        |b| unlinkat(b, -2),
        "fs.path.name",
    );
    assert_eq!(n, None, "failed syscalls have no fs.path");
    let mkdir = |b: &mut EventBuilder| {
        b.param_i64(0).param_str(b"build/out").param_u32(0o755);
    };
    let n = t.feed(100, PPME_SYSCALL_MKDIR_2_X, mkdir, "fs.path.name");
    assert_eq!(n.as_deref(), Some("/home/u/build/out"));
    let rename = |b: &mut EventBuilder| {
        b.param_i64(0)
            .param_i64(PPM_AT_FDCWD)
            .param_str(b"a.txt")
            .param_i64(8)
            .param_str(b"b.txt")
            .param_u32(0);
    };
    let s = t.feed(100, PPME_SYSCALL_RENAMEAT2_X, rename, "fs.path.source");
    assert_eq!(s.as_deref(), Some("/home/u/a.txt"));
    let d = t.feed(100, PPME_SYSCALL_RENAMEAT2_X, rename, "fs.path.target");
    assert_eq!(d.as_deref(), Some("/var/log/b.txt"));
    let n = t.feed(100, PPME_SYSCALL_RENAMEAT2_X, rename, "fs.path.name");
    assert_eq!(n, None, "rename has a source and a target, no single path");
}

#[test]
fn fdlist_of_poll() {
    let mut t = setup();
    t.feed(
        100,
        PPME_SYSCALL_OPENAT_2_X,
        |b| openat_x(b, 3, PPM_AT_FDCWD, "/etc/hosts", PPM_O_RDONLY),
        "fd.name",
    );
    let mut fds = Vec::new();
    fds.extend_from_slice(&2u16.to_le_bytes());
    for fd in [3i64, 9] {
        fds.extend_from_slice(&fd.to_le_bytes());
        fds.extend_from_slice(&1u16.to_le_bytes());
    }
    let poll = |b: &mut EventBuilder| {
        b.param_i64(1).param(&fds).param_i64(1000);
    };
    let n = t.feed(100, PPME_SYSCALL_POLL_X, poll, "fdlist.nums");
    assert_eq!(n.as_deref(), Some("3,9"));
    let n = t.feed(100, PPME_SYSCALL_POLL_X, poll, "fdlist.names");
    assert_eq!(n.as_deref(), Some("/etc/hosts,<NA>"));
    let n = t.feed(100, PPME_SYSCALL_POLL_X, poll, "fdlist.cips");
    assert_eq!(n, None, "no sockets among the fds");
}

#[test]
fn inactive_threads_are_purged() {
    let mut t = setup();
    t.feed(
        100,
        PPME_SYSCALL_CHDIR_X,
        |b| {
            b.param_i64(0).param_str(b"/");
        },
        "proc.name",
    );
    // init (pid 1) never had an event: lastevent_ts 0, kept
    let now = t.ts + 2_000_000_000;
    assert_eq!(t.p.purge_inactive(now, 1_000_000_000), 1);
    assert!(!t.p.state.threads.contains(100));
    assert!(t.p.state.threads.contains(1));
}
