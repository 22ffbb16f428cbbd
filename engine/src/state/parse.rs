//! The event parser: updates [`State`] from each event and resolves the
//! thread and fd it refers to.
//!
//! Events are numbered like current Falco numbers them: syscall enter events
//! of old enter+exit captures (flagged `EF_OLD_VERSION`) are not delivered;
//! they are kept per thread and complete the matching exit event, like
//! libscap's capture converter merges them. The TOCTOU enter events that
//! current drivers still send (open, openat, openat2, creat, connect) are
//! delivered.

use super::ctx::{int_i64, int_u64, trim_nul};
use super::paths;
use super::*;
use falcon_driver::abi::{self, Direction, EVENT_MAX};
use falcon_driver::event::Event;
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Why an event could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("event {num}: {source}")]
    Event {
        num: u64,
        source: falcon_driver::event::EventError,
    },
}

/// What the parser made of one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Processed {
    /// `evt.num`.
    pub num: u64,
    pub cpu: u16,
    pub tid: i64,
    /// The thread is in the table.
    pub has_thread: bool,
    /// The event has a stored enter event.
    pub has_enter: bool,
}

/// How the parser treats an event type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Other,
    Clone,
    Execve,
    Procexit,
    Open,
    Socket,
    Connect,
    Accept,
    Bind,
    Close,
    Dup,
    Fcntl,
    Pipe,
    NewFd(FdType),
    Memfd,
    Chdir,
    Fchdir,
    Chroot,
    Setuid,
    Setgid,
    Setresuid,
    Setresgid,
    Setsid,
    Setpgid,
    Capset,
    /// sendto/sendmsg/recvfrom/recvmsg: a tuple may name the peer of an
    /// unconnected socket.
    SendRecv,
    UserAdded,
    UserDeleted,
    GroupAdded,
    GroupDeleted,
    Procinfo,
}

fn kind_of(info: &abi::EventInfo) -> Kind {
    let exit = info.direction() == Direction::Exit;
    if !exit {
        return match info.name {
            "procexit" => Kind::Procexit,
            "useradded" => Kind::UserAdded,
            "userdeleted" => Kind::UserDeleted,
            "groupadded" => Kind::GroupAdded,
            "groupdeleted" => Kind::GroupDeleted,
            "procinfo" => Kind::Procinfo,
            _ => Kind::Other,
        };
    }
    match info.name {
        "clone" | "fork" | "vfork" | "clone3" => Kind::Clone,
        "execve" | "execveat" => Kind::Execve,
        "open" | "openat" | "openat2" | "creat" | "open_by_handle_at" => Kind::Open,
        "socket" => Kind::Socket,
        "connect" => Kind::Connect,
        "accept" | "accept4" => Kind::Accept,
        "bind" => Kind::Bind,
        "close" => Kind::Close,
        "dup" | "dup2" | "dup3" => Kind::Dup,
        "fcntl" => Kind::Fcntl,
        "pipe" | "pipe2" => Kind::Pipe,
        "eventfd" | "eventfd2" => Kind::NewFd(FdType::Event),
        "signalfd" | "signalfd4" => Kind::NewFd(FdType::Signalfd),
        "timerfd_create" => Kind::NewFd(FdType::Timerfd),
        "inotify_init" | "inotify_init1" => Kind::NewFd(FdType::Inotify),
        "epoll_create" | "epoll_create1" => Kind::NewFd(FdType::Eventpoll),
        "userfaultfd" => Kind::NewFd(FdType::Userfaultfd),
        "io_uring_setup" => Kind::NewFd(FdType::Iouring),
        "pidfd_open" => Kind::NewFd(FdType::Pidfd),
        "memfd_create" => Kind::Memfd,
        "chdir" => Kind::Chdir,
        "fchdir" => Kind::Fchdir,
        "chroot" => Kind::Chroot,
        "setuid" | "setreuid" => Kind::Setuid,
        "setgid" | "setregid" => Kind::Setgid,
        "setresuid" => Kind::Setresuid,
        "setresgid" => Kind::Setresgid,
        "setsid" => Kind::Setsid,
        "setpgid" => Kind::Setpgid,
        "capset" => Kind::Capset,
        "sendto" | "sendmsg" | "recvfrom" | "recvmsg" => Kind::SendRecv,
        _ => Kind::Other,
    }
}

/// libscap `get_exit_event_fd_location`: the index of the fd parameter of
/// an fd-using exit event, by event name (current schema).
fn exit_fd_location(info: &abi::EventInfo) -> Option<usize> {
    if info.is_old() {
        return None;
    }
    Some(match info.name {
        "setns" | "listen" | "shutdown" | "fchdir" | "lseek" | "llseek" | "ioctl" | "fstat"
        | "close" | "getdents" | "getdents64" | "flock" | "copy_file_range" | "fcntl" | "dup"
        | "dup2" | "dup3" | "newfstatat" | "fchownat" | "fchmodat" | "mkdirat" | "unlinkat"
        | "mknodat" | "sendmmsg" | "recvmmsg" | "io_uring_register" | "io_uring_enter"
        | "setsockopt" | "getsockopt" | "fsconfig" | "finit_module" | "fchmod" | "fchown" => 1,
        "read" | "pread" | "bind" | "write" | "pwrite" | "recv" | "send" | "sendto" | "sendmsg"
        | "sendfile" | "splice" | "writev" | "pwritev" | "connect" | "symlinkat" => 2,
        "recvfrom" | "readv" | "preadv" => 3,
        "recvmsg" => 5,
        "mmap" | "mmap2" => 8,
        _ => return None,
    })
}

