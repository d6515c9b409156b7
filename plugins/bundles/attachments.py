"""check's rule for a private notice's attachments (SPEC §16 is silent on
them): the files travel inside every email that holds the notice, so their
total must pass the mail services residents use. Their paths and kinds are
checked where the notice is read (sotong.notices)."""

from __future__ import annotations

from pathlib import Path

from sotong.i18n import _
from sotong.mail import size_label
from sotong.problems import Problem

ATTACHMENTS_LIMIT = 10 * 1000 * 1000  # bytes of files an email may carry: Naver's and Daum's ordinary attachments


def attachment_problems(project) -> list[Problem]:
    """The ``sotong.signals.content_check`` receiver: a private notice whose
    files total more than :data:`ATTACHMENTS_LIMIT`. Read here, not where the
    notice is read (and cached): a file can grow with its name unchanged."""
    problems = []
    root = Path(project.settings["PATH"])
    for notice in project.read_notices()[0]:
        total = notice.attached_bytes(root)
        if total > ATTACHMENTS_LIMIT:
            problems.append(Problem(project.shown(notice.source), notice.lines.get("attachments", 1), _(
                "the attachments come to {size}, more than the {limit} mail services take in one email; save the "
                "file smaller (a PDF at a lower picture quality) or split it into notices").format(
                    size=_over(total), limit=size_label(ATTACHMENTS_LIMIT))))
    return problems


def _over(total: int) -> str:
    """A total over the limit, said so that it reads as more than the limit
    ("10,020KB", not "10MB" against "10MB")."""
    label = size_label(total)
    return f"{-(-total // 1000):,}KB" if label == size_label(ATTACHMENTS_LIMIT) else label
