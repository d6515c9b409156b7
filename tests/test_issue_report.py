"""``sotong report --issue D`` (SPEC §14) from a journal filled the real way:
emails sent to aiosmtpd (one refused), late bounces read from a Maildir, the
SMS agency's results imported, clicks made over HTTP on the collector, and a
survey's invitations; the CSV's figures per notice, type, channel and total,
the HTML with its chart; ``sotong send report`` with late bounces."""

from __future__ import annotations

import csv
import http.client
import mailbox
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bounce_mails import postfix_dsn
from project_support import copy_project, project_on, serving
from delivery_support import (PHONE_BROWSER, SMTPServer, ScriptedHandler, add_subscribers, address_of, make_outbox, phone_of, run_cli,
                              send_outbox)
from delivery.issue_report import Figures, issue_report, notice_clicks, write_issue_report
from delivery.verp import make_return_path
from hypothesis import given, settings
from hypothesis import strategies as st
from survey import storage
from survey.rules import survey_token

from sotong.links import click_url, short_codes, sms_link_notices
from sotong.project import Project
from sotong.spreadsheet import restored
from sotong.store import Store
from sotong.web import make_app

ISSUE = "2026-11-26"
COLD, CONCERT = "2026-11-21-cold-wave-warning", "2026-11-19-year-end-concert"
EMAIL, TEXT = "이메일", "문자(SMS·LMS)"  # the channels as the report names them
SURVEY = "library-satisfaction"


def click(port: int, url: str, times: int = 1) -> None:
    for _ in range(times):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", urlsplit(url).path, headers={"User-Agent": PHONE_BROWSER})
        assert connection.getresponse().status == 303
        connection.close()


@pytest.fixture(scope="module")
def reported(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("issue"), extra_settings=(
        'BOUNCE_ADDRESS = "bounces@sd.go.kr"\nBOUNCE_MAILDIR = "private/bounces"\nCLICK_COUNTING = True\n'
        'SEND_RATE = 2000\nDELIVERY = {"max_attempts": 1}\n'))
    settings = project / "pelicanconf.py"
    ids = add_subscribers(project / "private" / "sotong.db", 6)
    make_outbox(project / "private" / "outbox", ISSUE, ids[:4], [COLD, CONCERT], sms={ids[4]: "SMS", ids[5]: "LMS"})
    handler = ScriptedHandler()
    handler.refuse[address_of(ids[3])] = "550 5.1.1 no such user"
    with SMTPServer(handler) as server:
        sent = run_cli(settings, "send", "--issue", ISSUE, "--host", "127.0.0.1", "--port", str(server.port))
    assert "3 sent, 1 failed" in sent.output, sent.output
    box = mailbox.Maildir(str(project / "private" / "bounces"), create=True)
    box.add(postfix_dsn(make_return_path("bounces@sd.go.kr", ids[0], ISSUE), address_of(ids[0]), serial=1))
    box.add(postfix_dsn(make_return_path("bounces@sd.go.kr", ids[1], ISSUE), address_of(ids[1]), serial=2,
                        status="4.2.2", action="delayed", diagnostic="smtp; 452 4.2.2 Mailbox full"))
    assert run_cli(settings, "bounces").code == 0
    # make_outbox numbers the phones of sms.csv from 1
    (project / "results.csv").write_text(f"phone,status,code,time\n{phone_of(1)},delivered,1000,2026-11-26 09:00\n"
                                         f"{phone_of(2)},failed,2001,2026-11-26 09:01\n", encoding="utf-8")
    assert run_cli(settings, "send", "results", "--issue", ISSUE, str(project / "results.csv")).code == 0
    store = storage.ensure(Store.open(project / "private" / "sotong.db"))
    for subscriber_id in ids[:4]:  # ids[0] bounced hard, ids[3] was refused: 2 invitations reached
        storage.record_invitation(store, SURVEY, subscriber_id, ISSUE)
    for subscriber_id in (ids[3], ids[4], ids[5], "S-earlier"):
        storage.record_invitation(store, SURVEY, subscriber_id, "2026-11-12")
    for subscriber_id in (ids[1], ids[3], ids[4], ids[5], "S-earlier"):  # the survey is anonymous: by token only
        storage.store_response(store, SURVEY, {"q1": ("5",)}, ISSUE, token=survey_token(SURVEY, subscriber_id),
                               subscriber_id=None)
    store.close()
    loaded = Project(settings)
    code = short_codes(sms_link_notices(loaded.published_notices))[COLD]
    with serving(make_app(loaded)) as port:
        click(port, click_url(loaded.settings, ISSUE, "email", COLD, ""), times=3)
        click(port, click_url(loaded.settings, ISSUE, "sms", code, ""))
    ran = run_cli(settings, "report", "--issue", ISSUE)
    assert ran.code == 0, ran.output
    return project, ran


