"""``sotong subscribers forget ID`` beyond the store's tables (SPEC §13): the
person's numbers leave the SMS code file, their messages leave every outbox
no send has started (a started one is the delivery record), their previews
go, and no file under private/ keeps their address or phone in its bytes
(SQLite's free pages and write-ahead log included); everyone else's lines
stay as they were written."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from delivery_support import make_outbox, run_cli, store_rows
from hypothesis import given, settings, strategies as st
from interrupting import stopped_when
from project_support import copy_project, store_of
from store_pages import row_versions

from sotong.spreadsheet import without_records
from sotong.store import Store

HEADER = "id,name,email,phone,birth_year,gender,dong,fields,channels,kind,business_type,subscribed_at,unsubscribed_at\n"
KIM = "S1,김민지,kim@example.com,010-1234-5678,1950,F,yongdap,health;culture,email;sms,person,,2026-01-05,\n"
LEE = "S2,이영수,lee@example.com,010-9999-0000,1951,M,yongdap,health;culture,email;sms,person,,2026-01-05,\n"
KIM_TRACES = (b"kim@example.com", b"kim.old@example.com", b"010-1234-5678", b"01012345678", b"010-7777-8888",
              b"01077778888", "김민지".encode())


@pytest.fixture
def project(tmp_path, store_location):
    project = copy_project(tmp_path, extra_settings=f"SOTONG_DB = {store_location!r}")
    source = project / "in.csv"  # the operator's own file, outside private/
    for rows in (KIM.replace("kim@", "kim.old@").replace("010-1234-5678", "010-7777-8888") + LEE, KIM + LEE):
        source.write_text(HEADER + rows, encoding="utf-8")  # Kim's address and number changed once
        assert run_cli(project / "pelicanconf.py", "subscribers", "import", str(source)).code == 0
    return project


def sms_codes(project, *rows: tuple[str, str]) -> bytes:
    """private/subscriptions/sms-codes.csv as the collector's transport writes it."""
    from subscriptions.outgoing import SMS_CODES_FILE, FileSmsTransport

    transport = FileSmsTransport(project / "private" / SMS_CODES_FILE)
    for phone, text in rows:
        transport.send(phone, text)
    return transport.path.read_bytes()


def forget(project, subscriber_id="S1"):
    result = run_cli(project / "pelicanconf.py", "subscribers", "forget", subscriber_id)
    assert result.code == 0, result.output
    return result


def test_forget_takes_every_number_of_the_person_out_of_the_sms_code_file_and_keeps_the_others_rows(project):
    written = sms_codes(project, ("010-7777-8888", "[성동구] 인증번호 111111"), ("010-9999-0000", "[성동구] 인증번호 222222"),
                        ("01012345678", "[성동구] 인증번호 333333\n(10분 안에)"), ("010-9999-0000", '"따옴표", 444444'))
    result = forget(project)
    path = project / "private" / "subscriptions" / "sms-codes.csv"
    left = path.read_bytes()
    assert not any(trace in left for trace in KIM_TRACES)
    rows = list(csv.reader(io.StringIO(left.decode(), newline="")))
    assert [row[1:] for row in rows] == [["phone", "text"], ["010-9999-0000", "[성동구] 인증번호 222222"],
                                         ["010-9999-0000", '"따옴표", 444444']]
    lee_lines = [line for line in written.decode().splitlines(keepends=True) if "010-9999-0000" in line]
    assert left.decode().splitlines(keepends=True)[1:] == lee_lines  # the others' lines byte for byte
    assert "private/subscriptions/sms-codes.csv 2" in result.output


def test_codes_sent_while_the_file_is_rewritten_are_not_lost(tmp_path):
    """The collector appends (its own transport) while forget replaces the
    file (another one): every code sent to someone else is still there."""
    import threading

    from subscriptions.outgoing import FileSmsTransport

    path = tmp_path / "sms-codes.csv"
    collector, forgetting = FileSmsTransport(path), FileSmsTransport(path)
    collector.send("010-1234-5678", "first")

    def send_codes():
        for number in range(300):
            collector.send(f"010-9999-{number:04d}", f"[성동구] 인증번호 {number:06d}")
            if number % 50 == 0:
                collector.send("010-1234-5678", "again")

    sender = threading.Thread(target=send_codes)
    sender.start()
    while sender.is_alive():
        forgetting.forget({"01012345678"})
    sender.join()
    forgetting.forget({"01012345678"})
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    assert [row[1] for row in rows[1:]] == [f"010-9999-{number:04d}" for number in range(300)]


