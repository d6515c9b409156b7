"""Subscriber import and export (SPEC §4) and the synthetic population:
every import rule with its message, the file encodings Excel writes, counts
and exit codes of the CLI, the rule that an import never re-subscribes, the
export/import round trip, and the shape of the generated population."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import Counter
from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings, strategies as st

from sotong.audiences import load_audiences
from sotong.population import FIELD_SHARES, generate_population
from sotong.problems import SotongError
from sotong.store import Store
from sotong.subscribers import (
    COLUMNS, MOBILE_PREFIXES, check_row, decode, export_csv, import_csv, kept_unsubscribed_at,
    normalize_gender, normalize_phone, read_records,
)

REPO = Path(__file__).resolve().parent.parent
AUDIENCES = load_audiences(REPO / "audiences.yaml")
THIS_YEAR = 2026

GOOD = {
    "id": "S1", "name": "김민서", "email": "kim@example.com", "phone": "010-1234-5678",
    "birth_year": "1980", "gender": "F", "dong": "seongsu1ga1", "fields": "culture;health",
    "channels": "email;sms", "kind": "person", "business_type": "", "subscribed_at": "2024-03-05",
    "unsubscribed_at": "",
}
BUSINESS = dict(GOOD, id="B1", name="성수식당", kind="business", business_type="food-service",
                birth_year="", gender="")


def csv_text(*rows: dict, columns=COLUMNS) -> str:
    lines = [",".join(columns)]
    for row in rows:
        lines.append(",".join(_quoted(row.get(c, "")) for c in columns))
    return "\r\n".join(lines) + "\r\n"


def _quoted(cell: str) -> str:
    return f'"{cell}"' if any(ch in cell for ch in ',"\n') else cell


def write(path: Path, text: str, encoding: str = "utf-8-sig") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def store(store_location):
    """A fresh store, once on SQLite and once on PostgreSQL (SPEC §15)."""
    store = Store.open(store_location)
    yield store
    store.close()


def load(store: Store, path: Path):
    return import_csv(store, path, AUDIENCES, THIS_YEAR, shown=path.name)


# --- one row, one rule -------------------------------------------------------------


def errors_of(**cells) -> list[str]:
    row, errors = check_row(dict(GOOD, **cells), AUDIENCES, THIS_YEAR)
    assert (row is None) == bool(errors)
    return errors


def test_a_good_row_is_normalized():
    row, errors = check_row(dict(GOOD, email="Kim@Example.COM", phone="+82 10 1234 5678", gender="여",
                                 fields="health; culture", kind=""), AUDIENCES, THIS_YEAR)
    assert errors == []
    assert row == {
        "id": "S1", "name": "김민서", "kind": "person", "business_type": None, "gender": "F",
        "birth_year": 1980, "dong": "seongsu1ga1", "fields": "culture;health", "channels": "email;sms",
        "email": "Kim@example.com", "phone": "010-1234-5678", "subscribed_at": "2024-03-05",
        "unsubscribed_at": None, "groups": None,  # no groups column: the stored groups stay
    }


def test_cells_typed_in_full_width_are_read_as_the_sign_up_form_reads_them():
    """A Korean keyboard's 전각 mode, as a dong office types a paper form into Excel."""
    row, errors = check_row(dict(GOOD, email="ｋｉｍ＠ｅｘａｍｐｌｅ．ｃｏｍ", phone="０１０－１２３４－５６７８",
                                 birth_year="１９８０", subscribed_at="２０２４－０３－０５",
                                 unsubscribed_at="２０２５-０１-３１"), AUDIENCES, THIS_YEAR)
    assert errors == []
    assert (row["email"], row["phone"], row["birth_year"], row["subscribed_at"], row["unsubscribed_at"]) == (
        "kim@example.com", "010-1234-5678", 1980, "2024-03-05", "2025-01-31")


def test_cells_with_what_shows_nothing_at_their_ends_are_read_as_they_look():
    """A number copied from a phone's contacts (wrapped in U+202A/U+202C), an
    address copied from a web page (ending in U+200B) or after a BOM: the cell
    looks right in Excel, and was refused as not a valid address or number."""
    row, errors = check_row(dict(GOOD, email="\ufeffKim@example.com\u200b", phone="\u202a010-1234-5678\u202c",
                                 birth_year="1980\u2060", subscribed_at="\u200e2024-03-05"), AUDIENCES, THIS_YEAR)
    assert errors == []
    assert (row["email"], row["phone"], row["birth_year"], row["subscribed_at"]) == (
        "Kim@example.com", "010-1234-5678", 1980, "2024-03-05")
    assert errors_of(email="kim\u200b@example.com") == [  # inside, it is no invisible end
        "email is not a valid email address; check the cell for typos (two @, a space, no domain), e.g. name@example.com"]


def test_a_phone_excel_took_for_a_number_is_read_with_its_zero():
    """Excel keeps 01012345678 as the number 1012345678; a cell that is no
    mobile number with a 0 in front is still refused."""
    for cell, stored in [("1012345678", "010-1234-5678"), ("111234567", "011-123-4567"),
                         ("1712345678", "017-1234-5678"), ("１０１２３４５６７８", "010-1234-5678")]:
        row, errors = check_row(dict(GOOD, phone=cell), AUDIENCES, THIS_YEAR)
        assert errors == [] and row["phone"] == stored, cell
    for cell in ["101234567", "10123456789", "1212345678", "10-1234-5678"]:
        assert errors_of(phone=cell) == [
            "phone is not a Korean mobile number (010 and 8 digits, or 011, 016-019 and 7 or 8); write it like 010-1234-5678"]


def test_a_home_number_on_a_row_without_sms_is_told_it_may_be_emptied():
    """Elderly residents write their home number on the paper form; their
    email subscription needs no phone."""
    assert errors_of(phone="02-2286-5114", channels="email") == [
        "phone is not a mobile number, and only SMS uses the phone column (this row has no sms channel); "
        "empty the cell, or write a mobile number like 010-1234-5678"]


@pytest.mark.parametrize("cell", ["1.01E+10", "1.01235E+10", "1E+10", "1.01e+10"])
def test_a_phone_excel_wrote_in_exponent_form_says_how_to_type_it_again(cell):
    assert errors_of(phone=cell) == [
        "phone was turned into a number by Excel (written like 1.01E+10), and its last digits are lost; in Excel set "
        "the phone column's cell format to text, type the numbers again like 010-1234-5678, and save again"]


