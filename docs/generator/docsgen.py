#!/usr/bin/env python3
"""The generated blocks of README.md and docs/*.md, and the test names the
docs cite (issue 14).

A generated block is

    <!-- BEGIN GENERATED <name> -->
    ...written only by this tool...
    <!-- END GENERATED <name> -->

and REGISTRY maps <name> to the artifacts under docs/data/ it is made from
and the renderer that makes it. A renderer is a pure function
(artifacts -> markdown); every block starts with a line naming its
artifacts and their provenance. To wire a new artifact: write a renderer,
add one Block line to REGISTRY, put the markers in the doc, `make docs`.

A claim cites a test as `test:REF` (in backquotes), where REF is
  CTEST                    a ctest name (add_test in a CMakeLists.txt), or
                           `unit` for the GoogleTest unit tests
  CTEST/Suite.Name         a TEST/TEST_F/TEST_P(Suite, Name) in tests/
  CTEST/Suite/case         a named case of a parameterised suite (the
                           INSTANTIATE_TEST_SUITE_P of Suite lists "case";
                           `*` matches any run of characters)
  CTEST/judge.function     a function of the judge tests/**/judge.py
A "shown by" cell that starts with "—" says that no test shows it, and why.
`check` verifies that every block equals what its artifacts give, that
every cited test exists, that every claim ("shown by", "tested by",
"asserted", "asserts", "checked by", "checks", or a "shown by"/"tested by"
table column) cites one, and that no table of measured figures (a p50, p99,
mean, cross-CPU or per-wake-up column) stands outside a generated block
unless the lines above it say "Not from an artifact" and why.

  docsgen.py generate [--root DIR]     rewrite every block in place
  docsgen.py check [--root DIR]        exit 1 on any difference or bad claim
"""
import argparse
import dataclasses
import fnmatch
import glob
import json
import os
import re
import statistics
import sys
from typing import Callable

DOCS = ["README.md", "docs/*.md"]
BLOCK_RE = re.compile(
    r"(<!-- BEGIN GENERATED (?P<name>[\w.-]+) -->\n)(?P<body>.*?)(<!-- END GENERATED (?P=name) -->)",
    re.S)
BEGIN_RE = re.compile(r"<!-- (BEGIN|END) GENERATED ([\w.-]+) -->")


# --- formatting -------------------------------------------------------------

def us(ns, digits=1):
    """Nanoseconds as microseconds, `digits` decimals; '—' for None."""
    if ns is None:
        return "—"
    return f"{ns / 1000:,.{digits}f}"


def ratio(x):
    return "—" if x is None else f"{x:.1f}x"


def pct(part, whole):
    return "—" if not whole else f"{100 * part / whole:.0f} %"


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def provenance_line(name, art, prefix="docs/data/"):
    """One line naming the artifact and where it came from; `prefix` is the
    path from the doc to docs/data/ for the link."""
    p = dict(art.get("provenance", {}))
    # The multi-boot artifacts (bh-*.json) and the fuzzer's spell some keys
    # differently: kernel_release, accelerator, date_utc, per-boot loads.
    for short, long_ in (("accel", "accelerator"), ("date", "date_utc")):
        if long_ in p and short not in p:
            p[short] = p[long_]
    if "kernel_release" in p:       # the fuzzer's: kernel "debug", release "6.12.117"
        k = p.get("kernel")
        p["kernel"] = p["kernel_release"] if not k or k in p["kernel_release"] else f"{p['kernel_release']} ({k})"
    load = p.get("host_loadavg", {})
    if not load and "host_loadavg_start" in p:
        load = {"start": p["host_loadavg_start"], "end": p.get("host_loadavg_end", "?")}
    la = ""
    boots = p.get("boots") or []
    if not load and boots:
        ones = [b[k][0] for b in boots for k in ("host_loadavg_1_5_15_at_start", "host_loadavg_1_5_15_at_end")
                if b.get(k)]
        if ones:
            la = f", {len(boots)} boots, host load average {min(ones)}–{max(ones)} (1 min)"
            if p.get("host_cpus"):
                la += f" on {p['host_cpus']} CPUs"
    if isinstance(load, list):  # one reading: the 1, 5 and 15 min load averages
        la = f", host load average {' / '.join(str(x) for x in load)} (1/5/15 min)"
        start = p.get("host_loadavg_start")  # irqbridge-ratios --load-start, or in words
        if isinstance(start, list):
            start = f"{' / '.join(str(x) for x in start)} (1/5/15 min)"
        if isinstance(start, str):
            la = (f", host load average {start} at the start, "
                  f"{' / '.join(str(x) for x in load)} (1/5/15 min) at the end")
    elif load:
        first = [str(load.get(k, "?")).split(" ")[0] for k in ("start", "end")]
        la = f", host load average {first[0]} → {first[1]} on {p.get('host_cpus', '?')} CPUs"
    date = str(p.get("date", p.get("date_utc", "?"))).replace("T", " ").replace("Z", " UTC")
    accel = p.get("accel", "?")
    if p.get("tcg_threads") in ("single", "multi"):  # since the int3 fix (testbox.sh)
        accel += f" {p['tcg_threads']}-threaded"
    if not p.get("guest_cpus"):
        return (f"Artifact: [`docs/data/{name}`]({prefix}{name}) (commit {str(p.get('commit', '?'))[:7]}, "
                f"{date}; no test box).")
    return (f"Artifact: [`docs/data/{name}`]({prefix}{name}) (commit {str(p.get('commit', '?'))[:7]}, "
            f"{p.get('kernel', '?')}, {accel}, {p.get('guest_cpus', '?')} guest CPUs, "
            f"{date}{la}).")


# --- renderers: compare reports ---------------------------------------------

STAGES = ["timer_to_top", "top_to_bottom", "bottom_to_user", "top_to_user", "timer_to_user"]
PCTS = ["p50", "p90", "p99", "p999", "max"]


def render_compare_counts(arts):
    r = arts[0]
    rows = []
    for name, m in r["modes"].items():
        rows.append([f"`{name}`", m.get("source", "timer"), m["context"]["top"], m["context"]["bottom"],
                     m["fired"], m["counted"], m["wakeups"], m.get("bottom_runs", "—"), m["overruns"]])
    head = (f"{r['events']} events every {r['period_ns'] // 1000} µs × {r.get('repetitions', 1)} runs per "
            f"mode, {r.get('warmup', 0)} warm-up events per run left out of the latencies; reader "
            f"{r['reader'].get('policy', '?')} {r['reader'].get('priority', '')}"
            f"{' + mlockall' if r['reader'].get('mlockall') else ''}, {r['reader'].get('variant', '?')}.")
    return head + "\n\n" + table(
        ["mode", "source", "top half", "bottom half", "fired", "counted", "wakeups", "bh runs", "lost"], rows)


def render_compare_latency(arts):
    r = arts[0]
    rows = []
    for stage in STAGES:
        for name, m in r["modes"].items():
            s = m["latency_ns"].get(stage)
            if s is None:
                continue
            rows.append([f"`{stage}`", f"`{name}`", s["n"]] + [us(s[p]) for p in PCTS])
    return table(["stage", "mode", "n", "p50 µs", "p90 µs", "p99 µs", "p99.9 µs", "max µs"], rows)


