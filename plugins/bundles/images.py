"""Notice images in emails: which formats every mail client shows (their
size is read by :func:`sotong.images.image_size`), and check's rule for
private notices' images, which only emails carry."""

from __future__ import annotations

from pathlib import Path

from sotong.advice import moving_picture_warning
from sotong.i18n import _
from sotong.images import EMAIL_IMAGE_SUFFIXES, image_size, moves
from sotong.problems import Problem


def private_image_problems(project) -> list[Problem]:
    """The ``sotong.signals.content_check`` receiver: a private notice's
    image travels inside its emails (SPEC §16) and is on no page, so it must
    be one every mail client shows, with its size in its header, and still
    (emails leave out a picture that moves)."""
    problems = []
    for notice in project.read_notices()[0]:
        if not (notice.private and notice.image):
            continue
        path = Path(project.settings["PATH"]) / notice.image
        if moves(path):
            problems.append(Problem(project.shown(notice.source), notice.lines.get("image", 1), _(
                "a private notice's image goes inside its emails, where a moving picture cannot be stopped by "
                "its reader; save a still picture of {image} as .png or .jpg").format(image=notice.image)))
        elif path.suffix.lower() not in EMAIL_IMAGE_SUFFIXES or image_size(path) is None:
            problems.append(Problem(project.shown(notice.source), notice.lines.get("image", 1), _(
                "a private notice's image goes inside its emails, where only PNG, JPEG or GIF show everywhere "
                "and it is on no page; save {image} as .png or .jpg").format(image=notice.image)))
    return problems


def moving_image_warnings(project) -> list[str]:
    """The ``sotong.signals.content_warnings`` receiver: a published notice
    whose picture moves (:func:`sotong.advice.moving_picture_warning`),
    which its emails leave out and which moves on its page."""
    root = Path(project.settings["PATH"])
    return [f"{project.shown(notice.source)}:{notice.lines.get('image', 1)}: {warning}"
            for notice in project.published_notices if notice.image and not notice.private
            and (warning := moving_picture_warning(root / notice.image, notice.image))]
