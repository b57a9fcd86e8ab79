#!/usr/bin/env python3
"""Judge a soak (tests/e2e/guest/soak.sh): for every mode of the plan, the
run covered the whole plan with fired == counted == what the reader read,
no record was lost, and the slab did not grow across load, soak, unload.
Timer periods the guest skipped are reported, not failed: under TCG the
host decides them."""
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
    args = ap.parse_args()
    errors, lines = [], []
    for entry in args.plan.split():
        mode, period = entry.split(":")
        want = args.seconds * 1000000 // int(period)
        if os.path.exists(os.path.join(args.out, f"soak-{mode}.skipped")):
            lines.append(f"{mode}: not offered by this kernel, skipped")
            continue
        try:
            with open(os.path.join(args.out, f"soak-{mode}.json")) as f:
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
        with open(os.path.join(args.out, "slab.txt")) as f:
            before, after = (int(x) for x in f.read().split())
        growth = after - before
        lines.append(f"slab {before} kB before load, {after} kB after unload ({growth:+d} kB)")
        if growth >= SLAB_GROWTH_KB:
            errors.append(f"slab grew {growth} kB (limit {SLAB_GROWTH_KB})")
    except (OSError, ValueError) as e:
        errors.append(f"no slab figures ({e})")
    for line in lines:
        print(f"check_soak: {line}")
    for e in errors:
        print(f"check_soak: FAIL {e}")
    if not errors:
        print("check_soak: ok")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
