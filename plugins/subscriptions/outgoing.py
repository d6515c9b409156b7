"""What the plugin sends: confirmation and preference-link mails through the
office's SMTP server (``SMTP_*`` settings), signed as every email is (DKIM,
``sotong.mail.seal_for``), and 6-digit codes through an SMS transport.

A mail is queued in the store (``subscriptions_mail``) in the request's own
transaction, so a request never waits for the mail server or builds the
message, and a mail queued before a crash leaves when the collector starts
again (one it was handing over then, once its claim lapses). What would make one answer take longer than another is the thread's
(:meth:`Mailer.later`): ``POST /p/link`` tells nobody, by its time either,
whether an address is known. A background
thread, woken after each commit that queued one, waits a tenth of a second
for more, then builds and hands them over (many per SMTP connection);
an address whose domain is outside ASCII goes in its IDNA form
(hong@xn--2e0bw5j1qmcgl.kr), which every server takes. It removes each
once the server took it, or refused it for good (an address with
characters outside ASCII before the @, which a server without SMTPUTF8
cannot take, too);
when the server cannot be reached they wait, and are tried again, for as
long as their link holds. Each collector on the store has its thread: a
batch is claimed before it is sent (storage.claim_queued), so no two send
one mail; a collector that dies while sending leaves its claim to lapse
(CLAIM_SECONDS), and another sends what it had not. Each claim has a
token of its own (a fencing token): a thread takes a row just before it
hands it over, in one statement comparing the token and the claim's time
(storage.take_claimed), so a thread kept past its claim (a code file
held, an agency's API hanging) hands over nothing that another collector
has claimed since; a text taken is held until its code ends, so it goes
once even when its collector dies then, and a mail for one claim more.

An SMS transport is anything with ``send(phone, text, take)``: once ready
to hand the text over it calls ``take()``, and hands it over only when that
answers True (the store's compare-and-set on the claim, :meth:`QueueThread._take`),
answering whether it did; one that cannot take a text now raises OSError. The one shipped, :class:`FileSmsTransport`,
appends to a CSV under private/ that the operator hands to the SMS agency,
as ``sms.csv`` is today; an agency's HTTP API fits the same one method.

Phone codes go the way mails do, and for the same reasons: a code's text is
queued in the store (``subscriptions_texts``) in the request's transaction,
and a :class:`Texter` hands it over. Each collector wrote the codes it made
to its own machine's file, so with collectors on several machines behind a
load balancer (SPEC §15) the codes were spread over their files, and the
operator had to gather them within the codes' ten minutes. Queued in the
store, a code is handed over once, by whoever claims it first:

- ``SMS_CODES_BY = "collectors"`` (the default): each collector's text
  thread, woken after the commit, claims a batch and hands it over in
  milliseconds. Nothing more to run; right for one machine (one file) and
  for an agency's HTTP API, which every machine reaches alike. A claim
  lasts TEXT_CLAIM_SECONDS (a minute, not the mails' ten: a code lives ten
  minutes), so a dead collector's codes are sent by another in time.
- ``"command"``: the collectors only queue the codes, and ``sotong
  subscribers codes --follow`` on the one machine whose file goes to the
  agency claims and writes them (within a second): one file, nothing to
  gather, as a file transport on several machines needs.

An exporting command alone (run by cron) would have made every code wait
up to a minute, and one more thing to run for every office; a thread alone
would have left the file split over machines. A code is never sent once
expired (the claim skips it; the clean-ups drop it), and a log line names
how many codes, never a number.
"""

from __future__ import annotations

import abc
import contextlib
import datetime as dt
import fcntl
import functools
import logging
import secrets
import smtplib
import threading
import time
from collections import deque
from email.utils import parseaddr
from pathlib import Path
from typing import Callable

from sotong import spreadsheet
from sotong.atomic import replacing_text
from sotong.i18n import _
from sotong.mail import CRLF, address_header, ascii_address, base64_body, date_header, header, mail_domain, plain_text, seal_for
from sotong.mail_server import MailServer, PlainLoginRefused, connected, mail_server
from sotong.problems import SotongError
from sotong.reconnect import StoreDown
from sotong.store import SEOUL, now_iso, seoul_day

from . import storage

