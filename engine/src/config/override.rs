//! `-o key=value`: Falco's key grammar on a YAML tree.
//!
//! Key: `NodeKey ('.' NodeKey)*`, where a node key may end in `[N]` (index
//! into a sequence) or `[]` (append to it). `\.`, `\[`, `\]` and `\\`
//! escape. A value wrapped in `{..}` or `[..]` is parsed as YAML; any other
//! value is stored as a string scalar, which the typed getters decode the
//! way yaml-cpp does (`true`, `on`, `42`, ...).

use yaml_rust2::{Yaml, YamlLoader, yaml::Hash};

/// One step of a key path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A map key.
    Key(String),
    /// `[N]`: element N of a sequence.
    Index(usize),
    /// `[]`: a new element at the end of a sequence.
    Append,
}

/// Why an override is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OverrideError {
    #[error("Error parsing config option \"{0}\". Must be of the form key=val or key.subkey=val")]
    Shape(String),
    #[error("Error parsing config option \"{opt}\": {why}")]
    Key { opt: String, why: String },
    #[error("Error parsing config option \"{opt}\": value is not valid YAML: {why}")]
    Value { opt: String, why: String },
}

/// Splits a key into steps.
pub fn parse_key(key: &str) -> Result<Vec<Step>, String> {
    let mut steps = Vec::new();
    let mut cur = String::new();
    let mut have_key = false;
    let mut chars = key.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(e @ ('.' | '[' | ']' | '\\')) => {
                    cur.push(e);
                    have_key = true;
                }
                Some(e) => return Err(format!("invalid escape '\\{e}' in key '{key}'")),
                None => return Err(format!("key '{key}' ends in a lone backslash")),
            },
            '.' => {
                if have_key {
                    steps.push(Step::Key(std::mem::take(&mut cur)));
                } else if !matches!(steps.last(), Some(Step::Index(_) | Step::Append)) {
                    return Err(format!("empty component in key '{key}'"));
                }
                have_key = false;
            }
            '[' => {
                if have_key {
                    steps.push(Step::Key(std::mem::take(&mut cur)));
                    have_key = false;
                }
                if steps.is_empty() {
                    return Err(format!("key '{key}' starts with an index"));
                }
                let mut num = String::new();
                loop {
                    match chars.next() {
                        Some(']') => break,
                        Some(d) if d.is_ascii_digit() => num.push(d),
                        _ => return Err(format!("invalid index in key '{key}'")),
                    }
                }
                if num.is_empty() {
                    steps.push(Step::Append);
                } else {
                    let n = num
                        .parse()
                        .map_err(|_| format!("index out of range in key '{key}'"))?;
                    steps.push(Step::Index(n));
                }
                if let Some(&n) = chars.peek()
                    && n != '.'
                    && n != '['
                {
                    return Err(format!("expected '.' after ']' in key '{key}'"));
                }
            }
            ']' => return Err(format!("unbalanced ']' in key '{key}'")),
            c => {
                cur.push(c);
                have_key = true;
            }
        }
    }
    if have_key {
        steps.push(Step::Key(cur));
    } else if steps.is_empty() || matches!(steps.last(), Some(Step::Key(_))) {
        return Err(format!("empty component in key '{key}'"));
    }
    Ok(steps)
}

/// Applies one `key=value` option to `root` (which becomes a map if it
/// is not one).
pub fn apply(root: &mut Yaml, opt: &str) -> Result<(), OverrideError> {
    let (key, value) = opt
        .split_once('=')
        .filter(|(k, _)| !k.is_empty())
        .ok_or_else(|| OverrideError::Shape(opt.to_string()))?;
    let steps = parse_key(key).map_err(|why| OverrideError::Key {
        opt: opt.to_string(),
        why,
    })?;
    let v = value.trim();
    let node =
        if (v.starts_with('{') && v.ends_with('}')) || (v.starts_with('[') && v.ends_with(']')) {
            let docs = YamlLoader::load_from_str(v).map_err(|e| OverrideError::Value {
                opt: opt.to_string(),
                why: e.to_string(),
            })?;
            docs.into_iter().next().unwrap_or(Yaml::Null)
        } else {
            Yaml::String(value.to_string())
        };
    let slot = walk(root, &steps).map_err(|why| OverrideError::Key {
        opt: opt.to_string(),
        why,
    })?;
    *slot = node;
    Ok(())
}

