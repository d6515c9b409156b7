"""The posts of the office's own SNS accounts (``SNS_IMPORT_FEEDS``) that the
homepage shows as "SNS 소식": each feed read with feedparser, from a file or
over HTTP(S) within a deadline over the whole fetch (a server that trickles
bytes cannot hold the build), and its entries turned into posts whose HTML is
sanitized with nh3.

A feed that cannot be read or parsed is logged as a WARNING naming the feed
and the reason; the other feeds' posts are still shown and the build goes on.
A damaged feed (truncated, not well-formed) is a WARNING too, and the posts
that could be read from it are shown.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import http.client
import logging
import re
import socket
import threading
import unicodedata
import urllib.error
import urllib.request
from pathlib import Path
from typing import Iterable
from urllib.parse import urlsplit

import feedparser
import nh3
from markupsafe import Markup

from sotong.i18n import _
from sotong.markup import shortened
from sotong.notices import SEOUL
from sotong.problems import os_reason
from sotong.validators import DIRECTION_CONTROL, MAX_HTML_NESTING, open_elements

from .config import SnsSettings

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10  # for the whole fetch of a feed: connect, headers and body
MAX_FEED_BYTES = 5 * 1024 * 1024
SUMMARY_TAGS = {"a", "p", "br", "strong", "em", "ul", "ol", "li"}
SUMMARY_MAX_CHARS = 300  # longer summaries are shown as plain text, cut
TITLE_FROM_SUMMARY_CHARS = 60
TITLE_MAX_CHARS = 100  # as a notice's title; feeds that carry a post's whole text as its title are cut
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
            with path.open("rb") as file:  # never more than parse takes, whatever the file's size
                return file.read(MAX_FEED_BYTES + 1), {}
        except FileNotFoundError:
            raise FeedUnreadable(_("no file {path}").format(path=path)) from None
        except OSError as exc:
            raise FeedUnreadable(_("cannot read {path}: {value}").format(path=path, value=os_reason(exc))) from None
    with _Deadline(timeout) as deadline:
        try:
            data, headers = _fetch_url(location, timeout, deadline)
        except FeedUnreadable:
            if not deadline.passed:
                raise
    if deadline.passed:  # what was read, or the error, came from the sockets shut at the deadline
        raise FeedUnreadable(_("no complete answer within {timeout:g} seconds").format(timeout=timeout))
    return data, headers


class _Deadline:
    """The sockets of one fetch, shut down together when its time is up, so
    that a blocked read returns however slowly the server sends."""

    def __init__(self, seconds: float):
        self.passed = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> "_Deadline":
        self._timer.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._timer.cancel()

    def create_connection(self, *args, **kwargs) -> socket.socket:
        sock = socket.create_connection(*args, **kwargs)
        with self._lock:
            self._sockets.append(sock)
            if self.passed:
                _shut(sock)
        return sock

    def _expire(self) -> None:
        with self._lock:
            self.passed = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


class _DeadlineConnections:
    """A urllib handler whose connections open their sockets through a
    ``_Deadline`` (http.client's ``_create_connection`` hook)."""

    def __init__(self, deadline: _Deadline, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.deadline = deadline

    def do_open(self, http_class, request, **connection_args):
        def connection(host, **kwargs):
            made = http_class(host, **kwargs)
            made._create_connection = self.deadline.create_connection
            return made
        return super().do_open(connection, request, **connection_args)


class _HTTPHandler(_DeadlineConnections, urllib.request.HTTPHandler):
    pass


class _HTTPSHandler(_DeadlineConnections, urllib.request.HTTPSHandler):
    pass


def _fetch_url(location: str, timeout: float, deadline: _Deadline) -> tuple[bytes, dict]:
    opener = urllib.request.build_opener(_HTTPHandler(deadline), _HTTPSHandler(deadline))
    request = urllib.request.Request(location, headers={"User-Agent": USER_AGENT})
    try:
        with opener.open(request, timeout=timeout) as response:
            data = response.read(MAX_FEED_BYTES + 1)
            headers = {"content-type": response.headers.get("Content-Type", ""), "content-location": response.url}
    except urllib.error.HTTPError as exc:
        raise FeedUnreadable(_("the server answered {code} {reason}").format(code=exc.code, reason=exc.reason)) from None
    except (TimeoutError, socket.timeout):
        raise FeedUnreadable(_("no complete answer within {timeout:g} seconds").format(timeout=timeout)) from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, (TimeoutError, socket.timeout)):
            raise FeedUnreadable(_("no complete answer within {timeout:g} seconds").format(timeout=timeout)) from None
        raise FeedUnreadable(_("cannot connect: {value}").format(value=os_reason(reason))) from None
    except (OSError, ValueError, http.client.HTTPException) as exc:
        raise FeedUnreadable(_("cannot fetch it: {exc}").format(exc=exc)) from None
    return data, headers


def parse(data: bytes, headers: dict, location: str) -> tuple[str, list, str | None]:
    """(source name, entries, what is damaged or None) of a feed document."""
    if len(data) > MAX_FEED_BYTES:
        raise FeedUnreadable(_("it is larger than {value} MB").format(value=MAX_FEED_BYTES // (1024 * 1024)))
    parsed = feedparser.parse(data, response_headers=headers)
    if not parsed.entries and (parsed.bozo or not parsed.version):
        reason = parsed.get("bozo_exception") or _("no RSS or Atom feed found in it")
        raise FeedUnreadable(_("not a readable feed ({split})").format(split=' '.join(str(reason).split())))
    source = plain_text(parsed.feed.get("title", "")) or _location_name(location)
    damaged = parsed.bozo and not isinstance(parsed.bozo_exception, feedparser.CharacterEncodingOverride)
    damage = " ".join(str(parsed.bozo_exception).split()) if damaged else None
    return source, list(parsed.entries), damage


_ANY_TAG = re.compile(r"<[^<>]*>?")


def _shallow(fragment: str) -> str:
    """An HTML fragment that nests its elements no deeper than a notice's
    text may (MAX_HTML_NESTING): as it is, or else its text alone, escaped.
    The sanitizer's time grows with the depth: 100,000 nested <div> in one
    post of a 3.5 MB feed took every build 55 s."""
    if "<" not in fragment or open_elements(fragment)[1] <= MAX_HTML_NESTING:
        return fragment
    return html.escape(" ".join(html.unescape(_ANY_TAG.sub(" ", fragment)).split()), quote=False)


def sanitize_summary(fragment: str) -> str:
    """HTML with only a, p, br, strong, em, ul, ol, li; links http(s) or
    mailto, with rel="noopener nofollow"."""
    return nh3.clean(_shallow(fragment), tags=SUMMARY_TAGS, attributes={"a": {"href"}, "*": set()},
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener nofollow",
                     attribute_filter=_drop_empty_links).strip()


def _drop_empty_links(tag: str, attribute: str, value: str) -> str | None:
    """feedparser blanks unsafe links (href=""), which would point at the homepage itself."""
    return value if value.strip() else None


def plain_text(fragment: str) -> str:
    """The text of an HTML fragment, on one line (scripts, styles and
    direction controls dropped: one left open in a post's title showed the
    date and the account's name after it backwards, and feeds are not the
    office's to fix, as staff's files are: sotong.validators.DIRECTION_CONTROL),
    its Hangul composed (NFC), so that a post written on a Mac is measured
    and cut in whole letters."""
    text = DIRECTION_CONTROL.sub("", html.unescape(nh3.clean(_shallow(fragment or ""), tags=set())))
    return unicodedata.normalize("NFC", " ".join(text.split()))


def entry_post(entry, source: str) -> dict:
    """One feed entry as the homepage shows it."""
    raw_summary = entry.get("summary") or (entry.get("content") or [{}])[0].get("value", "")
    summary_text = plain_text(raw_summary)
    if len(summary_text) > SUMMARY_MAX_CHARS:
        summary_html = f"<p>{html.escape(shortened(summary_text, SUMMARY_MAX_CHARS))}</p>"
    else:
        summary_html = sanitize_summary(raw_summary)
    title = plain_text(entry.get("title", ""))
    if not title:
        title = shortened(summary_text, TITLE_FROM_SUMMARY_CHARS) or source
    if title == summary_text:
        summary_html = ""  # a post without a title (a tweet): its text is the title
    title = shortened(title, TITLE_MAX_CHARS)
    link = entry.get("link") or ""
    return {
        "title": title,
        "link": link if is_url(link) else None,
        "date": _entry_date(entry),
        "summary_html": Markup(summary_html),  # sanitized or escaped above: templates autoescape the rest
        "source": source,
    }


def latest_posts(feeds: Iterable[tuple[str, list]], limit: int) -> list[dict]:
    """The ``limit`` newest posts of all feeds, newest first; undated posts
    last; a post listed twice (in one feed, or in two feeds of the same
    account) once, by its address, or its title and date when it has none."""
    posts = [entry_post(entry, source) for source, entries in feeds for entry in entries]
    posts.sort(key=lambda post: (post["date"] is None, -(post["date"].timestamp() if post["date"] else 0)))
    seen, unique = set(), []
    for post in posts:
        key = post["link"] or (post["title"], post["date"])
        if key not in seen:
            seen.add(key)
            unique.append(post)
    return unique[:limit]


def read_posts(config: SnsSettings) -> list[dict]:
    """The newest posts of SNS_IMPORT_FEEDS; unreadable feeds are warned about."""
    if config.import_limit == 0:
        return []
    feeds = []
    for location in config.import_feeds:
        try:
            data, headers = fetch(location, config.project_dir)
            source, entries, damage = parse(data, headers, location)
        except FeedUnreadable as exc:
            log.warning(_("%s: SNS_IMPORT_FEEDS: skipped the feed %s: %s. The homepage's SNS 소식 shows the other feeds; check the path or address."), config.where, location, exc)
            continue
        if damage:
            log.warning(_("%s: SNS_IMPORT_FEEDS: the feed %s is damaged (%s); the homepage's SNS 소식 shows the %d posts that could be read from it. Check the feed."), config.where, location, damage,
                        len(entries))
        feeds.append((source, entries))
    return latest_posts(feeds, config.import_limit)


def _entry_date(entry) -> dt.datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    return dt.datetime(*parsed[:6], tzinfo=dt.timezone.utc).astimezone(SEOUL)


def _location_name(location: str) -> str:
    """A name for a feed without a title: its host, or its file name."""
    if is_url(location):
        return urlsplit(location).hostname or location
    return Path(location).name
