"""``sotong devserver``: the staff's live preview, wired together.

It builds with ``sotong build``'s own check and build into a folder of its
own (``.cache/devserver/``: never ``output/`` nor the build slots that
``sotong build`` keeps pages in), serves the last good build, rebuilds after
every save (rebuild.py), shows a failed build's problems over every page and
in the terminal, and reloads open pages when a build ends (server.py,
page.py). A change to Python code (settings, plugins) starts the process
again, as only a new process reads it.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from pathlib import Path
from typing import Callable

from ..i18n import _
from ..problems import SotongError
from ..settings import load_settings
from .rebuild import BuildProcess, Rebuilder
from .server import PreviewServer
from .watch import needs_restart, start_watching


def preview_folder(settings_file: Path) -> Path:
    """Where the devserver builds: under the project's .cache/ (git-ignored)."""
    return settings_file.resolve().parent / ".cache" / "devserver"


def run(settings_file: Path, host: str, port: int, announce: Callable[[str], None]) -> None:
    """Serve the preview until Ctrl+C."""
    folder = preview_folder(settings_file)
    builds = BuildProcess(settings_file, folder)
    rebuilder = Rebuilder(builds.build, announce)
    try:
        server = PreviewServer((host, port), folder / "site", rebuilder, token=f"{os.getpid()}.{time.time_ns()}")
    except OSError as exc:
        builds.stop()
        raise SotongError([_("cannot listen on {host}:{port} ({strerror}); choose another port with --port").format(
            host=host, port=port, strerror=exc.strerror)]) from None
    port = server.server_address[1]
    announce(_("Preview on http://{host}:{port}/ (built into {relpath}/; rebuilt after every save; Ctrl+C stops)").format(
        host=host, port=port, relpath=os.path.relpath(folder / 'site')))
    stop = threading.Event()

    def changed(paths: set) -> None:
        if needs_restart(paths):
            rebuilder.request_restart(lambda: _restart(settings_file, host, port, announce, builds))
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


def _settings_or_none(settings_file: Path) -> dict | None:
    """The settings, for what to watch; None when they cannot be read (the
    build reports why, and a fix restarts the process)."""
    try:
        return load_settings(settings_file)
    except SotongError:
        return None


def _restart(settings_file: Path, host: str, port: int, announce, builds: BuildProcess) -> None:
    """Run the same devserver again in this process, on the same port (the
    listening socket closes on exec)."""
    announce(_("Python code changed (settings or plugins): starting again"))
    builds.stop()
    verbose = ["-v"] if logging.getLogger().level <= logging.INFO else []
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [sys.executable, "-m", "sotong", *verbose, "devserver", "-s", str(settings_file),
                              "--host", host, "--port", str(port)])
