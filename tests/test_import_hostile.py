"""Subscriber import error lines: the row and the column, never the email
address or phone number that was rejected, and always one line."""

from __future__ import annotations

from hypothesis import assume, example, given, settings, strategies as st

from sotong.subscribers import normalize_phone

import test_subscribers
from test_subscribers import GOOD, csv_text, errors_of, load, write

store = test_subscribers.store  # the fixture: a fresh store on each backend


def test_a_birth_year_in_other_digits_is_refused():
    assert errors_of(birth_year="١٩٨٥") == [
        'birth_year "١٩٨٥" is not a 4-digit year; write the whole year of birth, e.g. 1985']
    assert errors_of(subscribed_at="٢٠٢٤-٠٣-٠٥")[0].startswith('subscribed_at "٢٠٢٤-٠٣-٠٥" is not')


def test_a_line_break_in_a_cell_stays_in_one_line_of_output(tmp_path, store):  # noqa: F811
    path = write(tmp_path / "s.csv", csv_text(dict(GOOD, dong="seongsu9\r\nx"), dict(GOOD, id="S2")))
    report = load(store, path)
    assert [str(p) for p in report.problems] == [
        r's.csv:2: dong "seongsu9\r\nx" is not a dong in audiences.yaml; did you mean "seongsu2ga3"?']


bad_emails = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=3, max_size=30).filter(
    lambda text: text.strip() and "@" not in text.strip()[1:-1]) | st.builds("{}@@{}.kr".format, st.text("abc", min_size=1), st.text("xyz", min_size=1))
bad_phones = st.text("0123456789-+ ", min_size=5, max_size=16).filter(
    lambda text: text.strip() and normalize_phone(text) is None)


@settings(max_examples=150, deadline=None)
@given(email=bad_emails, phone=bad_phones)
@example(email="abc", phone="010-1 ")
def test_rejected_addresses_and_phones_are_never_echoed(email, phone):
    for column, value in (("email", email), ("phone", phone)):
        # a value that the fixed text itself holds ("010-1" in its example 010-1234-5678) proves nothing
        assume(all(value.strip() not in message for message in errors_of(**{column: "@@@"})))
        errors = errors_of(**{column: value})
        assert errors, value
        assert all(value.strip() not in message for message in errors), errors
        assert any(message.startswith(f"{column} is not a") for message in errors) or value.strip() == ""


def test_a_control_character_in_a_cell_rejects_its_row_on_both_backends(tmp_path, store):  # noqa: F811
    """PostgreSQL's text cannot hold NUL: the row is a FILE:LINE problem, never a traceback, and the other rows stay."""
    path = write(tmp_path / "s.csv", csv_text(dict(GOOD, id="S1", name="홍\x00길동"), dict(GOOD, id="S2"),
                                              dict(GOOD, id="S3", dong="majang\x07"), dict(GOOD, id="S4", name="탭\t있음")))
    report = load(store, path)
    assert [str(p) for p in report.problems] == [
        "s.csv:2: the cell under name holds the invisible control character U+0000, which cannot be stored; delete it from the cell",
        "s.csv:4: the cell under dong holds the invisible control character U+0007, which cannot be stored; delete it from the cell"]
    assert report.rejected == 2
    assert sorted(s.id for s in store.subscribers()) == ["S2", "S4"]


def test_a_name_with_a_direction_control_or_broken_text_rejects_its_row(tmp_path, store):  # noqa: F811
    """The collector takes none of these from anyone; imported, a name with
    U+202E went to the reader's preferences page, which sent it back and
    refused it on every save; first in the cell, it showed the name backwards.
    What only shows nothing (U+200B, the Hangul filler) is taken off its ends."""
    path = write(tmp_path / "s.csv", csv_text(
        dict(GOOD, id="S1", name="\u202e동길홍"), dict(GOOD, id="S2", name="김\x9b철수"), dict(GOOD, id="S3", name="홍\ufffd동"),
        dict(GOOD, id="S4", name="\u200b홍길동\u3164"), dict(GOOD, id="S5", name="박\u200e지민")))
    report = load(store, path)
    message = ('s.csv:{line}: name holds U+{code}, an invisible direction or control character or the "\ufffd" of text '
               "read in the wrong code page, which shows the name out of order or broken in the reader's mail, and which "
               "their preferences page cannot send back; delete it from the cell (save the file again as UTF-8 if the "
               "name is broken)")
    assert [str(p) for p in report.problems] == [message.format(line=2, code="202E"), message.format(line=3, code="009B"),
                                                 message.format(line=4, code="FFFD")]
    assert sorted((s.id, s.name) for s in store.subscribers()) == [("S4", "홍길동"), ("S5", "박\u200e지민")]


