// SPDX-License-Identifier: GPL-2.0
/*
 * irqbridge: the bottom halves.
 *
 * A tasklet is the DPC of the Windows model (softirq context, the analog of
 * DISPATCH_LEVEL: may not sleep); a work item is the WorkItem (a kernel
 * thread, the analog of PASSIVE_LEVEL: may sleep). Either way a queued
 * bottom half is not queued twice, so one run must handle every top half
 * since the previous run: it takes the whole pending count at once and
 * signals the eventfd with that total.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/interrupt.h>
#include <linux/ktime.h>
#include <linux/workqueue.h>

#include "compat.h"
#include "irqbridge.h"

/**
 * irqbridge_bottom_half() - count every pending top half and signal
 * @s: the session
 *
 * Context: the bottom half of the current mode; never runs concurrently
 * with itself (tasklets and work items are non-reentrant), which makes it
 * the single writer of the bottom-half counters and the ring's producer.
 */
void irqbridge_bottom_half(struct irqbridge_session *s)
{
	struct irqbridge_record rec = {};
	u64 first = s->bh_done;
	u64 n, seq;

	irqbridge_context_capture(&rec.bottom);

	/* Full barrier: the top halves' slot writes are visible after it. */
	n = atomic_long_xchg(&s->pending, 0);
	/*
	 * Timestamp after the exchange: a top half may fire between entry and
	 * the exchange (on another CPU, or as an interrupt of this one) and is
	 * then handled by this run, so only now is bottom_ns >= every top_ns.
	 */
	rec.bottom_ns = ktime_get_ns();
	if (!n) {
		/* Queued again while running, but that run took the count. */
		WRITE_ONCE(s->empty_runs, s->empty_runs + 1);
		return;
	}

	irqbridge_eventfd_add(s->evctx, n);
	rec.signal_ns = ktime_get_ns();

	WRITE_ONCE(s->counted, s->counted + n);
	WRITE_ONCE(s->bottom_runs, s->bottom_runs + 1);
	if (n > s->max_batch)
		WRITE_ONCE(s->max_batch, n);

	rec.batch = n;
	for (seq = first; seq < first + n; seq++) {
		const struct irqbridge_inflight *slot =
			&s->inflight[seq & (s->inflight_nr - 1)];

		/* Skipped by the top half: already counted in inflight_lost. */
		if (slot->seq != seq)
			continue;
		rec.seq = seq;
		rec.expected_ns = slot->expected_ns;
		rec.top_ns = slot->top_ns;
		rec.top = slot->top;
		if (!irqbridge_ring_push(&s->ring, &rec))
			WRITE_ONCE(s->ring_lost, s->ring_lost + 1);
	}

	/* Pairs with the acquire in the top half: these slots are free again. */
	smp_store_release(&s->bh_done, first + n);
}

static void irqbridge_tasklet_fn(struct tasklet_struct *t)
{
	struct irqbridge_session *s = from_tasklet(s, t, tasklet);

	irqbridge_bottom_half(s);
}

static void irqbridge_tasklet_queue(struct irqbridge_session *s)
{
	tasklet_schedule(&s->tasklet);
}

static void irqbridge_tasklet_flush(struct irqbridge_session *s)
{
	/* Waits for a scheduled tasklet to run; it stays usable afterwards. */
	tasklet_kill(&s->tasklet);
}

static void irqbridge_work_fn(struct work_struct *work)
{
	struct irqbridge_session *s =
		container_of(work, struct irqbridge_session, work);

	irqbridge_bottom_half(s);
}

static void irqbridge_work_queue(struct irqbridge_session *s)
{
	queue_work(system_wq, &s->work);
}

static void irqbridge_work_flush(struct irqbridge_session *s)
{
	flush_work(&s->work);
}

static const struct irqbridge_bh_ops irqbridge_bh_table[] = {
	{
		.mode = IRQBRIDGE_MODE_TASKLET,
		.name = "tasklet",
		.queue = irqbridge_tasklet_queue,
		.flush = irqbridge_tasklet_flush,
	},
	{
		.mode = IRQBRIDGE_MODE_WORKQUEUE,
		.name = "workqueue",
		.queue = irqbridge_work_queue,
		.flush = irqbridge_work_flush,
	},
};

/**
 * irqbridge_bh_lookup() - find the bottom half of a mode
 * @mode: IRQBRIDGE_MODE_*
 *
 * Return: its ops, or NULL if this kernel has no such mode.
 */
const struct irqbridge_bh_ops *irqbridge_bh_lookup(u32 mode)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(irqbridge_bh_table); i++)
		if (irqbridge_bh_table[i].mode == mode)
			return &irqbridge_bh_table[i];
	return NULL;
}

/**
 * irqbridge_bh_supported_modes() - the modes this kernel offers
 *
 * Return: a mask with bit (1 << mode) set for each.
 */
u32 irqbridge_bh_supported_modes(void)
{
	u32 mask = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(irqbridge_bh_table); i++)
		mask |= BIT(irqbridge_bh_table[i].mode);
	return mask;
}

/**
 * irqbridge_bh_init() - set up every bottom half of a session
 * @s: the session
 */
void irqbridge_bh_init(struct irqbridge_session *s)
{
	tasklet_setup(&s->tasklet, irqbridge_tasklet_fn);
	INIT_WORK(&s->work, irqbridge_work_fn);
}

/**
 * irqbridge_bh_kill() - make sure no bottom half is queued or running
 * @s: the session, whose timer is already cancelled
 */
void irqbridge_bh_kill(struct irqbridge_session *s)
{
	tasklet_kill(&s->tasklet);
	cancel_work_sync(&s->work);
}
