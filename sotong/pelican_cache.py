"""Pelican's content cache (``CACHE_PATH``), made safe against a build that
is killed: a cache file that cannot be read (cut short, ``EOFError``) is
discarded with a warning and the build reads everything again, and every
cache file is written whole or not at all (:func:`sotong.atomic.replacing`).

Pelican's own ``FileDataCacher`` reads with ``pickle.load`` catching only
``OSError`` and ``PickleError``, and writes in place; its two methods are
replaced once, for every generator, reader and plugin that uses it.
"""

from __future__ import annotations

import logging
import os
import pickle

from pelican.cache import FileDataCacher

from .atomic import replacing
from .i18n import _

log = logging.getLogger(__name__)
_pelicans_init = FileDataCacher.__init__


def _init_discarding_unreadable(self, settings, cache_name, caching_policy, load_policy):
    try:
        _pelicans_init(self, settings, cache_name, caching_policy, load_policy)
    except Exception as exc:  # EOFError, a cut gzip stream, ValueError ...: a cache written only in part
        path = os.path.join(settings["CACHE_PATH"], cache_name)
        log.warning(_("%s: the content cache cannot be read (%s: %s), probably because a build was stopped while writing it; it is discarded and this build reads every file again"), path, type(exc).__name__, exc)
        try:
            os.unlink(path)
        except OSError:
            pass
        _pelicans_init(self, settings, cache_name, caching_policy, False)


def _save_whole(self) -> None:
    if not self._cache_data_policy:
        return
    try:
        with replacing(self._cache_path, self._cache_open) as out:
            pickle.dump(self._cache, out)
    except (OSError, pickle.PicklingError, TypeError, AttributeError) as exc:
        log.warning(_("%s: could not save the content cache (%s); the last complete one is kept"), self._cache_path, exc)


def make_crash_safe() -> None:
    """Replace FileDataCacher's reading and writing (once; later calls do nothing)."""
    FileDataCacher.__init__ = _init_discarding_unreadable
    FileDataCacher.save_cache = _save_whole
