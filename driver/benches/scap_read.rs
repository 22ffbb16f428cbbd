//! Replay throughput of the `.scap` reader: the largest legacy trace read
//! 100 times, from its gzip file and from memory (plain), with and without
//! conversion, against a baseline measured in the same run (gzip
//! decompression alone, and a bare walk over the block headers).
//!
//! `cargo bench -p falcon-driver --bench scap_read`

use std::io::Read;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use falcon_driver::scap::{CaptureReader, ReadOptions, Record};

const ROUNDS: usize = 100;

fn largest_trace() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpora/falco-legacy/trace_files");
    std::fs::read_dir(&dir)
        .expect("corpus")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "scap"))
        .max_by_key(|p| std::fs::metadata(p).unwrap().len())
        .expect("a trace")
}

fn count(r: &mut CaptureReader) -> u64 {
    let mut n = 0;
    while let Some(rec) = r.next().unwrap() {
        if let Record::Event { event, .. } = rec {
            n += event.len() as u64 & 1 | 1;
        }
    }
    n
}

fn time(label: &str, f: &mut dyn FnMut() -> u64) -> Duration {
    f(); // warm up
    let t = Instant::now();
    let mut items = 0;
    for _ in 0..ROUNDS {
        items += f();
    }
    let d = t.elapsed();
    println!(
        "{label:<44} {:>9.2} ms  {:>7.1} M items/s",
        d.as_secs_f64() * 1e3,
        items as f64 / d.as_secs_f64() / 1e6
    );
    d
}

fn main() {
    let path = largest_trace();
    let gz = std::fs::read(&path).unwrap();
    let mut plain = Vec::new();
    flate2::read::MultiGzDecoder::new(&gz[..])
        .read_to_end(&mut plain)
        .unwrap();
    println!(
        "{}: {} bytes gzip, {} bytes plain, {ROUNDS} rounds",
        path.display(),
        gz.len(),
        plain.len()
    );
    let base_gz = time("baseline: gzip decompression only", &mut || {
        let mut out = Vec::with_capacity(plain.len());
        flate2::read::MultiGzDecoder::new(&gz[..])
            .read_to_end(&mut out)
            .unwrap();
        out.len() as u64 / 1024
    });
    let base_walk = time("baseline: walk block headers (plain)", &mut || {
        let (mut o, mut n) = (0usize, 0u64);
        while o + 8 <= plain.len() {
            let len = u32::from_le_bytes(plain[o + 4..o + 8].try_into().unwrap()) as usize;
            o += len.max(12);
            n += 1;
        }
        n
    });
    let read_gz = time("reader: gzip file, converting", &mut || {
        count(&mut CaptureReader::open(&path).unwrap())
    });
    let read_plain = time("reader: plain bytes, converting", &mut || {
        count(&mut CaptureReader::from_bytes(
            plain.clone(),
            ReadOptions::default(),
        ))
    });
    let read_raw = time("reader: plain bytes, no conversion", &mut || {
        count(&mut CaptureReader::from_bytes(
            plain.clone(),
            ReadOptions { convert: false },
        ))
    });
    println!(
        "ratios: gzip reader / gzip decompression = {:.2}; plain reader / header walk = {:.1}; \
         conversion overhead = {:.2}",
        read_gz.as_secs_f64() / base_gz.as_secs_f64(),
        read_plain.as_secs_f64() / base_walk.as_secs_f64(),
        read_plain.as_secs_f64() / read_raw.as_secs_f64()
    );
}
