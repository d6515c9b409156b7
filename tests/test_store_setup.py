"""The operator pointing SOTONG_DB at a store (SPEC §15): the mistakes one
meets setting it up (a password in the address, a server that does not
answer) are one line that never quotes the password, and soon."""

from __future__ import annotations

import contextlib
import os
import socket
import sqlite3
import threading
import time

import pytest
from postgres_server import new_database, role_with_password
from psycopg.conninfo import conninfo_to_dict
from project_support import copy_project, run_sotong

from sotong import store as store_module
from sotong.problems import SotongError
from sotong.store import Store, register_schema


@pytest.mark.parametrize("url", [
    "postgresql://weird:p@ss:w/o%rd#1@127.0.0.1:1/weirddb",  # percent-encoding forgotten: libpq quoted "o%rd#1@..."
    "postgresql://weird:pa/ss1@127.0.0.1:1/weirddb",  # a / in it: libpq took "weird" for the host, "pa" for the port
    "postgresql://weird@127.0.0.1:1/weirddb?password=a%zz1",  # as a parameter, unreadable: libpq quoted "a%zz1"
])
def test_a_password_in_the_address_is_refused_without_quoting_any_of_it(url):
    with pytest.raises(SotongError) as refused:
        Store.open(url)
    said = str(refused.value)
    assert "holds a password" in said and "PGPASSWORD" in said
    assert "rd#1" not in said and "ss1" not in said and "zz1" not in said


def test_an_at_sign_in_the_query_is_no_password(tmp_path):
    with pytest.raises(SotongError) as refused:  # no server there: it got as far as connecting
        Store.open(f"postgresql://sotong@/nothing?host={tmp_path}&application_name=a@b")
    assert str(refused.value).startswith("SOTONG_DB: no PostgreSQL server answers at ")


def test_a_server_that_does_not_answer_is_given_up_on_in_seconds(monkeypatch):
    """A host that takes the connection and says nothing (a hung server, a
    firewall's proxy): psycopg waited 130 s by itself."""
    monkeypatch.delenv("PGCONNECT_TIMEOUT", raising=False)
    monkeypatch.setattr(store_module, "CONNECT_TIMEOUT_S", 2)
    silent = socket.create_server(("127.0.0.1", 0))
    port = silent.getsockname()[1]
    said = []

    def open_it():
        try:
            Store.open(f"postgresql://sotong@127.0.0.1:{port}/sotong")
        except SotongError as exc:
            said.append(str(exc))

    opening = threading.Thread(target=open_it, daemon=True)
    opening.start()
    opening.join(20)
    silent.close()
    assert not opening.is_alive(), "still waiting for the server after 20 s"
    assert said and said[0].startswith(f"SOTONG_DB: the PostgreSQL server at 127.0.0.1:{port} did "
                                       "not answer in 2 seconds; "), said


def test_a_service_files_connect_timeout_is_the_one_waited(monkeypatch, tmp_path):
    """The service file's connect_timeout was overridden by Sotong's 10 s
    (and psycopg reads none from a service file): the line says, and the
    command waits, what the service sets."""
    monkeypatch.delenv("PGCONNECT_TIMEOUT", raising=False)
    silent = socket.create_server(("127.0.0.1", 0))
    port = silent.getsockname()[1]
    services = tmp_path / "pg_service.conf"
    services.write_text(f"# the office's\n[other]\nconnect_timeout=7\n\n[sotong]\nhost=127.0.0.1\n"
                        f"port={port}\ndbname=sotong\nuser=sotong\nconnect_timeout=2\n")
    monkeypatch.setenv("PGSERVICEFILE", str(services))
    try:
        with pytest.raises(SotongError) as refused:
            Store.open("postgresql://?service=sotong")
    finally:
        silent.close()
    assert f"server at 127.0.0.1:{port} did not answer in 2 seconds; " in str(refused.value)


@contextlib.contextmanager
def _over_tcp(url: str):
    """``url`` of the tests' server (a unix socket) reached over TCP on
    127.0.0.1, through a relay: its port."""
    parts = conninfo_to_dict(url)
    listener = socket.create_server(("127.0.0.1", 0))

    def relay(source, target):
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                target.sendall(data)
            target.shutdown(socket.SHUT_WR)

    def accept():
        with contextlib.suppress(OSError):
            while True:
                client = listener.accept()[0]
                server = socket.socket(socket.AF_UNIX)
                server.connect(f"{parts['host']}/.s.PGSQL.5432")
                for ends in ((client, server), (server, client)):
                    threading.Thread(target=relay, args=ends, daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()


def _tcp_settings(store) -> dict:
    """What the kernel holds for the store's connection: its keepalives, and
    how long data may go unacknowledged (ms) before the connection is dropped."""
    with socket.socket(fileno=os.dup(store.db.connection.fileno())) as connection:
        return {"keepalive": connection.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE),
                "idle": connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE),
                "interval": connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL),
                "count": connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT),
                "unacknowledged_ms": connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT)}