/// Finds (creating maps and sequence slots as needed) the node at `steps`.
fn walk<'a>(mut node: &'a mut Yaml, steps: &[Step]) -> Result<&'a mut Yaml, String> {
    for step in steps {
        node = match step {
            Step::Key(k) => {
                if !matches!(node, Yaml::Hash(_)) {
                    *node = Yaml::Hash(Hash::new());
                }
                let Yaml::Hash(h) = node else { unreachable!() };
                h.entry(Yaml::String(k.clone())).or_insert(Yaml::Null)
            }
            Step::Index(i) => {
                if !matches!(node, Yaml::Array(_)) {
                    *node = Yaml::Array(Vec::new());
                }
                let Yaml::Array(a) = node else { unreachable!() };
                if *i > a.len() {
                    return Err(format!(
                        "index {i} is past the end of a sequence of {} items",
                        a.len()
                    ));
                }
                if *i == a.len() {
                    a.push(Yaml::Null);
                }
                &mut a[*i]
            }
            Step::Append => {
                if !matches!(node, Yaml::Array(_)) {
                    *node = Yaml::Array(Vec::new());
                }
                let Yaml::Array(a) = node else { unreachable!() };
                a.push(Yaml::Null);
                let last = a.len() - 1;
                &mut a[last]
            }
        };
    }
    Ok(node)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(s: &str) -> Yaml {
        YamlLoader::load_from_str(s).unwrap().remove(0)
    }

    #[test]
    fn keys() {
        assert_eq!(
            parse_key("a.b[2].c").unwrap(),
            vec![
                Step::Key("a".into()),
                Step::Key("b".into()),
                Step::Index(2),
                Step::Key("c".into())
            ]
        );
        assert_eq!(
            parse_key(r"a\.b.c[]").unwrap(),
            vec![Step::Key("a.b".into()), Step::Key("c".into()), Step::Append]
        );
        assert!(parse_key("a..b").is_err());
        assert!(parse_key("a.").is_err());
        assert!(parse_key("[1]").is_err());
        assert!(parse_key("a[x]").is_err());
    }

    #[test]
    fn scalar_and_nested() {
        let mut t = tree("json_output: false\nfile_output: {enabled: false}\n");
        apply(&mut t, "json_output=true").unwrap();
        apply(&mut t, "file_output.filename=/tmp/x").unwrap();
        apply(&mut t, "engine.kind=replay").unwrap();
        assert_eq!(t["json_output"].as_str(), Some("true"));
        assert_eq!(t["file_output"]["filename"].as_str(), Some("/tmp/x"));
        assert_eq!(t["file_output"]["enabled"].as_bool(), Some(false));
        assert_eq!(t["engine"]["kind"].as_str(), Some("replay"));
    }

    #[test]
    fn last_wins() {
        let mut t = Yaml::Null;
        apply(&mut t, "priority=debug").unwrap();
        apply(&mut t, "priority=warning").unwrap();
        assert_eq!(t["priority"].as_str(), Some("warning"));
    }

    #[test]
    fn sequences() {
        let mut t = tree("rules_files: [a, b]\n");
        apply(&mut t, "rules_files[1]=c").unwrap();
        apply(&mut t, "rules_files[]=d").unwrap();
        apply(&mut t, "rules_files[3]=e").unwrap();
        let v: Vec<_> = t["rules_files"]
            .as_vec()
            .unwrap()
            .iter()
            .map(|y| y.as_str().unwrap())
            .collect();
        assert_eq!(v, ["a", "c", "d", "e"]);
        assert!(apply(&mut t, "rules_files[9]=z").is_err());
    }

    #[test]
    fn yaml_values() {
        let mut t = Yaml::Null;
        apply(&mut t, "rules[]={disable: {rule: \"*\"}}").unwrap();
        apply(&mut t, "rules[]={enable: {tag: net}}").unwrap();
        assert_eq!(t["rules"][0]["disable"]["rule"].as_str(), Some("*"));
        assert_eq!(t["rules"][1]["enable"]["tag"].as_str(), Some("net"));
        apply(&mut t, "rules_files=[x.yaml, y.yaml]").unwrap();
        assert_eq!(t["rules_files"][1].as_str(), Some("y.yaml"));
        assert!(apply(&mut t, "a={b: [}").is_err());
    }

    #[test]
    fn shape_errors() {
        let mut t = Yaml::Null;
        assert!(matches!(
            apply(&mut t, "novalue"),
            Err(OverrideError::Shape(_))
        ));
        assert!(matches!(apply(&mut t, "=x"), Err(OverrideError::Shape(_))));
    }
}
