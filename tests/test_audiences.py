"""audiences.yaml (SPEC §3): unknown keys and dangling references are errors
with their line; the sample file is valid and complete."""

from __future__ import annotations

from pathlib import Path

import pytest

from sotong.audiences import load_audiences
from sotong.problems import SotongError

REPO = Path(__file__).resolve().parent.parent

BASE = """\
fields:
  culture: 문화공연
  education: 교육정보
  bulletin: 구청소식지
edition_field: bulletin
departments: [문화체육과, 보건소]
dongs:
  yongdap: 용답동
  seongsu1ga1: 성수1가1동
business_types:
  food-service: 식품접객업
segments:
  parents:
    label: 학부모
    age: [30, 59]
    fields: [education]
"""


def problems_of(tmp_path, text):
    path = tmp_path / "audiences.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SotongError) as caught:
        load_audiences(path)
    return [str(p).replace(str(path), "audiences.yaml") for p in caught.value.problems]


def test_sample_audiences_cover_the_service():
    audiences = load_audiences(REPO / "audiences.yaml")
    assert len(audiences.fields) == 11
    assert set(audiences.fields.values()) >= {"문화공연", "교육정보", "도서관정보", "생활정보", "건강정보", "여론조사",
                                              "구청소식지", "지방세·세외수입 고지서", "민방위 통지서",
                                              "취학·예방접종 통지서", "주민등록증 발급 통지서"}
    assert len(audiences.dongs) == 17
    assert len(audiences.business_types) == 12
    assert len(audiences.segments) >= 8
    assert len(audiences.departments) >= 8
    assert audiences.edition_field == "bulletin"


def test_a_valid_file_loads(tmp_path):
    path = tmp_path / "audiences.yaml"
    path.write_text(BASE, encoding="utf-8")
    audiences = load_audiences(path)
    assert audiences.segments["parents"].age == (30, 59)
    assert audiences.segments["parents"].fields == frozenset({"education"})


@pytest.mark.parametrize("edit, expected", [
    (("segments:", "segment:"), 'audiences.yaml:12: unknown key "segment"; did you mean "segments"?'),
    (("    label: 학부모", "    lable: 학부모"), 'audiences.yaml:14: unknown segment key "lable"; did you mean "label"?'),
    (("fields: [education]", "fields: [educaton]"), 'audiences.yaml:16: fields: "educaton" is not defined; did you mean "education"?'),
    (("age: [30, 59]", "age: [59, 30]"), "audiences.yaml:15: age must be [min, max]"),
    (("age: [30, 59]", "age: 30"), "audiences.yaml:15: age must be [min, max]"),
    (("edition_field: bulletin", "edition_field: bulletn"), 'audiences.yaml:5: edition_field "bulletn" is not a key of fields; did you mean "bulletin"?'),
    (("    age: [30, 59]", "    dongs: [seongsu9]"), 'audiences.yaml:15: dongs: "seongsu9" is not defined'),
    (("    age: [30, 59]", "    genders: [W]"), 'audiences.yaml:15: genders: "W" is not defined'),
    (("    age: [30, 59]", "    kinds: [company]"), 'audiences.yaml:15: kinds: "company" is not defined'),
    (("    age: [30, 59]", "    business_types: [food]"), 'audiences.yaml:15: business_types: "food" is not defined'),
    (("departments: [문화체육과, 보건소]", "departments: 문화체육과"), "audiences.yaml:6: departments must be a list"),
])
def test_each_rule(tmp_path, edit, expected):
    old, new = edit
    assert old in BASE
    problems = problems_of(tmp_path, BASE.replace(old, new))
    assert any(p.startswith(expected) for p in problems), problems


def test_broken_yaml_names_the_line(tmp_path):
    problems = problems_of(tmp_path, BASE.replace("  yongdap: 용답동", "  yongdap: 용답동: 동"))
    assert problems[0].startswith("audiences.yaml:8: ")


@pytest.mark.parametrize("key", ["age", "birth_years"])
@pytest.mark.parametrize("value", [
    "[30]", "[30, 59, 60]", "[]", "30", "{min: 30, max: 59}",
    "[thirty, 59]", '["30", 59]', "[30, sixty]",
    "[true, 59]", "[30, false]", "[30.5, 59]", "[30, 59.0]",
    "[59, 30]", "[31, 30]",
])
def test_bounds_that_are_not_two_whole_numbers_in_order_are_named_with_their_line(tmp_path, key, value):
    problems = problems_of(tmp_path, BASE.replace("age: [30, 59]", f"{key}: {value}"))
    assert problems == [f"audiences.yaml:15: {key} must be [min, max] with whole numbers or null, "
                        f"e.g. {key}: [30, 59]"]


@pytest.mark.parametrize("value, bounds", [
    ("[30, 30]", (30, 30)), ("[null, 59]", (None, 59)), ("[30, null]", (30, None)), ("[0, 120]", (0, 120)),
])
def test_bounds_may_be_equal_or_open(tmp_path, value, bounds):
    path = tmp_path / "audiences.yaml"
    path.write_text(BASE.replace("age: [30, 59]", f"age: {value}\n    birth_years: {value}"), encoding="utf-8")
    parents = load_audiences(path).segments["parents"]
    assert parents.age == parents.birth_years == bounds
