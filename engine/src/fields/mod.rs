//! The field registry and the field extractors.
//!
//! Every field a condition or an output can name (`proc.name`,
//! `fd.sip`, `evt.arg.flags`, `proc.aname[2]`, ...) is described by a
//! [`FieldInfo`] in one static table per field class (`evt.rs`, `proc.rs`,
//! `fd.rs`, ...). The registry content follows libsinsp's built-in fields
//! (names, types, flags, argument rules) plus the `container.*` / `k8s.*`
//! fields that upstream gets from its container plugin and falcon builds in.
//!
//! # Use
//!
//! Compile once, extract per event:
//!
//! ```
//! use falcon_engine::fields::{self, Values};
//! let f = fields::bind("proc.aname", Some("2")).unwrap();
//! assert_eq!(f.info().name, "proc.aname");
//! let mut out = Values::new(); // reused for every event
//! // per event: out.clear(); f.extract(&cx, &mut out);
//! # let _ = &mut out;
//! ```
//!
//! [`bind`] validates the argument against the field's [`ArgRule`] and
//! resolves it (an ancestor level, an environment key, an event parameter
//! name) so that [`BoundField::extract`] does no parsing. Extraction appends
//! zero or more typed values to a caller-owned [`Values`]; strings are copied
//! into its internal byte buffer, so a `Values` reused across events stops
//! allocating once it has grown. A field with no value for an event (no
//! thread, no fd, a parameter the event lacks) appends nothing and returns
//! `false`: that is "missing" (`<NA>` in outputs, false in comparisons).
//!
//! Fields whose upstream definition needs machinery falcon does not have yet
//! (e.g. `evt.around`, DNS names) are registered (so rules naming them give
//! a clear error) but [`bind`] refuses them with
//! [`FieldError::NotImplemented`].

mod container;
mod errno;
mod evt;
mod fd;
mod fdlist;
mod fmt;
mod fs;
mod misc;
pub(crate) mod params;
pub(crate) mod paramtab;
mod proc;
mod time;
mod tz;
mod user;
mod values;

pub use values::{Value, Values};

pub use crate::state::EvalCtx;

/// Value type of a field (libsinsp's `PT_*` for filter fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldType {
    /// A string (`PT_CHARBUF`; Falco's `string`).
    Charbuf,
    /// Raw bytes (`PT_BYTEBUF`).
    Bytebuf,
    Int16,
    Int32,
    Int64,
    Uint32,
    Uint64,
    Bool,
    /// An IPv4 or IPv6 address.
    IpAddr,
    /// A network (address/prefix); filter-only fields.
    IpNet,
    /// A TCP/UDP port (u16).
    Port,
    /// Nanoseconds since the epoch.
    Abstime,
    /// A duration in nanoseconds.
    Reltime,
    Double,
    /// The type of the event parameter it names (`evt.rawarg.*`).
    Dyn,
}

impl FieldType {
    /// The type name Falco prints in field listings and the rules use in
    /// `fields_used.tsv` (`string`, `uint64`, `ipaddr`, ...).
    pub fn falco_name(self) -> &'static str {
        match self {
            FieldType::Charbuf => "string",
            FieldType::Bytebuf => "bytebuf",
            FieldType::Int16 => "int16",
            FieldType::Int32 => "int32",
            FieldType::Int64 => "int64",
            FieldType::Uint32 => "uint32",
            FieldType::Uint64 => "uint64",
            FieldType::Bool => "bool",
            FieldType::IpAddr => "ipaddr",
            FieldType::IpNet => "ipnet",
            FieldType::Port => "port",
            FieldType::Abstime => "abstime",
            FieldType::Reltime => "reltime",
            FieldType::Double => "double",
            FieldType::Dyn => "dynamic",
        }
    }

    /// Numeric types (compared as numbers, support `<`, `>`...).
    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            FieldType::Int16
                | FieldType::Int32
                | FieldType::Int64
                | FieldType::Uint32
                | FieldType::Uint64
                | FieldType::Port
                | FieldType::Abstime
                | FieldType::Reltime
                | FieldType::Double
        )
    }
}

/// Field flags (libsinsp `EPF_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct FieldFlags(u16);

