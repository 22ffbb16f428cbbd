//! Streaming `.scap` reader.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use flate2::bufread::MultiGzDecoder;

use super::block;
use super::convert::{Converter, Outcome};
use super::error::{Corruption, ScapError};
use super::state::{self, FdEntry, GroupEntry, InterfaceEntry, MachineInfo, ProcEntry, UserEntry};
use crate::abi::{self, EVENT_MAX, FALCON_EVT_HDR_LEN};
use crate::event::Event;

const HDR: usize = FALCON_EVT_HDR_LEN as usize;
const V1_HDR: usize = HDR - 4;
/// Largest non-large event block body libscap accepts (`READER_BUF_SIZE`).
const MAX_EVENT_BLOCK: usize = 1 << 16;
/// Block bodies above this size are read incrementally, so a corrupt
/// length field cannot make the reader allocate more than the file holds.
const EAGER_READ_LIMIT: usize = 1 << 20;
const IO_BUF: usize = 128 * 1024;

/// One item of a capture, in file order.
///
/// State records borrow the reader's tables and event records borrow its
/// block buffer: both are valid until the next call to
/// [`CaptureReader::next`].
#[derive(Debug)]
pub enum Record<'a> {
    /// A section header (the first block of every capture).
    Section { major: u16, minor: u16 },
    /// The MI block.
    MachineInfo(&'a MachineInfo),
    /// One PL block: the threads alive when the capture started.
    Processes(&'a [ProcEntry]),
    /// One FDL block: the fd table of thread `tid`.
    Fds { tid: u64, fds: &'a [FdEntry] },
    /// The users of a UL block (always followed by [`Record::Groups`] of
    /// the same block).
    Users(&'a [UserEntry]),
    /// The groups of a UL block.
    Groups(&'a [GroupEntry]),
    /// One IL block.
    Interfaces(&'a [InterfaceEntry]),
    /// One event.
    Event {
        /// Event number as Falco shows it in `evt.num`: 1 for the first
        /// event the reader returns, +1 for every later one. Enter events
        /// the converter merges into their exit are not returned and take
        /// no number.
        num: u64,
        /// Buffer (CPU) index the event was captured on.
        cpu: u16,
        /// EVF block flags (`1` = state-only); 0 for EV blocks.
        flags: u32,
        event: Event<'a>,
    },
}

/// How the reader treats old events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadOptions {
    /// Convert old captures to the exit-only model of current libscap
    /// (default `true`): enter events are merged into their exit events,
    /// old event versions are upgraded to the current codes, and missing
    /// parameters are added. With `false`, events come out as stored (V1
    /// headers still get their parameter count).
    pub convert: bool,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions { convert: true }
    }
}

/// Counters of what the reader did besides returning records.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadStats {
    /// Blocks read, of every kind.
    pub blocks: u64,
    /// Events returned.
    pub events: u64,
    /// Blocks of unknown type that were skipped.
    pub unknown_blocks: u64,
    /// Events whose type is beyond the event table (from a newer writer),
    /// skipped like libscap does.
    pub unknown_event_types: u64,
    /// Enter events held by the converter and merged into their exit event.
    pub merged_enter_events: u64,
    /// Events the converter drops by rule (unused placeholders, old enter
    /// events it has no use for).
    pub converter_dropped: u64,
    /// Events rewritten by the converter.
    pub converted: u64,
}

enum Source {
    Plain(BufReader<File>),
    Gzip(BufReader<MultiGzDecoder<BufReader<File>>>),
    Mem(io::Cursor<Vec<u8>>),
    MemGzip(BufReader<MultiGzDecoder<io::Cursor<Vec<u8>>>>),
}

impl Read for Source {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Source::Plain(r) => r.read(buf),
            Source::Gzip(r) => r.read(buf),
            Source::Mem(r) => r.read(buf),
            Source::MemGzip(r) => r.read(buf),
        }
    }
}

/// Where the event of the current record lives.
#[derive(Clone, Copy)]
enum EvLoc {
    /// In the block buffer, from this offset.
    Block(usize),
    /// In the V1 upgrade buffer.
    Upgraded,
    /// In the converter's output buffer.
    Converted,
}

