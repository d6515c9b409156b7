"""Return paths (SPEC §14, VERP): each email's envelope sender names its
reader and its bundle, with a tag only ``SOTONG_SECRET`` can make, so that a
bounce arriving days later can be attributed and a forged one ignored::

    bounces+S000123.2026-11-26.k2v7x4c1q9ab3zd0@sd.go.kr

A character that an address's local part cannot hold plainly (or the ``.``
that separates the parts) is written ``=XX`` per UTF-8 byte.

Some mail servers lower-case the local part on the way back (Dovecot's
``auth_username_format = %Lu``): ``bounces+s000123.2026-11-26.TAG``. The tag
is lower-case base32 and compared in any case, but the id and the bundle
no longer match it as read; the reader is then given the stored spellings
of each (the store's subscriber ids and outboxes whose lower case it is)
and accepts the first pair the tag verifies, so ``S1`` and ``s1`` are never
taken for each other and a forged tag still reads as nobody.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from sotong.tokens import short_tag, tag_matches

PURPOSE = "return-path"
TAG_LENGTH = 16
_PLAIN = re.compile(r"[A-Za-z0-9_-]")
_ESCAPED = re.compile(r"=([0-9A-Fa-f]{2})")
# A text as read, lower-cased -> the stored texts it may stand for (their lower case is it).
Spellings = Callable[[str], Iterable[str]]


def no_spellings(_lowered: str) -> Iterable[str]:
    return ()


@dataclass(frozen=True)
class Known:
    """The stored spellings a lower-cased return path's parts may stand for."""
    ids: Spellings = no_spellings
    outboxes: Spellings = no_spellings


@dataclass(frozen=True)
class ReturnPath:
    subscriber_id: str
    outbox: str  # the bundle: an issue date or a notice slug


def _escape(text: str) -> str:
    return "".join(c if _PLAIN.match(c) else "".join(f"={b:02X}" for b in c.encode()) for c in text)


def _unescape(text: str) -> str | None:
    """The text :func:`_escape` wrote, or None when it is not such a text."""
    if not all(_PLAIN.match(c) for c in _ESCAPED.sub("", text)):
        return None
    data, position = bytearray(), 0
    for match in _ESCAPED.finditer(text):
        data += text[position:match.start()].encode()
        data.append(int(match.group(1), 16))
        position = match.end()
    data += text[position:].encode()
    try:
        return data.decode()
    except UnicodeDecodeError:
        return None


def _payload(subscriber_id: str, outbox: str) -> str:
    return f"{subscriber_id}\0{outbox}"


def make_return_path(bounce_address: str, subscriber_id: str, outbox: str) -> str:
    """The envelope sender for ``subscriber_id``'s message of ``outbox``."""
    local, _, domain = bounce_address.rpartition("@")
    tag = short_tag(PURPOSE, _payload(subscriber_id, outbox), length=TAG_LENGTH)
    return f"{local}+{_escape(subscriber_id)}.{_escape(outbox)}.{tag}@{domain}"


def read_return_path(bounce_address: str, address: str, known: Known = Known()) -> ReturnPath | None:
    """Whom and which bundle ``address`` names, when it is a return path made
    by :func:`make_return_path` with this secret; None for any other address,
    a damaged one or a forged tag. When the id and bundle as read do not
    match the tag (a server lower-cased them), their stored spellings
    (``known``) are tried, each against the tag."""
    local, _, domain = bounce_address.rpartition("@")
    given_local, _, given_domain = address.strip().strip("<>").rpartition("@")
    prefix = f"{local}+"
    if given_domain.lower() != domain.lower() or not given_local.lower().startswith(prefix.lower()):
        return None
    parts = given_local[len(prefix):].split(".")
    if len(parts) != 3:
        return None
    subscriber_id, outbox = _unescape(parts[0]), _unescape(parts[1])
    if not subscriber_id or not outbox:
        return None
    for stored_id in _spelled(subscriber_id, known.ids):
        for stored_outbox in _spelled(outbox, known.outboxes):
            if tag_matches(PURPOSE, _payload(stored_id, stored_outbox), parts[2]):
                return ReturnPath(stored_id, stored_outbox)
    return None


def _spelled(read: str, spellings: Spellings) -> Iterator[str]:
    """``read`` as it is, then (asked only when that did not match) the stored texts it may be a lower-cased form of."""
    yield read
    yield from (stored for stored in spellings(read.lower()) if stored != read)
