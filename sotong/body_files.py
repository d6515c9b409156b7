"""Files the text of a notice or page shows or links (a picture, a PDF): each
must be a file under content/, written the way Pelican finds it,
``{static}/images/poster.jpg`` (the path from content/ after ``{static}``).

Without this a picture whose file is missing, or written as a plain path
(``images/poster.jpg``, which the page at ``notices/SLUG/`` looks for in its
own folder), passed ``check`` and showed residents a broken picture; Pelican
said only an English warning in the build's log. Links to web addresses
(``https:``, ``mailto:``, ``tel:``), to a part of the page (``#...``) and to
pages of the site (``../other-notice/``, ``{filename}other.md``) are not
files and are left alone.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import unquote

from .i18n import _
from .problems import Problem

# the target of a picture, a link or a reference in Markdown (<...> when it
# holds blanks), or of src=/href= in HTML (quoted when it holds blanks)
_TARGET = r"(?:<([^>]*)>|([^)\s]+))"
_ATTRIBUTE = r"\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))"
_PICTURE = re.compile(r"!\[[^\]]*\]\(\s*" + _TARGET + r"|<img\b[^>]*?\bsrc" + _ATTRIBUTE, re.I)
_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(\s*" + _TARGET + r"|^\s{0,3}\[[^\]]+\]:\s*" + _TARGET + r"|\bhref" + _ATTRIBUTE,
                   re.I)
# {filename} links another notice: the notice cache does not see notices come
# and go, and Pelican says when one is missing
# (a web address's scheme has two letters or more: C:\ and file:/// are a file on the writer's own computer)
_NOT_A_FILE = re.compile(r"(?!file:)[a-z][a-z0-9+.-]+:|#|//|\{(index|tag|category|author|filename)\}", re.I)
_MARKER = re.compile(r"\{(static|attach)\}")
_PAGE_SUFFIXES = ("", ".md", ".html", ".htm")


def _targets(line: str):
    """(target, is a picture) of each file the line may show or link."""
    for pattern, picture in ((_PICTURE, True), (_LINK, False)):
        for found in pattern.finditer(line):
            target = next((group for group in found.groups() if group), "")
            if target.strip():
                yield target.strip(), picture


def _problem(target: str, picture: bool, folder: Path, root: Path) -> str | None:
    """Why ``target`` (written in a file of ``folder``) reaches no file of
    content/ (``root``) from the page, or None."""
    if _NOT_A_FILE.match(target):
        return None
    path = unquote(re.split(r"[?#]", target)[0])
    marker = _MARKER.match(path)
    if marker is None and not picture and Path(path).suffix.lower() in _PAGE_SUFFIXES:
        return None  # a page of the site
    rest = path[marker.end():] if marker else path
    base = root if rest.startswith("/") or marker is None else folder
    found = os.path.normpath(os.path.join(base, rest.lstrip("/") if marker else re.sub(r"^(\.\./|/)+", "", rest)))
    inside = found.startswith(os.path.join(os.path.normpath(root), "")) and os.path.isfile(found)
    if marker is not None and inside:
        return None
    if inside:
        return _('"{target}" is not found from the page, which looks for it in its own folder; write the path from '
                 'content/ after {{static}}: {{static}}/{path}').format(target=target, path=Path(found).relative_to(root).as_posix())
    return _('"{target}" is not a file under content/; put the file there (e.g. in content/images/) and write its path '
             'from content/ after {{static}}, e.g. ![포스터]({{static}}/images/poster.jpg)').format(target=target)


def missing_files(body: str, first_line: int, source: Path, root: Path, shown: str) -> list[Problem]:
    """A problem for each picture or file the Markdown ``body`` (starting on
    line ``first_line`` of the file ``source``) shows or links that is not
    a file under ``root`` (content/) reached as written."""
    problems: list[Problem] = []
    folder, root = Path(os.path.abspath(source)).parent, Path(os.path.abspath(root))
    for number, line in enumerate(body.split("\n"), start=first_line):
        for target, picture in _targets(line):
            message = _problem(target, picture, folder, root)
            if message and Problem(shown, number, message) not in problems:  # a linked picture names it twice
                problems.append(Problem(shown, number, message))
    return problems
