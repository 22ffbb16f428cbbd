//! The body shared by the `cargo fuzz` target (`driver/fuzz`) and the
//! mutation test (`driver/tests/scap_fuzz.rs`): read a whole capture from
//! bytes and touch every field of every record.

use super::{CaptureReader, ReadOptions, Record, ScapError};

/// What reading a capture from bytes gave.
#[derive(Debug)]
pub struct Outcome {
    /// Records returned before the end or the error.
    pub records: u64,
    /// The error that stopped the reader, if any.
    pub error: Option<ScapError>,
}

/// Reads `bytes` (plain or gzip) to the end, with or without conversion,
/// reading every parameter of every event and every state entry.
pub fn read_everything(bytes: &[u8], convert: bool) -> Outcome {
    let mut r = CaptureReader::from_bytes(bytes.to_vec(), ReadOptions { convert });
    let mut records = 0u64;
    let mut sink = 0u64;
    loop {
        match r.next() {
            Ok(None) => {
                return Outcome {
                    records,
                    error: None,
                };
            }
            Err(e) => {
                // A second call after an error returns nothing more.
                debug_assert!(matches!(r.next(), Ok(None)));
                return Outcome {
                    records,
                    error: Some(e),
                };
            }
            Ok(Some(rec)) => {
                records += 1;
                let add = |s: u64, v: u64| s.wrapping_add(v);
                match rec {
                    Record::Event { event, .. } => {
                        for i in 0..event.nparams() {
                            sink = add(sink, event.param(i).map_or(0, |p| p.len() as u64));
                            sink = add(sink, event.param_u64(i).unwrap_or(0));
                            sink = add(sink, event.param_str(i).map_or(0, |p| p.len() as u64));
                        }
                        sink = add(sink, event.ts() ^ event.tid());
                    }
                    Record::Processes(p) => {
                        sink = p
                            .iter()
                            .fold(sink, |s, e| add(s, e.args.len() as u64 ^ e.tid))
                    }
                    Record::Fds { fds, .. } => {
                        sink = fds
                            .iter()
                            .fold(sink, |s, f| add(s, f.name().map_or(0, |n| n.len() as u64)))
                    }
                    _ => {}
                }
            }
        }
        std::hint::black_box(sink);
    }
}
