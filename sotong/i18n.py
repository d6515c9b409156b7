"""The language of every message for people (SPEC §12): Korean by default,
English with ``SOTONG_LANG=en``.

Messages are written in English in the code, ``_("Cannot read the date
{value}").format(value=...)``, and translated through the gettext catalog
``sotong/locale/ko/LC_MESSAGES/sotong.po`` (``make catalogs`` extracts new
messages into it with Babel; ``make`` compiles it to the ``.mo`` read here).
The language is read from the environment at each call, so a test or a
subprocess can choose it; an unknown language falls back to English.
Click's own messages ("Usage:", "Show this message and exit.", its
command-line errors) are in the same catalog (``make catalogs`` reads click's
code too) and reach click through :func:`translate_click`.
"""

from __future__ import annotations

import functools
import gettext
import importlib
import os
from pathlib import Path

DOMAIN = "sotong"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DEFAULT_LANGUAGE = "ko"


def language() -> str:
    """The language messages are shown in: ``SOTONG_LANG`` ("ko", "en",
    "en_US.UTF-8" ...) reduced to its language code, Korean when unset."""
    chosen = os.environ.get("SOTONG_LANG", "").strip() or DEFAULT_LANGUAGE
    return chosen.split(".")[0].split("_")[0].split("-")[0].lower()


@functools.lru_cache(maxsize=None)
def translations(code: str) -> gettext.NullTranslations:
    """The compiled catalog of language ``code`` (English: the messages as written)."""
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[code], fallback=True)


def catalog_stamp() -> list[int] | None:
    """The modification time (ns) and size of the chosen language's compiled
    catalog, None for English (the code's own words): what a message said
    is what it says now while they hold."""
    try:
        status = os.stat(LOCALE_DIR / language() / "LC_MESSAGES" / f"{DOMAIN}.mo")
    except OSError:
        return None
    return [status.st_mtime_ns, status.st_size]


def _(message: str) -> str:
    """``message`` (English, as written in the code) in the chosen language."""
    return translations(language()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form of ``singular``/``plural`` for ``count``, in the chosen language."""
    return translations(language()).ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Mark ``message`` for the catalog without translating it yet (a table
    built at import time); translate it with ``_()`` where it is shown."""
    return message


CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "termui", "types", "utils",
                 "shell_completion")
# Click's words that it translates through a variable, out of the catalog's
# sight: "required" after an option's help ("[required]", click 8.2 and later).
CLICK_WORDS = (N_("required"),)


def translate_click() -> None:
    """Let click say its own messages in the chosen language: its modules
    call the ``gettext``/``ngettext`` they import at their top, which are
    pointed here at this catalog's."""
    for name in CLICK_MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = _
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext
