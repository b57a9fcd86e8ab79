// SPDX-License-Identifier: GPL-2.0
/*
 * irqbridge: the bottom halves.
 *
 * Each mode is one way of deferring from the top half, with the Windows
 * construct it stands for:
 *   tasklet      tasklet_schedule()       DPC, DISPATCH_LEVEL (softirq)
 *   tasklet_hi   tasklet_hi_schedule()    a DPC of high importance
 *   bh_wq        queue_work(system_bh_wq) DPC, the tasklets' successor (6.9+)
 *   workqueue    the per-CPU system wq    WorkItem, PASSIVE_LEVEL (kworker)
 *   wq_highpri   a WQ_HIGHPRI workqueue   WorkItem on a high-priority worker
 *   wq_unbound   a WQ_UNBOUND workqueue   WorkItem on any CPU
 *   threaded     IRQ handler thread       PassiveHandling = TRUE
 *   dpc_workitem tasklet, then work item  the DPC queues a WorkItem
 *   direct       none: the top half       KeSetEvent in the ISR itself
 *
 * The per-CPU system workqueue is system_percpu_wq from 6.17 on and
 * system_wq before (irqbridge_system_percpu_wq, compat.h); the chain's
 * second hop (dpc_workitem) goes there too. direct exists only where the
 * eventfd's lock does not sleep (IRQBRIDGE_HAVE_DIRECT).
 *
 * Either way a queued bottom half is not queued twice, so one run must
 * handle every top half since the previous run: it takes the whole pending
 * count at once and signals the eventfd with that total.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/delay.h>
#include <linux/interrupt.h>
#include <linux/ktime.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "compat.h"
#include "irqbridge.h"
#include "irqbridge_trace.h"

static struct workqueue_struct *irqbridge_wq_highpri;
static struct workqueue_struct *irqbridge_wq_unbound;

/*
 * Busy work of the signalling run: work_ns for each of its @n events, never
 * sleeping, and at most IRQBRIDGE_RUN_WORK_MAX_NS in all. The batch grows
 * while the bottom half is behind, so without the bound a work_ns above the
 * period makes each run longer than the last (issue 11: an RCU stall in a
 * tasklet). Events beyond the bound get no work and are counted in
 * work_capped; they are still signalled. Since work_ns is at most the bound,
 * every run does the work of at least one event. In task context the loop
 * offers the CPU on every turn; the threaded mode's SCHED_FIFO thread is
 * also limited to half the period at CONFIGURE.
 */
static void irqbridge_busy_work(struct irqbridge_session *s, u64 n)
{
	u64 work = s->config.work_ns;
	u64 worked, end;

	if (!work)
		return;
	worked = min_t(u64, n, IRQBRIDGE_RUN_WORK_MAX_NS / work);
	if (worked < n)
		WRITE_ONCE(s->run.work_capped, s->run.work_capped + n - worked);
	end = ktime_get_ns() + worked * work;
	while (ktime_get_ns() < end) {
		if (s->bh->may_sleep)
			cond_resched();
		else
			cpu_relax();
	}
}

/* Take the device status the top halves saved (WdfInterruptAcquireLock). */
static void irqbridge_take_isr_status(struct irqbridge_session *s)
{
	unsigned long flags;
	u32 status;

	raw_spin_lock_irqsave(&s->isr_lock, flags);
	status = s->run.isr_status;
	s->run.isr_status = 0;
	raw_spin_unlock_irqrestore(&s->isr_lock, flags);
	if (status)
		WRITE_ONCE(s->run.last_status, status);
}

/*
 * Copy the record of event @seq out of its inflight slot, which its
 * writers published to this stage (the release of the pending count this
 * stage took). Writers never wait, so a later event may be rewriting the
 * slot right now: each writer stores the seq before its other fields, so a
 * copy holding anything of a later event finds that event's seq on the
 * second look (see &struct irqbridge_inflight).
 *
 * Return: true with @rec filled (the top context made into flags), false if
 * the record was lapped and is lost.
 */
