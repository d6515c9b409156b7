"""Which notices a reader's email and SMS hold (SPEC §6), and how many
notice blocks fit in an email before Gmail would clip it.

Pure functions: a profile and the bundle's notices in, notices out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from sotong.audiences import Audiences, Profile, matches_notice
from sotong.notices import Notice


@dataclass(frozen=True)
class Selection:
    """The notices of one reader's messages, in message order."""

    for_you: tuple = ()  # email notices that match the reader
    edition: tuple = ()  # the rest of the edition, for edition_field consenters
    sms: tuple = ()  # sms notices that match the reader

    @property
    def email(self) -> tuple:
        return self.for_you + self.edition


def reader_matches(profile: Profile, notice: Notice, audiences: Audiences, issue_year: int) -> bool:
    """SPEC §6: subscribed, consented to the category, in one of the audiences."""
    segments = [audiences.segments[name] for name in notice.audiences]
    return matches_notice(profile, notice.category, segments, issue_year)


def select(profile: Profile, notices: Sequence[Notice], audiences: Audiences, issue_year: int,
           with_edition: bool = True) -> Selection:
    """The notices for ``profile`` among the bundle's ``notices`` (in their order).

    ``with_edition``: an issue bundle, whose edition_field consenters also get
    the window's ``newsletter`` notices; a one-off bundle has no edition.
    """
    matching = [n for n in notices if reader_matches(profile, n, audiences, issue_year)]
    for_you = tuple(n for n in matching if n.has("email"))
    edition = ()
    if with_edition and profile.subscribed and audiences.edition_field in profile.fields:
        edition = tuple(n for n in notices if n.has("newsletter") and n not in for_you)
    return Selection(for_you=for_you, edition=edition, sms=tuple(n for n in matching if n.has("sms")))


def blocks_that_fit(count: int, size_keeping: Callable[[int], int], limit: int) -> int:
    """The largest k <= count whose message size, with the first k notices in
    full and the rest as links, is within ``limit`` (0 when none fits).

    ``size_keeping(k)`` grows with k: a full block is larger than its link.
    """
    return next((k for k in range(count, 0, -1) if size_keeping(k) <= limit), 0)
