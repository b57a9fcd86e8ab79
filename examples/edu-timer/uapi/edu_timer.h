/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * edu_timer: the ioctl interface of the example driver (docs/porting.md).
 * Shared by the module and the user program.
 */
#ifndef _UAPI_EDU_TIMER_H
#define _UAPI_EDU_TIMER_H

#include <linux/types.h>

/* Which deferral the driver was loaded with (module parameter "mode"). */
#define EDU_TIMER_MODE_DPC 0 /* ISR + tasklet */
#define EDU_TIMER_MODE_WORKITEM 1 /* ISR + work item */
#define EDU_TIMER_MODE_PASSIVE 2 /* the whole ISR in the IRQ thread */

/* The contexts a routine was seen in, OR-ed over all its runs. */
#define EDU_TIMER_CTX_HARDIRQ 0x1
#define EDU_TIMER_CTX_SOFTIRQ 0x2
#define EDU_TIMER_CTX_TASK 0x4

/**
 * struct edu_timer_start - argument of EDU_TIMER_IOC_START
 * @ticks:	how many interrupts the timer raises (1 to 1000000)
 * @period_ms:	the timer's period in milliseconds (1 to 1000)
 */
struct edu_timer_start {
	__u32 ticks;
	__u32 period_ms;
};

/**
 * struct edu_timer_counts - argument of EDU_TIMER_IOC_GET_COUNTS
 * @raised:		interrupts the timer asked the device for
 * @isr_runs:		ISR calls that found the device's interrupt pending
 * @isr_none:		ISR calls that found nothing (IRQ_NONE)
 * @deferred_runs:	DPC (tasklet) or work item runs; 0 in passive mode
 * @signals:		eventfd_signal() calls
 * @isr_context:	EDU_TIMER_CTX_* of every ISR run, OR-ed
 * @deferred_context:	EDU_TIMER_CTX_* of every deferred run, OR-ed
 * @mode:		EDU_TIMER_MODE_*
 * @pad:		zero
 */
struct edu_timer_counts {
	__u64 raised;
	__u64 isr_runs;
	__u64 isr_none;
	__u64 deferred_runs;
	__u64 signals;
	__u32 isr_context;
	__u32 deferred_context;
	__u32 mode;
	__u32 pad;
};

/* clang-format off */
#define EDU_TIMER_IOC_MAGIC		0xe7
/* Takes an eventfd file descriptor (__s32); -1 drops the current one. */
#define EDU_TIMER_IOC_SET_EVENT		_IOW(EDU_TIMER_IOC_MAGIC, 1, __s32)
#define EDU_TIMER_IOC_START		_IOW(EDU_TIMER_IOC_MAGIC, 2, struct edu_timer_start)
#define EDU_TIMER_IOC_STOP		_IO(EDU_TIMER_IOC_MAGIC, 3)
#define EDU_TIMER_IOC_GET_COUNTS	_IOR(EDU_TIMER_IOC_MAGIC, 4, struct edu_timer_counts)
/* clang-format on */

#endif /* _UAPI_EDU_TIMER_H */
