"""Each plugin's ``__init__`` docstring says what the plugin owns, as the
next engineer looks for it there: its settings, its tables, its templates,
its commands and its routes. A command, route, table or template folder
added without a word in that docstring fails here."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PLUGINS = Path(__file__).resolve().parent.parent / "plugins"
NAMES = sorted(path.name for path in PLUGINS.iterdir() if (path / "__init__.py").is_file())
# a command added by add_lazy_command(group, "name", ...), as ("name", "module:attribute", help) of
# add_lazy_commands, or by click's decorators
COMMAND = re.compile(r"""add_lazy_command\(\s*\w+,\s*"([\w-]+)"|\(\s*"([\w-]+)",\s*"[\w.]+:\w+"|"""
                     r"""\.(?:command|group)\(\s*"([\w-]+)\"""")
ROUTE = re.compile(r"""add_(?:lean_)?(?:form_)?route\(\s*(?:"[A-Z]+",\s*)?"(/[^/"<]*)""")


def docstring(plugin: str) -> str:
    return ast.get_docstring(ast.parse((PLUGINS / plugin / "__init__.py").read_text(encoding="utf-8"))) or ""


def sources(plugin: str) -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in sorted((PLUGINS / plugin).rglob("*.py")))


@pytest.mark.parametrize("plugin", NAMES)
def test_the_docstring_names_what_the_plugin_owns(plugin):
    doc, code = docstring(plugin), sources(plugin)
    assert "Settings:" in doc, f"plugins/{plugin}/__init__.py: its docstring names no settings"
    if (PLUGINS / plugin / "templates").is_dir():
        assert f"templates/{plugin}_" in doc, f"plugins/{plugin}/__init__.py: its docstring names no templates"
    if "register_schema(" in code:
        assert "Tables:" in doc, f"plugins/{plugin}/__init__.py: its docstring names no tables"
    else:
        assert "No tables" in doc or "no tables" in doc.lower(), f"plugins/{plugin}/__init__.py: say it has no tables"
    for found in COMMAND.finditer(code):
        command = next(group for group in found.groups() if group)
        assert re.search(rf"\b{command}\b", doc), f"plugins/{plugin}/__init__.py: its docstring omits the command {command}"
    for found in ROUTE.finditer(code):
        assert found[1] in doc, f"plugins/{plugin}/__init__.py: its docstring omits the route {found[1]}"
