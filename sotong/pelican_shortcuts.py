"""Two steps of Pelican's article generator made to cost what their work
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
"""

from __future__ import annotations

from itertools import groupby
from operator import attrgetter

from pelican import generators, utils

_pelicans_process_translations = utils.process_translations
_pelicans_check_disabled_readers = generators.Generator._check_disabled_readers


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


def take_shortcuts() -> None:
    """Replace the two steps in Pelican's generators (later calls do nothing)."""
    generators.process_translations = process_translations_by_group
    generators.Generator._check_disabled_readers = _check_disabled_readers_if_any
