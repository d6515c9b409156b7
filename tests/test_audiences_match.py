"""The match rule (sotong.audiences) against a direct reading of SPEC §3 and
§6, on random profiles and segments.

``spec_matches_notice`` is also the oracle of the bundle tests."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from sotong.audiences import Profile, Segment, matches_any, matches_notice, matches_segment

FIELDS = ("culture", "education", "health", "bulletin")
DONGS = ("seongsu1ga1", "yongdap", "majang")
BUSINESS_TYPES = ("food-service", "retail")


def spec_matches_segment(profile, segment, issue_year) -> bool:
    """SPEC §3, sentence by sentence: a subscriber matches a segment when it
    satisfies every key the segment has; lacking the attribute fails the key."""
    if segment.age is not None:
        if profile.birth_year is None:
            return False
        age = issue_year - profile.birth_year
        low, high = segment.age
        if low is not None and age < low:
            return False
        if high is not None and age > high:
            return False
    if segment.birth_years is not None:
        if profile.birth_year is None:
            return False
        first, last = segment.birth_years
        if first is not None and profile.birth_year < first:
            return False
        if last is not None and profile.birth_year > last:
            return False
    for value, allowed in ((profile.gender, segment.genders), (profile.dong, segment.dongs),
                           (profile.kind, segment.kinds), (profile.business_type, segment.business_types)):
        if allowed is not None and (value is None or value not in allowed):
            return False
    if segment.fields is not None:
        for field in segment.fields:
            if field not in profile.fields:
                return False
    if segment.groups is not None:  # SPEC §16: a member of at least one of them
        if not any(group in profile.groups for group in segment.groups):
            return False
    return True


def spec_matches_notice(profile, category, segments, issue_year) -> bool:
    """SPEC §6 with §16, sentence by sentence. A subscribed reader matches
    when the notice has no audiences and it consented to the category; or
    when one audience holds for it (every key of §3) and either that segment
    names groups (membership is the consent: the category is not asked) or
    the reader consented to the category."""
    if not profile.subscribed:
        return False
    if not segments:
        return category in profile.fields
    for segment in segments:
        if not spec_matches_segment(profile, segment, issue_year):
            continue
        if segment.groups is not None or category in profile.fields:
            return True
    return False


def maybe(strategy):
    return st.none() | strategy


bounds = st.tuples(maybe(st.integers(1900, 2030)), maybe(st.integers(1900, 2030))) \
    .map(lambda b: b if None in b or b[0] <= b[1] else (b[1], b[0]))
ages = st.tuples(maybe(st.integers(0, 100)), maybe(st.integers(0, 100))) \
    .map(lambda b: b if None in b or b[0] <= b[1] else (b[1], b[0]))


def subset(values):
    return st.frozensets(st.sampled_from(values), min_size=1)


segments = st.builds(
    Segment, name=st.just("s"), label=st.just("s"),
    age=maybe(ages), birth_years=maybe(bounds), genders=maybe(subset(("F", "M"))), dongs=maybe(subset(DONGS)),
    kinds=maybe(subset(("person", "business"))), business_types=maybe(subset(BUSINESS_TYPES)),
    fields=maybe(subset(FIELDS)),
)
profiles = st.builds(
    Profile, birth_year=maybe(st.integers(1920, 2026)), gender=maybe(st.sampled_from(("F", "M"))),
    dong=maybe(st.sampled_from(DONGS)), kind=st.sampled_from(("person", "business")),
    business_type=maybe(st.sampled_from(BUSINESS_TYPES)), fields=st.frozensets(st.sampled_from(FIELDS)),
    subscribed=st.booleans(),
)
years = st.integers(2020, 2030)


@settings(max_examples=500)
@given(profiles, segments, years)
def test_matches_segment_reads_spec_3(profile, segment, year):
    assert matches_segment(profile, segment, year) == spec_matches_segment(profile, segment, year)


@settings(max_examples=300)
@given(profiles, segments.filter(lambda segment: segment.age or segment.birth_years), years, st.data())
def test_matches_segment_at_the_ends_of_its_ranges(profile, segment, year, data):
    """The reader born so that their age or birth year is one short of an
    end of the segment's range, at it, or one past it (SPEC §3: [min, max],
    inclusive; the age is the issue year minus the birth year): drawn
    independently, they rarely fell there."""
    ends = [year - end for end in segment.age or () if end is not None]
    ends += [end for end in segment.birth_years or () if end is not None]
    if not ends:  # open at both ends: no edge to be at
        return
    born = data.draw(st.sampled_from(ends)) + data.draw(st.sampled_from([-1, 0, 1]))
    profile = Profile(**{**profile.__dict__, "birth_year": born})
    assert matches_segment(profile, segment, year) == spec_matches_segment(profile, segment, year)


@settings(max_examples=300)
@given(profiles, st.lists(segments, max_size=4), years)
def test_matches_any_is_true_without_segments_or_when_one_matches(profile, chosen, year):
    expected = not chosen or any(spec_matches_segment(profile, s, year) for s in chosen)
    assert matches_any(profile, chosen, year) == expected


@settings(max_examples=500)
@given(profiles, st.sampled_from(FIELDS), st.lists(segments, max_size=3), years)
def test_matches_notice_reads_spec_6(profile, category, chosen, year):
    assert matches_notice(profile, category, chosen, year) == spec_matches_notice(profile, category, chosen, year)


def test_the_age_is_the_issue_year_minus_the_birth_year():
    parents = Segment(name="parents", label="학부모", age=(30, 59))
    assert matches_segment(Profile(birth_year=1996), parents, 2026)  # 30 in 2026
    assert not matches_segment(Profile(birth_year=1996), parents, 2025)  # 29 in 2025
    assert not matches_segment(Profile(birth_year=None, kind="business"), parents, 2026)
