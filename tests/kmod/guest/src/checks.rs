//! `check`: run a known workload and find each expected event with its
//! parameters; `busy`: a second consumer and an unload while open must fail.

use std::time::Duration;

use falcon_driver::abi::{self, ParamType};
use falcon_driver::event::Event;
use falcon_driver::kmod::{KmodError, KmodOptions, KmodSource};

use crate::report::Report;
use crate::util::{Captured, collect, cstr, gettid, sys};

const AT_FDCWD: u64 = -100i64 as u64;

/// Fixed wire width of a parameter type, if it has one.
fn fixed_width(t: ParamType) -> Option<usize> {
    use ParamType::*;
    Some(match t {
        Int8 | Uint8 | Flags8 | Enumflags8 | Sigtype | L4proto | Sockfamily => 1,
        Int16 | Uint16 | Flags16 | Enumflags16 | Syscallid | Port => 2,
        Int32 | Uint32 | Flags32 | Enumflags32 | Uid | Gid | Mode | Bool | Ipv4addr | Sigset
        | Fd32 | Pid32 => 4,
        Int64 | Uint64 | Errno | Fd | Pid | Reltime | Abstime | Double => 8,
        _ => return Option::None,
    })
}

/// Every event must match the table: known type, exactly the table's
/// parameter count, fixed-width parameters of their width, strings with
/// their NUL, and only the five time-of-check enter events.
fn validate(e: &Event<'_>) -> Result<(), String> {
    let info = e.info();
    if e.nparams() != info.params.len() {
        return Err(format!(
            "{} has {} params, table {}",
            info.name,
            e.nparams(),
            info.params.len()
        ));
    }
    if info.is_old() || info.is_unused() {
        return Err(format!(
            "{} ({}) is not a current event",
            info.name, info.code
        ));
    }
    if info.code % 2 == 0 && ![2u16, 22, 58, 186, 306, 326].contains(&info.code) {
        return Err(format!("unexpected enter event {}", info.code));
    }
    for (i, p) in info.params.iter().enumerate() {
        let b = e.param(i).unwrap_or(&[]);
        if b.is_empty() {
            continue;
        }
        if let Some(w) = fixed_width(p.ty)
            && b.len() != w
        {
            return Err(format!(
                "{}.{} is {} bytes, want {w}",
                info.name,
                p.name,
                b.len()
            ));
        }
        if matches!(
            p.ty,
            ParamType::Charbuf | ParamType::Fspath | ParamType::Fsrelpath
        ) && b.last() != Some(&0)
        {
            return Err(format!("{}.{} lacks its NUL", info.name, p.name));
        }
    }
    Ok(())
}

struct Found<'a> {
    evs: &'a [Captured],
}

impl<'a> Found<'a> {
    fn find(&self, code: u32, tid: i64, pred: impl Fn(&Event<'_>) -> bool) -> Option<Event<'a>> {
        self.evs
            .iter()
            .map(|c| Event::parse(&c.bytes).expect("validated"))
            .find(|e| e.code() as u32 == code && e.tid() as i64 == tid && pred(e))
    }
}

fn s<'a>(e: &Event<'a>, name: &str) -> &'a [u8] {
    e.info()
        .param_index(name)
        .and_then(|i| e.param_str(i))
        .unwrap_or(b"<missing>")
}

fn i(e: &Event<'_>, name: &str) -> i64 {
    e.info()
        .param_index(name)
        .and_then(|i| e.param_i64(i))
        .unwrap_or(i64::MIN)
}

fn u(e: &Event<'_>, name: &str) -> u64 {
    e.info()
        .param_index(name)
        .and_then(|i| e.param_u64(i))
        .unwrap_or(u64::MAX)
}

fn raw<'a>(e: &Event<'a>, name: &str) -> &'a [u8] {
    e.info()
        .param_index(name)
        .and_then(|i| e.param(i))
        .unwrap_or(&[])
}

struct Workload {
    tid: i64,
    shadow_fd: i64,
    shadow_data: Vec<u8>,
    child: i64,
    fork_child: i64,
    probe_fd: i64,
    srv: i64,
    cli: i64,
    port: u16,
    acc: i64,
    dup: i64,
    pipe: [i32; 2],
    memfd: i64,
    map: i64,
}

