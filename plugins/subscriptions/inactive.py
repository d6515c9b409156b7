"""Subscriptions sent nothing for two years (content/pages/privacy.md, 제3조 6:
2년 동안 한 번도 발송되지 않은 구독 정보는 정보주체에게 알린 뒤 파기합니다), for
``sotong subscribers purge``: a subscriber is inactive when nothing was
sent to them (``signals.delivered_since``: the delivery journal and the
last-sent days its purge keeps), their subscription did not start (one
with no start day, an import's empty cell: the log had them before) and
their consent log shows no change in the last two years. Each inactive
subscriber is told once (:mod:`.inactive_notices`: a mail with their
preferences link, or a text when they have no address), and the notice is
recorded in ``subscriptions_inactive_notices`` only once it was handed over,
with the day it names (:data:`NOTICE_DAYS` after): on that day, if still
inactive, their subscription ends and is destroyed as an unsubscribe is
(their id and the time it ended stay). A message sent, or any change of
theirs (the preferences page, a sign-up, an import), makes them active:
their notice is dropped."""

from __future__ import annotations

import datetime as dt

from sotong import signals
from sotong.dates import shift_years
from sotong.store import Store, register_schema, seoul_day

from . import storage
from .retention import SOURCE

INACTIVE_YEARS = 2
NOTICE_DAYS = 30
SCHEMA = """
CREATE TABLE IF NOT EXISTS subscriptions_inactive_notices (
    subscriber_id TEXT PRIMARY KEY,
    told_at TEXT NOT NULL,            -- Asia/Seoul: when the notice was handed over (version 1: queued)
    channel TEXT NOT NULL             -- email, sms, refused (the address refused for good) or none (no address)
);
"""


def _count_from_the_handing_over(store: Store) -> None:
    """Version 2: ``ends_on``, the day the notice names, when the subscription
    ends if still inactive. Version 1 recorded a mail notice when it was
    queued for the collector, which drops a mail unsent after a day: whether
    it left is unknown, so those notices are forgotten (their mails still
    queued taken back) and the next purge tells them again; a text was
    written to the SMS file at once: its 30 days stand."""
    store.db.execute("ALTER TABLE subscriptions_inactive_notices ADD COLUMN ends_on TEXT")
    if "subscriptions_mail" in store.tables():
        store.db.execute("DELETE FROM subscriptions_mail WHERE subject = ? AND subscriber_id IN (SELECT subscriber_id "
                         "FROM subscriptions_inactive_notices WHERE channel = 'email')", (SUBJECT,))
    store.db.execute("DELETE FROM subscriptions_inactive_notices WHERE channel = 'email'")
    rows = store.db.execute("SELECT subscriber_id, told_at FROM subscriptions_inactive_notices").fetchall()
    store.db.executemany("UPDATE subscriptions_inactive_notices SET ends_on = ? WHERE subscriber_id = ?",
                         [(ends_on(dt.date.fromisoformat(seoul_day(told_at))).isoformat(), subscriber_id)
                          for subscriber_id, told_at in rows])


register_schema("subscriptions_inactive", SCHEMA, _count_from_the_handing_over)  # version 2: ends_on
SUBJECT = "[성동구 소통] 구독 정보 파기 안내"
MAIL = ("성동구 전자소통 서비스가 2년 동안 회원님께 보낸 소식이 없어, 개인정보 처리방침(제3조 6)에 따라 "
        "{end_day} 이후 구독을 끝내고 구독 정보를 파기합니다.\n\n"
        "계속 받으시려면 그 전에 아래 수신 설정에서 받는 분야나 방법을 바꿔 주세요. 바뀐 내용이 있으면 구독이 이어집니다.\n\n"
        "{url}\n\n그대로 두시면 구독이 끝나고, 재신청 방지를 위한 수신거부 일시만 남기고 모두 파기합니다.\n")
TEXT = "[성동구] 2년간 보낸 소식이 없어 {end_day} 이후 전자소통 구독 정보를 파기합니다. 계속 받으시려면 수신 설정을 바꿔 주세요: {url}"


def ensure(store: Store) -> Store:
    storage.ensure(store)
    store.upgrade("subscriptions_inactive")
    return store


def inactive_since(today: dt.date) -> dt.date:
    """Nothing sent, started or changed since this day: inactive ``today``."""
    return shift_years(today, -INACTIVE_YEARS)


def inactive_subscribers(store: Store, today: dt.date) -> set[str] | None:
    """Ids of the subscribers inactive ``today``; None when no plugin can
    tell what was sent (delivery not loaded): then nobody is."""
    since = inactive_since(today)
    answers = [found for _receiver, found in signals.delivered_since.send(store, day=since) if found is not None]
    if not answers:
        return None
    delivered = set().union(*answers)
    day = since.isoformat()
    rows = store.db.execute("SELECT id, subscribed_at FROM subscribers WHERE unsubscribed_at IS NULL").fetchall()
    old = {subscriber_id for subscriber_id, subscribed_at in rows if subscribed_at and seoul_day(subscribed_at) < day}
    undated = {subscriber_id for subscriber_id, subscribed_at in rows if not subscribed_at}  # an import's empty cell
    if undated:  # started before the day when the log has them before it (their import's row)
        old |= undated & {row[0] for row in store.db.execute(
            "SELECT DISTINCT subscriber_id FROM consent_log WHERE changed_at < ?", (day,))}
    # the log's subscriber and time (the same in every layout of it): any change since is activity
    changed = {row[0] for row in store.db.execute(
        "SELECT DISTINCT subscriber_id FROM consent_log WHERE changed_at >= ? AND source <> ?", (day, SOURCE))}
    return old - delivered - changed


def told(store: Store) -> dict[str, str]:
    """subscriber id -> the day their notice names (``YYYY-MM-DD``)."""
    return dict(store.db.execute("SELECT subscriber_id, ends_on FROM subscriptions_inactive_notices"))


def record_told(store: Store, notices: list[tuple[str, str, str, str]]) -> None:
    """Record notices handed over: (subscriber id, when, channel, the day it names)."""
    if notices:
        with store.transaction() as db:
            db.executemany("INSERT INTO subscriptions_inactive_notices (subscriber_id, told_at, channel, ends_on) "
                           "VALUES (?, ?, ?, ?)", notices)


def drop_notices(store: Store, subscriber_ids: list[str]) -> None:
    """The notices of those who became active (or left meanwhile)."""
    with store.transaction() as db:
        db.executemany("DELETE FROM subscriptions_inactive_notices WHERE subscriber_id = ?",
                       [(subscriber_id,) for subscriber_id in subscriber_ids])


def ends_on(told_day: dt.date) -> dt.date:
    """The day a notice handed over on ``told_day`` names: the subscription ends then if still inactive."""
    return told_day + dt.timedelta(days=NOTICE_DAYS)


def last_told_day(today: dt.date) -> dt.date:
    """Those told on this Seoul day or before, still inactive, are ended ``today``."""
    return today - dt.timedelta(days=NOTICE_DAYS)


def due_to_end(notices: dict[str, str], inactive: set[str], today: dt.date) -> list[str]:
    """The inactive subscribers whose notice's day has come."""
    return sorted(subscriber_id for subscriber_id, end_day in notices.items()
                  if subscriber_id in inactive and end_day <= today.isoformat())
