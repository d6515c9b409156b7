"""What the office reads after sending (SPEC §11, §14) when an outbox is
sent again: ``sotong send`` run a second time (for deferred emails, as it
advises) must not tell staff to give sms.csv to the agency again, nor count
as left out the readers who had their email and unsubscribed after; an
outbox without emails says so instead of "all 0 were already sent"; and
``sotong send report`` tells states, channels and bounce kinds in Korean;
the issue report's emails add up (accepted, refused, not sent yet); a
full disk under the hand-over file leaves the SMS to hand over on the next
run."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from delivery_support import (SMTPServer, ScriptedHandler, add_subscribers, address_of, make_outbox, phone_of,
                              run_cli)
from project_support import copy_project, invoke_sotong, store_of, store_query
import test_bundles_integrity

from sotong.store import Store

ISSUE = "2026-11-26"
NOTICES = ["2026-11-21-cold-wave-warning", "2026-11-19-year-end-concert"]
small_disk = test_bundles_integrity.small_disk  # the fixture: a 256 KiB tmpfs (needs root, as in CI)
FAST = 'DELIVERY = {"backoff_seconds": 0.02, "backoff_max_seconds": 0.1, "timeout_seconds": 5, "max_attempts": 2}\nSEND_RATE = 2000\n'


@pytest.fixture
def project(tmp_path) -> Path:
    return copy_project(tmp_path, extra_settings=FAST)


def send(project: Path, port: int, key: str = ISSUE):
    return run_cli(project / "pelicanconf.py", "send", "--issue", key, "--host", "127.0.0.1", "--port", str(port))


def sent_twice(project: Path):
    """An outbox of 4 emails and 2 SMS (one reader of SMS unsubscribed from
    them before the send) sent, one email deferred; then a reader who had the
    email unsubscribes through its link, and the office runs sotong send
    again for the deferred one, as the first run said to."""
    ids = add_subscribers(store_of(project), 6)
    make_outbox(project / "private" / "outbox", ISSUE, ids[:4], NOTICES, sms={ids[4]: "SMS", ids[5]: "LMS"})
    store_query(project, "UPDATE subscribers SET sms_unsubscribed_at = '2026-11-25' WHERE id = ?", (ids[5],))
    handler = ScriptedHandler()
    handler.rcpt_answers[address_of(ids[3])] = ["451 4.7.1 try later"] * 3
    with SMTPServer(handler) as server:
        first = send(project, server.port)
        store_query(project, "UPDATE subscribers SET unsubscribed_at = '2026-11-27' WHERE id = ?", (ids[0],))
        second = send(project, server.port)
    assert "Emails: 3 sent, 0 failed, 1 deferred" in first.output, first.output
    assert "Emails: 1 sent, 0 failed, 0 deferred" in second.output, second.output
    return first, second


def handover_files(project: Path, outboxes: Path | None = None) -> dict[str, list[str]]:
    """Each sms-handover file of the outbox (in ``outboxes``, else the project's): the ids of its rows."""
    folder = (outboxes or project / "private" / "outbox") / ISSUE
    return {path.name: [line.split(",")[0] for line in path.read_text(encoding="utf-8").splitlines()[1:]]
            for path in sorted(folder.glob("sms-handover-*.csv"))}


def test_a_second_run_says_the_sms_were_handed_over_already(project):
    first, second = sent_twice(project)
    given = re.search(r"SMS: 1 SMS messages \(SMS 1, LMS 0\) recorded as handed over; give private/outbox/2026-11-26/"
                      r"(sms-handover-\d{8}-\d{6}\.csv) to the SMS agency", first.output)
    assert given, first.output  # not sms.csv: it also holds the reader who unsubscribed from SMS
    assert handover_files(project) == {given.group(1): ["S00005"]}
    assert "Give the agency that file only, not private/outbox/2026-11-26/sms.csv" in first.output
    assert "Make sms.csv again without them" not in first.output
    assert "SMS: 1 SMS messages were already recorded as handed over, on 20" in second.output
    assert "Do not give private/outbox/2026-11-26/sms.csv to the SMS agency again" in second.output
    assert "give private/outbox/2026-11-26/sms.csv to the SMS agency (" not in second.output
    assert "Make sms.csv again" not in second.output


def test_a_second_run_leaves_out_only_readers_whose_message_had_not_gone(project):
    first, second = sent_twice(project)
    left_out = "Left out: 1 readers unsubscribed or unreachable since bundling (email 0, SMS 1)."
    assert left_out in first.output and left_out in second.output


def test_a_second_run_tells_the_outbox_in_all_as_well_as_itself(project):
    """The run for the deferred email sends 1: staff also read that the
    outbox's 4 are sent, not just this run's; a first run says nothing more."""
    first, second = sent_twice(project)
    assert "All emails of this outbox so far" not in first.output
    assert "All emails of this outbox so far: 4 sent (4 in all)." in second.output


def test_an_outbox_without_emails_says_so(project):
    ids = add_subscribers(store_of(project), 2)
    make_outbox(project / "private" / "outbox", ISSUE, [], NOTICES, sms={ids[0]: "SMS", ids[1]: "LMS"})
    with SMTPServer(ScriptedHandler()) as server:
        ran = send(project, server.port)
    assert ran.code == 0, ran.output
    assert "Emails: this outbox has none to send." in ran.output
    assert "all 0" not in ran.output


def test_send_report_tells_each_state_and_kind_in_korean(project):
    """The staff read ``sotong send report`` in Korean: the states of the
    messages, their channel and the bounces' kind too, and how many in all."""
    ids = add_subscribers(store_of(project), 6)
    make_outbox(project / "private" / "outbox", ISSUE, ids[:4], NOTICES, sms={ids[4]: "SMS", ids[5]: "LMS"})
    handler = ScriptedHandler()
    handler.rcpt_answers[address_of(ids[3])] = ["451 4.7.1 try later"] * 3
    handler.refuse[address_of(ids[2])] = "550 5.1.1 no such user"
    with SMTPServer(handler) as server:
        send(project, server.port)
    (project / "results.csv").write_text(f"phone,status,code,time\n{phone_of(1)},failed,2001,2026-11-26 09:00\n",
                                         encoding="utf-8")
    assert run_cli(project / "pelicanconf.py", "send", "results", "--issue", ISSUE, str(project / "results.csv")).code == 0
    report = invoke_sotong(project, "send", "report", "--issue", ISSUE, env={"SOTONG_LANG": "ko"})
    assert "  이메일: 보냄 2, 실패 1, 미뤄짐 1 (모두 4건)\n" in report.output, report.output
    assert "  문자(SMS·LMS): 대행사에 넘김 2 (모두 2건)\n" in report.output
    assert f"  {ids[2]}  이메일  1번 시도 후: 550" in report.output
    # headed by their count in one pair of brackets: "미뤄짐 (다음 sotong send 때 다시 보냅니다) (1):"
    assert "\n실패 (1건):\n" in report.output and "\n미뤄짐 (1건, 다음 sotong send 때 다시 보냅니다):\n" in report.output
    # the agency's code in Korean words: it read "2001 SMS agency: failed 2001"
    assert f"  {ids[4]}  문자  영구 (2026-11-26): 문자 발송 대행사가 실패로 알림 (코드 2001)\n" in report.output
    assert not re.search(r"\b(sent|failed|deferred|handed over|email|sms|hard|soft|agency)\b", report.output.replace(
        "sotong send", "")), report.output


# --- the issue report's figures add up, read from a real journal ------------------------------

STATES = {"email": ("queued", "sending", "deferred", "sent", "failed"), "sms": ("handed_over",)}
message = st.one_of(
    st.tuples(st.just("email"), st.sampled_from(STATES["email"]), st.lists(st.sampled_from(["hard", "soft"]), max_size=3),
              st.just(None), st.lists(st.sampled_from(NOTICES), min_size=1, max_size=2, unique=True)),
    st.tuples(st.just("sms"), st.sampled_from(["handed_over"]), st.just([]),
              st.sampled_from([None, "delivered", "failed"]),
              st.lists(st.sampled_from(NOTICES), min_size=1, max_size=2, unique=True)))


@pytest.fixture(scope="module")
def journal_store(tmp_path_factory):
    from delivery import bounces, sms_results
    from delivery.journal import Journal

    store = Store.open(tmp_path_factory.mktemp("journal") / "sotong.db")
    Journal(sms_results.ensure(bounces.ensure(store)))
    yield store
    store.close()


def fill(store, messages) -> None:
    """The journal of ISSUE as ``messages`` say: (channel, state, late bounces, SMS result, notices) each."""
    with store.transaction() as db:
        for table in ("delivery_messages", "delivery_bounces", "delivery_sms_results"):
            db.execute(f"DELETE FROM {table}")
        for number, (channel, state, late, result, notices) in enumerate(messages):
            reader = f"S{number:05d}"
            db.execute("INSERT INTO delivery_messages (outbox, kind, subscriber_id, channel, type, notices, state,"
                       " attempts, queued_at, updated_at) VALUES (?, 'issue', ?, ?, ?, ?, ?, ?, 'q', 'u')",
                       (ISSUE, reader, channel, "EMAIL" if channel == "email" else "LMS", json.dumps(notices), state,
                        int(state != "queued")))
            for serial, kind in enumerate(late):
                db.execute("INSERT INTO delivery_bounces (source_key, outbox, subscriber_id, channel, kind, day,"
                           " address_digest, recorded_at) VALUES (?, ?, ?, 'email', ?, '2026-11-27', 'd', 'r')",
                           (f"{reader}.{serial}", ISSUE, reader, kind))
            if result:
                db.execute("INSERT INTO delivery_sms_results VALUES (?, ?, ?, '1000', 't', 'i')", (ISSUE, reader, result))


@settings(max_examples=60, deadline=None)
@given(st.lists(message, max_size=12))
def test_the_issue_reports_emails_add_up_and_a_message_counts_once(journal_store, messages):
    """Every email of the journal is accepted, refused or not sent yet; an
    accepted message with several late bounces counts once (hard when one
    is), and leaves the reached when hard; an SMS
    is delivered, failed or not reported; each notice's line counts the
    messages that held it."""
    from delivery.issue_report import issue_report, journal_rows

    fill(journal_store, messages)
    notice_rows, message_rows, titles = journal_rows(journal_store, ISSUE)
    report = issue_report(ISSUE, notice_rows, message_rows, {}, titles, [])
    email, sms = report.by_channel["email"], report.by_channel["sms"]
    emails = [m for m in messages if m[0] == "email"]
    assert report.total.messages == len(messages) == email.messages + sms.messages
    assert email.messages == len(emails) == email.accepted + email.refused + email.unsent
    assert email.unsent == sum(1 for m in emails if m[1] not in ("sent", "failed"))
    accepted = [m for m in emails if m[1] == "sent"]  # a bounce of one not (yet) recorded accepted is not counted
    assert email.bounced_hard == sum(1 for m in accepted if "hard" in m[2])
    assert email.bounced_soft == sum(1 for m in accepted if m[2] and "hard" not in m[2])
    assert email.reached == email.accepted - email.bounced_hard >= 0
    assert sms.messages == sms.sms_handed_over >= sms.sms_delivered + sms.sms_failed
    for line in report.notices:
        assert sum(f.messages for f in line.by_channel.values()) == sum(1 for m in messages if line.slug in m[4])


def test_a_one_off_notice_outbox_gets_its_sms_results_and_its_report(project):
    """An urgent notice sent on its own (sotong send --notice), most of it by
    SMS: the agency's result file goes in with --notice and its report is
    written like an issue's."""
    slug = NOTICES[0]
    ids = add_subscribers(store_of(project), 3)
    make_outbox(project / "private" / "outbox", slug, ids[:1], [slug], sms={ids[1]: "SMS", ids[2]: "SMS"})
    settings = project / "pelicanconf.py"
    with SMTPServer(ScriptedHandler()) as server:
        sent = run_cli(settings, "send", "--notice", slug, "--host", "127.0.0.1", "--port", str(server.port))
    assert sent.code == 0, sent.output
    (project / "results.csv").write_text(f"phone,status,code,time\n{phone_of(1)},delivered,1000,2026-11-21 09:00\n"
                                         f"{phone_of(2)},failed,2001,2026-11-21 09:01\n", encoding="utf-8")
    imported = run_cli(settings, "send", "results", "--notice", slug, str(project / "results.csv"))
    assert imported.code == 0, imported.output
    assert f"SMS results of {slug}: 1 delivered, 1 failed" in imported.output
    assert f"See who: sotong send report --notice {slug}" in imported.output
    reported = run_cli(settings, "report", "--notice", slug)
    assert reported.code == 0, reported.output
    assert f"{slug}: 3 messages (1 emails, 2 SMS); emails 1 accepted" in reported.output
    assert "SMS 1 delivered and 1 failed" in reported.output
    assert (project / "private" / "reports" / f"issue-{slug}.csv").is_file()
    both = run_cli(settings, "report", "--notice", slug, "--issue", "2026-11-26")
    assert both.code == 2 and "(one of them)" in both.output


def test_an_issue_bundled_again_after_its_sms_went_gives_only_the_new_readers_sms(project):
    """sms.csv of an outbox made again lists every reader; the run that hands
    over the new ones' SMS names a file of theirs alone, so the agency does not
    text the others twice."""
    ids = add_subscribers(store_of(project), 4)
    folder = project / "private" / "outbox"
    make_outbox(folder, ISSUE, ids[:1], NOTICES, sms={ids[1]: "SMS", ids[2]: "SMS"})
    with SMTPServer(ScriptedHandler()) as server:
        first = send(project, server.port)
        assert "give private/outbox/2026-11-26/sms.csv to the SMS agency" in first.output, first.output
        make_outbox(folder, ISSUE, ids[:1], NOTICES, sms={ids[1]: "SMS", ids[2]: "SMS", ids[3]: "LMS"})
        second = send(project, server.port)
    assert "SMS: 1 SMS messages (SMS 0, LMS 1) recorded as handed over; give private/outbox/2026-11-26/sms-handover-" in second.output, second.output
    assert list(handover_files(project).values()) == [[ids[3]]]
    assert "give private/outbox/2026-11-26/sms.csv" not in second.output


def test_an_sms_handover_file_a_full_disk_kept_from_being_written_is_written_by_the_next_run(project, small_disk):
    """The outbox on a full disk as the run writes sms-handover-....csv (its
    SMS are a part of sms.csv: one reader unsubscribed from them): the run
    recorded them handed over, then could not write the file, and the next
    run said they were handed over already and not to give sms.csv; nobody
    had them. Now none is recorded until the file is written, and the next
    run, the disk freed, writes it."""
    ids = add_subscribers(store_of(project), 5)
    make_outbox(small_disk, ISSUE, ids[:2], NOTICES, sms={ids[2]: "SMS", ids[3]: "LMS", ids[4]: "SMS"})
    store_query(project, "UPDATE subscribers SET sms_unsubscribed_at = '2026-11-25' WHERE id = ?", (ids[4],))
    with open(project / "pelicanconf.py", "a", encoding="utf-8") as settings_file:
        settings_file.write(f"OUTBOX_PATH = {str(small_disk)!r}\n")
    filler = 0
    try:
        while True:
            (small_disk / f"filler-{filler}").write_bytes(b"x" * 4096)
            filler += 1
    except OSError:  # No space left on device
        pass
    with SMTPServer(ScriptedHandler()) as server:
        full = send(project, server.port)
        for path in small_disk.glob("filler-*"):
            path.unlink()
        again = send(project, server.port)
    assert full.code == 1 and "cannot write the file" in full.output and "Traceback" not in full.output, full.output
    assert again.code == 0, again.output
    assert "SMS: 2 SMS messages (SMS 1, LMS 1) recorded as handed over; give " in again.output, again.output
    assert "already recorded as handed over" not in again.output
    assert list(handover_files(project, small_disk).values()) == [[ids[2], ids[3]]]
