"""What a notice says on each SNS platform (SPEC §7): which notices go to a
platform, and the text, HTML and image of each one's post.

- twitter: title (with "[긴급]" when urgent), then the summary, cut with "…"
  so that the post and its link fit X's weighted 280;
- facebook: the summary, a blank line, the link; the notice's image;
- blog: the whole notice as HTML with absolute links, its summary and tags
  (field label, department).
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from typing import Callable, Iterable
from urllib.parse import quote

import lxml.html

from sotong.i18n import _
from sotong.links import absolute_site_url, notice_url
from sotong.notices import Notice

PLATFORMS = ("twitter", "facebook", "blog")
PLATFORM_LABELS = {"twitter": "X(트위터)", "facebook": "페이스북", "blog": "블로그"}
DEVELOPMENT_BASE = "http://localhost:8000"  # the feeds' base when neither SITEURL nor FEED_DOMAIN is absolute
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~"


def public_url(url: str) -> str:
    """A URL with non-ASCII parts (Korean slugs) percent-encoded."""
    return quote(url, safe=_URL_SAFE)


def post_url(settings: dict, slug: str) -> str:
    """The address a notice's posts link to and are known by: its page's, absolute."""
    return public_url(notice_url(dict(settings, SITEURL=absolute_site_url(settings) or DEVELOPMENT_BASE), slug))


@dataclass(frozen=True)
class Image:
    url: str
    media_type: str
    length: int  # bytes, for the RSS enclosure


@dataclass(frozen=True)
class SharedNotice:
    """A published notice with what its posts need beyond the notice itself."""

    notice: Notice
    url: str  # absolute
    field_label: str
    body_html: str  # the rendered Markdown body, links absolute
    image: Image | None = None


@dataclass(frozen=True)
class FeedItem:
    """One post in a platform's feed (a JSON Feed item, an RSS item)."""

    url: str  # also the item's id
    title: str
    date: dt.datetime
    content_text: str | None = None
    content_html: str | None = None
    summary: str | None = None
    tags: tuple[str, ...] = ()
    image: Image | None = None


def platform_notices(items: Iterable, platform: str) -> list:
    """The items (articles, or anything with a ``notice``) whose notice is
    published and has ``platform`` in channels, newest first."""
    chosen = [item for item in items if item.notice.published and item.notice.has(platform)]
    return sorted(chosen, key=lambda item: (-item.notice.date.timestamp(), item.notice.slug))


def fed_items(items: Iterable, day, limit: int | None) -> dict[str, list]:
    """platform -> the items (with a ``notice``: articles, notices wrapped)
    its feed holds on ``day``: those due by then with the platform in
    channels, newest first, at most ``limit`` (FEED_MAX_ITEMS; None: all)."""
    due = [item for item in items if item.notice.due_on(day)]
    return {platform: platform_notices(due, platform)[:limit] for platform in PLATFORMS}


def tweet_text(notice: Notice, url: str, fit: Callable[[str, str], str]) -> str:
    """The X post: the headline and summary fitted with the link by ``fit``
    (``weighted.fit_post``, or fitted.FittedPosts' memo of it)."""
    summary = notice.plain_summary()
    text = f"{notice.headline}\n{summary}" if summary else notice.headline
    return fit(text, url)


def facebook_text(notice: Notice, url: str) -> str:
    return f"{notice.plain_summary() or notice.headline}\n\n{url}"


def blog_html(shared: SharedNotice) -> str:
    """The notice's image, if any, then its body."""
    if shared.image is None:
        return shared.body_html
    alt = html.escape(shared.notice.image_alt or "", quote=True)
    figure = f'<figure><img src="{html.escape(shared.image.url, quote=True)}" alt="{alt}"></figure>\n'
    return figure + shared.body_html


def feed_item(shared: SharedNotice, platform: str, fit: Callable[[str, str], str]) -> FeedItem:
    """The notice's post on ``platform``; X's fitted by ``fit`` (see tweet_text)."""
    notice = shared.notice
    common = {"url": shared.url, "title": notice.headline, "date": notice.date}
    if platform == "twitter":
        return FeedItem(**common, content_text=tweet_text(notice, shared.url, fit))
    if platform == "facebook":
        return FeedItem(**common, content_text=facebook_text(notice, shared.url), image=shared.image)
    if platform == "blog":
        return FeedItem(**common, content_html=blog_html(shared), summary=notice.plain_summary(),
                        tags=(shared.field_label, notice.department), image=shared.image)
    raise ValueError(_("unknown platform {platform!r}; known: {platforms}").format(
        platform=platform, platforms=', '.join(PLATFORMS)))


def absolute_links(fragment: str, base_url: str) -> str:
    """``fragment`` (HTML) with every link and image source made absolute
    against ``base_url``."""
    if not fragment.strip():
        return fragment
    wrapper = lxml.html.fragment_fromstring(fragment, create_parent="div")
    wrapper.make_links_absolute(base_url, resolve_base_href=False)
    return html.escape(wrapper.text or "", quote=False) + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in wrapper)
