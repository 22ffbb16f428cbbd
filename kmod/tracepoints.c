// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tracepoint glue: found by name with for_each_kernel_tracepoint() and
 * attached with tracepoint_probe_register() while a consumer exists.
 *
 *   sys_exit            every syscall event (exit-only schema), except a
 *                       successful execve/execveat, which comes from
 *                       sched_process_exec; clone children on x86_64 emit
 *                       their own clone exit (ret 0) from here too
 *   sys_enter           only open/openat/openat2/creat/connect
 *   sched_process_exec  execve/execveat exit event of the new program
 *   sched_process_exit  procexit
 *
 * A probe never sleeps and never waits: it runs with preemption disabled
 * on the ring of its CPU, and a full ring drops (and counts) the event.
 */
#include <linux/tracepoint.h>
#include <linux/sched.h>
#include <linux/binfmts.h>
#include <linux/compat.h>
#include <linux/ptrace.h>
#include <linux/string.h>
#include <asm/syscall.h>
#include <asm/unistd.h>
#include "falcon.h"

static bool falcon_tp_on(int code)
{
	if (!READ_ONCE(falcon_cfg.capture) ||
	    !test_bit(code, &falcon_cfg.tp_mask))
		return false;
	return READ_ONCE(falcon_capture_self) ||
	       current->tgid != READ_ONCE(falcon_consumer_tgid);
}

/* The ring of this CPU, or NULL; preemption must be disabled. */
static struct falcon_ring *falcon_ring_get(void)
{
	struct falcon_ring *ring;

	ring = rcu_dereference_sched(*this_cpu_ptr(&falcon_cpu_ring));
	if (!ring)
		return NULL;
	if (atomic_inc_return(&ring->busy) != 1) {
		ring->info->n_preemptions++;
		atomic_dec(&ring->busy);
		return NULL;
	}
	return ring;
}

static void falcon_ring_put(struct falcon_ring *ring)
{
	atomic_dec(&ring->busy);
}

static long falcon_syscall_nr(struct pt_regs *regs)
{
	long id = syscall_get_nr(current, regs);

	if (id < 0 || id >= FALCON_SYSCALL_TABLE_SIZE || in_compat_syscall())
		return -1;
	return id;
}

static void falcon_emit_syscall(struct pt_regs *regs, long id, long ret,
				u16 type, bool enter)
{
	struct falcon_ring *ring;
	struct falcon_evt ev;
	struct falcon_sc sc;

	sc.regs = regs;
	sc.id = id;
	sc.ret = ret;
	syscall_get_arguments(current, regs, sc.args);

	preempt_disable_notrace();
	ring = falcon_ring_get();
	if (ring) {
		if (falcon_evt_begin(&ev, ring, type, current->pid)) {
			if (enter)
				falcon_fill_enter(&ev, &sc);
			else
				falcon_fill_exit(&ev, &sc);
			falcon_evt_commit(&ev);
		}
		falcon_ring_put(ring);
	}
	preempt_enable_notrace();
}

static void falcon_sys_enter(void *data, struct pt_regs *regs, long id)
{
	u16 type;

	if (!falcon_tp_on(FALCON_TP_SYS_ENTER))
		return;
	id = falcon_syscall_nr(regs);
	if (id < 0 || !test_bit(id, falcon_cfg.syscalls))
		return;
	type = falcon_syscalls[id].enter_event;
	if (type == PPME_GENERIC_E)
		return;
	falcon_emit_syscall(regs, id, 0, type, true);
}

static void falcon_sys_exit(void *data, struct pt_regs *regs, long ret)
{
	long id;
	u16 type;

	if (!falcon_tp_on(FALCON_TP_SYS_EXIT))
		return;
	id = falcon_syscall_nr(regs);
	if (id < 0 || !test_bit(id, falcon_cfg.syscalls))
		return;
	type = falcon_syscalls[id].exit_event;
	if (type == PPME_GENERIC_E)
		type = PPME_GENERIC_X;
	if (ret == 0 && (type == PPME_SYSCALL_EXECVE_19_X ||
			 type == PPME_SYSCALL_EXECVEAT_X))
		return;
	falcon_emit_syscall(regs, id, ret, type, false);
}

