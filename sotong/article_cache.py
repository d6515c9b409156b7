"""Pelican's articles of unchanged notices, kept from one ``sotong build`` to
the next (``CACHE_PATH/ArticlesGenerator-articles.sqlite``).

Pelican's reader cache (sotong.pelican_cache) keeps what its reader returned
for a file, and a build still makes each article again from it: the
metadata from the file's path, the article (its date, slug and addresses),
the check that it is valid. At 5,000 notices that was a fifth of a rebuild
that read one notice again. Here the article itself is kept, pickled as
Pelican made it, before anything else in the build touched it (its
``translations``, which are other articles, among them), and a build takes
it as it is for a notice whose file has the stamp it had, and whose notice
the build's Content holds as it was (pelican_cache's reference to it).

The kept articles hold for what every page depends on as well (settings,
templates, plugins, Sotong itself, the day: the build state's inputs
digest), and for the Pelican and Python that made them (kept as the row
named ""): a build from other inputs takes none
and replaces them all. Only ``sotong build`` keeps articles (Pelican run by
itself makes each one), and only while no plugin listens to the signals
Pelican sends while it makes an article (it would not hear them for a kept
one). A row that cannot be read is made again; rows are saved as
pelican_cache saves its own (sotong.cache_rows): a killed build leaves the
last complete save.
"""

from __future__ import annotations

import io
import logging
import os
import pickle
import struct
import sys

from pelican import __version__ as pelican_version
from pelican import signals
from pelican.contents import Content
from pelican.generators import ArticlesGenerator
from pelican.urlwrappers import URLWrapper

from .cache_rows import discard, read_rows, save_rows
from .i18n import _

log = logging.getLogger(__name__)
FILE_NAME = "ArticlesGenerator-articles.sqlite"
_INPUTS = ""  # the row holding the inputs digest the other rows were made with
_STAMP = struct.Struct("<qq")  # a row starts with its file's stamp: modification time (ns) and size
# Pelican sends these while it makes an article; a plugin listening to one
# expects to hear it for every article.
_MAKING_SIGNALS = (signals.content_object_init, signals.article_generator_preread, signals.article_generator_context)
_pelicans_get_cached_data = ArticlesGenerator.get_cached_data
_pelicans_cache_data = ArticlesGenerator.cache_data


class KeptArticles:
    """The articles one build may take from the last, and those it made."""

    def __init__(self, settings: dict, context: dict, content, inputs: str):
        self.file = os.path.join(settings["CACHE_PATH"], FILE_NAME)
        self._settings, self._context, self._content, self._inputs = settings, context, content, inputs
        self._rows = self._read_rows()
        self._whole = self._rows is None  # every row is written again, from these inputs
        self.seen: set[str] = set()
        self.made: dict[str, bytes] = {}

    def _read_rows(self) -> dict[str, bytes] | None:
        try:
            rows = read_rows(self.file)
        except Exception as exc:  # sqlite3.DatabaseError: cut short, or not a database
            log.warning(_("%s: the kept articles cannot be read (%s: %s); every notice's article is made again"),
                        self.file, type(exc).__name__, exc)
            discard(self.file)
            return None
        return rows if rows.pop(_INPUTS, None) == self._inputs.encode() else None

    def article(self, path: str):
        """The kept article of the notice file at ``path`` (absolute), or None."""
        self.seen.add(path)
        row = self._rows.get(path) if self._rows is not None else None
        stamp = self._content.stamps.get(path)
        if row is None or stamp is None or list(_STAMP.unpack_from(row)) != list(stamp):
            return None
        try:
            return _Unpickler(io.BytesIO(row[_STAMP.size:]), self._settings, self._context, self._content).load()
        except Exception as exc:  # another version's classes, or its notice saved since: made again
            log.debug("%s: kept article not read (%s: %s)", path, type(exc).__name__, exc)
            return None

    def keep(self, path: str, article) -> None:
        """Keep the article just made of the notice file at ``path``."""
        stamp = self._content.stamps.get(path)
        if stamp is None or getattr(article, "notice", None) is None:
            return
        out = io.BytesIO(_STAMP.pack(*stamp))
        out.seek(0, io.SEEK_END)
        try:
            _Pickler(out, self._settings, self._context, self._content).dump(article)
        except pickle.PicklingError as exc:  # its notice saved since the build read it: made again next time
            log.debug("%s: article not kept (%s)", path, exc)
            return
        self.made[path] = out.getvalue()

    def save(self) -> None:
        """Save the articles made, without those of files gone; all again
        when the rows were of other inputs."""
        gone = [] if self._rows is None else [path for path in self._rows if path not in self.seen]
        if not (self.made or gone or self._whole):
            return
        try:
            if self._whole:
                save_rows(self.file, {**self.made, _INPUTS: self._inputs.encode()}, clear=True)
            else:
                save_rows(self.file, self.made, gone)
        except Exception as exc:  # sqlite3.Error, OSError, an article that cannot be pickled
            log.warning(_("%s: could not save the kept articles (%s); the last complete save is kept"), self.file, exc)


