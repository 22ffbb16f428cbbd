//! `-L` / `-l <rule>` descriptions (falco `falco_engine::describe_rule`):
//! the JSON `falco_describe_results` object and its text form.

use std::collections::BTreeSet;

use falcon_driver::abi::SYSCALL_TABLE;
use serde_json::{Value as Json, json};

use super::collector::Collector;
use super::compiler::{Compiled, CompiledList, CompiledMacro, CompiledRule, output_field_names};
use crate::filter::evttypes::{EventSet, event_codes};
use crate::filter::{Expr, ExprKind, FieldSource, parse};

/// Names found in a condition (falco `filter_details_resolver`).
#[derive(Default)]
struct Details {
    fields: BTreeSet<String>,
    macros: BTreeSet<String>,
    operators: BTreeSet<String>,
    lists: BTreeSet<String>,
    evtnames: BTreeSet<String>,
}

fn field_name(name: &str, arg: &Option<String>) -> String {
    match arg {
        Some(a) if !a.is_empty() => format!("{name}[{a}]"),
        _ => name.to_string(),
    }
}

fn details(e: &Expr, col: &Collector) -> Details {
    let mut d = Details::default();
    visit(e, col, &mut d, false, false);
    d
}

fn visit(e: &Expr, col: &Collector, d: &mut Details, expect_list: bool, expect_evt: bool) {
    match &e.kind {
        ExprKind::And(c) | ExprKind::Or(c) => c.iter().for_each(|x| visit(x, col, d, false, false)),
        ExprKind::Not(c) => visit(c, col, d, false, false),
        ExprKind::List(values) => {
            for v in values {
                let known = col.lists.get(v).is_some();
                if expect_list && known {
                    d.lists.insert(v.clone());
                }
                if expect_evt && !known {
                    d.evtnames.insert(v.clone());
                }
            }
        }
        ExprKind::Binary { lhs, op, rhs } => {
            let name = lhs_name(lhs);
            visit(lhs, col, d, false, false);
            d.operators.insert(op.clone());
            let evt = matches!(name.as_deref(), Some("evt.type" | "evt.asynctype"));
            visit(rhs, col, d, true, evt);
        }
        ExprKind::Unary { lhs, op } => {
            visit(lhs, col, d, false, false);
            d.operators.insert(op.clone());
        }
        ExprKind::Ident(i) => {
            if col.macros.get(i).is_some() {
                d.macros.insert(i.clone());
            }
        }
        ExprKind::Value(v) => {
            if expect_evt {
                d.evtnames.insert(v.clone());
            }
        }
        ExprKind::Field { name, arg } => {
            d.fields.insert(field_name(name, arg));
        }
        ExprKind::Transformer { args, .. } | ExprKind::TransformerList(args) => args
            .iter()
            .for_each(|x| visit(x, col, d, expect_list, expect_evt)),
    }
}

/// The field name of the last field below a check's left side.
fn lhs_name(e: &Expr) -> Option<String> {
    let mut last = None;
    e.walk(&mut |n| {
        if let ExprKind::Field { name, arg } = &n.kind {
            last = Some(field_name(name, arg));
        }
    });
    last
}

fn arr<I: IntoIterator<Item = S>, S: Into<String>>(it: I) -> Json {
    Json::Array(it.into_iter().map(|s| Json::String(s.into())).collect())
}

/// Event names a condition is evaluated for: event names of the inferred
/// codes (generic events named by the syscalls the condition mentions)
/// plus `asyncevent`.
fn event_names(e: &Expr, syscall: bool, evtnames: &BTreeSet<String>) -> Json {
    if !syscall {
        return arr(["asyncevent", "pluginevent"]);
    }
    let codes = event_codes(e).unwrap_or(EventSet::all());
    let mut names: BTreeSet<String> = codes
        .names()
        .into_iter()
        .filter(|n| *n != "syscall")
        .map(str::to_string)
        .collect();
    if codes.contains(0) || codes.contains(1) {
        for n in evtnames {
            if SYSCALL_TABLE.iter().any(|s| s.name == n) {
                names.insert(n.clone());
            }
        }
    }
    names.insert("asyncevent".into());
    arr(names)
}

fn raw_details(cond: &str, col: &Collector) -> Details {
    parse(cond).map(|e| details(&e, col)).unwrap_or_default()
}

