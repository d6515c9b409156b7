"""The survey pages that ``sotong serve`` shows (issue #10): the form opened
from an invitation, the same form with every error listed after a real form
POST (no JavaScript), and the thank-you page after a good answer, in
Chromium at 375px and 1280px: the site's header, Korean kept whole
(``word-break: keep-all``, so "만족도" is never broken), axe-core, no
sideways scrolling, 16px text, nothing fetched from outside the collector."""

from __future__ import annotations

import http.client
from urllib.parse import urlencode

import pytest
from delivery_support import add_subscribers
from project_support import copy_project, invoke_sotong, serving, store_of
from sample_site import SECRET_ENV
from survey.results import QuestionResult, Row, bar_chart
from survey.rules import survey_token

from sotong.project import Project
from sotong.tokens import make_token
from sotong.web import make_app

from .conftest import WIDTHS
from .page_checks import SITE_TAGS, axe_violations, sideways_scrolling, small_text, unseen_shapes, web_page_problems

SURVEY = "library-satisfaction"  # open on the sample day, anonymous
CONFIGURED = "http://127.0.0.1:8080"  # the sample's COLLECTOR_URL: the answer's redirect goes there
REQUIRED = ("library", "purpose", "satisfaction")


def _problems(tab, width, origin, axe_script) -> list[str]:
    return (web_page_problems(tab.page, width) + tab.foreign_requests(origin)
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
    reader = f"S{100 + WIDTHS.index(width):06d}"  # a sample reader's token per width: each is used once
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


def _chart_page(site_server) -> str:
    """The URL of a results chart of three bars inside the site's layout."""
    result = QuestionResult("library", "single", "가장 자주 이용하시는 도서관은 어디입니까?", (
        Row("성동구립도서관", 12, 0.48), Row("금호도서관", 8, 0.32), Row("무지개도서관(어린이 전용 열람실)", 5, 0.2)))
    page = ('<!doctype html><html lang="ko"><head><meta charset="utf-8"><meta name="viewport" '
            'content="width=device-width, initial-scale=1"><title>결과</title>'
            '<link rel="stylesheet" href="/theme/css/sotong.css"></head>'
            f'<body><main class="wrap"><h1>결과</h1>{bar_chart(result)}</main></body></html>')
    return site_server.put("/__test__/chart.html", page)


@pytest.mark.parametrize("width", [320])
def test_a_results_chart_keeps_its_text_at_16px_on_a_320px_phone(width, tab, site_server):
    """The results page's bar chart inside the site's layout: its labels
    and figures are text at 16px or more on the narrowest phone, not drawn
    in a picture shrunk to the page (test_large_text: at 200% too), and
    each bar is as long as its share of the most answered option's."""
    tab.open(_chart_page(site_server))
    tab.screenshot("results-chart", width)
    problems = small_text(tab.page) + sideways_scrolling(tab.page, width)
    assert not problems, "the results chart at 320px:\n" + "\n".join(problems)
    bars = tab.page.eval_on_selector_all("main svg rect", "bars => bars.map(bar => bar.getBoundingClientRect().width)")
    assert [round(bar / bars[0], 2) for bar in bars] == [1, round(8 / 12, 2), round(5 / 12, 2)], bars


@pytest.mark.parametrize("forced_colours, scheme", [("none", "light"), ("active", "light"), ("active", "dark")])
def test_a_results_charts_bars_are_seen_in_forced_colours(forced_colours, scheme, browser, site_server):
    """With Windows' high contrast (forced colours, a black theme) the page
    turned black and its text white, but the bars kept their own navy fill
    (Chromium keeps an SVG's colours): 1.6:1 on black, the chart all but
    gone. A bar is filled with the colour of the box around its SVG, which
    forced colours make the text's."""
    context = browser.new_context(viewport={"width": 320, "height": 700}, forced_colors=forced_colours, color_scheme=scheme)
    page = context.new_page()
    page.goto(_chart_page(site_server))
    problems = unseen_shapes(page)
    bars = page.locator("main svg rect").count()
    context.close()
    assert bars == 3 and not problems, f"the results chart, forced colours {forced_colours}, {scheme}:\n" + "\n".join(problems)

@pytest.mark.parametrize("width", [375])
def test_a_text_answer_with_line_breaks_the_box_let_through_is_taken(width, tab, collector):
    """The box's ``maxlength`` counts a line break as one character, but the
    form sends it as two (CR LF): an answer of paragraphs that filled the box
    was refused as too long ("2000자 이내로 줄여 주세요. 지금 2998자입니다"),
    though the resident could type no more. It is taken, its breaks kept."""
    token = make_token("survey", f"{SURVEY}:S000130", SECRET_ENV["SOTONG_SECRET"].encode())
    tab.open(f"{collector}/surveys/{SURVEY}?t={token}")
    box = tab.page.locator("textarea[name=wish]")
    longest = int(box.get_attribute("maxlength"))
    box.fill("책\n" * longest)  # the box keeps what fits: `longest` characters, half of them line breaks
    assert tab.page.eval_on_selector("textarea[name=wish]", "box => [box.value.length, box.validity.valid]") == [longest, True]
    for name in REQUIRED:
        tab.page.locator(f"input[name={name}]").first.check()
    _post_here(tab)
    with tab.page.expect_response(lambda response: response.request.method == "POST") as posted:
        tab.page.get_by_role("button", name="답변 보내기").click()
    assert posted.value.status == 303, tab.page.inner_text("#survey-errors")


@pytest.mark.parametrize("width", [375])
def test_a_screen_reader_hears_each_questions_hint_and_error_with_it(width, tab, collector):
    """How many options to tick and which end of a scale is high were
    paragraphs a screen reader moving from answer to answer never read (the
    group said only its question), so "1 라디오 버튼" meant nothing; the
    question's group now has them as its description, after its error."""
    token = make_token("survey", f"{SURVEY}:S000131", SECRET_ENV["SOTONG_SECRET"].encode())
    tab.open(f"{collector}/surveys/{SURVEY}?t={token}")
    _post_here(tab)
    with tab.page.expect_navigation():
        tab.page.get_by_role("button", name="답변 보내기").click()
    session = tab.page.context.new_cdp_session(tab.page)
    groups = {node["name"]["value"].split(".")[0]: node.get("description", {}).get("value", "")
              for node in session.send("Accessibility.getFullAXTree")["nodes"]
              if node.get("role", {}).get("value") == "group" and node.get("name", {}).get("value", "")[:1].isdigit()}
    assert groups["2"] == "오류: 하나 이상 골라 주세요. 해당하는 것을 모두 골라 주세요.", groups
    assert groups["3"] == "오류: 꼭 답해 주셔야 하는 질문입니다. 1(매우 불만족)부터 5(매우 만족)까지 하나를 골라 주세요.", groups
    assert groups["4"] == "", groups  # a single question: nothing more to say


@pytest.mark.parametrize("width", [1280])
def test_the_private_results_show_a_free_text_answers_lines_as_written(width, tab, site_server, tmp_path):
    """An opinion of several paragraphs ran together into one in the
    private results.html staff read (the line breaks shown as spaces)."""
    project = copy_project(tmp_path)
    add_subscribers(store_of(project), 1)
    answer = {"t": survey_token(SURVEY, "S00001"), "library": "금호도서관", "purpose": "열람실 공부", "satisfaction": "5",
              "wish": "첫째, 주말 연장\r\n둘째, 열람실 증설"}
    with serving(make_app(Project(project / "pelicanconf.py"))) as port:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("POST", f"/surveys/{SURVEY}", body=urlencode(answer),
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert connection.getresponse().status == 303
        connection.close()
    assert invoke_sotong(project, "survey", "results", SURVEY).code == 0
    page = (project / "private" / "surveys" / SURVEY / "results.html").read_text(encoding="utf-8")
    tab.open(site_server.put("/__test__/results.html", page))
    shown = tab.page.locator("li", has_text="첫째").inner_text()
    assert shown == "첫째, 주말 연장\n둘째, 열람실 증설", shown


@pytest.mark.parametrize("width", [375])
def test_the_sites_survey_page_shows_the_questions_without_a_form_to_fill_in(width, tab, site_server):
    """The site's page of a survey has no reader's token, so what it sent
    was refused ("개인 링크가 필요합니다", 403) and every answer a resident
    had typed was lost. Its questions are shown to read, not to fill in:
    every box and button is disabled, there is nothing to send, and the
    page says where to answer (the invitation's link)."""
    tab.open(f"{site_server.base}/surveys/{SURVEY}/")
    page = tab.page
    assert page.locator("form input, form textarea").count() > 10  # the questions and their options are shown
    assert page.eval_on_selector_all("form input, form textarea", "boxes => boxes.filter(box => !box.matches(':disabled')).length") == 0
    assert page.get_by_role("button").count() == 0
    assert "질문을 미리 보실 수만 있습니다" in page.inner_text("#survey-preview")
    assert "「설문 참여하기」" in page.inner_text("#survey-preview")


@pytest.mark.parametrize("width", [375])
def test_a_text_answers_box_is_named_by_its_question(width, tab, collector):
    """A free-text box was named "답변 (2000자 이내)" alone: a phone's
    screen reader that does not say the group's legend at the box left the
    resident guessing which question it answers. Its name holds its question."""
    token = make_token("survey", f"{SURVEY}:S000132", SECRET_ENV["SOTONG_SECRET"].encode())
    tab.open(f"{collector}/surveys/{SURVEY}?t={token}")
    legend = tab.page.inner_text("#q-wish legend")
    session = tab.page.context.new_cdp_session(tab.page)
    names = [node.get("name", {}).get("value", "") for node in session.send("Accessibility.getFullAXTree")["nodes"]
             if node.get("role", {}).get("value") == "textbox"]
    assert len(names) == 1 and names[0].startswith(legend.strip()) and "자 이내)" in names[0], (legend, names)
