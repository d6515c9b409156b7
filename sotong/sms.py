"""The text of one SMS or LMS (SPEC §6): its length in CP949 bytes, its type,
and its composition from a header, one line per notice and the opt-out
footer, dropping from the end the notices that do not fit.

Pure functions; the bundles decide which notices a reader gets.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import accumulate

SMS_MAX_BYTES = 90
LMS_MAX_BYTES = 2000


def byte_length(text: str) -> int:
    """The length carriers count: CP949 bytes (Hangul 2, ASCII 1)."""
    return len(text.encode("cp949", errors="replace"))


def displayable(text: str) -> str:
    """``text`` as a phone shows it: characters outside CP949 become '?'."""
    return text.encode("cp949", errors="replace").decode("cp949")


def message_type(byte_count: int) -> str:
    """``SMS`` up to 90 bytes, ``LMS`` above (up to 2,000)."""
    return "SMS" if byte_count <= SMS_MAX_BYTES else "LMS"


def notice_line(text: str, link: str) -> str:
    """One notice in a message: its SMS text and its short link."""
    return f"{' '.join(text.split())} {link}"


def more_line(count: int, link: str) -> str:
    """What stands for the notices that did not fit."""
    return f"외 {count}건은 홈페이지에서 확인하세요 {link}"


@dataclass(frozen=True)
class SmsText:
    text: str
    bytes: int
    type: str  # SMS or LMS
    shown: int  # notice lines kept
    dropped: int  # notice lines dropped from the end


def compose_sms(header: str, lines: list[str], footer: str, more_link: str) -> SmsText:
    """Header, the notice lines that fit in an LMS, the count of the rest, footer.

    The longest prefix of ``lines`` that fits in LMS_MAX_BYTES is kept; the
    dropped ones are counted in a ``more_line`` pointing at ``more_link``.
    """
    lines = [displayable(line) for line in lines]
    header, footer = displayable(header), displayable(footer)
    count = len(lines)
    # every line but the footer ends in a newline: one byte each
    prefix = list(accumulate((byte_length(line) + 1 for line in lines), initial=0))
    fixed = byte_length(header) + 1 + byte_length(footer)

    def size_keeping(kept: int) -> int:
        rest = count - kept
        return fixed + prefix[kept] + (byte_length(more_line(rest, more_link)) + 1 if rest else 0)

    kept = next((k for k in range(count, 0, -1) if size_keeping(k) <= LMS_MAX_BYTES), 0)
    body = [header, *lines[:kept]]
    if kept < len(lines):
        body.append(more_line(len(lines) - kept, more_link))
    text = "\n".join([*body, footer])
    size = byte_length(text)
    return SmsText(text=text, bytes=size, type=message_type(size), shown=kept, dropped=len(lines) - kept)
