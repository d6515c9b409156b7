"""``sotong send`` and a mail server's size limit (its EHLO ``SIZE n``, RFC
1870): a private notice's attachments can make its emails larger than the
server takes. Such an email is not handed over (the server would read it all
and answer 552, for each one), fails with a Korean reason naming the notice
whose files make it large and no address, the rest of the send goes on, the
summary says what to do, and once the files are made smaller the next run
sends those emails and nothing twice. Against a real aiosmtpd server."""

from __future__ import annotations

import asyncio
import gc
import json
import subprocess
import sys
import time

from delivery_support import ScriptedHandler, SMTPServer, add_subscribers, address_of, eml_bytes, make_outbox, run_cli
from project_support import new_store_location, project_on, store_of
from sotong.store import Store
import test_send
from test_send import ISSUE, NOTICES, journal, send

project, offers = test_send.project, test_send.offers  # the fixtures: each backend; what the server offers
BUDGET = "2026-12-09-budget-committee-review"  # the sample's private notice with a PDF attached
LIMIT = 30_000  # bytes the server takes (aiosmtpd's data_size_limit, said as SIZE 30000)


def outbox_with_large_emails(project, limit: int = LIMIT) -> tuple[list[str], list[str]]:
    """Four readers; the second's and the fourth's emails hold BUDGET too and
    are larger than ``limit``. The readers, and the two whose emails are large."""
    ids = add_subscribers(store_of(project), 4)
    folder = make_outbox(project / "private" / "outbox", ISSUE, ids, NOTICES)
    large = [ids[1], ids[3]]
    lines = [json.loads(line) for line in (folder / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    for line in lines:
        if line["id"] in large:
            line["notices"] = [*NOTICES, BUDGET]
            (folder / line["file"]).write_bytes(eml_bytes(line["id"], line["notices"], ISSUE, padding=limit // 7))
    (folder / "manifest.jsonl").write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines),
                                          encoding="utf-8")
    assert all(len((folder / "email" / f"{reader}.eml").read_bytes()) > limit for reader in large)
    return ids, large


def test_an_email_larger_than_the_server_takes_fails_alone_with_what_to_do_and_goes_once_made_smaller(project, offers):
    ids, large = outbox_with_large_emails(project)
    handler = ScriptedHandler(**offers)
    with SMTPServer(handler, data_size_limit=LIMIT) as server:
        first = send(project, server.port)
        after_first = handler.accepted_counts()
        gc.collect()  # the run's store goes, as at its process's exit
        again = send(project, server.port)  # nothing changed: they fail again, without a byte to the server
        after_again = handler.accepted_counts()
        gc.collect()
        for reader in large:  # the files made smaller and the outbox bundled again
            eml = project / "private" / "outbox" / ISSUE / "email" / f"{reader}.eml"
            eml.write_bytes(eml_bytes(reader, [*NOTICES, BUDGET], ISSUE))
        last = send(project, server.port)
    small = {address_of(reader): 1 for reader in ids if reader not in large}
    assert after_first == after_again == small
    assert handler.accepted_counts() == {address_of(reader): 1 for reader in ids}  # each once, in the end
    assert first.code == 1 and "Emails: 2 sent, 2 failed, 0 deferred" in first.output, first.output
    assert ("2 emails were not sent: each is larger than the 30KB the mail server takes (SIZE): the attachments of "
            f"{BUDGET} make them large. Make the files smaller") in first.output
    assert f"(sotong bundles --issue {ISSUE}" in first.output and "run this command again: it sends them" in first.output
    assert again.code == 1 and "Emails: 0 sent, 2 failed, 0 deferred" in again.output, again.output
    assert last.code == 0 and "Emails: 2 sent, 0 failed, 0 deferred" in last.output, last.output
    assert {row["state"] for row in journal(project).values()} == {"sent"}


def test_the_reason_is_kept_in_korean_names_the_notice_and_no_address_and_counts_as_no_bounce(project):
    ids, large = outbox_with_large_emails(project)
    with SMTPServer(ScriptedHandler(), data_size_limit=LIMIT) as server:
        result = send(project, server.port)
    assert result.code == 1, result.output
    rows = journal(project)
    for reader in large:
        row = rows[(reader, "email")]
        assert (row["state"], row["answer_stage"], row["answer_code"]) == ("failed", "size", None)
        text = row["answer_text"]
        assert text.startswith("메일이 ") and "메일 서버가 받는 크기 30KB(SIZE)보다 커서 보내지 않음" in text, text
        assert f"보내지 않음 (공지 {BUDGET}의 첨부 파일 1KB); 파일을 줄여 다시 묶은(sotong bundles) 뒤 다시 보내거나" in text
        assert "@" not in text
    report = run_cli(project / "pelicanconf.py", "send", "report", "--issue", ISSUE)
    assert f"{large[0]}  email  after 1 tries: 메일이 " in report.output
    assert "[invalid address]" not in report.output and "@" not in report.output
    assert "Flagged" not in result.output  # not the reader's address: no bounce score


class NamingNoSize(ScriptedHandler):
    """A server with a size limit it does not name in its EHLO (no SIZE): it
    reads a message too large whole, then answers 552."""

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        return [line for line in await super().handle_EHLO(server, session, envelope, hostname, responses)
                if "SIZE" not in line]


def test_an_email_the_server_refused_as_too_large_goes_once_its_files_are_made_smaller(project):
    ids, large = outbox_with_large_emails(project)
    handler = NamingNoSize()
    with SMTPServer(handler, data_size_limit=LIMIT) as server:
        first = send(project, server.port)
        refused = journal(project)[(large[0], "email")]
        gc.collect()
        for reader in large:
            eml = project / "private" / "outbox" / ISSUE / "email" / f"{reader}.eml"
            eml.write_bytes(eml_bytes(reader, [*NOTICES, BUDGET], ISSUE))
        last = send(project, server.port)
    assert first.code == 1 and "Emails: 2 sent, 2 failed, 0 deferred" in first.output, first.output
    assert (f"2 emails were not sent: the mail server refused them as too large: the attachments of {BUDGET} make "
            "them large. Make the files smaller") in first.output
    assert (refused["state"], refused["answer_stage"], refused["answer_code"]) == ("failed", "size", 552)
    assert refused["answer_text"] == f"Error: Too much mail data (공지 {BUDGET}의 첨부 파일 1KB)"
    assert last.code == 0 and "Emails: 2 sent, 0 failed, 0 deferred" in last.output, last.output
    assert handler.accepted_counts() == {address_of(reader): 1 for reader in ids}
    row = journal(project)[(large[0], "email")]
    assert (row["state"], row["answer_code"], row["answer_stage"]) == ("sent", 250, "data")


def test_a_dry_run_counts_the_emails_larger_than_smtp_size_limit_apart_as_the_send_then_fails_them(project):
    """A dry run connects to no server, so it measures the emails left to
    send against SMTP_SIZE_LIMIT: it counted them as "would send", and the
    send then failed them. Those it counts apart are those the send, to a
    server taking as much (its SIZE), fails for size."""
    limit = 1_000_000  # the least SMTP_SIZE_LIMIT takes
    with open(project / "pelicanconf.py", "a", encoding="utf-8") as settings_file:
        settings_file.write(f"SMTP_SIZE_LIMIT = {limit}\n")
    ids, large = outbox_with_large_emails(project, limit)
    handler = ScriptedHandler()
    with SMTPServer(handler, data_size_limit=limit) as server:
        dry = send(project, server.port, "--dry-run")
        assert handler.datas == 0 and journal(project) == {}
        gc.collect()
        sent = send(project, server.port)
        gc.collect()
        again = send(project, server.port, "--dry-run")  # failed for size: queued again by a recording
    assert dry.code == 1, dry.output
    assert "Would send 2 emails to 127.0.0.1" in dry.output, dry.output
    assert ("2 more emails would not be sent: each is larger than the 1MB the mail server takes (SMTP_SIZE_LIMIT): "
            f"the attachments of {BUDGET} make them large. Make the files smaller (a PDF at a lower picture quality) "
            f"and make the outbox again (sotong bundles --issue {ISSUE}) before sending it") in dry.output, dry.output
    assert sent.code == 1 and "Emails: 2 sent, 2 failed, 0 deferred" in sent.output, sent.output
    assert "2 emails were not sent: each is larger than the 1MB the mail server takes (SIZE)" in sent.output
    assert {reader for (reader, _channel), row in journal(project).items() if row["answer_stage"] == "size"} == set(large)
    assert again.code == 1 and "Would send 0 emails" in again.output and "2 more emails would not" in again.output


def test_a_dry_run_with_every_email_within_smtp_size_limit_counts_them_all_as_would_send(project):
    ids, large = outbox_with_large_emails(project)  # over 30KB, far within the default 10,240,000 bytes
    result = send(project, 9, "--dry-run")  # no server: a dry run connects to none
    assert result.code == 0 and "Would send 4 emails" in result.output and "would not" not in result.output, \
        result.output


# ``python -m sotong ARGS`` whose first opening of the file ending in PAUSED writes MARKER and waits for GO:
# a dry run seen in the middle of reading its emails' heads, for as long as the test needs.
_PAUSED_AT_OPEN = """
import os, runpy, sys, time
marker, go, paused = sys.argv[1:4]
del sys.argv[1:4]
state = {"paused": False}

def pause_at(event, args):
    if event == "open" and not state["paused"] and isinstance(args[0], (str, os.PathLike)) \\
            and os.fspath(args[0]).endswith(paused):
        state["paused"] = True
        with open(marker, "w"):
            pass
        while not os.path.exists(go):
            time.sleep(0.05)

sys.addaudithook(pause_at)
runpy.run_module("sotong", run_name="__main__", alter_sys=True)
"""


def test_a_dry_run_reading_its_emails_lets_the_collector_write(tmp_path):
    """A SQLite dry run read the heads of the emails left to send (a second
    or so per 100,000) inside its transaction, holding the store's write
    lock: the collector's unsubscribes and clicks waited for it. Held in the
    middle of that reading, the dry run lets a write of another connection
    (the collector's unsubscribe, waiting up to 30 s for a lock as it does)
    through at once, and ends as before once let go."""
    (tmp_path / "project").mkdir()
    project = project_on(new_store_location("sqlite", tmp_path), tmp_path / "project")
    ids = add_subscribers(store_of(project), 40)
    make_outbox(project / "private" / "outbox", ISSUE, ids, NOTICES)
    marker, go = tmp_path / "reading", tmp_path / "go"
    dry = subprocess.Popen([sys.executable, "-c", _PAUSED_AT_OPEN, str(marker), str(go), f"email/{ids[-1]}.eml",
                            "send", "--issue", ISSUE, "--dry-run"], cwd=project, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
    try:
        started = time.monotonic()
        while not marker.exists():
            assert dry.poll() is None and time.monotonic() - started < 300, dry.poll()
            time.sleep(0.05)
        collector = Store.open(store_of(project))
        try:
            assert collector.unsubscribe(ids[0])  # before the fix: "database is locked" after 30 s
        finally:
            collector.close()
        assert dry.poll() is None  # the dry run was still reading
    finally:
        go.touch()
        output, _errors = dry.communicate(timeout=120)
    assert dry.returncode == 0 and f"Would send {len(ids)} emails" in output, output


class Scanning(ScriptedHandler):
    """A relay that reads a large message through a filter (a virus scan)
    before it answers its DATA: ``seconds`` for one over 500KB."""

    def __init__(self, seconds: float, **options):
        super().__init__(**options)
        self.seconds = seconds

    async def handle_DATA(self, server, session, envelope):
        if len(envelope.original_content) > 500_000:
            await asyncio.sleep(self.seconds)
        return await super().handle_DATA(server, session, envelope)


def test_a_large_email_waits_for_its_answer_longer_than_a_command_does(project, offers):
    """Each exchange waited DELIVERY timeout_seconds, whatever the message:
    a relay that answered a large email after scanning it for longer was
    taken for lost, the email handed over again each try (the server kept
    each), then the run stopped as if it had stopped answering. A message
    now waits timeout_seconds and a second for each 100KB of it (Python's
    sendall counts its whole time against the same timeout: a 13MB email on
    an uplink under 3.5 Mbit/s timed out at every try)."""
    with open(project / "pelicanconf.py", "a", encoding="utf-8") as settings_file:
        settings_file.write('DELIVERY = {"timeout_seconds": 0.5, "reconnect_attempts": 2, "connections": 1, '
                            '"backoff_seconds": 0.02}\n')
    ids, large = outbox_with_large_emails(project, 1_000_000)
    handler = Scanning(1.5, **offers)
    with SMTPServer(handler) as server:
        result = send(project, server.port)
    assert result.code == 0 and "Emails: 4 sent, 0 failed, 0 deferred" in result.output, result.output
    assert "connection" not in result.output  # none lost, none reopened
    assert handler.accepted_counts() == {address_of(reader): 1 for reader in ids}
