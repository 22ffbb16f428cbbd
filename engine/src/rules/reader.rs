//! Reads rules-file YAML into the collector, checking shapes and keys with
//! Falco's messages (falco `rule_loader_reader.cpp`).

use std::collections::BTreeSet;

use super::collector::{Collector, SourceCheck};
use super::context::{Context, ItemType};
use super::items::*;
use super::result::{ErrorCode, FileResult, LoadError, WarningCode};
use super::yaml::{self, Kind, Node};

type R<T> = Result<T, LoadError>;

fn fail<T>(code: ErrorCode, msg: impl Into<String>, ctx: &Context) -> R<T> {
    Err(LoadError {
        code,
        message: msg.into(),
        context: ctx.clone(),
    })
}

fn invalid<T>(msg: impl Into<String>, ctx: &Context) -> R<T> {
    fail(ErrorCode::YamlValidate, msg, ctx)
}

const WARNING_APPEND: &str = "'append' key is deprecated. Add an 'append' entry (e.g. 'condition: append') under 'override' instead.";
const WARNING_ENABLED: &str = "The standalone 'enabled' key usage is deprecated. The correct approach requires also a 'replace' entry under the 'override' key (i.e. 'enabled: replace').";
const ERROR_OVERRIDE_APPEND: &str = "Keys 'override' and 'append: true' cannot be used together. Add an 'append' entry (e.g. 'condition: append') under 'override' instead.";

/// How a scalar is decoded.
trait Decode: Sized {
    fn decode(s: &str) -> Option<Self>;
}
impl Decode for String {
    fn decode(s: &str) -> Option<Self> {
        Some(s.to_string())
    }
}
impl Decode for bool {
    fn decode(s: &str) -> Option<Self> {
        yaml::decode_bool(s)
    }
}
impl Decode for u64 {
    fn decode(s: &str) -> Option<Self> {
        yaml::decode_uint(s)
    }
}
impl Decode for u32 {
    fn decode(s: &str) -> Option<Self> {
        yaml::decode_uint(s)
    }
}

/// Falco's `decode_val_generic`. `Ok(None)` when absent-and-optional or
/// empty-and-allowed.
fn decode_generic<T: Decode>(
    item: &Node,
    key: &str,
    ctx: &Context,
    optional: bool,
    can_be_empty: bool,
) -> R<Option<T>> {
    let Some(val) = item.get(key) else {
        if optional {
            return Ok(None);
        }
        return invalid(format!("Item has no mapping for key '{key}'"), ctx);
    };
    if val.is_null() {
        if can_be_empty {
            return Ok(None);
        }
        return invalid(format!("Mapping for key '{key}' is empty"), ctx);
    }
    let valctx = ctx.child(val.mark, ItemType::ValueFor, key);
    let Some(s) = val.as_scalar() else {
        return invalid("Value is not a scalar value", &valctx);
    };
    if s.is_empty() {
        if can_be_empty {
            return Ok(None);
        }
        return invalid("Value must be non-empty", &valctx);
    }
    match T::decode(s) {
        Some(v) => Ok(Some(v)),
        None => invalid("Can't decode YAML scalar value", &valctx),
    }
}

fn decode_val<T: Decode>(item: &Node, key: &str, ctx: &Context) -> R<T> {
    Ok(decode_generic(item, key, ctx, false, false)?.expect("required value"))
}

fn decode_optional<T: Decode>(item: &Node, key: &str, ctx: &Context) -> R<Option<T>> {
    decode_generic(item, key, ctx, true, false)
}

fn decode_seq(item: &Node, key: &str, ctx: &Context, optional: bool) -> R<Option<Vec<String>>> {
    let Some(val) = item.get(key) else {
        if optional {
            return Ok(None);
        }
        return invalid(format!("Item has no mapping for key '{key}'"), ctx);
    };
    let valctx = ctx.child(val.mark, ItemType::ValueFor, key);
    let Some(seq) = val.as_seq() else {
        return invalid("Value is not a sequence", &valctx);
    };
    let mut out = Vec::with_capacity(seq.len());
    for v in seq {
        let ictx = valctx.child(v.mark, ItemType::ListItem, "");
        match &v.kind {
            Kind::Scalar(s) => out.push(s.clone()),
            // yaml-cpp's null node is not a scalar
            _ => return invalid("sequence value is not scalar", &ictx),
        }
    }
    Ok(Some(out))
}

