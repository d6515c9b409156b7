"""Every kind of page a resident meets, on a 320px phone whose reader set the
browser's text size to 200% (Chromium's font-size setting, as a phone's
larger-text setting does) and with JavaScript off: the text really grows
(no text under 32px, twice the 16px floor), the page still does not scroll
sideways, nor cuts text off, with the text spacing of WCAG 1.4.12 too (a
phone number kept on one line was 13-17px wider than the phone: one
wider than the line breaks after a hyphen now), every tap target stays 44px, a phone number (a link, or words:
an example to follow) is never split over two lines nor sticks out of
its box, and a keyboard user's first Tab reaches the skip link and every
focus is seen (3:1). The built site's pages (a survey's once it closed
too, with the office's number to tap) and the collector's (``sotong
serve``): preferences (a committee member's too, with its box of groups),
the link request, the check-your-mail pages (after a sign-up, after a
link request), unsubscribe, a survey opened
from an invitation and one refused, a forged link and a missing page; the
sign-up form sent empty and then filled in, each error read with its field;
in a browser that shows no CSS, the forms' text boxes narrower than the
phone and a survey form not scrolling sideways;
and the site's header on a 360px phone at 200% leaves most of the first
screen to the page. No axe here (test_site_pages and the collector's tests run
it); one context, so the pages load one after another in seconds.
"""

from __future__ import annotations

import re

import pytest

from project_support import copy_project, run_sotong
from sample_site import SECRET_ENV, dev_site
from survey.results import QuestionResult, Results, Row, results_to_json

from sotong.tokens import make_token

from .page_checks import (MIN_TEXT_PX, cut_heading_words, focus_problems, numbers_split_in_text, sideways_scrolling,
                          small_targets, small_text, split_phone_numbers, text_spacing_problems, without_styles)

WIDTH = 320
TEXT_SCALE = 2  # the reader's text size: 200%
SURVEY = "library-satisfaction"  # the sample's survey that publishes its results
LONG_OPTION = "무지개도서관(어린이 전용 열람실)"


def _phone(browser, width: int, height: int):
    """A phone's context and page at ``width`` x ``height`` px with the text
    at 200% and JavaScript off: the pages need none (the checks run from
    outside the page, as DevTools does)."""
    context = browser.new_context(viewport={"width": width, "height": height}, is_mobile=True, has_touch=True,
                                  device_scale_factor=2, locale="ko-KR", java_script_enabled=False)
    page = context.new_page()
    context.new_cdp_session(page).send("Page.setFontSizes", {"fontSizes": {
        "standard": MIN_TEXT_PX * TEXT_SCALE, "fixed": 13 * TEXT_SCALE}})
    return context, page


@pytest.fixture(scope="module")
def large_text(browser):
    context, page = _phone(browser, WIDTH, 700)
    yield page
    context.close()


def _problems(page) -> list[str]:
    return (sideways_scrolling(page, WIDTH) + small_text(page, MIN_TEXT_PX * TEXT_SCALE) + small_targets(page)
            + split_phone_numbers(page) + numbers_split_in_text(page) + cut_heading_words(page) + focus_problems(page)
            + text_spacing_problems(page, WIDTH))


def test_site_page_with_large_text(site_page, large_text, site_server):
    assert site_page.path is not None, f"the sample build produced no {site_page.name} page"
    large_text.goto(f"{site_server.base}/{site_page.path}")
    problems = _problems(large_text)
    assert not problems, f"{site_page.path} at {WIDTH}px, text 200%:\n" + "\n".join(problems)


def _collector_paths(bundle) -> dict[str, tuple[str, int]]:
    """Each page's path and the status it is answered with."""
    from test_private_notices import committee_readers

    secret = SECRET_ENV["SOTONG_SECRET"].encode()
    return {
        "preferences": (f"/p/{make_token('preferences', bundle.emails[1].subscriber, secret)}", 200),
        "member-preferences": (f"/p/{make_token('preferences', sorted(committee_readers())[0], secret)}", 200),
        "link-request": ("/p/link", 200),
        "check-mail": ("/subscribe/check", 200),
        "link-sent": ("/p/link/sent", 200),
        "unsubscribe": (bundle.fullest.unsubscribe_path, 200),
        "survey": (f"/surveys/library-satisfaction?t={make_token('survey', 'library-satisfaction:S000250', secret)}", 200),
        "survey-refused": (f"/surveys/library-satisfaction?t={make_token('survey', 'library-satisfaction:S999999', secret)}", 403),
        "forged-link": ("/u/forged.token", 403),
        "reader-gone": (f"/p/{make_token('preferences', 'S999999', secret)}", 404),  # forgotten at their request
        "not-found": ("/no-such-page", 404),
    }


