"""The plugin's tables in the store: sign-ups and address changes waiting
for their confirmation (``subscriptions_pending``), each privacy consent
with the version of the text it was given to (``subscriptions_consents``),
the mails waiting for the mail server (``subscriptions_mail``, each
claimed by the collector whose mail thread hands it over), the phone codes'
texts waiting for the SMS transport (``subscriptions_texts``, each claimed
by the collector whose text thread hands it over, never after its code
expired), the readers
whose preferences link ``POST /p/link`` mailed within AGAIN_SECONDS
(``subscriptions_links_mailed``: an HMAC of their id, no id or address in
clear), and the requests ``SUBSCRIBE_RATE`` counted within its window
(``subscriptions_rate``: an HMAC of the client's address or the reader's
id), all read by every collector on the store.
``sotong subscribers forget`` erases a person's rows of the first three, as of
every table whose name starts with ``subscriptions_`` (and the pending
changes and mails naming their addresses)."""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from dataclasses import dataclass, fields

from sotong.store import Store, now_iso, register_schema, with_rowid

SCHEMA = """
CREATE TABLE IF NOT EXISTS subscriptions_pending (
    id TEXT PRIMARY KEY,              -- random; the confirmation token carries it
    purpose TEXT NOT NULL CHECK (purpose IN ('signup', 'email', 'phone')),
    subscriber_id TEXT,               -- the reader (an address change), or who the sign-up became
    data TEXT NOT NULL,               -- JSON: the sign-up's answers, or the new address
    code_hash TEXT,                   -- phone: sha256 of the 6-digit code
    attempts INTEGER NOT NULL DEFAULT 0,
    expires_at REAL NOT NULL,         -- epoch seconds
    used_at TEXT
);
CREATE TABLE IF NOT EXISTS subscriptions_consents (
    subscriber_id TEXT NOT NULL,
    version TEXT NOT NULL,            -- of the consent text (rules.consent: CONSENT_VERSION/window)
    given_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS subscriptions_mail (
    id TEXT PRIMARY KEY,              -- random
    subscriber_id TEXT,               -- the reader, when there is one yet
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,               -- the text; the message is built when it is sent
    queued_at REAL NOT NULL           -- epoch seconds
);
"""
# Step 2: the times PostgreSQL stores made by step 1 kept as 4-byte REALs, to 128 seconds (two codes
# asked a moment apart had the same time, and the number asked last was not told from the first).
EPOCH_SECONDS_IN_FULL = {"sqlite": "", "postgresql": """
ALTER TABLE subscriptions_pending ALTER COLUMN expires_at TYPE DOUBLE PRECISION;
ALTER TABLE subscriptions_mail ALTER COLUMN queued_at TYPE DOUBLE PRECISION;"""}
# Step 3: the address a pending answer was sent to, in lower case, and the reader's, each looked up at once
# by an index: a sign-up or a change sent again a moment later (AGAIN_SECONDS) is found among a burst's thousands.
SENT_TO = """
ALTER TABLE subscriptions_pending ADD COLUMN address TEXT;
CREATE INDEX IF NOT EXISTS subscriptions_pending_address ON subscriptions_pending (address);
CREATE INDEX IF NOT EXISTS subscriptions_pending_reader ON subscriptions_pending (subscriber_id);"""
# Step 4: the links POST /p/link mailed lately, in the store, not in one collector's memory: a double tap
# that the load balancer sent to two collectors mailed the link twice (SPEC §15: several collectors, one store).
LINKS_MAILED = """
CREATE TABLE IF NOT EXISTS subscriptions_links_mailed (
    reader TEXT PRIMARY KEY,          -- the reader's id signed with SOTONG_SECRET (tokens.short_tag)
    mailed_at DOUBLE PRECISION NOT NULL  -- epoch seconds; gone AGAIN_SECONDS later
);"""
# Step 5: the requests SUBSCRIBE_RATE counted, in the store, not in each collector's memory: with N collectors
# behind a load balancer a client had N times the limit (SPEC §15). A row per request counted, gone with its window.
RATE = """
CREATE TABLE IF NOT EXISTS subscriptions_rate (
    client TEXT NOT NULL,             -- the client's address or 'reader ID', signed with SOTONG_SECRET (tokens.short_tag)
    expires_at DOUBLE PRECISION NOT NULL  -- epoch seconds: the request counted leaves SUBSCRIBE_RATE's window then
);
CREATE INDEX IF NOT EXISTS subscriptions_rate_client ON subscriptions_rate (client, expires_at);"""
# Step 6: a queued mail claimed by the collector whose mail thread hands it over: each collector's thread read
# the whole queue, and with two collectors a burst's confirmation mails went out twice (SPEC §15).
MAIL_CLAIMED = "ALTER TABLE subscriptions_mail ADD COLUMN claimed_until DOUBLE PRECISION;  -- epoch seconds; NULL: free"
# Step 7: the phone codes' texts queued in the store, claimed as mails are, by the collector whose text thread
# hands them to the SMS transport: each collector wrote the codes it made to its own machine's file, so with
# collectors on several machines the operator had to gather them from each (SPEC §15).
TEXTS = """
CREATE TABLE IF NOT EXISTS subscriptions_texts (
    id TEXT PRIMARY KEY,              -- random
    subscriber_id TEXT,               -- the reader the code is for
    phone TEXT NOT NULL,
    body TEXT NOT NULL,
    queued_at DOUBLE PRECISION NOT NULL,   -- epoch seconds
    expires_at DOUBLE PRECISION NOT NULL,  -- the code's: a text not handed over by then is never sent
    claimed_until DOUBLE PRECISION    -- epoch seconds; NULL: free
);
CREATE INDEX IF NOT EXISTS subscriptions_texts_queued ON subscriptions_texts (queued_at);"""
# Step 8: each claim's own token (a fencing token), written with it: a thread slower than its claim (a code file
# held by sotong subscribers forget, an agency's API that hangs) handed a code over after another collector,
# finding the claim lapsed, had claimed and handed it over too. A row is now taken (take_claimed) just before
# it is handed over, only while the claim with this token holds; and only its own claim is given back.
CLAIM_TOKEN = """
ALTER TABLE subscriptions_mail ADD COLUMN claim TEXT;   -- the token of the claim on it (claim_queued)
ALTER TABLE subscriptions_texts ADD COLUMN claim TEXT;"""
register_schema("subscriptions", with_rowid(SCHEMA, "subscriptions_consents"), EPOCH_SECONDS_IN_FULL, SENT_TO,
                LINKS_MAILED, RATE, MAIL_CLAIMED, TEXTS, CLAIM_TOKEN)
