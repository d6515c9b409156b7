"""Several ``sotong send`` processes working one outbox on PostgreSQL (SPEC
§15), into a real aiosmtpd sink: they share the messages, one is killed with
SIGKILL mid-send, and a re-run hands the server everything not yet accepted;
only the messages in flight in the killed process go twice."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from email.parser import BytesHeaderParser
from email.policy import default as default_policy

import pytest

from project_support import in_terminal, new_store_location, project_on, store_of, store_query
from delivery_support import ScriptedHandler, SMTPServer, add_subscribers, address_of, make_outbox, run_cli

from delivery.journal import ELSEWHERE, RECORD_CHUNK, TAKE_BATCH, TAKEN, WITHDRAWN, Accepted, Journal, NoticeInfo
from delivery.outbox import has_sms, read_outbox
from sotong.store import Store, Subscriber

ISSUE = "2026-11-26"
NOTICES = ["2026-11-21-cold-wave-warning"]
SETTINGS = 'DELIVERY = {"timeout_seconds": 10}\nSEND_RATE = 2000\n'


def wait_for(condition, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def workers_seen(project) -> int:
    return store_query(project, "SELECT count(DISTINCT worker) FROM delivery_messages WHERE worker IS NOT NULL")[0][0]


def test_two_workers_share_an_outbox_and_a_killed_one_loses_nothing(tmp_path):
    """The survivor takes over what the killed worker had claimed, once its
    lease (its advisory lock) is gone: the messages it had taken and not yet
    handed over or recorded (at most TAKE_BATCH a connection), of which only
    those the server had accepted go twice."""
    project = project_on(new_store_location("postgresql", tmp_path), tmp_path, SETTINGS)
    count = 320  # the first worker alone needs 12 s: time for the second to start on a busy machine
    ids = add_subscribers(store_of(project), count)
    folder = make_outbox(project / "private" / "outbox", ISSUE, ids, NOTICES)
    parse = BytesHeaderParser(policy=default_policy).parsebytes
    message_id_of = {i: parse((folder / "email" / f"{i}.eml").read_bytes())["Message-ID"] for i in ids}
    bundled = {path.name: path.read_bytes() for path in (folder / "email").iterdir()}
    handler = ScriptedHandler(delay=0.15)
    begun = time.time()
    with SMTPServer(handler) as server:
        command = [sys.executable, "-m", "sotong", "send", "--issue", ISSUE, "--host", "127.0.0.1",
                   "--port", str(server.port), "-s", str(project / "pelicanconf.py")]
        victim = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=open(tmp_path / "victim.err", "w"))
        sent = "SELECT id FROM delivery_messages WHERE state = 'sent'"  # a take recorded the first ones
        wait_for(lambda: handler.datas >= 8 and workers_seen(project) == 1 and store_query(project, sent))
        victim_key = store_query(project, "SELECT worker FROM delivery_messages WHERE worker IS NOT NULL")[0][0]
        survivor = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        wait_for(lambda: workers_seen(project) == 2)
        claimed_not_sent = f"SELECT id FROM delivery_messages WHERE worker = {victim_key} AND state != 'sent'"
        wait_for(lambda: len(store_query(project, claimed_not_sent)) >= 8)  # takes not sent: ~1 s of work
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait(10)
        stranded = {row[0] for row in store_query(project, f"SELECT id FROM delivery_messages WHERE worker = {victim_key}"
                                                           " AND state IN ('queued', 'sending')")}
        # the sink took these before the victim died: its in-flight ones (accepted,
        # not yet recorded) are among them, whoever takes them again afterwards
        accepted_before_the_kill = {message_id for _, message_id in handler.accepted}
        out, err = survivor.communicate(timeout=120)
        assert survivor.returncode == 0, err
        after_survivor = store_query(project, "SELECT id, state, worker FROM delivery_messages")
        rerun = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0 and f"all {count} were already sent" in rerun.stdout, rerun.stdout + rerun.stderr
    assert len(stranded) >= 8 and {state for _, state, _ in after_survivor} == {"sent"}
    assert all(worker != victim_key for row_id, _, worker in after_survivor if row_id in stranded), \
        "the survivor sent what the killed worker had claimed"
    sent_by_survivor = int(re.search(r"Emails: (\d+) sent", out).group(1))
    assert len(stranded) < sent_by_survivor < count
    in_flight = re.search(r"; (\d+) were in flight", out)
    assert in_flight is None or int(in_flight.group(1)) <= 4 * TAKE_BATCH
    received = Counter(message_id for _, message_id in handler.accepted)
    assert set(received) == set(message_id_of.values()), "nothing lost"
    twice = {message_id for message_id, n in received.items() if n > 1}
    assert max(received.values()) <= 2 and len(twice) <= 4 * TAKE_BATCH, "twice: only those taken (4 connections)"
    assert twice <= accepted_before_the_kill, "twice: only what the killed worker had handed over"
    dates = [parse(data)["Date"].datetime for data in handler.contents]  # each worker dates what it sends
    assert len(dates) == len(handler.accepted) and all(begun - 1 <= date.timestamp() <= time.time() for date in dates)
    assert {path.name: path.read_bytes() for path in (folder / "email").iterdir()} == bundled


def test_two_workers_both_say_who_was_left_out_and_only_one_hands_the_sms_over(tmp_path):
    """A worker that joins an outbox says what its recorder left out (readers
    unsubscribed since bundling), and the SMS handed-over count is said by
    the worker that recorded them; the other says 0, as a re-run does."""
    project = project_on(new_store_location("postgresql", tmp_path), tmp_path, SETTINGS)
    emails = 5 * TAKE_BATCH  # more than the first worker's claim (a take for each of 4 connections): the second claims too
    ids = add_subscribers(store_of(project), emails + 4)
    make_outbox(project / "private" / "outbox", ISSUE, ids[:emails], NOTICES, sms={i: "SMS" for i in ids[emails:]})
    store_query(project, "UPDATE subscribers SET unsubscribed_at = '2026-11-25' WHERE id IN (?, ?)",
                (ids[0], ids[emails]))
    Journal(Store.open(store_of(project))).store.close()  # the journal's tables, which the test reads meanwhile

    class Gated(ScriptedHandler):
        """Holds every DATA until both workers are at work on the outbox."""

        gate = threading.Event()

        async def handle_DATA(self, server, session, envelope):
            while not self.gate.is_set():
                await asyncio.sleep(0.01)
            return await super().handle_DATA(server, session, envelope)

    handler = Gated()
    with SMTPServer(handler) as server:
        command = [sys.executable, "-m", "sotong", "send", "--issue", ISSUE, "--host", "127.0.0.1",
                   "--port", str(server.port), "-s", str(project / "pelicanconf.py")]
        workers = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)]
        wait_for(lambda: workers_seen(project) == 1)  # the first has recorded the outbox and claimed
        workers.append(subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
        wait_for(lambda: workers_seen(project) == 2)  # the second joined and claimed
        handler.gate.set()
        outputs = [worker.communicate(timeout=120)[0] for worker in workers]
    assert all(worker.returncode == 0 for worker in workers), outputs
    assert handler.accepted_counts() == {address_of(i): 1 for i in ids[1:emails]}
    for output in outputs:
        assert "Left out: 2 readers unsubscribed or unreachable since bundling (email 1, SMS 1)." in output
        assert "Make sms.csv again" not in output  # the SMS handed over are in a file of their own
    recorder = next(output for output in outputs if "SMS: 3 SMS messages" in output)
    assert re.search(r"give \S+/sms-handover-\d{8}-\d{6}\.csv to the SMS agency", recorder), recorder
    joiner = next(output for output in outputs if output is not recorder)
    assert "SMS: none here; the worker that recorded this outbox recorded its SMS" in joiner, joiner


def test_a_worker_sends_while_another_records_and_finishes_the_recording_of_one_killed(tmp_path):
    """A second worker started while the first records a large outbox (a
    chunk of RECORD_CHUNK messages at a time) sends the emails recorded
    before the recording ends; when the first is killed halfway through it,
    the second says so, records the rest itself and sends every email once.
    (A test's open transaction holds the first email of the second chunk, so
    the first worker's recording waits there.)"""
    import psycopg

    project = project_on(new_store_location("postgresql", tmp_path), tmp_path, SETTINGS)
    ids = add_subscribers(store_of(project), RECORD_CHUNK + 100)
    make_outbox(project / "private" / "outbox", ISSUE, ids, NOTICES)
    Journal(Store.open(store_of(project))).store.close()  # the journal's tables
    holder = psycopg.connect(store_of(project))  # not autocommit: its insert stays uncommitted
    holder.execute("INSERT INTO delivery_messages (outbox, kind, subscriber_id, channel, type, notices, state,"
                   " queued_at, updated_at) VALUES (%s, 'issue', %s, 'email', 'EMAIL', '[]', 'queued', '', '')",
                   (ISSUE, ids[RECORD_CHUNK]))
    to_record = "SELECT emails_to_record FROM delivery_outboxes"
    handler = ScriptedHandler()
    with SMTPServer(handler) as server:
        command = [sys.executable, "-m", "sotong", "send", "--issue", ISSUE, "--host", "127.0.0.1",
                   "--port", str(server.port), "-s", str(project / "pelicanconf.py")]
        first = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: store_query(project, to_record) == [(100,)], 60)  # its first chunk is recorded
        second = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        wait_for(lambda: len(handler.accepted) >= 50, 60)
        assert first.poll() is None and store_query(project, to_record) == [(100,)], "the first is still recording"
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
        holder.rollback()
        holder.close()
        out, err = second.communicate(timeout=120)
    assert second.returncode == 0, out + err
    assert "stopped before it finished; this one records the rest and sends it" in err
    assert f"Emails: {len(ids):,} sent, 0 failed" in out
    assert handler.accepted_counts() == {address_of(i): 1 for i in ids}


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_connections_take_of_several_emails_is_one_statement(tmp_path, backend, monkeypatch):
    """A connection takes its next emails at once (TAKE_BATCH of them) with
    one round trip on PostgreSQL, which reads their readers too (no BEGIN and
    COMMIT: under READ COMMITTED they would guard nothing more) and records
    the emails the server accepted since its last take; a message settled
    meanwhile is known from it, and a reader gone costs the DELETE."""
    store = Store.open(new_store_location(backend, tmp_path))
    journal = Journal(store)
    ids = queue_emails(store, TAKE_BATCH + 1)
    store.unsubscribe("S2")
    first, second = journal.claim(ISSUE, TAKE_BATCH), journal.claim(ISSUE, 1)
    assert [pending.id for pending in first + second] == ids
    statements = []
    execute = store.db.execute
    if backend == "postgresql":  # sqlite3's connection cannot be patched
        monkeypatch.setattr(store.db, "execute", lambda sql, params=(): statements.append(sql) or execute(sql, params))

    assert journal.take(first) == {message_id: WITHDRAWN if n == 1 else TAKEN for n, message_id in enumerate(ids[:-1])}
    assert backend == "sqlite" or len(statements) == 2, statements
    journal.mark(ids[0], "failed", "rcpt", 550, "no such user")
    statements.clear()
    accepted = [Accepted(message_id, "data", 250, f"ok {message_id}") for message_id in ids[2:-1]]
    assert journal.take(first[:1] + second, accepted) == {ids[0]: ELSEWHERE, ids[-1]: TAKEN}
    assert backend == "sqlite" or len(statements) == 1, statements
    rows = execute("SELECT id, state, answer_text, sent_at FROM delivery_messages ORDER BY id").fetchall()
    assert [row[0] for row in rows] == [ids[0], *ids[2:]]
    assert [(row[1], row[2], bool(row[3])) for row in rows] == [("failed", "no such user", False)] + [
        ("sent", f"ok {row[0]}", True) for row in rows[1:-1]] + [("sending", None, False)]