static void falcon_sched_exec(void *data, struct task_struct *p,
			      pid_t old_pid, struct linux_binprm *bprm)
{
	struct pt_regs *regs = task_pt_regs(current);
	struct falcon_ring *ring;
	struct falcon_evt ev;
	struct falcon_sc sc = {};
	long id;
	u16 type;

	if (!falcon_tp_on(FALCON_TP_SCHED_PROCESS_EXEC))
		return;
	id = syscall_get_nr(current, regs);
	if (id == __NR_execveat) {
		type = PPME_SYSCALL_EXECVEAT_X;
	} else {
		id = __NR_execve;
		type = PPME_SYSCALL_EXECVE_19_X;
	}
	if (!test_bit(id, falcon_cfg.syscalls))
		return;
	sc.regs = regs;
	sc.id = id;

	preempt_disable_notrace();
	ring = falcon_ring_get();
	if (ring) {
		if (falcon_evt_begin(&ev, ring, type, current->pid)) {
			falcon_fill_proc(&ev, &sc, bprm);
			falcon_evt_commit(&ev);
		}
		falcon_ring_put(ring);
	}
	preempt_enable_notrace();
}

static void falcon_sched_exit(void *data, struct task_struct *p)
{
	struct falcon_ring *ring;
	struct falcon_evt ev;

	if (!falcon_tp_on(FALCON_TP_SCHED_PROCESS_EXIT))
		return;
	preempt_disable_notrace();
	ring = falcon_ring_get();
	if (ring) {
		if (falcon_evt_begin(&ev, ring, PPME_PROCEXIT_1_E, p->pid)) {
			falcon_fill_procexit(&ev, p);
			falcon_evt_commit(&ev);
		}
		falcon_ring_put(ring);
	}
	preempt_enable_notrace();
}

struct falcon_tp {
	const char *name;
	void *probe;
	struct tracepoint *tp;
	bool attached;
};

static struct falcon_tp falcon_tps[] = {
	{ .name = "sys_enter", .probe = falcon_sys_enter },
	{ .name = "sys_exit", .probe = falcon_sys_exit },
	{ .name = "sched_process_exec", .probe = falcon_sched_exec },
	{ .name = "sched_process_exit", .probe = falcon_sched_exit },
};

static void falcon_tp_lookup(struct tracepoint *tp, void *priv)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(falcon_tps); i++)
		if (!strcmp(tp->name, falcon_tps[i].name))
			falcon_tps[i].tp = tp;
}

void falcon_tracepoints_detach(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(falcon_tps); i++) {
		if (!falcon_tps[i].attached)
			continue;
		tracepoint_probe_unregister(falcon_tps[i].tp,
					    falcon_tps[i].probe, NULL);
		falcon_tps[i].attached = false;
	}
	tracepoint_synchronize_unregister();
}

int falcon_tracepoints_attach(void)
{
	size_t i;
	int err;

	for (i = 0; i < ARRAY_SIZE(falcon_tps); i++) {
		if (!falcon_tps[i].tp) {
			for_each_kernel_tracepoint(falcon_tp_lookup, NULL);
			break;
		}
	}
	for (i = 0; i < ARRAY_SIZE(falcon_tps); i++) {
		if (!falcon_tps[i].tp) {
			pr_err("falcon: tracepoint %s not found\n",
			       falcon_tps[i].name);
			err = -ENOENT;
			goto fail;
		}
		err = tracepoint_probe_register(falcon_tps[i].tp,
						falcon_tps[i].probe, NULL);
		if (err) {
			pr_err("falcon: cannot attach %s: %d\n",
			       falcon_tps[i].name, err);
			goto fail;
		}
		falcon_tps[i].attached = true;
	}
	return 0;
fail:
	falcon_tracepoints_detach();
	return err;
}
