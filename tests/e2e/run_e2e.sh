#!/usr/bin/env bash
# Run one end-to-end scenario in the test box and judge it on the host.
#
#   run_e2e.sh SCENARIO      (device_abi | device_noedu | compare | compare_all_edu | measure
#                             | faults | fuzz | percpu | hotplug | hotplug_control | remove
#                             | orphan | soak | edu_timer | verifier)
#
# soak (make soak) takes SOAK_SECONDS per mode and SOAK_BENCH, a bench
# report whose highest sustained period per mode it runs at (1000 us for a
# mode the report lacks).
#
# Environment (set by ctest): IRQBRIDGE_KERNEL, IRQBRIDGE_KO, IRQBRIDGE_CLI,
# IRQBRIDGE_DEVICE_TEST, IRQBRIDGE_FUZZ, IRQBRIDGE_E2E_OUT; IRQBRIDGE_COMPAT32
# (default: compat32 beside device_test). edu_timer (the worked port,
# examples/edu-timer) also needs EDU_TIMER_KO and EDU_TIMER_USER; verifier
# (the planted IRQL-class bugs, tests/verifier) needs PLANTED_KO; hotplug
# needs IRQBRIDGE_HOTPLUG_CYCLE (its churn helper), and
# E2E_HOTPLUG_SKIP=SOURCE/MODE plants a run without a cycle (its judge must
# fail it).
#
# The guest and the judges are told which modes this kernel must have
# (E2E_MODES, --kernel-modes): kernel_modes.py derives them from the
# release and .config of the kernel the module is built against, so a mode
# that vanishes fails instead of being skipped.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
scenario=${1:?scenario}
out=${IRQBRIDGE_E2E_OUT:?}/$scenario
events=1000
period_us=1000
check_args=()
# KASAN and lockdep make every module load slow: fewer cycles there.
# Not fewer elsewhere to save make check time: faults' slab assertion is a
# fixed bound (growth < 2 MiB over all cycles), so 200 cycles catch a leak
# of 10 KiB a load and 50 only one of 40 KiB; the 200 cycles take about
# 55 s in the box (0.27 s a cycle at load 8).
fault_cycles=200
[ "${IRQBRIDGE_KERNEL:-6.12}" = debug ] && fault_cycles=50
timeout=300
smp=2
soak_plan=
fuzz_env=
box_args=()
ticks=0
case "$scenario" in
device_abi)
	# The debug kernel: 217 s in the guest alone on a quiet host (6.12),
	# killed at 300 s at host load 10 once the CPU-time guard's four cases
	# and the lapped-record case were added. The 7.3 one
	# (IRQBRIDGE_DEBUG_SOURCE=stable) is several times slower: even with
	# the CPU-time guard its floor-period cases take 13-86 s each
	# (threaded_floor 86 s), and device_abi passed 90 of its cases in
	# 300 s with a second box on a host at load 9.
	[ "${IRQBRIDGE_KERNEL:-6.12}" = debug ] && timeout=900
	;;
faults)
	# 200 load/unload cycles and a SIGKILL per mode: 213-303 s when its
	# runs measured the floor and the -rt boxes ran single-threaded.
	timeout=540
	;;
tracer_toggle)
	# 10 s of events at 1 ms: time for the guest's 100 tracer cycles.
	events=10000
	;;
edu_timer)
	# Ticks per mode: 200 x 4 ms (one jiffy at HZ=250).
	ticks=200
	box_args=(--file "${EDU_TIMER_KO:?}" --file "${EDU_TIMER_USER:?}:edu_timer_user")
	;;
verifier)
	box_args=(--file "${PLANTED_KO:?}")
	;;
device_noedu)
	box_args=(--no-edu)
	;;
remove)
	# A second edu device: it takes over when the first is removed.
	box_args=(--device edu)
	;;
percpu)
	# A top half, a bottom half and a reader on each of 4 guest CPUs.
	smp=4
	events=500
	;;
hotplug)
	# CPU 1 goes offline and back once inside every source x mode run,
	# each sized from the slowest cycle so far (guest/hotplug.sh). In the
	# box: 151 s on stable (34 runs) and 130-175 s on stable-rt (30 runs)
	# at host load 5-9 on 2 CPUs, 2026-11-26; 360 s leaves twice that.
	box_args=(--file "${IRQBRIDGE_HOTPLUG_CYCLE:?}:hotplug_cycle")
	timeout=360
	;;
