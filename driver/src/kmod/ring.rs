//! Reading one ring of falcon.ko.
//!
//! Layout (`struct falcon_ring_info` in `abi/falcon_abi.h`): `head` at 0
//! (u32, written by the kernel), `tail` at 4 (u32, written by us), then
//! the u64 counters. The data area is `size` bytes (a power of two) mapped
//! twice back to back, so the event at `tail` is contiguous even when it
//! wraps. `head == tail` means empty.
//!
//! Orderings: the acquire load of `head` pairs with the kernel's
//! `smp_store_release(&info->head, ...)` in `kmod/event.c`
//! (`falcon_evt_commit`), so every byte before `head` is visible; our
//! release store of `tail` pairs with the kernel's
//! `smp_load_acquire(&info->tail)` in `falcon_evt_begin`, so the kernel
//! never overwrites bytes we are still reading.

use std::sync::atomic::{AtomicU32, Ordering};

use crate::abi::{FALCON_DROP_CATEGORIES, FALCON_EVT_HDR_LEN};
use crate::event::{Event, EventError};

/// Counters of one ring, copied from its info page.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RingCounters {
    /// Events the kernel tried to write (dropped ones included).
    pub n_evts: u64,
    /// Events dropped because the ring was full.
    pub n_drops_buffer: u64,
    /// The same drops by category (`FALCON_DROP_*`).
    pub n_drops_buffer_cat: [u64; FALCON_DROP_CATEGORIES as usize],
    /// User memory that could not be read (the parameter is empty).
    pub n_drops_pf: u64,
    /// Events lost to re-entrancy on the CPU.
    pub n_preemptions: u64,
}

/// Memory of one ring: the info page and the doubly mapped data.
///
/// # Safety
/// `info()` must point to at least 128 readable and writable bytes and
/// `data()` to `2 * size()` readable bytes where byte `i + size` is byte
/// `i`, both valid for the life of the value.
pub(crate) unsafe trait RingMem {
    fn info(&self) -> *mut u8;
    fn data(&self) -> *const u8;
    fn size(&self) -> u32;
}

/// Reasons a ring's content cannot be trusted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RingError {
    #[error("head {head} or tail {tail} outside a ring of {size} bytes")]
    BadOffsets { head: u32, tail: u32, size: u32 },
    #[error("malformed event at ring offset {offset}: {source}")]
    BadEvent { offset: u32, source: EventError },
}

pub(crate) struct Ring<M: RingMem> {
    mem: M,
    /// Snapshot for the merged stream (`stream::Ring`): tail and bytes
    /// available when it was taken, the cursor inside it, the length of
    /// the record at the cursor and the timestamp of the last event.
    snap_tail: u32,
    snap_avail: u32,
    cursor: u32,
    rec_len: u32,
    snap_last_ts: Option<u64>,
}

fn rd_u32(b: &[u8], o: usize) -> u32 {
    u32::from_le_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]])
}

fn rd_u64(b: &[u8], o: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[o..o + 8]);
    u64::from_le_bytes(a)
}

impl<M: RingMem> Ring<M> {
    pub(crate) fn new(mem: M) -> Self {
        Ring {
            mem,
            snap_tail: 0,
            snap_avail: 0,
            cursor: 0,
            rec_len: 0,
            snap_last_ts: None,
        }
    }

    /// The snapshot's bytes (see `begin`).
    fn snap_bytes(&self) -> &[u8] {
        // SAFETY: snap_tail < size and snap_avail < size, so the range is
        // inside the 2 * size mapping RingMem guarantees.
        unsafe {
            std::slice::from_raw_parts(
                self.mem.data().add(self.snap_tail as usize),
                self.snap_avail as usize,
            )
        }
    }

    /// Length of the record at `off` in the snapshot: its header's `len`
    /// when that is sane, else everything left (a malformed record that
    /// cannot be skipped precisely: the rest of the snapshot goes with it).
    fn record_len(&self, off: u32) -> u32 {
        let b = self.snap_bytes();
        let rest = b.len() as u32 - off;
        if rest < FALCON_EVT_HDR_LEN {
            return rest;
        }
        let len = rd_u32(b, off as usize + 16);
        if len < FALCON_EVT_HDR_LEN || len > rest {
            rest
        } else {
            len
        }
    }