def queue_emails(store, count: int) -> list[int]:
    """``count`` queued emails of the issue for readers S1... (who can be reached): their journal ids."""
    for n in range(1, count + 1):
        store.put_subscriber(Subscriber(id=f"S{n}", email=f"S{n}@example.com", channels=frozenset({"email"})))
    return [store.db.execute(
        "INSERT INTO delivery_messages (outbox, kind, subscriber_id, channel, type, notices, file, state, queued_at,"
        " updated_at) VALUES (?, 'issue', ?, 'email', 'EMAIL', '[]', ?, 'queued', 't', 't') RETURNING id",
        (ISSUE, f"S{n}", f"email/S{n}.eml")).fetchone()[0] for n in range(1, count + 1)]


def test_a_claim_and_a_take_write_no_index_entry_on_postgresql(tmp_path):
    """A claim (the worker's key) and a take (state sending, attempts) change
    no column an index reads, conditions included: PostgreSQL keeps their row
    versions HOT (on the row's page, no index entry; each was three)."""
    store = Store.open(new_store_location("postgresql", tmp_path))
    journal = Journal(store)
    queue_emails(store, 8)
    with store.transaction():  # the counts of this transaction
        assert set(journal.take(journal.claim(ISSUE, 8)).values()) == {TAKEN}
        updates, hot = store.db.execute("SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables"
                                        " WHERE relname = 'delivery_messages'").fetchone()
    assert updates == hot == 16


