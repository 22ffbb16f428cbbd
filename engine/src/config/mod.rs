//! falcon.yaml, compatible with falco.yaml.
//!
//! [`Config::load`] reads `-c FILE` (or `/etc/falcon/falcon.yaml`, or
//! built-in defaults when that does not exist), the `config_files` it names
//! (by default `/etc/falcon/config.d/`), expands `${ENV}`, applies `-o`
//! overrides and then the other command-line flags, and types every
//! section. Keys falcon does not know are warnings naming their path;
//! values of the wrong type are errors naming their path.
//! The result is immutable: everything a run needs is read from it.

mod load;
#[path = "override.rs"]
mod override_;
mod value;

pub use load::{DEFAULT_CONFIG, DEFAULT_CONFIG_D};
pub use override_::OverrideError;
pub use value::decode_bool;

use crate::cli::{LowArgs, Selection};
use crate::outputs::{self, Formatter, Priority};
use std::path::PathBuf;
use value::{bool_or, float_or, get, int_or, string, string_or, strings, uint_or};
use yaml_rust2::Yaml;

/// Why the configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A file could not be read.
    #[error("Error reading config file ({}): {err}", path.display())]
    Read { path: PathBuf, err: String },
    /// A file is not valid YAML.
    #[error("Error reading config file ({}): {line}:{col}: {err}", path.display())]
    Parse {
        path: PathBuf,
        line: usize,
        col: usize,
        err: String,
    },
    /// A file's top level is not a map.
    #[error("Error reading config file ({}): the top level must be a map", path.display())]
    NotAMap { path: PathBuf },
    /// An included file includes others.
    #[error("Config error: 'config_files' directive in included config file {}.", path.display())]
    NestedInclude { path: PathBuf },
    /// `${VAR` without its `}`.
    #[error("Config error: unterminated environment variable reference '{var}'")]
    Env { var: String },
    /// A `-o` option that does not parse.
    #[error(transparent)]
    Override(#[from] OverrideError),
    /// A key with a value of the wrong type.
    #[error("Config error: '{path}' must be {want}, not {got}")]
    Type {
        path: String,
        want: &'static str,
        got: String,
    },
    /// A key with a value out of range or not one of the choices.
    #[error("Config error: '{path}': {why}")]
    Value { path: String, why: String },
}

/// `engine.kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EngineKind {
    /// The falcon kernel module if loaded (or loadable), else the eBPF probe.
    Auto,
    /// `/dev/falcon*`.
    Kmod,
    /// The CO-RE eBPF probe.
    ModernEbpf,
    /// A `.scap` file (`engine.replay.capture_file`).
    Replay,
    /// No syscall source.
    NoDriver,
}

impl EngineKind {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "auto" => EngineKind::Auto,
            "kmod" => EngineKind::Kmod,
            "modern_ebpf" | "modern-bpf" => EngineKind::ModernEbpf,
            "replay" => EngineKind::Replay,
            "nodriver" => EngineKind::NoDriver,
            _ => return None,
        })
    }

    /// The falco.yaml spelling.
    pub fn name(self) -> &'static str {
        match self {
            EngineKind::Auto => "auto",
            EngineKind::Kmod => "kmod",
            EngineKind::ModernEbpf => "modern_ebpf",
            EngineKind::Replay => "replay",
            EngineKind::NoDriver => "nodriver",
        }
    }
}

/// `engine.kmod` / `engine.modern_ebpf` buffer settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DriverConfig {
    /// `buf_size_preset` (default 4 = 8 MiB per buffer).
    pub buf_size_preset: u8,
    /// `drop_failed_exit` (default false).
    pub drop_failed_exit: bool,
    /// `cpus_for_each_buffer` (modern_ebpf only; default 2).
    pub cpus_for_each_buffer: u32,
}

impl DriverConfig {
    /// `buf_size_preset` index to bytes: [-, 1, 2, 4, 8, 16, 32, 64, 128,
    /// 256, 512] MiB.
    pub fn buffer_bytes(&self) -> usize {
        let mb = match self.buf_size_preset {
            0 | 4 => 8,
            n if n <= 10 => 1usize << (n - 1),
            _ => 8,
        };
        mb << 20
    }
}

/// `engine`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineConfig {
    /// `engine.kind` (default `auto`; `-e` sets `replay`).
    pub kind: EngineKind,
    /// `engine.replay.capture_file`.
    pub capture_file: Option<PathBuf>,
    /// `engine.kmod`.
    pub kmod: DriverConfig,
    /// `engine.modern_ebpf`.
    pub modern_ebpf: DriverConfig,
}

