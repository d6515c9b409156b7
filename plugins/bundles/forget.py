"""A forgotten person (``signals.person_forgotten``) leaves
``PRIVATE_PATH/preview/``: the files ``sotong preview --subscriber ID``
wrote of them (``ID-DAY.eml``, ``.html``, ``.sms.txt``); and so does one
whose data a retention purge destroyed (``signals.people_purged``)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

from sotong.i18n import _
from sotong.dates import ISO_DAY

from .outbox import eml_name

PREVIEW = re.compile(rf"(?P<stem>.+)-{ISO_DAY.pattern}\.(eml|html|sms\.txt)", re.ASCII)  # of a reader (or a persona)


def forget_previews(project, subscriber_id: str, **_contacts) -> dict[str, int]:
    """Receiver of ``person_forgotten``: ``{"previews": n}`` files removed."""
    folder = Path(project.settings["PRIVATE_PATH"]) / "preview"
    stem = eml_name(subscriber_id)[:-len(".eml")]
    removed = 0
    for path in sorted(folder.iterdir()) if folder.is_dir() else ():
        if (match := PREVIEW.fullmatch(path.name)) and match["stem"] == stem:
            path.unlink()
            removed += 1
    return {_("previews"): removed}


def purge_previews(project, **_unused) -> dict[str, int]:
    """Receiver of ``people_purged``: ``{"previews": n}`` files removed, of
    the readers whose row the store keeps only as their id and unsubscribe
    time (a persona's previews, and a subscriber's, stay)."""
    folder = Path(project.settings["PRIVATE_PATH"]) / "preview"
    files: dict[str, list[Path]] = {}
    for path in sorted(folder.iterdir()) if folder.is_dir() else ():
        if match := PREVIEW.fullmatch(path.name):
            files.setdefault(unquote(match["stem"]), []).append(path)
    if not files:
        return {}
    store = project.store
    by_id, ids = store.one_of("id", sorted(files))
    purged = [row[0] for row in store.db.execute(
        f"SELECT id FROM subscribers WHERE {by_id} AND unsubscribed_at IS NOT NULL AND email IS NULL AND phone IS NULL", ids)]
    for subscriber_id in purged:
        for path in files[subscriber_id]:
            path.unlink(missing_ok=True)
    return {_("previews"): sum(len(files[subscriber_id]) for subscriber_id in purged)}
