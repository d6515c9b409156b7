"""``sotong reach``: how many readers each notice of a bundle reaches by
email and by SMS, and the bundle's messages by type and their cost (SPEC §12).

Counted through :meth:`Bundler.delivery`, the path ``sotong bundles`` writes
by, so the figures equal what a bundles run would write; nothing is written.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable
from urllib.parse import urlsplit

from rich.cells import cell_len  # a Korean letter takes two columns of a terminal

from sotong.i18n import _
from sotong.links import site_url
from sotong.sms import MessageCounts, Prices, count_messages


@dataclass
class Reach:
    """Readers per notice slug by channel, and the messages by type;
    ``unreached``: per private notice, the readers it is for who get no email
    (SPEC §16 sends it by email only), so staff hear of them before sending."""

    email: Counter = field(default_factory=Counter)
    sms: Counter = field(default_factory=Counter)
    unreached: Counter = field(default_factory=Counter)
    messages: MessageCounts = MessageCounts()


def count_reach(bundler, subscribers: Iterable) -> Reach:
    """Count what every subscribed reader of ``subscribers`` would get."""
    reach = Reach()
    types: list[str] = []
    for subscriber in subscribers:
        if not subscriber.subscribed:
            continue
        delivery = bundler.delivery(subscriber)
        if delivery.email:
            reach.email.update(delivery.email_notices)
            types.append("email")
        else:
            reach.unreached.update(n.slug for n in delivery.plan.selection.for_you if n.private)
        if delivery.text is not None:
            reach.sms.update(delivery.text.notices)
            types.append(delivery.text.text.type)
    reach.messages = count_messages(types)
    return reach


def reach_lines(reach: Reach, notices: Iterable, prices: Prices) -> list[str]:
    """The table of ``notices`` (email and SMS readers, then the slug) and the
    totals. The slug comes last, so a long one (up to 60 characters from
    sotong new) keeps the table within 80 columns, and one in Korean moves no count."""
    notices = list(notices)
    notice, email, sms = _("notice"), _("email"), _("SMS")
    counts = [reach.email[n.slug] for n in notices] + [reach.sms[n.slug] for n in notices]
    width = max([7, cell_len(email), cell_len(sms)] + [len(f"{count:,}") for count in counts])
    lines = [f"  {' ' * (width - cell_len(email))}{email}  {' ' * (width - cell_len(sms))}{sms}  {notice}"]
    lines += [f"  {reach.email[n.slug]:>{width},}  {reach.sms[n.slug]:>{width},}  {n.slug}" for n in notices]
    messages = reach.messages
    lines.append(_("  messages: email {email:,}, SMS {sms:,}, LMS {lms:,}; cost {cost_line}, email free").format(
        email=messages.email, sms=messages.sms, lms=messages.lms, cost_line=messages.cost_line(prices)))
    lines += [_("  {slug}: {count:,} of the readers it is for get nothing: a private notice goes by email only, and "
                "they get no email (no address, email not chosen, or an address that cannot receive); ask them for an "
                "address and import it (sotong subscribers import FILE), or give them the material another way").format(
                    slug=n.slug, count=reach.unreached[n.slug]) for n in notices if reach.unreached[n.slug]]
    return lines + [_nobody_line(n) for n in notices if n.private and not reach.email[n.slug] and not reach.unreached[n.slug]]


def _nobody_line(notice) -> str:
    """A private notice that no reader is for: its group's members not
    imported yet (their groups cells empty), or audiences that match no one."""
    groups = sorted({group for segment in notice.audiences for group in segment.groups or ()})
    if groups:
        return _("  {slug}: nobody is among the readers it is for, so it goes to no one: its group {group} has no member "
                 "on record; write {group} in the groups column of its members' rows and import the file "
                 "(sotong subscribers import FILE)").format(slug=notice.slug, group=groups[0])
    return _("  {slug}: nobody is among the readers it is for, so it goes to no one; check its audiences").format(
        slug=notice.slug)


def preview_links_note(project) -> list[str]:
    """One line when SITEURL is not absolute (pelicanconf.py): texts are then
    counted with links shorter than those sent, so more of them fit an SMS
    and the cost is less than sending's (staff planned on that figure)."""
    if urlsplit(site_url(project.settings)).scheme:
        return []
    return [_("Note: SITEURL is not absolute in {settings_path}, so texts are counted with shorter links than they are "
              "sent with, and the SMS, LMS and cost may be less than sending's; for sending's, run the same command "
              "with -s publishconf.py").format(settings_path=project.shown(project.settings_path))]