def render_compare_floor(arts):
    r = arts[0]
    f = r.get("floor", {})
    if not f.get("available"):
        return f"No cyclictest floor in this run: {f.get('reason', 'not recorded')}."
    s = f["latency_ns"]
    rows = [["cyclictest (expiry → user thread)", s["n"]] + [us(s[p]) for p in PCTS]]
    for name, m in r["modes"].items():
        v = m.get("vs_floor", {}).get("timer_to_user", {})
        rows.append([f"`{name}` timer_to_user ÷ floor", m["latency_ns"]["timer_to_user"]["n"]]
                    + [ratio(v.get(p)) for p in PCTS])
    return table(["", "n", "p50", "p90", "p99", "p99.9", "max"], rows) + \
        "\n\nFloor rows in µs, mode rows as a multiple of the floor at the same percentile."


def render_compare_spread(arts):
    r = arts[0]
    rows = []
    for name, m in r["modes"].items():
        sp = m.get("spread", {}).get("top_to_user", {})
        if not sp:
            continue
        rows.append([f"`{name}`"] + [
            f"{us(sp[p]['min'])} / {us(sp[p]['median'])} / {us(sp[p]['max'])}" for p in ("p50", "p99")])
    return table(["top_to_user", "p50 min / median / max (µs)", "p99 min / median / max (µs)"], rows)


def render_compare_findings(arts):
    """The sentence under the demo table: median differences and ratios."""
    r = arts[0]
    m = r["modes"]
    if not {"tasklet", "workqueue"} <= m.keys():
        return "(the run has no tasklet and workqueue to compare)"
    t, w = m["tasklet"]["latency_ns"], m["workqueue"]["latency_ns"]
    diff = w["top_to_bottom"]["p50"] - t["top_to_bottom"]["p50"]
    word = "sooner" if diff >= 0 else "later"
    out = (f"In this run the tasklet (softirq) reached its bottom half {us(abs(diff))} µs {word} at the "
           f"median than the system-workqueue item (top_to_bottom p50 {us(t['top_to_bottom']['p50'])} "
           f"against {us(w['top_to_bottom']['p50'])} µs)")
    vt = m["tasklet"].get("vs_floor", {}).get("timer_to_user", {}).get("p50")
    vw = m["workqueue"].get("vs_floor", {}).get("timer_to_user", {}).get("p50")
    if vt is not None and vw is not None:
        out += f"; the whole path was {ratio(vt)} cyclictest's at the median for the tasklet, {ratio(vw)} for the workqueue"
    return out + "."


def render_outliers(arts, per_mode=2):
    r = arts[0]
    rows = []
    for name, m in r["modes"].items():
        for o in m.get("outliers", {}).get("worst", [])[:per_mode]:
            rows.append([f"`{name}`", us(o["timer_to_user_ns"]), o["cause"], o["why"], o["run"], o["seq"]])
    return table(["mode", "timer_to_user µs", "dominant stage", "why (the report's words)", "run", "event"], rows)


def render_top_half_cost(arts):
    r = arts[0]
    rows = []
    for name, m in r["modes"].items():
        c = m.get("top_half_cost")
        if c:
            rows.append([f"`{name}`", c["top_halves"], us(c["mean_ns"], 2), us(c["max_ns"], 1)])
    return table(["mode", "top halves", "mean µs", "max µs"], rows)


def render_timerlat(arts):
    """The rtla timerlat floor of a compare report (key "timerlat", added
    by the rtla branch): null with "timerlat_reason" where the kernel has
    no timerlat tracer."""
    r = arts[0]
    t = r.get("timerlat")
    if not t:
        return f"No rtla timerlat in this run: {r.get('timerlat_reason') or 'not recorded'}."
    rows = [[f"{side} (timer expiry → {'IRQ handler' if side == 'irq' else 'timerlat thread'})",
             t[side]["latency_ns"]["n"]] + [us(t[side]["latency_ns"].get(p)) for p in PCTS]
            for side in ("irq", "thread")]
    return table(["rtla timerlat", "n", "p50 µs", "p90 µs", "p99 µs", "p99.9 µs", "max µs"], rows)


# --- renderers: several boots of one compare (bh-<kernel>.json) -------------
#
# A multi-boot artifact is {"provenance": {..., "boots": [...]}, "runs": [one
# compare report per boot]}. Its tables give the median over the boots and,
# for the p50, the range over the boots in brackets.

BH_MODES = ("tasklet", "bh_wq")


def median(xs):
    xs = sorted(x for x in xs if x is not None)
    if not xs:
        return None
    mid = len(xs) // 2
    return xs[mid] if len(xs) % 2 else (xs[mid - 1] + xs[mid]) / 2


def _over_boots(runs, get):
    vals = []
    for r in runs:
        try:
            vals.append(get(r))
        except (KeyError, TypeError):
            vals.append(None)
    return [v for v in vals if v is not None]


def _med(runs, get, digits=1):
    return us(median(_over_boots(runs, get)), digits)


def _p50_range(runs, get):
    vals = _over_boots(runs, get)
    if not vals:
        return "—"
    return f"{us(median(vals))} [{us(min(vals))}–{us(max(vals))}]"


def _fired_counted(runs, mode):
    pairs = {(r["modes"][mode]["fired"], r["modes"][mode]["counted"]) for r in runs}
    return "; ".join(f"{f} = {c}" if f == c else f"{f} ≠ {c}" for f, c in sorted(pairs))


def _bottom_context(runs, mode):
    names = sorted({r["modes"][mode]["context"]["bottom"] for r in runs})
    dets = [r["modes"][mode].get("context_detail", {}).get("bottom", {}) for r in runs]
    lo = min((d["preempt_count_min"] for d in dets if "preempt_count_min" in d), default=None)
    hi = max((d["preempt_count_max"] for d in dets if "preempt_count_max" in d), default=None)
    name = "/".join(names)
    if lo is None:
        return name
    if hi == 0 and name == "softirq":
        return "softirq thread (0)"       # PREEMPT_RT: softirqs run in a task
    pc = f"{lo:#x}" if lo == hi else f"{lo:#x}–{hi:#x}"
    return f"{name} ({pc})"


def _kernel(art):
    return art["runs"][0].get("kernel") or art.get("provenance", {}).get("kernel_release", "?")


def render_bh_modes(arts):
    """tasklet against bh_wq, one row per kernel and mode, over every boot
    of each artifact."""
    rows = []
    for art in arts:
        runs = art["runs"]
        for mode in BH_MODES:
            def lat(stage, p, mode=mode):
                return lambda r: r["modes"][mode]["latency_ns"][stage][p]
            rows.append([_kernel(art), mode, _fired_counted(runs, mode), _bottom_context(runs, mode),
                         f"{_p50_range(runs, lat('top_to_user', 'p50'))} / {_med(runs, lat('top_to_user', 'p99'))}",
                         f"{_med(runs, lat('top_to_bottom', 'p50'))} / {_med(runs, lat('top_to_bottom', 'p99'))}",
                         _med(runs, lat("timer_to_top", "p50"))])
    return table(["kernel", "mode", "fired = counted (each boot)", "bottom half context (`preempt_count`)",
                  "top_to_user p50 [range] / p99 (µs)", "top_to_bottom p50 / p99 (µs)",
                  "timer_to_top p50 (µs)"], rows)


