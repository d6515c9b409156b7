"""A warning for staff (the ``sotong.signals.content_warnings`` receiver:
``sotong check``, ``sotong build``, the devserver) at each published notice
with ``twitter`` in ``channels`` whose X post is cut: the title and summary
with the link pass X's weighted 280 (SPEC §7: a Korean letter weighs 2, a
link 23), so the feed's post ends in "…" where :func:`.weighted.fit_post`
cut it. It says where the post ends and the summary that fits."""

from __future__ import annotations

import unicodedata

from sotong.i18n import _

MAX_WEIGHT, LINK_WEIGHT = 280, 23  # SPEC §7; weighted.py reads them from twitter-text
EXAMPLE_LINK = "https://www.sd.go.kr/sotong/notices/x/"  # any link weighs 23


def cut_post_warnings(project) -> list[str]:
    """``FILE:LINE: warning: ...`` for each published X notice whose post is cut."""
    found = []
    for notice in project.published_notices:
        if not notice.has("twitter"):
            continue
        summary = notice.plain_summary()
        text = f"{notice.headline}\n{summary}" if summary else notice.headline
        if not _may_pass(text):
            continue  # twitter-text (half a second to import) is not needed to tell
        from .weighted import ELLIPSIS, fit_post, weighted_length

        post = fit_post(text, EXAMPLE_LINK)
        if not post.endswith(f"{ELLIPSIS} {EXAMPLE_LINK}"):
            continue
        kept = post[:-len(f"{ELLIPSIS} {EXAMPLE_LINK}")]
        room = MAX_WEIGHT - weighted_length(f"{notice.headline}\n") - 1 - LINK_WEIGHT
        if room < 2:
            continue  # addresses in the title take the post (check warns of them as words no one can tap)
        line = notice.lines.get("summary", notice.lines.get("title", 1))
        found.append(f"{project.shown(notice.source)}:{line}: " + _cut_message(notice, text, kept, room, weighted_length))
    return found


def _may_pass(text: str) -> bool:
    """Whether ``text`` and a link may weigh more than X's 280: each code
    point weighs 2 at most, and each link, which holds a dot, 23 more."""
    text = unicodedata.normalize("NFC", text)
    return 2 * len(text) + LINK_WEIGHT * text.count(".") + 1 + LINK_WEIGHT > MAX_WEIGHT


def _cut_message(notice, text: str, kept: str, room: int, weighted_length) -> str:
    weight = weighted_length(text) + 1 + LINK_WEIGHT
    end = kept.replace("\n", " ")[-20:]
    if notice.summary:
        return _('warning: the X post (twitter in channels) is the title, the summary and the link, which X counts as {weight}, more than its 280 (a Korean letter 2, a link 23), so it is cut and ends "...{end}…"; to post the summary whole, shorten it to {room} or less (about {letters} Korean letters), or leave it so').format(
            weight=weight, end=end, room=room, letters=room // 2)
    return _('warning: the X post (twitter in channels) is the title, the text\'s first paragraph and the link, which X counts as {weight}, more than its 280 (a Korean letter 2, a link 23), so it is cut and ends "...{end}…"; to post it whole, add a summary: line for it of {room} or less (about {letters} Korean letters), or leave it so').format(
        weight=weight, end=end, room=room, letters=room // 2)
