#!/usr/bin/env python3
"""Judge the `measure` scenario's output (tests/e2e/guest/measure.sh).

Correctness only, never speed: counts are exact in every run, warm-up and
repetitions add up, the CSV has a line per event that reached the reader,
the top half ran on the CPU asked for, the cyclictest floor was measured in
the same boot and each mode is compared with it, every reader variant and
load ran and said so, and the sweep kept fired == counted at every rate.
"""
import argparse
import csv
import json
import os
import re
import sys

from check_report import check as check_compare


def load(out, name):
    with open(os.path.join(out, name)) as f:
        return json.load(f)


def check_measure(out, errors):
    r = load(out, "measure.json")
    errors += check_compare(r, 500, 1000000, ["tasklet", "workqueue"])
    floor = r.get("floor", {})
    if not floor.get("available"):
        errors.append(f"floor not measured: {floor.get('reason')!r}")
    else:
        if floor.get("cycles") != 1500:
            errors.append(f"floor.cycles {floor.get('cycles')} != 500 x 3")
        if "-a0" not in floor.get("command", "") or "-p80" not in floor.get("command", ""):
            errors.append(f"floor not run with the reader's CPU and priority: {floor.get('command')}")
    if r.get("repetitions") != 3 or r.get("warmup") != 20:
        errors.append(f"repetitions/warmup {r.get('repetitions')}/{r.get('warmup')} != 3/20")
    if r.get("timer_cpu") != 1 or r.get("reader", {}).get("cpu") != 0:
        errors.append("timer_cpu/reader.cpu not recorded as 1/0")
    rows = 0
    for name, m in r["modes"].items():
        p = f"measure.{name}"
        runs = m.get("runs", [])
        if len(runs) != 3 or not all(x.get("exact") and x.get("fired") == 500 for x in runs):
            errors.append(f"{p}: runs not 3 exact runs of 500: {runs}")
        if m.get("warmup") != 60:
            errors.append(f"{p}.warmup {m.get('warmup')} != 3 x 20")
        top_cpus = m.get("context_detail", {}).get("top", {}).get("cpus")
        if top_cpus != [1]:
            errors.append(f"{p}: top half ran on CPUs {top_cpus}, asked for 1")
        if "vs_floor" in m and floor.get("available"):
            ratio = m["vs_floor"]["timer_to_user"]["p50"]
            if not ratio > 0:
                errors.append(f"{p}.vs_floor.timer_to_user.p50 is {ratio}")
        elif floor.get("available"):
            errors.append(f"{p}: no vs_floor")
        spread = m.get("spread", {}).get("top_to_user", {}).get("p50", {})
        if not spread.get("min", 0) <= spread.get("median", -1) <= spread.get("max", -2):
            errors.append(f"{p}.spread.top_to_user.p50 not ordered: {spread}")
        if not m.get("histogram_ns", {}).get("timer_to_user"):
            errors.append(f"{p}: no histogram_ns.timer_to_user")
        rows += m["records"] - m.get("order_violations", 0) - m.get("unattributed", 0)
    with open(os.path.join(out, "events.csv")) as f:
        lines = list(csv.DictReader(f))
    if len(lines) != rows:
        errors.append(f"events.csv has {len(lines)} events, the reports {rows}")
    elif any(int(x["user_ns"]) < int(x["bottom_ns"]) for x in lines):
        errors.append("events.csv: a reader wake-up before its bottom half")
    check_outliers(r, lines, errors)


