"""The Content: loaded and validated once, by one loader, for Pelican's
generators and for every other command (issue #9, "Load the content once")."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest
from pelican import signals as pelican_signals

from sotong.build import build_site
from sotong.problems import SotongError
from sotong.project import Project


def _project(project_dir: Path) -> Project:
    project = Project(project_dir / "pelicanconf.py")
    project.activate_plugins()  # puts PLUGIN_PATHS on sys.path
    return project


def test_the_content_holds_notices_pages_audiences_parts_and_the_day(project_dir):
    project = _project(project_dir)
    content = project.content
    assert len(content.notices) == len(list((project_dir / "content" / "notices").glob("*.md")))
    assert sorted(Path(path).name for path in content.pages) == ["about.md", "privacy.md", "subscribe.md"]
    assert set(content.part("surveys")) == {"budget-vote-2027", "library-satisfaction", "village-bus-2027"}
    assert sorted(banner.slug for banner in content.part("banners")) == [
        "gov24-certificates", "local-tax-online", "year-end-tax"]
    assert content.day == project.today() and content.audiences is project.audiences
    assert project.notices == list(content.notices) and project.content is content


def test_a_notice_saved_after_loading_is_no_longer_the_contents(project_dir):
    content = _project(project_dir).content
    notice = content.notices[0]
    assert content.notice_at(notice.source) is notice
    path = Path(notice.source)
    path.write_text(path.read_text(encoding="utf-8") + "\n덧붙임.\n", encoding="utf-8")
    assert content.notice_at(notice.source) is None


def test_a_wrong_survey_stops_the_content_with_its_file_and_line(project_dir):
    survey = project_dir / "content" / "surveys" / "village-bus-2027.yaml"
    survey.write_text(survey.read_text(encoding="utf-8").replace("title:", "titel:", 1), encoding="utf-8")
    with pytest.raises(SotongError) as raised:
        _project(project_dir).content
    assert any("village-bus-2027.yaml:" in str(problem) for problem in raised.value.problems)


def _counting(module, name: str, counts: Counter, monkeypatch) -> None:
    real = getattr(module, name)

    def counted(path, *args, **kwargs):
        counts[os.path.basename(path)] += 1
        return real(path, *args, **kwargs)

    monkeypatch.setattr(module, name, counted)


def test_a_build_reads_each_file_once_and_passes_no_content_in_settings(project_dir, monkeypatch):
    """Every notice, page, survey and banner is read once per build (by the
    loader, for check and Pelican alike); Pelican's settings hold only plain
    values; every generator sees the one Content."""
    project = _project(project_dir)
    import minwon24.schema
    import survey.schema

    import sotong.content
    import sotong.notices

    counts: Counter = Counter()
    for module, name in ((sotong.notices, "read_notice"), (sotong.content, "read_page"),
                         (survey.schema, "read_survey"), (minwon24.schema, "read_banner")):
        _counting(module, name, counts, monkeypatch)
    seen: dict = {}

    def look(generators):
        seen["contents"] = {id(generator.context["CONTENT"]) for generator in generators}
        seen["settings"] = generators[0].settings

    pelican_signals.all_generators_finalized.connect(look)
    try:
        build_site(project)
    finally:
        pelican_signals.all_generators_finalized.disconnect(look)
    files = [path.name for folder in ("notices", "pages", "surveys", "banners")
             for path in (project_dir / "content" / folder).iterdir()]
    assert counts == Counter(files)
    assert seen["contents"] == {id(project.content)}
    assert all(isinstance(value, (str, int, float, bool, type(None)))
               for key, value in seen["settings"].items() if key.startswith("SOTONG_"))
    assert (project_dir / "output" / "surveys" / "village-bus-2027" / "index.html").is_file()



def test_the_collector_and_survey_commands_take_the_contents_surveys(project_dir, monkeypatch, cli):
    """The collector and ``sotong survey``/``opinions`` get the surveys from
    the Content's part, each file read once per command (not again from disk)."""
    project = _project(project_dir)
    import survey.schema

    from sotong.web import make_app

    counts: Counter = Counter()
    _counting(survey.schema, "read_survey", counts, monkeypatch)
    surveys = project.content.part("surveys")
    app = make_app(project)
    routes = next(endpoint.__self__ for name, endpoint in app.endpoints.items() if name.startswith("survey."))
    assert routes.surveys is surveys and project.part("surveys") is surveys
    counts.clear()
    result = cli(project_dir, "survey", "results", "village-bus-2027")
    assert result.code == 0, result.output
    assert counts == Counter(path.name for path in (project_dir / "content" / "surveys").iterdir())


def test_a_command_that_needs_the_surveys_stops_only_at_a_wrong_survey(project_dir, cli):
    """``Project.part("surveys")``: a wrong banner or notice does not stop
    ``sotong survey results``; a wrong survey does, naming its file."""
    banner = project_dir / "content" / "banners" / "year-end-tax.yaml"
    banner.write_text(banner.read_text(encoding="utf-8").replace("title:", "titel:", 1), encoding="utf-8")
    (project_dir / "content" / "notices" / "broken.md").write_text("---\ntitle: [\n---\n", encoding="utf-8")
    assert cli(project_dir, "db", "upgrade").code == 0  # the store the results are read from
    ran = cli(project_dir, "survey", "results", "village-bus-2027")
    assert ran.code == 0, ran.output
    survey = project_dir / "content" / "surveys" / "village-bus-2027.yaml"
    survey.write_text(survey.read_text(encoding="utf-8").replace("title:", "titel:", 1), encoding="utf-8")
    ran = cli(project_dir, "survey", "results", "village-bus-2027")
    assert ran.code == 1 and "content/surveys/village-bus-2027.yaml:" in ran.output, ran.output
