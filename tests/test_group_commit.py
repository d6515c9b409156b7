"""Group commit (issue #16): the threads' changes that arrive while one is
being written are written together, each thread returns its own result only
once its change is stored, a failed write fails its whole group and no other;
and over real HTTP, the collector's one-click unsubscribes are grouped and
every one answered 200 is in the store, even when ``sotong serve`` is killed
(SIGKILL) in the middle of a burst."""

from __future__ import annotations

import http.client
import re
import signal
import subprocess
import sys
import threading
import time

import pytest
from delivery_support import add_subscribers
from project_support import all_at_once, copy_project, serving, store_of, store_query

from sotong.group_commit import GroupCommit, GroupCommitError
from sotong.project import Project
from sotong.store import Store
from sotong.tokens import unsubscribe_token
from sotong.web import make_app

ONE_CLICK = b"List-Unsubscribe=One-Click"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def submit_from_threads(group: GroupCommit, items: list) -> dict:
    """Each item submitted from a thread of its own, all at once; item -> result or error."""
    outcomes, start = {}, threading.Barrier(len(items))

    def submit(item):
        start.wait()
        try:
            outcomes[item] = group.submit(item)
        except Exception as exc:  # noqa: BLE001 - the outcome is what is tested
            outcomes[item] = exc

    threads = [threading.Thread(target=submit, args=(item,)) for item in items]
    all_at_once(threads, 10)
    return outcomes


def test_changes_that_arrive_during_a_write_are_written_together_and_each_gets_its_result():
    calls, first_running, release = [], threading.Event(), threading.Event()

    def apply(items):
        calls.append(list(items))
        if len(calls) == 1:  # the first write is slow: the others arrive meanwhile
            first_running.set()
            assert release.wait(10)
        return [item * 10 for item in items]

    group = GroupCommit(apply)
    leader = threading.Thread(target=group.submit, args=(0,))
    leader.start()
    assert first_running.wait(10)
    others = threading.Thread(target=lambda: outcomes.update(submit_from_threads(group, list(range(1, 9)))))
    outcomes = {}
    others.start()
    deadline = time.monotonic() + 10
    while len(group._waiting) < 8 and time.monotonic() < deadline:  # every other thread waits its turn
        time.sleep(0.01)
    release.set()
    others.join(10)
    leader.join(10)
    assert outcomes == {item: item * 10 for item in range(1, 9)}
    assert calls[0] == [0] and sorted(calls[1]) == list(range(1, 9)) and len(calls) == 2


def test_a_thread_returns_only_once_its_group_is_written():
    written, results = set(), {}

    def apply(items):
        time.sleep(0.01)
        written.update(items)
        return [True] * len(items)

    group = GroupCommit(apply)

    def submit(item):
        group.submit(item)
        results[item] = item in written  # what a collector's answer would follow

    threads = [threading.Thread(target=submit, args=(item,)) for item in range(30)]
    all_at_once(threads, 10)
    assert results == {item: True for item in range(30)}


def test_a_failed_write_fails_its_group_only_and_the_next_changes_are_written():
    calls, first_running, release = [], threading.Event(), threading.Event()

    def apply(items):
        calls.append(list(items))
        if len(calls) == 1:
            first_running.set()
            assert release.wait(10)
            return [None]
        if len(calls) == 2:
            raise ValueError("the disk is full")
        return ["stored"] * len(items)

    group = GroupCommit(apply)
    leader = threading.Thread(target=group.submit, args=("first",))
    leader.start()
    assert first_running.wait(10)
    outcomes = {}
    failing = threading.Thread(target=lambda: outcomes.update(submit_from_threads(group, ["a", "b", "c"])))
    failing.start()
    while len(group._waiting) < 3:
        time.sleep(0.01)
    release.set()
    failing.join(10)
    leader.join(10)
    errors = list(outcomes.values())
    assert sum(isinstance(error, ValueError) for error in errors) == 1  # the leader of the failed group: its error
    assert sum(isinstance(error, GroupCommitError) and isinstance(error.__cause__, ValueError)
               for error in errors) == 2
    assert group.submit("later") == "stored" and calls[-1] == ["later"]


def test_a_group_holds_at_most_max_group_changes():
    sizes = []

    def apply(items):
        sizes.append(len(items))
        time.sleep(0.02)
        return items

    outcomes = submit_from_threads(GroupCommit(apply, max_group=3), list(range(12)))
    assert outcomes == {item: item for item in range(12)} and max(sizes) <= 3 and sum(sizes) == 12


def test_a_result_list_of_the_wrong_length_is_an_error_not_a_wrong_answer():
    with pytest.raises(RuntimeError, match="0 results for 1"):
        GroupCommit(lambda items: []).submit("a")



