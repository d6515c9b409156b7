"""``sotong send`` keeps its word (issue #8): an address outside ASCII goes out
with SMTPUTF8 or fails alone, SMS are recorded as handed over only when the
run finished, a reader who unsubscribes during a run gets nothing more,
failures give exit 1, a finished outbox says so, and a notice edited after
bundling is pointed out. Against a real aiosmtpd server on 127.0.0.1."""

from __future__ import annotations

import os
import socket
import sqlite3
from email.parser import BytesParser
from email.policy import default as default_policy
from pathlib import Path

import pytest

from delivery_support import (ScriptedHandler, SMTPServer, add_subscribers, address_of, make_outbox, mark_address_invalid,
                              run_cli)
from project_support import store_of, store_query
from delivery.journal import TAKE_BATCH
import test_bundles
import test_send
from test_send import ISSUE, NOTICES, journal, outbox_of, send

project = test_send.project  # the fixture: the sample project on each backend
small = test_bundles.small  # the fixture: the sample project with readers A1, B2, C3

KOREAN_ADDRESS = "홍길동@example.com"
IDN_ADDRESS, IDN_ASCII = "minsu@한국.com", "minsu@xn--3e0b707e.com"


def outbox_with_korean_address(project: Path, address: str = KOREAN_ADDRESS) -> list[str]:
    """Three readers; the second one's address (store and email) is ``address``."""
    ids = add_subscribers(store_of(project), 3)
    folder = make_outbox(project / "private" / "outbox", ISSUE, ids, NOTICES)
    eml = folder / "email" / f"{ids[1]}.eml"
    eml.write_bytes(eml.read_bytes().replace(address_of(ids[1]).encode(), address.encode()))
    store_query(project, "UPDATE subscribers SET email = ? WHERE id = ?", (address, ids[1]))
    return ids


def test_an_address_outside_ascii_fails_alone_when_the_server_has_no_smtputf8(project):
    ids = outbox_with_korean_address(project)
    with SMTPServer(ScriptedHandler()) as server:
        first = send(project, server.port)
        again = send(project, server.port)
        assert server.handler.accepted_counts() == {address_of(ids[0]): 1, address_of(ids[2]): 1}
    assert first.code == 1, first.output
    assert "Emails: 2 sent, 1 failed, 0 deferred" in first.output
    failed = journal(project)[(ids[1], "email")]
    assert failed["state"] == "failed" and "does not offer SMTPUTF8" in failed["answer_text"]
    assert again.code == 0 and "nothing left to send: 2 were already sent and 1 failed for good" in again.output
    report = run_cli(project / "pelicanconf.py", "send", "report", "--issue", ISSUE)
    assert f"{ids[1]}  email" in report.output and "SMTPUTF8" in report.output
    assert "홍길동" not in report.output + first.output


def test_an_address_outside_ascii_goes_out_with_smtputf8_when_offered(project):
    ids = outbox_with_korean_address(project)
    with SMTPServer(ScriptedHandler(), enable_SMTPUTF8=True) as server:
        result = send(project, server.port)
        assert server.handler.accepted_counts() == {address_of(ids[0]): 1, KOREAN_ADDRESS: 1, address_of(ids[2]): 1}
    assert result.code == 0, result.output
    assert {r["state"] for r in journal(project).values()} == {"sent"}


def test_an_address_whose_domain_is_outside_ascii_goes_in_idna_to_a_server_without_smtputf8(project):
    """minsu@한국.com failed like 홍길동@example.com (NO_SMTPUTF8) though it has
    an ASCII form every server takes: RCPT TO now names it (an outbox made
    before the bundles wrote To in it, as here, too)."""
    ids = outbox_with_korean_address(project, IDN_ADDRESS)
    with SMTPServer(ScriptedHandler()) as server:
        result = send(project, server.port)
        assert server.handler.accepted_counts() == {address_of(ids[0]): 1, IDN_ASCII: 1, address_of(ids[2]): 1}
    assert result.code == 0, result.output
    assert {r["state"] for r in journal(project).values()} == {"sent"}


