"""The subscriber store: one SQLite file (``SOTONG_DB``, private/sotong.db) or
a PostgreSQL database (``SOTONG_DB`` a ``postgresql://`` URL; SPEC §15).

Core owns the ``subscribers`` table; a plugin that keeps records (the delivery
journal, survey answers) registers its tables as numbered steps with
:func:`register_schema`, which :meth:`Store.upgrade` applies and records in
the ``schema_versions`` table: for every component by ``sotong db upgrade``,
and for its own by the plugin before it first reads or writes them
(``store.upgrade("survey")``). SQL is written once, in SQLite's words; on
PostgreSQL the :class:`_PostgresConnection` translates it (placeholders,
``INSERT OR IGNORE``, ``AUTOINCREMENT``). Writes are in transactions; on SQLite
the journal mode is WAL so that the collector can take unsubscribes while a
send runs. Every stored time is Asia/Seoul with its
offset (:func:`now_iso`), whatever the machine's zone; :func:`seoul_day` reads
the day of any stored time, also those older versions wrote in another zone.

The consent log (SPEC §13, table ``consent_log``) is kept by the store
itself: triggers on ``subscribers`` write one row per change of a subscriber
(time, source, and what changed as a JSON object ``{column: [old, new]}``,
values as text) whatever writes the change (an import, the collector's
unsubscribe, an SMS opt-out, the preferences page), so no feature can forget
it (TEMP triggers on SQLite, one trigger function on PostgreSQL). The writer
names its source with ``with store.changes_from("csv-import"):``. The import
stages its rows in scratch SQLite files, one per process that checked a part
of the file (:func:`scratch_staging_table`, :meth:`Store.staged_from`:
attached, or on PostgreSQL copied into a TEMP table), and writes them, and
the log's rows the triggers would write, by SQL set by set
(:meth:`Store.put_staged_subscribers`), the triggers off for its connection;
on SQLite a forked process makes the log's JSON of the parts after the first
meanwhile, and the rows go into the store's file once (a rollback journal
instead of the WAL) when no other connection has it open.
The view ``consent_log_columns`` reads the log one row per changed column,
as the office's export shows it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import itertools
import json
import logging
import os
import re
import sqlite3
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator
from zoneinfo import ZoneInfo

from .database_url import SOTONG_DB, StoreName, connection_failure, is_database_url, password_file_problem, service_parameters
from .i18n import N_, _
from .problems import SotongError, os_reason
from .reconnect import StoreDown, connection_lost

if TYPE_CHECKING:
    from .audiences import Profile

log = logging.getLogger(__name__)

SEOUL = ZoneInfo("Asia/Seoul")  # the store's clock (not sotong.notices': the collector reads no notice)

SUBSCRIBER_COLUMNS = (
    "id", "name", "email", "phone", "birth_year", "gender", "dong", "fields", "channels",
    "kind", "business_type", "subscribed_at", "unsubscribed_at", "groups",
)

READER_CHANNELS = ("email", "sms")  # what a subscriber can choose to get messages by (``channels``)
# What a subscriber's row holds once their data is destroyed, some days after
# they unsubscribed (a retention purge): ``id``, ``kind`` and ``unsubscribed_at``
# keep their value, the other columns these (NULL, or '' where it may not be
# NULL). An import leaves such a row as it is unless it subscribes them again.
PURGED_VALUES = {
    "name": None, "email": None, "phone": None, "birth_year": None, "gender": None, "dong": None,
    "business_type": None, "subscribed_at": None, "sms_unsubscribed_at": None,
    "fields": "", "channels": "", "groups": ""}
STREAM_BATCH = 2000  # rows a PostgreSQL server-side cursor hands over at a time
SQLITE_WAITS_MS = 30_000  # how long an SQLite connection waits for another's lock
CONNECT_TIMEOUT_S = 10  # PostgreSQL: how long to wait for the server, unless connect_timeout or PGCONNECT_TIMEOUT says
# PostgreSQL over TCP, unless the address or its service says: a host gone silent (down, cut off, its packets
# dropped) is asked after 30 s of silence, every 10 s, and given up after a minute without an answer, idle or
# with a statement sent (TCP's own limits: two hours idle, some fifteen minutes for a statement).
TCP_SILENCE = {"keepalives": "1", "keepalives_idle": "30", "keepalives_interval": "10", "keepalives_count": "3",
               "tcp_user_timeout": "60000"}
VACUUM_TRIES, VACUUM_PAUSE = 6, 0.05  # erasing on PostgreSQL: vacuums at most, the first pause (doubled each time)

CORE_SCHEMA = """
CREATE TABLE IF NOT EXISTS subscribers (
    id TEXT PRIMARY KEY,
    name TEXT,
    email TEXT,
    phone TEXT,
    birth_year INTEGER,
    gender TEXT,
    dong TEXT,
    fields TEXT NOT NULL DEFAULT '',
    channels TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL DEFAULT 'person',
    business_type TEXT,
    subscribed_at TEXT,
    unsubscribed_at TEXT,
    sms_unsubscribed_at TEXT,
    groups TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS consent_log (
    id INTEGER PRIMARY KEY,
    subscriber_id TEXT NOT NULL,
    changed_at TEXT NOT NULL,         -- Asia/Seoul with its offset
    source TEXT NOT NULL,             -- csv-import, unsubscribe-link, sms-optout, signup, preferences...
    field TEXT NOT NULL,              -- the subscribers column that changed
    old_value TEXT,
    new_value TEXT
);
CREATE INDEX IF NOT EXISTS consent_log_by_time ON consent_log (changed_at);
CREATE INDEX IF NOT EXISTS consent_log_by_subscriber ON consent_log (subscriber_id);
"""
# Step 1 no longer creates the invalid marks' four columns: stores made with
# or without them are the same once the owning plugin's step has moved them out.
# Columns added since the first stores: added to an older store when it is opened.
ADDED_COLUMNS = (("groups", "TEXT NOT NULL DEFAULT ''"),)
# What a Subscriber is read from: the SPEC §4 columns and the SMS opt-out
# ("수신거부" replies, consent like an unsubscribe: SPEC §13), which the store
# keeps beside them. Older stores may hold more columns (the invalid marks
# of addresses, until the schema step of the plugin owning them moves them).
STORED_COLUMNS = SUBSCRIBER_COLUMNS + ("sms_unsubscribed_at",)

# Columns whose changes the consent log keeps (what the reader consented to,
# and the data kept about them): groups too, as membership is the consent
# to the group's notices (SPEC §16).
LOGGED_COLUMNS = (
    "name", "email", "phone", "birth_year", "gender", "dong", "fields", "channels", "kind", "business_type",
    "subscribed_at", "unsubscribed_at", "groups", "sms_unsubscribed_at")
DEFAULT_SOURCE = "store"
STAGED_SUBSCRIBERS = "staged_subscribers"  # the TEMP table of Store.stage_subscriber_rows
_STAGED_AT_ONCE = 5000  # PostgreSQL: rows staged by one executemany
SCRATCH_STAGED = "staged"  # the table of a scratch file of staged rows (scratch_staging_table)


def seoul_time_sql(moment: str = "'now'") -> str:
    """SQLite's expression of ``moment`` (``'now'``, or a time value and its
    modifiers, such as ``?, 'unixepoch'``) as :func:`now_iso` writes it:
    Asia/Seoul has kept +09:00 all year since 1988. The consent log's
    triggers ask for the time in SQL, not from a Python function, which
    would take the GIL back in the middle of the statement while the
    collector's other threads want it (issue #16)."""
    return f"strftime('%Y-%m-%dT%H:%M:%S+09:00', {moment}, '+9 hours')"


def _consent_triggers() -> tuple[str, str]:
    """TEMP triggers (this connection's, so they may call its function
    ``sotong_change_source()``) that log every change, at :func:`seoul_time_sql`."""
    def log(old: str, condition: str) -> str:
        # One statement per row, the time and source asked once; the row's
        # changed columns, in LOGGED_COLUMNS order, are the arms of one SELECT.
        changes = " UNION ALL ".join(f"SELECT '{c}' AS field, CAST({old.format(c=c)} AS TEXT) AS old, "
                                     f"CAST(new.{c} AS TEXT) AS new, {old.format(c=c)} IS NOT new.{c} AS changed"
                                     for c in LOGGED_COLUMNS)
        return (f"INSERT INTO consent_log (subscriber_id, changed_at, source, changes) "
                f"SELECT new.id, {seoul_time_sql()}, sotong_change_source(), "
                f"json_group_object(change.field, json_array(change.old, change.new)) "
                f"FROM ({changes}) AS change WHERE {condition} HAVING count(*) > 0;")

    inserted = log("NULL", "change.new IS NOT NULL AND change.new != ''")
    updated = log("old.{c}", "change.changed")
    return (f"CREATE TEMP TRIGGER IF NOT EXISTS consent_on_insert AFTER INSERT ON main.subscribers BEGIN {inserted} END",
            f"CREATE TEMP TRIGGER IF NOT EXISTS consent_on_update AFTER UPDATE ON main.subscribers BEGIN {updated} END")


