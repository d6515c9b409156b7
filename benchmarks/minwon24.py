"""Benchmark: what the minwon24 banners add to bundling the whole district.

Generates N subscribers (default 100,000) with sotong.population and asks
the banner block maker of issue 2026-12-10 (the sample banners: local-tax-online
for taxpayers, gov24-certificates for the others) for each
reader's blocks, as the bundles plugin does; compared with the same loop
that only builds each reader's profile (the floor every plugin pays), in
--pairs alternating pairs (default 5); printed: each one's time and their
ratio as median (min-max), with the time and the load at start and end.
Target: under 1 s for the district (median), 5 % of the 20 s bundling target.

    .venv/bin/python benchmarks/minwon24.py [--count 100000] [--pairs 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "plugins"))  # before benchmarks/: minwon24 is the plugin, not this file

from minwon24.email import block_maker  # noqa: E402
from sotong.mail import MessageContext  # noqa: E402
from sotong.population import generate_population  # noqa: E402
from sotong.project import Project  # noqa: E402
from sotong.store import Subscriber  # noqa: E402
from synthetic import add_pairs_option, alternating, compared, measuring  # noqa: E402

ISSUE = dt.date(2026, 12, 10)
TARGET_SECONDS = 1.0


def subscriber(row: dict) -> Subscriber:
    return Subscriber(
        id=row["id"], birth_year=int(row["birth_year"]) if row["birth_year"] else None,
        gender=row["gender"] or None, dong=row["dong"] or None, kind=row["kind"] or "person",
        business_type=row["business_type"] or None, fields=frozenset(f for f in row["fields"].split(";") if f),
    )


def profiles_only(readers: list[Subscriber]) -> float:
    started = time.perf_counter()
    for reader in readers:
        reader.profile
    return time.perf_counter() - started


def banner_blocks(context: MessageContext, readers: list[Subscriber], chosen: Counter) -> float:
    """Seconds to make every reader's banner blocks, the block maker's set-up
    (the banners read, rendered and inlined once) included."""
    started = time.perf_counter()
    make = block_maker(context)
    chosen.clear()
    for reader in readers:
        blocks = make(reader, [])
        chosen[blocks[0].manifest["banner"] if blocks else None] += 1
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    add_pairs_option(parser)
    args = parser.parse_args()
    with measuring(f"benchmarks/minwon24.py: {args.count:,} readers, {args.pairs} alternating pairs"):
        project = Project(REPO / "pelicanconf.py")
        rows = generate_population(args.count, project.audiences, seed=1, year=ISSUE.year)
        readers = [subscriber(row) for row in rows]
        css = (REPO / "themes" / "email" / "email.css").read_text(encoding="utf-8")
        context = MessageContext(settings=project.settings, audiences=project.audiences, issue=ISSUE, day=ISSUE,
                                 notices=[], css=css, content=project.content)
        chosen = Counter()
        banner_blocks(context, readers[:50], chosen)  # not timed: the modules imported once, as in a running bundle
        banners, floors = alternating(args.pairs, lambda: banner_blocks(context, readers, chosen),
                                      lambda: profiles_only(readers))
        print(f"{len(readers):,} readers, issue {ISSUE}: banners chosen {dict(chosen)}")
        print(compared("banner blocks", banners, floors, "floor (profiles only)"))
        seconds = statistics.median(banners)
        print(f"target < {TARGET_SECONDS:.0f} s: {'met' if seconds < TARGET_SECONDS else 'MISSED'} ({seconds:.2f} s)")


if __name__ == "__main__":
    main()
