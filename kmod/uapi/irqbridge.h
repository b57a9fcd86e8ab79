/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * irqbridge: userspace ABI of /dev/irqbridge.
 *
 * One header, shared by the kernel module (kmod/) and the C++ reader
 * (userspace/). Only fixed-width types, explicit padding, identical layout
 * on 32- and 64-bit.
 *
 * A session (one open file; the device admits one at a time, a second open
 * gets -EBUSY):
 *   1. IRQBRIDGE_IOC_GET_INFO      ABI version, ring geometry, mode list
 *      IRQBRIDGE_IOC_GET_CATALOGUE every mode and source: names, capabilities
 *   2. mmap(NULL, info.ring_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
 *   3. IRQBRIDGE_IOC_SET_EVENTFD   the eventfd the bottom half signals
 *                                  (-1 detaches)
 *   4. IRQBRIDGE_IOC_CONFIGURE     mode, period, number of top halves
 *   5. IRQBRIDGE_IOC_START         resets counters and ring, arms the timer
 *   6. wait on the eventfd; each read returns how many top halves were
 *      completed by bottom halves since the previous read; per-event
 *      records arrive in the ring
 *   7. IRQBRIDGE_IOC_STOP          cancels the timer, flushes the bottom half
 *   8. IRQBRIDGE_IOC_GET_STATS     fired == counted, ring losses, ...
 *      IRQBRIDGE_IOC_GET_COST      what the top halves cost
 *
 * Channels: IRQBRIDGE_IOC_NEW_CHANNEL returns a new file descriptor that is
 * a session of its own (same ioctls, its own eventfd, configuration,
 * counters, hrtimer and ring to mmap), so one owner can run a top half per
 * CPU at once: START arms a session's hrtimer pinned to the CPU that calls
 * it. The device stays busy for other processes until its file and every
 * channel are closed. The timer source and its bottom halves run in every
 * channel; IRQBRIDGE_SOURCE_IRQCHIP has one interrupt per possible CPU (a
 * channel beyond them gets -EBUSY at START), IRQBRIDGE_SOURCE_EDU one for
 * all (-EBUSY while another session raises it; when that device is removed
 * the next bound edu device takes its place).
 *
 * All timestamps are CLOCK_MONOTONIC nanoseconds (ktime_get_ns()).
 */
#ifndef _UAPI_LINUX_IRQBRIDGE_H
#define _UAPI_LINUX_IRQBRIDGE_H

#include <linux/types.h>

/* Aligned tables: kept out of clang-format. */
/* clang-format off */
#define IRQBRIDGE_ABI_VERSION		1

/*
 * Bottom-half mechanisms (struct irqbridge_config.mode), with the Windows
 * construct each stands for.
 */
#define IRQBRIDGE_MODE_TASKLET		1	/* tasklet_schedule: the DPC */
#define IRQBRIDGE_MODE_WORKQUEUE	2	/* queue_work(system_wq): the WorkItem */
#define IRQBRIDGE_MODE_TASKLET_HI	3	/* tasklet_hi_schedule: a high-importance DPC */
#define IRQBRIDGE_MODE_WQ_HIGHPRI	4	/* a WQ_HIGHPRI workqueue */
#define IRQBRIDGE_MODE_WQ_UNBOUND	5	/* a WQ_UNBOUND workqueue */
#define IRQBRIDGE_MODE_BH_WQ		6	/* queue_work(system_bh_wq), 6.9+ */
#define IRQBRIDGE_MODE_THREADED		7	/* threaded IRQ: PassiveHandling */
#define IRQBRIDGE_MODE_DPC_WORKITEM	8	/* tasklet, then a work item */
#define IRQBRIDGE_MODE_DIRECT		9	/* no bottom half, the top half signals; not RT */
#define IRQBRIDGE_MODE_MAX		9

/*
 * Interrupt sources (struct irqbridge_config.source). A periodic hrtimer
 * paces every source; it is the top half itself (TIMER, TIMER_SOFT), or
 * raises an interrupt whose handler is the top half (IRQCHIP, EDU). The
 * timer expires in hard-IRQ context, except for TIMER_SOFT: there it
 * expires in softirq (HRTIMER_MODE_SOFT), the "ISR" of a timer DPC (a
 * KDPC queued by KeSetTimer, a WdfTimer's callback) at the DISPATCH_LEVEL
 * analog. A source without an interrupt has no handler thread: the
 * threaded mode is refused with TIMER and TIMER_SOFT (-EINVAL).
 */
#define IRQBRIDGE_SOURCE_TIMER		0	/* the hrtimer callback is the top half */
#define IRQBRIDGE_SOURCE_IRQCHIP	1	/* own irq_chip, generic_handle_irq() */
#define IRQBRIDGE_SOURCE_EDU		2	/* QEMU's edu PCI device, MSI or INTx */
#define IRQBRIDGE_SOURCE_TIMER_SOFT	3	/* the soft hrtimer's callback, in softirq */
#define IRQBRIDGE_SOURCE_MAX		3

/* Limits checked by IRQBRIDGE_IOC_CONFIGURE (-EINVAL outside them). */
#define IRQBRIDGE_PERIOD_MIN_NS		10000ULL	/* 10 us keeps a TCG guest alive */
#define IRQBRIDGE_PERIOD_MAX_NS		1000000000ULL	/* 1 s */
#define IRQBRIDGE_EVENTS_MAX		100000000ULL
#define IRQBRIDGE_WORK_MAX_NS		1000000U	/* 1 ms of busy work per event */
#define IRQBRIDGE_SLEEP_MAX_US		10000U		/* 10 ms of sleep per run */
#define IRQBRIDGE_SESSIONS_MAX		64		/* device file plus channels, at most */
#define IRQBRIDGE_BURST_MAX		64U		/* top halves raised per timer expiry */

/*
 * Bounds the module keeps whatever the configuration (see
 * docs/reliability.md). A bottom-half run busy-loops at most
 * IRQBRIDGE_RUN_WORK_MAX_NS in total, whatever the batch: the work of the
 * events beyond it is skipped and counted in irqbridge_stats.work_capped.
 * The threaded mode's SCHED_FIFO thread is refused (-EINVAL) a work_ns above
 * half the period. START refuses (-EBUSY) a session whose timer would raise
 * more than IRQBRIDGE_CPU_RATE_MAX top halves per second on its CPU together
 * with the sessions already running there (those whose timer the kernel
 * moved there from a CPU that went offline included); CONFIGURE refuses (-EINVAL) a
 * session that alone would (burst top halves per period). A burst raises at
 * most IRQBRIDGE_BURST_MAX top halves back to back in one timer callback.
 */
#define IRQBRIDGE_RUN_WORK_MAX_NS	1000000U	/* 1 ms of busy work per run */
#define IRQBRIDGE_CPU_RATE_MAX		100000U		/* one 10 us session per CPU */

/* struct irqbridge_config.flags */
#define IRQBRIDGE_CONFIG_NO_RECORDS	0x01U	/* count only: no per-event records */
/*
 * A cost probe: the raiser, the top half and a chain's first hop write each
 * event's record as usual, the signalling stage never copies it out, so the
 * ring stays empty. Against NO_RECORDS: what writing the records costs the
 * top half, without what reading them does to the machine it runs on.
 */
#define IRQBRIDGE_CONFIG_RECORDS_UNREAD	0x02U
#define IRQBRIDGE_CONFIG_FLAGS		(IRQBRIDGE_CONFIG_NO_RECORDS | \
					 IRQBRIDGE_CONFIG_RECORDS_UNREAD)

