"""The collector against hostile clients, over real HTTP:

- a HEAD (what link scanners in mail clients send) on a confirmation link
  confirms nothing;
- a request line waitress cannot read gets its 400, and no error in the log;
- a link with a doubled slash is sent on to the same path, not to the host
  and scheme the request named (its Host header is anyone's to write);
- what waitress refuses before the app sees it (headers over the limit,
  as a district's many cookies make them; a body over its own limit) gets
  the collector's Korean page, not waitress's English text;
- a reader's own link cannot make the office text codes or mail
  confirmations to any number or address without end (SUBSCRIBE_RATE per
  reader), and a phone code takes five guesses and no more;
- nor can one home's or phone's IPv6 network, by sending each request from
  another of its 2**64 addresses (behind the office's proxy too);
- behind the office's proxy, only the last address of X-Forwarded-For (the
  one the proxy wrote) names the client: what the client wrote before it
  (a quote got waitress's English "malformed" text) changes nothing;
- the rate's count of clients in the store stays small however many
  addresses come (one IPv6 network holds billions);
- a failure on a reader's link is logged without its token, which would
  open their page to whoever reads the log, and so is a reader who closed
  the page before its answer came (waitress's line, with ``-v``);
- a consultation's answer whose opinion could not be kept is not kept
  either, so the resident can send it again;
- a confirmation button clicked many times at once (on PostgreSQL too)
  makes one subscriber;
- an answer that waited longer than SQLite waits for another program's
  write gets 503 and Retry-After (it got 500 and a traceback), and is
  taken when sent again."""

from __future__ import annotations

import http.client
import logging
import socket
import threading
import time
from urllib.parse import urlencode

import pytest
from hypothesis import given, settings, strategies as st
from delivery_support import add_subscribers
from project_support import BACKENDS, all_at_once, copy_project, new_store_location, project_on, serving, sms_code_file, store_query

from sotong.project import Project
from sotong.settings import MAX_BODY_BYTES
from sotong.store import Store
from sotong.tokens import make_token, unsubscribe_token
from sotong.web import forwarded_client, make_app
from subscriptions import storage
from survey import opinions
from survey.rules import survey_token

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
SIGN_UP = {"email": "scanned@example.com", "fields": ["health"], "channels": "email", "birth_year": "1950",
           "dong": "majang", "consent": "yes", "website": ""}
CONSULTATION = "village-bus-2027"  # a survey of kind consultation (SPEC §16), open 2026-12-14 to 2027-01-08
SAVE = {"email": "s00001@example.com", "fields": ["health"], "channels": "email", "birth_year": "1960",
        "dong": "yongdap", "action": "save"}


@pytest.fixture
def served(tmp_path):
    """(port, project) of a collector with three readers (S00001 at s00001@example.com...) and SUBSCRIBE_RATE 3/hour."""
    project = copy_project(tmp_path, extra_settings='SUBSCRIBE_RATE = "3/hour"\n')
    add_subscribers(project / "private" / "sotong.db", 3)
    store_query(project, "UPDATE subscribers SET email = lower(id) || '@example.com'")  # addresses the form takes
    with serving(make_app(Project(project / "pelicanconf.py"))) as port:
        yield port, project


def call(port: int, method: str, path: str, fields: dict | None = None) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        body = None if fields is None else urlencode(fields, doseq=True).encode()
        connection.request(method, path, body=body, headers=FORM if body is not None else {})
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8")
    finally:
        connection.close()


def pending(project, purpose: str) -> list[tuple]:
    return store_query(project, "SELECT id, used_at FROM subscriptions_pending WHERE purpose = ?", (purpose,))


def test_a_head_on_the_sign_up_confirmation_link_confirms_nothing(served):
    port, project = served
    assert call(port, "POST", "/subscribe", SIGN_UP)[0] == 303
    [(pending_id, _used)] = pending(project, "signup")
    link = "/subscribe/confirm?t=" + make_token("subscribe-confirm", pending_id)
    assert call(port, "HEAD", link)[0] == 200
    assert pending(project, "signup") == [(pending_id, None)]
    assert store_query(project, "SELECT id FROM subscribers WHERE email = ?", (SIGN_UP["email"],)) == []
    assert call(port, "POST", "/subscribe/confirm", {"t": make_token("subscribe-confirm", pending_id)})[0] == 200
    assert len(store_query(project, "SELECT id FROM subscribers WHERE email = ?", (SIGN_UP["email"],))) == 1