/// Parameters of one syscall: the exit event's, completed by its enter
/// event's for old captures.
#[derive(Clone, Copy)]
struct P<'a> {
    ev: Event<'a>,
    enter: Option<Event<'a>>,
}

impl<'a> P<'a> {
    fn get(&self, name: &str) -> Option<&'a [u8]> {
        if let Some(i) = self.ev.info().param_index(name)
            && i < self.ev.nparams()
        {
            return self.ev.param(i).filter(|b| !b.is_empty());
        }
        self.enter?.param_by_name(name).filter(|b| !b.is_empty())
    }
    fn i64(&self, name: &str) -> Option<i64> {
        int_i64(self.get(name)?)
    }
    fn u64(&self, name: &str) -> Option<u64> {
        int_u64(self.get(name)?)
    }
    fn str(&self, name: &str) -> Option<&'a [u8]> {
        Some(trim_nul(self.get(name)?))
    }
    fn res(&self) -> i64 {
        self.ev.param(0).and_then(int_i64).unwrap_or(0)
    }
}

/// Per event code: how the parser treats it and where its fd parameter is
/// (computed once from the event table).
struct Table {
    kinds: Vec<Kind>,
    fd_loc: Vec<Option<usize>>,
}

fn table() -> &'static Table {
    static T: std::sync::OnceLock<Table> = std::sync::OnceLock::new();
    T.get_or_init(|| Table {
        kinds: abi::EVENT_TABLE.iter().map(kind_of).collect(),
        fd_loc: abi::EVENT_TABLE
            .iter()
            .map(|i| {
                if i.direction() == Direction::Exit {
                    exit_fd_location(i)
                } else {
                    None
                }
            })
            .collect(),
    })
}

/// Feeds events into a [`State`].
pub struct Parser {
    pub state: State,
    table: &'static Table,
    /// Old-capture enter events, by tid, kept until their exit arrives.
    enters: HashMap<i64, Vec<u8>>,
    num: u64,
    /// A thread that exited; removed before the next event.
    pending_removal: Option<i64>,
    /// An fd closed by the last event (table, fd): libsinsp removes it
    /// only after the event was evaluated, so `fd.name` of a close works.
    pending_close: Option<(FdTableId, i64)>,
}

impl Parser {
    pub fn new(limits: Limits) -> Parser {
        Parser {
            state: State::new(limits),
            table: table(),
            enters: HashMap::new(),
            num: 0,
            pending_removal: None,
            pending_close: None,
        }
        .with_len_check()
    }

    fn with_len_check(self) -> Self {
        debug_assert_eq!(self.table.kinds.len(), EVENT_MAX);
        self
    }

    /// Number of the last delivered event.
    pub fn last_num(&self) -> u64 {
        self.num
    }

    /// Adds a thread from a capture's process list (or a /proc scan).
    pub fn add_thread(&mut self, mut t: Thread) {
        if let Some(id) = container_id_from_cgroups(&t.cgroups) {
            t.container_id = id.to_vec();
        }
        if let Some(old) = self.state.threads.get(t.tid) {
            let id = old.fdtable;
            self.state.release_fdtable(id);
        }
        // Threads of one process share the main thread's fd table.
        t.fdtable = match self.state.threads.get(t.pid).filter(|m| m.tid != t.tid) {
            Some(m) => {
                let id = m.fdtable;
                self.state.share_fdtable(id)
            }
            None => self.state.new_fdtable(),
        };
        self.insert_thread(t);
    }

    /// Removes threads with no event for `timeout_ns` before `now_ts`
    /// (libsinsp purges threads inactive for 30 minutes, so that threads
    /// whose exit was lost do not accumulate). Returns how many went.
    pub fn purge_inactive(&mut self, now_ts: u64, timeout_ns: u64) -> usize {
        let old: Vec<i64> = self
            .state
            .threads
            .iter()
            .filter(|t| t.lastevent_ts != 0 && now_ts.saturating_sub(t.lastevent_ts) > timeout_ns)
            .map(|t| t.tid)
            .collect();
        for tid in &old {
            if let Some(t) = self.state.threads.remove(*tid) {
                self.state.release_fdtable(t.fdtable);
                self.state.stats.threads_removed += 1;
                self.enters.remove(tid);
            }
        }
        old.len()
    }

    /// Adds an fd to thread `tid`'s table (capture fd lists).
    pub fn add_fd(&mut self, tid: i64, fd: i64, entry: Fd) {
        let Some(t) = self.state.threads.get(tid) else {
            return;
        };
        let id = t.fdtable;
        self.insert_fd(id, fd, entry);
    }

    fn insert_thread(&mut self, t: Thread) {
        if self.state.threads.len() >= self.state.limits.max_threads
            && !self.state.threads.contains(t.tid)
        {
            // Evict a dead or the least recently active thread.
            let victim = self
                .state
                .threads
                .iter()
                .min_by_key(|x| (!x.dead, x.lastevent_ts))
                .map(|x| x.tid);
            if let Some(v) = victim
                && let Some(old) = self.state.threads.remove(v)
            {
                self.state.release_fdtable(old.fdtable);
                self.state.stats.threads_evicted += 1;
            }
        }
        self.state.stats.threads_added += 1;
        if let Some(old) = self.state.threads.insert(t) {
            // replaced: its table reference was released by the caller
            let _ = old;
        }
    }

    fn insert_fd(&mut self, table: FdTableId, fd: i64, entry: Fd) {
        let max = self.state.limits.max_fds_per_table;
        let Some(t) = self.state.fdtable_mut(table) else {
            return;
        };
        if t.fds.len() >= max && !t.fds.contains_key(&fd) {
            self.state.stats.fds_evicted += 1;
            return;
        }
        t.fds.insert(fd, entry);
        self.state.stats.fds_added += 1;
    }

