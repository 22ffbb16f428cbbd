// SPDX-License-Identifier: GPL-2.0-only
/*
 * Writing one event in place into a ring.
 *
 * Producer protocol (the consumer's side is driver/src/kmod/ring.rs):
 *   free = (tail - head - 1) mod size; one byte always stays free, so
 *   head == tail means empty. The event is written at data + head; the
 *   double mapping makes it contiguous even when it wraps. The header is
 *   written last, then head is published with a release store (pairs with
 *   the consumer's acquire load of head). The consumer publishes tail with
 *   a release store after it has read the events; the acquire load of tail
 *   here keeps us from overwriting bytes it may still read.
 *
 * A full ring drops the event and counts it, by category, in the info page.
 * Nothing here sleeps or waits.
 */
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/timekeeping.h>
#include "falcon.h"

#define FP(name, type, dirfd) type
#define FALCON_EVENT(code, sym, name, cat, flags, n22, ...)		\
	[code] = {							\
		.nparams = sizeof((u8[]){ 0, ##__VA_ARGS__ }) - 1,	\
		.types = { __VA_ARGS__ },				\
	},
const struct falcon_event_desc falcon_event_descs[FALCON_EVENT_MAX] = {
#include "falcon_events.def"
};

#undef FALCON_EVENT
#undef FP

#define FALCON_SYSCALL(nr, name, sc, exit_ev, enter_ev)		\
	[nr] = { .exit_event = exit_ev, .enter_event = enter_ev, .ppm_sc = sc },
const struct falcon_syscall_desc falcon_syscalls[FALCON_SYSCALL_TABLE_SIZE] = {
#include "falcon_syscalls.def"
};

#undef FALCON_SYSCALL

int falcon_drop_category(u16 type)
{
	switch (type) {
	case PPME_SYSCALL_CLONE_20_X:
	case PPME_SYSCALL_FORK_20_X:
	case PPME_SYSCALL_VFORK_20_X:
	case PPME_SYSCALL_CLONE3_X:
		return FALCON_DROP_CLONE_FORK_EXIT;
	case PPME_SYSCALL_EXECVE_19_X:
	case PPME_SYSCALL_EXECVEAT_X:
		return FALCON_DROP_EXECVE_EXIT;
	case PPME_SOCKET_CONNECT_E:
		return FALCON_DROP_CONNECT_ENTER;
	case PPME_SOCKET_CONNECT_X:
		return FALCON_DROP_CONNECT_EXIT;
	case PPME_SYSCALL_OPEN_E:
	case PPME_SYSCALL_OPENAT_2_E:
	case PPME_SYSCALL_OPENAT2_E:
	case PPME_SYSCALL_CREAT_E:
		return FALCON_DROP_OPEN_ENTER;
	case PPME_SYSCALL_OPEN_X:
	case PPME_SYSCALL_OPENAT_2_X:
	case PPME_SYSCALL_OPENAT2_X:
	case PPME_SYSCALL_CREAT_X:
		return FALCON_DROP_OPEN_EXIT;
	case PPME_SYSCALL_MKDIR_2_X:
	case PPME_SYSCALL_MKDIRAT_X:
	case PPME_SYSCALL_RMDIR_2_X:
	case PPME_SYSCALL_UNLINK_2_X:
	case PPME_SYSCALL_UNLINKAT_2_X:
	case PPME_SYSCALL_RENAME_X:
	case PPME_SYSCALL_RENAMEAT_X:
	case PPME_SYSCALL_RENAMEAT2_X:
	case PPME_SYSCALL_LINK_2_X:
	case PPME_SYSCALL_LINKAT_2_X:
	case PPME_SYSCALL_SYMLINK_X:
	case PPME_SYSCALL_SYMLINKAT_X:
	case PPME_SYSCALL_CHDIR_X:
	case PPME_SYSCALL_FCHDIR_X:
	case PPME_SYSCALL_CHROOT_X:
		return FALCON_DROP_DIR_FILE_EXIT;
	case PPME_SYSCALL_CLOSE_X:
		return FALCON_DROP_CLOSE_EXIT;
	case PPME_PROCEXIT_1_E:
		return FALCON_DROP_PROC_EXIT;
	default:
		return FALCON_DROP_OTHER_INTEREST_EXIT;
	}
}

static void falcon_evt_drop(struct falcon_ring *ring, u16 type)
{
	struct falcon_ring_info *info = ring->info;

	info->n_drops_buffer++;
	info->n_drops_buffer_cat[falcon_drop_category(type)]++;
}

bool falcon_evt_begin(struct falcon_evt *ev, struct falcon_ring *ring,
		      u16 type, u64 tid)
{
	struct falcon_ring_info *info = ring->info;
	u32 head, tail, free, need;

	ev->ring = ring;
	ev->type = type;
	ev->nparams = falcon_event_descs[type].nparams;
	ev->cur = 0;
	ev->full = false;
	ev->tid = tid;
	ev->ts = ktime_get_real_ns();
	info->n_evts++;

	head = READ_ONCE(info->head) & (ring->size - 1);
	/* Pairs with the consumer's release store of tail. */
	tail = smp_load_acquire(&info->tail) & (ring->size - 1);
	free = (tail - head - 1) & (ring->size - 1);
	need = FALCON_EVT_HDR_LEN + 2 * ev->nparams;
	if (free < need) {
		falcon_evt_drop(ring, type);
		return false;
	}
	ev->head = head;
	ev->buf = ring->data + head;
	ev->max = min_t(u32, free, FALCON_MAX_EVENT_SIZE);
	ev->off = need;
	return true;
}

void falcon_evt_commit(struct falcon_evt *ev)
{
	struct falcon_ring *ring = ev->ring;
	struct falcon_evt_hdr hdr;

	if (ev->full || WARN_ONCE(ev->cur != ev->nparams,
				  "falcon: event %u has %u of %u params\n",
				  ev->type, ev->cur, ev->nparams)) {
		falcon_evt_drop(ring, ev->type);
		return;
	}
	hdr.ts = ev->ts;
	hdr.tid = ev->tid;
	hdr.len = ev->off;
	hdr.type = ev->type;
	hdr.nparams = ev->nparams;
	memcpy(ev->buf, &hdr, sizeof(hdr));
	/* Pairs with the consumer's acquire load of head. */
	smp_store_release(&ring->info->head,
			  (ev->head + ev->off) & (ring->size - 1));
}

u32 fe_room(const struct falcon_evt *ev)
{
	return ev->full ? 0 : ev->max - ev->off;
}

/* Start of the next parameter's body, with room for at least max bytes. */
u8 *fe_reserve(struct falcon_evt *ev, u32 max)
{
	if (ev->cur >= ev->nparams) {
		ev->full = true;
		return NULL;
	}
	if (ev->full || ev->max - ev->off < max) {
		ev->full = true;
		return NULL;
	}
	return ev->buf + ev->off;
}

/* Records the length of the parameter written at fe_reserve(). */
void fe_commit_param(struct falcon_evt *ev, u32 len)
{
	u8 *l;

	if (ev->full)
		return;
	l = ev->buf + FALCON_EVT_HDR_LEN + 2 * ev->cur;

	l[0] = len & 0xff;
	l[1] = len >> 8;
	ev->off += len;
	ev->cur++;
}

void fe_bytes(struct falcon_evt *ev, const void *p, u32 len)
{
	u8 *dst = fe_reserve(ev, len);

	if (!dst)
		return;
	memcpy(dst, p, len);
	fe_commit_param(ev, len);
}

void fe_empty(struct falcon_evt *ev)
{
	if (fe_reserve(ev, 0))
		fe_commit_param(ev, 0);
}

void fe_u8(struct falcon_evt *ev, u8 v)
{
	fe_bytes(ev, &v, 1);
}

void fe_u16(struct falcon_evt *ev, u16 v)
{
	__le16 x = cpu_to_le16(v);

	fe_bytes(ev, &x, 2);
}

void fe_u32(struct falcon_evt *ev, u32 v)
{
	__le32 x = cpu_to_le32(v);

	fe_bytes(ev, &x, 4);
}

void fe_u64(struct falcon_evt *ev, u64 v)
{
	__le64 x = cpu_to_le64(v);

	fe_bytes(ev, &x, 8);
}

void fe_s64(struct falcon_evt *ev, s64 v)
{
	fe_u64(ev, (u64)v);
}

static u32 falcon_type_width(u8 type)
{
	switch (type) {
	case PT_INT8:
	case PT_UINT8:
	case PT_FLAGS8:
	case PT_ENUMFLAGS8:
	case PT_SIGTYPE:
	case PT_L4PROTO:
	case PT_SOCKFAMILY:
		return 1;
	case PT_INT16:
	case PT_UINT16:
	case PT_FLAGS16:
	case PT_ENUMFLAGS16:
	case PT_SYSCALLID:
	case PT_PORT:
		return 2;
	case PT_INT32:
	case PT_UINT32:
	case PT_FLAGS32:
	case PT_ENUMFLAGS32:
	case PT_UID:
	case PT_GID:
	case PT_MODE:
	case PT_BOOL:
	case PT_IPV4ADDR:
	case PT_SIGSET:
	case PT_FD32:
	case PT_PID32:
		return 4;
	case PT_INT64:
	case PT_UINT64:
	case PT_ERRNO:
	case PT_FD:
	case PT_PID:
	case PT_RELTIME:
	case PT_ABSTIME:
	case PT_DOUBLE:
		return 8;
	default:
		return 0;
	}
}

/* An integer parameter whose width is the table's type for this slot. */
void fe_int(struct falcon_evt *ev, u64 v)
{
	u8 type = ev->cur < ev->nparams ?
		  falcon_event_descs[ev->type].types[ev->cur] : PT_NONE;

	switch (falcon_type_width(type)) {
	case 1:
		fe_u8(ev, v);
		break;
	case 2:
		fe_u16(ev, v);
		break;
	case 4:
		fe_u32(ev, v);
		break;
	case 8:
		fe_u64(ev, v);
		break;
	default:
		fe_empty(ev);
	}
}

void fe_str(struct falcon_evt *ev, const char *s)
{
	u32 len;
	u8 *dst;

	if (!s) {
		fe_empty(ev);
		return;
	}
	len = strnlen(s, FALCON_MAX_PATH_SIZE - 1);
	dst = fe_reserve(ev, len + 1);
	if (!dst)
		return;
	memcpy(dst, s, len);
	dst[len] = 0;
	fe_commit_param(ev, len + 1);
}

/*
 * Copies a user string of at most max bytes (NUL included) without taking
 * page faults, in pieces that never cross a page: bytes past the NUL are
 * never touched. Returns the length with the NUL, max when no NUL was
 * found, or -EFAULT.
 */
static long falcon_strncpy_user(char *dst, const char __user *src, u32 max)
{
	unsigned long addr = (unsigned long)src;
	u32 done = 0, n;
	char *nul;

	while (done < max) {
		n = min_t(u32, max - done,
			  PAGE_SIZE - ((addr + done) & ~PAGE_MASK));
		n = min_t(u32, n, 256);
		if (copy_from_user_nofault(dst + done, src + done, n))
			return -EFAULT;
		nul = memchr(dst + done, 0, n);
		if (nul)
			return nul - dst + 1;
		done += n;
	}
	return max;
}

/*
 * A NUL-terminated string from user memory, at most max bytes with the NUL.
 * Unreadable memory (not resident: we cannot fault here) gives an empty
 * parameter and counts n_drops_pf.
 */
void fe_user_str(struct falcon_evt *ev, const char __user *s, u32 max)
{
	u32 room = fe_room(ev);
	long n;
	u8 *dst;

	if (!s) {
		fe_empty(ev);
		return;
	}
	if (room == 0) {
		ev->full = true;
		return;
	}
	if (max > room)
		max = room;
	dst = ev->buf + ev->off;
	n = falcon_strncpy_user((char *)dst, s, max);
	if (n <= 0) {
		ev->ring->info->n_drops_pf++;
		fe_commit_param(ev, 0);
		return;
	}
	if (n == max && dst[max - 1] != 0) {
		if (max == room) {
			/* cut by the ring, not by the limit: drop the event */
			ev->full = true;
			return;
		}
		dst[max - 1] = 0;
	}
	fe_commit_param(ev, n);
}

void fe_user_bytes(struct falcon_evt *ev, const void __user *p, u32 len)
{
	u8 *dst;

	if (!p || !len) {
		fe_empty(ev);
		return;
	}
	dst = fe_reserve(ev, len);
	if (!dst)
		return;
	if (copy_from_user_nofault(dst, p, len)) {
		ev->ring->info->n_drops_pf++;
		fe_commit_param(ev, 0);
		return;
	}
	fe_commit_param(ev, len);
}
