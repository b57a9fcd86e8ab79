#!/usr/bin/env python3
"""Unit tests of the docs generator (ctest docs.generator): each renderer on
a small crafted artifact, the block rewriting, and the check, which must
fail on a hand-edited figure in a copy of the real docs, on a test name that
does not exist and on a claim that cites no test."""
import copy
import json
import os
import shutil
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)

import docsgen  # noqa: E402
import summarize  # noqa: E402
import wake_trace  # noqa: E402


def stats(p50, p99, n=100):
    return {"n": n, "p50": p50, "p90": p50, "p99": p99, "p999": p99, "p9999": p99, "max": p99 * 2,
            "min": 1, "mean": p50}


def compare_report():
    modes = {}
    for name, bottom, t2b in (("tasklet", "softirq", 20000), ("workqueue", "task", 50000)):
        modes[name] = {
            "source": "timer", "fired": 300, "counted": 300, "wakeups": 299, "bottom_runs": 298,
            "overruns": 0, "exact": True, "records": 300,
            "context": {"top": "hardirq", "bottom": bottom},
            "latency_ns": {s: stats(t2b if s == "top_to_bottom" else 100000, 900000) for s in docsgen.STAGES},
            "vs_floor": {"timer_to_user": {"p50": 1.25, "p90": 1.0, "p99": 2.0, "p999": 1.0, "max": 1.0}},
            "spread": {"top_to_user": {p: {"min": 1000, "median": 2000, "max": 3000} for p in ("p50", "p99")}},
            "top_half_cost": {"top_halves": 300, "mean_ns": 1500.0, "max_ns": 20000},
            "cross_cpu": {"bottom": 0},
        }
    return {"provenance": {"commit": "0123456789abcdef", "kernel": "6.12.0", "accel": "tcg", "guest_cpus": 2,
                           "date": "2026-01-01T00:00:00Z", "host_cpus": 2,
                           "host_loadavg": {"start": "1.00 1.00 1.00", "end": "2.00 2.00 2.00"}},
            "kernel": "6.12.0", "events": 100, "period_ns": 1000000, "repetitions": 3, "warmup": 0,
            "reader": {"policy": "SCHED_FIFO", "priority": 80, "mlockall": True, "variant": "uring-read"},
            "floor": {"available": True, "latency_ns": stats(80000, 400000)}, "modes": modes}


