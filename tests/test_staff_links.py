"""Links in a notice's or page's text as PR staff write them: a web address
copied without its beginning ([서울숲](www.seoulforest.or.kr),
[정부24](gov.kr/portal)) was told to be "a file under content/" to put
there with {static}, or (no ending like .kr) passed check as a page of the
site, and residents got a link to nothing. Now check says to write
https:// before it, in Korean, at its line."""

from __future__ import annotations

import pytest
from test_notices import GOOD, read

SAID = ('"{target}" is a web address without its beginning, so the page looks for it as a file of the site; write '
        "https:// before it: https://{target}")


@pytest.mark.parametrize("written, target", [
    ("[서울숲](www.seoulforest.or.kr)", "www.seoulforest.or.kr"),
    ("[정부24](gov.kr/portal/main)", "gov.kr/portal/main"),
    ("[구청](www.sd.go.kr/main/index.do?x=1)", "www.sd.go.kr/main/index.do?x=1"),
    ('<a href="blog.naver.com/seongdong">블로그</a>', "blog.naver.com/seongdong"),
    ("[신청](seongdong.go.kr)", "seongdong.go.kr"),
])
def test_a_web_address_without_https_is_said_as_one(tmp_path, written, target):
    notice, problems = read(tmp_path, GOOD + f"자세한 내용은 {written}에서 보세요.\n")
    assert notice is None and [str(p) for p in problems] == ["notice.md:10: " + SAID.format(target=target)]


@pytest.mark.parametrize("written, target, path", [
    ("[김장 나눔](2026-11-05-kimjang-sharing.md)", "2026-11-05-kimjang-sharing.md", "2026-11-05-kimjang-sharing.md"),
    ("[김장 나눔](/notices/2026-11-05-kimjang-sharing.md)", "/notices/2026-11-05-kimjang-sharing.md",
     "notices/2026-11-05-kimjang-sharing.md"),
    ('<a href="pages/about.md#contact">소개</a>', "pages/about.md#contact", "pages/about.md"),
])
def test_a_plain_link_to_a_notices_markdown_file_is_told_its_filename_link(tmp_path, written, target, path):
    """The site publishes no .md file: such a link passed check as a page
    of the site and led residents to a missing page."""
    notice, problems = read(tmp_path, GOOD + f"지난 소식: {written}\n")
    assert notice is None and [str(p) for p in problems] == [
        f'notice.md:10: "{target}" links the Markdown file of a notice or page, which the site does not publish, so '
        f"the link leads nowhere; write {{filename}} before its path from content/: {{filename}}/{path}"]


@pytest.mark.parametrize("written, target, said", [
    ("[메일](hong@sd.go.kr)", "hong@sd.go.kr", "an email address written without its beginning, so the page looks "
                                              "for it as a file of the site; write mailto: before it: mailto:hong@sd.go.kr"),
    ("[전화하기](02-2286-5000)", "02-2286-5000", "a phone number written without its beginning, so the page looks for "
                                            "it as a file of the site; write tel: before it: tel:02-2286-5000"),
    ("[휴대전화](010 1234 5678)", "010 1234 5678", "write tel: before it: tel:01012345678"),
    ('<a href="120">다산콜센터</a>', "120", "write tel: before it: tel:120"),
])
def test_an_email_address_or_a_phone_number_linked_without_its_beginning_is_told_it(tmp_path, written, target, said):
    """They passed check (a number has no ending, so it was a page of the
    site) or were told to be put in content/files/, and residents got a
    link to nothing."""
    notice, problems = read(tmp_path, GOOD + f"문의: {written}\n")
    assert notice is None and len(problems) == 1 and str(problems[0]).startswith(f'notice.md:10: "{target}" is '), problems
    assert str(problems[0]).endswith(said), problems


def test_addresses_and_files_written_right_are_left_alone(tmp_path):
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "form.hwp").write_text("hwp")
    notice, problems = read(tmp_path, GOOD + "[정부24](https://www.gov.kr/) [신청서]({static}/files/form.hwp) "
                                             "[다른 공지](../kimjang/) [위로](#top) [메일](mailto:hong@sd.go.kr) "
                                             "[전화](tel:02-2286-5000) [2026](2026)\n")
    assert problems == [] and notice is not None


def test_check_says_it_in_korean(project_dir, korean_check):
    notice = project_dir / "content" / "notices" / "2026-11-16-winter-festival.md"
    text = notice.read_text(encoding="utf-8")
    notice.write_text(text.replace("문의: 성동구청", "[서울숲](www.seoulforest.or.kr)\n\n문의: 성동구청"), encoding="utf-8")
    line = text.split("\n").index(next(l for l in text.split("\n") if l.startswith("문의: 성동구청"))) + 1
    assert korean_check(project_dir) == [
        f'content/notices/2026-11-16-winter-festival.md:{line}: "www.seoulforest.or.kr"은(는) 앞부분(https://)이 빠진 웹 '
        "주소라서, 누리집이 이를 자기 파일로 찾습니다. 앞에 https://를 붙여 쓰세요: https://www.seoulforest.or.kr"]


def test_a_link_by_address_to_no_notice_is_told_the_filename_link_of_the_nearest(project_dir, korean_check, cli):
    """A notice's address mistyped, or written as a file's (.html), passed
    check and led residents nowhere; the notices' own addresses, the site's
    other pages and the notices' folder are left alone."""
    notice = project_dir / "content" / "notices" / "2026-11-16-winter-festival.md"
    text = notice.read_text(encoding="utf-8")
    line = text.split("\n").index(next(l for l in text.split("\n") if l.startswith("문의: 성동구청"))) + 1
    links = "[김장](../2026-11-05-kimjang-sharing/) [김장](/notices/2026-11-05-kimjang-sharing/) [소개](/about/) [목록](../)"
    notice.write_text(text.replace("문의: 성동구청", links + "\n\n문의: 성동구청"), encoding="utf-8")
    assert cli(project_dir, "check").code == 0
    mistyped = "[김장](../2026-11-05-kimjang-sharng/) [김장](/notices/2026-11-05-kimjang-sharing.html)"
    notice.write_text(text.replace("문의: 성동구청", mistyped + "\n\n문의: 성동구청"), encoding="utf-8")
    said = ("은(는) 누리집의 어느 공지로도 이어지지 않습니다(그 주소에는 공지가 없습니다). 링크는 {filename} 뒤에 공지 파일을 써서 "
            "이렇게 쓰세요: {filename}/notices/2026-11-05-kimjang-sharing.md")
    assert korean_check(project_dir) == [
        f'content/notices/2026-11-16-winter-festival.md:{line}: "{target}"{said}'
        for target in ("../2026-11-05-kimjang-sharng/", "/notices/2026-11-05-kimjang-sharing.html")] + ["문제 2건."]