static bool irqbridge_inflight_read(struct irqbridge_session *s, u64 seq,
				    struct irqbridge_record *rec)
{
	const struct irqbridge_inflight *slot =
		&s->inflight[seq & s->inflight_mask];
	u64 top_ctx = READ_ONCE(slot->top_ctx);

	memcpy(rec, &slot->rec, sizeof(*rec));
	/* Pairs with the smp_wmb() between a writer's seq and its fields. */
	smp_rmb();
	if (READ_ONCE(slot->rec.seq) != seq)
		return false;
	rec->seq = seq;
	irqbridge_top_context_flags(top_ctx, &rec->top);
	return true;
}

/*
 * The signalling stage: the only bottom half in single-hop modes, the
 * second hop of a chain. @n events starting at s->run.bh_done are complete.
 * @stamps holds this run's own stamps: the bottom half's (@chain false) or
 * the second hop's (@chain true, the first hop's are in the slots).
 */
static void irqbridge_signal(struct irqbridge_session *s, u64 n,
			     struct irqbridge_record *stamps, bool chain)
{
	u64 first = s->run.bh_done;
	struct irqbridge_record rec;
	u64 seq;

	irqbridge_busy_work(s, n);
	if (s->config.sleep_us && s->bh->may_sleep)
		usleep_range(s->config.sleep_us, s->config.sleep_us + 10);

	irqbridge_eventfd_add(s->evctx, n);
	/* Completes a reader pended in read() or poll() on the session. */
	atomic_long_add(n, &s->unread);
	if (wq_has_sleeper(&s->readq))
		wake_up_interruptible_poll(&s->readq, EPOLLIN | EPOLLRDNORM);
	stamps->signal_ns = ktime_get_ns();
	trace_irqbridge_signal(s->config.mode, n);

	WRITE_ONCE(s->run.counted, s->run.counted + n);
	if (n > s->run.max_batch)
		WRITE_ONCE(s->run.max_batch, n);

	stamps->batch = n;
	/* No record to copy, or (RECORDS_UNREAD) none to be copied. */
	if (s->config.flags &
	    (IRQBRIDGE_CONFIG_NO_RECORDS | IRQBRIDGE_CONFIG_RECORDS_UNREAD))
		seq = first + n;
	else
		seq = first;
	for (; seq < first + n; seq++) {
		/* The record the raiser, the top half (and a first hop) wrote. */
		if (!irqbridge_inflight_read(s, seq, &rec)) {
			WRITE_ONCE(s->run.inflight_lost,
				   s->run.inflight_lost + 1);
			continue;
		}
		if (chain) {
			rec.chain_ns = stamps->chain_ns;
			rec.chain = stamps->chain;
		} else {
			rec.bottom_ns = stamps->bottom_ns;
			rec.bottom = stamps->bottom;
		}
		rec.signal_ns = stamps->signal_ns;
		rec.batch = stamps->batch;
		if (!irqbridge_ring_push(&s->ring, &rec))
			WRITE_ONCE(s->run.ring_lost, s->run.ring_lost + 1);
	}

	WRITE_ONCE(s->run.bh_done, first + n);
}

/* Take every pending top half; 0 if a previous run already took them. */
static u64 irqbridge_take(struct irqbridge_session *s, atomic_long_t *pending,
			  u64 *now)
{
	/* Full barrier: the producer's slot writes are visible after it. */
	u64 n = atomic_long_xchg(pending, 0);

	/*
	 * Timestamp after the exchange: a top half may fire between entry and
	 * the exchange (on another CPU, or as an interrupt of this one) and is
	 * then handled by this run, so only now is the time >= its top_ns.
	 */
	*now = ktime_get_ns();
	trace_irqbridge_bottom(s->config.mode, n);
	if (!n)
		atomic_long_inc(&s->run.empty_runs);
	return n;
}