impl FieldFlags {
    pub const NONE: FieldFlags = FieldFlags(0);
    /// Usable in conditions only, not in outputs (`fd.ip`, `fd.net`...).
    pub const FILTER_ONLY: FieldFlags = FieldFlags(1);
    /// Cannot be compared field-to-field, on either side.
    pub const NO_RHS: FieldFlags = FieldFlags(2);
    /// Cannot be wrapped in a transformer.
    pub const NO_TRANSFORMER: FieldFlags = FieldFlags(4);
    /// Only meaningful in outputs.
    pub const PRINT_ONLY: FieldFlags = FieldFlags(8);
    /// Used by sysdig's table views only.
    pub const TABLE_ONLY: FieldFlags = FieldFlags(16);
    pub const DEPRECATED: FieldFlags = FieldFlags(32);
    /// Extracts several values.
    pub const IS_LIST: FieldFlags = FieldFlags(64);
    /// libsinsp: the extracted pointer is not stable across events.
    pub const NO_PTR_STABILITY: FieldFlags = FieldFlags(128);

    pub const fn contains(self, other: FieldFlags) -> bool {
        self.0 & other.0 == other.0
    }
    pub const fn bits(self) -> u16 {
        self.0
    }
}

impl std::ops::BitOr for FieldFlags {
    type Output = FieldFlags;
    fn bitor(self, o: FieldFlags) -> FieldFlags {
        FieldFlags(self.0 | o.0)
    }
}

/// Whether a field takes a `[argument]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArgPresence {
    None,
    Allowed,
    Required,
}

/// What a field's argument is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArgKind {
    /// A number: `proc.aname[2]`, `proc.args[1]`.
    Index,
    /// A name: `proc.env[HOME]`, `thread.cgroup.cpuset`.
    Key,
    /// Either (all digits = index): `proc.aenv[2]`, `container.mount[0]`.
    IndexOrKey,
    /// An event parameter by position or by name: `evt.arg[0]`,
    /// `evt.arg.fd`, `evt.arg[fd]`.
    IndexOrName,
}

/// A field's argument rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ArgRule {
    pub presence: ArgPresence,
    pub kind: ArgKind,
    /// The argument may also follow the name after a dot: `evt.arg.fd`,
    /// `thread.cgroup.cpuset`, `container.label.app`.
    pub dotted: bool,
}

impl ArgRule {
    pub const NONE: ArgRule = ArgRule {
        presence: ArgPresence::None,
        kind: ArgKind::Index,
        dotted: false,
    };
    pub const fn allowed(kind: ArgKind) -> ArgRule {
        ArgRule {
            presence: ArgPresence::Allowed,
            kind,
            dotted: false,
        }
    }
    pub const fn required(kind: ArgKind) -> ArgRule {
        ArgRule {
            presence: ArgPresence::Required,
            kind,
            dotted: false,
        }
    }
    pub const fn dotted(self) -> ArgRule {
        ArgRule {
            dotted: true,
            ..self
        }
    }
}

/// How libsinsp prints a numeric field (`PF_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Display {
    Na,
    Dec,
    Hex,
    Id,
    /// Zero-padded to 9 digits (`evt.rawtime.ns`, `evt.reltime.ns`...).
    PaddedDec,
    Dir,
}

/// The class a field belongs to (its prefix in libsinsp or the plugin).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldClass {
    GenEvent,
    Event,
    Thread,
    User,
    Group,
    Fd,
    FsPath,
    Utils,
    FdList,
    Container,
    K8s,
}

impl FieldClass {
    /// The class name as libsinsp's field listing shows it.
    pub fn name(self) -> &'static str {
        match self {
            FieldClass::GenEvent | FieldClass::Event => "evt",
            FieldClass::Thread => "process",
            FieldClass::User => "user",
            FieldClass::Group => "group",
            FieldClass::Fd => "fd",
            FieldClass::FsPath => "fs.path",
            FieldClass::Utils => "util",
            FieldClass::FdList => "fdlist",
            FieldClass::Container => "container",
            FieldClass::K8s => "k8s",
        }
    }
}

/// One registered field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FieldInfo {
    pub name: &'static str,
    pub ty: FieldType,
    pub flags: FieldFlags,
    pub arg: ArgRule,
    pub display: Display,
    pub class: FieldClass,
    pub desc: &'static str,
}

impl FieldInfo {
    #[allow(clippy::too_many_arguments)]
    pub const fn new(
        name: &'static str,
        ty: FieldType,
        flags: FieldFlags,
        arg: ArgRule,
        display: Display,
        class: FieldClass,
        desc: &'static str,
    ) -> FieldInfo {
        FieldInfo {
            name,
            ty,
            flags,
            arg,
            display,
            class,
            desc,
        }
    }

    pub fn is_list(&self) -> bool {
        self.flags.contains(FieldFlags::IS_LIST)
    }
}

