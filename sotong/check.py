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
from .i18n import _
from .problems import Problem, SotongError
from .project import Project


def check_project(project: Project) -> list[Problem]:
    """All problems found in the project's content, sorted by file and line."""
    try:
        project.audiences
    except SotongError as exc:
        return list(exc.problems)  # nothing else can be checked without it
    content, file_problems, part_problems = project.read_content()
    problems = [*file_problems, *part_problems, *_links_to_private_notices(project, content)]
    for static in project.settings.get("STATIC_PATHS") or ():  # Pelican follows folder links there too
        problems.extend(markdown_files(project.content_path / static, project.shown, only_markdown=False)[1])
    project.activate_plugins()
    for _receiver, found in signals.content_check.send(project):
        problems.extend(found or [])
    return sorted(set(problems), key=lambda p: (str(p.path), p.line) if isinstance(p, Problem) else (str(p), 0))


# a link's address in Markdown, ](ADDRESS), or in HTML, href=ADDRESS, when it is Pelican's {filename}
_FILENAME_LINK = re.compile(r"(?:\]\(\s*<?|\bhref\s*=\s*[\"']?)(\{filename\}[^)\s>\"']+)", re.I)


def _links_to_private_notices(project: Project, content) -> list[Problem]:
    """A ``{filename}`` link in a notice's text to a private notice (SPEC
    §16), which has no page: Pelican made it a link to the home page on the
    site, and an email could give it no address."""
    from .links import linked_file

    problems = []
    for notice in content.published:
        if "{filename}" not in notice.body:
            continue
        for number, line in enumerate(notice.body.split("\n"), start=notice.body_line):
            for target in _FILENAME_LINK.findall(line):
                linked = content.notice_read_from(linked_file(project.settings, notice, target))
                if linked is not None and linked.private:
                    problems.append(Problem(project.shown(notice.source), number, _(
                        "\"{target}\" is a private notice, which has no page (its readers have it by email); take the "
                        "link out, or link a public notice").format(target=target)))
    return problems


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
