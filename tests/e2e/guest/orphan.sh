# Guest: the CLI killed mid-run never leaves anything behind (issue 17,
# item 12): its --load children die with it and never hold the device, so
# the next run and rmmod succeed; SIGTERM/SIGINT end a run cleanly; bad
# options are refused before the device is opened.
# shellcheck source=lib.sh
. /testbox/lib.sh
fails=0
pass() { echo "orphan: PASS $*"; }
fail() { echo "orphan: FAIL $*"; fails=$((fails + 1)); }
cli=/testbox/irqbridge

# Checked before the device: with no module loaded, the option's own
# message, not "load the module first".
for args in "compare --cpus 0-63" "sweep --periods-us 5" "bench --periods-us 100,x" \
	"run --warmup 100 --events 100"; do
	# shellcheck disable=SC2086
	out=$($cli $args 2>&1)
	rc=$?
	lines=$(printf '%s\n' "$out" | grep -c .)
	case "$out" in
	*"load the module"* | *"not found"*) fail "'$args' opened the device first: $out" ;;
	*) if [ "$rc" = 1 ] && [ "$lines" = 1 ]; then pass "'$args' -> $out"; else fail "'$args' -> rc $rc: $out"; fi ;;
	esac
done

load_module || exit 1

# children PID: the PIDs of PID's children, from every process's parent in
# /proc/N/stat (/proc/N/task/N/children needs CONFIG_PROC_CHILDREN, which
# the debug kernel lacks).
children() {
	for stat in /proc/[0-9]*/stat; do
		# shellcheck disable=SC2034
		read -r pid comm state ppid rest < "$stat" 2>/dev/null || continue
		[ "$ppid" = "$1" ] && printf '%s ' "$pid"
	done
}

# kill -SIG the CLI during a --load run; its children must go, and the
# module must be free again.
kill_during_load() {
	sig=$1
	load=$2
	$cli run --quiet --mode tasklet --events 100000000 --period-us 100 --load "$load" \
		--no-floor > /tmp/orphan.out 2>&1 &
	reader=$!
	wait_device_open $reader || { fail "$sig/$load: reader never opened the device"; return; }
	sleep 1
	kids=$(children $reader)
	[ -n "$kids" ] || fail "$sig/$load: no load children seen"
	kill "-$sig" $reader
	wait $reader 2>/dev/null
	left=
	tries=0
	while [ $tries -lt 50 ]; do
		left=
		for k in $kids; do
			state=$(sed 's/.*) //' "/proc/$k/stat" 2>/dev/null | cut -c1)
			[ -n "$state" ] && [ "$state" != Z ] && left="$left $k"
		done
		[ -z "$left" ] && break
		tries=$((tries + 1))
		sleep 0.1
	done
	# shellcheck disable=SC2086
	if [ -z "$left" ]; then pass "$sig/$load: every load child died with the CLI"; else fail "$sig/$load: load children still running:$left"; kill -9 $left; fi
	if out=$($cli run --quiet --mode tasklet --events 200 --period-us 1000 --no-floor 2>&1); then
		pass "$sig/$load: the next run succeeds"
	else
		fail "$sig/$load: the next run failed: $(printf '%s' "$out" | tail -n 1)"
	fi
}
kill_during_load KILL cpu
kill_during_load KILL syscall
kill_during_load TERM cpu
kill_during_load INT syscall

# SIGTERM ends the run by the signal itself (exit status 128 + 15).
$cli run --quiet --mode workqueue --events 100000000 --period-us 100 --no-floor > /dev/null 2>&1 &
reader=$!
wait_device_open $reader || fail "TERM: reader never opened the device"
sleep 1
kill -TERM $reader
wait $reader
rc=$?
if [ "$rc" = 143 ]; then pass "SIGTERM: the CLI died of it (rc 143)"; else fail "SIGTERM: rc $rc, expected 143"; fi

if unload_module; then pass "rmmod after the killed runs"; else fail "rmmod after the killed runs"; fi
[ $fails = 0 ]
