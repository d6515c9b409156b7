"""Addresses marked invalid (SPEC §11: ``sotong send report --mark-invalid``,
a bounce score or failed SMS results reaching ``BOUNCE_SCORE_LIMIT``): the
table ``delivery_invalid_marks``, one row per reader, channel and address
(kept as a digest, never the address), and the rule bundles and sends read
through ``signals.reach_marks``: a reader is unreachable on a channel while
the address they have now on it is one marked invalid. A changed email or
phone (an import, the preferences page) no longer matches its mark, and
the same address given again still does, with no other part knowing of it.

The marks were columns of ``subscribers`` (``email_invalid_at``/``_reason``,
``phone_invalid_at``/``_reason``) before; step 2 of the schema moves an old
store's into the table, for the address each was made for, and drops the
columns. The SMS opt-out (``sms_unsubscribed_at``) stays in ``subscribers``:
it is the reader's consent, which the store's consent log keeps (SPEC §13).
"""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Iterable

from sotong.store import READER_CHANNELS, Subscriber, register_schema

SCHEMA = """
CREATE TABLE IF NOT EXISTS delivery_invalid_marks (
    subscriber_id TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    address_digest TEXT NOT NULL,     -- of the address (or phone number) marked invalid, never the address
    marked_at TEXT NOT NULL,
    reason TEXT
);
CREATE INDEX IF NOT EXISTS delivery_invalid_marks_by_reader ON delivery_invalid_marks (subscriber_id, channel);
"""
# No unique key: forgetting a person blanks their marks' ids and digests alike
# (subscriptions' forget), which a unique (reader, channel, digest) would refuse.
_ADD_MARK = ("INSERT INTO delivery_invalid_marks (subscriber_id, channel, address_digest, marked_at, reason) "
             "SELECT ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM delivery_invalid_marks "
             "WHERE subscriber_id = ? AND channel = ? AND address_digest = ?)")
ADDRESS_COLUMN = {"email": "email", "sms": "phone"}  # the subscribers column each channel's address is in
# The columns subscribers had for the marks: channel -> (when, why).
_OLD_COLUMNS = {"email": ("email_invalid_at", "email_invalid_reason"), "sms": ("phone_invalid_at", "phone_invalid_reason")}


def address_digest(address: str | None) -> str:
    return hashlib.sha256((address or "").strip().lower().encode()).hexdigest()[:20]


def move_marks_out_of_subscribers(store) -> None:
    """Schema step 2: the marks an older store keeps in ``subscribers``
    columns, for the address each reader has, into the table; then the
    columns dropped (the ones the store has: an old SQLite store may lack
    the phone's)."""
    present = set(store.columns("subscribers"))
    for channel, (when, why) in _OLD_COLUMNS.items():
        if when not in present:
            continue
        address = ADDRESS_COLUMN[channel]
        reason = why if why in present else "NULL"
        rows = store.db.execute(f"SELECT id, {address}, {when}, {reason} FROM subscribers "
                                f"WHERE {when} IS NOT NULL AND {address} IS NOT NULL").fetchall()
        store.db.executemany("INSERT INTO delivery_invalid_marks (subscriber_id, channel, address_digest, marked_at, "
                             "reason) VALUES (?, ?, ?, ?, ?)",
                             [(row[0], channel, address_digest(row[1]), row[2], row[3]) for row in rows])
    for column in (c for pair in _OLD_COLUMNS.values() for c in pair if c in present):
        store.db.execute(f"ALTER TABLE subscribers DROP COLUMN {column}")


register_schema("delivery_invalid_marks", SCHEMA, move_marks_out_of_subscribers)  # version 2


def ensure(store):
    store.upgrade("delivery_invalid_marks")
    return store


