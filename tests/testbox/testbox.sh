#!/usr/bin/env bash
# Boot a Debian kernel in QEMU with a busybox initramfs and run a command.
#
#   testbox.sh [options] -- COMMAND...
#
#   --kernel SERIES    6.12 (default, or $KERNEL), 6.12-rt, 6.1, stable,
#                      stable-rt (the newest Debian kernels) or debug
#   --file SRC[:DST]   put SRC into the guest as /testbox/DST (default: its
#                      basename); repeatable; directories are copied whole
#   --out DIR          where the files the command leaves in /out go
#                      (default: ./testbox-out); includes dmesg.txt
#   --log FILE         also write the guest console here (the boot that ran
#                      COMMAND; a boot that died before COMMAND started,
#                      retried, is kept as FILE.boot-failure.N)
#   --timeout SEC      kill the guest after SEC seconds (default 600)
#   --smp N            guest CPUs (default 2)
#   --mem SIZE         guest memory (default 512M)
#   --bin PROGRAM      put a host program (a name in PATH or a path) into the
#                      guest's /usr/bin with the shared libraries it needs;
#                      repeatable. cyclictest (rt-tests) goes in by default
#                      when the host has it: the floor of irqbridge compare;
#                      so does rtla (with libtracefs, libtraceevent): its
#                      timerlat, the second floor, where the kernel has the
#                      timerlat tracer (/init mounts tracefs)
#   --no-cyclictest    leave cyclictest out
#   --no-rtla          leave rtla out
#   --device DEV       extra QEMU -device (repeatable)
#   --no-edu           leave out QEMU's edu PCI device (added by default)
#
# TESTBOX_ACCEL=tcg|kvm forces the accelerator (default: KVM if a probe boot
# works, else TCG).
# TESTBOX_TCG_THREADS=single|multi forces how TCG runs the guest's CPUs
# (default: one host thread per CPU, except on a kernel that patches its own
# text while the command runs, see tcg_threads below).
# TESTBOX_ICOUNT=SHIFT runs TCG with -icount shift=SHIFT,sleep=off (and one
# host thread): the guest's clock then advances 2^SHIFT ns per instruction
# executed and jumps over idle time, so a latency measured in the guest is
# a count of instructions (docs/measurements.md, the real-hardware angle).
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
bins=(cyclictest rtla)
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
	--bin) bins+=("$2"); shift 2 ;;
	--no-cyclictest) bins=("${bins[@]/cyclictest}"); shift ;;
	--no-rtla) bins=("${bins[@]/rtla}"); shift ;;
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

# kernel.sh says why on one line if it fails (an eval of nothing would not).
fetched=$("$here/kernel.sh" fetch "$series") || exit 2
eval "$fetched"

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
	# Without its DWARF: the guest has no debugger, a kernel trace names
	# the module's functions from the symbol table (kept), and the host
	# keeps the full file. The CLI and device_test are static and built
	# RelWithDebInfo: 67 MB of a make check box's 70, packed (cpio, gzip)
	# on the host and unpacked by the guest under TCG at every boot;
	# without debug info the initrd is 6 MB instead of 27. A file strip
	# does not take (a script, a directory) goes in as it is.
	if [ -f "$root/testbox/$dst" ] && [ "$(head -c 4 "$root/testbox/$dst" | od -An -c | tr -d ' ')" = '177ELF' ]; then
		strip --strip-debug "$root/testbox/$dst" 2>/dev/null || cp -a "$src" "$root/testbox/$dst"
	fi
done
# A dynamically linked host program and what ldd says it loads, at the
# same paths (the guest has no libraries of its own).
add_program() {
	local prog=$1 path lib
	path=$(command -v "$prog" 2>/dev/null) || return 1
	cp -L "$path" "$root/usr/bin/$(basename "$path")"
	for lib in $(ldd "$path" 2>/dev/null | grep -o '/[^ ]*'); do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}
for b in "${bins[@]}"; do
	[ -n "$b" ] || continue
	if ! add_program "$b"; then
		if [ "$b" = cyclictest ]; then
			echo "testbox: cyclictest not on the host (apt-get install rt-tests): no floor in the guest" >&2
		elif [ "$b" = rtla ]; then
			echo "testbox: rtla not on the host (apt-get install rtla): no timerlat in the guest" >&2
		else
			die "--bin $b: not found"
		fi
	fi