hotplug_control)
	# hotplug's churn without the module (the kernel log is all it judges).
	timeout=600
	;;
fuzz)
	# The full seeded run: 100,000 calls (60,000 sequential, 40,000
	# racing) and 200 edu remove/rescan cycles (docs/reliability.md,
	# docs/data/fuzz-<kernel>.json). The fuzzer fails if its deadline
	# (E2E_FUZZ_SECONDS) comes first.
	fuzz_env="E2E_FUZZ_CALLS=60000 E2E_FUZZ_RACE_CALLS=40000 E2E_FUZZ_EDU_CYCLES=200"
	if [ "${IRQBRIDGE_KERNEL:-6.12}" = debug ] && [ "${IRQBRIDGE_FUZZ_FULL:-0}" = 1 ]; then
		# The full run on the debug kernel (KASAN, lockdep under TCG):
		# 931 s of fuzzing, 979 s in all, on this 2-CPU host at load 8
		# (6.12). On 7.3.4 (IRQBRIDGE_DEBUG_SOURCE=stable) the edu
		# remove/rescan cycles are the slow part: 188 of the 200 in
		# 1,387 s, 189 in 2,106 s (11 s a cycle over the whole run,
		# with a second box on the host at load 5-9; 182,329 calls by
		# then), so it gets 3,000 s. The fuzzer stops as soon as its
		# calls and cycles are done.
		fuzz_env="$fuzz_env E2E_FUZZ_SECONDS=3000"
		timeout=3200
	elif [ "${IRQBRIDGE_KERNEL:-6.12}" = debug ]; then
		# CI's share on the debug kernel: the full run would add about
		# 9 min to CI on a loaded host (measured above), more than its
		# margin allows. IRQBRIDGE_FUZZ_FULL=1 asks for the full run.
		# Without the CPU offline/online thread: 6.12's scheduler warns
		# in its hotplug path (sub_running_bw, deadline.c:265, the
		# fair server's bandwidth; docs/reliability.md) and lockdep
		# then reports that WARN's printk under the runqueue lock. The
		# full runs met it after 204 and 217 CPU cycles; CI's share
		# of 2026-11-26 met both after at most 69. Nine runs of the
		# share here stayed clean, and the lock graph of one
		# (/proc/lockdep) has no path between the module's locks and
		# the CPU hotplug or PCI rescan locks. CPU hotplug under the
		# fuzzer stays in CI on the four other kernels; the full run
		# and 7.3's debug kernel keep it.
		fuzz_env="E2E_FUZZ_CALLS=15000 E2E_FUZZ_RACE_CALLS=5000 E2E_FUZZ_EDU_CYCLES=100 E2E_FUZZ_SECONDS=330"
		[ "${IRQBRIDGE_DEBUG_SOURCE:-6.12}" = stable ] || fuzz_env="$fuzz_env E2E_FUZZ_HOTPLUG=0"
		timeout=480
	else
		# ~60 s of fuzzing on an idle 2-CPU host (30,007 calls and 456
		# edu cycles took 18 s in CI on 6.12). make check's 6.12 run
		# keeps the full volume although 6.1, 6.12-rt, stable and
		# stable-rt run it too in CI (make e2e): its 6.12 box is the
		# only full run of a non-RT 6.12 (the 6.12-based debug kernel
		# runs CI's shorter share) and the run docs/data/fuzz-6.12.json
		# copies. make check's time was won elsewhere first (the kernel
		# resolved once per make, the initrd without DWARF: 2026-11-26,
		# tests/testbox/kernel.sh, testbox.sh). If it is over its 9 min
		# again, the next cut is here: the debug kernel's share (a
		# prefix of the same seeded sequence) on 6.12, the full run
		# left to the four other kernels.
		fuzz_env="$fuzz_env E2E_FUZZ_SECONDS=300"
		timeout=480
	fi
	;;
compare_all_edu)
	events=300
	check_args=(--modes all --source edu)
	;;
soak)
	soak_plan=$(python3 "$here/soak_plan.py" "${SOAK_BENCH:-}")
	modes=$(echo "$soak_plan" | wc -w)
	# TCG runs the guest at a fraction of real time: a generous bound.
	timeout=$((300 + modes * ${SOAK_SECONDS:?} * 3))
	;;
esac

