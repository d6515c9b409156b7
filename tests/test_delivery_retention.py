"""``sotong send purge`` (content/pages/privacy.md, 제3조 2): a year after an
outbox's last send its journal rows, bounces, SMS results, files and issue
reports are destroyed, on both backends; the annual report of that year
reads the same afterwards (its counts kept without anyone in them); the
day of each reader's last message stays for 제3조 6; ``--dry-run`` counts."""

from __future__ import annotations

import datetime as dt
import os
import time
from zoneinfo import ZoneInfo

import pytest
from delivery_support import make_outbox, run_cli, send_outbox, store_rows
from project_support import project_on

from sotong.store import Store

TODAY = "2026-11-23"  # the records of outboxes last sent before 2025-11-23 go


@pytest.fixture
def project(tmp_path, store_location):
    project = project_on(store_location, tmp_path, f'SOTONG_TODAY = "{TODAY}"')
    root = project / "private" / "outbox"
    send_outbox(store_location, make_outbox(root, "2025-11-13", ["S1", "S2"], ["a-notice"], sms={"S1": "SMS"}),
                "2025-11-13T10:00:00+09:00")
    send_outbox(store_location, make_outbox(root, "2026-11-12", ["S1"], ["a-notice"]), "2026-11-12T10:00:00+09:00")
    from delivery import bounces, sms_results

    store = sms_results.ensure(bounces.ensure(Store.open(store_location)))
    with store.transaction() as db:
        db.execute("INSERT INTO delivery_bounces (source_key, outbox, subscriber_id, channel, kind, day, address_digest, "
                   "recorded_at) VALUES ('k1', '2025-11-13', 'S2', 'email', 'hard', '2025-11-14', 'digest', 'x')")
        db.execute("INSERT INTO delivery_sms_results (outbox, subscriber_id, status, code, time, imported_at) "
                   "VALUES ('2025-11-13', 'S1', 'delivered', '0', '2025-11-13T10:01:00+09:00', 'x')")
    store.close()
    return project


def outbox_rows(project, key: str) -> list[tuple]:
    return [store_rows(project, f"SELECT count(*) FROM {table} WHERE outbox = '{key}'")[0][0]
            for table in ("delivery_messages", "delivery_bounces", "delivery_sms_results")]


