"""A warning for staff (the ``sotong.signals.content_warnings`` receiver:
``sotong check``, ``sotong build``, the devserver) at each published notice
with ``twitter`` in ``channels``, still to go out in the feed, whose X post is cut: the title and summary
with the link pass X's weighted 280 (SPEC §7: a Korean letter weighs 2, a
link 23), so the feed's post ends in "…" where :func:`.weighted.fit_post`
cut it. It says where the post ends and the summary that fits.

What it measures of each post is kept between runs as the fitted posts
are (:class:`.fitted.FittedPosts`, a file of its own), so a rebuild whose
notices to go out are unchanged does not import twitter-text (half a
second) nor weigh them again."""

from __future__ import annotations

import unicodedata
from types import SimpleNamespace

from sotong.code_ledger import SENT_NOTICES_FILE, read_ledger
from sotong.i18n import _

from .fitted import FittedPosts
from .posts import fed_items, post_url

MEASURES_FILE = "sns-cut-posts.json"  # each post's weight, room and end, kept as the fitted posts are
MAX_WEIGHT, LINK_WEIGHT = 280, 23  # SPEC §7; weighted.py reads them from twitter-text


def cut_post_warnings(project) -> list[str]:
    """``FILE:LINE: warning: ...`` for each X notice whose post is cut and
    is still to go out: in the feed (or dated later) and not yet in the
    ledger of notices sent. One a ``sotong build`` published in the feed has
    been posted by the office's SNS tools as it was, and one the feed no
    longer holds never will be: their warnings, said at every build, would
    hide the new notices' (a 5,000-notice site weighed 1,400 cut posts at
    each rebuild, a third of its time)."""
    found, measured = [], FittedPosts(project.settings, MEASURES_FILE)
    for notice in _going_out(project):
        summary = notice.plain_summary()
        text = f"{notice.headline}\n{summary}" if summary else notice.headline
        if not _may_pass(text):
            continue  # the post is the text and its link, whole
        url = post_url(project.settings, notice.slug)
        weight, room, end = measured.remembered((text, url, notice.headline),
                                                lambda: _measures(notice.headline, text, url))
        if weight > MAX_WEIGHT and room >= 2:  # room < 2: addresses in the title took the post (check says them)
            line = notice.lines.get("summary", notice.lines.get("title", 1))
            found.append(f"{project.shown(notice.source)}:{line}: {_cut_warning(notice, weight, room, end)}")
    measured.save()
    return found


def _going_out(project) -> list:
    """The X notices that a feed holds now, or will (dated later), and that
    no build has put out yet (the ledger of notices sent does not hold them)."""
    settings = project.settings
    shown = [notice for notice in project.published_notices if not notice.private]
    fed = fed_items([SimpleNamespace(notice=notice) for notice in shown], project.content.day,
                    settings.get("FEED_MAX_ITEMS"))["twitter"]
    sent = read_ledger(settings, SENT_NOTICES_FILE)
    later = [notice for notice in shown if notice.has("twitter") and not notice.due_on(project.content.day)]
    return [notice for notice in [item.notice for item in fed] + later if notice.slug not in sent]


def _may_pass(text: str) -> bool:
    """Whether ``text`` and a link may weigh more than X's 280: each code
    point weighs 2 at most, and each link, which holds a dot, 23 more."""
    text = unicodedata.normalize("NFC", text)
    return 2 * len(text) + LINK_WEIGHT * text.count(".") + 1 + LINK_WEIGHT > MAX_WEIGHT


def _measures(headline: str, text: str, url: str) -> list:
    """The post of ``text`` and ``url``: X's weight of it whole, the room a
    summary has beside ``headline``, and the words the post is cut after."""
    from .weighted import ELLIPSIS, fit_post, postable_text, weighted_length

    weight = weighted_length(f"{postable_text(text)} {url}")
    room = MAX_WEIGHT - weighted_length(postable_text(f"{headline}\n")) - 1 - LINK_WEIGHT
    end = fit_post(text, url).removesuffix(f"{ELLIPSIS} {url}").replace("\n", " ")[-20:] if weight > MAX_WEIGHT else ""
    return [weight, room, end]


def _cut_warning(notice, weight: int, room: int, end: str) -> str:
    """The warning for ``notice``, whose post weighs ``weight`` and is cut after ``end``."""
    if notice.summary:
        return _('warning: the X post (twitter in channels) is the title, the summary and the link, which X counts as {weight}, more than its 280 (a Korean letter 2, a link 23), so it is cut and ends "...{end}…"; to post the summary whole, shorten it to {room} or less (about {letters} Korean letters), or leave it so').format(
            weight=weight, end=end, room=room, letters=room // 2)
    return _('warning: the X post (twitter in channels) is the title, the text\'s first paragraph and the link, which X counts as {weight}, more than its 280 (a Korean letter 2, a link 23), so it is cut and ends "...{end}…"; to post it whole, add a summary: line for it of {room} or less (about {letters} Korean letters), or leave it so').format(
        weight=weight, end=end, room=room, letters=room // 2)