def test_empty_cells_are_absent_values():
    row, errors = check_row({"id": "S9", "fields": "bulletin"}, AUDIENCES, THIS_YEAR)
    assert errors == []
    assert row["email"] is None and row["phone"] is None and row["birth_year"] is None
    assert row["channels"] == "" and row["kind"] == "person"


def test_a_business_row_is_good():
    row, errors = check_row(BUSINESS, AUDIENCES, THIS_YEAR)
    assert errors == [] and row["business_type"] == "food-service" and row["kind"] == "business"


PHONE_ERROR = ("phone is not a Korean mobile number (010 and 8 digits, or 011, 016-019 and 7 or 8); "
               "write it like 010-1234-5678")


@pytest.mark.parametrize("cells, message", [
    ({"id": " "}, "id is empty; write the subscriber's id from the e-communication system"),
    ({"email": "kim@@naver.com"},
     "email is not a valid email address; check the cell for typos (two @, a space, no domain), e.g. name@example.com"),
    ({"dong": "seongsu9"}, 'dong "seongsu9" is not a dong in audiences.yaml; did you mean "seongsu2ga3"?'),
    ({"dong": "성수1가1동"}, 'dong "성수1가1동" is a name, not a key; write "seongsu1ga1"'),
    ({"fields": "culture;cultrue"}, 'field "cultrue" is not a field in audiences.yaml; did you mean "culture"?'),
    ({"fields": "문화공연"}, 'field "문화공연" is a name, not a key; write "culture"'),
    ({"fields": "culture,health"},
     'fields "culture,health" are separated by commas; separate them with ";", e.g. culture;education'),
    ({"channels": "eamil"}, 'channel "eamil" is not email or sms; did you mean "email"?'),
    ({"channels": "kakao"}, 'channel "kakao" is not email or sms; write email, sms, or both as email;sms'),
    ({"channels": "sms", "phone": ""}, "channel sms needs a phone number in the phone column"),
    ({"channels": "email", "email": ""}, "channel email needs an email address in the email column"),
    ({"phone": "02-2286-5114"}, PHONE_ERROR),
    ({"phone": "010-123-4567"}, PHONE_ERROR),
    ({"kind": "company"}, 'kind "company" is not person or business; leave it empty for a person'),
    ({"business_type": "retail"},
     "business_type is only for businesses; leave it empty, or write business in the kind column"),
    ({"gender": "X"}, 'gender "X" is not F or M; write F (여) or M (남), or leave it empty'),
    ({"birth_year": "85"}, 'birth_year "85" is not a 4-digit year; write the whole year of birth, e.g. 1985'),
    # the channels written in Korean, as the paper form names them: the key meant
    ({"channels": "email;문자"}, 'channel "문자" is not email or sms; did you mean "sms"?'),
    ({"channels": "sms;이메일"}, 'channel "이메일" is not email or sms; did you mean "email"?'),
    # the date of birth a paper form asked for, typed in whole: its year is what to write
    ({"birth_year": "1960.3.5"}, 'birth_year "1960.3.5" is a date of birth; the column takes only its year: write 1960'),
    ({"birth_year": "1960-03-05"}, 'birth_year "1960-03-05" is a date of birth; the column takes only its year: write 1960'),
    ({"birth_year": "1960년 3월 5일"}, 'birth_year "1960년 3월 5일" is a date of birth; the column takes only its year: write 1960'),
    ({"birth_year": "2031"}, 'birth_year "2031" is in the future; write the year of birth, e.g. 1985'),
    ({"birth_year": "1890"}, 'birth_year "1890" is before 1900; check the year of birth for a typo'),
    ({"subscribed_at": "2024/3/5"}, 'subscribed_at "2024/3/5" is not written as YYYY-MM-DD; write "2024-03-05"'),
    ({"subscribed_at": "2024-02-30"},
     'subscribed_at "2024-02-30" is not a day of the calendar; check the month and the day'),
    ({"unsubscribed_at": "last week"},
     'unsubscribed_at "last week" is not a date; write it as YYYY-MM-DD, e.g. 2024-03-05'),
])
def test_each_rule_says_what_is_wrong_and_what_to_write(cells, message):
    assert errors_of(**cells) == [message]


@pytest.mark.parametrize("cells, message", [
    ({"business_type": "restaurant"}, 'business_type "restaurant" is not a business type in audiences.yaml; '
                                      "write one of: food-service (식품접객업), public-hygiene (공중위생업),"),
    ({"birth_year": "1970"}, "birth_year is only for persons; leave it empty for a business"),
    ({"gender": "M"}, "gender is only for persons; leave it empty for a business"),
])
def test_business_rules(cells, message):
    _, errors = check_row(dict(BUSINESS, **cells), AUDIENCES, THIS_YEAR)
    assert len(errors) == 1 and errors[0].startswith(message)


@pytest.mark.parametrize("cells, message", [
    ({"id": "=cmd|' /C calc'!A0"}, 'id "=cmd|\' /C calc\'!A0" starts with "=", which a spreadsheet runs as a formula; '
                                   "write the id from the e-communication system, which starts with a letter or a digit"),
    # the full-width signs a Korean IME types run as formulas too
    ({"id": "＋82-10"}, 'id "＋82-10" starts with "＋", which a spreadsheet runs as a formula; '
                        "write the id from the e-communication system, which starts with a letter or a digit"),
    ({"kind": "buisness"}, 'kind "buisness" is not person or business; did you mean "business"?; leave it empty for a person'),
    ({"channels": "email,sms"},
     'channels "email,sms" are separated by commas; separate them with ";", e.g. email;sms'),
    ({"dong": "nowhere"}, 'dong "nowhere" is not a dong in audiences.yaml; write one of: '),
    ({"kind": "business", "business_type": "식품접객업", "birth_year": "", "gender": ""},
     'business_type "식품접객업" is a name, not a key; write "food-service"'),
    ({"groups": "committee"}, 'group "committee" is not a group in audiences.yaml; did you mean "committee-budget"?'),
])
def test_the_other_rules_say_what_is_wrong_and_what_to_write(cells, message):
    errors = errors_of(**cells)
    assert len(errors) == 1 and errors[0].startswith(message), errors


