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


ROOT = Path(__file__).resolve().parent.parent
PLUGINS = sorted(path.name for path in (ROOT / "plugins").iterdir() if (path / "__init__.py").is_file())
CONNECTED = re.compile(r"connect_lazily\(\s*\w*signals\.(\w+)|signals\.(\w+)\.connect\(|signals\.(declare_schemas)\(")


def receivers() -> dict[str, set[str]]:
    """signal name -> the plugins that connect a receiver to it (Pelican's and Sotong's)."""
    found: dict[str, set[str]] = {}
    for plugin in PLUGINS:
        for path in (ROOT / "plugins" / plugin).rglob("*.py"):
            for match in CONNECTED.finditer(path.read_text(encoding="utf-8")):
                name = next(group for group in match.groups() if group)
                found.setdefault("store_schemas" if name == "declare_schemas" else name, set()).add(plugin)
    return found


def outside_parentheses(text: str) -> str:
    kept, depth = [], 0
    for char in text:
        depth += char == "("
        if not depth:
            kept.append(char)
        depth -= char == ")" and depth > 0
    return "".join(kept)


def test_used_by_names_the_plugins_that_connect_a_receiver():
    connected = receivers()
    for name in sotong_signals():
        used_by = outside_parentheses(section(name).split("**Used by:**")[1])
        named = {plugin for plugin in PLUGINS if re.search(rf"\b{plugin}\b", used_by)}
        expected = connected.get(name, set())
        if "every plugin" in used_by:
            named |= set(PLUGINS)
        assert named == expected, f"docs/signals.md: {name} is used by {sorted(expected)}; its Used by names {sorted(named)}"


def test_pelicans_signals_named_are_the_ones_connected():
    from pelican.plugins import signals as pelican_signals

    pelican_names = {name for name, value in vars(pelican_signals).items() if isinstance(value, NamedSignal)}
    text = section("Pelican's signals")
    named = set(re.findall(r"`(\w+)`", text)) & pelican_names
    core = set(re.findall(r"signals\.(\w+)\.connect", (ROOT / "sotong" / "pelican_plugin.py").read_text(encoding="utf-8")))
    used = {name for name, plugins in receivers().items() if name in pelican_names} | core
    assert named == used, f"docs/signals.md: Pelican's signals named {sorted(named - used)} unused, {sorted(used - named)} left out"
