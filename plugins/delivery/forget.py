"""A forgotten person (``signals.person_forgotten``) leaves every outbox no
``sotong send`` has started: their manifest lines, ``sms.csv`` rows and email
files. An outbox whose sending started is the delivery record (the journal
counts its messages under an anonymous id) and stays as it is."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from sotong import spreadsheet
from sotong.atomic import replacing_text
from sotong.i18n import _
from sotong.problems import SotongError

from .commands import send_lock
from .outbox import sms_csv_text


def forget_in_outboxes(project, subscriber_id: str, **_contacts) -> dict[str, int]:
    """Receiver of ``person_forgotten``: ``{"unsent outboxes' messages": n}``.
    Every unsent outbox's sms.csv is read before any is changed: one that is
    neither UTF-8 nor CP949 stops forget (SotongError naming it) with nothing
    changed, so that it can run again once the file is mended or removed."""
    root = Path(project.settings["OUTBOX_PATH"])
    removed = 0
    with contextlib.ExitStack() as locks:
        unsent = []
        for folder in sorted(path.parent for path in root.glob("*/manifest.jsonl")) if root.is_dir() else ():
            try:
                locks.enter_context(send_lock(project, folder.name))  # no send of it starts meanwhile (SQLite)
            except SotongError:  # a send of this outbox is running: it is the delivery record
                continue
            if folder.name not in _started_outboxes(project.store):
                unsent.append((folder, _sms_text(folder / "sms.csv", project.shown)))
        for folder, sms in unsent:
            removed += drop_from_outbox(folder, subscriber_id, sms)
    return {_("unsent outboxes' messages"): removed}


def _started_outboxes(store) -> set[str]:
    if "delivery_messages" not in store.tables():
        return set()
    return {row[0] for row in store.db.execute("SELECT DISTINCT outbox FROM delivery_messages")}


def _sms_text(path: Path, shown) -> tuple[str, str] | None:
    return sms_csv_text(path, shown) if path.is_file() else None


def drop_from_outbox(folder: Path, subscriber_id: str, sms: tuple[str, str] | None) -> int:
    """The reader's messages out of the outbox ``folder`` (``sms``: the text of
    its sms.csv and its encoding, or None); their count. sms.csv first (it
    goes to the agency whole), then the email files, then the manifest: a
    crash between leaves a manifest line without its SMS row or its file,
    which send refuses, and by which forget run again finds the rest."""
    if sms is not None:
        _drop_sms_rows(folder / "sms.csv", subscriber_id, *sms)
    manifest = folder / "manifest.jsonl"
    lines = [(line, _manifest_record(line)) for line in manifest.read_text(encoding="utf-8").splitlines(keepends=True)]
    theirs = [record for _line, record in lines if record.get("id") == subscriber_id]
    if not theirs:
        return 0
    for record in theirs:
        file = record.get("file")
        path = (folder / file).resolve() if isinstance(file, str) and file else None
        if path is not None and path.is_relative_to(folder.resolve()):
            path.unlink(missing_ok=True)
    with replacing_text(manifest) as out:
        out.write("".join(line for line, record in lines if record.get("id") != subscriber_id))
    return len(theirs)


def _manifest_record(line: str) -> dict:
    """A manifest line's object; {} for a line that is not one (kept as it is)."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError:
        return {}
    return data if isinstance(data, dict) else {}


def _drop_sms_rows(path: Path, subscriber_id: str, text: str, encoding: str) -> None:
    kept, dropped = spreadsheet.without_records(text, lambda cells: spreadsheet.restored(cells[0]) == subscriber_id)
    if dropped:
        with replacing_text(path, encoding) as out:
            out.write(kept)
