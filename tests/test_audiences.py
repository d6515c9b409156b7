"""audiences.yaml (SPEC §3): unknown keys and dangling references are errors
with their line; the sample file is valid and complete."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from sotong.audiences import Profile, load_audiences
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


def test_a_dongs_number_spelled_in_hangul_is_the_dong_with_its_digit(tmp_path):
    """성수일가1동, as 1가 is read aloud, is as near to 성수1가2동 or 성수2가1동
    as to 성수1가1동 by its letters: the sample's four 성수 dongs tied, and
    check suggested none."""
    sample = (REPO / "audiences.yaml").read_text(encoding="utf-8")
    written = "dongs: [seongsu1ga1, seongsu1ga2, seongsu2ga1, seongsu2ga3]"
    assert written in sample
    problems = problems_of(tmp_path, sample.replace(written, written.replace("seongsu1ga1", "성수일가1동"), 1))
    assert len(problems) == 1 and '"성수일가1동" is not defined; did you mean "성수1가1동"?' in problems[0], problems


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
    # the Korean word for a key: was the list of keys alone (그룹: for groups:, 나이: for age:)
    (("segments:", "그룹:\n  org-tongjang: 통장협의회\nsegments:"), 'audiences.yaml:12: unknown key "그룹"; did you mean "groups"?'),
    (("segments:", "대상:"), 'audiences.yaml:12: unknown key "대상"; did you mean "segments"?'),
    (("    age: [30, 59]", "    나이: [30, 59]"), 'audiences.yaml:15: unknown segment key "나이"; did you mean "age"?'),
    (("    label: 학부모", "    이름: 학부모"), 'audiences.yaml:14: unknown segment key "이름"; did you mean "label"?'),
    (("    age: [30, 59]", "    모임: [org-tongjang]"), 'audiences.yaml:15: unknown segment key "모임"; did you mean "groups"?'),
    (("    label: 학부모", "    lable: 학부모"), 'audiences.yaml:14: unknown segment key "lable"; did you mean "label"?'),
    (("fields: [education]", "fields: [educaton]"), 'audiences.yaml:16: fields: "educaton" is not defined; did you mean "education"?'),
    (("age: [30, 59]", "age: [59, 30]"),
     "audiences.yaml:15: age [59, 30] has the larger number first; write the smaller first: age: [30, 59]"),
    (("age: [30, 59]", "age: 30"), "audiences.yaml:15: age must be [min, max]"),
    (("edition_field: bulletin", "edition_field: bulletn"), 'audiences.yaml:5: edition_field "bulletn" is not a key of fields; did you mean "bulletin"?'),
    # a list where one key is meant: TypeError: unhashable type: 'list'
    (("edition_field: bulletin", "edition_field: [bulletin, culture]"), "audiences.yaml:5: edition_field is one key of fields, not a list or a map; write one, e.g. edition_field: "),
    (("    age: [30, 59]", "    dongs: [seongsu9]"), 'audiences.yaml:15: dongs: "seongsu9" is not defined'),
    (("    age: [30, 59]", "    genders: [W]"), 'audiences.yaml:15: genders: "W" is not defined'),
    (("    age: [30, 59]", "    kinds: [company]"), 'audiences.yaml:15: kinds: "company" is not defined'),
    (("    age: [30, 59]", "    business_types: [food]"), 'audiences.yaml:15: business_types: "food" is not defined'),
    (("departments: [문화체육과, 보건소]", "departments: 문화체육과"), "audiences.yaml:6: departments must be a list"),
    (("departments: [문화체육과, 보건소]", 'departments: [문화체육과, ""]'), "audiences.yaml:6: departments must be a list"),
    (("departments: [문화체육과, 보건소]", "departments: [문화체육과, 3]"), "audiences.yaml:6: departments must be a list"),
    (("departments: [문화체육과, 보건소]", ""), "audiences.yaml:1: departments must be a list"),
    # department/민원/여권과/index.html, which its links (department/민원%2F여권과/) missed on most servers
    (("departments: [문화체육과, 보건소]", "departments:\n  - 문화체육과\n  - 민원/여권과"),
     'audiences.yaml:8: department "민원/여권과" holds / or \\ or is only dots'),
    (("departments: [문화체육과, 보건소]", 'departments: [문화체육과, "..", 보건소]'),  # its page: output/index.html
     'audiences.yaml:6: department ".." holds / or \\ or is only dots'),
    # a department listed twice (one with a blank after it): passed, its page made twice
    (("departments: [문화체육과, 보건소]", "departments:\n  - 문화체육과\n  - 보건소\n  - \"문화체육과 \""),
     'audiences.yaml:9: department "문화체육과" is listed twice (item 1 of the list is the same); delete this one'),
    # department/NAME/index.html: check passed it, and the build stopped at "OSError: [Errno 36] File name too long"
    (("departments: [문화체육과, 보건소]", "departments:\n  - 문화체육과\n  - " + "보건" * 34),
     f'audiences.yaml:8: department "{"보건" * 34}" is 204 bytes long, and each department has a page in a folder of '
     "its name, which may be 200 bytes at most"),
    (("  culture: 문화공연", '  culture: "  "'), "audiences.yaml:2: fields.culture needs a name as text, e.g. culture: 이름"),
    (("  seongsu1ga1: 성수1가1동", "  seongsu1ga1: 용답동 "),
     'audiences.yaml:9: dongs.seongsu1ga1: "용답동" is already the name of yongdap; give each its own name'),
    (("  culture: 문화공연", "  culture: 3"), "audiences.yaml:2: fields.culture needs a name as text"),
    (("dongs:\n  yongdap: 용답동\n  seongsu1ga1: 성수1가1동\n", "dongs: [yongdap]\n"), "audiences.yaml:7: dongs must be a mapping of key: 한글 이름"),
    (("dongs:\n  yongdap: 용답동\n  seongsu1ga1: 성수1가1동\n", ""), "audiences.yaml:1: dongs is missing; write it as a mapping"),
    (("segments:\n", "segments: [parents]\nsegment:\n"), "audiences.yaml:12: segments must be a mapping of segment name"),
    (("  parents:\n    label: 학부모\n    age: [30, 59]\n    fields: [education]\n", "  parents: 30\n"),
     "audiences.yaml:13: segment parents must be a mapping of conditions, e.g. age: [30, 59]"),
    (("    label: 학부모", "    label: [학부모]"), "audiences.yaml:14: label must be text"),
    (("    age: [30, 59]", "    genders: []"), "audiences.yaml:15: genders must be a non-empty list, e.g. genders: [F]"),
    (("    age: [30, 59]", "    dongs: yongdap"), "audiences.yaml:15: dongs must be a list; write dongs: [yongdap]"),
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
])
def test_bounds_that_are_not_two_whole_numbers_are_named_with_their_line(tmp_path, key, value):
    """The example is one of the key's own: birth_years said "e.g.
    birth_years: [30, 59]", years no one is born in that the file refuses."""
    problems = problems_of(tmp_path, BASE.replace("age: [30, 59]", f"{key}: {value}"))
    example = {"age": "age: [30, 59]", "birth_years": "birth_years: [1960, 1969]"}[key]
    assert problems == [f"audiences.yaml:15: {key} must be [min, max] with whole numbers or null, e.g. {example}"]


