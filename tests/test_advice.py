"""Check warnings (issue #10): an urgent notice whose title repeats 긴급, and
an urgent notice that expires before the next issue (with the one-off
commands to send it); warnings, not errors: check still exits 0."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from project_support import copy_project, png, run_sotong
from sotong.advice import notice_warnings
from sotong.markup import HTML_ELEMENTS, tags_of_no_element
from sotong.notices import SEOUL, Notice
from sotong.sms import byte_length


def urgent(title="한파 대비 안내", expires=None, priority="urgent") -> Notice:
    return Notice(source="n.md", slug="cold", title=title, date=dt.datetime(2026, 11, 20, 9, tzinfo=SEOUL),
                  department="안전재난과", category="living", body="본문\n", expires=expires, priority=priority,
                  lines={"title": 2, "expires": 7})


def test_a_title_that_repeats_the_urgent_mark_is_warned_on_its_line():
    (warning,) = notice_warnings(urgent("[긴급] 한파 대비 안내"), "n.md")
    assert warning.startswith("n.md:2: warning: the title says 긴급")
    assert notice_warnings(urgent("[긴급] 한파 대비 안내", priority="normal"), "n.md") == []
    assert notice_warnings(urgent(), "n.md") == []


def test_an_urgent_notice_expiring_before_the_next_issue_says_how_to_send_it_alone():
    # dated 11-20: the next issue is 11-26; expiring on 11-25 it is in no issue
    (warning,) = notice_warnings(urgent(expires=dt.date(2026, 11, 25)), "n.md")
    assert warning == ("n.md:7: warning: this urgent notice expires (2026-11-25) before the next issue (2026-11-26), "
                       "so no issue will carry it; send it on its own: sotong bundles --notice cold "
                       "&& sotong send --notice cold")
    assert notice_warnings(urgent(expires=dt.date(2026, 11, 26)), "n.md") == []
    assert notice_warnings(urgent(expires=dt.date(2026, 11, 25), priority="normal"), "n.md") == []


def test_an_urgent_notice_already_expired_is_not_told_to_be_sent():
    """Every urgent notice ever sent on its own kept telling staff to send it,
    in every check, build and devserver page, long after it had expired."""
    notice = urgent(expires=dt.date(2026, 11, 25))
    assert len(notice_warnings(notice, "n.md", today=dt.date(2026, 11, 25))) == 1  # its last day: still to send
    assert notice_warnings(notice, "n.md", today=dt.date(2026, 11, 26)) == []
    assert len(notice_warnings(urgent("[긴급] 한파", expires=dt.date(2026, 11, 25)), "n.md",
                               today=dt.date(2027, 1, 1))) == 1  # its title still shows on its page


def with_body(body: str) -> Notice:
    return Notice(source="n.md", slug="cold", title="한파 대비 안내", date=dt.datetime(2026, 11, 20, 9, tzinfo=SEOUL),
                  department="안전재난과", category="living", body=body, body_line=9)


def test_a_line_markdown_hides_as_a_link_s_address_is_warned_with_what_to_write():
    """[문의]: 02-2286-5000, the way contact lines are written, is a link's
    address to Markdown: the line showed on no page and in no email, silently."""
    import markdown

    body = "대피소를 운영합니다.\n\n[문의]: 02-2286-5000\n[일시]: 12.12.(토) 14:00\n"
    assert "2286-5000" not in markdown.markdown(body) and "12.12.(토)" in markdown.markdown(body)
    (warning,) = notice_warnings(with_body(body), "n.md")
    assert warning == ("n.md:11: warning: Markdown reads this line as a link's address ([문의]: ...), so it shows on no "
                       "page and in no email; if it is text, write it without the colon right after ], e.g. "
                       "[문의] 02-2286-5000")
    assert "2286-5000" in markdown.markdown(warning.split("e.g. ")[1])  # what it says to write shows
    used = "[공고문][1]과 [신청서]를 보세요.\n\n[1]: https://www.sd.go.kr/a.pdf\n[신청서]: https://www.sd.go.kr/b.hwp \"서식\""
    assert notice_warnings(with_body(used), "n.md") == []  # definitions the text uses


def test_check_prints_warnings_and_exits_0(tmp_path):
    project = copy_project(tmp_path, notices=False)
    (project / "content" / "notices" / "cold.md").write_text(
        '---\ntitle: "긴급 한파 대피소 운영"\ndate: 2026-11-20\ndepartment: 안전재난과\ncategory: living\n'
        "priority: urgent\nexpires: 2026-11-24\n---\n본문\n", encoding="utf-8")
    (project / "content" / "notices" / "past.md").write_text(  # expired before the project's today (11-23)
        '---\ntitle: "한파 대피소 운영"\ndate: 2026-11-13\ndepartment: 안전재난과\ncategory: living\n'
        "priority: urgent\nexpires: 2026-11-14\n---\n본문\n", encoding="utf-8")
    result = run_sotong(project, "check")
    assert result.code == 0, result.output
    warnings = result.stderr.splitlines()
    assert [w.split(": warning: ")[0] for w in warnings] == ["content/notices/cold.md:2", "content/notices/cold.md:7"]
    assert "sotong bundles --notice cold && sotong send --notice cold" in warnings[1]
    production = run_sotong(project, "check", "-s", "publishconf.py", env={"SOTONG_SECRET": "an office key of 32 characters or more"})
    assert production.code == 0, production.output  # the daily build's log: its commands read the same settings
    assert ("sotong bundles --notice cold -s publishconf.py && sotong send --notice cold -s publishconf.py"
            in production.stderr.splitlines()[1]), production.stderr


def test_a_notice_copied_beside_itself_is_warned_of_as_going_out_twice(tmp_path):
    """A notice copied by Windows beside itself ("NAME (1).md", "복사본 -
    NAME.md") got a slug of its own: check said nothing, and every page,
    feed and subscriber had the notice twice. Another notice of the same
    title on another day (a weekly one) or with other words, and a draft copy, are no such copy."""
    project = copy_project(tmp_path, notices=False)
    notices = project / "content" / "notices"
    text = '---\ntitle: "한파 대피소 운영"\ndate: 2026-11-20\ndepartment: 안전재난과\ncategory: living\n---\n본문\n'
    for name in ("2026-11-20-cold.md", "2026-11-20-cold (1).md", "복사본 - 2026-11-20-cold.md"):
        (notices / name).write_text(text, encoding="utf-8")
    (notices / "2026-11-27-cold.md").write_text(text.replace("11-20", "11-27"), encoding="utf-8")
    (notices / "2026-11-20-cold-sms.md").write_text(text.replace("---\n본문", "sms: 한파 대피소 운영\n---\n본문"), encoding="utf-8")
    (notices / "2026-11-20-cold-draft.md").write_text(text.replace("---\n본문", "status: draft\n---\n본문"), encoding="utf-8")
    result = run_sotong(project, "check")
    assert result.code == 0, result.output
    twice = ("{}:1: warning: this notice is content/notices/2026-11-20-cold.md over again (its header and text), so it "
             "goes out twice; if it is a copy of that file, delete one of the two")
    assert result.stderr.splitlines() == [twice.format("content/notices/2026-11-20-cold (1).md"),
                                          twice.format("content/notices/복사본 - 2026-11-20-cold.md")]


def test_a_notice_without_text_is_warned_that_residents_see_only_its_title(tmp_path):
    """A header and nothing below it (or only blanks) passed check without a
    word: its page, email and list showed a title and nothing else."""
    empty = ("n.md:9: warning: this notice has no text below its header, so residents see only its title; write "
             "what they need to know here, below the closing '---'")
    assert notice_warnings(with_body(""), "n.md") == [empty]
    assert notice_warnings(with_body("  \n\n\u3000\n"), "n.md") == [empty]
    assert notice_warnings(with_body("본문\n"), "n.md") == []
    project = copy_project(tmp_path, notices=False)
    head = "---\ntitle: 한파 안내\ndate: 2026-11-20\ndepartment: 안전재난과\ncategory: living\n---\n"
    (project / "content" / "notices" / "empty.md").write_text(head + "\n  \n", encoding="utf-8")
    result = run_sotong(project, "check", env={"SOTONG_LANG": "ko"})
    assert result.code == 0, result.output
    assert result.stderr.splitlines() == [
        "content/notices/empty.md:7: 주의: 이 공지는 머리말 아래에 본문이 없어 주민에게 제목만 보입니다. 닫는 '---' 아래 "
        "이 줄에 알릴 내용을 쓰세요"]


def test_an_sms_line_that_alone_makes_an_lms_is_warned_with_its_byte_count(tmp_path):
    project = copy_project(tmp_path, notices=False)
    head = "---\ndate: 2026-11-20\ndepartment: 안전재난과\ncategory: living\nchannels: [homepage, sms]\n"
    (project / "content" / "notices" / "long.md").write_text(
        head + 'title: "한파 안내"\nsms: ' + "한파 대피소를 운영하니 가까운 주민센터로 오십시오 " * 2 + "\n---\n본문\n", encoding="utf-8")
    (project / "content" / "notices" / "short.md").write_text(head + "title: 한파 안내\nsms: 한파 대피소 운영\n---\n본문\n",
                                                             encoding="utf-8")
    result = run_sotong(project, "check")
    assert result.code == 0, result.output
    (warning,) = result.stderr.splitlines()
    assert warning.startswith("content/notices/long.md:7: warning: this notice's text alone is an LMS (")
    assert "bytes with the header, link and opt-out line; an SMS holds 90)" in warning
    assert 90 < int(warning.split("LMS (")[1].split(" bytes")[0]) <= 2000
    # in Korean the SMS's [성동구] is its 말머리: 머리말 is the notice's front matter
    (korean,) = run_sotong(project, "check", env={"SOTONG_LANG": "ko"}).stderr.splitlines()
    assert "(말머리, 링크, 수신 거부 안내를 더해 " in korean and "머리말" not in korean


def test_the_lms_warnings_read_each_issues_window_once(tmp_path, monkeypatch):
    """Each sms notice's text was composed with its issue's bundle made anew,
    the window read once per notice: with 1,526 sms notices among 5,000,
    sotong check spent 38 s there. Now each issue's window is read once."""
    from collections import Counter

    import sotong.schedule as schedule
    from plugins.bundles.sms_advice import lms_warnings
    from sotong.project import Project

    project_dir = copy_project(tmp_path, notices=False)
    head = "---\ndepartment: 안전재난과\ncategory: living\nchannels: [homepage, sms]\n"
    for index in range(12):
        (project_dir / "content" / "notices" / f"n{index}.md").write_text(
            head + f"date: 2026-11-{19 + index}\ntitle: 한파 안내 {index}\nsms: 한파 대피소 운영\n---\n본문\n", encoding="utf-8")
    project = Project(project_dir / "pelicanconf.py")
    read = Counter()
    real = schedule.in_window
    monkeypatch.setattr(schedule, "in_window", lambda notice, issue: read.update([issue]) or real(notice, issue))
    assert lms_warnings(project) == []
    assert sorted(read) == [dt.date(2026, 11, 26), dt.date(2026, 12, 10)]
    assert set(read.values()) == {len(project.published_notices)}

def test_build_shows_the_same_warnings_and_builds_all_the_same(tmp_path):
    """Staff who build without checking first (make publish, the nightly
    build) saw no warning: a notice still holding the example text of
    sotong new went out silently. build now prints check's warning lines
    (core's and the plugins') on stderr, and still builds and exits 0."""
    from sotong.advice import EXAMPLE_PHONE

    project = copy_project(tmp_path, notices=False)
    head = "---\ndate: 2026-11-20\ndepartment: 안전재난과\ncategory: living\nchannels: [homepage, sms]\n"
    (project / "content" / "notices" / "long.md").write_text(
        head + 'title: "한파 안내"\nsms: ' + "한파 대피소를 운영하니 가까운 주민센터로 오십시오 " * 2 + "\n---\n본문\n", encoding="utf-8")
    (project / "content" / "notices" / "phone.md").write_text(
        head + f"title: 김장 나눔\n---\n문의: 복지정책과 {EXAMPLE_PHONE}\n", encoding="utf-8")
    checked = run_sotong(project, "check")
    assert checked.code == 0 and len(checked.stderr.splitlines()) == 2, checked.output
    built = run_sotong(project, "build")
    assert built.code == 0, built.output
    assert built.stderr.splitlines() == checked.stderr.splitlines()
    assert "content/notices/phone.md:8: warning: this line is still the example" in built.stderr
    assert EXAMPLE_PHONE in (project / "output" / "notices" / "phone" / "index.html").read_text(encoding="utf-8")


def test_a_picture_without_words_is_warned_in_a_page_too_and_pelican_says_nothing_of_it(tmp_path):
    """Since a picture without words became a warning, a page's (content/
    pages/) was said nowhere but in Pelican's English line, with the file's
    absolute path and no line; build and the devserver showed that line
    beside check's Korean warning of a notice's."""
    project = copy_project(tmp_path, notices=False)
    (project / "content" / "notices" / "poster.md").write_text(
        "---\ntitle: 겨울 축제\ndate: 2026-11-20\ndepartment: 문화체육과\ncategory: culture\n---\n"
        "![]({static}/images/winter-festival.svg)\n", encoding="utf-8")
    about = project / "content" / "pages" / "about.md"
    about.write_text(about.read_text(encoding="utf-8") + "\n![]({static}/images/kimjang.svg)\n", encoding="utf-8")
    line = len(about.read_text(encoding="utf-8").split("\n")) - 1
    checked = run_sotong(project, "check")
    assert checked.code == 0, checked.output
    assert [w.split(": warning: ")[0] for w in checked.stderr.splitlines()] == [
        "content/notices/poster.md:7", f"content/pages/about.md:{line}"], checked.stderr
    assert "the picture {static}/images/kimjang.svg says in no words what it shows" in checked.stderr
    built = run_sotong(project, "build")
    assert built.code == 0, built.output
    assert built.stderr.splitlines() == checked.stderr.splitlines()  # no "Empty alt attribute for image ..."


def test_warnings_come_in_the_order_of_their_lines(tmp_path):
    """Sorted as text, a file's line 12 came before its line 2."""
    from sotong.advice import EXAMPLE_PHONE

    project = copy_project(tmp_path, notices=False)
    (project / "content" / "notices" / "cold.md").write_text(
        '---\ntitle: "긴급 한파 대피소 운영"\ndate: 2026-11-20\ndepartment: 안전재난과\ncategory: living\n'
        "priority: urgent\n---\n" + "본문\n\n" * 2 + f"문의: {EXAMPLE_PHONE}\n", encoding="utf-8")
    result = run_sotong(project, "check")
    assert result.code == 0, result.output
    assert [w.split(": warning: ")[0] for w in result.stderr.splitlines()] == [
        "content/notices/cold.md:2", "content/notices/cold.md:12"]


def lms_advice(tmp_path, settings: str = "", **lines: str) -> list[str]:
    """lms_warnings for one sms notice per keyword: its slug = its extra front-matter lines."""
    from plugins.bundles.sms_advice import lms_warnings
    from sotong.project import Project

    tmp_path.mkdir(exist_ok=True)
    project_dir = copy_project(tmp_path, notices=False, extra_settings='SHORT_LINK_BASE = "https://sd.go.kr/s/"\n' + settings)
    head = "---\ndate: 2026-11-20\ndepartment: 안전재난과\ncategory: living\nchannels: [homepage, sms]\n"
    for slug, extra in lines.items():
        (project_dir / "content" / "notices" / f"{slug}.md").write_text(head + extra + "\n---\n본문\n", encoding="utf-8")
    return lms_warnings(Project(project_dir / "pelicanconf.py"))


def test_an_lms_warning_says_how_many_bytes_to_cut_and_cutting_them_makes_an_sms(tmp_path):
    """The warning said "shorten the sms line", not by how much: staff cut
    a word, checked, cut another."""
    sms = "한파 대피소를 운영하니 가까운 주민센터로 오십시오 꼭"
    (warning,) = lms_advice(tmp_path, long=f"title: 한파 안내\nsms: {sms}")
    assert warning.startswith("content/notices/long.md:7: warning: this notice's text alone is an LMS (")
    over = int(warning.split("shorten the sms line by ")[1].split(" bytes")[0])
    assert warning.endswith(f"shorten the sms line by {over} bytes or more (a Korean letter is 2 bytes, a space 1)")
    cut = sms.encode("cp949")[:-over].decode("cp949")
    assert byte_length(cut) == byte_length(sms) - over
    assert lms_advice(tmp_path / "cut", long=f"title: 한파 안내\nsms: {cut}") == []  # those bytes, and no more, make it an SMS
    assert len(lms_advice(tmp_path / "more", long=f"title: 한파 안내\nsms: {cut}!")) == 1  # one byte more: an LMS


def test_a_title_that_is_an_lms_is_told_to_get_a_shorter_sms_line(tmp_path):
    """There was no sms line to shorten: the title was the text."""
    (warning,) = lms_advice(tmp_path, long="title: 한파 대피소를 운영하니 가까운 주민센터로 오십시오 꼭 오십시오")
    assert warning.startswith("content/notices/long.md:6: warning: this notice's text alone is an LMS (")
    most = int(warning.split("of at most ")[1].split(" bytes")[0])
    assert f"the title is its text: add an sms line of at most {most} bytes, e.g. sms: \"한파 대피소를" in warning
    assert lms_advice(tmp_path / "short", long="title: 한파 대피소를 운영하니 가까운 주민센터로 오십시오 꼭 오십시오\nsms: "
                      + "가" * (most // 2)) == []


def test_a_title_that_is_an_lms_is_given_its_first_words_that_fit_as_the_sms_line(tmp_path):
    """The example was "sms: 한파 대피소 운영" whatever the notice said: staff
    of a 김장 notice copied it. Now it is the title's first words that fit,
    whole, as a line that reads back and makes the text one SMS."""
    title = "성동구 2026년 겨울철 김장 나눔 행사 자원봉사자 모집 안내 및 참가 신청 방법과 일정 그리고 장소 안내"
    (warning,) = lms_advice(tmp_path, long=f'title: "{title}"')
    most = int(warning.split("of at most ")[1].split(" bytes")[0])
    line = warning.split("e.g. ")[1]
    example = json.loads(line.split(": ", 1)[1])
    assert title.startswith(example + " ") and byte_length(example) <= most
    assert byte_length(title[:len(example) + 1 + title[len(example) + 1:].index(" ")]) > most  # the next word does not fit
    assert lms_advice(tmp_path / "fixed", long=f'title: "{title}"\n{line}') == []


@pytest.mark.parametrize("address", ["https://www.sd.go.kr/apply?id=123", "www.sd.go.kr/apply", "sd.go.kr/apply"])
def test_a_web_address_in_an_sms_line_that_is_an_lms_is_named(tmp_path, address):
    """Every text carries the notice's short link; an address written in
    the sms line as well took 17-33 of an SMS's 90 bytes."""
    (warning,) = lms_advice(tmp_path, long=f"title: 김장 나눔\nsms: 김장 나눔 신청 {address} 문의 02-2286-5114")
    assert warning.startswith("content/notices/long.md:7: warning: this notice's text alone is an LMS (")
    assert (f"the sms line holds the web address {address} ({len(address)} bytes), and every text carries the link to "
            "the notice's page already: leave the address to the notice's text") in warning
    assert int(warning.split("must lose ")[1].split(" bytes")[0]) <= len(address) + 1  # leaving it out is enough
    assert lms_advice(tmp_path / "fixed", long="title: 김장 나눔\nsms: 김장 나눔 신청 문의 02-2286-5114") == []


def test_click_counting_in_texts_is_warned_with_the_bytes_a_one_notice_sms_then_holds(tmp_path):
    """SPEC §6: a one-notice text whose sms line has 30 bytes is one SMS.
    With CLICK_COUNTING = True its link is the collector's counting link,
    twice as long: the text went as an LMS at three times the price, and
    nothing said so at the setting. The warning's figure is exact (that
    many bytes make an SMS, one more an LMS); CLICK_COUNTING = "email"
    keeps the texts' short links, and the 30-byte line is one SMS."""
    counting = 'CLICK_COUNTING = True\nCOLLECTOR_URL = "https://sotong.sd.go.kr"\n'
    thirty = "title: 한파 안내\nsms: " + "가" * 15
    warnings = lms_advice(tmp_path, counting, spec=thirty)
    setting = warnings[0]
    where = re.match(r"pelicanconf\.py:(\d+): warning: CLICK_COUNTING = True makes each link in a text (\d+) bytes "
                     r"\(https://sotong\.sd\.go\.kr/c/\d{4}-\d\d-\d\d/s\w+\.\w{5}\) instead of the short link's (\d+)", setting)
    assert where, setting
    lines = (tmp_path / "pelicanconf.py").read_text(encoding="utf-8").splitlines()
    assert lines[int(where[1]) - 1] == "CLICK_COUNTING = True"
    room, room_short = map(int, re.search(r"an sms line of (\d+) bytes or fewer \(with the short link, (\d+)\)", setting).groups())
    assert room < 30 <= room_short and int(where[2]) - int(where[3]) == room_short - room
    assert "at 27 won instead of 9 won" in setting and 'write CLICK_COUNTING = "email"' in setting
    assert [warning.split(":")[0] for warning in warnings[1:]] == ["content/notices/spec.md"]  # an LMS now
    fits = lms_advice(tmp_path / "fits", counting, fits="title: 한파 안내\nsms: " + "a" * room)
    assert len(fits) == 1 and fits[0].startswith(setting.split(" (")[0])
    assert len(lms_advice(tmp_path / "over", counting, over="title: 한파 안내\nsms: " + "a" * (room + 1))) == 2
    assert lms_advice(tmp_path / "email", counting.replace("True", '"email"'), spec=thirty) == []


def test_an_sms_line_no_text_can_hold_is_warned(tmp_path):
    """An sms line pasted from the notice's text, past 2,000 bytes, was
    dropped from every reader's text (who got only "외 1건은 홈페이지에서
    확인하세요"), and check said nothing of it."""
    (warning,) = lms_advice(tmp_path, huge="title: 한파 안내\nsms: " + "가" * 1100)
    assert warning == ("content/notices/huge.md:7: warning: the sms line is 2,200 bytes, more than a text holds "
                       "(2,000 with the header, link and opt-out line), so no text shows this notice: its readers "
                       "get only \"외 1건은 홈페이지에서 확인하세요\"; shorten the sms line to a sentence or two")


def test_an_lms_warning_when_no_sms_line_could_make_an_sms_says_the_link_is_too_long(tmp_path):
    """With a long site address and no SHORT_LINK_BASE the header, link and
    opt-out line alone pass 90 bytes: staff were told to cut more bytes
    than their sms line had, or to write one of at most -3 bytes."""
    from plugins.bundles.sms_advice import lms_warnings
    from sotong.project import Project

    project_dir = copy_project(tmp_path, notices=False, extra_settings=(
        'SITEURL = "https://www.sd.go.kr/sotong/residents/notices-and-newsletters"\nSHORT_LINK_BASE = None\n'))
    head = "---\ndate: 2026-11-20\ndepartment: 안전재난과\ncategory: living\nchannels: [homepage, sms]\n"
    for slug, extra in {"with-sms": "title: 한파 안내\nsms: 한파 대피소 운영", "title-only": "title: 한파 대피소 운영"}.items():
        (project_dir / "content" / "notices" / f"{slug}.md").write_text(head + extra + "\n---\n본문\n", encoding="utf-8")
    warnings = lms_warnings(Project(project_dir / "pelicanconf.py"))
    assert len(warnings) == 2
    for warning in warnings:
        assert warning.endswith("the header, link and opt-out line alone leave no room for the text in an SMS: "
                                "ask the operator for a shorter link (SHORT_LINK_BASE, e.g. \"https://sd.go.kr/s/\")"), warning


def test_a_link_whose_words_say_nothing_of_where_it_leads_is_warned_on_its_line():
    """[여기](...) passed check: a resident whose screen reader lists the
    notice's links heard "여기, 클릭" and could not tell where either led."""
    body = ("신청서는 [여기](https://www.sd.go.kr/form)에서 받으세요. ![포스터]({static}/images/a.svg)\n\n"
            '[신청서 내려받기](https://www.sd.go.kr/form) <a href="https://www.sd.go.kr/">클릭</a> [더 보기 »](/a/)\n')
    warnings = notice_warnings(with_body(body), "n.md")
    said = ('warning: the link "{}" says nothing of where it leads, and a resident whose screen reader lists the '
            "page's links hears only these words; write where it goes, e.g. [김장 나눔 신청서 내려받기](...)")
    assert warnings == ["n.md:9: " + said.format("여기"), "n.md:11: " + said.format("클릭"),
                        "n.md:11: " + said.format("더 보기 »")]
    assert notice_warnings(with_body("[성동구청 누리집](https://www.sd.go.kr/)에서 여기를 보세요.\n"), "n.md") == []


def test_an_address_that_leads_elsewhere_than_it_reads_is_warned_on_its_line():
    """[열둘](https://www.sd.go.kr@evil.example/) and https://аррӏе.com/
    (Cyrillic) passed check: the page linked them, and a resident trusting
    the office's page went to evil.example, or to xn--80ak6aa92e.com."""
    body = ("[신청](https://www.sd.go.kr@evil.example/form) 신청서를 받으세요.\n\n"
            "<https://аррӏе.com/> [정부24](https://www.gov.kr/) [구청](https://성동구청.kr/) https://www.ѕd.go.kr/x\n")
    said = ('warning: the address "{address}" leads to {host}, not to the site it reads as (what comes before "@" is a '
            "user name, and a Cyrillic or Greek letter that looks Latin makes another site's name); copy the address "
            "from the site itself")
    assert notice_warnings(with_body(body), "n.md") == [
        "n.md:9: " + said.format(address="https://www.sd.go.kr@evil.example/form", host="evil.example"),
        "n.md:11: " + said.format(address="https://аррӏе.com/", host="xn--80ak6aa92e.com"),
        "n.md:11: " + said.format(address="https://www.ѕd.go.kr/x", host="www.xn--d-cvb.go.kr")]


def test_an_address_written_with_character_references_is_read_as_the_page_links_it(tmp_path):
    """https://www.gov.kr&#64;evil.example/ (&#64; is "@", &#1072; a Cyrillic
    a) passed check in silence: the check read the text as written, and the
    page's link, read by the browser, led to evil.example. The warning names
    the address as the reader sees it."""
    import lxml.html

    project = copy_project(tmp_path, notices=False)
    (project / "content" / "notices" / "form.md").write_text(
        "---\ntitle: 김장 나눔 신청\ndate: 2026-11-20\ndepartment: 복지정책과\ncategory: living\n---\n"
        "[신청서](https://www.gov.kr&#64;evil.example/form) 또는 https&#58;//www.sd.go.kr&#x40;evil.example/\n\n"
        "<https://&#1072;pple.com/> [정부24](https://www.gov.kr/?a=1&amp;b=2)\n", encoding="utf-8")
    result = run_sotong(project, "build")
    assert result.code == 0, result.output
    said = ('warning: the address "{address}" leads to {host}, not to the site it reads as (what comes before "@" is a '
            "user name, and a Cyrillic or Greek letter that looks Latin makes another site's name); copy the address "
            "from the site itself")
    assert result.stderr.splitlines() == [
        "content/notices/form.md:7: " + said.format(address="https://www.gov.kr@evil.example/form", host="evil.example"),
        "content/notices/form.md:7: " + said.format(address="https://www.sd.go.kr@evil.example/", host="evil.example"),
        "content/notices/form.md:9: " + said.format(address="https://\u0430pple.com/", host="xn--pple-43d.com")]
    page = lxml.html.parse(str(project / "output" / "notices" / "form" / "index.html")).getroot()
    hosts = [urlsplit(link.get("href")).hostname for link in page.iter("a") if "//" in link.get("href", "")]
    assert {"evil.example", "\u0430pple.com"} <= set(hosts), hosts  # where the page's links truly lead


def test_a_table_markdown_does_not_read_as_one_is_warned_with_the_line_to_write():
    """A table pasted from Excel (cells split by tabs) showed residents one
    paragraph of words run together, and one written with | but without its
    line of --- showed as text full of |; both passed check in silence."""
    import markdown

    def table(text):
        return "<table>" in markdown.markdown(text, extensions=["extra"])

    pasted = "구분\t장소\t\t시간\n1차\t보건소\t\t09:00~12:00\n2차\t성수동 주민센터\t\t13:00~17:00"
    piped = "| 구분 | 장소 |\n| 1차 | 보건소 |"
    assert not table(pasted) and not table(piped)
    body = f"접종 일정입니다.\n\n{pasted}\n\n{piped}\n\n| 구분 | 장소 |\n|:---|---:|\n| 1차 | 보건소 |\n"
    warnings = notice_warnings(with_body(body), "n.md")
    assert warnings == [
        "n.md:11: warning: these lines are a table pasted from Excel or HWP (cells split by tabs), which the page and "
        "the email show as one paragraph of words run together; to make a table, write its cells between | and put a "
        "line of --- under the first: | 구분 | 장소 | 시간 | then | --- | --- | --- |",
        "n.md:15: warning: this table has no line of --- under its first line, so the page and the email show it as "
        "text full of |; put this line under the first: | --- | --- |"]
    row, rule = warnings[0].split(": ", 2)[2].split("under the first: ")[1].split(" then ")
    assert table(f"{row}\n{rule}\n| 1차 | 보건소 | 09:00~12:00 |")  # what it says to write is a table
    assert table(piped.replace("\n", "\n| --- | --- |\n", 1))
    # one tab in a line, a tab that indents, and a table of one line are no pasted table
    assert notice_warnings(with_body("문의\t02-2286-5000\n\n- 목록\n\tA\tB\n\tC\tD\n\n| 하나 |\n"), "n.md") == []


def test_a_rows_cells_past_the_first_lines_are_warned_as_left_out():
    """Markdown drops the cells of a row past its table's first line, and
    the page showed no hours for 성수경로당, in silence; a | written \\| in a
    cell, and the rows of another table of three columns, are no more cells."""
    body = ("쉼터 목록입니다.\n\n| 쉼터 | 주소 |\n| --- | --- |\n| 성수경로당 | 성수동 1가 | 09~18시 | 주말 휴무 |\n"
            "| 응봉경로당 | 응봉동 \\| 2층 |\n\n| a | b | c |\n|:-|-|-:|\n| 1 | 2 | 3 |\n")
    assert "09~18시" not in as_markdown_renders(body)
    assert notice_warnings(with_body(body), "n.md") == [
        "n.md:13: warning: this row has 4 cells and the table's first line 2, so the page and the email leave out "
        '"09~18시 | 주말 휴무"; add columns for them to the first line and to the line of --- under it']


def as_markdown_renders(text: str) -> str:
    """``text`` as HTML, as the site's Markdown (pelicanconf.py's extensions) renders it."""
    import markdown

    return markdown.markdown(text, extensions=["extra", "sane_lists"])


JOINED = ("warning: the page and the email run this list into one paragraph with the lines around it (Markdown starts a "
          "list only after an empty line, and only at - or 1.); put an empty line above the list and start each item as: "
          "{item}")


def test_a_list_written_under_a_line_or_with_a_word_processor_s_marks_is_warned_with_the_line_to_write():
    """A list typed under its lead line without an empty line between, or
    with the marks HWP and Word use (1), •, ○, □, ㆍ, ①), showed residents
    one paragraph of items run together ("신청 방법 - 기간: 12월 - 장소: 구청"),
    and check said nothing."""
    def joined(text, line):  # the line is shown after the one above, in its paragraph or item
        return "\n" + line.strip() in as_markdown_renders(text)

    cases = [("신청 방법은 다음과 같습니다.\n- 기간: 12월\n- 장소: 구청", 1, "- 기간: 12월"),
             ("준비물\n1. 신분증\n2. 사진", 1, "1. 신분증"),
             ("1) 신청서 작성\n2) 제출", 0, "1. 신청서 작성"),
             ("준비물:\n1) 신분증\n2) 사진", 1, "1. 신분증"),
             ("• 기간: 12월\n• 장소: 구청", 0, "- 기간: 12월"),
             ("○ 기간: 12월\n□ 장소: 구청\nㆍ대상: 누구나", 0, "- 기간: 12월"),
             ("① 첫째\n② 둘째", 0, "1. 첫째"),
             ("(1) 첫째\n(2) 둘째", 0, "1. 첫째"),
             ("가. 첫째\n나. 둘째", 0, "- 가. 첫째"),
             ("- 기간: 12월\n※ 문의는 부서로", 1, "- ※ 문의는 부서로")]
    for text, offset, item in cases:
        assert joined(text, text.split("\n")[1]), text
        (warning,) = notice_warnings(with_body(f"머리말입니다.\n\n{text}\n"), "n.md")
        assert warning == f"n.md:{11 + offset}: " + JOINED.format(item=item), text
    lead, *items = cases[0][0].split("\n")
    assert not joined(f"{lead}\n\n" + "\n".join(items), items[0])  # what it says to write is a list
    assert not joined("준비물\n\n1. 신청서 작성\n2. 제출", "2. 제출") and not joined("- 기간: 12월\n\n- ※ 문의", "- ※ 문의")
    # a list after an empty line or a heading, a line broken on purpose, an item's own lines, fenced code
    # and words that only start with such a mark are no list run together
    kept = ("## 신청 방법\n- 기간\n- 장소\n\n문의  \n- 전화\n\n- 가\n  - 나\n  계속\n\n```\n준비물\n1) 코드\n```\n\n"
            "○○동 주민센터에서\n가나다 순서로\n-5도까지 내려갑니다\n")
    assert notice_warnings(with_body(kept), "n.md") == []


def test_check_says_a_list_run_together_in_korean_at_its_line(project_dir, cli, monkeypatch):
    monkeypatch.setenv("SOTONG_LANG", "ko")
    notice = project_dir / "content" / "notices" / "2026-11-05-kimjang-sharing.md"
    text = notice.read_text(encoding="utf-8")
    notice.write_text(text + "\n신청 방법\n1) 신청서 작성\n2) 주민센터에 제출\n", encoding="utf-8")
    result = cli(project_dir, "check")
    assert result.code == 0, result.output
    line = text.count("\n") + 3
    assert f"content/notices/2026-11-05-kimjang-sharing.md:{line}: 주의: 누리집과 이메일에서 이 줄부터의 목록이 앞뒤 줄과 " \
           "이어 붙어 한 문단으로 나옵니다(빈 줄 다음에 줄마다 - 나 1.로 시작해야 목록이 됩니다). 목록 위에 빈 줄을 넣고 " \
           "항목마다 이렇게 시작하세요: 1. 신청서 작성" in result.stderr.splitlines(), result.stderr


def test_words_in_angle_brackets_markdown_reads_as_a_tag_are_warned_with_what_to_write():
    """<www.sd.go.kr>, <NEW> and <성동 Festival>, as Korean documents bracket
    titles and addresses, are HTML tags to Markdown, of no element: the
    sanitizer left them out of the page and the email, and check said nothing."""
    from sotong.markup import markdown_html

    body = ("신청: <www.sd.go.kr/apply> 에서\n\n<NEW> 겨울 축제\n\n<Seongdong Festival> 안내\n\n"
            "<https://www.sd.go.kr> <hong@sd.go.kr> <b>굵게</b> <font color=red>빨강</font> <o:p></o:p> <1반> a <3 b\n\n"
            "`<NEW>` 는 코드\n")
    for lost in ("www.sd.go.kr", "NEW", "Seongdong"):
        assert lost not in markdown_html("\n\n".join(body.split("\n\n")[:3]))
    said = "warning: Markdown reads {tag} as an HTML tag, so the page and the email leave it out; write it as {instead}"
    assert notice_warnings(with_body(body), "n.md") == [
        "n.md:9: " + said.format(tag="<www.sd.go.kr/apply>", instead="<https://www.sd.go.kr/apply>"),
        "n.md:11: " + said.format(tag="<NEW>", instead="〈NEW〉"),
        "n.md:13: " + said.format(tag="<Seongdong Festival>", instead="〈Seongdong Festival〉")]
    for written in ("<https://www.sd.go.kr/apply>", "〈NEW〉", "〈Seongdong Festival〉"):  # what it says to write is shown
        assert written.strip("<>〈〉") in markdown_html(written)


def test_a_notice_dated_more_than_a_year_ahead_is_warned_with_the_date_a_slip_of_the_year_meant():
    """2062 typed for 2026, or next year's for this year's: the notice showed
    on no page and went in no issue for years, and check said nothing."""
    today = dt.date(2026, 12, 3)

    def dated(*when):
        return dataclasses.replace(with_body("본문\n"), date=dt.datetime(*when, tzinfo=SEOUL), lines={"date": 3})

    said = ("n.md:3: warning: this notice is dated {date}, more than a year after today (2026-12-03), so it shows on no "
            "page and goes in no issue until then; if the year is a slip, write date: {instead}")
    assert notice_warnings(dated(2062, 12, 10), "n.md", today=today) == [said.format(date="2062-12-10", instead="2026-12-10")]
    assert notice_warnings(dated(2027, 12, 10, 14, 30), "n.md", today=today) == [
        said.format(date="2027-12-10 14:30", instead="2026-12-10 14:30")]
    assert notice_warnings(dated(2028, 3, 1), "n.md", today=today) == [said.format(date="2028-03-01", instead="2027-03-01")]
    for near in ((2027, 12, 3), (2027, 12, 2, 14, 30), (2027, 1, 5), (2026, 12, 3), (2025, 12, 10)):
        assert notice_warnings(dated(*near), "n.md", today=today) == [], near
    assert notice_warnings(dated(2062, 12, 10), "n.md") == []  # no today, no warning


def test_a_picture_too_heavy_for_a_phone_is_warned_at_its_line(project_dir, cli, monkeypatch):
    """A photo pasted as the camera saved it (18MB) passed check in silence:
    a resident's phone fetches it whole, on its data, to show the notice."""
    monkeypatch.setenv("SOTONG_LANG", "ko")
    images = project_dir / "content" / "images"
    picture = png(40, 30)  # and bytes after its end, as a camera's photo weighs
    (images / "김장 사진.png").write_bytes(picture + bytes(2_400_000 - len(picture)))
    (images / "light.png").write_bytes(picture + bytes(1_000_000 - len(picture)))
    notice = project_dir / "content" / "notices" / "2026-11-05-kimjang-sharing.md"
    text = notice.read_text(encoding="utf-8").replace("image: images/kimjang.svg", "image: images/김장 사진.png")
    notice.write_text(text + "\n![김장 나눔 현장](<{static}/images/김장 사진.png>)\n\n![작은 그림]({static}/images/light.png)\n",
                      encoding="utf-8")
    result = cli(project_dir, "check")
    assert result.code == 0, result.output
    said = ("content/notices/2026-11-05-kimjang-sharing.md:{line}: 주의: 그림 {target}은(는) 2.4MB라, 주민의 휴대전화가 "
            "공지를 열 때마다 그만큼을 받습니다(느리고 데이터 요금이 듭니다). 1MB보다 작게 저장하세요(예: 가로 1200픽셀 JPEG)")
    body_line = text.count("\n") + 2
    warned = [line for line in result.stderr.splitlines() if "MB라" in line]
    assert warned == [said.format(line=8, target="images/김장 사진.png"),
                      said.format(line=body_line, target="{static}/images/김장 사진.png")], result.stderr


NOT_LINKED = "warning: the address {address} is shown as words, not as a link a resident can tap; write it as {instead}"


def not_linked(line: int, address: str, instead: str | None = None) -> str:
    """The warning of ``address`` shown as words at ``line`` of n.md; ``instead``: <https://address> unless given."""
    return f"n.md:{line}: " + NOT_LINKED.format(address=address, instead=instead or "<https://" + address.removeprefix("https://") + ">")


def test_an_address_shown_as_text_no_one_can_tap_is_warned_with_the_link_to_write():
    """An address pasted from HWP as it is, or a link typed with a blank or
    the full-width brackets of a Korean keyboard between ] and (, showed on
    the page as words a resident could not tap, and check said nothing."""
    from sotong.markup import markdown_html

    body = ("신청: https://www.sd.go.kr/apply 에서 하세요.\n\n"
            "자세한 내용은 www.sd.go.kr/notice에서 보세요.\n\n"
            "[신청하기] (https://www.sd.go.kr/apply)\n\n"
            "[신청하기]（https://www.sd.go.kr/apply）\n\n"
            "[신청](https://www.sd.go.kr/a) <https://www.sd.go.kr/b> <a href=\"https://www.sd.go.kr/c\">https://www.sd.go.kr/c</a> "
            "`https://www.sd.go.kr/d` ![그림](https://www.sd.go.kr/e.png) [https://www.sd.go.kr/f](https://www.sd.go.kr/f)\n\n"
            "[문의처]: https://www.sd.go.kr/g\n")
    assert notice_warnings(with_body(body), "n.md") == [
        not_linked(9, "https://www.sd.go.kr/apply"),
        not_linked(11, "www.sd.go.kr/notice", "<https://www.sd.go.kr/notice>"),
        not_linked(13, "[신청하기] (https://www.sd.go.kr/apply)", "[신청하기](https://www.sd.go.kr/apply)"),
        not_linked(15, "[신청하기]（https://www.sd.go.kr/apply）", "[신청하기](https://www.sd.go.kr/apply)"),
        "n.md:19: warning: Markdown reads this line as a link's address ([문의처]: ...), so it shows on no page and in no "
        "email; if it is text, write it without the colon right after ], e.g. [문의처] https://www.sd.go.kr/g"]
    for line in body.split("\n\n")[:4]:
        assert "<a href" not in markdown_html(line), line
    for written in ("<https://www.sd.go.kr/apply>에서", "[신청하기](https://www.sd.go.kr/apply)"):  # what it says is a link
        assert '<a href="https://www.sd.go.kr/apply"' in markdown_html(written)


def test_an_address_written_without_its_beginning_is_warned_of_but_not_a_files_name():
    """``위택스(wetax.go.kr)`` and ``naver.me/5abc``, pasted without https:// or
    www., were shown as words no resident can tap, and check said nothing;
    file names that end like a domain (신청서.hwp, readme.md: .md is one)
    and email addresses are no addresses to link."""
    from sotong.markup import markdown_html

    body = ("세금은 위택스(wetax.go.kr)에서 내세요.\n\n"
            "신청: naver.me/5abc, 문의 SD.GO.KR/contact\n\n"
            "신청서.hwp, 안내.pdf, readme.md, 사진.zip 파일과 sotong@sd.go.kr 로 보내 주세요.\n\n"
            "[위택스](https://wetax.go.kr) `sd.go.kr` <https://sd.go.kr>\n\n"
            "```\nsd.go.kr 코드 블록\n```\n")
    assert notice_warnings(with_body(body), "n.md") == [
        not_linked(9, "wetax.go.kr"),
        not_linked(11, "naver.me/5abc"),
        not_linked(11, "SD.GO.KR/contact")]
    for line in body.split("\n\n")[:2]:
        assert "<a href" not in markdown_html(line), line  # shown as words indeed
    assert '<a href="https://wetax.go.kr">' in markdown_html("위택스(<https://wetax.go.kr>)에서")  # what it says to write


@given(st.text(alphabet="가나다라신청서안내abcXYZ019_-", min_size=1, max_size=12),
       st.sampled_from(sorted(__import__("sotong.text_links", fromlist=["FILE_ENDINGS"]).FILE_ENDINGS)),
       st.sampled_from(["", "을 받으세요", " 파일", ")"]))
def test_a_files_name_is_never_taken_for_an_address(name, ending, after):
    from sotong.text_links import bare_addresses

    assert bare_addresses(f"첨부: {name}.{ending}{after}") == []


def test_a_text_wholly_in_curly_or_full_width_quotes_is_warned_with_the_line_to_write():
    """title: “김장 나눔 자원봉사자 모집”, quoted as a word processor quotes
    (or a Korean keyboard's ＂), was published with its quotes on every page,
    email and text message, and check said nothing."""
    notice = dataclasses.replace(with_body("본문\n"), title="“김장 나눔 자원봉사자 모집”", summary="＂신청: 12월 10일까지＂",
                                 sms="‘김장 나눔’", lines={"title": 2, "summary": 7, "sms": 8})
    said = ("n.md:{line}: warning: {key} is in quotes as a word processor or a Korean keyboard writes them ({quotes}), "
            "which show as part of it on the site and in the messages; write it without them: {key}: {value}")
    assert notice_warnings(notice, "n.md") == [
        said.format(line=2, key="title", quotes="“ ”", value="김장 나눔 자원봉사자 모집"),
        said.format(line=7, key="summary", quotes="＂ ＂", value='"신청: 12월 10일까지"'),  # YAML's quotes, as a colon needs
        said.format(line=8, key="sms", quotes="‘ ’", value="김장 나눔")]
    for kept in ("“나눔” 행사", "「김장 나눔」", "“김장” 나눔 “행사”", '"김장"'):
        assert notice_warnings(dataclasses.replace(notice, title=kept, summary=None, sms=None), "n.md") == [], kept


def test_a_date_written_with_points_at_the_start_of_a_block_is_warned_with_the_line_to_write():
    """"2026. 12. 10.(목) 14:00", as HWP writes a day, at the start of an item
    or a paragraph is two numbered lists to Markdown (2026., then 12.): the
    page and the email showed list numbers and "10.(목) 14:00"."""
    body = ("## 일시\n2026. 12. 10.(목) 14:00 ~ 16:00\n\n- 12. 17.(목) 14:00\n- 일시: 2026. 12. 24.(목)\n\n"
            "접수는\n2026. 12. 10.(목)까지입니다.\n\n1. 신청서 작성\n2. 제출\n\n2026.12.10.(목) 접수\n")
    said = ("n.md:{line}: warning: Markdown reads the date {date} at the start of this line as numbered lists, so the "
            "page and the email show it broken; write it as {instead}")
    assert notice_warnings(with_body(body), "n.md") == [
        said.format(line=10, date="2026. 12. 10.", instead="2026년 12월 10일(목) 14:00 ~ 16:00"),
        said.format(line=12, date="12. 17.", instead="- 12월 17일(목) 14:00")]
    shown = {text: "<ol" in as_markdown_renders(text) for text in ("2026. 12. 10.(목) 14:00", "- 12. 17.(목) 14:00",
                                                                   "2026년 12월 10일(목) 14:00", "- 12월 17일(목) 14:00")}
    assert list(shown.values()) == [True, True, False, False], shown  # what it says to write is no list


def test_a_paragraph_indented_as_hwp_indents_it_is_warned_as_shown_as_code():
    """A paragraph pasted from HWP with its first line indented (four
    blanks or a tab) was a box of code to Markdown: typewriter letters, its
    list marks and phone numbers as typed, and check said nothing."""
    body = ("안내입니다.\n\n    올해 김장 나눔 행사를 엽니다.\n    둘째 줄\n\n중간 문단\n\n\t- 항목 하나\n\n- 목록\n\n    목록의 둘째 문단\n\n"
            "```\n    코드\n```\n")
    said = ("n.md:{line}: warning: this line starts with four blanks or a tab, so the page and the email show it and the "
            "lines under it as a box of code, in typewriter letters; delete the blanks before it: {text}")
    assert notice_warnings(with_body(body), "n.md") == [said.format(line=11, text="올해 김장 나눔 행사를 엽니다."),
                                                         said.format(line=16, text="- 항목 하나")]
    assert "<pre>" in as_markdown_renders(body.split("\n\n")[1])
    assert "<pre>" not in as_markdown_renders("올해 김장 나눔 행사를 엽니다.\n둘째 줄")  # as it says to write


@given(st.sampled_from(["NEW", "www.sd.go.kr", "sd.go.kr/apply", "Seongdong Festival", "b", "span", "font color=red",
                        "script", "o:p", "참고", "1반", "https://www.sd.go.kr", "hong@sd.go.kr", "x-y", "B", "br",
                        "details", "main", "svg"]),
       st.sampled_from(["", "굵게", "김장 나눔"]))
def test_words_in_angle_brackets_are_warned_of_exactly_when_the_page_leaves_them_out(inside, after):
    """The brute-force reading of :func:`sotong.markup.tags_of_no_element`:
    rendered as the site renders it, are the words in <> gone from the page?"""
    from sotong.markup import html_text, markdown_html

    name = inside.split(" ")[0]
    line = f"안내 <{inside}>{after}</{name}> 끝" if after else f"안내 <{inside}> 끝"
    shown = markdown_html(line)
    gone = name.split(":")[-1] not in html_text(shown) + str(shown)  # neither shown nor kept as a tag or a link
    if name.lower() in HTML_ELEMENTS or ":" in name:
        assert tags_of_no_element(line) == [], line  # markup (a link, a word processor's <o:p>), left out on purpose
    else:
        assert bool(tags_of_no_element(line)) == gone, line


@given(st.lists(st.sampled_from(["안내 문장입니다.", "- 기간: 12월", "1. 신분증", "1) 작성", "• 장소", "○ 대상", "※ 참고",
                                 "", "## 제목", "① 첫째", "가. 하나"]), max_size=8))
def test_a_list_is_warned_of_as_run_together_only_where_the_page_runs_it_into_the_line_above(lines):
    """The brute-force reading of the run-together lists' warning: rendered
    as the site renders it, the warned line or the one under it shows after
    a line break inside one paragraph or item, not as a list's own item."""
    shown = as_markdown_renders("\n".join(lines))
    for warning in notice_warnings(with_body("\n".join(lines)), "n.md"):
        if "has no text below its header" in warning:  # the lines drawn: none, or only empty ones
            continue
        index = int(warning.split(":")[1]) - 9
        assert any("\n" + line in shown for line in lines[index:index + 2] if line), (warning, shown)


@given(st.lists(st.sampled_from(["2026. 12. 10.(목) 14:00", "- 12. 17.(목)", "접수는", "3. 5. 접수", "", "## 일시",
                                 "2026.12.10. 접수", "- 일시: 2026. 12. 24."]), max_size=6))
def test_a_pointed_date_is_warned_of_only_where_the_page_shows_it_as_numbered_lists(lines):
    """The brute-force reading of the pointed dates' warning: rendered as the
    site renders it, the warned date is not on the page as written (its
    numbers are those of lists), and every other is."""
    shown = as_markdown_renders("\n".join(lines))
    warned = [warning.split("the date ")[1].split(" at the start")[0]
              for warning in notice_warnings(with_body("\n".join(lines)), "n.md") if "numbered lists" in warning]
    for date in ("2026. 12. 10.", "12. 17.", "3. 5.", "2026. 12. 24."):
        written = sum(line.count(date) for line in lines)
        assert shown.count(date) == written - warned.count(date), (date, warned, shown)


# how to write a link, a contact line, a table and a picture, as a notice shows it in a code block or in backticks
CODE_EXAMPLES = ("[여기](https://www.sd.go.kr/form)\n[문의]: 02-2286-5000\n| 구분 | 장소 |\n| 1차 | 보건소 |\n"
                 "구분\t장소\n1차\t보건소\n![]({static}/images/poster.png)")


def test_text_in_code_is_shown_as_written_and_warned_of_by_no_check():
    """An example of how to write a link, a contact line, a table or a
    picture, shown in a code block (``` or ~~~) or in backticks, is shown as
    written, as its writer meant: check warned of its [여기](...) as a vague
    link, its [문의]: ... as a line that vanishes, its rows as tables without
    their --- and its ![](...) as a picture without words."""
    body = (f"링크는 이렇게 씁니다.\n\n```\n{CODE_EXAMPLES}\n```\n\n~~~markdown\n{CODE_EXAMPLES}\n~~~\n\n"
            "`[여기](https://www.sd.go.kr/form)`나 ``![](x.png)``처럼 쓰지 마세요.\n")
    shown = as_markdown_renders(body)
    assert "<a " not in shown and "<img" not in shown and "<table" not in shown and "02-2286-5000" in shown
    assert notice_warnings(with_body(body), "n.md") == []


def test_text_in_an_indented_code_block_is_warned_of_only_as_indented():
    """A block indented four blanks after an empty line is code to Markdown,
    shown as written: its first line is warned of as indented (what HWP
    pastes), and nothing in it as a link, a line that vanishes, a table or
    a picture. The same indent under a list's item is its own paragraph, read as text."""
    from sotong.markup import markdown_html

    body = "예시입니다.\n\n" + "\n".join("    " + line for line in CODE_EXAMPLES.split("\n")) + "\n"
    shown = as_markdown_renders(body)
    assert "<a " not in shown and "<img" not in shown and "<table" not in shown and "02-2286-5000" in shown
    (warning,) = notice_warnings(with_body(body), "n.md")
    assert warning.startswith("n.md:11: warning: this line starts with four blanks or a tab"), warning
    item = "- 신청\n\n    [여기](https://www.sd.go.kr/form) <NEW>\n"  # an item's own paragraph, read as text
    assert "<pre>" not in as_markdown_renders(item) and "NEW" not in markdown_html(item)
    warnings = notice_warnings(with_body(item), "n.md")
    assert len(warnings) == 2 and 'n.md:11: warning: the link "여기"' in warnings[0], warnings
    assert warnings[1].startswith("n.md:11: warning: Markdown reads <NEW> as an HTML tag"), warnings


def test_what_code_shows_neither_hides_nor_uses_what_is_outside_it():
    """Out of code the warnings stay: a vague link and a picture without
    words after a code block, and a contact line that only a code block's
    [문의] would use (code uses no reference: the line shows nowhere)."""
    body = ("```\n[문의]를 보세요.\n```\n\n`[문의]`를 보세요. [여기](https://www.sd.go.kr/form)\n\n"
            "[문의]: 02-2286-5000\n\n![]({static}/images/poster.png)\n")
    assert "2286-5000" not in as_markdown_renders(body)
    warnings = notice_warnings(with_body(body), "n.md")
    assert [warning.split(": warning: ")[0] for warning in warnings] == ["n.md:13", "n.md:15", "n.md:17"], warnings
    assert 'the link "여기"' in warnings[0] and "([문의]: ...)" in warnings[1] and "says in no words" in warnings[2]


def test_backticks_that_fence_no_code_hide_nothing_after_them():
    """A line starting ```코드``` is a code span, and a fence left open (one
    ``` typed alone, or its closing one forgotten) fences nothing: Markdown
    shows what follows as text, links, pictures and all, and so do the
    warnings read it."""
    body = "```코드``` 예시\n\n[여기](https://www.sd.go.kr/form)\n\n```\n\n![]({static}/images/poster.png)\n"
    shown = as_markdown_renders(body)
    assert "<pre>" not in shown and ">여기</a>" in shown and "<img" in shown
    warnings = notice_warnings(with_body(body), "n.md")
    assert [warning.split(": warning: ")[0] for warning in warnings] == ["n.md:11", "n.md:15"], warnings
    assert "<img" in as_markdown_renders("```\n\n![]({static}/images/poster.png)\n")
    (warning,) = notice_warnings(with_body("```\n\n![]({static}/images/poster.png)\n"), "n.md")
    assert warning.startswith("n.md:11: warning: the picture {static}/images/poster.png says in no words"), warning


def test_a_fence_is_closed_only_by_the_same_fence():
    """Code fenced with ~~~ that shows a ``` line (how to fence code) goes on
    to the closing ~~~, as Markdown reads it: what follows the ``` is code,
    warned of by no check; after the ~~~, text again."""
    body = ("~~~\n```\n[여기](https://www.sd.go.kr/form)\n![](x.png)\n~~~\n\n"
            "````\n```\n[여기](https://www.sd.go.kr/form)\n````\n\n[여기](https://www.sd.go.kr/form)\n")
    shown = as_markdown_renders(body)
    assert shown.count("<pre>") == 2 and shown.count("<a ") == 1 and "<img" not in shown
    warnings = notice_warnings(with_body(body), "n.md")
    assert [warning.split(": warning: ")[0] for warning in warnings] == ["n.md:20"], warnings


def test_a_link_whose_words_are_in_code_letters_is_still_a_link():
    """[`여기`](...) is a link (its words in code's letters), not code: its
    words say nothing of where it leads, as [여기](...)'s; `[여기](...)` is code."""
    body = "신청서는 [`여기`](https://www.sd.go.kr/form)에서, 쓰는 법은 `[여기](https://www.sd.go.kr/form)`입니다.\n"
    assert as_markdown_renders(body).count("<a ") == 1
    (warning,) = notice_warnings(with_body(body), "n.md")
    assert warning.startswith('n.md:9: warning: the link "여기" says nothing of where it leads'), warning


@given(words=st.lists(st.text(st.sampled_from("가나다abc1"), min_size=1, max_size=12), min_size=1, max_size=12),
       most=st.integers(min_value=2, max_value=80))
def test_the_first_words_that_fit_are_the_longest_run_of_whole_words_within_the_bytes(words, most):
    """Brute force: every run of the first k words, the longest within
    ``most`` CP949 bytes; a first word too long alone is cut letter by letter."""
    from plugins.bundles.sms_advice import first_words

    text = " ".join(words)
    fitting = [" ".join(words[:k]) for k in range(1, len(words) + 1) if len(" ".join(words[:k]).encode("cp949")) <= most]
    if fitting:
        assert first_words(text, most) == fitting[-1]
    else:
        cut = first_words(text, most)
        assert words[0].startswith(cut) and byte_length(cut) <= most < byte_length(words[0][:len(cut) + 1])


def test_full_width_letters_in_a_text_that_is_an_lms_are_named_with_their_ordinary_forms(tmp_path):
    """ＳＤ, １２월 (a Korean keyboard's full-width mode, HWP) take 2 bytes
    each; nothing said so, and "a Korean letter is 2 bytes, a space 1" did
    not explain the count."""
    sms = "ＳＤ 김장 나눔 １２월 ３일 접수 마감 성동구청 ２층 대강당에서"
    (warning,) = lms_advice(tmp_path, wide=f"title: 김장\nsms: {sms}")
    assert warning.endswith("; Ｓ Ｄ １ ２ ３ are full-width, 2 bytes each: written as S D 1 2 3 they take 1 each")
    over = int(warning.split("shorten the sms line by ")[1].split(" bytes")[0])
    (narrow,) = lms_advice(tmp_path / "narrow", wide="title: 김장\nsms: SD 김장 나눔 12월 3일 접수 마감 성동구청 2층 대강당에서")
    assert int(narrow.split("shorten the sms line by ")[1].split(" bytes")[0]) == over - 6  # a byte less for each
    assert "full-width" not in narrow
