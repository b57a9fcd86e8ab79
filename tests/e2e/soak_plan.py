#!/usr/bin/env python3
"""Print the soak plan, "mode:period_us ..." for every mode, at the highest
rate a bench report (irqbridge.bench/1) found sustained; 1000 us for a mode
it lacks or never sustained, and every mode at 1000 us without a report."""
import json
import sys

MODES = ("tasklet", "workqueue", "tasklet_hi", "wq_highpri", "wq_unbound", "bh_wq",
         "threaded", "dpc_workitem")
DEFAULT_US = 1000


def main():
    rates = {}
    path = sys.argv[1] if len(sys.argv) > 1 else ""
    if path:
        try:
            with open(path) as f:
                rates = json.load(f).get("max_sustained_rate", {})
        except (OSError, ValueError) as e:
            print(f"soak_plan: {path}: {e}; every mode at {DEFAULT_US} us", file=sys.stderr)
    plan = []
    for mode in MODES:
        r = rates.get(mode, {})
        if path and rates and mode not in rates:
            continue  # the bench's kernel lacks it (bh_wq before 6.9)
        period = r["period_ns"] // 1000 if r.get("sustained") else DEFAULT_US
        plan.append(f"{mode}:{period}")
    print(" ".join(plan))


if __name__ == "__main__":
    main()
