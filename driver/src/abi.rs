//! The kernel/user ABI as Rust sees it: constants and layouts from
//! `abi/falcon_abi.h` (bindgen) and the event and syscall tables from
//! `abi/falcon_events.def` / `abi/falcon_syscalls.def` (build.rs).

#![allow(non_camel_case_types, non_upper_case_globals, dead_code)]

mod bindings {
    #![allow(
        non_camel_case_types,
        non_upper_case_globals,
        non_snake_case,
        dead_code
    )]
    #![allow(clippy::all)]
    include!(concat!(env!("OUT_DIR"), "/abi_bindings.rs"));
}

pub use bindings::*;

/// Event type code (`PPME_*`).
pub type EventCode = u16;

/// Wire type of one event parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum ParamType {
    None = PT_NONE,
    Int8 = PT_INT8,
    Int16 = PT_INT16,
    Int32 = PT_INT32,
    Int64 = PT_INT64,
    Uint8 = PT_UINT8,
    Uint16 = PT_UINT16,
    Uint32 = PT_UINT32,
    Uint64 = PT_UINT64,
    Charbuf = PT_CHARBUF,
    Bytebuf = PT_BYTEBUF,
    Errno = PT_ERRNO,
    Sockaddr = PT_SOCKADDR,
    Socktuple = PT_SOCKTUPLE,
    Fd = PT_FD,
    Pid = PT_PID,
    Fdlist = PT_FDLIST,
    Fspath = PT_FSPATH,
    Syscallid = PT_SYSCALLID,
    Sigtype = PT_SIGTYPE,
    Reltime = PT_RELTIME,
    Abstime = PT_ABSTIME,
    Port = PT_PORT,
    L4proto = PT_L4PROTO,
    Sockfamily = PT_SOCKFAMILY,
    Bool = PT_BOOL,
    Ipv4addr = PT_IPV4ADDR,
    Dyn = PT_DYN,
    Flags8 = PT_FLAGS8,
    Flags16 = PT_FLAGS16,
    Flags32 = PT_FLAGS32,
    Uid = PT_UID,
    Gid = PT_GID,
    Double = PT_DOUBLE,
    Sigset = PT_SIGSET,
    Charbufarray = PT_CHARBUFARRAY,
    CharbufPairArray = PT_CHARBUF_PAIR_ARRAY,
    Ipv4net = PT_IPV4NET,
    Ipv6addr = PT_IPV6ADDR,
    Ipv6net = PT_IPV6NET,
    Ipaddr = PT_IPADDR,
    Ipnet = PT_IPNET,
    Mode = PT_MODE,
    Fsrelpath = PT_FSRELPATH,
    Enumflags8 = PT_ENUMFLAGS8,
    Enumflags16 = PT_ENUMFLAGS16,
    Enumflags32 = PT_ENUMFLAGS32,
    Fd32 = PT_FD32,
    Pid32 = PT_PID32,
}

/// One parameter of an event type.
#[derive(Debug, Clone, Copy)]
pub struct ParamInfo {
    pub name: &'static str,
    pub ty: ParamType,
    /// For `Fsrelpath`: index of the dirfd parameter it is relative to, else -1.
    pub dirfd: i32,
}

/// Direction of an event: syscall enter (even codes) or exit (odd codes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Enter,
    Exit,
}

/// One row of the event table.
#[derive(Debug)]
pub struct EventInfo {
    pub code: u16,
    /// C identifier, e.g. `PPME_SYSCALL_OPEN_X`.
    pub symbol: &'static str,
    /// Event name as rules see it (`evt.type`), e.g. `open`.
    pub name: &'static str,
    pub category: u32,
    pub flags: u32,
    /// Parameter count of this code in schema 1.0 (sysdig 0.29); -1 if it did not exist.
    pub nparams_2022: i32,
    pub params: &'static [ParamInfo],
}

impl EventInfo {
    pub fn direction(&self) -> Direction {
        if self.code.is_multiple_of(2) {
            Direction::Enter
        } else {
            Direction::Exit
        }
    }
    pub fn has_flag(&self, flag: u32) -> bool {
        self.flags & flag != 0
    }
    /// Parameter lengths are u32 instead of u16.
    pub fn large_payload(&self) -> bool {
        self.has_flag(EF_LARGE_PAYLOAD)
    }
    pub fn is_old(&self) -> bool {
        self.has_flag(EF_OLD_VERSION)
    }
    pub fn is_unused(&self) -> bool {
        self.has_flag(EF_UNUSED)
    }
    /// Index of the parameter called `name`.
    pub fn param_index(&self, name: &str) -> Option<usize> {
        self.params.iter().position(|p| p.name == name)
    }
}

/// One row of the x86_64 syscall table.
#[derive(Debug)]
pub struct SyscallInfo {
    pub nr: u32,
    pub name: &'static str,
    /// System-independent code (`PPM_SC_*`), -1 when none exists.
    pub ppm_sc: i32,
    pub exit_event: u32,
    /// `PPME_GENERIC_E` (never emitted) means no enter event.
    pub enter_event: u32,
}

