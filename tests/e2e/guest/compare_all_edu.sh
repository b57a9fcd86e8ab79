# Guest: every mode the kernel offers, each interrupt raised by QEMU's edu
# PCI device (the threaded mode through its handler thread).
# shellcheck source=lib.sh
. /testbox/lib.sh
load_module || exit 1
/testbox/irqbridge compare --quiet --modes all --source edu --events "${E2E_EVENTS:-300}" \
	--period-us "${E2E_PERIOD_US:-1000}" --json /out/compare.json
rc=$?
unload_module || rc=1
debug_kernel_checks || rc=1
exit $rc
