#!/usr/bin/env bash
# Fail if the guest kernel complained: any oops, BUG, WARNING, lockdep or
# KASAN report, or a sleep in atomic context, in the console or in dmesg;
# or a run-time deprecation notice about the module (7.2+: "work func
# irqbridge_work_fn [irqbridge] enqueued on deprecated workqueue").
set -u
pattern='BUG:|WARNING:|Oops|general protection fault|sleeping function called from invalid context|Call Trace:|KASAN|possible recursive locking|circular locking dependency|kmemleak:.*unreferenced|Kernel panic|irqbridge.*deprecated|deprecated.*irqbridge'
found=0
for log in "$@"; do
	[ -f "$log" ] || { echo "check_kernel_log: $log missing"; found=1; continue; }
	if grep -E -n "$pattern" "$log" | head -n 20 | grep .; then
		echo "check_kernel_log: kernel complaints in $log"
		found=1
	fi
done
exit "$found"
