//! Loading the probe: settings, per-CPU maps and rings, tail-call table,
//! syscalls of interest, attachment.

use std::collections::HashMap;
use std::ffi::CString;
use std::os::fd::AsFd;
use std::path::Path;

use libbpf_rs::{Link, MapCore, MapFlags, MapHandle, MapType, Object, ObjectBuilder, OpenObject};

use super::{BpfRing, Counters, Error};
use crate::abi::{
    FALCON_DEFAULT_RING_BYTES, FALCON_SNAPLEN_DEFAULT, FALCON_SNAPLEN_MAX,
    FALCON_SYSCALL_TABLE_SIZE, SYSCALL_TABLE,
};

static PROBE_TP_BTF: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/falcon.bpf.o"));
static PROBE_RAW_TP: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/falcon_raw.bpf.o"));

/// Programs attached to kernel hooks; the rest are tail-call targets.
const REQUIRED: &[&str] = &["sys_exit", "sched_exec", "sched_exit"];
/// Time-of-check enter tracepoints: attached when tracefs allows it.
const ENTER: &[&str] = &[
    "se_open",
    "se_openat",
    "se_openat2",
    "se_creat",
    "se_connect",
];

/// How to set the probe up.
#[derive(Debug, Clone)]
pub struct ProbeConfig {
    /// bytes of each per-CPU ring (power of two, page multiple)
    pub ring_bytes: u64,
    /// bytes of I/O buffers captured per event
    pub snaplen: u32,
    /// the probe forces a consumer wakeup past this ring fill
    pub wakeup_bytes: u64,
    /// native numbers of the syscalls to capture
    pub syscalls: Vec<u32>,
    /// process not to trace (the consumer itself); 0 = none
    pub self_tgid: u32,
    /// attach the open/connect enter tracepoints
    pub enter_events: bool,
    /// which program flavour to load
    pub flavour: Flavour,
}

/// The attach type of the probe's programs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Flavour {
    /// `tp_btf`, falling back to raw tracepoints if the kernel refuses it
    #[default]
    Auto,
    /// `tp_btf` only
    TpBtf,
    /// raw tracepoints only
    RawTp,
}

impl Default for ProbeConfig {
    fn default() -> Self {
        ProbeConfig {
            ring_bytes: FALCON_DEFAULT_RING_BYTES as u64,
            snaplen: FALCON_SNAPLEN_DEFAULT,
            wakeup_bytes: FALCON_DEFAULT_RING_BYTES as u64 / 4,
            syscalls: super::all_syscalls(),
            self_tgid: std::process::id(),
            enter_events: true,
            flavour: Flavour::Auto,
        }
    }
}

/// A loaded and attached probe. Dropping it detaches and unloads everything.
pub struct Probe {
    rings: Vec<BpfRing>,
    links: Vec<Link>,
    obj: Object,
    flavour: &'static str,
    warnings: Vec<String>,
    boot_time_ns: u64,
}

