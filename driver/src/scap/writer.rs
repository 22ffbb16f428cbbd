//! `.scap` writer: the current format, or a legacy profile that sysdig 0.29
//! (libs of 2022) reads.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use flate2::Compression;
use flate2::write::GzEncoder;

use super::block::{self, align4};
use super::error::ScapError;
use super::reader::Record;
use super::state::{
    self, FdEntry, GroupEntry, InterfaceEntry, MachineInfo, ProcEntry, ProcLayout, UserEntry,
};
use crate::abi::{self, EC_SYSCALL, EF_LARGE_PAYLOAD};
use crate::event::Event;

const HDR: usize = abi::FALCON_EVT_HDR_LEN as usize;
/// Event codes of the 2022 schema (sysdig 0.29.3's `PPM_EVENT_MAX`).
pub const LEGACY_EVENT_MAX: u16 = 336;

/// Which readers the output is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WriteProfile {
    /// Current libscap (Falco 0.42+): SHB 1.2, MI, IL_V2, UL_V2, PL_V9 with
    /// the current entry layout, FDL_V2, EV_V2/EVF_V2 (and `_LARGE`), events
    /// written as given (exit-only plus TOCTOU enters).
    #[default]
    Current,
    /// sysdig 0.29.3 / libs of 2022. The same block types, but
    /// - PL_V9 entries end at `exe_writable`, in the 2022 order;
    /// - events are truncated to their 2022 parameter count;
    /// - each syscall exit event is preceded by an enter event rebuilt from
    ///   the exit's parameters (matched by name; missing ones empty), unless
    ///   the enter event was written just before on that thread: 2022 sinsp
    ///   takes fd, size and path context of read/write/open/... from the
    ///   enter event, so an exit-only capture would lose that state;
    /// - events whose code did not exist in 2022 (code >= 336) cannot be
    ///   read by sysdig 0.29 and are left out; [`WriteStats`] names them.
    Sysdig029,
}

/// Writer settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WriteOptions {
    pub profile: WriteProfile,
    /// Compress the whole file with gzip (what `sysdig -z` does).
    pub gzip: bool,
}

/// What the writer wrote and what it had to leave out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteStats {
    pub blocks: u64,
    pub events: u64,
    /// Enter events rebuilt for the legacy profile.
    pub synthesized_enters: u64,
    /// Legacy profile: events left out because sysdig 0.29 does not know
    /// their code, per event code.
    pub skipped_unknown_to_legacy: BTreeMap<u16, u64>,
    /// Legacy profile: events whose parameters past the 2022 count were
    /// cut, per event code.
    pub truncated_for_legacy: BTreeMap<u16, u64>,
}

enum Sink {
    Plain(BufWriter<File>),
    Gzip(GzEncoder<BufWriter<File>>),
    Other(Box<dyn Write + Send>),
    OtherGzip(GzEncoder<Box<dyn Write + Send>>),
}

impl Write for Sink {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        match self {
            Sink::Plain(w) => w.write(b),
            Sink::Gzip(w) => w.write(b),
            Sink::Other(w) => w.write(b),
            Sink::OtherGzip(w) => w.write(b),
        }
    }
    fn write_all(&mut self, b: &[u8]) -> std::io::Result<()> {
        match self {
            Sink::Plain(w) => w.write_all(b),
            Sink::Gzip(w) => w.write_all(b),
            Sink::Other(w) => w.write_all(b),
            Sink::OtherGzip(w) => w.write_all(b),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Sink::Plain(w) => w.flush(),
            Sink::Gzip(w) => w.flush(),
            Sink::Other(w) => w.flush(),
            Sink::OtherGzip(w) => w.flush(),
        }
    }
}

