"""What ``sotong send`` reads of the readers (issue 15): a chunk of the
outbox's readers at a time, never every subscriber of the store (a million
of them would not fit), with the same verdict as the rule (``reachable_by``,
the address on the channel not marked invalid); and a second worker starting
on an outbox already recorded writes nothing (it would lock the rows the
first one is sending)."""

from __future__ import annotations

import json
import threading
import time

import pytest

from delivery_support import mark_address_invalid
from processes import wait_until
from project_support import new_store_location

from delivery.journal import ABANDONED, RECORD_CHUNK, RECORDING, Journal, NoticeInfo
from delivery.marks import reachable_messages
from delivery.outbox import Outbox, OutboxMessage
from sotong.store import Store, Subscriber

ISSUE = "2026-11-26"
BOTH = frozenset({"email", "sms"})


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    opened = Store.open(new_store_location(request.param, tmp_path))
    Journal(opened)  # the journal's and the marks' tables
    yield opened
    opened.close()


def reader(subscriber_id: str, **fields) -> Subscriber:
    values = {"email": f"{subscriber_id.lower()}@example.com", "phone": "010-1234-5678", "channels": BOTH} | fields
    return Subscriber(id=subscriber_id, **values)


def both_channels(*ids: str) -> tuple:
    return tuple(OutboxMessage(i, channel, ("n",), f"email/{i}.eml" if channel == "email" else None,
                               "EMAIL" if channel == "email" else "SMS")
                 for i in ids for channel in ("email", "sms"))


def test_reachable_messages_follow_the_rule_and_the_marks(store):
    for subscriber in (reader("A"), reader("B", unsubscribed_at="2026-11-01T10:00:00+09:00"),
                       reader("C", sms_unsubscribed_at="2026-11-01T10:00:00+09:00"),
                       reader("D", channels=frozenset({"sms"})), reader("E"), reader("F"), reader("H", email=None)):
        store.put_subscriber(subscriber)
    mark_address_invalid(store, "E")
    mark_address_invalid(store, "F")
    mark_address_invalid(store, "F", channel="sms")
    store.put_subscriber(reader("F", email="new@example.com"))  # a new address: the old one's mark no longer holds

    reached = reachable_messages(store, both_channels("A", "B", "C", "D", "E", "F", "G", "H"))

    assert reached == {("A", "email"), ("A", "sms"), ("C", "email"), ("D", "sms"), ("E", "sms"), ("F", "email"),
                       ("H", "sms")}
    assert reachable_messages(store, ()) == set()


def test_the_outbox_is_recorded_a_chunk_at_a_time_and_once(store):
    count = RECORD_CHUNK * 2 + 10
    ids = [f"S{n:05d}" for n in range(count)]
    outbox = Outbox(ISSUE, "issue", store.path, both_channels(*ids))
    chunks = []

    def reachable(messages) -> set:
        chunks.append(len(messages))
        return {(m.subscriber_id, m.channel) for m in messages if m.subscriber_id != "S00007"}

    notices = {"n": NoticeInfo("title", None, None, None)}
    recorded, unsent = Journal(store).record_outbox(outbox, reachable, notices)
    assert (recorded.email_new, len(recorded.sms), unsent) == (count - 1, count - 1, count - 1)
    assert recorded.left_out == {"email": 1, "sms": 1}
    assert max(chunks) <= RECORD_CHUNK and sum(chunks) == 2 * count

    before = row_versions(store)
    recorded, unsent = Journal(store).record_outbox(outbox, reachable, notices)  # a second worker starts
    assert (recorded.email_new, unsent) == (0, count - 1)
    assert row_versions(store) == before, "nothing written again"

    rebundled = Outbox(ISSUE, "issue", store.path, tuple(
        OutboxMessage(m.subscriber_id, m.channel, ("n", "m"), m.file, m.type) if m.subscriber_id == "S00003" else m
        for m in outbox.messages))
    Journal(store).record_outbox(rebundled, reachable, notices)
    assert store.db.execute("SELECT notices FROM delivery_messages WHERE subscriber_id = 'S00003'"
                            " AND channel = 'email'").fetchone()[0] == '["n", "m"]'


def row_versions(store):
    """What changes when any journal row is written again."""
    if store.backend == "sqlite":
        return store.db.total_changes
    return store.db.execute("SELECT id, xmin::text FROM delivery_messages ORDER BY id").fetchall()


