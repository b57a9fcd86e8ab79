#!/usr/bin/env python3
"""Unit tests of check_edu_timer.py, the judge of e2e.edu_timer: exact runs
pass, and each count one off, a wrong context, a missing run or a missing
error check fails (no test box)."""
import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import check_edu_timer  # noqa: E402

TICKS = 200


def line(mode, ticks, rt=False, **override):
    isr, deferred = check_edu_timer.expected_contexts(mode, rt)
    c = {"mode": mode, "ticks": ticks, "raised": ticks, "isr_runs": ticks, "isr_none": 0,
         "deferred_runs": 0 if mode == "passive" else ticks, "signals": ticks,
         "eventfd_total": ticks, "reads": ticks - 3, "isr_context": isr,
         "deferred_context": deferred}
    c.update(override)
    return "edu-timer: " + " ".join(f"{k}={v}" for k, v in c.items()) + "\n"


def errors_text(n=check_edu_timer.ERROR_CHECKS, failing=None):
    lines = [f"edu-timer: check c{i}: {'FAIL' if i == failing else 'PASS'} (errno 0, want 0)"
             for i in range(n)]
    return "\n".join(lines) + "\nedu-timer: checks passed\n"


class CheckEduTimer(unittest.TestCase):
    def write(self, runs=None, errors=None):
        d = tempfile.mkdtemp()
        files = {f"edu_timer_{m}.txt": line(m, TICKS) for m in check_edu_timer.MODES}
        files.update({f"edu_timer_{name}.txt": line(mode, n)
                      for name, mode, n in check_edu_timer.EXTRA_RUNS})
        files["edu_timer_errors.txt"] = errors_text()
        files.update(runs or {})
        if errors is not None:
            files["edu_timer_errors.txt"] = errors
        for name, text in files.items():
            if text is not None:
                with open(os.path.join(d, name), "w", encoding="utf-8") as f:
                    f.write(text)
        return d

    def test_accepts_exact_runs(self):
        self.assertEqual(check_edu_timer.judge(self.write(), TICKS, False), [])

    def test_rejects_every_count_one_off(self):
        for mode in check_edu_timer.MODES:
            for key in ("raised", "isr_runs", "deferred_runs", "signals", "eventfd_total"):
                if mode == "passive" and key == "deferred_runs":
                    off = 1  # passive defers nothing: any run is one too many
                else:
                    off = TICKS - 1
                with self.subTest(mode=mode, key=key):
                    d = self.write({f"edu_timer_{mode}.txt": line(mode, TICKS, **{key: off})})
                    failures = check_edu_timer.judge(d, TICKS, False)
                    self.assertTrue(any(f"{key}={off}" in f for f in failures), failures)

    def test_rejects_an_irq_none(self):
        d = self.write({"edu_timer_dpc.txt": line("dpc", TICKS, isr_none=1)})
        self.assertTrue(check_edu_timer.judge(d, TICKS, False))

    def test_rejects_a_wrong_context(self):
        for mode, key, ctx in (("dpc", "deferred_context", "task"),
                               ("workitem", "deferred_context", "softirq"),
                               ("dpc", "isr_context", "mixed"),
                               ("passive", "isr_context", "hardirq")):
            with self.subTest(mode=mode, key=key):
                d = self.write({f"edu_timer_{mode}.txt": line(mode, TICKS, **{key: ctx})})
                self.assertTrue(check_edu_timer.judge(d, TICKS, False))

    def test_rt_isr_runs_threaded(self):
        runs = {f"edu_timer_{m}.txt": line(m, TICKS, rt=True) for m in check_edu_timer.MODES}
        runs.update({f"edu_timer_{name}.txt": line(mode, n, rt=True)
                     for name, mode, n in check_edu_timer.EXTRA_RUNS})
        d = self.write(runs)
        self.assertEqual(check_edu_timer.judge(d, TICKS, True), [])
        self.assertTrue(check_edu_timer.judge(d, TICKS, False))

    def test_suspend_run_required_unless_the_kernel_cannot(self):
        d = self.write({"edu_timer_suspend.txt": None})
        self.assertTrue(check_edu_timer.judge(d, TICKS, False))
        self.assertEqual(check_edu_timer.judge(d, TICKS, False, suspend=False), [])

    def test_rejects_a_missing_or_doubled_run(self):
        self.assertTrue(check_edu_timer.judge(self.write({"edu_timer_passive.txt": None}),
                                              TICKS, False))
        twice = line("dpc", TICKS) * 2
        self.assertTrue(check_edu_timer.judge(self.write({"edu_timer_dpc.txt": twice}),
                                              TICKS, False))

    def test_rejects_failed_or_missing_error_checks(self):
        self.assertTrue(check_edu_timer.judge(self.write(errors=errors_text(failing=3)),
                                              TICKS, False))
        short = errors_text(n=check_edu_timer.ERROR_CHECKS - 1)
        self.assertTrue(check_edu_timer.judge(self.write(errors=short), TICKS, False))


if __name__ == "__main__":
    unittest.main()