@pytest.mark.parametrize("cell, message", [
    ("45356", 'subscribed_at "45356" is a date Excel wrote as a number; in Excel set the column\'s cell format '
              'to date, or write "2024-03-05"'),
    ("2024-03-05 9:15", 'subscribed_at "2024-03-05 9:15" is not written as YYYY-MM-DD; write "2024-03-05"'),
    ("2024. 3. 5.", 'subscribed_at "2024. 3. 5." is not written as YYYY-MM-DD; write "2024-03-05"'),
])
def test_a_date_as_excel_writes_it_is_told_the_date_to_write(cell, message):
    assert errors_of(subscribed_at=cell) == [message]


@pytest.mark.parametrize("cells, message", [
    # the Korean name near a dong's: its key, as a dong office writes 성수1가1동 or types 금호2·3가동's dot
    ({"dong": "성수1가 1동"}, 'dong "성수1가 1동" is not a dong in audiences.yaml; did you mean "seongsu1ga1" (성수1가1동)?'),
    ({"dong": "금호2ㆍ3가동"}, 'dong "금호2ㆍ3가동" is not a dong in audiences.yaml; did you mean "geumho23ga" (금호2·3가동)?'),
    ({"fields": "생활 정보"}, 'field "생활 정보" is not a field in audiences.yaml; did you mean "living" (생활정보)?'),
    # near no name, or near several alike: every key with its name, so the staff can find theirs
    ({"dong": "성수동"}, 'dong "성수동" is not a dong in audiences.yaml; write one of: wangsimni2 (왕십리2동), '
                        'wangsimnidoseon (왕십리도선동), majang (마장동),'),
])
def test_a_key_written_as_a_korean_name_near_one_is_told_the_key(cells, message):
    errors = errors_of(**cells)
    assert len(errors) == 1 and errors[0].startswith(message), errors


def test_each_row_with_the_same_mistakes_gets_every_message(tmp_path, store):
    """The import works out a cell's answer once per file: the second row with
    the same bad cells is told the same, and a good row after them is good."""
    bad = dict(GOOD, dong="seongsu9", fields="culture,health", birth_year="2031", subscribed_at="2024/3/5",
               channels="eamil", groups="nobody")
    rows = [dict(bad, id="S1"), dict(bad, id="S2"), dict(GOOD, id="S3"), dict(GOOD, id="S4")]
    report = load(store, write(tmp_path / "s.csv", csv_text(*rows)))
    messages = [str(problem) for problem in report.problems]
    assert len(messages) == 12 and [m.replace("s.csv:2:", "s.csv:3:") for m in messages[:6]] == messages[6:]
    assert [m.split(":")[1] for m in messages] == ["2"] * 6 + ["3"] * 6
    assert (report.added, report.rejected) == (2, 2)


def test_every_mistake_of_a_row_is_listed():
    assert len(errors_of(email="x", phone="123", dong="nowhere")) == 3


@pytest.mark.parametrize("word, gender", [("F", "F"), ("f", "F"), ("여", "F"), ("여자", "F"), ("female", "F"),
                                          ("M", "M"), ("남", "M"), ("남성", "M"), ("Male", "M"), ("X", None)])
def test_gender_words(word, gender):
    assert normalize_gender(word) == gender


# --- phone numbers -------------------------------------------------------------------

digits = st.text(alphabet="0123456789", min_size=1, max_size=1)


@st.composite
def mobile_numbers(draw):
    prefix = draw(st.sampled_from(MOBILE_PREFIXES))
    middle_length = 4 if prefix == "010" else draw(st.sampled_from([3, 4]))
    middle = "".join(draw(digits) for _ in range(middle_length))
    last = "".join(draw(digits) for _ in range(4))
    return prefix, middle, last


FORMATS = [
    lambda p, m, l: f"{p}-{m}-{l}",
    lambda p, m, l: f"{p}{m}{l}",
    lambda p, m, l: f"{p} {m} {l}",
    lambda p, m, l: f"{p}.{m}.{l}",
    lambda p, m, l: f"({p}) {m}-{l}",
    lambda p, m, l: f"+82 {p[1:]} {m} {l}",
    lambda p, m, l: f"+82-{p[1:]}-{m}-{l}",
    lambda p, m, l: f"+82{p[1:]}{m}{l}",
    lambda p, m, l: f"82 {p[1:]} {m} {l}",
    lambda p, m, l: f"+82 {p} {m} {l}",
    lambda p, m, l: f" {p}-{m}-{l} ",
]


@given(mobile_numbers(), st.sampled_from(FORMATS))
def test_mobile_numbers_in_any_format_are_normalized(number, written):
    prefix, middle, last = number
    assert normalize_phone(written(prefix, middle, last)) == f"{prefix}-{middle}-{last}"


@given(st.sampled_from(["02", "031", "051", "070", "080", "012", "015"]),
       st.text(alphabet="0123456789", min_size=7, max_size=8))
def test_other_numbers_are_not_mobile_numbers(prefix, rest):
    assert normalize_phone(prefix + rest) is None
    assert normalize_phone(f"+82 {prefix[1:]} {rest}") is None


@given(st.text(alphabet="0123456789", min_size=0, max_size=12))
def test_only_the_right_lengths_are_mobile_numbers(number):
    domestic = "0" + number[2:].removeprefix("0") if number.startswith("82") else number  # 82 10 ... is +82
    valid = (domestic[:3] == "010" and len(domestic) == 11) or (
        domestic[:3] in MOBILE_PREFIXES[1:] and len(domestic) in (10, 11))
    assert (normalize_phone(number) is not None) == valid


@given(number=mobile_numbers())
def test_a_number_written_as_stored_is_taken_as_it_is(number):
    """The fast path for 010-1234-5678 agrees with the whole rule."""
    written = "-".join(number)
    assert normalize_phone(written) == written
    assert normalize_phone(written.replace("-", "", 1)) == written


@pytest.mark.parametrize("text, stored", [
    ("010-123-45678", "010-1234-5678"), ("011-12-34567", "011-123-4567"), ("010-123-4567", None),
    ("012-123-4567", None), ("010-1234-567８", None), ("010-1234-56789", None)])
def test_dashes_in_other_places_are_read_by_the_whole_rule(text, stored):
    assert normalize_phone(text) == stored


def test_foreign_and_odd_numbers_are_refused():
    assert normalize_phone("+1 010 1234 5678") is None
    assert normalize_phone("010-1234-567O") is None
    assert normalize_phone("０１０-1234-5678") is None


# --- an unsubscribe is never undone ----------------------------------------------------

