"""Click counts (SPEC §14): the collector's ``GET /c/KEY/CODE`` counts one
click for the bundle KEY, the notice and the channel that CODE names
(sotong.links.click_code) and answers 303 to the notice: its page for an
email link, its short link for an SMS one. A row holds those three and a
count — no reader id, no address, no time, no IP: nothing per person.
A CODE not made with SOTONG_SECRET for that bundle counts nothing (404).
Nor does what opens links by itself (answered all the same): a HEAD, a
request without a User-Agent, or one whose User-Agent names a mail scanner,
a link preview (KakaoTalk's, Slack's), a crawler or an HTTP library
(:data:`AUTOMATED_MARKS`); only the header is read, and nothing of it is kept.
A store that cannot count (PostgreSQL restarting, a full disk) is logged,
and the reader still goes to the notice.

A link opened again by the same browser (a reload, the back button, the
text or the email tapped again a day later) counts once: the answer leaves a
cookie in the browser, ``counted=1``, sent back only to that one link's
path (``/c/KEY/CODE``) for CLICK_REMEMBERED_DAYS, and a request that brings
it counts nothing. The cookie names nobody (every reader of a bundle has
the same link, and the cookie the same value), and the office keeps nothing
of it: telling the same message's second click from another reader's
first in the store would need a row per message, and SPEC §14 allows
nothing per person. So a link opened on another phone (a forwarded
text), or by a program that keeps no cookies and calls itself a browser,
counts again.
The marks are plain substrings, so a hostile header costs microseconds:
crawlerdetect's 1,462 patterns took 8.8 s of CPU on 8 KB of "a" (one of them
is quadratic, and any text its exclusions leave costs about 50 µs a
character), and the collector's threads share one interpreter.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

from werkzeug.exceptions import NotFound
from werkzeug.utils import redirect

from sotong.links import collector_url, notice_url, read_click_code, short_url
from sotong.i18n import _
from sotong.store import engine_trouble, register_schema

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS delivery_clicks (
    outbox TEXT NOT NULL,             -- the bundle: issue date or notice slug
    channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    notice TEXT NOT NULL,             -- the slug (email) or the short code (SMS)
    clicks INTEGER NOT NULL,
    PRIMARY KEY (outbox, channel, notice)
);
"""
register_schema("delivery_clicks", SCHEMA)  # version 1

# Lower-case pieces of the User-Agent of what opens links by itself. Not a
# bare "bot": phones such as the CUBOT X30 carry it in their model name.
AUTOMATED_MARKS = (
    "+http",  # crawlers and previews name their page: "(+https://naver.me/spd)"
    "googlebot", "bingbot", "yandexbot", "applebot", "duckduckbot", "amazonbot", "petalbot", "gptbot",
    "slackbot", "twitterbot", "telegrambot", "discordbot", "linkedinbot", "spider", "crawl",
    "facebookexternalhit", "kakaotalk-scrap", "yeti/", "daumoa", "whatsapp/", "preview",  # link previews
    "barracuda", "mimecast", "proofpoint", "microsoft office", "ms-office",  # mail scanners
    "headless", "phantomjs", "python-", "python/", "curl/", "wget/", "go-http-client", "okhttp",
    "java/", "apache-httpclient", "libwww", "node-fetch", "axios/", "aiohttp", "httpx", "scrapy",
)


def automated(user_agent: str) -> bool:
    """Whether a User-Agent is that of a program opening links by itself
    (none at all counts as one)."""
    agent = user_agent.strip().lower()
    return not agent or any(mark in agent for mark in AUTOMATED_MARKS)


def ensure(store):
    store.upgrade("delivery_clicks")
    return store


def count_click(store, outbox: str, channel: str, notice: str) -> None:
    store.db.execute(
        "INSERT INTO delivery_clicks VALUES (?, ?, ?, 1)"
        " ON CONFLICT (outbox, channel, notice) DO UPDATE SET clicks = delivery_clicks.clicks + 1", (outbox, channel, notice))


def click_counts(store, outbox: str) -> dict[tuple[str, str], int]:
    """{(channel, notice ref): clicks} of one bundle."""
    rows = ensure(store).db.execute("SELECT channel, notice, clicks FROM delivery_clicks WHERE outbox = ?", (outbox,))
    return {(channel, notice): clicks for channel, notice, clicks in rows}


COUNTED_COOKIE = "counted"
CLICK_REMEMBERED_DAYS = 90  # a bundle's clicks come within days; its report is read within weeks


def opened_by_a_person(request) -> bool:
    """Whether a request to a click link may be a reader's: a GET from a
    User-Agent that names no scanner, link preview, crawler or library."""
    return request.method == "GET" and not automated(request.headers.get("User-Agent", ""))


def counted(app, key: str, channel: str, ref: str) -> None:
    """Counts one click; when the store fails for where it runs (a lost
    connection, a full disk), says so in the log instead of failing the
    reader's way to the notice (a mistake of Sotong's still raises)."""
    try:
        with app.store() as store:
            count_click(ensure(store), key, channel, ref)
    except Exception as exc:
        trouble = engine_trouble(exc)
        if trouble is None:
            raise
        log.warning(_("a click on %s was not counted: %s"), key, trouble)


def click(request, key: str, code: str):
    found = read_click_code(key, code)
    if found is None:
        raise NotFound()
    channel, ref = found
    settings = request.app.settings
    person = opened_by_a_person(request)  # the others are answered, not counted
    if person and COUNTED_COOKIE not in request.cookies:  # this browser's first click on the link
        counted(request.app, key, channel, ref)
    target = notice_url(settings, ref) if channel == "email" else short_url(settings, ref)
    response = redirect(target, code=303)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    if person:
        response.set_cookie(COUNTED_COOKIE, "1", max_age=CLICK_REMEMBERED_DAYS * 86400, path=quote(request.path),
                            secure=collector_url(settings).startswith("https://"), httponly=True, samesite="Lax")
    return response


def add_click_route(app) -> None:
    app.add_route("/c/<key>/<code>", click, ["GET"])
