# Guest: the device ABI in a box booted without QEMU's edu device
# (run_e2e.sh passes --no-edu): the edu source is absent from GET_INFO,
# CONFIGURE refuses it with ENODEV, and every other test still passes; the
# host (check_gtest.py --no-edu) lets only the edu cases skip.
# shellcheck source=lib.sh
. /testbox/lib.sh
load_module || exit 1
/testbox/device_test --gtest_color=no --gtest_filter='DeviceTest.*:-DeviceTest.RingOverrunIsCounted:DeviceTest.LappedRecordIsCounted' \
	--gtest_output=xml:/out/device_test.xml
rc=$?
unload_module || rc=1
debug_kernel_checks || rc=1
exit $rc
