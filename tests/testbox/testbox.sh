#!/usr/bin/env bash
# Boot a Debian kernel in QEMU with a busybox initramfs and run a command.
#
#   testbox.sh [options] -- COMMAND...
#
#   --kernel SERIES    6.12 (default, or $KERNEL), 6.12-rt or 6.1
#   --file SRC[:DST]   put SRC into the guest as /testbox/DST (default: its
#                      basename); repeatable; directories are copied whole
#   --out DIR          where the files the command leaves in /out go
#                      (default: ./testbox-out); includes dmesg.txt
#   --log FILE         also write the guest console here
#   --timeout SEC      kill the guest after SEC seconds (default 600)
#   --smp N            guest CPUs (default 2)
#   --mem SIZE         guest memory (default 512M)
#   --device DEV       extra QEMU -device (repeatable)
#   --no-edu           leave out QEMU's edu PCI device (added by default)
#
# COMMAND runs as root in /testbox with PATH=/testbox:/bin. The console is
# streamed to stdout. The exit status is the command's; 124 on timeout;
# 125 if the guest died before reporting one (panic, crash).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
series=${KERNEL:-6.12}
out=./testbox-out
log=
timeout=600
smp=2
mem=512M
files=()
devices=()
edu=(-device edu)

die() { echo "testbox: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) series=$2; shift 2 ;;
	--file) files+=("$2"); shift 2 ;;
	--out) out=$2; shift 2 ;;
	--log) log=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--smp) smp=$2; shift 2 ;;
	--mem) mem=$2; shift 2 ;;
	--device) devices+=(-device "$2"); shift 2 ;;
	--no-edu) edu=(); shift ;;
	--) shift; break ;;
	-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown option '$1' (see --help)" ;;
	esac
done
[ $# -gt 0 ] || die "no command given (testbox.sh [options] -- COMMAND...)"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing (make deps)"
[ -x /bin/busybox ] || die "/bin/busybox missing (apt-get install busybox-static)"

eval "$("$here/kernel.sh" fetch "$series")"

work=$(mktemp -d "${TMPDIR:-/tmp}/testbox.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,out,testbox,usr/bin,usr/sbin}
cp /bin/busybox "$root/bin/busybox"
mkdir -p "$root/etc"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/tmp:/bin/sh\n' > "$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
cp "$here/init" "$root/init"
chmod 755 "$root/init"
for f in "${files[@]}"; do
	src=${f%%:*}
	dst=${f#*:}
	[ "$dst" = "$f" ] && dst=$(basename "$src")
	[ -e "$src" ] || die "--file $src: no such file"
	mkdir -p "$(dirname "$root/testbox/$dst")"
	cp -a "$src" "$root/testbox/$dst"
done
printf '%s\n' "$*" > "$root/testbox/cmd.sh"
(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 > "$work/initrd"

if [ -w /dev/kvm ]; then
	accel=(-accel kvm -cpu host)
else
	accel=(-accel tcg -cpu max)
fi
echo "testbox: booting $KREL (${accel[1]}, $smp CPUs, $mem)"

boot() {
	: > "$work/ttyS1"
	timeout -k 5 "$timeout" qemu-system-x86_64 -machine q35 "${accel[@]}" \
		-smp "$smp" -m "$mem" -nic none -no-reboot \
		-display none -monitor none \
		-serial stdio -serial "file:$work/ttyS1" \
		"${edu[@]}" "${devices[@]}" \
		-kernel "$VMLINUZ" -initrd "$work/initrd" \
		-append "console=ttyS0 panic=-1 oops=panic testbox.accel=${accel[1]}" </dev/null |
		tee "$work/console"
}

# A guest kernel that dies before /init ran never saw the command or the
# module (seen under TCG: an int3 oops while the kernel patches its own
# text at boot). Only such a boot is tried again, at most twice.
for attempt in 1 2 3; do
	status=0
	boot || status=$?
	grep -q '^testbox: kernel ' "$work/console" && break
	[ "$status" = 124 ] && break
	[ "$attempt" = 3 ] && break
	echo "testbox: the guest kernel died while booting, before the command ran (attempt $attempt); booting again" >&2
	cp "$work/console" "$work/console.boot-failure.$attempt"
done
if [ -n "$log" ]; then
	: > "$log"
	for f in "$work"/console.boot-failure.* "$work/console"; do
		if [ -f "$f" ]; then cat "$f" >> "$log"; fi
	done
fi

mkdir -p "$out"
if [ -s "$work/ttyS1" ]; then
	tr -d '\r' < "$work/ttyS1" | base64 -d | tar -xzf - -C "$out" ||
		echo "testbox: could not unpack the guest's /out" >&2
fi

if [ "$status" = 124 ]; then
	echo "testbox: guest killed after ${timeout}s" >&2
	exit 124
fi
rc=$(tr -d '\r' < "$work/console" | sed -n 's/^TESTBOX-RC=\([0-9]*\)$/\1/p' | tail -n 1)
if [ -z "$rc" ]; then
	echo "testbox: the guest ended without reporting a status (panic?)" >&2
	exit 125
fi
exit "$rc"
