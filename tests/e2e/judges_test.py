#!/usr/bin/env python3
"""Unit tests of the e2e judges: each is fed crafted input that must be
rejected (a lost record, a vanished mode, an unjustified skip, a boot that
ran the test and was retried, ...) next to input it must accept, so a
judge that cannot fail is caught here, without a test box."""
import copy
import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import catalogue  # noqa: E402
import check_catalogue  # noqa: E402
import check_gtest  # noqa: E402
import check_hotplug  # noqa: E402
import check_percpu  # noqa: E402
import check_report  # noqa: E402
import check_soak  # noqa: E402
import fuzz_artifact  # noqa: E402
import kernel_modes  # noqa: E402

ALL = list(kernel_modes.MODES)
NO_BH_WQ = [m for m in ALL if m != "bh_wq"]
NO_DIRECT = [m for m in ALL if m != "direct"]


class FuzzArtifact(unittest.TestCase):
    """The fuzz summary keeps every key the fuzzer wrote and gains the
    kernel log's verdict and the provenance."""

    def test_accelerator_from_the_boot_line(self):
        self.assertEqual(fuzz_artifact.accelerator("testbox: booting 6.12.117 (tcg, 2 CPUs, 512M)"),
                         "tcg")
        self.assertEqual(fuzz_artifact.accelerator("... testbox.accel=kvm ..."), "kvm")
        self.assertEqual(fuzz_artifact.accelerator("no boot line"), "unknown")

    def test_tcg_threads_from_the_boot_line(self):
        self.assertEqual(fuzz_artifact.tcg_threads(
            "testbox: booting 7.3.4+deb13-rt-amd64 (tcg, single-threaded, 2 CPUs, 512M)"), "single")
        self.assertEqual(fuzz_artifact.tcg_threads("testbox: booting 6.12.117 (tcg, multi-threaded, 2 CPUs"),
                         "multi")
        self.assertEqual(fuzz_artifact.tcg_threads("testbox: booting 6.12.117 (kvm, 2 CPUs, 512M)"), "n/a")
        self.assertEqual(fuzz_artifact.tcg_threads("... testbox.tcg_threads=single ..."), "single")
        self.assertEqual(fuzz_artifact.tcg_threads("testbox: booting 6.12.117 (tcg, 2 CPUs, 512M)"), "unknown")

    def test_summary_kept_provenance_added(self):
        import argparse
        import datetime
        summary = {"tool": "ioctl_fuzz", "calls": 100011, "edu_cycles": 463, "failures": 0}
        args = argparse.Namespace(kernel="debug", release="6.12.117", smp=2, command="cmd",
                                  kernel_log_clean=0, seconds=979, load_start="1 2 3",
                                  commit="abc")
        now = datetime.datetime(2026, 11, 25, 22, 8, tzinfo=datetime.timezone.utc)
        art = fuzz_artifact.build(summary, args, "testbox: booting x (tcg, 2 CPUs", HERE, now,
                                  "4 5 6")
        for k, v in summary.items():
            self.assertEqual(art[k], v)
        self.assertIs(art["kernel_log_clean"], False)
        p = art["provenance"]
        self.assertEqual((p["commit"], p["kernel_release"], p["accelerator"], p["guest_cpus"]),
                         ("abc", "6.12.117", "tcg", 2))
        self.assertEqual((p["date_utc"], p["host_loadavg_start"], p["host_loadavg_end"]),
                         ("2026-11-25T22:08:00Z", "1 2 3", "4 5 6"))


class KernelModes(unittest.TestCase):
    def test_612_has_every_mode(self):
        self.assertEqual(kernel_modes.expected_modes("6.12.117+deb12-amd64", "CONFIG_SMP=y\n"), ALL)

    def test_bh_wq_from_69_on(self):
        self.assertEqual(kernel_modes.expected_modes("6.1.0-41-amd64", ""), NO_BH_WQ)
        self.assertEqual(kernel_modes.expected_modes("6.8.12", ""), NO_BH_WQ)
        self.assertEqual(kernel_modes.expected_modes("6.9.0", ""), ALL)
        self.assertEqual(kernel_modes.expected_modes("7.3.4+deb13-amd64", ""), ALL)

    def test_no_direct_on_rt_or_raw_lock_nesting(self):
        self.assertEqual(kernel_modes.expected_modes("6.12.1-rt-amd64", "CONFIG_PREEMPT_RT=y\n"),
                         NO_DIRECT)
        self.assertEqual(kernel_modes.expected_modes(
            "6.12.1", "CONFIG_PROVE_LOCKING=y\nCONFIG_PROVE_RAW_LOCK_NESTING=y\n"), NO_DIRECT)
        self.assertEqual(kernel_modes.expected_modes(
            "6.12.1", "# CONFIG_PREEMPT_RT is not set\n"), ALL)

    def test_bad_release(self):
        with self.assertRaises(ValueError):
            kernel_modes.expected_modes("linux", "")


