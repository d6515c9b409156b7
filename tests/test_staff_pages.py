"""A page's ``template:`` as PR staff write it: a template of the theme that
shows a notice or a list (``template: article``, to make a page look like a
notice) passed check and stopped the build with Jinja's "'article' is
undefined", in a Korean line that named no file and said nothing staff could
act on. Check now says it at the line, with the templates a page may use."""

from __future__ import annotations

import pytest

PAGE = "---\ntitle: 소개\n{line}\n---\n소개합니다.\n"


@pytest.mark.parametrize("template", ["article", "index", "category", "archives", "pagination"])
def test_a_template_of_other_pages_is_said_at_its_line_in_korean(sotong, empty_project_dir, template):
    about = empty_project_dir / "content" / "pages" / "about.md"
    about.write_text(PAGE.format(line=f"template: {template}"), encoding="utf-8")
    result = sotong(empty_project_dir, "build", env={"SOTONG_LANG": "ko"})
    assert result.code == 1 and "Traceback" not in result.output, result.output
    assert result.stderr.splitlines() == [
        f'content/pages/about.md:3: 템플릿 "{template}"은(는) 공지나 공지 목록을 보여 주는 템플릿이라 content/pages의 '
        "페이지에는 쓸 수 없습니다. 페이지에 쓸 수 있는 템플릿: page. template: page로 고치거나 template: 줄을 지우세요"]
    assert not (empty_project_dir / "output").exists()


def test_a_template_of_the_office_that_shows_a_page_is_listed_and_used(sotong, empty_project_dir):
    """A template that extends the page's and reads ``page`` is one a page
    may use; one that reads ``article`` is not, though it reads ``page`` too."""
    templates = empty_project_dir / "themes" / "sotong" / "templates"
    (templates / "wide.html").write_text('{% extends "page.html" %}', encoding="utf-8")
    (templates / "notice_like.html").write_text("{{ page.title }} {{ article.title }}", encoding="utf-8")
    about = empty_project_dir / "content" / "pages" / "about.md"
    about.write_text(PAGE.format(line="template: notice_like"), encoding="utf-8")
    result = sotong(empty_project_dir, "check", env={"SOTONG_LANG": "en"})
    assert result.code == 1 and "a page may use page, wide: write template: page" in result.stderr, result.output
    about.write_text(PAGE.format(line="template: wide"), encoding="utf-8")
    result = sotong(empty_project_dir, "build", env={"SOTONG_LANG": "en"})
    assert result.code == 0, result.output
    assert "소개합니다." in (empty_project_dir / "output" / "about" / "index.html").read_text(encoding="utf-8")


def test_two_pages_with_one_address_are_said_at_the_slug_line(sotong, project_dir):
    """A page copied to start another (about-copy.md, still slug: about), or
    given a slug another page has: check passed, and build printed Pelican's
    English "There are 2 items with slug ..." and stopped with
    "FileOverwriteFailedError". The page whose slug is its file's name keeps it."""
    pages = project_dir / "content" / "pages"
    (pages / "about-copy.md").write_text((pages / "about.md").read_text(encoding="utf-8"), encoding="utf-8")
    result = sotong(project_dir, "build", env={"SOTONG_LANG": "ko"})
    assert result.code == 1 and "Traceback" not in result.output, result.output
    assert result.stderr.splitlines() == [
        "content/pages/about-copy.md:3: 이 페이지의 주소 about/은(는) 이미 content/pages/about.md의 주소입니다. 두 페이지가 "
        "한 주소를 쓸 수 없으니 이 페이지에 다른 slug: 줄을 쓰세요. 예: slug: about-2"]
    assert not (project_dir / "output").exists()
    (pages / "about-copy.md").unlink()
    about = (pages / "about.md").read_text(encoding="utf-8")
    (pages / "about.md").write_text(about.replace("slug: about", "slug: archives"), encoding="utf-8")
    result = sotong(project_dir, "check", env={"SOTONG_LANG": "en"})
    assert result.stderr.splitlines()[-1] == (
        "content/pages/about.md:3: this page's address archives/ is already that of the site's own page "
        "archives/index.html; give this page its own slug: line, e.g. slug: archives-2"), result.output
    (pages / "about.md").write_text(about.replace("slug: about", "status: draft\nslug: privacy"), encoding="utf-8")
    assert sotong(project_dir, "check").code == 0, "a draft has no page, so no address"
