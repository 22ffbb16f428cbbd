//! Compiles the collected items: lists expanded, macros parsed and
//! substituted, exceptions turned into condition text, outputs validated,
//! conditions compiled to filters, event types inferred, warnings raised
//! (falco `rule_loader_compiler.cpp`).

use std::collections::{BTreeSet, HashMap};

use super::collector::{Collector, is_operator_for_list};
use super::context::Context;
use super::items::*;
use super::macros::{MacroResolver, quote_item, resolve_list};
use super::result::{
    DEPRECATED_FIELDS, ErrorCode, FileResult, LoadError, LoadWarning, WarningCode,
    deprecated_field_desc,
};
use crate::filter::evttypes::{EventSet, event_codes};
use crate::filter::parser::{Parser, parse_field_or_transformer};
use crate::filter::{Expr, ExprKind, FieldSource, Filter, Pos, compile};

type R<T> = Result<T, LoadError>;

fn fail<T>(code: ErrorCode, msg: impl Into<String>, ctx: Context) -> R<T> {
    Err(LoadError {
        code,
        message: msg.into(),
        context: ctx,
    })
}

/// Extra output appended to matching rules (`append_output` in falco.yaml).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExtraOutput {
    /// Only rules of this source (empty: any).
    pub source: String,
    /// Only rules having all these tags.
    pub tags: BTreeSet<String>,
    /// Only the rule of this name (empty: any).
    pub rule: String,
    /// Text appended after a blank.
    pub format: String,
}

/// A compiled list.
#[derive(Debug, Clone)]
pub struct CompiledList {
    /// Name.
    pub name: String,
    /// Items after one level of list-reference expansion.
    pub items: Vec<String>,
    /// Referenced by a list, macro or rule.
    pub used: bool,
}

/// A compiled macro.
#[derive(Debug, Clone)]
pub struct CompiledMacro {
    /// Name.
    pub name: String,
    /// Condition with macros substituted.
    pub condition: Expr,
    /// Referenced by a macro or rule.
    pub used: bool,
}

/// A compiled rule.
pub struct CompiledRule<S: FieldSource> {
    /// The collected definition (raw condition, desc, tags…).
    pub info: RuleInfo,
    /// Output with extra outputs applied and `%container.info` removed.
    pub output: String,
    /// The condition after exceptions, lists and macros.
    pub condition: Expr,
    /// Event codes the condition can match.
    pub event_codes: EventSet,
    /// Fields named by exceptions.
    pub exception_fields: BTreeSet<String>,
    /// The compiled filter.
    pub filter: Filter<S>,
}

/// Everything one compilation produced.
pub struct Compiled<S: FieldSource> {
    /// Lists, in definition order.
    pub lists: Vec<CompiledList>,
    /// Macros, in definition order.
    pub macros: Vec<CompiledMacro>,
    /// Rules that compiled, in definition order.
    pub rules: Vec<CompiledRule<S>>,
}

/// The field sources of the engine, by source name.
pub trait Sources {
    /// The field source type (one type serves all sources).
    type Src: FieldSource;
    /// The field source for `name`.
    fn get(&self, name: &str) -> Option<&Self::Src>;
}

fn build_exceptions(
    exceptions: &[ExceptionInfo],
    fields: &mut BTreeSet<String>,
    cond: &mut String,
) -> R<()> {
    *cond = format!("({cond})");
    for ex in exceptions {
        let mut icond = String::new();
        if !ex.fields.is_list {
            for v in &ex.values {
                if v.is_list {
                    return fail(
                        ErrorCode::Validate,
                        "Expected values array to contain a list of strings",
                        ex.ctx.clone(),
                    );
                }
                if icond.is_empty() {
                    icond = format!("({} {} (", ex.fields.item, ex.comps.item);
                } else {
                    icond.push_str(", ");
                }
                fields.insert(ex.fields.item.clone());
                icond.push_str(&quote_item(&v.item));
            }
            if !icond.is_empty() {
                icond.push_str("))");
            }
        } else {
            icond.push('(');
            for values in &ex.values {
                if ex.fields.items.len() != values.items.len() {
                    return fail(
                        ErrorCode::Validate,
                        "Fields and values lists must have equal length",
                        ex.ctx.clone(),
                    );
                }
                if icond != "(" {
                    icond.push_str(" or ");
                }
                icond.push('(');
                for (k, field) in ex.fields.items.iter().enumerate() {
                    if k > 0 {
                        icond.push_str(" and ");
                    }
                    let comp = ex.comps.items.get(k).map(|c| c.item.as_str()).unwrap_or("");
                    let v = &values.items[k];
                    let istr = if v.is_list {
                        let inner: Vec<String> =
                            v.items.iter().map(|x| quote_item(&x.item)).collect();
                        format!("({})", inner.join(", "))
                    } else if is_operator_for_list(comp) {
                        if v.item.starts_with('(') {
                            v.item.clone()
                        } else {
                            format!("({})", v.item)
                        }
                    } else {
                        quote_item(&v.item)
                    };
                    icond.push_str(&format!(" {} {comp} {istr}", field.item));
                    fields.insert(field.item.clone());
                }
                icond.push(')');
            }
            icond.push(')');
            if icond == "()" {
                icond.clear();
            }
        }
        if !icond.is_empty() {
            cond.push_str(" and not ");
            cond.push_str(&icond);
        }
    }
    Ok(())
}

