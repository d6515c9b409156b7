"""The ``sotong newsletter`` commands: ``next`` (the next issue date) and
``list`` (issues with their windows, for staff preparing an edition)."""

from __future__ import annotations

import datetime as dt

import click

from sotong.cli import settings_option
from sotong.i18n import _
from sotong.options import DAY, OneLineUsageError, refuse_reversed_days
from sotong.project import Project
from sotong.schedule import YEARS, next_issue, previous_issue

from .config import newsletter_settings
from .issues import candidates_by_issue, first_edition_day, plan_issues


@click.group("newsletter", help=_("The bi-weekly newsletter (2nd and 4th Thursdays): issue dates and windows."))
def newsletter():
    pass


@newsletter.command("next", help=_("Print the first issue date on or after a day, as YYYY-MM-DD."))
@click.option("--after", type=DAY, default=None, help=_("Day to start from (default: today in Seoul)."))
@settings_option
def next_command(project: Project, after: dt.date | None):
    day = after or project.today()
    issue = next_issue(day)
    if issue.year not in YEARS:  # a day every other command refuses
        raise OneLineUsageError(_("no issue comes on or after {day} within the schedule's years ({first}-{last}); "
                                  "the last is {issue}").format(day=day, first=YEARS[0], last=YEARS[-1],
                                                                 issue=previous_issue(issue)))
    click.echo(issue.isoformat())


@newsletter.command("list", help=_("List issue dates with their notice counts and windows."))
@click.option("--from", "first", type=DAY, default=None, help=_("First day (default: the first issue with notices)."))
@click.option("--to", "last", type=DAY, default=None, help=_("Last day (default: the issue being prepared)."))
@settings_option
def list_command(project: Project, first: dt.date | None, last: dt.date | None):
    config = newsletter_settings(project.settings)
    notices = project.published_notices
    upcoming = next_issue(project.today())
    last = last or upcoming
    first = first or first_edition_day(candidates_by_issue(notices)) or upcoming
    refuse_reversed_days(first, last)
    issues = plan_issues(notices, first, last, first_issue=config.first_issue, first_number=config.first_number)
    if not issues:
        click.echo(_("No issue date between {first} and {last}.").format(first=first, last=last))
        return
    click.echo(_("issue       number  edition  window  notices dated"))  # the columns of the lines below
    for issue in issues:
        number = f"제{issue.number}호" if issue.number is not None else "-"
        dated = f"{issue.first_day} ~ {issue.day}"
        notes = []
        if issue.day == upcoming:
            notes.append(_("being prepared"))
        if not issue.edition:
            notes.append(_("empty edition: not published"))
        note = f"  ({'; '.join(notes)})" if notes else ""
        click.echo(f"{issue.day}  {number:>6}  {len(issue.edition):>7}  {len(issue.window):>6}  {dated}{note}")