dates = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2040, 12, 31))
stored_values = st.one_of(
    st.none(), dates.map(dt.date.isoformat),
    st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2040, 12, 31)).map(
        lambda t: t.replace(microsecond=0).isoformat() + "+09:00"),
    # what older versions stored: the machine's zone, whatever it was
    st.builds(lambda t, hours: t.replace(microsecond=0, tzinfo=dt.timezone(dt.timedelta(hours=hours))).isoformat(),
              st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2040, 12, 31)),
              st.integers(-12, 14)),
)
optional_dates = st.one_of(st.none(), dates.map(dt.date.isoformat))


def day_in_seoul(stored: str) -> dt.date:
    moment = dt.datetime.fromisoformat(stored)
    if moment.tzinfo is not None:  # the CSV's dates are Seoul's
        moment = moment.astimezone(ZoneInfo("Asia/Seoul"))
    return moment.date()


def brute_unsubscribed_at(stored, subscribed_at, unsubscribed_at):
    """SPEC §4 read literally: a stored unsubscribed_at stays unless the
    imported row's subscribed_at is later than it."""
    if stored is None:
        return unsubscribed_at
    stored_day = day_in_seoul(stored)
    if subscribed_at is not None and dt.date.fromisoformat(subscribed_at) > stored_day:
        return unsubscribed_at
    return stored


@st.composite
def stored_and_subscribed_days(draw):
    """A stored unsubscribed_at and an imported subscribed_at around its
    day: the same day or the next, in Seoul or in the zone it was written in."""
    stored = draw(stored_values.filter(lambda value: value is not None))
    local = dt.datetime.fromisoformat(stored).date()
    around = [local, day_in_seoul(stored)]
    return stored, draw(st.sampled_from(around + [day + dt.timedelta(days=1) for day in around])).isoformat()


@given(stored_and_subscribed_days(), optional_dates)
def test_unsubscribe_is_never_undone_around_its_day(stored_and_subscribed, unsubscribed_at):
    stored, subscribed_at = stored_and_subscribed
    kept = kept_unsubscribed_at(stored, subscribed_at, unsubscribed_at)
    assert kept == brute_unsubscribed_at(stored, subscribed_at, unsubscribed_at)


@given(stored_values, optional_dates, optional_dates)
def test_unsubscribe_is_never_undone(stored, subscribed_at, unsubscribed_at):
    kept = kept_unsubscribed_at(stored, subscribed_at, unsubscribed_at)
    assert kept == brute_unsubscribed_at(stored, subscribed_at, unsubscribed_at)
    if stored is not None and kept is None:  # re-subscribed: only by a later subscription
        assert dt.date.fromisoformat(subscribed_at) > day_in_seoul(stored)


def test_import_keeps_a_collector_unsubscribe(tmp_path, store):
    path = write(tmp_path / "s.csv", csv_text(GOOD))
    load(store, path)
    assert store.unsubscribe("S1", "2025-06-01T10:00:00+09:00")
    report = load(store, path)
    assert store.subscriber("S1").unsubscribed_at == "2025-06-01T10:00:00+09:00"
    assert (report.unchanged, report.updated) == (1, 0)
    write(path, csv_text(dict(GOOD, subscribed_at="2025-06-01")))
    load(store, path)
    assert store.subscriber("S1").unsubscribed_at == "2025-06-01T10:00:00+09:00"
    write(path, csv_text(dict(GOOD, subscribed_at="2025-09-01")))
    report = load(store, path)
    assert report.updated == 1 and store.subscriber("S1").subscribed


def test_import_applies_an_unsubscribe_from_the_file(tmp_path, store):
    path = write(tmp_path / "s.csv", csv_text(GOOD))
    load(store, path)
    write(path, csv_text(dict(GOOD, unsubscribed_at="2025-01-02")))
    assert load(store, path).updated == 1
    assert store.subscriber("S1").unsubscribed_at == "2025-01-02"


def test_import_keeps_a_subscription_begun_after_the_files_unsubscribe(tmp_path, store):
    """The mirror of SPEC §4's rule, on both backends: a reader who signed up
    again on the form (subscribed_at a date-time) after the unsubscribe an
    older export records stays subscribed, since then; an unsubscribe on the
    day of the subscription or later applies."""
    path = write(tmp_path / "s.csv", csv_text(dict(GOOD, unsubscribed_at="2025-01-02")))
    load(store, path)
    store.put_subscriber(replace(store.subscriber("S1"), subscribed_at="2025-03-01T10:00:00+09:00", unsubscribed_at=None))
    for _again in range(2):
        load(store, path)
        assert (store.subscriber("S1").subscribed_at, store.subscriber("S1").unsubscribed_at) == (
            "2025-03-01T10:00:00+09:00", None)
    write(path, csv_text(dict(GOOD, unsubscribed_at="2025-03-01")))
    load(store, path)
    assert store.subscriber("S1").unsubscribed_at == "2025-03-01"


def test_the_sms_opt_out_the_file_does_not_name_is_kept(tmp_path, store):
    path = write(tmp_path / "s.csv", csv_text(GOOD, dict(GOOD, id="S2", email="lee@example.com")))
    load(store, path)
    store.db.execute("UPDATE subscribers SET sms_unsubscribed_at = '2025-01-01'")
    write(path, csv_text(dict(GOOD, name="김민서2"), dict(GOOD, id="S2", email="lee2@example.com")))
    report = load(store, path)
    assert report.updated == 2
    same_email, new_email = store.subscriber("S1"), store.subscriber("S2")
    assert same_email.name == "김민서2" and new_email.email == "lee2@example.com"
    assert same_email.sms_unsubscribed_at == new_email.sms_unsubscribed_at == "2025-01-01"


# --- the file ----------------------------------------------------------------------------


def test_columns_in_any_order(tmp_path, store):
    columns = list(reversed(COLUMNS))
    path = write(tmp_path / "s.csv", csv_text(GOOD, columns=columns))
    assert load(store, path).added == 1
    assert store.subscriber("S1").dong == "seongsu1ga1"


def test_header_names_are_trimmed_and_case_insensitive(tmp_path, store):
    text = csv_text(GOOD).replace("id,name", " ID , Name", 1)
    assert load(store, write(tmp_path / "s.csv", text)).added == 1


