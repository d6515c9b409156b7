"""The collector's server without handoffs (issue #16), over real HTTP: a
one-click unsubscribe is answered on the loop thread that read it, even
while every worker thread is busy, and stored before its 200; the loop never
waits (for the store another thread holds, nor for another process writing
the SQLite file): such a request goes to a worker thread and ``/healthz``
answers meanwhile; an answer made by a worker is sent by it, waking the loop
only when something is left to send (a client that does not read gets the
whole answer all the same); answers of every shape arrive intact; and
start-up's objects are frozen out of the garbage collector."""

from __future__ import annotations

import gc
import logging
import os
import http.client
import socket
import sqlite3
import threading
import time

import pytest
from delivery_support import add_subscribers
from project_support import copy_project, serving, store_query
from waitress.server import TcpWSGIServer
from werkzeug.wrappers import Response

from sotong.group_commit import GroupCommit, WouldWait
from sotong.project import Project
from sotong.tokens import unsubscribe_token
from sotong import web
from sotong.web import make_app

ONE_CLICK = b"List-Unsubscribe=One-Click"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
BIG = b"0123456789abcdef" * 256 * 1024  # 4 MiB: more than the sockets' buffers hold


@pytest.fixture
def collector(tmp_path):
    """(app, project, subscriber ids): the collector of a project with three subscribers."""
    project = copy_project(tmp_path)
    ids = add_subscribers(project / "private" / "sotong.db", 3)
    return make_app(Project(project / "pelicanconf.py")), project, ids


