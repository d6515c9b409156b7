"""Notices that used to crash ``check``, pass it and then fail ``build``, or
be accepted although wrong: each is now one ``PATH:LINE: message``."""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import time
import unicodedata
from urllib.parse import unquote

import lxml.html
import pytest

from sotong.check import check_project
from sotong.notices import coming_day
from sotong.project import Project
from sotong.sms import displayable, notice_line
from test_notices import GOOD, only_problem, read, with_line


@pytest.mark.parametrize("old, new, line, expected", [
    ("category: culture", "category: [culture]", 5, "category must be one piece of text, not a list"),
    ('title: "성동구: 겨울철 한파 대비 안내"', "title: [겨울철, 한파]", 2, "title must be one piece of text, not a list"),
    ('title: "성동구: 겨울철 한파 대비 안내"', "title: {겨울철: 한파}", 2, "title must be one piece of text, not a map"),
    ("department: 문화체육과", "department: yes", 4, "department is read as true"),
    ("date: 2026-11-05 14:00", "date: 0001-01-01", 3, 'date "0001-01-01" is in the year 1'),
    ("date: 2026-11-05 14:00", "date: 9999-12-31 23:00", 3, "dates of notices lie in 2000-2099"),
    ("date: 2026-11-05 14:00", "date: ٢٠٢٦-١١-٠٥", 3, "is not a date"),
    ("date: 2026-11-05 14:00", "date: 2026. 11. 6.", 3, 'date "2026. 11. 6." is not a date; write it as YYYY-MM-DD or '
                                                      "YYYY-MM-DD HH:MM, e.g. date: 2026-11-06"),
    ("date: 2026-11-05 14:00", "date: 2026/11/6 9:30", 3, "e.g. date: 2026-11-06 09:30"),
    ("date: 2026-11-05 14:00", "date: 2026-11-6", 3, "e.g. date: 2026-11-06"),
    # typed in a Korean keyboard's full-width mode: the example was 2026-11-05 14:00, whatever day was meant
    ("date: 2026-11-05 14:00", "date: ２０２６－１１－０６ ９：３０", 3, "e.g. date: 2026-11-06 09:30"),
    # the hour as people write one: the example was the day alone, or 2026-11-05 14:00 whatever was meant
    ("date: 2026-11-05 14:00", "date: 2026년 11월 6일(금) 오후 2시 30분", 3, "e.g. date: 2026-11-06 14:30"),
    ("date: 2026-11-05 14:00", "date: 2026.11.6 오전 9시", 3, "e.g. date: 2026-11-06 09:00"),
    ("date: 2026-11-05 14:00", "date: 2026-11-06 2:00 PM", 3, "e.g. date: 2026-11-06 14:00"),
    ("category: culture", "category: culture\nexpires: 2026년 12월 3일 오후 6시", 6, "e.g. expires: 2026-12-03"),
    ("category: culture", "category: culture\ntitle: 둘째 제목", 6, '"title" is given twice, on lines 2 and 6'),
    # a character YAML reads in no value, pasted into the header: was libyaml's English at the header's first line
    ("department: 문화체육과", "department: 문화\x1b체육과", 4, "the invisible character U+001B at column 15 cannot be read"),
    ("category: culture", "category: culture\nsummary: 요약\x7f", 6, "the invisible character U+007F at column 12 cannot be read"),
    ("category: culture", "category: culture\nsummary: 요약\ufffe", 6, "the invisible character U+FFFE at column 12 cannot be read"),
])
def test_a_wrong_value_type_or_range_is_one_line(tmp_path, old, new, line, expected):
    message = only_problem(tmp_path, GOOD.replace(old, new))
    assert message.startswith(f"notice.md:{line}: "), message
    assert expected in message


@pytest.mark.parametrize("added, expected", [
    ("visibility: [private]", "e.g. visibility: private"),  # was "e.g. visibility: ...": nothing to copy
    ("survey: [library-satisfaction]", "e.g. survey: library-satisfaction"),
    ("summary: [첫째, 둘째]", "e.g. summary: 12월 15일"),
    ("sms: [첫째, 둘째]", 'e.g. sms: "[성동구] 김장'),  # was without quotes, which YAML reads as a list
])
def test_a_list_for_a_text_key_names_a_value_to_write(tmp_path, added, expected):
    message = only_problem(tmp_path, with_line(added))
    assert message.startswith("notice.md:6: ") and expected in message, message


@pytest.mark.parametrize("added, expected", [
    ("expires: 9999-12-31", "to keep a notice current, leave expires out"),
    ("expires: 2026년 12월 30일", "e.g. expires: 2026-12-30"),
    ("expires: 2026.12.30 18:00", "e.g. expires: 2026-12-30"),
    ("event: {start: 0001-01-01 09:00}", 'event start "0001-01-01 09:00" is in the year 1'),
    ("event: {start: 2026-11-20, place: [구청, 광장]}", "place must be one piece of text"),
    # an end on the start's day written as its hour alone (YAML read 15:00 as 900, in base 60, and quoted that)
    ("event: {start: 2026-11-20 09:00, end: 15:00}",
     'event end "15:00" is an hour without its day; write the day with it, e.g. end: 2026-11-20 15:00'),
    ('event: {start: 2026-11-20, end: "오후 3시 30분"}', "write the day with it, e.g. end: 2026-11-20 15:30"),
    # the whole period written as the start: the start and the end to write (the hour of an end alone, the start's day)
    ("event: {start: 2026-12-01 ~ 2027-02-28}", 'event start "2026-12-01 ~ 2027-02-28" is a period; write where it '
     "begins as start and where it ends as end, on a line of its own: start: 2026-12-01 and end: 2027-02-28"),
    ("event: {start: 2026.11.20 14:00~17:00}", "start: 2026-11-20 14:00 and end: 2026-11-20 17:00"),
    ('slug: "evil\\n"', r'slug "evil\n" may hold only letters'),
    ("image: ../../../../../../etc/passwd\nimage_alt: x", "must be a path inside content/"),
    ("image: /etc/passwd\nimage_alt: x", "must be a path inside content/"),
    ("channels: [homepage、newsletter]", '"homepage、newsletter" is one name to YAML, as "、" is no comma; write '
                                         "channels: [homepage, newsletter]"),
    ("channels: [homepage，newsletter，email, sms]", '"homepage，newsletter，email" is one name to YAML, as "，" is no '
                                                    "comma; write channels: [homepage, newsletter, email, sms]"),
    ("channels: [homepage、newsletter、tv]", 'unknown channel "homepage、newsletter、tv"'),  # no names of its own
    ("channels: ［homepage，newsletter］", "channels must be a list; write channels: [homepage, newsletter]"),
    # names parted by blanks: said as one unknown channel with no list to write, or a list written wrong
    ("channels: [homepage newsletter email, sms]", '"homepage newsletter email" is one name to YAML, as names are '
                                                  "parted by commas, not blanks; write channels: [homepage, newsletter, email, sms]"),
    ("channels: homepage newsletter", "channels must be a list; write channels: [homepage, newsletter]"),
    # the list to write is one check takes: a Korean word as its name, a word for all as every channel
    ("channels: 홈페이지, 문자", "channels must be a list; write channels: [homepage, sms]"),
    ("channels: 전체", "channels must be a list; write channels: [homepage, newsletter, email, sms, twitter, facebook, blog]"),
    ("channels: [homepage newsletter tv]", 'unknown channel "homepage newsletter tv"'),  # no names of its own
])
def test_each_new_value_rule(tmp_path, added, expected):
    message = only_problem(tmp_path, with_line(added))
    assert message.startswith("notice.md:6: "), message
    assert "\n" not in message and expected in message


def test_an_hour_alone_as_the_end_takes_the_day_of_a_start_written_another_way(tmp_path):
    """Both said at their lines, the end with the day the start means (it
    was told "e.g. end: 2026-11-05 14:00", a day of no notice's)."""
    notice, problems = read(tmp_path, with_line("event:\n  start: 2026-11-20 오후 2시\n  end: 오후 5시"))
    assert notice is None and [str(p) for p in problems] == [
        'notice.md:7: event start "2026-11-20 오후 2시" is not a date; write it as YYYY-MM-DD or YYYY-MM-DD HH:MM, '
        "e.g. start: 2026-11-20 14:00",
        'notice.md:8: event end "오후 5시" is an hour without its day; write the day with it, e.g. end: 2026-11-20 17:00']


def test_an_image_that_links_outside_content_is_refused(tmp_path):
    (tmp_path / "images").mkdir()
    os.symlink("/etc/passwd", tmp_path / "images" / "poster.svg")
    message = only_problem(tmp_path, with_line("image: images/poster.svg\nimage_alt: 포스터"))
    assert message.startswith("notice.md:6: ") and "is a link to a file outside content/" in message


def test_an_image_inside_content_is_kept_as_given(tmp_path):
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "poster.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    notice, problems = read(tmp_path, with_line("image: images/poster.svg\nimage_alt: 포스터"))
    assert problems == [] and notice.image == "images/poster.svg"


@pytest.mark.parametrize("written", ["images/poster.png", "images/poster", "images/poster.jpeg"])
def test_an_image_written_with_another_ending_than_its_file_is_said_with_the_name_to_write(tmp_path, written):
    """image: images/poster.png for poster.svg: "put the file there (e.g.
    content/images/) or fix the path", beside the file meant."""
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "poster.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (tmp_path / "images" / "banner.png").write_bytes(b"")
    assert only_problem(tmp_path, with_line(f"image: {written}\nimage_alt: 포스터")) == (
        f'notice.md:6: image "{written}" not found under content/: its folder holds poster.svg, of another ending; '
        "write images/poster.svg (or put the file written there)")


