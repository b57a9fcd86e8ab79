// SPDX-License-Identifier: GPL-2.0
/*
 * irqbridge: the table of interrupt sources, the simplest ones (the hrtimer
 * callback itself as the top half, in hard IRQ or in softirq), and the
 * periodic hrtimer that paces every source: it calls the source's raise op
 * once per period.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bits.h>
#include <linux/hrtimer.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/moduleparam.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "compat.h"
#include "irqbridge.h"

static bool irqbridge_timer_available(void)
{
	return true;
}

static int irqbridge_timer_raise(struct irqbridge_session *s)
{
	/*
	 * The callback is the top half: in hard-IRQ context for the timer
	 * source, in softirq context (HRTIMER_SOFTIRQ) for timer_soft.
	 */
	irqbridge_top_half(s, 0);
	return 0;
}

static const struct irqbridge_source_ops irqbridge_source_timer = {
	.source = IRQBRIDGE_SOURCE_TIMER,
	.name = "timer",
	.available = irqbridge_timer_available,
	.raise = irqbridge_timer_raise,
};

/*
 * The timer DPC (KeSetTimer with a KDPC, a WdfTimer): the same callback,
 * expiring in softirq. What a WdfTimer port should use; the hard timer
 * above stands for a device's interrupt instead.
 */
static const struct irqbridge_source_ops irqbridge_source_timer_soft = {
	.source = IRQBRIDGE_SOURCE_TIMER_SOFT,
	.name = "timer_soft",
	.soft = true,
	.available = irqbridge_timer_available,
	.raise = irqbridge_timer_raise,
};

static const struct irqbridge_source_ops *const irqbridge_sources[] = {
	&irqbridge_source_timer,
	&irqbridge_source_irqchip,
	&irqbridge_source_edu,
	&irqbridge_source_timer_soft,
};

/**
 * irqbridge_source_lookup() - find a source by number
 * @source: IRQBRIDGE_SOURCE_*
 *
 * Return: its ops, or NULL for an unknown number.
 */
const struct irqbridge_source_ops *irqbridge_source_lookup(u32 source)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(irqbridge_sources); i++)
		if (irqbridge_sources[i]->source == source)
			return irqbridge_sources[i];
	return NULL;
}

/**
 * irqbridge_sources_available() - the sources usable right now
 *
 * Return: a mask with bit (1 << source) set for each.
 */
u32 irqbridge_sources_available(void)
{
	u32 mask = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(irqbridge_sources); i++)
		if (irqbridge_sources[i]->available())
			mask |= BIT(irqbridge_sources[i]->source);
	return mask;
}

/*
 * The raiser's part of the record of the event it is about to raise: the
 * raise stamps, in the slot of the event's seq. Not busy (checked before)
 * means the last raise's top half ran, so the next top half's seq, fired,
 * equals raised. The seq goes first (see &struct irqbridge_inflight): a
 * bottom half still reading the slot's previous event sees that it was
 * lapped. The status is cleared here, so that a top half without one stores
 * none.
 */
static void irqbridge_raise_record(struct irqbridge_session *s, u64 expires,
				   u64 now)
{
	u64 seq = s->run.raised;
	struct irqbridge_inflight *slot = &s->inflight[seq & s->inflight_mask];

	WRITE_ONCE(slot->rec.seq, seq);
	/* Pairs with the smp_rmb() of the reader's second look at seq. */
	smp_wmb();
	WRITE_ONCE(slot->rec.expected_ns, expires);
	WRITE_ONCE(slot->rec.raise_ns, now);
	WRITE_ONCE(slot->rec.status, 0);
}

/*
 * One raise of a burst: 0, -EAGAIN when the source has not taken the last
 * raise yet (the rest of the burst waits for the next expiry), -ENODEV when
 * the device is gone.
 */
static int irqbridge_timer_raise_one(struct irqbridge_session *s, u64 expires,
				     u64 now)
{
	int ret;

	if (s->src->busy && s->src->busy(s))
		return -EAGAIN;
	if (!(s->config.flags & IRQBRIDGE_CONFIG_NO_RECORDS))
		irqbridge_raise_record(s, expires, now);
	/* For the CPU-time guard's charge of an edu top half. */
	WRITE_ONCE(s->run.raise_ns, now);
	atomic_set(&s->run.outstanding, 1);
	/* Orders the stores above before the interrupt they describe. */
	smp_wmb();
	ret = s->src->raise(s);
	if (ret) {
		/* The device is gone: nothing raised, the run ends. */
		atomic_set(&s->run.outstanding, 0);
		return ret;
	}
	/*
	 * Counted once raised: a raise that failed is no raise. The top half
	 * may already have run on another CPU; raised catches up with fired
	 * before this callback returns.
	 */
	WRITE_ONCE(s->run.raised, s->run.raised + 1);
	return 0;
}

