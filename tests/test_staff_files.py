"""A picture's or an attachment's path as PR staff write it: the path the
file has on their own computer (C:\\Users\\kim\\Desktop\\poster.jpg, copied
from the Explorer's address bar) was "not found under content/" or "must be
a path inside content/ without /"; a path from the project's folder
(content/images/poster.svg) was "not found under content/", though the
file is there; a missing PDF was told to go in content/images/."""

from __future__ import annotations

import unicodedata

import pytest
from test_notices import GOOD, read


@pytest.fixture
def content(tmp_path):
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "poster.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    return tmp_path


def _said(content, lines: str) -> list[str]:
    notice, problems = read(content, GOOD.replace("category: culture\n", "category: culture\n" + lines + "\n"))
    assert notice is None
    return [str(problem) for problem in problems]


@pytest.mark.parametrize("written, name", [
    ("C:\\Users\\kim\\Desktop\\poster.jpg", "poster.jpg"),
    ("C:/Users/kim/바탕 화면/축제 포스터.png", "축제 포스터.png"),
    ("file:///C:/Users/kim/poster.svg", "poster.svg"),
])
def test_a_picture_on_the_writers_own_computer_is_told_to_be_copied_in(content, written, name):
    assert _said(content, f"image: '{written}'\nimage_alt: 포스터") == [
        f'notice.md:6: image "{written}" is a file on this computer, not in the project; copy it into content/images/ '
        f"and write images/{name}"]


def test_an_attachment_on_the_writers_own_computer_goes_to_files(content):
    assert _said(content, "visibility: private\naudiences: [seniors]\nchannels: [email]\n"
                          "attachments: C:/Users/kim/Desktop/검토의견.pdf") == [
        'notice.md:9: attachment "C:/Users/kim/Desktop/검토의견.pdf" is a file on this computer, not in the project; '
        "copy it into content/files/ and write files/검토의견.pdf"]
    assert _said(content, "visibility: private\naudiences: [seniors]\nchannels: [email]\n"
                          "attachments: files/검토의견.pdf") == [
        'notice.md:9: attachment "files/검토의견.pdf" not found under content/; put the file there (e.g. content/files/) '
        "or fix the path"]


def test_a_path_from_the_projects_folder_is_told_to_leave_out_content(content):
    (content / "content" / "images").mkdir(parents=True)  # no such file there: the one meant is content/images/
    assert _said(content, "image: content/images/poster.svg\nimage_alt: 포스터") == [
        'notice.md:6: image "content/images/poster.svg": write the path from inside content/, without content/ at its '
        "start: images/poster.svg"]


def test_a_name_written_with_other_capitals_is_told_the_files_own_name(content):
    """image: images/Poster.SVG opens on the writer's Windows, which does not
    tell capitals apart; the server does, and check said only "not found"."""
    assert _said(content, "image: images/Poster.SVG\nimage_alt: 포스터") == [
        'notice.md:6: image "images/Poster.SVG" not found under content/: the file is named poster.svg (the server '
        "tells capitals apart, as Windows does not); write images/poster.svg"]
    assert _said(content, "image: images/poster2.svg\nimage_alt: 포스터") == [  # a name near one there: both ways out
        'notice.md:6: image "images/poster2.svg" not found under content/: its folder holds poster.svg, a name near it; '
        "write images/poster.svg (or put the file written there)"]
    assert _said(content, "image: images/banner.svg\nimage_alt: 포스터") == [
        'notice.md:6: image "images/banner.svg" not found under content/; put the file there (e.g. content/images/) '
        "or fix the path"]


def test_check_says_it_in_korean(project_dir, korean_check):
    notice = project_dir / "content" / "notices" / "2026-11-16-winter-festival.md"
    text = notice.read_text(encoding="utf-8")
    notice.write_text(text.replace("image: images/winter-festival.svg", "image: C:\\Users\\hong\\Desktop\\poster.jpg"),
                      encoding="utf-8")
    assert korean_check(project_dir) == [
        'content/notices/2026-11-16-winter-festival.md:8: image "C:\\Users\\hong\\Desktop\\poster.jpg"은(는) 이 컴퓨터의 '
        "다른 폴더에 있는 파일입니다(소통은 content/ 안의 파일만 씁니다). 파일을 content/images/에 복사하고 images/poster.jpg처럼 "
        "쓰세요"]


def _mac_name(folder, name: str, new: str | None = None) -> str:
    """Move ``folder/name`` to ``folder/new`` (or its own name) stored as a Mac stores it (NFD); the name written (NFC)."""
    stored = unicodedata.normalize("NFD", new or name)
    (folder / name).rename(folder / stored)
    assert stored != unicodedata.normalize("NFC", stored)
    return stored


