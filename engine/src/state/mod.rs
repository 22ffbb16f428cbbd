//! Process, fd, user and group state, updated from every event before any
//! rule runs (libsinsp's parser + thread manager, in falcon's terms).
//!
//! [`State`] holds the tables; [`Parser`] (in `parse`) feeds events into it
//! and hands out an [`EvalCtx`] per event: the event, its number, the state
//! and the thread and fd the event refers to, resolved once.

mod consts;
mod containers;
pub(crate) mod ctx;
mod fds;
mod parse;
pub(crate) mod paths;
mod threads;
mod users;

pub use consts::*;
pub use containers::container_id_from_cgroups;
pub use ctx::EvalCtx;
pub use fds::{Fd, FdTable, FdType, L4Proto, Role, SockAddrs};
pub use parse::{ParseError, Parser, Processed};
pub use threads::{FdTableId, Thread, ThreadTable, split_nul};
pub use users::{Group, User, Users};

/// Bounds on the tables; beyond them the oldest entries are evicted and
/// counted in [`Stats`].
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Most threads kept (libsinsp default: 262,144).
    pub max_threads: usize,
    /// Most fds per fd table (libsinsp: 4096).
    pub max_fds_per_table: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_threads: 262_144,
            max_fds_per_table: 4096,
        }
    }
}

/// Counters of what the state tracker did, including what it had to drop.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    pub events: u64,
    pub threads_added: u64,
    pub threads_removed: u64,
    /// Threads dropped because the table was full.
    pub threads_evicted: u64,
    pub fds_added: u64,
    pub fds_removed: u64,
    /// Fds not added because their table was full.
    pub fds_evicted: u64,
    /// Events whose fd was not in the table.
    pub failed_fd_lookups: u64,
    /// Events whose thread was not in the table (a placeholder was made).
    pub failed_thread_lookups: u64,
}

/// Everything the parser knows.
#[derive(Debug, Default)]
pub struct State {
    pub threads: ThreadTable,
    pub(crate) fdtables: Vec<FdTableSlot>,
    free_fdtables: Vec<FdTableId>,
    pub users: Users,
    pub limits: Limits,
    pub stats: Stats,
    /// Machine hostname (from the capture's machine info, or the host).
    pub hostname: Vec<u8>,
    /// Timestamp of the first event, for `evt.reltime`.
    pub first_ts: u64,
    /// IPv4 interfaces (address, netmask), used to complete socket tuples
    /// whose local address is 0.0.0.0.
    pub ipv4_interfaces: Vec<(std::net::Ipv4Addr, std::net::Ipv4Addr)>,
    /// IPv6 interface addresses.
    pub ipv6_interfaces: Vec<std::net::Ipv6Addr>,
}

#[derive(Debug, Default)]
pub(crate) struct FdTableSlot {
    pub(crate) table: FdTable,
    pub(crate) refs: u32,
}

impl State {
    pub fn new(limits: Limits) -> Self {
        State {
            limits,
            ..State::default()
        }
    }

    /// The fd table `id` (an empty table for a released id).
    pub fn fdtable(&self, id: FdTableId) -> &FdTable {
        static EMPTY: std::sync::OnceLock<FdTable> = std::sync::OnceLock::new();
        match self.fdtables.get(id as usize) {
            Some(s) if s.refs > 0 => &s.table,
            _ => EMPTY.get_or_init(FdTable::default),
        }
    }

    pub(crate) fn fdtable_mut(&mut self, id: FdTableId) -> Option<&mut FdTable> {
        match self.fdtables.get_mut(id as usize) {
            Some(s) if s.refs > 0 => Some(&mut s.table),
            _ => None,
        }
    }

    /// A new, empty fd table with one reference.
    pub(crate) fn new_fdtable(&mut self) -> FdTableId {
        if let Some(id) = self.free_fdtables.pop() {
            let s = &mut self.fdtables[id as usize];
            s.table.fds.clear();
            s.refs = 1;
            return id;
        }
        self.fdtables.push(FdTableSlot {
            table: FdTable::default(),
            refs: 1,
        });
        (self.fdtables.len() - 1) as FdTableId
    }

