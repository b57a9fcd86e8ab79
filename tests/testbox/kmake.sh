#!/usr/bin/env bash
# Run kbuild for an out-of-tree module against a test box kernel's headers:
# on the host for 6.1/6.12(-rt) and the 6.12 debug kernel, inside the
# Debian 13 build root (buildroot.sh) for stable/stable-rt and the debug
# kernel of IRQBRIDGE_DEBUG_SOURCE=stable, whose kbuild tools need its C
# library (that debug tree, built in the root on the host's disk, is
# bind-mounted there: BUILDROOT_BIND). The module's objects land in DIR
# either way.
#
#   kmake.sh SERIES DIR [MAKE ARGS...]    make -C <headers> M=DIR ARGS
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
series=${1:?series}
dir=$(cd "${2:?module directory}" && pwd)
shift 2

fetched=$("$here/kernel.sh" fetch "$series") || exit 1
BUILDROOT='' BUILDROOT_BIND='' KMAKE_ARGS=''
eval "$fetched"
if [ -n "$BUILDROOT" ]; then
	# shellcheck disable=SC2086 # one path or nothing; words (CC=gcc-14 ...)
	exec "$here/buildroot.sh" run "$BUILDROOT" "$dir" $BUILDROOT_BIND -- \
		make -C "$KDIR" M="$dir" $KMAKE_ARGS "$@"
fi
# A clean environment for the host's make as for the chroot's: no jobserver
# or flags inherited from a calling make.
exec env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -C "$KDIR" M="$dir" "$@"
