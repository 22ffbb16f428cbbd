//! Reading falcon.yaml: the main file, the `config_files` it names
//! (`config.d/`), `${ENV}` expansion, `-o` overrides, and warnings for keys
//! falcon does not know.

use super::{ConfigError, override_};
use std::path::{Path, PathBuf};
use yaml_rust2::{Yaml, YamlLoader, yaml::Hash};

/// The default main configuration file.
pub const DEFAULT_CONFIG: &str = "/etc/falcon/falcon.yaml";
/// The default include directory, used when the main file is the default
/// one and does not set `config_files`.
pub const DEFAULT_CONFIG_D: &str = "/etc/falcon/config.d";

/// How an included file merges into what is loaded so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Strategy {
    /// Sequences are extended, maps merged, scalars replaced (the default).
    Append,
    /// Top-level keys replace the loaded ones.
    Override,
    /// Only top-level keys not loaded yet are added.
    AddOnly,
}

/// Parses one YAML file into a tree (an empty file is an empty map).
pub fn read_yaml(path: &Path) -> Result<Yaml, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
        path: path.to_path_buf(),
        err: e.to_string(),
    })?;
    parse_yaml(&text, path)
}

fn parse_yaml(text: &str, path: &Path) -> Result<Yaml, ConfigError> {
    let mut docs = YamlLoader::load_from_str(text).map_err(|e| ConfigError::Parse {
        path: path.to_path_buf(),
        line: e.marker().line(),
        col: e.marker().col() + 1,
        err: e.info().to_string(),
    })?;
    let doc = if docs.is_empty() {
        Yaml::Hash(Hash::new())
    } else {
        docs.swap_remove(0)
    };
    match doc {
        Yaml::Hash(_) => Ok(doc),
        Yaml::Null => Ok(Yaml::Hash(Hash::new())),
        _ => Err(ConfigError::NotAMap {
            path: path.to_path_buf(),
        }),
    }
}

/// The files and tree that make up a configuration, before typing.
#[derive(Debug)]
pub struct Loaded {
    /// Every file read, main file last (as Falco lists them).
    pub files: Vec<PathBuf>,
    /// The merged tree after `-o`.
    pub tree: Yaml,
    /// Non-fatal findings (unknown keys, ...).
    pub warnings: Vec<String>,
}

/// Loads `main` (or the default file, or nothing when the default does not
/// exist), its includes, then applies `options`.
pub fn load(main: Option<&Path>, options: &[String]) -> Result<Loaded, ConfigError> {
    let mut warnings = Vec::new();
    let mut files = Vec::new();
    let (mut tree, main_path, is_default) = match main {
        Some(p) => (read_yaml(p)?, Some(p.to_path_buf()), false),
        None => {
            let p = Path::new(DEFAULT_CONFIG);
            if p.exists() {
                (read_yaml(p)?, Some(p.to_path_buf()), true)
            } else {
                (Yaml::Hash(Hash::new()), None, true)
            }
        }
    };
    let includes = includes(&tree, is_default && main_path.is_some())?;
    for (path, strategy) in includes {
        for file in expand_dir(&path)? {
            let inc = read_yaml(&file)?;
            if super::value::get(&inc, "config_files").is_some() {
                return Err(ConfigError::NestedInclude { path: file });
            }
            merge_top(&mut tree, inc, strategy);
            files.push(file);
        }
    }
    if let Some(p) = main_path {
        files.push(p);
    }
    expand_env(&mut tree).map_err(|var| ConfigError::Env { var })?;
    for opt in options {
        override_::apply(&mut tree, opt)?;
    }
    unknown_keys(&tree, "", &mut warnings);
    Ok(Loaded {
        files,
        tree,
        warnings,
    })
}

