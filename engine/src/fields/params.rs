//! Rendering event parameters as text, the way libsinsp does for
//! `evt.args`, `evt.arg.*` and `evt.res`: a plain form (`3`, `4097`,
//! `-2`) and, where one exists, a resolved form (`<f>/etc/passwd`,
//! `O_RDONLY|O_CLOEXEC`, `ENOENT`).

use super::paramtab::{FlagTable, PARAM_FMT};
use super::values::Values;
use crate::state::EvalCtx;
use crate::state::ctx::{int_i64, int_u64, trim_nul};
use falcon_driver::abi::ParamType;
use falcon_driver::event::Event;
use std::fmt::Write as _;
use std::net::{Ipv4Addr, Ipv6Addr};

/// Print format of a numeric parameter (`PF_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(dead_code)]
pub enum PrintFmt {
    Na,
    Dec,
    Hex,
    Oct,
    PaddedDec,
    Id,
    Dir,
}

/// Print format and flag table of parameter `i` of event code `code`.
pub fn param_fmt(code: u16, i: usize) -> (PrintFmt, Option<FlagTable>) {
    PARAM_FMT
        .get(code as usize)
        .and_then(|p| p.get(i))
        .copied()
        .unwrap_or((PrintFmt::Na, None))
}

/// libsinsp's errno name for `-res` (empty when unknown).
pub fn errno_name(res: i64) -> &'static str {
    if res >= 0 {
        return "";
    }
    super::errno::name((-res) as u64)
}

/// Writes parameter `i` of `ev` in its plain form into the open string of
/// `out`.
pub fn write_plain(cx: &EvalCtx<'_>, ev: &Event<'_>, i: usize, out: &mut Values) {
    let Some(info) = ev.info().params.get(i) else {
        return;
    };
    let Some(b) = ev.param(i) else {
        return;
    };
    if b.is_empty() {
        let na = match info.ty {
            ParamType::Bytebuf | ParamType::Socktuple | ParamType::Fdlist | ParamType::Dyn => {
                "NULL"
            }
            _ => "<NA>",
        };
        out.extend(na.as_bytes());
        return;
    }
    let (pf, _) = param_fmt(ev.code(), i);
    match info.ty {
        ParamType::Int8 | ParamType::Int16 | ParamType::Int32 | ParamType::Int64 => {
            let v = int_i64(b).unwrap_or(0);
            write_num(out, pf, v as u64, v, b.len());
        }
        ParamType::Uint8
        | ParamType::Uint16
        | ParamType::Uint32
        | ParamType::Uint64
        | ParamType::Mode => {
            let v = int_u64(b).unwrap_or(0);
            // libsinsp prints unsigned values through a signed conversion.
            let s = v as i64;
            write_num(out, pf, v, s, b.len());
        }
        ParamType::Fd | ParamType::Pid | ParamType::Errno | ParamType::Fd32 | ParamType::Pid32 => {
            let _ = write!(out, "{}", int_i64(b).unwrap_or(0));
        }
        ParamType::Uid | ParamType::Gid => {
            let _ = write!(out, "{}", int_u64(b).unwrap_or(0));
        }
        ParamType::Flags8
        | ParamType::Flags16
        | ParamType::Flags32
        | ParamType::Enumflags8
        | ParamType::Enumflags16
        | ParamType::Enumflags32
        | ParamType::Syscallid
        | ParamType::Sigtype
        | ParamType::Port
        | ParamType::L4proto
        | ParamType::Sockfamily
        | ParamType::Bool
        | ParamType::Sigset
        | ParamType::Abstime => {
            let _ = write!(out, "{}", int_u64(b).unwrap_or(0));
        }
        ParamType::Reltime => match int_u64(b) {
            Some(u64::MAX) => out.extend(b"none"),
            v => {
                let _ = write!(out, "{}", v.unwrap_or(0));
            }
        },
        ParamType::Charbuf | ParamType::Fspath | ParamType::Fsrelpath => {
            out.extend(trim_nul(b));
        }
        ParamType::Bytebuf | ParamType::Charbufarray | ParamType::CharbufPairArray => {
            write_dots(out, b)
        }
        ParamType::Sockaddr => write_sockaddr(out, b),
        ParamType::Socktuple => write_socktuple(out, b),
        ParamType::Fdlist => write_fdlist(cx, out, b),
        ParamType::Ipv4addr => {
            if b.len() == 4 {
                let _ = write!(out, "{}", Ipv4Addr::new(b[0], b[1], b[2], b[3]));
            }
        }
        ParamType::Ipv6addr => {
            if let Ok(a) = <[u8; 16]>::try_from(b) {
                let _ = write!(out, "{}", Ipv6Addr::from(a));
            }
        }
        ParamType::Double => {
            if let Ok(a) = <[u8; 8]>::try_from(b) {
                let _ = write!(out, "{}", f64::from_le_bytes(a));
            }
        }
        _ => write_dots(out, b),
    }
}

