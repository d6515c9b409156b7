"""A cache file of named entries (bytes), one SQLite row each: read whole,
saved by the entries that changed (and without those that are gone) in one
transaction, so that a build killed while saving leaves the last complete
save. Pelican's content cache (sotong.pelican_cache) and the notice cache
(sotong.notice_cache) are kept this way."""

from __future__ import annotations

import os
from contextlib import closing
from typing import Iterable


def _open(path: str | os.PathLike):
    import sqlite3

    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("CREATE TABLE IF NOT EXISTS entries (name TEXT PRIMARY KEY, data BLOB NOT NULL)")
    return connection


def read_rows(path: str | os.PathLike) -> dict[str, bytes]:
    """Every entry of the file at ``path`` (none if there is no file);
    sqlite3.DatabaseError if it is not a database (a file cut short)."""
    if not os.path.exists(path):
        return {}
    with closing(_open(path)) as connection:
        return dict(connection.execute("SELECT name, data FROM entries"))


def save_rows(path: str | os.PathLike, changed: dict[str, bytes], gone: Iterable[str] = (), *, clear: bool = False) -> None:
    """Write ``changed`` entries and delete the ``gone`` ones (every other
    entry too, if ``clear``) in one transaction."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with closing(_open(path)) as connection:
        connection.execute("BEGIN IMMEDIATE")
        if clear:
            connection.execute("DELETE FROM entries")
        connection.executemany("DELETE FROM entries WHERE name = ?", [(name,) for name in gone])
        connection.executemany("INSERT OR REPLACE INTO entries (name, data) VALUES (?, ?)", sorted(changed.items()))
        connection.execute("COMMIT")


def discard(path: str | os.PathLike) -> None:
    """Remove the file (and a journal a killed save left)."""
    for leftover in (str(path), f"{path}-journal"):
        try:
            os.unlink(leftover)
        except OSError:
            pass