done
printf '%s\n' "$*" > "$root/testbox/cmd.sh"
(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 > "$work/initrd"

# KVM when /dev/kvm works, TCG otherwise. A /dev/kvm that exists is not
# enough: nested setups fail on MSRs or stop with "KVM internal error". A
# probe boot (the guest powers off after its banner) decides, once per QEMU
# and kernel; TESTBOX_ACCEL=tcg|kvm skips it.
cache=${IRQBRIDGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/irqbridge}
kvm_probe() {
	local key file pid
	key=$(printf '%s %s' "$(qemu-system-x86_64 --version | head -n 1)" "$KREL" | sha256sum | cut -c1-16)
	file=$cache/kvm-probe/$key
	if [ ! -f "$file" ]; then
		mkdir -p "$cache/kvm-probe"
		qemu-system-x86_64 -machine q35 -accel kvm -cpu host -smp 1 -m 256M -nic none \
			-no-reboot -display none -monitor none -serial "file:$work/probe" \
			-kernel "$VMLINUZ" -initrd "$work/initrd" \
			-append "console=ttyS0 panic=-1 testbox.probe=1" </dev/null >/dev/null 2>&1 &
		pid=$!
		echo no > "$file"
		for _ in $(seq 1 60); do
			if grep -q '^testbox: kernel ' "$work/probe" 2>/dev/null; then
				echo yes > "$file"
				break
			fi
			kill -0 "$pid" 2>/dev/null || break
			grep -q 'KVM internal error' "$work/probe" 2>/dev/null && break
			sleep 0.5
		done
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		[ "$(cat "$file")" = yes ] || echo "testbox: /dev/kvm is there but KVM does not boot the guest: TCG" >&2
	fi
	[ "$(cat "$file")" = yes ]
}
# How TCG runs the guest's CPUs. QEMU 7.2 (Debian 12) with one host thread
# per guest CPU (MTTCG) can run a stale translation of kernel text the guest
# has just patched: after a text_poke batch has put back the final bytes, a
# CPU still executes the int3 of the batch and the guest dies with "Oops:
# int3" in code that no longer holds one (measured on 6.1, 6.12, 7.3 and
# both -rt kernels by toggling tracepoints 300 times: every MTTCG boot died
# within seconds, no single-threaded boot did). The guest patches its text
# when a tracer or tracepoint is switched on or off: rtla timerlat does that
# at its start and end, and runs where the kernel has the timerlat tracer,
# Debian's -rt kernels (CONFIG_TIMERLAT_TRACER=y). With rtla in the guest
# there, the CPUs share one host thread (round robin): they still interleave
# and race, but no CPU runs code translated before another CPU's write.
# Elsewhere nothing patches kernel text while the command runs, and each CPU
# keeps its own host thread.
kernel_has_timerlat() {
	[ -f "${KCONFIG:-}" ] && grep -qx 'CONFIG_TIMERLAT_TRACER=y' "$KCONFIG"
}
tcg_threads=${TESTBOX_TCG_THREADS:-}
if [ -z "$tcg_threads" ]; then
	tcg_threads=multi
	if [[ " ${bins[*]} " == *" rtla "* ]] && kernel_has_timerlat; then
		tcg_threads=single
	fi
fi
case "$tcg_threads" in
single | multi) ;;
*) die "TESTBOX_TCG_THREADS=$tcg_threads: want single or multi" ;;
esac
if [ -n "${TESTBOX_ICOUNT:-}" ]; then
	[[ $TESTBOX_ICOUNT =~ ^[0-9]+$ ]] || die "TESTBOX_ICOUNT=$TESTBOX_ICOUNT: want a shift (0-10)"
	tcg_threads=single # -icount needs it
fi
tcg=(-accel "tcg,thread=$tcg_threads" -cpu max)
[ -n "${TESTBOX_ICOUNT:-}" ] && tcg+=(-icount "shift=$TESTBOX_ICOUNT,sleep=off")
case "${TESTBOX_ACCEL:-auto}" in
kvm) accel=(-accel kvm -cpu host) ;;
tcg) accel=("${tcg[@]}") ;;
*)
	if [ -w /dev/kvm ] && kvm_probe; then
		accel=(-accel kvm -cpu host)
	else
		accel=("${tcg[@]}")
	fi
	;;