def test_a_title_outside_cp949_is_an_error_only_when_it_is_the_sms_text(tmp_path):
    title = 'title: "한파 ⚠ 주의"'
    text = GOOD.replace('title: "성동구: 겨울철 한파 대비 안내"', title)
    message = only_problem(tmp_path, text.replace("category: culture", "category: culture\nchannels: [homepage, sms]"))
    assert message.startswith("notice.md:2: ") and 'has "⚠"' in message and "sms:" in message
    for extra in ("channels: [homepage, email]", "channels: [sms]\nsms: 한파 주의"):
        notice, problems = read(tmp_path, text.replace("category: culture", "category: culture\n" + extra))
        assert problems == [] and notice is not None


@pytest.mark.parametrize("written", [
    unicodedata.normalize("NFD", "한파 대피소 운영"),  # a title copied from a Mac's file name: 한 as ᄒ ᅡ ᆫ
    "한파\u00a0대피소 운영",  # a no-break space, from a web page or a word processor
    "한파  대피소\u3000운영",  # an ideographic space (2 bytes) is one space (1 byte) like the others
])
@pytest.mark.parametrize("key", ["title", "sms"])
def test_plain_korean_written_as_a_mac_or_a_web_page_writes_it_is_no_error_and_is_sent_composed(tmp_path, written, key):
    """check refused these as characters "phones cannot show" (naming ᄒ, or
    a space), though the text was plain Korean in all but its encoding."""
    extra = "channels: [homepage, sms]" + (f'\nsms: "{written}"' if key == "sms" else "")
    text = with_line(extra)
    if key == "title":
        text = text.replace('title: "성동구: 겨울철 한파 대비 안내"', f'title: "{written}"')
    notice, problems = read(tmp_path, text)
    assert problems == [] and notice is not None
    assert notice_line(notice.sms_text, "https://sd.go.kr/s/k7") == "한파 대피소 운영 https://sd.go.kr/s/k7"
    assert displayable(notice_line(notice.sms_text, "")) == notice_line(notice.sms_text, "")


LONG_TITLE = "성동구 겨울철 한파 대비 어르신 안부 확인 및 한파쉼터 운영 안내 — 경로당 동 주민센터 복지관 등 팔십여 곳 지정"
LONG_SUMMARY = " ".join(["성동구는 12월부터 내년 3월까지 한파쉼터를 운영합니다."] * 4)


def titled(title: str, extra: str) -> str:
    """GOOD with another title and one more front-matter line."""
    return with_line(extra).replace('title: "성동구: 겨울철 한파 대비 안내"', f'title: "{title}"')


def test_a_title_and_summary_written_on_a_mac_are_counted_and_published_in_whole_letters(tmp_path):
    """Korean typed on a Mac or copied from its file names comes decomposed
    (NFD: 한 as three jamo). A 64-letter title was refused as "제목이 135자입니다"
    and a 127-letter summary as 263, though staff count letters; an
    urgent title starting with "[긴급]" was marked again ("[긴급] [긴급] ...");
    and the jamo went as they were into every page, feed title, homepage
    section and email subject. Both are now composed (NFC) when read."""
    nfd = functools.partial(unicodedata.normalize, "NFD")
    assert len(LONG_TITLE) <= 100 < len(nfd(LONG_TITLE)) and len(LONG_SUMMARY) <= 200 < len(nfd(LONG_SUMMARY))
    notice, problems = read(tmp_path, titled(nfd(LONG_TITLE), f'summary: "{nfd(LONG_SUMMARY)}"'))
    assert problems == []
    assert (notice.title, notice.summary, notice.plain_summary()) == (LONG_TITLE, LONG_SUMMARY, LONG_SUMMARY)
    urgent, problems = read(tmp_path, titled(nfd("[긴급] 단수 안내"), "priority: urgent"))
    assert problems == [] and urgent.headline == "[긴급] 단수 안내"


def test_control_characters_in_the_body_are_named_by_line(tmp_path):
    notice, problems = read(tmp_path, GOOD + "\n셋째 \x00 문단\n넷째 \x0b\n")
    assert notice is None
    assert [str(p) for p in problems] == [
        "notice.md:11: the text holds an invisible control character (U+0000), which web pages and feeds cannot "
        "carry; delete it (copying from another program often brings one along)",
        "notice.md:12: the text holds an invisible control character (U+000B), which web pages and feeds cannot "
        "carry; delete it (copying from another program often brings one along)",
    ]


@pytest.mark.parametrize("written, example", [
    ("![포스터](<>)", "e.g. ![포스터]({static}/images/poster.jpg)"),  # was a traceback
    ("![](< >)", "e.g. ![포스터]({static}/images/poster.jpg)"),
    ('<img src="" alt="포스터">', 'e.g. <img src="{static}/images/poster.jpg" alt="포스터">'),
])
def test_a_picture_that_names_no_file_is_said_with_the_path_to_write(tmp_path, written, example):
    notice, problems = read(tmp_path, GOOD + f"\n{written}\n")
    assert notice is None and [str(p) for p in problems] == [
        "notice.md:11: the picture names no file, so the page shows it broken; write the path of its file under "
        f"content/ after {{static}}, {example}"]
    assert read(tmp_path, GOOD + "\n[신청서](<>)\n")[1] == []  # an empty link leads to the page itself: no problem


def test_a_file_name_without_letters_or_digits_needs_a_slug(tmp_path):
    notice, problems = read(tmp_path, GOOD, name="!!!.md")
    assert notice is None and len(problems) == 1
    assert str(problems[0]).startswith('!!!.md:1: the file name "!!!.md" gives the notice no web address')
    notice, problems = read(tmp_path, with_line("slug: kimjang"), name="!!!.md")
    assert problems == [] and notice.slug == "kimjang"


def test_links_and_folders_that_pelican_would_choke_on(empty_project_dir):
    notices = empty_project_dir / "content" / "notices"
    (notices / "2026-11-05-good.md").write_text(GOOD, encoding="utf-8")
    os.symlink("nowhere.md", notices / "dangling.md")
    os.symlink("itself.md", notices / "itself.md")
    (notices / "folder.md").mkdir()
    (notices / "folder.md" / "inside.md").write_text(GOOD, encoding="utf-8")
    (notices / "2026").mkdir()
    os.symlink("..", notices / "2026" / "loop")
    os.symlink("../images", empty_project_dir / "content" / "images" / "again")
    project = Project(empty_project_dir / "pelicanconf.py")
    problems = [str(p) for p in check_project(project)]
    assert problems == [
        "content/images/again:1: this folder link leads back to a folder that holds it, so its files would be "
        "read without end; remove the link",
        'content/notices/2026/loop:1: this folder link leads back to a folder that holds it, so its files would be '
        'read without end; remove the link',
        'content/notices/dangling.md:1: this file is a link to "nowhere.md", which does not exist; restore that '
        'file or remove the link',
        'content/notices/itself.md:1: this file is a link that leads back to itself ("itself.md"); remove it',
    ]
    assert sorted(p.name for p in project.notice_files()) == ["2026-11-05-good.md", "inside.md"]


def test_a_build_with_a_bad_body_stops_at_check_with_the_line(sotong, empty_project_dir):
    (empty_project_dir / "content" / "notices" / "nul.md").write_text(GOOD + "\x00\n", encoding="utf-8")
    result = sotong(empty_project_dir, "build")
    assert result.code == 1
    assert "content/notices/nul.md:10: the text holds an invisible control character (U+0000)" in result.stderr
    assert "Traceback" not in result.output and not (empty_project_dir / "output").exists()


def test_a_build_with_a_control_character_written_as_its_code_stops_at_check_with_the_line(sotong, empty_project_dir):
    """It passed check, and the build failed with "UnserializableContentError:
    Control characters are not supported in XML 1.0", in English, naming no file."""
    (empty_project_dir / "content" / "notices" / "code.md").write_text(GOOD + "끝 &#x1;\n", encoding="utf-8")
    result = sotong(empty_project_dir, "build")
    assert (result.code, result.stderr.splitlines()[0]) == (1, "content/notices/code.md:10: " + REFERENCE_MESSAGES[
        "control"].format(reference="&#x1;", code="0001"))
    assert "Traceback" not in result.output and not (empty_project_dir / "output").exists()


def test_a_banner_image_that_links_outside_content_is_refused(empty_project_dir):
    banners = empty_project_dir / "content" / "banners"
    os.symlink("/etc/passwd", empty_project_dir / "content" / "images" / "passwd.svg")
    (banners / "leak.yaml").write_text("title: 안내\nbody: 본문\nlink: https://www.gov.kr/\nplacements: [site]\n"
                                       "image: images/passwd.svg\nimage_alt: 그림\n", encoding="utf-8")
    problems = [str(p) for p in check_project(Project(empty_project_dir / "pelicanconf.py"))]
    assert problems == ['content/banners/leak.yaml:5: image "images/passwd.svg" is a link to a file outside content/; '
                        "copy the file itself into content/images/", LINK_OUT.format(path="images/passwd.svg", target="/etc/passwd")]


LINK_OUT = ('content/{path}:1: this is a link to "{target}", outside content/, and the site would publish what it leads '
            "to; put a copy here instead of the link")


