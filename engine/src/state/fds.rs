//! File descriptor tables: one per process (threads created with
//! `CLONE_FILES` share it), each a map from fd number to [`Fd`].

use std::collections::HashMap;
use std::net::IpAddr;

pub use falcon_driver::scap::FdType;

/// Layer-4 protocol of a socket (`scap_l4_proto` numbering).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum L4Proto {
    #[default]
    Unknown,
    Tcp,
    Udp,
    Icmp,
    Raw,
}

impl L4Proto {
    /// From the capture's `l4proto` byte.
    pub fn from_code(c: u8) -> L4Proto {
        match c {
            1 => L4Proto::Tcp,
            2 => L4Proto::Udp,
            3 => L4Proto::Icmp,
            4 => L4Proto::Raw,
            _ => L4Proto::Unknown,
        }
    }
    /// `fd.l4proto`.
    pub fn as_str(self) -> &'static str {
        match self {
            L4Proto::Tcp => "tcp",
            L4Proto::Udp => "udp",
            L4Proto::Icmp => "icmp",
            L4Proto::Raw => "raw",
            L4Proto::Unknown => "<NA>",
        }
    }
}

/// Which end of a connection this process is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Role {
    #[default]
    None,
    Client,
    Server,
}

/// Socket addressing: for connected sockets the client (`sip` side in
/// libsinsp terms is the *server*); for listening sockets only `sip/sport`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SockAddrs {
    pub cip: IpAddr,
    pub sip: IpAddr,
    pub cport: u16,
    pub sport: u16,
}

impl Default for SockAddrs {
    fn default() -> Self {
        SockAddrs {
            cip: IpAddr::V4(0.into()),
            sip: IpAddr::V4(0.into()),
            cport: 0,
            sport: 0,
        }
    }
}

/// One open file descriptor.
#[derive(Debug, Clone, Default)]
pub struct Fd {
    pub ty: FdType,
    /// `fd.name`: path for files, `cip:cport->sip:sport` for connected
    /// sockets, `ip:port` for listening ones, the unix path, `pipe:[ino]`...
    pub name: Vec<u8>,
    /// `fd.nameraw`: the name as given by the syscall, before resolution.
    pub nameraw: Vec<u8>,
    /// Open flags (`PPM_O_*`).
    pub flags: u32,
    pub mode: u32,
    pub dev: u32,
    pub ino: u64,
    pub l4proto: L4Proto,
    pub addrs: SockAddrs,
    pub role: Role,
    /// Unix sockets: kernel pointers of both ends.
    pub unix_source: u64,
    pub unix_dest: u64,
    /// A connect/accept completed (set when the tuple is known).
    pub connected: bool,
    /// The name changed during this event (`fd.name_changed`).
    pub name_changed_at: u64,
    /// The socket was opened by socket() with AF_INET/AF_INET6 but has no
    /// tuple yet.
    pub pending: bool,
    /// The protocol socket() implies, applied once the socket gets a tuple
    /// (Falco reports `fd.l4proto` `<NA>` until then on replayed captures).
    pub pending_l4proto: L4Proto,
    pub cloexec: bool,
}

impl Fd {
    pub fn new(ty: FdType) -> Fd {
        Fd {
            ty,
            ..Fd::default()
        }
    }
}

/// The fds of one process.
#[derive(Debug, Default, Clone)]
pub struct FdTable {
    pub fds: HashMap<i64, Fd>,
}

impl FdTable {
    pub fn get(&self, fd: i64) -> Option<&Fd> {
        self.fds.get(&fd)
    }
    pub fn get_mut(&mut self, fd: i64) -> Option<&mut Fd> {
        self.fds.get_mut(&fd)
    }
    pub fn len(&self) -> usize {
        self.fds.len()
    }
    pub fn is_empty(&self) -> bool {
        self.fds.is_empty()
    }
}
