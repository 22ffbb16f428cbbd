//! The modes of the `falcon` binary, one function each, and the pieces a
//! run is made of (logger, drop monitor, summary).

pub mod drops;
pub mod dump;
pub mod engine;
mod info;
pub mod live;
pub mod logger;
pub mod replay;
pub mod rules_modes;
pub mod summary;

pub use engine::{Engine, Flow, Report};

use crate::cli::{self, Mode};
use crate::config::Config;
use anyhow::{Context, Result};
use std::io::Write;

/// The rules engine version falcon implements (checked against a rules
/// file's `required_engine_version`).
pub const ENGINE_VERSION: crate::rules::Version = crate::rules::ENGINE_VERSION;

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
        Mode::ListFields => finish(rules_modes::list_fields(&args)?),
        Mode::Validate => finish(rules_modes::validate(&args, &cfg)?),
        Mode::Describe => finish(rules_modes::describe(&args, &cfg)?),
        Mode::Help | Mode::Version => Ok(0),
        Mode::Run => run(&args, &cfg),
    }
}

fn finish((text, code): (String, u8)) -> Result<u8> {
    print_out(&text)?;
    Ok(code)
}

/// The default mode: replay, dump, or live capture.
fn run(args: &cli::LowArgs, cfg: &Config) -> Result<u8> {
    use crate::config::EngineKind;
    log::info!(
        "Falcon version: {} ({})",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::ARCH
    );
    if cfg.files.is_empty() {
        log::info!(
            "No configuration file at {}; using defaults",
            crate::config::DEFAULT_CONFIG
        );
    } else {
        log::info!("Falcon initialized with configuration files:");
        for f in &cfg.files {
            log::info!("   {}", f.display());
        }
    }
    if let Some(p) = &args.pidfile {
        std::fs::write(p, format!("{}\n", std::process::id()))
            .with_context(|| format!("cannot write pid file {}", p.display()))?;
    }
    check_sources(args)?;
    if cfg.dry_run {
        rules_modes::load_ruleset(cfg)?;
        log::info!("--dry-run: configuration and rules loaded, no event processed");
        return Ok(0);
    }
    match cfg.engine.kind {
        EngineKind::Replay => {
            let capture = cfg
                .engine
                .capture_file
                .clone()
                .context("engine.replay.capture_file is not set")?;
            if let Some(fmt) = &cfg.dump_events {
                let mut out = std::io::stdout().lock();
                dump::run(&capture, fmt, &mut out)?;
                return Ok(0);
            }
            replay::run(cfg, &capture)
        }
        EngineKind::NoDriver => anyhow::bail!("engine.kind=nodriver: no syscall source"),
        _ => live::run(args, cfg),
    }
}

/// `--enable-source`/`--disable-source`: falcon's one source is `syscall`.
fn check_sources(args: &cli::LowArgs) -> Result<()> {
    if !args.enable_sources.is_empty() && !args.disable_sources.is_empty() {
        anyhow::bail!("You can not mix --enable-source and --disable-source");
    }
    for s in args.enable_sources.iter().chain(&args.disable_sources) {
        if s != "syscall" {
            anyhow::bail!("Attempted enabling or disabling an unknown event source: {s}");
        }
    }
    if args.disable_sources.iter().any(|s| s == "syscall") {
        anyhow::bail!("Must enable at least one event source");
    }
    Ok(())
}

/// Writes to stdout, reporting a broken pipe as an error the caller treats
/// as success.
fn print_out(s: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(s.as_bytes())
        .and_then(|()| out.flush())
        .context("writing to stdout")
}
