"""The survey plugin (SPEC §9) end to end: the schema's FILE:LINE problems,
the form pages of a real build, the collector's routes over real HTTP
(waitress on an ephemeral port, a real SQLite store), invitations in real
issue bundles, and ``sotong survey results`` — against brute-force readings
of the rules where they are pure."""

from __future__ import annotations

import csv
import datetime as dt
import email
import http.client
import json
import re
import shutil
import sqlite3
import sys
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

import pytest
from project_support import copy_project, forged, invoke_sotong, project_on, serving, store_of, store_query
from delivery_support import add_subscribers, run_cli
from hypothesis import given, settings as hsettings, strategies as st
from interrupting import interrupted_once
from test_audiences_match import profiles, segments, spec_matches_segment, years

from sotong.check import check_project
from sotong.project import Project
from sotong.audiences import Profile
from sotong.store import Store, Subscriber
from sotong.tokens import make_token
from sotong.web import make_app
from survey import storage
from survey.answers import validate_answers
from survey.results import percent, tally, unpublished_reason
from survey.rules import is_invited, survey_token, trial_token
from survey.schema import Question, Survey

ISSUE = "2026-11-26"  # both sample surveys are open on it (and on SAMPLE_TODAY, 2026-11-23)
BUDGET, LIBRARY = "budget-vote-2027", "library-satisfaction"
GOOD = """title: 설문
department: 문화체육과
opens: 2026-11-01
closes: 2026-11-30
questions:
  - id: period
    type: single
    text: 기간은?
    options: [짧다, 적절하다]
"""


@pytest.fixture
def project(tmp_path) -> Path:
    return copy_project(tmp_path)


# --- schema ---------------------------------------------------------------------------

SCHEMA_CASES = [
    (GOOD.replace("title:", "titel:"), 1, 'unknown key "titel"; did you mean "title"?'),
    (GOOD.replace("문화체육과", "문화체육팀"), 2, 'unknown department "문화체육팀"; did you mean "문화체육과"?'),
    (GOOD.replace("closes: 2026-11-30", "closes: 2026-10-30"), 4, "closes (2026-10-30) is before opens (2026-11-01)"),
    (GOOD.replace("opens: 2026-11-01", "opens: 2026-13-01"), 3, 'opens "2026-13-01" is not a date; write it as YYYY-MM-DD'),
    # written as staff write a day (a survey's example was always 2026-11-09, whatever day was meant)
    (GOOD.replace("opens: 2026-11-01", "opens: 2026.11.1"), 3, 'opens "2026.11.1" is not a date; write it as YYYY-MM-DD, '
                                                               "e.g. opens: 2026-11-01"),
    (GOOD.replace("closes: 2026-11-30", "closes: 2026년 11월 30일"), 4, "e.g. closes: 2026-11-30"),
    (GOOD.replace("closes: 2026-11-30", "closes: ２０２６－１１－３０"), 4, "e.g. closes: 2026-11-30"),
    # days past the issue schedule's years (schedule.YEARS) were taken, and the survey never closed or never opened
    (GOOD.replace("closes: 2026-11-30", "closes: 9999-12-31"), 4, 'closes "9999-12-31" is in the year 9999; days of '
                                                                 "surveys lie in 2000-2099"),
    (GOOD.replace("opens: 2026-11-01", "opens: 1999-11-01"), 3, 'opens "1999-11-01" is in the year 1999'),
    (GOOD + "audiences: [polcy]\n", 10, 'unknown segment "polcy"; did you mean "policy"?'),
    (GOOD + "  - id: period\n    type: text\n    text: 또?\n", 10, 'id "period" is already used by the question on line 6'),
    # a line break at its end: the form's field, which a browser sends as "period\r\n", could never be answered
    (GOOD.replace("id: period", 'id: "period\\n"'), 6, 'id "period\\n" must start with a small letter and hold only small'),
    (GOOD.replace("    options: [짧다, 적절하다]\n", ""), 6, "a single question needs options"),
    (GOOD.replace("type: single", "type: multiple").replace("    options: [짧다, 적절하다]\n", ""), 6,
     "a multiple question needs options"),
    (GOOD + "  - id: score\n    type: scale\n    text: 점수\n    min: 5\n    max: 5\n", 14, "min (5) must be less than max (5)"),
    (GOOD.replace("type: single", "type: singel"), 7, 'type "singel" is not a question type; did you mean "single"?'),
    # the type in the words of a Korean survey form: nothing was suggested, and the types were said by their English
    # names alone, which staff who read only Korean cannot choose from
    (GOOD.replace("type: single", "type: 객관식"), 7, 'type "객관식" is not a question type; did you mean "single"?; use one '
     "of single (pick one), multiple (pick several), scale (a score, e.g. 1 to 5), text (a written answer)"),
    (GOOD.replace("type: single", "type: 복수 선택"), 7, 'type "복수 선택" is not a question type; did you mean "multiple"?'),
    (GOOD.replace("type: single", "type: 별점"), 7, 'type "별점" is not a question type; did you mean "scale"?'),
    (GOOD.replace("type: single", "type: 주관식"), 7, 'type "주관식" is not a question type; did you mean "text"?'),
    (GOOD.replace("type: single", "type: Yes/No"), 7, 'type "Yes/No" is not a question type; did you mean "single"?'),
    (GOOD.replace("    type: single", "    type: single\n    requird: true"), 8, 'unknown key "requird"; did you mean "required"?'),
    (GOOD + "anonymous: maybe\n", 10, "anonymous must be true or false"),
    (GOOD.replace("title: 설문\n", ""), 1, "title is required"),
    (GOOD.replace("type: single", "type: multiple") + "    max: 3\n", 10, "max must be a whole number from 1 to 2, e.g. max: 2"),
    (GOOD.replace("type: single", "type: multiple") + "    min: 0\n", 10, "min must be a whole number from 1 to 2"),
    (GOOD.replace("type: single", "type: multiple") + "    max: 둘\n", 10, "max must be a whole number from 1 to 2"),
    (GOOD.replace("type: single", "type: multiple") + "    min: 2\n    max: 1\n", 11, "min (2) must not be more than max (1)"),
    (GOOD + "    max: 1\n", 10, "max is only for scale and multiple questions; remove it from this single question"),
    # options YAML reads as something else than text, which the form showed as "None", "True", "{'기타': '직접 입력'}"
    (GOOD.replace("[짧다, 적절하다]", "[짧다, 기타: 직접 입력]"), 9,
     'the option 기타: 직접 입력 holds a colon, which YAML reads as a key and its value; put the option in double quotes: "기타: 직접 입력"'),
    (GOOD.replace("[짧다, 적절하다]", "\n      - 짧다\n      -\n      - 적절하다"), 11, "an option is empty; write each answer as text"),
    (GOOD.replace("[짧다, 적절하다]", "[Yes, No]"), 9, 'an option is not read as the text written (YAML reads it as yes/no'),
    (GOOD.replace("[짧다, 적절하다]", "[짧다, [적절하다]]"), 9, 'an option is not read as the text written'),
    # the brackets forgotten: check said the question "needs options", which it had
    (GOOD.replace("[짧다, 적절하다]", "짧다, 적절하다"), 9,
     "options are one text here, not a list; write them in brackets: options: [짧다, 적절하다]"),
    # a key named in the staff's words: the key to write, and what is wrong in its value said at its line
    (GOOD.replace("    text: 기간은?", "    질문: 기간은?"), 8, 'unknown key "질문"; did you mean "text"?'),
    (GOOD.replace("    options:", "    choices:").replace("[짧다, 적절하다]", "짧다, 적절하다"), 9,
     "options are one text here, not a list; write them in brackets: options: [짧다, 적절하다]"),
    (GOOD + "    필수: 예\n", 10, "required must be true or false"),
    # a scale's labels (what its ends mean): two texts, only on a scale question
    (GOOD + "    labels: [짧다, 길다]\n", 10, "labels are only for scale questions; remove them from this single question"),
    (GOOD + "  - id: score\n    type: scale\n    text: 만족도\n    labels: [매우 불만족]\n", 13, "labels must be two texts, what the lowest and the highest point mean, lowest first, e.g. labels: [매우 불만족, 매우 만족]"),
    (GOOD + "  - id: score\n    type: scale\n    text: 만족도\n    labels: 매우 불만족, 매우 만족\n", 13, "labels are one text here, not a list; write them in brackets: labels: [매우 불만족, 매우 만족]"),
    (GOOD + "  - id: score\n    type: scale\n    text: 만족도\n    labels:\n      - 매우 불만족\n      - 5\n", 15, "each label must be a text, e.g. labels: [매우 불만족, 매우 만족]"),
    (GOOD + "  - id: score\n    type: scale\n    text: 만족도\n    labels: [매우 불만족, 정말 정말 매우 매우 크게 만족하는 편입니다]\n", 13, "a label is shown beside its button: write at most 20 characters"),
    # the "- " before a question forgotten: check said "questions is required", with \n in its example
    (GOOD.replace("  - id: period", "  id: period").replace("    type:", "  type:").replace("    text:", "  text:")
     .replace("    options:", "  options:"), 6, "questions is not a list: start each question with a hyphen and a space"),
]


