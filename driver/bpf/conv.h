/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Syscall arguments and the conversions from Linux flag values to the
 * scap encodings (PPM_*) that the event parameters carry.
 */
#ifndef FALCON_BPF_CONV_H
#define FALCON_BPF_CONV_H

/* x86_64 syscall argument `i` from the saved user registers. */
static __always_inline __u64 sc_arg(struct pt_regs *regs, int i)
{
	switch (i) {
	case 0:
		return BPF_CORE_READ(regs, di);
	case 1:
		return BPF_CORE_READ(regs, si);
	case 2:
		return BPF_CORE_READ(regs, dx);
	case 3:
		return BPF_CORE_READ(regs, r10);
	case 4:
		return BPF_CORE_READ(regs, r8);
	case 5:
		return BPF_CORE_READ(regs, r9);
	}
	return 0;
}

/* Linux open(2) flags on x86_64. */
#define L_O_WRONLY 01
#define L_O_RDWR 02
#define L_O_CREAT 0100
#define L_O_EXCL 0200
#define L_O_TRUNC 01000
#define L_O_APPEND 02000
#define L_O_NONBLOCK 04000
#define L_O_DSYNC 010000
#define L_O_DIRECT 040000
#define L_O_LARGEFILE 0100000
#define L_O_DIRECTORY 0200000
#define L_O_CLOEXEC 02000000
#define L_O_SYNC 04010000
#define L_O_TMPFILE 020000000

#define PPM_O_RDONLY (1 << 0)
#define PPM_O_WRONLY (1 << 1)
#define PPM_O_RDWR (PPM_O_RDONLY | PPM_O_WRONLY)
#define PPM_O_CREAT (1 << 2)
#define PPM_O_APPEND (1 << 3)
#define PPM_O_DSYNC (1 << 4)
#define PPM_O_EXCL (1 << 5)
#define PPM_O_NONBLOCK (1 << 6)
#define PPM_O_SYNC (1 << 7)
#define PPM_O_TRUNC (1 << 8)
#define PPM_O_DIRECT (1 << 9)
#define PPM_O_DIRECTORY (1 << 10)
#define PPM_O_LARGEFILE (1 << 11)
#define PPM_O_CLOEXEC (1 << 12)
#define PPM_O_TMPFILE (1 << 13)

static __always_inline __u32 open_flags(__u64 f)
{
	__u32 r;

	if (f & L_O_RDWR)
		r = PPM_O_RDWR;
	else if (f & L_O_WRONLY)
		r = PPM_O_WRONLY;
	else
		r = PPM_O_RDONLY;
	if (f & L_O_CREAT)
		r |= PPM_O_CREAT;
	if (f & L_O_APPEND)
		r |= PPM_O_APPEND;
	if (f & L_O_DSYNC)
		r |= PPM_O_DSYNC;
	if (f & L_O_EXCL)
		r |= PPM_O_EXCL;
	if (f & L_O_NONBLOCK)
		r |= PPM_O_NONBLOCK;
	if ((f & L_O_SYNC) == L_O_SYNC)
		r |= PPM_O_SYNC;
	if (f & L_O_TRUNC)
		r |= PPM_O_TRUNC;
	if (f & L_O_DIRECT)
		r |= PPM_O_DIRECT;
	if (f & L_O_DIRECTORY)
		r |= PPM_O_DIRECTORY;
	if (f & L_O_LARGEFILE)
		r |= PPM_O_LARGEFILE;
	if (f & L_O_CLOEXEC)
		r |= PPM_O_CLOEXEC;
	if (f & L_O_TMPFILE)
		r |= PPM_O_TMPFILE;
	return r;
}

/* The mode only matters (and is only reported) when a file is created. */
static __always_inline __u32 open_mode(__u64 flags, __u64 mode)
{
	if (flags & (L_O_CREAT | L_O_TMPFILE))
		return mode & 07777;
	return 0;
}

/* clone(2) / unshare(2) / setns(2) flags -> PPM_CL_*. */
static __always_inline __u32 clone_flags(__u64 f)
{
	__u32 r = 0;

	if (f & 0x400)
		r |= 1 << 0;	/* FILES */
	if (f & 0x200)
		r |= 1 << 1;	/* FS */
	if (f & 0x80000000ULL)
		r |= 1 << 2;	/* IO */
	if (f & 0x8000000)
		r |= 1 << 3;	/* NEWIPC */
	if (f & 0x40000000)
		r |= 1 << 4;	/* NEWNET */
	if (f & 0x20000)
		r |= 1 << 5;	/* NEWNS */
	if (f & 0x20000000)
		r |= 1 << 6;	/* NEWPID */
	if (f & 0x4000000)
		r |= 1 << 7;	/* NEWUTS */
	if (f & 0x8000)
		r |= 1 << 8;	/* PARENT */
	if (f & 0x100000)
		r |= 1 << 9;	/* PARENT_SETTID */
	if (f & 0x2000)
		r |= 1 << 10;	/* PTRACE */
	if (f & 0x800)
		r |= 1 << 11;	/* SIGHAND */
	if (f & 0x40000)
		r |= 1 << 12;	/* SYSVSEM */
	if (f & 0x10000)
		r |= 1 << 13;	/* THREAD */
	if (f & 0x800000)
		r |= 1 << 14;	/* UNTRACED */
	if (f & 0x100)
		r |= 1 << 15;	/* VM */
	if (f & 0x10000000)
		r |= 1 << 20;	/* NEWUSER */
	if (f & 0x200000)
		r |= 1 << 23;	/* CHILD_CLEARTID */
	if (f & 0x1000000)
		r |= 1 << 24;	/* CHILD_SETTID */
	if (f & 0x80000)
		r |= 1 << 25;	/* SETTLS */
	if (f & 0x4000)
		r |= 1 << 27;	/* VFORK */
	if (f & 0x2000000)
		r |= 1 << 28;	/* NEWCGROUP */
	return r;
}

