"""``sotong serve`` against hostile use: it refuses to serve beyond this
machine with the public development key or a short one (and reads the
links of a changed key's mails while the previous key is set), and slow or idle clients
(slowloris) over real sockets cannot keep ``/healthz`` from answering; a
body refused while it is still arriving (20 MB, past waitress's own limit)
is read and dropped after the refusal, so that its sender reads the 413
rather than a reset, and only for as long and as much as the limits say."""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest
from project_support import copy_project, running_server, serving
from processes import stop_process

from sotong.project import Project
from sotong.tokens import DEV_SECRET, make_token
from sotong.web import ConnectionLimits, is_loopback, make_app


@pytest.fixture
def project(tmp_path) -> Path:
    return copy_project(tmp_path)


def environment(secret: str | None, previous: str | None = None) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in ("SOTONG_SECRET", "SOTONG_PREVIOUS_SECRET")}
    if secret is not None:
        env["SOTONG_SECRET"] = secret
    if previous is not None:
        env["SOTONG_PREVIOUS_SECRET"] = previous
    return env


@contextmanager
def sotong_serve(project: Path, host: str, secret: str | None, warned: bool | None = None,
                 previous: str | None = None):
    """``sotong serve --host HOST --port 0`` as a subprocess; yields (port,
    stderr lines so far: the warning too when ``warned``, by default without a secret)."""
    process = subprocess.Popen([sys.executable, "-m", "sotong", "serve", "--host", host, "--port", "0",
                                "-s", str(project / "pelicanconf.py")],
                               cwd=project, env=environment(secret, previous), stderr=subprocess.PIPE, text=True)
    try:
        announced = process.stderr.readline()
        port = int(re.search(r"Serving on http://[^ ]+:(\d+)", announced).group(1))
        lines = [announced]
        if secret is None if warned is None else warned:
            lines.append(process.stderr.readline())
        yield port, lines
    finally:
        stop_process(process)
        process.stderr.close()


def healthz_seconds(port: int, timeout: float = 5.0) -> float:
    """How long a fresh GET /healthz takes to answer 200 (pytest fails on a timeout)."""
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", "/healthz")
        response = connection.getresponse()
        assert (response.status, response.read()) == (200, b"ok")
    finally:
        connection.close()
    return time.monotonic() - started


# --- the signing key -----------------------------------------------------------------


@pytest.mark.parametrize("secret", [None, "", DEV_SECRET])
def test_serve_refuses_a_public_address_without_the_secret(project, secret):
    completed = subprocess.run([sys.executable, "-m", "sotong", "serve", "--host", "0.0.0.0", "--port", "0",
                                "-s", str(project / "pelicanconf.py")],
                               cwd=project, env=environment(secret), capture_output=True, text=True, timeout=60)
    assert completed.returncode == 1
    lines = completed.stderr.splitlines()
    assert len(lines) == 1 and "SOTONG_SECRET is not set" in lines[0] and "export SOTONG_SECRET=" in lines[0]
    assert "Traceback" not in completed.stderr and "Serving on" not in completed.stderr


def test_serve_on_loopback_without_the_secret_warns_loudly(project):
    with sotong_serve(project, "127.0.0.1", None) as (port, lines):
        assert lines[1].startswith("WARNING: SOTONG_SECRET is not set") and "DEVELOPMENT key" in lines[1]
        assert healthz_seconds(port) < 5


def test_serve_refuses_a_public_address_with_a_short_secret(project):
    """A key such as the office's name is guessed offline from one unsubscribe link."""
    completed = subprocess.run([sys.executable, "-m", "sotong", "serve", "--host", "0.0.0.0", "--port", "0",
                                "-s", str(project / "pelicanconf.py")],
                               cwd=project, env=environment("seongdong-gu-2026"), capture_output=True, text=True,
                               timeout=60)
    assert completed.returncode == 1 and "Serving on" not in completed.stderr
    assert completed.stderr.splitlines() == [
        "SOTONG_SECRET is 17 characters long; a key shorter than 32 can be guessed from a single link, and then "
        "every link forged; set a random key, made once and kept: "
        "export SOTONG_SECRET=$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"]


def test_serve_on_loopback_with_a_short_secret_warns(project):
    with sotong_serve(project, "127.0.0.1", "seongdong-gu-2026", warned=True) as (port, lines):
        assert lines[1].startswith("WARNING: SOTONG_SECRET is 17 characters long")
        assert lines[1].endswith("; for development on this machine only\n")
        assert healthz_seconds(port) < 5


def test_serve_with_the_secret_listens_anywhere_without_warning(project):
    with sotong_serve(project, "0.0.0.0", "an office secret, long enough: 32+") as (port, lines):
        assert healthz_seconds(port) < 5
        assert len(lines) == 1


