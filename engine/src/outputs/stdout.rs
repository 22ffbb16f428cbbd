//! `stdout_output`: one line per alert on standard output.

use super::{BuildError, FailReason, Output, OutputContext, OutputError, Rendered};
use std::io::{BufWriter, Stdout, Write};

/// `stdout_output`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// `enabled` (Falco's default: true).
    pub enabled: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config { enabled: true }
    }
}

impl Config {
    /// Builds the output; never fails.
    pub fn build(&self, _cx: &OutputContext) -> Result<Box<dyn Output>, BuildError> {
        Ok(Box::new(StdoutOutput {
            out: BufWriter::with_capacity(64 * 1024, std::io::stdout()),
        }))
    }
}

/// Writes alerts to standard output.
#[derive(Debug)]
pub struct StdoutOutput {
    out: BufWriter<Stdout>,
}

impl Output for StdoutOutput {
    fn name(&self) -> &'static str {
        "stdout"
    }

    fn emit(&mut self, alert: &Rendered) -> Result<(), OutputError> {
        self.out
            .write_all(alert.line.as_bytes())
            .and_then(|()| self.out.write_all(b"\n"))
            .map_err(|e| OutputError::new(FailReason::Write, e))
    }

    fn flush(&mut self) -> Result<(), OutputError> {
        self.out
            .flush()
            .map_err(|e| OutputError::new(FailReason::Write, e))
    }
}
