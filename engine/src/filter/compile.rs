//! Compiles a (macro-expanded) condition AST against a field source into a
//! [`Filter`]: fields bound, right-hand values parsed into the field's type,
//! regexes/globs/substring finders/sets pre-built, operators type-checked
//! with libsinsp's messages (rules.md §2.6–2.8, libs `filter_compare.cpp`).

use std::collections::HashSet;
use std::net::IpAddr;

use memchr::memmem;

use super::ast::{Expr, ExprKind, Pos};
use super::fields_api::{FieldMeta, FieldSource};
use super::value::{FieldType, Values};

/// A compile error at the position of the offending check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct CompileError {
    /// libsinsp's message.
    pub message: String,
    /// Position of the check in the condition.
    pub pos: Pos,
}

/// A compile warning (reported as LOAD_COMPILE_CONDITION).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileWarning {
    /// Message text.
    pub message: String,
    /// Position of the check.
    pub pos: Pos,
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Op {
    Exists,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Contains,
    IContains,
    BContains,
    StartsWith,
    BStartsWith,
    EndsWith,
    Glob,
    IGlob,
    Regex,
    In,
    Intersects,
    PMatch,
}

impl Op {
    /// Parses an operator word.
    pub fn parse(s: &str) -> Option<Op> {
        Some(match s {
            "exists" => Op::Exists,
            "=" | "==" => Op::Eq,
            "!=" => Op::Ne,
            "<" => Op::Lt,
            "<=" => Op::Le,
            ">" => Op::Gt,
            ">=" => Op::Ge,
            "contains" => Op::Contains,
            "icontains" => Op::IContains,
            "bcontains" => Op::BContains,
            "startswith" => Op::StartsWith,
            "bstartswith" => Op::BStartsWith,
            "endswith" => Op::EndsWith,
            "glob" => Op::Glob,
            "iglob" => Op::IGlob,
            "regex" => Op::Regex,
            "in" => Op::In,
            "intersects" => Op::Intersects,
            "pmatch" => Op::PMatch,
            _ => return None,
        })
    }

    fn is_list_op(self) -> bool {
        matches!(self, Op::In | Op::Intersects | Op::PMatch)
    }

    /// `in` or `intersects`: set membership.
    pub(crate) fn is_set(self) -> bool {
        matches!(self, Op::In | Op::Intersects)
    }
}

/// `oneof` / `anyof` / `allof`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Modifier {
    /// Exactly one right-hand element matches.
    OneOf,
    /// At least one matches.
    AnyOf,
    /// All match.
    AllOf,
}

/// Transformers falcon evaluates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Xform {
    Lower,
    Upper,
    B64,
    Basename,
    Len,
}

pub(crate) enum OperandKind<S: FieldSource> {
    Field(S::Field),
    Xform(Xform, Box<Operand<S>>),
}

/// A field or transformed field with its reusable value container.
pub(crate) struct Operand<S: FieldSource> {
    pub(crate) kind: OperandKind<S>,
    pub(crate) buf: Values,
    pub(crate) ty: FieldType,
    pub(crate) is_list: bool,
    pub(crate) ne_all: bool,
    pub(crate) dns_name: bool,
    /// Field name (of the innermost field for transformers).
    pub(crate) name: String,
    pub(crate) no_rhs: bool,
}

/// A pre-built matcher for one right-hand constant.
pub(crate) enum Matcher {
    None,
    Finder(Box<memmem::Finder<'static>>),
    Regex(regex::bytes::Regex),
}

pub(crate) enum Rhs<S: FieldSource> {
    None,
    Consts {
        values: Values,
        matchers: Vec<Matcher>,
        set: Option<HashSet<Vec<u8>>>,
    },
    Field(Operand<S>),
    /// Host names for `fd.*ip.name` checks.
    Dns(Vec<std::sync::Arc<super::dns::DnsName>>),
}

pub(crate) struct Check<S: FieldSource> {
    pub(crate) lhs: Operand<S>,
    pub(crate) op: Op,
    pub(crate) modifier: Option<Modifier>,
    pub(crate) rhs: Rhs<S>,
}

pub(crate) enum Node<S: FieldSource> {
    And(Vec<Node<S>>),
    Or(Vec<Node<S>>),
    Not(Box<Node<S>>),
    Check(Box<Check<S>>),
}

/// A compiled condition. Evaluate with [`Filter::eval`].
pub struct Filter<S: FieldSource> {
    pub(crate) root: Node<S>,
}

impl<S: FieldSource> std::fmt::Debug for Filter<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Filter")
    }
}

