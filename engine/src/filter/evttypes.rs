//! Event-type inference: the set of event codes a condition can match
//! (libs `filter/ppm_codes.cpp`), so each rule is evaluated only for those.

use falcon_driver::abi::{EVENT_MAX, EVENT_TABLE, SYSCALL_TABLE};

use super::ast::{Expr, ExprKind};

const WORDS: usize = EVENT_MAX.div_ceil(64);

/// A set of event codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventSet([u64; WORDS]);

impl EventSet {
    /// No code.
    pub const EMPTY: EventSet = EventSet([0; WORDS]);

    /// Every code below `EVENT_MAX`.
    pub fn all() -> EventSet {
        let mut s = EventSet::EMPTY;
        for c in 0..EVENT_MAX {
            s.insert(c as u16);
        }
        s
    }

    /// Adds a code.
    pub fn insert(&mut self, c: u16) {
        let c = c as usize;
        if c < EVENT_MAX {
            self.0[c / 64] |= 1 << (c % 64);
        }
    }

    /// Holds `c`.
    pub fn contains(&self, c: u16) -> bool {
        let c = c as usize;
        c < EVENT_MAX && self.0[c / 64] & (1 << (c % 64)) != 0
    }

    /// Number of codes.
    pub fn len(&self) -> usize {
        self.0.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// No code.
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|w| *w == 0)
    }

    fn intersect(&self, o: &EventSet) -> EventSet {
        let mut r = *self;
        r.0.iter_mut().zip(o.0).for_each(|(a, b)| *a &= b);
        r
    }

    fn merge(&self, o: &EventSet) -> EventSet {
        let mut r = *self;
        r.0.iter_mut().zip(o.0).for_each(|(a, b)| *a |= b);
        r
    }

    fn diff_from_all(&self) -> EventSet {
        let all = EventSet::all();
        let mut r = all;
        r.0.iter_mut().zip(self.0).for_each(|(a, b)| *a &= !b);
        r
    }

    /// The codes, ascending.
    pub fn iter(&self) -> impl Iterator<Item = u16> + '_ {
        (0..EVENT_MAX as u16).filter(|c| self.contains(*c))
    }

    /// Event names of the codes, deduplicated, sorted.
    pub fn names(&self) -> Vec<&'static str> {
        let mut v: Vec<_> = self
            .iter()
            .filter_map(|c| EVENT_TABLE.get(c as usize).map(|e| e.name))
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }
}

/// Codes of events named `names` (`names_to_event_set`): every event of
/// that name from code 2 on, plus the generic events when a name is a
/// syscall without a dedicated event.
pub fn names_to_codes<'a>(names: impl IntoIterator<Item = &'a str> + Clone) -> EventSet {
    let mut s = EventSet::EMPTY;
    let mut remaining: Vec<&str> = names.clone().into_iter().collect();
    for (code, e) in EVENT_TABLE.iter().enumerate().skip(2) {
        if names.clone().into_iter().any(|n| n == e.name) {
            s.insert(code as u16);
            remaining.retain(|n| *n != e.name);
        }
    }
    if remaining
        .iter()
        .any(|n| SYSCALL_TABLE.iter().any(|sc| sc.name == *n))
    {
        s.insert(0);
        s.insert(1);
    }
    s
}

/// A name `evt.type` may take: an event name or a syscall name.
pub fn is_event_name(name: &str) -> bool {
    EVENT_TABLE.iter().any(|e| e.name == name) || SYSCALL_TABLE.iter().any(|s| s.name == name)
}

#[derive(Default)]
struct Visitor {
    is_evttype_field: bool,
    inside_negation: bool,
    has_codes: bool,
    codes: Option<EventSet>,
}

/// Why inference failed (upstream raises these as compile errors).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InferError(pub String);

impl Visitor {
    fn last(&self) -> EventSet {
        self.codes.unwrap_or(EventSet::EMPTY)
    }
    fn inversion(&self, s: EventSet) -> EventSet {
        if self.has_codes { s.diff_from_all() } else { s }
    }
    fn try_inversion(&self, s: EventSet) -> EventSet {
        if self.inside_negation {
            self.inversion(s)
        } else {
            s
        }
    }

    fn conj(&mut self, c: &[Expr]) -> Result<(), InferError> {
        let mut t = EventSet::all();
        for x in c {
            self.visit(x)?;
            t = t.intersect(&self.last());
        }
        self.codes = Some(t);
        self.is_evttype_field = false;
        Ok(())
    }

    fn disj(&mut self, c: &[Expr]) -> Result<(), InferError> {
        let mut t = EventSet::EMPTY;
        for x in c {
            self.visit(x)?;
            t = t.merge(&self.last());
        }
        self.codes = Some(t);
        self.is_evttype_field = false;
        Ok(())
    }

    fn leaf(&mut self, has_codes: bool, s: EventSet) {
        self.has_codes = has_codes;
        self.is_evttype_field = false;
        self.codes = Some(self.try_inversion(s));
    }

