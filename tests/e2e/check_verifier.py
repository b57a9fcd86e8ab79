#!/usr/bin/env python3
"""Judge e2e.verifier: the debug kernel as Linux's "Driver Verifier".

The guest (guest/verifier.sh) loads tests/verifier/irqbridge_planted.ko once
per bug, each load between two markers the guest writes into the kernel log:

    verifier: BEGIN bug=NAME lockdep=STATE   ...   verifier: END bug=NAME lockdep=STATE

For each load, in the console and in dmesg, the lines of the kernel log that
check_kernel_log.sh counts as complaints must be exactly the report the
planted bug earns on this kernel: on a kernel with the checker (from its
.config: DEBUG_ATOMIC_SLEEP, PROVE_RAW_LOCK_NESTING) one report naming the
planted function, on a kernel without it none at all, though the planted
code ran (its "ran planted" line). bug=none, every path correct, must stay
silent everywhere. Lockdep (PROVE_LOCKING) must still be on before every
load; only raw_nesting's report may switch it off.

The lines of the loads are then cut out (OUT/residual/), and run_e2e.sh runs
check_kernel_log.sh on what is left: any other complaint of the boot fails.

    check_verifier.py OUT_DIR --config KCONFIG --pattern ERE
"""
import argparse
import os
import re
import sys

BUGS = ("none", "tasklet_sleep", "gfp_irqsave", "raw_nesting")
MARK_RE = re.compile(r"verifier: (BEGIN|END) bug=(\w+) lockdep=(\w+)")
# A reliable entry of a call trace (not a "? " guess), after an optional
# printk timestamp.
TRACE = r"^(\[[^\]]*\])?\s*"
SLEEP_BUG = r"BUG: sleeping function called from invalid context at \S+:\d+"


def expectations(config):
    """For each bug: (the complaint lines it must produce, one each, in any
    order; other lines its report must contain). Empty without the checker."""
    atomic_sleep = "CONFIG_DEBUG_ATOMIC_SLEEP=y" in config
    raw_nesting = "CONFIG_PROVE_RAW_LOCK_NESTING=y" in config
    exp = {bug: ([], []) for bug in BUGS}
    if atomic_sleep:
        # might_sleep() in the tasklet: softirq, interrupts on; the report
        # points at the planted line and the trace at the tasklet.
        exp["tasklet_sleep"] = (
            [r"BUG: sleeping function called from invalid context at \S*irqbridge_planted\.c:\d+",
             r"Call Trace:"],
            [r"in_atomic\(\): 1, irqs_disabled\(\): 0", TRACE + r"irqbridge_planted_tasklet_fn\+0x"])
        # kmalloc(GFP_KERNEL)'s might_alloc() under spin_lock_irqsave().
        exp["gfp_irqsave"] = (
            [SLEEP_BUG, r"Call Trace:"],
            [r"in_atomic\(\): 1, irqs_disabled\(\): 1",
             r"\(irqbridge_planted_lock\).*, at: irqbridge_planted_gfp_irqsave\+0x",
             TRACE + r"irqbridge_planted_gfp_irqsave\+0x"])
    if raw_nesting:
        # Lockdep's wait-type check: a spinlock_t inside a raw_spinlock_t.
        exp["raw_nesting"] = (
            [r"\[ BUG: Invalid wait context \]", r"Call Trace:"],
            [r"is trying to lock:", r"\(irqbridge_planted_lock\)",
             r"at: irqbridge_planted_raw_nesting\+0x", r"\(irqbridge_planted_raw_lock\)"])
    return exp


# The tasklet's might_sleep() may run on the exit of an interrupt that took
# the CPU from a task between setting its state and schedule() (insmod
# waiting for the tasklet, in __wait_for_common()). __might_sleep() then
# warns about that task's state first, with a trace through the same
# tasklet, and goes on to the report above. That warning is part of the
# planted bug's report, allowed once, and only with its own text.
TASK_STATE_WARNING = r"do not call blocking ops when !TASK_RUNNING; state=\w+ set at"
TASK_STATE_REPORT = [r"WARNING: CPU: \d+ PID: \d+ at kernel/sched/core\.c:\d+ __might_sleep\+0x",
                     r"Call Trace:"]


def lockdep_expected(config):
    """lockdep's state (debug_locks) at each marker: None without lockdep."""
    if "CONFIG_PROVE_LOCKING=y" not in config:
        return None
    off_after_raw = "CONFIG_PROVE_RAW_LOCK_NESTING=y" in config
    want = {}
    for bug in BUGS:
        want[("BEGIN", bug)] = "1"
        want[("END", bug)] = "0" if bug == "raw_nesting" and off_after_raw else "1"
    return want


