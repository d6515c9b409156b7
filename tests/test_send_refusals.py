"""``sotong send`` against a real aiosmtpd server whose answers are about the
whole run, not one message: a refusal of the sender every message meets
(Amazon SES's "554 Message rejected: Email address is not verified", a
sender address rejected), a server limiting the rate, a greylisting server.
The run stops or waits as an operator expects, nothing is lost and nothing
goes twice."""

from __future__ import annotations

import gc
import re
import time
from collections import Counter
from pathlib import Path

import pytest
from project_support import invoke_sotong, project_on, store_of
from delivery_support import ScriptedHandler, SMTPServer, add_subscribers, address_of, make_outbox
from delivery.rules import REFUSALS_IN_A_ROW
from test_send import ISSUE, NOTICES, journal

# backoff in hundredths of a second; "try later" waited for at most 1 s (DELIVERY try_later_seconds)
FAST = ('DELIVERY = {"backoff_seconds": 0.02, "backoff_max_seconds": 0.1, "timeout_seconds": 5, "max_attempts": 3, '
        '"try_later_seconds": 1}\nSEND_RATE = 2000\n')
ONE_CONNECTION = FAST.replace('"max_attempts": 3', '"max_attempts": 3, "connections": 1')
SES = ("554 Message rejected: Email address is not verified. The following identities failed the check in region "
       "AP-NORTHEAST-2: sotong@sd.go.kr")


@pytest.fixture
def project(tmp_path, store_location) -> Path:
    """The sample project, once on SQLite and once on PostgreSQL."""
    return project_on(store_location, tmp_path, FAST)


def send(project: Path, port: int, env: dict | None = None):
    return invoke_sotong(None, "send", "--issue", ISSUE, "--host", "127.0.0.1", "--port", str(port),
                         "-s", str(project / "pelicanconf.py"), env=env)


def readers(project: Path, count: int) -> list[str]:
    ids = add_subscribers(store_of(project), count)
    make_outbox(project / "private" / "outbox", ISSUE, ids, NOTICES)
    return ids


def states(project: Path) -> Counter:
    return Counter(row["state"] for row in journal(project).values())


def last_line(output: str) -> str:
    return [line for line in output.splitlines() if line.strip()][-1]


@pytest.mark.parametrize("where, answer, said", [
    ("refuse_data", SES,
     "have the sender sotong@sd.go.kr (MAIL_FROM) and the domain of BOUNCE_ADDRESS verified with the mail service"),
    ("refuse", "554 5.7.1 <{address}>: Sender address rejected: Access denied",
     "check MAIL_FROM and BOUNCE_ADDRESS in the settings: the server takes no mail from the sender"),
    ("refuse_data", "550 5.7.1 Relaying denied",
     "ask the administrator of 127.0.0.1:{port} to let this machine relay mail"),
], ids=["ses-not-verified", "sender-rejected-at-rcpt", "relaying-denied-at-data"])
def test_a_refusal_of_the_sender_every_message_meets_stops_the_run_and_a_rerun_sends_each_once(project, where,
                                                                                               answer, said):
    """Every reader of an issue was failed for good, one refusal each, when
    the server refused the sender: the office fixed it, and the next run
    found nothing left to send. Now a few refusals alike in a row stop the
    run in one line (the server's answer, what to fix), with a non-zero
    exit; none is failed, and once fixed the next run sends each reader once."""
    ids = readers(project, 40)
    handler = ScriptedHandler()
    getattr(handler, where).update({address_of(i): answer.format(address=address_of(i)) for i in ids})
    with SMTPServer(handler) as server:
        stopped = send(project, server.port)
        refused = handler.datas if where == "refuse_data" else sum(1 for _ in handler.pipelined)
        left = states(project)
        getattr(handler, where).clear()  # the office had the sender verified, or the relay let it through
        gc.collect()
        again = send(project, server.port)
    assert stopped.code == 1, stopped.output
    line = last_line(stopped.output)
    shown = answer.replace("<{address}>", "<주소>").replace("sotong@sd.go.kr", "<주소>")  # no address in a line
    assert line.startswith(f"the mail server 127.0.0.1:{server.port} refused ")
    assert f"emails in a row with the same answer, which is about the sender, not the readers: {shown}; " in line
    assert said.format(port=server.port) in line and "Emails:" not in stopped.output
    assert line.endswith(", then run the same command again: nothing more was sent, and 40 emails not sent are "
                         "still queued, those it refused among them")
    assert REFUSALS_IN_A_ROW <= refused < 40, "it stopped a few messages in, not at the first nor after all"
    assert left == {"queued": 40}, left  # none failed, none sent
    assert again.code == 0 and "Emails: 40 sent, 0 failed, 0 deferred" in again.output, again.output
    assert handler.accepted_counts() == {address_of(i): 1 for i in ids}