CONFIRM_SECONDS = 24 * 3600
CODE_SECONDS = 10 * 60
CODE_ATTEMPTS = 5
# A request sent again within this (a second tap on 신청하기 or 저장, a slow phone's retry) sends no
# second mail or code: the one sent stands, and the same page answers.
AGAIN_SECONDS = 5 * 60
# A mail claimed by a collector's mail thread (Mailer) is another's to send this long after, if still queued:
# its collector died while sending it (a batch takes seconds; SMTP's timeout is 30 s an exchange).
CLAIM_SECONDS = 10 * 60
# A text claimed by a collector's text thread (Texter) is another's to send this long after, if still queued: a
# transport takes a text in milliseconds (the file) or seconds (an agency's API), and its code holds CODE_SECONDS.
TEXT_CLAIM_SECONDS = 60
# Requests counted within their windows beyond which every count is dropped (once a minute): addresses sprayed
# from one IPv6 network must not grow the table without end; below it the limit is exact.
MOST_COUNTED = 100_000


@dataclass(frozen=True)
class Pending:
    id: str
    purpose: str
    subscriber_id: str | None
    data: dict
    code_hash: str | None
    attempts: int
    expires_at: float
    used_at: str | None
    address: str | None = None  # the email address in lower case, where it has one

    def expired(self, now: float) -> bool:
        return now >= self.expires_at


def ensure(store: Store) -> Store:
    store.upgrade("subscriptions")
    return store


