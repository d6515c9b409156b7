"""``sotong send`` against a real aiosmtpd server on 127.0.0.1: the journal,
4xx retries, 5xx failures, dropped connections, a sender killed with SIGKILL,
STARTTLS with login, and ``sotong send report``."""

from __future__ import annotations

import asyncio
import gc
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from project_support import new_store_location, project_on, run_sotong, store_of, store_query
from sotong.store import Store
from delivery.journal import TAKE_BATCH
from delivery_support import (
    BUNDLED_DATE, ScriptedHandler, SMTPServer, add_subscribers, address_of, login_options, make_outbox, run_cli,
    tls_server_options,
)

ISSUE = "2026-11-26"
NOTICES = ["2026-11-21-cold-wave-warning", "2026-11-19-year-end-concert"]
FAST = ('DELIVERY = {"backoff_seconds": 0.02, "backoff_max_seconds": 0.1, "timeout_seconds": 5, "max_attempts": 3, '
        '"try_later_seconds": 1}\nSEND_RATE = 2000\n')


@pytest.fixture
def project(tmp_path, store_location) -> Path:
    """The sample project, once on SQLite and once on PostgreSQL."""
    return project_on(store_location, tmp_path, FAST)


@pytest.fixture(params=[{}, {"pipelining": True}, {"chunking": True}],
                ids=["one-command-at-a-time", "pipelining", "chunking"])
def offers(request) -> dict:
    """What the server offers, as ScriptedHandler's options: nothing; PIPELINING
    (RFC 2920: then sotong sends MAIL, RCPT and DATA at once); or PIPELINING
    and CHUNKING (RFC 3030: MAIL, RCPT and the message as one BDAT chunk at once)."""
    return request.param


def settings(project: Path) -> Path:
    return project / "pelicanconf.py"


def journal(project: Path, outbox: str = ISSUE) -> dict:
    """subscriber id/channel -> journal row, read straight from the store."""
    store = Store.open(store_of(project))
    rows = store.db.execute("SELECT * FROM delivery_messages WHERE outbox = ?", (outbox,)).fetchall()
    store.close()
    return {(r["subscriber_id"], r["channel"]): dict(r) for r in rows}


def outbox_of(project: Path, email_ids, sms=None, key=ISSUE, notices=NOTICES):
    return make_outbox(project / "private" / "outbox", key, email_ids, notices, sms)


def send(project: Path, port: int, *more: str):
    return run_cli(settings(project), "send", "--issue", ISSUE, "--host", "127.0.0.1", "--port", str(port), *more)


def test_after_a_bundle_again_that_leaves_a_reader_out_the_already_sent_counts_the_outbox_as_it_is(project):
    """The journal keeps the email sent to a reader the outbox, bundled
    again, no longer holds: "all N were already sent" counts the outbox's
    messages, not that one too."""
    ids = add_subscribers(store_of(project), 5)
    outbox_of(project, ids)
    with SMTPServer(ScriptedHandler()) as server:
        assert send(project, server.port).code == 0
        shutil.rmtree(project / "private" / "outbox" / ISSUE)  # bundled again, without the last reader
        outbox_of(project, ids[:4])
        gc.collect()
        again = send(project, server.port)
        assert server.handler.accepted_counts() == {address_of(i): 1 for i in ids}
    assert again.code == 0 and "Emails: all 4 were already sent; nothing left to send." in again.output, again.output
    assert journal(project)[(ids[4], "email")]["state"] == "sent"  # what went stays in the journal


def test_sends_every_email_once_records_sms_and_a_rerun_sends_nothing(project, offers):
    ids = add_subscribers(store_of(project), 8)
    outbox_of(project, ids[:5], sms={ids[5]: "SMS", ids[6]: "SMS", ids[7]: "LMS"})
    with SMTPServer(ScriptedHandler(**offers)) as server:
        first = send(project, server.port)
        assert first.code == 0, first.output
        assert server.handler.accepted_counts() == {address_of(i): 1 for i in ids[:5]}
        assert server.handler.pipelined == [bool(offers)] * 5  # MAIL, RCPT and DATA (or BDAT) in one write when offered
        assert server.handler.bdat == ["chunking" in offers] * 5
        gc.collect()  # the first run's store goes, as at its process's exit (on PostgreSQL a live worker else)
        second = send(project, server.port)
        assert second.code == 0, second.output
        assert server.handler.accepted_counts() == {address_of(i): 1 for i in ids[:5]}
        gc.collect()
        dry = send(project, server.port, "--dry-run")
    assert "Emails: 5 sent, 0 failed, 0 deferred" in first.output
    assert "SMS: 3 SMS messages (SMS 2, LMS 1) recorded as handed over; give private/outbox/2026-11-26/sms.csv to the SMS agency" in first.output
    assert "Emails: all 5 were already sent" in second.output
    assert "SMS: 3 SMS messages were already recorded as handed over" in second.output
    assert "Would send 0 emails" in dry.output and "Emails: all 5 were already sent" in dry.output, dry.output
    rows = journal(project)
    assert {k: r["state"] for k, r in rows.items()} == {**{(i, "email"): "sent" for i in ids[:5]},
                                                         **{(i, "sms"): "handed_over" for i in ids[5:]}}
    email = rows[(ids[0], "email")]
    assert (email["attempts"], email["answer_code"], email["type"]) == (1, 250, "EMAIL")
    assert email["notices"] == '["2026-11-21-cold-wave-warning", "2026-11-19-year-end-concert"]'
    assert email["sent_at"].endswith("+09:00")
    assert [rows[(i, "sms")]["type"] for i in ids[5:]] == ["SMS", "SMS", "LMS"]
    assert store_query(project, "SELECT department, category, category_label FROM delivery_notices WHERE slug = ?",
                       (NOTICES[0],)) == [("안전재난과", "living", "생활정보")]
    journal_text = str(store_query(project, "SELECT * FROM delivery_messages")
                       + store_query(project, "SELECT * FROM delivery_notices"))
    assert "@" not in journal_text and "010-" not in journal_text


def test_to_a_server_offering_chunking_each_message_goes_as_it_is_in_one_bdat_chunk(project):
    """RFC 3030: MAIL, RCPT and the message as one ``BDAT n LAST`` chunk in
    one write (one round trip a message); the server gets the file as it was
    bundled, byte for byte but its Date (the send's, in its place): a line
    that starts with a dot is not doubled, as DATA's body would have it, and
    no end mark is added."""
    ids = add_subscribers(store_of(project), 3)
    folder = outbox_of(project, ids)
    dotted = folder / "email" / f"{ids[1]}.eml"
    head, _, body = dotted.read_bytes().partition(b"\r\n\r\n")
    dotted.write_bytes(head + b"\r\n\r\n.a line that starts with a dot\r\n..and two\r\n" + body)
    with SMTPServer(ScriptedHandler(chunking=True)) as server:
        result = send(project, server.port)
    assert result.code == 0 and "Emails: 3 sent" in result.output, result.output
    assert server.handler.bdat == [True] * 3 and server.handler.pipelined == [True] * 3
    bundled = [re.sub(rb"\r?\n", b"\r\n", (folder / "email" / f"{i}.eml").read_bytes()) for i in ids]
    date = re.compile(rb"^Date: [^\r\n]*\r\n", re.MULTILINE)  # the one header sotong send makes anew
    assert all(len(date.findall(data)) == 1 and BUNDLED_DATE.encode() not in data for data in server.handler.contents)
    assert sorted(date.sub(b"Date: -\r\n", data) for data in server.handler.contents) == sorted(
        date.sub(b"Date: -\r\n", data) for data in bundled)
    assert {r["answer_code"] for r in journal(project).values()} == {250}