def csv_rows(project: Path) -> dict:
    with open(project / "private" / "reports" / f"issue-{ISSUE}.csv", encoding="utf-8-sig", newline="") as file:
        return {(row["Table"], row["Notice slug"] or row["Item"], row["Channel"]): row for row in csv.DictReader(file)}


def figures(row: dict) -> tuple:
    return tuple(row[name] for name in ("Messages", "Accepted by the mail server", "Refused", "Bounced for good",
                                        "Bounced for now", "SMS delivered", "SMS failed", "Clicks", "Click rate"))


def test_a_hard_bounce_after_acceptance_leaves_the_reached_once(reported):
    """ids[0]'s email was accepted, then bounced hard: it stays among the
    accepted and leaves the reached (3 - 1 = 2), counted once; the soft
    bounce stays reached; the SMS the agency reported failed leaves it."""
    project, _ran = reported
    rows = csv_rows(project)
    assert rows["notice", COLD, EMAIL]["Item"] == "한파주의보 발령 — 수도 계량기 동파와 빙판길에 주의하세요"  # was the slug
    assert (rows["notice", COLD, EMAIL]["Accepted by the mail server"], rows["notice", COLD, EMAIL]["Reached (estimate)"]) == ("3", "2")
    assert rows["by channel", TEXT, TEXT]["Reached (estimate)"] == "1"
    assert rows["total", "합계", ""]["Reached (estimate)"] == "3"
    html = (project / "private" / "reports" / f"issue-{ISSUE}.html").read_text(encoding="utf-8")
    assert "받는 분께 닿은 것으로 보이는 메시지(도달 추정)는 3건입니다." in html
    assert '<th scope="col" class="n">도달 추정</th>' in html
    # the bounces and the notices are named as sotong bounces and sotong reach name them
    assert '<th scope="col" class="n">영구 반송</th>' in html and "하드" not in html and "소프트" not in html
    assert '<h2 id="by-notice">공지별 결과</h2>' in html


def test_per_notice_and_channel(reported):
    project, ran = reported
    rows = csv_rows(project)
    assert figures(rows["notice", COLD, EMAIL]) == ("4", "3", "1", "1", "1", "0", "0", "3", "1.5000")
    assert figures(rows["notice", COLD, TEXT]) == ("2", "0", "0", "0", "0", "1", "1", "1", "1.0000")
    assert figures(rows["notice", CONCERT, EMAIL]) == ("4", "3", "1", "1", "1", "0", "0", "0", "0.0000")
    assert figures(rows["notice", CONCERT, TEXT]) == ("1", "0", "0", "0", "0", "0", "1", "0", "")


def test_the_answer_rate_counts_the_answers_of_the_readers_the_issue_invited(reported):
    """5 answers in all, 4 of readers this issue did not invite or whose
    invitation never reached them (refused, bounced hard): the issue's rate
    is 1 of its 2 invitations that reached, not 5 of 4 (125%)."""
    project, _ran = reported
    html = (project / "private" / "reports" / f"issue-{ISSUE}.html").read_text(encoding="utf-8")
    row = re.search(r"2026 성동구립도서관 이용자 만족도 조사</th>(.*?)</tr>", html, re.S).group(1)
    assert re.findall(r'<td class="n">([^<]*)</td>', row) == ["2", "1", "50.0%"]
    assert '<th scope="col" class="n">그 가운데 응답한 분</th>' in html
    assert "125.0%" not in html


