/* SPDX-License-Identifier: Apache-2.0 OR GPL-2.0-only */
/*
 * falcon kernel <-> user ABI.
 *
 * This header is the one contract shared by the kernel module (kmod/), the
 * eBPF probe (driver/bpf/) and the Rust driver crate (read by bindgen in
 * driver/build.rs). It holds only constants and plain-data layouts: no code.
 *
 * Event layout (all little-endian, packed):
 *   struct falcon_evt_hdr          26 bytes
 *   u16 len[nparams]               (u32 for events flagged EF_LARGE_PAYLOAD)
 *   parameter bodies, back to back, no padding
 *
 * An empty parameter (length 0) means "not available" for every type.
 */
#ifndef FALCON_ABI_H
#define FALCON_ABI_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/ioctl.h>
#elif defined(__bpf__)
/* the eBPF probe gets the fixed-width types from vmlinux.h */
#else
#include <stdint.h>
#include <sys/ioctl.h>
typedef uint8_t __u8;
typedef uint16_t __u16;
typedef uint32_t __u32;
typedef uint64_t __u64;
typedef int64_t __s64;
#endif

/* Versions, packed like upstream: major bits 44-62, minor 24-43, patch 0-23. */
#define FALCON_VERSION_PACK(maj, min, pat) \
	((((__u64)(maj)) << 44) | (((__u64)(min)) << 24) | ((__u64)(pat)))
#define FALCON_VERSION_MAJOR(v) (((v) >> 44) & ((1ULL << 19) - 1))
#define FALCON_VERSION_MINOR(v) (((v) >> 24) & ((1ULL << 20) - 1))
#define FALCON_VERSION_PATCH(v) ((v) & ((1ULL << 24) - 1))

/* API: ring layout, ioctls, maps. Bump minor for additions, major for breaks. */
#define FALCON_API_VERSION_MAJOR 1
#define FALCON_API_VERSION_MINOR 0
#define FALCON_API_VERSION_PATCH 0
/* SCHEMA: the event table (falcon_events.def); follows upstream scap 4.5.1. */
#define FALCON_SCHEMA_VERSION_MAJOR 4
#define FALCON_SCHEMA_VERSION_MINOR 5
#define FALCON_SCHEMA_VERSION_PATCH 1

#define FALCON_API_VERSION \
	FALCON_VERSION_PACK(FALCON_API_VERSION_MAJOR, FALCON_API_VERSION_MINOR, \
			    FALCON_API_VERSION_PATCH)
#define FALCON_SCHEMA_VERSION \
	FALCON_VERSION_PACK(FALCON_SCHEMA_VERSION_MAJOR, \
			    FALCON_SCHEMA_VERSION_MINOR, \
			    FALCON_SCHEMA_VERSION_PATCH)

/* Limits */
#define FALCON_EVT_HDR_LEN 26
#define FALCON_MAX_EVENT_PARAMS 32
#define FALCON_MAX_ARG_SIZE 65000
#define FALCON_MAX_EVENT_SIZE (64 * 1024)
#define FALCON_MAX_PATH_SIZE 4096
#define FALCON_MAX_ARGS_SIZE 4096
#define FALCON_SNAPLEN_DEFAULT 80
#define FALCON_SNAPLEN_MAX 65000
#define FALCON_SYSCALL_TABLE_SIZE 512
#define FALCON_DEFAULT_RING_BYTES (8 * 1024 * 1024)

/* Event header, packed (26 bytes). */
struct falcon_evt_hdr {
	__u64 ts;	/* ns since the epoch */
	__u64 tid;	/* host thread id */
	__u32 len;	/* whole event length, header included */
	__u16 type;	/* event type (PPME_*) */
	__u32 nparams;	/* number of parameter lengths that follow */
} __attribute__((packed));

/* Parameter types (wire encodings: see driver/src/abi.rs). */
enum falcon_param_type {
	PT_NONE = 0,
	PT_INT8 = 1,
	PT_INT16 = 2,
	PT_INT32 = 3,
	PT_INT64 = 4,
	PT_UINT8 = 5,
	PT_UINT16 = 6,
	PT_UINT32 = 7,
	PT_UINT64 = 8,
	PT_CHARBUF = 9,
	PT_BYTEBUF = 10,
	PT_ERRNO = 11,
	PT_SOCKADDR = 12,
	PT_SOCKTUPLE = 13,
	PT_FD = 14,
	PT_PID = 15,
	PT_FDLIST = 16,
	PT_FSPATH = 17,
	PT_SYSCALLID = 18,
	PT_SIGTYPE = 19,
	PT_RELTIME = 20,
	PT_ABSTIME = 21,
	PT_PORT = 22,
	PT_L4PROTO = 23,
	PT_SOCKFAMILY = 24,
	PT_BOOL = 25,
	PT_IPV4ADDR = 26,
	PT_DYN = 27,
	PT_FLAGS8 = 28,
	PT_FLAGS16 = 29,
	PT_FLAGS32 = 30,
	PT_UID = 31,
	PT_GID = 32,
	PT_DOUBLE = 33,
	PT_SIGSET = 34,
	PT_CHARBUFARRAY = 35,
	PT_CHARBUF_PAIR_ARRAY = 36,
	PT_IPV4NET = 37,
	PT_IPV6ADDR = 38,
	PT_IPV6NET = 39,
	PT_IPADDR = 40,
	PT_IPNET = 41,
	PT_MODE = 42,
	PT_FSRELPATH = 43,
	PT_ENUMFLAGS8 = 44,
	PT_ENUMFLAGS16 = 45,
	PT_ENUMFLAGS32 = 46,
	PT_FD32 = 47,
	PT_PID32 = 48,
	PT_MAX = 49
};

