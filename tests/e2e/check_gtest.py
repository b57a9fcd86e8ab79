#!/usr/bin/env python3
"""Judge the gtest XML reports of device_test written in the test box.

Every test ran and passed, except those whose skip is legitimate here:
a RunTest case of a mode this kernel must lack (--kernel-modes, from
kernel_modes.py), and the edu cases in a box without the edu device
(--no-edu). Any other skip fails: a test that silently stops running (a
mode that vanished, a source that went missing) is caught here, on the
host. --require names tests that must have run.
"""
import argparse
import re
import sys
import xml.etree.ElementTree as ET

import catalogue

MODES = catalogue.mode_names()


def allowed_skips(kernel_modes, no_edu, no_memcg=False, preempt_rt=False, lockdep=False):
    """Regular expressions of the test names that may skip."""
    pats = []
    for mode in MODES:
        if mode not in kernel_modes:
            # Parameterised cases named after the mode (RunTest's bh_wq,
            # bh_wq_irqchip, ...; the hardening suites' bh_wq, direct).
            pats.append(rf"^[A-Za-z]+/[A-Za-z]+\.[^/]+/{mode}(_[a-z_]+)?$")
    if no_edu:
        pats.append(r"RunTest\.[^/]+/[a-z_]+_edu(_floor)?$")
        pats.append(r"^DeviceTest\.EduIsOneSessionAtATime$")
        # It moves the edu line between CPUs (the top halves on changing
        # CPUs); e2e.device_abi runs it with the device.
        pats.append(r"^DeviceTest\.BottomHalvesNeverRunConcurrentlyWithThemselves$")
    if no_memcg:
        # The kernel has no memory cgroups (CONFIG_MEMCG off in its
        # .config): there is no cgroup to charge the session's memory to.
        # Every kernel of the matrix has them, the debug kernel included
        # (debug-kernel.config), so there this case must run.
        pats.append(r"^Hardening\.SessionMemoryIsChargedToTheOpenersCgroup$")
    if preempt_rt:
        # A soft hrtimer's callback runs in the ktimers thread there, never
        # on the idle task: the CPU-time guard's idle rule does not reach it
        # (docs/reliability.md). The hard timer's case must run.
        pats.append(r"^Hardening/CpuTimeGuardIdle\.ALateExpiryOnAnIdleCpuIsNotCharged/timer_soft$")
    if lockdep:
        # The debug kernel: a callback's work varies too much there for the
        # idle rule's bound (53 and 27 of 100 throttled in two runs).
        # Every other kernel of the matrix runs the case.
        pats.append(r"^Hardening/CpuTimeGuardIdle\.ALateExpiryOnAnIdleCpuIsNotCharged/timer(_soft)?$")
    return [re.compile(p) for p in pats]


def cases(xml_text):
    """(name, outcome) of every test case: outcome is pass, fail or skip."""
    root = ET.fromstring(xml_text)
    out = []
    for tc in root.iter("testcase"):
        name = f"{tc.get('classname')}.{tc.get('name')}"
        if tc.find("failure") is not None or tc.find("error") is not None:
            outcome = "fail"
        elif tc.find("skipped") is not None or tc.get("result") == "skipped":
            outcome = "skip"
        elif tc.get("status", "run") != "run" or tc.get("result") not in (None, "completed"):
            outcome = "fail"  # not run (disabled) or an unknown result
        else:
            outcome = "pass"
        out.append((name, outcome))
    return out


def judge(results, kernel_modes, no_edu=False, required=(), no_memcg=False, preempt_rt=False,
          lockdep=False):
    errors = []
    if not kernel_modes:
        errors.append("no kernel modes given: cannot tell a legitimate skip")
    if not results:
        errors.append("no test ran")
    allowed = allowed_skips(kernel_modes, no_edu, no_memcg, preempt_rt, lockdep)
    for name, outcome in results:
        if outcome == "fail":
            errors.append(f"{name} failed")
        elif outcome == "skip" and not any(p.search(name) for p in allowed):
            errors.append(f"{name} skipped, and nothing here justifies it")
    ran = {n for n, o in results if o == "pass"}
    for r in required:
        if r not in ran:
            errors.append(f"{r} did not run")
    return errors


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("xml", nargs="+")
    ap.add_argument("--kernel-modes", required=True, help="'mode ...' (kernel_modes.py)")
    ap.add_argument("--no-edu", action="store_true", help="the box had no edu device")
    ap.add_argument("--no-memcg", action="store_true",
                    help="the kernel has no CONFIG_MEMCG (from its .config)")
    ap.add_argument("--preempt-rt", action="store_true",
                    help="the kernel is PREEMPT_RT (from its .config)")
    ap.add_argument("--lockdep", action="store_true",
                    help="the kernel has lockdep, CONFIG_PROVE_LOCKING (from its .config)")
    ap.add_argument("--require", action="append", default=[], help="Suite.Test that must pass")
    args = ap.parse_intermixed_args()
    results = []
    for path in args.xml:
        try:
            with open(path, encoding="utf-8") as f:
                results += cases(f.read())
        except (OSError, ET.ParseError) as e:
            print(f"check_gtest: FAIL {path}: {e}")
            return 1
    errors = judge(results, args.kernel_modes.split(), args.no_edu, args.require, args.no_memcg,
                   args.preempt_rt, args.lockdep)
    skipped = [n for n, o in results if o == "skip"]
    for n in skipped:
        print(f"check_gtest: skipped {n}")
    for e in errors:
        print(f"check_gtest: FAIL {e}")
    if errors:
        return 1
    print(f"check_gtest: ok ({len(results)} tests, {len(skipped)} skipped legitimately)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