def test_the_bundles_write_a_domain_outside_ascii_in_idna_and_send_takes_it_so(small):
    """A reader of minsu@한국.com: the bundles wrote the address as typed in
    To, which only an SMTPUTF8 server takes; To and RCPT TO now hold its
    IDNA form, and the store keeps it as typed."""
    store_query(small, "UPDATE subscribers SET email = ? WHERE id = 'B2'", (IDN_ADDRESS,))
    bundled = run_cli(small / "pelicanconf.py", "bundles", "--issue", test_bundles.ISSUE)
    assert bundled.code == 0, bundled.output
    eml = (small / "private" / "outbox" / test_bundles.ISSUE / "email" / "B2.eml").read_bytes()
    assert f"<{IDN_ASCII}>".encode() in eml.split(b"\r\n\r\n")[0] and eml.isascii()
    with SMTPServer(ScriptedHandler()) as server:
        result = run_cli(small / "pelicanconf.py", "send", "--issue", test_bundles.ISSUE, "--host", "127.0.0.1",
                         "--port", str(server.port))
        assert server.handler.accepted_counts() == {"a1@example.com": 1, IDN_ASCII: 1}
    assert result.code == 0, result.output
    [content] = [data for data in server.handler.contents if IDN_ASCII.encode() in data]
    assert BytesParser(policy=default_policy).parsebytes(content)["To"].addresses[0].addr_spec == IDN_ASCII
    assert store_query(small, "SELECT email FROM subscribers WHERE id = 'B2'") == [(IDN_ADDRESS,)]


def test_import_warns_of_addresses_outside_ascii_by_line_and_id_never_the_address(project, tmp_path):
    csv_file = tmp_path / "in.csv"
    csv_file.write_text(
        "id,name,email,phone,birth_year,gender,dong,fields,channels,kind,business_type,subscribed_at,unsubscribed_at\n"
        "S1,김,kim@example.com,,1980,F,yongdap,health,email,,,2026-01-01,\n"
        f"S2,홍,{KOREAN_ADDRESS},,1980,M,yongdap,health,email,,,2026-01-01,\n"
        f"S3,민,{IDN_ADDRESS},,1980,M,yongdap,health,email,,,2026-01-01,\n", encoding="utf-8")
    result = run_cli(project / "pelicanconf.py", "subscribers", "import", str(csv_file))
    assert result.code == 0, result.output
    warnings = [line for line in result.output.splitlines() if "warning" in line]
    assert warnings == [f"{csv_file}:3: warning: subscriber S2's email address has characters outside ASCII before the @; "
                        "only a mail server that offers SMTPUTF8 can take it, and sotong send fails it elsewhere; "
                        "check the address with the reader"]  # S3's domain goes as IDNA: no warning
    assert "홍길동" not in result.output and "3 added" in result.output


def test_sms_are_recorded_as_handed_over_only_once_a_run_has_finished(project):
    ids = add_subscribers(store_of(project), 4)
    make_outbox(project / "private" / "outbox", ISSUE, ids[:2], NOTICES, sms={ids[2]: "SMS", ids[3]: "LMS"})
    with socket.socket() as probe:  # a port with nobody listening
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    unreachable = send(project, dead_port)
    assert unreachable.code == 1 and "handed over" not in unreachable.output
    assert {k: r["state"] for k, r in journal(project).items()} == {(i, "email"): "queued" for i in ids[:2]}
    with SMTPServer(ScriptedHandler()) as server:
        result = send(project, server.port)
    assert result.code == 0, result.output
    assert "SMS: 2 SMS messages (SMS 1, LMS 1) recorded as handed over" in result.output
    assert {k: r["state"] for k, r in journal(project).items() if k[1] == "sms"} == {
        (ids[2], "sms"): "handed_over", (ids[3], "sms"): "handed_over"}
    report = run_cli(project / "pelicanconf.py", "send", "report", "--issue", ISSUE)
    assert "SMS/LMS: 2 handed over" in report.output and "sent" not in report.output.split("SMS/LMS:")[1]


def test_a_journal_from_before_handed_over_is_brought_up_to_date(project):
    if store_of(project).startswith("postgresql://"):
        pytest.skip("a journal from before handed_over is an SQLite file: PostgreSQL stores began after it")
    ids = add_subscribers(store_of(project), 2)
    db = sqlite3.connect(store_of(project))
    db.executescript("""
        CREATE TABLE delivery_messages (
            id INTEGER PRIMARY KEY, outbox TEXT NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('issue', 'notice')),
            subscriber_id TEXT NOT NULL, channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
            type TEXT NOT NULL CHECK (type IN ('EMAIL', 'SMS', 'LMS')), notices TEXT NOT NULL, file TEXT,
            state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'deferred', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0, answer_stage TEXT, answer_code INTEGER, answer_text TEXT,
            queued_at TEXT NOT NULL, updated_at TEXT NOT NULL, sent_at TEXT, UNIQUE (outbox, subscriber_id, channel));
        INSERT INTO delivery_messages VALUES (1, '2026-11-12', 'issue', 'S00001', 'email', 'EMAIL', '["a"]',
            'email/S00001.eml', 'sent', 1, 'data', 250, 'ok', '2026-11-12T09:00:00+09:00', '2026-11-12T09:00:00+09:00',
            '2026-11-12T09:00:00+09:00');
        INSERT INTO delivery_messages VALUES (2, '2026-11-12', 'issue', 'S00002', 'sms', 'SMS', '["a"]', NULL,
            'sent', 1, NULL, NULL, 'sms.csv', '2026-11-12T09:00:00+09:00', '2026-11-12T09:00:00+09:00',
            '2026-11-12T09:00:00+09:00');
    """)
    db.close()
    report = run_cli(project / "pelicanconf.py", "send", "report", "--issue", "2026-11-12")
    assert "email: 1 sent" in report.output and "SMS/LMS: 1 handed over" in report.output
    annual = run_cli(project / "pelicanconf.py", "report", "--year", "2026")
    assert "2 deliveries (email 1, SMS 1, LMS 0)" in annual.output, annual.output
    assert ids


