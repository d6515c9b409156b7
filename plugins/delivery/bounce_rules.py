"""The rules of bounces (SPEC §14), as pure functions: whether a mail is a
bounce, and hard or soft; what a mail server's refusal during ``sotong send``
says about the recipient's address; and a reader's bounce score, as GNU
Mailman keeps it (a hard bounce 1, a soft one 0.5, at most one bounce a day
counts: the day's heaviest).
"""

from __future__ import annotations

import base64
import binascii
import logging
import quopri
import re
from dataclasses import dataclass
from email import message_from_bytes
from email.message import Message
from email.parser import BytesHeaderParser, HeaderParser
from email.policy import compat32
from email.utils import parseaddr
from typing import Iterable

HARD, SOFT = "hard", "soft"
WEIGHTS = {HARD: 1.0, SOFT: 0.5}
_STATUS = re.compile(r"\s*([245])\.(\d{1,3})\.(\d{1,3})(?!\d)")
# RFC 3463 subjects that speak of the recipient: X.1 addressing, X.2 the mailbox (but X.2.3: the message's length).
_RECIPIENT_SUBJECTS = frozenset({"1", "2"})
_MESSAGE_TOO_LONG = ("2", "3")
_BLANK_LINE = re.compile(rb"\r?\n[ \t]*\r?\n")
_BLANK_LINE_TEXT = re.compile(r"\r?\n[ \t]*\r?\n")
# RFC 3464's delivery report, and RFC 6533's of a message sent with SMTPUTF8 (to 홍길동@example.com)
DELIVERY_STATUS_TYPES = ("message/delivery-status", "message/global-delivery-status")
_AUTO_REPLY_SUBJECT = re.compile(r"out of (the )?office|auto(matic)?[ -]?(reply|response)|vacation|부재|자동\s*응답", re.I)
# flufl.bounce logs a detector's exception with its traceback before raising
# it, which verdict_of takes for "no bounce it knows": no traceback on the terminal.
logging.getLogger("flufl.bounce").setLevel(logging.CRITICAL)


@dataclass(frozen=True)
class Verdict:
    """What a mail says about the message it answers."""

    kind: str  # hard or soft
    status: str  # the DSN status, e.g. "5.1.1", or "" for a non-standard bounce
    reason: str  # the server's words (Diagnostic-Code), or what recognized it


def dsn_kind(action: str, status: str) -> str | None:
    """One RFC 3464 recipient block: ``delayed`` is soft; ``failed`` is hard
    unless its status is transient (4.x.x) or a full mailbox (x.2.2); any
    other action (delivered, relayed, expanded) is no bounce."""
    action = action.strip().lower()
    if action.startswith("delayed"):
        return SOFT
    if not action.startswith(("failed", "error")):
        return None
    match = _STATUS.match(status or "")
    if match and (match.group(1) == "4" or (match.group(2), match.group(3)) == ("2", "2")):
        return SOFT
    return HARD


def refusal_verdict(stage: str | None, code: int | None, text: str | None) -> Verdict | None:
    """What a mail server's refusal of a message during ``sotong send`` (the
    journal's failed row: the stage, the code and the text of the answer)
    says about the recipient's address, read as a DSN recipient block with
    Action ``failed`` and the answer's status (:func:`dsn_kind`: hard, but
    5.2.2 "mailbox full" soft; flufl.bounce takes every failed block for
    permanent); None when it says nothing about the address.

    - Only a permanent answer (5xx) to RCPT TO or to the DATA counts (MAIL
      FROM is about our sender, a 4xx is tried again).
    - An RFC 3463 enhanced status at the start of the text (RFC 2034)
      decides, at either stage: X.1.x (addressing) and X.2.x (the mailbox)
      speak of the recipient, except X.2.3 (the message too long); the other
      subjects (X.3 mail system, X.4 routing, X.5 protocol, X.6 content, X.7
      policy, e.g. our server on a blocklist) speak of the message or of us.
    - Without one, an answer to RCPT TO speaks of that recipient (RFC 5321
      3.3): hard, but 552 (storage exceeded) soft like 5.2.2; an answer to
      the DATA does not say whom it is about (a 550 there is as often the
      content), so it is not counted.
    """
    if stage not in ("rcpt", "data") or code is None or not 500 <= code < 600:
        return None
    enhanced = _STATUS.match(text or "")
    reason = f"{code} {text or ''}".strip()
    if enhanced and enhanced.group(1) != "2":
        if enhanced.group(2) not in _RECIPIENT_SUBJECTS or enhanced.group(2, 3) == _MESSAGE_TOO_LONG:
            return None
        status = ".".join(enhanced.group(1, 2, 3))
        return Verdict(dsn_kind("failed", status), status, reason)
    if stage != "rcpt":
        return None
    return Verdict(SOFT if code == 552 else HARD, "", reason)


def header(message: Message, name: str) -> str:
    """A header's text: compat32 gives a Header object, not a str, for one
    holding raw 8-bit bytes (a legacy EUC-KR mailer, a hostile sender)."""
    return str(message.get(name) or "")