def code_digest(pending_id: str, code: str) -> str:
    return hashlib.sha256(f"{pending_id}\0{code}".encode()).hexdigest()


def pending_row(purpose: str, data: dict, subscriber_id: str | None = None, code: str | None = None,
                seconds: int = CONFIRM_SECONDS) -> tuple:
    """A new pending row, its random id first (made before the transaction that inserts it)."""
    pending_id = secrets.token_urlsafe(12)
    return (pending_id, purpose, subscriber_id, json.dumps(data, ensure_ascii=False), address_of(data),
            code_digest(pending_id, code) if code else None, time.time() + seconds)


def address_of(data: dict) -> str | None:
    """The email address a pending answer names, in lower case (its ``address``)."""
    return str(data.get("email") or "").lower() or None


def insert_pending(store: Store, row: tuple) -> str:
    """Insert a :func:`pending_row`; its id."""
    store.db.execute("INSERT INTO subscriptions_pending (id, purpose, subscriber_id, data, address, code_hash, "
                     "expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)", row)
    return row[0]


def add_pending(store: Store, purpose: str, data: dict, subscriber_id: str | None = None,
                code: str | None = None, seconds: int = CONFIRM_SECONDS) -> str:
    return insert_pending(store, pending_row(purpose, data, subscriber_id, code, seconds))


def pending(store: Store, pending_id: str) -> Pending | None:
    return _pending_of(store.db.execute("SELECT * FROM subscriptions_pending WHERE id = ?", (pending_id,)).fetchone())


def _pending_of(row) -> Pending | None:
    if row is None:
        return None
    values = dict(row)
    values["data"] = json.loads(values["data"])
    return Pending(**values)


def claim(store: Store, pending_id: str) -> bool:
    """Mark the pending answer used, inside the transaction that uses it;
    False when another one did first (on PostgreSQL the statement waits for
    that one to end, so of answers sent at once exactly one claims it)."""
    return store.db.execute("UPDATE subscriptions_pending SET used_at = ? WHERE id = ? AND used_at IS NULL",
                            (now_iso(), pending_id)).rowcount == 1


def mark_used(store: Store, pending_id: str, subscriber_id: str) -> None:
    store.db.execute("UPDATE subscriptions_pending SET used_at = ?, subscriber_id = ? WHERE id = ?",
                     (now_iso(), subscriber_id, pending_id))


def count_guess(store: Store, pending_id: str, now: float) -> Pending | None:
    """Count one guess at a phone code, in the statement that checks one more
    may be made (unused, unexpired, fewer than CODE_ATTEMPTS so far); the
    pending answer to compare the guess with, or None: not to compare it.
    One statement, so that guesses sent at once cannot all pass the check
    before any is counted (on PostgreSQL each waits for the one before it
    and checks the count that one left)."""
    return _pending_of(store.db.execute(
        "UPDATE subscriptions_pending SET attempts = attempts + 1 WHERE id = ? AND used_at IS NULL "
        "AND expires_at > ? AND attempts < ? RETURNING *", (pending_id, now, CODE_ATTEMPTS)).fetchone())


def sent_lately(store: Store, purposes: tuple[str, ...], now: float, subscriber_id: str | None = None,
                address: str | None = None) -> list[Pending]:
    """The pending answers of ``purposes`` made within AGAIN_SECONDS that may
    still be used (unused, guesses left), of the reader ``subscriber_id`` or
    sent to ``address`` (one of them given: each has its index); newest first."""
    lifetimes = {purpose: CODE_SECONDS if purpose == "phone" else CONFIRM_SECONDS for purpose in purposes}
    condition, params = store.one_of("purpose", list(purposes))
    whose, who = ("subscriber_id = ?", subscriber_id) if subscriber_id else ("address = ?", address_of({"email": address}))
    rows = store.db.execute(
        f"SELECT * FROM subscriptions_pending WHERE {whose} AND {condition} AND expires_at > ? AND used_at IS NULL "
        "AND attempts < ? ORDER BY expires_at DESC",
        (who, *params, now + min(lifetimes.values()) - AGAIN_SECONDS, CODE_ATTEMPTS))
    found = [_pending_of(row) for row in rows.fetchall()]
    return [one for one in found if one.expires_at - lifetimes[one.purpose] > now - AGAIN_SECONDS]


