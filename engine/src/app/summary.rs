//! Detection counts and Falco's summary at exit:
//!
//! ```text
//! Events detected: 9
//! Rule counts by severity:
//!    WARNING: 8
//!    INFO: 1
//! Triggered rules by rule name:
//!    open_from_cat: 8
//!    exec_from_cat: 1
//! ```
//! Severities most severe first, rules in load order, zero counts omitted.

use crate::outputs::{OutputStats, Priority};
use std::sync::Arc;

/// Alerts raised, by priority and by rule.
#[derive(Debug, Clone, Default)]
pub struct Detections {
    total: u64,
    by_priority: [u64; 8],
    by_rule: Vec<(Arc<str>, u64)>,
}

impl Detections {
    /// Counters for `rules` (names in load order; indexes are rule ids).
    pub fn new(rules: impl IntoIterator<Item = Arc<str>>) -> Self {
        Detections {
            total: 0,
            by_priority: [0; 8],
            by_rule: rules.into_iter().map(|r| (r, 0)).collect(),
        }
    }

    /// Counts one alert of rule number `rule`.
    #[inline]
    pub fn record(&mut self, rule: usize, priority: Priority) {
        self.total += 1;
        self.by_priority[priority as usize] += 1;
        if let Some(r) = self.by_rule.get_mut(rule) {
            r.1 += 1;
        }
    }

    /// Total alerts.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Alerts of one priority.
    pub fn of_priority(&self, p: Priority) -> u64 {
        self.by_priority[p as usize]
    }

    /// Alerts of one rule, by name.
    pub fn of_rule(&self, name: &str) -> u64 {
        self.by_rule
            .iter()
            .filter(|(n, _)| &**n == name)
            .map(|(_, c)| c)
            .sum()
    }

    /// Falco's summary text.
    pub fn summary(&self) -> String {
        let mut out = format!(
            "Events detected: {}\nRule counts by severity:\n",
            self.total
        );
        for p in Priority::ALL {
            let n = self.by_priority[p as usize];
            if n > 0 {
                out.push_str(&format!("   {}: {n}\n", p.summary_name()));
            }
        }
        out.push_str("Triggered rules by rule name:\n");
        for (name, n) in &self.by_rule {
            if *n > 0 {
                out.push_str(&format!("   {name}: {n}\n"));
            }
        }
        out
    }
}

/// The output counters, one line each, when anything was lost.
pub fn output_report(stats: &[OutputStats]) -> Option<String> {
    if stats
        .iter()
        .all(|s| s.counts.dropped == 0 && s.counts.failed == 0)
    {
        return None;
    }
    let mut out = String::from("Outputs with lost alerts:\n");
    for s in stats {
        out.push_str(&format!(
            "   {}: sent {}, dropped {}, failed {}\n",
            s.name, s.counts.sent, s.counts.dropped, s.counts.failed
        ));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outputs::CountSnapshot;

    #[test]
    fn summary_like_falco() {
        let mut d = Detections::new([
            "open_from_cat".into(),
            "never".into(),
            "exec_from_cat".into(),
        ]);
        for _ in 0..8 {
            d.record(0, Priority::Warning);
        }
        d.record(2, Priority::Informational);
        assert_eq!(
            d.summary(),
            "Events detected: 9\nRule counts by severity:\n   WARNING: 8\n   INFO: 1\n\
             Triggered rules by rule name:\n   open_from_cat: 8\n   exec_from_cat: 1\n"
        );
        assert_eq!(d.of_rule("open_from_cat"), 8);
        assert_eq!(d.of_priority(Priority::Informational), 1);
    }

    #[test]
    fn losses_are_reported() {
        let ok = OutputStats {
            name: "stdout",
            counts: CountSnapshot {
                sent: 3,
                dropped: 0,
                failed: 0,
            },
        };
        assert!(output_report(std::slice::from_ref(&ok)).is_none());
        let bad = OutputStats {
            name: "http",
            counts: CountSnapshot {
                sent: 1,
                dropped: 0,
                failed: 2,
            },
        };
        let r = output_report(&[ok, bad]).unwrap();
        assert!(r.contains("http: sent 1, dropped 0, failed 2"));
    }
}