@pytest.mark.parametrize("columns, message", [
    ([c for c in COLUMNS if c != "dong"], 's.csv:1: column "dong" is missing; the header must name these columns, '
                                          "in any order: id, name, email, phone, birth_year, gender, dong, fields, "
                                          "channels, kind, business_type, subscribed_at, unsubscribed_at"),
    ([("emial" if c == "email" else c) for c in COLUMNS], 's.csv:1: unknown column "emial"; did you mean "email"? '
                                                          "The header must name these columns, in any order: id,"),
    (list(COLUMNS) + ["note"], 's.csv:1: unknown column "note"; the header must name these columns, in any order: id,'),
    # a committee's column added to the export, headed in Korean: was "unknown column" and the list alone
    ([c for c in COLUMNS if c != "groups"] + ["모임"], 's.csv:1: unknown column "모임"; did you mean "groups"?'),
    ([c for c in COLUMNS if c != "groups"] + ["소속 단체"], 's.csv:1: unknown column "소속 단체"; did you mean "groups"?'),
    (list(COLUMNS) + ["email"], 's.csv:1: column "email" is in the header 2 times; name each column once'),
])
def test_header_problems_name_the_column(tmp_path, store, columns, message):
    path = write(tmp_path / "s.csv", csv_text(GOOD, columns=columns))
    with pytest.raises(SotongError) as caught:
        load(store, path)
    assert len(caught.value.problems) == 1 and str(caught.value.problems[0]).startswith(message), caught.value.problems
    assert store.count_subscribers() == 0


@pytest.mark.parametrize("first_line", [
    "아이디,이름,이메일,휴대전화,출생연도,성별,행정동,분야,채널,구분,업종,가입일,해지일",  # a dong office's header, in Korean
    None,  # no header: the first row is a subscriber
])
def test_a_header_of_no_known_column_is_one_line_giving_the_header(tmp_path, store, first_line):
    header, row = csv_text(GOOD).splitlines()
    path = write(tmp_path / "s.csv", f"{first_line or row}\r\n{row}\r\n", "cp949")
    with pytest.raises(SotongError) as caught:
        load(store, path)
    assert [str(problem) for problem in caught.value.problems] == [
        "s.csv:1: the first line names none of the columns: its names are in Korean, or the file has no header; "
        "make the first line this header, in English, the columns in any order: " + header.removesuffix(",groups")]
    assert store.count_subscribers() == 0


@pytest.mark.parametrize("separator, said", [("\t", "tabs"), (";", "semicolons")])
def test_a_file_separated_by_tabs_or_semicolons_says_how_to_save_it(tmp_path, store, separator, said):
    path = write(tmp_path / "s.csv", csv_text(GOOD).replace(",", separator))
    with pytest.raises(SotongError) as caught:
        load(store, path)
    assert [str(problem) for problem in caught.value.problems] == [
        f's.csv:1: the columns are separated by {said}, not commas; in Excel save the file as "CSV UTF-8 (쉼표로 분리)"']


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_a_file_excel_saved_as_unicode_text_says_how_to_save_it(tmp_path, store, encoding):
    path = write(tmp_path / "s.csv", "\ufeff" * (encoding == "utf-16-be") + csv_text(GOOD).replace(",", "\t"), encoding)
    said = ['s.csv:1: the file is UTF-16 text (Excel\'s "유니코드 텍스트"), not a CSV; '
            'in Excel save it as "CSV UTF-8 (쉼표로 분리)"']
    with pytest.raises(SotongError) as caught:
        load(store, path)
    assert [str(problem) for problem in caught.value.problems] == said
    with pytest.raises(SotongError) as caught:
        decode(path.read_bytes(), "s.csv")
    assert [str(problem) for problem in caught.value.problems] == said


def test_the_header_again_of_files_put_together_is_skipped(tmp_path, store):
    """Dong offices' files put together, each with its header (the second
    one's BOM too, as copy a.csv+b.csv makes it)."""
    header, row = csv_text(GOOD).splitlines()
    text = f"{header}\r\n{row}\r\n\ufeff{header}\r\n{row.replace('S1,', 'S2,', 1)}\r\n {header.upper()},\r\n"
    report = load(store, write(tmp_path / "s.csv", text))
    assert (report.added, report.rejected, report.problems) == (2, 0, [])


def test_the_header_again_in_another_order_imports_nothing(tmp_path, store):
    header, row = csv_text(GOOD).splitlines()
    other = csv_text(GOOD, columns=list(reversed(COLUMNS))).replace("S1", "S2")
    with pytest.raises(SotongError) as caught:
        load(store, write(tmp_path / "s.csv", f"{header}\r\n{row}\r\n{other}"))
    assert [str(problem) for problem in caught.value.problems] == [
        "s.csv:3: this line is a header again, its columns in another order than line 1's (files put together?), "
        "so the rows after it would go into the wrong columns; put every file's columns in the order of line 1, "
        "or import the files one by one: nothing was imported"]
    assert store.count_subscribers() == 0


def test_an_empty_file_asks_for_the_header(tmp_path, store):
    with pytest.raises(SotongError, match=r"s.csv:1: the file is empty; its first line must be the header: id, name"):
        load(store, write(tmp_path / "s.csv", ""))


def test_bad_rows_are_reported_by_physical_line_and_the_others_imported(tmp_path, store):
    rows = [
        dict(GOOD, id="S1", name="여러 줄\n이름"),  # lines 2-3
        dict(GOOD, id="S2", email="kim@@naver.com"),  # line 4
        {},  # line 5: blank, skipped
        dict(GOOD, id="S3", phone="010-1234-5678", channels="sms"),  # line 6
        dict(GOOD, id="S4", dong="seongsu9"),  # line 7
    ]
    path = write(tmp_path / "subscribers.csv", csv_text(*rows))
    report = load(store, path)
    assert [str(p) for p in report.problems] == [
        "subscribers.csv:4: email is not a valid email address; check the cell for typos (two @, a space, no domain), "
        "e.g. name@example.com",
        'subscribers.csv:7: dong "seongsu9" is not a dong in audiences.yaml; did you mean "seongsu2ga3"?',
    ]
    assert (report.added, report.rejected) == (2, 2)
    assert store.subscriber("S1").name == "여러 줄\n이름"
    assert store.subscriber("S2") is None and store.subscriber("S4") is None


