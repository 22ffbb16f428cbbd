// SPDX-License-Identifier: GPL-2.0-only
/*
 * The parameters of each syscall event, in the order of falcon_events.def.
 *
 * Exit events carry the return value first, then the syscall's arguments
 * (current exit-only schema). A syscall with a dedicated event but no
 * filler here still gets its event: the return value, the other
 * parameters empty ("not available"). Syscalls without a dedicated event
 * produce the generic event (ID, nativeID).
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/uio.h>
#include <linux/fcntl.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/mm.h>
#include <linux/net.h>
#include <linux/prctl.h>
#include <linux/uaccess.h>
#include <net/sock.h>
#include <uapi/linux/openat2.h>
#include "falcon.h"

#define PATH_MAX_LEN FALCON_MAX_PATH_SIZE
#define MAX_IOVS 32

static inline s64 arg_fd(unsigned long a)
{
	return (s64)(int)a;
}

static inline void fe_upath(struct falcon_evt *ev, unsigned long a)
{
	fe_user_str(ev, (const char __user *)a, PATH_MAX_LEN);
}

static void fe_dev_ino(struct falcon_evt *ev, long fd)
{
	struct file *f = fd >= 0 ? fget(fd) : NULL;
	struct inode *inode;

	if (!f) {
		fe_u32(ev, 0);
		fe_u64(ev, 0);
		return;
	}
	inode = file_inode(f);
	fe_u32(ev, new_encode_dev(inode->i_sb->s_dev));
	fe_u64(ev, inode->i_ino);
	fput(f);
}

static u32 snap(long ret)
{
	u32 n = ret > 0 ? ret : 0;

	return min_t(u32, n, READ_ONCE(falcon_cfg.snaplen));
}

/* Up to len bytes gathered from a user iovec array. */
static void fe_iov_data(struct falcon_evt *ev, unsigned long uiov,
			unsigned long iovcnt, u32 len, u64 *total)
{
	struct iovec iov[MAX_IOVS];
	u32 i, n, copied = 0, room;
	u8 *dst;

	*total = 0;
	if (iovcnt > MAX_IOVS)
		iovcnt = MAX_IOVS;
	if (!uiov || !iovcnt ||
	    copy_from_user_nofault(iov, (const void __user *)uiov,
				   iovcnt * sizeof(iov[0]))) {
		fe_empty(ev);
		return;
	}
	for (i = 0; i < iovcnt; i++)
		*total += iov[i].iov_len;
	dst = fe_reserve(ev, len);
	if (!dst)
		return;
	room = len;
	for (i = 0; i < iovcnt && copied < room; i++) {
		n = min_t(u64, iov[i].iov_len, room - copied);
		if (copy_from_user_nofault(dst + copied, iov[i].iov_base, n)) {
			ev->ring->info->n_drops_pf++;
			break;
		}
		copied += n;
	}
	fe_commit_param(ev, copied);
}

static u64 iov_total(unsigned long uiov, unsigned long iovcnt)
{
	struct iovec iov[MAX_IOVS];
	u64 total = 0;
	u32 i;

	if (iovcnt > MAX_IOVS)
		iovcnt = MAX_IOVS;
	if (!uiov || !iovcnt ||
	    copy_from_user_nofault(iov, (const void __user *)uiov,
				   iovcnt * sizeof(iov[0])))
		return 0;
	for (i = 0; i < iovcnt; i++)
		total += iov[i].iov_len;
	return total;
}

static void fe_open_how(struct falcon_evt *ev, const struct falcon_sc *sc,
			bool with_dev)
{
	struct open_how how = {};

	if (copy_from_user_nofault(&how, (const void __user *)sc->args[2],
				   sizeof(how)))
		memset(&how, 0, sizeof(how));
	fe_upath(ev, sc->args[1]);
	fe_u32(ev, falcon_open_flags(how.flags));
	fe_u32(ev, (how.flags & (O_CREAT | __O_TMPFILE)) ?
		   falcon_mode(how.mode) : 0);
	fe_u32(ev, falcon_resolve_flags(how.resolve));
	if (with_dev)
		fe_dev_ino(ev, sc->ret);
}

static u32 open_mode(unsigned long flags, unsigned long mode)
{
	return (flags & (O_CREAT | __O_TMPFILE)) ? falcon_mode(mode) : 0;
}

