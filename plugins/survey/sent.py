"""The surveys invitations went out for, and where each one's address leads
now. Every survey a bundle invites a reader to is kept in the ledger
``PRIVATE_PATH/invited-surveys.json`` (INVITED_SURVEYS_FILE, in the format
of sotong.code_ledger: its slug, its file relative to content/, its title,
the first issue that invited to it), for as long as the project lives. A
survey whose file was since renamed (its slug comes from the file name) or
removed still has its address: its page in the build (:mod:`.site`) and the
invitation's link on the collector (:mod:`.collector`) lead to the survey
renamed (the one survey with its title), or say that it is no longer
posted; ``sotong check`` warns at the file (:mod:`.advice`). The collector
keeps the ledger as read (:class:`InvitedLedger`) while the file is
unchanged."""

from __future__ import annotations

from pathlib import Path

from sotong.code_ledger import TextedCode, ledger_path, read_ledger, record_texted
from sotong.notice_cache import file_stamp
from sotong.notices import slug_problem
from sotong.problems import SotongError
from sotong.store import Store

from . import storage

INVITED_SURVEYS_FILE = "invited-surveys.json"  # under PRIVATE_PATH: slug -> the survey invited to at that address


def survey_file(survey) -> str:
    """A survey's file as the ledger names it: relative to content/."""
    return f"surveys/{Path(survey.source).name}"


def record_invited(settings: dict, survey, issue: str) -> None:
    """Keep ``survey`` in the ledger, invited to first in the bundle of ``issue`` (a day, YYYY-MM-DD)."""
    record_texted(settings, {survey.slug: TextedCode(survey.slug, survey_file(survey), survey.title, issue)},
                  INVITED_SURVEYS_FILE)


def record_invited_before(settings: dict, store: Store, surveys: dict) -> None:
    """Keep in the ledger the surveys the store's invitations name that it
    lacks: those bundles invited to before the ledger was kept (a survey
    gone since with no file nor title)."""
    kept = read_ledger(settings, INVITED_SURVEYS_FILE)
    earlier = {}
    for slug, issue in storage.first_invitations(store).items():
        if slug not in kept:
            survey = surveys.get(slug)
            earlier[slug] = TextedCode(slug, survey_file(survey) if survey else "", survey.title if survey else "", issue)
    record_texted(settings, earlier, INVITED_SURVEYS_FILE)


class InvitedLedger:
    """The ledger as the collector reads it, at each request for an address
    of no survey (which anyone can send in a loop): read again only when
    the file's time or size changed (a bundle invited to another survey
    while the collector ran), else what it read is given again, its entries
    or the problem of a file mangled by hand."""

    def __init__(self, settings: dict):
        self.settings = settings
        self._read: tuple = (object(), {})  # (the file's (mtime_ns, size) when read, or None; entries or problems)

    def entries(self) -> dict[str, TextedCode]:
        """The ledger's entries as :func:`sotong.code_ledger.read_ledger`
        gives them (a SotongError for a ledger mangled by hand)."""
        state, (known, read) = _file_state(ledger_path(self.settings, INVITED_SURVEYS_FILE)), self._read
        if state != known:  # its time and size taken first: a change while it is read is read next time
            try:
                read = read_ledger(self.settings, INVITED_SURVEYS_FILE)
            except SotongError as error:
                read = error.problems
            self._read = (state, read)
        if isinstance(read, list):
            raise SotongError(read)
        return read


def _file_state(path: Path | None) -> list[int] | None:
    """The file's stamp at ``path`` (sotong.notice_cache.file_stamp: its
    time and size); None when there is none (yet) or it cannot be looked at
    (read_ledger says which)."""
    try:
        return file_stamp(path) if path else None
    except OSError:
        return None


def moved_surveys(settings: dict, surveys: dict,
                  invited: dict[str, TextedCode] | None = None) -> dict[str, tuple[TextedCode, object]]:
    """old slug -> (the ledger's entry, the survey it leads to, or None) for
    each survey invited to whose address no survey holds now: renamed, the
    one survey of ``surveys`` with its title; else None (removed). A slug
    edited by hand into a path is left out: it names no page. ``invited``:
    the ledger's entries, read when not given."""
    by_title: dict[str, list] = {}
    for survey in surveys.values():
        by_title.setdefault(survey.title, []).append(survey)
    moved = {}
    invited = read_ledger(settings, INVITED_SURVEYS_FILE) if invited is None else invited
    for slug, entry in invited.items():
        if slug in surveys or slug_problem(slug) is not None:
            continue
        same_title = by_title.get(entry.title, []) if entry.title else []
        moved[slug] = (entry, same_title[0] if len(same_title) == 1 else None)
    return moved
