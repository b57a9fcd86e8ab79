# Guest: the reader compares tasklet and workqueue, as `make demo` does.
# shellcheck source=lib.sh
. /testbox/lib.sh
load_module || exit 1
/testbox/irqbridge compare --quiet --events "${E2E_EVENTS:-1000}" --period-us "${E2E_PERIOD_US:-1000}" \
	--json /out/compare.json
rc=$?
unload_module || rc=1
debug_kernel_checks || rc=1
exit $rc
