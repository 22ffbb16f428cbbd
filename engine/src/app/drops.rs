//! Syscall event drop monitoring (`syscall_event_drops`), as Falco does it.
//!
//! Once per second of event time the capture's counters are compared with
//! the last check. If events were dropped (or `simulate_drops` fakes one
//! drop) and the drop ratio passes `threshold`, that is an occurrence; an
//! occurrence takes the configured actions if the token bucket (`rate`
//! per second, `max_burst`) has a token. Replay has no capture counters,
//! so a simulated drop there has an infinite ratio, as in Falco.

use crate::config::{DropAction, DropsConfig};
use crate::outputs::{Alert, Priority};
use serde_json::Value;

const SECOND_NS: u64 = 1_000_000_000;

/// The internal rule name of the drop alert.
pub const DROP_RULE: &str = "Falco internal: syscall event drop";

/// Capture counters at one moment (totals since the capture opened).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DropCounts {
    /// Events seen by the driver (including dropped ones).
    pub events: u64,
    /// Events dropped.
    pub drops: u64,
    /// Of which for lack of buffer space.
    pub drops_buffer: u64,
}

/// libsinsp's token bucket: starts full, refills at `rate` tokens/s up to
/// `max`.
#[derive(Debug, Clone)]
pub struct TokenBucket {
    rate: f64,
    max: f64,
    tokens: f64,
    last_ns: Option<u64>,
}

impl TokenBucket {
    /// A full bucket.
    pub fn new(rate: f64, max: f64) -> Self {
        TokenBucket {
            rate,
            max,
            tokens: max,
            last_ns: None,
        }
    }

