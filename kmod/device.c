// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/falcon0 .. /dev/falcon<N-1>, one per possible CPU.
 *
 * One consumer at a time: the first process to open a device owns the
 * capture; any other process, or a second open of the same device, gets
 * EBUSY. Opening a device allocates its CPU's ring; the first open attaches
 * the tracepoints, the last release detaches them. An open device holds a
 * module reference, so the module cannot be unloaded while in use.
 *
 * Settings (capture on/off, syscall mask, snaplen, tracepoints) belong to
 * the consumer and may be changed through any of its devices. A new
 * consumer starts with capture off, no syscalls, snaplen 80 and every
 * tracepoint enabled.
 */
#include <linux/module.h>
#include <linux/fs.h>
#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/sched.h>
#include <linux/rcupdate.h>
#include "falcon.h"
#include "compat.h"

struct falcon_dev {
	struct falcon_ring ring;
	bool open;
	int cpu;
};

static DEFINE_MUTEX(falcon_lock);	/* consumer, devices, tracepoints */
static struct falcon_dev *falcon_devs;
static unsigned int falcon_ndevs;
static int falcon_nopen;
static dev_t falcon_devt;
static struct cdev falcon_cdev;
static struct class *falcon_class;

struct falcon_settings falcon_cfg;
pid_t falcon_consumer_tgid;		/* written under falcon_lock */
DEFINE_PER_CPU(struct falcon_ring __rcu *, falcon_cpu_ring);

static void falcon_settings_reset(void)
{
	WRITE_ONCE(falcon_cfg.capture, false);
	WRITE_ONCE(falcon_cfg.snaplen, FALCON_SNAPLEN_DEFAULT);
	bitmap_zero(falcon_cfg.syscalls, FALCON_SYSCALL_TABLE_SIZE);
	WRITE_ONCE(falcon_cfg.tp_mask, (1UL << FALCON_TP_SYS_ENTER) |
		   (1UL << FALCON_TP_SYS_EXIT) |
		   (1UL << FALCON_TP_SCHED_PROCESS_EXIT) |
		   (1UL << FALCON_TP_SCHED_PROCESS_FORK) |
		   (1UL << FALCON_TP_SCHED_PROCESS_EXEC));
}

static int falcon_open(struct inode *inode, struct file *filp)
{
	unsigned int minor = iminor(inode);
	struct falcon_dev *dev;
	int err;

	if (minor >= falcon_ndevs)
		return -ENODEV;
	dev = &falcon_devs[minor];

	mutex_lock(&falcon_lock);
	if (falcon_consumer_tgid && falcon_consumer_tgid != current->tgid) {
		err = -EBUSY;
		goto out;
	}
	if (dev->open) {
		err = -EBUSY;
		goto out;
	}
	if (!falcon_ring_size_valid(falcon_ring_bytes)) {
		err = -EINVAL;
		goto out;
	}
	err = falcon_ring_alloc(&dev->ring, dev->cpu, falcon_ring_bytes);
	if (err)
		goto out;
	if (falcon_nopen == 0) {
		falcon_settings_reset();
		err = falcon_tracepoints_attach();
		if (err) {
			falcon_ring_free(&dev->ring);
			goto out;
		}
		WRITE_ONCE(falcon_consumer_tgid, current->tgid);
	}
	rcu_assign_pointer(per_cpu(falcon_cpu_ring, dev->cpu), &dev->ring);
	dev->open = true;
	falcon_nopen++;
	filp->private_data = dev;
	err = 0;
out:
	mutex_unlock(&falcon_lock);
	return err;
}

static int falcon_release(struct inode *inode, struct file *filp)
{
	struct falcon_dev *dev = filp->private_data;

	mutex_lock(&falcon_lock);
	RCU_INIT_POINTER(per_cpu(falcon_cpu_ring, dev->cpu), NULL);
	falcon_nopen--;
	if (falcon_nopen == 0) {
		WRITE_ONCE(falcon_cfg.capture, false);
		/* waits for every running probe */
		falcon_tracepoints_detach();
		WRITE_ONCE(falcon_consumer_tgid, 0);
	} else {
		/* probes run with preemption off: this waits for them */
		synchronize_rcu();
	}
	falcon_ring_free(&dev->ring);
	dev->open = false;
	mutex_unlock(&falcon_lock);
	return 0;
}

static int falcon_mmap(struct file *filp, struct vm_area_struct *vma)
{
	struct falcon_dev *dev = filp->private_data;

	return falcon_ring_mmap(&dev->ring, vma);
}

static long put_u64(unsigned long arg, u64 v)
{
	return copy_to_user((void __user *)arg, &v, sizeof(v)) ? -EFAULT : 0;
}

