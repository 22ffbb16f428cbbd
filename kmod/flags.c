// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel flag values -> the flag values of the event schema (upstream's
 * PPM_* encodings, which sinsp and the rules interpret).
 */
#include <linux/fcntl.h>
#include <linux/sched.h>
#include <linux/mman.h>
#include <linux/mount.h>
#include <uapi/linux/mount.h>
#include <linux/fs.h>
#include <linux/net.h>
#include <linux/ptrace.h>
#include <uapi/linux/memfd.h>
#include <uapi/linux/openat2.h>
#include "falcon.h"

struct flag_map {
	unsigned long kernel;
	u32 abi;
};

static u32 map_flags(const struct flag_map *m, size_t n, unsigned long v)
{
	u32 res = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (v & m[i].kernel)
			res |= m[i].abi;
	return res;
}

static const struct flag_map open_map[] = {
	{ O_CREAT, 1 << 2 },	{ O_APPEND, 1 << 3 },	{ O_DSYNC, 1 << 4 },
	{ O_EXCL, 1 << 5 },	{ O_NONBLOCK, 1 << 6 },	{ __O_SYNC, 1 << 7 },
	{ O_TRUNC, 1 << 8 },	{ O_DIRECT, 1 << 9 },	{ O_DIRECTORY, 1 << 10 },
	{ O_LARGEFILE, 1 << 11 }, { O_CLOEXEC, 1 << 12 },
	{ __O_TMPFILE, 1 << 13 },
};

u32 falcon_open_flags(unsigned long flags)
{
	u32 res;

	switch (flags & O_ACCMODE) {
	case O_WRONLY:
		res = 1 << 1;
		break;
	case O_RDWR:
		res = (1 << 0) | (1 << 1);
		break;
	default:
		res = 1 << 0;
	}
	return res | map_flags(open_map, ARRAY_SIZE(open_map), flags);
}

/* PPM_S_* use the POSIX permission bit positions. */
u32 falcon_mode(unsigned long mode)
{
	return mode & 07777;
}

static const struct flag_map clone_map[] = {
	{ CLONE_FILES, 1 << 0 },	{ CLONE_FS, 1 << 1 },
	{ CLONE_IO, 1 << 2 },		{ CLONE_NEWIPC, 1 << 3 },
	{ CLONE_NEWNET, 1 << 4 },	{ CLONE_NEWNS, 1 << 5 },
	{ CLONE_NEWPID, 1 << 6 },	{ CLONE_NEWUTS, 1 << 7 },
	{ CLONE_PARENT, 1 << 8 },	{ CLONE_PARENT_SETTID, 1 << 9 },
	{ CLONE_PTRACE, 1 << 10 },	{ CLONE_SIGHAND, 1 << 11 },
	{ CLONE_SYSVSEM, 1 << 12 },	{ CLONE_THREAD, 1 << 13 },
	{ CLONE_UNTRACED, 1 << 14 },	{ CLONE_VM, 1 << 15 },
	{ CLONE_NEWUSER, 1 << 20 },	{ CLONE_CHILD_CLEARTID, 1 << 23 },
	{ CLONE_CHILD_SETTID, 1 << 24 }, { CLONE_SETTLS, 1 << 25 },
	{ CLONE_VFORK, 1 << 27 },	{ CLONE_NEWCGROUP, 1 << 28 },
};

u32 falcon_clone_flags(unsigned long flags)
{
	return map_flags(clone_map, ARRAY_SIZE(clone_map), flags);
}

static const struct flag_map prot_map[] = {
	{ PROT_READ, 1 << 0 },	{ PROT_WRITE, 1 << 1 },	{ PROT_EXEC, 1 << 2 },
	{ PROT_SEM, 1 << 3 },	{ PROT_GROWSDOWN, 1 << 4 },
	{ PROT_GROWSUP, 1 << 5 },
};

u32 falcon_prot_flags(unsigned long prot)
{
	return map_flags(prot_map, ARRAY_SIZE(prot_map), prot);
}

static const struct flag_map mmap_map[] = {
	{ MAP_SHARED, 1 << 0 },		{ MAP_PRIVATE, 1 << 1 },
	{ MAP_FIXED, 1 << 2 },		{ MAP_ANONYMOUS, 1 << 3 },
	{ MAP_32BIT, 1 << 4 },		{ MAP_NORESERVE, 1 << 6 },
	{ MAP_POPULATE, 1 << 7 },	{ MAP_NONBLOCK, 1 << 8 },
	{ MAP_GROWSDOWN, 1 << 9 },	{ MAP_DENYWRITE, 1 << 10 },
	{ MAP_EXECUTABLE, 1 << 11 },	{ MAP_LOCKED, 1 << 14 },
};

u32 falcon_mmap_flags(unsigned long flags)
{
	return map_flags(mmap_map, ARRAY_SIZE(mmap_map), flags);
}

