// SPDX-License-Identifier: GPL-2.0
/*
 * irqbridge: a session's life: eventfd, configuration, start, stop, stats.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/eventfd.h>
#include <linux/limits.h>
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

	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return ERR_PTR(-ENOMEM);

	ret = irqbridge_ring_alloc(&s->ring, ring_records);
	if (ret)
		goto err_free_session;

	s->inflight_nr = ring_records;
	s->inflight = kvcalloc(s->inflight_nr, sizeof(*s->inflight),
			       GFP_KERNEL);
	if (!s->inflight) {
		ret = -ENOMEM;
		goto err_free_ring;
	}

	mutex_init(&s->lock);
	atomic_long_set(&s->pending, 0);
	irqbridge_top_init(s);
	irqbridge_bh_init(s);
	return s;

err_free_ring:
	irqbridge_ring_free(&s->ring);
err_free_session:
	kfree(s);
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
	mutex_destroy(&s->lock);
	kvfree(s->inflight);
	irqbridge_ring_free(&s->ring);
	kfree(s);
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

/**
 * irqbridge_session_configure() - check and store the settings of a run
 * @s: the session
 * @cfg: the settings, already copied from userspace
 *
 * Return: 0, -EINVAL for a setting out of range, -EOPNOTSUPP for a mode
 * this kernel lacks, -EBUSY while running.
 */
int irqbridge_session_configure(struct irqbridge_session *s,
				const struct irqbridge_config *cfg)
{
	int ret = 0;

	if (cfg->size != sizeof(*cfg) || cfg->flags || cfg->reserved)
		return -EINVAL;
	if (cfg->period_ns < IRQBRIDGE_PERIOD_MIN_NS ||
	    cfg->period_ns > IRQBRIDGE_PERIOD_MAX_NS)
		return -EINVAL;
	if (!cfg->events || cfg->events > IRQBRIDGE_EVENTS_MAX)
		return -EINVAL;
	if (!irqbridge_bh_lookup(cfg->mode))
		return -EOPNOTSUPP;

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

static void irqbridge_session_reset(struct irqbridge_session *s)
{
	u32 i;

	lockdep_assert_held(&s->lock);

	s->period_ns = s->config.period_ns;
	s->events = s->config.events;
	s->fired = 0;
	s->timer_overruns = 0;
	s->inflight_lost = 0;
	atomic_long_set(&s->pending, 0);
	s->bh_done = 0;
	for (i = 0; i < s->inflight_nr; i++)
		s->inflight[i].seq = U64_MAX;
	s->counted = 0;
	s->bottom_runs = 0;
	s->empty_runs = 0;
	s->max_batch = 0;
	s->ring_lost = 0;
	irqbridge_ring_reset(&s->ring);
}

/**
 * irqbridge_session_start() - reset the counters and arm the top half
 * @s: the session
 *
 * Return: 0, -EINVAL if not configured, -ENOTCONN without an eventfd,
 * -EBUSY if already running.
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
	s->running = true;
	irqbridge_top_start(s);
out_unlock:
	mutex_unlock(&s->lock);
	return ret;
}

/**
 * irqbridge_session_stop() - cancel the top half, let the bottom half finish
 * @s: the session
 *
 * The bottom half queued by the last top half still runs, so every fired
 * event is counted. Stopping a session that does not run does nothing.
 */
void irqbridge_session_stop(struct irqbridge_session *s)
{
	mutex_lock(&s->lock);
	if (!s->running)
		goto out_unlock;

	irqbridge_top_cancel(s);
	s->bh->flush(s);
	s->running = false;
	if (atomic_long_read(&s->pending))
		pr_err("%ld top halves left uncounted by the %s bottom half\n",
		       atomic_long_read(&s->pending), s->bh->name);
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
	st->running = s->running && (READ_ONCE(s->fired) < s->events ||
				     atomic_long_read(&s->pending));
	st->fired = READ_ONCE(s->fired);
	st->counted = READ_ONCE(s->counted);
	st->bottom_runs = READ_ONCE(s->bottom_runs);
	st->timer_overruns = READ_ONCE(s->timer_overruns);
	st->records = READ_ONCE(s->ring.head);
	st->records_lost = READ_ONCE(s->inflight_lost) +
			   READ_ONCE(s->ring_lost);
	st->max_batch = READ_ONCE(s->max_batch);
	mutex_unlock(&s->lock);
}
