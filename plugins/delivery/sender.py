"""Handing an outbox's emails to an SMTP server, one journaled message at a time.

A few connections (``DELIVERY["connections"]``) work side by side, each
reused for message after message (STARTTLS and login where configured) and
reopened when it drops; a round trip to the server, not the CPU, is what a
message costs, so they overlap their waits. They share the messages this
process claims from the journal, a batch at a time (``Journal.claim``: on
PostgreSQL other processes claim other batches of the outbox), and each
takes its next few at once (``TAKE_BATCH``, one statement). A message is
marked ``sending`` before it goes out and ``sent`` after the server's 250
(written with the connection's next take: see journal.py), so at most
``TAKE_BATCH`` messages per connection are ever in flight. A 4xx answer is tried again after a growing
wait while other messages go on, up to ``max_attempts`` in this run, then once
more a while later (greylisting: after the wait the server names), the run
waiting at most ``try_later_seconds`` past its last fresh message, then left
``deferred`` for a later run; a rate limit said to two messages in a row
pauses the whole run and halves its rate, and stops it once the pauses pass
``try_later_seconds`` (:meth:`Sender._slow_down`). A 5xx answer marks it
``failed`` with the reason, but refusals about the sender, alike and in a
row, stop the run with those messages queued (:meth:`Sender._refused_alike`).
Each message is taken only if its reader can still be reached (an unsubscribe
may come in while a run goes on). An address whose domain is outside ASCII
goes to RCPT TO in its IDNA form (hong@xn--2e0bw5j1qmcgl.kr), which every
server takes; one with characters outside ASCII before the @ goes out with
SMTPUTF8 (RFC 6531) when the server offers it, and fails otherwise. To a server that offers PIPELINING (RFC 2920) the MAIL, RCPT
and DATA commands of a message go in one write, their answers read after:
two round trips a message instead of four; when it also offers CHUNKING
(RFC 3030), the message itself goes in that write as one ``BDAT n LAST``
chunk: one round trip. Each message goes dated the moment it is handed
over, and signed then (:class:`.stamp.Stamp`); the rest as bundled. A
message larger than the server says it takes (its EHLO
``SIZE n``, RFC 1870, read from each connection's greeting) is not
handed over: it fails at once (stage ``size``), its reason naming the
notices whose files make it large, and the next recording of the outbox
queues it again (the files made smaller and bundled again, it goes then);
so does one the server refused as too large after reading it (a server that
names no SIZE).
"""

from __future__ import annotations

import functools
import heapq
import logging
import math
import re
import smtplib
import ssl
import threading
import time
from collections import deque
from dataclasses import dataclass, field, fields
from typing import Callable

from sotong.i18n import _
from sotong.mail import ascii_address, size_label, size_labels_apart
from sotong.mail_server import NoGreeting, close_connection, open_connection
from sotong.problems import SotongError, one_line, os_reason

from .config import DeliveryConfig
from .journal import (DEFERRED, ELSEWHERE, FAILED, QUEUED, RECORDER_POLL, RECORDING, SENT, TAKE_BATCH,
                      TAKEN, TOO_BIG, UNSENT, WITHDRAWN, Accepted, Journal, Pending)
from .outbox import Outbox, recipient_of
from .rules import (REFUSALS_IN_A_ROW, RETRY, THROTTLED, GREYLISTED, Pacer, backoff_delay, needs_login,
                    needs_starttls, outcome, redact_addresses, refusal_key, refused_as_too_large,
                    refused_for_the_sender, stated_wait, try_later_kind)
from .verp import make_return_path

log = logging.getLogger("sotong.delivery")
_LINE_ENDS = re.compile(rb"\r?\n")
# An address that smtplib's quoteaddr would give back as it is, in <>: no space, quote, bracket or second @.
_PLAIN_ADDRESS = re.compile(r'[^\s<>()\[\]\\,;:@"]+@[^\s<>()\[\]\\,;:@"]+')
LOST = "lost"
HELD = "held"  # refused as the refusals just before it, about the sender: settled once that is known
SLOWEST_BYTES_PER_SECOND = 100_000  # an uplink of 0.8 Mbit/s, and a relay's filter reading a message
# the answers of MAIL, RCPT and DATA that let a message go on, one at a time or pipelined
_MAIL_TAKEN, _RCPT_TAKEN, _DATA_TAKEN = _ENVELOPE_SUCCESS = ((250,), (250, 251), (354,))
_CHUNKED_SUCCESS = (_MAIL_TAKEN, _RCPT_TAKEN, (250,))  # MAIL, RCPT and the message's one chunk (BDAT n LAST)
NO_SMTPUTF8 = (_("the address has characters outside ASCII before the @ and the mail server does not offer SMTPUTF8 (RFC 6531); correct the address in the e-communication system, or send through a server that offers SMTPUTF8"))


WAIT_SAID = 5.0  # seconds: a wait at the run's end at least this long is said, not left to a still progress bar


def _say_waiting(count: int, seconds: float) -> None:
    log.warning(_("waiting %.0f s to try again %s emails the mail server said to try later (greylisting); Ctrl+C stops the wait, and they stay deferred for the next run"),
                seconds, count)


class ConnectionLost(Exception):
    """The server went away in the middle of a message."""


class RunStopped(SotongError):
    """The server's answers are about the whole run (the sender refused,
    the rate limited too long): it stops, and its one line, which says how
    many emails are still queued, is made once the connections have ended
    (``line``: that count -> the line)."""

    def __init__(self, line: Callable[[int], str]):
        super().__init__([line(0)])
        self.line = line


class Unreachable(SotongError):
    """A connection could not be opened, ``reconnect_attempts`` tries in a row
    (``problem``: the last try's)."""

    def __init__(self, problem: str, problems: list):
        super().__init__(problems)
        self.problem = problem


@dataclass
class Answer:
    stage: str  # mail, rcpt, data
    code: int
    text: str


@dataclass
class _Connection:
    """One of the run's SMTP connections, and the messages the server
    accepted since its last take, not yet recorded ``sent``: recorded with
    its next take."""

    link: "_Link"
    accepted: list[Accepted] = field(default_factory=list)
    working: bool = False  # it was opened: counted in Sender.working