def mark_invalid(store, channel: str, failures: Iterable[tuple[str, str]], when: str) -> list[str]:
    """Mark the address each reader of (subscriber id, reason) has now on
    ``channel`` invalid, so that bundles and sends skip it; the ids newly
    marked (an address already marked keeps its first mark). The store's
    marks table is there (:func:`ensure`, which the journal and bounces call)."""
    reasons = dict(failures)
    if not reasons:
        return []
    column = ADDRESS_COLUMN[channel]
    wanted = sorted(reasons)
    addresses = {}
    for start in range(0, len(wanted), 500):
        condition, chunk = store.one_of("id", wanted[start:start + 500])
        addresses.update(store.db.execute(f"SELECT id, {column} FROM subscribers WHERE {column} IS NOT NULL "
                                          f"AND {condition}", chunk).fetchall())
    marked = []
    for subscriber_id in (i for i in wanted if i in addresses):
        mark = (subscriber_id, channel, address_digest(addresses[subscriber_id]))
        if store.db.execute(_ADD_MARK, (*mark, when, reasons[subscriber_id], *mark)).rowcount:
            marked.append(subscriber_id)
    return marked


def unreachable_readers(store, **_kwargs) -> dict[str, set[str]]:
    """Receiver of ``reach_marks``: channel -> ids of the readers whose
    address on it is marked invalid (one query, the marks joined to their readers)."""
    marked: dict[str, set[str]] = {channel: set() for channel in READER_CHANNELS}
    for row in ensure(store).db.execute("SELECT m.subscriber_id, m.channel, m.address_digest, s.email, s.phone "
                                        "FROM delivery_invalid_marks AS m JOIN subscribers AS s ON s.id = m.subscriber_id"):
        if row["address_digest"] == address_digest(row[ADDRESS_COLUMN[row["channel"]]]):
            marked[row["channel"]].add(row["subscriber_id"])
    return marked


# What reachable_by reads of readers, with their marks: FROM {readers} (naming subscribers "s"), then WHERE.
READERS_REACH = ("SELECT s.id, s.email, s.phone, s.channels, s.unsubscribed_at, s.sms_unsubscribed_at, m.channel,"
                 " m.address_digest FROM {readers} LEFT JOIN delivery_invalid_marks AS m ON m.subscriber_id = s.id")


_SUBSCRIBER_DEFAULTS = {field.name: field.default for field in dataclasses.fields(Subscriber)
                        if field.default is not dataclasses.MISSING}


def reader_of(**values) -> Subscriber:
    """``Subscriber(**values)``, the same object made at less than half the
    cost: a frozen dataclass's ``__init__`` sets each of its fifteen fields
    through ``object.__setattr__``, which was most of reading the reach of a
    send's readers (60,000 of them at a worker's start, one per email taken)."""
    reader = object.__new__(Subscriber)
    reader.__dict__.update(_SUBSCRIBER_DEFAULTS, **values)
    return reader


def reachable_pairs(rows, wanted: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """Those of the ``wanted`` (id, channel) whose reader can be reached on
    the channel (``reachable_by``, the address not marked), from the rows of
    a :data:`READERS_REACH` query (a reader that is not there: not reached)."""
    readers, marked = {}, {}  # (id, channel) -> the digests of its marked addresses
    for subscriber_id, email, phone, channels, unsubscribed_at, sms_unsubscribed_at, channel, digest in rows:
        if subscriber_id is not None and subscriber_id not in readers:
            readers[subscriber_id] = reader_of(
                id=subscriber_id, email=email, phone=phone, channels=frozenset((channels or "").split(";")),
                unsubscribed_at=unsubscribed_at, sms_unsubscribed_at=sms_unsubscribed_at)
        if digest is not None:
            marked.setdefault((subscriber_id, channel), set()).add(digest)
    reached = set()
    for subscriber_id, channel in wanted:
        reader = readers.get(subscriber_id)
        digests = marked.get((subscriber_id, channel))  # the address hashed only where a mark may match it
        if reader is not None and reader.reachable_by(channel) and \
                (digests is None or address_digest(getattr(reader, ADDRESS_COLUMN[channel])) not in digests):
            reached.add((subscriber_id, channel))
    return reached


def reachable_messages(store, messages) -> set[tuple[str, str]]:
    """The (id, channel) of those of ``messages`` (a chunk of an outbox's)
    whose reader can still be reached on its channel: their readers and marks
    read with one query, so that a send holds one chunk of readers at a time,
    not all of them."""
    ids = sorted({message.subscriber_id for message in messages})
    if not ids:
        return set()
    condition, params = store.one_of("s.id", ids)
    rows = store.db.execute(READERS_REACH.format(readers="subscribers AS s") + f" WHERE {condition}", params).fetchall()
    return reachable_pairs(rows, [(message.subscriber_id, message.channel) for message in messages])
