// SPDX-License-Identifier: GPL-2.0
/*
 * irqbridge_planted: IRQL-class bugs, planted for the Linux "Driver
 * Verifier" to catch (docs/windows-to-linux.md, docs/reliability.md).
 *
 * On Windows, Driver Verifier is switched on for one driver at run time and
 * turns a latent IRQL mistake into an IRQL_NOT_LESS_OR_EQUAL bugcheck. On
 * Linux the checks are kernel build options (DEBUG_ATOMIC_SLEEP, lockdep,
 * PROVE_RAW_LOCK_NESTING: the project's debug kernel) and watch the whole
 * kernel; they print a report and the kernel goes on. On a production
 * kernel the same code runs without a word, until the day it really sleeps.
 *
 * A test module only: not part of irqbridge.ko, never installed. Each load
 * runs three paths once; the parameter "bug" plants one mistake in one of
 * them, the others run in their correct form:
 *
 *   none           every path correct: nothing to report
 *   tasklet_sleep  a tasklet (softirq, the DISPATCH_LEVEL analog) calls
 *                  into code that may sleep; correct: no sleeping call
 *   gfp_irqsave    kmalloc(GFP_KERNEL) under spin_lock_irqsave(); correct:
 *                  GFP_ATOMIC there (or allocate before taking the lock)
 *   raw_nesting    a spinlock_t (a sleeping lock on PREEMPT_RT) taken
 *                  inside a raw_spinlock_t; correct: a raw inner lock
 *
 * Every planted bug is recoverable: it trips the check without doing the
 * harm (the tasklet announces a sleep with might_sleep() but does not
 * sleep; the allocation is small and finds free memory), so the debug
 * kernel reports it and carries on, and the module unloads cleanly.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/interrupt.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/preempt.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

static char *bug = "none";
module_param(bug, charp, 0444);
MODULE_PARM_DESC(bug, "none, tasklet_sleep, gfp_irqsave or raw_nesting");

enum irqbridge_planted_bug {
	IRQBRIDGE_PLANTED_NONE,
	IRQBRIDGE_PLANTED_TASKLET_SLEEP,
	IRQBRIDGE_PLANTED_GFP_IRQSAVE,
	IRQBRIDGE_PLANTED_RAW_NESTING,
};

static const char *const irqbridge_planted_bugs[] = {
	[IRQBRIDGE_PLANTED_NONE] = "none",
	[IRQBRIDGE_PLANTED_TASKLET_SLEEP] = "tasklet_sleep",
	[IRQBRIDGE_PLANTED_GFP_IRQSAVE] = "gfp_irqsave",
	[IRQBRIDGE_PLANTED_RAW_NESTING] = "raw_nesting",
};

/*
 * The locks of the planted paths, taken in task context only (module init).
 * irqbridge_planted_lock (a spinlock_t: an rt_mutex on PREEMPT_RT) protects
 * irqbridge_planted_lock_runs; irqbridge_planted_raw_inner protects
 * irqbridge_planted_raw_runs; irqbridge_planted_raw_lock is only the outer
 * lock of raw_nesting and protects nothing of its own.
 */
static DEFINE_SPINLOCK(irqbridge_planted_lock);
static DEFINE_RAW_SPINLOCK(irqbridge_planted_raw_lock);
static DEFINE_RAW_SPINLOCK(irqbridge_planted_raw_inner);
static unsigned int irqbridge_planted_lock_runs;
static unsigned int irqbridge_planted_raw_runs;

/*
 * The tasklet's inputs and outputs: set before tasklet_schedule(), read
 * after the completion, which orders them.
 */
static bool irqbridge_planted_tasklet_sleeps;
static bool irqbridge_planted_tasklet_in_softirq;
static DECLARE_COMPLETION(irqbridge_planted_ran);

/*
 * Softirq context: the DISPATCH_LEVEL of a DPC. might_sleep() is the first
 * thing every sleeping function does (mutex_lock(), msleep(),
 * kmalloc(GFP_KERNEL), copy_from_user()); it stands alone here because a
 * real sleep in softirq context would schedule away from whatever task the
 * softirq interrupted, which is no longer recoverable.
 */
static void irqbridge_planted_tasklet_fn(struct tasklet_struct *t)
{
	irqbridge_planted_tasklet_in_softirq = in_serving_softirq();
	if (irqbridge_planted_tasklet_sleeps)
		might_sleep();
	complete(&irqbridge_planted_ran);
}

static DECLARE_TASKLET(irqbridge_planted_tasklet, irqbridge_planted_tasklet_fn);

