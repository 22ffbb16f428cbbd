//! Falco rules files: loading (files, directories, YAML documents),
//! collecting (define/append/override), compiling (lists, macros,
//! exceptions, outputs, filters, event types) and results with Falco's codes,
//! messages, contexts and snippets. See `research/rules.md` §3–4.

pub mod collector;
pub mod compiler;
pub mod context;
pub mod describe;
pub mod items;
pub mod macros;
pub mod reader;
pub mod result;
pub mod ruleset;
pub mod schema;
pub mod yaml;

use std::path::PathBuf;

pub use collector::{Collector, SourceCheck};
pub use compiler::{Compiled, CompiledRule, ExtraOutput, Sources};
pub use context::{Context, ItemType, Location};
pub use items::{PluginRequirement, Priority, Version};
pub use result::{ErrorCode, FileResult, LoadError, LoadWarning, WarningCode};
pub use ruleset::{Matches, Rule, Ruleset};

use crate::filter::parser::parse_field_or_transformer;
use crate::filter::{ExprKind, FieldSource};

/// The engine version falcon implements (Falco 0.44.x = engine 0.62.0).
pub const ENGINE_VERSION: Version = Version {
    major: 0,
    minor: 62,
    patch: 0,
};

/// Plugins whose rule requirements falcon satisfies by itself
/// (`container.*` / `k8s.*` fields are built in).
pub const BUILTIN_PLUGINS: &[&str] = &["container"];

/// Field sources by event source name.
pub struct SourceSet<S: FieldSource> {
    sources: Vec<(String, S)>,
}

impl<S: FieldSource> SourceSet<S> {
    /// An empty set.
    pub fn new() -> Self {
        SourceSet {
            sources: Vec::new(),
        }
    }

    /// Adds (or replaces) the fields of `name`.
    pub fn add(&mut self, name: &str, src: S) {
        self.sources.retain(|(n, _)| n != name);
        self.sources.push((name.to_string(), src));
    }
}

impl<S: FieldSource> Default for SourceSet<S> {
    fn default() -> Self {
        Self::new()
    }
}

impl<S: FieldSource> Sources for SourceSet<S> {
    type Src = S;
    fn get(&self, name: &str) -> Option<&S> {
        self.sources.iter().find(|(n, _)| n == name).map(|(_, s)| s)
    }
}

impl<S: FieldSource> SourceCheck for SourceSet<S> {
    fn has_source(&self, source: &str) -> bool {
        self.get(source).is_some()
    }

    fn is_valid_lhs_field(&self, source: &str, field: &str) -> bool {
        let Some(src) = self.get(source) else {
            return false;
        };
        let Ok((e, used)) = parse_field_or_transformer(field) else {
            return false;
        };
        if used != field.len() {
            return false;
        }
        let mut ok = true;
        e.walk(&mut |n| {
            if let ExprKind::Field { name, arg } = &n.kind {
                ok &= src.bind(name, arg.as_deref()).is_ok();
            }
        });
        ok
    }
}

/// Options of a load.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// `append_output` entries that add text to rule outputs.
    pub extra_output: Vec<ExtraOutput>,
    /// Engine version checked against `required_engine_version`.
    pub engine_version: Version,
    /// Loaded plugins (name, version) for `required_plugin_versions`.
    pub plugins: Vec<(String, String)>,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            extra_output: Vec::new(),
            engine_version: ENGINE_VERSION,
            plugins: Vec::new(),
        }
    }
}

/// The outcome of loading rules files.
pub struct LoadResult<S: FieldSource> {
    /// One result per file, in load order.
    pub files: Vec<FileResult>,
    /// Everything collected (for `-L` descriptions).
    pub collector: Collector,
    /// The last successful compilation (None if any file failed).
    pub compiled: Option<Compiled<S>>,
    /// `Plugin requirement not satisfied…` when a requirement is unmet.
    pub plugin_error: Option<String>,
}

impl<S: FieldSource> LoadResult<S> {
    /// Every file loaded without error and plugin requirements are met.
    pub fn successful(&self) -> bool {
        self.plugin_error.is_none() && self.files.iter().all(|f| f.successful())
    }

