# Guest: CPU hotplug during per-CPU runs. For every mode the kernel offers
# and the timer and irqchip sources, `irqbridge compare --cpus all` runs
# while CPU 1 (a channel's CPU) goes offline and comes back, again and
# again. Each run must end with exact counts (exit 0) or one clear line
# (exit 1); the host judges the reports (check_hotplug.py) and the kernel
# log (no splat).
# shellcheck source=lib.sh
. /testbox/lib.sh
load_module || exit 1
rc=0
cli=/testbox/irqbridge
cpu=/sys/devices/system/cpu/cpu1/online
[ -w "$cpu" ] || { echo "hotplug: FAIL $cpu cannot be written (one CPU?)"; exit 1; }
modes=$("$cli" info | sed -n 's/^modes *//p' | tr -d ' ' | tr ',' ' ')
echo "hotplug: modes $modes"
echo "$modes" > /out/hotplug-modes.txt
: > /out/hotplug.txt
for source in timer irqchip; do
	for mode in $modes; do
		[ "$mode" = threaded ] && [ "$source" = timer ] && continue
		name=$mode-$source
		"$cli" compare --quiet --no-floor --cpus all --modes "$mode" --source "$source" \
			--events "${E2E_EVENTS:-300}" --period-us "${E2E_PERIOD_US:-1000}" \
			--json "/out/hotplug-$name.json" > /dev/null 2> "/tmp/err-$name" &
		pid=$!
		cycles=0
		# Once the run is under way (device open, channels started),
		# offline and back while it lasts: its reader, timer and bottom
		# halves on CPU 1 have to move or finish.
		wait_device_open "$pid" && sleep 1
		while kill -0 "$pid" 2>/dev/null; do
			echo 0 > "$cpu" || { echo "hotplug: FAIL offline CPU 1"; rc=1; }
			usleep $((50000 + cycles * 37000 % 150000))
			echo 1 > "$cpu" || { echo "hotplug: FAIL online CPU 1"; rc=1; }
			cycles=$((cycles + 1))
			usleep 200000
		done
		wait "$pid"
		code=$?
		lines=$(wc -l < "/tmp/err-$name")
		echo "$name exit=$code cycles=$cycles stderr_lines=$lines stderr=$(head -c 300 "/tmp/err-$name" | tr '\n' ' ')" |
			tee -a /out/hotplug.txt
		[ "$(cat "$cpu")" = 1 ] || { echo "hotplug: FAIL CPU 1 stayed offline"; rc=1; }
	done
done
# The device is free and works on every CPU again.
"$cli" compare --quiet --no-floor --cpus all --modes tasklet --events 100 \
	--json /out/hotplug-after.json > /dev/null || { echo "hotplug: FAIL run after hotplug"; rc=1; }
unload_module || rc=1
debug_kernel_checks || rc=1
exit $rc