/**
 * irqbridge_bottom_half() - count every pending top half and signal
 * @s: the session
 *
 * Context: the bottom half of the current mode; never runs concurrently
 * with itself (tasklets, work items and IRQ threads are non-reentrant),
 * which makes it the single writer of the bottom-half counters and the
 * ring's producer.
 */
static void irqbridge_bottom_half(struct irqbridge_session *s)
{
	struct irqbridge_record rec = {};
	u64 n;

	irqbridge_context_capture(&rec.bottom);
	n = irqbridge_take(s, &s->run.pending, &rec.bottom_ns);
	if (!n)
		return;
	WRITE_ONCE(s->run.bottom_runs, s->run.bottom_runs + 1);
	irqbridge_take_isr_status(s);
	irqbridge_signal(s, n, &rec, false);
}

/*
 * First hop of the chain (the DPC): takes the count, stamps every event,
 * passes them on to the work item and queues it. It may not sleep, so what
 * must run at PASSIVE_LEVEL (the signal, the sleep) is the work item's.
 */
static void irqbridge_chain_dpc(struct irqbridge_session *s)
{
	struct irqbridge_context ctx;
	u64 n, now, seq;

	irqbridge_context_capture(&ctx);
	n = irqbridge_take(s, &s->run.pending, &now);
	if (!n)
		return;
	WRITE_ONCE(s->run.bottom_runs, s->run.bottom_runs + 1);
	irqbridge_take_isr_status(s);

	/*
	 * A slot already lapped gets them too: the later event's own first
	 * hop overwrites them before passing it on, and the second hop
	 * counts the lapped record when it finds the later seq.
	 */
	seq = s->run.hop1_done;
	if (s->config.flags & IRQBRIDGE_CONFIG_NO_RECORDS)
		seq += n;
	for (; seq < s->run.hop1_done + n; seq++) {
		struct irqbridge_inflight *slot =
			&s->inflight[seq & s->inflight_mask];

		WRITE_ONCE(slot->rec.bottom_ns, now);
		slot->rec.bottom = ctx;
	}
	s->run.hop1_done += n;
	/* Publishes the stamps to the work item's exchange. */
	atomic_long_add_return_release(n, &s->run.chain_pending);
	queue_work(irqbridge_system_percpu_wq, &s->chain_work);
}

/* Second hop of the chain (the WorkItem): signals what the DPC passed on. */
static void irqbridge_chain_workitem(struct irqbridge_session *s)
{
	struct irqbridge_record rec = {};
	u64 n;

	irqbridge_context_capture(&rec.chain);
	n = irqbridge_take(s, &s->run.chain_pending, &rec.chain_ns);
	if (!n)
		return;
	WRITE_ONCE(s->run.chain_runs, s->run.chain_runs + 1);
	irqbridge_signal(s, n, &rec, true);
}

/*
 * Runs one deferred stage of the session (@fn: &irqbridge_bh_ops.run, or
 * run_chain with the chain's own @running), counting the runs in progress:
 * one that begins while another of its stage is still in progress, on any
 * CPU, is an overlap. A tasklet (TASKLET_STATE_RUN), a work item (a busy
 * work item is queued behind its running instance) and an IRQ thread (one
 * thread per action) never make one; a KDPC queued on a second CPU while it
 * runs would. The direct mode's stage is the top half itself, which the IRQ
 * core (IRQD_IRQ_INPROGRESS) or the hrtimer base (one callback of a timer
 * at a time) serialise the same way.
 */
static void irqbridge_stage(struct irqbridge_session *s, atomic_t *running,
			    void (*fn)(struct irqbridge_session *s))
{
	atomic_long_inc(&s->run.stage_runs);
	/* Fully ordered: an overlapping run on another CPU sees this one. */
	if (atomic_inc_return(running) > 1)
		atomic_long_inc(&s->run.overlaps);
	fn(s);
	/*
	 * The run's stores before its exit: a later entry (fully ordered) that
	 * finds it gone sees everything the run did, or counts an overlap.
	 */
	smp_mb__before_atomic();
	atomic_dec(running);
}