class _Pickler(pickle.Pickler):
    """Pickles an article without the build's settings and context (which
    it and its category and authors refer to) and with its notice as the
    notice file's path: the build that reads it back puts its own in."""

    def __init__(self, file, settings: dict, context: dict, content):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._settings, self._context, self._content = settings, context, content

    def reducer_override(self, obj):
        if isinstance(obj, (Content, URLWrapper)):
            state = dict(obj.__dict__)
            if state.pop("settings", None) is not self._settings or state.pop("_context", self._context) is not self._context:
                raise pickle.PicklingError(f"{obj!r}: not of this build's settings and context")
            return (_made_again, (type(obj), state))
        if type(obj).__name__ == "Notice" and hasattr(obj, "source"):  # notices are imported only when read
            if self._content.notice_at(obj.source) is not obj:
                raise pickle.PicklingError(f"{obj.source}: not the notice of this build")
            return (_notice, (obj.source,))
        return NotImplemented


def _made_again(cls, state):
    raise pickle.UnpicklingError("read only by article_cache's unpickler")


def _notice(source):
    raise pickle.UnpicklingError("read only by article_cache's unpickler")


class _Unpickler(pickle.Unpickler):
    """Reads what :class:`_Pickler` wrote, with this build's settings, context and notices."""

    def __init__(self, file, settings: dict, context: dict, content):
        super().__init__(file)
        self._settings, self._context, self._content = settings, context, content

    def find_class(self, module, name):
        if module == __name__ and name == "_made_again":
            return self._made_again
        if module == __name__ and name == "_notice":
            return self._notice
        return super().find_class(module, name)

    def _made_again(self, cls, state):
        made = cls.__new__(cls)
        made.__dict__.update(state)
        made.settings = self._settings
        if issubclass(cls, Content):
            made._context = self._context
        return made

    def _notice(self, source):
        notice = self._content.notice_at(source)
        if notice is None:
            raise pickle.UnpicklingError(f"{source}: not the notice it was when kept")
        return notice


def _kept_articles(generator) -> KeptArticles | None:
    return getattr(generator, "sotong_kept_articles", None)


def _get_cached_data(self, filename, default=None):
    kept = _kept_articles(self)
    if kept is None:
        return _pelicans_get_cached_data(self, filename, default)
    article = kept.article(os.path.abspath(os.path.join(self.path, filename)))
    return default if article is None else article


def _cache_data(self, filename, data):
    kept = _kept_articles(self)
    if kept is None:
        return _pelicans_cache_data(self, filename, data)
    kept.keep(os.path.abspath(os.path.join(self.path, filename)), data)


def keep_articles(generator, content, inputs: str) -> None:
    """Let ``generator`` take kept articles and keep those it makes (when the
    content cache is on and no plugin listens to the article-making signals).
    Kept articles hold for ``inputs`` and for this Pelican and Python only:
    an article is Pelican's class pickled."""
    settings = generator.settings
    inputs = f"{inputs} pelican {pelican_version} python {sys.version}"
    if not (settings.get("CACHE_CONTENT") and settings.get("LOAD_CONTENT_CACHE")):
        return
    if any(signal.receivers for signal in _MAKING_SIGNALS):
        return
    generator.sotong_kept_articles = KeptArticles(settings, generator.context, content, inputs)


def save_kept_articles(generator) -> None:
    """On ``article_generator_finalized``: save what the generator made."""
    kept = _kept_articles(generator)
    if kept is not None:
        kept.save()


def take_kept_articles() -> None:
    """Replace the article generator's own cache lookups (once; later calls do nothing)."""
    ArticlesGenerator.get_cached_data = _get_cached_data
    ArticlesGenerator.cache_data = _cache_data
