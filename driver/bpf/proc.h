/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Process events: execve/execveat exit, the clone family exit (both sides)
 * and procexit. These carry the process state the engine's thread table is
 * built from, read from the task_struct rather than from syscall arguments.
 */
#ifndef FALCON_BPF_PROC_H
#define FALCON_BPF_PROC_H

#define PPM_EXE_WRITABLE (1 << 0)
#define PPM_EXE_FROM_MEMFD (1 << 2)
#define PATH_HALF FALCON_MAX_PATH_SIZE
#define PATH_MASK (FALCON_MAX_PATH_SIZE - 1)
#define MAX_PATH_COMPONENTS 24
#define L_RLIMIT_NOFILE 7
#define L_PIDTYPE_PGID 2

/*
 * FALCON_LOOP(n, step, arg) runs step(i, arg) for i = 0 .. n-1 until it
 * returns non-zero. The tp_btf flavour uses bpf_loop (5.17+); the raw_tp
 * flavour, the fallback for older kernels (5.8+: ring buffers), uses a
 * bounded loop that the verifier walks instead.
 */
#ifdef FALCON_RAW_TP
#define FALCON_LOOP(n, step, arg)				\
	do {							\
		for (__u32 __i = 0; __i < (n); __i++)		\
			if (step(__i, arg))			\
				break;				\
	} while (0)
/*
 * Bounded loops cost the verifier every iteration of every path: within its
 * one-million-instruction budget the exe path walk stops at 8 components
 * and the cgroups parameter is left empty when bpf_loop is missing.
 */
#define FALCON_COMPAT_NO_CGROUPS 1
#define FALCON_PATH_STEPS 8
#else
#define FALCON_LOOP(n, step, arg) bpf_loop(n, step, arg, 0)
#define FALCON_COMPAT_NO_CGROUPS 0
#define FALCON_PATH_STEPS MAX_PATH_COMPONENTS
#endif

static __always_inline struct task_struct *cur_task(void)
{
	return (struct task_struct *)bpf_get_current_task();
}

struct path_walk {
	struct dentry *d;
	struct mount *m;
	__u8 *path;
	__u32 off;
};

/* One step of ev_file_path, run by FALCON_LOOP: 0 = go on, 1 = done. */
static long path_step(__u64 i, void *arg)
{
	struct path_walk *w = arg;
	struct dentry *d = w->d;
	struct mount *m = w->m;
	struct dentry *root = BPF_CORE_READ(m, mnt.mnt_root);
	struct dentry *parent = BPF_CORE_READ(d, d_parent);
	struct qstr name;
	__u32 len, off;

	if (d == root) {
		struct mount *mp = BPF_CORE_READ(m, mnt_parent);

		if (mp == m)
			return 1;
		w->d = BPF_CORE_READ(m, mnt_mountpoint);
		w->m = mp;
		return 0;
	}
	/*
	 * Below a mount root every dentry has a parent; one that is its own
	 * parent is disconnected (memfd, pipe): its name ends the walk.
	 */
	name = BPF_CORE_READ(d, d_name);
	len = name.len & 0xff;
	off = w->off;
	if (off < len + 1)
		return 1;
	off -= len;
	bpf_probe_read_kernel(&w->path[off & PATH_MASK], len, name.name);
	off -= 1;
	w->path[off & PATH_MASK] = '/';
	w->off = off;
	w->d = parent;
	return d == parent;
}

/* Path of a file, walking dentries and mounts (no bpf_d_path here). */
static __always_inline void ev_file_path(struct ev *e, struct file *f)
{
	struct vfsmount *vm = BPF_CORE_READ(f, f_path.mnt);
	struct path_walk w = {
		.d = BPF_CORE_READ(f, f_path.dentry),
		.m = (struct mount *)((void *)vm -
				      bpf_core_field_offset(struct mount, mnt)),
		.path = e->path,
		.off = PATH_HALF - 1,
	};
	__u32 off, n;

	if (!w.d || !vm) {
		ev_empty(e);
		return;
	}
	FALCON_LOOP(FALCON_PATH_STEPS, path_step, &w);
	off = w.off;
	if (off == PATH_HALF - 1) {
		off -= 1;
		e->path[off & PATH_MASK] = '/';
	}
	n = (PATH_HALF - 1 - off) & PATH_MASK;
	bpf_probe_read_kernel(&e->buf[e->pos & SCRATCH_MASK], n,
			      &e->path[off & PATH_MASK]);
	e->buf[(e->pos + n) & SCRATCH_MASK] = 0;
	ev_commit_bytes(e, n + 1);
}