def test_sms_already_handed_over_by_another_worker_are_not_written_again(tmp_path, monkeypatch):
    """Two workers started together on one outbox (PostgreSQL) both hold its
    SMS to hand over when they finish: the second writes none of them."""
    store = Store.open(new_store_location("postgresql", tmp_path))
    ids = [f"S{n:05d}" for n in range(30)]
    outbox = Outbox(ISSUE, "issue", store.path, both_channels(*ids))
    everyone = lambda messages: {(m.subscriber_id, m.channel) for m in messages}  # noqa: E731
    first, second = Journal(store), Journal(store)
    recorded = [journal.record_outbox(outbox, everyone, {"n": NoticeInfo("title", None, None, None)})[0]
                for journal in (first, second)]
    assert len(recorded[0].sms) == len(recorded[1].sms) == 30
    assert len(first.hand_over(outbox, recorded[0].sms[:20])) == 20
    inserts = []
    execute = store.db.execute
    monkeypatch.setattr(store.db, "execute", lambda sql, params=(): (
        inserts.append(params[-1]) if sql.startswith("INSERT") else None) or execute(sql, params))
    assert len(second.hand_over(outbox, recorded[1].sms)) == 10 and [len(json.loads(rows)) for rows in inserts] == [10]
    inserts.clear()
    assert first.hand_over(outbox, recorded[0].sms) == [] and inserts == []
    assert store.db.execute("SELECT count(*) FROM delivery_messages WHERE channel = 'sms'"
                            " AND state = 'handed_over'").fetchone()[0] == 30


def test_on_postgresql_every_chunk_is_read_and_written_with_one_statement_text(tmp_path, monkeypatch):
    """The ids go as one array: a list of a thousand placeholders was a new
    query text for psycopg to parse at every chunk of every worker's start;
    and a chunk's new rows are one INSERT of arrays, not a statement a row."""
    store = Store.open(new_store_location("postgresql", tmp_path))
    Journal(store)
    ids = [f"S{n:05d}" for n in range(RECORD_CHUNK + 7)]
    outbox = Outbox(ISSUE, "issue", store.path, both_channels(*ids))
    statements = []
    execute = store.db.execute
    monkeypatch.setattr(store.db, "execute", lambda sql, params=(): statements.append((sql, params)) or execute(sql, params))
    for start in range(0, len(outbox.messages), RECORD_CHUNK):
        reachable_messages(store, outbox.messages[start:start + RECORD_CHUNK])
    everyone = lambda chunk: {(m.subscriber_id, m.channel) for m in chunk}  # noqa: E731
    Journal(store).record_outbox(outbox, everyone, {"n": NoticeInfo("title", None, None, None)})
    Journal(store).record_outbox(outbox, everyone, {"n": NoticeInfo("title", None, None, None)})  # again
    by_ids = [(sql, params) for sql, params in statements if "= ANY(" in sql]
    assert len(by_ids) == 3 + 3, "three chunks: their readers, then (recorded again) their journal rows"
    assert len({sql for sql, _ in by_ids}) == 2 and all(len(params[-1]) <= RECORD_CHUNK for _, params in by_ids)
    assert max(sql.count("?") for sql, _ in statements) < 20, "no list of placeholders as long as a chunk"
    inserts = [params for sql, params in statements if sql.startswith("INSERT INTO delivery_messages")]
    assert [len(json.loads(params[-1])) for params in inserts] == [500, 500, 7], "each chunk's new emails: one statement"
    assert store.db.execute("SELECT count(*) FROM delivery_messages WHERE state = 'queued'").fetchone()[0] == len(ids)


class HeldRecording:
    """``journal`` recording ``outbox`` (PostgreSQL, a first recording) in a
    thread, held before it reads the readers of the outbox's second chunk:
    its first chunk is committed. ``finish()`` lets it go on, or stop there
    (``stop=True``, as a process killed then would)."""

    def __init__(self, journal: Journal, outbox: Outbox, notices):
        self.held, self.go_on, self.stopping, self.result = threading.Event(), threading.Event(), False, []
        self.thread = threading.Thread(target=self._record, args=(journal, outbox, notices))
        self.thread.start()
        assert self.held.wait(30), "the recording never reached its second chunk"

    def _record(self, journal, outbox, notices) -> None:
        chunks = []

        def reachable(messages) -> set:
            chunks.append(messages)
            if len(chunks) == 2:
                self.held.set()
                self.go_on.wait(30)
                if self.stopping:
                    raise RuntimeError("stopped halfway")
            return reachable_messages(journal.store, messages)

        try:
            self.result.append(journal.record_outbox(outbox, reachable, notices, digest=outbox.digest))
        except RuntimeError as stopped:
            self.result.append(stopped)

    def finish(self, stop: bool = False):
        self.stopping = stop
        self.go_on.set()
        self.thread.join(30)
        return self.result[0]


