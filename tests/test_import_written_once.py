"""The import's rows written into the SQLite store once (issue #16): when no
other connection has the store open, the import's transaction runs with a
rollback journal instead of the WAL (which would hold every page, then copy
it into the store at the checkpoint), and the store is in WAL mode again
afterwards; beside an open connection (the collector) nothing changes; a
crash half-way loses nothing and leaves a store the next command opens."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sqlite3
import tempfile
from pathlib import Path

from sotong.audiences import load_audiences
from sotong.population import generate_population, write_csv
from sotong.store import SCRATCH_STAGED, SUBSCRIBER_COLUMNS, Store, scratch_staging_table
from sotong.subscribers import import_csv

REPO = Path(__file__).resolve().parent.parent
AUDIENCES = load_audiences(REPO / "audiences.yaml")
YEAR = 2026


def _files(tmp_path: Path, count: int = 3000) -> tuple[Path, Path]:
    """New subscribers, and the same with every row changed."""
    rows = generate_population(count, AUDIENCES, seed=3, year=YEAR)
    write_csv(tmp_path / "new.csv", rows)
    for row in rows:
        row["fields"] = "bulletin" if row["fields"] != "bulletin" else "culture"
    write_csv(tmp_path / "changed.csv", rows)
    return tmp_path / "new.csv", tmp_path / "changed.csv"


def _wal_bytes(database: Path) -> int:
    wal = Path(f"{database}-wal")
    return wal.stat().st_size if wal.exists() else 0


def _contents(database: Path) -> tuple[list, list]:
    db = sqlite3.connect(database)
    try:
        return ([tuple(row) for row in db.execute("SELECT * FROM subscribers ORDER BY id")],
                [tuple(row) for row in db.execute("SELECT * FROM consent_log ORDER BY id")])
    finally:
        db.close()


def test_an_import_alone_with_the_store_writes_its_rows_into_it_once(tmp_path):
    """Alone: the rows and their log go into the store's file, the WAL stays
    empty (in WAL mode it held every page written, 3,000 subscribers and their
    log, as large as the store), and the store is in WAL mode again, for its
    own connection and the next."""
    new, changed = _files(tmp_path)
    database = tmp_path / "sotong.db"
    store = Store.open(database)
    try:
        for path, summary in ((new, "3,000 added, 0 updated"), (changed, "0 added, 3,000 updated")):
            assert import_csv(store, path, AUDIENCES, YEAR, jobs=2).summary().startswith(summary)
            assert _wal_bytes(database) < database.stat().st_size / 20
            assert not Path(f"{database}-journal").exists()
            assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert store.db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL, as opened
        assert store.db.execute("SELECT count(*) FROM consent_log").fetchone()[0] == 6000
    finally:
        store.close()
    other = sqlite3.connect(database)
    assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert other.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    other.close()


def test_an_import_beside_an_open_connection_stays_in_wal_and_that_connection_reads_and_writes(tmp_path):
    """Another connection holds the store open (the collector): the import
    does not wait for it and writes through the WAL as before; that
    connection reads the imported rows and writes (an unsubscribe) after it."""
    new, _changed = _files(tmp_path, 500)
    database = tmp_path / "sotong.db"
    collector = Store.open(database)
    store = Store.open(database)
    try:
        assert collector.count_subscribers() == 0
        assert import_csv(store, new, AUDIENCES, YEAR, jobs=2).summary().startswith("500 added")
        assert _wal_bytes(database) > 0
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert collector.count_subscribers() == 500
        first = collector.db.execute("SELECT id FROM subscribers WHERE unsubscribed_at IS NULL LIMIT 1").fetchone()[0]
        with collector.changes_from("unsubscribe-link"):
            assert collector.unsubscribe(first, "2026-11-30T10:00:00+09:00")
        assert store.subscriber(first).unsubscribed_at == "2026-11-30T10:00:00+09:00"
    finally:
        store.close()
        collector.close()


def _import_killed_half_way(database: str, path: str) -> None:
    """In a forked process: the import, killed (SIGKILL, as a power cut
    kills it) while its transaction has written part of the rows into the
    store's file, the rollback journal beside it."""
    tempfile.tempdir = str(Path(database).parent)  # the killed import's scratch folder stays there, not in /tmp
    store = Store.open(database)
    store.db.execute("PRAGMA cache_size = 16")  # pages spill into the store's file early in the transaction
    journal = Path(f"{database}-journal")
    steps = 0

    def kill_once_written() -> int:
        nonlocal steps
        steps += journal.exists()
        if steps > 200:  # some 200,000 steps of SQLite's into the transaction
            os.kill(os.getpid(), signal.SIGKILL)
        return 0

    store.db.set_progress_handler(kill_once_written, 1000)
    import_csv(store, path, AUDIENCES, YEAR, jobs=1)
    os._exit(0)  # not killed: the test fails on the exit code


