// SPDX-License-Identifier: GPL-2.0
/*
 * irqbridge: the top half.
 *
 * The top half is the EvtInterruptIsr of the Windows model: it runs in hard
 * interrupt context (the analog of DIRQL), saves what the bottom half needs,
 * adds one to the pending count and queues the bottom half, or asks the IRQ
 * core to wake the handler thread. It never signals the eventfd itself, just
 * as an ISR at DIRQL may not call KeSetEvent.
 *
 * With IRQBRIDGE_SOURCE_TIMER the pacing hrtimer's callback is the top half.
 * With the other sources the callback raises an interrupt and the top half
 * is that interrupt's handler (the timer: irqbridge_source.c). The exception
 * is IRQBRIDGE_SOURCE_TIMER_SOFT: its callback, the top half, runs in
 * softirq, the "ISR" of a timer DPC (a WdfTimer), and its record's top
 * context says softirq, not hard IRQ.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hardirq.h>
#include <linux/ktime.h>
#include <linux/lockdep.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/smp.h>
#include <linux/string.h>

#include "irqbridge.h"

#define CREATE_TRACE_POINTS
#include "irqbridge_trace.h"

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
	if (in_serving_softirq()) {
		flags |= IRQBRIDGE_CTX_SOFTIRQ;
		/*
		 * Deferred to the per-CPU thread rather than run on interrupt
		 * exit (the ksoftirqd task pointer is not exported: its name).
		 */
		if (!strncmp(current->comm, "ksoftirqd/", 10))
			flags |= IRQBRIDGE_CTX_KSOFTIRQD;
	}
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

/*
 * The top half's context, as read: preempt_count() and the CPU, two per-CPU
 * loads; the flags are derived later by irqbridge_top_context_flags() in the
 * bottom half, off the path being measured. What the count already says is
 * not read again (docs/measurements.md has the per-field costs):
 * - softirq_count() is preempt_count()'s SOFTIRQ_MASK bits, except on
 *   PREEMPT_RT, where it is the task's count and is read here;
 * - in hard IRQ, interrupts are off: the IRQ core runs every handler and
 *   every hard hrtimer callback so (and warns about a handler that enables
 *   them), lockdep asserts it; only a softirq top half (timer_soft) reads
 *   the flag;
 * - the ksoftirqd check only runs for a top half inside a softirq.
 */
static __always_inline void
irqbridge_top_context_save(struct irqbridge_top_context *raw)
{
	u32 pc = preempt_count();
	u32 sc = IS_ENABLED(CONFIG_PREEMPT_RT) ? softirq_count() :
						 pc & SOFTIRQ_MASK;

	raw->preempt_count = pc;
	raw->softirq_count = sc;
	raw->cpu = raw_smp_processor_id();
	if (likely(pc & HARDIRQ_MASK)) {
		lockdep_assert_irqs_disabled();
		raw->irqs_off = 1;
	} else {
		raw->irqs_off = irqs_disabled();
	}
	/* Only a top half inside a softirq: never on the common path. */
	raw->ksoftirqd = unlikely(sc & SOFTIRQ_OFFSET) &&
			 !strncmp(current->comm, "ksoftirqd/", 10);
}

/**
 * irqbridge_top_context_flags() - the context of a top half, from what it
 *	saved
 * @raw: saved by the top half
 * @ctx: filled as irqbridge_context_capture() would have filled it there
 *
 * The same expressions as in_nmi(), in_hardirq(), in_serving_softirq() and
 * in_task(), applied to the saved counts (on PREEMPT_RT softirq_count() is
 * the task's, not preempt_count()'s, which is why both are saved).
 */
void irqbridge_top_context_flags(const struct irqbridge_top_context *raw,
				 struct irqbridge_context *ctx)
{
	u32 flags = 0;