COLLECTOR_PAGES = ["preferences", "member-preferences", "link-request", "check-mail", "link-sent", "unsubscribe",
                   "survey", "survey-refused", "forged-link", "reader-gone", "not-found"]
SAME_PAGE = {"member-preferences": "preferences"}  # one page, for another reader: its title is the same


@pytest.mark.parametrize("name", COLLECTOR_PAGES)
def test_collector_page_with_large_text(name, large_text, collector, bundle):
    path, status = _collector_paths(bundle)[name]
    response = large_text.goto(collector + path)
    assert response.status == status, f"GET {path} answered {response.status}"
    problems = _problems(large_text)
    assert not problems, f"{name} (GET {path}) at {WIDTH}px, text 200%:\n" + "\n".join(problems)


@pytest.fixture(scope="module")
def large_text_without_css(browser):
    """The 200% phone of :func:`large_text`, whose browser shows no CSS: each
    collector page arrives without its style blocks and style attributes."""
    context, page = _phone(browser, WIDTH, 700)

    def unstyled(route):
        answer = route.fetch(max_redirects=0)
        page_html = "text/html" in answer.headers.get("content-type", "")
        route.fulfill(response=answer, body=without_styles(answer.text()) if page_html else answer.body())

    page.route("**/*", unstyled)
    yield page
    context.close()


_WIDE_BOXES = """(most) => [...document.querySelectorAll('input[type=text], input[type=email], input[type=tel], textarea')]
  .filter(box => box.getBoundingClientRect().width > most)
  .map(box => `${box.tagName.toLowerCase()}#${box.id} (${Math.round(box.getBoundingClientRect().width)}px)`)"""


@pytest.mark.parametrize("name", ["preferences", "member-preferences", "link-request", "survey"])
def test_collector_forms_boxes_fit_a_phone_without_css_with_large_text(name, large_text_without_css, collector, bundle):
    """Without CSS a box is as wide as its characters, 20 unless it says
    (a text box's size, a textarea's cols): at 200% text the survey's
    textarea (370px) and the address boxes (334px) were wider than a 320px
    phone, which then showed the page zoomed out (its text smaller again)
    and its button where a tap did not reach it. Each box now leaves a
    quarter of the screen to the indent of its question. (A word longer
    than the line, as an example address, still widens its question
    without CSS, which alone can break it.)"""
    path, status = _collector_paths(bundle)[name]
    response = large_text_without_css.goto(collector + path)
    assert response.status == status, f"GET {path} answered {response.status}"
    assert "<style" not in large_text_without_css.content() and large_text_without_css.locator("form").count()
    wide = large_text_without_css.evaluate(_WIDE_BOXES, WIDTH * 3 / 4)
    assert not wide, f"{name} (GET {path}) without CSS at {WIDTH}px, text 200%: boxes over {WIDTH * 3 // 4}px: {wide}"


def test_the_survey_form_without_css_with_large_text_fits_a_phone(large_text_without_css, collector, bundle):
    path, _status = _collector_paths(bundle)["survey"]
    large_text_without_css.goto(collector + path)
    problems = sideways_scrolling(large_text_without_css, WIDTH)
    assert not problems, f"the survey form without CSS at {WIDTH}px, text 200%:\n" + "\n".join(problems)


PHONE = (360, 740)  # a common phone's screen, in CSS px
_HEADER = """() => {
  const header = document.querySelector('header.site-header').getBoundingClientRect();
  const links = [...document.querySelectorAll('nav.site-nav a')].map(a => a.getBoundingClientRect());
  return {height: header.height, rows: new Set(links.map(box => Math.round(box.top))).size,
          smallest: Math.min(...links.map(box => Math.min(box.width, box.height)))};
}"""