fn clock_ns(id: libc::clockid_t) -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: ts is a valid out-pointer; the clock ids used are always present.
    unsafe { libc::clock_gettime(id, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// Wall-clock time of boot, the base of event timestamps.
pub fn boot_time_ns() -> u64 {
    clock_ns(libc::CLOCK_REALTIME).saturating_sub(clock_ns(libc::CLOCK_BOOTTIME))
}

/// Mounts tracefs if it is not mounted (enter tracepoints need it).
fn ensure_tracefs() -> Result<(), String> {
    if Path::new("/sys/kernel/tracing/events").exists() {
        return Ok(());
    }
    let c = |s: &str| CString::new(s).unwrap_or_default();
    let (src, dst, ty) = (c("nodev"), c("/sys/kernel/tracing"), c("tracefs"));
    // SAFETY: all pointers are valid NUL-terminated strings; data is NULL.
    let rc = unsafe { libc::mount(src.as_ptr(), dst.as_ptr(), ty.as_ptr(), 0, std::ptr::null()) };
    if rc != 0 {
        return Err(format!(
            "tracefs is not mounted and mounting it failed: {}",
            std::io::Error::last_os_error()
        ));
    }
    Ok(())
}

/// Writes the `struct falcon_settings` of `driver/bpf/maps.h`.
fn write_settings(open: &mut OpenObject, cfg: &ProbeConfig, boot: u64) -> Result<(), Error> {
    let mut m = open
        .maps_mut()
        .find(|m| m.name().to_string_lossy().ends_with(".rodata.settings"))
        .ok_or(Error::Missing(".rodata.settings"))?;
    let v = m
        .initial_value_mut()
        .ok_or(Error::Missing(".rodata.settings"))?;
    if v.len() < 24 {
        return Err(Error::Missing(".rodata.settings"));
    }
    v[0..8].copy_from_slice(&boot.to_ne_bytes());
    v[8..16].copy_from_slice(&cfg.wakeup_bytes.to_ne_bytes());
    v[16..20].copy_from_slice(&cfg.self_tgid.to_ne_bytes());
    v[20..24].copy_from_slice(&cfg.snaplen.min(FALCON_SNAPLEN_MAX).to_ne_bytes());
    Ok(())
}

fn ring_handle(bytes: u64, cpu: u32) -> Result<MapHandle, Error> {
    let opts = libbpf_rs::libbpf_sys::bpf_map_create_opts {
        sz: size_of::<libbpf_rs::libbpf_sys::bpf_map_create_opts>() as _,
        ..Default::default()
    };
    MapHandle::create(
        MapType::RingBuf,
        Some(format!("falcon_rb{cpu}")),
        0,
        0,
        bytes as u32,
        &opts,
    )
    .map_err(|source| Error::CreateRing { cpu, source })
}

fn open_and_load(
    bytes: &[u8],
    flavour: &'static str,
    cfg: &ProbeConfig,
    ncpu: u32,
    boot: u64,
) -> Result<Object, Error> {
    let mut open = ObjectBuilder::default()
        .open_memory(bytes)
        .map_err(Error::Open)?;
    write_settings(&mut open, cfg, boot)?;
    let template = ring_handle(cfg.ring_bytes, 0)?;
    for mut m in open.maps_mut() {
        let name = m.name().to_string_lossy().into_owned();
        let res = match name.as_str() {
            "ringbufs" => m
                .set_max_entries(ncpu)
                .and_then(|_| m.set_inner_map_fd(template.as_fd())),
            "counters" | "scratch_map" => m.set_max_entries(ncpu),
            _ => Ok(()),
        };
        res.map_err(|source| Error::Map { what: name, source })?;
    }
    open.load()
        .map_err(|source| Error::Load { flavour, source })
}

impl Probe {
    /// Loads, configures and attaches the probe.
    pub fn load(cfg: &ProbeConfig) -> Result<Probe, Error> {
        if !Path::new("/sys/kernel/btf/vmlinux").exists() {
            return Err(Error::MissingBtf);
        }
        if PROBE_TP_BTF.is_empty() {
            return Err(Error::NotBuilt);
        }
        let rb = cfg.ring_bytes;
        if !rb.is_power_of_two() || !(4096..=(1 << 30)).contains(&rb) {
            return Err(Error::BadRingSize(rb));
        }
        let ncpu = libbpf_rs::num_possible_cpus().map_err(Error::Open)? as u32;
        let boot = boot_time_ns();
        let mut warnings = Vec::new();
        let raw = || open_and_load(PROBE_RAW_TP, "raw_tp", cfg, ncpu, boot);
        let btf = || open_and_load(PROBE_TP_BTF, "tp_btf", cfg, ncpu, boot);
        let (obj, flavour) = match cfg.flavour {
            Flavour::RawTp => (raw()?, "raw_tp"),
            Flavour::TpBtf => (btf()?, "tp_btf"),
            Flavour::Auto => match btf() {
                Ok(o) => (o, "tp_btf"),
                Err(first) => {
                    warnings.push(format!("{first}; falling back to raw tracepoints"));
                    (raw()?, "raw_tp")
                }
            },
        };

        let mut rings = Vec::with_capacity(ncpu as usize);
        {
            let outer = obj
                .maps()
                .find(|m| m.name() == "ringbufs")
                .ok_or(Error::Missing("ringbufs"))?;
            for cpu in 0..ncpu {
                let h = ring_handle(rb, cpu)?;
                let fd = h.as_fd();
                use std::os::fd::AsRawFd;
                let raw = fd.as_raw_fd() as u32;
                outer
                    .update(&cpu.to_ne_bytes(), &raw.to_ne_bytes(), MapFlags::ANY)
                    .map_err(|source| Error::Map {
                        what: format!("ringbufs[{cpu}]"),
                        source,
                    })?;
                rings.push(
                    BpfRing::new(h, rb as usize)
                        .map_err(|source| Error::MapRing { cpu, source })?,
                );
            }
        }

        // tail-call table: sx_<syscall> for every syscall that has one
        {
            let progs: HashMap<String, i32> = obj
                .progs()
                .map(|p| {
                    use std::os::fd::AsRawFd;
                    (
                        p.name().to_string_lossy().into_owned(),
                        p.as_fd().as_raw_fd(),
                    )
                })
                .collect();
            let table = obj
                .maps()
                .find(|m| m.name() == "sys_exit_progs")
                .ok_or(Error::Missing("sys_exit_progs"))?;
            for s in SYSCALL_TABLE.iter() {
                let Some(fd) = progs.get(&format!("sx_{}", s.name)) else {
                    continue;
                };
                table
                    .update(
                        &s.nr.to_ne_bytes(),
                        &(*fd as u32).to_ne_bytes(),
                        MapFlags::ANY,
                    )
                    .map_err(|source| Error::Map {
                        what: format!("sys_exit_progs[{}]", s.name),
                        source,
                    })?;
            }
        }

        let mut probe = Probe {
            rings,
            links: Vec::new(),
            obj,
            flavour,
            warnings,
            boot_time_ns: boot,
        };
        probe.set_interest(&cfg.syscalls)?;
        probe.attach(cfg.enter_events)?;
        Ok(probe)
    }

    fn attach(&mut self, enter: bool) -> Result<(), Error> {
        for &name in REQUIRED {
            let p = self
                .obj
                .progs_mut()
                .find(|p| p.name() == name)
                .ok_or(Error::Missing(name))?;
            let link = p.attach().map_err(|source| Error::Attach {
                program: name,
                source,
            })?;
            self.links.push(link);
        }
        if !enter {
            return Ok(());
        }
        if let Err(w) = ensure_tracefs() {
            self.warnings
                .push(format!("{w}; open/connect enter events are off"));
            return Ok(());
        }
        for &name in ENTER {
            let Some(p) = self.obj.progs_mut().find(|p| p.name() == name) else {
                continue;
            };
            match p.attach() {
                Ok(l) => self.links.push(l),
                Err(e) => self
                    .warnings
                    .push(format!("the kernel refused tracepoint program {name}: {e}")),
            }
        }
        Ok(())
    }

    /// Replaces the set of syscalls captured (native numbers).
    pub fn set_interest(&self, syscalls: &[u32]) -> Result<(), Error> {
        let map = self
            .obj
            .maps()
            .find(|m| m.name() == "interesting")
            .ok_or(Error::Missing("interesting"))?;
        let mut on = [0u8; FALCON_SYSCALL_TABLE_SIZE as usize];
        for &nr in syscalls {
            if let Some(slot) = on.get_mut(nr as usize) {
                *slot = 1;
            }
        }
        let keys: Vec<u8> = (0..FALCON_SYSCALL_TABLE_SIZE)
            .flat_map(|k| k.to_ne_bytes())
            .collect();
        map.update_batch(
            &keys,
            &on,
            FALCON_SYSCALL_TABLE_SIZE,
            MapFlags::ANY,
            MapFlags::ANY,
        )
        .or_else(|_| {
            for (k, v) in on.iter().enumerate() {
                map.update(&(k as u32).to_ne_bytes(), &[*v], MapFlags::ANY)?;
            }
            Ok(())
        })
        .map_err(|source| Error::Map {
            what: "interesting".into(),
            source,
        })
    }

    /// Counters of every CPU, in CPU order.
    pub fn counters(&self) -> Result<Vec<Counters>, Error> {
        let map = self
            .obj
            .maps()
            .find(|m| m.name() == "counters")
            .ok_or(Error::Missing("counters"))?;
        let mut v = Vec::with_capacity(self.rings.len());
        for cpu in 0..self.rings.len() as u32 {
            let b = map
                .lookup(&cpu.to_ne_bytes(), MapFlags::ANY)
                .map_err(|source| Error::Map {
                    what: "counters".into(),
                    source,
                })?
                .unwrap_or_default();
            v.push(Counters::from_bytes(&b).unwrap_or_default());
        }
        Ok(v)
    }

    /// The per-CPU rings, for draining.
    pub fn rings_mut(&mut self) -> &mut [BpfRing] {
        &mut self.rings
    }

    /// The per-CPU rings, for polling their fds.
    pub fn rings(&self) -> &[BpfRing] {
        &self.rings
    }

    /// `tp_btf` or `raw_tp`.
    pub fn flavour(&self) -> &'static str {
        self.flavour
    }

    /// What did not come up (refused program types, missing tracefs).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Wall-clock time of boot used for event timestamps.
    pub fn boot_time_ns(&self) -> u64 {
        self.boot_time_ns
    }

    /// Current time on the clock of event timestamps.
    pub fn now_ns(&self) -> u64 {
        self.boot_time_ns + clock_ns(libc::CLOCK_BOOTTIME)
    }
}