def test_dry_run_sends_and_records_nothing(project):
    ids = add_subscribers(store_of(project), 4)
    outbox_of(project, ids[:3], sms={ids[3]: "LMS"})
    with SMTPServer(ScriptedHandler()) as server:
        result = send(project, server.port, "--dry-run")
        assert server.handler.datas == 0
    assert result.code == 0, result.output
    assert "Would send 3 emails to 127.0.0.1" in result.output and "1 SMS messages (SMS 0, LMS 1)" in result.output
    assert journal(project) == {}


def test_a_send_imports_neither_the_bounce_nor_the_mailbox_modules(project):
    """Each send worker starts a process (issue 15): reading bounces and
    mailboxes is not its work, and importing them cost a second of CPU."""
    outbox_of(project, add_subscribers(store_of(project), 2))
    started = subprocess.run([sys.executable, "-X", "importtime", "-m", "sotong", "send", "--issue", ISSUE,
                              "--dry-run", "-s", str(settings(project))], capture_output=True, text=True, timeout=120)
    assert started.returncode == 0 and "Would send 2 emails" in started.stdout, started.stdout + started.stderr
    imported = {line.rsplit("|", 1)[1].strip() for line in started.stderr.splitlines() if line.startswith("import time:")}
    assert {"delivery.sender", "delivery.outbox"} <= imported
    assert not imported & {"delivery.bounce_commands", "delivery.bounces", "delivery.mailboxes", "mailbox",
                           "sotong.subscribers"}


def test_4xx_is_retried_with_backoff_then_deferred_and_a_later_run_delivers(project, offers):
    ids = add_subscribers(store_of(project), 4)
    outbox_of(project, ids)
    handler = ScriptedHandler(**offers)
    handler.rcpt_answers[address_of(ids[1])] = ["451 4.7.1 greylisted, try again"]
    handler.rcpt_answers[address_of(ids[2])] = ["452 4.2.2 mailbox busy"] * 4  # max_attempts 3, and a last try
    with SMTPServer(handler) as server:
        first = send(project, server.port)
        rows = journal(project)
        assert (rows[(ids[1], "email")]["state"], rows[(ids[1], "email")]["attempts"]) == ("sent", 2)
        deferred = rows[(ids[2], "email")]
        assert (deferred["state"], deferred["attempts"], deferred["answer_code"]) == ("deferred", 4, 452)
        assert deferred["answer_text"] == "4.2.2 mailbox busy" and deferred["answer_stage"] == "rcpt"
        assert "Emails: 3 sent, 0 failed, 1 deferred" in first.output
        assert ("2 that the server answered 'try later' (greylisting) were tried again after a wait, and 1 of "
                "them went") in first.output  # the greylisted one, and the one busy at every try
        assert "sotong send report --issue 2026-11-26" in first.output
        second = send(project, server.port)
    assert "Emails: 1 sent" in second.output
    assert journal(project)[(ids[2], "email")]["state"] == "sent"
    assert handler.accepted_counts() == {address_of(i): 1 for i in ids}


def test_a_server_s_answer_is_kept_and_printed_on_one_line_without_its_control_characters(project):
    """The relay passes on what the remote server said, in several lines, and
    whatever it holds: an escape sequence that retitles or clears the staff's
    terminal stayed in the journal and came out of sotong send report as written."""
    ids = add_subscribers(store_of(project), 2)
    outbox_of(project, ids)
    handler = ScriptedHandler()
    handler.refuse[address_of(ids[1])] = "550-5.1.1 the mailbox \x1b]0;owned\x07is gone\r\n550 5.1.1 see \x1b[2J the postmaster"
    with SMTPServer(handler) as server:
        result = send(project, server.port)
    assert result.code == 1 and "\x1b" not in result.output
    text = journal(project)[(ids[1], "email")]["answer_text"]
    assert text == "5.1.1 the mailbox \\x1b]0;owned\\x07is gone 5.1.1 see \\x1b[2J the postmaster", text
    report = run_cli(settings(project), "send", "report", "--issue", ISSUE)
    assert "\x1b" not in report.output and f"{ids[1]}  email  after 1 tries: 550 {text}" in report.output


def test_5xx_fails_with_its_reason_and_report_marks_dead_addresses_invalid(project, offers):
    ids = add_subscribers(store_of(project), 5)
    outbox_of(project, ids)
    handler = ScriptedHandler(**offers)
    handler.refuse[address_of(ids[1])] = f"550 5.1.1 <{address_of(ids[1])}>: Recipient address rejected: no such user"
    handler.refuse[address_of(ids[3])] = "552 5.2.2 mailbox full"
    with SMTPServer(handler) as server:
        result = send(project, server.port)
        again = send(project, server.port)
    assert "Emails: 3 sent, 2 failed, 0 deferred" in result.output
    assert result.code == 1 and again.code == 0
    assert "nothing left to send: 3 were already sent and 2 failed for good" in again.output  # failures are final
    assert handler.accepted_counts() == {address_of(i): 1 for i in (ids[0], ids[2], ids[4])}
    failed = journal(project)[(ids[1], "email")]
    assert (failed["state"], failed["answer_code"], failed["attempts"]) == ("failed", 550, 1)
    assert failed["answer_text"] == "5.1.1 <주소>: Recipient address rejected: no such user"

    report = run_cli(settings(project), "send", "report", "--issue", ISSUE)
    assert report.code == 0, report.output
    assert "email: 3 sent, 2 failed (5 in all)" in report.output
    assert f"{ids[1]}  email  after 1 tries: 550 5.1.1 <주소>: Recipient address rejected: no such user  [invalid address]" in report.output
    assert f"{ids[3]}  email  after 1 tries: 552 5.2.2 mailbox full\n" in report.output
    assert "1 addresses do not exist; add --mark-invalid" in report.output
    assert "@mail.test" not in report.output

    marked = run_cli(settings(project), "send", "report", "--issue", ISSUE, "--mark-invalid")
    assert "Flagged 1 email addresses as invalid" in marked.output and f"  {ids[1]}\n" in marked.output
    flags = dict(store_query(project, "SELECT subscriber_id, reason FROM delivery_invalid_marks WHERE channel = 'email'"))
    assert flags == {ids[1]: "550 5.1.1 <주소>: Recipient address rejected: no such user"}
    later = run_cli(settings(project), "send", "report", "--issue", ISSUE)  # flagged now: not advised again
    assert "[invalid address]" in later.output and "add --mark-invalid" not in later.output


