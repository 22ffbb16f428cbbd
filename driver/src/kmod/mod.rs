//! Event source for falcon's kernel module (`falcon.ko`).
//!
//! The module exposes one device per possible CPU, `/dev/falcon0..N-1`.
//! [`KmodSource::open`] opens every one (the module accepts one consumer
//! process: another gets `EBUSY`), checks the API and schema versions,
//! maps each ring (info page read-write, data twice read-only), sets the
//! syscalls of interest and the snaplen, and starts the capture.
//! [`KmodSource::drain`] then hands out the events of every ring in
//! batches, zero-copy; the tail of a ring is published once per batch.
//!
//! Events of one CPU are in timestamp order; across CPUs they are not
//! merged here (that is the stream's job).
//!
//! For the engine (`engine.kind: kmod` / `auto`):
//! - `auto`: [`KmodSource::available`] says whether `/dev/falcon0` exists.
//! - open: [`KmodSource::open`] with [`KmodOptions`] built from the syscalls
//!   of interest (native x86_64 numbers, as for `bpf::ProbeConfig`), the
//!   snaplen and `engine.kmod` buffer size (`ring_bytes`). The module drops
//!   the consumer's own syscalls itself (like `self_tgid` in the probe).
//! - loop: the module has no poll/wakeup support, so drain on the loop's
//!   timeout (like the eBPF rings between wakeups): pass
//!   [`KmodSource::rings_mut`] to `stream::Merger::drain` (each `KmodRing`
//!   is a `stream::Ring`). Timestamps are CLOCK_REALTIME ns, the same clock
//!   as the probe's, so `now_ns` is the wall clock.
//! - counters: [`KmodSource::stats`]`().rings[cpu]` has `n_evts`,
//!   `n_drops_buffer` (+ by category), `n_drops_pf` and `n_preemptions`;
//!   `n_evts` includes the drops.
//! - shutdown: [`KmodSource::stop`], a last `Merger::drain_all`, drop.

mod ring;
mod sys;

use std::fs;
use std::io;
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};

use crate::abi::{
    self, FALCON_IOCTL_NR_DISABLE_CAPTURE, FALCON_IOCTL_NR_ENABLE_CAPTURE,
    FALCON_IOCTL_NR_ENABLE_SYSCALL, FALCON_IOCTL_NR_GET_API_VERSION,
    FALCON_IOCTL_NR_GET_SCHEMA_VERSION, FALCON_IOCTL_NR_SET_SNAPLEN, FALCON_SYSCALL_TABLE_SIZE,
};
use crate::event::Event;
use crate::stream;
use ring::{Ring, RingMem};
pub use ring::{RingCounters, RingError};

/// Where the module's ring size is read (and written, when asked).
pub const RING_BYTES_PARAM: &str = "/sys/module/falcon/parameters/ring_bytes";

/// Device name prefix (`FALCON_DEVICE_NAME` in the ABI header).
pub const DEVICE_PREFIX: &str = "falcon";

/// Why the kernel-module source could not be opened or read.
#[derive(Debug, thiserror::Error)]
pub enum KmodError {
    #[error("no {dir}/falcon0: is falcon.ko loaded? (modprobe falcon)")]
    NoDevices { dir: String },
    #[error("cannot open {path}: {source}")]
    OpenDevice { path: PathBuf, source: io::Error },
    #[error("{path} is in use by another consumer (only one may capture)")]
    Busy { path: PathBuf },
    #[error("ioctl {request:#x} on {path}: {source}")]
    Ioctl {
        path: PathBuf,
        request: u64,
        source: io::Error,
    },
    #[error(
        "{path}: driver {what} version {found} is not compatible with {wanted} (same major, minor at least)"
    )]
    Version {
        path: PathBuf,
        what: &'static str,
        found: String,
        wanted: String,
    },
    #[error("cannot read or set the ring size in {path}: {source}")]
    RingSize { path: PathBuf, source: io::Error },
    #[error("ring size {0} is not a power of two above two pages")]
    BadRingSize(u64),
    #[error("cannot map {what} of {path}: {source}")]
    Mmap {
        path: PathBuf,
        what: &'static str,
        source: io::Error,
    },
    #[error("syscall {0} is outside the syscall table")]
    BadSyscall(u32),
}

