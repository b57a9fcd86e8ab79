#!/usr/bin/env python3
"""Judge e2e.edu_timer: the worked port's runs (examples/edu-timer).

Every run must be exact: the interrupts the timer raised == the ISR runs
that found the device's interrupt == the deferred runs (none with
PassiveHandling) == the eventfd signals == the total the user program read,
with no IRQ_NONE; and every routine ran in its context: the ISR in hard IRQ
(in the IRQ thread with PassiveHandling, and on PREEMPT_RT, where handlers
are force-threaded), the DPC in softirq, the work item in a task.

    check_edu_timer.py OUT_DIR --ticks N [--rt] [--no-suspend]
"""
import argparse
import os
import sys

MODES = ("dpc", "workitem", "passive")
# The file the guest writes, its mode, how many ticks it ran.
EXTRA_RUNS = (("suspend", "dpc", 400), ("rescan", "workitem", 50))
# The bad requests of edu_timer_user --check-errors, each with its errno.
ERROR_CHECKS = 16


def parse(text):
    """The key=value pairs of the program's 'edu-timer: mode=...' line."""
    lines = [line for line in text.splitlines() if line.startswith("edu-timer: mode=")]
    if len(lines) != 1:
        raise ValueError(f"expected one 'edu-timer: mode=' line, found {len(lines)}")
    pairs = dict(item.split("=", 1) for item in lines[0].split()[1:])
    for key in ("ticks", "raised", "isr_runs", "isr_none", "deferred_runs", "signals",
                "eventfd_total", "reads"):
        pairs[key] = int(pairs[key])
    return pairs


def expected_contexts(mode, rt):
    isr = "task" if mode == "passive" or rt else "hardirq"
    deferred = {"dpc": "softirq", "workitem": "task", "passive": "none"}[mode]
    return isr, deferred


def judge_run(c, mode, ticks, rt):
    """The list of what is wrong with one run's counts (empty: exact)."""
    bad = []

    def want(key, value):
        if c.get(key) != value:
            bad.append(f"{key}={c.get(key)}, expected {value}")

    want("mode", mode)
    want("ticks", ticks)
    want("raised", ticks)
    want("isr_runs", ticks)
    want("isr_none", 0)
    want("deferred_runs", 0 if mode == "passive" else ticks)
    want("signals", ticks)
    want("eventfd_total", ticks)
    if not 1 <= c.get("reads", 0) <= ticks:
        bad.append(f"reads={c.get('reads')}, expected 1..{ticks}")
    isr, deferred = expected_contexts(mode, rt)
    want("isr_context", isr)
    want("deferred_context", deferred)
    return bad


def judge_errors(text):
    checks = [line for line in text.splitlines() if line.startswith("edu-timer: check ")]
    bad = [line for line in checks if ": PASS " not in line]
    if len(checks) != ERROR_CHECKS:
        bad.append(f"{len(checks)} error checks ran, expected {ERROR_CHECKS}")
    if "edu-timer: checks passed" not in text:
        bad.append("no 'checks passed' line")
    return bad


def judge(out, ticks, rt, suspend=True):
    failures = []
    runs = [(m, m, ticks) for m in MODES] + [
        r for r in EXTRA_RUNS if suspend or r[0] != "suspend"]
    for name, mode, n in runs:
        path = os.path.join(out, f"edu_timer_{name}.txt")
        try:
            with open(path, encoding="utf-8") as f:
                counts = parse(f.read())
        except (OSError, ValueError, KeyError) as e:
            failures.append(f"{name}: {e}")
            continue
        for problem in judge_run(counts, mode, n, rt):
            failures.append(f"{name}: {problem}")
    try:
        with open(os.path.join(out, "edu_timer_errors.txt"), encoding="utf-8") as f:
            failures += [f"errors: {p}" for p in judge_errors(f.read())]
    except OSError as e:
        failures.append(f"errors: {e}")
    return failures


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--ticks", type=int, required=True)
    ap.add_argument("--rt", action="store_true", help="a PREEMPT_RT kernel")
    ap.add_argument("--no-suspend", action="store_true",
                    help="the kernel cannot suspend (no CONFIG_SUSPEND/PM_DEBUG): no suspend run")
    args = ap.parse_args()
    failures = judge(args.out, args.ticks, args.rt, not args.no_suspend)
    for f in failures:
        print(f"check_edu_timer: FAIL {f}")
    if failures:
        return 1
    runs = len(MODES) + len(EXTRA_RUNS) - (1 if args.no_suspend else 0)
    print(f"check_edu_timer: {runs} runs exact, error checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
