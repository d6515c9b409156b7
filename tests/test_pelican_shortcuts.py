"""sotong.pelican_shortcuts: Pelican's translations found group by group give
what Pelican's own quadratic pass gives; the walk for disabled readers runs
only when a reader is disabled."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from pelican import utils

from sotong.pelican_shortcuts import _check_disabled_readers_if_any, process_translations_by_group


class _Item:
    """What process_translations reads of an article."""

    def __init__(self, number: int, slug: str, lang: str, translation: str | None):
        self.number, self.slug, self.lang, self.in_default_lang = number, slug, lang, lang == "ko"
        self.metadata = {} if translation is None else {"translation": translation}
        self.source_path = f"content/notices/{number}.md"
        self.translations = None


_ITEMS = st.lists(st.tuples(st.sampled_from("abcde"), st.sampled_from(["ko", "en"]),
                            st.sampled_from([None, "false", "true"])), max_size=12)


def _outcome(function, items: list[_Item], translation_id) -> tuple:
    index, translations = function(list(items), translation_id)
    linked = {item.number: [other.number for other in item.translations or ()] for item in items}
    return [item.number for item in index], [item.number for item in translations], linked


@settings(max_examples=300, deadline=None)
@given(specs=_ITEMS, translation_id=st.sampled_from(["slug", ("slug",), ("slug", "lang"), None]))
def test_translations_are_pelicans(specs, translation_id):
    items = [_Item(number, *spec) for number, spec in enumerate(specs)]
    pelicans = _outcome(utils.process_translations, items, translation_id)
    for item in items:
        item.translations = None
    assert _outcome(process_translations_by_group, items, translation_id) == pelicans


def test_a_translation_links_its_original():
    original, translated = _Item(0, "a", "ko", None), _Item(1, "a", "en", None)
    alone = _Item(2, "b", "ko", None)
    index, translations = process_translations_by_group([translated, alone, original], "slug")
    assert (index, translations) == ([original, alone], [translated])
    assert (original.translations, translated.translations, alone.translations) == ([translated], [original], [])


def test_an_item_without_the_id_fails_as_in_pelican():
    item = _Item(0, "a", "ko", None)
    del item.slug
    try:
        process_translations_by_group([item], "slug")
    except AttributeError as exc:
        assert "translation_id" in str(exc)
    else:
        raise AssertionError("no error")


class _Readers:
    def __init__(self, disabled):
        self.disabled_extensions = disabled


class _Generator:
    def __init__(self, disabled):
        self.readers, self.walked = _Readers(disabled), []

    def get_files(self, paths, exclude=None, extensions=None):
        self.walked.append(tuple(extensions))
        return set()


def test_disabled_readers_are_looked_for_only_when_there_are_some():
    quiet, with_one = _Generator({}), _Generator({"rst": object()})
    _check_disabled_readers_if_any(quiet, ["notices"], [])
    _check_disabled_readers_if_any(with_one, ["notices"], [])
    assert quiet.walked == [] and with_one.walked == [("rst",)]
