//! `user.*` and `group.*` fields: the user and group of the thread.

use super::{
    Arg, ArgRule, Display, FieldClass, FieldError, FieldFlags, FieldInfo, FieldType, Values,
};
use crate::state::EvalCtx;

pub(super) static USER_FIELDS: &[FieldInfo] = &[
    FieldInfo::new(
        "user.uid",
        FieldType::Uint32,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Id,
        FieldClass::User,
        "User id.",
    ),
    FieldInfo::new(
        "user.name",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::User,
        "User name.",
    ),
    FieldInfo::new(
        "user.homedir",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::User,
        "User's home directory.",
    ),
    FieldInfo::new(
        "user.shell",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::User,
        "User's shell.",
    ),
    FieldInfo::new(
        "user.loginuid",
        FieldType::Int64,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Id,
        FieldClass::User,
        "Audit user id (auid). Held as uint32, but the invalid value UINT32_MAX is reported as -1 so usual comparisons work.",
    ),
    FieldInfo::new(
        "user.loginname",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::User,
        "Audit user name (of the auid).",
    ),
];

pub(super) static GROUP_FIELDS: &[FieldInfo] = &[
    FieldInfo::new(
        "group.gid",
        FieldType::Uint32,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Id,
        FieldClass::Group,
        "Group id.",
    ),
    FieldInfo::new(
        "group.name",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Group,
        "Group name.",
    ),
];

#[derive(Debug, Clone, Copy)]
pub(super) enum F {
    Uid,
    Name,
    Homedir,
    Shell,
    Loginuid,
    Loginname,
    Gid,
    GroupName,
}

pub(super) fn bind(info: &'static FieldInfo, _arg: &Arg) -> Result<F, FieldError> {
    Ok(match info.name {
        "user.uid" => F::Uid,
        "user.name" => F::Name,
        "user.homedir" => F::Homedir,
        "user.shell" => F::Shell,
        "user.loginuid" => F::Loginuid,
        "user.loginname" => F::Loginname,
        "group.gid" => F::Gid,
        "group.name" => F::GroupName,
        _ => return Err(FieldError::NotImplemented(info.name.into())),
    })
}

pub(super) fn extract(f: F, cx: &EvalCtx<'_>, out: &mut Values) -> bool {
    let Some(t) = cx.thread else { return false };
    let users = &cx.state.users;
    match f {
        F::Uid => out.push_u64(t.uid as u64),
        F::Name => match users.user(t.uid) {
            Some(u) => out.push_str(&u.name),
            None if t.uid == 0 => out.push_str(b"root"),
            None => out.push_str(b"<NA>"),
        },
        F::Homedir => match users.user(t.uid) {
            Some(u) => out.push_str(&u.homedir),
            None if t.uid == 0 => out.push_str(b"/root"),
            None => out.push_str(b"<NA>"),
        },
        F::Shell => match users.user(t.uid) {
            Some(u) => out.push_str(&u.shell),
            None => out.push_str(b"<NA>"),
        },
        F::Loginuid => out.push_i64(if t.loginuid < u32::MAX {
            t.loginuid as i64
        } else {
            -1
        }),
        F::Loginname => match users.user(t.loginuid) {
            Some(u) => out.push_str(&u.name),
            None if t.loginuid == 0 => out.push_str(b"root"),
            None => out.push_str(b"<NA>"),
        },
        F::Gid => out.push_u64(t.gid as u64),
        F::GroupName => match users.group(t.gid) {
            Some(g) => out.push_str(&g.name),
            None if t.gid == 0 => out.push_str(b"root"),
            None => out.push_str(b"<NA>"),
        },
    }
    let _ = (
        ArgRule::NONE,
        Display::Na,
        FieldClass::User,
        FieldFlags::NONE,
        FieldType::Bool,
    );
    true
}
