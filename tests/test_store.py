"""The store on SQLite and on PostgreSQL (each test that opens one runs on
both): subscribers round-trip, unsubscribes, schema versions and upgrades,
SQLite-worded SQL translated for PostgreSQL; and who can be reached."""

from __future__ import annotations

import time

import pytest

from project_support import copy_project, run_sotong
from sotong.problems import SotongError
from sotong.store import Store, Subscriber, postgresql_statement, register_schema, registered_schemas, with_rowid


def test_subscribers_round_trip_and_update_in_place(store_location):
    store = Store.open(store_location)
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


def test_unsubscribe_is_idempotent_and_persists(store_location):
    path = store_location
    store = Store.open(path)
    store.put_subscriber(Subscriber(id="S1", email="a@example.com", channels=frozenset({"email"})))
    assert store.unsubscribe("S1", "2026-11-23T10:00:00+09:00") is True
    assert store.unsubscribe("S1") is False
    assert store.unsubscribe("nobody") is False
    reopened = Store.open(path)
    assert reopened.subscriber("S1").unsubscribed_at == "2026-11-23T10:00:00+09:00"
    assert [s.id for s in reopened.subscribers(only_subscribed=True)] == []


def test_one_of_selects_the_rows_whose_column_is_among_the_values(store_location):
    store = Store.open(store_location)
    with store.transaction():
        for number in range(1, 8):
            store.put_subscriber(Subscriber(id=f"S{number}", email=f"s{number}@example.com"))
    for wanted in ([], ["S2"], ["S1", "S3", "S9", "S3"], (f"S{n}" for n in range(1, 8))):
        wanted = list(wanted)
        condition, params = store.one_of("id", iter(wanted))
        found = [row[0] for row in store.db.execute(f"SELECT id FROM subscribers WHERE {condition} ORDER BY id", params)]
        assert found == sorted(set(wanted) - {"S9"})


def test_reachable_by_needs_consent_address_and_no_opt_out():
    base = Subscriber(id="S1", email="a@example.com", phone="010-1111-2222",
                      channels=frozenset({"email", "sms"}))
    assert base.reachable_by("email") and base.reachable_by("sms")
    assert not Subscriber(**{**base.__dict__, "unsubscribed_at": "2026-01-01"}).reachable_by("email")
    assert not Subscriber(**{**base.__dict__, "sms_unsubscribed_at": "2026-01-01"}).reachable_by("sms")
    assert not Subscriber(**{**base.__dict__, "channels": frozenset({"sms"})}).reachable_by("email")
    assert not Subscriber(**{**base.__dict__, "email": None}).reachable_by("email")


def test_a_new_store_records_the_core_schema_version(store_location):
    store = Store.open(store_location)
    assert store.schema_version("core") == registered_schemas()["core"] == 3
    assert store.schema_version("never_registered") == 0
    assert Store.open(store_location).upgrade("core") == {"core": (3, 3)}, "opening again applies nothing"


@pytest.fixture
def demo_component():
    register_schema("test_demo", "CREATE TABLE demo (id INTEGER PRIMARY KEY AUTOINCREMENT, note TEXT UNIQUE);")
    yield "test_demo"
    from sotong import store as store_module

    store_module._SCHEMA_STEPS.pop("test_demo")


def test_upgrade_applies_only_the_missing_steps_and_records_them(store_location, demo_component):
    store = Store.open(store_location)
    assert store.upgrade(demo_component) == {demo_component: (0, 1)}
    store.db.execute("INSERT INTO demo (note) VALUES (?)", ("first",))
    register_schema(demo_component, "CREATE TABLE demo (id INTEGER PRIMARY KEY AUTOINCREMENT, note TEXT UNIQUE);",
                    "ALTER TABLE demo ADD COLUMN day TEXT;")
    assert Store.open(store_location).upgrade()[demo_component] == (1, 2)
    reopened = Store.open(store_location)
    assert reopened.upgrade()[demo_component] == (2, 2)
    assert [tuple(row) for row in reopened.db.execute("SELECT note, day FROM demo")] == [("first", None)]


def test_tables_and_columns_are_read_on_both(store_location, demo_component):
    store = Store.open(store_location)
    store.upgrade(demo_component)
    assert {"subscribers", "consent_log", "schema_versions", "demo"} <= set(store.tables())
    assert store.columns("demo") == ["id", "note"]
    assert store.columns("no_such_table") == []