/// Writes a capture block by block.
///
/// The section header is written on creation. Then write the state blocks
/// (`write_machine_info`, `write_interfaces`, `write_users`,
/// `write_processes`, `write_fds` per thread) and the events, in the order
/// readers expect (that order; libscap reads state blocks only before the
/// first event), and call [`CaptureWriter::finish`].
/// [`CaptureWriter::write_record`] copies what a [`super::CaptureReader`]
/// returns.
///
/// ```no_run
/// use falcon_driver::scap::{CaptureReader, CaptureWriter, WriteOptions};
/// let mut r = CaptureReader::open("in.scap")?;
/// let mut w = CaptureWriter::create("out.scap", WriteOptions::default())?;
/// while let Some(rec) = r.next()? {
///     w.write_record(&rec)?;
/// }
/// w.finish()?;
/// # Ok::<(), falcon_driver::scap::ScapError>(())
/// ```
pub struct CaptureWriter {
    out: Sink,
    profile: WriteProfile,
    body: Vec<u8>,
    enter: Vec<u8>,
    pending_users: Vec<UserEntry>,
    /// Legacy profile: last event code written per thread.
    last_code: HashMap<u64, u16>,
    stats: WriteStats,
}

impl std::fmt::Debug for CaptureWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaptureWriter")
            .field("profile", &self.profile)
            .field("stats", &self.stats)
            .finish()
    }
}