/// An item's deprecated `append: true` (warned about) and its `override`
/// map; using both is an error.
fn decode_append_overrides(
    res: &mut FileResult,
    item: &Node,
    appendable: &[&str],
    replaceable: &[&str],
    ctx: &Context,
) -> R<(bool, Overrides)> {
    let append = decode_optional::<bool>(item, "append", ctx)?.unwrap_or(false);
    if append {
        res.warn(WarningCode::DeprecatedItem, WARNING_APPEND, ctx.clone());
    }
    let ov = decode_overrides(item, appendable, replaceable, ctx)?;
    if append && (!ov.append.is_empty() || !ov.replace.is_empty()) {
        return invalid(ERROR_OVERRIDE_APPEND, ctx);
    }
    Ok((append, ov))
}

fn decode_tags(item: &Node, ctx: &Context) -> R<BTreeSet<String>> {
    Ok(decode_seq(item, "tags", ctx, true)?
        .unwrap_or_default()
        .into_iter()
        .collect())
}

struct Overrides {
    append: BTreeSet<String>,
    replace: BTreeSet<String>,
}

fn decode_overrides(
    item: &Node,
    appendable: &[&str],
    replaceable: &[&str],
    ctx: &Context,
) -> R<Overrides> {
    let mut out = Overrides {
        append: BTreeSet::new(),
        replace: BTreeSet::new(),
    };
    let Some(val) = item.get("override") else {
        return Ok(out);
    };
    let octx = ctx.child(item.mark, ItemType::Overrides, "");
    for (k, v) in val.as_map().unwrap_or_default() {
        let key = k.text();
        let op = v.text();
        let can_append = appendable.contains(&key.as_str());
        let can_replace = replaceable.contains(&key.as_str());
        match op.as_str() {
            "append" => {
                if !can_append {
                    let kctx = octx.child(k.mark, ItemType::Overrides, &key);
                    return invalid(
                        format!("Key '{key}' cannot be appended to, use 'replace' instead"),
                        &kctx,
                    );
                }
                out.append.insert(key);
            }
            "replace" => {
                if !can_replace {
                    let kctx = octx.child(k.mark, ItemType::Overrides, &key);
                    return invalid(format!("Key '{key}' cannot be replaced"), &kctx);
                }
                out.replace.insert(key);
            }
            _ => {
                let vctx = octx.child(v.mark, ItemType::ValueFor, &key);
                let mut msg = format!(
                    "Invalid override operation for key '{key}': '{op}'. Allowed values are: "
                );
                if can_append {
                    msg.push_str("append ");
                }
                if can_replace {
                    msg.push_str("replace ");
                }
                return invalid(msg, &vctx);
            }
        }
    }
    Ok(out)
}

fn decode_entry(val: &Node, key: &str, ctx: &Context) -> R<Entry> {
    let valctx = ctx.child(val.mark, ItemType::ValueFor, key);
    let mut out = Entry::default();
    match &val.kind {
        Kind::Scalar(s) => {
            if s.is_empty() {
                return invalid("Value must be non-empty", &valctx);
            }
            out.item = s.clone();
        }
        Kind::Seq(items) => {
            out.is_list = true;
            for v in items {
                let lctx = valctx.child(v.mark, ItemType::Exception, "");
                out.items.push(decode_entry(v, "", &lctx)?);
            }
        }
        // yaml-cpp: a null or map node is neither scalar nor sequence and
        // leaves the entry empty.
        Kind::Null | Kind::Map(_) => {}
    }
    Ok(out)
}

