"""The layout of every command's ``--help`` in a terminal's columns, where a
Hangul syllable (East Asian Wide or Fullwidth) takes two and a combining
mark none: click measures by characters, so Korean help was wrapped at 78
characters (lines of up to 140 columns, folded by the terminal mid-word), a
Korean metavar (``--host 주소``) pushed its text out of the options' column,
and a command's short help was cut by its characters.

:class:`DisplayWidthFormatter` is click's help formatter measuring by
:func:`display_width` (wcwidth's reading of the Unicode tables): it wraps at
spaces (:func:`wrap`; a word wider than a line is broken between its
characters, Hangul between its syllables), lines its lists' texts up at one
column and cuts a command's short help to its one line (:func:`shorten`).
:func:`lay_out_help_by_display_width` makes it the formatter of every click
context of the process: ``Context.formatter_class`` is not a context
setting, and each subcommand's context is made by its own command's class.
"""

from __future__ import annotations

from contextlib import contextmanager

import click

from .i18n import _

# wcwidth is imported by the functions that measure: every command imports
# this module, and only a help (or a usage line) needs it (12 ms at start).


def display_width(text: str) -> int:
    """The columns a terminal gives ``text``."""
    import wcwidth

    return wcwidth.width(text)


def wrap(text: str, width: int, indent: str = "", first_indent: str | None = None) -> list[str]:
    """``text``'s words in lines of at most ``width`` columns, indents
    included, each line as full as it can be; broken at spaces, a word wider
    than a line broken between its characters. ``indent`` starts each line,
    ``first_indent`` the first one instead."""
    import wcwidth

    return wcwidth.wrap(text, width, initial_indent=indent if first_indent is None else first_indent,
                        subsequent_indent=indent, break_on_hyphens=False, propagate_sgr=False)


def shorten(text: str, width: int) -> str:
    """``text`` on one line of at most ``width`` columns: its words that fit
    and "..." when some did not."""
    import wcwidth

    lines = wcwidth.wrap(" ".join(text.split()), width, max_lines=1, placeholder="...", break_on_hyphens=False,
                         propagate_sgr=False)
    return lines[0] if lines else ""


def _paragraphs(text: str):
    """The paragraphs of a help text: its lines between empty ones."""
    paragraph: list[str] = []
    for line in [*text.expandtabs().splitlines(), ""]:
        if line:
            paragraph.append(line)
        elif paragraph:
            yield paragraph
            paragraph = []


def wrap_paragraphs(text: str, width: int, indent: str = "") -> list[str]:
    """A help text in lines of at most ``width`` columns as click lays it
    out: each paragraph wrapped at its first line's indent, an empty line
    between paragraphs, a paragraph whose first line is ``\\b`` kept line by
    line as written."""
    lines: list[str] = []
    for paragraph in _paragraphs(text):
        if lines:
            lines.append("")
        if paragraph[0].strip() == "\b":
            lines.extend(indent + line for line in paragraph[1:])
            continue
        own_indent = " " * (len(paragraph[0]) - len(paragraph[0].lstrip(" ")))
        lines.extend(wrap(" ".join(line.strip() for line in paragraph), width, indent + own_indent))
    return lines


class DisplayWidthFormatter(click.HelpFormatter):
    """click's help formatter measuring in columns: its usage line, texts and
    lists (options, commands) wrapped and lined up by :func:`display_width`;
    the commands' list has each command's short help cut to its one line."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.heading = ""

    @contextmanager
    def section(self, name: str):
        outer, self.heading = self.heading, name
        try:
            with super().section(name):
                yield
        finally:
            self.heading = outer

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        if prefix is None:
            prefix = _("Usage:") + " "
        usage = f"{prefix:>{self.current_indent}}{prog} "
        text_width = self.width - self.current_indent
        if not args:
            lines = [usage.rstrip(" ")]
        elif text_width >= display_width(usage) + 20:  # the arguments to the right of the usage
            lines = wrap(args, text_width, " " * display_width(usage), first_indent=usage)
        else:
            indent = " " * (max(self.current_indent, display_width(prefix)) + 4)
            lines = [usage.rstrip(" "), *wrap(args, text_width, indent)]
        self.write("".join(line + "\n" for line in lines))

    def write_text(self, text: str) -> None:
        self.write("\n".join(wrap_paragraphs(text, self.width, " " * self.current_indent)) + "\n")

    def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:
        rows = list(rows)
        if not rows:
            return
        first_col = min(max(display_width(term) for term, _text in rows), col_max) + col_spacing
        text_width = max(self.width - first_col - 2, 10)
        text_indent = " " * (first_col + self.current_indent)
        for term, text in rows:
            self.write(" " * self.current_indent + term)
            if not text:
                self.write("\n")
                continue
            if self.heading == _("Commands"):  # a short help, cut by click already, by its characters
                line = shorten(text, text_width)  # click's "..." after a sentence's full stop: one "..." ("time....")
                lines = [line[:-3].rstrip(".") + "..." if line.endswith("...") else line]
            else:
                lines = wrap_paragraphs(text, text_width) or [""]
            term_width = display_width(term)
            fits = term_width <= first_col - col_spacing
            self.write(" " * (first_col - term_width) if fits else "\n" + text_indent)
            self.write(lines[0] + "\n" + "".join(f"{text_indent}{line}".rstrip() + "\n" for line in lines[1:]))


def lay_out_help_by_display_width() -> None:
    """Every click context of the process makes its help with :class:`DisplayWidthFormatter`."""
    click.Context.formatter_class = DisplayWidthFormatter
