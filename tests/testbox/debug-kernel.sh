#!/usr/bin/env bash
# Build (once, cached by content hash) a debug kernel for the test box:
# tinyconfig + a fragment (KASAN, lockdep with raw-lock nesting,
# DEBUG_ATOMIC_SLEEP, DEBUG_OBJECTS, kmemleak, the soft/hard lockup,
# workqueue, RCU-stall and hung-task detectors). Which source, by
# IRQBRIDGE_DEBUG_SOURCE:
#
#   6.12 (default, CI's)  Debian's linux-source-6.12 built on the host with
#                         tests/testbox/debug-kernel.config (~18 min cold).
#   stable                the newest kernel source Debian packages
#                         (linux-source-X.Y of Debian 13's backports,
#                         resolved by kernel.sh source, never a hard-coded
#                         version; 7.3.4 in November 2026) with
#                         tests/testbox/debug-kernel-stable.config (memory
#                         cgroups too). Its kbuild wants Debian 13's gcc-14
#                         and C library, so the tree is built inside the
#                         Debian 13 build root (buildroot.sh), as the module
#                         for it is (kmake.sh: BUILDROOT= and
#                         BUILDROOT_BIND= below). ~20 min cold, 6 min 40 s
#                         with a warm ccache. Several times slower than 6.12
#                         under TCG: CI keeps 6.12 for its time budget; the
#                         full fuzz run of docs/reliability.md uses this one.
#
# One debug tree is kept per cache ($IRQBRIDGE_CACHE): building one deletes
# the other (each is ~2 GB). Point IRQBRIDGE_CACHE at another directory to
# keep both.
#
#   debug-kernel.sh     prints KREL=, VMLINUZ=, KDIR=, KCONFIG= (host paths)
#                       and, for stable, BUILDROOT= (the build root's suite),
#                       BUILDROOT_BIND= (KDIR, to be bind-mounted into the
#                       root at its own path) and KMAKE_ARGS= (make arguments
#                       for a module built against it)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${IRQBRIDGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/irqbridge}
source=${IRQBRIDGE_DEBUG_SOURCE:-6.12}

die() { echo "debug-kernel: $*" >&2; exit 1; }

# The checks both builds make on the merged .config (run in the tree); the
# arguments: more options that must be y.
# shellcheck disable=SC2120 # the 6.12 build has none
check_config() {
	local opt
	for opt in KASAN PROVE_LOCKING PROVE_RAW_LOCK_NESTING DEBUG_ATOMIC_SLEEP \
		DEBUG_OBJECTS_TIMERS DEBUG_KMEMLEAK SOFTLOCKUP_DETECTOR HARDLOCKUP_DETECTOR \
		HARDLOCKUP_DETECTOR_BUDDY WQ_WATCHDOG RCU_STALL_COMMON DETECT_HUNG_TASK \
		HOTPLUG_CPU MODULES EVENTFD IO_URING PCI_MSI MULTIUSER "$@"; do
		grep -q "^CONFIG_$opt=y" .config || { echo "debug-kernel: CONFIG_$opt did not stick" >&2; return 1; }
	done
	grep -q '^CONFIG_RCU_CPU_STALL_TIMEOUT=21$' .config ||
		{ echo "debug-kernel: RCU_CPU_STALL_TIMEOUT is not 21" >&2; return 1; }
	grep -q '^CONFIG_DEFAULT_HUNG_TASK_TIMEOUT=60$' .config ||
		{ echo "debug-kernel: DEFAULT_HUNG_TASK_TIMEOUT is not 60" >&2; return 1; }
	if grep -q '^CONFIG_X86_5LEVEL=y' .config; then
		echo "debug-kernel: CONFIG_X86_5LEVEL is still set" >&2
		return 1
	fi
}

# Takes the cache's lock and clears it for a new tree, unless another build
# completed $tree meanwhile (then returns 1).
claim_tree() {
	# One debug tree at a time: each is ~2 GB. The lock keeps two builds
	# (two make invocations at once) from deleting each other's tree.
	mkdir -p "$cache"
	exec 9>"$cache/debug-kernel.lock"
	flock 9
	[ ! -f "$tree/.complete" ] || return 1
	rm -rf "$cache/debug-kernel"
	mkdir -p "$tree"
}