def test_a_worker_joining_an_outbox_being_recorded_claims_the_chunks_recorded_and_reads_nothing(tmp_path):
    """PostgreSQL: a first recording is committed a chunk at a time, so a
    second worker started on an outbox of the same digest joins it at once
    (no reader, no journal row read or written) and claims the emails of the
    chunks recorded while the first records the rest, which it awaits
    (Journal.recording); it counts them all as left to send. The SMS are
    handed over once, by whichever finishes first (a joiner after waiting
    for its recorder in vain), and only to readers still reachable. Once the
    recorder is gone, a later run records the outbox again (a reader
    withdrawn may be back)."""
    location = new_store_location("postgresql", tmp_path)
    first, second = Journal(Store.open(location)), Journal(Store.open(location))
    ids = [f"S{n:05d}" for n in range(RECORD_CHUNK + 5)]
    for subscriber_id in ids:
        first.store.put_subscriber(reader(subscriber_id))
    outbox = Outbox(ISSUE, "issue", first.store.path, both_channels(*ids), digest="d1")
    notices = {"n": NoticeInfo("title", None, None, None)}
    read_by_second = []

    def reachable_for_second(messages) -> set:
        read_by_second.append(messages)
        return reachable_messages(second.store, messages)

    recording = HeldRecording(first, outbox, notices)
    joined, unsent = second.record_outbox(outbox, reachable_for_second, notices, digest="d1")
    assert joined.joined and unsent == len(ids), "the second counts the emails still to be recorded too"
    assert second.recording(ISSUE) == RECORDING
    first_chunk = RECORD_CHUNK // 2  # a chunk of messages holds an email and an SMS of each reader
    assert [message.subscriber_id for message in second.claim(ISSUE, 2 * RECORD_CHUNK)] == ids[:first_chunk]
    recorded, unsent = recording.finish()
    assert not recorded.joined and unsent == len(ids) and len(recorded.sms) == len(ids)
    assert second.recording(ISSUE) is None
    assert len(second.claim(ISSUE, 2 * RECORD_CHUNK)) == len(ids) - first_chunk
    assert read_by_second == [], "the second read no reader"

    first.store.put_subscriber(reader(ids[3], sms_unsubscribed_at="2026-11-27T10:00:00+09:00"))
    # the second finished first, and the recorder (alive) did not hand over within the wait
    handed = second.hand_over_left(outbox, reachable_for_second, wait=0.2)
    assert len(handed) == len(ids) - 1 and ids[3] not in {message.subscriber_id for message in handed}
    assert first.hand_over(outbox, recorded.sms) == [] and second.hand_over_left(outbox, reachable_for_second) == []

    first.store.db.execute("DELETE FROM delivery_messages WHERE subscriber_id = ? AND channel = 'email'", (ids[0],))
    first.store.close()  # the recorder is gone: its lock with it
    later = Journal(Store.open(location))
    recorded, unsent = later.record_outbox(outbox, reachable_messages.__get__(later.store), notices, digest="d1")
    assert not recorded.joined and recorded.email_new == 1 and unsent == len(ids)
    recorded, _unsent = later.record_outbox(outbox, reachable_messages.__get__(later.store), notices, digest="d2")
    assert not recorded.joined, "another outbox under the same name is recorded"


