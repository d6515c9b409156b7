"""Who a survey invites and how its tokens read (pure functions)."""

from __future__ import annotations

from sotong.audiences import Profile, matches_any
from sotong.tokens import make_token, read_token

from .schema import DEFAULT_FIELD, Survey

PURPOSE = "survey"


def is_invited(survey: Survey, profile: Profile, issue_year: int) -> bool:
    """Subscribed and in one of the survey's audiences; without audiences, a
    consenter of the field ``survey``."""
    if not profile.subscribed:
        return False
    if survey.audiences:
        return matches_any(profile, survey.audiences, issue_year)
    return DEFAULT_FIELD in profile.fields


def survey_token(slug: str, subscriber_id: str) -> str:
    return make_token(PURPOSE, f"{slug}:{subscriber_id}")


def subscriber_of_token(slug: str, token: str) -> str | None:
    """The subscriber a genuine token of this survey names, else None."""
    payload = read_token(PURPOSE, token)
    if payload is None or not payload.startswith(slug + ":"):
        return None
    return payload[len(slug) + 1:] or None
