# Guest: every ioctl of /dev/irqbridge, good and bad, and exact-count runs;
# then the ring overrun with a small ring, then the 32-bit ABI.
# Each device_test run leaves its gtest XML in /out: the host counts the
# skips (check_gtest.py). The edu removal cases run in e2e.remove.
# shellcheck source=lib.sh
. /testbox/lib.sh
load_module || exit 1
/testbox/device_test --gtest_color=no --gtest_filter='-DeviceTest.RingOverrunIsCounted:DeviceTest.LappedRecordIsCounted:Modes/EduRemovalTest.*' \
	--gtest_output=xml:/out/device_test.xml
rc=$?
unload_module || rc=1

# A lost record is counted: a 256-slot ring overruns in a fraction of a
# second when nobody reads it, and a bottom half sleeping 10 ms per run
# falls more than 256 events behind, so its oldest records are lapped.
if insmod /testbox/irqbridge.ko ring_records=256 &&
	[ "$(cat /sys/module/irqbridge/parameters/ring_records)" = 256 ]; then
	/testbox/device_test --gtest_color=no --gtest_filter='DeviceTest.RingOverrunIsCounted:DeviceTest.LappedRecordIsCounted' \
		--gtest_output=xml:/out/device_test_overrun.xml || rc=1
	unload_module || rc=1
else
	echo "e2e: FAIL insmod ring_records=256"
	rc=1
fi

# The 32-bit ABI through compat_ioctl, where the kernel runs 32-bit
# programs at all (E2E_COMPAT32, from the kernel's CONFIG_IA32_EMULATION).
load_module || exit 1
# The catalogue the CLI prints from the module (check_catalogue.py on the
# host: its supported modes are the kernel's, its rows the compiled-in ones).
/testbox/irqbridge info --json > /out/catalogue.json || rc=1
if [ "${E2E_COMPAT32:?}" = 1 ]; then
	/testbox/compat32 || rc=1
else
	echo "e2e: compat32: this kernel has no IA32_EMULATION, not run"
fi
unload_module || rc=1
debug_kernel_checks || rc=1
exit $rc
