#!/usr/bin/env bash
# A minimal Debian root for kernels whose kbuild tools do not run on this
# host (the stable series: modpost and fixdep need a newer C library than
# Debian 12's, the headers want gcc-14). Created once with debootstrap,
# cached under $IRQBRIDGE_CACHE/buildroot/, never inside the repository.
#
#   buildroot.sh path SUITE            create the root if needed, print it
#   buildroot.sh headers SUITE KREL    install linux-headers-KREL in it
#   buildroot.sh install SUITE PKG...  install more Debian packages in it
#   buildroot.sh run SUITE DIR [DIR...] -- CMD
#                                      run CMD in the root, each DIR (the
#                                      source; a kernel tree built on the
#                                      host's disk) bind-mounted at its own path
#
# The root's apt uses the Debian mirror the host's apt uses, with SUITE and
# SUITE-backports. Mounts live in a private mount namespace (unshare) and
# are undone by a trap as well, so nothing stays mounted on any exit.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${IRQBRIDGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/irqbridge}
# What builds the module (kbuild's needs), checks it (sparse) and drives
# DKMS the way a host would.
packages=gcc-14,make,libelf-dev,bc,bison,flex,libssl-dev,pahole,kmod,xz-utils,sparse,dkms

die() { echo "buildroot: $*" >&2; exit 1; }

# shellcheck source=tests/testbox/mirror.sh
. "$here/mirror.sh"

root_for() {
	local key
	key=$(printf '%s %s %s' "$1" "$packages" "$(debian_mirror)" | sha256sum | cut -c1-12)
	echo "$cache/buildroot/$1-$key"
}

# Create (once) the root for SUITE; prints its path. Serialised by a lock:
# two builds at once wait for one debootstrap.
ensure_root() {
	local suite=$1 root mirror log inc=$packages
	root=$(root_for "$suite")
	if [ ! -f "$root/.complete" ]; then
		[ "$(id -u)" = 0 ] || die "creating the $suite build root needs root (debootstrap, chroot)"
		command -v debootstrap >/dev/null || die "debootstrap missing (make deps)"
		mkdir -p "$cache/buildroot"
		exec 9>"$root.lock"
		flock 9
		if [ ! -f "$root/.complete" ]; then
			mirror=$(debian_mirror) || exit 1
			case "$mirror" in https:*) inc=$inc,ca-certificates ;; esac
			echo "buildroot: creating a minimal Debian $suite root in $root (about a minute)" >&2
			rm -rf "$root"
			log=$cache/buildroot/$suite.log
			if ! unshare -m --propagation private debootstrap --variant=minbase \
				--include="$inc" "$suite" "$root" "$mirror" >"$log" 2>&1; then
				rm -rf "$root"
				die "could not create the Debian $suite build root with debootstrap from $mirror (log: $log)"
			fi
			cat >"$root/etc/apt/sources.list" <<-EOF
				deb $mirror $suite main
				deb $mirror $suite-backports main
			EOF
			in_root "$root" / apt-get update -qq >>"$log" 2>&1 ||
				die "apt-get update failed in the $suite build root (log: $log)"
			touch "$root/.complete"
		fi
		exec 9>&-
	fi
	echo "$root"
}

