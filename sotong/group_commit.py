"""Group commit: many threads' small writes applied as one write.

A collector answers a burst of requests from several threads, each of which
must store its change before it answers. :class:`GroupCommit` lets them share
a transaction: a thread that finds no write under way becomes the leader and
applies every change waiting at that moment in one call; the threads whose
changes it took wait until that call has returned (their change is stored),
and one of those that arrived meanwhile leads the next call. Nobody waits for
a timer: an idle collector writes each change at once, alone; a busy one
writes as many as arrived while the previous write ran. A thread that must
not wait (a server's loop, issue #16) submits with ``wait=False``: it writes
its change at once when no write is under way, and is told
:class:`WouldWait` otherwise.
"""

from __future__ import annotations

import threading
from typing import Callable, Generic, Sequence, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

MAX_GROUP = 500  # changes one call applies at most (SQLite takes at most 32,766 parameters)


class WouldWait(Exception):
    """Raised instead of waiting, to a caller that said it must not wait
    (nothing was changed)."""


class GroupCommitError(Exception):
    """Raised in the other threads of a group whose write failed (the
    leader's error is its cause)."""


class _Waiter:
    """One thread's change and, once applied, its result or the call's error.
    ``done`` is a lock held until then (lighter than an Event: one per request)."""

    __slots__ = ("item", "done", "result", "error", "leads")

    def __init__(self, item):
        self.item = item
        self.done = threading.Lock()
        self.done.acquire()
        self.result = None
        self.error: BaseException | None = None
        self.leads = False  # woken to lead the next call, not because its change is stored


class GroupCommit(Generic[Item, Result]):
    """``GroupCommit(apply).submit(item)`` returns ``item``'s result once
    ``apply(items)`` (a list of results in the same order, stored when it
    returns) has run for a group holding it. When that call fails, none of
    the group's changes counts as stored: the leader raises its error, the
    other threads of the group :class:`GroupCommitError` caused by it."""

    def __init__(self, apply: Callable[[list[Item]], Sequence[Result]], max_group: int = MAX_GROUP):
        self._apply = apply
        self._max_group = max_group
        self._lock = threading.Lock()
        self._waiting: list[_Waiter] = []
        self._writing = False

    def submit(self, item: Item, wait: bool = True) -> Result:
        waiter = _Waiter(item)
        with self._lock:
            if self._writing and not wait:
                raise WouldWait("another thread is writing")
            self._waiting.append(waiter)
            leads = waiter.leads = not self._writing
            self._writing = True
        if not leads:
            waiter.done.acquire()  # released by the leader of the group that holds this change
        if waiter.leads:
            self._lead(waiter)
        elif waiter.error is not None:
            raise GroupCommitError("the write of the changes grouped with this one failed") from waiter.error
        return waiter.result

    def _lead(self, own: _Waiter) -> None:
        """Apply the waiting changes (``own`` among them), wake their
        threads, and hand the lead to the first that arrived meanwhile."""
        with self._lock:
            group, self._waiting = self._waiting[:self._max_group], self._waiting[self._max_group:]
        try:
            results = self._apply([waiter.item for waiter in group])
            if len(results) != len(group):
                raise RuntimeError(f"group commit: {len(results)} results for {len(group)} changes")
        except BaseException as exc:  # every thread of the group answers with it
            for waiter in group:
                waiter.error = exc
        else:
            for waiter, result in zip(group, results):
                waiter.result = result
        with self._lock:
            following = self._waiting[0] if self._waiting else None
            self._writing = following is not None
        for waiter in group:
            if waiter is not own:
                waiter.leads = False
                waiter.done.release()
        if following is not None:
            following.leads = True
            following.done.release()
        if own.error is not None:
            raise own.error
