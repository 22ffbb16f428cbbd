//! falcon's own log lines (`log_level`, `log_stderr`, `log_syslog`), in
//! Falco's shape: on stderr `Mon Nov 23 08:27:20 2026: <msg>` (or
//! `2026-11-23T08:27:20+0000: <msg>` with `time_format_iso_8601`), on
//! syslog the same path as the syslog output. Every module logs through
//! the `log` facade; this is its only sink.

use crate::outputs::Priority;
use crate::outputs::syslog::Socket;
use std::io::Write;
use std::sync::{Mutex, OnceLock};

/// Where and what to log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogSettings {
    /// The least severe level written.
    pub level: Priority,
    /// Write to stderr.
    pub stderr: bool,
    /// Write to syslog.
    pub syslog: bool,
    /// ISO 8601 (UTC) time prefix on stderr.
    pub iso8601: bool,
}

impl Default for LogSettings {
    fn default() -> Self {
        LogSettings {
            level: Priority::Informational,
            stderr: true,
            syslog: false,
            iso8601: false,
        }
    }
}

struct Logger {
    settings: Mutex<LogSettings>,
    syslog: Mutex<Socket>,
}

static LOGGER: OnceLock<Logger> = OnceLock::new();

fn priority_of(level: log::Level) -> Priority {
    match level {
        log::Level::Error => Priority::Error,
        log::Level::Warn => Priority::Warning,
        log::Level::Info => Priority::Informational,
        log::Level::Debug | log::Level::Trace => Priority::Debug,
    }
}

fn level_filter(p: Priority) -> log::LevelFilter {
    match p {
        Priority::Emergency | Priority::Alert | Priority::Critical | Priority::Error => {
            log::LevelFilter::Error
        }
        Priority::Warning => log::LevelFilter::Warn,
        Priority::Notice | Priority::Informational => log::LevelFilter::Info,
        Priority::Debug => log::LevelFilter::Debug,
    }
}

/// The stderr prefix for a line logged now.
pub fn stderr_prefix(iso8601: bool) -> String {
    if iso8601 {
        chrono::Utc::now()
            .format("%Y-%m-%dT%H:%M:%S+0000")
            .to_string()
    } else {
        chrono::Local::now()
            .format("%a %b %d %H:%M:%S %Y")
            .to_string()
    }
}

impl log::Log for Logger {
    fn enabled(&self, m: &log::Metadata<'_>) -> bool {
        let s = self.settings.lock().map(|s| *s).unwrap_or_default();
        priority_of(m.level()) <= s.level
    }

    fn log(&self, r: &log::Record<'_>) {
        let s = self.settings.lock().map(|s| *s).unwrap_or_default();
        let p = priority_of(r.level());
        if p > s.level {
            return;
        }
        let msg = r.args().to_string();
        if s.stderr {
            let mut e = std::io::stderr().lock();
            let _ = writeln!(e, "{}: {msg}", stderr_prefix(s.iso8601));
        }
        if s.syslog
            && let Ok(mut sock) = self.syslog.lock()
        {
            // Nowhere to report a failure to log; stderr may have it.
            let _ = sock.send(p, &msg);
        }
    }

    fn flush(&self) {
        let _ = std::io::stderr().flush();
    }
}

/// Installs the logger with the defaults (stderr, info). Idempotent.
pub fn init() {
    let l = LOGGER.get_or_init(|| Logger {
        settings: Mutex::new(LogSettings::default()),
        syslog: Mutex::new(Socket::new("/dev/log".into())),
    });
    if log::set_logger(l).is_ok() {
        log::set_max_level(level_filter(LogSettings::default().level));
    }
}

/// Applies the configuration's log settings.
pub fn configure(s: LogSettings) {
    init();
    if let Some(l) = LOGGER.get()
        && let Ok(mut cur) = l.settings.lock()
    {
        *cur = s;
    }
    log::set_max_level(level_filter(s.level));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes() {
        let iso = stderr_prefix(true);
        assert_eq!(iso.len(), "2026-11-23T08:27:20+0000".len());
        assert!(iso.ends_with("+0000"));
        let text = stderr_prefix(false);
        assert_eq!(text.len(), "Mon Nov 23 08:27:20 2026".len());
    }

    #[test]
    fn levels_map_to_syslog_severities() {
        assert_eq!(priority_of(log::Level::Warn).severity(), 4);
        assert_eq!(level_filter(Priority::Notice), log::LevelFilter::Info);
    }
}
