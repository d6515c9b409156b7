"""Addresses of articles and pages computed once per build. Pelican formats
``url`` and ``save_as`` from the settings and the metadata again at every
access (each template's ``article.url``, every list, feed, short link and
section entry): at 5,000 notices that was a fifth of a rebuild.

The address is remembered per content object for the Pelican run (by its
status, slug and language: what may change after reading; an ``override_``
attribute still wins), and forgotten when the next run starts, since another
run may have other settings. A file's path relative to the content folder
(which Pelican works out with ``relpath`` for every address) is a pure
function of the two paths: for a path inside the folder it is the rest of the
path, else Pelican's. The slug of a name (the category's and the author's of
every article, in each address; ``slugify`` transliterates Korean, a third of
a rebuild's addresses) is a pure function of the name and the slug settings,
remembered for the process. An address pattern that names only ``{slug}``
(the notices' and pages') is formatted with the slug alone, not with the
metadata, path, date, author and category Pelican gathers for any pattern.
"""

from __future__ import annotations

import functools
import os
import string

from pelican import urlwrappers
from pelican.contents import Content

_pelicans_get_url_setting = Content.get_url_setting
_pelicans_relative_source_path = Content.get_relative_source_path
_pelicans_slugify = urlwrappers.slugify
_pelicans_expand_settings = Content._expand_settings
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


def _expand_settings_quickly(self, key: str, klass: str | None = None) -> str:
    pattern = str(self.settings[f"{klass or type(self).__name__}_{key}".upper()])
    if _names_only_slug(pattern):
        return pattern.format(slug=getattr(self, "slug", ""))
    return _pelicans_expand_settings(self, key, klass)


@functools.lru_cache(maxsize=None)
def _names_only_slug(pattern: str) -> bool:
    """True when formatting ``pattern`` reads no value but ``slug``."""
    try:
        fields = list(string.Formatter().parse(pattern))
    except ValueError:
        return False
    return all(name in (None, "slug") and "{" not in (spec or "") for _text, name, spec, _conversion in fields)


@functools.lru_cache(maxsize=None)
def _relative_source_path(content_path: str, source_path: str) -> str | None:
    inside = _normal_folder(content_path)
    rest = source_path[len(inside):]
    if (source_path.startswith(inside) and rest[:1] not in ("", "/") and os.sep == "/"
            and os.path.normpath(source_path) == source_path):
        return rest
    return _pelicans_relative_source_path(_PathOnly(content_path), source_path)


@functools.lru_cache(maxsize=None)
def _normal_folder(content_path: str) -> str:
    """``content_path`` made absolute and normal, with a separator at its end."""
    return os.path.join(os.path.abspath(content_path), "")


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


@functools.lru_cache(maxsize=None)
def _slug(name: str, regex_subs: tuple, preserve_case: bool, use_unicode: bool) -> str:
    return _pelicans_slugify(name, regex_subs=regex_subs, preserve_case=preserve_case, use_unicode=use_unicode)


def _slugify_once(value, regex_subs=(), preserve_case=False, use_unicode=False) -> str:
    try:
        return _slug(value, tuple(tuple(pair) for pair in regex_subs), preserve_case, use_unicode)
    except TypeError:  # a value that cannot be a key (not text)
        return _pelicans_slugify(value, regex_subs=regex_subs, preserve_case=preserve_case, use_unicode=use_unicode)


def forget_urls(*_args) -> None:
    """On a Pelican run's start: addresses of the run before are forgotten."""
    _remembered.clear()


def compute_urls_once() -> None:
    """Replace Content.get_url_setting and its formatting, its relative
    source path and the slugs of categories and authors (once; later calls
    do nothing)."""
    Content.get_url_setting = _get_url_setting_once
    Content._expand_settings = _expand_settings_quickly
    Content.get_relative_source_path = _relative_source_path_once
    urlwrappers.slugify = _slugify_once