# rtla goes into the guest only where a scenario measures the floor:
# switching the timerlat tracer on and off patches kernel text, which makes
# the test box run the guest single-threaded on the -rt kernels (testbox.sh),
# two to three times slower. The other scenarios run --no-floor or no CLI.
case "$scenario" in
compare | compare_all_edu | measure | percpu | tracer_toggle) ;;
*) box_args+=(--no-rtla) ;;
esac

compat32=${IRQBRIDGE_COMPAT32:-$(dirname "${IRQBRIDGE_DEVICE_TEST:?}")/compat32}
for f in "${IRQBRIDGE_KO:?}" "${IRQBRIDGE_CLI:?}" "${IRQBRIDGE_DEVICE_TEST:?}" "${IRQBRIDGE_FUZZ:?}" "$compat32"; do
	[ -f "$f" ] || { echo "e2e: $f is missing (run 'make kmod userspace' first)"; exit 1; }
done
[ -f "$here/guest/$scenario.sh" ] || { echo "e2e: no scenario '$scenario'"; exit 1; }

# What this kernel must offer, from the kernel itself (not from the module).
# kernel.sh prints KREL=, KDIR=, KCONFIG= (the kernel's .config on the host).
KCONFIG=
eval "$("$here/../testbox/kernel.sh" fetch "${IRQBRIDGE_KERNEL:-6.12}")"
kconfig=$KCONFIG
[ -f "$kconfig" ] || { echo "e2e: no kernel config at $kconfig"; exit 1; }
kernel_modes=$(python3 "$here/kernel_modes.py" --release "$KREL" --config "$kconfig")
[ -n "$kernel_modes" ] || { echo "e2e: no kernel modes for $KREL"; exit 1; }
compat=0
grep -qx 'CONFIG_IA32_EMULATION=y' "$kconfig" && compat=1
memcg=1
grep -qx 'CONFIG_MEMCG=y' "$kconfig" || memcg=0
preempt_rt=0
grep -qx 'CONFIG_PREEMPT_RT=y' "$kconfig" && preempt_rt=1
lockdep=0
grep -qx 'CONFIG_PROVE_LOCKING=y' "$kconfig" && lockdep=1
# edu_timer's suspend in the middle of a run needs /sys/power/pm_test (the
# debug kernel, built from tinyconfig, has neither option).
suspend=0
grep -qx 'CONFIG_SUSPEND=y' "$kconfig" && grep -qx 'CONFIG_PM_DEBUG=y' "$kconfig" && suspend=1
# rtla timerlat, the second floor, needs the kernel's timerlat tracer.
timerlat=no
grep -qx 'CONFIG_TIMERLAT_TRACER=y' "$kconfig" && timerlat=yes
echo "e2e: $KREL must offer: $kernel_modes (32-bit programs: $compat)"
if [ "$scenario" = tracer_toggle ] && [ "$timerlat" = no ]; then
	echo "e2e: tracer_toggle: $KREL has no timerlat tracer: nothing patches its text in a run (skipped)"
	exit 77
fi

rm -rf "$out"
mkdir -p "$out"
# On a terminal the console streams by; otherwise (ctest, CI) it goes to a
# file and a failure prints a digest, so the reason is not buried under the
# boot log.
if [ -t 1 ]; then stream=/dev/stdout; else stream=$out/testbox.out; fi
digest() {
	[ "$stream" = /dev/stdout ] && return 0
	echo "e2e: $scenario: verdict lines from the guest and the test box:"
	grep -a -E 'FAIL|e2e:|testbox:|TESTBOX-RC|Failure|Expected|error' "$stream" | grep -v ' PASS ' | tail -n 60
	echo "e2e: $scenario: last 40 lines of the console ($out/console.log):"
	tail -n 40 "$stream"
}
status=0
# The commit this run's binaries came from (the provenance of its artifact).
run_commit=$(git -C "$here" rev-parse HEAD 2>/dev/null || echo unknown)
[ -z "$(git -C "$here" status --porcelain --untracked-files=no 2>/dev/null)" ] || run_commit=$run_commit-dirty
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
box_start=$SECONDS
"$here/../testbox/testbox.sh" --kernel "${IRQBRIDGE_KERNEL:-6.12}" --smp "$smp" --out "$out" \
	--log "$out/console.log" --timeout "$timeout" "${box_args[@]}" \
	--file "$IRQBRIDGE_KO" --file "$IRQBRIDGE_CLI:irqbridge" \
	--file "$IRQBRIDGE_DEVICE_TEST:device_test" --file "$IRQBRIDGE_FUZZ:ioctl_fuzz" \
	--file "$compat32:compat32" \
	--file "$here/guest/lib.sh" --file "$here/guest/$scenario.sh" \
	-- "$fuzz_env E2E_TICKS=$ticks E2E_SUSPEND=$suspend E2E_EVENTS=$events E2E_PERIOD_US=$period_us E2E_MODES='$kernel_modes' E2E_COMPAT32=$compat E2E_HOTPLUG_SKIP='${E2E_HOTPLUG_SKIP:-}' FAULT_CYCLES=$fault_cycles SOAK_SECONDS=${SOAK_SECONDS:-0} SOAK_PLAN='$soak_plan' sh /testbox/$scenario.sh" \
	>"$stream" 2>&1 || status=$?

