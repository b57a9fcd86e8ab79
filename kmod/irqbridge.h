/* SPDX-License-Identifier: GPL-2.0 */
/*
 * irqbridge: internal interfaces between the module's files.
 */
#ifndef _IRQBRIDGE_H
#define _IRQBRIDGE_H

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/hrtimer.h>
#include <linux/interrupt.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/poll.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "uapi/irqbridge.h"

struct eventfd_ctx;
struct irqbridge_chip_line;
struct irqbridge_edu;
struct irqbridge_session;

/**
 * struct irqbridge_ring - the mmap'd record ring of a session
 * @mem:	zeroed, accounted vmalloc area: header page, then @nr slots
 * @hdr:	the shared header at the start of @mem
 * @slots:	the record slots after the header page
 * @nr:		number of slots, a power of two
 * @bytes:	size of @mem, the only length mmap() accepts
 * @head:	producer's private copy of hdr->head
 *
 * @mem, @hdr, @slots, @nr and @bytes are set at open and never change until
 * release. @head and the slots belong to the single producer, the bottom
 * half (a tasklet or a work item never runs concurrently with itself);
 * irqbridge_ring_reset() touches them only while no run is active, under
 * the session lock. hdr->tail is written by userspace and is only trusted
 * after a bounds check.
 */
struct irqbridge_ring {
	void *mem;
	struct irqbridge_ring_header *hdr;
	struct irqbridge_record *slots;
	u32 nr;
	size_t bytes;
	u64 head;
};

int irqbridge_ring_alloc(struct irqbridge_ring *ring, u32 nr);
void irqbridge_ring_free(struct irqbridge_ring *ring);
void irqbridge_ring_reset(struct irqbridge_ring *ring);
bool irqbridge_ring_push(struct irqbridge_ring *ring,
			 const struct irqbridge_record *rec);
int irqbridge_ring_mmap(struct irqbridge_ring *ring,
			struct vm_area_struct *vma);

/*
 * The top half's context word (&irqbridge_inflight.top_ctx): its low 32 bits
 * are preempt_count() as read (with PREEMPT_NEED_RESCHED on x86:
 * IRQBRIDGE_PC_COUNT_MASK), its high 32 bits the CPU and, only when the
 * top half took a slow path (serving a softirq; on PREEMPT_RT also
 * outside hard IRQ), IRQBRIDGE_TOP_CTX_SLOW and what it read there. On the
 * fast path the rest follows: not serving a softirq, so not ksoftirqd
 * serving one, and interrupts off (irqbridge_top.c says why).
 */
#define IRQBRIDGE_TOP_CTX_SLOW BIT(31)
#define IRQBRIDGE_TOP_CTX_SOFTIRQ BIT(30) /* in_serving_softirq() */
#define IRQBRIDGE_TOP_CTX_IRQS_OFF BIT(29) /* irqs_disabled() */
#define IRQBRIDGE_TOP_CTX_KSOFTIRQD BIT(28) /* serving it in ksoftirqd */
#define IRQBRIDGE_TOP_CTX_CPU_MASK GENMASK(27, 0)

void irqbridge_top_context_flags(u64 top_ctx, struct irqbridge_context *ctx);

/**
 * struct irqbridge_inflight - what the raiser and the top half leave for
 *	the bottom half
 * @rec:	the event's record as the reader will get it. The raiser
 *		(the pacing timer's callback) fills @rec.seq first, then
 *		@rec.expected_ns and @rec.raise_ns and clears @rec.status;
 *		the top half stores @rec.seq again, then @rec.top_ns, @top_ctx
 *		and, from a source with a status, @rec.status; a chain's
 *		first hop stores @rec.bottom_ns and @rec.bottom; the
 *		signalling stage completes a copy and pushes it to the ring
 * @top_ctx:	the top half's context word (IRQBRIDGE_TOP_CTX_*): @rec.top is
 *		made from it by the signalling stage
 *		(irqbridge_top_context_flags()), off the top half's path
 * @pad:	unused: makes a slot 128 bytes, so that the top half finds
 *		its slot's offset with a shift
 *
 * No lock: a writer never waits for the bottom half, so an event may
 * overwrite the slot of the event &irqbridge_session.inflight_mask + 1
 * before it while that one is still unread (a lap). Each writer stores
 * @rec.seq before its other fields (smp_wmb()); the reader copies the slot,
 * then (smp_rmb()) reads @rec.seq again and keeps the copy only if that is
 * still its event's: a field of a later event would have come with that
 * event's seq. A lapped record is counted in &irqbridge_run.inflight_lost.
 * The event's own stores are published by the release of
 * &irqbridge_run.pending and read after the bottom half's
 * atomic_long_xchg() of it (the raiser's come before the interrupt that
 * runs the top half: smp_wmb() before the raise); in a chain the first
 * hop's through &irqbridge_run.chain_pending.
 */
