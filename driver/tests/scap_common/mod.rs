//! Helpers shared by the `.scap` integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

use falcon_driver::abi::{self, Direction, ParamType};
use falcon_driver::event::Event;

/// `../shared/corpora/<rel>` from the repository root.
pub fn corpus(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpora")
        .join(rel)
}

/// The legacy traces, sorted by name.
pub fn traces() -> Vec<PathBuf> {
    let dir = corpus("falco-legacy/trace_files");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "scap"))
        .collect();
    v.sort();
    assert!(!v.is_empty(), "no traces in {}", dir.display());
    v
}

/// `evt.type` as Falco shows it: the event name, or for generic events the
/// name of the syscall in their `ID` parameter (a `PPM_SC` code), or, when
/// that is 0 (unknown), of the native syscall number in `nativeID`.
pub fn evt_type(e: &Event<'_>) -> String {
    if e.info().name == "syscall" {
        let by_id = e
            .param_u64(0)
            .filter(|&id| id != 0)
            .and_then(|id| abi::syscall_by_ppm_sc(id as u16));
        let by_nr = || e.param_u64(1).and_then(|nr| abi::syscall_by_nr(nr as u32));
        if let Some(sc) = by_id.or_else(by_nr) {
            return sc.name.to_string();
        }
    }
    e.info().name.to_string()
}

/// `evt.rawres`: the first parameter of an exit event when it is a return
/// value (errno, fd or pid typed).
pub fn rawres(e: &Event<'_>) -> Option<i64> {
    if e.info().direction() != Direction::Exit {
        return None;
    }
    let p = e.info().params.first()?;
    match p.ty {
        ParamType::Errno | ParamType::Fd | ParamType::Pid => e.param_i64(0),
        _ => None,
    }
}

/// `fd.num` where it is directly a parameter: the event's `fd` parameter.
pub fn fd_param(e: &Event<'_>) -> Option<i64> {
    let i = e.info().param_index("fd")?;
    let b = e.param(i)?;
    match b.len() {
        8 => e.param_i64(i),
        _ => None,
    }
}
