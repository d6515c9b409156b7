"""How the preferences page shows a reader's stored email address and phone
number: masked, enough for their owner to recognize and no more (the page
opens by a link in every email, so a forwarded mail or a phone left on a
table shows it to whoever holds it). Pure functions."""

from __future__ import annotations

import re

STARS = "***"  # what stands for the hidden part of an address, whatever its length
PHONE_STARS = "****"  # the hidden middle of a number, three digits or four
_DIGIT = re.compile(r"[0-9]")


def kept_of_local(local: str) -> int:
    """How many first characters of an address's local part are shown: none
    of one character, one of two or three, two of a longer one; always
    fewer than it has, so something is hidden."""
    return 0 if len(local) <= 1 else 1 if len(local) <= 3 else 2


def masked_email(address: str) -> str:
    """``hong@example.com`` as ``ho***@example.com``: the first characters
    of the local part (:func:`kept_of_local`) and the whole domain (a Korean
    one as written); the rest of the local part, however long, as STARS
    (four stars when the rest is itself STARS, so the result is never the
    address). The domain follows the last @ (a quoted local part may hold one)."""
    local, at, domain = address.rpartition("@")
    if not at:
        local, domain = address, ""
    kept = kept_of_local(local)
    hidden = local[kept:]
    return local[:kept] + (STARS + "*" if hidden == STARS else STARS) + at + domain


def kept_digits(phone: str) -> tuple[str, str]:
    """The digits of ``phone`` shown (first, last): the carrier's three
    (010) and the last four of a mobile number (ten digits or more); the
    last four alone of a shorter one of eight or nine; none of a shorter one."""
    digits = "".join(_DIGIT.findall(phone))
    if len(digits) >= 10:
        return digits[:3], digits[-4:]
    return "", digits[-4:] if len(digits) >= 8 else ""


def masked_phone(phone: str) -> str:
    """``010-1234-5678`` as ``010-****-5678`` (:func:`kept_digits`), the
    middle's length hidden too; what is hidden is stars."""
    first, last = kept_digits(phone)
    return "-".join((first or "***", PHONE_STARS, last or PHONE_STARS))
