"""The sign-up and preferences rules, as pure functions: what a form's
answers mean (with a Korean message beside each wrong answer), the privacy
consent text and its version, the SUBSCRIBE_RATE and SMS_CODES_BY settings, whom the rate
counts as one client, and how a 429 page says when to press again (the
requests counted are in the store: storage.count_request)."""

from __future__ import annotations

import ipaddress
import math
import re
from dataclasses import dataclass

from email_validator import EmailNotValidError

from sotong.audiences import Audiences
from sotong.invisible import trimmed
from sotong.subscribers import normalize_phone, normalized_email, typed

# The privacy consent PIPA art. 15(2) asks for: purpose, items, how long,
# and that one may refuse (and what refusing costs). A change to the text
# gets a new version; each consent is stored with the version it was given to
# (:func:`consent`: the text names SUBSCRIBE_RATE's window, so its version does too).
CONSENT_VERSION = "2026-12-v1"
CONSENT = {
    "purpose": "성동구 전자소통 서비스(구청 소식, 고지서·통지서 안내)를 이메일과 문자로 보내 드리고, "
               "나이·사는 동에 맞는 소식을 골라 드리기 위해서입니다.",
    "items": "이름, 이메일 주소, 휴대전화 번호(문자를 받으실 때), 태어난 해, 성별, 사는 동(사업자는 업종), "
             "받고 싶은 분야와 받는 방법. 그리고 같은 곳에서 신청이 너무 자주 들어오지 않는지 세려고, "
             "신청하신 기기의 인터넷 주소(IP 주소)를 알아볼 수 없게 바꾼 값",
    "retention": "수신을 그만두실 때까지 보관하며, 그만두시거나 삭제를 요청하시면 지체 없이 파기합니다. "
                 "인터넷 주소를 바꾼 값은 {window} 동안만 보관하고 지웁니다.",
    "refusal": "동의하지 않으실 수 있습니다. 동의하지 않으시면 전자소통 서비스를 받으실 수 없을 뿐, "
               "다른 불이익은 없습니다.",
}
CHANNEL_LABELS = {"email": "이메일", "sms": "문자(SMS)"}
GENDER_LABELS = {"F": "여성", "M": "남성"}
HONEYPOT = "website"
FORM_PATH = "subscribe/form/"  # the static sign-up form, on the site
POSTER_PATH = "subscribe/poster/"  # the A4 poster for the dong offices' counters, linked from the form
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(second|minute|hour|day)\s*$")
_UNIT_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


DEFAULT_RATE = "10/hour"  # SUBSCRIBE_RATE unless set
# SMS_CODES_BY: who hands the phone codes queued in the store to the SMS transport: every collector's text
# thread (the default), or only ``sotong subscribers codes`` (on the one machine whose file the agency reads).
SMS_CODES_BY = ("collectors", "command")


def parse_rate(text: str) -> tuple[int, int] | None:
    """``"10/hour"`` -> (10, 3600); None when not of that form."""
    found = _RATE.match(str(text))
    return (int(found[1]), _UNIT_SECONDS[found[2]]) if found and int(found[1]) > 0 else None


def rate_of(settings: dict) -> tuple[int, int]:
    """SUBSCRIBE_RATE as (requests, seconds); the default when it is not
    of that form (``sotong check`` says so)."""
    return parse_rate(settings.get("SUBSCRIBE_RATE", DEFAULT_RATE)) or parse_rate(DEFAULT_RATE)


_WINDOW_WORDS = {1: "1초", 60: "1분", 3600: "1시간", 86400: "하루"}


def rate_window(settings: dict) -> str:
    """How long a request is counted toward SUBSCRIBE_RATE, in words: "1시간"
    for ``"10/hour"``, "하루" for ``"100/day"``. The keyed hash of the
    client's address is kept that long (storage.count_request)."""
    return _WINDOW_WORDS[rate_of(settings)[1]]


def consent(settings: dict) -> tuple[dict, str]:
    """The consent text the sign-up form shows, with SUBSCRIBE_RATE's
    window in it, and its version (which names the window: the same words
    with another window are another text)."""
    window = rate_window(settings)
    return ({key: text.format(window=window) for key, text in CONSENT.items()},
            f"{CONSENT_VERSION}/{rate_of(settings)[1]}s")


def client_key(address: str) -> str:
    """Whom SUBSCRIBE_RATE counts as one client for a request from
    ``address``: an IPv6 address's /64 network, which is one home's or one
    phone's (whoever holds one also holds its 2**64 addresses, and picking a
    new one for each request made the rate count nothing: a sign-up mail to
    any number of addresses); an IPv4 address, also written as IPv6
    (``::ffff:203.0.113.9``), as itself; anything else (a reader's key) as it is."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 4:
        return str(ip)
    if ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ipaddress.IPv6Network((ip, 64), strict=False))


def try_again_in(seconds: float) -> str:
    """When to press again, rounded up: ``"3분"``, or ``"5시간"`` from two hours on."""
    minutes = max(1, math.ceil(seconds / 60))
    return f"{minutes}분" if minutes < 120 else f"{math.ceil(minutes / 60)}시간"


@dataclass(frozen=True)
class Choices:
    """A reader's answers, checked: what the store keeps."""

    name: str | None
    email: str | None
    phone: str | None
    birth_year: int | None
    gender: str | None
    dong: str | None
    kind: str
    business_type: str | None
    fields: frozenset
    channels: frozenset