# The log's JSON of {column: [old, new]}: compact, as SQLite's json functions write it.
_as_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


SCHEMA_VERSIONS = """
CREATE TABLE IF NOT EXISTS schema_versions (component TEXT PRIMARY KEY, version INTEGER NOT NULL);
"""
# A schema step: SQL, SQL per backend, or a function given the Store.
SchemaStep = str | dict[str, str] | Callable[["Store"], None]
# component -> its schema steps; version N is the first N steps applied.
_SCHEMA_STEPS: dict[str, tuple[SchemaStep, ...]] = {}


def register_schema(component: str, *steps: SchemaStep) -> None:
    """Declare a component's tables as numbered steps (step 1 is version 1).

    A step is run once per store, in a transaction with its version; a new
    version appends a step (``ALTER TABLE ...``), never edits an old one. A
    step SQLite and PostgreSQL cannot share (a full-text index) is a dict
    ``{"sqlite": ..., "postgresql": ...}``; a step that must read the store
    (copy columns into a new table, then drop them) is a function given the
    :class:`Store`, which writes with ``store.db.execute`` only (no script:
    SQLite's ``executescript`` would commit the step's transaction half done)."""
    if not re.fullmatch(r"[a-z][a-z0-9_]*", component):
        raise ValueError(f"schema component {component!r}: use lowercase letters, digits and _")
    _SCHEMA_STEPS[component] = steps


def with_rowid(schema: str, *tables: str) -> dict[str, str]:
    """A schema step whose ``tables`` are read in insertion order by ``rowid``,
    which SQLite keeps by itself and PostgreSQL gets as an identity column."""
    added = "".join(f"\nALTER TABLE {table} ADD COLUMN IF NOT EXISTS rowid BIGINT GENERATED BY DEFAULT AS IDENTITY;"
                    for table in tables)
    return {"sqlite": schema, "postgresql": schema + added}


def registered_schemas() -> dict[str, int]:
    """Each registered component and the version its steps reach."""
    return {component: len(steps) for component, steps in sorted(_SCHEMA_STEPS.items())}


# Step 2: one row per change (a subscriber's changed columns together as
# JSON), not one per changed column: an import of 100,000 new subscribers
# writes 100,000 rows, not 930,000. The log is read by subscriber (forget);
# the export, the only reader by time, is an occasional command that reads it all.
CONSENT_LOG_PER_CHANGE = """
CREATE TABLE consent_log_per_change (
    id INTEGER PRIMARY KEY,
    subscriber_id TEXT NOT NULL,
    changed_at TEXT NOT NULL,         -- Asia/Seoul with its offset
    source TEXT NOT NULL,             -- csv-import, unsubscribe-link, sms-optout, signup, preferences...
    changes TEXT NOT NULL             -- JSON: {"column": ["old", "new"], ...}, in LOGGED_COLUMNS order
)"""
CONSENT_LOG_COLUMNS = {  # the log one row per changed column, in order (ORDER BY id, position)
    "sqlite": "CREATE VIEW consent_log_columns AS SELECT log.id, log.subscriber_id, log.changed_at, log.source, "
              "change.key AS field, json_extract(change.value, '$[0]') AS old_value, "
              "json_extract(change.value, '$[1]') AS new_value, "
              "change.id AS position FROM consent_log AS log, json_each(log.changes) AS change",
    "postgresql": "CREATE VIEW consent_log_columns AS SELECT log.id, log.subscriber_id, log.changed_at, log.source, "
                  "change.key AS field, change.value ->> 0 AS old_value, change.value ->> 1 AS new_value, "
                  "change.position FROM consent_log AS log, "
                  "json_each(log.changes::json) WITH ORDINALITY AS change(key, value, position)",
}
_MOVED_AT_ONCE = 2000  # old rows grouped, then written, at a time


def _consent_log_per_change(store: "Store") -> None:
    """Schema step 2: the log's rows of one column each become rows of one
    change each: a subscriber's rows of one time and source, in order, are
    one change (a column that comes again starts the next one), kept at the
    place (id) of its first row, so the log's order stays."""
    create = CONSENT_LOG_PER_CHANGE if store.backend == "sqlite" else postgresql_ddl(CONSENT_LOG_PER_CHANGE)
    store.db.execute(create)
    sql = ("SELECT id, subscriber_id, changed_at, source, field, old_value, new_value FROM consent_log "
           "ORDER BY subscriber_id, changed_at, source, id")
    rows = store.db.stream(sql) if store.backend == "postgresql" else store.db.execute(sql)
    changes = _grouped_changes(rows)
    while batch := list(itertools.islice(changes, _MOVED_AT_ONCE)):
        store.db.executemany("INSERT INTO consent_log_per_change (id, subscriber_id, changed_at, source, changes) "
                             "VALUES (?, ?, ?, ?, ?)", batch)
    store.db.execute("DROP TABLE consent_log")
    store.db.execute("ALTER TABLE consent_log_per_change RENAME TO consent_log")
    if store.backend == "postgresql":  # the identity goes on after the ids written
        store.db.execute("SELECT setval(pg_get_serial_sequence('consent_log', 'id'), "
                         "coalesce((SELECT max(id) FROM consent_log), 0) + 1, false)")
    store.db.execute("CREATE INDEX consent_log_by_subscriber ON consent_log (subscriber_id)")
    store.db.execute(CONSENT_LOG_COLUMNS[store.backend])


def _grouped_changes(rows: Iterable) -> Iterator[tuple]:
    """(id, subscriber_id, changed_at, source, changes JSON) of the one-column
    ``rows`` (id, subscriber_id, changed_at, source, field, old, new), read
    by subscriber, time, source and id."""
    first, changes = None, {}
    for row in rows:
        key = tuple(row[1:4])
        if first is None or key != tuple(first[1:4]) or row[4] in changes:
            if first is not None:
                yield (first[0], *first[1:4], _as_json(changes))
            first, changes = row, {}
        changes[row[4]] = [row[5], row[6]]
    if first is not None:
        yield (first[0], *first[1:4], _as_json(changes))


# Step 3 (issue #16): the log without its index by subscriber. Each change
# (an unsubscribe) wrote a page of that index at a random place besides the
# log's last page; its readers by subscriber (forget, the retention purge) are
# occasional commands that read the log through once each instead.
CONSENT_LOG_UNINDEXED = "DROP INDEX IF EXISTS consent_log_by_subscriber;"
register_schema("core", CORE_SCHEMA, _consent_log_per_change, CONSENT_LOG_UNINDEXED)


_WRITER_LOGS = "sotong.consent_written"  # PostgreSQL: 'on' while put_staged_subscribers writes the log itself


_TRIGGER_LAYOUT = "one row per change, groups included"  # in the trigger function's text: an older one is replaced


def _postgresql_consent_trigger() -> str:
    """The same log on PostgreSQL: one trigger function; the source is the
    session's ``sotong.change_source`` (set by :meth:`Store.changes_from`).
    The changed columns' ``"column":["old","new"]`` pieces, in LOGGED_COLUMNS
    order, are joined into the row's JSON object."""
    def piece(column: str, old: str, condition: str) -> str:
        return (f"IF {condition} THEN pieces := pieces || ('\"{column}\":' || "
                f"json_build_array({old}, NEW.{column}::text)::text); END IF;")

    inserted = " ".join(piece(c, "NULL::text", f"NEW.{c} IS NOT NULL AND NEW.{c}::text <> ''") for c in LOGGED_COLUMNS)
    updated = " ".join(piece(c, f"OLD.{c}::text", f"OLD.{c} IS DISTINCT FROM NEW.{c}") for c in LOGGED_COLUMNS)
    return f"""
CREATE OR REPLACE FUNCTION sotong_consent_log() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    source text := coalesce(nullif(current_setting('sotong.change_source', true), ''), '{DEFAULT_SOURCE}');
    changed text := to_char(now() AT TIME ZONE 'Asia/Seoul', 'YYYY-MM-DD"T"HH24:MI:SS') || '+09:00';
    pieces text[] := '{{}}';
BEGIN
    -- the consent log, {_TRIGGER_LAYOUT}
    IF current_setting('{_WRITER_LOGS}', true) = 'on' THEN RETURN NULL; END IF;
    IF TG_OP = 'INSERT' THEN {inserted} ELSE {updated} END IF;
    IF cardinality(pieces) > 0 THEN
        INSERT INTO consent_log (subscriber_id, changed_at, source, changes)
            VALUES (NEW.id, changed, source, '{{' || array_to_string(pieces, ',') || '}}');
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER consent_log AFTER INSERT OR UPDATE ON subscribers
    FOR EACH ROW EXECUTE FUNCTION sotong_consent_log();
"""


