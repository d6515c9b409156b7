"""Shared fixtures: a copy of the sample project in a temporary folder, and a
way to run the ``sotong`` CLI in it as a user would (exit code and output)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# The tests of existing behaviour read the messages in English (SPEC §12:
# SOTONG_LANG=en); set here, before sotong is imported, so that the commands
# the tests run as subprocesses inherit it. tests/test_i18n.py asks for Korean.
os.environ["SOTONG_LANG"] = "en"

# `make mutants` (mutation/run.py): no example database, so a mutant is killed
# by the tests themselves, not by an example that failed under an earlier one;
# no time limits, so a busy machine kills no mutant; 30 examples where a test
# sets no count of its own
settings.register_profile("mutants", database=None, deadline=None, max_examples=30,
                          suppress_health_check=[HealthCheck.too_slow])
# every run: the tests check answers, not speed (benchmarks/ measures that), so
# a machine busy with other work (2 cores, a browser test beside) fails nothing
settings.register_profile("sotong", deadline=None, suppress_health_check=[HealthCheck.too_slow])
# CI (.ci/run): the same examples on every run, so a landing is never refused
# by a draw that no one has seen; the random search runs on developers' machines
settings.register_profile("ci", parent=settings.get_profile("sotong"), derandomize=True, database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "sotong"))

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


@pytest.fixture(params=["sqlite", "postgresql"])
def store_location(request, tmp_path) -> str:
    """SOTONG_DB for a fresh store, once per backend (SPEC §15): a file, or a
    new database on the tests' PostgreSQL server (tests/postgres_server.py)."""
    if request.param == "sqlite":
        return str(tmp_path / "sotong.db")
    from postgres_server import new_database

    return new_database()


@pytest.fixture
def project_dir(tmp_path) -> Path:
    """A full copy of the sample project in tmp_path."""
    return copy_project(tmp_path)


@pytest.fixture
def empty_project_dir(tmp_path) -> Path:
    """The sample project without notices: tests write their own."""
    return copy_project(tmp_path, notices=False)


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_sotong(cwd: Path, *args: str, env: dict | None = None, timeout: float = 300) -> Result:
    """Run the real ``sotong`` command in ``cwd``, as the operator would."""
    full_env = dict(os.environ, **(env or {}))
    completed = subprocess.run(
        [sys.executable, "-m", "sotong", *args], cwd=cwd, env=full_env,
        capture_output=True, text=True, timeout=timeout,
    )
    return Result(completed.returncode, completed.stdout, completed.stderr)


@pytest.fixture
def sotong():
    return run_sotong


@contextmanager
def serving(app, limits=None):
    """Serve a WSGI app with the collector's waitress server on 127.0.0.1
    (a free port) in a thread; yields the port and stops the server afterwards."""
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
        yield wsgi.socket.getsockname()[1]
    finally:
        stopping.set()
        thread.join(10)
