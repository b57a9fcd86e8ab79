# Guest side of `make docs-data` (busybox sh, run by the test box in
# /testbox): the measurements behind the figures in README.md and docs/.
# One phase per boot: compare (2 CPUs), rt (the RT kernel's compare),
# percpu (4 CPUs), bench (2 CPUs), icount (bench's costs under -icount),
# onecpu (1 CPU). Every file lands in /out;
# docs/generator/data.sh turns them into docs/data/*.json on the host.
# Settings come from the environment the host passes on the command line.
EVENTS=${EVENTS:-2000}
PERIOD_US=${PERIOD_US:-1000}
REPEAT=${REPEAT:-3}
WARMUP=${WARMUP:-50}
BENCH_EVENTS=${BENCH_EVENTS:-2000}
BENCH_ICOUNT_EVENTS=${BENCH_ICOUNT_EVENTS:-4000}
CLI=/testbox/irqbridge
set -u

insmod /testbox/irqbridge.ko || { echo "docs-data: insmod failed"; exit 1; }

# trace_counts MODE: one short run of MODE with the ipi and sched wake-up
# tracepoints on; the raw trace goes to /out/trace-MODE.txt for the host to
# count (docs/generator/summarize.py).
trace_counts() {
	t=/sys/kernel/tracing
	[ -d $t/events/ipi ] || { echo "docs-data: no ipi tracepoints" > /out/trace-"$1".txt; return 0; }
	echo 0 > $t/tracing_on
	echo > $t/trace
	echo 8192 > $t/buffer_size_kb
	for e in ipi/ipi_send_cpu ipi/ipi_send_cpumask sched/sched_wakeup \
		irq_vectors/reschedule_entry irq_vectors/call_function_single_entry \
		irq_vectors/call_function_entry; do
		[ -f $t/events/$e/enable ] && echo 1 > $t/events/$e/enable
	done
	echo 1 > $t/tracing_on
	$CLI run --quiet --mode "$1" --events 1000 --period-us "$PERIOD_US" \
		--json /out/trace-"$1".json > /dev/null || rc=1
	echo 0 > $t/tracing_on
	cat $t/trace > /out/trace-"$1".txt
	for c in "$t"/per_cpu/cpu*; do
		echo "# $(basename "$c") $(grep overrun "$c"/stats)" >> /out/trace-"$1".txt
	done
	echo 0 > $t/events/enable
}

rc=0
case "${1:-}" in
compare)
	$CLI compare --quiet --events "$EVENTS" --period-us "$PERIOD_US" --repeat "$REPEAT" \
		--warmup "$WARMUP" --json /out/compare.json > /out/compare.txt || rc=1
	$CLI compare --quiet --modes all --events "$EVENTS" --period-us "$PERIOD_US" --repeat "$REPEAT" \
		--warmup "$WARMUP" --outliers 0 --json /out/compare-all.json > /out/compare-all.txt || rc=1
	$CLI compare --quiet --modes workqueue,wq_unbound --events 3000 --period-us "$PERIOD_US" \
		--repeat 1 --warmup "$WARMUP" --outliers 0 --json /out/unbound-2.json \
		--csv /out/unbound-2.csv > /dev/null || rc=1
	for m in tasklet workqueue wq_unbound; do trace_counts $m; done
	;;
rt)
	$CLI compare --quiet --modes all --events "$EVENTS" --period-us "$PERIOD_US" --repeat "$REPEAT" \
		--warmup "$WARMUP" --outliers 0 --json /out/compare-all.json > /out/compare-all.txt || rc=1
	;;
percpu)
	$CLI compare --quiet --cpus all --modes tasklet,workqueue,wq_unbound,threaded \
		--events "$EVENTS" --period-us "$PERIOD_US" --repeat "$REPEAT" --warmup "$WARMUP" \
		--outliers 0 --json /out/percpu.json > /out/percpu.txt || rc=1
	$CLI bench --quiet --scaling-only --modes tasklet --events "$BENCH_EVENTS" \
		--json /out/bench-cpus.json > /out/bench-cpus.txt || rc=1
	;;
bench)
	$CLI bench --quiet --modes all --events "$BENCH_EVENTS" --json /out/bench.json > /out/bench.txt || rc=1
	$CLI sweep --quiet --modes all --events "$BENCH_EVENTS" --periods-us 1000,500,200,100,50,20,10 \
		--json /out/sweep.json > /out/sweep.txt || rc=1
	;;
icount)
	$CLI bench --quiet --costs-only --modes tasklet --events "$BENCH_ICOUNT_EVENTS" \
		--json /out/bench-icount.json > /out/bench-icount.txt || rc=1
	;;
onecpu)
	$CLI compare --quiet --modes workqueue,wq_unbound --events 3000 --period-us "$PERIOD_US" \
		--repeat 1 --warmup "$WARMUP" --outliers 0 --json /out/unbound-1.json > /dev/null || rc=1
	;;
*)
	echo "docs-data: unknown phase '${1:-}'"; rc=1 ;;
esac
rmmod irqbridge || rc=1
exit $rc