class Renderers(unittest.TestCase):
    def test_counts_and_latency(self):
        out = docsgen.render_compare_counts([compare_report()])
        self.assertIn("| `tasklet` | timer | hardirq | softirq | 300 | 300 | 299 | 298 | 0 |", out)
        out = docsgen.render_compare_latency([compare_report()])
        self.assertIn("| `top_to_bottom` | `workqueue` | 100 | 50.0 | 50.0 | 900.0 | 900.0 | 1,800.0 |", out)

    def test_floor_and_findings(self):
        out = docsgen.render_compare_floor([compare_report()])
        self.assertIn("| cyclictest (expiry → user thread) | 100 | 80.0 |", out)
        self.assertIn("| `tasklet` timer_to_user ÷ floor | 100 | 1.2x | 1.0x | 2.0x |", out)
        r = compare_report()
        r["floor"] = {"available": False, "reason": "no cyclictest"}
        self.assertIn("no cyclictest", docsgen.render_compare_floor([r]))
        out = docsgen.render_compare_findings([compare_report()])
        self.assertIn("30.0 µs sooner", out)
        r = compare_report()
        r["modes"]["tasklet"]["latency_ns"]["top_to_bottom"]["p50"] = 70000
        self.assertIn("20.0 µs later", docsgen.render_compare_findings([r]))

    def test_outliers_and_cost(self):
        r = compare_report()
        r["modes"]["tasklet"]["outliers"] = {"worst": [
            {"timer_to_user_ns": 3644800, "cause": "timer late", "why": "the top half ran late", "run": 2,
             "seq": 1268}] * 3}
        out = docsgen.render_outliers([r])
        self.assertEqual(out.count("| `tasklet` | 3,644.8 | timer late | the top half ran late | 2 | 1268 |"), 2)
        self.assertIn("| `workqueue` | 300 | 1.50 | 20.0 |", docsgen.render_top_half_cost([r]))

    def test_timerlat(self):
        r = compare_report()
        r["timerlat"], r["timerlat_reason"] = None, "no timerlat tracer in this kernel"
        self.assertIn("no timerlat tracer", docsgen.render_timerlat([r]))
        r["timerlat"] = {"irq": {"latency_ns": stats(9000, 40000)}, "thread": {"latency_ns": stats(20000, 90000)}}
        out = docsgen.render_timerlat([r])
        self.assertIn("| irq (timer expiry → IRQ handler) | 100 | 9.0 | 9.0 | 40.0 | 40.0 | 80.0 |", out)
        self.assertIn("| thread (timer expiry → timerlat thread) | 100 | 20.0 |", out)

    def test_percpu_percentages(self):
        r = compare_report()
        r["cpu_list"] = [0, 1]
        m = r["modes"]["workqueue"]
        m["per_cpu"] = [{"cpu": c, "fired": 300, "exact": True, "records": 200, "cross_cpu": {"bottom": x},
                         "latency_ns": {"timer_to_user": stats(100000, 500000)}} for c, x in ((0, 0), (1, 150))]
        r["modes"] = {"workqueue": m}
        out = docsgen.render_percpu([r])
        self.assertIn("| `workqueue` | 0 %, 75 % | 100 / 500, 100 / 500 | 900 | 2.0x | 300 each |", out)
        m["per_cpu"][1]["exact"] = False
        self.assertIn("**no**", docsgen.render_percpu([r]))

    def test_bench_and_sweep(self):
        b = {"top_half_period_ns": 100000, "reader_period_ns": 1000000,
             "top_half_cost": [{"mode": "tasklet", "records": True, "top_halves": 10, "mean_ns": 908, "max_ns": 3800}],
             "reader_cost": [{"variant": "read", "wakeups": 10, "cpu_ns_per_wakeup": 46000, "exact": True}],
             "max_sustained_rate": {"tasklet": {"sustained": True, "rate_hz": 2000, "period_ns": 500000},
                                    "wq_unbound": {"sustained": False}},
             "cpu_scaling": [{"cpus": 1, "events": 2000, "reader_cpu_ns": 169e6, "reader_cpu_ns_per_event": 85000,
                              "ring_bytes": 3.5 * 2**20, "rss_kb": 9523, "exact": True}]}
        self.assertIn("| with records | `tasklet` | 1 | 10 | 0.91 (0.91–0.91) | 3.8 |", docsgen.render_bench_top_half([b]))
        self.assertNotIn("instructions", docsgen.render_bench_top_half([b]))
        self.assertNotIn("never read", docsgen.render_bench_top_half([b]))
        b["top_half_cost"] += [
            {"mode": "tasklet", "records": True, "records_unread": True, "top_halves": 10, "mean_ns": 820,
             "max_ns": 2000},
            {"mode": "tasklet", "records": False, "records_unread": False, "top_halves": 10, "mean_ns": 800,
             "max_ns": 5100},
            {"mode": "tasklet", "records": False, "records_unread": False, "top_halves": 10, "mean_ns": 780,
             "max_ns": 1000}]
        b["records_write_overhead"] = {"measured": True, "ratio": 0.025, "pairs": 15, "pair_median_ratio": 0.012,
                                       "pair_ratio_ci95": [-0.03, 0.04], "pairs_verdict": "within"}
        b["records_overhead"] = {"measured": True, "ratio": 0.15, "pairs": 3, "pair_median_ratio": 0.14}
        out = docsgen.render_bench_top_half([b])
        self.assertIn("| records written, never read | `tasklet` | 1 | 10 | 0.82 (0.82–0.82) | 2.0 |", out)
        self.assertIn("| without records | `tasklet` | 2 | 10 | 0.79 (0.78–0.80) | 5.1 |", out)
        self.assertIn("with records against without (`records_overhead`): each group's pair +14.0 % "
                      "(median of 3 groups, too few for a 95 % interval); the runs' medians +15.0 %", out)
        self.assertIn("each group's pair +1.2 % (median of 15 groups, 95 % interval -3.0 % to +4.0 %: within)",
                      out)
        b["records_overhead_icount"] = {"measured": True, "mode": "tasklet", "with_ns": 120.0,
                                        "without_ns": 110.0, "ratio": 10 / 110, "limit": 0.1}
        self.assertIn("runs 120 instructions with records and 110 without, +9.1 % (limit +10 %)",
                      docsgen.render_bench_top_half([b]))
        self.assertIn("| `read` | 10 | 46 | yes |", docsgen.render_bench_reader([b]))
        out = docsgen.render_bench_rate([b])
        self.assertIn("| `tasklet` | 2,000/s (500 µs) |", out)
        self.assertIn("| `wq_unbound` | none of the periods tried |", out)
        self.assertIn("| 1 | 2000 | 169 ms | 85 | 3.5 MiB | 9.3 MiB | yes |", docsgen.render_bench_cpus([b]))
        s = {"points": [{"mode": "tasklet", "period_ns": 100000, "rate_hz": 10000, "fired": 5, "counted": 5,
                         "exact": True, "wakeups_per_event": 0.991, "max_batch": 2, "overruns": 0,
                         "timer_overruns": 16, "latency_ns": {"top_to_user": stats(38900, 114700)}},
                        {"mode": "tasklet", "period_ns": 50000, "rate_hz": 20000, "fired": 5, "counted": 4,
                         "exact": False, "wakeups_per_event": 1, "max_batch": 1, "overruns": 0,
                         "timer_overruns": 0}]}
        out = docsgen.render_sweep([s])
        self.assertIn("| `tasklet` | 100 | 10,000 | 5 | 5 | 0.991 | 2 | 0 | 16 | 38.9 | 114.7 |", out)
        self.assertIn("point of every mode: **no**", out)

    def test_rt_tables(self):
        a, b = compare_report(), compare_report()
        b["kernel"] = "6.12.0-rt"
        for m in a["modes"].values():
            m["context_detail"] = {"bottom": {"name": "softirq", "preempt_count_min": 256, "preempt_count_max": 257,
                                              "irqs_off": "never"}}
        for m in b["modes"].values():
            m["context_detail"] = {"bottom": {"name": "softirq", "preempt_count_min": 0, "preempt_count_max": 0,
                                              "irqs_off": "never"}}
        del b["modes"]["workqueue"]
        out = docsgen.render_rt_latency([a, b])
        self.assertIn("| `workqueue` | 100 / 900 | not offered |", out)
        out = docsgen.render_rt_contexts([a, b])
        self.assertIn("`preempt_count` 0x100–0x101", out)
        self.assertIn("`preempt_count` 0x0,", out)

    def test_ratios(self):
        m = {"ratio": {"p50": {"runs": [1.2, 1.3], "median": 1.25}, "p99": {"runs": [0.9, 2.0], "median": 1.5}},
             "target": {"p50": 1.05, "p99": 1.1}, "timer_to_user_p50_ns": 141311,
             "stage_p50_ns": {"timer_to_top": 63231, "top_to_bottom": 31615, "bottom_to_user": 45567}}
        out = docsgen.render_ratios([{"floor_p50_ns": 110079, "modes": {"tasklet": m}}])
        self.assertIn("| tasklet | 1.25× (≤ 1.05×) | 1.50× (≤ 1.10×) | 1.20/0.90, 1.30/2.00 |", out)
        self.assertIn("| tasklet | 63.2 µs | 31.6 µs | 45.6 µs | 141.3 µs | 110.1 µs |", out)

    def test_ratios_verdict(self):
        m = {"ratio": {"p50": {"runs": [1.3], "median": 1.3}, "p99": {"runs": [0.8], "median": 0.8}},
             "target": {"p50": 1.2, "p99": 1.25}, "meets": {"p50": False, "p99": True},
             "stage_p50_ns": {"timer_to_top": 60000, "top_to_bottom": 50000, "bottom_to_user": 30000}}
        out = docsgen.render_ratios_verdict([{"floor_p50_ns": 100000, "modes": {"workqueue": m}}])
        # wake-up 100 - 60 = 40 µs; extra 50 + 30 - 40 = 40 µs (40 %); budget 0.2 x 100 = 20 µs
        self.assertIn("| workqueue | p50 not met (1.30×), p99 met (0.80×) | 60.0 µs | 40.0 µs | 50.0 µs | "
                      "30.0 µs | 40.0 µs (40 %) | 20.0 µs |", out)

    def test_prediction(self):
        tcg = {"floor_p50_ns": 100000, "modes": {"tasklet": {
            "ratio": {"p50": {"median": 1.25}}, "target": {"p50": 1.05}, "timer_to_user_p50_ns": 125000,
            "stage_p50_ns": {"timer_to_top": 60000, "top_to_bottom": 30000, "bottom_to_user": 35000}}}}
        lat = {"timer_to_top": 500, "top_to_bottom": 1000, "bottom_to_user": 4500, "timer_to_user": 6000}
        icount = {"boots": {"2": {"floor": {"latency_ns": {"p50": 4000}},
                                  "modes": {"tasklet": {"latency_ns": {k: {"p50": v} for k, v in lat.items()}}}}}}
        out = docsgen.render_prediction_stages([tcg, icount])
        self.assertIn("| tasklet | `top_to_bottom` | 30.0 µs | 1,000 | 30 ns |", out)
        # cyclictest's wake-up: 100 - 60 µs over 4000 - 500 instructions
        self.assertIn("| tasklet | cyclictest's wake-up (its p50 − `timer_to_top`) | 40.0 µs | 3,500 | 11 ns |", out)
        out = docsgen.render_prediction_ratios([tcg, icount])
        # (6000 + L) / (4000 + L) for L = 0, 1000, 2000, 5000
        # and the target needs L >= (6000 - 1.05 * 4000) / 0.05 = 36,000
        self.assertIn("| tasklet | 1.25× | 6,000 / 4,000 = 1.50× | 1.40× | 1.33× | 1.22× | ≤ 1.05× | 36,000 |", out)

    def test_reader_wake_trace_and_icount(self):
        def steps(sig, user, cqe=None):
            p = {"signal_to_waking": sig, "waking_to_running": 20000, "running_to_user": user,
                 "signal_to_user": sig + 20000 + user}
            if cqe:
                p["running_to_cqe"] = cqe
            return {"wakeups": 900, "p50_ns": p}
        out = docsgen.render_reader_wake_trace([{"wake_trace": {"readers": {
            "uring-read": steps(9000, 19000, 14000), "read": steps(4000, 9000)}}}])
        lines = out.splitlines()
        self.assertEqual(lines[2], "| `read` | 900 | 4.0 µs | 20.0 µs | — | 9.0 µs | 33.0 µs |  |")
        self.assertEqual(lines[3], "| `uring-read` | 900 | 9.0 µs | 20.0 µs | 14.0 µs | 19.0 µs | 48.0 µs | +15.0 µs |")
        v = {r: {m: {"p50_ns": {"bottom_to_user": b}} for m in ("tasklet", "workqueue")}
             for r, b in (("read", 4000), ("uring-read", 5000))}
        fg = {"functions": ["io_read", "try_to_wake_up", "nowhere"],
              "readers": {"read": {"try_to_wake_up": {"calls": 9, "p50_ns": 51400}},
                          "uring-read": {"io_read": {"calls": 8, "p50_ns": 37700},
                                         "try_to_wake_up": {"calls": 8, "p50_ns": 51700}}}}
        lines = docsgen.render_reader_graph([{"wake_trace": {"function_graph": fg}}]).splitlines()
        self.assertEqual(lines[2], "| `io_read()` | — | 37.7 µs (8) |")
        self.assertEqual(lines[3], "| `try_to_wake_up()` | 51.4 µs (9) | 51.7 µs (8) |")
        self.assertEqual(len(lines), 4)  # a function no reader called has no row
        out = docsgen.render_reader_icount([{"readers": {"variants": v}}])
        self.assertIn("| `uring-read` | 5,000 (+1,000, +25 %) | 5,000 (+1,000, +25 %) |", out)

    def test_wake_trace_steps(self):
        lines = [
            # a wake-up that finds the reader (pid 162) asleep
            "  ksoftirqd/0-15 [000] ..s..  10.000010: sig: (eventfd_signal_mask+0x4/0xa0)",
            "  ksoftirqd/0-15 [000] d.s3.  10.000019: sched_waking: comm=irqbridge pid=162 prio=19 target_cpu=000",
            "  ksoftirqd/0-15 [000] d..2.  10.000042: sched_switch: prev_comm=ksoftirqd/0 prev_pid=15 "
            "prev_prio=120 prev_state=S ==> next_comm=irqbridge next_pid=162 next_prio=19",
            "  irqbridge-162 [000] .....  10.000056: io_uring_complete: ring 0, req 0, user_data 0x0, result 8",
            "  irqbridge-162 [000] .....  10.000061: sys_exit: NR 426 = 1",
            # a signal while the reader runs: no wake-up, left out
            "  irqbridge-162 [000] ..s..  10.001000: sig: (eventfd_signal_mask+0x4/0xa0)",
            "  irqbridge-162 [000] .....  10.001005: sys_exit: NR 426 = 1",
        ]
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
            f.write("\n".join(lines) + "\n")
        try:
            got = wake_trace.steps(f.name)
        finally:
            os.unlink(f.name)
        self.assertEqual(got["reader_pid"], 162)
        self.assertEqual((got["wakeups"], got["not_asleep"]), (1, 1))
        self.assertEqual(got["p50_ns"], {"signal_to_waking": 9000, "waking_to_running": 23000,
                                         "running_to_user": 19000, "running_to_cqe": 14000,
                                         "signal_to_user": 51000})

    def test_reader_uring(self):
        def run(reader, setup, mode, p50):
            return {"reader": reader, "io_uring_setup": setup, "mode": mode, "bottom_to_user_ns": {"p50": p50}}
        out = docsgen.render_reader_uring([{"runs": [
            run("uring-read", "A|B", "tasklet", 40000), run("uring-read", "A|B", "tasklet", 30000),
            run("read", None, "tasklet", 20000), run("read", None, "workqueue", 10000)]}])
        lines = out.splitlines()
        self.assertEqual(lines[2], "| `read` |  | 20.0 µs | 10.0 µs |")
        self.assertEqual(lines[3], "| `uring-read` | A\\|B | 35.0 µs | — µs |")

    def test_ipi_and_unbound(self):
        t = {"modes": {"workqueue": {"events": 1000, "kworker_wakeups_per_event": 0.983, "ipi_send_per_event": 0.133,
                                     "wakeup_ipi_send_per_event": 0.022, "reschedule_ipi_per_event": 0.007,
                                     "complete": False}}}
        self.assertIn("| `workqueue` | 1000 | 0.98 | 0.13 | 0.02 | 0.01 | **events lost** |",
                      docsgen.render_ipi([t]))
        run = {"modes": {"workqueue": {"timer_to_user": stats(170000, 300000), "cross_cpu": 0, "records": 3000},
                         "wq_unbound": {"timer_to_user": stats(160000, 8600000), "cross_cpu": 214, "records": 3000}},
               "by_bottom_cpu": [{"relation": "another CPU", "events": 197, "timer_to_user": stats(250000, 15578108),
                                  "timer_to_top": stats(1, 3762161)}]}
        u = {"two_cpus": run, "one_cpu": copy.deepcopy(run)}
        out = docsgen.render_unbound_cpus([u])
        self.assertIn("| 2 | 170 / 300 | 160 / 8,600 | 214 of 3000 |", out)
        self.assertIn("| 1 | 170 / 300 | 160 / 8,600 | — |", out)
        self.assertIn("| another CPU | 197 | 250 / 15,578 | 3,762 |", docsgen.render_unbound_split([u]))


