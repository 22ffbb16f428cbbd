/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Parameters read from the kernel's view of an fd (file, inode, socket) and
 * from user memory that needs decoding (sockaddr, iovec).
 */
#ifndef FALCON_BPF_FILES_H
#define FALCON_BPF_FILES_H

#define L_AF_UNIX 1
#define L_AF_INET 2
#define L_AF_INET6 10
#define L_S_IFMT 00170000
#define L_S_IFSOCK 0140000
#define UNIX_PATH_MAX 108
#define MAX_IOVS 16

static __always_inline struct file *fd_file(long fd)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	struct file **fds;
	struct file *f = NULL;
	unsigned int max;

	if (fd < 0)
		return NULL;
	max = BPF_CORE_READ(t, files, fdt, max_fds);
	if ((unsigned long)fd >= max)
		return NULL;
	fds = BPF_CORE_READ(t, files, fdt, fd);
	if (bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]))
		return NULL;
	return f;
}

/* dev_t as userspace sees it (st_dev), from the kernel's MAJOR<<20|MINOR. */
static __always_inline __u32 user_dev(__u32 kdev)
{
	__u32 major = kdev >> 20, minor = kdev & ((1U << 20) - 1);

	return (minor & 0xff) | (major << 8) | ((minor & ~0xffU) << 12);
}

static __always_inline void ev_fd_dev(struct ev *e, long fd)
{
	struct file *f = fd_file(fd);

	if (!f) {
		ev_empty(e);
		return;
	}
	ev_u32(e, user_dev(BPF_CORE_READ(f, f_inode, i_sb, s_dev)));
}

static __always_inline void ev_fd_ino(struct ev *e, long fd)
{
	struct file *f = fd_file(fd);

	if (!f) {
		ev_empty(e);
		return;
	}
	ev_u64(e, BPF_CORE_READ(f, f_inode, i_ino));
}

/* A user sockaddr of `len` bytes in the scap SOCKADDR encoding. */
static __always_inline void ev_sockaddr(struct ev *e, __u64 uptr, __u64 len)
{
	__u8 *d = &e->buf[e->pos & SCRATCH_MASK];
	__u16 fam = 0;

	if (!uptr || len < 2 ||
	    bpf_probe_read_user(&fam, sizeof(fam), (void *)uptr)) {
		ev_empty(e);
		return;
	}
	if (fam == L_AF_INET && len >= 8) {
		struct sockaddr_in sa = {};

		bpf_probe_read_user(&sa, sizeof(sa), (void *)uptr);
		d[0] = FALCON_AF_INET;
		*(__u32 *)&d[1] = sa.sin_addr.s_addr;
		*(__u16 *)&d[5] = bpf_ntohs(sa.sin_port);
		ev_commit_bytes(e, 7);
	} else if (fam == L_AF_INET6 && len >= 24) {
		struct sockaddr_in6 sa = {};

		bpf_probe_read_user(&sa, sizeof(sa), (void *)uptr);
		d[0] = FALCON_AF_INET6;
		__builtin_memcpy(&d[1], &sa.sin6_addr, 16);
		*(__u16 *)&d[17] = bpf_ntohs(sa.sin6_port);
		ev_commit_bytes(e, 19);
	} else if (fam == L_AF_UNIX) {
		long n;

		d[0] = FALCON_AF_UNIX;
		n = bpf_probe_read_user_str(&d[1], UNIX_PATH_MAX,
					    (void *)(uptr + 2));
		if (n <= 0) {
			d[1] = 0;
			n = 1;
		}
		ev_commit_bytes(e, 1 + n);
	} else {
		ev_empty(e);
	}
}

static __always_inline struct sock *fd_sock(long fd)
{
	struct file *f = fd_file(fd);
	struct socket *so;

	if (!f)
		return NULL;
	if ((BPF_CORE_READ(f, f_inode, i_mode) & L_S_IFMT) != L_S_IFSOCK)
		return NULL;
	so = BPF_CORE_READ(f, private_data);
	if (!so)
		return NULL;
	return BPF_CORE_READ(so, sk);
}

/* Path of a unix socket's bound address into d; returns bytes incl. NUL. */
static __always_inline long unix_path(__u8 *d, struct sock *sk)
{
	struct unix_sock *us = (struct unix_sock *)sk;
	struct unix_address *ua = BPF_CORE_READ(us, addr);
	long n;

	if (!ua || BPF_CORE_READ(ua, len) <= 2) {
		d[0] = 0;
		return 1;
	}
	n = bpf_probe_read_kernel_str(d, UNIX_PATH_MAX, &ua->name[0].sun_path);
	if (n <= 0) {
		d[0] = 0;
		return 1;
	}
	return n;
}

/*
 * The socket tuple of fd in the scap SOCKTUPLE encoding: family, source
 * address, source port, destination address, destination port. Outbound
 * (connect, send): source is the local end. Inbound (accept): the peer.
 */
