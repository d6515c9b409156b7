"""A worker process killed while it works (SIGKILL, as the kernel's OOM
killer sends) stops its command within seconds with exit 1 and one line
saying so, never a hang or a traceback, and nothing half-written: ``sotong
bundles --jobs 2`` leaves the outbox of the issue as it was, ``sotong
subscribers import --jobs 2`` leaves the store and the temporary folder as
they were; the same command run again succeeds. Real commands in
subprocesses; the worker found among the command's children (/proc).
The devserver whose build process is killed shows that build's failure
(terminal and page) and builds the next save in a new one."""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from delivery_support import add_subscribers
from devserver_support import write_notice
from project_support import copy_project, store_of, store_query

from sotong.audiences import load_audiences
from sotong.population import generate_population
from sotong.subscribers import write_csv

STOPPED_WITHIN = 15  # seconds from the kill to the command's exit (a hang is for ever); a loaded machine is slow
ATTEMPTS = 3  # a command that ended before its worker was killed is started again


@pytest.fixture
def project(tmp_path) -> Path:
    (tmp_path / "project").mkdir()
    return copy_project(tmp_path / "project")


def start(project: Path, *args: str, env: dict) -> subprocess.Popen:
    """``sotong ARGS`` in ``project``, in a process group of its own (killed whole if it hangs)."""
    return subprocess.Popen([sys.executable, "-m", "sotong", *args], cwd=project, env=dict(os.environ, **env),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, encoding="utf-8",
                            start_new_session=True)


