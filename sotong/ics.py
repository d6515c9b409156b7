"""A notice's ``event`` as an iCalendar file (RFC 5545), written by icalendar:
CRLF line ends, lines folded at 75 octets, text escaped.

Dated events are all-day (VALUE=DATE, DTEND the day after the last day);
timed events carry TZID=Asia/Seoul and the VTIMEZONE that defines it.
Shared: the homepage plugin writes one beside each event notice's page, and
the bundles plugin attaches one to a private notice's emails (it has no page).
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import TYPE_CHECKING

from sotong.notices import SEOUL, Notice

if TYPE_CHECKING:
    import icalendar

PRODID = "-//Seongdong-gu Office//Sotong//KO"


def event_times(start, end) -> tuple:
    """DTSTART and DTEND: both dates (all-day, end exclusive) when either is a
    bare date, else both date-times in Seoul. Without an end, an all-day
    event lasts its start day and a timed one is a moment."""
    timed = isinstance(start, dt.datetime) and (end is None or isinstance(end, dt.datetime))
    if timed:
        return start.astimezone(SEOUL), (end or start).astimezone(SEOUL)
    first = _day(start)
    last = _day(end) if end is not None else first
    return first, last + dt.timedelta(days=1)


@functools.cache
def seoul_timezone() -> icalendar.Timezone:
    """The VTIMEZONE of Asia/Seoul, made once: icalendar takes ~10 ms to
    derive it from the tz database, which dominated building 500 event files."""
    import icalendar

    return icalendar.Timezone.from_tzinfo(SEOUL, "Asia/Seoul")


def _day(moment) -> dt.date:
    return moment.date() if isinstance(moment, dt.datetime) else moment


def calendar_inputs(notice: Notice, url: str | None, uid_domain: str) -> str:
    """What :func:`event_calendar` makes the file from, as text that is the
    same in every process (a notice's own repr is not: the order of its
    audiences' sets changes with Python's string hashing)."""
    return repr((notice.slug, notice.date, notice.event, notice.title, notice.plain_summary(), url, uid_domain))


def event_calendar(notice: Notice, url: str | None, uid_domain: str) -> bytes:
    """The .ics file of an event notice. DTSTAMP is the notice's date, so that
    rebuilding an unchanged notice writes the same file. It reads of the
    notice only what :func:`calendar_inputs` holds (icalendar is imported
    only when a file is made: it takes a quarter second)."""
    import icalendar

    event = notice.event
    start, end = event_times(event.start, event.end)
    entry = icalendar.Event()
    entry.add("uid", f"{notice.slug}@{uid_domain}")
    entry.add("dtstamp", notice.date.astimezone(dt.timezone.utc))
    entry.add("dtstart", start)
    entry.add("dtend", end)
    entry.add("summary", notice.title)
    if event.place:
        entry.add("location", event.place)
    description = notice.plain_summary()
    if description:
        entry.add("description", description)
    if url:
        entry.add("url", url)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if isinstance(start, dt.datetime):
        calendar.add_component(seoul_timezone())
    calendar.add_component(entry)
    return calendar.to_ical()
