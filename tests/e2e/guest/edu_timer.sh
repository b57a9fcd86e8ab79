# Guest: the worked port (examples/edu-timer, docs/porting.md). Each of its
# three modes loaded in turn, one run of E2E_TICKS ticks each (the host's
# check_edu_timer.py judges the counts and contexts in /out); then every bad
# request and a bad mode; a system suspend (pm_test=devices) in the middle
# of a run; the device removed during a run and rescanned.
# shellcheck source=lib.sh
. /testbox/lib.sh
fails=0
pass() { echo "edu_timer: PASS $*"; }
fail() { echo "edu_timer: FAIL $*"; fails=$((fails + 1)); }
ko=/testbox/edu_timer.ko
user=/testbox/edu_timer_user
ticks=${E2E_TICKS:?}

load() {
	if ! insmod $ko "$@"; then
		fail "insmod edu_timer $*"
		return 1
	fi
	[ -c /dev/edu_timer0 ] || { fail "/dev/edu_timer0 missing after insmod $*"; return 1; }
}
unload() {
	rmmod edu_timer || fail "rmmod edu_timer"
	if grep -q '^edu_timer ' /proc/modules; then fail "edu_timer still loaded"; fi
}
# wait_open PID: until PID holds the device open (the module's refcount).
wait_open() {
	tries=0
	while [ "$(cat /sys/module/edu_timer/refcnt 2>/dev/null || echo 0)" -lt 1 ]; do
		kill -0 "$1" 2>/dev/null || return 1
		tries=$((tries + 1))
		[ $tries -le 300 ] || return 1
		sleep 0.1
	done
}
edu_device() {
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/vendor")" = 0x1234 ] && [ "$(cat "$d/device")" = 0x11e8 ] && echo "$d" && return
	done
}

# The three modes: the judge reads /out/edu_timer_<mode>.txt.
for mode in dpc workitem passive; do
	load mode=$mode || continue
	$user --ticks "$ticks" --period-ms 4 > /out/edu_timer_$mode.txt 2>&1 || fail "run in mode $mode"
	cat /out/edu_timer_$mode.txt
	unload
done

# Bad input: each request its exact errno; a bad mode is refused in one line.
if load mode=dpc; then
	$user --check-errors > /out/edu_timer_errors.txt 2>&1 || fail "check-errors"
	cat /out/edu_timer_errors.txt
	unload
fi
if insmod $ko mode=dcp 2>/dev/null; then
	fail "mode=dcp was accepted"
	rmmod edu_timer
elif dmesg | grep -q 'edu_timer: mode=dcp: not dpc, workitem or passive'; then
	pass "mode=dcp refused with one line"
else
	fail "mode=dcp refused without its line"
fi

# D0Exit/D0Entry: the devices suspend and resume (pm_test=devices: no
# firmware, 5 s in between) in the middle of a run; the run goes on and
# its counts stay exact (judged from /out/edu_timer_suspend.txt). Only where
# the kernel has CONFIG_SUSPEND and CONFIG_PM_DEBUG (E2E_SUSPEND, from its
# config): there a missing /sys/power/pm_test fails.
if [ "${E2E_SUSPEND:?}" = 0 ]; then
	echo "edu_timer: suspend: this kernel has no pm_test, not run"
elif [ -w /sys/power/pm_test ] && load mode=dpc dyndbg=+p; then
	$user --ticks 400 --period-ms 4 > /out/edu_timer_suspend.txt 2>&1 &
	reader=$!
	wait_open $reader || fail "suspend: the program never opened the device"
	sleep 0.5
	echo devices > /sys/power/pm_test
	echo freeze > /sys/power/state || fail "suspend: echo freeze > /sys/power/state"
	echo none > /sys/power/pm_test
	wait $reader || fail "suspend: run across the suspend"
	cat /out/edu_timer_suspend.txt
	if dmesg | grep -q 'D0Exit: interrupt' && dmesg | grep -q 'D0Entry: interrupt'; then
		pass "suspend: D0Exit and D0Entry ran"
	else
		fail "suspend: the driver's suspend/resume did not run"
	fi
	unload
else
	fail "suspend: no /sys/power/pm_test or no module"
fi

# The device leaves mid-run (IoDisconnectInterrupt on surprise removal):
# the program's wait times out and STOP fails with ENODEV, the kernel log
# stays clean; a rescan binds it again and a run is exact again.
if load mode=workitem; then
	$user --ticks 100000 --period-ms 4 > /tmp/removed.txt 2>&1 &
	reader=$!
	wait_open $reader || fail "remove: the program never opened the device"
	sleep 1
	dev=$(edu_device)
	echo 1 > "$dev/remove"
	wait $reader
	rc=$?
	cat /tmp/removed.txt
	if [ $rc = 2 ] && grep -q 'STOP: No such device' /tmp/removed.txt; then
		pass "remove: the run ended with ENODEV"
	else
		fail "remove: program status $rc"
	fi
	[ -c /dev/edu_timer0 ] && fail "remove: /dev/edu_timer0 still there"
	echo 1 > /sys/bus/pci/rescan
	tries=0
	while [ ! -c /dev/edu_timer0 ] && [ $tries -lt 100 ]; do sleep 0.1; tries=$((tries + 1)); done
	$user --ticks 50 --period-ms 4 > /out/edu_timer_rescan.txt 2>&1 || fail "rescan: run"
	cat /out/edu_timer_rescan.txt
	unload
fi

debug_kernel_checks || fails=$((fails + 1))
echo "edu_timer: $fails failed"
[ $fails = 0 ]
