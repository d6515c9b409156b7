"""The ``HOMEPAGE`` settings dict: its defaults and its validation, with
errors that point at the settings file line that sets it."""

from __future__ import annotations

from pathlib import Path

from sotong.problems import Problem, SotongError, did_you_mean
from sotong.settings import setting_line

DEFAULTS = {"SECTION_SIZE": 10}
SECTION_SIZE_MAX = 100
EXAMPLE = 'HOMEPAGE = {"SECTION_SIZE": 10}'


def option_problems(value) -> list[str]:
    """What is wrong with a HOMEPAGE value, one message each ([] when fine)."""
    if value is None:
        return []
    if not isinstance(value, dict):
        return [f"HOMEPAGE must be a dict; write it as {EXAMPLE}"]
    messages = [
        f'HOMEPAGE has an unknown key "{key}"{did_you_mean(str(key), DEFAULTS)}; allowed: {", ".join(DEFAULTS)}'
        for key in value if key not in DEFAULTS
    ]
    size = value.get("SECTION_SIZE", DEFAULTS["SECTION_SIZE"])
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= SECTION_SIZE_MAX:
        messages.append(
            f'HOMEPAGE["SECTION_SIZE"] is {size!r}; write how many notices the homepage section shows, '
            f"a whole number from 1 to {SECTION_SIZE_MAX}, e.g. {EXAMPLE}"
        )
    return messages


def settings_problems(settings: dict) -> list[Problem]:
    """The problems of ``settings["HOMEPAGE"]``, located in the settings file."""
    messages = option_problems(settings.get("HOMEPAGE"))
    if not messages:
        return []
    shown, line = _where_set(settings)
    return [Problem(shown, line, message) for message in messages]


def homepage_options(settings: dict) -> dict:
    """HOMEPAGE with its defaults filled in; SotongError when it is wrong."""
    problems = settings_problems(settings)
    if problems:
        raise SotongError(problems)
    return {**DEFAULTS, **(settings.get("HOMEPAGE") or {})}


def _where_set(settings: dict) -> tuple[str, int]:
    """The settings file's name and the line that sets HOMEPAGE in it."""
    path = settings.get("SOTONG_SETTINGS_FILE")
    return (Path(path).name if path else "settings"), setting_line(settings, "HOMEPAGE")
