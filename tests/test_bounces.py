"""``sotong bounces`` (SPEC §14) against a real IMAP server (Dovecot, started
here) and a Maildir: DSNs from Postfix and Gmail, Exim's plain bounce, soft
and hard, a forged return path, a vacation reply and unrelated mail (the
last three left where they were), re-runs that count nothing twice, scores as
Mailman keeps them, and an address that starts again once it is changed."""

from __future__ import annotations

import mailbox
import re
import socket
import ssl
import subprocess
import threading
import time
from email import message_from_bytes
from pathlib import Path

import pytest
from bounce_mails import (eight_bit_auto_submitted, exim_bounce, global_dsn, gmail_dsn, korean_base64_dsn, legacy_korean_reply,
                          nested_parts, postfix_dsn, unrelated_mail, vacation_reply)
from project_support import copy_project, project_on, store_of
from delivery_support import (SMTPServer, ScriptedHandler, add_subscribers, address_of, make_outbox, marked_invalid, run_cli,
                              store_rows)
from delivery.bounce_rules import HARD, SOFT, bounce_score, dsn_kind, refusal_verdict, verdict_of, verdict_of_bytes
from delivery.bounces import listed_ids
from delivery.verp import make_return_path
from hypothesis import example, given, settings
from hypothesis import strategies as st
from imap_server import PASSWORD, USER, Dovecot

from sotong.store import Store, Subscriber

BOUNCES = "bounces@sd.go.kr"
ISSUE = "2026-11-26"


def rp(subscriber_id: str, outbox: str = ISSUE) -> str:
    return make_return_path(BOUNCES, subscriber_id, outbox)


def mailbag() -> dict[str, bytes]:
    """One of each kind of mail, for readers S00001..S00005."""
    forged = rp("S00005")
    forged = forged[:forged.index("@") - 4] + "zzzz" + forged[forged.index("@"):]
    return {
        "postfix-hard": postfix_dsn(rp("S00001"), address_of("S00001"), serial=1),
        "gmail-hard": gmail_dsn(rp("S00002"), address_of("S00002"), serial=2),
        "exim-hard": exim_bounce(rp("S00003"), address_of("S00003"), serial=3),
        "postfix-soft": postfix_dsn(rp("S00004"), address_of("S00004"), serial=4, status="4.2.2", action="delayed",
                                    diagnostic="smtp; 452 4.2.2 <{recipient}>: Mailbox full"),
        "forged": postfix_dsn(forged, address_of("S00005"), serial=5),
        "vacation": vacation_reply(rp("S00001"), address_of("S00001")),
        "unrelated": unrelated_mail(),
    }


LEFT_ALONE = ("forged", "vacation", "unrelated")


def project_with(tmp_path: Path, mailbox_settings: str) -> Path:
    copy_project(tmp_path, extra_settings=f'BOUNCE_ADDRESS = "{BOUNCES}"\nBOUNCE_SCORE_LIMIT = 1\n{mailbox_settings}\n')
    add_subscribers(tmp_path / "private" / "sotong.db", 5, channels=("email",))
    return tmp_path


def invalid_ids(project: Path) -> list[str]:
    return marked_invalid(project, "email")


def subjects(mails) -> set[str]:
    return {str(message_from_bytes(m)["Message-ID"] or message_from_bytes(m)["Message-Id"]) for m in mails}


def handled_mail(name: str) -> bytes:
    """A handled bounce as the folder keeps it: its reader's address in it."""
    return f"Message-ID: <{name}@test>\r\nSubject: {name}\r\n\r\nhong@example.com\r\n".encode()


# --- the rules --------------------------------------------------------------------------


actions = st.sampled_from(["failed", "Failed", "delayed", "delivered", "relayed", "expanded", "error"])
statuses = st.tuples(st.sampled_from("245"), st.integers(0, 7), st.integers(0, 9)).map(lambda t: f"{t[0]}.{t[1]}.{t[2]}")


@settings(max_examples=200)
@given(actions, statuses | st.just(""))
def test_dsn_kind_reads_rfc_3464_and_3463(action, status):
    expected = None
    if action.lower() == "delayed":
        expected = SOFT
    elif action.lower() in ("failed", "error"):
        transient = status.startswith("4.") or status[1:] == ".2.2"
        expected = SOFT if transient else HARD
    assert dsn_kind(action, status) == expected


def refusal_by_hand(stage, code, status: str) -> str | None:
    """What a refusal during a send says of the address, read off RFC 3463's
    and RFC 5321's tables one case at a time."""
    if stage not in ("rcpt", "data") or not 500 <= code <= 599:
        return None
    if status and status[0] in "45":
        klass, subject, detail = status.split(".")
        if subject == "1" or (subject == "2" and detail != "3"):
            return SOFT if klass == "4" or (subject, detail) == ("2", "2") else HARD
        return None
    if stage == "data":
        return None
    return SOFT if code == 552 else HARD


@settings(max_examples=300)
@given(st.sampled_from(["rcpt", "data", "mail", "connect", None]),
       st.sampled_from([250, 421, 451, 452, 499, 500, 550, 551, 552, 553, 554, 599]),
       statuses | st.just(""), st.sampled_from(["", " <someone@mail.test>: no such user", "234 more digits"]))
@example("rcpt", 552, "5.2.3", "").via("the message too long")
@example("rcpt", 552, "", "").via("storage exceeded, no enhanced status")
@example("data", 550, "", "").via("DATA without an enhanced status")
@example("data", 550, "5.1.1", "").via("DATA naming the address")
@example("rcpt", 550, "5.7.1", "").via("policy")
@example("rcpt", 554, "5.2.2", "").via("mailbox full")
@example("rcpt", 550, "2.1.5", "").via("a success status read as none")
@example("mail", 550, "5.1.1", "").via("our sender")
def test_a_refusal_during_a_send_counts_when_it_speaks_of_the_address(stage, code, status, tail):
    text = f"{status}{tail}"
    verdict = refusal_verdict(stage, code, text)
    status = status if not tail.startswith("234") else ""  # 5.1.1234 is no enhanced status
    expected = refusal_by_hand(stage, code, status)
    assert getattr(verdict, "kind", None) == expected
    if verdict is not None:
        assert verdict.reason == f"{code} {text}".strip() and verdict.status == (status if status[:1] in "45" else "")


