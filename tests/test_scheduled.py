"""Scheduled notices (issue #10, SPEC §2): a notice dated after the build day
has its page but is in no list, section, feed or edition until a build on or
after its day; an edition's page appears from its issue day. The build day is
set with SOTONG_TODAY, as the daily timer's build takes today."""

from __future__ import annotations

from pathlib import Path

import pytest

from project_support import copy_project, run_sotong

CHANNELS = "homepage, newsletter, email, twitter"


def notice(slug: str, date: str) -> str:
    return (f'---\ntitle: "{slug} 안내"\ndate: {date}\ndepartment: 문화체육과\ncategory: culture\n'
            f"channels: [{CHANNELS}]\n---\n{slug} 본문입니다.\n")


def build_on(root: Path, day: str) -> Path:
    project = copy_project(root, notices=False, extra_settings=f'SOTONG_TODAY = "{day}"\n')
    for slug, date in (("past-concert", "2026-11-20"), ("future-concert", "2026-11-25 10:00")):
        (project / "content" / "notices" / f"{slug}.md").write_text(notice(slug, date), encoding="utf-8")
    result = run_sotong(project, "build")
    assert result.code == 0, result.output
    return project / "output"


LISTS = ("index.html", "archives/index.html", "category/culture/index.html", "feeds/all.atom.xml",
         "section/latest.json", "sns/twitter.json", "sns/twitter.xml")


@pytest.fixture(scope="module")
def before(tmp_path_factory):
    return build_on(tmp_path_factory.mktemp("before"), "2026-11-23")


def test_a_notice_dated_after_the_build_day_has_its_page_but_is_listed_nowhere(before):
    assert (before / "notices" / "future-concert" / "index.html").is_file()
    for listing in LISTS:
        text = (before / listing).read_text(encoding="utf-8")
        assert "past-concert" in text, listing
        assert "future-concert" not in text, listing


def test_an_edition_appears_from_its_issue_day(before, tmp_path):
    assert not (before / "newsletter" / "2026-11-26").exists()
    on_day = build_on(tmp_path, "2026-11-26")
    assert (on_day / "newsletter" / "2026-11-26" / "index.html").is_file()
    edition = (on_day / "newsletter" / "2026-11-26" / "index.html").read_text(encoding="utf-8")
    assert "past-concert" in edition and "future-concert" in edition
    for listing in LISTS:
        assert "future-concert" in (on_day / listing).read_text(encoding="utf-8"), listing
