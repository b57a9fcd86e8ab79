# Guest: CPU hotplug during per-CPU runs. For every source the module
# offers (its GET_CATALOGUE: timer, timer_soft, irqchip, edu) and every
# mode the kernel supports on it, one `irqbridge compare` run on the
# channels of --cpus all (edu: --cpus 1, its one interrupt serves one
# session) while CPU 1, a channel's CPU, goes offline and comes back once
# inside the run: hotplug_cycle waits until every channel of the run runs
# (the module's own GET_STATS of the run's sessions), cycles CPU 1, checks
# that every channel still runs, and reads their last counts after the run.
# Each run is sized from the slowest cycle so far (2 x its time + 0.5 s
# of events, at least 1 s), so the run outlasts its cycle. Each run must end
# with exact counts (exit 0) or one clear line (exit 1); the host judges
# the runs (check_hotplug.py, which also writes the summary) and the kernel
# log (no splat).
#
# E2E_HOTPLUG_SKIP=SOURCE/MODE leaves that run's cycle out (to show the
# judge fails a run without one).
# shellcheck source=lib.sh
. /testbox/lib.sh
load_module || exit 1
rc=0
cli=/testbox/irqbridge
cycler=/testbox/hotplug_cycle
period_us=${E2E_PERIOD_US:-1000}
cpu=/sys/devices/system/cpu/cpu1/online
[ -w "$cpu" ] || { echo "hotplug: FAIL $cpu cannot be written (one CPU?)"; exit 1; }
ncpus=$(grep -c '^processor' /proc/cpuinfo)
all_cpus=$(seq -s, 0 $((ncpus - 1)))

# The plan, from the kernel's catalogue: source/mode for every present
# source and supported mode, without a mode that needs an interrupt on a
# source that has none (threaded: the CLI runs it on the irqchip for the
# bare timer, and refuses it on timer_soft). check_hotplug.py derives the
# same plan from the same file.
"$cli" info --json > /out/hotplug-catalogue.json || { echo "hotplug: FAIL irqbridge info --json"; exit 1; }
plan=$(awk '
	/"modes": \[/ { list = "m" }
	/"sources": \[/ { list = "s" }
	/"stages": \[/ { list = "" }
	/\{/ { depth++ }
	depth == 2 && /"name":/ { v = $2; gsub(/[",]/, "", v); name = v }
	depth == 2 && /"supported": true/ { ok = 1 }
	depth == 2 && /"present": true/ { ok = 1 }
	depth == 2 && /"needs_irq_source": true/ { needs = 1 }
	depth == 2 && /"irq": true/ { irq = 1 }
	/\}/ {
		if (depth == 2 && ok && list == "m") { modes[++nm] = name; need[nm] = needs }
		if (depth == 2 && ok && list == "s") { srcs[++ns] = name; hasirq[ns] = irq }
		if (depth == 2) { ok = 0; needs = 0; irq = 0 }
		depth--
	}
	END { for (s = 1; s <= ns; s++) for (m = 1; m <= nm; m++)
		if (!need[m] || hasirq[s]) print srcs[s] "/" modes[m] }
' /out/hotplug-catalogue.json)
echo "hotplug: plan $(echo "$plan" | tr "\n" " ")"
[ -n "$plan" ] || { echo "hotplug: FAIL empty plan"; exit 1; }

# now_ms: the uptime in milliseconds (10 ms steps).
now_ms() {
	read -r up _ < /proc/uptime
	echo $((${up%.*} * 1000 + 1${up#*.} * 10 - 1000))
}

# The slowest cycle so far, from one made before any run.
"$cycler" --cpu 1 --offline-ms 50 > /out/hotplug-warmup.json || { echo "hotplug: FAIL warm-up cycle"; rc=1; }
slowest=$(sed -n 's/.*"cycle_ms": \([0-9]*\).*/\1/p' /out/hotplug-warmup.json)
slowest=${slowest:-1000}
echo "hotplug: warm-up cycle ${slowest} ms"
: > /out/hotplug.txt
n=0
for run in $plan; do
	source=${run%/*}
	mode=${run#*/}
	name=$source-$mode
	cpus=$all_cpus
	channels=$ncpus
	if [ "$source" = edu ]; then cpus=1; channels=1; fi
	# Twice the slowest cycle plus half a second of events, at least a
	# second. On stable (TCG, host load 6) a cycle took 0.1-0.6 s and each
	# channel had raised at most 365 of its 2,128-2,268 events when CPU 1
	# was back (a run's events take longer than events x period there).
	ms=$((2 * slowest + 500))
	[ $ms -ge 1000 ] || ms=1000
	[ $ms -le 20000 ] || ms=20000
	events=$((ms * 1000 / period_us))
	offline_ms=$((20 + n * 37 % 150))
	n=$((n + 1))
	start=$(now_ms)
	"$cli" compare --quiet --no-floor --cpus "$cpus" --modes "$mode" --source "$source" \
		--events "$events" --period-us "$period_us" \
		--json "/out/hotplug-$name.json" > /dev/null 2> "/out/hotplug-$name.err" &
	pid=$!
	if [ "${E2E_HOTPLUG_SKIP:-}" = "$run" ]; then
		echo "hotplug: $run: cycle left out (E2E_HOTPLUG_SKIP)"
		echo '{"cycled": false, "inside": false, "error": "left out (E2E_HOTPLUG_SKIP)", "channels": []}' \
			> "/out/hotplug-$name.cycle.json"
	else
		"$cycler" --cpu 1 --offline-ms "$offline_ms" --pid "$pid" --channels "$channels" \
			> "/out/hotplug-$name.cycle.json" || echo "hotplug: $run: no cycle: $(cat "/out/hotplug-$name.cycle.json")"
	fi
	wait "$pid"
	code=$?
	took=$(($(now_ms) - start))
	c=$(sed -n 's/.*"cycle_ms": \([0-9]*\).*/\1/p' "/out/hotplug-$name.cycle.json")
	[ -n "$c" ] && [ "$c" -gt "$slowest" ] && slowest=$c
	inside=$(sed -n 's/.*"inside": \([a-z]*\).*/\1/p' "/out/hotplug-$name.cycle.json")
	lines=$(wc -l < "/out/hotplug-$name.err")
	echo "$name source=$source mode=$mode cpus=$cpus events=$events exit=$code inside=$inside cycle_ms=${c:-none} run_ms=$took stderr_lines=$lines stderr=$(head -c 300 "/out/hotplug-$name.err" | tr '\n' ' ')" |
		tee -a /out/hotplug.txt
	[ "$(cat "$cpu")" = 1 ] || { echo "hotplug: FAIL CPU 1 stayed offline"; rc=1; echo 1 > "$cpu"; }
done
# The device is free and works on every CPU again.
"$cli" compare --quiet --no-floor --cpus all --modes tasklet --events 100 \
	--json /out/hotplug-after.json > /dev/null || { echo "hotplug: FAIL run after hotplug"; rc=1; }
unload_module || rc=1
debug_kernel_checks || rc=1
exit $rc
