"""check's rule for the slug of a notice that may go out on its own
(``sotong bundles --notice SLUG``): its outbox, ``private/outbox/SLUG/``, and
its journal records are keyed by the slug, as an issue's are by its day, so a
slug that is a day (``2026-12-10``) would be that issue's: the one-off bundle
would replace the issue's messages, and ``sotong send`` would take the
issue's sent messages for its own and send the notice to no one."""

from __future__ import annotations

from sotong.dates import ISO_DAY
from sotong.i18n import _
from sotong.problems import Problem


def date_slug_problem(project, notice) -> Problem | None:
    """The problem of ``notice`` (one with email or sms) when its slug is a day."""
    if not (ISO_DAY.fullmatch(notice.slug) and (notice.has("email") or notice.has("sms"))):
        return None
    return Problem(project.shown(notice.source), notice.lines.get("slug", 1), _(
        "the notice's address {slug} is a day, which names the outbox and the records of that day's issue, so sending it "
        "on its own would replace the issue's messages and send it to no one; add a line such as  slug: {slug}-notice  "
        "(or give the file a name with words after the day, e.g. {slug}-water-outage.md)").format(slug=notice.slug))


def date_slug_problems(project) -> list[Problem]:
    """The ``sotong.signals.content_check`` receiver: :func:`date_slug_problem` of every notice."""
    return [problem for notice in project.read_notices()[0] if (problem := date_slug_problem(project, notice))]
