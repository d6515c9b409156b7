"""A forgotten person (``signals.person_forgotten``) leaves
``PRIVATE_PATH/preview/``: the files ``sotong preview --subscriber ID``
wrote of them (``ID-DAY.eml``, ``.html``, ``.sms.txt``)."""

from __future__ import annotations

import re
from pathlib import Path

from sotong.i18n import _

from .outbox import eml_name


def forget_previews(project, subscriber_id: str, **_contacts) -> dict[str, int]:
    """Receiver of ``person_forgotten``: ``{"previews": n}`` files removed."""
    folder = Path(project.settings["PRIVATE_PATH"]) / "preview"
    stem = eml_name(subscriber_id)[:-len(".eml")]
    theirs = re.compile(re.escape(stem) + r"-\d{4}-\d{2}-\d{2}\.(eml|html|sms\.txt)")
    removed = 0
    for path in sorted(folder.iterdir()) if folder.is_dir() else ():
        if theirs.fullmatch(path.name):
            path.unlink()
            removed += 1
    return {_("previews"): removed}
