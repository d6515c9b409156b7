"""The dong offices' A4 poster (plugin subscriptions, ``subscribe/poster/``)
as the real build writes it: with publishconf.py's absolute SITEURL, a QR
code whose modules, read back from its SVG, are segno's encoding of exactly
the sign-up form's full address, written out beside it; the labels of the
project's fields; no script; linked from the sign-up form. With the
development settings' empty SITEURL, no QR and the line that says where it
appears, and no warning. How it prints (one A4 page) and what a scanner reads
of it: tests/browser/test_poster_print.py."""

from __future__ import annotations

import html
import re

import segno
import yaml
from hypothesis import given, settings, strategies as st
from project_support import copy_project, run_sotong
from sample_site import publish_site

from subscriptions.poster import QR_OPTIONS, qr_svg

FORM_URL = "https://www.sd.go.kr/sotong/subscribe/form/"  # publishconf.py's SITEURL + the form's path
POSTER = "subscribe/poster/index.html"
_PATH = re.compile(r'<svg[^>]*class="qr"[^>]*>.*?<path[^>]*\sd="([^"]+)"', re.S)
_VIEW_BOX = re.compile(r'<svg[^>]*viewBox="0 0 (\d+) (\d+)"')
_STEP = re.compile(r"([Mmh])\s*(-?[\d.]+)(?:[ ,](-?[\d.]+))?")


def svg_modules(svg: str) -> list[list[int]]:
    """The dark (1) and light (0) modules an inline QR SVG draws, quiet zone
    and all: its path's runs (``M x y``, ``m dx dy``, ``h n``, each run a
    row's y + 0.5) painted on a grid the size of its viewBox."""
    width, height = map(int, _VIEW_BOX.search(svg).groups())
    grid = [[0] * width for _ in range(height)]
    x = y = 0.0
    for command, first, second in _STEP.findall(_PATH.search(svg).group(1)):
        if command == "M":
            x, y = float(first), float(second)
        elif command == "m":
            x, y = x + float(first), y + float(second)
        else:
            for column in range(round(x), round(x + float(first))):
                grid[int(y)][column] = 1
            x += float(first)
    return grid


def encodes(svg: str, url: str) -> bool:
    """Whether ``svg`` draws segno's QR code of exactly ``url``: its modules,
    inside an even light margin, are segno's matrix for it."""
    drawn = svg_modules(svg)
    expected = [list(row) for row in segno.make(url, **QR_OPTIONS).matrix]
    margin, odd = divmod(len(drawn) - len(expected), 2)
    if odd or margin < 0 or len(drawn[0]) != len(drawn):
        return False
    inside = [row[margin:margin + len(expected)] for row in drawn[margin:margin + len(expected)]]
    light_margin = sum(map(sum, drawn)) == sum(map(sum, inside))
    return light_margin and inside == expected


def test_the_published_poster_carries_the_forms_address_as_a_qr_code_and_in_letters():
    page = (publish_site().output / POSTER).read_text(encoding="utf-8")
    assert encodes(page, FORM_URL)
    assert not encodes(page, FORM_URL.replace("/form/", "/forms/")), "the test reads any QR code as the form's"
    assert not encodes(page, "https://www.sd.go.kr/sotong/"), "the test reads any QR code as the form's"
    assert f'<p class="address">{FORM_URL}</p>' in page
    assert '<svg role="img"' in page and "<title>전자소통 서비스 신청서 주소의 QR 코드</title>" in page
    assert "게시용으로 만든 누리집" not in page


def test_the_poster_lists_the_projects_fields_is_free_names_the_office_and_runs_no_script():
    site = publish_site()
    page = html.unescape((site.output / POSTER).read_text(encoding="utf-8"))
    fields = yaml.safe_load((site.project / "audiences.yaml").read_text(encoding="utf-8"))["fields"]
    assert [label for label in fields.values() if f"<li>{label}</li>" not in page] == []
    assert "무료입니다. 언제든지 그만 받으실 수 있습니다." in page
    assert "문의: 성동구청 홍보담당관" in page and "02-2286-5114" in page
    assert '<html lang="ko">' in page and "@page { size: A4;" in page
    assert not re.search(r"<script|\son\w+=|javascript:", page, re.I)


def test_the_sign_up_form_links_the_poster_for_staff():
    form = (publish_site().output / "subscribe/form/index.html").read_text(encoding="utf-8")
    assert ('구청·주민센터 직원용: <a href="https://www.sd.go.kr/sotong/subscribe/poster/">'
            "주민센터 게시용 안내문 (A4 인쇄용, QR 코드)</a>") in form


def test_without_an_absolute_siteurl_the_poster_says_where_its_qr_code_appears_and_nothing_warns(tmp_path):
    """The development settings build a preview: the poster says where the QR
    appears, and neither the build nor ``sotong check`` has more to say."""
    project = copy_project(tmp_path)
    built, checked = run_sotong(project, "build"), run_sotong(project, "check")
    assert built.code == 0 and re.fullmatch(r"Built \d+ files into output/ in [\d.]+ s\.\n", built.output)
    assert checked.code == 0 and re.fullmatch(r"OK: \d+ notices checked, no problems\.\n", checked.output)
    page = (project / "output" / POSTER).read_text(encoding="utf-8")
    assert "<svg" not in page and 'class="address"' not in page
    assert "QR 코드와 신청 주소는 게시용으로 만든 누리집(SITEURL이 https 주소인 publishconf.py)의 안내문에 나옵니다." in page
    form = (project / "output" / "subscribe/form/index.html").read_text(encoding="utf-8")
    assert '<a href="/subscribe/poster/">주민센터 게시용 안내문' in form


@settings(max_examples=60, deadline=None)
@given(st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=300).map(lambda path: f"https://example.kr/{path}"))
def test_the_qr_svg_draws_segnos_matrix_of_any_address(url):
    svg = str(qr_svg(url))
    assert encodes(svg, url)
    assert not encodes(svg, url + "x")
