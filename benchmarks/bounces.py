"""Benchmark: `sotong bounces` on a Maildir of N bounce mails (default 10,000).

Builds the repository's project in a temporary folder with N subscribers
(tests/delivery_support.add_subscribers) and a Maildir holding, for them,
Postfix DSNs (hard and soft), Gmail DSNs, Exim's plain bounces and a few
vacation replies and unrelated mails (tests/bounce_mails.py), then measures:
  1. the baseline: reading every file and parsing it with the email package,
     in this process, nothing else;
  2. `sotong bounces` as the operator runs it (process start, attribution,
     classification, the journal, scores, moving each handled mail): mails
     per second of the whole command, on the clock and per CPU second (the
     machine is shared; per CPU second is what an idle core would do).
Both in --pairs alternating pairs (default 5), the Maildir and the store
put back as they were before each run of 2 (not timed); printed: each one's
rates and their ratio as median (min-max), with the time and the load at
start and end.
Target (issue #14): >= 500 mails per second (median).

    .venv/bin/python benchmarks/bounces.py [--count 10000] [--pairs 5]
"""

from __future__ import annotations

import argparse
import email
import email.policy
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "plugins"))
sys.path.insert(0, str(REPO))

from synthetic import (Timing, add_pairs_option, alternating, compared, in_process, make_project,  # noqa: E402
                       measuring, nocache_settings, timed_with_cpu)

TARGET = 500.0
ISSUE = "2026-11-26"
BOUNCE_ADDRESS = "bounces@sd.go.kr"


def fill_maildir(folder: Path, subscriber_ids: list[str]) -> None:
    """One mail per subscriber, of a kind picked by its position."""
    from bounce_mails import exim_bounce, gmail_dsn, postfix_dsn, unrelated_mail, vacation_reply
    from delivery.verp import make_return_path
    from delivery_support import address_of

    for sub in ("tmp", "new", "cur"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    for number, subscriber_id in enumerate(subscriber_ids):
        return_path, address = make_return_path(BOUNCE_ADDRESS, subscriber_id, ISSUE), address_of(subscriber_id)
        kind = number % 20
        if kind < 10:
            data = postfix_dsn(return_path, address, serial=number)
        elif kind < 14:
            data = gmail_dsn(return_path, address, serial=number)
        elif kind < 17:
            data = exim_bounce(return_path, address, serial=number)
        elif kind < 19:
            data = postfix_dsn(return_path, address, serial=number, status="4.2.2", action="delayed",
                               diagnostic="smtp; 452 4.2.2 Mailbox full")
        else:
            data = vacation_reply(return_path, address) if number % 40 < 20 else unrelated_mail()
        (folder / "new" / f"1764180000.M{number}P1.bench").write_bytes(data)


def baseline(folder: Path) -> Timing:
    """Seconds (wall, CPU) to read and parse every mail with the email package."""
    def parse_all() -> None:
        for path in (folder / "new").iterdir():
            email.message_from_bytes(path.read_bytes(), policy=email.policy.compat32)
    return in_process(parse_all)


def handle_bounces(root: Path, settings: Path, pristine: Path) -> Timing:
    """`sotong bounces` on the Maildir and the store as they were before any run."""
    shutil.rmtree(root / "bounces", ignore_errors=True)
    shutil.copytree(pristine / "bounces", root / "bounces")
    for path in (root / "private").glob("sotong.db*"):
        path.unlink()
    for path in pristine.glob("sotong.db*"):
        shutil.copy(path, root / "private" / path.name)
    os.sync()
    return timed_with_cpu([sys.executable, "-m", "sotong", "bounces", "-s", str(settings)], root)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    add_pairs_option(parser)
    args = parser.parse_args()
    count = args.count
    from delivery_support import add_subscribers

    with tempfile.TemporaryDirectory(prefix="sotong-bounces-") as temp, \
            measuring(f"benchmarks/bounces.py: {count:,} mails, {args.pairs} alternating pairs"):
        root, pristine = Path(temp), Path(temp) / "pristine"
        make_project(root, 0)
        settings = nocache_settings(root, "bench.py", BOUNCE_ADDRESS=BOUNCE_ADDRESS, BOUNCE_MAILDIR=str(root / "bounces"),
                                    SOTONG_TODAY="2026-11-30")
        subscriber_ids = add_subscribers(root / "private" / "sotong.db", count, channels=("email",))
        fill_maildir(pristine / "bounces", subscriber_ids)
        for path in (root / "private").glob("sotong.db*"):
            shutil.copy(path, pristine / path.name)
        bases, runs = alternating(args.pairs, lambda: baseline(pristine / "bounces"),
                                  lambda: handle_bounces(root, settings, pristine))
        left = len(list((root / "bounces" / "new").iterdir())) + len(list((root / "bounces" / "cur").iterdir()))
        handled = len(list((root / "bounces" / ".sotong-handled" / "cur").iterdir()))
        print(f"sotong bounces: {handled:,} bounces handled and moved, {left:,} left in the inbox (the last run)")
        report(count, bases, runs)


def report(count: int, bases: list[Timing], runs: list[Timing]) -> None:
    rates = {unit: ([count / getattr(run, unit) for run in runs], [count / getattr(base, unit) for base in bases])
             for unit in ("wall", "cpu")}
    print(compared(f"{count:,} mails, sotong bounces, whole command, on the clock", *rates["wall"],
                   "baseline (read and parse only)", unit="mails/s", digits=0))
    print(compared("the same per CPU second", *rates["cpu"], "baseline (read and parse only)",
                   unit="mails/s", digits=0))
    rate, cpu_rate = (statistics.median(rates[unit][0]) for unit in ("wall", "cpu"))
    print(f"target >= {TARGET:.0f}/s: {'met' if rate >= TARGET else 'NOT met'} on the clock, "
          f"{'met' if cpu_rate >= TARGET else 'NOT met'} per CPU second (what one idle core would do)")


if __name__ == "__main__":
    main()
