#!/usr/bin/env python3
"""Judge the CPU-hotplug scenario (guest/hotplug.sh) and write its summary.

The plan comes from the kernel's catalogue the guest saved
(hotplug-catalogue.json, `irqbridge info --json`): every present source x
every supported mode, but not a mode that needs an interrupt on a source
without one. Every mode the kernel must have (--kernel-modes) is supported.
Every planned run happened once, and

  - CPU 1 went offline and came back inside it: hotplug_cycle saw every
    channel of the run running (GET_STATS) before the offline and still
    running after the online (else "no offline/online cycle during the
    run");
  - it ended with exit 0 and exact counts on every CPU (fired == counted ==
    read == the run's events, and the module's last stats of each channel
    raised == fired == counted == events), or with exit 1 and exactly one
    line on stderr, the module's counts still matching (raised == fired ==
    counted after STOP);
  - the run after all of them is exact on every CPU.

--summary writes, per source x mode, the cycle seen during the run, each
channel's CPU and its raised/fired/counted (and read), and the run's result
(exact, or its error line): fuzz_artifact.py adds the provenance
(docs/data/hotplug-<kernel>.json).
"""
import argparse
import json
import re
import sys

LINE_RE = re.compile(r"(?P<name>\S+) source=(?P<source>\S+) mode=(?P<mode>\S+) cpus=(?P<cpus>\S+) "
                     r"events=(?P<events>\d+) exit=(?P<exit>\d+) inside=(?P<inside>\S*) "
                     r"cycle_ms=(?P<cycle_ms>\S+) run_ms=(?P<run_ms>\d+) "
                     r"stderr_lines=(?P<lines>\d+) stderr=(?P<stderr>.*)")


def plan(catalogue):
    """['source/mode', ...] in the guest's order: present sources x supported
    modes, without a mode that needs an interrupt on a source with none."""
    modes = [m for m in catalogue["modes"] if m.get("supported")]
    return [f"{s['name']}/{m['name']}" for s in catalogue["sources"] if s.get("present")
            for m in modes if s.get("irq") or not m.get("needs_irq_source")]


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


def judge_run(run, cycle, report, want_channels):
    """(errors, summary entry) of one run: its hotplug.txt line (parsed),
    hotplug_cycle's output and its report (None unless it exited 0)."""
    errors = []
    events = run["events"]
    cpus = [int(c) for c in run["cpus"].split(",")]
    chans = cycle.get("channels") or []
    inside = cycle.get("inside") is True and bool(chans)
    if not inside:
        errors.append("no offline/online cycle during the run"
                      + (f" ({cycle['error']})" if cycle.get("error") else ""))
    elif len(chans) != want_channels:
        errors.append(f"{len(chans)} channels seen, expected {want_channels}")
    per_cpu = {}
    if run["exit"] == 0:
        if report is None:
            errors.append("exit 0 but no report")
        else:
            errors += exact(report, events)
            for m in report["modes"].values():
                per_cpu.update({p["cpu"]: p for p in m.get("per_cpu") or []})
    elif run["exit"] != 1 or run["lines"] != 1:
        errors.append(f"exit {run['exit']} with {run['lines']} stderr lines "
                      "(want 0, or 1 and one line)")
    channels = []
    for i, c in enumerate(chans):
        final = c.get("final")
        cpu = cpus[i] if i < len(cpus) else None
        if not final:
            errors.append(f"channel {i}: no stats after the run")
        else:
            if not final["raised"] == final["fired"] == final["counted"]:
                errors.append(f"channel {i} (CPU {cpu}): raised {final['raised']}, fired "
                              f"{final['fired']}, counted {final['counted']} after the run")
            if run["exit"] == 0 and final["raised"] != events:
                errors.append(f"channel {i} (CPU {cpu}): raised {final['raised']} of {events}")
        entry = {"cpu": cpu, "cpu_went_offline": cpu == cycle.get("cpu", 1)}
        for k in ("raised", "fired", "counted", "error"):
            entry[k] = final.get(k) if final else None
        if cpu in per_cpu:
            entry["read"] = per_cpu[cpu]["reader_total"]
        entry["raised_at_offline"] = (c.get("before") or {}).get("raised")
        entry["raised_at_online"] = (c.get("after") or {}).get("raised")
        channels.append(entry)
    summary = {
        "source": run["source"], "mode": run["mode"], "cpus": cpus, "events": events,
        "cycles_during_run": 1 if inside else 0,
        "cycle": {k: cycle.get(k) for k in ("cpu", "offline_ms", "cycle_ms", "offline_write_ms",
                                             "online_write_ms", "inside", "error")},
        "run_ms": run["run_ms"], "exit": run["exit"],
        "result": ("exact" if not errors else f"not exact: {errors[0]}") if run["exit"] == 0
        else run["stderr"].strip(),
        "channels": channels,
    }
    return errors, summary


