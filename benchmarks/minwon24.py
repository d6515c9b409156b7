"""Benchmark: what the minwon24 banners add to bundling the whole district.

Generates N subscribers (default 100,000) with sotong.population and asks
the banner block maker of issue 2026-12-10 (the sample banners: local-tax-online
for taxpayers, gov24-certificates for the others) for each
reader's blocks, as the bundles plugin does; compared with the same loop
that only builds each reader's profile (the floor every plugin pays).
Target: under 1 s for the district, 5 % of the 20 s bundling target.

    .venv/bin/python benchmarks/minwon24.py [--count 100000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "plugins"))

from minwon24.email import block_maker  # noqa: E402
from sotong.mail import MessageContext  # noqa: E402
from sotong.population import generate_population  # noqa: E402
from sotong.project import Project  # noqa: E402
from sotong.store import Subscriber  # noqa: E402

ISSUE = dt.date(2026, 12, 10)
TARGET_SECONDS = 1.0


def subscriber(row: dict) -> Subscriber:
    return Subscriber(
        id=row["id"], birth_year=int(row["birth_year"]) if row["birth_year"] else None,
        gender=row["gender"] or None, dong=row["dong"] or None, kind=row["kind"] or "person",
        business_type=row["business_type"] or None, fields=frozenset(f for f in row["fields"].split(";") if f),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    args = parser.parse_args()
    project = Project(REPO / "pelicanconf.py")
    readers = [subscriber(row) for row in generate_population(args.count, project.audiences, seed=1, year=ISSUE.year)]
    css = (REPO / "themes" / "email" / "email.css").read_text(encoding="utf-8")
    context = MessageContext(settings=project.settings, audiences=project.audiences, issue=ISSUE, day=ISSUE,
                             notices=[], css=css, content=project.content)

    started = time.perf_counter()
    for reader in readers:
        reader.profile
    floor = time.perf_counter() - started

    started = time.perf_counter()
    make = block_maker(context)
    for reader in readers[:50]:
        make(reader, [])  # the blocks, rendered and inlined once per banner
    setup = time.perf_counter() - started

    started = time.perf_counter()
    chosen = Counter()
    for reader in readers:
        blocks = make(reader, [])
        chosen[blocks[0].manifest["banner"] if blocks else None] += 1
    seconds = setup + time.perf_counter() - started

    print(f"{len(readers):,} readers, issue {ISSUE}: banners chosen {dict(chosen)}")
    print(f"banner blocks: {seconds:.2f} s (target < {TARGET_SECONDS:.0f} s); of which reading and inlining the banners {setup:.2f} s; floor (profiles only): {floor:.2f} s; "
          f"{'OK' if seconds < TARGET_SECONDS else 'SLOWER THAN TARGET'}")


if __name__ == "__main__":
    main()