/// One `rules:` entry (or `-D`/`-T`/`-t`), applied in order after loading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSelect {
    /// `enable` (true) or `disable` (false).
    pub enable: bool,
    /// What it applies to.
    pub target: RuleTarget,
}

/// What a [`RuleSelect`] matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleTarget {
    /// Rule names matching a pattern where `*` matches any text.
    Rule(String),
    /// Rules carrying this tag (exact).
    Tag(String),
}

impl RuleTarget {
    /// Whether a rule with this name and tags is selected.
    pub fn matches(&self, name: &str, tags: &[impl AsRef<str>]) -> bool {
        match self {
            RuleTarget::Rule(p) => wildcard(p, name),
            RuleTarget::Tag(t) => tags.iter().any(|x| x.as_ref() == t),
        }
    }
}

/// `*`-wildcard match of the whole text.
pub fn wildcard(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

/// What to do on syscall event drops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DropAction {
    /// Do nothing.
    Ignore,
    /// Log a line.
    Log,
    /// Raise the `Falco internal: syscall event drop` alert.
    Alert,
    /// Exit.
    Exit,
}

/// `syscall_event_drops`.
#[derive(Debug, Clone, PartialEq)]
pub struct DropsConfig {
    /// `threshold` (default 0.1), in [0, 1].
    pub threshold: f64,
    /// `actions` (default `[log, alert]`).
    pub actions: Vec<DropAction>,
    /// `rate` (default 0.03333 actions per second).
    pub rate: f64,
    /// `max_burst` (default 1).
    pub max_burst: u64,
    /// `simulate_drops` (default false).
    pub simulate_drops: bool,
}

/// One `append_output` entry.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AppendOutput {
    /// `match.source`.
    pub source: Option<String>,
    /// `match.tags`: all must be on the rule.
    pub tags: Vec<String>,
    /// `match.rule`.
    pub rule: Option<String>,
    /// `extra_output`: appended as `" " + text` to the output.
    pub extra_output: Option<String>,
    /// `extra_fields`: (name, format) added to JSON `output_fields` only.
    pub extra_fields: Vec<(String, String)>,
    /// `suggested_output`: append plugin-suggested fields.
    pub suggested_output: bool,
}

impl AppendOutput {
    /// Whether this entry applies to a rule.
    pub fn applies(&self, rule: &str, source: &str, tags: &[impl AsRef<str>]) -> bool {
        self.source.as_deref().is_none_or(|s| s == source)
            && self.rule.as_deref().is_none_or(|r| r == rule)
            && self
                .tags
                .iter()
                .all(|t| tags.iter().any(|x| x.as_ref() == t))
    }
}

/// `log_*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogConfig {
    /// `log_level` (default info): the least severe level logged.
    pub level: Priority,
    /// `log_stderr` (default true).
    pub stderr: bool,
    /// `log_syslog` (default true).
    pub syslog: bool,
}

/// `metrics` (the keys falcon acts on).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricsConfig {
    /// `enabled` (default false).
    pub enabled: bool,
    /// `interval` (default `1h`), in ms.
    pub interval_ms: u64,
    /// `output_file`.
    pub output_file: Option<PathBuf>,
}

/// One `plugins` entry (accepted; loaded by the plugin host).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginConfig {
    /// `name`.
    pub name: String,
    /// `library_path`.
    pub library_path: String,
    /// `init_config`, as text (a map is rendered as JSON).
    pub init_config: String,
    /// `open_params`.
    pub open_params: String,
}

/// `base_syscalls`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BaseSyscalls {
    /// `custom_set`.
    pub custom_set: Vec<String>,
    /// `repair`.
    pub repair: bool,
    /// `all`.
    pub all: bool,
}