/// What to capture.
#[derive(Debug, Clone)]
pub struct KmodOptions {
    /// Directory holding the device nodes (normally `/dev`).
    pub dev_dir: PathBuf,
    /// Native syscall numbers of interest; an empty list means every
    /// syscall in the table.
    pub syscalls: Vec<u32>,
    /// Bytes of read/write data kept per event (default 80).
    pub snaplen: u32,
    /// Ring size to set before opening (a power of two); `None` keeps the
    /// module's current `ring_bytes`.
    pub ring_bytes: Option<u64>,
}

impl Default for KmodOptions {
    fn default() -> Self {
        KmodOptions {
            dev_dir: PathBuf::from("/dev"),
            syscalls: Vec::new(),
            snaplen: abi::FALCON_SNAPLEN_DEFAULT,
            ring_bytes: None,
        }
    }
}

/// Counters of the whole source.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct KmodStats {
    /// Kernel counters per ring (index = device number = CPU).
    pub rings: Vec<RingCounters>,
    /// Events handed to the callback, per ring.
    pub delivered: Vec<u64>,
    /// Malformed batches skipped (and the ring resynchronised), per ring.
    pub bad_batches: Vec<u64>,
}

impl KmodStats {
    /// Sum of the kernel's buffer-full drops.
    pub fn drops(&self) -> u64 {
        self.rings.iter().map(|r| r.n_drops_buffer).sum()
    }
    /// Sum of events the kernel tried to write.
    pub fn kernel_events(&self) -> u64 {
        self.rings.iter().map(|r| r.n_evts).sum()
    }
    /// Sum of events delivered.
    pub fn delivered_total(&self) -> u64 {
        self.delivered.iter().sum()
    }
}

/// Maps of one device. The fd outlives both mappings (field order).
struct DeviceMem {
    info: sys::Mapping,
    data: sys::Mapping,
    size: u32,
}

// SAFETY: `info` maps the whole info page (>= 128 bytes, read-write) and
// `data` exactly 2 * size bytes of the kernel's double mapping, both for
// as long as the value lives.
unsafe impl RingMem for DeviceMem {
    fn info(&self) -> *mut u8 {
        self.info.as_ptr()
    }
    fn data(&self) -> *const u8 {
        debug_assert_eq!(self.data.len(), 2 * self.size as usize);
        self.data.as_ptr()
    }
    fn size(&self) -> u32 {
        self.size
    }
}

/// One CPU's ring of the module. It implements [`stream::Ring`], so a
/// [`stream::Merger`] can merge the rings of a [`KmodSource`]
/// ([`KmodSource::rings_mut`]) like the eBPF rings.
pub struct KmodRing {
    ring: Ring<DeviceMem>,
    fd: OwnedFd,
    path: PathBuf,
    delivered: u64,
    bad_batches: u64,
    last_error: Option<RingError>,
}

/// The open kernel-module capture: every CPU's ring.
pub struct KmodSource {
    devices: Vec<KmodRing>,
}

impl std::fmt::Debug for KmodSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KmodSource")
            .field("rings", &self.devices.len())
            .finish()
    }
}

fn device_path(dir: &Path, i: usize) -> PathBuf {
    dir.join(format!("{DEVICE_PREFIX}{i}"))
}

fn version_ok(found: u64, wanted: u64) -> bool {
    let (fm, fi, fp) = abi::unpack_version(found);
    let (wm, wi, wp) = abi::unpack_version(wanted);
    fm == wm && (fi, fp) >= (wi, wp)
}

fn version_str(v: u64) -> String {
    let (a, b, c) = abi::unpack_version(v);
    format!("{a}.{b}.{c}")
}

fn ioctl(dev: &OwnedFd, path: &Path, nr: u32, arg: u64) -> Result<i64, KmodError> {
    let request = abi::ioctl_request(nr);
    sys::ioctl_arg(dev, request, arg).map_err(|source| KmodError::Ioctl {
        path: path.to_owned(),
        request,
        source,
    })
}

fn get_version(dev: &OwnedFd, path: &Path, nr: u32) -> Result<u64, KmodError> {
    let request = abi::ioctl_request(nr);
    sys::ioctl_get_u64(dev, request).map_err(|source| KmodError::Ioctl {
        path: path.to_owned(),
        request,
        source,
    })
}

fn ring_bytes(param: &Path, set: Option<u64>) -> Result<u64, KmodError> {
    let err = |source| KmodError::RingSize {
        path: param.to_owned(),
        source,
    };
    if let Some(v) = set {
        if !v.is_power_of_two() || v <= 2 * sys::page_size() as u64 || v > u32::MAX as u64 {
            return Err(KmodError::BadRingSize(v));
        }
        fs::write(param, v.to_string()).map_err(err)?;
    }
    let s = fs::read_to_string(param).map_err(err)?;
    let v: u64 = s.trim().parse().map_err(|_| {
        err(io::Error::new(
            io::ErrorKind::InvalidData,
            s.trim().to_owned(),
        ))
    })?;
    if !v.is_power_of_two() || v > u32::MAX as u64 {
        return Err(KmodError::BadRingSize(v));
    }
    Ok(v)
}

