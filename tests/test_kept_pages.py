"""Rebuilds keep every page whose key did not change (sotong.page_keys,
sotong.build_state): list pages (index and its pages, fields, departments,
archives, feeds, the homepage section, the newsletter) are written again
exactly when a notice they show, or what every page depends on, changed;
and what a rebuild leaves in output/ is what a full build makes."""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from pathlib import Path

import pytest

EN = {"SOTONG_LANG": "en"}
CONCERT = "2026-11-19-year-end-concert.md"  # culture, 문화체육과
CONCERT_TITLE = "2026 성동 송년 음악회"
NEWEST = """\
---
title: "새해 첫 소식 안내"
date: 2026-11-22 09:00
department: 문화체육과
category: culture
---
새해 첫 소식입니다.
"""


def build(project: Path, cli) -> set[str]:
    """Build; the files (relative to output/) this build wrote."""
    started = time.time_ns() - 50_000_000  # the kernel's clock for file times is coarse
    result = cli(project, "build", env=EN)
    assert result.code == 0, result.output
    output = project / "output"
    return {path.relative_to(output).as_posix() for path in output.rglob("*")
            if path.is_file() and path.stat().st_mtime_ns >= started}


def site_files(output: Path) -> dict[str, bytes]:
    return {path.relative_to(output).as_posix(): path.read_bytes()
            for path in output.rglob("*") if path.is_file()}


def assert_as_a_full_build(project: Path, elsewhere: Path, cli) -> None:
    """output/ holds, byte for byte, what a build from nothing (no slots, no cache) makes."""
    shutil.copytree(project, elsewhere, ignore=shutil.ignore_patterns("output", ".output-*", ".cache"))
    build(elsewhere, cli)
    rebuilt, full = site_files(project / "output"), site_files(elsewhere / "output")
    assert sorted(rebuilt) == sorted(full)
    assert [name for name in full if rebuilt[name] != full[name]] == []


@pytest.fixture
def twice_built(project_dir, cli) -> Path:
    """The sample, built twice: both build slots hold a complete build."""
    build(project_dir, cli)
    build(project_dir, cli)
    return project_dir


def showing(output: Path, text: str) -> set[str]:
    return {path.relative_to(output).as_posix() for path in output.rglob("*.*")
            if path.suffix in (".html", ".xml", ".json") and text in path.read_text(encoding="utf-8")}


def test_an_unchanged_rebuild_writes_no_page(twice_built, cli):
    written = build(twice_built, cli)
    assert not {name for name in written if name.endswith((".html", ".xml"))}


def test_an_edited_title_renders_again_every_page_that_shows_it_and_only_those(twice_built, tmp_path, cli):
    notice = twice_built / "content" / "notices" / CONCERT
    output, original = twice_built / "output", notice.read_text(encoding="utf-8")
    for run in range(2):  # into each build slot in turn
        title = f"{CONCERT_TITLE} (고침 {run})"
        notice.write_text(original.replace(CONCERT_TITLE, title, 1), encoding="utf-8")
        written = build(twice_built, cli)
        shown = showing(output, title)
        assert {"archives/index.html", "category/culture/index.html", "department/문화체육과/index.html",
                "feeds/all.atom.xml", "feeds/category/culture.atom.xml", "section/latest.json"} <= shown
        assert any(name in shown for name in ("index.html", "page/2/index.html", "page/3/index.html"))
        assert shown <= written, "every page that shows the new title was written"
        untouched = {"category/health/index.html", "department/보건소/index.html", "feeds/category/health.atom.xml"}
        assert not untouched & written, "pages that do not show the notice are kept, not written"
        later_pages = {path.relative_to(output).as_posix() for path in (output / "page").rglob("index.html")}
        assert later_pages - shown and not (later_pages - shown) & written, "the index's other pages are kept"
    assert_as_a_full_build(twice_built, tmp_path / "full", cli)


def test_a_new_notice_shifts_every_page_of_the_index(twice_built, tmp_path, cli):
    output = twice_built / "output"
    pages = sorted(path.relative_to(output).as_posix() for path in (output / "page").rglob("index.html"))
    assert pages, "the sample's index has more than one page"
    (twice_built / "content" / "notices" / "2026-11-22-newest.md").write_text(NEWEST, encoding="utf-8")
    written = build(twice_built, cli)
    assert {"index.html", *pages} <= written
    assert "category/health/index.html" not in written
    assert_as_a_full_build(twice_built, tmp_path / "full", cli)