@dataclass(frozen=True)
class Subscriber:
    """One row of the store. ``fields`` and ``channels`` are frozensets of keys."""

    id: str
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    birth_year: int | None = None
    gender: str | None = None
    dong: str | None = None
    fields: frozenset = frozenset()
    channels: frozenset = frozenset()
    kind: str = "person"
    business_type: str | None = None
    subscribed_at: str | None = None
    unsubscribed_at: str | None = None
    sms_unsubscribed_at: str | None = None
    groups: frozenset = frozenset()  # SPEC §16: keys of audiences.yaml's groups

    @property
    def subscribed(self) -> bool:
        return self.unsubscribed_at is None

    @property
    def profile(self) -> Profile:
        from .audiences import Profile

        return Profile(
            birth_year=self.birth_year, gender=self.gender, dong=self.dong, kind=self.kind,
            business_type=self.business_type, fields=self.fields, subscribed=self.subscribed,
            groups=self.groups,
        )

    def reachable_by(self, channel: str) -> bool:
        """Subscribed, chose ``channel``, and has an address for it (a plugin
        may know more: ``signals.reach_marks``)."""
        if not self.subscribed or channel not in self.channels:
            return False
        if channel == "email":
            return bool(self.email)
        if channel == "sms":
            return bool(self.phone) and self.sms_unsubscribed_at is None
        return False


_STORED = ", ".join(STORED_COLUMNS)


def _split(value: str | None) -> frozenset:
    return frozenset(v for v in (value or "").split(";") if v)


def join_keys(values: Iterable[str]) -> str:
    return ";".join(sorted(values))


def subscriber_from_row(row) -> Subscriber:
    """The Subscriber of a row holding STORED_COLUMNS (by name)."""
    data = dict(row)
    data["fields"] = _split(data["fields"])
    data["channels"] = _split(data["channels"])
    data["groups"] = _split(data["groups"])
    return Subscriber(**data)


