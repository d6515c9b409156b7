"""``sotong check`` of the plugin's settings: SUBSCRIBE_RATE and SMS_CODES_BY."""

from __future__ import annotations

from sotong.i18n import _
from sotong.problems import Problem
from sotong.settings import SettingsProblems

from .rules import DEFAULT_RATE, SMS_CODES_BY, parse_rate


def check_settings(project) -> list[Problem]:
    found = SettingsProblems(project.settings)
    found.values({"SUBSCRIBE_RATE": DEFAULT_RATE, "SMS_CODES_BY": SMS_CODES_BY[0]},
                 {"SUBSCRIBE_RATE": _rate, "SMS_CODES_BY": _codes_by})
    return found.problems


def _rate(rate) -> str | None:
    return None if parse_rate(rate) else _("requests per period (second, minute, hour or day)")


def _codes_by(by) -> str | None:
    return None if by in SMS_CODES_BY else _(
        '"collectors" (each collector hands the phone codes to the SMS transport) or "command" (only sotong subscribers codes does)')
