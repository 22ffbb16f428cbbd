//! Consumer side of one BPF ring buffer (`BPF_MAP_TYPE_RINGBUF`), mapped
//! directly so records are read in place and the consumer position is
//! published once per batch, not once per record.
//!
//! Kernel layout (`kernel/bpf/ringbuf.c`, `bpf_ringbuf_mmap` and
//! `bpf_ringbuf_commit`): page 0 holds `consumer_pos` (user writable);
//! page 1 holds `producer_pos`, followed by the data pages, mapped twice in a
//! row so a record that wraps is still contiguous. Each record starts with
//! an 8-byte header whose first u32 is the length with `BUSY` (not yet
//! committed) and `DISCARD` bits; records are 8-byte aligned.

use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};

use libbpf_rs::MapHandle;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use crate::stream::Ring;

const BUSY_BIT: u32 = 1 << 31;
const DISCARD_BIT: u32 = 1 << 30;
const REC_HDR: u64 = 8;

/// A shared memory mapping, unmapped on drop.
struct Mmap {
    ptr: NonNull<u8>,
    len: usize,
}

impl Mmap {
    fn new(fd: BorrowedFd<'_>, len: usize, prot: i32, offset: i64) -> io::Result<Self> {
        // SAFETY: a fresh shared mapping of `len` bytes of the ring fd; the
        // kernel checks offset/len against the ring and fails otherwise.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                prot,
                libc::MAP_SHARED,
                fd.as_raw_fd(),
                offset,
            )
        };
        if p == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        Ok(Mmap {
            ptr: NonNull::new(p.cast()).ok_or_else(|| io::Error::other("mmap returned NULL"))?,
            len,
        })
    }
}

impl Drop for Mmap {
    fn drop(&mut self) {
        // SAFETY: ptr/len are exactly what mmap returned; nothing borrows the
        // mapping any more (borrows are tied to the owning BpfRing).
        unsafe {
            libc::munmap(self.ptr.as_ptr().cast(), self.len);
        }
    }
}

// SAFETY: the mapping is plain shared memory; all concurrent access goes
// through atomics (positions, record headers) or reads of committed records.
unsafe impl Send for Mmap {}

/// One mapped ring: the records between the consumer and producer positions
/// are read in place; `commit` hands them back to the kernel.
pub struct BpfRing {
    cons: Mmap,
    prod: Mmap,
    mask: u64,
    /// consumer position published to the kernel
    published: u64,
    /// local cursor: next record to hand out
    pos: u64,
    /// producer position snapshot taken by `begin`
    end: u64,
    last_ts: Option<u64>,
    map: MapHandle,
}

impl BpfRing {
    /// Maps the ring buffer `map`, whose data area is `size` bytes (a power
    /// of two multiple of the page size).
    pub fn new(map: MapHandle, size: usize) -> io::Result<Self> {
        let fd = map.as_fd();
        // SAFETY: sysconf has no preconditions.
        let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as usize;
        let cons = Mmap::new(fd, page, libc::PROT_READ | libc::PROT_WRITE, 0)?;
        let prod = Mmap::new(fd, page + 2 * size, libc::PROT_READ, page as i64)?;
        let mut r = BpfRing {
            cons,
            prod,
            mask: size as u64 - 1,
            published: 0,
            pos: 0,
            end: 0,
            last_ts: None,
            map,
        };
        r.published = r.consumer_pos().load(Ordering::Acquire);
        r.pos = r.published;
        r.end = r.published;
        Ok(r)
    }

    fn consumer_pos(&self) -> &AtomicU64 {
        // SAFETY: page 0 of the ring starts with the u64 consumer position,
        // page-aligned, valid while `self.cons` is mapped.
        unsafe { &*(self.cons.ptr.as_ptr() as *const AtomicU64) }
    }

    fn producer_pos(&self) -> &AtomicU64 {
        // SAFETY: the read-only mapping starts with the u64 producer position.
        unsafe { &*(self.prod.ptr.as_ptr() as *const AtomicU64) }
    }

    fn page(&self) -> usize {
        self.prod.len - 2 * (self.mask as usize + 1)
    }

    fn data(&self) -> *const u8 {
        // SAFETY: data pages follow the producer page inside the mapping.
        unsafe { self.prod.ptr.as_ptr().add(self.page()) }
    }

    /// Record header at logical position `pos`: (length word).
    fn header(&self, pos: u64) -> u32 {
        let off = (pos & self.mask) as usize;
        // SAFETY: off < size and headers are 8-aligned inside the data area;
        // the kernel publishes the header with a release store when it
        // commits (`bpf_ringbuf_commit`), paired with this acquire load.
        unsafe { (*(self.data().add(off) as *const AtomicU32)).load(Ordering::Acquire) }
    }

    fn record(&self, pos: u64, len: u32) -> &[u8] {
        let off = ((pos + REC_HDR) & self.mask) as usize;
        // SAFETY: the data area is mapped twice back to back, so any record
        // of at most `size` bytes starting below `size` is contiguous; the
        // record is committed (header checked) and stays put until the
        // consumer position passes it, which only `commit` does.
        unsafe { std::slice::from_raw_parts(self.data().add(off), len as usize) }
    }

    /// Bytes waiting in the ring (committed or not).
    pub fn pending_bytes(&self) -> u64 {
        self.producer_pos().load(Ordering::Acquire) - self.published
    }
}

fn round8(n: u64) -> u64 {
    (n + 7) & !7
}

fn event_ts(rec: &[u8]) -> Option<u64> {
    rec.get(..8)
        .map(|b| u64::from_le_bytes(b.try_into().unwrap_or([0; 8])))
}

impl Ring for BpfRing {
    fn begin(&mut self) {
        let prod = self.producer_pos().load(Ordering::Acquire);
        let mut p = self.pos;
        let mut last = None;
        while p < prod {
            let h = self.header(p);
            if h & BUSY_BIT != 0 {
                break;
            }
            let len = h & !(BUSY_BIT | DISCARD_BIT);
            if h & DISCARD_BIT == 0 {
                last = event_ts(self.record(p, len)).or(last);
            }
            p += round8(len as u64 + REC_HDR);
        }
        self.end = p;
        self.last_ts = last;
        self.skip_discarded();
    }

    fn peek(&self) -> Option<&[u8]> {
        if self.pos >= self.end {
            return None;
        }
        let h = self.header(self.pos);
        Some(self.record(self.pos, h & !(BUSY_BIT | DISCARD_BIT)))
    }

    fn advance(&mut self) {
        if self.pos < self.end {
            let len = self.header(self.pos) & !(BUSY_BIT | DISCARD_BIT);
            self.pos += round8(len as u64 + REC_HDR);
            self.skip_discarded();
        }
    }

    fn last_ts(&self) -> Option<u64> {
        self.last_ts
    }

    fn commit(&mut self) {
        if self.pos != self.published {
            // Release: our reads of the records happen before the kernel may
            // reuse their space (`__bpf_ringbuf_reserve` reads consumer_pos
            // with smp_load_acquire).
            self.consumer_pos().store(self.pos, Ordering::Release);
            self.published = self.pos;
        }
    }
}

impl BpfRing {
    fn skip_discarded(&mut self) {
        while self.pos < self.end {
            let h = self.header(self.pos);
            if h & DISCARD_BIT == 0 {
                break;
            }
            self.pos += round8((h & !(BUSY_BIT | DISCARD_BIT)) as u64 + REC_HDR);
        }
    }
}

/// The ring's fd: readable (epoll) when the probe forced a wakeup.
impl AsFd for BpfRing {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.map.as_fd()
    }
}
