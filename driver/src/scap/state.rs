//! The state blocks of a capture: machine info, processes, fds, users,
//! groups and interfaces. Each type parses itself from a block body and
//! encodes itself back in the current layout.
//!
//! Strings are kept as the bytes on disk (Linux names need not be UTF-8);
//! `args`, `env` and `cgroups` are `\0`-separated lists.

use super::block;
use super::cursor::{Cursor, Put, Res};
use super::error::{Corruption, ScapError};

/// The machine the capture was taken on (MI block, 180-byte body).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MachineInfo {
    pub num_cpus: u32,
    pub memory_size_bytes: u64,
    pub max_pid: u64,
    /// Host name, without the NUL padding of its 128-byte field.
    pub hostname: Vec<u8>,
    /// Boot time in ns since the epoch (formerly `reserved1`).
    pub boot_ts_epoch: u64,
    /// Machine flags (formerly `reserved2`).
    pub flags: u64,
    pub reserved3: u64,
    pub reserved4: u64,
}

const HOSTNAME_LEN: usize = 128;

impl MachineInfo {
    pub(crate) fn parse(body: &[u8]) -> Res<Self> {
        let mut c = Cursor::new(body);
        let num_cpus = c.u32("machine info num_cpus")?;
        let memory_size_bytes = c.u64("machine info memory_size_bytes")?;
        let max_pid = c.u64("machine info max_pid")?;
        let h = c.bytes(HOSTNAME_LEN, "machine info hostname")?;
        let hostname = h[..h.iter().position(|&b| b == 0).unwrap_or(h.len())].to_vec();
        Ok(MachineInfo {
            num_cpus,
            memory_size_bytes,
            max_pid,
            hostname,
            boot_ts_epoch: c.u64("machine info boot_ts_epoch")?,
            flags: c.u64("machine info flags")?,
            reserved3: c.u64("machine info reserved3")?,
            reserved4: c.u64("machine info reserved4")?,
        })
    }

    pub(crate) fn encode(&self, out: &mut Vec<u8>) -> Result<(), ScapError> {
        if self.hostname.len() >= HOSTNAME_LEN {
            return Err(ScapError::Encode {
                what: "machine info hostname",
                why: "longer than 127 bytes",
            });
        }
        out.put_u32(self.num_cpus);
        out.put_u64(self.memory_size_bytes);
        out.put_u64(self.max_pid);
        out.extend_from_slice(&self.hostname);
        out.resize(out.len() + HOSTNAME_LEN - self.hostname.len(), 0);
        out.put_u64(self.boot_ts_epoch);
        out.put_u64(self.flags);
        out.put_u64(self.reserved3);
        out.put_u64(self.reserved4);
        Ok(())
    }
}

/// One thread of the process list (PL blocks, V1 to V9).
///
/// Fields a given block version does not carry keep the defaults libscap
/// uses: `-1` for `sid`/`vpgid`/`pgid`/`vtid`/`vpid`, `u32::MAX` for
/// `loginuid`, zero/empty otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcEntry {
    pub tid: u64,
    pub pid: u64,
    pub ptid: u64,
    pub sid: i64,
    pub vpgid: i64,
    pub comm: Vec<u8>,
    pub exe: Vec<u8>,
    pub exepath: Vec<u8>,
    /// `\0`-separated, ending in `\0` when non-empty.
    pub args: Vec<u8>,
    pub cwd: Vec<u8>,
    pub fdlimit: u64,
    pub flags: u32,
    pub uid: u32,
    pub gid: u32,
    pub vmsize_kb: u32,
    pub vmrss_kb: u32,
    pub vmswap_kb: u32,
    pub pfmajor: u64,
    pub pfminor: u64,
    /// `\0`-separated, ending in `\0` when non-empty.
    pub env: Vec<u8>,
    pub vtid: i64,
    pub vpid: i64,
    /// `subsys=path\0` entries.
    pub cgroups: Vec<u8>,
    pub root: Vec<u8>,
    pub pidns_init_start_ts: u64,
    pub tty: u32,
    pub loginuid: u32,
    pub exe_writable: bool,
    pub cap_inheritable: u64,
    pub cap_permitted: u64,
    pub cap_effective: u64,
    pub exe_upper_layer: bool,
    pub exe_ino: u64,
    pub exe_ino_ctime: u64,
    pub exe_ino_mtime: u64,
    pub exe_from_memfd: bool,
    pub exe_lower_layer: bool,
    pub pgid: i64,
}

