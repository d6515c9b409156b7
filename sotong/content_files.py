"""Which files under content/ Sotong reads, and what keeps it inside.

:func:`markdown_files` lists a folder's ``.md`` files as Pelican reads them
(folder links followed), reporting what Pelican would choke on: a link to
nothing, a link to itself, a folder link that loops; and, in the folders of
notices and pages, a text file named otherwise (``.txt``, which Notepad adds,
``.MD``, ``.markdown``, ``.html``) or a notice saved as an HWP or Word
document, which Sotong would skip without a word or Pelican would publish unchecked. :func:`yaml_files` does the same for a
folder of banners or surveys; :func:`stray_markdown` names a notice left
outside the folders of notices and pages, and :func:`links_outside` a link
among the files Pelican publishes as they are that leads outside content/.
:func:`file_under` takes
a path that a notice or banner names (``image:``) and refuses one that leads
outside content/, by ``..``, an absolute path or a link; :func:`stored_otherwise`
finds the file a path names in letters stored in another Unicode form (a
Korean name made on a Mac), which the server does not find.
"""

from __future__ import annotations

import difflib
import errno
import fnmatch
import os
import re
import stat
import unicodedata
from pathlib import Path
from typing import Callable, Iterable
from urllib.parse import unquote

from .i18n import _
from .problems import Problem, cannot_read


def markdown_files(folder: Path, shown: Callable[[Path], str] = str, *, only_markdown: bool = True,
                   ignored: Iterable[str] = ()) -> tuple[list[Path], list[Problem]]:
    """The ``.md`` files under ``folder`` (sorted), and a problem for each
    entry that cannot be read as one (and, with ``only_markdown``, for each
    text file not named ``.md``). A file matching a pattern of ``ignored``,
    Pelican's IGNORE_FILES, is left out, as Pelican leaves it: a README.txt,
    the link Emacs keeps beside a file being edited (.#NAME.md)."""
    skipped = re.compile("|".join(map(fnmatch.translate, ignored))).match if ignored else lambda _name: None
    files: list[str] = []
    problems: list[Problem] = []
    if not folder.is_dir():
        return [], problems
    walked = {os.path.realpath(folder)}
    for root, dirs, names in os.walk(folder, followlinks=True):
        for name in sorted(dirs):
            path = Path(root, name)
            problem = _repeated_folder(path, walked)
            if problem:
                problems.append(Problem(shown(path), 1, problem))
                dirs.remove(name)
        for name in names:
            if skipped(name):
                continue
            if name.endswith(".md"):
                _take_file(os.path.join(root, name), files, problems, shown)
            elif only_markdown and (misnamed := _misnamed(name)):
                problems.append(Problem(shown(Path(root, name)), 1, misnamed))
    # sorted as Paths sort (by their parts), without making a Path of each first
    return [Path(path) for path in sorted(files, key=lambda path: path.split(os.sep))], problems


def _take_file(path: str, files: list[str], problems: list[Problem], shown) -> None:
    """Add ``path`` to ``files``, or why it cannot be read to ``problems``.
    A plain file (most) costs one ``lstat``; a link or anything else is looked at closer."""
    try:
        plain = stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        plain = False
    problem = None if plain else _unreadable(Path(path))
    if problem:
        problems.append(Problem(shown(Path(path)), 1, problem))
    else:
        files.append(path)


# what a text file of notices or pages is named when it is not .md: by
# Notepad (.txt), by other editors, or by Pelican's other readers
_TEXT_SUFFIXES = (".md.txt", ".txt", ".text", ".markdown", ".mkd", ".mdown", ".md", ".html", ".htm", ".rst")


# a notice saved as a word processor saves it (HWP, Word), which no reader of Pelican reads
_DOCUMENT_SUFFIXES = (".hwp", ".hwpx", ".doc", ".docx", ".odt", ".rtf")


def _misnamed(name: str) -> str | None:
    """Why the file ``name`` (not ending in ``.md``) is not read, with the
    name to give it, or None when it is no text file (a picture, a backup)."""
    if name.lower().endswith(_DOCUMENT_SUFFIXES) and not name.startswith((".", "~$")):
        return _("this is a word processor's document (HWP, Word), which is not read, so it is skipped; a notice is "
                 "a text file named .md: copy its text into a new one (sotong new), and put this file in "
                 "content/files/ if residents should download it")
    suffix = next((s for s in _TEXT_SUFFIXES if name.lower().endswith(s)), None)
    if suffix is None or name.startswith("."):
        return None
    better = name[:-len(suffix)] + ".md"
    if suffix.endswith(".txt"):
        return _('only files named .md are read, and this one ends in .txt (Notepad adds it); rename it to "{name}" '
                 '(in Notepad, save with "All files" as the type)').format(name=better)
    return _('only files named .md are read, so this one is skipped; rename it to "{name}"').format(name=better)