    /// A new table holding a copy of `id`'s fds (fork without CLONE_FILES).
    pub(crate) fn copy_fdtable(&mut self, id: FdTableId) -> FdTableId {
        let new = self.new_fdtable();
        if let Some(src) = self.fdtables.get(id as usize).filter(|s| s.refs > 0) {
            let fds = src.table.fds.clone();
            self.fdtables[new as usize].table.fds = fds;
        }
        new
    }

    pub(crate) fn share_fdtable(&mut self, id: FdTableId) -> FdTableId {
        match self.fdtables.get_mut(id as usize) {
            Some(s) if s.refs > 0 => {
                s.refs += 1;
                id
            }
            _ => self.new_fdtable(),
        }
    }

    pub(crate) fn release_fdtable(&mut self, id: FdTableId) {
        if let Some(s) = self.fdtables.get_mut(id as usize)
            && s.refs > 0
        {
            s.refs -= 1;
            if s.refs == 0 {
                s.table.fds.clear();
                self.free_fdtables.push(id);
            }
        }
    }

    /// Fd `fd` of thread `t`.
    pub fn fd(&self, t: &Thread, fd: i64) -> Option<&Fd> {
        self.fdtable(t.fdtable).get(fd)
    }

    /// The main thread of `t`'s process (`t` itself when it is the main
    /// thread or the main thread is unknown).
    pub fn main_thread<'a>(&'a self, t: &'a Thread) -> &'a Thread {
        if t.is_main() {
            return t;
        }
        self.threads.get(t.pid).unwrap_or(t)
    }

    /// The parent process of `t` (main thread of its parent), if known.
    pub fn parent<'a>(&'a self, t: &'a Thread) -> Option<&'a Thread> {
        let mt = self.main_thread(t);
        if mt.ptid <= 0 || mt.ptid == mt.tid {
            return None;
        }
        let p = self.threads.get(mt.ptid)?;
        Some(self.main_thread(p))
    }

    /// The ancestor `n` levels up (0 = the process itself).
    pub fn ancestor<'a>(&'a self, t: &'a Thread, n: u32) -> Option<&'a Thread> {
        let mut cur = self.main_thread(t);
        for _ in 0..n {
            cur = self.parent(cur)?;
        }
        Some(cur)
    }

    /// The address belongs to this machine (libsinsp
    /// `is_ipv4addr_in_local_machine` / `is_ipv6addr_in_local_machine`
    /// without container addresses, which a replay does not carry).
    pub fn is_local_addr(&self, ip: std::net::IpAddr) -> bool {
        match ip {
            std::net::IpAddr::V4(a) => self.ipv4_interfaces.iter().any(|(x, _)| *x == a),
            std::net::IpAddr::V6(a) => self.ipv6_interfaces.contains(&a),
        }
    }

    /// libsinsp `infer_ipv4_address`: the interface address for a peer:
    /// an exact match, else one on the same subnet, else the first
    /// non-loopback one.
    pub fn infer_ipv4(&self, dest: std::net::Ipv4Addr) -> Option<std::net::Ipv4Addr> {
        infer_ipv4(&self.ipv4_interfaces, dest)
    }

    /// Number of fd tables in use.
    pub fn n_fdtables(&self) -> usize {
        self.fdtables.len() - self.free_fdtables.len()
    }
}

/// See [`State::infer_ipv4`].
pub fn infer_ipv4(
    ifaces: &[(std::net::Ipv4Addr, std::net::Ipv4Addr)],
    dest: std::net::Ipv4Addr,
) -> Option<std::net::Ipv4Addr> {
    let d = u32::from(dest);
    ifaces
        .iter()
        .find(|(a, _)| *a == dest)
        .or_else(|| {
            ifaces
                .iter()
                .find(|(a, m)| u32::from(*a) & u32::from(*m) == d & u32::from(*m))
        })
        .or_else(|| ifaces.iter().find(|(a, _)| !a.is_loopback()))
        .map(|(a, _)| *a)
}

#[cfg(test)]
mod parse_tests;
