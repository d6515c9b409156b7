"""A cache of read notices for quick rebuilds, beside Pelican's content cache
and on when it is (CACHE_CONTENT and LOAD_CONTENT_CACHE, the dev default).

A file's entry is used while its size and modification time are unchanged
and nothing it may refer to has changed: audiences.yaml, and the names of the
files under content/ but the notices (images, also those put beside the
notices), which validation looks up, and the stamps of the SVG pictures,
which it reads (sotong.scripted_files); nor the code
that read it (Sotong's and the plugins' Python files, by their stamps: an
upgrade with a new rule checks every notice again), nor what rendered its
text (sotong.rendering: the MARKDOWN setting, Markdown's and Pelican's
versions, the files of the extensions it names).

Only a notice read without a problem is kept, with the warnings its file
alone decides (sotong.advice.file_warnings, or None for a draft): a problem's
message is in the language of the run that found it, and a run in another
SOTONG_LANG says it in its own, so a file with problems (few, and fixed soon)
is read again; the warnings' language is part of the context, so a run in
another reads every file again.
The cache is one SQLite row per file (sotong.cache_rows), with the context
it was read in as the row named ""; a build saves the rows of the files it
read again and removes those of files gone, in one transaction, instead of
writing all of them again (a fortieth of a rebuild at 5,000 notices). A
cache that cannot be read (a file cut short) is discarded with a warning; a
row that cannot (another version's) is read again. The pickle a project
built before kept (``sotong-notices.pickle``) is removed when the cache is
written whole.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import pickle
from pathlib import Path
from typing import Iterator

from .cache_rows import discard, read_rows, save_rows
from .i18n import _, language
from .scripted_files import READ_INSIDE

FILE_NAME = "sotong-notices.sqlite"
FORMER_FILE_NAME = "sotong-notices.pickle"  # the whole cache as one pickle, before: removed when this one is written
_CONTEXT = ""  # the row holding the context the other rows were read in
log = logging.getLogger(__name__)


def file_stamp(path: str | os.PathLike) -> list[int]:
    """A file's modification time (ns) and size: the file changed when they did.
    Take it *before* reading the file, so that a save made while it is read
    is seen as a change next time."""
    status = os.stat(path)
    return [status.st_mtime_ns, status.st_size]


def _code_files(settings: dict) -> Iterator[str]:
    """The Python files of Sotong and of the project's plugins, in a steady order."""
    for folder in (os.path.dirname(__file__), *settings.get("PLUGIN_PATHS", [])):
        for root, dirs, files in os.walk(folder):
            dirs[:] = sorted(name for name in dirs if name != "__pycache__")
            yield from (os.path.join(root, name) for name in sorted(files) if name.endswith(".py"))


def _rendering(settings: dict) -> str:
    """What a notice's text is rendered with (sotong.rendering): the MARKDOWN
    setting as Pelican completes it, Markdown's and Pelican's versions, and
    the stamps of the files of the extensions it names by module (a
    project's own, beside its settings)."""
    import markdown
    import pelican

    from .pelican_plugin import text_markdown

    used = text_markdown(settings)
    files = [_module_file(name.split(":")[0]) for name in used["extensions"] if isinstance(name, str)]
    return repr((used, markdown.__version__, pelican.__version__,
                 [(path, file_stamp(path)) for path in files if path is not None]))


def _module_file(name: str) -> str | None:
    """The file of the module ``name``, if it is one outside Markdown's own extensions."""
    if name.startswith("markdown."):
        return None
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    return spec.origin if spec is not None and spec.origin and os.path.isfile(spec.origin) else None


class NoticeCache:
    """``(path) -> (notice, problems, warnings)`` for files unchanged since last time."""

    def __init__(self, settings: dict, notices_path: Path):
        self.enabled = bool(settings.get("CACHE_CONTENT"))
        self.file = Path(settings["CACHE_PATH"]) / FILE_NAME
        self.context = self._context(settings, notices_path) if self.enabled else None
        self.rows: dict[str, bytes] | None = None  # the file's rows, if it holds this context's
        if self.enabled and settings.get("LOAD_CONTENT_CACHE"):
            self.rows = self._read_rows()
        self.seen: set[str] = set()
        self.made: dict[str, tuple] = {}
        self._stamp_before_reading: dict = {}

    def _read_rows(self) -> dict[str, bytes] | None:
        try:
            rows = read_rows(self.file)
        except Exception as exc:  # sqlite3.DatabaseError: cut short, or not a database
            log.warning(_("%s: the notice cache cannot be read (%s: %s), cut short or from another version; it is discarded and every notice is read again"), self.file, type(exc).__name__, exc)
            discard(self.file)
            return None
        return rows if rows.pop(_CONTEXT, None) == self.context.encode() else None

    @staticmethod
    def _context(settings: dict, notices_path: Path) -> str:
        digest = hashlib.sha256()
        digest.update(repr(file_stamp(settings["AUDIENCES_PATH"])).encode())
        notices = os.path.join(notices_path, "")
        for root, dirs, files in os.walk(Path(settings["PATH"])):
            dirs.sort()
            among_notices = os.path.join(root, "").startswith(notices)
            for name in sorted(files):
                if not (among_notices and name.endswith(".md")):
                    path = os.path.join(root, name)
                    digest.update(path.encode())
                    if name.lower().endswith(READ_INSIDE):  # a script put into a linked SVG
                        digest.update(repr(file_stamp(path)).encode())
        for path in _code_files(settings):
            digest.update(f"{path}\0{file_stamp(path)}".encode())
        digest.update(_rendering(settings).encode())
        digest.update(language().encode())  # the words of the warnings kept
        return digest.hexdigest()

    def get(self, path: Path, stamp: list[int] | None = None):
        """The cached (notice, problems, warnings) of an unchanged file, else None;
        ``stamp``: the file's, if just taken."""
        if not self.enabled:
            return None
        key = str(path)
        stamp = stamp or file_stamp(key)
        entry = self._entry(key)
        if entry is not None and entry[0] == stamp:
            self.seen.add(key)
            return entry[1]
        self._stamp_before_reading[key] = stamp
        return None

    def _entry(self, key: str):
        row = self.rows.get(key) if self.rows is not None else None
        if row is None:
            return None
        try:
            return pickle.loads(row)
        except Exception as exc:  # made by another version of a class it holds: read the file again
            log.debug("%s: notice cache row not read (%s: %s)", key, type(exc).__name__, exc)
            return None

    def put(self, path: Path, result) -> None:
        """Keep what was read of ``path`` since ``get`` missed, under the
        file's stamp of that moment, when it has no problem (its row, if it
        had one, is then removed: it is read again next time); nothing for
        what ``get`` gave."""
        key = str(path)
        if self.enabled and not result[1] and key not in self.seen:
            self.seen.add(key)
            self.made[key] = (self._stamp_before_reading.pop(key, None) or file_stamp(key), result)

    def save(self) -> None:
        """Save the rows of the files read again, remove those of files this
        run did not see; all rows again if the file's were of another context."""
        if not self.enabled:
            return
        changed = {key: pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL) for key, entry in self.made.items()}
        if self.rows is None:
            save_rows(self.file, {**changed, _CONTEXT: self.context.encode()}, clear=True)
            discard(self.file.with_name(FORMER_FILE_NAME))
            return
        gone = [key for key in self.rows if key not in self.seen]
        if changed or gone:
            save_rows(self.file, changed, gone)
