#!/usr/bin/env python3
"""userspace/tools/irqbridge-bench-icount (make bench): the icount run's
records_overhead is added to the main bench report as
records_overhead_icount, every other key left as it was; bad input is one
clear line and exit status 2, with the main report untouched."""
import copy
import json
import os
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TOOL = os.path.join(ROOT, "userspace", "tools", "irqbridge-bench-icount")
GOLDEN = os.path.join(ROOT, "tests", "unit", "data", "golden", "bench.json")


class BenchIcountTool(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        with open(GOLDEN, encoding="utf-8") as f:
            self.golden = json.load(f)
        self.bench = self.write("bench.json", self.golden)
        icount = copy.deepcopy(self.golden)
        # the instruction counts of docs/data/records-icount-6.12.json
        icount["records_overhead"].update(
            {"with_ns": 120.0, "without_ns": 110.0, "ratio": 10.0 / 110.0,
             "runs_with": 3, "runs_without": 3, "within_limit": True})
        self.icount_report = icount
        self.icount = self.write("icount.json", icount)

    def tearDown(self):
        self.dir.cleanup()

    def write(self, name, obj):
        path = os.path.join(self.dir.name, name)
        with open(path, "w", encoding="utf-8") as f:
            if isinstance(obj, str):
                f.write(obj)
            else:
                json.dump(obj, f)
        return path

    def run_tool(self, *args):
        return subprocess.run([sys.executable, TOOL, *args], capture_output=True, text=True,
                              check=False)

    def read_bench(self):
        with open(self.bench, encoding="utf-8") as f:
            return json.load(f)

    def test_adds_the_key_and_keeps_every_other(self):
        p = self.run_tool(self.bench, self.icount)
        self.assertEqual(p.returncode, 0, p.stderr)
        out = self.read_bench()
        added = out.pop("records_overhead_icount")
        added_write = out.pop("records_write_overhead_icount")
        self.assertEqual(out, self.golden)  # nothing renamed, dropped or changed
        self.assertEqual({k: v for k, v in added_write.items() if k != "note"},
                         dict(self.icount_report["records_write_overhead"], unit="guest instructions"))
        self.assertIn("records written, never read", p.stdout)
        want = dict(self.icount_report["records_overhead"], unit="guest instructions")
        self.assertEqual({k: v for k, v in added.items() if k != "note"}, want)
        self.assertIn("instruction", added["note"])
        self.assertIn("+9.1 %", p.stdout)
        self.assertIn("120 vs 110 instructions", p.stdout)
        self.assertNotIn("ABOVE THE LIMIT", p.stdout)

    def test_a_bench_without_unread_runs_adds_only_the_first_key(self):
        del self.icount_report["records_write_overhead"]
        self.write("icount.json", self.icount_report)
        p = self.run_tool(self.bench, self.icount)
        self.assertEqual(p.returncode, 0, p.stderr)
        out = self.read_bench()
        self.assertIn("records_overhead_icount", out)
        self.assertNotIn("records_write_overhead_icount", out)
        self.assertNotIn("never read", p.stdout)

    def test_above_the_limit_is_said(self):
        self.icount_report["records_overhead"].update(
            {"with_ns": 130.0, "ratio": 20.0 / 110.0, "within_limit": False})
        self.write("icount.json", self.icount_report)
        p = self.run_tool(self.bench, self.icount)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("ABOVE THE LIMIT", p.stdout)
        self.assertFalse(self.read_bench()["records_overhead_icount"]["within_limit"])

    def test_bad_input_is_one_line_and_leaves_the_report(self):
        kvm = dict(self.icount_report, accel="kvm")
        no_costs = {k: v for k, v in self.icount_report.items() if k != "records_overhead"}
        compare = dict(self.icount_report, schema="irqbridge.compare/1")
        cases = {"kvm": (self.bench, self.write("kvm.json", kvm)),
                 "no-costs": (self.bench, self.write("nocosts.json", no_costs)),
                 "compare": (self.bench, self.write("compare.json", compare)),
                 "not-json": (self.bench, self.write("garbage.json", "{")),
                 "missing": (self.bench, os.path.join(self.dir.name, "absent.json")),
                 "bad-bench": (self.write("badbench.json", compare), self.icount),
                 "one-arg": (self.bench,)}
        with open(self.bench, encoding="utf-8") as f:
            before = f.read()
        for name, args in cases.items():
            with self.subTest(name):
                p = self.run_tool(*args)
                self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
                self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)
                self.assertNotIn("Traceback", p.stderr)
                with open(self.bench, encoding="utf-8") as f:
                    self.assertEqual(f.read(), before)


if __name__ == "__main__":
    unittest.main()