    /// Snapshots the committed events (merged-stream interface).
    pub(crate) fn snap_begin(&mut self) {
        let size = self.mem.size();
        let head = self.head_atomic().load(Ordering::Acquire);
        let tail = self.tail_atomic().load(Ordering::Relaxed);
        if head >= size || tail >= size {
            // corrupt offsets: resynchronise, nothing to hand out
            self.tail_atomic().store(head % size, Ordering::Release);
            self.snap_avail = 0;
        } else {
            self.snap_tail = tail;
            self.snap_avail = head.wrapping_sub(tail) & (size - 1);
        }
        self.cursor = 0;
        self.snap_last_ts = None;
        // one pass over the headers for the last timestamp
        let mut off = 0;
        while off < self.snap_avail {
            let l = self.record_len(off);
            if l >= FALCON_EVT_HDR_LEN {
                self.snap_last_ts = Some(rd_u64(self.snap_bytes(), off as usize));
            }
            off += l;
        }
        self.rec_len = if self.snap_avail > 0 {
            self.record_len(0)
        } else {
            0
        };
    }

    pub(crate) fn snap_peek(&self) -> Option<&[u8]> {
        (self.cursor < self.snap_avail).then(|| {
            &self.snap_bytes()[self.cursor as usize..(self.cursor + self.rec_len) as usize]
        })
    }

    pub(crate) fn snap_advance(&mut self) {
        if self.cursor < self.snap_avail {
            self.cursor += self.rec_len;
            self.rec_len = if self.cursor < self.snap_avail {
                self.record_len(self.cursor)
            } else {
                0
            };
        }
    }

    pub(crate) fn snap_last_ts(&self) -> Option<u64> {
        self.snap_last_ts
    }

    /// Publishes the tail up to the cursor.
    pub(crate) fn snap_commit(&mut self) {
        let size = self.mem.size();
        let tail = self.snap_tail.wrapping_add(self.cursor) & (size - 1);
        self.tail_atomic().store(tail, Ordering::Release);
        self.snap_tail = tail;
        self.snap_avail -= self.cursor;
        self.cursor = 0;
    }

    fn head_atomic(&self) -> &AtomicU32 {
        // SAFETY: offset 0 of the info page is the u32 head, 4-aligned
        // (page aligned mapping); RingMem guarantees validity.
        unsafe { &*(self.mem.info() as *const AtomicU32) }
    }

    fn tail_atomic(&self) -> &AtomicU32 {
        // SAFETY: offset 4 is the u32 tail, 4-aligned; see head_atomic.
        unsafe { &*(self.mem.info().add(4) as *const AtomicU32) }
    }

    fn counter(&self, off: usize) -> u64 {
        // SAFETY: off + 8 <= 128, 8-aligned; a volatile read of a counter
        // the kernel updates (a torn value is impossible for aligned u64
        // on x86_64).
        unsafe { std::ptr::read_volatile(self.mem.info().add(off) as *const u64) }
    }

    pub(crate) fn counters(&self) -> RingCounters {
        let mut c = RingCounters {
            n_evts: self.counter(8),
            n_drops_buffer: self.counter(16),
            ..RingCounters::default()
        };
        for (i, v) in c.n_drops_buffer_cat.iter_mut().enumerate() {
            *v = self.counter(24 + 8 * i);
        }
        c.n_drops_pf = self.counter(104);
        c.n_preemptions = self.counter(112);
        c
    }

    /// Bytes waiting to be read.
    pub(crate) fn pending(&self) -> u32 {
        let size = self.mem.size();
        let head = self.head_atomic().load(Ordering::Acquire);
        let tail = self.tail_atomic().load(Ordering::Relaxed);
        head.wrapping_sub(tail) & (size - 1)
    }