def test_a_head_on_the_address_change_link_changes_nothing(served):
    port, project = served
    assert call(port, "POST", "/p/" + make_token("preferences", "S00001"), {**SAVE, "email": "new@example.com"})[0] == 303
    [(pending_id, _used)] = pending(project, "email")
    assert call(port, "HEAD", "/p/email?t=" + make_token("email-confirm", pending_id))[0] == 200
    assert pending(project, "email") == [(pending_id, None)]
    assert store_query(project, "SELECT email FROM subscribers WHERE id = 'S00001'") == [("s00001@example.com",)]


def test_heads_on_the_link_request_form_are_not_counted_as_requests(served):
    port, _project = served
    for _ in range(5):
        assert call(port, "HEAD", "/p/link")[0] == 200
    assert call(port, "POST", "/p/link", {"email": "s00001@example.com"})[0] == 303  # not 429


BROKEN = [b"get /healthz HTTP/1.1\r\n", b"GET /surveys/\xff\xfe HTTP/1.1\r\n", b"G\x00T /u/x HTTP/1.1\r\n",
          b"POST /u/x HTTP/1.1\r\na header without its colon\r\n"]


@pytest.mark.parametrize("line", BROKEN)
def test_a_request_line_waitress_cannot_read_gets_400_and_no_error_in_the_log(served, line, caplog):
    port, _project = served
    with socket.create_connection(("127.0.0.1", port), timeout=10) as client, caplog.at_level(logging.WARNING):
        client.sendall(line + b"Host: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := client.recv(4096):
            answer += chunk
    assert answer.startswith((b"HTTP/1.0 400 ", b"HTTP/1.1 400 ")), answer[:200]
    assert [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR] == []
    assert call(port, "GET", "/healthz") == (200, "ok")


def raw_answer(port: int, request: bytes) -> bytes:
    """The whole answer to ``request`` sent as it is."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
        client.sendall(request)
        answer = b""
        while chunk := client.recv(4096):
            answer += chunk
    return answer


REFUSED_BEFORE_THE_APP = [  # (what, the request, status, the page's title)
    ("cookies", b"GET /p/x HTTP/1.1\r\nHost: x\r\nCookie: " + b"a=b; " * 3500 + b"\r\nConnection: close\r\n\r\n",
     431, "주소나 브라우저 정보가 너무 깁니다"),  # what to do about it: not the 400's "go back and try again"
    ("body", b"POST /subscribe HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
             b"Content-Length: 300000\r\nConnection: close\r\n\r\n", 413, "보내신 내용이 너무 깁니다"),
    ("line", BROKEN[0] + b"Host: x\r\nConnection: close\r\n\r\n", 400, "요청을 처리할 수 없습니다"),
    # a client asking whether to send a body over the limit was told "100 Continue" (up to 4 × the limit, the
    # collector's own page then refusing it, or waitress's after it): refused at once, the first answer the 413
    *((f"asked {length}", b"POST /subscribe HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                          b"Expect: 100-continue\r\nContent-Length: %d\r\n\r\n" % length, 413, "보내신 내용이 너무 깁니다")
      for length in (MAX_BODY_BYTES + 1, 10_000_000)),
]


@pytest.mark.parametrize("what, request_bytes, status, title", REFUSED_BEFORE_THE_APP,
                         ids=[case[0] for case in REFUSED_BEFORE_THE_APP])
def test_what_waitress_refuses_gets_the_collectors_korean_page(served, what, request_bytes, status, title):
    port, _project = served
    head, _blank, body = raw_answer(port, request_bytes).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value for name, _colon, value in (line.partition(": ") for line in lines[1:])}
    assert lines[0].split(" ")[1] == str(status)
    assert headers["content-type"] == "text/html; charset=utf-8" and headers["referrer-policy"] == "no-referrer"
    page = body.decode("utf-8")
    assert f"<h1>{title}</h1>" in page and '<html lang="ko">' in page and "generated by" not in page
    assert int(headers["content-length"]) == len(body)


@pytest.mark.parametrize("path", ["/p//link", "/u//{token}", "/surveys//budget-vote-2027?t={token}"])
def test_a_doubled_slash_is_sent_on_to_the_path_not_to_the_host_the_request_named(served, path):
    port, _project = served
    token = unsubscribe_token("S00001")
    path = path.format(token=token)
    head = raw_answer(port, f"GET {path} HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n".encode())
    lines = head.partition(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")
    assert lines[0].startswith("HTTP/1.1 308 ")
    assert f"Location: {path.replace('//', '/')}" in lines


def sms_codes(project) -> list[str]:
    return sms_code_file(project).splitlines()[1:]


def test_a_readers_link_sends_codes_and_confirmations_only_at_the_rate(served):
    port, project = served
    path = "/p/" + make_token("preferences", "S00001")
    for number in range(3):
        assert call(port, "POST", path, {**SAVE, "phone": f"010-9999-000{number}"})[0] == 303
    status, page = call(port, "POST", path, {**SAVE, "phone": "010-9999-0009", "birth_year": "1970"})
    # the page again, with what was typed (it was a page saying to try again in an hour, the answers gone)
    assert status == 429 and "뒤에 「바꾼 내용 저장」을 다시 눌러 주세요" in page
    assert 'value="010-9999-0009"' in page and 'value="1970"' in page
    status, _page = call(port, "POST", path, {**SAVE, "email": "victim@example.com", "birth_year": "1970"})
    assert status == 429
    assert len(sms_codes(project)) == 3 and len(pending(project, "phone")) == 3 and pending(project, "email") == []
    assert store_query(project, "SELECT birth_year FROM subscribers WHERE id = 'S00001'") == [(1960,)]  # nothing changed
    assert call(port, "POST", path, {**SAVE, "birth_year": "1970"})[0] == 303  # a change that sends nothing: saved
    assert store_query(project, "SELECT birth_year FROM subscribers WHERE id = 'S00001'") == [(1970,)]
    other = "/p/" + make_token("preferences", "S00002")  # another reader has a rate of its own
    assert call(port, "POST", other, {**SAVE, "email": "s00002@example.com", "phone": "010-9999-0002"})[0] == 303


def from_address(port: int, path: str, fields: dict, client: str) -> int:
    """The status of a form posted through the office's proxy (127.0.0.1) for ``client``."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("POST", path, body=urlencode(fields, doseq=True),
                           headers={**FORM, "X-Forwarded-For": f"198.51.100.7, {client}"})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def test_one_ipv6_network_is_one_client_whichever_of_its_addresses_it_sends_from(tmp_path):
    project = copy_project(tmp_path, extra_settings='SUBSCRIBE_RATE = "3/hour"\nCOLLECTOR_PROXY = "127.0.0.1"\n')
    add_subscribers(project / "private" / "sotong.db", 1)
    with serving(make_app(Project(project / "pelicanconf.py"))) as port:
        statuses = [from_address(port, "/subscribe", {**SIGN_UP, "email": f"victim{number}@example.com"},
                                 f"2001:db8:1:2:{number:x}::{number:x}") for number in range(6)]
        assert statuses == [303] * 3 + [429] * 3
        assert from_address(port, "/p/link", {"email": "s00001@example.com"}, "2001:db8:1:2:ffff::1") == 429
        assert from_address(port, "/subscribe", {**SIGN_UP, "email": "next@example.com"}, "2001:db8:1:3::1") == 303
        assert [from_address(port, "/p/link", {"email": "s00001@example.com"}, f"203.0.113.{number}")
                for number in (9, 9, 9, 9, 10)] == [303, 303, 303, 429, 303]  # an IPv4 address is a client of its own
    assert len(pending(project, "signup")) == 4


