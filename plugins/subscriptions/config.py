"""``sotong check`` of the plugin's setting: SUBSCRIBE_RATE."""

from __future__ import annotations

from sotong.i18n import _
from sotong.problems import Problem

from .rules import parse_rate


def check_settings(project):
    rate = project.settings.get("SUBSCRIBE_RATE")
    if rate is None or parse_rate(rate):
        return []
    return [Problem(project.shown(project.settings_path), 1,
                    _('SUBSCRIBE_RATE "{rate}" is not a rate; write requests per period, e.g. SUBSCRIBE_RATE = "10/hour" (second, minute, hour or day)').format(
                        rate=rate))]
