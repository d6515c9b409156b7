"""Generated input through ``check`` and ``subscribers import``: notices with
random keys, value types, encodings and lengths, and CSV rows of random cells.

Nothing may end in a traceback: every outcome is a validated notice (a row
stored) or ``PATH:LINE: message`` problems, each one line. And what check
accepts, build builds: a handful of generated projects whose notices all
passed the check are built with the real ``sotong build`` (slow, so few).
"""

from __future__ import annotations

import datetime as dt
import string

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from project_support import copy_project, invoke_sotong, run_sotong
from sotong.notices import KEYS, read_notice
from sotong.problems import Problem, SotongError
from sotong.store import Store
from sotong.subscribers import COLUMNS, import_csv
from test_notices import AUDIENCES

ENCODINGS = ("utf-8", "utf-8-sig", "cp949", "utf-16", "latin-1")
any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
date_like = st.builds("{:04d}-{:02d}-{:02d}{}".format, st.integers(0, 10000), st.integers(0, 13), st.integers(0, 32),
                      st.sampled_from(["", " 14:00", "T23:59", " 24:00", " 9:5", ":00"]))
scalars = (st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.floats() | any_text | date_like
           | st.sampled_from([*AUDIENCES.fields, *AUDIENCES.departments, *AUDIENCES.segments, *AUDIENCES.dongs,
                              "homepage", "sms", "urgent", "draft", "images/x.svg", "../x", "/etc/passwd"]))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.sampled_from(["start", "end", "place", "age", "dongs", "fields", "kinds"])
                                        | any_text, inner, max_size=4), max_leaves=10)
keys = st.sampled_from(KEYS) | st.text(string.ascii_lowercase + "_", min_size=1, max_size=12)
front_matter = st.dictionaries(keys, values, max_size=10)
raw_lines = st.lists(st.sampled_from(["title: a: b", "\tdate: 2026-11-05", "title: x", "title: y", "'unclosed",
                                      "- item", "key", ": value", "&a [*a]", "a: *nowhere", "{", "audiences: [{x: }]"])
                     | any_text, max_size=5).map("\n".join)


def notice_text(front: dict, extra: str, body: str) -> str:
    dumped = yaml.safe_dump(front, allow_unicode=True) if front else ""
    return f"---\n{dumped}{extra}\n---\n{body}\n"


def encoded(text: str, encoding: str) -> bytes:
    try:
        return text.encode(encoding)
    except UnicodeEncodeError:
        return text.encode("utf-8")


def assert_problems_are_lines(problems, shown: str, line_count: int):
    for problem in problems:
        assert isinstance(problem, Problem), problem
        assert problem.path == shown and 1 <= problem.line <= line_count + 1, problem
        assert "\n" not in str(problem) and "\r" not in str(problem), problem


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(front=front_matter, extra=st.just("") | raw_lines, body=any_text, encoding=st.sampled_from(ENCODINGS))
def test_any_front_matter_is_a_notice_or_problems(tmp_path, front, extra, body, encoding):
    path = tmp_path / "notice.md"
    data = encoded(notice_text(front, extra, body), encoding)
    path.write_bytes(data)
    notice, problems = read_notice(path, AUDIENCES, tmp_path, shown="notice.md")
    assert (notice is None) == bool(problems)
    assert_problems_are_lines(problems, "notice.md", data.count(b"\n") + 1)


CELLS = {
    "id": st.text(string.ascii_letters + string.digits, min_size=1, max_size=6) | any_text,
    "email": st.sampled_from(["kim@example.com", "홍길동@example.com", "a@b", "@", "x@@y.kr"]) | any_text,
    "phone": st.sampled_from(["010-9876-5432", "+82 10 1234 5678", "02-2286-5114"]) | any_text,
    "birth_year": st.integers(1800, 2100).map(str) | st.sampled_from(["١٩٨٥", "85", ""]) | any_text,
    "gender": st.sampled_from(["F", "M", "여", "x", ""]),
    "dong": st.sampled_from([*AUDIENCES.dongs, "응봉동", "", "x\r\ny"]),
    "fields": st.lists(st.sampled_from([*AUDIENCES.fields, "x", "문화공연"]), max_size=3).map(";".join),
    "channels": st.sampled_from(["email", "sms", "email;sms", "", "kakao", "email,sms"]),
    "kind": st.sampled_from(["person", "business", "", "shop"]),
    "business_type": st.sampled_from([*AUDIENCES.business_types, "", "x"]),
    "subscribed_at": date_like | st.just(""), "unsubscribed_at": date_like | st.just(""),
    "name": any_text,
}
rows = st.lists(st.fixed_dictionaries(CELLS), max_size=6)


def csv_bytes(rows: list, encoding: str) -> bytes:
    import csv
    import io

    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([row.get(column, "") for column in COLUMNS])
    return encoded(out.getvalue(), encoding)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(generated=rows, encoding=st.sampled_from(ENCODINGS), junk=st.binary(max_size=8))
