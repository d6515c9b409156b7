"""Broken or hostile input to the commands, as a non-programmer or an
attacker writes it: each gives one ``FILE:LINE: message`` line (or click's
own for the command line), exit 1 (2 for the command line), never a
traceback. Found by a sweep of every command; each test fails without its fix."""

from __future__ import annotations

import pytest


def test_a_page_that_is_not_utf8_is_one_line(project_dir, cli):
    (project_dir / "content" / "pages" / "about.md").write_bytes("---\ntitle: 소개\n---\n".encode("cp949"))
    result = cli(project_dir, "check")
    assert result.code == 1
    assert result.stderr.splitlines() == ["content/pages/about.md:1: the file is not UTF-8 text; save it as UTF-8"]


@pytest.mark.parametrize("args", [
    ("newsletter", "next", "--after", "9999-12-31"),
    ("newsletter", "list", "--from", "0001-01-01"),
    ("reach", "--issue", "9999-12-31"),
    ("bundles", "--issue", "9999-12-31"),
])
def test_a_day_outside_the_years_of_notices_is_a_command_line_error(project_dir, cli, args):
    """The schedule counts issues around the day given: datetime's range ends at years 1 and 9999."""
    result = cli(project_dir, *args)
    assert result.code == 2
    assert result.stderr.splitlines()[-1] == (
        f'Error: {args[-2]} "{args[-1]}" is in the year {int(args[-1][:4])}; days lie in 2000-2099, check the year')


@pytest.mark.parametrize("line, message", [
    ("SOTONG_DB = 5", 'SOTONG_DB: is 5; write a path, e.g. SOTONG_DB = "private/sotong.db"'),
    ('AUDIENCES_PATH = ["audiences.yaml"]',
     "AUDIENCES_PATH: is ['audiences.yaml']; write a path, e.g. AUDIENCES_PATH = \"audiences.yaml\""),
    ("PRIVATE_PATH = None", 'PRIVATE_PATH: is None; write a path, e.g. PRIVATE_PATH = "private"'),
    ('SOTONG_TODAY = "2026-02-30"', "SOTONG_TODAY: is '2026-02-30'; write a day as \"YYYY-MM-DD\", e.g. "
                                    'SOTONG_TODAY = "2026-11-26", or leave it out for today in Seoul'),
    ("SOTONG_TODAY = 20261126", 'SOTONG_TODAY: is 20261126; write a day as "YYYY-MM-DD", e.g. '
                                'SOTONG_TODAY = "2026-11-26", or leave it out for today in Seoul'),
    ("PLUGINS = 5", 'PLUGINS: is 5; write a list of plugin names, e.g. PLUGINS = ["sotong.pelican_plugin", "newsletter"]'),
])
@pytest.mark.parametrize("command", [("check",), ("newsletter", "next")])
def test_a_shared_setting_of_the_wrong_type_is_one_line_at_its_assignment(project_dir, cli, line, message, command):
    settings = project_dir / "pelicanconf.py"
    settings.write_text(settings.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")
    assigned = len(settings.read_text(encoding="utf-8").splitlines())
    result = cli(project_dir, *command)
    assert result.code == 1
    assert result.stderr.splitlines() == [f"pelicanconf.py:{assigned}: {message}"]


def test_audiences_path_at_a_folder_is_one_line(project_dir, cli):
    settings = project_dir / "pelicanconf.py"
    settings.write_text(settings.read_text(encoding="utf-8") + 'AUDIENCES_PATH = "content"\n', encoding="utf-8")
    result = cli(project_dir, "check")
    assert result.code == 1
    assert result.stderr.splitlines() == [
        "content:1: cannot read the file (Is a directory); point AUDIENCES_PATH in the settings at audiences.yaml"]