fn rule_json<S: FieldSource>(r: &CompiledRule<S>, col: &Collector) -> Json {
    let info = &r.info;
    let raw = raw_details(&info.cond, col);
    let comp = details(&r.condition, col);
    let out_fields = output_field_names(&r.output);
    let mut ex_ops = BTreeSet::new();
    for e in &info.exceptions {
        if e.comps.is_list {
            for c in &e.comps.items {
                if c.is_list {
                    ex_ops.extend(c.items.iter().map(|i| i.item.clone()));
                } else {
                    ex_ops.insert(c.item.clone());
                }
            }
        } else {
            ex_ops.insert(e.comps.item.clone());
        }
    }
    let ex_names: BTreeSet<String> = info.exceptions.iter().map(|e| e.name.clone()).collect();
    json!({
        "info": {
            "name": info.name,
            "condition": info.cond,
            "priority": info.priority.as_str(),
            "output": info.output,
            "description": info.desc,
            "enabled": info.enabled,
            "source": info.source,
            "capture": info.capture,
            "capture_duration": info.capture_duration,
            "tags": arr(info.tags.iter().cloned()),
        },
        "details": {
            "macros": arr(raw.macros),
            "lists": arr(raw.lists),
            "condition_operators": arr(comp.operators),
            "condition_fields": arr(comp.fields),
            "output_fields": arr(out_fields),
            "exception_fields": arr(r.exception_fields.iter().cloned()),
            "exception_names": arr(ex_names),
            "exception_operators": arr(ex_ops),
            "events": event_names(&r.condition, info.source == "syscall", &comp.evtnames),
            "condition_compiled": r.condition.as_string(),
            "output_compiled": r.output,
            "plugins": Json::Array(Vec::new()),
        }
    })
}

fn macro_json(m: &CompiledMacro, col: &Collector) -> Json {
    let info = col.macros.get(&m.name).expect("collected macro");
    let raw = raw_details(&info.cond, col);
    let comp = details(&m.condition, col);
    json!({
        "info": { "name": m.name, "condition": info.cond },
        "details": {
            "used": m.used,
            "macros": arr(raw.macros),
            "lists": arr(raw.lists),
            "condition_operators": arr(comp.operators),
            "condition_fields": arr(comp.fields),
            "events": event_names(&m.condition, true, &comp.evtnames),
            "condition_compiled": m.condition.as_string(),
            "plugins": Json::Array(Vec::new()),
        }
    })
}

fn list_json(l: &CompiledList, col: &Collector) -> Json {
    let info = col.lists.get(&l.name).expect("collected list");
    let mut items = Vec::new();
    let mut refs = BTreeSet::new();
    for i in &info.items {
        if l.items.contains(i) {
            items.push(Json::String(i.clone()));
        } else {
            refs.insert(i.clone());
        }
    }
    json!({
        "info": { "name": l.name, "items": items },
        "details": {
            "used": l.used,
            "lists": arr(refs),
            "items_compiled": arr(l.items.iter().cloned()),
            "plugins": Json::Array(Vec::new()),
        }
    })
}

/// Why a description could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DescribeError(pub String);

/// `falco_describe_results`: all rules, macros and lists, or (with
/// `rule`) `{"rules": [<that rule>]}`.
pub fn describe<S: FieldSource>(
    compiled: &Compiled<S>,
    col: &Collector,
    rule: Option<&str>,
) -> Result<Json, DescribeError> {
    if let Some(name) = rule {
        let r = compiled
            .rules
            .iter()
            .find(|r| r.info.name == name)
            .ok_or_else(|| DescribeError(format!("Rule \"{name}\" is not loaded")))?;
        return Ok(json!({ "rules": [rule_json(r, col)] }));
    }
    let plugins: Vec<Json> = col
        .required_plugin_versions
        .iter()
        .map(|req| {
            let (name, version) = &req.alternatives[0];
            let alts: Vec<Json> = req.alternatives[1..]
                .iter()
                .map(|(n, v)| json!({"name": n, "version": v}))
                .collect();
            json!({"name": name, "version": version, "alternatives": alts})
        })
        .collect();
    Ok(json!({
        "required_engine_version": col.required_engine_version.unwrap_or_default().to_string(),
        "required_plugin_versions": plugins,
        "rules": compiled.rules.iter().map(|r| rule_json(r, col)).collect::<Vec<_>>(),
        "macros": compiled.macros.iter().map(|m| macro_json(m, col)).collect::<Vec<_>>(),
        "lists": compiled.lists.iter().map(|l| list_json(l, col)).collect::<Vec<_>>(),
    }))
}

/// Falco's `wrap_text`: words re-flowed to `line_len`, continuation lines
/// indented by `indent` columns.
fn wrap_text(s: &str, indent: usize, line_len: usize) -> String {
    let mut out = String::new();
    let mut len = 0;
    for word in s.split_whitespace() {
        if len + word.len() < line_len - indent {
            len += word.len() + 1;
        } else {
            out.push('\n');
            out.push_str(&format!("{:<indent$}", " "));
            len = word.len() + 1;
        }
        out.push_str(word);
        out.push(' ');
    }
    out
}

/// The text form of a description: a two-column rule/description table.
pub fn describe_text(v: &Json) -> String {
    let mut s = format!(
        "{:<50} {}\n{:<50} {}\n",
        "Rule", "Description", "----", "-----------"
    );
    for r in v["rules"].as_array().into_iter().flatten() {
        let name = r["info"]["name"].as_str().unwrap_or_default();
        let desc = wrap_text(
            r["info"]["description"].as_str().unwrap_or_default(),
            51,
            110,
        ) + "\n";
        s.push_str(&format!("{name:<50} {desc}\n"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_like_falco() {
        let w = wrap_text("a b", 51, 110);
        assert_eq!(w, "a b ");
        let long = "word ".repeat(20);
        let w = wrap_text(&long, 51, 110);
        assert!(w.contains(&format!("\n{}word", " ".repeat(51))));
    }
}