@dataclass
class SendFigures:
    sent: int = 0
    failed: int = 0
    deferred: int = 0
    resent_in_flight: int = 0  # left "sending" by an earlier run that stopped
    withdrawn: int = 0  # readers who unsubscribed during the run
    elsewhere: int = 0  # taken by another sotong send working the same outbox (PostgreSQL)
    reconnects: int = 0
    seconds: float = 0.0
    too_big: int = 0  # of the failed: larger than the server takes (by its EHLO SIZE, or refused by it so)
    too_big_notices: tuple = ()  # the notices whose files make those large
    size_limit: int = 0  # what the server takes, in bytes, as its EHLO SIZE said (0: it said none)
    throttled: int = 0  # pauses the server's rate limiting ("421 4.7.0 too many messages") made
    slowed_to: float = 0.0  # the rate (messages a second) the run slowed to for it (0: it did not)
    tried_later: int = 0  # messages tried again after a long wait: greylisted, or a last try after "try later"
    sent_later: int = 0  # of those, accepted then

    def plus(self, other: "SendFigures") -> "SendFigures":
        """The figures of this run and of ``other``, one after the other."""
        both = SendFigures(*(getattr(self, name.name) + getattr(other, name.name) for name in fields(self)))
        both.size_limit = other.size_limit or self.size_limit
        both.slowed_to = other.slowed_to or self.slowed_to
        return both


class _Schedule:
    """Which message goes next, shared by the connections: messages in the
    order claimed, a batch claimed whenever none is left, and retries once
    their wait is over. A claim that comes back empty while more may come
    (``awaited()``: another worker is still recording the outbox) is tried
    again every RECORDER_POLL seconds. ``take`` returns nothing when the
    claims come back empty for good and no connection holds a message that
    may come back; retries due more than ``patience`` seconds after only
    retries were left are not waited for (left in ``retries``: deferred)."""

    def __init__(self, claim: Callable[[], list[Pending]], clock: Callable[[], float],
                 awaited: Callable[[], bool] = lambda: False, patience: float = math.inf,
                 waiting: Callable[[int, float], None] = lambda count, seconds: None):
        self.claim = claim
        self.awaited = awaited
        self.patience = patience
        self.waiting = waiting  # told, once only retries are left, how many and how long the wait for the last
        self.drained_at: float | None = None  # when nothing was left but retries: claimed all, none in hand
        self.stopped = threading.Event()  # set with ``error``: a connection's wait (a pause) ends at once
        self.claimed_all = False
        self.claim_again_at = 0.0
        self.fresh: deque[Pending] = deque()
        self.retries: list[tuple[float, int, Pending]] = []  # (due, id, message), soonest first
        self.busy = 0
        self.error: BaseException | None = None
        self.clock = clock
        self.changed = threading.Condition()

    def take(self, limit: int) -> list[Pending]:
        """Up to ``limit`` messages: the retries due first, then fresh ones."""
        with self.changed:
            while self.error is None:
                now = self.clock()
                hand = []
                last = math.inf if self.drained_at is None else self.drained_at + self.patience
                while self.retries and self.retries[0][0] <= min(now, last) and len(hand) < limit:
                    hand.append(heapq.heappop(self.retries)[2])
                if len(hand) < limit and not self.fresh and not self.claimed_all and now >= self.claim_again_at:
                    self._claim(now)
                while self.fresh and len(hand) < limit:
                    hand.append(self.fresh.popleft())
                if hand:
                    self.busy += len(hand)
                    return hand
                if self.claimed_all and self.drained_at is None and not self.busy:  # only retries are left
                    self.drained_at, last = now, now + self.patience
                    self._say_waiting(now, last)
                waits = ([self.retries[0][0] - now] if self.retries and self.retries[0][0] <= last else []) + \
                    ([self.claim_again_at - now] if not self.claimed_all else [])
                if waits:
                    self.changed.wait(max(0.0, min(waits)))
                elif self.busy:
                    self.changed.wait()
                else:
                    return []
            return []

    def _say_waiting(self, now: float, last: float) -> None:
        """Tell how many retries the run waits for at its end, and how long."""
        due = [at for at, _id, _message in self.retries if at <= last]
        if due and max(due) - now >= WAIT_SAID:
            self.waiting(len(due), max(due) - now)

    def _claim(self, now: float) -> None:
        try:
            batch = self.claim()
            awaited = not batch and self.awaited()
        except BaseException as exc:  # the store went away
            self.error = self.error or exc
            self.stopped.set()
            self.changed.notify_all()
            return
        self.fresh.extend(batch)
        self.claimed_all = not batch and not awaited
        if awaited:
            self.claim_again_at = now + RECORDER_POLL

    def done(self, message: Pending, again_at: float | None = None, at_once: bool = False) -> None:
        with self.changed:
            self.busy -= 1
            if at_once:
                self.fresh.appendleft(message)
            elif again_at is not None:
                heapq.heappush(self.retries, (again_at, message.id, message))
            self.changed.notify_all()

    def stop(self, error: BaseException) -> None:
        with self.changed:
            self.error = self.error or error
            self.stopped.set()
            self.changed.notify_all()


