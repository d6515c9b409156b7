"""Delivery records past their retention (content/pages/privacy.md, 제3조 2:
발송 기록은 발송일부터 1년, 연간 운영 실적 보고 후 파기): ``sotong send purge``
destroys, a year after an outbox's last send, its journal rows, bounces, SMS
results and staff copies, and its files (``OUTBOX_PATH/KEY/``, the
``issue-KEY`` reports); an outbox never sent goes a year after it was made.
What the annual report counts is kept first, without anyone in it
(``delivery_kept_counts``: the journal's aggregates of the outbox), so
``sotong report --year Y`` reads the same figures after the purge; and
the day of each reader's last message (``delivery_last_sent``, for two
years), so that subscriptions left without any message for two years can
be told and ended (제3조 6) after the journal is gone. The invalid marks
of readers left without an address (unsubscribed and purged, forgotten)
go too: a digest of an address nobody has here any more."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from sotong.dates import shift_years
from sotong.store import SEOUL, Store, now_iso, register_schema

from . import journal
from .marks import ADDRESS_COLUMN

RETENTION_YEARS = 1
LAST_SENT_YEARS = 2  # as long as the privacy page's 제3조 6 needs to know
SCHEMA = """
CREATE TABLE IF NOT EXISTS delivery_kept_counts (
    outbox TEXT NOT NULL,             -- the purged outbox (a restored backup's rows are not counted twice)
    month TEXT NOT NULL,              -- YYYY-MM (Seoul) the messages were sent in
    type TEXT NOT NULL,
    slug TEXT NOT NULL,
    department TEXT,
    category TEXT,
    category_label TEXT,
    deliveries INTEGER NOT NULL,
    messages DOUBLE PRECISION NOT NULL,
    purged_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS delivery_kept_counts_by_month ON delivery_kept_counts (month);
CREATE TABLE IF NOT EXISTS delivery_last_sent (
    subscriber_id TEXT PRIMARY KEY,
    day TEXT NOT NULL                 -- YYYY-MM-DD (Seoul) of the last message sent or handed over
);
"""
# What each text kept cost (the journal's price); NULL for emails and for counts kept before it was.
KEPT_PRICE = "ALTER TABLE delivery_kept_counts ADD COLUMN price DOUBLE PRECISION;"
register_schema("delivery_retention", SCHEMA, KEPT_PRICE)  # version 2: price
RECORD_TABLES = ("delivery_messages", "delivery_bounces", "delivery_sms_results", "delivery_staff_copies",
                 "delivery_notices", "delivery_outboxes")
_SENT = "state IN ('sent', 'handed_over')"


@dataclass(frozen=True)
class Purged:
    """What a purge of one outbox destroyed: rows per table, and its files."""

    outbox: str
    rows: dict
    files: int


def ensure(store: Store) -> Store:
    store.upgrade("delivery_journal")
    store.upgrade("delivery_retention")
    return store


def first_kept_day(today: dt.date) -> dt.date:
    """Records of outboxes whose last send was before this day are purged ``today``."""
    return shift_years(today, -RETENTION_YEARS)


def outboxes_to_purge(store: Store, outbox_root: Path, today: dt.date) -> list[str]:
    """Outboxes whose last message was sent (or last tried) before
    :func:`first_kept_day`, outbox folders never sent whose manifest was
    written before it, and the bounces of outboxes the journal no longer
    holds whose last bounced before it."""
    cutoff = first_kept_day(today).isoformat()
    last = dict(store.db.execute("SELECT outbox, max(coalesce(sent_at, updated_at)) FROM delivery_messages "
                                 "GROUP BY outbox"))
    old = {key for key, moment in last.items() if moment[:10] < cutoff}
    if "delivery_bounces" in store.tables():  # bounces read after their outbox was purged (a mailbox first read late)
        old |= {key for key, day in store.db.execute("SELECT outbox, max(day) FROM delivery_bounces GROUP BY outbox")
                if key not in last and day < cutoff and not (outbox_root / key).is_dir()}  # a folder: by its manifest
    for manifest in outbox_root.glob("*/manifest.jsonl") if outbox_root.is_dir() else ():
        made = dt.datetime.fromtimestamp(manifest.stat().st_mtime, SEOUL).date().isoformat()  # the machine may run on UTC
        if manifest.parent.name not in last and made < cutoff:
            old.add(manifest.parent.name)
    return sorted(old)


def record_counts(store: Store, key: str) -> dict[str, int]:
    """Rows of each delivery record table that name outbox ``key``."""
    return {table: store.db.execute(f"SELECT count(*) FROM {table} WHERE outbox = ?", (key,)).fetchone()[0]
            for table in RECORD_TABLES if table in store.tables()}


def purge_outbox(records: journal.Journal, settings: dict, key: str) -> Purged:
    """Keep the counts and last-sent days of outbox ``key``, delete its rows
    (one transaction), then its files."""
    store = records.store
    with store.transaction() as db:
        if not db.execute("SELECT 1 FROM delivery_kept_counts WHERE outbox = ? LIMIT 1", (key,)).fetchone():
            db.executemany("INSERT INTO delivery_kept_counts (outbox, month, type, slug, department, category, "
                           "category_label, deliveries, messages, price, purged_at)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           [(key, *row, now_iso()) for row in records.outbox_aggregates(key)])
        db.execute("INSERT INTO delivery_last_sent (subscriber_id, day) SELECT subscriber_id, "
                   f"max(substr(sent_at, 1, 10)) FROM delivery_messages WHERE outbox = ? AND {_SENT} "
                   "GROUP BY subscriber_id ON CONFLICT (subscriber_id) DO UPDATE SET day = CASE "
                   "WHEN excluded.day > delivery_last_sent.day THEN excluded.day ELSE delivery_last_sent.day END",
                   (key,))
        rows = {table: db.execute(f"DELETE FROM {table} WHERE outbox = ?", (key,)).rowcount
                for table in RECORD_TABLES if table in store.tables()}
    return Purged(key, rows, _remove_files(settings, key))


def _remove_files(settings: dict, key: str) -> int:
    """The outbox folder, its send lock and its issue reports; how many were there."""
    folder = Path(settings["OUTBOX_PATH"]) / key
    private = Path(settings["PRIVATE_PATH"])
    files = [private / "locks" / f"send-{key}.lock",
             *(private / "reports" / f"issue-{key}.{suffix}" for suffix in ("html", "csv"))]
    removed = sum(1 for path in files if path.is_file())
    for path in files:
        path.unlink(missing_ok=True)
    if folder.is_dir():
        removed += sum(1 for path in folder.rglob("*") if path.is_file())
        _remove_outbox_folder(folder)
    return removed


def _remove_outbox_folder(folder: Path) -> None:
    """The outbox folder, its files first and its manifest last: a purge
    stopped meanwhile (Ctrl+C, kill, a power cut), the journal's rows
    already gone, leaves the manifest by which the next purge finds the
    folder (:func:`outboxes_to_purge`) and removes the rest."""
    manifest = folder / "manifest.jsonl"
    for entry in sorted(os.scandir(folder), key=lambda entry: entry.is_dir(follow_symlinks=False)):
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path)
        elif entry.name != manifest.name:
            os.unlink(entry.path)
    manifest.unlink(missing_ok=True)
    folder.rmdir()


def drop_old_last_sent(store: Store, today: dt.date) -> int:
    """Last-sent days older than :data:`LAST_SENT_YEARS` tell nothing more than their absence."""
    with store.transaction() as db:
        return db.execute("DELETE FROM delivery_last_sent WHERE day < ?",
                          (shift_years(today, -LAST_SENT_YEARS).isoformat(),)).rowcount


def marks_without_address(store: Store, delete: bool) -> int:
    """Invalid marks (address digests) of readers who have no address on
    that channel any more: unsubscribed and purged, forgotten, or gone.
    Counted, or deleted with ``delete``."""
    if "delivery_invalid_marks" not in store.tables():
        return 0
    marks = "delivery_invalid_marks"
    condition = " OR ".join(
        f"({marks}.channel = '{channel}' AND NOT EXISTS (SELECT 1 FROM subscribers AS s "
        f"WHERE s.id = {marks}.subscriber_id AND s.{column} IS NOT NULL))" for channel, column in ADDRESS_COLUMN.items())
    if not delete:
        return store.db.execute(f"SELECT count(*) FROM {marks} WHERE {condition}").fetchone()[0]
    with store.transaction() as db:
        return db.execute(f"DELETE FROM {marks} WHERE {condition}").rowcount


def kept_counts(store: Store, year: int) -> list[tuple]:
    """The counts purges kept of ``year``, as :meth:`journal.Journal.sent_aggregates` gives them."""
    if "delivery_kept_counts" not in store.tables():
        return []
    store.upgrade("delivery_retention")  # counts kept before prices were
    return [tuple(row) for row in store.db.execute(
        "SELECT month, type, slug, department, category, category_label, deliveries, messages, price "
        "FROM delivery_kept_counts WHERE month >= ? AND month < ?", (f"{year:04d}-01", f"{year + 1:04d}-01"))]


def delivered_since(store: Store, day: dt.date) -> set[str]:
    """Receiver of ``signals.delivered_since``: ids of the readers
    sent (or handed over) a message on ``day`` or later, by the journal or by
    the last-sent days its purges kept."""
    ensure(store)
    since = day.isoformat()
    sent = store.db.execute(f"SELECT DISTINCT subscriber_id FROM delivery_messages WHERE {_SENT} AND sent_at >= ?",
                            (since,))
    kept = store.db.execute("SELECT subscriber_id FROM delivery_last_sent WHERE day >= ?", (since,))
    return {row[0] for row in sent} | {row[0] for row in kept}