def test_duplicate_ids_name_both_lines_and_neither_is_imported(tmp_path, store):
    path = write(tmp_path / "s.csv", csv_text(GOOD, dict(GOOD, id="S2"), dict(GOOD, name="다른 사람")))
    report = load(store, path)
    assert [str(p) for p in report.problems] == [
        's.csv:2: id "S1" is also on line 4; an id may appear only once: keep the right row and delete the others',
        's.csv:4: id "S1" is also on line 2; an id may appear only once: keep the right row and delete the others',
    ]
    assert (report.added, report.rejected) == (1, 2)
    assert store.subscriber("S1") is None and store.subscriber("S2") is not None


def test_rows_with_extra_or_missing_cells(tmp_path, store):
    header, good_line = csv_text(GOOD, columns=[c for c in COLUMNS if c != "groups"]).splitlines()
    text = f"{header},,\r\n{good_line},,\r\n"  # Excel's empty columns at the end: fine
    text += good_line.replace("S1", "S2") + ",,\r\n"
    text += good_line.replace("S1", "S3").replace("김민서", "성수동, 2층") + ",,\r\n"  # unquoted comma
    text += "S4,이름,,,,,,bulletin\r\n"  # too short
    text += "S5,이름,,,,,,bulletin,,,,,,,x\r\n"  # a cell under a column without a name
    report = load(store, write(tmp_path / "s.csv", text))
    assert [str(p) for p in report.problems] == [
        's.csv:4: the row has 16 cells but the header has 15 columns; put a cell that holds a comma '
        'in double quotes, e.g. "성수동, 2층"',
        "s.csv:5: the row has 8 cells but the header has 15 columns; write a cell for every column, "
        "an empty one as nothing between two commas",
        "s.csv:6: the row has a cell under a column without a name; name the column in the header or empty the cell",
    ]
    assert report.added == 2 and report.rejected == 3


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp949"])
def test_utf8_with_or_without_bom_and_cp949(tmp_path, store, encoding):
    path = write(tmp_path / "s.csv", csv_text(GOOD, BUSINESS), encoding)
    report = load(store, path)
    assert (report.added, report.rejected) == (2, 0), report.problems
    assert store.subscriber("S1").name == "김민서" and store.subscriber("B1").name == "성수식당"


def test_a_file_in_another_encoding_is_refused_with_its_line():
    data = csv_text(GOOD).encode("utf-8") + "S2,Müller\r\n".encode("latin-1")
    with pytest.raises(SotongError, match=r"s.csv:3: byte 0xFC on this line is neither UTF-8 nor CP949 text"):
        decode(data, "s.csv")


def test_a_bad_byte_in_a_cp949_file_is_named_on_its_own_line():
    rows = [dict(GOOD, id=f"S{i}") for i in range(1, 5)]
    data = csv_text(*rows).encode("cp949").replace(b"S3,", b"S3\x80,")  # line 4
    with pytest.raises(SotongError, match=r"s.csv:4: byte 0x80 on this line is neither UTF-8 nor CP949 text"):
        decode(data, "s.csv")


def test_read_records_line_numbers_count_quoted_line_breaks():
    text = csv_text(dict(GOOD, name="a\nb\nc"), dict(GOOD, id="S2"))
    records, problems = read_records(text, "s.csv")
    assert problems == [] and [line for line, _ in records] == [2, 5]


# --- counts, export, round trip -------------------------------------------------------------


def test_counts_added_updated_unchanged(tmp_path, store):
    path = write(tmp_path / "s.csv", csv_text(GOOD, dict(GOOD, id="S2")))
    report = load(store, path)
    assert (report.added, report.updated, report.unchanged, report.rejected) == (2, 0, 0, 0)
    write(path, csv_text(GOOD, dict(GOOD, id="S2", fields="bulletin"), dict(GOOD, id="S3")))
    report = load(store, path)
    assert (report.added, report.updated, report.unchanged, report.rejected) == (1, 1, 1, 0)
    assert store.subscriber("S2").fields == frozenset({"bulletin"})
    assert report.summary() == "1 added, 1 updated, 1 unchanged, 0 rejected"


def rows_of(path: Path, encoding="utf-8-sig") -> list[dict]:
    with open(path, encoding=encoding, newline="") as handle:
        return list(csv.DictReader(handle))


def test_export_then_import_round_trip(tmp_path, store):
    generated = generate_population(400, AUDIENCES, seed=7, year=THIS_YEAR)
    source = tmp_path / "in.csv"
    from sotong.population import write_csv

    write_csv(source, generated)
    report = load(store, source)
    assert (report.added, report.rejected) == (400, 0), report.problems[:3]
    store.unsubscribe(generated[0]["id"], "2026-05-05T09:00:00+09:00")  # as the collector does

    exported = tmp_path / "out.csv"
    assert export_csv(store, exported) == 400
    assert exported.read_bytes().startswith(b"\xef\xbb\xbf")
    back = rows_of(exported)
    assert list(back[0]) == list(COLUMNS)
    assert back[0]["unsubscribed_at"] == "2026-05-05"
    assert back[1:] == generated[1:]

    again = load(store, exported)
    assert (again.added, again.updated, again.unchanged, again.rejected) == (0, 0, 400, 0)
    assert store.subscriber(generated[0]["id"]).unsubscribed_at == "2026-05-05T09:00:00+09:00"


def test_export_in_cp949(tmp_path, store):
    load(store, write(tmp_path / "s.csv", csv_text(GOOD, BUSINESS)))
    exported = tmp_path / "out.csv"
    export_csv(store, exported, "cp949")
    assert [row["name"] for row in rows_of(exported, "cp949")] == ["성수식당", "김민서"]


def test_export_in_cp949_names_a_subscriber_it_cannot_hold(tmp_path, store):
    load(store, write(tmp_path / "s.csv", csv_text(GOOD, dict(GOOD, id="S2", name="김😀"))))
    exported = tmp_path / "out.csv"
    with pytest.raises(SotongError, match=r'out.csv: subscriber "S2" has characters that cp949 cannot hold \("😀"\)'):
        export_csv(store, exported, "cp949")
    assert not exported.exists()  # nothing half-written


# --- the synthetic population ----------------------------------------------------------------


def test_generator_is_deterministic_by_seed():
    first = generate_population(500, AUDIENCES, seed=3, year=THIS_YEAR)
    assert first == generate_population(500, AUDIENCES, seed=3, year=THIS_YEAR)
    assert first != generate_population(500, AUDIENCES, seed=4, year=THIS_YEAR)


@pytest.fixture(scope="module")
def population():
    return generate_population(20_000, AUDIENCES, seed=11, year=THIS_YEAR)


