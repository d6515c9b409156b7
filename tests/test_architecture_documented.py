"""The README's Architecture section names every module of ``sotong/`` and
every plugin of ``plugins/``, so that the next engineer finds each one
there: a module added without a word of what it owns fails here, and so
does one the section names that no longer exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def architecture() -> str:
    found = re.search(r"^## Architecture\n(.*?)^## ", README, re.M | re.S)
    assert found, "README.md has no Architecture section"
    return found.group(1)


def core_modules() -> set[str]:
    modules = {path.stem for path in (ROOT / "sotong").glob("*.py")} - {"__init__", "__main__"}
    return modules | {path.name for path in (ROOT / "sotong").iterdir() if (path / "__init__.py").is_file()}


def test_every_core_module_and_plugin_is_named():
    named = set(re.findall(r"`(?:sotong[./])?(\w+)", architecture()))
    plugins = {path.name for path in (ROOT / "plugins").iterdir() if (path / "__init__.py").is_file()}
    assert not core_modules() - named, f"README.md's Architecture names no {sorted(core_modules() - named)}"
    assert not plugins - named, f"README.md's Architecture names no plugin {sorted(plugins - named)}"


def test_every_core_module_it_names_exists():
    modules = set(re.findall(r"`sotong/(\w+)(?:\.py|/)?`", architecture()))
    assert modules <= core_modules(), f"README.md's Architecture names {sorted(modules - core_modules())}, gone"
