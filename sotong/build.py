"""``sotong build``: check, then Pelican into a folder that replaces
``output/`` only once it is complete, so a failed build never leaves a
half-written site to deploy.

``output`` is a symbolic link to one of two build slots beside it
(``.output-a``, ``.output-b``); one build at a time (``.output-lock``: a
second is refused). A build writes into the slot not in use, in
place: on this kind of disk creating a file costs twenty times overwriting one,
so reusing the files of the build before last keeps rebuilds quick. Files the
build did not write (a deleted notice, a shorter pagination, a file put there
by hand) are then removed, by the set of paths the writers told the
BuildState, never by the files' times (a clock that steps, a disk that stamps
coarsely or with another machine's clock, a file copied in with its times
kept), and the link is switched with one atomic rename.

The Content Pelican reads and the slot's BuildState reach the core plugin's
generators and writer through ``pelican_plugin.core``, never through the
settings.

Pelican logs (rather than raises) many failures, such as a plugin that does not
load or a file it could not read; any ERROR logged during the run fails the build.
"""

from __future__ import annotations

import gc
import logging
import os
import shutil
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from .atomic import one_at_a_time
from .build_state import BuildState
from .check import check_project, project_warnings
from .i18n import _
from .problems import (Logged, Problem, SotongError, collect_logged_errors, file_system_trouble, logged_plugin_problem,
                       plugin_failure_said, plugin_of, plugin_problem, raised, shortened, traceback_frames)
from .project import Project
from .rendering import unreadable_text


def build_site(project: Project) -> dict:
    """Check and build; replace OUTPUT_PATH atomically. Returns figures,
    with the check's ``warnings`` (which do not stop the build) and the
    ``feed_entries`` its Atom feeds gave ids (sotong.feed_ids: ``sotong
    build`` records them, a preview build does not)."""
    started = time.perf_counter()
    output = Path(project.settings["OUTPUT_PATH"])
    # two builds at once wrote into the same free slot, the first making it output/ while the second still wrote
    with one_at_a_time(output.parent / f".{output.name}-lock", _(
            "another sotong build into {output}/ is running; wait for it to finish, and build again if something "
            "changed since it began").format(output=project.shown(output))), _few_collections():
        _remove_stale_links(output)
        with plugin_failure_said(project.settings, project.shown):  # a plugin's own check that raises
            problems = check_project(project)
            if problems:
                raise SotongError(problems)
            warnings = project_warnings(project)
        return dict(_build_checked(project, started), warnings=warnings)


def _build_checked(project: Project, started: float) -> dict:
    """Pelican into the free build slot, which then becomes output/."""
    content = project.content
    output = Path(project.settings["OUTPUT_PATH"])
    slot = _free_slot(output)
    slot.mkdir(parents=True, exist_ok=True)
    state = BuildState(project, content, slot)
    settings = dict(project.settings, OUTPUT_PATH=str(slot), DELETE_OUTPUT_DIRECTORY=False)
    _run_pelican(settings, content, state, project.shown)
    files = _remove_unwritten(Path(os.path.abspath(slot)), state.present)
    state.save()
    _point(output, slot)
    return {"seconds": time.perf_counter() - started, "files": files, "feed_entries": state.feed_entries}


