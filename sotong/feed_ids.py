"""The ids of the entries of the site's Atom feeds (``feeds/all.atom.xml``,
``feeds/category/KEY.atom.xml``): ``tag:DOMAIN,DAY:/notices/SLUG/``, where
DAY (RFC 4151: a day the office held the name) is the first day the entry's
address was given out, not the notice's ``date:``. Pelican builds the tag
with the notice's date, so correcting a date (a typo in the year, a
postponed event) gave the entry a new id: every feed reader showed the
notice twice, and SNS tools that read the feed posted it again.

The days are kept in the project's private folder, in the ledger of feed
entries (:data:`sotong.code_ledger.FEED_ENTRIES_FILE`, the ledgers' format:
each address with its notice's file, title and day). An address not in it
takes the notice's date: the id Pelican gave before there was a ledger, so
that no id already out changes. ``sotong build`` records the entries of
the feeds it built once ``output/`` holds them (:func:`record_feed_entries`);
a devserver's preview build, whose drafts may never be published, records
nothing. A new address (a renamed slug) is a new entry, with a new id.
"""

from __future__ import annotations

import datetime as dt

from .code_ledger import FEED_ENTRIES_FILE, TextedCode, ledger_path, read_ledger, record_texted, unreadable
from .dates import iso_day
from .i18n import _
from .links import notice_file
from .problems import SotongError, os_reason


class FeedIds:
    """The days of one build's feed entry ids, by address: the ledger's
    (read once), else the notice's date; each address's found once (a
    feed's key and each of its entries ask for it). ``given``: every entry
    given an id, as the ledger would record it."""

    def __init__(self, settings: dict, given: dict[str, TextedCode] | None = None):
        self._settings = settings
        self._kept: dict[str, dt.date] | None = None
        self._days: dict[str, dt.date] = {}
        self.given = {} if given is None else given

    def day(self, article) -> dt.date:
        """The day of the id of ``article``'s entry (a Pelican article of a notice)."""
        address = article.url
        if (day := self._days.get(address)) is None:
            day = self._days[address] = self._first_day(article)
        return day

    def _first_day(self, article) -> dt.date:
        if self._kept is None:
            self._kept = feed_entry_days(self._settings)
        address = article.url
        day = self._kept.get(address) or article.date.date()
        if address not in self.given:
            self.given[address] = TextedCode(address, notice_file(self._settings["PATH"], article.source_path),
                                             article.title, day.isoformat())
        return day


def feed_entry_days(settings: dict) -> dict[str, dt.date]:
    """The ledger of feed entries' days, by address ({} without one); a
    ledger not as Sotong writes it (a day edited by hand into something
    else) is a SotongError of one line, as ``sotong build`` and ``sotong
    check`` say it."""
    kept = {address: iso_day(entry.day) for address, entry in read_ledger(settings, FEED_ENTRIES_FILE).items()}
    if None in kept.values():
        raise SotongError([unreadable(settings, ledger_path(settings, FEED_ENTRIES_FILE), 1)])
    return kept


def record_feed_entries(project, given: dict[str, TextedCode]) -> None:
    """After ``sotong build``: add the entries its feeds gave out to the
    ledger of feed entries (one already there keeps its day)."""
    settings = project.settings
    if ledger_path(settings, FEED_ENTRIES_FILE) is None:  # settings with no private folder keep no ledger
        return
    try:
        record_texted(settings, given, FEED_ENTRIES_FILE)
    except OSError as exc:  # a private folder it may not write, a full disk
        raise SotongError([_("{path}: the site was built, but the ids of its Atom feeds' entries could not be kept in "
                             "this ledger ({reason}); make it writable (or free some space) and build again, or a "
                             "notice whose date is later corrected shows twice in feed readers").format(
                                 path=project.shown(ledger_path(settings, FEED_ENTRIES_FILE)), reason=os_reason(exc))]) from None
