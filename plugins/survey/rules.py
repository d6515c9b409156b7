"""Who a survey invites and how its tokens read (pure functions)."""

from __future__ import annotations

from typing import AbstractSet

from sotong.audiences import Profile, matches_any
from sotong.tokens import make_token, read_token, reading_keys

from .schema import DEFAULT_FIELD, Survey

PURPOSE = "survey"
TRIAL_PURPOSE = "survey-trial"  # a test copy's or a preview's link: never read as a reader's


def is_invited(survey: Survey, profile: Profile, issue_year: int) -> bool:
    """Subscribed and in one of the survey's audiences; without audiences, a
    consenter of the field ``survey``."""
    if not profile.subscribed:
        return False
    if survey.audiences:
        return matches_any(profile, survey.audiences, issue_year)
    return DEFAULT_FIELD in profile.fields


def survey_token(slug: str, subscriber_id: str, key: bytes | None = None) -> str:
    return make_token(PURPOSE, f"{slug}:{subscriber_id}", key)


def reader_tokens(slug: str, subscriber_id: str) -> list[str]:
    """The reader's tokens of survey ``slug`` under each key links are read
    with: the signing key's first, then SOTONG_PREVIOUS_SECRET's when set.
    Each is one reader's link, so one answer for all of them."""
    return [survey_token(slug, subscriber_id, key) for key in reading_keys()]


def trial_token(slug: str, subscriber_id: str) -> str:
    """The link token of a trial message (a staff member's test copy, a
    preview): signed like a reader's, for another purpose, so the collector
    shows the form marked as a test and records nothing."""
    return make_token(TRIAL_PURPOSE, f"{slug}:{subscriber_id}")


def is_trial_token(slug: str, token: str) -> bool:
    """Whether ``token`` is a genuine :func:`trial_token` of this survey."""
    payload = read_token(TRIAL_PURPOSE, token)
    return payload is not None and payload.startswith(slug + ":")


def bundle_response(invited: AbstractSet[str], reached: AbstractSet[str] | None,
                    answered: AbstractSet[str]) -> tuple[int, int]:
    """(invitations, answers) of one survey in one bundle: the readers
    ``invited`` in it whose email reached them (all of them when ``reached``
    is None), and those of these readers who have ``answered``, each once.
    Answers of readers invited only in other bundles are not this bundle's,
    so answers never exceed invitations."""
    delivered = invited if reached is None else invited & reached
    return len(delivered), len(delivered & answered)


def subscriber_of_token(slug: str, token: str) -> str | None:
    """The subscriber a genuine token of this survey names, else None."""
    payload = read_token(PURPOSE, token)
    if payload is None or not payload.startswith(slug + ":"):
        return None
    return payload[len(slug) + 1:] or None


def renamed_token(old: str, new: str, token: str) -> str | None:
    """For a genuine token of survey ``old`` (a reader's or a trial's), the
    same reader's token of survey ``new``, what ``old`` was renamed to (its
    invitations' links carry the old slug); None for any other token."""
    for purpose in (PURPOSE, TRIAL_PURPOSE):
        payload = read_token(purpose, token)
        if payload is not None and payload.startswith(old + ":") and payload[len(old) + 1:]:
            return make_token(purpose, f"{new}:{payload[len(old) + 1:]}")
    return None