def bh_artifact(kernel, p50s, bottom_pc=(256, 258), timerlat=False):
    """A multi-boot artifact (bh-<kernel>.json): one compare report per boot,
    top_to_user p50 of tasklet = p50s[i] µs in boot i, bh_wq 10 µs more."""
    runs = []
    for i, p in enumerate(p50s):
        modes = {}
        for name, extra in (("tasklet", 0), ("bh_wq", 10000)):
            lat = {s: stats(60000 + i * 1000, 400000 + i * 100000) for s in docsgen.STAGES}
            lat["top_to_user"] = stats(p * 1000 + extra, (300 + 100 * i) * 1000)
            pc_max = max(bottom_pc[0], bottom_pc[1] - (i != 0))
            modes[name] = {"fired": 6000, "counted": 6000, "context": {"top": "hardirq", "bottom": "softirq"},
                           "context_detail": {"bottom": {"preempt_count_min": bottom_pc[0],
                                                         "preempt_count_max": pc_max}},
                           "latency_ns": lat}
        run = {"kernel": kernel, "modes": modes,
               "floor": {"available": True, "latency_ns": stats(90000 + 10000 * i, 5000000 * (i + 1), n=6000)},
               "timerlat": None, "timerlat_reason": "the kernel has no timerlat tracer"}
        if timerlat:
            run["timerlat"] = {"command": "rtla timerlat hist", "irq": {"samples": 7000 + i, "latency_ns":
                                                                      stats(50000 + 5000 * i, 9000000, n=7000 + i)},
                               "thread": {"samples": 7000 + i, "latency_ns": stats(100000, 10000000, n=7000 + i)}}
            run["timerlat_reason"] = ""
        runs.append(run)
    return {"provenance": {"commit": "0123456789abcdef", "kernel_release": kernel, "accelerator": "tcg",
                           "guest_cpus": 2, "date_utc": "2026-11-25",
                           "boots": [{"host_loadavg_1_5_15_at_start": [7.5, 9, 9],
                                      "host_loadavg_1_5_15_at_end": [11.25, 9, 9]}] * len(p50s)},
            "runs": runs}