@pytest.mark.parametrize("text,line,message", SCHEMA_CASES, ids=[c[2][:30] for c in SCHEMA_CASES])
def test_every_schema_rule_is_a_file_line_problem(project, text, line, message):
    (project / "content" / "surveys" / "my-survey.yaml").write_text(text, encoding="utf-8")
    problems = [str(p) for p in check_project(Project(project / "pelicanconf.py"))]
    assert any(p.startswith(f"content/surveys/my-survey.yaml:{line}: ") and message in p for p in problems), problems



def test_a_question_whose_keys_are_named_in_other_words_is_told_each_key_once(project):
    """question: and choices: were each an unknown key, and the question then
    had no text and no options: five messages for two words, two of them
    asking for what was written."""
    (project / "content" / "surveys" / "my-survey.yaml").write_text(GOOD.replace("    text:", "    question:").replace(
        "    options:", "    보기:"), encoding="utf-8")
    problems = [str(p) for p in check_project(Project(project / "pelicanconf.py")) if "my-survey" in p.path]
    assert problems == ['content/surveys/my-survey.yaml:8: unknown key "question"; did you mean "text"?; questions take '
                        "id, type, text, options, required, min, max, labels",
                        'content/surveys/my-survey.yaml:9: unknown key "보기"; did you mean "options"?; questions take '
                        "id, type, text, options, required, min, max, labels"], problems


@pytest.mark.parametrize("kind,extra", [("Single", ""), ("sclae", "    min: 1\n    max: 5\n")])
def test_a_question_of_a_type_written_wrong_is_one_problem_naming_the_type(project, kind, extra):
    """type: Single (a capital) or sclae: beside the type's problem, check
    said to remove the options ("options are only for single and multiple
    questions; remove them from this Single question") or min and max,
    which staff then deleted though only the type was wrong."""
    text = GOOD.replace("type: single", f"type: {kind}")
    if extra:
        text = text.replace("    options: [짧다, 적절하다]\n", extra)
    (project / "content" / "surveys" / "my-survey.yaml").write_text(text, encoding="utf-8")
    problems = [str(p) for p in check_project(Project(project / "pelicanconf.py"))]
    assert len(problems) == 1 and problems[0].startswith(f'content/surveys/my-survey.yaml:7: type "{kind}" is not a question type'), problems

def test_check_cli_exits_1_without_traceback(project, sotong):
    (project / "content" / "surveys" / "bad.yaml").write_text(GOOD.replace("title:", "titel:"), encoding="utf-8")
    result = sotong(project, "check")
    assert result.code == 1 and "content/surveys/bad.yaml:1: unknown key" in result.stderr
    assert "Traceback" not in result.output
    assert sotong(project, "check").code == 1
    (project / "content" / "surveys" / "bad.yaml").unlink()
    assert sotong(project, "check").code == 0


def test_a_notice_naming_no_survey_is_a_problem_of_the_survey_plugin(project):
    notice = project / "content" / "notices" / "2026-11-10-library-satisfaction-survey.md"
    text = notice.read_text(encoding="utf-8")
    line = text.splitlines().index("survey: library-satisfaction") + 1
    notice.write_text(text.replace("survey: library-satisfaction", "survey: library-satisfactoin"), encoding="utf-8")
    problems = [str(p) for p in check_project(Project(project / "pelicanconf.py"))]
    known = ("budget-vote-2027 (2027년 주민참여예산 모바일 투표), library-satisfaction (2026 성동구립도서관 이용자 "
             "만족도 조사), village-bus-2027 (2027년 마을버스 노선 개편 주민 의견 조사)")
    assert problems == [f"content/notices/2026-11-10-library-satisfaction-survey.md:{line}: no survey "
                        f'"library-satisfactoin" in content/surveys/; did you mean "library-satisfaction"?; known: {known}']
    # words of a survey's title (staff write what they read) are told the slug to write
    for written in ("도서관 만족도 조사", "2026 성동구립도서관 이용자 만족도 조사", "도서관"):
        notice.write_text(text.replace("survey: library-satisfaction", f"survey: {written}"), encoding="utf-8")
        problems = [str(p) for p in check_project(Project(project / "pelicanconf.py"))]
        assert problems == [f'content/notices/2026-11-10-library-satisfaction-survey.md:{line}: no survey "{written}" '
                            f'in content/surveys/: "{written}" is the title of survey library-satisfaction; write '
                            '"survey: library-satisfaction"']
    # a name nothing is near is told each survey's slug with its title
    notice.write_text(text.replace("survey: library-satisfaction", "survey: 주민 설문"), encoding="utf-8")
    problems = [str(p) for p in check_project(Project(project / "pelicanconf.py"))]
    notice.write_text(text, encoding="utf-8")
    assert problems == [f'content/notices/2026-11-10-library-satisfaction-survey.md:{line}: no survey "주민 설문" in '
                        f"content/surveys/; known: {known}"]


# --- the build -----------------------------------------------------------------------


def test_build_writes_accessible_forms_and_thanks_pages(project, cli):
    assert cli(project, "build").code == 0
    out = project / "output" / "surveys"
    page = (out / LIBRARY / "index.html").read_text(encoding="utf-8")
    assert '<form method="post" action="http://127.0.0.1:8080/surveys/library-satisfaction"' in page
    assert "<script" not in page and 'name="t"' not in page
    assert page.count("<fieldset") == 6 and page.count("<legend") == 5  # the questions, and all of them disabled
    assert "<fieldset disabled" in page and "<button" not in page.split("<main")[1]  # the site's page: not to be filled in
    assert "가장 자주 이용하시는 도서관은 어디입니까? (필수)" in page and "(선택)" in page
    assert page.count('type="radio" name="satisfaction"') == 5  # the scale as radio buttons 1..5
    # its labels (labels: [매우 불만족, 매우 만족]) at its ends' buttons and in its hint: which end is good
    assert re.search(r'value="1"[^>]*>1 \(매우 불만족\)</label>', page) and re.search(r'value="5"[^>]*>5 \(매우 만족\)</label>', page)
    assert re.search(r'value="3"[^>]*>3</label>', page) and "1(매우 불만족)부터 5(매우 만족)까지 하나를 골라 주세요" in page
    assert page.count('type="checkbox" name="purpose"') == 6
    assert '<label for="a-wish"' in page and '<textarea id="a-wish" name="wish"' in page
    budget = (out / BUDGET / "index.html").read_text(encoding="utf-8")
    assert "초대받은 분만" in budget  # a named survey needs the personal link
    # an invitation lost: the 「수신 설정」 link mailed again lists the survey with the reader's link
    assert '<a href="http://127.0.0.1:8080/p/link">수신 설정 링크 다시 받기</a>' in budget and "참여하실 수 있는 설문" in budget
    projects = budget.split('id="q-projects"')[1].split("</fieldset>")[0]
    assert "최대 3개까지 고를 수 있습니다" in projects and "해당하는 것을 모두" not in projects  # its max: 3
    assert "해당하는 것을 모두 골라 주세요" in page  # library's purposes: no limit
    assert "답변해 주셔서 고맙습니다" in (out / LIBRARY / "thanks" / "index.html").read_text(encoding="utf-8")


def test_closed_survey_page_has_no_form_and_endpoint_setting(tmp_path, cli):
    project = copy_project(tmp_path, extra_settings='SOTONG_TODAY = "2026-12-20"\nSURVEY_ENDPOINT = "https://sotong.sd.go.kr/"')
    assert cli(project, "build").code == 0
    page = (project / "output" / "surveys" / BUDGET / "index.html").read_text(encoding="utf-8")
    assert "참여 기간이 끝났습니다" in page and "<form" not in page
    (tmp_path / "open").mkdir()
    project2 = copy_project(tmp_path / "open", extra_settings='SURVEY_ENDPOINT = "https://sotong.sd.go.kr/"')
    assert cli(project2, "build").code == 0
    page = (project2 / "output" / "surveys" / LIBRARY / "index.html").read_text(encoding="utf-8")
    assert 'action="https://sotong.sd.go.kr/surveys/library-satisfaction"' in page


def test_bad_survey_setting_is_reported(tmp_path, cli):
    project = copy_project(tmp_path, extra_settings='SURVEY = {"text_max_char": 10}')
    line = (project / "pelicanconf.py").read_text(encoding="utf-8").splitlines().index('SURVEY = {"text_max_char": 10}') + 1
    result = cli(project, "check")
    assert result.code == 1
    assert (f'pelicanconf.py:{line}: SURVEY: unknown key "text_max_char"; did you mean "text_max_chars"?; '
            'allowed: text_max_chars') in result.stderr.splitlines()


# --- the collector -------------------------------------------------------------------


@pytest.fixture
def server(project):
    add_subscribers(store_of(project), 2)  # S00001, S00002: a named survey answers readers on record
    app = make_app(Project(project / "pelicanconf.py"))
    with serving(app) as port:
        yield port


@pytest.fixture
def answering_project(tmp_path, store_location) -> Path:
    """The sample project, once on SQLite and once on PostgreSQL (SPEC §15)."""
    return project_on(store_location, tmp_path)


