"""``sotong check`` of the plugin's setting: SUBSCRIBE_RATE."""

from __future__ import annotations

from sotong.i18n import _
from sotong.problems import Problem
from sotong.settings import SettingsProblems

from .rules import DEFAULT_RATE, parse_rate


def check_settings(project) -> list[Problem]:
    found = SettingsProblems(project.settings)
    found.values({"SUBSCRIBE_RATE": DEFAULT_RATE}, {"SUBSCRIBE_RATE": _rate})
    return found.problems


def _rate(rate) -> str | None:
    return None if parse_rate(rate) else _("requests per period (second, minute, hour or day)")