fn decode_entry_key(item: &Node, key: &str, ctx: &Context, optional: bool) -> R<Entry> {
    match item.get(key) {
        Some(v) => decode_entry(v, key, ctx),
        None if optional => Ok(Entry::default()),
        None => invalid(format!("Item has no mapping for key '{key}'"), ctx),
    }
}

fn read_exceptions(
    res: &mut FileResult,
    item: &Node,
    parent: &Context,
    append: bool,
) -> R<Option<Vec<ExceptionInfo>>> {
    let Some(exs) = item.get("exceptions") else {
        return Ok(None);
    };
    if exs.is_null() {
        return Ok(Some(Vec::new()));
    }
    let exes_ctx = parent.child(exs.mark, ItemType::Exceptions, "");
    let Some(seq) = exs.as_seq() else {
        return invalid("Rule exceptions must be a sequence", &exes_ctx);
    };
    let mut out: Vec<ExceptionInfo> = Vec::new();
    for ex in seq {
        let tmp = exes_ctx.child(ex.mark, ItemType::Exception, "");
        if ex.as_map().is_none() {
            return invalid("Rule exception must be a mapping", &tmp);
        }
        let name: String = decode_val(ex, "name", &tmp)?;
        let ex_ctx = parent.child(ex.mark, ItemType::Exception, &name);
        if out.iter().any(|e| e.name == name) {
            res.warn(
                WarningCode::ExceptionNameNotUnique,
                format!("Multiple definitions of exception '{name}' in the same rule"),
                ex_ctx.clone(),
            );
        }
        let fields = decode_entry_key(ex, "fields", &ex_ctx, append)?;
        let comps = decode_entry_key(ex, "comps", &ex_ctx, true)?;
        let mut values = Vec::new();
        match ex.get("values") {
            Some(vals) => {
                let vals_ctx = ex_ctx.child(vals.mark, ItemType::ExceptionValues, "");
                let Some(vseq) = vals.as_seq() else {
                    return invalid("Rule exception values must be a sequence", &vals_ctx);
                };
                for v in vseq {
                    let vctx = vals_ctx.child(v.mark, ItemType::ExceptionValue, "");
                    values.push(decode_entry(v, "", &vctx)?);
                }
            }
            None if append => res.warn(
                WarningCode::AppendNoValues,
                "Overriding/appending exception with no values",
                ex_ctx.clone(),
            ),
            None => {}
        }
        out.push(ExceptionInfo {
            ctx: ex_ctx,
            name,
            fields,
            comps,
            values,
        });
    }
    Ok(Some(out))
}

fn warn_unknown_keys(res: &mut FileResult, item: &Node, expected: &[&str], ctx: &Context) {
    for (k, _) in item.as_map().unwrap_or_default() {
        let key = k.text();
        if !expected.contains(&key.as_str()) {
            res.warn(
                WarningCode::UnknownKey,
                format!("Unknown key '{key}'. The key will be ignored."),
                ctx.clone(),
            );
        }
    }
}

fn full_match(s: &str, ok: impl Fn(usize, u8) -> bool) -> bool {
    !s.is_empty() && s.bytes().enumerate().all(|(i, c)| ok(i, c))
}

fn is_identifier(s: &str) -> bool {
    full_match(s, |i, c| {
        if i == 0 {
            c.is_ascii_alphabetic()
        } else {
            c.is_ascii_alphanumeric() || c == b'_'
        }
    })
}

fn is_bare_string(s: &str) -> bool {
    full_match(s, |_, c| {
        !matches!(
            c,
            b'(' | b')' | b'"' | b'\'' | b'=' | b',' | b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'
        )
    })
}