@pytest.fixture
def answering_server(answering_project):
    add_subscribers(store_of(answering_project), 2)
    with serving(make_app(Project(answering_project / "pelicanconf.py"))) as port:
        yield port


def call(port, method, path, fields=None, body=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    if fields is not None:
        body = urlencode(fields, doseq=True).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded"} if body is not None else {}
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode("utf-8")
    finally:
        connection.close()


BUDGET_ANSWER = {"dong": "성수동", "projects": ["반려견 놀이터 조성", "어린이 놀이터 그늘막 설치"], "satisfaction": "4",
                 "proposal": "<script>alert(1)</script> 공원 & 벤치"}
LIBRARY_ANSWER = {"library": "금호도서관", "purpose": ["열람실 공부"], "satisfaction": "5", "wish": "주말 <b>XYZZY연장</b>"}


def rows(project, sql):
    return store_query(project, sql)


def stored_answers(project) -> int:
    """Answers in the store; none when no store or no answer table was made
    (the collector's other plugins may open the store before any answer)."""
    db = project / "private" / "sotong.db"
    if not db.exists() or not rows(project, "SELECT 1 FROM sqlite_master WHERE name = 'survey_responses'"):
        return 0
    return rows(project, "SELECT count(*) FROM survey_responses")[0][0]


def test_get_form_with_token_fills_the_hidden_field(server):
    token = survey_token(BUDGET, "S00001")
    status, headers, page = call(server, "GET", f"/surveys/{BUDGET}?t={token}")
    assert status == 200 and f'<input type="hidden" name="t" value="{token}">' in page
    assert "<fieldset" in page and "(필수)" in page and headers["Cache-Control"] == "no-store"
    assert call(server, "GET", f"/surveys/{BUDGET}")[0] == 403  # a named survey needs its link
    assert call(server, "GET", f"/surveys/{LIBRARY}")[0] == 403  # so does an anonymous one
    assert call(server, "GET", f"/surveys/{LIBRARY}?t={survey_token(LIBRARY, 'S00001')}")[0] == 200
    assert call(server, "GET", "/surveys/no-such")[0] == 404


def test_post_answers_303_then_409_and_stored(answering_project, answering_server):
    project, server = answering_project, answering_server
    token = survey_token(BUDGET, "S00001")
    status, headers, _ = call(server, "POST", f"/surveys/{BUDGET}", {"t": token, **BUDGET_ANSWER})
    assert status == 303 and headers["Location"].endswith(f"/surveys/{BUDGET}/thanks")
    status, _, page = call(server, "GET", urlsplit(headers["Location"]).path)
    assert status == 200 and "고맙습니다" in page
    stored = rows(project, "SELECT r.subscriber_id, a.question, a.value FROM survey_responses r "
                           "JOIN survey_answers a ON a.response_id = r.id ORDER BY a.rowid")
    assert stored == [("S00001", "dong", "성수동"), ("S00001", "projects", "어린이 놀이터 그늘막 설치"),
                      ("S00001", "projects", "반려견 놀이터 조성"), ("S00001", "satisfaction", "4"),
                      ("S00001", "proposal", BUDGET_ANSWER["proposal"])]
    status, _, page = call(server, "POST", f"/surveys/{BUDGET}", {"t": token, **BUDGET_ANSWER})
    assert status == 409 and "이미 답해 주셨습니다" in page
    assert call(server, "GET", f"/surveys/{BUDGET}?t={token}")[0] == 409
    assert rows(project, "SELECT count(*) FROM survey_responses") == [(1,)]


def test_post_400_lists_every_error_and_keeps_answers(project, server):
    token = survey_token(BUDGET, "S00002")
    status, _, page = call(server, "POST", f"/surveys/{BUDGET}",
                           {"t": token, "projects": ["반려견 놀이터 조성"], "satisfaction": "9", "proposal": "제안 <i>"})
    assert status == 400
    assert "고쳐 주셔야 할 곳이 2곳 있습니다" in page
    assert "<title>오류: 2027년 주민참여예산 모바일 투표 |" in page  # what a screen reader says first
    assert 'id="e-dong"' in page and 'id="e-satisfaction"' in page and 'id="e-projects"' not in page
    assert 'value="반려견 놀이터 조성" style' in page and page.split('value="반려견 놀이터 조성"')[1].split(">")[0].endswith("checked")
    assert "제안 &lt;i&gt;</textarea>" in page  # kept, escaped
    assert f'name="t" value="{token}"' in page
    assert rows(project, "SELECT count(*) FROM survey_responses, survey_tokens_used") == [(0,)]


def test_a_text_answers_error_is_said_at_its_box(project, server):
    """A free-text answer refused (a letter pasted past its 2,000 characters)
    was tied to its question's group only, which screen readers seldom say
    at the box: the box the resident was in did not say it was wrong, nor why."""
    import lxml.html

    token = survey_token(BUDGET, "S00002")
    status, _, page = call(server, "POST", f"/surveys/{BUDGET}", {"t": token, **BUDGET_ANSWER, "proposal": "가" * 2001})
    assert status == 400 and "2000자 이내로 줄여 주세요. 지금 2001자입니다." in page
    [box] = lxml.html.fromstring(page).xpath("//textarea[@name='proposal']")
    assert box.get("aria-invalid") == "true" and box.get("aria-describedby") == "e-proposal"


def test_post_more_options_than_a_multiple_questions_max_is_400_and_within_it_303(project, server):
    token = survey_token(BUDGET, "S00002")
    four = ["반려견 놀이터 조성", "어린이 놀이터 그늘막 설치", "중랑천 자전거길 쉼터 조성", "전통시장 공동 배송 지원"]
    status, _, page = call(server, "POST", f"/surveys/{BUDGET}", {"t": token, **BUDGET_ANSWER, "projects": four})
    assert status == 400 and "고쳐 주셔야 할 곳이 1곳 있습니다" in page
    assert '<p id="e-projects"' in page and "3개까지만 골라 주세요. 지금 4개를 고르셨습니다." in page
    assert stored_answers(project) == 0
    status, _, _ = call(server, "POST", f"/surveys/{BUDGET}", {"t": token, **BUDGET_ANSWER, "projects": four[:3]})
    assert status == 303
    assert rows(project, "SELECT count(*) FROM survey_answers WHERE question = 'projects'") == [(3,)]


def test_a_forgotten_readers_link_takes_no_answer_and_brings_back_no_id(project, server):
    """``subscribers forget`` leaves no record naming the reader: their
    survey link, still in an old email, must not write their id back."""
    assert invoke_sotong(project, "subscribers", "forget", "S00001").code == 0
    token = survey_token(BUDGET, "S00001")
    for status, _, page in (call(server, "GET", f"/surveys/{BUDGET}?t={token}"),
                            call(server, "POST", f"/surveys/{BUDGET}", {"t": token, **BUDGET_ANSWER})):
        assert status == 403 and "이 링크로는 더 이상 답하실 수 없습니다" in page and "기획예산과에 문의해 주세요" in page
    assert call(server, "POST", f"/surveys/{BUDGET}", {"t": survey_token(BUDGET, "S00002"), **BUDGET_ANSWER})[0] == 303
    assert rows(project, "SELECT subscriber_id FROM survey_responses") == [("S00002",)]


def test_a_forgotten_readers_anonymous_link_takes_no_answer_and_writes_no_token_back(project, server):
    """An anonymous survey took the link of a reader forgotten since: the
    answer stored their token's hash again (with the key, it names them)
    and, forget having put its stand-in's in place of theirs, was a second
    answer of a reader who had answered. Now it is refused as a named
    survey's is, whether they had answered or not."""
    from survey.storage import token_hash

    assert call(server, "POST", f"/surveys/{LIBRARY}", {"t": survey_token(LIBRARY, "S00001"), **LIBRARY_ANSWER})[0] == 303
    for reader in ("S00001", "S00002"):
        assert invoke_sotong(project, "subscribers", "forget", reader).code == 0
    for reader in ("S00001", "S00002"):
        token = survey_token(LIBRARY, reader)
        for status, _, page in (call(server, "GET", f"/surveys/{LIBRARY}?t={token}"),
                                call(server, "POST", f"/surveys/{LIBRARY}", {"t": token, **LIBRARY_ANSWER})):
            assert status == 403 and "이 링크로는 더 이상 답하실 수 없습니다" in page
    assert stored_answers(project) == 1
    theirs = {token_hash(survey_token(LIBRARY, reader)) for reader in ("S00001", "S00002")}
    assert not theirs & {digest for digest, in rows(project, "SELECT token_hash FROM survey_tokens_used")}


def test_forget_leaves_no_word_of_a_named_surveys_free_text_answer_in_the_store_or_results(answering_project,
                                                                                            answering_server):
    """A named survey's free-text answer stayed, word for word, among the
    answers under forget's stand-in id (read by every results run) and on
    the private results page: it is the person's own words, which can tell
    who they are. Now both say it was erased, as a consultation's opinion,
    the counts stay, and no file of the store or under private/ holds the
    words (PostgreSQL: no dead row version)."""
    from survey.opinions import ERASED

    project = answering_project
    others = "공원 벤치"
    answered_then_forgotten(project, answering_server, BUDGET, "proposal", "qzvxw", store_of(project), [
        ("S00001", {**BUDGET_ANSWER, "proposal": "우리 가게 qzvxw 앞에 벤치를"}),
        ("S00002", {**BUDGET_ANSWER, "proposal": others})])
    assert sorted(rows(project, "SELECT value FROM survey_answers WHERE question = 'proposal'")) == [
        (ERASED,), (others,)]
    assert rows(project, "SELECT count(*) FROM survey_answers") == [(10,)]


def answered_then_forgotten(project: Path, port: int, slug: str, question: str, word: str, location: str,
                            answers: list[tuple[str, dict]]) -> None:
    """Each (reader, answer) posted, the results page made, the first reader
    forgotten: their text under ``question`` is erased on the page (the
    others' kept, the counts too, and a new results run writes the same page),
    and ``word`` of it is in no file under private/ nor, on PostgreSQL, in an
    old row version of the answers."""
    from store_pages import row_versions
    from survey.opinions import ERASED

    for reader, answer in answers:
        assert call(port, "POST", f"/surveys/{slug}", {"t": survey_token(slug, reader), **answer})[0] == 303
    assert invoke_sotong(project, "survey", "results", slug).code == 0
    page = project / "private" / "surveys" / slug / "results.html"
    assert answers[0][1][question] in page.read_text(encoding="utf-8")
    forgotten = invoke_sotong(project, "subscribers", "forget", answers[0][0])
    assert forgotten.code == 0 and "results.html 1" in forgotten.output and "survey_answers 1" in forgotten.output
    shown = page.read_text(encoding="utf-8")
    assert ERASED in shown and answers[1][1][question] in shown and f"응답 {len(answers)}건" in shown
    assert invoke_sotong(project, "survey", "results", slug).code == 0
    assert page.read_text(encoding="utf-8") == shown
    files = [path for path in (project / "private").rglob("*") if path.is_file()]
    assert not [path for path in files if word.encode() in path.read_bytes()]
    if location.startswith("postgresql"):
        assert not [version for version in row_versions(location, "survey_answers") if word.encode() in version]


def test_forget_leaves_no_used_token_of_the_person_and_the_response_rate_as_it_was(answering_project,
                                                                                   answering_server):
    """The hashes of a forgotten reader's used survey tokens stayed: anyone
    with the key and their id could recompute them and tell which surveys
    they answered, the anonymous one too. Had they gone with nothing in
    their place, the anonymous survey's rate would have fallen (2 invited,
    1 answer told). Now neither hash is in the store (nor, on SQLite, in its
    files; on PostgreSQL, in a row version) and both rates are as before."""
    from store_pages import row_versions
    from survey import storage
    from survey.rules import reader_tokens

    project, port = answering_project, answering_server
    store = storage.ensure(Store.open(store_of(project)))
    with store.transaction():
        for reader in ("S00001", "S00002"):
            for slug in (BUDGET, LIBRARY):
                storage.record_invitation(store, slug, reader, ISSUE)
    store.close()
    answers = [(BUDGET, "S00001", BUDGET_ANSWER), (LIBRARY, "S00001", LIBRARY_ANSWER), (LIBRARY, "S00002", LIBRARY_ANSWER)]
    for slug, reader, answer in answers:
        assert call(port, "POST", f"/surveys/{slug}", {"t": survey_token(slug, reader), **answer})[0] == 303

    def rates() -> list[str]:
        return [invoke_sotong(project, "survey", "results", slug).output.split(";")[0] for slug in (BUDGET, LIBRARY)]

    assert rates() == [f"{BUDGET}: 1 answers, response rate 50.0%", f"{LIBRARY}: 2 answers, response rate 100.0%"]
    theirs = [storage.token_hash(token).encode() for slug in (BUDGET, LIBRARY) for token in reader_tokens(slug, "S00001")]
    forgotten = invoke_sotong(project, "subscribers", "forget", "S00001")
    assert forgotten.code == 0
    assert rates() == [f"{BUDGET}: 1 answers, response rate 50.0%", f"{LIBRARY}: 2 answers, response rate 100.0%"]
    assert rows(project, "SELECT count(*) FROM survey_tokens_used") == [(3,)]
    location = store_of(project)
    if location.startswith("postgresql"):
        kept = b"".join(row_versions(location, "survey_tokens_used"))
    else:
        kept = b"".join(path.read_bytes() for path in Path(location).parent.glob(Path(location).name + "*"))
    assert [digest for digest in theirs if digest in kept] == []
    assert "survey_tokens_used 2" in forgotten.output


def test_post_403_404_410_413(tmp_path, project, server):
    assert call(server, "POST", f"/surveys/{BUDGET}", {"t": forged(survey_token(BUDGET, "S00001")), **BUDGET_ANSWER})[0] == 403
    assert call(server, "POST", f"/surveys/{BUDGET}", {"t": survey_token(LIBRARY, "S00001"), **BUDGET_ANSWER})[0] == 403
    assert call(server, "POST", f"/surveys/{BUDGET}", BUDGET_ANSWER)[0] == 403  # no token, named survey
    assert call(server, "POST", "/surveys/no-such", BUDGET_ANSWER)[0] == 404
    assert call(server, "POST", f"/surveys/{BUDGET}", body=b"t=" + b"x" * (65 * 1024))[0] == 413
    assert stored_answers(project) == 0
    (tmp_path / "closed").mkdir()
    closed = copy_project(tmp_path / "closed", extra_settings='SOTONG_TODAY = "2026-12-07"')
    app = make_app(Project(closed / "pelicanconf.py"))
    from werkzeug.test import Client

    response = Client(app).post(f"/surveys/{BUDGET}", data={"t": survey_token(BUDGET, "S00001"), **BUDGET_ANSWER})
    assert response.status_code == 410 and "참여 기간이 끝났습니다" in response.get_data(as_text=True)



def test_a_link_without_its_token_leads_on_to_the_readers_page_that_lists_the_invitation(server):
    """A survey opened without its token, or with one cut short, said to
    press the email's button again, with only the site's front page as a
    way on: a resident whose invitation email was deleted had nowhere to
    go. The page links to the request for the reader's page (/p/link),
    which lists the surveys they were invited to."""
    for path in (f"/surveys/{BUDGET}", f"/surveys/{BUDGET}?t={survey_token(BUDGET, 'S00001')[:-6]}"):
        status, _, page = call(server, "GET", path)
        assert status == 403 and "「참여하실 수 있는 설문」" in page, page
        link = re.search(r'<a href="([^"]+)">수신 설정 링크 다시 받기</a>', page)
        assert link and urlsplit(link[1]).path == "/p/link", page
    assert call(server, "GET", "/p/link")[0] == 200


def test_a_running_collector_takes_the_surveys_as_content_surveys_holds_them_now(project, server):
    """``sotong serve`` runs for weeks while the daily build publishes new
    surveys and the issue invites to them: the collector read the surveys
    once, at its start, so every invited reader's link of a survey added
    since got "페이지를 찾을 수 없습니다" (404), and a survey whose closing day
    staff moved kept the old one. It reads them again when a file changed,
    and keeps them as they were while a file is wrong."""
    surveys = project / "content" / "surveys"
    new = survey_token("new-survey", "S00001")
    assert call(server, "GET", f"/surveys/new-survey?t={new}")[0] == 404
    (surveys / "new-survey.yaml").write_text(GOOD, encoding="utf-8")
    status, _, page = call(server, "GET", f"/surveys/new-survey?t={new}")
    assert status == 200 and "기간은?" in page
    assert call(server, "POST", "/surveys/new-survey", {"t": new, "period": "짧다"})[0] == 303
    library = surveys / f"{LIBRARY}.yaml"
    text = library.read_text(encoding="utf-8")
    library.write_text(text.replace("closes: 2026-11-30", "closes: 2026-11-20"), encoding="utf-8")
    assert call(server, "GET", f"/surveys/{LIBRARY}?t={survey_token(LIBRARY, 'S00001')}")[0] == 410
    (surveys / "new-survey.yaml").write_text(GOOD.replace("title:", "titel:"), encoding="utf-8")  # being edited
    assert call(server, "GET", f"/surveys/{LIBRARY}?t={survey_token(LIBRARY, 'S00002')}")[0] == 410
    assert call(server, "GET", f"/surveys/new-survey?t={survey_token('new-survey', 'S00002')}")[0] == 200


def test_answers_of_an_option_renamed_while_the_survey_was_open_are_still_counted(project, server, cli):
    """Staff fixed an option's wording while the survey took answers: the
    answers given under the old wording were counted nowhere, so the shares
    of a one-answer question added up to less than 100% with nothing said.
    They are counted in a row of their own, without their words (a question
    that was a text question must not publish its free text)."""
    for reader, library in (("S00001", "금호도서관"), ("S00002", "용답도서관")):
        answer = {**LIBRARY_ANSWER, "library": library}
        assert call(server, "POST", f"/surveys/{LIBRARY}", {"t": survey_token(LIBRARY, reader), **answer})[0] == 303
    definition = project / "content" / "surveys" / f"{LIBRARY}.yaml"
    definition.write_text(definition.read_text(encoding="utf-8").replace("금호도서관", "금호도서관(본관)"), encoding="utf-8")
    assert cli(project, "survey", "results", LIBRARY).code == 0
    with open(project / "private" / "surveys" / LIBRARY / "results.csv", encoding="utf-8-sig", newline="") as file:
        library_rows = [row[1:] for row in csv.reader(file) if row[0] == "library"]
    assert ["금호도서관(본관)", "0", "0.0000"] in library_rows and ["용답도서관", "1", "0.5000"] in library_rows
    assert ["(지금은 없는 보기를 고른 응답)", "1", "0.5000"] in library_rows
    assert sum(int(count) for _option, count, _share in library_rows) == 2


def test_an_option_with_an_invisible_character_at_its_end_can_be_chosen(project, server):
    """An option copied from a web page with a zero-width space at its end
    (예\u200b): the form sent it as written, the collector trimmed the
    answer as it trims every answer and found no such option, so no
    resident could choose it ("보기 가운데에서 골라 주세요"). Options are
    trimmed the same way."""
    (project / "content" / "surveys" / "copied.yaml").write_text(
        GOOD.replace("[짧다, 적절하다]", "[짧다\u200b, \ufeff적절하다\u3164]"), encoding="utf-8")
    token = survey_token("copied", "S00001")
    status, _, page = call(server, "GET", f"/surveys/copied?t={token}")
    assert status == 200
    chosen = re.search(r'name="period" value="([^"]*)"', page).group(1)
    assert call(server, "POST", "/surveys/copied", {"t": token, "period": chosen})[0] == 303

def test_a_trial_link_shows_a_test_form_and_records_nothing_then_the_reader_answers_once(project, server):
    """A test copy's or a preview's link (trial_token) opens the form under a
    test banner, keeps it on a 400, and answers 200 storing nothing and using
    no token; the reader's own link then answers once. A trial token of
    another survey, or signed with another key, is refused."""
    trial = trial_token(BUDGET, "S00001")
    status, _, page = call(server, "GET", f"/surveys/{BUDGET}?t={trial}")
    assert status == 200 and "시험용 링크입니다. 응답은 기록되지 않습니다" in page and f'value="{trial}"' in page
    status, _, page = call(server, "POST", f"/surveys/{BUDGET}", {"t": trial})
    assert status == 400 and "시험용 링크입니다" in page
    status, _, page = call(server, "POST", f"/surveys/{BUDGET}", {"t": trial, **BUDGET_ANSWER})
    assert status == 200 and "응답은 기록되지 않습니다" in page
    assert stored_answers(project) == 0
    for refused in (trial_token(LIBRARY, "S00001"), make_token("survey-trial", f"{BUDGET}:S00001", b"k" * 40)):
        assert call(server, "GET", f"/surveys/{BUDGET}?t={refused}")[0] == 403
        assert call(server, "POST", f"/surveys/{BUDGET}", {"t": refused, **BUDGET_ANSWER})[0] == 403
    real = survey_token(BUDGET, "S00001")
    status, _, page = call(server, "GET", f"/surveys/{BUDGET}?t={real}")
    assert status == 200 and "시험용" not in page
    assert call(server, "POST", f"/surveys/{BUDGET}", {"t": real, **BUDGET_ANSWER})[0] == 303
    assert call(server, "POST", f"/surveys/{BUDGET}", {"t": real, **BUDGET_ANSWER})[0] == 409
    assert stored_answers(project) == 1


def test_anonymous_answers_need_an_invitation_and_have_no_subscriber(project, server):
    for _ in range(3):  # without a token (the static form), no answer is taken, however often it is sent
        assert call(server, "POST", f"/surveys/{LIBRARY}", LIBRARY_ANSWER)[0] == 403
    assert stored_answers(project) == 0
    for reader in ("S00001", "S00002"):
        token = survey_token(LIBRARY, reader)
        assert call(server, "POST", f"/surveys/{LIBRARY}", {"t": token, **LIBRARY_ANSWER})[0] == 303
        assert call(server, "POST", f"/surveys/{LIBRARY}", {"t": token, **LIBRARY_ANSWER})[0] == 409
        for respelled in (token + "=", token + "==", token + "%3D", token[:-1] + chr(ord(token[-1]) ^ 1)):
            assert call(server, "POST", f"/surveys/{LIBRARY}", {"t": respelled, **LIBRARY_ANSWER})[0] in (403, 409)
    assert rows(project, "SELECT subscriber_id FROM survey_responses") == [(None,), (None,)]
    assert rows(project, "SELECT count(*) FROM survey_tokens_used") == [(2,)]
    assert [name for name, in rows(project, "SELECT name FROM pragma_table_info('survey_tokens_used')")] == ["slug", "token_hash"]
    records = [line for line in sqlite3.connect(project / "private" / "sotong.db").iterdump()  # but the readers'
               if not line.startswith(('INSERT INTO "subscribers"', 'INSERT INTO "consent_log"'))]
    assert [line for line in records if "S00001" in line] == []


# --- invitations ---------------------------------------------------------------------


def add_readers(project: Path) -> None:
    """S1: consents to survey and library (invited to both); S2: library only
    (the anonymous one); S3: neither (no invitation); S4: both, SMS only."""
    store = Store.open(project / "private" / "sotong.db")
    readers = [("S1", {"survey", "library", "culture"}, {"email"}), ("S2", {"library", "culture"}, {"email"}),
               ("S3", {"culture"}, {"email"}), ("S4", {"survey", "library", "culture"}, {"sms"})]
    with store.transaction():
        for subscriber_id, fields, channels in readers:
            store.put_subscriber(Subscriber(id=subscriber_id, email=f"{subscriber_id.lower()}@mail.test",
                                            phone="010-1234-5678", birth_year=1970, dong="yongdap", fields=frozenset(fields),
                                            channels=frozenset(channels)))
    store.close()


def manifest(project: Path) -> dict:
    lines = (project / "private" / "outbox" / ISSUE / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    return {(row["id"], row["channel"]): row for row in map(json.loads, lines)}


def html_part(project: Path, subscriber_id: str) -> str:
    message = email.message_from_bytes((project / "private" / "outbox" / ISSUE / "email" / f"{subscriber_id}.eml").read_bytes())
    return next(p.get_payload(decode=True).decode() for p in message.walk() if p.get_content_type() == "text/html")


def test_invitations_for_matching_readers_only_and_not_after_answering(project, server):
    add_readers(project)
    assert run_cli(project / "pelicanconf.py", "bundles", "--issue", ISSUE).code == 0
    rows_ = manifest(project)
    assert rows_["S1", "email"]["surveys"] == [BUDGET, LIBRARY]
    assert rows_["S2", "email"]["surveys"] == [LIBRARY]
    assert "surveys" not in rows_["S3", "email"] and "surveys" not in rows_["S4", "sms"]
    page = html_part(project, "S1")
    link = f"http://127.0.0.1:8080/surveys/{BUDGET}?t={survey_token(BUDGET, 'S1')}"
    assert f'href="{link}"' in page and "설문 참여하기" in page and "12월 6일까지" in page
    assert 'style="' in page.split("설문 참여 요청")[1][:600]  # the block's CSS is inlined
    assert "설문 참여 요청" not in html_part(project, "S3")
    invited = rows(project, "SELECT slug, subscriber_id, issue FROM survey_invitations ORDER BY 1, 2")
    assert invited == [(BUDGET, "S1", ISSUE), (LIBRARY, "S1", ISSUE), (LIBRARY, "S2", ISSUE)]

    # S1 answers the budget vote by its link; the next run invites S1 only to the library survey
    token = survey_token(BUDGET, "S1")
    assert call(server, "GET", f"/surveys/{BUDGET}?t={token}")[0] == 200
    assert call(server, "POST", f"/surveys/{BUDGET}", {"t": token, **BUDGET_ANSWER})[0] == 303
    assert run_cli(project / "pelicanconf.py", "bundles", "--issue", ISSUE).code == 0
    assert manifest(project)["S1", "email"]["surveys"] == [LIBRARY]
    assert f"surveys/{BUDGET}?t=" not in html_part(project, "S1")
    assert rows(project, "SELECT count(*) FROM survey_invitations") == [(3,)]  # a re-run records nothing new


def preferences_page(port, subscriber_id: str) -> str:
    """The reader's own page (``/p/TOKEN``, the 「수신 설정」 link of every email)."""
    status, headers, page = call(port, "GET", f"/p/{make_token('preferences', subscriber_id)}")
    assert status == 200 and headers["Cache-Control"] == "no-store"
    return page


def test_a_readers_own_page_lists_the_open_surveys_they_were_invited_to_until_answered(project, server):
    add_readers(project)
    assert run_cli(project / "pelicanconf.py", "bundles", "--issue", ISSUE).code == 0  # S1: both; S2: library
    page = preferences_page(server, "S1")
    budget, library = (f"http://127.0.0.1:8080/surveys/{slug}?t={survey_token(slug, 'S1')}" for slug in (BUDGET, LIBRARY))
    assert "참여하실 수 있는 설문" in page and f'href="{budget}"' in page and f'href="{library}"' in page
    section = page.split("참여하실 수 있는 설문")[1].split("</section>")[0]
    assert "2027년 주민참여예산 모바일 투표" in section and "기획예산과 · 12월 6일까지" in section
    link = re.search(rf'<a id="([\w-]+)-link" href="{re.escape(budget)}" aria-labelledby="([\w -]+)"', section)
    assert link and link.group(2) == f"{link.group(1)}-link {link.group(1)}-title"  # its name: 설문 참여하기 + the title
    assert re.search(rf'id="{link.group(1)}-title"[^>]*>2027년 주민참여예산 모바일 투표</h3>', section)

    # the link is the invitation's: the form, one answer (303), then 409; the page lists the survey no more
    status, _, form = call(server, "GET", urlsplit(budget).path + "?" + urlsplit(budget).query)
    assert status == 200 and f'name="t" value="{survey_token(BUDGET, "S1")}"' in form
    token = survey_token(BUDGET, "S1")
    assert call(server, "POST", f"/surveys/{BUDGET}", {"t": token, **BUDGET_ANSWER})[0] == 303
    assert call(server, "POST", f"/surveys/{BUDGET}", {"t": token, **BUDGET_ANSWER})[0] == 409
    page = preferences_page(server, "S1")
    assert f"surveys/{BUDGET}?t=" not in page and f'href="{library}"' in page
    library_token = survey_token(LIBRARY, "S1")
    assert call(server, "POST", f"/surveys/{LIBRARY}", {"t": library_token, **LIBRARY_ANSWER})[0] == 303
    assert "참여하실 수 있는 설문" not in preferences_page(server, "S1")  # nothing left: no section
    for not_invited in ("S3", "S00001"):  # never invited (S00001 was bundled by no issue)
        assert "참여하실 수 있는 설문" not in preferences_page(server, not_invited)


def test_a_readers_own_page_lists_an_open_survey_they_match_before_any_issue_invited_them(project, server):
    """A survey opened after the last issue, or a reader who signed up
    since: the survey's page sends them to their own page, which lists it
    with their own link; the answer counts, apart from the response rate."""
    add_readers(project)  # no bundle yet: nobody was invited
    page = preferences_page(server, "S2")  # S2 consents to library (library-users), not to survey (policy)
    section = page.split("참여하실 수 있는 설문")[1].split("</section>")[0]
    library = f"http://127.0.0.1:8080/surveys/{LIBRARY}?t={survey_token(LIBRARY, 'S2')}"
    assert f'href="{library}"' in section and f"surveys/{BUDGET}" not in section
    assert "참여하실 수 있는 설문" not in preferences_page(server, "S3")  # among no survey's audiences
    assert call(server, "POST", f"/surveys/{LIBRARY}", {"t": survey_token(LIBRARY, "S2"), **LIBRARY_ANSWER})[0] == 303
    assert "참여하실 수 있는 설문" not in preferences_page(server, "S2")  # answered: listed no more
    assert rows(project, "SELECT count(*) FROM survey_invitations") == [(0,)]  # the page records no invitation


def test_a_readers_own_page_lists_no_survey_closed_or_not_yet_open_and_escapes_titles(project, server):
    add_readers(project)
    surveys = project / "content" / "surveys"
    (surveys / "past-poll.yaml").write_text(GOOD.replace("title: 설문", "title: 지난 설문")
                                            .replace("closes: 2026-11-30", "closes: 2026-11-20"), encoding="utf-8")
    (surveys / "escaped.yaml").write_text(GOOD.replace("title: 설문", 'title: "주민 <b>의견</b> & 설문"'), encoding="utf-8")
    store = storage.ensure(Store.open(project / "private" / "sotong.db"))
    with store.transaction():
        for slug in ("past-poll", "village-bus-2027", "escaped"):  # closed on 11-20; opens on 12-14; open
            storage.record_invitation(store, slug, "S2", ISSUE)
    store.close()
    page = preferences_page(server, "S2")
    section = page.split("참여하실 수 있는 설문")[1].split("</section>")[0]
    assert "주민 &lt;b&gt;의견&lt;/b&gt; &amp; 설문" in section and "<b>의견" not in page
    assert "문화체육과 · 11월 30일까지" in section and f"surveys/escaped?t={survey_token('escaped', 'S2')}" in section
    assert "지난 설문" not in page and "past-poll" not in page and "village-bus-2027" not in page


def test_no_invitation_before_opening_or_in_one_off_bundles(project):
    add_readers(project)
    assert run_cli(project / "pelicanconf.py", "bundles", "--issue", "2026-11-12").code == 0
    manifest_ = (project / "private" / "outbox" / "2026-11-12" / "manifest.jsonl").read_text(encoding="utf-8")
    surveys = [json.loads(line).get("surveys") for line in manifest_.splitlines()]
    assert [LIBRARY] in surveys and not any(s and BUDGET in s for s in surveys)  # the budget vote opens 11-16
    notice = next(n for n in Project(project / "pelicanconf.py").published_notices
                  if n.has("email") and n.category == "culture" and not n.audiences)
    assert run_cli(project / "pelicanconf.py", "bundles", "--notice", notice.slug).code == 0
    manifest_ = (project / "private" / "outbox" / notice.slug / "manifest.jsonl").read_text(encoding="utf-8")
    assert manifest_ and "surveys" not in manifest_


# --- results -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def answered(tmp_path_factory):
    """The sample bundled for ISSUE (S1 and S2 invited to the library survey)
    and built; S1 answered the budget vote, S1-S3 the library survey (3
    answers of 2 invited); then ``sotong survey results LIBRARY`` ran:
    (project, its result)."""
    project = copy_project(tmp_path_factory.mktemp("answered"))
    add_readers(project)
    assert run_cli(project / "pelicanconf.py", "bundles", "--issue", ISSUE).code == 0
    assert invoke_sotong(project, "build").code == 0
    with serving(make_app(Project(project / "pelicanconf.py"))) as server:
        assert call(server, "POST", f"/surveys/{BUDGET}", {"t": survey_token(BUDGET, "S1"), **BUDGET_ANSWER})[0] == 303
        for reader, answer in zip(("S1", "S2", "S3"), (
                LIBRARY_ANSWER, {**LIBRARY_ANSWER, "library": "용답도서관", "purpose": ["열람실 공부", "휴식·모임"]},
                {**LIBRARY_ANSWER, "wish": "", "satisfaction": "3"})):
            assert call(server, "POST", f"/surveys/{LIBRARY}", {"t": survey_token(LIBRARY, reader), **answer})[0] == 303
    return project, invoke_sotong(project, "survey", "results", LIBRARY)


def test_results_count_the_answers_and_the_response_rate(answered):
    """S3 answered by a link no invitation records: among the 3 answers,
    not in the rate of the 2 invited readers (both answered), never 150%."""
    project, result = answered
    assert result.code == 0 and "3 answers, response rate 100.0%" in result.stdout
    page = (project / "private" / "surveys" / LIBRARY / "results.html").read_text(encoding="utf-8")
    assert "응답 3건 · 참여 요청을 받은 분 2명 가운데 2명 응답 · 응답률 100.0%" in page
    assert "참여 요청 기록과 이어 볼 수 없는 응답 1건" in page and "150.0%" not in page


def test_a_rate_short_of_all_or_above_none_is_not_shown_as_all_or_none():
    results = tally(SURVEY, [{}] * 2000, 2000, 1999)
    assert (percent(results.rate), percent(1 / 5000), percent(0.5)) == ("99.9%", "0.1% 미만", "50.0%")
    assert tally(SURVEY, [{}] * 3, 2, 2).rate == 1.0 and tally(SURVEY, [{}] * 3, 0, 0).rate is None


def test_results_csv_has_each_options_count_and_share(answered):
    project, _ = answered
    with open(project / "private" / "surveys" / LIBRARY / "results.csv", encoding="utf-8-sig", newline="") as file:
        table = list(csv.reader(file))
    assert table[0] == ["question", "option", "count", "share"]
    assert ["library", "금호도서관", "2", "0.6667"] in table and ["library", "용답도서관", "1", "0.3333"] in table
    assert ["purpose", "열람실 공부", "3", "1.0000"] in table and ["purpose", "휴식·모임", "1", "0.3333"] in table
    assert ["satisfaction", "5", "2", "0.6667"] in table and ["hours", "(응답 없음)", "3", "1.0000"] in table



def test_a_scales_negative_points_are_numbers_in_results_csv(tmp_path):
    """A scale from -2 (매우 반대) to 2 (매우 찬성): its points were written
    to results.csv as text, the negative ones neutralized as formulas ('-2),
    which the office's Excel shows with the quote and cannot sort as numbers."""
    from survey.results import write_csv

    scale = Question("stance", "scale", "찬반", (), min=-2, max=2)
    survey = Survey("s", "설문", "문화체육과", None, None, (), False, False, (scale,))
    write_csv(tmp_path / "results.csv", tally(survey, [{"stance": ("-2",)}, {"stance": ("1",)}, {}], 3))
    with open(tmp_path / "results.csv", encoding="utf-8-sig", newline="") as file:
        options = [row[1] for row in csv.reader(file)][1:]
    assert options == ["-2", "-1", "0", "1", "2", "(응답 없음)"]

def test_private_results_escape_free_text_and_describe_their_charts(answered):
    project, _ = answered
    private = (project / "private" / "surveys" / LIBRARY / "results.html").read_text(encoding="utf-8")
    assert "주말 &lt;b&gt;XYZZY연장&lt;/b&gt;" in private and "<b>XYZZY" not in private
    assert "<script" not in private
    # each chart is an image named by its question and described by every figure
    chart = re.search(r'<div class="survey-chart" role="img" aria-labelledby="(chart-library-t) (chart-library-d)"', private)
    assert chart, private
    assert re.search(f'<span id="{chart[1]}" hidden>[^<]*도서관[^<]*</span>', private)
    assert re.search(f'<span id="{chart[2]}" hidden>[^<]*용답도서관 1명\\(33\\.3%\\)', private)
    # a scale's ends with their labels, in its chart, its description and its table (results.csv keeps the numbers)
    assert "5 (매우 만족): <strong" in private and "5 (매우 만족) 2명(66.7%)" in private
    assert '<th scope="row">1 (매우 불만족)</th>' in private and '<th scope="row">3</th>' in private


def test_results_write_the_survey_days_the_korean_way(answered):
    project, _ = answered
    private = (project / "private" / "surveys" / LIBRARY / "results.html").read_text(encoding="utf-8")
    assert "참여 기간 2026년 11월 9일 ~ 2026년 11월 30일" in private and "2026-11-" not in private


PENDING = "결과는 아직 실리지 않았습니다"


def test_the_thank_you_pages_link_to_results_leads_to_a_page_before_they_are_published(project, cli):
    """The thank-you page says results come "설문이 끝난 뒤" at a link; until
    ``sotong survey results`` published them, that link was a 404. The
    build now puts a page there saying when they come (and on what
    condition); a survey that publishes nothing links nowhere and gets none."""
    assert cli(project, "build").code == 0
    out = project / "output" / "surveys"
    thanks = (out / LIBRARY / "thanks" / "index.html").read_text(encoding="utf-8")
    assert 'href="/surveys/library-satisfaction/results/"' in thanks
    pending = (out / LIBRARY / "results" / "index.html").read_text(encoding="utf-8")
    assert PENDING in pending and "답변이 5명 이상이면" in pending and "2026년 11월 30일" in pending
    assert "<script" not in pending and 'lang="ko"' in pending
    assert "results/" not in (out / BUDGET / "thanks" / "index.html").read_text(encoding="utf-8")
    assert not (out / BUDGET / "results").exists()


def test_results_are_published_after_closing_with_enough_answers_and_the_build_keeps_them(answered, tmp_path):
    project = Path(shutil.copytree(answered[0], tmp_path / "copy", symlinks=True))
    folder, public = project / "private" / "surveys" / LIBRARY, project / "output" / "surveys" / LIBRARY / "results" / "index.html"
    assert ("not published (publish_results: true): the survey takes answers until 2026-11-30; "
            "run this again after that day") in answered[1].stdout
    assert PENDING in public.read_text(encoding="utf-8") and not (folder / "public.json").exists()
    with open(project / "pelicanconf.py", "a", encoding="utf-8") as settings_file:
        settings_file.write('\nSOTONG_TODAY = "2026-12-01"\n')  # the day after it closed
    result = invoke_sotong(project, "survey", "results", LIBRARY)
    assert result.code == 0 and ("not published (publish_results: true): 3 answers are fewer than "
                                 "SURVEY_MIN_ANSWERS (5)") in result.stdout
    assert PENDING in public.read_text(encoding="utf-8") and (folder / "results.csv").is_file()
    with open(project / "pelicanconf.py", "a", encoding="utf-8") as settings_file:
        settings_file.write("SURVEY_MIN_ANSWERS = 3\n")
    result = invoke_sotong(project, "survey", "results", LIBRARY)
    assert result.code == 0 and "published (publish_results: true): output/surveys/" in result.stdout
    text = public.read_text(encoding="utf-8")
    assert PENDING not in text and "금호도서관" in text and 'role="img"' in text and "XYZZY" not in text and "자유 응답 내용은 공개하지 않습니다" in text
    assert "<html" in text and "sotong.css" in text
    assert "5 (매우 만족): <strong" in text  # a scale's labelled end, kept in public.json
    assert invoke_sotong(project, "build").code == 0  # the next build keeps the published results
    assert "금호도서관" in public.read_text(encoding="utf-8") and "5 (매우 만족): <strong" in public.read_text(encoding="utf-8")


def test_results_published_again_and_stopped_meanwhile_leave_the_live_page_as_it_was(answered, tmp_path):
    """``survey results`` run again (more answers came) and stopped (Ctrl+C,
    or SIGTERM) as it wrote the public page into output/, the live site:
    the page was truncated first, and an empty page was what the next
    deploy published. It is now replaced whole, or not at all."""
    project = Path(shutil.copytree(answered[0], tmp_path / "copy", symlinks=True))
    with open(project / "pelicanconf.py", "a", encoding="utf-8") as settings_file:
        settings_file.write('\nSOTONG_TODAY = "2026-12-01"\nSURVEY_MIN_ANSWERS = 3\n')
    assert invoke_sotong(project, "survey", "results", LIBRARY).code == 0
    public = project / "output" / "surveys" / LIBRARY / "results" / "index.html"
    before = public.read_bytes()
    sys.settrace(interrupted_once(lambda: not public.stat().st_size or len(list(public.parent.iterdir())) > 1))
    try:
        stopped = invoke_sotong(project, "survey", "results", LIBRARY)
    finally:
        sys.settrace(None)
    assert stopped.code == 130, stopped.output
    assert public.read_bytes() == before and list(public.parent.iterdir()) == [public]
    assert invoke_sotong(project, "survey", "results", LIBRARY).code == 0
    assert public.stat().st_mode == (project / "output" / "index.html").stat().st_mode  # readable as the build's pages


def test_results_of_an_unpublished_survey_stay_private_and_escaped(answered):
    project, _ = answered
    assert invoke_sotong(project, "survey", "results", BUDGET).code == 0  # not published
    assert not (project / "output" / "surveys" / BUDGET / "results").exists()
    budget = (project / "private" / "surveys" / BUDGET / "results.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; 공원 &amp; 벤치" in budget
    assert "응답률 100.0%" in budget


def test_no_answer_and_no_token_is_written_under_output(answered):
    project, _ = answered
    for path in (project / "output").resolve().rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"alert(1)" not in data and b"XYZZY" not in data and b"?t=" not in data, path


@given(st.dates(dt.date(2026, 10, 1), dt.date(2027, 1, 31)), st.integers(0, 12), st.integers(1, 10))
def test_results_are_published_only_after_closing_with_enough_answers(today, answers, min_answers):
    survey = Survey(slug="s", title="설문", department="문화체육과", opens=dt.date(2026, 11, 1),
                    closes=dt.date(2026, 11, 30), audiences=(), anonymous=True, publish_results=True, questions=())
    reason = unpublished_reason(survey, answers, today, min_answers)
    closed = today > dt.date(2026, 11, 30)  # SPEC §9: closes is the last day answers are taken
    assert (reason is None) == (closed and answers >= min_answers)
    if not closed:
        assert "2026-11-30" in reason
    elif answers < min_answers:
        assert f"{answers} answers are fewer than SURVEY_MIN_ANSWERS ({min_answers})" in reason



def test_free_text_longer_than_the_collector_takes_is_a_problem_and_the_length_it_names_is_taken(tmp_path):
    """SURVEY's text_max_chars may be up to 20,000, and a survey may ask any
    number of free-text questions, but the collector takes 64 KiB, and a
    form sends a Korean letter as 9 bytes: an answer the form let through
    got 413 and was lost. sotong check says so, with the length that fits,
    and an answer at that length, every box full, is taken."""
    project = copy_project(tmp_path, extra_settings='SURVEY = {"text_max_chars": 10000}')
    problems = [str(p) for p in check_project(Project(project / "pelicanconf.py"))]
    said = [p for p in problems if p.startswith(f"content/surveys/{LIBRARY}.yaml:8: with 1 free-text question(s) of up to 10000")]
    assert len(said) == 1 and len(problems) == 3, problems  # each sample survey asks one free-text question
    fits = min(int(p.rsplit(" ", 1)[1]) for p in problems)  # the setting is every survey's
    with open(project / "pelicanconf.py", "a", encoding="utf-8") as settings:
        settings.write(f'SURVEY = {{"text_max_chars": {fits}}}\n')
    assert check_project(Project(project / "pelicanconf.py")) == []
    add_subscribers(store_of(project), 1)
    longest = {"library": "기타 작은도서관", "purpose": ["책 대출·반납", "열람실 공부", "강좌·프로그램 참여", "어린이 자료실 이용",
                                                 "전자책·디지털 자료", "휴식·모임"], "satisfaction": "5", "hours": "더 늘려야 한다"}
    with serving(make_app(Project(project / "pelicanconf.py"))) as port:
        assert call(port, "POST", f"/surveys/{LIBRARY}", {"t": survey_token(LIBRARY, "S00001"), **longest,
                                                          "wish": "가" * 10000})[0] == 413  # what 10,000 would have met
        assert call(port, "POST", f"/surveys/{LIBRARY}", {"t": survey_token(LIBRARY, "S00001"), **longest,
                                                          "wish": "가" * fits})[0] == 303

def test_min_answers_setting_is_validated(tmp_path, cli):
    project = copy_project(tmp_path, extra_settings="SURVEY_MIN_ANSWERS = 0")
    result = cli(project, "check")
    assert result.code == 1 and "SURVEY_MIN_ANSWERS: is 0; write the fewest answers" in result.stderr


def test_results_unknown_survey_is_exit_1(project, cli):
    result = cli(project, "survey", "results", "library-satisfacton")
    assert result.code == 1 and 'no survey "library-satisfacton" in content/surveys/; did you mean "library-satisfaction"?' in result.stderr
    assert "Traceback" not in result.output
    # staff who run it with the title they read are told the slug; every slug is listed with its title
    result = cli(project, "survey", "results", "도서관 만족도 조사")
    assert result.code == 1 and result.stderr.strip().endswith(
        'no survey "도서관 만족도 조사" in content/surveys/; did you mean "library-satisfaction"?; known: '
        "budget-vote-2027 (2027년 주민참여예산 모바일 투표), library-satisfaction (2026 성동구립도서관 이용자 만족도 조사), "
        "village-bus-2027 (2027년 마을버스 노선 개편 주민 의견 조사)")


# --- the pure rules against brute force -------------------------------------------------

QUESTIONS = (
    Question("one", "single", "하나", ("가", "나", "다"), required=True),
    Question("many", "multiple", "여럿", ("가", "나", "다"), required=False),
    Question("score", "scale", "점수", (), required=True, min=0, max=3),
    Question("free", "text", "자유", (), required=False),
    Question("some", "multiple", "몇 개", ("가", "나", "다", "라"), required=False, least=2, most=3),
)
SURVEY = Survey("s", "설문", "문화체육과", None, None, (), False, False, QUESTIONS)
values = st.lists(st.sampled_from(["가", "나", "다", "라", "0", "3", "4", "", " ", "긴 글 " * 3, "\u200b", "\ufeff 가\u200b",
                                   "\u3164", "\u3164\u3164 ", "\u00a0", "\u2060", "ㄱ\u200bㄴ",
                                   # a text box's limit (8) exactly and one over, kept or refused by a space at the
                                   # ends; full-width, emoji, and a full-width space around them
                                   "가나다라마바사아", "가나다라마바사아자", " 가나다라마바사아\u3000", "ＡＢＣ３", "３", "👍🏽가",
                                   "\u3000가\u3000"]), max_size=4)
SHOWING_NOTHING = " \t\n\u00a0\u200b\u2060\ufeff\u3164\u3000"  # what the values above hold that leaves no mark


@hsettings(deadline=None, max_examples=300)
@given(st.fixed_dictionaries({}, optional={q.id: values for q in QUESTIONS}))
def test_validate_answers_against_brute_force(form):
    answers, errors = validate_answers(SURVEY, form, text_max_chars=8)
    for question in QUESTIONS:
        given_ = [v.strip(SHOWING_NOTHING) for v in form.get(question.id, []) if v.strip(SHOWING_NOTHING)]
        allowed = [str(n) for n in range(question.min, question.max + 1)] if question.type == "scale" else list(question.options)
        if not given_:
            ok = not question.required
        elif question.type == "text":
            ok = len(given_) == 1 and len(given_[0]) <= 8
        elif question.type == "multiple":
            ok = all(v in allowed for v in given_) and question.least <= len(set(given_)) <= (question.most or 99)
        else:
            ok = len(given_) == 1 and given_[0] in allowed
        assert (question.id not in errors) == ok, (question, form, errors)
        if ok and given_:
            kept = [option for option in allowed if option in given_] if question.type == "multiple" else given_
            assert answers[question.id] == tuple(kept) and question.id not in errors  # options in the survey's order
        if not given_ or not ok:
            assert question.id not in answers


def test_a_text_answer_sent_decomposed_is_kept_composed_and_counted_in_letters():
    """Some phone keyboards and a Mac's browser send Hangul letter by letter
    (NFD: 한 as ᄒ+ᅡ+ᆫ): such an opinion was refused as three times too long,
    or stored so that staff's search for the word never found it."""
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "마을버스 배차")
    assert len(decomposed) > 8
    answers, errors = validate_answers(SURVEY, {"one": ["가"], "score": ["1"], "free": [decomposed]}, text_max_chars=8)
    assert errors == {} and answers["free"] == ("마을버스 배차",)



def test_a_text_answers_line_breaks_count_once_as_the_box_counted_them():
    """A form sends each line break as CR LF, the box's maxlength counted it
    as one: three lines of two letters fit a box of 8 and are taken, kept with LF."""
    answers, errors = validate_answers(SURVEY, {"one": ["가"], "score": ["1"], "free": ["가나\r\n다라\r마바"]}, text_max_chars=8)
    assert errors == {} and answers["free"] == ("가나\n다라\n마바",)

@hsettings(deadline=None, max_examples=200)
@given(st.lists(st.fixed_dictionaries({}, optional={
    "one": st.sampled_from([("가",), ("나",), ("다",)]),
    "many": st.lists(st.sampled_from(["가", "나", "다"]), unique=True, min_size=1).map(tuple),
    "score": st.sampled_from([("0",), ("1",), ("2",), ("3",)]),
    "free": st.text(min_size=1, max_size=5).map(lambda t: (t,))}), max_size=12), st.integers(0, 30))
def test_tally_against_brute_force(responses, invited):
    results = tally(SURVEY, responses, invited)
    assert results.responses == len(responses)
    assert results.rate == (len(responses) / invited if invited else None)
    for question, result in zip(QUESTIONS, results.questions):
        counts = {row.option: (row.count, row.share) for row in result.rows}
        if question.type == "text":
            assert list(result.texts) == [r["free"][0] for r in responses if "free" in r]
            continue
        for option in question.choices:
            expected = sum(option in r.get(question.id, ()) for r in responses)
            assert counts[option][0] == expected
            assert counts[option][1] == (expected / len(responses) if responses else 0.0)
        skipped = sum(question.id not in r for r in responses)
        if question.type != "multiple":
            assert counts.get("(응답 없음)", (0, 0))[0] == skipped


surveyed_profiles = st.builds(lambda profile, more: Profile(**{**profile.__dict__, "fields": profile.fields | more}),
                              profiles, st.sampled_from([frozenset(), frozenset({"survey"})]))


@hsettings(max_examples=300)
@given(surveyed_profiles, st.lists(segments, max_size=3), years)
def test_who_is_invited_reads_spec_9(profile, audiences, year):
    """SPEC §9: ``audiences`` is who is invited (any one of them, each key of
    §3 holding); without it, those who consented to the field ``survey``;
    never a reader who stopped everything."""
    survey = Survey("s", "설문", "문화체육과", None, None, tuple(audiences), False, False, QUESTIONS)
    if not audiences:
        expected = "survey" in profile.fields
    else:
        expected = any(spec_matches_segment(profile, segment, year) for segment in audiences)
    assert is_invited(survey, profile, year) == (profile.subscribed and expected)


def test_token_links_quote_safely():
    token = survey_token(BUDGET, "S 1/é")
    assert quote(token, safe=".-_") == token  # URL-safe as it stands


def test_a_key_change_does_not_let_a_reader_answer_an_anonymous_survey_twice(project, server, monkeypatch):
    """S00001 answered with the link signed by the old key; once the office
    changed SOTONG_SECRET (the old one kept as SOTONG_PREVIOUS_SECRET), the
    next issue's link is signed by the new key: it is the same reader's, so
    it is refused (409) and the next bundle invites them no more."""
    old, new = "o" * 40, "n" * 40
    monkeypatch.setenv("SOTONG_SECRET", old)
    assert call(server, "POST", f"/surveys/{LIBRARY}", {"t": survey_token(LIBRARY, "S00001"), **LIBRARY_ANSWER})[0] == 303
    monkeypatch.setenv("SOTONG_SECRET", new)
    monkeypatch.setenv("SOTONG_PREVIOUS_SECRET", old)
    again = call(server, "POST", f"/surveys/{LIBRARY}", {"t": survey_token(LIBRARY, "S00001"), **LIBRARY_ANSWER})
    assert again[0] == 409 and "이미 답해 주셨습니다" in again[2]
    assert call(server, "POST", f"/surveys/{LIBRARY}", {"t": survey_token(LIBRARY, "S00002", old.encode()),
                                                        **LIBRARY_ANSWER})[0] == 303  # an old link, kept as the new key's
    assert call(server, "GET", f"/surveys/{LIBRARY}?t={survey_token(LIBRARY, 'S00002')}")[0] == 409
    assert stored_answers(project) == 2
