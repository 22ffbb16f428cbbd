//! Conversion of old captures to the exit-only event model.
//!
//! Old captures (2016-2022) hold enter+exit pairs with fewer parameters per
//! event, and some events under codes that have since been replaced. Current
//! libscap rewrites them on read; this module does the same, with the same
//! rules, so that falcon sees what Falco 0.44 sees:
//!
//! 1. unused placeholder events are dropped;
//! 2. events the converter does not manage pass unchanged, except old enter
//!    versions, which are dropped;
//! 3. managed enter events are converted: most are stored (one per thread)
//!    and dropped, to be merged into their exit event; the time-of-check
//!    enters (open, openat, openat2, creat, connect) and execve/execveat
//!    enters pass (connect and execve are also stored);
//! 4. managed exit events with an old code or fewer parameters than the
//!    table are converted step by step until they reach the current form.
//!
//! What each `(event code, parameter count)` turns into is the table in
//! [`RULES`]; each step either stores/passes the event, appends parameters
//! to it, or rewrites it under another code. New parameters are taken from
//! the old event (`O<i>`), from the stored enter event of the same thread
//! (`E<i>`; when there is none, the type's default value, or an empty
//! parameter with `E<i>?`), the type's default value (`D`: zero, or
//! `u32::MAX` for uid/gid), or left empty (`Z`).

use std::collections::HashMap;
use std::sync::OnceLock;

use super::error::Corruption;
use crate::abi::{self, EF_CONVERTER_MANAGED, EF_LARGE_PAYLOAD, EF_OLD_VERSION, EF_UNUSED};
use crate::abi::{EventInfo, ParamType};
use crate::event::Event;

const HDR: usize = abi::FALCON_EVT_HDR_LEN as usize;
/// Conversion steps allowed for one event (libscap's `MAX_CONVERSION_BOUNDARY`).
const MAX_STEPS: usize = 50;

/// The conversion table, one rule per line:
/// `CODE NPARAMS ACTION [TARGET] INSTRUCTIONS...`, codes without `PPME_`.
/// Actions: `store`, `pass`, `store+pass`, `add` (append one parameter per
/// instruction), `to TARGET` (rewrite as TARGET, one parameter per
/// instruction). Instructions: `O<i>`, `E<i>`, `E<i>?`, `D`, `Z`, `J?`
/// (the JSON of an old container event).
pub(crate) const RULES: &str = include_str!("convert_rules.txt");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Instr {
    Old(u8),
    Enter { idx: u8, or_empty: bool },
    Default,
    Empty,
    ContainerJson,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Action {
    Store,
    Pass,
    StoreAndPass,
    Add(Vec<Instr>),
    To(u16, Vec<Instr>),
}

type Table = HashMap<(u16, u8), Action>;

fn code_of(sym: &str) -> Option<u16> {
    abi::EVENT_TABLE
        .iter()
        .find(|e| e.symbol.strip_prefix("PPME_") == Some(sym))
        .map(|e| e.code)
}

fn parse_instr(t: &str) -> Option<Instr> {
    Some(match t {
        "D" => Instr::Default,
        "Z" => Instr::Empty,
        "J?" => Instr::ContainerJson,
        _ => {
            let (kind, rest) = t.split_at(1);
            let or_empty = rest.ends_with('?');
            let idx: u8 = rest.trim_end_matches('?').parse().ok()?;
            match kind {
                "O" if !or_empty => Instr::Old(idx),
                "E" => Instr::Enter { idx, or_empty },
                _ => return None,
            }
        }
    })
}

fn parse_rule(line: &str) -> Option<((u16, u8), Action)> {
    let mut f = line.split_whitespace();
    let code = code_of(f.next()?)?;
    let n: u8 = f.next()?.parse().ok()?;
    let action = match f.next()? {
        "store" => Action::Store,
        "pass" => Action::Pass,
        "store+pass" => Action::StoreAndPass,
        "add" => Action::Add(f.by_ref().map(parse_instr).collect::<Option<_>>()?),
        "to" => {
            let target = code_of(f.next()?)?;
            Action::To(target, f.by_ref().map(parse_instr).collect::<Option<_>>()?)
        }
        _ => return None,
    };
    if f.next().is_some() {
        return None;
    }
    Some(((code, n), action))
}

fn table() -> &'static Table {
    static T: OnceLock<Table> = OnceLock::new();
    // Lines that do not parse are left out; `rules_all_parse` checks there
    // are none.
    T.get_or_init(|| RULES.lines().filter_map(parse_rule).collect())
}

