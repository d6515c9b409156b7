"""Addresses of notices as mail, SMS and SNS link to them.

Short links (``/n/ID``) keep SMS text within its bytes; they are static
redirect pages written by the homepage plugin, so they work from any host.
"""

from __future__ import annotations

import hashlib

_ALPHABET = "0123456789abcdefghijkmnpqrstuvwxyz"  # no l or o: read aloud over the phone
SHORT_ID_LENGTH = 5


def short_id(slug: str) -> str:
    """A stable 5-character id of a notice slug (34^5 ids; collisions are
    reported by ``sotong check``)."""
    number = int.from_bytes(hashlib.sha256(slug.encode()).digest()[:8], "big")
    chars = []
    for _ in range(SHORT_ID_LENGTH):
        number, digit = divmod(number, len(_ALPHABET))
        chars.append(_ALPHABET[digit])
    return "".join(chars)


def site_url(settings: dict, path: str = "") -> str:
    """An absolute (or, in development, root-relative) URL on the site."""
    base = (settings.get("SITEURL") or "").rstrip("/")
    return f"{base}/{path.lstrip('/')}"


def absolute_site_url(settings: dict) -> str | None:
    """The public site's absolute address, for what must not be relative
    (calendar entries, SNS feeds): SITEURL, or FEED_DOMAIN in development;
    None when neither is an http(s) URL."""
    for key in ("SITEURL", "FEED_DOMAIN"):
        value = (settings.get(key) or "").rstrip("/")
        if value.startswith(("https://", "http://")):
            return value
    return None


def notice_url(settings: dict, slug: str) -> str:
    return site_url(settings, settings["ARTICLE_URL"].format(slug=slug))


def short_url(settings: dict, slug: str) -> str:
    return site_url(settings, f"n/{short_id(slug)}")


def collector_url(settings: dict, path: str = "") -> str:
    """A URL on the collector service (``sotong serve``): unsubscribe, surveys."""
    base = (settings.get("COLLECTOR_URL") or "http://127.0.0.1:8080").rstrip("/")
    return f"{base}/{path.lstrip('/')}"