def test_a_step_may_name_each_backends_sql_and_rowid_keeps_insertion_order(store_location, demo_component):
    register_schema(demo_component, with_rowid("CREATE TABLE demo (note TEXT);", "demo"),
                    {"sqlite": "CREATE TABLE only_here (x TEXT);", "postgresql": "CREATE TABLE only_here (y TEXT);"})
    store = Store.open(store_location)
    assert store.upgrade(demo_component) == {demo_component: (0, 2)}
    assert store.columns("only_here") == ["x" if store.backend == "sqlite" else "y"]
    store.db.executemany("INSERT INTO demo (note) VALUES (?)", [("b",), ("a",), ("c",)])
    assert [row[0] for row in store.db.execute("SELECT note FROM demo ORDER BY rowid")] == ["b", "a", "c"]
    with pytest.raises(store.db.IntegrityError), store.transaction():
        store.db.execute("INSERT INTO schema_versions (component, version) VALUES ('core', 9)")


def test_a_real_keeps_epoch_seconds_to_the_fraction_on_both(store_location, demo_component):
    """SQLite's REAL is an 8-byte float; PostgreSQL's own a 4-byte one, which
    kept 1796138241.17 (2026-12-01) as 1796138200: a schema's REAL is DOUBLE PRECISION there."""
    register_schema(demo_component, "CREATE TABLE demo (at REAL NOT NULL);")
    store = Store.open(store_location)
    store.upgrade(demo_component)
    store.db.execute("INSERT INTO demo VALUES (?)", (1796138241.1725636,))
    assert store.db.execute("SELECT at FROM demo").fetchone()[0] == 1796138241.1725636


def test_a_failed_step_leaves_the_version_and_tables_as_they_were(store_location, demo_component):
    store = Store.open(store_location)
    store.upgrade(demo_component)
    register_schema(demo_component, "CREATE TABLE demo (id INTEGER PRIMARY KEY AUTOINCREMENT, note TEXT UNIQUE);",
                    "CREATE TABLE demo_more (id TEXT); ALTER TABLE no_such_table ADD COLUMN day TEXT;")
    with pytest.raises(Exception):
        store.upgrade(demo_component)
    assert store.schema_version(demo_component) == 1
    store.db.execute("CREATE TABLE demo_more (id TEXT)")  # the failed step's first table was rolled back


def test_a_python_step_reads_the_store_and_is_run_once_or_rolled_back_whole(store_location, demo_component):
    def copy_then_fail(store):
        store.db.execute("INSERT INTO demo (note) VALUES ('copied')")
        raise RuntimeError("the step broke half way")

    def copy_notes(store):
        notes = [row[0] for row in store.db.execute("SELECT note FROM demo")]
        store.db.execute("CREATE TABLE demo_copy (note TEXT)")
        store.db.executemany("INSERT INTO demo_copy (note) VALUES (?)", [(note.upper(),) for note in notes])

    store = Store.open(store_location)
    store.upgrade(demo_component)
    store.db.execute("INSERT INTO demo (note) VALUES ('first')")
    register_schema(demo_component, "CREATE TABLE demo (id INTEGER PRIMARY KEY AUTOINCREMENT, note TEXT UNIQUE);",
                    copy_then_fail)
    with pytest.raises(RuntimeError, match="half way"):
        store.upgrade(demo_component)
    assert store.schema_version(demo_component) == 1
    assert [row[0] for row in store.db.execute("SELECT note FROM demo")] == ["first"]
    register_schema(demo_component, "CREATE TABLE demo (id INTEGER PRIMARY KEY AUTOINCREMENT, note TEXT UNIQUE);",
                    copy_notes)
    assert store.upgrade(demo_component) == {demo_component: (1, 2)}
    assert Store.open(store_location).upgrade(demo_component) == {demo_component: (2, 2)}
    assert [row[0] for row in store.db.execute("SELECT note FROM demo_copy")] == ["FIRST"]


def test_sqlite_worded_sql_runs_on_both(store_location, demo_component):
    store = Store.open(store_location)
    store.upgrade(demo_component)
    store.db.execute("INSERT OR IGNORE INTO demo (note) VALUES (?)", ("50% off: 'x'",))
    store.db.execute("INSERT OR IGNORE INTO demo (note) VALUES (:note)", {"note": "50% off: 'x'"})
    rows = store.db.execute("SELECT id, note FROM demo WHERE note LIKE '50%' AND note <> ':note?'").fetchall()
    assert [(row["id"], row["note"]) for row in rows] == [(1, "50% off: 'x'")]
    with store.transaction():
        store.db.execute("INSERT INTO demo (note) VALUES (?)", ("second",))
    with pytest.raises(RuntimeError), store.transaction():
        store.db.execute("INSERT INTO demo (note) VALUES (?)", ("rolled back",))
        raise RuntimeError
    assert [row[0] for row in store.db.execute("SELECT note FROM demo ORDER BY id")] == ["50% off: 'x'", "second"]