class Sender:
    """Sends the pending messages of one outbox."""

    def __init__(self, config: DeliveryConfig, journal: Journal, outbox: Outbox, stamp: Callable[[bytes], bytes],
                 on_settled: Callable[[str], None] = lambda state: None,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
                 attached: Callable[[], dict] = dict):
        self.config = config
        self.attached = attached  # slug -> bytes of the files its emails carry; asked for when one is too large
        self.journal = journal
        self.outbox = outbox
        self.stamp = stamp  # a message as it goes: its Date now, signed (stamp.Stamp)
        self.on_settled = on_settled
        self.clock = clock
        self.sleep = sleep
        self.pacer = Pacer(config.rate)
        self.figures = SendFigures()
        self.journal_lock = threading.Lock()  # the journal's connection, one statement (or transaction) at a time
        self.lock = threading.Lock()  # the pacer and the figures: never held through a round trip to the store
        self.tries: dict[int, int] = {}  # 4xx answers per message in this run
        self.losses: dict[int, int] = {}  # lost connections per message in this run
        self.lost_in_a_row = 0  # connections lost, of any message, since the server last answered
        self.working = 0  # connections opened, less those that ended alone (see _retired)
        self.greeted = threading.Event()  # a connection of the run was greeted: the others wait as long as ever
        self.connect_warnings = _ConnectWarnings()  # shared by the run's connections
        self.waits: dict[int, float] = {}  # message -> the wait its last 4xx answer asks for (greylisting, a pause)
        self.last_tries: set[int] = set()  # messages given their last try of the run (_last_try)
        self.waited_for: set[int] = set()  # messages tried again after a long wait: a last try, or greylisted
        self.alike: list[tuple[Pending, Answer]] = []  # the last refusals, in a row and alike, about the sender
        self.alike_key: tuple = ()
        self.answered_otherwise = False  # the server gave this run another answer than those refusals
        self.hold_until = 0.0  # no message before then: the server limits the rate (_slow_down)
        self.throttled_in_a_row = 0  # its pauses since it last took a message
        self.throttle_waited = 0.0  # their seconds
        self.throttled_ids: set[int] = set()  # the messages it answered "rate limited" since it last took one
        self.paused: set[int] = set()  # messages whose last answer paused the run: that try is not theirs

    def run(self) -> SendFigures:
        """Send what this process claims of the outbox until nothing is left to claim."""
        started = self.clock()
        schedule = _Schedule(self._claim, self.clock, self._recorded_elsewhere, self.config.try_later_seconds,
                             _say_waiting)
        ended = [threading.Event() for _ in range(self.config.connections)]  # not Thread.join: see below
        for n, event in enumerate(ended):
            threading.Thread(target=self._work, args=(schedule, event), name=f"smtp-{n}", daemon=True).start()
        try:
            for event in ended:
                event.wait()
        except KeyboardInterrupt as interrupt:  # Ctrl+C: each connection ends the message it is handing over,
            schedule.stop(interrupt)  # records those the server accepted and gives back the rest of its take
            for event in ended:  # (Python 3.11: a Thread.join that Ctrl+C interrupted may take its running thread for ended)
                event.wait()
            raise
        self.figures.seconds = self.clock() - started
        if schedule.error is None:
            self._end_alike(schedule)
        if schedule.error is None:
            for _due, _id, message in schedule.retries:  # their last try was due past try_later_seconds
                self._settle(message, DEFERRED)
        if isinstance(schedule.error, RunStopped):  # its line, with what is left now that nothing is in flight
            raise SotongError([schedule.error.line(self._unsent())]) from None
        if schedule.error is not None:
            raise schedule.error
        return self.figures

    def _unsent(self) -> int:
        """The outbox's emails not sent yet (queued, deferred, in flight), of every worker on it."""
        with self.journal_lock:
            counts = self.journal.counts(self.outbox.key)
        return sum(count for (channel, _type, state), count in counts.items()
                   if channel == "email" and state in UNSENT)

    def _claim(self) -> list[Pending]:
        """The next batch of messages this process sends (in flight ones of a
        run that stopped counted: they go again)."""
        with self.journal_lock:
            batch = self.journal.claim(self.outbox.key, TAKE_BATCH * self.config.connections)
        with self.lock:
            self.figures.resent_in_flight += sum(1 for message in batch if message.state == "sending")
        return batch

    def _recorded_elsewhere(self) -> bool:
        """Whether another worker, alive, is still recording the outbox: its next chunk may come."""
        with self.journal_lock:
            return self.journal.recording(self.outbox.key) == RECORDING

    def _work(self, schedule: _Schedule, ended: threading.Event) -> None:
        connection = _Connection(_Link(self.config, self.sleep, self.greeted, self.connect_warnings))
        try:
            while (hand := schedule.take(TAKE_BATCH)) and self._send_hand(connection, schedule, hand):
                pass
        finally:
            connection.link.close()
            self._record_accepted(connection, schedule)
            ended.set()

    def _send_hand(self, connection: _Connection, schedule: _Schedule, hand: list[Pending]) -> bool:
        """Take the messages of ``hand`` (one statement) and hand each taken
        one to the server, each settled or put back (:meth:`_route`). False
        when the run stops (the server refuses the sender or cannot be
        reached, the store went away, Ctrl+C, a bug): those not begun are
        given back; or when this connection cannot be opened while others
        work (:meth:`_retired`): they go to the others."""
        untried, begun, states, retired = list(hand), None, {}, False
        try:
            readable = self._readable(untried, schedule)
            self._connect(connection)
            with self.journal_lock:
                states = self.journal.take([message for message, _data, _recipient in readable], connection.accepted)
            connection.accepted = []
            for message, data, recipient in readable:
                if schedule.error is not None or not self._paced(schedule):  # the run stops: the rest of the
                    break  # take is given back
                untried.remove(message)
                begun, taken = message, states[message.id]
                result = (self._attempt(connection, message, data, recipient) if taken not in (WITHDRAWN, ELSEWHERE)
                          else self._not_taken(message, taken))
                self._route(schedule, message, result)
                begun = None
        except BaseException as exc:  # SotongError (server unreachable, sender refused), the store gone, or a bug
            retired = self._retired(connection, exc)
            if not retired:
                schedule.stop(exc)
            if begun is not None:
                untried.insert(0, begun)
        self._give_back([message for message in untried if states.get(message.id) == TAKEN], schedule)
        for message in untried:
            schedule.done(message, at_once=retired)  # a connection that ended alone: to the others
        return schedule.error is None and not retired

    def _paced(self, schedule: _Schedule) -> bool:
        """Wait for the next message's turn at the run's rate (SEND_RATE, or
        slower, after the pauses the server's rate limiting made); False when
        the run stops meanwhile."""
        with self.lock:
            wait = self.pacer.delay(self.clock())
        return wait <= 0 or not schedule.stopped.wait(wait)

    def _connect(self, connection: _Connection) -> None:
        connection.link.ensure_connected()
        if not connection.working:
            connection.working = True
            with self.lock:
                self.working += 1

    def _retired(self, connection: _Connection, exc: BaseException) -> bool:
        """Whether ``connection``, which cannot be (re)opened, ends alone
        while another of the run's connections works on (its messages go to
        them): a server that takes fewer connections at once than
        DELIVERY["connections"] (421 too many connections) stopped every
        run a few messages in, telling to check SMTP_HOST."""
        if not isinstance(exc, Unreachable):
            return False
        with self.lock:
            others = self.working - connection.working
            if others < 1:
                return False
            self.working, connection.working = others, False
        log.warning(_("the mail server took no more connections (%s); this run goes on with %s. If it says so at every run, set DELIVERY = {\"connections\": %s} in the settings"),
                    exc.problem, others, others)
        return True

    def _readable(self, hand: list[Pending], schedule: _Schedule) -> list[tuple[Pending, bytes, str]]:
        """The messages of ``hand`` whose file can be read and names its
        recipient, with both; the others failed (and taken out of ``hand``)."""
        readable = []
        for message in list(hand):
            try:
                data = _crlf(self.outbox.path.joinpath(message.file).read_bytes())
            except OSError as exc:
                problem = _("the message file cannot be read ({strerror}); make the outbox again").format(
                    strerror=os_reason(exc))
            else:
                recipient = recipient_of(data)
                if recipient is not None:
                    readable.append((message, data, recipient))
                    continue
                problem = _("the message has no To address")
            hand.remove(message)
            self._route(schedule, message, self._record(message, FAILED, None, None, problem))
        return readable

    def _give_back(self, untried: list[Pending], schedule: _Schedule) -> None:
        """Messages taken and never begun, as the run stops: queued again."""
        if not untried:
            return
        try:
            with self.journal_lock:
                self.journal.give_back(untried)
        except BaseException as exc:  # the store went away: they go again as in flight
            schedule.stop(exc)

    def _record_accepted(self, connection: _Connection, schedule: _Schedule) -> None:
        """The connection's last messages recorded ``sent``, as it stops."""
        if not connection.accepted:
            return
        try:
            with self.journal_lock:
                self.journal.take([], connection.accepted)
        except BaseException as exc:  # the store went away: the run fails, the messages go again
            schedule.stop(exc)

    def _route(self, schedule: _Schedule, message: Pending, result: str) -> None:
        """Settle the message, or put it back: at once after a lost connection,
        after the back-off (or the wait the server asked for) after a 4xx,
        for a last try later once its tries are used up (:meth:`_last_try`);
        a refusal like the ones before it (HELD) is settled later."""
        if result == HELD:
            return schedule.done(message)
        if result in (WITHDRAWN, ELSEWHERE):
            with self.lock:
                self.figures.withdrawn += result == WITHDRAWN
                self.figures.elsewhere += result == ELSEWHERE
            self.on_settled(result)
            return schedule.done(message)
        if result != LOST:
            self.answered_otherwise = True
            if self.alike:  # the refusals in a row end: they were about their messages
                self._fail_alike()
        if result == LOST:
            self.losses[message.id] = self.losses.get(message.id, 0) + 1
            if self.losses[message.id] < self.config.reconnect_attempts:
                return schedule.done(message, at_once=True)
            self._record(message, DEFERRED, "connect", None,
                         f"연결 끊김 {self.losses[message.id]}회: 시도할 때마다 연결이 끊겼습니다")
        elif result == RETRY:
            wait = self.waits.pop(message.id, None)
            if message.id in self.paused:  # again once the run's pause is over: not a try of its own
                self.paused.discard(message.id)
                return schedule.done(message, again_at=self.clock() + wait)
            tries = self.tries[message.id] = self.tries.get(message.id, 0) + 1
            if tries < self.config.max_attempts:
                delay = backoff_delay(tries, self.config.backoff_seconds, self.config.backoff_max_seconds)
                return schedule.done(message, again_at=self.clock() + (delay if wait is None else wait))
            if message.id not in self.last_tries and self.config.try_later_seconds > 0:
                return self._last_try(schedule, message, wait)
        self._settle(message, result if result in (SENT, FAILED) else DEFERRED)
        schedule.done(message)

    def _last_try(self, schedule: _Schedule, message: Pending, wait: float | None) -> None:
        """A message whose tries of the run the server all answered "try
        later": one more, a while later (what the server asked for, at least
        backoff_max_seconds, at most try_later_seconds), often at the run's
        end, where the run waits for it; a greylisting server, which takes a
        message only once a few minutes have passed since its first try,
        left every such message deferred when the tries came seconds apart."""
        self.last_tries.add(message.id)
        self._waited_for(message)
        delay = min(max(wait or 0.0, self.config.backoff_max_seconds), self.config.try_later_seconds)
        schedule.done(message, again_at=self.clock() + delay)

    def _settle(self, message: Pending, state: str) -> None:
        with self.lock:
            if state == SENT:
                self.figures.sent += 1
                self.figures.sent_later += message.id in self.waited_for
            elif state == FAILED:
                self.figures.failed += 1
            else:
                self.figures.deferred += 1
                log.warning(_("deferred %s: the server said 'try later' %s times or the connection kept dropping; a later run retries it"), message.subscriber_id, self.config.max_attempts)
            self.on_settled(state)

    def _not_taken(self, message: Pending, taken: str) -> str:
        if taken == WITHDRAWN:
            log.info(_("withdrawn %s: unsubscribed or address flagged invalid during the run"), message.subscriber_id)
        return taken

    def _attempt(self, connection: _Connection, message: Pending, data: bytes, recipient: str) -> str:
        """One try of a message taken: SENT, FAILED, RETRY or LOST, with the
        journal updated (SENT: with the connection's next take)."""
        link = connection.link
        link.ensure_connected()
        recipient = ascii_address(recipient)  # as the bundles now write To; an older outbox may not
        if not recipient.isascii() and not link.offers_smtputf8():
            return self._record(message, FAILED, None, None, NO_SMTPUTF8)
        data = self.stamp(data)  # dated now, each try: a retry after greylisting goes with its own moment
        limit = link.size_limit()
        if limit is not None and len(data) > limit:  # not handed over: the server would read it all, then refuse it
            size_said, limit_said = size_labels_apart(len(data), limit)
            return self._record(message, FAILED, TOO_BIG, None, (
                f"메일이 {size_said}로 메일 서버가 받는 크기 {limit_said}(SIZE)보다 커서 보내지 않음"
                f"{self._too_big(message, limit)}; 파일을 줄여 다시 묶은(sotong bundles) 뒤 다시 보내거나 파일을 다른 방법으로 전하세요"))
        try:
            answer = link.transaction(self._envelope_sender(message), recipient, data)
        except ConnectionLost as exc:
            return self._lost(link, message, exc)
        result = outcome(answer.code)
        with self.lock:
            self.lost_in_a_row = 0
            if self.throttled_ids and result == SENT:  # the server takes messages again: the pauses end
                self.throttled_ids.clear()
                self.throttled_in_a_row, self.throttle_waited = 0, 0.0
        if result == SENT:
            connection.accepted.append(Accepted(message.id, answer.stage, answer.code, redact_addresses(answer.text)))
            if log.isEnabledFor(logging.INFO):
                log.info(_("sent %s"), message.subscriber_id)
            return SENT
        if result == RETRY:
            if answer.code == 421:  # the server is closing this connection
                link.close()
            return self._try_later(message, answer)
        if result == FAILED and refused_as_too_large(answer.stage, answer.code, answer.text):  # it named no SIZE
            return self._record(message, FAILED, TOO_BIG, answer.code, answer.text + self._too_big(message, None))
        if result == FAILED:
            self._stop_if_refused_for_all(message, answer)
            fix = refused_for_the_sender(answer.stage, answer.code, answer.text)
            if fix is not None:
                return self._refused_alike(message, answer, fix)
        return self._record(message, result, answer.stage, answer.code, answer.text)

    def _stop_if_refused_for_all(self, message: Pending, answer: Answer) -> None:
        """A refusal every message would meet stops the run, the message
        queued again and none failed: the sender refused (MAIL), mail taken
        only over TLS without SMTP_STARTTLS (530 Must issue a STARTTLS
        command first), or no relaying for this machine without a login
        (530, "Relay access denied" to each RCPT: every message of the run
        failed for good, and once the login was set the next run found
        nothing left to send)."""
        if needs_starttls(answer.stage, answer.code, answer.text) and not self.config.server.starttls:
            problem = _("the mail server {address} takes mail only over an encrypted connection ({code} {text}); write SMTP_STARTTLS = True in the settings (the server's port for it is usually 587), then run the same command again: nothing more was sent, and what was not sent is still queued").format(
                address=self.config.server.address, code=answer.code, text=redact_addresses(answer.text))
        elif needs_login(answer.stage, answer.code, answer.text):
            problem = _("the mail server {address} does not pass on mail from this machine without a login it accepts: {code} {text}; check SMTP_USER and the environment variable SOTONG_SMTP_PASSWORD (many servers offer the login only with SMTP_STARTTLS = True), or ask its administrator to let this machine send (nothing more was sent; run again once fixed)").format(
                address=self.config.server.address, code=answer.code, text=redact_addresses(answer.text))
        elif answer.stage == "mail":
            problem = _("the mail server refuses the sender {envelope_sender}: {code} {redact_addresses}; check MAIL_FROM and BOUNCE_ADDRESS in the settings (nothing more was sent; run again once fixed)").format(
                envelope_sender=self._envelope_sender(message), code=answer.code, redact_addresses=redact_addresses(answer.text))
        else:
            return
        self._record(message, QUEUED, answer.stage, answer.code, answer.text)
        raise SotongError([problem])

    def _try_later(self, message: Pending, answer: Answer) -> str:
        """A 4xx answer: RETRY, the wait it asks for kept for :meth:`_route`.
        A rate limit said to two messages in a row pauses the whole run
        (:meth:`_slow_down`), the message queued again, not deferred: it is
        not about it (said to one message among others taken, it is that
        message's); greylisting waits what the server said ("try again in
        300 seconds"; else try_later_seconds) rather than seconds a try."""
        kind = try_later_kind(answer.code, answer.text)
        stated = stated_wait(answer.text)
        if kind == THROTTLED:
            wait, stop = self._slow_down(message, stated)
            if wait is not None or stop:
                self._record(message, QUEUED, answer.stage, answer.code, answer.text)
                if stop:
                    raise RunStopped(functools.partial(self._throttled_line, answer))
                self.waits[message.id] = wait
                self.paused.add(message.id)
                return RETRY
        if kind == GREYLISTED and self.config.try_later_seconds > 0:
            self.waits[message.id] = min(stated + 1 if stated else math.inf, self.config.try_later_seconds)
            self._waited_for(message)
        self._record(message, DEFERRED, answer.stage, answer.code, answer.text)
        return RETRY

    def _waited_for(self, message: Pending) -> None:
        """Count a message tried again after a long wait (the summary says how many, and how many went)."""
        with self.lock:
            if message.id not in self.waited_for:
                self.waited_for.add(message.id)
                self.figures.tried_later += 1

    def _slow_down(self, message: Pending, stated: float | None) -> tuple[float | None, bool]:
        """The server limits the rate, as it said to this message and
        another since it last took one: no message of the run goes out for a
        while (what it said, else a back-off that grows with each pause in a
        row), and from then at half the rate; the wait (None: the first such
        answer, which may be about its message alone), and whether the run
        stops instead: the pauses since it last took a message would pass
        try_later_seconds. An answer to a message sent before the pause
        began adds none."""
        with self.lock:
            now = self.clock()
            self.throttled_ids.add(message.id)
            if len(self.throttled_ids) < 2:
                return None, False
            if now < self.hold_until:
                return self.hold_until - now, False
            self.throttled_in_a_row += 1
            wait = stated or backoff_delay(self.throttled_in_a_row, self.config.backoff_seconds,
                                           self.config.backoff_max_seconds)
            if self.throttle_waited + wait > self.config.try_later_seconds:
                return 0.0, True
            self.throttle_waited += wait
            self.hold_until = now + wait
            (self.pacer.slow_down if self.throttled_in_a_row == 1 else self.pacer.hold)(self.hold_until)
            self.figures.throttled += 1
            self.figures.slowed_to = self.pacer.rate
        log.warning(_("the mail server limits the rate; no email for %.0f s, then %.3g a second"), wait,
                    self.figures.slowed_to)
        return wait, False

    def _throttled_line(self, answer: Answer, unsent: int) -> str:
        rate = self.pacer.rate
        return _("the mail server {address} kept limiting how fast this machine sends ({code} {text}): the run paused {seconds:.0f} s in all (DELIVERY try_later_seconds), slowing to {rate:.3g} emails a second, then stopped; {unsent:,} emails are still queued, and running the same command again later sends them (if the server says so at every run, write SEND_RATE = {rate:.3g} in the settings)").format(
            address=self.config.server.address, code=answer.code, text=redact_addresses(answer.text),
            seconds=self.throttle_waited, rate=rate, unsent=unsent)

    def _refused_alike(self, message: Pending, answer: Answer, fix: str) -> str:
        """A permanent refusal about the sender, the relay or the account
        (:func:`refused_for_the_sender`): HELD, queued again, until it is
        known whether every message meets it. The refusals before it that
        were not alike fail; once REFUSALS_IN_A_ROW come alike in a row the
        run stops, those messages still queued (one line: what the server
        said and what to fix); Amazon SES's "554 Message rejected: Email
        address is not verified" failed every reader of an issue for good."""
        key = refusal_key(answer.stage, answer.code, answer.text)
        self._record(message, QUEUED, answer.stage, answer.code, answer.text)
        with self.lock:
            unlike, self.alike = (self.alike, []) if key != self.alike_key else ([], self.alike)
            self.alike_key = key
            self.alike.append((message, answer))
            count = len(self.alike)
        self._fail(unlike)
        if count >= REFUSALS_IN_A_ROW:
            raise RunStopped(functools.partial(self._refused_line, message, answer, fix, count))
        return HELD

    def _fail_alike(self) -> None:
        with self.lock:
            held, self.alike = self.alike, []
        self._fail(held)

    def _fail(self, held: list[tuple[Pending, Answer]]) -> None:
        """Refusals held, known now to be about their messages: failed."""
        for message, answer in held:
            self._record(message, FAILED, answer.stage, answer.code, answer.text)
            self._settle(message, FAILED)

    def _end_alike(self, schedule: _Schedule) -> None:
        """At the run's end, the refusals held: the run's only answers, every
        message met it: it stops as after REFUSALS_IN_A_ROW; else failed."""
        if not self.alike:
            return
        if self.answered_otherwise:
            return self._fail_alike()
        message, answer = self.alike[-1]
        fix = refused_for_the_sender(answer.stage, answer.code, answer.text)
        schedule.stop(RunStopped(functools.partial(self._refused_line, message, answer, fix, len(self.alike))))

    def _refused_line(self, message: Pending, answer: Answer, fix: str, count: int, unsent: int) -> str:
        address = self.config.server.address
        fixes = {
            "verify": _("have the sender {mail_from} (MAIL_FROM) and the domain of BOUNCE_ADDRESS verified with the mail service (Amazon SES: its verified identities; while the account is in the sandbox, the readers' addresses too)"),
            "sender": _("check MAIL_FROM and BOUNCE_ADDRESS in the settings: the server takes no mail from the sender {envelope_sender} or its domain; its administrator knows which it takes"),
            "relay": _("ask the administrator of {address} to let this machine relay mail, or write SMTP_USER (and SOTONG_SMTP_PASSWORD) for a login it accepts"),
            "account": _("check SMTP_USER and SOTONG_SMTP_PASSWORD, and ask the mail service whether the account may send"),
        }
        what = fixes[fix].format(mail_from=self.config.mail_from, envelope_sender=self._envelope_sender(message),
                                 address=address)
        return _("the mail server {address} refused {count} emails in a row with the same answer, which is about the sender, not the readers: {code} {text}; {fix}, then run the same command again: nothing more was sent, and {unsent:,} emails not sent are still queued, those it refused among them").format(
            address=address, count=count, code=answer.code, text=redact_addresses(answer.text), fix=what,
            unsent=unsent)

    def _lost(self, link: "_Link", message: Pending, exc: ConnectionLost) -> str:
        """The connection dropped or timed out in the middle of ``message``:
        queued again (LOST), the connection to be reopened. A server that
        stops answering (it takes the connection and the message and never
        answers: every try a timeout) stops the run once the connections
        were lost ``reconnect_attempts`` times each in a row with no answer
        between: each message waited out ``timeout_seconds`` five times
        before it was deferred, hours for an issue, the progress bar still."""
        link.close()
        limit = self.config.reconnect_attempts * self.config.connections
        with self.lock:
            self.figures.reconnects += 1
            self.lost_in_a_row += 1
            stalled = self.lost_in_a_row >= limit
        log.warning(_("connection lost while sending to %s (%s); reconnecting"), message.subscriber_id, exc)
        self._record(message, QUEUED, "connect", None, f"연결 끊김: {exc}")
        if stalled:
            raise SotongError([_("the mail server {address} stopped answering: the connection was lost {count} times in a row ({problem}); nothing more was sent. Check the mail server, then run the same command again: what was not sent is still queued (a message handed over as it stopped answering may arrive twice)").format(
                address=self.config.server.address, count=limit, problem=exc)])
        return LOST

    def _too_big(self, message: Pending, limit: int | None) -> str:
        """Count a message too large for the server (``limit``: what its EHLO
        SIZE said, if it said); the notices whose files make it large, with
        their size, heaviest first, as its reason names them."""
        with self.journal_lock:
            slugs = self.journal.notices_of(message.id)
        attached = self.attached()
        heavy = sorted((slug for slug in slugs if attached.get(slug)), key=lambda slug: -attached[slug])
        with self.lock:
            self.figures.too_big += 1
            self.figures.size_limit = limit or self.figures.size_limit
            self.figures.too_big_notices += tuple(slug for slug in heavy if slug not in self.figures.too_big_notices)
        files = ", ".join(f"공지 {slug}의 첨부 파일 {size_label(attached[slug])}" for slug in heavy)
        return f" ({files})" if files else ""

    def _envelope_sender(self, message: Pending) -> str:
        """The message's return path: its VERP address when BOUNCE_ADDRESS is set."""
        if self.config.bounce_address is None:
            return self.config.mail_from
        return make_return_path(self.config.bounce_address, message.subscriber_id, self.outbox.key)

    def _record(self, message: Pending, state: str, stage, code, text) -> str:
        """Journal the message's state with the server's answer: its lines
        joined, its control characters escaped (the relay passes on what a
        remote server said), the addresses it echoes taken out."""
        text = redact_addresses(one_line(" ".join(text.splitlines())) if text else text)
        with self.journal_lock:
            self.journal.mark(message.id, state, stage, code, text)
        if state == FAILED:
            log.warning(_("failed %s: %s %s"), message.subscriber_id, code or "", text)
        return state


