#!/usr/bin/env python3
"""Judge a per-CPU compare report (irqbridge compare --cpus all).

Every mode must have one part per CPU of cpu_list, each with exact counts
(fired == counted == what its reader read == the events asked for), its top
half on its own CPU (the channel's hrtimer is pinned there), and, for the
mechanisms that are per-CPU (tasklets, BH and bound workqueues, the chain),
its signalling stage on that CPU too (bound_work_never_crosses_cpus), and
the threaded mode's handler thread on the CPU of its interrupt line, whose
affinity the channel set (threaded_handler_follows_its_line). Unbound
placement is reported, not asserted: the scheduler decides it. The run was
"--modes all": the report must hold exactly the modes the kernel must have
(--kernel-modes, from kernel_modes.py).
"""
import argparse
import json
import sys

import catalogue

# Modes whose signalling stage runs on the CPU that queued it: every mode of
# the catalogue but the unbound workqueue (the scheduler places it) and a
# handler thread (it follows its interrupt line instead).
UNBOUND = {"wq_unbound"}


def per_cpu(name):
    return name not in UNBOUND and not catalogue.modes()[name]["needs_irq_source"]


def top_half_stays_on_its_cpu(name, p, source="timer"):
    """The channel's hrtimer is pinned: every top half on the part's CPU, in
    the context its source gives it (hardirq; softirq for timer_soft)."""
    top = p["context_detail"]["top"]
    want = catalogue.top_context(source)
    if top["cpus"] != [p["cpu"]] or top["name"] != want:
        return [f"{name} CPU {p['cpu']}: top half ran in {top['name']} on CPUs {top['cpus']}"
                f" (want {want} on CPU {p['cpu']})"]
    return []


def _stays(name, p, what):
    stage = "chain" if catalogue.chain_context(name) else "bottom"
    errors = []
    ran = p["context_detail"][stage]["cpus"]
    if ran != [p["cpu"]]:
        errors.append(f"{name} CPU {p['cpu']}: {what} {stage} half ran on CPUs {ran}")
    crossed = {k: v for k, v in p.get("cross_cpu", {}).items() if v}
    if crossed:
        errors.append(f"{name} CPU {p['cpu']}: {what} events crossed CPUs: {crossed}")
    return errors


def bound_work_never_crosses_cpus(name, p):
    """A tasklet, a BH or bound work item, the chain's two hops and the
    direct mode's signal run on the CPU whose top half queued them: every
    record's stage on that CPU and cross_cpu 0 (the report's "0 %")."""
    return _stays(name, p, "per-CPU") if per_cpu(name) else []


def threaded_handler_follows_its_line(name, p):
    """The threaded mode's handler thread runs where its irq_chip line's
    affinity is, which the channel set to its own CPU: cross_cpu 0."""
    return _stays(name, p, "threaded") if catalogue.modes()[name]["needs_irq_source"] else []


def check(report, events, cpus_expected, kernel_modes):
    errors = []
    if not kernel_modes:
        errors.append("no --kernel-modes: cannot tell which modes must have run")
    elif sorted(report.get("modes", {})) != sorted(kernel_modes):
        errors.append(f"modes {sorted(report.get('modes', {}))} != the kernel's "
                      f"{sorted(kernel_modes)}")
    cpu_list = report.get("cpu_list", [])
    if len(cpu_list) != cpus_expected:
        errors.append(f"cpu_list {cpu_list}: expected {cpus_expected} CPUs")
    if report.get("cpus") != cpus_expected:
        errors.append(f"report says {report.get('cpus')} CPUs online, expected {cpus_expected}")
    if not report["modes"]:
        errors.append("no modes in the report")
    for name, mode in report["modes"].items():
        parts = mode.get("per_cpu")
        if not parts:
            errors.append(f"{name}: no per_cpu results")
            continue
        if [p["cpu"] for p in parts] != cpu_list:
            errors.append(f"{name}: per_cpu CPUs {[p['cpu'] for p in parts]} != cpu_list {cpu_list}")
        for p in parts:
            where = f"{name} CPU {p['cpu']}"
            if not (p["exact"] and p["fired"] == p["counted"] == p["reader_total"] == events):
                errors.append(f"{where}: fired {p['fired']}, counted {p['counted']}, "
                              f"read {p['reader_total']}, wanted {events}")
            errors += top_half_stays_on_its_cpu(name, p, mode.get("source", "timer"))
            errors += bound_work_never_crosses_cpus(name, p)
            errors += threaded_handler_follows_its_line(name, p)
            if p["records"] != events:
                errors.append(f"{where}: {p['records']} records of {events}")
        total = sum(p["fired"] for p in parts)
        if mode["fired"] != total or mode["counted"] != total or not mode["exact"]:
            errors.append(f"{name}: overall fired {mode['fired']} counted {mode['counted']} "
                          f"!= the parts' sum {total}")
        if len(mode["runs"]) != len(parts) * report["repetitions"]:
            errors.append(f"{name}: {len(mode['runs'])} runs for {len(parts)} CPUs")
    return errors


def check_scaling(bench, events, cpus):
    """The per-CPU cost section of `irqbridge bench --scaling-only`."""
    errors = []
    steps = [c["cpus"] for c in bench.get("cpu_scaling", [])]
    if steps != [1, 2, cpus]:
        errors.append(f"cpu_scaling steps {steps}, expected [1, 2, {cpus}]")
    for c in bench.get("cpu_scaling", []):
        if not c["exact"] or c["events"] != events * c["cpus"]:
            errors.append(f"scaling {c['cpus']} CPUs: {c['events']} events, exact {c['exact']}")
        if c["reader_cpu_ns"] <= 0 or c["rss_kb"] <= 0 or c["ring_bytes"] <= 0:
            errors.append(f"scaling {c['cpus']} CPUs: cost not measured: {c}")
    return errors


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("report")
    ap.add_argument("--events", type=int, required=True)
    ap.add_argument("--cpus", type=int, required=True)
    ap.add_argument("--bench", help="bench --scaling-only report to check too")
    ap.add_argument("--bench-events", type=int, default=200)
    ap.add_argument("--kernel-modes", default="",
                    help="the modes the kernel must have (kernel_modes.py)")
    args = ap.parse_args()
    with open(args.report, encoding="utf-8") as f:
        report = json.load(f)
    errors = check(report, args.events, args.cpus, args.kernel_modes.split())
    if args.bench:
        with open(args.bench, encoding="utf-8") as f:
            bench = json.load(f)
        errors += check_scaling(bench, args.bench_events, args.cpus)
        for c in bench.get("cpu_scaling", []):
            print(f"check_percpu: reader on {c['cpus']} CPUs: "
                  f"{c['reader_cpu_ns_per_event']:.0f} ns CPU per event, RSS {c['rss_kb']} KiB")
    for name, mode in report["modes"].items():
        cross = ", ".join(f"CPU {p['cpu']}: {p['cross_cpu']['bottom']}" for p in mode["per_cpu"])
        print(f"check_percpu: {name:13} bottom half on another CPU than its top half: {cross}")
    for e in errors:
        print(f"check_percpu: FAIL {e}")
    if errors:
        return 1
    print(f"check_percpu: {len(report['modes'])} modes x {args.cpus} CPUs exact and placed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