def sprayed(count: int, network: int = 0) -> list[str]:
    return [f"2001:db8:{network:x}::{number:x}" for number in range(count)]


@pytest.fixture
def rate_store(tmp_path):
    store = storage.ensure(Store.open(tmp_path / "sotong.db"))
    yield store
    store.close()


def counted(store, client: str, now: float, limit: int = 2) -> bool:
    """Whether a request of ``client`` at ``now`` is taken (limit 2 an hour), after the minute's clean-up."""
    with store.transaction():
        storage.drop_expired(store, now)
        return storage.count_request(store, client, limit, 3600, now) == 0


def test_the_count_forgets_the_clients_gone_quiet(rate_store):
    assert all(counted(rate_store, client, 0.0) for client in sprayed(1000))
    assert counted(rate_store, "203.0.113.9", 3600.0)  # an hour on: the thousand have nothing left in the window
    assert rate_store.db.execute("SELECT count(*) FROM subscriptions_rate").fetchone()[0] == 1


def test_the_count_stays_bounded_under_addresses_sprayed_within_one_window(rate_store, monkeypatch):
    """Each request counted is a row of the store, whichever collector took
    it: addresses sprayed from one IPv6 network (billions) grow the table
    to MOST_COUNTED and no further; below it, a client over the rate stays
    refused."""
    monkeypatch.setattr(storage, "MOST_COUNTED", 1000)
    for number, client in enumerate(sprayed(10_000)):
        counted(rate_store, client, number / 10)
        assert rate_store.db.execute("SELECT count(*) FROM subscriptions_rate").fetchone()[0] <= 1001
    rate_store.db.execute("DELETE FROM subscriptions_rate")
    assert counted(rate_store, "203.0.113.9", 1000.0) and counted(rate_store, "203.0.113.9", 1000.0)
    for client in sprayed(500, 1):
        counted(rate_store, client, 1000.0)
    assert not counted(rate_store, "203.0.113.9", 1000.0)


