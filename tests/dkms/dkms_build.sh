#!/usr/bin/env bash
# Build the module through DKMS, as `make dkms-install` would on a host,
# against the cached headers of a test box kernel: dkms add + dkms build in a
# private DKMS tree (nothing is installed on this machine).
#
#   dkms_build.sh [6.12|6.12-rt|6.1|stable|stable-rt] [irqbridge|edu_timer]
#
# edu_timer is the worked port of docs/porting.md (examples/edu-timer),
# with its own dkms.conf.
#
# stable/stable-rt: their kbuild tools (fixdep, modpost) need Debian 13's C
# library, so the host's DKMS cannot build for them. There the same dkms
# add + dkms build runs with Debian 13's own dkms inside the build root
# (tests/testbox/buildroot.sh), as on a Debian 13 host with that kernel.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
series=${1:-6.12}
module=${2:-irqbridge}
fetched=$("$top/tests/testbox/kernel.sh" fetch "$series") || exit 1
BUILDROOT='' BUILDROOT_BIND=''
eval "$fetched"
run=()
where="this host's DKMS"
if [ -n "${BUILDROOT:-}" ]; then
	where="DKMS in the Debian $BUILDROOT build root"
else
	command -v dkms >/dev/null || { echo "dkms_build: dkms missing (make deps)"; exit 1; }
fi

version=$(git -C "$top" describe --always --tags 2>/dev/null | tr -c 'A-Za-z0-9.+~\n' '.' || echo 0.0.0)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
src=$tmp/src/$module-$version
mkdir -p "$src" "$tmp/tree"
case "$module" in
irqbridge)
	cp -a "$top/Kbuild" "$top/kmod" "$src/"
	conf=$top/dkms.conf
	;;
edu_timer)
	ex=$top/examples/edu-timer
	cp -a "$ex/Kbuild" "$ex/edu_timer.c" "$ex/compat.h" "$ex/uapi" "$src/"
	conf=$ex/dkms.conf
	;;
*) echo "dkms_build: no module '$module'"; exit 1 ;;
esac
sed "s/@VERSION@/$version/" "$conf" > "$src/dkms.conf"

# shellcheck disable=SC2206 # BUILDROOT_BIND: one path (the debug tree) or nothing
[ -z "${BUILDROOT:-}" ] || run=("$top/tests/testbox/buildroot.sh" run "$BUILDROOT" "$tmp" $BUILDROOT_BIND --)
"${run[@]}" dkms add --dkmstree "$tmp/tree" --sourcetree "$tmp/src" -m "$module" -v "$version" >/dev/null
if ! "${run[@]}" dkms build --dkmstree "$tmp/tree" --sourcetree "$tmp/src" -m "$module" -v "$version" \
	-k "$KREL" --kernelsourcedir "$KDIR" > "$tmp/build.out" 2>&1; then
	cat "$tmp/build.out"
	cat "$tmp"/tree/"$module"/"$version"/build/make.log 2>/dev/null || true
	echo "dkms_build: FAILED for $KREL"
	exit 1
fi
ko=$(find "$tmp/tree/$module/$version/$KREL" -name "$module.ko*" | head -n 1)
[ -n "$ko" ] || { echo "dkms_build: no $module.ko in the DKMS tree"; exit 1; }
echo "dkms_build: built $(basename "$ko") for $KREL through $where ($version)"