class _Link:
    """One SMTP connection, opened on demand and reopened after it drops."""

    def __init__(self, config: DeliveryConfig, sleep: Callable[[float], None], greeted: threading.Event | None = None,
                 connect_warnings: "_ConnectWarnings | None" = None):
        self.config = config
        self.sleep = sleep
        self.connection: smtplib.SMTP | None = None
        self.greeted = greeted or threading.Event()  # set once a connection of the run was greeted
        self.connect_warnings = connect_warnings or _ConnectWarnings()

    def transaction(self, sender: str, recipient: str, data: bytes) -> Answer:
        """MAIL, RCPT, DATA (or BDAT) for one message; the first answer that
        is not a success. Its exchanges wait :func:`message_timeout`, not
        timeout_seconds: a large message's sending and the server's reading
        of it take longer than a command's answer."""
        connection = self.connection
        options = [] if data.isascii() or not connection.has_extn("8bitmime") else ["BODY=8BITMIME"]
        pipelined = recipient.isascii() and connection.has_extn("pipelining")
        timeout = message_timeout(self.config.server.timeout_seconds, len(data))
        try:
            connection.sock.settimeout(timeout)
            if pipelined and connection.has_extn("chunking"):
                return self._chunked(sender, recipient, options, data)
            refused = (self._pipelined_envelope if pipelined else self._envelope)(sender, recipient, options)
            if refused is not None:
                return refused
            connection.send(data_payload(data))
            code, text = connection.getreply()
            answer = Answer("data", code, _text(text))
            return answer if code == 250 else self._refused(answer)
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            raise ConnectionLost(_lost_reason(exc, timeout)) from None
        finally:
            if self.connection is not None and self.connection.sock is not None:
                self.connection.sock.settimeout(self.config.server.timeout_seconds)

    def _envelope(self, sender: str, recipient: str, options: list[str]) -> Answer | None:
        """MAIL, RCPT and DATA one at a time, each answer awaited: the first
        refusal, or None once DATA's 354 came."""
        connection = self.connection
        if recipient.isascii():
            code, text = connection.docmd("mail", f"FROM:{envelope_address(sender)}{_options(options)}")
        else:  # smtplib's mail() switches the commands to UTF-8 (or refuses without the extension)
            code, text = connection.mail(sender, [*options, "SMTPUTF8"])
        if code not in _MAIL_TAKEN:
            return self._refused(Answer("mail", code, _text(text)))
        code, text = connection.docmd("rcpt", f"TO:{envelope_address(recipient)}")
        if code not in _RCPT_TAKEN:
            return self._refused(Answer("rcpt", code, _text(text)))
        code, text = connection.docmd("data")
        if code not in _DATA_TAKEN:  # DATA refused before the body: that message fails or waits, the run goes on
            return self._refused(Answer("data", code, _text(text)))
        return None

    def _pipelined_envelope(self, sender: str, recipient: str, options: list[str]) -> Answer | None:
        """MAIL, RCPT and DATA sent at once to a server that offers PIPELINING
        (RFC 2920: one round trip, not three), then their answers read in
        order: the first refusal, or None once DATA's 354 came. A server that
        answers 421 closes the connection, so nothing is read after it."""
        connection = self.connection
        connection.send(_pipelined_commands(sender, recipient, options, "DATA"))
        answers, refused = self._answers(_ENVELOPE_SUCCESS)
        if refused is not None and answers[-1].code == 354:  # DATA taken after a refusal: an empty body ends it
            connection.send(b".\r\n")
            connection.getreply()
        return None if refused is None else self._refused(refused)

    def _chunked(self, sender: str, recipient: str, options: list[str], data: bytes) -> Answer:
        """MAIL, RCPT and the whole message as one chunk (``BDAT n LAST``,
        RFC 3030 CHUNKING) in one write to a server that offers CHUNKING and
        PIPELINING, then the three answers: one round trip a message, not
        two, and the body as it is (no dot doubled, no end mark to scan
        for). The first refusal, or the answer to the chunk. A server reads
        the chunk whatever it answered before (RFC 3030 §2), so the
        connection stays in step after a refusal."""
        body = data if data.endswith(b"\r\n") else data + b"\r\n"  # as DATA's end would make it
        self.connection.send(_pipelined_commands(sender, recipient, options, f"BDAT {len(body)} LAST").encode() + body)
        answers, refused = self._answers(_CHUNKED_SUCCESS)
        return answers[-1] if refused is None else self._refused(refused)

    def _answers(self, successes: tuple) -> tuple[list[Answer], Answer | None]:
        """The answers to pipelined MAIL, RCPT and DATA (or BDAT), in order,
        none read after a 421 (the server closes the connection); and the
        first whose code is not among its command's ``successes``, or None."""
        answers = []
        for stage in ("mail", "rcpt", "data"):
            code, text = self.connection.getreply()
            answers.append(Answer(stage, code, _text(text)))
            if code == 421:
                break
        refused = next((answer for answer, success in zip(answers, successes) if answer.code not in success), None)
        return answers, refused

    def _refused(self, answer: Answer) -> Answer:
        if answer.code != 421:
            try:
                self.connection.rset()
            except (smtplib.SMTPException, OSError):
                self.close()
        return answer

    def offers_smtputf8(self) -> bool:
        return self.connection.has_extn("smtputf8")

    def size_limit(self) -> int | None:
        """The largest message the server takes, in bytes, as its EHLO said
        (``SIZE n``, RFC 1870); None when it names none (no SIZE, or SIZE 0:
        no fixed limit)."""
        value = self.connection.esmtp_features.get("size", "").strip()
        return int(value) if value.isdigit() and int(value) > 0 else None

    def ensure_connected(self) -> None:
        if self.connection is not None and self.connection.sock is not None:
            return
        self.connection = None
        config, problem, code = self.config, None, None
        for attempt in range(config.reconnect_attempts):
            if attempt:
                self.sleep(backoff_delay(attempt, config.backoff_seconds, config.backoff_max_seconds))
            try:
                self.connection = open_connection(config.server, None if self.greeted.is_set() else config.greeting_seconds)
                self.greeted.set()
                self.connect_warnings.connected()
                return
            except NoGreeting:  # a port where something else listens: no try will find a mail server there
                raise SotongError([_no_greeting(config)]) from None
            except smtplib.SMTPAuthenticationError as exc:
                raise SotongError([_("the mail server refused the login of SMTP_USER {user!r}: {smtp_code} {text}; check SMTP_USER and SOTONG_SMTP_PASSWORD").format(
                    user=config.server.user, smtp_code=exc.smtp_code, text=_text(exc.smtp_error))]) from None
            except smtplib.SMTPNotSupportedError as exc:  # it lacks what the settings ask for: no try will have it
                raise SotongError([_lacking(config, exc)]) from None
            except ssl.SSLCertVerificationError as exc:  # every try meets the same certificate
                raise SotongError([_untrusted(config, exc)]) from None
            except (smtplib.SMTPException, OSError) as exc:  # a refusal as the server said it (421 ...), not as a tuple
                code = exc.smtp_code if isinstance(exc, smtplib.SMTPResponseException) else None
                problem = (f"{code} {_text(exc.smtp_error)}" if code is not None
                           else _lost_reason(exc, config.server.timeout_seconds))  # not "[Errno 111] Connection refused"
                if attempt + 1 < config.reconnect_attempts:  # the last: Unreachable says why the tries ended
                    self.connect_warnings.warn(config, attempt, problem)
        raise Unreachable(problem, [_unreachable_line(config, problem, code)])

    def close(self) -> None:
        if self.connection is not None:
            close_connection(self.connection)
            self.connection = None


