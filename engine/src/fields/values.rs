//! A reusable container for extracted field values.
//!
//! Extraction never allocates once the container has grown to the size an
//! event needs: [`Values::clear`] keeps both the slot vector and the byte
//! buffer, and string values are copied into that byte buffer rather than
//! allocated one by one.

use std::net::IpAddr;

/// One extracted value, borrowed from a [`Values`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    /// A string (`Charbuf`), as raw bytes: paths and arguments need not be UTF-8.
    Str(&'a [u8]),
    /// A byte buffer (`Bytebuf`).
    Bytes(&'a [u8]),
    /// A signed integer (`Int16/32/64`).
    I64(i64),
    /// An unsigned integer (`Uint32/64`, `Port`, `Abstime`, `Reltime`).
    U64(u64),
    Bool(bool),
    /// An IPv4 or IPv6 address.
    Ip(IpAddr),
    /// A network: address and prefix length.
    Net(IpAddr, u8),
    Double(f64),
}

impl Value<'_> {
    /// The value as a string slice when it is a string or buffer.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::Str(s) | Value::Bytes(s) => Some(s),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Slot {
    Str(u32, u32),
    Bytes(u32, u32),
    I64(i64),
    U64(u64),
    Bool(bool),
    Ip(IpAddr),
    Net(IpAddr, u8),
    Double(f64),
}

/// Zero or more values of one field for one event (list fields give several).
///
/// Strings live in one internal byte buffer; slots point into it. Call
/// [`Values::clear`] before each extraction (extractors append).
#[derive(Debug, Default, Clone)]
pub struct Values {
    slots: Vec<Slot>,
    buf: Vec<u8>,
    /// Start of the string being built with [`Values::begin_str`].
    open: Option<usize>,
}

impl Values {
    pub fn new() -> Self {
        Self::default()
    }

    /// Forgets the values, keeping the capacity.
    pub fn clear(&mut self) {
        self.slots.clear();
        self.buf.clear();
        self.open = None;
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The `i`-th value.
    pub fn get(&self, i: usize) -> Option<Value<'_>> {
        self.slots.get(i).map(|s| self.view(*s))
    }

    /// The first value, which is the only one for non-list fields.
    pub fn first(&self) -> Option<Value<'_>> {
        self.get(0)
    }

    pub fn iter(&self) -> impl Iterator<Item = Value<'_>> + '_ {
        self.slots.iter().map(|s| self.view(*s))
    }

    fn view(&self, s: Slot) -> Value<'_> {
        match s {
            Slot::Str(a, b) => Value::Str(&self.buf[a as usize..b as usize]),
            Slot::Bytes(a, b) => Value::Bytes(&self.buf[a as usize..b as usize]),
            Slot::I64(v) => Value::I64(v),
            Slot::U64(v) => Value::U64(v),
            Slot::Bool(v) => Value::Bool(v),
            Slot::Ip(v) => Value::Ip(v),
            Slot::Net(a, p) => Value::Net(a, p),
            Slot::Double(v) => Value::Double(v),
        }
    }

    fn range(&mut self, s: &[u8]) -> (u32, u32) {
        let a = self.buf.len();
        self.buf.extend_from_slice(s);
        (a as u32, self.buf.len() as u32)
    }

    pub fn push_str(&mut self, s: &[u8]) {
        let (a, b) = self.range(s);
        self.slots.push(Slot::Str(a, b));
    }
    pub fn push_bytes(&mut self, s: &[u8]) {
        let (a, b) = self.range(s);
        self.slots.push(Slot::Bytes(a, b));
    }
    pub fn push_i64(&mut self, v: i64) {
        self.slots.push(Slot::I64(v));
    }
    pub fn push_u64(&mut self, v: u64) {
        self.slots.push(Slot::U64(v));
    }
    pub fn push_bool(&mut self, v: bool) {
        self.slots.push(Slot::Bool(v));
    }
    pub fn push_ip(&mut self, v: IpAddr) {
        self.slots.push(Slot::Ip(v));
    }
    pub fn push_net(&mut self, v: IpAddr, prefix: u8) {
        self.slots.push(Slot::Net(v, prefix));
    }
    pub fn push_double(&mut self, v: f64) {
        self.slots.push(Slot::Double(v));
    }

    /// Removes the last value (its bytes stay until [`Values::clear`]).
    pub fn pop(&mut self) {
        self.slots.pop();
    }

    /// Starts a string value built piecewise with [`Values::extend`] or
    /// `write!` (the container implements [`std::fmt::Write`]), finished by
    /// [`Values::end_str`].
    pub fn begin_str(&mut self) {
        self.open = Some(self.buf.len());
    }

    /// Appends bytes to the string being built.
    pub fn extend(&mut self, s: &[u8]) {
        self.buf.extend_from_slice(s);
    }

    /// Appends one byte to the string being built.
    pub fn push_byte(&mut self, b: u8) {
        self.buf.push(b);
    }

    /// Finishes the string started by [`Values::begin_str`].
    pub fn end_str(&mut self) {
        if let Some(a) = self.open.take() {
            self.slots.push(Slot::Str(a as u32, self.buf.len() as u32));
        }
    }

    /// Drops a string started by [`Values::begin_str`] (no value is added).
    pub fn abandon_str(&mut self) {
        if let Some(a) = self.open.take() {
            self.buf.truncate(a);
        }
    }

    /// Keeps the first `n` bytes of the string being built.
    pub fn truncate_open(&mut self, n: usize) {
        if let Some(a) = self.open {
            self.buf.truncate(a + n);
        }
    }

    /// Byte `i` of the string being built (0 when out of range).
    pub fn open_byte(&self, i: usize) -> u8 {
        self.open
            .and_then(|a| self.buf.get(a + i).copied())
            .unwrap_or(0)
    }

    /// The last byte of the string being built.
    pub fn open_last(&self) -> Option<u8> {
        match self.open {
            Some(a) if self.buf.len() > a => self.buf.last().copied(),
            _ => None,
        }
    }

    /// Bytes written so far to the string being built.
    pub fn open_len(&self) -> usize {
        self.open.map_or(0, |a| self.buf.len() - a)
    }
}

impl std::fmt::Write for Values {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.buf.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt::Write as _;

    #[test]
    fn keeps_capacity_and_order() {
        let mut v = Values::new();
        v.push_str(b"abc");
        v.push_u64(7);
        v.begin_str();
        write!(v, "{}:{}", 1, 2).unwrap();
        v.end_str();
        assert_eq!(v.len(), 3);
        assert_eq!(v.get(0), Some(Value::Str(b"abc")));
        assert_eq!(v.get(1), Some(Value::U64(7)));
        assert_eq!(v.get(2), Some(Value::Str(b"1:2")));
        let cap = v.buf.capacity();
        v.clear();
        assert!(v.is_empty());
        assert_eq!(v.buf.capacity(), cap);
        v.begin_str();
        v.extend(b"x");
        v.abandon_str();
        assert!(v.is_empty());
    }
}
