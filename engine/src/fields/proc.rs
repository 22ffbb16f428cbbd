//! `proc.*` and `thread.*` fields: the thread that generated the event and
//! its process, parents and session.

use super::{
    Arg, ArgKind, ArgRule, Display, FieldClass, FieldError, FieldFlags, FieldInfo, FieldType,
    Values,
};
use crate::state::{EvalCtx, State, Thread};
use std::fmt::Write as _;

pub(super) static FIELDS: &[FieldInfo] = &[
    FieldInfo::new(
        "proc.exe",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Thread,
        "First command-line argument argv[0]: usually the executable name, or a custom string. Taken from syscall arguments (truncated after 4096 bytes) or, as a fallback, /proc/PID/cmdline (may be truncated after 1024 bytes). May differ from the last component of proc.exepath.",
    ),
    FieldInfo::new(
        "proc.pexe",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Thread,
        "proc.exe (argv[0]) of the parent process.",
    ),
    FieldInfo::new(
        "proc.aexe",
        FieldType::Charbuf,
        FieldFlags(FieldFlags::NO_RHS.0 | FieldFlags::NO_TRANSFORMER.0),
        ArgRule::allowed(ArgKind::Index),
        Display::Na,
        FieldClass::Thread,
        "proc.exe of an ancestor: proc.aexe[0] self, [1] parent, [2] grandparent, ... Without an argument in a filter it matches if any ancestor matches (e.g. proc.aexe endswith java); in output, without an argument, the space-separated proc.exe values of all ancestors.",
    ),
    FieldInfo::new(
        "proc.exepath",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Thread,
        "Full executable path, symlinks resolved to the canonical path. From the kernel or, as a fallback, /proc/PID/exe (then truncated after 1024 bytes). With the modern eBPF driver, path components may be truncated to 96 (verifier limits).",
    ),
    FieldInfo::new(
        "proc.pexepath",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Thread,
        "proc.exepath of the parent process.",
    ),
    FieldInfo::new(
        "proc.aexepath",
        FieldType::Charbuf,
        FieldFlags(FieldFlags::NO_RHS.0 | FieldFlags::NO_TRANSFORMER.0),
        ArgRule::allowed(ArgKind::Index),
        Display::Na,
        FieldClass::Thread,
        "proc.exepath of an ancestor: [0] self, [1] parent, [2] grandparent, ... Without an argument in a filter it matches if any ancestor matches; in output, without an argument, the space-separated proc.exepath values of all ancestors.",
    ),
    FieldInfo::new(
        "proc.name",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Thread,
        "Process name (task->comm), truncated after 16 characters by the kernel, not by Falco. From syscall arguments or, as a fallback, /proc/PID/comm. Can differ from the executable name when the process sets a custom name (common for java).",
    ),
    FieldInfo::new(
        "proc.pname",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Thread,
        "proc.name (16-character limit) of the parent process.",
    ),
    FieldInfo::new(
        "proc.aname",
        FieldType::Charbuf,
        FieldFlags(FieldFlags::NO_RHS.0 | FieldFlags::NO_TRANSFORMER.0),
        ArgRule::allowed(ArgKind::Index),
        Display::Na,
        FieldClass::Thread,
        "proc.name of an ancestor: [0] self, [1] parent, [2] grandparent, ... Without an argument in a filter it matches if any ancestor matches (e.g. proc.aname=bash); in output, without an argument, the space-separated proc.name values of all ancestors.",
    ),
    FieldInfo::new(
        "proc.args",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::allowed(ArgKind::Index),
        Display::Na,
        FieldClass::Thread,
        "Command-line arguments excluding argv[0] (truncated after 4096 bytes), from syscall arguments or /proc/PID/cmdline. proc.args[i] selects one argument, zero-based: proc.args[0] is the first argument after argv[0].",
    ),
    FieldInfo::new(
        "proc.aargs",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::allowed(ArgKind::Index),
        Display::Na,
        FieldClass::Thread,
        "proc.args of an ancestor: [0] self, [1] parent, [2] grandparent, ... Without an argument in a filter it matches if any ancestor matches (e.g. proc.aargs contains base64); in output, without an argument, the space-separated proc.args values of all ancestors.",
    ),
    FieldInfo::new(
        "proc.cmdline",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Thread,
        "proc.name followed by proc.args (truncated after 4096 bytes), as at process start.",
    ),
    FieldInfo::new(
        "proc.pcmdline",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Thread,
        "proc.cmdline (proc.name + proc.args) of the parent process.",
    ),
    FieldInfo::new(
        "proc.acmdline",
        FieldType::Charbuf,
        FieldFlags(FieldFlags::NO_RHS.0 | FieldFlags::NO_TRANSFORMER.0),
        ArgRule::allowed(ArgKind::Index),
        Display::Na,
        FieldClass::Thread,
        "proc.cmdline of an ancestor: [0] self, [1] parent, [2] grandparent, ... Without an argument in a filter it matches if any ancestor matches; in output, without an argument, the space-separated proc.cmdline values of all ancestors.",
    ),
    FieldInfo::new(
        "proc.cmdnargs",
        FieldType::Uint64,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Thread,
        "Number of command-line arguments (proc.args).",
    ),
    FieldInfo::new(
        "proc.cmdlenargs",
        FieldType::Uint64,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Thread,
        "Total character count of the arguments (proc.args), not counting the spaces between them.",
    ),
    FieldInfo::new(
        "proc.exeline",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Thread,
        "proc.exe followed by proc.args, as at process start.",
    ),
    FieldInfo::new(
        "proc.env",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::allowed(ArgKind::Key),
        Display::Na,
        FieldClass::Thread,
        "Process environment as one string 'NAME=value NAME1=value1'; proc.env[NAME] gives the value of one variable.",
    ),
    FieldInfo::new(
        "proc.aenv",
        FieldType::Charbuf,
        FieldFlags(FieldFlags::NO_RHS.0 | FieldFlags::NO_TRANSFORMER.0),
        ArgRule::allowed(ArgKind::IndexOrKey),
        Display::Na,
        FieldClass::Thread,
        "Experimental, may change or be deprecated. Three forms: no argument = matches if any ancestor's environment matches; proc.aenv[N] = proc.env of ancestor level N; proc.aenv[NAME] = first value of NAME found walking up the ancestors (at most 20 levels).",
    ),
    FieldInfo::new(
        "proc.cwd",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Thread,
        "Current working directory.",
    ),
    FieldInfo::new(
        "proc.loginshellid",
        FieldType::Int64,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Id,
        FieldClass::Thread,
        "pid of the oldest shell among the ancestors, if any; separates user sessions.",
    ),
    FieldInfo::new(
        "proc.tty",
        FieldType::Uint32,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Id,
        FieldClass::Thread,
        "Controlling terminal; 0 when the process has none.",
    ),
    FieldInfo::new(
        "proc.pid",
        FieldType::Int64,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Id,
        FieldClass::Thread,
        "Process id.",
    ),
    FieldInfo::new(
        "proc.ppid",
        FieldType::Int64,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Id,
        FieldClass::Thread,
        "Parent process id.",
    ),
    FieldInfo::new(
        "proc.apid",
        FieldType::Int64,
        FieldFlags(FieldFlags::NO_RHS.0 | FieldFlags::NO_TRANSFORMER.0),
        ArgRule::allowed(ArgKind::Index),
        Display::Id,
        FieldClass::Thread,
        "pid of an ancestor: [0] self, [1] parent, [2] grandparent, ... Without an argument in a filter it matches if any ancestor matches (e.g. proc.apid=1337); in output, without an argument, it is proc.apid[0] (own pid), unlike the other proc.a* fields.",
    ),
    FieldInfo::new(
        "proc.vpid",
        FieldType::Int64,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Id,
        FieldClass::Thread,
        "Process id as seen in its own PID namespace.",
    ),
    FieldInfo::new(
        "proc.pvpid",
        FieldType::Int64,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Id,
        FieldClass::Thread,
        "Parent process id as seen in its own PID namespace.",
    ),
    FieldInfo::new(
        "proc.sid",
        FieldType::Int64,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Id,
        FieldClass::Thread,
        "Session id.",
    ),
    FieldInfo::new(
        "proc.sname",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Thread,
        "Name of the session leader: the process whose pid is proc.sid, or else the eldest ancestor with the same sid.",
    ),
    FieldInfo::new(
        "proc.sid.exe",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Thread,
        "argv[0] of the session leader (pid == proc.sid, or else the eldest ancestor with the same sid).",
    ),
    FieldInfo::new(
        "proc.sid.exepath",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Thread,
        "Full executable path of the session leader (pid == proc.sid, or else the eldest ancestor with the same sid).",
    ),
    FieldInfo::new(
        "proc.vpgid",
        FieldType::Int64,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Id,
        FieldClass::Thread,
        "Process group id as seen in its own PID namespace.",
    ),
    FieldInfo::new(
        "proc.vpgid.name",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Thread,
        "Name of the process group leader: the process with vpgid == vpid, or else the eldest ancestor with the same vpgid (see proc.is_vpgid_leader).",
    ),
    FieldInfo::new(
        "proc.vpgid.exe",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Thread,
        "argv[0] of the process group leader (vpgid == vpid, or else the eldest ancestor with the same vpgid).",
    ),
    FieldInfo::new(
        "proc.vpgid.exepath",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Thread,
        "Full executable path of the process group leader (vpgid == vpid, or else the eldest ancestor with the same vpgid).",
    ),
    FieldInfo::new(
        "proc.pgid",
        FieldType::Int64,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Id,
        FieldClass::Thread,
        "Process group id as seen from the host PID namespace.",
    ),
    FieldInfo::new(
        "proc.pgid.name",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Thread,
        "Name of the process group leader: the process with pgid == pid, or else the eldest ancestor with the same pgid (see proc.is_pgid_leader).",
    ),
    FieldInfo::new(
        "proc.pgid.exe",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Thread,
        "argv[0] of the process group leader (pgid == pid, or else the eldest ancestor with the same pgid).",
    ),
    FieldInfo::new(
        "proc.pgid.exepath",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Thread,
        "Full executable path of the process group leader (pgid == pid, or else the eldest ancestor with the same pgid).",
    ),
    FieldInfo::new(
        "proc.duration",
        FieldType::Reltime,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Thread,
        "ns since the process started.",
    ),
    FieldInfo::new(
        "proc.ppid.duration",
        FieldType::Reltime,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Thread,
        "ns since the parent process started.",
    ),
    FieldInfo::new(
        "proc.pid.ts",
        FieldType::Reltime,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Thread,
        "Process start time, epoch ns.",
    ),
    FieldInfo::new(
        "proc.ppid.ts",
        FieldType::Reltime,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Thread,
        "Parent process start time, epoch ns.",
    ),
    FieldInfo::new(
        "proc.is_exe_writable",
        FieldType::Bool,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Thread,
        "true when the process executable is writable by the user that spawned the process.",
    ),
    FieldInfo::new(
        "proc.is_exe_upper_layer",
        FieldType::Bool,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Thread,
        "true when the executable is in the overlayfs upper layer; reliable only on kernels >= 3.18.0 (overlayfs introduced).",
    ),
    FieldInfo::new(
        "proc.is_exe_lower_layer",
        FieldType::Bool,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Thread,
        "true when the executable is in the overlayfs lower layer; reliable only on kernels >= 3.18.0.",
    ),
    FieldInfo::new(
        "proc.is_exe_from_memfd",
        FieldType::Bool,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Thread,
        "true when the executable is an anonymous memfd_create() file executed through its fd (exists only in memory; in-memory code injection). Needs kernel >= 3.17.0.",
    ),
    FieldInfo::new(
        "proc.is_sid_leader",
        FieldType::Bool,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Thread,
        "true when the process is the session leader (proc.sid == proc.vpid; for host processes vpid equals pid).",
    ),
    FieldInfo::new(
        "proc.is_vpgid_leader",
        FieldType::Bool,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Thread,
        "true when the process leads its virtual process group (proc.vpgid == proc.vpid; for host processes these equal pgid and pid). true for a command run directly, e.g. in a tty; false for a child spawned in the same group, e.g. by a script.",
    ),
    FieldInfo::new(
        "proc.is_pgid_leader",
        FieldType::Bool,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Thread,
        "true when the process leads its process group (proc.pgid == proc.pid). true for a command run directly, e.g. in a tty; false for a child spawned in the same group, e.g. by a script.",
    ),
    FieldInfo::new(
        "proc.exe_ino",
        FieldType::Int64,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Thread,
        "Inode number of the executable file; can be correlated with fd.ino.",
    ),
    FieldInfo::new(
        "proc.exe_ino.ctime",
        FieldType::Abstime,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Thread,
        "Status-change time (inode ctime) of the executable, epoch ns; changes on writes and on owner, group, link count or mode changes.",
    ),
    FieldInfo::new(
        "proc.exe_ino.mtime",
        FieldType::Abstime,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Thread,
        "Modification time (inode mtime) of the executable, epoch ns; changes on content modification (mknod, truncate, utime, write of more than 0 bytes). Use ctime for owner/group/link/mode changes.",
    ),
    FieldInfo::new(
        "proc.exe_ino.ctime_duration_proc_start",
        FieldType::Abstime,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Thread,
        "ns between the executable's status change (ctime) and the spawn of a process from it.",
    ),
    FieldInfo::new(
        "proc.exe_ino.ctime_duration_pidns_start",
        FieldType::Abstime,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Thread,
        "ns between the PID namespace start and the executable's ctime, when the namespace start is earlier than the ctime.",
    ),
    FieldInfo::new(
        "proc.pidns_init_start_ts",
        FieldType::Uint64,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Thread,
        "Start of the PID namespace (container or not), epoch ns.",
    ),
    FieldInfo::new(
        "thread.cap_permitted",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Thread,
        "Permitted capability set.",
    ),
    FieldInfo::new(
        "thread.cap_inheritable",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Thread,
        "Inheritable capability set.",
    ),
    FieldInfo::new(
        "thread.cap_effective",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Thread,
        "Effective capability set.",
    ),
    FieldInfo::new(
        "proc.fdopencount",
        FieldType::Uint64,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Thread,
        "Number of open fds of the process.",
    ),
    FieldInfo::new(
        "proc.fdlimit",
        FieldType::Int64,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Thread,
        "Maximum number of fds the process may open.",
    ),
    FieldInfo::new(
        "proc.fdusage",
        FieldType::Double,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Thread,
        "Ratio of open fds to the maximum allowed.",
    ),
    FieldInfo::new(
        "proc.vmsize",
        FieldType::Uint64,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Thread,
        "Total virtual memory of the process, kB.",
    ),
    FieldInfo::new(
        "proc.vmrss",
        FieldType::Uint64,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Thread,
        "Resident non-swapped memory of the process, kB.",
    ),
    FieldInfo::new(
        "proc.vmswap",
        FieldType::Uint64,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Thread,
        "Swapped memory of the process, kB.",
    ),
    FieldInfo::new(
        "thread.pfmajor",
        FieldType::Uint64,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Thread,
        "Major page faults since the thread started.",
    ),
    FieldInfo::new(
        "thread.pfminor",
        FieldType::Uint64,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Thread,
        "Minor page faults since the thread started.",
    ),
    FieldInfo::new(
        "thread.tid",
        FieldType::Int64,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Id,
        FieldClass::Thread,
        "Thread id.",
    ),
    FieldInfo::new(
        "thread.ismain",
        FieldType::Bool,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Thread,
        "true when the thread is the main thread of its process.",
    ),
    FieldInfo::new(
        "thread.vtid",
        FieldType::Int64,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Id,
        FieldClass::Thread,
        "Thread id as seen in its own PID namespace.",
    ),
    FieldInfo::new(
        "thread.nametid",
        FieldType::Charbuf,
        FieldFlags::TABLE_ONLY,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Thread,
        "Table-only. Process name chained with the tid; identifies a thread for a given execve.",
    ),
    FieldInfo::new(
        "thread.exectime",
        FieldType::Reltime,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Thread,
        "CPU time of the last scheduled thread, ns; set by switch events only.",
    ),
    FieldInfo::new(
        "thread.totexectime",
        FieldType::Reltime,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Thread,
        "Total CPU time of the thread since the capture started, ns; set by switch events only.",
    ),
    FieldInfo::new(
        "thread.cgroups",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Thread,
        "All cgroups of the thread, joined into one string.",
    ),
    FieldInfo::new(
        "thread.cgroup",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::required(ArgKind::Key).dotted(),
        Display::Na,
        FieldClass::Thread,
        "Argument (required) is a cgroup subsystem, written thread.cgroup.cpuacct; the thread's cgroup for that subsystem.",
    ),
    FieldInfo::new(
        "proc.nthreads",
        FieldType::Uint64,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Thread,
        "Live threads of the process, leader included; if the leader is gone this equals proc.nchilds.",
    ),
    FieldInfo::new(
        "proc.nchilds",
        FieldType::Uint64,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Thread,
        "Live non-leader threads of the process.",
    ),
    FieldInfo::new(
        "thread.cpu",
        FieldType::Double,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Thread,
        "CPU used by the thread in the last second.",
    ),
    FieldInfo::new(
        "thread.cpu.user",
        FieldType::Double,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Thread,
        "User CPU used by the thread in the last second.",
    ),
    FieldInfo::new(
        "thread.cpu.system",
        FieldType::Double,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Thread,
        "System CPU used by the thread in the last second.",
    ),
    FieldInfo::new(
        "thread.vmsize",
        FieldType::Uint64,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Thread,
        "For the main thread, total virtual memory of the process in kB; 0 for other threads.",
    ),
    FieldInfo::new(
        "thread.vmrss",
        FieldType::Uint64,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Thread,
        "For the main thread, resident non-swapped memory of the process in kB; 0 for other threads.",
    ),
    FieldInfo::new(
        "thread.vmsize.b",
        FieldType::Uint64,
        FieldFlags::TABLE_ONLY,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Thread,
        "Table-only. Like thread.vmsize, in bytes.",
    ),
    FieldInfo::new(
        "thread.vmrss.b",
        FieldType::Uint64,
        FieldFlags::TABLE_ONLY,
        ArgRule::NONE,
        Display::Dec,
        FieldClass::Thread,
        "Table-only. Like thread.vmrss, in bytes.",
    ),
    FieldInfo::new(
        "proc.stdin.type",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Thread,
        "Type of fd 0 (stdin).",
    ),
    FieldInfo::new(
        "proc.stdout.type",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Thread,
        "Type of fd 1 (stdout).",
    ),
    FieldInfo::new(
        "proc.stderr.type",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Thread,
        "Type of fd 2 (stderr).",
    ),
    FieldInfo::new(
        "proc.stdin.name",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Thread,
        "Name of fd 0 (stdin).",
    ),
    FieldInfo::new(
        "proc.stdout.name",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Thread,
        "Name of fd 1 (stdout).",
    ),
    FieldInfo::new(
        "proc.stderr.name",
        FieldType::Charbuf,
        FieldFlags::NONE,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Thread,
        "Name of fd 2 (stderr).",
    ),
];

