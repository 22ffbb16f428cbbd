//! Generates the Rust view of `abi/`: bindgen for the header's layouts and
//! constants, and a small parser for the two `.def` tables.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::PathBuf;

#[path = "bpf/build_probe.rs"]
mod build_probe;

fn main() {
    let abi = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("abi");
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    for f in ["falcon_abi.h", "falcon_events.def", "falcon_syscalls.def"] {
        println!("cargo:rerun-if-changed={}", abi.join(f).display());
    }

    bindgen::Builder::default()
        .header(abi.join("falcon_abi.h").to_string_lossy())
        .allowlist_type("falcon_.*")
        .allowlist_var("FALCON_.*|PT_.*|EF_.*|EC_.*|PPME_.*")
        .default_enum_style(bindgen::EnumVariation::Consts)
        .prepend_enum_name(false)
        .layout_tests(true)
        .generate()
        .expect("bindgen failed on abi/falcon_abi.h")
        .write_to_file(out.join("abi_bindings.rs"))
        .expect("cannot write abi_bindings.rs");

    let events = fs::read_to_string(abi.join("falcon_events.def")).unwrap();
    let syscalls = fs::read_to_string(abi.join("falcon_syscalls.def")).unwrap();
    let mut code = String::new();
    gen_events(&events, &mut code);
    gen_syscalls(&syscalls, &mut code);
    fs::write(out.join("abi_tables.rs"), code).unwrap();

    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    build_probe::build(&manifest, &out, &events, &syscalls);
}

/// Splits the macro invocations `NAME(...)` of a `.def` file into their
/// top-level, comma-separated arguments (comments skipped).
fn invocations(src: &str, name: &str) -> Vec<Vec<String>> {
    let src = strip_comments(src);
    let mut res = Vec::new();
    let mut rest = src.as_str();
    let pat = format!("{name}(");
    while let Some(pos) = rest.find(&pat) {
        rest = &rest[pos + pat.len()..];
        let mut depth = 1;
        let mut in_str = false;
        let mut args = Vec::new();
        let mut cur = String::new();
        let mut end = 0;
        for (i, c) in rest.char_indices() {
            match c {
                '"' => in_str = !in_str,
                '(' if !in_str => depth += 1,
                ')' if !in_str => {
                    depth -= 1;
                    if depth == 0 {
                        end = i;
                        break;
                    }
                }
                ',' if !in_str && depth == 1 => {
                    args.push(cur.trim().to_string());
                    cur.clear();
                    continue;
                }
                _ => {}
            }
            cur.push(c);
        }
        if !cur.trim().is_empty() {
            args.push(cur.trim().to_string());
        }
        res.push(args);
        rest = &rest[end..];
    }
    res
}

fn strip_comments(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(p) = rest.find("/*") {
        out.push_str(&rest[..p]);
        match rest[p..].find("*/") {
            Some(e) => rest = &rest[p + e + 2..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

fn flag_expr(s: &str) -> String {
    s.split('|')
        .map(|f| f.trim().to_string())
        .collect::<Vec<_>>()
        .join(" | ")
}

fn gen_events(src: &str, code: &mut String) {
    let evs = invocations(src, "FALCON_EVENT");
    writeln!(code, "/// The event table, indexed by event code.").unwrap();
    writeln!(
        code,
        "pub static EVENT_TABLE: [EventInfo; {}] = [",
        evs.len()
    )
    .unwrap();
    for (i, a) in evs.iter().enumerate() {
        let id: usize = a[0].parse().unwrap();
        assert_eq!(id, i, "falcon_events.def must list codes in order");
        let sym = &a[1];
        let name = &a[2];
        let cat = flag_expr(&a[3]);
        let flags = flag_expr(&a[4]);
        let n22: i32 = a[5].parse().unwrap();
        let mut params = String::new();
        for p in &a[6..] {
            let inner = p
                .strip_prefix("FP(")
                .and_then(|s| s.strip_suffix(')'))
                .unwrap_or_else(|| panic!("bad parameter {p} in event {id}"));
            let parts: Vec<&str> = inner.split(',').map(str::trim).collect();
            let ty = parts[1].strip_prefix("PT_").unwrap();
            write!(
                params,
                "ParamInfo {{ name: {}, ty: ParamType::{}, dirfd: {} }}, ",
                parts[0],
                camel(ty),
                parts[2]
            )
            .unwrap();
        }
        writeln!(
            code,
            "    EventInfo {{ code: {id}, symbol: \"{sym}\", name: {name}, category: {cat}, flags: {flags}, nparams_2022: {n22}, params: &[{params}] }},"
        )
        .unwrap();
    }
    writeln!(code, "];").unwrap();
}

fn gen_syscalls(src: &str, code: &mut String) {
    let scs = invocations(src, "FALCON_SYSCALL");
    writeln!(
        code,
        "/// The x86_64 syscall table, in native-number order."
    )
    .unwrap();
    writeln!(
        code,
        "pub static SYSCALL_TABLE: [SyscallInfo; {}] = [",
        scs.len()
    )
    .unwrap();
    for a in &scs {
        writeln!(
            code,
            "    SyscallInfo {{ nr: {}, name: \"{}\", ppm_sc: {}, exit_event: {}, enter_event: {} }},",
            a[0], a[1], a[2], a[3], a[4]
        )
        .unwrap();
    }
    writeln!(code, "];").unwrap();
}

/// `SOCKTUPLE` -> `Socktuple`, `CHARBUF_PAIR_ARRAY` -> `CharbufPairArray`.
fn camel(s: &str) -> String {
    s.split('_')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + &c.as_str().to_ascii_lowercase(),
                None => String::new(),
            }
        })
        .collect()
}
