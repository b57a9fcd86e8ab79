// SPDX-License-Identifier: GPL-2.0
/*
 * irqbridge: the top half, a periodic hrtimer in hard-interrupt context.
 *
 * This is the EvtInterruptIsr of the Windows model: it runs at the highest
 * level the source allows (hard IRQ, interrupts off), records when it ran
 * and what it was meant to run at, adds one to the pending count and queues
 * the bottom half. It never signals the eventfd itself, just as an ISR at
 * DIRQL may not call KeSetEvent.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hardirq.h>
#include <linux/ktime.h>
#include <linux/preempt.h>
#include <linux/smp.h>

#include "compat.h"
#include "irqbridge.h"

/**
 * irqbridge_context_capture() - describe the context the caller runs in
 * @ctx: filled with the context flags, preempt_count() and CPU
 *
 * The Linux form of "ISR IRQL=6, DPC IRQL=2, WorkItem IRQL=0".
 */
void irqbridge_context_capture(struct irqbridge_context *ctx)
{
	u32 flags = 0;

	if (in_nmi())
		flags |= IRQBRIDGE_CTX_NMI;
	if (in_hardirq())
		flags |= IRQBRIDGE_CTX_HARDIRQ;
	if (in_serving_softirq())
		flags |= IRQBRIDGE_CTX_SOFTIRQ;
	if (in_task())
		flags |= IRQBRIDGE_CTX_TASK;
	if (irqs_disabled())
		flags |= IRQBRIDGE_CTX_IRQS_OFF;

	ctx->flags = flags;
	ctx->preempt_count = preempt_count();
	/* A snapshot: a work item may migrate right after, and that is fine. */
	ctx->cpu = raw_smp_processor_id();
	ctx->reserved = 0;
}

static enum hrtimer_restart irqbridge_top_half(struct hrtimer *timer)
{
	struct irqbridge_session *s =
		container_of(timer, struct irqbridge_session, timer);
	u64 now = ktime_get_ns();
	u64 seq = s->fired;
	/* Pairs with the release in irqbridge_bottom_half(). */
	u64 done = smp_load_acquire(&s->bh_done);
	u64 missed;

	if (seq - done < s->inflight_nr) {
		struct irqbridge_inflight *slot =
			&s->inflight[seq & (s->inflight_nr - 1)];

		slot->expected_ns = ktime_to_ns(hrtimer_get_expires(timer));
		slot->top_ns = now;
		irqbridge_context_capture(&slot->top);
		slot->seq = seq;
	} else {
		/* The bottom half is too far behind: keep the count, not the record. */
		WRITE_ONCE(s->inflight_lost, s->inflight_lost + 1);
	}

	WRITE_ONCE(s->fired, seq + 1);
	/* Publishes the slot to the bottom half's atomic_long_xchg(). */
	atomic_long_add_return_release(1, &s->pending);
	s->bh->queue(s);

	if (seq + 1 >= s->events)
		return HRTIMER_NORESTART;

	/* Absolute expiries: the period does not drift with the latency. */
	missed = hrtimer_forward(timer, ns_to_ktime(now),
				 ns_to_ktime(s->period_ns));
	if (missed > 1)
		WRITE_ONCE(s->timer_overruns, s->timer_overruns + missed - 1);
	return HRTIMER_RESTART;
}

/**
 * irqbridge_top_init() - set up the session's timer
 * @s: the session
 */
void irqbridge_top_init(struct irqbridge_session *s)
{
	irqbridge_hrtimer_setup(&s->timer, irqbridge_top_half, CLOCK_MONOTONIC,
				HRTIMER_MODE_ABS_HARD);
}

/**
 * irqbridge_top_start() - arm the timer one period from now
 * @s: the session, with its run state reset
 */
void irqbridge_top_start(struct irqbridge_session *s)
{
	lockdep_assert_held(&s->lock);
	hrtimer_start(&s->timer, ns_to_ktime(ktime_get_ns() + s->period_ns),
		      HRTIMER_MODE_ABS_HARD);
}

/**
 * irqbridge_top_cancel() - stop the timer and wait for a running callback
 * @s: the session
 */
void irqbridge_top_cancel(struct irqbridge_session *s)
{
	hrtimer_cancel(&s->timer);
}