fn run_workload() -> Workload {
    let tid = gettid();
    let p_shadow = cstr("/etc/shadow");
    let shadow_fd = sys(
        libc::SYS_openat,
        &[AT_FDCWD, p_shadow.as_ptr() as u64, libc::O_RDONLY as u64],
    );
    let mut buf = [0u8; 100];
    let n = sys(
        libc::SYS_read,
        &[shadow_fd as u64, buf.as_mut_ptr() as u64, 100],
    );
    let shadow_data = buf[..n.max(0) as usize].to_vec();
    sys(libc::SYS_close, &[shadow_fd as u64]);

    // spawn a shell: fork (clone) + execve, exit status 3
    let sh = cstr("/bin/sh");
    let a0 = cstr("sh");
    let a1 = cstr("-c");
    let a2 = cstr("exit 3");
    let argv = [a0.as_ptr(), a1.as_ptr(), a2.as_ptr(), std::ptr::null()];
    let envp = [std::ptr::null::<libc::c_char>()];
    // SAFETY: the child only calls execve and _exit.
    let child = unsafe { libc::fork() } as i64;
    if child == 0 {
        // SAFETY: argv/envp are NULL-terminated arrays of C strings.
        unsafe {
            libc::execve(sh.as_ptr(), argv.as_ptr(), envp.as_ptr());
            libc::_exit(127);
        }
    }
    let mut status = 0;
    // SAFETY: waiting for our own child.
    unsafe { libc::waitpid(child as i32, &mut status, 0) };

    // raw fork syscall: the child exits at once
    let fork_child = sys(libc::SYS_fork, &[]);
    if fork_child == 0 {
        // SAFETY: immediate exit of the forked child.
        unsafe { libc::_exit(0) };
    }
    // SAFETY: reaping the child.
    unsafe { libc::waitpid(fork_child as i32, &mut status, 0) };

    // write below /usr/bin, then rename, link, symlink, chmod, unlink
    let probe = cstr("/usr/bin/falcon-probe");
    let probe2 = cstr("/usr/bin/falcon-probe2");
    let probe_fd = sys(
        libc::SYS_openat,
        &[
            AT_FDCWD,
            probe.as_ptr() as u64,
            (libc::O_WRONLY | libc::O_CREAT | libc::O_TRUNC) as u64,
            0o755,
        ],
    );
    sys(
        libc::SYS_write,
        &[probe_fd as u64, b"hello".as_ptr() as u64, 5],
    );
    sys(libc::SYS_close, &[probe_fd as u64]);
    sys(
        libc::SYS_rename,
        &[probe.as_ptr() as u64, probe2.as_ptr() as u64],
    );
    sys(
        libc::SYS_link,
        &[probe2.as_ptr() as u64, probe.as_ptr() as u64],
    );
    sys(libc::SYS_chmod, &[probe.as_ptr() as u64, 0o4755]);
    sys(libc::SYS_unlink, &[probe.as_ptr() as u64]);
    sys(
        libc::SYS_symlink,
        &[probe2.as_ptr() as u64, probe.as_ptr() as u64],
    );
    sys(libc::SYS_unlinkat, &[AT_FDCWD, probe.as_ptr() as u64, 0]);
    sys(libc::SYS_unlinkat, &[AT_FDCWD, probe2.as_ptr() as u64, 0]);
    let d = cstr("/tmp/falcon-dir");
    sys(libc::SYS_mkdir, &[d.as_ptr() as u64, 0o700]);
    sys(libc::SYS_rmdir, &[d.as_ptr() as u64]);
    let c = cstr("/tmp/falcon-creat");
    let cfd = sys(libc::SYS_creat, &[c.as_ptr() as u64, 0o644]);
    sys(libc::SYS_close, &[cfd as u64]);
    let ofd = sys(libc::SYS_open, &[c.as_ptr() as u64, libc::O_RDONLY as u64]);
    sys(libc::SYS_close, &[ofd as u64]);
    // openat2 with RESOLVE_NO_SYMLINKS
    let how: [u64; 3] = [libc::O_RDONLY as u64, 0, 0x04];
    let o2 = sys(437, &[AT_FDCWD, c.as_ptr() as u64, how.as_ptr() as u64, 24]);
    sys(libc::SYS_close, &[o2 as u64]);

    // sockets on loopback
    let srv = sys(
        libc::SYS_socket,
        &[libc::AF_INET as u64, libc::SOCK_STREAM as u64, 0],
    );
    let mut sa: libc::sockaddr_in = unsafe_zeroed();
    sa.sin_family = libc::AF_INET as u16;
    sa.sin_addr.s_addr = u32::from_ne_bytes([127, 0, 0, 1]);
    let salen = std::mem::size_of::<libc::sockaddr_in>() as u64;
    sys(libc::SYS_bind, &[srv as u64, &sa as *const _ as u64, salen]);
    sys(libc::SYS_listen, &[srv as u64, 5]);
    let mut got: libc::sockaddr_in = unsafe_zeroed();
    let mut gl = salen as u32;
    sys(
        libc::SYS_getsockname,
        &[
            srv as u64,
            &mut got as *mut _ as u64,
            &mut gl as *mut _ as u64,
        ],
    );
    let port = u16::from_be(got.sin_port);
    let cli = sys(
        libc::SYS_socket,
        &[libc::AF_INET as u64, libc::SOCK_STREAM as u64, 0],
    );
    sys(
        libc::SYS_connect,
        &[cli as u64, &got as *const _ as u64, salen],
    );
    let acc = sys(libc::SYS_accept, &[srv as u64, 0, 0]);

    let dup = sys(libc::SYS_dup, &[cli as u64]);
    sys(libc::SYS_dup2, &[dup as u64, 100]);
    sys(libc::SYS_dup3, &[dup as u64, 101, libc::O_CLOEXEC as u64]);
    let mut pipe = [-1i32; 2];
    sys(
        libc::SYS_pipe2,
        &[pipe.as_mut_ptr() as u64, libc::O_CLOEXEC as u64],
    );
    let mname = cstr("falcon");
    let memfd = sys(libc::SYS_memfd_create, &[mname.as_ptr() as u64, 1]);
    let map = sys(
        libc::SYS_mmap,
        &[
            0,
            4096,
            (libc::PROT_READ | libc::PROT_WRITE) as u64,
            (libc::MAP_PRIVATE | libc::MAP_ANONYMOUS) as u64,
            -1i64 as u64,
            0,
        ],
    );
    sys(
        libc::SYS_mprotect,
        &[map as u64, 4096, libc::PROT_READ as u64],
    );
    let pname = cstr("falcon-chk");
    sys(
        libc::SYS_prctl,
        &[libc::PR_SET_NAME as u64, pname.as_ptr() as u64],
    );
    let tmp = cstr("/tmp");
    let root = cstr("/");
    sys(libc::SYS_chdir, &[tmp.as_ptr() as u64]);
    let rootfd = sys(
        libc::SYS_open,
        &[root.as_ptr() as u64, libc::O_RDONLY as u64],
    );
    sys(libc::SYS_fchdir, &[rootfd as u64]);
    sys(libc::SYS_chroot, &[root.as_ptr() as u64]);
    sys(libc::SYS_kill, &[std::process::id() as u64, 0]);
    sys(libc::SYS_setuid, &[0]);
    sys(libc::SYS_setgid, &[0]);
    sys(libc::SYS_setresuid, &[0, 0, 0]);
    sys(libc::SYS_unshare, &[0]);
    sys(libc::SYS_setns, &[-1i64 as u64, 0]);
    sys(
        libc::SYS_ptrace,
        &[libc::PTRACE_ATTACH as u64, 999_999, 0, 0],
    );
    let none = cstr("none");
    let mnt = cstr("/mnt");
    let tmpfs = cstr("tmpfs");
    sys(
        libc::SYS_mount,
        &[
            none.as_ptr() as u64,
            mnt.as_ptr() as u64,
            tmpfs.as_ptr() as u64,
            0,
            0,
        ],
    );
    sys(libc::SYS_umount2, &[mnt.as_ptr() as u64, 0]);
    let empty = cstr("");
    sys(
        libc::SYS_finit_module,
        &[-1i64 as u64, empty.as_ptr() as u64, 0],
    );
    sys(libc::SYS_bpf, &[9999, 0, 0]);
    sys(libc::SYS_getpid, &[]);
    let mut cwd = [0u8; 64];
    sys(libc::SYS_getcwd, &[cwd.as_mut_ptr() as u64, 64]);
    for fd in [
        cli,
        srv,
        acc,
        dup,
        100,
        101,
        memfd,
        rootfd,
        pipe[0] as i64,
        pipe[1] as i64,
    ] {
        sys(libc::SYS_close, &[fd as u64]);
    }
    Workload {
        tid,
        shadow_fd,
        shadow_data,
        child,
        fork_child,
        probe_fd,
        srv,
        cli,
        port,
        acc,
        dup,
        pipe,
        memfd,
        map,
    }
}