/* struct irqbridge_context.flags: where a stage ran. */
#define IRQBRIDGE_CTX_HARDIRQ		0x01U	/* in_hardirq() */
#define IRQBRIDGE_CTX_SOFTIRQ		0x02U	/* in_serving_softirq() */
#define IRQBRIDGE_CTX_TASK		0x04U	/* in_task() */
#define IRQBRIDGE_CTX_IRQS_OFF		0x08U	/* irqs_disabled() */
#define IRQBRIDGE_CTX_NMI		0x10U	/* in_nmi() */
#define IRQBRIDGE_CTX_KSOFTIRQD		0x20U	/* a softirq run by ksoftirqd */

/* clang-format on */

/**
 * struct irqbridge_info - what the module offers (IRQBRIDGE_IOC_GET_INFO)
 * @abi_version:	IRQBRIDGE_ABI_VERSION of the module
 * @record_size:	sizeof(struct irqbridge_record) of the module
 * @ring_records:	number of record slots in the ring (a power of two)
 * @modes:		bit (1 << mode) set for every mode this kernel supports
 * @ring_bytes:		length to mmap: header page plus the record slots
 * @module_version:	NUL-terminated version string of the module
 * @sources:		bit (1 << source) set for every source present now
 * @reserved:		0
 */
struct irqbridge_info {
	__u32 abi_version;
	__u32 record_size;
	__u32 ring_records;
	__u32 modes;
	__u64 ring_bytes;
	char module_version[32];
	__u32 sources;
	__u32 reserved;
};