    /// Takes one token at time `now_ns` if there is one.
    pub fn claim(&mut self, now_ns: u64) -> bool {
        if let Some(last) = self.last_ns {
            let dt = now_ns.saturating_sub(last) as f64 / 1e9;
            self.tokens = (self.tokens + self.rate * dt).min(self.max);
        }
        self.last_ns = Some(now_ns);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// What an occurrence asks the caller to do.
#[derive(Debug, Default)]
pub struct DropActions {
    /// An alert to send (action `alert`).
    pub alert: Option<Alert>,
    /// Exit with an error (action `exit`).
    pub exit: bool,
}

/// Watches drop counters as events go by.
#[derive(Debug)]
pub struct DropMonitor {
    cfg: DropsConfig,
    next_check_ns: u64,
    last: DropCounts,
    bucket: TokenBucket,
    occurrences: u64,
    actions: u64,
}

impl DropMonitor {
    /// A monitor for this configuration.
    pub fn new(cfg: &DropsConfig) -> Self {
        DropMonitor {
            bucket: TokenBucket::new(cfg.rate, cfg.max_burst as f64),
            cfg: cfg.clone(),
            next_check_ns: 0,
            last: DropCounts::default(),
            occurrences: 0,
            actions: 0,
        }
    }

    /// Called for every event with its timestamp; `counts` is read only
    /// when a check is due (once per second of event time).
    #[inline]
    pub fn on_event(
        &mut self,
        ts: u64,
        counts: impl FnOnce() -> DropCounts,
    ) -> Option<DropActions> {
        if self.next_check_ns == 0 {
            self.next_check_ns = ts.saturating_add(SECOND_NS);
            return None;
        }
        if ts <= self.next_check_ns {
            return None;
        }
        self.next_check_ns = ts.saturating_add(SECOND_NS);
        self.check(ts, counts())
    }

    fn check(&mut self, ts: u64, now: DropCounts) -> Option<DropActions> {
        let mut delta = DropCounts {
            events: now.events.saturating_sub(self.last.events),
            drops: now.drops.saturating_sub(self.last.drops),
            drops_buffer: now.drops_buffer.saturating_sub(self.last.drops_buffer),
        };
        self.last = now;
        if self.cfg.simulate_drops {
            log::info!("Simulating syscall event drop");
            delta.drops += 1;
        }
        if delta.drops == 0 {
            return None;
        }
        let ratio = if delta.events == 0 {
            f64::INFINITY
        } else {
            delta.drops as f64 / delta.events as f64
        };
        if ratio <= self.cfg.threshold {
            return None;
        }
        self.occurrences += 1;
        if !self.bucket.claim(ts) {
            return None;
        }
        self.actions += 1;
        Some(self.perform(ts, delta))
    }

    fn perform(&self, ts: u64, d: DropCounts) -> DropActions {
        let msg = format!(
            "{DROP_RULE}. {} system calls dropped in last second.",
            d.drops
        );
        let mut out = DropActions::default();
        for a in &self.cfg.actions {
            match a {
                DropAction::Ignore => {}
                DropAction::Log => log::debug!("{msg}"),
                DropAction::Alert => {
                    let fields = [
                        ("n_evts", d.events),
                        ("n_drops", d.drops),
                        ("n_drops_buffer_total", d.drops_buffer),
                    ];
                    let kv: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
                    out.alert = Some(Alert {
                        time_ns: ts,
                        priority: Priority::Critical,
                        rule: DROP_RULE.into(),
                        source: "internal".into(),
                        tags: Vec::new().into(),
                        message: format!("{msg} ({})", kv.join(" ")),
                        fields: fields
                            .iter()
                            .map(|(k, v)| (k.to_string(), Value::String(v.to_string())))
                            .collect(),
                    });
                }
                DropAction::Exit => {
                    log::error!("{msg}");
                    log::error!("Exiting.");
                    out.exit = true;
                }
            }
        }
        out
    }

    /// Falco's end-of-run report.
    pub fn report(&self) -> String {
        format!(
            "Syscall event drop monitoring:\n   - event drop detected: {} occurrences\n   - num times actions taken: {}\n",
            self.occurrences, self.actions
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(actions: Vec<DropAction>, simulate: bool) -> DropsConfig {
        DropsConfig {
            threshold: 0.1,
            actions,
            rate: 0.03333,
            max_burst: 10,
            simulate_drops: simulate,
        }
    }

    /// Events every 10 ms over 10 s of event time.
    fn replay(m: &mut DropMonitor) -> (u64, bool) {
        let (mut alerts, mut exit) = (0, false);
        for i in 0..=1000u64 {
            if let Some(a) = m.on_event(1_000 * SECOND_NS + i * 10_000_000, DropCounts::default) {
                alerts += a.alert.is_some() as u64;
                exit |= a.exit;
                if exit {
                    break;
                }
            }
        }
        (alerts, exit)
    }

    #[test]
    fn simulated_drops_once_a_second() {
        let mut m = DropMonitor::new(&cfg(vec![DropAction::Alert], true));
        let (alerts, exit) = replay(&mut m);
        assert_eq!((alerts, exit), (9, false));
        assert!(m.report().contains("event drop detected: 9 occurrences"));
        assert!(m.report().contains("num times actions taken: 9"));
    }

    #[test]
    fn no_drops_no_occurrences() {
        let mut m = DropMonitor::new(&cfg(vec![DropAction::Log], false));
        replay(&mut m);
        assert!(m.report().contains("event drop detected: 0 occurrences"));
    }

    #[test]
    fn exit_stops_at_the_first() {
        let mut m = DropMonitor::new(&cfg(vec![DropAction::Exit], true));
        assert_eq!(replay(&mut m), (0, true));
        assert!(m.report().contains("event drop detected: 1 occurrences"));
    }

    #[test]
    fn bucket_limits_actions() {
        let mut b = TokenBucket::new(1.0, 2.0);
        assert!(b.claim(0));
        assert!(b.claim(0));
        assert!(!b.claim(0));
        assert!(b.claim(SECOND_NS));
    }

    #[test]
    fn real_drops_under_threshold_are_ignored() {
        let mut m = DropMonitor::new(&cfg(vec![DropAction::Alert], false));
        m.on_event(SECOND_NS, DropCounts::default);
        let a = m.on_event(3 * SECOND_NS, || DropCounts {
            events: 1000,
            drops: 5,
            drops_buffer: 5,
        });
        assert!(a.is_none());
        let a = m.on_event(5 * SECOND_NS, || DropCounts {
            events: 1100,
            drops: 105,
            drops_buffer: 105,
        });
        assert!(
            a.unwrap()
                .alert
                .unwrap()
                .message
                .contains("100 system calls dropped")
        );
    }
}