/// Capability names by bit (libsinsp `capabilities`).
static CAPS: &[&str] = &[
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
];

/// Which thread attribute a string field reads.
#[derive(Debug, Clone, Copy)]
pub(super) enum Attr {
    Exe,
    Exepath,
    Name,
    Cmdline,
    Args,
}

#[derive(Debug, Clone, Copy)]
pub(super) enum F {
    Tid,
    Pid,
    Ppid,
    Vtid,
    Vpid,
    Pvpid,
    Sid,
    Vpgid,
    Pgid,
    /// An attribute of the process itself.
    SelfAttr(Attr),
    /// The same attribute of the parent process.
    Parent(Attr),
    /// Of an ancestor (`[n]`) or, without argument, of all ancestors.
    Ancestor(Attr),
    Apid,
    /// An attribute of the oldest ancestor with the same sid / vpgid / pgid.
    Leader(Group, Attr),
    Exeline,
    Env,
    Aenv,
    Cwd,
    Tty,
    Loginshellid,
    Duration,
    PpidDuration,
    PidTs,
    PpidTs,
    IsExeWritable,
    IsExeUpperLayer,
    IsExeLowerLayer,
    IsExeFromMemfd,
    IsLeader(Group),
    ExeIno,
    ExeInoCtime,
    ExeInoMtime,
    ExeInoCtimeDurationProcStart,
    ExeInoCtimeDurationPidnsStart,
    PidnsInitStartTs,
    CapPermitted,
    CapInheritable,
    CapEffective,
    FdOpenCount,
    FdLimit,
    FdUsage,
    VmSize,
    VmRss,
    VmSwap,
    PfMajor,
    PfMinor,
    IsMain,
    Cgroups,
    Cgroup,
    Nthreads,
    Nchilds,
    CmdNargs,
    CmdLenArgs,
    /// Type / name of fd 0, 1 or 2.
    StdType(i64),
    StdName(i64),
    VmSizeBytes,
    VmRssBytes,
}