def parse_line(line):
    m = LINE_RE.match(line)
    if not m:
        return None
    run = m.groupdict()
    for k in ("events", "exit", "run_ms", "lines"):
        run[k] = int(run[k])
    return run


def _load(path, default=None):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return default


def check(out, kernel_modes, guest_cpus, period_us=1000):
    """(errors, summary) of the scenario's output directory."""
    errors = []
    catalogue = _load(f"{out}/hotplug-catalogue.json")
    if catalogue is None:
        return ["no readable hotplug-catalogue.json"], {}
    want = plan(catalogue)
    supported = {m["name"] for m in catalogue["modes"] if m.get("supported")}
    for mode in kernel_modes:
        if mode not in supported:
            errors.append(f"mode {mode} is not supported by the module, but this kernel has it")
    runs = []
    try:
        with open(f"{out}/hotplug.txt", encoding="utf-8") as f:
            lines = [line for line in f if line.strip()]
    except OSError as e:
        lines = []
        errors.append(f"hotplug.txt: {e}")
    seen = []
    for line in lines:
        run = parse_line(line)
        if run is None:
            errors.append(f"unreadable line: {line.strip()}")
            continue
        key = f"{run['source']}/{run['mode']}"
        seen.append(key)
        name = run["name"]
        cycle = _load(f"{out}/hotplug-{name}.cycle.json", {})
        report = _load(f"{out}/hotplug-{name}.json") if run["exit"] == 0 else None
        want_channels = 1 if run["source"] == "edu" else guest_cpus
        errs, entry = judge_run(run, cycle, report, want_channels)
        errors += [f"{key}: {e}" for e in errs]
        runs.append(entry)
    if sorted(seen) != sorted(want) or len(seen) != len(set(seen)):
        missing = sorted(set(want) - set(seen))
        extra = sorted(set(seen) - set(want))
        errors.append(f"{len(seen)} runs, the catalogue plans {len(want)}: missing {missing}, "
                      f"not planned {extra}")
    after = _load(f"{out}/hotplug-after.json")
    try:
        errors += [f"after: {e}" for e in exact(after, 100)]
    except (TypeError, KeyError) as e:
        errors.append(f"after: no readable report ({e})")
    summary = {
        "tool": "check_hotplug",
        "scenario": "hotplug",
        "guest_cpus": guest_cpus,
        "period_us": period_us,
        "runs": runs,
        "planned": len(want),
        "exact": sum(r["result"] == "exact" for r in runs),
        "clear_errors": sum(r["exit"] == 1 for r in runs),
        "cycles_during_runs": sum(r["cycles_during_run"] for r in runs),
        "failures": errors,
    }
    return errors, summary


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--kernel-modes", default="", help="modes this kernel must have (kernel_modes.py)")
    ap.add_argument("--cpus", type=int, default=2, help="guest CPUs (channels of a --cpus all run)")
    ap.add_argument("--period-us", type=int, default=1000)
    ap.add_argument("--summary", help="write the summary (JSON) here")
    args = ap.parse_args()
    errors, summary = check(args.out, args.kernel_modes.replace(",", " ").split(), args.cpus, args.period_us)
    if args.summary and summary:
        with open(args.summary, "w", encoding="utf-8") as f:
            json.dump(summary, f, indent=1)
            f.write("\n")
    if summary:
        print(f"check_hotplug: {len(summary['runs'])} runs of {summary['planned']} planned, "
              f"{summary['exact']} exact, {summary['clear_errors']} clear errors, "
              f"{summary['cycles_during_runs']} with a cycle inside")
    for e in errors:
        print(f"check_hotplug: FAIL {e}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
