"""Delivery's invalid marks (plugins/delivery/marks.py) on both backends: a
mark applies to the address it was made for, whatever changes the address
(the import here; the preferences page in test_subscriptions.py); an older
store whose ``subscribers`` table holds the marks' columns keeps its marks
when delivery's schema step moves them into the table of their own; a
forgotten reader's marks keep neither their id nor their address's digest."""

from __future__ import annotations

import sqlite3

from delivery_support import mark_address_invalid
from plugins.delivery.marks import ensure, mark_invalid, unreachable_readers
from plugins.subscriptions.consent import forget
from sotong.store import Store, Subscriber
from test_subscribers import GOOD, csv_text, load, write

OLD_COLUMNS = ("email_invalid_at", "email_invalid_reason", "phone_invalid_at", "phone_invalid_reason")


def test_a_mark_applies_to_the_address_it_was_made_for(store_location, tmp_path):
    store = Store.open(store_location)
    path = write(tmp_path / "s.csv", csv_text(GOOD, dict(GOOD, id="S2", email="lee@example.com")))
    load(store, path)
    mark_address_invalid(store, "S1", "email")
    mark_address_invalid(store, "S2", "sms")
    assert unreachable_readers(store) == {"email": {"S1"}, "sms": {"S2"}}
    load(store, write(path, csv_text(dict(GOOD, name="김민서2"), dict(GOOD, id="S2", email="lee@example.com"))))
    assert unreachable_readers(store) == {"email": {"S1"}, "sms": {"S2"}}, "the same addresses, given again"
    load(store, write(path, csv_text(dict(GOOD, email="kim2@example.com"),
                                     dict(GOOD, id="S2", email="lee@example.com", phone="010-9999-0002"))))
    assert unreachable_readers(store) == {"email": set(), "sms": set()}, "new addresses: no mark"
    load(store, write(path, csv_text(GOOD, dict(GOOD, id="S2", email="lee@example.com"))))
    assert unreachable_readers(store) == {"email": {"S1"}, "sms": {"S2"}}, "the marked addresses back"


def test_an_address_already_marked_keeps_its_first_mark(store_location):
    store = ensure(Store.open(store_location))
    store.put_subscriber(Subscriber(id="S1", email="a@example.com", channels=frozenset({"email"})))
    mark_address_invalid(store, "S1", reason="550 first", when="2026-11-01T10:00:00+09:00")
    assert mark_invalid(store, "email", [("S1", "550 again"), ("nobody", "550")], "2026-11-02T10:00:00+09:00") == []
    assert [tuple(r) for r in store.db.execute("SELECT subscriber_id, marked_at, reason FROM delivery_invalid_marks")] == [
        ("S1", "2026-11-01T10:00:00+09:00", "550 first")]


def _old_marks(store: Store) -> None:
    """Make a store as older versions left it: the marks in subscribers' columns."""
    for column in OLD_COLUMNS:
        store.db.execute(f"ALTER TABLE subscribers ADD COLUMN {column} TEXT")
    for subscriber in (Subscriber(id="S1", email="a@example.com", phone="010-1000-0001", channels=frozenset({"email", "sms"})),
                       Subscriber(id="S2", email="b@example.com", phone="010-1000-0002", channels=frozenset({"email", "sms"})),
                       Subscriber(id="S3", email="c@example.com", channels=frozenset({"email"}))):
        store.put_subscriber(subscriber)
    store.db.execute("UPDATE subscribers SET email_invalid_at = '2025-02-01', email_invalid_reason = '550 no such user' "
                     "WHERE id = 'S1'")
    store.db.execute("UPDATE subscribers SET phone_invalid_at = '2025-03-01', phone_invalid_reason = 'bounce score' "
                     "WHERE id = 'S2'")


def test_an_old_store_keeps_its_marks_when_upgraded(store_location):
    store = Store.open(store_location)
    _old_marks(store)
    assert store.subscriber("S1").email == "a@example.com", "the store reads an old table before the upgrade"
    assert unreachable_readers(store) == {"email": {"S1"}, "sms": {"S2"}}
    assert store.schema_version("delivery_invalid_marks") == 2
    assert not set(OLD_COLUMNS) & set(store.columns("subscribers"))
    assert sorted(tuple(r) for r in store.db.execute(
        "SELECT subscriber_id, channel, marked_at, reason FROM delivery_invalid_marks")) == [
        ("S1", "email", "2025-02-01", "550 no such user"), ("S2", "sms", "2025-03-01", "bounce score")]
    store.close()
    reopened = Store.open(store_location)
    assert unreachable_readers(reopened) == {"email": {"S1"}, "sms": {"S2"}}
    with reopened.changes_from("test"):
        reopened.db.execute("UPDATE subscribers SET email = 'a2@example.com' WHERE id = 'S1'")  # the log's triggers still work
    assert unreachable_readers(reopened) == {"email": set(), "sms": {"S2"}}


def test_an_old_sqlite_store_without_the_phone_columns_keeps_its_email_marks(tmp_path):
    db = sqlite3.connect(tmp_path / "old.db")
    db.execute("CREATE TABLE subscribers (id TEXT PRIMARY KEY, name TEXT, email TEXT, phone TEXT, birth_year INTEGER,"
               " gender TEXT, dong TEXT, fields TEXT NOT NULL DEFAULT '', channels TEXT NOT NULL DEFAULT '',"
               " kind TEXT NOT NULL DEFAULT 'person', business_type TEXT, subscribed_at TEXT, unsubscribed_at TEXT,"
               " sms_unsubscribed_at TEXT, email_invalid_at TEXT, email_invalid_reason TEXT)")
    db.execute("INSERT INTO subscribers (id, email, phone, channels, email_invalid_at) VALUES "
               "('S1', 'a@example.com', '010-2000-0001', 'email;sms', '2025-02-01')")
    db.commit()
    db.close()
    store = Store.open(tmp_path / "old.db")
    assert store.subscriber("S1").reachable_by("sms") and store.subscriber("S1").groups == frozenset()
    assert unreachable_readers(store) == {"email": {"S1"}, "sms": set()}
    assert "email_invalid_at" not in store.columns("subscribers") and "phone_invalid_at" not in store.columns("subscribers")


def test_forgetting_a_reader_leaves_no_mark_that_leads_back_to_them(store_location):
    store = ensure(Store.open(store_location))
    store.put_subscriber(Subscriber(id="S1", email="a@example.com", phone="010-1000-0001",
                                    channels=frozenset({"email", "sms"})))
    mark_address_invalid(store, "S1", "email")
    mark_address_invalid(store, "S1", "sms")
    forget(store, "S1", {"a@example.com"}, {"010-1000-0001"})
    rows = [tuple(row) for row in store.db.execute("SELECT subscriber_id, address_digest FROM delivery_invalid_marks")]
    assert len(rows) == 2 and all(subscriber_id != "S1" and digest == "" for subscriber_id, digest in rows)
    assert unreachable_readers(store) == {"email": set(), "sms": set()}