class MultiBoot(unittest.TestCase):
    def test_median_and_p50_range_over_boots(self):
        self.assertEqual(docsgen.median([3, 1, 2]), 2)
        self.assertEqual(docsgen.median([4, 1, 2, 3]), 2.5)
        self.assertIsNone(docsgen.median([None]))
        out = docsgen.render_bh_modes([bh_artifact("6.12", [78.0, 75.0, 76.5])])
        # median 76.5 of the three boots, range 75.0-78.0; p99 median of 300/400/500
        self.assertIn("| 6.12 | tasklet | 6000 = 6000 | softirq (0x100–0x102) | 76.5 [75.0–78.0] / 400.0 |", out)
        self.assertIn("| 6.12 | bh_wq | 6000 = 6000 | softirq (0x100–0x102) | 86.5 [85.0–88.0] / 400.0 |", out)
        self.assertIn("| 61.0 |", out)   # timer_to_top p50: median of 60, 61, 62

    def test_rt_bottom_half_and_a_lost_event(self):
        art = bh_artifact("7.3-rt", [190.0, 200.0], bottom_pc=(0, 0))
        out = docsgen.render_bh_modes([art])
        self.assertIn("| softirq thread (0) |", out)
        art["runs"][0]["modes"]["bh_wq"]["counted"] = 5999
        self.assertIn("| bh_wq | 6000 ≠ 5999; 6000 = 6000 |", docsgen.render_bh_modes([art]))

    def test_floors_null_timerlat_and_timerlat(self):
        out = docsgen.render_bh_floors([bh_artifact("6.12", [1, 2, 3]),
                                        bh_artifact("7.3-rt", [1, 2, 3], timerlat=True)])
        self.assertIn("| 6.12 | 100.0 / 10,000.0 | null: the kernel has no timerlat tracer | null: the kernel", out)
        self.assertIn("| 7.3-rt | 100.0 / 10,000.0 | 55.0 / 9,000.0 (7000–7002 samples per boot) | "
                      "100.0 / 10,000.0 (7000–7002 samples per boot) |", out)

    def test_timerlat_of_one_boot(self):
        art = bh_artifact("7.3-rt", [1, 2, 3], timerlat=True)
        out = docsgen.render_timerlat_boot([art])
        self.assertIn("Boot 1 of 3, 7.3-rt; rtla's command: `rtla timerlat hist`.", out)
        self.assertIn("| rtla irq | ≈ timer_to_top | 7000 | 50.0 |", out)
        self.assertIn("| timer_to_top | `tasklet` | 100 | 60.0 |", out)
        self.assertIn("| cyclictest | expiry → user | 6000 | 90.0 |", out)
        self.assertIn("No rtla timerlat in this boot: the kernel has no timerlat tracer",
                      docsgen.render_timerlat_boot([bh_artifact("6.12", [1])]))

    def test_provenance_of_several_boots(self):
        line = docsgen.provenance_line("bh-7.3.json", bh_artifact("7.3.4+deb13-amd64", [1, 2]))
        self.assertIn("(commit 0123456, 7.3.4+deb13-amd64, tcg, 2 guest CPUs, 2026-11-25, 2 boots, "
                      "host load average 7.5–11.25 (1 min)).", line)