    /// Like [`Parser::process`] for an event the capture reader already
    /// numbered (it numbers events the way Falco does).
    pub fn process_numbered(&mut self, ev: &Event<'_>, cpu: u16, num: u64) -> Option<Processed> {
        self.num = num.saturating_sub(1);
        self.process(ev, cpu)
    }

    /// Parses one event. Returns `None` for events that are not delivered
    /// (old-capture enter events, kept to complete their exit event).
    pub fn process(&mut self, ev: &Event<'_>, cpu: u16) -> Option<Processed> {
        if let Some((id, fd)) = self.pending_close.take()
            && let Some(tab) = self.state.fdtable_mut(id)
            && tab.fds.remove(&fd).is_some()
        {
            self.state.stats.fds_removed += 1;
        }
        if let Some(tid) = self.pending_removal.take() {
            self.remove_thread(tid);
        }
        let info = ev.info();
        let tid = ev.tid() as i64;
        if self.state.first_ts == 0 {
            self.state.first_ts = ev.ts();
        }
        if info.direction() == Direction::Enter && info.category & abi::EC_SYSCALL != 0 {
            let buf = self.enters.entry(tid).or_default();
            buf.clear();
            buf.extend_from_slice(ev.bytes());
            if info.is_old() {
                return None;
            }
        }
        self.num += 1;
        self.state.stats.events += 1;
        let kind = self.table.kinds[ev.code() as usize];
        let exit = info.direction() == Direction::Exit;
        // The enter event is taken out of the map while the exit is parsed
        // (and put back after), so the state can be updated meanwhile.
        let stored = if exit { self.enters.remove(&tid) } else { None };
        let enter = stored
            .as_deref()
            .and_then(|b| Event::parse(b).ok())
            .filter(|e| e.code() + 1 == ev.code());
        let has_enter = enter.is_some();
        let p = P { ev: *ev, enter };
        let meta = info.category & abi::EC_METAEVENT != 0;

        // Thread lookup: syscall events create a placeholder for unknown
        // threads (libsinsp does, to attach what later events teach).
        if !meta && info.category & abi::EC_SYSCALL != 0 && !self.state.threads.contains(tid) {
            self.state.stats.failed_thread_lookups += 1;
            let fdt = self.state.new_fdtable();
            let t = Thread {
                tid,
                // libsinsp's placeholder for a thread it knows nothing of
                pid: -1,
                ptid: -1,
                comm: b"<NA>".to_vec(),
                exe: b"<NA>".to_vec(),
                uid: u32::MAX,
                gid: u32::MAX,
                euid: u32::MAX,
                egid: u32::MAX,
                loginuid: u32::MAX,
                sid: -1,
                vpgid: -1,
                pgid: -1,
                vtid: -1,
                vpid: -1,
                fdlimit: -1,
                fdtable: fdt,
                invalid: true,
                last_fd: -1,
                ..Thread::default()
            };
            self.insert_thread(t);
        }
        if let Some(t) = self.state.threads.get_mut(tid) {
            t.lastevent_ts = ev.ts();
            // fd resolution (libsinsp parser `reset`)
            if !meta {
                if info.direction() == Direction::Enter {
                    t.last_fd = -1;
                    if info.flags & abi::EF_USES_FD != 0 {
                        t.last_fd = p.i64("fd").unwrap_or(-1);
                    }
                } else if info.flags & abi::EF_USES_FD != 0 {
                    let fd = self.table.fd_loc[ev.code() as usize]
                        .and_then(|i| ev.param(i))
                        .and_then(int_i64)
                        .or_else(|| p.i64("fd"));
                    t.last_fd = fd.unwrap_or(-1);
                } else {
                    t.last_fd = -1;
                }
            }
        }

        match kind {
            Kind::Clone => self.on_clone(&p, tid),
            Kind::Execve => self.on_execve(&p, tid),
            Kind::Procexit => self.on_procexit(&p, tid),
            Kind::Open => self.on_open(&p, tid),
            Kind::Socket => self.on_socket(&p, tid),
            Kind::Connect => self.on_connect(&p, tid),
            Kind::Accept => self.on_accept(&p, tid),
            Kind::Bind => self.on_bind(&p, tid),
            Kind::Close => self.on_close(&p, tid),
            Kind::Dup => {
                let old = p.i64("oldfd").or_else(|| p.i64("fd"));
                self.on_dup(&p, tid, old)
            }
            Kind::Fcntl => {
                let cmd = p.u64("cmd").unwrap_or(0) as u8;
                if cmd == PPM_FCNTL_F_DUPFD || cmd == PPM_FCNTL_F_DUPFD_CLOEXEC {
                    let old = p.i64("fd");
                    self.on_dup(&p, tid, old)
                }
            }
            Kind::Pipe => self.on_pipe(&p, tid),
            Kind::NewFd(ty) => self.on_new_fd(&p, tid, ty, b""),
            Kind::Memfd => {
                let mut name = b"memfd:".to_vec();
                name.extend_from_slice(p.str("name").unwrap_or(b""));
                self.on_new_fd(&p, tid, FdType::Memfd, &name)
            }
            Kind::Chdir => self.on_chdir(&p, tid),
            Kind::Fchdir => self.on_fchdir(&p, tid),
            Kind::Chroot => {
                if p.res() >= 0
                    && let Some(path) = p.str("path")
                {
                    let cwd = self.cwd_of(tid);
                    let root = paths::concat(&cwd, path);
                    if let Some(t) = self.state.threads.get_mut(tid) {
                        t.root = root;
                    }
                }
            }
            Kind::Setuid | Kind::Setresuid => {
                if p.res() >= 0 {
                    let v = if kind == Kind::Setuid {
                        p.u64("uid").or_else(|| p.u64("euid"))
                    } else {
                        p.u64("euid")
                    };
                    if let Some(v) = v
                        && v as u32 != u32::MAX
                        && let Some(t) = self.state.threads.get_mut(tid)
                    {
                        t.uid = v as u32;
                        t.euid = v as u32;
                    }
                }
            }
            Kind::Setgid | Kind::Setresgid => {
                if p.res() >= 0 {
                    let v = if kind == Kind::Setgid {
                        p.u64("gid").or_else(|| p.u64("egid"))
                    } else {
                        p.u64("egid")
                    };
                    if let Some(v) = v
                        && v as u32 != u32::MAX
                        && let Some(t) = self.state.threads.get_mut(tid)
                    {
                        t.gid = v as u32;
                        t.egid = v as u32;
                    }
                }
            }
            Kind::Setsid => {
                let r = p.res();
                if r >= 0
                    && let Some(t) = self.state.threads.get_mut(tid)
                {
                    t.sid = r;
                }
            }
            Kind::Setpgid => {
                if p.res() >= 0
                    && let (Some(pid), Some(pgid)) = (p.i64("pid"), p.i64("pgid"))
                {
                    let target = if pid == 0 { tid } else { pid };
                    if let Some(t) = self.state.threads.get_mut(target) {
                        t.vpgid = if pgid == 0 { t.vpid } else { pgid };
                    }
                }
            }
            Kind::Capset => {
                if p.res() >= 0
                    && let Some(t) = self.state.threads.get_mut(tid)
                {
                    if let Some(v) = p.u64("cap_inheritable") {
                        t.cap_inheritable = v;
                    }
                    if let Some(v) = p.u64("cap_permitted") {
                        t.cap_permitted = v;
                    }
                    if let Some(v) = p.u64("cap_effective") {
                        t.cap_effective = v;
                    }
                }
            }
            Kind::UserAdded | Kind::UserDeleted => {
                let uid = p.u64("uid").unwrap_or(u64::MAX) as u32;
                if kind == Kind::UserDeleted {
                    self.state.users.remove_user(uid);
                } else {
                    self.state.users.add_user(User {
                        uid,
                        gid: p.u64("gid").unwrap_or(0) as u32,
                        name: p.str("name").unwrap_or(b"").to_vec(),
                        homedir: p.str("home").unwrap_or(b"").to_vec(),
                        shell: p.str("shell").unwrap_or(b"").to_vec(),
                    });
                }
            }
            Kind::GroupAdded | Kind::GroupDeleted => {
                let gid = p.u64("gid").unwrap_or(u64::MAX) as u32;
                if kind == Kind::GroupDeleted {
                    self.state.users.remove_group(gid);
                } else {
                    self.state.users.add_group(Group {
                        gid,
                        name: p.str("name").unwrap_or(b"").to_vec(),
                    });
                }
            }
            Kind::SendRecv => self.on_sendrecv(&p, tid),
            Kind::Procinfo | Kind::Other => {}
        }

        if let Some(b) = stored {
            self.enters.insert(tid, b);
        }
        Some(Processed {
            num: self.num,
            cpu,
            tid,
            has_thread: self.state.threads.contains(tid),
            has_enter,
        })
    }