impl Default for ProcEntry {
    fn default() -> Self {
        ProcEntry {
            tid: 0,
            pid: 0,
            ptid: 0,
            sid: -1,
            vpgid: -1,
            comm: Vec::new(),
            exe: Vec::new(),
            exepath: Vec::new(),
            args: Vec::new(),
            cwd: Vec::new(),
            fdlimit: 0,
            flags: 0,
            uid: 0,
            gid: 0,
            vmsize_kb: 0,
            vmrss_kb: 0,
            vmswap_kb: 0,
            pfmajor: 0,
            pfminor: 0,
            env: Vec::new(),
            vtid: -1,
            vpid: -1,
            cgroups: Vec::new(),
            root: Vec::new(),
            pidns_init_start_ts: 0,
            tty: 0,
            loginuid: u32::MAX,
            exe_writable: false,
            cap_inheritable: 0,
            cap_permitted: 0,
            cap_effective: 0,
            exe_upper_layer: false,
            exe_ino: 0,
            exe_ino_ctime: 0,
            exe_ino_mtime: 0,
            exe_from_memfd: false,
            exe_lower_layer: false,
            pgid: -1,
        }
    }
}

/// Trailing bytes after `root` up to which a PL_V9 entry is taken to be
/// pre-0.10 (loginuid 4 + exe_writable 1 + three capability sets 24).
const PRE_0_10_TAIL: usize = 29;

/// Appends a missing trailing NUL to a `\0`-separated list, like libscap.
fn terminate_list(mut v: Vec<u8>) -> Vec<u8> {
    if v.last().is_some_and(|&b| b != 0) {
        v.push(0);
    }
    v
}

/// Layout of the PL_V9 entries a writer emits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProcLayout {
    /// Current libs: `pidns_init_start_ts` and `tty` before `loginuid`, then
    /// every field up to `pgid`.
    Current,
    /// libs 2022 / sysdig 0.29: `root` is followed by `loginuid` and
    /// `exe_writable` only.
    Legacy2022,
}

impl ProcEntry {
    /// Parses every entry of a PL block body of version `ver` (1..=9).
    pub(crate) fn parse_list(body: &[u8], ver: u8, out: &mut Vec<ProcEntry>) -> Res<()> {
        let mut c = Cursor::new(body);
        while c.remaining() >= 4 {
            let start = c.pos();
            let e = if ver >= 9 {
                let sub_len = c.u32("process entry length")? as usize;
                if sub_len < 4 || sub_len - 4 > c.remaining() {
                    return Err(Corruption::Entry {
                        at: start,
                        what: "process entry length overruns the block",
                    });
                }
                let entry = &body[start..start + sub_len];
                let mut ec = Cursor::new(entry);
                ec.skip(4, "process entry length")?;
                let e = Self::parse_one(&mut ec, ver).map_err(|k| shift(k, start))?;
                c.skip(sub_len - 4, "process entry")?;
                e
            } else {
                Self::parse_one(&mut c, ver)?
            };
            out.push(e);
        }
        Ok(())
    }

