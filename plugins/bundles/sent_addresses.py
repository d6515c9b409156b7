"""A warning (``content_warnings``: ``sotong check``, ``sotong build``, the
devserver) at each notice whose address changed after a bundle carried it:
its file renamed (the slug comes from the file name) or its ``slug:``
edited. The build keeps a redirect page at the old address (the homepage
plugin, from the ledger of notices sent, sotong.code_ledger.SENT_NOTICES_FILE,
which ``sotong bundles`` writes), but a new address is a new item id in the
SNS and Atom feeds (SNS tools post the notice again) and a new event in
calendars that imported its .ics; ``slug:`` with the old slug keeps all of it.
"""

from __future__ import annotations

from sotong.code_ledger import SENT_NOTICES_FILE, read_ledger
from sotong.i18n import _
from sotong.links import notice_file, texted_destinations
from sotong.project import Project


def moved_address_warnings(project: Project) -> list[str]:
    """A ``PATH:LINE: warning`` for each notice now at another address than the one a bundle carried."""
    sent = read_ledger(project.settings, SENT_NOTICES_FILE)
    if not sent:
        return []
    content_path = project.settings["PATH"]
    shown = [notice for notice in project.published_notices if not notice.private]
    by_slug = {notice.slug: notice for notice in shown}
    warnings = []
    for old, new in texted_destinations(sent, shown, project.notices, content_path).items():
        if new is None or new == old:
            continue
        notice, entry = by_slug[new], sent[old]
        same_file = notice_file(content_path, notice.source) == entry.source
        line = notice.lines.get("slug", 1) if same_file else 1
        warnings.append(f"{project.shown(notice.source)}:{line}: "
                        + _moved_warning(entry, notice, same_file, project.settings["ARTICLE_URL"]))
    return warnings


def _moved_warning(entry, notice, same_file: bool, address: str) -> str:
    """The warning's text; ``address``: ARTICLE_URL, a notice's address with its ``{slug}``."""
    if same_file:
        change = _("its slug: was changed")
        advice = _("write slug: {old} again to keep it").format(old=entry.slug)
    else:
        change = _("its file was renamed from {file}, and its address comes from the file name").format(file=entry.source)
        advice = _("add slug: {old} to its front matter to keep it").format(old=entry.slug)
    again = _("feed readers and SNS tools take the new address for a new notice and post it again")
    if notice.event:
        again = _("{again}, and calendars that imported its event add it twice").format(again=again)
    return _("warning: this notice went out on {day} with the address {old}; {change}, so it is now {new}. The old "
             "address leads to the new one, but {again}; {advice}").format(
                 day=entry.day, old=address.format(slug=entry.slug), change=change, new=address.format(slug=notice.slug),
                 again=again, advice=advice)
