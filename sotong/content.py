"""The project's content, loaded and validated once: the ``Content`` object
and its one loader.

``Content`` holds the valid notices (drafts and private ones included), the
static pages (``content/pages``), audiences.yaml, the build day and the parts
that plugins own (surveys, banners), which each plugin adds through
``signals.content_parts``. The core Pelican plugin puts it in the generators'
context as ``CONTENT``, so generators and templates read what ``sotong check``
validated; ``Project.content`` gives the same object to every other command
(bundles, reach, preview, the dev server).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Mapping

from . import signals
from .body_files import missing_files
from .content_files import markdown_files
from .dates import ISO_DAY
from .i18n import _
from .notice_cache import file_stamp
from .problems import Problem, SotongError, did_you_mean

if TYPE_CHECKING:  # imported where used: `sotong --help` reads no notice
    from markupsafe import Markup

    from .audiences import Audiences
    from .notices import Notice

PAGE_KEYS = ("title", "slug", "summary", "status", "template")


@dataclass(frozen=True)
class Page:
    """A static page: its front matter (checked keys) and Markdown body."""

    source: str
    metadata: dict
    body: str
    body_line: int = 1  # the file line the body starts on


@dataclass(frozen=True, eq=False)
class Content:
    """Everything the site is made from, valid (see the module docstring).

    ``stamps`` maps each notice file (absolute path) to its stamp taken before
    it was read: a file saved since is no longer what ``notices`` holds.
    ``html``: the HTML of the texts of the notices and pages rendered when
    they were read (not those the notice cache gave), by absolute path."""

    audiences: Audiences
    notices: tuple[Notice, ...]
    pages: Mapping[str, Page]
    day: dt.date
    text_html: Callable[[str], Markup]  # a plugin's Markdown text as HTML, as a notice's is rendered (Renderer.text_html)
    stamps: Mapping[str, list] = field(default_factory=dict)
    parts: Mapping[str, object] = field(default_factory=dict)
    html: Mapping[str, str] = field(default_factory=dict)  # the texts rendered as they were read (sotong.rendering)

    @cached_property
    def published(self) -> tuple[Notice, ...]:
        """The notices that are not drafts (private ones included)."""
        return tuple(notice for notice in self.notices if notice.published)

    @cached_property
    def _by_source(self) -> dict[str, Notice]:
        return {os.path.abspath(notice.source): notice for notice in self.notices}

    def notice_read_from(self, path: str | os.PathLike) -> Notice | None:
        """The notice read from ``path`` (as it was then), or None if none was."""
        return self._by_source.get(os.path.abspath(path))

    def notice_at(self, path: str | os.PathLike) -> Notice | None:
        """The notice read from ``path``, or None if none was or the file
        has been saved since it was read."""
        path = os.path.abspath(path)
        notice = self._by_source.get(path)
        if notice is None or self.stamps.get(path) != file_stamp(path):
            return None
        return notice

    def notice(self, slug: str) -> Notice:
        """The notice ``slug``; SotongError naming the nearest slug if none."""
        for notice in self.notices:
            if notice.slug == slug:
                return notice
        if ISO_DAY.fullmatch(slug):  # sotong reach 2026-12-10, meaning the issue
            suggestion = _("; for the issue of that day write --issue {day}").format(day=slug)
        else:  # nothing close: what a slug is, so that the next try is one
            suggestion = did_you_mean(slug, [n.slug for n in self.notices]) or _(
                "; a notice's slug is its file's name without .md (or its slug: line), e.g. {example}").format(
                example=max((n.slug for n in self.notices), default="2026-11-21-cold-wave-warning"))
        raise SotongError([_('no notice with slug "{slug}"{suggestion}').format(slug=slug, suggestion=suggestion)])

    def part(self, name: str):
        """A plugin's part (``"surveys"``, ``"banners"``); KeyError when the
        plugin that contributes it is not in PLUGINS."""
        return self.parts[name]


def read_page(path: Path, shown: str, content_root: Path, settings: dict | None = None) -> tuple[Page | None, list[Problem]]:
    """A static page: front matter with a title and only known keys, and
    pictures and files in its text that are files under ``content_root``;
    with the ``settings``, a ``template:`` that names one of their theme's
    templates."""
    from .notices import read_source, slug_problem
    from .validators import nesting_problem, text_control_problems

    source, problems = read_source(path, shown)
    if source is None:
        return None, problems
    data = source.front.data or {}
    if not isinstance(data, dict):
        return None, [Problem(shown, 2, _("the front matter must be lines of 'key: value'"))]
    for key in data:
        if key not in PAGE_KEYS:
            problems.append(Problem(shown, source.front.line(key), _('unknown key "{key}"{suggestion}; pages take {page_keys}').format(
                key=key, suggestion=did_you_mean(key, PAGE_KEYS), page_keys=", ".join(PAGE_KEYS))))
    if not data.get("title"):
        problems.append(Problem(shown, 1, _("title is required; add a line such as  title: 개인정보 처리방침")))
    if "slug" in data and (message := slug_problem(data["slug"])):  # its folder: ../ led out of output/
        problems.append(Problem(shown, source.front.line("slug"), message))
    if "template" in data and settings is not None and (message := template_problem(settings, data["template"])):
        problems.append(Problem(shown, source.front.line("template"), message))
    problems.extend(text_control_problems(source, shown))
    if nested := nesting_problem(source.body, source.body_line, shown):
        problems.append(nested)
    problems.extend(missing_files(source.body, source.body_line, path, content_root, shown))
    return Page(str(path), data, source.body, source.body_line), problems


def template_problem(settings: dict, name) -> str | None:
    """Why a page's ``template:`` names no template that Pelican would find
    for it (THEME_TEMPLATES_OVERRIDES, then the theme's templates; with
    ``!theme/`` or ``!simple/`` before it, the theme's or Pelican's simple
    theme's), or one that cannot show a page (:func:`_shows_a_page`), or
    None. Pelican stopped the build with its own English error, or with
    Jinja's "'article' is undefined", naming no file."""
    import pelican
    from jinja2 import ChoiceLoader, FileSystemLoader, PrefixLoader

    theme = os.path.join(os.path.expanduser(settings["THEME"]), "templates")
    folders = [*(settings.get("THEME_TEMPLATES_OVERRIDES") or ()), theme]
    extensions = settings.get("TEMPLATE_EXTENSIONS") or [".html"]
    simple = os.path.join(os.path.dirname(pelican.__file__), "themes", "simple", "templates")
    environment = _reading_environment(settings, ChoiceLoader([FileSystemLoader(folders), PrefixLoader(
        {"!simple": FileSystemLoader(simple), "!theme": FileSystemLoader(theme)})]))
    found = next((file for extension in extensions if isinstance(name, str) and name.strip()
                  and _exists(environment, file := name + extension)), None)
    if found is not None and _shows_a_page(environment, found):
        return None
    usable = sorted({file[:-len(extension)] for folder in folders if os.path.isdir(folder) for file in os.listdir(folder)
                     for extension in extensions if file.endswith(extension) and _shows_a_page(environment, file)})
    if found is not None:
        return _('the template "{name}" is for other pages (a notice, a list of notices), not for a page of '
                 'content/pages; a page may use {templates}: write template: page, or remove the template: '
                 'line').format(name=name, templates=", ".join(usable))
    return _('the template "{name}" does not exist{suggestion}; a page may use {templates}: write one of '
             'them, or remove the template: line to use page').format(
        name="" if name is None else name, suggestion=did_you_mean(str(name), usable), templates=", ".join(usable))


class _AnyName(dict):
    """Filters or tests by any name: which names a template reads does not depend on them."""

    def get(self, key, default=None):
        return super().get(key, len)


def _reading_environment(settings: dict, loader):
    """A Jinja environment that parses the theme's templates as Pelican's
    does, only to tell which names they read."""
    from jinja2 import Environment

    extensions = (settings.get("JINJA_ENVIRONMENT") or {}).get("extensions") or ()
    environment = Environment(loader=loader, extensions=[*extensions, "jinja2.ext.i18n"])
    environment.filters, environment.tests = _AnyName(environment.filters), _AnyName(environment.tests)
    return environment


def _exists(environment, file: str) -> bool:
    from jinja2 import TemplateNotFound

    try:
        environment.loader.get_source(environment, file)
    except TemplateNotFound:
        return False
    return True


# What Pelican gives only the pages it makes of other things (a notice, a
# list, a category, a tag, an author, a period), never a page of content/pages.
_NOT_A_PAGES = frozenset({"article", "articles_page", "articles_paginator", "articles_previous_page",
                          "articles_next_page", "category", "tag", "author", "period", "period_num"})


def _shows_a_page(environment, file: str) -> bool:
    """Whether ``file`` (and what it extends, includes and imports) reads
    ``page`` and nothing in _NOT_A_PAGES; True when a template of it cannot
    be parsed (the build says where)."""
    from jinja2 import TemplateError, TemplateNotFound, meta

    names, seen, waiting = set(), set(), [file]
    while waiting:
        current = waiting.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            tree = environment.parse(environment.loader.get_source(environment, current)[0])
            names |= meta.find_undeclared_variables(tree)
        except TemplateNotFound:  # an "include ... ignore missing"
            continue
        except TemplateError:
            return True
        waiting.extend(used for used in meta.find_referenced_templates(tree) if isinstance(used, str))
    return "page" in names and not names & _NOT_A_PAGES


def read_pages(project) -> tuple[dict[str, Page], list[Problem]]:
    """Every static page under content/pages, its text rendered (sotong.rendering), and the problems found."""
    files, problems = markdown_files(project.content_path / "pages", project.shown,
                                     ignored=project.settings.get("IGNORE_FILES") or ())
    pages = {}
    for path in files:
        page, found = read_page(path, project.shown(path), project.content_path, project.settings)
        if page is not None and not found:  # a text nested too deep is not rendered: that takes minutes
            found = project.renderer.problems(path, page, project.shown(path))
        problems.extend(found)
        if page is not None and not found:
            pages[os.path.abspath(path)] = page
    return pages, problems


def read_parts(project) -> tuple[dict[str, object], list[Problem]]:
    """The plugins' parts (``signals.content_parts``) that are right, and the
    problems of those that are not (each receiver raises SotongError with its
    problems)."""
    project.activate_plugins()
    parts, problems = {}, []
    for receiver in signals.content_parts.receivers_for(project):
        try:
            parts.update(receiver(project) or {})
        except SotongError as exc:
            problems.extend(exc.problems)
    return parts, problems


def read_content(project) -> tuple[Content, list[Problem], list[Problem]]:
    """The project's Content, made of the files without problems; the
    problems found in the notices and pages; and those of the plugins' parts
    (read once per Project: ``Project.read_parts``)."""
    notices, problems = project.read_notices()
    pages, page_problems = read_pages(project)
    parts, part_problems = project.read_parts()
    content = Content(audiences=project.audiences, notices=tuple(notices), pages=pages, day=project.today(),
                      stamps=project.notice_stamps, parts=parts, html=project.renderer.html,
                      text_html=project.renderer.text_html)
    return content, problems + page_problems, part_problems


def load_content(project, *, strict: bool = True) -> Content:
    """The project's Content; SotongError listing every problem. Not
    ``strict`` (Pelican run by itself, which reports a bad notice or page as
    it reads it), only the plugins' parts must be right."""
    content, file_problems, part_problems = project.read_content()
    problems = file_problems + part_problems if strict else part_problems
    if problems:
        raise SotongError(problems)
    return content
