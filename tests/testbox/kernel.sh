#!/usr/bin/env bash
# Resolve, download and cache a Debian kernel for the test box.
#
#   kernel.sh fetch [SERIES]     prints KREL=, VMLINUZ=, KDIR=, KCONFIG=
#                                (the kernel's .config, a host path) and,
#                                for a kernel built in a build root,
#                                BUILDROOT= (KDIR is a path inside it)
#   kernel.sh resolve [SERIES]   prints the newest image package name
#   kernel.sh memo [SERIES]      prints SERIES= and fetch's lines: export
#                                them as IRQBRIDGE_KERNEL_FETCHED and every
#                                fetch of that series below prints them
#                                again without asking apt (see memo below)
#   kernel.sh source [stable|6.12]
#                                fetches (once, cached by version) a debug
#                                kernel's source: the newest
#                                linux-source-X.Y of the stable suite
#                                (default), or the host's linux-source-6.12;
#                                prints SRCPKG=, SRCVER=, SRCTAR= (a host
#                                path)
#
# SERIES: 6.12 (default), 6.12-rt, 6.1, stable, stable-rt, debug.
#
# 6.1 and 6.12(-rt) come from the host's own Debian 12 apt sources.
# stable and stable-rt are the newest kernels Debian packages: the
# linux-image-amd64 / linux-image-rt-amd64 of Debian 13's backports
# ($IRQBRIDGE_STABLE_SUITE-backports, default trixie-backports), read
# through a separate apt configuration under $IRQBRIDGE_CACHE/apt/ (the
# host's sources are never touched), from the mirror the host's apt uses.
# Their kbuild tools need Debian 13's C library: the headers are installed
# in a Debian 13 build root (buildroot.sh) and the module is built there
# (kmake.sh).
#
# "debug" is built here with KASAN, lockdep and friends (debug-kernel.sh,
# cached by content hash): from the host's linux-source-6.12 on the host by
# default, or, with IRQBRIDGE_DEBUG_SOURCE=stable, from the newest kernel
# source Debian packages (the linux-source-X.Y behind the stable suite's
# linux-source meta package) inside the same Debian 13 build root.
#
# The newest version of each series is resolved with apt every time (never
# hard-coded). The image (and, for host-built series, the matching
# headers/kbuild packages) are unpacked with dpkg-deb under
# $IRQBRIDGE_CACHE/kernels/<release>/, so nothing is installed on the host
# and several kernels can coexist.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${IRQBRIDGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/irqbridge}
stable_suite=${IRQBRIDGE_STABLE_SUITE:-trixie}
# The backports lists are refreshed when older than this (seconds).
stable_max_age=${IRQBRIDGE_APT_MAX_AGE:-3600}

die() { echo "kernel.sh: $*" >&2; exit 1; }

# shellcheck source=tests/testbox/mirror.sh
. "$here/mirror.sh"

# The meta package that always depends on the newest image of a series.
meta_for() {
	case "$1" in
	6.12) echo linux-image-6.12-amd64 ;;
	6.12-rt) echo linux-image-6.12-rt-amd64 ;;
	6.1) echo linux-image-amd64 ;;
	stable) echo linux-image-amd64 ;;
	stable-rt) echo linux-image-rt-amd64 ;;
	*) die "unknown kernel '$1' (want 6.12, 6.12-rt, 6.1, stable, stable-rt or debug)" ;;
	esac
}

is_stable() { case "$1" in stable | stable-rt) return 0 ;; esac; return 1; }

