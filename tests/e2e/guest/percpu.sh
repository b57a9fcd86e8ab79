# Guest: every mode on every CPU at once (--cpus all): a channel, a pinned
# timer and a reader per CPU. The host checks the counts and placements.
# shellcheck source=lib.sh
. /testbox/lib.sh
load_module || exit 1
/testbox/irqbridge compare --quiet --cpus all --modes all --events "${E2E_EVENTS:-500}" \
	--period-us "${E2E_PERIOD_US:-1000}" --json /out/percpu.json
rc=$?
# The reader's cost with 1, 2 and all CPUs (make bench runs it longer).
/testbox/irqbridge bench --quiet --scaling-only --modes tasklet --events 200 \
	--json /out/bench-cpus.json || rc=1
# Every channel is closed with the reader: the device is free again.
/testbox/irqbridge info > /dev/null || { echo "percpu: FAIL device still busy after the run"; rc=1; }
grep irqbridge-irqchip /proc/interrupts
unload_module || rc=1
debug_kernel_checks || rc=1
exit $rc
