"""Several collectors on one store (SPEC §15): three ``sotong serve``
processes on PostgreSQL, answers with one survey token racing over real
HTTP from many clients at once; exactly one is taken (303), every other gets
409, and the store holds one response. A double tap on 신청하기 or 링크
보내기 whose two requests a load balancer sends to two collectors mails
once, on SQLite and on PostgreSQL."""

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
from project_support import new_store_location, project_on, store_of, store_query
from survey.rules import survey_token
from test_subscriptions import SIGNUP, Inbox

BUDGET = "budget-vote-2027"
ANSWER = {"dong": "성수동", "projects": ["반려견 놀이터 조성"], "satisfaction": "4", "proposal": "벤치"}
RACERS = 12


@contextmanager
def collector(settings):
    """One ``sotong serve`` process on a free port; its port."""
    process = subprocess.Popen([sys.executable, "-m", "sotong", "serve", "--port", "0", "-s", str(settings)],
                               stderr=subprocess.PIPE, text=True)
    try:
        port = int(re.search(r"http://127\.0\.0\.1:(\d+)", process.stderr.readline()).group(1))
        yield port
    finally:
        process.terminate()
        process.wait(10)
        process.stderr.close()


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
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert sorted(statuses) == [303] + [409] * (RACERS - 1)
    assert store_query(project, "SELECT count(*) FROM survey_responses") == [(1,)]
    assert store_query(project, "SELECT count(*) FROM survey_tokens_used") == [(1,)]


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
