//! Numeric constants of the event ABI that the parser interprets
//! (upstream `driver/ppm_events_public.h`).

/// `AT_FDCWD` as a dirfd parameter.
pub const PPM_AT_FDCWD: i64 = -100;

pub const PPM_AF_UNSPEC: u8 = 0;
pub const PPM_AF_UNIX: u8 = 1;
pub const PPM_AF_INET: u8 = 2;
pub const PPM_AF_INET6: u8 = 10;
pub const PPM_AF_NETLINK: u8 = 16;

pub const PPM_O_RDONLY: u32 = 1 << 0;
pub const PPM_O_WRONLY: u32 = 1 << 1;
pub const PPM_O_CREAT: u32 = 1 << 2;
pub const PPM_O_DIRECTORY: u32 = 1 << 10;
pub const PPM_O_CLOEXEC: u32 = 1 << 12;
pub const PPM_O_TMPFILE: u32 = 1 << 13;
pub const PPM_O_F_CREATED: u32 = 1 << 14;
pub const PPM_FD_UPPER_LAYER: u32 = 1 << 15;
pub const PPM_FD_LOWER_LAYER: u32 = 1 << 16;

pub const PPM_CL_CLONE_FILES: u32 = 1 << 0;
pub const PPM_CL_CLONE_FS: u32 = 1 << 1;
pub const PPM_CL_CLONE_NEWPID: u32 = 1 << 6;
pub const PPM_CL_CLONE_PARENT: u32 = 1 << 8;
pub const PPM_CL_CLONE_THREAD: u32 = 1 << 13;
pub const PPM_CL_CLONE_VM: u32 = 1 << 15;
pub const PPM_CL_CHILD_IN_PIDNS: u32 = 1 << 21;
pub const PPM_CL_IS_MAIN_THREAD: u32 = 1 << 26;

/// Executable bits of a mode (`PPM_S_IX*`).
pub const PPM_S_IXUSR: u32 = 1 << 6;
pub const PPM_S_IXGRP: u32 = 1 << 3;
pub const PPM_S_IXOTH: u32 = 1 << 0;

/// `F_DUPFD` / `F_DUPFD_CLOEXEC` as fcntl's `cmd` enum (`PPM_FCNTL_*`).
pub const PPM_FCNTL_F_DUPFD: u8 = 1;
pub const PPM_FCNTL_F_DUPFD_CLOEXEC: u8 = 14;

/// Socket types in `socket()`'s `type` parameter.
pub const SOCK_STREAM: u32 = 1;
pub const SOCK_DGRAM: u32 = 2;
pub const SOCK_RAW: u32 = 3;
