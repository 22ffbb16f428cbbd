//! Turns argv into [`LowArgs`] by looking each flag up in [`FLAGS`].
//!
//! Accepted shapes: `-L`, grouped switches `-UL`, `-r file`, `-rfile`,
//! `--long`, `--long value`, `--long=value`, and for optional values
//! `--list`, `--list=src`, `--list src` (the next argument is taken only if
//! it does not start with `-`).

use super::{Arity, CliError, FLAGS, Flag, LowArgs};

fn by_short(c: char) -> Option<&'static dyn Flag> {
    FLAGS.iter().copied().find(|f| f.short() == Some(c))
}

fn by_long(name: &str) -> Option<&'static dyn Flag> {
    FLAGS.iter().copied().find(|f| f.long() == Some(name))
}

/// Parses the arguments after the program name.
pub fn parse<I: IntoIterator<Item = String>>(args: I) -> Result<LowArgs, CliError> {
    let args: Vec<String> = args.into_iter().collect();
    let mut out = LowArgs::default();
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        i += 1;
        if let Some(body) = arg.strip_prefix("--") {
            if body.is_empty() {
                if let Some(extra) = args.get(i) {
                    return Err(CliError::Positional(extra.clone()));
                }
                break;
            }
            let (name, inline) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (body, None),
            };
            let flag = by_long(name).ok_or_else(|| CliError::UnknownFlag(name.to_string()))?;
            let value = match (flag.arity(), inline) {
                (Arity::Switch, Some(_)) => return Err(CliError::UnexpectedValue(name.into())),
                (Arity::Switch, None) => None,
                (_, Some(v)) => Some(v.to_string()),
                (Arity::Value(_), None) => {
                    let v = args
                        .get(i)
                        .ok_or_else(|| CliError::MissingValue(name.to_string()))?;
                    i += 1;
                    Some(v.clone())
                }
                (Arity::Optional(_), None) => match args.get(i) {
                    Some(v) if !v.starts_with('-') => {
                        i += 1;
                        Some(v.clone())
                    }
                    _ => None,
                },
            };
            flag.update(value.as_deref(), &mut out)?;
        } else if let Some(body) = arg.strip_prefix('-').filter(|b| !b.is_empty()) {
            for (at, c) in body.char_indices() {
                let flag = by_short(c).ok_or_else(|| CliError::UnknownFlag(c.to_string()))?;
                if flag.arity() == Arity::Switch {
                    flag.update(None, &mut out)?;
                    continue;
                }
                let rest = &body[at + c.len_utf8()..];
                let value = if !rest.is_empty() {
                    Some(rest.to_string())
                } else if let Some(v) = args.get(i) {
                    i += 1;
                    Some(v.clone())
                } else {
                    return Err(CliError::MissingValue(c.to_string()));
                };
                flag.update(value.as_deref(), &mut out)?;
                break;
            }
        } else {
            return Err(CliError::Positional(arg.clone()));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(args: &[&str]) -> Result<LowArgs, CliError> {
        parse(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn grouped_switches_then_value() {
        let a = p(&["-ULr", "x.yaml"]).unwrap();
        assert!(a.unbuffered && a.list_rules);
        assert_eq!(a.rules, vec![std::path::PathBuf::from("x.yaml")]);
    }

    #[test]
    fn double_dash_ends_flags() {
        assert!(p(&["-L", "--"]).is_ok());
        assert!(p(&["--", "x"]).is_err());
    }

    #[test]
    fn value_may_start_with_dash() {
        let a = p(&["-l", "-weird-rule"]).unwrap();
        assert_eq!(a.describe_rule.as_deref(), Some("-weird-rule"));
    }
}