static void fe_listen_queue(struct falcon_evt *ev, int fd)
{
	struct socket *sock;
	u32 len = 0, max = 0;
	int err;

	sock = sockfd_lookup(fd, &err);
	if (sock) {
		if (sock->sk) {
			len = READ_ONCE(sock->sk->sk_ack_backlog);
			max = READ_ONCE(sock->sk->sk_max_ack_backlog);
		}
		sockfd_put(sock);
	}
	fe_u8(ev, max ? len * 100 / max : 0);
	fe_u32(ev, len);
	fe_u32(ev, max);
}

static void fe_pipe(struct falcon_evt *ev, const struct falcon_sc *sc)
{
	int fds[2] = { -1, -1 };
	struct file *f;
	u64 ino = 0;

	if (sc->ret == 0 &&
	    copy_from_user_nofault(fds, (const void __user *)sc->args[0],
				   sizeof(fds))) {
		fds[0] = -1;
		fds[1] = -1;
	}
	fe_s64(ev, fds[0]);
	fe_s64(ev, fds[1]);
	f = fds[0] >= 0 ? fget(fds[0]) : NULL;
	if (f) {
		ino = file_inode(f)->i_ino;
		fput(f);
	}
	fe_u64(ev, ino);
}

static u8 fcntl_cmd(unsigned long cmd)
{
	switch (cmd) {
	case F_DUPFD: return 1;
	case F_GETFD: return 2;
	case F_SETFD: return 3;
	case F_GETFL: return 4;
	case F_SETFL: return 5;
	case F_GETLK: return 6;
	case F_SETLK: return 8;
	case F_SETLKW: return 9;
	case F_SETOWN: return 10;
	case F_GETOWN: return 12;
	case F_SETSIG: return 13;
	case F_GETSIG: return 15;
	case F_SETOWN_EX: return 21;
	case F_GETOWN_EX: return 22;
	case F_SETLEASE: return 23;
	case F_GETLEASE: return 24;
	case F_CANCELLK: return 25;
	case F_DUPFD_CLOEXEC: return 26;
	case F_NOTIFY: return 27;
	case F_SETPIPE_SZ: return 28;
	case F_GETPIPE_SZ: return 29;
	case F_OFD_GETLK: return 30;
	case F_OFD_SETLK: return 31;
	case F_OFD_SETLKW: return 32;
	default: return 0;
	}
}

/* ptrace's addr/data are DYN parameters: u8 variant 0 (u64), the value. */
static void fe_dyn_u64(struct falcon_evt *ev, u64 v)
{
	u8 buf[9];

	buf[0] = 0;
	memcpy(buf + 1, &v, 8);
	fe_bytes(ev, buf, sizeof(buf));
}

static void fe_mm_sizes(struct falcon_evt *ev)
{
	struct mm_struct *mm = current->mm;
	unsigned int sh = PAGE_SHIFT - 10;

	fe_u32(ev, mm ? mm->total_vm << sh : 0);
	fe_u32(ev, mm ? get_mm_rss(mm) << sh : 0);
	fe_u32(ev, mm ? get_mm_counter(mm, MM_SWAPENTS) << sh : 0);
}

