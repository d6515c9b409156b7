"""Ctrl+C (SIGINT): the exit code a command stopped by it ends with, and
what a worker process does with it.

A terminal sends Ctrl+C to its whole foreground process group: the forked or
spawned worker processes of a command get it too. They ignore it; the command
that started them stops them while it unwinds (a pool's terminate, a build
process's stop), and says in one line what state it left (sotong.cli)."""

from __future__ import annotations

import signal

# what shells give a command that SIGINT stopped, and what scripts test for
INTERRUPTED_EXIT = 128 + signal.SIGINT


def leave_ctrl_c_to_the_parent() -> None:
    """In a worker process (a Pool's initializer, a Process's first call):
    ignore SIGINT, so that Ctrl+C prints no worker's traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