def test_an_import_killed_half_way_loses_nothing_and_the_next_command_opens_the_store(tmp_path):
    """An import of changed rows killed half-way through its writing (pages
    of the store already overwritten): the next connection rolls the hot
    journal back; the store, its consent log and WAL mode are as before."""
    new, changed = _files(tmp_path)
    database = tmp_path / "sotong.db"
    store = Store.open(database)
    import_csv(store, new, AUDIENCES, YEAR, jobs=1)
    store.close()
    before, written = _contents(database), database.read_bytes()
    child = multiprocessing.get_context("fork").Process(target=_import_killed_half_way, args=(str(database), str(changed)))
    child.start()
    child.join(120)
    assert child.exitcode == -signal.SIGKILL
    assert Path(f"{database}-journal").stat().st_size > 0  # hot: the killed transaction's
    assert database.read_bytes() != written  # pages of the store overwritten in place
    store = Store.open(database)
    try:
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        store.close()
    assert _contents(database) == before
    assert not Path(f"{database}-journal").exists()
    store = Store.open(database)
    try:
        assert import_csv(store, changed, AUDIENCES, YEAR, jobs=1).summary().startswith("0 added, 3,000 updated")
    finally:
        store.close()


ODD_TEXTS = ['Kim "민서" \\ 2층\n성수', "탭\t이름", "", None, "=1+2", "😀 emoji"]


def _staged_rows(prefix: str, count: int) -> list[tuple]:
    """Rows of SUBSCRIBER_COLUMNS as the import stages them, text that JSON must escape among them."""
    return [(f"{prefix}{number}", ODD_TEXTS[number % len(ODD_TEXTS)], f"p{number}@example.com",
             None if number % 3 else "010-1234-5678", 1950 + number % 50, "F" if number % 2 else None, "majang",
             "culture;health" if number % 4 else "", "email", "person", None, "2026-01-05",
             None if number % 5 else "2026-02-01", "") for number in range(count)]


def _scratch(path: Path, rows: list[tuple]) -> Path:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute(scratch_staging_table())
    db.executemany(f"INSERT INTO {SCRATCH_STAGED} VALUES ({', '.join('?' * len(SUBSCRIBER_COLUMNS))})", rows)
    db.close()
    return path


def _written(database: Path, scratches: list[Path]) -> list[tuple]:
    """The consent log (subscriber, changes) after writing the staged ``scratches`` over a new store."""
    store = Store.open(database)
    try:
        with store.changes_from("csv-import"), store.staged_from(scratches) as tables:
            store.put_staged_subscribers(SUBSCRIBER_COLUMNS, tables)
        return [tuple(row) for row in store.db.execute("SELECT subscriber_id, changes FROM consent_log ORDER BY id")]
    finally:
        store.close()


def test_the_log_of_the_parts_after_the_first_is_made_apart_as_the_store_makes_it(tmp_path):
    """Written in two parts, the second part's log JSON is made by another
    process into a file beside its scratch file, while the store's
    connection builds the first's: the log is byte for byte the one written
    from one part (the store's own SQL). When that file cannot be made (a
    folder in its place), the store builds the JSON itself: the same log."""
    first, second = _staged_rows("A", 300), _staged_rows("B", 300)
    whole = _written(tmp_path / "whole.db", [_scratch(tmp_path / "whole.db-part", first + second)])
    (tmp_path / "two").mkdir()
    parts = [_scratch(tmp_path / "two" / "part0.db", first), _scratch(tmp_path / "two" / "part1.db", second)]
    assert _written(tmp_path / "two.db", parts) == whole
    made = sqlite3.connect(tmp_path / "two" / "part1-log.db").execute("SELECT changes FROM logged ORDER BY staged")
    assert [row[0] for row in made] == [changes for key, changes in whole if key.startswith("B")]
    assert not (tmp_path / "two" / "part0-log.db").exists()  # the first part's: by the store's connection
    (tmp_path / "held").mkdir()
    parts = [_scratch(tmp_path / "held" / "part0.db", first), _scratch(tmp_path / "held" / "part1.db", second)]
    (tmp_path / "held" / "part1-log.db").mkdir()
    assert _written(tmp_path / "held.db", parts) == whole
