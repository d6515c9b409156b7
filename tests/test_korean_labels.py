"""Korean labels (issue #10, SPEC §2): wherever a dong, a field, a department
or a business type is named, its Korean label from audiences.yaml is taken
as well as its key, and stored as the key; an unknown department names the
closest ones and where the list lives."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from bundles.persona import PersonaError, parse_persona
from project_support import copy_project, run_sotong
from sotong.audiences import load_audiences, resolve_key, unknown_department
from sotong.check import check_project
from sotong.notices import read_notice
from sotong.project import Project

REPO = Path(__file__).resolve().parent.parent
AUDIENCES = load_audiences(REPO / "audiences.yaml")
LABELLED = {"fields": AUDIENCES.fields, "dongs": AUDIENCES.dongs, "business_types": AUDIENCES.business_types}


@settings(max_examples=60, deadline=None)
@given(kind=st.sampled_from(sorted(LABELLED)), data=st.data())
def test_a_key_and_its_label_name_the_same_key(kind, data):
    known = LABELLED[kind]
    key = data.draw(st.sampled_from(sorted(known)))
    assert resolve_key(key, known) == key
    assert resolve_key(known[key], known) == key
    assert resolve_key(f" {known[key]} ", known) == key
    assert resolve_key(known[key] + "x", known) is None


def notice(tmp_path: Path, front: str):
    path = tmp_path / "n.md"
    path.write_text(textwrap.dedent(f"---\ntitle: 안내\ndate: 2026-11-05\n{front}---\n본문\n"), encoding="utf-8")
    return read_notice(path, AUDIENCES, tmp_path, shown="n.md")


def test_a_notice_category_by_its_korean_name_is_stored_as_the_key(tmp_path):
    read, problems = notice(tmp_path, "department: 보건소\ncategory: 건강정보\n")
    assert problems == [] and (read.category, read.department) == ("health", "보건소")
    read, problems = notice(tmp_path, "department: 보건소\ncategory: 건강정보지\n")
    assert read is None and 'unknown category "건강정보지"' in str(problems[0]) and "health (건강정보)" in str(problems[0])


def test_an_unknown_department_names_the_closest_and_where_the_list_is(tmp_path):
    read, problems = notice(tmp_path, "department: 보건서\ncategory: health\n")
    assert [str(p) for p in problems] == [
        'n.md:4: unknown department "보건서"; did you mean "보건소" (or 보건위생과)? '
        "departments are listed under departments: in audiences.yaml (add a new one there)"]
    assert unknown_department("zzz", AUDIENCES.departments).startswith('unknown department "zzz"; departments are listed')


def test_segments_in_audiences_yaml_take_korean_labels(tmp_path):
    text = (REPO / "audiences.yaml").read_text(encoding="utf-8")
    text += "\n  eungbong-health:\n    dongs: [응봉동, majang]\n    fields: [건강정보]\n    business_types: [식품접객업]\n"
    if "\nsegments:" not in text:
        text = text.replace("\n  eungbong-health:", "\nsegments:\n  eungbong-health:")
    (tmp_path / "audiences.yaml").write_text(text, encoding="utf-8")
    segment = load_audiences(tmp_path / "audiences.yaml").segments["eungbong-health"]
    assert (segment.dongs, segment.fields, segment.business_types) == (
        {"eungbong", "majang"}, {"health"}, {"food-service"})


def test_a_persona_takes_korean_labels():
    reader = parse_persona("dong=응봉동 fields=건강정보,culture business_type=식품접객업 kind=business",
                           AUDIENCES, 2026)
    assert (reader.dong, reader.fields, reader.business_type) == ("eungbong", {"health", "culture"}, "food-service")
    with pytest.raises(PersonaError) as caught:
        parse_persona("dong=응봉", AUDIENCES, 2026)
    assert str(caught.value).startswith('unknown dong "응봉"; did you mean "응봉동"?; known: wangsimni2 (왕십리2동), ')
    with pytest.raises(PersonaError, match='unknown field "건강정부"; did you mean "건강정보"'):
        parse_persona("fields=건강정부", AUDIENCES, 2026)


def test_a_survey_department_is_checked_with_the_same_message(tmp_path):
    project = copy_project(tmp_path)
    (project / "content" / "surveys" / "my-survey.yaml").write_text(
        "title: 설문\ndepartment: 보건서\nopens: 2026-11-01\ncloses: 2026-11-30\nquestions:\n"
        "  - id: q\n    type: text\n    text: 의견은?\n", encoding="utf-8")
    problems = [str(p) for p in check_project(Project(project / "pelicanconf.py"))]
    assert ('content/surveys/my-survey.yaml:2: unknown department "보건서"; did you mean "보건소" (or 보건위생과)? '
            "departments are listed under departments: in audiences.yaml (add a new one there)") in problems


def test_preview_persona_option_takes_korean_labels(tmp_path):
    project = copy_project(tmp_path)
    result = run_sotong(project, "preview", "--persona", "age=70 dong=응봉동 fields=건강정보", "--issue", "2026-11-26")
    assert result.code == 0, result.output
    assert "email: " in result.stdout and "Error" not in result.output


def test_an_inline_segment_in_a_notice_takes_korean_labels(tmp_path):
    read, problems = notice(tmp_path, "department: 보건소\ncategory: 건강정보\n"
                                      "audiences: [{dongs: [응봉동, 마장동], fields: [건강정보], age: [65, null]}]\n")
    assert problems == []
    (segment,) = read.audiences
    assert (segment.dongs, segment.fields) == ({"eungbong", "majang"}, {"health"})
