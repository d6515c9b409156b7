"""The devserver's builds: one at a time (in a process of their own), again
whenever an input changed while one ran, each ending in an :class:`Outcome`
that the server shows and waits on.

A save is never missed: the request flag is cleared *before* a build starts,
so a change reported during that build sets it again and causes another.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..build import build_site, describe_failure
from ..i18n import _, ngettext
from ..interrupts import how_it_ended, leave_ctrl_c_to_the_parent
from ..problems import SotongError, file_system_trouble
from ..project import Project
from ..store import engine_trouble


@dataclass(frozen=True)
class Outcome:
    """How the latest build ended: ``problems`` is empty when it succeeded;
    ``warnings`` are the check's of a build that succeeded."""

    number: int
    seconds: float
    problems: tuple = field(default=())
    files: int = 0
    warnings: tuple = field(default=())
    drafts: tuple = field(default=())  # the addresses of the draft pages, shown in this preview only

    @property
    def failed(self) -> bool:
        return bool(self.problems)


def build_preview(settings_path: Path, folder: Path) -> dict:
    """``sotong build``'s check and build, into ``folder/site`` (with its own
    build slots and caches beside it) instead of OUTPUT_PATH, and each draft
    notice's page into ``folder/drafts`` (the figures' ``drafts``: their
    addresses). With the content cache on (the default), compiled templates
    are kept between builds (sotong.compiled_templates): it halves a
    rebuild's CPU time."""
    drafts = folder / "drafts"
    project = Project(settings_path, overrides={"OUTPUT_PATH": str(folder / "site"),
                                                "CACHE_PATH": str(folder / "cache"),
                                                "DRAFTS_PREVIEW_PATH": str(drafts)})
    figures = build_site(project)
    pages = sorted(page.parent.relative_to(drafts).as_posix() for page in drafts.rglob("index.html"))
    return dict(figures, drafts=[f"/{page}/" for page in pages])


def _serve_builds(connection, settings_path: Path, folder: Path) -> None:
    """The build process: a build for each request, its figures or its problems sent back."""
    from pelican.log import console

    leave_ctrl_c_to_the_parent()  # the server stops this process
    console.quiet = True  # Pelican's "Done: Processed..."; the rebuilder says it in one line
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    for handler in logging.getLogger().handlers:  # errors come back as the build's problems
        handler.addFilter(lambda record: record.levelno < logging.ERROR)
    try:
        while True:
            connection.recv()
            try:
                answer = ("done", build_preview(settings_path, folder))
            except SotongError as exc:
                answer = ("problems", tuple(exc.problems))
            except Exception as exc:  # noqa: BLE001 - whatever a plugin raises, the server stays up
                answer = ("problems", _unexpected(exc))
            connection.send(answer)
    except (EOFError, OSError):
        return  # the server stopped


def _unexpected(exc: Exception) -> tuple:
    """The lines for a build that raised what is not a SotongError: the
    machine's trouble (a full disk, a store it cannot open) as the command
    line says it, else what failed, in the staff's language."""
    trouble = engine_trouble(exc) or file_system_trouble(exc)
    if trouble is not None:
        return tuple(trouble.problems)
    return (_("build failed: {describe}").format(describe=describe_failure(exc)),)


class BuildProcess:
    """Builds in a process of their own, which stays up between builds: serving
    pages never slows a build down (no shared interpreter lock), and a plugin
    that crashes its process does not stop the server."""

    def __init__(self, settings_path: Path, folder: Path):
        self._args = (settings_path, folder)
        self._start()

    def _start(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._connection, child = context.Pipe()
        self._process = context.Process(target=_serve_builds, args=(child, *self._args), daemon=True)
        self._process.start()
        child.close()

    def build(self) -> dict:
        """As :func:`build_preview`: figures, or SotongError with the problems.
        A process that died between builds (the OOM killer) is replaced
        first; one that dies during the build is this build's problem."""
        if not self._process.is_alive():
            self._start()
        try:
            self._connection.send("build")
            kind, value = self._connection.recv()
        except (EOFError, OSError):
            self._process.join(5)
            code = self._process.exitcode
            self._start()
            raise SotongError([_("the build stopped unexpectedly ({how}); undo or fix what the last save changed, then save again").format(
                how=how_it_ended(code))]) from None
        if kind == "problems":
            raise SotongError(value)
        return value

    def stop(self) -> None:
        self._process.terminate()
        self._process.join(5)


class Rebuilder:
    """Runs ``build`` when asked, never two at once, and records each outcome."""

    def __init__(self, build: Callable[[], dict], announce: Callable[[str], None]):
        self._build = build
        self._announce = announce
        self._wanted = threading.Event()
        self._ended = threading.Condition()
        self._restart: Callable[[], None] | None = None
        self.outcome: Outcome | None = None
        self.address = ""  # the preview's, e.g. http://127.0.0.1:8000, before each draft's page in the terminal

    def request(self) -> None:
        """Build (again) as soon as the current build, if any, has ended."""
        self._wanted.set()

    def request_restart(self, restart: Callable[[], None]) -> None:
        """Call ``restart`` (which does not return) once no build is running."""
        self._restart = restart
        self._wanted.set()

    def run(self, stop: threading.Event) -> None:
        """Build whenever requested, until ``stop`` is set."""
        while True:
            self._wanted.wait()
            if stop.is_set():
                return
            self._wanted.clear()  # then a restart asked for from now on is seen here next time, not lost
            if self._restart is not None:
                self._restart()
            self._build_once()

    def _build_once(self) -> None:
        self._announce(_("build started"))
        started = time.perf_counter()
        problems, figures = (), {"files": 0, "warnings": (), "drafts": ()}
        try:
            figures = self._build()
        except SotongError as exc:
            problems = tuple(exc.problems)
        number = self.outcome.number + 1 if self.outcome else 1
        outcome = Outcome(number, time.perf_counter() - started, problems, figures["files"],
                          tuple(figures["warnings"]), tuple(figures["drafts"]))
        with self._ended:
            self.outcome = outcome
            self._ended.notify_all()
        if outcome.failed:
            count = len(problems)
            self._announce(ngettext("build failed in {seconds:.2f} s: {count} problem",
                                    "build failed in {seconds:.2f} s: {count} problems", count).format(
                seconds=outcome.seconds, count=count))
            for problem in problems:
                self._announce(f"  {problem}")
        else:
            for warning in outcome.warnings:  # as sotong build: before the line saying it is done
                self._announce(f"  {warning}")
            for address in outcome.drafts:
                self._announce("  " + _("draft, shown in this preview only (on the site, in feeds, newsletters, emails "
                                        "and texts once its status: draft line is removed): {address}").format(
                    address=self.address + address))
            self._announce(_("build done in {seconds:.2f} s ({files} files)").format(
                seconds=outcome.seconds, files=outcome.files))

    def wait_for_outcome(self, after: Outcome | None, timeout: float) -> Outcome | None:
        """The latest outcome once it is not ``after``, or ``after`` at the timeout."""
        with self._ended:
            self._ended.wait_for(lambda: self.outcome is not after, timeout)
            return self.outcome
