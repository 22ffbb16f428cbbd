//! The `falcon` binary: parses the command line, runs one mode, and turns
//! the result into an exit code. Nothing else happens here.

use std::process::ExitCode;

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().collect();
    match falcon_engine::app::main(argv) {
        Ok(code) => ExitCode::from(code),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Runtime error: {e:#}. Exiting.");
            ExitCode::from(1)
        }
    }
}

/// `falcon -L | head` is not an error.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
