"""The notices changed since the last build that no coming issue will carry
(SPEC §6 windows), a warning at their ``date:`` line (``content_warnings``:
``sotong check``, ``sotong build``, every devserver build) and in ``sotong
preview``: a notice dated in the window of an issue whose outbox was
already bundled, or of an earlier one (a typo 2025 for 2026, a notice
written late), passed check silently and was never emailed. The last build
is ``sotong build``'s (Project.site_path), never the devserver's own.

Only what the outboxes say: without an issue outbox under OUTBOX_PATH, or
before any site was built (every notice is then "changed"), nothing is
said; a notice on no channel that goes out (only on the site), or expired
before its issue, is left alone.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sotong.build_state import BuiltNotices
from sotong.i18n import _
from sotong.project import Project
from sotong.schedule import next_issue

from .changed_reach import changed_notices

SENT_CHANNELS = ("email", "sms", "newsletter")


def bundled_issues(outbox: Path) -> set[dt.date]:
    """The issue days that have an outbox (a folder with its manifest) under ``outbox``."""
    try:
        names = [entry.name for entry in outbox.iterdir() if (entry / "manifest.jsonl").is_file()]
    except OSError:
        return set()
    days = set()
    for name in names:
        try:
            days.add(dt.date.fromisoformat(name))
        except ValueError:
            continue  # a one-off notice's outbox, named by its slug
    return days


def late_notice_warnings(project: Project) -> list[str]:
    """A ``PATH:LINE: warning`` for each changed notice whose issue is already bundled or earlier."""
    bundled = bundled_issues(Path(project.settings["OUTBOX_PATH"]))
    if not bundled:
        return []
    built = BuiltNotices(project.site_path)
    if not built:
        return []
    last = max(bundled)
    write = max(project.today(), last + dt.timedelta(days=1))
    warnings = []
    for notice in changed_notices(project, built):
        issue = next_issue(notice.day)
        if issue > last or notice.expired_on(issue) or not any(map(notice.has, SENT_CHANNELS)):
            continue
        where = f"{project.shown(notice.source)}:{notice.lines.get('date', 1)}: "
        warnings.append(where + _late_warning(project, notice.day, issue, last, write))
    return warnings


def _late_warning(project: Project, day: dt.date, issue: dt.date, last: dt.date, write: dt.date) -> str:
    outbox = project.shown(str(Path(project.settings["OUTBOX_PATH"]) / last.isoformat()))
    advice = _("no coming newsletter or email will carry it; to send it, write a later date in date: (after {last}, "
               "e.g. {write}); if it is only for the site, leave it").format(last=last, write=write)
    if issue == last:
        return _("warning: dated {day}, this notice belongs to the issue of {issue}, already bundled ({outbox}) and "
                 "perhaps sent; {advice}").format(day=day, issue=issue, outbox=outbox, advice=advice)
    return _("warning: dated {day}, this notice belongs to the issue of {issue}, which came before the issue of {last}, "
             "already bundled ({outbox}) and perhaps sent; {advice}").format(
                 day=day, issue=issue, last=last, outbox=outbox, advice=advice)
