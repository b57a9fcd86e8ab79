#!/usr/bin/env bash
# Write the HTML page of one compare report (userspace/tools/irqbridge-report: index.html
# next to it, or PAGE), render it in headless chromium, and check it: every
# figure of the rendered DOM against the JSON (check_html.py), and a
# screenshot that holds far more than a blank page's.
#
#   tests/report/render_check.sh REPORT.json [PAGE]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
report=${1:?usage: render_check.sh REPORT.json [PAGE]}
page=${2:-$(dirname "$report")/index.html}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() {
	echo "render_check: FAIL: $*" >&2
	exit 1
}

command -v chromium > /dev/null || fail "chromium is missing (make deps installs it)"
browse() {
	timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
		--no-first-run --user-data-dir="$work/profile" --hide-scrollbars "$@" 2> "$work/chromium.log" ||
		{ tail -n 5 "$work/chromium.log" >&2; fail "chromium $*"; }
}

"$here/../../userspace/tools/irqbridge-report" --out "$page" "$report" > /dev/null || fail "irqbridge-report $report"
page=$(cd "$(dirname "$page")" && pwd)/$(basename "$page")
browse --dump-dom "file://$page" > "${page%.html}.dom.html"
python3 "$here/check_html.py" "${page%.html}.dom.html" "$report" ||
	fail "$page: the rendered page does not match $report"

printf '<!DOCTYPE html><html><body></body></html>\n' > "$work/blank.html"
browse --window-size=1280,3000 --screenshot="$work/blank.png" "file://$work/blank.html" > /dev/null
browse --window-size=1280,3000 --screenshot="${page%.html}.png" "file://$page" > /dev/null
blank=$(stat -c %s "$work/blank.png")
size=$(stat -c %s "${page%.html}.png")
[ "$size" -gt $((blank * 10)) ] || fail "$page: screenshot $size bytes, a blank page's is $blank"
echo "render_check: $page rendered (screenshot ${page%.html}.png, $size bytes; blank page $blank)"
