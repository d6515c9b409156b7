"""The rules of the feed formats the site publishes, as checks that list every
problem in a feed (empty: the feed is valid):

- Atom (RFC 4287): id, title and updated on the feed and on each entry, dates
  in RFC 3339, unique entry ids, an author for every entry, content or an
  alternate link on each entry, and absolute links when SITEURL is set;
- RSS 2.0: channel title, link and description; guid and link on each item,
  RFC 822 dates;
- JSON Feed 1.1: a JSON Schema written from https://www.jsonfeed.org/version/1.1/
  (version, title, items with id and content_html or content_text, RFC 3339
  dates, absolute URLs) and unique item ids.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from urllib.parse import urlsplit

import jsonschema
import lxml.etree
import lxml.html

ATOM = "{http://www.w3.org/2005/Atom}"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
_RFC3339 = re.compile(r"\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)")


def is_rfc3339(text: str) -> bool:
    """A date-time as RFC 3339 section 5.6 writes it (with its time offset)."""
    if not isinstance(text, str) or not _RFC3339.fullmatch(text):
        return False
    try:
        dt.datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def is_absolute_url(text: str) -> bool:
    if not isinstance(text, str):
        return False
    parts = urlsplit(text)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _parse_xml(data: bytes):
    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True)
    return lxml.etree.fromstring(data, parser)


def _html_links(html: str) -> list[str]:
    """The href and src values in an HTML fragment (a feed's content)."""
    if not html.strip():
        return []
    tree = lxml.html.fragment_fromstring(html, create_parent="div")
    return [value for element in tree.iter() for name, value in element.attrib.items() if name in ("href", "src")]


def _one(parent, tag: str, where: str, problems: list[str]):
    found = parent.findall(tag)
    name = tag.replace(ATOM, "atom:")
    if len(found) != 1:
        problems.append(f"{where}: needs exactly one {name}, has {len(found)}")
        return None
    return found[0]


def _atom_date(parent, tag: str, where: str, problems: list[str], required: bool = True) -> None:
    element = _one(parent, tag, where, problems) if required else parent.find(tag)
    if element is not None and not is_rfc3339((element.text or "").strip()):
        problems.append(f"{where}: {tag.replace(ATOM, 'atom:')} {element.text!r} is not an RFC 3339 date-time")


def atom_problems(data: bytes, absolute_links: bool) -> list[str]:
    """Every way ``data`` breaks RFC 4287 (the parts feed readers rely on)."""
    root = _parse_xml(data)
    if root.tag != f"{ATOM}feed":
        return [f"the root element is {root.tag}, not atom:feed"]
    problems: list[str] = []
    feed_id = _one(root, f"{ATOM}id", "feed", problems)
    if feed_id is not None and not urlsplit((feed_id.text or "").strip()).scheme:
        problems.append(f"feed: atom:id {feed_id.text!r} is not an IRI")
    _one(root, f"{ATOM}title", "feed", problems)
    _atom_date(root, f"{ATOM}updated", "feed", problems)
    feed_has_author = root.find(f"{ATOM}author") is not None
    links = [link.get("href", "") for link in root.findall(f"{ATOM}link")]
    seen: set[str] = set()
    for number, entry in enumerate(root.findall(f"{ATOM}entry"), start=1):
        where = f"entry {number}"
        entry_id = _one(entry, f"{ATOM}id", where, problems)
        if entry_id is not None:
            text = (entry_id.text or "").strip()
            if not urlsplit(text).scheme:
                problems.append(f"{where}: atom:id {text!r} is not an IRI")
            if text in seen:
                problems.append(f"{where}: atom:id {text!r} is used by an earlier entry")
            seen.add(text)
        _one(entry, f"{ATOM}title", where, problems)
        _atom_date(entry, f"{ATOM}updated", where, problems)
        _atom_date(entry, f"{ATOM}published", where, problems, required=False)
        if not feed_has_author and entry.find(f"{ATOM}author") is None:
            problems.append(f"{where}: has no atom:author, and neither has the feed")
        entry_links = entry.findall(f"{ATOM}link")
        alternate = [link for link in entry_links if link.get("rel", "alternate") == "alternate"]
        if entry.find(f"{ATOM}content") is None and not alternate:
            problems.append(f"{where}: has neither atom:content nor an alternate atom:link")
        links += [link.get("href", "") for link in entry_links]
        for text_construct in entry.findall(f"{ATOM}content") + entry.findall(f"{ATOM}summary"):
            if text_construct.get("type") == "html":
                links += _html_links(text_construct.text or "")
    if absolute_links:
        problems += [f"link {link!r} is not absolute (the site has a SITEURL)"
                     for link in links if not is_absolute_url(link) and not link.startswith(("mailto:", "tel:"))]
    return problems


def rss_problems(data: bytes, absolute_links: bool) -> list[str]:
    """Every way ``data`` breaks RSS 2.0's required elements."""
    root = _parse_xml(data)
    if root.tag != "rss" or root.get("version") != "2.0":
        return [f"the root element is <{root.tag} version={root.get('version')!r}>, not <rss version=\"2.0\">"]
    problems: list[str] = []
    channel = _one(root, "channel", "rss", problems)
    if channel is None:
        return problems
    for tag in ("title", "link", "description"):
        _one(channel, tag, "channel", problems)
    links = [channel.findtext("link", "")]
    seen: set[str] = set()
    for number, item in enumerate(channel.findall("item"), start=1):
        where = f"item {number}"
        guid = _one(item, "guid", where, problems)
        link = _one(item, "link", where, problems)
        if guid is not None:
            if guid.text in seen:
                problems.append(f"{where}: guid {guid.text!r} is used by an earlier item")
            seen.add(guid.text)
            if guid.get("isPermaLink", "true") == "true":
                links.append(guid.text or "")
        if link is not None:
            links.append(link.text or "")
        if item.find("title") is None and item.find("description") is None:
            problems.append(f"{where}: needs a title or a description")
        date = item.findtext("pubDate")
        if date is not None and email.utils.parsedate_tz(date) is None:
            problems.append(f"{where}: pubDate {date!r} is not an RFC 822 date")
    if absolute_links:
        problems += [f"link {link!r} is not absolute" for link in links if not is_absolute_url(link)]
    return problems


_URL = {"type": "string", "format": "uri"}
_AUTHOR = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "url": _URL, "avatar": _URL},
    "anyOf": [{"required": ["name"]}, {"required": ["url"]}, {"required": ["avatar"]}],
}
_ATTACHMENT = {
    "type": "object",
    "required": ["url", "mime_type"],
    "properties": {"url": _URL, "mime_type": {"type": "string"}, "title": {"type": "string"},
                   "size_in_bytes": {"type": "number"}, "duration_in_seconds": {"type": "number"}},
}
_ITEM = {
    "type": "object",
    "required": ["id"],
    "anyOf": [{"required": ["content_html"]}, {"required": ["content_text"]}],
    "properties": {
        "id": {"type": "string", "minLength": 1},
        "url": _URL, "external_url": _URL, "image": _URL, "banner_image": _URL,
        "title": {"type": "string"}, "summary": {"type": "string"},
        "content_html": {"type": "string"}, "content_text": {"type": "string"},
        "date_published": {"type": "string", "format": "date-time"},
        "date_modified": {"type": "string", "format": "date-time"},
        "authors": {"type": "array", "items": _AUTHOR},
        "tags": {"type": "array", "items": {"type": "string"}},
        "language": {"type": "string"},
        "attachments": {"type": "array", "items": _ATTACHMENT},
    },
}
JSON_FEED_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "JSON Feed 1.1",
    "type": "object",
    "required": ["version", "title", "items"],
    "properties": {
        "version": {"const": JSON_FEED_VERSION},
        "title": {"type": "string", "minLength": 1},
        "home_page_url": _URL, "feed_url": _URL, "next_url": _URL, "icon": _URL, "favicon": _URL,
        "description": {"type": "string"}, "user_comment": {"type": "string"},
        "authors": {"type": "array", "items": _AUTHOR},
        "language": {"type": "string"},
        "expired": {"type": "boolean"},
        "hubs": {"type": "array", "items": {"type": "object", "required": ["type", "url"]}},
        "items": {"type": "array", "items": _ITEM},
    },
}

_FORMATS = jsonschema.FormatChecker(formats=())
_FORMATS.checks("date-time")(is_rfc3339)
_FORMATS.checks("uri")(is_absolute_url)
_JSON_FEED = jsonschema.Draft202012Validator(JSON_FEED_SCHEMA, format_checker=_FORMATS)


def json_feed_problems(feed) -> list[str]:
    """Every way the parsed JSON ``feed`` breaks JSON Feed 1.1."""
    problems = [f"{'/'.join(map(str, error.absolute_path)) or 'feed'}: {error.message}"
                for error in sorted(_JSON_FEED.iter_errors(feed), key=lambda e: list(map(str, e.absolute_path)))]
    items = feed.get("items") if isinstance(feed, dict) else None
    if isinstance(items, list):
        ids = [item.get("id") for item in items if isinstance(item, dict)]
        problems += [f"items: id {item_id!r} is used by more than one item"
                     for item_id in sorted({i for i in ids if ids.count(i) > 1}, key=str)]
    return problems
