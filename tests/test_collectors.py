"""Several collectors on one store (SPEC §15): three ``sotong serve``
processes on PostgreSQL, answers with one survey token racing over real
HTTP from many clients at once; exactly one is taken (303), every other gets
409, and the store holds one response; a consultation's answer sent to two
collectors keeps its opinion once. A double tap on 신청하기 or 링크
보내기 whose two requests a load balancer sends to two collectors mails
once, a burst of sign-ups at two collectors mails each confirmation once,
and a client's (or a reader's) requests racing at two collectors are taken
SUBSCRIBE_RATE times in all, on SQLite and on PostgreSQL."""

from __future__ import annotations

import http.client
import re
import subprocess
import sys
import threading
import time
from contextlib import ExitStack, contextmanager
from urllib.parse import urlencode

from delivery_support import SMTPServer, add_subscribers
from project_support import all_at_once, new_store_location, project_on, store_of, store_query
from survey.rules import survey_token
from test_hostile_collector import SAVE
from test_subscriptions import SIGNUP, Inbox

from sotong.store import Store, Subscriber
from sotong.tokens import make_token

BUDGET = "budget-vote-2027"
CONSULTATION = "village-bus-2027"
ANSWER = {"dong": "성수동", "projects": ["반려견 놀이터 조성"], "satisfaction": "4", "proposal": "벤치"}
RACERS = 12
RATE = 5  # SUBSCRIBE_RATE's count an hour in the races below


@contextmanager
def started(settings):
    """One ``sotong serve`` process on a free port: (process, port); stopped
    at the end unless it was killed."""
    process = subprocess.Popen([sys.executable, "-m", "sotong", "serve", "--port", "0", "-s", str(settings)],
                               stderr=subprocess.PIPE, text=True)
    try:
        port = int(re.search(r"http://127\.0\.0\.1:(\d+)", process.stderr.readline()).group(1))
        yield process, port
    finally:
        if process.poll() is None:
            process.terminate()
        process.wait(10)
        process.stderr.close()


@contextmanager
def collector(settings):
    """One ``sotong serve`` process on a free port; its port."""
    with started(settings) as (_process, port):
        yield port


