#!/usr/bin/env python3
"""Judge a soak (tests/e2e/guest/soak.sh): for every mode of the plan, the
run covered the whole plan with fired == counted == what the reader read,
no record was lost, and the slab did not grow across load, soak, unload.
A mode may be skipped only where the kernel must lack it (--kernel-modes,
from kernel_modes.py: bh_wq before 6.9, direct on PREEMPT_RT or with
PROVE_RAW_LOCK_NESTING), and at least one mode must have run. Timer
periods the guest skipped are reported, not failed: under TCG the host
decides them."""
import argparse
import json
import os
import sys

SLAB_GROWTH_KB = 2048


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("out")
    ap.add_argument("--plan", required=True, help="'mode:period_us ...'")
    ap.add_argument("--seconds", type=int, required=True)
    ap.add_argument("--kernel-modes", required=True,
                    help="'mode ...' the kernel must have (kernel_modes.py)")
    args = ap.parse_args()
    return judge(args.out, args.plan, args.seconds, args.kernel_modes.split())


def judge(out, plan, seconds, kernel_modes):
    errors, lines = [], []
    ran = 0
    if not kernel_modes:
        errors.append("no kernel modes given: cannot tell a legitimate skip")
    if not plan.split():
        errors.append("empty soak plan")
    for entry in plan.split():
        mode, period = entry.split(":")
        want = seconds * 1000000 // int(period)
        skipped = os.path.exists(os.path.join(out, f"soak-{mode}.skipped"))
        if mode in kernel_modes and skipped:
            errors.append(f"{mode}: skipped, but this kernel must have it")
            continue
        if mode not in kernel_modes:
            if not skipped:
                errors.append(f"{mode}: this kernel must lack it, yet it was not skipped")
            else:
                lines.append(f"{mode}: this kernel lacks it, skipped")
            continue
        ran += 1
        try:
            with open(os.path.join(out, f"soak-{mode}.json")) as f:
                m = json.load(f)["modes"][mode]
        except (OSError, ValueError, KeyError) as e:
            errors.append(f"{mode}: no report ({e})")
            continue
        if not (m["exact"] and m["fired"] == want):
            errors.append(f"{mode}: fired {m['fired']} counted {m['counted']} "
                          f"read {m['reader_total']}, want {want} each")
        if m["overruns"]:
            errors.append(f"{mode}: {m['overruns']} records lost")
        lines.append(f"{mode} every {period} us: {m['fired']} events, counted {m['counted']}, "
                     f"{m['wakeups']} wake-ups, {m['overruns']} lost, "
                     f"{m['timer_overruns']} periods skipped, "
                     f"top_to_user p99 {m['latency_ns']['top_to_user']['p99'] / 1000:.0f} us")
    try:
        with open(os.path.join(out, "slab.txt")) as f:
            before, after = (int(x) for x in f.read().split())
        growth = after - before
        lines.append(f"slab {before} kB before load, {after} kB after unload ({growth:+d} kB)")
        if growth >= SLAB_GROWTH_KB:
            errors.append(f"slab grew {growth} kB (limit {SLAB_GROWTH_KB})")
    except (OSError, ValueError) as e:
        errors.append(f"no slab figures ({e})")
    if plan.split() and not ran:
        errors.append("no mode ran: the soak tested nothing")
    for line in lines:
        print(f"check_soak: {line}")
    for e in errors:
        print(f"check_soak: FAIL {e}")
    if not errors:
        print("check_soak: ok")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
