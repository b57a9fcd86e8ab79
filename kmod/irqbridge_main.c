// SPDX-License-Identifier: GPL-2.0
/*
 * irqbridge: the Windows ISR -> DPC / WorkItem -> KeSetEvent pattern in
 * Linux terms. A hard-IRQ hrtimer (top half) defers to a tasklet or a work
 * item (bottom half), which signals an eventfd a user program waits on.
 *
 * This file holds the misc device /dev/irqbridge, its file operations and
 * those of its channels. One owner at a time: a second open gets -EBUSY
 * until the device's file and every channel created from it are closed
 * (each channel holds the device's file).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/atomic.h>
#include <linux/cpumask.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/log2.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/uaccess.h>

#include "irqbridge.h"

#ifndef IRQBRIDGE_VERSION
#define IRQBRIDGE_VERSION "unknown"
#endif

static unsigned int ring_records = 32768;
module_param(ring_records, uint, 0444);
MODULE_PARM_DESC(ring_records,
		 "Record slots per session, a power of two (default 32768)");

/*
 * The device has one owner at a time: set by the open of /dev/irqbridge,
 * cleared by the release of that file. Every channel holds the device's
 * file (get_file()), so the release, and with it the end of the ownership,
 * comes after the last channel's: the VFS keeps the count.
 */
static atomic_t irqbridge_owned = ATOMIC_INIT(0);

/*
 * The device's own session plus a channel per possible CPU: what a per-CPU
 * run needs, and a bound on the memory the rings take.
 */
static unsigned int irqbridge_sessions_max(void)
{
	return min_t(unsigned int, num_possible_cpus() + 1,
		     IRQBRIDGE_SESSIONS_MAX);
}

static int irqbridge_open(struct inode *inode, struct file *file)
{
	struct irqbridge_session *s;
	int ret;

	if (atomic_cmpxchg(&irqbridge_owned, 0, 1))
		return -EBUSY;

	s = irqbridge_session_create(ring_records);
	if (IS_ERR(s)) {
		ret = PTR_ERR(s);
		goto err_disown;
	}
	file->private_data = s;

	ret = nonseekable_open(inode, file);
	if (ret)
		goto err_destroy;
	return 0;

err_destroy:
	irqbridge_session_destroy(s);
err_disown:
	atomic_set_release(&irqbridge_owned, 0);
	return ret;
}

/* After every channel's release: each held this file. */
static int irqbridge_release(struct inode *inode, struct file *file)
{
	irqbridge_session_destroy(file->private_data);
	/* Pairs with the cmpxchg of the next open: this session is gone. */
	atomic_set_release(&irqbridge_owned, 0);
	return 0;
}

/*
 * A channel's file: its session, and the device's file it holds (the way
 * ntsync's objects hold their device): destroy the session, count the
 * channel out of the device's session, then let the device's file go, which
 * may release it now.
 */
static int irqbridge_channel_release(struct inode *inode, struct file *file)
{
	struct irqbridge_session *s = file->private_data;
	struct file *parent = s->parent;
	struct irqbridge_session *owner = parent->private_data;

	irqbridge_session_destroy(s);
	atomic_dec(&owner->channels);
	fput(parent);
	return 0;
}

static const struct file_operations irqbridge_channel_fops;

/*
 * IRQBRIDGE_IOC_NEW_CHANNEL, on the device's file only: a new session
 * behind an anonymous file with the channel's file operations
 * (anon_inode_getfd() pins the module), holding @parent until its release.
 * At most irqbridge_sessions_max() - 1 channels at once: -EMFILE beyond.
 */
static long irqbridge_new_channel(struct file *parent)
{
	struct irqbridge_session *owner = parent->private_data;
	struct irqbridge_session *s;
	int fd;

	if (!atomic_add_unless(&owner->channels, 1,
			       irqbridge_sessions_max() - 1))
		return -EMFILE;

	s = irqbridge_session_create(ring_records);
	if (IS_ERR(s)) {
		fd = PTR_ERR(s);
		goto err_uncount;
	}
	s->parent = get_file(parent);

	fd = anon_inode_getfd("[irqbridge-channel]", &irqbridge_channel_fops, s,
			      O_RDWR | O_CLOEXEC);
	if (fd < 0)
		goto err_put_parent;
	return fd;

err_put_parent:
	fput(parent); /* not the last reference: the caller's fd holds it */
	irqbridge_session_destroy(s);
err_uncount:
	atomic_dec(&owner->channels);
	return fd;
}

static int irqbridge_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct irqbridge_session *s = file->private_data;

	return irqbridge_ring_mmap(&s->ring, vma);
}

static long irqbridge_get_info(struct irqbridge_session *s, void __user *argp)
{
	struct irqbridge_info info;

	memset(&info, 0, sizeof(info));
	info.abi_version = IRQBRIDGE_ABI_VERSION;
	info.record_size = sizeof(struct irqbridge_record);
	info.ring_records = s->ring.nr;
	info.modes = irqbridge_bh_supported_modes();
	info.ring_bytes = s->ring.bytes;
	info.sources = irqbridge_sources_available();
	strscpy(info.module_version, IRQBRIDGE_VERSION,
		sizeof(info.module_version));

	return copy_to_user(argp, &info, sizeof(info)) ? -EFAULT : 0;
}

