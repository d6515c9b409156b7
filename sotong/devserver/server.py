"""The devserver's HTTP side: the last good build's files, HTML pages with
the reload script (and the problems overlay after a failed build), the site's
own 404 page with status 404, and the server-sent events that name each
build as it ends. Only to a request that names this computer in its Host
(:func:`host_allowed`): a web page elsewhere whose name its owner points at
127.0.0.1 (DNS rebinding) would otherwise read the preview, drafts too, as
a page of its own. An address the site does not have but a draft notice
would (its page, its image) is served from the drafts folder beside the site
(written by the build, see ``write_drafts_for_preview``), a draft's page with
a note at its top saying it is a draft.

``site`` is the build folder's link, which a build switches only once it is
complete, so every request reads the last good build.
"""

from __future__ import annotations

import contextlib
import http.server
import ipaddress
import os
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

from . import page
from .rebuild import Outcome, Rebuilder

KEEPALIVE_SECONDS = 15.0
ANSWER_SECONDS = 10.0  # at most, for the answers under way to be sent before the process starts again


def host_allowed(host: str | None, served_host: str) -> bool:
    """Whether a request whose Host header is ``host`` (None: none sent, as
    no browser does) may read the preview served on ``served_host`` (--host):
    one naming an IP address, localhost, or ``served_host`` itself. Another
    name is a site elsewhere whose owner pointed it at this computer to read
    the preview from a page of theirs (DNS rebinding): a browser lets a page
    read what its own name answers."""
    if host is None:
        return True
    try:
        name = urlsplit(f"//{host.strip()}").hostname
    except ValueError:  # an unclosed [
        return False
    if not name:
        return False
    if name == "localhost" or name.endswith(".localhost") or name == served_host.strip("[]").lower():
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class PreviewServer(http.server.ThreadingHTTPServer):
    """Serves ``site``; ``token`` names this server's run (pages reload after a restart)."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], site: Path, rebuilder: Rebuilder, token: str):
        self.host = address[0]
        self.site = site
        self.rebuilder = rebuilder
        self.token = token
        self._answers = threading.Condition()
        self._answering = 0  # answers under way
        self._closing = False
        super().__init__(address, PreviewHandler)

    @contextlib.contextmanager
    def answering(self):
        """Around each answer but the stream of builds: none begins once the
        process is about to start again (:meth:`finish_answers`), as it would
        be cut off (exec closes its connection) halfway."""
        with self._answers:
            self._answers.wait_for(lambda: not self._closing)  # else waits until exec: its browser asks again
            self._answering += 1
        try:
            yield
        finally:
            with self._answers:
                self._answering -= 1
                self._answers.notify_all()

    def finish_answers(self, timeout: float) -> None:
        """Begin no answer, and let those under way be sent whole (at most
        ``timeout`` seconds: a browser that stopped reading), before the
        process starts again: a page cut off there (its headers sent, not its
        end) had no reload script, and stayed broken after the restart."""
        with self._answers:
            self._closing = True
            self._answers.wait_for(lambda: self._answering == 0, timeout)

    def build_name(self, outcome: Outcome | None) -> str:
        return f"{self.token}-{outcome.number if outcome else 0}"

    def handle_error(self, request, client_address) -> None:
        """One line, not socketserver's traceback; a browser that went away says nothing."""
        error = sys.exc_info()[1]
        if not isinstance(error, ConnectionError):
            print(f"request from {client_address[0]} failed: {type(error).__name__}: {error}", file=sys.stderr)


class PreviewHandler(http.server.SimpleHTTPRequestHandler):
    server: PreviewServer

    def __init__(self, request, client_address, server: PreviewServer):
        super().__init__(request, client_address, server, directory=str(server.site))

    def do_GET(self):
        self._respond(with_body=True)

    def do_HEAD(self):
        self._respond(with_body=False)

    def log_message(self, *args):
        pass  # quiet: the terminal shows builds, not requests

    def _respond(self, with_body: bool) -> None:
        path = urlsplit(self.path).path
        allowed = host_allowed(self.headers.get("Host"), self.server.host)
        if allowed and path == page.EVENTS_PATH:
            return self._stream_builds()  # open as long as the page: no answer a restart waits for
        with self.server.answering():
            self._answer(path, allowed, with_body)

    def _answer(self, path: str, allowed: bool, with_body: bool) -> None:
        if not allowed:
            address = f"http://127.0.0.1:{self.server.server_address[1]}/"
            body = page.standalone(page.OTHER_HOST[0], page.OTHER_HOST[1].format(address=address))
            return self._send(403, "text/html; charset=utf-8", body, with_body)
        if path == page.WORKER_PATH:
            return self._send(200, "text/javascript; charset=utf-8", page.WORKER_SCRIPT, with_body)
        outcome = self.server.rebuilder.outcome  # before reading the files: never newer than them
        name = self.server.build_name(outcome)
        if not self.server.site.is_dir():
            pending = outcome is None or not outcome.failed
            body = page.standalone(*(page.BUILDING if pending else page.NOT_BUILT))
            return self._send(503, "text/html; charset=utf-8", page.inject(body, name, outcome, False), with_body)
        found = self.translate_path(self.path)
        if os.path.isdir(found):
            if not path.endswith("/"):
                return self._redirect(path + "/")
            found = os.path.join(found, "index.html")
        status, found, draft = self._draft_or_404(found)
        try:
            with open(found, "rb") as file:
                body = file.read()
            kind = self.guess_type(found)
        except OSError:
            body, kind = page.standalone(*page.NOT_FOUND), "text/html"
        if kind == "text/html":
            kind, body = "text/html; charset=utf-8", page.inject(page.mark_draft(body) if draft else body, name, outcome)
        self._send(status, kind, body, with_body)

    def _draft_or_404(self, found: str) -> tuple[int, str, bool]:
        """(status, file, whether a draft's) for the file ``found`` in the site:
        itself, else a draft's at the same place, else the site's 404 page."""
        if os.path.isfile(found):
            return 200, found, False
        drafted = os.path.join(self.server.site.parent, "drafts", os.path.relpath(found, self.directory))
        if os.path.isdir(drafted):
            drafted = os.path.join(drafted, "index.html")
        if os.path.isfile(drafted):
            return 200, drafted, True
        return 404, str(self.server.site / "404.html"), False

    def _send(self, status: int, kind: str, body: bytes, with_body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(301)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _stream_builds(self) -> None:
        """Server-sent events: the latest build's name now and after every
        build; a comment now and then keeps the connection open."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        rebuilder = self.server.rebuilder
        seen = rebuilder.outcome
        try:
            self.wfile.write(f"retry: 500\n\n{self._event(seen)}".encode())
            self.wfile.flush()
            while True:
                outcome = rebuilder.wait_for_outcome(seen, KEEPALIVE_SECONDS)
                self.wfile.write(b": still here\n\n" if outcome is seen else self._event(outcome).encode())
                self.wfile.flush()
                seen = outcome
        except OSError:
            return  # the page was closed or reloaded

    def _event(self, outcome: Outcome | None) -> str:
        return f"event: build\ndata: {self.server.build_name(outcome)}\n\n"
