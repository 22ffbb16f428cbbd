//! Errors of the `.scap` reader and writer.

use std::io;
use std::path::PathBuf;

use crate::event::EventError;

/// Everything that can go wrong reading or writing a capture.
///
/// Offsets are byte offsets into the capture's (decompressed) block stream and
/// point at the start of the block that failed, so `offset` + `block` locate the
/// damage; for gzip files, offsets count uncompressed bytes.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScapError {
    /// The file could not be opened or created.
    #[error("cannot open {path}: {source}")]
    Open { path: PathBuf, source: io::Error },
    /// Reading failed below the format (I/O error, broken gzip stream).
    #[error("read error at offset {offset}: {source}")]
    Read { offset: u64, source: io::Error },
    /// Writing failed.
    #[error("write error: {0}")]
    Write(#[source] io::Error),
    /// The bytes are not a valid capture.
    #[error("corrupt capture at offset {offset} ({block} block, type {block_type:#x}): {kind}")]
    Corrupt {
        offset: u64,
        /// Block name (`"EV_V2"`, `"PL_V9"`, `"unknown"` ...).
        block: &'static str,
        block_type: u32,
        kind: Corruption,
    },
    /// A record cannot be encoded (a field too long for its on-disk width ...).
    #[error("cannot encode {what}: {why}")]
    Encode {
        what: &'static str,
        why: &'static str,
    },
}

/// What exactly is wrong with a block.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Corruption {
    #[error("the file ends inside the block ({have} of {need} bytes present)")]
    Truncated { need: u64, have: u64 },
    #[error("block length {0} is smaller than a block header and trailer")]
    BadBlockLength(u32),
    #[error("block length {0} exceeds the reader's limit")]
    BlockTooLarge(u32),
    #[error("trailer length {trailer} differs from header length {header}")]
    TrailerMismatch { header: u32, trailer: u32 },
    #[error("the first block is not a section header")]
    NoSectionHeader,
    #[error("byte-order magic {0:#x} is not 0x1a2b3c4d")]
    BadMagic(u32),
    #[error("format version {0}.x is newer than this reader (1.x)")]
    UnsupportedVersion(u16),
    #[error("entry at body offset {at}: {what}")]
    Entry { at: usize, what: &'static str },
    #[error("event: {0}")]
    Event(#[from] EventError),
    #[error("old (V1) event of type {0}: no parameter count matches its length")]
    V1ParamCount(u16),
    #[error("converting event type {code} with {nparams} parameters: {why}")]
    Convert {
        code: u16,
        nparams: u32,
        why: &'static str,
    },
}