@pytest.mark.parametrize("when", ["refuse_data_command", "refuse_data"])
def test_a_5xx_at_data_fails_that_message_for_good_while_the_send_goes_on(project, offers, when):
    """SPEC §11: a permanent refusal of one message's DATA (to the command,
    before the body, or after the body) marks it failed with its reason; the
    others go out, and the next run (the next day) does not send it again."""
    ids = add_subscribers(store_of(project), 4)
    outbox_of(project, ids)
    handler = ScriptedHandler(**offers)
    getattr(handler, when)[address_of(ids[1])] = "554 5.7.1 message refused as spam"
    with SMTPServer(handler) as server:
        result = send(project, server.port)
        datas = handler.datas
        again = send(project, server.port)
    assert "Emails: 3 sent, 1 failed, 0 deferred" in result.output
    assert result.code == 1  # SPEC §12: some messages failed
    assert again.code == 0 and "nothing left to send: 3 were already sent and 1 failed for good" in again.output
    assert "(sotong send report --issue 2026-11-26 lists them)" in again.output
    assert handler.datas == datas == (3 if when == "refuse_data_command" else 4)  # never tried again
    assert handler.accepted_counts() == {address_of(i): 1 for i in (ids[0], ids[2], ids[3])}
    failed = journal(project)[(ids[1], "email")]
    assert (failed["state"], failed["answer_stage"], failed["answer_code"]) == ("failed", "data", 554)
    assert (failed["answer_text"], failed["attempts"]) == ("5.7.1 message refused as spam", 1)


def test_a_dropped_connection_is_reopened_and_every_message_goes_out_once(project, offers):
    ids = add_subscribers(store_of(project), 6)
    outbox_of(project, ids)
    handler = ScriptedHandler(**offers)
    handler.drop_at = {3, 5}
    with SMTPServer(handler) as server:
        result = send(project, server.port)
    assert result.code == 0, result.output
    assert "Emails: 6 sent, 0 failed, 0 deferred" in result.output
    assert "the connection dropped 2 times and was reopened." in result.output
    assert handler.accepted_counts() == {address_of(i): 1 for i in ids}
    assert handler.datas == 8  # two DATA exchanges cut off, each repeated on a new connection
    assert {r["state"] for r in journal(project).values()} == {"sent"}


def test_the_journals_own_answers_are_in_korean(project, offers):
    """What sotong send writes as an answer itself (staff read it in send
    report and the issue report), in Korean only: a message whose
    connection dropped at every try, an SMS handed over (넘김, the word of
    every message about the handover)."""
    ids = add_subscribers(store_of(project), 1)
    outbox_of(project, ids, sms={ids[0]: "SMS"})
    handler = ScriptedHandler(**offers)
    handler.drop_at = {1, 2, 3, 4, 5}  # reconnect_attempts: 5
    with SMTPServer(handler) as server:
        result = send(project, server.port)
    assert "Emails: 0 sent, 0 failed, 1 deferred" in result.output, result.output
    rows = journal(project)
    assert rows[(ids[0], "email")]["answer_text"] == "연결 끊김 5회: 시도할 때마다 연결이 끊겼습니다"
    assert rows[(ids[0], "sms")]["answer_text"] == "sms.csv: 문자 발송 대행사에 넘김"


class Stalling(ScriptedHandler):
    """Takes the connection, the envelope and the message, and never answers it."""

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(3600)


def test_a_server_that_stops_answering_stops_the_run_with_everything_left_queued(project):
    """Every message's DATA times out: each waited out timeout_seconds
    reconnect_attempts times before it was deferred (hours for an issue, at
    30 s and 5 tries), the run said "0 sent, N deferred" at its end. Now the
    run stops once every connection was lost that many times in a row, in
    one line; the next run, the server mended, sends every message."""
    with open(settings(project), "a", encoding="utf-8") as file:
        file.write('DELIVERY = {"backoff_seconds": 0.02, "backoff_max_seconds": 0.1, "timeout_seconds": 0.3, '
                   '"reconnect_attempts": 2, "connections": 2}\n')
    ids = add_subscribers(store_of(project), 12)
    outbox_of(project, ids)
    with SMTPServer(Stalling()) as server:
        stalled = send(project, server.port)
    assert stalled.code == 1, stalled.output
    assert "Emails:" not in stalled.output  # the warnings of each lost connection, then why it stopped
    assert [line for line in stalled.output.splitlines() if line.strip()][-1:] == [
        f"the mail server 127.0.0.1:{server.port} stopped answering: the connection was lost 4 times in a row "
        "(no answer in 0.3 s (DELIVERY timeout_seconds)); nothing more was sent. Check the mail server, then run the same "
        "command again: what was not sent is still queued (a message handed over as it stopped answering may arrive "
        "twice)"]
    assert {r["state"] for r in journal(project).values()} <= {"queued", "deferred"}
    with SMTPServer(ScriptedHandler()) as server:
        mended = send(project, server.port)
    assert mended.code == 0 and "Emails: 12 sent" in mended.output, mended.output
    assert server.handler.accepted_counts() == {address_of(i): 1 for i in ids}


def test_a_server_taking_fewer_connections_at_once_gets_every_message_through_those_it_takes(project):
    """A server that takes two connections of one client at once and answers
    the others 421 (DELIVERY["connections"] is 4): the connections it
    refused stopped the run a few messages in, "cannot reach the mail
    server", at every run. Now they end alone, the two it takes send every
    message (a warning says how many it takes: set DELIVERY["connections"] so)."""
    ids = add_subscribers(store_of(project), 120)  # more than the refused connections' tries take
    outbox_of(project, ids)
    handler = ScriptedHandler(delay=0.02)
    handler.max_connections = 2
    with SMTPServer(handler) as server:
        result = send(project, server.port)
    assert result.code == 0, result.output
    assert "Emails: 120 sent, 0 failed, 0 deferred" in result.output
    assert handler.accepted_counts() == {address_of(i): 1 for i in ids}
    assert handler.refused >= 2 * 5, "the two connections past the limit tried reconnect_attempts times each"
    assert "cannot reach" not in result.output