type R<T> = Result<T, CompileError>;

fn err<T>(message: impl Into<String>, pos: Pos) -> R<T> {
    Err(CompileError {
        message: message.into(),
        pos,
    })
}

/// The type name libsinsp prints (`param_type_to_string`).
pub fn type_name(ty: FieldType) -> &'static str {
    match ty {
        FieldType::Charbuf => "CHARBUF",
        FieldType::Bytebuf => "BYTEBUF",
        FieldType::Int16 => "INT16",
        FieldType::Int32 => "INT32",
        FieldType::Int64 => "INT64",
        FieldType::Uint32 => "UINT32",
        FieldType::Uint64 => "UINT64",
        FieldType::Bool => "BOOL",
        FieldType::IpAddr => "IPADDR",
        FieldType::IpNet => "IPNET",
        FieldType::Port => "PORT",
        FieldType::Abstime => "ABSTIME",
        FieldType::Reltime => "RELTIME",
        FieldType::Double => "DOUBLE",
        FieldType::Dyn => "DYN",
    }
}

/// libsinsp's operator/type compatibility check.
fn check_op_type(
    ty: FieldType,
    is_list: bool,
    op: Op,
    text: &str,
    modifier: bool,
) -> Result<(), String> {
    use Op::*;
    if op == Exists {
        return Ok(());
    }
    if is_list {
        let supported = matches!(
            ty,
            FieldType::Charbuf
                | FieldType::Uint64
                | FieldType::Reltime
                | FieldType::Abstime
                | FieldType::Bool
                | FieldType::IpAddr
                | FieldType::IpNet
        );
        if !supported {
            return Err(format!(
                "list filters are not supported for type '{}'",
                type_name(ty)
            ));
        }
        return match op {
            In | Intersects => Ok(()),
            _ => Err(format!("'{text}' operator not supported list filters")),
        };
    }
    let ok = match ty {
        _ if ty.is_numeric() => {
            matches!(op, Eq | Ne | Lt | Le | Gt | Ge | In | Intersects | Exists)
        }
        FieldType::Bool => matches!(op, Eq | Ne | In | Intersects | Exists),
        FieldType::Charbuf | FieldType::Dyn => !matches!(op, BContains | BStartsWith),
        FieldType::Bytebuf => matches!(
            op,
            Eq | Ne
                | Contains
                | BContains
                | StartsWith
                | BStartsWith
                | EndsWith
                | In
                | Intersects
                | Exists
        ),
        FieldType::IpAddr | FieldType::IpNet => {
            let ok = matches!(op, Eq | Ne | In | Intersects | Exists);
            if !ok && modifier {
                return Err(format!(
                    "'{text}' with modifier not supported for ip address and network filters"
                ));
            }
            ok
        }
        _ => false,
    };
    if ok {
        return Ok(());
    }
    let family = match ty {
        _ if ty.is_numeric() => "numeric filters",
        FieldType::Bool => "numeric filters",
        FieldType::Charbuf | FieldType::Dyn => "string filters",
        FieldType::Bytebuf => "buffer filters",
        FieldType::IpAddr | FieldType::IpNet => "ip address and network filters",
        _ => {
            return Err(format!(
                "'{text}' operator not supported for type '{}'",
                type_name(ty)
            ));
        }
    };
    Err(format!("'{text}' operator not supported for {family}"))
}

/// Compiles `ast` (macros already expanded) for `src`. Returns the filter
/// and libsinsp's compile-time warnings.
pub fn compile<S: FieldSource>(src: &S, ast: &Expr) -> R<(Filter<S>, Vec<CompileWarning>)> {
    let mut warnings = Vec::new();
    let root = compile_node(src, ast, &mut warnings)?;
    Ok((Filter { root }, warnings))
}

