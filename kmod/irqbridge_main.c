// SPDX-License-Identifier: GPL-2.0
/*
 * irqbridge: the Windows ISR -> DPC / WorkItem -> KeSetEvent pattern in
 * Linux terms. A hard-IRQ hrtimer (top half) defers to a tasklet or a work
 * item (bottom half), which signals an eventfd a user program waits on.
 *
 * This file holds the misc device /dev/irqbridge and its file operations.
 * One owner at a time: a second open gets -EBUSY until the device's file
 * and every channel created from it are closed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/cpumask.h>
#include <linux/err.h>
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

/* Sessions open: the device's file and its channels. */
static DEFINE_MUTEX(irqbridge_users_lock);
static unsigned int irqbridge_users; /* protected by irqbridge_users_lock */

/*
 * The device's own session plus a channel per possible CPU: what a per-CPU
 * run needs, and a bound on the memory the rings take.
 */
static unsigned int irqbridge_sessions_max(void)
{
	return min_t(unsigned int, num_possible_cpus() + 1,
		     IRQBRIDGE_SESSIONS_MAX);
}

/*
 * Take a user slot: the first (the device's open) only while nobody owns
 * the device, a further one (a channel) only while it is owned.
 */
static int irqbridge_users_get(bool first)
{
	int ret = 0;

	mutex_lock(&irqbridge_users_lock);
	if (first && irqbridge_users)
		ret = -EBUSY;
	else if (!first && !irqbridge_users)
		ret = -ENODEV;
	else if (irqbridge_users >= irqbridge_sessions_max())
		ret = -EMFILE;
	else
		irqbridge_users++;
	mutex_unlock(&irqbridge_users_lock);
	return ret;
}

static void irqbridge_users_put(void)
{
	mutex_lock(&irqbridge_users_lock);
	irqbridge_users--;
	mutex_unlock(&irqbridge_users_lock);
}

/* A user slot and a session in it: the device's (@first) or a channel's. */
static struct irqbridge_session *irqbridge_session_get(bool first)
{
	struct irqbridge_session *s;
	int ret;

	ret = irqbridge_users_get(first);
	if (ret)
		return ERR_PTR(ret);

	s = irqbridge_session_create(ring_records);
	if (IS_ERR(s))
		irqbridge_users_put();
	return s;
}

static void irqbridge_session_put(struct irqbridge_session *s)
{
	irqbridge_session_destroy(s);
	irqbridge_users_put();
}

static int irqbridge_open(struct inode *inode, struct file *file)
{
	struct irqbridge_session *s;
	int ret;

	s = irqbridge_session_get(true);
	if (IS_ERR(s))
		return PTR_ERR(s);
	file->private_data = s;

	ret = nonseekable_open(inode, file);
	if (ret)
		irqbridge_session_put(s);
	return ret;
}

/* The device's file and every channel end here. */
static int irqbridge_release(struct inode *inode, struct file *file)
{
	irqbridge_session_put(file->private_data);
	return 0;
}

static const struct file_operations irqbridge_fops;

/*
 * IRQBRIDGE_IOC_NEW_CHANNEL: a new session behind an anonymous file with
 * the device's file operations (anon_inode_getfd() pins the module).
 */
static long irqbridge_new_channel(void)
{
	struct irqbridge_session *s;
	int fd;

	s = irqbridge_session_get(false);
	if (IS_ERR(s))
		return PTR_ERR(s);

	fd = anon_inode_getfd("[irqbridge-channel]", &irqbridge_fops, s,
			      O_RDWR | O_CLOEXEC);
	if (fd < 0)
		irqbridge_session_put(s);
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

static long irqbridge_configure(struct irqbridge_session *s, void __user *argp)
{
	struct irqbridge_config cfg;

	if (copy_from_user(&cfg, argp, sizeof(cfg)))
		return -EFAULT;
	return irqbridge_session_configure(s, &cfg);
}

static_assert(offsetof(struct irqbridge_stats, work_capped) ==
	      IRQBRIDGE_STATS_SIZE_V1);

/*
 * GET_STATS of any layout from the first one up: the size is part of the
 * ioctl number, and fields are only appended. A reader built against an
 * older header gets the fields it knows, and @size says how many bytes.
 */
static bool irqbridge_is_get_stats(unsigned int cmd)
{
	return _IOC_TYPE(cmd) == IRQBRIDGE_IOC_MAGIC &&
	       _IOC_NR(cmd) == _IOC_NR(IRQBRIDGE_IOC_GET_STATS) &&
	       _IOC_DIR(cmd) == _IOC_READ &&
	       _IOC_SIZE(cmd) >= IRQBRIDGE_STATS_SIZE_V1 &&
	       _IOC_SIZE(cmd) <= sizeof(struct irqbridge_stats);
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

static long irqbridge_probe_irql(void __user *argp)
{
	struct irqbridge_irql_probe *probe;
	long ret;

	probe = kzalloc(sizeof(*probe), GFP_KERNEL);
	if (!probe)
		return -ENOMEM;
	ret = irqbridge_irql_probe(probe);
	if (!ret && copy_to_user(argp, probe, sizeof(*probe)))
		ret = -EFAULT;
	kfree(probe);
	return ret;
}

static long irqbridge_ioctl(struct file *file, unsigned int cmd,
			    unsigned long arg)
{
	struct irqbridge_session *s = file->private_data;
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case IRQBRIDGE_IOC_GET_INFO:
		return irqbridge_get_info(s, argp);
	case IRQBRIDGE_IOC_SET_EVENTFD:
		return irqbridge_set_eventfd(s, argp);
	case IRQBRIDGE_IOC_CONFIGURE:
		return irqbridge_configure(s, argp);
	case IRQBRIDGE_IOC_START:
		return irqbridge_session_start(s);
	case IRQBRIDGE_IOC_STOP:
		irqbridge_session_stop(s);
		return 0;
	case IRQBRIDGE_IOC_GET_COST:
		return irqbridge_get_cost(s, argp);
	case IRQBRIDGE_IOC_NEW_CHANNEL:
		return irqbridge_new_channel();
	case IRQBRIDGE_IOC_IRQL_PROBE:
		return irqbridge_probe_irql(argp);
	case IRQBRIDGE_IOC_GET_CATALOGUE:
		return irqbridge_get_catalogue(argp);
	default:
		if (irqbridge_is_get_stats(cmd))
			return irqbridge_get_stats(s, argp, _IOC_SIZE(cmd));
		return -ENOIOCTLCMD;
	}
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