def _timerlat_cell(runs, side):
    tls = [r.get("timerlat") for r in runs]
    if not any(tls):
        reasons = {r.get("timerlat_reason") for r in runs if r.get("timerlat_reason")}
        return "null: " + ("; ".join(sorted(reasons)) if reasons else "not recorded")
    cell = (f"{_med(runs, lambda r: r['timerlat'][side]['latency_ns']['p50'])} / "
            f"{_med(runs, lambda r: r['timerlat'][side]['latency_ns']['p99'])}")
    samples = _over_boots(runs, lambda r: r["timerlat"][side]["samples"])
    if samples:
        cell += f" ({min(samples)}–{max(samples)} samples per boot)"
    if len(samples) < len(runs):
        cell += f", in {len(samples)} of {len(runs)} boots"
    return cell


def render_bh_floors(arts):
    """The cyclictest and rtla timerlat floors of the same boots (median
    over the boots; p50 / p99)."""
    rows = []
    for art in arts:
        runs = art["runs"]
        fl = (f"{_med(runs, lambda r: r['floor']['latency_ns']['p50'] if r['floor'].get('available') else None)} / "
              f"{_med(runs, lambda r: r['floor']['latency_ns']['p99'] if r['floor'].get('available') else None)}")
        rows.append([_kernel(art), fl, _timerlat_cell(runs, "irq"), _timerlat_cell(runs, "thread")])
    return table(["kernel", "cyclictest (expiry → user thread)",
                  "rtla timerlat IRQ (expiry → hard-IRQ callback)",
                  "rtla timerlat thread (expiry → kernel thread)"], rows)


def render_bh_rt(arts):
    """One RT kernel's boots: the modes, then the floors of the same boots."""
    return render_bh_modes(arts) + "\n\nThe floors of the same boots (median over the boots; p50 / p99 in µs):\n\n" \
        + render_bh_floors(arts)


def render_timerlat_boot(arts, boot=0):
    """rtla timerlat beside what it compares with, in one boot of a
    multi-boot artifact: its IRQ latency beside each mode's timer_to_top,
    its thread latency beside cyclictest."""
    r = arts[0]["runs"][boot]
    t = r.get("timerlat")
    if not t:
        return f"No rtla timerlat in this boot: {r.get('timerlat_reason') or 'not recorded'}."
    rows = [["rtla irq", "≈ timer_to_top", t["irq"]["latency_ns"]["n"] if "n" in t["irq"]["latency_ns"]
             else t["irq"].get("samples")] + [us(t["irq"]["latency_ns"].get(p)) for p in PCTS],
            ["rtla thread", "≈ cyclictest", t["thread"]["latency_ns"]["n"] if "n" in t["thread"]["latency_ns"]
             else t["thread"].get("samples")] + [us(t["thread"]["latency_ns"].get(p)) for p in PCTS]]
    for name, m in r["modes"].items():
        s = m["latency_ns"].get("timer_to_top")
        if s:
            rows.append(["timer_to_top", f"`{name}`", s["n"]] + [us(s.get(p)) for p in PCTS])
    f = r.get("floor", {})
    if f.get("available"):
        fl = f["latency_ns"]
        rows.append(["cyclictest", "expiry → user", fl["n"]] + [us(fl.get(p)) for p in PCTS])
    return (f"Boot {boot + 1} of {len(arts[0]['runs'])}, {r.get('kernel', '?')}; rtla's command: "
            f"`{t.get('command', '?')}`.\n\n"
            + table(["measured", "compare with", "n", "p50 µs", "p90 µs", "p99 µs", "p99.9 µs", "max µs"], rows))


# --- renderers: the fuzzer (ioctl_fuzz --json, harden2's fuzz-<kernel>.json) --

def render_fuzz(arts):
    """The fuzzer's summary: what it did and what it found."""
    f = arts[0]
    req = f.get("requested", {})
    rows = [
        ["seed", f.get("seed", "—")],
        ["calls (sequential + racing)", f"{f.get('calls', 0):,} ({f.get('sequential_calls', 0):,} in "
                                        f"{f.get('sequential_seconds', '—')} s + {f.get('race_calls', 0):,} in "
                                        f"{f.get('race_seconds', '—')} s, {req.get('threads', '?')} threads)"],
        ["stopped runs, all exact (raised = fired = counted)", f"{f.get('stopped_runs_exact', 0):,}"],
        ["broken configs refused with their errno", f"{f.get('broken_configs_refused', 0):,}"],
        ["edu remove/rescan cycles (runs ended by a removal)",
         f"{f.get('edu_cycles', 0):,} ({f.get('runs_ended_by_removal', 0):,})" if f.get("edu_churn") else "not run"],
        ["CPU offline/online cycles", f"{f.get('cpu_cycles', 0):,}" if req.get("hotplug", True) else "not run"],
        ["configs drawn (source × mode, sleep, work/period > 1)", f"{len(f.get('config_space', {}))} kinds, "
         f"each at least {min(f.get('config_space', {}).values(), default=0):,} times"],
        ["failures", f.get("failures", "—")],
        ["kernel log clean", {True: "yes", False: "no (see the box's console.log)"}.get(f.get("kernel_log_clean"),
                                                                                         "not recorded")],
    ]
    out = table(["fuzzer (`ioctl_fuzz`)", "this run"], rows)
    oc = f.get("outcomes", {})
    if oc:
        errs = sorted({e for v in oc.values() for e in v})
        errs = (["ok"] if "ok" in errs else []) + [e for e in errs if e != "ok"]
        out += "\n\nOutcome of each call, by kind:\n\n" + table(
            ["call"] + errs, [[f"`{k}`"] + [f"{v[e]:,}" if e in v else "" for e in errs] for k, v in oc.items()])
    return out


# --- renderers: bench, sweep ------------------------------------------------

def _pct(x):
    return f"{100 * x:+.1f} %"


def _pairs_text(ro):
    """One overhead's group comparison: median, interval, verdict."""
    n = ro.get("pairs", 0)
    if not n:
        return None
    ci = ro.get("pair_ratio_ci95")
    if not ci:
        return f"{_pct(ro['pair_median_ratio'])} (median of {n} groups, too few for a 95 % interval)"
    return (f"{_pct(ro['pair_median_ratio'])} (median of {n} groups, 95 % interval "
            f"{_pct(ci[0])} to {_pct(ci[1])}: {ro.get('pairs_verdict', 'undecided')})")