/* ptrace(2) request -> PPM_PTRACE_*. */
static __always_inline __u16 ptrace_req(__u64 req)
{
	switch (req) {
	case 0: return 1;	/* TRACEME */
	case 1: return 2;	/* PEEKTEXT */
	case 2: return 3;	/* PEEKDATA */
	case 3: return 4;	/* PEEKUSR */
	case 4: return 5;	/* POKETEXT */
	case 5: return 6;	/* POKEDATA */
	case 6: return 7;	/* POKEUSR */
	case 7: return 8;	/* CONT */
	case 8: return 9;	/* KILL */
	case 9: return 10;	/* SINGLESTEP */
	case 12: return 26;	/* GETREGS */
	case 13: return 27;	/* SETREGS */
	case 14: return 28;	/* GETFPREGS */
	case 15: return 29;	/* SETFPREGS */
	case 16: return 11;	/* ATTACH */
	case 17: return 12;	/* DETACH */
	case 18: return 30;	/* GETFPXREGS */
	case 19: return 31;	/* SETFPXREGS */
	case 24: return 13;	/* SYSCALL */
	case 25: return 33;	/* GET_THREAD_AREA */
	case 26: return 34;	/* SET_THREAD_AREA */
	case 30: return 35;	/* ARCH_PRCTL */
	case 31: return 36;	/* SYSEMU */
	case 32: return 37;	/* SYSEMU_SINGLESTEP */
	case 33: return 38;	/* SINGLEBLOCK */
	case 0x4200: return 14;	/* SETOPTIONS */
	case 0x4201: return 15;	/* GETEVENTMSG */
	case 0x4202: return 16;	/* GETSIGINFO */
	case 0x4203: return 17;	/* SETSIGINFO */
	case 0x4204: return 18;	/* GETREGSET */
	case 0x4205: return 19;	/* SETREGSET */
	case 0x4206: return 20;	/* SEIZE */
	case 0x4207: return 21;	/* INTERRUPT */
	case 0x4208: return 22;	/* LISTEN */
	case 0x4209: return 23;	/* PEEKSIGINFO */
	case 0x420a: return 24;	/* GETSIGMASK */
	case 0x420b: return 25;	/* SETSIGMASK */
	}
	return 0;
}

/* fcntl(2) command -> PPM_FCNTL_*. */
static __always_inline __u8 fcntl_cmd(__u64 cmd)
{
	switch (cmd) {
	case 0: return 1;	/* F_DUPFD */
	case 1: return 2;	/* F_GETFD */
	case 2: return 3;	/* F_SETFD */
	case 3: return 4;	/* F_GETFL */
	case 4: return 5;	/* F_SETFL */
	case 5: return 6;	/* F_GETLK */
	case 6: return 8;	/* F_SETLK */
	case 7: return 9;	/* F_SETLKW */
	case 8: return 10;	/* F_SETOWN */
	case 9: return 12;	/* F_GETOWN */
	case 10: return 13;	/* F_SETSIG */
	case 11: return 15;	/* F_GETSIG */
	case 15: return 21;	/* F_SETOWN_EX */
	case 16: return 22;	/* F_GETOWN_EX */
	case 1024: return 23;	/* F_SETLEASE */
	case 1025: return 24;	/* F_GETLEASE */
	case 1029: return 25;	/* F_CANCELLK */
	case 1030: return 26;	/* F_DUPFD_CLOEXEC */
	case 1026: return 27;	/* F_NOTIFY */
	case 1031: return 28;	/* F_SETPIPE_SZ */
	case 1032: return 29;	/* F_GETPIPE_SZ */
	case 36: return 30;	/* F_OFD_GETLK */
	case 37: return 31;	/* F_OFD_SETLK */
	case 38: return 32;	/* F_OFD_SETLKW */
	}
	return 0;
}

/* mmap(2) flags -> PPM_MAP_* (the bits whose scap value is certain). */
static __always_inline __u32 mmap_flags(__u64 f)
{
	__u32 r = 0;

	if (f & 0x01)
		r |= 1 << 0;	/* SHARED */
	if (f & 0x02)
		r |= 1 << 1;	/* PRIVATE */
	if (f & 0x10)
		r |= 1 << 2;	/* FIXED */
	if (f & 0x20)
		r |= 1 << 3;	/* ANONYMOUS */
	if (f & 0x40)
		r |= 1 << 4;	/* 32BIT */
	if (f & 0x4000)
		r |= 1 << 6;	/* NORESERVE */
	if (f & 0x8000)
		r |= 1 << 7;	/* POPULATE */
	return r;
}

/* mmap/mprotect prot: PROT_READ/WRITE/EXEC/SEM keep their bit values. */
static __always_inline __u32 prot_flags(__u64 p)
{
	return p & 0xf;
}

/* mount(2) flags: drop the historic magic in the top half. */
static __always_inline __u32 mount_flags(__u64 f)
{
	if ((f & 0xffff0000) == 0xc0ed0000)
		f &= 0xffff;
	return f;
}

#endif /* FALCON_BPF_CONV_H */
