"""sotong.dates.shift_years, against walking the calendar: the same month
and day ``years`` away, or the last day of that month before it."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings, strategies as st

from sotong.dates import shift_years


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