/// Why a field name or argument does not bind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    /// No field of that name (libsinsp's wording).
    #[error("filter_check called with nonexistent field {0}")]
    Unknown(String),
    #[error("field '{0}' requires an argument")]
    ArgRequired(String),
    #[error("field '{0}' does not accept an argument")]
    ArgNotAllowed(String),
    #[error("invalid argument '{arg}' for field '{name}': {reason}")]
    BadArg {
        name: String,
        arg: String,
        reason: &'static str,
    },
    /// `evt.arg.X` / `evt.rawarg.X` where no event has a parameter `X`.
    #[error("unknown event argument {0}")]
    UnknownEventArg(String),
    #[error("field '{0}' is registered but falcon cannot extract it yet")]
    NotImplemented(String),
}

/// All registered fields, class by class in libsinsp's lookup order.
pub fn registry() -> impl Iterator<Item = &'static FieldInfo> {
    CLASSES.iter().flat_map(|c| c.iter())
}

static CLASSES: [&[FieldInfo]; 10] = [
    evt::FIELDS,
    proc::FIELDS,
    user::USER_FIELDS,
    user::GROUP_FIELDS,
    fd::FIELDS,
    fs::FIELDS,
    misc::UTIL_FIELDS,
    fdlist::FIELDS,
    container::CONTAINER_FIELDS,
    container::K8S_FIELDS,
];

/// The field named exactly `name` (no argument, no dotted suffix).
pub fn lookup(name: &str) -> Option<&'static FieldInfo> {
    registry().find(|f| f.name == name)
}

/// Resolves a name as the condition lexer sees it, which may carry a dotted
/// argument (`evt.arg.flags` → (`evt.arg`, `flags`)). Exact names win.
pub fn resolve(name: &str) -> Option<(&'static FieldInfo, Option<&str>)> {
    if let Some(f) = lookup(name) {
        return Some((f, None));
    }
    let mut best: Option<(&'static FieldInfo, &str)> = None;
    for f in registry().filter(|f| f.arg.dotted) {
        if let Some(rest) = name.strip_prefix(f.name).and_then(|r| r.strip_prefix('.'))
            && !rest.is_empty()
            && best.is_none_or(|(b, _)| b.name.len() < f.name.len())
        {
            best = Some((f, rest));
        }
    }
    best.map(|(f, a)| (f, Some(a)))
}

/// A resolved argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    None,
    Index(u32),
    Key(Box<str>),
}

/// A field bound to its argument, ready to extract.
#[derive(Debug, Clone)]
pub struct BoundField {
    info: &'static FieldInfo,
    arg: Arg,
    ex: Ex,
}

#[derive(Debug, Clone, Copy)]
enum Ex {
    Evt(evt::F),
    Proc(proc::F),
    User(user::F),
    Fd(fd::F),
    Container(container::F),
    Fs(fs::F),
    FdList(fdlist::F),
}

/// Binds field `name` (which may carry a dotted argument, see [`resolve`])
/// with an optional bracket argument (`proc.aname[2]` → `("proc.aname",
/// Some("2"))`).
pub fn bind(name: &str, arg: Option<&str>) -> Result<BoundField, FieldError> {
    let (info, dotted) = resolve(name).ok_or_else(|| FieldError::Unknown(name.to_string()))?;
    let arg_text = match (dotted, arg) {
        (Some(_), Some(_)) => {
            return Err(FieldError::Unknown(format!(
                "{name}[{}]",
                arg.unwrap_or("")
            )));
        }
        (Some(d), None) => Some(d),
        (None, a) => a,
    };
    let arg = parse_arg(info, arg_text)?;
    let ex = match info.class {
        FieldClass::GenEvent | FieldClass::Event => Ex::Evt(evt::bind(info, &arg)?),
        FieldClass::Thread => Ex::Proc(proc::bind(info, &arg)?),
        FieldClass::User | FieldClass::Group => Ex::User(user::bind(info, &arg)?),
        FieldClass::Fd => Ex::Fd(fd::bind(info, &arg)?),
        FieldClass::Container | FieldClass::K8s => Ex::Container(container::bind(info, &arg)?),
        FieldClass::FsPath => Ex::Fs(fs::bind(info, &arg)?),
        FieldClass::FdList => Ex::FdList(fdlist::bind(info, &arg)?),
        FieldClass::Utils => {
            return Err(FieldError::NotImplemented(info.name.to_string()));
        }
    };
    Ok(BoundField { info, arg, ex })
}

/// Binds `text` of the form `name` or `name[arg]`.
pub fn bind_text(text: &str) -> Result<BoundField, FieldError> {
    match text.find('[') {
        Some(p) if text.ends_with(']') => bind(&text[..p], Some(&text[p + 1..text.len() - 1])),
        _ => bind(text, None),
    }
}