/*
 * exe (argv[0]) and args (argv[1..], NUL-separated) from the memory area
 * [start, end) of the process: two parameters.
 */
static __always_inline void ev_exe_args(struct ev *e, __u64 start, __u64 end)
{
	__u64 total = end - start;
	long n;

	if (!start || end <= start) {
		ev_empty(e);
		ev_empty(e);
		return;
	}
	if (total > FALCON_MAX_ARGS_SIZE - 1)
		total = FALCON_MAX_ARGS_SIZE - 1;
	if (bpf_probe_read_user(e->path, total & PATH_MASK, (void *)start)) {
		ev_empty(e);
		ev_empty(e);
		return;
	}
	e->path[total & PATH_MASK] = 0;
	n = bpf_probe_read_kernel_str(&e->buf[e->pos & SCRATCH_MASK],
				      FALCON_MAX_ARGS_SIZE, e->path);
	if (n <= 0) {
		ev_empty(e);
		ev_empty(e);
		return;
	}
	ev_commit_bytes(e, n);
	if (n >= total) {
		ev_empty(e);
		return;
	}
	total -= n;
	bpf_probe_read_kernel(&e->buf[e->pos & SCRATCH_MASK],
			      total & PATH_MASK, &e->path[n & PATH_MASK]);
	ev_commit_bytes(e, total & PATH_MASK);
}

/* A NUL-separated user memory area (env) as one BYTEBUF. */
static __always_inline void ev_user_area(struct ev *e, __u64 start, __u64 end)
{
	__u64 total = end - start;

	if (!start || end <= start) {
		ev_empty(e);
		return;
	}
	if (total > FALCON_MAX_ARGS_SIZE)
		total = FALCON_MAX_ARGS_SIZE;
	if (bpf_probe_read_user(&e->buf[e->pos & SCRATCH_MASK],
				total & (FALCON_MAX_ARGS_SIZE * 2 - 1),
				(void *)start)) {
		ev_empty(e);
		return;
	}
	ev_commit_bytes(e, total);
}

/* kernfs_node before 6.15 named its parent link `parent` */
struct kernfs_node___old {
	struct kernfs_node___old *parent;
} __attribute__((preserve_access_index));

static __always_inline struct kernfs_node *kn_parent(struct kernfs_node *kn)
{
	if (bpf_core_field_exists(kn->__parent))
		return BPF_CORE_READ(kn, __parent);
	return (struct kernfs_node *)BPF_CORE_READ(
		(struct kernfs_node___old *)kn, parent);
}

struct cg_walk {
	struct kernfs_node *kn;
	__u8 *path;
	__u32 off;
};

/* One step of ev_cgroups, run by FALCON_LOOP: 0 = go on, 1 = done. */
static long cg_step(__u64 i, void *arg)
{
	struct cg_walk *w = arg;
	struct kernfs_node *kn = w->kn;
	struct kernfs_node *parent = kn_parent(kn);
	const char *name;
	long len;
	__u32 off;

	if (!parent)
		return 1;	/* the hierarchy's root: "/" */
	name = BPF_CORE_READ(kn, name);
	len = bpf_probe_read_kernel_str(&w->path[PATH_HALF], 256, name);
	if (len <= 1)
		return 1;
	len -= 1;
	off = w->off;
	if (off < len + 1)
		return 1;
	off -= len;
	bpf_probe_read_kernel(&w->path[off & PATH_MASK], len & 0xff, name);
	off -= 1;
	w->path[off & PATH_MASK] = '/';
	w->off = off;
	w->kn = parent;
	return 0;
}

/* libscap's controller names, each followed by '=' */
static const char cg_names[7][12] = {
	"cpuset=", "cpu=", "cpuacct=", "io=", "memory=", "devices=", "pids=",
};

struct cg_emit {
	__u8 *buf;
	__u8 *path;
	__u64 pos;
	__u32 off;
	__u32 n;
};

/* Writes "name=path\0" for controller `i`, run by FALCON_LOOP. */
static long cg_put(__u64 i, void *arg)
{
	struct cg_emit *c = arg;
	long l;

	if (i >= 7)
		return 1;
	l = bpf_probe_read_kernel_str(&c->buf[c->pos & SCRATCH_MASK], 12,
				      cg_names[i & 7]);
	if (l <= 1)
		return 1;
	c->pos += l - 1;
	bpf_probe_read_kernel(&c->buf[c->pos & SCRATCH_MASK], c->n & 1023,
			      &c->path[c->off & PATH_MASK]);
	c->pos += c->n & 1023;
	c->buf[c->pos & SCRATCH_MASK] = 0;
	c->pos += 1;
	return 0;
}

