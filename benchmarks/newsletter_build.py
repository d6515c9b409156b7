"""Benchmark: the newsletter plugin on N synthetic notices (default 5,000,
a year of dates).

  1. planning every issue of the year (plugins/newsletter/issues.py, which
     buckets notices by issue once) against the baseline of applying
     sotong.schedule.edition to every notice for every issue;
  2. one in-process `sotong build` (check + Pelican + the core plugin and the
     newsletter), timing the newsletter generator inside it: its share of the
     build (target: under 10 %). Timing the generator itself rather than
     subtracting two builds keeps the figure steady on a busy machine.

    .venv/bin/python benchmarks/newsletter_build.py [--notices 5000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
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
from synthetic import make_project, nocache_settings  # noqa: E402

TODAY = dt.date(2026, 12, 31)


def best_of(runs: int, action) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        paths = make_project(project, args.notices)
        audiences = load_audiences(project / "audiences.yaml")
        notices = [read_notice(p, audiences, project / "content")[0] for p in paths]

        planned = best_of(3, lambda: published_issues(notices, TODAY))
        days = list(issues_between(dt.date(2026, 1, 1), next_issue(TODAY)))
        naive = best_of(1, lambda: [edition(notices, day) for day in days])

        nocache_settings(project, "bench.py", SOTONG_TODAY=str(TODAY), PLUGINS=["sotong.pelican_plugin", "newsletter"])
        spent = timing_generator()
        os.chdir(project)
        build = build_site(Project(project / "bench.py"))["seconds"]
        editions = len(list((project / "output" / "newsletter").glob("*/index.html")))

    print(f"notices:                                 {args.notices}")
    print(f"issues:                                  {len(days)} ({editions} editions written)")
    print(f"plan every issue (bucketed):             {planned * 1000:8.1f} ms")
    print(f"edition() per issue over all (baseline): {naive * 1000:8.1f} ms   speed-up {naive / planned:.0f}x")
    print(f"sotong build (in process):               {build:8.2f} s")
    print(f"  of which the newsletter generator:     {spent[0]:8.2f} s   share {spent[0] / build:.1%}  (target < 10 %)")


if __name__ == "__main__":
    main()