    /// Reads one entry; for V9, `c` covers exactly the entry (from its
    /// length word), so `c.remaining()` is what the entry still holds.
    fn parse_one(c: &mut Cursor<'_>, ver: u8) -> Res<ProcEntry> {
        let mut e = ProcEntry {
            tid: c.u64("tid")?,
            pid: c.u64("pid")?,
            ptid: c.u64("ptid")?,
            ..ProcEntry::default()
        };
        if ver >= 6 {
            e.sid = c.i64("sid")?;
        }
        if ver >= 8 {
            e.vpgid = c.i64("vpgid")?;
        }
        e.comm = c.str16("comm")?;
        e.exe = c.str16("exe")?;
        if ver >= 7 {
            e.exepath = c.str16("exepath")?;
        }
        e.args = terminate_list(c.str16("args")?);
        e.cwd = c.str16("cwd")?;
        e.fdlimit = c.u64("fdlimit")?;
        e.flags = c.u32("flags")?;
        e.uid = c.u32("uid")?;
        e.gid = c.u32("gid")?;
        if ver >= 2 {
            e.vmsize_kb = c.u32("vmsize_kb")?;
            e.vmrss_kb = c.u32("vmrss_kb")?;
            e.vmswap_kb = c.u32("vmswap_kb")?;
            e.pfmajor = c.u64("pfmajor")?;
            e.pfminor = c.u64("pfminor")?;
            if ver >= 3 {
                e.env = terminate_list(c.str16("env")?);
            }
            if ver >= 4 {
                e.vtid = c.i64("vtid")?;
                e.vpid = c.i64("vpid")?;
                e.cgroups = c.str16("cgroups")?;
                if ver >= 5 {
                    e.root = c.str16("root")?;
                }
            }
        }
        if ver < 9 {
            return Ok(e);
        }
        // Optional trailing fields: each is read only if the entry has room.
        if c.remaining() > PRE_0_10_TAIL {
            if c.remaining() >= 8 {
                e.pidns_init_start_ts = c.u64("pidns_init_start_ts")?;
            }
            if c.remaining() >= 4 {
                e.tty = c.u32("tty")?;
            }
        }
        if c.remaining() >= 4 {
            e.loginuid = c.u32("loginuid")?;
        }
        if c.remaining() >= 1 {
            e.exe_writable = c.u8("exe_writable")? != 0;
        }
        if c.remaining() >= 8 {
            e.cap_inheritable = c.u64("cap_inheritable")?;
        }
        if c.remaining() >= 8 {
            e.cap_permitted = c.u64("cap_permitted")?;
        }
        if c.remaining() >= 8 {
            e.cap_effective = c.u64("cap_effective")?;
        }
        if c.remaining() >= 1 {
            e.exe_upper_layer = c.u8("exe_upper_layer")? != 0;
        }
        if c.remaining() >= 8 {
            e.exe_ino = c.u64("exe_ino")?;
        }
        if c.remaining() >= 8 {
            e.exe_ino_ctime = c.u64("exe_ino_ctime")?;
        }
        if c.remaining() >= 8 {
            e.exe_ino_mtime = c.u64("exe_ino_mtime")?;
        }
        if c.remaining() >= 1 {
            e.exe_from_memfd = c.u8("exe_from_memfd")? != 0;
        }
        if c.remaining() >= 1 {
            e.exe_lower_layer = c.u8("exe_lower_layer")? != 0;
        }
        if c.remaining() >= 8 {
            e.pgid = c.i64("pgid")?;
        }
        Ok(e)
    }

    /// Appends this entry as a PL_V9 entry in `layout`.
    pub(crate) fn encode(&self, layout: ProcLayout, out: &mut Vec<u8>) -> Result<(), ScapError> {
        let start = out.len();
        out.put_u32(0); // patched below
        out.put_u64(self.tid);
        out.put_u64(self.pid);
        out.put_u64(self.ptid);
        out.put_i64(self.sid);
        out.put_i64(self.vpgid);
        out.put_str16(&self.comm, "process comm")?;
        out.put_str16(&self.exe, "process exe")?;
        out.put_str16(&self.exepath, "process exepath")?;
        out.put_str16(&self.args, "process args")?;
        out.put_str16(&self.cwd, "process cwd")?;
        out.put_u64(self.fdlimit);
        out.put_u32(self.flags);
        out.put_u32(self.uid);
        out.put_u32(self.gid);
        out.put_u32(self.vmsize_kb);
        out.put_u32(self.vmrss_kb);
        out.put_u32(self.vmswap_kb);
        out.put_u64(self.pfmajor);
        out.put_u64(self.pfminor);
        out.put_str16(&self.env, "process env")?;
        out.put_i64(self.vtid);
        out.put_i64(self.vpid);
        out.put_str16(&self.cgroups, "process cgroups")?;
        out.put_str16(&self.root, "process root")?;
        match layout {
            ProcLayout::Current => {
                out.put_u64(self.pidns_init_start_ts);
                out.put_u32(self.tty);
                out.put_u32(self.loginuid);
                out.put_u8(self.exe_writable as u8);
                out.put_u64(self.cap_inheritable);
                out.put_u64(self.cap_permitted);
                out.put_u64(self.cap_effective);
                out.put_u8(self.exe_upper_layer as u8);
                out.put_u64(self.exe_ino);
                out.put_u64(self.exe_ino_ctime);
                out.put_u64(self.exe_ino_mtime);
                out.put_u8(self.exe_from_memfd as u8);
                out.put_u8(self.exe_lower_layer as u8);
                out.put_i64(self.pgid);
            }
            ProcLayout::Legacy2022 => {
                out.put_u32(self.loginuid);
                out.put_u8(self.exe_writable as u8);
            }
        }
        let len = (out.len() - start) as u32;
        out[start..start + 4].copy_from_slice(&len.to_le_bytes());
        Ok(())
    }
}

/// Moves an entry-relative error offset to a body-relative one.
fn shift(k: Corruption, by: usize) -> Corruption {
    match k {
        Corruption::Entry { at, what } => Corruption::Entry { at: at + by, what },
        k => k,
    }
}

