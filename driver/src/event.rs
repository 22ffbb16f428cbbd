//! A zero-copy view of one event in the scap event format, and a builder
//! that writes events into a reusable buffer.
//!
//! Layout: 26-byte packed header (`ts u64, tid u64, len u32, type u16,
//! nparams u32`), `nparams` lengths (u16, or u32 for large-payload event
//! types), then the parameter bodies back to back. Every access is bounds
//! checked once in [`Event::parse`]; nothing here panics on input.

use crate::abi::{self, EventInfo, FALCON_EVT_HDR_LEN, FALCON_MAX_EVENT_PARAMS};

const HDR: usize = FALCON_EVT_HDR_LEN as usize;

/// Why a byte slice is not a well-formed event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    #[error("event shorter than its {HDR}-byte header ({0} bytes)")]
    ShortHeader(usize),
    #[error("event length {len} does not fit the {avail} bytes available")]
    BadLength { len: usize, avail: usize },
    #[error("event type {0} is not in the event table")]
    UnknownType(u16),
    #[error("event declares {0} parameters (at most {FALCON_MAX_EVENT_PARAMS})")]
    TooManyParams(u32),
    #[error("parameter lengths add up to {need} bytes but the event has {have}")]
    ParamsOverflow { need: usize, have: usize },
}

/// One event, borrowed from a ring buffer, a capture block or a builder.
#[derive(Clone, Copy)]
pub struct Event<'a> {
    buf: &'a [u8],
    info: &'static EventInfo,
    nparams: u32,
    large: bool,
}

#[inline]
fn rd_u16(b: &[u8], o: usize) -> u16 {
    u16::from_le_bytes([b[o], b[o + 1]])
}
#[inline]
fn rd_u32(b: &[u8], o: usize) -> u32 {
    u32::from_le_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]])
}
#[inline]
fn rd_u64(b: &[u8], o: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[o..o + 8]);
    u64::from_le_bytes(a)
}

impl<'a> Event<'a> {
    /// Checks the header, the length array and the bodies against `buf`
    /// (which may be longer than the event: the rest is ignored).
    pub fn parse(buf: &'a [u8]) -> Result<Self, EventError> {
        if buf.len() < HDR {
            return Err(EventError::ShortHeader(buf.len()));
        }
        let len = rd_u32(buf, 16) as usize;
        if len < HDR || len > buf.len() {
            return Err(EventError::BadLength {
                len,
                avail: buf.len(),
            });
        }
        let code = rd_u16(buf, 20);
        let info = abi::event_info(code).ok_or(EventError::UnknownType(code))?;
        let nparams = rd_u32(buf, 22);
        if nparams > FALCON_MAX_EVENT_PARAMS {
            return Err(EventError::TooManyParams(nparams));
        }
        let large = info.large_payload();
        let w = if large { 4 } else { 2 };
        let bodies = HDR + nparams as usize * w;
        if bodies > len {
            return Err(EventError::ParamsOverflow {
                need: bodies,
                have: len,
            });
        }
        let mut need = bodies;
        for i in 0..nparams as usize {
            let o = HDR + i * w;
            need += if large {
                rd_u32(buf, o) as usize
            } else {
                rd_u16(buf, o) as usize
            };
        }
        if need > len {
            return Err(EventError::ParamsOverflow { need, have: len });
        }
        Ok(Event {
            buf: &buf[..len],
            info,
            nparams,
            large,
        })
    }

    pub fn ts(&self) -> u64 {
        rd_u64(self.buf, 0)
    }
    pub fn tid(&self) -> u64 {
        rd_u64(self.buf, 8)
    }
    pub fn len(&self) -> usize {
        self.buf.len()
    }
    pub fn is_empty(&self) -> bool {
        false
    }
    pub fn code(&self) -> u16 {
        self.info.code
    }
    pub fn info(&self) -> &'static EventInfo {
        self.info
    }
    pub fn nparams(&self) -> usize {
        self.nparams as usize
    }
    /// The whole event, header included.
    pub fn bytes(&self) -> &'a [u8] {
        self.buf
    }

    fn param_len(&self, i: usize) -> usize {
        if self.large {
            rd_u32(self.buf, HDR + i * 4) as usize
        } else {
            rd_u16(self.buf, HDR + i * 2) as usize
        }
    }

    /// Body of parameter `i`; `None` past `nparams`. An empty slice means
    /// the producer had no value.
    pub fn param(&self, i: usize) -> Option<&'a [u8]> {
        if i >= self.nparams as usize {
            return None;
        }
        let w = if self.large { 4 } else { 2 };
        let mut off = HDR + self.nparams as usize * w;
        for j in 0..i {
            off += self.param_len(j);
        }
        let l = self.param_len(i);
        // Lengths were checked against the buffer in `parse`.
        Some(&self.buf[off..off + l])
    }

    /// Parameter by its table name (e.g. `"fd"`).
    pub fn param_by_name(&self, name: &str) -> Option<&'a [u8]> {
        self.info.param_index(name).and_then(|i| self.param(i))
    }

    /// Integer parameter of any fixed width, sign-extended per its type.
    pub fn param_i64(&self, i: usize) -> Option<i64> {
        let b = self.param(i)?;
        Some(match b.len() {
            1 => b[0] as i8 as i64,
            2 => rd_u16(b, 0) as i16 as i64,
            4 => rd_u32(b, 0) as i32 as i64,
            8 => rd_u64(b, 0) as i64,
            _ => return None,
        })
    }

    /// Integer parameter of any fixed width, zero-extended.
    pub fn param_u64(&self, i: usize) -> Option<u64> {
        let b = self.param(i)?;
        Some(match b.len() {
            1 => b[0] as u64,
            2 => rd_u16(b, 0) as u64,
            4 => rd_u32(b, 0) as u64,
            8 => rd_u64(b, 0),
            _ => return None,
        })
    }

    /// String parameter without its trailing NUL (bytes, not validated UTF-8).
    pub fn param_str(&self, i: usize) -> Option<&'a [u8]> {
        let b = self.param(i)?;
        Some(match b.iter().position(|&c| c == 0) {
            Some(p) => &b[..p],
            None => b,
        })
    }
}

