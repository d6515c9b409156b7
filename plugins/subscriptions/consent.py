"""The consent log's two commands for the office (SPEC §13): the changes
since a day, as a CSV for the office's other systems, and forgetting a
person: their row, their log, what the plugins delete (their opinions), and
their id wherever the store holds one.
The log itself is written by the core store (``sotong.store``)."""

from __future__ import annotations

import secrets
from pathlib import Path

from sotong import signals, spreadsheet
from sotong.atomic import replacing_text
from sotong.i18n import _
from sotong.progress import progress
from sotong.store import Store

from .storage import drop_records_naming

CHANGES_COLUMNS = ("subscriber_id", "changed_at", "source", "field", "old_value", "new_value")
SUBSCRIBER_COLUMN = "subscriber_id"
# Other columns that could lead back to a person (a bounce's address digest):
# emptied beside the stand-in id.
PERSONAL_COLUMNS = ("address_digest",)


def write_changes(store: Store, since: str, path: str | Path) -> int:
    """The consent log from day ``since`` into ``path`` (UTF-8 with BOM for
    Excel, formula cells as text), replaced only when complete; the row count.
    A terminal sees a bar from 10,000 rows on, as the export of subscribers."""
    count = 0
    with (replacing_text(path, "utf-8-sig") as out,
          progress(store.consent_change_count(since), _("Writing changes"), least=10_000) as advance):
        writer = spreadsheet.writer(out)
        writer.writerow(CHANGES_COLUMNS)
        for count, row in enumerate(store.consent_changes(since), start=1):
            writer.writerow(["" if cell is None else str(cell) for cell in row])
            advance()
    return count


def tables_naming_subscribers(store: Store) -> list[str]:
    """Every table (core's or a plugin's) with a ``subscriber_id`` column."""
    return [name for name in store.tables() if SUBSCRIBER_COLUMN in store.columns(name)]


def forget(store: Store, subscriber_id: str, emails: set[str], phones: set[str],
           project=None) -> tuple[dict[str, int], dict[str, int]]:
    """Erase ``subscriber_id``: the subscriber row, its consent log, its
    pending sign-ups and changes, queued mails and texts (also those not yet linked
    to it, by any of its ``emails`` and ``phones``), and what the plugins
    delete when asked (``signals.person_erasing``, sent with ``project``:
    survey's opinions, free-text answers made a mark of their erasure, used
    tokens made the stand-in's); every
    other record naming it (journal, bounces, survey answers and invitations)
    gets a random stand-in id instead, so counts stay and nothing leads back
    to the person. All in one transaction, inside :meth:`Store.erasing` (the
    deleted bytes overwritten on SQLite, the touched tables vacuumed on PostgreSQL).
    Returns the rows deleted and the rows kept under the stand-in, per table."""
    stand_in = "forgotten-" + secrets.token_hex(8)
    deleted: dict[str, int] = {}
    kept: dict[str, int] = {}
    erased = ["subscribers", *tables_naming_subscribers(store)]  # the plugins' tables are added as they say
    with store.erasing(erased), store.transaction() as db:
        if (emails or phones) and "subscriptions_pending" in tables_naming_subscribers(store):
            deleted["subscriptions_pending, _mail and _texts (by address)"] = drop_records_naming(store, emails, phones)
        deleted["subscribers"] = db.execute("DELETE FROM subscribers WHERE id = ?", (subscriber_id,)).rowcount
        for _receiver, said in signals.person_erasing.send(store, subscriber_id=subscriber_id, project=project,
                                                                   stand_in=stand_in):
            deleted.update(said or {})
            erased.extend(table for table in said or {} if table not in erased)
        for table in tables_naming_subscribers(store):
            if table == "consent_log" or table.startswith("subscriptions_"):
                deleted[table] = db.execute(f'DELETE FROM "{table}" WHERE {SUBSCRIBER_COLUMN} = ?',
                                            (subscriber_id,)).rowcount
            elif table not in deleted:
                kept[table] = db.execute(f'UPDATE "{table}" SET {_stand_in_assignments(store, table)} '
                                         f'WHERE {SUBSCRIBER_COLUMN} = ?', (stand_in, subscriber_id)).rowcount
    return _nonzero(deleted), _nonzero(kept)


def _nonzero(touched: dict[str, int]) -> dict[str, int]:
    return {table: count for table, count in touched.items() if count}


def _stand_in_assignments(store: Store, table: str) -> str:
    columns = set(store.columns(table))
    return ", ".join([f"{SUBSCRIBER_COLUMN} = ?"] + [f"{c} = ''" for c in PERSONAL_COLUMNS if c in columns])
