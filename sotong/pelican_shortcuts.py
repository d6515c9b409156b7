"""Steps of Pelican's article generator made to cost what their work
does, with the same results:

- ``process_translations`` (which article of a group sharing a slug is the
  original, and each one's ``translations``) ends by finding the
  translations with a scan of the whole list of originals for every
  article: quadratic, half a second at 3,750 notices in every build. Here
  Pelican's own function runs on each group by itself (a group holds one
  notice unless it has translations), and the results are joined in the
  order Pelican gives them.
- ``_check_disabled_readers`` walks the content folder once more, only to
  log the files of readers that are disabled; with none disabled (the
  project's case) it finds nothing, so it is skipped.
- ``generate_categories`` and ``generate_authors`` find each one's articles
  in the archive (``dates``) by scanning its list for every article of the
  archive: quadratic, a tenth of a rebuild at 5,000 notices. Here the
  categories' lists are looked up through a set while Pelican's method runs
  (its pages get the lists themselves); the authors' pages are not made at
  all when none has an address (``AUTHOR_SAVE_AS = ""``, the project's
  case): Pelican would make each list only to write nothing.
"""

from __future__ import annotations

from itertools import groupby
from operator import attrgetter

from pelican import generators, utils

_pelicans_process_translations = utils.process_translations
_pelicans_check_disabled_readers = generators.Generator._check_disabled_readers
_pelicans_generate_categories = generators.ArticlesGenerator.generate_categories
_pelicans_generate_authors = generators.ArticlesGenerator.generate_authors


def process_translations_by_group(content_list: list, translation_id=None) -> tuple[list, list]:
    """Pelican's ``process_translations``, group by group (module docstring)."""
    if not translation_id:
        return content_list, []
    key = attrgetter(*([translation_id] if isinstance(translation_id, str) else translation_id))
    try:
        content_list.sort(key=key)
    except (TypeError, AttributeError):
        return _pelicans_process_translations(content_list, translation_id)  # raises its own error
    index, translations = [], []
    for _id, group in groupby(content_list, key):
        originals, others = _pelicans_process_translations(list(group), translation_id)
        index.extend(originals)
        translations.extend(others)
    return index, translations


def _check_disabled_readers_if_any(self, paths, exclude=None) -> None:
    if self.readers.disabled_extensions:
        _pelicans_check_disabled_readers(self, paths, exclude)


class _Members(list):
    """A list whose ``in`` is a set's (by identity, as a list of articles,
    which do not define equality, compares)."""

    def __init__(self, items):
        super().__init__(items)
        self._ids = frozenset(map(id, items))

    def __contains__(self, item) -> bool:
        return id(item) in self._ids


def _generate_categories_quickly(self, write) -> None:
    plain = self.categories
    quick = [(category, _Members(articles)) for category, articles in plain]
    lists = {id(members): articles for (_category, members), (_same, articles) in zip(quick, plain)}

    def writing(*args, **kwargs):
        kwargs["articles"] = lists.get(id(kwargs.get("articles")), kwargs.get("articles"))
        return write(*args, **kwargs)

    self.categories = quick
    try:
        _pelicans_generate_categories(self, writing)
    finally:
        self.categories = plain


def _generate_authors_if_written(self, write) -> None:
    if any(author.save_as for author, _articles in self.authors):
        _pelicans_generate_authors(self, write)


def take_shortcuts() -> None:
    """Replace these steps in Pelican's generators (later calls do nothing)."""
    generators.process_translations = process_translations_by_group
    generators.Generator._check_disabled_readers = _check_disabled_readers_if_any
    generators.ArticlesGenerator.generate_categories = _generate_categories_quickly
    generators.ArticlesGenerator.generate_authors = _generate_authors_if_written
