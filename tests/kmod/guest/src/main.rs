//! Runs inside the qemu guests of tests/kmod: exercises falcon.ko through
//! `falcon_driver::kmod` and prints machine-readable lines on stdout:
//!
//!   CHECK <name> ok | CHECK <name> FAIL: <why>
//!   RESULT <mode> passed=<n> failed=<n>
//!   BENCH <mode> ns_per_call=<n> ...
//!
//! Modes: `check` (events and their parameters), `stress` (syscall storm on
//! every CPU, drop accounting), `busy` (second consumer, unload while open),
//! `hotplug` (a CPU going offline and back), `cycle` (one silent open,
//! capture, close), `ptyshell` (a shell with a terminal, for the rules),
//! `bench <base|falcon|scap>`.

mod bench;
mod checks;
mod report;
mod scap;
mod stress;
mod util;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mode = args.first().map(String::as_str).unwrap_or("");
    let mut r = report::Report::new(mode);
    match mode {
        "check" => checks::run(&mut r),
        "stress" => stress::run(
            &mut r,
            args.get(1).and_then(|s| s.parse().ok()).unwrap_or(3),
        ),
        "busy" => checks::busy(&mut r),
        "hotplug" => stress::hotplug(&mut r),
        "cycle" => return stress::cycle(),
        "self" => stress::self_filter(&mut r),
        "ptyshell" => return util::pty_shell(),
        "bench" => {
            let what = args.get(1).map(String::as_str).unwrap_or("base");
            let iters = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(200_000);
            return match bench::run(what, iters) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    println!("BENCH {what} FAIL: {e}");
                    ExitCode::FAILURE
                }
            };
        }
        _ => {
            eprintln!(
                "usage: kmod-guest check|stress [secs]|busy|hotplug|bench base|falcon|scap [iters]"
            );
            return ExitCode::from(2);
        }
    }
    r.finish()
}
