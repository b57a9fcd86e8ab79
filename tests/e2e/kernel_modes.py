#!/usr/bin/env python3
"""The bottom-half modes a test box kernel must offer, from the kernel the
module is built against (its release and .config), independently of what
the module reports: the judges compare the two.

    kernel_modes.py SERIES        (6.12, 6.12-rt, 6.1, stable, stable-rt, debug)
    kernel_modes.py --release R --config FILE

prints the mode names, space-separated. The rules (kmod/compat.h):
  bh_wq   only from 6.9 on (system_bh_wq);
  direct  not on PREEMPT_RT, nor with PROVE_RAW_LOCK_NESTING (signalling an
          eventfd from hard IRQ takes a sleeping lock there).
Every other mode exists on every kernel.
"""
import argparse
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import catalogue  # noqa: E402

MODES = catalogue.mode_names()


def parse_version(release):
    """(major, minor) of a kernel release string such as 6.12.117+deb12-amd64."""
    m = re.match(r"(\d+)\.(\d+)", release or "")
    if not m:
        raise ValueError(f"not a kernel release: {release!r}")
    return int(m.group(1)), int(m.group(2))


def enabled(config_text):
    """The CONFIG_ options set to y in a .config."""
    return {m.group(1) for m in re.finditer(r"^(CONFIG_\w+)=y$", config_text, re.M)}


def expected_modes(release, config_text):
    """The modes, in MODES order, a kernel of this release and .config has."""
    version = parse_version(release)
    opts = enabled(config_text)
    lacking = set()
    if version < (6, 9):
        lacking.add("bh_wq")
    if "CONFIG_PREEMPT_RT" in opts or "CONFIG_PROVE_RAW_LOCK_NESTING" in opts:
        lacking.add("direct")
    return [m for m in MODES if m not in lacking]


def for_series(series):
    """Resolve SERIES with kernel.sh (cached) and read its .config (KCONFIG)."""
    out = subprocess.run([os.path.join(HERE, "..", "testbox", "kernel.sh"), "fetch", series],
                         check=True, capture_output=True, text=True).stdout
    env = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    with open(env["KCONFIG"], encoding="utf-8") as f:
        return expected_modes(env["KREL"], f.read())


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("series", nargs="?")
    ap.add_argument("--release")
    ap.add_argument("--config")
    args = ap.parse_args()
    try:
        if args.release and args.config:
            with open(args.config, encoding="utf-8") as f:
                modes = expected_modes(args.release, f.read())
        elif args.series:
            modes = for_series(args.series)
        else:
            ap.error("give a SERIES, or --release and --config")
    except (OSError, ValueError, KeyError, subprocess.CalledProcessError) as e:
        sys.exit(f"kernel_modes: {e}")
    print(" ".join(modes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