fn includes(tree: &Yaml, default_main: bool) -> Result<Vec<(PathBuf, Strategy)>, ConfigError> {
    let Some(node) = super::value::get(tree, "config_files") else {
        return Ok(if default_main {
            vec![(PathBuf::from(DEFAULT_CONFIG_D), Strategy::Append)]
        } else {
            Vec::new()
        });
    };
    let items: Vec<&Yaml> = match node {
        Yaml::Array(a) => a.iter().collect(),
        other => vec![other],
    };
    let mut out = Vec::new();
    for item in items {
        match item {
            Yaml::String(s) => out.push((PathBuf::from(s), Strategy::Append)),
            Yaml::Hash(_) => {
                let path = super::value::string(item, "path")?.ok_or(ConfigError::Type {
                    path: "config_files[].path".into(),
                    want: "a path",
                    got: "nothing".into(),
                })?;
                let strategy = match super::value::string_or(item, "strategy", "append")?.as_str() {
                    "append" => Strategy::Append,
                    "override" => Strategy::Override,
                    "add-only" => Strategy::AddOnly,
                    other => {
                        return Err(ConfigError::Value {
                            path: "config_files[].strategy".into(),
                            why: format!("unknown strategy '{other}' (append, override, add-only)"),
                        });
                    }
                };
                out.push((PathBuf::from(path), strategy));
            }
            other => {
                return Err(ConfigError::Type {
                    path: "config_files".into(),
                    want: "paths or {path, strategy} maps",
                    got: super::value::describe(other),
                });
            }
        }
    }
    Ok(out)
}

/// A directory's `*.yaml`/`*.yml` files in lexicographic order; a file is
/// itself; a missing path contributes nothing.
fn expand_dir(path: &Path) -> Result<Vec<PathBuf>, ConfigError> {
    if path.is_dir() {
        let rd = std::fs::read_dir(path).map_err(|e| ConfigError::Read {
            path: path.to_path_buf(),
            err: e.to_string(),
        })?;
        let mut v: Vec<PathBuf> = rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.is_file()
                    && matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
            })
            .collect();
        v.sort();
        Ok(v)
    } else if path.exists() {
        Ok(vec![path.to_path_buf()])
    } else {
        Ok(Vec::new())
    }
}

fn merge_top(base: &mut Yaml, inc: Yaml, strategy: Strategy) {
    let (Yaml::Hash(b), Yaml::Hash(i)) = (base, inc) else {
        return;
    };
    for (k, v) in i {
        match strategy {
            Strategy::Override => {
                b.insert(k, v);
            }
            Strategy::AddOnly => {
                b.entry(k).or_insert(v);
            }
            Strategy::Append => match b.get_mut(&k) {
                Some(old) => merge_append(old, v),
                None => {
                    b.insert(k, v);
                }
            },
        }
    }
}

fn merge_append(old: &mut Yaml, new: Yaml) {
    match (old, new) {
        (Yaml::Array(a), Yaml::Array(n)) => a.extend(n),
        (Yaml::Hash(a), Yaml::Hash(n)) => {
            for (k, v) in n {
                match a.get_mut(&k) {
                    Some(o) => merge_append(o, v),
                    None => {
                        a.insert(k, v);
                    }
                }
            }
        }
        (o, n) => *o = n,
    }
}