/* Event flags. */
enum falcon_event_flags {
	EF_NONE = 0,
	EF_CREATES_FD = (1 << 0),
	EF_DESTROYS_FD = (1 << 1),
	EF_USES_FD = (1 << 2),
	EF_READS_FROM_FD = (1 << 3),
	EF_WRITES_TO_FD = (1 << 4),
	EF_MODIFIES_STATE = (1 << 5),
	EF_UNUSED = (1 << 6),
	EF_WAITS = (1 << 7),
	EF_SKIPPARSERESET = (1 << 8),
	EF_OLD_VERSION = (1 << 9),
	EF_LARGE_PAYLOAD = (1 << 11),
	EF_CONVERTER_MANAGED = (1 << 12),
};

/* Event categories: one low category OR'ed with one source bit. */
enum falcon_event_category {
	EC_UNKNOWN = 0,
	EC_OTHER = 1,
	EC_FILE = 2,
	EC_NET = 3,
	EC_IPC = 4,
	EC_MEMORY = 5,
	EC_PROCESS = 6,
	EC_SLEEP = 7,
	EC_SYSTEM = 8,
	EC_SIGNAL = 9,
	EC_USER = 10,
	EC_TIME = 11,
	EC_PROCESSING = 12,
	EC_IO_READ = 32,
	EC_IO_WRITE = 33,
	EC_IO_OTHER = 34,
	EC_WAIT = (1 << 6),
	EC_SCHEDULER = (1 << 7),
	EC_INTERNAL = (1 << 8),
	EC_SYSCALL = (1 << 9),
	EC_TRACEPOINT = (1 << 10),
	EC_PLUGIN = (1 << 11),
	EC_METAEVENT = (1 << 12),
	EC_ITER = (1 << 13),
};

/* Event type codes, from the event table. */
enum falcon_event_type {
#define FP(name, type, dirfd)
#define FALCON_EVENT(code, sym, ...) sym = code,
#include "falcon_events.def"
#undef FALCON_EVENT
#undef FP
	FALCON_EVENT_MAX
};

/* Socket address families as encoded in SOCKADDR/SOCKTUPLE parameters. */
#define FALCON_AF_UNSPEC 0
#define FALCON_AF_UNIX 1
#define FALCON_AF_INET 2
#define FALCON_AF_INET6 10

/*
 * Drop categories. Every lost event is counted under exactly one of these,
 * plus in the total of its cause (buffer full, page fault, scratch, size).
 */
enum falcon_drop_category {
	FALCON_DROP_CLONE_FORK_EXIT = 0,
	FALCON_DROP_EXECVE_EXIT = 1,
	FALCON_DROP_CONNECT_ENTER = 2,
	FALCON_DROP_CONNECT_EXIT = 3,
	FALCON_DROP_OPEN_ENTER = 4,
	FALCON_DROP_OPEN_EXIT = 5,
	FALCON_DROP_DIR_FILE_EXIT = 6,
	FALCON_DROP_OTHER_INTEREST_EXIT = 7,
	FALCON_DROP_CLOSE_EXIT = 8,
	FALCON_DROP_PROC_EXIT = 9,
	FALCON_DROP_CATEGORIES = 10
};

/*
 * Kernel module ring: the 128-byte info page mapped at offset 0 of
 * /dev/falconN (read-write: userspace writes tail). Natural alignment.
 * head is written by the kernel after a write barrier; tail by userspace.
 */
struct falcon_ring_info {
	volatile __u32 head;
	volatile __u32 tail;
	__u64 n_evts;
	__u64 n_drops_buffer;
	__u64 n_drops_buffer_cat[FALCON_DROP_CATEGORIES];
	__u64 n_drops_pf;
	__u64 n_preemptions;
	__u64 n_context_switches;
};

/*
 * eBPF probe: per-CPU counters, one entry per CPU in the `counters` array map.
 */
