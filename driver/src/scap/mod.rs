//! `.scap` captures: reading (with conversion of old captures to the
//! exit-only event model) and writing.
//!
//! # The format
//!
//! A capture is a sequence of pcapng-like blocks (`u32 type`, `u32
//! total_length`, body padded to 4 bytes, `u32 total_length`), little-endian,
//! optionally gzip-compressed as a whole. It starts with a section header
//! (SHB), then state blocks: machine info (MI), interfaces (IL), users and
//! groups (UL), the process list (PL, one block) and one fd list (FDL) per
//! thread, then events (EV / EVF blocks, `_LARGE` variants for event types
//! with 32-bit parameter lengths). Every older block version libscap reads
//! is read here too: PL V1-V9 (including the pre-0.10 PL_V9 layout told
//! apart by the 29-byte rule), FDL/IL/UL V1, EV/EVF V1 (22-byte event
//! header without `nparams`), and the unofficial `_INT` block codes.
//!
//! # Reading
//!
//! [`CaptureReader`] returns [`Record`]s in file order. By default
//! ([`ReadOptions::convert`]) it converts old enter+exit captures the way
//! current libscap does (see the `convert` module docs): enter events are
//! merged into their exit events, so consumers see one event per syscall
//! with every parameter, plus the time-of-check enter events of
//! open/openat/openat2/creat/connect, which pass through. Each returned
//! event carries `num`, the `evt.num` Falco 0.44 gives it.
//!
//! ## Event numbers (`evt.num`)
//!
//! Falco numbers every event libscap hands it, from 1, in file order:
//! meta events (procinfo, container, ...) and the time-of-check enter
//! events that pass the converter are numbered too; enter events merged
//! into their exit are not. [`Record::Event::num`] is that number, checked
//! against Falco 0.44.1's dumps of every legacy trace. (Falco's rules only
//! see exit and meta events, and container events go to its container
//! plugin, so those numbers have gaps in Falco's output.)
//!
//! ## For consumers
//!
//! Generic events (`syscall`, code 0/1) name their syscall by the `ID`
//! parameter (a `PPM_SC` code); old captures carry `ID = 0` (unknown) with
//! the native number in `nativeID`, which is how Falco names them then
//! (e.g. `fadvise64`).
//!
//! # Writing
//!
//! [`CaptureWriter`] writes the current format ([`WriteProfile::Current`]:
//! SHB 1.2, MI, IL_V2, UL_V2, PL_V9, FDL_V2, EV_V2/EVF_V2/`_LARGE`), plain
//! or gzip. [`WriteProfile::Sysdig029`] targets sysdig 0.29 / libs 2022:
//! PL_V9 entries in the 2022 order ending at `exe_writable`, events cut to
//! their 2022 parameter count, and an enter event rebuilt before every
//! syscall exit (2022 sinsp needs enter events for fd/size/path context);
//! event codes >= 336 do not exist there and are left out and counted.
//!
//! # Errors
//!
//! Malformed input never panics: a bad block yields [`ScapError::Corrupt`]
//! with the block's offset and type, after every record before it. The
//! reader is fuzzed (`driver/fuzz`, `tests/scap-fuzz/run-suite`) and
//! mutation-tested (`driver/tests/scap_fuzz.rs`).

mod block;
mod convert;
mod cursor;
mod error;
#[doc(hidden)]
pub mod fuzzing;
mod reader;
mod state;
mod writer;

pub use block::{align4, name as block_name};
pub use error::{Corruption, ScapError};
pub use reader::{CaptureReader, ReadOptions, ReadStats, Record};
pub use state::{
    FdEntry, FdInfo, FdType, GroupEntry, InterfaceEntry, MachineInfo, ProcEntry, ProcLayout,
    UserEntry,
};
pub use writer::{CaptureWriter, LEGACY_EVENT_MAX, WriteOptions, WriteProfile, WriteStats};

/// Block type codes.
pub mod blocks {
    pub use super::block::*;
}
