"""The delivery journal: one row per message of an outbox, in the store.

A row keeps ids, never addresses: the outbox (issue date or notice slug), the
subscriber id, the channel and type (EMAIL, SMS, LMS), the notices it holds,
its file, its state (emails: queued, sending, sent, deferred, failed; SMS:
handed_over, recorded once ``sotong send`` has finished and told the
operator to give sms.csv to the SMS agency, never "sent"), the attempts,
the server's last answer and when things happened (Asia/Seoul); an SMS its
price (won, SMS_PRICE or LMS_PRICE when it was handed over). The notices'
title, department and category are kept per outbox as they were when it was
sent, so the annual report counts them as they were, and the texts at what
they cost then.

A message is marked ``sending`` (committed) before it is handed to the
server and ``sent`` only after the server's 250. A connection takes its
messages :data:`TAKE_BATCH` at a time: one statement (one round trip and one
commit) marks the next ones ``sending`` and records those the server
accepted since its last take ``sent``; the last ones are recorded when the
connection stops, and those never handed over are given back (queued). So a
crash at any moment leaves at most :data:`TAKE_BATCH` messages per
connection ``sending``: in flight, accepted and not yet recorded, or not yet
handed over; only those are sent again.

On PostgreSQL several ``sotong send`` processes (on several machines) may
work one outbox together (SPEC §15). Each holds a session advisory lock on a
random key of its own for as long as its connection lives. A process claims
the unsent messages a batch at a time, with one statement (``FOR UPDATE SKIP
LOCKED``: two claims at once take different rows) that writes its key into
them (``worker``); a claimed message stays ``queued`` until the process marks
it ``sending`` just before it goes out, under the condition that its key is
still the row's. A claim takes unsent rows of no worker or of a worker whose
lock is gone (the process died: its connection closed), so a live worker's
messages are never taken twice, and a dead one's claimed batch and its
in-flight messages go to the next claim, of another process or a re-run;
only those in flight go twice. On SQLite (one ``send`` per outbox at a time)
a claim takes any unsent row another run's key left. A process's claims walk
the outbox's unsent emails in id order (an index holds just those) from where
its last claim ended, so that a claim's cost does not grow with what was
sent; from the start again only when that comes back short.

A worker starting on an outbox that a live worker recorded from the same
manifest and sms.csv joins it and reads none of it. A first recording (the
journal holds none of the outbox's emails) is committed a chunk of
:data:`RECORD_CHUNK` messages at a time, the outbox's row saying how many
emails are still to record. On PostgreSQL a worker that joins it sends the
first chunks while the rest are recorded: when its claims come back empty it
claims again while the recorder lives, and records the rest itself if the
recorder died first (``Journal.recording``). On SQLite, whose write lock is
the whole store's, the collector's unsubscribes and clicks get the lock
between two chunks (the longest wait for it 0.19 s, not 2.05 s, while 83,335
emails are recorded: benchmarks/send_lock.py); the manifest is read before
the lock is taken; a run stopped between two chunks records the rest when
run again.
"""

from __future__ import annotations

import collections
import functools
import json
import re
import secrets
import time
from dataclasses import dataclass, field
from typing import Callable, Iterator

from sotong.i18n import N_
from sotong.sms import Prices
from sotong.store import now_iso, register_schema

from .marks import READERS_REACH, ensure as ensure_marks, reachable_pairs

QUEUED, SENDING, SENT, DEFERRED, FAILED = "queued", "sending", "sent", "deferred", "failed"
HANDED_OVER = "handed_over"  # an SMS given to the SMS agency
# The answer stage of an email failed as larger than the mail server takes (by its EHLO SIZE, not handed
# over; or refused by it as too large): queued again by the outbox's next recording, so that once its
# files are made smaller and the outbox bundled again it goes (other failures stay failed).
TOO_BIG = "size"
UNSENT = (QUEUED, SENDING, DEFERRED)
# How the journal's states, channels and bounce kinds read to staff (translated where shown), states in
# the order of a message's life told backwards: what became of it first.
STATE_WORDS = {SENT: N_("{count:,} sent"), HANDED_OVER: N_("{count:,} handed over"), FAILED: N_("{count:,} failed"),
               DEFERRED: N_("{count:,} deferred"), SENDING: N_("{count:,} in flight when a run stopped"),
               QUEUED: N_("{count:,} not yet tried")}
CHANNEL_WORDS = {"email": N_("email"), "sms": N_("sms")}
KIND_WORDS = {"hard": N_("hard"), "soft": N_("soft")}
SMS_HANDOVER = "sms.csv: 문자 발송 대행사에 넘김"

SCHEMA = """
CREATE TABLE IF NOT EXISTS delivery_messages (
    id INTEGER PRIMARY KEY,
    outbox TEXT NOT NULL,            -- issue date (YYYY-MM-DD) or notice slug
    kind TEXT NOT NULL CHECK (kind IN ('issue', 'notice')),
    subscriber_id TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    type TEXT NOT NULL CHECK (type IN ('EMAIL', 'SMS', 'LMS')),
    notices TEXT NOT NULL,           -- JSON list of slugs, in message order
    file TEXT,                       -- email/ID.eml under the outbox; NULL for SMS
    state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'deferred', 'failed', 'handed_over')),
    attempts INTEGER NOT NULL DEFAULT 0,
    answer_stage TEXT,               -- connect, mail, rcpt, data: where the last answer came
    answer_code INTEGER,
    answer_text TEXT,
    queued_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    sent_at TEXT,
    UNIQUE (outbox, subscriber_id, channel)
);
CREATE INDEX IF NOT EXISTS delivery_messages_by_state ON delivery_messages (outbox, channel, state);
CREATE INDEX IF NOT EXISTS delivery_messages_by_sent_at ON delivery_messages (sent_at) WHERE state IN ('sent', 'handed_over');
CREATE TABLE IF NOT EXISTS delivery_notices (
    outbox TEXT NOT NULL,
    slug TEXT NOT NULL,
    title TEXT,
    department TEXT,
    category TEXT,
    category_label TEXT,
    PRIMARY KEY (outbox, slug)
);
"""
WORKER_COLUMN = "ALTER TABLE delivery_messages ADD COLUMN worker BIGINT;"  # the advisory lock key of who sends it
# The claims' walk: the unsent emails of an outbox in id order, without the settled ones.
UNSENT_INDEX = """CREATE INDEX IF NOT EXISTS delivery_messages_unsent ON delivery_messages (outbox, id)
    WHERE channel = 'email' AND state IN ('queued', 'sending', 'deferred');"""
