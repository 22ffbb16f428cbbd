//! Collects lists, macros and rules across files: definition in place,
//! append, selective replace, enable (falco `rule_loader_collector.cpp`).

use std::collections::HashMap;

use super::context::Context;
use super::items::*;
use super::result::{ErrorCode, FileResult, LoadError, WarningCode};

type R<T> = Result<T, LoadError>;

fn invalid<T>(msg: impl Into<String>, ctx: &Context) -> R<T> {
    Err(LoadError {
        code: ErrorCode::Validate,
        message: msg.into(),
        context: ctx.clone(),
    })
}

/// A vector addressable by name, keeping insertion order.
#[derive(Debug, Clone)]
pub struct Indexed<T> {
    items: Vec<T>,
    by_name: HashMap<String, usize>,
}

impl<T> Default for Indexed<T> {
    fn default() -> Self {
        Indexed {
            items: Vec::new(),
            by_name: HashMap::new(),
        }
    }
}

impl<T> Indexed<T> {
    /// The item called `name`.
    pub fn get(&self, name: &str) -> Option<&T> {
        self.by_name.get(name).map(|i| &self.items[*i])
    }
    fn get_mut(&mut self, name: &str) -> Option<&mut T> {
        self.by_name.get(name).map(|i| &mut self.items[*i])
    }
    fn insert(&mut self, name: &str, v: T) {
        self.by_name.insert(name.to_string(), self.items.len());
        self.items.push(v);
    }
    /// Items in first-definition order.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }
    /// Number of items.
    pub fn len(&self) -> usize {
        self.items.len()
    }
    /// No items.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

/// Decides which sources exist and which fields are valid left-hand sides.
pub trait SourceCheck {
    /// A registered event source (`syscall`, plugin sources).
    fn has_source(&self, source: &str) -> bool;
    /// `field` (text such as `proc.name` or `fd.name[0]`) can be compared.
    fn is_valid_lhs_field(&self, source: &str, field: &str) -> bool;
}

/// Everything read so far, over all files.
#[derive(Debug, Default, Clone)]
pub struct Collector {
    cur_index: u32,
    /// Lists.
    pub lists: Indexed<ListInfo>,
    /// Macros.
    pub macros: Indexed<MacroInfo>,
    /// Rules.
    pub rules: Indexed<RuleInfo>,
    /// Highest `required_engine_version` seen.
    pub required_engine_version: Option<Version>,
    /// `required_plugin_versions` entries.
    pub required_plugin_versions: Vec<PluginRequirement>,
    /// Current engine version (checked against requirements).
    pub engine_version: Version,
}

trait Define {
    fn name(&self) -> &str;
    fn set_ids(&mut self, index: u32, visibility: u32);
    fn index(&self) -> u32;
}

macro_rules! define_impl {
    ($t:ty) => {
        impl Define for $t {
            fn name(&self) -> &str {
                &self.name
            }
            fn set_ids(&mut self, index: u32, visibility: u32) {
                self.index = index;
                self.visibility = visibility;
            }
            fn index(&self) -> u32 {
                self.index
            }
        }
    };
}
define_impl!(ListInfo);
define_impl!(MacroInfo);
define_impl!(RuleInfo);

fn define_info<T: Define + Clone>(infos: &mut Indexed<T>, mut info: T, id: u32) {
    let name = info.name().to_string();
    if let Some(prev) = infos.get_mut(&name) {
        let index = prev.index();
        info.set_ids(index, id);
        *prev = info;
    } else {
        info.set_ids(id, id);
        infos.insert(&name, info);
    }
}

fn is_str_operator_with_modifier(op: &str) -> bool {
    let mut parts = op.split(' ');
    let (Some(base), Some(modifier), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    const STR_OPS: &[&str] = &[
        "==",
        "=",
        "!=",
        "glob",
        "iglob",
        "contains",
        "icontains",
        "bcontains",
        "startswith",
        "bstartswith",
        "endswith",
        "regex",
    ];
    STR_OPS.contains(&base) && crate::filter::parser::modifiers().any(|m| m == modifier)
}

/// True for operators whose right side is a list (`in`, `intersects`,
/// `pmatch`, and `<str-op> <modifier>`).
pub fn is_operator_for_list(op: &str) -> bool {
    matches!(op, "intersects" | "in" | "pmatch") || is_str_operator_with_modifier(op)
}

fn normalize_comp(s: &mut String) {
    *s = s.trim_matches([' ', '\t', '\r', '\n']).to_string();
}

fn validate_exception(src: Option<(&dyn SourceCheck, &str)>, ex: &mut ExceptionInfo) -> R<()> {
    let ops = crate::filter::parser::supported_operators();
    if ex.fields.is_list {
        if !ex.comps.is_valid() {
            ex.comps.is_list = true;
            ex.comps.items = ex.fields.items.iter().map(|_| Entry::scalar("=")).collect();
        }
        if ex.fields.items.len() != ex.comps.items.len() {
            return invalid("Fields and comps lists must have equal length", &ex.ctx);
        }
        for c in &mut ex.comps.items {
            normalize_comp(&mut c.item);
            if !ops.contains(&c.item.as_str()) && !is_str_operator_with_modifier(&c.item) {
                return invalid(
                    format!("'{}' is not a supported comparison operator", c.item),
                    &ex.ctx,
                );
            }
        }
        if let Some((check, source)) = src {
            for f in &ex.fields.items {
                if !check.is_valid_lhs_field(source, &f.item) {
                    return invalid(
                        format!("'{}' is not a supported filter field", f.item),
                        &ex.ctx,
                    );
                }
            }
        }
    } else {
        if !ex.comps.is_valid() {
            ex.comps.is_list = false;
            ex.comps.item = "in".into();
        }
        if ex.comps.is_list {
            return invalid("Fields and comps must both be strings", &ex.ctx);
        }
        normalize_comp(&mut ex.comps.item);
        let c = ex.comps.item.as_str();
        if c != "in" && c != "pmatch" && c != "intersects" && !is_str_operator_with_modifier(c) {
            return invalid(
                "When fields is a single value, comps must be one of (in, pmatch, intersects) or a modifier operator (e.g. startswith oneof)",
                &ex.ctx,
            );
        }
        if let Some((check, source)) = src
            && !check.is_valid_lhs_field(source, &ex.fields.item)
        {
            return invalid(
                format!("'{}' is not a supported filter field", ex.fields.item),
                &ex.ctx,
            );
        }
    }
    Ok(())
}

impl Collector {
    /// A collector for an engine of `engine_version`.
    pub fn new(engine_version: Version) -> Collector {
        Collector {
            engine_version,
            ..Default::default()
        }
    }

    fn next_id(&mut self) -> u32 {
        let id = self.cur_index;
        self.cur_index += 1;
        id
    }

    /// `required_engine_version`.
    pub fn define_engine_version(&mut self, v: Version, ctx: &Context) -> R<()> {
        if !self.engine_version.compatible_with(&v) {
            return invalid(
                format!(
                    "Rules require engine version {v}, but engine version is {}",
                    self.engine_version
                ),
                ctx,
            );
        }
        if self.required_engine_version.is_none_or(|cur| cur < v) {
            self.required_engine_version = Some(v);
        }
        Ok(())
    }

    /// One `required_plugin_versions` entry.
    pub fn define_plugin_requirement(&mut self, req: PluginRequirement, ctx: &Context) -> R<()> {
        let mut names: Vec<&str> = Vec::new();
        for (name, version) in &req.alternatives {
            if Version::parse(version).is_none() {
                return invalid(
                    format!("Invalid required version '{version}' for plugin '{name}'"),
                    ctx,
                );
            }
            if names.contains(&name.as_str()) {
                return invalid(
                    format!(
                        "Defined multiple alternative version requirements for plugin '{name}'"
                    ),
                    ctx,
                );
            }
            names.push(name);
        }
        self.required_plugin_versions.push(req);
        Ok(())
    }

    /// Defines (or redefines in place) a list.
    pub fn define_list(&mut self, info: ListInfo) {
        let id = self.next_id();
        define_info(&mut self.lists, info, id);
    }

    /// Appends items to a list.
    pub fn append_list(&mut self, info: ListInfo) -> R<()> {
        if self.lists.get(&info.name).is_none() {
            return invalid(
                "List uses 'append' or 'override.items: append' but no list by that name already exists",
                &info.ctx,
            );
        }
        let id = self.next_id();
        let Some(prev) = self.lists.get_mut(&info.name) else {
            return invalid(
                "List uses 'append' or 'override.items: append' but no list by that name already exists",
                &info.ctx,
            );
        };
        prev.items.extend(info.items);
        prev.visibility = id;
        Ok(())
    }

    /// Defines (or redefines in place) a macro.
    pub fn define_macro(&mut self, info: MacroInfo) {
        let id = self.next_id();
        define_info(&mut self.macros, info, id);
    }

    /// Appends text to a macro condition.
    pub fn append_macro(&mut self, info: MacroInfo) -> R<()> {
        let Some(prev) = self.macros.get_mut(&info.name) else {
            return invalid(
                "Macro uses 'append' or 'override.condition: append' but no macro by that name already exists",
                &info.ctx,
            );
        };
        prev.cond.push(' ');
        prev.cond.push_str(&info.cond);
        prev.visibility = self.cur_index;
        self.cur_index += 1;
        Ok(())
    }

    fn find_prev_rule(&self, name: &str, source: &str, ctx: &Context) -> R<Option<&RuleInfo>> {
        let prev = self.rules.get(name);
        if let Some(p) = prev
            && !p.source.is_empty()
            && !source.is_empty()
            && p.source != source
        {
            return invalid("Rule has been re-defined with a different source", ctx);
        }
        Ok(prev)
    }

    /// Defines (or redefines in place) a rule.
    pub fn define_rule(
        &mut self,
        res: &mut FileResult,
        check: &dyn SourceCheck,
        mut info: RuleInfo,
    ) -> R<()> {
        self.find_prev_rule(&info.name, &info.source, &info.ctx)?;
        let known = check.has_source(&info.source);
        if !known {
            info.unknown_source = true;
            res.warn(
                WarningCode::UnknownSource,
                format!("Unknown source {}, skipping", info.source),
                info.ctx.clone(),
            );
        }
        let source = info.source.clone();
        for ex in &mut info.exceptions {
            if !ex.fields.is_valid() {
                return invalid(
                    "Rule exception item must have fields property with a list of fields",
                    &ex.ctx,
                );
            }
            validate_exception(known.then_some((check, source.as_str())), ex)?;
        }
        let id = self.next_id();
        define_info(&mut self.rules, info, id);
        Ok(())
    }

    /// Appends to a rule (`append: true` or `override: {k: append}`).
    pub fn append_rule(&mut self, check: &dyn SourceCheck, info: RuleUpdate) -> R<()> {
        let ctx = info.ctx.clone().expect("update has a context");
        if self
            .find_prev_rule(&info.name, &info.source, &ctx)?
            .is_none()
        {
            return invalid(
                "Rule uses 'append' or 'override.<key>: append' but no rule by that name already exists",
                &ctx,
            );
        }
        if !info.has_any_value() {
            return invalid(
                "Appended rule must have exceptions or condition property",
                &ctx,
            );
        }
        let id = self.next_id();
        let prev = self.rules.get_mut(&info.name).expect("checked above");
        let source = (!prev.unknown_source).then(|| prev.source.clone());
        if let Some(c) = info.cond.filter(|c| !c.is_empty()) {
            prev.cond.push(' ');
            prev.cond.push_str(&c);
        }
        if let Some(o) = info.output.filter(|o| !o.is_empty()) {
            prev.output.push(' ');
            prev.output.push_str(&o);
        }
        if let Some(d) = info.desc.filter(|d| !d.is_empty()) {
            prev.desc.push(' ');
            prev.desc.push_str(&d);
        }
        if let Some(tags) = info.tags {
            prev.tags.extend(tags);
        }
        for mut ex in info.exceptions.unwrap_or_default() {
            match prev.exceptions.iter_mut().find(|e| e.name == ex.name) {
                None => {
                    if !ex.fields.is_valid() {
                        return invalid(
                            "Rule exception must have fields property with a list of fields",
                            &ex.ctx,
                        );
                    }
                    if ex.values.is_empty() {
                        return invalid(
                            "Rule exception must have values property with a list of values",
                            &ex.ctx,
                        );
                    }
                    validate_exception(source.as_deref().map(|s| (check, s)), &mut ex)?;
                    prev.exceptions.push(ex);
                }
                Some(pe) => {
                    if ex.fields.is_valid() {
                        return invalid(
                            "Can not append exception fields to existing exception, only values",
                            &ex.ctx,
                        );
                    }
                    if ex.comps.is_valid() {
                        return invalid(
                            "Can not append exception comps to existing exception, only values",
                            &ex.ctx,
                        );
                    }
                    pe.values.extend(ex.values);
                }
            }
        }
        prev.visibility = id;
        Ok(())
    }

    /// Replaces keys of a rule (`override: {k: replace}`).
    pub fn replace_rule(&mut self, info: RuleUpdate) -> R<()> {
        let ctx = info.ctx.clone().expect("update has a context");
        if self
            .find_prev_rule(&info.name, &info.source, &ctx)?
            .is_none()
        {
            return invalid(
                "An 'override.<key>: replace' to a rule was requested but no rule by that name already exists",
                &ctx,
            );
        }
        if !info.has_any_value() {
            return invalid(
                "The rule must have at least one field that can be replaced",
                &ctx,
            );
        }
        let id = self.next_id();
        let prev = self.rules.get_mut(&info.name).expect("checked above");
        if let Some(v) = info.cond {
            prev.cond = v;
        }
        if let Some(v) = info.output {
            prev.output = v;
        }
        if let Some(v) = info.desc {
            prev.desc = v;
        }
        if let Some(v) = info.tags {
            prev.tags = v;
        }
        if let Some(v) = info.exceptions {
            prev.exceptions = v;
        }
        if let Some(v) = info.priority {
            prev.priority = v;
        }
        if let Some(v) = info.capture {
            prev.capture = v;
        }
        if let Some(v) = info.capture_duration {
            prev.capture_duration = v;
        }
        if let Some(v) = info.enabled {
            prev.enabled = v;
        }
        if let Some(v) = info.warn_evttypes {
            prev.warn_evttypes = v;
        }
        if let Some(v) = info.skip_if_unknown_filter {
            prev.skip_if_unknown_filter = v;
        }
        prev.visibility = id;
        Ok(())
    }

    /// Standalone `enabled:` on an existing rule.
    pub fn enable_rule(&mut self, name: &str, enabled: bool, ctx: &Context) -> R<()> {
        match self.rules.get_mut(name) {
            Some(r) => {
                r.enabled = enabled;
                Ok(())
            }
            None => invalid(
                "Rule has 'enabled' key but no rule by that name already exists",
                ctx,
            ),
        }
    }
}