/**
 * irqbridge_planted_tasklet_sleep() - run the tasklet once and wait for it
 * @which: the bug to plant; the tasklet calls into code that may sleep if
 *	   it is IRQBRIDGE_PLANTED_TASKLET_SLEEP
 *
 * Context: task context, may sleep.
 * Return: 0, or -ETIMEDOUT if the tasklet did not run within 10 s.
 */
static noinline int
irqbridge_planted_tasklet_sleep(enum irqbridge_planted_bug which)
{
	bool planted = which == IRQBRIDGE_PLANTED_TASKLET_SLEEP;

	irqbridge_planted_tasklet_sleeps = planted;
	tasklet_schedule(&irqbridge_planted_tasklet);
	if (!wait_for_completion_timeout(&irqbridge_planted_ran, 10 * HZ)) {
		tasklet_kill(&irqbridge_planted_tasklet);
		pr_err("tasklet_sleep: the tasklet did not run in 10 s\n");
		return -ETIMEDOUT;
	}
	tasklet_kill(&irqbridge_planted_tasklet);
	pr_info("tasklet_sleep: ran %s, in softirq: %d\n",
		planted ? "planted" : "correct",
		irqbridge_planted_tasklet_in_softirq);
	return 0;
}

/**
 * irqbridge_planted_gfp_irqsave() - allocate under spin_lock_irqsave()
 * @which: the bug to plant; GFP_KERNEL (may sleep to reclaim) instead of
 *	   GFP_ATOMIC if it is IRQBRIDGE_PLANTED_GFP_IRQSAVE
 *
 * Context: task context; takes irqbridge_planted_lock.
 * Return: 0, or -ENOMEM.
 */
static noinline int
irqbridge_planted_gfp_irqsave(enum irqbridge_planted_bug which)
{
	bool planted = which == IRQBRIDGE_PLANTED_GFP_IRQSAVE;
	unsigned long flags;
	void *p;

	spin_lock_irqsave(&irqbridge_planted_lock, flags);
	p = kmalloc(64, planted ? GFP_KERNEL : GFP_ATOMIC);
	if (p)
		irqbridge_planted_lock_runs++;
	spin_unlock_irqrestore(&irqbridge_planted_lock, flags);
	if (!p)
		return -ENOMEM;
	kfree(p);
	pr_info("gfp_irqsave: ran %s\n", planted ? "planted" : "correct");
	return 0;
}

/**
 * irqbridge_planted_raw_nesting() - nest a lock inside a raw spinlock
 * @which: the bug to plant; the inner lock is a spinlock_t instead of a
 *	   raw_spinlock_t if it is IRQBRIDGE_PLANTED_RAW_NESTING
 *
 * Context: task context; takes irqbridge_planted_raw_lock, then
 * irqbridge_planted_lock or irqbridge_planted_raw_inner.
 */
static noinline void
irqbridge_planted_raw_nesting(enum irqbridge_planted_bug which)
{
	bool planted = which == IRQBRIDGE_PLANTED_RAW_NESTING;

	raw_spin_lock(&irqbridge_planted_raw_lock);
	if (planted) {
		spin_lock(&irqbridge_planted_lock);
		irqbridge_planted_lock_runs++;
		spin_unlock(&irqbridge_planted_lock);
	} else {
		raw_spin_lock(&irqbridge_planted_raw_inner);
		irqbridge_planted_raw_runs++;
		raw_spin_unlock(&irqbridge_planted_raw_inner);
	}
	raw_spin_unlock(&irqbridge_planted_raw_lock);
	pr_info("raw_nesting: ran %s\n", planted ? "planted" : "correct");
}

static int __init irqbridge_planted_init(void)
{
	int which = sysfs_match_string(irqbridge_planted_bugs, bug);
	int ret;

	if (which < 0) {
		pr_err("bug=%s: not none, tasklet_sleep, gfp_irqsave or raw_nesting\n",
		       bug);
		return -EINVAL;
	}
	pr_info("planting %s\n", irqbridge_planted_bugs[which]);
	ret = irqbridge_planted_tasklet_sleep(which);
	if (ret)
		return ret;
	ret = irqbridge_planted_gfp_irqsave(which);
	if (ret)
		return ret;
	irqbridge_planted_raw_nesting(which);
	pr_info("planted %s, all paths ran\n", irqbridge_planted_bugs[which]);
	return 0;
}
module_init(irqbridge_planted_init);

static void __exit irqbridge_planted_exit(void)
{
}
module_exit(irqbridge_planted_exit);

MODULE_DESCRIPTION("IRQL-class bugs planted for the debug kernel (test only)");
MODULE_LICENSE("GPL");
