#!/usr/bin/env python3
"""Turn what the docs-data boots left in $BUILD/docs-data/<kernel>/<phase>/
into the small artifacts of docs/data/, each with a top-level "provenance"
object: commit, kernel, accel, guest CPUs, the exact commands, UTC date,
the host's load average at the start and end of the boot (the host may be
shared: figures measured under load are noisy, and the artifact says so).

  summarize.py --kernel 6.12 --raw build/docs-data/6.12 --out docs/data PHASE...
  summarize.py --tests BUILD --out docs/data      (the test listing)
"""
import argparse
import json
import os
import re
import subprocess
import sys

# Per-event lists are never committed: the compare report's histograms are
# kept (summaries), nothing else is dropped.
MAX_BYTES = 200 * 1024


def read_provenance(phase_dir):
    kv = {}
    with open(os.path.join(phase_dir, "provenance.txt"), encoding="utf-8") as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("=")
            kv[k] = v
    return kv


def tcg_threads(phase_dir):
    """single or multi: how TCG ran the guest's CPUs (the kernel command
    line's testbox.tcg_threads=, testbox.sh), n/a under KVM, or unknown."""
    try:
        with open(os.path.join(phase_dir, "console.log"), encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        return "unknown"
    m = re.search(r"testbox\.tcg_threads=(\w+)", text)
    if m:
        return m.group(1)
    return "n/a" if "testbox.accel=kvm" in text else "unknown"


def provenance(phase_dir, report, note=""):
    kv = read_provenance(phase_dir)
    p = {
        "commit": kv.get("commit", ""),
        "describe": kv.get("describe", ""),
        "kernel": report.get("kernel", ""),
        "accel": report.get("accel", ""),
        "tcg_threads": tcg_threads(phase_dir),
        "guest_cpus": int(kv.get("smp", "0")),
        "command": kv.get("testbox_command", ""),
        "guest_command": kv.get("guest_command", ""),
        "make": "make docs-data",
        "date": kv.get("date", ""),
        "seconds": int(kv.get("seconds", "0") or 0),
        "host_cpus": int(kv.get("host_cpus", "0") or 0),
        "host_loadavg": {"start": kv.get("loadavg_start", ""), "end": kv.get("loadavg_end", "")},
        "host_shared": (f"measured on a {int(kv.get('host_cpus', '0') or 0)}-core host that may run other "
                        "builds and test boxes at the same time: the load average above says how busy "
                        "it was (below about 1.5 on 2 cores, nothing else ran); TCG figures move with it"),
        "cli_version": report.get("version", ""),
        "module_version": report.get("module_version", ""),
    }
    if note:
        p["note"] = note
    return p


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def dumps(obj):
    return json.dumps(obj, separators=(",", ":")) + "\n"


def trim(obj):
    """Drop the per-mode histograms (the percentiles stay), and say so."""
    for m in obj.get("modes", {}).values():
        m.pop("histogram_ns", None)
    obj.get("floor", {}).pop("histogram_ns", None)
    obj["provenance"]["trimmed"] = ("modes.*.histogram_ns and floor.histogram_ns dropped to keep the "
                                    "artifact under 200 KB; every other key is the CLI's output")


def write(out_dir, name, obj):
    text = dumps(obj)
    if len(text) > MAX_BYTES and "provenance" in obj:
        trim(obj)
        text = dumps(obj)
    if len(text) > MAX_BYTES:
        raise SystemExit(f"summarize: {name} is {len(text)} bytes, more than {MAX_BYTES}: trim it")
    with open(os.path.join(out_dir, name), "w", encoding="utf-8") as f:
        f.write(text)
    print(f"summarize: docs/data/{name} ({len(text) // 1024} KiB)")


def with_provenance(report, prov):
    out = {"provenance": prov}
    out.update(report)
    return out


# --- the per-event CSV, summarised --------------------------------------------

def quantile(sorted_values, q):
    """Nearest-rank quantile of a sorted list (exact, no histogram)."""
    if not sorted_values:
        return None
    k = max(0, min(len(sorted_values) - 1, int(-(-q * len(sorted_values) // 1)) - 1))
    return sorted_values[k]


def stats(values):
    v = sorted(values)
    return {"n": len(v), "p50": quantile(v, 0.50), "p99": quantile(v, 0.99), "max": v[-1] if v else None}


def csv_split(lines, mode, warmup):
    """wq_unbound's events split by where the work item ran: on the top
    half's CPU or on another one. Warm-up events (seq < warmup) left out."""
    header = lines[0].strip().split(",")
    col = {h: i for i, h in enumerate(header)}
    groups = {"the top half's CPU": ([], []), "another CPU": ([], [])}
    for line in lines[1:]:
        f = line.strip().split(",")
        if len(f) != len(header) or f[col["mode"]] != mode or int(f[col["seq"]]) < warmup:
            continue
        key = "the top half's CPU" if f[col["bottom_cpu"]] == f[col["top_cpu"]] else "another CPU"
        exp = int(f[col["expected_ns"]])
        groups[key][0].append(int(f[col["user_ns"]]) - exp)
        groups[key][1].append(int(f[col["top_ns"]]) - exp)
    return [{"relation": k, "events": len(tu), "timer_to_user": stats(tu), "timer_to_top": stats(tt)}
            for k, (tu, tt) in groups.items()]


def unbound_run(report):
    out = {}
    for name in ("workqueue", "wq_unbound"):
        m = report["modes"][name]
        out[name] = {"fired": m["fired"], "counted": m["counted"], "exact": m["exact"],
                     "records": m["records"], "cross_cpu": m["cross_cpu"]["bottom"],
                     "timer_to_user": m["latency_ns"]["timer_to_user"]}
    return {"kernel": report["kernel"], "cpus": report["cpus"], "modes": out}


# --- the ipi / sched trace, counted ---------------------------------------------

TRACE_LINE = re.compile(r"^\s*(?P<task>.+?)-(?P<pid>\d+)\s+\[(?P<cpu>\d+)\]\s+\S+\s+[\d.]+:\s+(?P<event>\w+):\s*(?P<rest>.*)$")


def count_trace(text, fired):
    """IPIs and kworker wake-ups in the trace of one run. A remote wake-up
    goes through ttwu_queue_wakelist (an IPI to the target CPU, whose
    sched_wakeup then fires there), so wake-up IPIs are counted by that
    call site rather than by comparing the CPU columns."""
    c = {"ipi_send": 0, "wakeup_ipi_send": 0, "reschedule_entry": 0, "call_function_entry": 0,
         "kworker_wakeups": 0, "overrun": 0, "lines": 0}
    for line in text.splitlines():
        if line.startswith("# cpu") and "overrun:" in line:
            c["overrun"] += int(line.rsplit("overrun:", 1)[1].split()[0])
            continue
        m = TRACE_LINE.match(line)
        if not m:
            continue
        c["lines"] += 1
        ev, rest = m.group("event"), m.group("rest")
        if ev in ("ipi_send_cpu", "ipi_send_cpumask"):
            c["ipi_send"] += 1
            if "callsite=ttwu_queue_wakelist" in rest:
                c["wakeup_ipi_send"] += 1
        elif ev == "reschedule_entry":
            c["reschedule_entry"] += 1
        elif ev in ("call_function_entry", "call_function_single_entry"):
            c["call_function_entry"] += 1
        elif ev == "sched_wakeup" and "comm=kworker" in rest:
            c["kworker_wakeups"] += 1
    per = (lambda k: c[k] / fired) if fired else (lambda k: 0.0)
    return {"events": fired, "counts": c, "complete": c["overrun"] == 0 and c["lines"] > 0,
            "ipi_send_per_event": per("ipi_send"),
            "wakeup_ipi_send_per_event": per("wakeup_ipi_send"),
            "reschedule_ipi_per_event": per("reschedule_entry"),
            "call_function_ipi_per_event": per("call_function_entry"),
            "kworker_wakeups_per_event": per("kworker_wakeups")}


# --- phases ------------------------------------------------------------------------

def copy_with_provenance(d, src, out, dst):
    """Write the CLI's own report d/src as the artifact out/dst, with its provenance."""
    r = load(os.path.join(d, src))
    write(out, dst, with_provenance(r, provenance(d, r)))


def phase_compare(kernel, raw, out):
    d = os.path.join(raw, "compare")
    copy_with_provenance(d, "compare.json", out, f"compare-{kernel}.json")
    copy_with_provenance(d, "compare-all.json", out, f"compare-all-{kernel}.json")
    two = load(os.path.join(d, "unbound-2.json"))
    with open(os.path.join(d, "unbound-2.csv"), encoding="utf-8") as f:
        split = csv_split(f.readlines(), "wq_unbound", two.get("warmup", 0) // max(1, two.get("repetitions", 1)))
    unbound = {"provenance": provenance(d, two, "two_cpus from the compare boot (2 CPUs), one_cpu from the "
                                        "onecpu boot (1 CPU): see one_cpu.provenance"),
               "two_cpus": dict(unbound_run(two), by_bottom_cpu=split)}
    one_path = os.path.join(raw, "onecpu", "unbound-1.json")
    if os.path.exists(one_path):
        one = load(one_path)
        unbound["one_cpu"] = dict(unbound_run(one), provenance=provenance(os.path.dirname(one_path), one))
    write(out, f"unbound-{kernel}.json", unbound)
    modes = {}
    first = None
    for mode in ("tasklet", "workqueue", "wq_unbound"):
        rep = load(os.path.join(d, f"trace-{mode}.json"))
        first = first or rep
        with open(os.path.join(d, f"trace-{mode}.txt"), encoding="utf-8", errors="replace") as f:
            modes[mode] = count_trace(f.read(), rep["modes"][mode]["fired"])
    prov = provenance(d, first, "irqbridge run --mode M --events 1000 with the tracepoints ipi:ipi_send_cpu, "
                      "ipi:ipi_send_cpumask, irq_vectors:reschedule_entry, irq_vectors:call_function(_single)"
                      "_entry and sched:sched_wakeup on (docs/generator/guest.sh trace_counts); every event in "
                      "the guest during the run is counted, the reader's and the kernel's own included")
    write(out, f"ipi-{kernel}.json", {"provenance": prov, "modes": modes})


def phase_rt(kernel, raw, out):
    copy_with_provenance(os.path.join(raw, "rt"), "compare-all.json", out, f"compare-all-{kernel}.json")


def phase_percpu(kernel, raw, out):
    d = os.path.join(raw, "percpu")
    copy_with_provenance(d, "percpu.json", out, f"percpu-{kernel}.json")
    copy_with_provenance(d, "bench-cpus.json", out, f"bench-cpus-{kernel}.json")


def phase_bench(kernel, raw, out):
    d = os.path.join(raw, "bench")
    copy_with_provenance(d, "bench.json", out, f"bench-{kernel}.json")
    copy_with_provenance(d, "sweep.json", out, f"sweep-{kernel}.json")


def phase_icount(kernel, raw, out):
    """The top half's cost counted in guest instructions (the -icount boot):
    its own artifact, and records_overhead_icount added to the bench
    artifact as make bench adds it (userspace/tools/irqbridge-bench-icount)."""
    d = os.path.join(raw, "icount")
    copy_with_provenance(d, "bench-icount.json", out, f"bench-icount-{kernel}.json")
    bench = os.path.join(out, f"bench-{kernel}.json")
    if not os.path.exists(bench):
        return
    tool = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "userspace", "tools",
                        "irqbridge-bench-icount")
    subprocess.run([sys.executable, tool, bench, os.path.join(d, "bench-icount.json")], check=True)


PHASES = {"compare": phase_compare, "rt": phase_rt, "percpu": phase_percpu, "bench": phase_bench,
          "icount": phase_icount, "onecpu": None}


def test_listing(build, out):
    """The GoogleTest cases of the unit tests and of the device tests, as
    --gtest_list_tests prints them (host binaries: no test box)."""
    binaries = []
    for binary, ctest in (("tests/unit/unit_tests", "unit"), ("tests/e2e/device_test", "e2e.device_abi")):
        text = subprocess.run([os.path.join(build, binary), "--gtest_list_tests"], check=True,
                              capture_output=True, text=True).stdout
        suites, suite = {}, None
        for line in text.splitlines():
            if not line.strip() or (not line.startswith(" ") and not line.rstrip().endswith(".")):
                continue
            if not line.startswith(" "):
                suite = line.strip().rstrip(".")
                suites[suite] = 0
            else:
                suites[suite] += 1
        binaries.append({"binary": os.path.basename(binary), "ctest": ctest,
                         "cases": sum(suites.values()), "suites": suites})
    commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    prov = {"commit": commit, "kernel": "none (host)", "accel": "none", "guest_cpus": 0,
            "command": "BINARY --gtest_list_tests (docs/generator/summarize.py --tests BUILD)",
            "date": subprocess.run(["date", "-u", "+%Y-%m-%dT%H:%M:%SZ"], capture_output=True,
                                   text=True).stdout.strip()}
    path = os.path.join(out, "tests-listing.json")
    if os.path.exists(path) and load(path).get("binaries") == binaries:
        print("summarize: docs/data/tests-listing.json unchanged")
        return
    write(out, "tests-listing.json", {"provenance": prov, "binaries": binaries})


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kernel")
    ap.add_argument("--raw")
    ap.add_argument("--out", required=True)
    ap.add_argument("--tests", metavar="BUILD", help="write the test listing from this build directory")
    ap.add_argument("phases", nargs="*")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    if args.tests:
        test_listing(args.tests, args.out)
    for phase in args.phases:
        fn = PHASES.get(phase, "unknown")
        if fn == "unknown":
            raise SystemExit(f"summarize: unknown phase {phase}")
        if fn:
            fn(args.kernel, args.raw, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