static void fill_rw(struct falcon_evt *ev, const struct falcon_sc *sc)
{
	const unsigned long *a = sc->args;
	u64 total;

	switch (ev->type) {
	case PPME_SYSCALL_READ_X:
	case PPME_SYSCALL_WRITE_X:
		fe_s64(ev, sc->ret);
		fe_user_bytes(ev, (const void __user *)a[1], snap(sc->ret));
		fe_s64(ev, arg_fd(a[0]));
		fe_u32(ev, a[2]);
		break;
	case PPME_SYSCALL_PREAD_X:
	case PPME_SYSCALL_PWRITE_X:
		fe_s64(ev, sc->ret);
		fe_user_bytes(ev, (const void __user *)a[1], snap(sc->ret));
		fe_s64(ev, arg_fd(a[0]));
		fe_u32(ev, a[2]);
		fe_u64(ev, a[3]);
		break;
	case PPME_SYSCALL_READV_X:
	case PPME_SYSCALL_PREADV_X:
		fe_s64(ev, sc->ret);
		fe_u32(ev, iov_total(a[1], a[2]));
		fe_iov_data(ev, a[1], a[2], snap(sc->ret), &total);
		fe_s64(ev, arg_fd(a[0]));
		if (ev->type == PPME_SYSCALL_PREADV_X)
			fe_u64(ev, a[3]);
		break;
	case PPME_SYSCALL_WRITEV_X:
	case PPME_SYSCALL_PWRITEV_X:
		fe_s64(ev, sc->ret);
		fe_iov_data(ev, a[1], a[2], snap(sc->ret), &total);
		fe_s64(ev, arg_fd(a[0]));
		fe_u32(ev, total);
		if (ev->type == PPME_SYSCALL_PWRITEV_X)
			fe_u64(ev, a[3]);
		break;
	case PPME_SOCKET_SENDTO_X:
		fe_s64(ev, sc->ret);
		fe_user_bytes(ev, (const void __user *)a[1], snap(sc->ret));
		fe_s64(ev, arg_fd(a[0]));
		fe_u32(ev, a[2]);
		fe_tuple_fd(ev, a[0], false);
		break;
	case PPME_SOCKET_RECVFROM_X:
		fe_s64(ev, sc->ret);
		fe_user_bytes(ev, (const void __user *)a[1], snap(sc->ret));
		fe_tuple_fd(ev, a[0], true);
		fe_s64(ev, arg_fd(a[0]));
		fe_u32(ev, a[2]);
		break;
	}
}

