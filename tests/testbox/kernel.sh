#!/usr/bin/env bash
# Resolve, download and cache a Debian kernel for the test box.
#
#   kernel.sh fetch [6.12|6.12-rt|6.1|debug]  prints KREL=, VMLINUZ=, KDIR= lines
#   kernel.sh resolve [6.12|6.12-rt|6.1]      prints the newest image package name
#
# "debug" is a 6.12 built here with KASAN, lockdep and friends
# (debug-kernel.sh, cached by content hash).
#
# The newest version of each series is resolved with apt every time (never
# hard-coded). The unsigned image and the matching headers/kbuild packages
# are unpacked with dpkg-deb under $IRQBRIDGE_CACHE/kernels/<release>/, so
# nothing is installed on the host and several kernels can coexist.
set -euo pipefail

cache=${IRQBRIDGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/irqbridge}

die() { echo "kernel.sh: $*" >&2; exit 1; }

# The meta package that always depends on the newest image of a series.
meta_for() {
	case "$1" in
	6.12) echo linux-image-6.12-amd64 ;;
	6.12-rt) echo linux-image-6.12-rt-amd64 ;;
	6.1) echo linux-image-amd64 ;;
	*) die "unknown kernel '$1' (want 6.12, 6.12-rt or 6.1)" ;;
	esac
}

apt_ready() {
	# An empty package list (fresh machine, never updated) resolves nothing.
	if ! apt-cache show linux-image-amd64 >/dev/null 2>&1; then
		apt-get update -qq >&2 || die "apt-get update failed"
	fi
}

resolve() {
	local meta pkg
	meta=$(meta_for "$1")
	apt_ready
	pkg=$(apt-cache depends "$meta" 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n 1)
	[ -n "$pkg" ] || die "apt knows no image behind $meta (apt-get update?)"
	echo "$pkg"
}

# Packages whose unpacked trees make a usable headers directory.
header_pkgs() {
	local hdr=$1
	echo "$hdr"
	apt-cache depends "$hdr" |
		sed -n 's/^ *Depends: \(linux-\(headers\|kbuild\)-[^ ]*\)$/\1/p'
}

fetch() {
	local series=$1 img krel dir tmp hdr p
	img=$(resolve "$series")
	krel=${img#linux-image-}
	dir=$cache/kernels/$krel
	if [ ! -f "$dir/.complete" ]; then
		echo "kernel.sh: fetching $krel into $dir" >&2
		rm -rf "$dir"
		mkdir -p "$dir/debs" "$dir/root"
		hdr=linux-headers-$krel
		(
			cd "$dir/debs"
			# shellcheck disable=SC2046
			apt-get download -q -o APT::Sandbox::User=root "$img-unsigned" $(header_pkgs "$hdr") >&2
		) || die "apt-get download failed for $krel"
		for p in "$dir"/debs/*.deb; do
			dpkg-deb -x "$p" "$dir/root"
		done
		# The flavour's Makefile includes the common tree by absolute path.
		sed -i "s|^include /usr/src/|include $dir/root/usr/src/|" \
			"$dir/root/usr/src/linux-headers-$krel/Makefile"
		tmp=$(find "$dir/root/boot" -name "vmlinuz-*" 2>/dev/null | head -n 1)
		[ -n "$tmp" ] || die "no vmlinuz in the $img-unsigned package"
		ln -sf "$tmp" "$dir/vmlinuz"
		ln -sfn "$dir/root/usr/src/linux-headers-$krel" "$dir/headers"
		rm -rf "$dir/debs"
		touch "$dir/.complete"
	fi
	echo "KREL=$krel"
	echo "VMLINUZ=$dir/vmlinuz"
	echo "KDIR=$dir/headers"
}

cmd=${1:-fetch}
series=${2:-${KERNEL:-6.12}}
if [ "$cmd" = fetch ] && [ "$series" = debug ]; then
	exec "$(dirname "$0")/debug-kernel.sh"
fi
case "$cmd" in
fetch) fetch "$series" ;;
resolve) resolve "$series" ;;
*) die "usage: kernel.sh fetch|resolve [6.12|6.12-rt|6.1]" ;;
esac
