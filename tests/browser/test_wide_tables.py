"""A notice's table of many columns on a 360px phone, at the browser's text
size and at 200%: the table scrolls sideways in its own box (which a
keyboard reaches), the page does not, and a phone number in a cell stays on
one line. It used to keep the page's width by breaking the cells' words and
numbers a letter a line ("0 / 2 / - / 2 / 2 ..."), and at 200% text the
page scrolled sideways all the same."""

from __future__ import annotations

import functools
import http.server
import threading

import pytest

from project_support import copy_project, run_sotong

from .conftest import SiteHandler
from .page_checks import SITE_TAGS, axe_violations, sideways_scrolling

WIDTH = 360
NOTICE = """---
title: "민방위 교육 일정표"
date: 2026-11-20 14:00
department: 안전재난과
category: civildefense
summary: 12월 민방위 교육 일정입니다.
---
| 구분 | 교육일 | 시간 | 장소 | 대상 | 문의 전화 | 비고 |
|---|---|---|---|---|---|---|
| 1차 | 2026년 12월 1일(화) | 14:00~16:00 | 성동구청 3층 대강당 | 1~4년차 대원 | 02-2286-5477 | 주차 불가 |
| 2차 | 2026년 12월 8일(화) | 10:00~12:00 | 왕십리도선동 주민센터 | 5년차 이상 | 02-2286-5478 | 주차 가능 |
"""
_PHONES = """() => [...document.querySelectorAll('td > a[href^="tel:"]')].map(a => {
  const box = a.getBoundingClientRect(); return [a.textContent, a.getClientRects().length, box.width > box.height]; })"""


@pytest.fixture(scope="module")
def notice_url(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("tables"), notices=False,
                           extra_settings='PLUGINS = ["sotong.pelican_plugin", "homepage"]\n')
    (project / "content" / "notices" / "2026-11-20-civil-defense.md").write_text(NOTICE, encoding="utf-8")
    result = run_sotong(project, "build")
    assert result.code == 0, result.output
    handler = functools.partial(SiteHandler, directory=str((project / "output").resolve()))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/notices/2026-11-20-civil-defense/"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("text_scale", [1, 2])
def test_a_table_of_many_columns_scrolls_in_its_box_and_keeps_its_numbers_whole(notice_url, browser, axe_script, text_scale):
    context = browser.new_context(viewport={"width": WIDTH, "height": 800}, is_mobile=True, has_touch=True,
                                  device_scale_factor=2, locale="ko-KR")
    try:
        page = context.new_page()
        context.new_cdp_session(page).send("Page.setFontSizes", {"fontSizes": {"standard": 16 * text_scale, "fixed": 13 * text_scale}})
        page.goto(notice_url)
        assert sideways_scrolling(page, WIDTH) == [], f"text {text_scale * 100}%"
        phones = page.evaluate(_PHONES)
        assert len(phones) == 2 and all(lines == 1 and wide for _, lines, wide in phones), phones
        assert page.evaluate("() => document.querySelector('.table-scroll').scrollWidth > document.querySelector('.table-scroll').clientWidth")
        assert axe_violations(page, axe_script, SITE_TAGS) == []
    finally:
        context.close()