/**
 * struct irqbridge_config - one run (IRQBRIDGE_IOC_CONFIGURE)
 * @size:	the size IRQBRIDGE_IOC_CONFIGURE's number encodes (_IOC_SIZE()),
 *		else -EINVAL: sizeof(struct irqbridge_config), or
 *		IRQBRIDGE_CONFIG_SIZE_V1 through IRQBRIDGE_IOC_CONFIGURE_V1 (the
 *		layout without @burst: a burst of 1)
 * @mode:	IRQBRIDGE_MODE_*
 * @period_ns:	timer period, IRQBRIDGE_PERIOD_MIN_NS..IRQBRIDGE_PERIOD_MAX_NS
 * @events:	top halves to fire, 1..IRQBRIDGE_EVENTS_MAX; the timer stops
 *		by itself after the last one
 * @flags:	IRQBRIDGE_CONFIG_*: IRQBRIDGE_CONFIG_NO_RECORDS counts without
 *		writing per-event records (what the records cost the top half);
 *		IRQBRIDGE_CONFIG_RECORDS_UNREAD writes them and never reads
 *		them (no records reach the ring); both at once or other bits
 *		-EINVAL
 * @reserved:	must be 0
 * @source:	IRQBRIDGE_SOURCE_*; IRQBRIDGE_MODE_THREADED needs an interrupt
 *		(IRQCHIP or EDU), not a bare timer (TIMER or TIMER_SOFT)
 * @work_ns:	busy work per event in the bottom half that signals,
 *		0..IRQBRIDGE_WORK_MAX_NS, at most IRQBRIDGE_RUN_WORK_MAX_NS per
 *		run in total; -EINVAL for IRQBRIDGE_MODE_DIRECT, whose
 *		signalling stage is the top half, and above @period_ns / 2 for
 *		IRQBRIDGE_MODE_THREADED (a SCHED_FIFO thread)
 * @sleep_us:	sleep once per run of the bottom half that signals,
 *		0..IRQBRIDGE_SLEEP_MAX_US; only for modes whose last stage runs
 *		in task context (-EINVAL for tasklets, BH workqueues and the
 *		direct mode: they may not sleep, and the module never tries)
 * @reserved2:	must be 0
 * @burst:	top halves raised back to back at each timer expiry (an
 *		interrupt storm), 1..IRQBRIDGE_BURST_MAX; burst * NSEC_PER_SEC /
 *		@period_ns at most IRQBRIDGE_CPU_RATE_MAX. TIMER: the callback
 *		runs the top half @burst times; IRQCHIP: @burst
 *		generic_handle_irq() calls, each a real interrupt through the IRQ
 *		core, on an MSI-like line that is not masked while the threaded
 *		mode's thread runs (IRQCHIP_ONESHOT_SAFE; a burst of 1 gets a
 *		level line that is); a burst ends early, counted in
 *		irqbridge_stats.source_busy, when the line still holds an
 *		unhandled raise; EDU: 1 only, -EINVAL
 *		otherwise (the device raises no new interrupt before the last one
 *		is acknowledged). @events counts top halves, not expiries
 * @reserved3:	must be 0
 */
struct irqbridge_config {
	__u32 size;
	__u32 mode;
	__u64 period_ns;
	__u64 events;
	__u32 flags;
	__u32 reserved;
	__u32 source;
	__u32 work_ns;
	__u32 sleep_us;
	__u32 reserved2;
	__u32 burst;
	__u32 reserved3;
};