# Hangul letters standing alone (ㅗ, ㅐ): what the keyboard left in Korean (한/영) types for an address
# meant in English letters (ㅙㅜㅎ for "hong"). A Hangul address (홍길동@example.com) is written in
# syllables, and is taken: the mail goes with SMTPUTF8 (RFC 6531), as sotong send sends it.
_LONE_LETTERS = re.compile("[\u3130-\u318f]")
_LONE_JAMO = re.compile("[\u1100-\u11ff]")  # what NFKC (typed) leaves of the letters above when no syllable forms


def _in_korean(address: str) -> bool:
    """Whether the part before the @ holds Hangul letters standing alone (the keyboard was left in Korean)."""
    before = address.rpartition("@")[0] or address
    return bool(_LONE_LETTERS.search(before) or _LONE_JAMO.search(typed(before)))


def form_address(text: str) -> str | None:
    """The address a form's ``text`` is, as stored (plain ASCII ones without
    email_validator's full check; full-width letters as ASCII ones; one with
    characters outside ASCII before the @ as email_validator takes it, for
    SMTPUTF8), or None; None too when it was typed with the keyboard left in
    Korean (:func:`_in_korean`). Read after :func:`~sotong.invisible.trimmed`,
    as every answer is."""
    try:
        return None if _in_korean(text) else normalized_email(typed(text))
    except EmailNotValidError:
        return None


def address_error(text: str) -> str | None:
    """What is wrong with an address typed into a form (Korean, one
    sentence), or None when :func:`form_address` takes it."""
    if form_address(text) is not None:
        return None
    if _in_korean(text):
        return "이메일 주소의 @ 앞에 한글이 들어 있습니다. 한/영 키를 눌러 영문으로 적어 주세요. 예: hong@example.com"
    return "이메일 주소 형식이 맞지 않습니다. 예: hong@example.com"


def needs_smtputf8(address: str) -> bool:
    """Whether ``address`` (as stored) has characters outside ASCII before the @:
    only a mail server that offers SMTPUTF8 (RFC 6531) takes it."""
    return not address.rpartition("@")[0].isascii()


def no_smtputf8_error(office_phone: str) -> str:
    """What a form says beside an address :func:`needs_smtputf8` when the mail server does not offer SMTPUTF8."""
    return ("@ 앞에 한글처럼 영문이 아닌 글자가 있는 이메일 주소로는 지금 구청 메일 서버가 메일을 보낼 수 없습니다. "
            f"영문으로 된 이메일 주소를 적어 주시거나, 전화({office_phone})로 연락해 주세요.")


def read_choices(form: dict, audiences: Audiences, this_year: int, need_consent: bool) -> tuple[Choices, dict]:
    """The answers of a sign-up or preferences form (``form``: name -> list
    of values) and the errors by form field (Korean, one sentence each)."""
    one = {key: trimmed((form.get(key) or [""])[0]) for key in
           ("name", "email", "phone", "birth_year", "gender", "dong", "kind", "business_type")}
    errors: dict[str, str] = {}
    email = form_address(one["email"]) if one["email"] else None
    if one["email"] and email is None:
        errors["email"] = address_error(one["email"])
    phone = normalize_phone(typed(one["phone"])) if one["phone"] else None
    if one["phone"] and phone is None:
        errors["phone"] = "휴대전화 번호 형식이 맞지 않습니다. 예: 010-1234-5678"
    kind = "business" if one["kind"] == "business" else "person"
    person = kind == "person"  # a business has no birth year or gender (SPEC §3): its owner's are not kept
    birth_year = int(one["birth_year"]) if person and re.fullmatch(r"\d{4}", one["birth_year"]) else None
    if person and one["birth_year"] and (birth_year is None or not 1900 <= birth_year <= this_year):
        errors["birth_year"] = f"태어난 해를 네 자리 숫자로 적어 주세요. 예: 1950 (1900~{this_year})"
        birth_year = None
    fields = frozenset(v for v in form.get("fields", []) if v in audiences.fields)
    channels = frozenset(v for v in form.get("channels", []) if v in CHANNEL_LABELS)
    if not fields:
        errors["fields"] = "받고 싶은 분야를 하나 이상 골라 주세요."
    if not channels:
        errors["channels"] = "받는 방법(이메일 또는 문자)을 하나 이상 골라 주세요."
    elif "email" in channels and not email and "email" not in errors:
        errors["email"] = "이메일로 받으시려면 이메일 주소를 적어 주세요."
    if "sms" in channels and not phone and "phone" not in errors:
        errors["phone"] = "문자로 받으시려면 휴대전화 번호를 적어 주세요."
    if need_consent and (form.get("consent") or [""])[0] != "yes":
        errors["consent"] = "개인정보 수집·이용에 동의하셔야 신청하실 수 있습니다."
    choices = Choices(
        name=one["name"][:50] or None, email=email, phone=phone, birth_year=birth_year,
        gender=one["gender"] if person and one["gender"] in GENDER_LABELS else None,
        dong=one["dong"] if one["dong"] in audiences.dongs else None, kind=kind,
        business_type=one["business_type"] if kind == "business" and one["business_type"] in audiences.business_types else None,
        fields=fields, channels=channels)
    return choices, errors
