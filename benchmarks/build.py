"""Benchmark: `sotong build` against bare Pelican on the same Markdown.

Generates N synthetic notices (default 5,000), then, in one run on this machine:
  1. bare Pelican 4 (its own Markdown reader and default theme, no plugins) on
     the same notices with Pelican-style metadata, content cache off;
  2. `sotong build` (check + Pelican + Sotong's plugins and theme), cache off;
  3. `sotong build` with the content cache on, cold (empty cache);
  4. the same after editing one notice (the dev server's rebuild).
Targets (README): 2 <= 1.3 x 1; 4 <= 0.6 x 3. Each is the best of --runs runs:
the disk's speed here varies from minute to minute.

    .venv/bin/python benchmarks/build.py [--notices 5000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from sotong.audiences import load_audiences  # noqa: E402
from sotong.notices import read_notice  # noqa: E402
from synthetic import make_project, nocache_settings, timed  # noqa: E402

BIN = Path(sys.executable).parent
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3, help="best of this many runs of each (the disk is noisy)")
    args = parser.parse_args()
    sotong = str(BIN / "sotong")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "sotong").mkdir()
        (tmp / "bare").mkdir()
        project = sotong_project(tmp / "sotong", args.notices)
        bare = bare_project(tmp / "bare", project)
        pelican = full = cold = warm = float("inf")
        trash = tmp / "trash"
        slots = ("output", ".output-a", ".output-b")
        for _ in range(args.runs):
            fresh(bare, trash, "output")
            pelican = min(pelican, timed([str(BIN / "pelican"), "content", "-s", "bare.py", "-q"], bare, SETTLE))
            fresh(project, trash, *slots, ".cache")
            full = min(full, timed([sotong, "build", "-s", "nocache.py"], project, SETTLE))
            fresh(project, trash, *slots, ".cache")
            cold = min(cold, timed([sotong, "build"], project, SETTLE))
        timed([sotong, "build"], project)  # both build slots exist, as after any two builds
        edited = project / "content" / "notices" / "n00042.md"
        for run in range(args.runs):
            edited.write_text(edited.read_text(encoding="utf-8").replace("문의", f"문의{run}", 1), encoding="utf-8")
            warm = min(warm, timed([sotong, "build"], project, SETTLE))
    print(f"notices:                          {args.notices} (best of {args.runs} runs each)")
    print(f"bare Pelican (baseline):          {pelican:6.1f} s")
    print(f"sotong build, no cache:           {full:6.1f} s   ratio {full / pelican:.2f}  (target <= 1.30)")
    print(f"sotong build, cache on, cold:     {cold:6.1f} s")
    print(f"rebuild after editing one notice: {warm:6.1f} s   ratio {warm / cold:.2f}  (target <= 0.60)")


if __name__ == "__main__":
    main()