def test_a_phone_code_takes_five_guesses_and_no_more(served):
    port, project = served
    path = "/p/" + make_token("preferences", "S00001")
    assert call(port, "POST", path, {**SAVE, "phone": "010-9999-0001"})[0] == 303
    code = sms_codes(project)[-1].split("인증번호 ")[1][:6]
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(5):
        assert call(port, "POST", path + "/phone", {"code": wrong})[0] == 400
    assert call(port, "POST", path + "/phone", {"code": code})[0] == 400
    assert store_query(project, "SELECT phone FROM subscribers WHERE id = 'S00001'") == [("010-1000-0001",)]  # the old one


def test_a_failure_on_a_readers_link_is_logged_without_its_token(served, caplog):
    port, project = served
    store_query(project, "ALTER TABLE subscribers RENAME TO subscribers_away")  # every reader's page fails now
    preferences, unsubscribe = make_token("preferences", "S00001"), unsubscribe_token("S00001")
    with caplog.at_level(logging.ERROR):
        assert call(port, "GET", f"/p/{preferences}")[0] == 500
        assert call(port, "POST", f"/p/{preferences}/phone", {"code": "123456"})[0] == 500
        assert call(port, "POST", f"/u/{unsubscribe}", {"List-Unsubscribe": "One-Click"})[0] == 500
    assert [record.getMessage() for record in caplog.records if record.name == "sotong.web"] == [
        "error while answering GET /p/TOKEN", "error while answering POST /p/TOKEN/phone",
        "error while answering POST /u/TOKEN"]
    assert preferences.split(".")[1] not in caplog.text and unsubscribe.split(".")[1] not in caplog.text


def test_a_reader_gone_before_the_answer_is_logged_without_their_token(tmp_path, caplog):
    project = copy_project(tmp_path)
    add_subscribers(project / "private" / "sotong.db", 1)
    app, token = make_app(Project(project / "pelicanconf.py")), make_token("preferences", "S00001")
    with serving(app) as port, caplog.at_level(logging.INFO):
        with app.store():  # held: the page waits, and its reader closes it meanwhile
            with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
                client.sendall(f"GET /p/{token} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
                time.sleep(0.3)
            time.sleep(0.3)
        deadline = time.monotonic() + 5
        while "Client disconnected" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.05)
    assert "Client disconnected while serving /p/TOKEN" in caplog.text
    assert token.split(".")[1] not in caplog.text


