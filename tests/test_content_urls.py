"""sotong.content_urls: an article's address is formatted once per Pelican
run, and again when what it is made of changes or the next run starts."""

from __future__ import annotations

import datetime as dt

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from pelican.contents import Article
from pelican.settings import DEFAULT_CONFIG

from sotong.content_urls import compute_urls_once, forget_urls


def test_an_address_is_formatted_once_per_run(monkeypatch):
    compute_urls_once()
    settings = dict(DEFAULT_CONFIG, PATH="/project/content", ARTICLE_URL="notices/{slug}/",
                    ARTICLE_SAVE_AS="notices/{slug}/index.html")
    article = Article("<p>본문</p>", metadata={"title": "제목", "slug": "a", "date": dt.datetime(2026, 11, 5)},
                      settings=settings, source_path="/project/content/notices/a.md")
    formatted = []
    pelicans = Article._expand_settings
    monkeypatch.setattr(Article, "_expand_settings", lambda self, key: formatted.append(key) or pelicans(self, key))
    assert [article.url, article.url, article.save_as, article.save_as] == [
        "notices/a/", "notices/a/", "notices/a/index.html", "notices/a/index.html"]
    assert formatted == ["url", "save_as"]
    article.slug = "b"
    assert article.url == "notices/b/"
    article.status = "draft"
    assert article.url == "drafts/b.html"  # a draft has its own address (DRAFT_URL)
    forget_urls()
    article.url
    assert formatted == ["url", "save_as", "url", "url", "url"]


_PARTS = st.sampled_from(["content", "notices", "a.md", "..", ".", "", "공지", "x y.md", "pages"])


@settings(max_examples=300, deadline=None)
@given(folder=st.lists(_PARTS, min_size=1, max_size=4), inside=st.lists(_PARTS, min_size=1, max_size=4),
       absolute=st.booleans())
def test_a_relative_source_path_is_pelicans(folder, inside, absolute):
    """The shortcut for a path inside the content folder gives what Pelican's relpath gives, for any path."""
    from pelican.contents import Content

    from sotong.content_urls import _pelicans_relative_source_path, _relative_source_path_once

    content_path = ("/" if absolute else "") + "/".join(folder)
    source = "/".join(["", *folder, *inside]) if absolute else "/".join(inside)
    assume(source)  # a content file always has a path
    thing = Content.__new__(Content)
    thing.settings, thing.source_path = {"PATH": content_path}, source
    assert _relative_source_path_once(thing) == _pelicans_relative_source_path(thing)


@settings(max_examples=200, deadline=None)
@given(name=st.text(alphabet=st.sampled_from("성동구청 홍보담당관ABCabc-_ .&<>é/\t"), max_size=20),
       preserve_case=st.booleans(), use_unicode=st.booleans())
def test_a_remembered_slug_is_pelicans(name, preserve_case, use_unicode):
    from pelican.settings import DEFAULT_CONFIG
    from pelican.urlwrappers import Category

    from sotong.content_urls import _pelicans_slugify

    compute_urls_once()
    subs = DEFAULT_CONFIG["SLUG_REGEX_SUBSTITUTIONS"]
    settings_ = {"SLUG_REGEX_SUBSTITUTIONS": subs, "SLUGIFY_PRESERVE_CASE": preserve_case,
                 "SLUGIFY_USE_UNICODE": use_unicode}
    for _ in range(2):  # computed, then remembered
        assert Category(name, settings_).slug == _pelicans_slugify(
            name, regex_subs=subs, preserve_case=preserve_case, use_unicode=use_unicode)


_PATTERN_PARTS = ["{slug}", "{slug!r}", "{slug:>12}", "{date:%Y}", "{category}", "{}", "{slug.upper}", "{lang}",
                  "{slug:{lang}}", "/", "x", "{{", "}}", "{", "}", ".html"]


def outcome(make):
    try:
        return make()
    except (KeyError, ValueError, IndexError, AttributeError) as error:
        return type(error)


@settings(max_examples=200, deadline=None)
@given(pattern=st.lists(st.sampled_from(_PATTERN_PARTS), max_size=6).map("".join),
       status=st.sampled_from(["published", "hidden", "draft"]))
def test_an_address_formatted_with_the_slug_alone_is_pelicans(pattern, status):
    from pelican.contents import Content

    from sotong.content_urls import _pelicans_expand_settings

    compute_urls_once()
    settings_ = dict(DEFAULT_CONFIG, PATH="/project/content", ARTICLE_URL=pattern, DRAFT_URL=pattern)
    article = Article("<p>본문</p>", metadata={"title": "제목", "slug": "a-b", "date": dt.datetime(2026, 11, 5),
                                             "status": status}, settings=settings_,
                      source_path="/project/content/notices/a-b.md")
    ours = outcome(lambda: article.url)
    quick, Content._expand_settings = Content._expand_settings, _pelicans_expand_settings
    try:
        assert ours == outcome(lambda: Article._expand_settings(article, "url"))
    finally:
        Content._expand_settings = quick