# The claims read the index above; an index on (outbox, channel, state) was a claim's other way, which
# PostgreSQL took with stale statistics (every unsent row read and sorted, at each claim), and each
# row version had an entry in it too.
ONE_WAY_TO_CLAIM = "DROP INDEX IF EXISTS delivery_messages_by_state;"
# Each outbox recorded: the digest of the outbox it was recorded from (Outbox.digest), the worker that
# recorded it, and how many of its SMS are still to be recorded as handed over (by whichever worker
# on it finishes first).
OUTBOXES = """CREATE TABLE IF NOT EXISTS delivery_outboxes (
    outbox TEXT PRIMARY KEY,
    digest TEXT NOT NULL,
    recorder BIGINT,
    recorded_at TEXT NOT NULL,
    sms_pending INTEGER NOT NULL DEFAULT 0
);"""
# What the recorder of an outbox left out (readers no longer reachable), which a worker that joins says too.
LEFT_OUT = """ALTER TABLE delivery_outboxes ADD COLUMN email_left_out INTEGER NOT NULL DEFAULT 0;
ALTER TABLE delivery_outboxes ADD COLUMN sms_left_out INTEGER NOT NULL DEFAULT 0;"""
# A claim (worker) and a take (state sending, attempts) change no column an index reads, conditions
# included, once the indexes name sent_at instead of state (an unsent row has none; a sent one or an SMS
# handed over has one): on PostgreSQL their new row versions are HOT, on the same page and with no index
# entry (each was three), and fillfactor leaves room on a new page for them. Only the sent record
# (sent_at) writes index entries.
_BY_SENT_AT = """DROP INDEX IF EXISTS delivery_messages_unsent;
CREATE INDEX delivery_messages_unsent ON delivery_messages (outbox, id) WHERE channel = 'email' AND sent_at IS NULL;
DROP INDEX IF EXISTS delivery_messages_by_sent_at;
CREATE INDEX delivery_messages_by_sent_at ON delivery_messages (sent_at) WHERE sent_at IS NOT NULL;"""
HOT_TAKES = {"sqlite": _BY_SENT_AT, "postgresql": _BY_SENT_AT + "\nALTER TABLE delivery_messages SET (fillfactor = 70);"}
# How many of the outbox's emails its recorder has still to queue: above 0 while a first recording on
# PostgreSQL is committed a chunk at a time (workers joining it claim the chunks committed meanwhile).
EMAILS_TO_RECORD = "ALTER TABLE delivery_outboxes ADD COLUMN emails_to_record INTEGER NOT NULL DEFAULT 0;"
# What an SMS cost when it was handed over (won per message: SMS_PRICE or LMS_PRICE then); NULL for emails
# and for SMS handed over before it was kept, which the annual report prices at today's setting.
PRICE_COLUMN = "ALTER TABLE delivery_messages ADD COLUMN price DOUBLE PRECISION;"
register_schema("delivery_journal", SCHEMA, WORKER_COLUMN, UNSENT_INDEX, ONE_WAY_TO_CLAIM, OUTBOXES,
                LEFT_OUT, HOT_TAKES, EMAILS_TO_RECORD, PRICE_COLUMN)  # version 2: worker; 3: the claims' index; 4:
# their only index; 5: the outboxes; 6: left out; 7: the indexes by sent_at; 8: emails to record; 9: price
_NUMBER_COLUMNS = {"price"}  # of the varying columns of Journal._insert_messages: not text
# A connection takes this many of its claimed emails at once: one statement marks them ``sending`` (after
# reading their readers) and records the ones it handed over before ``sent``, so the store's work and round
# trips per email are a sixteenth of a take an email; the price is that a crash may leave this many per
# connection ``sending`` (sent again by the next run) where it left one. At 8 PostgreSQL planned the take
# anew each time (0.67 ms of its "bind" a take, 8,399 emails); at 16 it keeps the take's generic plan
# (0.16 ms). A claim takes a take per connection.
TAKE_BATCH = 16
_UNSENT_EMAILS = "outbox = ? AND channel = 'email' AND sent_at IS NULL AND state IN ('queued', 'sending', 'deferred')"
# The keys of the workers alive (PostgreSQL): their session advisory locks, a bigint key each.
_LIVE_WORKERS = ("SELECT (classid::bigint << 32) | objid::bigint AS worker FROM pg_locks"
                 " WHERE locktype = 'advisory' AND granted AND objsubid = 1")
# One statement claiming up to :limit unsent emails of :outbox after id :after for :worker.
_CLAIM = {
    "sqlite": f"""UPDATE delivery_messages SET worker = :worker WHERE id IN (
            SELECT id FROM delivery_messages WHERE {_UNSENT_EMAILS.replace('?', ':outbox')} AND id > :after
                AND (worker IS NULL OR worker != :worker) ORDER BY id LIMIT :limit)
        RETURNING id, subscriber_id, file, state, attempts""",
    "postgresql": f"""WITH live AS MATERIALIZED ({_LIVE_WORKERS}),
        picked AS (SELECT id FROM delivery_messages WHERE {_UNSENT_EMAILS.replace('?', ':outbox')} AND id > :after
                AND (worker IS NULL OR worker NOT IN (SELECT worker FROM live))
            ORDER BY id LIMIT :limit FOR UPDATE SKIP LOCKED)
        UPDATE delivery_messages AS m SET worker = :worker FROM picked WHERE m.id = picked.id
        RETURNING m.id, m.subscriber_id, m.file, m.state, m.attempts""",
}
# The emails of :ids still this worker's to send, marked sending ({ids}: how each backend reads a list).
_TAKE = ("UPDATE delivery_messages SET state = 'sending', attempts = attempts + 1, updated_at = :now"
         " WHERE id {ids} AND worker = :worker AND state IN ('queued', 'sending', 'deferred') RETURNING subscriber_id")
