#!/usr/bin/env bash
# Draws the fixture reports with userspace/tools/irqbridge-plot and checks the pictures:
# every file there, PNG and SVG for real, the CDF naming every mode and the
# cyclictest floor (or why there is none), and exit 2 for an unknown report.
#
#   tests/plot/test_plot.sh PATH/TO/irqbridge-plot
set -euo pipefail

plot=${1:?usage: test_plot.sh PATH/TO/irqbridge-plot}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() {
	echo "test_plot: FAIL: $*" >&2
	exit 1
}

# check_pictures DIR STEM KIND...: DIR/STEM-KIND.png is a PNG and .svg an SVG.
check_pictures() {
	local dir=$1 stem=$2 kind magic
	shift 2
	for kind in "$@"; do
		magic=$(head -c 8 "$dir/$stem-$kind.png" | od -An -tx1 | tr -d ' \n')
		[ "$magic" = 89504e470d0a1a0a ] || fail "$stem-$kind.png is not a PNG ($magic)"
		grep -q '<svg' "$dir/$stem-$kind.svg" || fail "$stem-$kind.svg is not an SVG"
	done
}

# check_text FILE TEXT...: every TEXT is in FILE.
check_text() {
	local file=$1 text
	shift
	for text in "$@"; do
		grep -qF -- "$text" "$file" || fail "$(basename "$file") does not mention '$text'"
	done
}

# The fixtures, into --out: six pictures, each path printed.
"$plot" --out "$tmp/out" "$here/compare.json" "$here/sweep.json" >"$tmp/written"
check_pictures "$tmp/out" compare cdf stages
check_pictures "$tmp/out" sweep sweep
[ "$(wc -l <"$tmp/written")" -eq 6 ] || fail "$(wc -l <"$tmp/written") paths printed, not 6"
while read -r path; do
	[ -s "$path" ] || fail "printed $path, which is not there"
done <"$tmp/written"
check_text "$tmp/out/compare-cdf.svg" tasklet workqueue threaded "cyclictest (floor)"
check_text "$tmp/out/sweep-sweep.svg" "count mismatch or overrun"

# No floor: the pictures still, next to the report, with the reason.
mkdir "$tmp/nofloor"
python3 - "$here/compare.json" "$tmp/nofloor/compare.json" <<'PY'
import json
import sys

report = json.load(open(sys.argv[1]))
report["floor"] = {"tool": "cyclictest", "available": False, "reason": "not installed"}
json.dump(report, open(sys.argv[2], "w"))
PY
"$plot" "$tmp/nofloor/compare.json" >/dev/null
check_pictures "$tmp/nofloor" compare cdf stages
check_text "$tmp/nofloor/compare-cdf.svg" "cyclictest floor: not installed"

# rtla timerlat's thread latency: one more curve where the report has it.
mkdir "$tmp/timerlat"
python3 - "$here/compare.json" "$tmp/timerlat/compare.json" <<'PY'
import json
import sys

report = json.load(open(sys.argv[1]))
report["timerlat"] = {"tool": "rtla timerlat", "irq": {"histogram_ns": [[60999, 10]]},
                      "thread": {"histogram_ns": [[90999, 5], [120999, 5]]}}
json.dump(report, open(sys.argv[2], "w"))
PY
"$plot" "$tmp/timerlat/compare.json" >/dev/null
check_text "$tmp/timerlat/compare-cdf.svg" "rtla timerlat thread (kernel)" "cyclictest (floor)"
grep -q "rtla timerlat" "$tmp/out/compare-cdf.svg" && fail "a timerlat curve without timerlat"

# A report without histograms: no CDF, one line saying so, the stages still.
mkdir "$tmp/old"
python3 - "$here/compare.json" "$tmp/old/compare.json" <<'PY'
import json
import sys

report = json.load(open(sys.argv[1]))
for mode in report["modes"].values():
    del mode["histogram_ns"]
json.dump(report, open(sys.argv[2], "w"))
PY
status=0
"$plot" "$tmp/old/compare.json" >/dev/null 2>"$tmp/old/stderr" || status=$?
[ "$status" -eq 0 ] || fail "exit $status for a report without histograms"
[ ! -e "$tmp/old/compare-cdf.png" ] || fail "a CDF without histograms"
check_pictures "$tmp/old" compare stages
[ "$(wc -l <"$tmp/old/stderr")" -eq 1 ] || fail "not one line of notes: $(cat "$tmp/old/stderr")"

# An unknown report: exit 2, one line on stderr.
echo '{"schema": "bogus/1"}' >"$tmp/bogus.json"
status=0
"$plot" "$tmp/bogus.json" >/dev/null 2>"$tmp/bogus.stderr" || status=$?
[ "$status" -eq 2 ] || fail "exit $status for an unknown schema, not 2"
[ "$(wc -l <"$tmp/bogus.stderr")" -eq 1 ] ||
	fail "not one line for an unknown schema: $(cat "$tmp/bogus.stderr")"

echo "test_plot: passed"
