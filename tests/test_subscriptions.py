"""Residents' own subscriptions (SPEC §13) over real HTTP (waitress) with a
real aiosmtpd server: sign-up with double opt-in, expired / forged /
replayed / double-submitted confirmations, the honeypot, the rate limit,
the preferences page read back by the next bundles, an email change that
waits for its confirmation, phone codes, and /p/link answering the same."""

from __future__ import annotations

import datetime as dt
import email
import html.parser
import json
import re
import sqlite3
import threading
import time
import urllib.parse
from pathlib import Path
from email.policy import default as default_policy

import pytest
from project_support import all_at_once, copy_project, forged, project_on, serving, sms_code_file, store_of, store_query
from delivery_support import (SMTPServer, add_subscribers, login_options, mark_address_invalid, marked_invalid, run_cli, store_rows,
                              tls_server_options)
from test_serve import request

from sotong.project import Project
from sotong.store import Store
from sotong.tokens import make_token
from sotong.web import make_app

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class Inbox:
    """An aiosmtpd handler that keeps every message (recipient, parsed message)."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            for recipient in envelope.rcpt_tos:
                self.messages.append((recipient, email.message_from_bytes(envelope.original_content,
                                                                          policy=default_policy)))
        return "250 2.0.0 OK"

    def wait_for(self, count: int, seconds: float = 10):
        deadline = time.time() + seconds
        while time.time() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.05)
        raise AssertionError(f"{count} mails expected, {len(self.messages)} came")

    def link(self, index: int, pattern: str) -> str:
        body = self.wait_for(index + 1)[index][1].get_body(("plain",)).get_content()
        return re.search(pattern, body)[0]


@pytest.fixture
def site(tmp_path):
    inbox = Inbox()
    with SMTPServer(inbox) as smtp:
        project = copy_project(tmp_path, extra_settings=f"SMTP_PORT = {smtp.port}\nSUBSCRIBE_RATE = '6/hour'\n")
        app = make_app(Project(project / "pelicanconf.py"))
        with serving(app) as port:
            yield project, port, inbox


def post(port, path, fields, headers=None):
    return request(port, "POST", path, urllib.parse.urlencode(fields, doseq=True).encode(), {**FORM, **(headers or {})})


SIGNUP = {"email": "hong@example.com", "phone": "010-2222-3333", "fields": ["health", "culture"],
          "channels": ["email", "sms"], "birth_year": "1946", "dong": "yongdap", "gender": "F", "name": "홍길순",
          "consent": "yes", "consent_version": "2026-12-v1/3600s", "website": ""}


def confirm_path(inbox, index=0) -> str:
    return inbox.link(index, r"http://127\.0\.0\.1:8080/subscribe/confirm\?t=\S+").split("8080", 1)[1]


def test_signup_is_stored_only_when_the_mailed_link_is_confirmed_by_post(site):
    project, port, inbox = site
    status, headers, _ = post(port, "/subscribe", SIGNUP)
    assert status == 303 and headers["Location"].endswith("/subscribe/check")
    # the page said to look in the mailbox, and no more: a resident who mistyped the address waited for nothing
    check = request(port, "GET", "/subscribe/check")[2]
    assert '잘못 적으셨으면' in check and '<a href="/subscribe/form/">전자소통 서비스 다시 신청하기</a>' in check, check
    assert store_rows(project, "SELECT count(*) FROM subscribers") == [(0,)]
    path = confirm_path(inbox)
    assert inbox.messages[0][0] == "hong@example.com"
    status, _, page = request(port, "GET", path)  # a link scanner: only a button
    assert status == 200 and "신청 확인" in page and "<form" in page
    assert store_rows(project, "SELECT count(*) FROM subscribers") == [(0,)]
    token = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)["t"][0]
    status, _, page = post(port, "/subscribe/confirm", {"t": token})
    assert status == 200 and "신청이 끝났습니다" in page
    rows = store_rows(project, "SELECT id, email, phone, fields, channels, birth_year, dong FROM subscribers")
    assert [row[1:] for row in rows] == [("hong@example.com", None, "culture;health", "email;sms", 1946, "yongdap")]
    subscriber_id = rows[0][0]
    assert store_rows(project, "SELECT version FROM subscriptions_consents") == [("2026-12-v1/3600s",)]
    assert ("signup", "email") in store_rows(project, "SELECT source, field FROM consent_log_columns")
    # double submit and replay: the same answer, still one subscriber
    assert post(port, "/subscribe/confirm", {"t": token})[0] == 200
    assert store_rows(project, "SELECT count(*) FROM subscribers") == [(1,)]
    # the phone is used once its code comes back
    code = re.search(r"인증번호 (\d{6})", sms_code_file(project))[1]
    preferences = f"/p/{make_token('preferences', subscriber_id)}"
    assert post(port, preferences + "/phone", {"code": "000000" if code != "000000" else "111111"})[0] == 400
    assert store_rows(project, "SELECT phone FROM subscribers") == [(None,)]
    assert post(port, preferences + "/phone", {"code": code})[0] == 200
    assert store_rows(project, "SELECT phone FROM subscribers") == [("010-2222-3333",)]
    log = store_rows(project, "SELECT source, field, old_value, new_value FROM consent_log_columns")
    assert ("preferences", "phone", None, "010-2222-3333") in log  # the phone's confirmation is logged too


@pytest.mark.parametrize("version", ["2099-12-v9", "2026-11-v1", "2026-12-v1/86400s", "", "2026-12-v1/3600s "])
def test_a_consent_to_a_text_the_site_does_not_show_is_asked_again(site, version):
    """A sign-up whose hidden consent_version was changed by hand (or sent
    from a page opened before the consent text changed) was kept, once
    confirmed, with the version posted: the office's record named a text
    the person was not shown. The form comes back (400) with the text in
    force and its version, the box to tick again and a line saying why;
    nothing is pending, no mail goes. Sent again from that form, the
    consent kept is to the text in force."""
    project, port, inbox = site
    status, _, page = post(port, "/subscribe", {**SIGNUP, "consent_version": version})
    assert status == 400 and "동의 내용이 바뀌었습니다" in page and 'aria-describedby="e-consent"' in page
    assert '<input type="hidden" name="consent_version" value="2026-12-v1/3600s">' in page
    assert 'name="consent" value="yes"' in page and not re.search(r'name="consent" value="yes"[^>]* checked', page)
    assert store_rows(project, "SELECT count(*) FROM subscriptions_pending") == [(0,)]
    shown = dict(re.findall(r'<input type="hidden" name="(consent_version)" value="([^"]*)">', page))
    assert post(port, "/subscribe", {**SIGNUP, **shown})[0] == 303
    assert post(port, "/subscribe/confirm", {"t": token_of(confirm_path(inbox))})[0] == 200
    assert store_rows(project, "SELECT version FROM subscriptions_consents") == [("2026-12-v1/3600s",)]
    assert len(inbox.messages) == 1


@pytest.fixture
def server_clock_in_utc(monkeypatch):
    """The collector's machine set to UTC, as servers and containers often are."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_a_confirmation_mail_is_dated_in_seoul_time_on_a_server_set_to_utc(server_clock_in_utc, site):
    _project, port, inbox = site
    post(port, "/subscribe", SIGNUP)
    sent = inbox.wait_for(1)[0][1]["Date"]
    assert sent.datetime.utcoffset() == dt.timedelta(hours=9), sent  # as every issue's Date, not "+0000"


