"""The e-communication subscriber CSV (SPEC §4) and its way in and out of the
store: ``sotong subscribers import`` and ``sotong subscribers export``.

Reading checks every cell and says, for each bad row, ``FILE:LINE:`` what is
wrong and what to write instead; good rows are upserted by id in one
transaction. The rules on single values (:func:`normalize_phone`,
:func:`kept_unsubscribed_at`, :func:`check_row`) are pure functions.

Messages name the row (its line) and the column, never an email address or
a phone number: error output is kept and shared, and it must not hold them.

Decisions beyond the SPEC: ``gender`` also accepts 여/남, 여자/남자, 여성/남성,
female/male and f/m, stored as F/M; a business row may not have a
``birth_year`` or ``gender``; every row has as many cells as the header
(Excel writes them all); blank rows are skipped. Email, phone, birth year
and dates are read as the sign-up form reads them (:func:`typed`: a Korean
keyboard's full-width ０１０－１２３４ as 010-1234); a phone of digits only
that starts with 1 is read with the 0 Excel dropped (1012345678: the cell
was a number), the only way Excel writes a number that starts with 0.
The mirror of SPEC §4's rule: a row's ``unsubscribed_at`` does not end a
stored subscription that began on a later day (a sign-up on the form, or a
restart on the preferences page, since the unsubscribe the row records):
:func:`kept_subscription`.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import functools
import io
import json
import logging
import operator
import os
import re
import shutil
import sqlite3
import tempfile
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import email_validator
from email_validator import EmailNotValidError, validate_email

from . import spreadsheet
from .atomic import replacing_text
from .file_parts import WHOLE, FilePart, cut, in_processes, part_text, peak_kilobytes, pieces
from .audiences import GENDER_WORDS, Audiences, resolve_key
from .dates import ISO_DAY, iso_day
from .i18n import N_, _
from .invisible import UNSTORABLE, trimmed
from .problems import Problem, SotongError, cannot_read, closest, did_you_mean, os_reason, suggested
from .progress import tracked
from .store import (PURGED_VALUES, READER_CHANNELS, SCRATCH_STAGED, SUBSCRIBER_COLUMNS, Store, join_keys,
                    scratch_staging_table, seoul_day, sqlite_reason)

log = logging.getLogger(__name__)
COLUMNS = SUBSCRIBER_COLUMNS
OPTIONAL_COLUMNS = ("groups",)  # SPEC §16: a file without it leaves the stored groups as they are
KINDS = ("person", "business")
# The CLI's --encoding choices: "utf-8" is written with a BOM, as Excel needs to read it.
ENCODINGS = {"utf-8": "utf-8-sig", "cp949": "cp949"}
MOBILE_PREFIXES = ("010", "011", "016", "017", "018", "019")
EARLIEST_BIRTH_YEAR = 1900

_PHONE_SEPARATORS = re.compile(r"[\s\-.()]")
# 2024/3/5, 2024.3.5, 2024년 3월 5일, 2024. 3. 5., with a time or not (2024-03-05 9:15, as Excel shows a date-time)
_LOOSE_DATE = re.compile(r"(\d{4})\s*[./년-]\s*(\d{1,2})\s*[./월-]\s*(\d{1,2})\s*[.일]?(?:\s*T?\s*\d{1,2}:\d{2}(?::\d{2})?)?")
_EXCEL_DAY = re.compile(r"\d{5}", re.ASCII)  # a date Excel wrote as its serial number (45356: 2024-03-05)
_EXCEL_DAY_ZERO = dt.date(1899, 12, 30)  # Excel's day 0, past its 1900 leap-year bug
_WRITTEN_AS_STORED = re.compile(r"010-\d{4}-\d{4}|01[16789]-\d{3,4}-\d{4}", re.ASCII)  # normalize_phone's own form
_YEAR = re.compile(r"\d{4}", re.ASCII)  # not ١٩٨٥: int() would read other scripts' digits
_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"))
_EXPONENT = re.compile(r"\d(?:\.\d+)?E\+\d+", re.ASCII | re.IGNORECASE)  # 1.01E+10: Excel's number


# --- rules on single values ----------------------------------------------------


def typed(text: str) -> str:
    """An address or number as meant: full-width letters, digits and signs
    (a Korean keyboard's 전각 mode) as the ASCII ones, any dash as ``-``,
    without what shows nothing at its ends (a number copied from a phone's
    contacts comes wrapped in U+202A and U+202C, an address may end in U+200B)."""
    return trimmed(unicodedata.normalize("NFKC", text).translate(_DASHES))


def _as_typed(text: str) -> str:
    """:func:`typed` of a cell, at no cost for the ASCII ones (nearly all)."""
    return text if text.isascii() else typed(text)


def normalize_phone(text: str) -> str | None:
    """A Korean mobile number as ``010-1234-5678``, or None when ``text`` is not one.

    Accepts ``010-1234-5678``, ``01012345678``, ``010 1234 5678``,
    ``+82 10 1234 5678``, ``+82-10-...``, ``82 10 ...`` and ``+82 010 ...``.
    010 numbers have 8 digits after the prefix; the old 011/016/017/018/019
    numbers 7 or 8.
    """
    if _WRITTEN_AS_STORED.fullmatch(text):
        return text
    digits = _PHONE_SEPARATORS.sub("", text)
    if digits.startswith("+"):
        digits = digits[1:]
        if not digits.startswith("82"):
            return None
    if not digits.isascii() or not digits.isdigit():
        return None
    if digits.startswith("82"):
        digits = "0" + digits[2:].removeprefix("0")
    prefix, rest = digits[:3], digits[3:]
    if prefix not in MOBILE_PREFIXES or len(rest) not in ((8,) if prefix == "010" else (7, 8)):
        return None
    return f"{prefix}-{rest[:-4]}-{rest[-4:]}"


_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*@((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63})")


def plain_address(text: str) -> str | None:
    """``text`` when it is a plain ASCII address that email_validator accepts
    as it is (a dot-atom of letters, digits, _ + - before the @, a lower-case
    domain of letter-digit-hyphen labels with no "--", a letter TLD, not a
    special-use name, within the length limits); None when undecided."""
    match = _PLAIN_ADDRESS.fullmatch(text)
    if match is None or len(text) > 254 or text.index("@") > 64 or not _plain_domain(match.group(1)):
        return None
    return text


@functools.lru_cache(maxsize=4096)  # a file's addresses share few domains
def _plain_domain(domain: str) -> bool:
    """No "--" in the domain, and not a special-use name."""
    return "--" not in domain and not any(domain == name or domain.endswith("." + name)
                                          for name in email_validator.SPECIAL_USE_DOMAIN_NAMES)


def normalized_email(text: str) -> str:
    """The address as stored (email_validator's normalized form); raises
    EmailNotValidError. Plain ASCII addresses skip the full check (a third
    of an import's time), which accepts them unchanged."""
    return plain_address(text) or validate_email(text, check_deliverability=False).normalized


def normalize_gender(text: str) -> str | None:
    """``F`` or ``M`` for the words a form or a person may write, else None."""
    return GENDER_WORDS.get(text.strip().lower())


def kept_unsubscribed_at(stored: str | None, imported_subscribed_at: str | None,
                         imported_unsubscribed_at: str | None) -> str | None:
    """The ``unsubscribed_at`` to store when a row is imported over a stored one.

    An import never re-subscribes someone who unsubscribed: a stored
    ``unsubscribed_at`` stays unless the imported ``subscribed_at`` is a later
    day (they subscribed again in the e-communication system). The stored
    value may be a date or a date-time (the collector's); its day in Seoul
    counts, as the CSV's dates are Seoul's.
    """
    if stored is None:
        return imported_unsubscribed_at
    if imported_subscribed_at is not None and imported_subscribed_at[:10] > seoul_day(stored):
        return imported_unsubscribed_at
    return stored


def kept_subscription(stored_subscribed_at: str | None, stored_unsubscribed_at: str | None,
                      imported_unsubscribed_at: str | None) -> bool:
    """Whether a stored subscription stays when a row is imported over it
    with an ``unsubscribed_at``: when it began on a later day than that
    unsubscribe (they signed up again on the form, or started again on
    their preferences page, after it). An older export records an
    unsubscribe that their later consent ended; one on the day of the
    subscription or later still applies. The mirror of
    :func:`kept_unsubscribed_at`, days in Seoul as there."""
    if stored_unsubscribed_at is not None or stored_subscribed_at is None or imported_unsubscribed_at is None:
        return False
    return seoul_day(stored_subscribed_at) > imported_unsubscribed_at[:10]


def purged_and_still_unsubscribed(merged: tuple, stored: tuple | None) -> bool:
    """Whether an imported row is left out rather than stored: the store
    holds only the id and the unsubscribe time of that person (their data
    was destroyed a week after they unsubscribed, ``sotong subscribers
    purge``) and the row does not subscribe them again (``merged``, the row
    :func:`merged_row` makes, is still unsubscribed). The office's system may
    list them for long after; their details must not come back."""
    if stored is None or stored[_UNSUBSCRIBED_AT] is None or merged[_UNSUBSCRIBED_AT] is None:
        return False
    return all(value in (None, "") for column, value in zip(COLUMNS, stored) if column in PURGED_VALUES)


def check_row(cells: dict, audiences: Audiences, this_year: int) -> tuple[dict | None, list[str]]:
    """One CSV row (column -> cell text) checked against SPEC §4.

    Returns the values to store (None when the row is wrong) and one message
    per mistake, each saying what is wrong and what to write instead.
    """
    return RowChecker(audiences, this_year).check(cells)


_KEPT_ANSWERS = 20_000  # the answers a RowChecker keeps for one rule, at most
Texts = tuple[tuple, bool]  # a row's cells as the texts of COLUMNS in order, and whether it has groups
_CELLS = operator.itemgetter(*COLUMNS)  # a row's cells in the columns' order
_CELLS_BUT_GROUPS = operator.itemgetter(*COLUMNS[:-1])  # a file without the groups column (the last one)


def _texts_of(cells: dict) -> Texts:
    """The texts of COLUMNS in a row of column -> cell (groups "" when it
    has none; a missing cell or None read as ""), and whether it has groups."""
    has_groups = "groups" in cells
    try:
        texts = _CELLS(cells) if has_groups else _CELLS_BUT_GROUPS(cells) + ("",)
    except KeyError:  # a row of some columns only
        return tuple(cells.get(column) or "" for column in COLUMNS), has_groups
    return (tuple(text or "" for text in texts) if None in texts else texts), has_groups


def _texts_by_position(names: list[str]) -> Callable[[list[str]], Texts]:
    """For a file whose header is ``names``: what :func:`_texts_of` makes of
    a row, read from its list of cells by position (no dict per row)."""
    has_groups = "groups" in names
    cells_of = operator.itemgetter(*(names.index(column) for column in COLUMNS if has_groups or column != "groups"))
    missing = () if has_groups else ("",)
    return lambda cells: (cells_of(cells) + missing, has_groups)


class RowChecker:
    """:func:`check_row` for the rows of one file. Cells of few possible
    values (kind, business type, gender and birth year together; fields;
    channels; a date; groups) get the same answer every time, so each answer
    is worked out once, kept by the cells' text, and its messages repeated."""

    def __init__(self, audiences: Audiences, this_year: int):
        self.audiences, self.this_year = audiences, this_year
        self._rules = (self._person, self._dong, self._fields, _channel_keys, _subscribed_at_cell,
                       _unsubscribed_at_cell, self._groups)
        # per rule: cells' text -> answer
        self._answers = tuple(_KeptAnswers(functools.partial(self._work_out, rule)) for rule in range(len(self._rules)))

    def _work_out(self, rule: int, text) -> tuple[Any, tuple[str, ...]]:
        """The answer of rule number ``rule`` for the stripped cell ``text``
        (a tuple of them for the person rule), an empty one read as None:
        (what to store, its messages)."""
        found: list[str] = []
        cell = tuple(part or None for part in text) if rule == 0 else text or None
        return self._rules[rule](cell, found), tuple(found)

    def check(self, cells: dict) -> tuple[dict | None, list[str]]:
        """The row to store as column -> value (None when it is wrong) and its messages."""
        values, errors = self.check_values(cells)
        return (None if values is None else dict(zip(COLUMNS, values))), errors

    def check_values(self, cells: dict) -> tuple[tuple | None, list[str]]:
        """The row to store as the values of COLUMNS (None when it is wrong)
        and its messages, in the columns' order; groups None when ``cells``
        has no groups."""
        return self.check_texts(*_texts_of(cells))

    def check_texts(self, texts: tuple, has_groups: bool) -> tuple[tuple | None, list[str]]:
        """:meth:`check_values` of a row's cells as the texts of COLUMNS in
        order (groups "" when the row has none). (Each rule's answer is
        looked up here, not through a method: this runs for every row.)"""
        (key, name, email, phone, birth_year, gender, dong, fields, channels, kind, business_type,
         subscribed_at, unsubscribed_at, groups) = map(str.strip, texts)
        errors: list[str] = []
        person, dong_answers, field_answers, channel_answers, subscribed, unsubscribed, group_answers = self._answers
        if not key or spreadsheet.looks_like_formula(key) or not key.isprintable():
            _id_cell(key or None, errors)
        if not name.isprintable() or "\ufffd" in name:
            name = _name_cell(name, errors)
        (birth_year, gender, kind, business_type), found = person[kind, business_type, gender, birth_year]
        errors += found
        dong, found = dong_answers[dong]
        errors += found
        fields, found = field_answers[fields]
        errors += found
        (channels, chosen), found = channel_answers[channels]
        errors += found
        email = _email_cell(email, chosen, errors) if email or "email" in chosen else None
        phone = _phone_cell(phone, chosen, errors) if phone or "sms" in chosen else None
        subscribed_at, found = subscribed[subscribed_at]
        errors += found
        unsubscribed_at, found = unsubscribed[unsubscribed_at]
        errors += found
        if has_groups:
            groups, found = group_answers[groups]
            errors += found
        else:
            groups = None
        if errors:
            return None, errors
        return (key, name or None, email, phone, birth_year, gender, dong, fields, channels, kind, business_type,
                subscribed_at, unsubscribed_at, groups), errors

    def _person(self, cells: tuple, errors: list) -> tuple:
        """birth_year, gender, kind and business_type (in the columns' order),
        which depend on the kind."""
        given_kind, business_type, gender, birth_year = cells
        kind = given_kind or "person"
        kind = _kind_cell(kind, errors)
        business_type = _business_type_cell(business_type, kind, self.audiences, errors)
        gender = _gender_cell(gender, kind, errors)
        return _birth_year_cell(birth_year, kind, self.this_year, errors), gender, kind, business_type

    def _dong(self, given: str | None, errors: list) -> str | None:
        if given is not None and given not in self.audiences.dongs:
            errors.append(_not_in("dong", given, self.audiences.dongs, N_("a dong")))
        return given

    def _fields(self, cell: str | None, errors: list) -> str:
        return join_keys(_keys("field", cell, self.audiences.fields, N_("a field"), errors))

    def _groups(self, cell: str | None, errors: list) -> str:
        return join_keys(group_keys(cell, self.audiences.groups, errors))


class _KeptAnswers(dict):
    """One rule's answers by the cells' text: one not known yet is worked
    out by ``work_out(text)`` and kept (up to _KEPT_ANSWERS)."""

    def __init__(self, work_out: Callable[[Any], tuple]):
        super().__init__()
        self.work_out = work_out

    def __missing__(self, text) -> tuple:
        answer = self.work_out(text)
        if len(self) < _KEPT_ANSWERS:
            self[text] = answer
        return answer


def _channel_keys(cell: str | None, errors: list) -> tuple[str, frozenset]:
    """The channels as stored, and as a set."""
    channels = _keys("channel", cell, dict.fromkeys(READER_CHANNELS, ""), None, errors)
    return join_keys(channels), frozenset(channels)


def _date_cell(column: str, text: str | None, errors: list) -> str | None:
    text = text and _as_typed(text)
    if text is not None and iso_day(text) is None:
        errors.append(_date_error(column, text))
    return text


def _subscribed_at_cell(text: str | None, errors: list) -> str | None:
    return _date_cell("subscribed_at", text, errors)


def _unsubscribed_at_cell(text: str | None, errors: list) -> str | None:
    return _date_cell("unsubscribed_at", text, errors)


def _id_cell(given: str | None, errors: list) -> None:
    """The id: required, not what a spreadsheet runs as a formula, and on
    one line with nothing invisible in it (logs, files and the staff's
    terminal name readers by id, one line each)."""
    if given is None:
        errors.append(_("id is empty; write the subscriber's id from the e-communication system"))
    elif not given.isprintable():
        errors.append(_("id holds the invisible character U+{code:04X} (a line break, a tab or a character that shows nothing), which would split the lines that name the subscriber in logs and files; write the id from the e-communication system without it").format(
            code=ord(next(char for char in given if not char.isprintable()))))
    elif spreadsheet.looks_like_formula(given):
        errors.append(_('id "{id}" starts with "{first}", which a spreadsheet runs as a formula; write the id from the e-communication system, which starts with a letter or a digit').format(
            id=given, first=spreadsheet.formula_start(given)))


def _name_cell(name: str, errors: list) -> str:
    """A name that holds more than letters: one that holds what no stored
    text may hold (a direction control, a C1 control, "\ufffd" of text read
    in the wrong code page: :data:`~sotong.invisible.UNSTORABLE`) is refused,
    at its ends too (a U+202E first shows the whole name backwards). The
    reader's preferences page sends their name back, and the collector takes
    none of those from anyone, so they could never save their choices there.
    Else the name without what shows nothing at its ends (U+200B, U+3164)."""
    if found := UNSTORABLE.search(name):
        errors.append(_("name holds U+{code:04X}, an invisible direction or control character or the \"\ufffd\" of text read in the wrong code page, which shows the name out of order or broken in the reader's mail, and which their preferences page cannot send back; delete it from the cell (save the file again as UTF-8 if the name is broken)").format(
            code=ord(found.group())))
    return trimmed(name)


def _kind_cell(kind: str, errors: list) -> str:
    """person (an empty cell) or business."""
    if kind not in KINDS:
        errors.append(_('kind "{kind}" is not person or business{suggestion}; leave it empty for a person').format(
            kind=kind, suggestion=did_you_mean(kind, KINDS)))
    return kind


def _business_type_cell(given: str | None, kind: str, audiences: Audiences, errors: list) -> str | None:
    """A business type of audiences.yaml, for businesses only."""
    if given is not None:
        if kind == "person":
            errors.append(_("business_type is only for businesses; leave it empty, or write business in the kind column"))
        elif given not in audiences.business_types:
            errors.append(_not_in("business_type", given, audiences.business_types, N_("a business type")))
    return given


def _gender_cell(given: str | None, kind: str, errors: list) -> str | None:
    """F or M (or the words of GENDER_WORDS), for persons only."""
    if given is None:
        return None
    gender = normalize_gender(given)
    if gender is None:
        errors.append(_('gender "{gender}" is not F or M; write F (여) or M (남), or leave it empty').format(gender=given))
    elif kind == "business":
        errors.append(_("gender is only for persons; leave it empty for a business"))
    return gender


def _birth_year_cell(year: str | None, kind: str, this_year: int, errors: list) -> int | None:
    """A 4-digit year from EARLIEST_BIRTH_YEAR to this year, for persons only."""
    if year is None:
        return None
    year = _as_typed(year)
    if not _YEAR.fullmatch(year) and (day := _LOOSE_DATE.fullmatch(year)) and iso_day(
            f"{day[1]}-{int(day[2]):02d}-{int(day[3]):02d}"):  # 1960.3.5, the date of birth a form asked for
        errors.append(_('birth_year "{year}" is a date of birth; the column takes only its year: write {meant}').format(
            year=year, meant=day[1]))
    elif not _YEAR.fullmatch(year):
        errors.append(_('birth_year "{year}" is not a 4-digit year; write the whole year of birth, e.g. 1985').format(
            year=year))
    elif int(year) > this_year:
        errors.append(_('birth_year "{year}" is in the future; write the year of birth, e.g. 1985').format(
            year=year))
    elif int(year) < EARLIEST_BIRTH_YEAR:
        errors.append(_('birth_year "{year}" is before {earliest_birth_year}; check the year of birth for a typo').format(
            year=year, earliest_birth_year=EARLIEST_BIRTH_YEAR))
    elif kind == "business":
        errors.append(_("birth_year is only for persons; leave it empty for a business"))
    else:
        return int(year)
    return None


def _email_cell(text: str, channels: frozenset, errors: list) -> str | None:
    """The email cell (stripped, "" when empty), normalized; channel email needs it."""
    if not text:
        if "email" in channels:
            errors.append(_("channel email needs an email address in the email column"))
        return None
    try:
        return normalized_email(_as_typed(text))
    except EmailNotValidError:
        errors.append(_("email is not a valid email address; check the cell for typos (two @, a space, no domain), e.g. name@example.com"))
        return None


def _phone_cell(text: str, channels: frozenset, errors: list) -> str | None:
    """The phone cell (stripped, "" when empty), normalized; channel sms needs it."""
    if not text:
        if "sms" in channels:
            errors.append(_("channel sms needs a phone number in the phone column"))
        return None
    normalized = normalize_phone(text) or spreadsheet_phone(text)  # (the common case first: this runs for every row)
    if normalized is None and _EXPONENT.fullmatch(_as_typed(text)):
        errors.append(_("phone was turned into a number by Excel (written like 1.01E+10), and its last digits are lost; in Excel set the phone column's cell format to text, type the numbers again like 010-1234-5678, and save again"))
    elif normalized is None and "sms" not in channels:  # a paper form's home number (02-2286-5114)
        errors.append(_("phone is not a mobile number, and only SMS uses the phone column (this row has no sms channel); empty the cell, or write a mobile number like 010-1234-5678"))
    elif normalized is None:
        errors.append(_("phone is not a Korean mobile number (010 and 8 digits, or 011, 016-019 and 7 or 8); write it like 010-1234-5678"))
    return normalized


def spreadsheet_phone(text: str) -> str | None:
    """:func:`normalize_phone` of a number as staff's spreadsheets hold it:
    typed full-width (:func:`typed`), or taken by Excel for a number, which
    drops its first 0 (1012345678 for 01012345678)."""
    text = _as_typed(text)
    return normalize_phone(text) or (normalize_phone("0" + text) if text.startswith("1") and text.isdigit() else None)


# what staff list a cell's groups with, instead of ";" (as Excel users and forms list things)
_GROUP_SEPARATORS = re.compile(r"\s*[,，、/|]\s*|\s+")


def group_keys(cell: str | None, groups: dict, errors: list) -> set:
    """The ``;``-separated groups of a cell (SPEC §16), keys or Korean labels;
    a message in ``errors`` for each one audiences.yaml does not define."""
    keys = set()
    for given in (g.strip() for g in (cell or "").split(";")):
        if (key := resolve_key(given, groups)) is not None:  # in any Unicode form (a Mac's file writes 한글 apart)
            keys.add(key)
        elif given:
            errors.append(_unknown_group(given, groups))
    return keys


def _unknown_group(given: str, groups: dict) -> str:
    """What to write for ``given``, no group of ``groups``: the groups it
    lists with another separator, written with ";" (not one misspelled
    group), or the group nearest to it, its key or Korean name."""
    parts = [part for part in _GROUP_SEPARATORS.split(given) if part]
    if len(parts) > 1 and all(resolve_key(part, groups) is not None for part in parts):
        return _('groups "{cell}" are not separated by ";"; separate them with ";": {meant}').format(
            cell=given, meant=";".join(parts))
    if "," in given:  # as Excel users list things: not one misspelled group
        return _('{column}s "{cell}" are separated by commas; separate them with ";", e.g. {known}').format(
            column="group", cell=given, known=";".join(list(groups)[:2]))
    hint = did_you_mean(given, groups, labels=True) or (
        _("; write one of: {groups}").format(groups=", ".join(f"{key} ({label})" for key, label in groups.items()))
        if groups else _("; define it under groups: in audiences.yaml"))
    return _('group "{given}" is not a group in audiences.yaml{hint}').format(given=given, hint=hint)


def _not_in(column: str, given: str, known: dict, what: str) -> str:
    """The message for a key that audiences.yaml lacks; ``what`` is untranslated
    (N_), so that a row without mistakes translates nothing."""
    key_of_label = {label: key for key, label in known.items()}
    if given in key_of_label:
        return _('{column} "{given}" is a name, not a key; write "{key_of_label}"').format(
            column=column, given=given, key_of_label=key_of_label[given])
    hint = did_you_mean(given, known)
    if not hint:  # staff write the Korean names: 성수1가 1동, 금호2ㆍ3가동
        near = closest(given, known, labels=True)
        hint = (_('; did you mean "{key}" ({label})?').format(key=key_of_label[near], label=near) if near in key_of_label
                else suggested(near) or _("; write one of: {known}").format(
                    known=", ".join(f"{key} ({label})" for key, label in known.items())))
    return _('{column} "{given}" is not {what} in audiences.yaml{hint}').format(
        column=column, given=given, what=_(what), hint=hint)


def _keys(column: str, cell: str | None, known: dict, what: str | None, errors: list) -> set:
    """The ``;``-separated keys of a cell; a message in ``errors`` for each unknown one."""
    keys = {k.strip() for k in (cell or "").split(";") if k.strip()}
    for key in sorted(keys - set(known)):
        if "," in key:
            errors.append(_('{column}s "{cell}" are separated by commas; separate them with ";", e.g. {known}').format(
                column=column, cell=cell, known=";".join(list(known)[:2])))
        elif what is None:
            from .notices import english_suggestion  # channels as staff write them in Korean (문자;이메일)

            hint = english_suggestion(key, known) or _("; write email, sms, or both as email;sms")
            errors.append(_('{column} "{key}" is not email or sms{hint}').format(
                column=column, key=key, hint=hint))
        else:
            errors.append(_not_in(column, key, known, what))
    return keys & set(known)


def _date_error(column: str, text: str) -> str:
    loose = _LOOSE_DATE.fullmatch(text)
    if loose:
        guess = f"{loose[1]}-{int(loose[2]):02d}-{int(loose[3]):02d}"
        if iso_day(guess):
            return _('{column} "{text}" is not written as YYYY-MM-DD; write "{guess}"').format(
                column=column, text=text, guess=guess)
    if _EXCEL_DAY.fullmatch(text) and dt.date(2000, 1, 1) <= (day := _EXCEL_DAY_ZERO + dt.timedelta(int(text))) < dt.date(2100, 1, 1):
        return _('{column} "{text}" is a date Excel wrote as a number; in Excel set the column\'s cell format to date, or write "{guess}"').format(
            column=column, text=text, guess=day.isoformat())
    if ISO_DAY.fullmatch(text):
        return _('{column} "{text}" is not a day of the calendar; check the month and the day').format(
            column=column, text=text)
    return _('{column} "{text}" is not a date; write it as YYYY-MM-DD, e.g. 2024-03-05').format(
        column=column, text=text)


# --- the file --------------------------------------------------------------------


def decode(data: bytes, shown: str) -> str:
    """The file's text: UTF-8 (with or without BOM), else CP949, as Excel writes it.

    When it is neither, the encoding that reads further is the one meant,
    and the line where it stops is the one named. A BOM is no text in either
    encoding, but its bytes count in the offsets (as in :func:`file_encoding`)."""
    bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    stops = []
    for codec in ("utf-8", "cp949"):
        try:
            return data[bom:].decode(codec)
        except UnicodeDecodeError as exc:
            stops.append(bom + exc.start)
    stop = max(stops)
    raise _bad_byte(shown, data[:stop].count(b"\n") + 1, data[stop], data[:2])


def _bad_byte(shown: str, line: int, byte: int, head: bytes) -> SotongError:
    """The file (its first two bytes ``head``) stops being UTF-8 and CP949 text at ``byte``."""
    if head in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):  # Excel's 유니코드 텍스트
        return SotongError([Problem(shown, 1, _('the file is UTF-16 text (Excel\'s "유니코드 텍스트"), not a CSV; in Excel save it as "CSV UTF-8 (쉼표로 분리)"'))])
    return SotongError([Problem(shown, line, _('byte 0x{byte:02X} on this line is neither UTF-8 nor CP949 text; fix the cell, or in Excel save the file as "CSV UTF-8 (쉼표로 분리)"').format(
        byte=byte))])


def _first_bad_byte(path: Path, codec: str) -> int | None:
    """The offset of the first byte that is not ``codec`` text, or None."""
    for offset, piece in pieces(path):
        start = len(codecs.BOM_UTF8) if offset == 0 and piece.startswith(codecs.BOM_UTF8) else 0
        try:
            piece[start:].decode(codec)
        except UnicodeDecodeError as exc:
            return offset + start + exc.start
    return None


# How a ZIP file (.xlsx, .hwpx) and an OLE compound file (.xls, .hwp, .doc) begin.
_DOCUMENTS = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"PK\x03\x04")


def file_encoding(path: Path, shown: str) -> str:
    """The codec to read the file with, by :func:`decode`'s rule, read piece
    by piece (a large file is never held whole). SotongError for a
    workbook or another document given for its CSV (:data:`_DOCUMENTS`)."""
    with path.open("rb") as file:
        if file.read(len(_DOCUMENTS[0])).startswith(_DOCUMENTS):
            raise SotongError([Problem(shown, 1, _('the file is an Excel workbook (.xlsx, .xls) or another document, '
                                                   'not a CSV; open it in Excel, choose 다른 이름으로 저장 and the type '
                                                   '"CSV UTF-8 (쉼표로 분리)", and import that file'))])
    stops = {}
    for codec, reader in (("utf-8", "utf-8-sig"), ("cp949", "cp949")):
        stops[codec] = _first_bad_byte(path, codec)
        if stops[codec] is None:
            return reader
    stop, line = max(stops.values()), 1
    for offset, piece in pieces(path):
        if offset + len(piece) > stop:
            with path.open("rb") as file:
                raise _bad_byte(shown, line + piece.count(b"\n", 0, stop - offset), piece[stop - offset], file.read(2))
        line += piece.count(b"\n")
    raise AssertionError("unreachable: the bad byte is in the file")


def read_records(text: str, shown: str) -> tuple[list[tuple[int, dict]], list[Problem]]:
    """The rows of the CSV text as (line, column -> cell), and the rows that
    cannot be read as problems (see :func:`iter_records`)."""
    problems: list[Problem] = []
    return list(iter_records(io.StringIO(text, newline=""), shown, problems)), problems


def _cells_by_column(names: list[str]) -> Callable[[list[str]], dict]:
    return lambda cells: dict(zip(names, cells))


# C0 control characters but tab, newline and CR: invisible in an editor, and
# PostgreSQL's text cannot hold NUL
CONTROL_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def iter_records(lines: Iterable[str], shown: str, problems: list[Problem],
                 cells_of: Callable[[list[str]], Callable[[list[str]], Any]] = _cells_by_column,
                 ) -> Iterator[tuple[int, Any]]:
    """The rows of the CSV ``lines`` one by one as (line, column -> cell);
    the rows that cannot be read are added to ``problems``. LINE is the
    physical line where the row starts (a quoted cell with a line break takes
    more than one). ``cells_of(names)(cells)`` makes what is yielded, of
    the cells a spreadsheet export neutralized restored (:func:`spreadsheet.restored`).

    A header that misses or mistypes a column raises SotongError.
    """
    reader = csv.reader(lines)
    names = _header(reader, shown)
    yield from _records(reader, names, shown, problems, cells_of(names))


def _header(reader: Iterator[list[str]], shown: str) -> list[str]:
    """The column names of the header, the reader's first row, checked."""
    header = next(spreadsheet.numbered_rows(reader, shown), (1, None))[1]
    if header is None:
        raise SotongError([Problem(shown, 1, _("the file is empty; its first line must be the header: {columns}").format(
            columns=', '.join(COLUMNS)))])
    names = [name.strip().lower() for name in header]
    _check_header(names, shown)
    return names


@dataclass
class Ending:
    """Where the rows of a part of a file end: before the row that starts
    on ``line`` or after (None: at the file's end). ``clean`` is False when
    the part's last row runs on to that line (the part was cut inside a
    quoted cell, so the next part's rows are not the file's), or when a part
    that starts after the file's start has a row the csv module cannot read
    (a cut inside a quoted cell may be its cause): the file is read whole."""

    line: int | None = None
    clean: bool = True


def _records(reader: Any, names: list[str], shown: str, problems: list[Problem],
             row_of: Callable[[list[str]], Any], before: int = 0, ending: Ending | None = None,
             ) -> Iterator[tuple[int, Any]]:
    """:func:`iter_records` of the rows after the header: ``reader`` a
    csv.reader whose lines follow line ``before`` of the file, up to ``ending``."""
    unnamed = [index for index, name in enumerate(names) if not name]
    stop = None if ending is None else ending.line
    columns = len(names)
    for line, cells in spreadsheet.numbered_rows(reader, shown, before):
        if stop is not None and line >= stop:
            ending.clean = line == stop
            return
        joined = "".join(cells)
        if not joined or joined.isspace():
            continue
        if cells[0].lstrip("\ufeff ").lower() in _COLUMN_NAMES and _header_again(cells, names, shown, line):
            continue
        if len(cells) != columns:
            problems.append(_cells_problem(shown, line, len(cells), columns))
            continue
        # (isprintable: no control character at all, the common case, found without the regex)
        if not joined.isprintable() and CONTROL_CHARACTER.search(joined):
            problems.append(_control_character_problem(shown, line, names, cells))
            continue
        if unnamed and any(cells[index].strip() for index in unnamed):
            problems.append(Problem(shown, line, _("the row has a cell under a column without a name; name the column in the header or empty the cell")))
            continue
        if "'" in joined:  # only a cell with a quote can be a neutralized one
            cells = [spreadsheet.restored(cell) for cell in cells]
        yield line, row_of(cells)  # the unnamed "" key is never read
    if stop is not None:  # the part's last row ran on to the file's end
        ending.clean = False


_COLUMN_NAMES = frozenset(COLUMNS)


def _header_again(cells: list[str], names: list[str], shown: str, line: int) -> bool:
    """Whether the row, whose first cell is a column's name, is the header
    again (dong offices' files put together, each with its header): then it
    is skipped. SotongError when it is a header in another order: the rows
    after it would be read into the wrong columns."""
    found = [cell.strip().lstrip("\ufeff").strip().lower() for cell in cells]
    if sum(name in _COLUMN_NAMES for name in found) < 2:  # a subscriber whose id is "dong"
        return False
    while found and not found[-1]:
        found.pop()
    if found == names[:len(found)] and not any(names[len(found):]):
        return True
    raise SotongError([Problem(shown, line, _("this line is a header again, its columns in another order than line 1's (files put together?), so the rows after it would go into the wrong columns; put every file's columns in the order of line 1, or import the files one by one: nothing was imported"))])


def _cells_problem(shown: str, line: int, cells: int, columns: int) -> Problem:
    """The row has ``cells`` cells, not the header's ``columns``."""
    if cells > columns:
        return Problem(shown, line, _('the row has {cells} cells but the header has {columns} columns; put a cell that holds a comma in double quotes, e.g. "성수동, 2층"').format(
            cells=cells, columns=columns))
    return Problem(shown, line, _("the row has {cells} cells but the header has {columns} columns; write a cell for every column, an empty one as nothing between two commas").format(
        cells=cells, columns=columns))


def _control_character_problem(shown: str, line: int, names: list[str], cells: list[str]) -> Problem:
    """The row's first cell that holds a control character, named by its column."""
    column, found = next((name, match) for name, cell in zip(names, cells) if (match := CONTROL_CHARACTER.search(cell)))
    return Problem(shown, line, _("the cell under {column} holds the invisible control character U+{code:04X}, which cannot be stored; delete it from the cell").format(
        column=column or _("a column without a name"), code=ord(found.group())))


_SEPARATORS = {"\t": N_("tabs"), ";": N_("semicolons")}  # Excel's "텍스트 (탭으로 분리)", and Europe's CSV


def _no_known_column(names: list[str], shown: str) -> Problem:
    """The problem of a header that names no column: one cell of columns
    separated by something else than commas, names in Korean, or no header
    (the first row is a subscriber)."""
    named = [name for name in names if name]
    for separator, separators in _SEPARATORS.items():
        if len(named) == 1 and any(part.strip() in COLUMNS for part in named[0].split(separator)):
            return Problem(shown, 1, _('the columns are separated by {separators}, not commas; in Excel save the file as "CSV UTF-8 (쉼표로 분리)"').format(
                separators=_(separators)))
    return Problem(shown, 1, _("the first line names none of the columns: its names are in Korean, or the file has no header; make the first line this header, in English, the columns in any order: {header}").format(
        header=",".join(c for c in COLUMNS if c not in OPTIONAL_COLUMNS)))


# the column of groups as staff head it in Korean, added to the file they exported (SPEC §16)
_GROUPS_COLUMN_WORDS = dict.fromkeys(("모임", "그룹", "단체", "위원회", "소속", "소속모임", "소속단체"), "groups")


def _check_header(names: list[str], shown: str) -> None:
    if not any(name in COLUMNS for name in names):
        raise SotongError([_no_known_column(names, shown)])
    expected = ", ".join(c for c in COLUMNS if c not in OPTIONAL_COLUMNS) + _(" (and optionally groups)")
    problems, suggested = [], set()
    for name in dict.fromkeys(names):
        if name and name not in COLUMNS:
            suggestion = _GROUPS_COLUMN_WORDS.get(name.replace(" ", "")) if "groups" not in names else None
            suggestion = suggestion or closest(name, (c for c in COLUMNS if c not in names))
            suggested.add(suggestion)
            message = (_('unknown column "{name}"; did you mean "{suggestion}"? The header must name these columns, '
                         'in any order: {expected}') if suggestion else
                       _('unknown column "{name}"; the header must name these columns, in any order: {expected}'))
            problems.append(Problem(shown, 1, message.format(name=name, suggestion=suggestion, expected=expected)))
        elif name and names.count(name) > 1:
            problems.append(Problem(shown, 1, _('column "{name}" is in the header {count} times; name each column once').format(
                name=name, count=names.count(name))))
    missing = [name for name in COLUMNS if name not in names and name not in suggested and name not in OPTIONAL_COLUMNS]
    if len(missing) == 1:
        problems.append(Problem(shown, 1, _('column "{name}" is missing; the header must name these columns, in any order: {expected}').format(
            name=missing[0], expected=expected)))
    elif missing:  # one line, not one per column each with the whole list
        problems.append(Problem(shown, 1, _("the columns {names} are missing; the header must name these columns, in any "
                                            "order (a column may be empty): {expected}").format(
            names=", ".join(missing), expected=expected)))
    if problems:
        raise SotongError(problems)


def write_csv(path: str | Path, rows: Iterable[dict], encoding: str = "utf-8") -> int:
    """Write rows (column -> cell) as the SPEC §4 CSV, replacing ``path`` only
    when complete; ``encoding`` is ``utf-8`` (written with a BOM) or ``cp949``.

    Returns the number of rows. SotongError when a cell cannot be written in CP949.
    """
    count = 0
    with replacing_text(path, ENCODINGS.get(encoding.lower(), encoding)) as out:
        writer = spreadsheet.writer(out)  # Excel's dialect: commas, CRLF, quotes where needed
        writer.writerow(COLUMNS)
        for count, row in enumerate(rows, start=1):
            cells = ["" if row.get(c) is None else str(row[c]) for c in COLUMNS]
            try:
                writer.writerow(cells)
            except UnicodeEncodeError as exc:
                raise SotongError([_('{path}: subscriber "{id}" has characters that {encoding} cannot hold ("{characters}"); write the file with --encoding utf-8').format(
                    path=path, id=cells[0], encoding=encoding, characters=exc.object[exc.start:exc.end])]) from None
    return count


# --- import and export -----------------------------------------------------------


@dataclass
class ImportReport:
    """What an import did, and the problems of the rows it rejected."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    purged: int = 0  # rows of purged subscribers, not stored again (:func:`purged_and_still_unsubscribed`)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # rows imported, with something to check

    def summary(self) -> str:
        return (_("{added:,} added, {updated:,} updated, {unchanged:,} unchanged, {rejected:,} rejected").format(
            added=self.added, updated=self.updated, unchanged=self.unchanged, rejected=self.rejected)
            + (_("; {purged:,} left out: unsubscribed, their data destroyed, not stored again").format(purged=self.purged)
               if self.purged else ""))


_PART_LINES = 10_000  # a file of fewer lines than this per job is read in fewer parts


def _ends_in_line_break(path: Path) -> bool:
    """Whether the file's last line ends in a line break (then the line breaks
    counted are its lines; else one line more)."""
    with path.open("rb") as file:
        if not file.seek(0, os.SEEK_END):
            return True
        file.seek(-1, os.SEEK_END)
        return file.read(1) in (b"\n", b"\r")


def import_csv(store: Store, path: str | Path, audiences: Audiences, this_year: int,
               shown: str | None = None, jobs: int = 1) -> ImportReport:
    """Import the CSV file at ``path`` into ``store`` (SPEC §4), row by row,
    so that memory does not grow with the file; cut into ``jobs`` parts
    read, checked and staged by as many processes side by side (the same
    store, messages and report whatever ``jobs``)."""
    path = Path(path)
    shown = shown or str(path)
    try:
        codec = file_encoding(path, shown)
        with path.open(encoding=codec, newline="") as file:
            names = _header(csv.reader(file), shown)
        lines, parts = cut(path, jobs, _PART_LINES)
        rows = max(lines - 1 + (not _ends_in_line_break(path)), 0)  # the progress bar's total: the header is no row
        reading = functools.partial(_part_rows, path, codec, names, shown)
        staged = _staged_parts(store, reading, parts, audiences, this_year, shown, rows)
        if not all(part.ending.clean for part in staged):  # a cut inside a quoted cell: read it whole
            shutil.rmtree(staged[0].scratch.parent, ignore_errors=True)
            staged = _staged_parts(store, reading, [WHOLE], audiences, this_year, shown, rows)
        return _write_staged(store, staged, shown)
    except OSError as exc:
        raise SotongError([Problem(shown, 1, cannot_read(exc))]) from None


def import_records(store: Store, records: Iterable[tuple[int, dict]], audiences: Audiences,
                   this_year: int, shown: str = "rows") -> ImportReport:
    """Check ``records`` (line, column -> cell), then upsert the good rows by id
    in one transaction; rows with a problem, and every row of a repeated id,
    are left out and reported."""
    rows = [(line, _texts_of(cells)) for line, cells in records]
    staged = _staged_parts(store, lambda part, found: iter(rows), [WHOLE], audiences, this_year, shown, len(rows))
    return _write_staged(store, staged, shown)


@dataclass
class _StagedPart:
    """What checking and staging a part of the rows found (see :func:`_stage_part`)."""

    scratch: Path  # the SQLite file of its staged rows (store.scratch_staging_table)
    rejected: int = 0  # rows checked and found wrong
    unreadable: list[Problem] = field(default_factory=list)  # a problem per row that cannot be read
    problems: list[Problem] = field(default_factory=list)  # the checked rows' problems, in line order
    warnings: list[Problem] = field(default_factory=list)
    first_lines: dict[str, int] = field(default_factory=dict)  # each id's first line in the part
    repeated: dict[str, list[int]] = field(default_factory=dict)  # ids on more than one line of the part
    ending: Ending = field(default_factory=Ending)


def _part_rows(path: Path, codec: str, names: list[str], shown: str, part: FilePart,
               found: _StagedPart) -> Iterator[tuple[int, Texts]]:
    """The rows of the file's part (its header checked by the caller) as
    (line, texts); the rows that cannot be read in ``found.unreadable``."""
    found.ending.line = part.end_line
    with path.open("rb") as file:
        reader = csv.reader(part_text(file, part, codec))
        if part.offset == 0:
            next(reader)  # the header
        try:
            yield from _records(reader, names, shown, found.unreadable, _texts_by_position(names),
                                part.first_line - 1, found.ending)
        except SotongError:
            if part.offset == 0:
                raise
            found.ending.clean = False  # perhaps cut inside a quoted cell: the file is read whole


def _staged_parts(store: Store, reading: Callable, parts: list[FilePart], audiences: Audiences, this_year: int,
                  shown: str, rows: int) -> list[_StagedPart]:
    """Each part's rows (``reading(part, found)``) checked and staged into
    a scratch file of its own, by a process of its own when more than one."""
    try:
        folder = Path(tempfile.mkdtemp(prefix="sotong-import-"))
    except OSError as exc:
        raise _no_room(tempfile.tempdir or os.environ.get("TMPDIR", "/tmp"), shown, os_reason(exc)) from None
    scratch_table = scratch_staging_table()

    def stage(part: FilePart, done: Callable[[int], None]) -> _StagedPart:
        found, started, cpu = _StagedPart(folder / f"part{part.number}.db"), time.perf_counter(), time.process_time()
        with _scratch_writes(folder, shown):
            _stage_part(reading(part, found), found, RowChecker(audiences, this_year), scratch_table, shown, done)
        log.info(_("import: lines %s-%s checked and staged in %.2f s (CPU %.2f s) by process %d, its peak %d MB"),
                 part.first_line, part.end_line or "", time.perf_counter() - started, time.process_time() - cpu,
                 os.getpid(), peak_kilobytes() // 1024)
        return found

    try:
        return in_processes(stage, parts, rows, _("Checking rows"))
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def _stage_part(records: Iterable[tuple[int, Texts]], found: _StagedPart, checker: RowChecker, scratch_table: str,
                shown: str, done: Callable[[int], None]) -> None:
    """Check ``records`` and stage the good rows into the scratch file
    ``found.scratch``; what was found into ``found``."""
    scratch = sqlite3.connect(found.scratch, isolation_level=None)
    try:
        scratch.execute("PRAGMA journal_mode = OFF")  # thrown away when written
        scratch.execute("PRAGMA synchronous = OFF")
        scratch.execute("PRAGMA page_size = 65536")  # the largest: a sixteenth of the pages to fill and write
        # 2 MB, after the page size: the default, counted in pages of the default size (500),
        # kept 32 MB of the part's rows in memory
        scratch.execute("PRAGMA cache_size = -2000")
        scratch.execute(scratch_table)
        scratch.execute("BEGIN")
        scratch.executemany(f"INSERT INTO {SCRATCH_STAGED} ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",
                            _checked_rows(records, checker, found, shown, done))
        scratch.execute("COMMIT")
    finally:
        scratch.close()


_NO_ROOM = (sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY)


@contextlib.contextmanager
def _scratch_writes(scratch: Path, shown: str) -> Iterator[None]:
    """Writing the import's scratch files in its folder ``scratch``: SQLite
    finding the temporary folder full or not writable is a SotongError, not
    a traceback."""
    try:
        yield
    except sqlite3.OperationalError as exc:
        if exc.sqlite_errorcode & 0xFF not in _NO_ROOM:
            raise
        raise _no_room(scratch.parent, shown, sqlite_reason(exc)) from None


def _no_room(folder: Path | str, shown: str, reason: str) -> SotongError:
    return SotongError([Problem(shown, 1, _("cannot write the import's working copy of the rows in the temporary folder {folder} ({reason}); make room there, or set TMPDIR to a folder with room, and import again: nothing was imported").format(
        folder=folder, reason=reason))])


_SHOWN_EVERY = 1000  # rows between two counts of the rows done


def _checked_rows(records: Iterable[tuple[int, Texts]], checker: RowChecker, found: _StagedPart, shown: str,
                  done: Callable[[int], None]) -> Iterator[tuple]:
    """The rows to store (the values of COLUMNS) of ``records``; each id's
    lines, the problems and the warnings into ``found``."""
    first_lines, repeated, problems, check = found.first_lines, found.repeated, found.problems, checker.check_texts
    count = 0
    for count, (line, texts) in enumerate(records, start=1):
        key = texts[0][0].strip()
        if key in first_lines:
            repeated.setdefault(key, [first_lines[key]]).append(line)
        elif key:
            first_lines[key] = line
        row, errors = check(*texts)
        if row is None:
            found.rejected += 1
            problems.extend(Problem(shown, line, message) for message in errors)
        else:
            found.warnings.extend(Problem(shown, line, message) for message in _row_warnings(row, checker.audiences))
            yield row
        if count % _SHOWN_EVERY == 0:
            done(count)
    done(count)


def _row_warnings(row: tuple, audiences: Audiences) -> list[str]:
    """What to check about a good row (the values of COLUMNS): an email
    address that few mail servers take, and a reader still subscribed who
    is sent nothing, neither a field nor a group (a committee's roster with
    a member's groups cell left empty: the file has the column)."""
    found = []
    if row[_EMAIL] and not row[_EMAIL].rpartition("@")[0].isascii():  # a domain outside ASCII goes as IDNA
        found.append(_("warning: subscriber {id}'s email address has characters outside ASCII before the @; only a mail server that offers SMTPUTF8 can take it, and sotong send fails it elsewhere; check the address with the reader").format(
            id=row[0]))
    if row[_GROUPS] == "" and not row[_FIELDS] and row[_UNSUBSCRIBED_AT] is None:
        found.append(_("warning: subscriber {id} has neither fields nor groups, so nothing will be sent to them; for a member of a committee or organization, write its group in the groups column, e.g. {group}; else the fields they chose").format(
            id=row[0], group=next(iter(audiences.groups), "committee-budget")))
    return found


def repeated_ids(parts: list[_StagedPart]) -> dict[str, list[int]]:
    """Each id on more than one line of the parts' rows -> its lines, in order."""
    seen: dict[str, int] = {}  # each id's part
    repeated: dict[str, list[int]] = {}
    for number, part in enumerate(parts):
        keys = set(part.repeated)
        if seen:
            keys.update(part.first_lines.keys() & seen.keys())
        for key in keys:
            if key not in repeated and key in seen:
                earlier = parts[seen[key]]
                repeated[key] = list(earlier.repeated.get(key) or [earlier.first_lines[key]])
            repeated.setdefault(key, []).extend(part.repeated.get(key) or [part.first_lines[key]])
        seen.update(dict.fromkeys(part.first_lines, number))
    return repeated


def _write_staged(store: Store, parts: list[_StagedPart], shown: str) -> ImportReport:
    """The report of the staged parts (the rows of a repeated id left out),
    and their rows written over the store by SQL (:meth:`Store.put_staged_subscribers`),
    in one transaction."""
    started, cpu = time.perf_counter(), time.process_time()
    try:
        report, repeated = _report(parts), repeated_ids(parts)
        _leave_out_repeated(report, parts, repeated, shown)
        # Read inside the transaction: an unsubscribe taken by the collector
        # meanwhile must not be overwritten.
        with store.changes_from("csv-import"), store.staged_from([part.scratch for part in parts]) as tables:
            first = not store.has_subscribers()
            report.purged = sum(_keep_stored_values(store, table, first) for table in tables)
            counts = store.put_staged_subscribers(COLUMNS, tables)
        report.added, report.updated, report.unchanged = counts.added, counts.updated, counts.unchanged
    finally:
        shutil.rmtree(parts[0].scratch.parent, ignore_errors=True)
    log.info(_("import: written in %.2f s (CPU %.2f s); the peak of process %d %d MB"), time.perf_counter() - started,
             time.process_time() - cpu, os.getpid(), peak_kilobytes() // 1024)
    return report


def _report(parts: list[_StagedPart]) -> ImportReport:
    """The parts' problems and warnings, their rows rejected."""
    report = ImportReport()
    for part in parts:
        report.rejected += part.rejected + len(part.unreadable)
        report.problems += part.unreadable + part.problems
        report.warnings += part.warnings
    return report


def _leave_out_repeated(report: ImportReport, parts: list[_StagedPart], repeated: dict[str, list[int]],
                        shown: str) -> None:
    """Every row of an id on more than one line rejected, its first message
    naming the other lines; their staged rows deleted."""
    if not repeated:
        report.problems.sort(key=lambda problem: problem.line)
        return
    wrong = {problem.line for problem in report.problems}
    said = []
    for key, lines in repeated.items():
        for line in lines:
            others = [str(n) for n in lines if n != line]
            where = _("line {others}").format(others=others[0]) if len(others) == 1 else _("lines {others}").format(others=', '.join(others))
            said.append(Problem(shown, line, _('id "{key}" is also on {where}; an id may appear only once: keep the right row and delete the others').format(
                key=key, where=where)))
            report.rejected += line not in wrong
    report.problems = sorted(said + report.problems, key=lambda problem: problem.line)  # stable: said first
    left_out = {line for lines in repeated.values() for line in lines}
    report.warnings = [warning for warning in report.warnings if warning.line not in left_out]
    for part in parts:
        with _scratch_writes(part.scratch.parent, shown):
            scratch = sqlite3.connect(part.scratch, isolation_level=None)
            try:
                scratch.execute(f"DELETE FROM {SCRATCH_STAGED} WHERE id IN (SELECT value FROM json_each(?))",
                                (json.dumps(list(repeated)),))
            finally:
                scratch.close()


def _keep_stored_values(store: Store, table: str, first: bool) -> int:
    """What an import keeps of the stored row, applied on the rows staged in
    ``table`` (``first``: nothing is stored): the stored groups when the file has none (NULL), in SQL; and, where an
    ``unsubscribed_at`` is stored, the rules of :func:`merged_row` and
    :func:`purged_and_still_unsubscribed` (the rows of purged readers
    left out). The number of rows left out."""
    if first:  # a first import (nothing stored): nothing to keep
        store.db.execute(f"UPDATE {table} SET groups = '' WHERE groups IS NULL")
        return 0
    store.db.execute(f"UPDATE {table} SET groups = coalesce((SELECT groups FROM subscribers "
                     f"WHERE subscribers.id = {table}.id), '') WHERE groups IS NULL")
    kept, purged = [], []
    both = ", ".join([f"staged.{column}" for column in COLUMNS] + [f"stored.{column}" for column in COLUMNS])
    for row in store.db.execute(
            f"SELECT staged.rowid, {both} FROM {table} AS staged "
            "JOIN subscribers AS stored ON stored.id = staged.id "
            "WHERE stored.unsubscribed_at IS NOT NULL OR staged.unsubscribed_at IS NOT NULL").fetchall():
        position, imported, stored = row[0], tuple(row[1:len(COLUMNS) + 1]), tuple(row[len(COLUMNS) + 1:])
        merged = merged_row(imported, stored)
        if purged_and_still_unsubscribed(merged, stored):
            purged.append((position,))
        elif merged[_SUBSCRIBED_AT:_UNSUBSCRIBED_AT + 1] != imported[_SUBSCRIBED_AT:_UNSUBSCRIBED_AT + 1]:
            kept.append((merged[_SUBSCRIBED_AT], merged[_UNSUBSCRIBED_AT], position))
    store.db.executemany(f"UPDATE {table} SET subscribed_at = ?, unsubscribed_at = ? WHERE rowid = ?", kept)
    store.db.executemany(f"DELETE FROM {table} WHERE rowid = ?", purged)
    return len(purged)


def merged_row(imported: tuple, stored: tuple | None) -> tuple:
    """The store row (the values of the SPEC §4 columns, in order) for an
    imported row over a stored one (None: a new subscriber): the stored
    ``unsubscribed_at`` stays (:func:`kept_unsubscribed_at`), a stored
    subscription later than the row's unsubscribe too (:func:`kept_subscription`), and the stored
    groups when the file has none (None). The columns the import does not
    name stay as stored (the SMS opt-out); what a plugin knows of an address
    (an invalid mark) it keeps for that address, so a changed address is new
    to it."""
    if stored is None:
        return imported if imported[_GROUPS] is not None else (*imported[:_GROUPS], "", *imported[_GROUPS + 1:])
    values = list(imported)
    if kept_subscription(stored[_SUBSCRIBED_AT], stored[_UNSUBSCRIBED_AT], imported[_UNSUBSCRIBED_AT]):
        values[_SUBSCRIBED_AT], values[_UNSUBSCRIBED_AT] = stored[_SUBSCRIBED_AT], None
    else:
        values[_UNSUBSCRIBED_AT] = kept_unsubscribed_at(
            stored[_UNSUBSCRIBED_AT], imported[_SUBSCRIBED_AT], imported[_UNSUBSCRIBED_AT])
    if imported[_GROUPS] is None:
        values[_GROUPS] = stored[_GROUPS]
    values[_GROUPS] = values[_GROUPS] or ""
    return tuple(values)


_EMAIL, _FIELDS, _SUBSCRIBED_AT, _UNSUBSCRIBED_AT, _GROUPS = (COLUMNS.index(column) for column in (
    "email", "fields", "subscribed_at", "unsubscribed_at", "groups"))


def export_csv(store: Store, path: str | Path, encoding: str = "utf-8", public_path: str | Path | None = None) -> int:
    """Write every subscriber of the store to ``path`` with the SPEC §4 columns.

    ``public_path`` (OUTPUT_PATH) is deployed as it is: nothing is written under it.
    """
    if public_path is not None:
        public, target = Path(public_path).resolve(), Path(path).resolve()
        if public == target or public in target.parents:
            raise SotongError([_("{path}: {name}/ is published on the web, and subscribers are private; write the export elsewhere, e.g. private/subscribers.csv").format(
                path=path, name=Path(public_path).name)])

    def rows():
        for record in store.db.execute(f"SELECT {', '.join(COLUMNS)} FROM subscribers ORDER BY id"):
            row = dict(zip(COLUMNS, record))
            for column in ("subscribed_at", "unsubscribed_at"):
                if row[column]:
                    row[column] = seoul_day(row[column])  # the collector stores a date-time
            yield row

    return write_csv(path, tracked(list(rows()), _("Writing rows"), least=10_000), encoding)


__all__ = [
    "COLUMNS", "ENCODINGS", "ImportReport", "check_row", "decode", "export_csv", "import_csv",
    "import_records", "kept_subscription", "kept_unsubscribed_at", "merged_row", "purged_and_still_unsubscribed", "normalize_gender", "normalize_phone",
    "spreadsheet_phone", "typed",
    "read_records", "write_csv",
]
