# Helpers for the guest side of the end-to-end tests (busybox sh).

# load_module: insmod the module, fail loudly if /dev/irqbridge is missing.
load_module() {
	insmod /testbox/irqbridge.ko || { echo "e2e: insmod failed"; return 1; }
	[ -c /dev/irqbridge ] || { echo "e2e: /dev/irqbridge missing after insmod"; return 1; }
}

# wait_device_open PID: wait until a process holds /dev/irqbridge open (the
# module's reference count rises on open), at most 30 s. Fails if PID exits
# first. A fixed sleep raced a slow start of the reader on a busy host.
wait_device_open() {
	tries=0
	while [ "$(cat /sys/module/irqbridge/refcnt 2>/dev/null || echo 0)" -lt 1 ]; do
		kill -0 "$1" 2>/dev/null || { echo "e2e: process $1 exited before opening the device"; return 1; }
		tries=$((tries + 1))
		[ $tries -le 300 ] || { echo "e2e: process $1 did not open the device in 30 s"; return 1; }
		sleep 0.1
	done
}

# debug_kernel_checks: on a kernel with kmemleak and lockdep, ask them.
# Reports go to the console, where the host's log check fails the test.
debug_kernel_checks() {
	if [ -f /proc/lockdep_stats ]; then
		if grep -q 'debug_locks: *1' /proc/lockdep_stats; then
			echo "e2e: lockdep still on, no lock report"
		else
			echo "e2e: lockdep turned itself off: BUG: lockdep found a problem"
			return 1
		fi
	fi
	kmemleak_check
}

# kmemleak_check: on a kernel with kmemleak, two scans, no unreferenced
# object (the module should be unloaded by now).
kmemleak_check() {
	if [ -f /sys/kernel/debug/kmemleak ]; then
		# Objects younger than ~5 s are not reported; scan twice.
		sleep 6
		echo scan > /sys/kernel/debug/kmemleak
		echo scan > /sys/kernel/debug/kmemleak
		if grep -q unreferenced /sys/kernel/debug/kmemleak; then
			head -n 40 /sys/kernel/debug/kmemleak
			echo "e2e: kmemleak: unreferenced objects"
			return 1
		fi
		echo "e2e: kmemleak: no leaks"
	fi
	return 0
}

# unload_module: rmmod, and check that the module is really gone.
unload_module() {
	rmmod irqbridge || { echo "e2e: rmmod failed"; return 1; }
	if grep -q '^irqbridge ' /proc/modules; then
		echo "e2e: irqbridge still loaded after rmmod"
		return 1
	fi
	echo "e2e: module unloaded cleanly"
}
