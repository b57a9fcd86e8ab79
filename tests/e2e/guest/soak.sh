# Guest: the soak. Each mode of SOAK_PLAN ("mode:period_us ...") runs for
# SOAK_SECONDS at its period with records on; the slab is read before the
# module is loaded and after it is unloaded. Judged on the host by
# check_soak.py from /out/soak-<mode>.json and /out/slab.txt. A mode is
# skipped only when the module does not offer it AND the kernel must lack
# it (E2E_MODES, the modes kernel_modes.py says this kernel has).
# shellcheck source=lib.sh
. /testbox/lib.sh
slab_kb() { sed -n 's/^Slab: *\([0-9]*\) kB/\1/p' /proc/meminfo; }
slab_before=$(slab_kb)
load_module || exit 1
rc=0
for entry in ${SOAK_PLAN:?}; do
	mode=${entry%%:*}
	period=${entry#*:}
	if ! /testbox/irqbridge info | grep '^modes' | grep -qw "$mode"; then
		case " ${E2E_MODES:?} " in
		*" $mode "*)
			echo "soak: FAIL $mode: not offered, but this kernel must have it"
			rc=1
			;;
		*)
			echo "soak: $mode: this kernel lacks it, skipped"
			: > "/out/soak-$mode.skipped"
			;;
		esac
		continue
	fi
	events=$((SOAK_SECONDS * 1000000 / period))
	echo "soak: $mode every $period us for $SOAK_SECONDS s ($events events), slab $(slab_kb) kB"
	/testbox/irqbridge run --quiet --no-floor --mode "$mode" --period-us "$period" \
		--events "$events" --json "/out/soak-$mode.json" > "/out/soak-$mode.txt" || rc=1
done
unload_module || rc=1
debug_kernel_checks || rc=1
# Freed slab objects go back lazily: give RCU and the allocators a moment.
sync
echo 2 > /proc/sys/vm/drop_caches 2>/dev/null
sleep 2
echo "$slab_before $(slab_kb)" > /out/slab.txt
echo "soak: slab $slab_before kB before loading, $(slab_kb) kB after unloading"
exit $rc