@settings(max_examples=200)
@given(st.lists(st.tuples(st.sampled_from(["2026-11-26", "2026-11-27", "2026-11-28"]), st.sampled_from([HARD, SOFT]))))
def test_a_bounce_score_counts_each_day_once_by_its_heaviest_bounce(bounces):
    expected = 0.0
    for day in {d for d, _ in bounces}:
        kinds = [k for d, k in bounces if d == day]
        expected += 1.0 if HARD in kinds else 0.5
    assert bounce_score(bounces) == expected


def test_each_fixture_reads_as_what_it_is():
    bag = mailbag()
    kinds = {name: getattr(verdict_of(message_from_bytes(data)), "kind", None) for name, data in bag.items()}
    assert kinds == {"postfix-hard": HARD, "gmail-hard": HARD, "exim-hard": HARD, "postfix-soft": SOFT,
                     "forged": HARD, "vacation": None, "unrelated": None}


def test_reading_a_dsn_from_its_bytes_agrees_with_parsing_it_whole():
    for name, data in mailbag().items():
        assert verdict_of_bytes(data)[0] == verdict_of(message_from_bytes(data)), name
    folded = postfix_dsn(rp("S00001"), address_of("S00001"), status="4.4.7", action="delayed",
                         diagnostic="smtp; 451 4.4.7\r\n  later")
    assert verdict_of_bytes(folded)[0] == verdict_of(message_from_bytes(folded))


# --- IMAP ----------------------------------------------------------------------------------


@pytest.fixture
def imap():
    with Dovecot() as server:
        yield server


def test_bounces_from_imap_are_attributed_scored_moved_and_counted_once(tmp_path, imap, monkeypatch):
    project = project_with(tmp_path, f'BOUNCE_IMAP_HOST = "127.0.0.1"\nBOUNCE_IMAP_PORT = {imap.port}\nBOUNCE_IMAP_USER = "{USER}"')
    monkeypatch.setenv("SOTONG_BOUNCE_PASSWORD", PASSWORD)
    bag = mailbag()
    imap.append(*bag.values())
    first = run_cli(project / "pelicanconf.py", "bounces")
    assert first.code == 0, first.output
    assert "Bounces: 4 (3 hard, 1 soft) from 4 readers, 4 new and 0 counted before; moved to sotong-handled." in first.output
    assert "Left where they were: 2 mails without a genuine return path of ours (other mail, or a forged tag), 1 auto-replies" in first.output
    assert "Flagged 3 email addresses as invalid (bounce score 1 or more)" in first.output
    assert invalid_ids(project) == ["S00001", "S00002", "S00003"]
    assert subjects(imap.messages("INBOX")) == subjects(bag[name] for name in LEFT_ALONE)
    assert subjects(imap.messages("sotong-handled")) == subjects(bag[n] for n in bag if n not in LEFT_ALONE)
    rows = store_rows(project, "SELECT subscriber_id, outbox, channel, kind, status, day FROM delivery_bounces ORDER BY subscriber_id")
    assert rows == [("S00001", ISSUE, "email", "hard", "5.1.1", "2026-11-27"), ("S00002", ISSUE, "email", "hard", "5.1.1", "2026-11-27"),
                    ("S00003", ISSUE, "email", "hard", "", "2026-11-27"), ("S00004", ISSUE, "email", "soft", "4.2.2", "2026-11-27")]
    assert "@" not in str(store_rows(project, "SELECT * FROM delivery_bounces"))

    imap.append(bag["postfix-hard"])  # the same bounce delivered twice
    again = run_cli(project / "pelicanconf.py", "bounces")
    assert again.code == 0, again.output
    assert "Bounces: 1 (1 hard, 0 soft) from 1 readers, 0 new and 1 counted before" in again.output
    assert len(store_rows(project, "SELECT * FROM delivery_bounces")) == 4
    assert subjects(imap.messages("INBOX")) == subjects(bag[name] for name in LEFT_ALONE)


def test_mail_that_is_not_ours_is_not_downloaded_whole_on_every_run(tmp_path, imap, monkeypatch):
    """Residents' replies, spam and forwarded files stay in the inbox for
    good (only bounces are moved), and every run downloaded each of them
    whole: a 3 MB reply with a photo, every day. Now only their header is
    read; the bounces are read and handled as before. Dovecot's own count
    of what each session fetched (its log) is the measure."""
    project = project_with(tmp_path, f'BOUNCE_IMAP_HOST = "127.0.0.1"\nBOUNCE_IMAP_PORT = {imap.port}\nBOUNCE_IMAP_USER = "{USER}"')
    monkeypatch.setenv("SOTONG_BOUNCE_PASSWORD", PASSWORD)
    photo = unrelated_mail().replace(b"\r\n\r\n", b"\r\n\r\n" + b"A" * 76 * 40_000 + b"\r\n", 1)
    bag = mailbag()
    imap.append(photo, *bag.values())
    ran = run_cli(project / "pelicanconf.py", "bounces")
    assert ran.code == 0, ran.output
    assert "Bounces: 4 (3 hard, 1 soft) from 4 readers" in ran.output
    assert "Left where they were: 3 mails without a genuine return path of ours" in ran.output
    headers, body_bytes = fetched_by_the_last_reading_session(imap)
    assert headers == len(bag) + 1 and body_bytes < 100_000
    assert len(imap.messages("INBOX")[0]) > 3_000_000  # left as it was


