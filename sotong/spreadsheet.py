"""CSV cells that are safe to open in a spreadsheet: formula injection
(CWE-1236) neutralized as OWASP recommends, and undone when Sotong reads a
CSV back, so that export and import round-trip exactly.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is one Excel and LibreOffice may run as a formula; it is written with
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
from .problems import Problem, SotongError

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _looks_like_formula(text: str) -> bool:
    """True when ``text``, without its leading quotes, starts like a formula."""
    return text.lstrip("'").startswith(FORMULA_STARTS)


def neutralized(value: Any) -> Any:
    """``value`` as it is safe to write in a CSV cell."""
    if isinstance(value, str) and _looks_like_formula(value):
        return "'" + value
    return value


def restored(text: str) -> str:
    """The value of a cell :func:`neutralized` wrote (a cell it did not change
    is returned as it is)."""
    if text.startswith("'") and _looks_like_formula(text[1:]):
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