def check_outliers(r, lines, errors):
    """The worst events and those above --threshold-us 1000 agree with the
    raw samples: same count above the threshold, the worst really the worst."""
    causes = {"timer late", "bottom half deferred", "work item deferred", "reader late"}
    for name, m in r["modes"].items():
        o = m.get("outliers", {})
        worst = o.get("worst", [])
        mine = [x for x in lines if x["mode"] == name and int(x["seq"]) >= 20]
        totals = sorted((int(x["user_ns"]) - int(x["expected_ns"]) for x in mine), reverse=True)
        if len(worst) != 5 or not all(w.get("cause") in causes and w.get("why") for w in worst):
            errors.append(f"measure.{name}: outliers.worst not 5 explained events: {worst}")
        elif [w["timer_to_user_ns"] for w in worst] != totals[:5]:
            errors.append(f"measure.{name}: worst {[w['timer_to_user_ns'] for w in worst]} "
                          f"!= the CSV's {totals[:5]}")
        above = sum(1 for t in totals if t > 1000000)
        if o.get("threshold_ns") != 1000000 or o.get("above_threshold") != above:
            errors.append(f"measure.{name}: {o.get('above_threshold')} above 1000 us, "
                          f"the CSV has {above}")
        if len(o.get("above", [])) != min(above, 100):
            errors.append(f"measure.{name}: {len(o.get('above', []))} explained above the "
                          f"threshold, want min({above}, 100)")


def has_read_multishot(kernel):
    """IORING_OP_READ_MULTISHOT: Linux 6.7 and newer."""
    m = re.match(r"(\d+)\.(\d+)", kernel or "")
    return bool(m) and (int(m[1]), int(m[2])) >= (6, 7)


def check_variants_and_loads(out, errors):
    variants = ["read", "epoll", "uring-poll", "uring-read", "device-read"]
    if has_read_multishot(load(out, "reader-read.json").get("kernel")):
        variants.append("uring-mshot")
    for v in variants:
        r = load(out, f"reader-{v}.json")
        m = r["modes"]["tasklet"]
        # The probed io_uring setup applies only to the io_uring variants.
        if r["reader"].get("io_uring_used") is not v.startswith("uring"):
            errors.append(f"reader-{v}: io_uring_used recorded as {r['reader'].get('io_uring_used')!r}")
        waits_on = "device" if v == "device-read" else "eventfd"
        if r["reader"].get("waits_on") != waits_on:
            errors.append(f"reader-{v}: waits_on recorded as {r['reader'].get('waits_on')!r}")
        if r["reader"].get("variant") != v:
            errors.append(f"reader-{v}: variant recorded as {r['reader'].get('variant')!r}")
        if not (m["exact"] and m["fired"] == 300):
            errors.append(f"reader-{v}: not exact: fired {m['fired']} counted {m['counted']}")
        if not m.get("reader_cpu_ns_per_wakeup", 0) > 0:
            errors.append(f"reader-{v}: no reader CPU time per wake-up")
        if r["floor"].get("available"):
            errors.append(f"reader-{v}: a floor despite --no-floor")
    for l in ("cpu", "syscall"):
        r = load(out, f"load-{l}.json")
        if r.get("load") != l:
            errors.append(f"load-{l}: load recorded as {r.get('load')!r}")
        errors += [f"load-{l}: {e}" for e in check_compare(r, 300, 1000000, ["tasklet", "workqueue"])]


def check_sweep(out, errors):
    r = load(out, "sweep.json")
    if r.get("schema") != "irqbridge.sweep/1":
        errors.append(f"sweep schema {r.get('schema')!r}")
    points = r.get("points", [])
    for mode in ("tasklet", "workqueue"):
        mine = [p for p in points if p["mode"] == mode]
        ok = [p["period_ns"] for p in mine if "error" not in p]
        if 1000000 not in ok or 100000 not in ok:
            errors.append(f"sweep {mode}: 1000 and 100 us must run, ran {ok}")
        for p in mine:
            if "error" not in p and not (p["exact"] and p["fired"] == 300):
                errors.append(f"sweep {mode} @{p['period_ns']} ns: not exact")
            if p["fired"] != p["counted"]:
                errors.append(f"sweep {mode} @{p['period_ns']} ns: fired != counted")


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("out", help="the scenario's output directory")
    args = ap.parse_args()
    errors = []
    for part in (check_measure, check_variants_and_loads, check_sweep):
        try:
            part(args.out, errors)
        except (OSError, ValueError, KeyError, TypeError) as e:
            errors.append(f"{part.__name__}: {type(e).__name__}: {e}")
    for e in errors:
        print(f"check_measure: {e}")
    if not errors:
        print("check_measure: ok")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
