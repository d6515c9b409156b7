"""``sotong subscribers forget ID`` (SPEC §13) after the SMS agency's
results were imported: no row of any table in the store holds the person's
id afterwards (the SMS failures' keys included), on SQLite and PostgreSQL;
importing the same file again counts nothing twice before forget and leaves
the forgotten reader out after it, as ``sotong bounces`` does a late bounce
mail to them; ``sotong db upgrade`` rewrites the keys
of readers forgotten before forget did."""

from __future__ import annotations

import mailbox
from pathlib import Path

import pytest
from bounce_mails import postfix_dsn
from delivery.verp import make_return_path
from delivery_support import (SMTPServer, ScriptedHandler, add_subscribers, address_of, make_outbox, phone_of, run_cli,
                              store_rows)
from project_support import project_on, store_of

from sotong.store import Store

ISSUE = "2026-11-26"
BOUNCES = "bounces@sd.go.kr"
RESULTS = ("phone,status,code,time\n"
           f"{phone_of(1)},failed,2001,2026-11-26 09:03:15\n"
           f"{phone_of(2)},failed,2001,2026-11-26 09:03:16\n"
           f"{phone_of(3)},delivered,1000,2026-11-26 09:03:17\n")


@pytest.fixture
def imported(tmp_path, store_location) -> Path:
    """Three SMS readers S00001..S00003 of ISSUE, handed over, their results imported twice."""
    project = project_on(store_location, tmp_path, f'BOUNCE_ADDRESS = "{BOUNCES}"\nBOUNCE_MAILDIR = "private/bounces"\n')
    ids = add_subscribers(store_location, 3, channels=("sms",))
    make_outbox(project / "private" / "outbox", ISSUE, [], ["2026-11-21-cold-wave-warning"], sms={i: "SMS" for i in ids})
    with SMTPServer(ScriptedHandler()) as server:
        sent = run_cli(project / "pelicanconf.py", "send", "--issue", ISSUE, "--host", "127.0.0.1", "--port", str(server.port))
    assert sent.code == 0, sent.output
    assert "2 failures new to the journal" in import_results(project).output
    assert "0 failures new to the journal" in import_results(project).output  # the same file again
    assert sms_counts(project) == [(2, 2)]
    return project


def import_results(project: Path):
    (project / "results.csv").write_text(RESULTS, encoding="utf-8")
    ran = run_cli(project / "pelicanconf.py", "send", "results", "--issue", ISSUE, str(project / "results.csv"))
    assert ran.code == 0, ran.output
    return ran


def sms_counts(project: Path) -> list[tuple]:
    """(SMS failures among the bounces, failed results) of the store."""
    return store_rows(project, "SELECT (SELECT count(*) FROM delivery_bounces WHERE channel = 'sms'),"
                               " (SELECT count(*) FROM delivery_sms_results WHERE status = 'failed')")


def rows_holding(project: Path, text: str) -> list[tuple[str, str]]:
    """(table, column) of every cell of every table in the store whose text holds ``text``."""
    store = Store.open(store_of(project))
    try:
        found = []
        for table in store.tables():
            for column in store.columns(table):
                hits = store.db.execute(f'SELECT count(*) FROM "{table}" WHERE CAST("{column}" AS TEXT) LIKE ?',
                                        (f"%{text}%",)).fetchone()[0]
                found += [(table, column)] * bool(hits)
        return found
    finally:
        store.close()


def test_after_forget_no_row_of_the_store_holds_the_persons_id(imported):
    assert ("delivery_bounces", "source_key") in rows_holding(imported, "S00001")  # what forget has to erase
    forgot = run_cli(imported / "pelicanconf.py", "subscribers", "forget", "S00001")
    assert forgot.code == 0, forgot.output
    assert rows_holding(imported, "S00001") == []
    assert sms_counts(imported) == [(2, 2)]  # the counts stay
    assert ("delivery_bounces", "source_key") in rows_holding(imported, "S00002")  # the others' keys are as they were
    again = import_results(imported)
    assert "Left out 1 results of readers forgotten since the send" in again.output
    assert "0 failures new to the journal" in again.output
    assert rows_holding(imported, "S00001") == []
    assert sms_counts(imported) == [(2, 2)]


def test_a_late_email_bounce_of_a_forgotten_reader_records_nothing_naming_them(imported):
    assert run_cli(imported / "pelicanconf.py", "subscribers", "forget", "S00001").code == 0
    box = mailbox.Maildir(str(imported / "private" / "bounces"), create=True)
    for again in (False, True):  # the same two mails delivered again: the forgotten one is still no "counted before"
        for serial, reader in enumerate(("S00001", "S00002"), 1):
            box.add(postfix_dsn(make_return_path(BOUNCES, reader, ISSUE), address_of(reader), serial=serial))
        ran = run_cli(imported / "pelicanconf.py", "bounces")
        assert ran.code == 0, ran.output
        new, before = (0, 1) if again else (1, 0)
        assert ran.output.splitlines()[-2:] == [
            f"Bounces: 2 (2 hard, 0 soft) from 2 readers, {new} new and {before} counted before; moved to sotong-handled.",
            "Of them, 1 to readers forgotten since the send (sotong subscribers forget): moved, recorded nowhere."]
        assert rows_holding(imported, "S00001") == []
        assert store_rows(imported, "SELECT subscriber_id FROM delivery_bounces WHERE channel = 'email'") == [("S00002",)]


def test_db_upgrade_rewrites_the_sms_keys_of_readers_forgotten_before(imported):
    """An old store: forget gave the rows a stand-in id and left the id in the key."""
    store = Store.open(store_of(imported))
    with store.transaction() as db:
        db.execute("DELETE FROM subscribers WHERE id = 'S00001'")
        for table in ("delivery_bounces", "delivery_sms_results"):
            db.execute(f"UPDATE {table} SET subscriber_id = 'forgotten-0123456789abcdef' WHERE subscriber_id = 'S00001'")
        db.execute("UPDATE schema_versions SET version = 1 WHERE component = 'delivery_bounces'")
    store.close()
    assert ("delivery_bounces", "source_key") in rows_holding(imported, "S00001")
    upgraded = run_cli(imported / "pelicanconf.py", "db", "upgrade")
    assert upgraded.code == 0, upgraded.output
    assert ("delivery_bounces", "source_key") not in rows_holding(imported, "S00001")
    assert store_rows(imported, "SELECT source_key FROM delivery_bounces ORDER BY subscriber_id") == [
        (f"sms:{ISSUE}:S00002:2026-11-26T09:03:16+09:00",), (f"sms:{ISSUE}:forgotten:1",)]
