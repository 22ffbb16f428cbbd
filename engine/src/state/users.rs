//! Users and groups known to the engine (from a capture's user list, or
//! from the host's passwd/group files in live mode).

use std::collections::HashMap;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct User {
    pub uid: u32,
    pub gid: u32,
    pub name: Vec<u8>,
    pub homedir: Vec<u8>,
    pub shell: Vec<u8>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Group {
    pub gid: u32,
    pub name: Vec<u8>,
}

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