/*
 * cgroups: the thread's cgroup v2 path, once per controller in the
 * "subsys=path\0" form libscap writes (v2 has one hierarchy for all).
 */
static __always_inline void ev_cgroups(struct ev *e, struct task_struct *t)
{
	struct cg_walk w = {
		.kn = BPF_CORE_READ(t, cgroups, dfl_cgrp, kn),
		.path = e->path,
		.off = PATH_HALF - 1,
	};
	struct cg_emit c;

	if (!w.kn || FALCON_COMPAT_NO_CGROUPS) {
		ev_empty(e);
		return;
	}
	FALCON_LOOP(32, cg_step, &w);
	if (w.off == PATH_HALF - 1) {
		w.off -= 1;
		e->path[w.off & PATH_MASK] = '/';
	}
	c.buf = e->buf;
	c.path = e->path;
	c.pos = e->pos;
	c.off = w.off;
	c.n = PATH_HALF - 1 - w.off;
	FALCON_LOOP(7, cg_put, &c);
	ev_commit_bytes(e, c.pos - e->pos);
}

/* The pid number of `p` in its own (innermost) namespace. */
static __always_inline __s64 pid_vnr(struct pid *p)
{
	unsigned int level;
	int nr = 0;

	if (!p)
		return 0;
	level = BPF_CORE_READ(p, level);
	bpf_probe_read_kernel(&nr, sizeof(nr), &p->numbers[level & 31].nr);
	return nr;
}

static __always_inline __s64 task_pgid(struct task_struct *t)
{
	struct pid *p = BPF_CORE_READ(t, signal, pids[L_PIDTYPE_PGID]);
	int nr = 0;

	if (!p)
		return 0;
	bpf_probe_read_kernel(&nr, sizeof(nr), &p->numbers[0].nr);
	return nr;
}

static __always_inline __u32 task_tty(struct task_struct *t)
{
	struct tty_struct *tty = BPF_CORE_READ(t, signal, tty);
	__u32 major, minor;

	if (!tty)
		return 0;
	major = BPF_CORE_READ(tty, driver, major);
	minor = BPF_CORE_READ(tty, driver, minor_start) +
		BPF_CORE_READ(tty, index);
	return user_dev((major << 20) | minor);
}

static __always_inline __u64 cap_u64(const kernel_cap_t *c)
{
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), c);
	return v;
}

/*
 * inode timestamps moved three times: timespec64 i_ctime/i_mtime up to 6.5,
 * __i_ctime from 6.6 and __i_mtime from 6.7, then separate seconds and
 * nanoseconds fields (i_ctime_sec/_nsec) from 6.11. The older layouts are
 * spelled out here; the verifier drops the branches the target lacks.
 */
struct inode___ts {
	struct timespec64 i_ctime;
	struct timespec64 i_mtime;
};

struct inode___ts_hidden {
	struct timespec64 __i_ctime;
	struct timespec64 __i_mtime;
};

#define FALCON_NS_PER_SEC 1000000000ULL
/* the high nanosecond bits carry multigrain-timestamp flags since 6.13 */
#define FALCON_INODE_NSEC_MASK 0x3fffffff

static __always_inline __u64 inode_ctime_ns(struct inode *ino)
{
	struct inode___ts_hidden *h = (void *)ino;
	struct inode___ts *o = (void *)ino;

	if (bpf_core_field_exists(ino->i_ctime_sec))
		return BPF_CORE_READ(ino, i_ctime_sec) * FALCON_NS_PER_SEC +
		       (BPF_CORE_READ(ino, i_ctime_nsec) &
			FALCON_INODE_NSEC_MASK);
	if (bpf_core_field_exists(h->__i_ctime))
		return BPF_CORE_READ(h, __i_ctime.tv_sec) * FALCON_NS_PER_SEC +
		       BPF_CORE_READ(h, __i_ctime.tv_nsec);
	return BPF_CORE_READ(o, i_ctime.tv_sec) * FALCON_NS_PER_SEC +
	       BPF_CORE_READ(o, i_ctime.tv_nsec);
}