# The emails a connection handed over that the server accepted, recorded sent; on PostgreSQL :sent_ids and
# :accepted, a JSON object of id -> [stage, code, text] (the rows found by their ids: joined to a list of
# answers instead, the rows were found by reading the whole table once the statement's plan was generic).
_RECORD_SENT = {
    "sqlite": ("UPDATE delivery_messages SET state = 'sent', answer_stage = ?, answer_code = ?, answer_text = ?,"
               " updated_at = ?, sent_at = ? WHERE id = ?"),
    "postgresql": ("UPDATE delivery_messages SET state = 'sent', answer_stage = :accepted::jsonb -> id::text ->> 0,"
                   " answer_code = (:accepted::jsonb -> id::text ->> 1)::integer,"
                   " answer_text = :accepted::jsonb -> id::text ->> 2, updated_at = :now, sent_at = :now"
                   " WHERE id = ANY(:sent_ids::bigint[])"),
}
# PostgreSQL: the accepted ones recorded, the take and its readers' reach in one round trip: a row for each
# email taken (its reader first), none for those no longer this worker's to take.
_TAKE_READING_THE_READERS = (
    f"WITH sent AS ({_RECORD_SENT['postgresql']}), taken AS ({_TAKE.format(ids='= ANY(:ids::bigint[])')})"
    " SELECT taken.subscriber_id, reach.* FROM taken LEFT JOIN LATERAL ("
    + READERS_REACH.format(readers="subscribers AS s") + " WHERE s.id = taken.subscriber_id) AS reach ON true")
# A worker that joined an outbox waits at most this long (seconds), at its end, for the recorder to hand
# over the SMS, looking every RECORDER_POLL seconds (see Journal.hand_over_left).
RECORDER_WAIT, RECORDER_POLL = 60.0, 0.05
# The tables a recording writes, copied for a dry run on SQLite (Journal._begin_apart).
_JOURNAL_TABLES = ("delivery_messages", "delivery_notices", "delivery_outboxes")
RECORD_CHUNK = 1000  # outbox messages whose readers and journal rows are read with one query each
TAKEN, WITHDRAWN, ELSEWHERE = "taken", "withdrawn", "elsewhere"
RECORDING, ABANDONED = "recording", "abandoned"  # Journal.recording
# backend -> (the slugs of m.notices as rows j(value), how many there are)
NOTICES_AS_ROWS = {"sqlite": ("json_each(m.notices) AS j", "json_array_length(m.notices)"),
              "postgresql": ("jsonb_array_elements_text(m.notices::jsonb) AS j(value)",
                             "jsonb_array_length(m.notices::jsonb)")}


@dataclass(frozen=True)
class NoticeInfo:
    title: str | None
    department: str | None
    category: str | None
    category_label: str | None


@dataclass(frozen=True)
class Pending:
    """An email still to hand to the server."""

    id: int
    subscriber_id: str
    file: str
    state: str
    attempts: int


@dataclass(frozen=True)
class Accepted:
    """An email the server accepted, not yet recorded ``sent`` (see the
    module's text): the server's answer."""

    id: int
    stage: str
    code: int
    text: str


@dataclass
class Recorded:
    """What recording an outbox in the journal did."""

    email_new: int = 0
    sms: list = field(default_factory=list)  # SMS messages not yet recorded as handed over
    left_out: dict = field(default_factory=lambda: {"email": 0, "sms": 0})  # channel -> readers no longer reachable
    joined: bool = False  # the outbox was recorded as it is by another worker (or run): nothing read or written

    @property
    def sms_types(self) -> dict:
        """SMS/LMS -> messages of ``sms``."""
        return {kind: sum(1 for message in self.sms if message.type == kind) for kind in ("SMS", "LMS")}


