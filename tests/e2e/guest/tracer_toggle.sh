# Guest: the kernel patches its own text (the timerlat tracer switched on
# and off, as rtla timerlat does at its start and end) while the module
# measures. The box must survive it (testbox.sh runs such kernels
# single-threaded under TCG: multi-threaded TCG ran stale int3s and the
# guest died with "Oops: int3") and every count must stay exact. Up to 100
# on/off cycles while the run lasts (10 s of events), at least 20.
# shellcheck source=lib.sh
. /testbox/lib.sh
T=/sys/kernel/tracing
if ! grep -qw timerlat "$T/available_tracers" 2>/dev/null; then
	echo "e2e: tracer_toggle: this kernel has no timerlat tracer"
	exit 1
fi
load_module || exit 1
/testbox/irqbridge run --quiet --no-floor --mode tasklet --events "${E2E_EVENTS:-10000}" \
	--period-us "${E2E_PERIOD_US:-1000}" --json /out/run.json &
run=$!
wait_device_open "$run" || exit 1
i=0
while [ $i -lt "${E2E_TOGGLES:-100}" ] && kill -0 "$run" 2>/dev/null; do
	echo timerlat > "$T/current_tracer" || { echo "e2e: tracer_toggle: timerlat did not start"; exit 1; }
	echo nop > "$T/current_tracer" || { echo "e2e: tracer_toggle: timerlat did not stop"; exit 1; }
	i=$((i + 1))
done
echo "e2e: tracer_toggle: $i tracer on/off cycles while the module ran"
wait "$run"
rc=$?
[ $rc = 0 ] || echo "e2e: tracer_toggle: irqbridge run failed ($rc)"
[ $i -ge 20 ] || { echo "e2e: tracer_toggle: only $i cycles before the run ended"; rc=1; }
unload_module || rc=1
debug_kernel_checks || rc=1
exit $rc
