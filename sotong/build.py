"""``sotong build``: check, then Pelican into a folder that replaces
``output/`` only once it is complete, so a failed build never leaves a
half-written site to deploy.

``output`` is a symbolic link to one of two build slots beside it
(``.output-a``, ``.output-b``). A build writes into the slot not in use, in
place: on this kind of disk creating a file costs twenty times overwriting one,
so reusing the files of the build before last keeps rebuilds quick. Files the
build did not write (a deleted notice, a shorter pagination) are then removed,
and the link is switched with one atomic rename.

Pelican logs (rather than raises) many failures, such as a plugin that does not
load or a file it could not read; any ERROR logged during the run fails the build.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
from pathlib import Path

from .check import check_project
from .links import short_codes, sms_link_notices
from .notice_cache import file_stamp
from .problems import SotongError, collect_logged_errors
from .project import Project


def build_site(project: Project) -> dict:
    """Check and build; replace OUTPUT_PATH atomically. Returns figures."""
    started = time.perf_counter()
    # Stamps taken before the notices are read: a save made during this build is a change next time.
    stamps = {os.path.abspath(path): file_stamp(path) for path in project.notice_files()}
    problems = check_project(project)
    if problems:
        raise SotongError(problems)
    output = Path(project.settings["OUTPUT_PATH"])
    slot = _free_slot(output)
    slot.mkdir(parents=True, exist_ok=True)
    checked = {os.path.abspath(notice.source): notice for notice in project.notices}
    codes = short_codes(sms_link_notices(checked.values()))
    # a notice's short link page moves with its code: a new code makes the notice's pages again
    state = {"inputs": _inputs_digest(project),
             "notices": {path: [*stamps.get(path, [None, None]), codes.get(notice.slug)]
                         for path, notice in checked.items()}}
    unchanged = frozenset(path for path in _unchanged_notices(slot, state)
                          if not _LINKS_TO_OTHER_CONTENT.search(checked[path].body))
    _state_file(slot).unlink(missing_ok=True)  # until this build is complete, the slot's state is unknown
    kept: set = set()
    settings = dict(project.settings, OUTPUT_PATH=str(slot), DELETE_OUTPUT_DIRECTORY=False,
                    SOTONG_CHECKED_NOTICES=checked, SOTONG_CHECKED_STAMPS=stamps,
                    SOTONG_UNCHANGED_NOTICES=unchanged, SOTONG_KEPT_PAGES=kept)
    from pelican import Pelican

    written_after = time.time() - _MTIME_SLACK
    try:
        with collect_logged_errors() as errors:
            Pelican(settings).run()
        if errors:
            raise SotongError([f"build failed, output/ left as it was: {message}" for message in errors])
    except SotongError:
        raise
    except Exception as exc:
        raise SotongError([f"build failed, output/ left as it was: {_describe(exc)}"]) from exc
    files = _remove_unwritten(slot, written_after, kept)
    _state_file(slot).write_text(json.dumps(state), encoding="utf-8")
    _point(output, slot)
    return {"seconds": time.perf_counter() - started, "files": files}


# The kernel stamps files with a coarse clock that can lag time.time() by a few ms.
_MTIME_SLACK = 0.05


def _slots(output: Path) -> tuple[Path, Path]:
    return output.parent / f".{output.name}-a", output.parent / f".{output.name}-b"


def _free_slot(output: Path) -> Path:
    """The slot that ``output`` does not point to."""
    first, second = _slots(output)
    if output.is_symlink() and Path(os.readlink(output)).name == first.name:
        return second
    return first


def _remove_unwritten(folder: Path, written_after: float, keep: set) -> int:
    """Delete what this build neither wrote nor kept; return how many files remain."""
    kept = 0
    for root, dirs, files in os.walk(folder, topdown=False):
        for name in files:
            path = os.path.join(root, name)
            if os.lstat(path).st_mtime < written_after and path not in keep:
                os.unlink(path)
            else:
                kept += 1
        if root != str(folder) and not os.listdir(root):
            os.rmdir(root)
    return kept


# --- what a slot holds --------------------------------------------------------
# A notice's page depends on the notice and on what every page depends on:
# templates, plugins, settings, audiences.yaml, Sotong itself and the day (a
# notice expires). A slot's state file says what its pages were made from, so
# that a rebuild renders again only the pages of notices that changed.


# Pelican's intrasite links ({filename}other.md, |static|...) make a page depend
# on other files too: such notices' pages are always made again.
_LINKS_TO_OTHER_CONTENT = re.compile(r"[{|](filename|static|attach|index|category|tag|author)[}|]")


def _state_file(slot: Path) -> Path:
    return slot.parent / f"{slot.name}.state.json"


def _inputs_digest(project: Project) -> str:
    settings = project.settings
    digest = hashlib.sha256(str(project.today()).encode())
    # The settings in force (which file, SITEURL...): the simple values say enough.
    digest.update(repr(sorted((key, value) for key, value in settings.items()
                              if isinstance(value, (str, int, float, bool, type(None))))).encode())
    files = [settings["AUDIENCES_PATH"], *Path(settings["SOTONG_PROJECT_DIR"]).glob("*.py")]
    folders = [settings["THEME"], *settings.get("PLUGIN_PATHS", []), os.path.dirname(__file__),
               *settings.get("THEME_TEMPLATES_OVERRIDES", [])]
    for folder in folders:
        for root, dirs, names in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            files.extend(os.path.join(root, name) for name in sorted(names))
    for path in files:
        digest.update(f"{path}\0{file_stamp(path)}\0".encode())
    return digest.hexdigest()


def _unchanged_notices(slot: Path, state: dict) -> frozenset:
    """The notices whose pages ``slot`` holds as this build would make them."""
    try:
        before = json.loads(_state_file(slot).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return frozenset()
    if before.get("inputs") != state["inputs"]:
        return frozenset()
    previous = before.get("notices", {})
    return frozenset(path for path, stamp in state["notices"].items() if previous.get(path) == stamp)


def _point(output: Path, slot: Path) -> None:
    """Make ``output`` a link to ``slot`` in one atomic rename."""
    link = output.parent / f".{output.name}.link-{os.getpid()}"
    if link.is_symlink():
        link.unlink()
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


def _describe(exc: Exception) -> str:
    from jinja2 import TemplateError, TemplateSyntaxError

    if isinstance(exc, TemplateSyntaxError):
        return f"{exc.filename or exc.name}:{exc.lineno}: template error: {exc.message}"
    if isinstance(exc, TemplateError):
        return f"template error: {exc}"
    return f"{type(exc).__name__}: {exc}"
