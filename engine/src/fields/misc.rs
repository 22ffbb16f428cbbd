//! Field classes that are registered but not extracted yet: `util.*`
//! (`util.cnt` counts extractions per check, which falcon's stateless
//! bound fields do not do).

use super::{ArgRule, Display, FieldClass, FieldFlags, FieldInfo, FieldType};

pub(super) static UTIL_FIELDS: &[FieldInfo] = &[FieldInfo::new(
    "util.cnt",
    FieldType::Uint64,
    FieldFlags::NONE,
    ArgRule::NONE,
    Display::Id,
    FieldClass::Utils,
    "Incrementing counter.",
)];
