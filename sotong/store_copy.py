"""Moving a store to another place (``sotong db copy TARGET``; SPEC §15):
every row of every table the registered schema steps made, from the store
SOTONG_DB names (the source) to an empty store (the target), SQLite or
PostgreSQL either way.

What is copied is read from the stores themselves once both are at the
current versions: their tables (core's and every plugin's, less
``schema_versions``, which the target keeps of its own upgrade) and of each
the columns both have, rows keeping their ids (and the ``rowid`` that
orders a table: SQLite's own, PostgreSQL's column of :func:`with_rowid`).
What is derived from the rows is not copied: SQLite's virtual tables (FTS5
indexes) and their shadow tables, PostgreSQL's ``tsvector`` and generated
columns; the plugins owning them make them again on the target from the
copied rows (``signals.store_copied``), in the copy's transaction.

The source is read in one transaction (SQLite's WAL read, PostgreSQL's
REPEATABLE READ), so the copy is the store as it was at one moment; the
target is written in one transaction, the consent log's triggers off (the
log is copied as it is, ids included), parent tables before the tables
that reference them, PostgreSQL's identity sequences set past the largest
id copied, each table's rows counted against the source's before it
commits; that transaction holds the target's upgrade too (core's and the
plugins'). A copy that fails or is stopped (even killed) leaves the target
as it was found, an empty store of an older Sotong at its versions: the
transaction is rolled back, and a SQLite file the command made is removed
again (:func:`opened_target`), so that the same command can run again.

The target is found empty before anything is made or upgraded in it
(:meth:`Store.connect`, then :meth:`Store.make_core`), and before the
source is opened (which brings its core tables up to date) or upgraded: a
refused copy leaves both as they were. Every line about the target names it as the operator
typed it (its password shown as ***), through its :class:`StoreName`.
"""

from __future__ import annotations

import contextlib
import graphlib
import itertools
import os
import re
import sqlite3
import sys
from dataclasses import dataclass
from typing import Iterable, Iterator

from . import signals
from .database_url import StoreName, address_mistake, is_database_url
from .i18n import _
from .problems import SotongError
from .progress import progress
from .store import Store, database_reason, engine_trouble

SCHEMA_VERSIONS = "schema_versions"  # each store's own: not copied
WRITTEN_AT_ONCE = 5000  # SQLite: rows a statement inserts (executemany)
ROWID = "rowid"


@dataclass(frozen=True)
class CopiedTable:
    """One table to copy: its name and the columns both stores have, in the source's order."""

    name: str
    columns: tuple[str, ...]


def copy_store(source: Store, target: Store) -> dict[str, int]:
    """Copy every row of ``source`` into the empty ``target`` (both at the
    current versions); the rows copied by table. Refuses a target that holds
    rows, or lacks a table the source has, before writing anything."""
    tables = copy_plan(source, target)
    with source.snapshot():
        counts = {table.name: _count(source, table.name) for table in tables}
        with target_trouble_said(target.name), target.transaction(), target.writer_logs():
            refuse_unless_empty(target, [table.name for table in tables])
            with progress(sum(counts.values()), _("Copying the store")) as advance:
                for table in tables:
                    with _rows_refused_said(target, table.name):
                        _write(target, table, _rows(source, table), advance)
            _sequences_past_the_ids(target, [table.name for table in tables])
            signals.store_copied.send(target)
            _verify(target, counts)
    return counts


def copy_plan(source: Store, target: Store) -> list[CopiedTable]:
    """The tables to copy, parents (of a foreign key) first, each with the
    columns both stores have; refused when the target lacks a source's table
    that holds rows (they would be lost: a plugin the settings leave out
    made it; an empty one is left out)."""
    target_tables = set(stored_tables(target))
    source_tables = [table for table in stored_tables(source) if table in target_tables]
    missing = [table for table in stored_tables(source) if table not in target_tables and _count(source, table)]
    if missing:
        raise SotongError([target.name.said(_("{subject}: has no table {tables}, which the store SOTONG_DB names holds (a plugin these settings do not list made it); add that plugin to PLUGINS in the settings, then run the command again"),
                                            tables=", ".join(missing))])
    parents = {table: _parents(target, table) & set(source_tables) for table in source_tables}
    ordered = graphlib.TopologicalSorter(parents).static_order()
    return [CopiedTable(table, _shared_columns(source, target, table)) for table in ordered]


def stored_tables(store: Store) -> list[str]:
    """The store's tables that hold its records: every ordinary table but
    ``schema_versions`` and SQLite's own (sqlite_sequence); not the virtual
    tables of an index nor their shadow tables."""
    if store.backend == "sqlite":
        tables = [row["name"] for row in store.db.execute("PRAGMA main.table_list")
                  if row["type"] == "table" and not row["name"].startswith("sqlite_")]
    else:
        tables = store.tables()
    return sorted(table for table in tables if table != SCHEMA_VERSIONS)