def awaited(store: Store, purpose: str, subscriber_id: str, now: float) -> Pending | None:
    """The reader's newest pending answer of ``purpose`` that may still be
    used (unused, unexpired, guesses left), or None."""
    return _pending_of(store.db.execute(
        "SELECT * FROM subscriptions_pending WHERE purpose = ? AND subscriber_id = ? AND used_at IS NULL "
        "AND expires_at > ? AND attempts < ? ORDER BY expires_at DESC LIMIT 1",
        (purpose, subscriber_id, now, CODE_ATTEMPTS)).fetchone())


def unused(store: Store, purpose: str, subscriber_id: str) -> list[Pending]:
    """The reader's pending answers of ``purpose`` not used yet (expired or
    not), newest first."""
    rows = store.db.execute("SELECT * FROM subscriptions_pending WHERE purpose = ? AND subscriber_id = ? "
                            "AND used_at IS NULL ORDER BY expires_at DESC", (purpose, subscriber_id))
    return [_pending_of(row) for row in rows.fetchall()]


def drop_unused(store: Store, purpose: str, subscriber_id: str) -> None:
    """The reader's pending answers of ``purpose`` not used yet deleted (a
    link mailed to an address they no longer ask for)."""
    store.db.execute("DELETE FROM subscriptions_pending WHERE purpose = ? AND subscriber_id = ? AND used_at IS NULL",
                     (purpose, subscriber_id))


def use_all(store: Store, purpose: str, subscriber_id: str) -> None:
    """The reader's pending answers of ``purpose`` not used yet marked used
    (one code confirmed the number: the others confirm nothing more)."""
    store.db.execute("UPDATE subscriptions_pending SET used_at = ? WHERE purpose = ? AND subscriber_id = ? "
                     "AND used_at IS NULL", (now_iso(), purpose, subscriber_id))


def used_codes(store: Store, subscriber_id: str, now: float) -> list[tuple[Pending, str | None]]:
    """The reader's phone codes used and not yet expired, each with the
    reader's number as it is now; none while a code is awaited (unused,
    unexpired)."""
    rows = store.db.execute(
        "SELECT p.*, s.phone AS phone_now FROM subscriptions_pending p JOIN subscribers s "
        "ON s.id = p.subscriber_id WHERE p.purpose = 'phone' AND p.subscriber_id = ? AND p.used_at IS NOT NULL "
        "AND p.expires_at > ? AND NOT EXISTS (SELECT 1 FROM subscriptions_pending q WHERE q.purpose = 'phone' "
        "AND q.subscriber_id = p.subscriber_id AND q.used_at IS NULL AND q.expires_at > ?)",
        (subscriber_id, now, now)).fetchall()
    return [(_pending_of({key: row[key] for key in row.keys() if key != "phone_now"}), row["phone_now"]) for row in rows]


def set_data(store: Store, pending_id: str, data: dict) -> None:
    """The pending answer's data replaced (a sign-up sent again with other choices: the newer wins)."""
    store.db.execute("UPDATE subscriptions_pending SET data = ?, address = ? WHERE id = ?",
                     (json.dumps(data, ensure_ascii=False), address_of(data), pending_id))


def link_goes(store: Store, reader: str, now: float) -> bool:
    """Whether the link of ``reader`` (its :func:`tokens.short_tag`) may be
    mailed now: not mailed within AGAIN_SECONDS by any collector of the
    store (a second tap on 링크 보내기). Remembered at once, in one
    statement: of collectors asking at the same moment, one is told yes
    (on PostgreSQL the others wait for its commit, then find its row)."""
    _drop_links_mailed(store, now)
    return store.db.execute("INSERT INTO subscriptions_links_mailed (reader, mailed_at) VALUES (?, ?) "
                            "ON CONFLICT (reader) DO NOTHING RETURNING reader", (reader, now)).fetchone() is not None


