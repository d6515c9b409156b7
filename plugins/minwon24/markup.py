"""A banner's Markdown body as HTML (site, newsletter, email); the text part
of an email has it as sotong.markup.markdown_text."""

from __future__ import annotations

import functools

from markupsafe import Markup

from sotong.markup import markdown_html


@functools.lru_cache(maxsize=256)
def body_html(body: str) -> Markup:
    """The body rendered and sanitized (sotong.markup): staff's raw HTML
    never reaches a page or an email."""
    return markdown_html(body)