def test_forged_expired_and_wrong_purpose_tokens_confirm_nothing(site):
    project, port, inbox = site
    post(port, "/subscribe", SIGNUP)
    token = urllib.parse.parse_qs(urllib.parse.urlsplit(confirm_path(inbox)).query)["t"][0]
    pending_id = token.split(".")[0]
    status, _, page = post(port, "/subscribe/confirm", {"t": forged(token)})  # a link cut short: pressed again, the same
    assert status == 403 and '<a href="/subscribe/form/">전자소통 서비스 다시 신청하기</a>' in page
    status, _, page = request(port, "GET", "/p/email?t=" + forged(token))
    assert status == 403 and '<a href="http://127.0.0.1:8080/p/link">수신 설정 링크를 메일로 다시 받기</a>' in page
    assert post(port, "/subscribe/confirm", {"t": make_token("preferences", "x")})[0] == 403
    db = sqlite3.connect(project / "private" / "sotong.db")
    db.execute("UPDATE subscriptions_pending SET expires_at = ?", (time.time() - 1,))
    db.commit()
    status, _, page = post(port, "/subscribe/confirm", {"t": token})
    assert status == 410 and "처음부터 다시 신청해 주세요" in page
    # it led to the site's first page, where the sign-up form is two pages away: now to the form
    assert '<a href="/subscribe/form/">전자소통 서비스 다시 신청하기</a>' in page
    assert store_rows(project, "SELECT count(*) FROM subscribers") == [(0,)]
    assert pending_id  # a confirm token cannot open preferences either
    assert request(port, "GET", f"/p/{token}")[0] == 403


def test_a_preferences_link_that_is_not_ours_offers_to_mail_it_again(site):
    """A 수신 설정 link cut short by a mail program, or typed from a printout,
    got 이 링크는 확인되지 않았습니다 ... 링크를 다시 눌러 주세요, which opened
    the same page again: the resident was stuck. It now offers the link by mail."""
    project, port, inbox = site
    _subscribe(port, inbox)
    (subscriber_id,), = store_rows(project, "SELECT id FROM subscribers")
    cut = make_token("preferences", subscriber_id)[:-3]
    for status, _, page in (request(port, "GET", f"/p/{cut}"), post(port, f"/p/{cut}", {"action": "save"}),
                            post(port, f"/p/{cut}/phone", {"code": "123456"})):
        assert status == 403 and "<title>링크가 올바르지 않습니다 |" in page
        assert '<a href="http://127.0.0.1:8080/p/link">수신 설정 링크를 메일로 다시 받기</a>' in page


def test_errors_are_listed_at_the_top_with_the_answers_kept(site):
    project, port, inbox = site
    status, _, page = post(port, "/subscribe", {**SIGNUP, "email": "hong@@example", "fields": [], "consent": ""})
    assert status == 400
    assert page.index("고쳐 주셔야 할 곳이 3곳") < page.index("<form")
    assert 'value="hong@@example"' in page and 'value="1946"' in page and "홍길순" in page
    assert store_rows(project, "SELECT count(*) FROM subscriptions_pending") == [(0,)]


def test_a_form_shown_again_says_so_in_its_title_and_lists_its_errors_in_the_order_of_the_page(site):
    """A screen reader says a page's title first: the sign-up, preferences and
    link request forms shown again with what to fix were titled as the empty
    form (전자소통 서비스 신청), so the resident heard that nothing happened;
    and the list at the top named the email and the consent before the fields,
    which the page asks first. The title now starts 오류:, the list follows the page."""
    project, port, inbox = site
    status, _, page = post(port, "/subscribe", {**SIGNUP, "email": "hong@@example", "fields": [], "consent": ""})
    assert status == 400 and "<title>오류: 전자소통 서비스 신청 |" in page
    summary = page.split('id="form-errors"', 1)[1].split("</div>", 1)[0]
    assert re.findall(r'href="#q-(\w+)"', summary) == ["fields", "email", "consent"]
    _subscribe(port, inbox)
    (subscriber_id,), = store_rows(project, "SELECT id FROM subscribers")
    path = f"/p/{make_token('preferences', subscriber_id)}"
    status, _, page = post(port, path, {"action": "save", "email": "hong@@example", "birth_year": "19"})
    assert status == 400 and "<title>오류: 수신 설정 |" in page
    assert "<title>수신 설정 |" in request(port, "GET", path)[2]
    status, _, page = post(port, "/p/link", {"email": "hong\x01@example.com"})
    assert status == 400 and "<title>오류: 수신 설정 링크 받기 |" in page
    assert "<title>수신 설정 링크 받기 |" in request(port, "GET", "/p/link")[2]


def test_the_link_request_tells_a_reader_of_texts_only_whom_to_call(site):
    """The page asks for the registered email address: a reader who gets
    texts only (no address, many of them older) read nothing they could do."""
    _project, port, _inbox = site
    page = request(port, "GET", "/p/link")[2]
    assert '문자로만 받고 계시면 전화(<a href="tel:02-2286-5114">02-2286-5114</a>)로' in page, page

def test_the_fields_about_the_person_say_what_they_ask_for_autofill(site):
    """WCAG 1.3.5: a field asking the resident about themselves names its
    purpose, so that the phone's autofill and assistive tools can fill it;
    태어난 해 named none, and was typed digit by digit on every form."""
    import lxml.html

    project, port, inbox = site
    _subscribe(port, inbox)
    (subscriber_id,), = store_rows(project, "SELECT id FROM subscribers")
    for status, _, page in (request(port, "GET", f"/p/{make_token('preferences', subscriber_id)}"),
                            post(port, "/subscribe", {**SIGNUP, "consent": ""})):
        [form] = [form for form in lxml.html.fromstring(page).forms if "email" in form.inputs]
        purposes = {name: form.inputs[name].get("autocomplete") for name in ("email", "phone", "name", "birth_year")}
        assert purposes == {"email": "email", "phone": "tel", "name": "name", "birth_year": "bday-year"}, status


def test_the_link_requests_field_is_named_by_its_label(site):
    """The field's label was only its example (예: hong@example.com), under
    a box titled 이메일 주소: a screen reader named the field by the example,
    and a resident saying 「이메일 주소」 to voice control reached nothing (WCAG 2.5.3)."""
    import lxml.html

    project, port, inbox = site
    for status, _, page in (request(port, "GET", "/p/link"), post(port, "/p/link", {"email": "hong\x01@example.com"})):
        document = lxml.html.fromstring(page)
        [label] = document.xpath("//label[@for='f-email']")
        assert label.text_content().startswith("이메일 주소"), (status, label.text_content())
        assert "예: hong@example.com" in label.text_content()


def test_honeypot_is_answered_as_taken_and_dropped_and_the_rate_is_limited(site):
    project, port, inbox = site
    status, headers, _ = post(port, "/subscribe", {**SIGNUP, "website": "http://spam.test"})
    assert status == 303 and headers["Location"].endswith("/subscribe/check")
    assert store_rows(project, "SELECT count(*) FROM subscriptions_pending") == [(0,)]
    statuses = [post(port, "/subscribe", SIGNUP)[0] for _ in range(6)]
    assert statuses == [303] * 5 + [429]  # SUBSCRIBE_RATE 6/hour, the honeypot counted too
    assert post(port, "/p/link", {"email": "a@example.com"})[0] == 429


def form_values(page: str) -> dict:
    """The page's form as a browser would send it again: name -> values."""
    import lxml.html

    [form] = lxml.html.fromstring(page).forms
    values: dict = {}
    for name, value in form.form_values():
        values.setdefault(name, []).append(value)
    return values


