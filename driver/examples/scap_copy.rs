//! Copies a capture through the reader and writer:
//! `cargo run -p falcon-driver --example scap_copy -- IN OUT [--legacy] [--gzip]`.

use falcon_driver::scap::{CaptureReader, CaptureWriter, WriteOptions, WriteProfile};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 2 {
        eprintln!("usage: scap_copy IN OUT [--legacy] [--gzip]");
        std::process::exit(2);
    }
    let opts = WriteOptions {
        profile: if args.iter().any(|a| a == "--legacy") {
            WriteProfile::Sysdig029
        } else {
            WriteProfile::Current
        },
        gzip: args.iter().any(|a| a == "--gzip"),
    };
    let mut r = CaptureReader::open(&args[0])?;
    let mut w = CaptureWriter::create(&args[1], opts)?;
    while let Some(rec) = r.next()? {
        w.write_record(&rec)?;
    }
    let st = w.finish()?;
    eprintln!("{st:?}");
    Ok(())
}