# apt options for the series: nothing for the host's own, a private
# configuration (sources, lists, no package cache files) for stable.
apt_opts=()
apt_conf() {
	local dir
	apt_opts=()
	is_stable "$1" || return 0
	dir=$cache/apt/$stable_suite-backports
	apt_opts=(-o "Dir::Etc::SourceList=$dir/sources.list"
		-o "Dir::Etc::SourceParts=$dir/sources.list.d"
		-o "Dir::State::Lists=$dir/lists"
		-o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache=")
}

apt_ready() {
	local dir mirror age
	if ! is_stable "$1"; then
		# An empty package list (fresh machine, never updated) resolves nothing.
		if ! apt-cache show linux-image-amd64 >/dev/null 2>&1; then
			apt-get update -qq >&2 || die "apt-get update failed"
		fi
		return 0
	fi
	dir=$cache/apt/$stable_suite-backports
	mkdir -p "$dir/lists/partial" "$dir/sources.list.d"
	exec 8>"$dir/lock"
	flock 8
	age=$stable_max_age
	[ -f "$dir/updated" ] && age=$(($(date +%s) - $(stat -c %Y "$dir/updated")))
	if [ "$age" -ge "$stable_max_age" ]; then
		mirror=$(debian_mirror) || exit 1
		echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $stable_suite-backports main" \
			>"$dir/sources.list"
		apt-get "${apt_opts[@]}" update -qq >"$dir/update.log" 2>&1 ||
			die "apt-get update of $stable_suite-backports from $mirror failed (log: $dir/update.log)"
		touch "$dir/updated"
	fi
	exec 8>&-
}

# The newest version apt offers of a package (all suites of the config).
newest_version() {
	local v best=
	for v in $(apt-cache "${apt_opts[@]}" madison "$1" 2>/dev/null | awk -F' [|] ' '{print $2}'); do
		if [ -z "$best" ] || dpkg --compare-versions "$v" gt "$best"; then best=$v; fi
	done
	echo "$best"
}

# The first package of META=VERSION's first Depends: line whose name is
# PREFIX then a digit (linux-image-6.12..., linux-source-7.3).
first_depend() {
	apt-cache "${apt_opts[@]}" show "$1=$2" 2>/dev/null |
		sed -n 's/^Depends: //p' | head -n 1 | tr ',' '\n' |
		sed -n "s/^ *\($3[0-9][^ ]*\).*/\1/p" | head -n 1
}

resolve() {
	local meta pkg ver where=
	meta=$(meta_for "$1")
	apt_conf "$1"
	apt_ready "$1"
	is_stable "$1" && where=" in $stable_suite-backports"
	ver=$(newest_version "$meta")
	[ -n "$ver" ] || die "apt offers no $meta$where: no '$1' kernel (apt-get update?)"
	pkg=$(first_depend "$meta" "$ver" linux-image-)
	[ -n "$pkg" ] || die "apt knows no image behind $meta $ver$where"
	echo "$pkg"
}

# The packages that hold the image's vmlinuz (and its config): the unsigned
# image where Debian builds one, else the split linux-binary/linux-base
# packages the image depends on (Debian's 7.x packaging).
image_pkgs() {
	local img=$1
	if apt-cache "${apt_opts[@]}" show "$img-unsigned" >/dev/null 2>&1; then
		echo "$img-unsigned"
		return 0
	fi
	apt-cache "${apt_opts[@]}" depends "$img" 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-\(binary\|base\)-[0-9][^ ]*\)$/\1/p'
}

# Packages whose unpacked trees make a usable headers directory.
header_pkgs() {
	local hdr=$1
	echo "$hdr"
	apt-cache "${apt_opts[@]}" depends "$hdr" |
		sed -n 's/^ *Depends: \(linux-\(headers\|kbuild\)-[^ ]*\)$/\1/p'
}

