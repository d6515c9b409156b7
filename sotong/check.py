"""``sotong check``: every problem in the content at once, one line each.

Core checks audiences.yaml and reads the Content (notices, pages, and the
plugins' parts: surveys, banners), keeping its problems; plugins add their
other checks (settings) through ``signals.content_check``. The warnings of
content that passes (sotong.advice, and the plugins' through
``signals.content_warnings``) are shown by check, build and the devserver alike.
"""

from __future__ import annotations

import re

from . import signals
from .advice import notice_warnings
from .content_files import markdown_files
from .problems import Problem, SotongError
from .project import Project


def check_project(project: Project) -> list[Problem]:
    """All problems found in the project's content, sorted by file and line."""
    try:
        project.audiences
    except SotongError as exc:
        return list(exc.problems)  # nothing else can be checked without it
    _content, file_problems, part_problems = project.read_content()
    problems = [*file_problems, *part_problems]
    for static in project.settings.get("STATIC_PATHS") or ():  # Pelican follows folder links there too
        problems.extend(markdown_files(project.content_path / static, project.shown, only_markdown=False)[1])
    project.activate_plugins()
    for _receiver, found in signals.content_check.send(project):
        problems.extend(found or [])
    return sorted(set(problems), key=lambda p: (str(p.path), p.line) if isinstance(p, Problem) else (str(p), 0))


_LOCATED = re.compile(r"(.*?):(\d+): ")  # a warning's PATH:LINE:


def project_warnings(project: Project) -> list[str]:
    """The warnings of content that passed the check, sorted by file and line, one line each."""
    warnings = [w for n in project.published_notices for w in notice_warnings(n, project.shown(n.source))]
    project.activate_plugins()
    for _receiver, found in signals.content_warnings.send(project):
        warnings.extend(found or [])
    return sorted(warnings, key=_file_and_line)


def _file_and_line(warning: str) -> tuple:
    """A warning's file and line number, so that line 9 comes before line 10."""
    located = _LOCATED.match(warning)
    return (located[1], int(located[2]), warning) if located else (warning, 0, warning)
