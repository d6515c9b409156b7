"""Real components for the delivery tests and benchmarks: an aiosmtpd SMTP
server on 127.0.0.1 (an ephemeral port) whose answers a test can script, an
outbox written in the format of SPEC §6 (real .eml bytes from the email
package), subscribers in a real store, and the CLI run in-process as
``sotong`` runs it (exit codes included).
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections import Counter
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from email.utils import make_msgid
from pathlib import Path

from aiosmtpd.smtp import SMTP

from project_support import Result, invoke_sotong, store_of, store_query
from sotong.store import Store, Subscriber

# A person's browser on a phone: what click links count (scanners and previews are not counted)
PHONE_BROWSER = ("Mozilla/5.0 (Linux; Android 13; SM-S911N) AppleWebKit/537.36 (KHTML, like Gecko) "
                 "SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36")


class ScriptedHandler:
    """Accepts every message unless told otherwise:

    - ``rcpt_answers[address]``: answers to RCPT TO, used up in order (e.g.
      ``["451 4.7.1 try later"]``), then it accepts;
    - ``refuse[address]``: the answer to RCPT TO, always (e.g. "550 5.1.1 no such user");
    - ``refuse_data[address]``: the answer to the DATA of a message to it,
      always, once the body came (e.g. "554 5.7.1 message refused");
    - ``refuse_data_command[address]``: the same, but to the DATA command
      itself, before the body (as Postfix's smtpd_data_restrictions answer);
    - ``drop_at``: the DATA numbers (1-based, counting every DATA) at which
      the server closes the connection without answering;
    - ``delay``: seconds to think before answering each DATA;
    - ``max_connections``: a connection past that many at once is answered
      421 (or the handler's ``greeting``, if it has one) and closed, as a
      server limiting one client's connections does;
    - ``pipelining``: the server offers PIPELINING (RFC 2920; aiosmtpd reads
      the commands one line at a time, so it answers pipelined ones in
      order); ``pipelined`` tells, for each MAIL, whether its RCPT and DATA
      (or BDAT) had already come with it;
    - ``chunking``: it offers CHUNKING too (RFC 3030: BDAT, which
      :class:`_ScriptedSMTP` adds to aiosmtpd); ``contents`` keeps each
      message as it came (``keep``), ``bdat`` says for each whether it came
      by BDAT.
    """

    def __init__(self, delay: float = 0.0, keep: bool = True, pipelining: bool = False, chunking: bool = False):
        self.delay = delay
        self.keep = keep
        self.pipelining = pipelining or chunking
        self.chunking = chunking
        self.contents: list[bytes] = []
        self.bdat: list[bool] = []
        self.pipelined: list[bool] = []
        self.rcpt_answers: dict[str, list[str]] = {}
        self.refuse: dict[str, str] = {}
        self.refuse_data: dict[str, str] = {}
        self.refuse_data_command: dict[str, str] = {}
        self.drop_at: set[int] = set()
        self.max_connections: int | None = None
        self.connections = 0  # open now, counted while max_connections is set
        self.refused = 0  # connections refused for being past max_connections
        self.datas = 0
        self.accepted: list[tuple[str, str]] = []  # (recipient, Message-ID)
        self.lock = threading.Lock()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        offered = ["250-PIPELINING"] * self.pipelining + ["250-CHUNKING"] * self.chunking
        return [*responses[:-1], *offered, responses[-1]]

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        behind = bytes(server._reader._buffer).upper()  # what came behind MAIL
        self.pipelined.append(b"\r\nDATA\r\n" in behind or b"\r\nBDAT " in behind)
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            if address in self.refuse:
                return self.refuse[address]
            answers = self.rcpt_answers.get(address)
            if answers:
                return answers.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            self.datas += 1
            if self.datas in self.drop_at:
                server.transport.close()
                return "421 4.4.2 connection dropped"
            refused = [self.refuse_data[recipient] for recipient in envelope.rcpt_tos if recipient in self.refuse_data]
            if refused:
                return refused[0]
            if self.keep:
                self.contents.append(envelope.original_content)
                self.bdat.append(getattr(envelope, "chunks", None) is not None)
                headers = BytesHeaderParser(policy=default_policy).parsebytes(envelope.original_content)
                for recipient in envelope.rcpt_tos:
                    self.accepted.append((recipient, headers["Message-ID"]))
            else:
                self.accepted.append(("", ""))
        return "250 2.0.0 OK queued"

    def accepted_counts(self) -> Counter:
        with self.lock:
            return Counter(recipient for recipient, _ in self.accepted)


class _ScriptedSMTP(SMTP):
    """aiosmtpd's server, answering the DATA command as the handler's
    ``refuse_data_command`` says (aiosmtpd has no hook before the body), and
    refusing the connections past the handler's ``max_connections``."""

    def connection_made(self, transport) -> None:
        handler = self.event_handler
        limit = getattr(handler, "max_connections", None)
        self.refused = limit is not None and handler.connections >= limit
        if self.refused:
            handler.refused += 1
            transport.write(getattr(handler, "greeting", "421 4.7.0 too many connections from your host").encode() + b"\r\n")
            transport.close()
            return
        if limit is not None:
            handler.connections += 1
        super().connection_made(transport)

    def connection_lost(self, error) -> None:
        if self.refused:
            return
        if getattr(self.event_handler, "max_connections", None) is not None:
            self.event_handler.connections -= 1
        super().connection_lost(error)

    async def smtp_DATA(self, arg: str) -> None:
        refusals = getattr(self.event_handler, "refuse_data_command", {})
        refused = [refusals[recipient] for recipient in (self.envelope.rcpt_tos if self.envelope else []) if recipient in refusals]
        if refused:
            await self.push(refused[0])
            return
        await super().smtp_DATA(arg)

    async def smtp_BDAT(self, arg: str) -> None:
        """RFC 3030 CHUNKING, which aiosmtpd lacks (offered when the handler's
        ``chunking`` is set): ``BDAT n [LAST]``, the n octets after the
        command read whatever the answer; at LAST the chunks joined go to the
        handler's handle_DATA, as DATA's body would, and the transaction ends."""
        size, _, last = arg.partition(" ")
        if not size.isdigit() or last.strip().upper() not in ("", "LAST"):
            await self.push("501 5.5.4 Syntax: BDAT size [LAST]")
            return
        chunk = await self._reader.readexactly(int(size))
        if not getattr(self.event_handler, "chunking", False) or self.envelope is None or not self.envelope.rcpt_tos:
            await self.push("503 5.5.1 Error: need RCPT command" if getattr(self.event_handler, "chunking", False)
                            else "502 5.5.1 BDAT not offered")
            return
        refusals = getattr(self.event_handler, "refuse_data_command", {})
        refused = [refusals[recipient] for recipient in self.envelope.rcpt_tos if recipient in refusals]
        chunks = self.envelope.__dict__.setdefault("chunks", [])
        chunks.append(chunk)
        if refused or not last:
            await self.push(refused[0] if refused else f"250 2.0.0 {size} octets received")
            if refused:
                self._set_post_data_state()
            return
        self.envelope.original_content = self.envelope.content = b"".join(chunks)
        await self.push(await self._call_handler_hook("DATA"))
        self._set_post_data_state()


class SMTPServer:
    """A real aiosmtpd server on ``host`` (127.0.0.1) in a thread, on a free port."""

    def __init__(self, handler, host="127.0.0.1", **options):
        self.handler, self.host = handler, host
        self.options = options
        self.loop = asyncio.new_event_loop()
        self.port = None
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(self.loop.create_server(
            lambda: _ScriptedSMTP(self.handler, hostname="sink.test", loop=self.loop, **self.options), self.host, 0))
        self.port = server.sockets[0].getsockname()[1]
        self._server = server
        self._started.set()
        self.loop.run_forever()
        server.close()
        self.loop.run_until_complete(server.wait_closed())
        self.loop.close()

    def __enter__(self):
        self._thread.start()
        self._started.wait(10)
        return self

    def __exit__(self, *exc):
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)


def tls_server_options(folder: Path) -> tuple[dict, Path, list]:
    """SMTPServer options for a server that requires STARTTLS with a
    certificate for 127.0.0.1 made in ``folder`` (self-signed: trusted only
    where SSL_CERT_FILE names the returned file) and logs in ``sotong`` with
    the password ``s3cret``: the options, the certificate's file, and the
    list that gets each (login, password) tried."""
    import ssl
    import subprocess

    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(folder / "key.pem"),
                    "-out", str(folder / "cert.pem")], check=True, capture_output=True)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    options, logins = login_options()
    return dict(options, tls_context=context, require_starttls=True), folder / "cert.pem", logins