static long falcon_ioctl(struct file *filp, unsigned int cmd,
			 unsigned long arg)
{
	long err = 0;

	mutex_lock(&falcon_lock);
	switch (cmd) {
	case FALCON_IOCTL_ENABLE_CAPTURE:
		WRITE_ONCE(falcon_cfg.capture, true);
		break;
	case FALCON_IOCTL_DISABLE_CAPTURE:
		WRITE_ONCE(falcon_cfg.capture, false);
		break;
	case FALCON_IOCTL_SET_SNAPLEN:
		if (arg > FALCON_SNAPLEN_MAX)
			err = -EINVAL;
		else
			WRITE_ONCE(falcon_cfg.snaplen, arg);
		break;
	case FALCON_IOCTL_ENABLE_SYSCALL:
	case FALCON_IOCTL_DISABLE_SYSCALL:
		if (arg >= FALCON_SYSCALL_TABLE_SIZE)
			err = -EINVAL;
		else if (cmd == FALCON_IOCTL_ENABLE_SYSCALL)
			set_bit(arg, falcon_cfg.syscalls);
		else
			clear_bit(arg, falcon_cfg.syscalls);
		break;
	case FALCON_IOCTL_ENABLE_TP:
	case FALCON_IOCTL_DISABLE_TP:
		if (arg >= FALCON_TP_MAX)
			err = -EINVAL;
		else if (cmd == FALCON_IOCTL_ENABLE_TP)
			set_bit(arg, &falcon_cfg.tp_mask);
		else
			clear_bit(arg, &falcon_cfg.tp_mask);
		break;
	case FALCON_IOCTL_GET_API_VERSION:
		err = put_u64(arg, FALCON_API_VERSION);
		break;
	case FALCON_IOCTL_GET_SCHEMA_VERSION:
		err = put_u64(arg, FALCON_SCHEMA_VERSION);
		break;
	case FALCON_IOCTL_GET_DRIVER_VERSION:
		if (copy_to_user((void __user *)arg, FALCON_MODULE_VERSION,
				 sizeof(FALCON_MODULE_VERSION)))
			err = -EFAULT;
		break;
	case FALCON_IOCTL_GET_CURRENT_TID:
		err = task_pid_nr(current);
		break;
	case FALCON_IOCTL_GET_CURRENT_PID:
		err = task_tgid_nr(current);
		break;
	default:
		err = -ENOTTY;
	}
	mutex_unlock(&falcon_lock);
	return err;
}

static const struct file_operations falcon_fops = {
	.owner = THIS_MODULE,
	.open = falcon_open,
	.release = falcon_release,
	.mmap = falcon_mmap,
	.unlocked_ioctl = falcon_ioctl,
	.llseek = noop_llseek,
};

int falcon_device_init(void)
{
	unsigned int i;
	int cpu, err;
	struct device *d;

	falcon_ndevs = num_possible_cpus();
	falcon_devs = kcalloc(falcon_ndevs, sizeof(*falcon_devs), GFP_KERNEL);
	if (!falcon_devs)
		return -ENOMEM;
	i = 0;
	for_each_possible_cpu(cpu) {
		if (i >= falcon_ndevs)
			break;
		falcon_devs[i++].cpu = cpu;
	}

	err = alloc_chrdev_region(&falcon_devt, 0, falcon_ndevs,
				  FALCON_DEVICE_NAME);
	if (err)
		goto free_devs;
	cdev_init(&falcon_cdev, &falcon_fops);
	falcon_cdev.owner = THIS_MODULE;
	err = cdev_add(&falcon_cdev, falcon_devt, falcon_ndevs);
	if (err)
		goto unregister;
	falcon_class = falcon_class_create(FALCON_DEVICE_NAME);
	if (IS_ERR(falcon_class)) {
		err = PTR_ERR(falcon_class);
		goto del_cdev;
	}
	for (i = 0; i < falcon_ndevs; i++) {
		d = device_create(falcon_class, NULL,
				  MKDEV(MAJOR(falcon_devt), i), NULL,
				  FALCON_DEVICE_NAME "%u", i);
		if (IS_ERR(d)) {
			err = PTR_ERR(d);
			goto destroy;
		}
	}
	falcon_settings_reset();
	return 0;

destroy:
	while (i--)
		device_destroy(falcon_class, MKDEV(MAJOR(falcon_devt), i));
	class_destroy(falcon_class);
del_cdev:
	cdev_del(&falcon_cdev);
unregister:
	unregister_chrdev_region(falcon_devt, falcon_ndevs);
free_devs:
	kfree(falcon_devs);
	return err;
}

void falcon_device_exit(void)
{
	unsigned int i;

	for (i = 0; i < falcon_ndevs; i++)
		device_destroy(falcon_class, MKDEV(MAJOR(falcon_devt), i));
	class_destroy(falcon_class);
	cdev_del(&falcon_cdev);
	unregister_chrdev_region(falcon_devt, falcon_ndevs);
	kfree(falcon_devs);
}
