"""Benchmark: `sotong check` (and the cold build) as it is and as it was at
--before REV, on the same N synthetic notices (default 2,000).

Sotong and the plugins of --before are taken from git (`git archive`) into a
folder of their own, and a second copy of the project uses those plugins, so
each side's notice cache is its own. In --pairs alternating pairs (default 3),
wall and CPU time (user + system), as median (min-max), with their ratio:
  1. `check`, content cache off (every notice read, and now rendered, again);
  2. `check`, cache on and warm (the staff's daily loop, nothing changed);
  3. `check`, cache on, after one notice was edited (it alone read again);
  4. `build`, content cache off, into an empty output (check, then Pelican:
     the text check rendered is the build's reader's, not rendered twice).

    flock /tmp/sotong-bench.lock .venv/bin/python benchmarks/check.py [--notices 2000] [--pairs 3] [--before REV]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from synthetic import (add_pairs_option, alternating, compared_timings, make_project, measuring,  # noqa: E402
                       nocache_settings, timed, timed_with_cpu)

os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: the code compiled once, not at every run
os.environ["SOTONG_LANG"] = "en"


def before_code(folder: Path, revision: str) -> Path:
    """sotong/ and plugins/ of ``revision`` in ``folder``."""
    folder.mkdir()
    archive = subprocess.run(["git", "archive", revision, "sotong", "plugins"], cwd=REPO, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    for catalog in (REPO / "sotong" / "locale").rglob("*.mo"):  # compiled, not in git
        target = folder / catalog.relative_to(REPO)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(catalog, target)
    return folder


def command(code: Path | None, *args: str) -> list[str]:
    """``sotong ARGS`` run with this checkout's code, or with the code in ``code``."""
    if code is None:
        return [str(Path(sys.executable).parent / "sotong"), *args]
    return [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(code)!r}); from sotong.cli import main; main()",
            *args]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, default=2000)
    parser.add_argument("--before", default="3ced9a8", help="the commit measured as the baseline")
    add_pairs_option(parser, 3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, measuring(
            f"benchmarks/check.py: {args.notices} notices, {args.pairs} alternating pairs, against {args.before}"):
        now = Path(tmp) / "now"
        now.mkdir()
        paths = make_project(now, args.notices)
        code = before_code(Path(tmp) / "code", args.before)
        before = Path(tmp) / "before"
        shutil.copytree(now, before)
        shutil.rmtree(before / "plugins")
        shutil.copytree(code / "plugins", before / "plugins")
        sides = {"now": (now, None), "before": (before, code)}
        for root, _code in sides.values():
            nocache_settings(root, "nocache.py")
        edited = paths[len(paths) // 2].relative_to(now)

        def run(side: str, *arguments: str, edit: bool = False):
            root, side_code = sides[side]
            if edit:  # not timed: one notice saved again, its text one line longer
                with open(root / edited, "a", encoding="utf-8") as notice:
                    notice.write("\n추가 안내.\n")
            for output in (root / "output", root / ".output-a", root / ".output-b"):  # not timed: each build cold
                if output.is_symlink():
                    output.unlink()
                shutil.rmtree(output, ignore_errors=True)
            return timed_with_cpu(command(side_code, *arguments), root, settle=1.0 if arguments[0] == "build" else 0.0)

        for side in sides:  # not timed: Python compiles the code, the cache is filled
            timed(command(sides[side][1], "check"), sides[side][0])
        for name, arguments, edit in (("check, cache off", ("check", "-s", "nocache.py"), False),
                                      ("check, cache warm", ("check",), False),
                                      ("check, one notice edited", ("check",), True),
                                      ("build, cache off", ("build", "-s", "nocache.py"), False)):
            current, baseline = alternating(args.pairs, lambda: run("now", *arguments, edit=edit),
                                            lambda: run("before", *arguments, edit=edit))
            print(compared_timings(f"sotong {name}", current, baseline, args.before), flush=True)


if __name__ == "__main__":
    main()
