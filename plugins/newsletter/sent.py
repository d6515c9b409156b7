"""The editions whose page was in an issue's emails (the ledger of pages
bundles linked to, sotong.code_ledger.SENT_PAGES_FILE, which ``sotong
bundles`` writes), and the warning (``content_warnings``: ``sotong check``,
``sotong build``, the devserver) at an edition sent of which no notice is
posted now (each made a draft or removed): the build still writes its page
(:mod:`.edition`), which says so, but its readers find there none of what
the email told them of."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sotong.code_ledger import SENT_NOTICES_FILE, SENT_PAGES_FILE, TextedCode, read_ledger
from sotong.i18n import _
from sotong.schedule import edition, issues_between, previous_issue

from .issues import issue_url


def sent_editions(settings: dict) -> dict[dt.date, TextedCode]:
    """Issue day -> the ledger's entry of each edition page an issue's emails linked to."""
    sent = {}
    for address, entry in read_ledger(settings, SENT_PAGES_FILE).items():
        try:
            day = dt.date.fromisoformat(entry.day)
        except ValueError:  # a ledger edited by hand: no page of this plugin's
            continue
        if address == issue_url(day) and next(issues_between(day, day), None) == day:
            sent[day] = entry
    return sent


def emptied_edition_warnings(project) -> list[str]:
    """``FILE:LINE: warning: ...`` for each edition sent that holds no notice
    now: at each notice bundled in its window since made a draft (its
    ``status:`` line), and at each file of the notices bundled that day
    since removed."""
    found = []
    published, bundled = project.published_notices, read_ledger(project.settings, SENT_NOTICES_FILE)
    for day in sent_editions(project.settings):
        if edition(published, day):
            continue
        address = issue_url(day)
        for notice in project.notices:
            if (not notice.published and notice.slug in bundled and notice.has("newsletter")
                    and previous_issue(day) < notice.day <= day):
                found.append(f"{project.shown(notice.source)}:{notice.lines.get('status', 1)}: " + _(
                    "warning: the newsletter of {day} went out with this notice, and no notice of it is posted now: "
                    "its page {address}, linked from every email of that issue, lists none; remove status: draft "
                    "to show it there again").format(day=day, address=address))
        files = {str(Path(notice.source).resolve()) for notice in project.notices}
        content = Path(project.settings["PATH"])
        for entry in bundled.values():
            if entry.day == day.isoformat() and entry.source and str((content / entry.source).resolve()) not in files:
                found.append(f"{project.shown(content / entry.source)}:1: " + _(
                    "warning: the newsletter of {day} went out with this notice, whose file is gone, and no notice "
                    "of it is posted now: its page {address}, linked from every email of that issue, lists none; "
                    "put the file back (from the last backup) to show it there again").format(day=day, address=address))
    return found
