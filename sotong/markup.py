"""HTML made from what staff write, safe to publish: Markdown rendered, then
sanitized with nh3 (the Ammonia sanitizer), so that raw HTML typed into a
notice, page or banner (``<script>``, ``on*`` attributes, ``javascript:``
links, iframes, forms, styles) reaches no page, feed or email.

What notices need stays: headings, paragraphs, lists, tables (with their
column alignment), images, links (http, https, mailto, tel, relative ones and
Pelican's ``{filename}``/``{static}`` links), emphasis, code, footnotes and
abbreviations of Markdown's ``extra``.
"""

from __future__ import annotations

import nh3
from markdown import Markdown
from markupsafe import Markup

MARKDOWN = {"extensions": ["markdown.extensions.extra", "markdown.extensions.sane_lists"], "output_format": "html5"}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
_TABLE_CELL = {"style"}  # only text-align survives (filter_style_properties)
ATTRIBUTES = {
    **nh3.ALLOWED_ATTRIBUTES,
    "*": {"id", "class", "title", "lang"},
    "img": nh3.ALLOWED_ATTRIBUTES["img"] | {"title", "loading"},
    "th": nh3.ALLOWED_ATTRIBUTES["th"] | _TABLE_CELL,
    "td": nh3.ALLOWED_ATTRIBUTES["td"] | _TABLE_CELL,
}


def sanitized(html: str) -> Markup:
    """``html`` with everything but the allowed tags, attributes and link
    schemes removed, marked safe for Jinja's autoescaping. Idempotent."""
    return Markup(nh3.clean(str(html or ""), tags=nh3.ALLOWED_TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES,
                            link_rel=None, filter_style_properties={"text-align"}))


def markdown_html(text: str, converter: Markdown | None = None) -> Markup:
    """Markdown ``text`` as sanitized HTML; ``converter`` (reset here) saves
    building a Markdown instance for each text."""
    converter = converter or Markdown(**MARKDOWN)
    converter.reset()
    return sanitized(converter.convert(text))
