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
"$here/../../tools/irqbridge-report" "$tmp/nullratio/nullratio.json" > /dev/null ||
	fail "a null vs_floor ratio broke the page"
grep -q '>n/a</td>' "$tmp/nullratio/index.html" || fail "a null ratio is not shown as n/a"

# Not a compare report: refused.
cp "$here/../plot/sweep.json" "$tmp/"
rc=0
"$here/../../tools/irqbridge-report" "$tmp/sweep.json" > /dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "a sweep report gave exit $rc, expected 2"
echo "test_report: all passed"