def render_bench_top_half(arts):
    b = arts[0]
    kinds = [("with records", lambda c: c["records"] and not c.get("records_unread")),
             ("records written, never read", lambda c: c["records"] and c.get("records_unread")),
             ("without records", lambda c: not c["records"])]
    rows = []
    for name, pick in kinds:
        runs = [c for c in b["top_half_cost"] if pick(c)]
        if not runs:
            continue
        means = sorted(c["mean_ns"] for c in runs)
        rows.append([name, f"`{runs[0]['mode']}`", len(runs), runs[0]["top_halves"],
                     f"{us(statistics.median(means), 2)} ({us(means[0], 2)}–{us(means[-1], 2)})",
                     us(max(c["max_ns"] for c in runs), 1)])
    out = (f"Every {b.get('top_half_period_ns', 0) // 1000} µs:\n\n"
           + table(["top half", "mode", "runs", "top halves per run", "mean µs: median of the runs (range)",
                    "max µs"], rows))
    said = []
    for key, what in (("records_overhead", "with records"),
                      ("records_write_overhead", "with records written but never read")):
        ro = b.get(key)
        if not ro or not ro.get("measured"):
            continue
        text = _pairs_text(ro)
        line = f"{what} against without (`{key}`): " + (f"each group's pair {text}; " if text else "")
        said.append(line + f"the runs' medians {_pct(ro['ratio'])}")
    if said:
        out += "\n\nWall time under the test box's accelerator, " + "; ".join(said) + "."
    ic = b.get("records_overhead_icount")
    if ic and ic.get("measured"):
        # make bench's -icount boot (irqbridge-bench-icount): instructions, not ns
        out += (f"\n\nCounted in guest instructions (TCG `-icount`, `records_overhead_icount`): "
                f"the `{ic['mode']}` top half runs {ic['with_ns']:.0f} instructions with records "
                f"and {ic['without_ns']:.0f} without, {100 * ic['ratio']:+.1f} % "
                f"(limit {100 * ic['limit']:+.0f} %).")
        wc = b.get("records_write_overhead_icount")
        if wc and wc.get("measured"):
            out = out[:-1] + (f"; written but never read, {wc['with_ns']:.0f} instructions "
                              f"({100 * wc['ratio']:+.1f} %, `records_write_overhead_icount`).")
    return out


def render_bench_reader(arts):
    b = arts[0]
    rows = [[f"`{c['variant']}`", c["wakeups"], us(c["cpu_ns_per_wakeup"], 0), "yes" if c["exact"] else "**no**"]
            for c in b["reader_cost"]]
    return (f"One event per wake-up, every {b.get('reader_period_ns', 0) // 1000} µs:\n\n"
            + table(["variant", "wake-ups", "reader CPU per wake-up (µs)", "exact"], rows))


def render_bench_rate(arts):
    b = arts[0]
    rows = []
    for mode, s in b["max_sustained_rate"].items():
        if s.get("sustained"):
            rows.append([f"`{mode}`", f"{round(s['rate_hz']):,}/s ({us(s['period_ns'], 0)} µs)"])
        else:
            rows.append([f"`{mode}`", "none of the periods tried"])
    return table(["mode", "highest sustained rate (this run)"], rows)


def render_bench_cpus(arts):
    b = arts[0]
    rows = [[c["cpus"], c["events"], f"{c['reader_cpu_ns'] / 1e6:.0f} ms", us(c["reader_cpu_ns_per_event"], 0),
             f"{c['ring_bytes'] / 2**20:.1f} MiB", f"{c['rss_kb'] / 1024:.1f} MiB", "yes" if c["exact"] else "**no**"]
            for c in b["cpu_scaling"]]
    return table(["CPUs", "events", "reader CPU (all threads)", "per event (µs)", "rings mapped", "peak RSS",
                  "exact"], rows)


def top_half_cell(p):
    """A storm entry's top-half time, mean / max in µs ("—" before the keys existed)."""
    if "top_half_mean_ns" not in p:
        return "—"
    return f"{p['top_half_mean_ns'] / 1000:.1f} / {p['top_half_max_ns'] / 1000:,.0f}"


def throttled_cell(p):
    """A storm entry's expiries held back by the CPU-time guard ("—" before the key existed)."""
    return f"{p['throttled']:,}" if "throttled" in p else "—"


def render_storm(arts):
    """bench.json's storm: each mode under bursts of top halves."""
    b = arts[0]
    rows = []
    for p in b["storm"]:
        if p.get("error"):
            rows.append([f"`{p['mode']}`", p.get("source", "?"), "**failed**: " + p["error"], "", "", "", "", "", "",
                         "", ""])
            continue
        exact = "yes" if p["exact"] else "**no**"
        ksoft = "—" if p["mode"] == "direct" else f"{p['bottom_ksoftirqd']:,}"
        rows.append([f"`{p['mode']}`", p["source"], f"{exact} ({p['fired']:,})", f"{round(p['absorbed_per_s']):,}",
                     f"{p['mean_batch']:.1f}", p["max_batch"], f"{p['bottom_cross_cpu']:,}", ksoft,
                     f"{p['source_busy']:,}", top_half_cell(p), throttled_cell(p)])
    first = b["storm"][0]
    head = (f"Bursts of {first['burst']} top halves every {first['period_ns'] // 1000} µs "
            f"({round(first['offered_per_s']):,}/s offered), {first['events']:,} events per mode:\n\n")
    out = head + table(["mode", "source", "exact (fired)", "absorbed top halves/s", "mean batch", "max batch",
                        "bottom half on another CPU", "run by ksoftirqd", "raises deferred (`source_busy`)",
                        "top half mean / max (µs)", "expiries throttled (`throttled`)"], rows)
    if b.get("storm_all_cpus"):
        out += "\n\n" + render_storm_all_cpus(b["storm_all_cpus"])
    return out


def render_storm_all_cpus(points):
    """bench.json's storm_all_cpus: the same storm on every CPU at once, a channel each."""
    rows = []
    for a in points:
        if a.get("error"):
            rows.append([f"`{a['mode']}`", a.get("source", "?"), "**failed**: " + a["error"], "", "", "", "", "",
                         "", "", ""])
            continue
        exact = "yes" if a["exact"] else "**no**"
        per_cpu = ", ".join(f"{round(p['absorbed_per_s']):,}" for p in a["per_cpu"])
        ksoft = "—" if a["mode"] == "direct" else f"{a['bottom_ksoftirqd']:,}"
        rows.append([f"`{a['mode']}`", a["source"], f"{exact} ({a['fired']:,})", f"{round(a['absorbed_per_s']):,}",
                     per_cpu, f"{a['mean_batch']:.1f}", a["max_batch"], f"{a['timer_overruns']:,}",
                     f"{a['bottom_cross_cpu']:,}", ksoft, top_half_cell(a), throttled_cell(a)])
    first = points[0]
    head = (f"The same storm on all {first['cpus']} CPUs at once (a channel per CPU, each timer pinned to its "
            f"CPU and within that CPU's budget: {round(first['offered_per_s']):,}/s offered), "
            f"{first['events_per_cpu']:,} events per CPU and mode:\n\n")
    return head + table(["mode", "source", "exact (fired)", "absorbed top halves/s, all CPUs", "per CPU",
                         "mean batch", "max batch", "periods skipped (`timer_overruns`)",
                         "bottom half on another CPU", "run by ksoftirqd", "top half mean / max (µs)",
                         "expiries throttled (`throttled`)"], rows)


SWEEP_MODES = ("tasklet", "workqueue", "wq_unbound")
SWEEP_PERIODS = (1000000, 200000, 100000, 20000)


