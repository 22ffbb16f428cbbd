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

/// Starts `/bin/sh -c 'exit 0'` with a fresh pseudo-terminal as its
/// controlling terminal (what a reverse shell upgrade does), waits for it.
pub fn pty_shell() -> std::process::ExitCode {
    // SAFETY: plain libc calls on fds this function owns; the child only
    // sets up its session and terminal, then execs.
    unsafe {
        let m = libc::posix_openpt(libc::O_RDWR | libc::O_NOCTTY);
        if m < 0 || libc::grantpt(m) != 0 || libc::unlockpt(m) != 0 {
            return std::process::ExitCode::FAILURE;
        }
        let name = libc::ptsname(m);
        if name.is_null() {
            return std::process::ExitCode::FAILURE;
        }
        let name = std::ffi::CStr::from_ptr(name).to_owned();
        let sh = cstr("/bin/sh");
        let a = [cstr("sh"), cstr("-c"), cstr("exit 0")];
        let argv = [
            a[0].as_ptr(),
            a[1].as_ptr(),
            a[2].as_ptr(),
            std::ptr::null(),
        ];
        let envp = [std::ptr::null::<libc::c_char>()];
        let pid = libc::fork();
        if pid == 0 {
            libc::setsid();
            let s = libc::open(name.as_ptr(), libc::O_RDWR);
            libc::ioctl(s, libc::TIOCSCTTY, 0);
            libc::dup2(s, 0);
            libc::dup2(s, 1);
            libc::dup2(s, 2);
            libc::execve(sh.as_ptr(), argv.as_ptr(), envp.as_ptr());
            libc::_exit(127);
        }
        let mut st = 0;
        libc::waitpid(pid, &mut st, 0);
        libc::close(m);
        if libc::WIFEXITED(st) && libc::WEXITSTATUS(st) == 0 {
            std::process::ExitCode::SUCCESS
        } else {
            std::process::ExitCode::FAILURE
        }
    }
}
