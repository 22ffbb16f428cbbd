//! `fs.path.*` fields: the path(s) a filesystem syscall operates on,
//! for syscalls that name paths directly (unlink, rename, mkdir...) as
//! well as opens. Like libsinsp, each event type names the parameter that
//! holds the path (or its source and target) and the check that says the
//! syscall succeeded; the resolved forms join relative paths to the cwd or
//! the dirfd's directory.

use super::{
    Arg, ArgRule, Display, FieldClass, FieldError, FieldFlags, FieldInfo, FieldType, Values,
};
use crate::state::ctx::{int_i64, trim_nul};
use crate::state::paths::{concat_dir_into, concat_into};
use crate::state::{EvalCtx, FdType, PPM_AT_FDCWD};
use falcon_driver::abi::*;
use std::sync::OnceLock;

pub(super) static FIELDS: &[FieldInfo] = &[
    FieldInfo::new(
        "fs.path.name",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::FsPath,
        "For any event dealing with a filesystem path: the path operated on, fully resolved (thread cwd prepended when needed).",
    ),
    FieldInfo::new(
        "fs.path.nameraw",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::FsPath,
        "For any event dealing with a filesystem path: the path exactly as passed to the syscall, possibly unresolved.",
    ),
    FieldInfo::new(
        "fs.path.source",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::FsPath,
        "For two-path operations (mv, cp, ...): the source path, fully resolved (cwd prepended when needed).",
    ),
    FieldInfo::new(
        "fs.path.sourceraw",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::FsPath,
        "For two-path operations: the source path exactly as passed to the syscall.",
    ),
    FieldInfo::new(
        "fs.path.target",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::FsPath,
        "For two-path operations: the target path, fully resolved (cwd prepended when needed).",
    ),
    FieldInfo::new(
        "fs.path.targetraw",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::FsPath,
        "For two-path operations: the target path exactly as passed to the syscall.",
    ),
];

#[derive(Debug, Clone, Copy)]
pub(super) enum F {
    Name,
    NameRaw,
    Source,
    SourceRaw,
    Target,
    TargetRaw,
}

pub(super) fn bind(info: &'static FieldInfo, _arg: &Arg) -> Result<F, FieldError> {
    Ok(match info.name {
        "fs.path.name" => F::Name,
        "fs.path.nameraw" => F::NameRaw,
        "fs.path.source" => F::Source,
        "fs.path.sourceraw" => F::SourceRaw,
        "fs.path.target" => F::Target,
        "fs.path.targetraw" => F::TargetRaw,
        _ => return Err(FieldError::NotImplemented(info.name.into())),
    })
}

/// Where a path comes from.
#[derive(Debug, Clone, Copy)]
enum Src {
    /// A string parameter of the event.
    Param(&'static str),
    /// The name of the event's fd (fchmod, fchown).
    FdName,
}

/// Success: `res` is 0, or (opens) `fd` is not -1.
#[derive(Debug, Clone, Copy)]
enum Success {
    ResZero,
    FdNotMinusOne,
}

#[derive(Debug, Clone, Copy)]
struct Spec {
    ok: Success,
    path: Option<Src>,
    source: Option<Src>,
    target: Option<Src>,
}

fn specs() -> &'static [Option<Spec>] {
    static S: OnceLock<Vec<Option<Spec>>> = OnceLock::new();
    S.get_or_init(|| {
        use Src::*;
        let path = |s| Spec {
            ok: Success::ResZero,
            path: Some(s),
            source: None,
            target: None,
        };
        let open = |s| Spec {
            ok: Success::FdNotMinusOne,
            path: Some(s),
            source: None,
            target: None,
        };
        let two = |s, t| Spec {
            ok: Success::ResZero,
            path: None,
            source: Some(s),
            target: Some(t),
        };
        let rows: &[(u32, Spec)] = &[
            (PPME_SYSCALL_MKDIR_2_X, path(Param("path"))),
            (PPME_SYSCALL_MKDIRAT_X, path(Param("path"))),
            (PPME_SYSCALL_RMDIR_2_X, path(Param("path"))),
            (PPME_SYSCALL_UNLINK_2_X, path(Param("path"))),
            (PPME_SYSCALL_UNLINKAT_2_X, path(Param("name"))),
            (PPME_SYSCALL_OPEN_X, open(Param("name"))),
            (PPME_SYSCALL_OPENAT_2_X, open(Param("name"))),
            (PPME_SYSCALL_OPENAT2_X, open(Param("name"))),
            (PPME_SYSCALL_FCHMODAT_X, path(Param("filename"))),
            (PPME_SYSCALL_CHMOD_X, path(Param("filename"))),
            (PPME_SYSCALL_FCHMOD_X, path(FdName)),
            (PPME_SYSCALL_CHOWN_X, path(Param("path"))),
            (PPME_SYSCALL_LCHOWN_X, path(Param("path"))),
            (PPME_SYSCALL_FCHOWN_X, path(FdName)),
            (PPME_SYSCALL_FCHOWNAT_X, path(Param("pathname"))),
            (PPME_SYSCALL_QUOTACTL_X, path(Param("special"))),
            (
                PPME_SYSCALL_RENAME_X,
                two(Param("oldpath"), Param("newpath")),
            ),
            (
                PPME_SYSCALL_RENAMEAT_X,
                two(Param("oldpath"), Param("newpath")),
            ),
            (
                PPME_SYSCALL_RENAMEAT2_X,
                two(Param("oldpath"), Param("newpath")),
            ),
            // links: the new name is the source, the existing file the target
            (
                PPME_SYSCALL_LINK_2_X,
                two(Param("newpath"), Param("oldpath")),
            ),
            (
                PPME_SYSCALL_LINKAT_2_X,
                two(Param("newpath"), Param("oldpath")),
            ),
            (
                PPME_SYSCALL_SYMLINK_X,
                two(Param("linkpath"), Param("target")),
            ),
            (
                PPME_SYSCALL_SYMLINKAT_X,
                two(Param("linkpath"), Param("target")),
            ),
            (PPME_SYSCALL_MOUNT_X, two(Param("dev"), Param("dir"))),
            (PPME_SYSCALL_UMOUNT_1_X, path(Param("name"))),
            (PPME_SYSCALL_UMOUNT2_X, path(Param("name"))),
        ];
        let mut v = vec![None; EVENT_MAX];
        for (code, spec) in rows {
            v[*code as usize] = Some(*spec);
        }
        v
    })
}

