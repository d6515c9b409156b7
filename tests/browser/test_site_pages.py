"""Every kind of page of the built site, in Chromium at 375px and 1280px: no
axe-core violation (WCAG 2.1 A/AA and best practice), no sideways scrolling,
no text under 16px, an alt on every image, nothing fetched from outside the
site (no CDN). A screenshot of each goes to test-artifacts/screenshots/.
On a 320px phone, no text cut off and no sideways scrolling with the text
spacing of WCAG 1.4.12.
"""

from __future__ import annotations

import pytest

from project_support import copy_project, run_sotong
from sample_site import dev_site
from test_file_links import HEADER, NOTICE, files_project

from .conftest import site_pages
from .page_checks import _COLOURS, SITE_TAGS, axe_violations, sideways_scrolling, text_spacing_problems, web_page_problems


def test_site_page_is_accessible_and_readable(site_page, width, tab, site_server, axe_script):
    assert site_page.path is not None, f"the sample build produced no {site_page.name} page"
    tab.open(f"{site_server.base}/{site_page.path}")
    tab.screenshot(site_page.name, width)
    problems = web_page_problems(tab.page, width) + tab.foreign_requests(site_server.base)
    problems += axe_violations(tab.page, axe_script, SITE_TAGS)
    assert not problems, f"{site_page.path} at {width}px:\n" + "\n".join(problems)


@pytest.mark.parametrize("width", [320])
def test_site_page_keeps_its_text_with_wider_spacing(site_page, width, tab, site_server):
    """WCAG 1.4.12 on a 320px phone: the reader's own spacing of lines,
    letters, words and paragraphs cuts no text off and widens no page."""
    assert site_page.path is not None, f"the sample build produced no {site_page.name} page"
    tab.open(f"{site_server.base}/{site_page.path}")
    problems = text_spacing_problems(tab.page, width)
    assert not problems, f"{site_page.path} at {width}px:\n" + "\n".join(problems)


# A list whose items are a link and then its count or date ("문화공연 (3건)",
# "2026년 11월 12일 (제5호) — 소식 9건"): the link is what the item is for,
# though small_targets takes it for a link in a sentence.
_LIST_LINKS = """() => [...document.querySelectorAll('main li > a:first-child')]
  .filter(a => a.parentElement.textContent.trim().startsWith(a.textContent.trim()))
  .map(a => [a.textContent.trim(), a.getBoundingClientRect().height])"""


@pytest.mark.parametrize("width", [375])
@pytest.mark.parametrize("name", ["categories", "departments", "archives", "newsletter-archive"])
def test_a_list_of_links_each_followed_by_its_count_or_date_has_44px_targets(name, width, tab, site_server):
    """The links of the fields, departments, archives and newsletter issues
    were 26px tall, on the newsletter's list 3px apart: a resident over 60
    tapped the issue next to the one meant."""
    [page] = [page for page in site_pages(dev_site().output) if page.name == name]
    tab.open(f"{site_server.base}/{page.path}")
    links = tab.page.evaluate(_LIST_LINKS)
    assert links, f"{page.path} lists no link"
    assert [text for text, height in links if height < 44 - 0.5] == [], f"{page.path} at {width}px: {links}"


@pytest.mark.parametrize("width", [375])
def test_a_screen_reader_names_a_link_to_a_file_with_its_kind_and_size(width, tab, site_server, tmp_path):
    """The links of a notice's text as Chromium's accessibility tree gives
    them to a screen reader (and its list of the page's links): a link to a
    file says what the file is and how big in its name; one to another site
    does not (tests/test_file_links.py builds the notice)."""
    project = files_project(copy_project(tmp_path, notices=False))
    assert run_sotong(project, "build").code == 0
    page = (project / "output" / "notices" / "2026-11-05-forms" / "index.html").read_text(encoding="utf-8")
    tab.open(site_server.put("/__test__/file-links.html", page))
    nodes = tab.page.context.new_cdp_session(tab.page).send("Accessibility.getFullAXTree")["nodes"]
    names = [node["name"]["value"] for node in nodes if node.get("role", {}).get("value") == "link"
             and not node.get("ignored")]
    assert {"신청서 (한글 파일, 120KB)", "계획서 (PDF, 1.2MB)", "행사 포스터 (그림 파일, 1KB)", "자원봉사 포털"} <= set(names), names


# Each link's "(한글 파일, 120KB)": its size to its link's, its colour's
# contrast on what is behind it, whether it is the link's colour, and on
# how many lines its text is drawn (its blank before it aside).
_FILE_ABOUT = """() => { %s
  return [...document.querySelectorAll('.file-about')].map(about => {
    const link = about.closest('a'), style = getComputedStyle(about);
    const range = document.createRange();
    range.setStart(about.firstChild, about.firstChild.textContent.search(/\\S/));
    range.setEnd(about.firstChild, about.firstChild.textContent.length);
    const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top))).size;
    return {text: about.textContent.trim(), size: parseFloat(style.fontSize) / parseFloat(getComputedStyle(link).fontSize),
            contrast: contrast(style.color, backgroundBehind(about)), linkColour: style.color === getComputedStyle(link).color,
            lines};
  });
}""" % _COLOURS


@pytest.mark.parametrize("width", [375])
def test_a_links_kind_and_size_is_quiet_readable_and_never_broken_over_lines(width, tab, site_server, tmp_path):
    """The "(한글 파일, 120KB)" after a link's words had no style of its own:
    as loud as the words, and at a phone's line end broken as "(한글" and
    "파일, 120KB)". Links of every length of words, so that one ends near
    the line's end: each kind and size on one line, in a colour other than
    the link's at 4.5:1 or more, at 90% of the link's size or more, and no
    line wider than the phone (the kind and size go to the next line whole,
    not with the word before them)."""
    body = "".join(f"- [{'신청서 가나다라' * (n // 8)}{'가나다라마바사아'[:n % 8]}]({{static}}/files/신청서.hwp)\n"
                   for n in range(1, 40)) + "- [신청 가나다라마바사아자차카타파하가]({static}/files/신청서.hwp)\n"  # a long last word
    project = files_project(copy_project(tmp_path, notices=False))
    (project / "content" / "notices" / NOTICE).write_text(HEADER + body, encoding="utf-8")
    assert run_sotong(project, "build").code == 0
    page = (project / "output" / "notices" / "2026-11-05-forms" / "index.html").read_text(encoding="utf-8")
    tab.open(site_server.put("/__test__/file-about.html", page))
    abouts = tab.page.evaluate(_FILE_ABOUT)
    assert len(abouts) == 40
    assert [about for about in abouts if about["lines"] != 1 or about["linkColour"] or about["contrast"] < 4.5
            or about["size"] < 0.9] == []
    assert sideways_scrolling(tab.page, width) == []
