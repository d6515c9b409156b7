"""A banner's Markdown body as HTML (site, newsletter, email); the text part
of an email has it as sotong.markup.markdown_text."""

from __future__ import annotations

import functools

from markupsafe import Markup

from sotong.markup import headings_from, markdown_html


@functools.lru_cache(maxsize=256)
def body_html(body: str, headings_from_level: int) -> Markup:
    """The body rendered and sanitized (sotong.markup): staff's raw HTML
    never reaches a page or an email. Its headings (``## 신청 방법``) start
    at ``headings_from_level``, the level below the banner's title, and
    skip none, so a screen reader's list of the page's headings keeps them
    under it."""
    return headings_from(markdown_html(body), headings_from_level)
