"""What the devserver watches, and the threads that watch it (watchfiles:
inotify, no polling). Everything under content/, the theme, the plugins and
the template overrides is an input; so are the settings files and
audiences.yaml beside them, whose folders are watched without their subfolders
(the project folder also holds .venv/, private/ and the builds).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Callable

import watchfiles

# watchfiles' default filter leaves out __pycache__/, .git/, editors' swap and
# backup files; builds import plugins, which writes their __pycache__.
_EVERYTHING = watchfiles.DefaultFilter()
STEP_MS = 50  # a burst of changes is reported once it has been quiet this long
RETRY_SECONDS = 1.0  # how soon a watch that could not run is started again


def _top_level_inputs(change: watchfiles.Change, path: str) -> bool:
    return _EVERYTHING(change, path) and path.endswith((".py", ".yaml", ".yml"))


def watched_folders(settings_file: Path, settings: dict | None) -> tuple[list[Path], list[Path]]:
    """(folders whose whole tree is an input, folders whose own files are);
    without settings (the file cannot be read), only the settings' folder."""
    flat = {settings_file.resolve().parent}
    if settings is None:
        return [], sorted(flat)
    flat.add(Path(settings["AUDIENCES_PATH"]).resolve().parent)
    deep = [Path(folder).resolve() for folder in (settings["PATH"], settings["THEME"],
                                                   *settings.get("PLUGIN_PATHS", []),
                                                   *settings.get("THEME_TEMPLATES_OVERRIDES", []))]
    deep = [folder for folder in deep if folder.is_dir()]
    outermost = {folder for folder in deep if not any(other != folder and folder.is_relative_to(other) for other in deep)}
    return sorted(outermost), sorted(flat)


def start_watching(settings_file: Path, settings: dict | None, on_change: Callable[[set], None],
                   stop: threading.Event) -> None:
    """Call ``on_change(paths)`` from watcher threads after every burst of changes."""
    deep, flat = watched_folders(settings_file, settings)
    for folders, recursive, keep in ((deep, True, _EVERYTHING), (flat, False, _top_level_inputs)):
        if folders:
            thread = threading.Thread(target=_watch, args=(folders, recursive, keep, on_change, stop),
                                      name="sotong-watch", daemon=True)
            thread.start()


def _watch(folders, recursive, keep, on_change, stop) -> None:
    """Report each burst of changes until ``stop``. A watch cannot go on
    when a path is one watchfiles cannot name (not UTF-8: files unzipped
    from a zip made on Windows; a folder so named keeps it from starting)
    or when a watched folder itself is removed (a theme or content/ replaced
    by a fresh copy: the copy would not be watched): then a build is asked
    for once (its check names the file), and the watch is started again
    every RETRY_SECONDS; once it runs, a build is asked for again (for what
    changed unwatched)."""
    roots = {os.path.abspath(folder) for folder in folders}
    failed = False
    while not stop.is_set():
        try:
            for changes in watchfiles.watch(*folders, watch_filter=keep, recursive=recursive, step=STEP_MS,
                                            stop_event=stop, raise_interrupt=False, yield_on_timeout=True,
                                            rust_timeout=int(RETRY_SECONDS * 1000)):
                changes = {(change, os.path.abspath(path)) for change, path in changes}
                if changes or failed:
                    on_change({path for _change, path in changes})
                failed = False
                if _a_root_went(roots, changes):
                    failed = True
                    break
        except (RuntimeError, OSError):  # watchfiles' 'Unable to decode path ... to string'; a folder missing
            if not failed:
                on_change(set())
            failed = True
            stop.wait(RETRY_SECONDS)


def _a_root_went(roots: set, changes: set) -> bool:
    """Whether a watched folder itself was removed (or moved away)."""
    return bool(roots & {path for change, path in changes if change == watchfiles.Change.deleted}) or not all(
        map(os.path.isdir, roots))


def needs_restart(paths: set) -> bool:
    """Python code (settings files, plugins) is only read by a new process."""
    return any(path.endswith(".py") for path in paths)
