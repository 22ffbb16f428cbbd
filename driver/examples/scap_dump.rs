//! Prints every record of a capture, one line each:
//! `cargo run -p falcon-driver --example scap_dump -- FILE [--raw]`.

use falcon_driver::scap::{CaptureReader, ReadOptions, Record};

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: scap_dump FILE [--raw]");
        std::process::exit(2);
    };
    let convert = args.next().as_deref() != Some("--raw");
    let mut r = match CaptureReader::open_with(&path, ReadOptions { convert }) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    loop {
        match r.next() {
            Ok(None) => break,
            Ok(Some(Record::Event {
                num,
                cpu,
                flags,
                event,
            })) => println!(
                "{num} cpu={cpu} flags={flags} ts={} tid={} {}({}) nparams={}",
                event.ts(),
                event.tid(),
                event.info().name,
                event.code(),
                event.nparams()
            ),
            Ok(Some(Record::Processes(p))) => println!("processes: {}", p.len()),
            Ok(Some(Record::Fds { tid, fds })) => println!("fds of {tid}: {}", fds.len()),
            Ok(Some(other)) => println!("{other:?}"),
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(1);
            }
        }
    }
    eprintln!("{:?}", r.stats());
}
