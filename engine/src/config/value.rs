//! Typed reads from the merged YAML tree, decoding scalars the way
//! yaml-cpp (and so Falco) does: a value set by `-o` is a string, and
//! `"true"`, `"On"`, `"42"` must read like their unquoted forms.

use super::ConfigError;
use yaml_rust2::Yaml;

/// The node at a dotted path (no escapes: the schema's own keys have none).
pub fn get<'a>(root: &'a Yaml, path: &str) -> Option<&'a Yaml> {
    let mut node = root;
    for part in path.split('.') {
        node = match node {
            Yaml::Hash(h) => h.get(&Yaml::String(part.to_string()))?,
            _ => return None,
        };
    }
    match node {
        Yaml::Null | Yaml::BadValue => None,
        n => Some(n),
    }
}

fn type_error(path: &str, want: &'static str, got: &Yaml) -> ConfigError {
    ConfigError::Type {
        path: path.to_string(),
        want,
        got: describe(got),
    }
}

/// A short rendering of a node for error messages.
pub fn describe(y: &Yaml) -> String {
    match y {
        Yaml::String(s) => format!("'{s}'"),
        Yaml::Integer(i) => i.to_string(),
        Yaml::Real(r) => r.clone(),
        Yaml::Boolean(b) => b.to_string(),
        Yaml::Array(_) => "a sequence".into(),
        Yaml::Hash(_) => "a map".into(),
        _ => "null".into(),
    }
}

/// yaml-cpp's boolean spellings.
pub fn decode_bool(s: &str) -> Option<bool> {
    match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            Some(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            Some(false)
        }
        _ => None,
    }
}

/// A boolean at `path`, or `default`.
pub fn bool_or(root: &Yaml, path: &str, default: bool) -> Result<bool, ConfigError> {
    match get(root, path) {
        None => Ok(default),
        Some(Yaml::Boolean(b)) => Ok(*b),
        Some(y @ Yaml::String(s)) => decode_bool(s).ok_or_else(|| type_error(path, "a boolean", y)),
        Some(y) => Err(type_error(path, "a boolean", y)),
    }
}

/// A scalar rendered as text (numbers and booleans too), or `None`.
pub fn string(root: &Yaml, path: &str) -> Result<Option<String>, ConfigError> {
    match get(root, path) {
        None => Ok(None),
        Some(y) => scalar_text(y)
            .map(Some)
            .ok_or_else(|| type_error(path, "a scalar", y)),
    }
}

/// The text of a scalar node.
pub fn scalar_text(y: &Yaml) -> Option<String> {
    match y {
        Yaml::String(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Real(r) => Some(r.clone()),
        Yaml::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A string at `path`, or `default`.
pub fn string_or(root: &Yaml, path: &str, default: &str) -> Result<String, ConfigError> {
    Ok(string(root, path)?.unwrap_or_else(|| default.to_string()))
}

/// An integer at `path`, or `default`.
pub fn int_or(root: &Yaml, path: &str, default: i64) -> Result<i64, ConfigError> {
    match get(root, path) {
        None => Ok(default),
        Some(Yaml::Integer(i)) => Ok(*i),
        Some(y @ Yaml::String(s)) => s
            .trim()
            .parse()
            .map_err(|_| type_error(path, "an integer", y)),
        Some(y) => Err(type_error(path, "an integer", y)),
    }
}

/// A non-negative integer at `path`, or `default`.
pub fn uint_or(root: &Yaml, path: &str, default: u64) -> Result<u64, ConfigError> {
    let v = int_or(root, path, default as i64)?;
    u64::try_from(v).map_err(|_| type_error(path, "a non-negative integer", &Yaml::Integer(v)))
}

/// A floating-point number at `path`, or `default`.
pub fn float_or(root: &Yaml, path: &str, default: f64) -> Result<f64, ConfigError> {
    match get(root, path) {
        None => Ok(default),
        Some(Yaml::Integer(i)) => Ok(*i as f64),
        Some(y @ (Yaml::Real(s) | Yaml::String(s))) => {
            let t = s.trim();
            let t = if t.starts_with('.') || t.starts_with("-.") {
                t.replacen('.', "0.", 1)
            } else {
                t.to_string()
            };
            t.parse().map_err(|_| type_error(path, "a number", y))
        }
        Some(y) => Err(type_error(path, "a number", y)),
    }
}

/// A sequence of scalars at `path` (a lone scalar counts as one item).
pub fn strings(root: &Yaml, path: &str) -> Result<Option<Vec<String>>, ConfigError> {
    match get(root, path) {
        None => Ok(None),
        Some(Yaml::Array(a)) => a
            .iter()
            .map(|y| scalar_text(y).ok_or_else(|| type_error(path, "a sequence of scalars", y)))
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(y) => scalar_text(y)
            .map(|s| Some(vec![s]))
            .ok_or_else(|| type_error(path, "a sequence", y)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use yaml_rust2::YamlLoader;

    fn t(s: &str) -> Yaml {
        YamlLoader::load_from_str(s).unwrap().remove(0)
    }

    #[test]
    fn bools_like_yaml_cpp() {
        let y = t("a: true\nb: 'On'\nc: 'no'\nd: maybe\n");
        assert!(bool_or(&y, "a", false).unwrap());
        assert!(bool_or(&y, "b", false).unwrap());
        assert!(!bool_or(&y, "c", true).unwrap());
        assert!(bool_or(&y, "d", true).is_err());
        assert!(bool_or(&y, "missing", true).unwrap());
    }

    #[test]
    fn numbers() {
        let y = t("a: 5\nb: '7'\nc: .1\nd: '.03333'\ne: -1\n");
        assert_eq!(int_or(&y, "a", 0).unwrap(), 5);
        assert_eq!(uint_or(&y, "b", 0).unwrap(), 7);
        assert_eq!(float_or(&y, "c", 0.0).unwrap(), 0.1);
        assert_eq!(float_or(&y, "d", 0.0).unwrap(), 0.03333);
        assert!(uint_or(&y, "e", 0).is_err());
    }

    #[test]
    fn nested_and_lists() {
        let y = t("x: {y: {z: hi}}\nl: [a, 1]\ns: one\n");
        assert_eq!(string(&y, "x.y.z").unwrap().as_deref(), Some("hi"));
        assert_eq!(strings(&y, "l").unwrap().unwrap(), ["a", "1"]);
        assert_eq!(strings(&y, "s").unwrap().unwrap(), ["one"]);
        assert!(get(&y, "x.q").is_none());
    }
}