/// `scap_fd_type`: the kind of an fd-table entry, with its on-disk code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
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
    Iouring = 19,
    Memfd = 20,
    Pidfd = 21,
}

impl FdType {
    /// The type with on-disk code `c`.
    pub fn from_code(c: u8) -> Option<FdType> {
        use FdType::*;
        const ALL: [FdType; 22] = [
            Unknown,
            File,
            Directory,
            Ipv4Sock,
            Ipv6Sock,
            Ipv4ServSock,
            Ipv6ServSock,
            Fifo,
            UnixSock,
            Event,
            Unsupported,
            Signalfd,
            Eventpoll,
            Inotify,
            Timerfd,
            Netlink,
            FileV2,
            Bpf,
            Userfaultfd,
            Iouring,
            Memfd,
            Pidfd,
        ];
        ALL.get(c as usize).copied()
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
            Iouring => "io_uring",
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
            Iouring => b'r',
            Memfd => b'm',
            Pidfd => b'P',
        }
    }

    /// A connected or listening IPv4/IPv6 socket.
    pub fn is_ip_socket(self) -> bool {
        matches!(
            self,
            FdType::Ipv4Sock | FdType::Ipv6Sock | FdType::Ipv4ServSock | FdType::Ipv6ServSock
        )
    }
    /// A listening IPv4/IPv6 socket.
    pub fn is_server_socket(self) -> bool {
        matches!(self, FdType::Ipv4ServSock | FdType::Ipv6ServSock)
    }
    /// A file (either layout) or a directory.
    pub fn is_file(self) -> bool {
        matches!(self, FdType::File | FdType::FileV2 | FdType::Directory)
    }
}

/// What an fd-table entry refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FdInfo {
    /// Types whose payload is a name only: FILE, DIRECTORY, FIFO, EVENT,
    /// UNSUPPORTED, SIGNALFD, EVENTPOLL, INOTIFY, TIMERFD, NETLINK, BPF,
    /// USERFAULTFD, IOURING, MEMFD, PIDFD.
    Named { ty: FdType, name: Vec<u8> },
    /// FILE_V2: open flags, path and (when present) device number.
    File {
        open_flags: u32,
        name: Vec<u8>,
        dev: Option<u32>,
    },
    /// Connected IPv4 socket. Addresses are in network byte order as stored.
    Ipv4 {
        sip: u32,
        dip: u32,
        sport: u16,
        dport: u16,
        l4proto: u8,
    },
    /// Connected IPv6 socket.
    Ipv6 {
        sip: [u8; 16],
        dip: [u8; 16],
        sport: u16,
        dport: u16,
        l4proto: u8,
    },
    /// Listening IPv4 socket.
    Ipv4Server { ip: u32, port: u16, l4proto: u8 },
    /// Listening IPv6 socket.
    Ipv6Server {
        ip: [u8; 16],
        port: u16,
        l4proto: u8,
    },
    /// Unix socket: kernel socket pointers and path.
    Unix {
        source: u64,
        destination: u64,
        path: Vec<u8>,
    },
    /// A type code this reader does not know (from a newer writer, FDL_V2
    /// only), with its raw payload kept so it can be written back.
    Other { code: u8, payload: Vec<u8> },
}

/// One entry of a thread's fd table (FDL blocks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FdEntry {
    pub fd: i64,
    pub ino: u64,
    pub info: FdInfo,
}

impl FdEntry {
    /// The entry's type (`Unknown` for [`FdInfo::Other`]).
    pub fn ty(&self) -> FdType {
        match &self.info {
            FdInfo::Named { ty, .. } => *ty,
            FdInfo::File { .. } => FdType::FileV2,
            FdInfo::Ipv4 { .. } => FdType::Ipv4Sock,
            FdInfo::Ipv6 { .. } => FdType::Ipv6Sock,
            FdInfo::Ipv4Server { .. } => FdType::Ipv4ServSock,
            FdInfo::Ipv6Server { .. } => FdType::Ipv6ServSock,
            FdInfo::Unix { .. } => FdType::UnixSock,
            FdInfo::Other { .. } => FdType::Unknown,
        }
    }

    /// The file/socket name for the types that carry one.
    pub fn name(&self) -> Option<&[u8]> {
        match &self.info {
            FdInfo::Named { name, .. } | FdInfo::File { name, .. } => Some(name),
            FdInfo::Unix { path, .. } => Some(path),
            _ => None,
        }
    }