    /// The context for evaluating the event just processed.
    pub fn ctx<'a>(&'a self, ev: Event<'a>, p: &Processed) -> EvalCtx<'a> {
        let st = &self.state;
        let info = ev.info();
        let meta = info.category & abi::EC_METAEVENT != 0;
        let thread = st.threads.get(p.tid);
        // libsinsp attaches no thread to these meta events.
        let thread = if meta && info.name != "procinfo" && info.name != "procexit" {
            None
        } else {
            thread
        };
        let enter = if p.has_enter {
            self.enters.get(&p.tid).and_then(|b| Event::parse(b).ok())
        } else {
            None
        };
        let (fd_num, fd) = match thread {
            Some(t) if t.last_fd >= 0 || t.last_fd < -1 => (Some(t.last_fd), st.fd(t, t.last_fd)),
            Some(t) => (Some(t.last_fd), None),
            None => (None, None),
        };
        EvalCtx {
            event: ev,
            enter,
            num: p.num,
            cpu: p.cpu,
            state: st,
            thread,
            fd_num,
            fd,
        }
    }

    fn remove_thread(&mut self, tid: i64) {
        if let Some(t) = self.state.threads.get(tid)
            && t.dead
        {
            let t = self.state.threads.remove(tid).unwrap_or_default();
            self.state.release_fdtable(t.fdtable);
            self.state.stats.threads_removed += 1;
            self.enters.remove(&tid);
        }
    }

    fn cwd_of(&self, tid: i64) -> Vec<u8> {
        match self.state.threads.get(tid) {
            Some(t) => self.state.main_thread(t).cwd.clone(),
            None => Vec::new(),
        }
    }

    fn table_of(&self, tid: i64) -> Option<FdTableId> {
        self.state.threads.get(tid).map(|t| t.fdtable)
    }

    fn set_last_fd(&mut self, tid: i64, fd: i64) {
        if let Some(t) = self.state.threads.get_mut(tid) {
            t.last_fd = fd;
        }
    }