class _ConnectWarnings:
    """The warnings of a run's connections that cannot connect, each try
    said once, whichever connection met it first: the four connections of a
    run meeting a mail server that is down said each of their five tries,
    twenty lines alike before the one saying why the run stopped. Said
    again once a connection has connected (a server lost later in the run)."""

    def __init__(self):
        self.lock, self.said = threading.Lock(), set()

    def warn(self, config: DeliveryConfig, attempt: int, problem: str) -> None:
        with self.lock:
            if (attempt, problem) in self.said:
                return
            self.said.add((attempt, problem))
        log.warning(_("cannot connect to %s:%s (%s), try %s of %s; trying again"), config.server.host,
                    config.server.port, problem, attempt + 1, config.reconnect_attempts)

    def connected(self) -> None:
        with self.lock:
            self.said.clear()


def message_timeout(timeout_seconds: float, size: int) -> float:
    """Seconds a message's exchanges may wait (the socket's timeout while it
    is handed over): ``timeout_seconds`` and one more for each
    :data:`SLOWEST_BYTES_PER_SECOND` of its ``size``. With timeout_seconds
    alone (30 s), a 13MB email on an uplink under 3.5 Mbit/s timed out at
    every try (Python's sendall counts its whole time), and one a relay
    scanned (a virus filter before it answers) for longer was taken for
    lost and handed over again, each try, while the server kept it."""
    return timeout_seconds + size / SLOWEST_BYTES_PER_SECOND


