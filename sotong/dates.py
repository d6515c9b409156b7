"""Calendar arithmetic the retention rules share (the same day some years
away: a 29 February lands on the 28th), the one way every page, email
and text message writes a day in Korean (``2026년 12월 3일``) and an
event's time, and the one way a day written by hand is read
(:data:`ISO_DAY`, :func:`iso_day`: ``2026-12-03``). Pure functions; no I/O."""

from __future__ import annotations

import datetime as dt
import re

WEEKDAYS = "월화수목금토일"  # date.weekday(): Monday is 0
# A day as files, commands and names write it: 2026-12-03, in ASCII digits
# (\d alone takes ٢٠٢٦ too), and in no other of the forms Python's
# fromisoformat also takes (20261203, 2026-W49-4). A pattern with a time or
# a file name around the day is built on ISO_DAY.pattern, with re.ASCII.
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def iso_day(text: str) -> dt.date | None:
    """``text`` as a day written YYYY-MM-DD (:data:`ISO_DAY`), or None when it
    is written otherwise or is no day of the calendar (2026-02-30)."""
    if not ISO_DAY.fullmatch(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def shift_years(day: dt.date, years: int) -> dt.date:
    """``day`` moved by ``years`` (negative: back); 29 February becomes the
    28th in a year without it."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def korean_date(day: dt.date, *, year: bool = True, weekday: bool = False) -> str:
    """``day`` as residents read it: ``2026년 12월 3일``, month and day without
    a leading zero. ``year=False``: ``12월 3일`` (a day of the weeks a survey
    is open, in its invitation); ``weekday=True``: ``2026년 12월 3일(목)`` (an
    event's days). Hours are not shown: :func:`event_time` writes an event's.

    Templates use it as the ``korean_date`` filter (``{{ day|korean_date }}``,
    ``{{ day|korean_date(weekday=True) }}``), in Pelican's environments
    (sotong.pelican_plugin), the web server's (sotong.web) and those that
    render the site's templates outside Pelican."""
    written = f"{day.month}월 {day.day}일"
    if year:
        written = f"{day.year}년 {written}"
    return f"{written}({WEEKDAYS[day.weekday()]})" if weekday else written


def event_time(start: dt.date, end: dt.date | None = None) -> str:
    """An event's time as the notice page and a private notice's email write
    it: ``2026년 10월 17일(토) 14:00 ~ 17:30``, the end's day written only
    when it is another day (``2026년 12월 19일(토) 14:00 ~ 2026년 12월 20일(일)
    21:00``); dates without hours are days. The ``event_time`` filter of the
    site's templates (sotong.pelican_plugin)."""
    written, end_clock = korean_date(start, weekday=True) + _clock(start), _clock(end)
    if end is not None and (end.year, end.month, end.day) != (start.year, start.month, start.day):
        return f"{written} ~ {korean_date(end, weekday=True)}{end_clock}"
    return f"{written} ~{end_clock}" if end_clock else written


def _clock(moment: dt.date) -> str:
    """`` 14:00`` for a moment, nothing for a day."""
    return f" {moment.hour:02d}:{moment.minute:02d}" if isinstance(moment, dt.datetime) else ""
