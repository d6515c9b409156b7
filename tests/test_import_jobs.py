"""``sotong subscribers import --jobs N`` (issue #16): the file cut into
parts read, checked and staged by N processes side by side gives what one
process gives: the same store (subscribers and consent log), the same
messages in the same order, the same summary, whatever N; and the cuts
(sotong.file_parts.cut) fall at line starts, counted as the CSV reader counts."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from project_support import new_store_location
from sotong import subscribers
from sotong.audiences import load_audiences
from sotong.file_parts import cut
from sotong.population import generate_population, write_csv
from sotong.problems import SotongError
from sotong.store import Store
from sotong.subscribers import COLUMNS, import_csv

REPO = Path(__file__).resolve().parent.parent
AUDIENCES = load_audiences(REPO / "audiences.yaml")
YEAR = 2026
ROWS = 240


@pytest.fixture(autouse=True)
def small_parts(monkeypatch):
    """Files of a few hundred rows cut into parts as 100,000 would be."""
    monkeypatch.setattr(subscribers, "_PART_LINES", 20)


def _rows() -> list[dict]:
    rows = generate_population(ROWS, AUDIENCES, seed=3, year=YEAR)
    return [{column: "" if row.get(column) is None else str(row[column]) for column in COLUMNS} for row in rows]


def _with_mistakes(rows: list[dict]) -> list[dict]:
    """Mistakes in both halves, an id repeated across them (three times)
    and one repeated within the second half, a cell with a line break, a
    non-ASCII address (a warning), a repeated id on a row with a mistake."""
    rows = [dict(row) for row in rows]
    rows[5]["email"] = "not an address"
    rows[9]["dong"] = "nowhere"
    rows[9]["birth_year"] = "19x5"
    rows[30]["name"] = "김\n민서"
    rows[40]["email"], rows[40]["channels"] = "민서@example.com", "email"
    rows[200]["id"] = rows[20]["id"]
    rows[230]["id"] = rows[20]["id"]
    rows[210]["subscribed_at"] = "2024.3.5"
    rows[215]["id"] = rows[220]["id"]
    rows[220]["phone"], rows[220]["channels"] = "02-123-4567", "sms"
    rows[225]["id"] = rows[7]["id"]
    rows[7]["gender"] = "X"
    return rows


def _write(path: Path, rows: list[dict], extra_lines: str = "") -> Path:
    write_csv(path, rows)
    if extra_lines:
        with path.open("a", encoding="utf-8", newline="") as file:
            file.write(extra_lines)
    return path


def _imported(location: str, files: list[Path], jobs: int) -> tuple[list, list, list]:
    """The reports of importing ``files`` in turn with ``jobs``, the
    subscribers and the consent log (without its times) afterwards."""
    store = Store.open(location)
    try:
        reports = []
        for path in files:
            report = import_csv(store, path, AUDIENCES, YEAR, shown=path.name, jobs=jobs)
            reports.append(([str(p) for p in report.problems], [str(w) for w in report.warnings], report.summary()))
        subscribers_rows = [tuple(row) for row in store.db.execute("SELECT * FROM subscribers ORDER BY id")]
        log = [tuple(row) for row in store.db.execute(
            "SELECT id, subscriber_id, source, changes FROM consent_log ORDER BY id")]
    finally:
        store.close()
    return reports, subscribers_rows, log


def _same_for_every_job_count(tmp_path: Path, backend: str, files: list[Path]) -> tuple:
    (tmp_path / "one").mkdir()
    one = _imported(new_store_location(backend, tmp_path / "one"), files, jobs=1)
    for jobs in (2, 3):
        (tmp_path / f"jobs{jobs}").mkdir()
        assert _imported(new_store_location(backend, tmp_path / f"jobs{jobs}"), files, jobs) == one
    return one


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_two_jobs_give_what_one_gives(tmp_path, backend):
    """New rows, then a file with mistakes in both halves and repeated ids
    over them: the same reports, store and log for 1, 2 and 3 jobs."""
    rows = _rows()
    first = _write(tmp_path / "first.csv", rows[:200])
    changed = [dict(row, fields="bulletin") if n % 3 == 0 else row for n, row in enumerate(rows)]
    second = _write(tmp_path / "second.csv", _with_mistakes(changed), extra_lines="S999,too,few\r\n")
    assert len(cut(second, 2, subscribers._PART_LINES)[1]) == 2
    (reports, stored, log) = _same_for_every_job_count(tmp_path, backend, [first, second])
    problems, warnings, summary = reports[1]
    assert summary == "34 added, 63 updated, 133 unchanged, 11 rejected"
    repeated = [p for p in problems if f'"{rows[20]["id"]}" is also on' in p]
    assert [p.split(":")[1] for p in repeated] == ["22", "203", "233"]  # line = row + 2 (the header, one line break in row 30)
    assert any(p.startswith("second.csv:9: id") for p in problems)  # row 7: repeated first, then its gender
    assert problems.index(next(p for p in problems if p.startswith("second.csv:9: id"))) < problems.index(
        next(p for p in problems if p.startswith("second.csv:9: gender")))
    assert [int(p.split(":")[1]) for p in problems] == sorted(int(p.split(":")[1]) for p in problems)
    assert len(warnings) == 1 and len(stored) == 234 and log


def test_a_cut_inside_a_quoted_cell_is_read_whole(tmp_path):
    """Rows whose name holds a line break: a cut that falls inside the
    cell is noticed, and the file is read as one part, with the same result."""
    rows = _rows()
    for row in rows:
        row["name"] = "가" * 40 + "\n나"
    path = _write(tmp_path / "broken.csv", rows)
    parts = cut(path, 2, subscribers._PART_LINES)[1]
    with path.open("rb") as file:
        file.seek(parts[1].offset)
        assert file.read(5) == "나".encode() + b"\","  # the second part starts inside a name
    reports, stored, _log = _same_for_every_job_count(tmp_path, "sqlite", [path])
    assert reports[0][2] == f"{ROWS} added, 0 updated, 0 unchanged, 0 rejected" and len(stored) == ROWS


@settings(max_examples=60)
@given(lines=st.lists(st.text(alphabet="ab,\"\r\n가", max_size=6), min_size=1, max_size=30),
       parts=st.integers(1, 5))
def test_cuts_fall_at_line_starts_counted_as_the_reader_counts(tmp_path_factory, lines, parts):
    path = tmp_path_factory.mktemp("cut") / "f.csv"
    data = "".join(lines).encode()
    path.write_bytes(data)
    total, found = cut(path, parts, 1)
    text_lines = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", newline="").readlines()
    assert total == len([line for line in text_lines if line.endswith(("\n", "\r"))])
    assert found[0].offset == 0 and found[0].first_line == 1 and found[-1].end_line is None
    for before, after in zip(found, found[1:]):
        assert before.offset < after.offset < len(data) and data[after.offset - 1:after.offset] == b"\n"
        assert before.end_line == after.first_line
        assert after.first_line == len(io.TextIOWrapper(io.BytesIO(data[:after.offset]), encoding="utf-8",
                                                         newline="").readlines()) + 1
    assert len(found) <= parts


def test_parts_run_side_by_side_answer_in_order_and_move_one_bar(monkeypatch):
    """sotong.file_parts.in_processes: the first part in this process, the
    others forked; answers in the parts' order; each part's rows done move
    the one progress bar; an exception in a forked part is raised here."""
    import contextlib
    import os

    from sotong import file_parts
    from sotong.file_parts import FilePart, in_processes

    moved = []

    @contextlib.contextmanager
    def bar(total, description, least=1):
        yield lambda *done: moved.append(1)

    monkeypatch.setattr(file_parts, "progress", bar)
    parts = [FilePart(number, number * 10, number * 5 + 1, None) for number in range(3)]

    def work(part, done):
        done(part.number * 100 + 7)
        return part.number, os.getpid()

    answers = in_processes(work, parts, 321, "rows")
    assert [number for number, _pid in answers] == [0, 1, 2]
    assert answers[0][1] == os.getpid() and len({pid for _number, pid in answers}) == 3
    assert len(moved) == 7 + 107 + 207

    def failing(part, done):
        if part.number == 2:
            raise ValueError("part 2 cannot be read")
        return part.number

    with pytest.raises(ValueError, match="part 2 cannot be read"):
        in_processes(failing, parts, 0, "rows")


def _long_names(rows: list[dict], length: int) -> list[dict]:
    """The rows with names of ``length`` characters: the file's bytes, and so its cut, set by them."""
    return [dict(row, name="나" * length) for row in rows]


