"""The text of one SMS or LMS (SPEC §6): its length in CP949 bytes, its type,
and its composition from a header, one line per notice and the opt-out
footer, dropping from the end the notices that do not fit; the cheaper SMS
whenever the text can be one. Also what texts cost: the settings SMS_PRICE,
LMS_PRICE, SMS_POLICY, SHORT_LINK_BASE and SMS_OPTOUT_FOOTER, and the count and cost of a
bundle's messages by type (for ``sotong bundles``, ``reach`` and reports).

Pure functions; the bundles decide which notices a reader gets.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from itertools import accumulate
from typing import Iterable

from .i18n import _
from .settings import Check, SettingsProblems, rule, validated

SMS_MAX_BYTES = 90
LMS_MAX_BYTES = 2000


def byte_length(text: str) -> int:
    """The length carriers count: CP949 bytes (Hangul 2, ASCII 1)."""
    return len(text.encode("cp949", errors="replace"))


# what shows as nothing: a zero-width space, a BOM, an emoji's variation selector, a combining mark
INVISIBLE_CATEGORIES = ("Cc", "Cf", "Cn", "Co", "Cs", "Me", "Mn", "Zl", "Zp", "Zs")


# in CP949, yet shown as nothing (or as a stray hyphen), 2 of an SMS's 90 bytes each: the soft hyphen, and
# the Hangul filler (ㅤ, pasted as a blank that is no space: in nicknames, in posts copied from social media)
HIDDEN_IN_CP949 = "\u00ad\u3164"
# letters that show as nothing: the Hangul fillers (one in CP949, the others not), named by their code
BLANK_LETTERS = "\u115f\u1160\u3164\uffa0"


def _shown_by_phones(char: str) -> bool:
    """Whether CP949 has ``char`` and phones show it (no ``HIDDEN_IN_CP949``)."""
    try:
        char.encode("cp949")
    except UnicodeEncodeError:
        return False
    return char not in HIDDEN_IN_CP949


def outside_cp949(text: str) -> str | None:
    """Every character of ``text`` that CP949 (what phones show in an SMS)
    lacks, or that it has but phones show as nothing (``HIDDEN_IN_CP949``),
    each once, in order and separated by a space, as a message names them:
    an invisible one by its code (U+200B, U+00AD); None when there is none.
    All of them, not the first: staff fixed one, ran check again, and were
    told of the next."""
    found = dict.fromkeys(char for char in text if not _shown_by_phones(char))
    if not found:
        return None
    return " ".join(f"U+{ord(char):04X}" if unicodedata.category(char) in INVISIBLE_CATEGORIES or char in BLANK_LETTERS
                    else char for char in found)


# what word processors and web pages write that phones cannot show in an SMS (a bullet, dashes, a wave dash,
# the won sign; zero-width spaces and joiners, a BOM, an emoji's variation selector, a soft hyphen; a Hangul
# filler, a blank), and what stands in for it
STAND_INS = str.maketrans(dict.fromkeys("•∙‧ᆞ", "·") | dict.fromkeys("—–−‐‑‒", "-") | {"〜": "~", "₩": "￦"}
                          | dict.fromkeys("\u200b\u200c\u200d\u2060\ufeff\ufe0e\ufe0f\u00ad") | dict.fromkeys(BLANK_LETTERS, " "))


def _stand_in(char: str) -> str | None:
    """What a text message carries for ``char``, which phones do not show:
    its compatibility form when phones show that (‼ is !!, ㉑ is 21), nothing
    for a symbol or mark (an emoji, ☃, a skin tone, a keycap's frame), or
    None: a letter (a rare Hanja, an old Hangul letter) only its writer can replace."""
    compatible = unicodedata.normalize("NFKC", char)
    if compatible != char and all(_shown_by_phones(part) for part in compatible):
        return compatible
    return "" if unicodedata.category(char)[0] in "SM" else None


def with_stand_ins(text: str) -> str | None:
    """``text`` as a text message can carry it: STAND_INS put in, then each
    character phones still cannot show replaced by its ``_stand_in`` (an emoji
    left out), in ``sms_form``; None when one has no stand-in or nothing is left."""
    changed = text.translate(STAND_INS)
    kept = [char if _shown_by_phones(char) else _stand_in(char) for char in changed]
    if None in kept:
        return None
    return sms_form("".join(kept)) or None


def displayable(text: str) -> str:
    """``text`` as a phone shows it: characters outside CP949 become '?'."""
    return text.encode("cp949", errors="replace").decode("cp949")


def message_type(byte_count: int) -> str:
    """``SMS`` up to 90 bytes, ``LMS`` above (up to 2,000)."""
    return "SMS" if byte_count <= SMS_MAX_BYTES else "LMS"


def sms_form(text: str) -> str:
    """``text`` as a text message carries it: one line, every run of spaces
    (a no-break space too) one space, its Hangul composed (NFC: the 한 of a
    Mac's file name, written letter by letter, is the 한 of CP949)."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def notice_line(text: str, link: str) -> str:
    """One notice in a message: its SMS text and its short link."""
    return f"{sms_form(text)} {link}"


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


def compose_sms(header: str, lines: list[str], footer: str, more_link: str, *,
                short_header: str | None = None) -> SmsText:
    """Header, the notice lines that fit in an LMS, the count of the rest, footer.

    The longest prefix of ``lines`` that fits in LMS_MAX_BYTES is kept; the
    dropped ones are counted in a ``more_line`` pointing at ``more_link``.
    ``short_header`` (the header without what a reader can do without, such
    as the date) is used when that makes the text one SMS instead of an LMS.
    """
    composed = _compose(header, lines, footer, more_link)
    if short_header is not None and composed.type != "SMS":
        shorter = _compose(short_header, lines, footer, more_link)
        if shorter.type == "SMS":
            return shorter
    return composed


def _compose(header: str, lines: list[str], footer: str, more_link: str) -> SmsText:
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


# --- what texts cost ------------------------------------------------------------

POLICIES = ("all", "email-first")
# Bulk prices public offices pay SMS agencies (won per message, VAT included):
# SMS about 8-13, LMS about 25-35, an LMS about three times an SMS.
DEFAULT_SMS_PRICE, DEFAULT_LMS_PRICE = 9, 27


@dataclass(frozen=True)
class Prices:
    """Won per message of each type; email costs nothing per message."""

    sms: float = DEFAULT_SMS_PRICE
    lms: float = DEFAULT_LMS_PRICE

    def of(self, message_type: str) -> float:
        return {"SMS": self.sms, "LMS": self.lms}.get(message_type.upper(), 0)


def exact_won(amount: float) -> Decimal:
    """``amount`` as written (a price of 8.4 is 8.4, not the float nearest it,
    of which three make 25.200000000000003), so that sums of prices are
    the won a clerk works out, and a budget of exactly them pays for them."""
    return Decimal(repr(amount))


@dataclass(frozen=True)
class MessageCounts:
    """Messages by type, and what they cost."""

    email: int = 0
    sms: int = 0
    lms: int = 0

    def cost(self, prices: Prices) -> float:
        return float(self.sms * exact_won(prices.sms) + self.lms * exact_won(prices.lms))

    def __add__(self, other: "MessageCounts") -> "MessageCounts":
        return MessageCounts(self.email + other.email, self.sms + other.sms, self.lms + other.lms)

    def cost_line(self, prices: Prices) -> str:
        """``684 won (SMS 40 × 9 won, LMS 12 × 27 won)``; email costs nothing."""
        return (f"{won(self.cost(prices))} (SMS {self.sms:,} × {won(prices.sms)}, "
                f"LMS {self.lms:,} × {won(prices.lms)})")


def count_messages(types: Iterable[str]) -> MessageCounts:
    """Count message types (``email``/``EMAIL``, ``SMS``, ``LMS``)."""
    tally = Counter(t.upper() for t in types)
    return MessageCounts(email=tally["EMAIL"], sms=tally["SMS"], lms=tally["LMS"])


def won(amount: float) -> str:
    """``1,234 won``; fractions of a won (a price of 8.4) kept to one place."""
    return _("{amount:,.0f} won").format(amount=amount) if float(amount).is_integer() else _("{amount:,.1f} won").format(amount=amount)


@dataclass(frozen=True)
class SmsSettings:
    prices: Prices
    policy: str  # all | email-first
    short_link_base: str | None
    optout_footer: str  # SMS_OPTOUT_FOOTER: the last line of every text


def _price(name: str, default: int) -> Check:
    return rule(lambda value: isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value < 10_000,
                lambda value: _("is {value!r}; write the price of one message in won, a number, e.g. {name} = {default}").format(
                    value=value, name=name, default=default))


def _is_short_link_base(base) -> bool:
    return not base or (isinstance(base, str) and base.startswith(("https://", "http://"))
                        and base.endswith("/") and base.isascii() and " " not in base)


# SMS_POLICY "email-first": email readers get SMS only for urgent notices; SHORT_LINK_BASE
# (e.g. "https://sd.go.kr/s/", pointed at the site's n/) is what makes one-notice SMS fit.
DEFAULT_OPTOUT_FOOTER = "수신거부 02-2286-5114"
SMS_DEFAULTS = {"SMS_PRICE": DEFAULT_SMS_PRICE, "LMS_PRICE": DEFAULT_LMS_PRICE, "SMS_POLICY": "all", "SHORT_LINK_BASE": None,
                "SMS_OPTOUT_FOOTER": DEFAULT_OPTOUT_FOOTER}
SMS_CHECKS = {
    "SMS_PRICE": _price("SMS_PRICE", DEFAULT_SMS_PRICE),
    "LMS_PRICE": _price("LMS_PRICE", DEFAULT_LMS_PRICE),
    "SMS_POLICY": rule(lambda policy: policy in POLICIES, lambda policy: _('is {policy!r}; write "all" (every SMS reader gets an SMS) or "email-first" (readers who get the issue by email get an SMS only for urgent notices)').format(
        policy=policy)),
    "SHORT_LINK_BASE": rule(_is_short_link_base, lambda base: _("is {base!r}; write the short address the office points at the site's n/ folder, ending in /, e.g. SHORT_LINK_BASE = \"https://sd.go.kr/s/\"").format(
        base=base)),
    "SMS_OPTOUT_FOOTER": rule(lambda footer: isinstance(footer, str) and bool(footer.strip()) and not outside_cp949(footer),
                              lambda footer: _optout_footer_problem(footer)),
}


def _optout_footer_problem(footer) -> str:
    if isinstance(footer, str) and footer.strip():
        return _('is {footer!r}, and phones cannot show "{characters}" in a text message; write it in plain Korean, e.g. SMS_OPTOUT_FOOTER = "{default}"').format(
            footer=footer, characters=outside_cp949(footer), default=DEFAULT_OPTOUT_FOOTER)
    return _('is {footer!r}; write the opt-out line that ends every SMS, e.g. SMS_OPTOUT_FOOTER = "{default}"').format(
        footer=footer, default=DEFAULT_OPTOUT_FOOTER)


def read_sms_settings(settings: dict) -> tuple[SmsSettings | None, list]:
    """SMS_PRICE, LMS_PRICE, SMS_POLICY, SHORT_LINK_BASE and SMS_OPTOUT_FOOTER, with a
    ``FILE:LINE: NAME: message`` problem for each mistake."""
    found = SettingsProblems(settings)
    values = found.values(SMS_DEFAULTS, SMS_CHECKS)
    if found.problems:
        return None, found.problems
    return SmsSettings(Prices(values["SMS_PRICE"], values["LMS_PRICE"]), values["SMS_POLICY"],
                       values["SHORT_LINK_BASE"] or None, values["SMS_OPTOUT_FOOTER"]), []


def sms_settings(settings: dict) -> SmsSettings:
    """The validated SMS settings; SotongError listing every problem."""
    return validated(read_sms_settings, settings)