def fuzz_summary():
    """A small ioctl_fuzz --json summary in harden2's format."""
    return {"tool": "ioctl_fuzz", "seed": 1,
            "requested": {"calls": 60, "race_calls": 40, "threads": 4, "edu_cycles": 2, "hotplug": True},
            "calls": 1011, "sequential_calls": 604, "race_calls": 407, "sequential_seconds": 7.5,
            "race_seconds": 2.5, "stopped_runs_exact": 35, "runs_ended_by_removal": 1,
            "broken_configs_refused": 33, "edu_churn": True, "edu_cycles": 4, "cpu_cycles": 3, "failures": 0,
            "outcomes": {"configure": {"ok": 33, "EBUSY": 10}, "foreign_ioctl": {"ENOTTY": 42}},
            "config_space": {"mode 1 timer": 27, "sleep": 11}, "kernel_log_clean": True,
            "provenance": {"commit": "a67b2023f31a", "kernel": "debug", "kernel_release": "6.12.117",
                           "accelerator": "tcg", "guest_cpus": 2, "date_utc": "2026-11-25T22:27:26Z",
                           "host_loadavg_start": "8.14 8.55 8.89", "host_loadavg_end": "10.17 10.56 10.46",
                           "host_cpus": 2}}


class Fuzz(unittest.TestCase):
    def test_summary(self):
        f = fuzz_summary()
        out = docsgen.render_fuzz([f])
        self.assertIn("| calls (sequential + racing) | 1,011 (604 in 7.5 s + 407 in 2.5 s, 4 threads) |", out)
        self.assertIn("| stopped runs, all exact (raised = fired = counted) | 35 |", out)
        self.assertIn("| edu remove/rescan cycles (runs ended by a removal) | 4 (1) |", out)
        self.assertIn("| configs drawn (source × mode, sleep, work/period > 1) | 2 kinds, each at least 11 times |",
                      out)
        self.assertIn("| failures | 0 |", out)
        self.assertIn("| kernel log clean | yes |", out)
        self.assertIn("| call | ok | EBUSY | ENOTTY |", out)
        self.assertIn("| `configure` | 33 | 10 |  |", out)
        self.assertIn("| `foreign_ioctl` |  |  | 42 |", out)
        f["kernel_log_clean"] = False
        f["edu_churn"] = False
        out = docsgen.render_fuzz([f])
        self.assertIn("| kernel log clean | no (see the box's console.log) |", out)
        self.assertIn("| edu remove/rescan cycles (runs ended by a removal) | not run |", out)

    def test_provenance(self):
        line = docsgen.provenance_line("fuzz-debug.json", fuzz_summary())
        self.assertIn("(commit a67b202, 6.12.117 (debug), tcg, 2 guest CPUs, 2026-11-25 22:27:26 UTC, "
                      "host load average 8.14 → 10.17 on 2 CPUs).", line)
        art = fuzz_summary()
        art["provenance"]["tcg_threads"] = "single"
        self.assertIn(", tcg single-threaded, 2 guest CPUs,", docsgen.provenance_line("f.json", art))
        art["provenance"]["tcg_threads"] = "unknown"
        self.assertIn(", tcg, 2 guest CPUs,", docsgen.provenance_line("f.json", art))