#[derive(Debug, Clone, Copy)]
pub(super) enum Group {
    Sid,
    Vpgid,
    Pgid,
}

pub(super) fn bind(info: &'static FieldInfo, _arg: &Arg) -> Result<F, FieldError> {
    use Attr::*;
    Ok(match info.name {
        "thread.tid" => F::Tid,
        "proc.pid" => F::Pid,
        "proc.ppid" => F::Ppid,
        "thread.vtid" => F::Vtid,
        "proc.vpid" => F::Vpid,
        "proc.pvpid" => F::Pvpid,
        "proc.sid" => F::Sid,
        "proc.vpgid" => F::Vpgid,
        "proc.pgid" => F::Pgid,
        "proc.exe" => F::SelfAttr(Exe),
        "proc.exepath" => F::SelfAttr(Exepath),
        "proc.name" => F::SelfAttr(Name),
        "proc.cmdline" => F::SelfAttr(Cmdline),
        "proc.args" => F::SelfAttr(Args),
        "proc.pexe" => F::Parent(Exe),
        "proc.pexepath" => F::Parent(Exepath),
        "proc.pname" => F::Parent(Name),
        "proc.pcmdline" => F::Parent(Cmdline),
        "proc.aexe" => F::Ancestor(Exe),
        "proc.aexepath" => F::Ancestor(Exepath),
        "proc.aname" => F::Ancestor(Name),
        "proc.acmdline" => F::Ancestor(Cmdline),
        "proc.aargs" => F::Ancestor(Args),
        "proc.apid" => F::Apid,
        "proc.sname" => F::Leader(Group::Sid, Name),
        "proc.sid.exe" => F::Leader(Group::Sid, Exe),
        "proc.sid.exepath" => F::Leader(Group::Sid, Exepath),
        "proc.vpgid.name" => F::Leader(Group::Vpgid, Name),
        "proc.vpgid.exe" => F::Leader(Group::Vpgid, Exe),
        "proc.vpgid.exepath" => F::Leader(Group::Vpgid, Exepath),
        "proc.pgid.name" => F::Leader(Group::Pgid, Name),
        "proc.pgid.exe" => F::Leader(Group::Pgid, Exe),
        "proc.pgid.exepath" => F::Leader(Group::Pgid, Exepath),
        "proc.exeline" => F::Exeline,
        "proc.env" => F::Env,
        "proc.aenv" => F::Aenv,
        "proc.cwd" => F::Cwd,
        "proc.tty" => F::Tty,
        "proc.loginshellid" => F::Loginshellid,
        "proc.duration" => F::Duration,
        "proc.ppid.duration" => F::PpidDuration,
        "proc.pid.ts" => F::PidTs,
        "proc.ppid.ts" => F::PpidTs,
        "proc.is_exe_writable" => F::IsExeWritable,
        "proc.is_exe_upper_layer" => F::IsExeUpperLayer,
        "proc.is_exe_lower_layer" => F::IsExeLowerLayer,
        "proc.is_exe_from_memfd" => F::IsExeFromMemfd,
        "proc.is_sid_leader" => F::IsLeader(Group::Sid),
        "proc.is_vpgid_leader" => F::IsLeader(Group::Vpgid),
        "proc.is_pgid_leader" => F::IsLeader(Group::Pgid),
        "proc.exe_ino" => F::ExeIno,
        "proc.exe_ino.ctime" => F::ExeInoCtime,
        "proc.exe_ino.mtime" => F::ExeInoMtime,
        "proc.exe_ino.ctime_duration_proc_start" => F::ExeInoCtimeDurationProcStart,
        "proc.exe_ino.ctime_duration_pidns_start" => F::ExeInoCtimeDurationPidnsStart,
        "proc.pidns_init_start_ts" => F::PidnsInitStartTs,
        "thread.cap_permitted" => F::CapPermitted,
        "thread.cap_inheritable" => F::CapInheritable,
        "thread.cap_effective" => F::CapEffective,
        "proc.fdopencount" => F::FdOpenCount,
        "proc.fdlimit" => F::FdLimit,
        "proc.fdusage" => F::FdUsage,
        "proc.vmsize" | "thread.vmsize" => F::VmSize,
        "proc.vmrss" | "thread.vmrss" => F::VmRss,
        "proc.vmswap" => F::VmSwap,
        "thread.pfmajor" => F::PfMajor,
        "thread.pfminor" => F::PfMinor,
        "thread.ismain" => F::IsMain,
        "thread.cgroups" => F::Cgroups,
        "thread.cgroup" => F::Cgroup,
        "proc.nthreads" => F::Nthreads,
        "proc.nchilds" => F::Nchilds,
        "proc.cmdnargs" => F::CmdNargs,
        "proc.cmdlenargs" => F::CmdLenArgs,
        "proc.stdin.type" => F::StdType(0),
        "proc.stdout.type" => F::StdType(1),
        "proc.stderr.type" => F::StdType(2),
        "proc.stdin.name" => F::StdName(0),
        "proc.stdout.name" => F::StdName(1),
        "proc.stderr.name" => F::StdName(2),
        "thread.vmsize.b" => F::VmSizeBytes,
        "thread.vmrss.b" => F::VmRssBytes,
        _ => return Err(FieldError::NotImplemented(info.name.into())),
    })
}