/* PPM_MS_* follow the MS_* bit positions; only known bits are kept. */
u32 falcon_mount_flags(unsigned long flags)
{
	return flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC |
			MS_SYNCHRONOUS | MS_REMOUNT | MS_MANDLOCK |
			MS_DIRSYNC | MS_NOATIME | MS_NODIRATIME | MS_BIND |
			MS_MOVE | MS_REC | MS_SILENT | MS_POSIXACL |
			MS_UNBINDABLE | MS_PRIVATE | MS_SLAVE | MS_SHARED |
			MS_RELATIME | MS_KERNMOUNT | MS_I_VERSION |
			MS_STRICTATIME | MS_LAZYTIME | MS_NOSEC | MS_BORN |
			MS_ACTIVE | MS_NOUSER);
}

u32 falcon_umount_flags(unsigned long flags)
{
	return flags & (MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW);
}

/* unlinkat/linkat flags: PPM_AT_* are the AT_* values. */
u32 falcon_at_flags(unsigned long flags)
{
	return flags & (AT_REMOVEDIR | AT_SYMLINK_FOLLOW | AT_EMPTY_PATH);
}

u32 falcon_rename_flags(unsigned long flags)
{
	return flags & (RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT);
}

static const struct flag_map resolve_map[] = {
	{ RESOLVE_BENEATH, 1 << 0 },	{ RESOLVE_IN_ROOT, 1 << 1 },
	{ RESOLVE_NO_MAGICLINKS, 1 << 2 }, { RESOLVE_NO_SYMLINKS, 1 << 3 },
	{ RESOLVE_NO_XDEV, 1 << 4 },
#ifdef RESOLVE_CACHED
	{ RESOLVE_CACHED, 1 << 5 },
#endif
};

u32 falcon_resolve_flags(unsigned long flags)
{
	return map_flags(resolve_map, ARRAY_SIZE(resolve_map), flags);
}

static const struct flag_map ptrace_map[] = {
	{ PTRACE_TRACEME, 1 },		{ PTRACE_PEEKTEXT, 2 },
	{ PTRACE_PEEKDATA, 3 },		{ PTRACE_PEEKUSR, 4 },
	{ PTRACE_POKETEXT, 5 },		{ PTRACE_POKEDATA, 6 },
	{ PTRACE_POKEUSR, 7 },		{ PTRACE_CONT, 8 },
	{ PTRACE_KILL, 9 },		{ PTRACE_SINGLESTEP, 10 },
	{ PTRACE_ATTACH, 11 },		{ PTRACE_DETACH, 12 },
	{ PTRACE_SYSCALL, 13 },		{ PTRACE_SETOPTIONS, 14 },
	{ PTRACE_GETEVENTMSG, 15 },	{ PTRACE_GETSIGINFO, 16 },
	{ PTRACE_SETSIGINFO, 17 },	{ PTRACE_GETREGSET, 18 },
	{ PTRACE_SETREGSET, 19 },	{ PTRACE_SEIZE, 20 },
	{ PTRACE_INTERRUPT, 21 },	{ PTRACE_LISTEN, 22 },
	{ PTRACE_PEEKSIGINFO, 23 },	{ PTRACE_GETSIGMASK, 24 },
	{ PTRACE_SETSIGMASK, 25 },	{ PTRACE_GETREGS, 26 },
	{ PTRACE_SETREGS, 27 },		{ PTRACE_GETFPREGS, 28 },
	{ PTRACE_SETFPREGS, 29 },	{ PTRACE_GETFPXREGS, 30 },
	{ PTRACE_SETFPXREGS, 31 },	{ PTRACE_OLDSETOPTIONS, 32 },
	{ PTRACE_GET_THREAD_AREA, 33 },	{ PTRACE_SET_THREAD_AREA, 34 },
	{ PTRACE_ARCH_PRCTL, 35 },	{ PTRACE_SYSEMU, 36 },
	{ PTRACE_SYSEMU_SINGLESTEP, 37 }, { PTRACE_SINGLEBLOCK, 38 },
};

/* An enumeration, not a bit set: 0 (PPM_PTRACE_UNKNOWN) when unknown. */
u16 falcon_ptrace_request(long req)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ptrace_map); i++)
		if (ptrace_map[i].kernel == (unsigned long)req)
			return ptrace_map[i].abi;
	return 0;
}

/* socket() flags parameter: SOCK_NONBLOCK/SOCK_CLOEXEC as open flags. */
u32 falcon_socket_type_flags(unsigned long type)
{
	u32 res = 0;

	if (type & SOCK_NONBLOCK)
		res |= 1 << 6;
	if (type & SOCK_CLOEXEC)
		res |= 1 << 12;
	return res;
}

/* PPM_MFD_* are the MFD_* values. */
u32 falcon_memfd_flags(unsigned long flags)
{
	return flags & (MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB);
}
