"""Ctrl+C (SIGINT) stops any command with exit 130 and one line saying what
state it left, never click's "Aborted!" (exit 1) nor a traceback, of the
command or of its worker processes: started here as real processes, the
signal sent to their whole process group as a terminal does. ``sotong
serve`` still closes its collector (App.close) on the way out. SIGTERM
(kill, systemctl stop) stops ``sotong serve``, ``sotong bundles``, the
``sotong subscribers`` commands import, export, changes, forget and purge,
and ``sotong send`` the same way, with exit 143 (test_send has the send's);
``send purge`` stopped while it removes an outbox's files leaves the rest to
the next purge, and ``sotong bounces`` stopped after a batch loses none of
its flags."""

from __future__ import annotations

import contextlib
import http.client
import mailbox
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable

import pytest
from bounce_mails import postfix_dsn
from delivery.verp import make_return_path
from delivery_support import (ScriptedHandler, SMTPServer, add_subscribers, address_of, make_outbox, marked_invalid,
                              send_outbox)
from project_support import copy_project, store_of, store_query

from sotong import web
from sotong.audiences import load_audiences
from sotong.population import generate_population, write_csv
from sotong.project import Project

INTERRUPTED = 130
TERMINATED = 143
STOPPED = "중단했습니다"  # the line's start, Korean by default
WAITED_AT_MOST = 180  # seconds a started command may run in a test before it is killed


@pytest.fixture
def project(tmp_path) -> Path:
    return copy_project(tmp_path)


