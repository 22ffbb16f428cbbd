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
        if let Some(id) = match_runtime(path) {
            return Some(id);
        }
    }
    None
}

fn match_runtime(path: &[u8]) -> Option<&[u8]> {
    // Host paths are short; a container path holds at least 64 id bytes.
    if path.len() >= 65 {
        for (prefix, suffix) in PATTERNS {
            let Some(rest) = path.strip_suffix(suffix.as_bytes()) else {
                continue;
            };
            if rest.len() < 64 + prefix.len() {
                continue;
            }
            let (before, id) = rest.split_at(rest.len() - 64);
            if before.ends_with(prefix.as_bytes()) && is_hex64(id) {
                return Some(&id[..12]);
            }
        }
    }
    // containerd: ".../default/<id>", the id up to 64 characters.
    let slash = path.iter().rposition(|&c| c == b'/')?;
    let (dir, id) = (&path[..slash], &path[slash + 1..]);
    if dir.ends_with(b"/default") && !id.is_empty() && id.len() <= 64 {
        return Some(&id[..id.len().min(12)]);
    }
    None
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
