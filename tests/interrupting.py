"""A stop (Ctrl+C, or SIGTERM where a command takes it as Ctrl+C) at a
chosen moment, for the tests of what it leaves: Python raises a signal
handler's KeyboardInterrupt at the next line it runs, wherever that is; a
trace function does the same once a condition holds (the file is made, the
manifest rewritten), so that the moment is not left to chance."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Callable, Iterator

import pytest


def interrupted_once(condition: Callable[[], bool]):
    """A trace function that raises KeyboardInterrupt at the first line (or
    call, or return) Python runs once ``condition()`` holds."""
    def trace(frame, event, arg):
        if condition():
            sys.settrace(None)
            raise KeyboardInterrupt
        return trace
    return trace


@contextmanager
def stopped_when(condition: Callable[[], bool]) -> Iterator[None]:
    """``with stopped_when(condition): ...``: the block is stopped by
    KeyboardInterrupt as soon as ``condition()`` holds (it must come)."""
    sys.settrace(interrupted_once(condition))
    try:
        with pytest.raises(KeyboardInterrupt):
            yield
    finally:
        sys.settrace(None)
