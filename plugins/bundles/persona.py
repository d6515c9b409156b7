"""A preview persona: ``"age=34 gender=F dong=seongsu1ga1 fields=education,culture"``
(dongs, fields and business types by key or Korean label: ``dong=응봉동
fields=건강정보``; ``groups=committee-budget``: a member of a committee, SPEC §16;
``gender=여`` as the subscribers' CSV takes it; items may be separated by
commas too, and lists by ``;`` as in the CSV; ``＝`` and ``，`` as a Korean
keyboard's full-width mode types them; a key written in Korean, ``나이=70``,
is answered with the key to write)
read into a subscriber with placeholder addresses, checked against
audiences.yaml, so that staff can see what such a reader would get."""

from __future__ import annotations

import re

from sotong.i18n import _
from sotong.audiences import BOUND_RANGES, GENDER_WORDS, GENDERS, KINDS, Audiences, resolve_key
from sotong.problems import SotongError, did_you_mean, suggested
from sotong.store import READER_CHANNELS, Subscriber

KEYS = ("age", "birth_year", "gender", "dong", "kind", "business_type", "fields", "channels", "groups")
# the keys as staff who read Korean only write them, each with the key meant
KOREAN_KEYS = {"나이": "age", "연령": "age", "출생연도": "birth_year", "생년": "birth_year", "성별": "gender", "동": "dong",
               "행정동": "dong", "구분": "kind", "업종": "business_type", "분야": "fields", "관심분야": "fields",
               "받는곳": "channels", "수신": "channels", "모임": "groups", "단체": "groups"}
PERSONA_ID = "persona"
PLACEHOLDER_EMAIL = "reader@example.com"
PLACEHOLDER_PHONE = "010-0000-0000"
EXAMPLE = '"age=34 gender=F dong=seongsu1ga1 fields=education,culture"'


class PersonaError(ValueError):
    """The persona text is wrong; the message says what to write instead."""


def parse_persona(text: str, audiences: Audiences, year: int) -> Subscriber:
    """The subscriber ``text`` describes; ages count from ``year``.

    Missing keys: a person, no birth year, gender or dong, no fields, and
    both channels.
    """
    values: dict[str, str] = {}
    for item in text.replace("＝", "=").replace("，", ", ").split():  # a Korean keyboard's full-width = and ,
        key, sep, value = item.rstrip(",").partition("=")  # "age=34, gender=F": the comma between items is no value's
        if not sep or not value:
            raise PersonaError(_('"{item}" is not key=value; write e.g. {example}').format(
                item=item, example=EXAMPLE))
        if key not in KEYS:
            raise PersonaError(_('unknown key "{key}"{suggestion}; keys: {keys}').format(
                key=key, suggestion=suggested(KOREAN_KEYS[key]) if key in KOREAN_KEYS else did_you_mean(key, KEYS),
                keys=", ".join(KEYS)))
        values[key] = value
    birth_year = _birth_year(values, year)
    fields = _keys(values.get("fields", ""), audiences.fields, "field")
    groups = _keys(values.get("groups", ""), audiences.groups, "group")
    channels = _keys(values.get("channels", ",".join(READER_CHANNELS)), READER_CHANNELS, "channel")
    gender = _one(GENDER_WORDS.get(values.get("gender", "").lower(), values.get("gender")), GENDERS, "gender")
    dong = _one(values.get("dong"), audiences.dongs, "dong")
    kind = _one(values.get("kind", "person"), KINDS, "kind")
    business_type = _one(values.get("business_type"), audiences.business_types, "business_type")
    return Subscriber(
        id=PERSONA_ID, name="미리 보기", email=PLACEHOLDER_EMAIL, phone=PLACEHOLDER_PHONE,
        birth_year=birth_year, gender=gender, dong=dong, fields=fields, channels=channels,
        kind=kind, business_type=business_type, groups=groups,
    )


def _birth_year(values: dict[str, str], year: int) -> int | None:
    """The persona's year of birth, from its age (counted from ``year``) or
    birth_year, each in the range a segment's takes (BOUND_RANGES); None
    when it gives neither."""
    if "age" in values and "birth_year" in values:
        raise PersonaError(_("give age or birth_year, not both"))
    for key, bounds in (("age", "age"), ("birth_year", "birth_years")):
        if key in values:
            low, high, _example = BOUND_RANGES[bounds]
            given = values[key]
            if not (given.isascii() and given.isdigit() and low <= int(given) <= high):  # not ² nor ١٩٨٥
                raise PersonaError(_('{key} must be a whole number from {low} to {high}, not "{values}"').format(
                    key=key, low=low, high=high, values=given))
            return year - int(given) if key == "age" else int(given)
    return None


def find_reader(project, subscriber_id: str | None, persona: str | None, year: int) -> Subscriber:
    """The subscriber ``subscriber_id`` of the store, or the one ``persona``
    describes (ages counted from ``year``): PersonaError for a wrong persona,
    SotongError for an unknown id."""
    if persona is not None:
        return parse_persona(persona, project.audiences, year)
    subscriber = project.existing_store.subscriber(subscriber_id)
    if subscriber is None:
        raise SotongError([_('{sotong_db}: no subscriber with id "{subscriber_id}"; check the id, or import the subscribers first (sotong subscribers import FILE.csv)').format(
            sotong_db=project.shown(project.settings["SOTONG_DB"]), subscriber_id=subscriber_id)])
    return subscriber


def _one(value: str | None, known, what: str) -> str | None:
    """The key ``value`` names (a key, or its Korean label in audiences.yaml)."""
    if value is None:
        return None
    key = resolve_key(value, known)
    if key is None:
        raise PersonaError(_('unknown {what} "{value}"{suggestion}; known: {known}').format(
            what=what, value=value, suggestion=did_you_mean(value, known, labels=isinstance(known, dict)),
            known=", ".join(f"{key} ({label})" for key, label in known.items()) if isinstance(known, dict) else ", ".join(known)))
    return key


def _keys(value: str, known, what: str) -> frozenset:
    return frozenset(_one(key, known, what) for key in re.split(r"[,;]", value) if key)  # ; as the CSV's lists