def test_an_id_with_a_line_break_tab_or_invisible_character_rejects_its_row(tmp_path, store):  # noqa: F811
    """Logs, file names and the staff's terminal name readers by id, one line
    each: "S1\\n" split them (a log line that reads as another's), and
    its email was private/outbox/D/email/S1\\n.eml."""
    path = write(tmp_path / "s.csv", csv_text(dict(GOOD, id="S1\nS9"), dict(GOOD, id="S2"), dict(GOOD, id="S3\tx"),
                                              dict(GOOD, id="S4\u2028x"), dict(GOOD, id="S5\u200b"), dict(GOOD, id="홍 길동 6")))
    report = load(store, path)
    message = ("s.csv:{line}: id holds the invisible character U+{code} (a line break, a tab or a character that shows "
               "nothing), which would split the lines that name the subscriber in logs and files; write the id from the "
               "e-communication system without it")
    assert [str(p) for p in report.problems] == [message.format(line=2, code="000A"), message.format(line=5, code="0009"),
                                                 message.format(line=6, code="2028"), message.format(line=7, code="200B")]
    assert sorted(s.id for s in store.subscribers()) == ["S2", "홍 길동 6"]


def test_a_full_temporary_folder_is_one_line_and_loses_nothing(project_dir, sotong):
    """The import's working copy of the rows cannot be written (a temporary
    folder out of room: no file may grow past 500 kB): one line naming the
    folder, exit 1, whatever the jobs (20,500 rows: two parts with 2); the
    store as it was (the first file imported again changes nothing), the
    folder left empty."""
    assert sotong(project_dir, "subscribers", "generate", "--count", "20500", "pop.csv").code == 0
    assert sotong(project_dir, "subscribers", "import", "pop.csv").code == 0
    text = (project_dir / "pop.csv").read_text(encoding="utf-8-sig")
    (project_dir / "changed.csv").write_text(text.replace(",bulletin;", ",bulletin;culture;"), encoding="utf-8-sig")
    temporary = project_dir / "tmp"
    temporary.mkdir()
    for jobs in ("1", "2"):
        result = sotong(project_dir, "subscribers", "import", "changed.csv", "--jobs", jobs,
                        env={"TMPDIR": str(temporary)}, file_size_limit=500_000)
        assert result.code == 1 and "Traceback" not in result.output, result.output
        assert result.stderr.splitlines() == [
            f"changed.csv:1: cannot write the import's working copy of the rows in the temporary folder {temporary} "
            "(disk I/O error); make room there, or set TMPDIR to a folder with room, and import again: nothing was imported"]
        assert list(temporary.iterdir()) == []
    result = sotong(project_dir, "subscribers", "import", "pop.csv", env={"TMPDIR": str(temporary)})
    assert result.stdout.strip() == "pop.csv: 0 added, 0 updated, 20,500 unchanged, 0 rejected."


def test_a_cell_past_the_csv_limit_is_one_line(project_dir, sotong):
    """The command's side of tests/test_import_jobs.py's: exit 1, the line, no traceback."""
    write(project_dir / "long.csv", csv_text(GOOD, dict(GOOD, id="S2", name="가" * 140_000)))
    for jobs in ("1", "2"):
        result = sotong(project_dir, "subscribers", "import", "long.csv", "--jobs", jobs)
        assert result.code == 1 and "Traceback" not in result.output, result.output
        assert result.stderr.startswith("long.csv:3: a cell of the row that starts on this line runs on past 131072 characters")
        assert result.stdout == ""