/* sizeof(struct irqbridge_config) up to @reserved2: the first layout. */
#define IRQBRIDGE_CONFIG_SIZE_V1 48

/**
 * struct irqbridge_stats - counters of the current or last run
 *	(IRQBRIDGE_IOC_GET_STATS)
 * @size:		sizeof(struct irqbridge_stats) as the module fills it
 * @running:		1 between START and STOP while the run is not complete:
 *			fewer than the configured events raised, or fewer
 *			counted than fired; 0 after STOP or once @error is set
 * @fired:		top halves run
 * @counted:		sum of the counts the bottom halves added to the eventfd
 * @bottom_runs:	bottom-half invocations (fired / bottom_runs = coalescing)
 * @timer_overruns:	timer periods skipped entirely (hrtimer_forward > 1)
 * @records:		records written to the ring
 * @records_lost:	records dropped because the ring was full or the bottom
 *			half fell too far behind; the count is still exact
 * @max_batch:		most top halves handled by one bottom-half run
 * @raised:		interrupts the source raised; after STOP raised == fired
 *			== counted (an interrupt still on its way at STOP is
 *			waited for, or withdrawn from the device and not counted)
 * @source_busy:	raises deferred because the source had not taken the
 *			previous interrupt yet, summed over the expiries: each
 *			expiry that finds the source busy adds the raises it
 *			did not make (the rest of its burst, at most the events
 *			still to raise; EDU: 1, a device raises no new
 *			interrupt before the old one is serviced). A raise
 *			deferred at several expiries counts at each, so this
 *			can exceed the events; no raise is lost (raised again
 *			at a later expiry)
 * @chain_runs:		runs of the second hop (IRQBRIDGE_MODE_DPC_WORKITEM)
 * @empty_runs:		bottom-half runs that found nothing to count (queued
 *			again while a run was taking the count)
 * @work_capped:	events whose busy work (work_ns) was skipped because
 *			their run reached IRQBRIDGE_RUN_WORK_MAX_NS; still counted
 * @error:		0, or the positive errno that ended the run early:
 *			ENODEV when the source's device was removed
 * @reserved:		0
 * @line_held:		IRQBRIDGE_SOURCE_IRQCHIP: raises that found the line
 *			masked (its handler thread still running, IRQF_ONESHOT)
 *			and were held by the chip until it was unmasked
 * @line_redelivered:	IRQBRIDGE_SOURCE_IRQCHIP: held raises the chip
 *			delivered when the line was unmasked; after STOP equal
 *			to @line_held
 * @thread_masked:	handler-thread runs (IRQBRIDGE_MODE_THREADED,
 *			IRQBRIDGE_SOURCE_IRQCHIP) that found their line masked,
 *			as the IRQ core and the chip both see it
 * @thread_unmasked:	such runs that found it unmasked: on a storm's
 *			MSI-like line (burst > 1) every run; otherwise 0 unless
 *			PassiveHandling is not what the module claims
 * @last_status:	the device status the last bottom-half run took from
 *			the top halves (EDU: the saved volatile state, what the
 *			DPC reads under WdfInterruptAcquireLock); 0 for the
 *			other sources
 * @reserved2:		0
 * @stage_runs:		runs of the deferred stages (the bottom half, a chain's
 *			second hop, the handler thread; in IRQBRIDGE_MODE_DIRECT
 *			the top half's signalling), each counted on entry,
 *			found work or not
 * @overlaps:		such runs that began while the same stage of this
 *			session was still running, on any CPU: 0, since a
 *			tasklet, a work item and an IRQ thread never run
 *			concurrently with themselves (a KDPC may: "a DPC may
 *			run on two CPUs at once")
 * @throttled:		timer expiries that raised nothing because the CPU
 *			the interrupts land on had spent its share of time in
 *			the module's interrupt work (at most about half of the
 *			CPU, whatever the configuration: a slow machine cannot
 *			be wedged); their raises are made at later expiries,
 *			and the skipped periods also count in @timer_overruns
 *
 * Fields are only ever appended. The module answers GET_STATS for every
 * size from IRQBRIDGE_STATS_SIZE_V1 up (the size is part of the ioctl
 * number) and fills @size with the bytes it wrote.
 */
