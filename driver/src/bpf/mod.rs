//! The modern eBPF probe: load, configure, attach, and read its rings and
//! counters.
//!
//! The probe object is built by `driver/build.rs` from `driver/bpf/` and
//! embedded in the binary in two flavours: `tp_btf` programs (preferred) and
//! raw tracepoints (used when the kernel refuses the first). Loading goes
//! through libbpf (libbpf-rs), which performs the CO-RE relocations against
//! the running kernel's BTF.

mod load;
mod ring;

pub use load::{Flavour, Probe, ProbeConfig};
pub use ring::BpfRing;

use crate::abi::{FALCON_DROP_CATEGORIES, SYSCALL_TABLE};

/// Why the probe could not be brought up. Each variant names the step.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the kernel exposes no BTF (/sys/kernel/btf/vmlinux): the CO-RE probe needs it")]
    MissingBtf,
    #[error("this falcon was built without the eBPF probe (FALCON_SKIP_BPF=1)")]
    NotBuilt,
    #[error("opening the probe object failed: {0}")]
    Open(#[source] libbpf_rs::Error),
    #[error("the kernel refused to load the probe ({flavour}): {source}")]
    Load {
        flavour: &'static str,
        #[source]
        source: libbpf_rs::Error,
    },
    #[error("probe object has no map or program named {0}")]
    Missing(&'static str),
    #[error("setting up map {what} failed: {source}")]
    Map {
        what: String,
        #[source]
        source: libbpf_rs::Error,
    },
    #[error("creating the ring buffer of CPU {cpu} failed: {source}")]
    CreateRing {
        cpu: u32,
        #[source]
        source: libbpf_rs::Error,
    },
    #[error("mapping the ring buffer of CPU {cpu} failed: {source}")]
    MapRing {
        cpu: u32,
        #[source]
        source: std::io::Error,
    },
    #[error("attaching {program} failed: {source}")]
    Attach {
        program: &'static str,
        #[source]
        source: libbpf_rs::Error,
    },
    #[error("ring size {0} is not a power of two multiple of the page size")]
    BadRingSize(u64),
}

/// The probe's per-CPU counters (`struct falcon_bpf_counters`).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counters {
    pub n_evts: u64,
    pub n_drops_buffer: u64,
    pub n_drops_buffer_cat: [u64; FALCON_DROP_CATEGORIES as usize],
    pub n_drops_scratch: u64,
    pub n_drops_pf: u64,
    pub n_drops_max_event_size: u64,
}

impl Counters {
    /// Size of the kernel struct.
    pub const SIZE: usize = 8 * (2 + FALCON_DROP_CATEGORIES as usize + 3);

    /// Decodes the kernel struct (native endian u64s, in declaration order).
    pub fn from_bytes(b: &[u8]) -> Option<Self> {
        if b.len() < Self::SIZE {
            return None;
        }
        let u = |i: usize| u64::from_ne_bytes(b[i * 8..i * 8 + 8].try_into().unwrap_or([0; 8]));
        let mut c = Counters {
            n_evts: u(0),
            n_drops_buffer: u(1),
            ..Default::default()
        };
        let n = FALCON_DROP_CATEGORIES as usize;
        for k in 0..n {
            c.n_drops_buffer_cat[k] = u(2 + k);
        }
        c.n_drops_scratch = u(2 + n);
        c.n_drops_pf = u(3 + n);
        c.n_drops_max_event_size = u(4 + n);
        Some(c)
    }

    /// Every lost event, whatever the cause.
    pub fn drops(&self) -> u64 {
        self.n_drops_buffer + self.n_drops_scratch + self.n_drops_pf + self.n_drops_max_event_size
    }

    /// Adds another CPU's counters.
    pub fn add(&mut self, o: &Counters) {
        self.n_evts += o.n_evts;
        self.n_drops_buffer += o.n_drops_buffer;
        for (a, b) in self.n_drops_buffer_cat.iter_mut().zip(o.n_drops_buffer_cat) {
            *a += b;
        }
        self.n_drops_scratch += o.n_drops_scratch;
        self.n_drops_pf += o.n_drops_pf;
        self.n_drops_max_event_size += o.n_drops_max_event_size;
    }
}

/// Syscalls the state tracker needs whatever the rules say (like Falco's
/// default `base_syscalls`): process lineage, fds, cwd, users.
pub const STATE_SYSCALLS: &[&str] = &[
    "clone",
    "clone3",
    "fork",
    "vfork",
    "execve",
    "execveat",
    "open",
    "openat",
    "openat2",
    "creat",
    "open_by_handle_at",
    "close",
    "close_range",
    "dup",
    "dup2",
    "dup3",
    "fcntl",
    "socket",
    "socketpair",
    "bind",
    "connect",
    "accept",
    "accept4",
    "pipe",
    "pipe2",
    "eventfd",
    "eventfd2",
    "signalfd",
    "signalfd4",
    "timerfd_create",
    "inotify_init",
    "inotify_init1",
    "userfaultfd",
    "memfd_create",
    "epoll_create",
    "epoll_create1",
    "chdir",
    "fchdir",
    "chroot",
    "setuid",
    "setgid",
    "setreuid",
    "setregid",
    "setresuid",
    "setresgid",
    "capset",
    "prctl",
    "setsid",
    "setpgid",
];

/// Native numbers of the syscalls named (unknown names are skipped).
pub fn syscall_numbers<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<u32> {
    let mut v: Vec<u32> = names
        .into_iter()
        .filter_map(|n| SYSCALL_TABLE.iter().find(|s| s.name == n).map(|s| s.nr))
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Native numbers of every syscall in the table.
pub fn all_syscalls() -> Vec<u32> {
    SYSCALL_TABLE.iter().map(|s| s.nr).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_decode() {
        let mut b = vec![0u8; Counters::SIZE];
        for i in 0..Counters::SIZE / 8 {
            b[i * 8..i * 8 + 8].copy_from_slice(&(i as u64 + 1).to_ne_bytes());
        }
        let c = Counters::from_bytes(&b).unwrap();
        assert_eq!(c.n_evts, 1);
        assert_eq!(c.n_drops_buffer, 2);
        assert_eq!(c.n_drops_buffer_cat[9], 12);
        assert_eq!(c.n_drops_max_event_size, 15);
        assert_eq!(c.drops(), 2 + 13 + 14 + 15);
        assert!(Counters::from_bytes(&b[..10]).is_none());
    }

    #[test]
    fn state_syscalls_resolve() {
        let v = syscall_numbers(STATE_SYSCALLS.iter().copied());
        assert_eq!(v.len(), STATE_SYSCALLS.len());
        assert!(v.contains(&59) && v.contains(&257) && v.contains(&56));
    }
}