def segments(lines):
    """{bug: (begin index, end index, begin state, end state)} and problems."""
    found, problems, open_bug = {}, [], None
    for i, line in enumerate(lines):
        m = MARK_RE.search(line)
        if not m:
            continue
        kind, bug, state = m.groups()
        if kind == "BEGIN":
            if open_bug is not None:
                problems.append(f"BEGIN bug={bug} inside bug={open_bug[0]}")
            if bug in found:
                problems.append(f"bug={bug} loaded twice")
            open_bug = (bug, i, state)
        else:
            if open_bug is None or open_bug[0] != bug:
                problems.append(f"END bug={bug} without its BEGIN")
                continue
            found[bug] = (open_bug[1], i, open_bug[2], state)
            open_bug = None
    if open_bug is not None:
        problems.append(f"bug={open_bug[0]}: no END marker (the load did not return?)")
    order = [b for b in sorted(found, key=lambda b: found[b][0])]
    if order != [b for b in BUGS if b in found]:
        problems.append(f"loads out of order: {order}")
    for bug in BUGS:
        if bug not in found:
            problems.append(f"bug={bug}: no BEGIN/END markers in the log")
    return found, problems


def judge_segment(bug, body, pattern, expected):
    """Problems of one load's lines against its expected report."""
    problems = []
    complaints_re, musts = expected
    ran = {"tasklet_sleep": r"irqbridge_planted: tasklet_sleep: ran (planted|correct), in softirq: 1",
           "gfp_irqsave": r"irqbridge_planted: gfp_irqsave: ran (planted|correct)",
           "raw_nesting": r"irqbridge_planted: raw_nesting: ran (planted|correct)"}
    for path, line_re in ran.items():
        want = "planted" if path == bug else "correct"
        line_re = line_re.replace("(planted|correct)", want)
        if not any(re.search(line_re, line) for line in body):
            problems.append(f"bug={bug}: no '{line_re}' line: the path did not run as asked")
    if not any(f"irqbridge_planted: planted {bug}, all paths ran" in line for line in body):
        problems.append(f"bug={bug}: the load did not finish ('planted {bug}, all paths ran' missing)")
    complaints = [line for line in body if pattern.search(line)]
    unmatched = list(range(len(complaints_re)))
    allowed = []
    if bug == "tasklet_sleep" and complaints_re and any(re.search(TASK_STATE_WARNING, line) for line in body):
        allowed = list(TASK_STATE_REPORT)
    for line in complaints:
        hit = next((k for k in unmatched if re.search(complaints_re[k], line)), None)
        if hit is not None:
            unmatched.remove(hit)
            continue
        extra = next((r for r in allowed if re.search(r, line)), None)
        if extra is not None:
            allowed.remove(extra)
        else:
            problems.append(f"bug={bug}: unexpected kernel complaint: {line.strip()}")
    for k in unmatched:
        problems.append(f"bug={bug}: the expected report line '{complaints_re[k]}' is missing")
    for must in musts:
        if not any(re.search(must, line) for line in body):
            problems.append(f"bug={bug}: the report lacks '{must}'")
    return problems


def judge_log(text, pattern, config):
    """(problems, the log without the loads' lines)."""
    lines = text.replace("\r", "").split("\n")
    found, problems = segments(lines)
    exp = expectations(config)
    for bug, (begin, end, _, _) in found.items():
        problems += judge_segment(bug, lines[begin + 1:end], pattern, exp[bug])
    want = lockdep_expected(config)
    for bug, (_, _, before, after) in found.items():
        for kind, state in (("BEGIN", before), ("END", after)):
            if want is None:
                if state != "none":
                    problems.append(f"bug={bug}: lockdep={state} at {kind}, but this kernel has no lockdep")
            elif state != want[(kind, bug)]:
                problems.append(f"bug={bug}: lockdep debug_locks={state} at {kind}, want {want[(kind, bug)]}")
    cut = set()
    for begin, end, _, _ in found.values():
        cut.update(range(begin, end + 1))
    residual = "\n".join(line for i, line in enumerate(lines) if i not in cut)
    return problems, residual


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--config", required=True, help="the kernel's .config")
    ap.add_argument("--pattern", required=True, help="check_kernel_log.sh's complaint pattern (ERE)")
    args = ap.parse_args(argv)
    with open(args.config, encoding="utf-8") as f:
        config = set(f.read().splitlines())
    pattern = re.compile(args.pattern)
    os.makedirs(os.path.join(args.out, "residual"), exist_ok=True)
    failed = False
    for name in ("console.log", "dmesg.txt"):
        path = os.path.join(args.out, name)
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                text = f.read()
        except OSError as e:
            print(f"check_verifier: {e}")
            failed = True
            continue
        problems, residual = judge_log(text, pattern, config)
        for p in problems:
            print(f"check_verifier: {name}: {p}")
        failed |= bool(problems)
        with open(os.path.join(args.out, "residual", name), "w", encoding="utf-8") as f:
            f.write(residual)
    exp = expectations(config)
    reported = [b for b in BUGS if exp[b][0]]
    if not failed:
        print(f"check_verifier: reported as expected: {', '.join(reported) or 'nothing'}; "
              f"silent: {', '.join(b for b in BUGS if b not in reported)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