def test_readers_unsubscribed_since_bundling_are_left_out(project):
    ids = add_subscribers(store_of(project), 4)
    outbox_of(project, ids[:3], sms={ids[3]: "SMS"})
    store_query(project, "UPDATE subscribers SET unsubscribed_at = '2026-11-25' WHERE id = ?", (ids[0],))
    store_query(project, "UPDATE subscribers SET sms_unsubscribed_at = '2026-11-25' WHERE id = ?", (ids[3],))
    with SMTPServer(ScriptedHandler()) as server:
        result = send(project, server.port)
        assert server.handler.accepted_counts() == {address_of(ids[1]): 1, address_of(ids[2]): 1}
    assert "Left out: 2 readers unsubscribed or unreachable since bundling (email 1, SMS 1)." in result.output
    assert ("SMS: none to hand over: every reader in private/outbox/2026-11-26/sms.csv is left out since bundling; "
            "give the SMS agency nothing.") in result.output
    assert "Make sms.csv again" not in result.output
    assert set(journal(project)) == {(ids[1], "email"), (ids[2], "email")}


def test_a_notice_outbox_is_sent_with_notice(project):
    ids = add_subscribers(store_of(project), 2)
    outbox_of(project, ids, key="2026-11-21-cold-wave-warning", notices=NOTICES[:1])
    with SMTPServer(ScriptedHandler()) as server:
        result = run_cli(settings(project), "send", "--notice", "2026-11-21-cold-wave-warning",
                         "--host", "127.0.0.1", "--port", str(server.port))
    assert "Emails: 2 sent" in result.output
    rows = journal(project, "2026-11-21-cold-wave-warning")
    assert {r["kind"] for r in rows.values()} == {"notice"}


def test_the_server_refusing_the_sender_stops_the_run_without_failing_messages(project, offers):
    ids = add_subscribers(store_of(project), 3)
    outbox_of(project, ids)

    class RefusingSender(ScriptedHandler):
        async def handle_MAIL(self, server, session, envelope, address, mail_options):
            return "553 5.7.1 sender not allowed"

    with SMTPServer(RefusingSender(**offers)) as server:
        result = send(project, server.port)
    assert result.code == 1
    assert "the mail server refuses the sender sotong@sd.go.kr: 553 5.7.1 sender not allowed; check MAIL_FROM" in result.output
    assert {r["state"] for r in journal(project).values()} == {"queued"}


def test_a_server_that_relays_only_after_a_login_stops_the_run_and_a_rerun_once_logged_in_sends_all(project, offers):
    """Postfix without a login answers every RCPT "554 5.7.1 Relay access
    denied": each message failed for good, and once SMTP_USER was set the
    next run found nothing left to send. Now the run stops at the first,
    saying to log in, and nothing is failed."""
    ids = add_subscribers(store_of(project), 5)
    outbox_of(project, ids)
    handler = ScriptedHandler(**offers)
    handler.refuse = {address_of(i): f"554 5.7.1 <{address_of(i)}>: Relay access denied" for i in ids}
    with SMTPServer(handler) as server:
        refused = send(project, server.port)
        states = {r["state"] for r in journal(project).values()}
        handler.refuse = {}  # logged in now
        gc.collect()
        again = send(project, server.port)
    assert refused.code == 1 and states == {"queued"}, refused.output
    assert (f"the mail server 127.0.0.1:{server.port} does not pass on mail from this machine without a login it "
            "accepts: 554 5.7.1 <주소>: Relay access denied; check SMTP_USER") in refused.output
    assert again.code == 0 and "Emails: 5 sent, 0 failed" in again.output, again.output
    assert handler.accepted_counts() == {address_of(i): 1 for i in ids}


def test_a_manifest_line_that_is_not_utf8_is_one_line(project):
    add_subscribers(store_of(project), 1)
    folder = outbox_of(project, ["S00001"])
    with open(folder / "manifest.jsonl", "ab") as manifest:
        manifest.write(b"\xff\xfe\n")
    result = run_cli(settings(project), "send", "--issue", ISSUE, "--dry-run")
    assert result.code == 1
    assert ("private/outbox/2026-11-26/manifest.jsonl:2: this line is not UTF-8 text (was the file changed by hand?); "
            "make the outbox again with: sotong bundles --issue 2026-11-26") in result.output.splitlines()
    assert "Traceback" not in result.output


def test_a_wrong_sms_csv_row_is_named_by_the_line_it_starts_on(tmp_path):
    """A row whose text cell holds a line break takes two lines of sms.csv:
    the line named is its first (the spreadsheet's row), not its last; on SQLite."""
    project = project_on(new_store_location("sqlite", tmp_path), tmp_path, FAST)
    add_subscribers(store_of(project), 2)
    folder = outbox_of(project, [], sms={"S00001": "SMS", "S00002": "LMS"})
    (folder / "sms.csv").write_text(
        'id,phone,type,bytes,text\n'
        'S00001,010-1000-0001,SMS,80,"[성동구 소식]\n한파 안내"\n'  # lines 2-3
        'S00002,010-1000-0002,MMS,300,"[성동구 소식]\n연말 음악회"\n'  # lines 4-5
        '\n', encoding="utf-8")
    result = run_cli(settings(project), "send", "--issue", ISSUE, "--dry-run")
    assert result.code == 1
    assert ("private/outbox/2026-11-26/sms.csv:4: type must be SMS or LMS, not 'MMS'"
            in result.output.splitlines()), result.output
    assert "Traceback" not in result.output
    long_cell = "S00001,010-1000-0001,SMS,80,ok\nS00002,010-1000-0002,LMS,300,\"" + "x" * 140_000 + "\n"
    (folder / "sms.csv").write_text("id,phone,type,bytes,text\n\n" + long_cell, encoding="utf-8")
    result = run_cli(settings(project), "send", "--issue", ISSUE, "--dry-run")
    assert result.code == 1
    assert ("private/outbox/2026-11-26/sms.csv:4: a cell of the row that starts on this line runs on past 131072 "
            "characters") in result.output, result.output
    assert "Traceback" not in result.output


def test_wrong_input_says_what_to_do(project):
    add_subscribers(store_of(project), 1)
    missing = run_cli(settings(project), "send", "--issue", ISSUE)
    assert missing.code == 1
    assert "private/outbox/2026-11-26: no outbox here (manifest.jsonl is missing); make it first with: sotong bundles --issue 2026-11-26" in missing.output
    folder = outbox_of(project, ["S00001"])
    with open(folder / "manifest.jsonl", "a", encoding="utf-8") as manifest:
        manifest.write('{"id": "S00002", "channel": "email", "notices": ["x"], "file": "email/S00002.eml"}\nnot json\n')
    broken = run_cli(settings(project), "send", "--issue", ISSUE)
    assert broken.code == 1
    assert "private/outbox/2026-11-26/manifest.jsonl:2: the message file email/S00002.eml is missing" in broken.output
    assert "private/outbox/2026-11-26/manifest.jsonl:3: not a JSON object" in broken.output
    assert run_cli(settings(project), "send").code == 2
    assert run_cli(settings(project), "send", "--issue", "26 November").code == 2
    assert run_cli(settings(project), "send", "--notice", "../etc").code == 2
    bad_settings = project / "bad.py"
    bad_settings.write_text(settings(project).read_text().replace(FAST, "")
                            + 'DELIVERY = {"max_attempt": 3}\nSEND_RATE = 0\n')
    wrong = run_cli(bad_settings, "send", "--issue", ISSUE)
    assert wrong.code == 1
    lines = bad_settings.read_text().splitlines()
    assert (f'bad.py:{len(lines) - 1}: DELIVERY: unknown key "max_attempt"; did you mean "max_attempts"?; allowed: '
            'max_attempts, backoff_seconds, backoff_max_seconds, reconnect_attempts, connections, timeout_seconds, '
            'greeting_seconds, try_later_seconds'
            ) in wrong.output.splitlines()
    assert f"bad.py:{len(lines)}: SEND_RATE: is 0; write the messages per second above 0, e.g. SEND_RATE = 50" in wrong.output.splitlines()


