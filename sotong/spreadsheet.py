"""CSV cells that are safe to open in a spreadsheet: formula injection
(CWE-1236) neutralized as OWASP recommends, and undone when Sotong reads a
CSV back, so that export and import round-trip exactly.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is one Excel and LibreOffice may run as a formula, and so is one that
starts with their full-width signs ``＝ ＋ － ＠`` (what a Korean IME types)
or has one of the signs after what shows nothing (spaces, U+00A0, U+200B,
U+FEFF...: spreadsheets drop leading white space in some locales), as
:func:`looks_like_formula` reads it; it is written with
a single quote in front (``'=HYPERLINK(...)``), which makes it text. A cell
that already starts with quotes followed by one of those gets one quote
more, so :func:`restored` (one quote less) gives back exactly what was
written. Numbers are written as they are (``-3`` stays a number).

Every CSV Sotong writes goes through :func:`writer`; every CSV it reads
back (subscribers, sms.csv) through :func:`restored`; :func:`without_records`
takes one person's rows out of a CSV and leaves the others' as written.

Every CSV Sotong reads names a row by the line it starts on (a quoted cell
may hold line breaks), as :func:`numbered_rows` counts it, and a cell
longer than the csv module reads as :func:`cell_too_long`.
"""

from __future__ import annotations

import csv
import io
from typing import Any, Callable, Iterable, Iterator

from .i18n import _
from .invisible import shows_nothing
from .problems import Problem, SotongError

FORMULA_SIGNS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")  # and their full-width forms ＝ ＋ － ＠
CONTROL_STARTS = ("\t", "\r")  # a cell starting with one of these is run as a formula whatever follows


def formula_start(text: str) -> str:
    """The character by which a spreadsheet may run ``text`` as a formula, ""
    when none: a tab or a CR first, or its first character that shows
    something (past spaces, U+00A0, U+200B, U+FEFF...:
    :func:`sotong.invisible.shows_nothing`) when that is a formula sign
    (= + - @ or ＝ ＋ － ＠). A quote first makes it text."""
    if text.startswith(CONTROL_STARTS):
        return text[0]
    for char in text:
        if not shows_nothing(char):
            return char if char in FORMULA_SIGNS else ""
    return ""


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet may run ``text`` as a formula (:func:`formula_start`)."""
    return formula_start(text) != ""


def neutralized(value: Any) -> Any:
    """``value`` as it is safe to write in a CSV cell: one quote more when,
    past its leading quotes, it looks like a formula."""
    if isinstance(value, str) and looks_like_formula(value.lstrip("'")):
        return "'" + value
    return value


def restored(text: str) -> str:
    """The value of a cell :func:`neutralized` wrote (a cell it did not change
    is returned as it is)."""
    if text.startswith("'") and looks_like_formula(text[1:].lstrip("'")):
        return text[1:]
    return text


class _NeutralizingWriter:
    """A :func:`csv.writer` whose every cell goes through :func:`neutralized`."""

    def __init__(self, rows):
        self._rows = rows

    def writerow(self, row: Iterable[Any]):
        return self._rows.writerow([neutralized(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(file, **options) -> _NeutralizingWriter:
    """``csv.writer(file, **options)`` that neutralizes formula cells."""
    return _NeutralizingWriter(csv.writer(file, **options))


def without_records(text: str, unwanted: Callable[[list[str]], bool]) -> tuple[str, int]:
    """``text`` (a CSV) without the records for which ``unwanted(cells)`` is
    true, and how many those were; the header (first record) and blank lines
    are kept, and every kept record is the text it was (its quoting, line
    ends and line breaks inside cells), so rows nobody asked about are not
    written again differently."""
    consumed: list[str] = []

    def lines() -> Iterator[str]:
        for line in io.StringIO(text, newline=""):
            consumed.append(line)
            yield line

    kept, dropped = [], 0
    for number, cells in enumerate(csv.reader(lines())):
        record = "".join(consumed)
        consumed.clear()
        if number and cells and unwanted(cells):
            dropped += 1
        else:
            kept.append(record)
    return "".join(kept + consumed), dropped


def numbered_rows(reader: Any, shown: str, before: int = 0) -> Iterator[tuple[int, list[str]]]:
    """(the line it starts on, its cells) of each row ``reader`` (a
    csv.reader) reads from where it is, its lines following line ``before``
    of the file ``shown``; an empty line is a row of no cells. A cell past
    the csv module's limit (a double quote never closed) raises SotongError
    naming the line its row starts on."""
    last_line = before + reader.line_num
    try:
        for cells in reader:
            line, last_line = last_line + 1, before + reader.line_num
            yield line, cells
    except csv.Error:  # a cell past the csv module's limit, in the row after last_line
        raise SotongError([cell_too_long(shown, last_line + 1)]) from None


def cell_too_long(shown: str, line: int) -> Problem:
    """The row starting on ``line`` has a cell longer than the csv module reads."""
    return Problem(shown, line, _("a cell of the row that starts on this line runs on past {limit} characters, longer than any cell may be; shorten it, or, if a double quote opens a cell there and is never closed, close it").format(
        limit=csv.field_size_limit()))
