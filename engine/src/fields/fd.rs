//! `fd.*` fields: the file descriptor the event refers to.

use super::{
    Arg, ArgKind, ArgRule, Display, FieldClass, FieldError, FieldFlags, FieldInfo, FieldType,
    Values,
};
use crate::state::{EvalCtx, Fd, FdType, Role};
use falcon_driver::abi;
use std::fmt::Write as _;

pub(super) static FIELDS: &[FieldInfo] = &[
    FieldInfo::new(
        "fd.num",
        FieldType::Int64,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Id,
        FieldClass::Fd,
        "Number identifying the file descriptor.",
    ),
    FieldInfo::new(
        "fd.type",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Fd,
        "fd type: file, directory, ipv4, ipv6, unix, pipe, event, signalfd, eventpoll, inotify or memfd.",
    ),
    FieldInfo::new(
        "fd.typechar",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Fd,
        "fd type as one character: f file, 4 IPv4 socket, 6 IPv6 socket, u unix socket, p pipe, e eventfd, s signalfd, l eventpoll, i inotify, b bpf, u userfaultfd (same letter as unix), r io_uring, m memfd, o unknown.",
    ),
    FieldInfo::new(
        "fd.name",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Fd,
        "Full fd name: the full path for files, the connection tuple for sockets.",
    ),
    FieldInfo::new(
        "fd.directory",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Fd,
        "For file fds, the directory containing the file.",
    ),
    FieldInfo::new(
        "fd.filename",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Fd,
        "For file fds, the file name without its directory.",
    ),
    FieldInfo::new(
        "fd.ip",
        FieldType::IpAddr,
        FieldFlags(FieldFlags::FILTER_ONLY.0 | FieldFlags::NO_RHS.0 | FieldFlags::NO_TRANSFORMER.0),
        ArgRule::NONE,
        Display::Na,
        FieldClass::Fd,
        "Filter-only. Matches the client or the server IP of the fd.",
    ),
    FieldInfo::new(
        "fd.cip",
        FieldType::IpAddr,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Fd,
        "Client IP address.",
    ),
    FieldInfo::new(
        "fd.sip",
        FieldType::IpAddr,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Fd,
        "Server IP address.",
    ),
    FieldInfo::new(
        "fd.lip",
        FieldType::IpAddr,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Fd,
        "Local IP address.",
    ),
    FieldInfo::new(
        "fd.rip",
        FieldType::IpAddr,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Fd,
        "Remote IP address.",
    ),
    FieldInfo::new(
        "fd.port",
        FieldType::Port,
        FieldFlags(FieldFlags::FILTER_ONLY.0 | FieldFlags::NO_RHS.0 | FieldFlags::NO_TRANSFORMER.0),
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Fd,
        "Filter-only. Matches the client or the server port of the fd.",
    ),
    FieldInfo::new(
        "fd.cport",
        FieldType::Port,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Fd,
        "TCP/UDP fds: client port.",
    ),
    FieldInfo::new(
        "fd.sport",
        FieldType::Port,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Fd,
        "TCP/UDP fds: server port.",
    ),
    FieldInfo::new(
        "fd.lport",
        FieldType::Port,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Fd,
        "TCP/UDP fds: local port.",
    ),
    FieldInfo::new(
        "fd.rport",
        FieldType::Port,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Fd,
        "TCP/UDP fds: remote port.",
    ),
    FieldInfo::new(
        "fd.l4proto",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Fd,
        "IP protocol of a socket: tcp, udp, icmp or raw.",
    ),
    FieldInfo::new(
        "fd.sockfamily",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Fd,
        "Socket family for socket events: ip or unix.",
    ),
    FieldInfo::new(
        "fd.is_server",
        FieldType::Bool,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Fd,
        "true when the process owning the fd is the server end of the connection.",
    ),
    FieldInfo::new(
        "fd.uid",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Fd,
        "Unique fd identifier made by chaining the fd number and the thread id.",
    ),
    FieldInfo::new(
        "fd.containername",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Fd,
        "Container id chained with the fd name; tells which container an fd belongs to.",
    ),
    FieldInfo::new(
        "fd.containerdirectory",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Fd,
        "Container id chained with the directory name; tells which container a directory belongs to.",
    ),
    FieldInfo::new(
        "fd.proto",
        FieldType::Port,
        FieldFlags(FieldFlags::FILTER_ONLY.0 | FieldFlags::NO_RHS.0 | FieldFlags::NO_TRANSFORMER.0),
        ArgRule::NONE,
        Display::Na,
        FieldClass::Fd,
        "Filter-only. Matches the client or the server protocol of the fd.",
    ),
    FieldInfo::new(
        "fd.cproto",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Fd,
        "TCP/UDP fds: client protocol.",
    ),
    FieldInfo::new(
        "fd.sproto",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Fd,
        "TCP/UDP fds: server protocol.",
    ),
    FieldInfo::new(
        "fd.lproto",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Fd,
        "TCP/UDP fds: local protocol.",
    ),
    FieldInfo::new(
        "fd.rproto",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Fd,
        "TCP/UDP fds: remote protocol.",
    ),
    FieldInfo::new(
        "fd.net",
        FieldType::IpNet,
        FieldFlags(FieldFlags::FILTER_ONLY.0 | FieldFlags::NO_RHS.0 | FieldFlags::NO_TRANSFORMER.0),
        ArgRule::NONE,
        Display::Na,
        FieldClass::Fd,
        "Filter-only. Matches the client or the server IP network of the fd.",
    ),
    FieldInfo::new(
        "fd.cnet",
        FieldType::IpNet,
        FieldFlags(FieldFlags::FILTER_ONLY.0 | FieldFlags::NO_RHS.0 | FieldFlags::NO_TRANSFORMER.0),
        ArgRule::NONE,
        Display::Na,
        FieldClass::Fd,
        "Filter-only. Matches the client IP network of the fd.",
    ),
    FieldInfo::new(
        "fd.snet",
        FieldType::IpNet,
        FieldFlags(FieldFlags::FILTER_ONLY.0 | FieldFlags::NO_RHS.0 | FieldFlags::NO_TRANSFORMER.0),
        ArgRule::NONE,
        Display::Na,
        FieldClass::Fd,
        "Filter-only. Matches the server IP network of the fd.",
    ),
    FieldInfo::new(
        "fd.lnet",
        FieldType::IpNet,
        FieldFlags(FieldFlags::FILTER_ONLY.0 | FieldFlags::NO_RHS.0 | FieldFlags::NO_TRANSFORMER.0),
        ArgRule::NONE,
        Display::Na,
        FieldClass::Fd,
        "Filter-only. Matches the local IP network of the fd.",
    ),
    FieldInfo::new(
        "fd.rnet",
        FieldType::IpNet,
        FieldFlags(FieldFlags::FILTER_ONLY.0 | FieldFlags::NO_RHS.0 | FieldFlags::NO_TRANSFORMER.0),
        ArgRule::NONE,
        Display::Na,
        FieldClass::Fd,
        "Filter-only. Matches the remote IP network of the fd.",
    ),
    FieldInfo::new(
        "fd.connected",
        FieldType::Bool,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Fd,
        "TCP/UDP fds: true when the socket is connected.",
    ),
    FieldInfo::new(
        "fd.name_changed",
        FieldType::Bool,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Fd,
        "true when the event changes the name of an fd it uses (e.g. UDP, where the connection tuple can change).",
    ),
    FieldInfo::new(
        "fd.cip.name",
        FieldType::Charbuf,
        FieldFlags(FieldFlags::NO_RHS.0 | FieldFlags::NO_TRANSFORMER.0),
        ArgRule::NONE,
        Display::Na,
        FieldClass::Fd,
        "Domain name associated with the client IP.",
    ),
    FieldInfo::new(
        "fd.sip.name",
        FieldType::Charbuf,
        FieldFlags(FieldFlags::NO_RHS.0 | FieldFlags::NO_TRANSFORMER.0),
        ArgRule::NONE,
        Display::Na,
        FieldClass::Fd,
        "Domain name associated with the server IP.",
    ),
    FieldInfo::new(
        "fd.lip.name",
        FieldType::Charbuf,
        FieldFlags(FieldFlags::NO_RHS.0 | FieldFlags::NO_TRANSFORMER.0),
        ArgRule::NONE,
        Display::Na,
        FieldClass::Fd,
        "Domain name associated with the local IP.",
    ),
    FieldInfo::new(
        "fd.rip.name",
        FieldType::Charbuf,
        FieldFlags(FieldFlags::NO_RHS.0 | FieldFlags::NO_TRANSFORMER.0),
        ArgRule::NONE,
        Display::Na,
        FieldClass::Fd,
        "Domain name associated with the remote IP.",
    ),
    FieldInfo::new(
        "fd.dev",
        FieldType::Int32,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Hex,
        FieldClass::Fd,
        "Device number (major/minor) holding the referenced file.",
    ),
    FieldInfo::new(
        "fd.dev.major",
        FieldType::Int32,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Fd,
        "Major device number holding the referenced file.",
    ),
    FieldInfo::new(
        "fd.dev.minor",
        FieldType::Int32,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Fd,
        "Minor device number holding the referenced file.",
    ),
    FieldInfo::new(
        "fd.ino",
        FieldType::Int64,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Fd,
        "Inode number of the referenced file.",
    ),
    FieldInfo::new(
        "fd.nameraw",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Fd,
        "Like fd.name but only for file paths; the path is kept raw (minimal sanitising, not made absolute).",
    ),
    FieldInfo::new(
        "fd.types",
        FieldType::Charbuf,
        FieldFlags(FieldFlags::IS_LIST.0 | FieldFlags::NO_RHS.0),
        ArgRule::allowed(ArgKind::Key),
        Display::Dec,
        FieldClass::Fd,
        "List of the fd types in use by the process; with an fd number as argument (fd.types[N]) the type of that fd as a one-item list.",
    ),
    FieldInfo::new(
        "fd.is_upper_layer",
        FieldType::Bool,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Fd,
        "true when the fd is a file in the upper layer of an overlayfs.",
    ),
    FieldInfo::new(
        "fd.is_lower_layer",
        FieldType::Bool,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Fd,
        "true when the fd is a file in the lower layer of an overlayfs.",
    ),
];

