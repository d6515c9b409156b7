"""The collector over real HTTP: waitress in a thread (and ``sotong serve`` as
a subprocess) on 127.0.0.1, ephemeral ports. Unsubscribe by the GET page and
by RFC 8058 one-click POST, replays, forged tokens, the body limit, /healthz,
and the next bundles leaving the reader out."""

from __future__ import annotations

import http.client
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from project_support import REPO, copy_project, project_on, serving, store_of, store_query
from delivery_support import add_subscribers, run_cli
from processes import stop_process

from sotong.project import Project
from sotong.tokens import make_token, unsubscribe_token
from sotong.web import make_app


@pytest.fixture
def project(tmp_path, store_location) -> Path:
    """The sample project, once on SQLite and once on PostgreSQL."""
    return project_on(store_location, tmp_path)


@pytest.fixture
def server(project):
    """The project's collector app served by waitress on a free port."""
    app = make_app(Project(project / "pelicanconf.py"))
    with serving(app) as port:
        yield port


def request(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode("utf-8")
    finally:
        connection.close()


def unsubscribed(project: Path) -> dict:
    return dict(store_query(project, "SELECT id, unsubscribed_at FROM subscribers"))


ONE_CLICK = {"Content-Type": "application/x-www-form-urlencoded"}


def test_healthz_and_korean_error_pages(server):
    assert request(server, "GET", "/healthz")[::2] == (200, "ok")
    status, headers, page = request(server, "GET", "/no-such-page")
    assert status == 404 and '<html lang="ko">' in page and "페이지를 찾을 수 없습니다" in page
    # it said only that the address moved or is gone: a link cut short in a mail (a click link) is pressed again,
    # and the notices are on the site, which the page links
    assert "그 링크를 다시 눌러 보세요" in page and "「성동구 소통 첫 화면으로 가기」에서 모두" in page, page
    assert '<a href="/">성동구 소통 첫 화면으로 가기</a>' in page, page
    assert "<script" not in page and "http" not in page.split("<body>")[1]  # no CDN, nothing external


def test_error_pages_give_the_office_phone_of_the_settings(tmp_path):
    project = copy_project(tmp_path, extra_settings='OFFICE_PHONE = "02-2286-7000"\n')
    with serving(make_app(Project(project / "pelicanconf.py"))) as port:
        status, _headers, page = request(port, "GET", "/no-such-page")
        assert status == 404 and '문의 <a href="tel:02-2286-7000">02-2286-7000</a>' in page and "5114" not in page
        status, _headers, page = request(port, "GET", f"/u/{unsubscribe_token('S00001')}")
        assert status == 200 and '문의 <a href="tel:02-2286-7000">' in page and "5114" not in page
        assert '다시 받고 싶으시면 <a href="/subscribe/">구독 안내</a>에서 신청해 주세요' in page  # the way back
        status, _headers, page = request(port, "GET", "/p/link/sent")
        assert status == 200 and '전화(<a href="tel:02-2286-7000">02-2286-7000</a>)로 연락해 주세요' in page and "5114" not in page


def test_get_shows_a_one_button_page_and_changes_nothing(project, server):
    add_subscribers(store_of(project), 2)
    status, headers, page = request(server, "GET", f"/u/{unsubscribe_token('S00001')}")
    assert status == 200 and headers["Cache-Control"] == "no-store"
    assert '<html lang="ko">' in page and "<h1>소식 받기를 그만하시겠습니까?</h1>" in page
    assert re.search(r'<form method="post">\s*<input type="hidden" name="answer" value="page">\s*'
                     r'<button type="submit">수신 거부하기</button>\s*</form>', page)
    assert "<script" not in page and "s00001@mail.test" not in page
    assert unsubscribed(project) == {"S00001": None, "S00002": None}


def test_one_click_post_unsubscribes_at_once_and_replays_are_idempotent(project, server):
    add_subscribers(store_of(project), 3)
    path = f"/u/{unsubscribe_token('S00002')}"
    status, _, page = request(server, "POST", path, b"List-Unsubscribe=One-Click", ONE_CLICK)
    assert status == 200 and "수신 거부가 완료되었습니다" in page
    first = unsubscribed(project)
    assert first["S00002"] is not None and first["S00001"] is None and first["S00003"] is None
    status, _, page = request(server, "POST", path, b"List-Unsubscribe=One-Click", ONE_CLICK)
    assert status == 200 and "수신 거부가 완료되었습니다" in page
    assert unsubscribed(project) == first  # the date of the first stays
    assert "이미 수신 거부되어 있습니다" in request(server, "GET", path)[2]
    # an empty form works too (no cookie, no other token)
    status, _, _ = request(server, "POST", f"/u/{unsubscribe_token('S00003')}", b"", ONE_CLICK)
    assert status == 200 and unsubscribed(project)["S00003"] is not None


def test_forged_or_tampered_tokens_get_403_and_change_nothing(project, server):
    add_subscribers(store_of(project), 2)
    genuine = unsubscribe_token("S00001")
    payload, mac = genuine.split(".")
    forged = [
        make_token("unsubscribe", "S00001", key=b"not the office's secret"),
        make_token("survey", "S00001"),  # a genuine token for another purpose
        f"{unsubscribe_token('S00002').split('.')[0]}.{mac}",  # another reader's id, this MAC
        f"{payload}.{'B' if mac[0] == 'A' else 'A'}{mac[1:]}",  # one character of the MAC changed
        "garbage",
    ]
    for token in forged:
        for method in ("GET", "POST"):
            status, _, page = request(server, method, f"/u/{token}", b"List-Unsubscribe=One-Click", ONE_CLICK)
            assert status == 403, token
            assert "링크가 올바르지 않습니다" in page
    # a link cut short by a mail program: pressed again, the same page, and the resident could not stop the mail;
    # the page now says to call, with the number to tap, in its text (not only in the footer)
    main = page.split("<main", 1)[1].split("</main>", 1)[0]
    assert "잘렸거나" in main and '<a href="tel:02-2286-5114">02-2286-5114</a>' in main
    # the link to press again is named as the email's footer shows it (themes/email/email.html)
    assert "「수신거부」 링크" in main and ">수신거부</a>" in (REPO / "themes" / "email" / "email.html").read_text(encoding="utf-8")
    assert unsubscribed(project) == {"S00001": None, "S00002": None}


def test_bodies_over_64_kib_get_413(project, server):
    add_subscribers(store_of(project), 1)
    path = f"/u/{unsubscribe_token('S00001')}"
    status, _, page = request(server, "POST", path, b"x=" + b"a" * (64 * 1024), ONE_CLICK)
    assert status == 413 and "보내신 내용이 너무 깁니다" in page
    assert unsubscribed(project) == {"S00001": None}
    assert request(server, "POST", path, b"List-Unsubscribe=One-Click", ONE_CLICK)[0] == 200


def test_a_body_of_exactly_64_kib_is_read_and_one_byte_more_is_413(project, server):
    """SPEC §9: 413 for a body *over* 64 KiB; one of 64 KiB is answered as
    any other (here: a genuine one-click unsubscribe, a survey's bad token)."""
    add_subscribers(store_of(project), 1)
    one_click = b"List-Unsubscribe=One-Click&x="
    for path, first, answer in ((f"/u/{unsubscribe_token('S00001')}", one_click, 200),
                                ("/surveys/budget-vote-2027", b"t=forged&x=", 403)):
        whole = first + b"a" * (64 * 1024 - len(first))
        assert len(whole) == 65536
        assert request(server, "POST", path, whole, ONE_CLICK)[0] == answer
        assert request(server, "POST", path, whole + b"a", ONE_CLICK)[0] == 413
    assert unsubscribed(project)["S00001"] is not None


def test_sotong_serve_runs_the_collector_and_the_next_bundles_leave_the_reader_out(project):
    settings = project / "pelicanconf.py"
    assert run_cli(settings, "subscribers", "import", str(REPO / "sample" / "subscribers.csv")).code == 0
    assert run_cli(settings, "bundles", "--issue", "2026-11-26").code == 0
    manifest = project / "private" / "outbox" / "2026-11-26" / "manifest.jsonl"
    reader = json.loads(manifest.read_text(encoding="utf-8").splitlines()[0])["id"]
    process = subprocess.Popen([sys.executable, "-m", "sotong", "serve", "--port", "0", "-s", str(settings)],
                               stderr=subprocess.PIPE, text=True)
    try:
        announced = process.stderr.readline()
        port = int(re.search(r"http://127\.0\.0\.1:(\d+)", announced).group(1))
        assert request(port, "GET", "/healthz")[0] == 200
        status, _, _ = request(port, "POST", f"/u/{unsubscribe_token(reader)}", b"List-Unsubscribe=One-Click", ONE_CLICK)
        assert status == 200
    finally:
        stop_process(process)
        said_after = process.stderr.read()
        process.stderr.close()
    # which store it serves (after the warning of no SOTONG_SECRET): a mistyped SOTONG_DB shows at once
    store_line = [line for line in said_after.splitlines() if not line.startswith("WARNING")][0]
    readers = store_query(project, "SELECT count(*) FROM subscribers")[0][0]
    assert store_line.endswith(f", {readers:,} subscribers"), store_line
    assert store_line.startswith("Store: PostgreSQL t_" if "postgresql" in str(store_of(project)) else "Store: ")
    assert unsubscribed(project)[reader] is not None
    assert run_cli(settings, "bundles", "--issue", "2026-11-26").code == 0
    ids = {json.loads(line)["id"] for line in manifest.read_text(encoding="utf-8").splitlines()}
    assert reader not in ids and ids


@pytest.mark.parametrize("command, host, port", [("serve", "127.0.0.1", 8080), ("devserver", "127.0.0.1", 8000)])
def test_the_collector_and_the_preview_listen_where_spec_9_and_12_say_unless_told(command, host, port):
    """``sotong serve [--host H] [--port P]`` (default 127.0.0.1:8080) and
    ``sotong devserver`` (default 127.0.0.1:8000), as click reads a command
    line without the options."""
    from sotong.cli import cli

    chosen = cli.commands[command].make_context(command, [])
    assert (chosen.params["host"], chosen.params["port"]) == (host, port)


def test_sotong_serve_says_when_it_made_a_store_where_there_was_none(tmp_path):
    """A mistyped SOTONG_DB (``sotnog.db``) made an empty store in silence,
    and sign-ups went where no command would look: the collector says it
    made one, for the operator to stop it unless this is a first install."""
    project = copy_project(tmp_path, extra_settings='SOTONG_DB = "private/sotnog.db"\n')
    process = subprocess.Popen([sys.executable, "-m", "sotong", "serve", "--port", "0", "-s",
                                str(project / "pelicanconf.py")], stderr=subprocess.PIPE, text=True)
    try:
        port = int(re.search(r"http://127\.0\.0\.1:(\d+)", process.stderr.readline()).group(1))
        assert request(port, "GET", "/healthz")[0] == 200  # serving: every line of its start said
    finally:
        stop_process(process)
        said = process.stderr.read()
        process.stderr.close()
    said = [line for line in said.splitlines() if not line.startswith("WARNING")][0]
    assert said.startswith("private/sotnog.db: there was no store there, so the collector made an empty one."), said
    assert "check SOTONG_DB" in said and (project / "private" / "sotnog.db").is_file()