fn compile_node<S: FieldSource>(src: &S, e: &Expr, w: &mut Vec<CompileWarning>) -> R<Node<S>> {
    Ok(match &e.kind {
        ExprKind::And(c) => Node::And(
            c.iter()
                .map(|x| compile_node(src, x, w))
                .collect::<R<_>>()?,
        ),
        ExprKind::Or(c) => Node::Or(
            c.iter()
                .map(|x| compile_node(src, x, w))
                .collect::<R<_>>()?,
        ),
        ExprKind::Not(c) => Node::Not(Box::new(compile_node(src, c, w)?)),
        ExprKind::Ident(name) => {
            return err(
                format!("filter error: unexpected identifier '{name}'"),
                e.pos,
            );
        }
        ExprKind::Unary { lhs, op } => {
            let lhs = compile_operand(src, lhs, e.pos)?;
            if op != "exists" {
                return err(format!("unknown unary operator {op}"), e.pos);
            }
            Node::Check(Box::new(Check {
                lhs,
                op: Op::Exists,
                modifier: None,
                rhs: Rhs::None,
            }))
        }
        ExprKind::Binary { lhs, op, rhs } => {
            Node::Check(Box::new(compile_check(src, lhs, op, rhs, e.pos, w)?))
        }
        _ => return err("unexpected node in condition", e.pos),
    })
}

