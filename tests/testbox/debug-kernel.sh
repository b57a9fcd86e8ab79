#!/usr/bin/env bash
# Build (once, cached by content hash) a debug kernel for the test box from
# the newest kernel source Debian packages (linux-source-X.Y of Debian 13's
# backports, resolved by kernel.sh source, never a hard-coded version):
# tinyconfig + tests/testbox/debug-kernel.config (KASAN, lockdep with
# raw-lock nesting, DEBUG_ATOMIC_SLEEP, DEBUG_OBJECTS, kmemleak, the soft/hard
# lockup, workqueue, RCU-stall and hung-task detectors, memory cgroups).
# Its kbuild wants Debian 13's gcc-14 and C library, so the tree is built
# inside the Debian 13 build root (buildroot.sh), as the module for it is
# (kmake.sh: BUILDROOT= and BUILDROOT_BIND= below).
#
#   debug-kernel.sh     prints KREL=, VMLINUZ=, KDIR=, KCONFIG= (host paths),
#                       BUILDROOT= (the build root's suite) and BUILDROOT_BIND=
#                       (KDIR, to be bind-mounted into the root at its own path),
#                       KMAKE_ARGS= (make arguments for a module built against it)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${IRQBRIDGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/irqbridge}
suite=${IRQBRIDGE_STABLE_SUITE:-trixie}
fragment=$here/debug-kernel.config

die() { echo "debug-kernel: $*" >&2; exit 1; }

SRCPKG='' SRCVER='' SRCTAR=''
src=$("$here/kernel.sh" source) || exit 1
eval "$src"
[ -f "$SRCTAR" ] || die "no kernel source tarball ($SRCTAR)"

# The compiler is part of the key: the same source and fragment built by
# another gcc is another kernel.
hash=$( (echo "$SRCPKG $SRCVER $suite gcc-14"; cat "$fragment") | sha256sum | cut -c1-16)
tree=$cache/debug-kernel/$hash
if [ ! -f "$tree/.complete" ]; then
	# One debug tree at a time: each is ~2 GB. The lock keeps two builds
	# (two make invocations at once) from deleting each other's tree.
	mkdir -p "$cache"
	exec 9>"$cache/debug-kernel.lock"
	flock 9
fi
if [ ! -f "$tree/.complete" ]; then
	rm -rf "$cache/debug-kernel"
	mkdir -p "$tree" "$cache/ccache"
	echo "debug-kernel: building $SRCPKG $SRCVER ($hash) in $tree inside the Debian $suite build root; ~15-20 min cold on 2 CPUs" >&2
	tar -xJf "$SRCTAR" -C "$tree" --strip-components=1
	"$here/buildroot.sh" install "$suite" ccache >&2 || exit 1
	cp "$fragment" "$tree/.irqbridge-fragment.config"
	# The build, inside the root (gcc-14, Debian 13's C library for the host
	# tools), with ccache (its directory mounted from the host's cache).
	cat >"$tree/.irqbridge-build.sh" <<-'SCRIPT'
		#!/bin/bash
		set -euo pipefail
		cd "$(dirname "$0")"
		mk=(make -s HOSTCC=gcc-14 "CC=ccache gcc-14")
		"${mk[@]}" tinyconfig
		# Some options only stick on the second pass.
		for _ in 1 2; do
			scripts/kconfig/merge_config.sh -m .config .irqbridge-fragment.config >/dev/null
			"${mk[@]}" olddefconfig
		done
		for opt in KASAN PROVE_LOCKING PROVE_RAW_LOCK_NESTING DEBUG_ATOMIC_SLEEP \
			DEBUG_OBJECTS_TIMERS DEBUG_KMEMLEAK SOFTLOCKUP_DETECTOR HARDLOCKUP_DETECTOR \
			HARDLOCKUP_DETECTOR_BUDDY WQ_WATCHDOG RCU_STALL_COMMON DETECT_HUNG_TASK \
			HOTPLUG_CPU MODULES EVENTFD IO_URING PCI_MSI MULTIUSER CGROUPS MEMCG; do
			grep -q "^CONFIG_$opt=y" .config || { echo "debug-kernel: CONFIG_$opt did not stick" >&2; exit 1; }
		done
		grep -q '^CONFIG_RCU_CPU_STALL_TIMEOUT=21$' .config ||
			{ echo "debug-kernel: RCU_CPU_STALL_TIMEOUT is not 21" >&2; exit 1; }
		grep -q '^CONFIG_DEFAULT_HUNG_TASK_TIMEOUT=60$' .config ||
			{ echo "debug-kernel: DEFAULT_HUNG_TASK_TIMEOUT is not 60" >&2; exit 1; }
		if grep -q '^CONFIG_X86_5LEVEL=y' .config; then
			echo "debug-kernel: CONFIG_X86_5LEVEL is still set" >&2
			exit 1
		fi
		"${mk[@]}" -j"$(nproc)" bzImage modules
	SCRIPT
	chmod 0755 "$tree/.irqbridge-build.sh"
	CCACHE_DIR=$cache/ccache "$here/buildroot.sh" run "$suite" "$tree" "$cache/ccache" -- \
		"$tree/.irqbridge-build.sh" >&2 || die "kernel build failed in $tree"
	touch "$tree/.complete"
fi
echo "KREL=$(cat "$tree/include/config/kernel.release")"
echo "VMLINUZ=$tree/arch/x86/boot/bzImage"
echo "KDIR=$tree"
echo "KCONFIG=$tree/.config"
echo "BUILDROOT=$suite"
echo "BUILDROOT_BIND=$tree"
# The tree's compiler (a module built by another one makes kbuild warn);
# the root has gcc-14, no "gcc".
echo "KMAKE_ARGS='HOSTCC=gcc-14 CC=gcc-14'"
