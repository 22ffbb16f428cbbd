//! Loading the configured rules, and the modes that only look at rules:
//! `-V` (validate), `-L`/`-l` (describe), `--list` (fields).

use crate::cli::LowArgs;
use crate::config::Config;
use crate::fields::FieldFlags;
use crate::filter::syscall::SyscallFields;
use crate::rules::{self, ExtraOutput, LoadOptions, LoadResult, Ruleset, SourceSet};
use anyhow::Result;
use serde_json::{Value, json};
use std::path::PathBuf;

fn sources() -> SourceSet<SyscallFields> {
    let mut s = SourceSet::new();
    s.add("syscall", SyscallFields);
    s
}

/// Whether the configuration loads the container plugin (whose fields
/// falcon has built in), which is what makes Falco apply
/// `suggested_output`.
fn container_plugin_loaded(cfg: &Config) -> bool {
    let defined = cfg.plugins.iter().any(|p| p.name == "container");
    match &cfg.load_plugins {
        None => defined,
        Some(names) => defined && names.iter().any(|n| n == "container"),
    }
}

/// `append_output` (and `-p`) as the rules compiler takes it.
pub fn extra_outputs(cfg: &Config) -> Vec<ExtraOutput> {
    let mut v = Vec::new();
    let suggested = container_plugin_loaded(cfg);
    for a in &cfg.append_output {
        let mut text = a.extra_output.clone().unwrap_or_default();
        if a.suggested_output && suggested {
            let s = "container_id=%container.id container_name=%container.name";
            text = if text.is_empty() {
                s.to_string()
            } else {
                format!("{text} {s}")
            };
        }
        if text.is_empty() {
            continue;
        }
        v.push(ExtraOutput {
            source: a.source.clone().unwrap_or_default(),
            tags: a.tags.iter().cloned().collect(),
            rule: a.rule.clone().unwrap_or_default(),
            format: text,
        });
    }
    v
}

fn load(cfg: &Config, paths: &[PathBuf]) -> LoadResult<SyscallFields> {
    let opts = LoadOptions {
        extra_output: extra_outputs(cfg),
        ..LoadOptions::default()
    };
    rules::load_rules(paths, &sources(), &opts)
}

/// Applies `rules:` (and `-D`/`-T`/`-t`) in order.
pub fn apply_selection(cfg: &Config, rs: &mut Ruleset<SyscallFields>) {
    for sel in &cfg.rules_selection {
        match &sel.target {
            crate::config::RuleTarget::Rule(p) => rs.set_enabled_by_name(p, sel.enable),
            crate::config::RuleTarget::Tag(t) => rs.set_enabled_by_tag(t, sel.enable),
        };
    }
}

/// Loads `rules_files` (or `-r`) for a run. A file that does not load is
/// an error carrying Falco's verbose result text; warnings are logged.
pub fn load_ruleset(cfg: &Config) -> Result<Ruleset<SyscallFields>> {
    log::info!("Loading rules from:");
    for p in rules::expand_paths(&cfg.rules_files).into_iter().flatten() {
        log::info!("   {}", p.display());
    }
    let res = load(cfg, &cfg.rules_files);
    if let Some(e) = &res.plugin_error {
        anyhow::bail!("{e}");
    }
    if !res.successful() {
        anyhow::bail!("{}", res.validation_text());
    }
    let contents = |n: &str| res.content(n);
    for f in res.files.iter().filter(|f| !f.warnings.is_empty()) {
        log::warn!("{}", f.summary_string().trim_end());
        log::debug!("{}", f.verbose_string(&contents));
    }
    let mut rs = res
        .into_ruleset(cfg.min_priority)
        .ok_or_else(|| anyhow::anyhow!("no rules were compiled"))?;
    apply_selection(cfg, &mut rs);
    Ok(rs)
}

/// Wraps `text` to `width` columns, continuation lines indented `indent`.
fn wrap(text: &str, indent: usize, width: usize) -> String {
    let mut out = String::new();
    let mut col = indent;
    for word in text.split_whitespace() {
        if col > indent && col + 1 + word.len() > width {
            out.push('\n');
            out.push_str(&" ".repeat(indent));
            col = indent;
        } else if col > indent {
            out.push(' ');
            col += 1;
        }
        out.push_str(word);
        col += word.len();
    }
    out
}

