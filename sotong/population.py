"""A synthetic subscriber population shaped like Seongdong-gu's, for tests,
benchmarks and the sample project: no real person is in it.

Of every 82,400 subscribers about 77,000 are persons (Seoul adults aged
15–90, spread over the dongs of audiences.yaml) and 5,400 businesses (one of
the business types, no birth year or gender). Consent shares by field and
channel follow the office's figures (:data:`FIELD_SHARES`); about 3% have
already unsubscribed. Email addresses are unique and use the reserved
example domains only; phone numbers are unique 010-XXXX-XXXX numbers.

The rows are the CSV cells of SPEC §4 (text, ``""`` for an empty cell), so
they can be written with :func:`write_csv` and read back with
``sotong subscribers import``.
"""

from __future__ import annotations

import datetime as dt
import random

from .audiences import Audiences
from .store import SUBSCRIBER_COLUMNS
from .subscribers import write_csv

PERSON_SHARE = 77_000 / 82_400
UNSUBSCRIBED_SHARE = 0.03
EMAIL_DOMAINS = ("example.com", "example.net", "example.org")
FIRST_SUBSCRIPTION = dt.date(2015, 1, 1)

# Seoul residents aged 15-90 by age band (statistics Korea, rounded): weight per band.
AGE_BANDS = (
    ((15, 19), 3.6), ((20, 29), 14.5), ((30, 39), 15.5), ((40, 49), 15.0),
    ((50, 59), 15.5), ((60, 69), 13.5), ((70, 79), 7.5), ((80, 90), 4.0),
)
FEMALE_SHARE = 0.515

# Share of subscribers who consented to each field; fields of audiences.yaml
# missing here get DEFAULT_FIELD_SHARE. Some depend on who the subscriber is,
# see _consent_share.
FIELD_SHARES = {
    "bulletin": 0.60, "health": 0.45, "culture": 0.40, "living": 0.40, "education": 0.25,
    "library": 0.20, "survey": 0.15, "tax": 0.35, "civildefense": 0.10, "school": 0.10,
    "idcard": 0.05,
}
DEFAULT_FIELD_SHARE = 0.20
PERSON_ONLY_FIELDS = ("civildefense", "school", "idcard")

# sms 85%, email 45%, everyone at least one: both 30%, sms only 55%, email only 15%.
CHANNEL_CHOICES = (("email;sms", 0.30), ("sms", 0.55), ("email", 0.15))

SURNAMES = (
    ("김", "kim", 21.5), ("이", "lee", 14.7), ("박", "park", 8.4), ("최", "choi", 4.7),
    ("정", "jung", 4.3), ("강", "kang", 2.4), ("조", "cho", 2.1), ("윤", "yoon", 2.1),
    ("장", "jang", 2.0), ("임", "lim", 1.7), ("한", "han", 1.5), ("오", "oh", 1.5),
    ("서", "seo", 1.5), ("신", "shin", 1.5), ("권", "kwon", 1.4), ("황", "hwang", 1.4),
    ("안", "ahn", 1.4), ("송", "song", 1.3), ("전", "jeon", 1.1), ("홍", "hong", 1.1),
)
GIVEN_SYLLABLES = "민서지수현준영예도하윤우진은성혜연정희재동경미숙철호상훈주원"
BRAND_SYLLABLES = "한솔빛나래새봄푸른성동누리다온가람미소행복으뜸"


def generate_population(n: int, audiences: Audiences, seed: int, *, year: int | None = None) -> list[dict]:
    """``n`` synthetic subscribers as CSV rows (SPEC §4 columns), the same for
    the same ``n``, ``audiences``, ``seed`` and ``year``.

    ``year`` is the year the population is taken in (default: this year): ages
    are counted from it, and subscriptions date from before it.
    """
    if year is None:
        year = dt.date.today().year
    rng = random.Random(seed)
    dongs = list(audiences.dongs)
    business_types = list(audiences.business_types)
    phones: set[str] = set()
    first = min(FIRST_SUBSCRIPTION, dt.date(year - 1, 1, 1))
    rows = []
    for index in range(1, n + 1):
        is_person = not business_types or rng.random() < PERSON_SHARE
        row = _person(rng, year) if is_person else _business(rng, business_types)
        row["id"] = f"S{index:06d}"
        row["dong"] = rng.choice(dongs) if dongs else ""
        shares = {f: _consent_share(f, row, year) for f in audiences.fields}
        fields = [f for f, share in shares.items() if rng.random() < share]
        if not fields and any(shares.values()):  # everyone subscribed to something
            fields = rng.choices(list(shares), list(shares.values()))
        row["fields"] = ";".join(sorted(fields))
        channels = _weighted(rng, CHANNEL_CHOICES)
        row["channels"] = channels
        row["email"] = f"{row['_mailbox']}.{index}@{rng.choice(EMAIL_DOMAINS)}" if "email" in channels else ""
        row["phone"] = _unique_phone(rng, phones) if "sms" in channels else ""
        subscribed = first + dt.timedelta(days=rng.randrange((dt.date(year, 1, 1) - first).days))
        row["subscribed_at"] = subscribed.isoformat()
        row["unsubscribed_at"] = ""
        if rng.random() < UNSUBSCRIBED_SHARE:
            days_left = (dt.date(year, 1, 1) - subscribed).days
            row["unsubscribed_at"] = (subscribed + dt.timedelta(days=rng.randrange(1, days_left + 1))).isoformat()
        row["groups"] = ""
        rows.append({column: row[column] for column in SUBSCRIBER_COLUMNS})
    return rows


def _person(rng: random.Random, year: int) -> dict:
    low, high = _weighted(rng, AGE_BANDS)
    surname, roman, _ = rng.choices(SURNAMES, [s[2] for s in SURNAMES])[0]
    return {
        "name": surname + rng.choice(GIVEN_SYLLABLES) + rng.choice(GIVEN_SYLLABLES),
        "_mailbox": roman,
        "birth_year": str(year - rng.randint(low, high)),
        "gender": "F" if rng.random() < FEMALE_SHARE else "M",
        "kind": "person",
        "business_type": "",
    }


def _business(rng: random.Random, business_types: list[str]) -> dict:
    return {
        "name": f"{rng.choice(BRAND_SYLLABLES)}{rng.choice(BRAND_SYLLABLES)} 상회",
        "_mailbox": "biz",
        "birth_year": "",
        "gender": "",
        "kind": "business",
        "business_type": rng.choice(business_types),
    }


def _consent_share(field: str, row: dict, year: int) -> float:
    """The chance that a subscriber like ``row`` consented to ``field``."""
    if row["kind"] == "business":
        return 0.0 if field in PERSON_ONLY_FIELDS else FIELD_SHARES.get(field, DEFAULT_FIELD_SHARE)
    age = year - int(row["birth_year"])
    if field == "education":  # parents of school children: 35% of 30-59, 15% of the others
        return 0.35 if 30 <= age <= 59 else 0.15
    if field == "civildefense":  # only men 20-40 are called up
        return 0.10 if row["gender"] == "M" and 20 <= age <= 40 else 0.0
    return FIELD_SHARES.get(field, DEFAULT_FIELD_SHARE)


def _weighted(rng: random.Random, choices):
    return rng.choices([c[0] for c in choices], [c[1] for c in choices])[0]


def _unique_phone(rng: random.Random, taken: set) -> str:
    while True:
        phone = f"010-{rng.randrange(2000, 10000):04d}-{rng.randrange(10000):04d}"
        if phone not in taken:
            taken.add(phone)
            return phone


__all__ = ["generate_population", "write_csv", "FIELD_SHARES"]
