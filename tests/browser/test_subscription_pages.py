"""The collector's pages of the subscriptions plugin in Chromium at 375px
and 1280px (the static sign-up form is among the site pages): the
preferences page, the same page with every error listed after a real form
POST (no JavaScript), the link request and its answer, and the sign-up's
"check your mail" page: axe-core, no sideways scrolling, 16px text, nothing
fetched from outside the collector."""

from __future__ import annotations

from sample_site import SECRET_ENV

from sotong.tokens import make_token

from .page_checks import SITE_TAGS, axe_violations, reading_problems


def _problems(tab, width, origin, axe_script) -> list[str]:
    return (reading_problems(tab.page, width) + tab.foreign_requests(origin)
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
