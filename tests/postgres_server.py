"""A real PostgreSQL server for the tests (Debian's postgresql package):
initdb in a temporary folder, listening only on a unix socket in that folder,
started once per test process and stopped when the process exits. PostgreSQL
refuses to run as root, so as root the server runs as the system user
``sotongpg`` (created when missing). Missing binaries skip the tests on a
developer's machine and fail them in CI (tests/tooling.py's rule).
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

from tooling import missing

SERVER_USER = "sotongpg"


def _binaries() -> Path:
    """The folder of initdb and postgres (the newest Debian version installed)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if not found:
        missing("PostgreSQL", "sudo apt-get update && sudo apt-get install postgresql")
    return Path(found[-1]).parent


def _as_server_user() -> list[str]:
    """The command prefix that runs the server as a non-root user."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam(SERVER_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SERVER_USER],
                       check=True)
    return ["runuser", "-u", SERVER_USER, "--"]


@functools.cache
def _server() -> str:
    """Start the server once; its socket folder, for libpq's host parameter."""
    binaries = _binaries()
    prefix = _as_server_user()
    folder = Path(tempfile.mkdtemp(prefix="sotong-pg-"))
    data = folder / "data"
    if prefix:
        shutil.chown(folder, SERVER_USER)
    subprocess.run([*prefix, str(binaries / "initdb"), "-D", str(data), "-U", "sotong", "--auth=trust",
                    "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"], check=True, capture_output=True)
    _start(folder)
    atexit.register(_stop, prefix, binaries, data, folder)
    return str(folder)


def _start(folder: Path) -> None:
    subprocess.run([*_as_server_user(), str(_binaries() / "pg_ctl"), "-D", str(folder / "data"), "-l",
                    str(folder / "server.log"), "-w", "-t", "60",
                    "-o", f"-k {folder} -c listen_addresses='' -c fsync=off -c full_page_writes=off",
                    "start"], check=True, capture_output=True)


@contextlib.contextmanager
def stopped():
    """The tests' server stopped within (``pg_ctl stop -m fast``: its
    sessions ended, as a minor-version upgrade or a failover ends them),
    and started again after on the same socket."""
    folder = Path(_server())
    subprocess.run([*_as_server_user(), str(_binaries() / "pg_ctl"), "-D", str(folder / "data"), "-m", "fast", "-w",
                    "stop"], check=True, capture_output=True)
    try:
        yield
    finally:
        _start(folder)


def _stop(prefix: list[str], binaries: Path, data: Path, folder: Path) -> None:
    subprocess.run([*prefix, str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                   capture_output=True)
    shutil.rmtree(folder, ignore_errors=True)


def new_database() -> str:
    """A fresh, empty database on the test server, as a ``postgresql://`` URL."""
    import psycopg

    socket_folder = _server()
    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(host=socket_folder, user="sotong", dbname="postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql://sotong@/{name}?host={socket_folder}"


def role_with_password(name: str, password: str) -> str:
    """A user of the test server who must give ``password`` (scram-sha-256;
    every other user connects on trust), as a ``postgresql://`` URL of a
    fresh database that it owns, without the password."""
    import psycopg

    socket_folder = _server()
    rules = Path(socket_folder, "data", "pg_hba.conf")
    line = f"local all {name} scram-sha-256\n"
    if line not in rules.read_text():
        rules.write_text(line + rules.read_text())
    url = new_database()
    with psycopg.connect(host=socket_folder, user="sotong", dbname="postgres", autocommit=True) as admin:
        admin.execute("SELECT pg_reload_conf()")
        if not admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone():
            admin.execute(f"CREATE ROLE \"{name}\" LOGIN PASSWORD '{password}'")
        admin.execute(f'ALTER DATABASE "{url.split("@/")[1].split("?")[0]}" OWNER TO "{name}"')
    return url.replace("sotong@", f"{name}@")
