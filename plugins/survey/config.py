"""The survey plugin's settings, validated at start with ``FILE:LINE`` problems:

- ``SURVEY_ENDPOINT``: where forms send answers (the collector); default ``COLLECTOR_URL``.
- ``SURVEY = {"text_max_chars": 2000}``: the longest free-text answer taken.
"""

from __future__ import annotations

from dataclasses import dataclass

from sotong.problems import Problem, SotongError
from sotong.settings import SettingsProblems

DEFAULTS = {"text_max_chars": 2000}
EXAMPLE = 'SURVEY = {"text_max_chars": 2000}'


@dataclass(frozen=True)
class SurveySettings:
    endpoint: str  # no trailing slash
    text_max_chars: int


def read_survey_settings(settings: dict) -> tuple[SurveySettings | None, list[Problem]]:
    found = SettingsProblems(settings)
    raw = found.plugin_dict("SURVEY", DEFAULTS, EXAMPLE) or {}
    most = raw.get("text_max_chars", DEFAULTS["text_max_chars"])
    if isinstance(most, bool) or not isinstance(most, int) or not 1 <= most <= 20_000:
        found.add("SURVEY", f'"text_max_chars" must be a whole number from 1 to 20000, e.g. {EXAMPLE}')
    endpoint = settings.get("SURVEY_ENDPOINT") or settings.get("COLLECTOR_URL") or "http://127.0.0.1:8080"
    if not isinstance(endpoint, str) or not endpoint.startswith(("http://", "https://", "/")):
        found.add("SURVEY_ENDPOINT", 'must be the collector\'s address, e.g. SURVEY_ENDPOINT = "https://sotong.sd.go.kr"')
    if found.problems:
        return None, found.problems
    return SurveySettings(endpoint=endpoint.rstrip("/"), text_max_chars=most), []


def survey_settings(settings: dict) -> SurveySettings:
    config, problems = read_survey_settings(settings)
    if problems:
        raise SotongError(problems)
    return config
