"""A link of a notice's text to a file (an application form in HWP, a plan
in PDF) says, after its words and inside the link, what the file is and how
big: a resident on a phone knew only the words, and tapped into a 4MB file
their phone could not open. Check advises a PDF beside an HWP, and warns of
a file too big for a phone."""

from __future__ import annotations

from pathlib import Path

import lxml.html

from project_support import png

NOTICE = "2026-11-05-forms.md"
HEADER = """\
---
title: 김장 나눔 자원봉사 신청
date: 2026-11-05 09:00
department: 복지정책과
category: living
---
"""
BODY = """\
신청서를 내려받아 써 주세요.

- [신청서]({static}/files/신청서.hwp)
- [계획서]({static}/files/plan.pdf)
- [행사 포스터]({static}/images/poster.png)
- [자원봉사 포털](https://www.1365.go.kr/)
"""


def files_project(project: Path, body: str = BODY, hwp_size: int = 120_000) -> Path:
    """``project`` with one notice linking an HWP, a PDF, a picture and another site."""
    (project / "content" / "files").mkdir(exist_ok=True)
    (project / "content" / "files" / "신청서.hwp").write_bytes(bytes(hwp_size))
    (project / "content" / "files" / "plan.pdf").write_bytes(b"%PDF-1.4\n" + bytes(1_234_567 - 9))
    (project / "content" / "images" / "poster.png").write_bytes(png(40, 30))
    (project / "content" / "notices" / NOTICE).write_text(HEADER + body, encoding="utf-8")
    return project


def page_link_words(project: Path) -> list[tuple[str, str]]:
    """The links of the notice's text on its built page, in order: (address, the words a screen reader names it by)."""
    page = lxml.html.parse(str(project / "output" / "notices" / "2026-11-05-forms" / "index.html")).getroot()
    (text,) = page.find_class("notice-body")
    return [(link.get("href"), " ".join(link.text_content().split())) for link in text.iter("a")]


def page_links(project: Path) -> dict[str, str]:
    """The links of the notice's text on its built page: address -> the words a screen reader names it by."""
    return dict(page_link_words(project))


def test_a_link_to_a_file_says_its_kind_and_size_and_one_to_a_site_does_not(empty_project_dir, cli):
    project = files_project(empty_project_dir)
    result = cli(project, "build")
    assert result.code == 0, result.output
    links = page_links(project)
    assert links == {"/files/신청서.hwp": "신청서 (한글 파일, 120KB)", "/files/plan.pdf": "계획서 (PDF, 1.2MB)",
                     "/images/poster.png": "행사 포스터 (그림 파일, 1KB)", "https://www.1365.go.kr/": "자원봉사 포털"}
    feed = (project / "output" / "feeds" / "all.atom.xml").read_text(encoding="utf-8")
    assert "(한글 파일, 120KB)" in feed and "(PDF, 1.2MB)" in feed, "the feed carries the same text"


def test_a_file_replaced_by_a_bigger_one_changes_the_page_on_the_next_build(empty_project_dir, cli):
    """The notice's file is unchanged: its text comes from the caches kept
    by its bytes (Pelican's reader cache, the kept articles), and the page
    still said the old size."""
    project = files_project(empty_project_dir)
    assert cli(project, "build").code == 0
    assert "신청서 (한글 파일, 120KB)" in page_links(project).values()
    (project / "content" / "files" / "신청서.hwp").write_bytes(bytes(4_000_000))
    result = cli(project, "build")
    assert result.code == 0, result.output
    assert "신청서 (한글 파일, 4MB)" in page_links(project).values()


def test_a_link_whose_words_name_its_files_kind_says_only_its_size(empty_project_dir, cli):
    """"신청서(HWP) (한글 파일, 120KB)" said the kind twice; words that name
    it as the page would, in Korean or by its ending, in either case, keep
    only the size. Words that name another kind, or a longer word holding
    the ending, do not."""
    body = ("- [신청서(HWP)]({static}/files/신청서.hwp)\n- [신청서 hwp]({static}/files/신청서.hwp)\n"
            "- [한글 파일 신청서]({static}/files/신청서.hwp)\n- [한글파일 신청서]({static}/files/신청서.hwp)\n"
            "- [PDF 계획서]({static}/files/plan.pdf)\n- [plan.Pdf]({static}/files/plan.pdf)\n"
            "- [PDF로 바꾼 신청서]({static}/files/신청서.hwp)\n- [hwpx2pdf 안내]({static}/files/신청서.hwp)\n")
    project = files_project(empty_project_dir, body=body)
    result = cli(project, "build")
    assert result.code == 0, result.output
    assert [words for _address, words in page_link_words(project)] == [
        "신청서(HWP) (120KB)", "신청서 hwp (120KB)", "한글 파일 신청서 (120KB)", "한글파일 신청서 (120KB)",
        "PDF 계획서 (1.2MB)", "plan.Pdf (1.2MB)", "PDF로 바꾼 신청서 (한글 파일, 120KB)", "hwpx2pdf 안내 (한글 파일, 120KB)"]


