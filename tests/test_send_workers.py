"""Several ``sotong send`` processes working one outbox on PostgreSQL (SPEC
§15), into a real aiosmtpd sink: they share the messages, one is killed with
SIGKILL mid-send, and a re-run hands the server everything not yet accepted;
only the messages in flight in the killed process go twice."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from email.parser import BytesHeaderParser
from email.policy import default as default_policy

from project_support import new_store_location, project_on, store_of, store_query
from delivery_support import ScriptedHandler, SMTPServer, add_subscribers, make_outbox

from delivery.journal import ELSEWHERE, TAKEN, WITHDRAWN, Journal
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
    project = project_on(new_store_location("postgresql", tmp_path), tmp_path, SETTINGS)
    count = 320  # the first worker alone needs 12 s: time for the second to start on a busy machine
    ids = add_subscribers(store_of(project), count)
    folder = make_outbox(project / "private" / "outbox", ISSUE, ids, NOTICES)
    parse = BytesHeaderParser(policy=default_policy).parsebytes
    message_id_of = {i: parse((folder / "email" / f"{i}.eml").read_bytes())["Message-ID"] for i in ids}
    handler = ScriptedHandler(delay=0.15)
    with SMTPServer(handler) as server:
        command = [sys.executable, "-m", "sotong", "send", "--issue", ISSUE, "--host", "127.0.0.1",
                   "--port", str(server.port), "-s", str(project / "pelicanconf.py")]
        victim = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=open(tmp_path / "victim.err", "w"))
        wait_for(lambda: handler.datas >= 8)
        survivor = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        wait_for(lambda: workers_seen(project) == 2)
        time.sleep(0.3)  # both send
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait(10)
        # the sink took these before the victim died: its in-flight ones (accepted,
        # not yet recorded) are among them, whoever takes them again afterwards
        accepted_before_the_kill = {message_id for _, message_id in handler.accepted}
        out, err = survivor.communicate(timeout=120)
        assert survivor.returncode == 0, err
        left = {row[0] for row in store_query(project, "SELECT subscriber_id FROM delivery_messages "
                                                       "WHERE state = 'sending'")}
        assert len(left) <= 4, "the killed process's in-flight messages stay taken (4 connections at most)"
        rerun = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    sent_by_survivor = int(re.search(r"Emails: (\d+) sent", out).group(1))
    assert 0 < sent_by_survivor < count and "were sent by another sotong send working this outbox" in out
    received = Counter(message_id for _, message_id in handler.accepted)
    assert set(received) == set(message_id_of.values()), "nothing lost"
    twice = {message_id for message_id, n in received.items() if n > 1}
    assert max(received.values()) <= 2 and len(twice) <= 4, "twice: only those in flight (4 connections at most)"
    assert twice <= accepted_before_the_kill, "twice: only what the killed worker had handed over"
    assert {row[0] for row in store_query(project, "SELECT state FROM delivery_messages")} == {"sent"}


def test_a_take_on_postgresql_is_two_statements_and_one_when_the_message_is_gone(tmp_path, monkeypatch):
    """Each email is taken with a round trip or two, not four (no BEGIN and
    COMMIT: under READ COMMITTED they would guard nothing more); a worker
    passing a message another took learns it from one UPDATE."""
    store = Store.open(new_store_location("postgresql", tmp_path))
    for subscriber_id in ("S1", "S2"):
        store.put_subscriber(Subscriber(id=subscriber_id, email=f"{subscriber_id}@example.com",
                                        channels=frozenset({"email"})))
    journal = Journal(store)
    ids = [store.db.execute(
        "INSERT INTO delivery_messages (outbox, kind, subscriber_id, channel, type, notices, file, state, queued_at,"
        " updated_at) VALUES (?, 'issue', ?, 'email', 'EMAIL', '[]', ?, 'queued', 't', 't') RETURNING id",
        (ISSUE, subscriber_id, f"email/{subscriber_id}.eml")).fetchone()[0] for subscriber_id in ("S1", "S2")]
    store.unsubscribe("S2")
    statements = []
    execute = store.db.execute
    monkeypatch.setattr(store.db, "execute", lambda sql, params=(): statements.append(sql) or execute(sql, params))

    assert journal.take(ids[0], "S1") == TAKEN and len(statements) == 2
    journal.mark(ids[0], "sent", "data", 250, "OK")
    statements.clear()
    assert journal.take(ids[0], "S1") == ELSEWHERE and len(statements) == 1
    assert journal.take(ids[1], "S2") == WITHDRAWN
    assert [row[0] for row in execute("SELECT subscriber_id FROM delivery_messages")] == ["S1"]
