#!/usr/bin/env bash
# make lint: every static check, each must report nothing.
#   kmod/     checkpatch.pl --strict (from Debian's linux-source package),
#             sparse (C=2) and W=1 on every kernel of the matrix
#             (LINT_KERNELS; stable/stable-rt in the Debian 13 build root)
#             The worked port's module (examples/edu-timer) and the
#             planted-bug test module (tests/verifier) likewise.
#   C++       clang-format, clang-tidy (.clang-tidy), cppcheck; the
#             example's user program too
#   shell     shellcheck
# Usage: lint.sh BUILD_DIR (with compile_commands.json)
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
cache=${IRQBRIDGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/irqbridge}
kernel_clang_format=
kernels=${LINT_KERNELS:-6.1 6.12 6.12-rt stable stable-rt}
failed=()

step() { printf '\n== lint: %s\n' "$*"; }
fail() { failed+=("$1"); echo "lint: $1 FAILED"; }

# checkpatch.pl and its data files from the newest linux-source-6.12.
checkpatch() {
	local ver dir deb
	ver=$(apt-cache policy linux-source-6.12 | sed -n 's/^ *Candidate: //p')
	if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
		echo "no linux-source-6.12 in apt"
		return 1
	fi
	dir=$cache/checkpatch/$ver
	if [ ! -f "$dir/scripts/kernel-doc" ]; then
		rm -rf "$dir" && mkdir -p "$dir/deb" || return 1
		(cd "$dir/deb" && apt-get download -q -o APT::Sandbox::User=root linux-source-6.12 >/dev/null) || return 1
		deb=$(find "$dir/deb" -name '*.deb' | head -n 1)
		dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/src/linux-source-6.12.tar.xz |
			tar -xJ -C "$dir" --strip-components=1 \
				linux-source-6.12/scripts/checkpatch.pl \
				linux-source-6.12/scripts/spelling.txt \
				linux-source-6.12/scripts/const_structs.checkpatch \
				linux-source-6.12/scripts/kernel-doc \
				linux-source-6.12/.clang-format || return 1
		rm -rf "$dir/deb"
	fi
	kernel_clang_format=$dir/.clang-format
	# checkpatch exits non-zero when it reports anything: its status and
	# its findings each fail the step (a pipeline's status hid both).
	local out rc findings
	out=$(cd "$top" && perl "$dir/scripts/checkpatch.pl" --strict --terse --show-types -f \
		kmod/*.c kmod/*.h kmod/uapi/*.h "${example_c[@]}" "${planted_c[@]}" 2>&1)
	rc=$?
	findings=$(grep -v ' 0 errors, 0 warnings, 0 checks' <<<"$out" | grep .)
	if [ "$rc" != 0 ] || [ -n "$findings" ]; then
		printf '%s\n' "${findings:-$out}"
		echo "checkpatch exited $rc"
		return 1
	fi
	echo "clean ($ver)"
	kernel_doc=$dir/scripts/kernel-doc
}

# The worked port's kernel sources (not its build products).
example=examples/edu-timer
example_c=("$example/edu_timer.c" "$example/compat.h" "$example/uapi/edu_timer.h")
# The planted IRQL-class bugs of e2e.verifier: a test module, but kernel code
# all the same (its bugs are the planted ones, nothing else).
planted=tests/verifier
planted_c=("$planted/irqbridge_planted.c")

step "checkpatch --strict"
kernel_doc=
checkpatch || fail checkpatch

step "kernel-doc"
if [ -n "$kernel_doc" ]; then
	out=$(cd "$top" && perl "$kernel_doc" -none -Wall kmod/*.c kmod/*.h kmod/uapi/*.h "${example_c[@]}" "${planted_c[@]}" 2>&1)
	if [ -n "$out" ]; then echo "$out"; fail kernel-doc; else echo "clean"; fi
else
	fail "kernel-doc: script missing"
fi

# w1_sparse KERNEL LABEL DIR: build the module sources copied into DIR with
# W=1 and sparse (C=2) against KERNEL; any warning fails LABEL. DIR is
# removed afterwards.
w1_sparse() {
	local k=$1 label=$2 tmp=$3 out rc
	out=$("$top/tests/testbox/kmake.sh" "$k" "$tmp" W=1 C=2 modules 2>&1)
	rc=$?
	if [ "$rc" != 0 ] || grep -E 'warning:|error:' <<<"$out"; then
		[ "$rc" = 0 ] || tail -n 20 <<<"$out"
		fail "$label $k"
	else
		echo "$(grep -c '  CHECK' <<<"$out") files through sparse, no warnings"
	fi
	rm -rf "$tmp"
}

for k in $kernels; do
	step "W=1 and sparse against $k"
	# stable/stable-rt: kbuild and sparse run in the Debian 13 build root.
	"$top/tests/testbox/kernel.sh" fetch "$k" >/dev/null || { fail "fetch $k"; continue; }
	tmp=$(mktemp -d)
	cp -a "$top/Kbuild" "$top/kmod" "$tmp/"
	w1_sparse "$k" kmod "$tmp"

	step "W=1 and sparse of $example against $k"
	tmp=$(mktemp -d)
	mkdir -p "$tmp/uapi"
	for f in Kbuild "${example_c[@]#"$example"/}"; do cp "$top/$example/$f" "$tmp/$f"; done
	w1_sparse "$k" "$example" "$tmp"

	step "W=1 and sparse of $planted against $k"
	tmp=$(mktemp -d)
	for f in Kbuild "${planted_c[@]#"$planted"/}"; do cp "$top/$planted/$f" "$tmp/$f"; done
	w1_sparse "$k" "$planted" "$tmp"
done

step "shellcheck"
(cd "$top" && shellcheck tests/testbox/*.sh tests/e2e/*.sh tests/dkms/*.sh tests/lint/*.sh tests/plot/*.sh tests/report/*.sh docs/generator/data.sh .ci/run &&
	shellcheck -s sh docs/generator/guest.sh docs/generator/uring-measure.sh docs/generator/uring-trace.sh &&
	shellcheck -s sh tests/testbox/init && cd tests/e2e/guest && shellcheck -x -s sh ./*.sh) ||
	fail shellcheck

step "clang-format"
# userspace/ and tests/unit/ have one folder per layer: every depth.
mapfile -t cxx < <(cd "$top" && find userspace/include userspace/src userspace/cli tests/unit \
	-name '*.[ch]pp' | sort)
(cd "$top" && clang-format --dry-run -Werror "${cxx[@]}" tests/e2e/*.cpp "$example"/user/*.cpp) || fail clang-format
if [ -n "${kernel_clang_format:-}" ]; then
	# kmod/ in the kernel's own .clang-format style (from the same source).
	(cd "$top" && clang-format -style="file:$kernel_clang_format" --dry-run -Werror \
		kmod/*.c kmod/*.h kmod/uapi/*.h "${example_c[@]}" "${planted_c[@]}") || fail "clang-format (kmod, kernel style)"
else
	fail "clang-format (kmod): no kernel .clang-format"
fi

step "clang-tidy"
if [ -f "$build/compile_commands.json" ]; then
	# Clean means: run-clang-tidy ran (exit 0: every clang-tidy exited 0,
	# none crashed), checked at least one file, and reported nothing. A
	# missing or crashing tool is a failure, not silence.
	out=$(cd "$top" && run-clang-tidy -p "$build" -quiet "$top/(userspace/(src|cli)|$example/user)/.*" 2>&1)
	rc=$?
	checked=$(grep -c -E '^[^ ]*clang-tidy[^ :]* .*-p=' <<<"$out")
	if [ "$rc" != 0 ] || [ "$checked" = 0 ] || grep -E 'warning:|error:' <<<"$out"; then
		tail -n 20 <<<"$out"
		echo "run-clang-tidy exited $rc after checking $checked files"
		fail clang-tidy
	else
		echo "clean ($checked files)"
	fi
else
	echo "no $build/compile_commands.json (make userspace first)"
	fail clang-tidy
fi

step "cppcheck"
(cd "$top" && cppcheck --enable=warning,performance,portability --std=c++20 --language=c++ \
	--error-exitcode=1 --quiet --suppress=missingIncludeSystem -I userspace/include -I kmod \
	userspace/src userspace/cli) || fail cppcheck
(cd "$top" && cppcheck --enable=warning,performance,portability --std=c++20 --language=c++ \
	--error-exitcode=1 --quiet --suppress=missingIncludeSystem -I "$example" "$example/user") ||
	fail "cppcheck ($example)"

echo
if [ ${#failed[@]} -gt 0 ]; then
	echo "lint: ${#failed[@]} failed: ${failed[*]}"
	exit 1
fi
echo "lint: clean"
