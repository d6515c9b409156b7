"""The code's shape (issue #9): no function in sotong/ or plugins/ longer
than 60 lines, counted from its ``def`` line to its last line (a command's
click decorators declare its options, they are not its logic), so each one
can be read, tested and mutated on its own."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MOST_LINES = 60


def long_functions(source: str, shown: str, most: int = MOST_LINES) -> list[str]:
    """``FILE:LINE: NAME has N lines`` for each function of ``source`` over ``most``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            lines = node.end_lineno - node.lineno + 1
            if lines > most:
                found.append(f"{shown}:{node.lineno}: {node.name} has {lines} lines; split it to {most} or fewer")
    return found


def test_no_function_in_sotong_or_plugins_is_over_60_lines():
    found = []
    for folder in ("sotong", "plugins"):
        for path in sorted((REPO / folder).rglob("*.py")):
            found += long_functions(path.read_text(encoding="utf-8"), str(path.relative_to(REPO)))
    assert found == []


def test_the_checker_counts_a_function_from_its_def_line_to_its_end():
    body = "".join(f"    x{n} = {n}\n" for n in range(59))
    decorated = "@click.option('--a')\n@click.option('--b')\ndef f():\n" + body  # 60 lines from def
    assert long_functions(decorated, "a.py") == []
    assert long_functions(decorated + "    return 1\n", "a.py") == ["a.py:3: f has 61 lines; split it to 60 or fewer"]
    nested = "class C:\n    async def g(self):\n" + "".join(f"        y{n} = {n}\n" for n in range(60))
    assert long_functions(nested, "b.py") == ["b.py:2: g has 61 lines; split it to 60 or fewer"]