struct irqbridge_stats {
	__u32 size;
	__u32 running;
	__u64 fired;
	__u64 counted;
	__u64 bottom_runs;
	__u64 timer_overruns;
	__u64 records;
	__u64 records_lost;
	__u64 max_batch;
	__u64 raised;
	__u64 source_busy;
	__u64 chain_runs;
	__u64 empty_runs;
	__u64 work_capped;
	__u32 error;
	__u32 reserved;
	__u64 line_held;
	__u64 line_redelivered;
	__u64 thread_masked;
	__u64 thread_unmasked;
	__u32 last_status;
	__u32 reserved2;
	__u64 stage_runs;
	__u64 overlaps;
	__u64 throttled;
};

/* sizeof(struct irqbridge_stats) up to @empty_runs: the first layout. */
#define IRQBRIDGE_STATS_SIZE_V1 96

/**
 * struct irqbridge_cost - what the top halves of the current or last run
 *	cost (IRQBRIDGE_IOC_GET_COST)
 * @size:		sizeof(struct irqbridge_cost) as the module fills it
 * @reserved:		0
 * @top_halves:		top halves run (equals irqbridge_stats.fired)
 * @top_ns_total:	their summed time from entry to return, each measured
 *			with ktime_get_ns() at both ends (one clock read
 *			included)
 * @top_ns_max:		the longest top half
 */
struct irqbridge_cost {
	__u32 size;
	__u32 reserved;
	__u64 top_halves;
	__u64 top_ns_total;
	__u64 top_ns_max;
};

/**
 * struct irqbridge_context - execution context of one stage
 * @flags:		IRQBRIDGE_CTX_*
 * @preempt_count:	preempt_count() on entry
 * @cpu:		smp_processor_id() on entry
 * @reserved:		0
 */
struct irqbridge_context {
	__u32 flags;
	__u32 preempt_count;
	__u32 cpu;
	__u32 reserved;
};

/**
 * struct irqbridge_record - one top half and the bottom half that handled it
 * @seq:		0-based number of the top half in this run
 * @expected_ns:	the hrtimer expiry that raised this event
 * @raise_ns:		the hrtimer callback raised the interrupt (with
 *			IRQBRIDGE_SOURCE_TIMER the top half runs inside that
 *			callback, so @top_ns follows within microseconds)
 * @top_ns:		top-half entry
 * @bottom_ns:		when the bottom-half run that counted this event took the
 *			pending count (right after its atomic exchange)
 * @chain_ns:		IRQBRIDGE_MODE_DPC_WORKITEM: when the work item queued by
 *			the DPC took the count; 0 in other modes
 * @signal_ns:		after the signalling run signalled the eventfd
 * @batch:		top halves the signalling run counted in one go
 * @status:		interrupt status the top half read from the device (EDU),
 *			0 for the other sources
 * @top:		context of the top half
 * @bottom:		context of the bottom half (first hop of a chain)
 * @chain:		context of the second hop of a chain, zero otherwise
 */
struct irqbridge_record {
	__u64 seq;
	__u64 expected_ns;
	__u64 raise_ns;
	__u64 top_ns;
	__u64 bottom_ns;
	__u64 chain_ns;
	__u64 signal_ns;
	__u32 batch;
	__u32 status;
	struct irqbridge_context top;
	struct irqbridge_context bottom;
	struct irqbridge_context chain;
};

/**
 * struct irqbridge_ring_header - first page of the mmap'd ring
 * @abi_version:	IRQBRIDGE_ABI_VERSION
 * @record_size:	sizeof(struct irqbridge_record)
 * @nr_records:		slots, a power of two; slot i is at
 *			IRQBRIDGE_RING_RECORDS_OFFSET + (i & (nr_records - 1)) *
 *			record_size
 * @reserved0:		0
 * @pad0:		keeps @head on its own cache line
 * @head:		written by the kernel only: records produced so far;
 *			load it with acquire semantics before reading slots
 * @pad1:		keeps @tail on its own cache line
 * @tail:		written by the reader only: records consumed so far;
 *			store it with release semantics after reading slots
 * @pad2:		keeps @overruns off @tail's cache line
 * @overruns:		written by the kernel only: records dropped because
 *			head - tail == nr_records
 *
 * The ring is single-producer (the bottom half, which never runs twice at
 * once) and single-consumer (the session's reader). head and tail are free
 * running 64-bit counters on separate cache lines. START resets both to 0.
 */