fn write_num(out: &mut Values, pf: PrintFmt, u: u64, s: i64, width: usize) {
    let mask = if width >= 8 {
        u64::MAX
    } else {
        (1u64 << (width * 8)) - 1
    };
    let _ = match pf {
        // C's "%#o": a leading 0 except for zero itself
        PrintFmt::Oct if u & mask == 0 => write!(out, "0"),
        PrintFmt::Oct => write!(out, "0{:o}", u & mask),
        PrintFmt::Hex => write!(out, "{:X}", u & mask),
        PrintFmt::PaddedDec => write!(out, "{s:09}"),
        _ => write!(out, "{s}"),
    };
}

/// Writes the resolved form of parameter `i` (nothing if it has none).
pub fn write_resolved(cx: &EvalCtx<'_>, ev: &Event<'_>, i: usize, out: &mut Values) {
    let Some(info) = ev.info().params.get(i) else {
        return;
    };
    let Some(b) = ev.param(i) else {
        return;
    };
    if b.is_empty() {
        return;
    }
    let (_, table) = param_fmt(ev.code(), i);
    match info.ty {
        ParamType::Fd => {
            let fd = int_i64(b).unwrap_or(-1);
            if let Some(t) = cx.thread
                && let Some(f) = cx.state.fd(t, fd)
            {
                out.push_byte(b'<');
                out.push_byte(f.ty.typechar());
                out.push_byte(b'>');
                out.extend(&f.name);
            }
        }
        ParamType::Pid => {
            let pid = int_i64(b).unwrap_or(-1);
            if let Some(t) = cx.state.threads.get(pid) {
                out.extend(&t.comm);
            }
        }
        ParamType::Errno => {
            let v = int_i64(b).unwrap_or(0);
            out.extend(errno_name(v).as_bytes());
        }
        ParamType::Flags8 | ParamType::Flags16 | ParamType::Flags32 => {
            if let Some(t) = table {
                write_flags(out, t, int_u64(b).unwrap_or(0) as u32, false);
            }
        }
        ParamType::Enumflags8 | ParamType::Enumflags16 | ParamType::Enumflags32 => {
            if let Some(t) = table {
                write_flags(out, t, int_u64(b).unwrap_or(0) as u32, true);
            }
        }
        ParamType::Mode => {
            if let Some(t) = table {
                write_mode(out, t, int_u64(b).unwrap_or(0) as u32);
            }
        }
        ParamType::Fsrelpath | ParamType::Fspath => {
            let path = trim_nul(b);
            if path.is_empty() || path[0] == b'/' || path == b"<NA>" {
                return;
            }
            let Some(t) = cx.thread else { return };
            if info.ty == ParamType::Fsrelpath && info.dirfd >= 0 {
                let dirfd = ev
                    .param(info.dirfd as usize)
                    .and_then(int_i64)
                    .unwrap_or(-100);
                if dirfd != crate::state::PPM_AT_FDCWD {
                    match cx.state.fd(t, dirfd) {
                        Some(f) => crate::state::paths::concat_dir_into(&f.name, path, out),
                        None => crate::state::paths::concat_into(b"<UNKNOWN>", path, out),
                    }
                    return;
                }
            }
            let cwd = &cx.state.main_thread(t).cwd;
            crate::state::paths::concat_into(cwd, path, out);
        }
        ParamType::Syscallid => {
            let sc = int_u64(b).unwrap_or(0) as u16;
            if let Some(s) = falcon_driver::abi::syscall_by_ppm_sc(sc) {
                out.extend(s.name.as_bytes());
            }
        }
        ParamType::Reltime => {
            if let Some(v) = int_u64(b)
                && v != u64::MAX
            {
                let _ = write!(out, "{}s", v as f64 / 1e9);
            }
        }
        _ => {}
    }
}

/// Flag names joined by `|` (libsinsp's matching rules: enums match
/// exactly; bit flags match bit sets, `0` only an all-zero value).
pub fn write_flags(out: &mut Values, t: FlagTable, v: u32, exact: bool) {
    let mut rest = v;
    let mut sep = false;
    for &(name, fv) in t {
        let m = if exact {
            fv == v
        } else {
            (fv == 0 && v == 0) || (fv != 0 && rest & fv == fv && rest != 0)
        };
        if m {
            if sep {
                out.push_byte(b'|');
            }
            out.extend(name.as_bytes());
            sep = true;
            if !exact {
                rest &= !fv;
                if fv == v {
                    break;
                }
            }
        }
    }
}