    /// Parses an FDL body (`u64 tid`, then entries) of version 1 or 2.
    pub(crate) fn parse_list(body: &[u8], v2: bool, out: &mut Vec<FdEntry>) -> Res<u64> {
        let mut c = Cursor::new(body);
        let tid = c.u64("fd list tid")?;
        while c.remaining() >= 4 {
            let start = c.pos();
            if v2 {
                let len = c.u32("fd entry length")? as usize;
                if len < 4 || len - 4 > c.remaining() {
                    return Err(Corruption::Entry {
                        at: start,
                        what: "fd entry length overruns the block",
                    });
                }
                let mut ec = Cursor::new(&body[start..start + len]);
                ec.skip(4, "fd entry length")?;
                let e = Self::parse_one(&mut ec, true).map_err(|k| shift(k, start))?;
                c.skip(len - 4, "fd entry")?;
                out.push(e);
            } else {
                out.push(Self::parse_one(&mut c, false)?);
            }
        }
        Ok(tid)
    }

    fn parse_one(c: &mut Cursor<'_>, sized: bool) -> Res<FdEntry> {
        let fd = c.i64("fd")?;
        let ino = c.u64("fd ino")?;
        let code = c.u8("fd type")?;
        let info = match FdType::from_code(code) {
            Some(FdType::Ipv4Sock) => FdInfo::Ipv4 {
                sip: c.u32("fd sip")?,
                dip: c.u32("fd dip")?,
                sport: c.u16("fd sport")?,
                dport: c.u16("fd dport")?,
                l4proto: c.u8("fd l4proto")?,
            },
            Some(FdType::Ipv6Sock) => FdInfo::Ipv6 {
                sip: c.ip16("fd sip")?,
                dip: c.ip16("fd dip")?,
                sport: c.u16("fd sport")?,
                dport: c.u16("fd dport")?,
                l4proto: c.u8("fd l4proto")?,
            },
            Some(FdType::Ipv4ServSock) => FdInfo::Ipv4Server {
                ip: c.u32("fd ip")?,
                port: c.u16("fd port")?,
                l4proto: c.u8("fd l4proto")?,
            },
            Some(FdType::Ipv6ServSock) => FdInfo::Ipv6Server {
                ip: c.ip16("fd ip")?,
                port: c.u16("fd port")?,
                l4proto: c.u8("fd l4proto")?,
            },
            Some(FdType::UnixSock) => FdInfo::Unix {
                source: c.u64("fd unix source")?,
                destination: c.u64("fd unix destination")?,
                path: c.str16("fd unix path")?,
            },
            Some(FdType::FileV2) => {
                let open_flags = c.u32("fd open flags")?;
                let name = c.str16("fd name")?;
                let dev = if sized && c.remaining() >= 4 {
                    Some(c.u32("fd dev")?)
                } else {
                    None
                };
                FdInfo::File {
                    open_flags,
                    name,
                    dev,
                }
            }
            Some(FdType::Unknown) | None => {
                if !sized {
                    return Err(Corruption::Entry {
                        at: c.pos(),
                        what: "unknown fd type in an FDL_V1 block (payload size unknown)",
                    });
                }
                let n = c.remaining();
                FdInfo::Other {
                    code,
                    payload: c.bytes(n, "fd payload")?.to_vec(),
                }
            }
            Some(ty) => FdInfo::Named {
                ty,
                name: c.str16("fd name")?,
            },
        };
        Ok(FdEntry { fd, ino, info })
    }

