"""docs/signals.md documents every signal of sotong/signals.py: a row of its
table (who sends it, what it receives and returns, which plugins use it)
and a section of its own with When, Receives, Returns and Used by, so that a
signal added without its documentation fails here."""

from __future__ import annotations

import re
from pathlib import Path

from blinker import NamedSignal

from sotong import signals

DOC = (Path(__file__).resolve().parent.parent / "docs" / "signals.md").read_text(encoding="utf-8")


def sotong_signals() -> list[str]:
    return sorted(name for name, value in vars(signals).items() if isinstance(value, NamedSignal))


def section(name: str) -> str:
    """The text under ``## name``, up to the next heading."""
    found = re.search(rf"^## {name}\n(.*?)(?=^## |\Z)", DOC, re.M | re.S)
    return found.group(1) if found else ""


def test_every_signal_has_a_row_and_a_section_saying_what_it_receives_and_returns():
    names = sotong_signals()
    assert len(names) >= 15 and "delivered_since" in names
    for name in names:
        row = re.search(rf"^\| `{name}` \|(.*)\|$", DOC, re.M)
        assert row and len(row.group(1).split(" | ")) == 4, f"docs/signals.md: no table row for {name}"
        text = section(name)
        for part in ("**When:**", "**Receives:**", "**Returns:**", "**Used by:**"):
            assert part in text, f"docs/signals.md: the section of {name} lacks {part}"
        assert "```python" in text, f"docs/signals.md: the section of {name} shows no receiver"


def test_every_documented_signal_exists():
    rows = re.findall(r"^\| `(\w+)` \|", DOC, re.M)
    assert sorted(rows) == sotong_signals()
