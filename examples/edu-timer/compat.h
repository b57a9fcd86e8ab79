/* SPDX-License-Identifier: GPL-2.0 */
/*
 * edu_timer: the one difference between the kernels it builds for.
 */
#ifndef _EDU_TIMER_COMPAT_H
#define _EDU_TIMER_COMPAT_H

#include <linux/eventfd.h>
#include <linux/version.h>

/* eventfd_signal() lost its count argument in 6.8: it now adds exactly 1. */
static inline void edu_timer_eventfd_signal(struct eventfd_ctx *ctx)
{
#if KERNEL_VERSION(6, 8, 0) <= LINUX_VERSION_CODE
	eventfd_signal(ctx);
#else
	eventfd_signal(ctx, 1);
#endif
}

#endif /* _EDU_TIMER_COMPAT_H */