def test_starttls_and_login(project, tmp_path_factory, monkeypatch):
    options, certificate, logins = tls_server_options(tmp_path_factory.mktemp("certs"))
    with open(settings(project), "a", encoding="utf-8") as file:
        file.write('SMTP_STARTTLS = True\nSMTP_USER = "sotong"\n')
    ids = add_subscribers(store_of(project), 2)
    outbox_of(project, ids)
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate))
    handler = ScriptedHandler()
    with SMTPServer(handler, **options) as server:
        monkeypatch.delenv("SOTONG_SMTP_PASSWORD", raising=False)
        unset = send(project, server.port)
        assert unset.code == 1 and "export SOTONG_SMTP_PASSWORD=" in unset.output
        monkeypatch.setenv("SOTONG_SMTP_PASSWORD", "wrong")
        refused = send(project, server.port)
        assert refused.code == 1 and "the mail server refused the login of SMTP_USER 'sotong': 535" in refused.output
        monkeypatch.setenv("SOTONG_SMTP_PASSWORD", "s3cret")
        result = send(project, server.port)
    assert result.code == 0, result.output
    assert handler.accepted_counts() == {address_of(i): 1 for i in ids}
    assert logins[-1] == (b"sotong", b"s3cret")


def test_no_login_in_clear_to_a_mail_server_on_another_machine(project, monkeypatch):
    """SMTP_USER without SMTP_STARTTLS sent the password in clear to any
    server; now only to one on this machine (the bounce mailbox's rule,
    SPEC §14). A server at 127.0.0.2 (not local by that rule) offering a
    login without TLS gets nothing: check and send name the settings line,
    send stops with everything queued; 127.0.0.1 still takes the login."""
    lines = settings(project).read_text().splitlines()
    settings(project).write_text("\n".join([*lines, 'SMTP_HOST = "127.0.0.2"', "SMTP_STARTTLS = False",
                                            'SMTP_USER = "sotong"']) + "\n")
    said = (f"pelicanconf.py:{len(lines) + 2}: SMTP_STARTTLS: SMTP_USER is set but SMTP_STARTTLS is off, so the password "
            "would cross the network to 127.0.0.2 unencrypted and Sotong does not log in; write SMTP_STARTTLS = True "
            "and SMTP_PORT = 587 in the settings")
    monkeypatch.setenv("SOTONG_SMTP_PASSWORD", "s3cret")
    ids = add_subscribers(store_of(project), 2)
    outbox_of(project, ids)
    options, logins = login_options(require_tls=False)
    handler = ScriptedHandler()
    with SMTPServer(handler, host="127.0.0.2", **options) as far:
        check = run_cli(settings(project), "check")
        refused = run_cli(settings(project), "send", "--issue", ISSUE, "--port", str(far.port))
    assert check.code == 1 and any(line.startswith(said) for line in check.output.splitlines()), check.output
    assert refused.code == 1 and [line for line in refused.output.splitlines() if line.strip()][0].startswith(said)
    assert logins == [] and handler.accepted_counts() == {}
    with SMTPServer(handler, **options) as near:  # every message still to send, once
        result = send(project, near.port)
    assert result.code == 0, result.output
    assert logins == [(b"sotong", b"s3cret")] and handler.accepted_counts() == {address_of(i): 1 for i in ids}


@pytest.mark.parametrize("setting, said", [
    ("SMTP_STARTTLS = True", "does not offer STARTTLS, which SMTP_STARTTLS = True asks for; check SMTP_PORT"),
    ('SMTP_USER = "sotong"', "does not offer a login (SMTP AUTH), which SMTP_USER asks for; check SMTP_PORT and SMTP_STARTTLS"),
], ids=["starttls", "login"])
def test_a_server_without_the_starttls_or_login_the_settings_ask_for_says_so(project, monkeypatch, setting, said):
    """A server (or port) that offers no STARTTLS, or no login, was "cannot
    reach the mail server ... (STARTTLS extension not supported by server.)"
    after five tries, telling to check SMTP_HOST: now what it lacks, at once."""
    with open(settings(project), "a", encoding="utf-8") as file:
        file.write(setting + "\n")
    monkeypatch.setenv("SOTONG_SMTP_PASSWORD", "s3cret")
    ids = add_subscribers(store_of(project), 2)
    outbox_of(project, ids)
    with SMTPServer(ScriptedHandler()) as server:
        result = send(project, server.port)
    assert result.code == 1, result.output
    [line] = [line for line in result.output.splitlines() if line.strip()]
    assert line.startswith(f"the mail server 127.0.0.1:{server.port} {said}"), result.output
    assert line.endswith("then run the same command again: what was not sent is still queued")
    assert "cannot reach" not in result.output
    assert {r["state"] for r in journal(project).values()} == {"queued"}


def test_a_server_that_takes_mail_only_over_tls_stops_the_run_saying_to_set_smtp_starttls(project, tmp_path_factory,
                                                                                            monkeypatch, offers):
    """A relay that takes mail only over TLS (Postfix's
    smtpd_tls_security_level = encrypt, Gmail, Exchange) answers MAIL "530
    5.7.0 Must issue a STARTTLS command first": the run stopped telling to
    check SMTP_USER and the password, which were not the matter; it now
    says to write SMTP_STARTTLS = True, every message still queued, and
    once that is written the next run sends each once."""
    options, certificate, _logins = tls_server_options(tmp_path_factory.mktemp("certs"))
    options.pop("authenticator")
    ids = add_subscribers(store_of(project), 3)
    outbox_of(project, ids)
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate))
    handler = ScriptedHandler(**offers)
    with SMTPServer(handler, **options) as server:
        plain = send(project, server.port)
        assert {r["state"] for r in journal(project).values()} == {"queued"}
        with open(settings(project), "a", encoding="utf-8") as file:
            file.write("SMTP_STARTTLS = True\n")
        gc.collect()
        secured = send(project, server.port)
    assert plain.code == 1, plain.output
    [line] = [line for line in plain.output.splitlines() if line.strip()]
    assert line == (f"the mail server 127.0.0.1:{server.port} takes mail only over an encrypted connection (530 Must "
                    "issue a STARTTLS command first); write SMTP_STARTTLS = True in the settings (the server's port "
                    "for it is usually 587), then run the same command again: nothing more was sent, and what was not "
                    "sent is still queued"), plain.output
    assert secured.code == 0 and "Emails: 3 sent" in secured.output, secured.output
    assert handler.accepted_counts() == {address_of(i): 1 for i in ids}