struct irqbridge_ring_header {
	__u32 abi_version;
	__u32 record_size;
	__u32 nr_records;
	__u32 reserved0;
	__u8 pad0[48];
	__u64 head;
	__u8 pad1[56];
	__u64 tail;
	__u8 pad2[56];
	__u64 overruns;
};

/*
 * The IRQL probe (IRQBRIDGE_IOC_IRQL_PROBE): KeRaiseIrql / KeLowerIrql in
 * Linux terms, run in the calling task. Each step is one point of the
 * sequence below; struct irqbridge_probe_step.order numbers the points in
 * the order the module saw them (0: never happened).
 */
/* clang-format off */
#define IRQBRIDGE_PROBE_BASE		0	/* the ioctl, task context */
#define IRQBRIDGE_PROBE_BH_RAISED	1	/* local_bh_disable(), tasklet scheduled */
#define IRQBRIDGE_PROBE_BH_LOWERING	2	/* ~5 ms later, before local_bh_enable() */
#define IRQBRIDGE_PROBE_BH_LOWERED	3	/* local_bh_enable() returned */
#define IRQBRIDGE_PROBE_BH_TASKLET	4	/* that tasklet ran */
#define IRQBRIDGE_PROBE_PREEMPT_RAISED	5	/* preempt_disable(), work queued here */
#define IRQBRIDGE_PROBE_PREEMPT_LOWERING 6	/* ~5 ms later, before preempt_enable() */
#define IRQBRIDGE_PROBE_PREEMPT_LOWERED	7	/* preempt_enable() returned */
#define IRQBRIDGE_PROBE_PREEMPT_WORK	8	/* that work item ran */
#define IRQBRIDGE_PROBE_IRQ_RAISED	9	/* local_irq_save(), tasklet scheduled */
#define IRQBRIDGE_PROBE_IRQ_LOWERING	10	/* ~5 ms later, before local_irq_restore() */
#define IRQBRIDGE_PROBE_IRQ_LOWERED	11	/* local_irq_restore() returned */
#define IRQBRIDGE_PROBE_IRQ_TASKLET	12	/* that tasklet ran */
/*
 * KeWaitForSingleObject's IRQL rule: a completion, waited on in task context
 * (wait_for_completion(), PASSIVE_LEVEL), polled and completed from a
 * tasklet (DISPATCH_LEVEL, where only a zero timeout is allowed). POLLED:
 * try_wait_for_completion() returned false at once and completion_done()
 * said false; SIGNALLED: complete(), then completion_done() said true.
 */
#define IRQBRIDGE_PROBE_WAIT_QUEUED	13	/* the ioctl: about to schedule the tasklet, wait */
#define IRQBRIDGE_PROBE_WAIT_POLLED	14	/* tasklet: polled, not done */
#define IRQBRIDGE_PROBE_WAIT_SIGNALLED	15	/* tasklet: completed, done */
#define IRQBRIDGE_PROBE_WAIT_WOKEN	16	/* the ioctl: wait_for_completion() returned */
#define IRQBRIDGE_PROBE_STEPS		17
/* clang-format on */

/**
 * struct irqbridge_probe_step - one point of the IRQL probe
 * @order:		1-based position among the steps that happened, 0 if
 *			this one did not
 * @softirq_count:	softirq_count() there (on PREEMPT_RT a per-task count
 *			that preempt_count() does not include)
 * @reserved:		0
 * @ctx:		context flags, preempt_count() and CPU there
 */
struct irqbridge_probe_step {
	__u64 order;
	__u32 softirq_count;
	__u32 reserved;
	struct irqbridge_context ctx;
};