/* The first deferred stage: the bottom half, or a chain's first hop. */
static void irqbridge_stage_run(struct irqbridge_session *s)
{
	irqbridge_stage(s, &s->run.stage_running, s->bh->run);
}

/**
 * irqbridge_bh_thread_fn() - the threaded mode's bottom half
 * @s: the session
 *
 * Context: the interrupt's handler thread (task context, may sleep).
 * Return: IRQ_HANDLED.
 */
irqreturn_t irqbridge_bh_thread_fn(struct irqbridge_session *s)
{
	/*
	 * The PassiveHandling ISR runs under its interrupt's passive-level
	 * lock; here that is a mutex, which only task context may take.
	 */
	mutex_lock(&s->passive_lock);
	irqbridge_stage_run(s);
	mutex_unlock(&s->passive_lock);
	return IRQ_HANDLED;
}

/*
 * The deferral objects' callbacks know nothing of modes: each runs the op of
 * the stage it carries (the tasklet and the work item the first stage, the
 * chain's work item the second).
 */
static void irqbridge_tasklet_fn(struct tasklet_struct *t)
{
	struct irqbridge_session *s = from_tasklet(s, t, tasklet);

	irqbridge_stage_run(s);
}

static void irqbridge_work_fn(struct work_struct *work)
{
	struct irqbridge_session *s =
		container_of(work, struct irqbridge_session, work);

	irqbridge_stage_run(s);
}

static void irqbridge_chain_work_fn(struct work_struct *work)
{
	struct irqbridge_session *s =
		container_of(work, struct irqbridge_session, chain_work);

	irqbridge_stage(s, &s->run.chain_running, s->bh->run_chain);
}

static void irqbridge_tasklet_queue(struct irqbridge_session *s)
{
	tasklet_schedule(&s->tasklet);
}

static void irqbridge_tasklet_hi_queue(struct irqbridge_session *s)
{
	tasklet_hi_schedule(&s->tasklet);
}

static void irqbridge_tasklet_flush(struct irqbridge_session *s)
{
	/* Waits for a scheduled tasklet to run; it stays usable afterwards. */
	tasklet_kill(&s->tasklet);
}

static void irqbridge_chain_flush(struct irqbridge_session *s)
{
	tasklet_kill(&s->tasklet); /* the DPC, which may queue the work */
	flush_work(&s->chain_work);
}

static void irqbridge_system_wq_queue(struct irqbridge_session *s)
{
	queue_work(irqbridge_system_percpu_wq, &s->work);
}

static void irqbridge_highpri_queue(struct irqbridge_session *s)
{
	queue_work(irqbridge_wq_highpri, &s->work);
}

static void irqbridge_unbound_queue(struct irqbridge_session *s)
{
	queue_work(irqbridge_wq_unbound, &s->work);
}

#if IRQBRIDGE_HAVE_BH_WQ
static void irqbridge_bh_work_fn(struct work_struct *work)
{
	struct irqbridge_session *s =
		container_of(work, struct irqbridge_session, bh_work);

	irqbridge_stage_run(s);
}

static void irqbridge_bh_wq_queue(struct irqbridge_session *s)
{
	queue_work(irqbridge_system_bh_wq, &s->bh_work);
}

static void irqbridge_bh_wq_flush(struct irqbridge_session *s)
{
	flush_work(&s->bh_work);
}
#endif

static void irqbridge_work_flush(struct irqbridge_session *s)
{
	flush_work(&s->work);
}

static void irqbridge_thread_flush(struct irqbridge_session *s)
{
	/*
	 * Nothing left: the source's detach ran synchronize_irq(), which waits
	 * for the handler thread too. If the edu device was removed during
	 * the run, its removal did so instead, under the lock detach takes.
	 */
}

