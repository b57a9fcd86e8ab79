# Guest: the seeded fuzzer over the whole accepted config space: a
# sequential phase whose every call expects an exact errno, then threads
# racing START, STOP, close, SET_EVENTFD, CONFIGURE, NEW_CHANNEL, mmap and
# munmap, all of it while a thread removes and rescans (or unbinds and
# binds) the edu PCI device and one takes CPU 1 offline and back
# (E2E_FUZZ_HOTPLUG=0: not that one).
# Reproduce a failure with the seed it prints.
# shellcheck source=lib.sh
. /testbox/lib.sh
load_module || exit 1
/testbox/ioctl_fuzz --seed "${E2E_FUZZ_SEED:-1}" --calls "${E2E_FUZZ_CALLS:-60000}" \
	--race-calls "${E2E_FUZZ_RACE_CALLS:-40000}" --threads 4 \
	--edu-cycles "${E2E_FUZZ_EDU_CYCLES:-200}" --hotplug "${E2E_FUZZ_HOTPLUG:-1}" \
	--max-seconds "${E2E_FUZZ_SECONDS:-300}" --json /out/fuzz.json > /out/fuzz.txt
rc=$?
cat /out/fuzz.txt
# The device is back and works after the churn.
/testbox/irqbridge run --quiet --no-floor --source edu --mode threaded --events 200 \
	--period-us 1000 > /out/after-churn.txt || { echo "fuzz: FAIL edu run after the churn"; rc=1; }
unload_module || rc=1
debug_kernel_checks || rc=1
exit $rc
