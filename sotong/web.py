"""The collector service (``sotong serve``): a small WSGI app on werkzeug that
plugins extend with routes (unsubscribe, survey answers) through
``signals.web_routes``, served by waitress.

Core owns the shell only: routing, the 64 KiB body limit, Korean error pages,
a page template every plugin page extends (``web_base.html``: a page
rendered with ``errors`` or ``error``, a form shown again with what to fix,
or ``retry``, one refused as sent too often, has a title that starts 오류:), access to the
store from the server's threads (on PostgreSQL opened again after a
restart, and 503 with Retry-After while it does not answer:
:mod:`sotong.reconnect`), posted forms kept to storable text
(:class:`CollectorRequest`), ``GET /healthz``, and in development (an empty SITEURL) the built site's
files at the paths no route takes; and the server: waitress,
with time limits for slow clients, answering quick routes on its loop thread
(issue #16: no handoff between threads for an unsubscribe), answering
what it refuses itself (headers or a body over its limits) with the same
Korean pages (then reading a refused body's rest for a while before closing,
so that its sender reads the page, not a reset), and taking a request from
the office's reverse proxy (``COLLECTOR_PROXY``) as the client's it names.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import gc
import io
import ipaddress
import logging
import re
import socket
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, NamedTuple

import jinja2
import markupsafe
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import TcpWSGIServer
from waitress.task import ErrorTask, WSGITask
from waitress.utilities import RequestEntityTooLarge as WaitressTooLarge
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from werkzeug.exceptions import HTTPException, NotFound, RequestEntityTooLarge
from werkzeug.formparser import FormDataParser
from werkzeug.routing import Map, Rule
from werkzeug.utils import redirect, send_from_directory
from werkzeug.wrappers import Request, Response

from . import signals
from .i18n import N_, _
from .invisible import NOT_KEPT, UNSTORABLE
from .markup import text_with_tel_links, text_with_whole_numbers
from .problems import SotongError, os_reason
from .reconnect import Reconnecting, StoreDown, store_down
from .settings import MAX_BODY_BYTES
from .database_url import is_database_url
from .dates import korean_date
from .group_commit import WouldWait
from .interrupts import stop_deferred
from .tokens import secret_held, secret_problem, signs_with_development_key

CHECKPOINT_SECONDS = 1.0
QUEUE_WARNING_SECONDS = 60.0  # waitress's "all threads busy" warning, at most once a minute
# how long a stopping collector answers the requests it took: one waiting for another's SQLite lock (30 s) too
STOP_WAIT_SECONDS = 35
# requests of one connection read while it is answered: 2, so that a client's next request, sent as soon as
# its answer arrives (before the worker has finished with it), keeps the connection read without waking the loop
LOOKAHEAD_REQUESTS = 2
# a refused body's rest, read and dropped while lingering: 64 KiB a read (waitress reads 8 KiB), ~500 reads at most
LINGER_READ_BYTES = 64 * 1024
FILES_KEPT_FREE = 64  # open files left for the store, templates and logs when connections are at their limit
log = logging.getLogger("sotong.web")

BASE_TEMPLATE = """<!doctype html>
<html lang="ko">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<meta name="referrer" content="never">
<title>{% if errors or error or retry %}오류: {% endif %}{% block title %}{{ title }}{% endblock %} | {{ site_name }}</title>
<style>
{{ site_css }}
  body { margin: 0; font-family: "Noto Sans KR", "Malgun Gothic", "Apple SD Gothic Neo", sans-serif;
         font-size: 1rem; line-height: 1.6; color: #1a1a1a; background: #fff; word-break: keep-all; overflow-wrap: anywhere; }
  main { max-width: 40rem; margin: 0 auto; padding: 1.5rem min(1rem, 5vw) 3rem; }
  h1 { font-size: 1.6rem; line-height: 1.3; margin: 0 0 1rem; }
  @media (max-width: 15em) { h1 { font-size: 1.2rem; } }  /* large text on a phone: as the site's */
  a { color: #0b4f9c; text-decoration: underline; }
  button { font: inherit; font-weight: 700; min-height: 48px; padding: .6rem 1.4rem;
           color: #fff; background: #0b4f9c; border: 2px solid #0b4f9c; border-radius: 6px; cursor: pointer; }
  .note { color: #3a3a3a; }
  body > footer { background: #f2f4f7; padding: .8rem min(1rem, 5vw); font-size: 1rem; }
</style>
</head>
<body>
{% include "site_header.html" %}
<main id="main">
{% block main %}{% endblock %}
</main>
<footer>성동구청 홍보담당관 · 문의 {{ office_phone | tel_links }} · <a href="{{ SITEURL }}/privacy/">개인정보 처리방침</a></footer>
</body>
</html>
"""

ERROR_TEMPLATE = """{% extends "web_base.html" %}
{% block main %}
<h1>{{ title }}</h1>
<p>{{ explanation | tel_links }}</p>
<p class="link-line"><a href="{{ site_url }}">성동구 소통 첫 화면으로 가기</a></p>
{% endblock %}
"""

# What a resident reads for each error, in plain Korean.
ERROR_TEXTS = {
    400: ("요청을 처리할 수 없습니다", "보내신 내용에 잘못된 부분이 있습니다. 이전 화면으로 돌아가 다시 시도해 주세요."),
    403: ("링크가 올바르지 않습니다", "이 링크는 확인되지 않았습니다. 받으신 메일이나 문자의 링크를 다시 눌러 주세요."),
    404: ("페이지를 찾을 수 없습니다", "주소가 바뀌었거나 없어진 페이지입니다. 받으신 메일이나 문자의 링크를 눌러 오셨다면 그 "
          "링크를 다시 눌러 보세요. 구청 소식은 아래 「성동구 소통 첫 화면으로 가기」에서 모두 보실 수 있습니다."),
    405: ("이 방법으로는 열 수 없는 주소입니다", "받으신 링크를 눌러 다시 열어 주세요."),
    409: ("이미 처리되었습니다", "같은 요청이 이미 접수되었습니다."),
    410: ("기간이 지났습니다", "이 서비스는 지금 이용할 수 없습니다."),
    413: ("보내신 내용이 너무 깁니다", "내용을 줄여서 다시 보내 주세요."),
    431: ("주소나 브라우저 정보가 너무 깁니다", "받으신 메일이나 문자의 링크를 다시 눌러 주세요. 그래도 열리지 않으면 이 "
          "누리집의 쿠키를 지우시거나 다른 브라우저에서 열어 주세요."),
    503: ("잠시 이용할 수 없습니다", "점검 중이라 지금은 처리하지 못했습니다. 잠시 뒤에 다시 시도해 주세요."),
    500: ("잠시 문제가 생겼습니다", "잠시 후 다시 시도해 주세요. 계속되면 전화({office_phone})로 연락해 주세요."),
}

Endpoint = Callable[..., Response]


# A token in a path (/u/TOKEN, /p/TOKEN): the payload, a dot and the MAC (sotong.tokens)
_PATH_TOKEN = re.compile(r"(?<=/)[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}(?=/|$)")


class _TokensHidden(logging.LoggerAdapter):
    """A logger writing every token in a message as TOKEN (see
    :func:`_log_failure`): waitress's, which names the path of a request whose
    client went away before its answer (a reader who closed the page)."""

    def process(self, msg, kwargs):
        return _PATH_TOKEN.sub("TOKEN", str(msg)), kwargs


def _log_failure(method: str | None, path: str | None) -> None:
    """The error being handled, logged with its request; a token in the path
    written TOKEN, since /p/TOKEN opens a reader's own page (their address and
    phone) to whoever reads the log, which is not private."""
    log.exception(_("error while answering %s %s"), method, _PATH_TOKEN.sub("TOKEN", path or ""))


def form_pairs(body: bytes, max_fields: int | None = None) -> list[tuple[str, str]]:
    """The (name, value) pairs of a url-encoded form, in order, bytes that are
    not UTF-8 (%FF) read as lone surrogates for UNSTORABLE to find; ValueError
    beyond ``max_fields``."""
    return parse_qsl(body.decode("utf-8", "surrogateescape"), keep_blank_values=True, errors="surrogateescape",
                     max_num_fields=max_fields)


class _FormParser(FormDataParser):
    """werkzeug's form parser, but reading bytes of a url-encoded form that
    are not UTF-8 (%FF) as lone surrogates, to be refused, where werkzeug
    keeps their escapes as text (a silent "%FF" in an answer)."""

    def _parse_urlencoded(self, stream, mimetype, content_length, options):
        items = form_pairs(stream.read())
        return stream, self.cls(items), self.cls()


class CollectorRequest(Request):
    """werkzeug's request whose form holds only storable text: the names of
    the fields that held unstorable characters are in ``unstorable_fields``
    and their values are kept without them (to show the form again); the
    right-to-left marks are taken out without a word (sotong.invisible.NOT_KEPT)."""

    form_data_parser_class = _FormParser
    _unstorable: frozenset[str] = frozenset()

    @property
    def unstorable_fields(self) -> frozenset[str]:
        self._load_form_data()
        return self._unstorable

    def _load_form_data(self) -> None:
        if "form" in self.__dict__:
            return
        super()._load_form_data()
        pairs = list(self.form.items(multi=True))
        if not any(NOT_KEPT.search(key) or NOT_KEPT.search(value) for key, value in pairs):
            return
        unstorable = {key for key, value in pairs if UNSTORABLE.search(key) or UNSTORABLE.search(value)}
        self._unstorable = frozenset(NOT_KEPT.sub("", key) for key in unstorable)
        self.__dict__["form"] = self.parameter_storage_class(
            [(NOT_KEPT.sub("", key), NOT_KEPT.sub("", value)) for key, value in pairs])


def unstorable_errors(request: Request, fields: Iterable[str]) -> dict[str, str]:
    """The error to show beside each of ``fields`` that held unstorable characters."""
    message = _("This field held characters that cannot be stored (invisible control characters or broken text); they were taken out: check it and send it again.")
    unstorable = request.unstorable_fields if isinstance(request, CollectorRequest) else frozenset()
    return {name: message for name in fields if name in unstorable}


class Prepared(NamedTuple):
    """An answer made once and sent as it is: the status line, the headers
    and the body's bytes (what a lean route returns)."""

    status: str
    headers: tuple[tuple[str, str], ...]
    body: bytes

    @classmethod
    def of(cls, response: Response) -> "Prepared":
        return cls(response.status, tuple(response.headers.to_wsgi_list()), response.get_data())

    def response(self) -> Response:
        """The same answer as a werkzeug Response (for the full path)."""
        return Response(self.body, self.status, list(self.headers))


LeanEndpoint = Callable[["App", str, dict], "Prepared | None"]


def see_other(location: str) -> Prepared:
    """werkzeug's ``redirect(location, 303)`` as a :class:`Prepared` answer,
    byte for byte, without making a Response: werkzeug's page is split once
    around a marker and the (escaped) location put in its places."""
    if not (location.isascii() and location.isprintable()):
        return Prepared.of(redirect(location, 303))
    head, middle, tail, headers = _see_other_parts()
    shown = str(markupsafe.escape(location))
    body = f"{head}{shown}{middle}{shown}{tail}".encode()
    filled = {"Location": location, "Content-Length": str(len(body))}
    return Prepared("303 SEE OTHER", tuple((name, filled.get(name, value)) for name, value in headers), body)


@functools.cache
def _see_other_parts() -> tuple[str, str, str, tuple[tuple[str, str], ...]]:
    page = Prepared.of(redirect("\x00", 303))
    head, middle, tail = page.body.decode().split("\x00")
    return head, middle, tail, page.headers


FORM_TYPE = "application/x-www-form-urlencoded"
LEAN_FORM_FIELDS = 64  # more than any of the collector's forms has; a longer form is the full route's


class PostedForm(NamedTuple):
    """What a lean form route is given: the path's last segment (empty for
    a route of one path), the url-encoded form as ``name -> values`` in the
    order posted, and the client's address."""

    segment: str
    fields: dict[str, list[str]]
    client: str


LeanFormEndpoint = Callable[["App", PostedForm], "Prepared | None"]


def lean_form(environ) -> dict[str, list[str]] | None:
    """A POST's url-encoded form read as :class:`CollectorRequest` reads it,
    without werkzeug; None when only the full route may read it: another
    content type, a length missing or over MAX_BODY_BYTES, more than
    LEAN_FORM_FIELDS fields, or any name or value holding what a form is not
    kept with (NOT_KEPT: the full route names those fields, or takes the
    marks out). The body stays readable."""
    if environ.get("CONTENT_TYPE", "").partition(";")[0].strip().lower() != FORM_TYPE:
        return None
    length = environ.get("CONTENT_LENGTH") or ""
    if not length.isdigit() or int(length) > MAX_BODY_BYTES:
        return None
    body = environ["wsgi.input"].read(int(length))
    environ["wsgi.input"] = io.BytesIO(body)  # for the full route, when it is left to it
    try:
        pairs = form_pairs(body, LEAN_FORM_FIELDS)
    except ValueError:  # too many fields
        return None
    fields: dict[str, list[str]] = {}
    for name, value in pairs:
        if NOT_KEPT.search(name) or NOT_KEPT.search(value):
            return None
        fields.setdefault(name, []).append(value)
    return fields


class App:
    """The WSGI application. ``add_route("/u/<token>", fn, ["GET", "POST"])``
    routes to ``fn(request, **values)``, which returns a werkzeug Response;
    ``request.app`` is this App; ``add_lean_route`` answers a busy route
    without werkzeug."""

    def __init__(self, project):
        self.project = project
        self.settings = project.settings
        self.url_map = Map(strict_slashes=False)
        self.endpoints: dict[str, Endpoint] = {}
        self.lean_endpoints: dict[tuple[str, str], LeanEndpoint] = {}
        self.lean_form_endpoints: dict[str, LeanFormEndpoint] = {}
        self.inline_routes: set[tuple[str, str]] = set()  # lean routes (method, prefix) answered on the loop thread
        self._inline = threading.local()  # .active: this thread is making an inline answer
        self._template_folders: list[str] = []
        self._store = self._loop_store = None
        self._store_lock = threading.Lock()
        self._thread_stores = (Reconnecting(self._opened_store, self._let_go)  # PostgreSQL: one connection per thread
                               if is_database_url(self.settings["SOTONG_DB"]) else None)
        self._opened: list = []  # every store connection this app opened, closed by close()
        self._closed = threading.Event()  # set by close(): the checkpoint thread stops
        self._checkpointing: threading.Thread | None = None  # SQLite: the thread moving the WAL into the file
        self._on_close: list[Callable[[], None]] = []  # plugins' threads to stop first (see on_close)
        # the site's header and stylesheet (inlined: the collector's pages fetch nothing from elsewhere)
        self._theme = Path(self.settings["THEME"])
        css = self._theme / "static" / "css" / "sotong.css"
        self._site_css = markupsafe.Markup(css.read_text(encoding="utf-8").replace("</", "<\\/")) if css.is_file() else ""
        self.templates = self._environment()
        self.add_route("/healthz", healthz, ["GET"])

    # --- extension -------------------------------------------------------

    def add_route(self, rule: str, endpoint: Endpoint, methods: Iterable[str] = ("GET",)) -> None:
        name = f"{endpoint.__module__}.{endpoint.__qualname__}"
        self.endpoints[name] = endpoint
        self.url_map.add(Rule(rule, endpoint=name, methods=list(methods)))

    def add_lean_route(self, method: str, prefix: str, endpoint: LeanEndpoint, inline: bool = False) -> None:
        """Answer ``method`` requests to ``prefix`` + one path segment (e.g.
        ``"/u/"`` + a token) with ``endpoint(app, segment, environ)`` before
        werkzeug parses anything (issue #16: the unsubscribe burst after each
        issue). It returns a :class:`Prepared` answer, or None to leave the
        request to the route :meth:`add_route` declared for the same path,
        which answers everything else (errors, other methods) and must exist;
        an endpoint reads the body (``CONTENT_LENGTH`` bytes, within the limit)
        only when it answers. Bodies over the limit always go to that route
        (413); the body is not read here.

        With ``inline``, the server calls the endpoint on its loop thread, where
        the request was read (no handoff to a worker thread), when the store
        is SQLite. There it must never wait: :meth:`store` raises
        :class:`~sotong.group_commit.WouldWait` when another thread holds the
        store or another process is writing to it, and so must the endpoint
        wherever else it would wait (``answering_inline`` says where it runs);
        a worker thread then answers the request, its body unread."""
        if not (prefix.startswith("/") and prefix.endswith("/") and prefix.count("/") == 2):
            raise ValueError(f"lean route {prefix!r}: write one folder, as in '/u/'")
        self.lean_endpoints[(method, prefix)] = endpoint
        if inline:
            self.inline_routes.add((method, prefix))

    def answers_inline(self, method: str, path: str) -> bool:
        """Whether a request to ``path`` is an inline lean route's (see
        :meth:`add_lean_route`), to be tried on the server's loop thread."""
        cut = path.find("/", 1) + 1
        return cut > 0 and (method, path[:cut]) in self.inline_routes and self._on_sqlite

    @functools.cached_property
    def _on_sqlite(self) -> bool:
        return not is_database_url(self.settings["SOTONG_DB"])

    @property
    def answering_inline(self) -> bool:
        """Whether this thread is making an answer on the server's loop thread (it must not wait)."""
        return getattr(self._inline, "active", False)

    def inline_answer(self, environ) -> Prepared | None:
        """The answer of an inline lean route, made on this thread (the
        server's loop); None when it would have to wait or when the full route
        answers: the request is then a worker thread's, as any other."""
        self._inline.active = True
        try:
            return self.lean_answer(environ)
        except WouldWait:
            return None
        except Exception:
            _log_failure(environ.get("REQUEST_METHOD"), environ.get("PATH_INFO"))
            return Prepared.of(self.error_page(500))
        finally:
            self._inline.active = False

    def add_lean_form_route(self, path: str, endpoint: LeanFormEndpoint) -> None:
        """Answer url-encoded form POSTs to ``path`` (``"/subscribe"``), or to
        ``path`` + one segment when it ends with "/" (``"/p/"``), with
        ``endpoint(app, PostedForm)`` before werkzeug parses anything (issue
        #13: sign-ups and preferences). As with :meth:`add_lean_route`, it
        returns a :class:`Prepared` answer or None for the full route of the
        same path (which must exist); that route also gets every form
        :func:`lean_form` does not read."""
        if not path.startswith("/") or path.count("/") != (2 if path.endswith("/") else 1):
            raise ValueError(f"lean form route {path!r}: write one path, as in '/subscribe', or one folder, as in '/p/'")
        self.lean_form_endpoints[path] = endpoint

    def _lean_form_answer(self, environ) -> Prepared | None:
        """The answer of a lean form route to this POST, or None."""
        path = environ.get("PATH_INFO", "")
        cut = path.find("/", 1) + 1
        folder, segment = (path[:cut], path[cut:]) if cut else (path, "")
        endpoint = self.lean_form_endpoints.get(folder)
        if endpoint is None or "/" in segment or bool(segment) != folder.endswith("/"):
            return None
        fields = lean_form(environ)
        return None if fields is None else endpoint(self, PostedForm(segment, fields, environ.get("REMOTE_ADDR") or ""))

    def add_template_folder(self, folder: str | Path) -> None:
        """Let :meth:`render` find a plugin's templates (names unique to the plugin)."""
        self._template_folders.append(str(folder))
        self.templates = self._environment()

    def _environment(self) -> jinja2.Environment:
        loader = jinja2.ChoiceLoader([
            jinja2.FileSystemLoader(self._template_folders + [str(self._theme / "templates")]),
            jinja2.DictLoader({"web_base.html": BASE_TEMPLATE, "web_error.html": ERROR_TEMPLATE}),
        ])
        environment = jinja2.Environment(loader=loader, autoescape=True)
        environment.filters["tel_links"] = text_with_tel_links  # phone numbers a resident taps to call
        environment.filters["whole_numbers"] = text_with_whole_numbers  # as in Pelican's (sotong.pelican_plugin)
        environment.filters["korean_date"] = korean_date  # as in Pelican's (sotong.pelican_plugin)
        return environment

    def render(self, template: str, status: int = 200, **context) -> Response:
        """An HTML page from a template that extends ``web_base.html``."""
        context.setdefault("site_name", self.settings.get("SITENAME", "성동구 소통"))
        context.setdefault("site_url", self.settings.get("SITEURL") or "/")
        context.setdefault("office_phone", self.settings["OFFICE_PHONE"])
        context.setdefault("site_css", self._site_css)
        for key in ("SITENAME", "SITESUBTITLE"):
            context.setdefault(key, self.settings.get(key) or "")
        context.setdefault("SITEURL", self.settings.get("SITEURL") or "")
        body = self.templates.get_template(template).render(**context)
        return Response(body, status=status, mimetype="text/html")

    def store(self):
        """``with app.store() as store:`` — the store, for this thread alone.

        Waitress runs requests in threads. On PostgreSQL each thread has its
        own connection and the server keeps transactions apart (as it does
        between collectors); a connection lost (a restart) is opened again,
        and while the server does not answer this raises StoreDown (503:
        :mod:`sotong.reconnect`). On SQLite one connection behind a lock keeps
        them apart and avoids SQLite's busy-wait sleeps, which would
        otherwise dominate latency under concurrent writes. On the server's
        loop thread (an inline answer) it raises WouldWait instead of waiting
        for the lock, for the store to open or for another process's write:
        there it is a second connection, behind the same lock, that does not
        wait for other processes."""
        return self._shared_store() if self._thread_stores is None else self._thread_stores()

    @contextlib.contextmanager
    def _shared_store(self):
        """SQLite's connection (the loop thread's, inline), behind the lock: see :meth:`store`."""
        inline = self.answering_inline
        if not self._store_lock.acquire(blocking=not inline):
            raise WouldWait("another thread holds the store")
        try:
            if inline and self._loop_store is None:
                raise WouldWait("the store is not open yet")
            if self._store is None:
                self._store = self._open_store()
                self._loop_store = self._open_loop_store() if self.inline_routes else None
            if inline:
                with _busy_would_wait():
                    yield self._loop_store
            else:
                yield self._store
        finally:
            self._store_lock.release()

    def _open_loop_store(self):
        """The SQLite store's connection for inline answers: one that never
        waits for another process's write (SQLite's busy timeout 0)."""
        store = self._opened_store()
        store.db.execute("PRAGMA wal_autocheckpoint = 0")
        store.db.execute("PRAGMA busy_timeout = 0")
        return store

    def _open_store(self):
        """The store; on SQLite with its WAL checkpoints (which fsync) moved off
        the request path into a background thread, so no answer waits for a disk."""
        from .store import Store

        store = self._opened_store()
        if store.backend != "sqlite":
            return store
        store.db.execute("PRAGMA wal_autocheckpoint = 0")
        checkpointer = Store.open(self.settings["SOTONG_DB"])

        def checkpoint_every_second():
            while not self._closed.wait(CHECKPOINT_SECONDS):
                try:
                    checkpointer.db.execute("PRAGMA wal_checkpoint(PASSIVE)")
                except checkpointer.db.Error as exc:  # e.g. the disk is full: say so, try again later
                    log.warning(_("store checkpoint failed: %s"), exc)
            checkpointer.close()

        self._checkpointing = threading.Thread(target=checkpoint_every_second, name="sotong-checkpoint", daemon=True)
        self._checkpointing.start()
        return store

    def _opened_store(self):
        """A new connection to the store, remembered to be closed by :meth:`close`."""
        from .store import Store

        store = Store.open(self.settings["SOTONG_DB"])
        self._opened.append(store)
        return store

    def _let_go(self, store) -> None:
        """Close a lost connection (:class:`Reconnecting`'s), no longer one for :meth:`close`."""
        self._opened.remove(store)
        store.close()

    def on_close(self, stop: Callable[[], None]) -> None:
        """Call ``stop`` when the app closes, before its store does (a
        plugin's background thread, e.g. the sign-up mails, stops there)."""
        self._on_close.append(stop)

    def close(self) -> None:
        """Stop the plugins' threads (see :meth:`on_close`), close every store
        connection the app opened and stop its checkpoint thread; called when
        its server has stopped (no request runs)."""
        while self._on_close:
            self._on_close.pop()()
        self._closed.set()
        if self._checkpointing is not None:
            self._checkpointing.join()
        while self._opened:
            self._opened.pop().close()

    # --- WSGI ------------------------------------------------------------

    def error_page(self, code: int) -> Response:
        title, explanation = ERROR_TEXTS.get(code, ERROR_TEXTS[500] if code >= 500 else ERROR_TEXTS[400])
        explanation = explanation.format(office_phone=self.settings["OFFICE_PHONE"])
        return self.render("web_error.html", status=code, title=title, explanation=explanation)

    def failed(self, exc: Exception, method: str | None, path: str | None) -> Response:
        """The page of a request that raised ``exc``: 503 and when to try
        again while the store does not answer (a PostgreSQL restart, which
        the log said once; SQLite held by another program for longer than
        a request waits, :func:`_held_too_long`), else 500 and its
        traceback in the log."""
        down = store_down(exc) or _held_too_long(exc, method, path)
        if down is None:
            _log_failure(method, path)
            return self.error_page(500)
        response = self.error_page(503)
        response.headers["Retry-After"] = down.header()
        return response

    def dispatch(self, request: Request) -> Response:
        if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
            raise RequestEntityTooLarge()
        adapter = self.url_map.bind_to_environ(request.environ)
        try:
            endpoint, values = adapter.match()
        except NotFound:
            if (page := self.site_page(request)) is not None:
                return page
            raise
        return self.endpoints[endpoint](request, **values)

    def site_page(self, request: Request) -> Response | None:
        """In development, the built site's file at a path no route takes
        (``/category/`` is ``output/category/index.html``), so that the links
        of the collector's pages, which an empty SITEURL makes root-relative
        (the header's menu, 「다시 신청하기」), lead to the site's pages, not
        to a 404. None in production (an http(s) SITEURL: the site is served
        elsewhere), for a method other than GET or HEAD, or a path the build
        made no file for."""
        if str(self.settings.get("SITEURL") or "").startswith(("http://", "https://")):
            return None
        if request.method not in ("GET", "HEAD"):
            return None
        path = request.path.lstrip("/")
        if path == "" or path.endswith("/"):
            path += "index.html"
        try:
            return send_from_directory(self.project.site_path, path, request.environ)
        except NotFound:
            return None

    def lean_answer(self, environ) -> Prepared | None:
        """The answer of a lean route, or None when the request is not one's."""
        if environ.get("REQUEST_METHOD") == "POST" and self.lean_form_endpoints:
            if (answer := self._lean_form_answer(environ)) is not None:
                return answer
        path = environ.get("PATH_INFO", "")
        cut = path.find("/", 1) + 1
        endpoint = self.lean_endpoints.get((environ.get("REQUEST_METHOD"), path[:cut])) if cut else None
        segment = path[cut:]
        if endpoint is None or not segment or "/" in segment:
            return None
        length = environ.get("CONTENT_LENGTH") or "0"
        if not length.isdigit() or int(length) > MAX_BODY_BYTES:
            return None
        return endpoint(self, segment, environ)

    def __call__(self, environ, start_response):
        start_response = _with_shared_headers(start_response)  # an answer made on the loop: _OneSendTask
        try:
            prepared = self.lean_answer(environ)
        except Exception as exc:
            prepared = Prepared.of(self.failed(exc, environ.get("REQUEST_METHOD"), environ.get("PATH_INFO")))
        if prepared is not None:
            start_response(prepared.status, list(prepared.headers))
            return [prepared.body]
        return self.full_answer(environ, start_response)

    def full_answer(self, environ, start_response):
        """The answer through werkzeug: its request, routing and response."""
        request = CollectorRequest(environ)
        request.max_content_length = MAX_BODY_BYTES  # also bounds chunked bodies
        request.app = self
        try:
            response = self.dispatch(request)
        except HTTPException as exc:
            if exc.code is None or exc.code < 400:  # routing's redirect of a doubled slash (/p//link)
                response = exc.get_response(environ)
                response.headers["Location"] = _path_only(response.headers["Location"])
            else:  # a route's own page for its error (Forbidden(response=...)), else the shell's
                response = exc.response if exc.response is not None else self.error_page(exc.code)
                if exc.code == 405:
                    response.headers["Allow"] = ", ".join(getattr(exc, "valid_methods", None) or [])
        except Exception as exc:
            response = self.failed(exc, request.method, request.path)
        return response(environ, start_response)




def _held_too_long(exc: BaseException | None, method: str | None, path: str | None) -> StoreDown | None:
    """When ``exc`` (or what caused it) is SQLite refusing because another
    program (an import, ``sotong send``) held the store for longer than a
    request waits for it (SQLITE_WAITS_MS): the store not answering, as
    PostgreSQL restarting, and not a failure of the collector's (it logged
    a traceback, and the resident read 잠시 문제가 생겼습니다): said in one
    line, to be tried again after as long again. None for anything else."""
    from . import store

    while exc is not None and not store.held_by_another(exc):
        exc = exc.__cause__
    if exc is None:
        return None
    seconds = store.SQLITE_WAITS_MS / 1000
    log.warning(_("the store was held by another program for longer than a request waits (%s s): answered %s %s "
                  "with 503 (try again later)"), f"{seconds:g}", method, _PATH_TOKEN.sub("TOKEN", path or ""))
    return StoreDown(seconds)


def _path_only(location: str) -> str:
    """``location`` without its scheme and host, which werkzeug takes from the
    request: its Host header is anyone's to write, and behind the office's
    TLS proxy the scheme is http (a reader's token would travel in clear)."""
    return urlunsplit(urlsplit(location)._replace(scheme="", netloc=""))


# Headers of every answer of the collector. Its addresses hold readers' tokens (/u/, /p/, ?t=), which a
# browser would otherwise send whole as the Referer of a link followed from the page, or of a redirect
# (older phones' browsers do), into the logs of the site it leads to, where anyone reading them could act
# as the reader. Browsers older than this header (Chrome 56, iOS Safari 12) read web_base.html's
# <meta name="referrer" content="never"> instead.
SHARED_HEADERS = (("Referrer-Policy", "no-referrer"),)


def _with_shared_headers(start_response):
    """``start_response`` adding :data:`SHARED_HEADERS` to the answer's own."""
    def start(status, headers, exc_info=None):
        return start_response(status, [*headers, *SHARED_HEADERS], exc_info)
    return start


@contextlib.contextmanager
def _busy_would_wait():
    """Within, SQLite's "database is locked" (a connection that does not wait
    found the file being written by another process; its statement changed
    nothing) is WouldWait."""
    try:
        yield
    except sqlite3.OperationalError as exc:
        from .store import held_by_another

        if not held_by_another(exc):
            raise
        raise WouldWait("another process is writing to the store") from exc


def healthz(request: Request) -> Response:
    return Response("ok", mimetype="text/plain")


def make_app(project) -> App:
    """The app with every plugin's routes."""
    project.activate_plugins()
    app = App(project)
    signals.web_routes.send(app)
    return app


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def signing_key_warning(host: str) -> str | None:
    """None when SOTONG_SECRET holds a key of the office's own; a loud
    warning when it does not (unset, the public development key, too short)
    and the collector listens on loopback only; SotongError otherwise, since
    anyone could forge its tokens."""
    problem = secret_problem()
    if problem is None:
        return None
    development = signs_with_development_key()
    if not is_loopback(host):
        raise SotongError([_("SOTONG_SECRET is not set, so tokens would be signed with the public development key and anyone could forge them; export SOTONG_SECRET=<the office's secret key> before serving on {host}, or serve on 127.0.0.1 for development").format(
            host=host) if development else problem])
    if development:
        return _("WARNING: SOTONG_SECRET is not set: serving with the public DEVELOPMENT key (tokens can be forged); for development on this machine only")
    return _("WARNING: {problem}; for development on this machine only").format(problem=problem)


@dataclass(frozen=True)
class ConnectionLimits:
    """How long and how many connections the collector holds, so that slow
    or idle clients (slowloris) cannot starve the others: a request's headers
    and body must arrive within ``request_seconds`` however steadily they
    trickle, a connection with nothing to do is closed after ``idle_seconds``,
    and at most ``connections`` are open at once (more wait in the backlog).
    The rest of a body refused while it arrives is read and dropped after
    the answer (a lingering close) for ``linger_seconds`` and
    ``linger_bytes`` at most."""

    request_seconds: int = 10
    idle_seconds: int = 15
    connections: int = 1000
    header_bytes: int = 16 * 1024
    # as long as an accepted body may take to arrive (request_seconds): a 20 MB one needs 16 Mbit/s to make it
    linger_seconds: float = 10
    # a photo pasted into a form (20 MB) with room to spare; beyond it the client is cut off (a reset)
    linger_bytes: int = 32 * 1024 * 1024


class _OneSendTask(WSGITask):
    """Waitress's task, sending an answer's head and its whole body (every
    answer of a lean route) in one write, where waitress writes them apart;
    an answer already made on the loop thread is sent as it is."""

    def execute(self):
        answer = getattr(self.request, "inline_answer", None)
        if answer is None:
            return super().execute()
        self.status, self.response_headers = answer.status, [*answer.headers, *SHARED_HEADERS]
        self.content_length, self.complete = len(answer.body), True
        self.write(answer.body)

    def write(self, data):
        if self.wrote_header or not (self.complete and data):
            return super().write(data)
        head = self.build_response_header()
        self.wrote_header = True
        if not self.has_body or self.chunked_response or self.content_length != len(data):
            self.channel.write_soon(head)
            return super().write(data)
        self.content_bytes_written = len(data)
        self.channel.write_soon(head + data)


class _KoreanErrorTask(ErrorTask):
    """Waitress's answer to a request it refuses before the app sees it (a
    broken request line, headers over ``header_bytes``, as a district's many
    cookies can make them, a body over its limit): the collector's Korean
    error page of that status, where waitress wrote English text."""

    def execute(self):
        app = self.channel.server.collector_app
        if app is None:
            return super().execute()
        page = Prepared.of(app.error_page(self.request.error.code))
        self.status, self.response_headers = page.status, [*page.headers, *SHARED_HEADERS]
        self.set_close_on_finish()
        self.content_length = len(page.body)
        self.write(page.body)


class _WaitingClientsParser(HTTPRequestParser):
    """Waitress's request parser, refusing at once a request that asks
    whether to send its body (``Expect: 100-continue``) when the body would
    be over MAX_BODY_BYTES: waitress said "100 Continue" to any length up to
    four times that, and the client sent it all to be refused (413). Such a
    client sends nothing until told, so the 413 and the close lose nothing.
    What follows a refused request in the bytes read is its own rest (its
    body), never another request: taken whole, and dropped."""

    def received(self, data):
        consumed = super().received(data)
        if self.headers_finished and self.expect_continue and self.error is None \
                and self.content_length > MAX_BODY_BYTES:
            self.error = WaitressTooLarge(f"exceeds {MAX_BODY_BYTES} bytes")
            self.completed, self.expect_continue = True, False
        if self.error is not None:
            self.expect_continue = False  # refused already: no "100 Continue" before the refusal
            return len(data)
        return consumed


_answering = threading.local()  # .channel: the connection a server thread is answering a request of


class _DeadlineChannel(HTTPChannel):
    """Waitress's connection, remembering when the request it is reading
    began. Without handoffs where it can (issue #16): a request of an inline
    route is answered on the loop thread that read it, when the app can
    without waiting (else by a worker thread, as any other); an answer is
    sent by the thread that made it, at once while nothing waits before it;
    and with ``channel_request_lookahead`` the loop keeps reading the
    connection while a worker answers, so it is woken only when something
    is left for it. A request refused while its body may still be arriving
    is followed by a lingering close (:meth:`_linger`)."""

    task_class = _OneSendTask
    error_task_class = _KoreanErrorTask
    parser_class = _WaitingClientsParser
    logger = _TokensHidden(logging.getLogger("waitress"), {})
    reading_since: float | None = None
    on_loop = False  # the loop thread is reading or answering this connection's requests
    inline_pending = False  # the first request waits to be answered on the loop thread
    refused = False  # a request waitress refused is being answered: what the client sends after it is dropped
    lingering_until: float | None = None  # time.time() until which the rest of a refused body is read and dropped
    linger_bytes_left = 0  # how much more of it is read before the client is cut off

    def received(self, data):
        before = self.request
        self.on_loop = True
        try:
            result = super().received(data)
            if self.request is None:
                self.reading_since = None
            elif self.request is not before:
                self.reading_since = time.time()
            while self.inline_pending:
                self.inline_pending = False
                self._answer_inline()
        finally:
            self.on_loop = False
        return result

    def _answer_inline(self) -> None:
        """Answer the first request here (the loop thread), or leave it to a
        worker thread when the app would have to wait."""
        request = self.requests[0]
        environ = self.task_class(self, request).get_environment()
        answer = self.server.collector_app.inline_answer(environ)
        if answer is None:
            self.server.queue_task(self)
            return
        request.inline_answer = answer
        self.server.count_unanswered(+1)
        self.service()

    def write_soon(self, data):
        if data and self.connected and not self.total_outbufs_len and isinstance(data, bytes):
            with self.outbuf_lock:
                if not self.total_outbufs_len:  # nothing waits before these bytes: send what the socket takes
                    try:
                        sent = self.socket.send(data)
                    except OSError:  # would block, or a broken connection: waitress's own path deals with it
                        sent = 0
                    if sent == len(data):
                        return sent
                    return sent + super().write_soon(data[sent:])
        return super().write_soon(data)

    def service(self):
        """Answer the first request (waitress's), counted as answered when
        done; a refused one marks the connection to linger once its answer
        is sent, and not to be read until then."""
        _answering.channel = self
        if self.requests[0].error is not None:
            self.refused = True  # before its answer is written: once it is sent, the loop lingers (handle_write)
        try:
            super().service()
        finally:
            self.server.count_unanswered(-1)
            _answering.channel = None

    def readable(self) -> bool:
        """Waitress's, except that a refused request's connection is not read
        from the refusal until its answer is sent (then it lingers): the rest
        of the body waits in the client's and the kernel's buffers, where
        waitress read it as requests that were then thrown away."""
        last = self.requests[-1:]  # a copy: a worker may take the request meanwhile; a refused one is the last read
        if self.lingering_until is None and (self.refused or (last and last[0].error is not None)):
            return False
        return super().readable()

    def handle_write(self):
        """Waitress's, except that a refused request's connection, once its
        answer is sent, lingers (:meth:`_linger`) where waitress closed it."""
        if not (self.refused and self.close_when_flushed and not self.will_close and self.lingering_until is None):
            return super().handle_write()
        self._flush_exception(self._flush_some)
        if self.will_close:
            self.handle_close()
        elif not self.total_outbufs_len:
            self._linger()

    def _linger(self) -> None:
        """Close the connection's sending side (the client reads the answer,
        then its end) and read and drop what the client still sends until it
        closes, for ``linger_seconds`` and ``linger_bytes`` at most (Apache's
        and nginx's lingering close). Closed at once, with the client's body
        still arriving, the connection was reset, and the client's system
        threw the answer away unread: a browser showed a connection error,
        never the page saying the text was too long."""
        limits = self.server.limits
        self.close_when_flushed = False
        self.lingering_until = time.time() + limits.linger_seconds
        self.linger_bytes_left = limits.linger_bytes
        try:
            self.socket.shutdown(socket.SHUT_WR)
        except OSError:  # the client is gone already
            self.handle_close()

    def handle_read(self):
        """Waitress's, except while lingering: what arrives is dropped, and
        the connection closed once the bound is passed (a client that keeps
        sending; one that sends nothing is closed by the server's maintenance)."""
        if self.lingering_until is None:
            return super().handle_read()
        try:
            dropped = len(self.recv(LINGER_READ_BYTES))  # b"" when the client closed: recv closed this end too
        except OSError:
            return self.handle_close()
        self.linger_bytes_left -= dropped
        if dropped and (self.linger_bytes_left <= 0 or time.time() >= self.lingering_until):
            self.handle_close()

    def loop_needed(self) -> bool:
        """Whether the server's loop must look at this connection again once a
        request is answered: output left to send, a close to make, or a
        connection it may have stopped reading (more requests read meanwhile
        than ``channel_request_lookahead``)."""
        return bool(self.total_outbufs_len or self.will_close or self.close_when_flushed
                    or len(self.requests) >= self.adj.channel_request_lookahead)


class _CollectorServer(TcpWSGIServer):
    """Waitress's server that also closes connections whose request has been
    arriving for longer than ``limits.request_seconds``, or that have lingered
    past ``limits.linger_seconds``, and whose loop is woken after an answer
    only when the connection needs it."""

    channel_class = _DeadlineChannel
    limits = ConnectionLimits()

    def maintenance(self, now):
        super().maintenance(now)
        cutoff = now - self.limits.request_seconds
        for channel in list(self.active_channels.values()):
            since = getattr(channel, "reading_since", None)
            lingering_until = getattr(channel, "lingering_until", None)
            if (not channel.requests and since is not None and since < cutoff) or \
                    (lingering_until is not None and lingering_until <= now):
                channel.will_close = True

    collector_app = None  # the App, when it answers some routes inline
    unanswered = 0  # requests queued for a thread or being answered
    _unanswered_lock = threading.Lock()

    def count_unanswered(self, change: int) -> None:
        """One more request handed to a thread to answer (+1), or one
        answered (-1). Waitress's ``active_count`` is not that: it counts a
        thread just started, or just done, until it waits for a request, so a
        stop right after the server started, or after an answer was sent,
        said a request was under way."""
        with self._unanswered_lock:
            self.unanswered += change

    def add_task(self, channel):
        """Queue the channel's first request for a worker thread, or, read on
        the loop thread and of an inline route, have the loop answer it. A
        request waitress could not read (a broken request line: it has no
        method or path) is a worker's, which answers waitress's 400."""
        request = channel.requests[0]
        if (channel.on_loop and self.collector_app and request.error is None
                and self.collector_app.answers_inline(request.command, request.path)):
            channel.inline_pending = True
        else:
            self.queue_task(channel)

    def queue_task(self, channel):
        """Queue the channel's first request for a worker thread."""
        self.count_unanswered(+1)
        super().add_task(channel)

    announce: Callable[[str], None] | None = None  # where a stop says what it waits for

    def run(self):
        """Waitress's loop until Ctrl+C or SIGTERM, taken between two answers
        (raised where it came, it cut the answer the loop thread was making,
        and waitress gave its threads' answers 5 s, then dropped them and the
        requests queued): no connection is taken after it, the requests
        under way are answered (``STOP_WAIT_SECONDS`` at most; a second
        Ctrl+C stops waiting for them), the threads stopped, and the signal goes on
        (KeyboardInterrupt, Terminated), so that ``sotong serve`` says it
        stopped and exits 130 or 143."""
        poll = self._poll
        with stop_deferred(self.trigger.pull_trigger) as stop:
            while self._map and stop.signum is None:
                poll(self.adj.asyncore_loop_timeout, self._map)
        stopped_at = time.monotonic()
        try:
            if stop.signum is not None:
                self.accepting = False
                self._answer_under_way(stopped_at + STOP_WAIT_SECONDS)
        finally:
            left = self.unanswered
            self.task_dispatcher.shutdown(timeout=0.1 if left else 5)
            if left:
                log.warning(_("stopped with %d requests not answered after %d s; their senders got no answer and "
                              "may try again"), left, round(time.monotonic() - stopped_at))
        if stop.signum is not None:
            stop.take_up()

    @property
    def _poll(self) -> Callable:
        """One wait for the connections and their answer, as waitress's loop makes it."""
        return self.asyncore.poll2 if self.adj.asyncore_use_poll else self.asyncore.poll

    def _under_way(self) -> int:
        """Requests queued or being answered, and answers the loop has yet to send."""
        return (self.unanswered + sum(1 for channel in list(self.active_channels.values()) if channel.total_outbufs_len))

    def _answer_under_way(self, deadline: float) -> None:
        under_way = self._under_way()
        if under_way and self.announce:
            self.announce(_("Answering the {count} requests under way before stopping (at most {seconds} s; Ctrl+C "
                            "again stops without waiting for them)").format(count=under_way, seconds=STOP_WAIT_SECONDS))
        poll = self._poll
        while self._map and self._under_way() and time.monotonic() < deadline:
            poll(0.05, self._map)

    def pull_trigger(self):
        """Wake the loop, unless a worker's answer left it nothing to do, or
        the server is closed: a stop that gave up waiting (a second Ctrl+C,
        STOP_WAIT_SECONDS past) closes it while a worker still answers, and
        that worker's wake-up wrote to the closed pipe (EBADF, a traceback
        in the log) or into whatever file took its number since."""
        channel = getattr(_answering, "channel", None)
        if (channel is None or channel.loop_needed()) and not self.trigger._closed:  # waitress's own flag
            super().pull_trigger()


class _OncePerInterval(logging.Filter):
    """Lets one record through every ``seconds``. Waitress warns "Task queue
    depth is N" for every request that finds all its threads busy; in a burst
    of unsubscribes that is one line in twenty, each formatted for the
    terminal while waitress holds its task lock, which slowed every answer."""

    def __init__(self, seconds: float):
        super().__init__()
        self.seconds = seconds
        self.next_time = 0.0

    def filter(self, record) -> bool:
        now = time.monotonic()
        if now < self.next_time:
            return False
        self.next_time = now + self.seconds
        return True


# waitress's English lines when it stops threads still answering: _CollectorServer.run says it instead
_SAID_BY_THE_SERVER = frozenset({"%d thread(s) still running", "Canceling %d pending task(s)"})
# waitress's lines that the operator reads (the first two at the default level), said in the staff's language
_WAITRESS_LINES = frozenset({
    N_("Task queue depth is %d"),
    N_("total open connections reached the connection limit, no longer accepting new connections"),
    N_("total open connections dropped below the connection limit, listening again")})
_DISCONNECTED = "Client disconnected while serving "  # waitress writes the path into the line itself (with -v)


def _in_the_staffs_language(record: logging.LogRecord) -> bool:
    """A waitress record as the collector says it: one the server says
    itself dropped (:data:`_SAID_BY_THE_SERVER`), the others translated."""
    if record.msg in _SAID_BY_THE_SERVER:
        return False
    if record.msg in _WAITRESS_LINES:
        record.msg = _(record.msg)
    elif isinstance(record.msg, str) and record.msg.startswith(_DISCONNECTED) and not record.args:
        record.msg, record.args = _("Client disconnected while serving %s"), (record.msg[len(_DISCONNECTED):],)
    return True


def _quiet_queue_warnings(seconds: float = QUEUE_WARNING_SECONDS) -> None:
    queue_log = logging.getLogger("waitress.queue")
    if not any(isinstance(existing, _OncePerInterval) for existing in queue_log.filters):
        queue_log.addFilter(_OncePerInterval(seconds))
    for logger in (queue_log, logging.getLogger("waitress")):
        if _in_the_staffs_language not in logger.filters:
            logger.addFilter(_in_the_staffs_language)


def create_server(app, host: str, port: int, threads: int, limits: ConnectionLimits = ConnectionLimits()):
    """The waitress server of ``app`` on ``host:port`` with ``limits``; not started.

    A collector's ``COLLECTOR_PROXY`` (the reverse proxy in front, e.g.
    "127.0.0.1") is trusted for X-Forwarded-For: a request from it is its
    client's (the last address of the header, the one the proxy wrote).
    Without it every resident had the proxy's address, and ``SUBSCRIBE_RATE``
    (10 an hour per client) was the whole district's; a request from anywhere
    else keeps its own address, whatever header it sends (dropped: :func:`_behind_proxy`)."""
    _quiet_queue_warnings()
    proxy = app.settings.get("COLLECTOR_PROXY") if isinstance(app, App) else None
    server = _CollectorServer(
        _behind_proxy(app, proxy) if proxy else app, host=host, port=port, threads=threads, ident="sotong",
        max_request_body_size=MAX_BODY_BYTES * 4, max_request_header_size=limits.header_bytes,
        channel_timeout=limits.idle_seconds,
        connection_limit=min(limits.connections, _open_files_allowed() - FILES_KEPT_FREE), cleanup_interval=1,
        asyncore_use_poll=True, channel_request_lookahead=LOOKAHEAD_REQUESTS,
        clear_untrusted_proxy_headers=not proxy)  # behind the proxy, _behind_proxy reads them, then drops them
    server.limits = limits
    server.collector_app = app if isinstance(app, App) else None
    return server


# The headers a proxy writes about its client: trusted from COLLECTOR_PROXY only (X-Forwarded-For), dropped from all
_PROXY_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_HOST", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_PORT",
                  "HTTP_X_FORWARDED_BY", "HTTP_FORWARDED")


def forwarded_client(forwarded_for: str) -> str | None:
    """The client a proxy named in X-Forwarded-For: its last entry, the one
    the proxy wrote (those before it are the client's own to write), as an
    address without brackets or port; None when it is no address."""
    last = forwarded_for.rpartition(",")[2].strip()
    if last.startswith("["):  # [2001:db8::1]:443
        last = last[1:].partition("]")[0]
    elif last.count(":") == 1:  # 203.0.113.9:443
        last = last.partition(":")[0]
    try:
        return str(ipaddress.ip_address(last))
    except ValueError:
        return None


def _behind_proxy(app, proxy: str):
    """``app`` behind the reverse proxy at ``proxy``: a request from it is
    the client's it names (:func:`forwarded_client`), one naming none stays
    the proxy's. Waitress's own reading of the header refused a request
    with a quote anywhere in it, in English, where only the last entry is
    the proxy's."""
    def application(environ, start_response):
        forwarded = environ.get("HTTP_X_FORWARDED_FOR") if environ.get("REMOTE_ADDR") == proxy else None
        for name in _PROXY_HEADERS:
            environ.pop(name, None)
        if forwarded and (client := forwarded_client(forwarded)):
            environ["REMOTE_ADDR"] = client
        return app(environ, start_response)
    return application


def _open_files_allowed() -> int:
    """The process's limit on open files (each connection takes one)."""
    import resource

    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return soft if soft != resource.RLIM_INFINITY else 1 << 20


def _store_made_ready(project) -> str:
    """Every table of the store brought to this Sotong's versions (made, on
    a first install), and the line that says which store the collector
    serves: its place and its subscribers, or, for a file that was not
    there, that it made an empty one. A mistyped SOTONG_DB made one
    silently, and sign-ups went where no command would look."""
    location = project.settings["SOTONG_DB"]
    made = not is_database_url(location) and not Path(location).exists()
    project.declare_every_schema()
    store = project.store
    store.upgrade()
    count = store.count_subscribers()
    project.close_store()  # each request thread opens its own
    if made:
        return _("{store}: there was no store there, so the collector made an empty one. On a first install that is "
                 "as it should be; otherwise stop it (Ctrl+C) and check SOTONG_DB (a mistyped path?)").format(
            store=project.shown(location))
    shown = f"PostgreSQL {urlsplit(location).path.lstrip('/')}" if is_database_url(location) else project.shown(location)
    return _("Store: {store}, {count} subscribers").format(store=shown, count=f"{count:,}")


def serve(project, host: str, port: int, threads: int, announce: Callable[[str], None] = print) -> None:
    """Run the app with waitress until interrupted; refused (SotongError)
    without SOTONG_SECRET unless ``host`` is loopback (then it warns), and
    on a store a newer Sotong upgraded: every table (core's and the
    plugins') is brought to this Sotong's versions first, so that no
    request fails one by one on a plugin's newer tables while /healthz says all is well."""
    warning = signing_key_warning(host)
    store_line = _store_made_ready(project)
    app = make_app(project)
    try:
        server = create_server(app, host, port, threads)
    except OSError as exc:
        app.close()
        if exc.errno not in (errno.EADDRINUSE, errno.EADDRNOTAVAIL, errno.EACCES):
            raise
        raise SotongError([_("{host}:{port}: cannot listen there ({reason}); stop the program that listens there (another sotong serve?) or choose another with --host and --port").format(
            host=host, port=port, reason=os_reason(exc))]) from None
    server.announce = announce
    actual_host, actual_port = server.socket.getsockname()[:2]
    announce(_("Serving on http://{actual_host}:{actual_port} (Ctrl+C to stop)").format(
        actual_host=actual_host, actual_port=actual_port))
    if warning:
        announce(warning)
    announce(store_line)
    gc.freeze()  # start-up's objects (modules, templates, the app) live on: a full collection no longer walks them
    try:
        with secret_held():  # every request's token checked with the key read once, not the environment's each time
            server.run()
    finally:  # Ctrl+C too: then the command line says so and exits 130
        server.close()
        app.close()