GOLDEN = os.path.join(HERE, "..", "unit", "data", "golden", "compare.json")


def compare_report(modes, events=1000, period_ns=1000000, source="timer"):
    """A compare report that check_report must accept: the golden report of
    the current writer (every key of the schema), its modes replaced by
    clean runs of `modes`, contexts from the catalogue."""
    with open(GOLDEN, encoding="utf-8") as f:
        report = json.load(f)
    template = report["modes"]["tasklet"]
    template.pop("per_cpu", None)
    stat = {"n": events, "p50": 10, "p90": 20, "p99": 30, "p999": 40, "p9999": 45, "max": 50,
            "min": 1, "mean": 12.5}
    report.update({"kernel": "6.12.117+deb12-amd64", "accel": "tcg", "events": events,
                   "period_ns": period_ns, "repetitions": 1, "modes": {}, "timerlat": None,
                   "timerlat_reason": "the kernel has no timerlat tracer"})
    report["reader"]["io_uring_setup"]["flags"] = "SINGLE_ISSUER|DEFER_TASKRUN"
    for m in modes:
        eff = catalogue.effective_source(m, source)
        ctx = {"top": catalogue.top_context(eff), "bottom": catalogue.signal_context(m, source)}
        if catalogue.chain_context(m):
            ctx["chain"] = catalogue.chain_context(m)
        mode = copy.deepcopy(template)
        mode.update({
            "fired": events, "counted": events, "reader_total": events, "wakeups": events,
            "overruns": 0, "seq_gaps": 0, "unattributed": 0, "warmup": 0, "order_violations": 0,
            "repetitions": 1, "context": ctx,
            "source": eff,
            "latency_ns": {s: dict(stat) for s in check_report.STAGES}})
        report["modes"][m] = mode
    return report


class CheckCatalogue(unittest.TestCase):
    """irqbridge info --json from the module, judged against the kernel's
    modes and the compiled-in catalogue."""

    def module_catalogue(self, supported):
        got = copy.deepcopy(catalogue.load())
        got["from"] = "module"
        for m in got["modes"]:
            m["supported"] = m["name"] in supported
        for s in got["sources"]:
            s["present"] = True
        return got

    def test_accepts_the_module_reply(self):
        self.assertEqual(check_catalogue.check(self.module_catalogue(ALL), ALL, True), [])
        self.assertEqual(check_catalogue.check(self.module_catalogue(NO_BH_WQ), NO_BH_WQ, True), [])

    def test_rejects_the_compiled_in_table(self):
        got = self.module_catalogue(ALL)
        got["from"] = "compiled-in"
        self.assertTrue(check_catalogue.check(got, ALL, True))

    def test_rejects_supported_modes_other_than_the_kernels(self):
        self.assertTrue(check_catalogue.check(self.module_catalogue(NO_BH_WQ), ALL, True))
        self.assertTrue(check_catalogue.check(self.module_catalogue(ALL), NO_DIRECT, True))

    def test_rejects_a_capability_or_name_other_than_compiled_in(self):
        got = self.module_catalogue(ALL)
        got["modes"][0]["may_sleep"] = not got["modes"][0]["may_sleep"]
        self.assertTrue(check_catalogue.check(got, ALL, True))
        got = self.module_catalogue(ALL)
        got["modes"][1]["name"] += "_x"
        self.assertTrue(check_catalogue.check(got, ALL, True))

    def test_rejects_a_missing_source(self):
        got = self.module_catalogue(ALL)
        next(s for s in got["sources"] if s["name"] == "edu")["present"] = False
        self.assertTrue(check_catalogue.check(got, ALL, True))
        self.assertEqual(check_catalogue.check(got, ALL, False), [])
        got = self.module_catalogue(ALL)
        next(s for s in got["sources"] if s["name"] == "timer_soft")["present"] = False
        self.assertTrue(check_catalogue.check(got, ALL, True))

    def test_rejects_a_source_in_another_context(self):
        # timer_soft's top half is the softirq one; a module that says
        # otherwise (or loses the source) disagrees with the compiled-in.
        got = self.module_catalogue(ALL)
        next(s for s in got["sources"] if s["name"] == "timer_soft")["top_context"] = "hardirq"
        self.assertTrue(check_catalogue.check(got, ALL, True))
        got = self.module_catalogue(ALL)
        got["sources"] = [s for s in got["sources"] if s["name"] != "timer_soft"]
        self.assertTrue(check_catalogue.check(got, ALL, True))