build_6_12() {
	local ver src_tar src
	fragment=$here/debug-kernel.config
	SRCPKG='' SRCVER='' SRCTAR=''
	src=$("$here/kernel.sh" source 6.12) || exit 1
	eval "$src"
	ver=$SRCVER src_tar=$SRCTAR
	[ -f "$src_tar" ] || die "no kernel source tarball ($src_tar)"

	hash=$( (echo "$ver"; cat "$fragment") | sha256sum | cut -c1-16)
	tree=$cache/debug-kernel/$hash
	if [ ! -f "$tree/.complete" ] && claim_tree; then
		echo "debug-kernel: building $ver ($hash) in $tree; ~10 min cold on 2 CPUs" >&2
		tar -xJf "$src_tar" -C "$tree" --strip-components=1
		export CCACHE_DIR=$cache/ccache
		mkcc=(CC="ccache gcc")
		command -v ccache >/dev/null || mkcc=()
		(
			cd "$tree"
			make -s "${mkcc[@]}" tinyconfig
			for _ in 1 2; do
				scripts/kconfig/merge_config.sh -m .config "$fragment" >/dev/null
				make -s "${mkcc[@]}" olddefconfig
			done
			check_config
			make -s "${mkcc[@]}" -j"$(nproc)" bzImage modules
		) >&2 || die "kernel build failed in $tree"
		touch "$tree/.complete"
	fi
	echo "KREL=$(make -s -C "$tree" kernelrelease)"
	echo "VMLINUZ=$tree/arch/x86/boot/bzImage"
	echo "KDIR=$tree"
	echo "KCONFIG=$tree/.config"
}

build_stable() {
	local suite=${IRQBRIDGE_STABLE_SUITE:-trixie} src
	fragment=$here/debug-kernel-stable.config
	SRCPKG='' SRCVER='' SRCTAR=''
	src=$("$here/kernel.sh" source stable) || exit 1
	eval "$src"
	[ -f "$SRCTAR" ] || die "no kernel source tarball ($SRCTAR)"

	# The compiler is part of the key: the same source and fragment built
	# by another gcc is another kernel.
	hash=$( (echo "$SRCPKG $SRCVER $suite gcc-14"; cat "$fragment") | sha256sum | cut -c1-16)
	tree=$cache/debug-kernel/$hash
	if [ ! -f "$tree/.complete" ] && claim_tree; then
		mkdir -p "$cache/ccache"
		echo "debug-kernel: building $SRCPKG $SRCVER ($hash) in $tree inside the Debian $suite build root; ~15-20 min cold on 2 CPUs" >&2
		tar -xJf "$SRCTAR" -C "$tree" --strip-components=1
		"$here/buildroot.sh" install "$suite" ccache >&2 || exit 1
		cp "$fragment" "$tree/.irqbridge-fragment.config"
		# The build, inside the root (gcc-14, Debian 13's C library for
		# the host tools), with ccache (its directory mounted from the
		# host's cache). The checks are check_config's, written out.
		{
			echo '#!/bin/bash'
			echo 'set -euo pipefail'
			# shellcheck disable=SC2016 # written for the script
			echo 'cd "$(dirname "$0")"'
			declare -f check_config
			cat <<-'SCRIPT'
				mk=(make -s HOSTCC=gcc-14 "CC=ccache gcc-14")
				"${mk[@]}" tinyconfig
				# Some options only stick on the second pass.
				for _ in 1 2; do
					scripts/kconfig/merge_config.sh -m .config .irqbridge-fragment.config >/dev/null
					"${mk[@]}" olddefconfig
				done
				check_config CGROUPS MEMCG
				"${mk[@]}" -j"$(nproc)" bzImage modules
			SCRIPT
		} >"$tree/.irqbridge-build.sh"
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
	# The tree's compiler (a module built by another one makes kbuild
	# warn); the root has gcc-14, no "gcc".
	echo "KMAKE_ARGS='HOSTCC=gcc-14 CC=gcc-14'"
}

case "$source" in
6.12) build_6_12 ;;
stable) build_stable ;;
*) die "IRQBRIDGE_DEBUG_SOURCE=$source: 6.12 (the default) or stable" ;;
esac
