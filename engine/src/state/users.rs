//! Users and groups known to the engine (from a capture's user list, or
//! from the host's passwd/group files in live mode).

use std::collections::HashMap;

/// A user: the capture's user-list entry, also filled from `/etc/passwd`
/// and from user-added events.
pub use falcon_driver::scap::UserEntry as User;

/// A group: the capture's user-list entry, also filled from `/etc/group`
/// and from group-added events.
pub use falcon_driver::scap::GroupEntry as Group;

/// The user and group tables.
#[derive(Debug, Default)]
pub struct Users {
    users: HashMap<u32, User>,
    groups: HashMap<u32, Group>,
}

impl Users {
    pub fn add_user(&mut self, u: User) {
        self.users.insert(u.uid, u);
    }
    pub fn add_group(&mut self, g: Group) {
        self.groups.insert(g.gid, g);
    }
    pub fn remove_user(&mut self, uid: u32) {
        self.users.remove(&uid);
    }
    pub fn remove_group(&mut self, gid: u32) {
        self.groups.remove(&gid);
    }
    pub fn user(&self, uid: u32) -> Option<&User> {
        self.users.get(&uid)
    }
    pub fn group(&self, gid: u32) -> Option<&Group> {
        self.groups.get(&gid)
    }
    pub fn n_users(&self) -> usize {
        self.users.len()
    }
    pub fn n_groups(&self) -> usize {
        self.groups.len()
    }
}

impl Users {
    /// Loads `passwd` and `group` files (the host's `/etc/passwd` and
    /// `/etc/group` in live mode), like libsinsp does at startup. Malformed
    /// lines are skipped and counted in the returned number.
    pub fn load_etc(&mut self, passwd: &str, group: &str) -> usize {
        let mut bad = 0;
        for line in passwd
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
        {
            // name:password:uid:gid:gecos:home:shell
            let f: Vec<&str> = line.split(':').collect();
            match (
                f.len() >= 7,
                f.get(2).and_then(|u| u.parse::<u32>().ok()),
                f.get(3).and_then(|g| g.parse::<u32>().ok()),
            ) {
                (true, Some(uid), Some(gid)) => self.add_user(User {
                    uid,
                    gid,
                    name: f[0].as_bytes().to_vec(),
                    homedir: f[5].as_bytes().to_vec(),
                    shell: f[6].as_bytes().to_vec(),
                }),
                _ => bad += 1,
            }
        }
        for line in group
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
        {
            // name:password:gid:members
            let f: Vec<&str> = line.split(':').collect();
            match f.get(2).and_then(|g| g.parse::<u32>().ok()) {
                Some(gid) if f.len() >= 3 => self.add_group(Group {
                    gid,
                    name: f[0].as_bytes().to_vec(),
                }),
                _ => bad += 1,
            }
        }
        bad
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_etc_files() {
        let mut u = Users::default();
        let bad = u.load_etc(
            "root:x:0:0:root:/root:/bin/bash\n# comment\nbroken:line\nalice:x:1000:1000:Alice,,,:/home/alice:/bin/zsh\n",
            "root:x:0:\nstaff:x:50:alice,bob\nnonum:x:abc:\n",
        );
        assert_eq!(bad, 2);
        assert_eq!(u.user(1000).unwrap().name, b"alice");
        assert_eq!(u.user(1000).unwrap().shell, b"/bin/zsh");
        assert_eq!(u.group(50).unwrap().name, b"staff");
        assert_eq!(u.n_users(), 2);
        assert_eq!(u.n_groups(), 2);
    }
}