def test_a_recording_stopped_halfway_is_finished_by_the_worker_that_joined_it(tmp_path):
    """PostgreSQL: when the worker recording an outbox a chunk at a time
    stops after its first chunk, a worker that joined it learns so once the
    recorder is gone (its lock with its connection), not before, and records
    the outbox itself: the emails not yet queued are queued, those queued
    before kept as they are; what the recorder left out is said by both."""
    location = new_store_location("postgresql", tmp_path)
    first, second = Journal(Store.open(location)), Journal(Store.open(location))
    ids = [f"S{n:05d}" for n in range(RECORD_CHUNK + 5)]
    for subscriber_id in ids:
        first.store.put_subscriber(reader(subscriber_id))
    first.store.put_subscriber(reader(ids[-1], unsubscribed_at="2026-11-25T10:00:00+09:00"))
    outbox = Outbox(ISSUE, "issue", first.store.path, both_channels(*ids), digest="d1")
    notices = {"n": NoticeInfo("title", None, None, None)}

    recording = HeldRecording(first, outbox, notices)
    assert second.record_outbox(outbox, reachable_messages.__get__(second.store), notices, digest="d1")[0].joined
    assert isinstance(recording.finish(stop=True), RuntimeError)
    assert second.recording(ISSUE) == RECORDING, "its recorder is still alive: it may go on"
    first.store.close()  # its server process ends soon after, not at once: the lock goes with it
    wait_until(lambda: second.recording(ISSUE) == ABANDONED, 30, "the recording abandoned")

    recorded, unsent = second.record_outbox(outbox, reachable_messages.__get__(second.store), notices, digest="d1")
    assert not recorded.joined and second.recording(ISSUE) is None
    assert recorded.email_new == len(ids) - 1 - RECORD_CHUNK // 2 and unsent == len(ids) - 1
    assert recorded.left_out == {"email": 1, "sms": 1} and len(recorded.sms) == len(ids) - 1
    assert second.left_out(ISSUE) == {"email": 1, "sms": 1}
    emails = second.store.db.execute("SELECT subscriber_id FROM delivery_messages WHERE channel = 'email'").fetchall()
    assert sorted(row[0] for row in emails) == ids[:-1]
    second.store.close()


def test_a_joining_worker_that_finishes_first_leaves_the_sms_to_its_recorder_while_it_lives(tmp_path):
    """PostgreSQL: the recorder holds the outbox's SMS in hand; a worker that
    joined and finishes first waits for it to hand them over instead of
    reading the manifest and the readers again (five seconds at 43,000 SMS,
    while the recorder waited for it); when the recorder is gone, the joiner
    hands over at once what is left, to readers still reachable."""
    location = new_store_location("postgresql", tmp_path)
    recorder, joiner = Journal(Store.open(location)), Journal(Store.open(location))
    ids = [f"S{n:02d}" for n in range(6)]
    for subscriber_id in ids:
        recorder.store.put_subscriber(reader(subscriber_id))
    notices = {"n": NoticeInfo("title", None, None, None)}
    read = []

    def joiner_reach(messages) -> set:
        read.extend(messages)
        return reachable_messages(joiner.store, messages)

    outbox = Outbox(ISSUE, "issue", recorder.store.path, both_channels(*ids), digest="d1")
    recorded, _unsent = recorder.record_outbox(outbox, reachable_messages.__get__(recorder.store), notices, digest="d1")
    assert joiner.record_outbox(outbox, joiner_reach, notices, digest="d1")[0].joined
    assert joiner.recorder_holds_sms(ISSUE)
    handed_by_recorder = []
    handing = threading.Timer(0.5, lambda: handed_by_recorder.append(recorder.hand_over(outbox, recorded.sms)))
    handing.start()
    started = time.monotonic()
    assert joiner.hand_over_left(outbox, joiner_reach) == [], "the recorder handed them over"
    waited = time.monotonic() - started
    handing.join()
    assert waited >= 0.5 and len(handed_by_recorder[0]) == len(ids) and read == []
    assert not joiner.recorder_holds_sms(ISSUE)

    later = Outbox("2026-12-10", "issue", recorder.store.path, both_channels(*ids), digest="d2")
    recorder.record_outbox(later, reachable_messages.__get__(recorder.store), notices, digest="d2")
    assert joiner.record_outbox(later, joiner_reach, notices, digest="d2")[0].joined
    recorder.store.close()  # it stopped before handing over: its lock went with its connection
    joiner.store.put_subscriber(reader(ids[0], sms_unsubscribed_at="2026-12-09T10:00:00+09:00"))
    started = time.monotonic()
    handed = joiner.hand_over_left(later, joiner_reach)
    assert time.monotonic() - started < 5 and not joiner.recorder_holds_sms("2026-12-10")
    assert sorted(message.subscriber_id for message in handed) == ids[1:]
    joiner.store.close()


