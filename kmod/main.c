// SPDX-License-Identifier: GPL-2.0-only
/*
 * falcon.ko: syscall and process events for falcon, in the scap event
 * format, through per-CPU rings mapped by /dev/falcon0 .. N-1.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include "falcon.h"

unsigned long falcon_ring_bytes = FALCON_DEFAULT_RING_BYTES;

static int ring_bytes_set(const char *val, const struct kernel_param *kp)
{
	unsigned long v;
	int err = kstrtoul(val, 0, &v);

	if (err)
		return err;
	if (!falcon_ring_size_valid(v))
		return -EINVAL;
	*(unsigned long *)kp->arg = v;
	return 0;
}

static const struct kernel_param_ops ring_bytes_ops = {
	.set = ring_bytes_set,
	.get = param_get_ulong,
};

module_param_cb(ring_bytes, &ring_bytes_ops, &falcon_ring_bytes, 0644);
MODULE_PARM_DESC(ring_bytes,
		 "bytes per CPU ring: a power of two above 2 pages (default 8 MiB); applies to rings opened afterwards");

/*
 * Like the eBPF probe's self filter: the consumer's own syscalls are not
 * captured (its drain loop and alert output would feed themselves), unless
 * this is set (the tests check their own syscalls).
 */
bool falcon_capture_self;
module_param_named(capture_self, falcon_capture_self, bool, 0644);
MODULE_PARM_DESC(capture_self,
		 "also capture the consumer process's own events (default: no)");

static int __init falcon_init(void)
{
	int err = falcon_device_init();

	if (err)
		return err;
	pr_info("falcon: %u rings of %lu bytes, api %llu.%llu.%llu schema %llu.%llu.%llu\n",
		num_possible_cpus(), falcon_ring_bytes,
		FALCON_VERSION_MAJOR(FALCON_API_VERSION),
		FALCON_VERSION_MINOR(FALCON_API_VERSION),
		FALCON_VERSION_PATCH(FALCON_API_VERSION),
		FALCON_VERSION_MAJOR(FALCON_SCHEMA_VERSION),
		FALCON_VERSION_MINOR(FALCON_SCHEMA_VERSION),
		FALCON_VERSION_PATCH(FALCON_SCHEMA_VERSION));
	return 0;
}

static void __exit falcon_exit(void)
{
	falcon_device_exit();
}

module_init(falcon_init);
module_exit(falcon_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("falcon");
MODULE_DESCRIPTION("falcon syscall capture (scap event format)");
MODULE_VERSION(FALCON_MODULE_VERSION);
MODULE_INFO(api_version, __stringify(FALCON_API_VERSION_MAJOR) "."
	    __stringify(FALCON_API_VERSION_MINOR) "."
	    __stringify(FALCON_API_VERSION_PATCH));
MODULE_INFO(schema_version, __stringify(FALCON_SCHEMA_VERSION_MAJOR) "."
	    __stringify(FALCON_SCHEMA_VERSION_MINOR) "."
	    __stringify(FALCON_SCHEMA_VERSION_PATCH));
