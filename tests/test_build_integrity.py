"""A build that survives a killed one, and never keeps a stale page (issue
#8): Pelican's content cache and Sotong's notice cache that were cut short
are discarded with a warning and written whole or not at all; a kept notice
page depends on every input it shows and on being as ``sotong build`` left it."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from pathlib import Path

from project_support import run_sotong

OLD_LABEL, NEW_LABEL = "생활정보", "생활안내"  # the same number of UTF-8 bytes


def build(project: Path):
    result = run_sotong(project, "build")
    assert result.code == 0, result.output
    return result


def test_a_content_cache_cut_short_is_discarded_with_a_warning_and_the_build_goes_on(project_dir):
    build(project_dir)
    caches = [path for path in (project_dir / ".cache" / "pelican").iterdir() if path.is_file()]
    assert any(path.name != "sotong-notices.sqlite" for path in caches)
    for path in caches:  # what a build killed while writing them leaves
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    result = build(project_dir)
    assert "Traceback" not in result.output and "DatabaseError" in result.stderr
    warnings = result.stderr.splitlines()  # one line each, however long the path: a log file is read by line
    assert any("the content cache cannot be read" in line and "reads every file again" in line for line in warnings)
    assert any("the notice cache cannot be read" in line for line in warnings)
    assert (project_dir / "output" / "notices" / "2026-11-21-cold-wave-warning" / "index.html").is_file()


def cacher(folder: Path, name: str = "cache-test"):
    from pelican.cache import FileDataCacher

    from sotong.pelican_cache import make_crash_safe

    make_crash_safe()
    return FileDataCacher({"CACHE_PATH": str(folder), "GZIP_CACHE": False}, name, True, True)


def test_a_cache_save_that_fails_half_way_keeps_the_last_complete_cache(tmp_path):
    cache = cacher(tmp_path)
    cache.cache_data("a.md", "A" * 100_000)
    cache.save_cache()
    cache.cache_data("b.md", "B")
    cache.cache_data("z.md", lambda: None)  # cannot be pickled: the save fails after "b.md"
    cache.save_cache()
    again = cacher(tmp_path)
    assert [again.get_cached_data(name) for name in ("a.md", "b.md", "z.md")] == ["A" * 100_000, None, None]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["cache-test.sqlite"]


def rows(path: Path) -> dict:
    with sqlite3.connect(path) as connection:
        return dict(connection.execute("SELECT name, data FROM entries"))


def test_the_content_cache_is_updated_not_rewritten(tmp_path):
    """A save writes the entries this build made; an entry it never asked for stays as it was, byte for byte."""
    cache = cacher(tmp_path)
    for name in ("a.md", "b.md", "c.md"):
        cache.cache_data(name, {"title": name, "settings": cache.settings})
    cache.save_cache()
    before = rows(tmp_path / "cache-test.sqlite")
    assert b"GZIP_CACHE" not in before["a.md"], "the settings are referred to, not copied into every entry"
    with sqlite3.connect(tmp_path / "cache-test.sqlite") as connection:  # an entry no build could read
        connection.execute("INSERT INTO entries VALUES ('stale.md', x'00ff')")
    again = cacher(tmp_path)
    assert again.get_cached_data("a.md") == {"title": "a.md", "settings": again.settings}
    again.cache_data("b.md", {"title": "b, edited"})
    again.save_cache()
    after = rows(tmp_path / "cache-test.sqlite")
    assert after["stale.md"] == b"\x00\xff" and after["a.md"] == before["a.md"] and after["c.md"] == before["c.md"]
    assert cacher(tmp_path).get_cached_data("b.md") == {"title": "b, edited"}
    assert cacher(tmp_path).get_cached_data("stale.md", "read again") == "read again"


def pages_showing(output: Path, text: str) -> set[str]:
    return {str(path.relative_to(output)) for path in output.rglob("*.html") if text in path.read_text(encoding="utf-8")}


def test_a_label_edited_in_audiences_yaml_changes_every_page_showing_it(project_dir):
    build(project_dir)
    build(project_dir)  # both build slots now hold pages and a state
    output = project_dir / "output"
    showing = pages_showing(output, OLD_LABEL)
    assert any(page.startswith("notices/") for page in showing)
    audiences = project_dir / "audiences.yaml"
    stamp = audiences.stat()
    # e.g. copied with cp -p or rsync -t from another machine: same size, same time
    audiences.write_text(audiences.read_text(encoding="utf-8").replace(f"living: {OLD_LABEL}", f"living: {NEW_LABEL}"),
                         encoding="utf-8")
    os.utime(audiences, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    build(project_dir)  # into the slot of the first build, whose state says the same stamps
    assert pages_showing(output, OLD_LABEL) == {"subscribe/index.html"}  # its Markdown names the field itself
    assert pages_showing(output, NEW_LABEL) >= showing - {"subscribe/index.html"}


def test_a_page_written_into_a_slot_by_anything_but_sotong_build_is_never_kept(project_dir):
    build(project_dir)
    build(project_dir)  # output/ is the second slot; the next build goes into the first
    relative = Path("notices") / "2026-11-21-cold-wave-warning" / "index.html"
    made = (project_dir / "output" / relative).read_text(encoding="utf-8")
    page = project_dir / ".output-a" / relative
    page.write_text(made.replace(OLD_LABEL, "(dev server)"), encoding="utf-8")  # e.g. a dev server writing output/
    build(project_dir)  # nothing changed since the first build
    assert os.readlink(project_dir / "output") == ".output-a"
    assert page.read_text(encoding="utf-8") == made


def test_pages_surveys_banners_and_images_are_inputs_of_every_kept_page(project_dir):
    from sotong.build_state import _inputs_digest
    from sotong.project import Project

    def digest():
        return _inputs_digest(Project(project_dir / "pelicanconf.py"))

    before = digest()
    for folder in ("pages", "surveys", "banners"):
        path = next((project_dir / "content" / folder).iterdir())
        text = path.read_text(encoding="utf-8")
        path.write_text(text + "\n", encoding="utf-8")
        assert digest() != before, folder
        path.write_text(text, encoding="utf-8")
        assert digest() == before
    notice = project_dir / "content" / "notices" / "2026-11-21-cold-wave-warning.md"
    notice.write_text(notice.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert digest() == before  # a notice is an input of its own pages only


HYGIENE_FAIR = """\
---
title: "위생업소 설명회"
date: 2026-11-20 10:00
department: 보건소
category: health
audiences: [food-business]
event: {start: "2026-12-02 14:00", end: "2026-12-02 16:00", place: 성동구청 대강당}
---
식품접객·공중위생업소 설명회입니다.
"""


def test_calendar_files_are_kept_by_what_they_show_in_every_process(project_dir):
    """A notice's repr changes with Python's string hashing (the order of its
    audiences' sets: food-business names two business types): keyed by it,
    a build in another process made such a calendar file again."""
    (project_dir / "content" / "notices" / "2026-11-20-hygiene-fair.md").write_text(HYGIENE_FAIR, encoding="utf-8")
    cache = project_dir / ".cache" / "pelican" / "homepage-events.sqlite"
    assert run_sotong(project_dir, "build", env={"PYTHONHASHSEED": "1"}).code == 0
    first = rows(cache)
    assert "2026-11-20-hygiene-fair" in first
    for seed in ("2", "3", "4"):
        assert run_sotong(project_dir, "build", env={"PYTHONHASHSEED": seed}).code == 0
        assert rows(cache) == first, seed


def test_a_cached_notice_is_the_builds_own_and_a_changed_one_is_not_used(tmp_path):
    """An article's notice is kept in the content cache as its file's path and
    read back as the build's own notice object; an entry whose file the
    build's Content no longer holds as it was is read again."""
    from sotong.notices import Notice
    from sotong.pelican_cache import make_crash_safe

    made = {"source": str(tmp_path / "a.md"), "slug": "a", "date": dt.datetime(2026, 11, 20, 9), "department": "홍보담당관",
            "category": "culture"}
    notice = Notice(**made, title="제목", body="본문 " * 500)
    served = {notice.source: notice}
    make_crash_safe(served.get)
    try:
        cache = cacher(tmp_path)
        cache.cache_data("a.md", {"title": "제목", "notice": notice})
        cache.save_cache()
        assert "본문".encode() not in rows(tmp_path / "cache-test.sqlite")["a.md"], "the notice is referred to, not copied"
        assert cacher(tmp_path).get_cached_data("a.md")["notice"] is notice
        served[notice.source] = None  # the file was saved after the Content read it
        assert cacher(tmp_path).get_cached_data("a.md", "read again") == "read again"
        elsewhere = Notice(**made, title="다른 제목", body="다른 본문")
        cache = cacher(tmp_path)
        cache.cache_data("a.md", {"notice": elsewhere})  # not the Content's own: copied whole
        cache.save_cache()
        assert cacher(tmp_path).get_cached_data("a.md")["notice"] == elsewhere
    finally:
        make_crash_safe(lambda _source: None)


def test_the_notice_cache_is_updated_not_rewritten(project_dir):
    """A build saves the rows of the notices it read again and removes those of deleted ones; the others stay byte for byte."""
    build(project_dir)
    cache, notices = project_dir / ".cache" / "pelican" / "sotong-notices.sqlite", project_dir / "content" / "notices"
    before = rows(cache)
    edited, deleted = sorted(notices.glob("*.md"))[:2]
    edited.write_text(edited.read_text(encoding="utf-8") + "\n덧붙인 문단.\n", encoding="utf-8")
    deleted.unlink()
    build(project_dir)
    after = rows(cache)
    key_of = {Path(key).name: key for key in before if key}
    assert set(after) == set(before) - {key_of[deleted.name]}
    assert after[key_of[edited.name]] != before[key_of[edited.name]] and "덧붙인 문단".encode() in after[key_of[edited.name]]
    assert all(after[key] == before[key] for key in after if key != key_of[edited.name])


def test_a_build_while_another_runs_is_refused_and_output_stays_the_others(project_dir):
    """Two builds at once (the daily timer and a person's, two terminals)
    wrote into the same free slot, the first making it output/ while the
    second still wrote and removed files there. The lock is the other
    build's as the system holds it (here: this process's)."""
    from sotong.atomic import one_at_a_time

    build(project_dir)
    before = os.readlink(project_dir / "output")
    with one_at_a_time(project_dir / ".output-lock", "held by the test"):
        result = run_sotong(project_dir, "build")
    assert result.code == 1 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        "another sotong build into output/ is running; wait for it to finish, and build again if something changed "
        "since it began"]
    assert os.readlink(project_dir / "output") == before and not (project_dir / f".output-{'b' if before.endswith('a') else 'a'}").exists()
    build(project_dir)  # once the other is done
    assert os.readlink(project_dir / "output") != before