def test_a_row_is_read_by_position_or_name_and_holds_only_its_values(store_location):
    """Rows answer by position and by column name on both backends; a
    PostgreSQL row is a plain tuple of its values (its names are its class's,
    shared by the query's rows), with no dictionary of its own."""
    store = Store.open(store_location)
    rows = store.db.execute("SELECT 1 AS one, 'two' AS two UNION ALL SELECT 3, 'four' ORDER BY 1").fetchall()
    assert [(row[0], row["two"], dict(row)) for row in rows] == [
        (1, "two", {"one": 1, "two": "two"}), (3, "four", {"one": 3, "two": "four"})]
    if store.backend == "postgresql":
        assert type(rows[0]) is type(rows[1]) and not hasattr(rows[0], "__dict__")


def test_postgresql_statements_keep_literals_and_casts():
    assert postgresql_statement("SELECT '?', ':a', x::text FROM t WHERE a = ? AND b = :b AND c LIKE '5%'") == (
        "SELECT '?', ':a', x::text FROM t WHERE a = %s AND b = %(b)s AND c LIKE '5%%'")
    assert postgresql_statement("INSERT OR IGNORE INTO t VALUES (?);") == "INSERT INTO t VALUES (%s) ON CONFLICT DO NOTHING"


def test_a_password_in_the_database_address_is_refused():
    with pytest.raises(SotongError, match="PGPASSWORD"):
        Store.open("postgresql://sotong:secret@127.0.0.1:1/sotong")


PLUGIN_VERSIONS = {"delivery_bounces": 2, "delivery_clicks": 1, "delivery_journal": 9, "delivery_sms_results": 1,
                   "delivery_staff_copies": 1, "opinions": 1, "subscriptions": 8, "survey": 2,
                   "survey_retention": 1}


def test_sotong_db_upgrade_brings_every_plugins_tables_up_to_date(tmp_path, store_location):
    project = copy_project(tmp_path, extra_settings=f"SOTONG_DB = {store_location!r}")
    first = run_sotong(project, "db", "upgrade")
    assert first.code == 0, first.output
    for component, version in PLUGIN_VERSIONS.items():
        assert f"{component}: upgraded from version 0 to {version}" in first.stdout
    assert "core: at version 3, up to date" in first.stdout, "opening a store brings the core's tables up"
    store = Store.open(store_location)
    assert store.db.execute("SELECT count(*) FROM delivery_messages").fetchone()[0] == 0
    store.db.execute("INSERT INTO delivery_bounces (source_key, outbox, subscriber_id, channel, kind, day, "
                     "address_digest, recorded_at) VALUES ('k', 'o', 'S1', 'email', 'hard', 'd', 'a', 'r')")
    assert store.db.execute("SELECT id FROM delivery_bounces").fetchone()[0] == 1, "rowid keys numbered on both"
    again = run_sotong(project, "db", "upgrade")
    assert again.code == 0 and "upgraded" not in again.stdout and "survey: at version 2, up to date" in again.stdout


def test_a_store_of_the_last_release_gets_the_collectors_shared_count_and_claims_by_its_upgrade(tmp_path, store_location):
    """subscriptions' steps 5 to 8 on a store at step 4 (SUBSCRIBE_RATE
    counted in each collector's memory, the mail queue read whole by each,
    the phone codes written to each collector's own file):
    ``sotong db upgrade`` adds the table the collectors count in, the
    queue's claims (each with its token) and the queue of texts, keeps what the store held, and
    all work."""
    from subscriptions import storage

    project = copy_project(tmp_path, extra_settings=f"SOTONG_DB = {store_location!r}")
    assert run_sotong(project, "db", "upgrade").code == 0
    store = Store.open(store_location)
    store.db.execute("DROP TABLE subscriptions_rate")  # its index with it: the store as step 4 left it
    store.db.execute("ALTER TABLE subscriptions_mail DROP COLUMN claimed_until")
    store.db.execute("ALTER TABLE subscriptions_mail DROP COLUMN claim")
    store.db.execute("DROP TABLE subscriptions_texts")
    store.db.execute("UPDATE schema_versions SET version = 4 WHERE component = 'subscriptions'")
    store.db.execute("INSERT INTO subscriptions_links_mailed VALUES ('mailed-a-minute-ago', 1.0)")
    storage.queue_mail(store, "hong@example.com", "[성동구 소통] 신청 확인", "링크")
    store.close()
    result = run_sotong(project, "db", "upgrade")
    assert result.code == 0 and "subscriptions: upgraded from version 4 to 8" in result.stdout, result.output
    store = Store.open(store_location)
    try:
        assert [tuple(row) for row in store.db.execute("SELECT reader FROM subscriptions_links_mailed")] == [
            ("mailed-a-minute-ago",)]
        with store.transaction():
            assert [storage.count_request(store, "client", 1, 60, now) for now in (0.0, 1.0, 60.0)] == [0.0, 59.0, 0.0]
        assert [mail.recipient for mail in storage.claim_queued(store, storage.MAIL, 10, time.time())] == ["hong@example.com"]
        assert storage.claim_queued(store, storage.MAIL, 10, time.time()) == []  # claimed
        storage.queue_text(store, "S1", "010-2222-3333", "[성동구] 인증번호 123456", time.time() + 600)
        assert [text.phone for text in storage.claim_queued(store, storage.TEXTS, 10, time.time())] == ["010-2222-3333"]
    finally:
        store.close()


