"""A picture's or an attachment's path as PR staff write it: the path the
file has on their own computer (C:\\Users\\kim\\Desktop\\poster.jpg, copied
from the Explorer's address bar) was "not found under content/" or "must be
a path inside content/ without /"; a path from the project's folder
(content/images/poster.svg) was "not found under content/", though the
file is there; a missing PDF was told to go in content/images/."""

from __future__ import annotations

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
    assert _said(content, "image: images/poster2.svg\nimage_alt: 포스터") == [
        'notice.md:6: image "images/poster2.svg" not found under content/; put the file there (e.g. content/images/) '
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
