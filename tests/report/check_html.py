#!/usr/bin/env python3
"""Hold an irqbridge HTML report (as a browser rendered it) against its JSON.

    check_html.py PAGE.html REPORT.json [--min-svg N]

PAGE is what `chromium --headless --dump-dom` printed for the page written
by userspace/tools/irqbridge-report, so it is the document the browser built. Checks:
every cell tagged with data-json shows the JSON's value under the page's
own rules (data-unit us, x or n); the figures a reader looks for first are
among them (each mode's counts and timer_to_user p50/p99, the floor, every
per-CPU row, rtla timerlat's IRQ and thread latency); at least N inline <svg> pictures; no script, no stylesheet
link, no src or href that reaches the network. Prints each failure; exit 1
if any, else 0.
"""
import argparse
import html.parser
import json
import sys


def resolve(doc, pointer):
    for raw in pointer.split("/")[1:]:
        key = raw.replace("~1", "/").replace("~0", "~")
        doc = doc[int(key)] if isinstance(doc, list) else doc[key]
    return doc


def shown(value, unit):
    if unit == "us":
        return f"{value / 1000.0:.1f}"
    if unit == "x":
        # A ratio to a floor of 0 is null in the JSON.
        return "n/a" if value is None else f"{value:.2f}"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    return str(value)


class Cells(html.parser.HTMLParser):
    """Collects the tagged cells, the pictures and anything external."""

    def __init__(self):
        super().__init__()
        self.cells = []  # (pointer, unit, text)
        self.svgs = 0
        self.external = []
        self._open = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "svg":
            self.svgs += 1
        if tag in ("script", "link", "iframe", "object", "embed"):
            self.external.append(f"<{tag}>")
        for key in ("src", "href", "xlink:href"):
            v = (a.get(key) or "").strip().lower()
            if v.startswith(("http:", "https:", "//", "ftp:")):
                self.external.append(f"{tag} {key}={v}")
        if tag == "td" and "data-json" in a:
            self._open = [a["data-json"], a.get("data-unit", "n"), ""]

    def handle_data(self, data):
        if self._open is not None:
            self._open[2] += data

    def handle_endtag(self, tag):
        if tag == "td" and self._open is not None:
            self.cells.append(tuple(self._open))
            self._open = None


def required(report):
    """Pointers the page must show."""
    need = []
    for name, m in report["modes"].items():
        base = f"/modes/{name}"
        need += [f"{base}/fired", f"{base}/counted", f"{base}/exact",
                 f"{base}/latency_ns/timer_to_user/p50", f"{base}/latency_ns/timer_to_user/p99"]
        if "vs_floor" in m:
            need.append(f"{base}/vs_floor/timer_to_user/p50")
        for i, _ in enumerate(m.get("per_cpu", [])):
            need += [f"{base}/per_cpu/{i}/fired", f"{base}/per_cpu/{i}/counted",
                     f"{base}/per_cpu/{i}/exact"]
        for i, _ in enumerate(m.get("outliers", {}).get("worst", [])):
            need.append(f"{base}/outliers/worst/{i}/timer_to_user_ns")
    if report.get("floor", {}).get("available"):
        need.append("/floor/latency_ns/p50")
    if isinstance(report.get("timerlat"), dict):
        for side in ("irq", "thread"):
            need += [f"/timerlat/{side}/latency_ns/{p}" for p in ("n", "p50", "p99", "max")]
    return need


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("page")
    ap.add_argument("report")
    ap.add_argument("--min-svg", type=int, default=2)
    args = ap.parse_args()
    with open(args.report, encoding="utf-8") as f:
        report = json.load(f)
    parser = Cells()
    with open(args.page, encoding="utf-8") as f:
        parser.feed(f.read())

    errors = []
    for pointer, unit, text in parser.cells:
        try:
            want = shown(resolve(report, pointer), unit)
        except (KeyError, IndexError, ValueError, TypeError):
            errors.append(f"{pointer}: not in the JSON (page shows '{text}')")
            continue
        if text.strip() != want:
            errors.append(f"{pointer}: page shows '{text.strip()}', JSON gives '{want}'")
    have = {c[0] for c in parser.cells}
    errors += [f"{p}: not on the page" for p in required(report) if p not in have]
    if parser.svgs < args.min_svg:
        errors.append(f"{parser.svgs} inline SVG pictures, expected at least {args.min_svg}")
    errors += [f"reaches outside the page: {e}" for e in parser.external]

    for e in errors:
        print(f"check_html: FAIL {e}")
    if errors:
        return 1
    print(f"check_html: {len(parser.cells)} figures match the JSON, {parser.svgs} pictures inline, "
          "nothing external")
    return 0


if __name__ == "__main__":
    sys.exit(main())