fetch() {
	local series=$1 img krel dir tmp hdr p pkgs
	img=$(resolve "$series")
	apt_conf "$series"
	krel=${img#linux-image-}
	dir=$cache/kernels/$krel
	if [ ! -f "$dir/.complete" ]; then
		echo "kernel.sh: fetching $krel into $dir" >&2
		rm -rf "$dir"
		mkdir -p "$dir/debs" "$dir/root"
		hdr=linux-headers-$krel
		pkgs=$(image_pkgs "$img")
		[ -n "$pkgs" ] || die "apt offers no package with the vmlinuz of $img"
		# The build root installs the headers of a stable kernel itself.
		is_stable "$series" || pkgs="$pkgs $(header_pkgs "$hdr")"
		(
			cd "$dir/debs"
			# shellcheck disable=SC2086
			apt-get "${apt_opts[@]}" download -q -o APT::Sandbox::User=root $pkgs >&2
		) || die "apt-get download failed for $krel"
		for p in "$dir"/debs/*.deb; do
			dpkg-deb -x "$p" "$dir/root"
		done
		if ! is_stable "$series"; then
			# The flavour's Makefile includes the common tree by absolute path.
			sed -i "s|^include /usr/src/|include $dir/root/usr/src/|" \
				"$dir/root/usr/src/linux-headers-$krel/Makefile"
			ln -sfn "$dir/root/usr/src/linux-headers-$krel" "$dir/headers"
		fi
		tmp=$(find "$dir/root/boot" "$dir/root/usr/lib/modules" -name "vmlinuz*" 2>/dev/null | head -n 1 || true)
		[ -n "$tmp" ] || die "no vmlinuz in $pkgs"
		ln -sf "$tmp" "$dir/vmlinuz"
		rm -rf "$dir/debs"
		touch "$dir/.complete"
	fi
	echo "KREL=$krel"
	echo "VMLINUZ=$dir/vmlinuz"
	if is_stable "$series"; then
		"$here/buildroot.sh" headers "$stable_suite" "$krel" || exit 1
		echo "KDIR=/usr/src/linux-headers-$krel"
		echo "KCONFIG=$("$here/buildroot.sh" path "$stable_suite")/usr/src/linux-headers-$krel/.config"
		echo "BUILDROOT=$stable_suite"
	else
		echo "KDIR=$dir/headers"
		echo "KCONFIG=$dir/headers/.config"
	fi
}

# A debug kernel's source: for stable the newest linux-source-X.Y of the
# stable suite (behind its linux-source meta package), for 6.12 the host's
# newest linux-source-6.12. Its tarball is unpacked from the .deb under
# $IRQBRIDGE_CACHE/src/<version>/.
source_tar() {
	local meta=linux-source ver pkg dir tar deb
	apt_conf "$1"
	apt_ready "$1"
	case "$1" in
	stable)
		ver=$(newest_version "$meta")
		[ -n "$ver" ] || die "apt offers no $meta in $stable_suite-backports"
		pkg=$(first_depend "$meta" "$ver" linux-source-)
		[ -n "$pkg" ] || die "apt knows no linux-source-X.Y behind $meta $ver in $stable_suite-backports"
		;;
	6.12)
		pkg=linux-source-6.12
		ver=$(newest_version "$pkg")
		[ -n "$ver" ] || die "apt offers no $pkg"
		;;
	*) die "source: 6.12 or stable, not '$1'" ;;
	esac
	dir=$cache/src/$ver
	tar=$dir/$pkg.tar.xz
	if [ ! -f "$tar" ]; then
		echo "kernel.sh: fetching $pkg $ver" >&2
		rm -rf "$dir/deb"
		mkdir -p "$dir/deb"
		(cd "$dir/deb" && apt-get "${apt_opts[@]}" download -q -o APT::Sandbox::User=root "$pkg=$ver" >&2) ||
			die "apt-get download failed for $pkg $ver"
		deb=$(find "$dir/deb" -name '*.deb' | head -n 1)
		dpkg-deb --fsys-tarfile "$deb" | tar -xO "./usr/src/$pkg.tar.xz" >"$tar.tmp" ||
			die "no usr/src/$pkg.tar.xz in $deb"
		mv "$tar.tmp" "$tar"
		rm -rf "$dir/deb"
	fi
	echo "SRCPKG=$pkg"
	echo "SRCVER=$ver"
	echo "SRCTAR=$tar"
}

cmd=${1:-fetch}
series=${2:-${KERNEL:-6.12}}

# One resolution per run. Each apt-cache call above parses every package
# list when apt keeps no binary cache (Debian's container images set
# Dir::Cache::pkgcache ""): 1.5-7 s a call on a 2-CPU host, four calls a
# fetch, and a make check fetched 31 times (the Makefile, each kmake.sh,
# each scenario's run_e2e.sh and testbox.sh). The Makefile resolves once
# (kernel.sh memo) and exports the answer as IRQBRIDGE_KERNEL_FETCHED; a
# fetch of the same series then prints it again, as long as its image is
# still in the cache. That also pins the run to one kernel: an upload
# between the module's build and a later scenario cannot make the box boot
# a kernel the module was not built for.
memo_line() { printf '%s\n' "${IRQBRIDGE_KERNEL_FETCHED:-}" | sed -n "s/^$1=//p" | head -n 1; }
if [ "$cmd" = fetch ] && [ -n "${IRQBRIDGE_KERNEL_FETCHED:-}" ] && [ "$(memo_line SERIES)" = "$series" ] &&
	[ -e "$(memo_line VMLINUZ)" ]; then
	printf '%s\n' "$IRQBRIDGE_KERNEL_FETCHED" | grep -v '^SERIES='
	exit 0
fi
if [ "$cmd" = memo ]; then
	fetched=$(IRQBRIDGE_KERNEL_FETCHED='' "$here/kernel.sh" fetch "$series") || exit 1
	printf 'SERIES=%s\n%s\n' "$series" "$fetched"
	exit 0
fi
if [ "$cmd" = fetch ] && [ "$series" = debug ]; then
	exec "$(dirname "$0")/debug-kernel.sh"
fi
case "$cmd" in
fetch) fetch "$series" ;;
resolve) resolve "$series" ;;
source) source_tar "${2:-stable}" ;;
*) die "usage: kernel.sh fetch|resolve|memo [6.12|6.12-rt|6.1|stable|stable-rt] | kernel.sh source [stable|6.12]" ;;
esac