/* Returns false when the event has no dedicated filler. */
static bool fill_files(struct falcon_evt *ev, const struct falcon_sc *sc)
{
	const unsigned long *a = sc->args;
	long ret = sc->ret;

	switch (ev->type) {
	case PPME_SYSCALL_OPEN_X:
		fe_s64(ev, ret);
		fe_upath(ev, a[0]);
		fe_u32(ev, falcon_open_flags(a[1]));
		fe_u32(ev, open_mode(a[1], a[2]));
		fe_dev_ino(ev, ret);
		break;
	case PPME_SYSCALL_OPENAT_2_X:
		fe_s64(ev, ret);
		fe_s64(ev, arg_fd(a[0]));
		fe_upath(ev, a[1]);
		fe_u32(ev, falcon_open_flags(a[2]));
		fe_u32(ev, open_mode(a[2], a[3]));
		fe_dev_ino(ev, ret);
		break;
	case PPME_SYSCALL_OPENAT2_X:
		fe_s64(ev, ret);
		fe_s64(ev, arg_fd(a[0]));
		fe_open_how(ev, sc, true);
		break;
	case PPME_SYSCALL_CREAT_X:
		fe_s64(ev, ret);
		fe_upath(ev, a[0]);
		fe_u32(ev, falcon_mode(a[1]));
		fe_dev_ino(ev, ret);
		fe_u16(ev, 0);
		break;
	case PPME_SYSCALL_CLOSE_X:
		fe_s64(ev, ret);
		fe_s64(ev, arg_fd(a[0]));
		break;
	case PPME_SYSCALL_DUP_1_X:
		fe_s64(ev, ret);
		fe_s64(ev, arg_fd(a[0]));
		break;
	case PPME_SYSCALL_DUP2_X:
		fe_s64(ev, ret);
		fe_s64(ev, arg_fd(a[0]));
		fe_s64(ev, arg_fd(a[1]));
		break;
	case PPME_SYSCALL_DUP3_X:
		fe_s64(ev, ret);
		fe_s64(ev, arg_fd(a[0]));
		fe_s64(ev, arg_fd(a[1]));
		fe_u32(ev, falcon_open_flags(a[2]) & ~1u);
		break;
	case PPME_SYSCALL_FCNTL_X:
		fe_s64(ev, ret);
		fe_s64(ev, arg_fd(a[0]));
		fe_u8(ev, fcntl_cmd(a[1]));
		fe_u64(ev, a[2]);
		break;
	case PPME_SYSCALL_UNLINK_2_X:
	case PPME_SYSCALL_RMDIR_2_X:
	case PPME_SYSCALL_CHDIR_X:
	case PPME_SYSCALL_CHROOT_X:
		fe_s64(ev, ret);
		fe_upath(ev, a[0]);
		break;
	case PPME_SYSCALL_FCHDIR_X:
		fe_s64(ev, ret);
		fe_s64(ev, arg_fd(a[0]));
		break;
	case PPME_SYSCALL_UNLINKAT_2_X:
		fe_s64(ev, ret);
		fe_s64(ev, arg_fd(a[0]));
		fe_upath(ev, a[1]);
		fe_u32(ev, falcon_at_flags(a[2]));
		break;
	case PPME_SYSCALL_MKDIR_2_X:
		fe_s64(ev, ret);
		fe_upath(ev, a[0]);
		fe_u32(ev, falcon_mode(a[1]));
		break;
	case PPME_SYSCALL_MKDIRAT_X:
		fe_s64(ev, ret);
		fe_s64(ev, arg_fd(a[0]));
		fe_upath(ev, a[1]);
		fe_u32(ev, falcon_mode(a[2]));
		break;
	case PPME_SYSCALL_RENAME_X:
	case PPME_SYSCALL_LINK_2_X:
		fe_s64(ev, ret);
		fe_upath(ev, a[0]);
		fe_upath(ev, a[1]);
		break;
	case PPME_SYSCALL_RENAMEAT_X:
	case PPME_SYSCALL_RENAMEAT2_X:
	case PPME_SYSCALL_LINKAT_2_X:
		fe_s64(ev, ret);
		fe_s64(ev, arg_fd(a[0]));
		fe_upath(ev, a[1]);
		fe_s64(ev, arg_fd(a[2]));
		fe_upath(ev, a[3]);
		if (ev->type == PPME_SYSCALL_RENAMEAT2_X)
			fe_u32(ev, falcon_rename_flags(a[4]));
		else if (ev->type == PPME_SYSCALL_LINKAT_2_X)
			fe_u32(ev, falcon_at_flags(a[4]));
		break;
	case PPME_SYSCALL_SYMLINK_X:
		fe_s64(ev, ret);
		fe_upath(ev, a[0]);
		fe_upath(ev, a[1]);
		break;
	case PPME_SYSCALL_SYMLINKAT_X:
		fe_s64(ev, ret);
		fe_upath(ev, a[0]);
		fe_s64(ev, arg_fd(a[1]));
		fe_upath(ev, a[2]);
		break;
	case PPME_SYSCALL_CHMOD_X:
		fe_s64(ev, ret);
		fe_upath(ev, a[0]);
		fe_u32(ev, falcon_mode(a[1]));
		break;
	case PPME_SYSCALL_FCHMOD_X:
		fe_s64(ev, ret);
		fe_s64(ev, arg_fd(a[0]));
		fe_u32(ev, falcon_mode(a[1]));
		break;
	case PPME_SYSCALL_FCHMODAT_X:
		fe_s64(ev, ret);
		fe_s64(ev, arg_fd(a[0]));
		fe_upath(ev, a[1]);
		fe_u32(ev, falcon_mode(a[2]));
		break;
	case PPME_SYSCALL_PIPE_X:
	case PPME_SYSCALL_PIPE2_X:
		fe_s64(ev, ret);
		fe_pipe(ev, sc);
		if (ev->type == PPME_SYSCALL_PIPE2_X)
			fe_u32(ev, falcon_open_flags(a[1]) & ~1u);
		break;
	case PPME_SYSCALL_MEMFD_CREATE_X:
		fe_s64(ev, ret);
		fe_user_str(ev, (const char __user *)a[0], 256);
		fe_u32(ev, falcon_memfd_flags(a[1]));
		break;
	case PPME_SYSCALL_MOUNT_X:
		fe_s64(ev, ret);
		fe_upath(ev, a[0]);
		fe_upath(ev, a[1]);
		fe_user_str(ev, (const char __user *)a[2], 256);
		fe_u32(ev, falcon_mount_flags(a[3]));
		break;
	case PPME_SYSCALL_UMOUNT2_X:
		fe_s64(ev, ret);
		fe_upath(ev, a[0]);
		fe_u32(ev, falcon_umount_flags(a[1]));
		break;
	default:
		return false;
	}
	return true;
}

