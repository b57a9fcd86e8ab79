/* SPDX-License-Identifier: GPL-2.0 */
/*
 * irqbridge: every difference between the kernels it builds for, by version.
 */
#ifndef _IRQBRIDGE_COMPAT_H
#define _IRQBRIDGE_COMPAT_H

#include <linux/eventfd.h>
#include <linux/hrtimer.h>
#include <linux/version.h>

/*
 * hrtimer_setup() arrived in 6.13; older kernels initialise the timer and
 * set .function separately.
 */
static inline void
irqbridge_hrtimer_setup(struct hrtimer *timer,
			enum hrtimer_restart (*fn)(struct hrtimer *),
			clockid_t clock, enum hrtimer_mode mode)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
	hrtimer_setup(timer, fn, clock, mode);
#else
	hrtimer_init(timer, clock, mode);
	timer->function = fn;
#endif
}

/**
 * irqbridge_eventfd_add() - add @n to an eventfd counter and wake its waiters
 * @ctx: the eventfd
 * @n: how many events to add (at least 1)
 *
 * Before 6.8 eventfd_signal() took the count. Since 6.8 it adds exactly 1
 * and no exported function adds more, so @n signals are issued back to
 * back. The total is exact either way; on 6.8+ a reader that wakes during
 * the loop may see the batch split over two reads, which is why the reader
 * attributes events by sequence number rather than by read.
 */
static inline void irqbridge_eventfd_add(struct eventfd_ctx *ctx, u64 n)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0)
	while (n--)
		eventfd_signal(ctx);
#else
	eventfd_signal(ctx, n);
#endif
}

#endif /* _IRQBRIDGE_COMPAT_H */
