"""The unsubscribe page that ``sotong serve`` shows for an email's link
(GET /u/TOKEN), and the page after pressing its button (a real form POST,
no JavaScript), in Chromium at 375px and 1280px: axe-core, no sideways
scrolling, 16px text, and nothing fetched from outside the collector; and
the one-sentence answer to a mail app's one-click POST, on a 320px phone;
and a reader's page followed by a link in a browser that ignores the
Referrer-Policy header (an older phone's) sends its address on as no
Referer. And each page of the collector a resident opens, on a 320px phone
with the text spacing of WCAG 1.4.12: no text cut off, no sideways scrolling;
and no two of them, made for different purposes, share a title.
"""

from __future__ import annotations

import re

import pytest

from .page_checks import SITE_TAGS, WIDTHS, axe_violations, text_spacing_problems, web_page_problems
from .test_large_text import COLLECTOR_PAGES, SAME_PAGE, _collector_paths


def _problems(tab, width, origin, axe_script) -> list[str]:
    return (web_page_problems(tab.page, width) + tab.foreign_requests(origin)
            + axe_violations(tab.page, axe_script, SITE_TAGS))


def test_unsubscribe_page(width, tab, collector, bundle, axe_script):
    tab.open(collector + bundle.fullest.unsubscribe_path)
    assert tab.page.get_by_role("button").count() == 1, "the page offers no unsubscribe button"
    tab.screenshot("unsubscribe", width)
    problems = _problems(tab, width, collector, axe_script)
    assert not problems, f"GET /u/TOKEN at {width}px:\n" + "\n".join(problems)


def test_page_after_unsubscribing(width, tab, collector, bundle, axe_script):
    # readers other than the one above (whose page must keep its button), one per width
    reader = bundle.emails[-1 - WIDTHS.index(width)]
    tab.open(collector + reader.unsubscribe_path)
    with tab.page.expect_navigation():
        tab.page.get_by_role("button").click()
    assert tab.page.get_by_role("button").count() == 0
    tab.screenshot("unsubscribed", width)
    problems = _problems(tab, width, collector, axe_script)
    assert not problems, f"POST /u/TOKEN at {width}px:\n" + "\n".join(problems)


@pytest.mark.parametrize("width", [320])
def test_the_answer_to_a_one_click_post_reads_on_a_phone(width, tab, collector, bundle, axe_script):
    """The one sentence a mail app's POST gets (RFC 8058) is shown to whoever
    sees it on a phone, a mail app's own browser among them: it had no
    viewport (laid out 980px wide, its text a third of its size), no heading
    and no main landmark."""
    reader = bundle.emails[-3]
    tab.page.route(collector + reader.unsubscribe_path, lambda route: route.continue_(
        method="POST", post_data="List-Unsubscribe=One-Click",
        headers={**route.request.headers, "content-type": "application/x-www-form-urlencoded"}))
    tab.open(collector + reader.unsubscribe_path)
    assert tab.page.locator("main h1").all_inner_texts() == ["수신 거부가 완료되었습니다."]
    problems = _problems(tab, width, collector, axe_script)
    assert not problems, f"POST /u/TOKEN (one-click) at {width}px:\n" + "\n".join(problems)


def test_a_readers_page_listing_the_surveys_they_may_answer(width, tab, collector, bundle, axe_script):
    """The 「수신 설정」 page of a reader the issue invited to a survey (their
    way back to it once the email is lost): its section of surveys, each
    link named with its survey's title, passes the page checks."""
    from sample_site import SECRET_ENV

    from sotong.tokens import make_token

    reader = next(email for email in bundle.emails if "설문 참여 요청" in email.html)
    tab.open(collector + f"/p/{make_token('preferences', reader.subscriber, SECRET_ENV['SOTONG_SECRET'].encode())}")
    section = tab.page.get_by_role("region", name="참여하실 수 있는 설문")
    links = section.get_by_role("link")  # named by their text and their survey's title
    assert links.count() >= 1 and section.get_by_role("link", name=re.compile(r"^설문 참여하기 \S")).count() == links.count()
    tab.screenshot("preferences-surveys", width)
    problems = _problems(tab, width, collector, axe_script)
    assert not problems, f"GET /p/TOKEN with surveys at {width}px:\n" + "\n".join(problems)


@pytest.mark.parametrize("width", [375])
def test_a_browser_that_ignores_the_referrer_header_sends_no_readers_link_on(width, tab, collector, bundle):
    """A reader's page (/p/TOKEN: their preferences) tells the browser to
    send its address, which opens the page to whoever holds it, as nobody's
    Referer. The Referrer-Policy header says so only to browsers from 2017
    on (Chrome 56, iOS Safari 12, Samsung Internet 7.2); older phones' read
    the page's <meta name="referrer" content="never"> (Chrome 21, Safari
    7.1), and sent the whole address on with every link followed and
    every answer's redirect. Here the header is taken away, as those
    browsers ignore it, and the site menu's first link followed."""
    from sample_site import SECRET_ENV

    from sotong.tokens import make_token

    path = f"/p/{make_token('preferences', bundle.emails[1].subscriber, SECRET_ENV['SOTONG_SECRET'].encode())}"

    def without_the_policy_header(route):
        answer = route.fetch()
        route.fulfill(response=answer, headers={name: value for name, value in answer.headers.items()
                                                if name.lower() != "referrer-policy"})

    tab.page.route(collector + path, without_the_policy_header)
    tab.open(collector + path)
    with tab.page.expect_request(lambda request: request.is_navigation_request() and path not in request.url) as followed:
        tab.page.locator("nav.site-nav a").first.click()
    assert "referer" not in followed.value.headers, f"the reader's link went on as the Referer of {followed.value.url}"


@pytest.mark.parametrize("width", [320])
@pytest.mark.parametrize("name", COLLECTOR_PAGES)
def test_collector_page_keeps_its_text_with_wider_spacing(name, width, tab, collector, bundle):
    path, status = _collector_paths(bundle)[name]
    response = tab.page.goto(collector + path)
    assert response.status == status, f"GET {path} answered {response.status}"
    problems = text_spacing_problems(tab.page, width)
    assert not problems, f"{name} (GET {path}) at {width}px:\n" + "\n".join(problems)


@pytest.mark.parametrize("width", [375])
def test_no_two_collector_pages_for_different_purposes_share_a_title(width, tab, collector, bundle):
    """The page after a sign-up (confirm it by the mail) and the one after
    a request for the 「수신 설정」 link were both 「메일을 확인해 주세요」: a
    resident with both tabs open, or a screen reader's list of them, could
    not tell which mail to look for. Each page's <title> says what it is
    for; the same page for another reader (SAME_PAGE) keeps its title."""
    purposes: dict[str, set[str]] = {}
    for name in COLLECTOR_PAGES:
        path, status = _collector_paths(bundle)[name]
        assert tab.page.goto(collector + path).status == status, f"GET {path}"
        purposes.setdefault(tab.page.title(), set()).add(SAME_PAGE.get(name, name))
    assert {title: names for title, names in purposes.items() if len(names) > 1} == {}, purposes