/// Substitutes every list into `cond`; marks lists used.
fn substitute_lists(cond: &mut String, lists: &mut [CompiledList]) {
    for l in lists.iter_mut() {
        if resolve_list(cond, &l.name, &l.items) {
            l.used = true;
        }
    }
}

fn parse_condition(cond: &str, lists: &mut [CompiledList], ctx: &Context) -> R<(Expr, String)> {
    let mut text = cond.to_string();
    substitute_lists(&mut text, lists);
    let mut p = Parser::new(&text);
    match p.parse() {
        Ok(e) => Ok((e, text)),
        Err(e) => fail(
            ErrorCode::CompileCondition,
            e.message.clone(),
            ctx.condition(e.pos, &text),
        ),
    }
}

/// Limits on a condition after macro expansion (falcon's own, not
/// upstream's): deeper trees would overflow the evaluating thread's stack,
/// larger ones exhaust memory (macros referencing a macro twice double).
const MAX_EXPANDED_DEPTH: usize = 2000;
const MAX_EXPANDED_NODES: usize = 1_000_000;

fn size_and_depth(e: &Expr) -> (usize, usize) {
    let mut nodes = 0;
    let mut depth = 0;
    let mut stack = vec![(e, 1usize)];
    while let Some((n, d)) = stack.pop() {
        nodes += 1;
        depth = depth.max(d);
        if nodes > MAX_EXPANDED_NODES {
            break;
        }
        match &n.kind {
            ExprKind::And(c) | ExprKind::Or(c) | ExprKind::TransformerList(c) => {
                stack.extend(c.iter().map(|x| (x, d + 1)))
            }
            ExprKind::Not(c) => stack.push((c, d + 1)),
            ExprKind::Unary { lhs, .. } => stack.push((lhs, d + 1)),
            ExprKind::Binary { lhs, rhs, .. } => {
                stack.push((lhs, d + 1));
                stack.push((rhs, d + 1));
            }
            ExprKind::Transformer { args, .. } => stack.extend(args.iter().map(|x| (x, d + 1))),
            _ => {}
        }
    }
    (nodes, depth)
}

fn resolve_macros(
    ast: &mut Expr,
    visible: HashMap<&str, &Expr>,
    used: &mut Vec<String>,
    condition: &str,
    ctx: &Context,
) -> R<()> {
    let mut r = MacroResolver::new(visible);
    r.run(ast);
    let (nodes, depth) = size_and_depth(ast);
    if nodes > MAX_EXPANDED_NODES || depth > MAX_EXPANDED_DEPTH {
        return fail(
            ErrorCode::CompileCondition,
            format!(
                "condition too large after macro expansion (more than {MAX_EXPANDED_NODES} nodes or {MAX_EXPANDED_DEPTH} levels)"
            ),
            ctx.condition(Pos::START, condition),
        );
    }
    if let Some((msg, pos)) = r.errors.first() {
        return fail(
            ErrorCode::Validate,
            msg.clone(),
            ctx.condition(*pos, condition),
        );
    }
    if let Some((name, pos)) = r.unknown.first() {
        return fail(
            ErrorCode::Validate,
            format!("Undefined macro '{name}' used in filter."),
            ctx.condition(*pos, condition),
        );
    }
    used.extend(r.resolved);
    Ok(())
}