/*
 * The catalogue: every row of the bottom-half and source tables. Needs no
 * session state, so it answers on a busy session too.
 */
static long irqbridge_get_catalogue(void __user *argp)
{
	struct irqbridge_catalogue *cat;
	long ret = 0;

	cat = kzalloc(sizeof(*cat), GFP_KERNEL);
	if (!cat)
		return -ENOMEM;
	cat->size = sizeof(*cat);
	irqbridge_bh_catalogue(cat);
	irqbridge_source_catalogue(cat);
	if (copy_to_user(argp, cat, sizeof(*cat)))
		ret = -EFAULT;
	kfree(cat);
	return ret;
}

static long irqbridge_set_eventfd(struct irqbridge_session *s,
				  void __user *argp)
{
	__s32 fd;

	if (copy_from_user(&fd, argp, sizeof(fd)))
		return -EFAULT;
	return irqbridge_session_set_eventfd(s, fd);
}

/* The numbers' sizes and the layouts agree, so config.size can be checked. */
static_assert(_IOC_SIZE(IRQBRIDGE_IOC_CONFIGURE) ==
	      sizeof(struct irqbridge_config));
static_assert(offsetof(struct irqbridge_config, burst) ==
	      IRQBRIDGE_CONFIG_SIZE_V1);

/*
 * CONFIGURE of either layout: @size bytes from userspace. The first layout
 * has no burst field, and a caller of it gets a burst of 1.
 */
static long irqbridge_configure(struct irqbridge_session *s, void __user *argp,
				size_t size)
{
	struct irqbridge_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	if (copy_from_user(&cfg, argp, size))
		return -EFAULT;
	if (size == IRQBRIDGE_CONFIG_SIZE_V1)
		cfg.burst = 1;
	return irqbridge_session_configure(s, &cfg, size);
}

static_assert(offsetof(struct irqbridge_stats, work_capped) ==
	      IRQBRIDGE_STATS_SIZE_V1);

/*
 * A read verb whose struct only grows (GET_STATS, IRQL_PROBE): the size is
 * part of the ioctl number, and fields are only appended. @cmd is @verb's
 * number with any size from the first layout's, @v1_size, up to the
 * newest, @size: a caller built against an older header gets the fields it
 * knows.
 */
static bool irqbridge_is_grown_read(unsigned int cmd, unsigned int verb,
				    size_t v1_size, size_t size)
{
	return _IOC_TYPE(cmd) == IRQBRIDGE_IOC_MAGIC &&
	       _IOC_NR(cmd) == _IOC_NR(verb) && _IOC_DIR(cmd) == _IOC_READ &&
	       _IOC_SIZE(cmd) >= v1_size && _IOC_SIZE(cmd) <= size;
}

/* GET_STATS of any layout from the first one up; @size says how many bytes. */
static bool irqbridge_is_get_stats(unsigned int cmd)
{
	return irqbridge_is_grown_read(cmd, IRQBRIDGE_IOC_GET_STATS,
				       IRQBRIDGE_STATS_SIZE_V1,
				       sizeof(struct irqbridge_stats));
}

static long irqbridge_get_stats(struct irqbridge_session *s, void __user *argp,
				size_t size)
{
	struct irqbridge_stats st;

	irqbridge_session_stats(s, &st);
	st.size = size;
	return copy_to_user(argp, &st, size) ? -EFAULT : 0;
}

static long irqbridge_get_cost(struct irqbridge_session *s, void __user *argp)
{
	struct irqbridge_cost cost;

	irqbridge_session_cost(s, &cost);
	return copy_to_user(argp, &cost, sizeof(cost)) ? -EFAULT : 0;
}

static ssize_t irqbridge_read(struct file *file, char __user *buf, size_t count,
			      loff_t *ppos)
{
	return irqbridge_session_read(file->private_data, buf, count,
				      file->f_flags & O_NONBLOCK);
}

static __poll_t irqbridge_poll(struct file *file, poll_table *wait)
{
	return irqbridge_session_poll(file->private_data, file, wait);
}

static_assert(offsetof(struct irqbridge_irql_probe, steps) +
		      13 * sizeof(struct irqbridge_probe_step) ==
	      IRQBRIDGE_IRQL_PROBE_SIZE_V1);

/*
 * IRQL_PROBE of any layout from the first one up, as GET_STATS: steps are
 * only appended, and an older caller gets the steps it knows.
 */
static bool irqbridge_is_irql_probe(unsigned int cmd)
{
	return irqbridge_is_grown_read(cmd, IRQBRIDGE_IOC_IRQL_PROBE,
				       IRQBRIDGE_IRQL_PROBE_SIZE_V1,
				       sizeof(struct irqbridge_irql_probe));
}