    /// Appends this entry as an FDL_V2 entry.
    pub(crate) fn encode(&self, out: &mut Vec<u8>) -> Result<(), ScapError> {
        let start = out.len();
        out.put_u32(0);
        out.put_i64(self.fd);
        out.put_u64(self.ino);
        match &self.info {
            FdInfo::Named { ty, name } => {
                out.put_u8(*ty as u8);
                out.put_str16(name, "fd name")?;
            }
            FdInfo::File {
                open_flags,
                name,
                dev,
            } => {
                out.put_u8(FdType::FileV2 as u8);
                out.put_u32(*open_flags);
                out.put_str16(name, "fd name")?;
                if let Some(d) = dev {
                    out.put_u32(*d);
                }
            }
            FdInfo::Ipv4 {
                sip,
                dip,
                sport,
                dport,
                l4proto,
            } => {
                out.put_u8(FdType::Ipv4Sock as u8);
                out.put_u32(*sip);
                out.put_u32(*dip);
                out.put_u16(*sport);
                out.put_u16(*dport);
                out.put_u8(*l4proto);
            }
            FdInfo::Ipv6 {
                sip,
                dip,
                sport,
                dport,
                l4proto,
            } => {
                out.put_u8(FdType::Ipv6Sock as u8);
                out.extend_from_slice(sip);
                out.extend_from_slice(dip);
                out.put_u16(*sport);
                out.put_u16(*dport);
                out.put_u8(*l4proto);
            }
            FdInfo::Ipv4Server { ip, port, l4proto } => {
                out.put_u8(FdType::Ipv4ServSock as u8);
                out.put_u32(*ip);
                out.put_u16(*port);
                out.put_u8(*l4proto);
            }
            FdInfo::Ipv6Server { ip, port, l4proto } => {
                out.put_u8(FdType::Ipv6ServSock as u8);
                out.extend_from_slice(ip);
                out.put_u16(*port);
                out.put_u8(*l4proto);
            }
            FdInfo::Unix {
                source,
                destination,
                path,
            } => {
                out.put_u8(FdType::UnixSock as u8);
                out.put_u64(*source);
                out.put_u64(*destination);
                out.put_str16(path, "unix socket path")?;
            }
            FdInfo::Other { code, payload } => {
                out.put_u8(*code);
                out.extend_from_slice(payload);
            }
        }
        let len = (out.len() - start) as u32;
        out[start..start + 4].copy_from_slice(&len.to_le_bytes());
        Ok(())
    }
}

/// One user of the user list (UL blocks).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserEntry {
    pub uid: u32,
    pub gid: u32,
    pub name: Vec<u8>,
    pub homedir: Vec<u8>,
    pub shell: Vec<u8>,
}

/// One group of the user list (UL blocks).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupEntry {
    pub gid: u32,
    pub name: Vec<u8>,
}

const USERBLOCK_USER: u8 = 0;
const USERBLOCK_GROUP: u8 = 1;

/// Parses a UL body of version 1 or 2 into its users and groups.
pub(crate) fn parse_userlist(
    body: &[u8],
    v2: bool,
    users: &mut Vec<UserEntry>,
    groups: &mut Vec<GroupEntry>,
) -> Res<()> {
    let mut c = Cursor::new(body);
    while c.remaining() >= 4 {
        let start = c.pos();
        let mut ec;
        let cur: &mut Cursor<'_> = if v2 {
            let len = c.u32("user entry length")? as usize;
            if len < 4 || len - 4 > c.remaining() {
                return Err(Corruption::Entry {
                    at: start,
                    what: "user entry length overruns the block",
                });
            }
            ec = Cursor::new(&body[start..start + len]);
            ec.skip(4, "user entry length")?;
            c.skip(len - 4, "user entry")?;
            &mut ec
        } else {
            &mut c
        };
        let r: Res<()> = (|| {
            // libscap treats every type other than 0 as a group.
            if cur.u8("user entry type")? == USERBLOCK_USER {
                users.push(UserEntry {
                    uid: cur.u32("user uid")?,
                    gid: cur.u32("user gid")?,
                    name: cur.str16("user name")?,
                    homedir: cur.str16("user homedir")?,
                    shell: cur.str16("user shell")?,
                });
            } else {
                groups.push(GroupEntry {
                    gid: cur.u32("group gid")?,
                    name: cur.str16("group name")?,
                });
            }
            Ok(())
        })();
        r.map_err(|k| if v2 { shift(k, start) } else { k })?;
    }
    Ok(())
}

/// Appends a UL_V2 body holding `users` then `groups`.
pub(crate) fn encode_userlist(
    users: &[UserEntry],
    groups: &[GroupEntry],
    out: &mut Vec<u8>,
) -> Result<(), ScapError> {
    for u in users {
        let start = out.len();
        out.put_u32(0);
        out.put_u8(USERBLOCK_USER);
        out.put_u32(u.uid);
        out.put_u32(u.gid);
        out.put_str16(&u.name, "user name")?;
        out.put_str16(&u.homedir, "user homedir")?;
        out.put_str16(&u.shell, "user shell")?;
        let len = (out.len() - start) as u32;
        out[start..start + 4].copy_from_slice(&len.to_le_bytes());
    }
    for g in groups {
        let start = out.len();
        out.put_u32(0);
        out.put_u8(USERBLOCK_GROUP);
        out.put_u32(g.gid);
        out.put_str16(&g.name, "group name")?;
        let len = (out.len() - start) as u32;
        out[start..start + 4].copy_from_slice(&len.to_le_bytes());
    }
    Ok(())
}

