"""Subscriptions past their retention (content/pages/privacy.md, 제3조 1):
``sotong subscribers purge`` destroys, some days after a subscriber
unsubscribed (탈퇴), everything the store keeps of them but the unsubscribe
time (재신청 방지 확인 기록: an import never subscribes them again by it):
their row keeps its id and ``unsubscribed_at``, their consent log keeps the
change of ``unsubscribed_at``, their pending changes, consents given,
queued mails and texts go. Their other records follow their own retention (delivery
records a year, survey answers, opinions five years). The texts the
plugin sent (phone codes, notices) leave its SMS code file a year after."""

from __future__ import annotations

import datetime as dt

from sotong.dates import shift_years
from sotong.store import PURGED_VALUES, Store, now_iso, seoul_day


TEXTS_KEPT_YEARS = 1
UNSUBSCRIBED_KEPT_DAYS = 7  # a week to undo a mistaken unsubscribe; the page promises at most 30 days
KEPT_COLUMNS = ("unsubscribed_at",)  # the consent log's changes a purge keeps (the row's: PURGED_VALUES)
OWN_TABLES = ("subscriptions_pending", "subscriptions_consents", "subscriptions_mail", "subscriptions_texts",
              "subscriptions_inactive_notices")
AT_ONCE = 500  # ids one statement names
SOURCE = "retention"  # the consent log's source of what the purges change (no reader's doing)


def last_unsubscribe_day(today: dt.date) -> dt.date:
    """Subscribers who unsubscribed on this Seoul day or before are purged ``today``."""
    return today - dt.timedelta(days=UNSUBSCRIBED_KEPT_DAYS)


def first_kept_text_day(today: dt.date) -> dt.date:
    """Texts of the SMS code file sent before this day are taken out
    ``today``: a year, as every delivery record (제3조 2)."""
    return shift_years(today, -TEXTS_KEPT_YEARS)


def unsubscribed_to_purge(store: Store, today: dt.date) -> list[str]:
    """Ids of the subscribers who unsubscribed on or before
    :func:`last_unsubscribe_day` and whose row still holds more than that."""
    holds_more = " OR ".join(f"{column} IS NOT NULL" if value is None else f"{column} <> ''"
                             for column, value in PURGED_VALUES.items())
    rows = store.db.execute(f"SELECT id, unsubscribed_at FROM subscribers WHERE unsubscribed_at IS NOT NULL "
                            f"AND ({holds_more}) ORDER BY id")
    last_day = last_unsubscribe_day(today).isoformat()
    return [subscriber_id for subscriber_id, unsubscribed_at in rows if seoul_day(unsubscribed_at) <= last_day]


def purge_unsubscribed(store: Store, subscriber_ids: list[str], ending: list[str] = ()) -> int:
    """Destroy all but the unsubscribe time of ``subscriber_ids``, and of
    ``ending`` (inactive subscribers whose notice's day has come), unsubscribed
    now first: in one transaction, so that a run stopped after it leaves no
    subscription ended and not destroyed; inside :meth:`Store.erasing` as
    forget is. The rows purged."""
    subscriber_ids = sorted({*subscriber_ids, *ending})
    if not subscriber_ids:
        return 0
    assignments = ", ".join(f"{column} = ?" for column in PURGED_VALUES)
    tables = [table for table in OWN_TABLES if table in store.tables()]
    purged = 0
    with store.erasing(["subscribers", "consent_log", *tables]), store.changes_from(SOURCE), store.transaction() as db:
        moment = now_iso()
        for start in range(0, len(ending), AT_ONCE):
            store.unsubscribe_all(list(ending[start:start + AT_ONCE]), moment)
        for start in range(0, len(subscriber_ids), AT_ONCE):
            chunk = subscriber_ids[start:start + AT_ONCE]
            by_id, ids = store.one_of("id", chunk)
            purged += db.execute(f"UPDATE subscribers SET {assignments} WHERE {by_id}", (*PURGED_VALUES.values(), *ids)).rowcount
            by_reader, ids = store.one_of("subscriber_id", chunk)
            for table in tables:
                db.execute(f"DELETE FROM {table} WHERE {by_reader}", ids)
        store.keep_in_consent_log(subscriber_ids, KEPT_COLUMNS)  # with the rows these updates logged
    return purged
