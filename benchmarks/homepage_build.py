"""Benchmark: what the homepage plugin adds to `sotong check` and `sotong build`.

Generates N synthetic notices (default 5,000), then times, content cache off:
  1. `sotong check` and `sotong build` with PLUGINS = core only (the baseline);
  2. the same with the homepage plugin (department pages, section, .ics files,
     short links, the short-link collision check).
Target (README): the plugin adds at most 25% to the build.

    .venv/bin/python benchmarks/homepage_build.py [--notices 5000] [--runs 3]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from synthetic import build_options, make_project, nocache_settings, timed  # noqa: E402

SOTONG = Path(sys.executable).parent / "sotong"
SETTINGS = {
    "settings_core.py": ["sotong.pelican_plugin"],
    "settings_homepage.py": ["sotong.pelican_plugin", "homepage"],
}


def project(root: Path, count: int) -> Path:
    make_project(root, count)
    for name, plugins in SETTINGS.items():
        nocache_settings(root, name, SOTONG_TODAY="2026-12-31", PLUGINS=plugins)
    return root


def best_of(runs: int, command: list[str], cwd: Path) -> float:
    return min(timed(command, cwd) for _ in range(runs))


def main() -> None:
    args = build_options(__doc__.splitlines()[0])
    with tempfile.TemporaryDirectory() as tmp:
        root = project(Path(tmp), args.notices)
        figures = {name: {command: best_of(args.runs, [str(SOTONG), command, "-s", name], root)
                          for command in ("check", "build")}
                   for name in SETTINGS}
        files = sum(1 for p in (root / "output").rglob("*") if p.is_file())
    core, homepage = figures["settings_core.py"], figures["settings_homepage.py"]
    print(f"notices: {args.notices}; best of {args.runs} runs; {files} files in output/ with the plugin")
    for command in ("check", "build"):
        ratio = homepage[command] / core[command]
        print(f"sotong {command:5}  core only (baseline) {core[command]:6.2f} s   "
              f"with homepage {homepage[command]:6.2f} s   ratio {ratio:.2f}")
    print("target: build ratio <= 1.25")


if __name__ == "__main__":
    main()
