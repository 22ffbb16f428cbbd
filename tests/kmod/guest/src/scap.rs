//! A minimal consumer for Debian's falcosecurity-scap-dkms driver (the
//! 2022 scap module), used as the overhead baseline: it opens
//! /dev/scap0..N-1, maps each 8 MiB ring (info page read-write, data twice
//! read-only), enables capture on every ring (ioctl 's' 1) and discards
//! whatever arrives by moving tail to head.

use std::fs::File;
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicU32, Ordering};

const RING: usize = 8 * 1024 * 1024;
const ENABLE_CAPTURE: u64 = 0x7301;

pub struct ScapRing {
    _f: File,
    info: *mut u8,
    data: *mut libc::c_void,
}

impl ScapRing {
    fn head(&self) -> &AtomicU32 {
        // SAFETY: offset 0 of the mapped info page is the u32 head.
        unsafe { &*(self.info as *const AtomicU32) }
    }
    fn tail(&self) -> &AtomicU32 {
        // SAFETY: offset 4 of the mapped info page is the u32 tail.
        unsafe { &*(self.info.add(4) as *const AtomicU32) }
    }
    /// Discards what is in the ring; returns the bytes discarded.
    pub fn discard(&self) -> u64 {
        let h = self.head().load(Ordering::Acquire);
        let t = self.tail().load(Ordering::Relaxed);
        self.tail().store(h, Ordering::Release);
        (h.wrapping_sub(t) as usize % RING) as u64
    }
    /// (n_evts, n_drops_buffer) of the 2022 info layout.
    pub fn counters(&self) -> (u64, u64) {
        // SAFETY: the 2022 info struct has n_evts at 8 and n_drops_buffer at 16.
        unsafe {
            (
                std::ptr::read_volatile(self.info.add(8) as *const u64),
                std::ptr::read_volatile(self.info.add(16) as *const u64),
            )
        }
    }
}

impl Drop for ScapRing {
    fn drop(&mut self) {
        // SAFETY: unmapping exactly what open() mapped.
        unsafe {
            libc::munmap(self.info.cast(), 4096);
            libc::munmap(self.data, 2 * RING);
        }
    }
}

// SAFETY: the mappings are plain shared memory accessed atomically.
unsafe impl Send for ScapRing {}

pub fn open() -> Result<Vec<ScapRing>, String> {
    let mut rings = Vec::new();
    for i in 0.. {
        let path = format!("/dev/scap{i}");
        if !std::path::Path::new(&path).exists() {
            break;
        }
        let f = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .map_err(|e| format!("{path}: {e}"))?;
        let fd = f.as_raw_fd();
        // SAFETY: fresh shared mappings of the device, checked below.
        let (data, info) = unsafe {
            (
                libc::mmap(
                    std::ptr::null_mut(),
                    2 * RING,
                    libc::PROT_READ,
                    libc::MAP_SHARED,
                    fd,
                    0,
                ),
                libc::mmap(
                    std::ptr::null_mut(),
                    4096,
                    libc::PROT_READ | libc::PROT_WRITE,
                    libc::MAP_SHARED,
                    fd,
                    0,
                ),
            )
        };
        if data == libc::MAP_FAILED || info == libc::MAP_FAILED {
            return Err(format!("{path}: mmap: {}", std::io::Error::last_os_error()));
        }
        // SAFETY: an integer ioctl.
        if unsafe { libc::ioctl(fd, ENABLE_CAPTURE as _, 0) } < 0 {
            return Err(format!(
                "{path}: enable capture: {}",
                std::io::Error::last_os_error()
            ));
        }
        rings.push(ScapRing {
            _f: f,
            info: info.cast(),
            data,
        });
    }
    if rings.is_empty() {
        return Err("no /dev/scap0: scap.ko not loaded".into());
    }
    Ok(rings)
}
