"""``sotong check``: every problem in the content at once, one line each.

Core checks audiences.yaml, the notices and the pages; plugins add the files
they own (surveys, banners) through ``signals.content_check``.
"""

from __future__ import annotations

from . import signals
from .pelican_plugin import page_problems
from .problems import Problem, SotongError
from .project import Project


def check_project(project: Project) -> list[Problem]:
    """All problems found in the project's content, sorted by file and line."""
    try:
        project.audiences
    except SotongError as exc:
        return list(exc.problems)  # nothing else can be checked without it
    notices, problems = project.read_notices()
    pages_dir = project.content_path / "pages"
    if pages_dir.is_dir():
        for path in sorted(pages_dir.rglob("*.md")):
            problems.extend(page_problems(path, project.shown(path)))
    project.activate_plugins()
    for _receiver, found in signals.content_check.send(project):
        problems.extend(found or [])
    return sorted(problems, key=lambda p: (str(p.path), p.line) if isinstance(p, Problem) else (str(p), 0))