def test_claims_are_disjoint_skip_locked_rows_and_a_dead_workers_batch_is_claimed_again(tmp_path):
    location = new_store_location("postgresql", tmp_path)
    first, second = Journal(Store.open(location)), Journal(Store.open(location))
    ids = queue_emails(first.store, 12)
    claimed = lambda journal, limit: [pending.id for pending in journal.claim(ISSUE, limit)]  # noqa: E731

    firsts = first.claim(ISSUE, 4)
    assert [pending.id for pending in firsts] == ids[:4] and claimed(second, 4) == ids[4:8], \
        "a live worker's batch is its own"
    assert first.take(firsts[:1]) == {ids[0]: TAKEN} and second.take(firsts[1:2]) == {ids[1]: ELSEWHERE}
    second.store.db.execute("SET statement_timeout = '5s'")  # waiting on a locked row would fail here
    first.store.db.execute("BEGIN")
    assert claimed(first, 2) == ids[8:10]  # rows locked until this transaction ends
    assert claimed(second, 1) == [ids[10]], "rows another claim holds are skipped, not waited for"
    first.store.db.execute("ROLLBACK")
    first.store.close()  # killed: its advisory lock (the lease) goes with its connection
    wait_for(lambda: len(second.store.db.execute("SELECT 1 FROM pg_stat_activity WHERE datname = current_database()"
                                                 ).fetchall()) == 1, 30)
    again = second.claim(ISSUE, 20)
    assert [pending.id for pending in again] == ids[:4] + ids[8:10] + [ids[11]]
    assert [pending.state for pending in again][:4] == ["sending", "queued", "queued", "queued"], \
        "the dead worker's message in flight comes back as such (it goes again), its batch as queued"
    assert set(second.take(again).values()) == {TAKEN}


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_an_accepted_email_is_recorded_sent_with_the_connections_next_take(tmp_path, backend, monkeypatch):
    """A connection's ``sent`` goes with its next take (one round trip on
    PostgreSQL), whatever that take finds; so at any moment a connection has
    at most the messages of one take ``sending``."""
    store = Store.open(new_store_location(backend, tmp_path))
    journal = Journal(store)
    ids = queue_emails(store, 3)
    pending = journal.claim(ISSUE, 3)
    states = lambda: [row[0] for row in store.db.execute(  # noqa: E731
        "SELECT state FROM delivery_messages ORDER BY id").fetchall()]
    assert journal.take(pending[:1]) == {ids[0]: TAKEN} and states() == ["sending", "queued", "queued"]
    assert journal.take(pending[1:2], [Accepted(ids[0], "data", 250, "2.0.0 queued as 1")]) == {ids[1]: TAKEN}
    assert states() == ["sent", "sending", "queued"]
    row = store.db.execute("SELECT answer_stage, answer_code, answer_text, sent_at FROM delivery_messages"
                           " WHERE id = ?", (ids[0],)).fetchone()
    assert tuple(row)[:3] == ("data", 250, "2.0.0 queued as 1") and row[3]
    store.unsubscribe("S3")
    assert journal.take(pending[2:], [Accepted(ids[1], "data", 250, "ok")]) == {ids[2]: WITHDRAWN}
    assert states() == ["sent", "sent"], "recorded even when the next take finds its reader gone"
    assert journal.take(pending[1:2]) == {ids[1]: ELSEWHERE}