/// Reads every document of one file into `col`. Returns false after the
/// first error (recorded in `res`); later documents are not read.
pub fn read(
    res: &mut FileResult,
    col: &mut Collector,
    check: &dyn SourceCheck,
    content: &str,
) -> bool {
    let ctx = Context::file(&res.name);
    let docs = match yaml::load_all(content) {
        Ok(d) => d,
        Err(e) => {
            let ictx = ctx.child(e.mark, ItemType::ValueFor, "");
            res.error(ErrorCode::YamlParse, e.message, ictx);
            return false;
        }
    };
    res.schema_status = docs
        .iter()
        .flat_map(super::schema::validate_document)
        .collect();
    for doc in &docs {
        if doc.is_null() {
            continue;
        }
        let r = (|| -> R<()> {
            match &doc.kind {
                Kind::Seq(items) => {
                    for item in items {
                        if !item.is_null() {
                            read_item(res, col, check, item, &ctx)?;
                        }
                    }
                    Ok(())
                }
                Kind::Map(_) => invalid("Rules content is not yaml array of objects", &ctx),
                _ => invalid("Rules content is not yaml", &ctx),
            }
        })();
        if let Err(e) = r {
            res.errors.push(e);
            return false;
        }
    }
    true
}

fn read_item(
    res: &mut FileResult,
    col: &mut Collector,
    check: &dyn SourceCheck,
    item: &Node,
    parent: &Context,
) -> R<()> {
    if item.as_map().is_none() {
        let tmp = parent.child(item.mark, ItemType::RulesContentItem, "");
        return invalid(
            "Unexpected element type. Each element should be a yaml associative array.",
            &tmp,
        );
    }
    if item.get("required_engine_version").is_some() {
        read_engine_version(res, col, item, parent)
    } else if let Some(req) = item.get("required_plugin_versions") {
        read_plugin_versions(res, col, item, req, parent)
    } else if item.get("list").is_some() {
        read_list(res, col, item, parent)
    } else if item.get("macro").is_some() {
        read_macro(res, col, item, parent)
    } else if item.get("rule").is_some() {
        read_rule(res, col, check, item, parent)
    } else {
        let ctx = parent.child(item.mark, ItemType::RulesContentItem, "");
        res.warn(WarningCode::UnknownItem, "Unknown top level item", ctx);
        Ok(())
    }
}

fn read_engine_version(
    res: &mut FileResult,
    col: &mut Collector,
    item: &Node,
    parent: &Context,
) -> R<()> {
    let ctx = parent.child(item.mark, ItemType::RequiredEngineVersion, "");
    let version = match decode_val::<u32>(item, "required_engine_version", &ctx) {
        Ok(n) => Version {
            major: 0,
            minor: n as u64,
            patch: 0,
        },
        Err(_) => {
            let s: String = decode_val(item, "required_engine_version", &ctx)?;
            match Version::parse(&s) {
                Some(v) => v,
                None => {
                    return invalid(
                        format!(
                            "Unable to parse engine version '{s}' as a semver string. Expected \"x.y.z\" semver format."
                        ),
                        &ctx,
                    );
                }
            }
        }
    };
    col.define_engine_version(version, &ctx)?;
    warn_unknown_keys(res, item, &["required_engine_version"], &ctx);
    Ok(())
}

fn read_plugin_versions(
    res: &mut FileResult,
    col: &mut Collector,
    item: &Node,
    req: &Node,
    parent: &Context,
) -> R<()> {
    let ctx = parent.child(req.mark, ItemType::RequiredPluginVersions, "");
    let Some(entries) = req.as_seq() else {
        return invalid("Value of required_plugin_versions must be a sequence", &ctx);
    };
    for plugin in entries {
        let tmp = ctx.child(plugin.mark, ItemType::RequiredPluginVersionsEntry, "");
        if plugin.as_map().is_none() {
            return invalid("Plugin version must be a mapping", &tmp);
        }
        let name: String = decode_val(plugin, "name", &tmp)?;
        let pctx = ctx.child(plugin.mark, ItemType::RequiredPluginVersionsEntry, &name);
        let version: String = decode_val(plugin, "version", &pctx)?;
        let mut alternatives = vec![(name, version)];
        if let Some(alts) = plugin.get("alternatives") {
            let Some(alts) = alts.as_seq() else {
                return invalid(
                    "Value of plugin version alternatives must be a sequence",
                    &pctx,
                );
            };
            for alt in alts {
                let tmp = pctx.child(alt.mark, ItemType::RequiredPluginVersionsAlternative, "");
                if alt.as_map().is_none() {
                    return invalid("Plugin version alternative must be a mapping", &tmp);
                }
                let name: String = decode_val(alt, "name", &tmp)?;
                let actx = pctx.child(alt.mark, ItemType::RequiredPluginVersionsAlternative, &name);
                let version: String = decode_val(alt, "version", &actx)?;
                alternatives.push((name, version));
            }
        }
        col.define_plugin_requirement(PluginRequirement { alternatives }, &pctx)?;
    }
    let rctx = parent.child(item.mark, ItemType::RequiredPluginVersions, "");
    warn_unknown_keys(res, item, &["required_plugin_versions"], &rctx);
    Ok(())
}