enum Ready {
    Section(u16, u16),
    Machine,
    Procs,
    Fds(u64),
    Users,
    Groups,
    Ifaces,
    Event(u16, u32, EvLoc),
}

/// Reads a `.scap` capture (plain or gzip) block by block.
///
/// ```no_run
/// use falcon_driver::scap::{CaptureReader, Record};
/// let mut r = CaptureReader::open("trace.scap")?;
/// while let Some(rec) = r.next()? {
///     if let Record::Event { num, event, .. } = rec {
///         println!("{num} {}", event.info().name);
///     }
/// }
/// # Ok::<(), falcon_driver::scap::ScapError>(())
/// ```
///
/// Blocks come out in file order. Unknown block types are skipped (and
/// counted in [`ReadStats`]). A damaged or truncated file gives
/// [`ScapError::Corrupt`] naming the offset and type of the bad block, after
/// every record before it has been returned; the reader then stays at the
/// error (further calls repeat nothing and return `Ok(None)`).
///
/// The reader reuses its buffers: in steady state reading an event
/// allocates nothing. Converting old captures keeps one enter event per
/// thread.
pub struct CaptureReader {
    src: Source,
    /// Stream offset of the next block.
    offset: u64,
    /// Offset and type of the block being handled (for errors).
    cur: (u64, u32),
    /// Body of the current block in `block[..block_len]`; the vector keeps
    /// its largest size so reads need no zero-filling.
    block: Vec<u8>,
    block_len: usize,
    upgraded: Vec<u8>,
    conv: Option<Converter>,
    machine: MachineInfo,
    procs: Vec<ProcEntry>,
    fds: Vec<FdEntry>,
    users: Vec<UserEntry>,
    groups: Vec<GroupEntry>,
    ifaces: Vec<InterfaceEntry>,
    groups_pending: bool,
    started: bool,
    finished: bool,
    stats: ReadStats,
}

impl std::fmt::Debug for CaptureReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaptureReader")
            .field("offset", &self.offset)
            .field("stats", &self.stats)
            .finish()
    }
}

impl CaptureReader {
    /// Opens a capture file, plain or gzip-compressed (told apart by the
    /// gzip magic), converting old events (see [`ReadOptions`]).
    pub fn open(path: impl AsRef<Path>) -> Result<Self, ScapError> {
        Self::open_with(path, ReadOptions::default())
    }

    /// Opens a capture file with explicit options.
    pub fn open_with(path: impl AsRef<Path>, opts: ReadOptions) -> Result<Self, ScapError> {
        let path = path.as_ref();
        let open_err = |source| ScapError::Open {
            path: path.to_path_buf(),
            source,
        };
        let f = File::open(path).map_err(open_err)?;
        let mut br = BufReader::with_capacity(IO_BUF, f);
        let gz = is_gzip(br.fill_buf().map_err(open_err)?);
        let src = if gz {
            Source::Gzip(BufReader::with_capacity(IO_BUF, MultiGzDecoder::new(br)))
        } else {
            Source::Plain(br)
        };
        Ok(Self::with_source(src, opts))
    }

    /// Reads a capture held in memory (plain or gzip).
    pub fn from_bytes(bytes: Vec<u8>, opts: ReadOptions) -> Self {
        let src = if is_gzip(&bytes) {
            Source::MemGzip(BufReader::with_capacity(
                IO_BUF,
                MultiGzDecoder::new(io::Cursor::new(bytes)),
            ))
        } else {
            Source::Mem(io::Cursor::new(bytes))
        };
        Self::with_source(src, opts)
    }

    fn with_source(src: Source, opts: ReadOptions) -> Self {
        CaptureReader {
            src,
            offset: 0,
            cur: (0, 0),
            block: Vec::new(),
            block_len: 0,
            upgraded: Vec::new(),
            conv: opts.convert.then(Converter::new),
            machine: MachineInfo::default(),
            procs: Vec::new(),
            fds: Vec::new(),
            users: Vec::new(),
            groups: Vec::new(),
            ifaces: Vec::new(),
            groups_pending: false,
            started: false,
            finished: false,
            stats: ReadStats::default(),
        }
    }

    /// What the reader counted so far.
    pub fn stats(&self) -> ReadStats {
        self.stats
    }