def claim_plan(journal: Journal, outbox: str) -> tuple[str, int]:
    """How the journal's next claim finds its rows, and the pages it reads to
    pick them (EXPLAIN ANALYZE of that very statement, rolled back)."""
    sql, params = journal.claim_statement(outbox, 16, journal.claimed_up_to.get(outbox, 0))
    db = journal.store.db
    if journal.store.backend == "sqlite":
        return " ".join(row[3] for row in db.execute("EXPLAIN QUERY PLAN " + sql, params)), 0
    db.execute("BEGIN")
    plan = db.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, params).fetchone()[0][0]["Plan"]
    db.execute("ROLLBACK")
    nodes, picking = [plan], None
    while nodes:
        node = nodes.pop()
        nodes.extend(node.get("Plans", []))
        picking = node if node.get("Subplan Name") == "CTE picked" else picking
    return json.dumps(picking), picking["Shared Hit Blocks"] + picking["Shared Read Blocks"]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_claim_reads_no_more_when_most_of_the_outbox_is_sent(tmp_path, backend):
    """A claim walks the unsent emails' index from where this worker's last
    claim ended: not the rows sent before, nor (PostgreSQL, no vacuum yet)
    their dead row versions, which each claim stepped over when it walked
    from the outbox's start (its cost grew with the outbox); and the index is
    its only way, whatever the statistics say (none here)."""
    store = Store.open(new_store_location(backend, tmp_path))
    journal = Journal(store)
    if backend == "postgresql":
        store.db.execute("ALTER TABLE delivery_messages SET (autovacuum_enabled = false)")
    ids = queue_emails(store, 900)
    pages, accepted = {}, []
    while batch := journal.claim(ISSUE, 16):
        assert set(journal.take(batch, accepted).values()) == {TAKEN}
        accepted = [Accepted(pending.id, "data", 250, "ok") for pending in batch]
        sent = ids.index(batch[-1].id) + 1
        if sent in (96, 800):
            plan, pages[sent] = claim_plan(journal, ISSUE)
            assert "delivery_messages_unsent" in plan and ("id>?" in plan or "id >" in plan), plan
    assert backend == "sqlite" or pages[800] <= pages[96] + 8, pages
    assert store.db.execute("SELECT count(*) FROM delivery_messages WHERE state = 'sending'").fetchone()[0] == 900 % 16


