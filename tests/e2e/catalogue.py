"""The catalogue of modes, sources and stages for the judges and test
helpers: what `irqbridge info --json` prints (schema irqbridge.catalogue/1),
instead of lists of their own. Found, in this order: $IRQBRIDGE_CATALOGUE (a
file), `$IRQBRIDGE_CLI info --compiled-in`, build/catalogue.json (written by
the build), build/userspace/irqbridge. Also the compare report's JSON Schema
(docs/schema/compare-1.json) and its validation.
"""
import functools
import json
import os
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
COMPARE_SCHEMA = os.path.join(ROOT, "docs", "schema", "compare-1.json")


@functools.lru_cache(maxsize=None)
def load():
    """The catalogue as a dict (cached)."""
    path = os.environ.get("IRQBRIDGE_CATALOGUE")
    if path:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    cli = os.environ.get("IRQBRIDGE_CLI")
    default = os.path.join(ROOT, "build", "catalogue.json")
    if not cli and os.path.exists(default):
        with open(default, encoding="utf-8") as f:
            return json.load(f)
    cli = cli or os.path.join(ROOT, "build", "userspace", "irqbridge")
    out = subprocess.run([cli, "info", "--compiled-in"], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def modes():
    """{name: mode} in the catalogue's order."""
    return {m["name"]: m for m in load()["modes"]}


def mode_names():
    return tuple(m["name"] for m in load()["modes"])


def bottom_context(name):
    """Where a mode's bottom half (a chain's first hop) runs."""
    return modes()[name]["contexts"]["bottom"]


def chain_context(name):
    """Where a chain's second hop runs; None for a single-hop mode."""
    return modes()[name]["contexts"].get("chain")


def main_stages():
    """The four stages every report has, in display order."""
    return tuple(s["name"] for s in load()["stages"] if s["main"])


@functools.lru_cache(maxsize=None)
def _validator():
    import jsonschema  # python3-jsonschema (Makefile DEBS)
    with open(COMPARE_SCHEMA, encoding="utf-8") as f:
        schema = json.load(f)
    return jsonschema.Draft7Validator(schema)


def compare_schema_errors(report):
    """Every way a compare report breaks docs/schema/compare-1.json, as
    'path: message' lines (none when it conforms)."""
    errors = sorted(_validator().iter_errors(report), key=lambda e: list(e.absolute_path))
    return [f"{'.'.join(str(p) for p in e.absolute_path) or '(top)'}: {e.message}"
            for e in errors]
