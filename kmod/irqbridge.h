/* SPDX-License-Identifier: GPL-2.0 */
/*
 * irqbridge: internal interfaces between the module's files.
 */
#ifndef _IRQBRIDGE_H
#define _IRQBRIDGE_H

#include <linux/atomic.h>
#include <linux/hrtimer.h>
#include <linux/interrupt.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include "uapi/irqbridge.h"

struct eventfd_ctx;
struct irqbridge_session;

/**
 * struct irqbridge_ring - the mmap'd record ring of a session
 * @mem:	vmalloc_user() area: header page, then @nr slots
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

/**
 * struct irqbridge_inflight - what a top half leaves for its bottom half
 * @seq:	the top half's sequence number; U64_MAX while the slot is empty
 * @expected_ns: the timer expiry the top half was programmed for
 * @top_ns:	top-half entry time
 * @top:	top-half execution context
 *
 * Written by the top half only while the slot's previous event has been
 * consumed (seq - bh_done < inflight_nr), published by the release of
 * &irqbridge_session.pending, read by the bottom half after its
 * atomic_long_xchg() of that counter.
 */
struct irqbridge_inflight {
	u64 seq;
	u64 expected_ns;
	u64 top_ns;
	struct irqbridge_context top;
};

/**
 * struct irqbridge_bh_ops - one bottom-half mechanism
 * @mode:	IRQBRIDGE_MODE_* it implements
 * @name:	name used in log messages
 * @queue:	called from the top half (hard-IRQ context): queue the bottom
 *		half; queueing an already queued one is a no-op, exactly like
 *		KeInsertQueueDpc on a queued DPC
 * @flush:	process context: wait until a queued bottom half has run
 */
struct irqbridge_bh_ops {
	u32 mode;
	const char *name;
	void (*queue)(struct irqbridge_session *s);
	void (*flush)(struct irqbridge_session *s);
};

const struct irqbridge_bh_ops *irqbridge_bh_lookup(u32 mode);
u32 irqbridge_bh_supported_modes(void);
void irqbridge_bh_init(struct irqbridge_session *s);
void irqbridge_bh_kill(struct irqbridge_session *s);

/**
 * struct irqbridge_session - the state of one open /dev/irqbridge
 * @lock:	serialises ioctls; protects @config, @configured, @running,
 *		@evctx, @bh and every reset of the run state below
 * @config:	the last accepted IRQBRIDGE_IOC_CONFIGURE
 * @configured:	@config is valid
 * @running:	a run was started and not yet stopped
 * @evctx:	the eventfd the bottom half signals; changes only while not
 *		@running, so the bottom half never sees it change
 * @bh:		bottom-half mechanism of the current run, fixed while @running
 * @timer:	the top half: a periodic hard-IRQ hrtimer
 * @period_ns:	copy of @config.period_ns for the top half
 * @events:	copy of @config.events for the top half
 * @fired:	top halves run; written by the top half only
 * @timer_overruns: skipped periods; written by the top half only
 * @inflight_lost: events whose inflight slot was still busy; written by the
 *		top half only
 * @pending:	top halves not yet counted: the top half adds with release
 *		semantics, the bottom half takes all with atomic_long_xchg()
 * @bh_done:	events the bottom half has finished with; written by the
 *		bottom half with release, read by the top half with acquire
 * @inflight:	@inflight_nr slots indexed by seq & (@inflight_nr - 1)
 * @inflight_nr: a power of two, fixed from open to release
 * @counted:	sum of counts added to @evctx; bottom half only
 * @bottom_runs: bottom-half runs that found work; bottom half only
 * @empty_runs:	bottom-half runs that found nothing; bottom half only
 * @max_batch:	largest count taken by one run; bottom half only
 * @ring_lost:	records the ring had no room for; bottom half only
 * @tasklet:	the DPC analog
 * @work:	the WorkItem analog
 * @ring:	per-event records for the reader
 *
 * The run state (@fired .. @ring_lost) is reset by START under @lock while
 * neither half can run. While running, each field has the single writer
 * named above; IRQBRIDGE_IOC_GET_STATS reads them with READ_ONCE().
 */
struct irqbridge_session {
	struct mutex lock;
	struct irqbridge_config config;
	bool configured;
	bool running;
	struct eventfd_ctx *evctx;
	const struct irqbridge_bh_ops *bh;

	struct hrtimer timer;
	u64 period_ns;
	u64 events;
	u64 fired;
	u64 timer_overruns;
	u64 inflight_lost;

	atomic_long_t pending;
	u64 bh_done;
	struct irqbridge_inflight *inflight;
	u32 inflight_nr;

	u64 counted;
	u64 bottom_runs;
	u64 empty_runs;
	u64 max_batch;
	u64 ring_lost;
	struct tasklet_struct tasklet;
	struct work_struct work;

	struct irqbridge_ring ring;
};

void irqbridge_top_init(struct irqbridge_session *s);
void irqbridge_top_start(struct irqbridge_session *s);
void irqbridge_top_cancel(struct irqbridge_session *s);
void irqbridge_bottom_half(struct irqbridge_session *s);
void irqbridge_context_capture(struct irqbridge_context *ctx);

struct irqbridge_session *irqbridge_session_create(u32 ring_records);
void irqbridge_session_destroy(struct irqbridge_session *s);
int irqbridge_session_set_eventfd(struct irqbridge_session *s, int fd);
int irqbridge_session_configure(struct irqbridge_session *s,
				const struct irqbridge_config *cfg);
int irqbridge_session_start(struct irqbridge_session *s);
void irqbridge_session_stop(struct irqbridge_session *s);
void irqbridge_session_stats(struct irqbridge_session *s,
			     struct irqbridge_stats *st);

#endif /* _IRQBRIDGE_H */
