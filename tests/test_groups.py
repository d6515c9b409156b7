"""Groups (SPEC §16): audiences.yaml's ``groups``, the subscriber CSV's
``groups`` column (keys or Korean labels) in import, store and export, the
``groups`` segment key, and the match rule with groups against a brute-force
reading of §3, §6 and §16 (test_audiences_match's oracle, which every
bundle test uses)."""

from __future__ import annotations

import csv
import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from plugins.bundles.rules import relevance, select
from sotong.audiences import Audiences, Profile, Segment, load_audiences, matches_notice, read_audience_list
from sotong.store import Store
from sotong.subscribers import check_row, export_csv, import_csv
from test_audiences_match import FIELDS, maybe, profiles, segments, spec_matches_notice, years
from test_subscribers import GOOD, csv_text, write

REPO = Path(__file__).resolve().parent.parent
AUDIENCES = load_audiences(REPO / "audiences.yaml")
GROUPS = ("committee-budget", "org-tongjang", "committee-welfare")


group_sets = st.frozensets(st.sampled_from(GROUPS), min_size=1)
segments_with_groups = st.builds(lambda s, g: Segment(**{**s.__dict__, "groups": g}), segments, maybe(group_sets))
profiles_with_groups = st.builds(lambda p, g: Profile(**{**p.__dict__, "groups": g}),
                                 profiles, st.frozensets(st.sampled_from(GROUPS)))


@settings(max_examples=800)
@given(profiles_with_groups, st.sampled_from(FIELDS), st.lists(segments_with_groups, max_size=3), years)
def test_match_rule_with_groups_reads_spec_16(profile, category, chosen, year):
    assert matches_notice(profile, category, chosen, year) == spec_matches_notice(profile, category, chosen, year)


def test_membership_is_the_consent_but_other_keys_still_hold():
    committee = Segment(name="c", label="위원회", groups=frozenset({"committee-budget"}), dongs=frozenset({"majang"}))
    member = Profile(dong="majang", groups=frozenset({"committee-budget"}))  # no consent to any field
    assert matches_notice(member, "culture", [committee], 2026)
    assert not matches_notice(Profile(dong="oksu", groups=member.groups), "culture", [committee], 2026)
    assert not matches_notice(Profile(dong="majang", fields=frozenset({"culture"})), "culture", [committee], 2026)
    assert not matches_notice(Profile(dong="majang", groups=member.groups, subscribed=False), "culture", [committee], 2026)
    # without audiences a member is just a reader: the category's consent decides
    assert not matches_notice(member, "culture", [], 2026)


@settings(max_examples=200)
@given(st.lists(profiles_with_groups, min_size=1, max_size=6), st.lists(segments_with_groups, min_size=1, max_size=3))
def test_bundles_group_readers_by_what_decides_their_notices(readers, chosen):
    """Readers with one bundle key get one selection: groups are in the key."""
    notice = _notice(chosen)
    audiences = Audiences(fields=dict.fromkeys(FIELDS, ""), edition_field=None, departments=(), dongs={},
                          business_types={}, segments={s.name: s for s in chosen}, groups=dict.fromkeys(GROUPS, ""))
    rules = relevance([notice], audiences, 2026)
    for reader in readers:
        stand_in = rules.profile(rules.key(reader))
        assert select(stand_in, [notice], audiences, 2026) == select(reader, [notice], audiences, 2026)


def _notice(chosen):
    named = [Segment(**{**s.__dict__, "name": f"s{i}"}) for i, s in enumerate(chosen)]
    chosen[:] = named

    class Notice:
        slug, category, audiences, urgent = "n", "culture", tuple(named), False

        def has(self, channel):
            return channel == "email"
    return Notice()