/*
 * The hard-IRQ rate budget of each CPU: top halves per second of the
 * running sessions whose timer is on that CPU (IRQBRIDGE_CPU_RATE_MAX at
 * most: START refuses a session beyond it). A pinned timer stays where
 * START armed it until that CPU goes offline; then the kernel moves it to
 * an online CPU (hrtimers_cpu_dying()), and the session's charge follows
 * it at its next expiry (irqbridge_rate_follow()): the CPU that went away
 * is not left charged for a load it no longer carries, and the CPU that
 * took the timer over has no room for more until the load stops. A
 * migration cannot be refused, so that CPU may carry more than the budget
 * for a while.
 *
 * A raw lock, a leaf, always taken with interrupts off: the timer callback
 * takes it in hard-IRQ context, and in softirq (timer_soft, interrupts on)
 * where a hard callback on the same CPU could otherwise interrupt its
 * holder; START holds it with preemption off, to keep the CPU it charges
 * the one its pinned timer is armed on.
 */
static DEFINE_RAW_SPINLOCK(irqbridge_rate_lock);
static DEFINE_PER_CPU(u32, irqbridge_cpu_rate); /* irqbridge_rate_lock */

/*
 * Moves the session's charge to the CPU its timer fires on, when that is
 * no longer the CPU charged: the charged CPU went offline and the kernel
 * moved the timer. Only the timer callback writes @rate_cpu while the
 * timer is armed (START before arming it, STOP after cancelling it), so
 * the unlocked look at it is a hint the locked one confirms. O(1), with
 * interrupts off for a few instructions: nothing here waits.
 */
static void irqbridge_rate_follow(struct irqbridge_session *s)
{
	unsigned long flags;
	int cpu;

	if (likely(READ_ONCE(s->rate_cpu) == raw_smp_processor_id()))
		return;
	raw_spin_lock_irqsave(&irqbridge_rate_lock, flags);
	cpu = smp_processor_id();
	if (s->rate && s->rate_cpu != cpu) {
		per_cpu(irqbridge_cpu_rate, s->rate_cpu) -= s->rate;
		per_cpu(irqbridge_cpu_rate, cpu) += s->rate;
		WRITE_ONCE(s->rate_cpu, cpu);
	}
	raw_spin_unlock_irqrestore(&irqbridge_rate_lock, flags);
}

/*
 * The CPU-time guard. The rate budget above bounds the top halves per
 * second on a CPU; it cannot bound their time, which depends on the
 * machine: a debug kernel (KASAN, lockdep) under emulation takes tens of
 * microseconds per interrupt, and a CPU charged its full budget then spends
 * all its time in interrupts. Its timer softirq, its RCU grace periods and
 * the stopper thread that CPU hotplug needs on every CPU would never run
 * (stop_machine() then spins with interrupts off on the other CPU, a hard
 * lockup there).
 *
 * So the module's interrupt work on a CPU takes at most about half of that
 * CPU's time (irq_share below), whatever the configuration. The work is a
 * pacing callback with the top halves it runs in line (timer, timer_soft,
 * irqchip), or an edu top half (its MSI arrives on its own). Work of d ns
 * leaves its CPU quiet until d ns after it ended (at the default share): no
 * session raises on or into that CPU before then. The timer moves past that
 * instant and the expiry is counted (throttled; its periods also count as
 * timer_overruns). The count stays exact: the raises are made at later
 * expiries.
 *
 * d is the work's own time, or, where the interrupt took the CPU from a
 * task, the time since it was due (an expiry, or the raise of an edu
 * interrupt) up to IRQBRIDGE_QUIET_LATE_MAX_NS: the interrupt's entry,
 * which the work does not see, is in that delay. The bound keeps a delay
 * that is not the module's (a vCPU the host did not run, another handler)
 * from holding the CPU quiet for long. An interrupt that came to an idle
 * CPU took no task's time while it was late: under emulation that delay is
 * mostly the host not running the idle vCPU, and charging it kept a CPU
 * that had nothing else to do quiet for up to 100 us after each expiry
 * (under TCG at a 100 us period, 199 of 3000 expiries throttled against 28
 * without that charge). A CPU with work to run is not idle when the
 * interrupt comes, so the work it waits behind is charged whole.
 */
#define IRQBRIDGE_QUIET_LATE_MAX_NS (100 * NSEC_PER_USEC)

/*
 * The share of a CPU the module's interrupt work may take, in percent: 50
 * by default, and never more; root may lower it (a test does, to make the
 * guard act on any machine). Work of d ns then leaves the CPU quiet for
 * d * (100 - share) / share ns.
 */
static unsigned int irq_share = 50;