def test_a_link_among_the_published_files_that_leads_outside_content_is_refused(sotong, empty_project_dir, tmp_path_factory):
    """A link in content/images/ to a file or folder outside content/ (named by
    no notice) passed check, and the build copied what it led to into the
    site: /images/passwd.svg held /etc/passwd. A link within content/ is a file of it."""
    images = empty_project_dir / "content" / "images"
    elsewhere = tmp_path_factory.mktemp("office-files")
    (elsewhere / "budget-draft.pdf").write_bytes(b"%PDF-1.4 not for the public")
    os.symlink("/etc/passwd", images / "passwd.svg")
    os.symlink(elsewhere, images / "shared")
    os.symlink("kimjang.svg", images / "kimjang-copy.svg")
    result = sotong(empty_project_dir, "build")
    assert result.code == 1 and not (empty_project_dir / "output").exists()
    assert result.stderr.splitlines() == [LINK_OUT.format(path="images/passwd.svg", target="/etc/passwd"),
                                          LINK_OUT.format(path="images/shared", target=elsewhere), "2 problems."]


def test_a_notice_or_page_not_named_md_is_named_with_the_name_to_give_it(empty_project_dir):
    content = empty_project_dir / "content"
    for name in ("2026-12-05-cold.md.txt", "2026-12-06-warm.MD", "2026-12-07-snow.markdown", "2026-12-08-ice.html",
                 ".2026-12-05-cold.md.swp.txt"):
        (content / "notices" / name).write_text(GOOD.replace("culture", "bogus"), encoding="utf-8")
    (content / "pages" / "about.txt").write_text(GOOD, encoding="utf-8")
    (content / "notices" / "README.txt").write_text("공지 쓰는 법", encoding="utf-8")  # IGNORE_FILES: README*
    (content / "images" / "credits.txt").write_text("사진: 홍보담당관", encoding="utf-8")
    problems = [str(p) for p in check_project(Project(empty_project_dir / "pelicanconf.py"))]
    notepad = ('only files named .md are read, and this one ends in .txt (Notepad adds it); rename it to "{}" '
               '(in Notepad, save with "All files" as the type)')
    skipped = 'only files named .md are read, so this one is skipped; rename it to "{}"'
    assert problems == [
        "content/notices/2026-12-05-cold.md.txt:1: " + notepad.format("2026-12-05-cold.md"),
        "content/notices/2026-12-06-warm.MD:1: " + skipped.format("2026-12-06-warm.md"),
        "content/notices/2026-12-07-snow.markdown:1: " + skipped.format("2026-12-07-snow.md"),
        "content/notices/2026-12-08-ice.html:1: " + skipped.format("2026-12-08-ice.md"),
        "content/pages/about.txt:1: " + notepad.format("about.md"),
    ]


def test_a_notice_saved_as_an_hwp_or_word_document_is_named_not_skipped(sotong, empty_project_dir):
    """A notice saved from HWP or Word into content/notices/ was skipped
    without a word: check said all was well and the notice never went out."""
    content = empty_project_dir / "content"
    (content / "notices" / "2026-12-05-김장.hwp").write_bytes(b"HWP Document File\x00\x05")
    (content / "pages" / "about.docx").write_bytes(b"PK\x03\x04")
    (content / "notices" / "~$12-05-김장.docx").write_bytes(b"owner")  # Word's lock file beside an open document
    result = sotong(empty_project_dir, "build")
    document = ("this is a word processor's document (HWP, Word), which is not read, so it is skipped; a notice is "
                "a text file named .md: copy its text into a new one (sotong new), and put this file in "
                "content/files/ if residents should download it")
    assert result.stderr.splitlines() == ["content/notices/2026-12-05-김장.hwp:1: " + document,
                                          "content/pages/about.docx:1: " + document, "2 problems."]
    assert result.code == 1 and not (empty_project_dir / "output").exists()


def test_what_pelican_skips_by_ignore_files_in_the_notices_folder_is_no_problem(sotong, empty_project_dir):
    """Emacs keeps a link .#NAME.md (to "user@host.PID") beside a notice
    whose changes are not saved yet, and a README.md explains a folder:
    Pelican skips both (IGNORE_FILES), but check read them as notices, so
    every check, build and preview failed ("a link to a file that does not
    exist", "no front matter") while the notice was being edited."""
    notices = empty_project_dir / "content" / "notices"
    (notices / "2026-12-05-cold.md").write_text(GOOD, encoding="utf-8")
    os.symlink("staff@pr-office.4242:1764600000", notices / ".#2026-12-05-cold.md")
    (notices / "README.md").write_text("공지 쓰는 법\n", encoding="utf-8")  # IGNORE_FILES: README*
    result = sotong(empty_project_dir, "build")
    assert result.code == 0, result.output
    assert [path.name for path in (empty_project_dir / "output" / "notices").iterdir()] == ["2026-12-05-cold"]


def test_a_notice_moved_out_of_the_notices_folder_is_named_and_never_published_as_it_is(sotong, empty_project_dir):
    """A notice dragged into the wrong folder: in content/images/ the build
    published the file as it was (/images/NAME.md, front matter and all: a
    private notice's whole text, which SPEC 16 keeps off the site); in
    content/ or content/banners/ it was skipped; check said OK each time."""
    content = empty_project_dir / "content"
    private = GOOD.replace("category: culture\n", "category: culture\nvisibility: private\naudiences: [seniors]\nchannels: [email]\n")
    assert "visibility: private" in private
    (content / "images" / "committee.md").write_text(private, encoding="utf-8")
    (content / "banners" / "winter.md").write_text(GOOD, encoding="utf-8")
    (content / "draft.md").write_text(GOOD, encoding="utf-8")
    (content / "README.md").write_text("공지 쓰는 법", encoding="utf-8")  # IGNORE_FILES: README*
    result = sotong(empty_project_dir, "build")
    not_read = "a notice here is not read; notices go in content/notices/ (pages in content/pages/): move it there"
    assert result.stderr.splitlines() == [
        "content/banners/winter.md:1: " + not_read,
        "content/draft.md:1: " + not_read,
        "content/images/committee.md:1: this folder's files are published as they are, so this notice would be too, "
        "front matter and all; notices go in content/notices/ (pages in content/pages/): move it there",
        "3 problems.",
    ]
    assert result.code == 1 and not (empty_project_dir / "output").exists()


def test_a_file_named_in_cp949_by_a_windows_zip_is_named_with_the_name_to_give_it(sotong, empty_project_dir):
    """Photos and notices zipped on Windows and unzipped on the server keep
    their CP949 names: check and build stopped with a UnicodeEncodeError
    traceback (the notice cache could not write the name)."""
    content = empty_project_dir / "content"
    (content / "images" / os.fsdecode("김장사진.svg".encode("cp949"))).write_bytes((content / "images" / "kimjang.svg").read_bytes())
    (content / "notices" / os.fsdecode("김장.md".encode("cp949"))).write_text(GOOD, encoding="utf-8")
    (content / "notices" / os.fsdecode("겨울".encode("cp949"))).mkdir()
    (content / "notices" / os.fsdecode("겨울".encode("cp949")) / "a.md").write_text(GOOD, encoding="utf-8")
    said = 'the name is not UTF-8 text (a zip made on Windows names files so); rename it to "{}"'

    def shown(name):  # as a terminal shows the bytes, which are not UTF-8
        return name.encode("cp949").decode("utf-8", "replace")
    for command in ("check", "build"):
        result = sotong(empty_project_dir, command)
        assert result.code == 1 and "Traceback" not in result.output, result.output
        assert result.stderr.splitlines() == [
            f"content/images/{shown('김장사진.svg')}:1: " + said.format("김장사진.svg"),
            f"content/notices/{shown('겨울')}:1: " + said.format("겨울"),
            f"content/notices/{shown('김장.md')}:1: " + said.format("김장.md"),
            "3 problems.",
        ]


NOT_DASHES = ("notice.md:{line}: the line \"{dashes}\" is not read as the '---' line around the front matter (a word "
              "processor turns --- into a dash, a Korean keyboard types ㅡ for -); write three hyphens alone on the line: ---")


@pytest.mark.parametrize("opening, closing, expected", [
    ("ㅡㅡㅡ", "ㅡㅡㅡ", NOT_DASHES.format(line=1, dashes="ㅡㅡㅡ")),  # a Korean keyboard left in Hangul
    ("—", "—", NOT_DASHES.format(line=1, dashes="—")),  # a word processor's dash
    ("－－－", "---", NOT_DASHES.format(line=1, dashes="－－－")),  # full-width mode
    ("- - -", "---", NOT_DASHES.format(line=1, dashes="- - -")),
    ("----", "----", NOT_DASHES.format(line=1, dashes="----")),
    ("---", "—", NOT_DASHES.format(line=6, dashes="—")),  # was: no closing '---', at line 1
    ("---", "ㅡㅡㅡ", NOT_DASHES.format(line=6, dashes="ㅡㅡㅡ")),
    ("\n\n---", "---", "notice.md:1: the file starts with 2 empty lines before its '---' line; delete them, so that --- "
                      "is the first line"),
])
def test_a_front_matter_line_that_is_not_three_hyphens_is_said_at_its_line(tmp_path, opening, closing, expected):
    """The '---' lines as staff type them: what a word processor or a Korean
    keyboard makes of ---, or empty lines before it. Each was "the file must
    start with a line '---'" (or "has no closing '---'") at line 1, beside a
    line that, to its writer, did."""
    head = GOOD.replace("---\n", opening + "\n", 1)
    text = head[:head.rindex("---\n")] + closing + "\n" + head[head.rindex("---\n") + 4:]
    assert only_problem(tmp_path, text) == expected
    assert read(tmp_path, GOOD)[1] == []


