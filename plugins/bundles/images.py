"""Notice images in emails: which formats every mail client shows, and the
pixel size of an image (PNG, GIF or JPEG), read from its header, so that the
email can give every image its width and height."""

from __future__ import annotations

import struct
from pathlib import Path

# Gmail on the web shows no SVG (caniemail: image-svg), nor WebP everywhere.
EMAIL_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif")


def image_size(path: Path) -> tuple[int, int] | None:
    """(width, height) in pixels, or None when the file does not say."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        return struct.unpack(">II", data[16:24])
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        return struct.unpack("<HH", data[6:10])
    if data.startswith(b"\xff\xd8"):
        return _jpeg_size(data)
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    index = 2
    while index + 9 < len(data):
        if data[index] != 0xFF:
            return None
        marker = data[index + 1]
        # start-of-frame markers carry the size; C4, C8 and CC are other tables
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[index + 5:index + 9])
            return width, height
        index += 2 + struct.unpack(">H", data[index + 2:index + 4])[0]
    return None
