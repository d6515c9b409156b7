"""``sotong check``: every problem in the content at once, one line each.

Core checks audiences.yaml, reads the Content (notices, pages, and the
plugins' parts: surveys, banners), keeping its problems (among them what
rendering a text finds, sotong.rendering), and checks the
links written in notices and pages (a ``{filename}`` link to no file, a
link to a private notice, which has no page, or by address to no notice), and reads the ledger of the
feeds' entries as the build does (sotong.feed_ids); plugins add their
other checks (their settings, what notices ask of them) through
``signals.content_check``. The warnings of
content that passes (sotong.advice, and the plugins' through
``signals.content_warnings``) are shown by check, build and the devserver alike.
"""

from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path
from typing import Iterator
from urllib.parse import unquote, urljoin, urlsplit

from . import signals
from .advice import notice_warnings, static_file_warnings, text_warnings
from .content_files import (links_outside, markdown_files, stored_otherwise, stored_otherwise_message, stray_markdown,
                            undecodable_names)
from .feed_ids import feed_entry_days
from .i18n import _
from .problems import Problem, SotongError, closest
from .project import Project
from .scripted_files import MAY_RUN, script_problem
from .settings import settings_flag


def check_project(project: Project) -> list[Problem]:
    """All problems found in the project's content, sorted by file, line and message."""
    try:
        project.audiences
    except SotongError as exc:
        return list(exc.problems)  # nothing else can be checked without it
    unnamed = undecodable_names(project.content_path, project.shown)
    if unnamed:
        return unnamed  # nor with files whose names cannot be written in a page, a link or a cache
    content, file_problems, part_problems = project.read_content()
    problems = [*file_problems, *part_problems, *_filename_links(project, content), *_links_to_private_notices(project, content),
                *_links_to_no_notice(project, content), *_site_files_by_address(project, content),
                *_pages_by_address(project, content), *_feed_ledger(project)]
    settings = project.settings
    for static in settings.get("STATIC_PATHS") or ():  # Pelican follows folder links there too
        problems.extend(markdown_files(project.content_path / static, project.shown, only_markdown=False)[1])
        problems.extend(links_outside(project.content_path / static, project.content_path, project.shown))
        problems.extend(_scripted_files(project.content_path / static, project.content_path, project.shown))
    read = [settings["NOTICES_DIR"], "pages", *settings.get("ARTICLE_PATHS", ()), *settings.get("PAGE_PATHS", ())]
    problems.extend(stray_markdown(project.content_path, read, settings.get("STATIC_PATHS") or (),
                                   settings.get("IGNORE_FILES") or (), project.shown))
    project.activate_plugins()
    for _receiver, found in signals.content_check.send(project):
        problems.extend(found or [])
    # by file, line and then message: two at one line came in the order of a set, another in each run
    return sorted(set(problems), key=lambda p: (str(p.path), p.line, p.message) if isinstance(p, Problem) else (str(p), 0, ""))


def _feed_ledger(project: Project) -> list:
    """The ledger of the feeds' entries (sotong.feed_ids), read as ``sotong
    build`` reads it: one edited by hand into something else, which would
    stop the build, is said here first."""
    try:
        feed_entry_days(project.settings)
    except SotongError as exc:
        return list(exc.problems)
    return []


def _scripted_files(folder: Path, content: Path, shown) -> list[Problem]:
    """A problem for each file of a folder of STATIC_PATHS that the site
    would publish and a browser would run a script from (sotong.scripted_files);
    a link that leads outside ``content`` is :func:`links_outside`'s to name."""
    problems, inside = [], os.path.join(os.path.realpath(content), "")
    for root, _dirs, names in os.walk(folder):
        for name in sorted(names):
            if not name.lower().endswith(MAY_RUN):
                continue
            path = Path(root, name)
            if os.path.realpath(path).startswith(inside) and (message := script_problem(path, shown(path))):
                problems.append(Problem(shown(path), 1, message))
    return problems


# a link's address in Markdown, ](ADDRESS) or a reference's [label]: ADDRESS, or in HTML, href=ADDRESS; within
# a line ([^\S\n]: a blank that is no line break)
_LINK_ADDRESS = re.compile(r"(?:\]\([^\S\n]*<?|\bhref[^\S\n]*=[^\S\n]*[\"']?|^ {0,3}\[[^\]\n]+\]:[^\S\n]*<?)([^)\s>\"']+)",
                           re.I | re.M)