def test_a_picture_or_file_in_the_text_must_be_a_file_under_content_written_from_there(tmp_path):
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "poster.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (tmp_path / "images" / "my poster.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (tmp_path / "other.md").write_text(GOOD, encoding="utf-8")
    body = ("![포스터]({static}/images/poster.svg) [공지]({filename}other.md) [다른 공지](../kimjang/) "
            "[웹](https://www.sd.go.kr/a.pdf) [전화](tel:02-2286-5114) [위로](#top)\n"
            "![포스터](images/missing.jpg)\n"
            "[![포스터](images/poster.svg)](images/poster.svg)\n"
            '<img src="/images/gone.png" alt="그림"> [신청서]({static}/files/form.hwp)\n'
            "[없는 공지]({filename}gone.md) is Pelican's to say\n"
            "![바탕화면](C:\\Users\\kim\\poster.jpg) ![띄어 쓴 이름](<{static}/images/my poster.svg>) "
            '<img src="{static}/images/my poster.svg" alt="그림">\n')
    notice, problems = read(tmp_path, GOOD + body)
    missing = ('"{}" is not a file under content/; put the file there (e.g. in content/images/) and write its path '
               "from content/ after {{static}}, e.g. ![포스터]({{static}}/images/poster.jpg)")
    # a form linked, not shown: it was told to go in content/images/, written as a picture
    missing_file = '"{}" is not a file under content/; put the file in content/files/ and write {{static}}/files/form.hwp in its place'
    assert notice is None and [str(p) for p in problems] == [
        "notice.md:11: " + missing.format("images/missing.jpg"),
        'notice.md:12: "images/poster.svg" is not found from the page, which looks for it in its own folder; write '
        "the path from content/ after {static}: {static}/images/poster.svg",
        "notice.md:13: " + missing.format("/images/gone.png"),
        "notice.md:13: " + missing_file.format("{static}/files/form.hwp"),
        'notice.md:15: "C:\\Users\\kim\\poster.jpg" is a file on this computer, not in the project; copy it into '
        "content/images/ and write {static}/images/poster.jpg in its place",
    ]
    notice, problems = read(tmp_path, GOOD + body.split("\n")[0])
    assert problems == [] and notice is not None
    # text, not a reference's definition (an address and at most a title): was "12.12.(토" is not a file
    notice, problems = read(tmp_path, GOOD + "[일시]: 12.12.(토) 14:00\n[신청서]: {static}/files/form.hwp \"서식\"\n")
    assert [str(p) for p in problems] == ["notice.md:11: " + missing_file.format("{static}/files/form.hwp")]


def test_a_picture_of_the_text_written_without_its_folder_is_said_with_the_path_to_write(tmp_path):
    """![포스터](김장 포스터.svg), the file in content/images/: "is not a file
    under content/ ... e.g. ![포스터]({static}/images/poster.jpg)", a file
    that is not the one written."""
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "김장 포스터.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    notice, problems = read(tmp_path, GOOD + "![포스터](김장 포스터.svg) ![포스터]({static}/김장 포스터.svg)\n")
    said = '"{}" is not a file under content/: the file is content/images/김장 포스터.svg; write {{static}}/images/김장 포스터.svg'
    assert notice is None and [str(problem) for problem in problems] == [
        "notice.md:10: " + said.format("김장 포스터.svg"), "notice.md:10: " + said.format("{static}/김장 포스터.svg")]


def test_a_picture_or_file_written_in_code_is_no_file_of_the_page(tmp_path):
    """An example of how to write a picture or a file's link, shown in a
    code block or in backticks, is text the page shows as written: check
    said its file was missing (an error: the notice was not published) or
    its picture heavy. Those out of code are still said."""
    from sotong.body_files import static_files

    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "big.png").write_bytes(b"\x89PNG" + bytes(1_100_000))
    examples = '![포스터](images/poster.jpg) [신청서]({static}/files/form.hwp) <img src="gone.png" alt="그림">'
    code = (f"```\n{examples}\n![큰 그림]({{static}}/images/big.png)\n```\n\n~~~\n[1]: {{static}}/files/gone.pdf\n~~~\n\n"
            f"예: `{examples}` ``![큰 그림]({{static}}/images/big.png)``\n\n    {examples}\n")
    notice, problems = read(tmp_path, GOOD + code)
    assert problems == [] and notice is not None
    assert static_files(notice.body, notice.body_line, tmp_path / "notice.md", tmp_path).pictures == []
    notice, problems = read(tmp_path, GOOD + code + "\n![큰 그림]({static}/images/big.png) `코드` ![포스터](images/poster.jpg)\n")
    assert [(problem.line, problem.message.split(";")[0]) for problem in problems] == [
        (23, '"images/poster.jpg" is not a file under content/')]


def test_a_picture_whose_file_name_has_blanks_is_read_as_markdown_reads_it(tmp_path):
    """Windows names pictures "사진 1.PNG" and staff write them as they are:
    Markdown reads the target up to its closing bracket, blanks and all (less
    a "title"), and so shows the picture; check read it up to the first blank
    and said that "{static}/images/김장" was missing."""
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "김장 포스터 1.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    shown = ('![포스터]({static}/images/김장 포스터 1.svg) ![포스터]( {static}/images/김장 포스터 1.svg "김장 (11/20)" ) '
             '[신청서 (한글)]({static}/images/김장 포스터 1.svg)\n')
    notice, problems = read(tmp_path, GOOD + shown)
    assert problems == [] and notice is not None
    notice, problems = read(tmp_path, GOOD + "![포스터]({static}/images/김장 포스터 2.svg '포스터')\n")
    assert [str(p) for p in problems] == [
        'notice.md:10: "{static}/images/김장 포스터 2.svg" is not a file under content/; put the file there (e.g. in '
        "content/images/) and write its path from content/ after {static}, e.g. ![포스터]({static}/images/poster.jpg)"]


def test_a_file_named_with_character_references_or_escapes_is_found_as_the_page_finds_it(sotong, empty_project_dir):
    """A picture or file linked with its name's blank written &#32; or %20,
    or its & written &amp;, shows on the page (the browser and Pelican read
    the references): check said it was "not a file under content/" and the
    build stopped. A file that is truly missing is named as the page reads
    it, its references and %20 read."""
    content = empty_project_dir / "content"
    svg = "<svg xmlns='http://www.w3.org/2000/svg'/>"
    for name in ("김장 포스터.svg", "a&b.svg"):
        (content / "images" / name).write_text(svg, encoding="utf-8")
    (content / "files").mkdir(exist_ok=True)
    (content / "files" / "신청서 양식.pdf").write_bytes(b"%PDF-1.4\n")  # an HWP alone is warned of
    head = "---\ntitle: 김장 나눔\ndate: 2026-11-20\ndepartment: 복지정책과\ncategory: living\n---\n"
    notice = content / "notices" / "kimjang.md"
    notice.write_text(head + "김장 나눔 행사를 엽니다.\n\n"
                      "![포스터]({static}/images/김장&#32;포스터.svg) ![포스터]({static}/images/김장%20포스터.svg)\n"
                      "![포스터]({static}/images/a&amp;b.svg) ![포스터]({static}/images/a&b.svg)\n"
                      '<img src="{static}/images/a&amp;b.svg" alt="포스터"> <img src="{static}/images/김장&#x20;포스터.svg" alt="포스터">\n'
                      "[신청서]({static}/files/신청서&#32;양식.pdf) [신청서][1]\n\n[1]: {static}/files/신청서%20양식.pdf\n",
                      encoding="utf-8")
    result = sotong(empty_project_dir, "build")
    assert result.code == 0 and result.stderr == "", result.output  # not Pelican's "Cannot get modification stamp for .../a&amp"
    page = lxml.html.parse(str(empty_project_dir / "output" / "notices" / "kimjang" / "index.html")).getroot()
    linked = [element.get("src") or element.get("href") for element in page.iter("img", "a")
              if "/images/" in (element.get("src") or "") or "/files/" in (element.get("href") or "")]
    assert len(linked) == 8 and all((empty_project_dir / "output" / unquote(url).lstrip("/")).is_file() for url in linked), linked
    notice.write_text(head + "![포스터]({static}/images/없는&#32;포스터.svg)\n[신청서]({static}/files/신청서&amp;양식%20원본.hwp)\n",
                      encoding="utf-8")
    result = sotong(empty_project_dir, "check")
    missing = ('content/notices/kimjang.md:{line}: "{target}" is not a file under content/; put the file there (e.g. in '
               "content/images/) and write its path from content/ after {{static}}, e.g. ![포스터]({{static}}/images/poster.jpg)")
    assert result.code == 1 and result.stderr.splitlines() == [
        missing.format(line=7, target="{static}/images/없는 포스터.svg"),
        'content/notices/kimjang.md:8: "{static}/files/신청서&양식 원본.hwp" is not a file under content/; put the file in '
        "content/files/ and write {static}/files/신청서&양식 원본.hwp in its place", "2 problems."], result.output


def test_a_build_with_a_missing_picture_in_a_page_stops_at_check(sotong, empty_project_dir):
    about = empty_project_dir / "content" / "pages" / "about.md"
    about.write_text("---\ntitle: 소개\n---\n소개합니다.\n\n![구청 전경]({static}/images/office.jpg)\n", encoding="utf-8")
    result = sotong(empty_project_dir, "build")
    assert result.code == 1 and result.stderr.startswith(
        'content/pages/about.md:6: "{static}/images/office.jpg" is not a file under content/'), result.output
    assert "Traceback" not in result.output and not (empty_project_dir / "output").exists()