static __always_inline void ev_tuple_fd(struct ev *e, long fd, int inbound)
{
	__u8 *d = &e->buf[e->pos & SCRATCH_MASK];
	struct sock *sk = fd_sock(fd);
	__u16 fam, lport, rport;

	if (!sk) {
		ev_empty(e);
		return;
	}
	fam = BPF_CORE_READ(sk, __sk_common.skc_family);
	lport = BPF_CORE_READ(sk, __sk_common.skc_num);
	rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (fam == L_AF_INET) {
		__u32 laddr = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		__u32 raddr = BPF_CORE_READ(sk, __sk_common.skc_daddr);

		d[0] = FALCON_AF_INET;
		*(__u32 *)&d[1] = inbound ? raddr : laddr;
		*(__u16 *)&d[5] = inbound ? rport : lport;
		*(__u32 *)&d[7] = inbound ? laddr : raddr;
		*(__u16 *)&d[11] = inbound ? lport : rport;
		ev_commit_bytes(e, 13);
	} else if (fam == L_AF_INET6) {
		struct in6_addr la = BPF_CORE_READ(sk, __sk_common.skc_v6_rcv_saddr);
		struct in6_addr ra = BPF_CORE_READ(sk, __sk_common.skc_v6_daddr);

		d[0] = FALCON_AF_INET6;
		__builtin_memcpy(&d[1], inbound ? &ra : &la, 16);
		*(__u16 *)&d[17] = inbound ? rport : lport;
		__builtin_memcpy(&d[19], inbound ? &la : &ra, 16);
		*(__u16 *)&d[35] = inbound ? lport : rport;
		ev_commit_bytes(e, 37);
	} else if (fam == L_AF_UNIX) {
		struct sock *peer = BPF_CORE_READ((struct unix_sock *)sk, peer);
		long n;

		d[0] = FALCON_AF_UNIX;
		*(__u64 *)&d[1] = (__u64)sk;
		*(__u64 *)&d[9] = (__u64)peer;
		n = unix_path(&d[17], peer ? peer : sk);
		ev_commit_bytes(e, 17 + n);
	} else {
		ev_empty(e);
	}
}

/* Total length of an iovec array (readv/writev size parameter). */
static __always_inline __u64 iov_total(__u64 uiov, __u64 cnt)
{
	struct iovec iov;
	__u64 total = 0;
	int i;

	for (i = 0; i < MAX_IOVS; i++) {
		if (i >= cnt)
			break;
		if (bpf_probe_read_user(&iov, sizeof(iov),
					(void *)(uiov + i * sizeof(iov))))
			break;
		total += iov.iov_len;
	}
	return total;
}

/* Data of an iovec array, at most `avail` bytes and snaplen. */
static __always_inline void ev_iov_data(struct ev *e, __u64 uiov, __u64 cnt,
					__s64 avail)
{
	struct iovec iov;
	__u64 left, done = 0, n;
	int i;

	if (avail <= 0) {
		ev_empty(e);
		return;
	}
	left = (__u64)avail < snaplen ? (__u64)avail : snaplen;
	if (left > FALCON_SNAPLEN_MAX)
		left = FALCON_SNAPLEN_MAX;
	for (i = 0; i < MAX_IOVS; i++) {
		if (i >= cnt || done >= left)
			break;
		if (bpf_probe_read_user(&iov, sizeof(iov),
					(void *)(uiov + i * sizeof(iov))))
			break;
		n = iov.iov_len;
		if (n > left - done)
			n = left - done;
		n &= 0xffff;
		done &= 0xffff;
		if (bpf_probe_read_user(&e->buf[(e->pos + done) & SCRATCH_MASK],
					n, iov.iov_base))
			break;
		done += n;
	}
	ev_commit_bytes(e, done);
}

/* Element `i` (0 or 1) of a user int[2] (pipe, socketpair); empty on fault. */
static __always_inline void ev_user_int_pair(struct ev *e, __u64 uptr, int i,
					     long ret)
{
	int v[2];

	if (ret < 0 || bpf_probe_read_user(v, sizeof(v), (void *)uptr)) {
		ev_empty(e);
		return;
	}
	ev_u64(e, (__s64)v[i & 1]);
}

/* A DYN parameter holding a u64 (index 0, like ptrace's addr/data). */
static __always_inline void ev_dyn_u64(struct ev *e, __u64 v)
{
	__u8 *d = &e->buf[e->pos & SCRATCH_MASK];

	d[0] = 0;
	*(__u64 *)&d[1] = v;
	ev_commit_bytes(e, 9);
}

/* openat2's struct open_how field at byte offset `off`. */
static __always_inline __u64 open_how_field(__u64 uhow, int off)
{
	__u64 v = 0;

	bpf_probe_read_user(&v, sizeof(v), (void *)(uhow + off));
	return v;
}

#endif /* FALCON_BPF_FILES_H */