/// Writes `attr` of `t` into the open string.
fn write_attr(t: &Thread, attr: Attr, out: &mut Values) {
    match attr {
        Attr::Exe => out.extend(&t.exe),
        Attr::Exepath => out.extend(&t.exepath),
        Attr::Name => out.extend(&t.comm),
        Attr::Cmdline => {
            out.extend(&t.comm);
            for a in t.args_iter() {
                out.push_byte(b' ');
                out.extend(a);
            }
        }
        Attr::Args => {
            for (i, a) in t.args_iter().enumerate() {
                if i > 0 {
                    out.push_byte(b' ');
                }
                out.extend(a);
            }
        }
    }
}

fn push_attr(t: &Thread, attr: Attr, out: &mut Values) {
    out.begin_str();
    write_attr(t, attr, out);
    out.end_str();
}

/// The parent chain of `t` as libsinsp's `traverse_parent_state` walks
/// it: from the thread `t.ptid` upwards, stopping on loops.
pub(crate) fn for_each_ancestor<'a>(
    state: &'a State,
    t: &'a Thread,
    mut f: impl FnMut(&'a Thread) -> bool,
) {
    let find = |tid: i64| state.threads.get(tid);
    let mut slow = find(t.ptid);
    let mut fast = slow.and_then(|s| find(s.ptid));
    while let Some(s) = slow {
        if s.tid == -1 || !f(s) {
            break;
        }
        slow = find(s.ptid);
        for _ in 0..2 {
            fast = fast.and_then(|x| find(x.ptid));
            if let Some(sl) = slow
                && (fast.is_some_and(|fa| std::ptr::eq(fa, sl)) || sl.tid == sl.ptid)
            {
                return;
            }
        }
    }
}

