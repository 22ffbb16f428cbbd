// SPDX-License-Identifier: GPL-2.0-only
/*
 * The process block shared by the clone/fork/vfork/clone3 and
 * execve/execveat exit events, and the procexit event.
 *
 * Runs in the context of the task described (the new child at its own
 * clone exit, the new program at sched_process_exec), with preemption
 * disabled: user memory is read with the _nofault helpers only.
 */
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/fs_struct.h>
#include <linux/dcache.h>
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/binfmts.h>
#include <linux/cred.h>
#include <linux/pid_namespace.h>
#include <linux/cgroup.h>
#include <linux/kernfs.h>
#include <linux/tty.h>
#include <linux/audit.h>
#include <linux/uaccess.h>
#include <linux/syscalls.h>
#include <uapi/linux/sched.h>
#include "falcon.h"
#include "compat.h"

#define PPM_EXE_WRITABLE	BIT(0)
#define PPM_EXE_FROM_MEMFD	BIT(2)
#define PPM_CL_CHILD_IN_PIDNS	BIT(29)

static u32 kb(unsigned long pages)
{
	return pages << (PAGE_SHIFT - 10);
}

/*
 * argv[0] as "exe" and the rest of argv as "args" (NUL-separated), read
 * from the argument area of the current mm.
 */
static void fe_exe_args(struct falcon_evt *ev, struct mm_struct *mm)
{
	unsigned long start, end, len;
	u32 room, n0;
	u8 *dst;

	if (!mm || !mm->arg_end) {
		fe_empty(ev);
		fe_empty(ev);
		return;
	}
	start = mm->arg_start;
	end = mm->arg_end;
	len = min_t(unsigned long, end - start, FALCON_MAX_ARGS_SIZE);

	/* exe */
	dst = fe_reserve(ev, 0);
	room = fe_room(ev);
	if (!dst || room == 0)
		return;
	n0 = min_t(u32, room, len);
	if (copy_from_user_nofault(dst, (const void __user *)start, n0)) {
		ev->ring->info->n_drops_pf++;
		fe_commit_param(ev, 0);
		fe_empty(ev);
		return;
	}
	len = n0;
	n0 = strnlen(dst, len);
	if (n0 == len) {
		if (len == room) {
			ev->full = true;
			return;
		}
		/* no NUL within the limit: cut */
		n0 = len - 1;
	}
	dst[n0] = 0;
	fe_commit_param(ev, n0 + 1);

	/* args: everything after argv[0], kept as it is in memory */
	start += n0 + 1;
	if (start >= end) {
		fe_empty(ev);
		return;
	}
	len = min_t(unsigned long, end - start, FALCON_MAX_ARGS_SIZE);
	fe_user_bytes(ev, (const void __user *)start, len);
}

static void fe_env(struct falcon_evt *ev, struct mm_struct *mm)
{
	unsigned long len;

	if (!mm || !mm->env_end) {
		fe_empty(ev);
		return;
	}
	len = min_t(unsigned long, mm->env_end - mm->env_start,
		    FALCON_MAX_ARGS_SIZE);
	fe_user_bytes(ev, (const void __user *)mm->env_start, len);
}

static void fe_path(struct falcon_evt *ev, const struct path *path)
{
	u32 room = fe_room(ev);
	u8 *dst = fe_reserve(ev, 0);
	char *p;
	u32 len;

	if (!dst)
		return;
	room = min_t(u32, room, FALCON_MAX_PATH_SIZE);
	if (room < 2) {
		ev->full = true;
		return;
	}
	p = d_path(path, (char *)dst, room);
	if (IS_ERR(p)) {
		if (PTR_ERR(p) == -ENAMETOOLONG && room < FALCON_MAX_PATH_SIZE)
			ev->full = true;
		else
			fe_commit_param(ev, 0);
		return;
	}
	len = strlen(p) + 1;
	memmove(dst, p, len);
	fe_commit_param(ev, len);
}

/*
 * The working directory, without taking references: fs->lock keeps pwd
 * from being replaced while d_path() (which does not sleep) walks it.
 */
static void fe_cwd(struct falcon_evt *ev)
{
	struct fs_struct *fs = current->fs;
	struct path pwd;

	if (!fs) {
		fe_empty(ev);
		return;
	}
	spin_lock(&fs->lock);
	pwd = fs->pwd;
	fe_path(ev, &pwd);
	spin_unlock(&fs->lock);
}

