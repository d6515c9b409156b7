"""A platform's posts as the two documents SNS tools read: JSON Feed 1.1
(``sns/PLATFORM.json``) and RSS 2.0 with an atom:link to itself
(``sns/PLATFORM.xml``). Items keep the order given (newest first).

An RSS description is HTML, so a plain-text post goes into it escaped, its
line breaks as <br>; JSON Feed keeps it as content_text."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from typing import Sequence

from feedgenerator import Enclosure, Rss201rev2Feed

from sotong.feed_time import steady

from .posts import FeedItem

JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
LANGUAGE = "ko"


@dataclass(frozen=True)
class FeedInfo:
    """What a feed says about itself."""

    title: str
    description: str
    home_page_url: str
    json_url: str
    rss_url: str


def json_feed(info: FeedInfo, items: Sequence[FeedItem]) -> dict:
    return {
        "version": JSON_FEED_VERSION,
        "title": info.title,
        "description": info.description,
        "home_page_url": info.home_page_url,
        "feed_url": info.json_url,
        "language": LANGUAGE,
        "items": [_json_item(item) for item in items],
    }


def _json_item(item: FeedItem) -> dict:
    entry = {"id": item.url, "url": item.url, "title": item.title}
    if item.content_html is not None:
        entry["content_html"] = item.content_html
    if item.content_text is not None:
        entry["content_text"] = item.content_text
    if item.summary:
        entry["summary"] = item.summary
    if item.image is not None:
        entry["image"] = item.image.url
    entry["date_published"] = item.date.isoformat()
    if item.tags:
        entry["tags"] = list(item.tags)
    return entry


def json_feed_bytes(info: FeedInfo, items: Sequence[FeedItem]) -> bytes:
    return (json.dumps(json_feed(info, items), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def text_as_html(text: str) -> str:
    """Plain text as HTML that shows the same text: escaped, each line break a <br>."""
    return html.escape(text).replace("\n", "<br>\n")


def rss_feed_bytes(info: FeedInfo, items: Sequence[FeedItem]) -> bytes:
    feed = steady(Rss201rev2Feed(title=info.title, link=info.home_page_url, description=info.description,
                                 language=LANGUAGE, feed_url=info.rss_url))
    for item in items:
        feed.add_item(
            title=item.title,
            link=item.url,
            description=item.content_html if item.content_html is not None else text_as_html(item.content_text),
            unique_id=item.url,
            unique_id_is_permalink=True,
            pubdate=item.date,
            categories=list(item.tags),
            enclosures=[Enclosure(item.image.url, str(item.image.length), item.image.media_type)] if item.image else None,
        )
    return feed.writeString("utf-8").encode("utf-8")
