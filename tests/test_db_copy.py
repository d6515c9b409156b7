"""``sotong db copy TARGET`` (SPEC §15): a district's store, made by the
real commands (an import, a bundle sent into aiosmtpd, a consultation's
answer and opinion over the collector, an unsubscribe link, a changed
row), copied from SQLite to the tests' PostgreSQL, from there to a second
database on that server and to a new SQLite file; every table the
registered schemas made (read from the stores, not listed here) holds the
same rows in all four, and each copy
is a store the commands go on with: reach, the consent log's export,
opinion search, new consent changes and opinions numbered past the copied
ones. A target that holds rows, cannot be reached or refuses a row is
refused in one line naming it (not SOTONG_DB), both stores as they were (the
source not even upgraded); a new SQLite file a copy that does not complete
made is removed."""

from __future__ import annotations

import contextlib
import sqlite3
import sys
from pathlib import Path

import psycopg
import pytest
from delivery_support import ScriptedHandler, SMTPServer
from postgres_server import role_with_password
from project_support import (REPO, copy_project, in_terminal, invoke_sotong, new_store_location, project_on, run_sotong,
                             serving)
from test_serve import ONE_CLICK, request
from test_survey import call

from sotong.project import Project
from sotong.store import CORE_SCHEMA, SCHEMA_VERSIONS, Store, Subscriber, postgresql_ddl
from sotong.tokens import unsubscribe_token
from sotong.web import make_app
from survey.rules import survey_token

ISSUE = "2026-11-26"
CONSULTATION = "village-bus-2027"  # open from 2026-12-14
FAST = ('DELIVERY = {"backoff_seconds": 0.02, "backoff_max_seconds": 0.1, "timeout_seconds": 5, "max_attempts": 3, '
        '"try_later_seconds": 1}\nSEND_RATE = 2000\n')
# what each kind of record the source must hold for the copy to show anything (the copy reads its tables itself)
FILLED = ("subscribers", "consent_log", "delivery_messages", "delivery_outboxes", "delivery_notices", "survey_invitations",
          "survey_responses", "survey_answers", "survey_tokens_used", "survey_opinions", "survey_opinion_days")


def settings_of(project: Path) -> str:
    return str(project / "pelicanconf.py")


def sotong(project: Path, *args: str, env: dict | None = None):
    return invoke_sotong(project, *args, "-s", settings_of(project), env=env)


def done(result) -> str:
    assert result.code == 0, result.output
    return result.stdout


def set_in_settings(project: Path, line: str) -> None:
    """A setting written after the others (the last one counts)."""
    with open(project / "pelicanconf.py", "a", encoding="utf-8") as settings:
        settings.write(f"\n{line}\n")


def answer_consultation(project: Path, subscriber_id: str, opinion: str) -> None:
    app = make_app(Project(project / "pelicanconf.py"))
    token = survey_token(CONSULTATION, subscriber_id)
    with serving(app) as port:
        assert call(port, "POST", f"/surveys/{CONSULTATION}", {"t": token, "support": "4", "opinion": opinion})[0] == 303


def unsubscribe_by_link(project: Path, subscriber_id: str) -> None:
    app = make_app(Project(project / "pelicanconf.py"))
    with serving(app) as port:
        assert request(port, "POST", f"/u/{unsubscribe_token(subscriber_id)}", b"List-Unsubscribe=One-Click",
                       ONE_CLICK)[0] == 200


def import_changed_row(project: Path, subscriber_id: str, dong: str) -> None:
    """The sample's row of ``subscriber_id`` imported again with another dong: one consent change."""
    lines = (REPO / "sample" / "subscribers.csv").read_text(encoding="utf-8-sig").splitlines()
    row = next(line for line in lines if line.startswith(subscriber_id + ",")).split(",")
    row[6] = dong
    changed = project / "private" / f"changed-{subscriber_id}.csv"
    changed.write_text(lines[0] + "\n" + ",".join(row) + "\n", encoding="utf-8")
    done(sotong(project, "subscribers", "import", str(changed)))


