#!/usr/bin/env python3
"""Unit tests of check_verifier.py, the judge of e2e.verifier: the expected
reports pass on the debug kernel and silence passes on a production one; a
missing report, an extra complaint, a report on the wrong load, a report on
a kernel without the checker, lockdep off too early, or a load that did not
finish fails; a complaint outside the loads stays in the residual log for
check_kernel_log.sh (no test box)."""
import os
import re
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import check_verifier  # noqa: E402

PATTERN = re.compile(subprocess.run([os.path.join(HERE, "check_kernel_log.sh"), "--pattern"],
                                    check=True, capture_output=True, text=True).stdout.strip())
DEBUG = {"CONFIG_DEBUG_ATOMIC_SLEEP=y", "CONFIG_PROVE_LOCKING=y", "CONFIG_PROVE_RAW_LOCK_NESTING=y"}
PRODUCTION = {"CONFIG_PREEMPT_DYNAMIC=y"}

REPORTS = {
    "tasklet_sleep": [
        "BUG: sleeping function called from invalid context at /src/tests/verifier/irqbridge_planted.c:93",
        "in_atomic(): 1, irqs_disabled(): 0, non_block: 0, pid: 0, name: swapper/1",
        "Call Trace:",
        " irqbridge_planted_tasklet_fn+0x2a/0x60 [irqbridge_planted]",
    ],
    "gfp_irqsave": [
        "BUG: sleeping function called from invalid context at include/linux/sched/mm.h:337",
        "in_atomic(): 1, irqs_disabled(): 1, non_block: 0, pid: 90, name: insmod",
        " #0: ffffffffa00081b8 (irqbridge_planted_lock){....}-{3:3}, at: irqbridge_planted_gfp_irqsave+0x17/0xc1",
        "Call Trace:",
        " irqbridge_planted_gfp_irqsave+0x40/0xa0 [irqbridge_planted]",
    ],
    "raw_nesting": [
        "[ BUG: Invalid wait context ]",
        "insmod/91 is trying to lock:",
        "ffffffffc0002040 (irqbridge_planted_lock){....}-{3:3}, at: irqbridge_planted_raw_nesting+0x1c/0x80",
        " #0: ffffffffc0002000 (irqbridge_planted_raw_lock){....}-{2:2}, at: irqbridge_planted_raw_nesting+0x10/0x80",
        "Call Trace:",
    ],
}


def load(bug, report=True, before="1", after=None, ran=True):
    if after is None:
        after = "0" if bug == "raw_nesting" and before != "none" else before
    lines = [f"[ 1.0] verifier: BEGIN bug={bug} lockdep={before}",
             f"[ 1.1] irqbridge_planted: planting {bug}"]
    for path in ("tasklet_sleep", "gfp_irqsave", "raw_nesting"):
        if path == bug and report:
            lines += [f"[ 1.2] {line}" for line in REPORTS[bug]]
        if ran or path != bug:
            how = "planted" if path == bug else "correct"
            extra = ", in softirq: 1" if path == "tasklet_sleep" else ""
            lines.append(f"[ 1.3] irqbridge_planted: {path}: ran {how}{extra}")
    lines += [f"[ 1.4] irqbridge_planted: planted {bug}, all paths ran",
              f"[ 1.5] verifier: END bug={bug} lockdep={after}"]
    return lines


def log(report=True, lockdep="1", **per_bug):
    lines = ["[ 0.1] Linux version 6.12", "testbox: running the command"]
    for bug in check_verifier.BUGS:
        lines += per_bug.get(bug, load(bug, report=report and bug != "none", before=lockdep))
    return "\n".join(lines + ["verifier: 0 failed"])


def judge(text, config):
    return check_verifier.judge_log(text, PATTERN, config)


