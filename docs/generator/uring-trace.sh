#!/bin/sh
# Guest side of docs/data/reader-uring-6.12.json's wake_trace (single-threaded TCG: switching tracers patches kernel text):
# where the time goes between eventfd_signal and the reader back in user
# space, read() against the io_uring variants. Tasklet mode, 1000 events
# every 1000 us, one run per variant and tracer.
CLI=/testbox/irqbridge
t=/sys/kernel/tracing
rc=0
[ -d $t/events ] || mount -t tracefs nodev $t
insmod /testbox/irqbridge.ko || exit 1
grep -E ' (eventfd_signal_mask|__io_run_local_work|io_poll_wake|io_poll_task_func|io_cqring_wait|io_req_task_work_add_remote|__io_req_task_work_add|io_read|eventfd_read|io_issue_sqe|__io_submit_flush_completions)$' /proc/kallsyms > /out/syms.txt
echo 16384 > $t/buffer_size_kb
run() { # VARIANT TAG
	$CLI run --quiet --mode tasklet --events 1000 --period-us 1000 --reader "$1" \
		--json "/out/run-$2-$1.json" > /dev/null || rc=1
}
# 1. Events: light, exact timestamps of each step.
echo 'p:sig eventfd_signal_mask' > $t/kprobe_events || echo "no kprobe" >> /out/errors.txt
for v in read uring-read uring-mshot uring-poll; do
	echo 0 > $t/tracing_on; echo > $t/trace
	for e in kprobes/sig sched/sched_waking sched/sched_switch io_uring/io_uring_task_add \
		io_uring/io_uring_complete io_uring/io_uring_poll_arm raw_syscalls/sys_exit; do
		echo 1 > $t/events/$e/enable || echo "no $e" >> /out/errors.txt
	done
	# read (0), io_uring_enter (426)
	echo 'id == 0 || id == 426' > $t/events/raw_syscalls/sys_exit/filter
	echo 1 > $t/tracing_on
	run $v ev
	echo 0 > $t/tracing_on
	echo 0 > $t/events/enable
	cat $t/trace > "/out/ev-$v.txt"
	grep overrun $t/per_cpu/cpu*/stats >> "/out/ev-$v.txt"
done
# 2. function_graph from the signal and from the reader's wait.
echo > $t/kprobe_events
echo 'eventfd_signal_mask io_cqring_wait eventfd_read' > $t/set_graph_function
for v in read uring-read uring-mshot; do
	echo 0 > $t/tracing_on; echo > $t/trace
	echo function_graph > $t/current_tracer
	echo funcgraph-abstime > $t/trace_options 2>/dev/null
	echo funcgraph-proc > $t/trace_options
	echo 1 > $t/tracing_on
	run $v fg
	echo 0 > $t/tracing_on
	cat $t/trace > "/out/fg-$v.txt"
	echo nop > $t/current_tracer
done
rmmod irqbridge || rc=1
exit $rc