/* 1 to 50: anything else is refused with -EINVAL. */
static int irqbridge_irq_share_set(const char *val,
				   const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 1, 50);
}

static const struct kernel_param_ops irqbridge_irq_share_ops = {
	.set = irqbridge_irq_share_set,
	.get = param_get_uint,
};
module_param_cb(irq_share, &irqbridge_irq_share_ops, &irq_share, 0644);
MODULE_PARM_DESC(irq_share,
		 "Max percent of a CPU in the module's interrupts, 1-50");

/* Until when each CPU takes no raise: see above. Written by that CPU only. */
static DEFINE_PER_CPU(u64, irqbridge_cpu_quiet_until);

/**
 * irqbridge_cpu_charge() - account the module's interrupt work on this CPU
 * @due:	when the interrupt was due: the expiry served, or the raise
 * @start:	when the work began, ktime_get_ns() at its entry
 *
 * Context: hard IRQ, or softirq (timer_soft); interrupts are turned off
 * here so that a hard callback on the same CPU cannot interleave. current
 * is the task the interrupt took the CPU from: the idle task, or not.
 */
void irqbridge_cpu_charge(u64 due, u64 start)
{
	unsigned int share = READ_ONCE(irq_share);
	u64 end = ktime_get_ns();
	u64 busy = end - start, late = end - min(due, start);
	unsigned long flags;
	u64 *quiet, until;

	/* Taken from a task, or from the idle task: see above. */
	if (!is_idle_task(current))
		busy = max(busy, min_t(u64, late, IRQBRIDGE_QUIET_LATE_MAX_NS));
	until = end + div_u64(busy * (100 - share), share);
	local_irq_save(flags);
	quiet = this_cpu_ptr(&irqbridge_cpu_quiet_until);
	if (until > *quiet)
		WRITE_ONCE(*quiet, until);
	local_irq_restore(flags);
}

/*
 * Until when a raise of this session must wait: this CPU's quiet time, and
 * for a source whose top half runs on its own interrupt (edu) that of the
 * CPU its last top half ran on.
 */
static u64 irqbridge_quiet_until(struct irqbridge_session *s)
{
	u64 quiet = READ_ONCE(*this_cpu_ptr(&irqbridge_cpu_quiet_until));
	int cpu = READ_ONCE(s->run.top_cpu);

	if (cpu >= 0 && cpu != raw_smp_processor_id())
		quiet = max(quiet,
			    READ_ONCE(per_cpu(irqbridge_cpu_quiet_until, cpu)));
	return quiet;
}

static enum hrtimer_restart irqbridge_timer_fn(struct hrtimer *timer)
{
	struct irqbridge_session *s =
		container_of(timer, struct irqbridge_session, timer);
	u64 expires = ktime_to_ns(hrtimer_get_expires(timer));
	u64 start = ktime_get_ns(), now = start;
	enum hrtimer_restart restart = HRTIMER_RESTART;
	u64 missed, deferred, quiet;
	u32 i;
	int ret;

	irqbridge_rate_follow(s);
	quiet = irqbridge_quiet_until(s);
	if (unlikely(now < quiet)) {
		/* The CPU's share of interrupt time is spent: raise later. */
		WRITE_ONCE(s->run.throttled, s->run.throttled + 1);
		now = quiet;
		goto forward;
	}
	/*
	 * A burst: up to run.burst top halves back to back (an interrupt
	 * storm), each a whole raise. CONFIGURE bounds the burst and its rate.
	 */
	for (i = 0; i < s->run.burst; i++) {
		if (i)
			now = ktime_get_ns();
		ret = irqbridge_timer_raise_one(s, expires, now);
		if (ret == -EAGAIN) {
			/* Raised at a later expiry: the count stays exact. */
			deferred = min_t(u64, s->run.burst - i,
					 s->run.events - s->run.raised);
			WRITE_ONCE(s->run.source_busy,
				   s->run.source_busy + deferred);
			break;
		}
		if (ret) {
			WRITE_ONCE(s->run.error, -ret);
			restart = HRTIMER_NORESTART;
			break;
		}
		if (s->run.raised >= s->run.events) {
			restart = HRTIMER_NORESTART;
			break;
		}
	}
	irqbridge_cpu_charge(expires, start);
	if (restart == HRTIMER_NORESTART)
		return restart;

forward:
	/* Absolute expiries: the period does not drift with the latency. */
	missed = hrtimer_forward(timer, ns_to_ktime(now),
				 ns_to_ktime(s->run.period_ns));
	if (missed > 1)
		WRITE_ONCE(s->run.timer_overruns,
			   s->run.timer_overruns + missed - 1);
	return HRTIMER_RESTART;
}

