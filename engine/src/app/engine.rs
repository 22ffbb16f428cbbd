//! [`Engine`]: state tracking, rule evaluation and outputs behind one
//! `process(event)` call. The replay loop (`app::replay`) and the live loop
//! (`app::live`) both drive it; neither knows how rules or outputs work.
//!
//! # Use
//! ```text
//! let rules = app::rules_modes::load_ruleset(&cfg)?; // -r / rules_files, rules: selection
//! let mut engine = Engine::new(&cfg, rules, Backpressure::Drop)?;
//! for each capture state record (replay): engine.feed_state(&record);
//! for each event:  if engine.process(&event, cpu).is_exit() { break }
//!                  (replay: process_numbered(&event, cpu, num), the reader's evt.num;
//!                   a state-only event: feed_state_event(&event, cpu, num))
//! SIGHUP: engine.reload_rules(new_ruleset)?   SIGUSR1: engine.reopen_outputs()
//! live only, after each batch: engine.set_drop_counts(counts);
//! let report = engine.finish();                      // drains outputs
//! print!("{}", report.detections.summary());
//! ```
//!
//! # Guarantees
//! * Every event updates the thread/fd tables before any rule sees it.
//! * Rules see exit events only (and non-syscall events), like current
//!   Falco.
//! * Rules are evaluated in Falco's matching order; with `rule_matching:
//!   first` (the default) only the first matching rule alerts.
//! * Steady state allocates nothing per event: only a match renders an
//!   output (into a reused buffer) and builds an [`Alert`].
//! * Alerts go to the outputs' bounded queues; with
//!   [`Backpressure::Drop`] a full queue drops (and counts) the alert and
//!   never blocks the caller.

use super::drops::{DropCounts, DropMonitor};
use super::summary::Detections;
use crate::config::{AppendOutput, Config};
use crate::fields::{BoundField, FieldType, Value as FieldValue, Values};
use crate::filter::syscall::SyscallFields;
use crate::format::Format;
use crate::outputs::{Alert, Backpressure, OutputStats, Outputs, Priority};
use crate::rules::Ruleset;
use crate::state::{Limits, Parser};
use anyhow::{Context as _, Result};
use falcon_driver::abi::{self, Direction};
use falcon_driver::event::Event;
use falcon_driver::scap::Record;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

/// What the caller should do after an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Go on.
    Continue,
    /// Stop: a `syscall_event_drops` `exit` action fired.
    Exit,
}

impl Flow {
    /// Whether the caller must stop.
    pub fn is_exit(self) -> bool {
        self == Flow::Exit
    }
}

/// One rule as the engine alerts with it.
struct RuleOut {
    name: Arc<str>,
    source: Arc<str>,
    tags: Arc<[String]>,
    priority: Priority,
    format: Format,
    /// `append_output` `extra_fields` for this rule: JSON `output_fields`
    /// only, rendered as strings.
    extra: Vec<(String, Format)>,
}

/// Counters of a finished run.
#[derive(Debug)]
pub struct Report {
    /// Alerts by priority and rule.
    pub detections: Detections,
    /// Events processed (delivered by the state tracker).
    pub events: u64,
    /// Final output counters.
    pub outputs: Vec<OutputStats>,
    /// The drop monitor's end-of-run lines.
    pub drops: String,
    /// State tracker counters.
    pub state: crate::state::Stats,
}

/// State + ruleset + outputs.
pub struct Engine {
    parser: Parser,
    ruleset: Ruleset<SyscallFields>,
    rules: Vec<RuleOut>,
    index: HashMap<String, usize>,
    outputs: Outputs,
    detections: Detections,
    drops: DropMonitor,
    drop_counts: DropCounts,
    match_all: bool,
    append: Vec<AppendOutput>,
    json_fields: bool,
    message: String,
    scratch: Values,
    events: u64,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("rules", &self.rules.len())
            .field("events", &self.events)
            .finish()
    }
}

