//! Bounds-checked little-endian field access over a block body, and the
//! matching appenders used by the writer.

use super::error::Corruption;

/// Reads fields front to back; every read checks the remaining length.
pub(crate) struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
}

pub(crate) type Res<T> = Result<T, Corruption>;

impl<'a> Cursor<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Cursor { buf, pos: 0 }
    }
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }
    pub(crate) fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }
    pub(crate) fn bytes(&mut self, n: usize, what: &'static str) -> Res<&'a [u8]> {
        if n > self.remaining() {
            return Err(Corruption::Entry { at: self.pos, what });
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    pub(crate) fn skip(&mut self, n: usize, what: &'static str) -> Res<()> {
        self.bytes(n, what).map(|_| ())
    }
    fn arr<const N: usize>(&mut self, what: &'static str) -> Res<[u8; N]> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.bytes(N, what)?);
        Ok(a)
    }
    pub(crate) fn u8(&mut self, what: &'static str) -> Res<u8> {
        Ok(self.arr::<1>(what)?[0])
    }
    pub(crate) fn u16(&mut self, what: &'static str) -> Res<u16> {
        Ok(u16::from_le_bytes(self.arr(what)?))
    }
    pub(crate) fn u32(&mut self, what: &'static str) -> Res<u32> {
        Ok(u32::from_le_bytes(self.arr(what)?))
    }
    pub(crate) fn u64(&mut self, what: &'static str) -> Res<u64> {
        Ok(u64::from_le_bytes(self.arr(what)?))
    }
    pub(crate) fn i64(&mut self, what: &'static str) -> Res<i64> {
        Ok(i64::from_le_bytes(self.arr(what)?))
    }
    pub(crate) fn ip16(&mut self, what: &'static str) -> Res<[u8; 16]> {
        self.arr(what)
    }
    /// A `u16` length followed by that many bytes (no NUL on disk).
    pub(crate) fn str16(&mut self, what: &'static str) -> Res<Vec<u8>> {
        let n = self.u16(what)? as usize;
        Ok(self.bytes(n, what)?.to_vec())
    }
}

/// Appends little-endian fields to a byte vector.
pub(crate) trait Put {
    fn put_u8(&mut self, v: u8);
    fn put_u16(&mut self, v: u16);
    fn put_u32(&mut self, v: u32);
    fn put_u64(&mut self, v: u64);
    fn put_i64(&mut self, v: i64);
    /// `u16` length + bytes; fails when `s` is longer than 65535 bytes.
    fn put_str16(&mut self, s: &[u8], what: &'static str) -> Result<(), super::ScapError>;
}

impl Put for Vec<u8> {
    fn put_u8(&mut self, v: u8) {
        self.push(v);
    }
    fn put_u16(&mut self, v: u16) {
        self.extend_from_slice(&v.to_le_bytes());
    }
    fn put_u32(&mut self, v: u32) {
        self.extend_from_slice(&v.to_le_bytes());
    }
    fn put_u64(&mut self, v: u64) {
        self.extend_from_slice(&v.to_le_bytes());
    }
    fn put_i64(&mut self, v: i64) {
        self.extend_from_slice(&v.to_le_bytes());
    }
    fn put_str16(&mut self, s: &[u8], what: &'static str) -> Result<(), super::ScapError> {
        let n = u16::try_from(s.len()).map_err(|_| super::ScapError::Encode {
            what,
            why: "longer than 65535 bytes",
        })?;
        self.put_u16(n);
        self.extend_from_slice(s);
        Ok(())
    }
}
