"""The long-running pieces ride out a PostgreSQL restart (SPEC §15: a
minor-version upgrade, a failover), on the tests' real server, stopped with
``pg_ctl stop -m fast`` and started again on the same socket while they
run: ``sotong serve`` answers 503 with Retry-After (its Korean page, no
traceback) while the store is down and 200 again after, without being
restarted, and says so once in its log each way, naming no address; a
mail asked for after the restart leaves once; a phone code being handed
over while the store restarted is sent once and leaves the queue at once
(not when its claim lapses, to be sent again); ``sotong subscribers codes
--follow`` keeps running and hands over the codes that come after; and a
``sotong send`` whose store restarts mid-send stops with one line and exit
1, its re-run losing nothing and sending twice only what was in flight."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import time
from collections import Counter
from contextlib import ExitStack
from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from urllib.parse import urlencode

from delivery_support import ScriptedHandler, SMTPServer, add_subscribers, make_outbox
from postgres_server import stopped
from project_support import new_store_location, project_on, store_of, store_query
from test_collectors import race, started
from test_phone_code_texts import by_command, code_file, file_held, machine, queued, readers, texts_in, wait_until
from test_serve import request
from test_subscriptions import SIGNUP, Inbox

from delivery.journal import TAKE_BATCH
from sotong import reconnect
from sotong.group_commit import GroupCommitError
from sotong.project import Project
from sotong.reconnect import Reconnecting, StoreDown
from sotong.store import Store
from sotong.tokens import make_token, unsubscribe_token
from sotong.web import make_app

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
DOWN = "the store (PostgreSQL) does not answer"
BACK = "the store (PostgreSQL) answers again"


def posted(port: int, path: str, fields: dict) -> int:
    """The status of a form posted as a browser would, tried again as the
    collector's Retry-After says while it answers 503 (at most 10 s)."""
    deadline = time.monotonic() + 10
    while True:
        status, headers, _page = request(port, "POST", path, urlencode(fields, doseq=True).encode(), FORM)
        if status != 503 or time.monotonic() > deadline:
            return status
        time.sleep(int(headers["Retry-After"]))


def said_once_each(log: str, down: str = DOWN, back: str = BACK) -> None:
    """The log of a process that rode out one restart: it said once that the
    store did not answer (``down``), with PostgreSQL's reason, and once that it
    did again (``back``), and no address."""
    assert log.count(down) == 1 and log.count(back) == 1, log
    assert re.search(re.escape(down) + r"(: [^;\s][^;]*;|\([^)\s][^)]*\))", log), log
    assert "Traceback" not in log and ".s.PGSQL" not in log and "/tmp/" not in log, log


def test_while_the_store_is_down_the_waits_double_up_to_a_bound_and_the_log_says_each_way_once(
        tmp_path, caplog, monkeypatch):
    """Between two tries nothing connects (StoreDown at once, with the time
    left); the waits double from the first up to the longest; the first
    connection once the server is back ends the wait, said once."""
    monkeypatch.setattr(reconnect, "FIRST_WAIT_SECONDS", 0.02)
    monkeypatch.setattr(reconnect, "LONGEST_WAIT_SECONDS", 0.08)
    location = new_store_location("postgresql", tmp_path)
    stores = Reconnecting(lambda: Store.open(location))
    with stores() as store:
        assert store.db.execute("SELECT 1").fetchone() == (1,)
    waits, tries = [], []  # every StoreDown's wait; a try's own (the others: the time left until the next)
    with caplog.at_level(logging.WARNING, "sotong.store"), stopped():
        deadline = time.monotonic() + 10
        while len(tries) < 5:
            assert time.monotonic() < deadline
            try:
                with stores() as store:
                    store.db.execute("SELECT 1")
            except StoreDown as down:
                waits.append(down.retry_after)
                if down.retry_after in (0.02, 0.04, 0.08):
                    tries.append(down.retry_after)
    assert tries == [0.02, 0.04, 0.08, 0.08, 0.08]
    assert all(0 < wait <= 0.08 for wait in waits) and len(waits) > len(tries)  # between tries: no connection
    time.sleep(0.1)
    with caplog.at_level(logging.WARNING, "sotong.store"), stores() as store:
        assert store.db.execute("SELECT 1").fetchone() == (1,)
    said_once_each("\n".join(record.getMessage() for record in caplog.records))