def refuse_unless_empty(target: Store, tables: Iterable[str]) -> None:
    """A target that holds a row in any of ``tables`` is refused, naming them."""
    holding = [table for table in tables
               if target.db.execute(f'SELECT EXISTS (SELECT 1 FROM "{table}")').fetchone()[0] in (1, True)]
    if holding:
        raise SotongError([target.name.said(_("{subject}: is not empty, its tables {tables} hold rows; copy into a new store (a file that is not there yet, or a new PostgreSQL database made with createdb), so that nothing in it is mixed or lost"),
                                            tables=", ".join(holding))])


def _shared_columns(source: Store, target: Store, table: str) -> tuple[str, ...]:
    kept = set(_columns(target, table))
    return tuple(column for column in _columns(source, table) if column in kept)


def _columns(store: Store, table: str) -> list[str]:
    """The columns of ``table`` that hold records: not a generated one nor a
    ``tsvector`` (an index's); with ``rowid`` where SQLite keeps one of its
    own (a table without an INTEGER PRIMARY KEY, which is its rowid)."""
    if store.backend == "postgresql":
        return [row[0] for row in store.db.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = ? AND data_type <> 'tsvector' AND is_generated = 'NEVER' ORDER BY ordinal_position",
            (table,))]
    info = store.db.execute(f'PRAGMA table_xinfo("{table}")').fetchall()
    columns = [row["name"] for row in info if not row["hidden"]]
    keys = [row for row in info if row["pk"]]
    aliased = len(keys) == 1 and keys[0]["type"].upper() == "INTEGER"
    without_rowid = store.db.execute("SELECT wr FROM pragma_table_list WHERE schema = 'main' AND name = ?",
                                     (table,)).fetchone()[0]
    return columns + [ROWID] if not (aliased or without_rowid or ROWID in columns) else columns


def _parents(store: Store, table: str) -> set[str]:
    """The tables a foreign key of ``table`` references."""
    if store.backend == "sqlite":
        return {row["table"] for row in store.db.execute(f'PRAGMA foreign_key_list("{table}")')}
    return {row[0] for row in store.db.execute(
        "SELECT confrelid::regclass::text FROM pg_constraint WHERE contype = 'f' AND conrelid = ?::regclass",
        (f'"{table}"',))}


def _count(store: Store, table: str) -> int:
    return store.db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]


def _names(columns: Iterable[str]) -> str:
    """The columns, quoted, for SQL (``groups`` is a word of PostgreSQL's)."""
    return ", ".join(f'"{column}"' for column in columns)


def _rows(source: Store, table: CopiedTable) -> Iterator[tuple]:
    """The table's rows as the source's snapshot has them (PostgreSQL hands
    them over in batches through a server-side cursor). What reading them
    raised because of where the source runs is said here, as the source's:
    what the target's writes raise meanwhile is the target's."""
    sql = f'SELECT {_names(table.columns)} FROM "{table.name}"'
    try:
        rows = source.db.stream(sql) if source.backend == "postgresql" else source.db.execute(sql)
        for row in rows:
            yield tuple(row)
    except Exception as exc:
        if (trouble := engine_trouble(exc, source.name.of_file(source.path), source.name)) is None:
            raise
        raise trouble from None


def _write(target: Store, table: CopiedTable, rows: Iterator[tuple], advance) -> None:
    """``rows`` into the target's table: PostgreSQL's COPY, SQLite's
    executemany, a few thousand at a time; ``advance`` called once a row."""
    names = _names(table.columns)
    if target.backend == "postgresql":
        with (target.db.connection.cursor() as cursor,
              cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy):
            for row in rows:
                copy.write_row(row)
                advance()
        return
    insert = f'INSERT INTO "{table.name}" ({names}) VALUES ({", ".join("?" * len(table.columns))})'
    while batch := list(itertools.islice(rows, WRITTEN_AT_ONCE)):
        target.db.executemany(insert, batch)
        for _row in batch:
            advance()


