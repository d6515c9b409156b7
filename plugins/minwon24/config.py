"""The ``MINWON24`` settings dict: its defaults and its validation, with a
``pelicanconf.py:LINE: ...`` problem for every mistake."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sotong.i18n import _
from sotong.problems import Problem
from sotong.settings import SettingsProblems, settings_check, validated

DEFAULTS = {"path": "banners"}
EXAMPLE = 'MINWON24 = {"path": "banners"}'


@dataclass(frozen=True)
class Minwon24Settings:
    banners_path: Path  # the folder of SLUG.yaml files


def minwon24_settings(settings: dict) -> Minwon24Settings:
    """The validated settings; SotongError listing every problem."""
    return validated(read_minwon24_settings, settings)


def read_minwon24_settings(settings: dict) -> tuple[Minwon24Settings | None, list[Problem]]:
    found = SettingsProblems(settings)
    values = found.plugin_values("MINWON24", DEFAULTS, {"path": _folder_under_content}, EXAMPLE)
    if values is None or found.problems:
        return None, found.problems
    return Minwon24Settings(Path(settings["PATH"]) / values["path"].strip()), []


check_settings = settings_check(read_minwon24_settings)  # the sotong.signals.content_check receiver


def _folder_under_content(folder) -> str | None:
    if not isinstance(folder, str) or not folder.strip() or Path(folder).is_absolute() or ".." in Path(folder).parts:
        return _("the banners' folder under content/, as text")
    return None