    fn on_clone(&mut self, p: &P<'_>, tid: i64) {
        let res = p.res();
        if res < 0 {
            return;
        }
        let flags = p.u64("flags").unwrap_or(0) as u32;
        let ts = p.ev.ts();
        if res == 0 {
            // Child side: the event's thread is the child.
            let exists_valid = self.state.threads.get(tid).is_some_and(|t| !t.invalid);
            if exists_valid {
                return;
            }
            let ptid = p.i64("ptid").unwrap_or(-1);
            let parent = self.state.threads.get(ptid).cloned();
            let mut t = self.thread_from_params(p, tid, flags, ts, parent.as_ref());
            if t.ptid <= 0 {
                t.ptid = ptid;
            }
            self.replace_thread(t, parent.as_ref().map(|x| x.fdtable), flags);
        } else {
            // Parent side: the child has tid `res`.
            if self.state.threads.get(res).is_some_and(|t| !t.invalid) {
                return;
            }
            let caller = self.state.threads.get(tid).cloned();
            let mut t = self.thread_from_params(p, res, flags, ts, caller.as_ref());
            if flags & PPM_CL_CLONE_THREAD != 0 {
                t.pid = caller
                    .as_ref()
                    .map_or(p.i64("pid").unwrap_or(res), |c| c.pid);
                t.ptid = caller.as_ref().map_or(-1, |c| c.ptid);
            } else {
                t.pid = res;
                t.ptid = if flags & PPM_CL_CLONE_PARENT != 0 {
                    caller.as_ref().map_or(tid, |c| c.ptid)
                } else {
                    caller.as_ref().map_or(tid, |c| c.pid)
                };
            }
            t.vtid = t.tid;
            t.vpid = t.pid;
            self.replace_thread(t, caller.as_ref().map(|x| x.fdtable), flags);
        }
    }

    fn thread_from_params(
        &self,
        p: &P<'_>,
        tid: i64,
        flags: u32,
        ts: u64,
        parent: Option<&Thread>,
    ) -> Thread {
        let mut t = parent.cloned().unwrap_or_default();
        t.tid = tid;
        t.pid = p.i64("pid").unwrap_or(tid);
        t.ptid = p.i64("ptid").unwrap_or(-1);
        if let Some(exe) = p.str("exe") {
            t.exe = exe.to_vec();
        }
        if let Some(a) = p.get("args") {
            t.args = a.to_vec();
        }
        if let Some(c) = p.str("comm") {
            t.comm = c.to_vec();
        } else if t.comm.is_empty() {
            t.comm = t.exe.clone();
        }
        if let Some(c) = p.get("cgroups") {
            t.cgroups = c.to_vec();
        }
        if let Some(v) = p.i64("fdlimit") {
            t.fdlimit = v;
        }
        if let Some(v) = p.u64("uid") {
            t.uid = v as u32;
            t.euid = v as u32;
        }
        if let Some(v) = p.u64("gid") {
            t.gid = v as u32;
            t.egid = v as u32;
        }
        t.vtid = p.i64("vtid").unwrap_or(tid);
        t.vpid = p.i64("vpid").unwrap_or(t.pid);
        if let Some(v) = p.u64("pidns_init_start_ts") {
            t.pidns_init_start_ts = v;
        }
        if parent.is_none() {
            t.uid = p.u64("uid").map_or(u32::MAX, |v| v as u32);
            t.gid = p.u64("gid").map_or(u32::MAX, |v| v as u32);
            t.loginuid = u32::MAX;
            if let Some(cwd) = p.str("cwd") {
                t.cwd = with_slash(cwd);
            }
        }
        t.flags = flags;
        t.clone_ts = ts;
        t.lastevent_ts = ts;
        t.dead = false;
        t.invalid = false;
        t.enter_event = Vec::new();
        t.last_fd = -1;
        t.container_id = container_id_from_cgroups(&t.cgroups)
            .map(<[u8]>::to_vec)
            .unwrap_or_default();
        t
    }

    fn replace_thread(&mut self, mut t: Thread, parent_table: Option<FdTableId>, flags: u32) {
        if let Some(old) = self.state.threads.remove(t.tid) {
            self.state.release_fdtable(old.fdtable);
        }
        t.fdtable = match parent_table {
            Some(id) if flags & PPM_CL_CLONE_FILES != 0 => self.state.share_fdtable(id),
            Some(id) => self.state.copy_fdtable(id),
            None => self.state.new_fdtable(),
        };
        self.insert_thread(t);
    }

