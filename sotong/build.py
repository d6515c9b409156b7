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

from .atomic import replacing
from .check import check_project
from .i18n import _
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
    unchanged_notices, page_stamps = _slot_holds(slot, state)
    unchanged = frozenset(path for path in unchanged_notices
                          if not _LINKS_TO_OTHER_CONTENT.search(checked[path].body))
    _state_file(slot).unlink(missing_ok=True)  # until this build is complete, the slot's state is unknown
    kept: set = set()
    notice_pages: set = set()
    settings = dict(project.settings, OUTPUT_PATH=str(slot), DELETE_OUTPUT_DIRECTORY=False,
                    SOTONG_CHECKED_NOTICES=checked, SOTONG_CHECKED_STAMPS=stamps,
                    SOTONG_UNCHANGED_NOTICES=unchanged, SOTONG_SLOT_PAGES=page_stamps,
                    SOTONG_KEPT_PAGES=kept, SOTONG_NOTICE_PAGES=notice_pages)
    from pelican import Pelican

    written_after = time.time() - _MTIME_SLACK
    try:
        with collect_logged_errors() as errors:
            Pelican(settings).run()
        if errors:
            raise SotongError([_("build failed, output/ left as it was: {message}").format(message=message) for message in errors])
    except SotongError:
        raise
    except Exception as exc:
        raise SotongError([_("build failed, output/ left as it was: {describe}").format(describe=_describe(exc))]) from exc
    files = _remove_unwritten(slot, written_after, kept)
    # the stamps of the pages made for notices: a page that anything else rewrites is never kept
    state["pages"] = {os.path.relpath(page, slot): file_stamp(page) for page in kept | notice_pages}
    with replacing(_state_file(slot)) as out:
        out.write(json.dumps(state).encode())
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
# templates, plugins, settings, audiences.yaml (labels), the rest of content/
# (pages, surveys, banners, images), Sotong itself and the day (a notice
# expires). A slot's state file says what its pages were made from, and the
# stamp of each page made for a notice as this build left it, so that a
# rebuild renders again only the pages of notices that changed, and never
# keeps a page that something else (a dev server, an editor) wrote since.


# Pelican's intrasite links ({filename}other.md, |static|...) make a page depend
# on other files too: such notices' pages are always made again.
_LINKS_TO_OTHER_CONTENT = re.compile(r"[{|](filename|static|attach|index|category|tag|author)[}|]")


def live_notice_stamps(output: Path) -> dict[str, list[int]]:
    """The stamp (modification time, size) each notice file had when the build
    that ``output`` now holds was made, by absolute path; {} when none."""
    if not output.is_symlink():
        return {}
    try:
        state = json.loads(_state_file(output.parent / os.readlink(output)).read_text(encoding="utf-8"))
        return {path: stamp[:2] for path, stamp in state["notices"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


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
               *settings.get("THEME_TEMPLATES_OVERRIDES", []), settings["PATH"]]
    notices = os.path.abspath(project.notices_path)
    for folder in folders:
        for root, dirs, names in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__" and os.path.abspath(os.path.join(root, d)) != notices)
            files.extend(os.path.join(root, name) for name in sorted(names))
    for path in files:
        digest.update(f"{path}\0{_content_digest(path)}\0".encode())
    return digest.hexdigest()


_WHOLE_FILE_LIMIT = 1 << 20


def _content_digest(path) -> str:
    """What a file holds: its bytes' digest (an edit that keeps the size and
    the time, as ``cp -p`` or ``rsync -t`` may, still counts), or for a file
    over 1 MiB (an image) its stamp."""
    stamp = file_stamp(path)
    if stamp[1] > _WHOLE_FILE_LIMIT:
        return repr(stamp)
    with open(path, "rb") as file:
        return hashlib.sha256(file.read()).hexdigest()


def _slot_holds(slot: Path, state: dict) -> tuple[frozenset, dict]:
    """The notices whose pages ``slot`` holds as this build would make them,
    and the stamps its pages for notices had when ``sotong build`` left them."""
    try:
        before = json.loads(_state_file(slot).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return frozenset(), {}
    if not isinstance(before, dict) or before.get("inputs") != state["inputs"]:
        return frozenset(), {}
    previous = before.get("notices", {})
    unchanged = frozenset(path for path, stamp in state["notices"].items() if previous.get(path) == stamp)
    return unchanged, before.get("pages", {})


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
        return _("{value}:{lineno}: template error: {message}").format(
            value=exc.filename or exc.name, lineno=exc.lineno, message=exc.message)
    if isinstance(exc, TemplateError):
        return _("template error: {exc}").format(exc=exc)
    return f"{type(exc).__name__}: {exc}"
