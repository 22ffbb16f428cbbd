//! Raw syscalls, CPU pinning and CPU-time measurement for the guest checks.

use std::ffi::CString;
use std::time::{Duration, Instant};

use falcon_driver::event::Event;
use falcon_driver::kmod::KmodSource;

pub fn cstr(s: &str) -> CString {
    CString::new(s).expect("no NUL in test strings")
}

/// A raw syscall returning -errno on failure, like the kernel sees it.
pub fn sys(nr: libc::c_long, a: &[u64]) -> i64 {
    let g = |i: usize| a.get(i).copied().unwrap_or(0);
    // SAFETY: the callers pass arguments valid for the syscall in question
    // (pointers to live buffers or plain integers).
    let r = unsafe { libc::syscall(nr, g(0), g(1), g(2), g(3), g(4), g(5)) };
    if r < 0 {
        -(std::io::Error::last_os_error().raw_os_error().unwrap_or(0) as i64)
    } else {
        r
    }
}

pub fn gettid() -> i64 {
    sys(libc::SYS_gettid, &[])
}

/// Pins the calling thread to one CPU.
pub fn pin(cpu: usize) -> bool {
    // SAFETY: cpu_set_t is plain data; sched_setaffinity reads it.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu, &mut set);
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) == 0
    }
}

/// CPU time of the calling thread in ns.
pub fn thread_cpu_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: ts is a valid out-parameter.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// One captured event, copied out of the ring.
#[derive(Clone)]
pub struct Captured {
    pub cpu: usize,
    pub bytes: Vec<u8>,
}

impl Captured {
    pub fn ev(&self) -> Event<'_> {
        Event::parse(&self.bytes).expect("validated when captured")
    }
}

/// Drains until the rings stay empty for `quiet`, copying every event.
pub fn collect(src: &mut KmodSource, quiet: Duration, out: &mut Vec<Captured>) {
    let mut last = Instant::now();
    let start = Instant::now();
    while last.elapsed() < quiet && start.elapsed() < Duration::from_secs(20) {
        let n = src.drain(&mut |cpu, e| {
            out.push(Captured {
                cpu,
                bytes: e.bytes().to_vec(),
            })
        });
        if n > 0 {
            last = Instant::now();
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}
