"""Benchmark: the commands that count readers without writing a message —
`sotong reach --issue D` and `sotong check` (its reach of the notices
changed since the last build) — with this tree's plugins and with those of
--before, on one project of N synthetic readers (default 20,000) and the
two weeks of notices of benchmarks/bundles.py, with a survey open on the
issue's day (its invitations are email blocks). The project has never been
built, so check counts the reach of every notice of both coming issues.

In --pairs alternating pairs (default 5), wall and CPU seconds (user +
system), as median (min-max), and their ratio. The printed output of each
command must be the same with both trees, but for the settings file's name
(checked once, before timing).

    .venv/bin/python benchmarks/reach.py [--count 20000] [--pairs 5] [--before REV]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from bundles import ISSUE, make_project  # noqa: E402
from send import plugins_of  # noqa: E402
from synthetic import SOTONG, add_pairs_option, alternating, compared_timings, measuring, timed_with_cpu  # noqa: E402

SURVEY = f"""title: 구민 만족도 조사
department: 문화체육과
opens: {ISSUE.isoformat()}
closes: {ISSUE.replace(day=30).isoformat()}
questions:
  - id: score
    type: scale
    text: 전반적인 만족도
    min: 1
    max: 5
"""
COMMANDS = {
    "reach": ["reach", "--issue", ISSUE.isoformat()],
    "check": ["check"],
}


def output_of(root: Path, args: list[str], settings: str) -> str:
    """What ``sotong ARGS -s SETTINGS`` prints (both streams)."""
    ran = subprocess.run([SOTONG, *args, "-s", settings], cwd=root, capture_output=True, text=True)
    return ran.stdout + ran.stderr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--before", default="d19acbb", help="the commit whose plugins are the baseline")
    add_pairs_option(parser)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_project(root, options.count)
        (root / "content" / "surveys").mkdir(exist_ok=True)
        (root / "content" / "surveys" / "benchmark-survey.yaml").write_text(SURVEY, encoding="utf-8")
        before = plugins_of(root, "pelicanconf.py", options.before)
        for name, args in COMMANDS.items():
            now, then = output_of(root, args, "pelicanconf.py"), output_of(root, args, before).replace(before, "pelicanconf.py")
            if now != then:
                sys.exit(f"{name}: the two trees print different things:\n--- now\n{now}\n--- before\n{then}")
            with measuring(f"sotong {' '.join(args)}, {options.count:,} readers, {options.pairs} pairs"):
                mine, base = alternating(options.pairs, lambda args=args: timed_with_cpu(
                    [SOTONG, *args, "-s", "pelicanconf.py"], root), lambda args=args: timed_with_cpu(
                    [SOTONG, *args, "-s", before], root))
                print(compared_timings(name, mine, base, f"before ({options.before})"))


if __name__ == "__main__":
    main()
