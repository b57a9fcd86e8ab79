#!/usr/bin/env python3
"""Judge the CPU-hotplug scenario (guest/hotplug.sh).

Every mode x source run took CPU 1 offline and back at least once while it
ran, and ended either with exit 0 and exact counts on every CPU it used
(fired == counted == what its reader read == the events asked for) or with
exit 1 and exactly one line on stderr (a clear error, no crash, no hang).
The run after the hotplug storm must be exact on every CPU.
"""
import argparse
import json
import re
import sys


def exact(report, events):
    errors = []
    for name, mode in report["modes"].items():
        parts = mode.get("per_cpu") or []
        if not parts:
            errors.append(f"{name}: no per_cpu results")
        for p in parts:
            if not (p["exact"] and p["fired"] == p["counted"] == p["reader_total"] == events):
                errors.append(f"{name} CPU {p['cpu']}: fired {p['fired']}, counted "
                              f"{p['counted']}, read {p['reader_total']}, wanted {events}")
        if not mode["exact"]:
            errors.append(f"{name}: not exact overall")
    return errors


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("out")
    ap.add_argument("--events", type=int, required=True)
    args = ap.parse_args()
    with open(f"{args.out}/hotplug-modes.txt", encoding="utf-8") as f:
        modes = f.read().split()
    # Every mode on the timer and on the irqchip source; threaded needs an
    # interrupt, so not on the bare timer.
    want_runs = 2 * len(modes) - ("threaded" in modes)
    errors = []
    runs = exact_runs = 0
    with open(f"{args.out}/hotplug.txt", encoding="utf-8") as f:
        lines = [l for l in f if l.strip()]
    for line in lines:
        m = re.match(r"(\S+) exit=(\d+) cycles=(\d+) stderr_lines=(\d+)", line)
        if not m:
            errors.append(f"unreadable line: {line.strip()}")
            continue
        name, code, cycles, nerr = m.group(1), int(m.group(2)), int(m.group(3)), int(m.group(4))
        runs += 1
        if cycles < 1:
            errors.append(f"{name}: no offline/online cycle during the run")
        if code == 0:
            try:
                with open(f"{args.out}/hotplug-{name}.json", encoding="utf-8") as f:
                    errs = exact(json.load(f), args.events)
            except (OSError, ValueError, KeyError) as e:
                errs = [f"report: {e}"]
            errors += [f"{name}: {e}" for e in errs]
            exact_runs += not errs
        elif code != 1 or nerr != 1:
            errors.append(f"{name}: exit {code} with {nerr} stderr lines (want 0, or 1 and one line)")
    if not modes or runs != want_runs:
        errors.append(f"{runs} runs, expected {want_runs} (modes {modes})")
    try:
        with open(f"{args.out}/hotplug-after.json", encoding="utf-8") as f:
            errors += [f"after: {e}" for e in exact(json.load(f), 100)]
    except (OSError, ValueError, KeyError) as e:
        errors.append(f"after: {e}")
    print(f"check_hotplug: {runs} runs, {exact_runs} exact, {runs - exact_runs} clear errors")
    for e in errors:
        print(f"check_hotplug: FAIL {e}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
