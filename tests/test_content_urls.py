"""sotong.content_urls: an article's address is formatted once per Pelican
run, and again when what it is made of changes or the next run starts."""

from __future__ import annotations

import datetime as dt

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
