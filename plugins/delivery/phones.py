"""SMS opt-outs (수신거부): the numbers that replied "수신거부" to an SMS,
one a line in any format (as the import reads a phone cell), unsubscribed from SMS in the store
(``sms_unsubscribed_at``); other channels are left as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sotong.i18n import _
from sotong.problems import Problem
from sotong.subscribers import decode, spreadsheet_phone


@dataclass
class PhoneOptOuts:
    matched: list = field(default_factory=list)  # numbers found in the store
    unsubscribed: int = 0  # subscribers newly unsubscribed from SMS
    unknown: list = field(default_factory=list)  # numbers no subscriber has
    problems: list = field(default_factory=list)  # lines that are not mobile numbers


def mask_phone(phone: str) -> str:
    """010-1234-5678 -> 010-****-5678: enough for the office to recognise, no more."""
    prefix, middle, last = phone.split("-")
    return f"{prefix}-{'*' * len(middle)}-{last}"


def read_phone_list(text: str, shown: str) -> tuple[list[str], list[Problem]]:
    """The distinct numbers of the file, normalised, in file order; a line that
    is not a mobile number is a problem (blank lines and # comments are skipped)."""
    numbers, problems, seen = [], [], set()
    for number, line in enumerate(text.splitlines(), 1):
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        phone = spreadsheet_phone(entry)
        if phone is None:
            # the line is not repeated: a mistyped number is still someone's (as in the subscriber import)
            problems.append(Problem(shown, number, _("this line is not a Korean mobile number; write one number a line, like 010-1234-5678")))
        elif phone not in seen:
            seen.add(phone)
            numbers.append(phone)
    return numbers, problems


def unsubscribe_phones(store, path: Path, shown: str, when: str) -> PhoneOptOuts:
    numbers, problems = read_phone_list(decode(path.read_bytes(), shown), shown)
    result = PhoneOptOuts(problems=problems)
    with store.changes_from("sms-optout"), store.transaction() as db:
        for phone in numbers:
            known = db.execute("SELECT count(*) FROM subscribers WHERE phone = ?", (phone,)).fetchone()[0]
            if not known:
                result.unknown.append(phone)
                continue
            result.matched.append(phone)
            result.unsubscribed += db.execute(
                "UPDATE subscribers SET sms_unsubscribed_at = ? WHERE phone = ? AND sms_unsubscribed_at IS NULL",
                (when, phone)).rowcount
    return result