def fetched_by_the_last_reading_session(imap: Dovecot) -> tuple[int, int]:
    """(headers fetched, bytes of whole mails fetched) of the last session
    that fetched headers, from Dovecot's logout line (written moments after
    the client logs out)."""
    deadline = time.monotonic() + 10
    while True:
        found = re.findall(r"Logged out .* hdr_count=([1-9]\d*) .* body_bytes=(\d+)", (imap.folder / "dovecot.log").read_text())
        if found or time.monotonic() > deadline:
            return tuple(int(number) for number in found[-1])
        time.sleep(0.05)


def test_a_wrong_imap_password_is_one_line_and_exit_1(tmp_path, imap, monkeypatch):
    project = project_with(tmp_path, f'BOUNCE_IMAP_HOST = "127.0.0.1"\nBOUNCE_IMAP_PORT = {imap.port}\nBOUNCE_IMAP_USER = "{USER}"')
    monkeypatch.setenv("SOTONG_BOUNCE_PASSWORD", "wrong")
    ran = run_cli(project / "pelicanconf.py", "bounces")
    assert ran.code == 1
    assert f"cannot read the bounce mailbox {USER}@127.0.0.1:{imap.port}" in ran.output
    assert "check BOUNCE_IMAP_HOST, BOUNCE_IMAP_PORT, BOUNCE_IMAP_USER and SOTONG_BOUNCE_PASSWORD" in ran.output


class TlsFront:
    """A TLS front for Dovecot at 127.0.0.2, standing for a mailbox server on
    another machine (SPEC §14: TLS except on 127.0.0.1), with a certificate
    made for that address; ``received``: the first bytes each client sent."""

    HOST = "127.0.0.2"

    def __init__(self, folder: Path, dovecot_port: int):
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=imap",
                        "-addext", f"subjectAltName=IP:{self.HOST}", "-keyout", str(folder / "imap-key.pem"),
                        "-out", str(folder / "imap-cert.pem")], check=True, capture_output=True)
        self.certificate = folder / "imap-cert.pem"
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.context.load_cert_chain(self.certificate, folder / "imap-key.pem")
        self.listener = socket.create_server((self.HOST, 0))
        self.port, self.dovecot_port, self.received = self.listener.getsockname()[1], dovecot_port, []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _address = self.listener.accept()
            except OSError:  # closed
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client):
        with client:
            client.settimeout(10)
            first = client.recv(5, socket.MSG_PEEK)  # a client in plain text waits for the greeting: nothing
            self.received.append(first)
            if not first.startswith(b"\x16\x03"):  # no TLS ClientHello
                return
            try:
                secure = self.context.wrap_socket(client, server_side=True)
            except (ssl.SSLError, OSError):  # the client did not trust the certificate
                return
            with secure, socket.create_connection(("127.0.0.1", self.dovecot_port)) as dovecot:
                threading.Thread(target=self._pipe, args=(dovecot, secure), daemon=True).start()
                self._pipe(secure, dovecot)

    @staticmethod
    def _pipe(source, target):
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass

    def close(self):
        self.listener.close()


def test_a_mailbox_elsewhere_than_127_0_0_1_is_read_over_tls_with_a_trusted_certificate(tmp_path, imap, monkeypatch):
    front = TlsFront(tmp_path, imap.port)
    try:
        project = project_with(tmp_path, f'BOUNCE_IMAP_HOST = "{front.HOST}"\nBOUNCE_IMAP_PORT = {front.port}\n'
                                         f'BOUNCE_IMAP_USER = "{USER}"')
        monkeypatch.setenv("SOTONG_BOUNCE_PASSWORD", PASSWORD)
        imap.append(*mailbag().values())
        untrusted = run_cli(project / "pelicanconf.py", "bounces")  # a certificate nobody vouched for: no login
        assert untrusted.code == 1 and f"the bounce mailbox {USER}@{front.HOST}:{front.port} shows a certificate this machine does not trust" in untrusted.output
        assert len(untrusted.output.strip().splitlines()) == 1, untrusted.output
        monkeypatch.setenv("SSL_CERT_FILE", str(front.certificate))
        ran = run_cli(project / "pelicanconf.py", "bounces")
        assert ran.code == 0, ran.output
        assert "Bounces: 4 (3 hard, 1 soft) from 4 readers, 4 new and 0 counted before" in ran.output
        assert front.received and all(first.startswith(b"\x16\x03") for first in front.received)  # TLS from the first byte
    finally:
        front.close()


class PlainFront(TlsFront):
    """Dovecot at 127.0.0.2 without TLS: a mailbox server's IMAP port (143) given where its IMAPS port (993) is meant."""

    def _serve(self, client):
        with client, socket.create_connection(("127.0.0.1", self.dovecot_port)) as dovecot:
            client.settimeout(10)
            threading.Thread(target=self._pipe, args=(dovecot, client), daemon=True).start()
            self._pipe(client, dovecot)


def test_a_tls_trouble_is_one_line_saying_what_to_change(tmp_path, imap, monkeypatch):
    monkeypatch.setenv("SOTONG_BOUNCE_PASSWORD", PASSWORD)
    monkeypatch.setenv("SOTONG_LANG", "ko")
    for front, said in ((TlsFront(tmp_path, imap.port), "인증서"), (PlainFront(tmp_path, imap.port), "BOUNCE_IMAP_PORT")):
        (folder := tmp_path / type(front).__name__).mkdir()
        try:
            project = project_with(folder, f'BOUNCE_IMAP_HOST = "{front.HOST}"\nBOUNCE_IMAP_PORT = {front.port}\n'
                                             f'BOUNCE_IMAP_USER = "{USER}"')
            ran = run_cli(project / "pelicanconf.py", "bounces")
            assert ran.code == 1 and said in ran.output and "Traceback" not in ran.output, ran.output
            assert len(ran.output.strip().splitlines()) == 1, ran.output
        finally:
            front.close()
    assert "993" in ran.output