class UnsubscribingHandler(ScriptedHandler):
    """While the third email is being accepted, one later reader unsubscribes
    (as the collector records it) and another's address is flagged invalid:
    both gone before the take of their messages (a connection takes
    TAKE_BATCH at once; those already taken go out)."""

    def __init__(self, db: Path, unsubscriber: str, invalid: str):
        super().__init__()
        self.db, self.unsubscriber, self.invalid = db, unsubscriber, invalid

    async def handle_DATA(self, server, session, envelope):
        answer = await super().handle_DATA(server, session, envelope)
        if self.datas == 3:
            from sotong.store import Store

            store = Store.open(self.db)
            store.unsubscribe(self.unsubscriber)
            mark_address_invalid(store, self.invalid)
            store.close()
        return answer


def test_a_reader_who_unsubscribes_during_a_send_gets_nothing_more(project):
    (project / "pelicanconf.py").write_text((project / "pelicanconf.py").read_text(encoding="utf-8")
                                            + 'DELIVERY["connections"] = 1\n', encoding="utf-8")
    ids = add_subscribers(store_of(project), 2 * TAKE_BATCH)  # the last two in the connection's second take
    make_outbox(project / "private" / "outbox", ISSUE, ids, NOTICES)
    handler = UnsubscribingHandler(store_of(project), ids[-2], ids[-1])
    with SMTPServer(handler) as server:
        result = send(project, server.port)
    assert result.code == 0, result.output
    assert set(handler.accepted_counts()) == {address_of(i) for i in ids[:-2]}
    assert f"Emails: {len(ids) - 2} sent, 0 failed, 0 deferred" in result.output
    assert "2 readers unsubscribed during the run and were left out" in result.output
    assert set(journal(project)) == {(i, "email") for i in ids[:-2]}


def test_failed_messages_exit_1_and_a_finished_outbox_says_it_was_all_sent(project):
    ids = add_subscribers(store_of(project), 3)
    make_outbox(project / "private" / "outbox", ISSUE, ids, NOTICES)
    handler = ScriptedHandler()
    handler.refuse[address_of(ids[0])] = "550 5.1.1 no such user"
    with SMTPServer(handler) as server:
        failing = send(project, server.port)
        assert failing.code == 1 and "Emails: 2 sent, 1 failed" in failing.output
        store_query(project, "DELETE FROM delivery_messages WHERE subscriber_id = ?", (ids[0],))
        handler.refuse.clear()  # the address was corrected
        completing = send(project, server.port)
        again = send(project, server.port)
    assert completing.code == 0 and "Emails: 1 sent, 0 failed" in completing.output
    assert again.code == 0
    assert "Emails: all 3 were already sent; nothing left to send." in again.output
    assert "0 sent" not in again.output


def test_a_notice_edited_after_bundling_is_pointed_out(project):
    ids = add_subscribers(store_of(project), 2)
    folder = make_outbox(project / "private" / "outbox", ISSUE, ids, NOTICES)
    edited = project / "content" / "notices" / f"{NOTICES[0]}.md"
    made = (folder / "manifest.jsonl").stat().st_mtime
    for notice in NOTICES:
        path = project / "content" / "notices" / f"{notice}.md"
        os.utime(path, (made - 60, made - 60) if path != edited else (made + 5, made + 5))
    with SMTPServer(ScriptedHandler()) as server:
        result = send(project, server.port)
    assert result.code == 0, result.output
    assert (f"content/notices/{NOTICES[0]}.md: warning: changed after the outbox {ISSUE} was made; its messages "
            f"carry the text as it was then. For the new text, make the outbox again (sotong bundles --issue {ISSUE}) "
            "before sending it") in result.output
    assert NOTICES[1] not in result.output