def _repeated_folder(path: Path, walked: set) -> str | None:
    """Why the folder (link) ``path`` must not be walked, or None; the
    folders walked so far are in ``walked`` (real paths)."""
    target = os.path.realpath(path)
    if not path.is_symlink():
        walked.add(target)
        return None
    holder = os.path.realpath(path.parent)
    if holder == target or holder.startswith(target + os.sep):
        return _("this folder link leads back to a folder that holds it, so its files would be read without end; remove the link")
    if target in walked:
        return _("this folder link leads to a folder that is read already; remove the link")
    walked.add(target)
    return None


def _unreadable(path: Path) -> str | None:
    """Why the directory entry ``path`` is not a file to read, or None."""
    try:
        path.stat()
    except OSError as exc:
        if path.is_symlink():
            target = os.readlink(path)
            if exc.errno == errno.ELOOP:
                return _('this file is a link that leads back to itself ("{target}"); remove it').format(
                    target=target)
            return _('this file is a link to "{target}", which does not exist; restore that file or remove the link').format(
                target=target)
        return cannot_read(exc)
    if not path.is_file():
        return _("this is not a text file (a pipe or a device); remove it")
    return None


def undecodable_names(content: Path, shown: Callable[[Path], str] = str) -> list[Problem]:
    """A problem for each file or folder under ``content`` whose name is not
    UTF-8 (a zip made on Windows names its files in CP949, and ``unzip``
    keeps those bytes): no page, link or cache can carry such a name. The
    problem shows it as CP949 reads it, the name to give it."""
    problems = []
    for root, dirs, names in os.walk(content):
        for name in sorted([*dirs, *names]):
            try:
                name.encode("utf-8")
                continue
            except UnicodeEncodeError:
                raw = os.fsencode(name)
            if name in dirs:
                dirs.remove(name)
            problems.append(Problem(shown(Path(root)) + "/" + raw.decode("utf-8", "replace"), 1, _(
                'the name is not UTF-8 text (a zip made on Windows names files so); rename it to "{name}"').format(
                    name=raw.decode("cp949", "replace"))))
    return problems


def links_outside(folder: Path, content: Path, shown: Callable[[Path], str] = str) -> list[Problem]:
    """A problem for each link under ``folder`` (a folder of STATIC_PATHS)
    that leads outside ``content``: Pelican copies what it leads to into the
    site, so a link to /etc/passwd, or to a folder of the office's own,
    published that."""
    real_content = os.path.join(os.path.realpath(content), "")
    paths = [str(folder)] + [os.path.join(root, name) for root, dirs, names in os.walk(folder)
                             for name in sorted([*dirs, *names])]
    return [Problem(shown(Path(path)), 1, _(
        'this is a link to "{target}", outside content/, and the site would publish what it leads to; '
        "put a copy here instead of the link").format(target=os.readlink(path)))
        for path in paths if os.path.islink(path) and not os.path.realpath(path).startswith(real_content)]


def stray_markdown(content: Path, read: Iterable[str], static: Iterable[str], ignored: Iterable[str] = (),
                   shown: Callable[[Path], str] = str) -> list[Problem]:
    """A problem for each ``.md`` file under ``content`` outside the folders
    Pelican reads notices and pages from (``read``: ARTICLE_PATHS and
    PAGE_PATHS), a notice moved into the wrong folder: there Pelican skips
    it, or, in a folder of files (``static``: STATIC_PATHS), publishes it as
    it is, front matter and all (a private notice's whole text too)."""
    read_folders = {os.path.normpath(content / folder) for folder in read}
    if str(os.path.normpath(content)) in read_folders:
        return []  # every .md under content/ is read
    static_folders = [os.path.join(os.path.normpath(content / folder), "") for folder in static]
    problems = []
    for root, dirs, names in os.walk(content):
        dirs[:] = [name for name in dirs if os.path.join(root, name) not in read_folders]
        for name in names:
            if not name.lower().endswith(".md") or any(fnmatch.fnmatch(name, p) for p in ignored):
                continue
            path = Path(root, name)
            published = any(os.path.join(root, "").startswith(folder) for folder in static_folders)
            problems.append(Problem(shown(path), 1, _(
                "this folder's files are published as they are, so this notice would be too, front matter and all; "
                "notices go in content/notices/ (pages in content/pages/): move it there") if published else _(
                "a notice here is not read; notices go in content/notices/ (pages in content/pages/): move it there")))
    return problems


