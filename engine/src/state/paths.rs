//! Path joining and normalisation as libsinsp does it for fd names:
//! relative paths are joined to the cwd (or a dirfd's path), then `.`,
//! `..` and repeated `/` are folded away.

use crate::fields::Values;

/// Something a path can be written into: a plain byte vector or the open
/// string of a [`Values`].
pub trait PathSink {
    fn put(&mut self, b: &[u8]);
    fn put_byte(&mut self, b: u8);
    /// Bytes written so far.
    fn written(&self) -> usize;
    /// Keeps only the first `n` written bytes.
    fn cut(&mut self, n: usize);
    /// The last written byte.
    fn last(&self) -> Option<u8>;
}

impl PathSink for Vec<u8> {
    fn put(&mut self, b: &[u8]) {
        self.extend_from_slice(b);
    }
    fn put_byte(&mut self, b: u8) {
        self.push(b);
    }
    fn written(&self) -> usize {
        self.len()
    }
    fn cut(&mut self, n: usize) {
        self.truncate(n);
    }
    fn last(&self) -> Option<u8> {
        self.as_slice().last().copied()
    }
}

impl PathSink for Values {
    fn put(&mut self, b: &[u8]) {
        self.extend(b);
    }
    fn put_byte(&mut self, b: u8) {
        self.push_byte(b);
    }
    fn written(&self) -> usize {
        self.open_len()
    }
    fn cut(&mut self, n: usize) {
        self.truncate_open(n);
    }
    fn last(&self) -> Option<u8> {
        self.open_last()
    }
}

/// Writes `path` resolved against `base` (a directory, with or without a
/// trailing `/`) and normalised. An absolute `path` ignores `base`.
pub fn concat_into<S: PathSink>(base: &[u8], path: &[u8], out: &mut S) {
    let start = out.written();
    if path.first() != Some(&b'/') {
        push_components(base, start, out);
    }
    push_components(path, start, out);
    if out.written() == start {
        out.put_byte(b'/');
    }
}

/// Appends the components of `p`, folding `.` and `..` (never above
/// `start`).
fn push_components<S: PathSink>(p: &[u8], start: usize, out: &mut S) {
    for comp in p.split(|&c| c == b'/') {
        match comp {
            b"" | b"." => {}
            b".." => {
                // drop the last component written
                let mut n = out.written();
                while n > start {
                    n -= 1;
                    out.cut(n + 1);
                    if out.last() == Some(b'/') {
                        out.cut(n);
                        break;
                    }
                }
                if n <= start {
                    out.cut(start);
                }
            }
            c => {
                out.put_byte(b'/');
                out.put(c);
            }
        }
    }
}

/// `path` resolved against `base` into a new vector.
pub fn concat(base: &[u8], path: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(base.len() + path.len() + 1);
    concat_into(base, path, &mut v);
    v
}

#[cfg(test)]
mod tests {
    use super::concat;

    #[test]
    fn joins_and_normalises() {
        assert_eq!(concat(b"/home/u/", b"a.txt"), b"/home/u/a.txt");
        assert_eq!(concat(b"/home/u", b"./a/../b"), b"/home/u/b");
        assert_eq!(concat(b"/home/u/", b"/etc//passwd"), b"/etc/passwd");
        assert_eq!(concat(b"/", b".."), b"/");
        assert_eq!(concat(b"/a/b/", b"../../.."), b"/");
        assert_eq!(concat(b"/a/", b""), b"/a");
    }
}