static bool fill_net(struct falcon_evt *ev, const struct falcon_sc *sc)
{
	const unsigned long *a = sc->args;
	long ret = sc->ret;

	switch (ev->type) {
	case PPME_SOCKET_SOCKET_X:
		fe_s64(ev, ret);
		fe_u32(ev, a[0]);
		fe_u32(ev, a[1] & 0xf);
		fe_u32(ev, a[2]);
		fe_u32(ev, falcon_socket_type_flags(a[1]));
		break;
	case PPME_SOCKET_CONNECT_X:
		fe_s64(ev, ret);
		if (ret == 0 || ret == -EINPROGRESS)
			fe_tuple_fd(ev, a[0], false);
		else
			fe_empty(ev);
		fe_s64(ev, arg_fd(a[0]));
		fe_sockaddr_user(ev, (const void __user *)a[1], a[2]);
		break;
	case PPME_SOCKET_ACCEPT_5_X:
	case PPME_SOCKET_ACCEPT4_6_X:
		fe_s64(ev, ret);
		fe_tuple_fd(ev, ret, true);
		fe_listen_queue(ev, a[0]);
		if (ev->type == PPME_SOCKET_ACCEPT4_6_X)
			fe_u32(ev, falcon_socket_type_flags(a[3]));
		break;
	case PPME_SOCKET_BIND_X:
		fe_s64(ev, ret);
		fe_sockaddr_user(ev, (const void __user *)a[1], a[2]);
		fe_s64(ev, arg_fd(a[0]));
		break;
	case PPME_SOCKET_LISTEN_X:
		fe_s64(ev, ret);
		fe_s64(ev, arg_fd(a[0]));
		fe_u32(ev, a[1]);
		break;
	default:
		return false;
	}
	return true;
}

static bool fill_proc_misc(struct falcon_evt *ev, const struct falcon_sc *sc)
{
	const unsigned long *a = sc->args;
	long ret = sc->ret;

	switch (ev->type) {
	case PPME_SYSCALL_SETUID_X:
	case PPME_SYSCALL_SETGID_X:
		fe_s64(ev, ret);
		fe_u32(ev, a[0]);
		break;
	case PPME_SYSCALL_SETREUID_X:
	case PPME_SYSCALL_SETREGID_X:
		fe_s64(ev, ret);
		fe_u32(ev, a[0]);
		fe_u32(ev, a[1]);
		break;
	case PPME_SYSCALL_SETRESUID_X:
	case PPME_SYSCALL_SETRESGID_X:
		fe_s64(ev, ret);
		fe_u32(ev, a[0]);
		fe_u32(ev, a[1]);
		fe_u32(ev, a[2]);
		break;
	case PPME_SYSCALL_PTRACE_X:
		fe_s64(ev, ret);
		fe_dyn_u64(ev, a[2]);
		fe_dyn_u64(ev, a[3]);
		fe_u16(ev, falcon_ptrace_request(a[0]));
		fe_s64(ev, (s64)(int)a[1]);
		break;
	case PPME_SYSCALL_INIT_MODULE_X:
		fe_s64(ev, ret);
		fe_user_bytes(ev, (const void __user *)a[0],
			      min_t(u64, a[1], READ_ONCE(falcon_cfg.snaplen)));
		fe_u64(ev, a[1]);
		fe_user_str(ev, (const char __user *)a[2], PATH_MAX_LEN);
		break;
	case PPME_SYSCALL_FINIT_MODULE_X:
		fe_s64(ev, ret);
		fe_s64(ev, arg_fd(a[0]));
		fe_user_str(ev, (const char __user *)a[1], PATH_MAX_LEN);
		fe_u32(ev, a[2]);
		break;
	case PPME_SYSCALL_BPF_2_X:
		fe_s64(ev, ret);
		fe_u32(ev, a[0]);
		break;
	case PPME_SYSCALL_PRCTL_X:
		fe_s64(ev, ret);
		fe_u32(ev, a[0]);
		if (a[0] == PR_SET_NAME) {
			fe_user_str(ev, (const char __user *)a[1],
				    TASK_COMM_LEN);
			fe_empty(ev);
		} else {
			fe_empty(ev);
			fe_s64(ev, a[1]);
		}
		break;
	case PPME_SYSCALL_KILL_X:
	case PPME_SYSCALL_TKILL_X:
		fe_s64(ev, ret);
		fe_s64(ev, (s64)(int)a[0]);
		fe_u8(ev, a[1]);
		break;
	case PPME_SYSCALL_TGKILL_X:
		fe_s64(ev, ret);
		fe_s64(ev, (s64)(int)a[0]);
		fe_s64(ev, (s64)(int)a[1]);
		fe_u8(ev, a[2]);
		break;
	case PPME_SYSCALL_SETNS_X:
		fe_s64(ev, ret);
		fe_s64(ev, arg_fd(a[0]));
		fe_u32(ev, falcon_clone_flags(a[1]));
		break;
	case PPME_SYSCALL_UNSHARE_X:
		fe_s64(ev, ret);
		fe_u32(ev, falcon_clone_flags(a[0]));
		break;
	case PPME_SYSCALL_MMAP_X:
		fe_s64(ev, ret);
		fe_mm_sizes(ev);
		fe_u64(ev, a[0]);
		fe_u64(ev, a[1]);
		fe_u32(ev, falcon_prot_flags(a[2]));
		fe_u32(ev, falcon_mmap_flags(a[3]));
		fe_s64(ev, arg_fd(a[4]));
		fe_u64(ev, a[5]);
		break;
	case PPME_SYSCALL_MPROTECT_X:
		fe_s64(ev, ret);
		fe_u64(ev, a[0]);
		fe_u64(ev, a[1]);
		fe_u32(ev, falcon_prot_flags(a[2]));
		break;
	default:
		return false;
	}
	return true;
}

