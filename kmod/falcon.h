/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * falcon.ko internals shared by its parts:
 *   ring.c        per-CPU rings: allocation, double mapping, mmap
 *   event.c       writing one event into a ring, drop accounting
 *   fillers.c     the parameters of each syscall event
 *   proc_info.c   the process block of clone/fork/execve events, procexit
 *   net_info.c    socket addresses and tuples
 *   flags.c       kernel flag values -> the ABI's flag values
 *   device.c      /dev/falconN: open/release/mmap/ioctl, the consumer
 *   tracepoints.c sys_enter/sys_exit/sched_process_* probes
 */
#ifndef FALCON_H
#define FALCON_H

#include <linux/types.h>
#include <linux/atomic.h>
#include <linux/bitmap.h>
#include <linux/percpu.h>
#include <linux/mm_types.h>

struct linux_binprm;
#include "falcon_abi.h"

#define FALCON_MODULE_VERSION "0.1.0"

/* One ring per possible CPU. */
struct falcon_ring {
	struct falcon_ring_info *info;	/* 128-byte info page (one page) */
	struct page **pages;		/* data pages, listed twice */
	u8 *data;			/* kernel double mapping: 2 * size bytes */
	u32 size;			/* data bytes, a power of two */
	u32 npages;			/* size / PAGE_SIZE */
	atomic_t busy;			/* re-entrancy guard of the producer */
	int cpu;
};

int falcon_ring_alloc(struct falcon_ring *ring, int cpu, u32 size);
void falcon_ring_free(struct falcon_ring *ring);
int falcon_ring_mmap(struct falcon_ring *ring, struct vm_area_struct *vma);
bool falcon_ring_size_valid(unsigned long size);

/* What the consumer asked for, set by ioctls and read by the probes. */
struct falcon_settings {
	bool capture;
	u32 snaplen;
	unsigned long tp_mask;		/* bit per enum falcon_tp_code */
	DECLARE_BITMAP(syscalls, FALCON_SYSCALL_TABLE_SIZE);
};

extern struct falcon_settings falcon_cfg;
extern unsigned long falcon_ring_bytes;
extern bool falcon_capture_self;
extern pid_t falcon_consumer_tgid;	/* 0 when no consumer */

/* The ring each CPU writes to; NULL while no consumer holds it. */
DECLARE_PER_CPU(struct falcon_ring __rcu *, falcon_cpu_ring);

/* Per-event-type facts from falcon_events.def. */
struct falcon_event_desc {
	u8 nparams;
	u8 types[FALCON_MAX_EVENT_PARAMS];
};

extern const struct falcon_event_desc falcon_event_descs[FALCON_EVENT_MAX];

/* One event being written in place into a ring. */
struct falcon_evt {
	struct falcon_ring *ring;
	u8 *buf;		/* event start (header) inside ring->data */
	u32 head;		/* ring head when the event started */
	u32 max;		/* bytes this event may use */
	u32 off;		/* bytes used so far, header and lengths included */
	u64 ts;
	u64 tid;
	u16 type;
	u8 nparams;
	u8 cur;			/* parameters written so far */
	bool full;		/* a parameter did not fit */
};

bool falcon_evt_begin(struct falcon_evt *ev, struct falcon_ring *ring,
		      u16 type, u64 tid);
void falcon_evt_commit(struct falcon_evt *ev);

/* Parameter writers: each appends the next parameter of the event. */
void fe_empty(struct falcon_evt *ev);
void fe_u8(struct falcon_evt *ev, u8 v);
void fe_u16(struct falcon_evt *ev, u16 v);
void fe_u32(struct falcon_evt *ev, u32 v);
void fe_u64(struct falcon_evt *ev, u64 v);
void fe_s64(struct falcon_evt *ev, s64 v);
void fe_int(struct falcon_evt *ev, u64 v);	/* width from the table */
void fe_bytes(struct falcon_evt *ev, const void *p, u32 len);
void fe_str(struct falcon_evt *ev, const char *s);
void fe_user_str(struct falcon_evt *ev, const char __user *s, u32 max);
void fe_user_bytes(struct falcon_evt *ev, const void __user *p, u32 len);
u8 *fe_reserve(struct falcon_evt *ev, u32 max);
void fe_commit_param(struct falcon_evt *ev, u32 len);
u32 fe_room(const struct falcon_evt *ev);

/* Syscall arguments as the tracepoints see them. */
struct falcon_sc {
	struct pt_regs *regs;
	long id;
	long ret;
	unsigned long args[6];
};

void falcon_fill_exit(struct falcon_evt *ev, const struct falcon_sc *sc);
void falcon_fill_enter(struct falcon_evt *ev, const struct falcon_sc *sc);
void falcon_fill_proc(struct falcon_evt *ev, const struct falcon_sc *sc,
		      struct linux_binprm *bprm);
void falcon_fill_procexit(struct falcon_evt *ev, struct task_struct *p);
int falcon_drop_category(u16 type);

/* Syscall table: native nr -> exit event, enter event, ppm_sc. */
struct falcon_syscall_desc {
	u16 exit_event;
	u16 enter_event;
	s16 ppm_sc;
};

extern const struct falcon_syscall_desc falcon_syscalls[FALCON_SYSCALL_TABLE_SIZE];

/* net_info.c */
void fe_sockaddr_user(struct falcon_evt *ev, const void __user *uaddr,
		      int ulen);
void fe_tuple_fd(struct falcon_evt *ev, int fd, bool is_accept);

/* flags.c */
u32 falcon_open_flags(unsigned long flags);
u32 falcon_mode(unsigned long mode);
u32 falcon_clone_flags(unsigned long flags);
u32 falcon_prot_flags(unsigned long prot);
u32 falcon_mmap_flags(unsigned long flags);
u32 falcon_mount_flags(unsigned long flags);
u32 falcon_umount_flags(unsigned long flags);
u32 falcon_at_flags(unsigned long flags);
u32 falcon_rename_flags(unsigned long flags);
u32 falcon_resolve_flags(unsigned long flags);
u16 falcon_ptrace_request(long req);
u32 falcon_socket_type_flags(unsigned long type);
u32 falcon_memfd_flags(unsigned long flags);

/* device.c, tracepoints.c */
int falcon_device_init(void);
void falcon_device_exit(void);
int falcon_tracepoints_attach(void);
void falcon_tracepoints_detach(void);

#endif /* FALCON_H */