#[derive(Debug, Clone, Copy)]
pub(super) enum F {
    Num,
    Type,
    TypeChar,
    Name,
    NameRaw,
    Directory,
    Filename,
    Cip,
    Sip,
    Lip,
    Rip,
    Cport,
    Sport,
    Lport,
    Rport,
    L4proto,
    SockFamily,
    IsServer,
    Uid,
    Connected,
    NameChanged,
    Dev,
    DevMajor,
    DevMinor,
    Ino,
    IsUpper,
    IsLower,
    Types,
    /// `container_id:fd.name` / `container_id:fd.directory`.
    ContainerName,
    ContainerDirectory,
    /// Filter-only fields compared specially (`fd.ip`, `fd.net`...): they
    /// extract every address they match against.
    AnyIp,
    AnyPort,
    /// `fd.cproto`...: the port as libsinsp's `port_to_string` gives it
    /// with name resolution off (Falco's default): the number as text.
    Proto(ProtoSide),
    /// `fd.cip.name`...: DNS names of the addresses. falcon keeps no DNS
    /// cache, which is what libsinsp does when its DNS manager is off: no
    /// value.
    IpName,
    Net(NetSide),
}

#[derive(Debug, Clone, Copy)]
pub(super) enum ProtoSide {
    Client,
    Server,
    Local,
    Remote,
}

