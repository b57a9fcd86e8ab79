#!/usr/bin/env bash
# The HTML report in a real browser, on the fixture reports: each page is
# written, rendered by headless chromium and checked against its JSON
# (render_check.sh); a tampered figure must be caught; a report of another
# kind is refused with exit 2.
#
#   tests/report/test_report.sh
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() {
	echo "test_report: FAIL: $*" >&2
	exit 1
}

for fixture in "$here/../plot/compare.json" "$here/percpu.json"; do
	name=$(basename "$fixture" .json)
	mkdir -p "$tmp/$name"
	cp "$fixture" "$tmp/$name/"
	"$here/render_check.sh" "$tmp/$name/$name.json" || fail "$name"
done

# The checker catches a figure that differs from the JSON.
dom=$tmp/percpu/index.dom.html
sed 's|data-unit="n">2000</td>|data-unit="n">1999</td>|' "$dom" > "$tmp/tampered.html"
cmp -s "$tmp/tampered.html" "$dom" && fail "nothing to tamper with"
if python3 "$here/check_html.py" "$tmp/tampered.html" "$tmp/percpu/percpu.json" > /dev/null; then
	fail "a changed figure went unnoticed"
fi

# A ratio to a zero floor is null in the JSON (key kept): shown as n/a.
mkdir -p "$tmp/nullratio"
python3 - "$here/percpu.json" "$tmp/nullratio/nullratio.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
m = next(iter(r["modes"].values()))
m["vs_floor"]["timer_to_user"]["p50"] = None
json.dump(r, open(sys.argv[2], "w"))
PY
"$here/../../userspace/tools/irqbridge-report" "$tmp/nullratio/nullratio.json" > /dev/null ||
	fail "a null vs_floor ratio broke the page"
grep -q '>n/a</td>' "$tmp/nullratio/index.html" || fail "a null ratio is not shown as n/a"

# rtla timerlat (the second floor) on the page and checked against the
# JSON; where it is null the page gives the reason.
mkdir -p "$tmp/timerlat" "$tmp/notimerlat"
python3 - "$here/../plot/compare.json" "$tmp/timerlat/timerlat.json" "$tmp/notimerlat/notimerlat.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
side = lambda n, p50: {"samples": n, "overflows": 0, "histogram_ns": [[p50, n]], "latency_ns": {
    "n": n, "p50": p50, "p90": p50 + 1000, "p99": p50 + 2000, "p999": p50 + 3000,
    "p9999": p50 + 4000, "max": p50 + 5000, "min": 999, "mean": p50}}
r["timerlat"] = {"tool": "rtla timerlat", "command": "rtla timerlat hist -d 6 -p 1000",
                 "settings": {"duration_s": 6, "period_us": 1000, "policy": "SCHED_FIFO",
                              "priority": 80, "cpus": []},
                 "cpus": [0, 1], "irq": side(12000, 61999), "thread": side(12001, 105999)}
r["timerlat_reason"] = ""
json.dump(r, open(sys.argv[2], "w"))
r["timerlat"] = None
r["timerlat_reason"] = "the kernel has no timerlat tracer (CONFIG_TIMERLAT_TRACER is not set)"
json.dump(r, open(sys.argv[3], "w"))
PY
"$here/render_check.sh" "$tmp/timerlat/timerlat.json" || fail "timerlat"
grep -q 'data-json="/timerlat/thread/latency_ns/p50"' "$tmp/timerlat/index.html" ||
	fail "no timerlat thread latency on the page"
"$here/../../userspace/tools/irqbridge-report" "$tmp/notimerlat/notimerlat.json" > /dev/null ||
	fail "a null timerlat broke the page"
grep -q 'Not available: the kernel has no timerlat tracer' "$tmp/notimerlat/index.html" ||
	fail "a null timerlat's reason is not on the page"

# Not a compare report: refused.
cp "$here/../plot/sweep.json" "$tmp/"
rc=0
"$here/../../userspace/tools/irqbridge-report" "$tmp/sweep.json" > /dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "a sweep report gave exit $rc, expected 2"
echo "test_report: all passed"