struct irqbridge_inflight {
	struct irqbridge_record rec;
	u64 top_ctx;
	u64 pad;
};

static_assert(sizeof(struct irqbridge_inflight) == 128);

/**
 * struct irqbridge_bh_ops - one bottom-half mechanism
 * @mode:	IRQBRIDGE_MODE_* it implements
 * @name:	its name in log messages, the CLI and the reports
 *		(GET_CATALOGUE)
 * @may_sleep:	its signalling stage runs in task context
 * @threaded:	the top half returns IRQ_WAKE_THREAD instead of queueing;
 *		needs an interrupt source
 * @in_top:	no bottom half: @queue runs the signalling stage inside the
 *		top half (hard IRQ), so no busy work is allowed either
 * @chained:	two hops: the first (a DPC) queues the second (a work item),
 *		which signals
 * @queue:	called from the top half (hard-IRQ context): queue the bottom
 *		half; queueing an already queued one is a no-op, exactly like
 *		KeInsertQueueDpc on a queued DPC
 * @run:	the first stage, run by what @queue queued (a tasklet or a
 *		work item), by the handler thread (@threaded) or by @queue
 *		itself (@in_top); it never runs concurrently with itself
 * @run_chain:	a chain's second stage (@chained), or NULL: run by
 *		&irqbridge_session.chain_work, which @run queues
 * @flush:	process context: wait until queued bottom halves have run;
 *		NULL in the row of a mode this kernel lacks
 *
 * A mode is one row of the table in irqbridge_bottom.c and these
 * functions: the deferral callbacks only call @run or @run_chain.
 */
struct irqbridge_bh_ops {
	u32 mode;
	const char *name;
	bool may_sleep;
	bool threaded;
	bool in_top;
	bool chained;
	void (*queue)(struct irqbridge_session *s);
	void (*run)(struct irqbridge_session *s);
	void (*run_chain)(struct irqbridge_session *s);
	void (*flush)(struct irqbridge_session *s);
};

const struct irqbridge_bh_ops *irqbridge_bh_lookup(u32 mode);
u32 irqbridge_bh_supported_modes(void);
void irqbridge_bh_catalogue(struct irqbridge_catalogue *cat);
int irqbridge_bh_global_init(void);
void irqbridge_bh_global_exit(void);
void irqbridge_bh_init(struct irqbridge_session *s);
void irqbridge_bh_kill(struct irqbridge_session *s);
irqreturn_t irqbridge_bh_thread_fn(struct irqbridge_session *s);

/**
 * struct irqbridge_source_ops - an interrupt source
 * @source:	IRQBRIDGE_SOURCE_* it implements
 * @name:	its name in log messages, the CLI and the reports
 *		(GET_CATALOGUE)
 * @irq:	raises a real interrupt, whose handler is the top half and
 *		may have a thread (IRQBRIDGE_MODE_THREADED); false for the
 *		timers, whose callback is the top half
 * @soft:	the pacing hrtimer expires in softirq (HRTIMER_MODE_SOFT), so
 *		the top half runs at the DISPATCH analog; false: hard IRQ
 * @available:	whether the source can be used now (the device is bound)
 * @attach:	START, under the session lock: route the interrupt to @s
 * @busy:	hrtimer callback: the previous interrupt is not serviced yet,
 *		so raising now would merge two events into one
 * @raise:	hrtimer callback, hard-IRQ context: raise one interrupt;
 *		0, or -ENODEV when the device is gone (nothing was raised)
 * @detach:	STOP, under the session lock, timer already cancelled: no
 *		top half of @s runs after it returns, and none is still on
 *		its way (raised == fired)
 */
