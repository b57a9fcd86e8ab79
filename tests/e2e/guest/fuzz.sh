# Guest: 100,000 seeded random ioctl/mmap/open calls, valid and invalid.
# Reproduce a failure with the seed it prints.
# shellcheck source=lib.sh
. /testbox/lib.sh
load_module || exit 1
/testbox/ioctl_fuzz --seed "${E2E_FUZZ_SEED:-1}" --calls "${E2E_FUZZ_CALLS:-100000}"
rc=$?
unload_module || rc=1
debug_kernel_checks || rc=1
exit $rc