    /// Finds a loaded file's text (for snippets).
    pub fn content(&self, name: &str) -> Option<String> {
        self.files
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.content.clone())
    }

    /// The `-V` text: per file the verbose string, or `<file>: Ok, with
    /// warnings` when it only has warnings; joined by newlines.
    pub fn validation_text(&self) -> String {
        let contents = |n: &str| self.content(n);
        self.files
            .iter()
            .map(|f| {
                if !f.successful() || f.warnings.is_empty() {
                    f.verbose_string(&contents)
                } else {
                    format!("{}: Ok, with warnings", f.name)
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The `falco_load_results` JSON array.
    pub fn load_results_json(&self) -> serde_json::Value {
        let contents = |n: &str| self.content(n);
        serde_json::Value::Array(self.files.iter().map(|f| f.to_json(&contents)).collect())
    }

    /// `falco_describe_results` (`-L`, or `-l <rule>` with `rule`); needs
    /// a successful load.
    pub fn describe(
        &self,
        rule: Option<&str>,
    ) -> Result<serde_json::Value, describe::DescribeError> {
        let compiled = self.compiled.as_ref().ok_or_else(|| {
            describe::DescribeError("rules must be loaded before describing them".into())
        })?;
        describe::describe(compiled, &self.collector, rule)
    }

    /// Takes the compiled rules into a runtime ruleset.
    pub fn into_ruleset(self, min_priority: Priority) -> Option<Ruleset<S>> {
        self.compiled.map(|c| Ruleset::new(c, min_priority))
    }
}

/// Expands `-r` paths: a directory gives its `*.yaml`/`*.yml` files in
/// lexicographic order; a file is taken as is.
pub fn expand_paths(paths: &[PathBuf]) -> Vec<Result<PathBuf, (PathBuf, String)>> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            match std::fs::read_dir(p) {
                Ok(rd) => {
                    let mut files: Vec<PathBuf> = rd
                        .filter_map(|e| e.ok().map(|e| e.path()))
                        .filter(|f| {
                            f.is_file()
                                && matches!(
                                    f.extension().and_then(|x| x.to_str()),
                                    Some("yaml" | "yml")
                                )
                        })
                        .collect();
                    files.sort();
                    out.extend(files.into_iter().map(Ok));
                }
                Err(e) => out.push(Err((p.clone(), e.to_string()))),
            }
        } else {
            out.push(Ok(p.clone()));
        }
    }
    out
}

/// Loads rules files and directories in order into one collector,
/// recompiling after each file as Falco does.
pub fn load_rules<S>(paths: &[PathBuf], sources: &SourceSet<S>, opts: &LoadOptions) -> LoadResult<S>
where
    S: FieldSource + Sync,
    S::Field: Send,
{
    let mut inputs = Vec::new();
    for p in expand_paths(paths) {
        match p {
            Ok(path) => {
                let name = path.display().to_string();
                match std::fs::read(&path) {
                    Ok(bytes) => {
                        inputs.push((name, Ok(String::from_utf8_lossy(&bytes).into_owned())))
                    }
                    Err(e) => inputs.push((name, Err(e.to_string()))),
                }
            }
            Err((path, e)) => inputs.push((path.display().to_string(), Err(e))),
        }
    }
    load_contents(inputs, sources, opts)
}

/// Loads `(name, content)` pairs (content Err = unreadable file). Runs on
/// a helper thread with a large stack: conditions and macro expansion
/// recurse as deeply as the input nests.
pub fn load_contents<S>(
    inputs: Vec<(String, Result<String, String>)>,
    sources: &SourceSet<S>,
    opts: &LoadOptions,
) -> LoadResult<S>
where
    S: FieldSource + Sync,
    S::Field: Send,
{
    crate::filter::parser::with_big_stack(|| load_contents_here(inputs, sources, opts))
}

fn load_contents_here<S: FieldSource>(
    inputs: Vec<(String, Result<String, String>)>,
    sources: &SourceSet<S>,
    opts: &LoadOptions,
) -> LoadResult<S> {
    let mut col = Collector::new(opts.engine_version);
    let mut files = Vec::new();
    let mut compiled = None;
    let mut plugin_error = None;
    for (name, content) in inputs {
        let content = match content {
            Ok(c) => c,
            Err(e) => {
                let mut res = FileResult::new(&name, "");
                res.error(
                    ErrorCode::FileRead,
                    format!("Could not read file {name}: {e}"),
                    Context::file(&name),
                );
                files.push(res);
                compiled = None;
                continue;
            }
        };
        let mut res = FileResult::new(&name, &content);
        if reader::read(&mut res, &mut col, sources, &content) {
            compiled = compiler::compile_all(&mut res, &col, sources, &opts.extra_output);
        } else {
            compiled = None;
        }
        files.push(res);
        if let Err(e) = check_plugin_requirements(&col, &opts.plugins) {
            plugin_error = Some(e);
            break;
        }
    }
    if files.iter().any(|f| !f.successful()) {
        compiled = None;
    }
    LoadResult {
        files,
        collector: col,
        compiled,
        plugin_error,
    }
}

/// Checks every `required_plugin_versions` entry: some alternative must be
/// a loaded plugin of compatible version, or a plugin falcon builds in.
pub fn check_plugin_requirements(
    col: &Collector,
    plugins: &[(String, String)],
) -> Result<(), String> {
    for req in &col.required_plugin_versions {
        let ok = req.alternatives.iter().any(|(name, version)| {
            if BUILTIN_PLUGINS.contains(&name.as_str()) {
                return true;
            }
            let Some(want) = Version::parse(version) else {
                return false;
            };
            plugins.iter().any(|(n, v)| {
                n == name && Version::parse(v).is_some_and(|have| have.compatible_with(&want))
            })
        });
        if !ok {
            let list: Vec<String> = req
                .alternatives
                .iter()
                .map(|(n, v)| format!("{n} (>= {v})"))
                .collect();
            return Err(format!(
                "Plugin requirement not satisfied, must load one of: {}",
                list.join(", ")
            ));
        }
    }
    Ok(())
}
