//! `cargo run --example validate -- [--json] [-L] FILE...`: prints the
//! `-V` text (with `--json` the `falco_load_results` JSON, with `-L` also
//! `falco_describe_results`) for rules files.

use falcon_engine::filter::syscall::SyscallFields;
use falcon_engine::rules::{LoadOptions, SourceSet, load_rules};

fn main() {
    let mut json = false;
    let mut list = false;
    let mut paths = Vec::new();
    for a in std::env::args().skip(1) {
        if a == "--json" {
            json = true;
        } else if a == "-L" {
            list = true;
        } else {
            paths.push(std::path::PathBuf::from(a));
        }
    }
    let mut sources = SourceSet::new();
    sources.add("syscall", SyscallFields);
    let t0 = std::time::Instant::now();
    let res = load_rules(&paths, &sources, &LoadOptions::default());
    let dt = t0.elapsed();
    if json {
        let mut out = serde_json::json!({ "falco_load_results": res.load_results_json() });
        if list && res.successful() {
            out["falco_describe_results"] = res.describe(None).expect("describe");
        }
        println!("{out}");
    } else {
        println!("{}", res.validation_text());
        let contents = |n: &str| res.content(n);
        for f in &res.files {
            if f.successful() && !f.warnings.is_empty() {
                eprintln!("{}", f.verbose_string(&contents));
            }
        }
    }
    eprintln!("load+compile: {dt:?}");
    std::process::exit(if res.successful() { 0 } else { 1 });
}
