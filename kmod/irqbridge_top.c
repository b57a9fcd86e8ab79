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

#include <linux/compiler.h>
#include <linux/hardirq.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/lockdep.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/smp.h>
#include <linux/string.h>

#include "compat.h"
#include "irqbridge.h"

#define CREATE_TRACE_POINTS
#include "irqbridge_trace.h"

/*
 * Whether @t is a ksoftirqd thread: the task pointer is not exported, so its
 * name, strncmp(@t->comm, "ksoftirqd/", 10) == 0 without a call (one 8-byte
 * and one 2-byte compare). A call is what costs under TCG: every call and
 * return across pages is a translation block lookup (docs/measurements.md,
 * "Records: what the emulator spends the time on").
 */
static __always_inline bool irqbridge_is_ksoftirqd(const struct task_struct *t)
{
	static const char name[] = "ksoftirqd/";
	u64 head, want_head;
	u16 tail, want_tail;

	BUILD_BUG_ON(sizeof(name) - 1 != sizeof(head) + sizeof(tail));
	memcpy(&head, t->comm, sizeof(head));
	memcpy(&tail, t->comm + sizeof(head), sizeof(tail));
	memcpy(&want_head, name, sizeof(want_head));
	memcpy(&want_tail, name + sizeof(want_head), sizeof(want_tail));
	return head == want_head && tail == want_tail;
}

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
		 * exit.
		 */
		if (irqbridge_is_ksoftirqd(current))
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
 * The top half's slow path, for a top half serving a softirq itself
 * (timer_soft) or, on PREEMPT_RT, one outside hard IRQ or in a hard IRQ of
 * a softirq in progress: it reads what its count does not say. The flags
 * go into the high half of its slot's context word, beside the CPU. Out of
 * line, so that the fast path keeps nothing across it.
 */
static noinline void irqbridge_top_context_slow(struct irqbridge_session *s,
						u64 seq, u64 top_ctx)
{
	struct irqbridge_inflight *slot = &s->inflight[seq & s->inflight_mask];
	u32 extra = IRQBRIDGE_TOP_CTX_SLOW;

	/* On PREEMPT_RT the task's own count, not preempt_count()'s bits. */
	if (in_serving_softirq()) {
		extra |= IRQBRIDGE_TOP_CTX_SOFTIRQ;
		if (irqbridge_is_ksoftirqd(current))
			extra |= IRQBRIDGE_TOP_CTX_KSOFTIRQD;
	}
	if (irqs_disabled())
		extra |= IRQBRIDGE_TOP_CTX_IRQS_OFF;
	WRITE_ONCE(slot->top_ctx, top_ctx | (u64)extra << 32);
}

/*
 * The fast path: a top half not serving a softirq, which (one test of the
 * count) is neither ksoftirqd serving one, and runs with interrupts off:
 * the IRQ core runs every hard handler and every hard hrtimer callback so,
 * and a handler forced into a thread (threadirqs) too, except on
 * PREEMPT_RT. There the fast path is hard IRQ only, and the softirq count
 * is the task's, read as well.
 */
static __always_inline bool irqbridge_top_context_fast(u32 pc)
{
	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		return (pc & HARDIRQ_MASK) && !in_serving_softirq();
	return !(pc & SOFTIRQ_OFFSET);
}

/*
 * Not the fast path, but a hard IRQ (a handler, a hard hrtimer callback) of
 * a softirq in progress, not on PREEMPT_RT: the count says serving a
 * softirq, hard IRQ says interrupts off; only ksoftirqd needs a look, at
 * the interrupted task's name. Inline: under TCG the timer often lands in
 * the previous event's softirq (4-59 % of the top halves at 100 us,
 * docs/measurements.md), and each call and return of the out-of-line slow
 * path cost a translation block lookup there.
 */
static __always_inline bool irqbridge_top_context_hard(u32 pc)
{
	return !IS_ENABLED(CONFIG_PREEMPT_RT) && (pc & HARDIRQ_MASK);
}

/* What irqbridge_top_context_slow() would find in such a hard IRQ. */
static __always_inline u32 irqbridge_top_context_hard_extra(void)
{
	u32 extra = IRQBRIDGE_TOP_CTX_SLOW | IRQBRIDGE_TOP_CTX_SOFTIRQ |
		    IRQBRIDGE_TOP_CTX_IRQS_OFF;

	if (irqbridge_is_ksoftirqd(current))
		extra |= IRQBRIDGE_TOP_CTX_KSOFTIRQD;
	return extra;
}

/**
 * irqbridge_top_context_flags() - the context of a top half, from its
 *	context word
 * @top_ctx: what the top half stored (&irqbridge_inflight.top_ctx)
 * @ctx: filled as irqbridge_context_capture() would have filled it there
 *
 * The same expressions as in_nmi(), in_hardirq() and in_task() on the saved
 * count; the softirq, interrupts-off and ksoftirqd flags are the slow
 * path's when it ran, and what the fast path implies otherwise (not serving
 * a softirq, interrupts off: irqbridge_top_context_fast()).
 */
