"""What one ``sotong build`` knows about the build slot it writes into: which
notices' pages the slot already holds as this build would make them, and
which pages this build kept or made for notices (the ``BuildState``).

A notice's page depends on the notice and on what every page depends on:
templates, plugins, settings, audiences.yaml (labels), the rest of content/
(pages, surveys, banners, images), Sotong itself and the day (a notice
expires). A slot's state file says what its pages were made from, and the
stamp of each page made for a notice as this build left it, so that a
rebuild renders again only the pages of notices that changed, and never
keeps a page that something else (a dev server, an editor) wrote since.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

from .atomic import replacing
from .links import short_codes, sms_link_notices
from .notice_cache import file_stamp

# Pelican's intrasite links ({filename}other.md, |static|...) make a page depend
# on other files too: such notices' pages are always made again.
_LINKS_TO_OTHER_CONTENT = re.compile(r"[{|](filename|static|attach|index|category|tag|author)[}|]")
_WHOLE_FILE_LIMIT = 1 << 20


class BuildState:
    """The slot's state for one build; the core plugin's writer asks it which
    pages to keep and tells it which it kept and wrote (absolute paths)."""

    def __init__(self, project, content, slot: Path):
        self.slot = slot
        by_source = {os.path.abspath(notice.source): notice for notice in content.notices}
        # a notice's short link page moves with its code: a new code makes the notice's pages again
        codes = short_codes(sms_link_notices(by_source.values()))
        self.record = {"inputs": _inputs_digest(project),
                       "notices": {path: [*content.stamps.get(path, [None, None]), codes.get(notice.slug)]
                                   for path, notice in by_source.items()}}
        unchanged, self.slot_pages = _slot_holds(slot, self.record)
        self.unchanged = frozenset(path for path in unchanged
                                   if not _LINKS_TO_OTHER_CONTENT.search(by_source[path].body))
        self.kept: set[str] = set()
        self.notice_pages: set[str] = set()
        _state_file(slot).unlink(missing_ok=True)  # until this build is complete, the slot's state is unknown

    def holds_as_made(self, path: str, source_path: str) -> bool:
        """True when the page at ``path``, made for the notice read from
        ``source_path``, is still as the build that made it left it, from the
        same notice and the same inputs."""
        if os.path.abspath(source_path) not in self.unchanged:
            return False
        made = self.slot_pages.get(os.path.relpath(path, self.slot))
        try:
            return made is not None and file_stamp(path) == made
        except OSError:
            return False

    def save(self) -> None:
        """Write the slot's state file, once the build is complete: the stamps
        of the pages made for notices (a page anything else rewrites is never kept)."""
        self.record["pages"] = {os.path.relpath(page, self.slot): file_stamp(page)
                                for page in self.kept | self.notice_pages}
        with replacing(_state_file(self.slot)) as out:
            out.write(json.dumps(self.record).encode())


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


def _inputs_digest(project) -> str:
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


def _content_digest(path) -> str:
    """What a file holds: its bytes' digest (an edit that keeps the size and
    the time, as ``cp -p`` or ``rsync -t`` may, still counts), or for a file
    over 1 MiB (an image) its stamp."""
    stamp = file_stamp(path)
    if stamp[1] > _WHOLE_FILE_LIMIT:
        return repr(stamp)
    with open(path, "rb") as file:
        return hashlib.sha256(file.read()).hexdigest()


def _slot_holds(slot: Path, record: dict) -> tuple[frozenset, dict]:
    """The notices whose pages ``slot`` holds as this build would make them,
    and the stamps its pages for notices had when ``sotong build`` left them."""
    try:
        before = json.loads(_state_file(slot).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return frozenset(), {}
    if not isinstance(before, dict) or before.get("inputs") != record["inputs"]:
        return frozenset(), {}
    previous = before.get("notices", {})
    unchanged = frozenset(path for path, stamp in record["notices"].items() if previous.get(path) == stamp)
    return unchanged, before.get("pages", {})