def test_a_signup_over_the_rate_shows_the_form_again_with_what_was_typed_and_when_to_press_again(site):
    """At SUBSCRIBE_RATE's 429 the resident got a page saying to sign up
    again in an hour, and everything typed was gone. The form comes back
    with every answer (escaped), a line saying in minutes when to press
    신청하기 again, and Retry-After; /p/link keeps its address too. Its
    title was the empty form's, so a screen reader said nothing had
    happened: it starts 오류: as a form shown again with errors does."""
    project, port, inbox = site
    assert [post(port, "/subscribe", {**SIGNUP, "email": f"r{n}@example.com"})[0] for n in range(6)] == [303] * 6
    typed = {**SIGNUP, "email": "kim@example.com", "name": '김"영희<b>', "fields": ["culture", "library"]}
    status, headers, page = post(port, "/subscribe", typed)
    assert status == 429 and 1 <= int(headers["Retry-After"]) <= 3600
    minutes = -(-int(headers["Retry-After"]) // 60)
    assert f"{minutes}분 뒤에 「신청하기」를 다시 눌러 주세요" in page and '<p role="alert" id="form-retry"' in page
    assert "<b>" not in page and "김&#34;영희&lt;b&gt;" in page and "<title>오류: 전자소통 서비스 신청 |" in page
    kept = form_values(page)
    assert {key: kept.get(key) for key in typed if key != "consent_version"} == {
        key: value if isinstance(value, list) else [value] for key, value in typed.items() if key != "consent_version"}
    assert store_rows(project, "SELECT count(*) FROM subscriptions_pending") == [(6,)]
    status, headers, page = post(port, "/p/link", {"email": "kim@example.com"})
    assert status == 429 and int(headers["Retry-After"]) >= 1 and "뒤에 「링크 보내기」를 다시 눌러 주세요" in page
    assert page.count('<p role="alert" id="form-retry"') == 1 and "<title>오류: 수신 설정 링크 받기 |" in page
    assert form_values(page)["email"] == ["kim@example.com"]


@pytest.mark.parametrize("proxy", [None, "127.0.0.1"])
def test_behind_the_reverse_proxy_each_resident_has_the_rate_of_their_own_address(tmp_path, proxy):
    """README's deployment: sotong serve on 127.0.0.1 behind nginx, which sends
    X-Forwarded-For. With COLLECTOR_PROXY its clients count apart (without it,
    SUBSCRIBE_RATE was the whole district's: the 6th sign-up of the hour, from
    anyone, got 429); without it the header is nobody's to trust."""
    extra = f"SUBSCRIBE_RATE = '5/hour'\nCOLLECTOR_PROXY = {proxy!r}\n"
    with SMTPServer(Inbox()) as smtp:
        project = copy_project(tmp_path, extra_settings=f"SMTP_PORT = {smtp.port}\n{extra}")
        with serving(make_app(Project(project / "pelicanconf.py"))) as port:
            residents = [post(port, "/subscribe", {**SIGNUP, "email": f"r{n}@example.com"},
                              {"X-Forwarded-For": f"10.0.0.9, 203.0.113.{n}"})[0] for n in range(8)]
            one = [post(port, "/p/link", {"email": "a@example.com"}, {"X-Forwarded-For": "198.51.100.7"})[0]
                   for _ in range(6)]
    if proxy:
        assert residents == [303] * 8 and one == [303] * 5 + [429]
    else:
        assert residents == [303] * 5 + [429] * 3 and one == [429] * 6


def test_a_collector_proxy_that_is_no_address_is_refused_with_its_line(tmp_path):
    project = copy_project(tmp_path, extra_settings='COLLECTOR_PROXY = "nginx"\n')
    result = run_cli(project / "pelicanconf.py", "newsletter", "next")  # every command, serve too, reads it first
    assert result.code == 1 and result.output.count("\n") == 1, result.output
    assert "pelicanconf.py:" in result.output and ("COLLECTOR_PROXY: is 'nginx'; write the address of the reverse proxy"
                                                   in result.output)


def _subscribe(port, inbox, index=0):
    post(port, "/subscribe", SIGNUP)
    token = urllib.parse.parse_qs(urllib.parse.urlsplit(confirm_path(inbox, index)).query)["t"][0]
    post(port, "/subscribe/confirm", {"t": token})


def _preferences_page(project, port, inbox) -> tuple[str, str, str]:
    """A resident signs up and confirms: their id, the path of their
    preferences page and the page, as GET answers it (200)."""
    _subscribe(port, inbox)
    (subscriber_id,), = store_rows(project, "SELECT id FROM subscribers")
    path = f"/p/{make_token('preferences', subscriber_id)}"
    status, _, page = request(port, "GET", path)
    assert status == 200
    return subscriber_id, path, page


def test_preferences_change_at_once_and_the_next_bundles_read_them(site):
    project, port, inbox = site
    subscriber_id, path, page = _preferences_page(project, port, inbox)
    assert "건강정보" in page and "용답동" in page and 'value="1946"' in page
    # the page said what stopping does to the mails, not to the reader's data, nor how to have it deleted
    stop = page.split('<h2 id="stop"', 1)[1]
    assert '<a href="/privacy/">개인정보 처리방침</a>에 적힌 기간이 지나면 지웁니다' in stop, stop
    assert '그 전에 모두 지워 달라고 하시려면 전화(<a href="tel:02-2286-5114">02-2286-5114</a>)로' in stop, stop
    changed = {**SIGNUP, "fields": ["culture"], "channels": ["email"], "dong": "majang", "birth_year": "1950",
               "action": "save"}
    status, headers, _ = post(port, path, changed)
    assert status == 303 and "저장했습니다" in request(port, "GET", headers["Location"].split("8080", 1)[1])[2]
    assert store_rows(project, "SELECT fields, channels, dong, birth_year FROM subscribers") == [
        ("culture", "email", "majang", 1950)]
    assert ("preferences", "fields", "culture;health", "culture") in store_rows(
        project, "SELECT source, field, old_value, new_value FROM consent_log_columns")
    bundled = run_cli(project / "pelicanconf.py", "bundles", "--issue", "2026-11-26")
    assert bundled.code == 0, bundled.output
    outbox = project / "private" / "outbox" / "2026-11-26"
    lines = [json.loads(line) for line in (outbox / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    mine = [line for line in lines if line["id"] == subscriber_id]
    categories = {n.slug: n.category for n in Project(project / "pelicanconf.py").notices}
    assert [line["channel"] for line in mine] == ["email"], (bundled.output, lines)
    assert mine[0]["notices"] and {categories[slug] for slug in mine[0]["notices"]} == {"culture"}
    message = email.message_from_bytes((outbox / mine[0]["file"]).read_bytes(), policy=default_policy)
    assert path in message.get_body(("plain",)).get_content()  # the preferences link in every email
    status, _, page = post(port, path, {"action": "stop"})
    assert status == 200 and store_rows(project, "SELECT unsubscribed_at IS NOT NULL FROM subscribers") == [(1,)]
    # the page said 다시 받고 싶으시면 이 링크에서 ..., with no link on it: it now names the one in the mails, and /p/link
    assert "이 링크에서" not in page and "소식 메일 아래쪽의 「수신 설정」 링크" in page
    assert '<a href="http://127.0.0.1:8080/p/link">수신 설정 링크를 메일로 다시 받기</a>' in page
    assert ("preferences-stop", "unsubscribed_at") in store_rows(project, "SELECT source, field FROM consent_log_columns")


def test_a_new_email_address_is_used_only_once_confirmed(site):
    project, port, inbox = site
    _subscribe(port, inbox)
    (subscriber_id,), = store_rows(project, "SELECT id FROM subscribers")
    store = Store.open(store_of(project))
    mark_address_invalid(store, subscriber_id)  # the old address bounced
    store.close()
    assert marked_invalid(project) == [subscriber_id]
    path = f"/p/{make_token('preferences', subscriber_id)}"
    status, headers, _ = post(port, path, {**SIGNUP, "email": "new@example.com", "action": "save"})
    assert status == 303 and "확인 메일을 보냈습니다" in request(port, "GET", headers["Location"].split("8080", 1)[1])[2]
    assert store_rows(project, "SELECT email FROM subscribers") == [("hong@example.com",)]
    link = inbox.link(1, r"http://127\.0\.0\.1:8080/p/email\?t=\S+").split("8080", 1)[1]
    assert inbox.messages[1][0] == "new@example.com"
    # who asks, as every mail; a word joiner (U+2060) after each of the number's hyphens: never "02-2286-" over "5114"
    assert inbox.messages[1][1].get_content().endswith("\n\n성동구청 홍보담당관 02-\u20602286-\u20605114\n")
    assert request(port, "GET", link)[0] == 200  # only a button
    assert store_rows(project, "SELECT email FROM subscribers") == [("hong@example.com",)]
    token = urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)["t"][0]
    status, _, page = post(port, "/p/email", {"t": token})
    # the page said the address was changed and no more: it leads back to the reader's page now
    assert status == 200 and f'<a href="http://127.0.0.1:8080{path}">수신 설정으로 돌아가기</a>' in page, page
    assert store_rows(project, "SELECT email FROM subscribers") == [("new@example.com",)]
    assert marked_invalid(project) == []  # the mark was the old address's
    assert ("preferences", "email", "hong@example.com", "new@example.com") in store_rows(
        project, "SELECT source, field, old_value, new_value FROM consent_log_columns")


def test_link_request_answers_the_same_for_known_and_unknown_addresses(site):
    project, port, inbox = site
    _subscribe(port, inbox)
    known = post(port, "/p/link", {"email": "hong@example.com"})
    unknown = post(port, "/p/link", {"email": "nobody@example.com"})
    assert known[0] == unknown[0] == 303
    assert known[1]["Location"] == unknown[1]["Location"]
    sent = request(port, "GET", "/p/link/sent")[2]
    assert sent == request(port, "GET", "/p/link/sent")[2] and "<title>수신 설정 링크 메일을 확인해 주세요 |" in sent
    messages = inbox.wait_for(2)
    time.sleep(0.3)
    assert [recipient for recipient, _ in inbox.messages] == ["hong@example.com", "hong@example.com"]
    assert "/p/" in messages[1][1].get_body(("plain",)).get_content()
    assert messages[1][1].get_content().endswith("\n\n성동구청 홍보담당관 02-\u20602286-\u20605114\n")  # who sent it, and a number to ask


def test_a_link_request_for_what_is_no_address_says_what_to_fix(site):
    """링크 보내기 with the address's end left off (hong@naver), typed with
    the keyboard left in Korean (ㅗㅐㅜㅎ: "hong"), or with nothing typed was
    answered "메일을 확인해 주세요", and the resident waited for a mail that
    could not come. What is no one's address is refused whoever is on
    record, so the form comes again, the address as typed, the sign-up's
    words at the field; a real address still gets the same answer for all."""
    project, port, inbox = site
    for typed, said in (("hong@naver", "이메일 주소 형식이 맞지 않습니다. 예: hong@example.com"),
                        ("ㅗㅐㅜㅎ@example.com", "한/영 키를 눌러 영문으로 적어 주세요"),
                        ("  ", "수신 설정 링크를 보내 드릴 이메일 주소를 적어 주세요.")):
        status, _, page = post(port, "/p/link", {"email": typed})
        assert status == 400 and "<title>오류: 수신 설정 링크 받기 |" in page, (typed, status)
        error = page.split('id="e-email"', 1)[1].split("</p>", 1)[0]
        assert said in error and f'value="{typed.strip()}"' in page, (typed, error)
    assert post(port, "/p/link", {"email": "nobody@naver.com"})[0] == 303


def test_a_link_request_is_answered_before_its_address_is_looked_up(tmp_path):
    """The answer to a known address took a lookup and a commit more than to
    an unknown one (0.8 ms on PostgreSQL), which told whoever timed it that
    the address is a reader's: the answer now sends the store the same
    statements for any address (the request counted toward SUBSCRIBE_RATE),
    none of them reading the readers, and the mail goes once the sending
    thread has looked the address up."""
    from werkzeug.test import Client

    inbox = Inbox()
    with SMTPServer(inbox) as smtp:
        project = copy_project(tmp_path, extra_settings=f"SMTP_PORT = {smtp.port}\n")
        add_subscribers(project / "private" / "sotong.db", 1)
        store_rows(project, "UPDATE subscribers SET email = 'hong@example.com'")
        app = make_app(Project(project / "pelicanconf.py"))
        try:
            client, answering, sent = Client(app), threading.get_ident(), []
            with app.store() as store:  # the statements of this thread, which answers (not the mail thread's)
                store.db.set_trace_callback(lambda sql: sent.append(sql) if threading.get_ident() == answering else None)
            by_address = {}
            for address in ("first@example.com", "HONG@example.com", "nobody@example.com"):  # the first: the minute's cleanup
                sent.clear()
                assert client.post("/p/link", data={"email": address}).status_code == 303
                by_address[address] = [re.sub(r"[\d.]+", "N", sql) for sql in sent]  # the times apart
            [(recipient, message)] = inbox.wait_for(1)
        finally:
            app.close()
    assert by_address["HONG@example.com"] == by_address["nobody@example.com"]
    assert any("subscriptions_rate" in sql for sql in sent) and not any("subscribers" in sql for sql in sent)
    assert recipient == "hong@example.com" and "/p/" in message.get_body(("plain",)).get_content()


def test_a_second_tap_on_send_link_mails_no_second_link(tmp_path):
    """링크 보내기 tapped twice (or again because the phone was slow) mailed
    the same link twice; the second tap within AGAIN_SECONDS mails nothing,
    another reader's request still mails theirs, and once the window has
    passed the link is mailed again."""
    inbox = Inbox()
    with SMTPServer(inbox) as smtp:
        project = copy_project(tmp_path, extra_settings=f"SMTP_PORT = {smtp.port}\n")
        add_subscribers(project / "private" / "sotong.db", 2)
        store_rows(project, "UPDATE subscribers SET email = 'hong' || substr(id, -1) || '@example.com'")
        [first, second] = [address for (address,) in store_rows(project, "SELECT email FROM subscribers ORDER BY id")]
        app = make_app(Project(project / "pelicanconf.py"))
        with serving(app) as port:
            for address in (first, first.upper(), second):
                assert post(port, "/p/link", {"email": address})[0] == 303
            inbox.wait_for(2)
            time.sleep(0.5)  # a second mail to the first reader would be on its way by now
            assert sorted(recipient for recipient, _ in inbox.messages) == [first, second]
            store_rows(project, "UPDATE subscriptions_links_mailed SET mailed_at = mailed_at - 5 * 60")
            assert post(port, "/p/link", {"email": first})[0] == 303
            assert inbox.wait_for(3)[2][0] == first
    assert store_rows(project, "SELECT count(*) FROM subscriptions_links_mailed") == [(1,)]  # the others' gone


def test_the_collectors_log_names_no_address_or_client(tmp_path, caplog):
    import socket

    with socket.socket() as probe:  # a port where no mail server listens
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    project = copy_project(tmp_path, extra_settings=f"SMTP_PORT = {closed}\n")
    app = make_app(Project(project / "pelicanconf.py"))
    caplog.set_level("DEBUG")
    with serving(app) as port:
        assert post(port, "/subscribe", SIGNUP)[0] == 303
        assert post(port, "/p/link", {"email": "hong@example.com"})[0] == 303
        deadline = time.time() + 10
        while "could not be handed" not in caplog.text and time.time() < deadline:
            time.sleep(0.05)
    assert "could not be handed" in caplog.text
    for personal in ("hong@example.com", "010-2222-3333", "2222", "홍길순"):
        assert personal not in caplog.text


def test_a_mail_queued_before_a_crash_leaves_when_the_collector_starts_again(tmp_path):
    """The confirmation mail is queued in the store with the sign-up (not in
    memory): a collector that stopped before sending it sends it at start."""
    import socket

    with socket.socket() as probe:  # the mail server is down while the sign-up is taken
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    project = copy_project(tmp_path, extra_settings=f"SMTP_PORT = {closed}\nOFFICE_PHONE = \"02-2286-7000\"\n")
    with serving(make_app(Project(project / "pelicanconf.py"))) as port:
        assert post(port, "/subscribe", SIGNUP)[0] == 303
    queued = store_rows(project, "SELECT recipient, subject FROM subscriptions_mail")
    assert [recipient for recipient, _subject in queued] == ["hong@example.com"]
    inbox = Inbox()
    with SMTPServer(inbox) as smtp:
        settings = (project / "pelicanconf.py").read_text(encoding="utf-8").replace(f"SMTP_PORT = {closed}",
                                                                                   f"SMTP_PORT = {smtp.port}")
        (project / "pelicanconf.py").write_text(settings, encoding="utf-8")
        with serving(make_app(Project(project / "pelicanconf.py"))):
            (recipient, message), = inbox.wait_for(1)
            deadline = time.time() + 10
            while store_rows(project, "SELECT id FROM subscriptions_mail") and time.time() < deadline:
                time.sleep(0.05)
    assert recipient == "hong@example.com"
    assert str(message["Subject"]) == "[성동구 소통] 전자소통 서비스 신청을 확인해 주세요"
    body = message.get_body(("plain",)).get_content()
    assert "/subscribe/confirm?t=" in body and "성동구청 홍보담당관 02-\u20602286-\u20607000" in body and "5114" not in body
    assert store_rows(project, "SELECT id FROM subscriptions_mail") == []  # sent once, then gone


def token_of(path: str) -> str:
    return urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)["t"][0]


def age_pending(project, seconds: float) -> None:
    """Every pending answer made ``seconds`` earlier than it was."""
    with sqlite3.connect(project / "private" / "sotong.db") as db:
        db.execute("UPDATE subscriptions_pending SET expires_at = expires_at - ?", (seconds,))
    db.close()


def test_a_double_tap_on_signup_sends_one_mail_whose_link_confirms_the_answers_sent_last(site):
    """A resident who tapped 신청하기 twice (or again, the phone being slow)
    got two confirmation mails. Both taps are answered with the same page;
    one mail goes, and sent again with a choice changed, its link confirms
    the newer answers. Taps from two places at once send one mail too; after
    five minutes, one who never got the mail can ask for it again."""
    project, port, inbox = site
    answers = [post(port, "/subscribe", SIGNUP) for _ in range(2)]
    assert [(status, headers["Location"]) for status, headers, _ in answers] == [
        (303, "http://127.0.0.1:8080/subscribe/check")] * 2
    changed = {**SIGNUP, "fields": ["culture"], "dong": "majang"}
    threads = [threading.Thread(target=post, args=(port, "/subscribe", changed)) for _ in range(3)]
    all_at_once(threads)
    inbox.wait_for(1)
    time.sleep(1)  # the mailer sends what is queued at once: a second mail would have come
    assert len(inbox.messages) == 1 and store_rows(project, "SELECT count(*) FROM subscriptions_pending") == [(1,)]
    age_pending(project, 5 * 60)
    assert post(port, "/subscribe", SIGNUP)[0] == 303  # five minutes on: a new link
    assert inbox.wait_for(2)[1][0] == "hong@example.com"
    assert post(port, "/subscribe/confirm", {"t": token_of(confirm_path(inbox))})[0] == 200
    assert store_rows(project, "SELECT fields, dong FROM subscribers") == [("culture", "majang")]


def test_taps_on_signup_sent_at_once_send_one_mail_on_either_store(tmp_path, store_location):
    """Six taps on 신청하기 at the same moment (a slow phone's retries, a
    second tab): each is answered with the same page and one mail goes, on
    SQLite and on PostgreSQL (whose transactions do not wait for each other
    unless the address is locked)."""
    inbox = Inbox()
    with SMTPServer(inbox) as smtp:
        project = project_on(store_location, tmp_path, f"SMTP_PORT = {smtp.port}\n")
        with serving(make_app(Project(project / "pelicanconf.py"))) as port:
            start, statuses = threading.Barrier(6), []

            def tap():
                start.wait()
                statuses.append(post(port, "/subscribe", SIGNUP)[0])

            threads = [threading.Thread(target=tap) for _ in range(6)]
            all_at_once(threads)
            inbox.wait_for(1)
            time.sleep(1)
    assert statuses == [303] * 6 and len(inbox.messages) == 1
    assert store_query(project, "SELECT count(*) FROM subscriptions_pending") == [(1,)]


def test_a_double_submitted_signup_and_replayed_confirmations_make_one_subscriber_once(site):
    project, port, inbox = site
    assert post(port, "/subscribe", SIGNUP)[0] == 303
    age_pending(project, 5 * 60)  # the form sent again after five minutes: a second link
    assert post(port, "/subscribe", SIGNUP)[0] == 303
    first, second = token_of(confirm_path(inbox, 0)), token_of(confirm_path(inbox, 1))
    assert first != second
    answers = [post(port, "/subscribe/confirm", {"t": token}) for token in (first, second, first)]
    assert [status for status, _, _ in answers] == [200, 200, 200]
    assert store_rows(project, "SELECT count(*) FROM subscribers") == [(1,)]
    (subscriber_id,), = store_rows(project, "SELECT id FROM subscribers")
    preferences = f"/p/{make_token('preferences', subscriber_id)}"
    assert post(port, preferences, {"action": "stop"})[0] == 200
    # a replayed confirmation (a forwarded mail, a scanner's POST) does not subscribe again
    assert post(port, "/subscribe/confirm", {"t": first})[0] == 200
    assert store_rows(project, "SELECT count(*), unsubscribed_at IS NOT NULL FROM subscribers") == [(1, 1)]
    db = sqlite3.connect(project / "private" / "sotong.db")
    db.execute("UPDATE subscriptions_pending SET expires_at = ?", (time.time() - 1,))
    db.commit()
    db.close()
    for method in ("GET", "POST"):  # past its 24 hours a used link no longer opens the preferences
        status, _, page = (request(port, "GET", f"/subscribe/confirm?t={first}") if method == "GET"
                           else post(port, "/subscribe/confirm", {"t": first}))
        assert status == 410 and preferences not in page and "/p/" not in page


def test_a_replayed_email_change_link_changes_nothing_back(site):
    project, port, inbox = site
    _subscribe(port, inbox)
    (subscriber_id,), = store_rows(project, "SELECT id FROM subscribers")
    path = f"/p/{make_token('preferences', subscriber_id)}"
    links = []
    for index, address in ((1, "first@example.com"), (2, "second@example.com")):
        assert post(port, path, {**SIGNUP, "email": address, "action": "save"})[0] == 303
        links.append(token_of(inbox.link(index, r"http://127\.0\.0\.1:8080/p/email\?t=\S+")))
        assert post(port, "/p/email", {"t": links[-1]})[0] == 200
    assert store_rows(project, "SELECT email FROM subscribers") == [("second@example.com",)]
    assert post(port, "/p/email", {"t": links[0]})[0] == 200  # replayed: answered, and nothing changes
    assert store_rows(project, "SELECT email FROM subscribers") == [("second@example.com",)]
    assert post(port, "/p/email", {"t": make_token("confirm", "x")})[0] == 403  # another purpose's token


class SlowInbox(Inbox):
    """A mail server that takes seconds to accept each message."""

    async def handle_DATA(self, server, session, envelope):
        import asyncio

        await asyncio.sleep(3)
        return await super().handle_DATA(server, session, envelope)


def test_link_request_answers_known_and_unknown_alike_and_before_any_mail_goes(tmp_path):
    """The whole answer (status, headers but Date, body) is the same, and it
    comes as fast for a known address as for an unknown one: the mail is
    handed over afterwards, so a slow mail server shows in neither."""
    inbox = SlowInbox()
    with SMTPServer(inbox) as smtp:
        project = copy_project(tmp_path, extra_settings=f"SMTP_PORT = {smtp.port}\n")
        app = make_app(Project(project / "pelicanconf.py"))
        with serving(app) as port:
            _subscribe_slowly(project, port, inbox)
            answers, took = {}, {}
            for address in ("HONG@example.com ", "nobody@example.com", "hong@example.com"):
                start = time.perf_counter()
                status, headers, body = post(port, "/p/link", {"email": address, "website": ""})
                took[address] = time.perf_counter() - start
                answers[address] = (status, {k: v for k, v in headers.items() if k.lower() != "date"}, body)
            assert answers["hong@example.com"] == answers["nobody@example.com"] == answers["HONG@example.com "]
            assert answers["hong@example.com"][0] == 303
            assert max(took.values()) < 1.5, took  # the mail server takes 3 s per message
            inbox.wait_for(2, seconds=20)  # the confirmation, then the link mailed for the known address, once
    assert [recipient for recipient, _ in inbox.messages][1:] == ["hong@example.com"]  # as confirmed, not as typed


def _subscribe_slowly(project, port, inbox):
    post(port, "/subscribe", SIGNUP)
    post(port, "/subscribe/confirm", {"t": token_of(confirm_path(inbox))})
    assert store_rows(project, "SELECT count(*) FROM subscribers") == [(1,)]


def test_forget_after_signing_up_leaves_no_trace_of_the_person(site):
    """A person who signed up twice (one link never used), asked for an
    email change and a phone code, then is forgotten: no address, phone,
    name or id of theirs anywhere in the store; the other reader stays."""
    project, port, inbox = site
    post(port, "/subscribe", SIGNUP)
    age_pending(project, 5 * 60)
    post(port, "/subscribe", SIGNUP)  # five minutes on: a second link, never confirmed
    post(port, "/subscribe/confirm", {"t": token_of(confirm_path(inbox, 0))})
    other = {**SIGNUP, "email": "kim@example.com", "phone": "010-4444-5555", "name": "김영희"}
    post(port, "/subscribe", other)
    post(port, "/subscribe/confirm", {"t": token_of(confirm_path(inbox, 2))})
    ids = dict(store_rows(project, "SELECT email, id FROM subscribers"))
    hong = ids["hong@example.com"]
    path = f"/p/{make_token('preferences', hong)}"
    assert post(port, path, {**SIGNUP, "email": "hong2@example.com", "action": "save"})[0] == 303
    result = run_cli(project / "pelicanconf.py", "subscribers", "forget", hong)
    assert result.code == 0, result.output
    dump = "\n".join(sqlite3.connect(project / "private" / "sotong.db").iterdump())
    for trace in ("hong@example.com", "hong2@example.com", "010-2222-3333", "01022223333", "홍길순", f"'{hong}'"):
        assert trace not in dump, trace
    assert "kim@example.com" in dump and "김영희" in dump
    assert store_rows(project, "SELECT count(*) FROM subscribers") == [(1,)]
    status, _, page = request(port, "GET", path)  # the old preferences link opens nothing of theirs
    # it said 「페이지를 찾을 수 없습니다」 (moved or gone): what happened now, and the way back
    assert status == 404 and "등록된 정보가 없습니다" in page and "개인정보 삭제를 요청하셨다면" in page, page
    assert '<a href="/subscribe/form/">전자소통 서비스 다시 신청하기</a>' in page, page
    codes = sms_code_file(project)
    assert "010-2222-3333" not in codes and "01022223333" not in codes  # the codes sent to their phone
    assert "010-4444-5555" in codes


def test_forget_while_the_mail_server_is_down_leaves_no_queued_mail_to_the_person(tmp_path):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    project = copy_project(tmp_path, extra_settings=f"SMTP_PORT = {closed}\n")
    with serving(make_app(Project(project / "pelicanconf.py"))) as port:
        assert post(port, "/subscribe", SIGNUP)[0] == 303
        (body,), = store_rows(project, "SELECT body FROM subscriptions_mail")
        assert post(port, "/subscribe/confirm", {"t": token_of(re.search(r"/subscribe/confirm\?t=\S+", body)[0])})[0] == 200
        assert post(port, "/subscribe", SIGNUP)[0] == 303  # again: a second link waits in the queue
    (hong,), = store_rows(project, "SELECT id FROM subscribers")
    assert run_cli(project / "pelicanconf.py", "subscribers", "forget", hong).code == 0
    dump = "\n".join(sqlite3.connect(project / "private" / "sotong.db").iterdump())
    for trace in ("hong@example.com", "010-2222-3333", "홍길순", f"'{hong}'"):
        assert trace not in dump, trace


def test_signing_up_again_answers_as_a_first_sign_up_does(site):
    """No way to learn whether an address is subscribed: the sign-up of a
    subscribed address and of a new one get the same answer and a link each."""
    project, port, inbox = site
    _subscribe(port, inbox)
    answers = []
    for address in ("hong@example.com", "new@example.com"):
        status, headers, body = post(port, "/subscribe", {**SIGNUP, "email": address})
        answers.append((status, {k: v for k, v in headers.items() if k.lower() != "date"}, body))
    assert answers[0] == answers[1] and answers[0][0] == 303
    assert sorted(recipient for recipient, _ in inbox.wait_for(3)[1:]) == ["hong@example.com", "new@example.com"]


def test_a_mail_server_that_is_down_is_asked_again_after_a_pause_not_at_every_sign_up(tmp_path, caplog):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    project = copy_project(tmp_path, extra_settings=f"SMTP_PORT = {closed}\n")
    caplog.set_level("WARNING")
    with serving(make_app(Project(project / "pelicanconf.py"))) as port:
        for number in range(4):
            assert post(port, "/subscribe", dict(SIGNUP, email=f"reader{number}@example.com"))[0] == 303
            time.sleep(0.3)
    assert caplog.text.count("could not be handed") == 1
    assert len(store_rows(project, "SELECT id FROM subscriptions_mail")) == 4  # kept for the next try


def test_codes_the_sms_transport_cannot_take_wait_in_the_store_and_the_log_names_no_number(tmp_path, caplog):
    """The code file cannot be written (a folder stands in its place): the
    collector's text thread says how many codes wait, once and not at every
    change, naming no number; the codes stay queued, their claim given up
    for the next try (any collector's)."""
    from test_hostile_collector import SAVE

    project = copy_project(tmp_path)
    add_subscribers(project / "private" / "sotong.db", 1)
    store_rows(project, "UPDATE subscribers SET email = 's00001@example.com'")
    (project / "private" / "subscriptions" / "sms-codes.csv").mkdir(parents=True)
    caplog.set_level("WARNING")
    path = "/p/" + make_token("preferences", "S00001")
    with serving(make_app(Project(project / "pelicanconf.py"))) as port:
        for number in range(3):
            assert post(port, path, {**SAVE, "phone": f"010-9999-000{number}"})[0] == 303
            time.sleep(0.3)
    assert caplog.text.count("phone codes could not be handed to the SMS transport: IsADirectoryError") == 1
    assert "010-" not in caplog.text and "9999" not in caplog.text
    assert sorted(store_rows(project, "SELECT phone, claimed_until FROM subscriptions_texts")) == [
        (f"010-9999-000{number}", None) for number in range(3)]


def test_a_mail_claimed_by_a_collector_that_died_is_sent_once_its_claim_lapses(tmp_path):
    """A collector killed while handing a batch over leaves its mails
    claimed: a collector on the store (another, or it started again) sends
    none of them while the claim holds (it may be sending them still), and
    each once the claim has lapsed."""
    from subscriptions import storage

    inbox = Inbox()
    with SMTPServer(inbox) as smtp:
        project = copy_project(tmp_path, extra_settings=f"SMTP_PORT = {smtp.port}\n")
        store = storage.ensure(Store.open(project / "private" / "sotong.db"))
        for address, claimed_until in (("held@example.com", time.time() + 60), ("lapsed@example.com", time.time() - 1)):
            storage.queue_mail(store, address, "[성동구 소통] 신청 확인", "링크")
            store.db.execute("UPDATE subscriptions_mail SET claimed_until = ? WHERE recipient = ?", (claimed_until, address))
        store.close()
        with serving(make_app(Project(project / "pelicanconf.py"))) as port:
            assert [recipient for recipient, _ in inbox.wait_for(1)] == ["lapsed@example.com"]
            time.sleep(0.5)  # the held one would be on its way by now
            assert len(inbox.messages) == 1
            store_rows(project, "UPDATE subscriptions_mail SET claimed_until = claimed_until - 60")
            assert post(port, "/subscribe", SIGNUP)[0] == 303  # its mail wakes the thread, which looks again
            recipients = sorted(recipient for recipient, _ in inbox.wait_for(3))
    assert recipients == sorted(["lapsed@example.com", "held@example.com", SIGNUP["email"]])


def test_a_wrong_subscribe_rate_or_sms_codes_by_is_a_problem_at_its_own_line(tmp_path):
    from sotong.check import check_project

    project = copy_project(tmp_path, extra_settings='SUBSCRIBE_RATE = "10/fortnight"\nSMS_CODES_BY = "commands"\n')
    line = (project / "pelicanconf.py").read_text(encoding="utf-8").splitlines().index('SUBSCRIBE_RATE = "10/fortnight"') + 1
    problems = [str(p) for p in check_project(Project(project / "pelicanconf.py"))]
    assert problems == [f"pelicanconf.py:{line}: SUBSCRIBE_RATE: is '10/fortnight'; write requests per period "
                        '(second, minute, hour or day), e.g. SUBSCRIBE_RATE = "10/hour"',
                        f"pelicanconf.py:{line + 1}: SMS_CODES_BY: is 'commands'; write \"collectors\" (each collector "
                        'hands the phone codes to the SMS transport) or "command" (only sotong subscribers codes does), '
                        'e.g. SMS_CODES_BY = "collectors"']


def test_confirmation_mails_go_through_starttls_only_to_a_server_whose_certificate_is_trusted(
        tmp_path, monkeypatch, caplog):
    """The plugin's mails open the connection as ``sotong send`` does
    (sotong.mail_server): STARTTLS checks the certificate, then the login; a
    server the system does not trust gets nothing, and the mail waits."""
    options, certificate, logins = tls_server_options(tmp_path)
    monkeypatch.setenv("SOTONG_SMTP_PASSWORD", "s3cret")
    caplog.set_level("WARNING")
    inbox = Inbox()
    with SMTPServer(inbox, **options) as smtp:
        project = copy_project(tmp_path, extra_settings=f'SMTP_PORT = {smtp.port}\nSMTP_STARTTLS = True\nSMTP_USER = "sotong"\n')
        with serving(make_app(Project(project / "pelicanconf.py"))) as port:
            assert post(port, "/subscribe", SIGNUP)[0] == 303
            deadline = time.time() + 30  # a busy machine: the loop ends as soon as the warning is there
            while "could not be handed" not in caplog.text and time.time() < deadline:
                time.sleep(0.05)
        assert "could not be handed" in caplog.text and "SSLCertVerificationError" in caplog.text
        assert inbox.messages == [] and logins == []
        assert len(store_rows(project, "SELECT id FROM subscriptions_mail")) == 1  # kept for the next try
        monkeypatch.setenv("SSL_CERT_FILE", str(certificate))
        with serving(make_app(Project(project / "pelicanconf.py"))):
            (recipient, _message), = inbox.wait_for(1)
    assert recipient == "hong@example.com" and logins == [(b"sotong", b"s3cret")]


def test_confirmation_mails_log_in_in_clear_to_no_mail_server_on_another_machine(tmp_path, monkeypatch, caplog):
    """SMTP_USER without SMTP_STARTTLS, SMTP_HOST not this machine (127.0.0.2,
    offering a login without TLS): the password is not sent, the mail waits
    and the warning says what to write, without the address."""
    options, logins = login_options(require_tls=False)
    monkeypatch.setenv("SOTONG_SMTP_PASSWORD", "s3cret")
    caplog.set_level("WARNING")
    inbox = Inbox()
    with SMTPServer(inbox, host="127.0.0.2", **options) as smtp:
        project = copy_project(tmp_path, extra_settings=f'SMTP_HOST = "127.0.0.2"\nSMTP_PORT = {smtp.port}\nSMTP_USER = "sotong"\n')
        with serving(make_app(Project(project / "pelicanconf.py"))) as port:
            assert post(port, "/subscribe", SIGNUP)[0] == 303
            deadline = time.time() + 30
            while "confirmation mails wait" not in caplog.text and time.time() < deadline:
                time.sleep(0.05)
    assert ("1 confirmation mails wait: SMTP_USER is set but SMTP_STARTTLS is off, so the password would cross the network "
            "to 127.0.0.2 unencrypted and Sotong does not log in; write SMTP_STARTTLS = True and SMTP_PORT = 587") in caplog.text
    assert "hong@example.com" not in caplog.text
    assert inbox.messages == [] and logins == []
    assert len(store_rows(project, "SELECT id FROM subscriptions_mail")) == 1  # kept for the next try


@pytest.mark.parametrize("smtputf8", [False, True])
def test_an_address_outside_ascii_holds_up_no_mail_after_it(tmp_path, caplog, smtputf8):
    """email_validator takes josé@example.com; a mail server without
    SMTPUTF8 cannot (smtplib raised UnicodeEncodeError, every mail queued
    after it waited a day, and those before it in its batch went again and
    again): it is dropped with a warning, or sent with SMTPUTF8 where offered.
    Such a sign-up is refused at the form when the server offers no SMTPUTF8
    (test_a_hangul_address_signs_up_and_gets_its_link_where_the_server_takes_it):
    its mail is queued here as one queued while another server, which offered it, was set."""
    from subscriptions import storage

    caplog.set_level("WARNING")
    inbox = Inbox()
    with SMTPServer(inbox, enable_SMTPUTF8=smtputf8) as smtp:
        project = copy_project(tmp_path, extra_settings=f"SMTP_PORT = {smtp.port}\n")
        app = make_app(Project(project / "pelicanconf.py"))
        with serving(app) as port:
            assert post(port, "/subscribe", {**SIGNUP, "email": "first@example.com"})[0] == 303
            if smtputf8:
                assert post(port, "/subscribe", {**SIGNUP, "email": "josé@example.com"})[0] == 303
            else:
                with app.store() as store, store.transaction():
                    storage.queue_mail(store, "josé@example.com", "[성동구 소통] 확인", "본문\n")
            assert post(port, "/subscribe", {**SIGNUP, "email": "after@example.com"})[0] == 303
            inbox.wait_for(3 if smtputf8 else 2)
            deadline = time.time() + 10
            while store_rows(project, "SELECT id FROM subscriptions_mail") and time.time() < deadline:
                time.sleep(0.05)
    sent = sorted(recipient for recipient, _ in inbox.messages)
    assert sent == sorted(["first@example.com", "after@example.com"] + ["josé@example.com"] * smtputf8)
    assert store_rows(project, "SELECT id FROM subscriptions_mail") == []
    assert ("does not offer SMTPUTF8; mail dropped" in caplog.text) != smtputf8 and "josé" not in caplog.text


def test_an_address_and_a_number_typed_full_width_or_in_korean(site):
    """A Korean keyboard's 전각 mode writes ｈｏｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ and
    ０１０－２２２２－３３３３: read as the ASCII they look like (the mail went to
    an address no server takes, the number was refused as not one). An
    address typed with the keyboard left in Korean (ㅗㅐㅜㅎ@naver.com) is
    refused beside the field with what to do."""
    project, port, inbox = site
    typed = {**SIGNUP, "email": "ｈｏｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ", "phone": "０１０－２２２２－３３３３"}
    assert post(port, "/subscribe", typed)[0] == 303
    assert inbox.wait_for(1)[0][0] == "hong@example.com"
    assert post(port, "/subscribe", {**SIGNUP, "phone": "010–2222–3333"})[0] == 303  # a dash of a word processor
    phones = {json.loads(data)["phone"] for (data,) in store_rows(project, "SELECT data FROM subscriptions_pending")}
    assert phones == {"010-2222-3333"}
    status, _, page = post(port, "/subscribe", {**SIGNUP, "email": "ㅗㅐㅜㅎ@naver.com"})
    assert status == 400
    assert re.search(r'<p id="e-email"[^>]*>오류: 이메일 주소의 @ 앞에 한글이 들어 있습니다. 한/영 키를 눌러 영문으로', page)


def test_an_address_and_a_number_pasted_with_what_shows_nothing_at_their_ends_are_taken(site):
    """An address copied from a web page or a chat ends in a zero-width
    space (U+200B), a number in a word joiner (U+2060) or a BOM: the form
    said "이메일 주소 형식이 맞지 않습니다" beside an address that looked
    right, and again however often it was pasted; a name of the Hangul
    filler (a blank name on a Korean phone) was kept as the name. The
    preferences link asked for the same way (and typed full-width) was
    never mailed, though the page said it was."""
    project, port, inbox = site
    pasted = {**SIGNUP, "email": "\ufeffhong@example.com\u200b", "phone": "\u2060010-2222-3333\u200b", "name": "\u3164"}
    assert post(port, "/subscribe", pasted)[0] == 303
    assert inbox.wait_for(1)[0][0] == "hong@example.com"
    (data,), = store_rows(project, "SELECT data FROM subscriptions_pending")
    assert (json.loads(data)["phone"], json.loads(data)["name"]) == ("010-2222-3333", None)
    token = urllib.parse.parse_qs(urllib.parse.urlsplit(confirm_path(inbox)).query)["t"][0]
    assert post(port, "/subscribe/confirm", {"t": token})[0] == 200
    assert post(port, "/p/link", {"email": "ｈｏｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ\u200b"})[0] == 303
    assert [recipient for recipient, _ in inbox.wait_for(2)] == ["hong@example.com"] * 2
    assert "/p/" in inbox.messages[1][1].get_body(("plain",)).get_content()


def test_an_address_whose_domain_is_outside_ascii_goes_in_idna_to_a_server_without_smtputf8(site):
    """hong@성동구청.kr has an ASCII form every server takes: the mail went
    only through a server offering SMTPUTF8 (RFC 6531) and was dropped
    elsewhere; it now goes with its domain in IDNA in RCPT TO and in To,
    and the resident's page shows the address's domain as typed (the rest masked)."""
    project, port, inbox = site  # aiosmtpd's server, which offers no SMTPUTF8
    assert post(port, "/subscribe", {**SIGNUP, "email": "hong@성동구청.kr", "channels": ["email"]})[0] == 303
    path = confirm_path(inbox)
    (recipient, message), = inbox.messages
    assert recipient == "hong@xn--2e0bw5j1qmcgl.kr" and message["To"] == "hong@xn--2e0bw5j1qmcgl.kr"
    token = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)["t"][0]
    assert post(port, "/subscribe/confirm", {"t": token})[0] == 200
    (subscriber_id, stored), = store_rows(project, "SELECT id, email FROM subscribers")
    assert stored == "hong@성동구청.kr"
    status, _, page = request(port, "GET", f"/p/{make_token('preferences', subscriber_id)}")
    assert status == 200 and "지금 등록된 주소: ho***@성동구청.kr" in page and "hong@성동구청" not in page



