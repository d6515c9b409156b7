"""Warnings for staff on surveys that pass ``sotong check`` (the
``sotong.signals.content_warnings`` receiver): a survey not yet closed
whose days hold no issue day. Its invitations, the only links that take an
answer, travel only in issue emails (:mod:`.invitations`), so nobody would
be invited and nobody could answer: a committee's consultation open from a
Monday to the Sunday between two issues reached none of its members. And
a survey invited to whose file was since renamed or removed
(:mod:`.sent`): its invitations' links lead to the survey renamed, or to a
page that says it is no longer posted."""

from __future__ import annotations

from pathlib import Path

from sotong.i18n import _
from sotong.schedule import issues_between, next_issue

from .sent import moved_surveys


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


def moved_survey_warnings(project) -> list[str]:
    """``FILE:LINE: warning: ...`` for each survey invited to whose address
    no survey holds now: at the file it was renamed to, or at the file
    removed (the one to put back)."""
    found = []
    for slug, (entry, renamed) in moved_surveys(project.settings, project.content.part("surveys")).items():
        old = f"surveys/{slug}/"
        if renamed is not None:
            found.append(f"{renamed.source}:1: " + _(
                "warning: invitations to this survey went out on {day} with the address {old}; its file was renamed "
                "from {file}, and its address comes from the file name, so it is now {new}. The old address and the "
                "invitations' links lead to it, but answers given before the rename are not counted in its results; "
                "rename the file back to {file} to keep them").format(
                    day=entry.day, old=old, file=Path(entry.source).name, new=f"surveys/{renamed.slug}/"))
        elif entry.source:
            found.append(f"{project.shown(Path(project.settings['PATH']) / entry.source)}:1: " + _(
                "warning: invitations to this survey went out on {day} with the address {old}, and its file is gone: "
                "their links now lead to a page that says the survey is no longer posted and takes no answer; put "
                "the file back (from the last backup) to keep the survey").format(day=entry.day, old=old))
    return found
