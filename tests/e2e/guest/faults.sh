# Guest: misuse the module and survive it. Each check prints PASS or FAIL;
# any FAIL (or a kernel complaint, judged on the host) fails the test.
# shellcheck source=lib.sh
. /testbox/lib.sh
fails=0
pass() { echo "faults: PASS $*"; }
fail() { echo "faults: FAIL $*"; fails=$((fails + 1)); }
cli=/testbox/irqbridge

load_module || exit 1

# Every run here is the module's own (--no-floor): the floor (cyclictest,
# rtla) is measured in e2e.compare and e2e.measure, and a SIGKILL one
# second in must land in the module's run, not in the floor before it.

# rmmod while a reader is blocked: refused because the module is in use
# (the open file pins it: EWOULDBLOCK from delete_module, "Resource
# temporarily unavailable" in busybox's words), the module stays, and the
# reader is not disturbed and finishes with exact counts.
$cli run --quiet --no-floor --mode workqueue --events 1500 --period-us 1000 > /tmp/run.out 2>&1 &
reader=$!
wait_device_open $reader || fail "first reader never opened the device"
refcnt=$(cat /sys/module/irqbridge/refcnt)
if out=$(rmmod irqbridge 2>&1); then
	fail "rmmod succeeded under a running reader"
else
	case "$out" in
	*"Resource temporarily unavailable"* | *"in use"*)
		if grep -q '^irqbridge ' /proc/modules && [ "$refcnt" -ge 1 ]; then
			pass "rmmod refused, module in use (refcnt $refcnt): $out"
		else
			fail "rmmod failed but the module is gone or unused (refcnt $refcnt): $out"
		fi
		;;
	*) fail "rmmod refused for another reason than the module being in use: $out" ;;
	esac
fi
if wait $reader; then pass "reader finished exactly after the refused rmmod"; else fail "reader failed: $(tail -n 1 /tmp/run.out)"; fi

# A second process: refused with a clear one-line message.
$cli run --quiet --no-floor --mode tasklet --events 3000 --period-us 1000 > /dev/null 2>&1 &
reader=$!
wait_device_open $reader || fail "first reader never opened the device"
msg=$($cli info 2>&1)
case "$msg" in
*busy*) pass "second process refused: $msg" ;;
*) fail "second process not refused: $msg" ;;
esac
wait $reader || fail "first reader failed"

# SIGKILL mid-run at the floor period, then unload at once: the release
# path stops the timer (every channel's), releases the source, drops the
# eventfd and frees the session.
#   kill_then_unload LABEL RUN-ARGS...
kill_then_unload() {
	label=$1
	shift
	$cli run --quiet --no-floor "$@" --events 100000000 --period-us 10 > /tmp/kill.out 2>&1 &
	reader=$!
	wait_device_open $reader || fail "$label reader never opened the device"
	sleep 1
	if ! kill -0 $reader 2>/dev/null; then
		fail "$label run ended before the SIGKILL: $(tail -n 1 /tmp/kill.out)"
	fi
	kill -9 $reader
	wait $reader 2>/dev/null
	if unload_module; then pass "unload right after SIGKILL of a $label run at the 10 us floor"; else fail "unload after SIGKILL ($label)"; fi
	load_module || exit 1
}
# Every mode this kernel must have (E2E_MODES: the catalogue's names that
# kernel_modes.py kept for this kernel), no list of its own.
for m in ${E2E_MODES:?}; do kill_then_unload "$m" --mode "$m"; done
kill_then_unload "edu tasklet" --mode tasklet --source edu
kill_then_unload "per-CPU channels" --mode tasklet --cpus 0,1

# Bad input: one clear line, exit status 1 or 2 (a crash, 139, is not a
# refusal), never a kernel complaint.
for args in "run --mode nosuch" "run --period-us 5" "run --events 0" \
	"run --mode tasklet --sleep-us 100" "compare --modes tasklet,tasklet" \
	"compare --cpus 0,1 --source edu" "run --cpus 0-9" "run --cpus 0 --cpu 1" "run --cpus 1,1" \
	"run --burst 0" "run --burst 65" "run --burst 11 --period-us 100" \
	"run --burst 2 --source edu"; do
	# shellcheck disable=SC2086
	out=$($cli $args 2>&1)
	rc=$?
	lines=$(printf '%s\n' "$out" | grep -c .)
	if { [ "$rc" -eq 1 ] || [ "$rc" -eq 2 ]; } && [ "$lines" -eq 1 ]; then
		pass "'$args' -> rc $rc: $out"
	else
		fail "'$args' -> rc $rc, $lines lines: $out"
	fi
done

# An unprivileged user cannot use the device.
out=$(su -s /bin/sh nobody -c "$cli info" 2>&1)
case "$out" in
*"permission denied"*) pass "unprivileged user refused: $out" ;;
*) fail "unprivileged user not refused: $out" ;;
esac
unload_module || fail "unload"

# Load/unload cycles: every one succeeds, and the slab does not grow.
slab_kb() { sed -n 's/^Slab: *\([0-9]*\) kB/\1/p' /proc/meminfo; }
cycles=${FAULT_CYCLES:-200}
before=$(slab_kb)
i=0
while [ $i -lt "$cycles" ]; do
	insmod /testbox/irqbridge.ko || break
	$cli info > /dev/null || break
	rmmod irqbridge || break
	i=$((i + 1))
done
after=$(slab_kb)
if [ $i -eq "$cycles" ]; then pass "$cycles load/open/unload cycles"; else fail "cycle $i of $cycles failed"; fi
growth=$((after - before))
echo "faults: slab ${before} kB -> ${after} kB over $cycles cycles"
if [ "$growth" -lt 2048 ]; then pass "slab grew ${growth} kB (< 2 MiB)"; else fail "slab grew ${growth} kB"; fi

debug_kernel_checks || fails=$((fails + 1))
echo "faults: $fails failed"
[ "$fails" -eq 0 ]
