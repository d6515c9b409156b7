"""Benchmark: `sotong build` against bare Pelican on the same Markdown.

Generates N synthetic notices (default 5,000), then, in one run on this machine:
  1. bare Pelican 4 (its own Markdown reader and default theme, no plugins) on
     the same notices with Pelican-style metadata, content cache off;
  2. `sotong build` (check + Pelican + Sotong's plugins and theme), cache off;
  3. `sotong build` with the content cache on, cold (empty cache);
  4. the same after editing one notice (the dev server's rebuild), with both
     build slots holding the build before (one untimed build between 3 and 4).
Targets (README, issue #16): 2 <= 1.3 x 1; 4 <= 0.25 x 3. The comparisons
run in alternating pairs (1 and 2, 2 first in every other pair; then 3 and
4, always in that order, since 4 needs the build of 3), so that a busy
machine slows both sides alike; each figure is printed beside its baseline
from the same run: wall and CPU time (user + system) and the pairs' ratios,
each as median (min-max), with the time and the load at start and end.

    .venv/bin/python benchmarks/build.py [--notices 5000] [--pairs 5] [--rebuild-only]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from sotong.audiences import load_audiences  # noqa: E402
from sotong.notices import read_notice  # noqa: E402
from synthetic import (add_pairs_option, alternating, compared_timings, make_project, measuring,  # noqa: E402
                       nocache_settings, timed, timed_with_cpu)

BIN = Path(sys.executable).parent
# As installed: a shell with PYTHONDONTWRITEBYTECODE set would compile sotong's
# modules and the plugins at every build (benchmarks/startup.py does the same).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
SETTLE = 3.0  # seconds of quiet disk before each timed run


def sotong_project(root: Path, count: int) -> Path:
    make_project(root, count)
    nocache_settings(root, "nocache.py")
    return root


def bare_project(root: Path, sotong_root: Path) -> Path:
    """The same notices with Pelican's own metadata syntax, for its own reader."""
    audiences = load_audiences(sotong_root / "audiences.yaml")
    notices = root / "content" / "notices"
    notices.mkdir(parents=True)
    for path in sorted((sotong_root / "content" / "notices").glob("*.md")):
        notice, problems = read_notice(path, audiences, sotong_root / "content")
        assert notice is not None, problems
        meta = [f"Title: {notice.title}", f"Date: {notice.date:%Y-%m-%d %H:%M}",
                f"Category: {notice.category}", f"Slug: {notice.slug}"]
        (notices / path.name).write_text("\n".join(meta) + "\n\n" + notice.body, encoding="utf-8")
    (root / "bare.py").write_text(
        'PATH = "content"\nOUTPUT_PATH = "output"\nTIMEZONE = "Asia/Seoul"\nARTICLE_PATHS = ["notices"]\n'
        'DEFAULT_PAGINATION = 20\nFEED_ALL_ATOM = "feeds/all.atom.xml"\n'
        'CATEGORY_FEED_ATOM = "feeds/category/{slug}.atom.xml"\nSITEURL = ""\n'
    )
    return root


def fresh(project: Path, trash: Path, *names: str) -> None:
    """Move the named outputs (and caches) aside, so that the next build starts
    cold. Aside, not deleted: deleting thousands of files here slows the disk
    for the next run (it discards freed blocks), which would skew the figures;
    the trash goes with the temporary folder at the end."""
    for name in names:
        path = project / name
        if path.is_symlink():
            path.unlink()
        elif path.exists():
            trash.mkdir(exist_ok=True)
            path.rename(trash / f"{len(list(trash.iterdir()))}-{name.strip('.')}")


def edit_one_notice(project: Path, run: int) -> None:
    edited = sorted((project / "content" / "notices").glob("*.md"))[:43][-1]  # n00042.md, or the last of fewer
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace("문의", f"문의{run}", 1) if "문의" in text else text + f"\n{run}\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, default=5000)
    add_pairs_option(parser)
    parser.add_argument("--rebuild-only", action="store_true", help="leave out bare Pelican and the no-cache build")
    args = parser.parse_args()
    sotong = str(BIN / "sotong")
    what = "rebuild" if args.rebuild_only else "full build and rebuild"
    with tempfile.TemporaryDirectory() as tmp, \
            measuring(f"benchmarks/build.py: {what}, {args.notices} notices, {args.pairs} alternating pairs"):
        tmp = Path(tmp)
        (tmp / "sotong").mkdir()
        (tmp / "bare").mkdir()
        project = sotong_project(tmp / "sotong", args.notices)
        bare = bare_project(tmp / "bare", project)
        trash = tmp / "trash"
        slots = ("output", ".output-a", ".output-b", ".cache")

        def bare_build():
            fresh(bare, trash, "output")
            return timed_with_cpu([str(BIN / "pelican"), "content", "-s", "bare.py", "-q"], bare, SETTLE)

        def full_build():
            fresh(project, trash, *slots)
            return timed_with_cpu([sotong, "build", "-s", "nocache.py"], project, SETTLE)

        if not args.rebuild_only:
            pelican, full = alternating(args.pairs, bare_build, full_build)
            print(compared_timings("sotong build, no cache", full, pelican, "bare Pelican", "<= 1.3"), flush=True)
        cold, warm = [], []
        for run in range(args.pairs):
            fresh(project, trash, *slots)
            cold.append(timed_with_cpu([sotong, "build"], project, SETTLE))
            timed([sotong, "build"], project)  # both build slots exist, as after any two builds
            edit_one_notice(project, run)
            warm.append(timed_with_cpu([sotong, "build"], project, SETTLE))
        print(compared_timings("rebuild after editing one notice", warm, cold, "cold build", "<= 0.25"), flush=True)


if __name__ == "__main__":
    main()
