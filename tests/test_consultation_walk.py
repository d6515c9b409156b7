"""A committee's consultation as its users live it (SPEC §16): the PR
staff member who sets the committee up and writes its call for opinions,
the member who answers from a phone (before, on and after the deadline,
from a forwarded email), and the office that reads the opinions. Each test
is a problem one of them hit."""

from __future__ import annotations

import pytest
from project_support import copy_project, invoke_sotong

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