esac
accel_name=${accel[1]%%,*}
how=$accel_name
cmdline="testbox.accel=$accel_name"
if [ "$accel_name" = tcg ]; then
	how="tcg, $tcg_threads-threaded${TESTBOX_ICOUNT:+, icount shift=$TESTBOX_ICOUNT}"
	cmdline+=" testbox.tcg_threads=$tcg_threads"
fi
echo "testbox: booting $KREL ($how, $smp CPUs, $mem)"

# The spurious-IRQ detector ("irq N: nobody cared", the line disabled)
# watches every line, the module's irqchip and edu interrupts included, and
# the kernel-log judge fails on its report. Only PREEMPT_RT boots with
# noirqdebug: there every handler is forced into a thread, and under TCG the
# serial line that carries /out back after the test (ttyS1, IRQ 3) takes
# edges its thread already drained, so the detector trips on the 8250 at the
# end of the transfer. The module's lines keep their own threads there
# (IRQF_ONESHOT, not forced), but the switch is global: RT runs without the
# detector, the other kernels (6.12, 6.1, debug) with it.
irqdebug=
case "$KREL" in
*-rt*) irqdebug=noirqdebug ;;
esac
# A lockup report names one CPU; what the others were doing is the cause as
# often (stop_machine() spinning on one CPU while the other cannot reach its
# stopper): every CPU's backtrace goes with it.
lockup_dump="hardlockup_all_cpu_backtrace=1 softlockup_all_cpu_backtrace=1"
# The debug kernel runs KASAN with 4-level paging: on 5-level paging (-cpu
# max has LA57) KASAN can report a false wild-memory-access at boot, while
# identify_cpu() has the capability words cleared and pgtable_l5_enabled()
# reads false for a moment (seen in CI under cpu_detect). Sources before
# 6.16 configure it out (debug-kernel.config, IRQBRIDGE_DEBUG_SOURCE=6.12);
# from 6.16 on only no5lvl can (IRQBRIDGE_DEBUG_SOURCE=stable).
[ "$series" != debug ] || [ "${IRQBRIDGE_DEBUG_SOURCE:-6.12}" = 6.12 ] || cmdline+=" no5lvl"
boot() {
	: > "$work/ttyS1"
	timeout -k 5 "$timeout" qemu-system-x86_64 -machine q35 "${accel[@]}" \
		-smp "$smp" -m "$mem" -nic none -no-reboot \
		-display none -monitor none \
		-serial stdio -serial "file:$work/ttyS1" \
		"${edu[@]}" "${devices[@]}" \
		-kernel "$VMLINUZ" -initrd "$work/initrd" \
		-append "console=ttyS0 panic=-1 oops=panic $irqdebug $lockup_dump $cmdline" </dev/null |
		tee "$work/console"
}

# Whether the command started in the last boot: /init writes a marker to
# ttyS1 just before it (the console's lines can be interleaved with kernel
# messages; ttyS1 carries only what /init writes). grep -c reads it all:
# with -q, tr could die of SIGPIPE on a large /out and pipefail say "no".
command_started() { [ "$(tr -d '\r' < "$work/ttyS1" | grep -cx 'TESTBOX-CMD-START')" -gt 0 ]; }

# A guest kernel that dies before the command started never saw the module
# (seen under TCG: an int3 oops while the kernel patches its own text at
# boot). Only such a boot is tried again, at most twice; a boot in which the
# command started is never retried, whatever happened to it.
for attempt in 1 2 3; do
	status=0
	boot || status=$?
	command_started && break
	[ "$status" = 124 ] && break
	[ "$attempt" = 3 ] && break
	echo "testbox: the guest died before the command started (attempt $attempt); booting again" >&2
	cp "$work/console" "$work/console.boot-failure.$attempt"
done
# The log is the boot that ran the command; a boot that died before the
# command is kept beside it (LOG.boot-failure.N) for the log check
# (check_kernel_log.sh --boot-failure): judged apart, never dropped.
if [ -n "$log" ]; then
	rm -f "$log".boot-failure.*
	: > "$log"
	for f in "$work"/console.boot-failure.*; do
		[ -f "$f" ] || continue
		cp "$f" "$log.${f##*/console.}"
		echo "testbox: an earlier boot died before the command ran: $log.${f##*/console.}" >> "$log"
	done
	cat "$work/console" >> "$log"
fi

mkdir -p "$out"
if [ -s "$work/ttyS1" ]; then
	tr -d '\r' < "$work/ttyS1" | grep -vx 'TESTBOX-CMD-START' | base64 -d | tar -xzf - -C "$out" ||
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
