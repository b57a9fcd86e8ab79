#!/usr/bin/env python3
"""userspace/tools/irqbridge-ratios on reports made from the fixture: medians over the
runs, the targets met or not, the stage breakdown, and exit 2 for a report
without a floor."""
import copy
import importlib.machinery
import importlib.util
import json
import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
TOOL = os.path.join(HERE, "..", "..", "userspace", "tools", "irqbridge-ratios")
_loader = importlib.machinery.SourceFileLoader("irqbridge_ratios", TOOL)
_spec = importlib.util.spec_from_loader("irqbridge_ratios", _loader)
ratios = importlib.util.module_from_spec(_spec)
_loader.exec_module(ratios)


def report(floor_p50, floor_p99, tasklet_p50, tasklet_p99, wq_p50, wq_p99):
    with open(os.path.join(HERE, "compare.json"), encoding="utf-8") as f:
        r = json.load(f)
    r = copy.deepcopy(r)
    r["floor"]["latency_ns"]["p50"] = floor_p50
    r["floor"]["latency_ns"]["p99"] = floor_p99
    for mode, (p50, p99) in (("tasklet", (tasklet_p50, tasklet_p99)),
                             ("workqueue", (wq_p50, wq_p99))):
        r["modes"][mode]["latency_ns"]["timer_to_user"]["p50"] = p50
        r["modes"][mode]["latency_ns"]["timer_to_user"]["p99"] = p99
        r["modes"][mode]["latency_ns"]["top_to_bottom"]["p50"] = p50 // 10
    return r


class Ratios(unittest.TestCase):
    def test_medians_targets_and_stages(self):
        runs = [report(100, 200, 104, 210, 130, 240),   # tasklet 1.04/1.05, wq 1.30/1.20
                report(100, 200, 110, 230, 118, 260),   # 1.10/1.15, 1.18/1.30
                report(100, 200, 103, 250, 119, 248)]   # 1.03/1.25, 1.19/1.24
        fig = ratios.figures(runs)
        t, w = fig["modes"]["tasklet"], fig["modes"]["workqueue"]
        self.assertAlmostEqual(t["ratio"]["p50"]["median"], 1.04)
        self.assertAlmostEqual(t["ratio"]["p99"]["median"], 1.15)
        self.assertEqual(t["meets"], {"p50": True, "p99": False})
        self.assertAlmostEqual(w["ratio"]["p50"]["median"], 1.19)
        self.assertAlmostEqual(w["ratio"]["p99"]["median"], 1.24)
        self.assertEqual(w["meets"], {"p50": True, "p99": True})
        self.assertEqual(t["stage_p50_ns"]["top_to_bottom"], 10)
        text = ratios.table(fig)
        self.assertIn("1.15x   1.10x NO", text)
        self.assertIn("timer_to_top", text)

    def test_a_report_without_floor_is_refused(self):
        r = report(100, 200, 104, 210, 130, 240)
        r["floor"]["available"] = False
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "x.json")
            with open(p, "w", encoding="utf-8") as f:
                json.dump(r, f)
            self.assertEqual(ratios.main([p]), 2)

    def test_json_has_provenance(self):
        runs = [report(100, 200, 104, 210, 130, 240)]
        with tempfile.TemporaryDirectory() as d:
            paths = []
            for i, r in enumerate(runs):
                paths.append(os.path.join(d, f"r{i}.json"))
                with open(paths[-1], "w", encoding="utf-8") as f:
                    json.dump(r, f)
            out = os.path.join(d, "out.json")
            self.assertEqual(ratios.main(["--json", out, "--command", "make ratios"] + paths), 0)
            with open(out, encoding="utf-8") as f:
                fig = json.load(f)
            self.assertEqual(fig["schema"], "irqbridge.ratios/1")
            self.assertEqual(fig["provenance"]["command"], "make ratios")
            for key in ("commit", "kernel", "accelerator", "guest_cpus", "date_utc",
                        "host_loadavg"):
                self.assertIn(key, fig["provenance"])


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