def render_sweep(arts):
    s = arts[0]
    rows = []
    for p in s["points"]:
        if p["mode"] not in SWEEP_MODES or p["period_ns"] not in SWEEP_PERIODS:
            continue
        lat = p.get("latency_ns", {}).get("top_to_user", {})
        rows.append([f"`{p['mode']}`", us(p["period_ns"], 0), f"{round(p['rate_hz']):,}", p["fired"], p["counted"],
                     f"{p['wakeups_per_event']:.3f}", p["max_batch"], p["overruns"], p["timer_overruns"],
                     us(lat.get("p50")), us(lat.get("p99"))])
    exact = all(p.get("exact") for p in s["points"] if "error" not in p)
    return (table(["mode", "period µs", "rate/s", "fired", "counted", "wake/ev", "batch", "lost", "t-ovr",
                   "top_to_user p50 µs", "p99 µs"], rows)
            + f"\n\n`fired == counted` at every point of every mode: {'yes' if exact else '**no**'} "
              f"({len(s['points'])} points).")


# --- renderers: per-CPU ------------------------------------------------------

def render_percpu(arts):
    r = arts[0]
    rows = []
    for name, m in r["modes"].items():
        parts = m["per_cpu"]
        cross = ", ".join(pct(p["cross_cpu"]["bottom"], p["records"]) for p in parts)
        lat = ", ".join(f"{us(p['latency_ns']['timer_to_user']['p50'], 0)} / "
                        f"{us(p['latency_ns']['timer_to_user']['p99'], 0)}" for p in parts)
        exact = all(p["exact"] for p in parts)
        vs = m.get("vs_floor", {}).get("timer_to_user", {}).get("p99")
        rows.append([f"`{name}`", cross, lat, us(m["latency_ns"]["timer_to_user"]["p99"], 0), ratio(vs),
                     f"{parts[0]['fired']} each" if exact else "**no**"])
    return (f"CPUs {', '.join(str(c) for c in r['cpu_list'])}, {r['events']} events × {r['repetitions']} runs per "
            f"CPU and mode:\n\n"
            + table(["mode", "bottom half on another CPU, per CPU", "timer_to_user p50 / p99 per CPU (µs)",
                     "pooled p99 (µs)", "vs floor p99", "exact"], rows))


# --- renderers: wq_unbound placement and the IPI trace -----------------------

def render_unbound_cpus(arts):
    u = arts[0]
    rows = []
    for key, label in (("two_cpus", "2"), ("one_cpu", "1")):
        run = u.get(key)
        if not run:
            continue
        w, b = run["modes"]["workqueue"], run["modes"]["wq_unbound"]
        rows.append([label, f"{us(w['timer_to_user']['p50'], 0)} / {us(w['timer_to_user']['p99'], 0)}",
                     f"{us(b['timer_to_user']['p50'], 0)} / {us(b['timer_to_user']['p99'], 0)}",
                     f"{b['cross_cpu']} of {b['records']}" if label != "1" else "—"])
    return table(["guest CPUs", "workqueue timer_to_user p50 / p99 (µs)", "wq_unbound p50 / p99 (µs)",
                  "unbound items on another CPU"], rows)


def render_unbound_split(arts):
    u = arts[0]
    rows = []
    for g in u["two_cpus"]["by_bottom_cpu"]:
        rows.append([g["relation"], g["events"], f"{us(g['timer_to_user']['p50'], 0)} / "
                     f"{us(g['timer_to_user']['p99'], 0)}", us(g["timer_to_top"]["p99"], 0)])
    return table(["wq_unbound work item ran on", "events", "timer_to_user p50 / p99 (µs)", "timer_to_top p99 (µs)"],
                 rows)


def render_ipi(arts):
    t = arts[0]
    rows = []
    for mode, c in t["modes"].items():
        rows.append([f"`{mode}`", c["events"], f"{c['kworker_wakeups_per_event']:.2f}",
                     f"{c['ipi_send_per_event']:.2f}", f"{c['wakeup_ipi_send_per_event']:.2f}",
                     f"{c['reschedule_ipi_per_event']:.2f}", "yes" if c["complete"] else "**events lost**"])
    return table(["mode", "events", "kworker wake-ups per event", "IPIs sent per event (all causes)",
                  "of them remote wake-ups (`ttwu_queue_wakelist`)", "reschedule IPIs per event",
                  "trace complete"], rows)


# --- renderers: PREEMPT_RT ---------------------------------------------------

def _ctx(d):
    if not d:
        return "—"
    pc = (f"0x{d['preempt_count_min']:x}" if d["preempt_count_min"] == d["preempt_count_max"]
          else f"0x{d['preempt_count_min']:x}–0x{d['preempt_count_max']:x}")
    return f"{d['name']}, `preempt_count` {pc}, irqs off: {d.get('irqs_off', '?')}"


def render_rt_contexts(arts):
    rows = []
    names = [a["kernel"] for a in arts]
    modes = [m for m in arts[0]["modes"] if all(m in a["modes"] for a in arts)]
    for mode in modes:
        for stage in ("top", "bottom", "chain"):
            cells = [_ctx(a["modes"][mode].get("context_detail", {}).get(stage)) for a in arts]
            if all(c == "—" for c in cells):
                continue
            rows.append([f"`{mode}`", stage] + cells)
    return table(["mode", "stage"] + names, rows)


def render_rt_latency(arts):
    names = [a["kernel"] for a in arts]
    modes = list(dict.fromkeys(m for a in arts for m in a["modes"]))
    rows = []
    for mode in modes:
        cells = []
        for a in arts:
            m = a["modes"].get(mode)
            if m is None:
                cells.append("not offered")
                continue
            s = m["latency_ns"]["top_to_user"]
            cells.append(f"{us(s['p50'], 0)} / {us(s['p99'], 0)}"
                         + ("" if m["exact"] else " **(not exact)**"))
        rows.append([f"`{mode}`"] + cells)
    exact = all(m["exact"] for a in arts for m in a["modes"].values())
    return (table(["mode"] + [f"{n}: top_to_user p50 / p99 (µs)" for n in names], rows)
            + f"\n\nEvery mode counted exactly (`fired == counted == read`) on every kernel: "
              f"{'yes' if exact else '**no**'}.")


# --- renderers: test listings --------------------------------------------------

def render_test_counts(arts):
    t = arts[0]
    rows = [[f"`{b['binary']}`", b["ctest"], b["cases"], ", ".join(f"`{s}` {n}" for s, n in b["suites"].items())]
            for b in t["binaries"]]
    return table(["binary", "run by", "cases", "per suite"], rows)


# --- the registry -------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Block:
    artifacts: tuple          # file names under docs/data/, in the order the renderer wants
    render: Callable          # list of loaded artifacts -> markdown
    optional: bool = False    # with an artifact missing: say so instead of failing


K = "6.12"
def render_ratios(arts):
    """make ratios: median p50/p99 ratios to the floor and each stage's p50."""
    r = arts[0]
    rows, stages = [], []
    for name, m in r["modes"].items():
        rp, rq = m["ratio"]["p50"], m["ratio"]["p99"]
        runs = ", ".join(f"{a:.2f}/{b:.2f}" for a, b in zip(rp["runs"], rq["runs"]))
        rows.append([name, f"{rp['median']:.2f}× (≤ {m['target']['p50']:.2f}×)",
                     f"{rq['median']:.2f}× (≤ {m['target']['p99']:.2f}×)", runs])
        st = m["stage_p50_ns"]
        stages.append([name] + [f"{us(st[k])} µs" for k in ("timer_to_top", "top_to_bottom", "bottom_to_user")]
                      + [f"{us(m['timer_to_user_p50_ns'])} µs", f"{us(r['floor_p50_ns'])} µs"])
    return (table(["mode", "p50 ratio (target)", "p99 ratio (target)", "runs p50 / p99"], rows) + "\n\n"
            + table(["stage p50", "timer_to_top", "top_to_bottom", "bottom_to_user", "timer_to_user", "cyclictest"],
                    stages))