/**
 * struct irqbridge_irql_probe - the IRQL probe's result
 *	(IRQBRIDGE_IOC_IRQL_PROBE)
 * @size:		sizeof(struct irqbridge_irql_probe)
 * @preempt_rt:		1 on a PREEMPT_RT kernel (softirqs run in threads)
 * @preempt_mask:	PREEMPT_MASK of this kernel: the preempt_disable() count
 * @softirq_mask:	SOFTIRQ_MASK: softirq serving and BH-disable counts
 * @hardirq_mask:	HARDIRQ_MASK: hard-interrupt nesting
 * @nmi_mask:		NMI_MASK
 * @preempt_offset:	PREEMPT_OFFSET: what preempt_disable() adds
 * @softirq_offset:	SOFTIRQ_OFFSET: set while a softirq is served
 * @softirq_disable_offset: SOFTIRQ_DISABLE_OFFSET: what local_bh_disable()
 *			adds
 * @hardirq_offset:	HARDIRQ_OFFSET: one hard interrupt
 * @steps:		IRQBRIDGE_PROBE_STEPS points, indexed IRQBRIDGE_PROBE_*
 *
 * The masks and offsets are the kernel's own (they moved between kernel
 * versions): read the preempt_count of a record with them, never with
 * constants.
 *
 * Steps are only ever appended (@steps is the last field). The module
 * answers IRQBRIDGE_IOC_IRQL_PROBE for every size from
 * IRQBRIDGE_IRQL_PROBE_SIZE_V1 up (the size is part of the ioctl number)
 * and fills @size with the bytes it wrote.
 */
struct irqbridge_irql_probe {
	__u32 size;
	__u32 preempt_rt;
	__u32 preempt_mask;
	__u32 softirq_mask;
	__u32 hardirq_mask;
	__u32 nmi_mask;
	__u32 preempt_offset;
	__u32 softirq_offset;
	__u32 softirq_disable_offset;
	__u32 hardirq_offset;
	struct irqbridge_probe_step steps[IRQBRIDGE_PROBE_STEPS];
};

/* sizeof(struct irqbridge_irql_probe) with the first 13 steps: the first layout. */
#define IRQBRIDGE_IRQL_PROBE_SIZE_V1 456

/*
 * The catalogue (IRQBRIDGE_IOC_GET_CATALOGUE): every mode and source the
 * module knows, with its name and what it can do, like io_uring's probe.
 * Userspace reads the rules from here instead of keeping its own copy.
 */
/* clang-format off */
#define IRQBRIDGE_NAME_LEN		16	/* a name with its NUL */
#define IRQBRIDGE_CATALOGUE_MODES	32	/* mode numbers are bits of a __u32 */
#define IRQBRIDGE_CATALOGUE_SOURCES	8

/*
 * struct irqbridge_mode_desc.caps: SUPPORTED, this kernel offers the mode
 * (CONFIGURE accepts it); MAY_SLEEP, its signalling stage runs in task
 * context (sleep_us allowed); IN_TOP, no bottom half, the top half signals
 * (work_ns refused); NEEDS_IRQ, a handler thread (no TIMER source, work_ns
 * at most period_ns / 2); CHAINED, two hops, the first queues the second.
 */
#define IRQBRIDGE_MODE_CAP_SUPPORTED	0x01U
#define IRQBRIDGE_MODE_CAP_MAY_SLEEP	0x02U
#define IRQBRIDGE_MODE_CAP_IN_TOP	0x04U
#define IRQBRIDGE_MODE_CAP_NEEDS_IRQ	0x08U
#define IRQBRIDGE_MODE_CAP_CHAINED	0x10U

/*
 * struct irqbridge_source_desc.flags: PRESENT, usable now (its device is
 * bound); IRQ, it raises an interrupt whose handler is the top half (the
 * NEEDS_IRQ modes run on it); SOFTIRQ, its top half runs in softirq, not
 * in hard-IRQ context (TIMER_SOFT).
 */
#define IRQBRIDGE_SOURCE_CAP_PRESENT	0x01U
#define IRQBRIDGE_SOURCE_CAP_IRQ	0x02U
#define IRQBRIDGE_SOURCE_CAP_SOFTIRQ	0x04U
/* clang-format on */

/**
 * struct irqbridge_mode_desc - one bottom-half mechanism of the catalogue
 * @mode:	IRQBRIDGE_MODE_*
 * @caps:	IRQBRIDGE_MODE_CAP_*
 * @name:	NUL-terminated name, as the CLI and the reports spell it
 */
