# Guest: the edu device removed (sysfs remove) in every phase of a run and
# every mode, with two edu devices booted: the second takes over, a rescan
# brings the first back, counts stay consistent and the kernel log clean
# (judged on the host). Then the CLI: a run whose device goes away ends at
# once with one clear line.
# shellcheck source=lib.sh
. /testbox/lib.sh
fails=0
pass() { echo "remove: PASS $*"; }
fail() { echo "remove: FAIL $*"; fails=$((fails + 1)); }
cli=/testbox/irqbridge

load_module || exit 1
IRQBRIDGE_REMOVAL=1 /testbox/device_test --gtest_color=no \
	--gtest_filter='Modes/EduRemovalTest.*' --gtest_output=xml:/out/remove_test.xml ||
	fail "EduRemovalTest"

edu_devices() {
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/vendor")" = 0x1234 ] && [ "$(cat "$d/device")" = 0x11e8 ] && echo "$d"
	done
}
wait_devices() {
	tries=0
	while [ "$(edu_devices | wc -l)" -lt "$1" ] && [ $tries -lt 300 ]; do
		tries=$((tries + 1))
		sleep 0.1
	done
}
count=$(edu_devices | wc -l)
if [ "$count" -ge 2 ]; then pass "$count edu devices"; else fail "expected two edu devices, found $count"; fi

# The CLI: every edu device removed mid-run. The reader ends on its own
# within seconds (not after its no-event timeout) with one line.
$cli run --quiet --no-floor --mode tasklet --source edu --period-us 100 --events 100000000 > /tmp/rm.out 2>&1 &
reader=$!
wait_device_open $reader || fail "reader never opened the device"
sleep 1
for d in $(edu_devices); do echo 1 > "$d/remove"; done
t=0
while kill -0 $reader 2>/dev/null && [ $t -lt 100 ]; do sleep 0.1; t=$((t + 1)); done
if kill -0 $reader 2>/dev/null; then
	fail "reader still waiting 10 s after the device was removed"
	kill -9 $reader
fi
wait $reader
rc=$?
out=$(cat /tmp/rm.out)
lines=$(printf '%s\n' "$out" | grep -c .)
case "$out" in
*removed*)
	if [ "$rc" -ne 0 ] && [ "$lines" -eq 1 ]; then pass "reader: $out"; else fail "reader rc $rc, $lines lines: $out"; fi ;;
*) fail "reader rc $rc: $out" ;;
esac
echo 1 > /sys/bus/pci/rescan
wait_devices "$count"
if $cli run --quiet --mode threaded --source edu --events 200 --period-us 1000 > /tmp/rm2.out 2>&1; then
	pass "edu works after rescan"
else
	fail "edu run after rescan: $(cat /tmp/rm2.out)"
fi

# A refused configuration: one line that says why.
out=$($cli run --mode threaded --source irqchip --period-us 10 --work-ns 6000 --events 10 2>&1)
rc=$?
lines=$(printf '%s\n' "$out" | grep -c .)
case "$out" in
*"half the period"*)
	if [ "$rc" -ne 0 ] && [ "$lines" -le 2 ]; then pass "refused: $out"; else fail "rc $rc: $out"; fi ;;
*) fail "threaded work above half the period: rc $rc: $out" ;;
esac

unload_module || fails=$((fails + 1))
debug_kernel_checks || fails=$((fails + 1))
echo "remove: $fails failure(s)"
[ $fails -eq 0 ]
