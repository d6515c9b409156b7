"""A form sent with something to fix, as a resident on a 320px phone with
the text at 200% and JavaScript off meets it: the sign-up form (the site's
page, sent to the collector), the preferences page, the link request, a
survey, and a form sent too often (429).

- The collector checks what is typed, not the browser (``novalidate``):
  Chromium's own bubble refused an address typed full-width
  (ｈｏｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ), which the collector takes, and one typed
  with the keyboard left in Korean, for which the collector's page says
  to press 한/영; the bubble, in the browser's words, was gone in seconds.
- The page opens with its list of errors focused (``autofocus``): a screen
  reader starts there, and the next Tab is the list's first link. It
  opened at the top, the list read as any other text, if at all.
- The list's box keeps its side padding to a frame that does not grow with
  the text, as the questions' boxes do (tests/browser/test_input_width.py),
  and its items start at its edge, their bullets inside: at 1rem a side and
  a list's 40px, the errors were a column of 164px among questions of
  264px, four or five letters a line.
- Each link of the list focuses its question (``tabindex="-1"`` on the
  question's box): its label or legend and its error begin the screen, and
  the next Tab is the question's first box. The links scrolled there but
  left the focus where it was, so a screen reader stayed on the list.
"""

from __future__ import annotations

import contextlib
import http.client
import urllib.parse

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from project_support import REPO, copy_project, run_sotong
from sample_site import SECRET_ENV, collector as run_collector

from sotong.tokens import make_token

from .page_checks import focus_problems, numbers_split_in_text
from .test_large_text import WIDTH, _phone
from .test_subscription_pages import _send_to_the_collector_under_test

SURVEY = "library-satisfaction"
SUMMARIES = "#form-errors, #survey-errors, #form-retry"
CONSENT = "위 내용을 읽었고, 개인정보 수집·이용에 동의합니다."


@pytest.fixture(scope="module")
def collector(tmp_path_factory):
    """A collector of this file's own, on the sample's readers, whose
    SUBSCRIBE_RATE lets every form here through: the forms sent here from
    127.0.0.1 would use up the sign-ups an hour the other files' collector
    allows that address."""
    project = copy_project(tmp_path_factory.mktemp("form-errors"), extra_settings='SUBSCRIBE_RATE = "1000/hour"\n')
    imported = run_sotong(project, "subscribers", "import", str(REPO / "sample" / "subscribers.csv"), env=SECRET_ENV)
    assert imported.code == 0, imported.output
    with run_collector(project) as base:
        yield base


@pytest.fixture
def phone(browser, collector):
    """A 320px phone at 200% text, JavaScript off, whose requests to the
    settings' COLLECTOR_URL reach the collector under test."""
    context, page = _phone(browser, WIDTH, 700)
    _send_to_the_collector_under_test(type("Tab", (), {"page": page})(), collector)
    yield page
    context.close()