	if (raw->preempt_count & NMI_MASK)
		flags |= IRQBRIDGE_CTX_NMI;
	if (raw->preempt_count & HARDIRQ_MASK)
		flags |= IRQBRIDGE_CTX_HARDIRQ;
	if (raw->softirq_count & SOFTIRQ_OFFSET) {
		flags |= IRQBRIDGE_CTX_SOFTIRQ;
		if (raw->ksoftirqd)
			flags |= IRQBRIDGE_CTX_KSOFTIRQD;
	}
	if (!(flags & (IRQBRIDGE_CTX_NMI | IRQBRIDGE_CTX_HARDIRQ |
		       IRQBRIDGE_CTX_SOFTIRQ)))
		flags |= IRQBRIDGE_CTX_TASK;
	if (raw->irqs_off)
		flags |= IRQBRIDGE_CTX_IRQS_OFF;

	ctx->flags = flags;
	ctx->preempt_count = raw->preempt_count;
	ctx->cpu = raw->cpu;
	ctx->reserved = 0;
}

/*
 * Save what the bottom half needs for this event's record in its inflight
 * slot, unless the bottom half is too far behind (the count is kept, the
 * record is lost and counted as such).
 */
static void irqbridge_top_record(struct irqbridge_session *s, u64 seq, u64 now,
				 u32 status)
{
	/* Pairs with the release in the signalling stage. */
	u64 done = smp_load_acquire(&s->run.bh_done);
	struct irqbridge_inflight *slot;

	if (seq - done >= s->inflight_nr) {
		WRITE_ONCE(s->run.inflight_lost, s->run.inflight_lost + 1);
		return;
	}
	slot = &s->inflight[seq & (s->inflight_nr - 1)];
	/* Pairs with the release of @outstanding by the raiser. */
	smp_rmb();
	slot->rec.expected_ns = READ_ONCE(s->run.raise_expected_ns);
	slot->rec.raise_ns = READ_ONCE(s->run.raise_ns);
	slot->rec.top_ns = now;
	slot->rec.status = status;
	irqbridge_top_context_save(&slot->top);
	slot->rec.seq = seq;
}

/**
 * irqbridge_top_half() - one interrupt of the session's source
 * @s: the session
 * @status: what the handler read from the device's status register, or 0
 *
 * Context: hard IRQ, interrupts disabled; softirq with
 * IRQBRIDGE_SOURCE_TIMER_SOFT (serialised all the same: one hrtimer callback
 * runs at a time).
 * Return: IRQ_WAKE_THREAD for the threaded mode, IRQ_HANDLED otherwise.
 */
irqreturn_t irqbridge_top_half(struct irqbridge_session *s, u32 status)
{
	u64 now = ktime_get_ns();
	u64 seq = s->run.fired;
	irqreturn_t ret = IRQ_HANDLED;
	u64 cost;

	if (status) {
		/* Shared with the bottom half: the saved volatile device state. */
		raw_spin_lock(&s->isr_lock);
		s->run.isr_status |= status;
		raw_spin_unlock(&s->isr_lock);
	}

	/* Without records the bottom half finds no slot with this seq. */
	if (!(s->config.flags & IRQBRIDGE_CONFIG_NO_RECORDS))
		irqbridge_top_record(s, seq, now, status);
	/* The raiser may raise the next interrupt. */
	atomic_set_release(&s->run.outstanding, 0);

	trace_irqbridge_top(s->config.mode, s->config.source, seq, status);
	WRITE_ONCE(s->run.fired, seq + 1);
	/* Publishes the slot to the bottom half's atomic_long_xchg(). */
	atomic_long_add_return_release(1, &s->run.pending);

	if (s->bh->threaded)
		ret = IRQ_WAKE_THREAD;
	else
		s->bh->queue(s);

	/* The top half's own cost, this clock read included. */
	cost = ktime_get_ns() - now;
	WRITE_ONCE(s->run.top_cost_ns, s->run.top_cost_ns + cost);
	if (cost > s->run.top_cost_max_ns)
		WRITE_ONCE(s->run.top_cost_max_ns, cost);
	return ret;
}
