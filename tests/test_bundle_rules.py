"""Readers grouped by kind (plugins/bundles/rules.py ``relevance``): readers
with the same key get the same notices, at the very edges of every age and
birth-year bound, and readers who differ only in what no rule of the bundle
looks at share a key (the grouping is what makes a bundle fast).

The examples are the birth years where a wrong cut would put a reader in the
wrong group; the property test draws its readers mostly from those years."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings, strategies as st

from bundles.rules import blocks_that_fit, relevance, select, sms_notices
from sotong.audiences import Audiences, Profile, Segment
from test_audiences_match import profiles, segments, spec_matches_notice
from test_bundles import make_notice, notices_of

YEAR = 2026
FIELDS = ("culture", "education", "health", "bulletin")


def audiences_of(*chosen: Segment) -> Audiences:
    named = {f"s{i}": dataclasses.replace(s, name=f"s{i}") for i, s in enumerate(chosen)}
    return Audiences(fields={f: f for f in FIELDS}, edition_field="bulletin", departments=("홍보담당관",),
                     dongs={}, business_types={}, segments=named)


def one_notice_for(audiences: Audiences, category: str = "culture") -> list:
    segments = [audiences.segments[name] for name in sorted(audiences.segments)]
    return [make_notice(0, category, segments, ("email", "sms"))]


def reader(birth_year, **rest) -> Profile:
    return Profile(birth_year=birth_year, fields=frozenset({"culture"}), **rest)


def gets_notice(profile, notices, audiences) -> bool:
    """SPEC §6 read directly, for the one notice of ``notices``."""
    notice = notices[0]
    return spec_matches_notice(profile, notice.category, notice.audiences, YEAR)


def assert_key_stands_for_reader(rules, profile, notices, audiences, year=YEAR):
    stand_in = rules.profile(rules.key(profile))
    assert select(stand_in, notices, audiences, year) == select(profile, notices, audiences, year), (profile, stand_in)
    assert rules.key(stand_in) == rules.key(profile)


EDGES = [  # a segment, and birth years at and around each of its edges in 2026
    (Segment("s", "s", birth_years=(2009, 2009)), range(2007, 2012)),
    (Segment("s", "s", birth_years=(1990, 1999)), [1988, 1989, 1990, 1991, 1998, 1999, 2000, 2001]),
    (Segment("s", "s", birth_years=(None, 1961)), range(1959, 1964)),
    (Segment("s", "s", birth_years=(2015, None)), range(2013, 2018)),
    (Segment("s", "s", age=(30, 59)), [1965, 1966, 1967, 1968, 1995, 1996, 1997, 1998]),  # born 1967..1996
    (Segment("s", "s", age=(19, 19)), range(2005, 2010)),  # born 2007
    (Segment("s", "s", age=(65, None)), range(1959, 1964)),  # born 1961 or before
    (Segment("s", "s", age=(None, 12)), range(2012, 2017)),  # born 2014 or after
]


@pytest.mark.parametrize("segment, years", EDGES)
def test_readers_at_each_edge_of_a_segment_are_grouped_with_their_kind(segment, years):
    audiences = audiences_of(segment)
    notices = one_notice_for(audiences)
    rules = relevance(notices, audiences, YEAR)
    for year in years:
        assert_key_stands_for_reader(rules, reader(year), notices, audiences)
    inside = [y for y in years if gets_notice(reader(y), notices, audiences)]
    outside = [y for y in years if y not in inside]
    assert inside and outside  # the examples cross the edge
    assert {rules.key(reader(y)) for y in inside}.isdisjoint({rules.key(reader(y)) for y in outside})


def test_a_reader_born_in_2010_does_not_get_a_notice_for_those_born_in_2009():
    audiences = audiences_of(Segment("s", "s", birth_years=(2009, 2009)))
    notices = one_notice_for(audiences)
    rules = relevance(notices, audiences, YEAR)
    keys = [rules.key(reader(year)) for year in (2008, 2009, 2010)]
    assert len(set(keys)) == 3
    chosen = [select(rules.profile(key), notices, audiences, YEAR).sms for key in keys]
    assert [len(c) for c in chosen] == [0, 1, 0]


def test_the_cuts_are_where_a_bound_begins_or_ends():
    audiences = audiences_of(Segment("s", "s", birth_years=(1990, 1999)), Segment("s", "s", age=(30, 59)),
                             Segment("s", "s", age=(None, 12)), Segment("s", "s", birth_years=(None, 1961)))
    rules = relevance(one_notice_for(audiences), audiences, YEAR)
    # 1990 and 2000; born 1967 to 1996; born 2014 on; born up to 1961
    assert rules.birth_year_cuts == (1962, 1967, 1990, 1997, 2000, 2014)


def test_readers_between_the_same_cuts_share_a_key_and_those_below_all_cuts_too():
    audiences = audiences_of(Segment("s", "s", age=(30, 59)))
    notices = one_notice_for(audiences)
    rules = relevance(notices, audiences, YEAR)
    assert len({rules.key(reader(year)) for year in range(1967, 1997)}) == 1
    assert len({rules.key(reader(year)) for year in range(1900, 1967)}) == 1
    assert len({rules.key(reader(year)) for year in range(1997, 2026)}) == 1
    assert rules.key(reader(None)) != rules.key(reader(1900))
    for year in (1900, 1966, 1967, 1996, 1997, None):
        assert_key_stands_for_reader(rules, reader(year), notices, audiences)


def test_a_bundle_whose_segments_look_at_no_age_ignores_the_birth_year():
    audiences = audiences_of(Segment("s", "s", genders=frozenset({"F"})))
    rules = relevance(one_notice_for(audiences), audiences, YEAR)
    assert rules.birth_year_cuts is None
    assert rules.key(reader(1950, gender="F")) == rules.key(reader(None, gender="F")) == rules.key(reader(2020, gender="F"))


def test_a_segment_open_at_both_ends_still_needs_a_birth_year():
    audiences = audiences_of(Segment("s", "s", age=(None, None)))
    notices = one_notice_for(audiences)
    rules = relevance(notices, audiences, YEAR)
    assert rules.birth_year_cuts == ()
    assert rules.key(reader(None)) != rules.key(reader(1980)) == rules.key(reader(2020))
    for year in (None, 1980):
        assert_key_stands_for_reader(rules, reader(year), notices, audiences)


def test_values_in_the_same_lists_share_a_key_and_values_in_none_stand_for_a_missing_one():
    audiences = audiences_of(Segment("s", "s", dongs=frozenset({"majang", "yongdap"})),
                             Segment("s", "s", dongs=frozenset({"yongdap", "seongsu1ga1"}), genders=frozenset({"F"})))
    notices = one_notice_for(audiences)
    rules = relevance(notices, audiences, YEAR)
    assert rules.values["dong"] == {"majang": "majang", "yongdap": "yongdap", "seongsu1ga1": "seongsu1ga1"}
    assert rules.values["gender"] == {"F": "F"}
    assert "kind" not in rules.values and "business_type" not in rules.values
    assert rules.key(reader(None, dong="oksu")) == rules.key(reader(None, dong=None))
    assert rules.key(reader(None, dong="oksu", kind="business")) == rules.key(reader(None, dong="oksu", kind="person"))
    assert rules.key(reader(None, gender="M")) == rules.key(reader(None, gender=None))
    for dong in ("majang", "yongdap", "seongsu1ga1", "oksu", None):
        for gender in ("F", "M", None):
            assert_key_stands_for_reader(rules, reader(None, dong=dong, gender=gender), notices, audiences)


def test_values_that_every_segment_treats_alike_share_a_key():
    audiences = audiences_of(Segment("s", "s", dongs=frozenset({"majang", "yongdap"})),
                             Segment("s", "s", dongs=frozenset({"majang", "yongdap", "oksu"})))
    rules = relevance(one_notice_for(audiences), audiences, YEAR)
    assert rules.values["dong"] == {"majang": "majang", "yongdap": "majang", "oksu": "oksu"}
    assert rules.key(reader(None, dong="yongdap")) == rules.key(reader(None, dong="majang"))


def test_only_the_consents_that_a_rule_reads_are_in_the_key():
    audiences = audiences_of(Segment("s", "s", fields=frozenset({"health"})))
    notices = one_notice_for(audiences, category="culture")
    issue = relevance(notices, audiences, YEAR)
    one_off = relevance(notices, audiences, YEAR, with_edition=False)
    assert issue.fields == {"culture", "health", "bulletin"}
    assert one_off.fields == {"culture", "health"}
    everything = Profile(fields=frozenset(FIELDS))
    assert one_off.key(everything) == one_off.key(dataclasses.replace(everything, fields=frozenset(FIELDS) - {"bulletin"}))
    assert issue.key(everything) != issue.key(dataclasses.replace(everything, fields=frozenset(FIELDS) - {"bulletin"}))
    assert issue.key(Profile(subscribed=False)) != issue.key(Profile(subscribed=True))


# --- the same, on random segments, with readers drawn mostly from the edges ------------------------


def edge_years(audiences: Audiences, year: int) -> list[int]:
    """The birth years at and around every bound of every segment."""
    edges = set()
    for segment in audiences.segments.values():
        if segment.age is not None:
            low, high = segment.age
            edges |= {year - high, year - high - 1} if high is not None else set()
            edges |= {year - low, year - low + 1} if low is not None else set()
        if segment.birth_years is not None:
            first, last = segment.birth_years
            edges |= {first - 1, first} if first is not None else set()
            edges |= {last, last + 1} if last is not None else set()
    return sorted(edges)


@st.composite
def bundles_and_edge_readers(draw):
    chosen = draw(st.lists(segments, min_size=1, max_size=4))
    audiences = audiences_of(*chosen)
    notices = draw(notices_of(audiences))
    year = draw(st.integers(2024, 2028))
    edges = edge_years(audiences, year)
    birth_year = st.sampled_from(edges) | st.none() | st.integers(1900, 2030) if edges else st.integers(1900, 2030)
    readers = [dataclasses.replace(draw(profiles), birth_year=draw(birth_year)) for _ in range(draw(st.integers(1, 6)))]
    return audiences, notices, year, readers


@settings(max_examples=100, deadline=None)
@given(bundles_and_edge_readers())
def test_readers_at_the_edges_with_the_same_key_get_the_same_notices(drawn):
    audiences, notices, year, readers = drawn
    rules = relevance(notices, audiences, year)
    for one in readers:
        assert_key_stands_for_reader(rules, one, notices, audiences, year)


# --- the rest of the rules module: the defaults and the email's block count -------------------------


def test_rules_are_frozen_values_and_an_issue_bundle_is_the_default():
    audiences = audiences_of(Segment("s", "s", age=(30, 59)))
    notices = [make_notice(0, "culture", [], ("email", "newsletter")), make_notice(1, "health", [], ("newsletter",))]
    edition_reader = Profile(birth_year=1980, fields=frozenset({"culture", "bulletin"}))
    chosen = select(edition_reader, notices, audiences, YEAR)
    assert chosen == select(edition_reader, notices, audiences, YEAR, with_edition=True)
    assert [n.slug for n in chosen.for_you] == ["n0"] and [n.slug for n in chosen.edition] == ["n1"]
    assert [n.slug for n in chosen.email] == ["n0", "n1"]
    rules = relevance(notices, audiences, YEAR)
    for value in (chosen, rules):
        with pytest.raises(dataclasses.FrozenInstanceError):
            value.fields = frozenset()
    assert hash(chosen) == hash(select(edition_reader, notices, audiences, YEAR))


@pytest.mark.parametrize("limit, fits", [(0, 0), (3_599, 0), (3_600, 1), (3_799, 1), (3_800, 2), (4_999, 2), (5_000, 3)])
def test_blocks_that_fit_counts_a_message_at_exactly_the_limit_as_fitting(limit, fits):
    size_keeping = {0: 3_500, 1: 3_600, 2: 3_800, 3: 5_000}  # the message's bytes with k blocks in full
    assert blocks_that_fit(3, size_keeping.__getitem__, limit) == fits


@pytest.mark.parametrize("policy, gets_email, expected", [
    ("all", True, ["n0", "n1", "n2"]), ("all", False, ["n0", "n1", "n2"]),
    ("email-first", True, ["n1"]), ("email-first", False, ["n0", "n1", "n2"]),
])
def test_sms_policy_email_first_leaves_email_readers_only_the_urgent_texts(policy, gets_email, expected):
    notices = tuple(dataclasses.replace(make_notice(i, "culture", [], ("sms",)), priority=priority)
                    for i, priority in enumerate(("normal", "urgent", "normal")))
    assert [n.slug for n in sms_notices(notices, policy, gets_email)] == expected
