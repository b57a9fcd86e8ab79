# Guest: the control run of the hotplug scenario, without the module. The
# CPU 1 offline/online churn hotplug.sh made until it moved to one cycle
# inside each run (these timings, 17 runs with about as many cycles in all
# as it made then; docs/reliability.md's 6.12 figures come from that
# version), under a load that has hotplug.sh's shape
# but no irqbridge: on each CPU a pinned task that sleeps and wakes every
# millisecond (the reader), and on CPU 1 tasks that fork and exit (the
# CLI's threads come and go). The host judges only the kernel log: a
# scheduler warning here is the kernel's own, not the module's.
#
#   tests/e2e/run_e2e.sh hotplug_control   (not a ctest; docs/reliability.md)
rc=0
cpu=/sys/devices/system/cpu/cpu1/online
[ -w "$cpu" ] || { echo "hotplug_control: FAIL $cpu cannot be written (one CPU?)"; exit 1; }
grep -q '^irqbridge ' /proc/modules && { echo "hotplug_control: FAIL the module is loaded"; exit 1; }
runs=${HOTPLUG_RUNS:-17}
seconds=${HOTPLUG_SECONDS:-10}
: > /out/hotplug_control.txt
run=0
while [ "$run" -lt "$runs" ]; do
	pids=
	for c in 0 1; do
		taskset -c "$c" sh -c 'while :; do usleep 1000; done' &
		pids="$pids $!"
	done
	taskset -c 1 sh -c 'while :; do /bin/true; usleep 5000; done' &
	pids="$pids $!"
	cycles=0
	end=$(($(date +%s) + seconds))
	sleep 1
	while [ "$(date +%s)" -lt "$end" ]; do
		echo 0 > "$cpu" || { echo "hotplug_control: FAIL offline CPU 1"; rc=1; }
		usleep $((50000 + cycles * 37000 % 150000))
		echo 1 > "$cpu" || { echo "hotplug_control: FAIL online CPU 1"; rc=1; }
		cycles=$((cycles + 1))
		usleep 200000
	done
	# shellcheck disable=SC2086
	kill $pids
	wait
	echo "run $run cycles=$cycles" | tee -a /out/hotplug_control.txt
	[ "$(cat "$cpu")" = 1 ] || { echo "hotplug_control: FAIL CPU 1 stayed offline"; rc=1; }
	run=$((run + 1))
done
exit $rc