fn described(res: &LoadResult<SyscallFields>, only: Option<&str>) -> Result<Value> {
    Ok(res.describe(only)?)
}

/// `-L` / `-l RULE` without `-V`: describes the configured rules.
pub fn describe(args: &LowArgs, cfg: &Config) -> Result<(String, u8)> {
    let res = load(cfg, &cfg.rules_files);
    if !res.successful() {
        anyhow::bail!("{}", res.validation_text());
    }
    let d = described(&res, args.describe_rule.as_deref())?;
    if cfg.formatter.json {
        Ok((format!("{d}\n"), 0))
    } else {
        Ok((rules::describe::describe_text(&d), 0))
    }
}

/// `-V FILE...` (then `-L`/`-l` when all are valid). Exit 1 if one is not.
pub fn validate(args: &LowArgs, cfg: &Config) -> Result<(String, u8)> {
    let res = load(cfg, &args.validate);
    let ok = res.successful();
    let code = if ok { 0 } else { 1 };
    let describe = args.list_rules || args.describe_rule.is_some();
    if cfg.formatter.json {
        let mut o = serde_json::Map::new();
        o.insert("falco_load_results".into(), res.load_results_json());
        if let Some(e) = &res.plugin_error {
            o.insert("plugin_error".into(), json!(e));
        }
        if ok && describe {
            o.insert(
                "falco_describe_results".into(),
                described(&res, args.describe_rule.as_deref())?,
            );
        }
        return Ok((format!("{}\n", Value::Object(o)), code));
    }
    let contents = |n: &str| res.content(n);
    for f in res
        .files
        .iter()
        .filter(|f| f.successful() && !f.warnings.is_empty())
    {
        log::warn!("{}", f.verbose_string(&contents));
    }
    let mut text = res.validation_text();
    text.push('\n');
    if let Some(e) = &res.plugin_error {
        text.push_str(e);
        text.push('\n');
    }
    if ok && describe {
        let d = described(&res, args.describe_rule.as_deref())?;
        text.push_str(&rules::describe::describe_text(&d));
    }
    Ok((text, code))
}

/// `--list [SOURCE]` (`-N` names only, `--format`).
pub fn list_fields(args: &LowArgs) -> Result<(String, u8)> {
    let source = args.list_fields.clone().flatten();
    if let Some(s) = &source
        && s != "syscall"
    {
        anyhow::bail!("unknown event source '{s}' (falcon knows: syscall)");
    }
    let fields: Vec<_> = crate::fields::registry()
        .filter(|f| f.name != "NA")
        .collect();
    let format = args.list_format.as_deref().unwrap_or("text");
    let mut out = String::new();
    if args.names_only {
        for f in &fields {
            out.push_str(f.name);
            out.push('\n');
        }
        return Ok((out, 0));
    }
    match format {
        "json" => {
            let v: Vec<Value> = fields
                .iter()
                .map(|f| {
                    json!({
                        "name": f.name,
                        "type": f.ty.falco_name(),
                        "class": f.class.name(),
                        "desc": f.desc,
                        "filter_only": f.flags.contains(FieldFlags::FILTER_ONLY),
                    })
                })
                .collect();
            out = format!("{}\n", Value::Array(v));
        }
        "markdown" => {
            out.push_str("| Name | Type | Description |\n| --- | --- | --- |\n");
            for f in &fields {
                out.push_str(&format!(
                    "| `{}` | {} | {} |\n",
                    f.name,
                    f.ty.falco_name(),
                    f.desc
                ));
            }
        }
        _ => {
            let mut class = "";
            for f in &fields {
                if f.class.name() != class {
                    class = f.class.name();
                    out.push_str(&format!("\nField Class: {class}\n\n"));
                }
                out.push_str(&format!(
                    "{:<30} {:<10} {}\n",
                    f.name,
                    f.ty.falco_name(),
                    wrap(f.desc, 42, 110)
                ));
            }
        }
    }
    Ok((out, 0))
}
