"""The pixel size of a notice image (SVG, PNG, GIF or JPEG), read from its
header, so that the email can give every image its width and height."""

from __future__ import annotations

import re
import struct
from pathlib import Path

_SVG_LENGTH = re.compile(r"^\s*([0-9.]+)\s*(px)?\s*$")


def image_size(path: Path) -> tuple[int, int] | None:
    """(width, height) in pixels, or None when the file does not say."""
    try:
        head = path.read_bytes()[:65536] if path.suffix.lower() == ".svg" else _read_head(path)
    except OSError:
        return None
    if head.startswith(b"\x89PNG\r\n\x1a\n") and len(head) >= 24:
        return struct.unpack(">II", head[16:24])
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return struct.unpack("<HH", head[6:10])
    if head.startswith(b"\xff\xd8"):
        return _jpeg_size(path)
    if path.suffix.lower() == ".svg":
        return _svg_size(head.decode("utf-8", errors="replace"))
    return None


def _read_head(path: Path) -> bytes:
    with open(path, "rb") as file:
        return file.read(32)


def _jpeg_size(path: Path) -> tuple[int, int] | None:
    data = path.read_bytes()
    index = 2
    while index + 9 < len(data):
        if data[index] != 0xFF:
            return None
        marker = data[index + 1]
        length = struct.unpack(">H", data[index + 2:index + 4])[0]
        # start-of-frame markers carry the size; C4, C8 and CC are other tables
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[index + 5:index + 9])
            return width, height
        index += 2 + length
    return None


def _svg_size(text: str) -> tuple[int, int] | None:
    tag = re.search(r"<svg\b[^>]*>", text)
    if not tag:
        return None
    attributes = dict(re.findall(r'([\w:-]+)\s*=\s*"([^"]*)"', tag.group(0)))
    width, height = (_SVG_LENGTH.match(attributes.get(k, "")) for k in ("width", "height"))
    if width and height:
        return round(float(width.group(1))), round(float(height.group(1)))
    box = attributes.get("viewBox", "").replace(",", " ").split()
    if len(box) == 4:
        return round(float(box[2])), round(float(box[3]))
    return None