/// The whole typed configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Config files read, includes first, main file last.
    pub files: Vec<PathBuf>,
    /// The merged tree (for `--support`).
    pub tree: Yaml,
    /// Non-fatal findings, to be logged.
    pub warnings: Vec<String>,
    /// `rules_files` (or `-r`): files and directories, in order.
    pub rules_files: Vec<PathBuf>,
    /// `rules:` then `-D`/`-T`/`-t`, in order.
    pub rules_selection: Vec<RuleSelect>,
    /// `priority` (default debug): the least severe priority loaded.
    pub min_priority: Priority,
    /// `rule_matching` is `all` (default `first`).
    pub match_all_rules: bool,
    /// Alert rendering (`json_*`, `time_format_iso_8601`, hostname).
    pub formatter: Formatter,
    /// `buffered_outputs` (default false; `-U` forces false).
    pub buffered_outputs: bool,
    /// `outputs_queue.capacity` (0: falcon's default bound).
    pub queue_capacity: usize,
    /// `output_timeout` (default 2000 ms): longest wait for a blocked
    /// output in replay.
    pub output_timeout_ms: u64,
    /// Enabled outputs, in Falco's order: file, stdout, syslog, program, http.
    pub outputs: Vec<outputs::Config>,
    /// `append_output` (default `[{suggested_output: true}]`), and `-p`.
    pub append_output: Vec<AppendOutput>,
    /// `log_*`.
    pub log: LogConfig,
    /// `engine`.
    pub engine: EngineConfig,
    /// `syscall_event_drops`.
    pub drops: DropsConfig,
    /// `metrics`.
    pub metrics: MetricsConfig,
    /// `watch_config_files` (default true).
    pub watch_config_files: bool,
    /// `plugins`.
    pub plugins: Vec<PluginConfig>,
    /// `load_plugins` (`None`: absent, every plugin is loaded).
    pub load_plugins: Option<Vec<String>>,
    /// `base_syscalls`.
    pub base_syscalls: BaseSyscalls,
    /// `falco_libs.snaplen` (default 80).
    pub snaplen: u32,
    /// `-M`: stop after this many seconds.
    pub duration_s: Option<u64>,
    /// `-s`: periodic stats interval.
    pub stats_interval_ms: Option<u64>,
    /// `-w`: also write events to this capture.
    pub write_capture: Option<PathBuf>,
    /// `--dump-events`.
    pub dump_events: Option<String>,
    /// `--dry-run`.
    pub dry_run: bool,
}

/// Falco's default rules files, with falcon's paths.
pub const DEFAULT_RULES_FILES: [&str; 3] = [
    "/etc/falcon/falcon_rules.yaml",
    "/etc/falcon/falcon_rules.local.yaml",
    "/etc/falcon/rules.d",
];

fn parse_interval_ms(path: &str, s: &str) -> Result<u64, ConfigError> {
    let bad = || ConfigError::Value {
        path: path.into(),
        why: format!("'{s}' is not a duration like 500ms, 15s, 5m, 1h"),
    };
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let n: u64 = t[..split].parse().map_err(|_| bad())?;
    let mul = match &t[split..] {
        "ms" => 1,
        "" | "s" => 1000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return Err(bad()),
    };
    Ok(n * mul)
}

impl Config {
    /// Loads the configuration the command line asks for.
    pub fn load(args: &LowArgs) -> Result<Config, ConfigError> {
        let loaded = load::load(args.config.as_deref(), &args.options)?;
        Self::from_tree(loaded.tree, loaded.files, loaded.warnings, args)
    }