def test_the_stop_is_said_in_korean(project):
    ids = readers(project, 6)
    handler = ScriptedHandler()
    handler.refuse_data.update({address_of(i): SES for i in ids})
    with SMTPServer(handler) as server:
        stopped = send(project, server.port, env={"SOTONG_LANG": "ko"})
    assert stopped.code == 1
    line = last_line(stopped.output)
    assert line.startswith(f"메일 서버(127.0.0.1:{server.port})가 메일 ")
    assert "통을 잇달아 같은 답으로 거절했습니다. 구독자가 아니라 보내는 쪽의 문제입니다: 554 Message rejected: Email address" in line
    assert "보내는 주소(sotong@sd.go.kr, MAIL_FROM)와 BOUNCE_ADDRESS의 도메인을 메일 서비스에서 인증받으세요" in line
    assert line.endswith("그런 뒤 같은 명령을 다시 실행하세요. 더 보낸 것은 없고, 보내지 못한 6통(이렇게 거절된 것 포함)은 그대로 남아 있습니다")


def test_a_run_whose_every_answer_was_that_refusal_stops_though_fewer_came(project):
    """Two readers left, both refused the same way about the sender, and
    nothing else answered: every message met it, so they stay queued."""
    ids = readers(project, REFUSALS_IN_A_ROW - 1)
    handler = ScriptedHandler()
    handler.refuse_data.update({address_of(i): SES for i in ids})
    with SMTPServer(handler) as server:
        stopped = send(project, server.port)
    assert stopped.code == 1 and f"refused {len(ids)} emails in a row with the same answer" in last_line(stopped.output)
    assert states(project) == {"queued": len(ids)}


def test_refusals_about_each_reader_fail_them_and_the_run_goes_on(project):
    """550 5.1.1 user unknown, ten in a row and alike but for the address,
    is about each reader: they fail, the others are sent, as before."""
    ids = readers(project, 16)
    handler = ScriptedHandler()
    handler.refuse.update({address_of(i): f"550 5.1.1 <{address_of(i)}>: Recipient address rejected: User unknown"
                           for i in ids[:10]})
    with SMTPServer(handler) as server:
        result = send(project, server.port)
    assert result.code == 1 and "Emails: 6 sent, 10 failed, 0 deferred" in result.output, result.output
    assert states(project) == {"failed": 10, "sent": 6}
    assert handler.accepted_counts() == {address_of(i): 1 for i in ids[10:]}


def test_sender_refusals_that_an_acceptance_breaks_are_about_their_messages(tmp_path, store_location):
    """Two refusals about the sender, then a message taken (one connection,
    in order): the server does not refuse the run's sender; the two fail
    with their answer, held no longer, and the run goes on."""
    project = project_on(store_location, tmp_path, ONE_CONNECTION)
    ids = readers(project, 6)
    handler = ScriptedHandler()
    handler.refuse_data.update({address_of(i): SES for i in ids[:REFUSALS_IN_A_ROW - 1]})
    with SMTPServer(handler) as server:
        result = send(project, server.port)
    assert result.code == 1 and "Emails: 4 sent, 2 failed, 0 deferred" in result.output, result.output
    rows = journal(project)
    assert [rows[(i, "email")]["state"] for i in ids] == ["failed", "failed", "sent", "sent", "sent", "sent"]
    assert rows[(ids[0], "email")]["answer_text"].startswith("Message rejected: Email address is not verified")


class RateLimiting(ScriptedHandler):
    """Answers RCPT ``answer`` ``times`` times (None: always), whoever the reader, then takes mail."""

    def __init__(self, answer: str, times: int | None, **options):
        super().__init__(**options)
        self.answer, self.times, self.limited = answer, times, 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            if self.times is None or self.limited < self.times:
                self.limited += 1
                return self.answer
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)


@pytest.mark.parametrize("answer", ["451 4.7.1 Rate limit exceeded, try again later",
                                    "421 4.7.0 Too many messages, slow down"])
def test_a_server_limiting_the_rate_pauses_and_slows_the_run_and_every_message_goes(project, answer):
    """A rate limit said to message after message was a deferral of each
    (tries seconds apart, all in the limit's window): the run ended with
    readers deferred. Now the whole run pauses, goes on slower, and sends
    every message once."""
    ids = readers(project, 30)
    handler = RateLimiting(answer, times=12)
    with SMTPServer(handler) as server:
        result = send(project, server.port)
    assert result.code == 0, result.output
    assert "Emails: 30 sent, 0 failed, 0 deferred" in result.output
    assert "; the mail server limited the rate: the run paused " in result.output
    assert "emails a second (if it says so at every run, write SEND_RATE = " in result.output
    assert handler.limited == 12 and handler.accepted_counts() == {address_of(i): 1 for i in ids}
    assert states(project) == {"sent": 30}


