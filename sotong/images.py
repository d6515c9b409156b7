"""The pixel size of an image file, read from its header by ``imagesize``
(PNG, GIF, JPEG, WebP, SVG...): emails give every image its width and
height, so that the layout does not jump as the image loads."""

from __future__ import annotations

import os

import imagesize

# The formats every mail client shows: Gmail on the web shows no SVG
# (caniemail: image-svg), and WebP not everywhere (Outlook for Windows).
EMAIL_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif")


def image_size(path: str | os.PathLike, max_width: int | None = None) -> tuple[int, int] | None:
    """(width, height) in pixels, scaled down to ``max_width`` keeping the
    proportions; None when the file is missing or does not say its size."""
    try:
        width, height = imagesize.get(os.fspath(path))
    except (OSError, ValueError):
        return None
    if width <= 0 or height <= 0:
        return None
    if max_width and width > max_width:
        width, height = max_width, round(height * max_width / width)
    return width, height