def test_an_opinion_that_could_not_be_kept_leaves_its_token_unused(tmp_path):
    project = copy_project(tmp_path, extra_settings='SOTONG_TODAY = "2026-12-15"\n')  # the consultation is open
    add_subscribers(project / "private" / "sotong.db", 1)
    store_query(project, "UPDATE subscribers SET fields = 'survey' WHERE id = 'S00001'")  # among its audiences
    opinions.ensure(Store.open(project / "private" / "sotong.db")).close()  # the opinions' tables, made
    answer = {"t": survey_token(CONSULTATION, "S00001"), "support": "4", "opinion": "배차를 10분으로"}
    with serving(make_app(Project(project / "pelicanconf.py"))) as port:
        store_query(project, "ALTER TABLE survey_opinions RENAME TO survey_opinions_away")  # the opinion cannot be kept
        assert call(port, "POST", f"/surveys/{CONSULTATION}", answer)[0] == 500
        assert store_query(project, "SELECT count(*) FROM survey_responses") == [(0,)]  # nothing of it stored
        store_query(project, "ALTER TABLE survey_opinions_away RENAME TO survey_opinions")
        assert call(port, "POST", f"/surveys/{CONSULTATION}", answer)[0] == 303  # so the resident can send it again
    assert store_query(project, "SELECT subscriber_id, opinion FROM survey_opinions") == [("S00001", "배차를 10분으로")]


@pytest.fixture(params=BACKENDS)
def on_each_backend(request, tmp_path):
    """(port, project) of a collector with no reader yet, on a store of each backend."""
    project = project_on(new_store_location(request.param, tmp_path), tmp_path,
                         extra_settings='SUBSCRIBE_RATE = "1000/hour"\n')
    with serving(make_app(Project(project / "pelicanconf.py"))) as port:
        yield port, project


def test_a_confirmation_clicked_many_times_at_once_makes_one_subscriber(on_each_backend):
    port, project = on_each_backend
    for round_ in range(3):
        address = f"twice{round_}@example.com"
        assert call(port, "POST", "/subscribe", {**SIGN_UP, "email": address})[0] == 303
        [(pending_id,)] = store_query(project, "SELECT id FROM subscriptions_pending WHERE data LIKE ?", (f"%{address}%",))
        start, statuses = threading.Barrier(4), []

        def confirm():
            start.wait()
            statuses.append(call(port, "POST", "/subscribe/confirm", {"t": make_token("subscribe-confirm", pending_id)})[0])

        clicks = [threading.Thread(target=confirm) for _ in range(4)]
        all_at_once(clicks)
        assert statuses == [200] * 4
        [(subscriber_id,)] = store_query(project, "SELECT id FROM subscribers WHERE email = ?", (address,))
        assert store_query(project, "SELECT count(*) FROM subscriptions_consents WHERE subscriber_id = ?",
                           (subscriber_id,)) == [(1,)]


