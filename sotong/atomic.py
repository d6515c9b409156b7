"""Writing a file so that a crash at any moment leaves the old file or the
new one, never a part of it: the new bytes go to a temporary file beside it,
which replaces it with one rename once complete."""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from .i18n import _
from .problems import SotongError


@contextmanager
def replacing(path: str | os.PathLike, opener: Callable = open) -> Iterator:
    """``with replacing(path) as out: out.write(...)``: ``out`` is a temporary
    file opened ``"wb"`` with ``opener`` (e.g. gzip.open); when the block ends
    without an error it replaces ``path``; otherwise it is removed and
    ``path`` stays as it was. A folder that cannot be written or a full
    disk is a SotongError naming ``path``."""
    path = Path(path)
    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        os.close(handle)
        with opener(temporary, "wb") as out:
            yield out
        os.replace(temporary, path)
    except OSError as exc:
        if exc.filename is not None and Path(exc.filename) not in (path.parent, *path.parent.parents) \
                and Path(exc.filename).parent != path.parent:
            raise  # another file the block read or wrote
        raise SotongError([_("{path}: cannot write the file ({strerror}); write it to a folder with room that this user may write, and run the command again").format(
            path=path, strerror=exc.strerror or exc)]) from None
    finally:
        if temporary is not None and os.path.exists(temporary):
            os.unlink(temporary)


def replacing_text(path: str | os.PathLike, encoding: str = "utf-8"):
    """:func:`replacing` for text such as a CSV: ``out`` is opened ``"w"``
    with ``encoding`` and without newline translation (the csv module's own)."""
    return replacing(path, lambda name, _mode: open(name, "w", encoding=encoding, newline=""))