def test_an_outbox_bundled_with_another_key_is_refused_before_anything_is_sent(small, monkeypatch):
    """Bundled in a shell whose SOTONG_SECRET was not the office's, sent from
    the unit that has it (or the other way): every unsubscribe link in the
    emails failed at the collector, and the bounces' return paths named
    nobody. The send says so and sends nothing; the office's key, or the
    bundle's as SOTONG_PREVIOUS_SECRET while keys change, sends it."""
    monkeypatch.setenv("SOTONG_SECRET", "k" * 40)
    assert run_cli(small / "pelicanconf.py", "bundles", "--issue", test_bundles.ISSUE).code == 0
    monkeypatch.setenv("SOTONG_SECRET", "o" * 40)
    with SMTPServer(ScriptedHandler()) as server:
        for more in ([], ["--dry-run"]):
            refused = run_cli(small / "pelicanconf.py", "send", "--issue", test_bundles.ISSUE, "--host", "127.0.0.1",
                              "--port", str(server.port), *more)
            assert refused.code == 1 and "Traceback" not in refused.output
            assert refused.stderr.splitlines() == [
                f"private/outbox/{test_bundles.ISSUE}/email/A1.eml: its unsubscribe link was signed with another "
                f"SOTONG_SECRET than this command's, so the links of the outbox {test_bundles.ISSUE} work only with "
                "that key; set SOTONG_SECRET to the office's key (the collector's, e.g. in /etc/sotong/secrets) in "
                f"both commands, make the outbox again with it (sotong bundles --issue {test_bundles.ISSUE}), then send"]
        assert server.handler.accepted_counts() == {}
        monkeypatch.setenv("SOTONG_PREVIOUS_SECRET", "k" * 40)
        sent = run_cli(small / "pelicanconf.py", "send", "--issue", test_bundles.ISSUE, "--host", "127.0.0.1",
                       "--port", str(server.port))
        assert sent.code == 0, sent.output
        assert server.handler.accepted_counts() == {"a1@example.com": 1, "b2@example.com": 1}


@pytest.mark.parametrize("cut", ["sms", "email"])
def test_an_outbox_whose_manifest_was_cut_at_a_line_is_refused_not_sent_as_if_whole(project, cut):
    """An outbox copied in part to the sending machine (rsync stopped, a
    shared folder read while copied): a manifest cut at the end of a line
    was read as the whole outbox, and its readers after the cut got nothing
    while sms.csv went to the agency whole."""
    ids = add_subscribers(store_of(project), 6)
    folder = outbox_of(project, ids[:3], sms={ids[3]: "SMS", ids[4]: "LMS"})
    manifest = folder / "manifest.jsonl"
    lines = manifest.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if f'"{ids[2] if cut == "email" else ids[4]}"' not in line]
    manifest.write_text("".join(kept), encoding="utf-8")
    left = f"email/{ids[2]}.eml" if cut == "email" else f"sms.csv: {ids[4]}"
    with SMTPServer(ScriptedHandler()) as server:
        for more in ([], ["--dry-run"]):
            result = send(project, server.port, *more)
            assert result.code == 1 and "Traceback" not in result.output
            assert result.stderr.splitlines() == [
                f"private/outbox/{ISSUE}/manifest.jsonl:{len(kept) + 1}: names {len(kept)} messages, but 1 more are in "
                f"the outbox without a line here ({left}, ...): the manifest was cut short; copy the outbox whole, or "
                f"make it again with: sotong bundles --issue {ISSUE}"], result.stderr
        assert server.handler.accepted_counts() == {}
        manifest.write_text("".join(lines), encoding="utf-8")  # copied whole
        assert send(project, server.port).code == 0
        assert len(server.handler.accepted_counts()) == 3


def test_a_send_while_another_of_the_same_outbox_runs_is_refused_on_sqlite(small):
    """One send per outbox on SQLite (README): the lock the build and the
    bundles now share (sotong.atomic.one_at_a_time), held here as the other
    send's process holds it."""
    from sotong.atomic import one_at_a_time

    assert run_cli(small / "pelicanconf.py", "bundles", "--issue", test_bundles.ISSUE).code == 0
    with SMTPServer(ScriptedHandler()) as server:
        with one_at_a_time(small / "private" / "locks" / f"send-{test_bundles.ISSUE}.lock", "held by the test"):
            refused = run_cli(small / "pelicanconf.py", "send", "--issue", test_bundles.ISSUE, "--host", "127.0.0.1",
                              "--port", str(server.port))
        assert refused.code == 1
        assert refused.stderr.splitlines() == [f"another sotong send of {test_bundles.ISSUE} is running; wait for it to finish"]
        assert server.handler.accepted_counts() == {}
        sent = run_cli(small / "pelicanconf.py", "send", "--issue", test_bundles.ISSUE, "--host", "127.0.0.1",
                       "--port", str(server.port))
        assert sent.code == 0, sent.output
