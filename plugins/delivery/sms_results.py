"""The SMS agency's result file (SPEC §14): ``phone, status, code, time`` per
message, ``status`` delivered or failed, read against the outbox's sms.csv
and recorded in the journal (``delivery_sms_results``, the latest result per
reader); each failure is also a bounce on the SMS channel (bounces.py), hard
unless the agency's code is one of ``SMS_SOFT_CODES`` (a phone switched off,
out of coverage). The whole file is checked first: one wrong line and
nothing is recorded.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from itertools import zip_longest
from pathlib import Path

from sotong import spreadsheet
from sotong.i18n import _
from sotong.notices import SEOUL
from sotong.problems import Problem, SotongError
from sotong.store import register_schema
from sotong.subscribers import decode, normalize_phone, spreadsheet_phone

from . import bounces
from .outbox import sms_csv_rows

COLUMNS = ("phone", "status", "code", "time")
STATUSES = ("delivered", "failed")
# the Korean words agencies head their columns with and report results in
KOREAN_COLUMNS = {"전화번호": "phone", "휴대폰번호": "phone", "수신번호": "phone", "결과": "status", "상태": "status",
                  "코드": "code", "결과코드": "code", "시간": "time", "결과시간": "time", "수신시간": "time"}
KOREAN_STATUSES = {"성공": "delivered", "실패": "failed"}
SCHEMA = """
CREATE TABLE IF NOT EXISTS delivery_sms_results (
    outbox TEXT NOT NULL,
    subscriber_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('delivered', 'failed')),
    code TEXT,
    time TEXT NOT NULL,               -- when the agency says it happened (Asia/Seoul)
    imported_at TEXT NOT NULL,
    PRIMARY KEY (outbox, subscriber_id)
);
"""
register_schema("delivery_sms_results", SCHEMA)  # version 1


@dataclass(frozen=True)
class SmsResult:
    subscriber_id: str
    status: str
    code: str
    time: str  # ISO 8601 with +09:00


def outbox_phones(sms_csv: Path, shown: str) -> dict[str, tuple[str, ...]]:
    """phone (010-1234-5678) -> the ids of the readers texted at it, from an
    outbox's sms.csv (named ``shown`` in a problem: a cell past the csv
    module's limit). Readers may share a number (a family), each with a text
    of their own: a result names the number, so it is each of theirs."""
    if not sms_csv.is_file():
        return {}
    header, rows = sms_csv_rows(decode(sms_csv.read_bytes(), shown), shown)
    if not {"id", "phone"} <= set(header):
        return {}
    readers: dict[str, dict[str, None]] = {}
    for _line, row in rows:
        if "id" in row and (phone := normalize_phone(row.get("phone") or "")):
            readers.setdefault(phone, {})[spreadsheet.restored(row["id"])] = None
    return {phone: tuple(ids) for phone, ids in readers.items()}


_ONE_DIGIT_HOUR = re.compile(r"(?<=\d[ T])(\d:)")  # 2026-11-26 9:03, as Excel writes a time it has read
_DATE_SEPARATORS = re.compile(r"^(\d{4})[./] ?(\d{1,2})[./] ?(\d{1,2})\.?(?=\s|$)")  # 2026.11.26, 2026/11/26, 2026. 11. 26.
_KOREAN_HALF_DAY = re.compile(r"^(\S+) (오전|오후) (\d{1,2})(:\d{2}(?::\d{2})?)$")  # 2026-11-26 오후 3:03:12
_DIGITS_ONLY = re.compile(r"^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?$")  # 20261126090312


def _iso_text(text: str) -> str:
    """A time as agencies and Korean Excel write it, in the ISO form
    fromisoformat reads (what it cannot be made into is left as it is)."""
    text = " ".join(text.split())
    if digits := _DIGITS_ONLY.match(text):
        year, month, day, hour, minute, second = digits.groups()
        return f"{year}-{month}-{day} {hour}:{minute}:{second or '00'}"
    text = _DATE_SEPARATORS.sub(lambda m: f"{m[1]}-{int(m[2]):02}-{int(m[3]):02}", text)
    if half_day := _KOREAN_HALF_DAY.match(text):
        day, noon, hour, rest = half_day.groups()
        if not 1 <= int(hour) <= 12:
            return text
        text = f"{day} {int(hour) % 12 + (12 if noon == '오후' else 0):02}{rest}"
    return _ONE_DIGIT_HOUR.sub(r"0\1", text, count=1)


def parse_time(text: str) -> str | None:
    """``2026-11-26 09:03:12``, ``2026-11-26T09:03``, ``2026-11-26 9:03``,
    ``2026.11.26 09:03``, ``2026/11/26 오후 3:03:12``, ``2026. 11. 26. 오후 3:03:12``, ``20261126090312`` or
    ISO with an offset, as ISO in Seoul."""
    try:
        when = dt.datetime.fromisoformat(_iso_text(text))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=SEOUL)
    return when.astimezone(SEOUL).isoformat(timespec="seconds")


def read_results(text: str, shown: str, phones: dict[str, tuple[str, ...]]) -> tuple[list[SmsResult], list[Problem]]:
    """The results of a result file (a row's for each reader of its number,
    :func:`outbox_phones`), and a problem per wrong line: the line a row
    starts on, and the column, never the phone number it holds."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [_column(name) for name in next(spreadsheet.numbered_rows(reader, shown), (1, ()))[1]]
    except SotongError as error:  # a cell past the csv module's limit
        return [], error.problems
    if not set(COLUMNS) <= set(header):
        return [], [Problem(shown, 1, _("the header must name the columns {columns}; it names {value}").format(
            columns=', '.join(COLUMNS), value=', '.join(h for h in header if h) or 'none'))]
    results, problems = [], []
    for line, row in _rows(reader, header, shown, problems):
        row = {column: cell or "" for column, cell in row.items()}  # a short row's missing cells are None
        phone = spreadsheet_phone(row["phone"])  # the file opened and saved in Excel: its 0 dropped
        status = row["status"].strip().lower()
        status = KOREAN_STATUSES.get(status, status)
        when = parse_time(row["time"])
        if phone is None:
            problems.append(Problem(shown, line, _("the phone column is not a mobile number; write it like 010-1234-5678")))
        elif phone not in phones:
            problems.append(Problem(shown, line, _("the phone column holds a number this outbox did not send to (it is not in its sms.csv); check that the file belongs to this issue")))
        elif status not in STATUSES:
            problems.append(Problem(shown, line, _('status must be delivered or failed, not "{status}"').format(status=row["status"])))
        elif when is None:
            problems.append(Problem(shown, line, _('"{time}" is not a time; write it like 2026-11-26 09:03:12').format(
                time=row["time"])))
        else:
            results.extend(SmsResult(reader, status, row["code"].strip(), when) for reader in phones[phone])
    return results, problems


