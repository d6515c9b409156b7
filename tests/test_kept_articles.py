"""sotong.article_cache: a rebuild takes the articles of unchanged notices as
the last build made them, makes again only those of notices that changed,
and every article again when what every page depends on changed; what it
then writes is what a build from nothing writes."""

from __future__ import annotations

from pathlib import Path

from pelican import signals
from pelican.contents import Article
from pelican.readers import Readers

from test_kept_pages import CONCERT, CONCERT_TITLE, assert_as_a_full_build, build

KEPT = Path(".cache") / "pelican" / "ArticlesGenerator-articles.sqlite"


def articles_made(project: Path, cli, monkeypatch) -> set[str]:
    """Build; the notice files Pelican made an article of (read) in this build."""
    made, read_file = set(), Readers.read_file

    def reading(self, base_path, path, content_class=None, *args, **kwargs):
        if content_class is Article:
            made.add(Path(path).as_posix())
        return read_file(self, base_path, path, content_class, *args, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(Readers, "read_file", reading)
        build(project, cli)
    return made


def test_a_rebuild_makes_the_article_of_the_edited_notice_only(project_dir, tmp_path, cli, monkeypatch):
    every = articles_made(project_dir, cli, monkeypatch)
    assert f"notices/{CONCERT}" in every and len(every) > 10
    assert (project_dir / KEPT).is_file()
    notice = project_dir / "content" / "notices" / CONCERT
    notice.write_text(notice.read_text(encoding="utf-8").replace(CONCERT_TITLE, "고친 제목", 1), encoding="utf-8")
    assert articles_made(project_dir, cli, monkeypatch) == {f"notices/{CONCERT}"}
    assert "고친 제목" in (project_dir / "output" / "archives" / "index.html").read_text(encoding="utf-8")
    assert articles_made(project_dir, cli, monkeypatch) == set(), "the other slot's build takes the edited one too"
    assert_as_a_full_build(project_dir, tmp_path / "full", cli)


def test_changed_settings_make_every_article_again(project_dir, tmp_path, cli, monkeypatch):
    every = articles_made(project_dir, cli, monkeypatch)
    settings = project_dir / "pelicanconf.py"
    settings.write_text(settings.read_text(encoding="utf-8").replace(
        'ARTICLE_URL = "notices/{slug}/"', 'ARTICLE_URL = "notices/{slug}/index.html"'), encoding="utf-8")
    assert articles_made(project_dir, cli, monkeypatch) == every
    assert_as_a_full_build(project_dir, tmp_path / "full", cli)


def test_kept_articles_cut_short_are_made_again(project_dir, cli, monkeypatch):
    every = articles_made(project_dir, cli, monkeypatch)
    kept = project_dir / KEPT
    kept.write_bytes(kept.read_bytes()[:1000])
    assert articles_made(project_dir, cli, monkeypatch) == every
    assert articles_made(project_dir, cli, monkeypatch) == set(), "saved whole again"


def test_no_article_is_kept_while_a_plugin_listens_to_their_making(project_dir, cli, monkeypatch):
    """A plugin that hears each article made (content_object_init) would not hear a kept one."""
    def listening(content):
        pass

    signals.content_object_init.connect(listening)
    try:
        every = articles_made(project_dir, cli, monkeypatch)
        assert articles_made(project_dir, cli, monkeypatch) == every
    finally:
        signals.content_object_init.disconnect(listening)
    assert not (project_dir / KEPT).exists()


def test_articles_kept_by_another_pelican_are_made_again(project_dir, cli, monkeypatch):
    """A kept article is Pelican's class pickled: another version's are not taken."""
    import sqlite3
    from contextlib import closing

    from pelican import __version__

    every = articles_made(project_dir, cli, monkeypatch)
    with closing(sqlite3.connect(project_dir / KEPT)) as kept, kept:
        inputs = kept.execute("SELECT data FROM entries WHERE name = ''").fetchone()[0]
        assert f"pelican {__version__} ".encode() in inputs
        kept.execute("UPDATE entries SET data = ? WHERE name = ''",
                     (inputs.replace(f"pelican {__version__} ".encode(), b"pelican 0.1 "),))
    assert articles_made(project_dir, cli, monkeypatch) == every
