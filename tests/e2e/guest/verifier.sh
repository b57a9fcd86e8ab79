# Guest: the Linux "Driver Verifier" (docs/windows-to-linux.md). The
# planted module (tests/verifier/irqbridge_planted.c) is loaded once per
# bug, its all-correct form first. Each load sits between two markers
# written into the kernel log itself (/dev/kmsg), so that the host's judge
# (check_verifier.py) can tell which report belongs to which load; it also
# decides, from the kernel's .config, which reports each load must produce
# (the debug kernel) or that none may appear (a production kernel). The
# markers carry lockdep's state (debug_locks) before and after each load.
# shellcheck source=lib.sh
. /testbox/lib.sh
fails=0
pass() { echo "verifier: PASS $*"; }
fail() { echo "verifier: FAIL $*"; fails=$((fails + 1)); }
ko=/testbox/irqbridge_planted.ko

mark() { echo "verifier: $*" > /dev/kmsg; }
lockdep_state() {
	if [ -f /proc/lockdep_stats ]; then
		sed -n 's/^ *debug_locks: *//p' /proc/lockdep_stats
	else
		echo none
	fi
}

# raw_nesting last: lockdep switches itself off after its first report.
for bug in none tasklet_sleep gfp_irqsave raw_nesting; do
	mark "BEGIN bug=$bug lockdep=$(lockdep_state)"
	if insmod $ko bug=$bug; then
		rmmod irqbridge_planted || fail "rmmod after bug=$bug"
	else
		fail "insmod bug=$bug"
	fi
	mark "END bug=$bug lockdep=$(lockdep_state)"
	# __might_resched() reports at most once a second.
	sleep 2
done

# A bad parameter: refused in one line, no splat.
if insmod $ko bug=sleep 2>/dev/null; then
	fail "bug=sleep was accepted"
	rmmod irqbridge_planted
elif dmesg | grep -q 'irqbridge_planted: bug=sleep: not none, tasklet_sleep, gfp_irqsave or raw_nesting'; then
	pass "bug=sleep refused with one line"
else
	fail "bug=sleep refused without its line"
fi

# Lockdep is off by now on the debug kernel (raw_nesting's report): the
# host judges that from the markers. Only kmemleak is asked here.
kmemleak_check || fails=$((fails + 1))
echo "verifier: $fails failed"
[ $fails = 0 ]
