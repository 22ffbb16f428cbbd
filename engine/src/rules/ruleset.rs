//! The runtime ruleset: compiled rules indexed by source and event type,
//! evaluated in Falco's matching order (definition order; rules.md §3.4).

use falcon_driver::abi::{EVENT_MAX, PPME_ASYNCEVENT_E};

use super::compiler::Compiled;
use super::items::Priority;
use crate::filter::evttypes::EventSet;
use crate::filter::{Expr, FieldSource, Filter};

/// What outputs and listings need of a rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Name.
    pub name: String,
    /// Priority.
    pub priority: Priority,
    /// Event source (`syscall`, plugin sources).
    pub source: String,
    /// Output format, with `append_output` applied (render with a `*`
    /// prefix semantics: missing values print `<NA>`).
    pub output: String,
    /// Tags, sorted.
    pub tags: Vec<String>,
    /// `desc`.
    pub description: String,
    /// Condition as written.
    pub condition: String,
    /// Compiled condition in canonical form.
    pub condition_compiled: String,
    /// Event codes the condition can match (`ppm_event_codes`); the rule is
    /// evaluated for these and for the async meta event, as in Falco.
    pub event_codes: EventSet,
    /// Currently enabled.
    pub enabled: bool,
    /// `capture`.
    pub capture: bool,
    /// `capture_duration` (ms).
    pub capture_duration: u64,
}

/// Rules of all sources, ready to evaluate.
pub struct Ruleset<S: FieldSource> {
    rules: Vec<Rule>,
    filters: Vec<Filter<S>>,
    by_code: Vec<Vec<u32>>,
    by_source: Vec<(String, Vec<u32>)>,
    /// Every enabled syscall rule, in order (no event-type index).
    all_syscall: Vec<u32>,
}

impl<S: FieldSource> Ruleset<S> {
    /// Builds the ruleset from compiled rules: only rules with
    /// `priority <= min_priority` are added; each starts with its own
    /// `enabled` value.
    pub fn new(compiled: Compiled<S>, min_priority: Priority) -> Ruleset<S> {
        let mut rs = Ruleset {
            rules: Vec::new(),
            filters: Vec::new(),
            by_code: vec![Vec::new(); EVENT_MAX],
            by_source: Vec::new(),
            all_syscall: Vec::new(),
        };
        for r in compiled.rules {
            if r.info.priority > min_priority {
                continue;
            }
            rs.rules.push(Rule {
                name: r.info.name.clone(),
                priority: r.info.priority,
                source: r.info.source.clone(),
                output: r.output,
                tags: r.info.tags.iter().cloned().collect(),
                description: r.info.desc.clone(),
                condition: r.info.cond.clone(),
                condition_compiled: expr_string(&r.condition),
                event_codes: r.event_codes,
                enabled: r.info.enabled,
                capture: r.info.capture,
                capture_duration: r.info.capture_duration,
            });
            rs.filters.push(r.filter);
        }
        rs.reindex();
        rs
    }

    fn reindex(&mut self) {
        self.by_code.iter_mut().for_each(Vec::clear);
        self.by_source.clear();
        self.all_syscall.clear();
        for (i, r) in self.rules.iter().enumerate() {
            if !r.enabled {
                continue;
            }
            if r.source == "syscall" {
                self.all_syscall.push(i as u32);
                for c in r.event_codes.iter() {
                    self.by_code[c as usize].push(i as u32);
                }
                // Falco's index adds the async (meta) event to every rule.
                let async_code = PPME_ASYNCEVENT_E as u16;
                if !r.event_codes.contains(async_code) {
                    self.by_code[async_code as usize].push(i as u32);
                }
            } else {
                match self.by_source.iter_mut().find(|(s, _)| *s == r.source) {
                    Some((_, v)) => v.push(i as u32),
                    None => self.by_source.push((r.source.clone(), vec![i as u32])),
                }
            }
        }
    }

    /// All rules in definition order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Enables or disables rules whose name matches `pattern` (`*`
    /// wildcards, as falco.yaml `rules: [{enable|disable: {rule: …}}]`,
    /// see [`matches_wildcard`]).
    /// Returns how many rules matched.
    pub fn set_enabled_by_name(&mut self, pattern: &str, enabled: bool) -> usize {
        let mut n = 0;
        for r in &mut self.rules {
            if matches_wildcard(pattern, &r.name) {
                r.enabled = enabled;
                n += 1;
            }
        }
        self.reindex();
        n
    }