fn is_field_name(s: &str) -> bool {
    let b = s.as_bytes();
    let seg = |b: &[u8]| -> usize {
        if b.first().is_some_and(|c| c.is_ascii_alphabetic()) {
            1 + b[1..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
                .count()
        } else {
            0
        }
    };
    let mut n = seg(b);
    if n == 0 {
        return false;
    }
    let mut dots = 0;
    while n < b.len() && b[n] == b'.' {
        let k = seg(&b[n + 1..]);
        if k == 0 {
            return false;
        }
        n += 1 + k;
        dots += 1;
    }
    dots > 0 && n == b.len()
}

fn compile_operand<S: FieldSource>(src: &S, e: &Expr, pos: Pos) -> R<Operand<S>> {
    match &e.kind {
        ExprKind::Field { name, arg } => {
            let (f, meta) = src
                .bind(name, arg.as_deref())
                .map_err(|m| CompileError { message: m, pos })?;
            Ok(field_operand(f, meta, name))
        }
        ExprKind::Transformer { name, args, .. } => {
            let xf = match name.as_str() {
                "tolower" => Xform::Lower,
                "toupper" => Xform::Upper,
                "b64" => Xform::B64,
                "basename" => Xform::Basename,
                "len" => Xform::Len,
                "val" => {
                    return err(
                        "'val' transformer is only allowed on the right-hand side",
                        pos,
                    );
                }
                other => {
                    return err(
                        format!("transformer '{other}' is not supported by falcon"),
                        pos,
                    );
                }
            };
            if args.len() != 1 {
                return err(
                    format!("transformer '{name}' expects exactly one argument"),
                    pos,
                );
            }
            let inner = compile_operand(src, &args[0], pos)?;
            let ty = match xf {
                Xform::Lower | Xform::Upper | Xform::Basename => {
                    if inner.ty != FieldType::Charbuf || inner.is_list {
                        return err(
                            format!(
                                "field transformer '{name}' is not supported on field type '{}'",
                                type_name(inner.ty)
                            ),
                            pos,
                        );
                    }
                    FieldType::Charbuf
                }
                Xform::B64 => {
                    if !matches!(inner.ty, FieldType::Charbuf | FieldType::Bytebuf) || inner.is_list
                    {
                        return err(
                            format!(
                                "field transformer '{name}' is not supported on field type '{}'",
                                type_name(inner.ty)
                            ),
                            pos,
                        );
                    }
                    inner.ty
                }
                Xform::Len => {
                    if !matches!(inner.ty, FieldType::Charbuf | FieldType::Bytebuf)
                        && !inner.is_list
                    {
                        return err(
                            format!(
                                "field transformer '{name}' is not supported on field type '{}'",
                                type_name(inner.ty)
                            ),
                            pos,
                        );
                    }
                    FieldType::Uint64
                }
            };
            let (fname, no_rhs) = (inner.name.clone(), inner.no_rhs);
            Ok(Operand {
                kind: OperandKind::Xform(xf, Box::new(inner)),
                buf: Values::new(),
                ty,
                is_list: false,
                ne_all: false,
                dns_name: false,
                name: fname,
                no_rhs,
            })
        }
        _ => err("expected a field or a transformer", pos),
    }
}

fn field_operand<S: FieldSource>(f: S::Field, meta: FieldMeta, name: &str) -> Operand<S> {
    Operand {
        kind: OperandKind::Field(f),
        buf: Values::new(),
        ty: meta.ty,
        is_list: meta.is_list,
        ne_all: meta.ne_all,
        dns_name: meta.dns_name,
        name: name.to_string(),
        no_rhs: meta.no_rhs,
    }
}

fn compile_check<S: FieldSource>(
    src: &S,
    lhs_e: &Expr,
    op_text: &str,
    rhs_e: &Expr,
    pos: Pos,
    w: &mut Vec<CompileWarning>,
) -> R<Check<S>> {
    let mut words = op_text.split(' ');
    let base = words.next().unwrap_or_default();
    let modifier = match words.next() {
        None => None,
        Some("oneof") => Some(Modifier::OneOf),
        Some("anyof") => Some(Modifier::AnyOf),
        Some("allof") => Some(Modifier::AllOf),
        Some(m) => return err(format!("unknown operator modifier {m}"), pos),
    };
    let Some(op) = Op::parse(base) else {
        return err(format!("unknown operator {op_text}"), pos);
    };
    let lhs = compile_operand(src, lhs_e, pos)?;
    if lhs.dns_name && op != Op::Exists {
        if !matches!(op, Op::Eq | Op::Ne | Op::In) || modifier.is_some() {
            return err(
                "filter error: fd.*ip.name filter only supports '=' and '!=' operators",
                pos,
            );
        }
        let names: Vec<&str> = match &rhs_e.kind {
            ExprKind::Value(v) => vec![v.as_str()],
            ExprKind::List(vs) => vs.iter().map(|s| s.as_str()).collect(),
            _ => {
                return err(
                    "filter error: fd.*ip.name filter only supports host names",
                    pos,
                );
            }
        };
        return Ok(Check {
            lhs,
            op,
            modifier,
            rhs: Rhs::Dns(names.into_iter().map(super::dns::DnsName::new).collect()),
        });
    }
    check_op_type(lhs.ty, lhs.is_list, op, op_text, modifier.is_some()).map_err(|m| {
        CompileError {
            message: format!("filter error: {m}"),
            pos,
        }
    })?;
    let is_evt_type =
        matches!(&lhs_e.kind, ExprKind::Field { name, arg: None } if name == "evt.type");

    // right-hand field: val(x) or a transformer
    if let ExprKind::Transformer { name, args, .. } = &rhs_e.kind {
        let rhs = if name == "val" {
            compile_operand(src, &args[0], pos)?
        } else {
            compile_operand(src, rhs_e, pos)?
        };
        if matches!(op, Op::PMatch | Op::Regex) {
            return err(
                format!("operator '{base}' doesn't support right-hand side fields"),
                pos,
            );
        }
        if lhs.ty == FieldType::IpNet {
            return err(
                "field type 'IPNET' doesn't support right-hand side fields",
                pos,
            );
        }
        if lhs.no_rhs {
            return err(
                format!(
                    "field '{}' doesn't support right-hand side fields",
                    lhs.name
                ),
                pos,
            );
        }
        if rhs.no_rhs {
            return err(
                format!(
                    "field '{}' can't be used as a right-hand side field",
                    rhs.name
                ),
                pos,
            );
        }
        if lhs.ty != rhs.ty || (lhs.is_list != rhs.is_list && !op.is_list_op()) {
            return err(
                format!(
                    "field-to-field comparison between incompatible types: {} and {}",
                    type_name(lhs.ty),
                    type_name(rhs.ty)
                ),
                pos,
            );
        }
        return Ok(Check {
            lhs,
            op,
            modifier,
            rhs: Rhs::Field(rhs),
        });
    }

    let texts: Vec<&str> = match &rhs_e.kind {
        ExprKind::Value(v) => vec![v.as_str()],
        ExprKind::List(vs) => vs.iter().map(|s| s.as_str()).collect(),
        _ => return err("unexpected right-hand side", pos),
    };
    if !op.is_list_op() && modifier.is_none() && texts.len() != 1 {
        return err(format!("'{op_text}' operator requires a single value"), pos);
    }
    let mut values = Values::new();
    let mut matchers = Vec::with_capacity(texts.len());
    for t in &texts {
        if t.as_bytes().contains(&0) {
            return err("filter value cannot contain a NUL byte", pos);
        }
        if is_evt_type && !src.is_event_name(t) {
            return err(format!("unknown event type {t}"), pos);
        }
        value_warnings(src, op, t, rhs_e.pos, w);
        push_const(&mut values, lhs.ty, op, t).map_err(|m| CompileError { message: m, pos })?;
        matchers.push(build_matcher(op, t, pos)?);
    }
    let set = (op.is_list_op()
        && op != Op::PMatch
        && matches!(
            lhs.ty,
            FieldType::Charbuf | FieldType::Bytebuf | FieldType::Dyn
        )
        && texts.len() > 4)
        .then(|| texts.iter().map(|t| t.as_bytes().to_vec()).collect());
    Ok(Check {
        lhs,
        op,
        modifier,
        rhs: Rhs::Consts {
            values,
            matchers,
            set,
        },
    })
}

fn build_matcher(op: Op, t: &str, pos: Pos) -> R<Matcher> {
    Ok(match op {
        Op::Contains => Matcher::Finder(Box::new(memmem::Finder::new(t.as_bytes()).into_owned())),
        Op::BContains => {
            let bytes = decode_hex(t).unwrap_or_default();
            Matcher::Finder(Box::new(memmem::Finder::new(&bytes).into_owned()))
        }
        Op::Regex => {
            let re = regex::bytes::Regex::new(&format!("^(?:{t})$")).map_err(|e| CompileError {
                message: format!("invalid regex pattern: {e}"),
                pos,
            })?;
            Matcher::Regex(re)
        }
        _ => Matcher::None,
    })
}

/// libsinsp's `check_value_and_add_warnings`: regexes that simpler
/// operators could do, values that look like fields or transformers.
fn value_warnings<S: FieldSource>(src: &S, op: Op, v: &str, pos: Pos, w: &mut Vec<CompileWarning>) {
    let nospaces: String = v
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && *c != '\u{b}')
        .collect();
    if op == Op::Regex && regex_is_trivial(v.as_bytes()) {
        w.push(CompileWarning {
            message: format!(
                "regex check with '{v}' may be optimized with simpler operators such as '=', 'contains', 'startswith', 'endswith'"
            ),
            pos,
        });
    }
    let (name, arg) = match nospaces.find('[') {
        Some(p) if nospaces.ends_with(']') => {
            (&nospaces[..p], Some(&nospaces[p + 1..nospaces.len() - 1]))
        }
        _ => (nospaces.as_str(), None),
    };
    if is_field_name(name) && src.bind(name, arg).is_ok() {
        w.push(CompileWarning {
            message: format!("'{v}' may be a valid field misused as a const string value"),
            pos,
        });
    }
    let xforms = std::iter::once("val").chain(
        super::parser::TRANSFORMERS
            .iter()
            .map(|t| &t[..t.len() - 1]),
    );
    for t in xforms {
        if nospaces.len() >= t.len() + 2
            && nospaces.starts_with(t)
            && nospaces.as_bytes()[t.len()] == b'('
            && nospaces.ends_with(')')
        {
            w.push(CompileWarning {
                message: format!(
                    "'{v}' may be a valid field transformer misused as a const string value"
                ),
                pos,
            });
        }
    }
}