log = logging.getLogger("sotong.subscriptions")
SMS_CODES_FILE = "subscriptions/sms-codes.csv"  # under PRIVATE_PATH: the codes FileSmsTransport sends
RETRY_SECONDS = 30.0
CLEANUP_SECONDS = 60.0
GATHER_SECONDS = 0.1
BATCH = 100
HAND_OVER_MARGIN = 60.0  # no mail is begun this close to the end of the claim (two SMTP timeouts)
TEXT_HAND_OVER_MARGIN = 30.0  # no text is begun this close to the end of its claim (a transport's timeout)
PROBE_SECONDS = 5.0  # a form waits this long at most to learn whether the mail server offers SMTPUTF8
LATER_MOST = 10_000  # work waiting for the thread (Mailer.later); beyond, the oldest is dropped
_MIME_HEADERS = (b"Auto-Submitted: auto-generated\r\nMIME-Version: 1.0\r\n"
                 b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n" + CRLF)


def compose(settings: dict, to: str, subject: str, text: str) -> bytes:
    """The mail as bytes: UTF-8 text/plain, Korean headers as encoded-words,
    dated in Seoul time."""
    sender, subject_header, domain = _fixed_headers(settings.get("MAIL_FROM") or "sotong@sd.go.kr", subject)
    return b"".join([
        sender, address_header("To", None, to), subject_header,
        date_header(dt.datetime.now(SEOUL)),  # as the issues' Date: not the server's zone (often UTC)
        header("Message-ID", f"<{secrets.token_hex(12)}@{domain}>"), _MIME_HEADERS,
        base64_body(plain_text(text).encode())])


@functools.lru_cache(maxsize=16)
def _fixed_headers(mail_from: str, subject: str) -> tuple[bytes, bytes, str]:
    """What every mail of a subject shares, made once: the From and Subject
    headers (Korean encoded word by word) and the Message-IDs' domain."""
    display, sender = parseaddr(mail_from)
    return address_header("From", display, sender), header("Subject", subject), mail_domain(mail_from)


def signed(settings: dict, text: str) -> str:
    """A mail's ``text`` ending with who sent it and their phone, as a
    reader who did not expect the mail looks for before opening its link."""
    return f"{text}\n성동구청 홍보담당관 {settings['OFFICE_PHONE']}\n"


def envelope_sender(settings: dict) -> str:
    """The address the plugin's mails are sent from (``MAIL_FROM``'s address)."""
    return parseaddr(settings.get("MAIL_FROM") or "sotong@sd.go.kr")[1]


def send_one(smtp: smtplib.SMTP, settings: dict, address: str, subject: str, text: str,
             seal: Callable[[bytes], bytes]) -> bool:
    """Hand one of the plugin's mails to ``address`` in its ASCII form (a
    Hangul domain in IDNA), with the headers ``seal`` puts on (a DKIM
    signature: :func:`sotong.mail.seal_for`, made once per connection); False,
    sending nothing, when the address needs
    SMTPUTF8 (characters outside ASCII before the @) and the server does not
    offer it (smtplib would raise UnicodeEncodeError). The server's refusals
    are smtplib's exceptions."""
    recipient = ascii_address(address)
    smtp.ehlo_or_helo_if_needed()
    if not (recipient.isascii() or smtp.has_extn("smtputf8")):
        return False
    smtp.sendmail(envelope_sender(settings), [recipient], seal(compose(settings, address, subject, text)),
                  [] if recipient.isascii() else ["SMTPUTF8"])
    return True


class QueueThread(abc.ABC):
    """A background thread that hands over what a queue of the store holds
    (``storage.MAIL`` or ``storage.TEXTS``: :attr:`queue`), a batch at a
    time, each batch claimed first (:func:`storage.claim_queued`) so that of
    the threads of several collectors on the store one hands each row over.
    A subclass says how (:meth:`_hand_over`), what it drops as stale
    (:meth:`_clean`) and what it logs when the store cannot be read.
    ``store()`` opens the store for the thread (``with store() as s:``: a
    collector's :meth:`App.store`, which raises StoreDown while PostgreSQL
    restarts: the thread pauses as long as it says); ``handed``: the rows
    handed over so far."""

    queue = ""
    name = ""

    def __init__(self, store: Callable, settings: dict):
        self.store = store
        self.settings = settings
        self.handed = 0
        self._wake = threading.Event()
        self._stopping = threading.Event()  # set by stop(): the thread ends at its next pause
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._next_cleanup = 0.0
        self._unrecorded: deque[tuple[list[str], list[str], str]] = deque()  # (handed, not handed, claim) the store has yet to take

    def wake(self) -> None:
        """Call once the transaction that queued a row is committed: the thread looks now."""
        self.start()
        self._wake.set()

    def start(self) -> None:
        """Start the thread (once), which first hands over what an earlier run left queued."""
        with self._lock:
            if self._thread is None and not self._stopping.is_set():
                self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
                self._thread.start()

    def stop(self) -> None:
        """End the thread after the batch it is handing over (the rows not
        handed over stay queued in the store for the next start)."""
        with self._lock:
            self._stopping.set()
            self._wake.set()
            thread = self._thread
        if thread is not None:
            thread.join()

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()  # before looking: a row queued meanwhile wakes the wait below
            try:
                pause = self.send_queued()
            except StoreDown as down:  # a PostgreSQL restart, said once (sotong.reconnect): the rows wait there
                pause = down.retry_after
            except Exception as exc:  # the store cannot be read otherwise: the rows wait there
                self._unreadable(exc)
                pause = RETRY_SECONDS
            if pause is None:
                if self._wake.wait(RETRY_SECONDS):
                    self._stopping.wait(GATHER_SECONDS)  # a burst's rows leave together: one read, one connection
            else:
                self._stopping.wait(pause)  # new rows do not hurry a retry: a server that is down is asked twice a minute

    def send_queued(self) -> float | None:
        """Hand a batch of the queue over. The seconds to pause before the
        next batch (0 when more may wait, RETRY_SECONDS when they could not
        be taken), or None when the queue is empty."""
        self._record()
        with self.store() as store:
            if time.monotonic() >= self._next_cleanup:  # once a minute, not once a batch: each is a commit
                self._clean(store)
                self._next_cleanup = time.monotonic() + CLEANUP_SECONDS
            queued = storage.claim_queued(store, self.queue, BATCH, time.time())
        if not queued:
            return None
        done: list[str] = []
        try:
            return self._hand_over(queued, done)
        finally:  # claimed and not handed over (a server down, DKIM set wrong): free for the next try, any collector's
            handed = set(done)
            self.handed += len(handed)
            self._unrecorded.append((done, [row.id for row in queued if row.id not in handed], queued[0].claim))
            self._record()

    def _take(self, row) -> bool:
        """Whether ``row`` may be handed over now: taken in the store
        (:func:`storage.take_claimed`) while this thread's claim on it holds;
        False when the claim lapsed and may be another collector's (a thread
        slower than its claim hands over nothing that another may hand too)."""
        with self.store() as store:
            return storage.take_claimed(store, self.queue, row, time.time())

    def _record(self) -> None:
        """Remove from the queue the rows handed over, and free the others'
        claims; what the store could not take then (a PostgreSQL restart
        between the claim and now) is written before the next claim, so a
        row handed over is not handed over again once the claim lapses."""
        while self._unrecorded:
            done, untaken, claim = self._unrecorded[0]
            with self.store() as store, store.transaction():
                storage.unqueue(store, self.queue, done)
                storage.release_queued(store, self.queue, untaken, claim)
            self._unrecorded.popleft()

    @abc.abstractmethod
    def _hand_over(self, queued: list, done: list) -> float | None:
        """Hand ``queued`` over, adding each handed to ``done``; the pause :meth:`send_queued` answers."""

    @abc.abstractmethod
    def _clean(self, store) -> None:
        """Drop from the queue what may no longer be handed over."""

    @abc.abstractmethod
    def _unreadable(self, exc: Exception) -> None:
        """Log that the store could not be read (``exc``: its type only)."""


class Mailer(QueueThread):
    """Sends the mails queued in the store, from a background thread."""

    queue = storage.MAIL
    name = "sotong-subscriptions-mail"

    def __init__(self, app):
        super().__init__(app.store, app.settings)
        self._later: deque[Callable] = deque(maxlen=LATER_MOST)
        self._smtputf8: bool | None = None  # whether the server offered SMTPUTF8 when last connected to

    def offers_smtputf8(self) -> bool | None:
        """Whether the mail server offers SMTPUTF8 (RFC 6531), as it said when
        last connected to; asked once now (a connection opened and closed, in
        PROBE_SECONDS at most) before the thread has connected; None when it
        cannot be reached."""
        if self._smtputf8 is None:
            try:
                with connected(mail_server(self.settings, timeout_seconds=PROBE_SECONDS)) as smtp:
                    self._smtputf8 = smtp.has_extn("smtputf8")
            except (OSError, smtplib.SMTPException, PlainLoginRefused):
                return None
        return self._smtputf8

    def later(self, work: Callable) -> None:
        """Have the thread call ``work(store)`` before it sends what is
        queued: what a request must not do itself, as its answer would then
        take longer for some than for others (``POST /p/link``: looking the
        address up, and queuing the mail of a known one)."""
        self._later.append(work)
        self.wake()

    def send_queued(self) -> float | None:
        """The work handed to :meth:`later` done, then a batch of queued mails handed over."""
        while self._later:
            work = self._later.popleft()
            try:
                with self.store() as store:
                    work(store)
            except StoreDown:  # done again once the store answers (its transaction was not committed)
                self._later.appendleft(work)
                raise
        return super().send_queued()

    def _clean(self, store) -> None:
        storage.drop_stale_mail(store, time.time() - storage.CONFIRM_SECONDS)
        # what is past its time goes within a minute though no request comes (the privacy page
        # says the client addresses' hashes are kept SUBSCRIBE_RATE's window, no longer)
        storage.drop_expired(store, time.time())

    def _unreadable(self, exc: Exception) -> None:
        log.warning(_("the confirmation mails could not be read from the store: %s; trying again in %.0f s"),
                    type(exc).__name__, RETRY_SECONDS)

    def _hand_over(self, queued: list, done: list) -> float | None:
        """Sign and send the mails ``queued`` (this collector's claim:
        :func:`storage.claim_queued`), adding to ``done`` each the server took
        or refused for good; the pause :meth:`send_queued` answers."""
        server, until = mail_server(self.settings), time.time() + storage.CLAIM_SECONDS - HAND_OVER_MARGIN
        try:
            self._send(server, queued, done, seal_for(self.settings), until)
        except (SotongError, PlainLoginRefused) as exc:  # DKIM set wrong, or a login in clear to another machine
            # (sotong check names the line): the mails wait, to go signed and with the password safe
            log.warning(_("%d confirmation mails wait: %s; trying again in %.0f s"), len(queued), exc, RETRY_SECONDS)
            return RETRY_SECONDS
        except (OSError, smtplib.SMTPException) as exc:  # never the address: the log is not private
            log.warning(_("%d confirmation mails could not be handed to %s:%s: %s; trying again in %.0f s"),
                        len(queued) - len(done), server.host, server.port,
                        type(exc).__name__, RETRY_SECONDS)
            return RETRY_SECONDS
        return 0.0 if len(queued) == BATCH or len(done) < len(queued) else None  # 0: more may wait

    def _send(self, server: MailServer, queued: list, done: list, seal: Callable[[bytes], bytes],
              until: float) -> None:
        """Send ``queued`` over one connection, each signed by ``seal``, none
        begun after the moment ``until`` (the claim lapses soon after, and
        another collector may send what is left); each mail taken or
        refused for good goes to ``done``."""
        with connected(server) as smtp:
            self._smtputf8 = smtp.has_extn("smtputf8")
            for mail in queued:
                if time.time() >= until:
                    return
                if not self._take(mail):  # its claim lapsed: another collector's now
                    continue
                try:
                    if not send_one(smtp, self.settings, mail.recipient, mail.subject, mail.body, seal):
                        # dropped: kept queued, it would hold up the mails queued after it
                        log.warning(_("a confirmation mail's address has characters outside ASCII before the @ and "
                                      "the mail server does not offer SMTPUTF8; mail dropped"))
                except smtplib.SMTPRecipientsRefused:
                    log.warning(_("a confirmation mail's address was refused by the mail server; mail dropped"))
                except smtplib.SMTPResponseException as exc:
                    if exc.smtp_code < 500:
                        raise
                    log.warning(_("a confirmation mail was refused by the mail server (%d); mail dropped"), exc.smtp_code)
                done.append(mail.id)


def sms_codes_transport(settings: dict) -> FileSmsTransport:
    """The SMS transport of this machine: the code file under its ``PRIVATE_PATH``."""
    return FileSmsTransport(Path(settings["PRIVATE_PATH"]) / SMS_CODES_FILE)


class Texter(QueueThread):
    """Hands the phone codes' texts queued in the store to the SMS
    transport, from a background thread: each text once, by the collector
    that claimed it, never after its code expired."""

    queue = storage.TEXTS
    name = "sotong-subscriptions-texts"

    def __init__(self, store: Callable, settings: dict, transport):
        super().__init__(store, settings)
        self.transport = transport

    def _hand_over(self, queued: list, done: list) -> float | None:
        """Hand ``queued`` (this collector's claim) to the transport, adding
        each it took to ``done``; none begun after TEXT_HAND_OVER_MARGIN
        before the claim lapses (another collector may send what is left).
        A transport that cannot take one raises OSError: it and those after
        it wait RETRY_SECONDS, for as long as their code holds. Each is
        taken in the store (:meth:`_take`) once the transport is ready for
        it, so none goes twice though the transport kept this thread past
        its claim."""
        until = time.time() + storage.TEXT_CLAIM_SECONDS - TEXT_HAND_OVER_MARGIN
        for text in queued:
            if time.time() >= until:
                break
            try:
                if not self.transport.send(text.phone, text.body, take=functools.partial(self._take, text)):
                    continue  # its claim lapsed while the transport was not ready: another collector's now
            except OSError as exc:  # never the number: the log is not private
                log.warning(_("%d phone codes could not be handed to the SMS transport: %s; trying again in %.0f s"),
                            len(queued) - len(done), type(exc).__name__, RETRY_SECONDS)
                return RETRY_SECONDS
            done.append(text.id)
        return 0.0 if len(queued) == BATCH or len(done) < len(queued) else None

    def _clean(self, store) -> None:
        storage.drop_stale_texts(store, time.time())

    def _unreadable(self, exc: Exception) -> None:
        log.warning(_("the phone codes could not be read from the store: %s; trying again in %.0f s"),
                    type(exc).__name__, RETRY_SECONDS)


class FileSmsTransport:
    """Appends each text as a row ``time, phone, text`` to a CSV (private/)
    that the operator hands to the SMS agency. Writers in other processes
    (``sotong subscribers forget``) wait on ``FILE.lock``."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def _file_locked(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, open(f"{self.path}.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released by the OS if the process dies
            yield

    def send(self, phone: str, text: str, take: Callable[[], bool] | None = None) -> bool:
        """Append the text, once the file is locked and ``take()`` (when
        given) says it may go: whether it was appended."""
        with self._file_locked():
            if take is not None and not take():
                return False
            new = not self.path.exists()
            with self.path.open("a", encoding="utf-8", newline="") as out:
                writer = spreadsheet.writer(out)
                if new:
                    writer.writerow(["time", "phone", "text"])
                writer.writerow([now_iso(), phone, text])
        return True

    def forget(self, phones: set[str]) -> int:
        """Take the rows sent to any of ``phones`` (compared by their digits)
        out of the file, replaced whole; the others' rows stay as written.
        The number of rows taken out."""
        wanted = {storage.digits(phone) for phone in phones} - {""}
        if not wanted:
            return 0
        return self._drop(lambda cells: len(cells) > 1 and storage.digits(spreadsheet.restored(cells[1])) in wanted)

    def drop_sent_before(self, day: str) -> int:
        """Take the rows sent before Seoul day ``day`` (``YYYY-MM-DD``) out of
        the file: their retention as delivery records ended. How many."""
        return self._drop(lambda cells: bool(cells) and seoul_day(spreadsheet.restored(cells[0])) < day)

    def _drop(self, unwanted) -> int:
        """The file replaced whole without the rows ``unwanted(cells)`` picks
        (the others as written); how many were taken out."""
        if not self.path.is_file():
            return 0
        with self._file_locked():
            kept, dropped = spreadsheet.without_records(self.path.read_bytes().decode("utf-8"), unwanted)
            if dropped:
                with replacing_text(self.path) as out:
                    out.write(kept)
        return dropped
