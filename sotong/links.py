"""Addresses of notices as mail, SMS and SNS link to them.

Short links keep SMS text within its bytes: ``SHORT_LINK_BASE`` + a code
(e.g. ``https://sd.go.kr/s/k7``), or, without that setting, ``SITEURL/n/CODE``.
The homepage plugin writes a static redirect page for each code at
``n/CODE/``, so they work from any host; the office points SHORT_LINK_BASE at
the site's ``n/`` folder.

The codes (:func:`short_codes`) are the shortest that stay collision-free
and stable: the SMS notices are taken in order of their date (then slug);
each takes the shortest prefix of its slug's hash that no notice before it
took. So a code depends only on the notices dated before it: publishing new
notices never changes the code of one already sent. Only adding, removing or
renaming an SMS notice dated *before* others can move theirs.
"""

from __future__ import annotations

import hashlib
from itertools import count
from typing import Iterable, Iterator

_ALPHABET = "0123456789abcdefghijkmnpqrstuvwxyz"  # no l or o: read aloud over the phone
_DIGITS_PER_HASH = 40  # base-34 digits drawn from 208 bits of one sha256


def _code_digits(slug: str) -> Iterator[str]:
    """An endless stream of base-34 digits, a function of ``slug`` alone."""
    for round_number in count():
        seed = slug if round_number == 0 else f"{slug}\0{round_number}"
        number = int.from_bytes(hashlib.sha256(seed.encode()).digest()[:26], "big")
        for _ in range(_DIGITS_PER_HASH):
            number, digit = divmod(number, len(_ALPHABET))
            yield _ALPHABET[digit]


def short_codes(notices: Iterable) -> dict[str, str]:
    """slug -> short code for ``notices`` (those that carry SMS links; each
    with ``slug`` and ``date``): in order of (date, slug), each notice takes
    the shortest prefix of its digit stream not taken by a notice before it."""
    taken: set[str] = set()
    codes: dict[str, str] = {}
    for notice in sorted(notices, key=lambda n: (n.date, n.slug)):
        code = ""
        for digit in _code_digits(notice.slug):
            code += digit
            if code not in taken:
                break
        taken.add(code)
        codes[notice.slug] = code
    return codes


def sms_link_notices(notices: Iterable) -> list:
    """The notices that get a short link: the published ones with ``sms``."""
    return [notice for notice in notices if notice.published and notice.has("sms")]


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


def short_link_path(code: str) -> str:
    """Where the redirect page of ``code`` lives on the site."""
    return f"n/{code}"


def short_url(settings: dict, code: str) -> str:
    """The link an SMS carries for the notice of ``code``."""
    base = settings.get("SHORT_LINK_BASE")
    return f"{base}{code}" if base else site_url(settings, short_link_path(code))


def collector_url(settings: dict, path: str = "") -> str:
    """A URL on the collector service (``sotong serve``): unsubscribe, surveys."""
    base = (settings.get("COLLECTOR_URL") or "http://127.0.0.1:8080").rstrip("/")
    return f"{base}/{path.lstrip('/')}"
