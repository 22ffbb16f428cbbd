//! Evaluation of a compiled [`Filter`] against one event. Nothing here
//! allocates once the operands' value containers have grown: extraction
//! writes into each check's own reusable [`Values`].

use std::cmp::Ordering;
use std::net::IpAddr;

use super::compile::{
    Check, Filter, Matcher, Modifier, Node, Op, Operand, OperandKind, Rhs, Xform,
};
use super::fields_api::FieldSource;
use super::glob::{glob_match, path_prefix_match};
use super::value::{Value, Values};

impl<S: FieldSource> Filter<S> {
    /// Evaluates the condition for the event in `cx`.
    pub fn eval(&mut self, cx: &S::Ctx<'_>) -> bool {
        eval_node(&mut self.root, cx)
    }
}

fn eval_node<S: FieldSource>(n: &mut Node<S>, cx: &S::Ctx<'_>) -> bool {
    match n {
        Node::And(c) => c.iter_mut().all(|x| eval_node(x, cx)),
        Node::Or(c) => c.iter_mut().any(|x| eval_node(x, cx)),
        Node::Not(c) => !eval_node(c, cx),
        Node::Check(c) => eval_check(c, cx),
    }
}

impl<S: FieldSource> Operand<S> {
    /// Fills `self.buf`; false when there is no value.
    fn fill(&mut self, cx: &S::Ctx<'_>) -> bool {
        self.buf.clear();
        match &mut self.kind {
            OperandKind::Field(f) => S::extract(f, cx, &mut self.buf) && !self.buf.is_empty(),
            OperandKind::Xform(xf, inner) => {
                if !inner.fill(cx) {
                    return false;
                }
                let xf = *xf;
                if xf == Xform::Len && inner.is_list {
                    self.buf.push_u64(inner.buf.len() as u64);
                    return true;
                }
                for v in inner.buf.iter() {
                    let Some(b) = v.as_bytes_any() else {
                        continue;
                    };
                    if !transform(xf, b, &mut self.buf) {
                        return false;
                    }
                }
                !self.buf.is_empty()
            }
        }
    }
}

trait AsBytes {
    fn as_bytes_any(&self) -> Option<&[u8]>;
}
impl AsBytes for Value<'_> {
    fn as_bytes_any(&self) -> Option<&[u8]> {
        match self {
            Value::Str(s) | Value::Bytes(s) => Some(s),
            _ => None,
        }
    }
}

fn strlen(b: &[u8]) -> &[u8] {
    match b.iter().position(|c| *c == 0) {
        Some(n) => &b[..n],
        None => b,
    }
}

fn b64_val(c: u8) -> Option<u8> {
    Some(match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    })
}

fn transform(xf: Xform, b: &[u8], out: &mut Values) -> bool {
    match xf {
        Xform::Lower | Xform::Upper => {
            out.begin_str();
            for c in b {
                out.push_byte(if xf == Xform::Lower {
                    c.to_ascii_lowercase()
                } else {
                    c.to_ascii_uppercase()
                });
            }
            out.end_str();
        }
        Xform::Basename => {
            let s = strlen(b);
            let start = s.iter().rposition(|c| *c == b'/').map_or(0, |p| p + 1);
            out.push_str(&s[start..]);
        }
        Xform::Len => out.push_u64(strlen(b).len() as u64),
        Xform::B64 => {
            out.begin_str();
            let (mut acc, mut bits) = (0u32, 0u32);
            for c in b.iter().copied().take_while(|c| *c != b'=') {
                let Some(v) = b64_val(c) else {
                    return false;
                };
                acc = (acc << 6) | v as u32;
                bits += 6;
                if bits >= 8 {
                    bits -= 8;
                    out.push_byte((acc >> bits) as u8);
                }
            }
            out.end_str();
        }
    }
    true
}

fn ci_contains(hay: &[u8], needle_lower: &[u8]) -> bool {
    if needle_lower.is_empty() {
        return true;
    }
    hay.windows(needle_lower.len()).any(|w| {
        w.iter()
            .zip(needle_lower)
            .all(|(a, b)| a.to_ascii_lowercase() == *b)
    })
}

fn num(v: &Value<'_>) -> Option<i128> {
    match v {
        Value::I64(x) => Some(*x as i128),
        Value::U64(x) => Some(*x as i128),
        Value::Bool(b) => Some(*b as i128),
        Value::Str(s) | Value::Bytes(s) => std::str::from_utf8(s).ok()?.parse().ok(),
        _ => None,
    }
}

fn ord_ok(op: Op, o: Ordering) -> bool {
    match op {
        Op::Eq => o == Ordering::Equal,
        Op::Ne => o != Ordering::Equal,
        Op::Lt => o == Ordering::Less,
        Op::Le => o != Ordering::Greater,
        Op::Gt => o == Ordering::Greater,
        Op::Ge => o != Ordering::Less,
        _ => false,
    }
}

fn in_net(ip: IpAddr, net: IpAddr, len: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let mask = if len == 0 {
                0
            } else {
                u32::MAX << (32 - len.min(32))
            };
            (u32::from(a) & mask) == (u32::from(n) & mask)
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let mask = if len == 0 {
                0
            } else {
                u128::MAX << (128 - len.min(128))
            };
            (u128::from(a) & mask) == (u128::from(n) & mask)
        }
        _ => false,
    }
}

