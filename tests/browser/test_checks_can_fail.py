"""The browser checks catch what they are for: each is fed a page that breaks
its rule, and must report it. A check that cannot fail guards nothing.
"""

from __future__ import annotations

import pytest

from .page_checks import (
    SITE_TAGS, WCAG_TAGS, axe_violations, drawn_contrast_problems, focus_problems, images_without_alt,
    buttons_lost_in_forced_colours, links_not_recognisable, numbers_split_in_text, unseen_shapes,
    cut_heading_words, reading_problems, sideways_scrolling, small_targets, small_text, split_phone_numbers,
    text_spacing_problems,
    without_style_blocks,
)

pytestmark = pytest.mark.parametrize("width", [375])

BROKEN = """<!doctype html>
<html lang="ko"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>망가진 쪽</title></head>
<body><main>
<h1>망가진 쪽</h1>
<p style="color:#bbbbbb; background:#ffffff">흐린 글씨는 어르신이 읽기 어렵습니다.</p>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" width="40" height="40">
<p style="font-size:12px">작은 글씨</p>
<div style="width:600px">너무 넓은 상자</div>
<p>여기 <a href="/x" style="text-decoration:none; color:#1a1a1a">밑줄도 색도 없는 링크</a>가 있습니다.</p>
</main></body></html>
"""

# Fits a phone only thanks to its <style> block, which Naver and Daum remove.
NEEDS_ITS_STYLE = """<!doctype html>
<html lang="ko"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>소식</title>
<style>@media (max-width: 620px) { .container { width: 100% !important; } }</style></head>
<body><table class="container" role="presentation" style="width:600px"><tr><td style="font-size:18px">
<a href="/n" style="color:#0b4a8b; text-decoration:underline; display:inline-block; padding:10px 0">소식 보기</a>
</td></tr></table></body></html>
"""


def test_axe_reports_a_missing_alt_and_low_contrast(width, tab, site_server, axe_script):
    tab.open(site_server.put("/__test__/broken.html", BROKEN))
    found = {line.split(" ")[0] for line in axe_violations(tab.page, axe_script, SITE_TAGS)}
    assert {"image-alt", "color-contrast"} <= found


def test_reading_checks_report_small_text_a_missing_alt_a_wide_box_and_a_hidden_link(width, tab, site_server):
    tab.open(site_server.put("/__test__/broken.html", BROKEN))
    assert any("12px" in problem and "작은 글씨" in problem for problem in small_text(tab.page))
    assert images_without_alt(tab.page)
    assert any("scrolls sideways" in problem for problem in sideways_scrolling(tab.page, width))
    assert any("밑줄도 색도 없는 링크" in problem for problem in links_not_recognisable(tab.page))


def test_small_tap_targets_are_reported_but_a_link_in_a_sentence_or_one_a_button_repeats(width, tab, site_server):
    small = BROKEN.replace("</main>", '<ul><li><a href="/y">목록의 링크</a></li></ul><button>작은 단추</button>'
                           '<h2><a href="/z">제목 링크</a></h2><p><a class="button" href="/z" style="display:inline-block; '
                           'padding:12px 18px">자세히 보기</a></p>'
                           # a box of its own before words is no sentence; a phone number's box flows in one
                           '<ul><li><a href="/w" style="display:inline-block">상자 링크</a> (3건)</li></ul>'
                           '<p>문의는 <a href="tel:02-2286-5555" style="display:inline-block">02-2286-5555</a>로 '
                           '전화하세요.</p></main>')
    tab.open(site_server.put("/__test__/small-targets.html", small))
    problems = small_targets(tab.page)
    assert len(problems) == 3, problems
    assert '"목록의 링크"' in problems[0] and '"작은 단추"' in problems[1] and '"상자 링크"' in problems[2], problems


def test_a_page_without_a_phone_viewport_is_reported(width, tab, site_server):
    tab.open(site_server.put("/__test__/no-viewport.html", BROKEN.replace('<meta name="viewport"', '<meta name="x"')))
    assert any(problem.startswith('no <meta name="viewport"') for problem in sideways_scrolling(tab.page, width))


def test_removing_style_blocks_breaks_a_layout_that_relies_on_them(width, tab, site_server, axe_script):
    tab.open(site_server.put("/__test__/with-style.html", NEEDS_ITS_STYLE))
    assert reading_problems(tab.page, width) == []
    tab.open(site_server.put("/__test__/without-style.html", without_style_blocks(NEEDS_ITS_STYLE)))
    assert any("scrolls sideways" in problem for problem in reading_problems(tab.page, width))
    assert axe_violations(tab.page, axe_script, WCAG_TAGS) == []  # the other checks stay quiet


def test_requests_outside_the_site_are_reported(width, tab, site_server):
    page = BROKEN.replace("</head>", '<link rel="stylesheet" href="http://127.0.0.2:9/cdn.css"></head>')
    tab.open(site_server.put("/__test__/cdn.html", page))
    assert tab.foreign_requests(site_server.base) == ["request outside the site: http://127.0.0.2:9/cdn.css"]


def test_a_pale_focus_ring_and_no_skip_link_are_reported(width, tab, site_server):
    pale = BROKEN.replace("</head>", "<style>a:focus { outline: 3px solid #e8a200; }</style></head>")
    tab.open(site_server.put("/__test__/pale-focus.html", pale))
    problems = focus_problems(tab.page)
    assert problems[0].startswith('the first Tab reaches "밑줄도 색도 없는 링크"'), problems
    assert any(p.startswith('focus not seen on "밑줄도 색도 없는 링크"') for p in problems), problems


