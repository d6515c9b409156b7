"""The unsubscribe page that ``sotong serve`` shows for an email's link
(GET /u/TOKEN), and the page after pressing its button (a real form POST,
no JavaScript), in Chromium at 375px and 1280px: axe-core, no sideways
scrolling, 16px text, and nothing fetched from outside the collector; and
the one-sentence answer to a mail app's one-click POST, on a 320px phone.
"""

from __future__ import annotations

import pytest

from .page_checks import SITE_TAGS, WIDTHS, axe_violations, web_page_problems


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
