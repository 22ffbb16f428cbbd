/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Maps and load-time settings of the falcon probe.
 *
 * The loader (driver/src/bpf/load.rs) sizes every per-CPU map to the number
 * of possible CPUs before load, fills `ringbufs` with one BPF ring buffer per
 * CPU and `sys_exit_progs` with one program per syscall after load, and
 * writes `interesting` from the rules it loaded.
 */
#ifndef FALCON_BPF_MAPS_H
#define FALCON_BPF_MAPS_H

/*
 * Load-time settings, written by the loader before load. They live alone in
 * their own read-only section so that the loader finds them at offset 0 of
 * that map's initial value (layout mirrored in driver/src/bpf/load.rs).
 */
struct falcon_settings {
	__u64 boot_time_ns;	/* CLOCK_REALTIME - CLOCK_BOOTTIME */
	__u64 wakeup_bytes;	/* wake the consumer past this ring fill */
	__u32 self_tgid;	/* falcon itself: never traced */
	__u32 snaplen;		/* bytes of I/O buffers captured */
};

const volatile struct falcon_settings settings SEC(".rodata.settings") = {
	.wakeup_bytes = FALCON_DEFAULT_RING_BYTES / 4,
	.snaplen = FALCON_SNAPLEN_DEFAULT,
};

#define boot_time_ns (settings.boot_time_ns)
#define wakeup_bytes (settings.wakeup_bytes)
#define self_tgid (settings.self_tgid)
#define snaplen (settings.snaplen)

/* One ring buffer per CPU; the inner template is replaced by the loader. */
struct ringbuf_inner {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, FALCON_DEFAULT_RING_BYTES);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct ringbuf_inner);
} ringbufs SEC(".maps");

/* Syscalls of interest, by native number: non-zero means capture. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FALCON_SYSCALL_TABLE_SIZE);
	__type(key, __u32);
	__type(value, __u8);
} interesting SEC(".maps");

/* Tail-call targets of the sys_exit dispatcher, by native number. */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, FALCON_SYSCALL_TABLE_SIZE);
	__type(key, __u32);
	__type(value, __u32);
} sys_exit_progs SEC(".maps");

/* Per-CPU counters (struct falcon_bpf_counters), indexed by CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct falcon_bpf_counters);
} counters SEC(".maps");

/*
 * Scratch space for variable-size events, one slot per CPU. Events are at
 * most FALCON_MAX_EVENT_SIZE bytes; the slot is twice that so that a write
 * of up to 64 KiB at any offset below 64 KiB stays inside it, which is what
 * the verifier needs to see.
 */
#define SCRATCH_SIZE (2 * FALCON_MAX_EVENT_SIZE)
#define SCRATCH_MASK (FALCON_MAX_EVENT_SIZE - 1)

struct scratch {
	__u8 data[SCRATCH_SIZE];
	/* path components collected backwards, see proc.h:push_exe_path */
	__u8 path[2 * FALCON_MAX_PATH_SIZE];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch_map SEC(".maps");

#endif /* FALCON_BPF_MAPS_H */