@contextmanager
def _few_collections():
    """Python's cyclic garbage collector, left to its defaults, ran some 850
    times in a rebuild of 5,000 notices and took a sixth of its time: each run
    walks the objects made since (or all, for the oldest generation), and a
    build makes millions that live until it ends (notices, articles, pages'
    keys). Inside, it runs after 100,000 new objects instead of 700; the
    defaults are restored after (a dev server builds again in one process)."""
    before = gc.get_threshold()
    gc.set_threshold(100_000, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


@contextmanager
def _pelican_console_quiet():
    """Pelican's own console says nothing: its one line, "Done: Processed N
    articles ... in S seconds", is English and counts Pelican's kinds of
    page; sotong says what it built after, in the staff's language. (Its
    warnings and errors go through logging, which sotong shows.)"""
    from pelican.log import console

    before, console.quiet = console.quiet, True
    try:
        yield
    finally:
        console.quiet = before


# Pelican's English warning for each picture with alt="" (past five, its
# summary): check's warnings say each one at its line, in the staff's language.
_EMPTY_ALT = frozenset({"Empty alt attribute for image %s in %s", "Other images have empty alt attributes"})


def _not_said_by_check(record: logging.LogRecord) -> bool:
    return record.msg not in _EMPTY_ALT


@contextmanager
def _pelican_alt_warnings_quiet():
    """Pelican's reader says nothing of pictures without words (see _EMPTY_ALT)."""
    readers = logging.getLogger("pelican.readers")
    readers.addFilter(_not_said_by_check)
    try:
        yield
    finally:
        readers.removeFilter(_not_said_by_check)


def _run_pelican(settings: dict, content, state: BuildState, shown) -> None:
    """Pelican over ``content``; SotongError (output/ untouched) on any failure,
    a template's at its file (``shown``: as the project names it) and line."""
    from pelican import Pelican

    from .pelican_plugin import core

    try:
        with (collect_logged_errors() as errors, _unread_files_said(settings, shown) as unread,
              core.building(content, state), _pelican_console_quiet(), _pelican_alt_warnings_quiet()):
            Pelican(settings).run()
        if unread or errors:  # each once: a plugin's failure logged for each notice is one line
            raise SotongError(list(dict.fromkeys([*unread, *(_logged_problem(logged, settings, shown) for logged in errors)])))
    except SotongError:
        raise
    except Exception as exc:
        raise SotongError([_template_problem(exc, shown) or plugin_problem(exc, settings, shown) or _(
            "build failed, output/ left as it was: {describe}").format(describe=describe_failure(exc))]) from exc


def _logged_problem(logged: Logged, settings: dict, shown) -> Problem | str:
    """An ERROR logged during the build, as the build's problem: a plugin's
    failure at the plugin's line (sotong.problems.logged_plugin_problem, or a
    generator that is not one), else what was logged."""
    return (logged_plugin_problem(logged, settings, shown) or _not_a_generator(logged, settings, shown)
            or _("build failed, output/ left as it was: {message}").format(message=logged.message))


# What Pelican logs, as an ERROR, for each item a get_generators receiver gave
# that is not a class (each character of a string), naming the receiver's module
_NOT_A_GENERATOR = "Generator %s (%s) cannot be loaded"


def _not_a_generator(logged: Logged, settings: dict, shown) -> Problem | None:
    """Pelican's "Generator X (MODULE) cannot be loaded" as the plugin's
    line: the def of its get_generators receiver; None for another record."""
    from blinker import ANY
    from pelican import signals

    record = logged.record
    if record.msg != _NOT_A_GENERATOR or not isinstance(record.args, tuple) or len(record.args) != 2:
        return None
    for receiver in signals.get_generators.receivers_for(ANY):
        code = getattr(receiver, "__code__", None)
        if code is not None and receiver.__module__ == record.args[1] and (plugin := plugin_of(code.co_filename, settings)):
            return Problem(shown(code.co_filename), code.co_firstlineno, _(
                "the plugin {plugin} gives Pelican, from this function, what is not a generator (a get_generators "
                "receiver returns a class, or a list of classes), so the build stopped and output/ is left as it "
                "was; show this line to whoever looks after the plugin, or take it out of PLUGINS in the settings "
                "until it is mended, and build again").format(plugin=plugin))
    return None


# What Pelican logs, as an ERROR, when reading a notice or page raised (in
# Markdown, an extension, Pelican's own processing), without the exception
# unless its DEBUG is set; the record is made while the exception is handled.
_COULD_NOT_PROCESS = "Could not process %s"


@contextmanager
def _unread_files_said(settings: dict, shown):
    """Pelican's "Could not process FILE", English and naming no line, is
    not logged: inside, it is the problem of FILE (in the list yielded), or
    of the plugin whose code raised as Pelican read it."""
    problems: list[Problem] = []

    def said(record: logging.LogRecord) -> bool:
        if record.msg != _COULD_NOT_PROCESS or not record.args:
            return True
        problems.extend(_unread_file(record, settings, shown))
        return False

    generators = logging.getLogger("pelican.generators")
    generators.addFilter(said)
    try:
        yield problems
    finally:
        generators.removeFilter(said)


def _unread_file(record: logging.LogRecord, settings: dict, shown) -> list[Problem]:
    """The problems of the file Pelican could not read (sotong.rendering.unreadable_text),
    with what the exception being handled said (the record holds it only if
    DEBUG is set); a plugin's, at its line, when its code raised."""
    exc = record.exc_info[1] if record.exc_info else sys.exc_info()[1]
    if isinstance(exc, SotongError) and exc.problems and all(isinstance(p, Problem) for p in exc.problems):
        return exc.problems  # a notice saved since check read it, and wrong now: its own lines
    if exc is not None and (problem := plugin_problem(exc, settings, shown)):
        return [problem]  # a plugin's reader or signal: no notice is wrong
    file = shown(os.path.join(settings["PATH"], str(record.args[0])))
    return [unreadable_text(file, raised(exc) if exc is not None else record.getMessage())]


def _template_problem(exc: Exception, shown) -> Problem | None:
    """A template's mistake as check says a notice's (FILE:LINE: first), or
    None: a syntax error at the line Jinja names; what a template raised as
    it rendered (``{{ 1/0 }}``, a filter given an undefined value) at the
    innermost line of a template in its traceback, which Jinja rewrites so
    that those frames are the templates' files and lines."""
    from jinja2 import TemplateSyntaxError

    if isinstance(exc, TemplateSyntaxError):
        if not exc.filename:
            return None
        filename, line, message = exc.filename, exc.lineno, (exc.message or "").rstrip(".")
    else:
        frames = [tb for tb in traceback_frames(exc) if "__jinja_exception__" in tb.tb_frame.f_globals]
        if not frames:
            return None
        filename, line, message = frames[-1].tb_frame.f_code.co_filename, frames[-1].tb_lineno, raised(exc)
        message = shortened(message)
    return Problem(shown(filename), line or 1, _("template error: {message}; the build stopped and output/ is "
                                                 "left as it was").format(message=message))


def _slots(output: Path) -> tuple[Path, Path]:
    return output.parent / f".{output.name}-a", output.parent / f".{output.name}-b"


def _free_slot(output: Path) -> Path:
    """The slot that ``output`` does not point to."""
    first, second = _slots(output)
    if output.is_symlink() and Path(os.readlink(output)).name == first.name:
        return second
    return first


def _remove_unwritten(folder: Path, present: set[str]) -> int:
    """Delete every file of ``folder`` that is not in ``present`` (the
    absolute paths of what this build wrote or kept), and the folders left
    empty; return how many files remain."""
    kept, holding = 0, set()  # holding: the folders that keep something
    for root, dirs, files in os.walk(folder, topdown=False):
        for name in files:
            path = os.path.join(root, name)
            if path not in present:
                os.unlink(path)
            else:
                kept += 1
                holding.add(root)
        if root in holding or any(os.path.join(root, name) in holding for name in dirs):
            holding.add(root)
        elif root != str(folder):
            try:
                os.rmdir(root)
            except OSError:  # it holds a link to a folder (not walked), or something new
                holding.add(root)
    return kept


def _link(output: Path, pid: int | str) -> Path:
    """The link a build (of process ``pid``) makes before renaming it ``output``."""
    return output.parent / f".{output.name}.link-{pid}"


def _remove_stale_links(output: Path) -> None:
    """Remove the links of builds killed between making theirs and renaming it
    (see _point), which stayed beside output/ for ever: under the build's
    lock no other build is making one, so each one there is stale."""
    for link in output.parent.glob(_link(output, "*").name):
        if link.is_symlink():
            link.unlink()


def _point(output: Path, slot: Path) -> None:
    """Make ``output`` a link to ``slot`` in one atomic rename."""
    link = _link(output, os.getpid())
    os.symlink(slot.name, link)
    if output.exists() and not output.is_symlink():
        replace_folder(link, output)  # an output/ folder from before the slots
    else:
        os.replace(link, output)


def replace_folder(new: Path, target: Path) -> None:
    """Swap the finished build in; the old output is removed only afterwards."""
    old = target.parent / f".{target.name}.old-{os.getpid()}"
    if target.exists():
        os.rename(target, old)
    os.rename(new, target)
    shutil.rmtree(old, ignore_errors=True)


def describe_failure(exc: Exception) -> str:
    """What went wrong in a build that raised ``exc``, for the line that says
    so: a template's mistake at its file and line, the machine's trouble (a
    full disk) as the command line says it, else the error as raised."""
    from jinja2 import TemplateError, TemplateSyntaxError

    if isinstance(exc, TemplateSyntaxError):
        return _("{value}:{lineno}: template error: {message}").format(
            value=exc.filename or exc.name, lineno=exc.lineno, message=exc.message)
    if isinstance(exc, TemplateError):
        return _("template error: {exc}").format(exc=exc)
    trouble = file_system_trouble(exc)
    if trouble is not None:
        return str(trouble.problems[0])
    return raised(exc)