/// One network interface address (IL blocks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InterfaceEntry {
    /// IPv4 address; the addresses are as stored (network byte order).
    V4 {
        name: Vec<u8>,
        addr: u32,
        netmask: u32,
        bcast: u32,
        /// 0 when the capture did not record it.
        linkspeed: u64,
    },
    /// IPv6 address.
    V6 {
        name: Vec<u8>,
        addr: [u8; 16],
        netmask: [u8; 16],
        bcast: [u8; 16],
        linkspeed: u64,
    },
}

const II_IPV4: u16 = 1;
const II_IPV6: u16 = 2;
const II_IPV4_NOLINKSPEED: u16 = 3;
const II_IPV6_NOLINKSPEED: u16 = 4;

/// Parses an IL body of version 1 or 2.
pub(crate) fn parse_iflist(body: &[u8], v2: bool, out: &mut Vec<InterfaceEntry>) -> Res<()> {
    let mut c = Cursor::new(body);
    while c.remaining() >= 4 {
        let start = c.pos();
        // IL_V2 `entrylen` excludes its own 4 bytes.
        let entry_len = if v2 {
            Some(c.u32("interface entry length")? as usize)
        } else {
            None
        };
        let body_start = c.pos();
        let ty = c.u16("interface type")?;
        let namelen = c.u16("interface name length")? as usize;
        let e = match ty {
            II_IPV4 | II_IPV4_NOLINKSPEED => {
                let addr = c.u32("interface addr")?;
                let netmask = c.u32("interface netmask")?;
                let bcast = c.u32("interface bcast")?;
                let linkspeed = if ty == II_IPV4 {
                    c.u64("interface linkspeed")?
                } else {
                    0
                };
                InterfaceEntry::V4 {
                    name: c.bytes(namelen, "interface name")?.to_vec(),
                    addr,
                    netmask,
                    bcast,
                    linkspeed,
                }
            }
            II_IPV6 | II_IPV6_NOLINKSPEED => {
                let addr = c.ip16("interface addr")?;
                let netmask = c.ip16("interface netmask")?;
                let bcast = c.ip16("interface bcast")?;
                let linkspeed = if ty == II_IPV6 {
                    c.u64("interface linkspeed")?
                } else {
                    0
                };
                InterfaceEntry::V6 {
                    name: c.bytes(namelen, "interface name")?.to_vec(),
                    addr,
                    netmask,
                    bcast,
                    linkspeed,
                }
            }
            _ => {
                return Err(Corruption::Entry {
                    at: start,
                    what: "unknown interface type",
                });
            }
        };
        if let Some(len) = entry_len {
            let used = c.pos() - body_start;
            if len < used || len - used > c.remaining() {
                return Err(Corruption::Entry {
                    at: start,
                    what: "interface entry length does not match its fields",
                });
            }
            c.skip(len - used, "interface entry")?;
        }
        out.push(e);
    }
    Ok(())
}