def _written_links(written) -> Iterator[tuple[int, str]]:
    """(line, address) of each link written in the text of a notice or page
    (the text read in one pass: check reads every notice's at each build)."""
    body = written.body
    for found in _LINK_ADDRESS.finditer(body):
        yield written.body_line + body.count("\n", 0, found.start()), found[1]


def _links_with_bases(project: Project, content) -> Iterator[tuple[object, int, str, str]]:
    """(notice or page, line, address, the page's own address) of each link
    written in the text of a published notice or a page with an address;
    the page's address made only for a text that has a link."""
    from .links import file_url, notice_url

    settings = project.settings
    texts = [(notice, lambda notice=notice: notice_url(settings, notice.slug)) for notice in content.published]
    texts += [(page, lambda page=page: file_url(settings, content, page.source)) for page in content.pages.values()]
    for written, address in texts:
        links = list(_written_links(written))
        if links and (base := address()):
            yield from ((written, number, target, base) for number, target in links)


# Pelican's own link, as its INTRASITE_LINK_REGEX reads one: {what} or |what| before the address
_PELICAN_LINK = re.compile(r"[{|][^}|]*[}|]")


def _readable_address(target: str) -> bool:
    """Whether the address of a link written ``{filename}...``, ``{index}...``
    (Pelican's own links: what follows the braces) is one Python can read."""
    try:
        urlsplit(target[written.end():] if (written := _PELICAN_LINK.match(target)) else target)
    except ValueError:
        return False
    return True


def _filename_links(project: Project, content) -> list[Problem]:
    """Each ``{filename}`` link in the text of a notice or page (read once
    per check, not cached with the file: the file it links may come and go)
    to a file that does not exist, which Pelican only warns of and leaves on
    the page as written, or to a private notice (SPEC §16), which has no
    page: Pelican made it a link to the home page on the site, and an email
    could give it no address."""
    from .links import linked_file

    problems, content_folder = [], Path(project.content_path).resolve()
    for written in (*content.published, *content.pages.values()):
        if "{filename}" not in written.body:
            continue
        for number, target in _written_links(written):
            if not target.startswith("{filename}") or not _readable_address(target):
                continue
            path = linked_file(project.settings, written, target)
            if not os.path.isfile(path) or not Path(path).resolve().is_relative_to(content_folder):
                message = _missing_link(project, content, written, target, path)
            elif (linked := content.notice_read_from(path)) is not None and linked.private:
                message = _private_link(target)
            else:
                continue
            problems.append(Problem(project.shown(written.source), number, message))
    return problems


def _private_link(target: str) -> str:
    return _("\"{target}\" is a private notice, which has no page (its readers have it by email); take the "
             "link out, or link a public notice").format(target=target)


def _links_to_private_notices(project: Project, content) -> list[Problem]:
    """Each link written as an address (``../budget-draft/``,
    ``/notices/budget-draft/``, the site's full address) in the text of a
    notice or page to the address a private notice's page would have
    (SPEC §16: it has none). The page showed a link to nothing, and a
    public page named the private notice's slug."""
    from .links import notice_url

    settings = project.settings
    private = {_page_address(notice_url(settings, notice.slug)) for notice in content.published if notice.private}
    if not private:
        return []
    problems = []
    for written, number, target, base in _links_with_bases(project, content):
        # "#schedule", a part of the text itself: in a private notice it is the notice's own page's address
        if not target.startswith(("{filename}", "|filename|", "#")) and _page_address(urljoin(base, target)) in private:
            problems.append(Problem(project.shown(written.source), number, _private_link(target)))
    return problems


