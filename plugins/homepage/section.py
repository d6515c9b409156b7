"""The homepage section: which notices the district homepage shows, and the
entries of ``section/latest.json`` and ``section/latest.html``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable

from sotong.notices import Notice

JSON_KEYS = ("title", "url", "date", "department", "category", "summary")


@dataclass(frozen=True)
class SectionEntry:
    """One notice as the section shows it."""

    title: str
    url: str
    date: dt.date
    department: str
    category: str
    category_label: str
    summary: str
    urgent: bool

    def as_json(self) -> dict:
        """Exactly the keys of SPEC §8; ``date`` as ISO YYYY-MM-DD."""
        return {
            "title": self.title,
            "url": self.url,
            "date": self.date.isoformat(),
            "department": self.department,
            "category": self.category,
            "summary": self.summary,
        }


def section_notices(notices: Iterable[Notice], day: dt.date, size: int) -> list[Notice]:
    """The current notices of the section on ``day``: published, with the
    homepage channel, dated on or before ``day``, not expired; urgent ones first, then newest first; at
    most ``size``."""
    current = [n for n in notices if n.published and n.has("homepage") and n.due_on(day) and not n.expired_on(day)]
    current.sort(key=lambda n: (not n.urgent, -n.date.timestamp(), n.slug))
    return current[:size]


def section_entry(notice: Notice, url: str, field_labels: dict) -> SectionEntry:
    return SectionEntry(
        title=notice.title,
        url=url,
        date=notice.day,
        department=notice.department,
        category=notice.category,
        category_label=field_labels.get(notice.category, notice.category),
        summary=notice.plain_summary(),
        urgent=notice.urgent,
    )