def _lost_reason(exc: BaseException, timeout_seconds: float) -> str:
    """Why a connection was lost in the middle of a message, in the staff's
    language: smtplib's "Connection unexpectedly closed: timed out" was said
    in English inside the Korean lines."""
    cause = exc.__context__ if isinstance(exc, smtplib.SMTPServerDisconnected) else exc
    if isinstance(cause, TimeoutError):
        shown = round(timeout_seconds) if timeout_seconds >= 10 else round(timeout_seconds, 1)  # message_timeout's
        return _("no answer in {seconds:g} s (DELIVERY timeout_seconds)").format(seconds=shown)
    if isinstance(cause, OSError):
        return os_reason(cause)
    return _("the server closed the connection")


def _unreachable_line(config: DeliveryConfig, problem: str, code: int | None) -> str:
    """Why no connection could be opened, ``reconnect_attempts`` tries in a
    row, and what to do: the server answered each with a refusal (``code``:
    its last; 421 busy or limiting this machine, 5xx refusing it), which
    checking SMTP_HOST and SMTP_PORT, as every case was told, does not mend;
    or it could not be reached."""
    where = dict(smtp_host=config.server.host, smtp_port=config.server.port, problem=problem,
                 reconnect_attempts=config.reconnect_attempts)
    if code is not None and 400 <= code < 500:
        return _("the mail server {smtp_host}:{smtp_port} answers but took no connection in {reconnect_attempts} tries ({problem}): it is busy or limits this machine for now; run the same command again later: what was not sent is still queued").format(**where)
    if code is not None and 500 <= code < 600:
        return _("the mail server {smtp_host}:{smtp_port} refuses this machine's connections ({problem}); ask its administrator to let this machine send, then run the same command again: what was not sent is still queued").format(**where)
    return _("cannot reach the mail server {smtp_host}:{smtp_port} ({problem}) after {reconnect_attempts} tries; check SMTP_HOST and SMTP_PORT or --host/--port, then run the same command again: what was not sent is still queued").format(**where)


