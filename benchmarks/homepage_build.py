"""Benchmark: what the homepage plugin adds to `sotong check` and `sotong build`.

Generates N synthetic notices (default 5,000), then times, content cache off:
  1. `sotong check` and `sotong build` with PLUGINS = core only (the baseline);
  2. the same with the homepage plugin (department pages, section, .ics files,
     short links, the short-link collision check).
in --pairs alternating pairs (default 5), printing each one's wall and CPU
time and their ratio as median (min-max), with the time and load at start and end.
Target (README): the plugin adds at most 25% to the build.

    .venv/bin/python benchmarks/homepage_build.py [--notices 5000] [--pairs 5]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from synthetic import (build_options, compared_timings, make_project, measuring, plugin_settings,  # noqa: E402
                       settings_compared, warm_up)

SETTINGS = {
    "settings_core.py": ["sotong.pelican_plugin"],
    "settings_homepage.py": ["sotong.pelican_plugin", "homepage"],
}


def project(root: Path, count: int) -> Path:
    make_project(root, count)
    plugin_settings(root, SETTINGS)
    return root


def main() -> None:
    args = build_options(__doc__.splitlines()[0])
    with tempfile.TemporaryDirectory() as tmp, \
            measuring(f"benchmarks/homepage_build.py: {args.notices} notices, {args.pairs} alternating pairs"):
        root = project(Path(tmp), args.notices)
        warm_up(root, SETTINGS)
        for command in ("check", "build"):
            core, homepage = settings_compared(root, command, SETTINGS, args.pairs)
            print(compared_timings(f"sotong {command} with homepage", homepage, core, "core only (baseline)",
                                   "<= 1.25" if command == "build" else ""), flush=True)
        files = sum(1 for p in (root / "output").rglob("*") if p.is_file())
        print(f"{files} files in output/ with the plugin")


if __name__ == "__main__":
    main()
