"""Front-matter keys and audiences.yaml values as PR staff write them:
a key in Korean (부서: 문화체육과) was "unknown key" with no key named,
plus "department is required", two lines for one mistake; a key in capitals
(Title:, as Pelican's own examples write it) was said twice the same way;
edition_field written as a field's Korean name said only that it is not a
key, not which key to write."""

from __future__ import annotations

import pytest
from test_notices import GOOD, read

from sotong.notices import KEYS, KOREAN_KEYS


@pytest.mark.parametrize("written, key", [("부서", "department"), ("제목", "title"), ("날짜", "date"),
                                          ("분야", "category"), ("Title", "title"), ("DEPARTMENT", "department")])
def test_a_key_in_korean_or_capitals_is_said_once_naming_the_key(tmp_path, written, key):
    line = next(line for line in GOOD.split("\n") if line.startswith(f"{key}:"))
    notice, problems = read(tmp_path, GOOD.replace(line, line.replace(f"{key}:", f"{written}:", 1)))
    assert notice is None and [str(problem) for problem in problems] == [
        f'notice.md:{GOOD.split(chr(10)).index(line) + 1}: unknown key "{written}"; did you mean "{key}"?; allowed '
        f"keys: {', '.join(KEYS)}"]


def test_every_korean_word_names_a_key():
    assert set(KOREAN_KEYS.values()) <= set(KEYS)


def test_a_key_nobody_knows_still_says_the_required_one(tmp_path):
    notice, problems = read(tmp_path, GOOD.replace("department:", "담당자:"))
    assert notice is None and sorted(str(problem) for problem in problems) == [
        "notice.md:1: department is required; add a line such as  department: 홍보담당관",
        f'notice.md:4: unknown key "담당자"; allowed keys: {", ".join(KEYS)}']


def test_edition_field_written_as_its_korean_name_is_told_its_key(project_dir, korean_check):
    audiences = project_dir / "audiences.yaml"
    text = audiences.read_text(encoding="utf-8")
    audiences.write_text(text.replace("edition_field: bulletin", "edition_field: 구청소식지"), encoding="utf-8")
    line = text.split("\n").index(next(l for l in text.split("\n") if l.startswith("edition_field:"))) + 1
    said = korean_check(project_dir)
    assert len(said) == 1 and said[0].startswith(
        f'audiences.yaml:{line}: edition_field "구청소식지"은(는) fields에 없는 분야입니다 (혹시 "bulletin"인가요?). 구독 '
        "동의자가 소식지 전체도 함께 받는 분야의 키를 쓰세요. 다음 중 하나입니다: culture (문화공연), "), said
