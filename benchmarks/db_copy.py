"""Benchmark: `sotong db copy TARGET` of a district's store of N synthetic
readers (default 100,000: sotong.population, imported as the operator
does, so the consent log holds a row each) and their journal (two issues
sent to each, SMS or email as they chose: 2 x N rows of delivery_messages,
with the last-sent day of each), from SQLite to PostgreSQL (the tests'
server: tests/postgres_server.py, started here and stopped at the end),
then that copy back to a new SQLite file.

Each figure is the command as the operator runs it (process start and the
schema upgrade of the new store included), each run into a fresh database
or file: the median (min-max) of the wall seconds, and the rows a second
at the median. Against it, in alternating pairs (--pairs, default 3), the
floor: the same rows of the same tables read from SQLite and written by
psycopg's COPY into an empty database whose tables an upgrade made (not
timed), without Sotong; and their ratio. The way back is timed as many
times, alone.

    .venv/bin/python benchmarks/db_copy.py [--count 100000] [--pairs 3]
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "benchmarks"), str(REPO / "tests")]

from postgres_server import new_database  # noqa: E402
from sotong.audiences import load_audiences  # noqa: E402
from synthetic import (SOTONG, add_pairs_option, alternating, copy_settings_and_code, import_population,  # noqa: E402
                       measuring, nocache_settings, ratios, spread, timed)

YEAR = 2026
ISSUES = ("2026-11-12", "2026-11-26")
TABLES = ("subscribers", "consent_log", "delivery_outboxes", "delivery_messages", "delivery_last_sent")  # the rows made
MESSAGE = ("INSERT INTO delivery_messages (outbox, kind, subscriber_id, channel, type, notices, file, state, attempts, "
           "answer_stage, answer_code, answer_text, queued_at, updated_at, sent_at, price) "
           "VALUES (?, 'issue', ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?)")


def district(root: Path, count: int) -> Path:
    """The project in ``root`` with ``count`` readers imported and two issues' journal; its store's path."""
    copy_settings_and_code(root)
    (root / "content" / "notices").mkdir(parents=True)
    import_population(root, count, load_audiences(root / "audiences.yaml"), seed=1, year=YEAR).close()
    upgraded = subprocess.run([SOTONG, "db", "upgrade"], cwd=root, capture_output=True, text=True)
    if upgraded.returncode:
        sys.exit(upgraded.stderr)
    store = root / "private" / "sotong.db"
    with sqlite3.connect(store) as db:
        readers = db.execute("SELECT id, channels FROM subscribers WHERE unsubscribed_at IS NULL").fetchall()
        for issue in ISSUES:
            db.execute("INSERT INTO delivery_outboxes (outbox, digest, recorded_at) VALUES (?, 'x', ?)",
                       (issue, f"{issue}T09:00:00+09:00"))
            db.executemany(MESSAGE, (message(issue, reader, channels) for reader, channels in readers))
        db.executemany("INSERT INTO delivery_last_sent (subscriber_id, day) VALUES (?, ?)",
                       ((reader, ISSUES[-1]) for reader, _channels in readers))
    return store


def message(issue: str, reader: str, channels: str) -> tuple:
    sent = f"{issue}T10:00:00+09:00"
    notices = '["2026-11-10-cold-wave", "2026-11-11-concert"]'
    if "email" in channels:
        return (issue, reader, "email", "EMAIL", notices, f"email/{reader}.eml", "sent", "data", 250, "2.0.0 Ok",
                sent, sent, sent, None)
    return (issue, reader, "sms", "LMS", notices, None, "handed_over", None, None, None, sent, sent, sent, 30.0)


def copied(root: Path, target: str, settings: str = "pelicanconf.py") -> float:
    return timed([SOTONG, "db", "copy", target, "-s", settings], root, settle=1.0)


def upgraded_database(root: Path) -> str:
    """A fresh PostgreSQL database with Sotong's tables (what the floor writes into)."""
    target = new_database()
    settings = nocache_settings(root, "floor.py", SOTONG_DB=target)
    subprocess.run([SOTONG, "db", "upgrade", "-s", str(settings)], cwd=root, check=True, capture_output=True)
    return target


def report(name: str, seconds: list[float], rows: int) -> None:
    median = statistics.median(seconds)
    print(f"{name}: {spread(seconds)} s, {rows / median:,.0f} rows/s at the median", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    add_pairs_option(parser, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sotong-db-copy-") as folder:
        root = Path(folder)
        store = district(root, options.count)
        with sqlite3.connect(store) as db:
            rows = sum(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in TABLES)
        with measuring(f"sotong db copy, {options.count:,} readers ({rows:,} rows), {options.pairs} pairs"):
            targets = []

            def to_postgresql() -> float:
                targets.append(new_database())
                return copied(root, targets[-1])

            commands, floors = alternating(options.pairs, to_postgresql,
                                           lambda: floor_copy(store, upgraded_database(root)))
            report("SQLite -> PostgreSQL", commands, rows)
            report("floor: psycopg COPY of the same rows", floors, rows)
            print(f"the command / the floor: {spread(ratios(commands, floors))} x", flush=True)
            nocache_settings(root, "on_postgresql.py", SOTONG_DB=targets[0])
            report("PostgreSQL -> SQLite", [copied(root, str(root / f"back-{run}.db"), "on_postgresql.py")
                                            for run in range(options.pairs)], rows)


def floor_copy(store: Path, target: str) -> float:
    """The floor: the same tables' rows from SQLite into PostgreSQL by
    psycopg's COPY alone, in one transaction (the consent log's trigger off,
    as the copy has it), into a database whose tables an upgrade made."""
    import psycopg

    source = sqlite3.connect(store)
    started = time.perf_counter()
    with psycopg.connect(target) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT set_config('sotong.consent_written', 'on', true)")
        for table in TABLES:
            names = ", ".join(f'"{row[1]}"' for row in source.execute(f"PRAGMA table_info({table})"))
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in source.execute(f"SELECT {names} FROM {table}"):
                    copy.write_row(row)
    source.close()
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
