"""The notice schema (SPEC §2): every rule, fed a bad input, reports
PATH:LINE with a message that says what to write instead."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from sotong.audiences import load_audiences
from sotong.notices import SEOUL, first_paragraph_text, read_notice

REPO = Path(__file__).resolve().parent.parent
AUDIENCES = load_audiences(REPO / "audiences.yaml")

GOOD = """\
---
title: "성동구: 겨울철 한파 대비 안내"
date: 2026-11-05 14:00
department: 문화체육과
category: culture
---
첫 문단은 **요약**입니다. [링크](https://example.org)도 있습니다.

둘째 문단.
"""


def read(tmp_path: Path, text: str, name: str = "notice.md"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return read_notice(path, AUDIENCES, tmp_path, shown=name)


def with_line(line: str) -> str:
    """GOOD with one more front-matter line (at file line 6)."""
    head, rest = GOOD.split("category: culture\n")
    return head + "category: culture\n" + line + "\n" + rest


def only_problem(tmp_path, text):
    notice, problems = read(tmp_path, text)
    assert notice is None
    assert len(problems) == 1, problems
    return str(problems[0])


def test_a_good_notice_reads_with_defaults(tmp_path):
    notice, problems = read(tmp_path, GOOD)
    assert problems == []
    assert notice.title == "성동구: 겨울철 한파 대비 안내"
    assert notice.date == dt.datetime(2026, 11, 5, 14, 0, tzinfo=SEOUL)
    assert notice.channels == ("homepage", "newsletter", "email")
    assert notice.audiences == ()
    assert notice.slug == "notice"
    assert notice.plain_summary() == "첫 문단은 요약입니다. 링크도 있습니다."
    assert notice.sms_text == notice.title
    assert notice.priority == "normal" and notice.status == "published"


def test_unquoted_colon_in_title_names_the_line_and_the_fix(tmp_path):
    text = GOOD.replace('title: "성동구: 겨울철 한파 대비 안내"', "title: 성동구: 겨울철 대책")
    message = only_problem(tmp_path, text)
    assert message.startswith("notice.md:2: ")
    assert 'title: "성동구: 겨울철 대책"' in message


NEVER_CLOSED = "notice.md:{line}: the front matter opened at line 1 is never closed with '---'; "


@pytest.mark.parametrize("closing, line, expected", [
    ("", 6, "the text seems to start on this line: write a line with just --- above it"),
    ("\n", 6, "the text seems to start after this empty line: write --- on it"),
    ("summary: |\n  한파\n\n  대비\n\n", 10, "the text seems to start after this empty line: write --- on it"),
])
def test_front_matter_without_closing_line_is_said_where_the_text_starts(tmp_path, closing, line, expected):
    """A header never closed was said at line 1, the '---' that is there,
    not where staff must write the missing one."""
    text = GOOD.replace("category: culture\n---\n", "category: culture\n" + closing)
    assert only_problem(tmp_path, text) == NEVER_CLOSED.format(line=line) + expected


def test_front_matter_never_closed_and_no_text_is_said_at_its_last_line(tmp_path):
    assert only_problem(tmp_path, "---\ntitle: 제목\ndate: 2026-11-05\n") == NEVER_CLOSED.format(line=3) + (
        "write a line with just --- after this last line of it, then the text")


def test_a_third_dashes_line_among_the_keys_is_said_at_the_one_to_delete(tmp_path):
    """A '---' between the keys (a header pasted in two parts) closed the
    header there: "date is required" (and two more) at line 1, with date:,
    department: and category: in the file."""
    text = GOOD.replace("title: \"성동구: 겨울철 한파 대비 안내\"\n", "title: \"성동구: 겨울철 한파 대비 안내\"\n---\n")
    assert only_problem(tmp_path, text) == (
        "notice.md:3: this '---' line closes the front matter early: the lines below it up to the '---' at line 7 "
        "(date:, department:, category:) are read as text; delete this line")
    body = GOOD + "\nsetting: 예시\n---\n"  # a body's own rule after text is no header
    assert read(tmp_path, body)[1] == []


def test_file_without_front_matter(tmp_path):
    message = only_problem(tmp_path, "그냥 본문\n")
    assert message.startswith("notice.md:1: ") and "start with a line '---'" in message


@pytest.mark.parametrize("key", ["title", "date", "department", "category"])
def test_each_required_key(tmp_path, key):
    lines = [line for line in GOOD.splitlines(keepends=True) if not line.startswith(f"{key}:")]
    message = only_problem(tmp_path, "".join(lines))
    assert f"{key} is required" in message


@pytest.mark.parametrize("number, key", [(2, "title"), (3, "date"), (4, "department"), (5, "category")])
@pytest.mark.parametrize("empty", ['""', "", "''", "   ", '"   "', '"\u3000"'])
def test_a_required_key_left_empty_is_named_at_its_line(tmp_path, number, key, empty):
    """``title: ""`` (or ``date:`` with nothing after it) was said at line 1
    as "title is required; add a line such as ...", a line already there;
    ``title: "   "`` (or a full-width blank) passed: a notice without a title."""
    lines = GOOD.splitlines(keepends=True)
    lines[number - 1] = f"{key}: {empty}\n"
    message = only_problem(tmp_path, "".join(lines))
    assert message.startswith(f"notice.md:{number}: {key} is empty; write it after the colon, e.g.  {key}: "), message


@pytest.mark.parametrize("line, expected_line, expected", [
    ("deparment: 보건소", 6, 'unknown key "deparment"; did you mean "department"?'),
    ("audiences: [parnets]", 6, 'unknown segment "parnets"; did you mean "parents"?'),
    # a condition written as an audience: the inline segment it means, not a segment whose label holds the words
    # (60세 이상 is in 치매 조기검진 대상 (응봉동 60세 이상)'s), nor a dong's name tied with the other 성수 dongs
    ("audiences: [60세 이상]", 6, '"60세 이상" is a condition, not a segment name; write the conditions in its place: '
                              "{age: [60, null]}"),
    ("audiences: [parents, 60대]", 6, "write the conditions in its place: {age: [60, 69]}"),
    ("audiences: [성수1가1동]", 6, "write the conditions in its place: {dongs: [seongsu1ga1]}"),
    ("audiences: [성수일가1동]", 6, "write the conditions in its place: {dongs: [seongsu1ga1]}"),
    # a word in the labels of a few segments (성수동 주민, 성수동 제조업체): each of them, with its label
    ("audiences: [성수동]", 6, 'unknown segment "성수동"; did you mean one of "seongsu" (성수동 주민), "seongsu-makers" '
                           "(성수동 제조업체)?"),
    # everyone, written as a segment: the line to leave out
    ("audiences: [전체]", 6, '"전체" is no segment: to reach everyone who chose the field, leave the audiences line out'),
    ("audiences: 전 구민", 6, '"전 구민" is no segment: to reach everyone who chose the field, leave the audiences line out'),
    ("audiences: [parents, 모두]", 6, '"모두" is no segment: to reach everyone'),
    ("audiences: parents", 6, "write audiences: [parents]"),
    ("channels: [homepage, kakao]", 6, 'unknown channel "kakao"'),
    ("channels: []", 6, "channels is empty"),
    ("summary: " + "가" * 201, 6, "summary has 201 characters; keep it to 200"),
    ("sms: 한파 ☃ 주의", 6, "phones cannot show"),
    ("expires: 2026-13-01", 6, "write it as YYYY-MM-DD"),
    ("expires: 2026-11-01", 6, "is before date"),
    ("event: 2026-11-20", 6, "event must be a map"),
    ("event: {start: 2026-11-20 14:00, end: 2026-11-20 13:00}", 6,
     "event end is before its start (2026-11-20 14:00); write an end after it, e.g. end: 2026-11-20 15:00"),
    ("event: {start: 2026-11-20 14:00, end: 2026-11-19 17:00}", 6,
     "event end is before its start (2026-11-20 14:00); write an end after it, e.g. end: 2026-11-20 17:00"),
    ("event: {start: 2026-11-20 14:00, end: 2026-11-19}", 6,
     "event end is before its start (2026-11-20 14:00); write an end after it, e.g. end: 2026-11-20 15:00"),
    ("event: {start: tomorrow}", 6, 'event start "tomorrow" is not a date'),
    ("event: {start: 2026-11-20, room: 1}", 6, 'unknown event key "room"'),
    ("image: images/missing.svg\nimage_alt: 그림", 6, 'image "images/missing.svg" not found'),
    ("image_alt: 그림", 6, "image_alt without image"),
    ("priority: high", 6, 'priority must be one of normal, urgent, not "high"'),
    ("status: hidden", 6, "status must be one of published, draft"),
    ("slug: 'a b'", 6, "may hold only letters, digits and hyphens"),
    ("slug: " + "가" * 67, 6, "the slug is 201 bytes long, longer than a folder name may be; shorten it to 200 bytes"),
])
def test_each_value_rule(tmp_path, line, expected_line, expected):
    message = only_problem(tmp_path, with_line(line))
    assert message.startswith(f"notice.md:{expected_line}: "), message
    assert expected in message


def test_an_event_from_an_hour_to_the_end_of_that_day_is_taken(tmp_path):
    """An end without an hour is its whole day, as the page and the .ics
    have it: ``start: 2026-11-20 14:00`` with ``end: 2026-11-20`` (from two
    o'clock through that day) was refused as an end before its start."""
    from sotong.dates import event_time
    from sotong.ics import event_times

    notice, problems = read(tmp_path, with_line("event: {start: 2026-11-20 14:00, end: 2026-11-20, place: 구청}"))
    assert problems == [] and notice.event.end == dt.date(2026, 11, 20)
    assert event_time(notice.event.start, notice.event.end) == "2026년 11월 20일(금) 14:00"
    assert event_times(notice.event.start, notice.event.end) == (dt.date(2026, 11, 20), dt.date(2026, 11, 21))


def test_an_unknown_channel_in_a_list_of_lines_is_named_at_its_own_line(tmp_path):
    """channels written one a line had an unknown one said at the line of channels:."""
    notice, problems = read(tmp_path, with_line("channels:\n  - homepage\n  - 문자\n  - email\n  - fax"))
    assert notice is None
    assert [str(p).split(";")[0] for p in problems] == [
        'notice.md:8: unknown channel "문자"', 'notice.md:10: unknown channel "fax"']


@pytest.mark.parametrize("lines, expected", [
    ("  place: 구청\n  start: 2026-11-20 25:00", 'notice.md:8: event start "2026-11-20 25:00" is not a date'),
    ("  start: 2026-11-20\n  place: 구청\n  end: 2026-11-19", "notice.md:9: event end is before its start (2026-11-20); "
     "write an end after it, e.g. end: 2026-11-20"),
    ("  start: 2026-11-20\n  end: 2026/11/21", 'notice.md:8: event end "2026/11/21" is not a date'),
    ("  place: 구청\n  strat: 2026-11-20", 'notice.md:8: unknown event key "strat"; did you mean "start"?'),
    ("  start: 2026-11-20\n  place: [구청]", "notice.md:8: place must be one piece of text"),
    ("  place: 구청\n  start:", "notice.md:8: event needs start"),
    ("  place: 구청", "notice.md:6: event needs start"),
])
def test_a_mistake_in_an_event_is_named_at_the_line_of_its_key(tmp_path, lines, expected):
    """An event written over several lines had every mistake said at the
    line of event:, not of the start:, end: or place: that was wrong."""
    notice, problems = read(tmp_path, with_line("event:\n" + lines))
    assert notice is None
    assert str(problems[0]).startswith(expected), problems


def test_image_needs_alt_text(tmp_path):
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "poster.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    message = only_problem(tmp_path, with_line("image: images/poster.svg"))
    assert "image_alt is required" in message


@pytest.mark.parametrize("value, hint", [
    ("2026/11/05", "YYYY-MM-DD or YYYY-MM-DD HH:MM"),
    ("2026-11-05 14:00:00", "YYYY-MM-DD HH:MM"),
    ("2026-02-30", "is no day: 2026-02 has 28 days"),
    ("다음주 화요일", "is not a date"),
])
def test_unreadable_dates(tmp_path, value, hint):
    message = only_problem(tmp_path, GOOD.replace("date: 2026-11-05 14:00", f"date: {value}"))
    assert message.startswith("notice.md:3: ") and hint in message


def test_unknown_department_suggests_the_closest(tmp_path):
    message = only_problem(tmp_path, GOOD.replace("문화체육과", "문화체육국"))
    assert message.startswith("notice.md:4: ")
    assert 'did you mean "문화체육과"?' in message


def test_category_written_as_its_korean_label_is_read_as_its_key(tmp_path):
    notice, problems = read(tmp_path, GOOD.replace("category: culture", "category: 문화공연"))
    assert problems == [] and notice.category == "culture"


def test_title_limits(tmp_path):
    message = only_problem(tmp_path, GOOD.replace('"성동구: 겨울철 한파 대비 안내"', "가" * 101))
    assert "101 characters; keep it to 100" in message


def test_every_problem_of_a_file_is_reported(tmp_path):
    text = GOOD.replace("문화체육과", "없는과").replace("category: culture", "category: sports")
    notice, problems = read(tmp_path, with_line("priority: high"))
    _, problems = read(tmp_path, text.replace("category: sports\n", "category: sports\npriority: high\n"))
    assert [p.line for p in problems] == [4, 5, 6]


def test_a_draft_and_an_explicit_slug(tmp_path):
    notice, problems = read(tmp_path, with_line("status: draft\nslug: winter-2026"))
    assert problems == [] and not notice.published and notice.slug == "winter-2026"


def test_event_and_expires_are_read(tmp_path):
    notice, _ = read(tmp_path, with_line(
        'event: {start: "2026-11-20 14:00", end: "2026-11-20 17:00", place: 성동구청 대강당}\nexpires: 2026-11-20'))
    assert notice.event.start == dt.datetime(2026, 11, 20, 14, 0, tzinfo=SEOUL)
    assert notice.event.place == "성동구청 대강당"
    assert notice.expired_on(dt.date(2026, 11, 21)) and not notice.expired_on(dt.date(2026, 11, 20))


def test_summary_is_the_first_paragraph_cut_to_200():
    body = "# 제목\n\n" + "가나다 " * 100 + "\n\n둘째"
    assert first_paragraph_text(body) == ("가나다 " * 100).strip()
    assert len(first_paragraph_text(body)[:200]) == 200


@pytest.mark.parametrize("body, summary", [
    ("| 일시 | 장소 |\n| --- | --- |\n| 12월 3일 | 구청 |\n\n구청 대강당에서 열립니다.", "구청 대강당에서 열립니다."),
    ("- 일시: 12월 3일\n- 장소: 구청\n\n둘째", "일시: 12월 3일 장소: 구청"),
    ("1. 신청서를 내려받습니다\n2) 동 주민센터에 냅니다", "신청서를 내려받습니다 동 주민센터에 냅니다"),
    ("자세한 내용은 <https://www.sd.go.kr/main> 에서 보세요.", "자세한 내용은 https://www.sd.go.kr/main 에서 보세요."),
    ("R&amp;D 지원 &lt;공모&gt;, [신청](https://x.kr) **마감**", "R&D 지원 <공모>, 신청 마감"),
    # each of these made the summary (the homepage list, the section, the feeds, the X post) empty
    ("![김장 포스터]({static}/images/kimjang.svg)\n\n김장 나눔에 함께해요.", "김장 나눔에 함께해요."),
    ("<!-- 담당: 홍길동, 11/20 확인 -->\n\n김장 나눔에 함께해요.", "김장 나눔에 함께해요."),
    # a script or style the page drops was the summary's text ("alert(1)", "p{color:red}")
    ("<style>p{color:red}</style>\n\n김장 <script>alert(1)</script>나눔", "김장 나눔"),
    # what the page shows as written was taken for markup and left out of the summary (the email's too)
    ("<성동구 어르신 일자리 모집> 참여자를 뽑습니다.", "<성동구 어르신 일자리 모집> 참여자를 뽑습니다."),
    ("구청 누리집 > 분야별정보 > 복지에서 신청 (문의 #3 창구)", "구청 누리집 > 분야별정보 > 복지에서 신청 (문의 #3 창구)"),
    ("서식 apply_form_2026.hwp, 정원 20명 * 선착순", "서식 apply_form_2026.hwp, 정원 20명 * 선착순"),
    ("&#39;성동&#39; 사업, 2\\*3 배", "'성동' 사업, 2*3 배"),
])
def test_a_summary_from_the_body_reads_as_its_page_does(body, summary):
    """A table before the first paragraph is not the summary, list markers and
    markup are left out, an autolink keeps its address, an entity is its character."""
    assert first_paragraph_text(body) == summary


def test_bom_and_non_utf8_files(tmp_path):
    path = tmp_path / "bom.md"
    path.write_text("\ufeff" + GOOD, encoding="utf-8")
    assert read_notice(path, AUDIENCES, tmp_path)[1] == []
    path.write_bytes(GOOD.encode("cp949"))
    _, problems = read_notice(path, AUDIENCES, tmp_path, shown="bom.md")
    assert str(problems[0]) == "bom.md:2: the file is not UTF-8 text; save it again with the encoding UTF-8 (in Notepad: Save As, Encoding: UTF-8)"


def test_a_line_pasted_in_another_encoding_is_named(tmp_path):
    """A UTF-8 notice with one paragraph pasted from an old HWP export in
    CP949: the problem names that line, not line 1, so staff know which
    sentence to type again."""
    path = tmp_path / "pasted.md"
    path.write_bytes(GOOD.encode("utf-8") + "\n문의: 문화체육과\n".encode("cp949"))
    _, problems = read_notice(path, AUDIENCES, tmp_path, shown="pasted.md")
    assert [problem.line for problem in problems] == [GOOD.count("\n") + 2]
