"""A committee's consultation as its users live it (SPEC §16): the PR
staff member who sets the committee up and writes its call for opinions,
the member who answers from a phone (before, on and after the deadline,
from a forwarded email), and the office that reads the opinions. Each test
is a problem one of them hit."""

from __future__ import annotations

import re

import pytest
from project_support import REPO, copy_project, invoke_sotong
from werkzeug.test import Client

from sotong.project import Project
from sotong.web import make_app
from survey.rules import survey_token

CONSULTATION = """title: 복지위원회 안건 의견 수렴
department: 복지정책과
kind: consultation
policy:
  title: 2027년 겨울나기 지원 사업
  department: 복지정책과
  summary: 독거 어르신 난방비 지원 대상을 넓히는 안입니다.
opens: {opens}
closes: {closes}
audiences: [budget-committee]
questions:
  - id: opinion
    type: text
    text: 안건에 대한 의견을 적어 주세요.
    required: true
"""
CLOSES_LINE = 9


def with_consultation(tmp_path, opens: str, closes: str, today: str = "2026-11-23"):
    project = copy_project(tmp_path, extra_settings=f'SOTONG_TODAY = "{today}"')
    (project / "content" / "surveys" / "welfare-agenda.yaml").write_text(
        CONSULTATION.format(opens=opens, closes=closes), encoding="utf-8")
    return project


@pytest.fixture
def korean(monkeypatch):
    monkeypatch.setenv("SOTONG_LANG", "ko")


def test_a_consultation_open_only_between_two_issues_warns_that_nobody_is_invited(tmp_path, korean):
    # Monday 14 to Sunday 20 December: the issues are Thursday 10 and 24, and invitations travel only in them
    project = with_consultation(tmp_path, "2026-12-14", "2026-12-20")
    checked = invoke_sotong(project, "check")
    assert checked.code == 0, checked.output
    said = [line for line in checked.stderr.splitlines() if "content/surveys/" in line]
    assert len(said) == 1, checked.stderr
    assert said[0].startswith(f"content/surveys/welfare-agenda.yaml:{CLOSES_LINE}: 주의: ")
    assert "closes: 2026-12-24" in said[0] and "아무도" in said[0]


@pytest.mark.parametrize(("opens", "closes", "today"), [
    ("2026-12-14", "2026-12-24", "2026-11-23"),  # the issue of the 24th invites
    ("2026-12-10", "2026-12-10", "2026-11-23"),  # one day, an issue's
    ("2026-11-02", "2026-11-08", "2026-11-23"),  # closed before today: nothing to do about it
])
def test_a_survey_whose_days_hold_an_issue_or_that_has_closed_is_not_warned_of(tmp_path, korean, opens, closes, today):
    project = with_consultation(tmp_path, opens, closes, today)
    checked = invoke_sotong(project, "check")
    assert checked.code == 0, checked.output
    assert "content/surveys/" not in checked.stderr, checked.stderr


MEMBER = "S000004"  # of committee-budget in the sample, whose segment budget-committee the consultation invites


def member_visits(tmp_path, today: str):
    """A werkzeug client of the collector on the day ``today``, the sample's readers on record."""
    project = with_consultation(tmp_path, "2026-12-10", "2026-12-16", today)
    imported = invoke_sotong(project, "subscribers", "import", str(REPO / "sample" / "subscribers.csv"))
    assert imported.code == 0, imported.output
    return Client(make_app(Project(project / "pelicanconf.py")))