def _header_on(browser, phone: tuple[int, int], urls: list[str], share: float):
    """Each page's header at 200% text on ``phone`` has the menu in three
    rows at most, takes at most ``share`` of the screen's height, and keeps
    each item a 44px target."""
    context, page = _phone(browser, *phone)
    try:
        for url in urls:
            page.goto(url)
            header = page.evaluate(_HEADER)
            assert header["rows"] <= 3 and header["height"] <= phone[1] * share, (url, header)
            assert header["smallest"] >= 44, (url, header)
    finally:
        context.close()


def test_the_site_header_leaves_most_of_a_phones_first_screen_to_the_page(browser, site_server, collector):
    """At 200% text on a 360x740 phone the header (the site's name, its
    subtitle and the six menu items in five rows) was 863px high, more than
    the screen: the page began on the second screen. The menu wraps in
    three rows now and the header takes under 5/8 of the screen (about 440px),
    on the site and on the collector's pages; each item a 44px target still."""
    _header_on(browser, PHONE, [f"{site_server.base}/index.html", f"{collector}/subscribe/check"], 5 / 8)


def test_on_the_smallest_phone_a_notice_page_header_leaves_half_the_screen(browser, site_server, collector):
    """On a 320x568 phone at 200% text the header of a notice's page (where
    an email or a text message leads) took 441px, 78% of the screen: the
    subtitle, which says what the site is, took three lines of it on every
    page. It shows on the home page only now, and the header of a notice's
    page, a collector's page and a survey's takes at most 55% (306px)."""
    notice = min((dev_site().output / "notices").iterdir())
    urls = [f"{site_server.base}/notices/{notice.name}/", f"{collector}/subscribe/check"]
    _header_on(browser, (320, 568), urls, 0.55)


CLOSED_DAY = "2026-12-01"  # the day after the sample's library survey closed: its results are published


@pytest.fixture(scope="module")
def closed_survey_site(tmp_path_factory):
    """The sample built the day after its library survey closed, with that
    survey's results published (``publish_results: true``)."""
    project = copy_project(tmp_path_factory.mktemp("closed-survey"), extra_settings=f'SOTONG_TODAY = "{CLOSED_DAY}"\n')
    rows = (Row("성동구립도서관", 3, 0.5), Row(LONG_OPTION, 2, 1 / 3), Row("(응답 없음)", 1, 1 / 6))
    results = Results(SURVEY, "2026 성동구립도서관 이용자 만족도 조사", 6, 10,
                      (QuestionResult("library", "single", "가장 자주 이용하시는 도서관은 어디입니까?", rows),), 6)
    folder = project / "private" / "surveys" / SURVEY
    folder.mkdir(parents=True)
    (folder / "public.json").write_text(results_to_json(results), encoding="utf-8")
    assert run_sotong(project, "build").code == 0
    return project / "output"


def test_published_survey_results_with_large_text(large_text, site_server, closed_survey_site):
    """The results page a survey publishes (``publish_results: true``): its
    tables of counts kept a long option whole ("성동구립도서관", keep-all)
    and at 200% text widened the page to 549px, which then scrolled
    sideways; a table scrolls in its own box now, as a notice's does. Its
    chart drew the options and figures inside one SVG scaled to the page,
    so they stayed 14px among 36px text and a long option was cut
    ("무지개도서관(어린이 전용 열…"); they are text over their bars now,
    as large as the page's and whole."""
    page = (closed_survey_site / "surveys" / SURVEY / "results" / "index.html").read_text(encoding="utf-8")
    large_text.goto(site_server.put("/__test__/survey-results.html", page))  # the site's own stylesheet
    assert large_text.locator("table").count() == 1
    problems = _problems(large_text)
    assert not problems, f"the published results at {WIDTH}px, text 200%:\n" + "\n".join(problems)
    chart = large_text.locator("[role=img]").inner_text()
    assert chart.split("\n")[1] == f"{LONG_OPTION}: 2명 (33.3%)", chart


