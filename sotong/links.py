"""Addresses of notices as mail, SMS and SNS link to them.

In plain text (an email's text part, an SMS) a link is written in ASCII
(:func:`ascii_url`): many mail programs end a link at its first Hangul.

Short links keep SMS text within its bytes: ``SHORT_LINK_BASE`` + a code
(e.g. ``https://sd.go.kr/s/k7``), or, without that setting, ``SITEURL/n/CODE``.
The homepage plugin writes a static redirect page for each code at
``n/CODE/``, so they work from any host; the office points SHORT_LINK_BASE at
the site's ``n/`` folder.

Click links (:func:`click_url`, with ``CLICK_COUNTING = True``): a notice's
link in an email or SMS (only in an email with ``CLICK_COUNTING = "email"``:
a counting link is some 25 bytes longer than a short link, and a text the
length SPEC §6 promises one SMS becomes an LMS) goes through the collector's ``/c/KEY/CODE``, which
counts the click for the bundle KEY, the notice and the channel and sends
the reader on. CODE names the channel and the notice (its slug in an email,
its short code in an SMS, where bytes count) with a short tag made with
SOTONG_SECRET, so made-up links count nothing; nothing in it names a reader.

The codes (:func:`short_codes`) are the shortest that stay collision-free
and stable: the SMS notices are taken in order of their date (then slug);
each takes the shortest prefix of its slug's hash that no notice before it
took. So a code depends only on the notices dated before it: publishing new
notices never changes the code of one already sent. Adding an SMS notice
dated *before* others (a draft published, a notice written late) could move
theirs: it took the code a text already sent carried for another notice,
whose short link then led to it, and a text bundled again came out a byte
longer (at times an LMS). So the codes texts were composed with are kept
(:func:`texted_codes`: ``sotong bundles`` adds them to the project's ledger
of texted codes, :mod:`sotong.code_ledger`, which outlives the outboxes
that retention purges, and writes each outbox's, SENT_CODES_FILE, which the
ledger takes in) and go first: a notice texted keeps its code, no other
notice ever takes a code texted (it is held, its notice a draft or gone),
and the others take the shortest prefixes left. Every code texted keeps a
page (:func:`texted_destinations`): the notice it was texted for, found
by its slug, or renamed by its file or, its file gone, its title; or, the
notice no longer posted, a page that says so. Only the code of a notice
never texted can still move, when an SMS notice dated before it is removed,
renamed or made a draft. A code that
gets shorter so keeps leading to its notice from a preview or test copy:
:func:`former_codes` gives each notice its code one digit longer too,
where no notice holds that, and the homepage plugin writes its redirect page.

A link written in a notice's text to the site (``{filename}other.md``,
``../other-notice/``, ``/privacy/``) works on its page but leads nowhere in
an email, which has no page to be read from: :func:`text_link_url` gives it
its full address (a private notice's whole text goes by email, SPEC §16).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import unicodedata
from itertools import count, islice
from pathlib import Path
from typing import Iterable, Iterator
from urllib.parse import quote, unquote, urljoin, urlsplit, urlunsplit

from .code_ledger import TextedCode, read_ledger
from .tokens import short_tag, tag_matches

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


def short_codes(notices: Iterable, sent: dict[str, str] | None = None, held: Iterable[str] = ()) -> dict[str, str]:
    """slug -> short code for ``notices`` (those that carry SMS links; each
    with ``slug`` and ``date``): a notice in ``sent`` (:func:`sent_codes`)
    keeps the code its texts carry (one that can be its own); then, in order
    of (date, slug), each other takes the shortest prefix of its digit
    stream taken neither by a notice before it nor by a code sent or
    ``held`` (every code texted, :func:`texted_codes`: its link leads to
    the notice it was texted for, or says that notice is gone)."""
    notices = sorted(notices, key=lambda n: (n.date, n.slug))
    kept = {n.slug: sent[n.slug] for n in notices if n.slug in (sent or {}) and code_fits(sent[n.slug], n.slug)}
    taken: set[str] = {*kept.values(), *held}
    codes: dict[str, str] = {}
    for notice in notices:
        code = kept.get(notice.slug, "")
        if not code:
            for digit in _code_digits(notice.slug):
                code += digit
                if code not in taken:
                    break
        taken.add(code)
        codes[notice.slug] = code
    return codes


SENT_CODES_FILE = "short-codes.json"  # in an outbox: {slug: short code} of the notices its texts carry


def outbox_codes(settings: dict) -> dict[str, str]:
    """slug -> the short code that texts already composed carry for it, from
    every outbox's SENT_CODES_FILE under OUTBOX_PATH, the newest first: a
    notice texted with two codes keeps its last, a code two notices were
    texted with (before codes were kept) goes to the last one."""
    written = []
    for path in Path(settings.get("OUTBOX_PATH") or "outbox").glob(f"*/{SENT_CODES_FILE}"):
        if path.parent.name.startswith("."):  # an outbox being written (its texts are not there yet)
            continue
        try:
            written.append((path.stat().st_mtime, path.parent.name, json.loads(path.read_text(encoding="utf-8"))))
        except (OSError, ValueError):
            continue  # an outbox being replaced, or a file mangled by hand: its codes are not kept
    latest, holder = {}, {}
    for _time, _name, codes in sorted(written, key=lambda entry: entry[:2]):
        for slug, code in (codes.items() if isinstance(codes, dict) else ()):
            if isinstance(slug, str) and isinstance(code, str):
                latest[slug], holder[code] = code, slug
    return {slug: code for slug, code in latest.items() if holder[code] == slug}


def texted_codes(settings: dict) -> dict[str, TextedCode]:
    """code -> what it was texted for: the ledger of texted codes
    (:mod:`sotong.code_ledger`, which outlives the outboxes), and the codes
    of outboxes whose texts were composed before the ledger was kept
    (:func:`outbox_codes`; ``sotong bundles`` takes them into the ledger)
    first, whose file, title and day are not known."""
    ledger = read_ledger(settings)
    earlier = {code: TextedCode(slug, "", "", "") for slug, code in outbox_codes(settings).items() if code not in ledger}
    return {**earlier, **ledger}


def sent_codes(settings: dict, texted: dict[str, TextedCode] | None = None) -> dict[str, str]:
    """slug -> the code texts already composed carry for it (of ``texted``,
    :func:`texted_codes` read when not given): a notice texted with two
    codes keeps the last it was texted with."""
    latest = {}
    for code, entry in (texted_codes(settings) if texted is None else texted).items():
        latest[entry.slug] = code
    return latest


def site_short_codes(settings: dict, notices: Iterable, texted: dict[str, TextedCode] | None = None) -> dict[str, str]:
    """slug -> short code of the SMS notices among ``notices`` (the site's),
    the codes texts were composed with kept and held (:func:`short_codes`;
    ``texted``: :func:`texted_codes`, read when not given)."""
    texted = texted_codes(settings) if texted is None else texted
    return short_codes(sms_link_notices(notices), sent_codes(settings, texted), texted)


def texted_destinations(texted: dict[str, TextedCode], shown: Iterable, notices: Iterable,
                         content_path: str) -> dict[str, str | None]:
    """code -> the slug of the notice its link leads to (of ``shown``, the
    notices that have a page), or None when the notice texted is no longer
    posted (a draft, removed): the notice of its slug; else, its slug
    changed (``slug:`` edited), the notice read from its file; else, its
    file gone (renamed or removed), the one notice shown with its title.
    ``notices``: every notice, drafts too; each with ``slug``, ``title``
    and ``source``, its file, found under ``content_path``."""
    shown = list(shown)
    slugs = {notice.slug for notice in shown}
    if all(entry.slug in slugs for entry in texted.values()):  # every notice texted still posted: the usual case
        return {code: entry.slug for code, entry in texted.items()}
    by_file = {notice_file(content_path, notice.source): notice.slug for notice in shown}
    files = {notice_file(content_path, notice.source) for notice in notices}
    by_title: dict[str, list[str]] = {}
    for notice in shown:
        by_title.setdefault(notice.title, []).append(notice.slug)
    destinations: dict[str, str | None] = {}
    for code, entry in texted.items():
        file = _same_form(entry.source)
        if entry.slug in slugs:
            destinations[code] = entry.slug
        elif entry.source and file in by_file:
            destinations[code] = by_file[file]
        elif entry.source and file not in files and len(by_title.get(entry.title, ())) == 1:
            destinations[code] = by_title[entry.title][0]
        else:
            destinations[code] = None
    return destinations


def notice_file(content_path: str, source: str) -> str:
    """A notice's file as the ledger of texted codes names it: relative to
    ``content_path``, with "/", in one Unicode form (a Korean name typed on
    a Mac is decomposed)."""
    return _same_form(os.path.relpath(os.path.abspath(source), os.path.abspath(content_path)))


def _same_form(path: str) -> str:
    return unicodedata.normalize("NFC", path.replace(os.sep, "/"))


def former_codes(codes: dict[str, str]) -> dict[str, str]:
    """slug -> its code (``codes``: :func:`short_codes`') one digit longer,
    for each notice whose longer code no notice holds: the one it had while
    a notice dated before it, since removed, held its code, as texts already
    sent still carry it."""
    held, former = set(codes.values()), {}
    for slug, code in codes.items():
        longer = _code_prefix(slug, len(code) + 1)
        if longer not in held:
            former[slug] = longer
    return former


def code_fits(code: str, slug: str) -> bool:
    """Whether ``code`` can be (or have been) the short code of ``slug``: a
    prefix of its digits, whichever notices were published around it."""
    return bool(code) and _code_prefix(slug, len(code)) == code


def _code_prefix(slug: str, length: int) -> str:
    """The first ``length`` digits of ``slug``'s stream: its code, were that long enough to be free."""
    return "".join(islice(_code_digits(slug), length))


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


_FILENAME_LINK = re.compile(r"\{filename\}|\|filename\|")


def text_link_url(settings: dict, content, notice, href: str) -> str | None:
    """The full address (as SITEURL makes it) of a link written in the text of
    ``notice``: ``{filename}PATH`` the page made of that file of content/
    (None when it makes none: a private or draft notice, a draft page, no
    such file), any other the address it has from the notice's page."""
    path = linked_file(settings, notice, href)
    if path is None:
        return urljoin(notice_url(settings, notice.slug), href)
    parts = urlsplit(href)
    url = file_url(settings, content, path)
    return None if url is None else urlunsplit(urlsplit(url)._replace(query=parts.query, fragment=parts.fragment))


def linked_file(settings: dict, notice, href: str) -> str | None:
    """The file of content/ (absolute) that ``{filename}PATH``, written in
    the text of ``notice``, links, as Pelican finds it; None for another link."""
    written = _FILENAME_LINK.match(href)
    if written is None:
        return None
    path = unquote(urlsplit(href[written.end():]).path)
    folder = settings["PATH"] if path.startswith("/") else os.path.dirname(notice.source)
    return text_file_stored(settings["PATH"], os.path.abspath(os.path.join(folder, path.lstrip("/"))))


def text_file_stored(content_path: str, path: str) -> str:
    """``path`` (absolute), or, when no file is there, the notice or page
    file (``.md``) under ``content_path`` it names in letters stored in
    another Unicode form (:func:`sotong.content_files.stored_otherwise`: a
    Korean name made on a Mac is decomposed, NFD, one typed on Windows
    composed, NFC). Its page's address is made of its composed name, the
    same either way, so a link typed in either form leads to it (a picture
    or a file, served by its name, is not found so)."""
    from .content_files import stored_otherwise

    root = os.path.join(os.path.abspath(content_path), "")
    if not path.endswith(".md") or not path.startswith(root) or os.path.exists(path):
        return path
    stored = stored_otherwise(root, os.path.relpath(path, root))
    return os.path.join(root, stored) if stored else path


def file_url(settings: dict, content, path: str) -> str | None:
    """The address of the page made of the notice or page file ``path``: None
    for a file that makes none (a private or draft notice, a draft page, no
    notice or page)."""
    linked = content.notice_read_from(path)
    if linked is not None:
        return notice_url(settings, linked.slug) if linked.published and not linked.private else None
    page = content.pages.get(path)
    if page is None or page.metadata.get("status") == "draft":
        return None
    return site_url(settings, settings["PAGE_URL"].format(slug=page_slug(settings, page)))


def page_slug(settings: dict, page) -> str:
    """The slug Pelican gives a static page: its ``slug:``, or made of its
    title or its file's name (SLUGIFY_SOURCE)."""
    from pelican.utils import slugify

    return str(page.metadata.get("slug") or slugify(
        page.metadata.get("title") if settings.get("SLUGIFY_SOURCE") == "title"
        else os.path.splitext(os.path.basename(page.source))[0],
        regex_subs=settings.get("SLUG_REGEX_SUBSTITUTIONS", []), preserve_case=settings.get("SLUGIFY_PRESERVE_CASE", False),
        use_unicode=settings.get("SLUGIFY_USE_UNICODE", False)))


_URL_SAFE = "!#$%&'()*+,/:;=?@[]~"  # reserved characters and escapes stay as they are
_HOST_PORT = re.compile(r"(?P<host>.*?)(?P<port>:\d*)?")
_KOREAN_OR_CHINESE = re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af\u3400-\u4dbf\u4e00-\u9fff]")


def ascii_url(url: str) -> str:
    """``url`` in ASCII, as a link in plain text must be: an IDN host in
    punycode, every other character outside ASCII (and a space)
    percent-encoded as UTF-8. Escapes already there are kept."""
    if url.isascii() and " " not in url:
        return url
    parts = urlsplit(url)
    userinfo, at, host_port = parts.netloc.rpartition("@")
    found = _HOST_PORT.fullmatch(host_port)
    host = found["host"]
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:  # not a valid IDN: escaped like the rest
            host = quote(host, safe=_URL_SAFE)
    netloc = f"{quote(userinfo, safe=_URL_SAFE)}{at}{host}{found['port'] or ''}"
    return urlunsplit((parts.scheme, netloc, *(quote(part, safe=_URL_SAFE) for part in parts[2:])))


def misleading_host(url: str) -> str | None:
    """The host a web address truly leads to, when it reads as another: a
    name before "@" (``https://www.gov.kr@evil.example/`` leads to
    evil.example), or a letter outside ASCII that is not Hangul or Chinese
    in its host (``https://аррӏе.com/``, Cyrillic letters that look Latin;
    given in ASCII, as the browser goes there: xn--80ak6aa92e.com); None
    for an address that leads where it reads (``https://성동구청.kr/``)."""
    netloc = urlsplit(url).netloc
    userinfo, at, host_port = netloc.rpartition("@")
    host = _HOST_PORT.fullmatch(host_port)["host"]
    if not at and not any(char.isalpha() and not char.isascii() and not _KOREAN_OR_CHINESE.match(char) for char in host):
        return None
    return urlsplit(ascii_url(f"//{host}")).hostname or host


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


CLICK_CHANNELS = {"email": "e", "sms": "s"}
CLICK_TAG_LENGTH = 5
_CLICK_CODE = re.compile(r"([es])([\w-]+)\.([a-z2-7]+)")


def _click_payload(bundle: str, channel: str, ref: str) -> str:
    return f"{bundle}\0{channel}\0{ref}"


def click_code(bundle: str, channel: str, ref: str) -> str:
    """CODE of ``/c/KEY/CODE``: the channel's letter, the notice's ``ref``, a tag."""
    return f"{CLICK_CHANNELS[channel]}{ref}.{short_tag('click', _click_payload(bundle, channel, ref), length=CLICK_TAG_LENGTH)}"


def read_click_code(bundle: str, code: str) -> tuple[str, str] | None:
    """(channel, notice ref) of a genuine CODE for ``bundle``; None otherwise."""
    match = _CLICK_CODE.fullmatch(code)
    if not match:
        return None
    channel = "email" if match.group(1) == "e" else "sms"
    if not tag_matches("click", _click_payload(bundle, channel, match.group(2)), match.group(3), minimum=CLICK_TAG_LENGTH):
        return None
    return channel, match.group(2)


CLICKS_IN_EMAIL_ONLY = "email"  # CLICK_COUNTING's value that leaves the SMS links short


def counts_clicks(settings: dict, channel: str) -> bool:
    """Whether the links of ``channel`` count clicks (CLICK_COUNTING)."""
    counting = settings.get("CLICK_COUNTING")
    return counting is True or (counting == CLICKS_IN_EMAIL_ONLY and channel == "email")


def click_url(settings: dict, bundle: str, channel: str, ref: str, target: str) -> str:
    """The link to put in a message: ``target`` itself, or, with
    CLICK_COUNTING (True: every channel; "email": emails only), the
    collector's counting link for bundle, channel and notice (``ref``: the
    slug in an email, the short code in an SMS)."""
    if not counts_clicks(settings, channel):
        return target
    return collector_url(settings, f"c/{quote(bundle, safe='')}/{quote(click_code(bundle, channel, ref), safe='.')}")
