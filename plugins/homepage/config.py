"""The ``HOMEPAGE`` settings dict: its defaults and its validation, with
errors that point at the settings file line that sets it."""

from __future__ import annotations

from sotong.problems import Problem, SotongError
from sotong.settings import SettingsProblems

DEFAULTS = {"SECTION_SIZE": 10}
SECTION_SIZE_MAX = 100
EXAMPLE = 'HOMEPAGE = {"SECTION_SIZE": 10}'


def settings_problems(settings: dict) -> list[Problem]:
    """The problems of ``settings["HOMEPAGE"]``, located in the settings file."""
    found = SettingsProblems(settings)
    value = found.plugin_dict("HOMEPAGE", DEFAULTS, EXAMPLE)
    if value is None:
        return found.problems
    size = value.get("SECTION_SIZE", DEFAULTS["SECTION_SIZE"])
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= SECTION_SIZE_MAX:
        found.add("HOMEPAGE", f'"SECTION_SIZE" is {size!r}; write how many notices the homepage section shows, '
                              f"a whole number from 1 to {SECTION_SIZE_MAX}, e.g. {EXAMPLE}")
    return found.problems


def option_problems(value) -> list[str]:
    """What is wrong with a HOMEPAGE value, one message each ([] when fine)."""
    return [problem.message for problem in settings_problems({"HOMEPAGE": value})]


def homepage_options(settings: dict) -> dict:
    """HOMEPAGE with its defaults filled in; SotongError when it is wrong."""
    problems = settings_problems(settings)
    if problems:
        raise SotongError(problems)
    return {**DEFAULTS, **(settings.get("HOMEPAGE") or {})}
