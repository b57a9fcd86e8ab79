#!/usr/bin/env bash
# Build (once, cached by content hash) a debug 6.12 kernel for the test box
# from Debian's linux-source-6.12: tinyconfig + tests/testbox/debug-kernel.config
# (KASAN, lockdep with raw-lock nesting, DEBUG_ATOMIC_SLEEP, DEBUG_OBJECTS,
# kmemleak, the soft/hard lockup, workqueue, RCU-stall and hung-task detectors).
#
#   debug-kernel.sh     prints KREL=, VMLINUZ=, KDIR=, KCONFIG= lines (like kernel.sh)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${IRQBRIDGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/irqbridge}
fragment=$here/debug-kernel.config

die() { echo "debug-kernel: $*" >&2; exit 1; }

if ! apt-cache show linux-source-6.12 >/dev/null 2>&1; then
	apt-get update -qq >&2 || die "apt-get update failed"
fi
ver=$(apt-cache policy linux-source-6.12 | sed -n 's/^ *Candidate: //p')
if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
	die "apt knows no linux-source-6.12"
fi

src_tar=$cache/src/$ver/linux-source-6.12.tar.xz
if [ ! -f "$src_tar" ]; then
	echo "debug-kernel: fetching linux-source-6.12 $ver" >&2
	mkdir -p "$cache/src/$ver/deb"
	(cd "$cache/src/$ver/deb" && apt-get download -q -o APT::Sandbox::User=root linux-source-6.12 >&2)
	deb=$(find "$cache/src/$ver/deb" -name '*.deb' | head -n 1)
	dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/src/linux-source-6.12.tar.xz > "$src_tar.tmp"
	mv "$src_tar.tmp" "$src_tar"
	rm -rf "$cache/src/$ver/deb"
fi

hash=$( (echo "$ver"; cat "$fragment") | sha256sum | cut -c1-16)
tree=$cache/debug-kernel/$hash
if [ ! -f "$tree/.complete" ]; then
	# One debug tree at a time: each is ~2 GB.
	rm -rf "$cache/debug-kernel"
	mkdir -p "$tree"
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
		for opt in KASAN PROVE_LOCKING PROVE_RAW_LOCK_NESTING DEBUG_ATOMIC_SLEEP \
			DEBUG_OBJECTS_TIMERS DEBUG_KMEMLEAK SOFTLOCKUP_DETECTOR HARDLOCKUP_DETECTOR \
			HARDLOCKUP_DETECTOR_BUDDY WQ_WATCHDOG RCU_STALL_COMMON DETECT_HUNG_TASK \
			HOTPLUG_CPU MODULES EVENTFD IO_URING PCI_MSI MULTIUSER; do
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
		make -s "${mkcc[@]}" -j"$(nproc)" bzImage modules
	) >&2 || die "kernel build failed in $tree"
	touch "$tree/.complete"
fi
echo "KREL=$(make -s -C "$tree" kernelrelease)"
echo "VMLINUZ=$tree/arch/x86/boot/bzImage"
echo "KDIR=$tree"
echo "KCONFIG=$tree/.config"
