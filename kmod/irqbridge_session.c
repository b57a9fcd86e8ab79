// SPDX-License-Identifier: GPL-2.0
/*
 * irqbridge: a session's life: eventfd, configuration, start, stop, stats.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/eventfd.h>
#include <linux/ioctl.h>
#include <linux/limits.h>
#include <linux/math64.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "irqbridge.h"

/**
 * irqbridge_session_create() - allocate a session and its record ring
 * @ring_records: ring slots, a power of two
 *
 * Return: the session or an ERR_PTR().
 */
struct irqbridge_session *irqbridge_session_create(u32 ring_records)
{
	struct irqbridge_session *s;
	int ret;

	/*
	 * One inflight slot per ring slot, at the end of the session (large:
	 * vmalloc). Charged to the opener's memory cgroup, like the ring.
	 */
	s = kvzalloc(struct_size(s, inflight, ring_records),
		     GFP_KERNEL_ACCOUNT);
	if (!s)
		return ERR_PTR(-ENOMEM);
	s->inflight_mask = ring_records - 1;

	ret = irqbridge_ring_alloc(&s->ring, ring_records);
	if (ret)
		goto err_free_session;

	mutex_init(&s->lock);
	raw_spin_lock_init(&s->isr_lock);
	mutex_init(&s->passive_lock);
	init_waitqueue_head(&s->readq);
	/* The run state is zero (kzalloc) until the first START resets it. */
	atomic_long_set(&s->unread, 0);
	atomic_set(&s->channels, 0);
	irqbridge_timer_init(s);
	irqbridge_bh_init(s);
	return s;

err_free_session:
	kvfree(s);
	return ERR_PTR(ret);
}

/**
 * irqbridge_session_destroy() - stop everything and free the session
 * @s: the session; its file is being released
 */
void irqbridge_session_destroy(struct irqbridge_session *s)
{
	irqbridge_session_stop(s);
	irqbridge_bh_kill(s);
	if (s->evctx)
		eventfd_ctx_put(s->evctx);
	mutex_destroy(&s->passive_lock);
	mutex_destroy(&s->lock);
	irqbridge_ring_free(&s->ring);
	kvfree(s);
}

/**
 * irqbridge_session_set_eventfd() - choose the eventfd to signal
 * @s: the session
 * @fd: an eventfd of the caller, or -1 to detach
 *
 * Return: 0, -EBUSY while running, -EBADF or -EINVAL if @fd is no eventfd.
 */
int irqbridge_session_set_eventfd(struct irqbridge_session *s, int fd)
{
	struct eventfd_ctx *ctx = NULL;
	int ret = 0;

	if (fd != -1) {
		ctx = eventfd_ctx_fdget(fd);
		if (IS_ERR(ctx))
			return PTR_ERR(ctx);
	}

	mutex_lock(&s->lock);
	if (s->running) {
		ret = -EBUSY;
		goto out_unlock;
	}
	swap(s->evctx, ctx);
out_unlock:
	mutex_unlock(&s->lock);
	if (ctx)
		eventfd_ctx_put(ctx);
	return ret;
}

/*
 * The checks of CONFIGURE that need no lock: -EINVAL or -EOPNOTSUPP. @size
 * is what the ioctl number encodes (irqbridge_configure() copied that many
 * bytes).
 */
static int irqbridge_config_check(const struct irqbridge_config *cfg,
				  size_t size)
{
	const struct irqbridge_bh_ops *bh;
	const struct irqbridge_source_ops *src;

	/*
	 * @size repeats what the ioctl number encodes. The field stays in the
	 * ABI, since every caller fills it, and must say the same, as it
	 * always had to: -EINVAL otherwise.
	 */
	if (cfg->size != size || (cfg->flags & ~IRQBRIDGE_CONFIG_FLAGS) ||
	    cfg->reserved || cfg->reserved2 || cfg->reserved3)
		return -EINVAL;
	/* Records not written cannot be left unread. */
	if ((cfg->flags & IRQBRIDGE_CONFIG_NO_RECORDS) &&
	    (cfg->flags & IRQBRIDGE_CONFIG_RECORDS_UNREAD))
		return -EINVAL;
	/*
	 * A burst is bounded twice: each timer callback runs at most
	 * IRQBRIDGE_BURST_MAX top halves back to back, and the session alone
	 * may not raise more than the CPU's rate budget (START checks the sum
	 * with the other sessions on its CPU).
	 */
	if (!cfg->burst || cfg->burst > IRQBRIDGE_BURST_MAX)
		return -EINVAL;
	if (cfg->period_ns < IRQBRIDGE_PERIOD_MIN_NS ||
	    cfg->period_ns > IRQBRIDGE_PERIOD_MAX_NS)
		return -EINVAL;
	if (!cfg->events || cfg->events > IRQBRIDGE_EVENTS_MAX)
		return -EINVAL;
	if (div64_u64((u64)cfg->burst * NSEC_PER_SEC, cfg->period_ns) >
	    IRQBRIDGE_CPU_RATE_MAX)
		return -EINVAL;
	if (cfg->work_ns > IRQBRIDGE_WORK_MAX_NS ||
	    cfg->sleep_us > IRQBRIDGE_SLEEP_MAX_US)
		return -EINVAL;

	bh = irqbridge_bh_lookup(cfg->mode);
	if (!bh)
		return -EOPNOTSUPP;
	src = irqbridge_source_lookup(cfg->source);
	if (!src)
		return -EINVAL;
	/* The edu device holds one interrupt until it is acknowledged. */
	if (cfg->burst > 1 && cfg->source == IRQBRIDGE_SOURCE_EDU)
		return -EINVAL;
	/* A thread handler needs an interrupt: a bare timer has none. */
	if (bh->threaded && !src->irq)
		return -EINVAL;
	/* Never sleep in a context that may not: refuse, do not try. */
	if (cfg->sleep_us && !bh->may_sleep)
		return -EINVAL;
	/* No busy loop with interrupts off: the top half must stay short. */
	if (cfg->work_ns && bh->in_top)
		return -EINVAL;
	/*
	 * The handler thread is SCHED_FIFO: cond_resched() lets no normal task
	 * in, so its busy work may take at most half of every period.
	 */
	if (bh->threaded && (u64)cfg->work_ns * 2 > cfg->period_ns)
		return -EINVAL;
	return 0;
}