def test_unsubscribe_all_changes_the_subscribed_ids_once_and_logs_each(tmp_path, store_location):
    project = copy_project(tmp_path, extra_settings=f"\nSOTONG_DB = {store_location!r}\n")
    add_subscribers(store_of(project), 4)
    store = Store.open(store_of(project))
    try:
        assert store.unsubscribe("S00004")
        with store.changes_from("unsubscribe-link"):
            changed = store.unsubscribe_all(["S00001", "S00002", "S00001", "S00004", "NOBODY"])
        assert changed == {"S00001", "S00002"} and not store.unsubscribe("S00002")
        assert store.unsubscribe_all([]) == set()
        state = dict(store.db.execute("SELECT id, unsubscribed_at IS NOT NULL FROM subscribers"))
        logged = sorted(row[0] for row in store.db.execute(
            "SELECT subscriber_id FROM consent_log WHERE source = 'unsubscribe-link'"))
    finally:
        store.close()
    assert {key: bool(value) for key, value in state.items()} == {
        "S00001": True, "S00002": True, "S00003": False, "S00004": True}
    assert logged == ["S00001", "S00002"]

def post_unsubscribe(port: int, subscriber_id: str) -> int:
    """The one-click POST of ``subscriber_id``'s link: its status (0: no answer)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("POST", f"/u/{unsubscribe_token(subscriber_id)}", body=ONE_CLICK, headers=FORM)
        response = connection.getresponse()
        response.read()
        return response.status
    except (OSError, http.client.HTTPException):
        return 0
    finally:
        connection.close()


def test_unsubscribes_arriving_during_a_write_are_stored_in_one_statement(tmp_path):
    project = copy_project(tmp_path)
    ids = add_subscribers(project / "private" / "sotong.db", 4)
    app = make_app(Project(project / "pelicanconf.py"))
    group, sizes = app.delivery_unsubscribes, []
    write = group._apply
    group._apply = lambda subscriber_ids: (write(subscriber_ids), sizes.append(len(subscriber_ids)))[0]  # the writes made
    statuses = {}
    with serving(app) as port:  # four threads
        with app.store():  # the store is busy: no POST is answered on the loop, the first's write waits, the others arrive meanwhile
            clients = [threading.Thread(target=lambda s=s: statuses.update({s: post_unsubscribe(port, s)}))
                       for s in ids]
            for client in clients:
                client.start()
            deadline = time.monotonic() + 10
            while len(group._waiting) < 3 and time.monotonic() < deadline:
                time.sleep(0.01)
        for client in clients:
            client.join(10)
    assert statuses == {subscriber: 200 for subscriber in ids}
    assert sizes == [1, 3]
    assert store_query(project, "SELECT count(*) FROM subscribers WHERE unsubscribed_at IS NOT NULL") == [(4,)]
    assert store_query(project, "SELECT count(DISTINCT subscriber_id) FROM consent_log "
                                "WHERE source = 'unsubscribe-link'") == [(4,)]


def test_every_unsubscribe_answered_200_is_stored_when_the_collector_is_killed_in_a_burst(tmp_path, store_location):
    """The crash-safety rule of a group commit: ``sotong serve`` SIGKILLed while
    20 clients post unsubscribes; every one it answered 200 is in the store."""
    project = copy_project(tmp_path, extra_settings=f"\nSOTONG_DB = {store_location!r}\n")
    ids = add_subscribers(store_of(project), 400)
    server = subprocess.Popen([sys.executable, "-m", "sotong", "serve", "--port", "0", "-s",
                               str(project / "pelicanconf.py")], stderr=subprocess.PIPE, text=True)
    answered, killed = {}, threading.Event()
    try:
        port = int(re.search(r"http://127\.0\.0\.1:(\d+)", server.stderr.readline()).group(1))

        def client(share):
            for subscriber_id in share:
                answered[subscriber_id] = post_unsubscribe(port, subscriber_id)
                if killed.is_set():
                    return

        clients = [threading.Thread(target=client, args=(ids[n::20],)) for n in range(20)]
        for thread in clients:
            thread.start()
        deadline = time.monotonic() + 60
        while list(answered.values()).count(200) < 100 and time.monotonic() < deadline:
            time.sleep(0.005)
        server.send_signal(signal.SIGKILL)
        killed.set()
        for thread in clients:
            thread.join(20)
    finally:
        server.kill()
        server.wait()
        server.stderr.close()
    ok = {subscriber for subscriber, status in answered.items() if status == 200}
    assert len(ok) >= 100 and len(ok) < len(ids)  # killed in the burst, not after it
    assert set(answered.values()) <= {200, 0}
    store = Store.open(store_of(project))
    try:
        stored = {row[0] for row in store.db.execute("SELECT id FROM subscribers WHERE unsubscribed_at IS NOT NULL")}
        logged = {row[0] for row in store.db.execute("SELECT subscriber_id FROM consent_log "
                                                      "WHERE source = 'unsubscribe-link'")}
    finally:
        store.close()
    assert ok <= stored and stored <= logged