/// libsinsp `get_ancestor_process(t, n)`: main thread, then `n` times the
/// main thread of the parent.
pub(crate) fn ancestor<'a>(state: &'a State, t: &'a Thread, n: u32) -> Option<&'a Thread> {
    let mut mt = main_thread(state, t)?;
    for _ in 0..n {
        let p = state.threads.get(mt.ptid)?;
        mt = main_thread(state, p)?;
    }
    Some(mt)
}

/// The main thread of `t`'s process, if known.
pub(crate) fn main_thread<'a>(state: &'a State, t: &'a Thread) -> Option<&'a Thread> {
    if t.is_main() {
        Some(t)
    } else {
        state.threads.get(t.pid)
    }
}

fn group_id(t: &Thread, g: Group) -> i64 {
    match g {
        Group::Sid => t.sid,
        Group::Vpgid => t.vpgid,
        Group::Pgid => t.pgid,
    }
}

/// The oldest ancestor (or `t` itself) still in `t`'s session / group.
fn group_leader<'a>(state: &'a State, t: &'a Thread, g: Group) -> Option<&'a Thread> {
    let id = group_id(t, g);
    let mut leader = (group_id(t, g) == id).then_some(t);
    for_each_ancestor(state, t, |p| {
        if group_id(p, g) != id {
            return false;
        }
        leader = Some(p);
        true
    });
    leader
}

