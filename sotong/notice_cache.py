"""A cache of read notices for quick rebuilds, beside Pelican's content cache
and on when it is (CACHE_CONTENT and LOAD_CONTENT_CACHE, the dev default).

A file's entry is used while its size and modification time are unchanged
and nothing it may refer to has changed: audiences.yaml, and the names of the
other files under content/ (images), which validation looks up.
A cache that cannot be read (a build killed while writing it) is discarded
with a warning; it is written whole or not at all.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
from pathlib import Path

from .atomic import replacing
from .i18n import _

FILE_NAME = "sotong-notices.pickle"
log = logging.getLogger(__name__)


def file_stamp(path: str | os.PathLike) -> list[int]:
    """A file's modification time (ns) and size: the file changed when they did.
    Take it *before* reading the file, so that a save made while it is read
    is seen as a change next time."""
    status = os.stat(path)
    return [status.st_mtime_ns, status.st_size]


class NoticeCache:
    """``(path) -> (notice, problems)`` for files unchanged since last time."""

    def __init__(self, settings: dict, notices_path: Path):
        self.enabled = bool(settings.get("CACHE_CONTENT"))
        self.file = Path(settings["CACHE_PATH"]) / FILE_NAME
        self.context = self._context(settings, notices_path) if self.enabled else None
        self.entries: dict = {}
        if self.enabled and settings.get("LOAD_CONTENT_CACHE"):
            try:
                with open(self.file, "rb") as cached:
                    context, entries = pickle.load(cached)
                if context == self.context:
                    self.entries = entries
            except FileNotFoundError:
                pass  # the first run: read everything
            except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, ImportError) as exc:
                log.warning(_("%s: the notice cache cannot be read (%s: %s), cut short or from another version; it is discarded and every notice is read again"), self.file, type(exc).__name__, exc)
        self.fresh: dict = {}
        self._stamp_before_reading: dict = {}

    @staticmethod
    def _context(settings: dict, notices_path: Path) -> str:
        digest = hashlib.sha256()
        digest.update(repr(file_stamp(settings["AUDIENCES_PATH"])).encode())
        content = Path(settings["PATH"])
        for root, dirs, files in os.walk(content):
            if Path(root) == notices_path:
                dirs.clear()
                continue
            dirs.sort()
            for name in sorted(files):
                digest.update(os.path.join(root, name).encode())
        return digest.hexdigest()

    def get(self, path: Path):
        """The cached (notice, problems) of an unchanged file, else None."""
        if not self.enabled:
            return None
        key = str(path)
        stamp = file_stamp(key)
        entry = self.entries.get(key)
        if entry is not None and entry[0] == stamp:
            self.fresh[key] = entry
            return entry[1]
        self._stamp_before_reading[key] = stamp
        return None

    def put(self, path: Path, result) -> None:
        """Keep what was read of ``path`` since ``get`` missed, under the
        file's stamp of that moment."""
        if self.enabled:
            key = str(path)
            self.fresh[key] = (self._stamp_before_reading.pop(key, None) or file_stamp(key), result)

    def save(self) -> None:
        """Keep this run's entries (only files that still exist)."""
        if not self.enabled:
            return
        with replacing(self.file) as out:
            pickle.dump((self.context, self.fresh), out, protocol=pickle.HIGHEST_PROTOCOL)