def test_a_rate_limit_that_does_not_lift_stops_the_run_saying_how_many_are_left(project):
    """Bounded: once the pauses pass try_later_seconds with nothing taken,
    the run stops in one line saying how many wait and that a re-run sends
    them; none is failed, and the next run sends each once."""
    ids = readers(project, 20)
    handler = RateLimiting("451 4.7.1 Rate limit exceeded, try again later", times=None)
    with SMTPServer(handler) as server:
        started = time.monotonic()
        stopped = send(project, server.port)
        took = time.monotonic() - started
        left = states(project)
        handler.times = 0  # the limit lifted
        gc.collect()
        again = send(project, server.port)
    assert stopped.code == 1, stopped.output
    line = last_line(stopped.output)
    assert line.startswith(f"the mail server 127.0.0.1:{server.port} kept limiting how fast this machine sends (451 "
                           "4.7.1 Rate limit exceeded, try again later): the run paused 1 s in all (DELIVERY "
                           "try_later_seconds), slowing to "), line
    assert "then stopped; 20 emails are still queued, and running the same command again later sends them" in line
    assert 0.8 < took < 30, took  # it waited its second of pauses, not each message's tries
    assert set(left) <= {"queued", "deferred"} and sum(left.values()) == 20, left
    assert again.code == 0 and "Emails: 20 sent, 0 failed, 0 deferred" in again.output, again.output
    assert handler.accepted_counts() == {address_of(i): 1 for i in ids}


class Greylisting(ScriptedHandler):
    """Postgrey: a reader's first tries are answered 450 "Greylisted" until
    ``wait`` seconds have passed since the first; then the mail is taken.
    (Not ScriptedHandler's ``delay``, its time to think before answering each DATA.)"""

    def __init__(self, wait: float, **options):
        super().__init__(**options)
        self.wait = wait
        self.first: dict[str, float] = {}
        self.tries: Counter = Counter()
        self.answer = ("450 4.2.0 <{address}>: Recipient address rejected: Greylisted, see "
                       "http://postgrey.schweikert.ch/help/mail.test.html")

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        now = time.monotonic()
        with self.lock:
            self.tries[address] += 1
            if now - self.first.setdefault(address, now) < self.wait:
                return self.answer.format(address=address)
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)


def test_greylisted_readers_are_tried_again_after_the_wait_and_sent_in_the_same_run(project):
    """The tries of a run came hundredths of a second apart (backoff), all
    inside the greylisting's delay: every greylisted reader ended the run
    deferred. Now the second try comes after the wait, and goes."""
    ids = readers(project, 8)
    handler = Greylisting(wait=0.5)
    with SMTPServer(handler) as server:
        result = send(project, server.port)
    assert result.code == 0, result.output
    assert "Emails: 8 sent, 0 failed, 0 deferred" in result.output
    assert ("; 8 that the server answered 'try later' (greylisting) were tried again after a wait, and 8 of them "
            "went.") in result.output
    assert handler.tries == {address_of(i): 2 for i in ids}  # once greylisted, once taken
    assert handler.accepted_counts() == {address_of(i): 1 for i in ids}
    assert {(row["state"], row["attempts"]) for row in journal(project).values()} == {("sent", 2)}


def test_greylisting_longer_than_the_run_waits_leaves_them_deferred_for_the_next_run(project):
    """Bounded: the wait at the end is at most try_later_seconds; what the
    server still greylists then stays deferred, the summary says so, and the
    next run sends each once."""
    ids = readers(project, 4)
    handler = Greylisting(wait=3600)
    with SMTPServer(handler) as server:
        started = time.monotonic()
        first = send(project, server.port)
        took = time.monotonic() - started
        deferred = states(project)
        handler.wait = 0  # the greylisting's wait has passed
        gc.collect()
        second = send(project, server.port)
    assert first.code == 1 and took < 30, (took, first.output)
    assert "Emails: 0 sent, 0 failed, 4 deferred" in first.output
    assert "4 that the server answered 'try later' (greylisting) were tried again after a wait, and 0 of them went" \
        in first.output
    assert "deferred ones are retried by running this command again later." in first.output
    assert deferred == {"deferred": 4}
    assert second.code == 0 and "Emails: 4 sent" in second.output, second.output
    assert handler.accepted_counts() == {address_of(i): 1 for i in ids}


def test_a_greylisting_server_that_names_its_wait_is_tried_again_after_it_and_the_wait_is_said(tmp_path,
                                                                                                 store_location):
    """"451 4.7.1 Greylisted, please try again in 10 seconds": the next try
    comes after that (and a second more), not after try_later_seconds; a
    wait at the run's end that long is said, not left to a still progress bar
    (how long is left when it is said depends on the machine's load: the
    wait is long enough to be said on a busy one)."""
    project = project_on(store_location, tmp_path, FAST.replace('"try_later_seconds": 1', '"try_later_seconds": 60'))
    ids = readers(project, 2)
    handler = Greylisting(wait=10)
    handler.answer = "451 4.7.1 Greylisted, please try again in 10 seconds"
    with SMTPServer(handler) as server:
        started = time.monotonic()
        result = send(project, server.port)
        took = time.monotonic() - started
    assert result.code == 0 and "Emails: 2 sent, 0 failed, 0 deferred" in result.output, result.output
    said = re.search(r"waiting (\d+) s to try again 2 emails the mail server said to try later \(greylisting\)",
                     result.output)
    assert said and 5 <= int(said[1]) <= 11, result.output
    assert 11 <= took < 40, took
    assert handler.tries == {address_of(i): 2 for i in ids}
