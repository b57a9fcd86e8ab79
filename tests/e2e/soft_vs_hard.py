#!/usr/bin/env python3
"""The soft timer (timer_soft: the top half in softirq, a timer DPC) against
the hard timer, from two compare reports of one boot (e2e.compare): per mode
and stage the p50 and p99 of each, side by side, with where each top half
ran. Both reports are judged by check_report.py first; this prints, and
with --out writes a small summary artifact (docs/data convention: the
figures plus a provenance object). Speed is never judged (TCG is noisy)."""
import argparse
import datetime
import json
import os
import sys

STAGES = ("timer_to_top", "top_to_bottom", "top_to_user", "timer_to_user")


def summary(hard, soft):
    """{mode: {"hard": {...}, "soft": {...}}} for the modes both ran."""
    out = {}
    for name in sorted(set(hard["modes"]) & set(soft["modes"])):
        out[name] = {}
        for label, report in (("hard", hard), ("soft", soft)):
            m = report["modes"][name]
            out[name][label] = {
                "source": m["source"], "context": m["context"], "fired": m["fired"],
                "counted": m["counted"], "timer_overruns": m.get("timer_overruns"),
                "latency_ns": {s: {k: m["latency_ns"][s][k] for k in ("n", "p50", "p99", "max")}
                               for s in STAGES}}
    return out


def table(rows):
    lines = ["| mode | source | top half | stage | p50 µs | p99 µs |", "|---|---|---|---|---|---|"]
    for name, sides in rows.items():
        for label in ("hard", "soft"):
            side = sides[label]
            for s in STAGES:
                lat = side["latency_ns"][s]
                lines.append(f"| `{name}` | {side['source']} | {side['context']['top']} | `{s}` "
                             f"| {lat['p50'] / 1000:.1f} | {lat['p99'] / 1000:.1f} |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("hard", help="compare report of the hard timer")
    ap.add_argument("soft", help="compare report of --source timer_soft")
    ap.add_argument("--out", help="write the summary artifact here")
    ap.add_argument("--provenance", default="{}", help="a JSON object to record as provenance")
    args = ap.parse_args()
    with open(args.hard, encoding="utf-8") as f:
        hard = json.load(f)
    with open(args.soft, encoding="utf-8") as f:
        soft = json.load(f)
    rows = summary(hard, soft)
    if not rows:
        print("soft_vs_hard: the two reports share no mode")
        return 1
    print(table(rows))
    if args.out:
        prov = json.loads(args.provenance)
        prov.setdefault("date_utc", datetime.datetime.now(datetime.timezone.utc)
                        .strftime("%Y-%m-%d %H:%M:%S"))
        prov.setdefault("kernel", hard.get("kernel"))
        prov.setdefault("accelerator", hard.get("accel"))
        prov.setdefault("events", hard.get("events"))
        prov.setdefault("period_ns", hard.get("period_ns"))
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w", encoding="utf-8") as f:
            json.dump({"provenance": prov, "modes": rows}, f, indent=1)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
