//! Host names compared with `fd.cip.name`, `fd.sip.name`, `fd.lip.name`,
//! `fd.rip.name`: like libsinsp's DNS manager, a name matches an address
//! when resolving it gave that address. Names are resolved by one
//! background thread (first request on first use, then refreshed), so the
//! event path only reads the current address list under a shared lock: no
//! allocation, no syscall, no blocking on DNS.

use std::net::{IpAddr, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::Duration;

/// How often resolved names are refreshed (libsinsp's base refresh
/// timeout).
const REFRESH: Duration = Duration::from_secs(10);

/// One host name and the addresses it last resolved to.
#[derive(Debug)]
pub struct DnsName {
    name: String,
    addrs: RwLock<Vec<IpAddr>>,
    requested: AtomicBool,
    resolved: AtomicBool,
}

impl DnsName {
    /// A name not resolved yet.
    pub fn new(name: &str) -> Arc<DnsName> {
        Arc::new(DnsName {
            name: name.to_string(),
            addrs: RwLock::new(Vec::new()),
            requested: AtomicBool::new(false),
            resolved: AtomicBool::new(false),
        })
    }

    /// The name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether `ip` is one of the name's addresses; the first call queues
    /// the name for resolution (until then nothing matches).
    pub fn matches(self: &Arc<Self>, ip: IpAddr) -> bool {
        if !self.requested.load(Ordering::Relaxed) && !self.requested.swap(true, Ordering::AcqRel) {
            resolver().add(self.clone());
        }
        match self.addrs.read() {
            Ok(a) => a.contains(&ip),
            Err(_) => false,
        }
    }

    /// At least one resolution finished (successful or not).
    pub fn is_resolved(&self) -> bool {
        self.resolved.load(Ordering::Acquire)
    }

    fn refresh(&self) {
        let addrs: Vec<IpAddr> = match (self.name.as_str(), 0u16).to_socket_addrs() {
            Ok(it) => it.map(|a| a.ip()).collect(),
            Err(_) => Vec::new(),
        };
        if let Ok(mut a) = self.addrs.write() {
            *a = addrs;
        }
        self.resolved.store(true, Ordering::Release);
    }
}

struct Resolver {
    names: Mutex<Vec<Arc<DnsName>>>,
    wake: std::sync::Condvar,
}

fn resolver() -> &'static Resolver {
    static R: OnceLock<&'static Resolver> = OnceLock::new();
    R.get_or_init(|| {
        let r: &'static Resolver = Box::leak(Box::new(Resolver {
            names: Mutex::new(Vec::new()),
            wake: std::sync::Condvar::new(),
        }));
        let spawned = std::thread::Builder::new()
            .name("falcon-dns".into())
            .spawn(move || r.run());
        if let Err(e) = spawned {
            // Without the thread names never resolve: they match nothing.
            eprintln!("falcon: cannot start the DNS resolver thread: {e}");
        }
        r
    })
}

impl Resolver {
    fn add(&self, n: Arc<DnsName>) {
        if let Ok(mut v) = self.names.lock() {
            v.push(n);
            self.wake.notify_one();
        }
    }

    fn run(&self) {
        let mut done = 0usize;
        loop {
            let batch: Vec<Arc<DnsName>> = match self.names.lock() {
                Ok(v) => v.clone(),
                Err(_) => return,
            };
            for n in &batch[done.min(batch.len())..] {
                n.refresh();
            }
            done = batch.len();
            let Ok(guard) = self.names.lock() else {
                return;
            };
            let (guard, timeout) = match self.wake.wait_timeout(guard, REFRESH) {
                Ok(r) => r,
                Err(_) => return,
            };
            let grew = guard.len() > done;
            drop(guard);
            if timeout.timed_out() && !grew {
                for n in &batch {
                    n.refresh();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn localhost_resolves_in_background() {
        let n = DnsName::new("localhost");
        let lo: IpAddr = "127.0.0.1".parse().unwrap();
        let _ = n.matches(lo);
        for _ in 0..500 {
            if n.is_resolved() {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(n.is_resolved());
        assert!(n.matches(lo));
        assert!(!n.matches("10.1.2.3".parse().unwrap()));
    }
}