#[derive(Debug, Clone, Copy)]
pub(super) enum NetSide {
    Any,
    Client,
    Server,
    Local,
    Remote,
}

pub(super) fn bind(info: &'static FieldInfo, _arg: &Arg) -> Result<F, FieldError> {
    Ok(match info.name {
        "fd.num" => F::Num,
        "fd.type" => F::Type,
        "fd.typechar" => F::TypeChar,
        "fd.name" => F::Name,
        "fd.nameraw" => F::NameRaw,
        "fd.directory" => F::Directory,
        "fd.filename" => F::Filename,
        "fd.cip" => F::Cip,
        "fd.sip" => F::Sip,
        "fd.lip" => F::Lip,
        "fd.rip" => F::Rip,
        "fd.cport" => F::Cport,
        "fd.sport" => F::Sport,
        "fd.lport" => F::Lport,
        "fd.rport" => F::Rport,
        "fd.l4proto" => F::L4proto,
        "fd.sockfamily" => F::SockFamily,
        "fd.is_server" => F::IsServer,
        "fd.uid" => F::Uid,
        "fd.connected" => F::Connected,
        "fd.name_changed" => F::NameChanged,
        "fd.dev" => F::Dev,
        "fd.dev.major" => F::DevMajor,
        "fd.dev.minor" => F::DevMinor,
        "fd.ino" => F::Ino,
        "fd.is_upper_layer" => F::IsUpper,
        "fd.is_lower_layer" => F::IsLower,
        "fd.types" => F::Types,
        "fd.containername" => F::ContainerName,
        "fd.containerdirectory" => F::ContainerDirectory,
        "fd.ip" => F::AnyIp,
        "fd.port" | "fd.proto" => F::AnyPort,
        "fd.cproto" => F::Proto(ProtoSide::Client),
        "fd.sproto" => F::Proto(ProtoSide::Server),
        "fd.lproto" => F::Proto(ProtoSide::Local),
        "fd.rproto" => F::Proto(ProtoSide::Remote),
        "fd.cip.name" | "fd.sip.name" | "fd.lip.name" | "fd.rip.name" => F::IpName,
        "fd.net" => F::Net(NetSide::Any),
        "fd.cnet" => F::Net(NetSide::Client),
        "fd.snet" => F::Net(NetSide::Server),
        "fd.lnet" => F::Net(NetSide::Local),
        "fd.rnet" => F::Net(NetSide::Remote),
        _ => return Err(FieldError::NotImplemented(info.name.into())),
    })
}