fn read_list(res: &mut FileResult, col: &mut Collector, item: &Node, parent: &Context) -> R<()> {
    let tmp = parent.child(item.mark, ItemType::List, "");
    let name: String = decode_val(item, "list", &tmp)?;
    let ctx = parent.child(item.mark, ItemType::List, &name);
    if !is_bare_string(&name) {
        res.warn(
            WarningCode::InvalidListName,
            "List has an invalid name. List names should match a regular expression: ([^()\"'[:space:]=,]+)",
            ctx.clone(),
        );
    }
    let items = decode_seq(item, "items", &ctx, false)?.unwrap_or_default();
    let (mut append, ov) = decode_append_overrides(res, item, &["items"], &["items"], &ctx)?;
    append |= ov.append.contains("items");
    let info = ListInfo {
        name,
        items,
        ctx: ctx.clone(),
        index: 0,
        visibility: 0,
    };
    if append {
        col.append_list(info)?;
    } else {
        col.define_list(info);
    }
    warn_unknown_keys(res, item, &["list", "items", "append", "override"], &ctx);
    Ok(())
}

fn read_macro(res: &mut FileResult, col: &mut Collector, item: &Node, parent: &Context) -> R<()> {
    let tmp = parent.child(item.mark, ItemType::Macro, "");
    let name: String = decode_val(item, "macro", &tmp)?;
    let ctx = parent.child(item.mark, ItemType::Macro, &name);
    if !is_identifier(&name) {
        res.warn(
            WarningCode::InvalidMacroName,
            "Macro has an invalid name. Macro names should match a regular expression: ([a-zA-Z]+[a-zA-Z0-9_]*)",
            ctx.clone(),
        );
    }
    let cond: String = decode_val(item, "condition", &ctx)?;
    let cond_node = item.get("condition").expect("decoded above");
    let cond_ctx = ctx.child(cond_node.mark, ItemType::MacroCondition, "");
    let (mut append, ov) =
        decode_append_overrides(res, item, &["condition"], &["condition"], &ctx)?;
    append |= ov.append.contains("condition");
    let info = MacroInfo {
        name,
        cond,
        ctx: ctx.clone(),
        cond_ctx,
        index: 0,
        visibility: 0,
    };
    if append {
        col.append_macro(info)?;
    } else {
        col.define_macro(info);
    }
    warn_unknown_keys(
        res,
        item,
        &["macro", "condition", "append", "override"],
        &ctx,
    );
    Ok(())
}

const RULE_APPENDABLE: &[&str] = &["condition", "output", "desc", "tags", "exceptions"];
const RULE_REPLACEABLE: &[&str] = &[
    "condition",
    "output",
    "desc",
    "priority",
    "capture",
    "capture_duration",
    "tags",
    "exceptions",
    "enabled",
    "warn_evttypes",
    "skip-if-unknown-filter",
];
const RULE_KEYS: &[&str] = &[
    "rule",
    "condition",
    "output",
    "desc",
    "priority",
    "source",
    "enabled",
    "capture",
    "capture_duration",
    "warn_evttypes",
    "skip-if-unknown-filter",
    "tags",
    "exceptions",
    "override",
    "append",
];