/// A field's values as Falco's JSON `output_fields` carries them.
fn json_value(f: &BoundField, vals: &Values) -> Value {
    if vals.len() > 1 {
        let mut s = String::new();
        for (i, v) in vals.iter().enumerate() {
            if i > 0 {
                s.push(',');
            }
            s.push_str(&scalar_text(v));
        }
        return Value::String(s);
    }
    match vals.first() {
        None => Value::Null,
        Some(FieldValue::Str(b) | FieldValue::Bytes(b)) => {
            Value::String(String::from_utf8_lossy(b).into_owned())
        }
        Some(FieldValue::I64(n)) => Value::from(n),
        Some(FieldValue::U64(n)) if f.info().ty == FieldType::Bool => Value::Bool(n != 0),
        Some(FieldValue::U64(n)) => Value::from(n),
        Some(FieldValue::Bool(b)) => Value::Bool(b),
        Some(FieldValue::Double(d)) => Value::from(d),
        Some(v) => Value::String(scalar_text(v)),
    }
}

fn scalar_text(v: FieldValue<'_>) -> String {
    match v {
        FieldValue::Str(b) | FieldValue::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        FieldValue::I64(n) => n.to_string(),
        FieldValue::U64(n) => n.to_string(),
        FieldValue::Bool(b) => b.to_string(),
        FieldValue::Ip(ip) => ip.to_string(),
        FieldValue::Net(ip, p) => format!("{ip}/{p}"),
        FieldValue::Double(d) => d.to_string(),
    }
}

impl Engine {
    /// Compiles every rule's output format; the name index.
    fn rule_outputs(
        ruleset: &Ruleset<SyscallFields>,
        append: &[AppendOutput],
    ) -> Result<(Vec<RuleOut>, HashMap<String, usize>)> {
        let mut rules = Vec::new();
        let mut index = HashMap::new();
        for (i, r) in ruleset.rules().iter().enumerate() {
            let format = Format::compile(&r.output)
                .with_context(|| format!("rule '{}': invalid output '{}'", r.name, r.output))?;
            let mut extra = Vec::new();
            for a in append
                .iter()
                .filter(|a| a.applies(&r.name, &r.source, &r.tags))
            {
                for (name, fmt) in &a.extra_fields {
                    let f = Format::compile(fmt).with_context(|| {
                        format!("append_output extra field '{name}': invalid format '{fmt}'")
                    })?;
                    extra.push((name.clone(), f));
                }
            }
            index.insert(r.name.clone(), i);
            rules.push(RuleOut {
                extra,
                name: r.name.as_str().into(),
                source: r.source.as_str().into(),
                tags: r.tags.clone().into(),
                priority: r.priority,
                format,
            });
        }
        Ok((rules, index))
    }

    /// Builds the engine: compiles every rule's output, starts the outputs.
    pub fn new(
        cfg: &Config,
        ruleset: Ruleset<SyscallFields>,
        backpressure: Backpressure,
    ) -> Result<Engine> {
        let (rules, index) = Self::rule_outputs(&ruleset, &cfg.append_output)?;
        let outputs = Outputs::start(
            &cfg.outputs,
            &cfg.output_context(),
            cfg.formatter.clone(),
            cfg.queue_capacity,
            backpressure,
        )?;
        Ok(Engine {
            parser: Parser::new(Limits::default()),
            detections: Detections::new(rules.iter().map(|r| Arc::clone(&r.name))),
            ruleset,
            rules,
            index,
            outputs,
            drops: DropMonitor::new(&cfg.drops),
            drop_counts: DropCounts::default(),
            match_all: cfg.match_all_rules,
            append: cfg.append_output.clone(),
            json_fields: cfg.formatter.json && cfg.formatter.include_output_fields,
            message: String::new(),
            scratch: Values::new(),
            events: 0,
        })
    }

    /// Applies a capture's state record (process list, fds, users, ...).
    pub fn feed_state(&mut self, rec: &Record<'_>) {
        super::dump::feed_state(&mut self.parser, rec);
    }

    /// The state tracker, for callers that seed it (a `/proc` scan).
    pub fn parser_mut(&mut self) -> &mut Parser {
        &mut self.parser
    }

    /// The driver's cumulative drop counters (live capture), read by the
    /// drop monitor once per second of event time.
    pub fn set_drop_counts(&mut self, counts: DropCounts) {
        self.drop_counts = counts;
    }

    /// Processes one live event from `cpu` (numbered by the engine).
    #[inline]
    pub fn process(&mut self, ev: &Event<'_>, cpu: u16) -> Flow {
        let Some(p) = self.parser.process(ev, cpu) else {
            return Flow::Continue;
        };
        self.evaluate(ev, &p)
    }