class Judge(unittest.TestCase):
    def test_debug_kernel_reports_pass(self):
        problems, residual = judge(log(), DEBUG)
        self.assertEqual(problems, [])
        self.assertIsNone(PATTERN.search(residual))

    def test_production_silence_passes(self):
        problems, _ = judge(log(report=False, lockdep="none"), PRODUCTION)
        self.assertEqual(problems, [])

    def test_missing_report_fails(self):
        # The bug disabled: the planted code runs, the checker has nothing.
        for bug in ("tasklet_sleep", "gfp_irqsave", "raw_nesting"):
            problems, _ = judge(log(**{bug: load(bug, report=False)}), DEBUG)
            self.assertTrue(any(f"bug={bug}" in p and "missing" in p for p in problems), (bug, problems))

    def test_report_on_production_kernel_fails(self):
        problems, _ = judge(log(report=True, lockdep="none"), PRODUCTION)
        self.assertTrue(any("unexpected kernel complaint" in p for p in problems), problems)

    def test_extra_complaint_in_a_load_fails(self):
        lines = load("gfp_irqsave")
        lines.insert(3, "[ 1.2] WARNING: CPU: 1 PID: 90 at mm/slub.c:1 something")
        problems, _ = judge(log(gfp_irqsave=lines), DEBUG)
        self.assertTrue(any("unexpected kernel complaint: [ 1.2] WARNING" in p for p in problems), problems)

    def test_task_state_warning_before_the_tasklet_report_passes(self):
        # The tasklet ran on the exit of an interrupt of insmod's wait:
        # __might_sleep() warns about insmod's state, then reports.
        lines = load("tasklet_sleep")
        lines[2:2] = [
            "[ 1.2] do not call blocking ops when !TASK_RUNNING; state=2 set at "
            "[<00000000697efd71>] __wait_for_common+0x122/0x27f",
            "[ 1.2] WARNING: CPU: 1 PID: 59 at kernel/sched/core.c:8654 __might_sleep+0x115/0x12e",
            "[ 1.2] Call Trace:",
            "[ 1.2]  irqbridge_planted_tasklet_fn+0x31/0x3d [irqbridge_planted]",
        ]
        problems, _ = judge(log(tasklet_sleep=lines), DEBUG)
        self.assertEqual(problems, [])

    def test_task_state_warning_is_allowed_once_and_only_with_its_text(self):
        warning = "[ 1.2] WARNING: CPU: 1 PID: 59 at kernel/sched/core.c:8654 __might_sleep+0x115/0x12e"
        text = ("[ 1.2] do not call blocking ops when !TASK_RUNNING; state=2 set at "
                "[<00000000697efd71>] __wait_for_common+0x122/0x27f")
        for extra in ([warning, "[ 1.2] Call Trace:"],  # without its text
                      [text, warning, "[ 1.2] Call Trace:", warning, "[ 1.2] Call Trace:"]):  # twice
            lines = load("tasklet_sleep")
            lines[2:2] = extra
            problems, _ = judge(log(tasklet_sleep=lines), DEBUG)
            self.assertTrue(any("unexpected kernel complaint: [ 1.2] WARNING" in p for p in problems),
                            (extra, problems))
        # Nor in another load.
        lines = load("gfp_irqsave")
        lines[2:2] = [text, warning, "[ 1.2] Call Trace:"]
        problems, _ = judge(log(gfp_irqsave=lines), DEBUG)
        self.assertTrue(any("bug=gfp_irqsave: unexpected kernel complaint" in p for p in problems), problems)

    def test_report_in_the_correct_load_fails(self):
        lines = load("none")
        lines[2:2] = REPORTS["tasklet_sleep"]
        problems, _ = judge(log(none=lines), DEBUG)
        self.assertTrue(any(p.startswith("bug=none: unexpected") for p in problems), problems)

    def test_report_naming_another_function_fails(self):
        lines = [line.replace("irqbridge_planted_tasklet_fn", "run_ksoftirqd")
                 for line in load("tasklet_sleep")]
        problems, _ = judge(log(tasklet_sleep=lines), DEBUG)
        self.assertTrue(any("irqbridge_planted_tasklet_fn" in p for p in problems), problems)

    def test_only_a_guessed_trace_entry_fails(self):
        # "? func" is the unwinder's guess, not the caller: not enough.
        lines = [line.replace(" irqbridge_planted_tasklet_fn", " ? irqbridge_planted_tasklet_fn")
                 for line in load("tasklet_sleep")]
        problems, _ = judge(log(tasklet_sleep=lines), DEBUG)
        self.assertTrue(any("irqbridge_planted_tasklet_fn" in p for p in problems), problems)

    def test_lockdep_off_too_early_fails(self):
        problems, _ = judge(log(gfp_irqsave=load("gfp_irqsave", after="0")), DEBUG)
        self.assertTrue(any("bug=gfp_irqsave: lockdep debug_locks=0 at END" in p for p in problems), problems)

    def test_path_not_run_fails(self):
        problems, _ = judge(log(report=False, lockdep="none",
                                gfp_irqsave=load("gfp_irqsave", report=False, before="none", ran=False)),
                            PRODUCTION)
        self.assertTrue(any("gfp_irqsave: ran planted" in p for p in problems), problems)

    def test_unfinished_load_fails(self):
        lines = load("raw_nesting")[:-2]
        problems, _ = judge(log(raw_nesting=lines), DEBUG)
        self.assertTrue(any("no END marker" in p for p in problems), problems)

    def test_complaint_outside_the_loads_stays_in_the_residual(self):
        text = log() + "\n[ 9.0] BUG: KASAN: slab-use-after-free in foo"
        problems, residual = judge(text, DEBUG)
        self.assertEqual(problems, [])
        self.assertIn("KASAN", residual)
        self.assertNotIn("Invalid wait context", residual)


if __name__ == "__main__":
    unittest.main()