/**
 * irqbridge_session_configure() - check and store the settings of a run
 * @s: the session
 * @cfg: the settings, already copied from userspace
 * @size: the size of the layout the caller used (the ioctl number's)
 *
 * Return: 0, -EINVAL for a setting out of range or a combination that is
 * not allowed (a sleep in an atomic mode, the threaded mode on a bare
 * timer or with work above half the period, a burst above the rate budget
 * or from the edu device), -EOPNOTSUPP for a mode this
 * kernel lacks, -ENODEV for a source that is not present, -EBUSY while
 * running.
 */
int irqbridge_session_configure(struct irqbridge_session *s,
				const struct irqbridge_config *cfg, size_t size)
{
	int ret;

	ret = irqbridge_config_check(cfg, size);
	if (ret)
		return ret;
	if (!irqbridge_source_lookup(cfg->source)->available())
		return -ENODEV;

	mutex_lock(&s->lock);
	if (s->running) {
		ret = -EBUSY;
	} else {
		s->config = *cfg;
		s->configured = true;
	}
	mutex_unlock(&s->lock);
	return ret;
}

/*
 * A new run: the whole run state from zero, every inflight slot empty, the
 * ring empty. Nothing of the session's runs now (START holds the lock and
 * the previous STOP stopped the timer and the source and flushed every
 * stage), so plain stores do.
 */
static void irqbridge_session_reset(struct irqbridge_session *s)
{
	u64 i;

	lockdep_assert_held(&s->lock);

	memset(&s->run, 0, sizeof(s->run));
	s->run.period_ns = s->config.period_ns;
	s->run.events = s->config.events;
	s->run.burst = s->config.burst;
	s->run.top_cpu = -1;
	for (i = 0; i <= s->inflight_mask; i++)
		s->inflight[i].rec.seq = U64_MAX;
	/* Outside the run state: read() and poll() read it without the lock. */
	atomic_long_set(&s->unread, 0);
	irqbridge_ring_reset(&s->ring);
}

/**
 * irqbridge_session_start() - reset the counters and arm the timer
 * @s: the session
 *
 * Return: 0, -EINVAL if not configured, -ENOTCONN without an eventfd,
 * -EBUSY if already running or this CPU's rate budget is full (see
 * irqbridge_timer_start()), or the source's attach error (-ENODEV when
 * the device went away since CONFIGURE).
 */
int irqbridge_session_start(struct irqbridge_session *s)
{
	int ret = 0;

	mutex_lock(&s->lock);
	if (s->running) {
		ret = -EBUSY;
		goto out_unlock;
	}
	if (!s->configured) {
		ret = -EINVAL;
		goto out_unlock;
	}
	if (!s->evctx) {
		ret = -ENOTCONN;
		goto out_unlock;
	}

	irqbridge_session_reset(s);
	s->bh = irqbridge_bh_lookup(s->config.mode);
	s->src = irqbridge_source_lookup(s->config.source);
	if (s->src->attach) {
		ret = s->src->attach(s);
		if (ret)
			goto out_unlock;
	}
	ret = irqbridge_timer_start(s);
	if (ret) {
		if (s->src->detach)
			s->src->detach(s);
		goto out_unlock;
	}
	s->running = true;
out_unlock:
	mutex_unlock(&s->lock);
	return ret;
}

/**
 * irqbridge_session_stop() - stop raising, let every stage finish
 * @s: the session
 *
 * Order: the timer (nothing new is raised, the CPU's rate budget is given
 * back), the source (the last raise's interrupt has arrived or was
 * withdrawn, no top half runs any more, the handler thread has finished),
 * the bottom half (queued runs complete), so raised == fired == counted.
 * Stopping a session that does not run does nothing.
 */
