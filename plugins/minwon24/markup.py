"""A banner's Markdown body as HTML (site, newsletter, email) and as plain
text (the text part of an email)."""

from __future__ import annotations

import functools

from markupsafe import Markup

from sotong.markup import markdown_html
from sotong.notices import first_paragraph_text


@functools.lru_cache(maxsize=256)
def body_html(body: str) -> Markup:
    """The body rendered and sanitized (sotong.markup): staff's raw HTML
    never reaches a page or an email."""
    return markdown_html(body)


def body_text(body: str) -> str:
    """Every paragraph of the body as plain text, a blank line between them."""
    paragraphs = (first_paragraph_text(chunk) for chunk in body.split("\n\n"))
    return "\n\n".join(p for p in paragraphs if p)