#if IRQBRIDGE_HAVE_DIRECT
/*
 * The counter-example: no bottom half at all. The top half takes the count
 * and signals the eventfd itself, in hard-interrupt context: what Windows
 * forbids (KeSetEvent at DIRQL) and VFIO's INTx handler does on Linux. The
 * lower bound of "no deferral", and not available on PREEMPT_RT.
 */
static void irqbridge_direct_queue(struct irqbridge_session *s)
{
	irqbridge_stage_run(s);
}

static void irqbridge_direct_flush(struct irqbridge_session *s)
{
	/* Nothing is deferred: the timer and the source are already stopped. */
}
#endif

/*
 * The one list of modes: a new mode is a row here (and its number in the
 * uapi header). GET_CATALOGUE reports every row with its name and flags, so
 * userspace, its help text and the tests take the list from the module. A
 * row without @flush is a mode this kernel lacks: known by name, refused by
 * CONFIGURE (-EOPNOTSUPP) and reported without IRQBRIDGE_MODE_CAP_SUPPORTED.
 */
static const struct irqbridge_bh_ops irqbridge_bh_table[] = {
	{
		.mode = IRQBRIDGE_MODE_TASKLET,
		.name = "tasklet",
		.queue = irqbridge_tasklet_queue,
		.run = irqbridge_bottom_half,
		.flush = irqbridge_tasklet_flush,
	},
	{
		.mode = IRQBRIDGE_MODE_WORKQUEUE,
		.name = "workqueue",
		.may_sleep = true,
		.queue = irqbridge_system_wq_queue,
		.run = irqbridge_bottom_half,
		.flush = irqbridge_work_flush,
	},
	{
		.mode = IRQBRIDGE_MODE_TASKLET_HI,
		.name = "tasklet_hi",
		.queue = irqbridge_tasklet_hi_queue,
		.run = irqbridge_bottom_half,
		.flush = irqbridge_tasklet_flush,
	},
	{
		.mode = IRQBRIDGE_MODE_WQ_HIGHPRI,
		.name = "wq_highpri",
		.may_sleep = true,
		.queue = irqbridge_highpri_queue,
		.run = irqbridge_bottom_half,
		.flush = irqbridge_work_flush,
	},
	{
		.mode = IRQBRIDGE_MODE_WQ_UNBOUND,
		.name = "wq_unbound",
		.may_sleep = true,
		.queue = irqbridge_unbound_queue,
		.run = irqbridge_bottom_half,
		.flush = irqbridge_work_flush,
	},
	{
		.mode = IRQBRIDGE_MODE_BH_WQ,
		.name = "bh_wq",
#if IRQBRIDGE_HAVE_BH_WQ
		.queue = irqbridge_bh_wq_queue,
		.run = irqbridge_bottom_half,
		.flush = irqbridge_bh_wq_flush,
#endif
	},
	{
		.mode = IRQBRIDGE_MODE_THREADED,
		.name = "threaded",
		.may_sleep = true,
		.threaded = true,
		.run = irqbridge_bottom_half,
		.flush = irqbridge_thread_flush,
	},
	{
		.mode = IRQBRIDGE_MODE_DPC_WORKITEM,
		.name = "dpc_workitem",
		.may_sleep = true,
		.chained = true,
		.queue = irqbridge_tasklet_queue,
		.run = irqbridge_chain_dpc,
		.run_chain = irqbridge_chain_workitem,
		.flush = irqbridge_chain_flush,
	},
	{
		.mode = IRQBRIDGE_MODE_DIRECT,
		.name = "direct",
		.in_top = true,
#if IRQBRIDGE_HAVE_DIRECT
		.queue = irqbridge_direct_queue,
		.run = irqbridge_bottom_half,
		.flush = irqbridge_direct_flush,
#endif
	},
};

/* A row that this kernel can run (the others have no functions). */
static bool irqbridge_bh_supported(const struct irqbridge_bh_ops *bh)
{
	return bh->flush;
}

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
		if (irqbridge_bh_table[i].mode == mode &&
		    irqbridge_bh_supported(&irqbridge_bh_table[i]))
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
		if (irqbridge_bh_supported(&irqbridge_bh_table[i]))
			mask |= BIT(irqbridge_bh_table[i].mode);
	return mask;
}

