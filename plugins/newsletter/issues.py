"""Which newsletter issues exist and what each one holds: pure functions over
notices and dates (SPEC §5), shared by the web edition and the commands.

The window rule itself lives in :mod:`sotong.schedule`; this module only
decides which issues to publish, numbers them and orders an edition for
reading.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from sotong.dates import korean_date
from sotong.schedule import edition, issues_between, next_issue, previous_issue, window

if TYPE_CHECKING:
    from sotong.notices import Notice


@dataclass(frozen=True)
class Issue:
    """One issue date with its window (notices dated after ``previous`` and on
    or before ``day``) and its edition (the window's ``newsletter`` notices)."""

    day: dt.date
    number: int | None  # None before the newsletter's first issue
    previous: dt.date
    window: tuple[Notice, ...]
    edition: tuple[Notice, ...]

    @property
    def first_day(self) -> dt.date:
        """The first day whose notices this issue's window holds."""
        return self.previous + dt.timedelta(days=1)


@dataclass(frozen=True)
class FieldGroup:
    """The notices of one subscription field, as an edition shows them."""

    key: str
    label: str
    notices: tuple[Notice, ...]


def candidates_by_issue(notices: Iterable[Notice]) -> dict[dt.date, list[Notice]]:
    """The published notices by the one issue whose window their date falls in.

    A notice dated on day d can only be in the window of next_issue(d), so
    bucketing once replaces a scan of every notice for every issue; the window
    rule (expiry included) is still applied by :func:`sotong.schedule.window`.
    """
    buckets: dict[dt.date, list[Notice]] = defaultdict(list)
    for notice in notices:
        if notice.published:
            buckets[next_issue(notice.day)].append(notice)
    return buckets


def first_edition_day(buckets: dict[dt.date, list[Notice]]) -> dt.date | None:
    """The first issue whose edition has any notice, or None."""
    return next((day for day in sorted(buckets) if edition(buckets[day], day)), None)


def issue_number(day: dt.date, first_issue: dt.date | None, first_number: int) -> int | None:
    """Issues are numbered by the calendar from ``first_issue`` (numbered
    ``first_number``): an issue date whose edition was empty keeps its number,
    so numbers never change when notices are added later."""
    if first_issue is None or day < first_issue:
        return None
    return first_number + sum(1 for _ in issues_between(first_issue, day)) - 1


def plan_issues(
    notices: Iterable[Notice],
    first: dt.date,
    last: dt.date,
    *,
    first_issue: dt.date | None = None,
    first_number: int = 1,
) -> list[Issue]:
    """Every issue date from ``first`` to ``last`` (inclusive), oldest first,
    empty ones included. Numbering starts at ``first_issue``, or by default
    at the first issue whose edition has any notice."""
    buckets = candidates_by_issue(notices)
    base = first_issue or first_edition_day(buckets)
    return [
        Issue(
            day=day,
            number=issue_number(day, base, first_number),
            previous=previous_issue(day),
            window=tuple(window(buckets.get(day, ()), day)),
            edition=tuple(edition(buckets.get(day, ()), day)),
        )
        for day in issues_between(first, last)
    ]


def archived_issues(
    notices: Iterable[Notice],
    today: dt.date,
    *,
    first_issue: dt.date | None = None,
    first_number: int = 1,
) -> list[Issue]:
    """Every issue the archive lists (SPEC §5), oldest first: from the first
    issue with a non-empty edition (not before ``first_issue``) up to the
    last whose day has come (SPEC §2), empty editions included, so that a
    number the calendar skipped is said rather than missing."""
    notices = list(notices)
    start = first_edition_day(candidates_by_issue(notices))
    if start is None:
        return []
    if first_issue is not None:
        start = max(start, first_issue)
    return plan_issues(notices, start, today, first_issue=first_issue, first_number=first_number)


def published_issues(
    notices: Iterable[Notice],
    today: dt.date,
    *,
    first_issue: dt.date | None = None,
    first_number: int = 1,
) -> list[Issue]:
    """The issues that have a page: the archived ones whose edition holds a notice."""
    archived = archived_issues(notices, today, first_issue=first_issue, first_number=first_number)
    return [issue for issue in archived if issue.edition]


def group_by_field(notices: Iterable[Notice], field_labels: dict[str, str]) -> list[FieldGroup]:
    """An edition's notices grouped by field: fields holding an urgent notice
    first, then in the order of audiences.yaml; inside a group the order of
    the edition (urgent first, newest first) is kept."""
    grouped: dict[str, list[Notice]] = defaultdict(list)
    for notice in notices:
        grouped[notice.category].append(notice)
    order = {key: index for index, key in enumerate(field_labels)}
    keys = sorted(grouped, key=lambda k: (not any(n.urgent for n in grouped[k]), order.get(k, len(order)), k))
    return [FieldGroup(key, field_labels.get(key, key), tuple(grouped[key])) for key in keys]


def issue_url(day: dt.date) -> str:
    """The address of the edition of ``day`` on the site."""
    return f"newsletter/{day.isoformat()}/"


def issue_title(newsletter_title: str, issue: Issue) -> str:
    """``성동구 소통 소식지 2026년 11월 26일 (제12호)``."""
    number = f" (제{issue.number}호)" if issue.number is not None else ""
    return f"{newsletter_title} {korean_date(issue.day)}{number}"