def test_a_picture_without_words_in_a_page_is_warned_at_its_line(sotong, empty_project_dir):
    """Pages (content/pages/) get the warning notices get: the office's 소개
    page with a photo written ![](...) said nothing of it."""
    (empty_project_dir / "content" / "images").mkdir(exist_ok=True)
    (empty_project_dir / "content" / "images" / "office.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    about = empty_project_dir / "content" / "pages" / "about.md"
    about.write_text("---\ntitle: 소개\n---\n소개합니다.\n\n![]({static}/images/office.svg)\n", encoding="utf-8")
    result = sotong(empty_project_dir, "check")
    assert result.code == 0, result.output
    assert ("content/pages/about.md:6: warning: the picture {static}/images/office.svg says in no words what it shows"
            in result.output)


def test_a_filename_link_to_no_file_is_named_with_what_to_write_instead(project_dir, sotong):
    """It passed check; Pelican only warned, in English in the build's log,
    and left the link as written: residents saw {filename}... on the page."""
    festival = project_dir / "content" / "notices" / "2026-11-16-winter-festival.md"
    text = festival.read_text(encoding="utf-8")
    festival.write_text(text + "\n[김장]({filename}2026-11-05-kimjang-sharin.md) [소개]({filename}/pages/abut.md#top)\n"
                        "[공지]({filename}/notices/zzzz.md) [있는 공지]({filename}2026-11-05-kimjang-sharing.md)\n",
                        encoding="utf-8")
    privacy = project_dir / "content" / "pages" / "privacy.md"
    page = privacy.read_text(encoding="utf-8")
    privacy.write_text(page + '\n<a href="{filename}../notices/2026-11-16-winter-festivl.md">소식</a>\n', encoding="utf-8")
    line, page_line = len(text.split("\n")) + 1, len(page.split("\n")) + 1
    said = '"{}" links no file (there is no content/{}), so the page would show the link as written; '
    assert sorted(str(p) for p in check_project(Project(project_dir / "pelicanconf.py"))) == [
        f"content/notices/{festival.name}:{line}: " + said.format("{filename}/pages/abut.md#top", "pages/abut.md")
        + 'write "{filename}/pages/about.md#top"',
        f"content/notices/{festival.name}:{line}: " + said.format(
            "{filename}2026-11-05-kimjang-sharin.md", "notices/2026-11-05-kimjang-sharin.md")
        + 'write "{filename}2026-11-05-kimjang-sharing.md"',
        f"content/notices/{festival.name}:{line + 1}: " + said.format("{filename}/notices/zzzz.md", "notices/zzzz.md")
        + "write {filename} and the path of a notice or page from content/, e.g. {filename}/notices/FILE.md",
        f"content/pages/privacy.md:{page_line}: " + said.format(
            "{filename}../notices/2026-11-16-winter-festivl.md", "notices/2026-11-16-winter-festivl.md")
        + 'write "{filename}../notices/2026-11-16-winter-festival.md"',
    ]
    built = sotong(project_dir, "build")
    assert built.code == 1 and "kimjang-sharin.md" in built.stderr and not (project_dir / "output").exists()


def test_a_filename_link_to_no_file_is_never_told_to_link_its_own_file(project_dir):
    """The staff guide's example, [김장]({filename}2026-11-20-김장-나눔.md),
    written in a notice whose own name was the nearest: check told it to
    link itself ("write {filename}2026-11-20-gimjang.md")."""
    own = project_dir / "content" / "notices" / "2026-11-20-gimjang.md"
    own.write_text("---\ntitle: 김장\ndate: 2026-11-20\ndepartment: 복지정책과\ncategory: living\n---\n\n"
                   "[김장]({filename}2026-11-20-김장-나눔.md)\n", encoding="utf-8")
    said = [str(p) for p in check_project(Project(project_dir / "pelicanconf.py"))]
    assert len(said) == 1 and said[0].startswith("content/notices/2026-11-20-gimjang.md:8: "), said
    assert 'write "{filename}2026-11-20-gimjang.md"' not in said[0], said


def test_a_filename_link_out_of_content_is_named_though_the_file_exists(project_dir):
    """Pelican links only the files it reads under content/: a link to the
    settings file passed check, and the page showed {filename}/../... as written."""
    festival = project_dir / "content" / "notices" / "2026-11-16-winter-festival.md"
    text = festival.read_text(encoding="utf-8")
    festival.write_text(text + "\n[설정]({filename}/../pelicanconf.py)\n", encoding="utf-8")
    assert [str(p) for p in check_project(Project(project_dir / "pelicanconf.py"))] == [
        f"content/notices/{festival.name}:{len(text.split(chr(10))) + 1}: "
        '"{filename}/../pelicanconf.py" links pelicanconf.py, a file outside content/ that is not on the site, so the page '
        "would show the link as written; write {filename} and the path of a notice or page from content/, e.g. "
        "{filename}/notices/FILE.md"]


@pytest.mark.parametrize("old, new, line, expected", [
    ("category: culture", "category： culture", 5,
     "the colon after category is a full-width colon (：); write an ordinary colon and a space: category: culture"),
    ('title: "성동구', 'title："성동구', 2, 'full-width colon (：); write an ordinary colon and a space: title: "성동구: '),
    ("category: culture", "category:\u3000culture", 5,
     "a full-width space (U+3000) follows category:; write an ordinary space: category: culture"),
    ("category: culture", "event:\n\u3000start: 2026-11-20", 6,
     "this line is indented with a full-width space (U+3000); indent with ordinary spaces"),
])
def test_a_full_width_colon_or_space_is_named_on_its_own_line(tmp_path, old, new, line, expected):
    message = only_problem(tmp_path, GOOD.replace(old, new))
    assert message.startswith(f"notice.md:{line}: ") and expected in message, message


def test_a_full_width_colon_in_a_value_is_text(tmp_path):
    notice, problems = read(tmp_path, GOOD.replace('title: "성동구: 겨울철 한파 대비 안내"', "title: 성동구： 겨울철 한파 대비 안내"))
    assert problems == [] and notice.title == "성동구： 겨울철 한파 대비 안내"


DIRECTION_MESSAGE = ("the text holds an invisible direction control character (U+{code}), which shows the text after "
                     "it backwards on web pages and in emails, beside other words too (a notice's date and department); delete "
                     "it (copying from another program often brings one along)")


@pytest.mark.parametrize("old, new, line, code", [
    ('title: "성동구: 겨울철 한파 대비 안내"', 'title: "한파 \u202e대비 안내"', 2, "202E"),  # a right-to-left override
    ("category: culture", 'category: culture\nsummary: "요약 \u202b끝"', 6, "202B"),
    ("category: culture", 'category: culture\nimage: poster.svg\nimage_alt: "포스터 \u2067끝"', 7, "2067"),  # an isolate
    ("category: culture", 'category: culture\nevent: {start: 2026-11-20, place: "구청 \u202d광장"}', 6, "202D"),
    ("둘째 문단.", "둘째 \u2066문단.", 9, "2066"),
])
def test_a_direction_control_character_is_named_by_its_line(tmp_path, old, new, line, code):
    """Left open in a title, it turned the date and department after the title
    in the homepage's lists backwards ("월21 년6202"), and the link after an X post's text."""
    (tmp_path / "poster.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    assert only_problem(tmp_path, GOOD.replace(old, new)) == f"notice.md:{line}: " + DIRECTION_MESSAGE.format(code=code)


REFERENCE_MESSAGES = {
    "direction": ("the text writes {reference}, the code of an invisible direction control character (U+{code}), which "
                  "shows the text after it backwards on web pages and in emails, beside other words too (a notice's date "
                  "and department); delete it"),
    "control": "the text writes {reference}, the code of the control character U+{code}, which web pages and feeds cannot carry; delete it",
}


@pytest.mark.parametrize("old, new, line, kind, reference, code", [
    ("둘째 문단.", "둘째 &#x202E;문단. 2026년 11월 20일", 9, "direction", "&#x202E;", "202E"),  # the page showed it as U+202E
    ("둘째 문단.", "둘째 &#8295;문단.", 9, "direction", "&#8295;", "2067"),
    ("둘째 문단.", "<span>둘째 &#x202b</span>", 9, "direction", "&#x202b", "202B"),  # raw HTML reads it without ";"
    ("첫 문단은", "&#x1; 첫 문단은", 7, "control", "&#x1;", "0001"),  # the build failed on its feeds, naming no file
    ("category: culture", 'category: culture\nsummary: "요약 &#xFFFE; 끝"', 6, "control", "&#xFFFE;", "FFFE"),
])
def test_a_character_reference_to_a_control_or_direction_character_is_named_by_its_line(tmp_path, old, new, line, kind,
                                                                                      reference, code):
    """Markdown passes ``&#x202E;`` on and the sanitizer writes the character
    itself into the page: the rules on control and direction characters,
    gone round by writing their codes."""
    assert only_problem(tmp_path, GOOD.replace(old, new)) == f"notice.md:{line}: " + REFERENCE_MESSAGES[kind].format(
        reference=reference, code=code)


def test_other_character_references_are_kept(tmp_path):
    """&#x200E; (the left-to-right mark, which changes nothing in Korean text), &#9742; (☎), an escaped & before
    #x202E; and a number past Unicode are no problem."""
    notice, problems = read(tmp_path, GOOD.replace("둘째 문단.", "둘째 &#x200E;문단 &#9742; &#38;#x202E; &#99999999;"))
    assert problems == [] and notice is not None


NESTED = {
    "blocks": ("quotes (>) or list items are nested {depth} levels deep here, past 10, which takes the build minutes to "
               "read and is a word a line on a phone; use at most 10 levels"),
    "brackets": ('more than 10 brackets ("[", "<" or a link\'s "(") are open at once here, which takes the build minutes '
                 'to read; close each one ("[" with "]", "<" with ">", a link\'s "(" with ")"), or write \\[ or &lt; '
                 "for one shown as it is"),
    "html": ("more than 50 HTML elements are open inside one another here, which takes the build minutes to read; close "
             "each one (</div>) or write the text in Markdown"),
}


@pytest.mark.parametrize("body, line, kind, depth", [
    ("".join("    " * level + "- 항목\n" for level in range(12)), 17, "blocks", 11),  # 400 deep: "Could not process", in English
    ("".join("   " * level + "1. 항목\n" for level in range(16)), 21, "blocks", 11),  # three spaces: a level every four
    ("".join(">" * level + " 줄\n" for level in range(1, 14)), 17, "blocks", 11),  # 3,000 of these took 89 s and 4.7 GB
    ("> > > > > > > > > > > > 인용\n", 7, "blocks", 12),
    ("머리말\n\n" + "[" * 11 + "가" + "]" * 11 + "\n", 9, "brackets", None),  # 50,000 never ended
    ("[a](" * 6 + "\n" + "[a](" * 6 + "\n", 8, "brackets", None),  # over two lines of one paragraph
    ("<http://" * 11 + "\n", 7, "brackets", None),  # 16,000: 44 s
    ("<div>" * 51 + "가" + "</div>" * 51 + "\n", 7, "html", None),  # 50,000: 50 s
])
def test_a_text_nested_past_what_the_build_reads_in_time_is_named_by_its_line(tmp_path, body, line, kind, depth):
    text = GOOD.split("첫 문단은")[0] + body
    assert only_problem(tmp_path, text) == f"notice.md:{line}: " + NESTED[kind].format(depth=depth)


def test_nesting_up_to_the_limits_and_brackets_closed_in_between_are_kept(tmp_path):
    body = ("".join("    " * level + "- 항목\n" for level in range(10)) + "\n" + ("[" * 10 + "가" + "]" * 10 + " ") * 50
            + "\n\n" + "[" * 6 + "\n\n" + "[" * 6 + " <김장 축제> a < b \\[" * 3 + "\n\n" + "<div>" * 50 + "</div>" * 50
            + "\n" + "<p>" * 80 + "<br>" * 80 + "\n")
    notice, problems = read(tmp_path, GOOD.split("첫 문단은")[0] + body)
    assert problems == [] and notice is not None


def test_a_build_of_a_text_nested_past_the_limits_stops_at_check_in_moments(sotong, empty_project_dir):
    """A list 400 deep failed the build with "Could not process ...", in
    English, naming no line; 50,000 brackets never ended."""
    notices = empty_project_dir / "content" / "notices"
    (notices / "deep.md").write_text(GOOD + "".join("    " * level + "- 항목\n" for level in range(400)), encoding="utf-8")
    (notices / "brackets.md").write_text(GOOD + "[" * 50000 + "\n", encoding="utf-8")
    started = time.monotonic()
    result = sotong(empty_project_dir, "build")
    assert result.code == 1 and time.monotonic() - started < 30
    assert result.stderr.splitlines() == ["content/notices/brackets.md:10: " + NESTED["brackets"],
                                          "content/notices/deep.md:20: " + NESTED["blocks"].format(depth=11), "2 problems."]
    assert "Traceback" not in result.output and not (empty_project_dir / "output").exists()


TOO_LONG = ("the file is {size} MB, over the 1 MB a notice's or page's text may be (a longer one takes the build "
            "minutes and a gigabyte of memory); put the long material in an attached file (a PDF or HWP) and link it "
            "from the text")


def test_a_notice_of_up_to_a_million_bytes_is_read_and_one_more_is_named_at_line_1(tmp_path):
    """A 50 MB notice built, in two minutes and a gigabyte of memory."""
    filler = "가나다라마바사아자차카타파하 " * 30 + "\n\n"  # 421 bytes a paragraph
    text = GOOD + filler * ((1_000_000 - len(GOOD.encode())) // len(filler.encode()))
    text += "x" * (1_000_000 - len(text.encode()))
    notice, problems = read(tmp_path, text)
    assert problems == [] and notice is not None and (tmp_path / "notice.md").stat().st_size == 1_000_000
    assert only_problem(tmp_path, text + "x") == "notice.md:1: " + TOO_LONG.format(size="1.1")


def test_a_huge_notice_or_page_is_named_by_its_size_without_being_read(sotong, empty_project_dir):
    """Its size is read from the disk: a 4 GB file (sparse, so that no test
    writes 4 GB) is named at once, as a 4 MB one is, and the build stops
    before Pelican, with output/ as it was."""
    content = empty_project_dir / "content"
    before = built_with_a_good_notice(sotong, empty_project_dir)
    with open(content / "notices" / "huge.md", "wb") as huge:
        huge.truncate(4_000_000_000)
    (content / "pages" / "long.md").write_text("---\ntitle: 긴 쪽\n---\n" + "가" * 1_500_000, encoding="utf-8")
    started = time.monotonic()
    result = sotong(empty_project_dir, "build")
    assert result.code == 1 and time.monotonic() - started < 30
    assert result.stderr.splitlines() == ["content/notices/huge.md:1: " + TOO_LONG.format(size="4000.0"),
                                          "content/pages/long.md:1: " + TOO_LONG.format(size="4.6"), "2 problems."]
    assert sorted(path.name for path in (empty_project_dir / "output").iterdir()) == before
    korean = sotong(empty_project_dir, "check", env={"SOTONG_LANG": "ko"})
    assert korean.code == 1 and korean.stderr.splitlines()[1].startswith("content/pages/long.md:1: 파일 크기가 4.6 MB로, ")


UNREADABLE_ADDRESS = ('the link "{target}" cannot be read as an address (the server\'s name after "//" is broken: a "[" '
                      "never closed); write the path of a file from content/ after {{filename}}, e.g. "
                      "{{filename}}/notices/FILE.md, or a full address (https://...)")


def built_with_a_good_notice(sotong, project) -> list[str]:
    """``project`` built with one good notice: the names in its output/."""
    (project / "content" / "notices" / "good.md").write_text(GOOD, encoding="utf-8")
    assert sotong(project, "build").code == 0
    return sorted(path.name for path in (project / "output").iterdir())


def test_a_pelican_link_whose_address_python_cannot_read_is_named_by_its_line(sotong, empty_project_dir):
    """"{filename}//[x" stopped check with a traceback (urlsplit's "Invalid
    IPv6 URL"), and "{index}//[x" the build with "build failed, output/ left
    as it was: ValueError: Invalid IPv6 URL", naming no file."""
    content = empty_project_dir / "content"
    before = built_with_a_good_notice(sotong, empty_project_dir)
    (content / "notices" / "links.md").write_text(
        GOOD + "[목록]({index}//[x) 과 [공지]({filename}//[x/a.md)\n\n<img src=\"{index}//[y\" alt=\"그림\"> [옛 꼴](|tag|//[w)\n",
        encoding="utf-8")
    (content / "pages" / "tag.md").write_text("---\ntitle: 쪽\n---\n본문\n\n<a href=\"{tag}//[z\">태그</a>\n",
                                              encoding="utf-8")
    result = sotong(empty_project_dir, "build")
    assert result.code == 1 and "Traceback" not in result.output
    assert result.stderr.splitlines() == [
        "content/notices/links.md:10: " + UNREADABLE_ADDRESS.format(target="{filename}//[x/a.md"),
        "content/notices/links.md:10: " + UNREADABLE_ADDRESS.format(target="{index}//[x"),
        "content/notices/links.md:12: " + UNREADABLE_ADDRESS.format(target="{index}//[y"),
        "content/notices/links.md:12: " + UNREADABLE_ADDRESS.format(target="|tag|//[w"),
        "content/pages/tag.md:6: " + UNREADABLE_ADDRESS.format(target="{tag}//[z"), "5 problems."]
    assert sorted(path.name for path in (empty_project_dir / "output").iterdir()) == before


def test_a_pelican_link_found_only_in_the_rendered_text_is_named_at_its_line(sotong, empty_project_dir):
    """A "[" written as its code ("{index}//&#91;x"), an address on the line
    below its link's words, and the same link in a draft: check read the
    text as written and passed them, and the build stopped with "ValueError:
    Invalid IPv6 URL", naming no file (a draft's too: Pelican reads its links
    to leave its files out of the site). check reads them, as Pelican does,
    in the text rendered."""
    content = empty_project_dir / "content"
    before = built_with_a_good_notice(sotong, empty_project_dir)
    (content / "notices" / "coded.md").write_text(
        GOOD + "[목록]({index}//&#91;x) 보기\n\n<img src=\"{tag}//&#x5B;y\" alt=\"그림\">\n\n[공지](\n{category}//[z)\n",
        encoding="utf-8")
    (content / "notices" / "draft.md").write_text(
        GOOD.replace("category: culture", "category: culture\nstatus: draft") + "[옛 꼴](|tag|//[w)\n", encoding="utf-8")
    for command in ("check", "build"):
        result = sotong(empty_project_dir, command)
        assert result.code == 1 and "Traceback" not in result.output
        assert result.stderr.splitlines() == [
            "content/notices/coded.md:10: " + UNREADABLE_ADDRESS.format(target="{index}//[x"),
            "content/notices/coded.md:12: " + UNREADABLE_ADDRESS.format(target="{tag}//[y"),
            "content/notices/coded.md:15: " + UNREADABLE_ADDRESS.format(target="{category}//[z"),
            "content/notices/draft.md:11: " + UNREADABLE_ADDRESS.format(target="|tag|//[w"), "4 problems."], command
    assert sorted(path.name for path in (empty_project_dir / "output").iterdir()) == before


def test_the_left_to_right_mark_is_kept(tmp_path):
    """The left-to-right mark (U+200E) opens nothing and turns nothing round in Korean text: it stays."""
    notice, problems = read(tmp_path, GOOD.replace("대비 안내", "대비\u200e 안내\u200e"))
    assert problems == [] and notice.title == "성동구: 겨울철 한파 대비\u200e 안내\u200e"


@pytest.mark.parametrize("old, new, line, code", [
    ('title: "성동구: 겨울철 한파 대비 안내"', 'title: "겨울 행사 \u200f11. 20.(금) 개최"', 2, "200F"),
    ("둘째 문단.", "참가비 \u200f5 000원", 9, "200F"),
    ("둘째 문단.", "접수 \u061c11. 20.", 9, "061C"),  # the Arabic letter mark
])
def test_a_right_to_left_mark_is_named_by_its_line(tmp_path, old, new, line, code):
    """Opening nothing, it still turned the numbers after it round: Chromium
    showed "\u200f11. 20.(금)" as "20 .11.(금)" and "5 000원" as "000 5원"."""
    assert only_problem(tmp_path, GOOD.replace(old, new)) == f"notice.md:{line}: " + DIRECTION_MESSAGE.format(code=code)


@pytest.mark.parametrize("old, new, line, code", [
    ('title: "성동구: 겨울철 한파 대비 안내"', r'title: "C:\board 안내"', 2, "0008"),  # "\b": a backspace
    ("category: culture", r'category: culture' + '\n' + r'summary: "요약 \0 끝"', 6, "0000"),
    ("category: culture", r'category: culture' + '\n' + r'event: {start: 2026-11-20, place: "구청 \e광장"}', 6, "001B"),
    ("category: culture", r'category: culture' + '\n' + r'sms: "알림 \uFFFE"', 6, "FFFE"),
])
def test_a_control_character_written_as_an_escape_is_named_by_its_line(tmp_path, old, new, line, code):
    """YAML writes one for a backslash in double quotes; the build then failed on
    its feeds with "UnserializableContentError: Control characters are not
    supported in XML 1.0", naming no file."""
    notice, problems = read(tmp_path, GOOD.replace(old, new))
    assert notice is None
    assert f"notice.md:{line}: the value holds the control character U+{code}, which web pages and feeds cannot " \
           r"carry; in double quotes a backslash writes one (\0, \a, \b, \e): put the value in single quotes, or " \
           "delete the backslash" in [str(problem) for problem in problems]


def test_a_backslash_in_single_quotes_is_kept(tmp_path):
    notice, problems = read(tmp_path, GOOD.replace('"성동구: 겨울철 한파 대비 안내"', r"'C:\board 안내'"))
    assert problems == [] and notice.title == r"C:\board 안내"


@pytest.mark.parametrize("written, named", [
    ("한파\u200b대피소 운영", "U+200B"),  # a zero-width space, from a web page
    ("한파 대피소 ☎\ufe0f 운영", "U+FE0F"),  # ☎ is in CP949; the emoji picker's variation selector after it is not
    ("\ufeff한파 대피소 운영", "U+FEFF"),
    ("한파 대피\u00ad소 운영", "U+00AD"),  # a soft hyphen: in CP949, yet shown as nothing or a stray hyphen, 2 bytes
    ("한파 🥶 대피소", "🥶"),  # a visible one is shown as it is
    ("한파\u3164대피소", "U+3164"),  # a Hangul filler (ㅤ): in CP949, yet shown as nothing, 2 bytes
    ("한파\uffa0대피소", "U+FFA0"),  # its half-width form: not in CP949, a letter that shows as nothing
])
def test_a_character_phones_cannot_show_is_named_by_its_code_when_it_is_invisible(tmp_path, written, named):
    """The message quoted the character itself: staff read 'has ""' and
    found nothing to delete."""
    message = only_problem(tmp_path, with_line(f'channels: [homepage, sms]\nsms: "{written}"'))
    assert message.startswith("notice.md:7: ") and f'the SMS text has "{named}", which phones cannot show' in message


@pytest.mark.parametrize("key, written, expected", [
    ("sms", "• 한파 대피소 운영 — 11/26~", 'the SMS text has "• —", which phones cannot show in a text message; '
     'write it as  sms: "· 한파 대피소 운영 - 11/26~"'),
    ("sms", '[긴급] 한파 – "대피소"', 'write it as  sms: "[긴급] 한파 - \\"대피소\\""'),
    ("title", "한파 대피소 운영 – 11/26", 'the title is the SMS text (there is no sms: line) and has "–", which phones '
     'cannot show in a text message; add the line  sms: "한파 대피소 운영 - 11/26"'),
    # an emoji or a symbol phones cannot show is left out of the line to write; every one is named at once
    ("sms", "한파 🥶 대피소 — 운영", 'the SMS text has "🥶 —", which phones cannot show in a text message; '
     'write it as  sms: "한파 대피소 - 운영"'),
    ("title", "🎉 김장 나눔 ✅ 신청 ➡ 접수 🎉", 'the title is the SMS text (there is no sms: line) and has "🎉 ✅ ➡", '
     'which phones cannot show in a text message; add the line  sms: "김장 나눔 신청 접수"'),
    ("sms", "👨\u200d👩\u200d👧 가족 🇰🇷 ‼ 12월 ㉑일 ₩1,000", 'has "👨 U+200D 👩 👧 🇰 🇷 ‼ ㉑ ₩", which phones cannot '
     'show in a text message; write it as  sms: "가족 !! 12월 21일 ￦1,000"'),
    ("sms", "𠀀 한파 🥶 대피소", 'has "𠀀 🥶", which phones cannot show in a text message; remove it or use plain '
     'Korean'),  # a letter (a Hanja outside CP949) has no stand-in: only its writer knows the word
    ("title", "🎉🎉", "add a line such as  sms: 김장 나눔 자원봉사자 모집  in plain Korean"),  # nothing would be left
    ("title", "한파\u200b대피소 ☎\ufe0f 운영", 'has "U+200B U+FE0F", which phones cannot show in a text message; '
     'add the line  sms: "한파대피소 ☎ 운영"'),  # invisible ones pasted from a web page or an emoji picker: gone
    ("sms", "한파 대피\u00ad소 운영", 'the SMS text has "U+00AD", which phones cannot show in a text message; '
     'write it as  sms: "한파 대피소 운영"'),  # a soft hyphen from a word processor: gone
    ("sms", "한파\u3164대피소 운영", 'the SMS text has "U+3164", which phones cannot show in a text message; '
     'write it as  sms: "한파 대피소 운영"'),  # a Hangul filler, pasted as a blank: a blank
])
def test_a_bullet_or_dash_from_a_word_processor_is_answered_with_the_line_to_write(tmp_path, key, written, expected):
    """A bullet (•) or a dash (—, –) from Word or Hangul is not in CP949;
    "remove it or use plain Korean" left staff to guess what to type."""
    extra = "channels: [homepage, sms]" + (f"\nsms: '{written}'" if key == "sms" else "")
    text = with_line(extra)
    if key == "title":
        text = text.replace('title: "성동구: 겨울철 한파 대비 안내"', f'title: "{written}"')
    message = only_problem(tmp_path, text)
    assert message.startswith(f"notice.md:{7 if key == 'sms' else 2}: ") and expected in message, message
    if "write it as  " in message or "add the line  " in message:
        line = message.split("  ", 1)[1]
        fixed = with_line(f"channels: [homepage, sms]\n{line}")
        notice, problems = read(tmp_path, fixed)
        assert problems == [] and notice.sms == json.loads(line.split(": ", 1)[1])  # the line given reads back


def test_a_picture_that_says_nothing_of_what_it_shows_is_warned_at_its_line(tmp_path):
    """A notice that was only a poster written ![]({static}/...) passed check
    (Pelican warned in English, with no line): a resident whose screen reader
    reads the page, or whose phone loads no pictures, met a title and nothing.
    A warning, as alt="" is how HTML marks a picture that only decorates."""
    from sotong.advice import notice_warnings

    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "poster.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    body = ("![포스터]({static}/images/poster.svg) [![포스터]({static}/images/poster.svg)]({static}/images/poster.svg)\n"
            "![ ]({static}/images/poster.svg)\n"
            '<img src="{static}/images/poster.svg" alt=""> <img alt="포스터" src="{static}/images/poster.svg">\n'
            "<img src='{static}/images/poster.svg'>\n")
    notice, problems = read(tmp_path, GOOD + body)
    markdown = ("warning: the picture {{static}}/images/poster.svg says in no words what it shows, so those who cannot see "
                "it read nothing; write it between [ and ], e.g. ![겨울 축제 포스터: 12월 20일 서울숲 광장]({{static}}/images/poster.svg)")
    html = ('warning: the picture {{static}}/images/poster.svg says in no words what it shows, so those who cannot see it '
            'read nothing; write it as alt="...", e.g. <img src="{{static}}/images/poster.svg" alt="겨울 축제 포스터: 12월 20일 서울숲 광장">')
    pictures = lambda notice: [warning for warning in notice_warnings(notice, "notice.md") if "the picture" in warning]  # noqa: E731
    assert problems == [] and pictures(notice) == [
        "notice.md:11: " + markdown.format(), "notice.md:12: " + html.format(), "notice.md:13: " + html.format()]
    notice, problems = read(tmp_path, GOOD + body.split("\n")[0])
    assert problems == [] and notice is not None and pictures(notice) == []


def test_a_page_template_that_does_not_exist_is_named_at_its_line(sotong, cli, empty_project_dir):
    """A page's ``template: landing`` passed check; build stopped with
    Pelican's "PelicanTemplateNotFound: [templates] unable to load
    landing[.html] from [...]", naming no file or line."""
    about = empty_project_dir / "content" / "pages" / "about.md"
    about.write_text("---\ntitle: 소개\ntemplate: landing\n---\n소개합니다.\n", encoding="utf-8")
    result = sotong(empty_project_dir, "build", env={"SOTONG_LANG": "ko"})
    assert result.code == 1 and "Traceback" not in result.output, result.output
    assert result.stderr.splitlines() == [
        'content/pages/about.md:3: 템플릿 "landing"이(가) 없습니다. 페이지에 쓸 수 있는 템플릿: page. 이 중 하나를 '
        "쓰거나, template: 줄을 지워 기본 템플릿(page)을 쓰세요"], result.output
    assert not (empty_project_dir / "output").exists()
    about.write_text("---\ntitle: 소개\ntemplate: pag\n---\n소개합니다.\n", encoding="utf-8")
    assert 'content/pages/about.md:3: the template "pag" does not exist; did you mean "page"?' in cli(
        empty_project_dir, "check").output
    for written in ("page", '"!simple/page"', '"!theme/page"'):  # what Pelican finds, as it finds it
        about.write_text(f"---\ntitle: 소개\ntemplate: {written}\n---\n소개합니다.\n", encoding="utf-8")
        assert cli(empty_project_dir, "check").code == 0, written


def test_a_korean_file_name_typed_on_a_mac_gives_the_address_typed_elsewhere(cli, empty_project_dir):
    """A Mac names files with Hangul decomposed (NFD): 축제.md gave its
    page the address notices/2026-11-21-축제/ in jamo, which is not the
    address the office types (NFC) or links to, and a web server holding
    the folder answered that one 404."""
    notices = empty_project_dir / "content" / "notices"
    festival = GOOD.replace("date: 2026-11-05 14:00", "date: 2026-11-20")
    (notices / unicodedata.normalize("NFD", "2026-11-20-축제.md")).write_text(festival, encoding="utf-8")
    (notices / "2026-11-20-two.md").write_text(festival.replace("category: culture", "category: culture\nslug: "
                                                + unicodedata.normalize("NFD", "공연")), encoding="utf-8")
    assert sorted(os.listdir(notices)) != sorted(unicodedata.normalize("NFC", name) for name in os.listdir(notices))
    built = cli(empty_project_dir, "build")
    assert built.code == 0, built.output
    assert {"2026-11-20-축제", "공연"} <= set(os.listdir(empty_project_dir / "output" / "notices"))
    index = (empty_project_dir / "output" / "index.html").read_text(encoding="utf-8")
    assert 'href="/notices/2026-11-20-축제/"' in index and 'href="/notices/공연/"' in index
    assert unicodedata.normalize("NFD", "축제") not in index and unicodedata.normalize("NFD", "공연") not in index


def test_two_files_of_one_name_stored_in_two_forms_are_said_to_be_one_notice_twice(cli, empty_project_dir):
    """2026-12-10-김장.md copied from a Mac beside the one saved on Windows:
    check said "slug 2026-12-10-김장 is already used by 2026-12-10-김장.md",
    a file of the same name to every eye, and to give it its own slug."""
    notices = empty_project_dir / "content" / "notices"
    (notices / "2026-12-10-김장.md").write_text(GOOD, encoding="utf-8")
    (notices / unicodedata.normalize("NFD", "2026-12-10-김장.md")).write_text(GOOD, encoding="utf-8")
    result = cli(empty_project_dir, "check")
    assert result.code == 1
    (said,) = [unicodedata.normalize("NFC", line) for line in result.stderr.splitlines() if line.startswith("content/")]
    assert said.endswith("this file has the name of content/notices/2026-12-10-김장.md, stored in another form (one of "
                         "them was named on a Mac): the same notice twice; keep one and delete the other"), said


def test_a_file_name_typed_in_full_width_gives_the_address_typed_in_half_width(cli, empty_project_dir):
    """A Korean keyboard in full-width mode (전각) names a file
    ２０２６－１２－０３ 김장（최종）.md: its page's address was
    notices/２０２６-１２-０３-김장-최종/, in letters no one types."""
    notices = empty_project_dir / "content" / "notices"
    (notices / "２０２６－１２－０３\u3000김장（최종）.md").write_text(GOOD, encoding="utf-8")
    built = cli(empty_project_dir, "build")
    assert built.code == 0, built.output
    assert os.listdir(empty_project_dir / "output" / "notices") == ["2026-12-03-김장-최종"]


@pytest.mark.parametrize("old, new, line, expected", [
    # a zero-width space copied with the name: "unknown department "보건소"; did you mean "보건소"?"
    ("department: 문화체육과", "department: 문화체육과\u200b", 4, "department holds a character that shows nothing "
     "(U+200B, copied from a web page or a document), which makes it another value; write the value again: "
     "department: 문화체육과"),
    ("category: culture", "category: \ufeffcul\u00adture", 5, "category holds a character that shows nothing (U+00AD, "
     "U+FEFF, copied from a web page or a document), which makes it another value; write the value again: category: culture"),
    # as a word processor quotes: "date “2026-11-05” is not a date" and an example of another day
    ("date: 2026-11-05 14:00", "date: “2026-11-05 14:00”", 3, "date is in curly quotes (“ ”, as a word processor writes "
     "them), which YAML keeps as part of the value; write it without them: date: 2026-11-05 14:00"),
    ("department: 문화체육과", "department: ‘문화체육과’", 4, "write it without them: department: 문화체육과"),
])
def test_a_name_with_a_mark_that_shows_nothing_or_in_curly_quotes_is_one_problem_saying_so(tmp_path, old, new, line,
                                                                                            expected):
    message = only_problem(tmp_path, GOOD.replace(old, new))
    assert message.startswith(f"notice.md:{line}: ") and message.endswith(expected), message
    # a title is text: its curly quotes and its marks are the writer's
    assert read(tmp_path, GOOD.replace('"성동구: 겨울철 한파 대비 안내"', "“겨울철\u200b 한파”"))[1] == []


@pytest.mark.parametrize("old, new, line, expected", [
    ("date: 2026-11-05 14:00", "date: 2026-02-30", 3, 'date "2026-02-30" is no day: 2026-02 has 28 days; check the day'),
    ("date: 2026-11-05 14:00", "date: 2028.2.30 9:00", 3, 'date "2028.2.30 9:00" is no day: 2028-02 has 29 days'),
    ("category: culture", "category: culture\nexpires: 2026년 11월 31일", 6,
     'expires "2026년 11월 31일" is no day: 2026-11 has 30 days; check the day'),
    ("category: culture", "category: culture\nevent: {start: 2026-06-31 10:00}", 6,
     'event start "2026-06-31 10:00" is no day: 2026-06 has 30 days; check the day'),
])
def test_a_day_past_its_months_end_is_said_so(tmp_path, old, new, line, expected):
    """2026-02-30 was "not a date; write it as YYYY-MM-DD ..., e.g. date:
    2026-11-05 14:00": written as asked, with an example of another day."""
    message = only_problem(tmp_path, GOOD.replace(old, new))
    assert message.startswith(f"notice.md:{line}: {expected}"), message


@pytest.mark.parametrize("written, expected", [
    # the file is named for 2026-11-20, as sotong new names it: a day without its year is the nearest such
    ("date: 12/3", "date: 2026-12-03"), ("date: 12월 3일 오후 3시", "date: 2026-12-03 15:00"),
    ("date: 3.2", "date: 2027-03-02"), ("date: 11월 3일", "date: 2026-11-03"), ("date: 26.12.3", "date: 2026-12-03"),
    ("date: 26년 12월 3일 14:00", "date: 2026-12-03 14:00"), ("date: 20261203", "date: 2026-12-03"),
    ("date: 내일", "date: 2026-11-20"),  # no fixed day: the file's own
    ("expires: 12월 24일", "expires: 2026-12-24"), ("expires: 1/5", "expires: 2027-01-05"),  # near the notice's date
])
def test_a_day_written_without_its_year_or_short_is_answered_with_the_day_it_names(tmp_path, written, expected):
    """"12/3", "26.12.3" or "내일" was answered "e.g. date: 2026-11-05 14:00",
    a day long past that staff copied as it was."""
    text = GOOD.replace("date: 2026-11-05 14:00", written) if written.startswith("date:") else with_line(written)
    notice, problems = read(tmp_path, text, name="2026-11-20-festival.md")
    line = 3 if written.startswith("date:") else 6
    assert notice is None and len(problems) == 1 and str(problems[0]).startswith(f"2026-11-20-festival.md:{line}: ")
    assert str(problems[0]).endswith(f"e.g. {expected}"), problems


def test_a_day_without_its_year_in_a_file_named_without_a_day_keeps_the_example(tmp_path):
    message = only_problem(tmp_path, GOOD.replace("date: 2026-11-05 14:00", "date: 12/3"))
    assert message.endswith("e.g. date: 2026-11-05 14:00"), message
    assert coming_day("12/3", dt.date(2026, 12, 4)) == "2027-12-03"
    assert coming_day("2월 29일", dt.date(2026, 3, 1)) == "2028-02-29"
    assert coming_day("2026.12.3", dt.date(2026, 3, 1)) is None  # a day with its year is as_iso's
