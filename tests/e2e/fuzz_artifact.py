#!/usr/bin/env python3
"""A scenario's summary as a docs/data artifact (issue 14's convention).

Takes the JSON the fuzzer wrote in the guest (ioctl_fuzz --json), or the
hotplug scenario's summary (check_hotplug.py --summary), and adds
what only the host knows: the kernel log's verdict (check_kernel_log.sh)
and a top-level "provenance" object (commit, kernel release, accelerator,
guest CPUs, the command, the UTC date, the test box's wall time and the
host's load average at the start and the end of the run). run_e2e.sh
writes it as build/e2e/fuzz/fuzz-<kernel>.json (build/e2e/hotplug/
hotplug-<kernel>.json); a figure quoted in docs/reliability.md comes from
such a file copied to docs/data/.

  fuzz_artifact.py FUZZ_JSON --out FILE --kernel SERIES --release KREL
      --console LOG --smp N --command CMD --kernel-log-clean 0|1
      --seconds S --load-start "A B C" --commit SHA
"""
import argparse
import datetime
import json
import os
import re
import subprocess
import sys


def accelerator(console_text):
    """tcg or kvm, from the test box's boot line, or unknown."""
    m = re.search(r"testbox: booting \S+ \((\w+),", console_text)
    if m:
        return m.group(1)
    m = re.search(r"testbox\.accel=(\w+)", console_text)
    return m.group(1) if m else "unknown"


def tcg_threads(console_text):
    """single or multi (how TCG ran the guest's CPUs, testbox.sh), n/a
    under KVM, or unknown."""
    m = re.search(r"testbox: booting \S+ \((\w+)(?:, (\w+)-threaded)?,", console_text)
    if m:
        return m.group(2) or ("n/a" if m.group(1) == "kvm" else "unknown")
    m = re.search(r"testbox\.tcg_threads=(\w+)", console_text)
    return m.group(1) if m else "unknown"


def commit(repo):
    """HEAD, with -dirty when the work tree has changes, or unknown."""
    try:
        head = subprocess.run(["git", "-C", repo, "rev-parse", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", repo, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("-dirty" if dirty else "")


def build(summary, args, console_text, repo, now, load_end):
    out = dict(summary)
    out["kernel_log_clean"] = args.kernel_log_clean == 1
    out["provenance"] = {
        "commit": args.commit or commit(repo),
        "kernel": args.kernel,
        "kernel_release": args.release,
        "accelerator": accelerator(console_text),
        "tcg_threads": tcg_threads(console_text),
        "guest_cpus": args.smp,
        "command": args.command,
        "date_utc": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "box_seconds": args.seconds,
        "host_loadavg_start": args.load_start,
        "host_loadavg_end": load_end,
        "host_cpus": os.cpu_count(),
    }
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("fuzz_json")
    ap.add_argument("--out", required=True)
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--release", required=True)
    ap.add_argument("--console", required=True)
    ap.add_argument("--smp", type=int, required=True)
    ap.add_argument("--command", required=True)
    ap.add_argument("--kernel-log-clean", type=int, choices=(0, 1), required=True)
    ap.add_argument("--seconds", type=int, required=True)
    ap.add_argument("--load-start", required=True)
    ap.add_argument("--commit", help="the commit the run's binaries came from (default: HEAD now)")
    args = ap.parse_args()
    try:
        with open(args.fuzz_json, encoding="utf-8") as f:
            summary = json.load(f)
    except (OSError, ValueError) as e:
        print(f"fuzz_artifact: {args.fuzz_json}: {e}")
        return 1
    with open(args.console, encoding="utf-8", errors="replace") as f:
        console_text = f.read()
    with open("/proc/loadavg", encoding="ascii") as f:
        load_end = " ".join(f.read().split()[:3])
    repo = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    art = build(summary, args, console_text, repo,
                datetime.datetime.now(datetime.timezone.utc), load_end)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(art, f, indent=2)
        f.write("\n")
    print(f"fuzz_artifact: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