# what a YAML file of banners or surveys is named when it is not .yaml: .yml,
# capitals, or .txt that Notepad adds
_YAML_SUFFIXES = (".yaml.txt", ".yml.txt", ".yaml", ".yml")


def yaml_files(folder: Path, shown: Callable[[Path], str] = str) -> tuple[list[Path], list[Problem]]:
    """The ``.yaml`` files of a content folder (banners, surveys), sorted, none
    when it is missing; and a problem for each one Sotong would skip without
    a word: a YAML file named otherwise (``.yml``, ``.YAML``, ``.yaml.txt``)
    or in a folder within, and one that cannot be read (a link to nothing)."""
    files: list[str] = []
    problems: list[Problem] = []
    if not folder.is_dir():
        return [], problems
    for root, _dirs, names in os.walk(folder):
        for name in sorted(names):
            path = Path(root, name)
            suffix = next((s for s in _YAML_SUFFIXES if name.lower().endswith(s)), None)
            if suffix is None or name.startswith("."):
                continue
            better = name[:-len(suffix)] + ".yaml"
            if root != str(folder):
                problems.append(Problem(shown(path), 1, _(
                    'only the files directly in {folder}/ are read, not those in a folder within it; move "{name}" into {folder}/').format(
                        folder=shown(folder), name=better)))
            elif name != better:
                problems.append(Problem(shown(path), 1, _(
                    'only files named .yaml are read, so this one is skipped; rename it to "{name}"').format(name=better)))
            else:
                _take_file(str(path), files, problems, shown)
    return [Path(path) for path in sorted(files)], problems


# a path on a Windows computer (a drive's letter), or an address of the computer's own files
_OWN_COMPUTER = re.compile(r"[A-Za-z]:[\\/]|file:", re.I)
_PICTURE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg")


def own_computer_file(text: str) -> tuple[str, str] | None:
    """(the folder of content/ to copy it into, its name) when ``text`` names
    a file on the writer's own computer (``C:\\Users\\kim\\Desktop\\사진.jpg``,
    ``file:///C:/...``), which no page can show; else None."""
    if not _OWN_COMPUTER.match(text):
        return None
    name = unquote(re.split(r"[\\/]", text)[-1])
    return ("images" if Path(name).suffix.lower() in _PICTURE_SUFFIXES else "files"), name


def named_elsewhere(root: Path, name: str) -> str | None:
    """The path from ``root`` (content/) of the one file named ``name`` in a
    folder under it (``images/poster.svg`` for ``poster.svg`` written
    without its folder); None when there is none, or more than one."""
    found = [Path(folder, name).relative_to(root).as_posix() for folder, _dirs, files in os.walk(root) if name in files]
    return found[0] if len(found) == 1 else None


def _files_beside(target: Path, matches) -> list[str]:
    """The names of the files in ``target``'s folder that ``matches`` (a
    test of a name), sorted; none when the folder cannot be read."""
    try:
        names = sorted(os.listdir(target.parent))
    except OSError:
        return []
    return [name for name in names if matches(name) and (target.parent / name).is_file()]


def _named_otherwise(target: Path) -> str | None:
    """The name of the file in ``target``'s folder that ``target`` names but
    for capitals: Photo.JPG for photo.jpg, which Windows opens and the server does not."""
    wanted = target.name.casefold()
    return next(iter(_files_beside(target, lambda name: name.casefold() == wanted)), None)


def _other_ending(target: Path) -> str | None:
    """The one file in ``target``'s folder of its name with another ending,
    or none (poster.png written for poster.jpg, or poster for poster.jpg); else None."""
    stem = target.stem if target.suffix.lower() in _PICTURE_SUFFIXES or not target.suffix else target.name
    names = _files_beside(target, lambda name: Path(name).stem == stem)
    return names[0] if len(names) == 1 else None


def _spelled_near(target: Path) -> str | None:
    """The one file in ``target``'s folder of its ending whose name is near
    its name (통장회의 안건.pdf written for 통장회의-안건.pdf), or None."""
    suffix = target.suffix.lower()
    names = _files_beside(target, lambda name: Path(name).suffix.lower() == suffix)
    near = difflib.get_close_matches(target.name, names, n=2, cutoff=0.8)
    return near[0] if len(near) == 1 else None