# in_root ROOT DIRS CMD...: CMD chrooted into ROOT, with /proc and each of
# DIRS (colon-separated, each at its own path; "/" for none) mounted in a
# private mount namespace.
in_root() {
	local root=$1 dirs=$2
	shift 2
	# shellcheck disable=SC2016 # expanded by the inner shell
	unshare -m --propagation private /bin/bash -euc '
		root=$1
		IFS=: read -r -a dirs <<<"$2"
		shift 2
		mounted=() made=()
		cleanup() {
			local i
			for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
				umount "$root${mounted[i]}" 2>/dev/null || true
			done
			umount "$root/proc" 2>/dev/null || true
			for ((i = ${#made[@]} - 1; i >= 0; i--)); do
				rmdir "$root${made[i]}" 2>/dev/null || true
			done
		}
		trap cleanup EXIT
		mount -t proc proc "$root/proc"
		for dir in "${dirs[@]}"; do
			[ "$dir" != / ] || continue
			[ -d "$root$dir" ] || made+=("$dir")
			mkdir -p "$root$dir"
			mount --bind "$dir" "$root$dir"
			mounted+=("$dir")
		done
		chroot "$root" /usr/bin/env -i PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
			${CCACHE_DIR:+CCACHE_DIR=$CCACHE_DIR} "$@"
	' in_root "$root" "$dirs" "$@"
}

# sparse for make C=2. 7.x headers use __typeof_unqual__, which the
# suite's sparse (trixie: 0.6.4) cannot parse, and kbuild then skips sparse
# ("C=2 specified, but sparse is not available or not up to date"). If the
# root's sparse fails that probe, the newest sparse of Debian unstable is
# fetched with a separate apt configuration inside the root and only its
# binary is put in /usr/local/bin (its package would pull unstable's gcc).
sparse_probe='static inline int u(const int *q) { __typeof_unqual__(*q) v = *q; return v; }'
ensure_sparse() {
	local root=$1 log=$2
	[ -x "$root/usr/local/bin/sparse" ] && return 0
	printf '%s\n' "$sparse_probe" >"$root/tmp/sparse-probe.c"
	if in_root "$root" / sparse /tmp/sparse-probe.c 2>&1 | grep -q error; then
		mkdir -p "$root/etc/irqbridge-sparse/lists/partial" "$root/etc/irqbridge-sparse/parts" "$root/tmp/sparse"
		echo "deb $(debian_mirror) unstable main" >"$root/etc/irqbridge-sparse/sources.list"
		local opts="-o Dir::Etc::SourceList=/etc/irqbridge-sparse/sources.list -o Dir::Etc::SourceParts=/etc/irqbridge-sparse/parts -o Dir::State::Lists=/etc/irqbridge-sparse/lists -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache="
		# The host's own freshness rule (a snapshot mirror turns it off).
		local valid=
		eval "$(apt-config shell valid Acquire::Check-Valid-Until)"
		[ -z "$valid" ] || opts="$opts -o Acquire::Check-Valid-Until=$valid"
		# shellcheck disable=SC2086
		in_root "$root" / sh -c "apt-get $opts update -qq && cd /tmp/sparse && apt-get $opts download -q -o APT::Sandbox::User=root sparse && dpkg-deb -x sparse_*.deb x && install -m 0755 x/usr/bin/sparse /usr/local/bin/sparse && rm -rf /tmp/sparse" >>"$log" 2>&1 ||
			die "could not fetch a sparse that parses __typeof_unqual__ from Debian unstable (log: $log)"
	fi
}

# The headers packages leave out scripts/checker-valid.sh, which kbuild runs
# to decide whether sparse works: an equivalent (the same probe) in its place.
checker_valid() {
	local common
	for common in "$1"/usr/src/linux-headers-*-common; do
		if [ ! -d "$common/scripts" ] || [ -e "$common/scripts/checker-valid.sh" ]; then
			continue
		fi
		cat >"$common/scripts/checker-valid.sh" <<-EOF
			#!/bin/sh
			# Added by irqbridge's buildroot.sh: prints 1 if the checker "\$@"
			# parses __typeof_unqual__ without an error.
			command -v "\$1" >/dev/null || { echo 0; exit 0; }
			t=\$(mktemp --suffix=.c)
			echo '$sparse_probe' >"\$t"
			if "\$@" "\$t" 2>&1 | grep -q error; then echo 0; else echo 1; fi
			rm -f "\$t"
		EOF
		chmod 0755 "$common/scripts/checker-valid.sh"
	done
}

install_headers() {
	local suite=$1 krel=$2 root log
	root=$(ensure_root "$suite")
	[ -f "$root/usr/src/linux-headers-$krel/Makefile" ] && [ -x "$root/usr/local/bin/sparse" ] && return 0
	exec 9>"$root.lock"
	flock 9
	log=$cache/buildroot/$suite.log
	if [ ! -f "$root/usr/src/linux-headers-$krel/Makefile" ]; then
		echo "buildroot: installing linux-headers-$krel in the $suite build root" >&2
		if ! { in_root "$root" / apt-get update -qq &&
			in_root "$root" / apt-get install -y -qq --no-install-recommends "linux-headers-$krel"; } >>"$log" 2>&1; then
			die "could not install linux-headers-$krel in the $suite build root (log: $log)"
		fi
	fi
	ensure_sparse "$root" "$log"
	checker_valid "$root"
}

# install_pkgs SUITE PKG...: Debian packages the root's first users did not
# need (the debug kernel's build wants ccache), installed once.
install_pkgs() {
	local suite=$1 root log p missing=()
	shift
	root=$(ensure_root "$suite")
	for p in "$@"; do
		# shellcheck disable=SC2016 # dpkg-query's format, not the shell's
		in_root "$root" / dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -gt 0 ] || return 0
	exec 9>"$root.lock"
	flock 9
	log=$cache/buildroot/$suite.log
	echo "buildroot: installing ${missing[*]} in the $suite build root" >&2
	if ! { in_root "$root" / apt-get update -qq &&
		in_root "$root" / apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >>"$log" 2>&1; then
		die "could not install ${missing[*]} in the $suite build root (log: $log)"
	fi
	exec 9>&-
}

cmd=${1:-}
case "$cmd" in
path) ensure_root "${2:?suite}" ;;
headers) install_headers "${2:?suite}" "${3:?kernel release}" ;;
install)
	suite=${2:?suite}
	shift 2
	install_pkgs "$suite" "$@"
	;;
run)
	suite=${2:?suite}
	shift 2
	dirs=
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		d=$(cd "$1" && pwd) || die "no directory $1"
		case "$d" in *:*) die "a directory with a colon cannot be mounted: $d" ;; esac
		dirs=${dirs:+$dirs:}$d
		shift
	done
	if [ -z "$dirs" ] || [ "${1:-}" != -- ]; then
		die "usage: buildroot.sh run SUITE DIR [DIR...] -- CMD..."
	fi
	shift
	in_root "$(ensure_root "$suite")" "$dirs" "$@"
	;;
*) die "usage: buildroot.sh path|headers|install|run ..." ;;
esac
