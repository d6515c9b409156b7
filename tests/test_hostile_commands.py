"""Broken or hostile input to the commands, as a non-programmer or an
attacker writes it: each gives one ``FILE:LINE: message`` line (or click's
own for the command line), exit 1 (2 for the command line), never a
traceback. Found by a sweep of every command; each test fails without its fix."""

from __future__ import annotations

import socket

import pytest


def test_a_page_that_is_not_utf8_is_one_line(project_dir, cli):
    (project_dir / "content" / "pages" / "about.md").write_bytes("---\ntitle: 소개\n---\n".encode("cp949"))
    result = cli(project_dir, "check")
    assert result.code == 1
    assert result.stderr.splitlines() == ["content/pages/about.md:2: the file is not UTF-8 text; save it again with the encoding UTF-8 (in Notepad: Save As, Encoding: UTF-8)"]


@pytest.mark.parametrize("args", [
    ("newsletter", "next", "--after", "9999-12-31"),
    ("newsletter", "list", "--from", "0001-01-01"),
    ("reach", "--issue", "9999-12-31"),
    ("bundles", "--issue", "9999-12-31"),
])
def test_a_day_outside_the_years_of_notices_is_a_command_line_error(project_dir, cli, args):
    """The schedule counts issues around the day given: datetime's range ends at years 1 and 9999."""
    result = cli(project_dir, *args)
    assert result.code == 2
    assert result.stderr.splitlines()[-1] == (
        f'Error: {args[-2]} "{args[-1]}" is in the year {int(args[-1][:4])}; days lie in 2000-2099, check the year')


