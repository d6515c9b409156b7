"""The office's reports (private/reports/: ``sotong report --issue`` and
``--year``) in Chromium: on a desktop no table heading breaks a Korean word
in two ("메시/지", "클/릭"), and on a phone the page does not scroll
sideways (a wide table scrolls in its own box); printed on A4 every column
is on the paper, and the chart's notice titles stay inside the chart."""

from __future__ import annotations

import pytest
from delivery.annual import annual_report, write_report
from delivery.issue_report import issue_report, write_issue_report

from sotong.sms import Prices

from .page_checks import sideways_scrolling

# every word of a heading as one box of lines: a word laid out on two lines has two rects
_BROKEN_WORDS = """() => {
  const broken = [];
  const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT,
    {acceptNode: node => node.parentElement.closest('th') ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_SKIP});
  for (let text = walker.nextNode(); text; text = walker.nextNode()) {
    const value = text.textContent;
    for (const match of value.matchAll(/\\S+/g)) {
      const range = document.createRange();
      range.setStart(text, match.index);
      range.setEnd(text, match.index + match[0].length);
      const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
      if (tops.size > 1) broken.push(match[0]);
    }
  }
  return broken;
}"""


_TITLES = {"2026-11-21-cold-wave-warning": "한파 특보: 경로당 한파쉼터 운영 안내",
           "2026-11-20-budget-review": "[위원 전용] 2027년 주민참여예산 후보사업 심사 자료와 분과위원회 일정 안내"}
A4_PRINTED = 680  # CSS px across A4 (210mm) inside margins of 15mm each side


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reports")
    rows = [("email", "EMAIL", 12000, 11800, 120, 80, 150, 90, 0, 0, 0), ("sms", "LMS", 4000, 0, 0, 0, 0, 0, 3900, 60, 4000)]
    notices = [(slug, channel, kind, *counts) for channel, kind, *counts in rows for slug in _TITLES]
    issue = issue_report("2026-11-26", notices, rows, {("email", "2026-11-21-cold-wave-warning"): 1234}, _TITLES,
                         [{"title": "도서관 만족도 조사", "invitations": 5000, "answers": 812}])
    aggregates = [("2026-11", "LMS", "a", "보건소", "health", "건강정보", 4000, 4000.0, 27.0),
                  ("2026-11", "EMAIL", "a", "보건소", "health", "건강정보", 12000, 12000.0, None)]
    return [write_issue_report(issue, folder, "성동구 소통")[0],
            write_report(annual_report(2026, aggregates, Prices()), folder, "성동구 소통")[0]]


@pytest.mark.parametrize("which", [0, 1], ids=["issue", "year"])
def test_no_heading_breaks_a_word_on_a_desktop(contexts, reports, which):
    page = contexts(1000).new_page()
    page.goto(reports[which].as_uri())
    assert (broken := page.evaluate(_BROKEN_WORDS)) == [], broken
    page.close()


@pytest.mark.parametrize("which", [0, 1], ids=["issue", "year"])
def test_a_phone_does_not_scroll_the_page_sideways(contexts, reports, which):
    page = contexts(360).new_page()
    page.goto(reports[which].as_uri())
    assert sideways_scrolling(page, 360) == []
    assert (broken := page.evaluate(_BROKEN_WORDS)) == [], broken
    page.close()


@pytest.mark.parametrize("which", [0, 1], ids=["issue", "year"])
def test_printed_on_a4_every_column_is_on_the_paper(browser, reports, which):
    # a box that scrolls on screen is cut at the paper's edge in print: the last columns (클릭, 클릭률) were lost
    page = browser.new_page(viewport={"width": A4_PRINTED, "height": 1000})
    page.emulate_media(media="print")
    page.goto(reports[which].as_uri())
    cut = page.evaluate("""() => [...document.querySelectorAll('.scroll, table')]
        .filter(box => box.scrollWidth > box.clientWidth + 1 || box.getBoundingClientRect().right > innerWidth + 1)
        .map(box => box.querySelector('caption')?.textContent ?? box.localName)""")
    assert cut == []
    # the legend's colour boxes are backgrounds, which a browser leaves off paper unless told
    assert page.evaluate("getComputedStyle(document.querySelector('.swatch')).printColorAdjust") == "exact"
    page.close()


def test_the_chart_keeps_notice_titles_inside_it_and_marks_a_cut_one(contexts, reports):
    page = contexts(1000).new_page()
    page.goto(reports[0].as_uri())
    labels = page.evaluate("""() => [...document.querySelectorAll('svg text[text-anchor="end"]')].map(t => {
        const box = t.getBBox(), view = t.ownerSVGElement.viewBox.baseVal;
        return [t.textContent, box.x >= 0 && box.x + box.width <= view.width];
    })""")
    assert {title for title, _inside in labels} == {_TITLES["2026-11-21-cold-wave-warning"],
                                                    "[위원 전용] 2027년 주민참여예산…"}
    assert all(inside for _title, inside in labels), labels
    # a screen reader hears every title whole
    description = page.text_content("svg desc")
    assert all(title in description for title in _TITLES.values())
    page.close()


def test_the_year_chart_tells_email_sms_and_lms_apart_without_colour(contexts, reports):
    # three dark colours (blue, green, brown) were alike to a colour-blind reader and on a black-and-white printer
    page = contexts(1000).new_page()
    page.goto(reports[1].as_uri())
    fills = page.evaluate("""() => Object.fromEntries(['EMAIL', 'SMS', 'LMS'].map(type => [type,
        [...document.querySelectorAll('rect.' + type)].map(part => getComputedStyle(part).fill)]))""")
    bars, legend = {t: set(f[1:]) for t, f in fills.items()}, {t: f[0] for t, f in fills.items()}
    assert bars["EMAIL"] and bars["LMS"] and all(bars[t] <= {legend[t]} for t in legend), fills  # as in the legend
    assert len(set(legend.values())) == 3 and [t for t, f in legend.items() if not f.startswith("url(")] == ["EMAIL"]
    page.close()


def test_the_issue_chart_legend_keeps_its_colours_in_forced_colours(contexts, reports):
    # Chromium keeps an SVG's colours in forced colours (Windows' high contrast) but takes a box's background
    # away: the legend drawn as coloured boxes went blank beside bars still in their colours
    page = contexts(1000).new_page()
    page.goto(reports[0].as_uri())
    page.emulate_media(forced_colors="active")
    paints = page.evaluate("""() => Object.fromEntries(['handed', 'clicks'].map(kind => {
        const [key, ...bars] = document.querySelectorAll('.' + kind), style = getComputedStyle(key);
        return [kind, [key.localName === 'rect' ? style.fill : style.backgroundColor, ...bars.map(bar => getComputedStyle(bar).fill)]];
    }))""")
    assert all(len(set(paint)) == 1 for paint in paints.values()) and paints["handed"] != paints["clicks"], paints
    page.close()
