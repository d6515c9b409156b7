"""The texts of notices and pages rendered when they are read, as the build
renders them: with the converter Pelican's Markdown reader makes from the
settings (their ``MARKDOWN``, and the extensions Pelican adds to it), through
:func:`sotong.markup.markdown_html`.

What Markdown or an extension refuses to read (an edge case the nesting
limits of sotong.validators do not foresee) stopped only the build, with
Pelican's "Could not process" (sotong.build says it as
:func:`unreadable_text`), and so did a link of Pelican's whose address
Python cannot read, however the text wrote it; read here, each is the same
problem, in the same words, for ``sotong check`` and every command, and the notice cache keeps
the notices that rendered (sotong.notice_cache), so an unchanged one is not
rendered again. The HTML of each text rendered is kept for the build's
reader (``Content.html``), which then does not render it a second time.
"""

from __future__ import annotations

import os
from html import unescape
from urllib.parse import urlsplit

from markupsafe import Markup

from .i18n import _
from .markup import markdown_html
from .problems import Problem, raised, shortened


def unreadable_text(shown: str, reason: str, line: int = 1) -> Problem:
    """The problem of the file ``shown`` whose text Markdown or Pelican could
    not read, at line 1 (Markdown says no line) or the text's first ``line``,
    with ``reason`` (what the exception said, shortened) and what to do."""
    return Problem(shown, line, _(
        "the file could not be read, so the build stopped and output/ is left as it was (Pelican: {reason}); "
        "split the notice into shorter ones, or remove the part copied from another program or web page, and "
        "build again").format(reason=shortened(reason)))


def unreadable_address(target: str) -> str:
    """What to say of Pelican's link ``target`` whose address Python cannot read."""
    return _('the link "{target}" cannot be read as an address (the server\'s name after "//" is broken: '
             'a "[" never closed); write the path of a file from content/ after {{filename}}, e.g. '
             "{{filename}}/notices/FILE.md, or a full address (https://...)").format(target=target)


class Renderer:
    """Renders the texts of one project's notices and pages; ``html``: each
    text rendered, by its file's absolute path."""

    def __init__(self, settings: dict):
        self.settings = settings
        self.html: dict[str, Markup] = {}
        self._texts: dict[str, Markup] = {}
        self._converter = self._links = None

    def text_html(self, text: str) -> Markup:
        """A plugin's Markdown ``text`` (a banner's body) rendered as the
        texts of notices are, with the project's MARKDOWN; each text once.
        Raises what Markdown or an extension raises on it (:meth:`text_problems`)."""
        html = self._texts.get(text)
        if html is None:
            html = self._texts[text] = markdown_html(text, self._converter or self._converter_made())
        return html

    def text_problems(self, text: str, shown: str, line: int) -> list[Problem]:
        """[] when :meth:`text_html` renders ``text``, a plugin's text from
        ``line`` of the file ``shown``; else the problem that would stop the build."""
        try:
            self.text_html(text)
        except Exception as exc:  # an extension's edge case (or one that does not load): anything it raises
            return [unreadable_text(shown, raised(exc), line)]
        return []

    def problems(self, path, source, shown: str) -> list[Problem]:
        """[] when the text of ``source`` (a notice or page: its ``body`` and
        ``body_line``), of the file ``path``, renders and Pelican can read
        its links (its HTML is kept), else what stops the build."""
        try:
            html = markdown_html(source.body, self._converter or self._converter_made())
        except Exception as exc:  # an extension's edge case (or one that does not load): anything it raises
            return [unreadable_text(shown, raised(exc))]
        if problems := self._unreadable_links(html, source, shown):
            return problems
        self.html[os.path.abspath(path)] = html
        return []

    def _converter_made(self):
        """The converter, made once (as the build's reader makes it for its first file)."""
        from markdown import Markdown

        from .pelican_plugin import pelican_links, text_markdown

        self._converter = Markdown(**text_markdown(self.settings))
        self._links = pelican_links(self.settings)
        return self._converter

    def _unreadable_links(self, html: str, source, shown: str) -> list[Problem]:
        """Each of Pelican's own links in the rendered ``html`` (``{index}...``,
        ``|tag|...``, in a link, a picture's src, a quote's cite) whose address
        Python cannot read: "{index}//[x", a server's name after "//" whose
        "[" is never closed. Pelican stopped the build on it with "ValueError:
        Invalid IPv6 URL", naming no file. Read in the HTML, it is found
        however the text wrote it (``&#91;`` for "[", the address on the line
        below the link's words); it is said at the first line of the text
        that holds it as read, else its ``{index}``, else the text's first."""
        problems = []
        for found in self._links.finditer(html) if "{" in html or "|" in html else ():
            try:
                urlsplit(found["value"])
            except ValueError:
                target = unescape(found["path"])
                marker = target[:len(target) - len(unescape(found["value"]))]
                lines = source.body.split("\n")
                number = next((index for index, line in enumerate(lines) if target in line),
                              next((index for index, line in enumerate(lines) if marker in line), 0))
                problems.append(Problem(shown, source.body_line + number, unreadable_address(target)))
        return problems