/// What the converter did with an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Use the event as it is.
    Pass,
    /// Use [`Converter::output`].
    Converted,
    /// Kept to be merged into its exit event; nothing to return.
    Stored,
    /// Dropped by rule; nothing to return.
    Dropped,
}

enum Check {
    Pass,
    Drop,
    Continue,
}

fn check(ev: &Event<'_>) -> Result<Check, &'static str> {
    let info = ev.info();
    let f = info.flags;
    if f & EF_UNUSED != 0 {
        return Ok(Check::Drop);
    }
    if f & EF_CONVERTER_MANAGED == 0 {
        if f & EF_OLD_VERSION == 0 {
            return Ok(Check::Pass);
        }
        if info.code.is_multiple_of(2) {
            return Ok(Check::Drop);
        }
        return Err("old exit event the converter does not manage");
    }
    if info.code.is_multiple_of(2) {
        return Ok(Check::Continue);
    }
    let n = ev.nparams();
    if n > info.params.len() {
        return Err("more parameters than the event table has");
    }
    if f & EF_OLD_VERSION != 0 || n != info.params.len() {
        return Ok(Check::Continue);
    }
    Ok(Check::Pass)
}

/// Fixed on-disk size of a parameter type, `None` for variable-size types.
fn fixed_len(t: ParamType) -> Option<usize> {
    use ParamType::*;
    Some(match t {
        Int8 | Uint8 | Flags8 | Enumflags8 | Sigtype | L4proto | Sockfamily => 1,
        Int16 | Uint16 | Flags16 | Enumflags16 | Syscallid | Port => 2,
        Int32 | Uint32 | Flags32 | Enumflags32 | Uid | Gid | Mode | Sigset | Fd32 | Pid32
        | Ipv4addr | Bool => 4,
        Int64 | Uint64 | Reltime | Abstime | Errno | Fd | Pid | Double => 8,
        Ipv6addr => 16,
        _ => return Option::None,
    })
}

/// Converts old events; keeps the last stored enter event of each thread.
pub(crate) struct Converter {
    /// Enter event per thread; an empty vector means none (kept to reuse
    /// its capacity).
    stored: HashMap<u64, Vec<u8>>,
    out: Vec<u8>,
    scratch: Vec<u8>,
    /// Parameter bodies of the event being built.
    lens: Vec<u32>,
    body: Vec<u8>,
}

impl Converter {
    pub(crate) fn new() -> Self {
        Converter {
            stored: HashMap::new(),
            out: Vec::new(),
            scratch: Vec::new(),
            lens: Vec::new(),
            body: Vec::new(),
        }
    }

    /// The event built by the last [`Outcome::Converted`].
    pub(crate) fn output(&self) -> &[u8] {
        &self.out
    }

    /// Number of threads that hold a stored enter event.
    #[cfg(test)]
    pub(crate) fn pending(&self) -> usize {
        self.stored.values().filter(|v| !v.is_empty()).count()
    }

    pub(crate) fn convert(&mut self, ev: Event<'_>) -> Result<Outcome, Corruption> {
        let err = |ev: &Event<'_>, why| Corruption::Convert {
            code: ev.code(),
            nparams: ev.nparams() as u32,
            why,
        };
        match check(&ev).map_err(|w| err(&ev, w))? {
            Check::Pass => return Ok(Outcome::Pass),
            Check::Drop => return Ok(Outcome::Dropped),
            Check::Continue => {}
        }
        // Step 0 reads the caller's event; later steps read the previous
        // step's output, which is swapped into `scratch`.
        let mut converted = false;
        for _ in 0..MAX_STEPS {
            let src_buf = std::mem::take(&mut self.scratch);
            let cur = if converted {
                Event::parse(&src_buf)?
            } else {
                ev
            };
            let step = self.step(&cur).map_err(|w| err(&cur, w));
            let step = match step {
                Ok(s) => s,
                Err(e) => {
                    self.scratch = src_buf;
                    return Err(e);
                }
            };
            self.scratch = src_buf;
            match step {
                Step::Stored => return Ok(Outcome::Stored),
                Step::Pass => {
                    return Ok(if converted {
                        std::mem::swap(&mut self.out, &mut self.scratch);
                        Outcome::Converted
                    } else {
                        Outcome::Pass
                    });
                }
                Step::Built => {
                    converted = true;
                    let built = Event::parse(&self.out)?;
                    match check(&built).map_err(|w| err(&built, w))? {
                        Check::Pass => return Ok(Outcome::Converted),
                        Check::Drop => return Ok(Outcome::Dropped),
                        Check::Continue => std::mem::swap(&mut self.out, &mut self.scratch),
                    }
                }
            }
        }
        Err(err(&ev, "no end after 50 conversion steps"))
    }

    fn store(&mut self, ev: &Event<'_>) {
        let slot = self.stored.entry(ev.tid()).or_default();
        slot.clear();
        slot.extend_from_slice(ev.bytes());
    }

    /// Applies the rule for `ev`; a built event goes to `self.out`.
    fn step(&mut self, ev: &Event<'_>) -> Result<Step, &'static str> {
        let key = (ev.code(), ev.nparams() as u8);
        let action = table()
            .get(&key)
            .ok_or("no conversion rule for this parameter count")?;
        let (target, instrs, keep_old) = match action {
            Action::Store => {
                self.store(ev);
                return Ok(Step::Stored);
            }
            Action::Pass => return Ok(Step::Pass),
            Action::StoreAndPass => {
                self.store(ev);
                return Ok(Step::Pass);
            }
            Action::Add(i) => (ev.code(), i, true),
            Action::To(t, i) => (*t, i, false),
        };
        let tinfo = abi::event_info(target).ok_or("target code not in the event table")?;
        self.lens.clear();
        self.body.clear();
        let first = if keep_old {
            for i in 0..ev.nparams() {
                let p = ev.param(i).unwrap_or(&[]);
                self.lens.push(p.len() as u32);
                self.body.extend_from_slice(p);
            }
            ev.nparams()
        } else {
            0
        };
        let mut used_enter = false;
        for (k, ins) in instrs.iter().enumerate() {
            let slot = first + k;
            let pinfo = tinfo
                .params
                .get(slot)
                .ok_or("rule adds more parameters than the target has")?;
            let large = tinfo.flags & EF_LARGE_PAYLOAD != 0;
            let start = self.body.len();
            match *ins {
                Instr::Old(i) => {
                    let p = ev
                        .param(i as usize)
                        .ok_or("rule takes a parameter the old event lacks")?;
                    self.body.extend_from_slice(p);
                }
                Instr::Enter { idx, or_empty } => {
                    match self.stored.get(&ev.tid()).filter(|v| !v.is_empty()) {
                        Some(raw) => {
                            let enter = Event::parse(raw).map_err(|_| "stored enter event")?;
                            if enter.code() + 1 != ev.code() {
                                return Err("the stored enter event is not this exit's");
                            }
                            let p = enter
                                .param(idx as usize)
                                .ok_or("rule takes a parameter the enter event lacks")?;
                            let cap = fixed_len(pinfo.ty).unwrap_or(if large {
                                u32::MAX as usize
                            } else {
                                u16::MAX as usize
                            });
                            self.body.extend_from_slice(&p[..p.len().min(cap)]);
                            used_enter = true;
                        }
                        None if or_empty => {}
                        None => push_default(&mut self.body, pinfo.ty),
                    }
                }
                Instr::Default => push_default(&mut self.body, pinfo.ty),
                Instr::Empty => {}
                Instr::ContainerJson => container_json(ev, &mut self.body),
            }
            let l = self.body.len() - start;
            if !large && l > u16::MAX as usize {
                return Err("parameter too long for a u16 length");
            }
            self.lens.push(l as u32);
        }
        if used_enter && let Some(v) = self.stored.get_mut(&ev.tid()) {
            v.clear();
        }
        build(
            &mut self.out,
            ev.ts(),
            ev.tid(),
            tinfo,
            &self.lens,
            &self.body,
        );
        Ok(Step::Built)
    }
}

enum Step {
    Stored,
    Pass,
    Built,
}

fn push_default(body: &mut Vec<u8>, t: ParamType) {
    let n = fixed_len(t).unwrap_or(0);
    if matches!(t, ParamType::Uid | ParamType::Gid) {
        body.extend_from_slice(&u32::MAX.to_le_bytes());
    } else {
        body.resize(body.len() + n, 0);
    }
}

/// The JSON that replaces the four parameters (id, type, name, image) of an
/// old container event; nothing (an empty parameter) if they are missing.
fn container_json(ev: &Event<'_>, body: &mut Vec<u8>) {
    let (Some(id), Some(ty), Some(name), Some(image)) = (
        ev.param_str(0),
        ev.param_u64(1),
        ev.param_str(2),
        ev.param_str(3),
    ) else {
        return;
    };
    body.extend_from_slice(b"{\"id\":\"");
    body.extend_from_slice(id);
    body.extend_from_slice(b"\",\"type\":");
    body.extend_from_slice(ty.to_string().as_bytes());
    body.extend_from_slice(b",\"name\":\"");
    body.extend_from_slice(name);
    body.extend_from_slice(b"\",\"image\":\"");
    body.extend_from_slice(image);
    body.extend_from_slice(b"\"}\0");
}

fn build(out: &mut Vec<u8>, ts: u64, tid: u64, info: &EventInfo, lens: &[u32], body: &[u8]) {
    let large = info.flags & EF_LARGE_PAYLOAD != 0;
    let w = if large { 4 } else { 2 };
    let len = HDR + lens.len() * w + body.len();
    out.clear();
    out.extend_from_slice(&ts.to_le_bytes());
    out.extend_from_slice(&tid.to_le_bytes());
    out.extend_from_slice(&(len as u32).to_le_bytes());
    out.extend_from_slice(&info.code.to_le_bytes());
    out.extend_from_slice(&(lens.len() as u32).to_le_bytes());
    for &l in lens {
        if large {
            out.extend_from_slice(&l.to_le_bytes());
        } else {
            out.extend_from_slice(&(l as u16).to_le_bytes());
        }
    }
    out.extend_from_slice(body);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::*;
    use crate::event::EventBuilder;

    #[test]
    fn rules_all_parse() {
        let lines = RULES.lines().filter(|l| !l.trim().is_empty()).count();
        for l in RULES.lines().filter(|l| !l.trim().is_empty()) {
            assert!(parse_rule(l).is_some(), "bad rule: {l}");
        }
        assert_eq!(table().len(), lines, "duplicate keys");
    }

    #[test]
    fn every_converted_target_fits_the_table() {
        for ((code, n), a) in table() {
            let info = event_info(*code).unwrap();
            match a {
                Action::Add(i) => assert!(*n as usize + i.len() <= info.params.len(), "{code}"),
                Action::To(t, i) => {
                    assert!(i.len() <= event_info(*t).unwrap().params.len(), "{code}")
                }
                _ => {}
            }
        }
    }

    fn conv(c: &mut Converter, bytes: &[u8]) -> (Outcome, Vec<u8>) {
        let e = Event::parse(bytes).unwrap();
        let o = c.convert(e).unwrap();
        let out = match o {
            Outcome::Converted => c.output().to_vec(),
            _ => bytes.to_vec(),
        };
        (o, out)
    }

    #[test]
    fn read_enter_is_merged_into_exit() {
        let mut b = EventBuilder::new();
        let mut c = Converter::new();
        let enter = b
            .start()
            .param_i64(3)
            .param_u32(100)
            .finish(1, 42, PPME_SYSCALL_READ_E as u16)
            .to_vec();
        assert_eq!(conv(&mut c, &enter).0, Outcome::Stored);
        assert_eq!(c.pending(), 1);
        let exit = b
            .start()
            .param_i64(5)
            .param(b"hello")
            .finish(2, 42, PPME_SYSCALL_READ_X as u16)
            .to_vec();
        let (o, out) = conv(&mut c, &exit);
        assert_eq!(o, Outcome::Converted);
        let e = Event::parse(&out).unwrap();
        assert_eq!(e.nparams(), 4);
        assert_eq!(e.param_i64(2), Some(3));
        assert_eq!(e.param_u64(3), Some(100));
        assert_eq!(c.pending(), 0);
        // Without an enter event, `fd` and `size` get default values.
        let (_, out) = conv(&mut c, &exit);
        let e = Event::parse(&out).unwrap();
        assert_eq!(e.param_i64(2), Some(0));
    }

    #[test]
    fn old_execve_is_upgraded_with_empty_new_params() {
        let mut b = EventBuilder::new();
        let mut c = Converter::new();
        b.start()
            .param_i64(0)
            .param_str(b"/bin/cat")
            .param(b"cat\0x\0");
        for v in [1i64, 1, 0] {
            b.param_i64(v);
        }
        b.param_str(b"/").param_u64(1024);
        let ex = b.finish(5, 9, PPME_SYSCALL_EXECVE_8_X as u16).to_vec();
        let (o, out) = conv(&mut c, &ex);
        assert_eq!(o, Outcome::Converted);
        let e = Event::parse(&out).unwrap();
        assert_eq!(e.code() as u32, PPME_SYSCALL_EXECVE_19_X);
        assert_eq!(e.nparams(), e.info().params.len());
        assert_eq!(e.param_str(1), Some(&b"/bin/cat"[..]));
        assert_eq!(e.param_by_name("fdlimit").map(|p| p.len()), Some(8));
        assert_eq!(e.param_by_name("comm"), Some(&[][..]));
        assert_eq!(e.param_by_name("filename"), Some(&[][..]));
    }

    #[test]
    fn dup_takes_oldfd_from_enter_fd() {
        let mut b = EventBuilder::new();
        let mut c = Converter::new();
        let en = b
            .start()
            .param_i64(7)
            .finish(1, 3, PPME_SYSCALL_DUP_E as u16)
            .to_vec();
        conv(&mut c, &en);
        let ex = b
            .start()
            .param_i64(8)
            .finish(2, 3, PPME_SYSCALL_DUP_X as u16)
            .to_vec();
        let (_, out) = conv(&mut c, &ex);
        let e = Event::parse(&out).unwrap();
        assert_eq!(e.code() as u32, PPME_SYSCALL_DUP_1_X);
        assert_eq!(e.param_i64(0), Some(8));
        assert_eq!(
            e.param_by_name("oldfd").map(|_| e.param_i64(1)),
            Some(Some(7))
        );
    }

    #[test]
    fn open_enter_passes_and_is_not_merged() {
        let mut b = EventBuilder::new();
        let mut c = Converter::new();
        let en = b
            .start()
            .param_str(b"/etc/passwd")
            .param_u32(0)
            .param_u32(0)
            .finish(1, 3, PPME_SYSCALL_OPEN_E as u16)
            .to_vec();
        assert_eq!(conv(&mut c, &en).0, Outcome::Pass);
        assert_eq!(c.pending(), 0);
    }
}
