"""Benchmark: what the homepage plugin adds to `sotong check` and `sotong build`.

Generates N synthetic notices (default 5,000), then times, content cache off:
  1. `sotong check` and `sotong build` with PLUGINS = core only (the baseline);
  2. the same with the homepage plugin (department pages, section, .ics files,
     short links, the short-link collision check).
Target (README): the plugin adds at most 25% to the build.

    .venv/bin/python benchmarks/homepage_build.py [--notices 5000] [--runs 3]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from sotong.audiences import load_audiences  # noqa: E402
from synthetic import write_notices  # noqa: E402

SOTONG = Path(sys.executable).parent / "sotong"
SETTINGS = {
    "settings_core.py": '["sotong.pelican_plugin"]',
    "settings_homepage.py": '["sotong.pelican_plugin", "homepage"]',
}


def project(root: Path, count: int) -> Path:
    for name in ("pelicanconf.py", "audiences.yaml"):
        shutil.copy(REPO / name, root / name)
    for name in ("themes", "plugins"):
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "content", root / "content", ignore=shutil.ignore_patterns("notices"))
    write_notices(root / "content" / "notices", count, load_audiences(root / "audiences.yaml"))
    for name, plugins in SETTINGS.items():
        (root / name).write_text(
            "from pelicanconf import *\nCACHE_CONTENT = False\nLOAD_CONTENT_CACHE = False\n"
            f'SOTONG_TODAY = "2026-12-31"\nPLUGINS = {plugins}\n', encoding="utf-8")
    return root


def best_of(runs: int, command: list[str], cwd: Path) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        completed = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
        times.append(time.perf_counter() - started)
        if completed.returncode != 0:
            sys.exit(f"{' '.join(command)} failed:\n{completed.stdout}\n{completed.stderr}")
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
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