/// True when a regex has no special character except anchors at the ends
/// and `.*`/`.+`/`.?` at the start or end.
fn regex_is_trivial(v: &[u8]) -> bool {
    const SPECIAL: &[u8] = b".+*?^$()[]{}|\\";
    const OCCURRENCE: &[u8] = b"+*?";
    let len = v.len();
    let mut i = 0;
    while i < len {
        if (i == 0 && v[i] == b'^') || (i == len - 1 && v[i] == b'$') {
            i += 1;
            continue;
        }
        if ((i == 0 && len > 1) || (len >= 2 && i == len - 2))
            && v[i] == b'.'
            && v.get(i + 1).is_some_and(|c| OCCURRENCE.contains(c))
        {
            i += 2;
            continue;
        }
        if SPECIAL.contains(&v[i]) {
            return false;
        }
        i += 1;
    }
    true
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || s.is_empty() {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// sscanf("%ld")-like: optional sign and decimal digits, nothing else.
fn parse_i64(s: &str) -> Option<i64> {
    let d = s.strip_prefix(['+', '-']).unwrap_or(s);
    if d.is_empty() || !d.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<i64>().ok()
}

fn parse_u64(s: &str) -> Option<u64> {
    if let Some(n) = s.strip_prefix('-') {
        return parse_u64(n).map(|v| v.wrapping_neg());
    }
    let d = s.strip_prefix('+').unwrap_or(s);
    if d.is_empty() || !d.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    d.parse::<u64>().ok()
}

fn service_port(name: &str) -> Option<u64> {
    let text = std::fs::read_to_string("/etc/services").ok()?;
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("");
        let mut words = line.split_whitespace();
        let (Some(svc), Some(portproto)) = (words.next(), words.next()) else {
            continue;
        };
        if svc == name || words.any(|a| a == name) {
            return portproto.split('/').next()?.parse().ok();
        }
    }
    None
}

fn parse_net(t: &str) -> Option<(IpAddr, u8)> {
    let (a, l) = t.split_once('/')?;
    let ip: IpAddr = a.parse().ok()?;
    let len: u8 = l.parse().ok()?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    (len <= max).then_some((ip, len))
}

fn push_const(out: &mut Values, ty: FieldType, op: Op, t: &str) -> Result<(), String> {
    let nan = || format!("{t} is not a valid number");
    match ty {
        FieldType::Charbuf | FieldType::Dyn => {
            if op == Op::IContains {
                out.push_str(t.to_ascii_lowercase().as_bytes());
            } else {
                out.push_str(t.as_bytes());
            }
        }
        FieldType::Bytebuf => {
            if matches!(op, Op::BContains | Op::BStartsWith) {
                let b = decode_hex(t).ok_or_else(|| {
                    "filter error: bcontains and bstartswith operator support hex strings only"
                        .to_string()
                })?;
                out.push_bytes(&b);
            } else {
                out.push_bytes(t.as_bytes());
            }
        }
        FieldType::Int16 | FieldType::Int32 | FieldType::Int64 => {
            out.push_i64(parse_i64(t).ok_or_else(nan)?)
        }
        FieldType::Uint32 | FieldType::Uint64 | FieldType::Abstime | FieldType::Reltime => {
            out.push_u64(parse_u64(t).ok_or_else(nan)?)
        }
        FieldType::Port => {
            if t.is_empty() {
                out.push_u64(0);
            } else if let Some(v) = parse_u64(t) {
                out.push_u64(v);
            } else {
                out.push_u64(service_port(t).ok_or_else(nan)?);
            }
        }
        FieldType::Double => out.push_double(t.parse::<f64>().map_err(|_| nan())?),
        FieldType::Bool => match t {
            "true" => out.push_bool(true),
            "false" => out.push_bool(false),
            _ => return Err(format!("unrecognized boolean value {t}")),
        },
        FieldType::IpAddr => {
            let ip: Option<IpAddr> = if t.contains('.') {
                t.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4)
            } else {
                t.parse::<std::net::Ipv6Addr>().ok().map(IpAddr::V6)
            };
            out.push_ip(ip.ok_or_else(|| format!("unrecognized IP address {t}"))?);
        }
        FieldType::IpNet => {
            if let Some((ip, len)) = parse_net(t) {
                out.push_net(ip, len);
            } else if !t.contains('/')
                && t.contains(':')
                && let Ok(ip) = t.parse::<IpAddr>()
            {
                out.push_ip(ip);
            } else {
                return Err(format!("unrecognized IP network {t}"));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_decimal_only() {
        assert_eq!(parse_i64("-12"), Some(-12));
        assert_eq!(parse_i64("0x1f"), None);
        assert_eq!(parse_u64("-1"), Some(u64::MAX));
        assert_eq!(parse_u64("1.5"), None);
    }

    #[test]
    fn op_type_messages() {
        assert_eq!(
            check_op_type(FieldType::Charbuf, false, Op::BContains, "bcontains", false)
                .unwrap_err(),
            "'bcontains' operator not supported for string filters"
        );
        assert_eq!(
            check_op_type(FieldType::Uint64, false, Op::Contains, "contains", false).unwrap_err(),
            "'contains' operator not supported for numeric filters"
        );
        assert!(check_op_type(FieldType::Charbuf, true, Op::In, "in", false).is_ok());
    }
}
