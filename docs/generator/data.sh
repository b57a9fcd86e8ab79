#!/bin/bash
# make docs-data: boot the test box once per phase (docs/generator/guest.sh),
# keep what each boot left in $BUILD/docs-data/<kernel>/<phase>/, then write
# the small artifacts of docs/data/ with their provenance
# (docs/generator/summarize.py). Run from the top of the repository after
# `make kmod userspace`.
#
#   docs/generator/data.sh KERNEL BUILD [PHASE...]
#
# Phases: compare (2 CPUs), percpu (4 CPUs), bench (2 CPUs), icount (2 CPUs
# under TCG -icount: bench's records overhead in guest instructions, added to
# the bench artifact as make bench adds it), onecpu (1 CPU) on a non-RT
# kernel; rt (2 CPUs) on an RT kernel. Settings: EVENTS, PERIOD_US, REPEAT,
# WARMUP, BENCH_EVENTS, BENCH_ICOUNT_EVENTS (the Makefile's).
set -euo pipefail
kernel=${1:?kernel series}
build=${2:?build directory}
shift 2
if [ $# -gt 0 ]; then
	phases=("$@")
elif [[ $kernel == *rt ]]; then
	phases=(rt)
else
	phases=(compare percpu bench icount onecpu)
fi
raw=$build/docs-data/$kernel
ko=$build/kmod/$kernel/irqbridge.ko
cli=$build/userspace/irqbridge
if [ ! -f "$ko" ] || [ ! -x "$cli" ]; then
	echo "docs-data: build first: make kmod userspace KERNEL=$kernel" >&2
	exit 1
fi
settings="EVENTS=${EVENTS:-2000} PERIOD_US=${PERIOD_US:-1000} REPEAT=${REPEAT:-3} WARMUP=${WARMUP:-50} BENCH_EVENTS=${BENCH_EVENTS:-2000} BENCH_ICOUNT_EVENTS=${BENCH_ICOUNT_EVENTS:-4000}"

for phase in "${phases[@]}"; do
	case $phase in
	percpu) smp=4 ;;
	onecpu) smp=1 ;;
	compare | rt | bench | icount) smp=2 ;;
	*) echo "docs-data: unknown phase $phase" >&2; exit 1 ;;
	esac
	# -icount exists only under TCG, single-threaded (testbox.sh).
	boxenv=()
	[ "$phase" = icount ] && boxenv=(TESTBOX_ACCEL=tcg TESTBOX_ICOUNT=0)
	out=$raw/$phase
	rm -rf "$out" && mkdir -p "$out"
	cmd="$settings sh guest.sh $phase"
	{
		echo "phase=$phase"
		echo "commit=$(git rev-parse HEAD)"
		echo "describe=$(git describe --always --dirty --tags)"
		echo "host_cpus=$(nproc)"
		echo "smp=$smp"
		echo "guest_command=$cmd"
		echo "testbox_command=${boxenv[*]:+${boxenv[*]} }tests/testbox/testbox.sh --kernel $kernel --smp $smp --timeout 3000 --file $ko --file $cli --file docs/generator/guest.sh -- '$cmd'"
		echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
		echo "loadavg_start=$(cut -d' ' -f1-3 /proc/loadavg)"
	} > "$out/provenance.txt"
	echo "docs-data: $kernel $phase: booting a $smp-CPU test box (log $out/testbox.log)"
	start=$(date +%s)
	if ! env "${boxenv[@]}" tests/testbox/testbox.sh --kernel "$kernel" --smp "$smp" --timeout 3000 --out "$out" \
		--log "$out/console.log" --file "$ko" --file "$cli" --file docs/generator/guest.sh \
		-- "$cmd" > "$out/testbox.log" 2>&1; then
		tail -n 30 "$out/testbox.log"
		echo "docs-data: the $phase box failed; full log: $out/testbox.log" >&2
		exit 1
	fi
	{
		echo "loadavg_end=$(cut -d' ' -f1-3 /proc/loadavg)"
		echo "seconds=$(( $(date +%s) - start ))"
	} >> "$out/provenance.txt"
done
python3 docs/generator/summarize.py --kernel "$kernel" --raw "$raw" --out docs/data "${phases[@]}"
