"""Cells of CSV files the office opens in a spreadsheet: text that a
spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab, CR at
its start) is written as text instead."""

from __future__ import annotations

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell):
    """A text cell that a spreadsheet would run as a formula, made plain text."""
    return "'" + cell if isinstance(cell, str) and cell.startswith(_FORMULA_START) else cell
