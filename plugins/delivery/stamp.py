"""What ``sotong send`` changes in an outbox's email as it hands it to the
mail server: its ``Date`` becomes that moment (RFC 5322, Asia/Seoul, +0900),
then the plugins' headers go on top (:func:`sotong.mail.seal_for`: the DKIM
signature, SPEC §14, which covers that Date). An issue bundled on Monday and
sent on Thursday showed in the readers' mail apps as Monday's, sorted below
newer mail. Everything else goes as bundled, byte for byte (Message-ID, the
headers' order, the body); the file in the outbox is not changed.

The Date is replaced on the bytes, where the bundles wrote it: parsing and
writing the message again with the email package would cost more than its
SMTP exchange. A message without a Date gets one at the end of its headers.
A signature put on by an earlier version, which signed as it bundled, is
taken off first: the new Date breaks it.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Callable
from zoneinfo import ZoneInfo

from sotong.mail import date_header, seal_for
from sotong.settings import SEOUL_TZ

SEOUL = ZoneInfo(SEOUL_TZ)
_HEADER_REST = rb"[^\r\n]*\r\n(?:[ \t][^\r\n]*\r\n)*"  # a header's value, its folded lines with it
_DATE = re.compile(rb"^Date:" + _HEADER_REST, re.IGNORECASE | re.MULTILINE)
_SIGNATURES = re.compile(rb"(?:DKIM-Signature:" + _HEADER_REST + rb")+", re.IGNORECASE)


def signatures_on_top(head: bytes) -> int:
    """The bytes of the DKIM-Signature headers at the start of ``head`` (an
    email's first bytes, CRLF line ends), which the send takes off: an outbox
    bundled by an earlier version carries one (0 when none, or when ``head``
    ends inside the first)."""
    signed = _SIGNATURES.match(head)
    return signed.end() if signed else 0


def dated(message: bytes, header: bytes) -> bytes:
    """``message`` (CRLF line ends) with its first Date header replaced by
    ``header`` (a whole ``Date: ...\\r\\n`` line), or ``header`` added at the
    end of its headers when it has none; the DKIM signatures on its top taken off."""
    message = message[signatures_on_top(message):]
    blank = message.find(b"\r\n\r\n")
    head_end = 0 if message.startswith(b"\r\n") else len(message) if blank < 0 else blank + 2
    found = _DATE.search(message, 0, head_end)
    if found is None:
        return message[:head_end] + header + message[head_end:]
    return message[:found.start()] + header + message[found.end():]


class Stamp:
    """``stamp(message)``: the message as it goes out now, dated and sealed;
    one for a run, shared by its connections. The Date line is made once a
    second (``clock``: seconds since the epoch)."""

    def __init__(self, settings: dict, clock: Callable[[], float] = time.time):
        self.seal = seal_for(settings)
        self.clock = clock
        self.made: tuple[int, bytes] = (-1, b"")  # (second, its Date line): one tuple, read and set whole

    def date_line(self) -> bytes:
        second = int(self.clock())
        made = self.made
        if made[0] != second:
            made = self.made = (second, date_header(dt.datetime.fromtimestamp(second, SEOUL)))
        return made[1]

    def __call__(self, message: bytes) -> bytes:
        return self.seal(dated(message, self.date_line()))