def test_a_server_whose_certificate_this_machine_does_not_trust_says_so_at_once(project, tmp_path_factory,
                                                                                monkeypatch):
    """An office relay's certificate is often its own (self-signed, or
    signed by the office's own authority), which the system does not trust:
    the TLS handshake fails at every try, and the run tried five times, then
    said it could not reach the server and to check SMTP_HOST and SMTP_PORT,
    with OpenSSL's English. It now says at once, in one line, that the
    certificate is not trusted and what to do; nothing is sent or changed."""
    options, certificate, _logins = tls_server_options(tmp_path_factory.mktemp("certs"))
    options.pop("authenticator")
    with open(settings(project), "a", encoding="utf-8") as file:
        file.write("SMTP_STARTTLS = True\n")
    ids = add_subscribers(store_of(project), 2)
    outbox_of(project, ids)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    handler = ScriptedHandler()
    with SMTPServer(handler, **options) as server:
        started = time.monotonic()
        untrusted = send(project, server.port)
        seconds = time.monotonic() - started
        assert {r["state"] for r in journal(project).values()} == {"queued"}
        monkeypatch.setenv("SSL_CERT_FILE", str(certificate))  # the office's authority, trusted
        gc.collect()
        trusted = send(project, server.port)
    assert untrusted.code == 1, untrusted.output
    assert untrusted.output.splitlines()[-1] == (f"the mail server 127.0.0.1:{server.port} answered STARTTLS with a certificate this machine does "
                    "not trust (a self-signed certificate); if the server is the office's own, ask its administrator for "
                    "the certificate of the authority that signed it and add it to this machine's trusted ones (or set "
                    "the environment variable SSL_CERT_FILE to it), then run the same command again: what was not "
                    "sent is still queued"), untrusted.output
    assert seconds < 20 and "cannot reach" not in untrusted.output  # no five tries with waits between
    assert trusted.code == 0 and handler.accepted_counts() == {address_of(i): 1 for i in ids}, trusted.output


def sending(project: Path, server, datas: int, stderr=subprocess.DEVNULL) -> tuple[subprocess.Popen, list[str]]:
    """``sotong send`` started in a process on the server, once the server has
    had ``datas`` DATA commands: the process and its command."""
    command = [sys.executable, "-m", "sotong", "send", "--issue", ISSUE, "--host", "127.0.0.1",
               "--port", str(server.port), "-s", str(settings(project))]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr, text=True, encoding="utf-8")
    deadline = time.monotonic() + 60
    while server.handler.datas < datas and time.monotonic() < deadline:
        time.sleep(0.005)
    return process, command


def test_killed_mid_send_then_rerun_delivers_everything_resending_at_most_those_in_flight(project):
    """A connection takes TAKE_BATCH messages at once and records them
    ``sent`` with its next take: at most that many a connection are left
    ``sending`` (DELIVERY["connections"], 4 by default), and only those go again."""
    count = 12 * TAKE_BATCH + 40
    ids = add_subscribers(store_of(project), count)
    outbox_of(project, ids)
    handler = ScriptedHandler(delay=0.03)
    with SMTPServer(handler) as server:
        process, command = sending(project, server, 6 * TAKE_BATCH)  # a take recorded the first ones
        os.kill(process.pid, signal.SIGKILL)
        process.wait(10)
        time.sleep(0.1)  # the server finishes the DATA it was in
        before = journal(project)
        states = [r["state"] for r in before.values()]
        assert TAKE_BATCH <= states.count("sent") < count
        assert states.count("sending") <= 4 * TAKE_BATCH
        in_flight = states.count("sending")
        accepted_before = handler.accepted_counts()
        # never recorded as sent what the server did not accept
        assert {k[0] for k, r in before.items() if r["state"] == "sent"} <= {i for i in ids if address_of(i) in accepted_before}
        rerun = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    if in_flight:
        assert f"{in_flight} were in flight when an earlier run stopped and went again" in rerun.stdout
    accepted = handler.accepted_counts()
    assert set(accepted) == {address_of(i) for i in ids}
    duplicates = sum(n - 1 for n in accepted.values())
    assert duplicates <= in_flight
    after = journal(project)
    assert {r["state"] for r in after.values()} == {"sent"}
    assert len(after) == count


@pytest.mark.parametrize("stop, code, said", [(signal.SIGINT, 130, "(Ctrl+C)"), (signal.SIGTERM, 143, "(SIGTERM)")],
                         ids=["ctrl-c", "sigterm"])
def test_ctrl_c_mid_send_records_what_the_server_took_and_a_rerun_sends_the_rest_once(project, stop, code, said):
    """Ctrl+C (SIGINT) while a send runs: each connection ends the message it
    is handing over, records ``sent`` every message the server accepted and
    gives back the rest of its take, so nothing is left ``sending`` and the
    next run sends every other message once, none twice (a connection takes
    TAKE_BATCH at once: killed, as many would go again). SIGTERM (kill,
    systemctl stop) the same, with exit 143."""
    count = 8 * TAKE_BATCH
    ids = add_subscribers(store_of(project), count)
    outbox_of(project, ids)
    handler = ScriptedHandler(delay=0.05)
    with SMTPServer(handler) as server:
        process, command = sending(project, server, 2 * TAKE_BATCH, stderr=subprocess.PIPE)
        process.send_signal(stop)
        lines = process.communicate(timeout=30)[1].splitlines()
        assert process.returncode == code, lines
        assert len(lines) == 1 and lines[0].startswith("Stopped " + said), lines
        before = journal(project)
        accepted_before = handler.accepted_counts()
        rerun = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert {r["state"] for r in before.values()} <= {"sent", "queued"}, "nothing left sending"
    assert {k[0] for k, r in before.items() if r["state"] == "sent"} == {i for i in ids if address_of(i) in accepted_before}
    assert 0 < len(accepted_before) < count
    assert rerun.returncode == 0 and "in flight" not in rerun.stdout, rerun.stdout + rerun.stderr
    assert handler.accepted_counts() == {address_of(i): 1 for i in ids}, "every message once"


