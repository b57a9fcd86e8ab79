/* SPDX-License-Identifier: GPL-2.0 */
/*
 * irqbridge: every difference between the kernels it builds for, by version.
 */
#ifndef _IRQBRIDGE_COMPAT_H
#define _IRQBRIDGE_COMPAT_H

#include <linux/bits.h>
#include <linux/err.h>
#include <linux/eventfd.h>
#include <linux/hrtimer.h>
#include <linux/io.h>
#include <linux/irq.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/preempt.h>
#include <linux/smp.h>
#include <linux/stddef.h>
#include <linux/version.h>
#include <linux/workqueue.h>

/* PCI_IRQ_LEGACY was renamed PCI_IRQ_INTX in 6.8. */
#if KERNEL_VERSION(6, 8, 0) <= LINUX_VERSION_CODE
#define IRQBRIDGE_PCI_IRQ_INTX PCI_IRQ_INTX
#else
#define IRQBRIDGE_PCI_IRQ_INTX PCI_IRQ_LEGACY
#endif

/*
 * pcim_iomap_region() (request and map one BAR, device-managed, an
 * ERR_PTR() on failure) arrived in 6.11 and pcim_iomap_regions() is
 * deprecated since; before, the latter and pcim_iomap_table() do the same.
 */
static inline void __iomem *
irqbridge_pcim_iomap_region(struct pci_dev *pdev, int bar, const char *name)
{
#if KERNEL_VERSION(6, 11, 0) <= LINUX_VERSION_CODE
	return pcim_iomap_region(pdev, bar, name);
#else
	int ret = pcim_iomap_regions(pdev, BIT(bar), name);

	if (ret)
		return IOMEM_ERR_PTR(ret);
	return pcim_iomap_table(pdev)[bar];
#endif
}

/*
 * IRQ_MOVE_PCNTXT (change an interrupt's affinity at once, from process
 * context) went in 6.14, where that became what every chip gets unless it
 * asks for a deferred move (IRQCHIP_MOVE_DEFERRED, which this one does not).
 */
#if KERNEL_VERSION(6, 14, 0) <= LINUX_VERSION_CODE
#define IRQBRIDGE_IRQ_MOVE_PCNTXT 0
#else
#define IRQBRIDGE_IRQ_MOVE_PCNTXT IRQ_MOVE_PCNTXT
#endif

/*
 * 6.17 named the per-CPU system workqueue system_percpu_wq and added
 * WQ_PERCPU, the flag for a bound workqueue; system_wq is the old name,
 * which 7.2 warns about at run time and which is to be removed. The new
 * names where they exist; WQ_PERCPU is 0 (bound is the default) before.
 */
#if KERNEL_VERSION(6, 17, 0) <= LINUX_VERSION_CODE
#define irqbridge_system_percpu_wq system_percpu_wq
#define IRQBRIDGE_WQ_PERCPU WQ_PERCPU
#else
#define irqbridge_system_percpu_wq system_wq
#define IRQBRIDGE_WQ_PERCPU 0
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

/*
 * The top half's context word: preempt_count() in the low 32 bits and the
 * CPU in the high 32 bits. On x86-64 from 6.2 (struct pcpu_hot) until 6.15
 * (which split pcpu_hot into separate per-CPU variables) the two are
 * adjacent ints of this CPU's pcpu_hot, so one %gs-relative load reads
 * both; elsewhere they are read one by one. Either way the word's high
 * half is the CPU and its low half the preempt count, on x86 with
 * PREEMPT_NEED_RESCHED (bit 31, inverted) still in it:
 * IRQBRIDGE_PC_COUNT_MASK takes it out, as preempt_count() does.
 */
#if KERNEL_VERSION(6, 2, 0) <= LINUX_VERSION_CODE &&     \
	KERNEL_VERSION(6, 15, 0) > LINUX_VERSION_CODE && \
	IS_ENABLED(CONFIG_X86_64)
static_assert(offsetof(struct pcpu_hot, cpu_number) ==
	      offsetof(struct pcpu_hot, preempt_count) + sizeof(int));
#define IRQBRIDGE_PC_COUNT_MASK (~(u32)PREEMPT_NEED_RESCHED)
static __always_inline u64 irqbridge_pc_cpu(void)
{
	return raw_cpu_read_8(*(u64 __percpu *)&pcpu_hot.preempt_count);
}
#else
#define IRQBRIDGE_PC_COUNT_MASK (~(u32)0)
static __always_inline u64 irqbridge_pc_cpu(void)
{
	return (u32)preempt_count() | (u64)raw_smp_processor_id() << 32;
}
#endif

#endif /* _IRQBRIDGE_COMPAT_H */
