//! Helpers for output tests.

use super::{
    Alert, FailReason, Output, OutputContext, OutputError, OutputStats, Priority, Rendered,
};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A context with text output, unbuffered.
pub fn cx() -> OutputContext {
    OutputContext {
        json: false,
        buffered: false,
    }
}

/// A rendered Warning alert with this line.
pub fn rendered(line: &str) -> Rendered {
    Rendered {
        priority: Priority::Warning,
        line: line.to_string(),
    }
}

/// A Warning alert of rule `rule`.
pub fn alert(rule: &str) -> Alert {
    Alert {
        time_ns: 1_470_327_477_881_781_397,
        priority: Priority::Warning,
        rule: rule.into(),
        source: "syscall".into(),
        tags: Vec::new().into(),
        message: format!("message of {rule}"),
        fields: Vec::new(),
    }
}

/// Asserts one output's final counts.
pub fn assert_counts(stats: &[OutputStats], name: &str, sent: u64, dropped: u64, failed: u64) {
    let s = stats
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no output {name} in {stats:?}"));
    assert_eq!(
        (s.counts.sent, s.counts.dropped, s.counts.failed),
        (sent, dropped, failed),
        "{name}: (sent, dropped, failed)"
    );
}

/// An output that records lines in memory, optionally slowly or failing.
pub struct Memory {
    name: &'static str,
    delay_ms: u64,
    /// Fail every alert.
    pub fail: bool,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Memory {
    /// A new memory output and the lines it will have seen.
    pub fn new(name: &'static str, delay_ms: u64) -> (Self, Arc<Mutex<Vec<String>>>) {
        let lines = Arc::new(Mutex::new(Vec::new()));
        (
            Memory {
                name,
                delay_ms,
                fail: false,
                lines: Arc::clone(&lines),
            },
            lines,
        )
    }
}

impl Output for Memory {
    fn name(&self) -> &'static str {
        self.name
    }

    fn emit(&mut self, alert: &Rendered) -> Result<(), OutputError> {
        if self.delay_ms > 0 {
            std::thread::sleep(Duration::from_millis(self.delay_ms));
        }
        if self.fail {
            return Err(OutputError::new(FailReason::Write, "told to fail"));
        }
        self.lines.lock().unwrap().push(alert.line.clone());
        Ok(())
    }
}
