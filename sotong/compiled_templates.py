"""Templates compiled once and kept between builds: Jinja's bytecode cache in
a folder of the cache, named by the Jinja environment's settings.

Jinja's FileSystemBytecodeCache checks a template's source only, while
delimiters, ``trim_blocks``, ``autoescape``, ``finalize`` or extensions change
what a template compiles to; so the compiled templates live in a folder named
by a digest of JINJA_ENVIRONMENT and of Jinja's version, and the folders of
other settings are removed. Used when Pelican's content cache is on (the dev
default, and the devserver's builds); a rebuild then compiles no template
whose source is unchanged.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

FOLDER_NAME = "templates"


def keep_compiled_templates(settings: dict) -> None:
    """Give Pelican's Jinja environments a bytecode cache under CACHE_PATH
    when the content cache is on (CACHE_CONTENT and LOAD_CONTENT_CACHE) and
    the settings chose none."""
    environment = settings.get("JINJA_ENVIRONMENT") or {}
    if not (settings.get("CACHE_CONTENT") and settings.get("LOAD_CONTENT_CACHE")) or "bytecode_cache" in environment:
        return
    from jinja2 import FileSystemBytecodeCache

    folder = compiled_templates_folder(Path(settings["CACHE_PATH"]) / FOLDER_NAME, environment)
    settings["JINJA_ENVIRONMENT"] = {**environment, "bytecode_cache": FileSystemBytecodeCache(str(folder))}


def compiled_templates_folder(parent: Path, environment: dict) -> Path:
    """The folder of the templates compiled under ``environment`` (the
    JINJA_ENVIRONMENT setting) by this Jinja; folders of other environments
    are removed."""
    import jinja2

    described = repr(sorted((str(name), _described(value)) for name, value in environment.items()))
    folder = parent / hashlib.sha256(f"{jinja2.__version__}\n{described}".encode()).hexdigest()[:16]
    if parent.is_dir():
        for other in parent.iterdir():
            if other != folder:
                shutil.rmtree(other) if other.is_dir() else other.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _described(value) -> str:
    """A setting's value as text that is the same in every process: a
    function by its name (its repr holds its address), anything else by repr."""
    if callable(value) and hasattr(value, "__qualname__"):
        return f"{getattr(value, '__module__', '')}.{value.__qualname__}"
    return repr(value)