def test_a_closed_surveys_page_gives_the_office_phone_to_tap(large_text, site_server, closed_survey_site):
    """A survey's page once it closed says whom to call: the office's number
    was plain text there, the one number on the site a resident could not
    tap to call, and not kept whole at 200% text."""
    page = (closed_survey_site / "surveys" / SURVEY / "index.html").read_text(encoding="utf-8")
    large_text.goto(site_server.put("/__test__/survey-closed.html", page))
    assert large_text.get_by_role("heading", name="참여 기간이 끝났습니다").count() == 1
    said = large_text.locator("main section", has_text="마감되어")
    assert said.locator('a[href="tel:02-2286-5114"]').all_inner_texts() == ["02-2286-5114"], said.inner_html()
    problems = _problems(large_text)
    assert not problems, f"a closed survey's page at {WIDTH}px, text 200%:\n" + "\n".join(problems)


def _described_fields(page) -> dict[str, str]:
    """Each form field's and question group's accessible description, as a
    screen reader says it with the field: name -> description."""
    nodes = page.context.new_cdp_session(page).send("Accessibility.getFullAXTree")["nodes"]
    return {node.get("name", {}).get("value", ""): node["description"]["value"] for node in nodes
            if node.get("description", {}).get("value") and not node.get("ignored")}


def test_the_sign_up_form_works_and_ties_its_errors_to_their_fields_with_javascript_off(browser, site_server, collector):
    """The site's sign-up form sent as it is (nothing typed) on a 320px phone
    at 200% text, JavaScript off: the collector's page lists the errors in
    Korean and each field's error is read with that field; then sent filled
    in, it goes on to the check-your-mail page."""
    from .test_subscription_pages import _send_to_the_collector_under_test

    context, page = _phone(browser, WIDTH, 700)
    try:
        tab = type("Tab", (), {"page": page})()
        _send_to_the_collector_under_test(tab, collector)
        page.goto(f"{site_server.base}/subscribe/form/index.html")
        with page.expect_navigation():
            page.get_by_role("button", name="신청하기").click()
        summary = page.locator("#form-errors li").all_inner_texts()
        assert len(summary) == 4 and all(re.search("[가-힣]", line) for line in summary), summary
        described = _described_fields(page)
        for field, error in (("1. 받고 싶은 분야 (하나 이상)", "e-fields"), ("2. 받는 방법 (하나 이상)", "e-channels"),
                             ("이메일 주소 (예: hong@example.com)", "e-email"), ("7. 개인정보 수집·이용 동의 (필수)", "e-consent")):
            said = page.locator(f"#{error}").inner_text()
            assert said.startswith("오류: ") and described.get(field) == said, (field, said, described.get(field))
        problems = _problems(page)
        assert not problems, f"the sign-up errors at {WIDTH}px, text 200%:\n" + "\n".join(problems)
        page.get_by_label("건강정보").check()
        page.get_by_label("이메일", exact=True).check()
        page.locator("#f-email").fill("js-off@example.com")
        page.get_by_label("위 내용을 읽었고, 개인정보 수집·이용에 동의합니다.").check()
        with page.expect_navigation():
            page.get_by_role("button", name="신청하기").click()
        assert page.url.endswith("/subscribe/check"), page.url
    finally:
        context.close()


_HOST_LINES = """() => {
  const link = document.querySelector('.minwon24-banner-link a');
  const node = [...link.childNodes].find(n => n.nodeType === 3 && n.textContent.includes('www.'));
  const range = document.createRange();
  range.setStart(node, node.textContent.indexOf('www.'));
  range.setEnd(node, node.textContent.length);
  return [range.toString(), new Set([...range.getClientRects()].map(r => Math.round(r.top))).size];
}"""


def test_a_banners_button_keeps_its_address_on_one_line(large_text, site_server):
    """The Minwon24 banner's button on the homepage, in a box, lost 1rem
    (36px) a side to its padding at 200% text and showed 「바로 가기:
    www.gov.」 over 「kr」; its padding is at most 4vw a side now."""
    large_text.goto(f"{site_server.base}/index.html")
    host, lines = large_text.evaluate(_HOST_LINES)
    assert (host, lines) == ("www.gov.kr", 1)