struct irqbridge_source_ops {
	u32 source;
	const char *name;
	bool irq;
	bool soft;
	bool (*available)(void);
	int (*attach)(struct irqbridge_session *s);
	bool (*busy)(struct irqbridge_session *s);
	int (*raise)(struct irqbridge_session *s);
	void (*detach)(struct irqbridge_session *s);
};

const struct irqbridge_source_ops *irqbridge_source_lookup(u32 source);
u32 irqbridge_sources_available(void);
void irqbridge_cpu_charge(u64 due, u64 start);
void irqbridge_source_catalogue(struct irqbridge_catalogue *cat);
int irqbridge_irqchip_init(void);
void irqbridge_irqchip_exit(void);
int irqbridge_edu_register(void);
void irqbridge_edu_unregister(void);
extern const struct irqbridge_source_ops irqbridge_source_irqchip;
extern const struct irqbridge_source_ops irqbridge_source_edu;

/**
 * struct irqbridge_run - the state of one run: counters, the chain's hand-over
 *	and what the timer and the top half pass on
 * @period_ns:	copy of &irqbridge_session.config.period_ns for the timer
 * @events:	copy of &irqbridge_session.config.events for the timer
 * @burst:	copy of &irqbridge_session.config.burst for the timer
 * @raised:	interrupts raised; written by the timer callback only, and
 *		by the source's detach (timer cancelled) when it withdraws a
 *		raise whose interrupt never arrived
 * @error:	0, or the positive errno that ended the run early (ENODEV:
 *		the device was removed); the timer callback or the removal of
 *		the device writes it, START resets it
 * @source_busy: raises skipped, source busy (a period, or the rest of a
 *		burst); timer callback only
 * @timer_overruns: skipped periods; timer callback only
 * @throttled:	expiries that raised nothing because the CPU-time guard
 *		held the CPU quiet (irqbridge_source.c); timer callback only
 * @top_cpu:	the CPU the last edu top half ran on, -1 before the first:
 *		the raiser respects that CPU's quiet time too; written by the
 *		edu hard handler, read by the timer callback
 * @raise_ns:	time of the last raise, records or not: the edu hard handler
 *		charges the delay since to the CPU-time guard; timer callback
 *		only
 * @outstanding: a raised device interrupt has not reached its top half yet
 * @fired:	top halves run; written by the top half only
 * @inflight_lost: records lapped in their inflight slot (a later event
 *		rewrote it before the signalling stage read it); signalling
 *		stage only
 * @top_cost_ns: summed time of the top halves, entry to return; top half
 *		only (the IRQ core or the hrtimer base serialises it)
 * @top_cost_max_ns: the longest top half; top half only
 * @isr_status:	device status accumulated since the bottom half last ran;
 *		under &irqbridge_session.isr_lock
 * @last_status: status the bottom half last took; written by the bottom
 *		half only, in the threaded mode under
 *		&irqbridge_session.passive_lock
 * @line_held:	irqchip: raises held while the line was masked; raiser only
 * @line_redelivered: irqchip: held raises delivered at unmask
 * @thread_masked: handler-thread runs that found their irqchip line masked
 * @thread_unmasked: handler-thread runs that found it unmasked
 * @pending:	top halves not yet counted: the top half adds with release
 *		semantics, the bottom half takes all with atomic_long_xchg()
 * @chain_pending: chain mode: events the first hop passed to the second
 * @hop1_done:	chain mode: events the first hop finished; first hop only
 * @bh_done:	events the signalling stage finished; signalling stage only
 * @counted:	sum of counts added to &irqbridge_session.evctx; signalling
 *		stage only
 * @bottom_runs: bottom-half runs that found work; first stage only
 * @chain_runs:	second-hop runs that found work; second hop only
 * @empty_runs:	runs of either stage that found nothing; atomic because both
 *		stages of a chain may count at once
 * @max_batch:	largest count taken by one run; signalling stage only
 * @work_capped: events whose busy work the per-run bound skipped;
 *		signalling stage only
 * @ring_lost:	records the ring had no room for; signalling stage only
 * @stage_running: runs of the first deferred stage (what &irqbridge_bh_ops.run
 *		runs) in progress right now: 0 or 1 unless it ran concurrently
 *		with itself
 * @chain_running: the same for a chain's second hop
 * @stage_runs:	runs of either stage, counted on entry
 * @overlaps:	runs that began while their stage was in progress (its
 *		running count above 1 after the entry's increment)
 *
 * START resets the whole struct (irqbridge_session_reset()) under
 * &irqbridge_session.lock while no stage can run: the timer is cancelled,
 * the source detached and every bottom half flushed. While running, each
 * field has the single writer named above; IRQBRIDGE_IOC_GET_STATS reads
 * them with READ_ONCE() under &irqbridge_session.lock.
 */
