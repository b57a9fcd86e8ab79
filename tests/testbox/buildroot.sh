#!/usr/bin/env bash
# A minimal Debian root for kernels whose kbuild tools do not run on this
# host (the stable series: modpost and fixdep need a newer C library than
# Debian 12's, the headers want gcc-14). Created once with debootstrap,
# cached under $IRQBRIDGE_CACHE/buildroot/, never inside the repository.
#
#   buildroot.sh path SUITE            create the root if needed, print it
#   buildroot.sh headers SUITE KREL    install linux-headers-KREL in it
#   buildroot.sh run SUITE DIR -- CMD  run CMD in the root, DIR (the source)
#                                      bind-mounted at the same path
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

# in_root ROOT DIR CMD...: CMD chrooted into ROOT, with /proc and DIR (at
# its own path) mounted in a private mount namespace.
in_root() {
	local root=$1 dir=$2
	shift 2
	# shellcheck disable=SC2016 # expanded by the inner shell
	unshare -m --propagation private /bin/bash -euc '
		root=$1 dir=$2
		shift 2
		cleanup() {
			[ "$dir" = / ] || umount "$root$dir" 2>/dev/null || true
			umount "$root/proc" 2>/dev/null || true
		}
		trap cleanup EXIT
		mount -t proc proc "$root/proc"
		if [ "$dir" != / ]; then
			mkdir -p "$root$dir"
			mount --bind "$dir" "$root$dir"
		fi
		chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
	' in_root "$root" "$dir" "$@"
}

install_headers() {
	local suite=$1 krel=$2 root log
	root=$(ensure_root "$suite")
	[ -f "$root/usr/src/linux-headers-$krel/Makefile" ] && return 0
	exec 9>"$root.lock"
	flock 9
	[ -f "$root/usr/src/linux-headers-$krel/Makefile" ] && return 0
	echo "buildroot: installing linux-headers-$krel in the $suite build root" >&2
	log=$cache/buildroot/$suite.log
	if ! { in_root "$root" / apt-get update -qq &&
		in_root "$root" / apt-get install -y -qq --no-install-recommends "linux-headers-$krel"; } >>"$log" 2>&1; then
		die "could not install linux-headers-$krel in the $suite build root (log: $log)"
	fi
}

cmd=${1:-}
case "$cmd" in
path) ensure_root "${2:?suite}" ;;
headers) install_headers "${2:?suite}" "${3:?kernel release}" ;;
run)
	suite=${2:?suite}
	dir=$(cd "${3:?source directory}" && pwd)
	[ "${4:-}" = -- ] || die "usage: buildroot.sh run SUITE DIR -- CMD..."
	shift 4
	in_root "$(ensure_root "$suite")" "$dir" "$@"
	;;
*) die "usage: buildroot.sh path|headers|run ..." ;;
esac
