"""Templates compiled once and kept between builds (sotong.compiled_templates):
reused while the Jinja settings are the same, never under other settings,
and only where the content cache is on."""

from __future__ import annotations

from pathlib import Path

from project_support import copy_project, run_sotong

TRIM_OFF = '\nJINJA_ENVIRONMENT = {"auto_reload": False, "trim_blocks": False}\n'


def built_index(project: Path, *options: str) -> str:
    result = run_sotong(project, "build", *options)
    assert result.code == 0, result.output
    return (project / "output" / "index.html").read_text(encoding="utf-8")


def compiled(project: Path) -> dict[Path, int]:
    return {path: path.stat().st_mtime_ns for path in (project / ".cache" / "pelican" / "templates").rglob("*.cache")}


def test_compiled_templates_are_reused_while_the_jinja_settings_are_the_same(tmp_path):
    project = copy_project(tmp_path)
    first = built_index(project)
    kept = compiled(project)
    assert kept and built_index(project) == first
    assert compiled(project) == kept  # read, not compiled and written again


def test_a_change_of_jinja_settings_compiles_the_templates_again(tmp_path):
    """Jinja checks a compiled template against its source only: without the
    settings in the folder's name, the next build would render with templates
    compiled under trim_blocks."""
    (tmp_path / "kept").mkdir(), (tmp_path / "fresh").mkdir()
    project, fresh = copy_project(tmp_path / "kept"), copy_project(tmp_path / "fresh")
    before = built_index(project)
    for settings in (project / "pelicanconf.py", fresh / "pelicanconf.py"):
        with open(settings, "a", encoding="utf-8") as file:
            file.write(TRIM_OFF)
    after = built_index(project)
    assert after == built_index(fresh) and after != before
    assert len(list((project / ".cache" / "pelican" / "templates").iterdir())) == 1  # the old settings' folder removed


def test_no_compiled_templates_are_kept_when_the_content_cache_is_off(tmp_path):
    project = copy_project(tmp_path)
    with open(project / "pelicanconf.py", "a", encoding="utf-8") as file:
        file.write("\nCACHE_CONTENT = False\nLOAD_CONTENT_CACHE = False\n")
    built_index(project)
    assert not (project / ".cache" / "pelican" / "templates").exists()
