"""The reach of the notices changed since the last build, printed by
``sotong check`` and ``sotong preview`` when a subscriber store exists
(issue #10): for each issue still to come that holds such a notice, how many
readers each of them reaches by email and SMS, and the issue's messages and
cost, counted as ``sotong reach`` counts them.

A notice is *changed* when its file's bytes differ from when the site in
OUTPUT_PATH was built (a file saved again unchanged is not), or no site was built yet. Without a store,
nothing is opened or counted, so check stays quick.
"""

from __future__ import annotations

from collections import defaultdict

from sotong.build_state import BuiltNotices
from sotong.i18n import _
from sotong.project import Project
from sotong.schedule import next_issue
from sotong.store import store_exists

from .config import bundles_settings
from .outbox import Bundler, issue_bundle
from .reach import count_reach, preview_links_note, reach_lines


def changed_notices(project: Project, built: BuiltNotices) -> list:
    """The published notices whose files changed since ``built``, the site in OUTPUT_PATH, was built."""
    return [notice for notice in project.published_notices if built.changed(notice.source)]


def changed_reach_lines(project: Project) -> list[str]:
    """The reach of the changed notices by their coming issue; [] without a store."""
    if not store_exists(project.settings["SOTONG_DB"]):
        return []
    today = project.today()
    by_issue = defaultdict(list)
    for notice in changed_notices(project, BuiltNotices(project.site_path)):
        issue = next_issue(notice.date.date())
        if issue >= today:
            by_issue[issue].append(notice)
    if not by_issue:
        return []
    title = bundles_settings(project.settings).title
    subscribers = list(project.store.subscribers())
    lines = []
    for issue, notices in sorted(by_issue.items()):
        bundle = issue_bundle(project, issue, title)
        in_window = {n.slug for n in bundle.notices}
        notices = [n for n in notices if n.slug in in_window]  # not those expired before their issue
        if not notices:
            continue
        bundler = Bundler(project, bundle)
        counted = count_reach(bundler, subscribers)
        lines.append(_("Reach of the notices changed since the last build, in the issue of {issue} "
                       "({count:,} subscribers):").format(issue=issue, count=len(subscribers)))
        lines += reach_lines(counted, notices, bundler.sms_settings.prices)
    return lines + preview_links_note(project) if lines else []
