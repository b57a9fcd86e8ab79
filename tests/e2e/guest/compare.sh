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
# --modes all on the soft timer: every mode but threaded, which is named
# on stderr (not refused: "all" means all that the source can run).
if /testbox/irqbridge compare --quiet --source timer_soft --modes all --no-floor --events 20 \
	--period-us "${E2E_PERIOD_US:-1000}" --json /out/compare_soft_all.json 2>/out/soft_all.txt; then
	if ! grep -q "but threaded" /out/soft_all.txt; then
		echo "e2e: FAIL --modes all on timer_soft: threaded not named as left out: $(cat /out/soft_all.txt)"
		rc=1
	elif grep -q '"threaded": {' /out/compare_soft_all.json; then
		echo "e2e: FAIL --modes all on timer_soft: threaded ran"
		rc=1
	elif missing=$(for m in ${E2E_MODES:?}; do
		[ "$m" = threaded ] || grep -q "\"$m\": {" /out/compare_soft_all.json || printf ' %s' "$m"
	done) && [ -n "$missing" ]; then
		# Every other mode this kernel must offer (kernel_modes.py) ran.
		echo "e2e: FAIL --modes all on timer_soft: missing:$missing"
		rc=1
	else
		echo "e2e: PASS --modes all on timer_soft: $(cat /out/soft_all.txt)"
	fi
else
	echo "e2e: FAIL compare --modes all --source timer_soft failed: $(cat /out/soft_all.txt)"
	rc=1
fi
unload_module || rc=1
debug_kernel_checks || rc=1
exit $rc