/// Appends an IL_V2 body: all IPv4 entries, then all IPv6 entries.
pub(crate) fn encode_iflist(ifs: &[InterfaceEntry], out: &mut Vec<u8>) -> Result<(), ScapError> {
    for pass_v4 in [true, false] {
        for i in ifs {
            match i {
                InterfaceEntry::V4 {
                    name,
                    addr,
                    netmask,
                    bcast,
                    linkspeed,
                } if pass_v4 => {
                    out.put_u32(24 + name.len() as u32);
                    out.put_u16(II_IPV4);
                    out.put_str16(name, "interface name")?;
                    let n = out.len() - name.len();
                    out.truncate(n);
                    out.put_u32(*addr);
                    out.put_u32(*netmask);
                    out.put_u32(*bcast);
                    out.put_u64(*linkspeed);
                    out.extend_from_slice(name);
                }
                InterfaceEntry::V6 {
                    name,
                    addr,
                    netmask,
                    bcast,
                    linkspeed,
                } if !pass_v4 => {
                    out.put_u32(60 + name.len() as u32);
                    out.put_u16(II_IPV6);
                    out.put_str16(name, "interface name")?;
                    let n = out.len() - name.len();
                    out.truncate(n);
                    out.extend_from_slice(addr);
                    out.extend_from_slice(netmask);
                    out.extend_from_slice(bcast);
                    out.put_u64(*linkspeed);
                    out.extend_from_slice(name);
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// Whether `bt` is an IL/UL/FDL block of the second version.
pub(crate) fn is_v2(bt: u32) -> bool {
    matches!(bt, block::IL_V2 | block::UL_V2 | block::FDL_V2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> ProcEntry {
        ProcEntry {
            tid: 7,
            pid: 7,
            ptid: 1,
            sid: 7,
            vpgid: 7,
            comm: b"cat".to_vec(),
            exe: b"/bin/cat".to_vec(),
            args: b"x\0".to_vec(),
            root: b"/".to_vec(),
            pidns_init_start_ts: 0x1122_3344_5566_7788,
            tty: 34816,
            loginuid: 1000,
            exe_writable: true,
            cap_effective: 0x3f,
            exe_ino: 99,
            pgid: 7,
            ..ProcEntry::default()
        }
    }

    fn round(layout: ProcLayout) -> ProcEntry {
        let mut body = Vec::new();
        sample().encode(layout, &mut body).unwrap();
        let mut out = Vec::new();
        ProcEntry::parse_list(&body, 9, &mut out).unwrap();
        assert_eq!(out.len(), 1);
        out.pop().unwrap()
    }

    #[test]
    fn pl_v9_current_layout_round_trips() {
        assert_eq!(round(ProcLayout::Current), sample());
    }

    #[test]
    fn pl_v9_2022_layout_is_read_by_the_29_byte_rule() {
        // 5 trailing bytes after root: pre-0.10, so loginuid comes first
        // and pidns_init_start_ts/tty are absent.
        let e = round(ProcLayout::Legacy2022);
        assert_eq!(e.loginuid, 1000);
        assert!(e.exe_writable);
        assert_eq!(e.pidns_init_start_ts, 0);
        assert_eq!(e.tty, 0);
        assert_eq!(e.cap_effective, 0);
        assert_eq!(e.pgid, -1);
        assert_eq!(e.comm, b"cat");
    }

    #[test]
    fn entry_length_overrun_is_an_error_with_its_offset() {
        let mut body = Vec::new();
        sample().encode(ProcLayout::Current, &mut body).unwrap();
        let bad = body.len() as u32 + 1;
        body[0..4].copy_from_slice(&bad.to_le_bytes());
        let err = ProcEntry::parse_list(&body, 9, &mut Vec::new()).unwrap_err();
        assert!(matches!(err, Corruption::Entry { at: 0, .. }), "{err}");
    }

    #[test]
    fn fd_and_user_and_interface_lists_round_trip() {
        let fds = vec![
            FdEntry {
                fd: 3,
                ino: 5,
                info: FdInfo::File {
                    open_flags: 1,
                    name: b"/etc/passwd".to_vec(),
                    dev: Some(0x801),
                },
            },
            FdEntry {
                fd: 4,
                ino: 0,
                info: FdInfo::Ipv4 {
                    sip: 1,
                    dip: 2,
                    sport: 3,
                    dport: 4,
                    l4proto: 6,
                },
            },
            FdEntry {
                fd: 5,
                ino: 0,
                info: FdInfo::Other {
                    code: 200,
                    payload: vec![1, 2, 3],
                },
            },
        ];
        let mut body = 42u64.to_le_bytes().to_vec();
        for f in &fds {
            f.encode(&mut body).unwrap();
        }
        let mut back = Vec::new();
        assert_eq!(FdEntry::parse_list(&body, true, &mut back).unwrap(), 42);
        assert_eq!(back, fds);

        let users = vec![UserEntry {
            uid: 0,
            gid: 0,
            name: b"root".to_vec(),
            homedir: b"/root".to_vec(),
            shell: b"/bin/sh".to_vec(),
        }];
        let groups = vec![GroupEntry {
            gid: 0,
            name: b"root".to_vec(),
        }];
        let mut body = Vec::new();
        encode_userlist(&users, &groups, &mut body).unwrap();
        let (mut u, mut g) = (Vec::new(), Vec::new());
        parse_userlist(&body, true, &mut u, &mut g).unwrap();
        assert_eq!((u, g), (users, groups));

        let ifs = vec![
            InterfaceEntry::V4 {
                name: b"lo".to_vec(),
                addr: 0x0100007f,
                netmask: 0xff,
                bcast: 0,
                linkspeed: 0,
            },
            InterfaceEntry::V6 {
                name: b"eth0".to_vec(),
                addr: [1; 16],
                netmask: [2; 16],
                bcast: [0; 16],
                linkspeed: 1000,
            },
        ];
        let mut body = Vec::new();
        encode_iflist(&ifs, &mut body).unwrap();
        let mut back = Vec::new();
        parse_iflist(&body, true, &mut back).unwrap();
        assert_eq!(back, ifs);
    }
}
