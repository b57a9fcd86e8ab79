// SPDX-License-Identifier: GPL-2.0
/*
 * irqbridge: KeRaiseIrql / KeLowerIrql, in Linux terms, at run time.
 *
 * Windows has one number per processor: raising the IRQL to DISPATCH_LEVEL
 * holds off DPCs and the dispatcher, raising it to HIGH_LEVEL holds off
 * every interrupt, and lowering it runs what was held off. Linux keeps three
 * separate switches, each with its own count:
 *
 *   local_bh_disable()   KeRaiseIrqlToDpcLevel for DPCs: softirqs (tasklets,
 *                        BH work) on this CPU wait until local_bh_enable(),
 *                        which runs them; SOFTIRQ_DISABLE_OFFSET in
 *                        preempt_count() (a per-task count on PREEMPT_RT)
 *   preempt_disable()    KeRaiseIrqlToDpcLevel for the dispatcher: no other
 *                        task (a kworker: the WorkItem) runs on this CPU;
 *                        PREEMPT_OFFSET in preempt_count()
 *   local_irq_save()     KeRaiseIrql(HIGH_LEVEL): no interrupt on this CPU;
 *                        not in preempt_count() at all (x86: EFLAGS.IF)
 *
 * The probe raises each, queues the deferred routine that level must hold
 * off on this CPU, busy-waits a while so that a timer tick or another CPU
 * gets every chance to run it, records whether it ran, lowers, and waits for
 * it. Every point is numbered in the order the module saw it.
 *
 * Then KeWaitForSingleObject's rule: only a zero timeout at DISPATCH_LEVEL.
 * The Linux form is a completion: try_wait_for_completion() and
 * completion_done() never sleep, so a tasklet may call them (and
 * complete(), KeSetEvent at DISPATCH); wait_for_completion() sleeps, so
 * only the task may, here the ioctl.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/bottom_half.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/interrupt.h>
#include <linux/irqflags.h>
#include <linux/jiffies.h>
#include <linux/mutex.h>
#include <linux/preempt.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "compat.h"
#include "irqbridge.h"

/* How long each level stays raised: more than a tick at HZ=250. */
#define IRQBRIDGE_PROBE_HOLD_MS 5

/**
 * struct irqbridge_probe - one run of the probe
 * @out:	the result; each step is written once, by the probing task or
 *		by the deferred routine it waits for (tasklet_kill() and
 *		flush_work() order those writes before the copy out)
 * @order:	numbers the steps in the order they happen
 * @tasklet:	the DPC held off by local_bh_disable() and local_irq_save()
 * @tasklet_step: the step the next run of @tasklet records
 * @work:	the WorkItem held off by preempt_disable()
 * @wait_tasklet: the DPC that polls @done and completes it
 * @done:	the event the probing task waits on
 */
struct irqbridge_probe {
	struct irqbridge_irql_probe out;
	atomic_t order;
	struct tasklet_struct tasklet;
	unsigned int tasklet_step;
	struct work_struct work;
	struct tasklet_struct wait_tasklet;
	struct completion done;
};

/* How long the task waits for the tasklet at most: a missing step fails. */
#define IRQBRIDGE_PROBE_WAIT_MS 5000

/* One probe at a time: each one keeps a CPU busy for a few ms. */
static DEFINE_MUTEX(irqbridge_probe_lock);

static void irqbridge_probe_mark(struct irqbridge_probe *p, unsigned int step)
{
	struct irqbridge_probe_step *st = &p->out.steps[step];

	irqbridge_context_capture(&st->ctx);
	st->softirq_count = softirq_count();
	st->order = atomic_inc_return(&p->order);
}

static void irqbridge_probe_tasklet_fn(struct tasklet_struct *t)
{
	struct irqbridge_probe *p = from_tasklet(p, t, tasklet);

	irqbridge_probe_mark(p, p->tasklet_step);
}

static void irqbridge_probe_work_fn(struct work_struct *work)
{
	struct irqbridge_probe *p =
		container_of(work, struct irqbridge_probe, work);

	irqbridge_probe_mark(p, IRQBRIDGE_PROBE_PREEMPT_WORK);
}

/*
 * At DISPATCH_LEVEL a wait may only poll: try_wait_for_completion() on the
 * completion nobody has completed returns false at once (a zero-timeout
 * KeWaitForSingleObject's STATUS_TIMEOUT), without taking it; then the
 * tasklet completes it (KeSetEvent at DISPATCH, allowed) and sees it done.
 * A step is recorded only when its call returned what the rule says.
 */
static void irqbridge_probe_wait_tasklet_fn(struct tasklet_struct *t)
{
	struct irqbridge_probe *p = from_tasklet(p, t, wait_tasklet);

	if (!try_wait_for_completion(&p->done) && !completion_done(&p->done))
		irqbridge_probe_mark(p, IRQBRIDGE_PROBE_WAIT_POLLED);
	complete(&p->done);
	if (completion_done(&p->done))
		irqbridge_probe_mark(p, IRQBRIDGE_PROBE_WAIT_SIGNALLED);
}