def test_a_full_disk_while_the_outbox_is_recorded_is_one_line_and_a_rerun_sends_each_email_once(tmp_path):
    """The store's file stops growing while send records the outbox (SQLite's
    max_page_count: what a full disk says): SQLite ends the transaction
    itself, and the send says so in one line, exit 1, nothing sent (its
    ROLLBACK raised "no transaction is active" over it, a traceback); with
    room, every email goes once."""
    project = project_on(new_store_location("sqlite", tmp_path), tmp_path, FAST)
    ids = add_subscribers(store_of(project), 300)
    outbox_of(project, ids)

    def fill_the_disk_when_the_emails_are_queued(frame, event, arg):
        if event == "call" and frame.f_code.co_name == "_queue" and frame.f_code.co_filename.endswith("journal.py"):
            sys.settrace(None)
            db = frame.f_locals["self"].db
            db.execute(f"PRAGMA max_page_count = {db.execute('PRAGMA page_count').fetchone()[0]}")

    with SMTPServer(ScriptedHandler()) as server:
        sys.settrace(fill_the_disk_when_the_emails_are_queued)
        try:
            full = send(project, server.port)
        finally:
            sys.settrace(None)
        assert full.code == 1 and full.stderr.splitlines() == [
            "a database file of Sotong (the store SOTONG_DB, a cache or a working file): cannot be written "
            "(database or disk is full); make room on its disk and run the command again"], full.output
        assert server.handler.accepted_counts() == {}
        assert send(project, server.port).code == 0
        assert server.handler.accepted_counts() == {address_of(i): 1 for i in ids}