fn is_unknown_type_or_field(err: &str) -> bool {
    err.contains("nonexistent field")
        || err.contains("invalid formatting token")
        || err.contains("unknown event type")
        || err.contains("unknown filter:")
}

/// Validates an output format like libsinsp's `set_format`: every `%`
/// token must compile to a field or transformer.
pub fn validate_output<S: FieldSource>(src: &S, fmt: &str) -> Result<(), String> {
    if fmt.is_empty() {
        return Err("empty formatting token".into());
    }
    let f = fmt.strip_prefix('*').unwrap_or(fmt).as_bytes();
    let mut j = 0;
    while j < f.len() {
        if f[j] != b'%' {
            j += 1;
            continue;
        }
        if j == f.len() - 1 {
            return Err("invalid formatting syntax: formatting cannot end with a %".into());
        }
        while f[j + 1].is_ascii_digit() {
            if j + 1 == f.len() - 1 {
                return Err(
                    "invalid formatting syntax: formatting cannot end with a number".into(),
                );
            }
            j += 1;
        }
        let rest = std::str::from_utf8(&f[j + 1..])
            .map_err(|_| "unknown filter: invalid UTF-8".to_string())?;
        let mut size = rest.len();
        loop {
            let candidate = &rest[..floor_char(rest, size)];
            let attempt = parse_field_or_transformer(candidate)
                .map_err(|e| e.message)
                .and_then(|(e, used)| bind_all(src, &e).map(|_| used));
            match attempt {
                Ok(used) => {
                    j += used + 1;
                    break;
                }
                Err(msg) => {
                    size = floor_char(rest, size.saturating_sub(1));
                    if size == 0 {
                        return Err(format!("unknown filter: {msg}"));
                    }
                }
            }
        }
    }
    Ok(())
}

/// The `%` tokens of an output format, as written (`proc.name`,
/// `proc.aname[2]`, `tolower(proc.name)`), in order, deduplicated.
pub fn output_field_names(fmt: &str) -> Vec<String> {
    let f = fmt.strip_prefix('*').unwrap_or(fmt);
    let mut out: Vec<String> = Vec::new();
    let mut rest = f;
    while let Some(p) = rest.find('%') {
        let after = rest[p + 1..].trim_start_matches(|c: char| c.is_ascii_digit());
        match parse_field_or_transformer(after) {
            Ok((e, used)) => {
                let name = e.as_string();
                if !out.contains(&name) {
                    out.push(name);
                }
                rest = &after[used..];
            }
            Err(_) => rest = after,
        }
    }
    out
}

fn floor_char(s: &str, mut n: usize) -> usize {
    n = n.min(s.len());
    while !s.is_char_boundary(n) {
        n -= 1;
    }
    n
}

/// Binds every field of an output token; filter-only fields are refused
/// as libsinsp does for display fields.
fn bind_all<S: FieldSource>(src: &S, e: &Expr) -> Result<(), String> {
    let mut res = Ok(());
    e.walk(&mut |n| {
        if res.is_ok()
            && let ExprKind::Field { name, arg } = &n.kind
        {
            match src.bind(name, arg.as_deref()) {
                Err(m) => res = Err(m),
                Ok((_, meta)) if meta.filter_only => {
                    res = Err(format!(
                        "{name} is filter only and cannot be used as a display field"
                    ))
                }
                Ok(_) => {}
            }
        }
    });
    res
}