@pytest.mark.parametrize("key, value, instead", [
    ("age", "[59, 30]", "[30, 59]"), ("age", "[70, 65]", "[65, 70]"), ("age", "[31, 30]", "[30, 31]"),
    ("birth_years", "[1969, 1960]", "[1960, 1969]"), ("birth_years", "[2009, 1961]", "[1961, 2009]"),
])
def test_bounds_written_the_wrong_way_round_say_them_the_right_way(tmp_path, key, value, instead):
    """[70, 65] was said as "must be [min, max] ..., e.g. age: [30, 59]",
    which neither names the mistake nor the line to write."""
    problems = problems_of(tmp_path, BASE.replace("age: [30, 59]", f"{key}: {value}"))
    assert problems == [f"audiences.yaml:15: {key} {value} has the larger number first; "
                        f"write the smaller first: {key}: {instead}"]


@pytest.mark.parametrize("value, bounds", [
    ("[30, 30]", (30, 30)), ("[null, 59]", (None, 59)), ("[30, null]", (30, None)), ("[0, 120]", (0, 120)),
])
def test_bounds_may_be_equal_or_open(tmp_path, value, bounds):
    """The same shapes for birth_years, in years (age's numbers + 1950)."""
    years = value.replace("30", "1980").replace("59", "2009").replace("[0,", "[1950,").replace("120", "2070")
    path = tmp_path / "audiences.yaml"
    path.write_text(BASE.replace("age: [30, 59]", f"age: {value}\n    birth_years: {years}"), encoding="utf-8")
    parents = load_audiences(path).segments["parents"]
    assert parents.age == bounds
    assert parents.birth_years == tuple(None if end is None else end + 1950 for end in bounds)


def test_a_missing_an_unreadable_or_a_non_mapping_file_is_one_line(tmp_path):
    path = tmp_path / "audiences.yaml"
    with pytest.raises(SotongError) as missing:
        load_audiences(path, shown="audiences.yaml")
    path.write_bytes("fields:\n  culture: 문화공연\n".encode("cp949"))
    with pytest.raises(SotongError) as not_utf8:
        load_audiences(path, shown="audiences.yaml")
    assert [str(p) for p in missing.value.problems + not_utf8.value.problems] == [
        "audiences.yaml:1: file not found; create audiences.yaml (see README)",
        "audiences.yaml:2: the file is not UTF-8 text; save it again with the encoding UTF-8 (in Notepad: Save As, Encoding: UTF-8)"]
    assert problems_of(tmp_path, "- fields\n- segments\n")[0].startswith(
        "audiences.yaml:1: audiences.yaml must be a mapping with keys fields, edition_field")


def test_optional_parts_may_be_left_out(tmp_path):
    path = tmp_path / "audiences.yaml"
    text = BASE.replace("edition_field: bulletin\n", "").replace("business_types:\n  food-service: 식품접객업\n", "")
    path.write_text(text.replace("    label: 학부모\n", ""), encoding="utf-8")
    audiences = load_audiences(path)
    assert audiences.edition_field is None and audiences.business_types == {}
    assert audiences.segments["parents"].label == "parents"
    assert audiences.field_label("culture") == "문화공연" and audiences.field_label("sports") == "sports"
    path.write_text(text.split("segments:")[0], encoding="utf-8")
    assert load_audiences(path).segments == {}


def test_audiences_segments_and_profiles_are_frozen_values(tmp_path):
    path = tmp_path / "audiences.yaml"
    path.write_text(BASE, encoding="utf-8")
    audiences = load_audiences(path)
    for value in (audiences, audiences.segments["parents"], Profile()):
        with pytest.raises(dataclasses.FrozenInstanceError):
            value.fields = frozenset()