/// The raw path `src` names for this event.
fn raw<'a>(src: Src, cx: &EvalCtx<'a>) -> Option<&'a [u8]> {
    match src {
        Src::Param(name) => cx.param(name).filter(|b| !b.is_empty()).map(trim_nul),
        Src::FdName => cx.fd.map(|f| f.name.as_slice()),
    }
}

/// libsinsp `format_dirfd`: the event's fd as a directory base.
fn dirfd_base<'a>(cx: &EvalCtx<'a>) -> Option<&'a [u8]> {
    cx.fd
        .filter(|f| f.ty == FdType::Directory)
        .map(|f| f.name.as_slice())
}

pub(super) fn extract(f: F, _arg: &Arg, cx: &EvalCtx<'_>, out: &mut Values) -> bool {
    let code = cx.event.code() as u32;
    let Some(spec) = specs().get(code as usize).copied().flatten() else {
        return false;
    };
    let ok = match spec.ok {
        Success::ResZero => cx.param("res").and_then(int_i64) == Some(0),
        Success::FdNotMinusOne => cx.param("fd").and_then(int_i64).is_some_and(|fd| fd != -1),
    };
    if !ok {
        return false;
    }
    let (src, resolve) = match f {
        F::Name => (spec.path, true),
        F::NameRaw => (spec.path, false),
        F::Source => (spec.source, true),
        F::SourceRaw => (spec.source, false),
        F::Target => (spec.target, true),
        F::TargetRaw => (spec.target, false),
    };
    let Some(path) = src.and_then(|s| raw(s, cx)) else {
        return false;
    };
    out.begin_str();
    if !resolve {
        out.extend(path);
        out.end_str();
        return true;
    }
    let Some(t) = cx.thread else {
        out.abandon_str();
        return false;
    };
    if path.first() == Some(&b'/') {
        concat_into(b"", path, out);
        out.end_str();
        return true;
    }
    let cwd = &cx.state.main_thread(t).cwd;
    match code {
        // the opened file's own (resolved) name
        PPME_SYSCALL_OPENAT_2_X | PPME_SYSCALL_OPENAT2_X => match cx.fd {
            Some(fd) => concat_into(b"", &fd.name, out),
            None => concat_into(b"", b"<UNKNOWN>", out),
        },
        PPME_SYSCALL_FCHOWNAT_X
        | PPME_SYSCALL_FCHMODAT_X
        | PPME_SYSCALL_MKDIRAT_X
        | PPME_SYSCALL_UNLINKAT_2_X => match dirfd_base(cx) {
            Some(d) => concat_dir_into(d, path, out),
            None => concat_into(b"<UNKNOWN>", path, out),
        },
        PPME_SYSCALL_SYMLINKAT_X => match (f, dirfd_base(cx)) {
            (F::Source, Some(d)) => concat_dir_into(d, path, out),
            _ => concat_into(b"<UNKNOWN>", path, out),
        },
        PPME_SYSCALL_RENAMEAT2_X => {
            let dirfd = match f {
                F::Source => cx.param("olddirfd"),
                _ => cx.param("newdirfd"),
            }
            .and_then(int_i64)
            .unwrap_or(PPM_AT_FDCWD);
            if dirfd == PPM_AT_FDCWD {
                concat_into(cwd, path, out)
            } else {
                match cx.state.fd(t, dirfd) {
                    Some(d) => concat_dir_into(&d.name, path, out),
                    None => concat_into(b"<UNKNOWN>", path, out),
                }
            }
        }
        _ => concat_into(cwd, path, out),
    }
    out.end_str();
    let _ = (
        ArgRule::NONE,
        Display::Na,
        FieldClass::FsPath,
        FieldFlags::NONE,
        FieldType::Bool,
    );
    true
}