def files_of(folder) -> dict:
    return {path: path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def test_send_purge_destroys_an_outbox_a_year_after_its_send_and_the_annual_report_reads_the_same(project):
    settings = project / "pelicanconf.py"
    reports = project / "private" / "reports"
    reports.mkdir(parents=True)
    for suffix in ("html", "csv"):  # as sotong report --issue writes them
        (reports / f"issue-2025-11-13.{suffix}").write_text("S2 bounced", encoding="utf-8")
    before = run_cli(settings, "report", "--year", "2025")
    assert "2025: 1 notices, 3 deliveries (email 2, SMS 1, LMS 0)" in before.output, before.output
    annual_csv = (reports / "2025.csv").read_bytes()
    recent = project / "private" / "outbox" / "2026-11-12"
    recent_files = files_of(recent)
    assert outbox_rows(project, "2025-11-13") == [3, 1, 1]

    dry = run_cli(settings, "send", "purge", "--dry-run")
    assert dry.code == 0, dry.output
    assert "2025-11-13: would destroy delivery_messages 3, delivery_bounces 1, delivery_sms_results 1" in dry.output
    assert "1 outboxes last sent before 2025-11-23" in dry.output and "2026-11-12" not in dry.output
    assert outbox_rows(project, "2025-11-13") == [3, 1, 1]

    result = run_cli(settings, "send", "purge")
    assert result.code == 0, result.output
    assert outbox_rows(project, "2025-11-13") == [0, 0, 0]
    assert not (project / "private" / "outbox" / "2025-11-13").exists()
    assert not list(reports.glob("issue-2025-11-13.*"))
    assert outbox_rows(project, "2026-11-12") == [1, 0, 0] and files_of(recent) == recent_files
    assert store_rows(project, "SELECT subscriber_id, day FROM delivery_last_sent ORDER BY 1") == [
        ("S1", "2025-11-13"), ("S2", "2025-11-13")]
    after = run_cli(settings, "report", "--year", "2025")
    assert "2025: 1 notices, 3 deliveries (email 2, SMS 1, LMS 0)" in after.output, after.output
    assert (reports / "2025.csv").read_bytes() == annual_csv
    again = run_cli(settings, "send", "purge")  # nothing left to purge, nothing counted twice
    assert "0 outboxes" in again.output
    assert "3 deliveries" in run_cli(settings, "report", "--year", "2025").output


def test_an_outbox_never_sent_goes_a_year_after_it_was_made(project):
    root = project / "private" / "outbox"
    old = make_outbox(root, "2025-10-23", ["S3"], ["a-notice"])
    young = make_outbox(root, "2026-11-26", ["S3"], ["a-notice"])
    year_ago = time.mktime((2025, 11, 1, 12, 0, 0, 0, 0, -1))
    os.utime(old / "manifest.jsonl", (year_ago, year_ago))
    result = run_cli(project / "pelicanconf.py", "send", "purge")
    assert result.code == 0 and "2025-10-23: destroyed - and 3 files" in result.output, result.output
    assert not old.exists() and young.is_dir()


def test_an_outbox_made_on_the_first_kept_day_in_seoul_stays_on_a_utc_server(project, monkeypatch):
    """Made at 00:30 in Seoul on the first day kept (2025-11-23), which is
    still the day before on a server whose clock is UTC: its day was read in
    the machine's zone, and it was destroyed a day early."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    try:
        kept = make_outbox(project / "private" / "outbox", "2025-11-27", ["S3"], ["a-notice"])
        made = dt.datetime(2025, 11, 23, 0, 30, tzinfo=ZoneInfo("Asia/Seoul")).timestamp()
        os.utime(kept / "manifest.jsonl", (made, made))
        result = run_cli(project / "pelicanconf.py", "send", "purge")
    finally:
        monkeypatch.undo()  # the machine's zone back before the next test
        time.tzset()
    assert result.code == 0 and "2025-11-27" not in result.output, result.output
    assert kept.is_dir()


def test_invalid_marks_of_readers_without_that_address_any_more_go(project, store_location):
    """An unsubscribed reader's purge (or forget) leaves their marks' address
    digests pointing at nobody: send purge deletes them, the others stay."""
    from delivery import marks

    store = marks.ensure(Store.open(store_location))
    with store.transaction() as db:
        db.execute("INSERT INTO subscribers (id, email, phone) VALUES ('S1', 'kim@example.com', NULL), ('S2', NULL, NULL)")
        db.executemany("INSERT INTO delivery_invalid_marks (subscriber_id, channel, address_digest, marked_at) "
                       "VALUES (?, ?, ?, 'x')", [("S1", "email", "d1"), ("S1", "sms", "d2"), ("S2", "email", "d3"),
                                                  ("forgotten-1", "email", "")])
    store.close()
    dry = run_cli(project / "pelicanconf.py", "send", "purge", "--dry-run")
    assert "3 invalid marks of readers without that address any more would be destroyed" in dry.output, dry.output
    assert store_rows(project, "SELECT count(*) FROM delivery_invalid_marks") == [(4,)]
    result = run_cli(project / "pelicanconf.py", "send", "purge")
    assert "3 invalid marks" in result.output
    assert store_rows(project, "SELECT subscriber_id, channel FROM delivery_invalid_marks") == [("S1", "email")]


def test_bounces_read_after_their_outbox_was_purged_go_a_year_after_they_bounced(project, store_location):
    """A bounce mailbox first read long after the send (BOUNCE_MAILDIR set a
    year late) gives bounces of outboxes already purged: sotong bounces
    records them by their return path, and no purge ever destroyed them."""
    assert run_cli(project / "pelicanconf.py", "send", "purge").code == 0
    from delivery import bounces

    store = Store.open(store_location)
    with store.transaction() as db:
        db.execute("INSERT INTO subscribers (id, email) VALUES ('S1', 'kim@example.com'), ('S2', 'lee@example.com')")
        bounces.record(store, [("mail:old", "2025-11-13", "S2", "email", "hard", "2025-11-14", "5.1.1", ""),
                               ("mail:young", "2025-11-20", "S1", "email", "hard", "2025-11-24", "5.1.1", "")], "x")
    store.close()
    assert store_rows(project, "SELECT count(*) FROM delivery_bounces") == [(2,)]
    dry = run_cli(project / "pelicanconf.py", "send", "purge", "--dry-run")
    assert "2025-11-13: would destroy delivery_bounces 1 and its files" in dry.output, dry.output
    assert "2025-11-20" not in dry.output
    result = run_cli(project / "pelicanconf.py", "send", "purge")
    assert result.code == 0 and "2025-11-13: destroyed delivery_bounces 1 and 0 files" in result.output, result.output
    assert store_rows(project, "SELECT source_key FROM delivery_bounces") == [("mail:young",)]
    make_outbox(project / "private" / "outbox", "2025-11-20", ["S3"], ["a-notice"])  # the same key made again, not sent yet
    store = Store.open(store_location)
    with store.transaction() as db:
        db.execute("UPDATE delivery_bounces SET day = '2025-11-01'")
    store.close()
    result = run_cli(project / "pelicanconf.py", "send", "purge")
    assert "2025-11-20" not in result.output and (project / "private" / "outbox" / "2025-11-20").is_dir()
