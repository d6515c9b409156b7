"""The survey pages that ``sotong serve`` shows (issue #10): the form opened
from an invitation, the same form with every error listed after a real form
POST (no JavaScript), and the thank-you page after a good answer, in
Chromium at 375px and 1280px: the site's header, Korean kept whole
(``word-break: keep-all``, so "만족도" is never broken), axe-core, no
sideways scrolling, 16px text, nothing fetched from outside the collector."""

from __future__ import annotations

from sample_site import SECRET_ENV

from sotong.tokens import make_token

from .conftest import WIDTHS
from .page_checks import SITE_TAGS, axe_violations, reading_problems

SURVEY = "library-satisfaction"  # open on the sample day, anonymous
CONFIGURED = "http://127.0.0.1:8080"  # the sample's COLLECTOR_URL: the answer's redirect goes there
REQUIRED = ("library", "purpose", "satisfaction")


def _problems(tab, width, origin, axe_script) -> list[str]:
    return (reading_problems(tab.page, width) + tab.foreign_requests(origin)
            + axe_violations(tab.page, axe_script, SITE_TAGS))


def _site_look(tab) -> list[str]:
    problems = []
    if tab.page.locator("header.site-header nav[aria-label='주 메뉴']").count() != 1:
        problems.append("the page lacks the site's header")
    for selector in ("h1", "main p"):
        breaking = tab.page.eval_on_selector(selector, "e => getComputedStyle(e).wordBreak")
        if breaking != "keep-all":
            problems.append(f"{selector} breaks Korean words (word-break: {breaking})")
    return problems


def _post_here(tab) -> None:
    """Send the form to the collector the tests started (its COLLECTOR_URL
    names another port), without the browser's own checks of required fields."""
    tab.page.eval_on_selector("form", "form => { form.noValidate = true; form.action = location.pathname; }")


def test_survey_errors_then_thanks(width, tab, collector, axe_script):
    reader = f"S{900 + WIDTHS.index(width)}"  # a token per width: each is used once
    token = make_token("survey", f"{SURVEY}:{reader}", SECRET_ENV["SOTONG_SECRET"].encode())
    tab.open(f"{collector}/surveys/{SURVEY}?t={token}")
    _post_here(tab)
    with tab.page.expect_navigation():
        tab.page.get_by_role("button", name="답변 보내기").click()
    assert tab.page.locator("#survey-errors li").count() >= len(REQUIRED), "the errors are not listed"
    tab.screenshot("survey-errors", width)
    problems = _problems(tab, width, collector, axe_script) + _site_look(tab)
    assert not problems, f"POST /surveys/{SURVEY} with errors at {width}px:\n" + "\n".join(problems)

    for name in REQUIRED:
        tab.page.locator(f"input[name={name}]").first.check()
    _post_here(tab)
    with tab.page.expect_response(lambda response: response.request.method == "POST") as posted:
        tab.page.get_by_role("button", name="답변 보내기").click()
    assert posted.value.status == 303
    assert posted.value.headers["location"] == f"{CONFIGURED}/surveys/{SURVEY}/thanks"
    tab.page.wait_for_url(lambda url: not url.startswith(collector))  # the redirect, where nothing listens in the tests
    tab.requests.clear()
    tab.open(f"{collector}/surveys/{SURVEY}/thanks")
    tab.screenshot("survey-thanks", width)
    problems = _problems(tab, width, collector, axe_script) + _site_look(tab)
    assert not problems, f"the thank-you page at {width}px:\n" + "\n".join(problems)
