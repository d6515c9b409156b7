"""The posts of the office's own SNS accounts (``SNS_IMPORT_FEEDS``) that the
homepage shows as "SNS 소식": each feed read with feedparser, from a file or
over HTTP(S) with a short timeout, and its entries turned into posts whose
HTML is sanitized with nh3.

A feed that cannot be read or parsed is logged as a WARNING naming the feed
and the reason; the other feeds' posts are still shown and the build goes on.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import socket
import urllib.error
import urllib.request
from pathlib import Path
from typing import Iterable
from urllib.parse import urlsplit

import feedparser
import nh3

from sotong.notices import SEOUL

from .config import SnsSettings

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 5
MAX_FEED_BYTES = 5 * 1024 * 1024
SUMMARY_TAGS = {"a", "p", "br", "strong", "em", "ul", "ol", "li"}
SUMMARY_MAX_CHARS = 300  # longer summaries are shown as plain text, cut
TITLE_FROM_SUMMARY_CHARS = 60
USER_AGENT = "Sotong sns_sync (feed reader of the district office's homepage)"


class FeedUnreadable(Exception):
    """A feed could not be read or is not a feed; the message says why."""


def is_url(location: str) -> bool:
    return urlsplit(location).scheme.lower() in ("http", "https")


def fetch(location: str, project_dir: Path, timeout: float = TIMEOUT_SECONDS) -> tuple[bytes, dict]:
    """The bytes of a feed and the HTTP headers feedparser uses (type, base)."""
    if not is_url(location):
        path = Path(location).expanduser()
        path = path if path.is_absolute() else project_dir / path
        try:
            return path.read_bytes()[:MAX_FEED_BYTES + 1], {}
        except FileNotFoundError:
            raise FeedUnreadable(f"no file {path}") from None
        except OSError as exc:
            raise FeedUnreadable(f"cannot read {path}: {exc.strerror or exc}") from None
    request = urllib.request.Request(location, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data = response.read(MAX_FEED_BYTES + 1)
            headers = {"content-type": response.headers.get("Content-Type", ""), "content-location": response.url}
    except urllib.error.HTTPError as exc:
        raise FeedUnreadable(f"the server answered {exc.code} {exc.reason}") from None
    except (TimeoutError, socket.timeout):
        raise FeedUnreadable(f"no answer within {timeout:g} seconds") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, (TimeoutError, socket.timeout)):
            raise FeedUnreadable(f"no answer within {timeout:g} seconds") from None
        raise FeedUnreadable(f"cannot connect: {getattr(reason, 'strerror', None) or reason}") from None
    except (OSError, ValueError) as exc:
        raise FeedUnreadable(f"cannot fetch it: {exc}") from None
    return data, headers


def parse(data: bytes, headers: dict, location: str) -> tuple[str, list]:
    """(source name, entries) of a feed document."""
    if len(data) > MAX_FEED_BYTES:
        raise FeedUnreadable(f"it is larger than {MAX_FEED_BYTES // (1024 * 1024)} MB")
    parsed = feedparser.parse(data, response_headers=headers)
    if not parsed.entries and (parsed.bozo or not parsed.version):
        reason = parsed.get("bozo_exception") or "no RSS or Atom feed found in it"
        raise FeedUnreadable(f"not a readable feed ({' '.join(str(reason).split())})")
    source = plain_text(parsed.feed.get("title", "")) or _location_name(location)
    return source, list(parsed.entries)


def sanitize_summary(fragment: str) -> str:
    """HTML with only a, p, br, strong, em, ul, ol, li; links http(s) or
    mailto, with rel="noopener nofollow"."""
    return nh3.clean(fragment, tags=SUMMARY_TAGS, attributes={"a": {"href"}, "*": set()},
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener nofollow",
                     attribute_filter=_drop_empty_links).strip()


def _drop_empty_links(tag: str, attribute: str, value: str) -> str | None:
    """feedparser blanks unsafe links (href=""), which would point at the homepage itself."""
    return value if value.strip() else None


def plain_text(fragment: str) -> str:
    """The text of an HTML fragment, on one line (scripts and styles dropped)."""
    return " ".join(html.unescape(nh3.clean(fragment or "", tags=set())).split())


def entry_post(entry, source: str) -> dict:
    """One feed entry as the homepage shows it."""
    raw_summary = entry.get("summary") or (entry.get("content") or [{}])[0].get("value", "")
    summary_text = plain_text(raw_summary)
    if len(summary_text) > SUMMARY_MAX_CHARS:
        summary_html = f"<p>{html.escape(summary_text[:SUMMARY_MAX_CHARS].rstrip())}…</p>"
    else:
        summary_html = sanitize_summary(raw_summary)
    title = plain_text(entry.get("title", ""))
    if not title:
        title = _cut(summary_text, TITLE_FROM_SUMMARY_CHARS) or source
    if title == summary_text:
        summary_html = ""  # a post without a title (a tweet): its text is the title
    link = entry.get("link") or ""
    return {
        "title": title,
        "link": link if is_url(link) else None,
        "date": _entry_date(entry),
        "summary_html": summary_html,
        "source": source,
    }


def latest_posts(feeds: Iterable[tuple[str, list]], limit: int) -> list[dict]:
    """The ``limit`` newest posts of all feeds, newest first; undated posts last."""
    posts = [entry_post(entry, source) for source, entries in feeds for entry in entries]
    posts.sort(key=lambda post: (post["date"] is None, -(post["date"].timestamp() if post["date"] else 0)))
    return posts[:limit]


def read_posts(config: SnsSettings) -> list[dict]:
    """The newest posts of SNS_IMPORT_FEEDS; unreadable feeds are warned about."""
    if config.import_limit == 0:
        return []
    feeds = []
    for location in config.import_feeds:
        try:
            data, headers = fetch(location, config.project_dir)
            feeds.append(parse(data, headers, location))
        except FeedUnreadable as exc:
            log.warning("%s: SNS_IMPORT_FEEDS: skipped the feed %s: %s. The homepage's SNS 소식 shows the "
                        "other feeds; check the path or address.", config.where, location, exc)
    return latest_posts(feeds, config.import_limit)


def _entry_date(entry) -> dt.datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    return dt.datetime(*parsed[:6], tzinfo=dt.timezone.utc).astimezone(SEOUL)


def _cut(text: str, length: int) -> str:
    return text if len(text) <= length else text[:length].rstrip() + "…"


def _location_name(location: str) -> str:
    """A name for a feed without a title: its host, or its file name."""
    if is_url(location):
        return urlsplit(location).hostname or location
    return Path(location).name