class Store:
    """A connection to the store, with the queries every feature shares.

    ``db`` answers ``execute(sql, params)`` and ``executescript(sql)`` the way
    :mod:`sqlite3` does, rows read by position or by column name, on both
    backends; ``backend`` is ``"sqlite"`` or ``"postgresql"``."""

    def __init__(self, connection, path: str, backend: str = "sqlite", name: StoreName = SOTONG_DB):
        self.db = connection
        self.path = path
        self.backend = backend
        self.name = name  # as its messages name it
        self.change_source = DEFAULT_SOURCE
        self._logs_made_apart: dict[str, _LogMadeApart] = {}  # staged table -> its log's JSON (staged_from)
        self._all_or_nothing = False  # inside all_or_nothing: each transaction a savepoint of its one

    @contextlib.contextmanager
    def changes_from(self, source: str):
        """``with store.changes_from("sms-optout"):`` — the consent log names
        ``source`` for the changes written inside."""
        before = self.change_source
        self._name_change_source(source)
        try:
            yield self
        finally:
            self._name_change_source(before)

    @contextlib.contextmanager
    def snapshot(self):
        """``with store.snapshot():`` the reads inside see the store as it was
        at the first of them, whatever other connections write meanwhile
        (SQLite: one read transaction of its write-ahead log; PostgreSQL:
        REPEATABLE READ, read only)."""
        begin = "BEGIN" if self.backend == "sqlite" else "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
        with _Transaction(self.db, begin):
            yield self

    def _name_change_source(self, source: str) -> None:
        self.change_source = source
        if self.backend == "postgresql":  # read by the trigger, for this session, set before the next statement
            self.db.change_source = source

    def consent_changes(self, since: str) -> Iterator[sqlite3.Row]:
        """The consent log from Seoul day ``since`` (``YYYY-MM-DD``) on, oldest
        first, one row per changed column (subscriber_id, changed_at, source,
        field, old_value, new_value)."""
        return self.db.execute("SELECT subscriber_id, changed_at, source, field, old_value, new_value "
                               "FROM consent_log_columns WHERE changed_at >= ? ORDER BY id, position", (since,))

    def consent_change_count(self, since: str) -> int:
        """How many rows :meth:`consent_changes` gives for ``since`` (its progress bar's total)."""
        return self.db.execute("SELECT COUNT(*) FROM consent_log_columns WHERE changed_at >= ?", (since,)).fetchone()[0]

    @classmethod
    def open(cls, location: str | Path, name: StoreName = SOTONG_DB) -> "Store":
        """The store at ``SOTONG_DB`` (or another a command names, its
        messages saying ``name``): a ``postgresql://`` URL or a file path;
        its core tables made or brought up to date (:meth:`make_core`)."""
        store = cls.connect(location, name)
        store.make_core()
        return store

    @classmethod
    def connect(cls, location: str | Path, name: StoreName = SOTONG_DB) -> "Store":
        """The store at ``location`` connected, nothing made or changed in it
        yet: what is there can be read as it was found (``sotong db copy``'s
        target, found empty before :meth:`make_core` upgrades anything)."""
        if is_database_url(location):
            return cls(_PostgresConnection.connect(str(location), name), str(location), "postgresql", name)
        with _sqlite_trouble_said(location, name):
            return cls(_sqlite_connection(Path(location), name), str(location), name=name)

    def make_core(self) -> None:
        """Core's tables made, or brought to this Sotong's version, with the
        consent log's trigger (SQLite's file in WAL mode first, unless
        :meth:`all_or_nothing` holds it: no transaction can change that, it
        does once it committed)."""
        if self.backend == "postgresql":
            with self.transaction(), self.locked("schema_versions"):  # two CREATE TABLEs at once would clash
                self.ensure_schema(SCHEMA_VERSIONS)
        else:
            with _sqlite_trouble_said(self.path, self.name):
                if not self._all_or_nothing:
                    self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute(SCHEMA_VERSIONS)  # one statement: executescript would commit an open transaction
        self.upgrade("core")
        self._add_missing_columns()
        if self.backend == "sqlite":
            self.db.create_function("sotong_change_source", 0, lambda: self.change_source)
            self._consent_triggers_on()
        else:
            with self.transaction(), self.locked("consent_log"):
                if not self.db.execute("SELECT 1 FROM pg_trigger JOIN pg_proc ON pg_proc.oid = tgfoid WHERE "
                                       "tgname = 'consent_log' AND prosrc LIKE ?", (f"%{_TRIGGER_LAYOUT}%",)).fetchone():
                    self.db.executescript(_postgresql_consent_trigger())  # new, or of the log's older layout

    @contextlib.contextmanager
    def locked(self, name: str):
        """Inside a transaction: hold the lock ``name`` until it ends (other
        processes asking for it wait); on SQLite, BEGIN IMMEDIATE holds the file's."""
        if self.backend == "postgresql":
            self.db.execute("SELECT pg_advisory_xact_lock(hashtext(?))", (name,))
        yield

    def _add_missing_columns(self) -> None:
        if self.backend != "sqlite":
            return  # no PostgreSQL store predates these columns
        if {name for name, _kind in ADDED_COLUMNS} <= set(self.columns("subscribers")):
            return
        with self.transaction():  # read again once the file is ours: another process may have added them meanwhile
            present = set(self.columns("subscribers"))
            for name, kind in ADDED_COLUMNS:
                if name not in present:
                    self.db.execute(f"ALTER TABLE subscribers ADD COLUMN {name} {kind}")

    def close(self) -> None:
        self.db.close()

    def tables(self) -> list[str]:
        """The names of the store's tables (core's and every plugin's)."""
        if self.backend == "sqlite":
            sql = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        else:
            sql = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
        return [row[0] for row in self.db.execute(sql)]

    def columns(self, table: str) -> list[str]:
        """The column names of ``table``, in order."""
        if self.backend == "sqlite":
            return [row["name"] for row in self.db.execute(f'PRAGMA table_info("{table}")')]
        return [row[0] for row in self.db.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = ? ORDER BY ordinal_position", (table,))]

    def one_of(self, column: str, values: Iterable) -> tuple[str, tuple]:
        """SQL saying ``column`` is one of ``values``, and its parameters, for
        ``WHERE``: one array on PostgreSQL (``= ANY(?)``: psycopg parsed a list
        of a thousand placeholders anew for every chunk), an ``IN`` list of
        placeholders on SQLite (at most 32766 of them in one statement)."""
        values = list(values)
        if self.backend == "postgresql":
            return f"{column} = ANY(?)", (values,)
        return f"{column} IN ({', '.join('?' * len(values))})", tuple(values)

    def ensure_schema(self, sql: str) -> None:
        """Create tables and indexes if missing (``CREATE ... IF NOT EXISTS``)."""
        self.db.executescript(sql)

    def transaction(self):
        """``with store.transaction():`` — BEGIN (IMMEDIATE on SQLite) ... COMMIT/ROLLBACK;
        inside :meth:`all_or_nothing`, a savepoint of its transaction."""
        if self._all_or_nothing:
            return _Transaction(self.db, f"SAVEPOINT {_SAVEPOINT}", f"RELEASE SAVEPOINT {_SAVEPOINT}",
                                (f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}", f"RELEASE SAVEPOINT {_SAVEPOINT}"))
        return _Transaction(self.db, self._begin)

    @contextlib.contextmanager
    def all_or_nothing(self):
        """``with store.all_or_nothing():`` what is written inside, core's and
        the plugins' upgrades included (:meth:`make_core`, :meth:`upgrade`),
        committed together at its end, or not at all: a store that fails
        or is stopped halfway (even killed) is left as it was found, its
        tables at their versions. The transactions opened inside are
        savepoints of its one (SQLite's and PostgreSQL's DDL is transactional).
        SQLite's file is put in WAL mode once it committed (no transaction can change it)."""
        with self.transaction():
            self._all_or_nothing = True
            try:
                yield self
            finally:
                self._all_or_nothing = False
        if self.backend == "sqlite":
            self.db.execute("PRAGMA journal_mode=WAL").fetchall()

    @property
    def _begin(self) -> str:
        return "BEGIN IMMEDIATE" if self.backend == "sqlite" else "BEGIN"

    def schema_version(self, component: str) -> int:
        """The version of ``component``'s tables in this store (0: none yet)."""
        row = self.db.execute("SELECT version FROM schema_versions WHERE component = ?", (component,)).fetchone()
        return row[0] if row else 0

    def upgrade(self, component: str | None = None) -> dict[str, tuple[int, int]]:
        """Apply the registered steps this store lacks (all components, or one).

        Returns ``{component: (version before, version after)}``. Each step
        and its new version are committed together, so an interrupted upgrade
        resumes at the step that failed. A store at a version this code does
        not know (a newer Sotong's) is refused, untouched."""
        names = [component] if component else sorted(_SCHEMA_STEPS)
        befores = {name: self.schema_version(name) for name in names}
        newer = [(name, before, len(_SCHEMA_STEPS[name])) for name, before in befores.items()
                 if before > len(_SCHEMA_STEPS[name])]  # this code's steps and writes may undo what newer ones made
        if newer:
            raise SotongError([self.name.said(_("{subject}: the store's tables of {component} are at version {version}, newer than this Sotong knows (version {known}): a newer Sotong upgraded it; run that Sotong (or a newer one) on this store, not this one"),
                component=name, version=before, known=known) for name, before, known in newer])
        for name, before in befores.items():
            steps = _SCHEMA_STEPS[name]
            for number in range(before + 1, len(steps) + 1):
                self._apply_step(name, number, steps[number - 1])
        return {name: (before, max(before, len(_SCHEMA_STEPS[name]))) for name, before in befores.items()}

    def _apply_step(self, component: str, number: int, step: SchemaStep) -> None:
        if isinstance(step, dict):
            step = step[self.backend]
        record = (f"INSERT INTO schema_versions (component, version) VALUES ('{component}', {number}) "
                  f"ON CONFLICT (component) DO UPDATE SET version = excluded.version;")
        # Several processes may start at once: one applies the step, the others wait for it (SQLite's
        # BEGIN IMMEDIATE, PostgreSQL's lock), then find it applied; the version read before waiting would
        # apply it again (ALTER TABLE ... ADD COLUMN failed), and record the older version over the newer.
        with self.transaction(), self.locked(component):
            if self.schema_version(component) < number:
                step(self) if callable(step) else self._run_script(step)
                self.db.execute(record)

    def _run_script(self, script: str) -> None:
        """A schema script, in the transaction open (SQLite's ``executescript`` would commit it first)."""
        if self.backend == "postgresql":
            self.db.executescript(script)
            return
        statement = ""
        for piece in script.split(";"):  # a ; inside a literal, a comment or a trigger's body ends none
            statement += piece + ";"
            if sqlite3.complete_statement(statement):
                self.db.execute(statement)
                statement = ""
        if statement:  # unfinished (a quote or a trigger left open): SQLite says what
            self.db.execute(statement)

    # --- subscribers -------------------------------------------------------

    def subscriber(self, subscriber_id: str) -> Subscriber | None:
        row = self.db.execute(f"SELECT {_STORED} FROM subscribers WHERE id = ?", (subscriber_id,)).fetchone()
        return subscriber_from_row(row) if row else None

    def subscribers(self, only_subscribed: bool = False, start: str | None = None,
                    stop: str | None = None) -> Iterator[Subscriber]:
        """Subscribers in id order; with ``start``/``stop`` those with
        ``start <= id < stop`` (a range of :meth:`id_boundaries`)."""
        conditions, params = ["unsubscribed_at IS NULL"] if only_subscribed else [], []
        for condition, value in (("id >= ?", start), ("id < ?", stop)):
            if value is not None:
                conditions.append(condition)
                params.append(value)
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        sql = f"SELECT {_STORED} FROM subscribers{where} ORDER BY id"
        # SQLite's cursor steps through the rows; psycopg's would fetch them all first
        rows = self.db.stream(sql, params) if self.backend == "postgresql" else self.db.execute(sql, params)
        for row in rows:
            yield subscriber_from_row(row)

    def id_boundaries(self, parts: int) -> list[str | None]:
        """Ids that cut the subscribers, in id order, into ``parts`` ranges of
        about equal size: ``[None, b1, ..., None]``, range k is
        ``boundaries[k] <= id < boundaries[k + 1]`` (None: open)."""
        total = self.count_subscribers()
        cuts = sorted({total * k // parts for k in range(1, parts)} - {0, total})
        inner = [self.db.execute("SELECT id FROM subscribers ORDER BY id LIMIT 1 OFFSET ?", (cut,)).fetchone()[0]
                 for cut in cuts]
        return [None, *inner, None]

    def count_subscribers(self) -> int:
        return self.db.execute("SELECT count(*) FROM subscribers").fetchone()[0]

    def put_subscriber(self, subscriber: Subscriber) -> None:
        """Insert or replace one subscriber (callers handle the import rules)."""
        data = subscriber.__dict__.copy()
        data["fields"] = join_keys(subscriber.fields)
        data["channels"] = join_keys(subscriber.channels)
        data["groups"] = join_keys(subscriber.groups)
        self.db.execute(_subscriber_upsert(tuple(data)), tuple(data.values()))

    def stage_subscriber_rows(self, columns: tuple[str, ...], rows: Iterable[tuple]) -> None:
        """PostgreSQL, inside a transaction: ``rows`` (the values of
        ``columns``, ``id`` first, each id once) into the TEMP table
        STAGED_SUBSCRIBERS, made here with the subscribers' column types, read
        back in ``rowid`` order (dropped by the caller). SQLite attaches the
        scratch files instead (:meth:`staged_from`)."""
        names = ", ".join(columns)
        self.db.execute(f"CREATE TEMP TABLE {STAGED_SUBSCRIBERS} AS SELECT {names} FROM subscribers "
                        "WITH NO DATA")
        self.db.execute(f"ALTER TABLE {STAGED_SUBSCRIBERS} ADD COLUMN rowid BIGINT GENERATED BY DEFAULT AS IDENTITY "
                        "PRIMARY KEY")
        rows = iter(rows)  # in parts: psycopg's executemany holds its rows
        while part := list(itertools.islice(rows, _STAGED_AT_ONCE)):
            self.db.executemany(f"INSERT INTO {STAGED_SUBSCRIBERS} ({names}) VALUES "
                                f"({', '.join('?' * len(columns))})", part)

    def put_staged_subscribers(self, columns: tuple[str, ...], tables: Iterable[str] = (STAGED_SUBSCRIBERS,),
                               ) -> "StagedCounts":
        """Inside a transaction: write the rows staged in ``tables`` (in order,
        each id in one of them at most) over the subscribers by SQL, set by
        set: the staged rows equal to the stored ones in ``columns`` are left
        out (deleted from their table); the consent log gets, in the staged
        order, the rows its triggers would write (:func:`_staged_changes`, the
        triggers off meanwhile); then the table's upsert (no id is in two
        tables: one's upsert changes nothing the next one's log compares)."""
        tables, counts = list(tables), StagedCounts(0, 0, 0)
        first = not self.has_subscribers()  # a first import: every row is new (no join to ask)
        with self.writer_logs():
            for table in tables:
                counts = counts + self._staged_counts(columns, table, first)
                made_apart = self._logs_made_apart.get(table)
                self.db.execute(_staged_changes(self.backend, columns, table, made_apart and made_apart.wait()),
                                (now_iso(), self.change_source))
                self.db.execute(f"INSERT INTO subscribers ({', '.join(columns)}) SELECT {', '.join(columns)} "
                                f"FROM {table} WHERE true ORDER BY rowid ON CONFLICT(id) DO UPDATE SET "
                                f"{_updated_columns(columns)}")
        return counts

    def _staged_counts(self, columns: tuple[str, ...], table: str, first: bool) -> "StagedCounts":
        """The rows staged in ``table`` that are new, changed and unchanged;
        the unchanged ones deleted from it. ``first``: nothing is stored."""
        if first:
            return StagedCounts(added=self.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0], updated=0,
                                unchanged=0)
        unchanged = self.db.execute(
            f"DELETE FROM {table} WHERE rowid IN (SELECT staged.rowid FROM {table} AS staged "
            f"JOIN subscribers AS stored ON stored.id = staged.id WHERE NOT ({_differs(self.backend, columns[1:])}))"
        ).rowcount
        total, updated = self.db.execute(f"SELECT count(*), count(stored.id) FROM {table} AS staged "
                                         "LEFT JOIN subscribers AS stored ON stored.id = staged.id").fetchone()
        return StagedCounts(added=total - updated, updated=updated, unchanged=unchanged)

    def shared_contacts(self, column: str) -> list[tuple[str, ...]]:
        """The subscribed ids that hold the same ``column`` value (``email``,
        compared without case, or ``phone``): a family, or one person entered
        twice. Each group's ids in order, the groups by their first id."""
        value = {"email": "lower(email)", "phone": "phone"}[column]
        rows = self.db.execute(
            f"SELECT {value}, id FROM subscribers WHERE unsubscribed_at IS NULL AND {value} IN ("
            f"SELECT {value} FROM subscribers WHERE unsubscribed_at IS NULL AND {column} IS NOT NULL "
            f"GROUP BY {value} HAVING COUNT(*) > 1) ORDER BY id").fetchall()
        groups: dict[str, list[str]] = {}
        for shared, subscriber_id in rows:
            groups.setdefault(shared, []).append(subscriber_id)
        return [tuple(ids) for ids in groups.values()]

    def has_subscribers(self) -> bool:
        """Whether the store holds any subscriber."""
        return self.db.execute("SELECT EXISTS (SELECT 1 FROM subscribers)").fetchone()[0] in (1, True)

    @contextlib.contextmanager
    def staged_from(self, paths: list[Path]) -> Iterator[list[str]]:
        """``with store.staged_from(paths) as tables:`` a transaction in which
        the rows of the scratch SQLite files ``paths`` (their tables
        SCRATCH_STAGED, :func:`scratch_staging_table`) are staging tables
        for :meth:`put_staged_subscribers`, in order. SQLite attaches the
        files (before the transaction: SQLite attaches none inside one);
        PostgreSQL copies their rows into STAGED_SUBSCRIBERS."""
        if self.backend == "postgresql":
            with self.transaction():
                self.stage_subscriber_rows(SUBSCRIBER_COLUMNS, _scratch_rows(paths))
                yield [STAGED_SUBSCRIBERS]
                self.db.execute(f"DROP TABLE {STAGED_SUBSCRIBERS}")
            return
        schemas = [f"scratch{number}" for number in range(len(paths))]
        # the log's JSON of the parts but the first (built by this connection meanwhile) made apart
        made_apart = {schema: log for schema, path in zip(schemas[1:], paths[1:])
                      if (log := _LogMadeApart.prepared(path, f"{schema}_log.{SCRATCH_LOGGED}"))}
        with self._written_once():
            try:
                for schema, path in zip(schemas, paths):
                    self.db.execute(f"ATTACH ? AS {schema}", (str(path),))
                    self.db.execute(f"PRAGMA {schema}.journal_mode = OFF")  # thrown away afterwards
                    self.db.execute(f"PRAGMA {schema}.synchronous = OFF")
                for schema, log in made_apart.items():
                    self.db.execute(f"ATTACH ? AS {schema}_log", (str(log.path),))
                    self._logs_made_apart[f"{schema}.{SCRATCH_STAGED}"] = log
                _LogMadeApart.start(list(made_apart.values()))
                # BEGIN IMMEDIATE would also lock every attached file, the JSON's files too,
                # which the forked processes write meanwhile: the store's write lock alone, at once
                with _Transaction(self.db, "BEGIN"):
                    self.db.execute("DELETE FROM subscribers WHERE false")
                    yield [f"{schema}.{SCRATCH_STAGED}" for schema in schemas]
            finally:
                for log in made_apart.values():
                    log.wait()  # before its files are detached (and deleted)
                self._logs_made_apart.clear()
                for schema in schemas + [f"{schema}_log" for schema in made_apart]:
                    with contextlib.suppress(sqlite3.OperationalError):  # one not attached
                        self.db.execute(f"DETACH {schema}")

    @contextlib.contextmanager
    def _written_once(self):
        """SQLite, around a large transaction (an import's): when no other
        connection has the store open, it leaves WAL mode meanwhile, so that
        its pages are written into the store's file once (WAL writes them
        into the -wal file, then again into the store at the checkpoint that
        follows the commit: 48 MB twice for 100,000 new subscribers). It is
        as durable as that checkpoint made it: the rollback journal and the
        store synced, and the folder once the journal is deleted (synchronous
        EXTRA). A connection opened meanwhile waits for the lock, as a
        writer waits in WAL mode; when one is open, nothing changes."""
        # (each pragma's answer read to its end: an answer left unread keeps a read open, which a
        # checkpoint would wait for)
        self.db.execute("PRAGMA busy_timeout = 0").fetchall()  # another connection: known at once, not in 30 s
        try:
            alone = self.db.execute("PRAGMA journal_mode = DELETE").fetchall()[0][0] == "delete"
        except sqlite3.OperationalError as exc:
            if not held_by_another(exc):
                raise
            alone = False
        finally:
            self.db.execute(f"PRAGMA busy_timeout = {SQLITE_WAITS_MS}").fetchall()
        if not alone:
            yield
            return
        self.db.execute("PRAGMA synchronous = EXTRA")
        try:
            yield
        finally:
            self.db.execute("PRAGMA synchronous = NORMAL")
            try:
                self.db.execute("PRAGMA journal_mode = WAL").fetchall()
                # a first read opens the WAL (a checkpoint asked before it would be refused as locked)
                self.db.execute("SELECT count(*) FROM sqlite_master").fetchall()
            except sqlite3.OperationalError:  # held past SQLITE_WAITS_MS, a full disk: each connection opened sets it
                pass

    @contextlib.contextmanager
    def writer_logs(self):
        """Inside a transaction: the consent log's triggers are off for this
        connection (SQLite's are its own TEMP triggers; PostgreSQL's function
        returns at once while ``_WRITER_LOGS`` is on, for this transaction)."""
        if self.backend == "postgresql":
            self.db.execute(f"SELECT set_config('{_WRITER_LOGS}', 'on', true)")
            yield  # an error rolls the transaction back, and the setting with it
            self.db.execute(f"SELECT set_config('{_WRITER_LOGS}', '', true)")
            return
        self.db.execute("DROP TRIGGER temp.consent_on_insert")
        self.db.execute("DROP TRIGGER temp.consent_on_update")
        yield  # an error rolls the transaction back, the DROPs with it (SQLite's TEMP schema is transactional too)
        self._consent_triggers_on()

    def _consent_triggers_on(self) -> None:
        """SQLite: this connection's consent-log triggers (one statement each:
        ``executescript`` would commit an open transaction)."""
        for trigger in _consent_triggers():
            self.db.execute(trigger)

    def unsubscribe(self, subscriber_id: str, when: str | None = None) -> bool:
        """Unsubscribe from everything; False when already unsubscribed or unknown."""
        return bool(self.unsubscribe_all([subscriber_id], when))

    def unsubscribe_all(self, subscriber_ids: list[str], when: str | None = None) -> set[str]:
        """Unsubscribe each of ``subscriber_ids`` from everything, in one
        statement (one transaction); the ids it changed (not those already
        unsubscribed or unknown)."""
        if not subscriber_ids:
            return set()
        condition, ids = self.one_of("id", subscriber_ids)
        cursor = self.db.execute(f"UPDATE subscribers SET unsubscribed_at = ? WHERE {condition} AND unsubscribed_at IS NULL "
                                 "RETURNING id", (when or now_iso(), *ids))
        return {row[0] for row in cursor.fetchall()}

    @contextlib.contextmanager
    def erasing(self, tables: Iterable[str]):
        """``with store.erasing(tables):`` around the transactions that erase
        people's data (forget, the retention purges), so that it leaves the
        files too. SQLite: the rows deleted or changed inside are overwritten
        with zeros (``secure_delete``), and afterwards the write-ahead log,
        which still holds the pages as they were, is emptied (unless a reader
        such as the collector holds it: then SQLite overwrites it in its
        normal course). PostgreSQL: a deleted or changed row stays in its
        table as a dead version until a vacuum (autovacuum waits for a fifth
        of the table to change), so ``tables`` are vacuumed afterwards
        (:meth:`_vacuum_the_dead`)."""
        if self.backend == "postgresql":
            yield
            for table in tables:
                self._vacuum_the_dead(table)
            return
        before = self.db.execute("PRAGMA secure_delete").fetchone()[0]
        self.db.execute("PRAGMA secure_delete = ON")
        try:
            yield
        finally:
            self.db.execute(f"PRAGMA secure_delete = {int(before)}")
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()

    def _vacuum_the_dead(self, table: str, tries: int = VACUUM_TRIES) -> None:
        """PostgreSQL: vacuum ``table`` until it holds no dead row version,
        trying again a moment later while one is left (at most ``tries``
        times). A vacuum leaves what a transaction begun before the erase
        may still read (the collector's, a backup's), and a page another
        process holds at that instant (autovacuum's analyze): both pass in
        moments. The count is the vacuum's own (pg_stat_all_tables). If a
        transaction holds them longer, the operator is told which table to
        vacuum once it ends."""
        for attempt in range(tries):
            if attempt:
                time.sleep(VACUUM_PAUSE * 2 ** (attempt - 1))
            self.db.execute(f'VACUUM "{table}"')
            if not self.db.execute("SELECT n_dead_tup FROM pg_stat_all_tables WHERE relid = ?::regclass",
                                   (f'"{table}"',)).fetchone()[0]:
                return
        log.warning(_("the erased rows are still in the pages of the table %s: another connection's transaction (a backup, "
                      "a long query) still reads them. A later vacuum clears them; to clear them now, end that "
                      "transaction and run VACUUM %s on the database"), table, table)

    def keep_in_consent_log(self, subscriber_ids: list[str], columns: tuple[str, ...]) -> int:
        """Inside a transaction: the consent log of ``subscriber_ids`` keeps
        only the changes of ``columns`` (a retention purge keeps the
        unsubscribe time): a change of other columns only is deleted, one of
        both keeps those; the changed columns taken out. The log is read
        through once per call (it has no index by subscriber): name every
        subscriber in one call, not in chunks."""
        taken_out, emptied, trimmed = 0, [], []
        for log_id, changes in self.db.execute(_LOG_OF_SUBSCRIBERS[self.backend], (json.dumps(subscriber_ids),)).fetchall():
            changed = json.loads(changes)
            kept = {column: values for column, values in changed.items() if column in columns}
            taken_out += len(changed) - len(kept)
            if not kept:
                emptied.append((log_id,))
            elif len(kept) < len(changed):
                trimmed.append((_as_json(kept), log_id))
        self.db.executemany("DELETE FROM consent_log WHERE id = ?", emptied)
        self.db.executemany("UPDATE consent_log SET changes = ? WHERE id = ?", trimmed)
        return taken_out


# The log's rows of the subscribers in a JSON list, read through once (it has no index by subscriber).
_LOG_OF_SUBSCRIBERS = {
    "sqlite": "SELECT id, changes FROM consent_log WHERE subscriber_id IN (SELECT value FROM json_each(?))",
    "postgresql": "SELECT id, changes FROM consent_log WHERE subscriber_id IN (SELECT json_array_elements_text(?::json))",
}


def _subscriber_upsert(columns: tuple[str, ...]) -> str:
    """Insert or update by id. An upsert, not INSERT OR REPLACE: a replace deletes
    the row first, which would cascade to the records plugins keep about the subscriber."""
    return (f"INSERT INTO subscribers ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
            f"ON CONFLICT(id) DO UPDATE SET {_updated_columns(columns)}")


def _updated_columns(columns: tuple[str, ...]) -> str:
    return ", ".join(f"{column} = excluded.{column}" for column in columns[1:])




@dataclass(frozen=True)
class StagedCounts:
    """What writing the staged rows did: new subscribers, changed ones, and rows equal to the stored ones."""

    added: int
    updated: int
    unchanged: int

    def __add__(self, other: "StagedCounts") -> "StagedCounts":
        return StagedCounts(self.added + other.added, self.updated + other.updated, self.unchanged + other.unchanged)


def _differs(backend: str, columns: Iterable[str]) -> str:
    """SQL: some of ``columns`` differ between the rows ``stored`` and ``staged`` (NULL is a value)."""
    distinct = "IS NOT" if backend == "sqlite" else "IS DISTINCT FROM"
    return " OR ".join(f"stored.{column} {distinct} staged.{column}" for column in columns) or "false"


def _staged_changes(backend: str, columns: tuple[str, ...], table: str = STAGED_SUBSCRIBERS,
                    made_apart: str | None = None) -> str:
    """SQL (parameters: the time, the source): the consent log's rows for
    the rows staged in ``table``, in their order, as the triggers write
    them: the JSON object of each LOGGED_COLUMNS among ``columns`` that
    changed (a new subscriber's values that are not empty), values as text,
    its pieces joined in C; no row where nothing logged changed. (Which rows
    is asked apart: SQLite would build the JSON again for a condition on it.)
    ``made_apart``: a table of the JSON of the staged rows were they new,
    by rowid (:class:`_LogMadeApart`), used where it has the row."""
    logged = [column for column in LOGGED_COLUMNS if column in columns]
    added, joined = _added_changes(backend, logged, "staged."), ""
    if made_apart is not None:
        added = f"coalesce(apart.changes, {added})"
        joined = f"LEFT JOIN {made_apart} AS apart ON apart.staged = staged.rowid "
    filled = " OR ".join(f"CAST(staged.{c} AS TEXT) <> ''" for c in logged) or "false"
    changed = " || ".join(f"CASE WHEN {_differs(backend, [c])} THEN ',\"{c}\":' || "
                          f"{_json_pair(backend, f'CAST(stored.{c} AS TEXT)', f'staged.{c}')} ELSE '' END"
                          for c in logged) or "''"
    return (f"INSERT INTO consent_log (subscriber_id, changed_at, source, changes) "
            f"SELECT staged.id, ?, ?, CASE WHEN stored.id IS NULL THEN {added} "
            f"ELSE '{{' || substr({changed}, 2) || '}}' END "
            f"FROM {table} AS staged LEFT JOIN subscribers AS stored ON stored.id = staged.id {joined}"
            f"WHERE CASE WHEN stored.id IS NULL THEN {filled} "
            f"ELSE {_differs(backend, logged)} END ORDER BY staged.rowid")


def _json_pair(backend: str, old: str, new: str) -> str:
    """SQL: the log's ``[old, new]`` of a column, the new value as text."""
    values = f"{old}, CAST({new} AS TEXT)"
    return f"json_array({values})" if backend == "sqlite" else f"json_build_array({values})::text"


def _added_changes(backend: str, logged: list[str], prefix: str) -> str:
    """SQL: the log's JSON object of a new subscriber's ``logged`` columns
    that are not empty (columns named ``prefix`` + column)."""
    pieces = " || ".join(f"CASE WHEN CAST({prefix}{c} AS TEXT) <> '' THEN ',\"{c}\":' || "
                         f"{_json_pair(backend, 'CAST(NULL AS TEXT)', prefix + c)} ELSE '' END" for c in logged) or "''"
    return f"'{{' || substr({pieces}, 2) || '}}'"


_COLUMN_TYPES = {"birth_year": "INTEGER"}  # the subscribers' columns not TEXT


def scratch_staging_table() -> str:
    """SQL: the table SCRATCH_STAGED of a scratch SQLite file that a process
    stages checked rows in, for :meth:`Store.staged_from`: the values of
    SUBSCRIBER_COLUMNS in order, with the subscribers' column types."""
    columns = [f"{column} {_COLUMN_TYPES.get(column, 'TEXT')}" for column in SUBSCRIBER_COLUMNS]
    return f"CREATE TABLE {SCRATCH_STAGED} ({', '.join(columns)})"


SCRATCH_LOGGED = "logged"  # the table of a file of a part's log JSON made apart (_LogMadeApart)


class _LogMadeApart:
    """The consent log's JSON of the rows staged in the scratch file
    ``scratch`` were they new subscribers (:func:`_added_changes`), by rowid,
    made into a file of its own (``path``) by a forked process, on the
    machine's other core, while the store's connection writes another part
    (the writing is otherwise one process: one core idle). The store's
    connection attached the file before its transaction began, and reads it
    once :meth:`wait` says it is made; when it could not be (the scratch file
    held by the store's connection, no room), the store builds the JSON
    itself: the same bytes, slower. The process is forked before the
    store's transaction begins (no lock of this process's is held then)
    and uses none of this process's connections."""

    def __init__(self, scratch: Path, path: Path, table: str):
        self.scratch, self.path = scratch, path
        self.table = table  # as the store's connection names it once it has attached the file
        self.process = None  # the forked process making it (None: not started)

    @classmethod
    def prepared(cls, scratch: Path, table: str) -> "_LogMadeApart | None":
        """Its file beside ``scratch``, its table made before the store attaches it (and names
        it ``table``); None when it cannot be made (the store builds the JSON itself)."""
        log = cls(scratch, scratch.with_name(f"{scratch.stem}-log.db"), table)
        try:
            db = sqlite3.connect(log.path, isolation_level=None)
            try:
                db.execute("PRAGMA journal_mode = OFF").fetchall()  # thrown away afterwards
                db.execute(f"CREATE TABLE {SCRATCH_LOGGED} (staged INTEGER PRIMARY KEY, changes TEXT)")
            finally:
                db.close()
        except sqlite3.Error:
            return None
        return log

    @staticmethod
    def start(logs: list["_LogMadeApart"]) -> None:
        """A forked process for each (before the store's transaction begins;
        it uses no connection of this process's)."""
        import multiprocessing  # here: the collector's start-up needs none

        for log in logs:
            log.process = multiprocessing.get_context("fork").Process(target=log._make, daemon=True)
            log.process.start()

    def _make(self) -> None:
        """In the forked process: the JSON into the file; exit 1 when it could not be made."""
        logged = [column for column in LOGGED_COLUMNS if column in SUBSCRIBER_COLUMNS]
        try:  # timeout 0: a file held is given up at once (the store builds the JSON)
            with contextlib.closing(sqlite3.connect(self.path, isolation_level=None, timeout=0)) as db:
                db.execute("PRAGMA journal_mode = OFF").fetchall()
                db.execute("PRAGMA synchronous = OFF")
                db.execute("ATTACH ? AS part", (str(self.scratch),))
                db.execute(f"INSERT INTO {SCRATCH_LOGGED} (staged, changes) SELECT rowid, "
                           f"{_added_changes('sqlite', logged, 'staged.')} FROM part.{SCRATCH_STAGED} AS staged")
        except (sqlite3.Error, OSError):
            sys.exit(1)  # the store's connection builds the JSON itself

    def wait(self) -> str | None:
        """The table of the JSON as the store's connection names it, once
        made; None when it was not."""
        if self.process is None:
            return None
        self.process.join()
        return self.table if self.process.exitcode == 0 else None


def _scratch_rows(paths: list[Path]) -> Iterator[tuple]:
    """The rows staged in the scratch files ``paths``, in order."""
    for path in paths:
        scratch = sqlite3.connect(path)
        try:
            yield from scratch.execute(f"SELECT {', '.join(SUBSCRIBER_COLUMNS)} FROM {SCRATCH_STAGED} ORDER BY rowid")
        finally:
            scratch.close()


_clock = (0, "")  # the last second asked, and how it reads


def now_iso() -> str:
    """Now in Asia/Seoul with the offset, e.g. ``2026-11-26T09:15:00+09:00``
    (made once a second: the consent log asks for it for every change)."""
    global _clock
    clock, second = _clock, int(time.time())
    if clock[0] != second:
        clock = _clock = (second, dt.datetime.fromtimestamp(second, SEOUL).isoformat())
    return clock[1]


def seoul_day(stored: str) -> str:
    """The Seoul calendar day (``YYYY-MM-DD``) of a stored date or date-time:
    a date as it is; a date-time with an offset (an older store may hold the
    machine's zone) moved to Seoul; one without an offset taken as Seoul's."""
    if len(stored) <= 10:
        return stored
    try:
        moment = dt.datetime.fromisoformat(stored)
    except ValueError:
        return stored[:10]
    if moment.tzinfo is not None:
        moment = moment.astimezone(SEOUL)
    return moment.date().isoformat()


def store_exists(location: str | Path) -> bool:
    """Whether ``SOTONG_DB`` names a store that is there, without making one
    (a PostgreSQL URL is taken as there)."""
    return is_database_url(location) or Path(location).is_file()


def _sqlite_connection(path: Path, name: StoreName) -> sqlite3.Connection:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as exc:  # a file where SOTONG_DB has a folder: /etc/sotong.conf/x.db
        raise SotongError([name.said(_("{store}: its folder cannot be made, as {blocking} is a file ({reason}); point {address} at a file in a folder, e.g. private/sotong.db"),
            store=name.of_file(path), blocking=_first_file_above(path), reason=os_reason(exc))]) from None
    connection = sqlite3.connect(str(path), timeout=SQLITE_WAITS_MS / 1000, isolation_level=None,
                                 check_same_thread=False)
    connection.row_factory = sqlite3.Row
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("PRAGMA foreign_keys=ON")
    return connection


@contextlib.contextmanager
def _sqlite_trouble_said(location, name: StoreName) -> Iterator[None]:
    """What SQLite raised of the file at ``location`` (not a database, a
    folder, ...) said in one line naming it."""
    try:
        yield
    except sqlite3.DatabaseError as exc:
        trouble = engine_trouble(exc, name.of_file(location), name)
        if trouble is None:
            raise
        raise trouble from None


def _first_file_above(path: Path) -> Path:
    """The nearest folder of ``path`` that is in fact a file (what stops its folders being made)."""
    return next((above for above in reversed(path.parents) if above.exists() and not above.is_dir()), path.parent)


# Outside quoted literals: ? and :name placeholders, and the lone % psycopg would read as one.
_SQL_TOKENS = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|::|(?<![:\w]):([A-Za-z_]\w*)|\?|%")
_BEGIN_IMMEDIATE = re.compile(r"^\s*BEGIN\s+IMMEDIATE\b", re.IGNORECASE)  # a plain BEGIN on PostgreSQL
_INSERT_OR_IGNORE = re.compile(r"\bINSERT\s+OR\s+IGNORE\b", re.IGNORECASE)
# SQLite numbers an INTEGER PRIMARY KEY itself (AUTOINCREMENT or not); PostgreSQL needs an identity.
_ROWID_KEY = re.compile(r"\bINTEGER\s+PRIMARY\s+KEY(\s+AUTOINCREMENT)?\b", re.IGNORECASE)
_WITHOUT_ROWID = re.compile(r"\)\s*WITHOUT\s+ROWID\b", re.IGNORECASE)
# SQLite's REAL is an 8-byte float; PostgreSQL's a 4-byte one, which keeps epoch seconds to 128.
_REAL = re.compile(r"\bREAL\b", re.IGNORECASE)


# postgresql://USER:PASSWORD@... (a colon before the first @, no ? before it: an @ in the query's values), or
# ?password=...: libpq reads a password holding / or @ otherwise (a host USER, a port PASSWORD...), and quotes
# it when it fails.
_A_PASSWORD = re.compile(r"^postgres(?:ql)?://[^@?]*:[^@?]*@|[?&]password=", re.IGNORECASE)


def postgresql_ddl(script: str) -> str:
    """A schema script in SQLite's words, in PostgreSQL's."""
    script = _ROWID_KEY.sub("BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", script)
    script = _REAL.sub("DOUBLE PRECISION", script)
    return _WITHOUT_ROWID.sub(")", script)


@functools.lru_cache(maxsize=512)  # the same few statements, request after request
def postgresql_statement(sql: str) -> str:
    """One statement in SQLite's words (``?``, ``:name``, ``INSERT OR IGNORE``,
    ``BEGIN IMMEDIATE``), in psycopg's."""
    sql = _BEGIN_IMMEDIATE.sub("BEGIN", sql)
    ignore = _INSERT_OR_IGNORE.search(sql)
    if ignore:
        sql = sql[:ignore.start()] + "INSERT" + sql[ignore.end():].rstrip().rstrip(";") + " ON CONFLICT DO NOTHING"

    def placeholder(match: re.Match) -> str:
        token = match.group(0)
        if match.group(1):
            return f"%({match.group(1)})s"
        return {"?": "%s", "::": "::"}.get(token, token.replace("%", "%%"))

    return _SQL_TOKENS.sub(placeholder, sql)


class _PostgresRow(tuple):
    """A row read by position or by column name, like :class:`sqlite3.Row`:
    a subclass per list of column names (:func:`_row_class`), so that a row
    is made by tuple's own constructor, with no Python code a row."""

    __slots__ = ()
    names: tuple[str, ...] = ()

    def __getitem__(self, key):
        if isinstance(key, str):
            return super().__getitem__(self.names.index(key))
        return super().__getitem__(key)

    def keys(self) -> list[str]:
        return list(self.names)


@functools.lru_cache(maxsize=512)  # the same few queries' columns, statement after statement
def _row_class(names: tuple[str, ...]) -> type:
    return type("PostgresRow", (_PostgresRow,), {"__slots__": (), "names": names})


def _postgres_rows(cursor):
    return _row_class(tuple(column.name for column in cursor.description or ()))


class Unreachable(SotongError):
    """The PostgreSQL server could not be connected to (down, restarting,
    refusing the user): one line saying what to check."""


class _PostgresConnection:
    """A psycopg connection answering SQLite-worded SQL, in autocommit mode
    (transactions are opened explicitly, as on SQLite with isolation_level None).
    Like :class:`sqlite3.Connection` it names its exceptions (``db.Error``,
    ``db.IntegrityError``), so ``except store.db.IntegrityError`` holds on both."""

    def __init__(self, connection):
        import psycopg

        self.connection = connection
        self._cursor_numbers = itertools.count()
        self.Error = psycopg.Error
        self.IntegrityError = psycopg.IntegrityError
        # The consent log's source (Store.changes_from) and what the session holds (None: not known after a
        # ROLLBACK, which undoes a setting made in its transaction): set only when they differ, so a collector
        # naming the same source request after request sends one statement, not three.
        self.change_source = self._session_source = DEFAULT_SOURCE

    def _name_source(self) -> None:
        if self._session_source != self.change_source:
            self.connection.execute("SELECT set_config('sotong.change_source', %s, false)", (self.change_source,))
            self._session_source = self.change_source

    @classmethod
    def connect(cls, url: str, name: StoreName = SOTONG_DB) -> "_PostgresConnection":
        import psycopg
        from psycopg.conninfo import conninfo_to_dict, timeout_from_conninfo

        holds_password = SotongError([name.said(_("{subject}: the database address holds a password; remove it and set PGPASSWORD or a password file (~/.pgpass) or a service file instead"))])
        if _A_PASSWORD.search(url):  # before libpq reads it: its complaint would quote the password
            raise holds_password
        try:
            parts = conninfo_to_dict(url)
        except psycopg.ProgrammingError as exc:
            raise SotongError([name.said(_("{subject}: the database address cannot be read ({reason}); write it as postgresql://USER@HOST/NAME or postgresql:///NAME?host=/run/postgresql"),
                reason=str(exc).strip())]) from None
        if parts.get("password"):
            raise holds_password
        if problem := password_file_problem(parts, name):  # before libpq, which would say it in English and go on without
            raise SotongError([problem])
        service = service_parameters(parts)
        added = _connection_defaults(parts, service)
        try:
            seconds = timeout_from_conninfo(parts | added)  # what psycopg waits
            connection = psycopg.connect(url, autocommit=True, row_factory=_postgres_rows, **added)
        except psycopg.ProgrammingError as exc:  # psycopg reads connect_timeout itself, and raises this
            raise SotongError([name.said(_("{subject}: {reason} (in the address, or in PGCONNECT_TIMEOUT); write a whole number of seconds, e.g. ?connect_timeout=30"),
                reason=str(exc).strip())]) from None
        except psycopg.OperationalError as exc:
            raise Unreachable([connection_failure(str(exc), service | parts | {"connect_timeout": seconds}, name)]) from None
        return cls(connection)

    def execute(self, sql: str, params=()):
        """Always with parameters (maybe none), so that psycopg reads ``%%`` as ``%``."""
        self._name_source()
        cursor = self.connection.cursor()
        if sql.startswith("ROLLBACK"):  # of a transaction or to a savepoint
            self._session_source = None
        cursor.execute(postgresql_statement(sql), params)
        return cursor

    def stream(self, sql: str, params=()) -> Iterator:
        """The rows of one query, fetched in batches through a server-side
        cursor. WITH HOLD: the connection runs other statements and commits
        meanwhile (a plugin's writes while the subscribers are read)."""
        self._name_source()
        with self.connection.cursor(f"sotong_stream_{next(self._cursor_numbers)}", withhold=True) as cursor:
            cursor.itersize = STREAM_BATCH
            cursor.execute(postgresql_statement(sql), params)
            yield from cursor

    def executemany(self, sql: str, rows):
        """One statement for many rows; ``rowcount`` is their total, as on SQLite."""
        self._name_source()
        cursor = self.connection.cursor()
        cursor.executemany(postgresql_statement(sql), list(rows))
        return cursor

    @property
    def in_transaction(self) -> bool:
        """Whether a transaction is open; not on a connection lost (the server
        ended its transaction), where a ROLLBACK would raise over why it was lost."""
        from psycopg.pq import TransactionStatus

        return self.connection.info.transaction_status in (
            TransactionStatus.ACTIVE, TransactionStatus.INTRANS, TransactionStatus.INERROR)

    def executescript(self, script: str) -> None:
        self._name_source()
        self.connection.execute(postgresql_ddl(script))

    def close(self) -> None:
        self.connection.close()


def _connection_defaults(parts: dict, service: dict) -> dict:
    """What to add to the address's ``parts``: CONNECT_TIMEOUT_S and
    TCP_SILENCE where neither they, nor their ``service`` (its parameters in
    the service file), nor PGCONNECT_TIMEOUT say (libpq, and psycopg, waited
    for a server that does not answer as long as the network let them); and
    the service's connect_timeout, which psycopg does not read there (it
    waited its own 130 s)."""
    given = service | parts | ({"connect_timeout": ""} if os.environ.get("PGCONNECT_TIMEOUT") else {})
    added = {name: value for name, value in {"connect_timeout": str(CONNECT_TIMEOUT_S), **TCP_SILENCE}.items()
             if name not in given}
    if "connect_timeout" in service and "connect_timeout" not in parts:
        added["connect_timeout"] = service["connect_timeout"]
    return added


_SAVEPOINT = "sotong_step"  # a transaction inside Store.all_or_nothing's (nested ones share the name, as SQL allows)


class _Transaction:
    def __init__(self, db, begin: str, commit: str = "COMMIT", rollback: tuple[str, ...] = ("ROLLBACK",)):
        self.db = db
        self.begin = begin
        self.commit = commit
        self.rollback = rollback

    def __enter__(self):
        self.db.execute(self.begin)
        return self.db

    def __exit__(self, kind, exc, tb):
        if kind is None:
            self.db.execute(self.commit)
        elif self.db.in_transaction:  # SQLite ends it itself on a full disk or an I/O error
            for statement in self.rollback:
                self.db.execute(statement)
        return False


# SQLite's answers that come of where it runs (a disk, a file, another
# program), never of Sotong's SQL: told in one line, not a traceback.
_NO_ROOM = {sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR}
_HELD = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}
_UNWRITABLE = {sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM}
_NOT_A_STORE = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}
# SQLite's words for those codes (sqlite3_errstr), marked for the catalog: said
# in the staff's language; a message with more in it stays as SQLite wrote it.
_SQLITE_REASONS = frozenset((
    N_("database or disk is full"), N_("disk I/O error"), N_("database is locked"), N_("database table is locked"),
    N_("attempt to write a readonly database"), N_("unable to open database file"), N_("access permission denied"),
    N_("file is not a database"), N_("database disk image is malformed")))


def held_by_another(exc: BaseException) -> bool:
    """Whether SQLite refused because another connection holds the file
    (busy or locked); a statement so refused changed nothing."""
    return isinstance(exc, sqlite3.DatabaseError) and getattr(exc, "sqlite_errorcode", 0) & 0xFF in _HELD


def engine_trouble(exc: BaseException, where: str | None = None, name: StoreName = SOTONG_DB) -> SotongError | None:
    """What SQLite or PostgreSQL raised because of where it runs (a full
    disk, a file that is no database, a lock held by another program, a
    server gone) as the line to say, naming the file ``where`` when known
    and the store as ``name`` says; None for anything else (a mistake of
    Sotong's keeps its traceback)."""
    if isinstance(exc, Unreachable):  # its own line, naming what to check
        return exc
    if connection_lost(exc) and "timed out" in str(exc):  # TCP_SILENCE's keepalives or tcp_user_timeout gave up
        return SotongError([name.said(_("{subject}: the PostgreSQL database stopped answering: nothing came back from its machine (it is down, or the network to it is cut); check that machine and the network to it, then run the command again"))])
    if isinstance(exc, StoreDown) or connection_lost(exc):  # a restart, a failover: PostgreSQL's words say no more
        return SotongError([name.said(_("{subject}: the PostgreSQL database stopped answering (stopped or restarting); run the command again once it answers"))])
    psycopg = sys.modules.get("psycopg")
    if psycopg is not None and isinstance(exc, psycopg.errors.InsufficientPrivilege):
        return SotongError([name.said(_("{subject}: the PostgreSQL database refused its user: {reason}; make that user the owner of the database (ALTER DATABASE ... OWNER TO ...), or have it granted CREATE on the schema and the rights on Sotong's tables, then run the command again"),
            reason=database_reason(exc))])
    if psycopg is not None and isinstance(exc, psycopg.OperationalError):
        return SotongError([name.said(_("{subject}: the PostgreSQL database stopped answering: {reason}; run the command again once it answers"),
            reason=database_reason(exc))])
    code = getattr(exc, "sqlite_errorcode", 0) & 0xFF if isinstance(exc, sqlite3.DatabaseError) else None
    where = where or _("a database file of Sotong (the store SOTONG_DB, a cache or a working file)")
    if code in _NO_ROOM:
        said = _("{where}: cannot be written ({reason}); make room on its disk and run the command again")
    elif code in _HELD:
        said = _("{where}: another program holds it ({reason}); wait until that program (another sotong command?) is done and run the command again")
    elif code in _UNWRITABLE:
        said = _("{where}: cannot be opened for writing ({reason}); check that it is a file in a folder this user may write ({address} names the store)")
    elif code in _NOT_A_STORE:
        said = _("{where}: is not an SQLite database, or is damaged ({reason}); check the file {address} names, or put the store back from a backup")
    else:
        return None
    return SotongError([name.said(said, where=where, reason=sqlite_reason(exc))])


def database_reason(exc: BaseException) -> str:
    """The first line of what the database said (PostgreSQL adds DETAIL and
    HINT lines), or the kind of error when it said nothing."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def sqlite_reason(exc: sqlite3.Error) -> str:
    """What SQLite said, in the staff's language when it is SQLite's own words for its code."""
    reason = str(exc).strip()
    return _(reason) if reason in _SQLITE_REASONS else reason


__all__ = ["LOGGED_COLUMNS", "READER_CHANNELS", "STORED_COLUMNS", "Store", "Subscriber", "SUBSCRIBER_COLUMNS", "database_reason",
           "is_database_url",
           "join_keys", "now_iso", "register_schema", "registered_schemas", "seoul_day", "sqlite_reason", "store_exists",
           "subscriber_from_row", "Unreachable", "with_rowid"]