void falcon_fill_exit(struct falcon_evt *ev, const struct falcon_sc *sc)
{
	const struct falcon_syscall_desc *d = &falcon_syscalls[sc->id];

	switch (ev->type) {
	case PPME_GENERIC_X:
		fe_u16(ev, d->ppm_sc < 0 ? 0 : d->ppm_sc);
		fe_u16(ev, sc->id);
		return;
	case PPME_SYSCALL_CLONE_20_X:
	case PPME_SYSCALL_FORK_20_X:
	case PPME_SYSCALL_VFORK_20_X:
	case PPME_SYSCALL_CLONE3_X:
	case PPME_SYSCALL_EXECVE_19_X:
	case PPME_SYSCALL_EXECVEAT_X:
		falcon_fill_proc(ev, sc, NULL);
		return;
	case PPME_SYSCALL_READ_X:
	case PPME_SYSCALL_WRITE_X:
	case PPME_SYSCALL_PREAD_X:
	case PPME_SYSCALL_PWRITE_X:
	case PPME_SYSCALL_READV_X:
	case PPME_SYSCALL_PREADV_X:
	case PPME_SYSCALL_WRITEV_X:
	case PPME_SYSCALL_PWRITEV_X:
	case PPME_SOCKET_SENDTO_X:
	case PPME_SOCKET_RECVFROM_X:
		fill_rw(ev, sc);
		return;
	}
	if (fill_files(ev, sc) || fill_net(ev, sc) || fill_proc_misc(ev, sc))
		return;

	/* dedicated event without a filler: the return value only */
	if (ev->nparams)
		fe_int(ev, sc->ret);
	while (ev->cur < ev->nparams && !ev->full)
		fe_empty(ev);
}

/* The time-of-check enter events: open, openat, openat2, creat, connect. */
void falcon_fill_enter(struct falcon_evt *ev, const struct falcon_sc *sc)
{
	const unsigned long *a = sc->args;

	switch (ev->type) {
	case PPME_SYSCALL_OPEN_E:
		fe_upath(ev, a[0]);
		fe_u32(ev, falcon_open_flags(a[1]));
		fe_u32(ev, open_mode(a[1], a[2]));
		break;
	case PPME_SYSCALL_OPENAT_2_E:
		fe_s64(ev, arg_fd(a[0]));
		fe_upath(ev, a[1]);
		fe_u32(ev, falcon_open_flags(a[2]));
		fe_u32(ev, open_mode(a[2], a[3]));
		break;
	case PPME_SYSCALL_OPENAT2_E:
		fe_s64(ev, arg_fd(a[0]));
		fe_open_how(ev, sc, false);
		break;
	case PPME_SYSCALL_CREAT_E:
		fe_upath(ev, a[0]);
		fe_u32(ev, falcon_mode(a[1]));
		break;
	case PPME_SOCKET_CONNECT_E:
		fe_s64(ev, arg_fd(a[0]));
		fe_sockaddr_user(ev, (const void __user *)a[1], a[2]);
		break;
	}
}