    /// Hands every complete event between tail and head to `f`, then
    /// publishes the new tail once. Returns how many events were read.
    /// On a malformed event the rest of the batch is skipped (the ring
    /// cannot be resynchronised) and the error returned.
    pub(crate) fn drain(&mut self, f: &mut dyn FnMut(Event<'_>)) -> Result<u64, RingError> {
        let size = self.mem.size();
        let head = self.head_atomic().load(Ordering::Acquire);
        let mut tail = self.tail_atomic().load(Ordering::Relaxed);
        if head >= size || tail >= size {
            let e = RingError::BadOffsets { head, tail, size };
            self.tail_atomic().store(head % size, Ordering::Release);
            return Err(e);
        }
        let avail = head.wrapping_sub(tail) & (size - 1);
        // SAFETY: RingMem guarantees 2 * size readable bytes; tail < size
        // and avail < size, so [tail, tail + avail) is inside the mapping.
        let bytes = unsafe {
            std::slice::from_raw_parts(self.mem.data().add(tail as usize), avail as usize)
        };
        let mut off = 0usize;
        let mut n = 0u64;
        let mut result = Ok(0);
        while off + FALCON_EVT_HDR_LEN as usize <= bytes.len() {
            match Event::parse(&bytes[off..]) {
                Ok(ev) => {
                    off += ev.len();
                    n += 1;
                    f(ev);
                }
                Err(source) => {
                    result = Err(RingError::BadEvent {
                        offset: tail.wrapping_add(off as u32) & (size - 1),
                        source,
                    });
                    off = bytes.len();
                }
            }
        }
        tail = tail.wrapping_add(off as u32) & (size - 1);
        self.tail_atomic().store(tail, Ordering::Release);
        result.map(|_| n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::*;
    use crate::event::EventBuilder;

    /// A ring in ordinary memory, doubled by writing every byte twice.
    struct FakeMem {
        info: Box<[u64; 16]>,
        data: Vec<u8>,
        size: u32,
    }

    // SAFETY: info is 128 bytes, data 2 * size bytes kept doubled by
    // `FakeMem::write`.
    unsafe impl RingMem for &mut FakeMem {
        fn info(&self) -> *mut u8 {
            self.info.as_ptr() as *mut u8
        }
        fn data(&self) -> *const u8 {
            self.data.as_ptr()
        }
        fn size(&self) -> u32 {
            self.size
        }
    }

    impl FakeMem {
        fn new(size: u32) -> Self {
            FakeMem {
                info: Box::new([0; 16]),
                data: vec![0; 2 * size as usize],
                size,
            }
        }
        fn head(&self) -> u32 {
            self.info[0] as u32
        }
        fn set_head(&mut self, h: u32) {
            self.info[0] = (self.info[0] & !0xffff_ffff) | h as u64;
        }
        fn tail(&self) -> u32 {
            (self.info[0] >> 32) as u32
        }
        /// Produces like kmod/event.c: at head, wrapping, then head += len.
        fn produce(&mut self, ev: &[u8]) {
            let size = self.size as usize;
            let h = self.head() as usize;
            for (i, b) in ev.iter().enumerate() {
                let p = (h + i) % size;
                self.data[p] = *b;
                self.data[p + size] = *b;
            }
            self.set_head(((h + ev.len()) % size) as u32);
        }
    }

    fn event(n: u64) -> Vec<u8> {
        EventBuilder::new()
            .start()
            .param_u16(16)
            .param_u16(39)
            .finish(n, 7, PPME_GENERIC_X as u16)
            .to_vec()
    }

    #[test]
    fn drains_in_order_and_publishes_tail() {
        let mut mem = FakeMem::new(4096);
        for i in 0..10 {
            mem.produce(&event(i));
        }
        let head = mem.head();
        let mut seen = Vec::new();
        let n = Ring::new(&mut mem)
            .drain(&mut |e| seen.push(e.ts()))
            .unwrap();
        assert_eq!(n, 10);
        assert_eq!(seen, (0..10).collect::<Vec<_>>());
        assert_eq!(mem.tail(), head);
    }

    #[test]
    fn wrapped_event_reads_contiguously() {
        let mut mem = FakeMem::new(4096);
        let e = event(1);
        // start 10 bytes before the end so the event wraps
        let start = 4096 - 10;
        mem.set_head(start);
        mem.info[0] |= (start as u64) << 32;
        mem.produce(&e);
        assert!(mem.head() < start);
        let mut got = Vec::new();
        Ring::new(&mut mem)
            .drain(&mut |ev| got.push(ev.bytes().to_vec()))
            .unwrap();
        assert_eq!(got, vec![e]);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let mut mem = FakeMem::new(4096);
        mem.produce(&[0xff; 40]);
        let err = Ring::new(&mut mem).drain(&mut |_| {}).unwrap_err();
        assert!(matches!(err, RingError::BadEvent { offset: 0, .. }));
        // the batch is skipped, the ring is usable again
        assert_eq!(mem.tail(), mem.head());
        mem.info[0] = (5000u64 << 32) | 3;
        let err = Ring::new(&mut mem).drain(&mut |_| {}).unwrap_err();
        assert!(matches!(err, RingError::BadOffsets { .. }));
    }

    /// The merged-stream interface over a ring that wraps.
    struct Snap<'a>(Ring<&'a mut FakeMem>);

    impl crate::stream::Ring for Snap<'_> {
        fn begin(&mut self) {
            self.0.snap_begin()
        }
        fn peek(&self) -> Option<&[u8]> {
            self.0.snap_peek()
        }
        fn advance(&mut self) {
            self.0.snap_advance()
        }
        fn last_ts(&self) -> Option<u64> {
            self.0.snap_last_ts()
        }
        fn commit(&mut self) {
            self.0.snap_commit()
        }
    }

    #[test]
    fn merges_through_the_stream_interface() {
        let mut a = FakeMem::new(4096);
        let mut b = FakeMem::new(4096);
        // ring a starts near its end so its events wrap
        a.set_head(4000);
        a.info[0] |= 4000u64 << 32;
        for ts in [1, 4, 6] {
            a.produce(&event(ts));
        }
        for ts in [2, 3, 5] {
            b.produce(&event(ts));
        }
        let (ha, hb) = (a.head(), b.head());
        let mut rings = [Snap(Ring::new(&mut a)), Snap(Ring::new(&mut b))];
        let mut m = crate::stream::Merger::new(0, 100);
        let mut seen = Vec::new();
        let st = m.drain_all(&mut rings, |cpu, e| seen.push((cpu, e.ts())));
        assert_eq!(st.events, 6);
        assert_eq!(seen, vec![(0, 1), (1, 2), (1, 3), (0, 4), (1, 5), (0, 6)]);
        assert_eq!((a.tail(), b.tail()), (ha, hb));
    }

    #[test]
    fn stream_interface_skips_garbage() {
        let mut a = FakeMem::new(4096);
        a.produce(&event(1));
        a.produce(&[0xff; 30]);
        let mut rings = [Snap(Ring::new(&mut a))];
        let mut m = crate::stream::Merger::new(0, 100);
        let mut seen = Vec::new();
        let st = m.drain_all(&mut rings, |_, e| seen.push(e.ts()));
        assert_eq!(seen, vec![1]);
        assert_eq!(st.malformed, 1);
        assert_eq!(a.tail(), a.head());
    }

    #[test]
    fn counters_follow_the_abi_layout() {
        let mut mem = FakeMem::new(4096);
        mem.info[1] = 100; // n_evts
        mem.info[2] = 7; // n_drops_buffer
        mem.info[3 + FALCON_DROP_OPEN_EXIT as usize] = 7;
        mem.info[13] = 2; // n_drops_pf
        mem.info[14] = 1; // n_preemptions
        let c = Ring::new(&mut mem).counters();
        assert_eq!(c.n_evts, 100);
        assert_eq!(c.n_drops_buffer, 7);
        assert_eq!(c.n_drops_buffer_cat[FALCON_DROP_OPEN_EXIT as usize], 7);
        assert_eq!(c.n_drops_pf, 2);
        assert_eq!(c.n_preemptions, 1);
        assert_eq!(
            std::mem::offset_of!(falcon_ring_info, n_drops_pf),
            104,
            "offsets used by RingCounters"
        );
    }
}
