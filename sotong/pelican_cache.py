"""Pelican's content cache (``CACHE_PATH``), updated rather than rewritten,
and safe against a build that is killed.

Pelican's own ``FileDataCacher`` keeps a cache as one (gzipped) pickle of
every entry, read whole and written whole at every build: at 5,000 notices
that was a tenth of a rebuild that read one notice again. Here a cache is a
SQLite file (``NAME.sqlite`` in CACHE_PATH) with one row per entry: a build
reads the rows and unpickles an entry only when it is asked for, and saves
only the entries it made, in one transaction (so a killed build leaves the
cache as the last complete save left it). A cache file that cannot be read
is discarded with a warning and the build reads everything again. Pelican's
own file of a cache (``NAME``, a build before this) is removed when its
rows are saved.

Each entry is pickled by itself; the settings it holds (Pelican's categories
and authors keep a reference to them) are pickled as a reference to the
settings in force when it is read, not copied into every entry. So is a
notice (an article's ``notice``) that the build's Content holds: as its
file's path, read back as the Content's notice of that file (the same
object, not a copy unpickled again for each of thousands of articles); an
entry whose notice the Content no longer holds as it was (the file was saved
since) is not used. Pelican's
``FileDataCacher`` methods are replaced once, for every generator, reader
and plugin that uses it.
"""

from __future__ import annotations

import io
import logging
import os
import pickle
from typing import Callable

from pelican.cache import FileDataCacher

from .cache_rows import discard, read_rows, save_rows
from .i18n import _

log = logging.getLogger(__name__)
_SETTINGS = "settings"
_NOTICE = "notice"
_notice_at: Callable | None = None  # the build Content's notice of a file, once make_crash_safe is given it


class _Entries(dict):
    """A cache's entries, unpickled when first asked for; which were set."""

    def __init__(self, pickled: dict, settings: dict):
        super().__init__()
        self._pickled, self._settings = pickled, settings
        self.changed: set = set()

    def get(self, name, default=None):
        if name in self._pickled:
            try:
                super().__setitem__(name, _unpickled(self._pickled.pop(name), self._settings))
            except Exception as exc:  # made by another version of a class it holds: read the file again
                log.debug("%s: cache entry not read (%s: %s)", name, type(exc).__name__, exc)
        return super().get(name, default)

    def __setitem__(self, name, value):
        self._pickled.pop(name, None)
        self.changed.add(name)
        super().__setitem__(name, value)


class _Pickler(pickle.Pickler):
    def __init__(self, file, settings):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._settings = settings

    def persistent_id(self, obj):
        if obj is self._settings:
            return _SETTINGS
        # a notice (its class found by name: notices are imported only when read) that the Content holds
        if _notice_at is not None and type(obj).__name__ == "Notice" and _notice_at(obj.source) is obj:
            return (_NOTICE, obj.source)
        return None


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, settings):
        super().__init__(file)
        self._settings = settings

    def persistent_load(self, pid):
        if pid == _SETTINGS:
            return self._settings
        if isinstance(pid, tuple) and len(pid) == 2 and pid[0] == _NOTICE:
            notice = _notice_at(pid[1]) if _notice_at is not None else None
            if notice is None:
                raise pickle.UnpicklingError(f"{pid[1]}: not the notice it was when cached")
            return notice
        raise pickle.UnpicklingError(f"unknown reference {pid!r}")


def _pickled(value, settings) -> bytes:
    out = io.BytesIO()
    _Pickler(out, settings).dump(value)
    return out.getvalue()


def _unpickled(data: bytes, settings):
    return _Unpickler(io.BytesIO(data), settings).load()


def _init_reading_rows(self, settings, cache_name, caching_policy, load_policy):
    self.settings = settings
    self._cache_path = os.path.join(settings["CACHE_PATH"], cache_name + ".sqlite")
    self._cache_data_policy = caching_policy
    self._cache = _Entries({}, settings)
    if load_policy:
        try:
            self._cache = _Entries(read_rows(self._cache_path), settings)
        except Exception as exc:  # sqlite3.DatabaseError: a file cut short or not a database
            log.warning(_("%s: the content cache cannot be read (%s: %s), probably because a build was stopped while writing it; it is discarded and this build reads every file again"), self._cache_path, type(exc).__name__, exc)
            discard(self._cache_path)


def _save_changed(self) -> None:
    entries = self._cache
    if not self._cache_data_policy or not entries.changed:
        return
    try:
        save_rows(self._cache_path, {name: _pickled(entries[name], self.settings) for name in entries.changed})
        entries.changed.clear()
        discard(self._cache_path.removesuffix(".sqlite"))  # Pelican's own file of the cache, of a build before
    except Exception as exc:  # sqlite3.Error, OSError, an entry that cannot be pickled
        log.warning(_("%s: could not save the content cache (%s); the last complete one is kept"), self._cache_path, exc)


def make_crash_safe(notice_at: Callable | None = None) -> None:
    """Replace FileDataCacher's reading and writing (once; later calls do
    nothing). ``notice_at(path)``: the build Content's notice of that file
    (None when it holds none, or holds it as read before the file was saved)."""
    global _notice_at
    if notice_at is not None:
        _notice_at = notice_at
    FileDataCacher.__init__ = _init_reading_rows
    FileDataCacher.save_cache = _save_changed