LONG = "가" * 140_000  # past the csv module's field size limit (131,072)
LONG_CELL = ("a cell of the row that starts on this line runs on past 131072 characters, longer than any cell "
             "may be; shorten it, or, if a double quote opens a cell there and is never closed, close it")


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("row, part", [(20, 0), (200, 1)])
def test_a_cell_past_the_csv_limit_stops_the_import_at_its_line(tmp_path, jobs, row, part):
    """A cell too long for the csv module, in the first part or in the
    second: its row's line and what to do, whatever the jobs; nothing imported."""
    rows = _long_names(_rows(), 1500)
    rows[row]["name"] = LONG
    path = _write(tmp_path / "long.csv", rows)
    data = path.read_bytes()
    parts = cut(path, 2, subscribers._PART_LINES)[1]
    assert (data.index(LONG.encode()) > parts[1].offset) == bool(part)
    store = Store.open(new_store_location("sqlite", tmp_path))
    try:
        with pytest.raises(SotongError) as raised:
            import_csv(store, path, AUDIENCES, YEAR, shown="long.csv", jobs=jobs)
        assert [str(problem) for problem in raised.value.problems] == [f"long.csv:{row + 2}: {LONG_CELL}"]
        assert not store.has_subscribers()
    finally:
        store.close()


def test_a_header_cell_past_the_csv_limit_is_line_1(tmp_path):
    path = tmp_path / "header.csv"
    path.write_text(",".join(COLUMNS) + "," + LONG + "\r\n", encoding="utf-8")
    store = Store.open(new_store_location("sqlite", tmp_path))
    try:
        with pytest.raises(SotongError) as raised:
            import_csv(store, path, AUDIENCES, YEAR, shown="header.csv", jobs=2)
    finally:
        store.close()
    assert [str(problem) for problem in raised.value.problems] == [f"header.csv:1: {LONG_CELL}"]


