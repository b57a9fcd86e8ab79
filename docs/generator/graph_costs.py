#!/usr/bin/env python3
"""Median inclusive time of named functions in a function_graph trace.

  graph_costs.py TRACE FUNC... -> JSON: per function, calls and median ns
  (the graph's own durations, so tracing's cost is inside them; compare
  functions within one trace, not with untraced runs).
Each task's call stack is followed on its own, so a call that slept
(schedule() inside) keeps its name across the switch.
"""
import json
import re
import statistics
import sys

LINE = re.compile(r"^\s*[\d.]+\s*\|\s*\d+\)\s+(?P<task>\S+)\s+\|\s*(?:[+!#*@$]\s*)?(?P<dur>[\d.]+)?\s*(?:us)?\s*\|"
                  r"(?P<ind>\s*)(?P<what>.*)$")


def costs(path, names):
    stacks, out = {}, {n: [] for n in names}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = LINE.match(line)
            if not m:
                continue
            st = stacks.setdefault(m["task"], [])
            what = m["what"].strip()
            if what.endswith("{"):
                st.append(what[:-1].strip().rstrip("()").split("(")[0])
            elif what.startswith("}"):
                name = st.pop() if st else None
                if name in out and m["dur"]:
                    out[name].append(float(m["dur"]) * 1000)
            elif what.endswith("();"):
                name = what[:-3]
                if name in out and m["dur"]:
                    out[name].append(float(m["dur"]) * 1000)
    return {n: {"calls": len(v), "p50_ns": int(statistics.median(v))} for n, v in out.items() if v}


if __name__ == "__main__":
    print(json.dumps(costs(sys.argv[1], sys.argv[2:]), indent=1))
