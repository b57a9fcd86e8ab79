#!/usr/bin/env python3
"""Judge a compare report written in the test box.

Checks the contract keys of irqbridge.compare/1 and what must hold for
every mode: fired == counted == the requested events, no record lost, no
sequence gap, no unattributed record at a 1 ms period, the top half in
its source's context (hard IRQ; softirq for timer_soft), the bottom half in
the context of its mechanism (a mode without one: the top half's), no
ordering violations, sane statistics. "--modes all" means every mode the
kernel must have (--kernel-modes, from kernel_modes.py), no fewer. With
--timerlat yes (the kernel's .config has CONFIG_TIMERLAT_TRACER) the report
holds rtla timerlat's result: IRQ and thread samples > 0, p50 <= p99 <= max,
its run settings; with --timerlat no it holds null and a reason naming the
missing tracer. Speed is never judged here (TCG is noisy).
"""
import argparse
import json
import sys

import catalogue

# At this period and slower a record lost, a gap in the sequence numbers or
# a record the reader could not attribute is a defect, not load.
LOSSLESS_PERIOD_NS = 1000000
# Where each mode's stages run, and the stages every report has: the
# catalogue's (irqbridge info --json), not a list of this judge's own.
STAGES = catalogue.main_stages()
STATS = ("n", "p50", "p90", "p99", "p999", "max")


def check_timerlat(report, has_tracer, period_ns):
    """The second floor: rtla timerlat's object, or null with the reason."""
    errors = []
    if "timerlat" not in report or not isinstance(report.get("timerlat_reason"), str):
        return ["timerlat or timerlat_reason missing"]
    t, reason = report["timerlat"], report["timerlat_reason"]
    if not has_tracer:
        if t is not None:
            errors.append("timerlat is not null on a kernel without the timerlat tracer")
        if "timerlat tracer" not in reason:
            errors.append(f"timerlat_reason does not name the missing tracer: {reason!r}")
        return errors
    if not isinstance(t, dict):
        return [f"timerlat is null on a kernel with the tracer: {reason!r}"]
    if reason:
        errors.append(f"timerlat_reason is {reason!r} beside a result")
    settings = t.get("settings", {})
    for key in ("duration_s", "period_us", "priority", "cpus", "policy"):
        if key not in settings:
            errors.append(f"timerlat.settings.{key} missing")
    if settings.get("period_us") != period_ns // 1000:
        errors.append(f"timerlat.settings.period_us {settings.get('period_us')} != the period")
    if not isinstance(settings.get("duration_s"), int) or settings["duration_s"] < 1:
        errors.append(f"timerlat.settings.duration_s is {settings.get('duration_s')!r}")
    for side in ("irq", "thread"):
        s = t.get(side)
        if not isinstance(s, dict):
            errors.append(f"timerlat.{side} missing")
            continue
        lat = s.get("latency_ns", {})
        n = s.get("samples")
        if not isinstance(n, int) or n <= 0:
            errors.append(f"timerlat.{side}.samples is {n!r}, want > 0")
        if lat.get("n") != n:
            errors.append(f"timerlat.{side}.latency_ns.n {lat.get('n')} != samples {n}")
        seq = [lat.get(k) for k in ("p50", "p99", "max")]
        if not all(isinstance(v, int) for v in seq):
            errors.append(f"timerlat.{side}.latency_ns lacks p50/p99/max: {seq}")
        elif not (0 <= seq[0] <= seq[1] <= seq[2]):
            errors.append(f"timerlat.{side}: not 0 <= p50 <= p99 <= max: {seq}")
    return errors