    fn visit(&mut self, e: &Expr) -> Result<(), InferError> {
        match &e.kind {
            ExprKind::And(c) => {
                if self.inside_negation {
                    self.disj(c)
                } else {
                    self.conj(c)
                }
            }
            ExprKind::Or(c) => {
                if self.inside_negation {
                    self.conj(c)
                } else {
                    self.disj(c)
                }
            }
            ExprKind::Not(c) => {
                self.codes = None;
                let saved = self.inside_negation;
                self.inside_negation = !saved;
                self.visit(c)?;
                self.inside_negation = saved;
                self.is_evttype_field = false;
                Ok(())
            }
            ExprKind::Binary { lhs, op, rhs } => {
                self.has_codes = false;
                match evt_num_invariant(lhs, op, rhs) {
                    Some(false) => {
                        self.leaf(true, EventSet::EMPTY);
                        return Ok(());
                    }
                    Some(true) => {
                        self.leaf(true, EventSet::all());
                        return Ok(());
                    }
                    None => {}
                }
                if matches!(op.as_str(), "==" | "=" | "!=" | "in") {
                    self.visit(lhs)?;
                    if self.is_evttype_field {
                        match &rhs.kind {
                            ExprKind::Value(v) => self.leaf(true, names_to_codes([v.as_str()])),
                            ExprKind::List(vs) => {
                                self.leaf(true, names_to_codes(vs.iter().map(|s| s.as_str())))
                            }
                            _ => {
                                return Err(InferError(
                                    "right-hand field comparisons on `evt.type`/`syscall.type` checks are not supported by event code search".into(),
                                ));
                            }
                        }
                        if op == "!=" {
                            self.codes = Some(self.inversion(self.last()));
                        }
                        self.is_evttype_field = false;
                        return Ok(());
                    }
                }
                self.leaf(false, EventSet::all());
                Ok(())
            }
            ExprKind::Unary { lhs, op } => {
                self.visit(lhs)?;
                let has = self.is_evttype_field && op == "exists";
                self.leaf(has, EventSet::all());
                Ok(())
            }
            ExprKind::Ident(_) => {
                self.leaf(false, EventSet::all());
                Ok(())
            }
            ExprKind::Field { name, arg } => {
                self.has_codes = false;
                self.is_evttype_field =
                    (name == "evt.type" || name == "syscall.type") && arg.is_none();
                self.codes = Some(self.try_inversion(EventSet::all()));
                Ok(())
            }
            ExprKind::Transformer { args, .. } => {
                for a in args {
                    self.visit(a)?;
                    if self.is_evttype_field {
                        return Err(InferError(
                            "event code search does not support `evt.type` checks with transformers".into(),
                        ));
                    }
                }
                Ok(())
            }
            ExprKind::TransformerList(items) => {
                for a in items {
                    self.visit(a)?;
                }
                Ok(())
            }
            ExprKind::Value(v) => {
                self.leaf(true, names_to_codes([v.as_str()]));
                Ok(())
            }
            ExprKind::List(vs) => {
                self.leaf(true, names_to_codes(vs.iter().map(|s| s.as_str())));
                Ok(())
            }
        }
    }
}

/// `evt.num` starts at 1: some checks on it are statically decided.
/// Some(true) = always true, Some(false) = never, None = unknown.
fn evt_num_invariant(lhs: &Expr, op: &str, rhs: &Expr) -> Option<bool> {
    let ExprKind::Field { name, arg: None } = &lhs.kind else {
        return None;
    };
    if name != "evt.num" {
        return None;
    }
    let parse = |s: &str| -> Option<u64> {
        if let Some(n) = s.strip_prefix('-') {
            return n.parse::<u64>().ok().map(|v| v.wrapping_neg());
        }
        s.parse().ok()
    };
    if op == "in" {
        let ExprKind::List(vs) = &rhs.kind else {
            return None;
        };
        if vs.iter().all(|v| parse(v) == Some(0)) {
            return Some(false);
        }
        return None;
    }
    let ExprKind::Value(v) = &rhs.kind else {
        return None;
    };
    let n = parse(v)?;
    match op {
        "=" | "==" if n == 0 => Some(false),
        "!=" if n == 0 => Some(true),
        "<" if n <= 1 => Some(false),
        "<=" if n == 0 => Some(false),
        ">" if n == 0 => Some(true),
        ">=" if n <= 1 => Some(true),
        _ => None,
    }
}

/// The event codes `e` (macro-expanded) can match.
pub fn event_codes(e: &Expr) -> Result<EventSet, InferError> {
    let mut v = Visitor::default();
    v.visit(e)?;
    Ok(v.last())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::parse;

    fn codes(c: &str) -> EventSet {
        event_codes(&parse(c).unwrap()).unwrap()
    }

    #[test]
    fn inference() {
        let open = names_to_codes(["open"]);
        assert!(!open.is_empty());
        assert_eq!(codes("evt.type = open and proc.name = x"), open);
        assert_eq!(
            codes("evt.type in (open, openat)"),
            names_to_codes(["open", "openat"])
        );
        assert_eq!(codes("proc.name = x"), EventSet::all());
        assert_eq!(
            codes("not evt.type = open").len(),
            EventSet::all().len() - open.len()
        );
        assert_eq!(
            codes("evt.type != open").len(),
            EventSet::all().len() - open.len()
        );
        assert!(codes("evt.num = 0").is_empty());
        assert!(codes("evt.type = open and not evt.num = 0") == open);
    }

    #[test]
    fn generic_syscalls() {
        let s = names_to_codes(["rt_sigaction"]);
        assert!(s.contains(0) && s.contains(1));
    }
}
