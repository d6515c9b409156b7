"""sotong.dates: shift_years against walking the calendar (the same month
and day ``years`` away, or the last day of that month before it), and
korean_date, the one way pages, emails and texts write a day in Korean;
iso_day, the one way a day written YYYY-MM-DD is read, and the only place
in sotong/ and plugins/ where that pattern is written."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given, settings, strategies as st

from pathlib import Path

from sotong.dates import ISO_DAY, event_time, iso_day, korean_date, shift_years

REPO = Path(__file__).resolve().parent.parent


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2090, 12, 31)), st.integers(-5, 5))
@settings(max_examples=300)
def test_shift_years_is_the_same_day_or_the_last_of_the_month_before_it(day, years):
    candidate = dt.date(day.year + years, day.month, 1)
    while candidate.month == day.month and candidate.day < day.day:
        following = candidate + dt.timedelta(days=1)
        if following.month != day.month:
            break
        candidate = following
    assert shift_years(day, years) == candidate


@pytest.mark.parametrize("day, options, written", [
    (dt.date(2026, 12, 3), {}, "2026년 12월 3일"),
    (dt.date(2026, 12, 3), {"weekday": True}, "2026년 12월 3일(목)"),
    (dt.date(2026, 12, 3), {"year": False}, "12월 3일"),
    (dt.date(2026, 1, 9), {}, "2026년 1월 9일"),
    (dt.date(2026, 10, 17), {"weekday": True}, "2026년 10월 17일(토)"),
    (dt.date(2026, 12, 20), {"weekday": True}, "2026년 12월 20일(일)"),
    (dt.date(2026, 11, 30), {"weekday": True}, "2026년 11월 30일(월)"),
    (dt.date(2026, 12, 31), {"weekday": True}, "2026년 12월 31일(목)"),  # the year boundary
    (dt.date(2027, 1, 1), {"weekday": True}, "2027년 1월 1일(금)"),
    (dt.date(2027, 1, 8), {"year": False, "weekday": True}, "1월 8일(금)"),
    (dt.datetime(2026, 12, 16, 19, 30), {"weekday": True}, "2026년 12월 16일(수)"),  # an event's start: no hour
])
def test_korean_date_writes_days_as_residents_read_them(day, options, written):
    assert korean_date(day, **options) == written


WRITTEN = re.compile(r"(?:([1-9]\d*)년 )?([1-9]\d?)월 ([1-9]\d?)일(?:\((.)\))?")


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 30)), st.booleans())
@settings(max_examples=300)
def test_korean_date_reads_back_as_the_day_and_the_next_day_as_the_next(day, year):
    """Year, month and day read back without leading zeros; the next day's
    weekday is the next of 월화수목금토일, across months and years."""
    shown, following = (WRITTEN.fullmatch(korean_date(d, year=year, weekday=True))
                        for d in (day, day + dt.timedelta(days=1)))
    assert (shown[2], shown[3]) == (str(day.month), str(day.day))
    assert shown[1] == (str(day.year) if year else None)
    assert "월화수목금토일".index(following[4]) == ("월화수목금토일".index(shown[4]) + 1) % 7
    assert korean_date(day, year=year) == korean_date(day, year=year, weekday=True).rsplit("(", 1)[0]


@pytest.mark.parametrize("start, end, written", [
    (dt.datetime(2026, 10, 17, 14, 0), dt.datetime(2026, 10, 17, 17, 30), "2026년 10월 17일(토) 14:00 ~ 17:30"),
    (dt.datetime(2026, 12, 19, 14, 0), dt.datetime(2026, 12, 20, 21, 0), "2026년 12월 19일(토) 14:00 ~ 2026년 12월 20일(일) 21:00"),
    (dt.date(2026, 12, 24), dt.date(2026, 12, 26), "2026년 12월 24일(목) ~ 2026년 12월 26일(토)"),
    (dt.datetime(2026, 12, 31, 9, 5), None, "2026년 12월 31일(목) 09:05"),
    (dt.date(2026, 12, 24), dt.date(2026, 12, 24), "2026년 12월 24일(목)"),
])
def test_event_time_writes_an_events_days_and_hours(start, end, written):
    """As the notice page wrote it (its theme's macro, now this function, so
    that a private notice's email writes it the same way)."""
    assert event_time(start, end) == written


@pytest.mark.parametrize("text, day", [
    ("2026-12-03", dt.date(2026, 12, 3)),
    ("2026-02-29", None),  # no such day
    ("2026-13-01", None),
    ("20261203", None),  # fromisoformat takes these; a day written by hand is YYYY-MM-DD
    ("2026-W49-4", None),
    ("2026-12-03T09:00", None),
    ("2026-1-3", None),
    ("٢٠٢٦-١٢-٠٣", None),  # Arabic-Indic digits: \\d takes them, int() reads them
    ("２０２６-１２-０３", None),
    (" 2026-12-03", None),
    ("2026-12-03\n", None),
])
def test_iso_day_reads_a_day_written_yyyy_mm_dd_and_nothing_else(text, day):
    assert iso_day(text) == day
    assert bool(ISO_DAY.fullmatch(text)) == (day is not None or text in ("2026-02-29", "2026-13-01"))


@given(st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)))
def test_iso_day_reads_back_every_day_python_writes(day):
    assert iso_day(day.isoformat()) == day


def test_the_day_pattern_is_written_only_in_sotong_dates():
    """A module that reads a day builds on ISO_DAY (or iso_day) instead of
    writing its own copy, which drifted (some took ٢٠٢٦ for digits)."""
    copies = [f"{path.relative_to(REPO)}:{number}"
              for folder in ("sotong", "plugins") for path in sorted((REPO / folder).rglob("*.py"))
              if path != REPO / "sotong" / "dates.py"
              for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
              if re.search(r"\\d\{4\}-\\d\{2\}-\\d\{2\}", line)]
    assert copies == []