def test_a_folder_the_imap_account_may_not_create_is_one_line_and_the_bounces_stay_recorded(tmp_path, imap, monkeypatch):
    """An account that may not create BOUNCE_FOLDER (the mail admin's
    rights, a full quota): UID MOVE answered NO and sotong bounces ended
    with an imaplib traceback. Now one line; what was recorded stays, and
    the run after the admin's fix moves the mail and counts nothing twice."""
    project = project_with(tmp_path, f'BOUNCE_IMAP_HOST = "127.0.0.1"\nBOUNCE_IMAP_PORT = {imap.port}\nBOUNCE_IMAP_USER = "{USER}"')
    monkeypatch.setenv("SOTONG_BOUNCE_PASSWORD", PASSWORD)
    imap.append(*mailbag().values())
    home = imap.folder / "mail" / USER
    home.chmod(0o555)  # Dovecot's mail processes run as its own user: they may not make the folder here
    ran = run_cli(project / "pelicanconf.py", "bounces")
    assert ran.code == 1 and "Traceback" not in ran.output, ran.output
    assert ran.output.startswith(f"the bounce mailbox {USER}@127.0.0.1:{imap.port} stopped answering or refused (UID MOVE: NO")
    assert "check that the account may create and fill the folder sotong-handled" in ran.output
    assert len(ran.output.strip().splitlines()) == 1
    assert len(store_rows(project, "SELECT * FROM delivery_bounces")) == 4
    home.chmod(0o755)
    again = run_cli(project / "pelicanconf.py", "bounces")
    assert again.code == 0 and "Bounces: 4 (3 hard, 1 soft) from 4 readers, 0 new and 4 counted before" in again.output


def test_handled_bounces_are_deleted_from_the_imap_folder_a_year_after_they_arrived(tmp_path, imap, monkeypatch):
    """A handled bounce holds its reader's address (and often the message):
    the privacy page keeps delivery records a year, and so does the handled
    folder now; the inbox and younger handled mails are not touched."""
    import datetime as dt

    project = project_with(tmp_path, f'BOUNCE_IMAP_HOST = "127.0.0.1"\nBOUNCE_IMAP_PORT = {imap.port}\nBOUNCE_IMAP_USER = "{USER}"')
    monkeypatch.setenv("SOTONG_BOUNCE_PASSWORD", PASSWORD)
    bag = mailbag()
    client = imap.connect()
    assert client.create('"sotong-handled"')[0] == "OK"
    for subject, arrived in (("year-old", dt.datetime(2025, 11, 21, 12, tzinfo=dt.timezone.utc)),
                             ("eleven-months-old", dt.datetime(2025, 12, 24, 12, tzinfo=dt.timezone.utc))):
        assert client.append('"sotong-handled"', None, arrived, handled_mail(subject))[0] == "OK"
    client.logout()
    imap.append(*bag.values())
    ran = run_cli(project / "pelicanconf.py", "bounces")
    assert ran.code == 0, ran.output
    assert "Deleted from sotong-handled: 1 handled bounce mails that arrived before 2025-11-23 (kept a year)." in ran.output
    assert subjects(imap.messages("sotong-handled")) == {"<eleven-months-old@test>"} | subjects(bag[n] for n in bag if n not in LEFT_ALONE)
    assert subjects(imap.messages("INBOX")) == subjects(bag[name] for name in LEFT_ALONE)
    again = run_cli(project / "pelicanconf.py", "bounces")
    assert again.code == 0 and "Deleted from" not in again.output


# --- Maildir ---------------------------------------------------------------------------------


def maildir_with(folder: Path, mails) -> mailbox.Maildir:
    box = mailbox.Maildir(str(folder), create=True)
    for data in mails:
        box.add(data)
    return box


def test_bounces_from_a_maildir_leave_other_mail_where_it_was(tmp_path):
    project = project_with(tmp_path, 'BOUNCE_MAILDIR = "private/bounces"')
    bag = mailbag()
    maildir_with(project / "private" / "bounces", bag.values())
    first = run_cli(project / "pelicanconf.py", "bounces")
    assert first.code == 0, first.output
    assert "Bounces: 4 (3 hard, 1 soft) from 4 readers, 4 new" in first.output
    inbox = mailbox.Maildir(str(project / "private" / "bounces"), create=False)
    assert subjects(m.as_bytes() for m in inbox) == subjects(bag[name] for name in LEFT_ALONE)
    handled = inbox.get_folder("sotong-handled")
    assert len(handled) == 4
    second = run_cli(project / "pelicanconf.py", "bounces")
    assert "Bounces: no bounce of our mail in the mailbox; nothing was recorded or moved." in second.output
    assert "0 hard" not in second.output and "0 readers" not in second.output
    assert invalid_ids(project) == ["S00001", "S00002", "S00003"]


def test_the_dsn_of_a_message_sent_with_smtputf8_is_read_as_any_dsn(tmp_path):
    """An email to 홍길동@example.com goes out with SMTPUTF8, and its DSN is
    RFC 6533's message/global-delivery-status: it was taken for no bounce
    and left in the mailbox, the dead address never scored."""
    data = global_dsn(rp("S00001"), "홍길동@example.com")
    verdict = verdict_of_bytes(data)[0]
    assert verdict == verdict_of(message_from_bytes(data)) and (verdict.kind, verdict.status) == (HARD, "5.1.1")
    assert "홍길동@example.com" in verdict.reason  # read as UTF-8 (the journal keeps it without the address)
    project = project_with(tmp_path, 'BOUNCE_MAILDIR = "private/bounces"')
    maildir_with(project / "private" / "bounces", [data])
    ran = run_cli(project / "pelicanconf.py", "bounces")
    assert ran.code == 0 and "Bounces: 1 (1 hard, 0 soft) from 1 readers, 1 new" in ran.output, ran.output
    assert invalid_ids(project) == ["S00001"]
    assert store_rows(project, "SELECT status, reason FROM delivery_bounces") == [
        ("5.1.1", "550 5.1.1 <주소>: Recipient address rejected: User unknown in virtual mailbox table")]


