"""Riding out a PostgreSQL restart (a minor-version upgrade, a failover;
SPEC §15) in the processes that run for weeks: the collector's request
threads and background queues, ``sotong subscribers codes --follow``.

:class:`Reconnecting` keeps one connection to the store per thread and
opens another once it is lost. While the server does not answer, it tries
again after a bounded backoff (FIRST_WAIT_SECONDS, doubling up to
LONGEST_WAIT_SECONDS) and meanwhile raises :class:`StoreDown` at once, so
that no request waits for a connection of its own: the collector answers
it 503 with Retry-After, a queue's thread pauses that long, and a row
waiting in the store stays there until it answers again. The log says once
that the store cannot be reached and once that it answers again, in the
staff's language and without the server's address (more people read the
log than the settings).

A connection idle between two uses learns of a restart only at its next
statement, which would fail; :func:`connection_gone` looks first whether the
server has said goodbye on its socket, so the first request after a
restart is answered, not failed. A store that never answered in this
process (a wrong address, a password refused at start) is not waited for:
its one line is said as before. On SQLite nothing here waits.
"""

from __future__ import annotations

import contextlib
import logging
import math
import select
import sys
import threading
import time
from typing import Callable

from .i18n import _

FIRST_WAIT_SECONDS = 0.25
LONGEST_WAIT_SECONDS = 8.0
log = logging.getLogger("sotong.store")


class StoreDown(Exception):
    """The store does not answer now; ``retry_after``: the seconds until it is asked again."""

    def __init__(self, retry_after: float):
        super().__init__(f"the store does not answer; asked again in {retry_after:.2f} s")
        self.retry_after = retry_after

    def header(self) -> str:
        """``retry_after`` as an HTTP Retry-After value: whole seconds, at least one."""
        return str(max(1, math.ceil(self.retry_after)))


def store_down(exc: BaseException | None) -> StoreDown | None:
    """``exc`` when it is a StoreDown, or the StoreDown that caused it (a
    group commit's other threads are told the leader's failure so); else None."""
    while exc is not None and not isinstance(exc, StoreDown):
        exc = exc.__cause__
    return exc


def connection_lost(exc: BaseException) -> bool:
    """Whether ``exc`` says the PostgreSQL server went away (or cannot be
    reached): not a statement's own failure, which a new connection would
    meet again."""
    from .store import Unreachable

    if isinstance(exc, Unreachable):
        return True
    psycopg = sys.modules.get("psycopg")
    if psycopg is None or not isinstance(exc, psycopg.OperationalError):
        return False
    state = exc.sqlstate or ""  # none: libpq's own (the socket closed); 08: connection; 57P: a shutdown
    return not state or state.startswith(("08", "57P"))


def connection_gone(store, poll) -> bool:
    """Whether the idle PostgreSQL connection of ``store`` can no longer be
    used: closed, broken by a statement, or something waiting on its socket
    (``poll``: a ``select.poll()`` its socket is registered with; an idle
    connection in autocommit is sent nothing unasked but the server's
    goodbye when it shuts down)."""
    if store.backend != "postgresql":
        return False
    connection = store.db.connection
    return connection.closed or connection.broken or bool(poll.poll(0))


class Reconnecting:
    """``with reconnecting() as store:`` — this thread's connection to the
    store (``open_store()`` makes one), opened again once lost; raises
    :class:`StoreDown` while the server does not answer. ``close_store``
    lets a lost one go; ``first``: a store already open, the creating
    thread's."""

    def __init__(self, open_store: Callable, close_store: Callable = lambda store: store.close(), first=None):
        self._open, self._close = open_store, close_store
        self._local = threading.local()
        self._hold(first)
        self._answered_once = first is not None
        self._lock = threading.Lock()
        self._down_since: float | None = None
        self._wait = self._next_try = 0.0

    def __call__(self) -> "_Using":
        return _Using(self._live())

    def _hold(self, store) -> None:
        """Make ``store`` this thread's, with a poll of its socket (made once:
        every use looks at it)."""
        self._local.store, self._local.poll = store, None
        if store is not None and store.backend == "postgresql":
            self._local.poll = select.poll()  # not select.select: a busy collector's descriptors pass FD_SETSIZE
            self._local.poll.register(store.db.connection.fileno(), select.POLLIN)

    def _live(self):
        store = getattr(self._local, "store", None)
        if store is not None and not connection_gone(store, self._local.poll):
            return store
        with self._lock:
            wait = self._next_try - time.monotonic() if self._down_since is not None else 0.0
        if wait > 0:
            raise StoreDown(wait)
        if store is not None:
            self._hold(None)
            with contextlib.suppress(Exception):  # its socket is gone already
                self._close(store)
        try:
            store = self._open()
        except Exception as exc:
            if not (self._answered_once and connection_lost(exc)):  # never answered: its own line, at once
                raise
            raise self._failed(exc) from None
        self._hold(store)
        self._answered_once = True
        self._answered()
        return store

    def _failed(self, exc: Exception) -> StoreDown:
        """The StoreDown of a connection refused (``exc``), the wait begun or
        made longer; the log says once that the store does not answer, and
        why (PostgreSQL's words: "too many clients already", "the database
        system is starting up"), without its address."""
        with self._lock:
            now = time.monotonic()
            if self._down_since is None:
                self._down_since, self._wait = now, FIRST_WAIT_SECONDS
                log.warning(_("the store (PostgreSQL) does not answer: %s; waiting for it, trying again at least every %.0f s (what is queued stays in the store; the collector answers 503 meanwhile)"),
                            _refusal(exc), LONGEST_WAIT_SECONDS)
            elif now >= self._next_try:  # not once per thread that found out at the same moment
                self._wait = min(self._wait * 2, LONGEST_WAIT_SECONDS)
            self._next_try = now + self._wait
            return StoreDown(self._wait)

    def _answered(self) -> None:
        if self._down_since is None:
            return
        with self._lock:
            if self._down_since is None:
                return
            seconds, self._down_since = time.monotonic() - self._down_since, None
        log.warning(_("the store (PostgreSQL) answers again, after %.0f s; what waited is being handed over"), seconds)


def _refusal(exc: BaseException) -> str:
    """PostgreSQL's reason for refusing a connection (``exc``, or the libpq
    error it was made from: its first line, after the FATAL: or the
    failed: that follow the server's address), never that address."""
    detail = str(exc.__context__ if isinstance(exc.__context__, Exception) else exc)
    for marker in ("FATAL:", "failed:"):
        if marker in detail:
            return detail.rsplit(marker, 1)[1].strip().split("\n")[0] or type(exc).__name__
    return type(exc).__name__


class _Using:
    """``with reconnecting() as store:`` (a class, not a generator: every
    request of a collector enters one). A connection found lost in the block
    is said as StoreDown, without making the others wait: the thread's next
    use connects again at once, and only a connection refused starts the
    wait (a backend ended alone, ``pg_terminate_backend``, is no outage)."""

    __slots__ = ("store",)

    def __init__(self, store):
        self.store = store

    def __enter__(self):
        return self.store

    def __exit__(self, kind, exc, tb) -> bool:
        if isinstance(exc, Exception) and connection_lost(exc):
            raise StoreDown(FIRST_WAIT_SECONDS) from None
        return False
