"""sotong.pelican_shortcuts: Pelican's translations found group by group give
what Pelican's own quadratic pass gives; the walk for disabled readers runs
only when a reader is disabled; category pages get what Pelican gives them,
and author pages are made only when one has an address."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from pelican import utils

from sotong.pelican_shortcuts import (_check_disabled_readers_if_any, _generate_authors_if_written,
                                      _generate_categories_quickly, _pelicans_generate_categories,
                                      process_translations_by_group)


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


class _Wrapper:
    """What generate_categories and generate_authors read of a category or an author."""

    def __init__(self, name: str, save_as: str = ""):
        self.name, self.save_as, self.url, self.page_name = name, save_as or f"{name}.html", f"{name}/", name


class _ListingGenerator:
    """What the two read of the article generator."""

    def __init__(self, lists: list[list[int]], dates: list[int], authors_save_as: str = ""):
        articles = [object() for _ in range(max([*dates, *(n for numbers in lists for n in numbers), 0]) + 1)]
        self.articles, self.context = articles, {}
        self.dates = [articles[n] for n in dates]
        self.categories = [(_Wrapper(f"c{i}"), [articles[n] for n in numbers]) for i, numbers in enumerate(lists)]
        self.authors = [(_Wrapper("a", authors_save_as or "-"), list(articles))]
        if not authors_save_as:
            self.authors[0][0].save_as = ""

    def get_template(self, name):
        return name


def _written(method, generator) -> list:
    calls = []
    method(generator, lambda *args, **kwargs: calls.append((args, kwargs)))
    return calls


@settings(max_examples=100, deadline=None)
@given(lists=st.lists(st.lists(st.integers(0, 9), max_size=6), max_size=4), dates=st.lists(st.integers(0, 9), max_size=10))
def test_category_pages_get_what_pelican_gives_them(lists, dates):
    generator = _ListingGenerator(lists, dates)
    before = list(generator.categories)
    pelicans = _written(_pelicans_generate_categories, generator)
    quick = _written(_generate_categories_quickly, generator)
    assert generator.categories == before
    assert len(quick) == len(pelicans)
    for (args, kwargs), (pelican_args, pelican_kwargs) in zip(quick, pelicans):
        assert args == pelican_args and kwargs.keys() == pelican_kwargs.keys()
        assert kwargs["articles"] is pelican_kwargs["articles"], "the category's own list"
        assert [id(a) for a in kwargs["dates"]] == [id(a) for a in pelican_kwargs["dates"]]


def test_author_pages_are_made_only_when_one_has_an_address():
    assert _written(_generate_authors_if_written, _ListingGenerator([], [0, 1])) == []
    written = _written(_generate_authors_if_written, _ListingGenerator([], [0, 1], authors_save_as="author/a.html"))
    assert [args[0] for args, _kwargs in written] == ["author/a.html"]