def test_a_korean_servers_dsn_in_base64_is_read_as_any_dsn(tmp_path):
    """A DSN whose delivery-status part came base64-encoded (its human part
    in EUC-KR) was taken for no bounce and left in the mailbox."""
    data = korean_base64_dsn(rp("S00001"), address_of("S00001"))
    verdict = verdict_of_bytes(data)[0]
    assert verdict == verdict_of(message_from_bytes(data)) and (verdict.kind, verdict.status) == (HARD, "5.1.1")
    project = project_with(tmp_path, 'BOUNCE_MAILDIR = "private/bounces"')
    maildir_with(project / "private" / "bounces", [data])
    ran = run_cli(project / "pelicanconf.py", "bounces")
    assert ran.code == 0 and "Bounces: 1 (1 hard, 0 soft) from 1 readers, 1 new" in ran.output, ran.output
    assert store_rows(project, "SELECT status, reason FROM delivery_bounces") == [("5.1.1", "550 5.1.1 <주소>: 존재하지 않는 사용자입니다")]
    assert run_cli(project / "pelicanconf.py", "bounces").output.startswith("Bounces: no bounce of our mail")


def test_handled_bounces_are_deleted_from_the_maildir_folder_a_year_after_they_arrived(tmp_path):
    import datetime as dt
    import os

    project = project_with(tmp_path, 'BOUNCE_MAILDIR = "private/bounces"')
    bag = mailbag()
    inbox = maildir_with(project / "private" / "bounces", bag.values())
    handled = inbox.add_folder("sotong-handled")
    folder = project / "private" / "bounces" / ".sotong-handled" / "new"
    for name, day in (("year-old", "2025-11-22T23:59:00+09:00"), ("eleven-months-old", "2025-11-23T00:00:00+09:00")):
        arrived = dt.datetime.fromisoformat(day).timestamp()
        os.utime(folder / handled.add(handled_mail(name)), (arrived, arrived))
    ran = run_cli(project / "pelicanconf.py", "bounces")
    assert ran.code == 0, ran.output
    assert "Deleted from sotong-handled: 1 handled bounce mails that arrived before 2025-11-23 (kept a year)." in ran.output
    left = mailbox.Maildir(str(project / "private" / "bounces"), create=False)
    assert subjects(m.as_bytes() for m in left.get_folder("sotong-handled")) == (
        {"<eleven-months-old@test>"} | subjects(bag[n] for n in bag if n not in LEFT_ALONE))  # its first day is kept
    assert subjects(m.as_bytes() for m in left) == subjects(bag[name] for name in LEFT_ALONE)


def test_a_handled_folder_left_without_its_cur_by_a_stopped_run_is_completed(tmp_path):
    """A run stopped (kill, Ctrl+C) while it made the handled folder, between
    its mkdir and those of tmp/, new/ and cur/ (a kill -TERM timed by the
    folder's appearing did it), left .sotong-handled/ without cur/: every
    later run failed at its first move with a FileNotFoundError traceback."""
    project = project_with(tmp_path, 'BOUNCE_MAILDIR = "private/bounces"')
    maildir_with(project / "private" / "bounces", mailbag().values())
    (project / "private" / "bounces" / ".sotong-handled").mkdir()
    ran = run_cli(project / "pelicanconf.py", "bounces")
    assert ran.code == 0, ran.output
    assert "Bounces: 4 (3 hard, 1 soft) from 4 readers, 4 new" in ran.output
    handled = mailbox.Maildir(str(project / "private" / "bounces"), create=False).get_folder("sotong-handled")
    assert len(handled) == 4


def test_a_mail_a_mail_client_took_from_new_while_bounces_ran_is_moved_by_the_next_run(tmp_path):
    """Dovecot serving the same Maildir renames new/NAME to cur/NAME:2, when
    an IMAP client opens the inbox: a mail read from new/ and gone when
    moved stopped sotong bounces with a FileNotFoundError traceback."""
    from delivery.mailboxes import MaildirBox

    root = tmp_path / "bounces"
    maildir_with(root, [postfix_dsn(rp("S00001"), address_of("S00001"), serial=1),
                        postfix_dsn(rp("S00002"), address_of("S00002"), serial=2)])
    with MaildirBox(root, "sotong-handled") as box:
        handles = [mail.handle for mail in box.mails(lambda header: True)]
        taken = handles[0].split("/", 1)[1]
        (root / handles[0]).rename(root / "cur" / f"{taken}:2,")  # as Dovecot does
        box.move(handles)
    assert [path.name for path in (root / "cur").iterdir()] == [f"{taken}:2,"]
    assert len(list((root / ".sotong-handled" / "cur").iterdir())) == 1
    with MaildirBox(root, "sotong-handled") as box:
        box.move([mail.handle for mail in box.mails(lambda header: True)])
    assert not list((root / "cur").iterdir()) and len(list((root / ".sotong-handled" / "cur").iterdir())) == 2


def test_a_folder_in_the_maildirs_new_is_no_mail_and_left_alone(tmp_path):
    """Something made a folder in new/ (a Maildir holds only files there): the mails beside it are read."""
    project = project_with(tmp_path, 'BOUNCE_MAILDIR = "private/bounces"')
    bag = mailbag()
    maildir_with(project / "private" / "bounces", bag.values())
    (project / "private" / "bounces" / "new" / "1700000000.folder").mkdir()
    ran = run_cli(project / "pelicanconf.py", "bounces")
    assert ran.code == 0, ran.output
    assert "Bounces: 4 (3 hard, 1 soft) from 4 readers, 4 new" in ran.output
    assert (project / "private" / "bounces" / "new" / "1700000000.folder").is_dir()


