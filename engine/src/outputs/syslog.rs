//! `syslog_output`: one datagram per alert to the local syslog socket.
//!
//! Wire format as glibc's `syslog()` writes it without `openlog()`, which
//! is what Falco does: `<PRI>Mmm dd HH:MM:SS falcon: <msg>`, local time,
//! no host name, no pid; facility user (PRI = 8 + severity), severity =
//! the rule priority. A datagram socket is tried first, then a stream
//! socket (messages NUL-terminated, like glibc). Unlike glibc, a message
//! that cannot be delivered is counted as failed, not silently lost.

use super::{BuildError, FailReason, Output, OutputContext, OutputError, Priority, Rendered};
use std::io::Write;
use std::os::unix::net::{UnixDatagram, UnixStream};
use std::path::PathBuf;

/// The syslog ident.
pub const IDENT: &str = "falcon";
/// LOG_USER.
pub const FACILITY_USER: u8 = 1;

/// `syslog_output`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// `enabled` (Falco's default: true).
    pub enabled: bool,
    /// The socket (not a falco.yaml key): `/dev/log`.
    pub socket: PathBuf,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            enabled: true,
            socket: PathBuf::from("/dev/log"),
        }
    }
}

impl Config {
    /// Builds the output; connects lazily.
    pub fn build(&self, _cx: &OutputContext) -> Result<Box<dyn Output>, BuildError> {
        Ok(Box::new(SyslogOutput {
            socket: Socket::new(self.socket.clone()),
        }))
    }
}

/// `<PRI>Mmm dd HH:MM:SS falcon: msg` for facility user.
pub fn wire_line(priority: Priority, now: chrono::DateTime<chrono::Local>, msg: &str) -> String {
    let pri = FACILITY_USER * 8 + priority.severity();
    format!("<{pri}>{} {IDENT}: {msg}", now.format("%b %e %H:%M:%S"))
}

enum Conn {
    Dgram(UnixDatagram),
    Stream(UnixStream),
}

/// A connection to a local syslog socket, reconnected on failure. Also
/// used by falcon's own logger (`log_syslog`).
pub struct Socket {
    path: PathBuf,
    conn: Option<Conn>,
}

impl std::fmt::Debug for Socket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Socket").field("path", &self.path).finish()
    }
}

impl Socket {
    /// A socket that connects to `path` on first use.
    pub fn new(path: PathBuf) -> Self {
        Socket { path, conn: None }
    }

    fn connect(&self) -> std::io::Result<Conn> {
        let d = UnixDatagram::unbound()?;
        match d.connect(&self.path) {
            Ok(()) => Ok(Conn::Dgram(d)),
            Err(e) if e.raw_os_error() == Some(libc::EPROTOTYPE) => {
                UnixStream::connect(&self.path).map(Conn::Stream)
            }
            Err(e) => Err(e),
        }
    }

    /// Sends one message at `priority`; reconnects once on failure.
    pub fn send(&mut self, priority: Priority, msg: &str) -> Result<(), OutputError> {
        let line = wire_line(priority, chrono::Local::now(), msg);
        for attempt in 0..2 {
            if self.conn.is_none() {
                match self.connect() {
                    Ok(c) => self.conn = Some(c),
                    Err(e) => {
                        return Err(OutputError::new(
                            FailReason::Open,
                            format!("cannot connect to {}: {e}", self.path.display()),
                        ));
                    }
                }
            }
            let res = match &mut self.conn {
                Some(Conn::Dgram(d)) => d.send(line.as_bytes()).map(|_| ()),
                Some(Conn::Stream(s)) => s
                    .write_all(line.as_bytes())
                    .and_then(|()| s.write_all(b"\0")),
                None => Ok(()),
            };
            match res {
                Ok(()) => return Ok(()),
                Err(e) => {
                    self.conn = None;
                    if attempt == 1 {
                        return Err(OutputError::new(FailReason::Write, e));
                    }
                }
            }
        }
        Ok(())
    }
}

/// Sends alerts to syslog.
#[derive(Debug)]
pub struct SyslogOutput {
    socket: Socket,
}

impl Output for SyslogOutput {
    fn name(&self) -> &'static str {
        "syslog"
    }

    fn emit(&mut self, alert: &Rendered) -> Result<(), OutputError> {
        self.socket.send(alert.priority, &alert.line)
    }

    fn reopen(&mut self) -> Result<(), OutputError> {
        self.socket.conn = None;
        Ok(())
    }

    fn check(&mut self) -> Result<(), OutputError> {
        let c = self.socket.connect().map_err(|e| {
            OutputError::new(
                FailReason::Open,
                format!("cannot connect to {}: {e}", self.socket.path.display()),
            )
        })?;
        self.socket.conn = Some(c);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::cx;
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn wire_format_like_glibc() {
        let t = chrono::Local
            .with_ymd_and_hms(2026, 11, 3, 8, 27, 20)
            .unwrap();
        assert_eq!(
            wire_line(Priority::Warning, t, "hello"),
            "<12>Nov  3 08:27:20 falcon: hello"
        );
        assert!(wire_line(Priority::Emergency, t, "x").starts_with("<8>"));
        assert!(wire_line(Priority::Debug, t, "x").starts_with("<15>"));
    }

    #[test]
    fn sends_to_a_datagram_socket() {
        let path = std::env::temp_dir().join(format!("falcon-syslog-{}.sock", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let server = UnixDatagram::bind(&path).unwrap();
        server
            .set_read_timeout(Some(std::time::Duration::from_secs(5)))
            .unwrap();
        let cfg = Config {
            enabled: true,
            socket: path.clone(),
        };
        let mut o = cfg.build(&cx()).unwrap();
        o.check().unwrap();
        o.emit(&Rendered {
            priority: Priority::Critical,
            line: "12:00:00.000000000: Critical boom".into(),
        })
        .unwrap();
        let mut buf = [0u8; 512];
        let n = server.recv(&mut buf).unwrap();
        let got = std::str::from_utf8(&buf[..n]).unwrap();
        assert!(got.starts_with("<10>"), "{got}");
        assert!(
            got.ends_with(" falcon: 12:00:00.000000000: Critical boom"),
            "{got}"
        );
        drop(server);
        std::fs::remove_file(&path).unwrap();
        // The socket is gone: the next alert fails and is reported.
        assert!(o.emit(&super::super::testutil::rendered("x")).is_err());
    }
}