    fn on_execve(&mut self, p: &P<'_>, tid: i64) {
        if p.res() < 0 {
            return;
        }
        let Some(t) = self.state.threads.get_mut(tid) else {
            return;
        };
        t.dead = false;
        if let Some(exe) = p.str("exe") {
            t.exe.clear();
            t.exe.extend_from_slice(exe);
        }
        match p.str("comm") {
            Some(c) => {
                t.comm.clear();
                t.comm.extend_from_slice(c);
            }
            None => t.comm = t.exe.clone(),
        }
        t.args.clear();
        if let Some(a) = p.get("args") {
            t.args.extend_from_slice(a);
        }
        if let Some(pid) = p.i64("pid") {
            t.pid = pid;
        }
        if t.invalid {
            t.ptid = p.i64("ptid").unwrap_or(-1);
            t.vtid = t.tid;
            t.vpid = t.pid;
            t.invalid = false;
        }
        if let Some(v) = p.i64("fdlimit") {
            t.fdlimit = v;
        }
        if let Some(e) = p.get("env") {
            t.env.clear();
            t.env.extend_from_slice(e);
        }
        if let Some(c) = p.get("cgroups") {
            t.cgroups.clear();
            t.cgroups.extend_from_slice(c);
            t.container_id = container_id_from_cgroups(&t.cgroups)
                .map(<[u8]>::to_vec)
                .unwrap_or_default();
        }
        if let Some(v) = p.u64("tty") {
            t.tty = v as u32;
        }
        if let Some(x) = p.str("trusted_exepath") {
            t.exepath.clear();
            t.exepath.extend_from_slice(x);
        }
        if let Some(v) = p.i64("vpgid").or_else(|| p.i64("pgid_2022")) {
            t.vpgid = v;
        }
        if let Some(v) = p.u64("loginuid") {
            t.loginuid = v as u32;
        }
        if let Some(f) = p.u64("flags") {
            let f = f as u32;
            t.exe_writable = f & (1 << 0) != 0;
            t.exe_upper_layer = f & (1 << 1) != 0;
            t.exe_from_memfd = f & (1 << 2) != 0;
            t.exe_lower_layer = f & (1 << 3) != 0;
        }
        if let Some(v) = p.u64("cap_effective") {
            t.cap_effective = v;
            t.cap_permitted = p.u64("cap_permitted").unwrap_or(0);
            t.cap_inheritable = p.u64("cap_inheritable").unwrap_or(0);
        }
        if let Some(v) = p.u64("exe_ino_mtime") {
            t.exe_ino_mtime = v;
            t.exe_ino = p.u64("exe_ino").unwrap_or(0);
            t.exe_ino_ctime = p.u64("exe_ino_ctime").unwrap_or(0);
        }
        if let Some(v) = p.u64("uid") {
            t.uid = v as u32;
        }
        t.pgid = p.i64("pgid").unwrap_or(-1);
        if let Some(v) = p.u64("gid") {
            t.gid = v as u32;
        }
        t.flags = 0;
        // close-on-exec fds go away
        let id = t.fdtable;
        if let Some(tab) = self.state.fdtable_mut(id) {
            tab.fds.retain(|_, f| !f.cloexec);
        }
    }

    fn on_procexit(&mut self, p: &P<'_>, tid: i64) {
        let Some(t) = self.state.threads.get_mut(tid) else {
            return;
        };
        t.dead = true;
        let reaper = p.i64("reaper_tid").filter(|&r| r > 0);
        let new_parent = reaper.unwrap_or(0);
        for c in self.state.threads.iter_mut() {
            if c.ptid == tid {
                c.ptid = new_parent;
            }
        }
        self.pending_removal = Some(tid);
    }

    fn on_open(&mut self, p: &P<'_>, tid: i64) {
        let fd = p.res();
        if fd < 0 {
            return;
        }
        let Some(name) = p.str("name").or_else(|| p.str("path")) else {
            return;
        };
        let flags = p.u64("flags").unwrap_or(0) as u32;
        // libsinsp `parse_dirfd`: the cwd for AT_FDCWD (and open/creat),
        // the dirfd's name + "/", or "<UNKNOWN>" for a dirfd not in the table
        let resolved = {
            let st = &self.state;
            let t = st.threads.get(tid);
            if name.first() == Some(&b'/') {
                paths::concat(b"", name)
            } else {
                match p.i64("dirfd") {
                    Some(d) if d != PPM_AT_FDCWD => match t.and_then(|t| st.fd(t, d)) {
                        Some(f) => paths::concat_dir(&f.name, name),
                        None => paths::concat(b"<UNKNOWN>", name),
                    },
                    _ => match t {
                        Some(t) => paths::concat(&st.main_thread(t).cwd, name),
                        None => paths::concat(b"", name),
                    },
                }
            }
        };
        let mut e = Fd::new(if flags & PPM_O_DIRECTORY != 0 {
            FdType::Directory
        } else {
            FdType::File
        });
        e.name = resolved;
        e.nameraw = name.to_vec();
        e.flags = flags;
        e.cloexec = flags & PPM_O_CLOEXEC != 0;
        e.mode = p.u64("mode").unwrap_or(0) as u32;
        e.dev = p.u64("dev").unwrap_or(0) as u32;
        e.ino = p.u64("ino").unwrap_or(0);
        e.name_changed_at = self.num;
        if let Some(id) = self.table_of(tid) {
            self.insert_fd(id, fd, e);
        }
        self.set_last_fd(tid, fd);
    }

    fn on_socket(&mut self, p: &P<'_>, tid: i64) {
        let fd = p.res();
        if fd < 0 {
            return;
        }
        let domain = p.u64("domain").unwrap_or(0) as u8;
        let ty = p.u64("type").unwrap_or(0) as u32 & 0xf;
        let proto = p.u64("proto").unwrap_or(0) as u32;
        let fty = match domain {
            PPM_AF_INET => FdType::Ipv4Sock,
            PPM_AF_INET6 => FdType::Ipv6Sock,
            PPM_AF_UNIX => FdType::UnixSock,
            PPM_AF_NETLINK => FdType::Netlink,
            _ => FdType::Unknown,
        };
        let mut e = Fd::new(fty);
        if fty.is_ip_socket() {
            e.pending_l4proto = match (ty, proto) {
                (SOCK_STREAM, _) | (_, 6) => L4Proto::Tcp,
                (SOCK_DGRAM, _) | (_, 17) => L4Proto::Udp,
                (SOCK_RAW, _) => match proto {
                    1 | 58 => L4Proto::Icmp,
                    _ => L4Proto::Raw,
                },
                _ => L4Proto::Unknown,
            };
            e.pending = true;
        }
        if let Some(id) = self.table_of(tid) {
            self.insert_fd(id, fd, e);
        }
        self.set_last_fd(tid, fd);
    }