def test_a_connection_to_a_host_that_goes_silent_is_given_up_in_about_a_minute(monkeypatch, tmp_path):
    """A database host that dies or is cut off without a word (packets
    dropped): the connection, idle or waiting for an answer, waited for
    TCP's own limits (two hours idle, some fifteen minutes with a statement
    sent). Its socket now asks the host every 10 s after 30 s of silence and
    gives up after a minute; an address's or service file's own values win."""
    monkeypatch.delenv("PGSERVICEFILE", raising=False)
    url = new_database()
    name = conninfo_to_dict(url)["dbname"]
    with _over_tcp(url) as port:
        store = Store.open(f"postgresql://sotong@127.0.0.1:{port}/{name}")
        assert _tcp_settings(store) == {"keepalive": 1, "idle": 30, "interval": 10, "count": 3, "unacknowledged_ms": 60000}
        store.close()
        store = Store.open(f"postgresql://sotong@127.0.0.1:{port}/{name}?keepalives_idle=120&tcp_user_timeout=5000")
        assert _tcp_settings(store) == {"keepalive": 1, "idle": 120, "interval": 10, "count": 3, "unacknowledged_ms": 5000}
        store.close()
        services = tmp_path / "pg_service.conf"
        services.write_text(f"[sotong]\nhost=127.0.0.1\nport={port}\ndbname={name}\nuser=sotong\nkeepalives_count=9\n")
        monkeypatch.setenv("PGSERVICEFILE", str(services))
        store = Store.open("postgresql://?service=sotong")
        assert _tcp_settings(store) == {"keepalive": 1, "idle": 30, "interval": 10, "count": 9, "unacknowledged_ms": 60000}
        store.close()


def test_a_user_without_the_right_to_create_tables_is_told_so_in_one_line(tmp_path):
    """A DBA's role that may connect but not create (PostgreSQL 15 lets no
    one but the owner create in the schema public)."""
    import psycopg

    url = new_database()
    with psycopg.connect(url, autocommit=True) as owner:
        owner.execute("DROP ROLE IF EXISTS sotong_reader")
        owner.execute("CREATE ROLE sotong_reader LOGIN")
        owner.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    project = copy_project(tmp_path, extra_settings=f"SOTONG_DB = {url.replace('sotong@', 'sotong_reader@')!r}")
    result = run_sotong(project, "db", "upgrade")
    assert result.code == 1 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("SOTONG_DB: the PostgreSQL database refused its user: permission denied for schema public; ")


def test_a_store_a_newer_sotong_upgraded_is_refused_and_left_untouched(tmp_path, store_location):
    store = Store.open(store_location)
    store.db.execute("INSERT INTO schema_versions (component, version) VALUES ('survey', 99)")
    project = copy_project(tmp_path, extra_settings=f"SOTONG_DB = {store_location!r}")
    result = run_sotong(project, "db", "upgrade")
    assert result.code == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        "SOTONG_DB: the store's tables of survey are at version 99, newer than this Sotong knows (version 2): "
        "a newer Sotong upgraded it; run that Sotong (or a newer one) on this store, not this one")
    assert [tuple(row) for row in store.db.execute("SELECT component, version FROM schema_versions ORDER BY 1")] == [
        ("core", 3), ("survey", 99)], "no other component upgraded meanwhile"


def test_two_processes_upgrading_an_sqlite_store_at_once_apply_each_step_once(tmp_path):
    """Both read the version, then wait for the file (another program writes,
    or the one upgrading first): the second applied the steps again
    (duplicate column name) and recorded the older version over the newer."""
    location = str(tmp_path / "sotong.db")
    Store.open(location)
    register_schema("test_race", "CREATE TABLE race (x TEXT); -- a comment; with a semicolon\n"
                                 "CREATE TABLE race_log (x TEXT DEFAULT 'a;b');\n"
                                 "CREATE TRIGGER race_logged AFTER INSERT ON race BEGIN INSERT INTO race_log (x) "
                                 "VALUES (new.x); END;",
                    "ALTER TABLE race ADD COLUMN y TEXT;")
    try:
        first, second = Store.open(location), Store.open(location)
        assert both_waiting_for_the_file(location, first.upgrade, second.upgrade, "test_race") == []
        assert Store.open(location).schema_version("test_race") == 2
        assert first.columns("race") == ["x", "y"]
        first.db.execute("INSERT INTO race (x) VALUES ('x')")  # each statement of step 1, the trigger whole
        assert [tuple(row) for row in first.db.execute("SELECT x FROM race_log")] == [("x",)]
    finally:
        store_module._SCHEMA_STEPS.pop("test_race")