def _drop_links_mailed(store: Store, now: float) -> None:
    store.db.execute("DELETE FROM subscriptions_links_mailed WHERE mailed_at <= ?", (now - AGAIN_SECONDS,))


def count_request(store: Store, client: str, limit: int, seconds: int, now: float) -> float:
    """A request of ``client`` (its :func:`tokens.short_tag`) under a limit
    of ``limit`` within ``seconds`` (a sliding window), inside the caller's
    transaction: 0 when taken, and then counted (gone ``seconds`` later);
    else the seconds until it would be taken (when the oldest of the last
    ``limit`` counted leaves the window), nothing counted. The count and the
    check are one under the client's lock, shared by every collector of the
    store (on SQLite BEGIN IMMEDIATE holds the file), so of requests sent at
    once to several collectors no more than ``limit`` are taken."""
    last = ("SELECT expires_at FROM subscriptions_rate WHERE client = ? AND expires_at > ? "
            "ORDER BY expires_at DESC LIMIT 1 OFFSET ?")  # the oldest of the last ``limit`` in the window, if so many
    # the lock in a statement of its own: the INSERT's snapshot, taken after it, holds its last holder's rows
    with store.locked("subscriptions rate " + client):
        if store.db.execute(f"INSERT INTO subscriptions_rate (client, expires_at) SELECT ?, ? WHERE NOT EXISTS ({last}) "
                            "RETURNING client", (client, now + seconds, client, now, limit - 1)).fetchone():
            return 0.0
        return store.db.execute(last, (client, now, limit - 1)).fetchone()[0] - now


def _drop_counted(store: Store, now: float) -> None:
    """The requests counted whose window has passed deleted; every one when
    more than MOST_COUNTED are left."""
    store.db.execute("DELETE FROM subscriptions_rate WHERE expires_at <= ?", (now,))
    if store.db.execute("SELECT count(*) FROM (SELECT 1 FROM subscriptions_rate LIMIT ?) AS left_counted",
                        (MOST_COUNTED + 1,)).fetchone()[0] > MOST_COUNTED:
        store.db.execute("DELETE FROM subscriptions_rate")


def drop_expired(store: Store, now: float) -> int:
    """Pending answers are personal data: gone a day after they expired; how
    many. The links mailed more than AGAIN_SECONDS ago go too (with no
    ``POST /p/link`` after them, they stayed), and the requests counted out
    of SUBSCRIBE_RATE's window (:func:`_drop_counted`)."""
    _drop_links_mailed(store, now)
    _drop_counted(store, now)
    return store.db.execute("DELETE FROM subscriptions_pending WHERE expires_at < ?", (now - 86400,)).rowcount


def digits(phone: str | None) -> str:
    """The digits of a phone number as written anywhere (010-1234-5678, 01012345678)."""
    return "".join(c for c in str(phone or "") if c.isdigit())


def drop_records_naming(store: Store, emails: set[str], phones: set[str]) -> int:
    """Pending answers that name any of these email addresses or phones (a
    sign-up never confirmed, sent twice), mails still queued to the
    addresses and texts to the numbers: deleted when the person is forgotten."""
    addresses = {email.lower() for email in emails if email}
    numbers = {digits(phone) for phone in phones} - {""}

    def names_them(data: dict) -> bool:
        return str(data.get("email") or "").lower() in addresses or digits(data.get("phone")) in numbers

    rows = store.db.execute("SELECT id, data FROM subscriptions_pending").fetchall()
    doomed = [(pending_id,) for pending_id, data in rows if names_them(json.loads(data))]
    store.db.executemany("DELETE FROM subscriptions_pending WHERE id = ?", doomed)
    # compared here, not by SQL's lower(): SQLite's changes only ASCII letters (É stayed É), PostgreSQL's every one
    mails = [(mail_id,) for mail_id, recipient in store.db.execute("SELECT id, recipient FROM subscriptions_mail")
             if recipient.lower() in addresses]
    store.db.executemany("DELETE FROM subscriptions_mail WHERE id = ?", mails)
    texts = [(text_id,) for text_id, phone in store.db.execute("SELECT id, phone FROM subscriptions_texts")
             if digits(phone) in numbers]
    store.db.executemany("DELETE FROM subscriptions_texts WHERE id = ?", texts)
    return len(doomed) + len(mails) + len(texts)