class CheckReport(unittest.TestCase):
    def test_accepts_a_clean_report(self):
        r = compare_report(["tasklet", "workqueue"])
        self.assertEqual(check_report.check(r, 1000, 1000000, ["tasklet", "workqueue"]), [])
        r = compare_report(ALL)
        self.assertEqual(check_report.check(r, 1000, 1000000, ["all"], None, ALL), [])

    def test_timer_soft_top_half_in_softirq(self):
        # The soft timer's top half (and the direct mode's signal, which
        # runs in it) is judged softirq; hardirq there is a defect.
        modes = [m for m in ALL if not catalogue.modes()[m]["needs_irq_source"]]
        r = compare_report(modes, source="timer_soft")
        self.assertEqual(r["modes"]["direct"]["context"],
                         {"top": "softirq", "bottom": "softirq"})
        self.assertEqual(check_report.check(r, 1000, 1000000, modes, "timer_soft"), [])
        r["modes"]["tasklet"]["context"]["top"] = "hardirq"
        errors = check_report.check(r, 1000, 1000000, modes, "timer_soft")
        self.assertTrue(any("tasklet.context.top" in e for e in errors), errors)
        r = compare_report(modes, source="timer_soft")
        r["modes"]["direct"]["context"]["bottom"] = "hardirq"
        errors = check_report.check(r, 1000, 1000000, modes, "timer_soft")
        self.assertTrue(any("direct.context.bottom" in e for e in errors), errors)
        # The hard timer's report is not a soft one's.
        r = compare_report(["tasklet"])
        self.assertTrue(check_report.check(r, 1000, 1000000, ["tasklet"], "timer_soft"))

    def test_rejects_a_reader_without_the_single_issuer_setup(self):
        for setup in ({"flags": "COOP_TASKRUN"}, {"flags": "none"}, None):
            r = compare_report(["tasklet"])
            if setup is None:
                del r["reader"]["io_uring_setup"]
            else:
                r["reader"]["io_uring_setup"] = setup
            problems = check_report.check(r, 1000, 1000000, ["tasklet"])
            self.assertTrue(any("io_uring_setup" in p for p in problems), problems)

    def test_rejects_losses_at_1ms(self):
        for key in ("overruns", "seq_gaps", "unattributed"):
            r = compare_report(["tasklet", "workqueue"])
            r["modes"]["tasklet"][key] = 1
            if key == "overruns":
                for st in r["modes"]["tasklet"]["latency_ns"].values():
                    st["n"] -= 1  # n = fired - overruns - warmup still holds
            errors = check_report.check(r, 1000, 1000000, ["tasklet", "workqueue"])
            self.assertTrue(any(key in e for e in errors), f"{key}: {errors}")

    def test_rejects_a_reader_total_other_than_counted(self):
        # docs/windows-to-linux.md cites this: the reader's total == counted.
        for total in (999, 1001, None):
            r = compare_report(["tasklet", "workqueue"])
            r["modes"]["workqueue"]["reader_total"] = total
            if total is None:
                del r["modes"]["workqueue"]["reader_total"]
            errors = check_report.check(r, 1000, 1000000, ["tasklet", "workqueue"])
            self.assertTrue(any("the reader read" in e for e in errors), f"{total}: {errors}")

    def test_rejects_missing_loss_keys(self):
        r = compare_report(["tasklet", "workqueue"])
        del r["modes"]["workqueue"]["seq_gaps"]
        self.assertTrue(check_report.check(r, 1000, 1000000, ["tasklet", "workqueue"]))

    def test_all_means_every_mode_the_kernel_must_have(self):
        r = compare_report(NO_BH_WQ)  # bh_wq vanished on a 6.12
        errors = check_report.check(r, 1000, 1000000, ["all"], None, ALL)
        self.assertTrue(any("modes" in e for e in errors), errors)
        # ... but on 6.1 that is exactly right.
        self.assertEqual(check_report.check(r, 1000, 1000000, ["all"], None, NO_BH_WQ), [])
        # Without the kernel's modes "all" cannot be judged.
        self.assertTrue(check_report.check(r, 1000, 1000000, ["all"], None, []))


