"""Addresses of articles and pages computed once per build. Pelican formats
``url`` and ``save_as`` from the settings and the metadata again at every
access (each template's ``article.url``, every list, feed, short link and
section entry): at 5,000 notices that was a fifth of a rebuild.

The address is remembered per content object for the Pelican run (by its
status, slug and language: what may change after reading; an ``override_``
attribute still wins), and forgotten when the next run starts, since another
run may have other settings. A file's path relative to the content folder
(which Pelican works out with ``relpath`` for every address) is a pure
function of the two paths, remembered for the process.
"""

from __future__ import annotations

import functools

from pelican.contents import Content

_pelicans_get_url_setting = Content.get_url_setting
_pelicans_relative_source_path = Content.get_relative_source_path
_remembered: dict[int, tuple[Content, dict]] = {}


def _get_url_setting_once(self, key: str) -> str:
    if hasattr(self, "override_" + key):
        return getattr(self, "override_" + key)
    held = _remembered.get(id(self))
    if held is None or held[0] is not self:
        held = _remembered[id(self)] = (self, {})  # held: its id is not reused during the run
    known = held[1]
    where = (key, self.status, getattr(self, "slug", None), self.in_default_lang)
    if where not in known:
        known[where] = _pelicans_get_url_setting(self, key)
    return known[where]


@functools.lru_cache(maxsize=None)
def _relative_source_path(content_path: str, source_path: str) -> str | None:
    return _pelicans_relative_source_path(_PathOnly(content_path), source_path)


class _PathOnly:
    """What Pelican's get_relative_source_path reads of a content object."""

    def __init__(self, content_path: str):
        self.settings = {"PATH": content_path}
        self.source_path = None


def _relative_source_path_once(self, source_path: str | None = None) -> str | None:
    source_path = source_path or self.source_path
    if source_path is None:
        return None
    return _relative_source_path(self.settings["PATH"], source_path)


def forget_urls(*_args) -> None:
    """On a Pelican run's start: addresses of the run before are forgotten."""
    _remembered.clear()


def compute_urls_once() -> None:
    """Replace Content.get_url_setting (once; later calls do nothing)."""
    Content.get_url_setting = _get_url_setting_once
    Content.get_relative_source_path = _relative_source_path_once