WARNED = "content/notices/2026-11-05-forms.md:{line}: "


def check_warnings(project: Path, cli) -> list[str]:
    """The lines ``sotong check`` warns of in ``project``, which passes it."""
    result = cli(project, "check")
    assert result.code == 0, result.output
    return result.stderr.splitlines()


def test_an_hwp_linked_without_a_pdf_of_the_same_name_is_advised_one(empty_project_dir, cli, monkeypatch):
    monkeypatch.setenv("SOTONG_LANG", "ko")
    project = files_project(empty_project_dir)
    assert check_warnings(project, cli) == [WARNED.format(line=9) + (
        "주의: {static}/files/신청서.hwp은(는) 한글 파일이라, 휴대전화에서는 열지 못하는 경우가 많습니다. 같은 내용을 "
        "PDF로도 저장해 같은 폴더에 올리고 함께 링크하세요. 예: [신청서]({static}/files/신청서.pdf) (파일의 종류와 크기는 누리집이 "
        "링크에 붙여 보여 줍니다)")]
    (project / "content" / "files" / "신청서.pdf").write_bytes(b"%PDF-1.4\n")
    (project / "content" / "notices" / NOTICE).write_text(
        HEADER + BODY.replace("- [계획서]", "- [신청서]({static}/files/신청서.pdf)\n- [계획서]"), encoding="utf-8")
    assert check_warnings(project, cli) == []


def test_a_pdf_of_the_same_name_in_another_folder_is_not_the_hwps(empty_project_dir, cli):
    """Last year's 신청서.pdf in another folder silenced the warning of this
    year's 신청서.hwp, which no phone could open and no PDF stood beside."""
    project = files_project(empty_project_dir)
    (project / "content" / "files" / "2025").mkdir()
    (project / "content" / "files" / "2025" / "신청서.pdf").write_bytes(b"%PDF-1.4\n")
    (project / "content" / "notices" / NOTICE).write_text(
        HEADER + BODY.replace("- [계획서]", "- [작년 신청서]({static}/files/2025/신청서.pdf)\n- [계획서]"), encoding="utf-8")
    assert [line.split(": ", 1)[0] for line in check_warnings(project, cli)] == [WARNED.format(line=9).removesuffix(": ")]
    (project / "content" / "files" / "2025" / "신청서.hwp").write_bytes(bytes(1000))
    (project / "content" / "notices" / NOTICE).write_text(
        HEADER + BODY.replace("{static}/files/신청서.hwp", "{static}/files/2025/신청서.hwp").replace(
            "- [계획서]", "- [작년 신청서]({static}/files/2025/신청서.pdf)\n- [계획서]"), encoding="utf-8")
    assert check_warnings(project, cli) == []


def test_a_file_too_big_for_a_phone_is_warned_at_its_line(empty_project_dir, cli):
    project = files_project(empty_project_dir, body=BODY.replace("신청서.hwp", "신청서.pdf"))
    with open(project / "content" / "files" / "신청서.pdf", "wb") as big:
        big.truncate(12_300_000)  # sparse: its size without writing it
    assert check_warnings(project, cli) == [WARNED.format(line=9) + (
        "warning: the file {static}/files/신청서.pdf is 12.3MB, which a resident's phone downloads whole (slowly, on "
        "its data, and many stop before it ends); make it smaller (a PDF saved for the web, pictures shrunk) or split "
        "it into files under 10MB")]


def test_a_file_named_with_blanks_is_linked_by_an_address_with_none(empty_project_dir, cli):
    """A file named as Windows names it (한파 쉼터 포스터.png): Pelican's link
    wrote its blanks as they are, an address the HTML checker refuses and
    some mail programs and feed readers cut at the first blank."""
    body = "- [신청 서식]({static}/files/신청 서식.hwp)\n\n![한파 쉼터 포스터]({static}/images/한파 쉼터 포스터.png)\n"
    project = files_project(empty_project_dir, body)
    (project / "content" / "files" / "신청 서식.hwp").write_bytes(bytes(120_000))
    (project / "content" / "images" / "한파 쉼터 포스터.png").write_bytes(png(40, 30))
    result = cli(project, "build")
    assert result.code == 0, result.output
    assert page_link_words(project) == [("/files/신청%20서식.hwp", "신청 서식 (한글 파일, 120KB)")]
    page = (project / "output" / "notices" / "2026-11-05-forms" / "index.html").read_text(encoding="utf-8")
    assert 'src="/images/한파%20쉼터%20포스터.png"' in page and "쉼터 포스터.png" not in page
    feed = (project / "output" / "feeds" / "all.atom.xml").read_text(encoding="utf-8")
    assert "신청%20서식.hwp" in feed and "한파%20쉼터%20포스터.png" in feed and "쉼터 포스터.png" not in feed