def _press(page, button: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()


def _sign_up_form(page, site_server, *, email: str = "", ticked: bool = False) -> None:
    page.goto(f"{site_server.base}/subscribe/form/index.html")
    if ticked:
        page.get_by_label("건강정보").check()
        page.get_by_label("이메일", exact=True).check()
        page.get_by_label(CONSENT).check()
    page.locator("#f-email").fill(email)


def test_an_address_the_browser_would_refuse_reaches_the_collector(phone, site_server, collector):
    _sign_up_form(phone, site_server, email="ｈｏｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ", ticked=True)
    _press(phone, "신청하기")
    assert phone.url.endswith("/subscribe/check"), phone.url  # taken: the address is read as hong@example.com
    _sign_up_form(phone, site_server, email="ㅗㅐㅜㅎ@example.com", ticked=True)  # "hong" with 한/영 left on 한
    _press(phone, "신청하기")
    assert "한/영 키를 눌러" in phone.locator("#e-email").inner_text()
    phone.goto(f"{collector}/p/link")
    phone.locator("#f-email").fill("ㅗㅐㅜㅎ@example.com")
    _press(phone, "링크 보내기")
    assert "한/영 키를 눌러" in phone.locator("#e-email").inner_text()


def _opened_with_errors(page, name: str, site_server, collector, bundle) -> None:
    """The page ``name`` as the collector answers a form with something to fix."""
    secret = SECRET_ENV["SOTONG_SECRET"].encode()
    if name == "sign-up":
        _sign_up_form(page, site_server)
        _press(page, "신청하기")
    elif name == "preferences":
        page.goto(f"{collector}/p/{make_token('preferences', bundle.emails[2].subscriber, secret)}")
        for box in page.locator("input[name=fields]").all():
            box.uncheck()
        _press(page, "바꾼 내용 저장")
    elif name == "link-request":
        page.goto(f"{collector}/p/link")
        page.locator("#f-email").fill("hong@naver")
        _press(page, "링크 보내기")
    else:
        page.goto(f"{collector}/surveys/{SURVEY}?t={make_token('survey', f'{SURVEY}:S000140', secret)}")
        _press(page, "답변 보내기")


@pytest.mark.parametrize("name", ["sign-up", "preferences", "link-request", "survey"])
def test_the_list_of_errors_is_focused_when_the_page_opens(name, phone, site_server, collector, bundle):
    _opened_with_errors(phone, name, site_server, collector, bundle)
    # autofocus is applied at the page's first rendering after it is parsed, which on a loaded machine
    # comes after its load event (where the navigation ends): wait for it, up to 10 s, before reading it
    with contextlib.suppress(PlaywrightTimeoutError):
        phone.wait_for_function("document.activeElement && document.activeElement.getAttribute('role') === 'alert'",
                                timeout=10_000)
    focused = phone.evaluate("[document.activeElement.id, document.activeElement.getAttribute('role')]")
    assert focused[1] == "alert" and phone.locator(SUMMARIES).count() == 1, (name, focused)
    problems = focus_problems(phone)
    assert not problems, f"{name} with errors at {WIDTH}px, text 200%:\n" + "\n".join(problems)


FRAME_PX = 16  # a box's border and padding on each side, whatever the text size (test_input_width's)
BULLET_PX = 32  # a list's room for its bullets, the border kept clear of them
_FRAMES = """(selector) => [...document.querySelectorAll(selector)].map(box => {
  const style = getComputedStyle(box), list = box.querySelector('ul');
  return {id: box.id, left: parseFloat(style.borderLeftWidth) + parseFloat(style.paddingLeft),
          right: parseFloat(style.borderRightWidth) + parseFloat(style.paddingRight),
          bullets: list ? parseFloat(getComputedStyle(list).paddingLeft) : 0};
})"""


@pytest.mark.parametrize("name", ["sign-up", "preferences", "link-request", "survey"])
def test_the_list_of_errors_leaves_its_text_the_width_of_the_page(name, phone, site_server, collector, bundle):
    _opened_with_errors(phone, name, site_server, collector, bundle)
    [frame] = phone.evaluate(_FRAMES, SUMMARIES)
    assert max(frame["left"], frame["right"]) <= FRAME_PX and frame["bullets"] <= BULLET_PX, (name, frame)


def test_the_line_saying_when_to_press_again_is_focused_when_the_page_opens(browser, tmp_path):
    """A sign-up over SUBSCRIBE_RATE (429) shows the form again under a line
    saying when to press again: that line is focused, and framed, as a list of errors is."""
    with run_collector(copy_project(tmp_path)) as base:
        for _ in range(10):  # the default rate: 10 an hour from one address
            connection = http.client.HTTPConnection(urllib.parse.urlsplit(base).netloc, timeout=20)
            connection.request("POST", "/p/link", "email=nobody%40example.com",
                               {"Content-Type": "application/x-www-form-urlencoded"})
            assert connection.getresponse().status == 303
            connection.close()
        context, page = _phone(browser, WIDTH, 700)
        try:
            page.goto(f"{base}/p/link")
            page.locator("#f-email").fill("nobody@example.com")
            with page.expect_navigation() as sent:
                page.get_by_role("button", name="링크 보내기").click()
            assert sent.value.status == 429
            assert page.evaluate("document.activeElement.id") == "form-retry"
            [frame] = page.evaluate(_FRAMES, "#form-retry")
            assert max(frame["left"], frame["right"]) <= FRAME_PX, frame
            assert focus_problems(page) == []
        finally:
            context.close()


_WHERE = """([target, error]) => {
  const box = document.getElementById(target), said = document.getElementById(error);
  return {focused: document.activeElement.id, top: box.getBoundingClientRect().top, height: innerHeight,
          errorTop: said && box.contains(said) ? said.getBoundingClientRect().top : null};
}"""


def _each_link_focuses_its_question(page) -> list[str]:
    """Follow each link of the list of errors: its question is focused with
    its error on the screen, and the next Tab reaches a box of it."""
    problems = []
    links = page.locator("#form-errors a, #survey-errors a")
    for index in range(links.count()):
        link = links.nth(index)
        target = link.get_attribute("href").removeprefix("#")
        link.click()
        where = page.evaluate(_WHERE, [target, "e-" + target.removeprefix("q-")])
        if where["focused"] != target:
            problems.append(f"#{target}: the focus is on {where['focused'] or 'the page'}, not the question")
        if not (-1 <= where["top"] < where["height"] / 2 and where["errorTop"] is not None
                and where["errorTop"] < where["height"]):
            problems.append(f"#{target}: the question or its error is not on the screen: {where}")
        page.keyboard.press("Tab")
        if not page.evaluate("t => document.getElementById(t).contains(document.activeElement) && "
                             "['input', 'textarea', 'select'].includes(document.activeElement.localName)", target):
            problems.append(f"#{target}: Tab does not reach a box of the question")
    return problems


def test_each_link_of_the_list_of_errors_focuses_its_question(phone, site_server, collector):
    _sign_up_form(phone, site_server, email="hong@naver")
    phone.locator("#f-phone").fill("010-12")
    phone.locator("#f-birth_year").fill("19")
    _press(phone, "신청하기")
    assert phone.locator("#form-errors li").count() == 6  # fields, channels, email, phone, birth year, consent
    problems = _each_link_focuses_its_question(phone)
    assert not problems, "the sign-up's list of errors:\n" + "\n".join(problems)
    secret = SECRET_ENV["SOTONG_SECRET"].encode()
    phone.goto(f"{collector}/surveys/{SURVEY}?t={make_token('survey', f'{SURVEY}:S000141', secret)}")
    _press(phone, "답변 보내기")
    assert phone.locator("#survey-errors li").count() == 3
    problems = _each_link_focuses_its_question(phone)
    assert not problems, "the survey's list of errors:\n" + "\n".join(problems)


def test_a_number_in_the_forms_words_is_never_split_over_two_lines(phone, site_server, collector, bundle):
    """At 200% text on a phone the sign-up's and the preferences page's
    example ("예: 010-1234-5678", in the label and in the phone's error) and
    the reader's number shown in words ("지금 등록된 번호: 010-5195-4850")
    broke after a hyphen, the last four digits alone on the next line, at
    most widths from 320 to 420px; each moves to the next line whole now.
    The list of errors' items begin at its box's edge, their bullets inside
    (list-style-position): indented a bullet's room (min(2rem, 10vw)), an
    item was narrower than the example below 336px, which broke after a
    hyphen inside its box of its own. From 320px (WCAG 1.4.10's width) up,
    every number's word fits its line whole."""
    def split_at_each_width(name: str) -> list[str]:
        problems = []
        for width in range(320, 421, 4):
            phone.set_viewport_size({"width": width, "height": 700})
            problems += [f"{name} at {width}px: {problem}" for problem in numbers_split_in_text(phone)]
        return problems

    _sign_up_form(phone, site_server, email="hong@naver")
    phone.locator("#f-phone").fill("010-12")
    _press(phone, "신청하기")
    assert "010-1234-5678" in phone.locator("#e-phone").inner_text()
    problems = split_at_each_width("sign-up")
    secret = SECRET_ENV["SOTONG_SECRET"].encode()
    phone.goto(f"{collector}/p/{make_token('preferences', bundle.emails[2].subscriber, secret)}")
    assert phone.locator("text=지금 등록된 번호").count() == 1
    problems += split_at_each_width("preferences")
    assert not problems, "text 200%:\n" + "\n".join(problems)