fn unsafe_zeroed<T>() -> T {
    // SAFETY: only used for plain C socket address structs.
    unsafe { std::mem::zeroed() }
}

fn ck(
    r: &mut Report,
    name: &str,
    e: Option<Event<'_>>,
    pred: impl FnOnce(&Event<'_>) -> Result<(), String>,
) {
    match e {
        None => r.check(name, Err("event not captured".into())),
        Some(e) => r.check(name, pred(&e)),
    }
}

fn want(cond: bool, what: impl FnOnce() -> String) -> Result<(), String> {
    if cond { Ok(()) } else { Err(what()) }
}

pub fn run(r: &mut Report) {
    let opts = KmodOptions::default();
    let mut src = match KmodSource::open(&opts) {
        Ok(s) => s,
        Err(e) => {
            r.check("open", Err(e.to_string()));
            return;
        }
    };
    r.check("open", Ok(()));
    let w = run_workload();
    let pty_ok = crate::util::pty_shell() == std::process::ExitCode::SUCCESS;
    let mut evs = Vec::new();
    collect(&mut src, Duration::from_millis(300), &mut evs);
    let stats = src.stats();

    let mut bad = Vec::new();
    let mut last_ts = vec![0u64; src.rings()];
    let mut order_ok = true;
    for c in &evs {
        let e = c.ev();
        if let Err(why) = validate(&e) {
            bad.push(why);
        }
        if e.ts() < last_ts[c.cpu] {
            order_ok = false;
        }
        last_ts[c.cpu] = e.ts();
    }
    r.ok(
        "all events match the table",
        bad.is_empty() && !evs.is_empty(),
        || {
            format!(
                "{} bad of {}: {:?}",
                bad.len(),
                evs.len(),
                &bad[..bad.len().min(5)]
            )
        },
    );
    r.ok("per-CPU timestamps ascend", order_ok, || {
        "out of order".into()
    });
    r.ok(
        "no malformed batch",
        stats.bad_batches.iter().all(|&b| b == 0),
        || format!("{:?} {:?}", stats.bad_batches, src.last_error()),
    );
    r.ok("no drops", stats.drops() == 0, || {
        let cats: Vec<_> = stats.rings.iter().map(|r| r.n_drops_buffer_cat).collect();
        format!("{} drops, by category {cats:?}", stats.drops())
    });

    let f = Found { evs: &evs };
    let t = w.tid;
    use abi::*;
    ck(
        r,
        "openat enter /etc/shadow",
        f.find(PPME_SYSCALL_OPENAT_2_E, t, |e| {
            s(e, "name") == b"/etc/shadow"
        }),
        |e| want(i(e, "dirfd") == -100, || format!("dirfd {}", i(e, "dirfd"))),
    );
    ck(
        r,
        "openat exit /etc/shadow",
        f.find(PPME_SYSCALL_OPENAT_2_X, t, |e| {
            s(e, "name") == b"/etc/shadow"
        }),
        |e| {
            want(
                i(e, "fd") == w.shadow_fd
                    && u(e, "flags") == 1
                    && u(e, "ino") != 0
                    && u(e, "ino") != u64::MAX,
                || {
                    format!(
                        "fd {} flags {:#x} ino {}",
                        i(e, "fd"),
                        u(e, "flags"),
                        u(e, "ino")
                    )
                },
            )
        },
    );
    ck(
        r,
        "read data (snaplen)",
        f.find(PPME_SYSCALL_READ_X, t, |e| i(e, "fd") == w.shadow_fd),
        |e| {
            let d = raw(e, "data");
            let n = w.shadow_data.len().min(80);
            want(
                d == &w.shadow_data[..n]
                    && i(e, "res") == w.shadow_data.len() as i64
                    && u(e, "size") == 100,
                || format!("data {} bytes res {}", d.len(), i(e, "res")),
            )
        },
    );
    ck(
        r,
        "close",
        f.find(PPME_SYSCALL_CLOSE_X, t, |e| i(e, "fd") == w.shadow_fd),
        |e| want(i(e, "res") == 0, || format!("res {}", i(e, "res"))),
    );
    ck(
        r,
        "clone parent",
        f.find(PPME_SYSCALL_CLONE_20_X, t, |e| i(e, "res") == w.child),
        |e| {
            want(
                i(e, "pid") as u32 == std::process::id() && !s(e, "comm").is_empty(),
                || "pid/comm".into(),
            )
        },
    );
    ck(
        r,
        "clone child",
        f.find(PPME_SYSCALL_CLONE_20_X, w.child, |e| i(e, "res") == 0),
        |e| {
            want(
                i(e, "tid") == w.child && i(e, "ptid") as u32 == std::process::id(),
                || format!("tid {} ptid {}", i(e, "tid"), i(e, "ptid")),
            )
        },
    );
    ck(
        r,
        "execve of a shell",
        f.find(PPME_SYSCALL_EXECVE_19_X, w.child, |_| true),
        |e| {
            want(
                i(e, "res") == 0
                    && s(e, "filename") == b"/bin/sh"
                    && s(e, "exe") == b"sh"
                    && raw(e, "args") == b"-c\0exit 3\0"
                    && s(e, "comm") == b"sh"
                    && s(e, "cwd") == b"/"
                    && !raw(e, "trusted_exepath").is_empty(),
                || {
                    format!(
                        "res {} filename {:?} exe {:?} args {:?} comm {:?} cwd {:?}",
                        i(e, "res"),
                        String::from_utf8_lossy(s(e, "filename")),
                        String::from_utf8_lossy(s(e, "exe")),
                        String::from_utf8_lossy(raw(e, "args")),
                        String::from_utf8_lossy(s(e, "comm")),
                        String::from_utf8_lossy(s(e, "cwd"))
                    )
                },
            )
        },
    );
    ck(
        r,
        "procexit status 3",
        f.find(PPME_PROCEXIT_1_E, w.child, |_| true),
        |e| {
            want(i(e, "ret") == 3, || {
                format!("ret {} status {}", i(e, "ret"), i(e, "status"))
            })
        },
    );
    ck(
        r,
        "fork parent",
        f.find(PPME_SYSCALL_FORK_20_X, t, |e| i(e, "res") == w.fork_child),
        |_| Ok(()),
    );
    ck(
        r,
        "fork child",
        f.find(PPME_SYSCALL_FORK_20_X, w.fork_child, |e| i(e, "res") == 0),
        |_| Ok(()),
    );
    ck(
        r,
        "open for write below /usr/bin",
        f.find(PPME_SYSCALL_OPENAT_2_X, t, |e| {
            s(e, "name") == b"/usr/bin/falcon-probe"
        }),
        |e| {
            want(
                i(e, "fd") == w.probe_fd && u(e, "flags") == (2 | 4 | 256) && u(e, "mode") == 0o755,
                || {
                    format!(
                        "fd {} flags {:#x} mode {:o}",
                        i(e, "fd"),
                        u(e, "flags"),
                        u(e, "mode")
                    )
                },
            )
        },
    );
    ck(
        r,
        "write data",
        f.find(PPME_SYSCALL_WRITE_X, t, |e| i(e, "fd") == w.probe_fd),
        |e| {
            want(raw(e, "data") == b"hello" && i(e, "res") == 5, || {
                "data".into()
            })
        },
    );
    ck(
        r,
        "rename",
        f.find(PPME_SYSCALL_RENAME_X, t, |_| true),
        |e| {
            want(
                s(e, "oldpath") == b"/usr/bin/falcon-probe"
                    && s(e, "newpath") == b"/usr/bin/falcon-probe2"
                    && i(e, "res") == 0,
                || "paths".into(),
            )
        },
    );
    ck(r, "link", f.find(PPME_SYSCALL_LINK_2_X, t, |_| true), |e| {
        want(i(e, "res") == 0, || "res".into())
    });
    ck(
        r,
        "chmod setuid",
        f.find(PPME_SYSCALL_CHMOD_X, t, |_| true),
        |e| {
            want(
                u(e, "mode") == 0o4755 && s(e, "filename") == b"/usr/bin/falcon-probe",
                || format!("mode {:o}", u(e, "mode")),
            )
        },
    );
    ck(
        r,
        "unlink",
        f.find(PPME_SYSCALL_UNLINK_2_X, t, |e| {
            s(e, "path") == b"/usr/bin/falcon-probe"
        }),
        |e| want(i(e, "res") == 0, || "res".into()),
    );
    ck(
        r,
        "symlink",
        f.find(PPME_SYSCALL_SYMLINK_X, t, |_| true),
        |e| {
            want(
                s(e, "target") == b"/usr/bin/falcon-probe2"
                    && s(e, "linkpath") == b"/usr/bin/falcon-probe",
                || "paths".into(),
            )
        },
    );
    ck(
        r,
        "unlinkat",
        f.find(PPME_SYSCALL_UNLINKAT_2_X, t, |e| {
            s(e, "name") == b"/usr/bin/falcon-probe2"
        }),
        |e| {
            want(i(e, "dirfd") == -100 && i(e, "res") == 0, || {
                "dirfd/res".into()
            })
        },
    );
    ck(
        r,
        "mkdir",
        f.find(PPME_SYSCALL_MKDIR_2_X, t, |_| true),
        |e| {
            want(
                s(e, "path") == b"/tmp/falcon-dir" && u(e, "mode") == 0o700,
                || "path/mode".into(),
            )
        },
    );
    ck(
        r,
        "rmdir",
        f.find(PPME_SYSCALL_RMDIR_2_X, t, |_| true),
        |e| want(s(e, "path") == b"/tmp/falcon-dir", || "path".into()),
    );
    ck(
        r,
        "creat enter+exit",
        f.find(PPME_SYSCALL_CREAT_E, t, |e| {
            s(e, "name") == b"/tmp/falcon-creat"
        }),
        |_| Ok(()),
    );
    ck(
        r,
        "creat exit",
        f.find(PPME_SYSCALL_CREAT_X, t, |_| true),
        |e| {
            want(i(e, "fd") >= 0 && u(e, "mode") == 0o644, || {
                "fd/mode".into()
            })
        },
    );
    ck(
        r,
        "open enter",
        f.find(PPME_SYSCALL_OPEN_E, t, |e| {
            s(e, "name") == b"/tmp/falcon-creat"
        }),
        |e| want(u(e, "flags") == 1, || "flags".into()),
    );
    ck(
        r,
        "open exit",
        f.find(PPME_SYSCALL_OPEN_X, t, |e| {
            s(e, "name") == b"/tmp/falcon-creat"
        }),
        |e| want(i(e, "fd") >= 0, || "fd".into()),
    );
    ck(
        r,
        "openat2 resolve",
        f.find(PPME_SYSCALL_OPENAT2_X, t, |_| true),
        |e| {
            want(
                u(e, "resolve") == 8 && s(e, "name") == b"/tmp/falcon-creat",
                || format!("resolve {:#x}", u(e, "resolve")),
            )
        },
    );
    ck(
        r,
        "openat2 enter",
        f.find(PPME_SYSCALL_OPENAT2_E, t, |_| true),
        |e| want(u(e, "resolve") == 8, || "resolve".into()),
    );
    ck(
        r,
        "socket",
        f.find(PPME_SOCKET_SOCKET_X, t, |e| i(e, "fd") == w.srv),
        |e| {
            want(u(e, "domain") == 2 && u(e, "type") == 1, || {
                "domain/type".into()
            })
        },
    );
    ck(r, "bind", f.find(PPME_SOCKET_BIND_X, t, |_| true), |e| {
        want(
            raw(e, "addr") == [2, 127, 0, 0, 1, 0, 0] && i(e, "fd") == w.srv,
            || format!("addr {:?}", raw(e, "addr")),
        )
    });
    ck(
        r,
        "listen",
        f.find(PPME_SOCKET_LISTEN_X, t, |_| true),
        |e| want(i(e, "backlog") == 5, || "backlog".into()),
    );
    let pb = w.port.to_le_bytes();
    ck(
        r,
        "connect enter",
        f.find(PPME_SOCKET_CONNECT_E, t, |e| i(e, "fd") == w.cli),
        |e| {
            want(raw(e, "addr") == [2, 127, 0, 0, 1, pb[0], pb[1]], || {
                format!("addr {:?}", raw(e, "addr"))
            })
        },
    );
    ck(
        r,
        "connect tuple",
        f.find(PPME_SOCKET_CONNECT_X, t, |e| i(e, "fd") == w.cli),
        |e| {
            let tu = raw(e, "tuple");
            want(
                i(e, "res") == 0
                    && tu.len() == 13
                    && tu[0] == 2
                    && tu[1..5] == [127, 0, 0, 1]
                    && tu[11..13] == pb,
                || format!("res {} tuple {:?}", i(e, "res"), tu),
            )
        },
    );
    ck(
        r,
        "accept tuple",
        f.find(PPME_SOCKET_ACCEPT_5_X, t, |e| i(e, "fd") == w.acc),
        |e| {
            let tu = raw(e, "tuple");
            want(
                tu.len() == 13 && tu[11..13] == pb && u(e, "queuemax") == 5,
                || format!("tuple {tu:?} max {}", u(e, "queuemax")),
            )
        },
    );
    ck(r, "dup", f.find(PPME_SYSCALL_DUP_1_X, t, |_| true), |e| {
        want(i(e, "res") == w.dup && i(e, "oldfd") == w.cli, || {
            "res/oldfd".into()
        })
    });
    ck(r, "dup2", f.find(PPME_SYSCALL_DUP2_X, t, |_| true), |e| {
        want(i(e, "newfd") == 100 && i(e, "res") == 100, || {
            "newfd".into()
        })
    });
    ck(r, "dup3", f.find(PPME_SYSCALL_DUP3_X, t, |_| true), |e| {
        want(i(e, "newfd") == 101 && u(e, "flags") == 1 << 12, || {
            format!("flags {:#x}", u(e, "flags"))
        })
    });
    ck(r, "pipe2", f.find(PPME_SYSCALL_PIPE2_X, t, |_| true), |e| {
        want(
            i(e, "fd1") == w.pipe[0] as i64
                && i(e, "fd2") == w.pipe[1] as i64
                && u(e, "ino") != 0
                && u(e, "flags") == 1 << 12,
            || "fds/ino/flags".into(),
        )
    });
    ck(
        r,
        "memfd_create",
        f.find(PPME_SYSCALL_MEMFD_CREATE_X, t, |_| true),
        |e| {
            want(
                i(e, "fd") == w.memfd && s(e, "name") == b"falcon" && u(e, "flags") == 1,
                || "fd/name/flags".into(),
            )
        },
    );
    ck(
        r,
        "mmap",
        f.find(PPME_SYSCALL_MMAP_X, t, |e| i(e, "res") == w.map),
        |e| {
            want(
                u(e, "length") == 4096
                    && u(e, "prot") == 3
                    && u(e, "flags") == 10
                    && i(e, "fd") == -1,
                || format!("prot {} flags {}", u(e, "prot"), u(e, "flags")),
            )
        },
    );
    ck(
        r,
        "mprotect",
        f.find(PPME_SYSCALL_MPROTECT_X, t, |e| u(e, "addr") == w.map as u64),
        |e| want(u(e, "prot") == 1, || "prot".into()),
    );
    ck(
        r,
        "prctl set name",
        f.find(PPME_SYSCALL_PRCTL_X, t, |_| true),
        |e| {
            want(
                u(e, "option") == 15 && s(e, "arg2_str") == b"falcon-chk",
                || "option/name".into(),
            )
        },
    );
    ck(r, "chdir", f.find(PPME_SYSCALL_CHDIR_X, t, |_| true), |e| {
        want(s(e, "path") == b"/tmp", || "path".into())
    });
    ck(
        r,
        "fchdir",
        f.find(PPME_SYSCALL_FCHDIR_X, t, |_| true),
        |e| want(i(e, "res") == 0, || "res".into()),
    );
    ck(
        r,
        "chroot",
        f.find(PPME_SYSCALL_CHROOT_X, t, |_| true),
        |e| want(s(e, "path") == b"/", || "path".into()),
    );
    ck(r, "kill", f.find(PPME_SYSCALL_KILL_X, t, |_| true), |e| {
        want(
            i(e, "pid") as u32 == std::process::id() && u(e, "sig") == 0,
            || "pid/sig".into(),
        )
    });
    ck(
        r,
        "setuid",
        f.find(PPME_SYSCALL_SETUID_X, t, |_| true),
        |e| want(i(e, "res") == 0 && u(e, "uid") == 0, || "res/uid".into()),
    );
    ck(
        r,
        "setgid",
        f.find(PPME_SYSCALL_SETGID_X, t, |_| true),
        |e| want(i(e, "res") == 0, || "res".into()),
    );
    ck(
        r,
        "setresuid",
        f.find(PPME_SYSCALL_SETRESUID_X, t, |_| true),
        |e| want(i(e, "res") == 0, || "res".into()),
    );
    ck(
        r,
        "unshare",
        f.find(PPME_SYSCALL_UNSHARE_X, t, |_| true),
        |e| want(i(e, "res") == 0, || "res".into()),
    );
    ck(
        r,
        "setns EBADF",
        f.find(PPME_SYSCALL_SETNS_X, t, |_| true),
        |e| want(i(e, "res") == -9, || "res".into()),
    );
    ck(
        r,
        "ptrace attach",
        f.find(PPME_SYSCALL_PTRACE_X, t, |_| true),
        |e| {
            want(
                i(e, "res") == -3 && u(e, "request") == 11 && i(e, "pid") == 999_999,
                || format!("res {} req {}", i(e, "res"), u(e, "request")),
            )
        },
    );
    ck(
        r,
        "mount tmpfs",
        f.find(PPME_SYSCALL_MOUNT_X, t, |_| true),
        |e| {
            want(
                i(e, "res") == 0
                    && s(e, "dir") == b"/mnt"
                    && s(e, "type") == b"tmpfs"
                    && s(e, "dev") == b"none",
                || format!("res {}", i(e, "res")),
            )
        },
    );
    ck(
        r,
        "umount2",
        f.find(PPME_SYSCALL_UMOUNT2_X, t, |_| true),
        |e| want(s(e, "name") == b"/mnt", || "name".into()),
    );
    ck(
        r,
        "finit_module",
        f.find(PPME_SYSCALL_FINIT_MODULE_X, t, |_| true),
        |e| want(i(e, "fd") == -1 && i(e, "res") < 0, || "fd/res".into()),
    );
    ck(r, "bpf", f.find(PPME_SYSCALL_BPF_2_X, t, |_| true), |e| {
        want(u(e, "cmd") == 9999 && i(e, "fd") == -22, || {
            format!("cmd {} res {}", u(e, "cmd"), i(e, "fd"))
        })
    });
    ck(
        r,
        "generic getpid",
        f.find(PPME_GENERIC_X, t, |e| u(e, "nativeID") == 39),
        |e| want(u(e, "ID") == 16, || format!("ID {}", u(e, "ID"))),
    );
    ck(
        r,
        "dedicated event without filler (getcwd)",
        f.find(PPME_SYSCALL_GETCWD_X, t, |_| true),
        |e| want(i(e, "res") > 0, || "res".into()),
    );
    let me = std::process::id() as i64;
    let pty_exec = evs.iter().map(|c| c.ev()).find(|e| {
        e.code() as u32 == PPME_SYSCALL_EXECVE_19_X
            && i(e, "ptid") == me
            && raw(e, "args") == b"-c\0exit 0\0"
    });
    r.ok("shell started on a pty", pty_ok, || {
        "pty_shell failed".into()
    });
    ck(r, "execve on a pty carries its tty", pty_exec, |e| {
        want(u(e, "tty") != 0 && u(e, "tty") != u64::MAX, || {
            format!("tty {}", u(e, "tty"))
        })
    });
    ck(
        r,
        "zero-parameter event (getsockname)",
        f.find(PPME_SOCKET_GETSOCKNAME_X, t, |_| true),
        |e| want(e.nparams() == 0, || format!("{} params", e.nparams())),
    );
    drop(src);
}

pub fn busy(r: &mut Report) {
    let src = match KmodSource::open(&KmodOptions::default()) {
        Ok(s) => s,
        Err(e) => {
            r.check("open", Err(e.to_string()));
            return;
        }
    };
    r.check("open", Ok(()));
    // same process, same device again
    let again = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/falcon0");
    r.ok(
        "second open of a device is EBUSY",
        matches!(&again, Err(e) if e.raw_os_error() == Some(libc::EBUSY)),
        || format!("{again:?}"),
    );
    // another process
    // SAFETY: the child only opens a file and exits.
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        let e = KmodSource::open(&KmodOptions::default());
        let code = if matches!(e, Err(KmodError::Busy { .. })) {
            0
        } else {
            1
        };
        // SAFETY: immediate exit of the forked child.
        unsafe { libc::_exit(code) };
    }
    let mut status = 0;
    // SAFETY: reaping our child.
    unsafe { libc::waitpid(pid, &mut status, 0) };
    r.ok(
        "another process gets EBUSY",
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        || format!("child status {status}"),
    );
    let rm = std::process::Command::new("rmmod").arg("falcon").status();
    let loaded = std::fs::read_to_string("/proc/modules")
        .map(|m| m.lines().any(|l| l.starts_with("falcon ")))
        .unwrap_or(false);
    r.ok(
        "rmmod refused while open",
        matches!(rm, Ok(s) if !s.success()) && loaded,
        || format!("{rm:?} loaded={loaded}"),
    );
    drop(src);
    let again = KmodSource::open(&KmodOptions::default());
    r.ok("reopen after close", again.is_ok(), || {
        format!("{:?}", again.err())
    });
}
