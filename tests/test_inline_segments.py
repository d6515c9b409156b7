"""``audiences:`` lists (SPEC §2): each item a segment name of audiences.yaml
or an inline segment, a map of the segment keys of §3 checked exactly as
audiences.yaml's are; a reader matches when it matches at least one item.
Notices, surveys and banners all read them with ``read_audience_list``."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings, strategies as st

from sotong import yamlsrc
from sotong.audiences import Profile, matches_notice, read_audience_list
from sotong.problems import Problem
from test_notices import AUDIENCES, REPO, read, with_line

from plugins.minwon24.rules import first_for_reader
from plugins.minwon24.schema import validate_banner
from plugins.survey.rules import is_invited
from plugins.survey.schema import validate_survey

RAW_SEGMENTS = yaml.safe_load((REPO / "audiences.yaml").read_text(encoding="utf-8"))["segments"]
ALLOWED = "label, age, birth_years, genders, dongs, kinds, business_types, fields, groups"


# --- a brute-force reading of SPEC §2-§3, on the YAML as written ------------------------


def holds(profile: Profile, conditions: dict, year: int) -> bool:
    """SPEC §3: every key of the map holds; lacking the attribute fails the key."""
    for key, value in conditions.items():
        if key in ("age", "birth_years"):
            if profile.birth_year is None:
                return False
            number = year - profile.birth_year if key == "age" else profile.birth_year
            low, high = value
            if (low is not None and number < low) or (high is not None and number > high):
                return False
        elif key == "fields":
            if not all(field in profile.fields for field in value):
                return False
        elif key == "groups":  # SPEC §16: a member of at least one
            if not any(group in profile.groups for group in value):
                return False
        elif key != "label":
            attribute = {"genders": profile.gender, "dongs": profile.dong, "kinds": profile.kind,
                         "business_types": profile.business_type}[key]
            if attribute not in value:
                return False
    return True


def spec_matches(profile: Profile, category: str, items: list, year: int) -> bool:
    """SPEC §2, §6 and §16: subscribed, and consented with no audiences, or one
    item holds (a name stands for that segment's map in audiences.yaml) and
    either names groups (membership is the consent) or the reader consented."""
    if not profile.subscribed:
        return False
    maps = [RAW_SEGMENTS[item] if isinstance(item, str) else item for item in items]
    if not maps:
        return category in profile.fields
    return any(holds(profile, conditions, year) and ("groups" in conditions or category in profile.fields)
               for conditions in maps)


def maybe(strategy):
    return st.none() | strategy


def some_of(values):
    return st.lists(st.sampled_from(sorted(values)), min_size=1, max_size=3, unique=True)


def ordered_pair(low, high):
    return st.tuples(maybe(st.integers(low, high)), maybe(st.integers(low, high))).map(
        lambda b: list(b) if None in b or b[0] <= b[1] else [b[1], b[0]])


inline_segments = st.fixed_dictionaries({}, optional={
    "label": st.text(max_size=5), "age": ordered_pair(0, 100), "birth_years": ordered_pair(1920, 2026),
    "genders": some_of(("F", "M")), "dongs": some_of(AUDIENCES.dongs), "kinds": some_of(("person", "business")),
    "business_types": some_of(AUDIENCES.business_types), "fields": some_of(AUDIENCES.fields),
})
items = st.lists(st.sampled_from(sorted(AUDIENCES.segments)) | inline_segments, max_size=4)
readers = st.builds(
    Profile, birth_year=maybe(st.integers(1920, 2026)), gender=maybe(st.sampled_from(("F", "M"))),
    dong=maybe(st.sampled_from(sorted(AUDIENCES.dongs))), kind=maybe(st.sampled_from(("person", "business"))),
    business_type=maybe(st.sampled_from(sorted(AUDIENCES.business_types))),
    fields=st.frozensets(st.sampled_from(sorted(AUDIENCES.fields))), subscribed=st.booleans(),
    groups=st.frozensets(st.sampled_from(sorted(AUDIENCES.groups))),
)


def audience_list(value):
    problems = []
    segments = read_audience_list(value, AUDIENCES, lambda path, message: problems.append((path, message)))
    return segments, problems


@settings(max_examples=400, deadline=None)
@given(value=items, reader=readers, category=st.sampled_from(sorted(AUDIENCES.fields)), year=st.integers(2024, 2030))
def test_the_match_rule_on_named_and_inline_segments_reads_spec_2_and_3(value, reader, category, year):
    segments, problems = audience_list(value)
    assert problems == []
    assert matches_notice(reader, category, segments, year) == spec_matches(reader, category, value, year)


yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 3000) | st.text(max_size=8) | st.sampled_from(sorted(AUDIENCES.dongs)),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["age", "dongs", "genders", "fields", "kinds", "label", "birth_years", "a", "dong"]) | st.text(max_size=4),
        inner, max_size=3),
    max_leaves=12)


@settings(max_examples=400, deadline=None)
@given(value=yaml_values)
def test_any_value_is_segments_or_problems_at_its_path_never_a_crash(value):
    segments, problems = audience_list(value)
    for path, message in problems:
        assert path[0] == "audiences" and "\n" not in str(Problem("a.md", 1, message))
    if not isinstance(value, list):
        assert segments == () and (value is None) == (problems == [])
    elif not problems:
        assert len(segments) <= len(value)


# --- each place that takes audiences --------------------------------------------------


def test_unknown_keys_and_values_of_an_inline_segment_are_named_with_the_line(tmp_path):
    notice, problems = read(tmp_path, with_line("audiences:\n  - parents\n  - {a: b}\n  - dongs: [eungbong, seongsu]\n"
                                                "    age: [30]\n  - [seniors]\n  - true"))
    assert notice is None
    assert [str(p) for p in problems] == [
        f'notice.md:8: unknown segment key "a"; allowed: {ALLOWED}',
        f'notice.md:9: dongs: "seongsu" is not defined; known: {", ".join(AUDIENCES.dongs.values())}',
        "notice.md:10: age must be [min, max] with whole numbers or null, e.g. age: [30, 59]",
        "notice.md:11: each item of audiences is a segment name or a map of conditions, "
        "e.g. audiences: [parents, {dongs: [wangsimni2]}]",
        "notice.md:12: each item of audiences is a segment name or a map of conditions, "
        "e.g. audiences: [parents, {dongs: [wangsimni2]}]",
    ]


def test_an_inline_age_written_the_wrong_way_round_says_it_the_right_way(tmp_path):
    notice, problems = read(tmp_path, with_line("audiences:\n  - dongs: [oksu]\n    age: [70, 65]"))
    assert notice is None
    assert [str(p) for p in problems] == [
        "notice.md:8: age [70, 65] has the larger number first; write the smaller first: age: [65, 70]"]


def test_a_notice_with_an_inline_segment_reaches_who_it_describes(tmp_path):
    notice, problems = read(tmp_path, with_line("audiences: [exam-parents, {dongs: [eungbong], genders: [F]}]"))
    assert problems == []
    eungbong_woman = Profile(birth_year=1990, gender="F", dong="eungbong", fields=frozenset({"culture"}))
    assert matches_notice(eungbong_woman, notice.category, notice.audiences, 2026)
    assert not matches_notice(Profile(birth_year=1990, gender="M", dong="eungbong", fields=frozenset({"culture"})),
                              notice.category, notice.audiences, 2026)
    exam_parent = Profile(birth_year=1976, kind="person", fields=frozenset({"culture", "education"}))
    assert matches_notice(exam_parent, notice.category, notice.audiences, 2026)


SURVEY = "title: 설문\ndepartment: 문화체육과\nopens: 2026-11-01\ncloses: 2026-11-30\n" \
         "questions:\n  - id: q\n    type: text\n    text: 의견은?\n"


def test_a_survey_invites_an_inline_segment_and_names_its_mistakes():
    survey, problems = validate_survey(yamlsrc.load(SURVEY + "audiences: [{dongs: [yongdap]}]\n"), "s", AUDIENCES, "s.yaml")
    assert problems == []
    assert is_invited(survey, Profile(dong="yongdap"), 2026)
    assert not is_invited(survey, Profile(dong="majang", fields=frozenset({"survey"})), 2026)
    _survey, problems = validate_survey(yamlsrc.load(SURVEY + "audiences:\n  - {dongs: [yongdap], colour: red}\n"),
                                        "s", AUDIENCES, "s.yaml")
    assert [str(p) for p in problems] == [f's.yaml:10: unknown segment key "colour"; allowed: {ALLOWED}']


BANNER = "title: 안내\nbody: 본문\nlink: https://www.gov.kr/\nplacements: [email]\n"


def test_a_banner_shows_to_an_inline_segment_and_names_its_mistakes(tmp_path):
    banner, problems = validate_banner(yamlsrc.load(BANNER + "audiences: [{kinds: [business]}]\n"), "b", AUDIENCES,
                                       tmp_path, "b.yaml")
    assert problems == []
    assert first_for_reader([banner], Profile(kind="business"), 2026) is banner
    assert first_for_reader([banner], Profile(kind="person"), 2026) is None
    _banner, problems = validate_banner(yamlsrc.load(BANNER + "audiences: [{kinds: [shop]}]\n"), "b", AUDIENCES,
                                        tmp_path, "b.yaml")
    assert [str(p) for p in problems] == ['b.yaml:5: kinds: "shop" is not defined; known: person, business']


@pytest.mark.parametrize("written, bounds", [
    ("65세 이상", "[65, null]"), ("65세이상", "[65, null]"), ("65~", "[65, null]"), ("65세 초과", "[66, null]"),
    ("19세 미만", "[null, 18]"), ("12세 이하", "[null, 12]"), ("~12세", "[null, 12]"), ("30~59세", "[30, 59]"),
    ("30-59", "[30, 59]"), ("60대", "[60, 69]"), ("60대 이상", "[60, null]"), ("６５세 이상", "[65, null]"),
    ("[65세, null]", "[65, null]"), ("[30세, 59세]", "[30, 59]"),
])
def test_an_age_written_as_staff_write_one_is_said_as_the_bounds_to_write(tmp_path, written, bounds):
    """"65세 이상" was "age must be [min, max] ..., e.g. age: [30, 59]": an
    example of other ages, which a writer copying it sent to the wrong people."""
    notice, problems = read(tmp_path, with_line(f"audiences:\n  - dongs: [oksu]\n    age: {written}"))
    shown = written if not written.startswith("[") else written.replace(" ", "").replace(",", ", ")
    assert [str(p) for p in problems] == [
        f'notice.md:8: age "{shown}" is not [min, max]; write it so, with null for an end left open: age: {bounds}']
    assert read(tmp_path, with_line(f"audiences:\n  - dongs: [oksu]\n    age: {bounds}"))[1] == []
    # what means no ages (a year of birth, a single number) keeps the example
    for other in ("1960~1969년생", "65", "[65]", "노인"):
        (problem,) = read(tmp_path, with_line(f"audiences:\n  - dongs: [oksu]\n    age: {other}"))[1]
        assert str(problem).endswith("age must be [min, max] with whole numbers or null, e.g. age: [30, 59]"), problem


def test_names_written_without_brackets_are_said_with_the_brackets_around_them(tmp_path):
    """dongs: 응봉동 (or 응봉동, 마장동) was "dongs must be a non-empty list,
    e.g. dongs: [wangsimni2]": another dong, which a writer copying it sent to."""
    notice, problems = read(tmp_path, with_line("audiences:\n  - dongs: 응봉동, 마장동\n    genders: F\n  - {dongs: 옥수동}"))
    assert notice is None and [str(p) for p in problems] == [
        "notice.md:7: dongs must be a list; write dongs: [응봉동, 마장동]",
        "notice.md:8: genders must be a list; write genders: [F]",
        "notice.md:9: dongs must be a list; write dongs: [옥수동]"]
    assert read(tmp_path, with_line("audiences:\n  - dongs: [응봉동, 마장동]\n    genders: [F]\n  - {dongs: [옥수동]}"))[1] == []
    (problem,) = read(tmp_path, with_line("audiences:\n  - {dongs: []}"))[1]
    assert str(problem) == "notice.md:7: dongs must be a non-empty list, e.g. dongs: [wangsimni2]"
