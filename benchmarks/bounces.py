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
Target (issue #14): >= 500 mails per second.

    .venv/bin/python benchmarks/bounces.py [--count 10000]
"""

from __future__ import annotations

import argparse
import email
import email.policy
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "plugins"))
sys.path.insert(0, str(REPO))

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


def baseline(folder: Path) -> tuple[float, float]:
    """Seconds (wall, CPU) to read and parse every mail with the email package."""
    started, cpu = time.perf_counter(), time.process_time()
    for path in (folder / "new").iterdir():
        email.message_from_bytes(path.read_bytes(), policy=email.policy.compat32)
    return time.perf_counter() - started, time.process_time() - cpu


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    count = parser.parse_args().count
    from delivery_support import add_subscribers
    from synthetic import make_project, nocache_settings, timed

    with tempfile.TemporaryDirectory(prefix="sotong-bounces-") as temp:
        root = Path(temp)
        make_project(root, 0)
        settings = nocache_settings(root, "bench.py", BOUNCE_ADDRESS=BOUNCE_ADDRESS, BOUNCE_MAILDIR=str(root / "bounces"),
                                    SOTONG_TODAY="2026-11-30")
        subscriber_ids = add_subscribers(root / "private" / "sotong.db", count, channels=("email",))
        fill_maildir(root / "bounces", subscriber_ids)
        base, base_cpu = baseline(root / "bounces")
        os.sync()
        cpu_before = children_cpu()
        seconds = timed([sys.executable, "-m", "sotong", "bounces", "-s", str(settings)], root)
        cpu = children_cpu() - cpu_before
        left = len(list((root / "bounces" / "new").iterdir())) + len(list((root / "bounces" / "cur").iterdir()))
        handled = len(list((root / "bounces" / ".sotong-handled" / "cur").iterdir()))
    rate, cpu_rate = count / seconds, count / cpu
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{count:,} mails: baseline (read and parse only) {base:.2f} s = {count / base:,.0f}/s, "
          f"{count / base_cpu:,.0f} per CPU second")
    print(f"sotong bounces, whole command: {seconds:.2f} s = {rate:,.0f} mails/s, {cpu_rate:,.0f} per CPU second "
          f"({handled:,} bounces handled and moved, {left:,} left in the inbox)")
    print(f"target >= {TARGET:.0f}/s: {'met' if rate >= TARGET else 'NOT met'} on the clock, "
          f"{'met' if cpu_rate >= TARGET else 'NOT met'} per CPU second (what one idle core would do)")


if __name__ == "__main__":
    main()
