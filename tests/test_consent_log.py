"""The consent log (SPEC §13): every change to a subscriber, from every
source (CSV import, one-click unsubscribe over real HTTP, SMS opt-out), is
logged by the store itself with old and new values, its source and Seoul
time; ``sotong subscribers changes`` exports it (formula cells as text) and
``sotong subscribers forget`` leaves no trace of the person but counts."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from project_support import copy_project, serving
from delivery_support import run_cli, store_rows
from test_serve import ONE_CLICK, request

from sotong.audiences import load_audiences
from sotong.project import Project
from sotong.store import LOGGED_COLUMNS, Store, Subscriber
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
    return store_rows(project, "SELECT source, field, old_value, new_value, changed_at FROM consent_log "
                               f"WHERE subscriber_id = '{subscriber_id}' ORDER BY id")


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
    rows = store.db.execute("SELECT source, field, old_value, new_value FROM consent_log").fetchall()
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
    rows = store.db.execute("SELECT subscriber_id, source FROM consent_log WHERE field = 'unsubscribed_at' "
                            "ORDER BY subscriber_id").fetchall()
    assert [tuple(r) for r in rows] == [("S1", "unsubscribe-link"), ("S2", "unsubscribe-link"), ("S4", "preferences"),
                                        ("S5", "store")]
    store.close()


def test_changes_export_from_a_day_with_formula_cells_as_text(project):
    import_csv(project, KIM)
    db = sqlite3.connect(project / "private" / "sotong.db")
    db.execute("UPDATE consent_log SET changed_at = '2026-10-01T09:00:00+09:00' WHERE field = 'email'")
    db.commit()
    db.close()
    out = project / "private" / "changes.csv"
    settings = project / "pelicanconf.py"
    result = run_cli(settings, "subscribers", "changes", "--since", "2026-11-01", str(out))
    assert result.code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert "email" not in {row["field"] for row in rows}  # before the day
    name = next(row for row in rows if row["field"] == "name")
    assert name["new_value"] == "'=HYPERLINK(\"http://x\")" and name["subscriber_id"] == "S1"
    assert name["source"] == "csv-import"
    everything = run_cli(settings, "subscribers", "changes", "--since", "2026-01-01", str(out))
    assert "email" in {row["field"] for row in csv.DictReader(out.open(encoding="utf-8-sig"))}, everything.output
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
            before, logged = snapshot(store), store.db.execute("SELECT count(*) FROM consent_log").fetchone()[0]
            records = [(line, {c: v for c, v in cells.items() if v is not None}) for line, cells in enumerate(rows, 2)]
            import_records(store, records, AUDIENCES, 2026)
            log = store.db.execute("SELECT subscriber_id, field, old_value, new_value, source FROM consent_log "
                                   "ORDER BY id").fetchall()[logged:]
            assert {row[4] for row in log} <= {"csv-import"}
            assert [tuple(row[:4]) for row in log] == expected_log(before, snapshot(store), [c["id"] for c in rows])
    finally:
        store.close()
