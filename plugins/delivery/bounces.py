"""Late bounces in the journal (SPEC §14): each bounce mail attributed by
its return path (verp.py) to a reader and a bundle, recorded once (keyed by
the mail itself), scored as bounce_rules says, and an email address marked
invalid once its score reaches ``BOUNCE_SCORE_LIMIT``. SMS failures from the
agency's result file are recorded and scored the same way, and so are the
emails the mail server refused for good during ``sotong send`` (read from
the journal's failed rows after the run, one bounce per message; they are
no late bounces, so the send and issue reports, which list those, leave
them out: they are the journal's failed messages there).

A bounce row keeps ids, never addresses: only a digest of the address the
reader had, so that a corrected address starts again from nothing.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Iterable

from sotong.i18n import _
from sotong.mail import HEADER_END
from sotong.notices import SEOUL
from sotong.problems import one_line
from sotong.store import register_schema

from .bounce_rules import Verdict, bounce_score, refusal_verdict, verdict_of_bytes
from .marks import ADDRESS_COLUMN, address_digest, ensure as ensure_marks, mark_invalid as mark_addresses_invalid
from .rules import redact_addresses
from .verp import Known, ReturnPath, read_return_path

SCHEMA = """
CREATE TABLE IF NOT EXISTS delivery_bounces (
    id INTEGER PRIMARY KEY,
    source_key TEXT NOT NULL UNIQUE,  -- digest of the bounce mail, or of the SMS result row
    outbox TEXT NOT NULL,
    subscriber_id TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    kind TEXT NOT NULL CHECK (kind IN ('hard', 'soft')),
    day TEXT NOT NULL,                -- YYYY-MM-DD in Seoul, when it bounced
    status TEXT,
    reason TEXT,
    address_digest TEXT NOT NULL,     -- of the address it bounced from, never the address
    recorded_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS delivery_bounces_by_reader ON delivery_bounces (subscriber_id, channel);
CREATE INDEX IF NOT EXISTS delivery_bounces_by_outbox ON delivery_bounces (outbox);
"""
# An SMS failure's key is sms:OUTBOX:READER:TIME (the reader's id makes a
# re-import of the same result file count nothing twice); once the reader is
# forgotten it becomes sms:OUTBOX:forgotten:ROW, which names no one.
SMS_KEY_OF_FORGOTTEN = "UPDATE delivery_bounces SET source_key = 'sms:' || outbox || ':forgotten:' || id WHERE source_key LIKE 'sms:%' AND "
# Step 2: the SMS failures of readers forgotten before forget rewrote their keys.
FORGOTTEN_SMS_KEYS = SMS_KEY_OF_FORGOTTEN + (
    "NOT EXISTS (SELECT 1 FROM subscribers WHERE subscribers.id = delivery_bounces.subscriber_id);")
register_schema("delivery_bounces", SCHEMA, FORGOTTEN_SMS_KEYS)
REFUSED = "refused:"  # the source keys of refusals during sotong send: refused:OUTBOX:MESSAGE_ID
LATE = f"source_key NOT LIKE '{REFUSED}%'"  # SQL: a bounce read after sending, not a refusal during it
RETURN_PATH_HEADERS = ("Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To", "To")
_ADDRESS_HEADERS = re.compile(rb"(?im)^(" + b"|".join(n.encode() for n in RETURN_PATH_HEADERS) + rb"):(.*(?:\r?\n[ \t].*)*)")


@functools.lru_cache(maxsize=8)
def _candidates(bounce_address: str) -> re.Pattern:
    """Addresses that may be VERP forms of ``bounce_address``."""
    local = re.escape(bounce_address.rpartition("@")[0].encode())
    return re.compile(rb"(?i)" + local + rb"\+[A-Za-z0-9_=.-]+@[A-Za-z0-9.-]+")


def ensure(store):
    store.upgrade("delivery_bounces")
    return ensure_marks(store)


def sms_key(outbox: str, subscriber_id: str, time: str) -> str:
    """The source key of an SMS failure the agency reported at ``time``."""
    return f"sms:{outbox}:{subscriber_id}:{time}"


def forget_sms_keys(store, subscriber_id: str, **_context) -> dict[str, int]:
    """Receiver of ``sotong.signals.person_erasing`` (inside forget's
    transaction): the reader's SMS failures stay (forget gives them a
    stand-in id) under keys without their id. Deletes nothing: ``{}``."""
    if "delivery_bounces" in store.tables():
        store.db.execute(SMS_KEY_OF_FORGOTTEN + "subscriber_id = ?", (subscriber_id,))
    return {}


@dataclass(frozen=True)
class Bounce:
    source_key: str
    return_path: ReturnPath
    verdict: Verdict
    day: str


@dataclass
class Sorted:
    """What reading a mailbox found."""

    bounces: list = field(default_factory=list)  # (handle, Bounce)
    unattributed: int = 0  # no return path of ours, or a forged tag: left alone
    not_bounces: int = 0  # ours, but an auto-reply or a person's answer: left alone


def return_path_of(headers: bytes, bounce_address: str, known: Known = Known()) -> ReturnPath | None:
    """The genuine return path a mail (its header block) was sent to, if any:
    the first address in Delivered-To, X-Original-To, Envelope-To,
    X-Envelope-To or To that is one (``known``: the stored spellings of a
    lower-cased one's parts). Read with a regex: the bounce address's VERP
    forms hold no quotes or comments, and most mails are not ours."""
    candidate = _candidates(bounce_address)
    by_name: dict[bytes, list] = {}
    for match in _ADDRESS_HEADERS.finditer(headers):
        by_name.setdefault(match.group(1).lower(), []).append(match.group(2))
    for name in RETURN_PATH_HEADERS:
        for value in by_name.get(name.lower().encode(), ()):
            for address in candidate.findall(value):
                found = read_return_path(bounce_address, address.decode("ascii"), known)
                if found:
                    return found
    return None


def may_be_ours(headers: bytes, bounce_address: str, known: Known = Known()) -> bool:
    """Whether a mail with these headers was sent to one of our return paths
    (a genuine one): only then is its whole text read."""
    return return_path_of(headers, bounce_address, known) is not None


def _day(message, today: str) -> str:
    try:
        when = parsedate_to_datetime(str(message.get("Date")))
    except (TypeError, ValueError, IndexError):
        return today
    if when is None or when.tzinfo is None:
        return today
    return min(when.astimezone(SEOUL).date().isoformat(), today)


def read_bounce(data: bytes, bounce_address: str, today: str, known: Known = Known()) -> Bounce | ReturnPath | None:
    """A Bounce; or the ReturnPath alone when the mail is ours but no bounce;
    or None when it is not ours (or its tag is forged)."""
    end = HEADER_END.search(data)
    return_path = return_path_of(data[:end.start()] if end else data, bounce_address, known)
    if return_path is None:
        return None
    verdict, message = verdict_of_bytes(data)
    if verdict is None:
        return return_path
    message_id = str(message.get("Message-ID") or "").strip()
    key = hashlib.sha256(message_id.encode() if message_id else data).hexdigest()
    # one_line: whoever wrote the mail wrote the reason, escape sequences for the staff's terminal too
    reason = Verdict(verdict.kind, verdict.status, one_line(redact_addresses(verdict.reason))[:500])
    return Bounce(f"mail:{key}", return_path, reason, _day(message, today))


def sort_mails(mails: Iterable, bounce_address: str, today: str, on_mail=lambda: None, known: Known = Known()) -> Sorted:
    """Each mail read: a bounce of ours, ours but no bounce, or not ours."""
    found = Sorted()
    for mail in mails:
        on_mail()
        result = read_bounce(mail.data, bounce_address, today, known)
        if result is None:
            found.unattributed += 1
        elif isinstance(result, ReturnPath):
            found.not_bounces += 1
        else:
            found.bounces.append((mail.handle, result))
    return found


class StoredSpellings:
    """The store's subscriber ids and the journal's outboxes by their lower
    case, each read once when a lower-cased return path first asks (verp.py)."""

    def __init__(self, store):
        self.store = store
        self.known = Known(ids=self._ids, outboxes=self._outboxes)

    @functools.cached_property
    def _ids_by_lower(self) -> dict[str, list[str]]:
        return _by_lower(row[0] for row in self.store.db.execute("SELECT id FROM subscribers"))

    @functools.cached_property
    def _outboxes_by_lower(self) -> dict[str, list[str]]:
        if "delivery_messages" not in self.store.tables():
            return {}
        return _by_lower(row[0] for row in self.store.db.execute("SELECT DISTINCT outbox FROM delivery_messages"))

    def _ids(self, lowered: str) -> list[str]:
        return self._ids_by_lower.get(lowered, [])

    def _outboxes(self, lowered: str) -> list[str]:
        return self._outboxes_by_lower.get(lowered, [])


def _by_lower(texts: Iterable[str]) -> dict[str, list[str]]:
    """Texts by their lower case, only those it changes (the others read as written)."""
    found: dict[str, list[str]] = {}
    for text in texts:
        if text != text.lower():
            found.setdefault(text.lower(), []).append(text)
    return found


def readers_addresses(store, subscriber_ids: set[str]) -> dict[str, tuple]:
    """id -> (email, phone) of those ``subscriber_ids`` the store knows
    (a forgotten reader's is not there)."""
    wanted = sorted(subscriber_ids)
    addresses = {}
    for start in range(0, len(wanted), 500):
        condition, chunk = store.one_of("id", wanted[start:start + 500])
        for row in store.db.execute(f"SELECT id, email, phone FROM subscribers WHERE {condition}", chunk):
            addresses[row["id"]] = (row["email"], row["phone"])
    return addresses


def addresses_when_sent(store, rows: list[tuple]) -> dict[tuple[str, str, str], str]:
    """(outbox, subscriber_id, channel) -> the address the message went to,
    of the ``rows`` (as :func:`record` takes them) whose reader changed it
    since the message was sent: the consent log's old value of the first
    change after it (a bounce arriving after a resident corrected their
    address is the old one's)."""
    found: dict[tuple[str, str, str], str] = {}
    if "delivery_messages" not in store.tables():  # no send yet: bounces of no message of ours
        return found
    by_outbox: dict[str, set] = {}
    for row in rows:
        by_outbox.setdefault(row[1], set()).add(row[2])
    for outbox, readers in sorted(by_outbox.items()):
        readers = sorted(readers)
        for start in range(0, len(readers), 500):
            found.update(_changed_since_sent(store, outbox, readers[start:start + 500]))
    return found


def _changed_since_sent(store, outbox: str, readers: list[str]) -> dict[tuple[str, str, str], str]:
    """:func:`addresses_when_sent` of some ``readers`` of ``outbox``: their
    messages' times, then their consent log (indexed by reader)."""
    condition, params = store.one_of("subscriber_id", readers)
    sent = {(row[0], row[1]): row[2] for row in store.db.execute(
        f"SELECT subscriber_id, channel, sent_at FROM delivery_messages WHERE outbox = ? AND {condition}"
        " AND sent_at IS NOT NULL", (outbox, *params))}
    channels = {column: channel for channel, column in ADDRESS_COLUMN.items()}
    first: dict[tuple[str, str, str], str | None] = {}
    for row in store.db.execute("SELECT subscriber_id, field, changed_at, old_value FROM consent_log_columns"
                                f" WHERE {condition} AND field IN ({', '.join(map(repr, channels))}) ORDER BY id, position", params):
        when = sent.get((row[0], channels[row[1]]))
        if when and row[2] > when:
            first.setdefault((outbox, row[0], channels[row[1]]), row[3])
    return {key: old for key, old in first.items() if old is not None}


def record(store, rows: list[tuple], now: str) -> int:
    """Insert (source_key, outbox, subscriber_id, channel, kind, day, status, reason)
    rows once each, with the digest of the address the message went to (the
    reader's current one unless :func:`addresses_when_sent` says otherwise);
    the number new. A row of a reader the store no longer knows (forgotten
    since the send) is left out: no row names them again."""
    addresses, then = readers_addresses(store, {row[2] for row in rows}), addresses_when_sent(store, rows)
    known = [(*row, address_digest(then.get(row[1:4], addresses[row[2]][0 if row[3] == "email" else 1])), now)
             for row in rows if row[2] in addresses]
    return store.db.executemany(
        "INSERT OR IGNORE INTO delivery_bounces (source_key, outbox, subscriber_id, channel, kind, day, status, reason,"
        " address_digest, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", known).rowcount if known else 0


def record_refusals(store, outbox: str, now: str) -> tuple[set[str], int]:
    """The emails of ``outbox`` the mail server refused for good (the
    journal's failed rows) whose answer speaks of the address
    (:func:`refusal_verdict`), recorded as bounces on the day of the answer,
    once per message however often this runs; the readers refused and the
    number new."""
    rows = []
    for row in store.db.execute("SELECT id, subscriber_id, answer_stage, answer_code, answer_text, updated_at"
                                " FROM delivery_messages WHERE outbox = ? AND channel = 'email' AND state = 'failed'",
                                (outbox,)):
        verdict = refusal_verdict(row["answer_stage"], row["answer_code"], row["answer_text"])
        if verdict is not None:
            rows.append((f"{REFUSED}{outbox}:{row['id']}", outbox, row["subscriber_id"], "email", verdict.kind,
                         row["updated_at"][:10], verdict.status, verdict.reason[:500]))
    return {row[2] for row in rows}, record(store, rows, now) if rows else 0


def score_refusals(store, outbox: str, limit: float, now: str) -> list[str]:
    """After a send: :func:`record_refusals` of ``outbox``, and the addresses
    whose score reached ``limit`` flagged (:func:`mark_invalid`); the ids newly flagged."""
    with ensure(store).transaction():
        readers, _new = record_refusals(store, outbox, now)
        return mark_invalid(store, readers, limit, now)


SHOWN_IDS = 20  # readers named on a terminal line; sotong send report names every one


def listed_ids(ids: list[str]) -> str:
    """``ids`` as one terminal line names them: the first :data:`SHOWN_IDS`,
    then how many more (the first send after a year of dead addresses flags
    thousands)."""
    if len(ids) <= SHOWN_IDS:
        return ", ".join(ids)
    return _("{ids} and {more} more").format(ids=", ".join(ids[:SHOWN_IDS]), more=len(ids) - SHOWN_IDS)


def flagged_line(flagged: list[str], limit: float) -> str:
    """What a command says of the email addresses it flagged by their score."""
    return _("Flagged {count:,} email addresses as invalid (bounce score {limit:g} or more); bundles skip them until the address is changed: ").format(
        count=len(flagged), limit=limit) + listed_ids(flagged)


def scores(store, channel: str, subscriber_ids: Iterable[str]) -> dict[str, float]:
    """Each reader's bounce score on ``channel``, from the bounces of the
    address they have now (only ``subscriber_ids``' rows read, not every subscriber's)."""
    at = 0 if channel == "email" else 1  # the address's place in readers_addresses' pairs
    current = {subscriber_id: address_digest(addresses[at])
               for subscriber_id, addresses in readers_addresses(store, set(subscriber_ids)).items()}
    if not current:  # as after a send none of whose emails was refused: no subscriber or bounce read
        return {}
    days: dict[str, list] = {subscriber_id: [] for subscriber_id in current}
    for row in store.db.execute("SELECT subscriber_id, day, kind, address_digest FROM delivery_bounces WHERE channel = ?",
                                (channel,)):
        if row["subscriber_id"] in current and row["address_digest"] == current[row["subscriber_id"]]:
            days[row["subscriber_id"]].append((row["day"], row["kind"]))
    return {subscriber_id: bounce_score(found) for subscriber_id, found in days.items()}


def mark_invalid(store, subscriber_ids: Iterable[str], limit: float, now: str, channel: str = "email") -> list[str]:
    """Flag the email addresses (or phone numbers) whose score on ``channel``
    reached ``limit``, so that bundles skip them; the ids newly flagged."""
    over = sorted(i for i, score in scores(store, channel, subscriber_ids).items() if score >= limit)
    reason = f"bounce score reached {limit:g}"
    return mark_addresses_invalid(store, channel, [(i, reason) for i in over], now)