def test_a_changed_key_keeps_the_links_already_sent_while_the_previous_one_is_set(project):
    """The office changes SOTONG_SECRET: the unsubscribe links of mails
    already sent still open while SOTONG_PREVIOUS_SECRET holds the old key,
    and get 403 once it is removed; a key never the office's gets 403."""
    old, new = "the office's key before the change, 32+", "the office's key after the change, 32+"
    links = {signer: "/u/" + make_token("unsubscribe", "S000123", signer.encode())
             for signer in (old, new, "a key that was never the office's, 32+")}
    with sotong_serve(project, "0.0.0.0", new, previous=old) as (port, _lines):
        assert [status(port, link) for link in links.values()] == [200, 200, 403]
    with sotong_serve(project, "0.0.0.0", new) as (port, _lines):
        assert [status(port, link) for link in links.values()] == [403, 200, 403]


def status(port: int, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


@pytest.mark.parametrize("host, loopback", [
    ("127.0.0.1", True), ("127.8.0.1", True), ("localhost", True), ("::1", True), ("[::1]", True),
    ("0.0.0.0", False), ("", False), ("::", False), ("192.168.0.10", False), ("sotong.sd.go.kr", False),
])
def test_is_loopback(host, loopback):
    assert is_loopback(host) is loopback


# --- slow and idle clients -------------------------------------------------------------


class Trickler:
    """``count`` connections that each start a request and then send one
    header byte every ``interval`` seconds, never finishing it (slowloris);
    ``idle`` more connections that send nothing at all."""

    def __init__(self, port: int, count: int, idle: int = 0, interval: float = 0.3):
        self.sockets = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(count + idle)]
        self.trickling = self.sockets[:count]
        self.interval = interval
        self.closed_by_server: set[int] = set()
        self.stopping = threading.Event()
        for sock in self.trickling:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        self.thread = threading.Thread(target=self._trickle, daemon=True)
        self.thread.start()

    def _trickle(self):
        while not self.stopping.wait(self.interval):
            for index, sock in enumerate(self.trickling):
                if index not in self.closed_by_server:
                    try:
                        sock.sendall(b"a")
                    except OSError:
                        self.closed_by_server.add(index)

    def close(self):
        self.stopping.set()
        self.thread.join(5)
        for sock in self.sockets:
            sock.close()


def test_healthz_answers_at_once_while_hundreds_of_clients_trickle(project):
    """Waitress's defaults stop accepting at 100 connections, so that 300
    trickling and 100 idle clients kept /healthz waiting for minutes."""
    with sotong_serve(project, "127.0.0.1", "an office secret") as (port, _lines):
        trickler = Trickler(port, count=300, idle=100)
        try:
            for _ in range(3):
                time.sleep(0.5)
                assert healthz_seconds(port) < 2
        finally:
            trickler.close()


def closed_by_server(sock: socket.socket, within: float) -> bool:
    """True when the server closes ``sock`` (EOF or reset) within ``within`` seconds."""
    sock.settimeout(within)
    try:
        return sock.recv(1024) == b""
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def test_a_request_that_trickles_past_its_deadline_is_closed(project):
    """However steadily the bytes come, a request must be whole within
    request_seconds; a connection with nothing to send is closed after idle_seconds."""
    app = make_app(Project(project / "pelicanconf.py"))
    with serving(app, ConnectionLimits(request_seconds=1, idle_seconds=2)) as port:
        trickler = Trickler(port, count=3, idle=1, interval=0.1)
        try:
            started = time.monotonic()
            assert all(closed_by_server(sock, within=4) for sock in trickler.trickling)
            assert time.monotonic() - started < 4
            assert closed_by_server(trickler.sockets[-1], within=4)
            assert healthz_seconds(port) < 2  # a quick client is served as before
        finally:
            trickler.close()


# --- a body refused while it arrives: the lingering close ------------------------------

FAR_TOO_LONG = 20_000_000  # a photo pasted into a form: far past waitress's own limit (4 × MAX_BODY_BYTES)
FORM_HEAD = b"POST /subscribe HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
BODY_CHUNK = b"x" * 65536


