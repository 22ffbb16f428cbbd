//! The rules-file JSON schema of Falco (`rule_json_schema.h`, draft-06),
//! checked on each YAML document with weak types (scalars read as text:
//! a `boolean` is `true`/`false`, an `integer` a decimal number, any scalar
//! is a `string`). Failures are warnings: Falco reports them as
//! `schema_warnings` and never refuses a file for them.
//!
//! The validity verdict follows the schema; the warning texts follow the
//! shape `failed for <context>: <description>` of Falco's valijson output,
//! with falcon's own wording of the descriptions.

use super::yaml::Node;

/// Status of a document that satisfies the schema.
pub const OK: &str = "ok";

const RULE_PROPS: &[(&str, Ty)] = &[
    ("required_engine_version", Ty::String),
    ("required_plugin_versions", Ty::PluginVersions),
    ("macro", Ty::String),
    ("condition", Ty::String),
    ("list", Ty::String),
    ("items", Ty::Items),
    ("rule", Ty::String),
    ("desc", Ty::String),
    ("enabled", Ty::Bool),
    ("output", Ty::String),
    ("append", Ty::Bool),
    ("priority", Ty::Priority),
    ("capture", Ty::Bool),
    ("capture_duration", Ty::Integer),
    ("source", Ty::String),
    ("exceptions", Ty::Exceptions),
    ("override", Ty::Override),
    ("tags", Ty::Strings),
    ("warn_evttypes", Ty::Bool),
    ("skip-if-unknown-filter", Ty::Bool),
];

const OVERRIDE_KEYS: &[&str] = &[
    "items",
    "desc",
    "condition",
    "output",
    "priority",
    "enabled",
    "exceptions",
    "capture",
    "capture_duration",
    "tags",
    "warn_evttypes",
    "skip-if-unknown-filter",
];

const PRIORITIES: &[&str] = &[
    "EMERGENCY",
    "ALERT",
    "CRITICAL",
    "ERROR",
    "WARNING",
    "NOTICE",
    "INFO",
    "INFORMATIONAL",
    "DEBUG",
];

#[derive(Clone, Copy)]
enum Ty {
    String,
    Bool,
    Integer,
    Priority,
    Items,
    Strings,
    Exceptions,
    Override,
    PluginVersions,
}

struct Ctx<'a> {
    errors: &'a mut Vec<String>,
}

impl Ctx<'_> {
    fn fail(&mut self, path: &str, msg: impl Into<String>) {
        self.errors
            .push(format!("failed for {path}: {}", msg.into()));
    }
}

fn scalar(n: &Node) -> Option<&str> {
    n.as_scalar()
}

fn is_integer(s: &str) -> bool {
    let d = s.strip_prefix(['-', '+']).unwrap_or(s);
    !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit())
}

fn check(ty: Ty, n: &Node, path: &str, cx: &mut Ctx<'_>) -> bool {
    let type_error = |cx: &mut Ctx<'_>| {
        cx.fail(path, "Value type not permitted by 'type' constraint.");
        false
    };
    match ty {
        Ty::String => scalar(n).is_some() || type_error(cx),
        Ty::Bool => matches!(scalar(n), Some("true" | "false")) || type_error(cx),
        Ty::Integer => scalar(n).is_some_and(is_integer) || type_error(cx),
        Ty::Priority => match scalar(n) {
            None => type_error(cx),
            Some(s) if PRIORITIES.contains(&s) => true,
            Some(_) => {
                cx.fail(path, "Failed to match against any enum values.");
                false
            }
        },
        Ty::Items | Ty::Strings => {
            let Some(items) = n.as_seq() else {
                return type_error(cx);
            };
            let mut ok = true;
            for (i, it) in items.iter().enumerate() {
                let p = format!("{path}[{i}]");
                let good = match ty {
                    Ty::Items => {
                        scalar(it).is_some()
                            || {
                                cx.fail(&p, "Failed to validate against any schemas allowed by anyOf constraint.");
                                false
                            }
                    }
                    _ => check(Ty::String, it, &p, cx),
                };
                if !good {
                    cx.fail(path, format!("Failed to validate item #{i} in array."));
                    ok = false;
                }
            }
            ok
        }
        Ty::Exceptions => {
            let Some(items) = n.as_seq() else {
                return type_error(cx);
            };
            let mut ok = true;
            for (i, ex) in items.iter().enumerate() {
                let p = format!("{path}[{i}]");
                let good = object(
                    ex,
                    &p,
                    &[
                        ("name", Some(Ty::String)),
                        ("fields", None),
                        ("comps", None),
                        ("values", None),
                    ],
                    &["name"],
                    cx,
                );
                if !good {
                    cx.fail(path, format!("Failed to validate item #{i} in array."));
                    ok = false;
                }
            }
            ok
        }
        Ty::Override => {
            let Some(entries) = n.as_map() else {
                return type_error(cx);
            };
            let props: Vec<(&str, Option<Ty>)> = OVERRIDE_KEYS.iter().map(|k| (*k, None)).collect();
            let mut ok = object(n, path, &props, &[], cx);
            if entries.is_empty() {
                cx.fail(path, "Object should have no fewer than 1 properties.");
                ok = false;
            }
            for (k, v) in entries {
                let key = k.text();
                if OVERRIDE_KEYS.contains(&key.as_str())
                    && !matches!(scalar(v), Some("append" | "replace"))
                {
                    cx.fail(
                        &format!("{path}[{key}]"),
                        "Failed to match against any enum values.",
                    );
                    cx.fail(path, format!("Failed to validate against schema associated with property name '{key}'."));
                    ok = false;
                }
            }
            ok
        }
        Ty::PluginVersions => {
            let Some(items) = n.as_seq() else {
                return type_error(cx);
            };
            let mut ok = true;
            for (i, pv) in items.iter().enumerate() {
                let p = format!("{path}[{i}]");
                let mut good = object(
                    pv,
                    &p,
                    &[
                        ("name", Some(Ty::String)),
                        ("version", Some(Ty::String)),
                        ("alternatives", None),
                    ],
                    &["name", "version"],
                    cx,
                );
                if let Some(alts) = pv.get("alternatives") {
                    let ap = format!("{p}[alternatives]");
                    match alts.as_seq() {
                        None => {
                            cx.fail(&ap, "Value type not permitted by 'type' constraint.");
                            good = false;
                        }
                        Some(list) => {
                            for (j, a) in list.iter().enumerate() {
                                if !object(
                                    a,
                                    &format!("{ap}[{j}]"),
                                    &[("name", Some(Ty::String)), ("version", Some(Ty::String))],
                                    &["name", "version"],
                                    cx,
                                ) {
                                    cx.fail(&ap, format!("Failed to validate item #{j} in array."));
                                    good = false;
                                }
                            }
                        }
                    }
                }
                if !good {
                    cx.fail(path, format!("Failed to validate item #{i} in array."));
                    ok = false;
                }
            }
            ok
        }
    }
}

