//! File descriptor tables: one per process (threads created with
//! `CLONE_FILES` share it), each a map from fd number to [`Fd`].

use std::collections::HashMap;
use std::net::IpAddr;

/// The kind of object an fd refers to (`scap_fd_type` numbering).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[repr(u8)]
pub enum FdType {
    #[default]
    Unknown = 0,
    File = 1,
    Directory = 2,
    Ipv4Sock = 3,
    Ipv6Sock = 4,
    Ipv4ServSock = 5,
    Ipv6ServSock = 6,
    Fifo = 7,
    UnixSock = 8,
    Event = 9,
    Unsupported = 10,
    Signalfd = 11,
    Eventpoll = 12,
    Inotify = 13,
    Timerfd = 14,
    Netlink = 15,
    FileV2 = 16,
    Bpf = 17,
    Userfaultfd = 18,
    IoUring = 19,
    Memfd = 20,
    Pidfd = 21,
}

impl FdType {
    /// From the `scap_fd_type` code of a capture's fd list.
    pub fn from_code(c: u8) -> FdType {
        use FdType::*;
        match c {
            1 => File,
            2 => Directory,
            3 => Ipv4Sock,
            4 => Ipv6Sock,
            5 => Ipv4ServSock,
            6 => Ipv6ServSock,
            7 => Fifo,
            8 => UnixSock,
            9 => Event,
            10 => Unsupported,
            11 => Signalfd,
            12 => Eventpoll,
            13 => Inotify,
            14 => Timerfd,
            15 => Netlink,
            16 => FileV2,
            17 => Bpf,
            18 => Userfaultfd,
            19 => IoUring,
            20 => Memfd,
            21 => Pidfd,
            _ => Unknown,
        }
    }

    /// `fd.type`, as libsinsp names it.
    pub fn as_str(self) -> &'static str {
        use FdType::*;
        match self {
            File | FileV2 => "file",
            Directory => "directory",
            Ipv4Sock | Ipv4ServSock => "ipv4",
            Ipv6Sock | Ipv6ServSock => "ipv6",
            UnixSock => "unix",
            Fifo => "pipe",
            Event => "event",
            Signalfd => "signalfd",
            Eventpoll => "eventpoll",
            Inotify => "inotify",
            Timerfd => "timerfd",
            Netlink => "netlink",
            Bpf => "bpf",
            Userfaultfd => "userfaultfd",
            IoUring => "io_uring",
            Memfd => "memfd",
            Pidfd => "pidfd",
            Unknown | Unsupported => "<NA>",
        }
    }

    /// `fd.typechar`.
    pub fn typechar(self) -> u8 {
        use FdType::*;
        match self {
            File | FileV2 => b'f',
            Ipv4Sock | Ipv4ServSock => b'4',
            Ipv6Sock | Ipv6ServSock => b'6',
            Directory => b'd',
            Fifo => b'p',
            UnixSock => b'u',
            Event => b'e',
            Unknown => b'o',
            Unsupported => b'X',
            Signalfd => b's',
            Eventpoll => b'l',
            Inotify => b'i',
            Timerfd => b't',
            Netlink => b'n',
            Bpf => b'b',
            Userfaultfd => b'u',
            IoUring => b'r',
            Memfd => b'm',
            Pidfd => b'P',
        }
    }

    pub fn is_ip_socket(self) -> bool {
        matches!(
            self,
            FdType::Ipv4Sock | FdType::Ipv6Sock | FdType::Ipv4ServSock | FdType::Ipv6ServSock
        )
    }
    pub fn is_server_socket(self) -> bool {
        matches!(self, FdType::Ipv4ServSock | FdType::Ipv6ServSock)
    }
    pub fn is_file(self) -> bool {
        matches!(self, FdType::File | FdType::FileV2 | FdType::Directory)
    }
}

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
