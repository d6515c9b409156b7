"""Writing a file so that a crash at any moment leaves the old file or the
new one, never a part of it: the new bytes go to a temporary file beside it,
which replaces it with one rename once complete; and a command that writes
a folder (a build, an outbox, a send's journal) run by one process at a
time (:func:`one_at_a_time`)."""

from __future__ import annotations

import fcntl
import os
import secrets
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from .i18n import _
from .problems import SotongError, os_reason


@contextmanager
def replacing(path: str | os.PathLike, opener: Callable = open, mode: int = 0o600) -> Iterator:
    """``with replacing(path) as out: out.write(...)``: ``out`` is a temporary
    file opened ``"wb"`` with ``opener`` (e.g. gzip.open); when the block ends
    without an error it replaces ``path``; otherwise it is removed and
    ``path`` stays as it was. A folder that cannot be written or a full
    disk is a SotongError naming ``path``. ``mode``: the file's permissions
    before the umask (the owner's only; 0o666 for a page of the site, as
    the build writes them)."""
    path = Path(path)
    # named before it is made: a stop (Ctrl+C) the moment it is made still removes it
    temporary = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, mode))
        with opener(temporary, "wb") as out:
            yield out
        os.replace(temporary, path)
    except OSError as exc:
        if exc.filename is not None and Path(exc.filename) not in (path.parent, *path.parent.parents) \
                and Path(exc.filename).parent != path.parent:
            raise  # another file the block read or wrote
        raise SotongError([_("{path}: cannot write the file ({strerror}); write it to a folder with room that this user may write, and run the command again").format(
            path=path, strerror=os_reason(exc))]) from None
    finally:
        if os.path.lexists(temporary):
            os.unlink(temporary)


def replacing_text(path: str | os.PathLike, encoding: str = "utf-8", mode: int = 0o600):
    """:func:`replacing` for text such as a CSV: ``out`` is opened ``"w"``
    with ``encoding`` and without newline translation (the csv module's own)."""
    return replacing(path, lambda name, _mode: open(name, "w", encoding=encoding, newline=""), mode)


@contextmanager
def one_at_a_time(lock: Path, busy: str) -> Iterator[None]:
    """Inside, this process alone holds the lock file ``lock`` (made if
    missing; the system lets it go when the process ends, killed too, and
    its forked workers hold it with it); another process asking meanwhile is
    refused at once, SotongError ``busy``. The file holds the holder's pid."""
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SotongError([busy]) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
