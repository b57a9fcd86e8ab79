/* SPDX-License-Identifier: GPL-2.0 */
/*
 * irqbridge: tracepoints of the stages the report measures, for
 * `trace-cmd record -e irqbridge` and `perf record -e 'irqbridge:*'`.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM irqbridge

/* The TRACE_EVENT DSL is laid out for checkpatch, not clang-format. */
/* clang-format off */
#if !defined(_IRQBRIDGE_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _IRQBRIDGE_TRACE_H

#include <linux/tracepoint.h>

TRACE_EVENT(irqbridge_top,
	    TP_PROTO(u32 mode, u32 source, u64 seq, u32 status),
	    TP_ARGS(mode, source, seq, status),
	    TP_STRUCT__entry(__field(u32, mode)
			     __field(u32, source)
			     __field(u64, seq)
			     __field(u32, status)),
	    TP_fast_assign(__entry->mode = mode;
			   __entry->source = source;
			   __entry->seq = seq;
			   __entry->status = status;),
	    TP_printk("mode=%u source=%u seq=%llu status=0x%x",
		      __entry->mode, __entry->source, __entry->seq,
		      __entry->status)
);

DECLARE_EVENT_CLASS(irqbridge_count,
		    TP_PROTO(u32 mode, u64 pending),
		    TP_ARGS(mode, pending),
		    TP_STRUCT__entry(__field(u32, mode)
				     __field(u64, pending)),
		    TP_fast_assign(__entry->mode = mode;
				   __entry->pending = pending;),
		    TP_printk("mode=%u pending=%llu",
			      __entry->mode, __entry->pending)
);

/* A bottom-half run took @pending top halves (0: queued again, nothing left). */
DEFINE_EVENT(irqbridge_count, irqbridge_bottom,
	     TP_PROTO(u32 mode, u64 pending),
	     TP_ARGS(mode, pending)
);

/* The signalling stage added @pending to the eventfd. */
DEFINE_EVENT(irqbridge_count, irqbridge_signal,
	     TP_PROTO(u32 mode, u64 pending),
	     TP_ARGS(mode, pending)
);

#endif /* _IRQBRIDGE_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE irqbridge_trace
#include <trace/define_trace.h>
/* clang-format on */