def with_timerlat(report):
    """A report with rtla timerlat's result, as the CLI writes it."""
    side = {"samples": 1911, "overflows": 0,
            "latency_ns": {"n": 1911, "p50": 60999, "p90": 70000, "p99": 2526999,
                           "p999": 5000000, "p9999": 5435999, "max": 5435999, "min": 1000,
                           "mean": 80000.5},
            "histogram_ns": [[60999, 1000], [5435999, 911]]}
    report["timerlat"] = {
        "tool": "rtla timerlat", "command": "rtla timerlat hist -d 1 -p 1000",
        "settings": {"duration_s": 1, "period_us": 1000, "policy": "SCHED_FIFO",
                     "priority": 80, "cpus": [], "entries": 1000, "bucket_us": 1,
                     "dma_latency_us": 0},
        "cpus": [0, 1], "resolution_ns": 1000,
        "irq": copy.deepcopy(side), "thread": copy.deepcopy(side)}
    report["timerlat_reason"] = ""
    return report


class CheckTimerlat(unittest.TestCase):
    MODES = ["tasklet", "workqueue"]

    def judge(self, r, has_tracer):
        return check_report.check(r, 1000, 1000000, self.MODES, None, None, has_tracer)

    def test_accepts_a_result_on_a_tracer_kernel_and_null_elsewhere(self):
        self.assertEqual(self.judge(with_timerlat(compare_report(self.MODES)), True), [])
        r = compare_report(self.MODES)
        r["timerlat"] = None
        r["timerlat_reason"] = "the kernel has no timerlat tracer (CONFIG_TIMERLAT_TRACER is not set)"
        self.assertEqual(self.judge(r, False), [])

    def test_rejects_null_on_a_tracer_kernel(self):
        r = compare_report(self.MODES)
        r["timerlat"] = None
        r["timerlat_reason"] = "rtla exited with 1: Failed to set timerlat period"
        self.assertTrue(self.judge(r, True))

    def test_rejects_a_result_or_no_reason_without_the_tracer(self):
        self.assertTrue(self.judge(with_timerlat(compare_report(self.MODES)), False))
        r = compare_report(self.MODES)
        r["timerlat"] = None
        r["timerlat_reason"] = "rtla is not installed (Debian package rtla)"
        errors = self.judge(r, False)
        self.assertTrue(any("missing tracer" in e for e in errors), errors)

    def test_rejects_missing_keys(self):
        for key in ("timerlat", "timerlat_reason"):
            r = compare_report(self.MODES)
            del r[key]
            self.assertTrue(self.judge(r, True), key)
            self.assertTrue(self.judge(r, False), key)

    def test_rejects_no_samples_and_bad_ordering(self):
        for side in ("irq", "thread"):
            r = with_timerlat(compare_report(self.MODES))
            r["timerlat"][side]["samples"] = 0
            r["timerlat"][side]["latency_ns"]["n"] = 0
            self.assertTrue(any("samples" in e for e in self.judge(r, True)), side)
            r = with_timerlat(compare_report(self.MODES))
            r["timerlat"][side]["latency_ns"]["p50"] = 3000000  # above p99
            self.assertTrue(any("p50 <= p99" in e for e in self.judge(r, True)), side)
            r = with_timerlat(compare_report(self.MODES))
            r["timerlat"][side]["latency_ns"]["max"] = 1  # below p99
            self.assertTrue(any("p50 <= p99" in e for e in self.judge(r, True)), side)

    def test_rejects_missing_settings(self):
        for key in ("duration_s", "period_us", "priority", "cpus"):
            r = with_timerlat(compare_report(self.MODES))
            del r["timerlat"]["settings"][key]
            self.assertTrue(self.judge(r, True), key)
        r = with_timerlat(compare_report(self.MODES))
        r["timerlat"]["settings"]["period_us"] = 500
        self.assertTrue(self.judge(r, True))


