#!/usr/bin/env bash
# Fail if the guest kernel complained, in the console or in dmesg: any oops,
# BUG (KASAN, raw-lock nesting "Invalid wait context", soft lockup,
# workqueue lockup, scheduling while atomic...), WARNING, lockdep report,
# sleep in atomic context, kmemleak leak, debug-objects report, hard
# lockup, RCU stall, hung task, the spurious-IRQ detector ("nobody
# cared"), or a run-time deprecation notice about the module (7.2+: "work
# func irqbridge_work_fn [irqbridge] enqueued on deprecated workqueue"),
# or about the worked port's edu_timer.
#
#   check_kernel_log.sh LOG...
#   check_kernel_log.sh --boot-failure LOG...
#   check_kernel_log.sh --pattern          (prints the complaint pattern, an
#                                           ERE: check_verifier.py's source)
#
# --boot-failure judges the console of a boot the test box retried
# (LOG.boot-failure.N): its complaints are printed, and it fails if that
# boot shows any sign of the test: the command's start marker, its status,
# the module (an "irqbridge" line) or a scenario's output. Only a kernel
# that died before the command started may be retried.
set -u
pattern='BUG:|WARNING:|Oops|general protection fault|sleeping function called from invalid context|Call Trace:|KASAN|UBSAN|possible recursive locking|circular locking dependency|inconsistent lock state|possible irq lock inversion|suspicious RCU usage|DEBUG_LOCKS_WARN_ON|INFO: lockdep is turned off|kmemleak:.*unreferenced|suspected memory leak|ODEBUG:|soft lockup|[Hh]ard LOCKUP|self-detected stall|detected stalls on CPUs|detected expedited stalls|kthread starved for|blocked for more than [0-9]+ seconds|workqueue lockup|nobody cared|Disabling IRQ #|Kernel panic|irqbridge.*deprecated|deprecated.*irqbridge|edu_timer.*deprecated|deprecated.*edu_timer'
test_ran='testbox: running the command|TESTBOX-CMD-START|TESTBOX-RC=|irqbridge|e2e:|faults:|soak:|edu_timer'
if [ "${1:-}" = --pattern ]; then
	printf '%s\n' "$pattern"
	exit 0
fi
boot_failure=0
if [ "${1:-}" = --boot-failure ]; then
	boot_failure=1
	shift
fi
found=0
report_lines=60
for log in "$@"; do
	[ -f "$log" ] || { echo "check_kernel_log: $log missing"; found=1; continue; }
	if [ "$boot_failure" = 1 ]; then
		echo "check_kernel_log: $log: a boot the test box retried; what its kernel said:"
		grep -a -E -n "$pattern" "$log" | head -n 20
		if grep -a -E -n "$test_ran" "$log" | head -n 5 | grep .; then
			echo "check_kernel_log: $log: the test had started in this boot: it may not be retried"
			found=1
		fi
		continue
	fi
	complaints=$(grep -a -E -n "$pattern" "$log" | head -n 20)
	if [ -n "$complaints" ]; then
		printf '%s\n' "$complaints"
		echo "check_kernel_log: kernel complaints in $log"
		if [ "$found" = 0 ]; then
			# The first report whole (a lockdep report's locks and
			# chain, a WARNING's registers and trace): CI keeps only
			# this output, not the log.
			first=${complaints%%:*}
			echo "check_kernel_log: the first report, lines $first-$((first + report_lines - 1)) of $log:"
			sed -n "${first},$((first + report_lines - 1))p" "$log"
		fi
		found=1
	fi
done
exit "$found"
