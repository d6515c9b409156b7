"""The SQLite store: subscribers round-trip, unsubscribes, and who can be reached."""

from __future__ import annotations

from sotong.store import Store, Subscriber


def test_subscribers_round_trip_and_update_in_place(tmp_path):
    store = Store.open(tmp_path / "sotong.db")
    kim = Subscriber(id="S1", email="kim@example.com", phone="010-1234-5678", birth_year=1960,
                     gender="F", dong="yongdap", fields=frozenset({"health", "culture"}),
                     channels=frozenset({"email", "sms"}))
    store.put_subscriber(kim)
    assert store.subscriber("S1") == kim
    store.db.execute("CREATE TABLE notes (id TEXT REFERENCES subscribers(id) ON DELETE CASCADE)")
    store.db.execute("INSERT INTO notes VALUES ('S1')")
    store.put_subscriber(Subscriber(**{**kim.__dict__, "dong": "majang"}))
    assert store.subscriber("S1").dong == "majang"
    assert store.db.execute("SELECT count(*) FROM notes").fetchone()[0] == 1, "an update keeps related records"
    assert store.count_subscribers() == 1


def test_unsubscribe_is_idempotent_and_persists(tmp_path):
    path = tmp_path / "sotong.db"
    store = Store.open(path)
    store.put_subscriber(Subscriber(id="S1", email="a@example.com", channels=frozenset({"email"})))
    assert store.unsubscribe("S1", "2026-11-23T10:00:00+09:00") is True
    assert store.unsubscribe("S1") is False
    assert store.unsubscribe("nobody") is False
    reopened = Store.open(path)
    assert reopened.subscriber("S1").unsubscribed_at == "2026-11-23T10:00:00+09:00"
    assert [s.id for s in reopened.subscribers(only_subscribed=True)] == []


def test_reachable_by_needs_consent_address_and_no_opt_out():
    base = Subscriber(id="S1", email="a@example.com", phone="010-1111-2222",
                      channels=frozenset({"email", "sms"}))
    assert base.reachable_by("email") and base.reachable_by("sms")
    assert not Subscriber(**{**base.__dict__, "unsubscribed_at": "2026-01-01"}).reachable_by("email")
    assert not Subscriber(**{**base.__dict__, "email_invalid_at": "2026-01-01"}).reachable_by("email")
    assert Subscriber(**{**base.__dict__, "email_invalid_at": "2026-01-01"}).reachable_by("sms")
    assert not Subscriber(**{**base.__dict__, "sms_unsubscribed_at": "2026-01-01"}).reachable_by("sms")
    assert not Subscriber(**{**base.__dict__, "channels": frozenset({"sms"})}).reachable_by("email")
    assert not Subscriber(**{**base.__dict__, "email": None}).reachable_by("email")