class CheckPercpu(unittest.TestCase):
    def setUp(self):
        with open(os.path.join(HERE, "..", "report", "percpu.json"), encoding="utf-8") as f:
            self.report = json.load(f)
        self.modes = list(self.report["modes"])

    def test_accepts_the_modes_that_ran(self):
        self.assertEqual(check_percpu.check(self.report, 500, 4, self.modes), [])

    def test_rejects_a_missing_mode(self):
        errors = check_percpu.check(self.report, 500, 4, self.modes + ["bh_wq"])
        self.assertTrue(any("modes" in e for e in errors), errors)
        r = copy.deepcopy(self.report)
        del r["modes"][self.modes[0]]
        self.assertTrue(check_percpu.check(r, 500, 4, self.modes))
        self.assertTrue(check_percpu.check(self.report, 500, 4, []))

    def _with(self, name, bottom_cpu_of):
        """The report plus a mode `name` made of the tasklet's parts, whose
        bottom half ran on bottom_cpu_of(cpu)."""
        r = copy.deepcopy(self.report)
        m = copy.deepcopy(r["modes"]["tasklet"])
        for p in m["per_cpu"]:
            where = bottom_cpu_of(p["cpu"])
            p["context_detail"]["bottom"]["cpus"] = sorted({p["cpu"], where})
            p["cross_cpu"]["bottom"] = 0 if where == p["cpu"] else 7
        r["modes"][name] = m
        return r, self.modes + [name]

    def test_bound_work_never_crosses_cpus(self):
        r, modes = self._with("workqueue", lambda cpu: cpu)
        self.assertEqual(check_percpu.check(r, 500, 4, modes), [])
        r, modes = self._with("workqueue", lambda cpu: (cpu + 1) % 4)
        errors = check_percpu.check(r, 500, 4, modes)
        self.assertTrue(any("workqueue CPU" in e and "per-CPU" in e for e in errors), errors)
        # A count of crossings alone, with the CPU set still right, fails too.
        r, modes = self._with("wq_highpri", lambda cpu: cpu)
        r["modes"]["wq_highpri"]["per_cpu"][2]["cross_cpu"]["bottom"] = 1
        errors = check_percpu.check(r, 500, 4, modes)
        self.assertTrue(any("wq_highpri CPU 2" in e and "crossed" in e for e in errors), errors)

    def test_top_half_context_follows_the_source(self):
        # A per-CPU run on timer_soft: its top halves run in softirq, which
        # is right there and wrong for the hard timer.
        r = copy.deepcopy(self.report)
        for p in r["modes"]["tasklet"]["per_cpu"]:
            p["context_detail"]["top"]["name"] = "softirq"
        errors = check_percpu.check(r, 500, 4, self.modes)
        self.assertTrue(any("tasklet CPU" in e and "want hardirq" in e for e in errors), errors)
        r["modes"]["tasklet"]["source"] = "timer_soft"
        self.assertEqual(check_percpu.check(r, 500, 4, self.modes), [])
        # And a hard top half on timer_soft is as wrong.
        r = copy.deepcopy(self.report)
        r["modes"]["tasklet"]["source"] = "timer_soft"
        errors = check_percpu.check(r, 500, 4, self.modes)
        self.assertTrue(any("want softirq" in e for e in errors), errors)

    def test_threaded_handler_follows_its_line(self):
        r, modes = self._with("threaded", lambda cpu: cpu)
        self.assertEqual(check_percpu.check(r, 500, 4, modes), [])
        r, modes = self._with("threaded", lambda cpu: 0)
        errors = check_percpu.check(r, 500, 4, modes)
        self.assertTrue(any(e.startswith("threaded CPU 1") for e in errors), errors)

    def test_unbound_placement_is_not_asserted(self):
        r, modes = self._with("wq_unbound2", lambda cpu: (cpu + 1) % 4)
        self.assertEqual(check_percpu.bound_work_never_crosses_cpus("wq_unbound", r["modes"]["wq_unbound2"]
                                                                    ["per_cpu"][0]), [])