class Storm(unittest.TestCase):
    def point(self, mode, **kw):
        p = {"mode": mode, "source": "timer", "burst": 50, "period_ns": 500000, "offered_per_s": 100000.0,
             "events": 20000, "fired": 20000, "exact": True, "absorbed_per_s": 91320.06, "mean_batch": 50.25,
             "max_batch": 150, "bottom_cross_cpu": 0, "bottom_ksoftirqd": 250, "source_busy": 0}
        p.update(kw)
        return p

    def test_rows_say_exact_and_rate(self):
        out = docsgen.render_storm([{"storm": [self.point("tasklet"),
                                               self.point("direct", exact=False, fired=19999)]}])
        self.assertIn("Bursts of 50 top halves every 500 µs (100,000/s offered), 20,000 events per mode", out)
        self.assertIn("| `tasklet` | timer | yes (20,000) | 91,320 | 50.2 | 150 | 0 | 250 | 0 | — |", out)
        self.assertIn("| `direct` | timer | **no** (19,999) |", out)
        self.assertIn("| — | 0 |", out)   # direct: no bottom half for ksoftirqd

    def test_all_cpus_table_sums_and_keeps_each_cpu(self):
        cpu = [self.point("wq_unbound", absorbed_per_s=98000.4, cpu=0),
               self.point("wq_unbound", absorbed_per_s=101000.0, cpu=1)]
        all_cpus = {"mode": "wq_unbound", "source": "timer", "cpus": 2, "events_per_cpu": 20000,
                    "offered_per_s": 200000.0, "exact": True, "fired": 40000, "absorbed_per_s": 198765.4,
                    "mean_batch": 49.9, "max_batch": 100, "timer_overruns": 12, "bottom_cross_cpu": 0,
                    "bottom_ksoftirqd": 0, "top_half_mean_ns": 41538.4, "top_half_max_ns": 16606783,
                    "per_cpu": cpu}
        out = docsgen.render_storm([{"storm": [self.point("tasklet")], "storm_all_cpus": [all_cpus]}])
        self.assertIn("on all 2 CPUs at once", out)
        self.assertIn("200,000/s offered", out)
        self.assertIn("| `wq_unbound` | timer | yes (40,000) | 198,765 | 98,000, 101,000 | 49.9 | 100 | 12 | 0 | 0 | "
                      "41.5 / 16,607 |", out)
        self.assertNotIn("at once", docsgen.render_storm([{"storm": [self.point("tasklet")]}]))

    def test_throttled_column(self):
        out = docsgen.render_storm([{"storm": [self.point("tasklet", throttled=1234)]}])
        self.assertIn("| expiries throttled (`throttled`) |", out)
        self.assertIn("| 0 | — | 1,234 |", out)
        self.assertIn("| 0 | — | — |", docsgen.render_storm([{"storm": [self.point("tasklet")]}]))

    def test_a_failed_mode_says_why(self):
        out = docsgen.render_storm([{"storm": [self.point("tasklet"),
                                               {"mode": "threaded", "source": "irqchip", "error": "EBUSY"}]}])
        self.assertIn("| `threaded` | irqchip | **failed**: EBUSY |", out)


