//! Text substitution of lists into conditions and AST substitution of
//! macros (falco `rule_loader_compiler.cpp::resolve_list`,
//! `filter_macro_resolver.cpp`).

use std::collections::HashMap;

use crate::filter::{Expr, ExprKind, Pos};

/// Wraps an item in double quotes when it has a space and no leading quote
/// (nothing else is escaped, as upstream).
pub fn quote_item(e: &str) -> String {
    if e.contains(' ') && !e.starts_with('"') && !e.starts_with('\'') {
        format!("\"{e}\"")
    } else {
        e.to_string()
    }
}

/// Substitutes every delimited occurrence of list `name` in `cnd` by its
/// items. Returns true if it substituted anything.
pub fn resolve_list(cnd: &mut String, name: &str, items: &[String]) -> bool {
    const BLANKS: &[u8] = b" \t\n\r";
    const DELIMS: &[u8] = b" \t\n\r(),=";
    if name.is_empty() {
        return false;
    }
    let mut used = false;
    let mut start_opt = cnd.find(name);
    while let Some(mut start) = start_opt {
        let b = cnd.as_bytes();
        let mut end = start + name.len();
        let mut next_from = start + 1;
        if (start == 0 || DELIMS.contains(&b[start - 1]))
            && (end >= b.len() || DELIMS.contains(&b[end]))
        {
            while start > 0 && BLANKS.contains(&b[start - 1]) {
                start -= 1;
            }
            while end < b.len() && BLANKS.contains(&b[end]) {
                end += 1;
            }
            let sub = items
                .iter()
                .map(|i| quote_item(i))
                .collect::<Vec<_>>()
                .join(", ");
            if sub.is_empty() {
                if start > 0 && b[start - 1] == b',' {
                    start -= 1;
                } else if end < b.len() && b[end] == b',' {
                    end += 1;
                }
            }
            let mut new = String::with_capacity(cnd.len() + sub.len() + 2);
            if start > 0 {
                new.push_str(&cnd[..start]);
                new.push(' ');
            }
            new.push_str(&sub);
            new.push(' ');
            if end <= cnd.len() {
                new.push_str(&cnd[end..]);
            }
            *cnd = new;
            start += sub.len() + 1;
            next_from = start + 1;
            used = true;
        }
        start_opt = if next_from <= cnd.len() {
            cnd.get(next_from..)
                .and_then(|rest| rest.find(name))
                .map(|p| p + next_from)
                .or_else(|| find_from_bytes(cnd, name, next_from))
        } else {
            None
        };
    }
    used
}

/// `find` from a byte offset that may not be a char boundary.
fn find_from_bytes(hay: &str, needle: &str, from: usize) -> Option<usize> {
    memchr::memmem::find(hay.as_bytes().get(from..)?, needle.as_bytes()).map(|p| p + from)
}

/// Resolves macro references of one AST.
pub struct MacroResolver<'a> {
    macros: HashMap<&'a str, &'a Expr>,
    path: Vec<String>,
    /// Loop errors with the position of the reference.
    pub errors: Vec<(String, Pos)>,
    /// Unknown identifiers with their positions.
    pub unknown: Vec<(String, Pos)>,
    /// Macros substituted (by name).
    pub resolved: Vec<String>,
}

impl<'a> MacroResolver<'a> {
    /// A resolver over the visible macros.
    pub fn new(macros: HashMap<&'a str, &'a Expr>) -> Self {
        MacroResolver {
            macros,
            path: Vec::new(),
            errors: Vec::new(),
            unknown: Vec::new(),
            resolved: Vec::new(),
        }
    }

    /// Substitutes macros in `e` in place.
    pub fn run(&mut self, e: &mut Expr) {
        if let Some(sub) = self.visit(e) {
            *e = sub;
        }
    }

    fn visit(&mut self, e: &mut Expr) -> Option<Expr> {
        match &mut e.kind {
            ExprKind::And(c) | ExprKind::Or(c) => {
                for child in c.iter_mut() {
                    if let Some(s) = self.visit(child) {
                        *child = s;
                    }
                }
                None
            }
            ExprKind::Not(c) => {
                if let Some(s) = self.visit(c) {
                    **c = s;
                }
                None
            }
            ExprKind::Ident(name) => {
                let name = name.clone();
                let Some(m) = self.macros.get(name.as_str()).copied() else {
                    self.unknown.push((name, e.pos));
                    return None;
                };
                if self.path.contains(&name) {
                    self.errors
                        .push((format!("reference loop in macro '{name}'"), e.pos));
                    self.unknown.push((name, e.pos));
                    return None;
                }
                self.path.push(name.clone());
                let mut node = m.clone();
                let sub = self.visit(&mut node);
                self.resolved.push(name);
                self.path.pop();
                Some(sub.unwrap_or(node))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(c: &str, name: &str, items: &[&str]) -> String {
        let mut s = c.to_string();
        let items: Vec<String> = items.iter().map(|s| s.to_string()).collect();
        resolve_list(&mut s, name, &items);
        s
    }

    #[test]
    fn lists_substitute_as_text() {
        assert_eq!(
            sub("proc.name in (shells)", "shells", &["bash", "sh"]),
            "proc.name in ( bash, sh )"
        );
        assert_eq!(
            sub("proc.name in (shells, foo)", "shells", &["bash"]),
            "proc.name in ( bash , foo)"
        );
        assert_eq!(
            sub("proc.name in (a, shells)", "shells", &[]),
            "proc.name in (a  )"
        );
        assert_eq!(
            sub("proc.name in (myshells)", "shells", &["x"]),
            "proc.name in (myshells)"
        );
        assert_eq!(sub("x in (l)", "l", &["a b"]), "x in ( \"a b\" )");
    }
}