def test_mail_with_raw_8_bit_headers_is_left_alone_without_a_traceback(tmp_path):
    """Headers in raw 8-bit bytes (an old Korean mail program's EUC-KR, a
    hostile reader's byte in Auto-Submitted) are Header objects, not str, in
    the parsed mail: the second stopped sotong bounces with an AttributeError
    traceback at every run (the mail never moved, the bounces after it never
    recorded), the first printed flufl.bounce's traceback of its detector."""
    project = project_with(tmp_path, 'BOUNCE_MAILDIR = "private/bounces"')
    odd = [legacy_korean_reply(rp("S00002"), address_of("S00002")), eight_bit_auto_submitted(rp("S00003"), address_of("S00003"))]
    maildir_with(project / "private" / "bounces", [*odd, *mailbag().values()])
    ran = run_cli(project / "pelicanconf.py", "bounces")
    assert ran.code == 0, ran.output
    assert "Traceback" not in ran.output and "detector" not in ran.output
    assert "Bounces: 4 (3 hard, 1 soft) from 4 readers, 4 new" in ran.output
    assert "Left where they were: 2 mails without a genuine return path of ours (other mail, or a forged tag), 3 auto-replies" in ran.output
    assert len(mailbox.Maildir(str(project / "private" / "bounces"), create=False)) == len(LEFT_ALONE) + 2


def test_a_mail_whose_parts_nest_past_pythons_stack_is_left_alone_without_a_traceback(tmp_path):
    """Two thousand parts one in another (a reader who knows their return
    path can send it) stopped sotong bounces with a RecursionError at every
    run: the mail never moved, no bounce after it was ever recorded."""
    project = project_with(tmp_path, 'BOUNCE_MAILDIR = "private/bounces"')
    maildir_with(project / "private" / "bounces", [nested_parts(rp("S00002"), address_of("S00002")), *mailbag().values()])
    ran = run_cli(project / "pelicanconf.py", "bounces")
    assert ran.code == 0, ran.output
    assert "Traceback" not in ran.output and "Recursion" not in ran.output
    assert "Bounces: 4 (3 hard, 1 soft) from 4 readers, 4 new" in ran.output
    assert len(mailbox.Maildir(str(project / "private" / "bounces"), create=False)) == len(LEFT_ALONE) + 1


def test_bounces_whose_return_path_a_server_lower_cased_are_attributed_to_the_stored_reader(tmp_path):
    """Dovecot's auth_username_format = %Lu delivers bounces+s00001.2026-11-26.TAG:
    the reader is found among the stored ids by the tag (a notice's outbox
    in capitals among the journal's); s00002, stored as well, is not taken
    for S00002; a lower-cased forged tag is still left alone."""
    from delivery import journal

    project = project_with(tmp_path, 'BOUNCE_MAILDIR = "private/bounces"')
    store = Store.open(project / "private" / "sotong.db")
    store.put_subscriber(Subscriber(id="s00002", email="another@example.com", fields=frozenset({"health"}),
                                    channels=frozenset({"email"})))
    journal.Journal(store)  # a notice's own send, its slug in capitals: the journal names its outbox
    store.db.execute("INSERT INTO delivery_messages (outbox, kind, subscriber_id, channel, type, notices, state, queued_at, "
                     "updated_at) VALUES ('Cold-Wave', 'notice', 'S00004', 'email', 'EMAIL', '[]', 'sent', 'x', 'x')")
    store.close()
    forged = rp("S00003").lower()
    forged = forged[:forged.index("@") - 4] + "zzzz" + forged[forged.index("@"):]
    lowered = [postfix_dsn(rp("S00001").lower(), address_of("S00001"), serial=1),
               gmail_dsn(rp("S00002").lower(), address_of("S00002"), serial=2),
               postfix_dsn(forged, address_of("S00003"), serial=3),
               postfix_dsn(rp("S00004", "Cold-Wave").lower(), address_of("S00004"), serial=4)]
    assert "bounces+s00001.2026-11-26." in lowered[0].decode()
    maildir_with(project / "private" / "bounces", lowered)
    ran = run_cli(project / "pelicanconf.py", "bounces")
    assert ran.code == 0 and "Bounces: 3 (3 hard, 0 soft) from 3 readers, 3 new" in ran.output, ran.output
    assert "1 mails without a genuine return path of ours" in ran.output
    assert store_rows(project, "SELECT subscriber_id, outbox FROM delivery_bounces ORDER BY 1") == [
        ("S00001", ISSUE), ("S00002", ISSUE), ("S00004", "Cold-Wave")]
    assert invalid_ids(project) == ["S00001", "S00002", "S00004"]
    inbox = mailbox.Maildir(str(project / "private" / "bounces"), create=False)
    assert [forged in m.as_bytes().decode() for m in inbox] == [True]


def test_soft_bounces_count_once_a_day_and_a_changed_address_starts_again(tmp_path):
    project = project_with(tmp_path, 'BOUNCE_MAILDIR = "private/bounces"')
    soft = dict(status="4.4.7", action="delayed", diagnostic="smtp; 451 4.4.7 later")
    folder = project / "private" / "bounces"
    maildir_with(folder, [postfix_dsn(rp("S00004"), address_of("S00004"), serial=n, date="Fri, 27 Nov 2026 10:00:00 +0900", **soft)
                          for n in (1, 2, 3)])
    assert run_cli(project / "pelicanconf.py", "bounces").code == 0
    assert invalid_ids(project) == []  # three soft bounces on one day: 0.5
    maildir_with(folder, [postfix_dsn(rp("S00004"), address_of("S00004"), serial=4, date="Sat, 28 Nov 2026 10:00:00 +0900", **soft)])
    ran = run_cli(project / "pelicanconf.py", "bounces")
    assert invalid_ids(project) == ["S00004"] and "S00004" in ran.output  # a second day: 1.0

    csv = project / "import.csv"
    csv.write_text("id,name,email,phone,birth_year,gender,dong,fields,channels,kind,business_type,subscribed_at,unsubscribed_at\n"
                   "S00004,,new-address@example.com,,1960,,yongdap,health;culture,email,person,,2020-01-01,\n", encoding="utf-8")
    imported = run_cli(project / "pelicanconf.py", "subscribers", "import", str(csv))
    assert imported.code == 0, imported.output
    assert invalid_ids(project) == []
    maildir_with(folder, [postfix_dsn(rp("S00004"), "new-address@example.com", serial=5, date="Sun, 29 Nov 2026 10:00:00 +0900", **soft)])
    assert run_cli(project / "pelicanconf.py", "bounces").code == 0
    assert invalid_ids(project) == []  # the new address has 0.5, the old one's bounces are not its