def _sequences_past_the_ids(target: Store, tables: list[str]) -> None:
    """PostgreSQL: each identity (or serial) column's sequence set to the
    largest value copied, so the next row the target numbers is past it."""
    if target.backend != "postgresql":
        return  # SQLite numbers the next row past the largest rowid itself
    numbered = target.db.execute(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND (is_identity = 'YES' OR column_default LIKE 'nextval(%')").fetchall()
    for table, column in numbered:
        if table in tables:
            target.db.execute(f'SELECT setval(pg_get_serial_sequence(?, ?), max("{column}")) FROM "{table}" '
                              f'HAVING max("{column}") IS NOT NULL', (f'"{table}"', column))


def _verify(target: Store, counts: dict[str, int]) -> None:
    """Each table of the target holds as many rows as the source's (else the copy is undone)."""
    differing = [f"{table} {expected} → {found}" for table, expected in counts.items()
                 if (found := _count(target, table)) != expected]
    if differing:
        raise SotongError([target.name.said(_("{subject}: holds another number of rows than the store SOTONG_DB names ({tables}); nothing was copied, run the command again"),
                                            tables=", ".join(differing))])


# an address's password (postgresql://USER:PASSWORD@..., ?password=...), left out of what is shown
_PASSWORD = re.compile(r"(?i)(^[a-z][a-z0-9+.-]*://[^@?/]*:)[^@?]*(?=@)|(?<=[?&]password=)[^&]*")
# what SQLite keeps beside a store's file (its write-ahead log, its index of it; a rollback journal)
_BESIDE_THE_FILE = ("-wal", "-shm", "-journal")


@contextlib.contextmanager
def opened_target(typed: str) -> Iterator[Store]:
    """The target the operator typed, found empty before anything is made
    or upgraded in it, then open (its core tables made), its messages
    naming it as typed, in one transaction (:meth:`Store.all_or_nothing`)
    committed when the block completes; closed after. Unless the block
    completes, nothing the command made or upgraded in it stays: the
    transaction is rolled back, and a SQLite file the command made is
    removed (with what SQLite keeps beside it), so that nothing looks like
    a store."""
    name = StoreName(_("the copy's target {target}").format(target=shown_target(typed)), "TARGET")
    location = target_location(typed, name)
    file_made = not is_database_url(location) and not os.path.lexists(location)
    try:
        with target_trouble_said(name):
            target = Store.connect(location, name)
        try:
            with contextlib.ExitStack() as transaction:
                with target_trouble_said(name):
                    transaction.enter_context(target.all_or_nothing())
                    refuse_unless_empty(target, stored_tables(target))  # before core's tables are made or upgraded in it
                    target.make_core()
                yield target
                with target_trouble_said(name):
                    transaction.close()  # the commit
        finally:
            target.close()
    except BaseException:
        if file_made:
            _remove_store_file(location)
        raise


def _remove_store_file(location: str) -> None:
    """The SQLite file at ``location`` and what SQLite keeps beside it,
    removed; what is not there (or cannot be removed) is passed over, so
    that why the copy failed is what the command says."""
    for path in [location, *(location + beside for beside in _BESIDE_THE_FILE)]:
        with contextlib.suppress(OSError):
            os.remove(path)


def target_location(typed: str, name: StoreName) -> str:
    """The target as the store opens it, read as SOTONG_DB is: a
    postgresql:// address, or a file path (from the folder the command runs in)."""
    if mistake := address_mistake(typed):
        raise SotongError([f"{name.subject}: {mistake}"])
    return typed if is_database_url(typed) else os.path.abspath(os.path.expanduser(typed))


def shown_target(typed: str) -> str:
    """The target as messages name it: an address without its password."""
    return _PASSWORD.sub(lambda found: (found.group(1) or "") + "***", typed)


@contextlib.contextmanager
def target_trouble_said(name: StoreName) -> Iterator[None]:
    """What opening, upgrading or writing the target raised because of where
    it runs (a file that cannot be written, a full disk, a server gone) said
    in one line naming it (``name``), as engine_trouble says it; the lines
    the store raises itself name it already."""
    try:
        yield
    except Exception as exc:
        if (trouble := engine_trouble(exc, name.subject, name)) is None:
            raise
        raise trouble from None


@contextlib.contextmanager
def _rows_refused_said(target: Store, table: str) -> Iterator[None]:
    """A row the target's database refuses (a value PostgreSQL cannot hold,
    such as a NUL character in a text) said in one line naming its table;
    what comes of where the stores run is left to engine_trouble."""
    try:
        yield
    except Exception as exc:
        psycopg = sys.modules.get("psycopg")
        database_error = (sqlite3.Error,) + ((psycopg.Error,) if psycopg else ())
        if not isinstance(exc, database_error) or engine_trouble(exc) is not None:
            raise
        raise SotongError([target.name.said(_("{subject}: a row of the table {table} could not be written ({reason}); nothing was copied, the target is left as it was"),
                                            table=table, reason=database_reason(exc))]) from None


__all__ = ["CopiedTable", "copy_plan", "copy_store", "opened_target", "refuse_unless_empty", "shown_target",
           "stored_tables", "target_location", "target_trouble_said"]