def check(report, events, period_ns, modes, source=None, kernel_modes=None, timerlat=None):
    errors = []

    def need(cond, msg):
        if not cond:
            errors.append(msg)

    # The shape (every key, its type): the report's JSON Schema.
    errors.extend(f"schema: {e}" for e in catalogue.compare_schema_errors(report))
    need(report.get("accel") in ("tcg", "kvm"), f"accel is {report.get('accel')!r}")
    # Issue 16: the test box kernels (6.1 and newer) all have
    # SINGLE_ISSUER and DEFER_TASKRUN: anything else is a broken setup.
    setup = report.get("reader", {}).get("io_uring_setup", {})
    need(setup.get("flags") == "SINGLE_ISSUER|DEFER_TASKRUN",
         f"reader.io_uring_setup is {setup!r}")
    need(report.get("events") == events, f"events {report.get('events')} != {events}")
    need(report.get("period_ns") == period_ns, f"period_ns {report.get('period_ns')} != {period_ns}")
    got_modes = report.get("modes", {})
    if modes == ["all"]:
        # Every mode this kernel must have: a mode that vanished fails.
        if not kernel_modes:
            errors.append("--modes all needs the kernel's modes (--kernel-modes)")
        modes = list(kernel_modes or [])
    need(sorted(got_modes) == sorted(modes), f"modes {sorted(got_modes)} != {sorted(modes)}")
    if timerlat is not None:
        errors.extend(check_timerlat(report, timerlat, period_ns))

    for name, mode in got_modes.items():
        p = f"modes.{name}"
        if period_ns >= LOSSLESS_PERIOD_NS:
            for key in ("overruns", "seq_gaps", "unattributed"):
                need(mode.get(key) == 0, f"{p}.{key} is {mode.get(key)}, want 0 at {period_ns} ns")
        reps = report.get("repetitions", 1)
        need(mode.get("fired") == events * reps,
             f"{p}.fired {mode.get('fired')} != {events} x {reps} repetitions")
        need(mode.get("counted") == mode.get("fired"),
             f"{p}: fired {mode.get('fired')} != counted {mode.get('counted')}")
        need(mode.get("reader_total") == mode.get("counted"),
             f"{p}: the reader read {mode.get('reader_total')}, counted {mode.get('counted')}")
        need(1 <= mode.get("wakeups", 0) <= events * reps,
             f"{p}.wakeups {mode.get('wakeups')} out of range")
        ctx = mode.get("context", {})
        if name not in catalogue.modes():
            errors.append(f"{p}: not a mode of the catalogue")
            continue
        if mode.get("source") not in catalogue.sources():
            errors.append(f"{p}.source {mode.get('source')!r} is not a source of the catalogue")
            continue
        want_top = catalogue.top_context(mode["source"])
        need(ctx.get("top") == want_top,
             f"{p}.context.top is {ctx.get('top')!r}, want {want_top} ({mode['source']})")
        want = catalogue.signal_context(name, mode["source"])
        need(ctx.get("bottom") == want, f"{p}.context.bottom is {ctx.get('bottom')!r}, want {want}")
        want_chain = catalogue.chain_context(name)
        need(ctx.get("chain") == want_chain,
             f"{p}.context.chain is {ctx.get('chain')!r}, want {want_chain}")
        if source:
            want_source = catalogue.effective_source(name, source)
            need(mode.get("source") == want_source,
                 f"{p}.source is {mode.get('source')!r}, want {want_source}")
        need(mode.get("order_violations", 0) == 0,
             f"{p}: {mode.get('order_violations')} events with stages out of order")
        lat = mode.get("latency_ns", {})
        for stage in STAGES:
            st = lat.get(stage)
            if not isinstance(st, dict):
                errors.append(f"{p}.latency_ns.{stage} missing")
                continue
            if all(isinstance(st.get(k), int) for k in STATS):
                want_n = events * reps - mode.get("overruns", 0) - mode.get("warmup", 0)
                need(st["n"] == want_n, f"{p}.{stage}.n {st['n']} != fired - overruns - warmup")
                seq = [st[k] for k in STATS[1:]]
                need(seq == sorted(seq), f"{p}.{stage} percentiles not monotonic: {seq}")
                need(st["p50"] >= 0, f"{p}.{stage}.p50 negative")
    return errors


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("report")
    ap.add_argument("--events", type=int, required=True)
    ap.add_argument("--period-ns", type=int, required=True)
    ap.add_argument("--modes", default="tasklet,workqueue",
                    help="the modes the report must hold, or 'all'")
    ap.add_argument("--source", help="the source every mode must report")
    ap.add_argument("--kernel-modes", default="",
                    help="the modes the kernel must have (kernel_modes.py), for --modes all")
    ap.add_argument("--timerlat", choices=("yes", "no"),
                    help="whether the kernel has the timerlat tracer (its .config): the report "
                         "must then hold rtla timerlat's result, else null and the reason")
    args = ap.parse_args()
    try:
        with open(args.report) as f:
            report = json.load(f)
    except (OSError, ValueError) as e:
        print(f"check_report: {args.report}: {e}")
        return 1
    errors = check(report, args.events, args.period_ns, args.modes.split(","), args.source,
                   args.kernel_modes.split(),
                   None if args.timerlat is None else args.timerlat == "yes")
    for e in errors:
        print(f"check_report: {e}")
    if not errors:
        summary = ", ".join(
            f"{n}: fired={m['fired']} counted={m['counted']} wakeups={m['wakeups']} "
            f"top_to_user p50={m['latency_ns']['top_to_user']['p50']} ns"
            for n, m in report["modes"].items())
        t = report.get("timerlat")
        if isinstance(t, dict):
            summary += (f"; timerlat irq p50={t['irq']['latency_ns']['p50']} ns "
                        f"n={t['irq']['samples']}, thread p50={t['thread']['latency_ns']['p50']} ns "
                        f"n={t['thread']['samples']}")
        elif args.timerlat is not None:
            summary += f"; timerlat null: {report.get('timerlat_reason')}"
        print(f"check_report: ok ({summary})")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