impl CaptureWriter {
    /// Creates (truncates) `path` and writes the section header.
    pub fn create(path: impl AsRef<Path>, opts: WriteOptions) -> Result<Self, ScapError> {
        let path = path.as_ref();
        let f = File::create(path).map_err(|source| ScapError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        let w = BufWriter::with_capacity(128 * 1024, f);
        let sink = if opts.gzip {
            Sink::Gzip(GzEncoder::new(w, Compression::default()))
        } else {
            Sink::Plain(w)
        };
        Self::with_sink(sink, opts.profile)
    }

    /// Writes to any byte sink (a `Vec<u8>`, a socket ...).
    pub fn to_writer(w: Box<dyn Write + Send>, opts: WriteOptions) -> Result<Self, ScapError> {
        let sink = if opts.gzip {
            Sink::OtherGzip(GzEncoder::new(w, Compression::default()))
        } else {
            Sink::Other(w)
        };
        Self::with_sink(sink, opts.profile)
    }

    fn with_sink(out: Sink, profile: WriteProfile) -> Result<Self, ScapError> {
        let mut w = CaptureWriter {
            out,
            profile,
            body: Vec::with_capacity(1 << 16),
            enter: Vec::new(),
            pending_users: Vec::new(),
            last_code: HashMap::new(),
            stats: WriteStats::default(),
        };
        w.body.extend_from_slice(&block::SHB_MAGIC.to_le_bytes());
        w.body
            .extend_from_slice(&block::MAJOR_VERSION.to_le_bytes());
        w.body
            .extend_from_slice(&block::MINOR_VERSION.to_le_bytes());
        w.body.extend_from_slice(&u64::MAX.to_le_bytes());
        w.flush_block(block::SHB)?;
        Ok(w)
    }

    /// What was written so far.
    pub fn stats(&self) -> &WriteStats {
        &self.stats
    }

    /// Writes `self.body` as one block of type `bt`, then clears it.
    fn flush_block(&mut self, bt: u32) -> Result<(), ScapError> {
        let total = align4(8 + self.body.len() + 4);
        let total32 = u32::try_from(total).map_err(|_| ScapError::Encode {
            what: block::name(bt),
            why: "block larger than 4 GiB",
        })?;
        let pad = total - 12 - self.body.len();
        let w = &mut self.out;
        let r = (|| {
            w.write_all(&bt.to_le_bytes())?;
            w.write_all(&total32.to_le_bytes())?;
            w.write_all(&self.body)?;
            w.write_all(&[0u8; 3][..pad])?;
            w.write_all(&total32.to_le_bytes())
        })();
        self.body.clear();
        self.stats.blocks += 1;
        r.map_err(ScapError::Write)
    }

    /// Writes an MI block.
    pub fn write_machine_info(&mut self, mi: &MachineInfo) -> Result<(), ScapError> {
        self.body.clear();
        mi.encode(&mut self.body)?;
        self.flush_block(block::MI)
    }

    /// Writes an IL_V2 block.
    pub fn write_interfaces(&mut self, ifs: &[InterfaceEntry]) -> Result<(), ScapError> {
        self.body.clear();
        state::encode_iflist(ifs, &mut self.body)?;
        self.flush_block(block::IL_V2)
    }

    /// Writes a UL_V2 block.
    pub fn write_users(
        &mut self,
        users: &[UserEntry],
        groups: &[GroupEntry],
    ) -> Result<(), ScapError> {
        self.body.clear();
        state::encode_userlist(users, groups, &mut self.body)?;
        self.flush_block(block::UL_V2)
    }

    /// Writes a PL_V9 block in the profile's entry layout.
    pub fn write_processes(&mut self, procs: &[ProcEntry]) -> Result<(), ScapError> {
        let layout = match self.profile {
            WriteProfile::Current => ProcLayout::Current,
            WriteProfile::Sysdig029 => ProcLayout::Legacy2022,
        };
        self.body.clear();
        for p in procs {
            p.encode(layout, &mut self.body)?;
        }
        self.flush_block(block::PL_V9)
    }

    /// Writes an FDL_V2 block for thread `tid`.
    pub fn write_fds(&mut self, tid: u64, fds: &[FdEntry]) -> Result<(), ScapError> {
        self.body.clear();
        self.body.extend_from_slice(&tid.to_le_bytes());
        for f in fds {
            f.encode(&mut self.body)?;
        }
        self.flush_block(block::FDL_V2)
    }

    /// Writes one event from CPU (buffer) `cpu`; `flags` non-zero selects an
    /// EVF block.
    pub fn write_event(&mut self, cpu: u16, flags: u32, ev: &Event<'_>) -> Result<(), ScapError> {
        match self.profile {
            WriteProfile::Current => self.put_event(cpu, flags, ev.code(), ev.bytes()),
            WriteProfile::Sysdig029 => self.put_legacy(cpu, flags, ev),
        }
    }

    fn put_event(
        &mut self,
        cpu: u16,
        flags: u32,
        code: u16,
        bytes: &[u8],
    ) -> Result<(), ScapError> {
        let large = abi::event_info(code).is_some_and(|i| i.flags & EF_LARGE_PAYLOAD != 0);
        let bt = match (flags != 0, large) {
            (false, false) => block::EV_V2,
            (true, false) => block::EVF_V2,
            (false, true) => block::EV_V2_LARGE,
            (true, true) => block::EVF_V2_LARGE,
        };
        self.body.clear();
        self.body.extend_from_slice(&cpu.to_le_bytes());
        if flags != 0 {
            self.body.extend_from_slice(&flags.to_le_bytes());
        }
        self.body.extend_from_slice(bytes);
        self.stats.events += 1;
        self.flush_block(bt)
    }

    fn put_legacy(&mut self, cpu: u16, flags: u32, ev: &Event<'_>) -> Result<(), ScapError> {
        let info = ev.info();
        if ev.code() >= LEGACY_EVENT_MAX || info.nparams_2022 < 0 {
            *self
                .stats
                .skipped_unknown_to_legacy
                .entry(ev.code())
                .or_default() += 1;
            return Ok(());
        }
        let exit = ev.code() % 2 == 1;
        if exit && info.category & EC_SYSCALL != 0 {
            let enter_code = ev.code() - 1;
            let had_enter = self.last_code.get(&ev.tid()) == Some(&enter_code);
            if let (false, Some(ei)) = (had_enter, abi::event_info(enter_code))
                && ei.nparams_2022 >= 0
            {
                let n = ei.nparams_2022 as usize;
                let mut lens = [0u16; abi::FALCON_MAX_EVENT_PARAMS as usize];
                let mut body = std::mem::take(&mut self.enter);
                body.clear();
                for (j, p) in ei.params.iter().take(n).enumerate() {
                    let v = info
                        .param_index(p.name)
                        .and_then(|i| ev.param(i))
                        .unwrap_or(&[]);
                    lens[j] = v.len().min(u16::MAX as usize) as u16;
                    body.extend_from_slice(&v[..lens[j] as usize]);
                }
                let mut evb = Vec::with_capacity(HDR + 2 * n + body.len());
                put_header(
                    &mut evb,
                    ev.ts(),
                    ev.tid(),
                    enter_code,
                    &lens[..n],
                    body.len(),
                );
                evb.extend_from_slice(&body);
                self.enter = body;
                self.stats.synthesized_enters += 1;
                self.put_event(cpu, 0, enter_code, &evb)?;
            }
        }
        self.last_code.insert(ev.tid(), ev.code());
        let keep = info.nparams_2022 as usize;
        if ev.nparams() <= keep {
            return self.put_event(cpu, flags, ev.code(), ev.bytes());
        }
        *self
            .stats
            .truncated_for_legacy
            .entry(ev.code())
            .or_default() += 1;
        let large = info.flags & EF_LARGE_PAYLOAD != 0;
        let mut lens32 = [0u32; abi::FALCON_MAX_EVENT_PARAMS as usize];
        let mut total = 0;
        for (i, l) in lens32.iter_mut().enumerate().take(keep) {
            *l = ev.param(i).map_or(0, |p| p.len() as u32);
            total += *l as usize;
        }
        let w = if large { 4 } else { 2 };
        let len = HDR + keep * w + total;
        let mut evb = Vec::with_capacity(len);
        evb.extend_from_slice(&ev.ts().to_le_bytes());
        evb.extend_from_slice(&ev.tid().to_le_bytes());
        evb.extend_from_slice(&(len as u32).to_le_bytes());
        evb.extend_from_slice(&ev.code().to_le_bytes());
        evb.extend_from_slice(&(keep as u32).to_le_bytes());
        for &l in &lens32[..keep] {
            if large {
                evb.extend_from_slice(&l.to_le_bytes());
            } else {
                evb.extend_from_slice(&(l as u16).to_le_bytes());
            }
        }
        for i in 0..keep {
            evb.extend_from_slice(ev.param(i).unwrap_or(&[]));
        }
        self.put_event(cpu, flags, ev.code(), &evb)
    }

    /// Writes what a reader returned. `Section` records are not written
    /// (the header was written on creation); `Users` is held until the
    /// following `Groups` record, and both go into one UL block.
    pub fn write_record(&mut self, rec: &Record<'_>) -> Result<(), ScapError> {
        match rec {
            Record::Section { .. } => Ok(()),
            Record::MachineInfo(m) => self.write_machine_info(m),
            Record::Processes(p) => self.write_processes(p),
            Record::Fds { tid, fds } => self.write_fds(*tid, fds),
            Record::Users(u) => {
                self.pending_users.clear();
                self.pending_users.extend_from_slice(u);
                Ok(())
            }
            Record::Groups(g) => {
                let users = std::mem::take(&mut self.pending_users);
                let r = self.write_users(&users, g);
                self.pending_users = users;
                r
            }
            Record::Interfaces(i) => self.write_interfaces(i),
            Record::Event {
                cpu, flags, event, ..
            } => self.write_event(*cpu, *flags, event),
        }
    }

    /// Flushes (and ends the gzip stream); returns the statistics.
    pub fn finish(self) -> Result<WriteStats, ScapError> {
        match self.out {
            Sink::Plain(mut w) => w.flush(),
            Sink::Gzip(w) => w.finish().and_then(|mut w| w.flush()),
            Sink::Other(mut w) => w.flush(),
            Sink::OtherGzip(w) => w.finish().and_then(|mut w| w.flush()),
        }
        .map_err(ScapError::Write)?;
        Ok(self.stats)
    }
}

fn put_header(out: &mut Vec<u8>, ts: u64, tid: u64, code: u16, lens: &[u16], body: usize) {
    let len = HDR + lens.len() * 2 + body;
    out.extend_from_slice(&ts.to_le_bytes());
    out.extend_from_slice(&tid.to_le_bytes());
    out.extend_from_slice(&(len as u32).to_le_bytes());
    out.extend_from_slice(&code.to_le_bytes());
    out.extend_from_slice(&(lens.len() as u32).to_le_bytes());
    for l in lens {
        out.extend_from_slice(&l.to_le_bytes());
    }
}
