"""The newsletter schedule (SPEC §5): issues on the 2nd and 4th Thursday of
every month, and the window of notices each issue carries.

Pure functions of dates; no I/O.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import TYPE_CHECKING, Iterable, Iterator

if TYPE_CHECKING:  # the dates alone need no notice reader (`sotong newsletter next`)
    from .notices import Notice

THURSDAY = 3
# The years a notice's dates, and the days given on the command line, may lie
# in: the site, its calendar files and the newsletter schedule count days
# from and to them (the schedule's look-arounds stay inside datetime's range).
YEARS = range(2000, 2100)


def issue_dates_of_month(year: int, month: int) -> tuple[dt.date, dt.date]:
    """The 2nd and 4th Thursdays of a month."""
    first = dt.date(year, month, 1)
    first_thursday = first + dt.timedelta(days=(THURSDAY - first.weekday()) % 7)
    return first_thursday + dt.timedelta(days=7), first_thursday + dt.timedelta(days=21)


def is_issue_date(day: dt.date) -> bool:
    return day in issue_dates_of_month(day.year, day.month)


def next_issue(on_or_after: dt.date) -> dt.date:
    """The first issue date on or after the given day."""
    year, month = on_or_after.year, on_or_after.month
    while True:
        for day in issue_dates_of_month(year, month):
            if day >= on_or_after:
                return day
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


@functools.lru_cache(maxsize=4096)  # a window asks it of its issue once per notice
def previous_issue(before: dt.date) -> dt.date:
    """The last issue date strictly before the given day."""
    year, month = before.year, before.month
    while True:
        for day in reversed(issue_dates_of_month(year, month)):
            if day < before:
                return day
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)


def issues_between(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    """Every issue date d with first <= d <= last, in order."""
    day = next_issue(first)
    while day <= last:
        yield day
        day = next_issue(day + dt.timedelta(days=1))


def in_window(notice: Notice, issue: dt.date) -> bool:
    """SPEC §5: published, dated after the previous issue and on or before
    this one, and not expired before the issue day."""
    return (
        notice.published
        and previous_issue(issue) < notice.day <= issue
        and not notice.expired_on(issue)
    )


def window(notices: Iterable[Notice], issue: dt.date) -> list[Notice]:
    """The notices of issue ``issue``: urgent first, then newest first."""
    chosen = [n for n in notices if in_window(n, issue)]
    return sorted(chosen, key=lambda n: (not n.urgent, -n.date.timestamp(), n.slug))


def edition(notices: Iterable[Notice], issue: dt.date) -> list[Notice]:
    """The public newsletter of ``issue``: the window's ``newsletter`` notices."""
    return [n for n in window(notices, issue) if n.has("newsletter")]