static __always_inline __u64 inode_mtime_ns(struct inode *ino)
{
	struct inode___ts_hidden *h = (void *)ino;
	struct inode___ts *o = (void *)ino;

	if (bpf_core_field_exists(ino->i_mtime_sec))
		return BPF_CORE_READ(ino, i_mtime_sec) * FALCON_NS_PER_SEC +
		       (BPF_CORE_READ(ino, i_mtime_nsec) &
			FALCON_INODE_NSEC_MASK);
	if (bpf_core_field_exists(h->__i_mtime))
		return BPF_CORE_READ(h, __i_mtime.tv_sec) * FALCON_NS_PER_SEC +
		       BPF_CORE_READ(h, __i_mtime.tv_nsec);
	return BPF_CORE_READ(o, i_mtime.tv_sec) * FALCON_NS_PER_SEC +
	       BPF_CORE_READ(o, i_mtime.tv_nsec);
}

/*
 * Kernels before 6.2 keep the RSS counters in `struct mm_rss_stat` (an
 * array of atomic_long_t); 6.2 turned them into an array of percpu_counter.
 * The host's BTF only knows the new layout, so the old one is spelled out
 * here and picked at load time; the branch the target kernel lacks is
 * removed by the verifier as dead code.
 */
struct mm_rss_stat___old {
	atomic_long_t count[4];
};

struct mm_struct___old {
	struct mm_rss_stat___old rss_stat;
};

static __always_inline void mm_rss_counters(struct mm_struct *mm, __s64 *file,
					    __s64 *anon, __s64 *swap,
					    __s64 *shm)
{
	if (bpf_core_type_exists(struct mm_rss_stat___old)) {
		struct mm_struct___old *o = (void *)mm;

		*file = BPF_CORE_READ(o, rss_stat.count[0].counter);
		*anon = BPF_CORE_READ(o, rss_stat.count[1].counter);
		*swap = BPF_CORE_READ(o, rss_stat.count[2].counter);
		*shm = BPF_CORE_READ(o, rss_stat.count[3].counter);
	} else {
		*file = BPF_CORE_READ(mm, rss_stat[0].count);
		*anon = BPF_CORE_READ(mm, rss_stat[1].count);
		*swap = BPF_CORE_READ(mm, rss_stat[2].count);
		*shm = BPF_CORE_READ(mm, rss_stat[3].count);
	}
}

/*
 * The parameters clone and execve share, in their order: exe, args, tid,
 * pid, ptid, cwd, fdlimit, pgft_maj, pgft_min, vm_size, vm_rss, vm_swap,
 * comm, cgroups.
 */
static __always_inline void ev_proc_common(struct ev *e, struct task_struct *t)
{
	struct mm_struct *mm = BPF_CORE_READ(t, mm);
	char comm[16];

	if (mm)
		ev_exe_args(e, BPF_CORE_READ(mm, arg_start),
			    BPF_CORE_READ(mm, arg_end));
	else {
		ev_empty(e);
		ev_empty(e);
	}
	ev_u64(e, BPF_CORE_READ(t, pid));
	ev_u64(e, BPF_CORE_READ(t, tgid));
	ev_u64(e, BPF_CORE_READ(t, real_parent, tgid));
	ev_empty(e);	/* cwd: inherited, kept by the engine's thread table */
	ev_u64(e, BPF_CORE_READ(t, signal, rlim[L_RLIMIT_NOFILE].rlim_cur));
	ev_u64(e, BPF_CORE_READ(t, maj_flt));
	ev_u64(e, BPF_CORE_READ(t, min_flt));
	if (mm) {
		__s64 file, anon, swap, shm;

		mm_rss_counters(mm, &file, &anon, &swap, &shm);

		ev_u32(e, BPF_CORE_READ(mm, total_vm) << 2);
		ev_u32(e, (file + anon + shm) << 2);
		ev_u32(e, swap << 2);
	} else {
		ev_u32(e, 0);
		ev_u32(e, 0);
		ev_u32(e, 0);
	}
	bpf_probe_read_kernel_str(comm, sizeof(comm), &t->comm);
	ev_kernel_str(e, comm);
	ev_cgroups(e, t);
}

