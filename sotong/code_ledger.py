"""The ledger of texted short codes: every short code a text was composed
with, and the notice it was composed for (its slug, its file relative to
content/, its title, the day it was first texted), kept in the project's
private folder (``PRIVATE_PATH/texted-codes.json``) for as long as the
project lives, whatever becomes of the outboxes (retention purges them) or
of the notice (made a draft, removed, renamed).

It is written by what composes texts and read by what gives codes and
writes their pages (:mod:`sotong.links`): a code in it is never given to
another notice, and its link never leads nowhere. Written whole or not at
all (:mod:`sotong.atomic`), one writer at a time.

The same file format keeps a second ledger, of the notices bundled
(``PRIVATE_PATH/sent-notices.json``, SENT_NOTICES_FILE): each by the slug
its emails and texts link to (``notices/SLUG/``), with its file, title and
first day; the build keeps a page at each such address whose notice was
since renamed, made a draft or removed (a redirect to it, or a page saying
it is no longer posted), so a link in a message already sent is never a 404.
A third, of the web pages bundles linked to (``PRIVATE_PATH/sent-pages.json``,
SENT_PAGES_FILE): each by its address on the site (in the field ``slug``,
e.g. ``newsletter/2026-11-26/``), with the bundle's title and its day; the
plugin that owns the page keeps one there whatever becomes of what it
showed. A plugin keeps a ledger of its own of what messages sent readers to (the
survey plugin's surveys invited to) in the same format, in a file it names.
A fourth, of the entries the site's Atom feeds gave out
(``PRIVATE_PATH/feed-entries.json``, FEED_ENTRIES_FILE): each by its address
(in the field ``slug``, e.g. ``notices/SLUG/``), with its notice's file and
title and the day its id was first built with (:mod:`sotong.feed_ids`).
"""

from __future__ import annotations

import fcntl
import json
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterator

from .atomic import replacing
from .i18n import _
from .problems import SotongError, os_reason
from .settings import shown_in_project

LEDGER_FILE = "texted-codes.json"  # under PRIVATE_PATH
SENT_NOTICES_FILE = "sent-notices.json"  # under PRIVATE_PATH: slug -> the notice bundled at that address
SENT_PAGES_FILE = "sent-pages.json"  # under PRIVATE_PATH: a bundle's web page, by its address -> the bundle
FEED_ENTRIES_FILE = "feed-entries.json"  # under PRIVATE_PATH: an Atom feed entry, by its address -> its id's day
_FIELDS = ("slug", "source", "title", "day")


@dataclass(frozen=True)
class TextedCode:
    """What a code was texted for: the notice's slug, its file (relative to
    content/, "" when unknown), its title ("" when unknown), and the day
    (YYYY-MM-DD) it was first texted."""

    slug: str
    source: str
    title: str
    day: str


def ledger_path(settings: dict, name: str = LEDGER_FILE) -> Path | None:
    """Where the project keeps its ledger ``name`` (None: settings without a private folder, e.g. a test's)."""
    private = settings.get("PRIVATE_PATH")
    return Path(private) / name if private else None


def read_ledger(settings: dict, name: str = LEDGER_FILE) -> dict[str, TextedCode]:
    """code -> what it was texted for, in the order of the day first texted
    (then the code); {} when nothing was texted yet. A ledger that is not
    the ledger (edited by hand into something else) is a SotongError: read
    as empty, its codes would be given to other notices."""
    path = ledger_path(settings, name)
    if path is None:
        return {}
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise SotongError([_("{path}: cannot read this ledger of Sotong's ({reason}); make it readable to this user and run the command again").format(
            path=shown_in_project(settings, path), reason=os_reason(exc))]) from None
    except UnicodeDecodeError:
        raise SotongError([unreadable(settings, path, 1)]) from None
    try:
        written = json.loads(text)
        fields = {code: [entry[field] for field in _FIELDS] for code, entry in written.items()}
    except json.JSONDecodeError as exc:
        raise SotongError([unreadable(settings, path, exc.lineno)]) from None
    except (TypeError, KeyError, AttributeError):
        raise SotongError([unreadable(settings, path, 1)]) from None
    if not all(isinstance(value, str) for values in fields.values() for value in values):
        raise SotongError([unreadable(settings, path, 1)])
    entries = {code: TextedCode(*values) for code, values in fields.items()}
    return dict(sorted(entries.items(), key=lambda item: (item[1].day, item[0])))


def unreadable(settings: dict, path: Path, line: int) -> str:
    """The problem of the ledger at ``path``, not as Sotong writes it (at ``line``)."""
    if path.name == FEED_ENTRIES_FILE:
        return _('{path}:{line}: the ledger of the entries of the Atom feeds is not as Sotong writes it (each address with '
                 'its "slug", "source", "title" and "day" as text, the day written YYYY-MM-DD); put back the file '
                 'from the last backup: without it, a notice whose date was corrected gets a new id, and feed '
                 'readers show it twice').format(path=shown_in_project(settings, path), line=line)
    if path.name not in (LEDGER_FILE, SENT_NOTICES_FILE):  # the pages bundles linked to, or a plugin's
        return _('{path}:{line}: this ledger of what messages sent readers to is not as Sotong writes it (each '
                 'address with its "slug", "source", "title" and "day" as text); put back the file from the last '
                 'backup: without it, links in messages already sent to what was since renamed or removed lead '
                 'nowhere').format(path=shown_in_project(settings, path), line=line)
    if path.name == SENT_NOTICES_FILE:
        return _('{path}:{line}: the ledger of notices sent is not as Sotong writes it (each address with its '
                 '"slug", "source", "title" and "day" as text); put back the file from the last backup: without it, '
                 'links in messages already sent to notices since renamed or removed lead nowhere').format(
                     path=shown_in_project(settings, path), line=line)
    return _('{path}:{line}: the ledger of texted short codes is not as Sotong writes it (each code with its '
             '"slug", "source", "title" and "day" as text); put back the file from the last backup: without it, links '
             'in texts already sent could lead to other notices').format(path=shown_in_project(settings, path), line=line)


def record_texted(settings: dict, texted: dict[str, TextedCode], name: str = LEDGER_FILE) -> None:
    """Add ``texted`` (code -> what it is texted for) to the ledger: a code
    already there keeps its first day, and takes the newer file and title
    (of the same slug: a code is never moved to another notice)."""
    if not texted:
        return
    with _one_writer(ledger_path(settings, name)):
        kept = read_ledger(settings, name)
        ledger = dict(kept)
        for code, entry in texted.items():
            before = ledger.get(code)
            if before is None:
                ledger[code] = entry
            elif before.slug == entry.slug:
                ledger[code] = TextedCode(entry.slug, entry.source or before.source, entry.title or before.title, before.day)
        if ledger != kept:
            text = json.dumps({code: asdict(entry) for code, entry in sorted(ledger.items())},
                              ensure_ascii=False, indent=1, sort_keys=True) + "\n"
            with replacing(ledger_path(settings, name)) as out:
                out.write(text.encode("utf-8"))


@contextmanager
def _one_writer(path: Path) -> Iterator[None]:
    """Inside, this process alone may change the ledger at ``path``; another waits its turn."""
    lock = path.parent / "locks" / f"{path.name}.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
