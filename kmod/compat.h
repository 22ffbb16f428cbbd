/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel API differences between the kernels falcon supports (5.10 .. 6.12).
 */
#ifndef FALCON_COMPAT_H
#define FALCON_COMPAT_H

#include <linux/version.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/mm.h>

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#define falcon_class_create(name) class_create(name)
#else
#define falcon_class_create(name) class_create(THIS_MODULE, name)
#endif

static inline void falcon_vma_set_flags(struct vm_area_struct *vma,
					unsigned long set, unsigned long clear)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_mod(vma, set, clear);
#else
	vma->vm_flags = (vma->vm_flags | set) & ~clear;
#endif
}

static inline u64 falcon_inode_mtime_ns(const struct inode *inode)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
	struct timespec64 t = inode_get_mtime(inode);
#else
	struct timespec64 t = inode->i_mtime;
#endif
	return timespec64_to_ns(&t);
}

static inline u64 falcon_inode_ctime_ns(const struct inode *inode)
{
	struct timespec64 t = inode_get_ctime(inode);

	return timespec64_to_ns(&t);
}

static inline u64 falcon_cap_u64(kernel_cap_t c)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	return c.val;
#else
	return ((u64)c.cap[1] << 32) | c.cap[0];
#endif
}

#endif /* FALCON_COMPAT_H */