/// libsinsp/Falco condition warnings: `<NA>` comparisons on `ka.*`/`jevt.*`
/// and deprecated fields.
fn warn_condition(res: &mut FileResult, ast: &Expr, condition: &str, cond_ctx: &Context) {
    let ctx = cond_ctx.condition(
        Pos {
            idx: 0,
            line: 0,
            col: 0,
        },
        condition,
    );
    let mut unsafe_na = false;
    let mut deprecated: BTreeSet<usize> = BTreeSet::new();
    ast.walk(&mut |n| match &n.kind {
        ExprKind::Binary { lhs, op, rhs } => {
            if let ExprKind::Field { name, .. } = &lhs.kind
                && (name.starts_with("ka.") || name.starts_with("jevt."))
                && matches!(
                    op.as_str(),
                    "==" | "=" | "!=" | "in" | "intersects" | "pmatch"
                )
            {
                match &rhs.kind {
                    ExprKind::Value(v) if v == "<NA>" => unsafe_na = true,
                    ExprKind::List(vs) if vs.iter().any(|v| v == "<NA>") => unsafe_na = true,
                    _ => {}
                }
            }
        }
        ExprKind::Field { name, .. } => {
            if let Some(i) = DEPRECATED_FIELDS.iter().position(|f| f == name) {
                deprecated.insert(i);
            }
        }
        _ => {}
    });
    if unsafe_na {
        res.warn(WarningCode::UnsafeNaCheck, "", ctx.clone());
    }
    for i in deprecated {
        let f = DEPRECATED_FIELDS[i];
        res.warnings.push(LoadWarning {
            code: WarningCode::DeprecatedItem,
            message: deprecated_field_desc(f).to_string(),
            context: ctx.clone(),
            deprecated_field: Some(f),
        });
    }
}

/// Compiles everything in `col`; errors and warnings go to `res`.
/// Returns None when an error stopped compilation.
pub fn compile_all<X: Sources>(
    res: &mut FileResult,
    col: &Collector,
    sources: &X,
    extra: &[ExtraOutput],
) -> Option<Compiled<X::Src>> {
    let mut lists = compile_lists(col);
    let mut out = Compiled {
        lists: Vec::new(),
        macros: Vec::new(),
        rules: Vec::new(),
    };
    let r = (|| -> R<()> {
        let macros = compile_macros(col, &mut lists)?;
        out.macros = macros;
        compile_rules(res, col, sources, extra, &mut lists, &mut out)?;
        Ok(())
    })();
    out.lists = lists;
    if let Err(e) = r {
        res.errors.push(e);
        return None;
    }
    for m in &out.macros {
        if !m.used {
            let info = col.macros.get(&m.name).expect("macro info");
            res.warn(
                WarningCode::UnusedMacro,
                "Macro not referred to by any other rule/macro",
                info.ctx.clone(),
            );
        }
    }
    for l in &out.lists {
        if !l.used {
            let info = col.lists.get(&l.name).expect("list info");
            res.warn(
                WarningCode::UnusedList,
                "List not referred to by any other rule/macro",
                info.ctx.clone(),
            );
        }
    }
    Some(out)
}

fn compile_lists(col: &Collector) -> Vec<CompiledList> {
    let mut used_names = Vec::new();
    let mut out: Vec<CompiledList> = col
        .lists
        .iter()
        .map(|list| {
            let mut items = Vec::new();
            for item in &list.items {
                match col.lists.get(item) {
                    Some(r) if r.index < list.visibility => {
                        used_names.push(r.name.clone());
                        items.extend(r.items.iter().cloned());
                    }
                    _ => items.push(item.clone()),
                }
            }
            CompiledList {
                name: list.name.clone(),
                items,
                used: false,
            }
        })
        .collect();
    for n in used_names {
        if let Some(l) = out.iter_mut().find(|l| l.name == n) {
            l.used = true;
        }
    }
    out
}

fn compile_macros(col: &Collector, lists: &mut [CompiledList]) -> R<Vec<CompiledMacro>> {
    let mut out = Vec::with_capacity(col.macros.len());
    for m in col.macros.iter() {
        let (condition, _) = parse_condition(&m.cond, lists, &m.cond_ctx)?;
        out.push(CompiledMacro {
            name: m.name.clone(),
            condition,
            used: false,
        });
    }
    let infos: Vec<&MacroInfo> = col.macros.iter().collect();
    for i in 0..out.len() {
        let info = infos[i];
        let self_ast = out[i].condition.clone();
        let mut ast = std::mem::replace(
            &mut out[i].condition,
            Expr::new(ExprKind::List(Vec::new()), Pos::START),
        );
        let mut used = Vec::new();
        {
            let mut visible: HashMap<&str, &Expr> = infos
                .iter()
                .zip(out.iter())
                .enumerate()
                .filter(|(j, (mi, _))| *j != i && mi.index < info.visibility)
                .map(|(_, (mi, cm))| (mi.name.as_str(), &cm.condition))
                .collect();
            if info.index < info.visibility {
                visible.insert(info.name.as_str(), &self_ast);
            }
            resolve_macros(&mut ast, visible, &mut used, &info.cond, &info.ctx)?;
        }
        out[i].condition = ast;
        for n in used {
            if let Some(m) = out.iter_mut().find(|m| m.name == n) {
                m.used = true;
            }
        }
    }
    Ok(out)
}