    /// Types a merged tree; applies the flags of `args` that override it.
    pub fn from_tree(
        t: Yaml,
        files: Vec<PathBuf>,
        mut warnings: Vec<String>,
        args: &LowArgs,
    ) -> Result<Config, ConfigError> {
        // Rules files.
        let rules_files: Vec<PathBuf> = if !args.rules.is_empty() {
            args.rules.clone()
        } else {
            let plural = strings(&t, "rules_files")?;
            let singular = strings(&t, "rules_file")?;
            match (plural, singular) {
                (Some(_), Some(_)) => {
                    return Err(ConfigError::Value {
                        path: "rules_files".into(),
                        why: "both 'rules_files' and the deprecated 'rules_file' are set".into(),
                    });
                }
                (Some(p), None) => p.into_iter().map(PathBuf::from).collect(),
                (None, Some(s)) => {
                    warnings.push("Using deprecated config key 'rules_file' (singular form). Please use new 'rules_files' config key.".into());
                    s.into_iter().map(PathBuf::from).collect()
                }
                (None, None) => DEFAULT_RULES_FILES.iter().map(PathBuf::from).collect(),
            }
        };

        let mut rules_selection = Vec::new();
        if let Some(node) = get(&t, "rules") {
            let Yaml::Array(items) = node else {
                return Err(ConfigError::Type {
                    path: "rules".into(),
                    want: "a sequence of {enable|disable: {rule|tag}}",
                    got: value::describe(node),
                });
            };
            for (i, item) in items.iter().enumerate() {
                for (verb, enable) in [("enable", true), ("disable", false)] {
                    let Some(sel) = get(item, verb) else { continue };
                    let path = format!("rules[{i}].{verb}");
                    let target = if let Some(r) = string(sel, "rule")? {
                        RuleTarget::Rule(r)
                    } else if let Some(tag) = string(sel, "tag")? {
                        RuleTarget::Tag(tag)
                    } else {
                        return Err(ConfigError::Value {
                            path,
                            why: "needs a 'rule' or a 'tag'".into(),
                        });
                    };
                    rules_selection.push(RuleSelect { enable, target });
                }
            }
        }
        let run_only: Vec<&String> = args
            .selection
            .iter()
            .filter_map(|s| match s {
                Selection::EnableTag(t) => Some(t),
                _ => None,
            })
            .collect();
        if !run_only.is_empty() {
            rules_selection.push(RuleSelect {
                enable: false,
                target: RuleTarget::Rule("*".into()),
            });
        }
        for s in &args.selection {
            rules_selection.push(match s {
                Selection::DisableRule(sub) => RuleSelect {
                    enable: false,
                    target: RuleTarget::Rule(format!("*{sub}*")),
                },
                Selection::DisableTag(tag) => RuleSelect {
                    enable: false,
                    target: RuleTarget::Tag(tag.clone()),
                },
                Selection::EnableTag(tag) => RuleSelect {
                    enable: true,
                    target: RuleTarget::Tag(tag.clone()),
                },
            });
        }

        let prio = string_or(&t, "priority", "debug")?;
        let min_priority = Priority::parse(prio.trim()).ok_or_else(|| ConfigError::Value {
            path: "priority".into(),
            why: format!("Unknown priority \"{prio}\"--must be one of emergency, alert, critical, error, warning, notice, informational, debug"),
        })?;
        let match_all_rules = match string_or(&t, "rule_matching", "first")?.as_str() {
            "first" => false,
            "all" => true,
            other => {
                return Err(ConfigError::Value {
                    path: "rule_matching".into(),
                    why: format!("'{other}' is neither 'first' nor 'all'"),
                });
            }
        };

        let formatter = Formatter {
            json: bool_or(&t, "json_output", false)?,
            include_output: bool_or(&t, "json_include_output_property", true)?,
            include_message: bool_or(&t, "json_include_message_property", false)?,
            include_output_fields: bool_or(&t, "json_include_output_fields_property", true)?,
            include_tags: bool_or(&t, "json_include_tags_property", true)?,
            iso8601: bool_or(&t, "time_format_iso_8601", false)?,
            hostname: outputs::format::hostname(),
        };

        let outputs = Self::outputs(&t)?;

        let mut append_output = Vec::new();
        match get(&t, "append_output") {
            None => append_output.push(AppendOutput {
                suggested_output: true,
                ..Default::default()
            }),
            Some(Yaml::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    append_output.push(Self::append_entry(item, i)?);
                }
            }
            Some(other) => {
                return Err(ConfigError::Type {
                    path: "append_output".into(),
                    want: "a sequence",
                    got: value::describe(other),
                });
            }
        }
        if let Some(p) = &args.print_extra {
            append_output.push(AppendOutput {
                extra_output: Some(p.clone()),
                ..Default::default()
            });
        }

        let level = string_or(&t, "log_level", "info")?;
        let log = LogConfig {
            level: if args.verbose {
                Priority::Debug
            } else {
                Priority::parse(level.trim()).ok_or_else(|| ConfigError::Value {
                    path: "log_level".into(),
                    why: format!("unknown level '{level}'"),
                })?
            },
            stderr: bool_or(&t, "log_stderr", true)?,
            syslog: bool_or(&t, "log_syslog", true)?,
        };

        let engine = Self::engine(&t, args)?;
        let drops = Self::drops(&t)?;

        let metrics = MetricsConfig {
            enabled: bool_or(&t, "metrics.enabled", false)?,
            interval_ms: parse_interval_ms(
                "metrics.interval",
                &string_or(&t, "metrics.interval", "1h")?,
            )?,
            output_file: string(&t, "metrics.output_file")?.map(PathBuf::from),
        };

