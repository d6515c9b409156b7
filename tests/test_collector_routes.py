"""Every route of the collector, every method, over real HTTP: the status
codes and the headers that matter (Allow, Location, Cache-Control,
Content-Type), so that a faster path for the busy routes (issue #16) answers
exactly what the full path answered before it."""

from __future__ import annotations

import contextlib
import http.client
import io
import logging
import re
import socket
import threading
import time
from urllib.parse import urlencode

import pytest
from delivery_support import add_subscribers
from project_support import all_at_once, copy_project, new_store_location, project_on, serving, store_of, store_query

from sotong.links import click_code
from sotong.project import Project
from sotong.tokens import make_token, unsubscribe_token
from sotong.web import make_app

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
HTML = "text/html; charset=utf-8"
BUDGET = "budget-vote-2027"
SIGN_UP = {"email": "new@example.com", "fields": ["health"], "channels": "email", "birth_year": "1950",
           "dong": "majang", "consent": "yes", "website": ""}
SAVE = {"email": "s00001@example.com", "fields": ["health", "library"], "channels": "email", "birth_year": "1960",
        "dong": "yongdap", "action": "save"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One collector for the walk (its requests are independent of each other's order)."""
    project = copy_project(tmp_path_factory.mktemp("routes"), extra_settings='SUBSCRIBE_RATE = "1000/hour"\n')
    add_subscribers(project / "private" / "sotong.db", 3)
    with serving(make_app(Project(project / "pelicanconf.py"))) as port:
        yield port, project


def call(port: int, method: str, path: str, body: bytes | dict | None = None,
         headers: dict | None = None) -> tuple[int, dict, str]:
    if isinstance(body, dict):
        body = urlencode(body, doseq=True).encode()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers if headers is not None else FORM if body is not None else {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read().decode("utf-8")
    finally:
        connection.close()


def forged(purpose: str, payload: str) -> str:
    return make_token(purpose, payload, key=b"not the office's secret")


ONE_CLICK = b"List-Unsubscribe=One-Click"
BIG = b"x=" + b"a" * (64 * 1024)
# (method, path, body) -> status, and the headers the answer must carry (None: must be absent)
WALK = [
    ("GET", "/healthz", None, 200, {"content-type": "text/plain; charset=utf-8"}),
    ("HEAD", "/healthz", None, 200, {}),
    ("POST", "/healthz", b"", 405, {"allow": "GET, HEAD", "content-type": HTML}),
    ("GET", "/no-such-page", None, 404, {"content-type": HTML}),
    ("POST", "/no-such-page", b"", 404, {"content-type": HTML}),
    ("GET", "/u/{unsubscribe S00001}", None, 200, {"content-type": HTML, "cache-control": "no-store",
                                                   "x-robots-tag": "noindex"}),
    ("POST", "/u/{unsubscribe S00002}", ONE_CLICK, 200, {"content-type": HTML, "cache-control": "no-store",
                                                         "x-robots-tag": "noindex"}),
    ("POST", "/u/{unsubscribe S00002}", ONE_CLICK, 200, {"cache-control": "no-store"}),  # again: still 200
    ("POST", "/u/{unsubscribe S00003}", b"", 200, {"content-type": HTML}),
    ("POST", "/u/{unsubscribe S99999}", ONE_CLICK, 200, {"content-type": HTML}),  # unknown reader: same answer
    ("POST", "/u/{unsubscribe S00001}", BIG, 413, {"content-type": HTML}),
    ("POST", "/u/{forged unsubscribe S00001}", ONE_CLICK, 403, {"content-type": HTML, "cache-control": None}),
    ("GET", "/u/{forged unsubscribe S00001}", None, 403, {"content-type": HTML}),
    ("POST", "/u/{preferences S00001}", ONE_CLICK, 403, {}),  # a genuine token of another purpose
    ("POST", "/u/garbage", ONE_CLICK, 403, {}),
    ("PUT", "/u/{unsubscribe S00001}", ONE_CLICK, 405, {"allow": "GET, HEAD, POST"}),
    ("DELETE", "/u/{unsubscribe S00001}", None, 405, {"allow": "GET, HEAD, POST"}),
    ("POST", "/u/{unsubscribe S00001}/x", ONE_CLICK, 404, {}),
    ("POST", "/u/", ONE_CLICK, 404, {}),
    ("POST", "/u", ONE_CLICK, 404, {}),
    ("POST", "/U/{unsubscribe S00001}", ONE_CLICK, 404, {}),
    ("GET", "/c/{click}", None, 303, {"location": "/notices/2026-11-16-winter-festival/",
                                      "referrer-policy": "no-referrer"}),
    ("GET", "/c/2026-11-26/zzzz", None, 404, {}),
    ("POST", "/c/{click}", b"", 405, {"allow": "GET, HEAD"}),
    ("GET", f"/surveys/{BUDGET}", None, 403, {"cache-control": "no-store"}),
    ("GET", f"/surveys/{BUDGET}?t={{survey}}", None, 200, {"cache-control": "no-store"}),
    ("POST", f"/surveys/{BUDGET}", {"t": "forged"}, 403, {}),
    ("POST", f"/surveys/{BUDGET}", BIG, 413, {}),
    ("PUT", f"/surveys/{BUDGET}", b"", 405, {"allow": "GET, HEAD, POST"}),
    ("GET", "/surveys/no-such", None, 404, {}),
    ("GET", f"/surveys/{BUDGET}/thanks", None, 200, {"content-type": HTML}),
    ("POST", f"/surveys/{BUDGET}/thanks", b"", 405, {"allow": "GET, HEAD"}),
    ("POST", "/subscribe", SIGN_UP, 303, {"location": "http://127.0.0.1:8080/subscribe/check"}),
    ("POST", "/subscribe", {**SIGN_UP, "email": "not an address"}, 400, {"cache-control": "no-store"}),
    ("POST", "/subscribe", {**SIGN_UP, "website": "http://spam"}, 303, {}),  # the honeypot: as if taken
    ("POST", "/subscribe", BIG, 413, {}),
    # the address of a form's answer opened again (history, a bookmark): the form, not a 405 page
    ("GET", "/subscribe", None, 303, {"location": "/subscribe/form/"}),
    ("GET", "/subscribe/check", None, 200, {"cache-control": "no-store"}),
    ("GET", "/subscribe/confirm?t={forged subscribe-confirm P1}", None, 403, {}),
    ("GET", "/subscribe/confirm", None, 403, {}),
    ("POST", "/subscribe/confirm", {"t": "{subscribe-confirm P-0}"}, 410, {}),
    ("PUT", "/subscribe/confirm", b"", 405, {"allow": "GET, HEAD, POST"}),
    ("GET", "/p/{preferences S00001}", None, 200, {"cache-control": "no-store"}),
    ("POST", "/p/{preferences S00001}", SAVE, 303, {"location": "http://127.0.0.1:8080/p/{preferences S00001}?saved=all,email"}),
    ("POST", "/p/{preferences S00001}", {**SAVE, "birth_year": "1800"}, 400, {}),
    ("GET", "/p/{preferences S99999}", None, 404, {}),
    ("GET", "/p/{forged preferences S00001}", None, 403, {}),
    ("GET", "/p/{unsubscribe S00001}", None, 403, {}),
    ("PUT", "/p/{preferences S00001}", b"", 405, {"allow": "GET, HEAD, POST"}),
    ("POST", "/p/{preferences S00001}/phone", {"code": "000000"}, 400, {}),
    ("GET", "/p/{preferences S00001}/phone", None, 303, {"location": "http://127.0.0.1:8080/p/{preferences S00001}"}),
    ("GET", "/p/link", None, 200, {}),
    ("POST", "/p/link", {"email": "nobody@example.com"}, 303, {"location": "http://127.0.0.1:8080/p/link/sent"}),
    ("GET", "/p/link/sent", None, 200, {}),
    ("GET", "/p/email?t={forged email-confirm P1}", None, 403, {}),
]


def spelled(text: str) -> str:
    """``{purpose ID}`` -> a genuine token; ``{forged purpose ID}`` -> a forged one; ``{click}``, ``{survey}``."""
    import re

    def token(found) -> str:
        words = found.group(1).split()
        if words == ["click"]:
            return "2026-11-26/" + click_code("2026-11-26", "email", "2026-11-16-winter-festival")
        if words == ["survey"]:
            from survey.rules import survey_token

            return survey_token(BUDGET, "S00001")
        if words[0] == "forged":
            return forged(words[1], words[2])
        return unsubscribe_token(words[1]) if words[0] == "unsubscribe" else make_token(words[0], words[1])

    return re.sub(r"\{([a-z -]+ ?[A-Z0-9-]*)\}", token, text)


@pytest.mark.parametrize("method, path, body, status, headers", WALK,
                         ids=[f"{m} {p} {s}" for m, p, _b, s, _h in WALK])
def test_every_route_answers_its_status_and_headers(server, method, path, body, status, headers):
    port, _project = server
    if isinstance(body, dict):
        body = {key: spelled(value) if isinstance(value, str) else value for key, value in body.items()}
    got_status, got_headers, page = call(port, method, spelled(path), body)
    assert got_status == status, page[:300]
    assert got_headers.get("referrer-policy") == "no-referrer", "no answer lends its address (a token) as a Referer"
    for name, value in headers.items():
        if name == "allow":  # a set: its order is not part of HTTP
            assert sorted(got_headers[name].split(", ")) == sorted(value.split(", "))
        else:
            assert got_headers.get(name) == (spelled(value) if value else None), name
    if got_headers.get("content-type") == HTML and method != "HEAD":
        assert page.startswith("<!doctype html>") and int(got_headers["content-length"]) == len(page.encode())


def _page_buttons_body(page: str) -> bytes:
    """What a browser posts for the unsubscribe page's button: the form's hidden fields."""
    form = page[page.index("<form"):page.index("</form>")]
    return urlencode(re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)">', form)).encode()


def test_a_providers_one_click_post_gets_a_short_answer_and_the_pages_button_the_page(tmp_path):
    """Both kinds of POST unsubscribe once and log it once; a mail provider's
    (RFC 8058: the body ``List-Unsubscribe=One-Click``, url-encoded or
    multipart, or none; its answer is shown to nobody) is answered by one
    sentence, the page's own button (a person's browser) by the full page."""
    project = copy_project(tmp_path)
    add_subscribers(store_of(project), 4)
    app = make_app(Project(project / "pelicanconf.py"))
    multipart = (b'--b\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--b--\r\n',
                 {"Content-Type": "multipart/form-data; boundary=b"})
    with serving(app) as port:
        button = _page_buttons_body(call(port, "GET", f"/u/{unsubscribe_token('S00004')}")[2])
        posts = {"S00001": (ONE_CLICK, FORM), "S00002": multipart, "S00003": (None, {}), "S00004": (button, FORM)}
        answers = {subscriber: [call(port, "POST", f"/u/{unsubscribe_token(subscriber)}", body, headers)
                                for _twice in range(2)] for subscriber, (body, headers) in posts.items()}
    for subscriber, (status, headers, page) in [(s, answer) for s, twice in answers.items() for answer in twice]:
        assert status == 200 and "수신 거부가 완료되었습니다" in page and page.startswith("<!doctype html>"), subscriber
        assert (headers["cache-control"], headers["x-robots-tag"], headers["content-type"]) == ("no-store", "noindex", HTML)
        assert set(headers) == {"content-type", "content-length", "cache-control", "x-robots-tag", "referrer-policy",
                                "date", "server"}
        full = "하루 이틀" in page and "<style>" in page and '<html lang="ko">' in page
        assert (full, len(page.encode()) < 300) == ((True, False) if subscriber == "S00004" else (False, True)), subscriber
    logged = store_query(project, "SELECT subscriber_id, source FROM consent_log_columns WHERE field = 'unsubscribed_at' "
                                  "ORDER BY subscriber_id")
    assert logged == [(subscriber, "unsubscribe-link") for subscriber in posts]
    assert store_query(project, "SELECT count(*) FROM subscribers WHERE unsubscribed_at IS NULL") == [(0,)]


def test_the_one_click_post_is_answered_before_werkzeug_and_the_rest_by_the_full_route(tmp_path):
    """The lean route takes only a one-click POST with a genuine token and a
    body within the limit; everything else is left to the full route (None)."""
    project = copy_project(tmp_path)
    add_subscribers(project / "private" / "sotong.db", 2)
    app = make_app(Project(project / "pelicanconf.py"))

    def environ(method: str, path: str, length: str = "26") -> dict:
        return {"REQUEST_METHOD": method, "PATH_INFO": path, "CONTENT_LENGTH": length,
                "CONTENT_TYPE": FORM["Content-Type"], "wsgi.input": io.BytesIO(ONE_CLICK)}

    first = app.lean_answer(environ("POST", f"/u/{unsubscribe_token('S00001')}"))
    assert first is not None and first.status == "200 OK" and "수신 거부가 완료되었습니다" in first.body.decode()
    assert app.lean_answer(environ("POST", f"/u/{unsubscribe_token('S00002')}", "")) is first  # made once
    assert [row[0] is not None for row in store_query(project, "SELECT unsubscribed_at FROM subscribers ORDER BY id")] \
        == [True, True]
    token = unsubscribe_token("S00001")
    full_status, full_headers, full_body = _full_answer(app, f"/u/{token}")  # as another server might send it
    assert (full_status, full_body) == (first.status, first.body)
    assert sorted(full_headers) == sorted(first.headers)
    for left in (environ("POST", f"/u/{forged('unsubscribe', 'S00001')}"), environ("GET", f"/u/{token}"),
                 environ("POST", f"/u/{token}/x"), environ("POST", "/u/"), environ("POST", "/u"),
                 environ("POST", f"/u/{token}", str(64 * 1024 + 1)), environ("POST", f"/u/{token}", "-1"),
                 environ("POST", f"/surveys/{BUDGET}"), environ("POST", f"//u/{token}")):
        assert app.lean_answer(left) is None, left


def test_on_postgresql_each_server_thread_has_its_own_connection(tmp_path):
    """While one thread holds its store (a slow query), another's unsubscribe
    is answered and stored: PostgreSQL keeps the transactions apart, so the
    collector's threads do not wait for each other's connection (#15)."""
    project = project_on(new_store_location("postgresql", tmp_path), tmp_path)
    add_subscribers(store_of(project), 2)
    app = make_app(Project(project / "pelicanconf.py"))
    with serving(app) as port, app.store() as held:
        held.db.execute("SELECT 1")
        status, _headers, _page = call(port, "POST", f"/u/{unsubscribe_token('S00002')}", ONE_CLICK)
        with app.store() as same:
            assert same is held  # this thread's, again
    assert status == 200
    assert store_query(project, "SELECT unsubscribed_at IS NOT NULL FROM subscribers WHERE id = 'S00002'") == [(True,)]


def _full_answer(app, path: str) -> tuple[str, list, bytes]:
    """``POST path`` answered by the full route (werkzeug), in this process."""
    from werkzeug.test import EnvironBuilder

    answer = {}
    environ = EnvironBuilder(path=path, method="POST", data=ONE_CLICK, content_type=FORM["Content-Type"]).get_environ()
    body = b"".join(app.full_answer(environ, lambda status, headers: answer.update(status=status, headers=headers)))
    return answer["status"], answer["headers"], body


def _slow_app(environ, start_response):
    time.sleep(0.05)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


@contextlib.contextmanager
def _lines_of(name: str, level: int = logging.WARNING):
    """The records logger ``name`` writes within, at ``level`` and above."""
    written = []
    catcher = logging.Handler()
    catcher.emit = written.append
    logger = logging.getLogger(name)
    logger.addHandler(catcher)
    before = logger.level
    logger.setLevel(level)
    try:
        yield written
    finally:
        logger.removeHandler(catcher)
        logger.setLevel(before)


def _busy(port: int, requests: int) -> None:
    """``requests`` requests at once to a collector of four threads."""
    all_at_once([threading.Thread(target=call, args=(port, "GET", "/")) for _ in range(requests)])


def test_waitress_all_threads_busy_warning_is_written_at_most_once_a_minute():
    """Waitress warns for every request that finds its threads busy; in a
    burst the collector writes that line once, not at every request."""
    with _lines_of("waitress.queue") as written, serving(_slow_app) as port:
        _busy(port, 24)
    assert len(written) <= 1 and all("Task queue depth" in record.getMessage() for record in written)


def test_on_postgresql_a_lost_connection_is_opened_again(tmp_path):
    """After the database drops the collector's connections (a restart), the
    thread that had one finds out at its next request (500) and answers the
    ones after it on a new connection (503 while the server refuses one); every 200 was stored; the mail thread
    lives on (it tries again later)."""
    import time

    project = project_on(new_store_location("postgresql", tmp_path), tmp_path)
    ids = add_subscribers(store_of(project), 25)
    app = make_app(Project(project / "pelicanconf.py"))
    with serving(app) as port:  # four threads
        assert call(port, "POST", f"/u/{unsubscribe_token(ids[0])}", ONE_CLICK)[0] == 200
        store_query(project, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                             "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        answers = {subscriber: call(port, "POST", f"/u/{unsubscribe_token(subscriber)}", ONE_CLICK)[0]
                   for subscriber in ids[1:]}
        # a sign-up wakes the mail thread, whose connection was dropped too: it says so and stays
        assert call(port, "POST", "/subscribe", SIGN_UP)[0] == 303
        time.sleep(1)
        assert app.subscriptions.mailer._thread.is_alive()
    # the request on the dropped connection is a 500; a new connection the server refuses for a moment (as it
    # ends the old ones, on a loaded machine) is a 503 with Retry-After while it waits; then 200s again
    statuses = list(answers.values())
    assert set(statuses) <= {200, 500, 503} and statuses.count(500) <= 1 and statuses[-1] == 200
    stored = {row[0] for row in store_query(project, "SELECT id FROM subscribers WHERE unsubscribed_at IS NOT NULL")}
    assert stored == {ids[0]} | {subscriber for subscriber, status in answers.items() if status == 200}


def test_waitresss_lines_the_operator_reads_are_in_the_staffs_language(monkeypatch):
    """``sotong serve`` printed waitress's own English under its Korean level
    names (주의       Task queue depth is 1) whenever a burst found every thread
    busy, and when connections reached their limit: now in Korean, with
    their numbers, as every other line of the collector."""
    from sotong.web import ConnectionLimits

    monkeypatch.setenv("SOTONG_LANG", "ko")
    monkeypatch.setattr("sotong.web._OncePerInterval.filter", lambda self, record: True)  # every line, not one a minute
    with _lines_of("waitress", logging.INFO) as written:  # as sotong serve -v
        with serving(_slow_app) as port:
            _busy(port, 12)
        with serving(_slow_app, limits=ConnectionLimits(connections=4)) as port:  # its socket and trigger, and two
            held = [socket.create_connection(("127.0.0.1", port)) for _ in range(3)]
            time.sleep(0.3)
            for connection in held:
                connection.close()
            time.sleep(1.5)
    said = {record.getMessage() for record in written}
    assert any(re.fullmatch(r"요청 처리 스레드가 모두 바빠 요청 \d+건이 차례를 기다립니다.*", line) for line in said), said
    assert {"열린 연결이 한도에 이르러, 새 연결은 열린 연결이 닫힐 때까지 기다립니다",
            "열린 연결이 한도 아래로 줄어 새 연결을 다시 받습니다"} <= said, said
    assert not [line for line in said if re.search(r"[A-Za-z]{4,}", line.replace("sotong serve --threads", ""))], said


def _root_links(page: str) -> set[str]:
    return {link for link in re.findall(r'href="([^"]*)"', page) if link.startswith("/")}


def test_in_development_the_collectors_links_to_the_site_lead_to_its_built_pages(tmp_path):
    """With the development settings' empty SITEURL the collector's pages link
    to the site by root-relative paths: the header's menu, the privacy link,
    「다시 신청하기」 and ``GET /subscribe``'s 303 all led to 404 pages of the
    collector. It answers them with the built site's files now (GET and HEAD
    only, nothing outside output/); with an http(s) SITEURL it serves none."""
    from sample_site import dev_site

    built = dev_site().output
    (tmp_path / "dev").mkdir(); (tmp_path / "published").mkdir()
    project = copy_project(tmp_path / "dev", notices=False, extra_settings=f"OUTPUT_PATH = {str(built)!r}\n")
    with serving(make_app(Project(project / "pelicanconf.py"))) as port:
        links = _root_links(call(port, "GET", "/subscribe/check")[2])
        assert {"/", "/category/", "/privacy/", "/subscribe/form/"} <= links
        for link in links:
            status, headers, page = call(port, "GET", link)
            if status == 303:  # /subscribe/ is the sign-up's route: its 303 to the form
                status, headers, page = call(port, "GET", headers["location"])
            assert status == 200 and headers["content-type"] == HTML and page.startswith("<!doctype html>"), link
        assert call(port, "GET", "/subscribe")[1]["location"] == "/subscribe/form/"
        assert call(port, "GET", "/theme/css/sotong.css")[1]["content-type"].startswith("text/css")
        assert call(port, "HEAD", "/category/")[0] == 200
        assert call(port, "POST", "/category/", b"")[0] == 404
        assert call(port, "GET", "/%2e%2e/pelicanconf.py")[0] == 404
        assert call(port, "GET", "/no-such-page/")[0] == 404
    published = copy_project(tmp_path / "published", notices=False,
                             extra_settings=f'OUTPUT_PATH = {str(built)!r}\nSITEURL = "https://www.sd.go.kr/sotong"\n')
    with serving(make_app(Project(published / "pelicanconf.py"))) as port:
        assert call(port, "GET", "/category/")[0] == 404
