#!/usr/bin/env bash
# Runs a sanitizer-built unit test binary. ThreadSanitizer cannot map its
# shadow memory with the high mmap randomisation of recent kernels
# (vm.mmap_rnd_bits = 32: "unexpected memory mapping"), so the binary runs
# with address-space randomisation off (setarch -R) when that works.
#
#   tests/sanitize/run.sh BUILD/tests/unit/unit_tests [gtest args]
set -euo pipefail
bin=$1
shift
if setarch "$(uname -m)" -R true 2>/dev/null; then
	exec setarch "$(uname -m)" -R "$bin" --gtest_brief=1 "$@"
fi
exec "$bin" --gtest_brief=1 "$@"
