"""The notices the SNS feeds hold, kept in the project's ledger of notices
sent (sotong.code_ledger.SENT_NOTICES_FILE) once ``sotong build`` has
published them (``site_built``; a devserver's preview build publishes
nothing): the office's SNS tools post each with its address, so a notice
posted only there (never bundled) keeps a page at that address when it is
later renamed, made a draft or removed (the homepage plugin's redirect or
"no longer posted" page), and ``sotong check`` warns before a rename moves
it, as for a notice an email or a text carried. The build's day is the day
it is kept as first posted. A notice the ledger holds at another address
(renamed since it went out, found as sotong.links.texted_destinations
finds it) is not kept at its new one: check's warning says to take the
first back, and then the new one would be warned of in turn."""

from __future__ import annotations

from types import SimpleNamespace

from sotong.code_ledger import SENT_NOTICES_FILE, TextedCode, ledger_path, read_ledger, record_texted
from sotong.i18n import _
from sotong.links import notice_file, texted_destinations
from sotong.problems import SotongError, os_reason

from .posts import fed_items


def record_posted(project) -> None:
    """Receiver of ``site_built``: add the notices of the SNS feeds just
    built to the ledger of notices sent, each unless it went out before at
    another address."""
    settings, content = project.settings, project.content
    if ledger_path(settings, SENT_NOTICES_FILE) is None:  # settings with no private folder keep no ledger
        return
    shown = [notice for notice in project.published_notices if not notice.private]
    fed = fed_items([SimpleNamespace(notice=notice) for notice in shown], content.day, settings.get("FEED_MAX_ITEMS"))
    posted = {item.notice.slug: item.notice for items in fed.values() for item in items}
    kept = read_ledger(settings, SENT_NOTICES_FILE)
    moved = {new for old, new in texted_destinations(kept, shown, project.notices, settings["PATH"]).items() if new != old}
    day = content.day.isoformat()
    try:
        record_texted(settings, {slug: TextedCode(slug, notice_file(settings["PATH"], notice.source), notice.title, day)
                                 for slug, notice in posted.items() if slug not in moved}, SENT_NOTICES_FILE)
    except OSError as exc:  # a private folder it may not write, a full disk
        raise SotongError([_("{path}: the site was built, but the notices its SNS feeds hold could not be kept in "
                             "this ledger ({reason}); make it writable (or free some space) and build again, or a "
                             "notice posted only there and later renamed leaves its posts' links leading nowhere").format(
                                 path=project.shown(ledger_path(settings, SENT_NOTICES_FILE)), reason=os_reason(exc))]) from None