class CheckSoak(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.out = self.dir.name
        with open(os.path.join(self.out, "slab.txt"), "w", encoding="utf-8") as f:
            f.write("1000 1100\n")

    def tearDown(self):
        self.dir.cleanup()

    def ran(self, mode, fired=1000, overruns=0):
        stat = {"p99": 1000}
        m = {"exact": True, "fired": fired, "counted": fired, "reader_total": fired,
             "wakeups": fired, "overruns": overruns, "timer_overruns": 0,
             "latency_ns": {"top_to_user": stat}}
        with open(os.path.join(self.out, f"soak-{mode}.json"), "w", encoding="utf-8") as f:
            json.dump({"modes": {mode: m}}, f)

    def skipped(self, mode):
        open(os.path.join(self.out, f"soak-{mode}.skipped"), "w", encoding="utf-8").close()

    def test_accepts_every_mode_run(self):
        self.ran("tasklet")
        self.ran("bh_wq")
        self.assertEqual(check_soak.judge(self.out, "tasklet:1000 bh_wq:1000", 1, ALL), 0)

    def test_rejects_all_skipped(self):
        self.skipped("tasklet")
        self.skipped("bh_wq")
        self.assertEqual(check_soak.judge(self.out, "tasklet:1000 bh_wq:1000", 1, ALL), 1)

    def test_skip_only_where_the_kernel_lacks_the_mode(self):
        self.ran("tasklet")
        self.skipped("bh_wq")
        self.assertEqual(check_soak.judge(self.out, "tasklet:1000 bh_wq:1000", 1, ALL), 1)
        self.assertEqual(check_soak.judge(self.out, "tasklet:1000 bh_wq:1000", 1, NO_BH_WQ), 0)

    def test_nothing_ran_even_where_skips_are_legal(self):
        self.skipped("direct")
        self.assertEqual(check_soak.judge(self.out, "direct:1000", 1, NO_DIRECT), 1)

    def test_rejects_losses_and_short_runs(self):
        self.ran("tasklet", overruns=3)
        self.assertEqual(check_soak.judge(self.out, "tasklet:1000", 1, ALL), 1)
        self.ran("tasklet", fired=999)
        self.assertEqual(check_soak.judge(self.out, "tasklet:1000", 1, ALL), 1)

    def test_rejects_a_missing_report_and_no_kernel_modes(self):
        self.assertEqual(check_soak.judge(self.out, "tasklet:1000", 1, ALL), 1)
        self.ran("tasklet")
        self.assertEqual(check_soak.judge(self.out, "tasklet:1000", 1, []), 1)


def gtest_xml(cases):
    """gtest's XML for (classname, name, outcome) triples."""
    body = []
    for cls, name, outcome in cases:
        inner = {"pass": "", "skip": '<skipped message="skipped"/>',
                 "fail": '<failure message="x">x</failure>'}[outcome]
        result = "skipped" if outcome == "skip" else "completed"
        body.append(f'<testcase name="{name}" status="run" result="{result}" '
                    f'classname="{cls}">{inner}</testcase>')
    return ('<?xml version="1.0" encoding="UTF-8"?><testsuites tests="1">'
            f'<testsuite name="s">{"".join(body)}</testsuite></testsuites>')


RUN = "Modes/RunTest"
CASE = "CountsExactlyWithOrderedStagesInTheRightContexts"


class CheckGtest(unittest.TestCase):
    def judge(self, cases, modes, no_edu=False, required=()):
        return check_gtest.judge(check_gtest.cases(gtest_xml(cases)), modes, no_edu, required)

    def test_accepts_all_passed(self):
        self.assertEqual(self.judge([("DeviceTest", "A", "pass"), (RUN, f"{CASE}/bh_wq", "pass")],
                                    ALL, required=["DeviceTest.A"]), [])

    def test_a_vanished_mode_cannot_skip(self):
        for name in ("bh_wq", "bh_wq_irqchip", "direct_floor"):
            self.assertTrue(self.judge([(RUN, f"{CASE}/{name}", "skip")], ALL), name)

    def test_a_mode_the_kernel_lacks_may_skip(self):
        self.assertEqual(self.judge([(RUN, f"{CASE}/bh_wq", "skip"),
                                     (RUN, f"{CASE}/bh_wq_irqchip", "skip")], NO_BH_WQ), [])
        self.assertEqual(self.judge([(RUN, f"{CASE}/direct_edu", "skip")], NO_DIRECT), [])
        # ... but not another mode's case.
        self.assertTrue(self.judge([(RUN, f"{CASE}/tasklet", "skip")], NO_BH_WQ))

    def test_edu_skips_only_without_edu(self):
        cases = [(RUN, f"{CASE}/tasklet_edu", "skip"), (RUN, f"{CASE}/tasklet_edu_floor", "skip"),
                 ("DeviceTest", "EduIsOneSessionAtATime", "skip"),
                 ("DeviceTest", "BottomHalvesNeverRunConcurrentlyWithThemselves", "skip")]
        self.assertTrue(self.judge(cases, ALL))
        self.assertEqual(self.judge(cases, ALL, no_edu=True), [])

    def test_rejects_failures_other_skips_nothing_and_missing_required(self):
        self.assertTrue(self.judge([("DeviceTest", "A", "fail")], ALL))
        self.assertTrue(self.judge([("DeviceTest", "TracepointsShowEveryStage", "skip")], ALL))
        self.assertTrue(self.judge([], ALL))
        self.assertTrue(self.judge([("DeviceTest", "A", "pass")], ALL, required=["DeviceTest.B"]))
        self.assertTrue(self.judge([("DeviceTest", "B", "skip")], NO_BH_WQ,
                                   required=["DeviceTest.B"]))
        self.assertTrue(self.judge([("DeviceTest", "A", "pass")], []))

    def test_the_soft_timer_idle_case_skips_only_on_preempt_rt(self):
        idle = "Hardening/CpuTimeGuardIdle"
        case = "ALateExpiryOnAnIdleCpuIsNotCharged"
        soft = [(idle, f"{case}/timer_soft", "skip")]

        def run(cases, rt):
            return check_gtest.judge(check_gtest.cases(gtest_xml(cases)), ALL, preempt_rt=rt)

        self.assertTrue(run(soft, False))
        self.assertEqual(run(soft, True), [])
        # The hard timer's case must run on PREEMPT_RT too.
        self.assertTrue(run([(idle, f"{case}/timer", "skip")], True))

    def test_the_idle_case_may_skip_on_the_lockdep_kernel(self):
        idle = "Hardening/CpuTimeGuardIdle"
        case = "ALateExpiryOnAnIdleCpuIsNotCharged"

        def run(cases, lockdep):
            return check_gtest.judge(check_gtest.cases(gtest_xml(cases)), ALL, lockdep=lockdep)

        for source in ("timer", "timer_soft"):
            self.assertEqual(run([(idle, f"{case}/{source}", "skip")], True), [])
            self.assertTrue(run([(idle, f"{case}/{source}", "skip")], False))
        # Only this case: the CPU-time guard's other cases must run there.
        self.assertTrue(run([("Hardening/CpuTimeGuard",
                              "ASpentShareDefersTheRaisesAndKeepsTheCount/timer", "skip")], True))

    def test_a_disabled_test_is_not_a_pass(self):
        xml = gtest_xml([("DeviceTest", "A", "pass")]).replace('status="run"', 'status="notrun"')
        self.assertTrue(check_gtest.judge(check_gtest.cases(xml), ALL))


class CheckHotplug(unittest.TestCase):
    """A run whose cycle was not inside it, a lost count, a missing planned
    run or a noisy error fails; exact runs and one-line errors pass."""

    CATALOGUE = {
        "modes": [{"name": "tasklet", "supported": True, "needs_irq_source": False},
                  {"name": "threaded", "supported": True, "needs_irq_source": True},
                  {"name": "direct", "supported": False, "needs_irq_source": False}],
        "sources": [{"name": "timer", "present": True, "irq": False},
                    {"name": "irqchip", "present": True, "irq": True},
                    {"name": "edu", "present": True, "irq": True},
                    {"name": "timer_soft", "present": True, "irq": False}],
    }

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.out = self.dir.name
        self.write("hotplug-catalogue.json", self.CATALOGUE)
        self.write("hotplug-after.json", self.report("tasklet", 100, [0, 1]))

    def tearDown(self):
        self.dir.cleanup()

    def write(self, name, obj):
        with open(os.path.join(self.out, name), "w", encoding="utf-8") as f:
            f.write(obj if isinstance(obj, str) else json.dumps(obj))

    @staticmethod
    def report(mode, events, cpus, lost=0):
        parts = [{"cpu": c, "fired": events, "counted": events - lost, "reader_total": events - lost,
                  "exact": not lost} for c in cpus]
        return {"period_ns": 1000000, "modes": {mode: {"exact": not lost, "per_cpu": parts}}}

    @staticmethod
    def stats(raised, running=1, fired=None, counted=None):
        fired = raised if fired is None else fired
        counted = fired if counted is None else counted
        return {"running": running, "raised": raised, "fired": fired, "counted": counted, "error": 0}

    def run_all(self, inside=lambda key: True, exit_of=lambda key: 0, lost=0, skip=(), final=None):
        lines = []
        for key in check_hotplug.plan(self.CATALOGUE):
            if key in skip:
                continue
            source, mode = key.split("/")
            name = f"{source}-{mode}"
            cpus = [1] if source == "edu" else [0, 1]
            code = exit_of(key)
            chans = [{"index": i, "before": self.stats(5), "after": self.stats(300, inside(key)),
                      "final": (final or self.stats)(1000, 0)} for i in range(len(cpus))]
            self.write(f"hotplug-{name}.cycle.json",
                       {"cpu": 1, "cycled": True, "inside": inside(key), "error": "", "cycle_ms": 400,
                        "channels": chans})
            stderr = "irqbridge: tasklet: the run ended early" if code else ""
            if code == 0:
                self.write(f"hotplug-{name}.json", self.report(mode, 1000, cpus, lost))
            lines.append(f"{name} source={source} mode={mode} cpus={','.join(map(str, cpus))} events=1000 "
                         f"exit={code} inside={'true' if inside(key) else 'false'} cycle_ms=400 run_ms=2000 "
                         f"stderr_lines={1 if code else 0} stderr={stderr}\n")
        self.write("hotplug.txt", "".join(lines))
        return check_hotplug.check(self.out, ["tasklet", "threaded"], 2)

    def test_plan_follows_the_catalogue(self):
        self.assertEqual(check_hotplug.plan(self.CATALOGUE),
                         ["timer/tasklet", "irqchip/tasklet", "irqchip/threaded", "edu/tasklet",
                          "edu/threaded", "timer_soft/tasklet"])

    def test_exact_runs_pass_and_are_summarised(self):
        errors, summary = self.run_all()
        self.assertEqual(errors, [])
        self.assertEqual((summary["exact"], summary["cycles_during_runs"]), (6, 6))
        edu = [r for r in summary["runs"] if r["source"] == "edu"][0]
        self.assertEqual([c["cpu"] for c in edu["channels"]], [1])
        self.assertTrue(edu["channels"][0]["cpu_went_offline"])

    def test_a_run_without_a_cycle_fails(self):
        errors, summary = self.run_all(inside=lambda key: key != "timer_soft/tasklet")
        self.assertEqual(errors, ["timer_soft/tasklet: no offline/online cycle during the run"])
        self.assertEqual(summary["cycles_during_runs"], 5)

    def test_a_lost_count_fails(self):
        errors, _ = self.run_all(lost=1)
        self.assertTrue(errors)
        errors, _ = self.run_all(final=lambda raised, running: self.stats(raised, running, counted=raised - 1))
        self.assertTrue(any("after the run" in e for e in errors), errors)

    def test_a_one_line_error_passes_a_missing_run_fails(self):
        errors, summary = self.run_all(exit_of=lambda key: 1 if key == "edu/threaded" else 0)
        self.assertEqual(errors, [])
        self.assertEqual(summary["clear_errors"], 1)
        errors, _ = self.run_all(skip=("irqchip/threaded",))
        self.assertTrue(any("missing ['irqchip/threaded']" in e for e in errors), errors)

    def test_a_kernel_mode_the_module_lacks_fails(self):
        _, _ = self.run_all()
        errors, _ = check_hotplug.check(self.out, ["tasklet", "threaded", "direct"], 2)
        self.assertTrue(any("mode direct" in e for e in errors), errors)


class CheckKernelLog(unittest.TestCase):
    def run_judge(self, text, *args):
        return self.judge_output(text, *args).returncode

    def judge_output(self, text, *args):
        with tempfile.NamedTemporaryFile("w", suffix=".log", delete=False) as f:
            f.write(text)
        try:
            return subprocess.run([os.path.join(HERE, "check_kernel_log.sh"), *args, f.name],
                                  capture_output=True, text=True, check=False)
        finally:
            os.unlink(f.name)

    OOPS = "[    1.0] int3: 0000 [#1] PREEMPT SMP\n[    1.0] Oops: int3\nKernel panic\n"

    def test_a_complaint_fails_the_log(self):
        self.assertEqual(self.run_judge(self.OOPS), 1)
        self.assertEqual(self.run_judge("[    1.0] all quiet\n"), 0)

    def test_the_first_report_is_printed_whole(self):
        # A lockdep report's locks come after its first line: CI keeps
        # only the judge's output, so the report must be in it.
        report = ("[ 5.0] WARNING: possible circular locking dependency detected\n"
                  "[ 5.0] kworker/0:1/8 is trying to acquire lock:\n"
                  "[ 5.0] (console_owner){-...}, at: console_flush_all\n"
                  "[ 5.0] but task is already holding lock:\n"
                  "[ 5.0] (&rq->__lock){-.-.}, at: sched_cpu_dying\n")
        tail = "".join(f"[ 6.{i}] line {i}\n" for i in range(100))
        out = self.judge_output("[ 1.0] booted\n" + report + tail)
        self.assertEqual(out.returncode, 1)
        self.assertIn("the first report, lines 2-61", out.stdout)
        self.assertIn("(&rq->__lock){-.-.}, at: sched_cpu_dying", out.stdout)
        self.assertIn("line 54\n", out.stdout)
        self.assertNotIn("line 55\n", out.stdout)
        self.assertEqual(self.judge_output("[ 1.0] all quiet\n").stdout, "")

    def test_a_boot_failure_before_the_command_is_accepted(self):
        self.assertEqual(self.run_judge(self.OOPS, "--boot-failure"), 0)

    def test_a_retried_boot_that_ran_the_test_is_rejected(self):
        for sign in ("testbox: running the command\n", "[ 2.0] irqbridge: version x ready\n",
                     "TESTBOX-RC=0\n", "faults: PASS x\n"):
            self.assertEqual(self.run_judge(self.OOPS + sign, "--boot-failure"), 1, sign)


if __name__ == "__main__":
    unittest.main()