def post(port: int, path: str, body: bytes) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("POST", path, body=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
        return connection.getresponse().status
    finally:
        connection.close()


def test_racing_answers_with_one_token_across_three_collectors_are_taken_once(tmp_path):
    project = project_on(new_store_location("postgresql", tmp_path), tmp_path)
    add_subscribers(store_of(project), 1)  # S00001: a named survey answers readers on record
    body = urlencode({"t": survey_token(BUDGET, "S00001"), **ANSWER}, doseq=True).encode()
    with ExitStack() as stack:
        ports = [stack.enter_context(collector(project / "pelicanconf.py")) for _ in range(3)]
        start = threading.Barrier(RACERS)
        statuses = []

        def racer(port: int) -> None:
            start.wait()
            statuses.append(post(port, f"/surveys/{BUDGET}", body))

        threads = [threading.Thread(target=racer, args=(ports[n % 3],)) for n in range(RACERS)]
        all_at_once(threads, 60)
    assert sorted(statuses) == [303] + [409] * (RACERS - 1)
    assert store_query(project, "SELECT count(*) FROM survey_responses") == [(1,)]
    assert store_query(project, "SELECT count(*) FROM survey_tokens_used") == [(1,)]


def test_racing_opinions_with_one_token_at_two_collectors_are_kept_once(tmp_path, store_location):
    """A consultation (SPEC §16) keeps each answer's opinions with the
    participant's profile, in the response's transaction: a tap sent twice,
    each taken by another collector, is one answer (303, then 409) and one
    opinion, not the same opinion twice in the office's record."""
    project = project_on(store_location, tmp_path, 'SOTONG_TODAY = "2026-12-15"\n')
    store = Store.open(store_of(project))
    store.put_subscriber(Subscriber(id="S00001", email="tong@example.org", birth_year=1958, gender="F", dong="majang",
                                    channels=frozenset({"email"}), groups=frozenset({"org-tongjang"})))
    store.close()
    form = {"t": survey_token(CONSULTATION, "S00001"), "support": "2", "opinion": "정류장을 시장 앞으로 옮겨 주세요"}
    with ExitStack() as stack:
        ports = [stack.enter_context(collector(project / "pelicanconf.py")) for _ in range(2)]
        statuses = [status for _path, status in race(ports, [(f"/surveys/{CONSULTATION}", form)] * RACERS)]
    assert sorted(statuses) == [303] + [409] * (RACERS - 1)
    assert store_query(project, "SELECT subscriber_id, gender, dong, age_band, opinion FROM survey_opinions") == [
        ("S00001", "F", "majang", "60대", form["opinion"])]
    assert store_query(project, "SELECT count(*) FROM survey_responses") == [(1,)]


def test_a_double_tap_sent_to_two_collectors_mails_once(tmp_path, store_location):
    """링크 보내기 tapped twice, each tap taken by another collector behind
    the load balancer, mailed the link twice (each collector remembered only
    the links it had mailed); a sign-up tapped twice so mails once too. The
    link is mailed again to another reader, and a double tap's second
    answer is the first one's."""
    inbox = Inbox()
    with SMTPServer(inbox) as smtp:
        project = project_on(store_location, tmp_path, f"SMTP_PORT = {smtp.port}\n")
        add_subscribers(store_of(project), 2)
        # addresses a form takes (/p/link refuses what is no address: mail.test is a special-use name)
        store_query(project, "UPDATE subscribers SET email = lower(id) || '@example.com'")
        reader, other = [address for (address,) in store_query(project, "SELECT email FROM subscribers ORDER BY id")]
        with ExitStack() as stack:
            ports = [stack.enter_context(collector(project / "pelicanconf.py")) for _ in range(2)]
            taps = [(port, "/p/link", {"email": address}) for port, address in zip(ports, (reader, reader.upper()))]
            taps += [(port, "/subscribe", SIGNUP) for port in ports] + [(ports[1], "/p/link", {"email": other})]
            for port, path, fields in taps:
                assert post(port, path, urlencode(fields, doseq=True).encode()) == 303
                time.sleep(0.3)  # the first tap's mail is queued before the second comes
            inbox.wait_for(3)
            time.sleep(1)  # a second mail would be on its way by now
    assert sorted(recipient for recipient, _ in inbox.messages) == sorted([reader, other, SIGNUP["email"]])
    stored = store_query(project, "SELECT * FROM subscriptions_links_mailed")
    assert len(stored) == 2 and not any(reader in str(row) or "S0000" in str(row) for row in stored)


def race(ports: list[int], requests: list[tuple[str, dict]]) -> list[tuple[str, int]]:
    """The (path, form) ``requests`` sent at once, by turns to each collector
    of ``ports``: (path, status) of each."""
    start, answers = threading.Barrier(len(requests)), []

    def racer(port: int, path: str, fields: dict) -> None:
        body = urlencode(fields, doseq=True).encode()
        start.wait()
        answers.append((path, post(port, path, body)))

    threads = [threading.Thread(target=racer, args=(ports[n % len(ports)], *request))
               for n, request in enumerate(requests)]
    all_at_once(threads, 60)
    return answers


def test_a_clients_requests_racing_at_two_collectors_are_taken_at_its_rate_once(tmp_path, store_location):
    """SUBSCRIBE_RATE was counted in each collector's memory, so behind a
    load balancer a client had its limit once per collector. Sign-ups and
    link requests from one address sent at once, half to each of two
    collectors, are taken RATE times in all (the last slot to one of them
    only), the others 429; each sign-up taken is stored, and the count kept
    in the store names no address in clear."""
    with SMTPServer(Inbox()) as smtp:
        project = project_on(store_location, tmp_path, f"SMTP_PORT = {smtp.port}\nSUBSCRIBE_RATE = '{RATE}/hour'\n")
        requests = [("/subscribe", {**SIGNUP, "email": f"r{n}@example.com"}) if n % 3 else
                    ("/p/link", {"email": f"nobody{n}@example.com"}) for n in range(RACERS)]
        with ExitStack() as stack:
            ports = [stack.enter_context(collector(project / "pelicanconf.py")) for _ in range(2)]
            answers = race(ports, requests)
            assert {status for _, status in race(ports, requests[:2])} == {429}  # still over, at either collector
    taken = [path for path, status in answers if status == 303]
    assert sorted(status for _, status in answers) == [303] * RATE + [429] * (RACERS - RATE), answers
    assert store_query(project, "SELECT count(*) FROM subscriptions_pending") == [(taken.count("/subscribe"),)]
    stored = store_query(project, "SELECT * FROM subscriptions_rate")
    assert len(stored) == RATE and not any("127.0.0.1" in str(row) for row in stored)


def test_a_readers_codes_racing_at_two_collectors_are_sent_at_the_rate_once(tmp_path, store_location):
    """A reader's own link saving a new phone number at once on two
    collectors (each save sends a code) sends RATE codes in all, the other
    saves 429 with nothing changed."""
    project = project_on(store_location, tmp_path, f"SUBSCRIBE_RATE = '{RATE}/hour'\n")
    add_subscribers(store_of(project), 1)
    store_query(project, "UPDATE subscribers SET email = lower(id) || '@example.com'")
    path = "/p/" + make_token("preferences", "S00001")
    requests = [(path, {**SAVE, "phone": f"010-9999-{n:04d}"}) for n in range(RACERS)]
    with ExitStack() as stack:
        ports = [stack.enter_context(collector(project / "pelicanconf.py")) for _ in range(2)]
        answers = race(ports, requests)
    assert sorted(status for _, status in answers) == [303] * RATE + [429] * (RACERS - RATE), answers
    assert store_query(project, "SELECT count(*) FROM subscriptions_pending WHERE purpose = 'phone'") == [(RATE,)]


def test_a_burst_of_sign_ups_at_two_collectors_mails_each_confirmation_once(tmp_path, store_location):
    """Each collector's mail thread read the whole queue of the store, so in
    a burst both handed the same confirmation mails over (150 mails for 90
    sign-ups): a batch is claimed before it is sent, and each goes once."""
    inbox = Inbox()
    with SMTPServer(inbox) as smtp:
        project = project_on(store_location, tmp_path, f"SMTP_PORT = {smtp.port}\nSUBSCRIBE_RATE = '1000/hour'\n")
        with ExitStack() as stack:
            ports = [stack.enter_context(collector(project / "pelicanconf.py")) for _ in range(2)]
            for burst in range(3):
                race(ports, [("/subscribe", {**SIGNUP, "email": f"r{burst}-{n}@example.com"}) for n in range(30)])
            inbox.wait_for(90)
            time.sleep(1)  # a second mail would be on its way by now
    recipients = [recipient for recipient, _ in inbox.messages]
    assert len(recipients) == 90 and len(set(recipients)) == 90
    assert store_query(project, "SELECT count(*) FROM subscriptions_mail") == [(0,)]