def test_without_a_bounce_address_or_a_mailbox_the_command_says_what_to_set(tmp_path):
    copy_project(tmp_path)
    ran = run_cli(tmp_path / "pelicanconf.py", "bounces")
    assert ran.code == 1 and 'BOUNCE_ADDRESS: is not set, so no bounce can be attributed; set it, e.g. BOUNCE_ADDRESS = "bounces@sd.go.kr"' in ran.output
    (tmp_path / "pelicanconf.py").write_text((tmp_path / "pelicanconf.py").read_text() + f'BOUNCE_ADDRESS = "{BOUNCES}"\n')
    ran = run_cli(tmp_path / "pelicanconf.py", "bounces")
    assert ran.code == 1 and 'say where the bounces arrive: BOUNCE_MAILDIR = "/var/mail/bounces"' in ran.output


def test_send_report_lists_late_bounces_by_reader(tmp_path):
    project = project_with(tmp_path, 'BOUNCE_MAILDIR = "private/bounces"')
    make_outbox(project / "private" / "outbox", ISSUE, ["S00001", "S00004"], ["2026-11-21-cold-wave-warning"])
    with SMTPServer(ScriptedHandler()) as server:
        assert run_cli(project / "pelicanconf.py", "send", "--issue", ISSUE, "--host", "127.0.0.1", "--port", str(server.port)).code == 0
    bag = mailbag()
    maildir_with(project / "private" / "bounces", [bag["postfix-hard"], bag["postfix-soft"]])
    assert run_cli(project / "pelicanconf.py", "bounces").code == 0
    ran = run_cli(project / "pelicanconf.py", "send", "report", "--issue", ISSUE)
    assert ran.code == 0, ran.output
    assert "Late bounces and SMS failures (2: 1 hard, 1 soft; from sotong bounces and sotong send results):" in ran.output
    assert "  S00001  email  hard on 2026-11-27: 5.1.1 550 5.1.1 <주소>: Recipient address rejected" in ran.output
    assert "  S00004  email  soft on 2026-11-27: 4.2.2 452 4.2.2 <주소>: Mailbox full" in ran.output


def test_a_late_bounce_of_an_address_its_reader_has_since_corrected_does_not_flag_the_new_one(tmp_path):
    """A bounce that arrives after the reader corrected their address (the
    preferences page, an import) is the old address's: it flagged the new
    one invalid, and bundles skipped the corrected address."""
    project = project_with(tmp_path, 'BOUNCE_MAILDIR = "private/bounces"')
    make_outbox(project / "private" / "outbox", ISSUE, ["S00001", "S00004"], ["2026-11-21-cold-wave-warning"])
    with SMTPServer(ScriptedHandler()) as server:
        assert run_cli(project / "pelicanconf.py", "send", "--issue", ISSUE, "--host", "127.0.0.1", "--port", str(server.port)).code == 0
    store = Store.open(project / "private" / "sotong.db")
    with store.transaction() as db:  # subscribed before, sent at nine, the address corrected after
        db.execute("UPDATE consent_log SET changed_at = '2026-11-20T10:00:00+09:00'")
        db.execute("UPDATE delivery_messages SET sent_at = '2026-11-26T09:00:00+09:00'")
    store.close()
    corrected = project / "corrected.csv"
    corrected.write_text("id,name,email,phone,birth_year,gender,dong,fields,channels,kind,business_type,subscribed_at,unsubscribed_at\n"
                         "S00001,,kim.right@example.com,,1960,,yongdap,health;culture,email,person,,2020-01-01,\n", encoding="utf-8")
    assert run_cli(project / "pelicanconf.py", "subscribers", "import", str(corrected)).code == 0
    maildir_with(project / "private" / "bounces", [postfix_dsn(rp("S00001"), address_of("S00001"), serial=1),
                                                   postfix_dsn(rp("S00004"), address_of("S00004"), serial=4)])
    ran = run_cli(project / "pelicanconf.py", "bounces")
    assert ran.code == 0, ran.output
    assert "Bounces: 2 (2 hard, 0 soft) from 2 readers, 2 new" in ran.output
    assert invalid_ids(project) == ["S00004"]


def test_a_dsn_s_escape_sequences_never_reach_the_staff_s_terminal(tmp_path):
    """A reader who knows their own return path can send it a DSN of their
    own making: its Status and Diagnostic-Code, terminal escape sequences
    included (ESC ] 0; retitles the staff's terminal, ESC [ 2J clears it),
    were stored as written and printed so by sotong send report."""
    project = project_with(tmp_path, 'BOUNCE_MAILDIR = "private/bounces"')
    make_outbox(project / "private" / "outbox", ISSUE, ["S00001", "S00004"], ["2026-11-21-cold-wave-warning"])
    with SMTPServer(ScriptedHandler()) as server:
        assert run_cli(project / "pelicanconf.py", "send", "--issue", ISSUE, "--host", "127.0.0.1", "--port", str(server.port)).code == 0
    maildir_with(project / "private" / "bounces", [
        postfix_dsn(rp("S00001"), address_of("S00001"), serial=1, status="5.1.1\x1b]0;pwned\x07",
                    diagnostic="smtp; 550 \x1b[2Jgone"),
        postfix_dsn(rp("S00004"), address_of("S00004"), serial=4, status="\x1b[31mbad")])
    assert run_cli(project / "pelicanconf.py", "bounces").code == 0
    assert store_rows(project, "SELECT subscriber_id, status, reason FROM delivery_bounces ORDER BY 1") == [
        ("S00001", "5.1.1", "550 \\x1b[2Jgone"), ("S00004", "", "550 5.1.1 <주소>: Recipient address rejected: User unknown in virtual mailbox table")]
    report = run_cli(project / "pelicanconf.py", "send", "report", "--issue", ISSUE)
    assert "  S00001  email  hard on 2026-11-27: 5.1.1 550 \\x1b[2Jgone" in report.output
    assert "\x1b" not in report.output and "\x07" not in report.output