log_clean=1
if [ "$scenario" = verifier ]; then
	# The planted bugs' reports are the point: each load's lines must be
	# exactly its expected report (check_verifier.py), and the rest of the
	# boot, those lines cut out, as clean as any other scenario's.
	python3 "$here/check_verifier.py" "$out" --config "$kconfig" \
		--pattern "$("$here/check_kernel_log.sh" --pattern)" || status=1
	"$here/check_kernel_log.sh" "$out/residual/console.log" "$out/residual/dmesg.txt" ||
		{ status=1; log_clean=0; }
else
	"$here/check_kernel_log.sh" "$out/console.log" "$out/dmesg.txt" || { status=1; log_clean=0; }
fi
# artifact SUMMARY COMMAND: the scenario's summary with its provenance, as
# $out/<scenario>-<kernel>.json (docs/data/ holds copies of these files).
artifact() {
	python3 "$here/fuzz_artifact.py" "$1" --out "$out/$scenario-${IRQBRIDGE_KERNEL:-6.12}.json" \
		--kernel "${IRQBRIDGE_KERNEL:-6.12}" --release "$KREL" --console "$out/console.log" \
		--smp "$smp" --kernel-log-clean "$log_clean" --seconds $((SECONDS - box_start)) \
		--load-start "$load_start" --commit "$run_commit" --command "$2"
}
if [ "$scenario" = fuzz ]; then
	# docs/reliability.md quotes docs/data/fuzz-<kernel>.json.
	# The debug kernel's source is part of the command (6.12 or stable).
	debug_source=
	[ "${IRQBRIDGE_KERNEL:-6.12}" != debug ] || debug_source="IRQBRIDGE_DEBUG_SOURCE=${IRQBRIDGE_DEBUG_SOURCE:-6.12} "
	artifact "$out/fuzz.json" "IRQBRIDGE_KERNEL=${IRQBRIDGE_KERNEL:-6.12} ${debug_source}IRQBRIDGE_FUZZ_FULL=${IRQBRIDGE_FUZZ_FULL:-0} tests/e2e/run_e2e.sh fuzz (guest: $fuzz_env sh /testbox/fuzz.sh)" ||
		status=1
fi
# A boot the test box retried must have died before the command started,
# with no sign of the module: judged, never just filed away.
for f in "$out"/console.log.boot-failure.*; do
	[ -f "$f" ] || continue
	"$here/check_kernel_log.sh" --boot-failure "$f" || status=1
done
if [ "$scenario" = device_abi ] || [ "$scenario" = device_noedu ]; then
	gtest_args=("$out/device_test.xml" --kernel-modes "$kernel_modes"
		--require DeviceTest.InfoIsCompleteAndLeaksNothing --require DeviceTest.EduSourceNeedsTheDevice)
	[ "$memcg" = 1 ] || gtest_args+=(--no-memcg)
	[ "$preempt_rt" = 0 ] || gtest_args+=(--preempt-rt)
	[ "$lockdep" = 0 ] || gtest_args+=(--lockdep)
	if [ "$scenario" = device_noedu ]; then
		gtest_args+=(--no-edu)
	else
		gtest_args+=("$out/device_test_overrun.xml" --require DeviceTest.RingOverrunIsCounted --require DeviceTest.LappedRecordIsCounted
			--require DeviceTest.EduIsOneSessionAtATime)
	fi
	python3 "$here/check_gtest.py" "${gtest_args[@]}" || status=1
fi
if [ "$scenario" = device_abi ]; then
	python3 "$here/check_catalogue.py" "$out/catalogue.json" --kernel-modes "$kernel_modes" || status=1
