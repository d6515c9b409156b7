"""Calendar arithmetic the retention rules share: the same day some years
away (a 29 February lands on the 28th). Pure functions; no I/O."""

from __future__ import annotations

import datetime as dt


def shift_years(day: dt.date, years: int) -> dt.date:
    """``day`` moved by ``years`` (negative: back); 29 February becomes the
    28th in a year without it."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)