def stored_otherwise(root: Path | str, relative: str) -> str | None:
    """The path (from ``root``, with /) of the file that ``relative`` names
    with the same letters stored in another Unicode form, or None: a Korean
    name made on a Mac is kept decomposed (NFD), and a name typed on Windows
    composed (NFC); the server finds only the form stored."""
    folder, found = str(root), []
    for part in Path(relative).parts:
        if os.path.exists(os.path.join(folder, part)):
            name = part
        else:
            try:
                names = sorted(os.listdir(folder))
            except OSError:
                return None
            wanted = unicodedata.normalize("NFC", part)
            name = next((n for n in names if unicodedata.normalize("NFC", n) == wanted), None)
            if name is None:
                return None
        folder = os.path.join(folder, name)
        found.append(name)
    return "/".join(found) if found != list(Path(relative).parts) and os.path.isfile(folder) else None


def stored_otherwise_message(text: str, stored: str) -> str:
    """What to say of ``text``, written for the file ``stored`` (:func:`stored_otherwise`)."""
    return _('"{text}" is not found as written: the file is there, but the letters of its name are stored in another '
             'form (a name made on a Mac), which the server does not find; on a Windows PC, rename the file {name} by '
             'deleting its name and typing it again (or save it again there), or give it a new name and write that '
             'name here').format(text=text, name=stored)


def file_under(root: Path, value: str) -> tuple[str | None, str | None]:
    """``value`` as a path relative to ``root`` (content/), and None; or None
    and why it is refused: absolute, climbing out with ``..``, missing, or a
    link that leads outside ``root``."""
    text = str(value).strip()
    relative = Path(text)
    folder = "images" if relative.suffix.lower() in _PICTURE_SUFFIXES else "files"
    if own := own_computer_file(text):
        return None, _('"{text}" is a file on this computer, not in the project; copy it into content/{folder}/ and '
                       'write {folder}/{name}').format(text=text, folder=own[0], name=own[1])
    if text.startswith(("{static}", "{attach}")):
        return None, _('"{text}" is written as the text writes a picture; in the header write the path from content/ '
                       'without {{static}}: {fixed}').format(text=text, fixed=text.split("}", 1)[1].lstrip("/"))
    if "\\" in text and not text.startswith("\\") and ".." not in re.split(r"[\\/]", text):
        return None, _('"{text}" is written with \\ between its folders, as Windows shows them; write / between '
                       'them: {fixed}').format(text=text, fixed=text.replace("\\", "/"))
    if relative.is_absolute() or text.startswith(("/", "\\")) or ".." in relative.parts or "\\" in text:
        return None, _('"{text}" must be a path inside content/ without / at the start or .., e.g. images/poster.jpg').format(
            text=text)
    target = root / relative
    if not target.is_file() and relative.parts[:1] == ("content",) and (root / Path(*relative.parts[1:])).is_file():
        return None, _('"{text}": write the path from inside content/, without content/ at its start: {fixed}').format(
            text=text, fixed=Path(*relative.parts[1:]).as_posix())
    if not target.is_file() and (stored := stored_otherwise(root, relative.as_posix())):
        return None, stored_otherwise_message(text, stored)
    if not target.is_file() and (named := _named_otherwise(target)):
        return None, _('"{text}" not found under content/: the file is named {name} (the server tells capitals apart, '
                       'as Windows does not); write {fixed}').format(
                           text=text, name=named, fixed=(relative.parent / named).as_posix())
    if not target.is_file() and (elsewhere := named_elsewhere(root, relative.name)):
        return None, _('"{text}" not found under content/: the file is content/{found}; write {found}').format(
            text=text, found=elsewhere)
    if not target.is_file() and (other := _other_ending(target)):
        return None, _('"{text}" not found under content/: its folder holds {name}, of another ending; write {fixed} '
                       '(or put the file written there)').format(
                           text=text, name=other, fixed=(relative.parent / other).as_posix())
    if not target.is_file() and (near := _spelled_near(target)):
        return None, _('"{text}" not found under content/: its folder holds {name}, a name near it; write {fixed} '
                       '(or put the file written there)').format(
                           text=text, name=near, fixed=(relative.parent / near).as_posix())
    if not target.is_file():
        return None, _('"{text}" not found under content/; put the file there (e.g. content/{folder}/) or fix the '
                       'path').format(text=text, folder=folder)
    real_root = os.path.realpath(root)
    if not os.path.realpath(target).startswith(real_root + os.sep):
        return None, _('"{text}" is a link to a file outside content/; copy the file itself into content/images/').format(
            text=text)
    return relative.as_posix(), None