def test_audiences_yaml_checks_group_keys(tmp_path):
    text = (REPO / "audiences.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "audiences.yaml"
    bad.write_text(text + "  typo:\n    groups: [committee-budgt]\n", encoding="utf-8")
    with pytest.raises(Exception) as raised:
        load_audiences(bad)
    assert 'groups: "committee-budgt" is not defined; did you mean "committee-budget"?' in str(raised.value)
    assert AUDIENCES.groups == {"committee-budget": "주민참여예산위원회", "org-tongjang": "통장협의회"}
    assert AUDIENCES.segments["tongjang"].groups == frozenset({"org-tongjang"})
    # a committee's segment added before the file has groups: at all said "known: " and nothing after it
    without = re.sub(r"(?m)^groups:.*\n(  .*\n)*", "", text)
    assert "주민참여예산위원회" not in without
    bad.write_text(without, encoding="utf-8")
    with pytest.raises(Exception) as raised:
        load_audiences(bad)
    assert ('groups: "committee-budget" is not defined, and audiences.yaml has no groups: yet; '
            'add it there, e.g. groups: {committee-budget: 한글 이름}') in str(raised.value)


@pytest.mark.parametrize("written, instead", [
    ("committee-budget", "budget-committee"), ("주민참여예산위원회", "budget-committee"), ("org-tongjang", "tongjang"),
    ("committee-welfare", "{groups: [committee-welfare]}"),  # no segment of just its members
])
def test_a_group_written_for_a_segment_names_what_to_write(written, instead):
    """Staff wrote the committee itself (its key or label, from the groups
    they had just added) in a notice's audiences, and were told only
    "unknown segment": nothing said that a group is reached through a
    segment, or which one."""
    audiences = Audiences(**{**AUDIENCES.__dict__, "groups": {**AUDIENCES.groups, "committee-welfare": "복지위원회"}})
    problems = []
    assert read_audience_list([written], audiences, lambda path, message: problems.append((path, message))) == ()
    assert problems == [(("audiences", 0), f'"{written}" is a group, not a segment; write audiences: [{instead}]')]


@pytest.mark.parametrize("written", ["주민참여예산위원회", "committee-budget"])
def test_a_group_written_for_audiences_without_brackets_is_told_its_segment_in_one_step(written):
    """``audiences: 주민참여예산위원회`` was told to be a list, audiences:
    [주민참여예산위원회], which was then told to be a group, not a segment."""
    problems = []
    assert read_audience_list(written, AUDIENCES, lambda path, message: problems.append((path, message))) == ()
    assert problems == [(("audiences",), f'"{written}" is a group, not a segment; write audiences: [budget-committee]')]


def test_import_reads_group_keys_and_korean_labels_and_names_unknown_ones():
    row, errors = check_row(dict(GOOD, groups="committee-budget; 통장협의회"), AUDIENCES, 2026)
    assert errors == [] and row["groups"] == "committee-budget;org-tongjang"
    decomposed = unicodedata.normalize("NFD", "주민참여예산위원회")  # as a Mac writes file text: was not a group
    row, errors = check_row(dict(GOOD, groups=decomposed), AUDIENCES, 2026)
    assert errors == [] and row["groups"] == "committee-budget"
    row, errors = check_row(dict(GOOD, groups="위원회"), AUDIENCES, 2026)
    assert row is None  # the list names each group's Korean name too (staff write those): was the keys alone
    assert errors == ['group "위원회" is not a group in audiences.yaml; write one of: committee-budget (주민참여예산위원회), '
                      'org-tongjang (통장협의회)']


@pytest.mark.parametrize("cell, meant", [
    # was: not a group; did you mean "committee-budget"? (a spelling to fix, for a member of both)
    ("committee-budget, 통장협의회", "committee-budget;통장협의회"),
    # were: not a group, and the two keys listed (nothing said of the separator)
    ("주민참여예산위원회/통장협의회", "주민참여예산위원회;통장협의회"),
    ("주민참여예산위원회 통장협의회", "주민참여예산위원회;통장협의회"),
    ("주민참여예산위원회、통장협의회", "주민참여예산위원회;통장협의회"),
])
def test_groups_listed_with_another_separator_are_told_to_write_them_with_semicolons(cell, meant):
    row, errors = check_row(dict(GOOD, groups=cell), AUDIENCES, 2026)
    assert row is None
    assert errors == [f'groups "{cell}" are not separated by ";"; separate them with ";": {meant}']


@pytest.mark.parametrize("cell, near", [
    ("통장 협의회", "통장협의회"), ("통장협의", "통장협의회"), ("예산위원회", "주민참여예산위원회"),  # were: write one of the keys
    ("committe-budget", "committee-budget"),
])
def test_a_group_misspelled_names_the_group_meant_by_its_key_or_korean_name(cell, near):
    row, errors = check_row(dict(GOOD, groups=cell), AUDIENCES, 2026)
    assert row is None
    assert errors == [f'group "{cell}" is not a group in audiences.yaml; did you mean "{near}"?']


def test_groups_round_trip_and_a_file_without_the_column_keeps_them(tmp_path):
    store = Store.open(tmp_path / "sotong.db")
    member = dict(GOOD, groups="주민참여예산위원회")
    import_csv(store, write(tmp_path / "a.csv", csv_text(member)), AUDIENCES, 2026)
    assert store.subscriber("S1").groups == frozenset({"committee-budget"})
    assert store.subscriber("S1").profile.groups == frozenset({"committee-budget"})
    columns = [c for c in csv_text(GOOD).splitlines()[0].split(",") if c != "groups"]
    report = import_csv(store, write(tmp_path / "b.csv", csv_text(dict(GOOD, name="김민지"), columns=columns)),
                        AUDIENCES, 2026)
    assert report.updated == 1 and store.subscriber("S1").groups == frozenset({"committee-budget"})
    export_csv(store, tmp_path / "out.csv")
    with open(tmp_path / "out.csv", encoding="utf-8-sig", newline="") as exported:
        assert [r["groups"] for r in csv.DictReader(exported)] == ["committee-budget"]
    import_csv(store, write(tmp_path / "c.csv", csv_text(dict(GOOD, groups=""))), AUDIENCES, 2026)
    assert store.subscriber("S1").groups == frozenset()


def test_the_sample_has_members_of_both_groups():
    with open(REPO / "sample" / "subscribers.csv", encoding="utf-8-sig", newline="") as sample:
        cells = [r["groups"] for r in csv.DictReader(sample) if r["groups"]]
    assert any("주민참여예산위원회" in c or "committee-budget" in c for c in cells)
    assert sum("org-tongjang" in c or "통장협의회" in c for c in cells) >= 3
