#!/usr/bin/env bash
# kernel.sh's memo (IRQBRIDGE_KERNEL_FETCHED): a fetch of the memo's series
# whose image exists answers from the memo without running apt; another
# series, or a memo whose image is gone, resolves with apt as before. apt
# here is a stand-in that records each call and fails (no network, no
# package lists needed).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin"
for tool in apt-cache apt-get; do
	printf '#!/bin/sh\necho "%s $*" >> "%s/apt-calls"\nexit 1\n' "$tool" "$tmp" > "$tmp/bin/$tool"
	chmod +x "$tmp/bin/$tool"
done
: > "$tmp/vmlinuz"
memo="SERIES=6.12
KREL=6.12.0-test-amd64
VMLINUZ=$tmp/vmlinuz
KDIR=$tmp/headers
KCONFIG=$tmp/headers/.config"
fails=0
fail() { echo "kernel_memo_test: FAIL $*"; fails=$((fails + 1)); }
run() { PATH="$tmp/bin:$PATH" IRQBRIDGE_CACHE=$tmp/cache "$here/kernel.sh" "$@" 2>/dev/null; }

: > "$tmp/apt-calls"
out=$(IRQBRIDGE_KERNEL_FETCHED=$memo run fetch 6.12) || fail "fetch 6.12 from the memo failed"
[ "$out" = "$(printf '%s\n' "$memo" | grep -v '^SERIES=')" ] || fail "fetch 6.12 printed: $out"
[ ! -s "$tmp/apt-calls" ] || fail "fetch 6.12 ran apt despite the memo: $(cat "$tmp/apt-calls")"

: > "$tmp/apt-calls"
IRQBRIDGE_KERNEL_FETCHED=$memo run fetch 6.1 >/dev/null && fail "fetch 6.1 answered from a 6.12 memo"
[ -s "$tmp/apt-calls" ] || fail "fetch 6.1 with a 6.12 memo did not ask apt"

: > "$tmp/apt-calls"
IRQBRIDGE_KERNEL_FETCHED=${memo/$tmp\/vmlinuz/$tmp/gone} run fetch 6.12 >/dev/null &&
	fail "fetch 6.12 answered from a memo whose image is gone"
[ -s "$tmp/apt-calls" ] || fail "a memo whose image is gone did not send fetch to apt"

# memo resolves afresh even under an older memo: here apt fails, so must it.
IRQBRIDGE_KERNEL_FETCHED=$memo run memo 6.12 >/dev/null && fail "memo 6.12 reused the old memo"

[ "$fails" -eq 0 ] && echo "kernel_memo_test: PASS"
[ "$fails" -eq 0 ]