fn parse_arg(info: &'static FieldInfo, a: Option<&str>) -> Result<Arg, FieldError> {
    let name = || info.name.to_string();
    let Some(a) = a else {
        return match info.arg.presence {
            ArgPresence::Required => Err(FieldError::ArgRequired(name())),
            _ => Ok(Arg::None),
        };
    };
    if info.arg.presence == ArgPresence::None {
        return Err(FieldError::ArgNotAllowed(name()));
    }
    let is_num = !a.is_empty() && a.bytes().all(|c| c.is_ascii_digit());
    match info.arg.kind {
        ArgKind::Index => {
            let n = a.parse::<u32>().map_err(|_| FieldError::BadArg {
                name: name(),
                arg: a.to_string(),
                reason: "expected a non-negative number",
            })?;
            Ok(Arg::Index(n))
        }
        ArgKind::Key => Ok(Arg::Key(a.into())),
        ArgKind::IndexOrKey | ArgKind::IndexOrName => {
            if is_num {
                a.parse::<u32>()
                    .map(Arg::Index)
                    .map_err(|_| FieldError::BadArg {
                        name: name(),
                        arg: a.to_string(),
                        reason: "index out of range",
                    })
            } else if a.is_empty() {
                Err(FieldError::BadArg {
                    name: name(),
                    arg: String::new(),
                    reason: "empty argument",
                })
            } else {
                Ok(Arg::Key(a.into()))
            }
        }
    }
}

impl BoundField {
    pub fn info(&self) -> &'static FieldInfo {
        self.info
    }

    /// The resolved argument.
    pub fn arg(&self) -> &Arg {
        &self.arg
    }

    /// The field as written: `name` or `name[arg]`.
    pub fn display_name(&self) -> String {
        match &self.arg {
            Arg::None => self.info.name.to_string(),
            Arg::Index(i) => format!("{}[{i}]", self.info.name),
            Arg::Key(k) => format!("{}[{k}]", self.info.name),
        }
    }

    /// Appends the field's values for the event in `cx` to `out` (which the
    /// caller clears between events). Returns `false` when the field has no
    /// value for this event; nothing is appended then.
    pub fn extract(&self, cx: &EvalCtx<'_>, out: &mut Values) -> bool {
        let before = out.len();
        let ok = match self.ex {
            Ex::Evt(f) => evt::extract(f, &self.arg, cx, out),
            Ex::Proc(f) => proc::extract(f, &self.arg, cx, out),
            Ex::User(f) => user::extract(f, cx, out),
            Ex::Fd(f) => fd::extract(f, &self.arg, cx, out),
            Ex::Container(f) => container::extract(f, &self.arg, cx, out),
            Ex::Fs(f) => fs::extract(f, &self.arg, cx, out),
            Ex::FdList(f) => fdlist::extract(f, &self.arg, cx, out),
        };
        ok && out.len() > before
    }

    /// Extracts and renders the values as Falco prints them in text
    /// outputs (`<NA>` is not written: the caller decides). Returns `false`
    /// when there is no value.
    pub fn render(&self, cx: &EvalCtx<'_>, scratch: &mut Values, out: &mut String) -> bool {
        scratch.clear();
        if !self.extract(cx, scratch) {
            return false;
        }
        fmt::render_values(self.info, scratch, out);
        true
    }
}

pub use fmt::render_value;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_is_consistent() {
        let mut seen = std::collections::HashSet::new();
        for f in registry() {
            assert!(seen.insert(f.name), "duplicate field {}", f.name);
            assert!(f.name.contains('.'), "{}", f.name);
        }
        assert!(seen.len() > 290, "{}", seen.len());
    }

    #[test]
    fn resolve_and_bind_args() {
        let (f, a) = resolve("evt.arg.flags").unwrap();
        assert_eq!((f.name, a), ("evt.arg", Some("flags")));
        assert_eq!(resolve("evt.args").unwrap().0.name, "evt.args");
        assert_eq!(resolve("proc.name").unwrap().1, None);
        assert!(resolve("proc.nope").is_none());
        assert!(bind("proc.aname", Some("2")).is_ok());
        assert!(bind_text("proc.aname[2]").is_ok());
        assert!(matches!(
            bind("proc.aname", Some("x")),
            Err(FieldError::BadArg { .. })
        ));
        assert!(matches!(
            bind("proc.name", Some("1")),
            Err(FieldError::ArgNotAllowed(_))
        ));
        assert!(matches!(
            bind("evt.arg", None),
            Err(FieldError::ArgRequired(_))
        ));
        assert!(matches!(
            bind("evt.arg.nosuchparam", None),
            Err(FieldError::UnknownEventArg(_))
        ));
        assert_eq!(bind("evt.arg", Some("0")).unwrap().arg(), &Arg::Index(0));
        assert!(matches!(bind("x.y", None), Err(FieldError::Unknown(_))));
    }
}