def test_end_to_end_build_bundle_send(project):
    """The whole product: build the sample site, import the sample readers,
    bundle the next issue and send it to a real SMTP server."""
    import csv
    import json
    from email.parser import BytesParser
    from email.policy import default as default_policy

    from project_support import REPO

    assert run_cli(settings(project), "build").code == 0
    assert run_cli(settings(project), "subscribers", "import", str(REPO / "sample" / "subscribers.csv")).code == 0
    bundled = run_cli(settings(project), "bundles", "--issue", ISSUE)
    assert bundled.code == 0, bundled.output
    folder = project / "private" / "outbox" / ISSUE
    manifest = [json.loads(line) for line in (folder / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    emails = {m["id"]: m for m in manifest if m["channel"] == "email"}
    recipients = {}
    for subscriber_id, entry in emails.items():
        parsed = BytesParser(policy=default_policy).parsebytes((folder / entry["file"]).read_bytes())
        recipients[parsed["To"].addresses[0].addr_spec] = (subscriber_id, parsed["Message-ID"])
    sms_rows = list(csv.DictReader((folder / "sms.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert emails and sms_rows

    handler = ScriptedHandler()
    with SMTPServer(handler) as server:
        result = send(project, server.port)
    assert result.code == 0, result.output
    assert f"Emails: {len(emails)} sent, 0 failed, 0 deferred" in result.output
    assert sorted(handler.accepted) == sorted((address, message_id) for address, (_, message_id) in recipients.items())
    rows = journal(project)
    assert {k[0] for k, r in rows.items() if k[1] == "email" and r["state"] == "sent"} == set(emails)
    assert {k[0]: r["type"] for k, r in rows.items() if k[1] == "sms"} == {r["id"]: r["type"] for r in sms_rows}
    assert all(json.loads(rows[(i, "email")]["notices"]) == m["notices"] for i, m in emails.items())
    output = project / "output"
    public = "\n".join(p.read_text(encoding="utf-8", errors="ignore") for p in output.rglob("*") if p.is_file())
    assert not any(address in public for address in recipients)


def test_an_unreachable_server_stops_the_run_and_keeps_everything_queued(project):
    import socket

    ids = add_subscribers(store_of(project), 2)
    outbox_of(project, ids)
    with socket.socket() as probe:  # a port with nobody listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = send(project, port)
    assert result.code == 1
    assert f"cannot reach the mail server 127.0.0.1:{port} (Connection refused) after" in result.output
    assert "run the same command again: what was not sent is still queued" in result.output
    # each try said once, not once by each of the run's four connections (twenty lines alike)
    tries = [line for line in result.output.splitlines() if "cannot connect to" in line]
    assert [line.split("WARNING", 1)[-1].strip() for line in tries] == [
        f"cannot connect to 127.0.0.1:{port} (Connection refused), try {attempt} of 5; trying again"
        for attempt in range(1, 5)], result.output
    # the reason in the staff's language (os_reason), not Python's "([Errno 111] Connection refused)" in Korean lines
    assert "Errno" not in result.output
    assert {r["state"] for r in journal(project).values()} == {"queued"}


class Silent:
    """A real port where something takes TCP connections and never writes a
    byte (PostgreSQL's 5432, a web server's): the connections it took."""

    def __init__(self):
        import socket
        import threading

        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.taken = []
        threading.Thread(target=self._take, daemon=True).start()

    def _take(self):
        while True:
            try:
                self.taken.append(self.listener.accept()[0])
            except OSError:  # closed
                return

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.listener.close()
        for connection in self.taken:
            connection.close()


def test_a_port_that_never_greets_stops_the_run_at_its_first_connection(tmp_path, store_location):
    """SMTP_PORT naming PostgreSQL's port: each connection was taken and never
    greeted, and the run tried five times, timeout_seconds each, before giving
    up. The run's first connection waits greeting_seconds, then the run stops
    at once, one line naming HOST:PORT, everything still queued."""
    project = project_on(store_location, tmp_path, FAST + 'DELIVERY = {"timeout_seconds": 3, "greeting_seconds": 0.5, '
                                                         '"backoff_seconds": 0.02, "connections": 2}\n')
    ids = add_subscribers(store_of(project), 2)
    outbox_of(project, ids)
    with Silent() as silent:
        started = time.monotonic()
        result = send(project, silent.port)
        took = time.monotonic() - started
        assert silent.taken  # it did take the connection
    assert result.code == 1 and "Traceback" not in result.output, result.output
    assert result.stderr.splitlines() == [
        f"no mail server answered at 127.0.0.1:{silent.port}: something took the connection but said nothing in 0.5 s "
        "(DELIVERY greeting_seconds), as a program that is no mail server does; check SMTP_HOST and SMTP_PORT or "
        "--host/--port: nothing was sent in this run, and what is queued stays queued"]
    assert took < 3 + 2, took  # not one timeout_seconds, let alone five
    assert {r["state"] for r in journal(project).values()} == {"queued"}


def test_a_connection_after_the_first_greeting_keeps_the_retry_rules():
    """Once a connection of the run was greeted, a server that goes silent is
    one that stopped answering: tried reconnect_attempts times, timeout_seconds
    each, and said as unreachable, not as a port of another program."""
    import threading

    from delivery.config import delivery_config
    from delivery.sender import Unreachable, _Link

    settings = {"MAIL_FROM": "sotong@sd.go.kr", "DELIVERY": {"timeout_seconds": 0.3, "greeting_seconds": 0.1,
                                                             "reconnect_attempts": 2, "backoff_seconds": 0.01}}
    with Silent() as silent:
        config = delivery_config(settings, host="127.0.0.1", port=silent.port)
        greeted = threading.Event()
        greeted.set()
        with pytest.raises(Unreachable) as caught:
            _Link(config, time.sleep, greeted).ensure_connected()
        assert len(silent.taken) == 2
    assert caught.value.problem == "no answer in 0.3 s (DELIVERY timeout_seconds)"


class RefusingConnections(ScriptedHandler):
    """Answers every connection with ``greeting`` and closes it (a server busy, limiting or refusing this machine)."""

    def __init__(self, greeting: str):
        super().__init__()
        self.greeting = greeting
        self.max_connections = 0


@pytest.mark.parametrize("greeting, said", [
    ("421 4.7.0 too many connections from your host", "answers but took no connection in 5 tries (421 4.7.0 too many "
     "connections from your host): it is busy or limits this machine for now; run the same command again later"),
    ("554 5.7.1 access denied", "refuses this machine's connections (554 5.7.1 access denied); ask its administrator "
     "to let this machine send"),
])
def test_a_server_that_answers_but_takes_no_connection_is_not_said_to_be_out_of_reach(project, greeting, said):
    """Told to check SMTP_HOST and SMTP_PORT, as for a server out of reach,
    staff would change settings that were right."""
    ids = add_subscribers(store_of(project), 2)
    outbox_of(project, ids)
    with SMTPServer(RefusingConnections(greeting)) as server:
        result = send(project, server.port)
    assert result.code == 1
    assert f"the mail server 127.0.0.1:{server.port} {said}" in result.output, result.output
    assert "SMTP_HOST" not in result.output and "what was not sent is still queued" in result.output
    assert {r["state"] for r in journal(project).values()} == {"queued"}


def test_the_smtps_port_is_refused_at_once_saying_to_use_587_with_starttls(project):
    """SMTP_PORT = 465 (Naver's and Gmail's guides name it): the server waits
    for TLS, sotong for its greeting; five timed-out tries a connection,
    minutes of silence, then "cannot reach" it."""
    ids = add_subscribers(store_of(project), 1)
    outbox_of(project, ids)
    with open(settings(project), "a", encoding="utf-8") as written:
        written.write("SMTP_PORT = 465\n")
    lines = settings(project).read_text(encoding="utf-8").count("\n")
    result = run_cli(settings(project), "send", "--issue", ISSUE)
    assert result.code == 1 and result.output == (
        f"pelicanconf.py:{lines}: SMTP_PORT: is 465, the port of SMTPS (TLS from the first byte), which Sotong "
        "does not speak; write SMTP_PORT = 587, the same server's port for STARTTLS, and SMTP_STARTTLS = True "
        "(Naver, Daum and Gmail take mail there too)\n"), result.output
    given = send(project, 465)
    assert given.code == 2 and "--port" in given.output and "give --port 587" in given.output, given.output


def test_the_issue_report_says_to_send_the_rest_with_its_settings(project):
    """``sotong report --issue D -s publishconf.py`` with emails not sent yet
    said to run ``sotong send --issue D`` again, without the -s: run as said,
    it read pelicanconf.py, and its store, not the production one."""
    import socket

    outbox_of(project, add_subscribers(store_of(project), 2))
    with socket.socket() as probe:  # a port with nobody listening: every email stays queued
        probe.bind(("127.0.0.1", 0))
        assert send(project, probe.getsockname()[1]).code == 1
    production = {"SOTONG_SECRET": "an office key for the tests, not the development one"}
    Store.open(store_of(project)).close()  # a store, nothing sent yet (a report refuses a SOTONG_DB naming none)
    report = run_sotong(project, "report", "--issue", ISSUE, "-s", "publishconf.py", env=production)
    assert report.code == 0 and (
        "The emails not sent yet go when sotong send --issue 2026-11-26 -s publishconf.py runs again.") in report.stdout


def test_a_production_rerun_with_failures_names_the_report_with_its_settings(project):
    """A re-run with nothing left but failures said to see them with
    ``sotong send report``, without the outbox or the -s it was run with."""
    ids = add_subscribers(store_of(project), 2)
    outbox_of(project, ids)
    handler = ScriptedHandler()
    handler.refuse[address_of(ids[1])] = "550 5.1.1 no such user"
    production = {"SOTONG_SECRET": "an office key for the tests, not the development one"}
    with SMTPServer(handler) as server:
        assert send(project, server.port).code == 1
        again = run_sotong(project, "send", "--issue", ISSUE, "--host", "127.0.0.1", "--port", str(server.port),
                           "-s", "publishconf.py", env=production)
    assert again.code == 0 and (
        "1 were already sent and 1 failed for good (sotong send report --issue 2026-11-26 -s publishconf.py lists them)"
    ) in again.stdout, again.output


def test_a_production_run_suggests_its_next_commands_with_its_settings(project):
    """Run with -s publishconf.py, the next step a message gives carries it: without
    it, the command suggested read pelicanconf.py, and its store, not the environment's
    SOTONG_DB (PostgreSQL) that publishconf.py reads. (Each in its own process, as
    the operator runs them: publishconf.py imports pelicanconf.py by name.)"""
    production = {"SOTONG_SECRET": "an office key for the tests, not the development one"}
    Store.open(store_of(project)).close()  # a store, nothing sent yet (a report refuses a SOTONG_DB naming none)
    report = run_sotong(project, "send", "report", "--issue", ISSUE, "-s", "publishconf.py", env=production)
    assert report.code == 1 and report.stderr.rstrip().endswith(
        "send it first with: sotong send --issue 2026-11-26 -s publishconf.py"), report.output
    unbundled = run_sotong(project, "send", "--issue", ISSUE, "-s", "publishconf.py", env=production)
    assert unbundled.code == 1 and unbundled.stderr.rstrip().endswith(
        "make it first with: sotong bundles --issue 2026-11-26 -s publishconf.py"), unbundled.output
    development = run_cli(settings(project), "send", "report", "--issue", ISSUE)  # pelicanconf.py: in-process will do
    assert development.output.rstrip().endswith("send it first with: sotong send --issue 2026-11-26")


def test_a_send_with_sotong_db_mistyped_refuses_rather_than_send_everything_again(project):
    """A SOTONG_DB naming no file made an empty store there, whose journal
    knew nothing sent: every reader of the outbox got the issue again (and
    once more when the path was mended). send refuses it in one line."""
    add_subscribers(store_of(project), 2)
    outbox_of(project, ["S00001", "S00002"])
    with open(settings(project), "a", encoding="utf-8") as written:
        written.write('\nSOTONG_DB = "privat/sotng.db"\n')
    result = run_cli(settings(project), "send", "--issue", ISSUE, "--dry-run")
    assert result.code == 1 and "Traceback" not in result.output, result.output
    assert "SOTONG_DB names privat/sotng.db, where there is no store" in result.output
    assert not (project / "privat").exists()