def page_text(response) -> str:
    """The words of the page's main part (the footer names the office's number on every page)."""
    main = response.get_data(as_text=True).split("<main", 1)[1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def test_the_link_after_the_deadline_says_it_closed_and_whom_to_call(tmp_path):
    member = member_visits(tmp_path, "2026-12-17")
    response = member.get(f"/surveys/welfare-agenda?t={survey_token('welfare-agenda', MEMBER)}")
    assert response.status_code == 410 and "<form" not in response.get_data(as_text=True)
    said = page_text(response)
    assert "12월 16일에 마감" in said and "복지정책과" in said and "02-2286-5114" in said, said
    assert "부터 12월 16일까지 답하실 수 있습니다" not in said  # as if it could still be answered


def test_the_link_before_the_first_day_says_from_when(tmp_path):
    member = member_visits(tmp_path, "2026-12-03")
    response = member.get(f"/surveys/welfare-agenda?t={survey_token('welfare-agenda', MEMBER)}")
    assert response.status_code == 410
    said = page_text(response)
    assert "12월 10일부터" in said and "다시 열어" in said and "마감" not in said, said


def test_a_link_already_used_says_what_to_do_when_the_member_did_not_answer(tmp_path):
    # the member forwarded the email; whoever got it answered with the member's link first
    member = member_visits(tmp_path, "2026-12-12")
    token = survey_token("welfare-agenda", MEMBER)
    assert member.post("/surveys/welfare-agenda", data={"t": token, "opinion": "전달받은 사람의 의견"}).status_code == 303
    response = member.get(f"/surveys/welfare-agenda?t={token}")
    assert response.status_code == 409
    said = page_text(response)
    assert "이미 답해 주셨습니다" in said and "전달" in said and "복지정책과" in said and "02-2286-5114" in said, said


def test_the_thanks_after_an_opinion_says_what_becomes_of_it(tmp_path):
    """The member's form (no JavaScript: a POST, then its 303) ended on a
    survey's thanks ("구정에 반영하겠습니다"), which said nothing of the record
    the form had said the opinion goes into, nor that it cannot be changed."""
    member = member_visits(tmp_path, "2026-12-12")
    sent = member.post("/surveys/welfare-agenda", data={"t": survey_token("welfare-agenda", MEMBER), "opinion": "찬성합니다"})
    assert sent.status_code == 303
    thanks = member.get(sent.headers["Location"].split("127.0.0.1:8080", 1)[-1])
    assert thanks.status_code == 200
    said = page_text(thanks)
    assert "「2027년 겨울나기 지원 사업」에 대한 의견" in said and "복지정책과의 정책 의견 기록" in said, said
    assert "참여자 번호, 성별, 행정동, 연령대" in said and "한 번만" in said, said
    assert "누리집에 싣지 않습니다" in said, said  # publish_results is not set: nothing of it is published


HEADER = "id,name,email,phone,birth_year,gender,dong,fields,channels,kind,business_type,subscribed_at,unsubscribed_at"


def test_a_roster_row_of_a_member_in_no_group_and_no_field_is_said_with_its_line(tmp_path, korean):
    project = copy_project(tmp_path)
    roster = tmp_path / "위원명단.csv"
    roster.write_text("\n".join([
        HEADER + ",groups",
        "W000001,최복순,choi@example.com,,1958,F,eungbong,,email,person,,2026-11-01,,committee-budget",
        "W000004,오만수,oh@example.com,,1952,M,oksu,,email,person,,2026-11-01,,",  # the group forgotten
        "W000005,유경희,yu@example.com,,1957,F,oksu,living,email,person,,2026-11-01,,",  # fields: sent what they chose
        "W000006,임정숙,lim@example.com,,1950,F,oksu,,email,person,,2026-11-01,2026-11-20,",  # stopped: nothing to send
    ]) + "\n", encoding="utf-8")
    imported = invoke_sotong(project, "subscribers", "import", str(roster))
    assert imported.code == 0, imported.output
    said = [line for line in imported.stderr.splitlines() if "주의" in line]
    assert len(said) == 1, imported.stderr
    assert said[0].startswith(f"{roster}:3: 주의: ") and "W000004" in said[0] and "groups" in said[0], said
    assert "committee-budget" in said[0] and "oh@example.com" not in said[0]


def test_a_file_without_the_groups_column_keeps_the_groups_and_warns_of_none(tmp_path, korean):
    project = copy_project(tmp_path)
    roster = tmp_path / "export.csv"
    roster.write_text(HEADER + "\nW000004,오만수,oh@example.com,,1952,M,oksu,,email,person,,2026-11-01,\n", encoding="utf-8")
    imported = invoke_sotong(project, "subscribers", "import", str(roster))
    assert imported.code == 0 and "주의" not in imported.stderr, imported.output


@pytest.mark.parametrize(("opens", "closes", "instead"), [
    ("2026-12-10", "2025-12-16", "closes: 2026-12-16"),  # the year mistyped
    ("2026-12-10", "2026-12-09", "closes: 2026-12-24"),  # two weeks on
    ("2026-12-10", "12월 16일", "closes: 2026-12-16"),  # as a letter writes it: the year of opens
    ("2026-12-10", "12/16", "closes: 2026-12-16"),
])
def test_a_bad_deadline_is_one_korean_line_with_the_day_to_write(tmp_path, korean_check, opens, closes, instead):
    said = [line for line in korean_check(with_consultation(tmp_path, opens, closes)) if "content/surveys/" in line]
    assert len(said) == 1 and said[0].startswith(f"content/surveys/welfare-agenda.yaml:{CLOSES_LINE}: "), said
    assert said[0].endswith(instead), said
    assert "2026-11-09" not in said[0]


def test_reach_says_a_private_notice_whose_group_has_no_member_goes_to_no_one(tmp_path, korean):
    # the committee's roster not imported yet: the sample's members of committee-budget taken out of it
    project = copy_project(tmp_path)
    text = (REPO / "sample" / "subscribers.csv").read_text(encoding="utf-8-sig")
    for written in ("committee-budget;", ";committee-budget", "committee-budget", "주민참여예산위원회"):
        text = text.replace(written, "")
    (tmp_path / "people.csv").write_text(text, encoding="utf-8")
    assert invoke_sotong(project, "subscribers", "import", str(tmp_path / "people.csv")).code == 0
    result = invoke_sotong(project, "reach", "--issue", "2026-12-10")
    assert result.code == 0, result.output
    said = [line.strip() for line in result.output.splitlines() if line.strip().startswith("2026-12-09-budget-committee-review:")]
    assert len(said) == 1, result.output
    assert "아무에게도" in said[0] and "groups" in said[0] and "committee-budget" in said[0], said


@pytest.mark.parametrize(("line", "meant"), [
    ("마감: 2026-12-16", '"closes"'),
    ("마감일: 2026-12-16", '"closes"'),
    ("deadline: 2026-12-16", '"closes"'),
    ("시작일: 2026-12-10", '"opens"'),
    # as a private notice is written: who answers is its audiences, what is published its publish_results
    ("visibility: private", "publish_results(true 또는 false)에 쓰고 이 줄은 지우세요"),
    ("공개: false", "답할 분은 audiences에"),
])
def test_a_key_written_as_staff_say_it_names_the_key_to_write(tmp_path, korean_check, line, meant):
    project = with_consultation(tmp_path, "2026-12-10", "2026-12-16")
    path = project / "content" / "surveys" / "welfare-agenda.yaml"
    path.write_text(path.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")
    said = [said for said in korean_check(project) if "content/surveys/" in said]
    assert len(said) == 1 and said[0].startswith("content/surveys/welfare-agenda.yaml:16: "), said
    assert meant in said[0], said


def test_the_sites_form_after_the_deadline_says_it_closed_and_whom_to_ask(tmp_path):
    # the public notice's 「설문 참여하기」 leads here; rebuilt every day, it told of the days as if still to come
    project = with_consultation(tmp_path, "2026-12-10", "2026-12-16", "2026-12-17")
    assert invoke_sotong(project, "build").code == 0
    page = (project / "output" / "surveys" / "welfare-agenda" / "index.html").read_text(encoding="utf-8")
    said = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.split("<main", 1)[1].split("</main>", 1)[0]))
    assert "<form" not in page and "12월 16일에 마감" in said and "복지정책과" in said, said
    assert "까지 답하실 수 있습니다" not in said