def test_any_csv_rows_are_imported_or_named_by_line(tmp_path, generated, encoding, junk):
    path = tmp_path / "s.csv"
    path.write_bytes(csv_bytes(generated, encoding) + junk)
    store = Store.open(str(tmp_path / "fuzz.db"))
    try:
        report = import_csv(store, path, AUDIENCES, 2026, shown="s.csv")
        problems = report.problems
        assert (report.rejected == 0) == (problems == []) and report.rejected <= len(problems)
    except SotongError as exc:
        problems = exc.problems
    finally:
        store.close()
    data = path.read_bytes()  # the csv module counts a lone CR as a line too
    assert_problems_are_lines(problems, "s.csv", data.count(b"\n") + data.count(b"\r") + 1)
    for row in generated:
        for column in ("email", "phone"):
            if len(row[column].strip()) > 3:
                assert not any(row[column].strip() in str(p) for p in problems if "email" in str(p) or "phone" in str(p))


# --- what check accepts, build builds ----------------------------------------------------

weird_text = st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=100)
moments = st.builds(dt.datetime, st.sampled_from([2000, 2026, 2099]), st.integers(1, 12), st.integers(1, 28),
                    st.integers(0, 23), st.integers(0, 59))
valid_notice = st.fixed_dictionaries({
    "title": weird_text, "date": moments.map(lambda m: m.strftime("%Y-%m-%d %H:%M")),
    "department": st.sampled_from(AUDIENCES.departments), "category": st.sampled_from(sorted(AUDIENCES.fields)),
}, optional={
    "channels": st.lists(st.sampled_from(["homepage", "newsletter", "email", "twitter", "facebook", "blog"]),
                         min_size=1, unique=True),
    "summary": st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=200),
    "expires": st.sampled_from(["2099-12-31", "2026-11-23"]),
    "event": st.fixed_dictionaries({"start": moments.map(lambda m: m.strftime("%Y-%m-%d"))},
                                   optional={"place": weird_text}),
    "priority": st.sampled_from(["normal", "urgent"]),
    "audiences": st.lists(st.sampled_from(sorted(AUDIENCES.segments)) | st.just({"dongs": ["eungbong"]}), max_size=2),
})
valid_body = st.text(st.characters(exclude_categories=("Cs", "Cc"), include_characters="\n\t"), max_size=300)


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.filter_too_much])
@given(notices=st.lists(st.tuples(valid_notice, valid_body), min_size=4, max_size=8))
def test_what_check_accepts_build_builds(tmp_path_factory, notices):
    project = copy_project(tmp_path_factory.mktemp("fuzz"), notices=False)
    for index, (front, body) in enumerate(notices):
        path = project / "content" / "notices" / f"n{index}.md"
        path.write_text(notice_text(front, "", body), encoding="utf-8")
        assume(read_notice(path, AUDIENCES, project / "content")[1] == [])
    result = run_sotong(project, "build")
    assert result.code == 0 and "Traceback" not in result.output, result.output


# --- defects the fuzzing found, each kept as an example ------------------------------------

from test_notices import GOOD, only_problem, with_line  # noqa: E402


def test_a_picture_with_an_empty_target_is_a_problem_saying_what_to_write(tmp_path):
    message = only_problem(tmp_path, GOOD + "\n![포스터](<>)\n")
    assert message.startswith("notice.md:11:") and "{static}/images/" in message and "![포스터]" in message


def one_line_refusal(result) -> str:
    assert result.code == 1 and "Traceback" not in result.output, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def test_a_settings_file_that_is_not_python_is_refused_in_one_line(tmp_path):
    project = copy_project(tmp_path, notices=False)
    line = one_line_refusal(invoke_sotong(project, "check", "-s", "audiences.yaml"))
    assert line.startswith("audiences.yaml:") and "-s publishconf.py" in line


def test_a_path_too_long_for_the_file_system_is_one_shortened_line(tmp_path):
    project = copy_project(tmp_path, notices=False)
    line = one_line_refusal(invoke_sotong(project, "check", "-s", "a" * 5000 + ".py"))
    assert "255" in line and len(line) < 400


@pytest.mark.parametrize("character", ["\x00", "\x1b", "\x7f", "\ufffe"])
def test_a_control_character_in_front_matter_is_named_with_its_line_and_column(tmp_path, character):
    message = only_problem(tmp_path, with_line(f"summary: 요약{character}입니다"))
    assert message.startswith("notice.md:6:") and f"U+{ord(character):04X}" in message and "column 12" in message


@pytest.mark.parametrize("line, expected", [
    ("sms: !!binary aGVsbG8=", 'sms: "!!binary aGVsbG8="'),
    ("audiences: !!set {seniors, seongsu}", "audiences: \"!!set"),
    ("audiences:\n  - !!python/object:os.system {}", "!!python/object:os.system is a sign of YAML's own"),
    ("audiences: [!foo seniors]", "!foo is a sign of YAML's own"),
])
def test_a_yaml_tag_is_refused_at_its_line_and_nothing_is_built(tmp_path, line, expected):
    message = only_problem(tmp_path, with_line(line))
    assert message.startswith(f"notice.md:{6 + line.count(chr(10))}:") and expected in message


def test_a_file_name_too_long_for_the_file_system_is_said_so_not_missing(tmp_path):
    project = copy_project(tmp_path, notices=False)
    result = invoke_sotong(project, "subscribers", "import", "가" * 100 + ".csv")
    assert result.code == 2 and "255" in result.stderr and "does not exist" not in result.stderr, result.output
    assert result.stderr.strip().count("\n") == 0 and len(result.stderr) < 400
