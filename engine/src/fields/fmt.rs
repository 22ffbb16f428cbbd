//! Text rendering of extracted values, as Falco prints them in outputs.

use super::{Display, FieldInfo, FieldType, Value, Values};
use std::fmt::Write as _;

/// Appends one value's text to `out`.
pub fn render_value(info: &FieldInfo, v: Value<'_>, out: &mut String) {
    match v {
        Value::Str(s) | Value::Bytes(s) => match std::str::from_utf8(s) {
            Ok(s) => out.push_str(s),
            Err(_) => out.push_str(&String::from_utf8_lossy(s)),
        },
        Value::I64(n) => {
            let _ = write!(out, "{n}");
        }
        Value::U64(n) => {
            let _ = match (info.display, info.ty) {
                (Display::Hex, _) => write!(out, "{n:X}"),
                (Display::PaddedDec, _) => write!(out, "{n:09}"),
                (_, FieldType::Bool) => write!(out, "{}", n != 0),
                _ => write!(out, "{n}"),
            };
        }
        Value::Bool(b) => out.push_str(if b { "true" } else { "false" }),
        Value::Ip(ip) => {
            let _ = write!(out, "{ip}");
        }
        Value::Net(ip, p) => {
            let _ = write!(out, "{ip}/{p}");
        }
        Value::Double(d) => {
            let _ = write!(out, "{d:.2}");
        }
    }
}

/// All values of a field: one value as is, several (list fields) as
/// `(a,b,c)`.
pub(super) fn render_values(info: &FieldInfo, vals: &Values, out: &mut String) {
    if vals.len() == 1 && !info.is_list() {
        if let Some(v) = vals.first() {
            render_value(info, v, out);
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