def test_a_name_stored_in_a_macs_form_is_told_to_be_typed_again(project_dir, cli):
    """A Korean file name copied from a Mac is stored decomposed (NFD); a
    notice names it as typed on Windows (NFC), which the server does not
    find: check said only "not found" (or "not a file"). It now says the file
    is there under a name stored in another form, and how to mend it; the
    build stops, so no page links a file the server would not find."""
    content = project_dir / "content"
    pdf = _mac_name(content / "files", "2027-후보사업-검토의견.pdf")
    poster = _mac_name(content / "images", "winter-festival.svg", "겨울축제.svg")
    festival = content / "notices" / "2026-11-16-winter-festival.md"
    text = festival.read_text(encoding="utf-8").replace("image: images/winter-festival.svg", "image: images/겨울축제.svg")
    festival.write_text(text + "\n[포스터 크게 보기]({static}/images/겨울축제.svg)\n", encoding="utf-8")

    def mend(written: str, stored: str) -> str:
        return (f'"{written}" is not found as written: the file is there, but the letters of its name are stored in '
                f"another form (a name made on a Mac), which the server does not find; on a Windows PC, rename the file "
                f"{stored} by deleting its name and typing it again (or save it again there), or give it a new name "
                "and write that name here")

    checked = cli(project_dir, "check")
    assert checked.code == 1 and sorted(checked.stderr.splitlines()[:-1]) == sorted([
        "content/notices/2026-12-09-budget-committee-review.md:10: attachment " + mend("files/2027-후보사업-검토의견.pdf", f"files/{pdf}"),
        "content/notices/2026-11-16-winter-festival.md:8: image " + mend("images/겨울축제.svg", f"images/{poster}"),
        f"content/notices/2026-11-16-winter-festival.md:{text.count(chr(10)) + 2}: "
        + mend("{static}/images/겨울축제.svg", f"images/{poster}")])
    built = cli(project_dir, "build")
    assert built.code == 1 and not (project_dir / "output").exists()


def test_a_macs_name_is_told_in_korean(project_dir, korean_check):
    _mac_name(project_dir / "content" / "files", "2027-후보사업-검토의견.pdf")
    said = korean_check(project_dir)
    assert len(said) == 1 and said[0].startswith("content/notices/2026-12-09-budget-committee-review.md:10: 첨부 파일 ")
    assert "파일은 있지만 이름의 글자가 다른 방식으로 저장되어 있어(맥에서 만든 이름)" in said[0] and "다시 입력" in said[0]


def test_a_notice_or_page_named_in_a_macs_form_is_linked_at_its_one_address_either_way(project_dir, cli):
    """A notice's page is at the address of its composed name (NFC) whatever
    form its file's name is stored in, so a {filename} link typed on Windows
    (NFC) to a notice named on a Mac (NFD), or one copied from a Mac to a
    page named on Windows, leads to it: check refused the first as a name to
    type again, and Pelican, finding no file by that path, left the link on
    the page as written. The emails give it the same address."""
    from sotong.links import text_link_url
    from sotong.project import Project

    content = project_dir / "content"
    _mac_name(content / "notices", "2026-11-19-year-end-concert.md", "2026-11-19-연말음악회.md")
    (content / "pages" / "구청-소개.md").write_text("---\ntitle: 구청 소개\nslug: about-office\n---\n소개합니다.\n",
                                                  encoding="utf-8")
    typed = ("[연말 음악회]({filename}2026-11-19-연말음악회.md) "
             f"[구청 소개]({{filename}}/pages/{unicodedata.normalize('NFD', '구청-소개.md')})")
    shelters = content / "notices" / "2026-11-18-cold-shelters.md"
    shelters.write_text(shelters.read_text(encoding="utf-8") + f"\n{typed}\n", encoding="utf-8")
    built = cli(project_dir, "build")
    assert built.code == 0, built.output
    page = (project_dir / "output" / "notices" / "2026-11-18-cold-shelters" / "index.html").read_text(encoding="utf-8")
    assert '<a href="/notices/2026-11-19-연말음악회/">연말 음악회</a>' in page and "{filename}" not in page
    assert '<a href="/about-office/">구청 소개</a>' in page
    assert (project_dir / "output" / "notices" / "2026-11-19-연말음악회" / "index.html").is_file()
    project = Project(project_dir / "pelicanconf.py")
    notice = project.content.notice("2026-11-18-cold-shelters")
    assert text_link_url(project.settings, project.content, notice, "{filename}2026-11-19-연말음악회.md") == \
        "/notices/2026-11-19-연말음악회/"


@pytest.mark.parametrize("written, said", [
    ("'{static}/images/poster.svg'", "is written as the text writes a picture; in the header write the path from "
                                     "content/ without {static}: images/poster.svg"),
    ("images\\poster.svg", "is written with \\ between its folders, as Windows shows them; write / between them: "
                           "images/poster.svg"),
    ("poster.svg", "not found under content/: the file is content/images/poster.svg; write images/poster.svg"),
])
def test_a_picture_written_as_the_text_windows_or_its_bare_name_has_it_is_said_with_the_path_to_write(content, written,
                                                                                                   said):
    """{static}/images/poster.svg copied from the text, images\\poster.svg as
    Windows writes folders, or poster.svg without its folder: "not found
    under content/" or "must be a path inside content/ without / at the
    start or ..", though the file was there."""
    (shown,) = _said(content, f"image: {written}\nimage_alt: 포스터")
    assert shown.startswith("notice.md:6: image ") and shown.endswith(said), shown
