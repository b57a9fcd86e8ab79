#!/usr/bin/env bash
# Fail if the guest kernel complained, in the console or in dmesg: any oops,
# BUG (KASAN, raw-lock nesting "Invalid wait context", soft lockup,
# workqueue lockup, scheduling while atomic...), WARNING, lockdep report,
# sleep in atomic context, kmemleak leak, debug-objects report, hard
# lockup, RCU stall, hung task, or the spurious-IRQ detector ("nobody
# cared").
set -u
pattern='BUG:|WARNING:|Oops|general protection fault|sleeping function called from invalid context|Call Trace:|KASAN|UBSAN|possible recursive locking|circular locking dependency|inconsistent lock state|possible irq lock inversion|suspicious RCU usage|DEBUG_LOCKS_WARN_ON|INFO: lockdep is turned off|kmemleak:.*unreferenced|suspected memory leak|ODEBUG:|soft lockup|[Hh]ard LOCKUP|self-detected stall|detected stalls on CPUs|detected expedited stalls|kthread starved for|blocked for more than [0-9]+ seconds|workqueue lockup|nobody cared|Disabling IRQ #|Kernel panic'
found=0
for log in "$@"; do
	[ -f "$log" ] || { echo "check_kernel_log: $log missing"; found=1; continue; }
	if grep -a -E -n "$pattern" "$log" | head -n 20 | grep .; then
		echo "check_kernel_log: kernel complaints in $log"
		found=1
	fi
done
exit "$found"