        let mut plugins = Vec::new();
        if let Some(Yaml::Array(items)) = get(&t, "plugins") {
            for (i, p) in items.iter().enumerate() {
                let init_config = match get(p, "init_config") {
                    None => String::new(),
                    Some(y @ (Yaml::Hash(_) | Yaml::Array(_))) => yaml_to_json(y).to_string(),
                    Some(y) => value::scalar_text(y).unwrap_or_default(),
                };
                plugins.push(PluginConfig {
                    name: string(p, "name")?.ok_or_else(|| ConfigError::Value {
                        path: format!("plugins[{i}].name"),
                        why: "must be set".into(),
                    })?,
                    library_path: string_or(p, "library_path", "")?,
                    init_config,
                    open_params: string_or(p, "open_params", "")?,
                });
            }
        }

        Ok(Config {
            files,
            warnings,
            rules_files,
            rules_selection,
            min_priority,
            match_all_rules,
            formatter,
            buffered_outputs: bool_or(&t, "buffered_outputs", false)? && !args.unbuffered,
            queue_capacity: uint_or(&t, "outputs_queue.capacity", 0)? as usize,
            output_timeout_ms: uint_or(&t, "output_timeout", 2000)?,
            outputs,
            append_output,
            log,
            engine,
            drops,
            metrics,
            watch_config_files: bool_or(&t, "watch_config_files", true)?,
            plugins,
            load_plugins: strings(&t, "load_plugins")?,
            base_syscalls: BaseSyscalls {
                custom_set: strings(&t, "base_syscalls.custom_set")?.unwrap_or_default(),
                repair: bool_or(&t, "base_syscalls.repair", false)?,
                all: bool_or(&t, "base_syscalls.all", false)?,
            },
            snaplen: uint_or(&t, "falco_libs.snaplen", 80)? as u32,
            duration_s: args.duration_s,
            stats_interval_ms: args.stats_interval_ms,
            write_capture: args.write_capture.clone(),
            dump_events: args.dump_events.clone(),
            dry_run: args.dry_run,
            tree: t,
        })
    }

    fn outputs(t: &Yaml) -> Result<Vec<outputs::Config>, ConfigError> {
        let mut v = Vec::new();
        let file = outputs::file::Config {
            enabled: bool_or(t, "file_output.enabled", false)?,
            keep_alive: bool_or(t, "file_output.keep_alive", false)?,
            filename: PathBuf::from(string_or(t, "file_output.filename", "./events.txt")?),
        };
        if file.enabled {
            v.push(outputs::Config::File(file));
        }
        if bool_or(t, "stdout_output.enabled", true)? {
            v.push(outputs::Config::Stdout(outputs::stdout::Config {
                enabled: true,
            }));
        }
        if bool_or(t, "syslog_output.enabled", true)? {
            v.push(outputs::Config::Syslog(outputs::syslog::Config::default()));
        }
        let program = outputs::program::Config {
            enabled: bool_or(t, "program_output.enabled", false)?,
            keep_alive: bool_or(t, "program_output.keep_alive", false)?,
            program: string_or(t, "program_output.program", "")?,
        };
        if program.enabled {
            v.push(outputs::Config::Program(program));
        }
        let d = outputs::http::Config::default();
        let http = outputs::http::Config {
            enabled: bool_or(t, "http_output.enabled", false)?,
            url: string_or(t, "http_output.url", "")?,
            user_agent: string_or(t, "http_output.user_agent", &d.user_agent)?,
            insecure: bool_or(t, "http_output.insecure", false)?,
            ca_cert: string_or(t, "http_output.ca_cert", "")?,
            ca_bundle: string_or(t, "http_output.ca_bundle", "")?,
            ca_path: string_or(t, "http_output.ca_path", &d.ca_path)?,
            mtls: bool_or(t, "http_output.mtls", false)?,
            client_cert: string_or(t, "http_output.client_cert", &d.client_cert)?,
            client_key: string_or(t, "http_output.client_key", &d.client_key)?,
            echo: bool_or(t, "http_output.echo", false)?,
            compress_uploads: bool_or(t, "http_output.compress_uploads", false)?,
            keep_alive: bool_or(t, "http_output.keep_alive", false)?,
            max_consecutive_timeouts: uint_or(t, "http_output.max_consecutive_timeouts", 5)? as u32,
        };
        if http.enabled {
            v.push(outputs::Config::Http(http));
        }
        Ok(v)
    }

    fn append_entry(item: &Yaml, i: usize) -> Result<AppendOutput, ConfigError> {
        let mut e = AppendOutput {
            source: string(item, "match.source")?,
            tags: strings(item, "match.tags")?.unwrap_or_default(),
            rule: string(item, "match.rule")?,
            extra_output: string(item, "extra_output")?,
            suggested_output: bool_or(item, "suggested_output", false)?,
            ..Default::default()
        };
        match get(item, "extra_fields") {
            None => {}
            Some(Yaml::Array(fields)) => {
                for f in fields {
                    match f {
                        Yaml::Hash(h) => {
                            for (k, v) in h {
                                let k = value::scalar_text(k).unwrap_or_default();
                                let v = value::scalar_text(v).unwrap_or_default();
                                e.extra_fields.push((k, v));
                            }
                        }
                        other => {
                            let name = value::scalar_text(other).unwrap_or_default();
                            e.extra_fields.push((name.clone(), format!("%{name}")));
                        }
                    }
                }
            }
            Some(other) => {
                return Err(ConfigError::Type {
                    path: format!("append_output[{i}].extra_fields"),
                    want: "a sequence",
                    got: value::describe(other),
                });
            }
        }
        Ok(e)
    }

    fn driver(t: &Yaml, section: &str) -> Result<DriverConfig, ConfigError> {
        let preset = uint_or(t, &format!("engine.{section}.buf_size_preset"), 4)?;
        if preset > 10 {
            return Err(ConfigError::Value {
                path: format!("engine.{section}.buf_size_preset"),
                why: format!("{preset} is not a preset (0..=10)"),
            });
        }
        Ok(DriverConfig {
            buf_size_preset: preset as u8,
            drop_failed_exit: bool_or(t, &format!("engine.{section}.drop_failed_exit"), false)?,
            cpus_for_each_buffer: uint_or(t, &format!("engine.{section}.cpus_for_each_buffer"), 2)?
                as u32,
        })
    }

    fn engine(t: &Yaml, args: &LowArgs) -> Result<EngineConfig, ConfigError> {
        let kind_s = string_or(t, "engine.kind", "auto")?;
        let mut kind = EngineKind::parse(&kind_s).ok_or_else(|| ConfigError::Value {
            path: "engine.kind".into(),
            why: format!("'{kind_s}' is not one of auto, kmod, modern_ebpf, replay, nodriver"),
        })?;
        if let Some(k) = args.engine_kind.and_then(EngineKind::parse) {
            kind = k;
        }
        let mut capture_file = string(t, "engine.replay.capture_file")?
            .filter(|s| !s.is_empty())
            .map(PathBuf::from);
        if let Some(f) = &args.replay {
            kind = EngineKind::Replay;
            capture_file = Some(f.clone());
        }
        if kind == EngineKind::Replay && capture_file.is_none() {
            return Err(ConfigError::Value {
                path: "engine.replay.capture_file".into(),
                why: "must be set when engine.kind is replay".into(),
            });
        }
        Ok(EngineConfig {
            kind,
            capture_file,
            kmod: Self::driver(t, "kmod")?,
            modern_ebpf: Self::driver(t, "modern_ebpf")?,
        })
    }

    fn drops(t: &Yaml) -> Result<DropsConfig, ConfigError> {
        let threshold = float_or(t, "syscall_event_drops.threshold", 0.1)?;
        if !(0.0..=1.0).contains(&threshold) {
            return Err(ConfigError::Value {
                path: "syscall_event_drops.threshold".into(),
                why: "syscall event drops threshold must be a double in the range [0, 1]".into(),
            });
        }
        let names = strings(t, "syscall_event_drops.actions")?
            .unwrap_or_else(|| vec!["log".into(), "alert".into()]);
        let mut actions = Vec::new();
        for n in &names {
            actions.push(match n.as_str() {
                "ignore" => DropAction::Ignore,
                "log" => DropAction::Log,
                "alert" => DropAction::Alert,
                "exit" => DropAction::Exit,
                other => {
                    return Err(ConfigError::Value {
                        path: "syscall_event_drops.actions".into(),
                        why: format!("invalid action '{other}'"),
                    });
                }
            });
        }
        if actions.contains(&DropAction::Ignore) && actions.len() > 1 {
            let other = names
                .iter()
                .find(|n| *n != "ignore")
                .cloned()
                .unwrap_or_default();
            return Err(ConfigError::Value {
                path: "syscall_event_drops.actions".into(),
                why: format!(
                    "syscall event drop action \"{other}\" does not make sense with the \"ignore\" action"
                ),
            });
        }
        Ok(DropsConfig {
            threshold,
            actions,
            rate: float_or(t, "syscall_event_drops.rate", 0.03333)?,
            max_burst: uint_or(t, "syscall_event_drops.max_burst", 1)?,
            simulate_drops: bool_or(t, "syscall_event_drops.simulate_drops", false)?,
        })
    }

    /// The output context for building outputs.
    pub fn output_context(&self) -> outputs::OutputContext {
        outputs::OutputContext {
            json: self.formatter.json,
            buffered: self.buffered_outputs,
        }
    }

    /// The merged configuration as JSON (for `--support`).
    pub fn tree_json(&self) -> serde_json::Value {
        yaml_to_json(&self.tree)
    }

    /// An integer key not typed above (for parts that read their own).
    pub fn int(&self, path: &str, default: i64) -> Result<i64, ConfigError> {
        int_or(&self.tree, path, default)
    }
}

