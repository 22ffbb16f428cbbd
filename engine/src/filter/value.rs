//! Interim value container with the same API as `engine::fields::Values`
//! (branch `state`), used until that module lands; then this file goes and
//! `filter` re-exports the fields types instead.

use std::net::IpAddr;

/// Value type of a field (libsinsp `PT_*` for filter fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum FieldType {
    Charbuf,
    Bytebuf,
    Int16,
    Int32,
    Int64,
    Uint32,
    Uint64,
    Bool,
    IpAddr,
    IpNet,
    Port,
    Abstime,
    Reltime,
    Double,
    Dyn,
}

/// One extracted value.
#[derive(Debug, Clone, Copy, PartialEq)]
#[allow(missing_docs)]
pub enum Value<'a> {
    Str(&'a [u8]),
    Bytes(&'a [u8]),
    I64(i64),
    U64(u64),
    Bool(bool),
    Ip(IpAddr),
    Net(IpAddr, u8),
    Double(f64),
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

/// Zero or more values of one field for one event; reused across events.
#[derive(Debug, Default, Clone)]
pub struct Values {
    slots: Vec<Slot>,
    buf: Vec<u8>,
    open: Option<usize>,
}

#[allow(missing_docs)]
impl Values {
    pub fn new() -> Self {
        Self::default()
    }
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
    pub fn get(&self, i: usize) -> Option<Value<'_>> {
        self.slots.get(i).map(|s| self.view(*s))
    }
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
    pub fn begin_str(&mut self) {
        self.open = Some(self.buf.len());
    }
    pub fn extend(&mut self, s: &[u8]) {
        self.buf.extend_from_slice(s);
    }
    pub fn push_byte(&mut self, b: u8) {
        self.buf.push(b);
    }
    pub fn end_str(&mut self) {
        if let Some(a) = self.open.take() {
            self.slots.push(Slot::Str(a as u32, self.buf.len() as u32));
        }
    }
}