def test_by_type_channel_and_total(reported):
    project, ran = reported
    rows = csv_rows(project)
    assert figures(rows["by type", "이메일", ""]) == ("4", "3", "1", "1", "1", "0", "0", "", "")
    assert figures(rows["by type", "SMS(단문)", ""]) == ("1", "0", "0", "0", "0", "1", "0", "", "")
    assert figures(rows["by type", "LMS(장문)", ""]) == ("1", "0", "0", "0", "0", "0", "1", "", "")
    assert figures(rows["by channel", TEXT, TEXT]) == ("2", "0", "0", "0", "0", "1", "1", "1", "1.0000")
    assert figures(rows["total", "합계", ""]) == ("6", "3", "1", "1", "1", "1", "1", "4", "1.3333")
    survey = rows["survey", "2026 성동구립도서관 이용자 만족도 조사", ""]
    assert (survey["Survey invitations that reached"], survey["Survey answers"]) == ("2", "1")
    assert (f"{ISSUE}: 6 messages (4 emails, 2 SMS); emails 3 accepted, 1 refused, 0 not sent yet, 1 bounced hard and 1 soft;"
            " SMS 1 delivered and 1 failed; 4 clicks.") in ran.output


def test_the_html_has_a_described_chart_and_captioned_tables(reported):
    project, _ran = reported
    html = (project / "private" / "reports" / f"issue-{ISSUE}.html").read_text(encoding="utf-8")
    assert '<svg role="img" aria-labelledby="chart-title chart-desc"' in html
    assert "발송 6건, 클릭 4회" in html  # the cold-wave notice: 4 emails and 2 SMS
    widths = [float(w) for w in re.findall(r'<rect class="handed" [^>]*width="([0-9.]+)"', html)]
    assert max(widths) <= 720 - 260 - 80  # the longest bar fits, its figure beside it
    assert html.count("<caption id=") == 3
    assert "@" not in html.replace("@media", "") and "010-" not in html


def test_send_report_shows_the_late_bounces_and_sms_results(reported):
    project, _ran = reported
    ran = run_cli(project / "pelicanconf.py", "send", "report", "--issue", ISSUE)
    assert "SMS results from the agency: 1 delivered, 1 failed." in ran.output
    assert "Late bounces and SMS failures (3: 2 hard, 1 soft" in ran.output


def test_the_report_needs_the_journal_and_one_of_year_or_issue(tmp_path):
    copy_project(tmp_path)
    assert run_cli(tmp_path / "pelicanconf.py", "db", "upgrade").code == 0  # a store, nothing sent yet
    missing = run_cli(tmp_path / "pelicanconf.py", "report", "--issue", ISSUE)
    assert missing.code == 1 and f"nothing of {ISSUE} is in the journal yet" in missing.output
    both = run_cli(tmp_path / "pelicanconf.py", "report", "--issue", ISSUE, "--year", "2026")
    assert both.code == 2 and "give --year YYYY, --issue YYYY-MM-DD or --notice SLUG (one of them)" in both.output


def test_click_rate_is_clicks_over_messages_that_arrived():
    email = Figures(messages=10, accepted=8, refused=2, bounced_hard=2, clicks=3)
    assert email.reached == 6 and email.click_rate == 0.5
    sms = Figures(messages=4, sms_handed_over=4, sms_delivered=3, sms_failed=1, clicks=3)
    assert sms.reached == 3 and sms.click_rate == 1.0
    unreported = Figures(messages=4, sms_handed_over=4, clicks=2)
    assert unreported.reached == 4 and unreported.click_rate == 0.5
    both = Figures(messages=14, accepted=8, refused=2, bounced_hard=2, sms_handed_over=4, sms_failed=1, clicks=9)
    assert both.reached == 6 + 3 and both.click_rate == 1.0
    report = issue_report(ISSUE, [], [], {}, {}, [])
    assert report.total.click_rate is None and report.notices == []


def test_a_title_that_looks_like_a_formula_is_written_as_text_quoted_once(tmp_path):
    titles = ["-3% 절약 캠페인 설문", "=HYPERLINK(\"x\")", "+1 제안", "@성동", "김장 나눔"]
    surveys = [{"title": title, "invitations": 4, "answers": 1} for title in titles]
    _html, written = write_issue_report(issue_report(ISSUE, [], [], {}, {}, surveys), tmp_path, "성동소통")
    with written.open(encoding="utf-8-sig", newline="") as file:
        cells = [row["Item"] for row in csv.DictReader(file) if row["Table"] == "survey"]
    assert cells == ["'-3% 절약 캠페인 설문", "'=HYPERLINK(\"x\")", "'+1 제안", "'@성동", "김장 나눔"]
    assert [restored(cell) for cell in cells] == titles


