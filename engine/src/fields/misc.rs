//! Field classes that are registered but not extracted yet: `util.*`,
//! `fdlist.*`.

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

pub(super) static FDLIST_FIELDS: &[FieldInfo] = &[
    FieldInfo::new(
        "fdlist.nums",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Id,
        FieldClass::FdList,
        "Poll events: comma-separated fd numbers from the fds argument, as a string.",
    ),
    FieldInfo::new(
        "fdlist.names",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::FdList,
        "Poll events: comma-separated fd names from the fds argument, as a string.",
    ),
    FieldInfo::new(
        "fdlist.cips",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::FdList,
        "Poll events: comma-separated client IPs from the fds argument, as a string.",
    ),
    FieldInfo::new(
        "fdlist.sips",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::FdList,
        "Poll events: comma-separated server IPs from the fds argument, as a string.",
    ),
    FieldInfo::new(
        "fdlist.cports",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::FdList,
        "Poll events on TCP/UDP fds: comma-separated client ports from the fds argument, as a string.",
    ),
    FieldInfo::new(
        "fdlist.sports",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::FdList,
        "Poll events: comma-separated server ports from the fds argument, as a string.",
    ),
];
