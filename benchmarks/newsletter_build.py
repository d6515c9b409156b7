"""Benchmark: the newsletter plugin on N synthetic notices (default 5,000,
a year of dates).

  1. planning every issue of the year (plugins/newsletter/issues.py, which
     buckets notices by issue once) against the baseline of applying
     sotong.schedule.edition to every notice for every issue;
  2. `sotong build` (check + Pelican + the core plugin and the newsletter,
     in a process of its own that runs the build as the command does),
     timing the newsletter generator inside it: its share of the build
     (target: under 10 %). Timing the generator itself rather than
     subtracting two builds keeps the figure steady on a busy machine.
1 runs in --pairs alternating pairs (default 5), 2 --pairs times; printed:
each figure and its ratio to its baseline as median (min-max), with the
time and the load at start and end.

    .venv/bin/python benchmarks/newsletter_build.py [--notices 5000] [--pairs 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "benchmarks"), str(REPO / "plugins")]

from newsletter.edition import NewsletterGenerator  # noqa: E402
from newsletter.issues import published_issues  # noqa: E402
from sotong.audiences import load_audiences  # noqa: E402
from sotong.build import build_site  # noqa: E402
from sotong.notices import read_notice  # noqa: E402
from sotong.project import Project  # noqa: E402
from sotong.schedule import edition, issues_between, next_issue  # noqa: E402
from synthetic import (add_pairs_option, alternating, compared, in_process, make_project, measuring,  # noqa: E402
                       nocache_settings)

TODAY = dt.date(2026, 12, 31)


def timing_generator() -> list[float]:
    """Wrap the generator's output step to record how long it takes."""
    spent: list[float] = []
    original = NewsletterGenerator.generate_output

    def timed(self, writer):
        started = time.perf_counter()
        original(self, writer)
        spent.append(time.perf_counter() - started)

    NewsletterGenerator.generate_output = timed
    return spent


def one_build(project: Path) -> None:
    """Build ``project`` (bench.py) in this process; print the build's and
    the newsletter generator's seconds as JSON."""
    spent = timing_generator()
    os.chdir(project)
    build = build_site(Project(project / "bench.py"))["seconds"]
    print(json.dumps([build, spent[0]]))


def timed_build(project: Path) -> tuple[float, float]:
    done = subprocess.run([sys.executable, __file__, "--one-build", str(project)], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"the build failed:\n{done.stdout}\n{done.stderr}")
    return tuple(json.loads(done.stdout.splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, default=5000)
    add_pairs_option(parser)
    parser.add_argument("--one-build", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one_build:
        return one_build(args.one_build)
    with tempfile.TemporaryDirectory() as tmp, \
            measuring(f"benchmarks/newsletter_build.py: {args.notices} notices, {args.pairs} alternating pairs"):
        project = Path(tmp)
        paths = make_project(project, args.notices)
        audiences = load_audiences(project / "audiences.yaml")
        notices = [read_notice(p, audiences, project / "content")[0] for p in paths]
        days = list(issues_between(dt.date(2026, 1, 1), next_issue(TODAY)))
        planned, naive = alternating(args.pairs, lambda: in_process(lambda: published_issues(notices, TODAY)).wall,
                                     lambda: in_process(lambda: [edition(notices, day) for day in days]).wall)
        print(f"{len(days)} issues; planning every issue, in ms:")
        print(compared("  bucketed", [t * 1000 for t in planned], [t * 1000 for t in naive],
                       "edition() per issue over all (baseline)", unit="ms", digits=1))
        nocache_settings(project, "bench.py", SOTONG_TODAY=str(TODAY), PLUGINS=["sotong.pelican_plugin", "newsletter"])
        builds = [timed_build(project) for _ in range(args.pairs)]
        editions = len(list((project / "output" / "newsletter").glob("*/index.html")))
        print(f"sotong build: {editions} editions written")
        print(compared("  the newsletter generator", [spent for _, spent in builds], [build for build, _ in builds],
                       "the whole build", target="<= 0.10"))


if __name__ == "__main__":
    main()