/// One left-hand value against one right-hand value.
fn cmp_one(op: Op, a: &Value<'_>, b: &Value<'_>, m: &Matcher) -> bool {
    use Value::*;
    match (a, b) {
        (Str(x) | Bytes(x), Str(y) | Bytes(y)) => {
            let x: &[u8] = if matches!(a, Str(_)) { strlen(x) } else { x };
            let y: &[u8] = y;
            match op {
                Op::Eq | Op::In | Op::Intersects => x == y,
                Op::Ne => x != y,
                Op::Lt | Op::Le | Op::Gt | Op::Ge => ord_ok(op, x.cmp(y)),
                Op::Contains | Op::BContains => match m {
                    Matcher::Finder(f) => f.find(x).is_some(),
                    _ => memchr::memmem::find(x, y).is_some(),
                },
                Op::IContains => ci_contains(x, y),
                Op::StartsWith | Op::BStartsWith => x.starts_with(y),
                Op::EndsWith => x.ends_with(y),
                Op::Glob => glob_match(y, x, false),
                Op::IGlob => glob_match(y, x, true),
                Op::Regex => match m {
                    Matcher::Regex(r) => r.is_match(x),
                    _ => false,
                },
                Op::PMatch => path_prefix_match(y, x),
                Op::Exists => true,
            }
        }
        (Double(x), _) | (_, Double(x)) => {
            let other = if matches!(a, Double(_)) { b } else { a };
            let y = match other {
                Double(y) => *y,
                v => match num(v) {
                    Some(n) => n as f64,
                    None => return false,
                },
            };
            let (l, r) = if matches!(a, Double(_)) {
                (*x, y)
            } else {
                (y, *x)
            };
            match l.partial_cmp(&r) {
                Some(o) => ord_ok(if op.is_set() { Op::Eq } else { op }, o),
                None => false,
            }
        }
        (Ip(x), Ip(y)) => {
            if x.is_ipv4() != y.is_ipv4() {
                return op == Op::Ne;
            }
            (x == y) != (op == Op::Ne)
        }
        (Ip(x), Net(n, l)) | (Net(n, l), Ip(x)) => {
            if x.is_ipv4() != n.is_ipv4() {
                return op == Op::Ne;
            }
            in_net(*x, *n, *l) != (op == Op::Ne)
        }
        (Net(n1, l1), Net(n2, l2)) => ((n1, l1) == (n2, l2)) != (op == Op::Ne),
        _ => match (num(a), num(b)) {
            (Some(x), Some(y)) => ord_ok(if op.is_set() { Op::Eq } else { op }, x.cmp(&y)),
            _ => false,
        },
    }
}

/// Does lhs value `a` match the right-hand side (respecting modifiers and
/// list operators)?
fn value_matches(
    op: Op,
    modifier: Option<Modifier>,
    a: &Value<'_>,
    values: &Values,
    matchers: &[Matcher],
    set: Option<&std::collections::HashSet<Vec<u8>>>,
) -> bool {
    if let (Some(set), Some(b)) = (set, a.as_bytes_any())
        && op.is_set()
        && modifier.is_none()
    {
        return set.contains(strlen(b));
    }
    let none = Matcher::None;
    let mut hits = 0usize;
    for (i, b) in values.iter().enumerate() {
        let m = matchers.get(i).unwrap_or(&none);
        if cmp_one(op, a, &b, m) {
            hits += 1;
            if modifier.is_none() || modifier == Some(Modifier::AnyOf) {
                return true;
            }
        }
    }
    match modifier {
        None | Some(Modifier::AnyOf) => false,
        Some(Modifier::OneOf) => hits == 1,
        Some(Modifier::AllOf) => hits == values.len() && hits > 0,
    }
}

fn eval_check<S: FieldSource>(c: &mut Check<S>, cx: &S::Ctx<'_>) -> bool {
    if !c.lhs.fill(cx) {
        return false;
    }
    let op = c.op;
    if op == Op::Exists {
        return true;
    }
    let (values, matchers, set) = match &mut c.rhs {
        Rhs::None => return false,
        Rhs::Consts {
            values,
            matchers,
            set,
        } => (&*values, matchers.as_slice(), set.as_ref()),
        Rhs::Dns(names) => {
            let any = |a: Value<'_>| match a {
                Value::Ip(ip) => names.iter().any(|n| n.matches(ip)),
                _ => false,
            };
            return match op {
                Op::Ne => !c.lhs.buf.iter().any(any),
                _ => c.lhs.buf.iter().any(any),
            };
        }
        Rhs::Field(r) => {
            if !r.fill(cx) {
                return false;
            }
            (&r.buf, &[][..], None)
        }
    };
    let lhs = &c.lhs;
    if op == Op::In && lhs.is_list {
        return lhs
            .buf
            .iter()
            .all(|a| value_matches(op, c.modifier, &a, values, matchers, set));
    }
    if op == Op::Ne && lhs.ne_all {
        return lhs
            .buf
            .iter()
            .all(|a| value_matches(op, c.modifier, &a, values, matchers, set));
    }
    if !op.is_set() && op != Op::PMatch && c.modifier.is_none() {
        // scalar comparison: one right-hand value (the first of a field)
        let none = Matcher::None;
        let Some(b) = values.first() else {
            return false;
        };
        let m = matchers.first().unwrap_or(&none);
        return lhs.buf.iter().any(|a| cmp_one(op, &a, &b, m));
    }
    lhs.buf
        .iter()
        .any(|a| value_matches(op, c.modifier, &a, values, matchers, set))
}