/// An object with `props` (None = any value), no other property, and the
/// `required` ones present.
fn object(
    n: &Node,
    path: &str,
    props: &[(&str, Option<Ty>)],
    required: &[&str],
    cx: &mut Ctx<'_>,
) -> bool {
    let Some(entries) = n.as_map() else {
        cx.fail(path, "Value type not permitted by 'type' constraint.");
        return false;
    };
    let mut ok = true;
    for r in required {
        if n.get(r).is_none() {
            cx.fail(path, format!("Missing required property '{r}'."));
            ok = false;
        }
    }
    for (k, v) in entries {
        let key = k.text();
        match props.iter().find(|(p, _)| *p == key) {
            None => {
                cx.fail(
                    path,
                    format!(
                        "Object contains a property that could not be validated using 'properties' or 'additionalProperties' constraints: '{key}'."
                    ),
                );
                ok = false;
            }
            Some((_, Some(ty))) => {
                if !check(*ty, v, &format!("{path}[{key}]"), cx) {
                    cx.fail(path, format!("Failed to validate against schema associated with property name '{key}'."));
                    ok = false;
                }
            }
            Some((_, None)) => {}
        }
    }
    ok
}

/// Validates one document: `ok`, or its failures.
pub fn validate_document(doc: &Node) -> Vec<String> {
    let mut errors = Vec::new();
    let mut cx = Ctx {
        errors: &mut errors,
    };
    let root = "<root>";
    match doc.as_seq() {
        None => cx.fail(root, "Value type not permitted by 'type' constraint."),
        Some(items) => {
            let props: Vec<(&str, Option<Ty>)> =
                RULE_PROPS.iter().map(|(k, t)| (*k, Some(*t))).collect();
            for (i, item) in items.iter().enumerate() {
                if !object(item, &format!("{root}[{i}]"), &props, &[], &mut cx) {
                    cx.fail(root, format!("Failed to validate item #{i} in array."));
                }
            }
        }
    }
    if errors.is_empty() {
        vec![OK.to_string()]
    } else {
        errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::yaml::load_all;

    fn v(src: &str) -> Vec<String> {
        validate_document(&load_all(src).unwrap()[0])
    }

    #[test]
    fn schema_verdicts() {
        assert_eq!(
            v("- rule: r\n  priority: WARNING\n  enabled: true\n  tags: [a]\n"),
            ["ok"]
        );
        assert_eq!(v("- list: l\n  items: [1, a]\n"), ["ok"]);
        let bad = v("- rule: r\n  priority: warning\n");
        assert_eq!(
            bad[0],
            "failed for <root>[0][priority]: Failed to match against any enum values."
        );
        let bad = v("- rule: r\n  foo: 1\n");
        assert!(bad[0].contains("'foo'"), "{bad:?}");
        let bad = v("- rule: r\n  override:\n    condition: add\n");
        assert!(
            bad[0].starts_with("failed for <root>[0][override][condition]"),
            "{bad:?}"
        );
    }
}
