"""Which banners show where on a given day (SPEC §10): pure functions over
:class:`Banner` values and dates.

A window is a pair of month-days that repeats every year; when ``start``
comes after ``end`` it wraps the year end (12-15 → 01-31). Banners are
ordered by priority (higher first), then by slug.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Iterable
from urllib.parse import urlsplit

from sotong.audiences import Profile, Segment, matches_any

PLACEMENTS = ("site", "newsletter", "email")

MonthDay = tuple  # (month, day); (2, 29) is allowed


@dataclass(frozen=True)
class Window:
    """The days from ``start`` to ``end``, both included, every year."""

    start: MonthDay
    end: MonthDay

    def holds(self, day: dt.date) -> bool:
        month_day = (day.month, day.day)
        if self.start <= self.end:
            return self.start <= month_day <= self.end
        return month_day >= self.start or month_day <= self.end


@dataclass(frozen=True)
class Banner:
    """One content/banners/SLUG.yaml, validated."""

    slug: str
    title: str
    body: str  # Markdown
    link: str  # https URL
    placements: frozenset
    priority: int = 0
    windows: tuple[Window, ...] = ()  # empty: always
    audiences: tuple[Segment, ...] = ()  # empty: everyone
    image: str | None = None  # path under content/
    image_alt: str | None = None
    source: str = ""  # the file, as problems name it
    lines: dict = field(default_factory=dict, compare=False, repr=False)  # key -> its line, for warnings
    body_line: int = field(default=1, compare=False, repr=False)  # the file line the body's text starts on

    @property
    def host(self) -> str:
        """Where the link goes, for link text: "www.gov.kr"."""
        return urlsplit(self.link).hostname or self.link


def active_on(banner: Banner, day: dt.date) -> bool:
    """True when ``day`` falls in one of the banner's windows (no window: always)."""
    return not banner.windows or any(window.holds(day) for window in banner.windows)


def ordered(banners: Iterable[Banner]) -> list[Banner]:
    """Priority first (higher first), then slug."""
    return sorted(banners, key=lambda banner: (-banner.priority, banner.slug))


def active(banners: Iterable[Banner], day: dt.date, placement: str) -> list[Banner]:
    """The banners for ``placement`` active on ``day``, in order."""
    return ordered(b for b in banners if placement in b.placements and active_on(b, day))


def site_banners(banners: Iterable[Banner], day: dt.date) -> list[Banner]:
    """What the site shows on ``day``: every active ``site`` banner."""
    return active(banners, day, "site")


def edition_banner(banners: Iterable[Banner], day: dt.date) -> Banner | None:
    """What the newsletter edition of ``day`` shows: the first active ``newsletter`` banner."""
    return next(iter(active(banners, day, "newsletter")), None)


def first_for_reader(candidates: list[Banner], profile: Profile, issue_year: int) -> Banner | None:
    """The first of ``candidates`` (already chosen and ordered) whose
    audiences the reader matches; a bundle orders them once for all readers."""
    for banner in candidates:
        if matches_any(profile, banner.audiences, issue_year):
            return banner
    return None