class Summarize(unittest.TestCase):
    def test_csv_split_leaves_out_warmup(self):
        lines = ["mode,run,seq,expected_ns,raise_ns,top_ns,bottom_ns,chain_ns,signal_ns,user_ns,batch,status,"
                 "top_cpu,bottom_cpu,chain_cpu\n",
                 "wq_unbound,0,0,0,0,10,20,0,30,999999,1,0,0,1,0\n",      # warm-up: left out
                 "wq_unbound,0,1,0,0,10,20,0,30,100,1,0,0,0,0\n",
                 "wq_unbound,0,2,0,0,50,60,0,70,500,1,0,0,1,0\n",
                 "workqueue,0,3,0,0,10,20,0,30,100,1,0,0,1,0\n"]
        split = {g["relation"]: g for g in summarize.csv_split(lines, "wq_unbound", 1)}
        self.assertEqual(split["the top half's CPU"]["events"], 1)
        self.assertEqual(split["another CPU"]["events"], 1)
        self.assertEqual(split["another CPU"]["timer_to_user"]["max"], 500)
        self.assertEqual(split["another CPU"]["timer_to_top"]["p50"], 50)

    def test_trace_counts(self):
        text = "\n".join([
            "  irqbridge-168  [000] d.s3.  1.0: ipi_send_cpu: cpu=1 callsite=ttwu_queue_wakelist+0xdd/0x100 "
            "callback=x",
            "  <idle>-0  [001] d.h1.  1.1: call_function_single_entry: vector=251",
            "  irqbridge-168  [000] d.s4.  1.2: sched_wakeup: comm=kworker/0:2 pid=64 prio=120 target_cpu=000",
            "  sh-1  [000] ...2.  1.3: ipi_send_cpu: cpu=1 callsite=on_each_cpu_cond_mask+0x24 callback=y",
            "# cpu0 overrun: 0", "commit overrun: 0", "# cpu1 overrun: 0"])
        c = summarize.count_trace(text, 2)
        self.assertEqual(c["counts"]["ipi_send"], 2)
        self.assertEqual(c["counts"]["wakeup_ipi_send"], 1)
        self.assertEqual(c["kworker_wakeups_per_event"], 0.5)
        self.assertTrue(c["complete"])
        self.assertFalse(summarize.count_trace(text.replace("# cpu1 overrun: 0", "# cpu1 overrun: 5"), 2)["complete"])


