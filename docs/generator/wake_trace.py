#!/usr/bin/env python3
"""The eventfd -> reader wake-up, step by step, from a tracefs event trace.

The guest side (docs/generator/uring-trace.sh) traces, per reader variant,
a kprobe on eventfd_signal_mask (the bottom half's signal), sched_waking,
sched_switch, io_uring:io_uring_task_add / io_uring_complete and the exit
of read(2) / io_uring_enter(2). For every signal that finds the reader
asleep, this splits the wake-up into:

  signal_to_waking   eventfd_signal_mask -> sched_waking of the reader
                     (the wait-queue callback: a plain wake-up, or io_uring's
                     poll callback queueing task work)
  waking_to_running  sched_waking -> sched_switch onto the reader
  running_to_user    on the CPU -> the syscall returns (read(2): copy the
                     count; io_uring: run the task work, issue the read again,
                     post the completion, return)
  running_to_cqe     (io_uring) on the CPU -> io_uring_complete

  wake_trace.py TRACE... -> JSON on stdout: per file, the median of each
  step in ns and how many wake-ups were measured.
"""
import json
import os
import re
import statistics
import sys

LINE = re.compile(r"^\s*(?P<comm>.+?)-(?P<pid>\d+)\s+\[(?P<cpu>\d+)\]\s+\S+\s+(?P<ts>\d+\.\d+):\s+"
                  r"(?P<event>[\w]+):\s*(?P<rest>.*)$")


def parse(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = LINE.match(line)
            if m:
                yield (m["event"], int(m["pid"]), round(float(m["ts"]) * 1e9), m["rest"])


def reader_pid(events):
    """The thread whose read(2) of 8 bytes or io_uring_enter returns most."""
    count = {}
    for ev, pid, _, rest in events:
        if ev == "sys_exit" and (rest.startswith("NR 426 ") or rest == "NR 0 = 8"):
            count[pid] = count.get(pid, 0) + 1
    return max(count, key=count.get) if count else None


def steps(path):
    events = list(parse(path))
    pid = reader_pid(events)
    out = {k: [] for k in ("signal_to_waking", "waking_to_running", "running_to_user",
                           "running_to_cqe", "signal_to_user")}
    chain, skipped = None, 0
    for ev, p, ts, rest in events:
        if ev == "sig":
            if chain is None:
                chain = {"sig": ts}
        elif chain is None:
            continue
        elif ev == "sched_waking" and f" pid={pid} " in rest and "waking" not in chain:
            chain["waking"] = ts
        elif ev == "sched_switch" and rest.split("next_pid=")[-1].split()[0] == str(pid) \
                and "waking" in chain and "running" not in chain:
            chain["running"] = ts
        elif ev == "io_uring_complete" and p == pid and "running" in chain and "cqe" not in chain:
            chain["cqe"] = ts
        elif ev == "sys_exit" and p == pid:
            if "running" in chain:
                out["signal_to_waking"].append(chain["waking"] - chain["sig"])
                out["waking_to_running"].append(chain["running"] - chain["waking"])
                out["running_to_user"].append(ts - chain["running"])
                out["signal_to_user"].append(ts - chain["sig"])
                if "cqe" in chain:
                    out["running_to_cqe"].append(chain["cqe"] - chain["running"])
            else:
                skipped += 1  # the reader was not asleep when signalled
            chain = None
    return {"reader_pid": pid, "wakeups": len(out["signal_to_user"]), "not_asleep": skipped,
            "p50_ns": {k: int(statistics.median(v)) for k, v in out.items() if v}}


def main(argv):
    print(json.dumps({os.path.basename(p): steps(p) for p in argv}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
