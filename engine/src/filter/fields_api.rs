//! What the filter compiler needs from the field registry: bind a field
//! by name (+ argument) to an extractor and learn its type and flags.
//! Implemented over `engine::fields` (and plugin fields); kept as a trait so
//! the compiler knows fields only through it.

use super::value::{FieldType, Values};

/// What the compiler must know about a bound field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldMeta {
    /// Value type.
    pub ty: FieldType,
    /// Extracts several values (`EPF_IS_LIST`).
    pub is_list: bool,
    /// Cannot take part in a field-to-field comparison (`EPF_NO_RHS`).
    pub no_rhs: bool,
    /// Cannot be wrapped in a transformer (`EPF_NO_TRANSFORMER`).
    pub no_transformer: bool,
    /// Usable in conditions only (`EPF_FILTER_ONLY`).
    pub filter_only: bool,
    /// `!=` means "every extracted value differs" (`fd.port`, `fd.proto`:
    /// client and server side both differ); other multi-valued extractions
    /// (`proc.aname` without argument) match when any value does.
    pub ne_all: bool,
    /// The field is an address compared with host names (`fd.sip.name`…):
    /// right-hand values are names, matched against what they resolve to.
    pub dns_name: bool,
}

/// A source of fields for one event source (syscall, or a plugin's).
pub trait FieldSource {
    /// A field bound to its argument.
    type Field;
    /// The per-event context extraction reads.
    type Ctx<'a>;

    /// Binds `name` (possibly with a dotted argument such as `evt.arg.fd`)
    /// and a bracket argument. The error text is Falco's message, e.g.
    /// `filter_check called with nonexistent field proc.nobody`.
    fn bind(&self, name: &str, arg: Option<&str>) -> Result<(Self::Field, FieldMeta), String>;

    /// Appends the field's values for this event; false when it has none.
    fn extract(field: &Self::Field, cx: &Self::Ctx<'_>, out: &mut Values) -> bool;

    /// The event type code of the event in `cx`.
    fn event_code(cx: &Self::Ctx<'_>) -> u16;

    /// Names `evt.type` may be compared with (event names, syscall names,
    /// plugin async event names).
    fn is_event_name(&self, name: &str) -> bool;
}