    /// Byte offset (in the decompressed stream) of the next block.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The next record, `Ok(None)` at the end of the capture.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<Option<Record<'_>>, ScapError> {
        // `Record` borrows `self`, so the loop only decides what is ready
        // and the record is built once, after it.
        let ready = loop {
            if self.finished {
                return Ok(None);
            }
            match self.step() {
                Ok(Some(r)) => break r,
                Ok(None) => continue,
                Err(e) => {
                    self.finished = true;
                    return Err(e);
                }
            }
        };
        Ok(Some(match ready {
            Ready::Section(major, minor) => Record::Section { major, minor },
            Ready::Machine => Record::MachineInfo(&self.machine),
            Ready::Procs => Record::Processes(&self.procs),
            Ready::Fds(tid) => Record::Fds {
                tid,
                fds: &self.fds,
            },
            Ready::Users => Record::Users(&self.users),
            Ready::Groups => Record::Groups(&self.groups),
            Ready::Ifaces => Record::Interfaces(&self.ifaces),
            Ready::Event(cpu, flags, loc) => {
                let bytes: &[u8] = match loc {
                    EvLoc::Block(o) => &self.block[o..self.block_len],
                    EvLoc::Upgraded => &self.upgraded,
                    EvLoc::Converted => match &self.conv {
                        Some(c) => c.output(),
                        None => &[],
                    },
                };
                // Already validated in `step`.
                let event = Event::parse(bytes).map_err(|k| self.corrupt(k.into()))?;
                self.stats.events += 1;
                Record::Event {
                    num: self.stats.events,
                    cpu,
                    flags,
                    event,
                }
            }
        }))
    }

    fn corrupt(&self, kind: Corruption) -> ScapError {
        ScapError::Corrupt {
            offset: self.cur.0,
            block: block::name(self.cur.1),
            block_type: self.cur.1,
            kind,
        }
    }

    /// Reads one block; `None` when it produced no record.
    fn step(&mut self) -> Result<Option<Ready>, ScapError> {
        if self.groups_pending {
            self.groups_pending = false;
            return Ok(Some(Ready::Groups));
        }
        let Some(bt) = self.read_block()? else {
            self.finished = true;
            return Ok(None);
        };
        self.stats.blocks += 1;
        if !self.started && bt != block::SHB {
            return Err(self.corrupt(Corruption::NoSectionHeader));
        }
        let body = &self.block[..self.block_len];
        let res: Result<Ready, Corruption> = match bt {
            block::SHB => parse_shb(body).map(|(a, b)| Ready::Section(a, b)),
            block::MI | block::MI_INT => MachineInfo::parse(body).map(|m| {
                self.machine = m;
                Ready::Machine
            }),
            block::FDL_V1 | block::FDL_V1_INT | block::FDL_V2 => {
                self.fds.clear();
                FdEntry::parse_list(body, bt == block::FDL_V2, &mut self.fds).map(Ready::Fds)
            }
            block::UL_V1 | block::UL_V1_INT | block::UL_V2 => {
                self.users.clear();
                self.groups.clear();
                state::parse_userlist(body, state::is_v2(bt), &mut self.users, &mut self.groups)
                    .map(|()| {
                        self.groups_pending = true;
                        Ready::Users
                    })
            }
            block::IL_V1 | block::IL_V1_INT | block::IL_V2 => {
                self.ifaces.clear();
                state::parse_iflist(body, state::is_v2(bt), &mut self.ifaces)
                    .map(|()| Ready::Ifaces)
            }
            _ => {
                if let Some(ver) = block::pl_version(bt) {
                    self.procs.clear();
                    ProcEntry::parse_list(body, ver, &mut self.procs).map(|()| Ready::Procs)
                } else if let Some((has_flags, v2)) = block::event_block(bt) {
                    return self.event_block(has_flags, v2).map_err(|k| self.corrupt(k));
                } else {
                    self.stats.unknown_blocks += 1;
                    return Ok(None);
                }
            }
        };
        if bt == block::SHB {
            self.started = true;
        }
        res.map(Some).map_err(|k| self.corrupt(k))
    }

    /// Handles an event block already in `self.block`.
    fn event_block(&mut self, has_flags: bool, v2: bool) -> Result<Option<Ready>, Corruption> {
        let body = &self.block[..self.block_len];
        let off = if has_flags { 6 } else { 2 };
        let hdr = if v2 { HDR } else { V1_HDR };
        if body.len() < off + hdr {
            return Err(Corruption::Entry {
                at: 0,
                what: "event block too short for its event header",
            });
        }
        let cpu = u16::from_le_bytes([body[0], body[1]]);
        let flags = if has_flags {
            u32::from_le_bytes([body[2], body[3], body[4], body[5]])
        } else {
            0
        };
        let code = u16::from_le_bytes([body[off + 20], body[off + 21]]);
        if code as usize >= EVENT_MAX {
            self.stats.unknown_event_types += 1;
            return Ok(None);
        }
        if !v2 {
            upgrade_v1(&body[off..], &mut self.upgraded)?;
        }
        let (loc, bytes) = if v2 {
            (EvLoc::Block(off), &self.block[off..self.block_len])
        } else {
            (EvLoc::Upgraded, &self.upgraded[..])
        };
        let ev = Event::parse(bytes)?;
        let Some(conv) = self.conv.as_mut() else {
            return Ok(Some(Ready::Event(cpu, flags, loc)));
        };
        Ok(match conv.convert(ev)? {
            Outcome::Pass => Some(Ready::Event(cpu, flags, loc)),
            Outcome::Converted => {
                self.stats.converted += 1;
                Some(Ready::Event(cpu, flags, EvLoc::Converted))
            }
            Outcome::Stored => {
                self.stats.merged_enter_events += 1;
                None
            }
            Outcome::Dropped => {
                self.stats.converter_dropped += 1;
                None
            }
        })
    }

    /// Reads the next block body (without header, trailer and padding
    /// stripped only of the trailer) into `self.block`; `None` at a clean
    /// end of file.
    fn read_block(&mut self) -> Result<Option<u32>, ScapError> {
        let start = self.offset;
        let mut hdr = [0u8; 8];
        let got = read_full(&mut self.src, &mut hdr).map_err(|source| ScapError::Read {
            offset: start,
            source,
        })?;
        if got == 0 {
            return Ok(None);
        }
        let bt = u32::from_le_bytes([hdr[0], hdr[1], hdr[2], hdr[3]]);
        self.cur = (start, bt);
        if got < 8 {
            return Err(self.corrupt(Corruption::Truncated {
                need: 8,
                have: got as u64,
            }));
        }
        let total = u32::from_le_bytes([hdr[4], hdr[5], hdr[6], hdr[7]]);
        if total < 12 {
            return Err(self.corrupt(Corruption::BadBlockLength(total)));
        }
        let rest = total as usize - 8;
        let is_small_event = matches!(
            bt,
            block::EV_V1 | block::EV_V1_INT | block::EV_V2 | block::EVF_V1 | block::EVF_V2
        );
        if is_small_event && rest > MAX_EVENT_BLOCK {
            return Err(self.corrupt(Corruption::BlockTooLarge(total)));
        }
        let have = if rest <= EAGER_READ_LIMIT {
            if self.block.len() < rest {
                self.block.resize(rest, 0);
            }
            read_full(&mut self.src, &mut self.block[..rest])
        } else {
            self.block.clear();
            (&mut self.src)
                .take(rest as u64)
                .read_to_end(&mut self.block)
        }
        .map_err(|source| ScapError::Read {
            offset: start,
            source,
        })?;
        if have < rest {
            return Err(self.corrupt(Corruption::Truncated {
                need: total as u64,
                have: 8 + have as u64,
            }));
        }
        let t = &self.block[rest - 4..rest];
        let trailer = u32::from_le_bytes([t[0], t[1], t[2], t[3]]);
        if trailer != total {
            return Err(self.corrupt(Corruption::TrailerMismatch {
                header: total,
                trailer,
            }));
        }
        self.block_len = rest - 4;
        self.offset = start + total as u64;
        Ok(Some(bt))
    }
}