class Journal:
    """The journal tables of one store."""

    def __init__(self, store, clock: Callable[[], str] = now_iso):
        self.store = store
        self.db = store.db
        self.clock = clock
        if store.backend == "sqlite":  # no PostgreSQL journal predates the state
            _allow_handed_over(store)
        store.upgrade("delivery_journal")
        ensure_marks(store)  # read by take() inside its transactions
        self.worker = secrets.randbits(62)  # positive, so pg_locks' two halves read it back
        self.claimed_up_to: dict[str, int] = {}  # outbox -> the last id this worker claimed
        if store.backend == "postgresql":  # held until this process's connection closes
            self.db.execute("SELECT pg_advisory_lock(?)", (self.worker,))

    # --- filling ---------------------------------------------------------

    def record_outbox(self, outbox, reachable: Callable[[tuple], set], notices, dry_run: bool = False,
                      digest: str | None = None, left: Callable[[Iterator], None] | None = None) -> tuple[Recorded, int]:
        """Bring the journal in line with the outbox, in one transaction (a
        first recording a chunk at a time, see the module's docstring):
        new emails queued, unsent messages of readers no longer reachable
        withdrawn (``reachable(messages)``: the (id, channel) of those of a
        chunk of the outbox's messages that still reach their reader). Returns
        what changed, with the SMS still to hand over (:meth:`hand_over`), and
        how many emails are left to send. ``notices``: slug -> NoticeInfo of the
        outbox's notices, or a function giving them (asked for only when the
        outbox is recorded). The outbox is read a chunk at a time,
        and rows already recorded as they are are not written again.
        ``dry_run`` computes the same and rolls back (on SQLite in TEMP copies
        of the tables, holding no write lock: :meth:`_begin_apart`); ``left``, if given, is
        given the file and the notices (as stored) of each email left to send
        once the transaction has ended: what it does with them (a dry run
        reads each file's head, a second or so per 100,000 emails) holds no
        lock of the store, and the collector records unsubscribes and clicks
        meanwhile (on SQLite it waited for the store's write lock).

        With the outbox's ``digest``, an outbox recorded from the same digest
        before (by another worker, which may be recording it now) is not read
        again: ``joined``, nothing written, no SMS (see :meth:`hand_over_left`);
        a reader gone since is found by the take. An outbox of which the
        journal holds no email yet is recorded from its digest a chunk at a
        time, each chunk committed: on PostgreSQL a worker joining it claims
        the first emails while the rest are being recorded (see
        :meth:`recording`) and learns what the recorder left out at the end
        (:meth:`left_out`); on SQLite the collector writes between two chunks."""
        now = self.clock()
        recorded = Recorded()
        self._begin(outbox, dry_run)
        try:
            if digest is not None and self._recorded_from(outbox.key, digest, now):
                recorded.joined = True  # what the recorder left out: read at the end (left_out)
            else:
                in_chunks = not dry_run and digest is not None
                self._record(outbox, reachable, notices, recorded, now, digest if in_chunks else None)
                if digest is not None:
                    self.db.execute("UPDATE delivery_outboxes SET digest = ?, recorder = ?, recorded_at = ?,"
                                    " sms_pending = ?, email_left_out = ?, sms_left_out = ?, emails_to_record = 0"
                                    " WHERE outbox = ?", (digest, self.worker, now, len(recorded.sms),
                                                          recorded.left_out["email"], recorded.left_out["sms"],
                                                          outbox.key))
            unsent = self.db.execute(
                f"SELECT (SELECT count(*) FROM delivery_messages WHERE {_UNSENT_EMAILS}) + coalesce(("
                "SELECT emails_to_record FROM delivery_outboxes WHERE outbox = ?), 0)",
                (outbox.key, outbox.key)).fetchone()[0]
            emails_left = self._emails_left(outbox.key) if left is not None else None
        except BaseException:
            if self.db.in_transaction:  # SQLite ends it itself on a full disk or an I/O error
                self.db.execute("ROLLBACK")
            raise
        self.db.execute("ROLLBACK" if dry_run else "COMMIT")
        if left is not None:
            left(emails_left)
        return recorded, unsent

    def _begin(self, outbox, dry_run: bool) -> None:
        """Begin a recording's transaction; on SQLite, whose write lock is the
        whole store's, once the manifest is read, and a dry run apart."""
        if self.store.backend == "sqlite":
            len(outbox.messages)
            if dry_run:
                return self._begin_apart(outbox.key)
        self.db.execute("BEGIN IMMEDIATE")

    def _begin_apart(self, outbox_key: str) -> None:
        """Begin a dry run on SQLite: a read transaction, and copies of the
        journal's tables holding the outbox's rows in the connection's TEMP
        schema, which the run's statements read and write instead (a name
        written without its schema is the TEMP table's first). So the dry run
        takes no write lock of the store (the collector's unsubscribes and
        clicks waited up to 1.4 s for it at 83,335 emails:
        benchmarks/send_lock.py --dry-run), and its rollback drops them."""
        self.db.execute("BEGIN")
        tables = ", ".join("?" * len(_JOURNAL_TABLES))
        schema = self.db.execute(f"SELECT type, name, sql FROM main.sqlite_master WHERE tbl_name IN ({tables})"
                                 " AND sql IS NOT NULL ORDER BY type = 'index'", _JOURNAL_TABLES).fetchall()
        for kind, name, sql in schema:
            if kind == "table":
                self.db.execute(sql.replace("CREATE TABLE ", "CREATE TEMP TABLE ", 1))
                self.db.execute(f"INSERT INTO temp.{name} SELECT * FROM main.{name} WHERE outbox = ?", (outbox_key,))
            elif kind == "index":
                self.db.execute(re.sub(r"INDEX (\w+)", r"INDEX temp.\1", sql, count=1))

    def _emails_left(self, outbox_key: str) -> list[tuple[str, str]]:
        """The file and the notices (as stored) of each email of the outbox
        left to send, read into memory to be looked at once the transaction
        has ended; the notices, the same for many emails, held once."""
        sql = f"SELECT file, notices FROM delivery_messages WHERE {_UNSENT_EMAILS}"
        rows = (self.db.stream(sql, (outbox_key,)) if self.store.backend == "postgresql"
                else self.db.execute(sql, (outbox_key,)))  # psycopg's cursor would fetch them all first
        notices_met: dict[str, str] = {}
        return [(file, notices_met.setdefault(notices, notices)) for file, notices in rows]

    def _recorded_from(self, outbox_key: str, digest: str, now: str) -> bool:
        """Whether a worker still at work (PostgreSQL) recorded the outbox
        from ``digest``, or is recording it; its row locked, so a second
        worker waits here until the first has recorded it, or has begun to
        record it a chunk at a time. A later run records it again, as on
        SQLite (a reader withdrawn before may be back)."""
        self.db.execute("INSERT INTO delivery_outboxes (outbox, digest, recorded_at) VALUES (?, '', ?)"
                        " ON CONFLICT (outbox) DO NOTHING", (outbox_key, now))
        row = self._outbox_row(outbox_key)
        return self.store.backend == "postgresql" and row["digest"] == digest and self.db.execute(
            f"SELECT 1 FROM ({_LIVE_WORKERS}) AS live WHERE worker = ?", (row["recorder"],)).fetchone() is not None

    def _outbox_row(self, outbox_key: str):
        """The outbox's row of delivery_outboxes, locked until the transaction ends."""
        lock = " FOR UPDATE" if self.store.backend == "postgresql" else ""  # SQLite: BEGIN IMMEDIATE
        return self.db.execute(f"SELECT digest, recorder, sms_pending FROM delivery_outboxes WHERE outbox = ?{lock}",
                               (outbox_key,)).fetchone()

    def _record(self, outbox, reachable, notices, recorded: Recorded, now: str, in_chunks_from: str | None) -> None:
        """Record the outbox's messages (see :meth:`record_outbox`); a first
        recording from the digest ``in_chunks_from`` a committed chunk at a time."""
        self.db.execute("UPDATE delivery_messages SET state = 'queued' WHERE outbox = ? AND channel = 'email'"
                        " AND state = 'failed' AND answer_stage = ?", (outbox.key, TOO_BIG))
        self.db.executemany(
            "INSERT OR IGNORE INTO delivery_notices VALUES (?, ?, ?, ?, ?, ?)",
            [(outbox.key, slug, info.title, info.department, info.category, info.category_label)
             for slug, info in (notices() if callable(notices) else notices).items()])
        handed_over = self._sms_handed_over(outbox.key)
        withdrawable = self._holds(outbox.key, "state IN (?, ?, ?)", UNSENT)  # else all unsent after are kept
        queued_before = self._holds(outbox.key, "channel = 'email'")  # else no email of a chunk is in the journal
        in_chunks = in_chunks_from is not None and not queued_before
        if in_chunks:
            self._begin_recording(outbox, in_chunks_from, now)
        kept = set()
        # readers no longer reachable whose message went before are not left out: they had it
        settled = {"email": self._settled_emails(outbox.key) if queued_before else set(), "sms": handed_over}
        for chunk, reached in _reached_in_chunks(outbox.messages, reachable):
            emails = []
            for message in chunk:
                if (message.subscriber_id, message.channel) not in reached:
                    recorded.left_out[message.channel] += message.subscriber_id not in settled[message.channel]
                    continue
                kept.add((message.subscriber_id, message.channel))
                if message.channel == "email":
                    emails.append(message)
                elif message.subscriber_id not in handed_over:
                    recorded.sms.append(message)
            recorded.email_new += self._queue(outbox, emails, now, queued_before)
            if in_chunks:
                self._commit_chunk(outbox.key, sum(1 for message in chunk if message.channel == "email"))
        if withdrawable:
            self._withdraw(outbox.key, kept)

    def _begin_recording(self, outbox, digest: str, now: str) -> None:
        """Say in the outbox's row, committed, that this worker records it
        from ``digest`` and how many emails and SMS it holds: a worker
        starting on the outbox now joins it (:meth:`_recorded_from`) and
        claims each chunk of emails as it is committed."""
        emails = sum(1 for message in outbox.messages if message.channel == "email")
        self.db.execute("UPDATE delivery_outboxes SET digest = ?, recorder = ?, recorded_at = ?, sms_pending = ?,"
                        " email_left_out = 0, sms_left_out = 0, emails_to_record = ? WHERE outbox = ?",
                        (digest, self.worker, now, len(outbox.messages) - emails, emails, outbox.key))
        self.db.execute("COMMIT")
        self.db.execute("BEGIN")

    def _commit_chunk(self, outbox_key: str, emails: int) -> None:
        """A chunk of the outbox recorded, its ``emails`` counted off those to record, committed."""
        self.db.execute("UPDATE delivery_outboxes SET emails_to_record = emails_to_record - ? WHERE outbox = ?",
                        (emails, outbox_key))
        self.db.execute("COMMIT")
        self.db.execute("BEGIN")

    def recording(self, outbox_key: str) -> str | None:
        """Whether another worker is recording the outbox's emails a chunk at
        a time (PostgreSQL): RECORDING while it lives, ABANDONED when it
        stopped before the end (the emails it had not queued are for another
        worker to record), None when no worker is (always on SQLite)."""
        if self.store.backend != "postgresql":
            return None
        row = self.db.execute(f"SELECT recorder IN ({_LIVE_WORKERS}) FROM delivery_outboxes"
                              " WHERE outbox = ? AND emails_to_record > 0 AND recorder != ?",
                              (outbox_key, self.worker)).fetchone()
        return None if row is None else RECORDING if row[0] else ABANDONED

    def left_out(self, outbox_key: str) -> dict:
        """channel -> readers its recorder left out of the outbox (no longer reachable)."""
        row = self.db.execute("SELECT email_left_out, sms_left_out FROM delivery_outboxes WHERE outbox = ?",
                              (outbox_key,)).fetchone()
        return {"email": row[0], "sms": row[1]} if row else {"email": 0, "sms": 0}

    def _queue(self, outbox, emails: list, now: str, queued_before: bool) -> int:
        """Queue the emails not yet in the journal; an unsent one bundled again
        since follows the new outbox. Returns how many were new. Their rows are
        not looked for unless the outbox had emails in the journal before this
        recording (``queued_before``: an outbox names a reader once a channel)."""
        if not emails:
            return 0
        known = self._queued(outbox.key, emails) if queued_before else {}
        new, changed = [], []
        for message in emails:
            notices = notices_text(message.notices)
            row = known.get(message.subscriber_id)
            if row is None:
                new.append((message.subscriber_id, notices, message.file))
            elif row[2] in UNSENT and row[:2] != (notices, message.file):
                changed.append((notices, message.file, outbox.key, message.subscriber_id))
        self.db.executemany(
            "UPDATE delivery_messages SET notices = ?, file = ? WHERE outbox = ? AND subscriber_id = ?"
            " AND channel = 'email' AND state IN ('queued', 'sending', 'deferred')", changed)
        fixed = {"outbox": outbox.key, "kind": outbox.kind, "channel": "email", "type": "EMAIL", "state": QUEUED,
                 "queued_at": now, "updated_at": now}
        return self._insert_messages(fixed, ("subscriber_id", "notices", "file"), new) if new else 0

    def hand_over(self, outbox, messages: list, written: Callable[[list], None] = lambda recorded: None,
                  prices: Prices | None = None) -> list:
        """Record SMS ``messages`` of ``outbox`` as handed over to the SMS
        agency, in one transaction; returns those it recorded. Those already
        recorded (by another worker on the outbox, which finished first) are
        not written again, nor any when a worker that joined handed over the
        outbox's SMS (:meth:`hand_over_left`). ``written`` is given those it
        records before the commit (the file for the agency is written then):
        if it fails, none is recorded, and the next run hands them over.
        ``prices``: those in force, recorded with each (None: not known)."""
        with self.store.transaction():
            row = self._outbox_row(outbox.key)  # after a worker handing them over now
            if row is not None and not row["sms_pending"]:
                return []
            handed_over = self._sms_handed_over(outbox.key)
            return self._hand_over(outbox, [message for message in messages if message.subscriber_id not in handed_over],
                                   written, prices)

    def recorder_holds_sms(self, outbox_key: str) -> bool:
        """Whether the outbox's SMS are still to hand over and the worker that
        recorded it (and holds them) is alive (PostgreSQL; never on SQLite,
        where no worker joins another)."""
        if self.store.backend != "postgresql":
            return False
        return self.db.execute(f"SELECT 1 FROM delivery_outboxes WHERE outbox = ? AND sms_pending > 0"
                               f" AND recorder IN ({_LIVE_WORKERS})", (outbox_key,)).fetchone() is not None

    def hand_over_left(self, outbox, reachable: Callable[[tuple], set], wait: float = RECORDER_WAIT,
                       written: Callable[[list], None] = lambda recorded: None, prices: Prices | None = None) -> list:
        """For a worker that joined (:meth:`record_outbox`): the outbox's SMS
        to readers still reachable, recorded as handed over unless a worker did;
        those it recorded. The recorder holds the SMS in hand and hands them
        over as it finishes, moments after this one (they claim from one
        outbox), so while it is alive this waits up to ``wait`` seconds for it
        (reading the manifest and the readers again took five seconds at
        43,000 SMS, while the recorder waited for it); once it is gone, or the
        time is up, this hands over what is still pending (``written`` and
        ``prices``: as for :meth:`hand_over`)."""
        deadline = time.monotonic() + wait
        while self.recorder_holds_sms(outbox.key) and time.monotonic() < deadline:
            time.sleep(RECORDER_POLL)
        with self.store.transaction():
            row = self._outbox_row(outbox.key)
            if row is None or not row["sms_pending"]:
                return []
            handed_over = self._sms_handed_over(outbox.key)
            left = [message for message in outbox.messages
                    if message.channel == "sms" and message.subscriber_id not in handed_over]
            return self._hand_over(outbox, [message for chunk, reached in _reached_in_chunks(left, reachable)
                                            for message in chunk if (message.subscriber_id, "sms") in reached],
                                   written, prices)

    def _hand_over(self, outbox, messages: list, written: Callable[[list], None], prices: Prices | None) -> list:
        """Write the SMS ``messages`` (none of them recorded yet) as handed
        over, then ``written(messages)`` (when there are any), in the
        transaction; the outbox has no SMS pending after. Returns ``messages``."""
        now = self.clock()
        self.db.execute("UPDATE delivery_outboxes SET sms_pending = 0 WHERE outbox = ?", (outbox.key,))
        if messages:
            fixed = {"outbox": outbox.key, "kind": outbox.kind, "channel": "sms", "file": None, "state": HANDED_OVER,
                     "attempts": 1, "answer_text": SMS_HANDOVER, "queued_at": now, "updated_at": now, "sent_at": now}
            self._insert_messages(fixed, ("subscriber_id", "type", "notices", "price"), [
                (message.subscriber_id, message.type, notices_text(message.notices),
                 None if prices is None else prices.of(message.type)) for message in messages])
            written(messages)
        return messages

    def _insert_messages(self, fixed: dict, varying: tuple[str, ...], rows: list[tuple]) -> int:
        """Journal rows with the ``fixed`` columns' values and the ``varying``
        ones of each of ``rows`` (text, or a number in :data:`_NUMBER_COLUMNS`); a row already there (outbox, reader,
        channel) is left as it is. Returns how many were new. On PostgreSQL
        one statement, the rows one JSON array of arrays: a statement a row
        (executemany) was most of a worker's start-up for the server, and
        psycopg's quoting of each text of arrays of columns a fifth of the
        client's (json.dumps writes the same in a fraction of it)."""
        columns = ", ".join([*fixed, *varying])
        if self.store.backend == "postgresql":
            sql = (f"INSERT INTO delivery_messages ({columns}) SELECT {', '.join('?' * len(fixed))}, "
                   f"{', '.join(_json_value(column, n) for n, column in enumerate(varying))}"
                   " FROM json_array_elements(?::json)"
                   " AS r(v) ON CONFLICT (outbox, subscriber_id, channel) DO NOTHING")
            return self.db.execute(sql, (*fixed.values(), json.dumps(rows, ensure_ascii=False))).rowcount
        sql = (f"INSERT INTO delivery_messages ({columns}) VALUES ({', '.join('?' * (len(fixed) + len(varying)))})"
               " ON CONFLICT (outbox, subscriber_id, channel) DO NOTHING")
        return self.db.executemany(sql, [(*fixed.values(), *row) for row in rows]).rowcount

    def notice_slugs(self, outbox_key: str) -> set:
        """The slugs of the notices recorded with the outbox (delivery_notices)."""
        return {row[0] for row in self.db.execute("SELECT slug FROM delivery_notices WHERE outbox = ?", (outbox_key,))}

    def _sms_handed_over(self, outbox_key: str) -> set:
        """The readers whose SMS of the outbox are recorded as handed over."""
        return {row[0] for row in self.db.execute(
            "SELECT subscriber_id FROM delivery_messages WHERE outbox = ? AND channel = 'sms'", (outbox_key,))}

    def _settled_emails(self, outbox_key: str) -> set:
        """The readers whose emails of the outbox the server took or refused for good."""
        return {row[0] for row in self.db.execute(
            "SELECT subscriber_id FROM delivery_messages WHERE outbox = ? AND channel = 'email'"
            " AND state IN ('sent', 'failed')", (outbox_key,))}

    def _queued(self, outbox_key: str, emails: list) -> dict:
        """subscriber id -> (notices, file, state) of the journal's rows of ``emails``."""
        condition, ids = self.store.one_of("subscriber_id", [message.subscriber_id for message in emails])
        return {row[0]: tuple(row)[1:] for row in self.db.execute(
            f"SELECT subscriber_id, notices, file, state FROM delivery_messages WHERE outbox = ? AND channel = 'email'"
            f" AND {condition}", (outbox_key, *ids))}

    def _holds(self, outbox_key: str, condition: str, params: tuple = ()) -> bool:
        """Whether the journal holds a message of the outbox meeting ``condition``:
        a first recording finds none, and then reads back none of the rows it
        writes (unsent ones a recording may withdraw, emails it may queue again)."""
        return self.db.execute(f"SELECT 1 FROM delivery_messages WHERE outbox = ? AND {condition} LIMIT 1",
                               (outbox_key, *params)).fetchone() is not None

    def _withdraw(self, outbox_key: str, kept: set) -> None:
        sql = "SELECT id, subscriber_id, channel FROM delivery_messages WHERE outbox = ? AND state IN (?, ?, ?)"
        rows = self.db.stream(sql, (outbox_key, *UNSENT)) if self.store.backend == "postgresql" else \
            self.db.execute(sql, (outbox_key, *UNSENT))
        gone = [(row[0],) for row in rows if (row[1], row[2]) not in kept]
        self.db.executemany("DELETE FROM delivery_messages WHERE id = ?", gone)

    # --- sending ---------------------------------------------------------

    def claim(self, outbox_key: str, limit: int) -> list[Pending]:
        """Up to ``limit`` unsent emails of the outbox for this worker, in id
        order: queued, deferred, or left ``sending`` or claimed by a worker
        that is gone (one statement; see the module's text). A claim walks on
        from the last id this worker claimed, so that it does not step again
        over the rows sent since the outbox began, nor over their dead row
        versions (on PostgreSQL each claim walked them all until a vacuum:
        its cost grew with what was sent); only when that comes back short
        does it look again from the start, for what was given back behind it
        (a dead worker's batch, a message in flight when a run stopped)."""
        after = self.claimed_up_to.get(outbox_key, 0)
        rows = self._claim_rows(outbox_key, limit, after)
        if len(rows) < limit and after:
            rows += self._claim_rows(outbox_key, limit - len(rows), 0)
        if rows:
            self.claimed_up_to[outbox_key] = max(after, *(row["id"] for row in rows))
        return sorted((Pending(**dict(row)) for row in rows), key=lambda pending: pending.id)

    def claim_statement(self, outbox_key: str, limit: int, after: int) -> tuple[str, dict]:
        """The claim's statement and its parameters (EXPLAIN reads them in the tests)."""
        return _CLAIM[self.store.backend], {"outbox": outbox_key, "limit": limit, "after": after,
                                            "worker": self.worker}

    def _claim_rows(self, outbox_key: str, limit: int, after: int) -> list:
        return self.db.execute(*self.claim_statement(outbox_key, limit, after)).fetchall()

    def take(self, messages: list[Pending], accepted: list[Accepted] = ()) -> dict[int, str]:
        """Mark emails this worker claimed ``sending`` just before they go to
        the server (at most :data:`TAKE_BATCH` of a connection at once): id ->
        TAKEN; WITHDRAWN (and deleted, as :meth:`record_outbox` does) when its
        reader can no longer be reached by email (an unsubscribe or an
        invalid address may have come in since the run began); ELSEWHERE when
        it is no longer this worker's to send or is settled. ``accepted``, the
        connection's messages the server took since its last take, are
        recorded ``sent`` with it, whatever it finds. On PostgreSQL one
        statement does it all and reads the readers (one round trip; under
        READ COMMITTED a transaction around two would see nothing more)."""
        now, ids = self.clock(), [message.id for message in messages]
        if self.store.backend == "postgresql":
            answers = json.dumps({a.id: [a.stage, a.code, a.text] for a in accepted}, ensure_ascii=False)
            rows = self.db.execute(_TAKE_READING_THE_READERS, {"now": now, "ids": ids, "worker": self.worker,
                                                               "sent_ids": [a.id for a in accepted],
                                                               "accepted": answers}).fetchall()
            return self._settle_take(messages, {row[0] for row in rows}, [row[1:] for row in rows], self.db)
        with self.store.transaction() as db:
            db.executemany(_RECORD_SENT["sqlite"], [(a.stage, a.code, a.text, now, now, a.id) for a in accepted])
            if not ids:
                return {}
            taken = {row[0] for row in db.execute(_TAKE.format(ids="IN (SELECT value FROM json_each(:ids))"), {
                "now": now, "ids": json.dumps(ids), "worker": self.worker}).fetchall()}
            condition, params = self.store.one_of("s.id", sorted(taken))
            rows = db.execute(READERS_REACH.format(readers="subscribers AS s") + f" WHERE {condition}",
                              params).fetchall() if taken else []
            return self._settle_take(messages, taken, rows, db)

    def _settle_take(self, messages: list[Pending], taken: set, reader_rows, db) -> dict[int, str]:
        """What became of each message of a take whose readers' rows are
        ``reader_rows``: those of readers gone deleted."""
        reached = {subscriber_id for subscriber_id, _channel in reachable_pairs(
            reader_rows, [(subscriber_id, "email") for subscriber_id in taken])}
        states = {message.id: TAKEN if message.subscriber_id in reached else
                  WITHDRAWN if message.subscriber_id in taken else ELSEWHERE for message in messages}
        withdrawn = [message_id for message_id, state in states.items() if state == WITHDRAWN]
        if withdrawn:
            condition, params = self.store.one_of("id", withdrawn)
            db.execute(f"DELETE FROM delivery_messages WHERE {condition}", params)
        return states

    def give_back(self, messages: list[Pending]) -> None:
        """Emails taken and never handed to the server (the run stopped
        first): queued again, as they were, so a later run sends them once
        and does not count them as in flight."""
        self.db.executemany("UPDATE delivery_messages SET state = 'queued', attempts = attempts - 1"
                            " WHERE id = ? AND worker = ? AND state = 'sending'",
                            [(message.id, self.worker) for message in messages])

    def mark(self, message_id: int, state: str, stage: str | None, code: int | None, text: str | None) -> None:
        """Record the server's answer and the state it leads to."""
        now = self.clock()
        self.db.execute(
            "UPDATE delivery_messages SET state = ?, answer_stage = ?, answer_code = ?, answer_text = ?,"
            " updated_at = ?, sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END WHERE id = ?",
            (state, stage, code, text, now, state, now, message_id))

    # --- reading ---------------------------------------------------------

    def notices_of(self, message_id: int) -> tuple:
        """The slugs of the notices a message holds, in its order."""
        row = self.db.execute("SELECT notices FROM delivery_messages WHERE id = ?", (message_id,)).fetchone()
        return tuple(json.loads(row[0])) if row else ()

    def counts(self, outbox_key: str) -> dict:
        """{(channel, type, state): messages} for one outbox."""
        rows = self.db.execute(
            "SELECT channel, type, state, count(*) FROM delivery_messages WHERE outbox = ? GROUP BY 1, 2, 3",
            (outbox_key,))
        return {(r[0], r[1], r[2]): r[3] for r in rows}

    def counts_of(self, outbox) -> dict:
        """:meth:`counts` of the messages ``outbox`` holds as bundled now: not
        those of readers an earlier bundle of it held and this one left out
        (the journal keeps what was sent to them)."""
        held = {(message.subscriber_id, message.channel) for message in outbox.messages}
        rows = self.db.execute(
            "SELECT subscriber_id, channel, type, state FROM delivery_messages WHERE outbox = ?", (outbox.key,))
        return dict(collections.Counter((r[1], r[2], r[3]) for r in rows if (r[0], r[1]) in held))

    def sms_handed_over(self, outbox_key: str, before: str | None) -> tuple[int, str] | None:
        """How many of the outbox's SMS were recorded as handed over to the
        agency before a run that began at ``before`` (None: a run that
        recorded the outbox, before which every one was; else a worker that
        joined another, which may hand them over meanwhile), and when the
        first was (YYYY-MM-DD HH:MM, Asia/Seoul); None if none was."""
        sql = "SELECT count(*), min(sent_at) FROM delivery_messages WHERE outbox = ? AND channel = 'sms'"
        params = (outbox_key,) if before is None else (outbox_key, before)
        count, first = self.db.execute(sql + ("" if before is None else " AND sent_at < ?"), params).fetchone()
        return (count, first[:16].replace("T", " ")) if count else None

    def unsettled(self, outbox_key: str) -> list:
        """Failed and deferred messages, with the server's answer."""
        return self.db.execute(
            "SELECT subscriber_id, channel, state, attempts, answer_stage, answer_code, answer_text, updated_at"
            " FROM delivery_messages WHERE outbox = ? AND state IN ('failed', 'deferred')"
            " ORDER BY state, subscriber_id", (outbox_key,)).fetchall()

    def sent_aggregates(self, year: int) -> list[tuple]:
        """(month "YYYY-MM", type, slug, department, category, category_label, deliveries,
        messages, price) for every email sent and SMS handed over in ``year`` (Asia/Seoul);
        ``messages``: the sum of 1/k over the messages of k notices that held the slug;
        ``price``: what each cost (None: an email, or an SMS from before prices were kept)."""
        return self._aggregates("m.sent_at >= ? AND m.sent_at < ?", (f"{year:04d}-01-01", f"{year + 1:04d}-01-01"))

    def outbox_aggregates(self, outbox_key: str) -> list[tuple]:
        """The rows of :meth:`sent_aggregates` for the messages of one outbox (all years)."""
        return self._aggregates("m.outbox = ?", (outbox_key,))

    def _aggregates(self, condition: str, params: tuple) -> list[tuple]:
        each, length = NOTICES_AS_ROWS[self.store.backend]
        return [tuple(row) for row in self.db.execute(
            f"""SELECT substr(m.sent_at, 1, 7), m.type, j.value, n.department, n.category, n.category_label, count(*),
                      CAST(sum(1.0 / {length}) AS DOUBLE PRECISION), m.price
               FROM delivery_messages AS m
               JOIN {each} ON true
               LEFT JOIN delivery_notices AS n ON n.outbox = m.outbox AND n.slug = j.value
               WHERE m.state IN ('sent', 'handed_over') AND {condition}
               GROUP BY 1, 2, 3, 4, 5, 6, 9""", params)]


