//! `fnmatch(3)`-style glob matching without `FNM_PATHNAME` (so `*` matches
//! `/`), optionally case-folding, plus the component-wise path-prefix match
//! behind `pmatch`. Allocation-free.

/// Matches `text` against glob `pat`: `*`, `?`, `[...]` (ranges, `!`/`^`
/// negation), `\` escapes.
pub fn glob_match(pat: &[u8], text: &[u8], fold: bool) -> bool {
    let (mut p, mut t) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    let eq = |a: u8, b: u8| {
        if fold {
            a.eq_ignore_ascii_case(&b)
        } else {
            a == b
        }
    };
    while t < text.len() {
        if p < pat.len() {
            match pat[p] {
                b'*' => {
                    star = Some((p, t));
                    p += 1;
                    continue;
                }
                b'?' => {
                    p += 1;
                    t += 1;
                    continue;
                }
                b'[' => {
                    if let Some((matched, next)) = bracket(pat, p, text[t], fold) {
                        if matched {
                            p = next;
                            t += 1;
                            continue;
                        }
                    } else if eq(b'[', text[t]) {
                        p += 1;
                        t += 1;
                        continue;
                    }
                }
                b'\\' if p + 1 < pat.len() => {
                    if eq(pat[p + 1], text[t]) {
                        p += 2;
                        t += 1;
                        continue;
                    }
                }
                c => {
                    if eq(c, text[t]) {
                        p += 1;
                        t += 1;
                        continue;
                    }
                }
            }
        }
        match star {
            Some((sp, st)) => {
                p = sp + 1;
                t = st + 1;
                star = Some((sp, st + 1));
            }
            None => return false,
        }
    }
    while p < pat.len() && pat[p] == b'*' {
        p += 1;
    }
    p == pat.len()
}

/// Evaluates the bracket expression starting at `pat[start] == b'['`.
/// Returns (matched, index after `]`), or None when it is not closed.
fn bracket(pat: &[u8], start: usize, c: u8, fold: bool) -> Option<(bool, usize)> {
    let mut i = start + 1;
    let negate = matches!(pat.get(i), Some(b'!' | b'^'));
    if negate {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    let lc = c.to_ascii_lowercase();
    loop {
        let b = *pat.get(i)?;
        if b == b']' && !first {
            break;
        }
        first = false;
        let mut lo = b;
        if b == b'\\' {
            lo = *pat.get(i + 1)?;
            i += 1;
        }
        i += 1;
        let mut hi = lo;
        if pat.get(i) == Some(&b'-') && pat.get(i + 1).is_some_and(|n| *n != b']') {
            hi = pat[i + 1];
            if hi == b'\\' {
                hi = *pat.get(i + 2)?;
                i += 1;
            }
            i += 2;
        }
        if (lo..=hi).contains(&c)
            || (fold && (lo..=hi).contains(&lc))
            || (fold && (lo..=hi).contains(&c.to_ascii_uppercase()))
        {
            matched = true;
        }
    }
    Some((matched != negate, i + 1))
}

/// True if `prefix` is a path prefix of `path`, component by component;
/// each prefix component may be a glob.
pub fn path_prefix_match(prefix: &[u8], path: &[u8]) -> bool {
    let mut pc = prefix.split(|b| *b == b'/').filter(|c| !c.is_empty());
    let mut vc = path.split(|b| *b == b'/').filter(|c| !c.is_empty());
    if prefix.first() == Some(&b'/') && path.first() != Some(&b'/') {
        return false;
    }
    loop {
        match (pc.next(), vc.next()) {
            (None, _) => return true,
            (Some(_), None) => return false,
            (Some(p), Some(v)) => {
                if !glob_match(p, v, false) {
                    return false;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match(b"/etc/*", b"/etc/a/b", false));
        assert!(glob_match(b"*.sh", b"x.sh", false));
        assert!(!glob_match(b"*.sh", b"x.shx", false));
        assert!(glob_match(b"a?c", b"abc", false));
        assert!(glob_match(b"[a-c]x", b"bx", false));
        assert!(!glob_match(b"[!a-c]x", b"bx", false));
        assert!(glob_match(b"ABC*", b"abcd", true));
        assert!(glob_match(b"a\\*", b"a*", false));
    }

    #[test]
    fn pmatch() {
        assert!(path_prefix_match(b"/var", b"/var/run/x"));
        assert!(!path_prefix_match(b"/var/run", b"/var"));
        assert!(!path_prefix_match(b"/va", b"/var/run"));
        assert!(path_prefix_match(b"/var/*/x", b"/var/run/x/y"));
    }
}