def _links_to_no_notice(project: Project, content) -> list[Problem]:
    """Each link written as an address in the notices' folder of the site
    (``../2026-11-05-kimjang-sharng/``, ``/notices/2026-11-05-kimjang-sharing.html``)
    that is no notice's page: it passed check and led residents nowhere.
    Said with the ``{filename}`` link of the nearest notice, which Pelican
    makes the notice's address of (and check then follows)."""
    from .links import notice_url

    settings = project.settings
    folder = _page_address(notice_url(settings, "x"))[:-len("x/")]
    notices = None  # by address, made at the first link into the notices' folder
    problems = []
    for written, number, target, base in _links_with_bases(project, content):
        if target.startswith(("{", "|", "#")) or re.match(r"[a-z][a-z0-9+.-]+:|//", target, re.I):
            continue
        address = _page_address(urljoin(base, target))
        name = address[len(folder):].rstrip("/")
        if not address.startswith(folder) or not name or "/" in name or os.path.splitext(name)[1] not in (
                "", ".html", ".htm"):
            continue
        if notices is None:
            notices = {_page_address(notice_url(settings, notice.slug)): notice for notice in content.published}
        if address in notices:
            continue
        public = {Path(notice.source).name: notice.slug for notice in notices.values() if not notice.private}
        nearest = closest(os.path.splitext(name)[0], public.values())
        file = next((file for file, slug in public.items() if slug == nearest), "FILE.md")
        problems.append(Problem(project.shown(written.source), number, _(
            '"{target}" leads to no notice of the site (no notice is at that address); write the link with '
            '{{filename}} and the file of the notice: {{filename}}/{folder}/{file}').format(
                target=target, folder=settings["NOTICES_DIR"], file=file)))
    return problems


_ADDRESS = re.compile(r"https?://[^\s)<>\"']+", re.I)
# The site's own pages that a static page's address could take (settings: the file each is saved as).
_SITE_PAGES = {"INDEX_SAVE_AS": "index.html", "ARCHIVES_SAVE_AS": "", "CATEGORIES_SAVE_AS": "", "FEEDS_SAVE_AS": "",
               "AUTHORS_SAVE_AS": "", "TAGS_SAVE_AS": ""}


def _pages_by_address(project: Project, content) -> list[Problem]:
    """Each static page whose address (its slug's) is another page's, or
    one of the site's own (the archives, the list of fields): Pelican warned
    in English and stopped the build with "FileOverwriteFailedError"."""
    from .links import page_slug

    settings = project.settings
    taken = {settings.get(name) or default: None for name, default in _SITE_PAGES.items() if settings.get(name) or default}
    problems = []
    pages = [page for page in content.pages.values() if page.metadata.get("status") != "draft"]
    slugs = {page.source: page_slug(settings, page) for page in pages}
    # the page whose slug is its file's name keeps its address; the others are told to take another
    for page in sorted(pages, key=lambda page: (slugs[page.source] != Path(page.source).stem, page.source)):
        slug = slugs[page.source]
        save_as = settings["PAGE_SAVE_AS"].format(slug=slug)
        if save_as not in taken:
            taken[save_as] = page
            continue
        other = taken[save_as]
        owner = project.shown(other.source) if other is not None else _("the site's own page {file}").format(file=save_as)
        problems.append(Problem(project.shown(page.source), _slug_line(page), _(
            'this page\'s address {address} is already that of {other}; give this page its own slug: line, e.g. '
            'slug: {slug}-2').format(address=settings["PAGE_URL"].format(slug=slug), other=owner, slug=slug)))
    return problems


def _slug_line(page) -> int:
    """The line of a page's ``slug:``, or 1."""
    with open(page.source, encoding="utf-8") as file:
        for number, line in enumerate(file, start=1):
            if number > 1 and line.rstrip() == "---":
                break
            if line.startswith("slug:"):
                return number
    return 1


def _site_files_by_address(project: Project, content) -> list[Problem]:
    """Each file of the site a private notice's text links, or just writes
    (a mail client links it), by its full address
    (``https://www.sd.go.kr/sotong/images/plan.pdf``): the notice's own
    rules see only relative links and ``{static}``, and the file, saved
    under content/ for the committee, is on the public site."""
    from .links import absolute_site_url
    from .notices import is_page_address, site_file_linked

    site = absolute_site_url(project.settings)
    if site is None:
        return []
    problems = []
    for notice in content.published:
        if not notice.private:
            continue
        for number, line in enumerate(notice.body.split("\n"), start=notice.body_line):
            for address in _ADDRESS.findall(line):
                path = urlsplit(address).path
                if address.lower().startswith(site.lower() + "/") and not is_page_address(unquote(path)):
                    problems.append(Problem(project.shown(notice.source), number, site_file_linked()))
    return problems


def _page_address(url: str) -> str:
    """``url`` as the page it leads to: no query or fragment, no index.html,
    its path decoded (a Korean slug written either way)."""
    parts = urlsplit(url)
    path = unquote(parts.path)
    path = path[:-len("index.html")] if path.endswith("/index.html") else path
    return f"{parts.scheme}://{parts.netloc}{path.rstrip('/')}/"