static long irqbridge_probe_irql(void __user *argp, size_t size)
{
	struct irqbridge_irql_probe *probe;
	long ret;

	probe = kzalloc(sizeof(*probe), GFP_KERNEL);
	if (!probe)
		return -ENOMEM;
	ret = irqbridge_irql_probe(probe);
	probe->size = size;
	if (!ret && copy_to_user(argp, probe, size))
		ret = -EFAULT;
	kfree(probe);
	return ret;
}

/*
 * The verbs of a session, the device's own or a channel's:
 * -ENOIOCTLCMD for anything else (the VFS returns -ENOTTY).
 */
static long irqbridge_session_ioctl(struct irqbridge_session *s,
				    unsigned int cmd, void __user *argp)
{
	switch (cmd) {
	case IRQBRIDGE_IOC_GET_INFO:
		return irqbridge_get_info(s, argp);
	case IRQBRIDGE_IOC_SET_EVENTFD:
		return irqbridge_set_eventfd(s, argp);
	case IRQBRIDGE_IOC_CONFIGURE:
		return irqbridge_configure(s, argp,
					   sizeof(struct irqbridge_config));
	case IRQBRIDGE_IOC_CONFIGURE_V1:
		return irqbridge_configure(s, argp, IRQBRIDGE_CONFIG_SIZE_V1);
	case IRQBRIDGE_IOC_START:
		return irqbridge_session_start(s);
	case IRQBRIDGE_IOC_STOP:
		irqbridge_session_stop(s);
		return 0;
	case IRQBRIDGE_IOC_GET_COST:
		return irqbridge_get_cost(s, argp);
	case IRQBRIDGE_IOC_GET_CATALOGUE:
		return irqbridge_get_catalogue(argp);
	default:
		if (irqbridge_is_get_stats(cmd))
			return irqbridge_get_stats(s, argp, _IOC_SIZE(cmd));
		return -ENOIOCTLCMD;
	}
}

/* /dev/irqbridge: the session verbs and the device's own. */
static long irqbridge_ioctl(struct file *file, unsigned int cmd,
			    unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case IRQBRIDGE_IOC_NEW_CHANNEL:
		return irqbridge_new_channel(file);
	default:
		if (irqbridge_is_irql_probe(cmd))
			return irqbridge_probe_irql(argp, _IOC_SIZE(cmd));
		return irqbridge_session_ioctl(file->private_data, cmd, argp);
	}
}

/* A channel: the session verbs only, so NEW_CHANNEL is -ENOTTY here. */
static long irqbridge_channel_ioctl(struct file *file, unsigned int cmd,
				    unsigned long arg)
{
	return irqbridge_session_ioctl(file->private_data, cmd,
				       (void __user *)arg);
}

static const struct file_operations irqbridge_fops = {
	.owner = THIS_MODULE,
	.open = irqbridge_open,
	.release = irqbridge_release,
	.mmap = irqbridge_mmap,
	.read = irqbridge_read,
	.poll = irqbridge_poll,
	.unlocked_ioctl = irqbridge_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static const struct file_operations irqbridge_channel_fops = {
	.owner = THIS_MODULE,
	.release = irqbridge_channel_release,
	.mmap = irqbridge_mmap,
	.read = irqbridge_read,
	.poll = irqbridge_poll,
	.unlocked_ioctl = irqbridge_channel_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice irqbridge_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "irqbridge",
	.fops = &irqbridge_fops,
	.mode = 0600,
};

static int __init irqbridge_init(void)
{
	int ret;

	if (!is_power_of_2(ring_records) || ring_records > (1U << 22)) {
		pr_err("ring_records=%u: must be a power of two up to %u\n",
		       ring_records, 1U << 22);
		return -EINVAL;
	}

	ret = irqbridge_bh_global_init();
	if (ret)
		return ret;

	ret = irqbridge_irqchip_init();
	if (ret)
		goto err_bh_exit;

	ret = irqbridge_edu_register();
	if (ret)
		goto err_irqchip_exit;

	ret = misc_register(&irqbridge_misc);
	if (ret)
		goto err_edu_unregister;

	pr_info("version %s: /dev/%s ready (modes 0x%x, sources 0x%x, %u ring records)\n",
		IRQBRIDGE_VERSION, irqbridge_misc.name,
		irqbridge_bh_supported_modes(), irqbridge_sources_available(),
		ring_records);
	return 0;

err_edu_unregister:
	irqbridge_edu_unregister();
err_irqchip_exit:
	irqbridge_irqchip_exit();
err_bh_exit:
	irqbridge_bh_global_exit();
	return ret;
}

static void __exit irqbridge_exit(void)
{
	misc_deregister(&irqbridge_misc);
	irqbridge_edu_unregister();
	irqbridge_irqchip_exit();
	irqbridge_bh_global_exit();
}

module_init(irqbridge_init);
module_exit(irqbridge_exit);

MODULE_AUTHOR("irqbridge developers");
MODULE_DESCRIPTION("Windows ISR -> DPC/WorkItem -> event pattern, measured");
MODULE_LICENSE("GPL");
MODULE_VERSION(IRQBRIDGE_VERSION);
