"""The survey plugin's settings, validated at start with ``FILE:LINE`` problems:

- ``SURVEY_ENDPOINT``: where forms send answers (the collector); default ``COLLECTOR_URL``.
- ``SURVEY = {"text_max_chars": 2000}``: the longest free-text answer taken.
- ``SURVEY_MIN_ANSWERS`` (default 5): the fewest answers whose results are
  published (fewer could tell who answered what).
"""

from __future__ import annotations

from dataclasses import dataclass

from sotong.problems import Problem, SotongError
from sotong.settings import SettingsProblems

DEFAULTS = {"text_max_chars": 2000}
MIN_ANSWERS_DEFAULT = 5
EXAMPLE = 'SURVEY = {"text_max_chars": 2000}'


@dataclass(frozen=True)
class SurveySettings:
    endpoint: str  # no trailing slash
    text_max_chars: int
    min_answers: int = MIN_ANSWERS_DEFAULT


def read_survey_settings(settings: dict) -> tuple[SurveySettings | None, list[Problem]]:
    found = SettingsProblems(settings)
    raw = found.plugin_dict("SURVEY", DEFAULTS, EXAMPLE) or {}
    most = raw.get("text_max_chars", DEFAULTS["text_max_chars"])
    if isinstance(most, bool) or not isinstance(most, int) or not 1 <= most <= 20_000:
        found.add("SURVEY", f'"text_max_chars" must be a whole number from 1 to 20000, e.g. {EXAMPLE}')
    endpoint = settings.get("SURVEY_ENDPOINT") or settings.get("COLLECTOR_URL") or "http://127.0.0.1:8080"
    if not isinstance(endpoint, str) or not endpoint.startswith(("http://", "https://", "/")):
        found.add("SURVEY_ENDPOINT", 'must be the collector\'s address, e.g. SURVEY_ENDPOINT = "https://sotong.sd.go.kr"')
    min_answers = settings.get("SURVEY_MIN_ANSWERS", MIN_ANSWERS_DEFAULT)
    if isinstance(min_answers, bool) or not isinstance(min_answers, int) or min_answers < 1:
        found.add("SURVEY_MIN_ANSWERS", f"is {min_answers!r}; write the fewest answers whose results are published, "
                                        f"a whole number of 1 or more, e.g. SURVEY_MIN_ANSWERS = {MIN_ANSWERS_DEFAULT}")
    if found.problems:
        return None, found.problems
    return SurveySettings(endpoint=endpoint.rstrip("/"), text_max_chars=most, min_answers=min_answers), []


def survey_settings(settings: dict) -> SurveySettings:
    config, problems = read_survey_settings(settings)
    if problems:
        raise SotongError(problems)
    return config
