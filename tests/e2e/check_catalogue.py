#!/usr/bin/env python3
"""Judge the catalogue `irqbridge info --json` printed in the test box with
the module loaded: it came from the module ("from": "module"), the modes it
marks supported are exactly those the kernel must have (--kernel-modes,
from kernel_modes.py), every mode and source has the name and capabilities
of the CLI's compiled-in catalogue (the host's irqbridge info --compiled-in),
and the timer, timer_soft and irqchip sources are present (--edu: the edu
device too), each with the compiled-in id, interrupt and top-half context.
"""
import argparse
import json
import sys

import catalogue

CAPS = ("id", "may_sleep", "in_top", "needs_irq_source", "chained", "contexts")


def check(got, kernel_modes, edu):
    errors = []
    if got.get("schema") != "irqbridge.catalogue/1":
        errors.append(f"schema is {got.get('schema')!r}")
    if got.get("from") != "module":
        errors.append(f"from is {got.get('from')!r}, want module (the device was there)")
    modes = {m.get("name"): m for m in got.get("modes", [])}
    compiled = catalogue.modes()
    if list(modes) != list(compiled):
        errors.append(f"modes {list(modes)} != the compiled-in {list(compiled)}")
    for name, m in modes.items():
        want = compiled.get(name)
        if want is None:
            continue
        for key in CAPS:
            if m.get(key) != want[key]:
                errors.append(f"{name}.{key} is {m.get(key)!r}, compiled-in {want[key]!r}")
        if not isinstance(m.get("supported"), bool):
            errors.append(f"{name}.supported is {m.get('supported')!r}, want true or false")
    supported = sorted(n for n, m in modes.items() if m.get("supported") is True)
    if not kernel_modes:
        errors.append("no kernel modes given")
    elif supported != sorted(kernel_modes):
        errors.append(f"supported {supported} != the kernel's {sorted(kernel_modes)}")
    got_sources = {s.get("name"): s for s in got.get("sources", [])}
    compiled_sources = catalogue.sources()
    if list(got_sources) != list(compiled_sources):
        errors.append(f"sources {list(got_sources)} != the compiled-in {list(compiled_sources)}")
    for name, s in got_sources.items():
        want = compiled_sources.get(name)
        for key in ("id", "irq", "top_context"):
            if want is not None and s.get(key) != want[key]:
                errors.append(f"source {name}.{key} is {s.get(key)!r}, compiled-in {want[key]!r}")
    present = {name: s.get("present") for name, s in got_sources.items()}
    want_present = {"timer": True, "irqchip": True, "edu": edu, "timer_soft": True}
    for name, want in want_present.items():
        if present.get(name) is not want:
            errors.append(f"source {name} present is {present.get(name)!r}, want {want}")
    return errors


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("catalogue")
    ap.add_argument("--kernel-modes", required=True)
    ap.add_argument("--no-edu", action="store_true")
    args = ap.parse_args()
    try:
        with open(args.catalogue, encoding="utf-8") as f:
            got = json.load(f)
    except (OSError, ValueError) as e:
        print(f"check_catalogue: {args.catalogue}: {e}")
        return 1
    errors = check(got, args.kernel_modes.split(), not args.no_edu)
    for e in errors:
        print(f"check_catalogue: FAIL {e}")
    if not errors:
        print(f"check_catalogue: ok (from the module, {len(got['modes'])} modes, supported: "
              f"{' '.join(m['name'] for m in got['modes'] if m['supported'])})")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