    /// Processes one replayed event whose `evt.num` the reader assigned.
    #[inline]
    pub fn process_numbered(&mut self, ev: &Event<'_>, cpu: u16, num: u64) -> Flow {
        let Some(p) = self.parser.process_numbered(ev, cpu, num) else {
            return Flow::Continue;
        };
        self.evaluate(ev, &p)
    }

    /// Parses one replayed event the capture flags state-only
    /// ([`super::dump::STATE_ONLY`]): like libsinsp, it updates the
    /// thread/fd tables but no rule sees it and it is not counted.
    #[inline]
    pub fn feed_state_event(&mut self, ev: &Event<'_>, cpu: u16, num: u64) {
        let _ = self.parser.process_numbered(ev, cpu, num);
    }

    fn evaluate(&mut self, ev: &Event<'_>, p: &crate::state::Processed) -> Flow {
        self.events += 1;
        let counts = self.drop_counts;
        let mut flow = Flow::Continue;
        if let Some(actions) = self.drops.on_event(ev.ts(), || counts) {
            if let Some(a) = actions.alert {
                self.outputs.send(&a);
            }
            if actions.exit {
                flow = Flow::Exit;
            }
        }
        // Rules see exit events only (current Falco: enter events are
        // merged into their exits; the time-of-check enter events that
        // still exist feed state, not rules).
        let info = ev.info();
        if info.direction() == Direction::Enter && info.category & abi::EC_SYSCALL != 0 {
            return flow;
        }
        let Engine {
            parser,
            ruleset,
            rules,
            index,
            outputs,
            detections,
            match_all,
            json_fields,
            message,
            scratch,
            ..
        } = self;
        let cx = parser.ctx(*ev, p);
        for m in ruleset.evaluate(&cx) {
            let Some(&i) = index.get(&m.name) else {
                continue;
            };
            let r = &mut rules[i];
            detections.record(i, r.priority);
            message.clear();
            r.format.render(&cx, message);
            let mut fields = Vec::new();
            if *json_fields {
                for f in r.format.fields() {
                    scratch.clear();
                    let v = if f.extract(&cx, scratch) {
                        json_value(f, scratch)
                    } else {
                        Value::Null
                    };
                    fields.push((f.display_name(), v));
                }
                for (name, f) in &mut r.extra {
                    let mut text = String::new();
                    f.render(&cx, &mut text);
                    fields.push((name.clone(), Value::String(text)));
                }
            }
            outputs.send(&Alert {
                time_ns: ev.ts(),
                priority: r.priority,
                rule: Arc::clone(&r.name),
                source: Arc::clone(&r.source),
                tags: Arc::clone(&r.tags),
                message: message.clone(),
                fields,
            });
            if !*match_all {
                break;
            }
        }
        flow
    }

    /// Replaces the rules (SIGHUP) keeping thread/fd state, outputs and
    /// counters; detection counts restart for the new rule set. On error the
    /// old rules stay.
    pub fn reload_rules(&mut self, ruleset: Ruleset<SyscallFields>) -> Result<()> {
        let (rules, index) = Self::rule_outputs(&ruleset, &self.append)?;
        self.detections = Detections::new(rules.iter().map(|r| Arc::clone(&r.name)));
        self.ruleset = ruleset;
        self.rules = rules;
        self.index = index;
        Ok(())
    }

    /// Event codes the enabled rules are evaluated for (the live driver's
    /// interest set adds these to the state-tracking syscalls).
    pub fn wanted_event_codes(&self) -> crate::filter::evttypes::EventSet {
        self.ruleset.wanted_codes()
    }

    /// Alerts so far.
    pub fn detections(&self) -> &Detections {
        &self.detections
    }

    /// Output counters so far (for periodic stats).
    pub fn output_stats(&self) -> Vec<OutputStats> {
        self.outputs.stats()
    }

    /// Asks the outputs to reopen their files (SIGUSR1).
    pub fn reopen_outputs(&self) {
        self.outputs.reopen();
    }

    /// Drains the outputs and returns the run's counters.
    pub fn finish(self) -> Report {
        Report {
            outputs: self.outputs.shutdown(),
            detections: self.detections,
            events: self.events,
            drops: self.drops.report(),
            state: self.parser.state.stats,
        }
    }
}