fn parse_priority(item: &Node, ctx: &Context) -> R<Priority> {
    let s: String = decode_val(item, "priority", ctx)?;
    let node = item.get("priority").expect("decoded above");
    let pctx = ctx.child(node.mark, ItemType::RulePriority, "");
    match Priority::parse(&s) {
        Some(p) => Ok(p),
        None => invalid("Invalid priority", &pctx),
    }
}

/// Falco's `check_update_expected`.
fn expect_update(
    expected: &mut BTreeSet<String>,
    overrides: &BTreeSet<String>,
    kind: &str,
    key: &str,
    ctx: &Context,
) -> R<bool> {
    if !overrides.contains(key) {
        return Ok(false);
    }
    if !expected.remove(key) {
        return invalid(
            format!("An {kind} override for '{key}' was specified but '{key}' is not defined"),
            ctx,
        );
    }
    Ok(true)
}

#[allow(clippy::too_many_arguments)]
fn read_update(
    res: &mut FileResult,
    item: &Node,
    ctx: &Context,
    name: &str,
    source: &str,
    keys: &BTreeSet<String>,
    expected: &mut BTreeSet<String>,
    kind: &str,
) -> R<RuleUpdate> {
    let append = kind == "append";
    let mut v = RuleUpdate {
        ctx: Some(ctx.clone()),
        name: name.to_string(),
        ..Default::default()
    };
    if expect_update(expected, keys, kind, "condition", ctx)? {
        v.source = source.to_string();
        v.cond = Some(decode_val(item, "condition", ctx)?);
    }
    if expect_update(expected, keys, kind, "exceptions", ctx)? {
        v.exceptions = read_exceptions(res, item, ctx, append)?;
    }
    if expect_update(expected, keys, kind, "output", ctx)? {
        v.output = Some(decode_val(item, "output", ctx)?);
    }
    if expect_update(expected, keys, kind, "desc", ctx)? {
        v.desc = Some(decode_val(item, "desc", ctx)?);
    }
    if expect_update(expected, keys, kind, "tags", ctx)? {
        v.tags = Some(decode_tags(item, ctx)?);
    }
    if append {
        return Ok(v);
    }
    if expect_update(expected, keys, kind, "priority", ctx)? {
        v.priority = Some(parse_priority(item, ctx)?);
    }
    if expect_update(expected, keys, kind, "capture", ctx)? {
        v.capture = Some(decode_val(item, "capture", ctx)?);
    }
    if expect_update(expected, keys, kind, "capture_duration", ctx)? {
        v.capture_duration = Some(decode_val(item, "capture_duration", ctx)?);
    }
    if expect_update(expected, keys, kind, "enabled", ctx)? {
        v.enabled = Some(decode_val(item, "enabled", ctx)?);
    }
    if expect_update(expected, keys, kind, "warn_evttypes", ctx)? {
        v.warn_evttypes = Some(decode_val(item, "warn_evttypes", ctx)?);
    }
    if expect_update(expected, keys, kind, "skip-if-unknown-filter", ctx)? {
        v.skip_if_unknown_filter = Some(decode_val(item, "skip-if-unknown-filter", ctx)?);
    }
    Ok(v)
}