/* cgroups: "subsys=/path\0" for every controller of the task's css_set. */
static void fe_cgroups(struct falcon_evt *ev)
{
	struct cgroup_subsys_state *css;
	u8 *dst = fe_reserve(ev, 0);
	u32 room = min_t(u32, fe_room(ev), FALCON_MAX_ARGS_SIZE);
	u32 used = 0;
	int i, n;

	if (!dst)
		return;
	rcu_read_lock();
	for (i = 0; i < CGROUP_SUBSYS_COUNT; i++) {
		u32 nlen;

		css = task_css(current, i);
		if (!css || !css->ss || !css->cgroup)
			continue;
		nlen = strlen(css->ss->name);
		if (used + nlen + 3 > room)
			break;
		memcpy(dst + used, css->ss->name, nlen);
		dst[used + nlen] = '=';
		n = kernfs_path(css->cgroup->kn, (char *)dst + used + nlen + 1,
				room - used - nlen - 1);
		if (n < 0 || used + nlen + 1 + n + 1 > room)
			break;
		used += nlen + 1 + n + 1;
	}
	rcu_read_unlock();
	fe_commit_param(ev, used);
}

static pid_t parent_tgid(struct task_struct *t)
{
	pid_t p;

	rcu_read_lock();
	p = rcu_dereference(t->real_parent)->pid;
	rcu_read_unlock();
	return p;
}

static u32 tty_nr(void)
{
	struct tty_struct *tty = current->signal ? current->signal->tty : NULL;

	if (!tty || !tty->driver)
		return 0;
	return new_encode_dev(MKDEV(tty->driver->major,
				    tty->driver->minor_start) + tty->index);
}

static u32 exe_flags(struct file *exe)
{
	struct inode *inode;
	u32 flags = 0;
	kuid_t fsuid;

	if (!exe)
		return 0;
	inode = file_inode(exe);
	fsuid = current_fsuid();
	if (uid_eq(fsuid, GLOBAL_ROOT_UID) ||
	    (uid_eq(inode->i_uid, fsuid) && (inode->i_mode & 0200)) ||
	    (in_group_p(inode->i_gid) && (inode->i_mode & 0020)) ||
	    (inode->i_mode & 0002))
		flags |= PPM_EXE_WRITABLE;
	if (!strncmp(exe->f_path.dentry->d_name.name, "memfd:", 6))
		flags |= PPM_EXE_FROM_MEMFD;
	return flags;
}

static u64 pidns_init_start(void)
{
	struct pid_namespace *ns = task_active_pid_ns(current);
	struct task_struct *reaper = ns ? READ_ONCE(ns->child_reaper) : NULL;

	return reaper ? reaper->start_time : 0;
}

static u32 clone_flags_of(const struct falcon_sc *sc, u16 type)
{
	struct clone_args args;
	unsigned long flags = 0;

	switch (type) {
	case PPME_SYSCALL_CLONE_20_X:
		flags = sc->args[0];
		break;
	case PPME_SYSCALL_VFORK_20_X:
		flags = CLONE_VFORK | CLONE_VM;
		break;
	case PPME_SYSCALL_CLONE3_X:
		if (!copy_from_user_nofault(&args,
					    (const void __user *)sc->args[0],
					    sizeof(args.flags)))
			flags = args.flags;
		break;
	}
	return falcon_clone_flags(flags);
}

static void fill_exec_tail(struct falcon_evt *ev, const struct falcon_sc *sc,
			   struct linux_binprm *bprm, struct mm_struct *mm,
			   const struct cred *cred);

/*
 * Clone family (at the exit of the parent and of the child) and execve
 * family (at sched_process_exec, bprm set, or at a failed sys_exit).
 */
void falcon_fill_proc(struct falcon_evt *ev, const struct falcon_sc *sc,
		      struct linux_binprm *bprm)
{
	bool is_exec = ev->type == PPME_SYSCALL_EXECVE_19_X ||
		       ev->type == PPME_SYSCALL_EXECVEAT_X;
	struct mm_struct *mm = current->mm;
	const struct cred *cred = current_cred();
	u32 flags;

