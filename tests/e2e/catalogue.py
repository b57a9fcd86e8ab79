"""For the judges and test helpers: the catalogue (userspace/tools/
irqbridge_catalogue.py, what `irqbridge info --json` prints) and the compare
report's JSON Schema (docs/schema/compare-1.json) with its validation.
"""
import functools
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "userspace", "tools"))
from irqbridge_catalogue import (  # noqa: E402,F401
    bottom_context, breakdown_stages, chain_context, effective_source, load, main_stages,
    mode_names, modes, signal_context, sources, stage_names, top_context)

COMPARE_SCHEMA = os.path.join(ROOT, "docs", "schema", "compare-1.json")


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