fi
if [ "$scenario" = remove ]; then
	# Every removal case ran (none skipped but a mode the kernel lacks).
	python3 "$here/check_gtest.py" "$out/remove_test.xml" --kernel-modes "$kernel_modes" \
		--require Modes/EduRemovalTest.RemovedWhileRunning/tasklet || status=1
fi
if [ "$status" = 0 ] && { [ "$scenario" = compare ] || [ "$scenario" = compare_all_edu ]; }; then
	python3 "$here/check_report.py" "$out/compare.json" --events "$events" \
		--period-ns $((period_us * 1000)) --kernel-modes "$kernel_modes" --timerlat "$timerlat" \
		"${check_args[@]}" || status=1
fi
if [ "$status" = 0 ] && [ "$scenario" = compare ]; then
	# The soft timer's run of the same boot: its top half in softirq,
	# every count exact; then the two side by side (a summary with its
	# provenance: docs/data/timer-soft-<kernel>.json is a copy).
	python3 "$here/check_report.py" "$out/compare_soft.json" --events "$events" \
		--period-ns $((period_us * 1000)) --source timer_soft || status=1
	[ "$status" = 0 ] && python3 "$here/soft_vs_hard.py" "$out/compare.json" "$out/compare_soft.json" \
		--out "$out/timer-soft-${IRQBRIDGE_KERNEL:-6.12}.json" \
		--provenance "{\"commit\": \"$run_commit\", \"guest_cpus\": $smp, \"load_average_start\": \"$load_start\", \"load_average_end\": \"$(cut -d' ' -f1-3 /proc/loadavg)\", \"host_cpus\": $(nproc), \"command\": \"IRQBRIDGE_KERNEL=${IRQBRIDGE_KERNEL:-6.12} tests/e2e/run_e2e.sh compare (guest: irqbridge compare --events $events --period-us $period_us; irqbridge compare --source timer_soft --no-floor, same settings)\"}" ||
		status=1
fi
if [ "$status" = 0 ] && [ "$scenario" = tracer_toggle ]; then
	# Every event counted and read, though the kernel patched its text
	# under the run.
	python3 "$here/check_report.py" "$out/run.json" --events "$events" \
		--period-ns $((period_us * 1000)) --modes tasklet || status=1
fi
if [ "$status" = 0 ] && [ "$scenario" = percpu ]; then
	python3 "$here/check_percpu.py" "$out/percpu.json" --events "$events" --cpus "$smp" \
		--bench "$out/bench-cpus.json" --bench-events 200 --kernel-modes "$kernel_modes" || status=1
	# The live report as one HTML page, rendered and checked in chromium.
	"$here/../report/render_check.sh" "$out/percpu.json" || status=1
fi
if [ "$scenario" = hotplug ]; then
	# Judged whatever the log said: the summary is written either way, with
	# its provenance (docs/data/hotplug-<kernel>.json is a copy).
	python3 "$here/check_hotplug.py" "$out" --kernel-modes "$kernel_modes" --cpus "$smp" \
		--period-us "$period_us" --summary "$out/hotplug-summary.json" || status=1
	artifact "$out/hotplug-summary.json" "IRQBRIDGE_KERNEL=${IRQBRIDGE_KERNEL:-6.12} tests/e2e/run_e2e.sh hotplug (guest: E2E_PERIOD_US=$period_us sh /testbox/hotplug.sh)" ||
		status=1
fi
if [ "$scenario" = soak ]; then
	python3 "$here/check_soak.py" "$out" --plan "$soak_plan" --seconds "$SOAK_SECONDS" \
		--kernel-modes "$kernel_modes" || status=1
fi
if [ "$scenario" = edu_timer ]; then
	edu_args=()
	grep -qx 'CONFIG_PREEMPT_RT=y' "$kconfig" && edu_args+=(--rt)
	[ "$suspend" = 1 ] || edu_args+=(--no-suspend)
	python3 "$here/check_edu_timer.py" "$out" --ticks "$ticks" "${edu_args[@]}" || status=1
fi
if [ "$status" = 0 ] && [ "$scenario" = measure ]; then
	python3 "$here/check_measure.py" "$out" || status=1
	# The pictures of the reports just written (gnuplot on the host).
	"$here/../../userspace/tools/irqbridge-plot" --out "$out" "$out/measure.json" "$out/sweep.json" || status=1
fi
if [ "$status" = 0 ]; then
	echo "e2e: $scenario passed"
else
	digest
	echo "e2e: $scenario FAILED ($status); logs in $out"
fi
exit "$status"