/// The event refers to an fd at all (creates, uses or destroys one).
fn fd_event(cx: &EvalCtx<'_>) -> bool {
    cx.event.info().flags & (abi::EF_CREATES_FD | abi::EF_USES_FD | abi::EF_DESTROYS_FD) != 0
}

fn connected_sock(fd: &Fd) -> bool {
    matches!(fd.ty, FdType::Ipv4Sock | FdType::Ipv6Sock) && fd.role != Role::None
}

/// The name libsinsp takes from the event when the fd is not in the table.
fn name_from_event(cx: &EvalCtx<'_>, raw: bool, out: &mut Values) -> bool {
    use falcon_driver::abi::*;
    let ev = &cx.event;
    if ev.info().direction() == Direction::Enter {
        return false;
    }
    let c = ev.code() as u32;
    out.begin_str();
    match c {
        PPME_SYSCALL_OPEN_X
        | PPME_SOCKET_ACCEPT_5_X
        | PPME_SOCKET_ACCEPT4_6_X
        | PPME_SYSCALL_CREAT_X
        | PPME_SOCKET_CONNECT_X => {
            if ev.nparams() > 1 {
                super::params::write_resolved(cx, ev, 1, out);
                if out.open_len() == 0 {
                    super::params::write_plain(cx, ev, 1, out);
                }
            } else {
                out.extend(b"<NA>");
            }
        }
        PPME_SYSCALL_OPENAT_2_X | PPME_SYSCALL_OPENAT2_X => {
            let Some(name) = cx.param_str("name") else {
                out.abandon_str();
                return false;
            };
            if raw {
                out.extend(name);
            } else {
                let Some(dirfd) = cx.param_i64("dirfd") else {
                    out.abandon_str();
                    return false;
                };
                use crate::state::paths::{concat_dir_into, concat_into};
                match cx.thread {
                    Some(t) if name.first() != Some(&b'/') => {
                        if dirfd == crate::state::PPM_AT_FDCWD {
                            concat_into(&cx.state.main_thread(t).cwd, name, out)
                        } else {
                            match cx.state.fd(t, dirfd) {
                                Some(f) => concat_dir_into(&f.name, name, out),
                                None => concat_into(b"<UNKNOWN>", name, out),
                            }
                        }
                    }
                    _ => concat_into(b"", name, out),
                }
            }
        }
        _ => {}
    }
    out.end_str();
    true
}

