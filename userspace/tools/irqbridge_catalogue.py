"""The catalogue of modes, sources and stages (schema irqbridge.catalogue/1)
for the Python tools and the test judges: what `irqbridge info --json`
prints, instead of lists of their own. Found, in this order:
$IRQBRIDGE_CATALOGUE (a file), `$IRQBRIDGE_CLI info --compiled-in`,
build/catalogue.json (written by the build), `build/userspace/irqbridge
info --compiled-in`, `irqbridge info --compiled-in` from $PATH.
"""
import functools
import json
import os
import shutil
import subprocess

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def _from_cli(cli):
    out = subprocess.run([cli, "info", "--compiled-in"], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


@functools.lru_cache(maxsize=None)
def load():
    """The catalogue as a dict (read once)."""
    path = os.environ.get("IRQBRIDGE_CATALOGUE")
    if path:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    if os.environ.get("IRQBRIDGE_CLI"):
        return _from_cli(os.environ["IRQBRIDGE_CLI"])
    built = os.path.join(ROOT, "build", "catalogue.json")
    if os.path.exists(built):
        with open(built, encoding="utf-8") as f:
            return json.load(f)
    cli = os.path.join(ROOT, "build", "userspace", "irqbridge")
    if not os.access(cli, os.X_OK):
        cli = shutil.which("irqbridge")
    if not cli:
        raise FileNotFoundError("no catalogue: set IRQBRIDGE_CATALOGUE or build irqbridge "
                                "(make userspace writes build/catalogue.json)")
    return _from_cli(cli)


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


def sources():
    """{name: source} in the catalogue's order."""
    return {s["name"]: s for s in load()["sources"]}


def top_context(source="timer"):
    """Where a source's top half runs: hardirq, or softirq (timer_soft)."""
    return sources()[source]["top_context"]


def effective_source(mode, source):
    """The source a mode runs on: a mode that needs an interrupt moves from
    the bare hard timer to the irq_chip (the CLI's effective_source())."""
    if modes()[mode]["needs_irq_source"] and source == "timer":
        return "irqchip"
    return source


def signal_context(mode, source="timer"):
    """Where a mode's bottom half (a chain's first hop) runs on a source: a
    mode without one (in_top) runs it in the top half, wherever that is."""
    if modes()[mode]["in_top"]:
        return top_context(effective_source(mode, source))
    return bottom_context(mode)


def stage_names():
    """Every stage, in the order an event passes them."""
    return tuple(s["name"] for s in load()["stages"])


def main_stages():
    """The four stages every report has, in display order."""
    return tuple(s["name"] for s in load()["stages"] if s["main"])


def breakdown_stages():
    """The stages that add up to timer_to_user, in order."""
    return tuple(s["name"] for s in load()["stages"] if s["breakdown"])