def login_options(require_tls: bool = True) -> tuple[dict, list]:
    """SMTPServer options for a server that logs in ``sotong`` with the
    password ``s3cret`` (over TLS only unless ``require_tls`` is False),
    and the list that gets each (login, password) tried."""
    from aiosmtpd.smtp import AuthResult

    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"s3cret", handled=False)

    return dict(authenticator=authenticator, auth_require_tls=require_tls), logins


# --- subscribers and outboxes ----------------------------------------------------


def address_of(subscriber_id: str) -> str:
    return f"{subscriber_id.lower()}@mail.test"


def phone_of(number: int) -> str:
    return f"010-{1000 + number // 10000:04d}-{number % 10000:04d}"


def add_subscribers(db_path: Path, count: int, channels=("email", "sms")) -> list[str]:
    """``count`` subscribed readers S00001... with an address for each channel."""
    store = Store.open(db_path)
    ids = []
    with store.transaction():
        for number in range(1, count + 1):
            subscriber_id = f"S{number:05d}"
            store.put_subscriber(Subscriber(
                id=subscriber_id, email=address_of(subscriber_id), phone=phone_of(number), birth_year=1960,
                dong="yongdap", fields=frozenset({"health", "culture"}), channels=frozenset(channels)))
            ids.append(subscriber_id)
    store.close()
    return ids