    /// Enables or disables rules having tag `tag`. Returns the count.
    pub fn set_enabled_by_tag(&mut self, tag: &str, enabled: bool) -> usize {
        let mut n = 0;
        for r in &mut self.rules {
            if r.tags.iter().any(|t| t == tag) {
                r.enabled = enabled;
                n += 1;
            }
        }
        self.reindex();
        n
    }

    /// Event codes at least one enabled syscall rule wants.
    pub fn wanted_codes(&self) -> EventSet {
        let mut s = EventSet::EMPTY;
        for (c, v) in self.by_code.iter().enumerate() {
            if !v.is_empty() {
                s.insert(c as u16);
            }
        }
        s
    }

    /// The enabled syscall rules matching the event in `cx`, lazily, in
    /// matching order (take the first for `rule_matching: first`).
    pub fn evaluate<'a, 'c>(&'a mut self, cx: &'a S::Ctx<'c>) -> Matches<'a, 'c, S> {
        let code = S::event_code(cx) as usize;
        let candidates = self.by_code.get(code).map(|v| v.as_slice()).unwrap_or(&[]);
        Matches {
            rules: &self.rules,
            filters: &mut self.filters,
            candidates,
            next: 0,
            cx,
        }
    }

    /// Like [`Ruleset::evaluate`] but tries every enabled syscall rule,
    /// ignoring the event-type index. Gives the same matches (the index is
    /// a conservative over-approximation); kept as the reference for tests
    /// and as the baseline of the evaluation benchmark.
    pub fn evaluate_unindexed<'a, 'c>(&'a mut self, cx: &'a S::Ctx<'c>) -> Matches<'a, 'c, S> {
        Matches {
            rules: &self.rules,
            filters: &mut self.filters,
            candidates: &self.all_syscall,
            next: 0,
            cx,
        }
    }

    /// The enabled rules of plugin source `source` matching the event.
    pub fn evaluate_source<'a, 'c>(
        &'a mut self,
        source: &str,
        cx: &'a S::Ctx<'c>,
    ) -> Matches<'a, 'c, S> {
        let candidates = self
            .by_source
            .iter()
            .find(|(s, _)| s == source)
            .map(|(_, v)| v.as_slice())
            .unwrap_or(&[]);
        Matches {
            rules: &self.rules,
            filters: &mut self.filters,
            candidates,
            next: 0,
            cx,
        }
    }
}

/// Falco's `matches_wildcard`: `*` only, each literal part matched at its
/// first occurrence.
pub fn matches_wildcard(pattern: &str, s: &str) -> bool {
    let Some(star) = pattern.find('*') else {
        return pattern == s;
    };
    if star == 0 {
        let next = pattern.trim_start_matches('*');
        if next.is_empty() {
            return true;
        }
        let lit = &next[..next.find('*').unwrap_or(next.len())];
        match s.find(lit) {
            Some(p) => matches_wildcard(&next[lit.len()..], &s[p + lit.len()..]),
            None => false,
        }
    } else {
        if s.get(..star) != Some(&pattern[..star]) {
            return false;
        }
        matches_wildcard(&pattern[star..], &s[star..])
    }
}

fn expr_string(e: &Expr) -> String {
    e.as_string()
}

/// Iterator over matching rules; each `next` evaluates candidates until one
/// matches, so stopping after the first match does no further work.
pub struct Matches<'a, 'c, S: FieldSource> {
    rules: &'a [Rule],
    filters: &'a mut [Filter<S>],
    candidates: &'a [u32],
    next: usize,
    cx: &'a S::Ctx<'c>,
}

impl<'a, S: FieldSource> Iterator for Matches<'a, '_, S> {
    type Item = &'a Rule;

    fn next(&mut self) -> Option<&'a Rule> {
        while let Some(&i) = self.candidates.get(self.next) {
            self.next += 1;
            if self.filters[i as usize].eval(self.cx) {
                return Some(&self.rules[i as usize]);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::matches_wildcard;

    #[test]
    fn wildcards_like_falco() {
        assert!(matches_wildcard("*", "anything"));
        assert!(matches_wildcard("Write below*", "Write below etc"));
        assert!(matches_wildcard("*shell*", "Run shell untrusted"));
        assert!(!matches_wildcard("Write", "Write below etc"));
        // each literal part is matched at its first occurrence, as upstream
        assert!(!matches_wildcard("*ab", "abab"));
    }
}
