"""twitter-text, loaded for all that reads web addresses in text as X does
(:func:`without_pkg_resources`: quickly): its extractor finds an address written without ``https://`` or
``www.`` (``sd.go.kr/notice``, ``naver.me/5abc``) by its list of top-level
domains, and the SNS feeds weigh posts with it (plugins/sns_sync).

:func:`bare_addresses` is the staff's check of such addresses in a notice's
text, which Markdown shows as words no resident can tap.
"""

from __future__ import annotations

import contextlib
import functools
import re
import sys
import types
from pathlib import Path


@contextlib.contextmanager
def without_pkg_resources():
    """twitter-text-parser imports setuptools' ``pkg_resources`` only to read
    its own ``emoji-test.txt`` with ``resource_string``; that import scans
    every installed distribution (about half a second, in every build). For
    the import, a stand-in that reads the file beside the module is enough;
    it is removed afterwards, so a later ``import pkg_resources`` is the real one."""
    if "pkg_resources" in sys.modules:
        yield
        return
    stand_in = types.ModuleType("pkg_resources")
    stand_in.resource_string = lambda module, name: (Path(sys.modules[module].__file__).parent / name).read_bytes()
    sys.modules["pkg_resources"] = stand_in
    try:
        yield
    finally:
        del sys.modules["pkg_resources"]


# The endings of the files staff name in a notice (신청서.hwp, 안내.pdf): a few are top-level domains too
# (.zip, .md, .py, .mov), which the extractor takes for an address.
FILE_ENDINGS = frozenset({"hwp", "hwpx", "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "zip", "txt", "csv",
                          "jpg", "jpeg", "png", "gif", "svg", "mp3", "mp4", "mov", "avi", "md", "py", "html", "htm"})
# A word that may hold an address without its beginning: letters or digits, a dot, two letters
_MAY_BE_ADDRESS = re.compile(r"[A-Za-z0-9-]\.[A-Za-z]{2}")
# The longest word looked in: the extractor's time grows with the square of a run of dots (a.b.c.d...)
LONGEST_WORD = 100


def bare_addresses(text: str) -> list[str]:
    """The web addresses of ``text`` written without ``https://`` or
    ``www.`` (``sd.go.kr/notice``, ``SD.GO.KR``, ``naver.me/5abc``), as
    twitter-text finds them, in order; not a file's name (``readme.md``),
    nor an email address, nor in a word over :data:`LONGEST_WORD` characters."""
    found = []
    for word in text.split():
        if len(word) > LONGEST_WORD or not _MAY_BE_ADDRESS.search(word):
            continue
        for address in (entry["url"] for entry in _extract_urls()(word)):
            if "://" not in address and not address.lower().startswith("www.") and not _file_name(address):
                found.append(address)
    return found


@functools.cache
def _extract_urls():
    """twitter-text's extractor, imported (a fifth of a second) when a word first may hold an address."""
    with without_pkg_resources():
        from twitter_text import extract_urls_with_indices
    return extract_urls_with_indices


def _file_name(address: str) -> bool:
    """Whether ``address`` (no path) is a file's name: its ending one of :data:`FILE_ENDINGS`."""
    return "/" not in address and address.rsplit(".", 1)[-1].lower() in FILE_ENDINGS
