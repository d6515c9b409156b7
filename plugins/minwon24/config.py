"""The ``MINWON24`` settings dict: its defaults and its validation, with a
``pelicanconf.py:LINE: ...`` problem for every mistake."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sotong.i18n import _
from sotong.problems import Problem, SotongError
from sotong.settings import SettingsProblems

KEYS = ("path",)
EXAMPLE = 'MINWON24 = {"path": "banners"}'


@dataclass(frozen=True)
class Minwon24Settings:
    banners_path: Path  # the folder of SLUG.yaml files


def minwon24_settings(settings: dict) -> Minwon24Settings:
    """The validated settings; SotongError listing every problem."""
    config, problems = read_minwon24_settings(settings)
    if problems:
        raise SotongError(problems)
    return config


def read_minwon24_settings(settings: dict) -> tuple[Minwon24Settings | None, list[Problem]]:
    found = SettingsProblems(settings)
    raw = found.plugin_dict("MINWON24", KEYS, EXAMPLE)
    if raw is None:
        return None, found.problems
    folder = raw.get("path", "banners")
    if not isinstance(folder, str) or not folder.strip() or Path(folder).is_absolute() or ".." in Path(folder).parts:
        found.add("MINWON24", _("\"path\" is the banners' folder under content/, as text, e.g. {example}").format(
            example=EXAMPLE))
    if found.problems:
        return None, found.problems
    return Minwon24Settings(Path(settings["PATH"]) / folder.strip()), []
