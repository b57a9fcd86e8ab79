# Guest: the reader compares tasklet and workqueue, as `make demo` does;
# then the same two behind the soft timer (timer_soft: the top half in
# softirq, a timer DPC), measured against the hard timer's run in the same
# boot (run_e2e.sh judges both and prints the two side by side).
# shellcheck source=lib.sh
. /testbox/lib.sh
load_module || exit 1
/testbox/irqbridge compare --quiet --events "${E2E_EVENTS:-1000}" --period-us "${E2E_PERIOD_US:-1000}" \
	--json /out/compare.json
rc=$?
/testbox/irqbridge compare --quiet --source timer_soft --no-floor --events "${E2E_EVENTS:-1000}" \
	--period-us "${E2E_PERIOD_US:-1000}" --json /out/compare_soft.json || rc=1
# A handler thread needs an interrupt: the soft timer has none. One line,
# an error status, nothing run.
if /testbox/irqbridge compare --quiet --source timer_soft --modes threaded --no-floor --events 10 \
	>/out/threaded_soft.txt 2>&1; then
	echo "e2e: FAIL compare --source timer_soft --modes threaded was accepted"
	rc=1
elif [ "$(wc -l </out/threaded_soft.txt)" != 1 ] || ! grep -q "needs an interrupt" /out/threaded_soft.txt; then
	echo "e2e: FAIL threaded on timer_soft: not one clear line:"
	cat /out/threaded_soft.txt
	rc=1
else
	echo "e2e: PASS threaded on timer_soft refused: $(cat /out/threaded_soft.txt)"
fi
unload_module || rc=1
debug_kernel_checks || rc=1
exit $rc
