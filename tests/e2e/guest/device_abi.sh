# Guest: every ioctl of /dev/irqbridge, good and bad, and exact-count runs.
# shellcheck source=lib.sh
. /testbox/lib.sh
load_module || exit 1
/testbox/device_test --gtest_color=no --gtest_output=xml:/out/device_test.xml
rc=$?
unload_module || rc=1
debug_kernel_checks || rc=1
exit $rc
