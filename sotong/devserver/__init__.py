"""``sotong devserver``: the staff's live preview, wired together.

It builds with ``sotong build``'s own check and build into a folder of its
own (``.cache/devserver/``: never ``output/`` nor the build slots that
``sotong build`` keeps pages in), serves the last good build, rebuilds after
every save (rebuild.py), shows a failed build's problems over every page and
in the terminal, and reloads open pages when a build ends (server.py,
page.py). A change to Python code (settings, plugins) starts the process
again, as only a new process reads it. One runs per project: it holds a lock
on the folder's ``running`` file, which names its address to a second one.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import sys
import threading
import time
from pathlib import Path
from typing import Callable

from ..i18n import _
from ..problems import SotongError, os_reason
from ..settings import load_settings
from .rebuild import BuildProcess, Rebuilder
from .server import ANSWER_SECONDS, PreviewServer
from .watch import needs_restart, start_watching


def preview_folder(settings_file: Path) -> Path:
    """Where the devserver builds: under the project's .cache/ (git-ignored)."""
    return settings_file.resolve().parent / ".cache" / "devserver"


def run(settings_file: Path, host: str, port: int, announce: Callable[[str], None]) -> None:
    """Serve the preview until Ctrl+C."""
    folder = preview_folder(settings_file)
    with _only_preview(folder) as record_address:
        builds = BuildProcess(settings_file, folder)
        rebuilder = Rebuilder(builds.build, announce)
        try:
            server = PreviewServer((host, port), folder / "site", rebuilder, token=f"{os.getpid()}.{time.time_ns()}")
        except OSError as exc:
            builds.stop()
            raise SotongError([_("cannot listen on {host}:{port} ({strerror}); choose another port with --port").format(
                host=host, port=port, strerror=os_reason(exc))]) from None
        port = server.server_address[1]
        rebuilder.address = f"http://{host}:{port}"
        record_address(f"http://{host}:{port}/")
        announce(_("Preview on http://{host}:{port}/ (built into {relpath}/; rebuilt after every save; Ctrl+C stops)").format(
            host=host, port=port, relpath=os.path.relpath(folder / 'site')))
        _serve(server, rebuilder, builds, (settings_file, host, port, announce))


def _serve(server: PreviewServer, rebuilder: Rebuilder, builds: BuildProcess, command: tuple) -> None:
    """Watch, rebuild and serve until Ctrl+C; ``command``: the settings file,
    host, port and announce of the run, to start it again with."""
    settings_file = command[0]
    stop = threading.Event()

    def changed(paths: set) -> None:
        if needs_restart(paths):
            rebuilder.request_restart(lambda: _restart(*command, builds, server))
        else:
            rebuilder.request()

    start_watching(settings_file, _settings_or_none(settings_file), changed, stop)
    threading.Thread(target=rebuilder.run, args=(stop,), name="sotong-build", daemon=True).start()
    rebuilder.request()
    try:
        server.serve_forever()
    finally:  # Ctrl+C too: then the command line says so and exits 130
        stop.set()
        server.server_close()
        builds.stop()


@contextlib.contextmanager
def _only_preview(folder: Path):
    """One devserver a project: a second one would build into the same
    folder as the first. Held while the preview runs (released by the OS if
    it is killed, and by starting again, which takes it anew); yields the
    function that records the preview's address, which a second one names."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "running", "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            raise SotongError([_("a preview of this project is already running at {address}; open that address, or stop it with Ctrl+C in its window first").format(
                address=handle.read().strip() or "?")]) from None

        def record_address(address: str) -> None:
            handle.seek(0)
            handle.truncate()
            handle.write(address)
            handle.flush()

        yield record_address


def _settings_or_none(settings_file: Path) -> dict | None:
    """The settings, for what to watch; None when they cannot be read (the
    build reports why, and a fix restarts the process)."""
    try:
        return load_settings(settings_file)
    except SotongError:
        return None


def _restart(settings_file: Path, host: str, port: int, announce, builds: BuildProcess, server: PreviewServer) -> None:
    """Run the same devserver again in this process, on the same port (the
    listening socket closes on exec), once the pages being sent are sent."""
    announce(_("Python code changed (settings or plugins): starting again"))
    server.finish_answers(ANSWER_SECONDS)
    builds.stop()
    verbose = ["-v"] if logging.getLogger().level <= logging.INFO else []
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [sys.executable, "-m", "sotong", *verbose, "devserver", "-s", str(settings_file),
                              "--host", host, "--port", str(port)])
