# Helpers for the guest side of the end-to-end tests (busybox sh).

# load_module: insmod the module, fail loudly if /dev/irqbridge is missing.
load_module() {
	insmod /testbox/irqbridge.ko || { echo "e2e: insmod failed"; return 1; }
	[ -c /dev/irqbridge ] || { echo "e2e: /dev/irqbridge missing after insmod"; return 1; }
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