struct falcon_bpf_counters {
	__u64 n_evts;
	__u64 n_drops_buffer;
	__u64 n_drops_buffer_cat[FALCON_DROP_CATEGORIES];
	__u64 n_drops_scratch;
	__u64 n_drops_pf;
	__u64 n_drops_max_event_size;
};

/* Kernel module tracepoint codes (ENABLE_TP / DISABLE_TP argument). */
enum falcon_tp_code {
	FALCON_TP_SYS_ENTER = 0,
	FALCON_TP_SYS_EXIT = 1,
	FALCON_TP_SCHED_PROCESS_EXIT = 2,
	FALCON_TP_SCHED_SWITCH = 3,
	FALCON_TP_PAGE_FAULT_USER = 4,
	FALCON_TP_PAGE_FAULT_KERNEL = 5,
	FALCON_TP_SIGNAL_DELIVER = 6,
	FALCON_TP_SCHED_PROCESS_FORK = 7,
	FALCON_TP_SCHED_PROCESS_EXEC = 8,
	FALCON_TP_MAX = 9
};

/*
 * ioctls on /dev/falconN. All are _IO(FALCON_IOCTL_MAGIC, nr) like upstream,
 * so the numeric value is 0x7300 | nr; pointer arguments are passed as the
 * unsigned long argument.
 */
#define FALCON_IOCTL_MAGIC 's'
#define FALCON_IOCTL_NR_DISABLE_CAPTURE 0
#define FALCON_IOCTL_DISABLE_CAPTURE _IO(FALCON_IOCTL_MAGIC, FALCON_IOCTL_NR_DISABLE_CAPTURE)
#define FALCON_IOCTL_NR_ENABLE_CAPTURE 1
#define FALCON_IOCTL_ENABLE_CAPTURE _IO(FALCON_IOCTL_MAGIC, FALCON_IOCTL_NR_ENABLE_CAPTURE)
#define FALCON_IOCTL_NR_SET_SNAPLEN 4
#define FALCON_IOCTL_SET_SNAPLEN _IO(FALCON_IOCTL_MAGIC, FALCON_IOCTL_NR_SET_SNAPLEN)
#define FALCON_IOCTL_NR_GET_CURRENT_TID 12
#define FALCON_IOCTL_GET_CURRENT_TID _IO(FALCON_IOCTL_MAGIC, FALCON_IOCTL_NR_GET_CURRENT_TID)
#define FALCON_IOCTL_NR_GET_CURRENT_PID 13
#define FALCON_IOCTL_GET_CURRENT_PID _IO(FALCON_IOCTL_MAGIC, FALCON_IOCTL_NR_GET_CURRENT_PID)
#define FALCON_IOCTL_NR_GET_DRIVER_VERSION 21
#define FALCON_IOCTL_GET_DRIVER_VERSION _IO(FALCON_IOCTL_MAGIC, FALCON_IOCTL_NR_GET_DRIVER_VERSION)
/* arg: pointer to __u64 receiving the packed version */
#define FALCON_IOCTL_NR_GET_API_VERSION 24
#define FALCON_IOCTL_GET_API_VERSION _IO(FALCON_IOCTL_MAGIC, FALCON_IOCTL_NR_GET_API_VERSION)
#define FALCON_IOCTL_NR_GET_SCHEMA_VERSION 25
#define FALCON_IOCTL_GET_SCHEMA_VERSION _IO(FALCON_IOCTL_MAGIC, FALCON_IOCTL_NR_GET_SCHEMA_VERSION)
/* arg: native syscall number */
#define FALCON_IOCTL_NR_ENABLE_SYSCALL 29
#define FALCON_IOCTL_ENABLE_SYSCALL _IO(FALCON_IOCTL_MAGIC, FALCON_IOCTL_NR_ENABLE_SYSCALL)
#define FALCON_IOCTL_NR_DISABLE_SYSCALL 30
#define FALCON_IOCTL_DISABLE_SYSCALL _IO(FALCON_IOCTL_MAGIC, FALCON_IOCTL_NR_DISABLE_SYSCALL)
/* arg: enum falcon_tp_code */
#define FALCON_IOCTL_NR_ENABLE_TP 31
#define FALCON_IOCTL_ENABLE_TP _IO(FALCON_IOCTL_MAGIC, FALCON_IOCTL_NR_ENABLE_TP)
#define FALCON_IOCTL_NR_DISABLE_TP 32
#define FALCON_IOCTL_DISABLE_TP _IO(FALCON_IOCTL_MAGIC, FALCON_IOCTL_NR_DISABLE_TP)

/* Device and module names. */
#define FALCON_DEVICE_NAME "falcon"
#define FALCON_MODULE_NAME "falcon"

#endif /* FALCON_ABI_H */
