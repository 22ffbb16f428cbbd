/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Writing one event in the scap layout of driver/abi/falcon_abi.h:
 * the 26-byte header, nparams u16 lengths, then the bodies.
 *
 * An event is built in the per-CPU scratch slot and copied into this CPU's
 * ring buffer by ev_submit(). Fixed-size events (only integers, known at
 * build time) are written straight into a ring reservation instead:
 * ev_reserve() ... ev_commit().
 */
#ifndef FALCON_BPF_EVENT_H
#define FALCON_BPF_EVENT_H

#define HDR_LEN FALCON_EVT_HDR_LEN
#define LEN_SLOT(i) (HDR_LEN + 2 * ((i) & (FALCON_MAX_EVENT_PARAMS - 1)))

struct ev {
	__u8 *buf;		/* scratch slot data */
	__u8 *path;		/* scratch slot path area */
	__u64 pos;		/* next body byte */
	__u32 idx;		/* next length slot */
	__u32 cat;		/* drop category, enum falcon_drop_category */
	struct falcon_bpf_counters *cnt;
	void *rb;		/* ring of a reservation (ev_reserve) */
};

static __always_inline __u64 now_ns(void)
{
	return boot_time_ns + bpf_ktime_get_boot_ns();
}

static __always_inline struct falcon_bpf_counters *cpu_counters(void)
{
	__u32 cpu = bpf_get_smp_processor_id();

	return bpf_map_lookup_elem(&counters, &cpu);
}

/* Submit flags: no wakeup unless the ring is filling up (see maps.h). */
static __always_inline __u64 wake_flags(void *rb)
{
	if (bpf_ringbuf_query(rb, BPF_RB_AVAIL_DATA) >= wakeup_bytes)
		return BPF_RB_FORCE_WAKEUP;
	return BPF_RB_NO_WAKEUP;
}

static __always_inline void count_drop(struct falcon_bpf_counters *cnt,
				       __u32 cat)
{
	if (!cnt)
		return;
	cnt->n_drops_buffer++;
	if (cat < FALCON_DROP_CATEGORIES)
		cnt->n_drops_buffer_cat[cat]++;
}

/* Starts an event of `type` with `nparams` parameters in the scratch slot. */
static __always_inline int ev_begin(struct ev *e, __u16 type, __u32 nparams,
				    __u32 cat)
{
	__u32 cpu = bpf_get_smp_processor_id();
	struct scratch *s = bpf_map_lookup_elem(&scratch_map, &cpu);

	e->cnt = bpf_map_lookup_elem(&counters, &cpu);
	e->cat = cat;
	if (!s) {
		if (e->cnt)
			e->cnt->n_drops_scratch++;
		return 0;
	}
	e->buf = s->data;
	e->path = s->path;
	*(__u64 *)&e->buf[0] = now_ns();
	*(__u64 *)&e->buf[8] = (__u32)bpf_get_current_pid_tgid();
	*(__u16 *)&e->buf[20] = type;
	*(__u32 *)&e->buf[22] = nparams;
	e->pos = HDR_LEN + 2 * nparams;
	e->idx = 0;
	return 1;
}

/*
 * Starts a fixed-size event of exactly `size` bytes (a constant) straight in
 * this CPU's ring: reserve now, ev_commit() when filled, no copy.
 */
static __always_inline int ev_reserve(struct ev *e, __u16 type, __u32 nparams,
				      __u32 size, __u32 cat)
{
	__u32 cpu = bpf_get_smp_processor_id();
	void *rb = bpf_map_lookup_elem(&ringbufs, &cpu);

	e->cnt = bpf_map_lookup_elem(&counters, &cpu);
	e->cat = cat;
	if (!rb) {
		count_drop(e->cnt, cat);
		return 0;
	}
	e->buf = bpf_ringbuf_reserve(rb, size, 0);
	if (!e->buf) {
		count_drop(e->cnt, cat);
		return 0;
	}
	e->rb = rb;
	e->path = NULL;
	*(__u64 *)&e->buf[0] = now_ns();
	*(__u64 *)&e->buf[8] = (__u32)bpf_get_current_pid_tgid();
	*(__u32 *)&e->buf[16] = size;
	*(__u16 *)&e->buf[20] = type;
	*(__u32 *)&e->buf[22] = nparams;
	e->pos = HDR_LEN + 2 * nparams;
	e->idx = 0;
	return 1;
}

