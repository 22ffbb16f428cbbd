//! The thread table: every known thread with its process attributes.

use std::collections::HashMap;

/// Index of an fd table in [`super::State`]'s table arena.
pub type FdTableId = u32;

/// One thread (libsinsp: `sinsp_threadinfo`). Process-wide attributes are
/// stored on every thread (as libsinsp does) and updated on the thread that
/// runs the syscall; lookups that need the process go to the main thread.
#[derive(Debug, Clone, Default)]
pub struct Thread {
    pub tid: i64,
    pub pid: i64,
    pub ptid: i64,
    pub sid: i64,
    pub vpgid: i64,
    pub pgid: i64,
    pub vtid: i64,
    pub vpid: i64,
    /// `proc.name`: the kernel's `comm`.
    pub comm: Vec<u8>,
    /// `proc.exe`: argv\[0\].
    pub exe: Vec<u8>,
    /// `proc.exepath`: the resolved executable path.
    pub exepath: Vec<u8>,
    /// argv\[1..\], each argument followed by a NUL.
    pub args: Vec<u8>,
    /// The environment, each `K=V` followed by a NUL.
    pub env: Vec<u8>,
    /// Working directory; always ends with `/` once known.
    pub cwd: Vec<u8>,
    pub root: Vec<u8>,
    /// `subsys=path` entries, each followed by a NUL.
    pub cgroups: Vec<u8>,
    /// Container id derived from cgroups; empty for the host.
    pub container_id: Vec<u8>,
    pub fdlimit: i64,
    pub uid: u32,
    pub gid: u32,
    pub euid: u32,
    pub egid: u32,
    pub loginuid: u32,
    pub tty: u32,
    pub cap_inheritable: u64,
    pub cap_permitted: u64,
    pub cap_effective: u64,
    pub exe_writable: bool,
    pub exe_upper_layer: bool,
    pub exe_lower_layer: bool,
    pub exe_from_memfd: bool,
    pub exe_ino: u64,
    pub exe_ino_ctime: u64,
    pub exe_ino_mtime: u64,
    pub pidns_init_start_ts: u64,
    pub vmsize_kb: u32,
    pub vmrss_kb: u32,
    pub vmswap_kb: u32,
    pub pfmajor: u64,
    pub pfminor: u64,
    /// Clone flags the thread was created with (`PPM_CL_*`).
    pub flags: u32,
    /// Time the thread was created (clone exit), or 0 when unknown.
    pub clone_ts: u64,
    /// Time of the last event of this thread.
    pub lastevent_ts: u64,
    /// Its fd table (shared with other threads for `CLONE_FILES`).
    pub fdtable: FdTableId,
    /// The thread exited (procexit seen) but is kept until its next event
    /// has been evaluated.
    pub dead: bool,
    /// The thread only exists because an event or a child referred to it:
    /// nothing but its id is known.
    pub invalid: bool,
    /// For old enter+exit captures: the last enter event of this thread,
    /// whose parameters complete the matching exit event.
    pub enter_event: Vec<u8>,
    /// Last fd this thread used (for fd resolution of exit events).
    pub last_fd: i64,
}

impl Thread {
    pub fn is_main(&self) -> bool {
        self.tid == self.pid
    }

    /// Each argument of argv\[1..\].
    pub fn args_iter(&self) -> impl Iterator<Item = &[u8]> {
        split_nul(&self.args)
    }

    /// Each environment entry.
    pub fn env_iter(&self) -> impl Iterator<Item = &[u8]> {
        split_nul(&self.env)
    }

    /// Each `subsys=path` cgroup entry.
    pub fn cgroups_iter(&self) -> impl Iterator<Item = &[u8]> {
        split_nul(&self.cgroups)
    }

    /// Value of environment variable `name`.
    pub fn env_var(&self, name: &[u8]) -> Option<&[u8]> {
        self.env_iter().find_map(|e| {
            let rest = e.strip_prefix(name)?;
            rest.strip_prefix(b"=")
        })
    }
}

/// Splits a NUL-terminated list; a trailing entry without NUL counts too.
pub fn split_nul(b: &[u8]) -> impl Iterator<Item = &[u8]> {
    let b = b.strip_suffix(b"\0").unwrap_or(b);
    let empty = b.is_empty();
    b.split(|&c| c == 0).filter(move |_| !empty)
}

/// The threads, by tid.
#[derive(Debug, Default)]
pub struct ThreadTable {
    map: HashMap<i64, Thread>,
}

impl ThreadTable {
    pub fn get(&self, tid: i64) -> Option<&Thread> {
        self.map.get(&tid)
    }
    pub fn get_mut(&mut self, tid: i64) -> Option<&mut Thread> {
        self.map.get_mut(&tid)
    }
    pub fn contains(&self, tid: i64) -> bool {
        self.map.contains_key(&tid)
    }
    pub fn insert(&mut self, t: Thread) -> Option<Thread> {
        self.map.insert(t.tid, t)
    }
    pub fn remove(&mut self, tid: i64) -> Option<Thread> {
        self.map.remove(&tid)
    }
    pub fn len(&self) -> usize {
        self.map.len()
    }
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
    pub fn iter(&self) -> impl Iterator<Item = &Thread> {
        self.map.values()
    }
    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut Thread> {
        self.map.values_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_lists() {
        assert_eq!(
            split_nul(b"a\0bc\0").collect::<Vec<_>>(),
            vec![&b"a"[..], b"bc"]
        );
        assert_eq!(
            split_nul(b"a\0bc").collect::<Vec<_>>(),
            vec![&b"a"[..], b"bc"]
        );
        assert_eq!(split_nul(b"").count(), 0);
        let t = Thread {
            env: b"A=1\0PATH=/bin\0".to_vec(),
            ..Thread::default()
        };
        assert_eq!(t.env_var(b"PATH"), Some(&b"/bin"[..]));
        assert_eq!(t.env_var(b"PAT"), None);
    }
}
