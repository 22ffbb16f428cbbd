//! Container id from a thread's cgroups (upstream: the container plugin's
//! cgroup matchers, formerly libsinsp's runc matcher).
//!
//! For each `subsys=path` entry, the end of the path is matched against
//! `prefix + <64 hex> + suffix` for the known runtimes; the id is the first
//! 12 characters. containerd's `/default/<id>` accepts up to 64 arbitrary
//! characters.

const PATTERNS: &[(&str, &str)] = &[
    // docker
    ("/", ""),
    ("/docker-", ".scope"),
    // CRI (cri-o, containerd-CRI)
    ("/crio-", ""),
    ("/cri-containerd-", ".scope"),
    ("/crio-", ".scope"),
    (":cri-containerd:", ""),
    // podman
    ("/libpod-", ".scope"),
    ("/libpod-", ".scope/container"),
    ("/libpod-", ""),
];

fn is_hex64(b: &[u8]) -> bool {
    b.len() == 64 && b.iter().all(|c| c.is_ascii_hexdigit())
}

/// The 12-character container id in `cgroups` (NUL-separated `subsys=path`
/// entries), or `None` for the host.
pub fn container_id_from_cgroups(cgroups: &[u8]) -> Option<&[u8]> {
    for entry in super::split_nul(cgroups) {
        let path = match entry.iter().position(|&c| c == b'=') {
            Some(p) => &entry[p + 1..],
            None => entry,
        };
        for (prefix, suffix) in PATTERNS {
            let Some(rest) = path.strip_suffix(suffix.as_bytes()) else {
                continue;
            };
            if rest.len() < 64 + prefix.len() {
                continue;
            }
            let id = &rest[rest.len() - 64..];
            let before = &rest[..rest.len() - 64];
            if is_hex64(id) && before.ends_with(prefix.as_bytes()) {
                return Some(&id[..12]);
            }
        }
        // containerd: "/default/<id>", id up to 64 characters.
        if let Some(p) = find_last(path, b"/default/") {
            let id = &path[p + 9..];
            if !id.is_empty() && id.len() <= 64 && !id.contains(&b'/') {
                return Some(&id[..id.len().min(12)]);
            }
        }
    }
    None
}

fn find_last(h: &[u8], n: &[u8]) -> Option<usize> {
    (0..=h.len().checked_sub(n.len())?)
        .rev()
        .find(|&i| &h[i..i + n.len()] == n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtimes() {
        let id = "3ad7b26ded6d8e7b23da7d48fe889434573036c27ae5a74837233de441c3601e";
        let docker = format!("cpu=/docker/{id}\0");
        assert_eq!(
            container_id_from_cgroups(docker.as_bytes()),
            Some(&b"3ad7b26ded6d"[..])
        );
        let scope = format!("0=/system.slice/docker-{id}.scope\0");
        assert_eq!(
            container_id_from_cgroups(scope.as_bytes()),
            Some(&b"3ad7b26ded6d"[..])
        );
        let crio = format!("cpu=/kubepods/pod1/crio-{id}\0");
        assert_eq!(
            container_id_from_cgroups(crio.as_bytes()),
            Some(&b"3ad7b26ded6d"[..])
        );
        let host = b"cpuset=/user.slice/user-1000.slice/session-1.scope\0cpu=/user.slice\0";
        assert_eq!(container_id_from_cgroups(host), None);
        assert_eq!(container_id_from_cgroups(b""), None);
    }
}