fn read_rule(
    res: &mut FileResult,
    col: &mut Collector,
    check: &dyn SourceCheck,
    item: &Node,
    parent: &Context,
) -> R<()> {
    let tmp = parent.child(item.mark, ItemType::Rule, "");
    let name: String = decode_val(item, "rule", &tmp)?;
    let ctx = parent.child(item.mark, ItemType::Rule, &name);
    let source: String = decode_generic(item, "source", &ctx, true, true)?.unwrap_or_default();
    let (has_append, ov) =
        decode_append_overrides(res, item, RULE_APPENDABLE, RULE_REPLACEABLE, &ctx)?;
    let has_overrides = !ov.append.is_empty() || !ov.replace.is_empty();
    if has_overrides {
        let mut expected: BTreeSet<String> = RULE_APPENDABLE
            .iter()
            .chain(RULE_REPLACEABLE)
            .filter(|k| item.get(k).is_some())
            .map(|k| k.to_string())
            .collect();
        if !ov.append.is_empty() {
            let v = read_update(
                res,
                item,
                &ctx,
                &name,
                &source,
                &ov.append,
                &mut expected,
                "append",
            )?;
            col.append_rule(check, v)?;
        }
        if !ov.replace.is_empty() {
            let v = read_update(
                res,
                item,
                &ctx,
                &name,
                &source,
                &ov.replace,
                &mut expected,
                "replace",
            )?;
            col.replace_rule(v)?;
        }
        if let Some(key) = expected.iter().next() {
            let node = item.get(key).expect("key is defined");
            let kctx = ctx.child(node.mark, ItemType::Overrides, key);
            return invalid(
                format!(
                    "Unexpected key '{key}': no corresponding entry under 'override' is defined."
                ),
                &kctx,
            );
        }
    } else if has_append {
        let mut v = RuleUpdate {
            ctx: Some(ctx.clone()),
            name: name.clone(),
            source: source.clone(),
            ..Default::default()
        };
        if let Some(c) = item.get("condition") {
            v.cond_ctx = Some(ctx.child(c.mark, ItemType::RuleCondition, ""));
            v.cond = Some(decode_val(item, "condition", &ctx)?);
        }
        if item.get("exceptions").is_some() {
            v.exceptions = read_exceptions(res, item, &ctx, true)?;
        }
        col.append_rule(check, v)?;
    } else if ["condition", "output", "desc", "priority"]
        .iter()
        .all(|k| item.get(k).is_none())
    {
        let enabled: bool = decode_val(item, "enabled", &ctx)?;
        res.warn(WarningCode::DeprecatedItem, WARNING_ENABLED, ctx.clone());
        col.enable_rule(&name, enabled, &ctx)?;
    } else {
        let cond: String = decode_val(item, "condition", &ctx)?;
        let cond_ctx = ctx.child(
            item.get("condition").expect("decoded").mark,
            ItemType::RuleCondition,
            "",
        );
        let output: String = decode_val(item, "output", &ctx)?;
        let output_ctx = ctx.child(
            item.get("output").expect("decoded").mark,
            ItemType::RuleOutput,
            "",
        );
        let desc: String = decode_val(item, "desc", &ctx)?;
        // decode first, then parse: a missing priority is reported before
        // an invalid one.
        let _: String = decode_val(item, "priority", &ctx)?;
        let priority = parse_priority(item, &ctx)?;
        let source = decode_optional::<String>(item, "source", &ctx)?
            .unwrap_or_else(|| "syscall".to_string());
        let info = RuleInfo {
            ctx: ctx.clone(),
            cond_ctx,
            output_ctx,
            index: 0,
            visibility: 0,
            unknown_source: false,
            name: name.clone(),
            cond,
            source,
            desc,
            output: output.trim().to_string(),
            priority,
            enabled: decode_optional(item, "enabled", &ctx)?.unwrap_or(true),
            capture: decode_optional(item, "capture", &ctx)?.unwrap_or(false),
            capture_duration: decode_optional(item, "capture_duration", &ctx)?.unwrap_or(0),
            warn_evttypes: decode_optional(item, "warn_evttypes", &ctx)?.unwrap_or(true),
            skip_if_unknown_filter: decode_optional(item, "skip-if-unknown-filter", &ctx)?
                .unwrap_or(false),
            tags: decode_tags(item, &ctx)?,
            exceptions: read_exceptions(res, item, &ctx, false)?.unwrap_or_default(),
        };
        col.define_rule(res, check, info)?;
    }
    warn_unknown_keys(res, item, RULE_KEYS, &ctx);
    Ok(())
}