def is_auto_reply(message: Message) -> bool:
    """A vacation or other automatic answer (RFC 3834 and the common habits)."""
    if header(message, "Auto-Submitted").strip().lower().startswith("auto-replied"):
        return True
    if any(message.get(name) for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress-Origin")):
        return True
    if header(message, "Precedence").strip().lower() == "auto_reply":
        return True
    return bool(_AUTO_REPLY_SUBJECT.search(header(message, "Subject")))


def from_mail_system(message: Message) -> bool:
    """Sent by a mail server about a message (MAILER-DAEMON, postmaster, or
    naming its failed recipients), as bounces are; auto-replies are sent by people's mailboxes."""
    if message.get("X-Failed-Recipients"):
        return True
    sender = parseaddr(header(message, "From"))[1].lower()
    return sender.partition("@")[0] in ("mailer-daemon", "postmaster", "mail-daemon")


def delivery_report(message: Message) -> list[Message] | None:
    """The recipient blocks of a multipart/report DSN, or None if it is not one.
    The email package reads an RFC 3464 report as its blocks, an RFC 6533
    one as a message: the per-message block its headers, the recipient blocks its text."""
    if message.get_content_type() != "multipart/report":
        return None
    for part in message.walk():
        if part.get_content_type() == "message/delivery-status" and _transfer_encoded(part):
            whole = part.as_bytes()  # the parser took the encoded text for a block
            return _status_blocks(part, whole[_BLANK_LINE.search(whole).end():])[1:]
        if part.get_content_type() == "message/delivery-status" and part.is_multipart():
            return list(part.get_payload())[1:]
        if part.get_content_type() == "message/global-delivery-status" and part.is_multipart():
            return _blocks((part.get_payload(0).get_payload(decode=True) or b"").decode("utf-8", "replace"))
    return None


def _blocks(text: str) -> list[Message]:
    """The header blocks of a delivery-status text, split at its blank lines."""
    return [HeaderParser(policy=compat32).parsestr(block) for block in _BLANK_LINE_TEXT.split(text.strip()) if block.strip()]


def report_blocks(data: bytes, head: Message) -> list[Message] | None:
    """The recipient blocks of a multipart/report DSN read from its bytes
    (``head``: its headers), without parsing its other parts — the returned
    message is often the largest, and parsing it costs most of the time;
    None when no delivery-status part is found."""
    boundary = head.get_boundary() if head.get_content_type() == "multipart/report" else None
    if not boundary:
        return None
    for part in data.split(b"\n--" + boundary.encode("ascii", "replace"))[1:]:  # no regex: a boundary is new each time
        split = _BLANK_LINE.search(part)
        if split is None:
            continue
        part_head = HeaderParser(policy=compat32).parsestr(part[:split.start()].decode("ascii", "replace").strip())
        if part_head.get_content_type() in DELIVERY_STATUS_TYPES:
            return _status_blocks(part_head, part[split.end():])[1:]
    return None


def _transfer_encoded(part: Message) -> bool:
    """A part sent in base64 or quoted-printable: against RFC 3464 for a
    delivery-status, but as some Korean mail servers send theirs."""
    return header(part, "Content-Transfer-Encoding").strip().lower() in ("base64", "quoted-printable")


def _status_blocks(head: Message, body: bytes) -> list[Message]:
    """The header blocks of a delivery-status part's body, decoded first
    when its headers ``head`` say it was transfer-encoded."""
    encoding = header(head, "Content-Transfer-Encoding").strip().lower()
    try:
        if encoding == "base64":
            body = base64.b64decode(re.sub(rb"[^A-Za-z0-9+/=]", b"", body.partition(b"\n--")[0]))
        elif encoding == "quoted-printable":
            body = quopri.decodestring(body)
    except binascii.Error:  # not base64 after all: read as it is, and most likely no block is found
        pass
    return _blocks(body.decode("utf-8", "replace"))


def verdict_of_bytes(data: bytes) -> tuple[Verdict | None, Message]:
    """:func:`verdict_of` a raw mail, and its headers: a DSN is read from its
    bytes, an auto-reply from its headers; only other mail is parsed whole."""
    end = _BLANK_LINE.search(data)
    head = BytesHeaderParser(policy=compat32).parsebytes(data[:end.start()] if end else data)
    blocks = report_blocks(data, head)
    if blocks is not None:
        return dsn_verdict(blocks), head
    if is_auto_reply(head) and not from_mail_system(head):
        return None, head
    try:
        return verdict_of(message_from_bytes(data, policy=compat32)), head
    except RecursionError:  # parts nested past Python's stack: no mail server's bounce, but anyone may send it
        return None, head


def dsn_verdict(blocks: list[Message]) -> Verdict | None:
    """The heaviest verdict of a DSN's recipient blocks."""
    found = []
    for block in blocks:
        status = header(block, "Status").strip()
        kind = dsn_kind(header(block, "Action"), status)
        if kind:
            code = _STATUS.match(status)  # the code alone: the rest is the sender's, and may be anything
            reason = " ".join(header(block, "Diagnostic-Code").split())
            found.append(Verdict(kind, ".".join(code.groups()) if code else "", reason.partition(";")[2].strip() or reason))
    return max(found, key=lambda v: WEIGHTS[v.kind], default=None)


def verdict_of(message: Message) -> Verdict | None:
    """The bounce ``message`` reports, or None when it is no bounce (an
    auto-reply, a delivery receipt, a person's answer)."""
    blocks = delivery_report(message)
    if blocks is not None:
        return dsn_verdict(blocks)
    if is_auto_reply(message) and not from_mail_system(message):
        return None
    from flufl.bounce import all_failures

    try:
        temporary, permanent = all_failures(message)
    except Exception:  # its detectors trip over some mail (raw 8-bit headers); such mail is no bounce it knows
        return None
    if permanent:
        return Verdict(HARD, "", "non-standard bounce: permanent failure")
    if temporary:
        return Verdict(SOFT, "", "non-standard bounce: temporary failure")
    return None


def bounce_score(bounces: Iterable[tuple[str, str]]) -> float:
    """The score of (day, kind) bounces: each day counts once, by its heaviest bounce."""
    by_day: dict[str, float] = {}
    for day, kind in bounces:
        by_day[day] = max(by_day.get(day, 0.0), WEIGHTS[kind])
    return sum(by_day.values())
