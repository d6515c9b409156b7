"""Handing an outbox's emails to an SMTP server, one journaled message at a time.

One connection is reused for every message (STARTTLS and login where
configured) and reopened when it drops. A message is marked ``sending`` before
it goes out and ``sent`` after the server's 250; a 4xx answer is tried again
after a growing wait while other messages go on, up to ``max_attempts`` in
this run, then left ``deferred`` for a later run; a 5xx answer marks it
``failed`` with the reason.
"""

from __future__ import annotations

import heapq
import logging
import re
import smtplib
import ssl
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Callable

from sotong.problems import SotongError

from .config import DeliveryConfig
from .journal import DEFERRED, FAILED, QUEUED, SENT, Journal, Pending
from .outbox import Outbox, recipient_of
from .rules import RETRY, Pacer, backoff_delay, outcome, redact_addresses

log = logging.getLogger("sotong.delivery")
_LINE_ENDS = re.compile(rb"\r?\n")


class ConnectionLost(Exception):
    """The server went away in the middle of a message."""


@dataclass
class Answer:
    stage: str  # mail, rcpt, data
    code: int
    text: str


@dataclass
class SendFigures:
    sent: int = 0
    failed: int = 0
    deferred: int = 0
    resent_in_flight: int = 0  # left "sending" by an earlier run that stopped
    reconnects: int = 0
    seconds: float = 0.0
    failures: list = field(default_factory=list)