fn write_mode(out: &mut Values, t: FlagTable, v: u32) {
    let mut rest = v;
    let mut sep = false;
    for &(name, fv) in t {
        if fv == v {
            break;
        }
        if (fv == 0 && v == 0) || (fv != 0 && rest & fv == fv && rest != 0) {
            if sep {
                out.push_byte(b'|');
            }
            out.extend(name.as_bytes());
            sep = true;
            rest &= !fv;
        }
    }
}

/// A byte buffer with non-printable bytes as `.`.
pub fn write_dots(out: &mut Values, b: &[u8]) {
    for &c in b {
        out.push_byte(if (0x20..0x7f).contains(&c) { c } else { b'.' });
    }
}

fn ipv4(b: &[u8]) -> Ipv4Addr {
    Ipv4Addr::new(b[0], b[1], b[2], b[3])
}

fn port(b: &[u8]) -> u16 {
    u16::from_le_bytes([b[0], b[1]])
}

fn write_sockaddr(out: &mut Values, b: &[u8]) {
    match b[0] {
        crate::state::PPM_AF_UNIX => out.extend(trim_nul(&b[1..])),
        crate::state::PPM_AF_INET if b.len() >= 7 => {
            let _ = write!(out, "{}:{}", ipv4(&b[1..5]), port(&b[5..7]));
        }
        crate::state::PPM_AF_INET6 if b.len() >= 19 => {
            let a = <[u8; 16]>::try_from(&b[1..17]).unwrap_or([0; 16]);
            let _ = write!(out, "{}:{}", Ipv6Addr::from(a), port(&b[17..19]));
        }
        f => {
            let _ = write!(out, "family {f}");
        }
    }
}

fn write_socktuple(out: &mut Values, b: &[u8]) {
    match b[0] {
        crate::state::PPM_AF_INET if b.len() >= 13 => {
            let _ = write!(
                out,
                "{}:{}->{}:{}",
                ipv4(&b[1..5]),
                port(&b[5..7]),
                ipv4(&b[7..11]),
                port(&b[11..13])
            );
        }
        crate::state::PPM_AF_INET6 if b.len() >= 37 => {
            let s = <[u8; 16]>::try_from(&b[1..17]).unwrap_or([0; 16]);
            let d = <[u8; 16]>::try_from(&b[19..35]).unwrap_or([0; 16]);
            let (s6, d6) = (Ipv6Addr::from(s), Ipv6Addr::from(d));
            match (s6.to_ipv4_mapped(), d6.to_ipv4_mapped()) {
                (Some(s4), Some(d4)) => {
                    let _ = write!(
                        out,
                        "{}:{}->{}:{}",
                        s4,
                        port(&b[17..19]),
                        d4,
                        port(&b[35..37])
                    );
                }
                _ => {
                    let _ = write!(
                        out,
                        "{}:{}->{}:{}",
                        s6,
                        port(&b[17..19]),
                        d6,
                        port(&b[35..37])
                    );
                }
            }
        }
        crate::state::PPM_AF_UNIX if b.len() >= 17 => {
            let src = u64::from_le_bytes(b[1..9].try_into().unwrap_or([0; 8]));
            let dst = u64::from_le_bytes(b[9..17].try_into().unwrap_or([0; 8]));
            let _ = write!(out, "{src:x}->{dst:x} ");
            out.extend(trim_nul(&b[17..]));
        }
        crate::state::PPM_AF_INET => out.extend(b"INVALID IPv4"),
        crate::state::PPM_AF_INET6 => out.extend(b"INVALID IPv6"),
        crate::state::PPM_AF_UNIX => out.extend(b"INVALID PATH"),
        _ => out.extend(b"INVALID SOCKTUPLE"),
    }
}

fn write_fdlist(cx: &EvalCtx<'_>, out: &mut Values, b: &[u8]) {
    let Some(t) = cx.thread else { return };
    if b.len() < 2 {
        return;
    }
    let n = u16::from_le_bytes([b[0], b[1]]) as usize;
    for j in 0..n {
        let o = 2 + j * 10;
        if o + 10 > b.len() {
            break;
        }
        let fd = i64::from_le_bytes(b[o..o + 8].try_into().unwrap_or([0; 8]));
        let fl = u16::from_le_bytes([b[o + 8], b[o + 9]]);
        let tch = cx.state.fd(t, fd).map_or(b'?', |f| f.ty.typechar());
        let _ = write!(
            out,
            "{}:{}{:x}",
            fd as u64, tch as char, fl as i16 as i32 as u32
        );
        if j + 1 < n {
            out.push_byte(b' ');
        }
    }
}