void irqbridge_top_context_flags(u64 top_ctx, struct irqbridge_context *ctx)
{
	u32 pc = lower_32_bits(top_ctx) & IRQBRIDGE_PC_COUNT_MASK;
	u32 hi = upper_32_bits(top_ctx);
	u32 flags = 0;

	if (pc & NMI_MASK)
		flags |= IRQBRIDGE_CTX_NMI;
	if (pc & HARDIRQ_MASK)
		flags |= IRQBRIDGE_CTX_HARDIRQ;
	if (hi & IRQBRIDGE_TOP_CTX_SLOW) {
		if (hi & IRQBRIDGE_TOP_CTX_SOFTIRQ)
			flags |= IRQBRIDGE_CTX_SOFTIRQ;
		if (hi & IRQBRIDGE_TOP_CTX_KSOFTIRQD)
			flags |= IRQBRIDGE_CTX_KSOFTIRQD;
		if (hi & IRQBRIDGE_TOP_CTX_IRQS_OFF)
			flags |= IRQBRIDGE_CTX_IRQS_OFF;
	} else {
		flags |= IRQBRIDGE_CTX_IRQS_OFF;
	}
	if (!(flags & (IRQBRIDGE_CTX_NMI | IRQBRIDGE_CTX_HARDIRQ |
		       IRQBRIDGE_CTX_SOFTIRQ)))
		flags |= IRQBRIDGE_CTX_TASK;

	ctx->flags = flags;
	ctx->preempt_count = pc;
	ctx->cpu = hi & IRQBRIDGE_TOP_CTX_CPU_MASK;
	ctx->reserved = 0;
}

/* Every CPU number fits beside the slow path's flags. */
#ifdef CONFIG_NR_CPUS
static_assert(CONFIG_NR_CPUS - 1 <= IRQBRIDGE_TOP_CTX_CPU_MASK);
#endif

/*
 * The top half's part of its event's record, in the slot of its seq: the
 * seq (first: a reader that copied anything of this event sees it, see
 * &struct irqbridge_inflight), the time and the context word. The raiser
 * wrote the raise stamps already; the status, if any, follows in
 * irqbridge_top_status(). No check of the bottom half's progress: a slot
 * still unread is overwritten, and its reader counts the record lost.
 *
 * Its fast path is ten instructions on x86-64 (docs/measurements.md): the
 * slot's address (four), the seq, the time, the context word (one load,
 * one store) and the fast-path test (two).
 */
static __always_inline void irqbridge_top_record(struct irqbridge_session *s,
						 u64 seq, u64 now)
{
	struct irqbridge_inflight *slot = &s->inflight[seq & s->inflight_mask];
	u64 top_ctx = irqbridge_pc_cpu();

	/*
	 * One address for the stores below. Without this GCC may fold a
	 * field's offset into the index and compute the slot twice: 4 more
	 * instructions, measured when struct irqbridge_run grew by 24 bytes.
	 */
	OPTIMIZER_HIDE_VAR(slot);
	WRITE_ONCE(slot->rec.seq, seq);
	/* Pairs with the smp_rmb() of the reader's second look at seq. */
	smp_wmb();
	WRITE_ONCE(slot->rec.top_ns, now);
	WRITE_ONCE(slot->top_ctx, top_ctx);
	if (likely(irqbridge_top_context_fast(lower_32_bits(top_ctx)))) {
		/* What the fast path takes for granted. */
		lockdep_assert_irqs_disabled();
		return;
	}
	if (irqbridge_top_context_hard(lower_32_bits(top_ctx))) {
		u64 extra = irqbridge_top_context_hard_extra();

		lockdep_assert_irqs_disabled();
		WRITE_ONCE(slot->top_ctx, top_ctx | extra << 32);
		return;
	}
	irqbridge_top_context_slow(s, seq, top_ctx);
}

/*
 * A source with a device status (edu): the value read goes to the bottom
 * half as the saved volatile device state and into the event's record (the
 * raiser cleared it there for the sources without one).
 */
static void irqbridge_top_status(struct irqbridge_session *s, u64 seq,
				 u32 status)
{
	raw_spin_lock(&s->isr_lock);
	s->run.isr_status |= status;
	raw_spin_unlock(&s->isr_lock);
	if (!(s->config.flags & IRQBRIDGE_CONFIG_NO_RECORDS))
		WRITE_ONCE(s->inflight[seq & s->inflight_mask].rec.status,
			   status);
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

	/* Without records the bottom half reads no slot. */
	if (likely(!(s->config.flags & IRQBRIDGE_CONFIG_NO_RECORDS)))
		irqbridge_top_record(s, seq, now);
	if (status)
		irqbridge_top_status(s, seq, status);
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