def test_no_file_under_private_keeps_the_persons_address_or_phone_in_its_bytes(project, store_location):
    sms_codes(project, ("010-1234-5678", "[성동구] 인증번호 333333"))
    forget(project)
    store_files = [] if store_location.startswith("postgresql") else list(Path(store_location).parent.glob("sotong.db*"))
    assert store_files or store_location.startswith("postgresql")  # SQLite: the file, its -wal and -shm if open
    for path in sorted([*(project / "private").rglob("*"), *store_files]):
        if path.is_file():
            data = path.read_bytes()
            assert not [trace for trace in KIM_TRACES if trace in data], path
    if store_files:
        assert b"lee@example.com" in Path(store_location).read_bytes()
    assert store_rows(project, "SELECT id, email FROM subscribers") == [("S2", "lee@example.com")]


def test_forget_takes_the_person_out_of_unsent_outboxes_and_leaves_a_started_one_as_it_was(project, store_location):
    outboxes = project / "private" / "outbox"
    unsent = make_outbox(outboxes, "2026-12-10", ["S1", "S2"], ["a-notice"], sms={"S1": "LMS", "S2": "SMS"})
    started = make_outbox(outboxes, "2026-11-26", ["S1", "S2"], ["a-notice"], sms={"S1": "SMS", "S2": "LMS"})
    before = {path: path.read_bytes() for path in started.rglob("*") if path.is_file()}
    from delivery import journal

    store = Store.open(store_location)
    store.ensure_schema(journal.SCHEMA)
    store.db.execute("INSERT INTO delivery_messages (outbox, kind, subscriber_id, channel, type, notices, state, "
                     "queued_at, updated_at) VALUES ('2026-11-26', 'issue', 'S1', 'email', 'EMAIL', '[]', 'sent', 'x', 'x')")
    store.close()
    result = forget(project)
    assert "unsent outboxes' messages 2" in result.output
    manifest = [json.loads(line) for line in (unsent / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(line["id"], line["channel"]) for line in manifest] == [("S2", "email"), ("S2", "sms")]
    assert [row["id"] for row in csv.DictReader((unsent / "sms.csv").open(encoding="utf-8"))] == ["S2"]
    assert sorted(path.name for path in (unsent / "email").iterdir()) == ["S2.eml"]
    assert {path: path.read_bytes() for path in started.rglob("*") if path.is_file()} == before
    dry_run = run_cli(project / "pelicanconf.py", "send", "--issue", "2026-12-10", "--dry-run")
    assert "sms.csv" not in dry_run.output and "manifest" not in dry_run.output, dry_run.output  # still a valid outbox


def test_forget_stopped_once_the_manifest_no_longer_names_the_person_removes_their_email_when_run_again(tmp_path):
    """A stop (Ctrl+C, or SIGTERM, taken as it) once an unsent outbox's
    manifest no longer named the person, before their email file was
    removed: run again, forget found nothing of theirs (it finds the files
    by the manifest), and the email, their address in it, stayed. The
    files now go before the manifest's lines."""
    from delivery.forget import drop_from_outbox

    folder = make_outbox(tmp_path, "2026-12-10", ["S1", "S2"], ["a-notice"])
    manifest = folder / "manifest.jsonl"
    with stopped_when(lambda: b'"S1"' not in manifest.read_bytes()):
        drop_from_outbox(folder, "S1", None)
    drop_from_outbox(folder, "S1", None)  # the same command run again
    assert sorted(path.name for path in (folder / "email").iterdir()) == ["S2.eml"]
    assert b'"S1"' not in manifest.read_bytes()


def test_forget_removes_the_persons_previews_only(project):
    for reader in ("S1", "S2"):
        assert run_cli(project / "pelicanconf.py", "preview", "--subscriber", reader).code == 0
    previews = project / "private" / "preview"
    assert any(path.name.startswith("S1-") for path in previews.iterdir())
    forget(project)
    names = sorted(path.name for path in previews.iterdir())
    assert names and all(name.startswith("S2-") for name in names)


KIM_OPINION = "쉼터 고양이 zxqvword"  # 고양 and zxqvword are Kim's alone; 쉼터 is Lee's too
LEE_OPINION = "버스 쉼터 ok"


def record_opinions(store_location, *opinions_by_reader: tuple[str, str, str]) -> None:
    """Opinions of a consultation as the collector keeps them: (reader, text, day)."""
    from types import SimpleNamespace

    from survey import opinions, storage
    from survey.schema import Policy, Question, Survey

    survey = Survey("bus", "버스", "자치행정과", None, None, (), False, False, (Question("opinion", "text", "의견"),),
                    kind="consultation", policy=Policy("버스", "자치행정과", "요약"))
    store = opinions.ensure(storage.ensure(Store.open(store_location)))
    with store.transaction():
        for reader, text, day in opinions_by_reader:
            person = SimpleNamespace(id=reader, birth_year=1950, gender="F", dong="yongdap")
            opinions.record(store, survey, person, {"opinion": [text]}, dt.date.fromisoformat(day))
            store.db.execute("INSERT INTO survey_responses VALUES (?, ?, ?, ?)", (f"r-{reader}-{day}", f"bus-{day}", reader, day))
    store.close()


def found(store_location, text: str, **days) -> list[tuple[str, str]]:
    from survey import opinions

    store = Store.open(store_location)
    try:
        return [(row.subscriber_id, row.opinion) for row in opinions.search(store, text, **days)]
    finally:
        store.close()


def test_forget_deletes_the_persons_opinions_from_the_table_and_its_indexes_and_keeps_the_answer_counts(
        project, store_location):
    record_opinions(store_location, ("S2", LEE_OPINION, "2026-12-01"), ("S1", KIM_OPINION, "2026-12-02"))
    result = forget(project)
    assert "survey_opinions 1" in result.output.split("kept")[0], result.output  # told as deleted
    assert "survey_responses 1" in result.output.split("kept")[1], result.output  # told as kept for counts
    if not store_location.startswith("postgresql"):  # nor do the index segments keep its pieces in the file's bytes
        data = b"".join(path.read_bytes() for path in Path(store_location).parent.glob("sotong.db*"))
        assert not [piece for piece in ("qvw", "고양", "양이") if piece.encode() in data]
    record_opinions(store_location, ("S2", "주차장 넓혀", "2026-12-03"))  # SQLite gives it Kim's old rowid
    lee = ("S2", LEE_OPINION)
    for text in ("zxqvword", "고양이", "고양", "양", "z", "쉼터 고"):
        assert found(store_location, text) == [], text
    assert found(store_location, "쉼터") == [lee] and found(store_location, "쉼") == [lee]
    assert found(store_location, "주차장") == [("S2", "주차장 넓혀")]
    for days in ({"since": dt.date(2026, 12, 1)}, {"until": dt.date(2026, 12, 2)},
                 {"since": dt.date(2026, 12, 1), "until": dt.date(2026, 12, 3)}):
        assert found(store_location, "쉼터", **days) == [lee] and found(store_location, "고양", **days) == [], days
    assert found(store_location, "주차장", since=dt.date(2026, 12, 2), until=dt.date(2026, 12, 2)) == []
    assert store_rows(project, "SELECT subscriber_id, opinion FROM survey_opinions ORDER BY id") == [
        lee, ("S2", "주차장 넓혀")]
    assert store_rows(project, "SELECT count(*) FROM survey_responses WHERE subscriber_id LIKE 'forgotten-%'") == [(1,)]
    assert store_rows(project, "SELECT count(*) FROM survey_responses") == [(3,)]
    if not store_location.startswith("postgresql"):  # no row of the indexes answers Kim's words
        for index, words in (("survey_opinions_text", ('"zxqvword"', '"고양이"')), ("survey_opinions_grams", ('"고양"', '"zx"'))):
            for word in words:
                assert store_rows(project, f"SELECT rowid FROM {index} WHERE {index} MATCH '{word}'") == [], word


rows = st.lists(st.lists(st.text(alphabet=st.sampled_from('ab,"\r\n \'=가'), max_size=6), min_size=2, max_size=3),
                max_size=6)


@given(header=st.lists(st.text(alphabet="xyz", min_size=1, max_size=3), min_size=2, max_size=3), body=rows,
       doomed=st.sets(st.integers(0, 5)))
@settings(max_examples=150)
def test_without_records_is_the_csv_of_the_other_rows(header, body, doomed):
    """Against writing the kept rows again (as the csv module writes them:
    CRLF, cells with line breaks quoted): the same text, and the count taken out."""
    def written(records) -> str:
        out = io.StringIO(newline="")
        csv.writer(out).writerows(records)
        return out.getvalue()

    numbered = [[str(number), *cells] for number, cells in enumerate(body)]
    kept, dropped = without_records(written([header] + numbered), lambda cells: int(cells[0]) in doomed)
    assert kept == written([header] + [row for row in numbered if int(row[0]) not in doomed])
    assert dropped == sum(1 for row in numbered if int(row[0]) in doomed)


def outbox_bytes(folder: Path) -> dict:
    return {path: path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def test_an_sms_csv_that_is_not_text_stops_forget_before_anything_changed_and_it_runs_again(project):
    """A file forget cannot read is one line naming it (exit 1); the store and
    every outbox are as they were, so forget runs again once it is mended."""
    outboxes = project / "private" / "outbox"
    readable = make_outbox(outboxes, "2026-12-10", ["S1", "S2"], ["a-notice"], sms={"S1": "SMS"})
    broken = make_outbox(outboxes, "2026-12-24", ["S1", "S2"], ["a-notice"], sms={"S1": "SMS", "S2": "SMS"})
    (broken / "sms.csv").write_bytes(b"id,phone,type,bytes,text\nS1,010-1234-5678,SMS,80,\xff\xfe\xff\n")
    before = {**outbox_bytes(readable), **outbox_bytes(broken)}
    result = run_cli(project / "pelicanconf.py", "subscribers", "forget", "S1")
    assert result.code == 1
    assert result.output.strip() == ("private/outbox/2026-12-24/sms.csv:1: not UTF-8 or CP949 text; "
                                     "make the outbox again with sotong bundles"), result.output
    assert {**outbox_bytes(readable), **outbox_bytes(broken)} == before
    assert store_rows(project, "SELECT id FROM subscribers ORDER BY id") == [("S1",), ("S2",)]
    (broken / "sms.csv").unlink()
    assert "unsent outboxes' messages 4" in forget(project).output  # 2 + 2: the broken one's emails too


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp949"])
def test_forget_writes_sms_csv_back_in_the_encoding_it_was_written_in(project, encoding):
    folder = make_outbox(project / "private" / "outbox", "2026-12-10", [], ["a-notice"], sms={"S1": "SMS", "S2": "LMS"})
    text = (folder / "sms.csv").read_text(encoding="utf-8")
    (folder / "sms.csv").write_bytes(text.encode(encoding))
    forget(project)
    left = (folder / "sms.csv").read_bytes()
    assert left == "".join(line for line in text.splitlines(keepends=True) if not line.startswith("S1,")).encode(encoding)
    dry_run = run_cli(project / "pelicanconf.py", "send", "--issue", "2026-12-10", "--dry-run")
    assert "sms.csv" not in dry_run.output, dry_run.output  # send still reads it


def test_forget_on_postgresql_leaves_no_dead_row_version_holding_the_person(project, store_location):
    """On PostgreSQL a deleted or updated row stays in the table's pages until
    a vacuum: forget vacuums the tables it touched, so no line of their pages
    holds the person's address or phone any more (pageinspect reads them)."""
    if not store_location.startswith("postgresql"):
        pytest.skip("SQLite overwrites deleted rows itself (secure_delete): tested above")
    forget(project)
    for table in ("subscribers", "consent_log"):
        versions = row_versions(store_location, table)
        assert versions and not [v for v in versions for trace in KIM_TRACES if trace in v], table
        assert [v for v in versions if b"lee@example.com" in v], table  # Lee's rows are read


def notes_and_an_older_reader():
    """A new PostgreSQL database with a table holding one person's words, and
    a connection whose transaction (a backup's, the collector's) has read them."""
    import psycopg
    from postgres_server import new_database

    location = new_database()
    store = Store.open(location)
    store.db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, words TEXT)")
    store.db.execute("INSERT INTO notes VALUES (1, 'the words of a forgotten person')")
    reader = psycopg.connect(location)
    reader.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
    assert reader.execute("SELECT count(*) FROM notes").fetchone() == (1,)  # its snapshot holds the row
    return location, store, reader


def test_erasing_on_postgresql_vacuums_again_until_an_older_reader_lets_go(tmp_path):
    """A vacuum leaves a deleted row that a transaction begun before the
    delete may still read (the collector's, a backup's): forget or a purge
    that ran during one left the person's words in the table's pages (a full
    run of the suite saw it). The erase vacuums again until they are gone."""
    import threading

    location, store, reader = notes_and_an_older_reader()
    letting_go = threading.Timer(0.3, reader.rollback)
    letting_go.start()
    with store.erasing(["notes"]), store.transaction() as db:
        db.execute("DELETE FROM notes")
    letting_go.join()
    reader.close()
    store.close()
    assert [v for v in row_versions(location, "notes") if b"forgotten person" in v] == []


def test_erasing_on_postgresql_names_the_table_a_longer_transaction_keeps_dirty(tmp_path, monkeypatch, caplog):
    """A transaction that outlasts every vacuum (a backup of an hour) keeps
    the erased rows in the table's pages: the operator is told which table,
    and what to run once it ends, instead of a silent success."""
    import sotong.store

    monkeypatch.setattr(sotong.store, "VACUUM_PAUSE", 0.001)
    location, store, backup = notes_and_an_older_reader()
    with caplog.at_level("WARNING", logger="sotong.store"):
        with store.erasing(["notes"]), store.transaction() as db:
            db.execute("DELETE FROM notes")
    backup.rollback()
    backup.close()
    warned = [record.getMessage() for record in caplog.records if record.name == "sotong.store"]
    assert len(warned) == 1 and "VACUUM notes" in warned[0], warned
    with caplog.at_level("WARNING", logger="sotong.store"):
        caplog.clear()
        with store.erasing(["notes"]):
            pass  # the backup has ended: the vacuum clears them, and says nothing
    store.close()
    assert not [record for record in caplog.records if record.name == "sotong.store"]
    assert [v for v in row_versions(location, "notes") if b"forgotten person" in v] == []


def test_forget_takes_out_the_mail_queued_to_an_address_with_a_capital_outside_ascii(project):
    """A reader whose address was written with É (kept with a warning by the
    import) signs up again with it, and the confirmation mail, queued under
    no subscriber yet (the mail server down), stayed in the queue on SQLite,
    whose lower() changes only ASCII letters, and was sent after they were
    forgotten; PostgreSQL took it out."""
    from subscriptions import storage

    csv_file = project / "emile.csv"
    csv_file.write_text(HEADER + "S3,,Émile.Kim@example.com,,1950,F,yongdap,health,email,person,,2026-01-05,\n",
                        encoding="utf-8")
    assert run_cli(project / "pelicanconf.py", "subscribers", "import", str(csv_file)).code == 0
    store = storage.ensure(Store.open(store_of(project)))
    with store.transaction():
        storage.queue_mail(store, "Émile.Kim@example.com", "[성동구 소통] 구독 신청 확인", "본문")
        storage.queue_mail(store, "lee@example.com", "[성동구 소통] 구독 신청 확인", "본문")
    store.close()
    forget(project, "S3")
    assert store_rows(project, "SELECT recipient FROM subscriptions_mail") == [("lee@example.com",)]


def test_forget_on_a_store_a_newer_sotong_upgraded_is_refused_before_anything_is_erased(project):
    """A newer Sotong's tables may hold what this one does not know to
    erase (a column of its own naming the person): forget refuses, in one
    line, the person's row and log as they were (it erased what it knew
    of, and said it had forgotten them)."""
    newer = ("INSERT INTO schema_versions (component, version) VALUES ('delivery_journal', 99) "
             "ON CONFLICT (component) DO UPDATE SET version = 99")
    store_rows(project, newer)
    kept = "SELECT id, email FROM subscribers UNION ALL SELECT subscriber_id, changes FROM consent_log ORDER BY 1, 2"
    before = store_rows(project, kept)
    refused = run_cli(project / "pelicanconf.py", "subscribers", "forget", "S1")
    assert refused.code == 1 and len(refused.stderr.splitlines()) == 1, refused.output
    assert refused.stderr.startswith("SOTONG_DB: the store's tables of delivery_journal are at version 99, newer than "
                                     "this Sotong knows"), refused.stderr
    assert store_rows(project, kept) == before and ("S1", "kim@example.com") in before