fn is_gzip(b: &[u8]) -> bool {
    b.len() >= 2 && b[0] == 0x1f && b[1] == 0x8b
}

/// Reads until `buf` is full or the source ends; returns the bytes read.
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

fn parse_shb(body: &[u8]) -> Result<(u16, u16), Corruption> {
    if body.len() < 16 {
        return Err(Corruption::Entry {
            at: 0,
            what: "section header shorter than 16 bytes",
        });
    }
    let magic = u32::from_le_bytes([body[0], body[1], body[2], body[3]]);
    if magic != block::SHB_MAGIC {
        return Err(Corruption::BadMagic(magic));
    }
    let major = u16::from_le_bytes([body[4], body[5]]);
    let minor = u16::from_le_bytes([body[6], body[7]]);
    if major > block::MAJOR_VERSION {
        return Err(Corruption::UnsupportedVersion(major));
    }
    // Options past the 16-byte body are skipped, like libscap.
    Ok((major, minor))
}

/// Rewrites a V1 event (22-byte header, no `nparams`) as a V2 event into
/// `out`, finding the parameter count the way libscap does: the largest
/// count, from the table's, whose lengths add up exactly to the event.
fn upgrade_v1(ev: &[u8], out: &mut Vec<u8>) -> Result<(), Corruption> {
    let mut len = u32::from_le_bytes([ev[16], ev[17], ev[18], ev[19]]) as usize;
    let code = u16::from_le_bytes([ev[20], ev[21]]);
    if len < V1_HDR || len > ev.len() {
        return Err(crate::event::EventError::BadLength {
            len,
            avail: ev.len(),
        }
        .into());
    }
    len += 4;
    // Old captures store these two 3 bytes too long.
    if code as u32 == abi::PPME_NOTIFICATION_E || code as u32 == abi::PPME_INFRASTRUCTURE_EVENT_E {
        len = len.saturating_sub(3).max(HDR);
    }
    out.clear();
    out.extend_from_slice(&ev[..16]);
    out.extend_from_slice(&(len as u32).to_le_bytes());
    out.extend_from_slice(&ev[20..22]);
    out.extend_from_slice(&[0; 4]);
    let body_len = len - HDR;
    if V1_HDR + body_len > ev.len() {
        return Err(crate::event::EventError::BadLength {
            len,
            avail: ev.len() + 4,
        }
        .into());
    }
    out.extend_from_slice(&ev[V1_HDR..V1_HDR + body_len]);
    let max = abi::event_info(code).map_or(0, |i| i.params.len());
    for n in (0..=max).rev() {
        let vals = HDR + n * 2;
        if vals > len {
            continue;
        }
        let mut end = vals;
        for i in 0..n {
            end += u16::from_le_bytes([out[HDR + 2 * i], out[HDR + 2 * i + 1]]) as usize;
        }
        if end < len {
            return Err(Corruption::V1ParamCount(code));
        }
        if end == len {
            out[22..26].copy_from_slice(&(n as u32).to_le_bytes());
            return Ok(());
        }
    }
    Err(Corruption::V1ParamCount(code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v1_event_gets_its_param_count() {
        // close exit (code 5) with one 8-byte parameter, V1 header.
        let mut ev = Vec::new();
        ev.extend_from_slice(&7u64.to_le_bytes());
        ev.extend_from_slice(&9u64.to_le_bytes());
        ev.extend_from_slice(&(22u32 + 2 + 8).to_le_bytes());
        ev.extend_from_slice(&5u16.to_le_bytes());
        ev.extend_from_slice(&8u16.to_le_bytes());
        ev.extend_from_slice(&0i64.to_le_bytes());
        let mut out = Vec::new();
        upgrade_v1(&ev, &mut out).unwrap();
        let e = Event::parse(&out).unwrap();
        assert_eq!(e.nparams(), 1);
        assert_eq!(e.tid(), 9);
        assert_eq!(e.param_i64(0), Some(0));
        // A length array that cannot add up is an error, not a guess.
        ev[22] = 9;
        assert!(matches!(
            upgrade_v1(&ev, &mut out),
            Err(Corruption::V1ParamCount(5)) | Err(Corruption::Event(_))
        ));
    }

    #[test]
    fn needs_a_section_header_first() {
        let mut bytes = Vec::new();
        bytes.extend_from_slice(&block::MI.to_le_bytes());
        bytes.extend_from_slice(&12u32.to_le_bytes());
        bytes.extend_from_slice(&12u32.to_le_bytes());
        let mut r = CaptureReader::from_bytes(bytes, ReadOptions::default());
        let e = r.next().unwrap_err();
        assert!(e.to_string().contains("offset 0 (MI block"), "{e}");
    }
}