/* The expiry mode of the run's source: hard IRQ, or softirq (timer_soft). */
static enum hrtimer_mode irqbridge_timer_mode(struct irqbridge_session *s)
{
	return s->src && s->src->soft ? HRTIMER_MODE_ABS_PINNED_SOFT :
					HRTIMER_MODE_ABS_PINNED_HARD;
}

/**
 * irqbridge_timer_init() - set up the session's pacing timer
 * @s: the session, its timer inactive
 *
 * Absolute expiries (no drift) and pinned: the timer stays on the CPU whose
 * START armed it, so a reader chooses the top half's CPU by where it calls
 * START. Hard-interrupt expiry even on PREEMPT_RT, unless the run's source
 * asks for softirq expiry (&irqbridge_source_ops.soft). An hrtimer's expiry
 * context is fixed when it is set up, so START sets it up again for its
 * source; the timer is inactive then (STOP cancelled it).
 */
void irqbridge_timer_init(struct irqbridge_session *s)
{
	irqbridge_hrtimer_setup(&s->timer, irqbridge_timer_fn, CLOCK_MONOTONIC,
				irqbridge_timer_mode(s));
}

/**
 * irqbridge_timer_start() - arm the timer one period from now on this CPU
 * @s: the session, with its run state reset and its source attached
 *
 * Charges the session's rate to this CPU's budget first: the sessions
 * started on one CPU may together raise at most IRQBRIDGE_CPU_RATE_MAX top
 * halves per second (burst top halves per period each), what one session
 * at the floor period does.
 *
 * Return: 0, or -EBUSY if this CPU's budget has no room for the session.
 */
int irqbridge_timer_start(struct irqbridge_session *s)
{
	/*
	 * At least 1: IRQBRIDGE_PERIOD_MAX_NS is one second. Every top half of
	 * a burst counts.
	 */
	u32 rate =
		div64_u64((u64)s->run.burst * NSEC_PER_SEC, s->run.period_ns);
	unsigned long flags;
	int cpu, ret = 0;

	lockdep_assert_held(&s->lock);
	irqbridge_timer_init(s);
	cpu = get_cpu();
	raw_spin_lock_irqsave(&irqbridge_rate_lock, flags);
	if (per_cpu(irqbridge_cpu_rate, cpu) + rate > IRQBRIDGE_CPU_RATE_MAX) {
		ret = -EBUSY;
	} else {
		per_cpu(irqbridge_cpu_rate, cpu) += rate;
		WRITE_ONCE(s->rate_cpu, cpu);
		s->rate = rate;
	}
	raw_spin_unlock_irqrestore(&irqbridge_rate_lock, flags);
	if (!ret)
		hrtimer_start(&s->timer,
			      ns_to_ktime(ktime_get_ns() + s->run.period_ns),
			      irqbridge_timer_mode(s));
	put_cpu();
	return ret;
}

/**
 * irqbridge_timer_cancel() - stop the timer, wait for a running callback
 *	and give the session's rate back to the CPU it is charged to
 * @s: the session
 *
 * That CPU is the one the timer last fired on (irqbridge_rate_follow()),
 * online or not: the charge is given back either way.
 */
void irqbridge_timer_cancel(struct irqbridge_session *s)
{
	unsigned long flags;

	lockdep_assert_held(&s->lock);
	hrtimer_cancel(&s->timer);
	raw_spin_lock_irqsave(&irqbridge_rate_lock, flags);
	per_cpu(irqbridge_cpu_rate, s->rate_cpu) -= s->rate;
	s->rate = 0;
	raw_spin_unlock_irqrestore(&irqbridge_rate_lock, flags);
}

static_assert(ARRAY_SIZE(irqbridge_sources) <= IRQBRIDGE_CATALOGUE_SOURCES);

/**
 * irqbridge_source_catalogue() - describe every source of the table
 * @cat: the reply of GET_CATALOGUE, zeroed by the caller
 *
 * Fills @cat->sources and @cat->nr_sources, one entry per source, marked
 * IRQBRIDGE_SOURCE_CAP_PRESENT when it is usable now.
 */
void irqbridge_source_catalogue(struct irqbridge_catalogue *cat)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(irqbridge_sources); i++) {
		const struct irqbridge_source_ops *src = irqbridge_sources[i];
		struct irqbridge_source_desc *d = &cat->sources[i];

		d->source = src->source;
		if (src->available())
			d->flags |= IRQBRIDGE_SOURCE_CAP_PRESENT;
		if (src->irq)
			d->flags |= IRQBRIDGE_SOURCE_CAP_IRQ;
		if (src->soft)
			d->flags |= IRQBRIDGE_SOURCE_CAP_SOFTIRQ;
		strscpy(d->name, src->name, sizeof(d->name));
	}
	cat->nr_sources = ARRAY_SIZE(irqbridge_sources);
}