@pytest.mark.parametrize("line, message", [
    ("SOTONG_DB = 5", 'SOTONG_DB: is 5; write a path, e.g. SOTONG_DB = "private/sotong.db"'),
    ('AUDIENCES_PATH = ["audiences.yaml"]',
     "AUDIENCES_PATH: is ['audiences.yaml']; write a path, e.g. AUDIENCES_PATH = \"audiences.yaml\""),
    ("PRIVATE_PATH = None", 'PRIVATE_PATH: is None; write a path, e.g. PRIVATE_PATH = "private"'),
    ('SOTONG_TODAY = "2026-02-30"', "SOTONG_TODAY: is '2026-02-30'; write a day as \"YYYY-MM-DD\", e.g. "
                                    'SOTONG_TODAY = "2026-11-26", or leave it out for today in Seoul'),
    ("SOTONG_TODAY = 20261126", 'SOTONG_TODAY: is 20261126; write a day as "YYYY-MM-DD", e.g. '
                                'SOTONG_TODAY = "2026-11-26", or leave it out for today in Seoul'),
    ("PLUGINS = 5", 'PLUGINS: is 5; write a list of plugin names, e.g. PLUGINS = ["sotong.pelican_plugin", "newsletter"]'),
])
@pytest.mark.parametrize("command", [("check",), ("newsletter", "next")])
def test_a_shared_setting_of_the_wrong_type_is_one_line_at_its_assignment(project_dir, cli, line, message, command):
    settings = project_dir / "pelicanconf.py"
    settings.write_text(settings.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")
    assigned = len(settings.read_text(encoding="utf-8").splitlines())
    result = cli(project_dir, *command)
    assert result.code == 1
    assert result.stderr.splitlines() == [f"pelicanconf.py:{assigned}: {message}"]


def test_audiences_path_at_a_folder_is_one_line(project_dir, cli):
    settings = project_dir / "pelicanconf.py"
    settings.write_text(settings.read_text(encoding="utf-8") + 'AUDIENCES_PATH = "content"\n', encoding="utf-8")
    result = cli(project_dir, "check")
    assert result.code == 1
    assert result.stderr.splitlines() == [
        "content:1: cannot read the file (Is a directory); point AUDIENCES_PATH in the settings at audiences.yaml"]


@pytest.mark.parametrize("store, message", [
    ("private/words.db", "{project}/private/words.db: is not an SQLite database, or is damaged (file is not a database); "
                         "check the file SOTONG_DB names, or put the store back from a backup"),
    ("content", "{project}/content: cannot be opened for writing (unable to open database file); check that it is a "
                "file in a folder this user may write (SOTONG_DB names the store)"),
    ("postgresql://sotong@db host/sotong", 'SOTONG_DB: the database address cannot be read (unexpected spaces found in '
     '"db host", use percent-encoded spaces (%20) instead); write it as postgresql://USER@HOST/NAME or '
     "postgresql:///NAME?host=/run/postgresql"),
])
def test_a_store_that_cannot_be_opened_is_one_line(project_dir, cli, store, message):
    (project_dir / "private").mkdir(exist_ok=True)
    (project_dir / "private" / "words.db").write_text("이것은 데이터베이스가 아닙니다\n" * 100, encoding="utf-8")
    settings = project_dir / "pelicanconf.py"
    settings.write_text(settings.read_text(encoding="utf-8") + f'SOTONG_DB = "{store}"\n', encoding="utf-8")
    for command in (("subscribers", "export", "out.csv"), ("reach",), ("db", "upgrade")):
        result = cli(project_dir, *command)
        assert result.code == 1
        assert result.stderr.splitlines() == [message.format(project=project_dir)]


def test_a_full_disk_under_the_store_is_one_line_and_loses_nothing(project_dir, sotong):
    """The store cannot grow (no file past 900 kB; the import's working copy
    of 3,000 rows, about 600 kB, fits): one line, exit 1, nothing imported; with room, all of it."""
    assert sotong(project_dir, "subscribers", "generate", "--count", "3000", "pop.csv").code == 0
    result = sotong(project_dir, "subscribers", "import", "pop.csv", file_size_limit=900_000)
    assert result.code == 1 and "Traceback" not in result.output, result.output
    assert result.stderr.splitlines() == [
        "a database file of Sotong (the store SOTONG_DB, a cache or a working file): cannot be written (disk I/O error); "
        "make room on its disk and run the command again"]
    result = sotong(project_dir, "subscribers", "import", "pop.csv")
    assert result.stdout.strip() == "pop.csv: 3,000 added, 0 updated, 0 unchanged, 0 rejected."


def test_only_the_engines_answers_about_where_they_run_become_one_line():
    """sotong.store.engine_trouble: a server gone or a lock held is said in
    one line; an SQL mistake (Sotong's own) keeps its traceback."""
    import sqlite3

    import psycopg

    from sotong.store import engine_trouble

    for lost in (psycopg.OperationalError("server closed the connection unexpectedly\n\tThis probably means"),
                 psycopg.errors.AdminShutdown("terminating connection due to administrator command")):
        gone = engine_trouble(lost)  # a restart, a failover: said in the staff's words, not the server's
        assert [str(problem) for problem in gone.problems] == [
            "SOTONG_DB: the PostgreSQL database stopped answering (stopped or restarting); run the command again "
            "once it answers"]
    silent = engine_trouble(psycopg.OperationalError(  # its host gone silent: the keepalives gave up after a minute
        "consuming input failed: could not receive data from server: Connection timed out"))
    assert [str(problem) for problem in silent.problems] == [
        "SOTONG_DB: the PostgreSQL database stopped answering: nothing came back from its machine (it is down, or "
        "the network to it is cut); check that machine and the network to it, then run the command again"]
    timed_out = engine_trouble(psycopg.errors.QueryCanceled("canceling statement due to statement timeout"))
    assert [str(problem) for problem in timed_out.problems] == [
        "SOTONG_DB: the PostgreSQL database stopped answering: canceling statement due to statement timeout; "
        "run the command again once it answers"]
    held = sqlite3.OperationalError("database is locked")
    held.sqlite_errorcode = sqlite3.SQLITE_BUSY
    assert str(engine_trouble(held, "private/sotong.db").problems[0]).startswith(
        "private/sotong.db: another program holds it (database is locked); wait until")
    with sqlite3.connect(":memory:") as connection:
        try:
            connection.execute("SELECT * FROM no_such_table")
        except sqlite3.OperationalError as mistake:
            assert engine_trouble(mistake) is None
    assert engine_trouble(ValueError("year 10000 is out of range")) is None


def test_a_file_written_where_it_cannot_be_is_one_line(project_dir, cli):
    """A CSV written under a file (as under a read-only folder): one line naming it, no traceback."""
    (project_dir / "notes.txt").write_text("메모\n", encoding="utf-8")
    assert cli(project_dir, "db", "upgrade").code == 0  # the store export reads
    for command in (("subscribers", "export", "notes.txt/out.csv"), ("subscribers", "generate", "--count", "5", "notes.txt/out.csv")):
        result = cli(project_dir, *command)
        assert result.code == 1
        assert result.stderr.splitlines() == [
            "notes.txt/out.csv: cannot write the file (File exists); write it to a folder with room that this user may "
            "write, and run the command again"]


def test_a_file_that_fills_the_disk_is_one_line_and_leaves_nothing(project_dir, sotong):
    """No file may grow past 100 kB (a full disk): one line, and neither the file nor its temporary copy is left."""
    result = sotong(project_dir, "subscribers", "generate", "--count", "5000", "pop.csv", file_size_limit=100_000)
    assert result.code == 1 and "Traceback" not in result.output, result.output
    assert result.stderr.splitlines() == [
        "pop.csv: cannot write the file (File too large); write it to a folder with room that this user may write, "
        "and run the command again"]
    assert not [path for path in project_dir.iterdir() if "pop.csv" in path.name]


def test_a_build_on_a_full_disk_is_one_line_and_leaves_output_as_it_was(project_dir, sotong):
    """No file may grow past 20 kB: the build's caches cannot be written; one line, exit 1, no output/ made."""
    result = sotong(project_dir, "build", file_size_limit=20_000)
    assert result.code == 1 and "Traceback" not in result.output, result.output
    assert len(result.stderr.splitlines()) == 1 and "make room on its disk" in result.stderr
    assert not (project_dir / "output").exists()


def test_the_machines_file_errors_become_one_line_naming_the_file():
    """problems.file_system_trouble: a read-only or full disk, a folder this user
    may not write; other OSErrors (a mistake of Sotong's) keep their traceback."""
    import errno

    from sotong.problems import file_system_trouble

    read_only = OSError(errno.EROFS, "Read-only file system", "/srv/www/.output-a")
    assert [str(problem) for problem in file_system_trouble(read_only).problems] == [  # room it has: no "make room"
        "/srv/www/.output-a: Read-only file system; the disk it is on is mounted read-only: have it mounted for "
        "writing (or point the setting at a folder on a disk that is), and run the command again"]
    for full in (OSError(errno.ENOSPC, "No space left on device"), OSError(errno.EDQUOT, "Disk quota exceeded")):
        assert str(file_system_trouble(full).problems[0]) == (
            f"a file Sotong writes: {full.strerror}; make room on its disk, and run the command again")
    denied = PermissionError(errno.EACCES, "Permission denied", "output")
    assert str(file_system_trouble(denied).problems[0]) == (
        "output: Permission denied; make its folder writable for this user, and run the command again")
    assert file_system_trouble(FileNotFoundError(errno.ENOENT, "No such file or directory", "x")) is None
    assert file_system_trouble(ValueError("no")) is None


def test_a_huge_count_of_synthetic_subscribers_is_a_command_line_error(project_dir, sotong):
    """10**20 rows would fill memory and run out of phone numbers (the command never ended)."""
    result = sotong(project_dir, "subscribers", "generate", "--count", str(10 ** 20), "pop.csv", timeout=60)
    assert result.code == 2
    assert result.stderr.splitlines()[-1] == (
        f'Error: --count "{10 ** 20}" will not do; write a whole number from 0 to 10,000,000, e.g. --count 82400')


def test_a_settings_file_that_exits_is_one_line_and_exit_1(project_dir, cli):
    """sys.exit(0) in the settings ended every command at once, with exit 0 and nothing done."""
    (project_dir / "exits.py").write_text("import sys\nSITENAME = 'x'\nsys.exit(0)\n", encoding="utf-8")
    result = cli(project_dir, "check", "-s", "exits.py")
    assert result.code == 1
    assert result.stderr.splitlines() == [
        "exits.py:1: the settings file ends the program (sys.exit(0)); a settings file only sets values: remove the call"]


def test_serve_on_a_port_another_program_listens_on_is_one_line(project_dir, cli):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = cli(project_dir, "serve", "--port", str(port))
    assert result.code == 1
    assert result.stderr.splitlines() == [
        f"127.0.0.1:{port}: cannot listen there (Address already in use); stop the program that listens there "
        "(another sotong serve?) or choose another with --host and --port"]


def test_serve_on_a_store_a_newer_sotong_upgraded_is_refused_before_it_listens(project_dir, cli):
    """A plugin's tables at a version newer than this Sotong knows (a
    rollback to an older Sotong after an upgrade): the collector served,
    /healthz answered 200, and each survey answer or click failed with 500;
    now it does not start, one line saying why (the port, taken, is never reached)."""
    from sotong.store import Store

    store = Store.open(project_dir / "private" / "sotong.db")
    with store.transaction():
        store.db.execute("INSERT INTO schema_versions (component, version) VALUES ('survey', 99)")
    store.close()
    with socket.create_server(("127.0.0.1", 0)) as taken:
        result = cli(project_dir, "serve", "--port", str(taken.getsockname()[1]))
    assert result.code == 1 and len(result.stderr.splitlines()) == 1, result.output
    assert result.stderr.startswith("SOTONG_DB: the store's tables of survey are at version 99, newer than this "
                                    "Sotong knows"), result.stderr


@pytest.mark.parametrize("mail_from", ["성동구청\\r\\nBcc: spy@evil.example <sotong@sd.go.kr>",
                                       "성동구청 <sotong@sd.go.kr>, spy@evil.example"])
def test_a_mail_from_of_more_than_one_address_or_line_is_refused_at_its_assignment(project_dir, cli, mail_from):
    """The first passed check, and every email went out From: spy@evil.example."""
    settings = project_dir / "pelicanconf.py"
    settings.write_text(settings.read_text(encoding="utf-8") + f'MAIL_FROM = "{mail_from}"\n', encoding="utf-8")
    assigned = len(settings.read_text(encoding="utf-8").splitlines())
    result = cli(project_dir, "check")
    assert result.code == 1 and result.stderr.splitlines() == [
        f"pelicanconf.py:{assigned}: MAIL_FROM: is '{mail_from}'; write a sender address, e.g. "
        'MAIL_FROM = "성동구청 홍보담당관 <sotong@sd.go.kr>"']