def ratio_gap(m, floor_p50):
    """The path against cyclictest's single wake-up, in ns: cyclictest's
    own wake-up is the floor minus the timer's lateness (timer_to_top, the
    same timer in the same boot); the path's extra is its two hops past the
    top half minus that wake-up."""
    st = m["stage_p50_ns"]
    wake = floor_p50 - st["timer_to_top"]
    return wake, st["top_to_bottom"] + st["bottom_to_user"] - wake


def render_ratios_verdict(arts):
    """Per mode: target met or not, and the stage figures that say why."""
    r = arts[0]
    floor = r["floor_p50_ns"]
    rows = []
    for name, m in r["modes"].items():
        st = m["stage_p50_ns"]
        wake, extra = ratio_gap(m, floor)
        verdict = ", ".join(f"{k} {'met' if m['meets'][k] else 'not met'} ({m['ratio'][k]['median']:.2f}×)"
                            for k in ("p50", "p99"))
        budget = (m["target"]["p50"] - 1) * floor
        rows.append([name, verdict, f"{us(st['timer_to_top'])} µs", f"{us(wake)} µs",
                     f"{us(st['top_to_bottom'])} µs", f"{us(st['bottom_to_user'])} µs",
                     f"{us(extra)} µs ({pct(extra, floor)})", f"{us(budget)} µs"])
    return (f"cyclictest p50 {us(floor)} µs (median of the runs). cyclictest's wake-up = its p50 minus "
            "timer_to_top (the same timer's lateness); extra = top_to_bottom + bottom_to_user − that wake-up; "
            "budget = what the p50 target allows over cyclictest.\n\n"
            + table(["mode", "targets", "timer_to_top", "cyclictest's wake-up", "top_to_bottom",
                     "bottom_to_user", "extra over cyclictest", "p50 budget"], rows))


def render_reader_wake_trace(arts):
    """The eventfd -> reader wake-up split into steps, per reader (traced)."""
    tr = arts[0]["wake_trace"]["readers"]
    steps = ["signal_to_waking", "waking_to_running", "running_to_cqe", "running_to_user", "signal_to_user"]
    order = ["read", "uring-read", "uring-mshot", "uring-poll"]
    rows = []
    base = tr.get("read", {}).get("p50_ns", {})
    for v in [v for v in order if v in tr] + [v for v in tr if v not in order]:
        p = tr[v]["p50_ns"]
        cells = [f"{us(p[s])} µs" if s in p else "—" for s in steps]
        delta = p["signal_to_user"] - base["signal_to_user"] if base and v != "read" else None
        rows.append([f"`{v}`", str(tr[v]["wakeups"])] + cells + ["" if delta is None else f"+{us(delta)} µs"])
    return table(["reader", "wake-ups", "signal → waking", "waking → on CPU", "on CPU → CQE",
                  "on CPU → back in user space", "signal → user", "vs read()"], rows)


PREDICT_STAGES = ["timer_to_top", "top_to_bottom", "bottom_to_user", "timer_to_user"]
# Fixed hardware latencies (interrupt delivery, idle-state exit) that an
# instruction count does not see, in instruction-equivalents: the model's
# free parameter, shown as a range.
PREDICT_EXTRA = [0, 1000, 2000, 5000]


def icount_figures(icount):
    """Per mode: p50 instructions of each stage, and the floor's, from the
    2-CPU icount boot (ns there = instructions)."""
    b = icount["boots"]["2"]
    floor = b["floor"]["latency_ns"]["p50"]
    return floor, {m: {s: v["latency_ns"][s]["p50"] for s in PREDICT_STAGES} for m, v in b["modes"].items()}


def render_prediction_stages(arts):
    """Each stage's p50 under TCG (wall clock) beside its instruction count
    (icount): the emulator's cost per instruction, stage by stage."""
    tcg, icount = arts
    floor_i, modes_i = icount_figures(icount)
    floor_t = tcg["floor_p50_ns"]
    rows = []
    for name, m in tcg["modes"].items():
        if name not in modes_i:
            continue
        st = dict(m["stage_p50_ns"], timer_to_user=m["timer_to_user_p50_ns"])
        for s in PREDICT_STAGES:
            i = modes_i[name][s]
            rows.append([name, f"`{s}`", f"{us(st[s])} µs", f"{i:,}", f"{st[s] / i:.0f} ns" if i else "—"])
        wake_t = floor_t - st["timer_to_top"]
        wake_i = floor_i - modes_i[name]["timer_to_top"]
        rows.append([name, "cyclictest's wake-up (its p50 − `timer_to_top`)", f"{us(wake_t)} µs", f"{wake_i:,}",
                     f"{wake_t / wake_i:.0f} ns" if wake_i > 0 else "—"])
    rows.append(["—", "cyclictest p50", f"{us(floor_t)} µs", f"{floor_i:,}", f"{floor_t / floor_i:.0f} ns"])
    return table(["mode", "stage (p50)", "TCG (wall clock)", "guest instructions (icount)",
                  "TCG time per instruction"], rows)


def render_prediction_ratios(arts):
    """The ratio to cyclictest under TCG, in instructions, and predicted for
    hardware with L instruction-equivalents of fixed latency on both paths."""
    tcg, icount = arts
    floor_i, modes_i = icount_figures(icount)
    rows = []
    for name, m in tcg["modes"].items():
        if name not in modes_i:
            continue
        path = modes_i[name]["timer_to_user"]
        row = [name, f"{m['ratio']['p50']['median']:.2f}×", f"{path:,} / {floor_i:,} = {path / floor_i:.2f}×"]
        row += [f"{(path + x) / (floor_i + x):.2f}×" for x in PREDICT_EXTRA[1:]]
        t = m.get("target", {}).get("p50")
        row.append(f"≤ {t:.2f}×" if t else "—")
        # (path + L) / (floor + L) <= t  <=>  L >= (path - t * floor) / (t - 1)
        row.append("—" if not t else f"{max(0, round((path - t * floor_i) / (t - 1))):,}")
        rows.append(row)
    return table(["mode", "TCG p50 ratio (median of runs)", "instructions: path / cyclictest (L = 0)"]
                 + [f"predicted, L = {x:,}" for x in PREDICT_EXTRA[1:]] + ["target", "L the target needs"], rows)


def render_reader_graph(arts):
    """Median time per call of each function on the wake-up path, per
    reader, under the function_graph tracer."""
    fg = arts[0]["wake_trace"]["function_graph"]
    readers = list(fg["readers"])
    rows = []
    for f in fg["functions"]:
        cells = []
        for r in readers:
            c = fg["readers"][r].get(f)
            cells.append("—" if c is None else f"{us(c['p50_ns'])} µs ({c['calls']})")
        if any(c != "—" for c in cells):
            rows.append([f"`{f}()`"] + cells)
    return table(["function"] + [f"`{r}`: µs per call (calls)" for r in readers], rows)


