"""Each rule's message in Korean, the default language (SPEC §12), with the
same ``PATH:LINE: `` prefix as in English (the English is asserted by each
feature's own tests, which run with SOTONG_LANG=en)."""

from __future__ import annotations

import pytest

from test_audiences import BASE, problems_of


@pytest.fixture
def korean(monkeypatch):
    monkeypatch.setenv("SOTONG_LANG", "ko")


@pytest.mark.parametrize("edit, expected", [
    (("segments:", "segment:"),
     'audiences.yaml:12: 알 수 없는 항목 "segment"입니다 (혹시 "segments"인가요?). 쓸 수 있는 항목: fields, '),
    (("    label: 학부모", "    lable: 학부모"),
     'audiences.yaml:14: 대상 조건에 없는 항목 "lable"입니다 (혹시 "label"인가요?). 쓸 수 있는 항목: label, '),
    (("fields: [education]", "fields: [educaton]"),
     'audiences.yaml:16: fields: "educaton"은(는) 정의되지 않았습니다 (혹시 "education"인가요?)'),
    (("age: [30, 59]", "age: 30"), "audiences.yaml:15: age은(는) [최소, 최대]로 쓰고, 정수나 null을 쓰세요. 예: age: [30, 59]"),
    (("edition_field: bulletin", "edition_field: bulletn"),
     'audiences.yaml:5: edition_field "bulletn"은(는) fields에 없는 분야입니다 (혹시 "bulletin"인가요?)'),
    (("departments: [문화체육과, 보건소]", "departments: 문화체육과"),
     "audiences.yaml:6: departments는 부서 이름 목록으로 쓰세요. 예: [문화체육과, 보건소]"),
    (("  culture: 문화공연", "  culture: 3"), "audiences.yaml:2: fields.culture에 이름을 글자로 쓰세요. 예: culture: 이름"),
    (("dongs:\n  yongdap: 용답동\n  seongsu1ga1: 성수1가1동\n", "dongs: [yongdap]\n"),
     'audiences.yaml:7: dongs은(는) "키: 한글 이름" 형식으로 쓰세요'),
    (("dongs:\n  yongdap: 용답동\n  seongsu1ga1: 성수1가1동\n", ""),
     'audiences.yaml:1: dongs이(가) 없습니다. "키: 한글 이름" 형식으로 쓰세요'),
    (("segments:\n", "segments: [parents]\nsegment:\n"),
     'audiences.yaml:12: segments는 "대상 이름: 조건" 형식으로 쓰세요'),
    (("  parents:\n    label: 학부모\n    age: [30, 59]\n    fields: [education]\n", "  parents: 30\n"),
     "audiences.yaml:13: 대상 parents은(는) 조건 묶음으로 쓰세요. 예: age: [30, 59]"),
    (("    label: 학부모", "    label: [학부모]"), "audiences.yaml:14: label은 글자로 쓰세요"),
    (("    age: [30, 59]", "    dongs: yongdap"),
     "audiences.yaml:15: dongs은(는) 비어 있지 않은 목록으로 쓰세요. 예: dongs: [yongdap]"),
])
def test_audiences_rules_in_korean(korean, tmp_path, edit, expected):
    old, new = edit
    assert old in BASE
    problems = problems_of(tmp_path, BASE.replace(old, new))
    assert any(p.startswith(expected) for p in problems), problems


def test_a_missing_audiences_file_in_korean(korean, tmp_path):
    from sotong.audiences import load_audiences
    from sotong.problems import SotongError

    with pytest.raises(SotongError) as caught:
        load_audiences(tmp_path / "audiences.yaml")
    assert str(caught.value.problems[0]).endswith(":1: 파일이 없습니다. audiences.yaml을 만드세요 (README 참고)")