def through_the_proxy(port: int, forwarded: str | None) -> tuple[int, str]:
    """(status, page) of a link request sent through the office's proxy (127.0.0.1) with ``forwarded`` as its X-Forwarded-For."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        headers = {**FORM, **({"X-Forwarded-For": forwarded} if forwarded is not None else {})}
        connection.request("POST", "/p/link", body=urlencode({"email": "s00001@example.com"}), headers=headers)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8")
    finally:
        connection.close()


def test_what_a_client_writes_in_x_forwarded_for_before_the_proxys_address_changes_nothing(tmp_path):
    """Behind the office's proxy the addresses before the last of
    X-Forwarded-For are the client's own to write (a proxy adds its client's
    after them, as nginx's $proxy_add_x_forwarded_for does): a quote there
    got waitress's English text ("Bad Request ... malformed") instead of the
    collector's page, and its sender no answer to the form. Only the last
    address counts; a header that ends in no address (a proxy passing the
    client's header on) is the proxy's own request, as one without it."""
    project = copy_project(tmp_path, extra_settings='SUBSCRIBE_RATE = "3/hour"\nCOLLECTOR_PROXY = "127.0.0.1"\n')
    add_subscribers(project / "private" / "sotong.db", 1)
    with serving(make_app(Project(project / "pelicanconf.py"))) as port:
        written = ['"', '"still open', 'a"b, "c', "unknown"]
        answers = [through_the_proxy(port, f"{before}, 203.0.113.5") for before in written]
        assert [status for status, _page in answers] == [303, 303, 303, 429]  # one client, whatever it wrote before
        assert "<html lang=\"ko\">" in answers[-1][1] and "malformed" not in answers[-1][1]
        assert through_the_proxy(port, '"x, 203.0.113.6')[0] == 303  # another client
        no_address = [through_the_proxy(port, forwarded)[0] for forwarded in ['"', "203.0.113.7\"", "unknown"]]
        assert no_address == [303, 303, 303] and through_the_proxy(port, None)[0] == 429  # all the proxy's own


@settings(max_examples=300, deadline=None)
@given(st.text(), st.ip_addresses(), st.booleans())
def test_the_client_is_the_last_address_of_x_forwarded_for_whatever_comes_before(before, address, with_port):
    """Whatever a client wrote, the entry the proxy added after it (an
    address, with its port too) names the client; an entry that is no
    address names nobody."""
    entry = (f"[{address}]:443" if address.version == 6 else f"{address}:443") if with_port else str(address)
    assert forwarded_client(f"{before}, {entry}") == str(address)
    assert forwarded_client(f"{before}, unknown") is None


def test_an_answer_while_another_program_holds_the_store_longer_than_it_waits_gets_503(tmp_path, monkeypatch, caplog):
    """On SQLite a request waits for another program's write (an import,
    sotong send) SQLITE_WAITS_MS, 30 s; one held longer got 500 (잠시 문제가
    생겼습니다) and a traceback in the log, as if the collector were broken.
    It is the store not answering, as a PostgreSQL restart: 503 with
    Retry-After, one line in the log, and nothing of the answer kept, so
    that it is taken when sent again."""
    import sqlite3

    import sotong.store

    monkeypatch.setattr(sotong.store, "SQLITE_WAITS_MS", 300)
    project = copy_project(tmp_path)
    add_subscribers(project / "private" / "sotong.db", 1)
    answer = {"t": survey_token("budget-vote-2027", "S00001"), "dong": "성수동", "projects": "반려견 놀이터 조성",
              "satisfaction": "4"}
    with serving(make_app(Project(project / "pelicanconf.py"))) as port, caplog.at_level(logging.INFO):
        assert call(port, "GET", "/healthz")[0] == 200
        holder = sqlite3.connect(project / "private" / "sotong.db", isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")  # another program writing, for longer than a request waits
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("POST", "/surveys/budget-vote-2027", body=urlencode(answer), headers=FORM)
        response = connection.getresponse()
        page = response.read().decode("utf-8")
        holder.execute("ROLLBACK")
        holder.close()
        assert (response.status, response.getheader("Retry-After")) == (503, "1")
        assert "<h1>잠시 이용할 수 없습니다</h1>" in page
        assert call(port, "POST", "/surveys/budget-vote-2027", answer)[0] == 303  # sent again: taken
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR or record.exc_info]
    assert [record.getMessage() for record in caplog.records if record.name == "sotong.web"] == [
        "the store was held by another program for longer than a request waits (0.3 s): answered POST "
        "/surveys/budget-vote-2027 with 503 (try again later)"]


def test_a_client_asking_to_send_a_body_within_the_limit_is_told_to_go_on(served):
    """Expect: 100-continue within MAX_BODY_BYTES is still answered "100 Continue", then the answer."""
    port, _project = served
    with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
        body = b"email=s00001%40example.com"
        client.sendall(b"POST /subscribe HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                       b"Expect: 100-continue\r\nConnection: close\r\nContent-Length: %d\r\n\r\n" % len(body))
        assert client.recv(100).startswith(b"HTTP/1.1 100 Continue\r\n\r\n")
        client.sendall(body)
        answer = b""
        while chunk := client.recv(4096):
            answer += chunk
    assert answer.split(b"\r\n")[0].split(b" ")[1] not in (b"100", b"413", b"500"), answer[:200]


@pytest.mark.parametrize("length", ["-5", "abc", "9" * 30])
def test_expect_100_continue_with_a_length_waitress_refuses_is_answered_400_not_left_waiting(served, length):
    """waitress said "100 Continue" to a head it had refused, and the client
    then waited for an answer that never came."""
    port, _project = served
    with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
        client.sendall(f"POST /subscribe HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: {length}\r\n\r\n"
                       .encode())
        answer = client.recv(200)
    assert answer.split(b"\r\n")[0] in (b"HTTP/1.1 400 BAD REQUEST", b"HTTP/1.1 413 REQUEST ENTITY TOO LARGE"), answer