static_assert(ARRAY_SIZE(irqbridge_bh_table) <= IRQBRIDGE_CATALOGUE_MODES);

/**
 * irqbridge_bh_catalogue() - describe every mode of the table
 * @cat: the reply of GET_CATALOGUE, zeroed by the caller
 *
 * Fills @cat->modes and @cat->nr_modes in the table's order, one entry per
 * row, with the capabilities CONFIGURE enforces (irqbridge_config_check()
 * reads the same flags).
 */
void irqbridge_bh_catalogue(struct irqbridge_catalogue *cat)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(irqbridge_bh_table); i++) {
		const struct irqbridge_bh_ops *bh = &irqbridge_bh_table[i];
		struct irqbridge_mode_desc *d = &cat->modes[i];

		d->mode = bh->mode;
		if (irqbridge_bh_supported(bh))
			d->caps |= IRQBRIDGE_MODE_CAP_SUPPORTED;
		if (bh->may_sleep)
			d->caps |= IRQBRIDGE_MODE_CAP_MAY_SLEEP;
		if (bh->in_top)
			d->caps |= IRQBRIDGE_MODE_CAP_IN_TOP;
		if (bh->threaded)
			d->caps |= IRQBRIDGE_MODE_CAP_NEEDS_IRQ;
		if (bh->chained)
			d->caps |= IRQBRIDGE_MODE_CAP_CHAINED;
		strscpy(d->name, bh->name, sizeof(d->name));
	}
	cat->nr_modes = ARRAY_SIZE(irqbridge_bh_table);
}

/**
 * irqbridge_bh_global_init() - create the module's own workqueues
 *
 * Return: 0 or -ENOMEM.
 */
int irqbridge_bh_global_init(void)
{
	/* Bound to the CPU that queues, by name on the kernels that ask it. */
	unsigned int highpri = WQ_HIGHPRI | IRQBRIDGE_WQ_PERCPU;

	irqbridge_wq_highpri = alloc_workqueue("irqbridge_highpri", highpri, 0);
	if (!irqbridge_wq_highpri)
		return -ENOMEM;

	irqbridge_wq_unbound =
		alloc_workqueue("irqbridge_unbound", WQ_UNBOUND, 0);
	if (!irqbridge_wq_unbound)
		goto err_destroy_highpri;
	return 0;

err_destroy_highpri:
	destroy_workqueue(irqbridge_wq_highpri);
	return -ENOMEM;
}

/**
 * irqbridge_bh_global_exit() - destroy the module's workqueues
 */
void irqbridge_bh_global_exit(void)
{
	destroy_workqueue(irqbridge_wq_unbound);
	destroy_workqueue(irqbridge_wq_highpri);
}

/**
 * irqbridge_bh_init() - set up every bottom half of a session
 * @s: the session
 */
void irqbridge_bh_init(struct irqbridge_session *s)
{
	tasklet_setup(&s->tasklet, irqbridge_tasklet_fn);
	INIT_WORK(&s->work, irqbridge_work_fn);
	INIT_WORK(&s->chain_work, irqbridge_chain_work_fn);
#if IRQBRIDGE_HAVE_BH_WQ
	INIT_WORK(&s->bh_work, irqbridge_bh_work_fn);
#endif
}

/**
 * irqbridge_bh_kill() - make sure no bottom half is queued or running
 * @s: the session, whose timer is cancelled and source detached
 */
void irqbridge_bh_kill(struct irqbridge_session *s)
{
	tasklet_kill(&s->tasklet);
	cancel_work_sync(&s->work);
	cancel_work_sync(&s->chain_work);
#if IRQBRIDGE_HAVE_BH_WQ
	cancel_work_sync(&s->bh_work);
#endif
}
