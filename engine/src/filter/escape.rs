//! Quoting and unquoting of condition string values (libs `filter/escaping`).

/// Why a quoted string could not be unescaped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EscapeError {
    /// `\"` inside a `'`-quoted string.
    #[error("invalid \\\" escape in '-quoted string")]
    DoubleQuoteInSingle,
    /// `\'` inside a `"`-quoted string.
    #[error("invalid \\' escape in \"-quoted string")]
    SingleQuoteInDouble,
    /// `\x` without two following characters.
    #[error("truncated hex char escape sequence")]
    TruncatedHex,
    /// `\xHH` with a non-hex digit.
    #[error("invalid hex char escape sequence: {0}")]
    InvalidHex(String),
    /// Any other `\c`.
    #[error("unsupported string escape sequence: \\{0}")]
    Unsupported(char),
}

/// Unescapes a quoted token, including its two delimiters.
pub fn unescape(quoted: &[u8]) -> Result<Vec<u8>, EscapeError> {
    let delim = quoted[0];
    let end = quoted.len().saturating_sub(1);
    let mut out = Vec::with_capacity(end);
    let mut escaped = false;
    let mut i = 1;
    while i < end {
        let c = quoted[i];
        if !escaped {
            if c == b'\\' {
                escaped = true;
            } else {
                out.push(c);
            }
            i += 1;
            continue;
        }
        match c {
            b'b' => out.push(0x08),
            b'f' => out.push(0x0c),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            // `\ ` is kept as a lone backslash for old, wrongly escaped rules.
            b' ' | b'\\' => out.push(b'\\'),
            b'/' => out.push(b'/'),
            b'"' => {
                if delim != b'"' {
                    return Err(EscapeError::DoubleQuoteInSingle);
                }
                out.push(b'"');
            }
            b'\'' => {
                if delim != b'\'' {
                    return Err(EscapeError::SingleQuoteInDouble);
                }
                out.push(b'\'');
            }
            b'x' => {
                if i + 2 >= end {
                    return Err(EscapeError::TruncatedHex);
                }
                let hex = &quoted[i + 1..i + 3];
                let text = String::from_utf8_lossy(hex).into_owned();
                match u8::from_str_radix(&text, 16) {
                    Ok(v) if hex.iter().all(u8::is_ascii_hexdigit) => out.push(v),
                    _ => return Err(EscapeError::InvalidHex(text)),
                }
                i += 2;
            }
            other => return Err(EscapeError::Unsupported(other as char)),
        }
        escaped = false;
        i += 1;
    }
    Ok(out)
}

/// Renders a value for the canonical string form: wrapped in `"…"` when it
/// holds a blank, `=`, a quote, a backslash, a control escape or NUL.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    let mut quote = false;
    for c in s.chars() {
        match c {
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            ' ' | '=' | '\'' | '\0' => out.push(c),
            _ => {
                out.push(c);
                continue;
            }
        }
        quote = true;
    }
    if quote { format!("\"{out}\"") } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unescapes_like_upstream() {
        assert_eq!(unescape(br#""a\tb""#).unwrap(), b"a\tb");
        assert_eq!(unescape(br#""a\ b""#).unwrap(), b"a\\b");
        assert_eq!(unescape(br#""\x41""#).unwrap(), b"A");
        assert_eq!(
            unescape(br#"'\"'"#).unwrap_err().to_string(),
            "invalid \\\" escape in '-quoted string"
        );
        assert_eq!(
            unescape(br#""\q""#).unwrap_err().to_string(),
            "unsupported string escape sequence: \\q"
        );
    }

    #[test]
    fn escapes_for_display() {
        assert_eq!(escape("bash"), "bash");
        assert_eq!(escape("a b"), "\"a b\"");
        assert_eq!(escape("a\"b"), "\"a\\\"b\"");
    }
}