def children(pid: int) -> list[int]:
    """The processes ``pid`` started, from any of its threads."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except FileNotFoundError:  # a thread that ended
            pass
    return found


def kill_a_worker_once_working(process: subprocess.Popen, working) -> float | None:
    """SIGKILL one of the command's worker processes once ``working()``
    says they have started writing; the time of the kill, or None when
    the command ended first."""
    deadline = time.monotonic() + 120
    while process.poll() is None and time.monotonic() < deadline:
        workers = children(process.pid)
        if workers and working():
            os.kill(workers[-1], signal.SIGKILL)
            return time.monotonic()
        time.sleep(0.005)
    return None


def stopped_in_one_line(process: subprocess.Popen, killed_at: float) -> str:
    """The line the command wrote to stderr after its worker was killed; asserts exit 1 within STOPPED_WITHIN s."""
    try:
        _out, err = process.communicate(timeout=STOPPED_WITHIN)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # its other workers too
        process.communicate()
        pytest.fail(f"the command still ran {STOPPED_WITHIN} s after its worker was killed")
    assert time.monotonic() - killed_at < STOPPED_WITHIN
    lines = err.splitlines()
    assert process.returncode == 1, err
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def folder_digest(folder: Path) -> dict[str, str]:
    return {str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def test_a_killed_bundling_process_stops_bundles_in_one_line_and_leaves_the_outbox_as_it_was(project):
    add_subscribers(store_of(project), 3000)
    outbox = project / "private" / "outbox"
    earlier = outbox / "2026-11-26"  # an earlier run's outbox of the issue, which a failed run keeps
    (earlier / "email").mkdir(parents=True)
    (earlier / "manifest.jsonl").write_text('{"id": "S00001"}\n', encoding="utf-8")
    (earlier / "sms.csv").write_text("id,phone,type,bytes,text\n", encoding="utf-8")
    before = folder_digest(outbox)
    command = ("bundles", "--issue", "2026-11-26", "--jobs", "2")
    for _attempt in range(ATTEMPTS):
        process = start(project, *command, env={"SOTONG_LANG": "ko"})  # Korean, the default
        killed_at = kill_a_worker_once_working(process, lambda: any(outbox.glob(".*.writing-*/email/*")))
        if killed_at is not None:
            break
        process.communicate()
        assert process.returncode == 0
        before = folder_digest(outbox)  # it wrote the outbox before the kill: that is the one to keep
    else:
        pytest.fail("the bundles were written before a worker could be killed, every time")
    line = stopped_in_one_line(process, killed_at)
    assert "SIGKILL" in line and "2026-11-26" in line and "다시" in line, line  # what happened, and what to do
    assert folder_digest(outbox) == before  # no staging folder left, the earlier outbox untouched
    assert [entry.name for entry in outbox.iterdir()] == ["2026-11-26"]

    again = subprocess.run([sys.executable, "-m", "sotong", *command], cwd=project, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert len((earlier / "manifest.jsonl").read_text(encoding="utf-8").splitlines()) == 3000  # an email each
    assert len(list((earlier / "email").iterdir())) == 3000


def running(pid: int) -> bool:
    """Whether process ``pid`` exists and is not a zombie."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_bundles_killed_leaves_no_worker_behind_and_the_next_run_clears_its_folder(project):
    add_subscribers(store_of(project), 3000)
    outbox = project / "private" / "outbox"
    command = ("bundles", "--issue", "2026-11-26", "--jobs", "2")
    process = start(project, *command, env={"SOTONG_LANG": "en"})
    try:
        deadline = time.monotonic() + 120
        while not any(outbox.glob(".*.writing-*/email/*")) and time.monotonic() < deadline:
            assert process.poll() is None, "the bundles were written before the command could be killed"
            time.sleep(0.005)
        workers = children(process.pid)
        assert workers
        process.kill()  # as the OOM killer would
        process.communicate(timeout=STOPPED_WITHIN)  # its workers hold no stderr open for ever
        deadline = time.monotonic() + STOPPED_WITHIN
        while any(running(worker) for worker in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(running(worker) for worker in workers), "a worker outlived its command"
    finally:
        with contextlib.suppress(ProcessLookupError):  # none left: as it should be
            os.killpg(process.pid, signal.SIGKILL)
    again = subprocess.run([sys.executable, "-m", "sotong", *command], cwd=project, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert [entry.name for entry in outbox.iterdir()] == ["2026-11-26"]  # the killed run's folder removed


def _readers_file(path: Path, rows: int) -> Path:
    """A valid import file of ``rows`` readers: a few generated ones, repeated under new ids."""
    generated = generate_population(50, load_audiences(Path(__file__).parent.parent / "audiences.yaml"),
                                    seed=5, year=2026)
    write_csv(path, ({**generated[number % 50], "id": f"K{number:06d}"} for number in range(rows)))
    return path


def test_a_killed_checking_process_stops_the_import_in_one_line_and_leaves_the_store_as_it_was(project, tmp_path):
    add_subscribers(store_of(project), 5)
    readers = _readers_file(tmp_path / "readers.csv", 60_000)  # two parts of 30,000 lines: 10,000 at least each
    scratch = tmp_path / "scratch"  # the import's temporary folder (TMPDIR)
    scratch.mkdir()
    stored = "SELECT * FROM subscribers ORDER BY id"
    logged = "SELECT subscriber_id, source, changes FROM consent_log ORDER BY id"
    before = store_query(project, stored), store_query(project, logged)
    command = ("subscribers", "import", str(readers), "--jobs", "2")
    for _attempt in range(ATTEMPTS):
        process = start(project, *command, env={"SOTONG_LANG": "en", "TMPDIR": str(scratch)})
        killed_at = kill_a_worker_once_working(process, lambda: any(scratch.glob("sotong-import-*/part1.db")))
        if killed_at is not None:
            break
        process.communicate()
        assert process.returncode == 0
        before = store_query(project, stored), store_query(project, logged)
    else:
        pytest.fail("the import ended before a worker could be killed, every time")
    line = stopped_in_one_line(process, killed_at)
    assert line.startswith("a worker process stopped unexpectedly (killed by signal 9 (SIGKILL)"), line
    assert "nothing was written" in line and "run the same command again" in line, line
    assert (store_query(project, stored), store_query(project, logged)) == before
    assert list(scratch.iterdir()) == []  # its scratch files removed

    again = subprocess.run([sys.executable, "-m", "sotong", *command], cwd=project, capture_output=True, text=True,
                           env=dict(os.environ, TMPDIR=str(scratch)))
    assert again.returncode == 0, again.stderr
    assert store_query(project, "SELECT count(*) FROM subscribers") == [(60_005,)]


def test_an_import_killed_leaves_no_checking_process_behind(project, tmp_path):
    """A forked part of `subscribers import --jobs 2` dies with its command
    (kill -9, the OOM killer), even one held still meanwhile (SIGSTOP): no
    part keeps working, or waiting, for a command that is gone."""
    readers = _readers_file(tmp_path / "readers.csv", 60_000)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    process = start(project, "subscribers", "import", str(readers), "--jobs", "2",
                    env={"SOTONG_LANG": "en", "TMPDIR": str(scratch)})
    try:
        deadline = time.monotonic() + 120
        while not (children(process.pid) and any(scratch.glob("sotong-import-*/part1.db"))):
            assert process.poll() is None and time.monotonic() < deadline, "the import ended before it could be killed"
            time.sleep(0.005)
        parts = children(process.pid)
        for part in parts:
            os.kill(part, signal.SIGSTOP)  # without the link to its parent it would stay so for ever
        process.kill()
        process.communicate(timeout=STOPPED_WITHIN)
        deadline = time.monotonic() + 5
        while any(running(part) for part in parts) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(running(part) for part in parts), "a checking process outlived its command"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


def _build_process(server_pid: int) -> int | None:
    """The devserver's build process (a spawned ``multiprocessing.spawn`` child; not its resource tracker)."""
    for child in children(server_pid):
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes()
        except FileNotFoundError:
            continue
        if b"spawn_main" in command:
            return child
    return None


@pytest.fixture
def devserver(tmp_path):
    """A devserver of a small project (one notice, content/notices/first.md), its first build done."""
    from devserver_support import start_devserver, stop_devserver

    project = copy_project(tmp_path, notices=False)
    write_notice(project, "first.md", "첫 공지")
    server = start_devserver(project)
    try:
        server.wait_for_line(r"^build done")
        yield project, server
    finally:
        stop_devserver(server)


def saved_and_built(project: Path, server, title: str) -> None:
    """A save of first.md with ``title`` is built and served."""
    before = len(server.lines)
    write_notice(project, "first.md", title)
    server.wait_for_line(r"^build done", after=before, timeout=60)
    server.wait_for("/notices/first/", lambda page: page.status == 200 and title in page.text)


def test_a_build_process_killed_during_a_build_is_that_builds_problem_and_the_next_save_builds(devserver):
    project, server = devserver
    for attempt in range(ATTEMPTS):  # a build that ends before the kill: save again
        before = len(server.lines)
        write_notice(project, "first.md", f"첫 공지 {attempt}")
        server.wait_for_line(r"^build started", after=before)
        builder = _build_process(server.process.pid)
        os.kill(builder, signal.SIGKILL)
        ended = server.wait_for_line(r"^build (done|failed)", after=before, timeout=STOPPED_WITHIN)
        if server.lines[ended].startswith("build failed"):
            break
    else:
        pytest.fail("every build ended before its process was killed")
    reason = server.wait_for_line(r"stopped unexpectedly", after=ended)  # the reader may not have it yet
    assert reason == ended + 1, server.terminal
    said = server.lines[reason]
    assert "the build stopped unexpectedly (killed by signal 9 (SIGKILL): out of memory?)" in said, server.terminal
    assert "Traceback" not in server.terminal
    page = server.wait_for("/", lambda page: "the build stopped unexpectedly" in page.text)
    assert 'id="sotong-devserver-problems"' in page.text  # on the page too
    saved_and_built(project, server, "첫 공지 다시")
    assert _build_process(server.process.pid) not in (None, builder)  # a new build process
    assert server.process.poll() is None


def test_a_build_process_killed_between_builds_is_replaced_and_the_next_save_builds(devserver):
    project, server = devserver
    builder = _build_process(server.process.pid)
    os.kill(builder, signal.SIGKILL)
    saved_and_built(project, server, "첫 공지 고침")
    assert "build failed" not in server.terminal and "Traceback" not in server.terminal
    assert _build_process(server.process.pid) not in (None, builder)
