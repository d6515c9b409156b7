"""A Sotong project as the commands see it: its settings file, and what is
read from it on demand (audiences, notices, the Content made of them, the
store, the active plugins).
"""

from __future__ import annotations

import datetime as dt
import os
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from .database_url import is_database_url
from .i18n import _
from .problems import (Logged, Problem, SotongError, closest, collect_logged_errors, every_line_logged, plugin_failure_said,
                       plugin_problem, raised, shortened, suggested)
from .settings import load_settings, setting_line, shown_in_project, today

if TYPE_CHECKING:  # imported where used: `sotong --help` reads no notice
    from .audiences import Audiences
    from .content import Content
    from .notices import Notice


class Project:
    """Everything a command needs, loaded lazily from one settings file."""

    def __init__(self, settings_path: str | Path = "pelicanconf.py", overrides: dict | None = None,
                 *, settings: dict | None = None, pelican: bool = True):
        """``settings``: settings already read (by Pelican run by itself) instead
        of the file's; ``pelican=False``: read without Pelican (:func:`load_settings`)."""
        self.settings_path = Path(settings_path)
        self.settings = load_settings(self.settings_path, pelican) if settings is None else settings
        self._own_output = self.settings.get("OUTPUT_PATH")  # before a preview's overrides
        self.settings.update(overrides or {})
        self._plugins_active = False
        self._read = None
        self._content_read = None
        self._parts_read = None
        self.notice_stamps: dict[str, list] = {}
        self._shown: dict[str, str] = {}  # shown(), of absolute paths
        self.file_warnings: dict[str, list[str]] = {}  # a published notice's advice.file_warnings, by its source

    @property
    def content_path(self) -> Path:
        return Path(self.settings["PATH"])

    @property
    def notices_path(self) -> Path:
        return self.content_path / self.settings["NOTICES_DIR"]

    def shown(self, path: Path | str) -> str:
        """A path as users see it: relative to the project folder (SOTONG_DB's
        postgresql:// address as it is)."""
        if is_database_url(path):
            return path
        path = str(path)
        if path in self._shown:  # an absolute path (a notice's source), asked for by every warning of it
            return self._shown[path]
        shown = shown_in_project(self.settings, path)
        if os.path.isabs(path):
            self._shown[path] = shown
        return shown

    def published(self, path: Path | str) -> str | None:
        """OUTPUT_PATH as users see it (``output``, not the build slot it
        points to) when ``path`` lies under it, which is deployed as it is;
        None when it does not."""
        public = Path(self.settings["OUTPUT_PATH"])
        return self.shown(public) if Path(path).resolve().is_relative_to(public.resolve()) else None

    @property
    def site_path(self) -> Path:
        """The site ``sotong build`` makes and the operator deploys: the
        settings' OUTPUT_PATH, also where the devserver builds elsewhere
        (``overrides``); what "changed since the last build" means."""
        return Path(self._own_output or self.settings["OUTPUT_PATH"])

    def today(self) -> dt.date:
        return today(self.settings)

    @cached_property
    def audiences(self) -> Audiences:
        from .audiences import load_audiences

        path = self.settings["AUDIENCES_PATH"]
        return load_audiences(path, self.shown(path))

    def notice_files(self) -> list[Path]:
        from .content_files import markdown_files

        return markdown_files(self.notices_path, ignored=self.settings.get("IGNORE_FILES") or ())[0]

    def read_notices(self) -> tuple[list[Notice], list[Problem]]:
        """Every notice file, read, validated and its text rendered as the build
        renders it (sotong.rendering); slugs checked for uniqueness.
        Read once per Project; callers get copies of the lists."""
        if self._read is None:
            self._read = self._read_notice_files()
        notices, problems = self._read
        return list(notices), list(problems)

    def _read_notice_files(self) -> tuple[list[Notice], list[Problem]]:
        from .content_files import markdown_files
        from .notice_cache import NoticeCache, file_stamp

        notices, seen = [], {}
        files, problems = markdown_files(self.notices_path, self.shown, ignored=self.settings.get("IGNORE_FILES") or ())
        # Stamps taken before the notices are read: a save made meanwhile is a change next time.
        self.notice_stamps = {os.path.abspath(path): file_stamp(path) for path in files}
        cache = NoticeCache(self.settings, self.notices_path)
        for path in files:
            result = cache.get(path, self.notice_stamps[os.path.abspath(path)]) or self._read_notice_file(path)
            cache.put(path, result)
            notice, found, warnings = result
            problems.extend(found)
            if notice is None:
                continue
            if warnings is not None:
                self.file_warnings[notice.source] = warnings
            if notice.slug in seen:
                problems.append(self._slug_taken(path, notice, seen[notice.slug]))
                continue
            seen[notice.slug] = path
            notices.append(notice)
        cache.save()
        return notices, problems

    def _read_notice_file(self, path: Path) -> tuple[Notice | None, list[Problem], list[str] | None]:
        """The notice of the file at ``path`` read, its problems, and, when it
        is published and has none, the warnings its file alone decides
        (advice.file_warnings), which the notice cache keeps with it."""
        from .advice import file_warnings
        from .notices import read_notice

        notice, problems = read_notice(path, self.audiences, self.content_path, self.shown(path))
        if notice is not None and (refused := self.renderer.problems(path, notice, self.shown(path))):
            return None, refused, None  # Markdown cannot read its text: the build would stop at it
        published = notice is not None and not problems and notice.published
        return notice, problems, file_warnings(notice, self.shown(path)) if published else None

    def _slug_taken(self, path, notice: Notice, other) -> Problem:
        """The problem of the notice at ``path`` whose slug the file ``other``
        gave its notice: a file of the same name stored in another Unicode
        form (one named on a Mac, NFD) is the same notice twice."""
        from .validators import composed

        if composed(os.path.basename(path)) == composed(os.path.basename(other)) and "slug" not in notice.lines:
            return Problem(self.shown(path), 1, _(
                "this file has the name of {other}, stored in another form (one of them was named on a Mac): the same "
                "notice twice; keep one and delete the other").format(other=self.shown(other)))
        return Problem(self.shown(path), notice.lines.get("slug", 1), _(
            'slug "{slug}" is already used by {other}; give this notice its own slug: line').format(
                slug=notice.slug, other=self.shown(other)))

    @cached_property
    def renderer(self):
        """The project's sotong.rendering.Renderer: its texts rendered as the build renders them."""
        from .rendering import Renderer

        return Renderer(self.settings)

    def read_content(self) -> tuple[Content, list[Problem], list[Problem]]:
        """sotong.content.read_content, once per Project."""
        from .content import read_content

        if self._content_read is None:
            self._content_read = read_content(self)
        return self._content_read

    def read_parts(self) -> tuple[dict[str, object], list[Problem]]:
        """sotong.content.read_parts, once per Project (the Content's parts are these)."""
        from .content import read_parts

        if self._parts_read is None:
            self._parts_read = read_parts(self)
        return self._parts_read

    def part(self, name: str):
        """A plugin's part of the Content (``"surveys"``), the very one the
        Content holds, for commands that need no notice; SotongError with the
        parts' problems when it is wrong, KeyError when no plugin gives it."""
        parts, problems = self.read_parts()
        if name not in parts and problems:
            raise SotongError(problems)
        return parts[name]

    @cached_property
    def content(self) -> Content:
        """The project's Content (sotong.content), loaded once; SotongError if any file is wrong."""
        from .content import load_content

        return load_content(self)

    @cached_property
    def notices(self) -> list[Notice]:
        """The valid notices, drafts included; SotongError if any file is wrong."""
        return list(self.content.notices)

    @cached_property
    def published_notices(self) -> list[Notice]:
        return list(self.content.published)

    def notice(self, slug: str) -> Notice:
        return self.content.notice(slug)

    def activate_plugins(self) -> None:
        """Load the settings' PLUGINS and call each register(), as Pelican does;
        a plugin that fails is one line, at its own line when its code raised
        (sotong.problems.plugin_problem), else at PLUGINS."""
        if self._plugins_active:
            return
        from pelican.plugins._utils import load_plugins

        with plugin_failure_said(self.settings, self.shown, stage="load"), collect_logged_errors() as errors:
            plugins = load_plugins(self.settings)
        if errors:  # Pelican's "Cannot load plugin `%s`\n%s", each plugin once
            raise SotongError(list(dict.fromkeys(self._not_loaded(logged) for logged in errors)))
        every_line_logged()  # Pelican is imported now: its once-only filter off Sotong's loggers
        if stray := [plugin for plugin in plugins if not callable(getattr(plugin, "register", None))]:
            raise SotongError([self._no_plugin(module) for module in stray])
        with plugin_failure_said(self.settings, self.shown, stage="load"):
            for plugin in plugins:
                plugin.register()
        self._plugins_active = True

    def _not_loaded(self, logged: Logged) -> Problem:
        """A plugin Pelican could not load (it logged why): at the plugin's
        line that raised, else at PLUGINS, with the nearest name in PLUGIN_PATHS."""
        if logged.exception is not None and (problem := plugin_problem(logged.exception, self.settings, self.shown,
                                                                        stage="load")):
            return problem
        name = str(logged.record.args[0])
        known = [entry.name.removesuffix(".py") for folder in self.settings.get("PLUGIN_PATHS", [])
                 if os.path.isdir(folder) for entry in os.scandir(folder) if _is_plugin_module(entry.path)]
        reason = raised(logged.exception) if logged.exception is not None else logged.message
        return Problem(self.shown(self.settings_path), setting_line(self.settings, "PLUGINS"), _(
            "the plugin {plugin} in PLUGINS could not be loaded ({reason}); check its name and PLUGIN_PATHS, or take "
            "it out of PLUGINS{suggestion}").format(plugin=name, reason=shortened(reason),
                                                    suggestion=suggested(closest(name, known))))

    def _no_plugin(self, module) -> str:
        """The line for a module of PLUGINS that has no register(): a file
        of the plugin's name found first (in PLUGIN_PATHS), a module of
        Python's of that name hiding the project's plugin, or no plugin at all."""
        if hidden := self._plugin_hidden_by(module):
            return _("{settings_path}:{line}: PLUGINS names {name}, but Python already has a module of that name ({file}), which is found before {plugin}; rename {plugin} (e.g. to office_{name}) and write that name in PLUGINS").format(
                settings_path=self.shown(self.settings_path), line=setting_line(self.settings, "PLUGINS"),
                name=module.__name__, file=getattr(module, "__file__", None) or module.__name__, plugin=self.shown(hidden))
        return _("{settings_path}:{line}: PLUGINS names {name}, but {file} was found under that name, and it is no plugin (it has no register()); rename that file, or correct PLUGINS and PLUGIN_PATHS").format(
            settings_path=self.shown(self.settings_path), line=setting_line(self.settings, "PLUGINS"),
            name=module.__name__, file=self.shown(getattr(module, "__file__", None) or module.__name__))

    def _plugin_hidden_by(self, module) -> str | None:
        """The project's plugin (a folder or file of PLUGIN_PATHS) of the
        module's name when the module found is not in PLUGIN_PATHS: one of
        Python's own (calendar, email) or an installed package, imported
        first, takes the name (None when there is no such plugin)."""
        file = getattr(module, "__file__", None)
        folders = [os.path.abspath(folder) for folder in self.settings.get("PLUGIN_PATHS", [])]
        if file and any(os.path.abspath(file).startswith(folder + os.sep) for folder in folders):
            return None
        name = module.__name__.replace(".", os.sep)
        return next((candidate for folder in folders for candidate in (os.path.join(folder, name), os.path.join(folder, name + ".py"))
                     if _is_plugin_module(candidate)), None)

    def declare_every_schema(self) -> None:
        """The tables of core and of every plugin of PLUGINS registered
        (``signals.store_schemas``), though no command of theirs ran yet:
        for what brings or reads them all (``sotong db upgrade``, ``db
        copy``, ``subscribers forget``, ``serve``)."""
        from . import signals

        self.activate_plugins()
        signals.store_schemas.send(None)

    @cached_property
    def store(self):
        from .store import Store

        return Store.open(self.settings["SOTONG_DB"])

    @property
    def existing_store(self):
        """The store, for a command that only reads it: a SOTONG_DB naming
        no file is refused (opening it would make an empty store there, and
        a mistyped path would report no readers rather than the mistake)."""
        location = self.settings["SOTONG_DB"]  # a folder or other file there: Store.open says what it is
        if "store" not in self.__dict__ and not is_database_url(location) and not Path(location).exists():
            raise SotongError([_("{settings_path}:{line}: SOTONG_DB names {store}, where there is no store; check SOTONG_DB (a mistyped path?), or make the store with sotong subscribers import FILE.csv").format(
                settings_path=self.shown(self.settings_path), line=setting_line(self.settings, "SOTONG_DB"),
                store=self.shown(location))])
        return self.store

    def close_store(self) -> None:
        """Close the store if a command opened it: its connection (and on
        PostgreSQL what it holds, a send's lease on its outbox) ends with the
        command, not at the process's exit or a garbage collection (a test
        running commands in one process had its next send find the last one's
        lease alive)."""
        store = self.__dict__.pop("store", None)
        if store is not None:
            store.close()


def _is_plugin_module(path: str) -> bool:
    """Whether ``path`` (in a folder of PLUGIN_PATHS) is a module Pelican
    would load as a plugin: a ``.py`` file, or a package (a folder with
    ``__init__.py``)."""
    return (path.endswith(".py") and os.path.isfile(path)) or os.path.isfile(os.path.join(path, "__init__.py"))