@pytest.mark.parametrize("smtputf8", [True, False])
def test_a_hangul_address_signs_up_and_gets_its_link_where_the_server_takes_it(tmp_path, smtputf8):
    """홍길동@example.com (an internationalized address, RFC 6531) was
    refused at sign-up and at /p/link with 「한/영 키를 눌러 영문으로」,
    though import takes it and send sends it with SMTPUTF8: a reader
    imported with it could never get their link. Through a server offering
    SMTPUTF8 it signs up, is confirmed, and gets its link; through one
    without, both forms say at the field that the office's mail server
    cannot send to it, and what to do instead. Letters standing alone
    (ㅗㅐㅜㅎ, the keyboard left in Korean) still get the 한/영 advice."""
    inbox, address = Inbox(), "홍길동@example.com"
    with SMTPServer(inbox, enable_SMTPUTF8=smtputf8) as smtp:
        project = copy_project(tmp_path, extra_settings=f"SMTP_PORT = {smtp.port}\n")
        with serving(make_app(Project(project / "pelicanconf.py"))) as port:
            status, _, page = post(port, "/subscribe", {**SIGNUP, "email": address, "channels": ["email"]})
            link_status, _, link_page = post(port, "/p/link", {"email": address})
            if not smtputf8:
                reader, = add_subscribers(Path(store_of(project)), 1)  # a new address on a reader's own page too
                saved = post(port, f"/p/{make_token('preferences', reader)}", {**SIGNUP, "email": address, "action": "save"})
                assert store_rows(project, "SELECT email FROM subscribers") == [("s00001@mail.test",)]
                for answer, shown in ((status, page), (link_status, link_page), saved[::2]):
                    error = re.sub(r"<[^>]*>", "", shown.split('id="e-email"', 1)[1].split("</p>", 1)[0])
                    assert answer == 400 and "영문이 아닌 글자가 있는 이메일 주소로는 지금 구청 메일 서버가 메일을 보낼 수 없습니다" in error
                    assert "전화(02-2286-5114)" in error and f'value="{address}"' in shown
                assert inbox.messages == [] and store_rows(project, "SELECT id FROM subscriptions_mail") == []
                return
            assert (status, link_status) == (303, 303)
            token = urllib.parse.parse_qs(urllib.parse.urlsplit(confirm_path(inbox)).query)["t"][0]
            assert post(port, "/subscribe/confirm", {"t": token})[0] == 200
            assert store_rows(project, "SELECT email FROM subscribers") == [(address,)]
            assert post(port, "/p/link", {"email": address})[0] == 303
            (recipient, message), = inbox.wait_for(2)[1:]
            assert recipient == address and message["To"] == address
            assert "/p/" in message.get_body(("plain",)).get_content()
            status, _, page = post(port, "/p/link", {"email": "ㅗㅐㅜㅎ@example.com"})
            assert status == 400 and "한/영 키를 눌러 영문으로 적어 주세요" in page