struct irqbridge_mode_desc {
	__u32 mode;
	__u32 caps;
	char name[IRQBRIDGE_NAME_LEN];
};

/**
 * struct irqbridge_source_desc - one interrupt source of the catalogue
 * @source:	IRQBRIDGE_SOURCE_*
 * @flags:	IRQBRIDGE_SOURCE_CAP_*
 * @name:	NUL-terminated name, as the CLI and the reports spell it
 */
struct irqbridge_source_desc {
	__u32 source;
	__u32 flags;
	char name[IRQBRIDGE_NAME_LEN];
};

/**
 * struct irqbridge_catalogue - every mode and source of the module
 *	(IRQBRIDGE_IOC_GET_CATALOGUE)
 * @size:	sizeof(struct irqbridge_catalogue) as the module fills it
 * @nr_modes:	entries of @modes used, in the module's order
 * @nr_sources:	entries of @sources used
 * @reserved:	0
 * @modes:	the modes the module knows, supported on this kernel or not
 *		(IRQBRIDGE_MODE_CAP_SUPPORTED); unused entries are 0
 * @sources:	the sources the module knows; unused entries are 0
 */
struct irqbridge_catalogue {
	__u32 size;
	__u32 nr_modes;
	__u32 nr_sources;
	__u32 reserved;
	struct irqbridge_mode_desc modes[IRQBRIDGE_CATALOGUE_MODES];
	struct irqbridge_source_desc sources[IRQBRIDGE_CATALOGUE_SOURCES];
};

/* clang-format off */
#define IRQBRIDGE_RING_RECORDS_OFFSET	4096

#define IRQBRIDGE_IOC_MAGIC		0xBE

#define IRQBRIDGE_IOC_GET_INFO		_IOR(IRQBRIDGE_IOC_MAGIC, 0x00, struct irqbridge_info)
#define IRQBRIDGE_IOC_SET_EVENTFD	_IOW(IRQBRIDGE_IOC_MAGIC, 0x01, __s32)
#define IRQBRIDGE_IOC_CONFIGURE		_IOW(IRQBRIDGE_IOC_MAGIC, 0x02, struct irqbridge_config)
/* CONFIGURE of the first layout (no burst field): still accepted. */
#define IRQBRIDGE_IOC_CONFIGURE_V1	_IOC(_IOC_WRITE, IRQBRIDGE_IOC_MAGIC, 0x02, \
					     IRQBRIDGE_CONFIG_SIZE_V1)
#define IRQBRIDGE_IOC_START		_IO(IRQBRIDGE_IOC_MAGIC, 0x03)
#define IRQBRIDGE_IOC_STOP		_IO(IRQBRIDGE_IOC_MAGIC, 0x04)
#define IRQBRIDGE_IOC_GET_STATS		_IOR(IRQBRIDGE_IOC_MAGIC, 0x05, struct irqbridge_stats)
#define IRQBRIDGE_IOC_GET_COST		_IOR(IRQBRIDGE_IOC_MAGIC, 0x06, struct irqbridge_cost)
/*
 * Returns a new O_CLOEXEC fd; -EMFILE beyond one channel per possible CPU
 * (each session holds its ring: a few MB), at most IRQBRIDGE_SESSIONS_MAX - 1.
 */
#define IRQBRIDGE_IOC_NEW_CHANNEL	_IO(IRQBRIDGE_IOC_MAGIC, 0x07)
/*
 * Raises and lowers the calling CPU's "IRQL" three ways, with a deferred
 * routine queued while raised, and reports each step (about 15 ms with
 * bottom halves, preemption or interrupts off; one caller at a time).
 */
#define IRQBRIDGE_IOC_IRQL_PROBE	_IOR(IRQBRIDGE_IOC_MAGIC, 0x08, struct irqbridge_irql_probe)
/* Every mode and source with its name and capabilities; no session needed. */
#define IRQBRIDGE_IOC_GET_CATALOGUE	_IOR(IRQBRIDGE_IOC_MAGIC, 0x09, struct irqbridge_catalogue)

/* clang-format on */

#endif /* _UAPI_LINUX_IRQBRIDGE_H */