def contacts_of(store: Store, subscriber_id: str) -> tuple[set[str], set[str]]:
    """Every email address and phone number the store knows of the
    subscriber: their row's, the consent log's old and new values, and
    their pending changes' (a new address or number not yet confirmed)."""
    emails, phones = set(), set()
    found = {"email": emails, "phone": phones}
    person = store.subscriber(subscriber_id)
    if person is not None:
        emails.add(person.email)
        phones.add(person.phone)
    if "consent_log" in store.tables():
        for field, old, new in store.db.execute("SELECT field, old_value, new_value FROM consent_log_columns "
                                                "WHERE subscriber_id = ? AND field IN ('email', 'phone')",
                                                (subscriber_id,)):
            found[field].update((old, new))
    if "subscriptions_pending" in store.tables():
        for (data,) in store.db.execute("SELECT data FROM subscriptions_pending WHERE subscriber_id = ?",
                                        (subscriber_id,)):
            answers = json.loads(data)
            emails.add(answers.get("email"))
            phones.add(answers.get("phone"))
    return emails - {None, ""}, phones - {None, ""}


def record_consent(store: Store, subscriber_id: str, version: str) -> None:
    store.db.execute("INSERT INTO subscriptions_consents VALUES (?, ?, ?)", (subscriber_id, version, now_iso()))


def new_subscriber_id(store: Store) -> str:
    """An id for a reader who signed up online: ``W`` and ten random digits."""
    while True:
        candidate = f"W{secrets.randbelow(10**10):010d}"
        if store.subscriber(candidate) is None:
            return candidate


def subscriber_by_email(store: Store, email: str) -> str | None:
    row = store.db.execute("SELECT id FROM subscribers WHERE lower(email) = lower(?) ORDER BY "
                           "unsubscribed_at IS NOT NULL, id LIMIT 1", (email,)).fetchone()
    return row[0] if row else None


@dataclass(frozen=True)
class QueuedMail:
    id: str
    recipient: str
    subject: str
    body: str
    claim: str = ""  # the token of the claim that took it (claim_queued)


def mail_row(recipient: str, subject: str, body: str, subscriber_id: str | None = None) -> tuple:
    """A mail to queue, its random id first (made before the transaction that queues it)."""
    return (secrets.token_urlsafe(12), subscriber_id, recipient, subject, body, time.time())


def queue_mail(store: Store, recipient: str, subject: str, body: str, subscriber_id: str | None = None) -> None:
    """Queue a mail in the caller's transaction."""
    insert_mail(store, mail_row(recipient, subject, body, subscriber_id))


def insert_mail(store: Store, row: tuple) -> None:
    """Queue a :func:`mail_row` in the caller's transaction."""
    store.db.execute("INSERT INTO subscriptions_mail (id, subscriber_id, recipient, subject, body, queued_at) "
                     "VALUES (?, ?, ?, ?, ?, ?)", row)


@dataclass(frozen=True)
class QueuedText:
    id: str
    subscriber_id: str | None
    phone: str
    body: str
    claim: str = ""  # the token of the claim that took it (claim_queued)


MAIL, TEXTS = "subscriptions_mail", "subscriptions_texts"
# What each queue holds, what else a row needs to be handed over (a text's code must still hold), for how long a
# claim stands (a text goes in milliseconds (a file) or seconds (an agency's API), and its code lives
# CODE_SECONDS, so a dead collector's texts are sent by another while their codes hold), and until when a row
# taken to be handed over now is held (take_claimed): a mail a claim's length more (it may be sent again
# when its collector dies while sending it), a text until its code ends (never twice: a code is asked again).
QUEUES = {MAIL: (QueuedMail, "", CLAIM_SECONDS, "?"), TEXTS: (QueuedText, " AND expires_at > ?", TEXT_CLAIM_SECONDS, "expires_at")}


