"""``sotong bundles --jobs N`` (SPEC §15, issue 15): readers cut by id range
into parts written by worker processes, on SQLite and on PostgreSQL; the
outbox is byte for byte what one process writes (every file, the manifest
and sms.csv in id order). At a million readers: the readers are streamed
from PostgreSQL (a server-side cursor), and SOTONG_SECRET is read once per
run, not once per token."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import signal
import threading
import time
from pathlib import Path

from project_support import project_on, run_sotong

from bundles.outbox import PART_READERS, issue_bundle, write_bundle
from sotong import tokens
from sotong.project import Project
from sotong.store import STREAM_BATCH, Store, Subscriber

ISSUE = dt.date(2026, 11, 26)
READERS = 1200
NOW = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by its relative path, with its bytes."""
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def test_two_processes_write_the_same_outbox_as_one(tmp_path, store_location):
    project_dir = project_on(store_location, tmp_path)
    generated = run_sotong(project_dir, "subscribers", "generate", "--count", str(READERS), "--seed", "7", "pop.csv")
    assert generated.code == 0, generated.output
    assert run_sotong(project_dir, "subscribers", "import", "pop.csv").code == 0
    assert READERS // PART_READERS >= 2, "enough readers for two processes"
    project = Project(project_dir / "pelicanconf.py")
    bundle = issue_bundle(project, ISSUE, "성동구 소식")
    folder = project_dir / "private" / "outbox" / ISSUE.isoformat()

    one = write_bundle(project, bundle, jobs=1, now=NOW)
    alone = tree(folder)
    shutil.rmtree(folder)
    two = write_bundle(project, bundle, jobs=2, now=NOW)
    together = tree(folder)

    assert list(together) == list(alone) and together == alone
    assert not [name for name in together if name.startswith((".manifest-", ".sms-"))]
    counts = ("readers", "emails", "sms", "lms", "nothing", "invalid_email", "unsubscribed")
    assert [getattr(two, n) for n in counts] == [getattr(one, n) for n in counts]
    assert one.readers == READERS and one.emails > 100 and one.sms + one.lms > 10
    lines = alone["manifest.jsonl"].decode().splitlines()
    assert len(lines) == one.emails + one.sms + one.lms


def test_jobs_on_the_command_line(tmp_path, store_location):
    project_dir = project_on(store_location, tmp_path)
    assert run_sotong(project_dir, "subscribers", "generate", "--count", "600", "--seed", "3", "pop.csv").code == 0
    assert run_sotong(project_dir, "subscribers", "import", "pop.csv").code == 0
    result = run_sotong(project_dir, "bundles", "--issue", ISSUE.isoformat(), "--jobs", "2")
    assert result.code == 0, result.output
    assert "(600 subscribers)" in result.stdout
    assert run_sotong(project_dir, "bundles", "--issue", ISSUE.isoformat(), "--jobs", "0").code == 2


def test_subscribers_are_streamed_while_the_same_store_writes(store_location):
    """On PostgreSQL the rows come through a server-side cursor, a batch at a
    time, and survive the transactions a plugin commits meanwhile."""
    store = Store.open(store_location)
    count = STREAM_BATCH + 10
    with store.transaction():
        for n in range(count):
            store.put_subscriber(Subscriber(id=f"S{n:05d}", email=f"r{n}@example.com"))
    store.db.execute("CREATE TABLE seen (id TEXT)")
    readers = store.subscribers()
    first = next(readers)
    if store.backend == "postgresql":
        held = store.db.execute("SELECT count(*) FROM pg_cursors WHERE is_holdable").fetchone()[0]
        assert held == 1, "the subscribers are read through a server-side cursor"
    seen = [first.id]
    for subscriber in readers:
        with store.transaction():
            store.db.execute("INSERT INTO seen VALUES (?)", (subscriber.id,))
        seen.append(subscriber.id)
    assert seen == [f"S{n:05d}" for n in range(count)]
    assert store.db.execute("SELECT count(*) FROM seen").fetchone()[0] == count - 1
    if store.backend == "postgresql":
        assert store.db.execute("SELECT count(*) FROM pg_cursors").fetchone()[0] == 0, "closed once read"


def test_the_secret_is_read_once_per_bundling_run(tmp_path, monkeypatch):
    project_dir = project_on(str(tmp_path / "sotong.db"), tmp_path)
    assert run_sotong(project_dir, "subscribers", "generate", "--count", "60", "--seed", "7", "pop.csv").code == 0
    assert run_sotong(project_dir, "subscribers", "import", "pop.csv").code == 0
    reads = []
    read_environment = tokens.environment_secret
    monkeypatch.setattr(tokens, "environment_secret", lambda: reads.append(1) or read_environment())
    project = Project(project_dir / "pelicanconf.py")
    summary = write_bundle(project, issue_bundle(project, ISSUE, "성동구 소식"), jobs=1, now=NOW)
    assert summary.emails > 10, "tokens were made for many readers"
    assert len(reads) == 1
    manifest = (project_dir / "private" / "outbox" / ISSUE.isoformat() / "manifest.jsonl").read_text()
    first = json.loads(next(line for line in manifest.splitlines() if '"email"' in line))["id"]
    eml = (project_dir / "private" / "outbox" / ISSUE.isoformat() / "email" / f"{first}.eml").read_bytes()
    assert f"/u/{tokens.unsubscribe_token(first)}".encode() in eml, "signed with the key of the environment"


class _Stopped(BaseException):
    """What Ctrl+C raises (KeyboardInterrupt), without the test run's own Ctrl+C handling."""


def _slowly(item: int) -> int:
    time.sleep(1)
    return item


def test_a_stop_while_parts_are_written_leaves_the_pool_without_an_error_of_its_own(monkeypatch):
    """Stopped while it waits for a part (Ctrl+C), with parts not begun: the
    processes are stopped and the pool's own thread ends quietly (with
    executor.map, Python 3.11's pool failed on the parts map had cancelled,
    InvalidStateError and its traceback printed under the one line)."""
    thread_errors = []
    monkeypatch.setattr(threading, "excepthook", thread_errors.append)
    previous = signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(_Stopped()))
    try:
        assert any(_stopped_while_writing() for _attempt in range(3)), "never stopped"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert thread_errors == []


def _stopped_while_writing() -> bool:
    """Whether the alarm stopped the parts being written; False when it came
    while Python ran a finalizer, which cannot raise (the run then ends as
    if never stopped, and the test tries again)."""
    from bundles.outbox import _in_forked_processes

    signal.setitimer(signal.ITIMER_REAL, 0.3)
    try:
        with _in_forked_processes(_slowly, range(12), 2, "2026-11-26") as answers:
            list(answers)
    except _Stopped:
        return True
    return False
