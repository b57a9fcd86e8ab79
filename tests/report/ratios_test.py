#!/usr/bin/env python3
"""userspace/tools/irqbridge-ratios on the golden compare report: the
median ratios, and the host's load at the start of the runs in the
provenance (make ratios passes it; the load at the end alone made a run
that started on a quiet host look loaded, or the reverse)."""
import copy
import json
import os
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TOOL = os.path.join(ROOT, "userspace", "tools", "irqbridge-ratios")
GOLDEN = os.path.join(ROOT, "tests", "unit", "data", "golden", "compare.json")


class RatiosTool(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        with open(GOLDEN, encoding="utf-8") as f:
            golden = json.load(f)
        self.paths = []
        for i, floor in enumerate((100000, 200000, 400000)):
            r = copy.deepcopy(golden)
            r["floor"]["latency_ns"]["p50"] = floor
            path = os.path.join(self.dir.name, f"run{i}.json")
            with open(path, "w", encoding="utf-8") as f:
                json.dump(r, f)
            self.paths.append(path)
        self.t2u = golden["modes"]["tasklet"]["latency_ns"]["timer_to_user"]["p50"]

    def tearDown(self):
        self.dir.cleanup()

    def run_tool(self, *args):
        out = os.path.join(self.dir.name, "ratios.json")
        p = subprocess.run([sys.executable, TOOL, "--json", out, *args, *self.paths],
                           capture_output=True, text=True, check=False)
        return p, out

    def test_median_ratio_and_load_at_start(self):
        p, out = self.run_tool("--load-start", "1.25 1.5 2.0", "--command", "make ratios")
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(out, encoding="utf-8") as f:
            fig = json.load(f)
        # the median of t2u/100k, t2u/200k, t2u/400k is t2u/200k
        self.assertAlmostEqual(fig["modes"]["tasklet"]["ratio"]["p50"]["median"], self.t2u / 200000)
        self.assertEqual(fig["provenance"]["host_loadavg_start"], [1.25, 1.5, 2.0])
        self.assertEqual(len(fig["provenance"]["host_loadavg"]), 3)

    def test_without_load_start_the_key_is_absent(self):
        p, out = self.run_tool()
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(out, encoding="utf-8") as f:
            self.assertNotIn("host_loadavg_start", json.load(f)["provenance"])

    def test_a_bad_load_start_is_one_clear_line(self):
        p, _ = self.run_tool("--load-start", "high")
        self.assertEqual(p.returncode, 2)
        self.assertIn("--load-start", p.stderr)
        self.assertNotIn("Traceback", p.stderr)


if __name__ == "__main__":
    unittest.main()