/* clone/fork/vfork/clone3 exit, parent side (ret > 0) or child (ret == 0). */
static __always_inline int proc_clone_exit(__u16 type, long ret, __u64 flags)
{
	struct task_struct *t = cur_task();
	const struct cred *c = BPF_CORE_READ(t, cred);
	struct ev e;

	if (!ev_begin(&e, type, 21, FALCON_DROP_CLONE_FORK_EXIT))
		return 0;
	ev_u64(&e, ret);
	ev_proc_common(&e, t);
	ev_u32(&e, clone_flags(flags));
	ev_u32(&e, BPF_CORE_READ(c, euid.val));
	ev_u32(&e, BPF_CORE_READ(c, egid.val));
	ev_u64(&e, pid_vnr(BPF_CORE_READ(t, thread_pid)));
	ev_u64(&e, pid_vnr(BPF_CORE_READ(t, group_leader, thread_pid)));
	ev_empty(&e);	/* pidns_init_start_ts */
	return ev_submit(&e);
}

/* memfd_create files are named "memfd:<name>" on the internal shm mount. */
static __always_inline int exe_is_memfd(struct file *exe)
{
	const unsigned char *name = BPF_CORE_READ(exe, f_path.dentry, d_name.name);
	char p[6] = {};

	if (bpf_probe_read_kernel(p, sizeof(p), name))
		return 0;
	return p[0] == 'm' && p[1] == 'e' && p[2] == 'm' && p[3] == 'f' &&
	       p[4] == 'd' && p[5] == ':';
}

/*
 * execve/execveat exit. On success (from sched_process_exec) the new image
 * is in place and `bprm` names the file; on failure (sys_exit) the old
 * process is described and `ufilename` is the user's path argument.
 */
static __always_inline int proc_exec_exit(__u16 type, long ret,
					  struct linux_binprm *bprm,
					  __u64 ufilename)
{
	struct task_struct *t = cur_task();
	const struct cred *c = BPF_CORE_READ(t, cred);
	struct mm_struct *mm = BPF_CORE_READ(t, mm);
	struct file *exe = mm ? BPF_CORE_READ(mm, exe_file) : NULL;
	struct inode *ino = exe ? BPF_CORE_READ(exe, f_inode) : NULL;
	__u32 nparams = type == PPME_SYSCALL_EXECVE_19_X ? 31 : 30;
	__u32 flags = 0;
	struct ev e;

	if (!ev_begin(&e, type, nparams, FALCON_DROP_EXECVE_EXIT))
		return 0;
	ev_u64(&e, ret);
	ev_proc_common(&e, t);
	if (mm)
		ev_user_area(&e, BPF_CORE_READ(mm, env_start),
			     BPF_CORE_READ(mm, env_end));
	else
		ev_empty(&e);
	ev_u32(&e, task_tty(t));
	ev_u64(&e, task_pgid(t));
	ev_u32(&e, BPF_CORE_READ(t, loginuid.val));
	if (exe && exe_is_memfd(exe))
		flags |= PPM_EXE_FROM_MEMFD;
	ev_u32(&e, flags);
	ev_u64(&e, cap_u64(&c->cap_inheritable));
	ev_u64(&e, cap_u64(&c->cap_permitted));
	ev_u64(&e, cap_u64(&c->cap_effective));
	if (ino) {
		ev_u64(&e, BPF_CORE_READ(ino, i_ino));
		ev_u64(&e, inode_ctime_ns(ino));
		ev_u64(&e, inode_mtime_ns(ino));
	} else {
		ev_empty(&e);
		ev_empty(&e);
		ev_empty(&e);
	}
	ev_u32(&e, BPF_CORE_READ(c, euid.val));
	if (exe)
		ev_file_path(&e, exe);
	else
		ev_empty(&e);
	ev_u64(&e, task_pgid(t));
	ev_u32(&e, BPF_CORE_READ(c, egid.val));
	if (type == PPME_SYSCALL_EXECVE_19_X) {
		if (bprm)
			ev_kernel_str(&e, BPF_CORE_READ(bprm, filename));
		else
			ev_user_str(&e, ufilename);
	}
	return ev_submit(&e);
}

/* procexit from sched_process_exit. */
static __always_inline int proc_exit(struct task_struct *t)
{
	int code = BPF_CORE_READ(t, exit_code);
	struct ev e;

	if (!ev_begin(&e, PPME_PROCEXIT_1_E, 5, FALCON_DROP_PROC_EXIT))
		return 0;
	ev_u64(&e, code);
	ev_u64(&e, code >> 8);
	ev_u8(&e, code & 0x7f);
	ev_u8(&e, (code & 0x80) ? 1 : 0);
	ev_u64(&e, 0);	/* reaper_tid: 0 = let the engine pick the reaper */
	return ev_submit(&e);
}

#endif /* FALCON_BPF_PROC_H */