fn compile_rules<X: Sources>(
    res: &mut FileResult,
    col: &Collector,
    sources: &X,
    extra: &[ExtraOutput],
    lists: &mut [CompiledList],
    out: &mut Compiled<X::Src>,
) -> R<()> {
    for r in col.rules.iter() {
        if r.unknown_source {
            continue;
        }
        let Some(src) = sources.get(&r.source) else {
            return fail(
                ErrorCode::Validate,
                format!("Unknown source at compile-time{}", r.source),
                r.ctx.clone(),
            );
        };
        let mut condition = r.cond.clone();
        let mut exception_fields = BTreeSet::new();
        if !r.exceptions.is_empty() {
            build_exceptions(&r.exceptions, &mut exception_fields, &mut condition)?;
        }
        let mut output = r.output.clone();
        for x in extra {
            if (!x.source.is_empty() && x.source != r.source)
                || !x.tags.is_subset(&r.tags)
                || (!x.rule.is_empty() && x.rule != r.name)
            {
                continue;
            }
            output = format!("{output} {}", x.format);
        }
        if output.contains("%container.info") {
            res.warn(
                WarningCode::DeprecatedItem,
                "%container.info is deprecated and no more useful, and will be dropped by Falco 1.0.0. The container plugin will automatically add required fields to the output message.",
                r.ctx.clone(),
            );
            output = output.replace("%container.info", "");
        }
        if let Err(e) = validate_output(src, &output) {
            if is_unknown_type_or_field(&e) && r.skip_if_unknown_filter {
                res.warn(WarningCode::UnknownFilter, e, r.output_ctx.clone());
                continue;
            }
            return fail(ErrorCode::CompileOutput, e, r.output_ctx.clone());
        }
        for f in DEPRECATED_FIELDS {
            if output.contains(f) {
                res.warnings.push(LoadWarning {
                    code: WarningCode::DeprecatedItem,
                    message: format!(
                        "usage of deprecated field '{f}' has been detected in the rule output"
                    ),
                    context: r.output_ctx.clone(),
                    deprecated_field: Some(f),
                });
            }
        }

        // condition
        let (mut ast, text) = parse_condition(&condition, lists, &r.cond_ctx)?;
        let mut used = Vec::new();
        {
            let visible: HashMap<&str, &Expr> = out
                .macros
                .iter()
                .map(|m| (m.name.as_str(), &m.condition))
                .collect();
            resolve_macros(&mut ast, visible, &mut used, &text, &r.ctx)?;
        }
        for n in used {
            if let Some(m) = out.macros.iter_mut().find(|m| m.name == n) {
                m.used = true;
            }
        }
        warn_condition(res, &ast, &text, &r.cond_ctx);
        let filter = match compile(src, &ast) {
            Ok((f, warnings)) => {
                for w in warnings {
                    res.warn(
                        WarningCode::CompileCondition,
                        w.message,
                        r.cond_ctx.condition(w.pos, &text),
                    );
                }
                f
            }
            Err(e) => {
                let ctx = r.cond_ctx.condition(e.pos, &text);
                if is_unknown_type_or_field(&e.message) && r.skip_if_unknown_filter {
                    res.warn(WarningCode::UnknownFilter, e.message, ctx);
                    continue;
                }
                return fail(ErrorCode::CompileCondition, e.message, ctx);
            }
        };
        let event_codes = if r.source == "syscall" {
            let codes = event_codes(&ast).map_err(|e| LoadError {
                code: ErrorCode::CompileCondition,
                message: e.0,
                context: r.cond_ctx.clone(),
            })?;
            if codes.len() > 100 && r.warn_evttypes {
                res.warn(
                    WarningCode::NoEvttype,
                    "Rule matches too many evt.type values. This has a significant performance penalty.",
                    r.ctx.clone(),
                );
            }
            codes
        } else {
            EventSet::all()
        };
        out.rules.push(CompiledRule {
            info: r.clone(),
            output,
            condition: ast,
            event_codes,
            exception_fields,
            filter,
        });
    }
    Ok(())
}
