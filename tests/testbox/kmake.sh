#!/usr/bin/env bash
# Run kbuild for an out-of-tree module against a test box kernel's headers:
# on the host for 6.1/6.12(-rt)/debug, inside the Debian 13 build root
# (buildroot.sh) for stable/stable-rt, whose kbuild tools need its C
# library. The module's objects land in DIR either way.
#
#   kmake.sh SERIES DIR [MAKE ARGS...]    make -C <headers> M=DIR ARGS
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
series=${1:?series}
dir=$(cd "${2:?module directory}" && pwd)
shift 2

fetched=$("$here/kernel.sh" fetch "$series") || exit 1
eval "$fetched"
if [ -n "${BUILDROOT:-}" ]; then
	exec "$here/buildroot.sh" run "$BUILDROOT" "$dir" -- \
		make -C "$KDIR" M="$dir" "$@"
fi
# A clean environment for the host's make as for the chroot's: no jobserver
# or flags inherited from a calling make.
exec env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -C "$KDIR" M="$dir" "$@"