def _no_greeting(config: DeliveryConfig) -> str:
    """The line for the run's first connection, taken but never greeted in
    greeting_seconds (another program's port, PostgreSQL's 5432): it was
    tried five times, 30 s each, before the run gave up."""
    return _("no mail server answered at {smtp_host}:{smtp_port}: something took the connection but said nothing in {seconds:g} s (DELIVERY greeting_seconds), as a program that is no mail server does; check SMTP_HOST and SMTP_PORT or --host/--port: nothing was sent in this run, and what is queued stays queued").format(
        smtp_host=config.server.host, smtp_port=config.server.port, seconds=config.greeting_seconds)


def _lacking(config: DeliveryConfig, exc: smtplib.SMTPNotSupportedError) -> str:
    """The line for a server that does not offer STARTTLS (SMTP_STARTTLS) or
    a login (SMTP_USER): not a server out of reach, as it was said, five
    tries later, with smtplib's English."""
    if str(exc).startswith("STARTTLS"):
        return _("the mail server {address} does not offer STARTTLS, which SMTP_STARTTLS = True asks for; check SMTP_PORT with the server's administrator (STARTTLS is usually on port 587), then run the same command again: what was not sent is still queued").format(
            address=config.server.address)
    return _("the mail server {address} does not offer a login (SMTP AUTH), which SMTP_USER asks for; check SMTP_PORT and SMTP_STARTTLS with the server's administrator (many servers offer the login only after STARTTLS), then run the same command again: what was not sent is still queued").format(
        address=config.server.address)