struct irqbridge_run {
	u64 period_ns;
	u64 events;
	u32 burst;
	u64 raised;
	u32 error;
	u64 source_busy;
	u64 timer_overruns;
	u64 throttled;
	int top_cpu;
	u64 raise_ns;
	atomic_t outstanding;

	u64 fired;
	u64 inflight_lost;
	u64 top_cost_ns;
	u64 top_cost_max_ns;
	u32 isr_status;
	u32 last_status;
	atomic_long_t line_held;
	atomic_long_t line_redelivered;
	atomic_long_t thread_masked;
	atomic_long_t thread_unmasked;

	atomic_long_t pending;
	atomic_long_t chain_pending;
	u64 hop1_done;
	u64 bh_done;

	u64 counted;
	u64 bottom_runs;
	u64 chain_runs;
	atomic_long_t empty_runs;
	u64 max_batch;
	u64 work_capped;
	u64 ring_lost;

	atomic_t stage_running;
	atomic_t chain_running;
	atomic_long_t stage_runs;
	atomic_long_t overlaps;
};

/**
 * struct irqbridge_session - the state of one open /dev/irqbridge
 * @lock:	serialises ioctls; protects @config, @configured, @running,
 *		@evctx, @bh, @src and every reset of @run
 * @config:	the last accepted IRQBRIDGE_IOC_CONFIGURE
 * @configured:	@config is valid
 * @running:	a run was started and not yet stopped
 * @evctx:	the eventfd the bottom half signals; SET_EVENTFD changes it
 *		only while not @running, and STOP (which clears @running)
 *		flushes every stage first, so no stage sees it change
 * @bh:		bottom-half mechanism of the current run, fixed while @running
 * @src:	interrupt source of the current run, fixed while @running
 * @edu:	the edu device this session raises; written under the edu
 *		driver's lock (see irqbridge_edu.c), read by the timer callback
 *		with READ_ONCE() under RCU: removal clears it, then waits for a
 *		grace period before the device is freed
 * @line:	the irqchip interrupt this session raises; set by attach and
 *		cleared by detach under @lock (see irqbridge_irqchip.c)
 * @timer:	paces the source: a periodic hrtimer, hard-IRQ or (a source
 *		with &irqbridge_source_ops.soft) softirq expiry, set up by
 *		START for the run's source while the timer is inactive
 * @rate_cpu:	the CPU whose rate budget is charged: the one START armed
 *		the timer on, then the one the timer fires on when the kernel
 *		moved it (its CPU went offline); written by START under @lock
 *		and irqbridge_rate_lock before arming, and by the timer
 *		callback under irqbridge_rate_lock, read by STOP after the
 *		timer is cancelled
 * @rate:	top halves per second charged to @rate_cpu, 0 if none;
 *		START and STOP under @lock and irqbridge_rate_lock
 * @run:	the state of the current or last run, reset as a whole by START
 * @isr_lock:	protects @run.isr_status: the top half ORs in what it read from
 *		the device, the bottom half takes it (WdfInterruptAcquireLock)
 * @passive_lock: the PASSIVE_LEVEL interrupt lock (WdfInterruptAcquireLock
 *		of an interrupt with PassiveHandling, a wait lock): a mutex the
 *		handler thread holds for its whole run, and GET_STATS while it
 *		reads @run.last_status, so the reader sees the status of a
 *		whole run
 * @inflight_mask: the number of @inflight slots minus one (a power of two
 *		minus one), fixed from open to release
 * @tasklet:	the DPC analog (also the first hop of a chain)
 * @work:	the WorkItem analog
 * @chain_work:	the second hop of a chain (a WorkItem the DPC queues); a
 *		work item of its own so that @work's callback runs one stage
 * @bh_work:	the BH workqueue's work item; a work item of its own because
 *		a work_struct must not run in softirq and in task context
 *		(lockdep tracks its completion as one lock class)
 * @ring:	per-event records for the reader
 * @readq:	readers blocked in read() or poll() on the session's file: the
 *		pended IRP that the signalling stage completes
 * @unread:	events signalled and not yet returned by read(); the
 *		signalling stage adds, read() takes all with atomic_long_xchg()
 * @parent:	a channel's: the device's file, held with get_file() from
 *		NEW_CHANNEL to the channel's release; NULL for the device's own
 *		session. Set before the channel's file exists, never changed
 * @channels:	the device's own session: channels alive (NEW_CHANNEL adds
 *		with atomic_add_unless() up to the limit, a channel's release
 *		subtracts); 0 in a channel
 *
 * @inflight:	the slots the raiser and the top half fill for the bottom
 *		half, indexed by seq & @inflight_mask; at the end of the
 *		session so that the top half finds its slot without loading a
 *		pointer (see &struct irqbridge_inflight)
 *
 * @unread is not part of @run: read() and poll() read it without @lock, so
 * START resets it on its own, atomically.
 */
