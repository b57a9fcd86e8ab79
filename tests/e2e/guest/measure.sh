# Guest: the measurement options, each once, small: repetitions, warm-up,
# CSV, CPU placement and the cyclictest floor; every reader variant; both
# loads; a short sweep; bad input refused with one line. Judged on the host
# by check_measure.py.
# shellcheck source=lib.sh
. /testbox/lib.sh
load_module || exit 1
rc=0
cli=/testbox/irqbridge
"$cli" compare --quiet --events 500 --repeat 3 --warmup 20 --cpu 0 --timer-cpu 1 \
	--threshold-us 1000 --csv /out/events.csv --json /out/measure.json > /out/measure.txt || rc=1
variants="read epoll uring-poll uring-read device-read"
# IORING_OP_READ_MULTISHOT is 6.7+.
kver=$(uname -r)
kmaj=${kver%%.*}
kmin=${kver#*.}
kmin=${kmin%%[!0-9]*}
if [ "$kmaj" -gt 6 ] || { [ "$kmaj" -eq 6 ] && [ "$kmin" -ge 7 ]; }; then
	variants="$variants uring-mshot"
fi
for v in $variants; do
	"$cli" run --quiet --mode tasklet --events 300 --reader "$v" --no-floor \
		--json "/out/reader-$v.json" > /dev/null || rc=1
done
for l in cpu syscall; do
	"$cli" compare --quiet --events 300 --load "$l" --no-floor --json "/out/load-$l.json" \
		> /dev/null || rc=1
done
"$cli" sweep --quiet --modes tasklet,workqueue --periods-us 1000,100,20 --events 300 \
	--json /out/sweep.json > /out/sweep.txt || rc=1
# Bad input: exit 1 and exactly one line on stderr, nothing run.
for args in "sweep --periods-us 5" "sweep --periods-us 100,x" "run --reader bogus" \
	"run --timer-cpu 7" "compare --modes tasklet,nope" "compare --modes tasklet,,workqueue" \
	"run --cpus 0,,1" "run --source bogus"; do
	# shellcheck disable=SC2086
	"$cli" $args > /dev/null 2> /tmp/err
	code=$?
	lines=$(wc -l < /tmp/err)
	echo "bad input '$args': exit $code, $lines line(s): $(cat /tmp/err)" >> /out/bad_input.txt
	if [ "$code" != 1 ] || [ "$lines" != 1 ]; then rc=1; fi
done
unload_module || rc=1
debug_kernel_checks || rc=1
exit $rc
