"""The collector's pages of the subscriptions plugin in Chromium at 375px
and 1280px (the static sign-up form is among the site pages): the
preferences page, the same page with every error listed after a real form
POST (no JavaScript), the link request and its answer, the sign-up's
"check your mail" page, and every page from a confirmation link to stopping
everything (confirm buttons, done, a wrong phone code, a saved change, an
email change confirmed, stopped, an expired link): axe-core, no sideways scrolling, 16px text, nothing
fetched from outside the collector."""

from __future__ import annotations

from sample_site import SECRET_ENV

from sotong.tokens import make_token

from .page_checks import SITE_TAGS, axe_violations, web_page_problems


def _problems(tab, width, origin, axe_script) -> list[str]:
    return (web_page_problems(tab.page, width) + tab.foreign_requests(origin)
            + axe_violations(tab.page, axe_script, SITE_TAGS))


def test_preferences_page_and_its_errors(width, tab, collector, bundle, axe_script):
    reader = bundle.emails[1 + (width > 400)]
    tab.open(f"{collector}/p/{make_token('preferences', reader.subscriber, SECRET_ENV['SOTONG_SECRET'].encode())}")
    assert tab.page.get_by_role("button", name="모든 수신 그만두기").count() == 1
    tab.screenshot("preferences", width)
    problems = _problems(tab, width, collector, axe_script)
    assert not problems, f"GET /p/TOKEN at {width}px:\n" + "\n".join(problems)
    for box in tab.page.locator("input[name=fields]").all():
        box.uncheck()
    with tab.page.expect_navigation():
        tab.page.get_by_role("button", name="바꾼 내용 저장").click()
    assert "고쳐 주셔야 할 곳이" in tab.page.content()
    tab.screenshot("preferences-errors", width)
    problems = _problems(tab, width, collector, axe_script)
    assert not problems, f"POST /p/TOKEN with errors at {width}px:\n" + "\n".join(problems)


def test_link_request_and_check_mail_pages(width, tab, collector, axe_script):
    for path, name in (("/p/link", "link-request"), ("/p/link/sent", "link-sent"), ("/subscribe/check", "check-mail")):
        tab.open(collector + path)
        tab.screenshot(name, width)
        problems = _problems(tab, width, collector, axe_script)
        assert not problems, f"GET {path} at {width}px:\n" + "\n".join(problems)


def _signup_token(collector: str, address: str) -> str:
    """A sign-up POSTed to the collector (its mail goes nowhere here) and the
    token its confirmation link carries, read from the sample's store."""
    import http.client
    import sqlite3
    import urllib.parse

    from sample_site import dev_site
    from subscriptions.collector import CONFIRM

    fields = {"email": address, "phone": "010-3333-4444", "fields": ["health"], "channels": ["email", "sms"],
              "birth_year": "1946", "dong": "yongdap", "gender": "F", "name": "홍길순", "consent": "yes",
              "consent_version": "2026-12-v1/3600s", "website": ""}
    connection = http.client.HTTPConnection(urllib.parse.urlsplit(collector).netloc, timeout=20)
    connection.request("POST", "/subscribe", urllib.parse.urlencode(fields, doseq=True),
                       {"Content-Type": "application/x-www-form-urlencoded"})
    assert connection.getresponse().status == 303  # to the check-your-mail page
    connection.close()
    with sqlite3.connect(dev_site().project / "private" / "sotong.db") as db:
        pending_id, = db.execute("SELECT id FROM subscriptions_pending WHERE data LIKE ?", (f'%"{address}"%',)).fetchone()
    return make_token(CONFIRM, pending_id, SECRET_ENV["SOTONG_SECRET"].encode())


SETTINGS_COLLECTOR = "http://127.0.0.1:8080"  # COLLECTOR_URL of pelicanconf.py: the links and redirects the pages give