impl KmodSource {
    /// True when the module's devices exist under `dev_dir`.
    pub fn available(dev_dir: &Path) -> bool {
        device_path(dev_dir, 0).exists()
    }

    /// Opens every ring, checks versions, sets the mask and snaplen, and
    /// starts the capture.
    pub fn open(opts: &KmodOptions) -> Result<Self, KmodError> {
        Self::open_with_param(opts, Path::new(RING_BYTES_PARAM))
    }

    fn open_with_param(opts: &KmodOptions, param: &Path) -> Result<Self, KmodError> {
        if !Self::available(&opts.dev_dir) {
            return Err(KmodError::NoDevices {
                dir: opts.dev_dir.display().to_string(),
            });
        }
        for &nr in &opts.syscalls {
            if nr >= FALCON_SYSCALL_TABLE_SIZE {
                return Err(KmodError::BadSyscall(nr));
            }
        }
        let size = ring_bytes(param, opts.ring_bytes)? as u32;
        let mut devices = Vec::new();
        for i in 0.. {
            let path = device_path(&opts.dev_dir, i);
            if !path.exists() {
                break;
            }
            devices.push(Self::open_device(path, size)?);
        }
        let src = KmodSource { devices };
        let first = &src.devices[0];
        let all: Vec<u32>;
        let syscalls = if opts.syscalls.is_empty() {
            all = abi::SYSCALL_TABLE.iter().map(|s| s.nr).collect();
            &all
        } else {
            &opts.syscalls
        };
        for &nr in syscalls {
            ioctl(
                &first.fd,
                &first.path,
                FALCON_IOCTL_NR_ENABLE_SYSCALL,
                nr as u64,
            )?;
        }
        ioctl(
            &first.fd,
            &first.path,
            FALCON_IOCTL_NR_SET_SNAPLEN,
            opts.snaplen as u64,
        )?;
        ioctl(&first.fd, &first.path, FALCON_IOCTL_NR_ENABLE_CAPTURE, 0)?;
        Ok(src)
    }

    fn open_device(path: PathBuf, size: u32) -> Result<KmodRing, KmodError> {
        let fd = sys::open_device(&path).map_err(|source| {
            if source.raw_os_error() == Some(libc::EBUSY) {
                KmodError::Busy { path: path.clone() }
            } else {
                KmodError::OpenDevice {
                    path: path.clone(),
                    source,
                }
            }
        })?;
        let api = get_version(&fd, &path, FALCON_IOCTL_NR_GET_API_VERSION)?;
        if !version_ok(api, abi::API_VERSION) {
            return Err(KmodError::Version {
                path,
                what: "API",
                found: version_str(api),
                wanted: version_str(abi::API_VERSION),
            });
        }
        let schema = get_version(&fd, &path, FALCON_IOCTL_NR_GET_SCHEMA_VERSION)?;
        if !version_ok(schema, abi::SCHEMA_VERSION) {
            return Err(KmodError::Version {
                path,
                what: "schema",
                found: version_str(schema),
                wanted: version_str(abi::SCHEMA_VERSION),
            });
        }
        let map = |len, writable, what| {
            sys::Mapping::new(&fd, len, writable).map_err(|source| KmodError::Mmap {
                path: path.clone(),
                what,
                source,
            })
        };
        let data = map(2 * size as usize, false, "the data pages")?;
        let info = map(sys::page_size(), true, "the info page")?;
        Ok(KmodRing {
            ring: Ring::new(DeviceMem { info, data, size }),
            fd,
            path,
            delivered: 0,
            bad_batches: 0,
            last_error: None,
        })
    }

    /// The rings, for a [`stream::Merger`] (index = CPU). Events taken
    /// this way are not counted in [`KmodStats::delivered`].
    pub fn rings_mut(&mut self) -> &mut [KmodRing] {
        &mut self.devices
    }

    /// Number of rings (one per possible CPU).
    pub fn rings(&self) -> usize {
        self.devices.len()
    }