def test_the_csv_speaks_the_staffs_korean_and_names_a_notice_by_its_title(tmp_path, monkeypatch):
    """Staff open the CSV in Excel: its header, tables, channels and types
    are the page's words (they were keys: table, bounced_hard, email, EMAIL),
    a notice is named by its title beside its slug (was the slug alone), and
    a title written like a formula stays text."""
    monkeypatch.setenv("SOTONG_LANG", "ko")
    notice_rows = [(COLD, "email", "EMAIL", 2, 2, 0, 0, 0, 0, 0, 0, 0)]
    message_rows = [("email", "EMAIL", 2, 2, 0, 0, 0, 0, 0, 0, 0)]
    report = issue_report(ISSUE, notice_rows, message_rows, {("email", COLD): 3}, {COLD: '=HYPERLINK("x") 한파'},
                          [{"title": "도서관 만족도", "invitations": 2, "answers": 1}])
    _html, written = write_issue_report(report, tmp_path, "성동소통")
    raw = written.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads the Korean
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0] == ["구분", "항목", "공지 slug", "받는 방법", "유형", "메시지", "메일 서버 접수", "발송 실패", "아직 못 보냄",
                       "영구 반송", "일시 반송", "문자 도달", "문자 실패", "대행사에 넘긴 문자", "클릭", "도달 추정", "클릭률",
                       "설문 요청이 닿은 분", "그 가운데 응답한 분"]
    assert rows[1] == ["공지", '\'=HYPERLINK("x") 한파', COLD, "이메일", "", "2", "2", "0", "0", "0", "0", "0", "0", "0",
                       "3", "2", "1.5000", "", ""]
    assert [row[0] for row in rows[1:]] == ["공지", "유형별", "유형별", "유형별", "받는 방법별", "받는 방법별", "합계", "설문"]
    assert [row[1:5] for row in rows[2:7]] == [["이메일", "", "", "이메일"], ["SMS(단문)", "", "", "SMS(단문)"],
                                              ["LMS(장문)", "", "", "LMS(장문)"], ["이메일", "", "이메일", ""],
                                              ["문자(SMS·LMS)", "", "문자(SMS·LMS)", ""]]
    assert rows[-1] == ["설문", "도서관 만족도", *[""] * 15, "2", "1"]


counts = st.lists(st.integers(0, 50), min_size=9, max_size=9)
message_rows = st.lists(st.tuples(st.sampled_from([("email", "EMAIL"), ("sms", "SMS"), ("sms", "LMS")]), counts), max_size=6)
click_maps = st.dictionaries(st.tuples(st.sampled_from(["email", "sms"]), st.sampled_from([COLD, CONCERT, "other"])),
                             st.integers(0, 99), max_size=6)


@settings(max_examples=150)
@given(message_rows, click_maps)
def test_the_lines_of_the_report_add_up_to_its_total(rows, clicks):
    flat = [(channel, message_type, *numbers) for (channel, message_type), numbers in rows]
    report = issue_report(ISSUE, [], flat, clicks, {}, [])
    names = ("messages", "accepted", "refused", "unsent", "bounced_hard", "bounced_soft", "sms_delivered", "sms_failed",
             "sms_handed_over")
    for index, name in enumerate(names):
        assert getattr(report.total, name) == sum(numbers[index] for _, numbers in rows)
        for channel in ("email", "sms"):
            assert getattr(report.by_channel[channel], name) == sum(
                numbers[index] for (c, _t), numbers in rows if c == channel)
        assert getattr(report.total, name) == sum(getattr(f, name) for f in report.by_type.values())
    assert report.total.clicks == sum(clicks.values())
    assert {n.slug for n in report.notices} == {slug for _c, slug in clicks}
    for line in report.notices:
        for channel, figures in line.by_channel.items():
            assert figures.clicks == clicks.get((channel, line.slug), 0)


def test_the_issue_report_reads_the_journal_on_both_backends(tmp_path, store_location):
    """Each notice's row counts the messages that held it, on PostgreSQL as on
    SQLite (the journal's JSON list of notices is read with each backend's words)."""
    project = project_on(store_location, tmp_path)
    folder = make_outbox(project / "private" / "outbox", ISSUE, ["S1", "S2"], [COLD, CONCERT], sms={"S3": "SMS"})
    send_outbox(store_location, folder, "2026-11-26T10:00:00+09:00")
    ran = run_cli(project / "pelicanconf.py", "report", "--issue", ISSUE)
    assert ran.code == 0, ran.output
    rows = csv_rows(project)
    assert figures(rows["notice", COLD, EMAIL])[1:3] == ("2", "0")  # accepted, refused
    assert figures(rows["notice", CONCERT, EMAIL])[1:3] == ("2", "0")  # accepted, refused


