"""The sample project for tests, and the ways to run Sotong in it: a copy
of the project in a temporary folder; the ``sotong`` command as the operator
runs it (a subprocess: its exit code, output and tracebacks are the point) or
in this process through click's CliRunner (the same code and output, without
starting Python again); the collector served over real HTTP.

The fixtures of conftest.py hand these out; tests import them from here,
never from conftest."""

from __future__ import annotations

import ast
import contextlib
import functools
import os
import re
import resource
import shutil
import struct
import subprocess
import sys
import threading
import time
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLE_TODAY = "2026-11-23"


def copy_project(dest: Path, *, notices: bool = True, extra_settings: str = "") -> Path:
    """Copy the sample project (settings, audiences, theme, plugins, content)
    into ``dest``; ``notices=False`` leaves content/notices/ empty."""
    for name in ("pelicanconf.py", "publishconf.py", "audiences.yaml"):
        shutil.copy(REPO / name, dest / name)
    for name in ("themes", "plugins"):
        if (REPO / name).exists():
            shutil.copytree(REPO / name, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "content", dest / "content",
                    ignore=None if notices else shutil.ignore_patterns("*.md"))
    if not notices:
        for pages in (REPO / "content" / "pages").glob("*.md"):
            shutil.copy(pages, dest / "content" / "pages" / pages.name)
    (dest / "content" / "notices").mkdir(parents=True, exist_ok=True)
    with open(dest / "pelicanconf.py", "a", encoding="utf-8") as settings:
        settings.write(f'\nSOTONG_TODAY = "{SAMPLE_TODAY}"\n{extra_settings}\n')
    return dest


def differing_files(left: Path, right: Path) -> list[Path]:
    """The files that differ between two folders (or are in one only), by their bytes."""
    found = [*(left / name for name in os.listdir(left) if not (right / name).exists()),
             *(right / name for name in os.listdir(right) if not (left / name).exists())]
    for name in sorted(set(os.listdir(left)) & set(os.listdir(right))):
        if (left / name).is_dir():
            found += differing_files(left / name, right / name)
        elif (left / name).read_bytes() != (right / name).read_bytes():
            found.append(left / name)
    return found


def in_terminal(*args: str, env: dict | None = None, timeout: float = 120) -> bytes:
    """What ``sotong ARGS`` shows on its stderr when that is a terminal (a
    pseudo-terminal): its progress bars. Exit status 0 is asserted."""
    import pty
    import select

    primary, secondary = pty.openpty()
    subprocess.run([sys.executable, "-m", "sotong", *args], stderr=secondary, stdout=subprocess.DEVNULL,
                   env=os.environ | {"SOTONG_LANG": "en", "COLUMNS": "200"} | (env or {}), timeout=timeout, check=True)
    os.close(secondary)
    shown = b""
    readable = select.poll()  # not select.select: a test process's descriptors may be numbered past 1024
    readable.register(primary, select.POLLIN)
    while readable.poll(1000):
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # the terminal's other end closed (Linux: EIO)
            break
        if not chunk:
            break
        shown += chunk
    os.close(primary)
    return shown


