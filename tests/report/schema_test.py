#!/usr/bin/env python3
"""docs/schema/compare-1.json, the compare report's contract, against the
reports the writer makes: the golden report of the current writer
(tests/unit/data/golden/compare.json, byte-checked against report_json.cpp
by GoldenJson.CompareReportIsUnchanged) conforms, and every key it holds is
declared in the schema (checked with the schema closed: no undeclared key
anywhere); a report with a key dropped, renamed or of another type does not
conform. The e2e judge (check_report.py) validates the real compare.json of
the test box the same way."""
import copy
import json
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
import catalogue  # noqa: E402
import jsonschema  # noqa: E402

GOLDEN = os.path.join(HERE, "..", "unit", "data", "golden", "compare.json")


def closed(schema):
    """The schema with additionalProperties false wherever properties are
    declared and nothing else is allowed: an undeclared key then fails."""
    s = copy.deepcopy(schema)

    def walk(node):
        if isinstance(node, dict):
            if "properties" in node and "additionalProperties" not in node:
                node["additionalProperties"] = False
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(s)
    return s


class CompareSchema(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(catalogue.COMPARE_SCHEMA, encoding="utf-8") as f:
            cls.schema = json.load(f)
        with open(GOLDEN, encoding="utf-8") as f:
            cls.golden = json.load(f)

    def test_schema_is_valid_draft7(self):
        jsonschema.Draft7Validator.check_schema(self.schema)

    def test_golden_report_conforms(self):
        self.assertEqual(catalogue.compare_schema_errors(self.golden), [])

    def test_every_key_written_is_declared(self):
        v = jsonschema.Draft7Validator(closed(self.schema))
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in v.iter_errors(self.golden)]
        self.assertEqual(errors, [])

    def test_every_required_key_dropped_fails(self):
        for key in self.schema["required"]:
            r = copy.deepcopy(self.golden)
            del r[key]
            self.assertTrue(catalogue.compare_schema_errors(r), key)
        for key in self.schema["definitions"]["mode"]["required"]:
            r = copy.deepcopy(self.golden)
            del r["modes"]["tasklet"][key]
            self.assertTrue(catalogue.compare_schema_errors(r), key)

    def test_a_renamed_key_fails(self):
        r = copy.deepcopy(self.golden)
        m = r["modes"]["workqueue"]
        m["wake_ups"] = m.pop("wakeups")
        errors = catalogue.compare_schema_errors(r)
        self.assertTrue(any("wakeups" in e for e in errors), errors)

    def test_a_changed_type_fails(self):
        for path, value in ((("events",), "1000"), (("modes", "tasklet", "exact"), 1),
                            (("modes", "tasklet", "fired"), 1.5), (("schema",), "irqbridge.compare/2"),
                            (("reader", "io_uring_setup", "flags"), None)):
            r = copy.deepcopy(self.golden)
            node = r
            for k in path[:-1]:
                node = node[k]
            node[path[-1]] = value
            self.assertTrue(catalogue.compare_schema_errors(r), path)

    def test_a_chain_and_a_timerlat_result_conform(self):
        chained = [m for m in catalogue.modes().values() if m["chained"]]
        self.assertTrue(chained)
        self.assertIn("chain", self.golden["modes"][chained[0]["name"]]["context"])
        r = copy.deepcopy(self.golden)
        side = {"samples": 1, "overflows": 0, "histogram_ns": [[1000, 1]],
                "latency_ns": {k: 1000 for k in ("n", "p50", "p90", "p99", "p999", "p9999", "max",
                                                 "min")} | {"mean": 1000.0}}
        r["timerlat"] = {"tool": "rtla timerlat", "command": "rtla", "cpus": [], "resolution_ns": 1000,
                         "settings": {"duration_s": 1, "period_us": 1000, "policy": "SCHED_FIFO",
                                      "priority": 80, "cpus": [], "entries": 1, "bucket_us": 1,
                                      "dma_latency_us": 0},
                         "irq": side, "thread": copy.deepcopy(side)}
        self.assertEqual(catalogue.compare_schema_errors(r), [])
        del r["timerlat"]["irq"]["samples"]
        self.assertTrue(catalogue.compare_schema_errors(r))


if __name__ == "__main__":
    unittest.main()
