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