def _send_to_the_collector_under_test(tab, collector: str) -> None:
    """The pages' links and redirects name COLLECTOR_URL (the settings'); the
    browser follows them to the collector under test."""
    def handle(route):
        response = route.fetch(url=route.request.url.replace(SETTINGS_COLLECTOR, collector), max_redirects=0)
        headers = {name: value.replace(SETTINGS_COLLECTOR, collector) if name.lower() == "location" else value
                   for name, value in response.headers.items()}
        route.fulfill(response=response, headers=headers)

    for origin in (SETTINGS_COLLECTOR, collector):
        tab.page.route(origin + "/**", handle)


def _check(tab, width, collector, axe_script, name: str) -> None:
    tab.screenshot(name, width)
    problems = (web_page_problems(tab.page, width) + axe_violations(tab.page, axe_script, SITE_TAGS)
                + [r for r in tab.foreign_requests(collector) if SETTINGS_COLLECTOR + "/" not in r])
    assert not problems, f"{name} at {width}px:\n" + "\n".join(problems)


def test_every_page_from_confirmation_to_stopping(width, tab, collector, axe_script):
    """The confirm button, the sign-up done, a wrong phone code, a saved
    change waiting for its new address, that address's confirm button and
    its answer, stopping everything, and an expired link: each with axe."""
    import sqlite3

    from sample_site import dev_site
    from subscriptions.collector import EMAIL_CONFIRM

    def press(button: str, shows: str, name: str) -> None:
        with tab.page.expect_navigation():
            tab.page.get_by_role("button", name=button).click()
        assert shows in tab.page.content(), tab.page.inner_text("main")[:600]
        _check(tab, width, collector, axe_script, name)

    _send_to_the_collector_under_test(tab, collector)
    token = _signup_token(collector, f"browser-{width}@example.com")
    tab.open(f"{collector}/subscribe/confirm?t={token}")
    _check(tab, width, collector, axe_script, "signup-confirm")
    press("신청 확인", "신청이 끝났습니다", "signup-done")
    preferences = tab.page.locator("a[href*='/p/']").first.get_attribute("href")
    tab.open(preferences)
    tab.page.locator("input[name=code]").fill("000000")
    press("번호 확인", "인증번호가 맞지 않거나", "phone-code-wrong")
    tab.open(preferences)
    tab.page.locator("input[name=email]").fill(f"changed-{width}@example.com")
    tab.page.locator("input[name=phone]").fill("010-3333-4444")  # not yet confirmed: asked again for SMS
    press("바꾼 내용 저장", "확인 메일을 보냈습니다", "preferences-saved")
    with sqlite3.connect(dev_site().project / "private" / "sotong.db") as db:
        pending_id, = db.execute("SELECT id FROM subscriptions_pending WHERE purpose = 'email' AND data LIKE ?",
                                 (f'%changed-{width}@%',)).fetchone()
    tab.open(f"{collector}/p/email?t={make_token(EMAIL_CONFIRM, pending_id, SECRET_ENV['SOTONG_SECRET'].encode())}")
    _check(tab, width, collector, axe_script, "email-confirm")
    press("주소 확인", "이메일 주소를 바꾸었습니다", "email-changed")
    tab.open(preferences)
    press("모든 수신 그만두기", "모든 수신을 그만두었습니다", "stopped")
    expired = _signup_token(collector, f"expired-{width}@example.com")
    with sqlite3.connect(dev_site().project / "private" / "sotong.db") as db:
        db.execute("UPDATE subscriptions_pending SET expires_at = 0 WHERE data LIKE ?", (f'%expired-{width}@%',))
    assert tab.page.goto(f"{collector}/subscribe/confirm?t={expired}").status == 410
    _check(tab, width, collector, axe_script, "link-expired")


def test_a_committee_members_preferences_page(width, tab, collector, axe_script):
    """A member's page names their groups (SPEC §16) in a box of its own."""
    from test_private_notices import committee_readers

    member = sorted(committee_readers())[0]
    tab.open(f"{collector}/p/{make_token('preferences', member, SECRET_ENV['SOTONG_SECRET'].encode())}")
    assert tab.page.get_by_role("heading", name="소속 위원회·단체: 주민참여예산위원회").count() == 1
    tab.screenshot("preferences-member", width)
    problems = _problems(tab, width, collector, axe_script)
    assert not problems, f"GET /p/TOKEN of a committee member at {width}px:\n" + "\n".join(problems)
