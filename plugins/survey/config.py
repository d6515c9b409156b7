"""The survey plugin's settings, validated at start with ``FILE:LINE`` problems:

- ``SURVEY_ENDPOINT``: where forms send answers (the collector); default ``COLLECTOR_URL``.
- ``SURVEY = {"text_max_chars": 2000}``: the longest free-text answer taken.
- ``SURVEY_MIN_ANSWERS`` (default 5): the fewest answers whose results are
  published (fewer could tell who answered what).
"""

from __future__ import annotations

from dataclasses import dataclass

from sotong.i18n import _
from sotong.problems import Problem
from sotong.settings import DEFAULTS as SHARED_DEFAULTS, SettingsProblems, validated, whole_number

DEFAULTS = {"text_max_chars": 2000}
CHECKS = {"text_max_chars": whole_number(1, 20_000, _("the longest free-text answer taken, in characters"))}
MIN_ANSWERS_DEFAULT = 5
TOP_LEVEL_CHECKS = {"SURVEY_MIN_ANSWERS": whole_number(1, None, _("the fewest answers whose results are published"))}
EXAMPLE = 'SURVEY = {"text_max_chars": 2000}'


@dataclass(frozen=True)
class SurveySettings:
    endpoint: str  # no trailing slash
    text_max_chars: int
    min_answers: int = MIN_ANSWERS_DEFAULT


def read_survey_settings(settings: dict) -> tuple[SurveySettings | None, list[Problem]]:
    found = SettingsProblems(settings)
    values = found.plugin_values("SURVEY", DEFAULTS, CHECKS, EXAMPLE)
    min_answers = found.values({"SURVEY_MIN_ANSWERS": MIN_ANSWERS_DEFAULT}, TOP_LEVEL_CHECKS)["SURVEY_MIN_ANSWERS"]
    endpoint = settings.get("SURVEY_ENDPOINT") or settings.get("COLLECTOR_URL") or SHARED_DEFAULTS["COLLECTOR_URL"]
    if not isinstance(endpoint, str) or not endpoint.startswith(("http://", "https://", "/")):
        found.add("SURVEY_ENDPOINT", _("is {endpoint!r}; write the collector's address, e.g. SURVEY_ENDPOINT = \"https://sotong.sd.go.kr\"").format(
            endpoint=endpoint))
    if found.problems:
        return None, found.problems
    return SurveySettings(endpoint=endpoint.rstrip("/"), text_max_chars=values["text_max_chars"], min_answers=min_answers), []


def survey_settings(settings: dict) -> SurveySettings:
    """The validated settings; SettingsError listing every problem."""
    return validated(read_survey_settings, settings)