pub(super) fn extract(f: F, _arg: &Arg, cx: &EvalCtx<'_>, out: &mut Values) -> bool {
    if !fd_event(cx) {
        return false;
    }
    let Some(t) = cx.thread else { return false };
    if let F::Num = f {
        out.push_i64(t.last_fd);
        return true;
    }
    if let F::Uid = f {
        out.begin_str();
        let _ = write!(out, "{}{}", t.tid, t.last_fd);
        out.end_str();
        return true;
    }
    if let F::Types = f {
        let table = cx.state.fdtable(t.fdtable);
        let mut seen: u32 = 0;
        for fd in table.fds.values() {
            let bit = 1u32 << (fd.ty as u8).min(31);
            if seen & bit == 0 {
                seen |= bit;
                out.push_str(fd.ty.as_str().as_bytes());
            }
        }
        return true;
    }
    if let F::ContainerName | F::ContainerDirectory = f {
        // the container plugin's id: `host` outside containers
        let id: &[u8] = if t.container_id.is_empty() {
            b"host"
        } else {
            &t.container_id
        };
        let inner = if matches!(f, F::ContainerName) {
            F::Name
        } else {
            F::Directory
        };
        let start = out.len();
        if !extract(inner, _arg, cx, out) {
            return false;
        }
        let Some(v) = out
            .get(start)
            .and_then(|v| v.as_bytes().map(<[u8]>::to_vec))
        else {
            return false;
        };
        out.pop();
        out.begin_str();
        out.extend(id);
        out.push_byte(b':');
        out.extend(&v);
        out.end_str();
        return true;
    }
    let Some(fd) = cx.fd else {
        return match f {
            F::Name => name_from_event(cx, false, out),
            F::NameRaw => name_from_event(cx, true, out),
            F::Directory => {
                let start = out.len();
                if !name_from_event(cx, false, out) {
                    return false;
                }
                // Cut the name just extracted down to its directory.
                let name: Vec<u8> = out
                    .get(start)
                    .and_then(|v| v.as_bytes().map(<[u8]>::to_vec))
                    .unwrap_or_default();
                out.pop();
                push_dir(&name, true, out);
                true
            }
            F::TypeChar => {
                out.push_str(&[null_typechar(cx)]);
                true
            }
            _ => false,
        };
    };
    let a = &fd.addrs;
    match f {
        F::Num | F::Uid | F::Types | F::ContainerName | F::ContainerDirectory => {}
        F::Type => out.push_str(fd.ty.as_str().as_bytes()),
        F::TypeChar => out.push_str(&[fd.ty.typechar()]),
        F::Name => out.push_str(&fd.name),
        F::NameRaw => out.push_str(&fd.nameraw),
        F::Directory => {
            if !fd.ty.is_file() {
                return false;
            }
            push_dir(&fd.name, fd.ty != FdType::Directory, out);
        }
        F::Filename => {
            if !matches!(fd.ty, FdType::File | FdType::FileV2) {
                return false;
            }
            match fd.name.iter().rposition(|&c| c == b'/') {
                Some(p) if p + 1 < fd.name.len() => out.push_str(&fd.name[p + 1..]),
                Some(_) => out.push_str(&fd.name),
                None => out.push_str(b"/"),
            }
        }
        F::Cip => {
            if !connected_sock(fd) {
                return false;
            }
            out.push_ip(a.cip)
        }
        F::Sip => {
            if fd.ty.is_server_socket() || connected_sock(fd) {
                out.push_ip(a.sip)
            } else {
                return false;
            }
        }
        F::Lip | F::Rip => {
            if !connected_sock(fd) {
                return false;
            }
            // libsinsp: the client address is local when it is one of
            // this machine's interfaces.
            let local_is_client = cx.state.is_local_addr(a.cip);
            let lip = if local_is_client { a.cip } else { a.sip };
            let rip = if local_is_client { a.sip } else { a.cip };
            out.push_ip(if matches!(f, F::Lip) { lip } else { rip })
        }
        F::Cport => {
            if !connected_sock(fd) {
                return false;
            }
            out.push_u64(a.cport as u64)
        }
        F::Sport => {
            if fd.ty.is_server_socket() || connected_sock(fd) {
                out.push_u64(a.sport as u64)
            } else {
                return false;
            }
        }
        F::Lport | F::Rport => {
            if !connected_sock(fd) {
                return false;
            }
            let local_is_client = cx.state.is_local_addr(a.cip);
            let lp = if local_is_client { a.cport } else { a.sport };
            let rp = if local_is_client { a.sport } else { a.cport };
            out.push_u64(if matches!(f, F::Lport) { lp } else { rp } as u64)
        }
        F::L4proto => out.push_str(fd.l4proto.as_str().as_bytes()),
        F::SockFamily => {
            if fd.ty.is_ip_socket() {
                out.push_str(b"ip")
            } else if fd.ty == FdType::UnixSock {
                out.push_str(b"unix")
            } else {
                return false;
            }
        }
        // libsinsp: a listening socket, or a connection whose server
        // address is one of this machine's.
        F::IsServer => out.push_bool(
            fd.ty.is_server_socket()
                || (matches!(fd.ty, FdType::Ipv4Sock | FdType::Ipv6Sock)
                    && cx.state.is_local_addr(a.sip)),
        ),
        F::Connected => out.push_bool(fd.connected),
        F::NameChanged => out.push_bool(fd.name_changed_at == cx.num && cx.num != 0),
        F::Dev => out.push_i64(fd.dev as i64),
        F::DevMajor => out.push_i64(((fd.dev >> 20) & 0xfff) as i64),
        F::DevMinor => out.push_i64((fd.dev & 0xfffff) as i64),
        F::Ino => out.push_i64(fd.ino as i64),
        F::IsUpper => out.push_bool(fd.flags & crate::state::PPM_FD_UPPER_LAYER != 0),
        F::IsLower => out.push_bool(fd.flags & crate::state::PPM_FD_LOWER_LAYER != 0),
        F::IpName => return false,
        F::Proto(side) => {
            let port = match side {
                ProtoSide::Server if fd.ty.is_server_socket() => a.sport,
                _ if !connected_sock(fd) => return false,
                ProtoSide::Client => a.cport,
                ProtoSide::Server => a.sport,
                ProtoSide::Local | ProtoSide::Remote => {
                    let local_is_client = cx.state.is_local_addr(a.cip);
                    match (side, local_is_client) {
                        (ProtoSide::Local, true) | (ProtoSide::Remote, false) => a.cport,
                        _ => a.sport,
                    }
                }
            };
            out.begin_str();
            let _ = write!(out, "{port}");
            out.end_str();
        }
        F::AnyIp => {
            if fd.ty.is_server_socket() {
                out.push_ip(a.sip)
            } else if matches!(fd.ty, FdType::Ipv4Sock | FdType::Ipv6Sock) {
                out.push_ip(a.cip);
                out.push_ip(a.sip);
            } else {
                return false;
            }
        }
        F::AnyPort => {
            if fd.ty.is_server_socket() {
                out.push_u64(a.sport as u64)
            } else if matches!(fd.ty, FdType::Ipv4Sock | FdType::Ipv6Sock) {
                out.push_u64(a.sport as u64);
                out.push_u64(a.cport as u64);
            } else {
                return false;
            }
        }
        F::Net(side) => {
            let ips: &[std::net::IpAddr] = match side {
                NetSide::Any if fd.ty.is_server_socket() => &[a.sip],
                NetSide::Any if connected_sock(fd) => &[a.cip, a.sip],
                NetSide::Server if fd.ty.is_server_socket() || connected_sock(fd) => &[a.sip],
                NetSide::Client | NetSide::Local | NetSide::Remote if connected_sock(fd) => {
                    let local_is_client = cx.state.is_local_addr(a.cip);
                    match side {
                        NetSide::Client => &[a.cip],
                        NetSide::Local if local_is_client => &[a.cip],
                        NetSide::Local => &[a.sip],
                        _ if local_is_client => &[a.sip],
                        _ => &[a.cip],
                    }
                }
                _ => return false,
            };
            for ip in ips {
                out.push_ip(*ip);
            }
        }
    }
    let _ = (ArgKind::Index, ArgRule::NONE, Display::Na, FieldClass::Fd);
    let _ = (FieldFlags::NONE, FieldType::Bool);
    true
}

