"""Warnings for staff on surveys that pass ``sotong check`` (the
``sotong.signals.content_warnings`` receiver): a survey not yet closed
whose days hold no issue day. Its invitations, the only links that take an
answer, travel only in issue emails (:mod:`.invitations`), so nobody would
be invited and nobody could answer: a committee's consultation open from a
Monday to the Sunday between two issues reached none of its members."""

from __future__ import annotations

from sotong.i18n import _
from sotong.schedule import issues_between, next_issue


def survey_warnings(project) -> list[str]:
    """``FILE:LINE: warning: ...`` at ``closes`` for each survey that has
    not closed and whose days, ``opens`` to ``closes``, hold no issue day."""
    today = project.today()
    found = []
    for survey in project.content.part("surveys").values():
        if survey.closes < today or next(issues_between(survey.opens, survey.closes), None) is not None:
            continue
        found.append(f"{survey.source}:{survey.lines.get('closes', 1)}: " + _(
            "warning: no issue goes out from opens ({opens}) to closes ({closes}), and a survey's invitations, the only "
            "links that take an answer, go only in issue emails: nobody would be invited and nobody could answer; "
            "write closes: {issue} (the next issue's day) or later").format(
            opens=survey.opens, closes=survey.closes, issue=next_issue(survey.closes)))
    return found
