"""The consent log (SPEC §13): every change to a subscriber, from every
source (CSV import, one-click unsubscribe over real HTTP, SMS opt-out), is
logged by the store itself with old and new values, its source and Seoul
time; ``sotong subscribers changes`` exports it (formula cells as text) and
``sotong subscribers forget`` leaves no trace of the person but counts."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from project_support import copy_project, in_terminal, serving
from delivery_support import run_cli, store_rows
from test_serve import ONE_CLICK, request

from sotong.audiences import load_audiences
from sotong.project import Project
from sotong.store import (LOGGED_COLUMNS, SCRATCH_STAGED, SEOUL, SUBSCRIBER_COLUMNS, Store, Subscriber, now_iso,
                          scratch_staging_table, seoul_time_sql)
from sotong.subscribers import import_records
from sotong.tokens import unsubscribe_token
from sotong.web import make_app

HEADER = "id,name,email,phone,birth_year,gender,dong,fields,channels,kind,business_type,subscribed_at,unsubscribed_at\n"
AUDIENCES = load_audiences(Path(__file__).resolve().parent.parent / "audiences.yaml")
KIM = "S1,=HYPERLINK(\"http://x\"),kim@example.com,010-1234-5678,1950,F,yongdap,health;culture,email;sms,person,,2026-01-05,\n"


@pytest.fixture
def project(tmp_path):
    return copy_project(tmp_path)


def log_rows(project, subscriber_id="S1"):
    return store_rows(project, "SELECT source, field, old_value, new_value, changed_at FROM consent_log_columns "
                               f"WHERE subscriber_id = '{subscriber_id}' ORDER BY id, position")


def import_csv(project, text):
    path = project / "private" / "in.csv"
    path.parent.mkdir(exist_ok=True)
    path.write_text(HEADER + text, encoding="utf-8")
    return run_cli(project / "pelicanconf.py", "subscribers", "import", str(path))


def test_csv_import_logs_each_new_value_and_then_only_what_changed(project):
    assert import_csv(project, KIM).code == 0
    first = log_rows(project)
    assert {row[0] for row in first} == {"csv-import"}
    assert {(row[1], row[2], row[3]) for row in first} >= {
        ("email", None, "kim@example.com"), ("channels", None, "email;sms"), ("fields", None, "culture;health")}
    assert all(row[4].endswith("+09:00") for row in first)
    assert import_csv(project, KIM).code == 0  # unchanged: nothing logged
    assert log_rows(project) == first
    assert import_csv(project, KIM.replace("yongdap", "majang").replace("health;culture", "health")).code == 0
    assert [row[:4] for row in log_rows(project)[len(first):]] == [
        ("csv-import", "dong", "yongdap", "majang"), ("csv-import", "fields", "culture;health", "health")]


def test_joining_or_leaving_a_group_by_import_is_logged(project):
    """Membership is the consent to a group's notices (SPEC §16), and SPEC
    §13 logs every change of consent: an import that made a reader a
    committee member, or took them out, changed what they get and was not
    logged. A file without the groups column keeps them, and logs nothing."""
    with_groups = HEADER.replace("unsubscribed_at\n", "unsubscribed_at,groups\n")
    path = project / "private" / "in.csv"
    path.parent.mkdir(exist_ok=True)
    for groups in ("", "주민참여예산위원회;org-tongjang", "org-tongjang"):
        path.write_text(with_groups + KIM.replace("\n", f",{groups}\n"), encoding="utf-8")
        assert run_cli(project / "pelicanconf.py", "subscribers", "import", str(path)).code == 0
    assert import_csv(project, KIM).code == 0
    assert [row[:4] for row in log_rows(project) if row[1] == "groups"] == [
        ("csv-import", "groups", "", "committee-budget;org-tongjang"),
        ("csv-import", "groups", "committee-budget;org-tongjang", "org-tongjang")]


def test_a_postgresql_store_whose_log_function_knew_no_groups_logs_them_once_opened(store_location, monkeypatch):
    """The trigger function of a PostgreSQL store is kept in the store: one
    written before groups were logged is replaced when the store is opened."""
    import sotong.store as core

    store = Store.open(store_location)
    if store.backend == "postgresql":
        with monkeypatch.context() as older:
            older.setattr(core, "LOGGED_COLUMNS", tuple(c for c in LOGGED_COLUMNS if c != "groups"))
            older.setattr(core, "_TRIGGER_LAYOUT", "one row per change")
            store.db.executescript(core._postgresql_consent_trigger())
    store.close()
    store = Store.open(store_location)
    try:
        store.put_subscriber(Subscriber(id="S1", email="kim@example.com"))
        store.put_subscriber(Subscriber(id="S1", email="kim@example.com", groups=frozenset({"org-tongjang"})))
        (changes,), = store.db.execute("SELECT changes FROM consent_log ORDER BY id DESC LIMIT 1").fetchall()
        assert json.loads(changes) == {"groups": ["", "org-tongjang"]}
    finally:
        store.close()


def test_one_click_unsubscribe_over_http_is_logged_as_its_source(project):
    import_csv(project, KIM)
    app = make_app(Project(project / "pelicanconf.py"))
    with serving(app) as port:
        status, _headers, _body = request(port, "POST", f"/u/{unsubscribe_token('S1')}", b"List-Unsubscribe=One-Click",
                                          ONE_CLICK)
        assert status == 200
        assert request(port, "POST", f"/u/{unsubscribe_token('S1')}", b"", ONE_CLICK)[0] == 200  # a replay logs nothing
    rows = [row for row in log_rows(project) if row[0] != "csv-import"]
    assert [row[:3] for row in rows] == [("unsubscribe-link", "unsubscribed_at", None)]
    assert rows[0][3].endswith("+09:00")


def test_sms_optout_import_is_logged(project):
    import_csv(project, KIM)
    phones = project / "optout.txt"
    phones.write_text("01012345678\n", encoding="utf-8")
    assert run_cli(project / "pelicanconf.py", "subscribers", "unsubscribe", "--phones", str(phones)).code == 0
    rows = [row for row in log_rows(project) if row[0] != "csv-import"]
    assert [row[:3] for row in rows] == [("sms-optout", "sms_unsubscribed_at", None)]


def test_a_writer_that_names_no_source_is_still_logged(store_location):
    store = Store.open(store_location)
    store.put_subscriber(Subscriber(id="S9", email="a@example.com", channels=frozenset({"email"})))
    with store.changes_from("preferences"):
        store.put_subscriber(Subscriber(id="S9", email="b@example.com", channels=frozenset({"email"})))
    rows = store.db.execute("SELECT source, field, old_value, new_value FROM consent_log_columns "
                            "ORDER BY id, position").fetchall()
    assert [tuple(r) for r in rows] == [("store", "email", None, "a@example.com"), ("store", "channels", None, "email"),
                                        ("store", "kind", None, "person"),
                                        ("preferences", "email", "a@example.com", "b@example.com")]
    assert store.change_source == "store"


def test_each_change_is_logged_with_the_source_named_around_it_through_repeats_and_rollbacks(store_location):
    """The source names every write inside its block and none after it, also
    when the same source comes block after block (on PostgreSQL the session's
    setting is sent only when it changes) and after a rolled-back transaction
    (which undoes a setting made inside it)."""
    store = Store.open(store_location)
    for number in range(1, 6):
        store.put_subscriber(Subscriber(id=f"S{number}", email=f"s{number}@example.com", channels=frozenset({"email"})))
    for subscriber_id in ("S1", "S2"):
        with store.changes_from("unsubscribe-link"):
            store.unsubscribe(subscriber_id)
    store.db.execute("BEGIN")
    with store.changes_from("preferences"):
        store.unsubscribe("S3")
        store.db.execute("ROLLBACK")
        store.unsubscribe("S4")
    store.unsubscribe("S5")
    rows = store.db.execute("SELECT subscriber_id, source FROM consent_log_columns WHERE field = 'unsubscribed_at' "
                            "ORDER BY subscriber_id").fetchall()
    assert [tuple(r) for r in rows] == [("S1", "unsubscribe-link"), ("S2", "unsubscribe-link"), ("S4", "preferences"),
                                        ("S5", "store")]
    store.close()


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=int(dt.datetime(1989, 1, 1, tzinfo=SEOUL).timestamp()),
                   max_value=int(dt.datetime(2100, 1, 1, tzinfo=SEOUL).timestamp())))
def test_the_time_the_triggers_write_is_seoul_time_as_python_writes_it(moment):
    """SQLite's Seoul time reads every second since 1989 as the store's own
    clock (zoneinfo's Asia/Seoul) writes it."""
    db = sqlite3.connect(":memory:")
    written = db.execute("SELECT " + seoul_time_sql("?, 'unixepoch'"), (moment,)).fetchone()[0]
    db.close()
    assert written == dt.datetime.fromtimestamp(moment, SEOUL).isoformat()


def test_the_sqlite_triggers_log_the_time_without_calling_python(tmp_path):
    """The collector's unsubscribes are logged at Seoul's time by SQL: the
    connection has no Python clock function for a trigger to call (one
    would take the GIL back in the middle of each write; issue #16)."""
    store = Store.open(tmp_path / "sotong.db")
    store.put_subscriber(Subscriber(id="S1", email="s1@example.com", channels=frozenset({"email"})))
    before = now_iso()
    with store.changes_from("unsubscribe-link"):
        store.unsubscribe("S1")
    after = now_iso()
    (changed_at, source), = store.db.execute("SELECT changed_at, source FROM consent_log_columns "
                                             "WHERE field = 'unsubscribed_at'").fetchall()
    assert before <= changed_at <= after and changed_at.endswith("+09:00") and source == "unsubscribe-link"
    with pytest.raises(sqlite3.OperationalError, match="no such function"):
        store.db.execute("SELECT sotong_now()")
    store.close()


def test_changes_export_from_a_day_with_formula_cells_as_text(project):
    import_csv(project, KIM)
    db = sqlite3.connect(project / "private" / "sotong.db")
    db.execute("UPDATE consent_log SET changed_at = '2026-10-01T09:00:00+09:00'")  # the first import
    db.commit()
    db.close()
    import_csv(project, KIM.replace("kim@", "kim.min@"))
    out = project / "private" / "changes.csv"
    settings = project / "pelicanconf.py"
    result = run_cli(settings, "subscribers", "changes", "--since", "2026-11-01", str(out))
    assert result.code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert [(row["field"], row["old_value"], row["new_value"]) for row in rows] == [
        ("email", "kim@example.com", "kim.min@example.com")]  # the first import was before the day
    everything = run_cli(settings, "subscribers", "changes", "--since", "2026-01-01", str(out))
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    name = next(row for row in rows if row["field"] == "name")
    assert name["new_value"] == "'=HYPERLINK(\"http://x\")" and name["subscriber_id"] == "S1", everything.output
    assert name["source"] == "csv-import" and len(rows) == 11
    assert run_cli(settings, "subscribers", "changes", "--since", "11/01", str(out)).code == 2
    refused = run_cli(settings, "subscribers", "changes", "--since", "2026-01-01", str(project / "output" / "c.csv"))
    assert refused.code == 1 and "may not be written under" in refused.output


def test_forget_leaves_no_trace_of_the_person_but_the_counts(project):
    from delivery import bounces, journal
    from survey import storage

    import_csv(project, KIM + KIM.replace("S1", "S2").replace("kim@", "lee@").replace("1234-5678", "9999-0000"))
    store = Store.open(project / "private" / "sotong.db")
    store.ensure_schema(journal.SCHEMA)
    bounces.ensure(store)
    storage.ensure(store)
    for reader in ("S1", "S2"):
        store.db.execute("INSERT INTO delivery_messages (outbox, kind, subscriber_id, channel, type, notices, state, "
                         "queued_at, updated_at) VALUES ('2026-11-26', 'issue', ?, 'email', 'EMAIL', '[]', 'sent', 'x', 'x')", (reader,))
        store.db.execute("INSERT INTO delivery_bounces (source_key, outbox, subscriber_id, channel, kind, day, "
                         "address_digest, recorded_at) VALUES (?, '2026-11-26', ?, 'email', 'hard', 'd', ?, 'x')",
                         (f"k{reader}", reader, f"digest-of-{reader}"))
        store.db.execute("INSERT INTO survey_invitations VALUES ('park', ?, '2026-11-26', 'x')", (reader,))
        store.db.execute("INSERT INTO survey_responses VALUES (?, 'park', ?, '2026-11-27')", (f"r{reader}", reader))
    store.close()
    result = run_cli(project / "pelicanconf.py", "subscribers", "forget", "S1")
    assert result.code == 0, result.output
    dump = "\n".join(sqlite3.connect(project / "private" / "sotong.db").iterdump())
    for trace in ("'S1'", "kim@example.com", "010-1234-5678", "digest-of-S1"):
        assert trace not in dump
    assert "lee@example.com" in dump and "digest-of-S2" in dump  # the other reader untouched
    for table in ("delivery_messages", "delivery_bounces", "survey_invitations", "survey_responses"):
        assert store_rows(project, f"SELECT count(*) FROM {table}") == [(2,)]
    assert store_rows(project, "SELECT count(*) FROM subscribers") == [(1,)]
    assert run_cli(project / "pelicanconf.py", "subscribers", "forget", "S1").code == 1


# --- the import's log against a brute-force reading of SPEC §13 ------------------------------

import_cells = st.fixed_dictionaries({
    "id": st.sampled_from(["S1", "S2", "S3", "S4"]),
    "name": st.sampled_from(["", "김민서", "=SUM(A1)"]),
    "email": st.sampled_from(["", "kim@example.com", "Lee@Example.COM", "kim@@example.com"]),
    "phone": st.sampled_from(["", "010-1234-5678", "+82 10 9999 0000"]),
    "birth_year": st.sampled_from(["", "1950", "1985", "85"]),
    "gender": st.sampled_from(["", "F", "남"]),
    "dong": st.sampled_from(["", "yongdap", "majang"]),
    "fields": st.sampled_from(["", "health", "culture;health"]),
    "channels": st.sampled_from(["", "email", "email;sms"]),
    "kind": st.sampled_from(["", "person", "business"]),
    "business_type": st.sampled_from(["", "food-service"]),
    "subscribed_at": st.sampled_from(["", "2026-01-05", "2026-03-01"]),
    "unsubscribed_at": st.sampled_from(["", "2026-02-01"]),
    "groups": st.sampled_from([None, "", "committee-budget"]),
})


def snapshot(store) -> dict:
    """Every subscriber as column -> its text (as the log keeps values)."""
    rows = store.db.execute(f"SELECT id, {', '.join(LOGGED_COLUMNS)} FROM subscribers").fetchall()
    return {row[0]: {c: None if v is None else str(v) for c, v in zip(LOGGED_COLUMNS, row[1:])} for row in rows}


def expected_log(before: dict, after: dict, ids: list[str]) -> list[tuple]:
    """SPEC §13 read literally: for each subscriber the import wrote, in file
    order, each logged column that changed, as (id, field, old, new); a new
    subscriber's values that are not empty count as changed from nothing."""
    log = []
    for key in dict.fromkeys(ids):
        old, new = before.get(key), after.get(key)
        for column in LOGGED_COLUMNS:
            if old is None and new is not None and new[column] not in (None, ""):
                log.append((key, column, None, new[column]))
            elif old is not None and old[column] != new[column]:
                log.append((key, column, old[column], new[column]))
    return log


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(imports=st.lists(st.lists(import_cells, min_size=1, max_size=4), min_size=1, max_size=3),
       unsubscribed=st.booleans())
def test_an_import_logs_exactly_what_changed_on_both_backends(store_location, imports, unsubscribed):
    store = Store.open(store_location)
    try:
        store.db.execute("DELETE FROM consent_log")
        store.db.execute("DELETE FROM subscribers")
        for rows in imports:
            if unsubscribed:  # the collector's unsubscribe, which an import keeps
                store.unsubscribe("S1", "2026-02-10T09:00:00+09:00")
            before = snapshot(store)
            logged = store.db.execute("SELECT coalesce(max(id), 0) FROM consent_log").fetchone()[0]
            records = [(line, {c: v for c, v in cells.items() if v is not None}) for line, cells in enumerate(rows, 2)]
            import_records(store, records, AUDIENCES, 2026)
            log = store.db.execute("SELECT subscriber_id, field, old_value, new_value, source FROM consent_log_columns "
                                   "WHERE id > ? ORDER BY id, position", (logged,)).fetchall()
            assert {row[4] for row in log} <= {"csv-import"}
            assert [tuple(row[:4]) for row in log] == expected_log(before, snapshot(store), [c["id"] for c in rows])
    finally:
        store.close()


# --- the log's layout: one row per change (#16) ------------------------------------------------

GOLDEN_CHANGES = Path(__file__).resolve().parent / "data" / "consent_changes.csv"
ROW_COLUMNS = HEADER.strip().split(",")
FIRST_IMPORT = [
    ("S1", '=HYPERLINK("http://x")', "kim@example.com", "010-1234-5678", "1950", "F", "yongdap", "health;culture",
     "email;sms", "", "", "2026-01-05", ""),
    ("S2", '이, "순신"', "lee@example.com", "", "", "", "", "culture", "email", "business", "food-service",
     "2026-02-01", ""),
]
SECOND_IMPORT = [
    ("S1", "김민서", "kim@example.com", "010-9999-0000", "1951", "F", "majang", "health", "email;sms", "", "",
     "2026-01-05", ""),
    FIRST_IMPORT[1][:-1] + ("2026-03-01",),
]


def write_every_kind_of_change(store) -> None:
    """Two imports (new and changed rows), a writer without a source, an
    unsubscribe and an SMS opt-out; every change at one time."""
    def records(rows):
        return [(line, dict(zip(ROW_COLUMNS, row))) for line, row in enumerate(rows, start=2)]

    import_records(store, records(FIRST_IMPORT), AUDIENCES, 2026)
    store.put_subscriber(Subscriber(id="S3", email="park@example.com", channels=frozenset({"email"})))
    import_records(store, records(SECOND_IMPORT), AUDIENCES, 2026)
    with store.changes_from("unsubscribe-link"):
        store.unsubscribe("S1", "2026-11-30T09:00:00+09:00")
    with store.changes_from("sms-optout"):
        store.db.execute("UPDATE subscribers SET sms_unsubscribed_at = '2026-11-30T10:00:00+09:00' WHERE id = 'S1'")
    store.db.execute("UPDATE consent_log SET changed_at = '2026-11-30T11:22:33+09:00'")


def test_the_log_keeps_one_row_per_change_and_the_export_writes_what_it_wrote_before(store_location, tmp_path):
    """tests/data/consent_changes.csv is what `subscribers changes` wrote for
    these changes when the log kept a row per changed column (commit b651a6a):
    the export is the same byte for byte on both backends."""
    from subscriptions.consent import write_changes

    store = Store.open(store_location)
    write_every_kind_of_change(store)
    logged = [(row[0], row[1], json.loads(row[2])) for row in
              store.db.execute("SELECT subscriber_id, source, changes FROM consent_log ORDER BY id")]
    assert [row[:2] for row in logged] == [("S1", "csv-import"), ("S2", "csv-import"), ("S3", "store"),
                                           ("S1", "csv-import"), ("S2", "csv-import"), ("S1", "unsubscribe-link"),
                                           ("S1", "sms-optout")]
    assert logged[3][2] == {"name": ['=HYPERLINK("http://x")', "김민서"], "phone": ["010-1234-5678", "010-9999-0000"],
                            "birth_year": ["1950", "1951"], "dong": ["yongdap", "majang"],
                            "fields": ["culture;health", "health"]}
    assert write_changes(store, "2026-11-30", tmp_path / "changes.csv") == 28
    assert (tmp_path / "changes.csv").read_bytes() == GOLDEN_CHANGES.read_bytes()
    assert write_changes(store, "2026-12-01", tmp_path / "later.csv") == 0
    store.close()


OLD_ROWS = [  # the log as a store of the former layout holds it: (id, subscriber, time, source, field, old, new)
    (3, "S1", "2026-11-01T09:00:00+09:00", "csv-import", "name", None, "=SUM(A1)"),
    (4, "S1", "2026-11-01T09:00:00+09:00", "csv-import", "email", None, "kim@example.com"),
    (5, "S2", "2026-11-01T09:00:00+09:00", "csv-import", "email", None, "lee@example.com"),
    (6, "S1", "2026-11-02T10:00:00+09:00", "unsubscribe-link", "unsubscribed_at", None, "2026-11-02T10:00:00+09:00"),
    (9, "S2", "2026-11-03T11:00:00+09:00", "preferences", "email", "lee@example.com", "lee2@example.com"),
    (10, "S2", "2026-11-03T11:00:00+09:00", "preferences", "birth_year", None, "1985"),
    # the same second and source again: a column that comes again starts the next change
    (11, "S2", "2026-11-03T11:00:00+09:00", "preferences", "email", "lee2@example.com", "lee3@example.com"),
    (12, "S1", "2026-11-04T12:00:00+09:00", "sms-optout", "sms_unsubscribed_at", None, "2026-11-04T12:00:00+09:00"),
]


def old_layout_store(store_location):
    """A store whose core is at version 1 (a consent log row per changed
    column) holding OLD_ROWS; on PostgreSQL with a trigger function of that
    time (it logs nothing here: replaced when the store is opened)."""
    from sotong.store import CORE_SCHEMA

    store = Store.open(store_location)
    store.put_subscriber(Subscriber(id="S1", email="kim@example.com"))
    store.db.execute("DROP VIEW consent_log_columns")
    store.db.execute("DROP TABLE consent_log")
    store.ensure_schema(CORE_SCHEMA)
    store.db.executemany("INSERT INTO consent_log (id, subscriber_id, changed_at, source, field, old_value, new_value) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?)", OLD_ROWS)
    store.db.execute("UPDATE schema_versions SET version = 1 WHERE component = 'core'")
    if store.backend == "postgresql":
        store.db.executescript("CREATE OR REPLACE FUNCTION sotong_consent_log() RETURNS trigger LANGUAGE plpgsql "
                               "AS $$ BEGIN RETURN NULL; END $$;")
    store.close()


def test_upgrading_an_older_store_groups_its_log_into_changes_and_keeps_every_value_in_order(store_location):
    old_layout_store(store_location)
    store = Store.open(store_location)  # opening upgrades
    assert store.schema_version("core") == 3
    rows = [tuple(row) for row in store.db.execute("SELECT id, subscriber_id, source, changes FROM consent_log "
                                                    "ORDER BY id")]
    assert [(row[:3], json.loads(row[3])) for row in rows] == [
        ((3, "S1", "csv-import"), {"name": [None, "=SUM(A1)"], "email": [None, "kim@example.com"]}),
        ((5, "S2", "csv-import"), {"email": [None, "lee@example.com"]}),
        ((6, "S1", "unsubscribe-link"), {"unsubscribed_at": [None, "2026-11-02T10:00:00+09:00"]}),
        ((9, "S2", "preferences"), {"email": ["lee@example.com", "lee2@example.com"], "birth_year": [None, "1985"]}),
        ((11, "S2", "preferences"), {"email": ["lee2@example.com", "lee3@example.com"]}),
        ((12, "S1", "sms-optout"), {"sms_unsubscribed_at": [None, "2026-11-04T12:00:00+09:00"]})]
    assert [tuple(row) for row in store.consent_changes("2026-11-01")] == [row[1:] for row in OLD_ROWS]
    assert _log_indexes(store) == []  # step 3: read by subscriber through the whole log
    with store.changes_from("preferences"):
        store.put_subscriber(Subscriber(id="S1", email="kim@example.net"))  # the trigger writes the new layout
    (last_id, changes), = store.db.execute("SELECT id, changes FROM consent_log WHERE id > 12").fetchall()
    assert json.loads(changes)["email"] == ["kim@example.com", "kim@example.net"]
    store.close()


def _log_indexes(store) -> list[str]:
    if store.backend == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'consent_log'"
    else:
        sql = "SELECT indexname FROM pg_indexes WHERE tablename = 'consent_log' AND indexname NOT LIKE '%pkey'"
    return [row[0] for row in store.db.execute(sql)]


subscriber_values = st.builds(
    Subscriber, id=st.sampled_from(["1", "2", "3"]), name=st.sampled_from([None, "", "김민서", '=1+"x"']),
    email=st.sampled_from([None, "a@example.com"]), birth_year=st.sampled_from([None, 1950, 1985]),
    fields=st.sampled_from([frozenset(), frozenset({"health", "culture"})]),
    kind=st.sampled_from(["person", "business"]), groups=st.sampled_from([frozenset(), frozenset({"committee-budget"})]),
    unsubscribed_at=st.sampled_from([None, "2026-02-01", "2026-02-01T09:00:00+09:00"]))


def stored_values(subscriber: Subscriber, prefix: str) -> tuple:
    """The subscriber's SUBSCRIBER_COLUMNS values as put_subscriber writes them, its id prefixed."""
    data = {**subscriber.__dict__, "id": prefix + subscriber.id}
    for column in ("fields", "channels", "groups"):
        data[column] = ";".join(sorted(data[column]))
    return tuple(data[column] for column in SUBSCRIBER_COLUMNS)


def write_as_the_import(store, rows: list[tuple], scratch: Path) -> None:
    """Write ``rows`` (the values of SUBSCRIBER_COLUMNS) over the store as the
    import writes checked rows: staged in the scratch SQLite file ``scratch``,
    then written from it by SQL (Store.staged_from, Store.put_staged_subscribers)."""
    scratch.unlink(missing_ok=True)
    db = sqlite3.connect(scratch, isolation_level=None)
    db.execute(scratch_staging_table())
    db.executemany(f"INSERT INTO {SCRATCH_STAGED} VALUES ({', '.join('?' * len(SUBSCRIBER_COLUMNS))})", rows)
    db.close()
    with store.staged_from([scratch]) as tables:
        store.put_staged_subscribers(SUBSCRIBER_COLUMNS, tables)


def log_of(store, prefix: str, after: int) -> list[tuple]:
    return [(row[0].removeprefix(prefix), *row[1:]) for row in store.db.execute(
        "SELECT subscriber_id, field, old_value, new_value FROM consent_log_columns WHERE id > ? "
        "AND subscriber_id LIKE ? ORDER BY id, position", (after, prefix + "%"))]


def last_log_id(store) -> int:
    return store.db.execute("SELECT coalesce(max(id), 0) FROM consent_log").fetchone()[0]


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(writes=st.lists(st.lists(subscriber_values, min_size=1, max_size=3, unique_by=lambda s: s.id),
                       min_size=1, max_size=3))
def test_the_triggers_and_the_bulk_write_log_the_same_changes_as_spec_13_on_both_backends(store_location, tmp_path,
                                                                                          writes):
    """The same writes, once through the triggers (put_subscriber, one row
    at a time: ids "T...") and once as the import writes them (ids "B..."):
    each logs one row per subscriber that changed, and the changed columns
    are SPEC §13's, read literally (expected_log)."""
    store = Store.open(store_location)
    try:
        store.db.execute("DELETE FROM consent_log")
        store.db.execute("DELETE FROM subscribers")
        for batch in writes:
            before = {key[1:]: value for key, value in snapshot(store).items() if key.startswith("T")}
            logged = last_log_id(store)
            with store.changes_from("csv-import"):
                for subscriber in batch:
                    store.put_subscriber(Subscriber(**{**subscriber.__dict__, "id": "T" + subscriber.id}))
                write_as_the_import(store, [stored_values(s, "B") for s in batch], tmp_path / "scratch.db")
            after = {key[1:]: value for key, value in snapshot(store).items() if key.startswith("T")}
            expected = expected_log(before, after, [s.id for s in batch])
            assert log_of(store, "T", logged) == expected
            assert log_of(store, "B", logged) == expected
            changed = len({row[0] for row in expected})
            assert store.db.execute("SELECT count(*), count(DISTINCT subscriber_id) FROM consent_log WHERE id > ?",
                                    (logged,)).fetchone()[:2] == (2 * changed, 2 * changed)
            assert {row[0] for row in store.db.execute("SELECT source FROM consent_log WHERE id > ?", (logged,))
                    } <= {"csv-import"}
    finally:
        store.close()


# --- the import's set-based writing (#16): staged rows, the log by one INSERT ... SELECT ----------

STAGED_FIRST = [  # (line, cells): the store before the import that is checked
    ("S1", "김민서", "kim@example.com", "email", ""), ("S2", "이순신", "lee@example.com", "email", "committee-budget"),
    ("S3", "박서준", "park@example.com", "email", ""), ("S4", "최지우", "choi@example.com", "email", ""),
]
STAGED_SECOND = [
    ("S1", 'Kim "민서" \\ 2층\n성수', "kim@example.com", "email", ""),  # changed: text JSON must escape
    ("S2", "이순신", "lee@example.com", "email", "committee-budget"),  # unchanged: nothing logged, nothing written
    ("S3", "박서준", "park@example.com", "email", "committee-budget"),  # groups only: membership is consent (§16)
    ("S4", "최지우", "choi@example.com", "email;sms", ""),  # changed, but its phone is wrong: refused
    ("S5", "", "new@example.com", "email", ""),  # new: only its values that are not empty
]


def staged_records(rows) -> list[tuple[int, dict]]:
    return [(line, {"id": key, "name": name, "email": email, "channels": channels, "groups": groups,
                    "subscribed_at": "2026-01-05"})
            for line, (key, name, email, channels, groups) in enumerate(rows, start=2)]


def test_the_bulk_import_logs_each_changed_subscriber_once_and_no_unchanged_one(store_location):
    """Rows unchanged, changed in a logged column, changed in groups only
    (logged: joining a committee is the consent to its papers, SPEC §16;
    it was written and not logged), refused, and new, imported over a store the collector wrote to
    meanwhile: one log row per subscriber whose logged columns changed, in
    the file's order, the same as the row triggers write for the same change;
    an unsubscribe the import keeps is no change."""
    store = Store.open(store_location)
    try:
        import_records(store, staged_records(STAGED_FIRST), AUDIENCES, 2026)
        with store.changes_from("unsubscribe-link"):
            store.unsubscribe("S2", "2026-02-10T09:00:00+09:00")
        logged = last_log_id(store)
        report = import_records(store, staged_records(STAGED_SECOND), AUDIENCES, 2026)
        assert (report.added, report.updated, report.unchanged, report.rejected) == (1, 2, 1, 1)
        rows = store.db.execute("SELECT subscriber_id, source, changes FROM consent_log WHERE id > ? ORDER BY id",
                                (logged,)).fetchall()
        assert [(row[0], row[1], json.loads(row[2])) for row in rows] == [
            ("S1", "csv-import", {"name": ["김민서", 'Kim "민서" \\ 2층\n성수']}),
            ("S3", "csv-import", {"groups": ["", "committee-budget"]}),
            ("S5", "csv-import", {"email": [None, "new@example.com"], "channels": [None, "email"],
                                  "kind": [None, "person"], "subscribed_at": [None, "2026-01-05"]})]
        assert store.subscriber("S3").groups == {"committee-budget"}
        assert store.subscriber("S2").unsubscribed_at == "2026-02-10T09:00:00+09:00"
        with store.changes_from("csv-import"):  # the same change through the row trigger writes the same JSON
            store.db.execute("UPDATE subscribers SET name = ? WHERE id = 'S1'", ("김민서",))
            store.db.execute("UPDATE subscribers SET name = ? WHERE id = 'S1'", ('Kim "민서" \\ 2층\n성수',))
        by_trigger = store.db.execute("SELECT changes FROM consent_log ORDER BY id DESC LIMIT 1").fetchone()[0]
        assert json.loads(by_trigger) == json.loads(rows[0][2])
        if store.backend == "sqlite":
            assert by_trigger == rows[0][2]
    finally:
        store.close()


def test_the_bulk_import_leaves_the_row_triggers_on_for_every_other_writer(store_location):
    """After an import (and after one refused for a repeated id, rolled back),
    the writers that rely on the triggers still log: an unsubscribe, a
    plain UPDATE; and the staging table is gone."""
    store = Store.open(store_location)
    try:
        import_records(store, staged_records(STAGED_FIRST), AUDIENCES, 2026)
        import_records(store, staged_records(STAGED_FIRST + STAGED_FIRST[:1]), AUDIENCES, 2026)
        logged = last_log_id(store)
        with store.changes_from("unsubscribe-link"):
            store.unsubscribe("S1", "2026-11-30T09:00:00+09:00")
        store.db.execute("UPDATE subscribers SET dong = 'majang' WHERE id = 'S3'")
        assert [tuple(row) for row in store.db.execute(
            "SELECT subscriber_id, source, field FROM consent_log_columns WHERE id > ? ORDER BY id, position",
            (logged,))] == [("S1", "unsubscribe-link", "unsubscribed_at"), ("S3", "store", "dong")]
        with pytest.raises(store.db.Error):
            store.db.execute("SELECT 1 FROM staged_subscribers").fetchall()
    finally:
        store.close()


def test_changes_shows_a_progress_bar_in_a_terminal(project):
    """The export of a large log took minutes in silence (926,482 rows of
    100,000 subscribers: 25 s); a terminal now sees a bar, as the export of
    subscribers shows one from 10,000 rows on."""
    from sotong.population import generate_population, write_csv

    people = project / "private" / "people.csv"
    people.parent.mkdir(exist_ok=True)
    write_csv(people, generate_population(1200, AUDIENCES, seed=1))
    settings = project / "pelicanconf.py"
    assert run_cli(settings, "subscribers", "import", str(people)).code == 0
    out = project / "private" / "changes.csv"
    shown = in_terminal("subscribers", "changes", "--since", "2000-01-01", str(out), "-s", str(settings))
    rows = sum(1 for _ in csv.reader(out.open(encoding="utf-8-sig"))) - 1
    assert rows >= 10_000 and b"Writing changes" in shown and f"{rows:,}/{rows:,}".encode() in shown, shown[-300:]