def share(rows, test) -> float:
    return sum(1 for row in rows if test(row)) / len(rows)


def test_population_shape(population):
    persons = [r for r in population if r["kind"] == "person"]
    businesses = [r for r in population if r["kind"] == "business"]
    assert len(persons) / len(population) == pytest.approx(77_000 / 82_400, abs=0.01)
    assert all(r["birth_year"] == r["gender"] == "" and r["business_type"] in AUDIENCES.business_types
               for r in businesses)
    ages = [THIS_YEAR - int(r["birth_year"]) for r in persons]
    assert min(ages) >= 15 and max(ages) <= 90
    assert share(persons, lambda r: THIS_YEAR - int(r["birth_year"]) >= 65) == pytest.approx(0.2, abs=0.05)
    assert share(persons, lambda r: r["gender"] == "F") == pytest.approx(0.515, abs=0.02)
    assert Counter(r["dong"] for r in population).keys() == AUDIENCES.dongs.keys()
    assert share(population, lambda r: bool(r["unsubscribed_at"])) == pytest.approx(0.03, abs=0.006)
    assert all(r["unsubscribed_at"] > r["subscribed_at"] for r in population if r["unsubscribed_at"])
    assert all(r["subscribed_at"] < f"{THIS_YEAR}-01-01" for r in population)
    assert len({r["id"] for r in population}) == len(population)


def test_population_consent_shares(population):
    def consent(rows, field):
        return share(rows, lambda r: field in r["fields"].split(";"))

    persons = [r for r in population if r["kind"] == "person"]
    for field in ("bulletin", "health", "culture", "living", "education", "library", "survey", "tax"):
        assert consent(population, field) == pytest.approx(FIELD_SHARES[field], abs=0.02), field
    for field in ("school", "idcard"):
        assert consent(persons, field) == pytest.approx(FIELD_SHARES[field], abs=0.01), field
    parents_age = [r for r in persons if 30 <= THIS_YEAR - int(r["birth_year"]) <= 59]
    others = [r for r in persons if not 30 <= THIS_YEAR - int(r["birth_year"]) <= 59]
    assert consent(parents_age, "education") > consent(others, "education") + 0.1
    called_up = [r for r in persons if r["gender"] == "M" and 20 <= THIS_YEAR - int(r["birth_year"]) <= 40]
    assert consent(called_up, "civildefense") == pytest.approx(0.10, abs=0.02)
    called_up_ids = {r["id"] for r in called_up}
    assert all("civildefense" not in r["fields"] for r in population if r["id"] not in called_up_ids)
    assert all(r["fields"] for r in population)


def test_population_channels_and_addresses(population):
    assert share(population, lambda r: "sms" in r["channels"]) == pytest.approx(0.85, abs=0.02)
    assert share(population, lambda r: "email" in r["channels"]) == pytest.approx(0.45, abs=0.02)
    assert all(r["channels"] for r in population)
    for r in population:
        assert bool(r["email"]) == ("email" in r["channels"])
        assert bool(r["phone"]) == ("sms" in r["channels"])
    emails = [r["email"] for r in population if r["email"]]
    assert len(set(emails)) == len(emails)
    assert all(re.fullmatch(r"[a-z]+\.\d+@example\.(com|net|org)", e) for e in emails)
    phones = [r["phone"] for r in population if r["phone"]]
    assert len(set(phones)) == len(phones)
    assert all(re.fullmatch(r"010-\d{4}-\d{4}", p) for p in phones)


def test_every_generated_row_passes_the_import_rules(population):
    assert all(check_row(row, AUDIENCES, THIS_YEAR)[1] == [] for row in population[:3000])


# --- the commands, as the operator runs them ------------------------------------------------


def test_cli_import_counts_and_exit_codes(project_dir, sotong):
    write(project_dir / "ok.csv", csv_text(GOOD, BUSINESS))
    result = sotong(project_dir, "subscribers", "import", "ok.csv")
    assert result.code == 0, result.output
    assert result.stdout.strip() == "ok.csv: 2 added, 0 updated, 0 unchanged, 0 rejected."

    write(project_dir / "bad.csv", csv_text(dict(GOOD, fields="bulletin"), dict(GOOD, id="S3", channels="sms", phone="")),
          "cp949")
    result = sotong(project_dir, "subscribers", "import", "bad.csv")
    assert result.code == 1
    assert "Traceback" not in result.output
    assert result.stderr.strip() == "bad.csv:3: channel sms needs a phone number in the phone column"
    assert result.stdout.strip() == "bad.csv: 0 added, 1 updated, 0 unchanged, 1 rejected."

    write(project_dir / "header.csv", csv_text(GOOD, columns=[c for c in COLUMNS if c != "unsubscribed_at"]))
    result = sotong(project_dir, "subscribers", "import", "header.csv")
    assert result.code == 1 and result.stderr.startswith('header.csv:1: column "unsubscribed_at" is missing')

    result = sotong(project_dir, "subscribers", "export", "--encoding", "cp949", "out.csv")
    assert result.code == 0, result.output
    assert [r["id"] for r in rows_of(project_dir / "out.csv", "cp949")] == ["B1", "S1"]

    result = sotong(project_dir, "subscribers", "export", "output/subscribers.csv")
    assert result.code == 1 and "is published on the web, and subscribers are private" in result.stderr
    assert not (project_dir / "output" / "subscribers.csv").exists()


def test_cli_bad_command_lines_exit_2(project_dir, sotong):
    assert sotong(project_dir, "subscribers", "import").code == 2
    assert sotong(project_dir, "subscribers", "import", "missing.csv").code == 2
    assert sotong(project_dir, "subscribers", "export", "--encoding", "latin1", "x.csv").code == 2
    assert sotong(project_dir, "subscribers", "generate", "--count", "-5", "x.csv").code == 2


