//! One-shot modes that print and exit: `--help`, `--version`, `--support`.

use crate::cli::LowArgs;
use crate::config::Config;
use falcon_driver::abi;
use serde_json::{Value, json};

fn version_string(v: u64) -> String {
    let (a, b, c) = abi::unpack_version(v);
    format!("{a}.{b}.{c}")
}

/// The versions, as `--version` and `--support` give them.
pub fn versions() -> Value {
    json!({
        "falcon_version": env!("CARGO_PKG_VERSION"),
        "engine_version_semver": crate::app::ENGINE_VERSION.to_string(),
        "driver_api_version": version_string(abi::API_VERSION),
        "driver_schema_version": version_string(abi::SCHEMA_VERSION),
    })
}

/// `falcon --version`: reads no configuration, so it works whatever state
/// the configuration is in. JSON with `-o json_output=true`.
pub fn version_text(args: &LowArgs) -> String {
    let json = args
        .options
        .iter()
        .filter_map(|o| o.strip_prefix("json_output="))
        .next_back()
        .is_some_and(|v| crate::config::decode_bool(v.trim()) == Some(true));
    if json {
        return format!("{}\n", versions());
    }
    format!(
        "Falcon version: {} ({})\nEngine:         {}\nDriver:\n  API version:    {}\n  Schema version: {}\n",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::ARCH,
        crate::app::ENGINE_VERSION,
        version_string(abi::API_VERSION),
        version_string(abi::SCHEMA_VERSION),
    )
}

fn read_trim(path: &str) -> String {
    std::fs::read_to_string(path)
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

/// Expands rules paths the way the loader does (directories: their
/// `.yaml`/`.yml` files, sorted).
pub fn rules_file_list(cfg: &Config) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for p in &cfg.rules_files {
        if p.is_dir() {
            let mut v: Vec<_> = std::fs::read_dir(p)
                .into_iter()
                .flatten()
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| {
                    f.is_file()
                        && matches!(f.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
                })
                .collect();
            v.sort();
            out.extend(v);
        } else {
            out.push(p.clone());
        }
    }
    out
}

/// `falcon --support`: versions, system, command line, config, rules files.
pub fn support(args: &LowArgs, cfg: &Config) -> Value {
    let rules: Vec<Value> = rules_file_list(cfg)
        .into_iter()
        .map(|p| {
            json!({
                "name": p.display().to_string(),
                "content": std::fs::read_to_string(&p).unwrap_or_default(),
            })
        })
        .collect();
    json!({
        "version": env!("CARGO_PKG_VERSION"),
        "engine_info": {
            "engine_version": crate::app::ENGINE_VERSION.to_string(),
            "driver_api_version": version_string(abi::API_VERSION),
            "driver_schema_version": version_string(abi::SCHEMA_VERSION),
        },
        "system_info": {
            "sysname": read_trim("/proc/sys/kernel/ostype"),
            "nodename": read_trim("/proc/sys/kernel/hostname"),
            "release": read_trim("/proc/sys/kernel/osrelease"),
            "version": read_trim("/proc/sys/kernel/version"),
            "machine": std::env::consts::ARCH,
        },
        "cmdline": args.cmdline,
        "config_files": cfg.files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>(),
        "config": cfg.tree_json(),
        "rules_files": rules,
    })
}
