"""A preview persona and a segment's genders as PR staff write them:
``age=34, gender=여, dong=응봉동`` (items separated by commas, the gender in
Korean, as the subscribers' CSV takes it) was "age must be a whole number
... not "34,"" and then "unknown gender "여""; ``fields=culture;health``
(the CSV's separator) was an unknown field "culture;health"; a segment's
``genders: [여]`` in audiences.yaml named no gender to write."""

from __future__ import annotations

from pathlib import Path

import pytest
from bundles.persona import PersonaError, parse_persona

from sotong.audiences import load_audiences

AUDIENCES = load_audiences(Path(__file__).resolve().parent.parent / "audiences.yaml")


@pytest.mark.parametrize("text", ["age=34, gender=여, dong=응봉동, fields=culture;health",
                                  "age=34 gender=F dong=eungbong fields=culture,health",
                                  "age=34 gender=여성 dong=응봉동 fields=문화공연;건강정보,"])
def test_a_persona_written_the_ways_staff_write_it_is_one_reader(text):
    reader = parse_persona(text, AUDIENCES, 2026)
    assert (reader.birth_year, reader.gender, reader.dong, reader.fields) == (1992, "F", "eungbong",
                                                                             {"culture", "health"})


@pytest.mark.parametrize("text, key", [("나이=70 동=응봉동", "age"), ("age=70 행정동=응봉동", "dong"),
                                       ("age=70 관심분야=건강정보", "fields"), ("성별=여", "gender")])
def test_a_persona_key_written_in_korean_names_the_key_to_write(text, key):
    """A staff member who reads Korean only writes the keys in Korean:
    "unknown key "나이"; keys: age, birth_year, ..." named none of them."""
    with pytest.raises(PersonaError, match=f'unknown key "[^"]+"; did you mean "{key}"'):
        parse_persona(text, AUDIENCES, 2026)


def test_a_persona_written_with_a_korean_keyboard_s_full_width_signs_is_one_reader():
    reader = parse_persona("age＝70，gender＝여 dong＝응봉동", AUDIENCES, 2026)
    assert (reader.birth_year, reader.gender, reader.dong) == (1956, "F", "eungbong")


def test_a_gender_that_is_none_is_still_said():
    with pytest.raises(PersonaError, match='unknown gender "X"; known: F, M'):
        parse_persona("gender=X", AUDIENCES, 2026)


def test_a_segments_gender_in_korean_names_the_one_to_write(project_dir, korean_check):
    audiences = project_dir / "audiences.yaml"
    text = audiences.read_text(encoding="utf-8")
    audiences.write_text(text.replace("    genders: [F]", "    genders: [여]", 1), encoding="utf-8")
    line = text.split("\n").index("    genders: [F]") + 1
    assert korean_check(project_dir) == [
        f'audiences.yaml:{line}: genders: "여"은(는) 정의되지 않았습니다 (혹시 "F"인가요?). 쓸 수 있는 것: F, M']
