"""Notice images in emails: which formats every mail client shows (their
size is read by :func:`sotong.images.image_size`), and check's rule for
private notices' images, which only emails carry."""

from __future__ import annotations

from pathlib import Path

from sotong.i18n import _
from sotong.images import EMAIL_IMAGE_SUFFIXES, image_size
from sotong.problems import Problem


def private_image_problems(project) -> list[Problem]:
    """The ``sotong.signals.content_check`` receiver: a private notice's
    image travels inside its emails (SPEC §16) and is on no page, so it must
    be one every mail client shows, with its size in its header."""
    problems = []
    for notice in project.read_notices()[0]:
        if not (notice.private and notice.image):
            continue
        path = Path(project.settings["PATH"]) / notice.image
        if path.suffix.lower() not in EMAIL_IMAGE_SUFFIXES or image_size(path) is None:
            problems.append(Problem(project.shown(notice.source), notice.lines.get("image", 1), _(
                "a private notice's image goes inside its emails, where only PNG, JPEG or GIF show everywhere "
                "and it is on no page; save {image} as .png or .jpg").format(image=notice.image)))
    return problems