	fe_s64(ev, sc->ret);				/* res */
	fe_exe_args(ev, mm);				/* exe, args */
	fe_s64(ev, current->pid);			/* tid */
	fe_s64(ev, current->tgid);			/* pid */
	fe_s64(ev, parent_tgid(current));		/* ptid */
	fe_cwd(ev);					/* cwd */
	fe_u64(ev, rlimit(RLIMIT_NOFILE));		/* fdlimit */
	fe_u64(ev, current->maj_flt);			/* pgft_maj */
	fe_u64(ev, current->min_flt);			/* pgft_min */
	fe_u32(ev, mm ? kb(mm->total_vm) : 0);		/* vm_size */
	fe_u32(ev, mm ? kb(get_mm_rss(mm)) : 0);	/* vm_rss */
	fe_u32(ev, mm ? kb(get_mm_counter(mm, MM_SWAPENTS)) : 0);
	fe_str(ev, current->comm);			/* comm */
	fe_cgroups(ev);					/* cgroups */

	if (!is_exec) {
		flags = clone_flags_of(sc, ev->type);
		if (sc->ret == 0 && task_active_pid_ns(current) != &init_pid_ns)
			flags |= PPM_CL_CHILD_IN_PIDNS;
		fe_u32(ev, flags);
		fe_u32(ev, from_kuid_munged(&init_user_ns, cred->euid));
		fe_u32(ev, from_kgid_munged(&init_user_ns, cred->egid));
		fe_s64(ev, task_pid_vnr(current));	/* vtid */
		fe_s64(ev, task_tgid_vnr(current));	/* vpid */
		fe_u64(ev, pidns_init_start());
		return;
	}

	fill_exec_tail(ev, sc, bprm, mm, cred);
}

static void fill_exec_tail(struct falcon_evt *ev, const struct falcon_sc *sc,
			   struct linux_binprm *bprm, struct mm_struct *mm,
			   const struct cred *cred)
{
	struct file *exe = NULL;

	/*
	 * The exe file is used under RCU without a reference (taking one
	 * needs helpers modules cannot use); the mm keeps it alive.
	 */
	rcu_read_lock();
	if (mm)
		exe = rcu_dereference(mm->exe_file);
	fe_env(ev, mm);					/* env */
	fe_u32(ev, tty_nr());				/* tty */
	fe_s64(ev, task_pgrp_vnr(current));		/* vpgid */
	fe_u32(ev, from_kuid_munged(&init_user_ns,
				    audit_get_loginuid(current)));
	fe_u32(ev, exe_flags(exe));			/* flags */
	fe_u64(ev, falcon_cap_u64(cred->cap_inheritable));
	fe_u64(ev, falcon_cap_u64(cred->cap_permitted));
	fe_u64(ev, falcon_cap_u64(cred->cap_effective));
	if (exe) {
		struct inode *inode = file_inode(exe);

		fe_u64(ev, inode->i_ino);
		fe_u64(ev, falcon_inode_ctime_ns(inode));
		fe_u64(ev, falcon_inode_mtime_ns(inode));
	} else {
		fe_empty(ev);
		fe_empty(ev);
		fe_empty(ev);
	}
	fe_u32(ev, from_kuid_munged(&init_user_ns, cred->euid));
	if (exe)
		fe_path(ev, &exe->f_path);		/* trusted_exepath */
	else
		fe_empty(ev);
	fe_s64(ev, task_pgrp_nr(current));		/* pgid */
	fe_u32(ev, from_kgid_munged(&init_user_ns, cred->egid));
	if (ev->type == PPME_SYSCALL_EXECVE_19_X) {	/* filename */
		if (bprm)
			fe_str(ev, bprm->filename);
		else
			fe_user_str(ev, (const char __user *)sc->args[0],
				    FALCON_MAX_PATH_SIZE);
	}
	rcu_read_unlock();
}

/* procexit, from sched_process_exit in the exiting task's context. */
void falcon_fill_procexit(struct falcon_evt *ev, struct task_struct *p)
{
	int code = p->exit_code;
	pid_t reaper = 0;

	fe_s64(ev, code);				/* status */
	fe_s64(ev, (code >> 8) & 0xff);			/* ret */
	fe_u8(ev, code & 0x7f);				/* sig */
	fe_u8(ev, (code & 0x80) ? 1 : 0);		/* core */
	rcu_read_lock();
	if (!list_empty(&p->children)) {
		struct pid_namespace *ns = task_active_pid_ns(p);

		if (ns && ns->child_reaper)
			reaper = ns->child_reaper->pid;
	}
	rcu_read_unlock();
	fe_s64(ev, reaper);				/* reaper_tid */
}
