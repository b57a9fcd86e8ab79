# Guest: where the time of an edu remove/rescan (and unbind/bind) cycle
# goes. Not a scenario of run_e2e.sh: a measurement, run by hand
# (docs/reliability.md quotes it), e.g. on the 7.3 debug kernel:
#   IRQBRIDGE_DEBUG_SOURCE=stable tests/testbox/testbox.sh --kernel debug \
#     --out /tmp/p --no-rtla --file build/kmod/debug/irqbridge.ko \
#     --file tests/e2e/guest/lib.sh --file tests/e2e/guest/edu_cycle_profile.sh \
#     -- 'sh /testbox/edu_cycle_profile.sh'
# Each sysfs write runs in a child; the shell samples the child's kernel
# stack (/proc/PID/stack, read with builtins: no fork per sample) until it
# exits. The kernel shows a stack only while the task is off its CPU, so
# the samples are the moments it was preempted or waiting: with a CPU
# each, few; with 4 busy loops competing for the 2 CPUs (as the fuzzer's
# racing threads do), most. A line per write: its seconds, the samples,
# how many were inside the ACPI evaluation of the PCI interrupt routing
# table (_PRT, acpi_get_irq_routing_table), in other ACPI code, creating
# the IRQ thread, and without a stack; then the commonest other stacks.
# shellcheck source=lib.sh
. /testbox/lib.sh
load_module || exit 1
now() { cut -d' ' -f1 /proc/uptime; }
edu() {
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/vendor")" = 0x1234 ] && [ "$(cat "$d/device")" = 0x11e8 ] && { basename "$d"; return; }
	done
}
drv=/sys/bus/pci/drivers/irqbridge-edu
# sampled LABEL VALUE FILE
sampled() {
	a=$(now)
	(echo "$2" > "$3") &
	p=$!
	: > /tmp/raw
	while [ -d "/proc/$p" ]; do
		stk=
		while read -r l; do stk="$stk ${l#* }"; done < "/proc/$p/stack" 2>/dev/null
		echo "$stk" >> /tmp/raw
	done
	wait "$p" || echo "edu_cycle_profile: FAIL $1 ($3)"
	b=$(now)
	prt=$(grep -c acpi_get_irq_routing_table /tmp/raw)
	acpi=$(grep acpi_ /tmp/raw | grep -vc acpi_get_irq_routing_table)
	kth=$(grep -v acpi_ /tmp/raw | grep -c kthread_create)
	empty=$(grep -c '^ *$' /tmp/raw)
	all=$(grep -c '' /tmp/raw)
	echo "t $1 $(echo "$a $b" | awk '{printf "%.2f", $2-$1}') s, samples $all: _PRT $prt, other ACPI $acpi, kthread_create $kth, no stack $empty"
	grep -v -e acpi_ -e kthread_create -e '^ *$' /tmp/raw | sed 's/+0x[0-9a-f/x]*//g' | cut -c1-300 |
		sort | uniq -c | sort -rn | head -n 3
}
cycle() {
	bdf=$(edu)
	sampled remove 1 "/sys/bus/pci/devices/$bdf/remove"
	sampled rescan 1 /sys/bus/pci/rescan
	sleep 0.5
	bdf=$(edu)
	sampled unbind "$bdf" "$drv/unbind"
	sampled bind "$bdf" "$drv/bind"
}
echo "== no other load"
cycle
cycle
echo "== 4 busy loops"
for _ in 1 2 3 4; do (while [ ! -f /tmp/stop ]; do :; done) & done
cycle
cycle
touch /tmp/stop
wait
unload_module
echo "== done"