fn caps(out: &mut Values, v: u64) {
    out.begin_str();
    let mut first = true;
    for (i, name) in CAPS.iter().enumerate() {
        if v & (1u64 << i) != 0 {
            if !first {
                out.push_byte(b' ');
            }
            out.extend(name.as_bytes());
            first = false;
        }
    }
    out.end_str();
}

pub(super) fn extract(f: F, arg: &Arg, cx: &EvalCtx<'_>, out: &mut Values) -> bool {
    let st = cx.state;
    if let F::Tid = f {
        out.push_i64(cx.event.tid() as i64);
        return true;
    }
    let Some(t) = cx.thread else {
        return false;
    };
    match f {
        F::Tid => unreachable_tid(),
        F::Pid => out.push_i64(t.pid),
        F::Ppid => match ancestor(st, t, 1) {
            Some(p) => out.push_i64(p.pid),
            None => return false,
        },
        // -1: not known (libsinsp gives no value)
        F::Vtid if t.vtid == -1 => return false,
        F::Vpid if t.vpid == -1 => return false,
        F::Vtid => out.push_i64(t.vtid),
        F::Vpid => out.push_i64(t.vpid),
        F::Pvpid => match ancestor(st, t, 1) {
            Some(p) => out.push_i64(p.vpid),
            None => return false,
        },
        F::Sid => out.push_i64(t.sid),
        F::Vpgid => out.push_i64(t.vpgid),
        F::Pgid => out.push_i64(t.pgid),
        F::SelfAttr(Attr::Args) => match arg {
            Arg::Index(i) => match t.args_iter().nth(*i as usize) {
                Some(a) => out.push_str(a),
                None => out.push_str(b""),
            },
            _ => push_attr(t, Attr::Args, out),
        },
        F::SelfAttr(a) => push_attr(t, a, out),
        F::Parent(a) => match ancestor(st, t, 1) {
            Some(p) => push_attr(p, a, out),
            None => return false,
        },
        F::Ancestor(a) => match arg {
            Arg::Index(n) => match ancestor(st, t, *n) {
                Some(p) => push_attr(p, a, out),
                None => return false,
            },
            _ => {
                let Some(mt) = main_thread(st, t) else {
                    return false;
                };
                out.begin_str();
                let mut first = true;
                for_each_ancestor(st, mt, |p| {
                    if !first {
                        out.push_byte(b' ');
                    }
                    write_attr(p, a, out);
                    first = false;
                    true
                });
                if out.open_len() == 0 {
                    out.abandon_str();
                    return false;
                }
                out.end_str();
            }
        },
        F::Apid => match arg {
            Arg::Index(n) => match ancestor(st, t, *n) {
                Some(p) => out.push_i64(p.pid),
                None => return false,
            },
            _ => {
                let Some(mt) = main_thread(st, t) else {
                    return false;
                };
                out.begin_str();
                let mut first = true;
                for_each_ancestor(st, mt, |p| {
                    if !first {
                        out.push_byte(b' ');
                    }
                    let _ = write!(out, "{}", p.pid);
                    first = false;
                    true
                });
                out.end_str();
            }
        },
        F::Leader(g, a) => {
            out.begin_str();
            if let Some(l) = group_leader(st, t, g) {
                write_attr(l, a, out);
            }
            out.end_str();
        }
        F::Exeline => {
            out.begin_str();
            out.extend(&t.exe);
            out.push_byte(b' ');
            write_attr(t, Attr::Args, out);
            out.end_str();
        }
        F::Env => {
            let mt = main_thread(st, t).unwrap_or(t);
            match arg {
                Arg::Key(k) => match mt.env_var(k.as_bytes()) {
                    Some(v) => out.push_str(v),
                    None => out.push_str(b""),
                },
                _ => {
                    out.begin_str();
                    for (i, e) in mt.env_iter().enumerate() {
                        if i > 0 {
                            out.push_byte(b' ');
                        }
                        out.extend(e);
                    }
                    out.end_str();
                }
            }
        }
        F::Aenv => {
            let Some(mt) = main_thread(st, t) else {
                return false;
            };
            match arg {
                Arg::Key(k) => {
                    let mut found: Option<&[u8]> = mt.env_var(k.as_bytes());
                    if found.is_none() {
                        for_each_ancestor(st, mt, |p| {
                            found = p.env_var(k.as_bytes());
                            found.is_none()
                        });
                    }
                    out.push_str(found.unwrap_or(b""));
                }
                Arg::Index(n) => match ancestor(st, t, *n) {
                    Some(p) => {
                        out.begin_str();
                        for (i, e) in p.env_iter().enumerate() {
                            if i > 0 {
                                out.push_byte(b' ');
                            }
                            out.extend(e);
                        }
                        out.end_str();
                    }
                    None => return false,
                },
                Arg::None => return false,
            }
        }
        F::Cwd => match main_thread(st, t) {
            Some(mt) => out.push_str(&mt.cwd),
            None => out.push_str(b"./"),
        },
        F::Tty => out.push_u64(t.tty as u64),
        F::Loginshellid => {
            let Some(mt) = main_thread(st, t) else {
                return false;
            };
            let mut res: Option<i64> = None;
            let mut check = |p: &Thread| {
                if p.comm.ends_with(b"sh") {
                    res = Some(p.pid);
                }
                true
            };
            check(mt);
            for_each_ancestor(st, mt, check);
            match res {
                Some(v) => out.push_i64(v),
                None => return false,
            }
        }
        F::Duration => {
            if t.clone_ts == 0 {
                return false;
            }
            out.push_u64(cx.event.ts().saturating_sub(t.clone_ts))
        }
        F::PpidDuration => match ancestor(st, t, 1) {
            Some(p) if p.clone_ts != 0 => out.push_u64(cx.event.ts().saturating_sub(p.clone_ts)),
            _ => return false,
        },
        F::PidTs => out.push_u64(t.clone_ts),
        F::PpidTs => match ancestor(st, t, 1) {
            Some(p) => out.push_u64(p.clone_ts),
            None => return false,
        },
        F::IsExeWritable => out.push_bool(t.exe_writable),
        F::IsExeUpperLayer => out.push_bool(t.exe_upper_layer),
        F::IsExeLowerLayer => out.push_bool(t.exe_lower_layer),
        F::IsExeFromMemfd => out.push_bool(t.exe_from_memfd),
        F::IsLeader(g) => {
            let id = group_id(t, g);
            let v = match g {
                Group::Sid | Group::Pgid => id == t.pid,
                Group::Vpgid => id == t.vpid,
            };
            out.push_bool(v)
        }
        F::ExeIno => out.push_i64(t.exe_ino as i64),
        F::ExeInoCtime => out.push_u64(t.exe_ino_ctime),
        F::ExeInoMtime => out.push_u64(t.exe_ino_mtime),
        F::ExeInoCtimeDurationProcStart => {
            if t.exe_ino_ctime == 0 || t.clone_ts == 0 {
                return false;
            }
            out.push_u64(t.clone_ts.wrapping_sub(t.exe_ino_ctime))
        }
        F::ExeInoCtimeDurationPidnsStart => {
            if t.pidns_init_start_ts == 0 || t.exe_ino_ctime <= t.pidns_init_start_ts {
                return false;
            }
            out.push_u64(t.exe_ino_ctime - t.pidns_init_start_ts)
        }
        F::PidnsInitStartTs => out.push_u64(t.pidns_init_start_ts),
        F::CapPermitted => caps(out, t.cap_permitted),
        F::CapInheritable => caps(out, t.cap_inheritable),
        F::CapEffective => caps(out, t.cap_effective),
        F::FdOpenCount => out.push_u64(st.fdtable(t.fdtable).len() as u64),
        F::FdLimit => out.push_i64(main_thread(st, t).map_or(0, |m| m.fdlimit)),
        F::FdUsage => {
            if t.fdlimit <= 0 {
                return false;
            }
            out.push_double(st.fdtable(t.fdtable).len() as f64 * 100.0 / t.fdlimit as f64)
        }
        F::VmSize => out.push_u64(t.vmsize_kb as u64),
        F::VmRss => out.push_u64(t.vmrss_kb as u64),
        F::VmSwap => out.push_u64(t.vmswap_kb as u64),
        F::PfMajor => out.push_u64(t.pfmajor),
        F::PfMinor => out.push_u64(t.pfminor),
        F::IsMain => out.push_bool(t.is_main()),
        F::Cgroups => {
            out.begin_str();
            for (i, c) in t.cgroups_iter().enumerate() {
                if i > 0 {
                    out.push_byte(b' ');
                }
                out.extend(c);
            }
            out.end_str();
        }
        F::Cgroup => {
            let Arg::Key(k) = arg else { return false };
            let found = t.cgroups_iter().find_map(|c| {
                let (sub, path) = split_once(c, b'=')?;
                (sub == k.as_bytes()).then_some(path)
            });
            match found {
                Some(p) => out.push_str(p),
                None => return false,
            }
        }
        // A thread of an unknown process (pid -1) has no thread group.
        F::Nthreads | F::Nchilds if t.pid <= 0 => out.push_u64(0),
        F::Nthreads => {
            let n = st
                .threads
                .iter()
                .filter(|x| x.pid == t.pid && !x.dead)
                .count();
            out.push_u64(n as u64)
        }
        F::Nchilds => {
            let n = st
                .threads
                .iter()
                .filter(|x| x.pid == t.pid && !x.is_main() && !x.dead)
                .count();
            out.push_u64(n as u64)
        }
        F::StdType(fd) => match st.fd(t, fd) {
            Some(f) => out.push_str(f.ty.as_str().as_bytes()),
            None => return false,
        },
        F::StdName(fd) => match st.fd(t, fd) {
            Some(f) => out.push_str(&f.name),
            None => return false,
        },
        F::VmSizeBytes => out.push_u64(t.vmsize_kb as u64 * 1024),
        F::VmRssBytes => out.push_u64(t.vmrss_kb as u64 * 1024),
        F::CmdNargs => out.push_u64(t.args_iter().count() as u64),
        F::CmdLenArgs => out.push_u64(t.args_iter().map(|a| a.len() as u64).sum()),
    }
    let _ = (
        ArgKind::Index,
        ArgRule::NONE,
        Display::Na,
        FieldClass::Thread,
    );
    let _ = (FieldFlags::NONE, FieldType::Bool);
    true
}

#[inline]
fn unreachable_tid() {}

fn split_once(b: &[u8], sep: u8) -> Option<(&[u8], &[u8])> {
    let p = b.iter().position(|&c| c == sep)?;
    Some((&b[..p], &b[p + 1..]))
}
