"""Benchmark: `sotong opinions search` at N opinions (default 100,000), on
SQLite and on PostgreSQL (the tests' server: tests/postgres_server.py,
started here and stopped at the end).

Fills a temporary store of each backend with the same N generated opinions
on 20 policies of 5 departments (survey.opinions.record, as the collector
does; PostgreSQL's statistics are then gathered with ANALYZE, as its
autovacuum would), then times, per query, in alternating pairs (5 by
default; the median and the spread, min-max, of each and of the ratio;
the time and the load at start and end):
  1. the baseline: a plain scan, ``instr(opinion, ?)`` (``strpos`` on
     PostgreSQL) over every row;
  2. survey.opinions.search for the command's page (the newest 100): on
     SQLite the FTS5 trigram index for three characters or more and the
     grams index for one or two letters (버스 in 마을버스); on PostgreSQL the
     GIN-indexed array of letters and letter pairs.
On SQLite it also times what search did for words shorter than three
characters until the grams index (a LIKE scan newest first until the page
is full). Target (issue #17): every search under 100 ms at 100,000 opinions.

    .venv/bin/python benchmarks/opinions.py [--count 100000] [--pairs 5] [--backend sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "plugins"))
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from project_support import BACKENDS, new_store_location  # noqa: E402
from sotong.store import Store, Subscriber  # noqa: E402
from survey import opinions  # noqa: E402
from survey.schema import Policy, Question, Survey  # noqa: E402
from synthetic import add_pairs_option, alternating, measuring, ratios, spread  # noqa: E402  (benchmarks/)

TARGET_MS = 100.0
PAGE = 100  # what `sotong opinions search` prints by default
WORDS = ("마을버스 노선을 늘려 주세요 배차 간격이 너무 깁니다 정류장에 그늘막이 필요합니다 공원 산책로 야간 조명 "
         "주차장이 부족합니다 어린이 놀이터 경로당 도서관 운영 시간 연장 자전거길 쉼터 보행 안전 횡단보도").split()
SPRING = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
QUERIES = (("버스", None, None, None), ("마을버스", None, None, None), ("야간 조명", None, None, None),
           ("배차", "policy-3", None, None), ("그늘막이 필요", None, "부서2", None), ("없는 낱말입니다", None, None, None),
           ("낱말", None, None, None), ("등", None, None, None), ("마을버스", None, None, SPRING),
           ("쉼터", "policy-3", None, SPRING))


def fill(store: Store, count: int) -> None:
    rng = random.Random(7)
    surveys = [Survey(f"policy-{i}", f"정책 {i}", f"부서{i % 5}", None, None, (), False, False,
                      (Question("opinion", "text", "의견"),), kind="consultation",
                      policy=Policy(f"정책 {i}", f"부서{i % 5}", "요약")) for i in range(20)]
    with store.transaction():
        for index in range(count):
            person = Subscriber(id=f"S{index % 30000:06d}", birth_year=rng.randrange(1930, 2010),
                                gender=rng.choice("FM"), dong=rng.choice(("majang", "oksu", "yongdap")))
            text = " ".join(rng.choices(WORDS, k=rng.randint(4, 20)))
            day = dt.date(2026, 1, 1) + dt.timedelta(days=index * 365 // count)  # in order, as the collector keeps them
            opinions.record(store, rng.choice(surveys), person, {"opinion": (text,)}, day)


def before_grams(store: Store, text: str, policy: str | None, department: str | None, days) -> list:
    """The newest page of a short word as search read it before the grams
    index: a LIKE scan of the opinions newest first."""
    sql, args = "SELECT * FROM survey_opinions WHERE opinion LIKE ?", [f"%{text}%"]
    for condition, value in (("slug = ?", policy), ("department = ?", department),
                             ("day >= ?", days and days[0].isoformat()), ("day <= ?", days and days[1].isoformat())):
        if value is not None:
            sql, args = sql + f" AND {condition}", args + [value]
    return store.db.execute(sql + f" ORDER BY id DESC LIMIT {PAGE}", args).fetchall()


SCAN = {"sqlite": "SELECT count(*) FROM survey_opinions WHERE instr(opinion, ?)",
        "postgresql": "SELECT count(*) FROM survey_opinions WHERE strpos(opinion, ?) > 0"}


def milliseconds(run) -> float:
    start = time.perf_counter()
    run()
    return (time.perf_counter() - start) * 1000


def measure(store: Store, backend: str, pairs: int) -> float:
    """Print each query's figures on ``store``; the slowest search's median."""
    worst = 0.0
    print(f"{'query':<40} {'found':>7} {'scan ms':>8} {'before ms':>10} {'search ms':>10} {'min-max':>12} "
          f"{'x scan (min-max)':>20}")
    for text, policy, department, days in QUERIES:
        since, until = days or (None, None)
        found = len(opinions.search(store, text, policy, department, since=since, until=until))  # all, once
        scan = lambda: store.db.execute(SCAN[backend], (text,)).fetchone()  # noqa: E731
        page = lambda: opinions.search(store, text, policy, department, PAGE, since=since, until=until)  # noqa: E731
        scans, searches = alternating(pairs, lambda: milliseconds(scan), lambda: milliseconds(page))
        before = None
        if backend == "sqlite" and len(text) < 3:
            before = statistics.median(milliseconds(lambda: before_grams(store, text, policy, department, days))
                                       for _ in range(pairs))
        took = statistics.median(searches)
        worst = max(worst, took)
        label = (text + (f" --policy {policy}" if policy else "") + (f" --department {department}" if department else "")
                 + (f" --from {since} --to {until}" if days else ""))
        shown = f"{before:>10.1f}" if before is not None else f"{'-':>10}"
        each = f"{min(searches):.1f}-{max(searches):.1f}"
        print(f"{label:<40} {found:>7,} {statistics.median(scans):>8.1f} {shown} {took:>10.1f} {each:>12} "
              f"{spread(ratios(searches, scans), 3):>20}")
    return worst


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    add_pairs_option(parser)
    parser.add_argument("--backend", choices=BACKENDS, action="append", help="one backend (default: both)")
    args = parser.parse_args()
    with measuring(f"benchmarks/opinions.py: {args.count:,} opinions, {args.pairs} alternating pairs"):
        worst = {backend: measure_backend(backend, args.count, args.pairs) for backend in args.backend or BACKENDS}
        for backend, slowest in worst.items():
            print(f"{backend}: slowest search {slowest:.1f} ms; target under {TARGET_MS:.0f} ms: "
                  f"{'met' if slowest < TARGET_MS else 'NOT met'}")
    return 0 if max(worst.values()) < TARGET_MS else 1


def measure_backend(backend: str, count: int, pairs: int) -> float:
    """Fill a new store of ``backend``, then print its queries' figures; the slowest search's median."""
    with tempfile.TemporaryDirectory() as folder:
        store = opinions.ensure(Store.open(new_store_location(backend, Path(folder))))
        start = time.perf_counter()
        fill(store, count)
        if backend == "postgresql":
            store.db.execute("ANALYZE")
        print(f"\n{backend}: {count:,} opinions stored in {time.perf_counter() - start:.1f} s", flush=True)
        slowest = measure(store, backend, pairs)
        store.close()
    return slowest


if __name__ == "__main__":
    sys.exit(main())