def test_a_first_recording_on_sqlite_lets_the_collector_write_between_chunks_and_a_stopped_one_is_finished(tmp_path):
    """SQLite's write lock is the whole store's: recording an outbox of 83,000
    emails in one transaction kept a resident's unsubscribe waiting 2 s. A
    first recording commits a chunk at a time, so another connection writes
    between two chunks without waiting at all; a recording stopped there (a
    killed send) is finished by the next run, each email queued once."""
    import sqlite3

    location = new_store_location("sqlite", tmp_path)
    journal = Journal(Store.open(location))
    ids = [f"S{n:05d}" for n in range(RECORD_CHUNK + 5)]
    for subscriber_id in ids:
        journal.store.put_subscriber(reader(subscriber_id))
    outbox = Outbox(ISSUE, "issue", journal.store.path, both_channels(*ids), digest="d1")
    notices = {"n": NoticeInfo("title", None, None, None)}

    recording = HeldRecording(journal, outbox, notices)
    collector = sqlite3.connect(location, timeout=0, isolation_level=None)
    collector.execute("UPDATE subscribers SET unsubscribed_at = '2026-11-27T10:00:00+09:00' WHERE id = ?", (ids[-1],))
    assert isinstance(recording.finish(stop=True), RuntimeError)
    queued = "SELECT count(*) FROM delivery_messages WHERE channel = 'email'"
    assert collector.execute(queued).fetchone()[0] == RECORD_CHUNK // 2, "the first chunk was committed"

    recorded, unsent = journal.record_outbox(outbox, reachable_messages.__get__(journal.store), notices, digest="d1")
    assert recorded.email_new == len(ids) - 1 - RECORD_CHUNK // 2 and unsent == len(ids) - 1
    assert collector.execute(queued).fetchone()[0] == len(ids) - 1, "each email once, the unsubscribed reader's none"
    assert collector.execute("SELECT count(*) FROM delivery_messages WHERE subscriber_id = ?", (ids[-1],)).fetchone()[0] == 0


def test_a_dry_run_on_sqlite_takes_no_write_lock_and_records_nothing(tmp_path):
    """A dry run recorded the outbox in one transaction and rolled it back:
    for the 4 s that took at 83,000 emails, it held SQLite's write lock and
    the collector's unsubscribes waited. It now writes into TEMP copies of
    the journal's tables: the collector writes meanwhile without waiting,
    the figures are a real run's, and the store is left as it was."""
    import sqlite3

    location = new_store_location("sqlite", tmp_path)
    journal = Journal(Store.open(location))
    ids = [f"S{n:05d}" for n in range(RECORD_CHUNK + 5)]
    for subscriber_id in ids[:-3]:
        journal.store.put_subscriber(reader(subscriber_id))
    notices = {"n": NoticeInfo("title", None, None, None)}
    reach = reachable_messages.__get__(journal.store)
    journal.record_outbox(Outbox(ISSUE, "issue", journal.store.path, both_channels(*ids[:-3]), digest="d1"), reach,
                          notices, digest="d1")
    for subscriber_id in ids[-3:]:
        journal.store.put_subscriber(reader(subscriber_id))
    journal.store.put_subscriber(reader(ids[0], channels=frozenset()))  # withdrawn by the next recording
    collector = sqlite3.connect(location, timeout=0, isolation_level=None)
    journal_rows = "SELECT outbox, subscriber_id, channel, state FROM delivery_messages ORDER BY 1, 2, 3"
    before = collector.execute(journal_rows).fetchall()
    writes = []

    def reachable_while_the_collector_writes(messages) -> set:
        writes.append(collector.execute("UPDATE subscribers SET unsubscribed_at = NULL WHERE id = ?", (ids[1],)).rowcount)
        return reach(messages)

    outbox = Outbox(ISSUE, "issue", journal.store.path, both_channels(*ids), digest="d2")
    recorded, unsent = journal.record_outbox(outbox, reachable_while_the_collector_writes, notices, dry_run=True)
    assert writes == [1] * -(-len(outbox.messages) // RECORD_CHUNK), "the collector wrote during each chunk at once"
    assert recorded.email_new == 3 and unsent == len(ids) - 1, "counted as a real run would"
    assert collector.execute(journal_rows).fetchall() == before, "nothing recorded"
    assert journal.db.execute("SELECT name FROM temp.sqlite_master WHERE name LIKE 'delivery%'").fetchall() == []
    real, unsent_after = journal.record_outbox(outbox, reach, notices, digest="d2")
    assert (real.email_new, unsent_after) == (recorded.email_new, unsent)