def test_a_part_cut_inside_a_quoted_cell_that_reads_past_the_limit_is_read_whole(tmp_path):
    """A cut just after a line break inside a quoted cell: the second part
    takes the cell's closing quote for an opening one and reads past the
    csv module's limit, which is no mistake of the file: read whole, it imports."""
    rows = _long_names(_rows(), 1200)
    rows[ROWS // 2]["name"] = "가" * 3000 + "\n"
    path = _write(tmp_path / "quoted.csv", rows)
    parts = cut(path, 2, subscribers._PART_LINES)[1]
    with path.open("rb") as file:
        file.seek(parts[1].offset)
        assert file.read(2) == b'",'  # the second part starts at the closing quote
    reports, stored, _log = _same_for_every_job_count(tmp_path, "sqlite", [path])
    assert reports[0][2] == f"{ROWS} added, 0 updated, 0 unchanged, 0 rejected" and len(stored) == ROWS


def test_the_progress_bar_counts_the_rows_not_the_header_line(tmp_path, monkeypatch):
    """In a terminal the bar of 10,000 rows ended at 10000/10001 (the header line counted), never full."""
    import io as text_io

    class Terminal(text_io.StringIO):
        def isatty(self):
            return True

    source = tmp_path / "people.csv"
    write_csv(source, generate_population(10_000, AUDIENCES, seed=5, year=YEAR))
    unended = tmp_path / "unended.csv"  # a last row without its line break: as many rows
    unended.write_bytes(source.read_bytes().rstrip(b"\r\n"))
    store = Store.open(tmp_path / "sotong.db")
    for path in (source, unended):
        terminal = Terminal()
        monkeypatch.setattr("sys.stderr", terminal)
        import_csv(store, path, AUDIENCES, YEAR)
        assert "10,000/10,000" in terminal.getvalue() and "/10,001" not in terminal.getvalue(), path
        assert "/9,999" not in terminal.getvalue(), path
    store.close()