void irqbridge_session_stop(struct irqbridge_session *s)
{
	long left;

	mutex_lock(&s->lock);
	if (!s->running)
		goto out_unlock;

	irqbridge_timer_cancel(s);
	if (s->src->detach)
		s->src->detach(s);
	s->bh->flush(s);
	s->running = false;
	left = atomic_long_read(&s->run.pending) +
	       atomic_long_read(&s->run.chain_pending);
	if (left)
		pr_err("%ld top halves left uncounted by the %s bottom half\n",
		       left, s->bh->name);
out_unlock:
	mutex_unlock(&s->lock);
}

/**
 * irqbridge_session_stats() - snapshot the run's counters
 * @s: the session
 * @st: filled completely (no byte left uninitialised)
 */
void irqbridge_session_stats(struct irqbridge_session *s,
			     struct irqbridge_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);

	mutex_lock(&s->lock);
	st->fired = READ_ONCE(s->run.fired);
	st->counted = READ_ONCE(s->run.counted);
	st->error = READ_ONCE(s->run.error);
	st->running = s->running && !st->error &&
		      (READ_ONCE(s->run.raised) < s->run.events ||
		       st->counted < st->fired);
	st->bottom_runs = READ_ONCE(s->run.bottom_runs);
	st->timer_overruns = READ_ONCE(s->run.timer_overruns);
	st->throttled = READ_ONCE(s->run.throttled);
	st->records = READ_ONCE(s->ring.head);
	st->records_lost =
		READ_ONCE(s->run.inflight_lost) + READ_ONCE(s->run.ring_lost);
	st->max_batch = READ_ONCE(s->run.max_batch);
	st->raised = READ_ONCE(s->run.raised);
	st->source_busy = READ_ONCE(s->run.source_busy);
	st->chain_runs = READ_ONCE(s->run.chain_runs);
	st->empty_runs = atomic_long_read(&s->run.empty_runs);
	st->work_capped = READ_ONCE(s->run.work_capped);
	st->line_held = atomic_long_read(&s->run.line_held);
	st->line_redelivered = atomic_long_read(&s->run.line_redelivered);
	st->thread_masked = atomic_long_read(&s->run.thread_masked);
	st->thread_unmasked = atomic_long_read(&s->run.thread_unmasked);
	st->stage_runs = atomic_long_read(&s->run.stage_runs);
	st->overlaps = atomic_long_read(&s->run.overlaps);
	/* The status of a whole run of the handler thread, never half of it. */
	mutex_lock(&s->passive_lock);
	st->last_status = READ_ONCE(s->run.last_status);
	mutex_unlock(&s->passive_lock);
	mutex_unlock(&s->lock);
}

/**
 * irqbridge_session_cost() - what the top halves of the run cost
 * @s: the session
 * @cost: filled in
 *
 * Consistent after STOP; a snapshot while running.
 */
void irqbridge_session_cost(struct irqbridge_session *s,
			    struct irqbridge_cost *cost)
{
	memset(cost, 0, sizeof(*cost));
	cost->size = sizeof(*cost);

	mutex_lock(&s->lock);
	cost->top_halves = READ_ONCE(s->run.fired);
	cost->top_ns_total = READ_ONCE(s->run.top_cost_ns);
	cost->top_ns_max = READ_ONCE(s->run.top_cost_max_ns);
	mutex_unlock(&s->lock);
}

/**
 * irqbridge_session_read() - wait for completed events, the pended-IRP way
 * @s: the session
 * @buf: where the count goes: a __u64, as an eventfd's read returns it
 * @count: at least 8
 * @nonblock: O_NONBLOCK: -EAGAIN instead of waiting
 *
 * The signalling stage completes the "IRP": it adds its events to
 * @s->unread and wakes @s->readq, next to signalling the eventfd. A read
 * takes every event since the previous one.
 *
 * Context: process context, may sleep.
 * Return: 8, -EINVAL for a short buffer, -EAGAIN, -ERESTARTSYS or -EFAULT.
 */
ssize_t irqbridge_session_read(struct irqbridge_session *s, char __user *buf,
			       size_t count, bool nonblock)
{
	u64 n;
	int ret;

	if (count < sizeof(n))
		return -EINVAL;
	for (;;) {
		n = atomic_long_xchg(&s->unread, 0);
		if (n)
			break;
		if (nonblock)
			return -EAGAIN;
		ret = wait_event_interruptible(s->readq,
					       atomic_long_read(&s->unread));
		if (ret)
			return ret;
	}
	if (put_user(n, (u64 __user *)buf)) {
		/* Not lost: the next read returns them. */
		atomic_long_add(n, &s->unread);
		return -EFAULT;
	}
	return sizeof(n);
}

/**
 * irqbridge_session_poll() - readable while completed events are unread
 * @s: the session
 * @file: its file
 * @wait: the poll table
 *
 * Return: EPOLLIN | EPOLLRDNORM when a read would not block, else 0.
 */
__poll_t irqbridge_session_poll(struct irqbridge_session *s, struct file *file,
				poll_table *wait)
{
	poll_wait(file, &s->readq, wait);
	/* Pairs with wq_has_sleeper() in the signalling stage. */
	smp_mb();
	return atomic_long_read(&s->unread) ? EPOLLIN | EPOLLRDNORM : 0;
}