def test_the_collector_answers_503_while_the_store_restarts_and_200_after(tmp_path):
    inbox = Inbox()
    with SMTPServer(inbox) as smtp:
        project = project_on(new_store_location("postgresql", tmp_path), tmp_path,
                             f"SMTP_PORT = {smtp.port}\nSUBSCRIBE_RATE = '100/hour'\n")
        readers = add_subscribers(store_of(project), 8)
        page = f"/p/{make_token('preferences', 'S00001')}"
        one_clicks = [(f"/u/{unsubscribe_token(reader)}", {"List-Unsubscribe": "One-Click"}) for reader in readers]
        with started(project / "pelicanconf.py") as (process, port):
            assert request(port, "GET", page)[0] == 200
            with stopped():
                for _ in range(3):  # each at once, none waiting for a connection of its own
                    began = time.monotonic()
                    status, headers, body = request(port, "GET", page)
                    assert status == 503 and time.monotonic() - began < 2
                    assert 1 <= int(headers["Retry-After"]) <= 8 and "잠시 이용할 수 없습니다" in body, body
                    assert "Traceback" not in body and "PostgreSQL" not in body
                status, headers, body = request(port, "POST", "/subscribe", urlencode(SIGNUP, doseq=True).encode(), FORM)
                assert status == 503 and "Retry-After" in headers
                # one-click unsubscribes at once, one thread writing the others' too (a group commit): each told 503
                assert [status for _path, status in race([port], one_clicks)] == [503] * len(readers)
            wait_until(lambda: request(port, "GET", page)[0] == 200, seconds=10)  # the same process
            assert store_query(project, "SELECT count(*) FROM subscriptions_mail") == [(0,)]  # the 503s took nothing
            assert store_query(project, "SELECT count(*) FROM subscribers WHERE unsubscribed_at IS NOT NULL") == [(0,)]
            assert [status for _path, status in race([port], one_clicks)] == [200] * len(readers)
            assert posted(port, "/subscribe", SIGNUP) == 303
            inbox.wait_for(1)
            time.sleep(0.5)  # a second mail would be on its way by now
            assert [recipient for recipient, _ in inbox.messages] == [SIGNUP["email"]]
            process.terminate()
            log = process.stderr.read()
    said_once_each(log)


def test_a_code_handed_over_while_the_store_restarted_is_sent_once_and_leaves_the_queue(tmp_path):
    """The collector's text thread claimed a code and waits for the code
    file (held) while PostgreSQL restarts: once the file is free it writes
    the code and takes it off the queue on a new connection at once, so
    that no one sends it again when the claim lapses."""
    project = project_on(new_store_location("postgresql", tmp_path), tmp_path, "SUBSCRIBE_RATE = '100/hour'\n")
    [(path, form)] = readers(project, 1)
    with started(machine(project, "a")) as (_process, port):
        with file_held(code_file(project, "a")):
            assert posted(port, path, form) == 303
            wait_until(lambda: queued(project) == [(form["phone"], 1)])  # claimed, being handed over
            with stopped():
                time.sleep(0.2)
        wait_until(lambda: queued(project) == [], seconds=5)
        time.sleep(0.5)
        assert [phone for phone, _code in texts_in(project)["a"]] == [form["phone"]]