def test_a_workers_progress_bar_says_it_shows_its_share(tmp_path):
    """In a terminal, a worker on PostgreSQL says its bar is its share of
    the outbox (another worker may send the rest, and the bar stop short)."""
    project = project_on(new_store_location("postgresql", tmp_path), tmp_path, SETTINGS)
    ids = add_subscribers(store_of(project), 3)
    make_outbox(project / "private" / "outbox", ISSUE, ids, NOTICES)
    with SMTPServer(ScriptedHandler()) as server:
        shown = in_terminal("send", "--issue", ISSUE, "--host", "127.0.0.1", "--port", str(server.port),
                            "-s", str(project / "pelicanconf.py"))
    assert b"Sending 2026-11-26 (worker's share)" in shown


def test_a_worker_that_joins_reads_neither_the_manifest_nor_the_notices(tmp_path):
    """A worker that joins an outbox a live worker recorded from the same
    manifest and sms.csv reads none of the manifest's lines (the recorder
    checked them: at 25,000 emails a second of every joining worker's CPU)
    nor the notices; the recorder reads and checks them all."""
    location = new_store_location("postgresql", tmp_path)
    ids = add_subscribers(location, 3)
    folder = make_outbox(tmp_path / "outbox", ISSUE, ids[:2], NOTICES, sms={ids[2]: "SMS"})
    settings = {"OUTBOX_PATH": str(tmp_path / "outbox")}
    recorder, joiner = Journal(Store.open(location)), Journal(Store.open(location))
    first, second = read_outbox(settings, ISSUE, "issue", str), read_outbox(settings, ISSUE, "issue", str)
    asked = []
    notices = lambda: asked.append("notices") or {NOTICES[0]: NoticeInfo("title", None, None, None)}  # noqa: E731
    everyone = lambda messages: {(m.subscriber_id, m.channel) for m in messages}  # noqa: E731

    recorded, unsent = recorder.record_outbox(first, everyone, notices, digest=first.digest)
    assert not recorded.joined and unsent == 2 and asked == ["notices"] and len(first.messages) == 3
    joined, unsent = joiner.record_outbox(second, everyone, notices, digest=second.digest)
    assert joined.joined and unsent == 2 and asked == ["notices"]
    assert second.messages.messages is None, "the joining worker read no line of the manifest"
    assert has_sms(folder, str) and joiner.notice_slugs(ISSUE) == {NOTICES[0]}


def test_a_worker_without_the_shared_outbox_folder_is_told_to_mount_it_not_to_bundle(tmp_path):
    """A second machine whose outbox mount is missing: the journal holds the
    outbox that another sender recorded, so its message says to mount the
    shared folder at the same path, not to make the outbox again there."""
    project = project_on(new_store_location("postgresql", tmp_path), tmp_path, SETTINGS)
    ids = add_subscribers(store_of(project), 3)
    folder = make_outbox(project / "private" / "outbox", ISSUE, ids[:2], NOTICES, sms={ids[2]: "SMS"})
    with SMTPServer(ScriptedHandler()) as server:
        command = ["send", "--issue", ISSUE, "--host", "127.0.0.1", "--port", str(server.port)]
        assert run_cli(project / "pelicanconf.py", *command).code == 0
        folder.rename(tmp_path / "elsewhere")  # this machine has not the mount
        result = run_cli(project / "pelicanconf.py", *command)
    assert result.code == 1 and len(result.output.strip().splitlines()) == 1, result.output
    assert result.output.startswith(f"private/outbox/{ISSUE}: the outbox is not here, but the journal holds 3 messages"
                                    f" of {ISSUE}")
    assert "mount the shared outbox folder (OUTBOX_PATH) at this same path" in result.output
    assert "sotong bundles" not in result.output