def store_rows(project: Path, sql: str) -> list[tuple]:
    """The rows of a query on the project's store (SOTONG_DB)."""
    return store_query(project, sql)


BUNDLED_DATE = "Mon, 23 Nov 2026 09:00:00 +0900"  # the Date of make_outbox's emails: days before any send


def eml_bytes(subscriber_id: str, notices: list[str], key: str, padding: int = 0) -> bytes:
    message = EmailMessage()
    message["From"] = "성동구청 홍보담당관 <sotong@sd.go.kr>"
    message["Date"] = BUNDLED_DATE
    message["To"] = f"구독자 <{address_of(subscriber_id)}>"
    message["Subject"] = f"[성동구 소통] {key} 소식: 회원님께 {len(notices)}건"
    message["Message-ID"] = make_msgid(idstring=f"{key}.{subscriber_id}", domain="sd.go.kr")
    message["List-Unsubscribe"] = f"<http://127.0.0.1:8080/u/x>, <mailto:unsubscribe@sd.go.kr?subject=unsubscribe-{subscriber_id}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    text = "\n".join(f"- {slug}" for slug in notices) + "\n" + "소식 " * padding
    message.set_content(text)
    message.add_alternative(f"<p>{'</p><p>'.join(notices)}</p><p>{'소식 ' * padding}</p>", subtype="html")
    return message.as_bytes()


def make_outbox(outbox_root: Path, key: str, email_ids: list[str], notices: list[str],
                sms: dict[str, str] | None = None, padding: int = 0) -> Path:
    """private/outbox/KEY/ as SPEC §6 fixes it: manifest.jsonl, email/ID.eml,
    sms.csv (``sms``: id -> SMS or LMS)."""
    folder = outbox_root / key
    (folder / "email").mkdir(parents=True, exist_ok=True)
    lines = []
    for subscriber_id in email_ids:
        (folder / "email" / f"{subscriber_id}.eml").write_bytes(eml_bytes(subscriber_id, notices, key, padding))
        lines.append({"id": subscriber_id, "channel": "email", "notices": notices, "banner": None,
                      "file": f"email/{subscriber_id}.eml"})
    rows = ["id,phone,type,bytes,text"]
    for number, (subscriber_id, kind) in enumerate((sms or {}).items(), 1):
        lines.append({"id": subscriber_id, "channel": "sms", "notices": notices[:1] if kind == "SMS" else notices,
                      "banner": None, "file": None})
        rows.append(f'{subscriber_id},{phone_of(number)},{kind},{80 if kind == "SMS" else 300},"[성동구 소식] 안내"')
    (folder / "manifest.jsonl").write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines),
                                          encoding="utf-8")
    (folder / "sms.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


# --- the CLI ---------------------------------------------------------------------------


def run_cli(settings: Path, *args: str) -> Result:
    """``sotong ARGS -s SETTINGS`` in this process, with main()'s error handling."""
    return invoke_sotong(None, *args, "-s", str(settings))


def marked_invalid(project: Path, channel: str = "email") -> list[str]:
    """Ids of the readers whose address on ``channel`` is marked invalid now (delivery's marks)."""
    from plugins.delivery.marks import unreachable_readers

    store = Store.open(store_of(project))
    try:
        return sorted(unreachable_readers(store)[channel])
    finally:
        store.close()


def mark_address_invalid(store: Store, subscriber_id: str, channel: str = "email",
                         reason: str = "550 no such user", when: str = "2026-11-01T10:00:00+09:00") -> None:
    """Mark the reader's address on ``channel`` invalid, as ``sotong send report --mark-invalid`` does."""
    from plugins.delivery.marks import ensure, mark_invalid

    assert mark_invalid(ensure(store), channel, [(subscriber_id, reason)], when) == [subscriber_id]


def send_outbox(store_location: str, folder: Path, moment: str, prices=None) -> None:
    """Record and send outbox ``folder`` (made by :func:`make_outbox`) at
    ``moment`` as sotong send does, on either backend: its emails sent, its
    SMS handed over (at ``prices``, a sotong.sms.Prices; None: as before
    prices were recorded)."""
    from delivery.journal import Journal, NoticeInfo
    from delivery.outbox import read_outbox

    store = Store.open(store_location)
    journal = Journal(store, clock=lambda: moment)
    outbox = read_outbox({"OUTBOX_PATH": str(folder.parent)}, folder.name, "issue", str)
    infos = {slug: NoticeInfo("공지", "보건소", "health", "건강정보") for message in outbox.messages
             for slug in message.notices}
    recorded, _unsent = journal.record_outbox(
        outbox, lambda messages: {(message.subscriber_id, message.channel) for message in messages}, infos)
    journal.hand_over(outbox, recorded.sms, prices=prices)
    for item in journal.claim(outbox.key, 10):
        journal.mark(item.id, "sent", "data", 250, "ok")
    store.close()
