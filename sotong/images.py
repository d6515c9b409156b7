"""The pixel size of an image file, read from its header by ``imagesize``
(PNG, GIF, JPEG, WebP, SVG...): emails give every image its width and
height, so that the layout does not jump as the image loads, and so do the
site's pages (:func:`content_image_size`, the templates' ``image_size``
filter)."""

from __future__ import annotations

import os

import imagesize
import jinja2

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
        width, height = max_width, height * max_width / width
    return round(width), round(height)  # an SVG's may have decimals


@jinja2.pass_context
def content_image_size(context, image: str | None) -> tuple[int, int] | None:
    """The templates' ``image_size`` filter: the (width, height) of an image
    named from content/ (``notice.image``; the folder is the page's ``PATH``),
    or None (then the page's ``<img>`` has neither, and its place grows when
    the image comes)."""
    return image_size(os.path.join(context["PATH"], image)) if image else None