def _json_value(column: str, n: int) -> str:
    """PostgreSQL: the ``n``-th value of a JSON array of a row's values ``r.v``, as ``column`` takes it."""
    return f"(r.v ->> {n})::double precision" if column in _NUMBER_COLUMNS else f"r.v ->> {n}"


@functools.lru_cache(maxsize=4096)
def notices_text(notices: tuple) -> str:
    """A message's notices as the journal keeps them (a JSON list), written
    once per distinct list: an outbox's readers share a few lists, and
    json.dumps for each of 68,219 messages took 0.42 s (0.02 s once per list)."""
    return json.dumps(notices, ensure_ascii=False)


def _reached_in_chunks(messages, reachable: Callable[[tuple], set]) -> Iterator[tuple[tuple, set]]:
    """``messages`` :data:`RECORD_CHUNK` at a time, each chunk with the (id,
    channel) of those whose reader can still be reached (``reachable``)."""
    for start in range(0, len(messages), RECORD_CHUNK):
        chunk = messages[start:start + RECORD_CHUNK]
        yield chunk, reachable(chunk)


def _allow_handed_over(store) -> None:
    """Bring a journal made before SMS had their own state up to date: the
    table is rebuilt with the new CHECK, and its SMS rows recorded as "sent"
    become "handed_over" (what they always were)."""
    row = store.db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'delivery_messages'").fetchone()
    if row is None or "'handed_over'" in row[0]:
        return
    create_table = SCHEMA[:SCHEMA.index(");\n") + 1]
    with store.transaction() as db:
        db.execute("ALTER TABLE delivery_messages RENAME TO delivery_messages_before_handed_over")
        db.execute(create_table)
        db.execute("INSERT INTO delivery_messages SELECT * FROM delivery_messages_before_handed_over")
        db.execute("UPDATE delivery_messages SET state = 'handed_over' WHERE channel = 'sms' AND state = 'sent'")
        db.execute("DROP TABLE delivery_messages_before_handed_over")