def request(port: int, method: str, path: str, body: bytes | None = None, timeout: float = 10) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=FORM if body is not None else {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def unsubscribed(project) -> set[str]:
    return {row[0] for row in store_query(project, "SELECT id FROM subscribers WHERE unsubscribed_at IS NOT NULL")}


def logged_unsubscribes(project) -> list[str]:
    """The subscribers the consent log says unsubscribed by their link."""
    return [row[0] for row in store_query(
        project, "SELECT DISTINCT subscriber_id FROM consent_log WHERE source = 'unsubscribe-link' ORDER BY 1")]


def in_background(call) -> tuple[threading.Thread, list]:
    """``call()`` in a thread of its own; its result lands in the list."""
    outcome: list = []
    thread = threading.Thread(target=lambda: outcome.append(call()), daemon=True)
    thread.start()
    return thread, outcome


def test_a_one_click_unsubscribe_is_answered_while_every_worker_thread_is_busy(collector):
    app, project, ids = collector
    entered, release = threading.Semaphore(0), threading.Event()

    def blocking(request):
        entered.release()
        release.wait(20)
        return Response("done")

    app.add_route("/blocking", blocking, ["GET"])
    with serving(app) as port:  # four worker threads
        busy = [in_background(lambda: request(port, "GET", "/blocking")) for _ in range(4)]
        try:
            for _ in range(4):
                assert entered.acquire(timeout=10)
            status, body = request(port, "POST", f"/u/{unsubscribe_token(ids[0])}", ONE_CLICK, timeout=5)
            assert status == 200 and "수신 거부".encode() in body
            assert unsubscribed(project) == {ids[0]} and logged_unsubscribes(project) == [ids[0]]
        finally:
            release.set()
            for thread, _ in busy:
                thread.join(10)
    assert [outcome for _, outcome in busy] == [[(200, b"done")]] * 4


def test_the_loop_does_not_wait_for_the_store_another_thread_holds(collector):
    app, project, ids = collector
    with serving(app) as port:
        with app.store():  # held: the POST goes to a worker thread, which waits for it
            posting, answer = in_background(lambda: request(port, "POST", f"/u/{unsubscribe_token(ids[1])}", ONE_CLICK))
            time.sleep(0.3)
            assert request(port, "GET", "/healthz", timeout=3) == (200, b"ok")
            assert answer == [] and unsubscribed(project) == set()
        posting.join(10)
    assert answer[0][0] == 200 and unsubscribed(project) == {ids[1]}
    assert logged_unsubscribes(project) == [ids[1]]


def test_the_loop_does_not_wait_for_another_process_writing_the_store(collector):
    app, project, ids = collector
    with serving(app) as port:
        assert request(port, "POST", f"/u/{unsubscribe_token(ids[0])}", ONE_CLICK)[0] == 200  # the store is open
        other = sqlite3.connect(project / "private" / "sotong.db", isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # another process's write under way
            posting, answer = in_background(lambda: request(port, "POST", f"/u/{unsubscribe_token(ids[2])}", ONE_CLICK))
            time.sleep(0.3)
            assert request(port, "GET", "/healthz", timeout=3) == (200, b"ok")
            assert answer == []
            other.execute("COMMIT")
        finally:
            other.close()
        posting.join(10)
    assert answer[0][0] == 200 and unsubscribed(project) == {ids[0], ids[2]}


def test_a_submit_that_must_not_wait_is_refused_during_a_write_and_leads_otherwise():
    writing, release, applied = threading.Event(), threading.Event(), []

    def apply(items):
        applied.append(list(items))
        if items == ["slow"]:
            writing.set()
            assert release.wait(10)
        return [item.upper() for item in items]

    group = GroupCommit(apply)
    thread, outcome = in_background(lambda: group.submit("slow"))
    assert writing.wait(10)
    with pytest.raises(WouldWait):
        group.submit("fast", wait=False)
    release.set()
    thread.join(10)
    assert outcome == ["SLOW"] and group.submit("fast", wait=False) == "FAST"
    assert applied == [["slow"], ["fast"]]


def trigger_pulls(monkeypatch) -> list:
    """Every wake-up of a server's loop by its threads, from now on."""
    pulls: list = []
    pull = TcpWSGIServer.pull_trigger
    monkeypatch.setattr(TcpWSGIServer, "pull_trigger", lambda server: (pulls.append(1), pull(server)))
    return pulls


def test_a_worker_wakes_the_loop_only_when_something_is_left_to_send(collector, monkeypatch):
    app, _project, _ids = collector
    app.add_route("/big", lambda request: Response(BIG, mimetype="application/octet-stream"), ["GET"])
    pulls = trigger_pulls(monkeypatch)
    with serving(app) as port:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        for _ in range(5):  # one keep-alive connection, each answer sent by its worker at once
            connection.request("GET", "/healthz")
            response = connection.getresponse()
            assert (response.status, response.read()) == (200, b"ok")
        assert pulls == []
        with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
            client.sendall(b"GET /big HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            time.sleep(0.5)  # not reading: the worker cannot send it all, the loop sends the rest
            received = b""
            while not received.endswith(BIG):
                chunk = client.recv(1 << 20)
                assert chunk, "the connection closed before the whole answer"
                received += chunk
        connection.close()
    assert pulls and received.startswith(b"HTTP/1.1 200 OK\r\n")
    assert received.count(b"\r\n\r\n" + BIG) == 1


def test_answers_of_every_shape_arrive_whole(collector):
    app, _project, ids = collector
    app.add_route("/streamed", lambda request: Response(iter([b"one ", b"two ", b"three"])), ["GET"])
    with serving(app) as port:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        answers = []
        for method, path in [("GET", "/streamed"), ("HEAD", "/healthz"), ("GET", "/healthz"), ("GET", "/nowhere"),
                             ("GET", f"/u/{unsubscribe_token(ids[0])}")]:
            connection.request(method, path)
            response = connection.getresponse()
            answers.append((response.status, response.read()))
        connection.close()
    assert answers[:3] == [(200, b"one two three"), (200, b""), (200, b"ok")]
    assert answers[3][0] == 404 and answers[4][0] == 200 and "수신 거부".encode() in answers[4][1]


def test_serve_freezes_start_up_objects_out_of_the_garbage_collector(collector, monkeypatch):
    """A full collection walking start-up's objects stopped the loop, and with it every answer, for tens of ms."""
    app, project, _ids = collector
    monkeypatch.setattr(web._CollectorServer, "run", lambda server: None)  # served, and stopped at once
    gc.unfreeze()
    try:
        web.serve(Project(project / "pelicanconf.py"), "127.0.0.1", 0, 2, announce=lambda line: None)
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()


def test_pipelined_requests_answered_on_the_loop_and_by_workers_come_back_in_order(collector):
    app, project, ids = collector
    posts = b"".join(f"POST /u/{unsubscribe_token(subscriber)} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                     f"{FORM['Content-Type']}\r\nContent-Length: {len(ONE_CLICK)}\r\n\r\n".encode() + ONE_CLICK
                     for subscriber in ids)
    with serving(app) as port, socket.create_connection(("127.0.0.1", port), timeout=10) as client:
        client.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" + posts
                       + b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        received = b""
        while chunk := client.recv(65536):
            received += chunk
    answers = received.split(b"HTTP/1.1 ")[1:]
    assert [answer[:3] for answer in answers] == [b"200"] * 5
    assert answers[0].endswith(b"ok") and answers[-1].endswith(b"ok")
    assert all("수신 거부".encode() in answer for answer in answers[1:4])
    assert unsubscribed(project) == set(ids)


def test_a_closed_collector_holds_no_store_and_no_checkpoint_thread(tmp_path):
    """Once its server has stopped, ``App.close`` closes every connection the
    app opened and stops the thread checkpointing the SQLite file (a server
    started again in the same process, as the tests do, leaked them)."""
    project = copy_project(tmp_path)
    ids = add_subscribers(project / "private" / "sotong.db", 1)
    store = str(project / "private" / "sotong.db")

    def store_files_open() -> int:  # the store's file, its WAL and shared memory, by every connection
        links = (f"/proc/self/fd/{fd}" for fd in os.listdir("/proc/self/fd"))
        return sum(os.readlink(link).startswith(store) for link in links if os.path.islink(link))

    def checkpointing() -> int:
        return sum(thread.name == "sotong-checkpoint" for thread in threading.enumerate())

    gc.collect()
    assert store_files_open() == 0
    checkpointing_before = checkpointing()
    app = make_app(Project(project / "pelicanconf.py"))
    with serving(app) as port:
        assert request(port, "POST", f"/u/{unsubscribe_token(ids[0])}", ONE_CLICK)[0] == 200
        assert store_files_open() > 0 and checkpointing() == checkpointing_before + 1
    assert checkpointing() == checkpointing_before
    assert store_files_open() == 0
    assert unsubscribed(project) == {ids[0]}


def test_only_inline_routes_on_sqlite_are_tried_on_the_loop(collector):
    """PostgreSQL's commit is a round trip and the server's flush: the loop would wait for it."""
    app, project, _ids = collector
    assert app.answers_inline("POST", "/u/TOKEN")
    assert not any(app.answers_inline(method, path) for method, path in
                   [("GET", "/u/TOKEN"), ("POST", "/u"), ("POST", "/subscribe"), ("POST", "/p/TOKEN"), ("GET", "/healthz")])
    on_postgresql = make_app(Project(project / "pelicanconf.py"))
    on_postgresql.settings = {**on_postgresql.settings, "SOTONG_DB": "postgresql://sotong@localhost/sotong"}
    assert not on_postgresql.answers_inline("POST", "/u/TOKEN")


def test_closing_the_collector_stops_the_sign_up_mail_thread_first(tmp_path):
    """A plugin's background thread (the subscriptions plugin's mailer) is
    stopped by ``App.close`` before the store closes: it read a closed or
    deleted store after, and warned every 30 s for the rest of the process."""
    project = copy_project(tmp_path)

    def mailers() -> int:
        return sum(thread.name == "sotong-subscriptions-mail" for thread in threading.enumerate())

    before = mailers()
    app = make_app(Project(project / "pelicanconf.py"))
    with serving(app) as port:
        assert request(port, "GET", "/healthz")[0] == 200
        app.subscriptions.mailer.wake()
        assert mailers() == before + 1
    assert mailers() == before
    app.subscriptions.mailer.wake()  # a closed app's mailer starts no thread again
    assert mailers() == before


def test_an_answer_finished_after_the_server_closed_wakes_nothing_and_logs_no_traceback(caplog):
    """A stop that gave up waiting (Ctrl+C twice, STOP_WAIT_SECONDS past)
    closes the server while a worker still answers; that worker's wake-up
    of the loop wrote to the closed pipe: a traceback in the log (EBADF),
    or a byte into whatever file took the pipe's number since."""
    entered, release = threading.Event(), threading.Event()

    def slow(environ, start_response):
        entered.set()
        release.wait(10)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [BIG]  # more than the socket takes (the client reads nothing): left for the loop to send

    wsgi = web.create_server(slow, "127.0.0.1", 0, threads=1)
    client = socket.create_connection(("127.0.0.1", wsgi.socket.getsockname()[1]))
    client.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    deadline = time.monotonic() + 10
    while not entered.is_set() and time.monotonic() < deadline:
        wsgi.asyncore.loop(timeout=0.05, map=wsgi._map, count=1, use_poll=True)
    assert entered.is_set()
    wsgi.close()
    reader, writer = os.pipe()  # the lowest free numbers: those of the closed trigger's pipe
    try:
        os.set_blocking(reader, False)
        release.set()
        wsgi.task_dispatcher.shutdown(timeout=10)
        with pytest.raises(BlockingIOError):
            os.read(reader, 1)
    finally:
        os.close(reader), os.close(writer), client.close()
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR], caplog.text
