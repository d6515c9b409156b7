"""Times kept as epoch seconds (REAL: a code's expiry, a queued mail's time)
are kept in full on PostgreSQL as on SQLite (SPEC §15): PostgreSQL's own
REAL is a 4-byte float, to 128 seconds at today's epoch, so a store's REAL
is its DOUBLE PRECISION; stores made before have theirs widened by the
subscriptions plugin's schema step."""

from __future__ import annotations

from subscriptions import storage

from project_support import new_store_location
from sotong.store import Store

TODAY = 1796138241.1725636  # 2026-12-01, seconds since 1970 with a fraction


def test_a_pending_code_and_a_queued_mail_keep_their_time_to_the_fraction(store_location):
    store = storage.ensure(Store.open(store_location))
    row = storage.pending_row("phone", {"phone": "010-7777-8888"}, "S1", "123456")
    with store.transaction():
        storage.insert_pending(store, (*row[:-1], TODAY))
        store.db.execute("INSERT INTO subscriptions_mail (id, recipient, subject, body, queued_at) VALUES ('m', 'r', 's', 'b', ?)",
                         (TODAY,))
    assert storage.pending(store, row[0]).expires_at == TODAY
    assert store.db.execute("SELECT queued_at FROM subscriptions_mail").fetchone()[0] == TODAY
    store.close()


def test_a_postgresql_store_made_with_4_byte_times_has_them_widened_by_its_upgrade(tmp_path):
    store = Store.open(new_store_location("postgresql", tmp_path))
    store.db.connection.execute(storage.SCHEMA)  # as step 1 made it, PostgreSQL's own words: REAL
    store.db.execute("CREATE TABLE IF NOT EXISTS schema_versions (component TEXT PRIMARY KEY, version INTEGER NOT NULL)")
    store.db.execute("INSERT INTO schema_versions VALUES ('subscriptions', 1)")
    assert store.upgrade("subscriptions") == {"subscriptions": (1, 8)}  # 3: address, indexes; 4: links mailed; 5: rate; 6: claims; 7: texts; 8: claim tokens
    assert store.db.execute("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attname IN "
                            "('expires_at', 'queued_at') AND attrelid IN ('subscriptions_pending'::regclass, "
                            "'subscriptions_mail'::regclass) ORDER BY attrelid::regclass::text").fetchall() == [
        ("double precision",), ("double precision",)]
    store.close()
