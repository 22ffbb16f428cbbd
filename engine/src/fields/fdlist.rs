//! `fdlist.*` fields: the fds of a poll/ppoll event, as comma-separated
//! lists (libsinsp's fdlist class).

use super::{
    Arg, ArgRule, Display, FieldClass, FieldError, FieldFlags, FieldInfo, FieldType, Values,
};
use crate::state::{EvalCtx, FdType};
use falcon_driver::abi::{PPME_SYSCALL_POLL_X, PPME_SYSCALL_PPOLL_X};
use std::fmt::Write as _;
use std::net::IpAddr;

pub(super) static FIELDS: &[FieldInfo] = &[
    FieldInfo::new(
        "fdlist.nums",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Id,
        FieldClass::FdList,
        "Poll events: comma-separated fd numbers from the fds argument, as a string.",
    ),
    FieldInfo::new(
        "fdlist.names",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::FdList,
        "Poll events: comma-separated fd names from the fds argument, as a string.",
    ),
    FieldInfo::new(
        "fdlist.cips",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::FdList,
        "Poll events: comma-separated client IPs from the fds argument, as a string.",
    ),
    FieldInfo::new(
        "fdlist.sips",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::FdList,
        "Poll events: comma-separated server IPs from the fds argument, as a string.",
    ),
    FieldInfo::new(
        "fdlist.cports",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::FdList,
        "Poll events on TCP/UDP fds: comma-separated client ports from the fds argument, as a string.",
    ),
    FieldInfo::new(
        "fdlist.sports",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::FdList,
        "Poll events: comma-separated server ports from the fds argument, as a string.",
    ),
];

#[derive(Debug, Clone, Copy)]
pub(super) enum F {
    Nums,
    Names,
    Cips,
    Sips,
    Cports,
    Sports,
}

pub(super) fn bind(info: &'static FieldInfo, _arg: &Arg) -> Result<F, FieldError> {
    Ok(match info.name {
        "fdlist.nums" => F::Nums,
        "fdlist.names" => F::Names,
        "fdlist.cips" => F::Cips,
        "fdlist.sips" => F::Sips,
        "fdlist.cports" => F::Cports,
        "fdlist.sports" => F::Sports,
        _ => return Err(FieldError::NotImplemented(info.name.into())),
    })
}

pub(super) fn extract(f: F, _arg: &Arg, cx: &EvalCtx<'_>, out: &mut Values) -> bool {
    let code = cx.event.code() as u32;
    if code != PPME_SYSCALL_POLL_X && code != PPME_SYSCALL_PPOLL_X {
        return false;
    }
    let Some(t) = cx.thread else { return false };
    let Some(b) = cx.event.param(1).filter(|b| b.len() >= 2) else {
        return false;
    };
    let n = u16::from_le_bytes([b[0], b[1]]) as usize;
    out.begin_str();
    for j in 0..n {
        let o = 2 + j * 10;
        let Some(e) = b.get(o..o + 8) else { break };
        let fd = i64::from_le_bytes(e.try_into().unwrap_or([0; 8]));
        let info = cx.state.fd(t, fd);
        let sock = info.filter(|i| matches!(i.ty, FdType::Ipv4Sock | FdType::Ipv6Sock));
        let wrote = match f {
            F::Nums => {
                let _ = write!(out, "{fd}");
                true
            }
            F::Names => {
                match info.filter(|i| !i.name.is_empty()) {
                    Some(i) => out.extend(&i.name),
                    None => out.extend(b"<NA>"),
                }
                true
            }
            F::Cips => match sock {
                Some(i) => {
                    let _ = write!(out, "{}", i.addrs.cip);
                    true
                }
                None => false,
            },
            F::Sips => match info {
                Some(i) if i.ty.is_ip_socket() => {
                    // libsinsp prints an IPv6 listening address as IPv4
                    // (its first four bytes)
                    let ip = match (i.ty, i.addrs.sip) {
                        (FdType::Ipv6ServSock, IpAddr::V6(a)) => {
                            let o = a.octets();
                            IpAddr::from([o[0], o[1], o[2], o[3]])
                        }
                        (_, a) => a,
                    };
                    let _ = write!(out, "{ip}");
                    true
                }
                _ => false,
            },
            F::Cports => match sock {
                Some(i) => {
                    let _ = write!(out, "{}", i.addrs.cport);
                    true
                }
                None => false,
            },
            F::Sports => match sock {
                Some(i) => {
                    let _ = write!(out, "{}", i.addrs.sport);
                    true
                }
                None => false,
            },
        };
        if wrote {
            out.push_byte(b',');
        }
    }
    let len = out.open_len();
    if len == 0 {
        out.abandon_str();
        return false;
    }
    out.truncate_open(len - 1);
    out.end_str();
    let _ = (
        ArgRule::NONE,
        Display::Na,
        FieldClass::FdList,
        FieldFlags::NONE,
        FieldType::Bool,
    );
    true
}
