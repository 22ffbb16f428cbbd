//! Text rendering of extracted values, as Falco prints them in outputs.

use super::{Display, FieldInfo, FieldType, Value, Values};
use std::fmt::Write as _;

/// Appends one value's text to `out` (libsinsp `rawval_to_string`: the
/// field's print format picks decimal, zero-padded or upper-case hex).
/// Returns `false` where libsinsp has no text for the value (an integer
/// field without a print format), which outputs show as `<NA>`.
pub fn render_value(info: &FieldInfo, v: Value<'_>, out: &mut String) -> bool {
    let _ = match v {
        Value::Str(s) | Value::Bytes(s) => {
            match std::str::from_utf8(s) {
                Ok(s) => out.push_str(s),
                Err(_) => out.push_str(&String::from_utf8_lossy(s)),
            }
            Ok(())
        }
        Value::I64(n) => {
            let bits = match info.ty {
                FieldType::Int16 => 16,
                FieldType::Int32 => 32,
                _ => 64,
            };
            match info.display {
                Display::Hex => write!(out, "{:X}", (n as u64) & (u64::MAX >> (64 - bits))),
                Display::PaddedDec => write!(out, "{n:09}"),
                Display::Dec | Display::Id => write!(out, "{n}"),
                _ if bits == 64 => write!(out, "{n}"),
                _ => return false,
            }
        }
        Value::U64(n) if info.ty == FieldType::Bool => {
            out.push_str(if n != 0 { "true" } else { "false" });
            Ok(())
        }
        Value::U64(n) => match info.display {
            Display::Hex => write!(out, "{n:X}"),
            Display::PaddedDec => write!(out, "{n:09}"),
            Display::Dec | Display::Id => write!(out, "{n}"),
            _ if matches!(info.ty, FieldType::Dyn) => write!(out, "{n}"),
            _ => return false,
        },
        Value::Bool(b) => {
            out.push_str(if b { "true" } else { "false" });
            Ok(())
        }
        Value::Ip(ip) => write!(out, "{ip}"),
        Value::Net(..) => {
            out.push_str("<IPNET>");
            Ok(())
        }
        Value::Double(d) => write!(out, "{d:.1}"),
    };
    true
}

/// All values of a field: one value as is, several (list fields) as
/// `(a,b,c)`.
pub(super) fn render_values(info: &FieldInfo, vals: &Values, out: &mut String) {
    if vals.len() == 1 && !info.is_list() {
        if let Some(v) = vals.first()
            && !render_value(info, v, out)
        {
            out.push_str("<NA>");
        }
        return;
    }
    out.push('(');
    for (i, v) in vals.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        render_value(info, v, out);
    }
    out.push(')');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::lookup;

    fn text(field: &str, v: Value<'_>) -> String {
        let mut s = String::new();
        if !render_value(lookup(field).unwrap(), v, &mut s) {
            s.push_str("<NA>");
        }
        s
    }

    #[test]
    fn print_formats() {
        assert_eq!(text("fd.dev", Value::I64(0x803)), "803");
        assert_eq!(text("fd.dev", Value::I64(-1)), "FFFFFFFF");
        assert_eq!(text("evt.rawtime.ns", Value::U64(42)), "000000042");
        assert_eq!(text("proc.fdusage", Value::Double(12.345)), "12.3");
        assert_eq!(text("fd.is_server", Value::Bool(true)), "true");
        assert_eq!(text("evt.type.is", Value::U64(1)), "<NA>");
        assert_eq!(text("proc.pid", Value::I64(-1)), "-1");
        assert_eq!(text("container.start_ts", Value::U64(7)), "7");
    }
}
