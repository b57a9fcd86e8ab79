#!/usr/bin/env python3
"""Print the soak plan, "mode:period_us ..." for every mode (or those in
$SOAK_MODES), at the highest rate a bench report (irqbridge.bench/1) found
sustained; 1000 us for a mode it lacks or never sustained, and every mode
at 1000 us without a report."""
import json
import os
import sys

import catalogue

MODES = catalogue.mode_names()
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
    wanted = os.environ.get("SOAK_MODES", "").split() or MODES
    unknown = [m for m in wanted if m not in MODES]
    if unknown:
        sys.exit(f"soak_plan: unknown mode(s) {' '.join(unknown)} in SOAK_MODES")
    plan = []
    for mode in (m for m in MODES if m in wanted):
        # A mode the bench lacks (its kernel had no bh_wq, say) runs at
        # 1000 us; the guest skips only a mode its kernel must lack
        # (kernel_modes.py), and check_soak.py fails any other skip.
        r = rates.get(mode, {})
        period = r["period_ns"] // 1000 if r.get("sustained") else DEFAULT_US
        plan.append(f"{mode}:{period}")
    print(" ".join(plan))


if __name__ == "__main__":
    main()
