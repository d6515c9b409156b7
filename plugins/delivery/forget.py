"""A forgotten person (``signals.person_forgotten``) leaves every outbox no
``sotong send`` has started: their manifest lines, ``sms.csv`` rows and email
files. An outbox whose sending started is the delivery record (the journal
counts its messages under an anonymous id) and stays as it is."""

from __future__ import annotations

import json
from pathlib import Path

from sotong import spreadsheet
from sotong.atomic import replacing_text
from sotong.i18n import _
from sotong.problems import SotongError

from .commands import send_lock


def forget_in_outboxes(project, subscriber_id: str, **_contacts) -> dict[str, int]:
    """Receiver of ``person_forgotten``: ``{"unsent outboxes' messages": n}``."""
    root = Path(project.settings["OUTBOX_PATH"])
    removed = 0
    for folder in sorted(path.parent for path in root.glob("*/manifest.jsonl")) if root.is_dir() else ():
        try:
            with send_lock(project, folder.name):  # no send of it starts meanwhile (SQLite)
                if folder.name not in _started_outboxes(project.store):
                    removed += drop_from_outbox(folder, subscriber_id)
        except SotongError:  # a send of this outbox is running: it is the delivery record
            continue
    return {_("unsent outboxes' messages"): removed}


def _started_outboxes(store) -> set[str]:
    if "delivery_messages" not in store.tables():
        return set()
    return {row[0] for row in store.db.execute("SELECT DISTINCT outbox FROM delivery_messages")}


def drop_from_outbox(folder: Path, subscriber_id: str) -> int:
    """The reader's messages out of the outbox ``folder``; their count. sms.csv
    first (it goes to the agency whole), then the manifest (a crash between
    leaves a manifest line without its SMS row, which send refuses), then
    the email files."""
    _drop_sms_rows(folder / "sms.csv", subscriber_id)
    manifest = folder / "manifest.jsonl"
    lines = manifest.read_text(encoding="utf-8").splitlines(keepends=True)
    theirs = [line for line in lines if _manifest_id(line) == subscriber_id]
    if not theirs:
        return 0
    with replacing_text(manifest) as out:
        out.write("".join(line for line in lines if _manifest_id(line) != subscriber_id))
    for line in theirs:
        file = json.loads(line).get("file")
        path = (folder / file).resolve() if isinstance(file, str) and file else None
        if path is not None and path.is_relative_to(folder.resolve()):
            path.unlink(missing_ok=True)
    return len(theirs)


def _manifest_id(line: str) -> str | None:
    try:
        data = json.loads(line)
    except json.JSONDecodeError:
        return None
    return data.get("id") if isinstance(data, dict) else None


def _drop_sms_rows(path: Path, subscriber_id: str) -> None:
    if not path.is_file():
        return
    raw = path.read_bytes()
    try:
        encoding, text = "utf-8", raw.decode("utf-8")
    except UnicodeDecodeError:
        encoding, text = "cp949", raw.decode("cp949")
    kept, dropped = spreadsheet.without_records(text, lambda cells: spreadsheet.restored(cells[0]) == subscriber_id)
    if dropped:
        with replacing_text(path, encoding) as out:
            out.write(kept)
