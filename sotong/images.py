"""The pixel size of an image file, read from its header by ``imagesize``
(PNG, GIF, JPEG, WebP, SVG...): emails give every image its width and
height, so that the layout does not jump as the image loads, and so do the
site's pages (:func:`content_image_size`, the templates' ``image_size``
filter). And whether it moves (:func:`moves`: a GIF of several frames, an
animated PNG), which no mail app lets a reader stop, whatever the reader's
phone asks (``prefers-reduced-motion``): emails show only still pictures."""

from __future__ import annotations

import os
import struct

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


def email_image_size(path: str | os.PathLike, max_width: int) -> tuple[int, int] | None:
    """The size an image is shown at in an email (:func:`image_size`), or
    None when an email shows it not: a format not every mail client shows,
    a size its file does not tell, or a picture that moves (:func:`moves`),
    which no mail app lets a reader stop (WCAG 2.2.2; the Gmail app heeds no
    ``prefers-reduced-motion``). The notice's page, linked, shows it."""
    if os.path.splitext(path)[1].lower() not in EMAIL_IMAGE_SUFFIXES or moves(path):
        return None
    return image_size(path, max_width)


@jinja2.pass_context
def content_image_size(context, image: str | None) -> tuple[int, int] | None:
    """The templates' ``image_size`` filter: the (width, height) of an image
    named from content/ (``notice.image``; the folder is the page's ``PATH``),
    or None (then the page's ``<img>`` has neither, and its place grows when
    the image comes)."""
    return image_size(os.path.join(context["PATH"], image)) if image else None


def moves(path: str | os.PathLike) -> bool:
    """Whether the image at ``path`` is animated: a GIF with more than one
    frame, or a PNG with an animation control chunk of more than one frame
    (APNG). Read as little as that takes: the first bytes of a JPEG or an
    SVG, a PNG's chunk headers up to its image data, a GIF up to its second
    frame. A file that cannot be read, or of another kind, is still."""
    try:
        with open(path, "rb") as file:
            signature = file.read(8)
            if signature[:6] in (b"GIF87a", b"GIF89a"):
                return _gif_frames(file, signature) > 1
            return signature == b"\x89PNG\r\n\x1a\n" and _png_animated(file)
    except OSError:
        return False


def _gif_frames(file, signature: bytes, enough: int = 2) -> int:
    """How many image descriptors the GIF ``file`` (read past its first 8
    bytes, ``signature``) holds, counting up to ``enough``."""
    screen = signature[6:] + file.read(5)
    if len(screen) < 7:
        return 0
    if screen[4] & 0x80:  # a global colour table follows the screen descriptor
        file.seek(3 << ((screen[4] & 7) + 1), os.SEEK_CUR)
    frames = 0
    while frames < enough and (kind := file.read(1)) not in (b"", b"\x3b"):
        if kind == b"\x2c":  # an image: its descriptor, its local colour table, the LZW code size
            frames += 1
            descriptor = file.read(9)
            packed = descriptor[8] if len(descriptor) == 9 else 0
            file.seek((3 << ((packed & 7) + 1) if packed & 0x80 else 0) + 1, os.SEEK_CUR)
        elif kind == b"\x21":  # an extension: its label
            file.seek(1, os.SEEK_CUR)
        else:
            break
        while (size := file.read(1)) not in (b"", b"\0"):  # the data sub-blocks, up to the empty one
            file.seek(size[0], os.SEEK_CUR)
    return frames


def _png_animated(file) -> bool:
    """Whether the PNG ``file`` (read past its signature) has an acTL chunk
    of more than one frame before its image data."""
    while len(head := file.read(8)) == 8:
        length, kind = struct.unpack(">I4s", head)
        if kind == b"acTL":
            return int.from_bytes(file.read(4), "big") > 1
        if kind == b"IDAT":
            return False
        file.seek(length + 4, os.SEEK_CUR)
    return False