def _missing_link(project: Project, content, written, target: str, path: str) -> str:
    """What to say of a ``{filename}`` link to no file (``path``), or to a
    file outside content/ (Pelican links only what it reads there), or to a
    file whose name is stored in another Unicode form (a Mac's): what to
    write instead, the nearest public notice or page when one is near,
    written as ``target`` is (from content/ after a /, or from the linking
    file's folder)."""
    content_folder = os.path.abspath(project.content_path)
    if not os.path.isfile(path) and os.path.abspath(path).startswith(os.path.join(content_folder, "")) and (
            stored := stored_otherwise(content_folder, os.path.relpath(os.path.abspath(path), content_folder))):
        return stored_otherwise_message(target, stored)
    parts = urlsplit(target[len("{filename}"):])
    name, kept = unquote(parts.path), ("?" + parts.query if parts.query else "") + ("#" + parts.fragment if parts.fragment else "")
    base = project.content_path if name.startswith("/") else Path(written.source).parent
    public = [notice.source for notice in content.published if not notice.private] + list(content.pages)
    itself = os.path.abspath(written.source)  # the nearest name is often its own: never what was meant
    known = [("/" if name.startswith("/") else "") + Path(os.path.relpath(source, base)).as_posix() for source in public
             if os.path.abspath(source) != itself]
    nearest = closest(name, known)
    instead = (_('write "{{filename}}{nearest}"').format(nearest=nearest + kept) if nearest else
               _("write {{filename}} and the path of a notice or page from content/, e.g. {{filename}}/notices/FILE.md").format())
    if os.path.isfile(path):
        return _('"{target}" links {path}, a file outside content/ that is not on the site, so the page would show the link as written; {instead}').format(
            target=target, path=project.shown(path), instead=instead)
    return _('"{target}" links no file (there is no {path}), so the page would show the link as written; {instead}').format(
        target=target, path=project.shown(path), instead=instead)


_LOCATED = re.compile(r"(.*?):(\d+): ")  # a warning's PATH:LINE:


def project_warnings(project: Project) -> list[str]:
    """The warnings of content that passed the check, sorted by file and line, one line each."""
    flag = settings_flag(project.settings)
    today = project.today()
    warnings = [w for n in project.published_notices for w in notice_warnings(
        n, project.shown(n.source), flag, today, project.file_warnings.get(n.source))]
    warnings += [w for page in project.content.pages.values() for w in text_warnings(page, project.shown(page.source))]
    warnings += _notices_twice(project)
    root = project.content_path
    warnings += [w for source in (*project.published_notices, *project.content.pages.values())
                 for w in static_file_warnings(source, project.shown(source.source), root)]
    project.activate_plugins()
    for _receiver, found in signals.content_warnings.send(project):
        warnings.extend(found or [])
    return sorted(warnings, key=_file_and_line)


def _notices_twice(project: Project) -> list[str]:
    """A warning for each notice that is another one over again, but for its
    file's name (and the slug it gives), and has the longer name: a copy
    Windows makes beside a file ("NAME (1).md", "복사본 - NAME.md") has a
    slug of its own, so residents got the notice twice."""
    same_title_and_day: dict[tuple, list] = {}  # the few candidates, before comparing whole notices
    for notice in project.published_notices:
        same_title_and_day.setdefault((notice.title, notice.date), []).append(notice)
    first: dict[str, str] = {}
    warnings = []
    candidates = [notice for group in same_title_and_day.values() if len(group) > 1 for notice in group]
    for notice in sorted(candidates, key=lambda n: (len(n.source), n.source)):
        shown = project.shown(notice.source)
        other = first.setdefault(repr(dataclasses.replace(notice, source="", slug="")), shown)
        if other != shown:
            warnings.append(f"{shown}:1: " + _(
                "warning: this notice is {other} over again (its header and text), so it goes out twice; if it is a "
                "copy of that file, delete one of the two").format(other=other))
    return warnings


def _file_and_line(warning: str) -> tuple:
    """A warning's file and line number, so that line 9 comes before line 10."""
    located = _LOCATED.match(warning)
    return (located[1], int(located[2]), warning) if located else (warning, 0, warning)