def test_a_deleted_notice_leaves_every_list(twice_built, tmp_path, cli):
    (twice_built / "content" / "notices" / CONCERT).unlink()
    own = f"notices/{Path(CONCERT).stem}/index.html"  # its SNS posts' link: the page saying it is no longer posted
    for _ in range(2):
        build(twice_built, cli)
        assert showing(twice_built / "output", CONCERT_TITLE) == {own}
        assert "더 이상 게시되지 않습니다" in (twice_built / "output" / own).read_text(encoding="utf-8")
    assert_as_a_full_build(twice_built, tmp_path / "full", cli)


def test_a_template_change_renders_every_list_page_again(twice_built, cli):
    macros = twice_built / "themes" / "sotong" / "templates" / "macros.html"
    macros.write_text(macros.read_text(encoding="utf-8") + "\n{# v2 #}\n", encoding="utf-8")
    output = twice_built / "output"
    lists = {path.relative_to(output).as_posix()
             for folder in ("category", "department", "page") for path in (output / folder).rglob("index.html")}
    written = build(twice_built, cli)
    assert {"index.html", "archives/index.html", "feeds/all.atom.xml", *lists} <= written


def test_the_consent_form_lists_what_is_collected(twice_built):
    """It showed "<built-in method items of dict object at 0x...>": Jinja reads
    ``consent.items`` as the dict's method."""
    form = (twice_built / "output" / "subscribe" / "form" / "index.html").read_text(encoding="utf-8")
    assert "이름, 이메일 주소" in form and "built-in method" not in form


def test_kept_pages_are_as_written_even_in_the_other_slot(twice_built, tmp_path, cli):
    """Each slot keeps its own record: an edit seen by one slot is still made in the other."""
    notice = twice_built / "content" / "notices" / CONCERT
    notice.write_text(notice.read_text(encoding="utf-8").replace(CONCERT_TITLE, "바뀐 제목", 1), encoding="utf-8")
    build(twice_built, cli)
    notice.write_text(notice.read_text(encoding="utf-8") + "\n덧붙임.\n", encoding="utf-8")
    build(twice_built, cli)
    assert "바뀐 제목" in (twice_built / "output" / "category" / "culture" / "index.html").read_text(encoding="utf-8")
    assert os.path.islink(twice_built / "output")
    assert_as_a_full_build(twice_built, tmp_path / "full", cli)


SHELTERS = "2026-11-18-cold-shelters.md"  # living, 복지정책과, no summary: its list summary is its first paragraph
LISTS_OF_THE_CONCERT = {"archives/index.html", "category/culture/index.html", "department/문화체육과/index.html"}


def the_index_page_showing(output: Path, text: str) -> str:
    pages = showing(output, text) & ({"index.html"} | {f"page/{n}/index.html" for n in range(2, 9)})
    assert len(pages) == 1, pages
    return pages.pop()


def test_a_body_edit_keeps_every_list_that_shows_only_the_notices_title_date_and_summary(twice_built, tmp_path, cli):
    notice, output = twice_built / "content" / "notices" / CONCERT, twice_built / "output"
    original = notice.read_text(encoding="utf-8")
    index_page = the_index_page_showing(output, CONCERT_TITLE)
    for run in range(2):  # into each build slot in turn
        notice.write_text(original.replace("관람하실 수 있습니다.", f"관람하실 수 있습니다 (고침 {run}).", 1), encoding="utf-8")
        written = build(twice_built, cli)
        assert f"(고침 {run})" in (output / "notices" / CONCERT[:-3] / "index.html").read_text(encoding="utf-8")
        assert {f"notices/{CONCERT[:-3]}/index.html", "feeds/all.atom.xml", "feeds/category/culture.atom.xml"} <= written
        assert not (LISTS_OF_THE_CONCERT | {index_page, "section/latest.json"}) & written, "kept: they show no body"
    assert_as_a_full_build(twice_built, tmp_path / "full", cli)


def test_an_edit_of_the_first_paragraph_rewrites_the_lists_showing_it_as_the_summary(twice_built, tmp_path, cli):
    notice, output = twice_built / "content" / "notices" / SHELTERS, twice_built / "output"
    text = notice.read_text(encoding="utf-8")
    notice.write_text(text.replace("80여 곳을", "90여 곳을", 1), encoding="utf-8")
    written = build(twice_built, cli)
    lists = {the_index_page_showing(output, "90여 곳을"), "category/living/index.html", "department/복지정책과/index.html"}
    assert lists <= showing(output, "90여 곳을") and lists <= written
    assert "archives/index.html" not in written, "the archive shows no summary"
    assert_as_a_full_build(twice_built, tmp_path / "full", cli)


