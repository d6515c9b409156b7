"""What ``sotong check`` verifies for this plugin: the HOMEPAGE settings.
(Short link codes cannot collide: sotong.links.short_codes gives each SMS
notice one of its own.)"""

from __future__ import annotations

from sotong.problems import Problem

from .config import settings_problems


def check_content(project) -> list[Problem]:
    """The ``sotong.signals.content_check`` receiver."""
    return settings_problems(project.settings)
