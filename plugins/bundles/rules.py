"""Which notices a reader's email and SMS hold (SPEC §6), and how many
notice blocks fit in an email before Gmail would clip it.

Pure functions: a profile and the bundle's notices in, notices out.
"""

from __future__ import annotations

from bisect import bisect_right
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


def reader_matches(profile: Profile, notice: Notice, issue_year: int) -> bool:
    """SPEC §6: subscribed, consented to the category, in one of the audiences
    (segments named in audiences.yaml or inline)."""
    return matches_notice(profile, notice.category, notice.audiences, issue_year)


def select(profile: Profile, notices: Sequence[Notice], audiences: Audiences, issue_year: int,
           with_edition: bool = True) -> Selection:
    """The notices for ``profile`` among the bundle's ``notices`` (in their order).

    ``with_edition``: an issue bundle, whose edition_field consenters also get
    the window's ``newsletter`` notices; a one-off bundle has no edition.
    """
    matching = [n for n in notices if reader_matches(profile, n, issue_year)]
    for_you = tuple(n for n in matching if n.has("email"))
    edition = ()
    if with_edition and profile.subscribed and audiences.edition_field in profile.fields:
        chosen = {n.slug for n in for_you}
        edition = tuple(n for n in notices if n.has("newsletter") and n.slug not in chosen)
    return Selection(for_you=for_you, edition=edition, sms=tuple(n for n in matching if n.has("sms")))


ATTRIBUTES = ("gender", "dong", "kind", "business_type")


@dataclass(frozen=True)
class Relevance:
    """What of a reader the rules of one bundle look at.

    Few readers share a whole profile (birth year, dong and eleven consents
    make tens of thousands of kinds), but the segments of one bundle look at a
    few attributes only: readers with the same :meth:`key` get the same notices.
    """

    fields: frozenset  # consents that matter: the notices' categories, the segments' fields, the edition field
    birth_year_cuts: tuple | None  # where a segment's age or birth_years bound falls; None: not looked at
    # for each of ATTRIBUTES that a segment looks at: value -> the value that
    # stands for every value in the same segments' lists (a value in none of
    # them fails those segments as a missing one does: None)
    values: dict
    groups: frozenset = frozenset()  # the groups the bundle's segments name (SPEC §16)

    def key(self, reader) -> tuple:
        """What the rules see of ``reader`` (a Profile or a Subscriber)."""
        birth_year = None
        if self.birth_year_cuts is not None and reader.birth_year is not None:
            cuts = self.birth_year_cuts
            index = bisect_right(cuts, reader.birth_year)
            # the first year of the stretch between two cuts stands for all of it
            birth_year = cuts[index - 1] if index else (cuts[0] - 1 if cuts else 0)
        return (reader.subscribed, birth_year, reader.fields & self.fields, reader.groups & self.groups,
                *(self.values[name].get(getattr(reader, name)) if name in self.values else None for name in ATTRIBUTES))

    def profile(self, key: tuple) -> Profile:
        """A profile that the rules treat as every reader with this key."""
        subscribed, birth_year, fields, groups, *attributes = key
        return Profile(birth_year=birth_year, fields=fields, subscribed=subscribed, groups=groups,
                       **dict(zip(ATTRIBUTES, attributes)))


def relevance(notices: Sequence[Notice], audiences: Audiences, issue_year: int, with_edition: bool = True) -> Relevance:
    """What the rules of a bundle of ``notices`` look at."""
    segments = dict.fromkeys(segment for n in notices for segment in n.audiences)
    fields = {n.category for n in notices} | {f for s in segments for f in (s.fields or ())}
    if with_edition and audiences.edition_field:
        fields.add(audiences.edition_field)
    cuts: set[int] = set()
    looks_at_birth_year = False
    for segment in segments:
        if segment.age is not None:  # age in [low, high] is birth year in [year - high, year - low]
            looks_at_birth_year = True
            low, high = segment.age
            if high is not None:
                cuts.add(issue_year - high)
            if low is not None:
                cuts.add(issue_year - low + 1)
        if segment.birth_years is not None:
            looks_at_birth_year = True
            first, last = segment.birth_years
            if first is not None:
                cuts.add(first)
            if last is not None:
                cuts.add(last + 1)
    values = {}
    for name in ATTRIBUTES:
        lists = [allowed for allowed in (getattr(s, name + "s") for s in segments) if allowed is not None]
        if lists:
            membership = {value: tuple(value in allowed for allowed in lists) for value in set().union(*lists)}
            standing_for = {}
            for value in sorted(membership):
                standing_for.setdefault(membership[value], value)
            values[name] = {value: standing_for[membership[value]] for value in membership}
    groups = frozenset(g for s in segments for g in (s.groups or ()))
    return Relevance(frozenset(fields), tuple(sorted(cuts)) if looks_at_birth_year else None, values, groups)


def blocks_that_fit(count: int, size_keeping: Callable[[int], int], limit: int) -> int:
    """The largest k <= count whose message size, with the first k notices in
    full and the rest as links, is within ``limit`` (0 when none fits).

    ``size_keeping(k)`` grows with k: a full block is larger than its link.
    """
    return next((k for k in range(count, 0, -1) if size_keeping(k) <= limit), 0)


def sms_notices(notices: tuple, policy: str, gets_email: bool) -> tuple:
    """SPEC §6 SMS_POLICY: the reader's SMS notices (``notices``, those of
    :func:`select`). Under ``email-first`` a reader who also gets this bundle
    by email gets an SMS only for its urgent notices; under ``all`` every one."""
    if policy == "email-first" and gets_email:
        return tuple(n for n in notices if n.urgent)
    return notices