def test_a_lapsed_claim_takes_and_gives_back_nothing_that_another_claimed_since(tmp_path, store_location):
    """A text claimed by thread A, whose claim lapsed, is claimed by B: A can
    neither take it (to hand it over) nor give B's claim back; B takes it,
    and a text taken is held until its code ends (no claim takes it again);
    a mail taken is held a claim's length more."""
    from subscriptions import storage

    store = storage.ensure(Store.open(store_location))
    try:
        now = time.time()
        storage.queue_text(store, "S1", "010-2222-3333", "[성동구] 인증번호 123456", now + 600)
        [slow] = storage.claim_queued(store, storage.TEXTS, 10, now)
        later = now + storage.TEXT_CLAIM_SECONDS + 1
        [other] = storage.claim_queued(store, storage.TEXTS, 10, later)  # A's claim lapsed
        assert slow.claim != other.claim
        assert not storage.take_claimed(store, storage.TEXTS, slow, later)
        storage.release_queued(store, storage.TEXTS, [slow.id], slow.claim)
        assert storage.claim_queued(store, storage.TEXTS, 10, later) == []  # still B's
        assert storage.take_claimed(store, storage.TEXTS, other, later)
        assert storage.claim_queued(store, storage.TEXTS, 10, now + 599) == []  # held while its code holds
        storage.queue_mail(store, "hong@example.com", "[성동구 소통] 신청 확인", "링크")
        [mail] = storage.claim_queued(store, storage.MAIL, 10, now)
        assert storage.take_claimed(store, storage.MAIL, mail, now + 60)
        assert storage.claim_queued(store, storage.MAIL, 10, now + storage.CLAIM_SECONDS + 1) == []
        assert len(storage.claim_queued(store, storage.MAIL, 10, now + 60 + storage.CLAIM_SECONDS + 1)) == 1
    finally:
        store.close()


def test_publishconf_takes_the_store_from_the_environment(tmp_path, store_location):
    project = copy_project(tmp_path)
    result = run_sotong(project, "db", "upgrade", "-s", "publishconf.py",
                        env={"SOTONG_SECRET": "s" * 32, "SOTONG_DB": store_location})
    assert result.code == 0, result.output
    assert Store.open(store_location).db.execute("SELECT count(*) FROM delivery_messages").fetchone()[0] == 0
    assert not (project / "private" / "sotong.db").exists(), "pelicanconf.py's store is left alone"


def test_an_unreachable_database_is_one_line_and_exit_1(tmp_path):
    project = copy_project(tmp_path, extra_settings="SOTONG_DB = 'postgresql://sotong@/sotong?host=/nonexistent'")
    result = run_sotong(project, "db", "upgrade")
    assert result.code == 1
    assert result.stderr.startswith("SOTONG_DB: no PostgreSQL server answers at /nonexistent:5432; ")
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert result.stderr.rstrip().endswith(  # what to do next, not only libpq's words
        "; check that the server runs and that the host and port in SOTONG_DB are right, then run the command again")


def test_a_plugin_declares_its_schema_modules_once_and_db_upgrade_imports_them(tmp_path, monkeypatch):
    import sys

    from sotong import signals

    (tmp_path / "schema_demo_tables.py").write_text("IMPORTS = []\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    before = list(signals.store_schemas.receivers)
    for _registered in range(2):  # a plugin registered twice
        signals.declare_schemas("schema_demo_tables", "json")
    added = [key for key in signals.store_schemas.receivers if key not in before]
    try:
        assert len(added) == 1 and "schema_demo_tables" not in sys.modules
        signals.store_schemas.send(None)
        assert "schema_demo_tables" in sys.modules
    finally:
        signals.store_schemas.disconnect(signals._schema_importer(("schema_demo_tables", "json")))
        sys.modules.pop("schema_demo_tables", None)