def render_reader_icount(arts):
    """bottom_to_user in guest instructions per reader (icount boot)."""
    v = arts[0]["readers"]["variants"]
    base = {m: v["read"][m]["p50_ns"]["bottom_to_user"] for m in v["read"]}
    rows = []
    for name, modes in v.items():
        cells = []
        for m in ("tasklet", "workqueue"):
            i = modes[m]["p50_ns"]["bottom_to_user"]
            d = "" if name == "read" else f" (+{i - base[m]:,}, +{pct(i - base[m], base[m])})"
            cells.append(f"{i:,}{d}")
        rows.append([f"`{name}`"] + cells)
    return table(["reader", "tasklet: bottom_to_user p50, instructions", "workqueue"], rows)


def render_reader_uring(arts):
    """bottom_to_user p50 per reader and io_uring setup, the mean of the runs;
    rows: read, uring-read, uring-mshot, uring-poll, each by its tasklet p50."""
    g = {}
    for r in arts[0]["runs"]:
        key = (r["reader"], r["io_uring_setup"] or "")
        g.setdefault(key, {}).setdefault(r["mode"], []).append(r["bottom_to_user_ns"]["p50"])
    order = {"read": 0, "uring-read": 1, "uring-mshot": 2, "uring-poll": 3}

    def mean(v):
        return sum(v) / len(v) if v else None

    keys = sorted(g, key=lambda k: (order.get(k[0], 9), mean(g[k].get("tasklet", [])) or 0))
    rows = [[f"`{k[0]}`", k[1].replace("|", "\\|")]
            + [f"{us(mean(g[k].get(m, [])))} µs" for m in ("tasklet", "workqueue")] for k in keys]
    return table(["reader", "setup", "tasklet", "workqueue"], rows)


REGISTRY = {
    "reader-uring": Block((f"reader-uring-{K}.json",), render_reader_uring),
    "reader-uring-setups": Block((f"reader-uring-setups-{K}.json",), render_reader_uring),
    "ratios": Block((f"ratios-{K}.json",), render_ratios),
    "ratios-verdict": Block((f"ratios-{K}.json",), render_ratios_verdict),
    "reader-icount": Block((f"icount-{K}.json",), render_reader_icount),
    "reader-graph": Block((f"reader-uring-{K}.json",), render_reader_graph),
    "prediction-stages": Block((f"ratios-{K}.json", f"icount-{K}.json"), render_prediction_stages),
    "prediction-ratios": Block((f"ratios-{K}.json", f"icount-{K}.json"), render_prediction_ratios),
    "reader-wake-trace": Block((f"reader-uring-{K}.json",), render_reader_wake_trace),
    "demo-counts": Block((f"compare-{K}.json",), render_compare_counts),
    "demo-latency": Block((f"compare-{K}.json",), render_compare_latency),
    "demo-floor": Block((f"compare-{K}.json",), render_compare_floor),
    "demo-spread": Block((f"compare-{K}.json",), render_compare_spread),
    "demo-findings": Block((f"compare-{K}.json",), render_compare_findings),
    "demo-outliers": Block((f"compare-{K}.json",), render_outliers),
    "all-top-half-cost": Block((f"compare-all-{K}.json",), render_top_half_cost),
    "bench-top-half": Block((f"bench-{K}.json",), render_bench_top_half),
    "bench-reader": Block((f"bench-{K}.json",), render_bench_reader),
    "bench-rate": Block((f"bench-{K}.json",), render_bench_rate),
    "bench-cpus": Block((f"bench-cpus-{K}.json",), render_bench_cpus),
    "storm": Block((f"storm-{K}.json",), render_storm),
    "sweep": Block((f"sweep-{K}.json",), render_sweep),
    "percpu": Block((f"percpu-{K}.json",), render_percpu),
    "unbound-cpus": Block((f"unbound-{K}.json",), render_unbound_cpus),
    "unbound-split": Block((f"unbound-{K}.json",), render_unbound_split),
    "ipi-trace": Block((f"ipi-{K}.json",), render_ipi),
    "rt-contexts": Block((f"compare-all-{K}.json", f"compare-all-{K}-rt.json"), render_rt_contexts),
    "rt-latency": Block((f"compare-all-{K}.json", f"compare-all-{K}-rt.json"), render_rt_latency),
    "test-counts": Block(("tests-listing.json",), render_test_counts),
    "fuzz-debug": Block(("fuzz-debug.json",), render_fuzz),
    "bh-kernels": Block(("bh-6.12.json", "bh-7.3.4.json", "bh-7.3.4-rt.json"), render_bh_modes),
    "bh-floors": Block(("bh-6.12.json", "bh-7.3.4.json", "bh-7.3.4-rt.json"), render_bh_floors),
    "bh-7.3.4-rt": Block(("bh-7.3.4-rt.json",), render_bh_rt),
    "timerlat-7.3.4-rt": Block(("bh-7.3.4-rt.json",), render_timerlat_boot),
    # Not in a doc yet: the rtla branch's timerlat floor, for the RT column.
    "timerlat-rt": Block((f"compare-all-{K}-rt.json",), render_timerlat),
}


def load_artifact(root, name):
    with open(os.path.join(root, "docs", "data", name), encoding="utf-8") as f:
        return json.load(f)


def render_block(root, name, registry=None, prefix="docs/data/"):
    registry = REGISTRY if registry is None else registry
    if name not in registry:
        raise KeyError(f"no renderer registered for block '{name}' (docs/generator/docsgen.py REGISTRY)")
    blk = registry[name]
    arts = []
    for a in blk.artifacts:
        try:
            arts.append(load_artifact(root, a))
        except FileNotFoundError:
            if blk.optional:
                return f"(artifact `docs/data/{a}` not committed yet: `make docs-data`)\n"
            raise
    lines = [provenance_line(a, art, prefix) for a, art in zip(blk.artifacts, arts)]
    return "\n".join(lines) + "\n\n" + blk.render(arts).rstrip("\n") + "\n"


def link_prefix(root, path):
    rel = os.path.relpath(os.path.join(root, "docs", "data"), os.path.dirname(path))
    return rel.replace(os.sep, "/") + "/"


def doc_files(root):
    out = []
    for pattern in DOCS:
        out += sorted(glob.glob(os.path.join(root, pattern)))
    return out


def regenerate_text(root, text, registry=None, prefix="docs/data/"):
    """The document with every generated block rewritten; raises on bad
    markers. `prefix`: the path from the document to docs/data/."""
    names = [m.group(2) for m in BEGIN_RE.finditer(text)]
    blocks = [m.group("name") for m in BLOCK_RE.finditer(text)]
    if len(names) != 2 * len(blocks):
        raise ValueError(f"unpaired GENERATED markers ({names})")

    def sub(m):
        return m.group(1) + render_block(root, m.group("name"), registry, prefix) + m.group(4)
    return BLOCK_RE.sub(sub, text)


# --- test references -------------------------------------------------------------

TEST_REF_RE = re.compile(r"`test:([^`\s]+)`")
BARE_CTEST_RE = re.compile(r"`(e2e\.[a-z0-9_]+)`")
MEASURED_HEADER_RE = re.compile(r"\b(p50|p99|p99\.9)\b|\bmean\b|cross-CPU|per wake-up")
HAND_TABLE = "Not from an artifact"
CLAIM_RE = re.compile(r"\b(shown by|tested by|asserted|asserts|checked by|checks)\b", re.I)