def claim_queued(store: Store, queue: str, limit: int, now: float) -> list:
    """The oldest ``limit`` rows of ``queue`` (MAIL or TEXTS) waiting that no
    collector is handing over (not claimed, or their claim lapsed), claimed
    for this one, in one statement: of the threads of several collectors
    looking at once, each row goes to one (on PostgreSQL a thread that finds
    a row claimed meanwhile passes it by). Each row carries the claim's own
    token (``claim``), which :func:`take_claimed` and :func:`release_queued`
    compare. A text whose code has expired is not taken. Oldest first."""
    kind, live, seconds, _held = QUEUES[queue]
    free = "(claimed_until IS NULL OR claimed_until <= ?)"
    columns = ", ".join(field.name for field in fields(kind))
    rows = store.db.execute(
        f"UPDATE {queue} SET claimed_until = ?, claim = ? WHERE {free} AND id IN (SELECT id FROM {queue} "
        f"WHERE {free}{live} ORDER BY queued_at LIMIT ?) RETURNING {columns}, queued_at",
        (now + seconds, secrets.token_urlsafe(12), now, now, *([now] if live else []), limit)).fetchall()
    return [kind(*row[:-1]) for row in sorted(rows, key=lambda row: row[-1])]


def take_claimed(store: Store, queue: str, row, now: float) -> bool:
    """Whether ``row`` (claimed by :func:`claim_queued`) may be handed over
    now: its claim still holds and is still this one's (the same token; a
    claim that lapsed may be another collector's by now, or the row handed
    over and gone). Compared and set in one statement, which holds the row
    (QUEUES) so that no claim takes it while it is being handed over."""
    _kind, live, seconds, held = QUEUES[queue]
    return store.db.execute(
        f"UPDATE {queue} SET claimed_until = {held} WHERE id = ? AND claim = ? AND claimed_until > ?{live}",
        (*([now + seconds] if held == "?" else []), row.id, row.claim, now, *([now] if live else []))).rowcount == 1


def release_queued(store: Store, queue: str, ids: list[str], claim: str) -> None:
    """The claims on the rows ``ids`` of ``queue`` (not handed over: the
    server or the transport could not take them) given up, so that the next
    look hands them over; only those still under the claim ``claim`` (one
    that lapsed meanwhile may be another collector's now)."""
    if ids:
        condition, params = store.one_of("id", ids)
        store.db.execute(f"UPDATE {queue} SET claimed_until = NULL WHERE {condition} AND claim = ?", (*params, claim))


def unqueue(store: Store, queue: str, ids: list[str]) -> None:
    """Remove the rows ``ids`` of ``queue`` (at most a batch), in one statement: one commit, not one per row."""
    if ids:
        condition, params = store.one_of("id", ids)
        store.db.execute(f"DELETE FROM {queue} WHERE {condition}", params)


def queue_text(store: Store, subscriber_id: str, phone: str, body: str, expires_at: float) -> None:
    """Queue a text (a phone code) in the caller's transaction; it is not
    sent after ``expires_at``, its code's end."""
    store.db.execute("INSERT INTO subscriptions_texts (id, subscriber_id, phone, body, queued_at, expires_at) "
                     "VALUES (?, ?, ?, ?, ?, ?)", (secrets.token_urlsafe(12), subscriber_id, phone, body, time.time(),
                                                    expires_at))


def drop_stale_texts(store: Store, now: float) -> int:
    """The texts whose code has expired, never handed over, dropped (the number with them); how many."""
    return store.db.execute("DELETE FROM subscriptions_texts WHERE expires_at <= ?", (now,)).rowcount


def drop_stale_mail(store: Store, before: float) -> int:
    """A mail whose link has expired is no use: dropped unsent (its address with it); how many."""
    return store.db.execute("DELETE FROM subscriptions_mail WHERE queued_at < ?", (before,)).rowcount