@pytest.fixture(scope="module")
def district(tmp_path_factory) -> Path:
    """The sample project on SQLite as a district lives it: the sample
    subscribers imported, an issue bundled and sent into aiosmtpd, then, on
    the consultation's days, an answer with an opinion over the collector,
    an unsubscribe by the email's link and a changed row imported."""
    project = copy_project(tmp_path_factory.mktemp("district"), extra_settings=FAST)
    done(sotong(project, "subscribers", "import", str(REPO / "sample" / "subscribers.csv")))
    done(sotong(project, "bundles", "--issue", ISSUE))
    with SMTPServer(ScriptedHandler()) as server:
        done(sotong(project, "send", "--issue", ISSUE, "--host", "127.0.0.1", "--port", str(server.port)))
    set_in_settings(project, 'SOTONG_TODAY = "2026-12-15"')
    answer_consultation(project, "S000030", "마을버스 배차를 10분으로 줄여 주세요. Bus stop 앞 정류장도")
    unsubscribe_by_link(project, "S000004")
    import_changed_row(project, "S000002", "yongdap")
    return project


def record_tables(store: Store) -> list[str]:
    """The tables of the store's records as its own catalog lists them: not
    schema_versions, not SQLite's own, not an index's virtual table or its shadow tables."""
    if store.backend == "postgresql":
        names = [row[0] for row in store.db.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")]
        return sorted(name for name in names if name != "schema_versions")
    tables = store.db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall()
    virtual = [name for name, sql in tables if sql.upper().startswith("CREATE VIRTUAL TABLE")]
    return sorted(name for name, _sql in tables if name != "schema_versions" and not name.startswith("sqlite_")
                  and not any(name == index or name.startswith(index + "_") for index in virtual))


def table_columns(store: Store, table: str) -> list[str]:
    """A table's columns on SQLite (the opinions' folded text and grams
    are PostgreSQL's index), and ``rowid`` where PostgreSQL keeps it as a column."""
    sqlite = store.backend == "sqlite"
    columns = [row[1] if sqlite else row[0] for row in (
        store.db.execute(f'PRAGMA table_info("{table}")') if sqlite else store.db.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = ? ORDER BY ordinal_position", (table,)))]
    ordered = [column for column in columns if column not in ("folded", "grams", "rowid")]
    return ordered + ["rowid"] * (table in ("survey_answers", "subscriptions_consents"))


def contents(location: str) -> dict[str, list[tuple]]:
    """Every record table's rows, sorted (NULL first, as SQLite orders them)."""
    store = Store.open(location)
    try:
        found = {}
        for table in record_tables(store):
            columns = ", ".join(f'"{column}"' for column in table_columns(store, table))
            rows = [tuple(row) for row in store.db.execute(f'SELECT {columns} FROM "{table}"')]
            found[table] = sorted(rows, key=lambda row: [(value is not None, value or 0) for value in row])
        return found
    finally:
        store.close()


@pytest.fixture(scope="module")
def copies(district, tmp_path_factory) -> dict[str, str]:
    """The district's store, copied to PostgreSQL, and from there to another
    PostgreSQL database and to a new SQLite file (its project's SOTONG_DB)."""
    source = str(district / "private" / "sotong.db")
    postgresql = new_store_location("postgresql", tmp_path_factory.mktemp("postgresql"))
    to_postgresql = sotong(district, "db", "copy", postgresql)
    assert to_postgresql.code == 0, to_postgresql.output
    set_in_settings(district, f"SOTONG_DB = {postgresql!r}")
    postgresql_again = new_store_location("postgresql", tmp_path_factory.mktemp("postgresql_again"))
    done(sotong(district, "db", "copy", postgresql_again))
    back = str(tmp_path_factory.mktemp("back") / "sotong.db")
    to_sqlite = sotong(district, "db", "copy", back)
    assert to_sqlite.code == 0, to_sqlite.output
    return {"source": source, "postgresql": postgresql, "postgresql_again": postgresql_again, "sqlite": back,
            "said": to_postgresql.stdout}


def test_every_table_holds_the_same_rows_after_the_copy_to_postgresql_and_back(copies):
    source = contents(copies["source"])
    assert [table for table in FILLED if not source[table]] == []
    for copy in ("postgresql", "postgresql_again", "sqlite"):
        copied = contents(copies[copy])
        assert sorted(copied) == sorted(source), copy
        for table, rows in source.items():
            assert copied[table] == rows, f"{copy}: {table}"


def test_the_consent_log_is_copied_as_it_is_and_gets_no_row_of_its_own(copies):
    logs = {copy: contents(copies[copy])["consent_log"] for copy in ("source", "postgresql", "postgresql_again", "sqlite")}
    assert {"unsubscribe-link", "csv-import"} <= {row[3] for row in logs["source"]}
    assert logs["postgresql"] == logs["postgresql_again"] == logs["source"] == logs["sqlite"]  # ids, times, sources


def test_the_copy_says_each_tables_rows(copies):
    said = dict(line.split(": ") for line in copies["said"].splitlines()[:-1])
    source = contents(copies["source"])
    assert said == {table: f"{len(rows):,}" for table, rows in source.items()}
    assert copies["said"].splitlines()[-1].startswith(f"Copied {sum(map(len, source.values())):,} rows of {len(source)} tables")


def project_on_store(folder: Path, location: str) -> Path:
    """A copy of the sample project, on the consultation's days, whose SOTONG_DB is ``location``."""
    folder.mkdir()
    return copy_project(folder, extra_settings=f'SOTONG_TODAY = "2026-12-15"\nSOTONG_DB = {location!r}')


@pytest.mark.parametrize("copy", ["postgresql", "postgresql_again", "sqlite"])
def test_the_commands_go_on_with_the_copy(copies, copy, tmp_path):
    on_source, on_copy = (project_on_store(tmp_path / name, copies[name]) for name in ("source", copy))
    assert done(sotong(on_copy, "reach", "--issue", "2026-12-24")) == done(sotong(on_source, "reach", "--issue", "2026-12-24"))
    for project in (on_source, on_copy):
        done(sotong(project, "subscribers", "changes", "--since", "2000-01-01", str(project / "private" / "changes.csv")))
    assert (on_copy / "private" / "changes.csv").read_bytes() == (on_source / "private" / "changes.csv").read_bytes()
    for text in ("배차", "배차를", "bus STOP", "정류장도", "버"):  # the grams index, the trigram index, case folded
        found = done(sotong(on_copy, "opinions", "search", text))
        assert "S000030" in found and found == done(sotong(on_source, "opinions", "search", text)), text
    before = contents(copies[copy])
    import_changed_row(on_copy, "S000003", "majang")  # a consent change, numbered past the copied log
    answer_consultation(on_copy, "S000045", "정류장 위치를 시장 앞으로")  # an opinion, numbered past the copied ones
    after = contents(copies[copy])
    logged = [row for row in after["consent_log"] if row not in before["consent_log"]]
    assert [(row[1], row[3]) for row in logged] == [("S000003", "csv-import")]
    assert logged[0][0] == max(row[0] for row in before["consent_log"]) + 1
    opinions = [row for row in after["survey_opinions"] if row not in before["survey_opinions"]]
    assert [row[0] for row in opinions] == [max(row[0] for row in before["survey_opinions"]) + 1]
    assert "S000045" in done(sotong(on_copy, "opinions", "search", "시장"))


@pytest.fixture
def small(tmp_path) -> Path:
    """A project whose SQLite store holds the sample subscribers."""
    (tmp_path / "small").mkdir()
    project = copy_project(tmp_path / "small")
    done(sotong(project, "subscribers", "import", str(REPO / "sample" / "subscribers.csv")))
    return project


def source_schema(project: Path) -> tuple[list, list]:
    """The project's SQLite store's tables and indexes, and its schema versions (what an upgrade changes)."""
    with sqlite3.connect(project / "private" / "sotong.db") as db:
        return (db.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall(),
                db.execute("SELECT * FROM schema_versions ORDER BY component").fetchall())


def found_schema(location: str) -> list[tuple]:
    """The target's tables, views, indexes, sequences and functions as its
    own catalog lists them, read without Sotong (whose Store.open would make core's tables)."""
    if location.startswith("postgresql://"):
        with psycopg.connect(location) as db:
            return sorted(db.execute(
                "SELECT relkind::text, relname::text FROM pg_class WHERE relnamespace = 'public'::regnamespace "
                "UNION ALL SELECT 'function', proname::text FROM pg_proc WHERE pronamespace = 'public'::regnamespace"))
    with contextlib.closing(sqlite3.connect(location)) as db:
        return db.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()


def without_store_file(path: Path) -> bool:
    """Whether neither the SQLite file ``path`` nor what SQLite keeps beside it is there."""
    return not any(Path(f"{path}{beside}").exists() for beside in ("", "-wal", "-shm", "-journal"))


def source_records(project: Path) -> dict[str, list]:
    """The project's SQLite store's rows, by table, the empty tables left out
    (the copy brings the source to the current versions: its plugins' tables made)."""
    return {table: rows for table, rows in contents(str(project / "private" / "sotong.db")).items() if rows}


def test_a_target_holding_rows_is_refused_and_both_stores_stay_as_they_were(small, tmp_path):
    target = new_store_location("postgresql", tmp_path)
    store = Store.open(target)
    store.put_subscriber(Subscriber(id="X1", email="x@example.com"))
    store.close()
    source_before, target_before, schema_before = source_records(small), contents(target), source_schema(small)
    refused = sotong(small, "db", "copy", target)
    assert source_schema(small) == schema_before  # the target refused before the source was upgraded
    assert refused.code == 1 and refused.stdout == ""
    assert refused.stderr.count("\n") == 1 and "consent_log, subscribers" in refused.stderr and "Traceback" not in refused.stderr
    in_korean = sotong(small, "db", "copy", target, env={"SOTONG_LANG": "ko"})
    assert in_korean.code == 1 and in_korean.stderr == (
        f"복사할 곳 {target}: 비어 있지 않습니다. 표 consent_log, subscribers에 행이 있습니다. 그 안의 것이 섞이거나 "
        "없어지지 않도록 새 저장소(아직 없는 파일, 또는 createdb로 만든 새 PostgreSQL 데이터베이스)에 복사하세요\n")
    assert source_records(small) == source_before and contents(target) == target_before


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_target_holding_rows_is_refused_before_anything_is_made_or_upgraded_in_it(small, tmp_path, backend):
    """Neither a store of an older Sotong (its subscribers without the
    groups column, which opening it adds) nor a database of another
    program gets a table or a column of Sotong's before it is refused: a
    SQLite file is the same bytes after, a PostgreSQL database the same schema."""
    target = new_store_location(backend, tmp_path)
    if backend == "sqlite":
        older = Store.open(target)
        older.put_subscriber(Subscriber(id="X1", email="x@example.com"))
        older.close()
        with contextlib.closing(sqlite3.connect(target)) as db:
            db.execute("ALTER TABLE subscribers DROP COLUMN groups")
    other = tmp_path / "other.db" if backend == "sqlite" else new_store_location(backend, tmp_path)
    with (contextlib.closing(sqlite3.connect(other)) if backend == "sqlite" else psycopg.connect(other)) as db:
        db.execute("CREATE TABLE notes (line TEXT)")
        db.execute("INSERT INTO notes VALUES ('a note')")
        db.commit()
    for location, holding in ([(target, "consent_log, subscribers")] if backend == "sqlite" else []) + [(str(other), "notes")]:
        before = found_schema(location), backend == "sqlite" and Path(location).read_bytes()
        refused = sotong(small, "db", "copy", location)
        assert refused.code == 1 and f"its tables {holding} hold rows" in refused.stderr, refused.output
        assert (found_schema(location), backend == "sqlite" and Path(location).read_bytes()) == before
        assert not Path(f"{location}-wal").exists()


def test_an_unreachable_or_refusing_target_is_one_line_naming_it_and_changes_nothing(small, tmp_path):
    before, schema_before = source_records(small), source_schema(small)
    password_role = role_with_password("copier", "right")
    no_database = new_store_location("postgresql", tmp_path).replace("/t_", "/no_such_")
    not_sqlite = tmp_path / "notes.txt"
    not_sqlite.write_text("not a store\n" * 100, encoding="utf-8")
    for target, env, said in (
            ("postgresql://sotong@127.0.0.1:1/nowhere?connect_timeout=3", None,
             "no PostgreSQL server answers at 127.0.0.1:1; check that the server runs and that the host and port in TARGET"),
            (password_role, {"PGPASSWORD": "wrong"}, 'did not accept the password of user "copier"; check the password in '
                                                     "PGPASSWORD, ~/.pgpass or the service file (never write it in TARGET)"),
            (no_database, None, "check the name at the end of TARGET, or ask"),
            ("postgresql://sotong:secret@127.0.0.1:1/x", None, "holds a password"),
            ("mysql://office:secret@db/sotong", None, 'begins with "mysql:", as an address'),
            (str(not_sqlite), None, "is not an SQLite database, or is damaged (file is not a database); check the file TARGET names"),
            (str(small / "pelicanconf.py" / "sotong.db"), None,
             "as " + str(small / "pelicanconf.py") + " is a file (File exists); point TARGET at a file in a folder")):
        refused = sotong(small, "db", "copy", target, env=env)
        assert refused.code == 1, refused.output
        assert refused.stderr.count("\n") == 1 and said in refused.stderr, refused.stderr
        assert refused.stderr.startswith(f"the copy's target {target.replace(':secret@', ':***@')}: "), refused.stderr
        assert "SOTONG_DB" not in refused.stderr and "secret" not in refused.stderr, refused.stderr
    assert source_records(small) == before and source_schema(small) == schema_before
    assert not_sqlite.read_text(encoding="utf-8") == "not a store\n" * 100
    in_korean = sotong(small, "db", "copy", "postgresql://sotong@127.0.0.1:1/nowhere?connect_timeout=3",
                       env={"SOTONG_LANG": "ko"})
    assert in_korean.stderr == (
        "복사할 곳 postgresql://sotong@127.0.0.1:1/nowhere?connect_timeout=3: 127.0.0.1:1에서 응답하는 PostgreSQL 서버가 "
        "없습니다. 서버가 실행 중인지, TARGET의 호스트와 포트가 맞는지 확인하고 명령을 다시 실행하세요\n")


def test_a_source_from_a_newer_sotong_is_refused_and_the_new_target_file_removed(small, tmp_path):
    with sqlite3.connect(small / "private" / "sotong.db") as db:
        db.execute("UPDATE schema_versions SET version = 99 WHERE component = 'core'")
    refused = sotong(small, "db", "copy", str(tmp_path / "new.db"))
    assert refused.code == 1 and "newer than this Sotong knows" in refused.stderr and refused.stderr.count("\n") == 1
    assert refused.stderr.startswith("SOTONG_DB: ")  # the source's line
    assert without_store_file(tmp_path / "new.db")
    existing = tmp_path / "existing.db"  # an empty store made before: left as it was
    Store.open(existing).close()
    made_before = contents(str(existing))
    refused_again = sotong(small, "db", "copy", str(existing))
    assert refused_again.code == 1 and existing.is_file() and contents(str(existing)) == made_before


def test_a_row_the_target_cannot_hold_leaves_the_target_as_it_was(small, tmp_path):
    store = Store.open(small / "private" / "sotong.db")
    store.put_subscriber(Subscriber(id="S999999", name="김\x00영", email="nul@example.com"))  # PostgreSQL's text holds no NUL
    store.close()
    target = new_store_location("postgresql", tmp_path)
    refused = sotong(small, "db", "copy", target)
    assert refused.code == 1 and refused.stderr.count("\n") == 1 and "table subscribers" in refused.stderr, refused.output
    assert found_schema(target) == []  # upgraded for the copy, then every table and function it made dropped
    assert done(sotong(small, "db", "copy", str(tmp_path / "to.db")))  # SQLite holds it: copied whole


def test_in_a_terminal_the_copy_shows_its_progress(small, tmp_path):
    shown = in_terminal("db", "copy", str(tmp_path / "copy.db"), "-s", settings_of(small))
    assert b"Copying the store" in shown and b"600/600" in shown


def copy_stopped_at_the_second_table(project: Path, target: str):
    """``sotong db copy TARGET`` stopped (Ctrl+C) once the first table's rows are written."""
    tables_begun = []

    def stop_at_the_second_table(frame, event, arg):
        if event == "call" and frame.f_code.co_name == "_write" and frame.f_code.co_filename.endswith("store_copy.py"):
            tables_begun.append(frame.f_locals["table"].name)
            if len(tables_begun) == 2:
                sys.settrace(None)
                raise KeyboardInterrupt

    sys.settrace(stop_at_the_second_table)
    try:
        stopped = sotong(project, "db", "copy", target)
    finally:
        sys.settrace(None)
    assert len(tables_begun) == 2, stopped.output
    return stopped


@pytest.mark.parametrize("backend", ["sqlite", "sqlite_there", "postgresql"])
def test_a_copy_stopped_halfway_leaves_the_target_as_it_was_and_a_new_run_copies_all(small, tmp_path, backend):
    target = new_store_location(backend.removesuffix("_there"), tmp_path)
    if backend == "sqlite_there":  # a file made before, holding an empty table of its own: kept as it was
        with contextlib.closing(sqlite3.connect(target)) as db:
            db.execute("CREATE TABLE notes (line TEXT)")
    before = [] if backend == "sqlite" else found_schema(target)
    stopped = copy_stopped_at_the_second_table(small, target)
    assert stopped.code == 130 and "Nothing was copied" in stopped.stderr, stopped.output
    if backend == "sqlite":  # the command made the file: removed, so that nothing looks like a store
        assert without_store_file(Path(target))
    else:  # the copy's transaction rolled back: what it made is gone
        assert found_schema(target) == before
    done(sotong(small, "db", "copy", target))
    if backend.startswith("sqlite"):  # in WAL mode once the copy committed (no transaction can change it)
        with contextlib.closing(sqlite3.connect(target)) as db:
            assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert {table: rows for table, rows in contents(target).items() if rows} == source_records(small)


def test_what_is_written_while_the_copy_runs_is_not_in_it(store_location, tmp_path):
    """The copy is the store as it was when it began (SQLite's read
    transaction, PostgreSQL's REPEATABLE READ): a sign-up written meanwhile
    stays in the store alone, and the counts still agree."""
    project = project_on(store_location, tmp_path)
    done(sotong(project, "subscribers", "import", str(REPO / "sample" / "subscribers.csv")))
    target = new_store_location("postgresql" if store_location.endswith(".db") else "sqlite", tmp_path / "target")
    before = contents(store_location)
    tables_begun = []

    def write_at_the_second_table(frame, event, arg):
        if event == "call" and frame.f_code.co_name == "_write" and frame.f_code.co_filename.endswith("store_copy.py"):
            tables_begun.append(frame.f_locals["table"].name)
            if len(tables_begun) == 2:
                sys.settrace(None)
                meanwhile = Store.open(store_location)
                meanwhile.put_subscriber(Subscriber(id="S900000", email="late@example.com", channels=frozenset({"email"})))
                meanwhile.close()

    sys.settrace(write_at_the_second_table)
    try:
        copied = sotong(project, "db", "copy", target)
    finally:
        sys.settrace(None)
    assert copied.code == 0 and len(tables_begun) == 2, copied.output
    after = contents(store_location)
    assert "S900000" in {row[0] for row in after["subscribers"]}
    assert {table: rows for table, rows in contents(target).items() if rows} == {
        table: rows for table, rows in before.items() if rows}


def test_a_table_the_settings_plugins_do_not_make_is_refused_not_left_behind(small, tmp_path):
    done(sotong(small, "db", "upgrade"))  # the survey's tables among them
    with sqlite3.connect(small / "private" / "sotong.db") as db:
        db.execute("INSERT INTO survey_closes (slug, closes) VALUES ('budget-vote-2027', '2026-12-31')")
    answer_free = small / "without_survey.py"
    answer_free.write_text("import os, sys\nsys.path.append(os.path.dirname(os.path.abspath(__file__)))\n"
                           "from pelicanconf import *\nPLUGINS = [p for p in PLUGINS if p != 'survey']\n", encoding="utf-8")
    refused = run_sotong(small, "db", "copy", str(tmp_path / "copy.db"), "-s", str(answer_free))  # the survey not registered
    assert refused.code == 1 and refused.stderr.count("\n") == 1, refused.output
    assert "has no table survey_closes," in refused.stderr and "add that plugin to PLUGINS" in refused.stderr
    with sqlite3.connect(small / "private" / "sotong.db") as db:
        db.execute("DELETE FROM survey_closes")
    done(run_sotong(small, "db", "copy", str(tmp_path / "copy.db"), "-s", str(answer_free)))  # its tables empty: nothing lost


def test_a_full_disk_under_the_target_is_said_of_the_target_and_its_new_file_removed(small, tmp_path):
    """The target's file stops growing while its rows are written (SQLite's
    max_page_count: what a full disk says): the line names the target, not
    SOTONG_DB, and the file the command made is gone; the source is as it was."""
    target = tmp_path / "full.db"
    before = source_records(small)

    def fill_the_disk_at_the_second_table(frame, event, arg):
        if event == "call" and frame.f_code.co_name == "_write" and frame.f_code.co_filename.endswith("store_copy.py") \
                and frame.f_locals["table"].name == "subscribers":
            sys.settrace(None)
            store = frame.f_locals["target"]
            store.db.execute(f"PRAGMA max_page_count = {store.db.execute('PRAGMA page_count').fetchone()[0]}")

    sys.settrace(fill_the_disk_at_the_second_table)
    try:
        refused = sotong(small, "db", "copy", str(target))
    finally:
        sys.settrace(None)
    assert refused.code == 1 and refused.stderr == (
        f"the copy's target {target}: cannot be written (database or disk is full); make room on its disk and run the "
        "command again\n")
    assert without_store_file(target) and source_records(small) == before


def older_empty_store(backend: str, folder: Path) -> str:
    """An empty store of an older Sotong: core's tables at version 1 (the
    consent log one row per changed column, with its index by subscriber;
    on SQLite the subscribers without the groups column), nothing else."""
    location = new_store_location(backend, folder)
    script = SCHEMA_VERSIONS + CORE_SCHEMA + "INSERT INTO schema_versions VALUES ('core', 1);"
    if backend == "sqlite":
        with contextlib.closing(sqlite3.connect(location)) as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(script + "ALTER TABLE subscribers DROP COLUMN groups;")
    else:
        with psycopg.connect(location) as db:
            db.execute(postgresql_ddl(script))
    return location


def schema_and_versions(location: str) -> tuple:
    """The target's catalog (found_schema), each table's columns and its schema versions, read without Sotong."""
    sql = "SELECT * FROM schema_versions ORDER BY component"
    if location.startswith("postgresql://"):
        with psycopg.connect(location) as db:
            columns = db.execute("SELECT table_name::text, column_name::text, data_type::text FROM information_schema.columns "
                                 "WHERE table_schema = 'public' ORDER BY 1, 2").fetchall()
            return found_schema(location), columns, db.execute(sql).fetchall()
    with contextlib.closing(sqlite3.connect(location)) as db:
        return found_schema(location), db.execute(sql).fetchall()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_failed_copy_into_an_empty_store_of_an_older_sotong_leaves_its_tables_at_their_version(small, tmp_path, backend):
    """The target's upgrade and the copy are one transaction: a copy
    refused halfway (a row PostgreSQL cannot hold) or stopped (Ctrl+C)
    leaves an empty store of an older Sotong as it was, its core tables
    not upgraded (a SQLite file the same bytes); the same command then copies all."""
    target = older_empty_store(backend, tmp_path)
    before = schema_and_versions(target), backend == "sqlite" and Path(target).read_bytes()
    if backend == "postgresql":
        store = Store.open(small / "private" / "sotong.db")
        store.put_subscriber(Subscriber(id="S999999", name="김\x00영", email="nul@example.com"))
        store.close()
        refused = sotong(small, "db", "copy", target)
        assert refused.code == 1 and "table subscribers" in refused.stderr, refused.output
        assert (schema_and_versions(target), False) == before
        with sqlite3.connect(small / "private" / "sotong.db") as db:
            db.execute("DELETE FROM subscribers WHERE id = 'S999999'")
    stopped = copy_stopped_at_the_second_table(small, target)
    assert stopped.code == 130, stopped.output
    assert (schema_and_versions(target), backend == "sqlite" and Path(target).read_bytes()) == before
    assert not Path(f"{target}-wal").exists()
    done(sotong(small, "db", "copy", target))
    assert {table: rows for table, rows in contents(target).items() if rows} == source_records(small)


def test_a_target_server_gone_halfway_is_said_of_the_target_and_leaves_it_as_it_was(small, tmp_path):
    """The target's connection ends while the rows are written (a restart,
    a failover: its backend terminated): the line names the target, not
    SOTONG_DB, and its database is as it was found (the server rolled the
    copy's transaction back), so the same command copies all."""
    target = new_store_location("postgresql", tmp_path)

    def end_the_targets_connection_at_the_second_table(frame, event, arg):
        if event == "call" and frame.f_code.co_name == "_write" and frame.f_code.co_filename.endswith("store_copy.py") \
                and frame.f_locals["table"].name == "subscribers":
            sys.settrace(None)
            with psycopg.connect(target, autocommit=True) as other:
                other.execute("SELECT pg_terminate_backend(%s)", (frame.f_locals["target"].db.connection.info.backend_pid,))

    sys.settrace(end_the_targets_connection_at_the_second_table)
    try:
        gone = sotong(small, "db", "copy", target)
    finally:
        sys.settrace(None)
    assert gone.code == 1 and gone.stderr == (
        f"the copy's target {target}: the PostgreSQL database stopped answering (stopped or restarting); run the "
        "command again once it answers\n"), gone.output
    assert found_schema(target) == []
    done(sotong(small, "db", "copy", target))