def _untrusted(config: DeliveryConfig, exc: ssl.SSLCertVerificationError) -> str:
    """The line for a server whose certificate this machine does not trust
    (a relay's own, self-signed or of the office's own authority; or one
    made for another name than SMTP_HOST): not a server out of reach, as it
    was said after five tries, "(Operation not permitted)"."""
    where = dict(address=config.server.address, reason=os_reason(exc))
    if exc.verify_code in (62, 64):  # X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH
        return _("the mail server {address} answered STARTTLS with a certificate made for another name ({reason}); write as SMTP_HOST (or --host) the name its certificate is made for, which its administrator knows, then run the same command again: what was not sent is still queued").format(**where)
    return _("the mail server {address} answered STARTTLS with a certificate this machine does not trust ({reason}); if the server is the office's own, ask its administrator for the certificate of the authority that signed it and add it to this machine's trusted ones (or set the environment variable SSL_CERT_FILE to it), then run the same command again: what was not sent is still queued").format(**where)


def _crlf(data: bytes) -> bytes:
    """SMTP's line ends; the bundles already write them, and counting is
    much cheaper than rewriting."""
    return data if data.count(b"\n") == data.count(b"\r\n") else _LINE_ENDS.sub(b"\r\n", data)


def envelope_address(address: str) -> str:
    """The address of MAIL FROM or RCPT TO in <>, as smtplib's quoteaddr
    writes it; a plain one without parsing it again (email.utils.parseaddr
    cost more than the rest of the command)."""
    return f"<{address}>" if _PLAIN_ADDRESS.fullmatch(address) else smtplib.quoteaddr(address)


def _pipelined_commands(sender: str, recipient: str, options: list[str], last: str) -> str:
    """MAIL FROM and RCPT TO of one message and ``last`` (DATA, or BDAT n LAST), to go in one write."""
    return f"MAIL FROM:{envelope_address(sender)}{_options(options)}\r\nRCPT TO:{envelope_address(recipient)}\r\n{last}\r\n"


def _options(options: list[str]) -> str:
    return "".join(f" {option}" for option in options)


def data_payload(message: bytes) -> bytes:
    """What goes after DATA's 354 (RFC 5321 4.5.2), as smtplib's data() sends
    it: a dot at a line's start doubled, a last CRLF, then ".CRLF"; with
    bytes.replace, where smtplib ran a regular expression over every line."""
    stuffed = message.replace(b"\n.", b"\n..")
    if stuffed.startswith(b"."):
        stuffed = b"." + stuffed
    return stuffed + (b".\r\n" if stuffed.endswith(b"\r\n") else b"\r\n.\r\n")


def _text(raw) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