def _column(name: str) -> str:
    """A header cell as the column it names: English or the agencies' Korean word."""
    name = name.strip().lower()
    return KOREAN_COLUMNS.get(name.replace(" ", ""), name)


def _rows(reader, header: list[str], shown: str, problems: list[Problem]):
    """(the line it starts on, column -> cell) of each row after the header
    (a quoted cell may hold line breaks: a row may take several lines); an
    empty line, or one whose cells are all blank (Excel's ``,,,``), is no row. A row with a cell longer than the csv module reads
    (a double quote never closed) ends them, a problem of its own."""
    try:
        for line, cells in spreadsheet.numbered_rows(reader, shown):
            if any(cell.strip() for cell in cells):
                yield line, dict(zip_longest(header, cells[:len(header)]))
    except SotongError as error:
        problems.extend(error.problems)


@dataclass
class Imported:
    delivered: int = 0
    failed: int = 0
    soft: int = 0
    new_failures: int = 0  # failures not recorded by an earlier import


def ensure(store):
    store.upgrade("delivery_sms_results")
    return bounces.ensure(store)


def of_known_readers(store, results: list[SmsResult]) -> list[SmsResult]:
    """The results whose reader the store knows: a reader forgotten since
    the send (``sotong subscribers forget``) is left out, so that no row
    names them again and their counted result is not counted twice."""
    known = bounces.readers_addresses(store, {result.subscriber_id for result in results})
    return [result for result in results if result.subscriber_id in known]


def handed_over(store, outbox: str, results: list[SmsResult]) -> list[SmsResult]:
    """The results of readers whose SMS of ``outbox`` the journal holds as
    handed over: the reports count those; a reader left out of the send
    (unsubscribed since bundling) has none, though an sms.csv made before
    may have gone to the agency."""
    readers = {row[0] for row in store.db.execute(
        "SELECT subscriber_id FROM delivery_messages WHERE outbox = ? AND channel = 'sms'", (outbox,))}
    return [result for result in results if result.subscriber_id in readers]


def latest(results: list[SmsResult]) -> list[SmsResult]:
    """Each reader's latest result (of two at the same time, the one further
    down the file), as the journal keeps it: the agency's file may hold a
    failure and, after its retry, the delivery of the same message."""
    kept: dict[str, SmsResult] = {}
    for result in results:
        if result.subscriber_id not in kept or result.time >= kept[result.subscriber_id].time:
            kept[result.subscriber_id] = result
    return list(kept.values())


def record_results(store, outbox: str, results: list[SmsResult], soft_codes: frozenset, now: str) -> Imported:
    """Record the results in one transaction: the latest per reader, counted,
    and each failure among them as a bounce."""
    imported = Imported()
    failures = []
    results = latest(results)
    for result in results:
        if result.status == "delivered":
            imported.delivered += 1
            continue
        imported.failed += 1
        kind = "soft" if result.code in soft_codes else "hard"
        imported.soft += kind == "soft"
        failures.append((bounces.sms_key(outbox, result.subscriber_id, result.time), outbox, result.subscriber_id, "sms",
                         kind, result.time[:10], result.code, f"SMS agency: failed {result.code}".strip()))
    with store.transaction() as db:
        db.executemany(
            "INSERT INTO delivery_sms_results VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (outbox, subscriber_id) DO UPDATE"
            " SET status = excluded.status, code = excluded.code, time = excluded.time, imported_at = excluded.imported_at"
            " WHERE excluded.time >= delivery_sms_results.time",
            [(outbox, r.subscriber_id, r.status, r.code, r.time, now) for r in results])
        imported.new_failures = bounces.record(store, failures, now)
    return imported


def sms_result_counts(store, outbox: str) -> dict[str, int]:
    """{delivered: n, failed: n} of an outbox's SMS, as the agency reported them: of the SMS the journal
    holds as handed over, as the issue report counts them (imports made before :func:`handed_over`
    recorded results of SMS left out of the send too)."""
    rows = store.db.execute("SELECT r.status, count(*) FROM delivery_sms_results AS r JOIN delivery_messages AS m"
                            " ON m.outbox = r.outbox AND m.subscriber_id = r.subscriber_id AND m.channel = 'sms'"
                            " WHERE r.outbox = ? GROUP BY 1", (outbox,))
    return {status: count for status, count in rows}