def test_codes_follow_keeps_running_through_a_restart(tmp_path):
    """``sotong subscribers codes --follow`` looking each second while
    PostgreSQL restarts goes on: a code asked for after the restart reaches
    its file once, and it says once that the store was gone and once that
    it is back."""
    project, [(first_path, first), (second_path, second)] = by_command(tmp_path, new_store_location("postgresql", tmp_path), 2)
    follower = subprocess.Popen([sys.executable, "-m", "sotong", "subscribers", "codes", "--follow", "-s",
                                 str(machine(project, "c"))], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env={**os.environ, "SOTONG_LANG": "ko"})  # as the operator reads its log
    try:
        with started(machine(project, "a")) as (_process, port):
            assert posted(port, first_path, first) == 303
            wait_until(lambda: texts_in(project)["c"] != [])
            with stopped():
                time.sleep(2.5)  # it looks each second: it finds the store gone
            assert follower.poll() is None
            assert posted(port, second_path, second) == 303
            wait_until(lambda: len(texts_in(project)["c"]) == 2, seconds=15)
        assert follower.poll() is None, "it stopped"
    finally:
        follower.terminate()
        out, err = follower.communicate(timeout=30)
    assert sorted(phone for phone, _ in texts_in(project)["c"]) == sorted([first["phone"], second["phone"]])
    assert follower.returncode == 143 and not queued(project), (out, err)
    said_once_each(err, "저장소(PostgreSQL)가 응답하지 않습니다", "저장소(PostgreSQL)가 다시 응답합니다")


def test_a_send_whose_store_restarts_stops_with_one_line_and_its_rerun_loses_nothing(tmp_path):
    """A ``sotong send`` mid-send when PostgreSQL restarts stops (exit 1)
    with one line saying to run it again; the re-run hands the server every
    message not yet accepted, and only those in flight go twice."""
    project = project_on(new_store_location("postgresql", tmp_path), tmp_path,
                         'DELIVERY = {"timeout_seconds": 10}\nSEND_RATE = 2000\n')
    issue, count = "2026-11-26", 120
    ids = add_subscribers(store_of(project), count)
    folder = make_outbox(project / "private" / "outbox", issue, ids, ["2026-11-21-cold-wave-warning"])
    parse = BytesHeaderParser(policy=default_policy).parsebytes
    message_ids = {parse((folder / "email" / f"{i}.eml").read_bytes())["Message-ID"] for i in ids}
    handler = ScriptedHandler(delay=0.05)
    with SMTPServer(handler) as server:
        command = [sys.executable, "-m", "sotong", "send", "--issue", issue, "--host", "127.0.0.1",
                   "--port", str(server.port), "-s", str(project / "pelicanconf.py")]
        with ExitStack() as stack:
            sending = stack.enter_context(subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                                           text=True))
            wait_until(lambda: handler.datas >= 10)
            with stopped():
                time.sleep(0.5)
            out, err = sending.communicate(timeout=60)
        accepted_before = Counter(message_id for _, message_id in handler.accepted)
        assert sending.returncode == 1, out + err
        assert err.strip().splitlines()[-1].startswith("SOTONG_DB: the PostgreSQL database"), err
        assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
        rerun = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    received = Counter(message_id for _, message_id in handler.accepted)
    assert set(received) == message_ids, "nothing lost"
    twice = {message_id for message_id, n in received.items() if n > 1}
    assert max(received.values()) <= 2 and len(twice) <= 4 * TAKE_BATCH and twice <= set(accepted_before)
    assert len(accepted_before) < count, "the restart came mid-send"


def test_a_request_whose_group_commit_failed_for_the_store_being_down_is_told_503(tmp_path):
    """A one-click unsubscribe written by another thread's group commit
    (sotong.group_commit) learns of the leader's StoreDown as the cause of
    its GroupCommitError: it too is answered 503 and when to come back,
    and anything else 500."""
    project = Project(project_on(new_store_location("postgresql", tmp_path), tmp_path) / "pelicanconf.py")
    app = make_app(project)
    try:
        try:
            raise GroupCommitError("the write of the changes grouped with this one failed") from StoreDown(3.2)
        except GroupCommitError as grouped:
            answer = app.failed(grouped, "POST", "/u/TOKEN")
        assert answer.status_code == 503 and answer.headers["Retry-After"] == "4"
        assert "잠시 이용할 수 없습니다" in answer.get_data(as_text=True)
        try:
            raise GroupCommitError("the write of the changes grouped with this one failed") from ValueError("a bug")
        except GroupCommitError as grouped:
            assert app.failed(grouped, "POST", "/u/TOKEN").status_code == 500
    finally:
        app.close()