def png(width: int, height: int) -> bytes:
    """A white PNG picture of ``width`` x ``height`` pixels, to put under a project's content/images/."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xff" * width * 3 for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_sotong(cwd: Path, *args: str, env: dict | None = None, timeout: float = 300,
               file_size_limit: int | None = None) -> Result:
    """Run the real ``sotong`` command in ``cwd``, as the operator would;
    ``file_size_limit``: no file it writes grows past that many bytes (as
    on a full disk; RLIMIT_FSIZE, which needs no root)."""
    full_env = dict(os.environ, **(env or {}))
    limited = None if file_size_limit is None else functools.partial(
        resource.setrlimit, resource.RLIMIT_FSIZE, (file_size_limit, file_size_limit))
    completed = subprocess.run(
        [sys.executable, "-m", "sotong", *args], cwd=cwd, env=full_env,
        capture_output=True, text=True, timeout=timeout, preexec_fn=limited,
    )
    return Result(completed.returncode, completed.stdout, completed.stderr)


def invoke_sotong(cwd: Path | None, *args: str, env: dict | None = None) -> Result:
    """``sotong ARGS`` in this process (click's CliRunner), in ``cwd`` (None:
    where the test runs), through ``sotong.cli.main`` and so with its error
    handling: the code and output :func:`run_sotong` would give, for tests
    where a separate process is not the point. An unexpected exception is
    raised with its traceback instead of printed. Signals keep the plugins an
    earlier command connected, so a project whose PLUGINS leave some out
    runs as a subprocess (:func:`run_sotong`)."""
    from click.testing import CliRunner

    with contextlib.chdir(cwd or os.getcwd()):
        result = CliRunner().invoke(_SotongMain(), list(args), env=env, prog_name="sotong", catch_exceptions=False)
    return Result(result.exit_code, result.stdout, result.stderr)


class _SotongMain:
    """``sotong.cli.main`` in the shape CliRunner invokes a click command."""

    name = "sotong"

    def main(self, args, prog_name, **extra):
        from sotong.cli import main

        main(list(args))


@contextmanager
def serving(app, limits=None):
    """Serve a WSGI app with the collector's waitress server on 127.0.0.1
    (a free port) in a thread; yields the port and stops the server (and
    closes a collector app's store) afterwards."""
    with running_server(app, limits) as server:
        yield server.socket.getsockname()[1]


@contextmanager
def running_server(app, limits=None):
    """:func:`serving`, yielding the server itself (its port is
    ``server.socket.getsockname()[1]``), for a test that looks at the
    connections it holds (``server.active_channels``)."""
    from sotong.web import ConnectionLimits, create_server

    wsgi = create_server(app, "127.0.0.1", 0, threads=4, limits=limits or ConnectionLimits())
    stopping = threading.Event()

    def serve_until_stopped():  # waitress's own run() has no clean stop from another thread
        while not stopping.is_set():
            wsgi.asyncore.loop(timeout=0.05, map=wsgi._map, count=1, use_poll=True)
        wsgi.close()

    thread = threading.Thread(target=serve_until_stopped, daemon=True)
    thread.start()
    try:
        yield wsgi
    finally:
        stopping.set()
        thread.join(10)
        if hasattr(app, "close"):
            app.close()


BACKENDS = ["sqlite", "postgresql"]


def all_at_once(threads: list[threading.Thread], timeout: float | None = None) -> None:
    """Start every one of ``threads`` (requests raced against each other),
    then wait for each to end, ``timeout`` seconds at most for each."""
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)


def new_store_location(backend: str, folder: Path) -> str:
    """SOTONG_DB for a fresh store on ``backend``: a file in ``folder``, or a
    new database on the tests' PostgreSQL server (tests/postgres_server.py)."""
    if backend == "sqlite":
        return str(folder / "sotong.db")
    from postgres_server import new_database

    return new_database()


def store_of(project: Path) -> str:
    """SOTONG_DB of a test project: the last ``SOTONG_DB = ...`` of its
    pelicanconf.py (a PostgreSQL URL, or a path from the project's folder)."""
    found = re.findall(r"^SOTONG_DB = (.+)$", (project / "pelicanconf.py").read_text(encoding="utf-8"), re.M)
    location = ast.literal_eval(found[-1])
    return location if location.startswith("postgresql://") else str(project / location)


def store_query(project: Path, sql: str, params=()) -> list[tuple]:
    """The rows of one SQLite-worded query (or the changes of one statement) on the project's store."""
    from sotong.store import Store

    store = Store.open(store_of(project))
    try:
        cursor = store.db.execute(sql, params)
        return [tuple(row) for row in cursor.fetchall()] if cursor.description else []
    finally:
        store.close()


def sms_code_file(project: Path, seconds: float = 10) -> str:
    """``private/subscriptions/sms-codes.csv`` once the collectors' text
    threads have handed every code queued in the store to it ('' when no
    text was ever written); AssertionError when they have not in ``seconds``."""
    deadline = time.time() + seconds
    while store_query(project, "SELECT count(*) FROM subscriptions_texts") != [(0,)]:
        assert time.time() < deadline, "the phone codes queued were not handed to the SMS transport"
        time.sleep(0.02)
    path = project / "private" / "subscriptions" / "sms-codes.csv"
    return path.read_text(encoding="utf-8") if path.exists() else ""


def project_on(store_location: str, dest: Path, extra_settings: str = "") -> Path:
    """A copy of the sample project whose store is ``store_location`` (the
    ``store_location`` fixture: once on SQLite, once on PostgreSQL)."""
    return copy_project(dest, extra_settings=f"{extra_settings}\nSOTONG_DB = {store_location!r}\n")


def forged(token: str) -> str:
    """``token`` with the last two characters of its signature changed (never
    to themselves): what someone without the key would try."""
    return token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