def test_a_rate_above_nothing_or_below_all_is_never_shown_as_none_or_all(tmp_path):
    """2 clicks of 5,000 emails that arrived are 0.04 %: not "0.0%" (no click);
    1,999 answers of 2,000 invitations not "100.0%"; no invitation, no rate."""
    email = (("email", "EMAIL", 5000, 5000, 0, 0, 0, 0, 0, 0, 0),)
    surveys = [{"title": "거의 모두", "invitations": 2000, "answers": 1999},
               {"title": "초대 없음", "invitations": 0, "answers": 0}]
    report = issue_report(ISSUE, [], email, {("email", COLD): 2}, {}, surveys)
    html, _csv = write_issue_report(report, tmp_path, "성동소통")
    page = html.read_text(encoding="utf-8")
    assert '<td class="n">0.1% 미만</td>' in page and '<td class="n">0.0%</td>' not in page
    assert '<td class="n">99.9%</td>' in page and "100.0%" not in page
    assert re.search(r'초대 없음</th><td class="n">0</td><td class="n">0</td>\s*<td class="n">–</td>', page)
    assert "<p>「초대 없음」: 참여 요청을 담은 이메일 가운데 받는 분께 닿은 것" in page  # why there is no rate
    assert "「거의 모두」" not in page


def test_sms_clicks_of_a_notice_no_longer_published_show_its_title(tmp_path):
    """The cold-wave notice went by SMS and was clicked, then taken off the
    site: its clicks show under the title the journal kept, not its short
    code; a code that fits no notice of the outbox says what it is."""
    project = copy_project(tmp_path, extra_settings="CLICK_COUNTING = True\n")
    settings = project / "pelicanconf.py"
    ids = add_subscribers(project / "private" / "sotong.db", 1)
    make_outbox(project / "private" / "outbox", ISSUE, [], [COLD], sms={ids[0]: "SMS"})
    assert run_cli(settings, "send", "--issue", ISSUE).code == 0
    loaded = Project(settings)
    code = short_codes(sms_link_notices(loaded.published_notices))[COLD]
    with serving(make_app(loaded)) as port:
        click(port, click_url(loaded.settings, ISSUE, "sms", code, ""), times=2)
        click(port, click_url(loaded.settings, ISSUE, "sms", "zz9", ""))
    (project / "content" / "notices" / f"{COLD}.md").unlink()
    ran = run_cli(settings, "report", "--issue", ISSUE)
    assert ran.code == 0, ran.output
    html = (project / "private" / "reports" / f"issue-{ISSUE}.html").read_text(encoding="utf-8")
    cold = re.search(r'<th scope="row">한파주의보 발령 — 수도 계량기 동파와 빙판길에 주의하세요 · '
                     r'<span class="nowrap">문자\(SMS·LMS\)</span></th>(.*?)</tr>', html, re.S)
    assert cold and re.findall(r'<td class="n">([^<]*)</td>', cold.group(1))[-2] == "2"  # its 2 clicks
    assert f'<th scope="row">{code} ·' not in html
    assert '<th scope="row">(지금은 없는 소식, 짧은 주소 zz9) ·' in html


@given(st.lists(st.text("abcdef-", min_size=1, max_size=6), min_size=1, max_size=6, unique=True), st.data())
def test_an_sms_code_is_read_as_the_outbox_notice_it_was_given_to(slugs, data):
    """Codes move when an earlier SMS notice leaves the site: a click on the
    code a notice of the outbox had is its notice's, whatever today's codes
    give that code to (another notice, or none)."""
    then = short_codes([type("N", (), {"slug": s, "date": i})() for i, s in enumerate(slugs)])
    sent = data.draw(st.sampled_from(slugs))
    today = {other: then[sent] for other in data.draw(st.lists(st.text("xyz", min_size=1), max_size=1))}
    counted, titles = notice_clicks({("sms", then[sent]): 2}, today, {sent: f"제목 {sent}"})
    assert counted == {("sms", sent): 2} and titles[sent] == f"제목 {sent}"