def test_a_refusal_during_a_send_scores_its_address_once_and_flags_it_at_the_limit(tmp_path, store_location):
    """SPEC §14: a 5xx to RCPT TO (or a 5.1.x to the DATA) counts as a bounce
    of the address, once per message however often send runs; the refusals
    that speak of the message or of us do not."""
    project = project_on(store_location, tmp_path, f'BOUNCE_ADDRESS = "{BOUNCES}"\nBOUNCE_SCORE_LIMIT = 1\n')
    add_subscribers(store_of(project), 5, channels=("email",))
    make_outbox(project / "private" / "outbox", ISSUE, ["S00001", "S00002", "S00003", "S00004", "S00005"],
                ["2026-11-21-cold-wave-warning"])
    handler = ScriptedHandler()
    handler.refuse[address_of("S00001")] = "550 5.1.1 <s00001@mail.test>: Recipient address rejected: User unknown"
    handler.refuse_data[address_of("S00002")] = "554 5.7.1 message refused as spam"
    handler.refuse[address_of("S00003")] = "552 5.2.2 mailbox full"
    handler.refuse_data[address_of("S00004")] = "550 5.1.1 mailbox unavailable"
    send = ("send", "--issue", ISSUE, "--host", "127.0.0.1")
    with SMTPServer(handler) as server:
        first = run_cli(project / "pelicanconf.py", *send, "--port", str(server.port))
        again = run_cli(project / "pelicanconf.py", *send, "--port", str(server.port))
    assert first.code == 1 and "Emails: 1 sent, 4 failed" in first.output, first.output
    assert "Flagged 2 email addresses as invalid (bounce score 1 or more); bundles skip them until the address is changed: S00001, S00004" in first.output
    assert again.code == 0 and "Flagged" not in again.output, again.output
    assert store_rows(project, "SELECT subscriber_id, kind, status FROM delivery_bounces ORDER BY 1") == [
        ("S00001", "hard", "5.1.1"), ("S00003", "soft", "5.2.2"), ("S00004", "hard", "5.1.1")]
    assert invalid_ids(project) == ["S00001", "S00004"]
    report = run_cli(project / "pelicanconf.py", "send", "report", "--issue", ISSUE)
    assert "Refusals counted as bounces of the address (3); bounce scores now (flagged at 1): S00001 1, S00003 0.5, S00004 1" in report.output
    assert "Late bounces" not in report.output and "@mail.test" not in report.output, report.output


@pytest.mark.parametrize("folder, good", [("sotong-handled", True), ("INBOX.sotong-handled", True),
                                          ("../elsewhere", False), ("반송", False), ('a"b', False), (".hidden", False)])
def test_the_handled_folder_must_be_a_plain_folder_name(tmp_path, folder, good):
    project = project_with(tmp_path, f'BOUNCE_MAILDIR = "private/bounces"\nBOUNCE_FOLDER = {folder!r}')
    maildir_with(project / "private" / "bounces", [mailbag()["postfix-hard"]])
    ran = run_cli(project / "pelicanconf.py", "bounces")
    assert (ran.code == 0) == good, ran.output
    if good:
        assert (project / "private" / "bounces" / f".{folder}" / "cur").is_dir()
    else:
        assert "BOUNCE_FOLDER: must be a folder name in English letters" in ran.output


def test_without_move_handled_mail_is_copied_and_only_it_expunged(tmp_path, monkeypatch):
    """UIDPLUS's UID EXPUNGE removes exactly the handled UIDs: a mail someone
    else marked \\Deleted stays (a plain EXPUNGE would have removed it)."""
    with Dovecot(capabilities="IMAP4rev1 LITERAL+ UIDPLUS") as imap:
        project = project_with(tmp_path, f'BOUNCE_IMAP_HOST = "127.0.0.1"\nBOUNCE_IMAP_PORT = {imap.port}\nBOUNCE_IMAP_USER = "{USER}"')
        monkeypatch.setenv("SOTONG_BOUNCE_PASSWORD", PASSWORD)
        bag = mailbag()
        imap.append(bag["postfix-hard"], bag["gmail-hard"], bag["unrelated"])
        imap.append(bag["vacation"], flags=r"(\Deleted)")
        ran = run_cli(project / "pelicanconf.py", "bounces")
        assert ran.code == 0, ran.output
        assert subjects(imap.messages("INBOX")) == subjects([bag["unrelated"], bag["vacation"]])
        assert subjects(imap.messages("sotong-handled")) == subjects([bag["postfix-hard"], bag["gmail-hard"]])


@given(st.integers(0, 60))
def test_a_flagged_line_names_the_first_twenty_readers_and_counts_the_rest(count):
    """The first send after a year of dead addresses flags thousands: one
    terminal line of them all was unreadable."""
    ids = [f"S{n:05d}" for n in range(count)]
    line = listed_ids(ids)
    assert line.startswith(", ".join(ids[:20]))
    assert f"S{20:05d}" not in line
    assert line.endswith(f" and {count - 20} more" if count > 20 else ", ".join(ids[:20]) or "")
