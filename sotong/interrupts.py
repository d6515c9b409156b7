"""Ctrl+C (SIGINT): the exit code a command stopped by it ends with, and
what a worker process does with it; SIGTERM (kill, systemctl stop) taken as
Ctrl+C by the commands that would otherwise leave something behind (``sotong
send``, ``serve``, ``bundles``, and ``subscribers`` import, export, changes,
forget and purge), while their forked worker processes keep SIGTERM's
default (a pool's terminate stops them); both taken up where a server
chooses (:func:`stop_deferred`: between two answers); a forked worker that
ends with its parent; and how a worker process that stopped before answering (SIGKILL, the
kernel's OOM killer) is described.

A terminal sends Ctrl+C to its whole foreground process group: the forked or
spawned worker processes of a command get it too. They ignore it; the command
that started them stops them while it unwinds (a pool's terminate, a build
process's stop), and says in one line what state it left (sotong.cli)."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading

from .i18n import _

# what shells give a command that SIGINT stopped, and what scripts test for
INTERRUPTED_EXIT = 128 + signal.SIGINT
TERMINATED_EXIT = 128 + signal.SIGTERM  # the same for SIGTERM, e.g. Java's; systemd: SuccessExitStatus=143


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread as Ctrl+C's KeyboardInterrupt is,
    so that it takes Ctrl+C's way out: every ``except KeyboardInterrupt``
    on it (a send's connections end their message, serve closes its
    stores), and no ``except Exception`` stops it."""


def _terminated(signum, frame):
    raise Terminated()


def _sigterm_default_in_a_forked_child() -> None:
    """A process forked within :func:`sigterm_as_ctrl_c` (a pool's worker)
    does not inherit its handler: SIGTERM, which a pool's terminate sends,
    stops it at once, as a worker taking it as Ctrl+C would not (it would
    go on to its next part)."""
    if signal.getsignal(signal.SIGTERM) is _terminated:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


os.register_at_fork(after_in_child=_sigterm_default_in_a_forked_child)


@contextlib.contextmanager
def sigterm_as_ctrl_c():
    """Within it, SIGTERM raises :class:`Terminated`; the handler before it
    is back after. Only in the main thread, where Python runs signal
    handlers; processes forked meanwhile keep SIGTERM's default."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = signal.signal(signal.SIGTERM, _terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)


class DeferredStop:
    """Ctrl+C or SIGTERM that came within :func:`stop_deferred` (``signum``,
    None while none did), to be taken up where the code chooses."""

    def __init__(self):
        self.signum: int | None = None
        self.before: dict[int, object] = {}

    def take_up(self) -> None:
        """What the signal would have done where it came: the handler before
        (KeyboardInterrupt, :class:`Terminated`), else the system's way."""
        handler = self.before.get(self.signum)
        if callable(handler):
            handler(self.signum, None)
        signal.raise_signal(self.signum)


@contextlib.contextmanager
def stop_deferred(wake):
    """Within it, Ctrl+C and SIGTERM (those not ignored) raise nothing where
    the code is (a server's loop thread in the middle of an answer): each is
    noted in the :class:`DeferredStop` yielded, and ``wake()`` called (the
    loop woken), for the code to stop at a point of its own and then
    ``take_up()`` the signal. The handlers before are back after, so that a
    second Ctrl+C while it finishes stops at once. Only in the main thread,
    where Python runs signal handlers; elsewhere none comes."""
    stop = DeferredStop()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def noted(signum, frame):
        stop.signum = stop.signum or signum
        wake()

    for signum in (signal.SIGINT, signal.SIGTERM):
        if signal.getsignal(signum) is not signal.SIG_IGN:
            stop.before[signum] = signal.signal(signum, noted)
    try:
        yield stop
    finally:
        for signum, handler in stop.before.items():
            signal.signal(signum, handler)


def leave_ctrl_c_to_the_parent() -> None:
    """In a worker process (a Pool's initializer, a Process's first call):
    ignore SIGINT, so that Ctrl+C prints no worker's traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def stop_with_the_parent(parent: int) -> None:
    """In a forked worker process of ``parent``: killed (SIGKILL) as soon as
    the parent dies (the OOM killer, kill -9), so that no worker is left
    waiting for work for ever (a concurrent.futures worker would: it holds
    its queue's writing end). Linux's PR_SET_PDEATHSIG; elsewhere nothing."""
    if sys.platform != "linux":
        return
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it died before the call
        os._exit(1)


def how_it_ended(exitcode: int | None) -> str:
    """How a process ended, from its ``exitcode`` (multiprocessing's: minus
    the signal that killed it), for a line saying that it stopped."""
    if exitcode is None:
        return _("it ended, how is not known")
    if exitcode >= 0:
        return _("exit code {code}").format(code=exitcode)
    number = -exitcode
    try:
        name = signal.Signals(number).name
    except ValueError:
        name = "?"
    if number == signal.SIGKILL:  # what the OOM killer sends
        return _("killed by signal {number} ({name}): out of memory?").format(number=number, name=name)
    return _("killed by signal {number} ({name})").format(number=number, name=name)
