"""Several collectors on one PostgreSQL store (SPEC §15): three ``sotong
serve`` processes, answers with one survey token racing over real HTTP from
many clients at once; exactly one is taken (303), every other gets 409, and
the store holds one response."""

from __future__ import annotations

import http.client
import re
import subprocess
import sys
import threading
from contextlib import ExitStack, contextmanager
from urllib.parse import urlencode

from delivery_support import add_subscribers
from project_support import new_store_location, project_on, store_of, store_query
from survey.rules import survey_token

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