include!(concat!(env!("OUT_DIR"), "/abi_tables.rs"));

/// Number of event codes.
pub const EVENT_MAX: usize = FALCON_EVENT_MAX as usize;

/// Looks up the table row of an event code.
pub fn event_info(code: u16) -> Option<&'static EventInfo> {
    EVENT_TABLE.get(code as usize)
}

/// The syscall with native number `nr`.
pub fn syscall_by_nr(nr: u32) -> Option<&'static SyscallInfo> {
    // The table is dense from 0 on x86_64; fall back to a search if not.
    match SYSCALL_TABLE.get(nr as usize) {
        Some(s) if s.nr == nr => Some(s),
        _ => SYSCALL_TABLE.iter().find(|s| s.nr == nr),
    }
}

/// The syscall whose system-independent code is `ppm_sc`.
pub fn syscall_by_ppm_sc(ppm_sc: u16) -> Option<&'static SyscallInfo> {
    SYSCALL_TABLE.iter().find(|s| s.ppm_sc == ppm_sc as i32)
}

/// The ioctl request number for `nr` (all falcon ioctls are `_IO(magic, nr)`).
pub const fn ioctl_request(nr: u32) -> u64 {
    ((FALCON_IOCTL_MAGIC as u64) << 8) | nr as u64
}

/// The API version this build speaks (ring layout, ioctls, maps).
pub const API_VERSION: u64 = pack_version(
    FALCON_API_VERSION_MAJOR as u64,
    FALCON_API_VERSION_MINOR as u64,
    FALCON_API_VERSION_PATCH as u64,
);
/// The event schema version of the event table.
pub const SCHEMA_VERSION: u64 = pack_version(
    FALCON_SCHEMA_VERSION_MAJOR as u64,
    FALCON_SCHEMA_VERSION_MINOR as u64,
    FALCON_SCHEMA_VERSION_PATCH as u64,
);

/// Splits a packed version into (major, minor, patch).
pub const fn unpack_version(v: u64) -> (u64, u64, u64) {
    (
        (v >> 44) & ((1 << 19) - 1),
        (v >> 24) & ((1 << 20) - 1),
        v & ((1 << 24) - 1),
    )
}

/// Packs (major, minor, patch) like `FALCON_VERSION_PACK`.
pub const fn pack_version(major: u64, minor: u64, patch: u64) -> u64 {
    (major << 44) | (minor << 24) | patch
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_dense_and_paired() {
        assert_eq!(EVENT_TABLE.len(), EVENT_MAX);
        assert_eq!(EVENT_MAX, 454);
        for (i, e) in EVENT_TABLE.iter().enumerate() {
            assert_eq!(e.code as usize, i);
            assert!(e.params.len() <= FALCON_MAX_EVENT_PARAMS as usize);
        }
    }

    #[test]
    fn known_rows() {
        let open = event_info(PPME_SYSCALL_OPEN_X as u16).unwrap();
        assert_eq!(open.name, "open");
        assert_eq!(open.params.len(), 6);
        assert_eq!(open.nparams_2022, 5);
        assert!(open.has_flag(EF_CREATES_FD));
        let openat = event_info(PPME_SYSCALL_OPENAT_2_X as u16).unwrap();
        assert_eq!(openat.params[2].ty, ParamType::Fsrelpath);
        assert_eq!(openat.params[2].dirfd, 1);
        let large: Vec<_> = EVENT_TABLE
            .iter()
            .filter(|e| e.large_payload())
            .map(|e| e.code)
            .collect();
        assert_eq!(large, vec![322, 324, 402]);
        let execve = event_info(PPME_SYSCALL_EXECVE_19_X as u16).unwrap();
        assert_eq!(execve.params.len(), 31);
    }

    #[test]
    fn header_layouts() {
        assert_eq!(
            std::mem::size_of::<falcon_evt_hdr>(),
            FALCON_EVT_HDR_LEN as usize
        );
        assert_eq!(std::mem::size_of::<falcon_ring_info>(), 128);
    }

    #[test]
    fn syscalls() {
        let s = syscall_by_nr(2).unwrap();
        assert_eq!(s.name, "open");
        assert_eq!(s.exit_event, PPME_SYSCALL_OPEN_X);
        assert_eq!(s.enter_event, PPME_SYSCALL_OPEN_E);
        let g = syscall_by_nr(39).unwrap();
        assert_eq!(g.name, "getpid");
        assert_eq!(g.exit_event, PPME_GENERIC_X);
        assert_eq!(syscall_by_ppm_sc(16).unwrap().name, "getpid");
        assert_eq!(ioctl_request(FALCON_IOCTL_NR_SET_SNAPLEN), 0x7304);
        assert_eq!(unpack_version(SCHEMA_VERSION), (4, 5, 1));
    }
}
