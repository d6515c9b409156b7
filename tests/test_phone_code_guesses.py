"""Guesses at the 6-digit code that confirms a reader's phone (SPEC §13; at
most storage.CODE_ATTEMPTS of them) sent at once over real HTTP to the
collector on PostgreSQL: each guess is counted by the statement that checks
the limit, before its code is compared, so a guess past the limit is never
compared, even when it comes while the last allowed one is still being
answered.

To make that interleaving certain rather than likely, the test holds the
pending code's row locked while the last two guesses arrive: both reach the
store and wait there (the first on the test's lock, the second behind the
first), and both go on when the lock is let go. With more than two waiting,
PostgreSQL does not promise the order in which they go on."""

from __future__ import annotations

import urllib.parse
from concurrent.futures import ThreadPoolExecutor

from processes import wait_until
from project_support import new_store_location, project_on, serving
from delivery_support import add_subscribers
from subscriptions import storage
from test_serve import request

from sotong.project import Project
from sotong.store import Store
from sotong.tokens import make_token
from sotong.web import make_app

CODE, PHONE = "246810", "010-9876-5432"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def waiting_for_locks(store: Store) -> int:
    """Statements of other connections to the test's database waiting for a lock."""
    return store.db.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                            "AND wait_event_type = 'Lock'").fetchone()[0]


def guess(port: int, path: str, code: str) -> int:
    return request(port, "POST", path, urllib.parse.urlencode({"code": code}).encode(), FORM)[0]


def test_a_guess_past_the_limit_is_not_compared_while_the_last_allowed_one_is_answered(tmp_path):
    location = new_store_location("postgresql", tmp_path)
    project = project_on(location, tmp_path)
    [reader] = add_subscribers(location, 1)
    holder, watcher = storage.ensure(Store.open(location)), Store.open(location)
    with holder.transaction():
        pending_id = storage.add_pending(holder, "phone", {"phone": PHONE}, reader, code=CODE, seconds=storage.CODE_SECONDS)
    path = f"/p/{make_token('preferences', reader)}/phone"
    app = make_app(Project(project / "pelicanconf.py"))
    with serving(app) as port, ThreadPoolExecutor(2) as pool:
        assert [guess(port, path, wrong) for wrong in ("111111", "222222", "333333", "444444")] == [400] * 4
        with holder.transaction():
            holder.db.execute("SELECT id FROM subscriptions_pending WHERE id = ? FOR UPDATE", (pending_id,))
            fifth = pool.submit(guess, port, path, "555555")  # the last guess allowed: wrong
            wait_until(lambda: waiting_for_locks(watcher) == 1, what="the guess reaching the store")
            sixth = pool.submit(guess, port, path, CODE)  # one too many: right, and never compared
            wait_until(lambda: waiting_for_locks(watcher) == 2, what="the guess reaching the store")
        assert (fifth.result(), sixth.result()) == (400, 400)
    assert watcher.db.execute("SELECT phone FROM subscribers WHERE id = ?", (reader,)).fetchone()[0] != PHONE
    assert tuple(watcher.db.execute("SELECT attempts, used_at FROM subscriptions_pending WHERE id = ?",
                                    (pending_id,)).fetchone()) == (storage.CODE_ATTEMPTS, None)
    holder.close()
    watcher.close()