/// Converts a YAML tree to JSON (map keys as text).
pub fn yaml_to_json(y: &Yaml) -> serde_json::Value {
    use serde_json::Value;
    match y {
        Yaml::String(s) => Value::String(s.clone()),
        Yaml::Integer(i) => Value::from(*i),
        Yaml::Real(r) => r
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .unwrap_or_else(|| Value::String(r.clone())),
        Yaml::Boolean(b) => Value::Bool(*b),
        Yaml::Array(a) => Value::Array(a.iter().map(yaml_to_json).collect()),
        Yaml::Hash(h) => Value::Object(
            h.iter()
                .map(|(k, v)| (value::scalar_text(k).unwrap_or_default(), yaml_to_json(v)))
                .collect(),
        ),
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use yaml_rust2::YamlLoader;

    fn cfg(yaml: &str, argv: &[&str]) -> Result<Config, ConfigError> {
        let args = crate::cli::parse(argv.iter().map(|s| s.to_string())).unwrap();
        let mut t = YamlLoader::load_from_str(yaml)
            .unwrap()
            .pop()
            .unwrap_or(Yaml::Hash(Default::default()));
        if matches!(t, Yaml::Null) {
            t = Yaml::Hash(Default::default());
        }
        for o in &args.options {
            override_::apply(&mut t, o)?;
        }
        Config::from_tree(t, Vec::new(), Vec::new(), &args)
    }

    #[test]
    fn defaults_are_falcos() {
        let c = cfg("", &[]).unwrap();
        assert_eq!(c.rules_files.len(), 3);
        assert_eq!(c.min_priority, Priority::Debug);
        assert!(!c.formatter.json && c.formatter.include_output && c.formatter.include_tags);
        assert!(!c.buffered_outputs);
        let names: Vec<_> = c
            .outputs
            .iter()
            .map(|o| match o {
                outputs::Config::Stdout(_) => "stdout",
                outputs::Config::Syslog(_) => "syslog",
                _ => "other",
            })
            .collect();
        assert_eq!(names, ["stdout", "syslog"]);
        assert_eq!(c.engine.kind, EngineKind::Auto);
        assert_eq!(c.drops.actions, [DropAction::Log, DropAction::Alert]);
        assert_eq!(c.append_output.len(), 1);
        assert!(c.append_output[0].suggested_output);
        assert_eq!(c.engine.kmod.buffer_bytes(), 8 << 20);
    }

    #[test]
    fn rules_flags_replace_rules_files() {
        let c = cfg("rules_files: [a.yaml]\n", &["-r", "b.yaml", "-r", "c"]).unwrap();
        assert_eq!(c.rules_files, [PathBuf::from("b.yaml"), PathBuf::from("c")]);
        let c = cfg("rules_file: /etc/falco_rules.yaml\n", &[]).unwrap();
        assert_eq!(c.rules_files, [PathBuf::from("/etc/falco_rules.yaml")]);
        assert!(c.warnings[0].contains("deprecated config key 'rules_file'"));
        assert!(cfg("rules_file: a\nrules_files: [b]\n", &[]).is_err());
    }

    #[test]
    fn options_override_the_file() {
        let c = cfg(
            "json_output: false\nfile_output: {enabled: false}\n",
            &[
                "-o",
                "json_output=true",
                "-o",
                "file_output.enabled=true",
                "-o",
                "file_output.filename=/tmp/x.txt",
                "-o",
                "priority=WARNING",
            ],
        )
        .unwrap();
        assert!(c.formatter.json);
        assert_eq!(c.min_priority, Priority::Warning);
        assert!(
            matches!(&c.outputs[0], outputs::Config::File(f) if f.filename == std::path::Path::new("/tmp/x.txt"))
        );
    }

    #[test]
    fn replay_from_flag_or_config() {
        let c = cfg("", &["-e", "x.scap"]).unwrap();
        assert_eq!(c.engine.kind, EngineKind::Replay);
        assert_eq!(c.engine.capture_file, Some(PathBuf::from("x.scap")));
        let c = cfg(
            "engine: {kind: replay, replay: {capture_file: y.scap}}\n",
            &[],
        )
        .unwrap();
        assert_eq!(c.engine.capture_file, Some(PathBuf::from("y.scap")));
        assert!(cfg("engine: {kind: replay}\n", &[]).is_err());
        assert!(cfg("engine: {kind: gvisor}\n", &[]).is_err());
        let c = cfg("engine: {kind: kmod}\n", &["--modern-bpf"]).unwrap();
        assert_eq!(c.engine.kind, EngineKind::ModernEbpf);
    }

    #[test]
    fn selection_from_config_and_flags() {
        let c = cfg(
            "rules:\n  - disable: {rule: 'open_*'}\n  - enable: {tag: net}\n",
            &["-D", "cat", "-T", "x"],
        )
        .unwrap();
        assert_eq!(
            c.rules_selection,
            [
                RuleSelect {
                    enable: false,
                    target: RuleTarget::Rule("open_*".into())
                },
                RuleSelect {
                    enable: true,
                    target: RuleTarget::Tag("net".into())
                },
                RuleSelect {
                    enable: false,
                    target: RuleTarget::Rule("*cat*".into())
                },
                RuleSelect {
                    enable: false,
                    target: RuleTarget::Tag("x".into())
                },
            ]
        );
        let c = cfg("", &["-t", "a"]).unwrap();
        assert_eq!(c.rules_selection.len(), 2);
        assert_eq!(c.rules_selection[0].target, RuleTarget::Rule("*".into()));
    }

    #[test]
    fn wildcards() {
        assert!(wildcard("*", "anything"));
        assert!(wildcard("open_*", "open_from_cat"));
        assert!(wildcard("*from*", "open_from_cat"));
        assert!(wildcard("a*b*c", "aXbYc"));
        assert!(!wildcard("a*b*c", "aXcYb"));
        assert!(!wildcard("open", "open_from_cat"));
        assert!(!wildcard("ab*ba", "aba"));
    }

    #[test]
    fn drops_validation_uses_falcos_words() {
        let e = cfg("syscall_event_drops: {threshold: 1.1}\n", &[])
            .unwrap_err()
            .to_string();
        assert!(e.contains("syscall event drops threshold must be a double in the range"));
        let e = cfg("syscall_event_drops: {actions: [ignore, log]}\n", &[])
            .unwrap_err()
            .to_string();
        assert!(e.contains(
            "syscall event drop action \"log\" does not make sense with the \"ignore\" action"
        ));
        let c = cfg("syscall_event_drops: {rate: .03333, max_burst: 10}\n", &[]).unwrap();
        assert_eq!(c.drops.max_burst, 10);
    }

    #[test]
    fn type_errors_name_the_path() {
        let e = cfg("json_output: maybe\n", &[]).unwrap_err().to_string();
        assert!(e.contains("'json_output' must be a boolean"), "{e}");
        let e = cfg("priority: loud\n", &[]).unwrap_err().to_string();
        assert!(e.contains("Unknown priority \"loud\""), "{e}");
    }

    #[test]
    fn unbuffered_flag_wins() {
        assert!(
            cfg("buffered_outputs: true\n", &[])
                .unwrap()
                .buffered_outputs
        );
        assert!(
            !cfg("buffered_outputs: true\n", &["-U"])
                .unwrap()
                .buffered_outputs
        );
    }

    #[test]
    fn append_output_entries() {
        let c = cfg(
            "append_output:\n  - match: {source: syscall, tags: [a]}\n    extra_output: 'pid=%proc.pid'\n    extra_fields: [{cwd: '%proc.cwd'}, proc.name]\n",
            &["-p", "x=%evt.num"],
        )
        .unwrap();
        assert_eq!(c.append_output.len(), 2);
        let e = &c.append_output[0];
        assert!(e.applies("r", "syscall", &["a", "b"]));
        assert!(!e.applies("r", "syscall", &["b"]));
        assert_eq!(e.extra_fields[1], ("proc.name".into(), "%proc.name".into()));
        assert_eq!(
            c.append_output[1].extra_output.as_deref(),
            Some("x=%evt.num")
        );
    }
}
