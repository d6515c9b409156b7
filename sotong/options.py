"""Command-line value types every command shares, built on click's own: a
day (``--issue 2026-11-26``, ``--since``, ``--after``) and an issue day, each
mistake said in one line (exit 2) with what to write instead."""

from __future__ import annotations

import datetime as dt

import click

from .i18n import _
from .schedule import YEARS, is_issue_date, next_issue, previous_issue


class OneLineUsageError(click.UsageError):
    """A command-line mistake said in one line (exit 2), without the usage text."""

    def show(self, file=None):
        click.echo(_("Error: {message}").format(message=self.format_message()), err=True)


class Day(click.DateTime):
    """A calendar day written exactly YYYY-MM-DD, in the years of
    ``schedule.YEARS``: a :class:`datetime.date`, or its YYYY-MM-DD text
    with ``text=True`` (for keys such as outbox names)."""

    name = "YYYY-MM-DD"

    def __init__(self, text: bool = False):
        super().__init__(["%Y-%m-%d"])
        self.text = text

    def get_metavar(self, param, ctx=None) -> str:
        """What --help shows for a day: YYYY-MM-DD (click's DateTime shows "[%Y-%m-%d]")."""
        return self.name

    def convert(self, value, param, ctx):
        option = param.opts[0] if param else "the date"
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            day = value
        else:
            try:
                day = super().convert(value, param, ctx).date()
            except click.BadParameter:
                day = None
            if day is None or day.isoformat() != value:  # strptime also takes 2026-1-5
                raise OneLineUsageError(_('{option} "{value}" is not a date; write it as YYYY-MM-DD, e.g. {option} 2026-11-26')
                                        .format(option=option, value=value), ctx) from None
        if day.year not in YEARS:  # the schedule would count past datetime's range
            raise OneLineUsageError(_('{option} "{value}" is in the year {year}; days lie in {first}-{last}, check the year')
                                    .format(option=option, value=day, year=day.year, first=YEARS[0], last=YEARS[-1]), ctx)
        return day.isoformat() if self.text else day


class IssueDay(Day):
    """A day that is an issue date (the 2nd or 4th Thursday of its month);
    a day that is none names the issues either side of it (a bundle to
    write is most often the next, an outbox to send or report on the one
    before)."""

    def convert(self, value, param, ctx):
        day = super().convert(value, param, ctx)
        checked = dt.date.fromisoformat(day) if self.text else day
        if not is_issue_date(checked):
            option = param.opts[0] if param else "the date"
            raise OneLineUsageError(_("{option} {day} is not an issue date (2nd or 4th Thursday); "
                                      "the one before it is {before}, the next one {next}")
                                    .format(option=option, day=checked, before=previous_issue(checked),
                                            next=next_issue(checked)), ctx)
        return day


DAY = Day()
DAY_TEXT = Day(text=True)
ISSUE_DAY = IssueDay()
ISSUE_DAY_TEXT = IssueDay(text=True)  # an issue outbox's key


def refuse_reversed_days(first: dt.date | None, last: dt.date | None) -> None:
    """``--from`` after ``--to``: one line (exit 2), not an empty answer."""
    if first is not None and last is not None and first > last:
        raise OneLineUsageError(_("--from {first} is after --to {last}, so no day is between them; swap the two days").format(
            first=first, last=last))
