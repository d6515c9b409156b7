"""Who a notice reaches, from end to end: subscribers as the e-communication
system's CSV has them (SPEC §4), imported into a real SQLite store, and a
notice's ``audiences`` written as staff write them (segment names of
audiences.yaml, or inline maps naming dongs and fields by key or Korean
label, SPEC §2), against a reading of SPEC §3 and §6 made on the CSV's cells
and the YAML as written, not on the implementation's Profile or Segment.

test_audiences_match checks the rule on Profiles; this checks as well what
the import and the audience reader make of the cells and the maps on the way
(a gender, a dong, a field, a year read or stored wrong)."""

from __future__ import annotations

import csv
from pathlib import Path

import yaml
from hypothesis import HealthCheck, Phase, given, settings, strategies as st

from sotong.audiences import load_audiences, matches_notice, read_audience_list
from sotong.store import Store
from sotong.subscribers import COLUMNS, import_csv

REPO = Path(__file__).resolve().parent.parent
AUDIENCES = load_audiences(REPO / "audiences.yaml")
RAW = yaml.safe_load((REPO / "audiences.yaml").read_text(encoding="utf-8"))  # the file as staff wrote it
FIELDS, DONGS, TYPES = RAW["fields"], RAW["dongs"], RAW["business_types"]
BIRTH_YEARS, AGES = (1940, 2020), (0, 90)
NAMED = sorted(name for name, spec in RAW["segments"].items() if "groups" not in spec)  # §16's groups: test_groups


# --- SPEC read directly -------------------------------------------------------------------


def key_of(value, table: dict) -> str:
    """SPEC §2: a dong, field or business type is named by its key or its Korean label."""
    return value if value in table else next(key for key, label in table.items() if label == value)


def in_bounds(number, bounds) -> bool:
    low, high = bounds
    return (low is None or number >= low) and (high is None or number <= high)


def satisfies(row: dict, segment: dict, year: int) -> bool:
    """SPEC §3: every key the segment has holds; a subscriber lacking the
    attribute (an empty cell) does not satisfy that key."""
    birth = int(row["birth_year"]) if row["birth_year"] else None
    consented = set(filter(None, row["fields"].split(";")))
    for key, value in segment.items():
        if key == "age" and (birth is None or not in_bounds(year - birth, value)):
            return False
        if key == "birth_years" and (birth is None or not in_bounds(birth, value)):
            return False
        if key == "genders" and row["gender"] not in value:
            return False
        if key == "kinds" and row["kind"] not in value:
            return False
        if key == "dongs" and row["dong"] not in {key_of(v, DONGS) for v in value}:
            return False
        if key == "business_types" and row["business_type"] not in {key_of(v, TYPES) for v in value}:
            return False
        if key == "fields" and not {key_of(v, FIELDS) for v in value} <= consented:
            return False
    return True


def reaches(row: dict, category: str, audiences: list, year: int) -> bool:
    """SPEC §6: subscribed (no unsubscribed_at), consented to the category,
    and no audiences or one of them holds (a name: its map in audiences.yaml)."""
    if row["unsubscribed_at"] or category not in row["fields"].split(";"):
        return False
    maps = [RAW["segments"][item] if isinstance(item, str) else item for item in audiences]
    return not maps or any(satisfies(row, segment, year) for segment in maps)


# --- what staff and the e-communication system write ------------------------------------


def named(table: dict):
    """A key of ``table`` or its Korean label, as staff may write either."""
    return st.sampled_from(sorted(table)).flatmap(lambda key: st.sampled_from([key, table[key]]))


def names(table: dict):
    return st.lists(named(table), min_size=1, max_size=6)


def ends(values):
    """[min, max] of ``values`` (the ages or years the rows have, so that its
    ends are met), either end null."""
    end = st.none() | values
    return st.tuples(end, end).map(lambda pair: sorted(pair) if None not in pair else list(pair))


def audience_lists(ages, years):
    """An ``audiences:`` list: segment names and maps of one or two conditions,
    as staff write them in place (more would rarely hold for anyone)."""
    conditions = {
        "age": ends(ages), "birth_years": ends(years), "genders": st.lists(st.sampled_from(["F", "M"]), min_size=1),
        "kinds": st.lists(st.sampled_from(["person", "business"]), min_size=1), "dongs": names(DONGS),
        "business_types": names(TYPES), "fields": names(FIELDS),
    }
    inline = st.lists(st.sampled_from(sorted(conditions)), min_size=1, max_size=2, unique=True).flatmap(
        lambda keys: st.fixed_dictionaries({key: conditions[key] for key in keys}))
    return st.lists(st.sampled_from(NAMED) | inline, min_size=1, max_size=2)  # none: test_audiences_match


@st.composite
def csv_rows(draw, index: int) -> dict:
    """One row of the CSV (SPEC §4), every cell text; a business has no birth year or gender."""
    business = draw(st.booleans())
    def empty_or(strategy):  # an empty cell is an absent value (one cell in four)
        return draw(st.sampled_from([True, False, False, False]).flatmap(lambda empty: st.just("") if empty else strategy))

    return {
        "id": f"S{index:03d}", "name": "구독자", "email": f"s{index}@example.com", "phone": "",
        "birth_year": "" if business else empty_or(st.integers(*BIRTH_YEARS).map(str)),
        "gender": "" if business else empty_or(st.sampled_from(["F", "M"])),
        "dong": empty_or(st.sampled_from(sorted(DONGS))),
        "fields": ";".join(key for key, chosen in zip(FIELDS, draw(st.lists(st.booleans(), min_size=11, max_size=11)))
                           if chosen),  # each field chosen by about half of them
        "channels": "email", "kind": "business" if business else "person",
        "business_type": empty_or(st.sampled_from(sorted(TYPES))) if business else "",
        "subscribed_at": "2025-03-01", "unsubscribed_at": draw(st.sampled_from(["", "", "", "2025-09-01"])),
    }


population = st.tuples(*(csv_rows(i) for i in range(30)))  # enough of them for a range's ends to be met


# no shrinking: each try imports a store, and the failing notice is in the assertion's message
@settings(max_examples=30, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=population, year=st.integers(2026, 2028), data=st.data())
def test_who_a_notice_reaches_from_the_csv_is_what_spec_says(tmp_path_factory, rows, year, data):
    folder = tmp_path_factory.mktemp("csv")
    with open(folder / "people.csv", "w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    store = Store.open(folder / "sotong.db")
    try:
        report = import_csv(store, folder / "people.csv", AUDIENCES, 2026)
        assert report.rejected == 0, report.problems
        readers = list(store.subscribers())
    finally:
        store.close()
    years = sorted({int(row["birth_year"]) for row in rows if row["birth_year"]}) or [1960]
    lists = audience_lists(st.sampled_from([year - born for born in years]) | st.integers(*AGES),
                           st.sampled_from(years) | st.integers(*BIRTH_YEARS))
    for _ in range(10):  # notices of one import (importing is the slow part)
        category, audiences = data.draw(st.sampled_from(sorted(FIELDS))), data.draw(lists)
        problems = []
        segments = read_audience_list(audiences, AUDIENCES, lambda path, message: problems.append(message))
        assert problems == []
        reached = {reader.id for reader in readers if matches_notice(reader.profile, category, segments, year)}
        assert reached == {row["id"] for row in rows if reaches(row, category, audiences, year)}, (category, audiences)
