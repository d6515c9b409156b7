"""Whole numbers in content files are bounded where they are read: a
segment's age and birth_years ends (audiences.yaml, and inline in a notice),
a banner's priority, a survey scale's min and max. A number past its range
(even one past what a database's integer column or Python's int parsing
holds) is one line ``FILE:LINE: KEY must be a whole number from LOW to HIGH,
e.g. ...`` and exit 1, with nothing built; the shared validator says the same
for every key (sotong.validators.whole_number)."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from sotong.validators import whole_number

PAST_BIGINT = str(2 ** 63)  # one more than PostgreSQL's bigint holds
PAST_PYTHON = "1" + "0" * 5000  # more digits than Python turns into an int (4,300)

CASES = [
    ("audiences.yaml", "    age: [30, 59]", f"    age: [30, {PAST_BIGINT}]",
     "audiences.yaml:79: age must be a whole number from 0 to 150, e.g. age: [30, 59]"),
    ("audiences.yaml", "    age: [30, 59]", "    age: [-1, 59]",
     "audiences.yaml:79: age must be a whole number from 0 to 150, e.g. age: [30, 59]"),
    ("audiences.yaml", "    age: [30, 59]", f"    age: [{PAST_PYTHON}, null]",
     "audiences.yaml:79: age must be [min, max] with whole numbers or null, e.g. age: [30, 59]"),
    ("audiences.yaml", "    birth_years: [null, 1961]", f"    birth_years: [null, {PAST_BIGINT}]",
     "audiences.yaml:98: birth_years must be a whole number from 1900 to 2100, e.g. birth_years: [1960, 1969]"),
    ("content/notices/2026-09-17-job-fair.md", "audiences: [youth-job, midlife-job]",
     "audiences: [youth-job, {age: [20, 151]}]",
     "content/notices/2026-09-17-job-fair.md:6: age must be a whole number from 0 to 150, e.g. age: [30, 59]"),
    ("content/banners/year-end-tax.yaml", "priority: 20", f"priority: {PAST_BIGINT}",
     "content/banners/year-end-tax.yaml:11: priority must be a whole number from -1000 to 1000, e.g. priority: 10"),
    ("content/banners/year-end-tax.yaml", "priority: 20", f"priority: {PAST_PYTHON}",
     "content/banners/year-end-tax.yaml:11: priority must be a whole number from -1000 to 1000, e.g. priority: 10"),
    ("content/surveys/library-satisfaction.yaml", "    max: 5", f"    max: {PAST_BIGINT}",
     "content/surveys/library-satisfaction.yaml:23: max must be a whole number from -100 to 100, e.g. max: 5"),
    ("content/surveys/library-satisfaction.yaml", "    min: 1", f"    min: -{PAST_BIGINT}",
     "content/surveys/library-satisfaction.yaml:22: min must be a whole number from -100 to 100, e.g. min: 1"),
]


def edit(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.parametrize("file, old, new, expected", CASES, ids=[
    "age-past-bigint", "age-below-0", "age-past-python", "birth-years", "inline-age", "priority-past-bigint",
    "priority-past-python", "scale-max", "scale-min"])
def test_a_number_past_its_range_is_one_line_and_exit_1_with_nothing_built(project_dir, cli, file, old, new, expected):
    edit(project_dir / file, old, new)
    result = cli(project_dir, "build")
    assert result.code == 1, result.stderr
    assert result.stderr.splitlines() == [expected]
    assert "Traceback" not in result.stdout + result.stderr
    assert not (project_dir / "output").exists()


@pytest.mark.parametrize("file, old, new", [
    ("audiences.yaml", "    age: [30, 59]", "    age: [0, 150]"),
    ("audiences.yaml", "    birth_years: [null, 1961]", "    birth_years: [1900, 2100]"),
    ("content/banners/year-end-tax.yaml", "priority: 20", "priority: -1000"),
    ("content/surveys/library-satisfaction.yaml", "    min: 1\n    max: 5", "    min: 90\n    max: 100"),
])
def test_the_ends_of_each_range_are_taken(project_dir, cli, file, old, new):
    edit(project_dir / file, old, new)
    result = cli(project_dir, "check")
    assert result.code == 0, result.stderr


@given(value=st.one_of(st.integers(), st.booleans(), st.none(), st.floats(allow_nan=False), st.text(max_size=5)),
       low=st.integers(-10**20, 10**20), span=st.integers(0, 10**20))
def test_whole_number_keeps_exactly_the_whole_numbers_of_its_range(value, low, span):
    high = low + span
    said = []
    kept = whole_number(value, "key", low, high, said.append, example="key: 1")
    fits = type(value) is int and low <= value <= high  # the reading of the rule: an int (not a bool) in range
    assert kept == (value if fits else None) and (kept is value if fits else True)
    assert said == ([] if fits else [f"key must be a whole number from {low} to {high}, e.g. key: 1"])