# --- SPEC §13, read sentence by sentence: the forms' questions and the link's 24 hours ---------

class _Controls(html.parser.HTMLParser):
    """Each form of a page: its method, its action and the controls it sends
    (name -> the values its inputs, options and buttons offer)."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"method": attrs.get("method"), "action": attrs.get("action"), "controls": {}})
        elif tag == "select" and self.forms:
            self._select = attrs.get("name")
            self.forms[-1]["controls"].setdefault(self._select, [])
        elif tag == "option" and self.forms:
            self.forms[-1]["controls"][self._select].append(attrs.get("value"))
        elif tag in ("input", "button", "textarea") and self.forms and attrs.get("name"):
            self.forms[-1]["controls"].setdefault(attrs["name"], []).append(attrs.get("value"))


def forms_of(page: str) -> list[dict]:
    parser = _Controls()
    parser.feed(page)
    return parser.forms


ASKED = {"name", "email", "phone", "birth_year", "gender", "dong", "business_type", "fields", "channels"}


def test_the_sites_sign_up_form_asks_what_spec_13_lists_and_posts_to_the_collector(tmp_path):
    """SPEC §13: the form asks name, email, phone, birth year, gender, dong or
    business type, fields and channels, and holds the privacy consent
    (purpose, items kept, how long, the right to refuse); its action is
    COLLECTOR_URL/subscribe."""
    project = copy_project(tmp_path, extra_settings='COLLECTOR_URL = "https://sotong.sd.go.kr/"\n')
    built = run_cli(project / "pelicanconf.py", "build")
    assert built.code == 0, built.output
    page = (project / "output" / "subscribe" / "form" / "index.html").read_text(encoding="utf-8")
    (form,) = forms_of(page)
    assert (form["method"], form["action"]) == ("post", "https://sotong.sd.go.kr/subscribe")
    controls = form["controls"]
    assert ASKED | {"consent", "website"} <= set(controls), sorted(controls)  # website: the honeypot
    audiences = Project(project / "pelicanconf.py").audiences
    assert set(controls["fields"]) == set(audiences.fields) and set(controls["channels"]) == {"email", "sms"}
    assert set(controls["dong"]) - {""} == set(audiences.dongs)
    assert set(controls["business_type"]) - {""} == set(audiences.business_types)
    consent = page.split('id="q-consent"', 1)[1].split("</fieldset>", 1)[0]
    told = dict(re.findall(r"<dt[^>]*>([^<]+)</dt><dd[^>]*>([^<]+)</dd>", consent))
    assert set(told) == {"수집·이용 목적", "수집하는 항목", "보관 기간", "동의를 거부할 권리"}
    assert all(len(text) > 20 for text in told.values()), told


def test_the_preferences_page_changes_what_spec_13_lists_and_has_stop_everything(site):
    project, port, inbox = site
    _subscriber_id, path, page = _preferences_page(project, port, inbox)
    forms = [form for form in forms_of(page) if form["action"] == path]  # the other: the phone's code
    (save,) = [form for form in forms if "fields" in form["controls"]]
    (stop,) = [form for form in forms if form["controls"] == {"action": ["stop"]}]
    assert save["method"] == stop["method"] == "post" and "모든 수신 그만두기" in page
    assert {"fields", "channels", "dong", "birth_year", "email", "phone"} <= set(save["controls"])


def test_a_sign_up_link_confirms_for_24_hours_and_not_a_second_more(site):
    project, port, inbox = site
    post(port, "/subscribe", SIGNUP)
    age_pending(project, 24 * 3600 - 60)
    assert post(port, "/subscribe/confirm", {"t": token_of(confirm_path(inbox))})[0] == 200
    assert post(port, "/subscribe", {**SIGNUP, "email": "kim@example.com", "channels": ["email"]})[0] == 303
    age_pending(project, 24 * 3600 + 1)
    status, _, page = post(port, "/subscribe/confirm", {"t": token_of(confirm_path(inbox, 1))})
    assert status == 410 and "처음부터 다시 신청해 주세요" in page
    assert store_rows(project, "SELECT email FROM subscribers") == [("hong@example.com",)]