def test_cli_generate_writes_an_importable_population(project_dir, sotong):
    result = sotong(project_dir, "subscribers", "generate", "--count", "250", "--seed", "5", "pop.csv")
    assert result.code == 0, result.output
    data = (project_dir / "pop.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    assert len(rows_of(project_dir / "pop.csv")) == 250
    result = sotong(project_dir, "subscribers", "import", "pop.csv")
    assert result.code == 0 and "250 added" in result.stdout, result.output


def test_sample_subscribers_import_cleanly(tmp_path, store):
    report = import_csv(store, REPO / "sample" / "subscribers.csv", AUDIENCES, THIS_YEAR)
    assert (report.added, report.rejected) == (300, 0), report.problems[:3]


# The import's fast path for plain ASCII addresses (issue #16) decides only what
# email_validator accepts unchanged; everything else still gets the full check.

_ADDRESS_PARTS = st.text(alphabet="abzAZ09._+-!@", min_size=0, max_size=12)
_DOMAIN_ENDS = st.sampled_from(["", ".com", ".co.kr", ".c", ".x1", ".test", ".localhost", ".Org", ".xn--3e0b707e",
                                ".a-.com", "-a.com", "..com", "." + "a" * 64 + ".com"])


@settings(max_examples=400)
@given(local=_ADDRESS_PARTS, domain=_ADDRESS_PARTS, end=_DOMAIN_ENDS, long_local=st.integers(0, 70))
def test_the_fast_path_accepts_only_what_email_validator_accepts_unchanged(local, domain, end, long_local):
    from email_validator import EmailNotValidError, validate_email

    from sotong.subscribers import plain_address

    for address in (f"{local}@{domain}{end}", f"{'a' * long_local}{local}@{domain.lower()}{end}", local + end):
        decided = plain_address(address)
        if decided is not None:
            try:
                assert validate_email(address, check_deliverability=False).normalized == decided == address
            except EmailNotValidError as exc:
                raise AssertionError(f"{address!r}: the fast path accepts what email_validator refuses: {exc}")


def test_the_fast_path_decides_the_usual_addresses():
    from sotong.population import generate_population
    from sotong.subscribers import plain_address

    rows = generate_population(300, AUDIENCES, seed=5, year=2026)
    addresses = [row["email"] for row in rows if row["email"]]
    assert addresses and all(plain_address(address) == address for address in addresses)
    assert plain_address("kim.minji+news@seongdong.go.kr") == "kim.minji+news@seongdong.go.kr"


# --- streaming: the file read piece by piece, rows written in batches (issue #16) ---------------


@settings(max_examples=25, deadline=None)
@given(lines=st.lists(st.binary(max_size=12).map(lambda b: b.replace(b"\n", b"")), min_size=1, max_size=8),
       text=st.text(alphabet="가나다abc,;\r", max_size=20), encoding=st.sampled_from(["utf-8", "cp949"]),
       piece=st.integers(1, 16))
def test_the_file_read_in_pieces_decides_as_decode_does(tmp_path_factory, lines, text, encoding, piece):
    """file_encoding (a MiB at a time, cut at line breaks) reads a file as
    decode reads it whole: the same codec, or the same FILE:LINE and byte."""
    from unittest.mock import patch

    import sotong.file_parts as file_parts
    import sotong.subscribers as subscribers

    data = text.encode(encoding) + b"\n" + b"\n".join(lines)
    path = tmp_path_factory.mktemp("enc") / "s.csv"
    path.write_bytes(data)
    with patch.object(file_parts, "_PIECE_BYTES", piece):  # pieces of a few bytes: many cuts
        try:
            expected = decode(data, "s.csv")
        except SotongError as refused:
            with pytest.raises(SotongError) as found:
                subscribers.file_encoding(path, "s.csv")
            assert [str(p) for p in found.value.problems] == [str(p) for p in refused.problems]
        else:
            assert data.decode(subscribers.file_encoding(path, "s.csv")) == expected


def test_an_import_counts_and_refuses_as_one_reading(tmp_path, store):
    """Rows are staged as they are read: an id repeated after its first row
    was staged is still refused on both lines, and every row is counted once."""
    rows = [dict(GOOD, id=f"S{n}", email=f"s{n}@example.com") for n in range(1, 8)] + [dict(GOOD, id="S2")]
    report = load(store, write(tmp_path / "s.csv", csv_text(*rows)))
    assert (report.added, report.rejected) == (6, 2)
    assert [(p.line, "also on" in p.message) for p in report.problems] == [(3, True), (9, True)]
    logged = [row[0] for row in store.db.execute("SELECT subscriber_id FROM consent_log ORDER BY id")]
    assert logged == ["S1", "S3", "S4", "S5", "S6", "S7"]  # S2, staged before its repeat was read, undone
    again = load(store, write(tmp_path / "t.csv", csv_text(*rows[:7], dict(GOOD, id="S9"))))
    assert (again.added, again.unchanged, again.updated) == (2, 6, 0)  # S2, refused before, and S9 are new


# --- the row checker of a whole file (issue #16): positional, its answers kept by the stripped text ----------

_CELL_CHOICES = {
    "id": ["S1", " S2 ", "", "=S3"], "name": ["김민서", " ", ""], "email": ["kim@example.com", " Kim@Example.COM", "", "x@"],
    "phone": ["010-1234-5678", "+82 10 1234 5678 ", "", "123"], "birth_year": ["1980", " 1980", "", "3000", "x"],
    "gender": ["F", "여 ", "", "Q"], "dong": ["seongsu1ga1", " seongsu1ga1", "", "nowhere"],
    "fields": ["culture;health", " culture ", "", "culture,health"], "channels": ["email;sms", "email", "sms ", "", "fax"],
    "kind": ["person", " business", "", "firm"], "business_type": ["", "food-service", " nope"],
    "subscribed_at": ["2024-03-05", " 2024-03-05", "", "2024/3/5"], "unsubscribed_at": ["", "2024-02-30"],
    "groups": ["", "committee-budget", " 통장협의회 ", "nogroup", None],
}


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.fixed_dictionaries({column: st.sampled_from(choices) for column, choices in _CELL_CHOICES.items()}),
                     min_size=1, max_size=12))
def test_one_checker_for_a_file_answers_as_a_checker_per_row(rows):
    """The checker of a file keeps each rule's answer by the cells' stripped
    text: a row checked after others gets the same values and messages as
    when it is checked alone; the values are the row's columns, in order."""
    from sotong.subscribers import RowChecker

    checker = RowChecker(AUDIENCES, THIS_YEAR)
    for cells in rows:
        cells = {column: cell for column, cell in cells.items() if cell is not None}  # None: no groups column
        alone, alone_errors = check_row(cells, AUDIENCES, THIS_YEAR)
        values, errors = checker.check_values(cells)
        assert errors == alone_errors
        assert (values is None) == (alone is None) == bool(errors)
        if values is not None:
            assert values == tuple(alone[column] for column in COLUMNS)
            assert alone["groups"] is None if "groups" not in cells else isinstance(alone["groups"], str)