class Sender:
    """Sends pending messages of one outbox over one reused SMTP connection."""

    def __init__(self, config: DeliveryConfig, journal: Journal, outbox: Outbox,
                 on_settled: Callable[[str], None] = lambda state: None,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep):
        self.config = config
        self.journal = journal
        self.outbox = outbox
        self.on_settled = on_settled
        self.clock = clock
        self.sleep = sleep
        self.pacer = Pacer(config.rate)
        self.connection: smtplib.SMTP | None = None
        self.figures = SendFigures()

    # --- the run ---------------------------------------------------------

    def run(self, pending: list[Pending]) -> SendFigures:
        started = self.clock()
        self.figures.resent_in_flight = sum(1 for p in pending if p.state == "sending")
        fresh = deque(pending)
        retries: list[tuple[float, int, Pending]] = []  # (due, id, message), soonest first
        tries: dict[int, int] = {}  # 4xx answers per message in this run
        losses: dict[int, int] = {}  # lost connections per message in this run
        try:
            while fresh or retries:
                if retries and (not fresh or retries[0][0] <= self.clock()):
                    due, _, message = heapq.heappop(retries)
                    self.sleep(max(0.0, due - self.clock()))
                else:
                    message = fresh.popleft()
                result = self._attempt(message)
                if result == "lost":
                    losses[message.id] = losses.get(message.id, 0) + 1
                    if losses[message.id] < self.config.reconnect_attempts:
                        fresh.appendleft(message)
                    else:
                        self._settle(message, DEFERRED)
                elif result == RETRY:
                    tries[message.id] = tries.get(message.id, 0) + 1
                    if tries[message.id] < self.config.max_attempts:
                        delay = backoff_delay(tries[message.id], self.config.backoff_seconds, self.config.backoff_max_seconds)
                        heapq.heappush(retries, (self.clock() + delay, message.id, message))
                    else:
                        self._settle(message, DEFERRED)
                else:
                    self._settle(message, result)
        finally:
            self._close()
            self.figures.seconds = self.clock() - started
        return self.figures

    def _settle(self, message: Pending, state: str) -> None:
        if state == SENT:
            self.figures.sent += 1
        elif state == FAILED:
            self.figures.failed += 1
        else:
            self.figures.deferred += 1
            log.warning("deferred %s: no answer but 'try later' after %s tries; a later run retries it",
                        message.subscriber_id, self.config.max_attempts)
        self.on_settled(state)

    def _attempt(self, message: Pending) -> str:
        """One try: SENT, FAILED, RETRY or "lost", with the journal updated."""
        try:
            data = _LINE_ENDS.sub(b"\r\n", self.outbox.path.joinpath(message.file).read_bytes())
        except OSError as exc:
            return self._answer(message, FAILED, None, None, f"the message file cannot be read ({exc.strerror}); make the outbox again")
        recipient = recipient_of(data)
        if recipient is None:
            return self._answer(message, FAILED, None, None, "the message has no To address")
        self.sleep(self.pacer.delay(self.clock()))
        self._ensure_connected()
        self.journal.mark_sending(message.id)
        try:
            answer = self._transaction(recipient, data)
        except ConnectionLost as exc:
            self._close()
            self.figures.reconnects += 1
            log.warning("connection lost while sending to %s (%s); reconnecting", message.subscriber_id, exc)
            self._answer(message, QUEUED, "connect", None, f"연결 끊김: {exc}")
            return "lost"
        result = outcome(answer.code)
        if result == SENT:
            return self._answer(message, SENT, answer.stage, answer.code, answer.text)
        if result == RETRY:
            if answer.code == 421:  # the server is closing this connection
                self._close()
            self._answer(message, DEFERRED, answer.stage, answer.code, answer.text)
            return RETRY
        if answer.stage == "mail":
            self.journal.mark(message.id, QUEUED, answer.stage, answer.code, redact_addresses(answer.text))
            raise SotongError([f"the mail server refuses the sender {self.config.mail_from}: {answer.code} {redact_addresses(answer.text)}; "
                               "check MAIL_FROM in the settings (nothing more was sent; run again once fixed)"])
        self.figures.failures.append(message.subscriber_id)
        return self._answer(message, FAILED, answer.stage, answer.code, answer.text)

    def _answer(self, message: Pending, state: str, stage, code, text) -> str:
        text = redact_addresses(text)
        self.journal.mark(message.id, state, stage, code, text)
        if state == FAILED:
            log.warning("failed %s: %s %s", message.subscriber_id, code or "", text)
        elif state == SENT:
            log.info("sent %s", message.subscriber_id)
        return state

    # --- SMTP ------------------------------------------------------------

    def _transaction(self, recipient: str, data: bytes) -> Answer:
        """MAIL, RCPT, DATA for one message; the first answer that is not a success."""
        connection = self.connection
        options = [] if data.isascii() or not connection.has_extn("8bitmime") else ["BODY=8BITMIME"]
        try:
            code, text = connection.mail(self.config.mail_from, options)
            if code != 250:
                return self._refused(Answer("mail", code, _text(text)))
            code, text = connection.rcpt(recipient)
            if code not in (250, 251):
                return self._refused(Answer("rcpt", code, _text(text)))
            code, text = connection.data(data)
            answer = Answer("data", code, _text(text))
            return answer if code == 250 else self._refused(answer)
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            raise ConnectionLost(str(exc) or type(exc).__name__) from None
        except smtplib.SMTPResponseException as exc:  # e.g. DATA refused before the body
            return self._refused(Answer("data", exc.smtp_code, _text(exc.smtp_error)))

    def _refused(self, answer: Answer) -> Answer:
        if answer.code != 421:
            try:
                self.connection.rset()
            except (smtplib.SMTPException, OSError):
                self._close()
        return answer

    def _ensure_connected(self) -> None:
        if self.connection is not None and self.connection.sock is not None:
            return
        self.connection = None
        config, problem = self.config, None
        for attempt in range(config.reconnect_attempts):
            if attempt:
                self.sleep(backoff_delay(attempt, config.backoff_seconds, config.backoff_max_seconds))
            try:
                self.connection = self._connect()
                return
            except smtplib.SMTPAuthenticationError as exc:
                raise SotongError([f"the mail server refused the login of SMTP_USER {config.user!r}: {exc.smtp_code} {_text(exc.smtp_error)}; "
                                   "check SMTP_USER and SOTONG_SMTP_PASSWORD"]) from None
            except (smtplib.SMTPException, OSError) as exc:
                problem = str(exc) or type(exc).__name__
                log.warning("cannot connect to %s:%s (%s)", config.smtp_host, config.smtp_port, problem)
        raise SotongError([f"cannot reach the mail server {config.smtp_host}:{config.smtp_port} ({problem}) after "
                           f"{config.reconnect_attempts} tries; check SMTP_HOST and SMTP_PORT or --host/--port, "
                           "then run the same command again: what was not sent is still queued"])

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        connection = smtplib.SMTP(config.smtp_host, config.smtp_port, timeout=config.timeout_seconds)
        try:
            connection.ehlo_or_helo_if_needed()
            if config.starttls:
                connection.starttls(context=ssl.create_default_context())
                connection.ehlo()
            if config.user:
                connection.login(config.user, config.password or "")
        except BaseException:
            connection.close()
            raise
        return connection

    def _close(self) -> None:
        if self.connection is None:
            return
        try:
            if self.connection.sock is not None:
                self.connection.quit()
        except (smtplib.SMTPException, OSError):
            pass
        finally:
            self.connection.close()
            self.connection = None


def _text(raw) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