def _read(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


class TestIndex:
    """What tests exist, read from the sources (no build needed)."""

    def __init__(self, root):
        self.root = root
        self.ctests = set()
        for cm in glob.glob(os.path.join(root, "tests", "**", "CMakeLists.txt"), recursive=True):
            self.ctests |= ctest_names(_read(cm))
        self.ctests.add("unit")
        self.gtest = set()
        self.params = {}
        for src in glob.glob(os.path.join(root, "tests", "**", "*.cpp"), recursive=True):
            text = _read(src)
            for suite, name in re.findall(r"^\s*TEST(?:_F|_P)?\(\s*(\w+)\s*,\s*(\w+)\s*\)", text, re.M):
                self.gtest.add(f"{suite}.{name}")
            for suite in re.findall(r"INSTANTIATE_TEST_SUITE_P\(\s*\w+\s*,\s*(\w+)", text):
                self.params.setdefault(suite, set()).update(re.findall(r'\{\s*"(\w+)"', text))
        self.judges = {}
        for py in glob.glob(os.path.join(root, "tests", "**", "*.py"), recursive=True):
            mod = os.path.splitext(os.path.basename(py))[0]
            self.judges[mod] = set(re.findall(r"^def (\w+)\(", _read(py), re.M))

    def problem(self, ref):
        """None if `ref` names an existing test, else why not."""
        ctest, _, rest = ref.partition("/")
        if ctest not in self.ctests:
            return f"no ctest named '{ctest}'"
        if not rest:
            return None
        if "/" in rest:
            suite, _, case = rest.partition("/")
            cases = self.params.get(suite)
            if cases is None:
                return f"no parameterised suite '{suite}'"
            if not any(fnmatch.fnmatchcase(c, case) for c in cases):
                return f"suite '{suite}' has no case matching '{case}'"
            return None
        first, _, second = rest.partition(".")
        if first in self.judges:
            return None if second in self.judges[first] else f"judge {first}.py has no function '{second}'"
        if rest in self.gtest:
            return None
        return f"no GoogleTest '{rest}' and no judge '{first}.py' in tests/"


def ctest_names(cmake):
    """add_test(NAME ...) names, with foreach(var items) loops expanded."""
    names = set()
    loops = {}
    for var, items in re.findall(r"foreach\(\s*(\w+)\s+([^)]*)\)", cmake):
        loops[var] = items.split()
    for name in re.findall(r"add_test\(\s*NAME\s+(\S+)", cmake):
        m = re.search(r"\$\{(\w+)\}", name)
        if m and m.group(1) in loops:
            names |= {name.replace(m.group(0), item) for item in loops[m.group(1)]}
        elif not m:
            names.add(name)
    return names


def claim_problems(path, text, index):
    """Every cited test must exist; every claim must cite one."""
    rel = os.path.relpath(path, index.root)
    problems = []
    lines = text.split("\n")
    header = None
    generated = False
    for no, line in enumerate(lines, 1):
        marker = BEGIN_RE.search(line)
        if marker:
            generated = marker.group(1) == "BEGIN"
        if (not generated and line.startswith("|") and header is None and MEASURED_HEADER_RE.search(line)
                and not any(HAND_TABLE in prev for prev in lines[max(0, no - 16):no - 1])):
            problems.append(f"{rel}:{no}: a table of measured figures outside a generated block "
                            f"(generate it from an artifact, or say '{HAND_TABLE}' above it)")
        for ref in TEST_REF_RE.findall(line):
            why = index.problem(ref)
            if why:
                problems.append(f"{rel}:{no}: `test:{ref}`: {why}")
        for ref in BARE_CTEST_RE.findall(line):
            if ref not in index.ctests:
                problems.append(f"{rel}:{no}: `{ref}`: no ctest by that name")
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if header is None:
                header = [c.lower() for c in cells]
            elif not set(line) <= set("|-: "):
                for h, c in zip(header, cells):
                    if h in ("shown by", "tested by") and not c.startswith("—") and not TEST_REF_RE.search(c):
                        problems.append(f"{rel}:{no}: a '{h}' cell names no `test:...`: {c[:60]}")
        else:
            header = None
    for para_start, para in _paragraphs(lines):
        if para.startswith(("|", "#")) or "<!-- BEGIN GENERATED" in para:
            continue
        if CLAIM_RE.search(para) and not TEST_REF_RE.search(para):
            problems.append(f"{rel}:{para_start}: a claim ('{CLAIM_RE.search(para).group(0)}') "
                            f"cites no `test:...`")
    return problems


def _paragraphs(lines):
    start, buf, fence = None, [], False
    for no, line in enumerate(lines, 1):
        if line.startswith("```"):
            fence = not fence
            continue
        if fence:
            continue
        if line.strip() == "":
            if buf:
                yield start, "\n".join(buf)
            start, buf = None, []
        else:
            start = start or no
            buf.append(line)
    if buf:
        yield start, "\n".join(buf)


# --- commands --------------------------------------------------------------------

def _regenerated_docs(root):
    """Yield (path, rel, text, new, error) per doc: its text, and what its blocks
    regenerate to (the text unchanged, with the error, when an artifact fails)."""
    for path in doc_files(root):
        rel = os.path.relpath(path, root)
        text = _read(path)
        try:
            yield path, rel, text, regenerate_text(root, text, prefix=link_prefix(root, path)), None
        except (ValueError, KeyError, FileNotFoundError) as e:
            yield path, rel, text, text, e


def generate(root):
    """Rewrite every doc's blocks; returns (changed files, problems)."""
    changed, problems = [], []
    for path, rel, text, new, error in _regenerated_docs(root):
        if error:
            problems.append(f"{rel}: {error} (left as it was)")
            continue
        if new != text:
            with open(path, "w", encoding="utf-8") as f:
                f.write(new)
            changed.append(rel)
    return changed, problems


def check(root):
    problems = []
    index = TestIndex(root)
    for path, rel, text, new, error in _regenerated_docs(root):
        if error:
            problems.append(f"{rel}: {error}")
        if new != text:
            for m_old, m_new in zip(BLOCK_RE.finditer(text), BLOCK_RE.finditer(new)):
                if m_old.group("body") != m_new.group("body"):
                    line = text[:m_old.start()].count("\n") + 1
                    problems.append(f"{rel}:{line}: generated block '{m_old.group('name')}' differs from "
                                    f"what its artifacts give (make docs)")
        problems += claim_problems(path, text, index)
    return problems


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=["generate", "check"])
    ap.add_argument("--root", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
    args = ap.parse_args(argv)
    root = os.path.abspath(args.root)
    if args.command == "generate":
        changed, problems = generate(root)
        for rel in changed:
            print(f"docs: regenerated {rel}")
        for p in problems:
            print(f"docs: {p}", file=sys.stderr)
        return 1 if problems else 0
    problems = check(root)
    for p in problems:
        print(f"docs-check: {p}")
    if problems:
        print(f"docs-check: FAIL, {len(problems)} problem(s)")
        return 1
    print(f"docs-check: every generated block matches its artifacts, every cited test exists")
    return 0


if __name__ == "__main__":
    sys.exit(main())