/// `fd.directory`: a file's directory (a directory's own name).
fn push_dir(name: &[u8], is_file: bool, out: &mut Values) {
    if !is_file {
        out.push_str(name);
        return;
    }
    match name.iter().rposition(|&c| c == b'/') {
        Some(p) if p != 0 => {
            if p < name.len() - 1 {
                out.push_str(&name[..p])
            } else {
                out.push_str(name)
            }
        }
        _ => out.push_str(b"/"),
    }
}

/// libsinsp `extract_typechar` for events whose fd is not in the table.
fn null_typechar(cx: &EvalCtx<'_>) -> u8 {
    use falcon_driver::abi::*;
    let c = (cx.event.code() as u32) | 1;
    match c {
        PPME_SYSCALL_OPENAT_2_X | PPME_SYSCALL_OPENAT2_X | PPME_SYSCALL_CREAT_X => b'f',
        PPME_SOCKET_SOCKET_X | PPME_SOCKET_ACCEPT_5_X | PPME_SOCKET_ACCEPT4_6_X => b'4',
        PPME_SYSCALL_PIPE_X | PPME_SYSCALL_PIPE2_X => b'p',
        PPME_SYSCALL_EVENTFD_X | PPME_SYSCALL_EVENTFD2_X => b'e',
        PPME_SYSCALL_SIGNALFD_X | PPME_SYSCALL_SIGNALFD4_X => b's',
        PPME_SYSCALL_TIMERFD_CREATE_X => b't',
        PPME_SYSCALL_INOTIFY_INIT_X | PPME_SYSCALL_INOTIFY_INIT1_X => b'i',
        _ => b'o',
    }
}
