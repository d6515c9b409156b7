"""What one ``sotong build`` knows about the build slot it writes into: which
pages the slot already holds as this build would make them, and which pages
this build kept or made (the ``BuildState``).

A notice's page depends on the notice and on what every page depends on:
templates, plugins, settings, audiences.yaml (labels), the rest of content/
(pages, surveys, banners, images), Sotong itself and the day (a notice
expires). A slot's state file says what its pages were made from, and the
stamp and key of each page as this build left it (a notice's page is keyed
by its notice's bytes, a list page by the notices it shows: sotong.page_keys),
so that a rebuild renders again only the pages whose keys changed, and never
keeps a page that something else (a dev server, an editor) wrote since.

It also gathers every file this build wrote into the slot or kept there
(``present``): after the run, ``sotong build`` deletes the slot's other files,
by that set of paths alone, never by the files' times.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

from .atomic import replacing
from .links import site_short_codes
from .notice_cache import file_stamp
from .page_keys import KnownShapes, Unkeyable

# Pelican's intrasite links ({filename}other.md, |static|...) make a page depend
# on other files too: such notices' pages are always made again.
_LINKS_TO_OTHER_CONTENT = re.compile(r"[{|](filename|static|attach|index|category|tag|author)[}|]")
_WHOLE_FILE_LIMIT = 1 << 20


class BuildState:
    """The slot's state for one build. The core plugin's writer asks it which
    pages the slot holds as this build would make them (by their keys: a
    notice's page by its notice's bytes, other pages by
    :mod:`sotong.page_keys`), and tells it which pages it kept and which it
    made (absolute paths); every other file written into the slot (a copied
    image, a page without a key) is told to :meth:`wrote`. It gathers the
    entries the feeds gave ids (``feed_entries``, sotong.feed_ids)."""

    def __init__(self, project, content, slot: Path):
        self.slot = slot
        by_source = {os.path.abspath(notice.source): notice for notice in content.notices}
        # a notice's short link page moves with its code: a new code makes the notice's pages again
        codes = site_short_codes(project.settings, by_source.values())
        inputs, found = _inputs_digest(project), _read_state(slot)
        # the digests known of notice files as they are: this slot's, or when it holds none (its first build)
        # the live slot's; the live state (4 MB at 5,000 notices) is not read at every build for a few digests
        known = _notices_of(found) or BuiltNotices(project.site_path).records
        self.record = {"inputs": inputs,
                       "notices": {path: _notice_record(path, content.stamps.get(path), codes.get(notice.slug), known)
                                   for path, notice in by_source.items()}}
        # what each notice's pages are made of (asked for each page that shows it): its bytes and code
        self.made_of = {path: _made_of(record) for path, record in self.record["notices"].items()}
        before = found if found.get("inputs") == inputs else {}
        self.slot_pages = _slot_pages(before)
        # the names each template reads (sotong.page_keys): the same while the inputs (templates among them) are
        self.template_names = self.record["template_names"] = _template_names(before)
        self.linking = frozenset(path for path, notice in by_source.items()
                                 if _LINKS_TO_OTHER_CONTENT.search(notice.body))
        shapes = before.get("shapes")
        self.known_shapes = KnownShapes(shapes if isinstance(shapes, dict) else {}, self._unchanged_since(before))
        self.kept: set[str] = set()
        self.written: set[str] = set()
        self.pages: dict[str, list] = {}
        self._seen_stamps: dict[str, list] = {}  # path -> stamp of a page found as it was made
        self._kept_stamps: dict[str, list] = {}
        self.feed_entries: dict = {}  # address -> the Atom entry given an id there (sotong.feed_ids), to record
        _state_file(slot).unlink(missing_ok=True)  # until this build is complete, the slot's state is unknown

    def _unchanged_since(self, before: dict):
        """Whether a notice file is as the build that left ``before`` found it
        (its bytes and short code; a notice linking to other content never is)."""
        then, now = before.get("notices", {}), self.record["notices"]

        def unchanged(source: str) -> bool:
            path = source if source in now else os.path.abspath(source)
            return (path in now and now[path][0] is not None and path not in self.linking
                    and (then.get(path) == now[path] or _made_of(then.get(path)) == self.made_of[path]))
        return unchanged

    def source_stamp(self, source_path: str):
        """What a page shows of the content read from ``source_path`` depends
        on: a notice's bytes and short code (its stamp when its bytes are not
        known), or "input" for other content (covered by the inputs digest).
        Raises Unkeyable for a notice linking to other content."""
        made_of = self.made_of
        path = source_path if source_path in made_of else os.path.abspath(source_path)
        if path in self.linking:
            raise Unkeyable(path)
        return made_of.get(path, "input")

    def notice_key(self, source_path: str) -> str | None:
        """The key of a page made for one notice (its page, its short link)."""
        try:
            return repr(self.source_stamp(source_path))
        except Unkeyable:
            return None

    def previous(self, path: str) -> tuple[str, frozenset] | None:
        """The key (and the lists its template left untouched) of the page at
        ``path`` when the slot still holds it as the build that made it left
        it, from the same inputs; else None."""
        made = self.slot_pages.get(self._relative(path))
        try:
            if made is None or file_stamp(path) != made[:2]:
                return None
        except OSError:
            return None
        self._seen_stamps[path] = made[:2]
        return made[2], frozenset(made[3])

    def keep(self, path: str, key: str, untouched: frozenset = frozenset()) -> None:
        """The page at ``path`` (found by :meth:`previous`) is kept as the slot holds it."""
        self.kept.add(path)
        self.pages[path] = [key, sorted(untouched)]
        self._kept_stamps[path] = self._seen_stamps[path]

    def made(self, path: str, key: str | None, untouched: frozenset = frozenset()) -> None:
        """The page at ``path`` was written anew, made from ``key`` (None: never keep it)."""
        self.written.add(path)
        self._kept_stamps.pop(path, None)
        if key is None:
            self.pages.pop(path, None)
        else:
            self.pages[path] = [key, sorted(untouched)]

    def wrote(self, path: str) -> None:
        """This build wrote the file at ``path`` into the slot (or, for a static
        file Pelican found up to date or linked, means the slot to hold it)."""
        self.written.add(os.path.abspath(path))

    @property
    def present(self) -> set[str]:
        """The absolute path of every file of the slot that belongs to this
        build: the pages it kept and the files it wrote."""
        return self.kept | self.written

    def save(self) -> None:
        """Write the slot's state file, once the build is complete: the stamps
        of the pages with keys (a page anything else rewrites is never kept;
        a kept page's is the stamp it was found with: should anything have
        written it since, the next build finds another and makes it again)."""
        stamps = self._kept_stamps
        self.record["shapes"] = self.known_shapes.now
        self.record["pages"] = {self._relative(page): [*(stamps.get(page) or file_stamp(page)), *made]
                                for page, made in self.pages.items()}
        with replacing(_state_file(self.slot)) as out:
            out.write(json.dumps(self.record).encode())

    def _relative(self, path: str) -> str:
        base = str(self.slot) + os.sep
        return path[len(base):] if path.startswith(base) else os.path.relpath(path, self.slot)


class BuiltNotices:
    """The notice files as the build that the site folder ``output`` now
    holds found them (``sotong build``'s, never the devserver's): which
    notices changed since, by their bytes (a file saved again unchanged, or
    touched, did not)."""

    def __init__(self, output: Path):
        try:
            live = output.parent / os.readlink(output)
        except OSError:  # no site built yet (or not by sotong build: no link to a slot)
            live = None
        self.records = _notices_of(_read_state(live)) if live is not None else {}

    def __bool__(self) -> bool:
        """Whether a build is known at all (before one, every notice is changed)."""
        return bool(self.records)

    def changed(self, source: str) -> bool:
        """Whether the notice file ``source`` differs from the one that build read (or is new since)."""
        record = self.records.get(os.path.abspath(source))
        if not isinstance(record, list) or len(record) != 4:
            return True
        try:
            if file_stamp(source) == record[:2]:
                return False
            return record[3] is None or _content_digest(source) != record[3]
        except OSError:
            return True


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


def _read_state(slot: Path) -> dict:
    """The state ``sotong build`` left in ``slot`` ({} when none)."""
    try:
        found = json.loads(_state_file(slot).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def _notices_of(state: dict) -> dict:
    """The notices' records of a slot's state (path -> [time, size, code, digest])."""
    records = state.get("notices")
    return records if isinstance(records, dict) else {}


def _notice_record(path: str, stamp: list | None, code: str | None, known: dict) -> list:
    """What a notice file was made from: [its time, its size (as read), its
    short code, its bytes' digest]; the digest is the one ``known`` (records
    of earlier builds) while the stamp is the same, and None when the file
    was saved again since it was read (its bytes then are not known)."""
    if stamp is None:
        return [None, None, code, None]
    then = known.get(path)
    if isinstance(then, list) and len(then) == 4 and then[:2] == stamp and isinstance(then[3], str):
        return [*stamp, code, then[3]]
    try:
        digest = _content_digest(path)
        return [*stamp, code, digest if file_stamp(path) == stamp else None]
    except OSError:
        return [*stamp, code, None]


def _made_of(record):
    """What a notice's pages are made of, from its record: its short code and
    bytes (the same when the file is saved again unchanged), else the record."""
    if isinstance(record, list) and len(record) == 4 and record[3] is not None:
        return record[2:]
    return record


def _slot_pages(before: dict) -> dict:
    """The pages the slot holds with keys, from its state ``before``."""
    pages = before.get("pages", {})
    return {path: made for path, made in pages.items() if isinstance(made, list) and len(made) == 4}


def _template_names(before: dict) -> dict:
    """The names each template reads and the templates it names, from the slot's state ``before``."""
    names = before.get("template_names", {})
    return {name: known for name, known in names.items() if isinstance(known, list) and len(known) == 2}
