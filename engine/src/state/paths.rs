//! Path joining and normalisation as libsinsp does it for fd names:
//! relative paths are joined to the cwd (or a dirfd's path), then `.`,
//! `..` and repeated `/` are folded away.

use crate::fields::Values;

/// Something a path can be written into: a plain byte vector or the open
/// string of a [`Values`]. Positions are relative to where the path starts.
pub trait PathSink {
    fn put(&mut self, b: &[u8]);
    fn put_byte(&mut self, b: u8);
    /// Bytes written so far.
    fn written(&self) -> usize;
    /// Keeps only the first `n` written bytes.
    fn cut(&mut self, n: usize);
    /// The written byte at `i`.
    fn at(&self, i: usize) -> u8;
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
    fn at(&self, i: usize) -> u8 {
        self[i]
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
    fn at(&self, i: usize) -> u8 {
        self.open_byte(i)
    }
}

/// libscap's path size limit (`SCAP_MAX_PATH_SIZE`).
const MAX_PATH: usize = 4096;

/// libsinsp `concatenate_paths(base, path)`: a relative `path` is appended
/// to `base` as given (callers pass directories ending in `/`), an
/// absolute one replaces it; `path` is normalised on the way (`./` skipped,
/// `../` removes the previous component, repeated `/` folded, a trailing
/// `/` dropped). The sink must be empty or positioned at the path start.
pub fn concat_into<S: PathSink>(base: &[u8], path: &[u8], out: &mut S) {
    concat_impl(base, false, path, out)
}

/// [`concat_into`] with the directory `dir` as base, given with or without
/// its trailing `/` (libsinsp appends one to dirfd names).
pub fn concat_dir_into<S: PathSink>(dir: &[u8], path: &[u8], out: &mut S) {
    concat_impl(dir, !dir.ends_with(b"/"), path, out)
}

fn concat_impl<S: PathSink>(base: &[u8], slash: bool, path: &[u8], out: &mut S) {
    let start = out.written();
    if base.len() + slash as usize + path.len() + 1 > MAX_PATH {
        out.put(b"/DIR_TOO_LONG/FILENAME_TOO_LONG");
        return;
    }
    if !path.is_empty() && path[0] != b'/' {
        out.put(base);
        if slash {
            out.put_byte(b'/');
        }
    }
    let empty_base = out.written() == start;
    let at = |o: &S, i: usize| o.at(start + i);
    let len = |o: &S| o.written() - start;
    let rewind = |o: &mut S| {
        let mut tc = len(o);
        if tc <= 1 {
            return;
        }
        tc -= 1;
        while tc >= 1 && at(o, tc - 1) != b'/' {
            tc -= 1;
        }
        o.cut(start + tc);
    };
    let mut i = 0;
    loop {
        let Some(&c) = path.get(i) else {
            let tc = len(out);
            if tc > 1 && at(out, tc - 1) == b'/' {
                out.cut(start + tc - 1);
            }
            return;
        };
        let tc = len(out);
        let next = path.get(i + 1).copied();
        let after = path.get(i + 2).copied();
        if c == b'.' && (tc == 0 || at(out, tc - 1) == b'/') {
            match (next, after) {
                (Some(b'.'), Some(b'/')) => {
                    rewind(out);
                    i += 3;
                }
                (Some(b'.'), None) => {
                    rewind(out);
                    i += 2;
                }
                (Some(b'/'), _) => i += 2,
                (None, _) => i += 1,
                _ => {
                    out.put_byte(c);
                    i += 1;
                }
            }
        } else if c == b'/' {
            if (tc > 0 && at(out, tc - 1) == b'/') || (tc == 0 && !empty_base) {
                i += 1;
            } else {
                out.put_byte(c);
                i += 1;
            }
        } else {
            out.put_byte(c);
            i += 1;
        }
    }
}

/// `path` resolved against `base` into a new vector.
pub fn concat(base: &[u8], path: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(base.len() + path.len() + 1);
    concat_into(base, path, &mut v);
    v
}

/// `path` resolved against the directory `dir` (see [`concat_dir_into`]).
#[cfg(test)]
pub fn concat_dir(dir: &[u8], path: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(dir.len() + path.len() + 2);
    concat_dir_into(dir, path, &mut v);
    v
}

#[cfg(test)]
mod tests {
    use super::concat;

    #[test]
    fn joins_and_normalises_like_libsinsp() {
        assert_eq!(concat(b"/home/u/", b"a.txt"), b"/home/u/a.txt");
        assert_eq!(concat(b"/home/u/", b"./a/../b"), b"/home/u/b");
        assert_eq!(concat(b"/home/u/", b"/etc//passwd"), b"/etc/passwd");
        assert_eq!(concat(b"/", b".."), b"/");
        assert_eq!(concat(b"/a/b/", b"../../.."), b"/");
        assert_eq!(concat(b"/a/", b"x/"), b"/a/x");
        assert_eq!(concat(b"<UNKNOWN>", b"file"), b"<UNKNOWN>file");
        assert_eq!(concat(b"", b"/tmp/d1/d2/../..///f.txt"), b"/tmp/f.txt");
        assert_eq!(concat(b"/a/", b""), b"");
        assert_eq!(super::concat_dir(b"/etc", b"passwd"), b"/etc/passwd");
        assert_eq!(super::concat_dir(b"/etc/", b"../x"), b"/x");
    }
}