/* Publishes an event started with ev_reserve(). */
static __always_inline int ev_commit(struct ev *e)
{
	bpf_ringbuf_submit(e->buf, wake_flags(e->rb));
	if (e->cnt)
		e->cnt->n_evts++;
	return 0;
}

/* Overrides the thread id of the header (child side of a fork). */
static __always_inline void ev_set_tid(struct ev *e, __u64 tid)
{
	*(__u64 *)&e->buf[8] = tid;
}

static __always_inline void ev_len(struct ev *e, __u16 len)
{
	*(__u16 *)&e->buf[LEN_SLOT(e->idx)] = len;
	e->idx++;
}

static __always_inline void ev_empty(struct ev *e)
{
	ev_len(e, 0);
}

static __always_inline void ev_u8(struct ev *e, __u8 v)
{
	*(__u8 *)&e->buf[e->pos & SCRATCH_MASK] = v;
	e->pos += 1;
	ev_len(e, 1);
}

static __always_inline void ev_u16(struct ev *e, __u16 v)
{
	*(__u16 *)&e->buf[e->pos & SCRATCH_MASK] = v;
	e->pos += 2;
	ev_len(e, 2);
}

static __always_inline void ev_u32(struct ev *e, __u32 v)
{
	*(__u32 *)&e->buf[e->pos & SCRATCH_MASK] = v;
	e->pos += 4;
	ev_len(e, 4);
}

static __always_inline void ev_u64(struct ev *e, __u64 v)
{
	*(__u64 *)&e->buf[e->pos & SCRATCH_MASK] = v;
	e->pos += 8;
	ev_len(e, 8);
}

/* A NUL-terminated user string of at most `max` bytes; empty on fault. */
static __always_inline void ev_user_str(struct ev *e, __u64 uptr)
{
	long n = bpf_probe_read_user_str(&e->buf[e->pos & SCRATCH_MASK],
					 FALCON_MAX_PATH_SIZE,
					 (const void *)uptr);

	if (n <= 0 || !uptr) {
		ev_empty(e);
		return;
	}
	e->pos += n;
	ev_len(e, n);
}

/* A NUL-terminated kernel string of at most `max` bytes; empty on fault. */
static __always_inline void ev_kernel_str(struct ev *e, const void *kptr)
{
	long n = bpf_probe_read_kernel_str(&e->buf[e->pos & SCRATCH_MASK],
					   FALCON_MAX_PATH_SIZE, kptr);

	if (n <= 0) {
		ev_empty(e);
		return;
	}
	e->pos += n;
	ev_len(e, n);
}

/* Up to `len` bytes of user memory, cut at `limit` (snaplen or args size). */
static __always_inline void ev_user_buf(struct ev *e, __u64 uptr, __s64 len,
					__u32 limit)
{
	__u32 n;

	if (len <= 0 || !uptr) {
		ev_empty(e);
		return;
	}
	n = len > limit ? limit : len;
	if (n > FALCON_SNAPLEN_MAX)
		n = FALCON_SNAPLEN_MAX;
	if (bpf_probe_read_user(&e->buf[e->pos & SCRATCH_MASK], n,
				(const void *)uptr)) {
		ev_empty(e);
		return;
	}
	e->pos += n;
	ev_len(e, n);
}

/* Raw bytes already in the scratch slot at the current position. */
static __always_inline void ev_commit_bytes(struct ev *e, __u32 n)
{
	e->pos += n;
	ev_len(e, n);
}

/* Copies the finished event into this CPU's ring; counts the outcome. */
static __always_inline int ev_submit(struct ev *e)
{
	__u32 cpu = bpf_get_smp_processor_id();
	__u64 len = e->pos;
	void *rb;

	if (len > FALCON_MAX_EVENT_SIZE) {
		if (e->cnt)
			e->cnt->n_drops_max_event_size++;
		return 0;
	}
	*(__u32 *)&e->buf[16] = len;
	rb = bpf_map_lookup_elem(&ringbufs, &cpu);
	if (!rb) {
		count_drop(e->cnt, e->cat);
		return 0;
	}
	if (bpf_ringbuf_output(rb, e->buf, len, wake_flags(rb))) {
		count_drop(e->cnt, e->cat);
		return 0;
	}
	if (e->cnt)
		e->cnt->n_evts++;
	return 0;
}

#endif /* FALCON_BPF_EVENT_H */