class Blocks(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp()
        os.makedirs(os.path.join(self.root, "docs", "data"))
        with open(os.path.join(self.root, "docs", "data", "c.json"), "w", encoding="utf-8") as f:
            json.dump(compare_report(), f)
        self.reg = {"counts": docsgen.Block(("c.json",), docsgen.render_compare_counts)}

    def tearDown(self):
        shutil.rmtree(self.root)

    def test_regenerates_only_inside_the_markers(self):
        doc = ("before\n<!-- BEGIN GENERATED counts -->\nstale 42\n<!-- END GENERATED counts -->\nafter\n")
        out = docsgen.regenerate_text(self.root, doc, self.reg)
        self.assertTrue(out.startswith("before\n<!-- BEGIN GENERATED counts -->\nArtifact: [`docs/data/c.json`]"))
        self.assertIn("(docs/data/c.json) (commit 0123456, 6.12.0, tcg, 2 guest CPUs, 2026-01-01 00:00:00 UTC, "
                      "host load average 1.00 → 2.00 on 2 CPUs)", out)
        self.assertIn("](data/c.json)", docsgen.regenerate_text(self.root, doc, self.reg, prefix="data/"))
        self.assertNotIn("stale 42", out)
        self.assertTrue(out.endswith("<!-- END GENERATED counts -->\nafter\n"))
        self.assertEqual(docsgen.regenerate_text(self.root, out, self.reg), out, "not idempotent")

    def test_bad_markers_and_unknown_blocks(self):
        with self.assertRaises(ValueError):
            docsgen.regenerate_text(self.root, "<!-- BEGIN GENERATED counts -->\nx\n", self.reg)
        with self.assertRaises(KeyError):
            docsgen.regenerate_text(self.root, "<!-- BEGIN GENERATED nope -->\n<!-- END GENERATED nope -->",
                                    self.reg)

    def test_ctest_names_expand_foreach(self):
        names = docsgen.ctest_names("foreach(scenario a b)\n add_test(NAME e2e.${scenario} COMMAND x)\n"
                                    "endforeach()\nadd_test(NAME plain COMMAND y)\n")
        self.assertEqual(names, {"e2e.a", "e2e.b", "plain"})


class CheckOnACopyOfTheRepository(unittest.TestCase):
    """The real docs and artifacts, copied: the check passes on them as
    committed, and fails once a figure is edited by hand."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp()
        for d in ("docs", "tests"):
            shutil.copytree(os.path.join(ROOT, d), os.path.join(cls.tmp, d))
        shutil.copy(os.path.join(ROOT, "README.md"), cls.tmp)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def setUp(self):
        self.readme = os.path.join(self.tmp, "README.md")
        with open(self.readme, encoding="utf-8") as f:
            self.saved = f.read()

    def tearDown(self):
        with open(self.readme, "w", encoding="utf-8") as f:
            f.write(self.saved)

    def edit(self, fn):
        with open(self.readme, "w", encoding="utf-8") as f:
            f.write(fn(self.saved))

    def test_the_committed_docs_pass(self):
        self.assertEqual(docsgen.check(self.tmp), [])

    def test_a_hand_edited_figure_fails(self):
        m = next(docsgen.BLOCK_RE.finditer(self.saved))
        body = m.group("body")
        lines = body.split("\n")
        i = next(k for k, line in enumerate(lines) if line.startswith("| `") and any(ch.isdigit() for ch in line))
        cells = lines[i].split("|")
        j = next(k for k, c in enumerate(cells) if c.strip().replace(",", "").replace(".", "").isdigit())
        cells[j] = f" {cells[j].strip()}1 "
        lines[i] = "|".join(cells)
        edited = self.saved[:m.start("body")] + "\n".join(lines) + self.saved[m.end("body"):]
        self.assertNotEqual(edited, self.saved)
        self.edit(lambda s: edited)
        problems = docsgen.check(self.tmp)
        self.assertTrue(any(f"generated block '{m.group('name')}' differs" in p for p in problems), problems)

    def test_a_missing_test_fails(self):
        self.edit(lambda s: s + "\nShown by `test:e2e.percpu/check_percpu.no_such_assertion`.\n")
        self.assertTrue(any("no function 'no_such_assertion'" in p for p in docsgen.check(self.tmp)))
        self.edit(lambda s: s + "\nTested by `test:e2e.device_abi/DeviceTest.NoSuchTest`.\n")
        self.assertTrue(any("DeviceTest.NoSuchTest" in p for p in docsgen.check(self.tmp)))
        self.edit(lambda s: s + "\nTested by `test:e2e.device_abi/RunTest/nosuch_*`.\n")
        self.assertTrue(any("no case matching" in p for p in docsgen.check(self.tmp)))
        self.edit(lambda s: s + "\nSee `e2e.nosuch`.\n")
        self.assertTrue(any("`e2e.nosuch`" in p for p in docsgen.check(self.tmp)))

    def test_existing_tests_pass(self):
        self.edit(lambda s: s + "\nTested by `test:e2e.device_abi/DeviceTest.AtomicModesRefuseToSleep`, "
                  "`test:e2e.device_abi/RunTest/*_floor`, `test:unit/Histogram.PercentilesWithinOnePercentOfExact`"
                  ", `test:e2e.percpu/check_percpu.bound_work_never_crosses_cpus`, `test:e2e.judges`.\n")
        self.assertEqual(docsgen.check(self.tmp), [])

    def test_a_hand_table_of_figures_fails(self):
        table = "\n| mode | p50 / p99 (µs) |\n|---|---|\n| tasklet | 70 / 140 |\n"
        self.edit(lambda s: s + table)
        self.assertTrue(any("outside a generated block" in p for p in docsgen.check(self.tmp)))
        self.edit(lambda s: s + "\n**Not from an artifact yet:** measured by hand on ...\n" + table)
        self.assertEqual(docsgen.check(self.tmp), [])

    def test_a_claim_without_a_test_fails(self):
        self.edit(lambda s: s + "\nThis is shown by the soak.\n")
        self.assertTrue(any("cites no `test:" in p for p in docsgen.check(self.tmp)))


if __name__ == "__main__":
    unittest.main()
