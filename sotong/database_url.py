"""Whether ``SOTONG_DB`` names a PostgreSQL database rather than a file: what
the settings (which make file paths absolute) and the store both ask, kept
apart so that reading the settings imports neither the store nor sqlite3."""

from __future__ import annotations

from pathlib import Path


def is_database_url(location: str | Path) -> bool:
    """Whether ``SOTONG_DB`` names a PostgreSQL database rather than a file."""
    return isinstance(location, str) and location.startswith(("postgresql://", "postgres://"))
