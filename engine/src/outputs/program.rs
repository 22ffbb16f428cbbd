//! `program_output`: pipes each alert to a shell command.

use super::{BuildError, FailReason, Output, OutputContext, OutputError, Rendered};
use std::io::Write;
use std::process::{Child, ChildStdin, Command, Stdio};

/// `program_output`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Config {
    /// `enabled` (default false).
    pub enabled: bool,
    /// `keep_alive` (default false): when false the program is started for
    /// every alert (its stdin gets one line, then EOF, and falcon waits for
    /// it); when true one instance reads every alert.
    pub keep_alive: bool,
    /// `program`: run with `/bin/sh -c`, alerts on its stdin.
    pub program: String,
}

impl Config {
    /// Builds the output; fails on an empty `program`.
    pub fn build(&self, _cx: &OutputContext) -> Result<Box<dyn Output>, BuildError> {
        if self.program.trim().is_empty() {
            return Err(BuildError::Missing {
                output: "program",
                key: "program",
            });
        }
        Ok(Box::new(ProgramOutput {
            cfg: self.clone(),
            child: None,
        }))
    }
}

/// Writes alerts to a program's stdin.
#[derive(Debug)]
pub struct ProgramOutput {
    cfg: Config,
    child: Option<(Child, ChildStdin)>,
}

impl ProgramOutput {
    fn spawn(&self) -> Result<(Child, ChildStdin), OutputError> {
        let mut child = Command::new("/bin/sh")
            .arg("-c")
            .arg(&self.cfg.program)
            .stdin(Stdio::piped())
            .spawn()
            .map_err(|e| {
                OutputError::new(
                    FailReason::Spawn,
                    format!("Failed to open program output: {e}"),
                )
            })?;
        let stdin = child
            .stdin
            .take()
            .ok_or_else(|| OutputError::new(FailReason::Spawn, "no stdin pipe"))?;
        Ok((child, stdin))
    }

    fn close(&mut self) -> Result<(), OutputError> {
        if let Some((mut child, stdin)) = self.child.take() {
            drop(stdin);
            let st = child
                .wait()
                .map_err(|e| OutputError::new(FailReason::Program, e))?;
            if !st.success() {
                return Err(OutputError::new(
                    FailReason::Program,
                    format!("'{}' exited with {st}", self.cfg.program),
                ));
            }
        }
        Ok(())
    }
}

impl Output for ProgramOutput {
    fn name(&self) -> &'static str {
        "program"
    }

    fn emit(&mut self, alert: &Rendered) -> Result<(), OutputError> {
        if self.child.is_none() {
            self.child = Some(self.spawn()?);
        }
        let res = match &mut self.child {
            Some((_, stdin)) => stdin
                .write_all(alert.line.as_bytes())
                .and_then(|()| stdin.write_all(b"\n")),
            None => Ok(()),
        };
        if let Err(e) = res {
            // A broken pipe: the program went away; start afresh next time.
            let _ = self.close();
            return Err(OutputError::new(FailReason::Write, e));
        }
        if !self.cfg.keep_alive {
            self.close()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), OutputError> {
        match &mut self.child {
            Some((_, stdin)) => stdin
                .flush()
                .map_err(|e| OutputError::new(FailReason::Write, e)),
            None => Ok(()),
        }
    }

    fn reopen(&mut self) -> Result<(), OutputError> {
        self.close()
    }
}

impl Drop for ProgramOutput {
    fn drop(&mut self) {
        if let Err(e) = self.close() {
            log::error!("program output: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{cx, rendered};
    use super::*;

    fn run(keep_alive: bool) -> String {
        let path = std::env::temp_dir().join(format!(
            "falcon-prog-out-{}-{keep_alive}.txt",
            std::process::id()
        ));
        let _ = std::fs::remove_file(&path);
        let cfg = Config {
            enabled: true,
            keep_alive,
            program: format!("cat >> {}", path.display()),
        };
        let mut o = cfg.build(&cx()).unwrap();
        o.emit(&rendered("one")).unwrap();
        o.emit(&rendered("two")).unwrap();
        drop(o);
        let s = std::fs::read_to_string(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        s
    }

    #[test]
    fn writes_through_the_shell() {
        assert_eq!(run(false), "one\ntwo\n");
        assert_eq!(run(true), "one\ntwo\n");
    }

    #[test]
    fn a_failing_program_is_an_error() {
        let cfg = Config {
            enabled: true,
            keep_alive: false,
            program: "exit 3".into(),
        };
        let mut o = cfg.build(&cx()).unwrap();
        let e = o.emit(&rendered("x")).unwrap_err();
        assert!(matches!(e.reason, FailReason::Program | FailReason::Write));
        assert!(Config::default().build(&cx()).is_err());
    }
}