/// Expands `${VAR}` in string scalars; `$${x}` yields a literal `${x}`.
/// A variable that is not set expands to nothing, like Falco.
fn expand_env(node: &mut Yaml) -> Result<(), String> {
    match node {
        Yaml::String(s) if s.contains("${") => *s = expand_str(s)?,
        Yaml::Array(a) => {
            for v in a {
                expand_env(v)?;
            }
        }
        Yaml::Hash(h) => {
            for (_, v) in h.iter_mut() {
                expand_env(v)?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn expand_str(s: &str) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find("${") {
        if rest[..at].ends_with('$') {
            out.push_str(&rest[..at - 1]);
            let end = rest[at..]
                .find('}')
                .map(|e| at + e + 1)
                .unwrap_or(rest.len());
            out.push_str(&rest[at..end]);
            rest = &rest[end..];
            continue;
        }
        out.push_str(&rest[..at]);
        let Some(end) = rest[at..].find('}') else {
            return Err(rest[at..].to_string());
        };
        let var = &rest[at + 2..at + end];
        out.push_str(&std::env::var(var).unwrap_or_default());
        rest = &rest[at + end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Every configuration path falcon reads or knowingly accepts. A trailing
/// `.*` accepts anything below that key.
const KNOWN: &[&str] = &[
    "config_files",
    "watch_config_files",
    "rules_files",
    "rules_file",
    "rule_files",
    "rules",
    "priority",
    "rule_matching",
    "static_fields.*",
    "engine.kind",
    "engine.replay.capture_file",
    "engine.kmod.buf_size_preset",
    "engine.kmod.drop_failed_exit",
    "engine.modern_ebpf.cpus_for_each_buffer",
    "engine.modern_ebpf.buf_size_preset",
    "engine.modern_ebpf.drop_failed_exit",
    "engine.modern_ebpf.disable_iterators",
    "engine.ebpf.*",
    "engine.gvisor.*",
    "engine.nodriver.*",
    "capture.*",
    "base_syscalls.custom_set",
    "base_syscalls.repair",
    "base_syscalls.all",
    "falco_libs.*",
    "load_plugins",
    "plugins",
    "plugins_hostinfo",
    "time_format_iso_8601",
    "buffer_format_base64",
    "json_output",
    "json_include_output_property",
    "json_include_message_property",
    "json_include_output_fields_property",
    "json_include_tags_property",
    "buffered_outputs",
    "outputs_queue.capacity",
    "outputs.rate",
    "outputs.max_burst",
    "append_output",
    "stdout_output.enabled",
    "syslog_output.enabled",
    "file_output.enabled",
    "file_output.keep_alive",
    "file_output.filename",
    "program_output.enabled",
    "program_output.keep_alive",
    "program_output.program",
    "http_output.enabled",
    "http_output.url",
    "http_output.user_agent",
    "http_output.insecure",
    "http_output.ca_cert",
    "http_output.ca_bundle",
    "http_output.ca_path",
    "http_output.mtls",
    "http_output.client_cert",
    "http_output.client_key",
    "http_output.echo",
    "http_output.compress_uploads",
    "http_output.keep_alive",
    "http_output.max_consecutive_timeouts",
    "grpc.*",
    "grpc_output.*",
    "output_timeout",
    "webserver.*",
    "log_stderr",
    "log_syslog",
    "log_level",
    "libs_logger.*",
    "syscall_event_timeouts.*",
    "syscall_event_drops.threshold",
    "syscall_event_drops.actions",
    "syscall_event_drops.rate",
    "syscall_event_drops.max_burst",
    "syscall_event_drops.simulate_drops",
    "metrics.*",
    "container_engines.*",
    "stats_interval",
];

fn is_known(path: &str) -> Option<bool> {
    // Some(true): a known leaf or open subtree; Some(false): a known
    // prefix whose children are checked; None: unknown.
    let mut prefix = false;
    for k in KNOWN {
        if let Some(open) = k.strip_suffix(".*") {
            if path == open || path.starts_with(&format!("{open}.")) {
                return Some(true);
            }
            if open.starts_with(&format!("{path}.")) {
                prefix = true;
            }
        } else if *k == path {
            return Some(true);
        } else if k.starts_with(&format!("{path}.")) {
            prefix = true;
        }
    }
    prefix.then_some(false)
}

fn unknown_keys(node: &Yaml, prefix: &str, warnings: &mut Vec<String>) {
    let Yaml::Hash(h) = node else { return };
    for (k, v) in h {
        let key = super::value::scalar_text(k).unwrap_or_else(|| "?".into());
        let path = if prefix.is_empty() {
            key
        } else {
            format!("{prefix}.{key}")
        };
        match is_known(&path) {
            Some(true) => {}
            Some(false) => unknown_keys(v, &path, warnings),
            None => warnings.push(format!("Unknown configuration key '{path}': it is ignored")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("falcon-cfg-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn unknown_keys_are_warnings_with_paths() {
        let d = tmp("unknown");
        let f = d.join("c.yaml");
        std::fs::write(
            &f,
            "json_output: true\nbogus: 1\nfile_output: {enabled: true, colour: red}\nwebserver: {anything: 1}\n",
        )
        .unwrap();
        let l = load(Some(&f), &["engine.kmod.nope=1".into()]).unwrap();
        assert_eq!(l.warnings.len(), 3, "{:?}", l.warnings);
        assert!(l.warnings[0].contains("'bogus'"));
        assert!(l.warnings[1].contains("'file_output.colour'"));
        assert!(l.warnings[2].contains("'engine.kmod.nope'"));
    }

    #[test]
    fn includes_merge_in_order() {
        let d = tmp("inc");
        let cd = d.join("config.d");
        std::fs::create_dir_all(&cd).unwrap();
        std::fs::write(
            cd.join("b.yaml"),
            "rules_files: [b.yaml]\njson_output: true\n",
        )
        .unwrap();
        std::fs::write(cd.join("a.yml"), "rules_files: [a.yaml]\n").unwrap();
        std::fs::write(cd.join("skip.txt"), "json_output: false\n").unwrap();
        let main = d.join("falcon.yaml");
        std::fs::write(
            &main,
            format!(
                "config_files: [{}]\nrules_files: [main.yaml]\njson_output: false\n",
                cd.display()
            ),
        )
        .unwrap();
        let l = load(Some(&main), &[]).unwrap();
        assert_eq!(l.files.len(), 3);
        let rf: Vec<_> = l.tree["rules_files"]
            .as_vec()
            .unwrap()
            .iter()
            .map(|y| y.as_str().unwrap())
            .collect();
        assert_eq!(rf, ["main.yaml", "a.yaml", "b.yaml"]);
        assert_eq!(l.tree["json_output"].as_bool(), Some(true));
    }

    #[test]
    fn override_and_add_only_strategies() {
        let d = tmp("strat");
        std::fs::write(d.join("o.yaml"), "rules_files: [o.yaml]\n").unwrap();
        std::fs::write(d.join("a.yaml"), "rules_files: [x]\npriority: error\n").unwrap();
        let main = d.join("m.yaml");
        std::fs::write(
            &main,
            format!(
                "config_files:\n  - {{path: {0}/o.yaml, strategy: override}}\n  - {{path: {0}/a.yaml, strategy: add-only}}\nrules_files: [m.yaml]\n",
                d.display()
            ),
        )
        .unwrap();
        let l = load(Some(&main), &[]).unwrap();
        assert_eq!(l.tree["rules_files"][0].as_str(), Some("o.yaml"));
        assert_eq!(l.tree["rules_files"].as_vec().unwrap().len(), 1);
        assert_eq!(l.tree["priority"].as_str(), Some("error"));
    }

    #[test]
    fn nested_include_is_an_error() {
        let d = tmp("nested");
        std::fs::write(d.join("i.yaml"), "config_files: [x]\n").unwrap();
        let main = d.join("m.yaml");
        std::fs::write(&main, format!("config_files: [{}/i.yaml]\n", d.display())).unwrap();
        assert!(matches!(
            load(Some(&main), &[]),
            Err(ConfigError::NestedInclude { .. })
        ));
    }

    #[test]
    fn env_expansion() {
        // set_var is unsafe in edition 2024: read a variable that is set.
        let home = std::env::var("PATH").unwrap();
        assert_eq!(expand_str("a${PATH}b").unwrap(), format!("a{home}b"));
        assert_eq!(expand_str("$${PATH}").unwrap(), "${PATH}");
        assert_eq!(expand_str("${FALCON_SURELY_UNSET_VAR}x").unwrap(), "x");
        assert!(expand_str("${OPEN").is_err());
    }

    #[test]
    fn bad_files_name_themselves() {
        let d = tmp("bad");
        let f = d.join("bad.yaml");
        std::fs::write(&f, "a: [\n").unwrap();
        let e = load(Some(&f), &[]).unwrap_err().to_string();
        assert!(e.contains("bad.yaml"), "{e}");
        std::fs::write(&f, "- a\n- b\n").unwrap();
        assert!(matches!(
            load(Some(&f), &[]),
            Err(ConfigError::NotAMap { .. })
        ));
        let missing = d.join("missing.yaml");
        assert!(matches!(
            load(Some(&missing), &[]),
            Err(ConfigError::Read { .. })
        ));
    }
}