def test_two_processes_opening_an_sqlite_store_older_than_a_column_add_it_once(tmp_path):
    """An older store lacks subscribers.groups: both saw it missing, then the
    second's ALTER TABLE, once the file was free, failed (duplicate column name)."""
    location = str(tmp_path / "sotong.db")
    Store.open(location).close()
    older = sqlite3.connect(location)
    older.execute("ALTER TABLE subscribers DROP COLUMN groups")
    older.close()
    assert both_waiting_for_the_file(location, Store.open, Store.open, location) == []
    assert Store.open(location).columns("subscribers")[-1] == "groups"


def both_waiting_for_the_file(location: str, first, second, argument) -> list[str]:
    """Call ``first(argument)`` and ``second(argument)`` in two threads while
    another connection writes ``location``, so that both read the store, then
    wait for the file; what they raised."""
    writer = sqlite3.connect(location, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    failed = []

    def call(function):
        try:
            function(argument)
        except Exception as exc:
            failed.append(repr(exc))

    calls = [threading.Thread(target=call, args=(function,)) for function in (first, second)]
    for thread in calls:
        thread.start()
    time.sleep(0.5)  # both have read the store and wait for the writer
    writer.execute("COMMIT")
    for thread in calls:
        thread.join(60)
    return failed


@pytest.mark.parametrize("where", ["address", "environment"])
def test_a_connect_timeout_that_is_no_number_is_one_line(tmp_path, where):
    url = f"postgresql://sotong@/nothing?host={tmp_path}" + ("&connect_timeout=abc" if where == "address" else "")
    project = copy_project(tmp_path, extra_settings=f"SOTONG_DB = {url!r}")
    result = run_sotong(project, "db", "upgrade", env={"PGCONNECT_TIMEOUT": "abc"} if where == "environment" else None)
    assert result.code == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip() == ("SOTONG_DB: bad value for connect_timeout: 'abc' (in the address, or in "
                                     "PGCONNECT_TIMEOUT); write a whole number of seconds, e.g. ?connect_timeout=30")


@pytest.mark.parametrize("address, scheme", [
    ("PostgreSQL://sotong:secret1@db.example/sotong", "PostgreSQL:"),  # as the documentation capitalizes it
    ("postgresql+psycopg://sotong@db.example/sotong", "postgresql+psycopg:"),  # SQLAlchemy's, from another program
    ("postgresql:/sotong@db.example/sotong", "postgresql:"),  # a slash short
    ("postgresql//sotong@db.example/sotong", "postgresql/"),  # the colon left out
    ("postgres:sotong@db.example/sotong", "postgres"),  # the slashes left out
])
def test_an_address_sotong_does_not_read_as_one_is_refused_not_made_a_new_empty_file(tmp_path, address, scheme):
    """It was taken for a file path: an empty SQLite store in a folder named
    after the address, and every command ran on it, sending to no one."""
    project = copy_project(tmp_path)
    result = run_sotong(project, "subscribers", "export", "out.csv", "-s", "publishconf.py",
                        env={"SOTONG_SECRET": "s" * 32, "SOTONG_DB": address})
    assert result.code == 1
    assert result.stderr.splitlines() == [
        f'publishconf.py:21: SOTONG_DB: begins with "{scheme}", as an address, but is no postgresql:// address; '
        "write postgresql://USER@HOST/NAME (in lower case, with two slashes), or a file path such as private/sotong.db"]
    assert not list(project.glob("*:")), "no folder made of the address"


@pytest.mark.parametrize("store", ["notes.txt/sotong.db", "notes.txt/stores/sotong.db"])
def test_a_store_path_through_a_file_is_one_line_naming_the_file(tmp_path, store):
    """SOTONG_DB=/etc/sotong.conf/sotong.db, a file taken for a folder: a
    traceback of pathlib's mkdir (FileExistsError, NotADirectoryError)."""
    project = copy_project(tmp_path, extra_settings=f"SOTONG_DB = {store!r}")
    (project / "notes.txt").write_text("not a folder\n")
    result = run_sotong(project, "db", "upgrade")
    assert result.code == 1 and "Traceback" not in result.stderr
    reason = "File exists" if store.count("/") == 1 else "Not a directory"
    assert result.stderr.splitlines() == [
        f"{project / store}: its folder cannot be made, as {project / 'notes.txt'} is a file ({reason}); point "
        "SOTONG_DB at a file in a folder, e.g. private/sotong.db"]


def test_a_store_path_in_the_home_folder_is_there_not_in_a_folder_named_tilde(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    project = copy_project(tmp_path, extra_settings='SOTONG_DB = "~/stores/sotong.db"')
    result = run_sotong(project, "db", "upgrade", env={"HOME": str(home)})
    assert result.code == 0, result.output
    assert (home / "stores" / "sotong.db").is_file()
    assert not (project / "~").exists(), "a new empty store made under the project"


def test_a_postgresql_address_is_named_as_written_in_a_line_about_the_store(tmp_path):
    url = new_database()
    project = copy_project(tmp_path, extra_settings=f"SOTONG_DB = {url!r}")
    result = run_sotong(project, "preview", "--subscriber", "Z9")
    assert result.code == 1
    assert result.stderr.startswith(f'{url}: no subscriber with id "Z9"; '), "not postgresql:/... as a path"


def test_a_user_the_server_does_not_know_is_told_to_check_the_user_not_the_host():
    url = new_database().replace("sotong@", "sotong_nobody@")
    with pytest.raises(SotongError) as refused:
        Store.open(url)
    assert str(refused.value) == (
        'SOTONG_DB: the PostgreSQL server has no user "sotong_nobody"; check the user name in SOTONG_DB (before the @), '
        "or ask the database's administrator to make it (CREATE ROLE)")


def _store_said(tmp_path, url: str, env: dict) -> tuple[int, str]:
    """``sotong db upgrade`` on ``url``, without the test machine's own password settings."""
    project = copy_project(tmp_path, extra_settings=f"SOTONG_DB = {url!r}")
    result = run_sotong(project, "db", "upgrade", env={"PGPASSWORD": "", "PGPASSFILE": "", **env})
    assert "Traceback" not in result.output
    return result.code, result.stderr


def test_a_password_file_others_may_read_is_one_line_saying_chmod_not_libpqs_english_warning(tmp_path):
    """A ~/.pgpass of mode 0644, which libpq ignores after an English
    "WARNING: password file ... has group or world access", and then the
    line said "no password was given; set it in ~/.pgpass": where it was."""
    url = role_with_password("staff_file", "Seongdong#2026!")
    home = tmp_path / "home"
    home.mkdir()
    (home / ".pgpass").write_text("*:*:*:staff_file:Seongdong#2026!\n")
    (home / ".pgpass").chmod(0o644)
    (tmp_path / "first").mkdir()
    code, said = _store_said(tmp_path / "first", url, {"HOME": str(home)})
    assert code == 1
    assert said.splitlines() == [
        f"SOTONG_DB: the password file {home / '.pgpass'} may be read by other users of this machine, so PostgreSQL "
        f"does not use it (and its password is exposed); make it its owner's alone: chmod 600 {home / '.pgpass'}, "
        "then run the command again"]
    (home / ".pgpass").chmod(0o600)
    (tmp_path / "then").mkdir()
    then = _store_said(tmp_path / "then", url, {"HOME": str(home)})
    assert then == (0, ""), then


def test_a_password_file_named_that_is_not_there_is_named(tmp_path):
    url = role_with_password("staff_file", "Seongdong#2026!")
    code, said = _store_said(tmp_path, url, {"PGPASSFILE": "/etc/sotong/pgpass"})
    assert code == 1
    assert said.splitlines() == [
        'SOTONG_DB: the PostgreSQL server asks for the password of user "staff_file", and the password file '
        "/etc/sotong/pgpass (PGPASSFILE or passfile=) does not exist; correct its path, or write the line "
        "HOST:PORT:DATABASE:staff_file:PASSWORD in it (chmod 600)"]


def test_a_service_or_service_file_that_is_not_there_is_named(tmp_path):
    """libpq's "definition of service ... not found" was quoted in a line
    that said to check the server, host and port."""
    services = tmp_path / "pg_service.conf"
    services.write_text("[sotong]\nhost=db.example\ndbname=sotong\n")
    (tmp_path / "name").mkdir()
    code, said = _store_said(tmp_path / "name", "postgresql:///?service=sotong_main", {"PGSERVICEFILE": str(services)})
    assert code == 1
    assert said.splitlines() == [
        'SOTONG_DB: no service "sotong_main" is in the service file (~/.pg_service.conf, or the file PGSERVICEFILE '
        "names); check the name after service= in SOTONG_DB, or add a section [sotong_main] with host, port, dbname "
        "and user to that file"]
    (tmp_path / "file").mkdir()
    code, said = _store_said(tmp_path / "file", "postgresql:///?service=sotong", {"PGSERVICEFILE": "/etc/sotong/pg_service.conf"})
    assert code == 1
    assert said.splitlines() == [
        "SOTONG_DB: the service file /etc/sotong/pg_service.conf does not exist; correct PGSERVICEFILE, or write that "
        "file (a section [NAME] with host, port, dbname and user)"]
