"""check's rule for a private notice's files (SPEC §16 is silent on them):
its attachments and its picture travel inside every email that holds the
notice, in base64, a third larger than on disk, so the email they make must
pass the office's mail server (``SMTP_SIZE_LIMIT``; 10MB of files were 13.7MB
as sent, which Postfix's default refuses). Their paths and kinds are checked
where the notice is read (sotong.notices)."""

from __future__ import annotations

from pathlib import Path

from sotong.i18n import _
from sotong.mail import base64_size, size_label, size_labels_apart
from sotong.mail_server import size_limit
from sotong.problems import Problem

from .compose import HTML_LIMIT

PART_HEAD = 400  # bytes of a file's part headers and boundary (a Korean name is written twice)
# Bytes of the rest of an email, at most: its headers (a DKIM signature among them), the parts' headers
# and boundaries, a calendar file; its HTML and its text are counted apart.
MESSAGE_HEAD = 8_000
# Bytes a link of the notice's text may grow by in each part of its email, at most: made the site's full
# address (its Korean percent-encoded), or followed by it in the text part.
LINK_ROOM = 2_000


def attachment_problems(project) -> list[Problem]:
    """The ``sotong.signals.content_check`` receiver: a private notice whose
    email, with its files, is larger than the mail server takes. Read here,
    not where the notice is read (and cached): a file can grow with its name
    unchanged."""
    problems = []
    root, limit = Path(project.settings["PATH"]), size_limit(project.settings)
    for notice in project.read_notices()[0]:
        files = carried_files(notice, root)
        if files and (size := email_size(notice, files, project.renderer.text_html(notice.body))) > limit:
            size_said, limit_said = size_labels_apart(size, limit)
            problems.append(Problem(project.shown(notice.source), notice.lines.get(
                "attachments" if notice.attachments else "image", 1), _(
                "its email will be about {size} as sent, more than the {limit} the mail server takes "
                "(SMTP_SIZE_LIMIT), which would refuse it: its files ({files} in all) grow by a third inside an "
                "email (base64); save them smaller (a PDF at a lower picture quality), split them over several "
                "notices, or put them where only its readers can download them and give that link in the text").format(
                    size=size_said, limit=limit_said, files=size_label(sum(files)))))
    return problems


def carried_files(notice, root: Path) -> list[int]:
    """The bytes of each file a private notice's emails carry (its
    attachments and its picture), those that are there (under ``root``)."""
    return notice.file_sizes(root, with_image=True) if notice.private else []


def email_size(notice, files: list[int], html: str) -> int:
    """About how many bytes the email holding ``notice`` alone makes as sent,
    never fewer: ``files`` (their bytes) in base64, each with its part's
    headers; its HTML at the most it may be (the room of HTML_LIMIT and, as
    a private notice is never cut to a link, past it its text as HTML) and
    its text, both in base64 with room for each link's full address; and
    the rest of the message. ``html``: its text as its email holds it,
    rendered with the project's MARKDOWN (nl2br's breaks, an extension's
    links, are bytes and links of the email too)."""
    links = html.count("href=") * LINK_ROOM
    return (sum(base64_size(size) + PART_HEAD for size in files) + base64_size(HTML_LIMIT + len(html.encode()) + links)
            + base64_size(len(notice.body.encode()) + links) + MESSAGE_HEAD)

