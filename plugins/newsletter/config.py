"""The ``NEWSLETTER`` settings dict: its defaults and its validation, with a
``pelicanconf.py:LINE: ...`` problem for every mistake."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sotong.i18n import _
from sotong.problems import Problem
from sotong.schedule import is_issue_date, next_issue
from sotong.settings import SettingsProblems, settings_check, text, validated, whole_number

CHECKS = {"title": text(), "first_number": whole_number(1), "subscribe_url": lambda url: None if isinstance(url, str) else _("text")}
EXAMPLE = 'NEWSLETTER = {"title": "성동구 소통 소식지", "first_issue": "2026-09-10", "first_number": 1, "subscribe_url": "subscribe/"}'


@dataclass(frozen=True)
class NewsletterSettings:
    title: str  # heads every edition: "성동구 소통 소식지 2026년 11월 26일 (제N호)"
    first_issue: dt.date | None  # the issue numbered first_number; None: the first with notices
    first_number: int
    subscribe_url: str  # site-relative address of the page that says how to subscribe


def newsletter_settings(settings: dict) -> NewsletterSettings:
    """The validated NEWSLETTER settings; SotongError listing every problem."""
    return validated(read_newsletter_settings, settings)


def read_newsletter_settings(settings: dict) -> tuple[NewsletterSettings | None, list[Problem]]:
    found = SettingsProblems(settings)
    defaults = {"title": f"{settings.get('SITENAME', '')} 소식지".strip(), "first_issue": None, "first_number": 1,
                "subscribe_url": "subscribe/"}
    values = found.plugin_values("NEWSLETTER", defaults, CHECKS, EXAMPLE)
    if values is None:
        return None, found.problems
    first_issue = values["first_issue"]
    if first_issue is not None:
        try:
            first_issue = first_issue if isinstance(first_issue, dt.date) else dt.date.fromisoformat(str(first_issue))
        except ValueError:
            found.add("NEWSLETTER", _('"first_issue" "{first_issue}" is not a date; write it as "YYYY-MM-DD", e.g. "first_issue": "2026-09-10"').format(
                first_issue=first_issue))
            first_issue = None
        else:
            if not is_issue_date(first_issue):
                found.add("NEWSLETTER", _('"first_issue" {first_issue} is not an issue date (2nd or 4th Thursday); the nearest one after it is "{next_issue}"').format(
                    first_issue=first_issue, next_issue=next_issue(first_issue)))

    if found.problems:
        return None, found.problems
    return NewsletterSettings(values["title"].strip(), first_issue, values["first_number"], values["subscribe_url"].lstrip("/")), []


check_settings = settings_check(read_newsletter_settings)  # the sotong.signals.content_check receiver