    /// Fills a socket fd from a tuple; `server_side` for accept.
    fn apply_tuple(e: &mut Fd, tuple: &[u8], server_side: bool) -> bool {
        match tuple.first() {
            Some(&PPM_AF_INET) if tuple.len() >= 13 => {
                // family, sip, sport, dip, dport
                let s = IpAddr::V4(Ipv4Addr::new(tuple[1], tuple[2], tuple[3], tuple[4]));
                let sp = u16::from_le_bytes([tuple[5], tuple[6]]);
                let d = IpAddr::V4(Ipv4Addr::new(tuple[7], tuple[8], tuple[9], tuple[10]));
                let dp = u16::from_le_bytes([tuple[11], tuple[12]]);
                e.ty = FdType::Ipv4Sock;
                set_addrs(e, s, sp, d, dp, server_side);
                true
            }
            Some(&PPM_AF_INET6) if tuple.len() >= 37 => {
                let s6 = Ipv6Addr::from(<[u8; 16]>::try_from(&tuple[1..17]).unwrap_or([0; 16]));
                let sp = u16::from_le_bytes([tuple[17], tuple[18]]);
                let d6 = Ipv6Addr::from(<[u8; 16]>::try_from(&tuple[19..35]).unwrap_or([0; 16]));
                let dp = u16::from_le_bytes([tuple[35], tuple[36]]);
                match (s6.to_ipv4_mapped(), d6.to_ipv4_mapped()) {
                    (Some(s4), Some(d4)) => {
                        e.ty = FdType::Ipv4Sock;
                        set_addrs(e, s4.into(), sp, d4.into(), dp, server_side);
                    }
                    _ => {
                        e.ty = FdType::Ipv6Sock;
                        set_addrs(e, s6.into(), sp, d6.into(), dp, server_side);
                    }
                }
                true
            }
            Some(&PPM_AF_UNIX) if tuple.len() >= 17 => {
                e.ty = FdType::UnixSock;
                e.unix_source = u64::from_le_bytes(tuple[1..9].try_into().unwrap_or([0; 8]));
                e.unix_dest = u64::from_le_bytes(tuple[9..17].try_into().unwrap_or([0; 8]));
                e.name = trim_nul(&tuple[17..]).to_vec();
                e.role = if server_side {
                    Role::Server
                } else {
                    Role::Client
                };
                true
            }
            _ => false,
        }
    }

    fn on_connect(&mut self, p: &P<'_>, tid: i64) {
        let res = p.res();
        if res < 0 && res != -115 {
            return;
        }
        let fd = self.table.fd_loc[p.ev.code() as usize]
            .and_then(|i| p.ev.param(i))
            .and_then(int_i64)
            .or_else(|| p.i64("fd"));
        let (Some(fd), Some(id)) = (fd, self.table_of(tid)) else {
            return;
        };
        let Some(tuple) = p.get("tuple") else {
            return;
        };
        let num = self.num;
        let Some(tab) = self.state.fdtable_mut(id) else {
            return;
        };
        let Some(e) = tab.get_mut(fd) else {
            return;
        };
        if Self::apply_tuple(e, tuple, false) {
            e.connected = true;
            e.pending = false;
            e.name_changed_at = num;
            if e.l4proto == L4Proto::Unknown {
                e.l4proto = match e.pending_l4proto {
                    L4Proto::Unknown => L4Proto::Tcp,
                    p => p,
                };
            }
        }
    }

    fn on_sendrecv(&mut self, p: &P<'_>, tid: i64) {
        if p.res() < 0 {
            return;
        }
        let Some(tuple) = p.get("tuple") else { return };
        let Some(fd) = self.state.threads.get(tid).map(|t| t.last_fd) else {
            return;
        };
        let Some(id) = self.table_of(tid) else { return };
        let send = p.ev.info().flags & abi::EF_WRITES_TO_FD != 0;
        // A send on an fd the table lacks: libsinsp adds a UDP socket.
        if send
            && fd >= 0
            && self.state.fdtable(id).get(fd).is_none()
            && matches!(tuple.first(), Some(&PPM_AF_INET) | Some(&PPM_AF_INET6))
        {
            let mut e = Fd::new(if tuple[0] == PPM_AF_INET {
                FdType::Ipv4Sock
            } else {
                FdType::Ipv6Sock
            });
            e.l4proto = L4Proto::Udp;
            self.insert_fd(id, fd, e);
        }
        let num = self.num;
        let State {
            fdtables,
            ipv4_interfaces,
            ..
        } = &mut self.state;
        let Some(tab) = fdtables
            .get_mut(id as usize)
            .filter(|s| s.refs > 0)
            .map(|s| &mut s.table)
        else {
            return;
        };
        let Some(e) = tab.get_mut(fd) else { return };
        if !e.ty.is_ip_socket() || (e.l4proto == L4Proto::Tcp && !e.name.is_empty()) {
            return;
        }
        if !Self::apply_tuple(e, tuple, false) {
            return;
        }
        e.name_changed_at = num;
        if e.l4proto == L4Proto::Unknown {
            e.l4proto = L4Proto::Udp;
        }
        // Complete a 0.0.0.0 end from the interface list.
        if let (IpAddr::V4(c), IpAddr::V4(s)) = (e.addrs.cip, e.addrs.sip) {
            if c.is_unspecified() && !s.is_unspecified() {
                if let Some(a) = infer_ipv4(ipv4_interfaces, s) {
                    e.addrs.cip = a.into();
                }
            } else if s.is_unspecified()
                && !c.is_unspecified()
                && let Some(a) = infer_ipv4(ipv4_interfaces, c)
            {
                e.addrs.sip = a.into();
            }
            let a = e.addrs;
            e.name = format!("{}:{}->{}:{}", a.cip, a.cport, a.sip, a.sport).into_bytes();
        }
    }