def chunked(length: int) -> Iterator[bytes]:
    """``length`` bytes of body in Transfer-Encoding: chunked, 64 KiB a chunk (no last chunk: refused before it)."""
    for _ in range(length // len(BODY_CHUNK)):
        yield b"%x\r\n%s\r\n" % (len(BODY_CHUNK), BODY_CHUNK)


def plain(length: int) -> Iterator[bytes]:
    """``length`` bytes of body, 64 KiB at a time."""
    for _ in range(length // len(BODY_CHUNK)):
        yield BODY_CHUNK
    yield BODY_CHUNK[:length % len(BODY_CHUNK)]


REFUSED_WHILE_ARRIVING = [  # (what, the head, the body's pieces, status, the page's title)
    ("length", FORM_HEAD + b"Content-Length: %d\r\n\r\n" % FAR_TOO_LONG, plain, 413, "보내신 내용이 너무 깁니다"),
    ("chunked", FORM_HEAD + b"Transfer-Encoding: chunked\r\n\r\n", chunked, 413, "보내신 내용이 너무 깁니다"),
    ("broken head", FORM_HEAD + b"a header without its colon\r\nContent-Length: %d\r\n\r\n" % FAR_TOO_LONG, plain,
     400, "요청을 처리할 수 없습니다"),
]


def whole_answer(sock: socket.socket) -> bytes:
    """Everything ``sock`` receives until the server ends its answer."""
    answer = b""
    while chunk := sock.recv(65536):
        answer += chunk
    return answer


@pytest.mark.parametrize("what, head, pieces, status, title", REFUSED_WHILE_ARRIVING,
                         ids=[case[0] for case in REFUSED_WHILE_ARRIVING])
def test_a_client_sending_a_body_it_is_refused_reads_the_refusal(project, what, head, pieces, status, title):
    """A 20 MB POST without Expect: 100-continue: waitress answered and
    closed while the body was still arriving, and the client, still
    sending, got a reset (a browser shows a connection error) and never the
    Korean page. The collector reads and drops the rest after its answer,
    so the client sends it all, then reads the whole page."""
    app = make_app(Project(project / "pelicanconf.py"))
    with serving(app) as port, socket.create_connection(("127.0.0.1", port), timeout=5) as client:
        client.sendall(head)
        for piece in pieces(FAR_TOO_LONG):
            client.sendall(piece)
        answer = whole_answer(client)
    answer_head, _blank, body = answer.partition(b"\r\n\r\n")
    assert re.match(rb"HTTP/1\.[01] %d " % status, answer_head), answer[:200]  # 1.0: a head waitress could not read
    assert int(re.search(rb"\r\nContent-Length: (\d+)", answer_head).group(1)) == len(body)
    assert f"<h1>{title}</h1>" in body.decode("utf-8")


class Sender:
    """Sends ``piece`` on ``sock`` every ``interval`` seconds until the
    server cuts the connection off; ``cut_at`` (time.monotonic()) and
    ``sent`` (bytes) say when and after how much."""

    def __init__(self, sock: socket.socket, piece: bytes, interval: float):
        self.sock, self.piece, self.interval = sock, piece, interval
        self.sent = 0
        self.cut_at: float | None = None
        self.thread = threading.Thread(target=self._send, daemon=True)
        self.thread.start()

    def _send(self):
        try:
            while True:
                self.sock.sendall(self.piece)
                self.sent += len(self.piece)
                time.sleep(self.interval)
        except OSError:
            self.cut_at = time.monotonic()


LINGER = ConnectionLimits(linger_seconds=1)
REFUSED_HEAD = FORM_HEAD + b"Content-Length: %d\r\n\r\n" % FAR_TOO_LONG
PACES = {  # (piece, interval): what bounds the lingering
    "slow": (b"x" * 4096, 0.01),  # 400 KB/s without end: linger_seconds
    "fast": (b"x" * 262144, 0.0),  # as fast as loopback takes it: linger_bytes
}


@pytest.mark.parametrize("pace", PACES)
def test_a_refused_client_that_keeps_sending_is_cut_off_at_the_bound(project, pace):
    """The rest of a refused body is read for ``linger_seconds`` at most
    and ``linger_bytes``, whatever its Content-Length said: a client that
    sends without end, slowly or fast, holds the connection no longer.
    Before the bound it is not cut off (it was, at once): it reads the
    whole answer while it still sends."""
    app = make_app(Project(project / "pelicanconf.py"))
    with serving(app, LINGER) as port, socket.create_connection(("127.0.0.1", port), timeout=5) as client:
        client.sendall(REFUSED_HEAD)
        sender = Sender(client, *PACES[pace])
        answer = whole_answer(client)
        answered = time.monotonic()
        sender.thread.join(15)
    assert answer.startswith(b"HTTP/1.1 413 ") and answer.endswith(b"</html>"), answer[-200:]
    assert sender.cut_at is not None
    lingered = sender.cut_at - answered
    if pace == "fast":
        # the piece being sent when it was cut off is not counted
        assert sender.sent + len(PACES["fast"][0]) >= LINGER.linger_bytes and lingered < 10
    else:
        assert LINGER.linger_seconds * 0.8 <= lingered < LINGER.linger_seconds + 6  # slack for a loaded machine


def test_a_refused_client_that_sends_nothing_more_is_closed_at_the_bound(project):
    """A refused client that neither sends the rest nor closes (it has
    read the answer, or it never will) is closed ``linger_seconds`` after
    the answer, not after the idle limit (15 s): the server's own count of
    its connections says when."""
    app = make_app(Project(project / "pelicanconf.py"))
    with running_server(app, LINGER) as server, \
            socket.create_connection(("127.0.0.1", server.socket.getsockname()[1]), timeout=5) as client:
        client.sendall(REFUSED_HEAD + BODY_CHUNK)
        assert whole_answer(client).startswith(b"HTTP/1.1 413 ")
        answered = time.monotonic()
        while server.active_channels and time.monotonic() < answered + 10:
            time.sleep(0.02)
        lingered = time.monotonic() - answered
    assert not server.active_channels
    assert LINGER.linger_seconds * 0.8 <= lingered < LINGER.linger_seconds + 6  # not the idle limit's 15 s
