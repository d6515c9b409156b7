"""The ``MINWON24`` settings dict: its defaults and its validation, with a
``pelicanconf.py:LINE: ...`` problem for every mistake."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sotong.problems import Problem, SotongError, did_you_mean
from sotong.settings import setting_line

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
    raw = settings.get("MINWON24")
    raw = {} if raw is None else raw
    shown = Path(settings.get("SOTONG_SETTINGS_FILE") or "pelicanconf.py").name
    line = setting_line(settings, "MINWON24")
    problems: list[Problem] = []

    def problem(message: str) -> None:
        problems.append(Problem(shown, line, f"MINWON24: {message}"))

    if not isinstance(raw, dict):
        problem(f"must be a dict, e.g. {EXAMPLE}")
        return None, problems
    for key in raw:
        if key not in KEYS:
            problem(f'unknown key "{key}"{did_you_mean(str(key), KEYS)}; allowed: {", ".join(KEYS)}')
    folder = raw.get("path", "banners")
    if not isinstance(folder, str) or not folder.strip() or Path(folder).is_absolute() or ".." in Path(folder).parts:
        problem(f'"path" is the banners\' folder under content/, as text, e.g. {EXAMPLE}')
    if problems:
        return None, problems
    return Minwon24Settings(Path(settings["PATH"]) / folder.strip()), []