def test_a_focus_hidden_under_a_sticky_bar_is_reported(width, tab, site_server):
    """A link scrolled to by Tab but under a bar fixed to the screen's foot
    (WCAG 2.2's 2.4.11); a focus beside the bar is not reported."""
    stuck = BROKEN.replace("<main>", '<main><a href="#main">본문 바로가기</a>').replace(
        "</main>", '<div style="height:2000px"></div><p><a href="/under">가려진 링크</a></p>'
                   '<div style="height:2000px"></div></main><div style="position:fixed; left:0; right:0; bottom:0; '
                   'height:60vh; background:#fff">고정된 띠</div>')
    tab.open(site_server.put("/__test__/sticky.html", stuck))
    problems = focus_problems(tab.page)
    assert [p for p in problems if p.startswith("focus hidden")] == [
        'focus hidden: "가려진 링크" in body > main > p > a is under html > body > div'], problems


def test_text_cut_off_or_too_wide_with_wider_spacing_is_reported(width, tab, site_server):
    """A box of fixed height that hides what overflows it, and a line kept
    whole that fits: the one cuts its text off and the other widens the
    page once lines, letters and words are spaced as WCAG 1.4.12 says; the
    page is as it was after the check."""
    tight = BROKEN.replace('<div style="width:600px">너무 넓은 상자</div>', "").replace(
        "</main>", '<p style="height:1.6em; width:8em; overflow:hidden">한 줄에 맞춘 상자입니다</p>'
                   '<p style="white-space:nowrap; font-size:20px">가 나 다 라 마 바 사 아 자 차 카 타 파</p></main>')
    tab.open(site_server.put("/__test__/spacing.html", tight))
    assert not sideways_scrolling(tab.page, width)
    problems = text_spacing_problems(tab.page, width)
    assert len(problems) == 2 and "scrolls sideways" in problems[0] and "한 줄에 맞춘 상자" in problems[1], problems
    assert not sideways_scrolling(tab.page, width)


def test_a_phone_number_on_two_lines_or_out_of_its_box_is_reported(width, tab, site_server):
    """A link's number, and one in words: the sign-up's example, in its list
    of errors in a box of its own (the whole_numbers filter's) wider than
    the list's indented item, broke after a hyphen, which the check of
    numbers in words let pass."""
    numbers = BROKEN.replace("</main>", '<p style="width:5em">전화 <a href="tel:02-2286-5114">02-2286-5114</a></p>'
                             '<p style="width:5em">전화 <a href="tel:02-2286-5115" style="white-space:nowrap">02-2286-5115</a></p>'
                             '<p>전화 <a href="tel:02-2286-5116">02-2286-5116</a></p>'
                             '<p style="width:5em">예: <span style="display:inline-block">010-1234-5679</span></p>'
                             '<p>예: <span style="display:inline-block">010-1234-5670</span></p></main>')
    tab.open(site_server.put("/__test__/numbers.html", numbers))
    problems = split_phone_numbers(tab.page)
    assert len(problems) == 2 and "5114" in problems[0] and "lines" in problems[0], problems
    assert "5115" in problems[1] and "out of its box" in problems[1], problems
    in_words = numbers_split_in_text(tab.page)
    assert len(in_words) == 2 and "5114" in in_words[0] and "5679" in in_words[1], in_words


def test_a_pale_shape_in_an_svg_is_reported_and_a_dark_one_is_not(width, tab, site_server):
    svg = '<svg viewBox="0 0 100 10" style="display:block;width:100%;height:20px"><rect width="50" height="10" fill="{}"></rect></svg>'
    shapes = BROKEN.replace("</main>", svg.format("#d8dde6") + svg.format("#0b3a75") + "</main>")
    tab.open(site_server.put("/__test__/shapes.html", shapes))
    problems = unseen_shapes(tab.page)
    assert len(problems) == 1 and "rgb(216, 221, 230)" in problems[0], problems


def test_a_button_like_link_without_a_frame_is_reported_and_a_framed_one_is_not(width, tab, site_server):
    button = '<p><a href="/{}" style="display:inline-block;padding:10px;color:#fff;background:#0b3a75;text-decoration:none{}">{}</a></p>'
    buttons = BROKEN.replace("</main>", button.format("a", "", "테두리 없는 단추") + button.format(
        "b", ";border:2px solid transparent", "테두리 있는 단추") + "</main>")
    tab.open(site_server.put("/__test__/buttons.html", buttons))
    problems = buttons_lost_in_forced_colours(tab.page)
    assert len(problems) == 1 and "테두리 없는 단추" in problems[0], problems

def test_a_headings_word_cut_between_letters_is_reported_but_not_one_cut_after_punctuation(width, tab, site_server):
    keep = "word-break:keep-all; overflow-wrap:anywhere; font-size:40px"  # the site's, at a heading's size
    headings = BROKEN.replace("</main>", f'<h2 style="{keep}; width:6em">2026 성동구립도서관</h2>'
                              f'<h2 style="{keep}; width:4.5em">지방세·세외수입</h2>'
                              f'<h2 style="{keep}; width:3em">주민참여예산위원회</h2></main>')
    tab.open(site_server.put("/__test__/headings.html", headings))
    problems = cut_heading_words(tab.page)
    assert len(problems) == 1 and '"성동구립도서관"' in problems[0], problems


def test_pale_text_is_reported_as_drawn_and_dark_text_is_not(width, tab, site_server):
    tab.open(site_server.put("/__test__/broken.html", BROKEN))
    scratch = tab.page.context.new_page()
    try:
        problems, mean = drawn_contrast_problems(tab.page, scratch, 2)
    finally:
        scratch.close()
    assert any("흐린 글씨는" in problem for problem in problems), problems
    assert not any("망가진 쪽" in problem or "너무 넓은 상자" in problem for problem in problems), problems
    assert mean > 0.8  # a white page
