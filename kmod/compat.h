/* SPDX-License-Identifier: GPL-2.0 */
/*
 * irqbridge: every difference between the kernels it builds for, by version.
 */
#ifndef _IRQBRIDGE_COMPAT_H
#define _IRQBRIDGE_COMPAT_H

#include <linux/eventfd.h>
#include <linux/hrtimer.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/version.h>
#include <linux/workqueue.h>

/* PCI_IRQ_LEGACY was renamed PCI_IRQ_INTX in 6.8. */
#if KERNEL_VERSION(6, 8, 0) <= LINUX_VERSION_CODE
#define IRQBRIDGE_PCI_IRQ_INTX PCI_IRQ_INTX
#else
#define IRQBRIDGE_PCI_IRQ_INTX PCI_IRQ_LEGACY
#endif

/*
 * The direct mode signals the eventfd from the top half. The eventfd's
 * wait-queue lock is a spinlock_t: it spins in hard-IRQ context on a
 * normal kernel, but sleeps on PREEMPT_RT, where signalling it from a hard
 * interrupt is a bug; lockdep's raw-lock-nesting check reports it as one on
 * any kernel. Where either holds, the mode does not exist.
 */
#if IS_ENABLED(CONFIG_PREEMPT_RT) || IS_ENABLED(CONFIG_PROVE_RAW_LOCK_NESTING)
#define IRQBRIDGE_HAVE_DIRECT 0
#else
#define IRQBRIDGE_HAVE_DIRECT 1
#endif

/*
 * BH workqueues (WQ_BH, system_bh_wq), the successor of tasklets, arrived
 * in 6.9. Before that the mode does not exist and is reported unavailable.
 */
#if KERNEL_VERSION(6, 9, 0) <= LINUX_VERSION_CODE
#define IRQBRIDGE_HAVE_BH_WQ 1
#define irqbridge_system_bh_wq system_bh_wq
#else
#define IRQBRIDGE_HAVE_BH_WQ 0
#define irqbridge_system_bh_wq NULL
#endif

/*
 * hrtimer_setup() arrived in 6.13; older kernels initialise the timer and
 * set .function separately.
 */
static inline void
irqbridge_hrtimer_setup(struct hrtimer *timer,
			enum hrtimer_restart (*fn)(struct hrtimer *),
			clockid_t clock, enum hrtimer_mode mode)
{
#if KERNEL_VERSION(6, 13, 0) <= LINUX_VERSION_CODE
	hrtimer_setup(timer, fn, clock, mode);
#else
	hrtimer_init(timer, clock, mode);
	timer->function = fn;
#endif
}

/*
 * vm_flags became read-only in 6.3: vm_flags_mod() changes them (with the
 * mmap lock held, as in ->mmap()). Before, the field is written directly.
 */
static inline void irqbridge_vm_flags_mod(struct vm_area_struct *vma,
					  vm_flags_t set, vm_flags_t clear)
{
#if KERNEL_VERSION(6, 3, 0) <= LINUX_VERSION_CODE
	vm_flags_mod(vma, set, clear);
#else
	vma->vm_flags = (vma->vm_flags | set) & ~clear;
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
#if KERNEL_VERSION(6, 8, 0) <= LINUX_VERSION_CODE
	while (n--)
		eventfd_signal(ctx);
#else
	eventfd_signal(ctx, n);
#endif
}

#endif /* _IRQBRIDGE_COMPAT_H */
