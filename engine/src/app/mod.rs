//! The modes of the `falcon` binary, one function each, and the pieces a
//! run is made of (logger, drop monitor, summary).

pub mod drops;
pub mod dump;
mod info;
pub mod live;
pub mod logger;
pub mod summary;

use crate::cli::{self, Mode};
use crate::config::Config;
use anyhow::{Context, Result};
use std::io::Write;

/// The rules engine version falcon implements (checked against a rules
/// file's `required_engine_version`).
pub const ENGINE_VERSION: &str = "0.62.0";

/// Runs falcon with `argv` (program name first); returns the exit code.
pub fn main(argv: Vec<String>) -> Result<u8> {
    logger::init();
    let cmdline = argv.join(" ");
    let mut args = cli::parse(argv.into_iter().skip(1))?;
    args.cmdline = cmdline;
    match args.mode() {
        Mode::Help => {
            print_out(&cli::help_text())?;
            return Ok(0);
        }
        Mode::Version => {
            print_out(&info::version_text(&args))?;
            return Ok(0);
        }
        _ => {}
    }
    let cfg = Config::load(&args)?;
    logger::configure(logger::LogSettings {
        level: cfg.log.level,
        stderr: cfg.log.stderr,
        syslog: cfg.log.syslog,
        iso8601: cfg.formatter.iso8601,
    });
    for w in &cfg.warnings {
        log::warn!("{w}");
    }
    match args.mode() {
        Mode::Support => {
            print_out(&format!("{}\n", info::support(&args, &cfg)))?;
            Ok(0)
        }
        Mode::Run => run(&cfg),
        other => anyhow::bail!("mode {other:?} is not available in this build yet"),
    }
}

/// The default mode: replay a capture or capture live.
fn run(cfg: &Config) -> Result<u8> {
    use crate::config::EngineKind;
    match cfg.engine.kind {
        EngineKind::Replay => {
            let (Some(capture), Some(fmt)) = (&cfg.engine.capture_file, &cfg.dump_events) else {
                anyhow::bail!("replay without --dump-events is not available in this build yet");
            };
            dump::run(capture, fmt, &mut std::io::stdout().lock())?;
            Ok(0)
        }
        EngineKind::NoDriver => anyhow::bail!("engine.kind=nodriver: no syscall source"),
        _ => live::run(cfg),
    }
}

/// Writes to stdout, reporting a broken pipe as an error the caller treats
/// as success.
fn print_out(s: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(s.as_bytes())
        .and_then(|()| out.flush())
        .context("writing to stdout")
}
