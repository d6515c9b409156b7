"""The office's reports (private/reports/: ``sotong report --issue`` and
``--year``) in Chromium: on a desktop no table heading breaks a Korean word
in two ("메시/지", "클/릭"), and on a phone the page does not scroll
sideways (a wide table scrolls in its own box)."""

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


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reports")
    rows = [("email", "EMAIL", 12000, 11800, 120, 80, 150, 90, 0, 0, 0), ("sms", "LMS", 4000, 0, 0, 0, 0, 0, 3900, 60, 4000)]
    notices = [("2026-11-21-cold-wave-warning", channel, kind, *counts) for channel, kind, *counts in rows]
    issue = issue_report("2026-11-26", notices, rows, {("email", "2026-11-21-cold-wave-warning"): 1234},
                         {"2026-11-21-cold-wave-warning": "한파 특보: 경로당 한파쉼터 운영 안내"},
                         [{"title": "도서관 만족도 조사", "invitations": 5000, "answers": 812}])
    aggregates = [("2026-11", "LMS", "a", "보건소", "health", "건강정보", 4000, 4000.0),
                  ("2026-11", "EMAIL", "a", "보건소", "health", "건강정보", 12000, 12000.0)]
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