    fn on_accept(&mut self, p: &P<'_>, tid: i64) {
        let fd = p.res();
        if fd < 0 {
            return;
        }
        self.set_last_fd(tid, fd);
        let Some(tuple) = p.get("tuple") else {
            return;
        };
        let mut e = Fd::new(FdType::Unknown);
        if !Self::apply_tuple(&mut e, tuple, true) {
            return;
        }
        e.connected = true;
        e.l4proto = L4Proto::Tcp;
        e.name_changed_at = self.num;
        if let Some(id) = self.table_of(tid) {
            self.insert_fd(id, fd, e);
        }
    }

    fn on_bind(&mut self, p: &P<'_>, tid: i64) {
        if p.res() < 0 {
            return;
        }
        let Some(fd) = p.i64("fd") else { return };
        let Some(addr) = p.get("addr") else { return };
        let Some(id) = self.table_of(tid) else { return };
        let num = self.num;
        let Some(tab) = self.state.fdtable_mut(id) else {
            return;
        };
        let Some(e) = tab.get_mut(fd) else { return };
        e.name_changed_at = num;
        match addr.first() {
            Some(&PPM_AF_INET) if addr.len() >= 7 => {
                let ip = IpAddr::V4(Ipv4Addr::new(addr[1], addr[2], addr[3], addr[4]));
                let port = u16::from_le_bytes([addr[5], addr[6]]);
                e.ty = FdType::Ipv4ServSock;
                e.addrs.sip = ip;
                e.addrs.sport = port;
                e.name = format!("{ip}:{port}").into_bytes();
            }
            Some(&PPM_AF_INET6) if addr.len() >= 19 => {
                let ip6 = Ipv6Addr::from(<[u8; 16]>::try_from(&addr[1..17]).unwrap_or([0; 16]));
                let port = u16::from_le_bytes([addr[17], addr[18]]);
                e.ty = FdType::Ipv6ServSock;
                e.addrs.sip = ip6.into();
                e.addrs.sport = port;
                e.name = format!("{ip6}:{port}").into_bytes();
            }
            Some(&PPM_AF_UNIX) => {
                e.ty = FdType::UnixSock;
                e.name = trim_nul(&addr[1..]).to_vec();
            }
            _ => {}
        }
    }

    fn on_close(&mut self, p: &P<'_>, tid: i64) {
        if p.res() < 0 {
            return;
        }
        let Some(fd) = p.i64("fd") else { return };
        let Some(id) = self.table_of(tid) else { return };
        self.pending_close = Some((id, fd));
    }

    fn on_dup(&mut self, p: &P<'_>, tid: i64, old: Option<i64>) {
        let new = p.res();
        let (Some(old), Some(id)) = (old, self.table_of(tid)) else {
            return;
        };
        if new < 0 || new == old {
            return;
        }
        let Some(mut e) = self.state.fdtable(id).get(old).cloned() else {
            return;
        };
        e.cloexec = p.u64("flags").is_some_and(|f| f & 1 != 0);
        self.insert_fd(id, new, e);
    }

    fn on_pipe(&mut self, p: &P<'_>, tid: i64) {
        if p.res() < 0 {
            return;
        }
        let ino = p.u64("ino").unwrap_or(0);
        let Some(id) = self.table_of(tid) else { return };
        for name in ["fd1", "fd2"] {
            if let Some(fd) = p.i64(name) {
                let mut e = Fd::new(FdType::Fifo);
                e.ino = ino;
                self.insert_fd(id, fd, e);
            }
        }
    }

    fn on_new_fd(&mut self, p: &P<'_>, tid: i64, ty: FdType, name: &[u8]) {
        let fd = p.res();
        if fd < 0 {
            return;
        }
        let mut e = Fd::new(ty);
        e.name = name.to_vec();
        if !name.is_empty() {
            e.name_changed_at = self.num;
        }
        if let Some(id) = self.table_of(tid) {
            self.insert_fd(id, fd, e);
        }
        self.set_last_fd(tid, fd);
    }

    fn set_cwd(&mut self, tid: i64, cwd: Vec<u8>) {
        let Some(t) = self.state.threads.get(tid) else {
            return;
        };
        let target = if t.is_main() || !self.state.threads.contains(t.pid) {
            tid
        } else {
            t.pid
        };
        if let Some(t) = self.state.threads.get_mut(target) {
            t.cwd = with_slash(&cwd);
        }
    }

    fn on_chdir(&mut self, p: &P<'_>, tid: i64) {
        if p.res() < 0 {
            return;
        }
        let Some(path) = p.str("path") else { return };
        let cwd = self.cwd_of(tid);
        let new = paths::concat(&cwd, path);
        self.set_cwd(tid, new);
    }

    fn on_fchdir(&mut self, p: &P<'_>, tid: i64) {
        if p.res() < 0 {
            return;
        }
        let Some(fd) = p.i64("fd") else { return };
        let Some(name) = self
            .table_of(tid)
            .and_then(|id| self.state.fdtable(id).get(fd))
            .map(|f| f.name.clone())
        else {
            return;
        };
        self.set_cwd(tid, name);
    }
}

fn with_slash(p: &[u8]) -> Vec<u8> {
    let mut v = p.to_vec();
    if v.last() != Some(&b'/') {
        v.push(b'/');
    }
    v
}

/// Stores a connection's addresses with the client first; `server_side`
/// when this process accepted it (the tuple's source is then the peer).
fn set_addrs(e: &mut Fd, s: IpAddr, sp: u16, d: IpAddr, dp: u16, server_side: bool) {
    e.addrs = SockAddrs {
        cip: s,
        cport: sp,
        sip: d,
        sport: dp,
    };
    e.role = if server_side {
        Role::Server
    } else {
        Role::Client
    };
    e.name = format!("{s}:{sp}->{d}:{dp}").into_bytes();
}