/* PASSIVE_LEVEL: the task blocks until the tasklet completes the event. */
static void irqbridge_probe_wait(struct irqbridge_probe *p)
{
	unsigned long timeout = msecs_to_jiffies(IRQBRIDGE_PROBE_WAIT_MS);
	unsigned long left;

	/* First: the tasklet may run on this CPU's next interrupt exit. */
	irqbridge_probe_mark(p, IRQBRIDGE_PROBE_WAIT_QUEUED);
	tasklet_schedule(&p->wait_tasklet);
	left = wait_for_completion_timeout(&p->done, timeout);
	if (left)
		irqbridge_probe_mark(p, IRQBRIDGE_PROBE_WAIT_WOKEN);
	/* It has run (or runs now): @p outlives it. */
	tasklet_kill(&p->wait_tasklet);
}

/* DISPATCH_LEVEL for DPCs: the tasklet waits for local_bh_enable(). */
static void irqbridge_probe_bh(struct irqbridge_probe *p)
{
	p->tasklet_step = IRQBRIDGE_PROBE_BH_TASKLET;
	local_bh_disable();
	tasklet_schedule(&p->tasklet);
	irqbridge_probe_mark(p, IRQBRIDGE_PROBE_BH_RAISED);
	mdelay(IRQBRIDGE_PROBE_HOLD_MS);
	irqbridge_probe_mark(p, IRQBRIDGE_PROBE_BH_LOWERING);
	local_bh_enable();
	irqbridge_probe_mark(p, IRQBRIDGE_PROBE_BH_LOWERED);
	/* Waits until the scheduled tasklet has run. */
	tasklet_kill(&p->tasklet);
}

/* DISPATCH_LEVEL for the dispatcher: this CPU's kworker cannot run. */
static void irqbridge_probe_preempt(struct irqbridge_probe *p)
{
	preempt_disable();
	queue_work_on(smp_processor_id(), irqbridge_system_percpu_wq, &p->work);
	irqbridge_probe_mark(p, IRQBRIDGE_PROBE_PREEMPT_RAISED);
	mdelay(IRQBRIDGE_PROBE_HOLD_MS);
	irqbridge_probe_mark(p, IRQBRIDGE_PROBE_PREEMPT_LOWERING);
	preempt_enable();
	irqbridge_probe_mark(p, IRQBRIDGE_PROBE_PREEMPT_LOWERED);
	flush_work(&p->work);
}

/* HIGH_LEVEL: no interrupt, so no interrupt exit runs the softirq either. */
static void irqbridge_probe_irq(struct irqbridge_probe *p)
{
	unsigned long flags;

	p->tasklet_step = IRQBRIDGE_PROBE_IRQ_TASKLET;
	local_irq_save(flags);
	tasklet_schedule(&p->tasklet);
	irqbridge_probe_mark(p, IRQBRIDGE_PROBE_IRQ_RAISED);
	mdelay(IRQBRIDGE_PROBE_HOLD_MS);
	irqbridge_probe_mark(p, IRQBRIDGE_PROBE_IRQ_LOWERING);
	local_irq_restore(flags);
	irqbridge_probe_mark(p, IRQBRIDGE_PROBE_IRQ_LOWERED);
	tasklet_kill(&p->tasklet);
}

/**
 * irqbridge_irql_probe() - raise and lower the IRQL three ways, then wait
 *	for a tasklet the KeWaitForSingleObject way
 * @out: filled completely
 *
 * Context: process context, may sleep.
 * Return: 0 or -ENOMEM.
 */
int irqbridge_irql_probe(struct irqbridge_irql_probe *out)
{
	struct irqbridge_probe *p;

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	tasklet_setup(&p->tasklet, irqbridge_probe_tasklet_fn);
	INIT_WORK(&p->work, irqbridge_probe_work_fn);
	tasklet_setup(&p->wait_tasklet, irqbridge_probe_wait_tasklet_fn);
	init_completion(&p->done);

	p->out.size = sizeof(p->out);
	p->out.preempt_rt = IS_ENABLED(CONFIG_PREEMPT_RT);
	p->out.preempt_mask = PREEMPT_MASK;
	p->out.softirq_mask = SOFTIRQ_MASK;
	p->out.hardirq_mask = HARDIRQ_MASK;
	p->out.nmi_mask = NMI_MASK;
	p->out.preempt_offset = PREEMPT_OFFSET;
	p->out.softirq_offset = SOFTIRQ_OFFSET;
	p->out.softirq_disable_offset = SOFTIRQ_DISABLE_OFFSET;
	p->out.hardirq_offset = HARDIRQ_OFFSET;

	mutex_lock(&irqbridge_probe_lock);
	irqbridge_probe_mark(p, IRQBRIDGE_PROBE_BASE);
	irqbridge_probe_bh(p);
	irqbridge_probe_preempt(p);
	irqbridge_probe_irq(p);
	irqbridge_probe_wait(p);
	mutex_unlock(&irqbridge_probe_lock);

	memcpy(out, &p->out, sizeof(*out));
	kfree(p);
	return 0;
}