def start(project: Path, *args: str, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
          env: dict | None = None) -> subprocess.Popen:
    """``sotong ARGS`` in ``project``, in a process group of its own, taking Ctrl+C as a terminal's would."""
    environment = {key: value for key, value in os.environ.items() if key != "SOTONG_LANG"} | (env or {})
    process = subprocess.Popen([sys.executable, "-m", "sotong", *args], cwd=project, env=environment,
                               stdin=stdin, stdout=stdout, stderr=subprocess.PIPE, text=True, encoding="utf-8",
                               start_new_session=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    watchdog = threading.Timer(WAITED_AT_MOST, lambda: process.poll() is None and os.killpg(process.pid, signal.SIGKILL))
    watchdog.daemon = True
    watchdog.start()  # a test waiting for a line that never comes ends, failing, instead of hanging the suite
    return process


def ctrl_c(process: subprocess.Popen, signum: int = signal.SIGINT) -> tuple[int, list[str]]:
    """Ctrl+C (or ``signum``) to the process and its workers; its exit code and the lines it wrote to stderr after."""
    try:
        os.killpg(process.pid, signum)
    except ProcessLookupError:
        pass  # it ended before: its code says how
    try:
        _out, err = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise
    return process.returncode, err.splitlines()


def stopped_by_sigterm(process: subprocess.Popen, ready: Callable[[], bool], ended: str) -> tuple[int, list[str]]:
    """SIGTERM to the command alone (``kill PID``) as soon as ``ready()``,
    asked every millisecond (``ended``: what it means when the command ended
    before); its exit code and the lines it wrote to stderr."""
    try:
        deadline = time.monotonic() + 60
        while not ready() and time.monotonic() < deadline:
            assert process.poll() is None, ended
            time.sleep(0.001)
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    return process.returncode, err.splitlines()


def any_written(paths) -> bool:
    """Whether one of ``paths`` (a glob's) holds some bytes yet: one renamed since (its writing done) does not."""
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            if path.stat().st_size:
                return True
    return False


def assert_said_in_one_line(code: int, lines: list[str], expected: int = INTERRUPTED) -> None:
    assert code == expected, lines
    assert len(lines) == 1 and lines[0].startswith(STOPPED), lines
    assert "Traceback" not in lines[0] and "Aborted" not in lines[0]


def test_ctrl_c_stops_sotong_serve_with_exit_130_and_one_line(project):
    process = start(project, "serve", "--port", "0")
    try:
        announced = process.stderr.readline()
        assert re.search(r"http://127\.0\.0\.1:\d+", announced), announced
        process.stderr.readline()  # the warning: no SOTONG_SECRET
        process.stderr.readline()  # the store it serves
    finally:
        code, lines = ctrl_c(process)
    assert_said_in_one_line(code, lines)
    assert "수집 서버" in lines[0] and "다시" in lines[0]  # the state left, and what to do


def test_sigterm_stops_sotong_serve_as_ctrl_c_does_with_exit_143_and_its_store_closed(project):
    """systemctl stop (SIGTERM): the collector's stores closed, so SQLite
    checkpointed its WAL and removed it, which a kill at once leaves."""
    wal = Path(f"{store_of(project)}-wal")
    process = start(project, "serve", "--port", "0")
    try:
        port = int(re.search(r"http://127\.0\.0\.1:(\d+)", process.stderr.readline()).group(1))
        process.stderr.readline()  # the warning: no SOTONG_SECRET
        process.stderr.readline()  # the store it serves
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/healthz")
        assert connection.getresponse().status == 200 and wal.exists()
        connection.close()
        started = time.monotonic()
    finally:
        code, lines = ctrl_c(process, signal.SIGTERM)
    assert time.monotonic() - started < 10
    assert_said_in_one_line(code, lines, TERMINATED)
    assert "(SIGTERM)" in lines[0]
    assert not wal.exists()


def test_sigterm_while_a_request_waits_for_the_store_answers_it_first_and_stores_it(project):
    """systemctl stop while an unsubscribe waits for another program's
    SQLite lock: waitress gave its threads 5 s, then closed the connection
    unanswered (the unsubscribe lost) and said "1 thread(s) still running"
    in English. Now the collector takes no connection after the signal and
    answers the ones it took."""
    import sqlite3

    from sotong.tokens import unsubscribe_token

    subscriber = add_subscribers(store_of(project), 1)[0]
    process = start(project, "serve", "--port", "0")
    writer = sqlite3.connect(store_of(project), isolation_level=None)
    try:
        port = int(re.search(r"http://127\.0\.0\.1:(\d+)", process.stderr.readline()).group(1))
        process.stderr.readline()  # the warning: no SOTONG_SECRET
        process.stderr.readline()  # the store it serves
        writer.execute("BEGIN IMMEDIATE")  # another program writing, for longer than waitress waited
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request("POST", f"/u/{unsubscribe_token(subscriber)}", body=b"List-Unsubscribe=One-Click",
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
        time.sleep(1)  # it waits for the lock
        process.send_signal(signal.SIGTERM)
        time.sleep(7)
        writer.execute("COMMIT")
        answer = connection.getresponse()
        assert answer.status == 200
        code = process.wait(timeout=60)
        lines = process.stderr.read().splitlines()
    finally:
        writer.close()
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert code == TERMINATED
    assert len(lines) == 2 and lines[0].startswith("진행 중인 요청 1건에 답한 뒤 멈춥니다") and lines[1].startswith(STOPPED)
    assert store_query(project, "SELECT unsubscribed_at IS NOT NULL FROM subscribers WHERE id = ?", (subscriber,)) == [(1,)]


def test_ctrl_c_at_a_prompt_of_sotong_new_exits_130_with_one_line(project):
    notices = sorted((project / "content" / "notices").iterdir())
    process = start(project, "new", stdout=subprocess.PIPE, stdin=subprocess.PIPE)
    try:
        asked = b""
        while b":" not in asked:  # the prompt, "제목: ", written without a line break
            chunk = os.read(process.stdout.fileno(), 100)
            assert chunk, "sotong new ended before it asked"
            asked += chunk
    finally:
        code, lines = ctrl_c(process)
    assert_said_in_one_line(code, lines)
    assert sorted((project / "content" / "notices").iterdir()) == notices


def test_ctrl_c_while_bundles_are_written_by_worker_processes_leaves_no_half_written_outbox(project):
    add_subscribers(store_of(project), 3000)
    outbox = project / "private" / "outbox"
    process = start(project, "bundles", "--issue", "2026-11-26", "--jobs", "2")
    try:
        deadline = time.monotonic() + 60
        while not any(outbox.glob(".*.writing-*/email/*")) and time.monotonic() < deadline:
            assert process.poll() is None, "the bundles were written before Ctrl+C"
            time.sleep(0.01)
    finally:
        code, lines = ctrl_c(process)
    assert_said_in_one_line(code, lines)  # and no worker's "Process ForkPoolWorker-1:" and traceback
    assert lines == ["중단했습니다 (Ctrl+C). 발송함은 다 만들어진 뒤에만 바뀌는데 이번 것은 다 만들지 못했습니다. "
                     "2026-11-26 발송함을 만들려면 같은 명령을 다시 실행하세요."]  # its own line, not of a build and a send
    assert list(outbox.iterdir()) == []  # no issue folder, and the workers' staging folder removed


def test_sigterm_while_bundles_are_written_by_worker_processes_stops_them_and_leaves_no_half_written_outbox(project):
    """kill (SIGTERM) to the command alone: its worker processes stopped at
    once (they do not take SIGTERM as Ctrl+C and go on with their parts),
    the half-written outbox removed (killed at once, it stayed, readers'
    messages in it, until the next bundles run), exit 143 and one line."""
    add_subscribers(store_of(project), 6000)  # the workers would take seconds more
    outbox = project / "private" / "outbox"
    process = start(project, "bundles", "--issue", "2026-11-26", "--jobs", "2")
    seen: dict = {}

    def writing() -> bool:
        if not any(outbox.glob(".*.writing-*/email/*")):
            return False
        seen["workers"] = [int(pid) for pid in Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()]
        seen["at"] = time.monotonic()
        return True

    code, lines = stopped_by_sigterm(process, writing, "the bundles were written before SIGTERM")
    assert time.monotonic() - seen["at"] < 4  # not seconds more of the workers going on with their parts
    assert_said_in_one_line(code, lines, TERMINATED)
    assert list(outbox.iterdir()) == []  # no issue folder, and the workers' staging folder removed
    assert seen["workers"] and not [pid for pid in seen["workers"] if Path(f"/proc/{pid}").exists()]


def test_sigterm_while_subscribers_are_imported_leaves_no_working_copy_of_their_rows(project, tmp_path):
    """kill (SIGTERM) while the rows are checked and staged: nothing
    imported, and the import's working copy of the rows (every reader's
    address and phone, in the temporary folder) removed, as Ctrl+C does:
    killed at once, it stayed there, nothing ever removing it."""
    csv_file, scratch = tmp_path / "people.csv", tmp_path / "tmp"
    write_csv(csv_file, generate_population(40_000, load_audiences(project / "audiences.yaml"), seed=7, year=2026))
    scratch.mkdir()
    process = start(project, "subscribers", "import", str(csv_file), "--jobs", "2", env={"TMPDIR": str(scratch)})
    code, lines = stopped_by_sigterm(process, lambda: any(scratch.glob("sotong-import-*/part1.db")),
                                     "the import ended before SIGTERM")
    assert_said_in_one_line(code, lines, TERMINATED)
    assert lines == ["중단했습니다 (SIGTERM). 가져오기는 모두 쓰거나 아무것도 쓰지 않습니다. 같은 명령을 다시 실행하세요 "
                     "(이미 들어 있는 행은 '그대로'로 셉니다)."]  # its own line, not of a build and a send
    assert list(scratch.iterdir()) == []
    assert store_query(project, "SELECT count(*) FROM subscribers") == [(0,)]


def test_sigterm_while_subscribers_purge_tells_the_inactive_records_each_notice_the_server_took(project):
    """kill (SIGTERM) while ``subscribers purge`` mails the subscribers sent
    nothing for two years their notice: each notice the mail server took is
    recorded (killed at once, up to 99 were not, and the next run told
    them again), at most the one in flight when it stopped goes twice."""
    ids = add_subscribers(store_of(project), 150, channels=("email",))
    store_query(project, "UPDATE subscribers SET subscribed_at = '2020-01-06T09:00:00+09:00'")
    store_query(project, "UPDATE consent_log SET changed_at = '2020-01-06T09:00:00+09:00'")
    handler = ScriptedHandler(delay=0.01)
    with SMTPServer(handler) as server:
        with open(project / "pelicanconf.py", "a", encoding="utf-8") as settings:
            settings.write(f"\nSMTP_HOST = '127.0.0.1'\nSMTP_PORT = {server.port}\n")
        code, lines = stopped_by_sigterm(start(project, "subscribers", "purge"),
                                         lambda: sum(handler.accepted_counts().values()) >= 20,
                                         "every notice was sent before SIGTERM")
        assert_said_in_one_line(code, lines, TERMINATED)
        taken = set(handler.accepted_counts())
        told = {address_of(row[0]) for row in store_query(project, "SELECT subscriber_id FROM subscriptions_inactive_notices")}
        assert told <= taken and len(taken - told) <= 1 and len(taken) < len(ids)
        assert subprocess.run([sys.executable, "-m", "sotong", "subscribers", "purge"], cwd=project, capture_output=True,
                              timeout=120).returncode == 0
    assert sum(handler.accepted_counts().values()) <= len(ids) + 1
    assert set(handler.accepted_counts()) == {address_of(i) for i in ids}


def test_send_purge_stopped_while_it_removes_an_outbox_leaves_the_rest_for_the_next_purge(project):
    """kill (SIGTERM), Ctrl+C or a power cut while ``send purge`` removes a
    year-old outbox's files, its rows already destroyed: the next purge
    removes the rest (the manifest, by which it finds the folder, goes
    last). It went first: the readers' emails left were never removed."""
    folder = make_outbox(project / "private" / "outbox", "2025-11-13", ["S1", "S2"], ["a-notice"])
    send_outbox(store_of(project), folder, "2025-11-13T10:00:00+09:00")
    for number in range(20_000):
        (folder / "email" / f"S{number:06d}.eml").write_bytes(b"Subject: x\r\n")
    os.utime(folder / "manifest.jsonl", (time.time() - 400 * 86400,) * 2)  # bundled more than a year ago
    stopped_by_sigterm(start(project, "send", "purge"),
                       lambda: not all((folder / name).exists() for name in ("manifest.jsonl", "sms.csv")),
                       "the purge ended before SIGTERM")
    assert any((folder / "email").iterdir()), "stopped while the files were removed"
    again = subprocess.run([sys.executable, "-m", "sotong", "send", "purge"], cwd=project, capture_output=True,
                           text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert not folder.exists()


def test_sotong_bounces_stopped_after_its_first_batches_loses_no_flag(project):
    """kill (SIGTERM) once ``sotong bounces`` recorded and moved its first
    batches: the addresses their bounces flag are flagged with them. They
    were flagged only at the end: the bounces moved are never read again,
    so their readers stayed unflagged, and were sent to, for good."""
    bounces = "bounces@sd.go.kr"
    with open(project / "pelicanconf.py", "a", encoding="utf-8") as settings:
        settings.write(f'\nBOUNCE_ADDRESS = "{bounces}"\nBOUNCE_SCORE_LIMIT = 1\nBOUNCE_MAILDIR = "private/bounces"\n')
    ids = add_subscribers(store_of(project), 2000, channels=("email",))  # four batches
    mailbox.Maildir(str(project / "private" / "bounces"), create=True)
    for number, reader in enumerate(ids):  # into new/ as a mail server delivers them (Maildir.add syncs each)
        (project / "private" / "bounces" / "new" / f"1764180764.M{number}P1.mail.test").write_bytes(
            postfix_dsn(make_return_path(bounces, reader, "2026-11-26"), address_of(reader), serial=number))
    handled = project / "private" / "bounces" / ".sotong-handled"
    stopped_by_sigterm(start(project, "bounces"), lambda: (handled / "cur").is_dir() and any((handled / "cur").iterdir()),
                       "the bounces were handled before SIGTERM")
    assert any((project / "private" / "bounces" / "new").iterdir()), "stopped before every batch was moved"
    again = subprocess.run([sys.executable, "-m", "sotong", "bounces"], cwd=project, capture_output=True, text=True,
                           timeout=120)
    assert again.returncode == 0, again.stderr
    assert marked_invalid(project) == ids


@pytest.mark.parametrize("command", [["subscribers", "export"], ["subscribers", "changes", "--since", "2020-01-01"]],
                         ids=["export", "changes"])
def test_sigterm_while_subscribers_are_exported_leaves_no_hidden_part_of_the_file(project, tmp_path, command):
    """kill (SIGTERM) while every subscriber (or the consent log) is written
    to a CSV: neither the file nor the part written so far (a hidden
    .FILE.csv.*.tmp beside it, readers' addresses and phones in it, which
    nothing ever removed) is left."""
    from sotong.store import Store
    from sotong.subscribers import import_csv

    audiences = load_audiences(project / "audiences.yaml")
    write_csv(tmp_path / "people.csv", generate_population(30_000, audiences, seed=7, year=2026))
    store = Store.open(store_of(project))
    import_csv(store, tmp_path / "people.csv", audiences, 2026)
    store.close()
    folder = tmp_path / "exported"
    folder.mkdir()
    code, lines = stopped_by_sigterm(start(project, *command, str(folder / "people.csv")),
                                     lambda: any_written(folder.glob(".people.csv.*")),
                                     "the file was written before SIGTERM")
    assert_said_in_one_line(code, lines, TERMINATED)
    assert list(folder.iterdir()) == []


def test_sigterm_while_a_person_is_forgotten_leaves_no_hidden_part_of_an_outbox_file(project):
    """kill (SIGTERM) while ``subscribers forget`` takes the person out of an
    unsent outbox's sms.csv and manifest: nothing changed in the store (the
    files come first: the same command run again does it all), and no
    hidden .sms.csv.*.tmp or .manifest.jsonl.*.tmp (the other readers'
    phones and messages) left beside them, as it was when killed at once."""
    reader, = add_subscribers(store_of(project), 1)
    others = range(300_000)
    manifest = "".join(f'{{"id": "X{number:06d}", "channel": "sms", "notices": ["a-notice"], "banner": null, '
                       f'"file": null}}\n' for number in others)
    sms = "".join(f'X{number:06d},010-5{number:03d}-{number % 10_000:04d},SMS,80,"[성동구 소식] 안내"\n' for number in others)
    root = project / "private" / "outbox"
    folders = [make_outbox(root, key, [reader], ["a-notice"], sms={reader: "SMS"})
               for key in ("2026-11-26", "2026-12-10", "2026-12-24")]  # stopped at the first, the others wait
    for folder in folders:
        for name, text in (("manifest.jsonl", manifest), ("sms.csv", sms)):
            with open(folder / name, "a", encoding="utf-8") as file:
                file.write(text)
    code, lines = stopped_by_sigterm(start(project, "subscribers", "forget", reader),
                                     lambda: any_written(root.glob("*/.*.tmp")),
                                     "forget ended before SIGTERM")
    assert_said_in_one_line(code, lines, TERMINATED)
    for folder in folders:
        assert sorted(path.name for path in folder.iterdir()) == ["email", "manifest.jsonl", "sms.csv"]
    assert store_query(project, "SELECT id FROM subscribers") == [(reader,)]


def test_ctrl_c_stops_the_devserver_and_its_build_process_in_one_line(project):
    process = start(project, "devserver", "--port", "0")
    try:
        for line in process.stderr:
            if line.startswith("빌드 완료"):  # the first build, in the build process
                break
    finally:
        code, lines = ctrl_c(process)
    assert_said_in_one_line(code, lines)  # no "Process SpawnProcess-1:" from the build process
    # how staff close the preview: not the line of a build or send cut short ("a send resumes where it stopped")
    assert lines == ["중단했습니다 (Ctrl+C). 미리 보기를 닫았습니다. 미리 보기는 아무것도 보내지 않고 output/도 그대로 "
                     "둡니다. 다시 보려면 같은 명령을 실행하세요."]


def test_sotong_serve_closes_the_collector_when_ctrl_c_stops_it(project):
    """App.close ran: its checkpoint thread stopped and every store file it opened closed."""
    add_subscribers(store_of(project), 1)
    store = str(store_of(project))

    def store_files_open() -> int:
        links = (f"/proc/self/fd/{fd}" for fd in os.listdir("/proc/self/fd"))
        return sum(os.readlink(link).startswith(store) for link in links if os.path.islink(link))

    def checkpointing() -> int:
        return sum(thread.name == "sotong-checkpoint" for thread in threading.enumerate())

    before = checkpointing()
    seen: dict = {}

    def interrupt_once_serving(line: str) -> None:
        if "127.0.0.1" not in line:
            return

        def when_answered():
            port = int(re.search(r"127\.0\.0\.1:(\d+)", line).group(1))
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", "/healthz")
            seen["healthz"] = connection.getresponse().status
            seen["files"], seen["checkpointing"] = store_files_open(), checkpointing()
            connection.close()
            os.kill(os.getpid(), signal.SIGINT)

        threading.Thread(target=when_answered, daemon=True).start()

    with pytest.raises(KeyboardInterrupt):
        web.serve(Project(project / "pelicanconf.py"), "127.0.0.1", 0, 2, announce=interrupt_once_serving)
    assert seen["healthz"] == 200 and seen["files"] > 0 and seen["checkpointing"] == before + 1
    assert checkpointing() == before
    assert store_files_open() == 0
