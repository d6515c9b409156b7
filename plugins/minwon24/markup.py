"""A banner's Markdown body as HTML (site, newsletter, email) and as plain
text (an email's text part), rendered as the project renders the text of a
notice: with its MARKDOWN (``Content.text_html``, sotong.rendering)."""

from __future__ import annotations

from markupsafe import Markup

from sotong.markup import headings_from, html_text


def body_html(content, body: str, headings_from_level: int) -> Markup:
    """The body rendered and sanitized (sotong.markup) as the project's
    Content renders a text: staff's raw HTML never reaches a page or an
    email. Its headings (``## 신청 방법``) start at ``headings_from_level``,
    the level below the banner's title, and skip none, so a screen reader's
    list of the page's headings keeps them under it."""
    return headings_from(content.text_html(body), headings_from_level)


def body_text(content, body: str) -> str:
    """The body as an email's text part shows it (sotong.markup.html_text)."""
    return html_text(content.text_html(body))
