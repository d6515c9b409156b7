"""The ``HOMEPAGE`` settings dict: its defaults and its checks, read with
:func:`sotong.settings.plugin_settings`."""

from __future__ import annotations

from sotong.i18n import _
from sotong.problems import Problem
from sotong.settings import SettingsProblems, plugin_settings, whole_number

DEFAULTS = {"section_size": 10}
SECTION_SIZE_MAX = 100
CHECKS = {"section_size": whole_number(1, SECTION_SIZE_MAX, _("how many notices the homepage section shows"))}
EXAMPLE = 'HOMEPAGE = {"section_size": 10}'


def settings_problems(settings: dict) -> list[Problem]:
    """The problems of ``settings["HOMEPAGE"]``, located in the settings file."""
    found = SettingsProblems(settings)
    found.plugin_values("HOMEPAGE", DEFAULTS, CHECKS, EXAMPLE)
    return found.problems


def option_problems(value) -> list[str]:
    """What is wrong with a HOMEPAGE value, one message each ([] when fine)."""
    return [problem.message for problem in settings_problems({"HOMEPAGE": value})]


def homepage_options(settings: dict) -> dict:
    """HOMEPAGE with its defaults filled in; SettingsError when it is wrong."""
    return plugin_settings(settings, "HOMEPAGE", DEFAULTS, CHECKS, EXAMPLE)
