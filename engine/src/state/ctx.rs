//! What field extraction sees of one event.

use super::{Fd, State, Thread};
use falcon_driver::event::Event;

/// One event as the field extractors and rules see it: the event, its
/// number, the state after the event was parsed, and the thread and fd the
/// event refers to (resolved once per event by the [`super::Parser`]).
///
/// For old enter+exit captures, `enter` is the enter event of the same
/// syscall; parameters missing from the exit event are taken from it, like
/// current libsinsp's capture converter does (see [`EvalCtx::param`]).
#[derive(Clone, Copy)]
pub struct EvalCtx<'a> {
    pub event: Event<'a>,
    pub enter: Option<Event<'a>>,
    /// `evt.num`: 1-based, counting delivered events.
    pub num: u64,
    /// CPU (buffer index) the event came from.
    pub cpu: u16,
    pub state: &'a State,
    pub thread: Option<&'a Thread>,
    /// The fd number the event refers to, if any (its `fd` parameter, or
    /// the returned fd for fd-creating syscalls).
    pub fd_num: Option<i64>,
    /// That fd's entry, if it is in the table.
    pub fd: Option<&'a Fd>,
}

impl<'a> EvalCtx<'a> {
    /// A context for an event with no state around it (unit tests, or
    /// events of sources without state).
    pub fn bare(event: Event<'a>, num: u64, state: &'a State) -> Self {
        EvalCtx {
            event,
            enter: None,
            num,
            cpu: 0,
            state,
            thread: None,
            fd_num: None,
            fd: None,
        }
    }

    /// Parameter `name` of the event, falling back to the enter event's
    /// parameter of that name when the exit event (old schema) lacks it.
    pub fn param(&self, name: &str) -> Option<&'a [u8]> {
        let info = self.event.info();
        if let Some(i) = info.param_index(name)
            && i < self.event.nparams()
        {
            return self.event.param(i);
        }
        let e = self.enter?;
        e.param_by_name(name)
    }

    /// The table index and body of parameter `name` (see [`EvalCtx::param`]),
    /// with its type.
    pub fn param_typed(
        &self,
        name: &str,
    ) -> Option<(&'static falcon_driver::abi::ParamInfo, &'a [u8], Event<'a>)> {
        let info = self.event.info();
        if let Some(i) = info.param_index(name)
            && i < self.event.nparams()
        {
            return Some((&info.params[i], self.event.param(i)?, self.event));
        }
        let e = self.enter?;
        let i = e.info().param_index(name)?;
        Some((&e.info().params[i], e.param(i)?, e))
    }

    /// Integer parameter `name`, sign-extended.
    pub fn param_i64(&self, name: &str) -> Option<i64> {
        int_i64(self.param(name)?)
    }

    /// Integer parameter `name`, zero-extended.
    pub fn param_u64(&self, name: &str) -> Option<u64> {
        int_u64(self.param(name)?)
    }

    /// String parameter `name` without its NUL.
    pub fn param_str(&self, name: &str) -> Option<&'a [u8]> {
        let b = self.param(name)?;
        Some(trim_nul(b))
    }
}

/// Bytes up to the first NUL.
pub fn trim_nul(b: &[u8]) -> &[u8] {
    match b.iter().position(|&c| c == 0) {
        Some(p) => &b[..p],
        None => b,
    }
}

/// A little-endian integer of 1, 2, 4 or 8 bytes, sign-extended.
pub fn int_i64(b: &[u8]) -> Option<i64> {
    Some(match b.len() {
        1 => b[0] as i8 as i64,
        2 => i16::from_le_bytes([b[0], b[1]]) as i64,
        4 => i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as i64,
        8 => i64::from_le_bytes(b.try_into().ok()?),
        _ => return None,
    })
}

/// A little-endian integer of 1, 2, 4 or 8 bytes, zero-extended.
pub fn int_u64(b: &[u8]) -> Option<u64> {
    Some(match b.len() {
        1 => b[0] as u64,
        2 => u16::from_le_bytes([b[0], b[1]]) as u64,
        4 => u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as u64,
        8 => u64::from_le_bytes(b.try_into().ok()?),
        _ => return None,
    })
}