def test_a_changed_day_renders_every_list_page_again(twice_built, tmp_path, cli):
    settings = twice_built / "pelicanconf.py"
    settings.write_text(settings.read_text(encoding="utf-8").replace('SOTONG_TODAY = "', 'SOTONG_TODAY = "2027-01-05"\n#'),
                        encoding="utf-8")
    written = build(twice_built, cli)
    assert {"index.html", "archives/index.html", "category/culture/index.html", "feeds/all.atom.xml"} <= written
    assert_as_a_full_build(twice_built, tmp_path / "full", cli)


def _a_notice_on_a_later_index_page(project: Path) -> tuple[Path, str]:
    """A current notice that is not urgent and is shown on the index's second page: its file and title."""
    for path in sorted((project / "content" / "notices").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        title = re.search(r'^title: "?(.*?)"?$', text, re.M).group(1)
        if "priority: urgent" not in text and "page/2/index.html" in showing(project / "output", title):
            return path, title
    raise AssertionError("the sample's index has no second page")


def test_the_index_first_page_is_kept_when_a_notice_of_a_later_page_changes_and_made_when_it_turns_urgent(
        twice_built, tmp_path, cli):
    """The first page reads the urgent notices, not every current one."""
    notice, title = _a_notice_on_a_later_index_page(twice_built)
    original, output = notice.read_text(encoding="utf-8"), twice_built / "output"
    notice.write_text(original.replace(title, f"{title} (고침)", 1), encoding="utf-8")
    written = build(twice_built, cli)
    assert "page/2/index.html" in written and "index.html" not in written
    notice.write_text(original.replace("\n---\n", "\npriority: urgent\n---\n", 1), encoding="utf-8")
    written = build(twice_built, cli)
    box = (output / "index.html").read_text(encoding="utf-8").split('class="urgent-box"')[1].split("</section>")[0]
    assert "index.html" in written and title in box
    assert_as_a_full_build(twice_built, tmp_path / "full", cli)


def _free_slot_state(project: Path) -> Path:
    """The state file of the build slot the next build writes into."""
    live = os.readlink(project / "output")
    free = ".output-b" if live.endswith("-a") else ".output-a"
    return project / f"{free}.state.json"


def test_a_rebuild_keys_its_lists_by_what_the_slot_kept_of_unchanged_notices(twice_built, cli):
    """What the pages read of a notice that did not change is taken from the
    slot's state, not read again: a digest altered there makes the lists
    holding it again, which a build that read the notice would have kept."""
    state_file = _free_slot_state(twice_built)
    state = json.loads(state_file.read_text(encoding="utf-8"))
    concert = str(twice_built / "content" / "notices" / CONCERT)
    # the archive reads each notice's title, address, date, field and department, not its summary
    archive = next(name for name in state["shapes"] if name.startswith("content ") and "'title'" in name
                   and "'notice'" not in name and concert in state["shapes"][name])
    state["shapes"][archive][concert] = "0" * 32
    state_file.write_text(json.dumps(state), encoding="utf-8")
    written = build(twice_built, cli)
    assert "archives/index.html" in written
    assert not {"category/culture/index.html", f"notices/{CONCERT[:-3]}/index.html"} & written


def test_a_changed_address_pattern_renders_every_list_with_the_new_addresses(twice_built, tmp_path, cli):
    """A setting that changes what a list reads of every notice (its address)
    renders the lists again, from the notices, not from the slot's digests."""
    settings = twice_built / "pelicanconf.py"
    settings.write_text(settings.read_text(encoding="utf-8").replace(
        'ARTICLE_URL = "notices/{slug}/"', 'ARTICLE_URL = "notices/{slug}/index.html"'), encoding="utf-8")
    written = build(twice_built, cli)
    link = f'href="/notices/{CONCERT[:-3]}/index.html"'
    assert {"archives/index.html", "category/culture/index.html", "department/문화체육과/index.html"} <= written
    assert {"archives/index.html", "category/culture/index.html"} <= showing(twice_built / "output", link)
    assert_as_a_full_build(twice_built, tmp_path / "full", cli)


def test_notices_saved_again_unchanged_write_no_page(twice_built, cli):
    """A copy that touches every file (``cp -r``, an editor's "save all") made
    every page again; pages are keyed by their notices' bytes, not times."""
    for notice in (twice_built / "content" / "notices").glob("*.md"):
        notice.write_bytes(notice.read_bytes())
        os.utime(notice, ns=(notice.stat().st_atime_ns, notice.stat().st_mtime_ns + 1_000_000_000))
    for _slot in range(2):
        written = build(twice_built, cli)
        assert not {name for name in written if name.endswith((".html", ".xml"))}