    /// Hands every available event of every ring to `f(cpu, event)`, one
    /// batch per ring. Returns how many events were delivered. Malformed
    /// data skips the rest of that ring's batch and is counted in
    /// [`KmodStats::bad_batches`] (see [`KmodSource::last_error`]).
    pub fn drain(&mut self, f: &mut dyn FnMut(usize, Event<'_>)) -> u64 {
        let mut total = 0;
        for (cpu, d) in self.devices.iter_mut().enumerate() {
            let mut cb = |e: Event<'_>| f(cpu, e);
            match d.ring.drain(&mut cb) {
                Ok(n) => {
                    d.delivered += n;
                    total += n;
                }
                Err(e) => {
                    d.bad_batches += 1;
                    d.last_error = Some(e);
                }
            }
        }
        total
    }

    /// Bytes waiting in all rings.
    pub fn pending(&self) -> u64 {
        self.devices.iter().map(|d| d.ring.pending() as u64).sum()
    }

    /// The last malformed-batch error of any ring.
    pub fn last_error(&self) -> Option<&RingError> {
        self.devices
            .iter()
            .rev()
            .find_map(|d| d.last_error.as_ref())
    }

    /// Kernel and delivery counters.
    pub fn stats(&self) -> KmodStats {
        KmodStats {
            rings: self.devices.iter().map(|d| d.ring.counters()).collect(),
            delivered: self.devices.iter().map(|d| d.delivered).collect(),
            bad_batches: self.devices.iter().map(|d| d.bad_batches).collect(),
        }
    }

    /// Stops producing events (the rings stay mapped and readable).
    pub fn stop(&self) -> Result<(), KmodError> {
        let d = &self.devices[0];
        ioctl(&d.fd, &d.path, FALCON_IOCTL_NR_DISABLE_CAPTURE, 0).map(|_| ())
    }

    /// Runs an integer ioctl on the first device (e.g. enabling or
    /// disabling one syscall while capturing).
    pub fn ioctl(&self, nr: u32, arg: u64) -> Result<i64, KmodError> {
        let d = &self.devices[0];
        ioctl(&d.fd, &d.path, nr, arg)
    }
}

impl std::fmt::Debug for KmodRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KmodRing")
            .field("path", &self.path)
            .finish()
    }
}

impl stream::Ring for KmodRing {
    fn begin(&mut self) {
        self.ring.snap_begin()
    }
    fn peek(&self) -> Option<&[u8]> {
        self.ring.snap_peek()
    }
    fn advance(&mut self) {
        self.ring.snap_advance()
    }
    fn last_ts(&self) -> Option<u64> {
        self.ring.snap_last_ts()
    }
    fn commit(&mut self) {
        self.ring.snap_commit()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_prefix_matches_the_abi() {
        assert_eq!(&abi::FALCON_DEVICE_NAME[..6], DEVICE_PREFIX.as_bytes());
    }

    #[test]
    fn version_rule() {
        let v = abi::pack_version;
        assert!(version_ok(v(1, 0, 0), v(1, 0, 0)));
        assert!(version_ok(v(1, 2, 0), v(1, 1, 5)));
        assert!(!version_ok(v(1, 0, 9), v(1, 1, 0)));
        assert!(!version_ok(v(2, 0, 0), v(1, 0, 0)));
        assert_eq!(version_str(abi::SCHEMA_VERSION), "4.5.1");
    }

    #[test]
    fn missing_module_is_a_clear_error() {
        let dir = std::env::temp_dir().join("falcon-kmod-test-nodev");
        let _ = fs::create_dir_all(&dir);
        let opts = KmodOptions {
            dev_dir: dir.clone(),
            ..KmodOptions::default()
        };
        let e = KmodSource::open(&opts).unwrap_err();
        assert!(matches!(e, KmodError::NoDevices { .. }));
        assert!(e.to_string().contains("falcon.ko"));
    }

    #[test]
    fn ring_size_param_is_validated() {
        let dir = std::env::temp_dir().join(format!("falcon-kmod-param-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let p = dir.join("ring_bytes");
        fs::write(&p, "8388608\n").unwrap();
        assert_eq!(ring_bytes(&p, None).unwrap(), 8 << 20);
        assert_eq!(ring_bytes(&p, Some(1 << 16)).unwrap(), 1 << 16);
        assert!(matches!(
            ring_bytes(&p, Some(3000)),
            Err(KmodError::BadRingSize(3000))
        ));
        fs::write(&p, "garbage").unwrap();
        assert!(matches!(
            ring_bytes(&p, None),
            Err(KmodError::RingSize { .. })
        ));
        let _ = fs::remove_dir_all(&dir);
    }
}
