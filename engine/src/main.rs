use std::process::ExitCode;

fn usage() -> ExitCode {
    eprintln!("usage: falcon -e FILE.scap --dump-events FORMAT");
    ExitCode::from(1)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut capture = None;
    let mut dump = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "-e" => capture = it.next(),
            "--dump-events" => dump = it.next(),
            "--version" | "-v" => {
                println!("falcon {}", env!("CARGO_PKG_VERSION"));
                return ExitCode::SUCCESS;
            }
            _ => return usage(),
        }
    }
    let (Some(capture), Some(format)) = (capture, dump) else {
        return usage();
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match falcon_engine::app::dump::run(std::path::Path::new(capture), format, &mut out) {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            eprintln!("falcon: {e:#}");
            ExitCode::from(1)
        }
    }
}