impl std::fmt::Debug for Event<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Event")
            .field("ts", &self.ts())
            .field("tid", &self.tid())
            .field("type", &self.info.name)
            .field("code", &self.code())
            .field("nparams", &self.nparams)
            .finish()
    }
}

/// Builds one event at a time into a buffer that keeps its capacity.
#[derive(Default)]
pub struct EventBuilder {
    buf: Vec<u8>,
    lens: Vec<u32>,
    body: Vec<u8>,
}

impl EventBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts a new event, forgetting the previous one.
    pub fn start(&mut self) -> &mut Self {
        self.lens.clear();
        self.body.clear();
        self
    }

    /// Appends one parameter body (empty = no value).
    pub fn param(&mut self, body: &[u8]) -> &mut Self {
        self.lens.push(body.len() as u32);
        self.body.extend_from_slice(body);
        self
    }

    pub fn param_u64(&mut self, v: u64) -> &mut Self {
        self.param(&v.to_le_bytes())
    }
    pub fn param_i64(&mut self, v: i64) -> &mut Self {
        self.param(&v.to_le_bytes())
    }
    pub fn param_u32(&mut self, v: u32) -> &mut Self {
        self.param(&v.to_le_bytes())
    }
    pub fn param_u16(&mut self, v: u16) -> &mut Self {
        self.param(&v.to_le_bytes())
    }
    pub fn param_u8(&mut self, v: u8) -> &mut Self {
        self.param(&[v])
    }
    /// A NUL-terminated string parameter.
    pub fn param_str(&mut self, s: &[u8]) -> &mut Self {
        self.lens.push(s.len() as u32 + 1);
        self.body.extend_from_slice(s);
        self.body.push(0);
        self
    }

    /// Writes the header and returns the finished event bytes.
    pub fn finish(&mut self, ts: u64, tid: u64, code: u16) -> &[u8] {
        let large = abi::event_info(code).is_some_and(|i| i.large_payload());
        let w = if large { 4 } else { 2 };
        let len = HDR + self.lens.len() * w + self.body.len();
        self.buf.clear();
        self.buf.extend_from_slice(&ts.to_le_bytes());
        self.buf.extend_from_slice(&tid.to_le_bytes());
        self.buf.extend_from_slice(&(len as u32).to_le_bytes());
        self.buf.extend_from_slice(&code.to_le_bytes());
        self.buf
            .extend_from_slice(&(self.lens.len() as u32).to_le_bytes());
        for &l in &self.lens {
            if large {
                self.buf.extend_from_slice(&l.to_le_bytes());
            } else {
                self.buf.extend_from_slice(&(l as u16).to_le_bytes());
            }
        }
        self.buf.extend_from_slice(&self.body);
        &self.buf
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::*;

    #[test]
    fn build_and_parse() {
        let mut b = EventBuilder::new();
        let bytes = b
            .start()
            .param_i64(3)
            .param_str(b"/etc/passwd")
            .param_u32(0)
            .param_u32(0o644)
            .param_u32(0)
            .param(&[])
            .finish(10, 42, PPME_SYSCALL_OPEN_X as u16)
            .to_vec();
        let e = Event::parse(&bytes).unwrap();
        assert_eq!(e.ts(), 10);
        assert_eq!(e.tid(), 42);
        assert_eq!(e.info().name, "open");
        assert_eq!(e.nparams(), 6);
        assert_eq!(e.param_i64(0), Some(3));
        assert_eq!(e.param_str(1), Some(&b"/etc/passwd"[..]));
        assert_eq!(
            e.param_by_name("mode").and_then(|_| e.param_u64(3)),
            Some(0o644)
        );
        assert_eq!(e.param(5), Some(&[][..]));
        assert_eq!(e.param(6), None);
    }

    #[test]
    fn rejects_garbage() {
        assert!(matches!(
            Event::parse(&[0; 10]),
            Err(EventError::ShortHeader(10))
        ));
        let mut b = EventBuilder::new();
        let mut bytes = b.start().param_u64(1).finish(0, 0, 1).to_vec();
        bytes[26] = 200; // first length now overflows the event
        assert!(matches!(
            Event::parse(&bytes),
            Err(EventError::ParamsOverflow { .. })
        ));
        bytes[20] = 0xff;
        bytes[21] = 0xff;
        assert!(matches!(
            Event::parse(&bytes),
            Err(EventError::UnknownType(0xffff))
        ));
    }
}