struct irqbridge_session {
	struct mutex lock; /* serialises the ioctls, see above */
	struct irqbridge_config config;
	bool configured;
	bool running;
	struct eventfd_ctx *evctx;
	const struct irqbridge_bh_ops *bh;
	const struct irqbridge_source_ops *src;
	struct irqbridge_edu *edu;
	struct irqbridge_chip_line *line;

	struct hrtimer timer;
	int rate_cpu;
	u32 rate;
	raw_spinlock_t isr_lock; /* see above: top half vs bottom half */
	struct mutex passive_lock; /* see above: handler thread vs GET_STATS */
	u64 inflight_mask;
	struct irqbridge_run run;

	struct tasklet_struct tasklet;
	struct work_struct work;
	struct work_struct chain_work;
	struct work_struct bh_work;

	struct irqbridge_ring ring;
	wait_queue_head_t readq;
	atomic_long_t unread;

	struct file *parent;
	atomic_t channels;

	struct irqbridge_inflight inflight[];
};

void irqbridge_timer_init(struct irqbridge_session *s);
int irqbridge_timer_start(struct irqbridge_session *s);
void irqbridge_timer_cancel(struct irqbridge_session *s);
irqreturn_t irqbridge_top_half(struct irqbridge_session *s, u32 status);
void irqbridge_context_capture(struct irqbridge_context *ctx);

int irqbridge_irql_probe(struct irqbridge_irql_probe *out);

struct irqbridge_session *irqbridge_session_create(u32 ring_records);
void irqbridge_session_destroy(struct irqbridge_session *s);
int irqbridge_session_set_eventfd(struct irqbridge_session *s, int fd);
int irqbridge_session_configure(struct irqbridge_session *s,
				const struct irqbridge_config *cfg,
				size_t size);
int irqbridge_session_start(struct irqbridge_session *s);
void irqbridge_session_stop(struct irqbridge_session *s);
void irqbridge_session_stats(struct irqbridge_session *s,
			     struct irqbridge_stats *st);
void irqbridge_session_cost(struct irqbridge_session *s,
			    struct irqbridge_cost *cost);
ssize_t irqbridge_session_read(struct irqbridge_session *s, char __user *buf,
			       size_t count, bool nonblock);
__poll_t irqbridge_session_poll(struct irqbridge_session *s, struct file *file,
				poll_table *wait);

#endif /* _IRQBRIDGE_H */
