"""The annual e-communication report: the counting against a brute-force
reading of SPEC §11, the journal's aggregates, and ``sotong report --year``
writing private/reports/Y.html and Y.csv."""

from __future__ import annotations

import csv
import math
import re
from collections import Counter
from pathlib import Path

import pytest
from project_support import copy_project
from delivery.annual import annual_report, apportioned, month_chart, whole_won, write_report
from delivery.journal import Journal, NoticeInfo
from delivery.outbox import Outbox, OutboxMessage
from delivery_support import add_subscribers, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st
from interrupting import stopped_when

from sotong.sms import Prices
from sotong.store import Store

TYPES = ("EMAIL", "SMS", "LMS")
NOTICE_META = {  # slug -> (department, category, label)
    "a": ("보건소", "health", "건강정보"),
    "b": ("보건소", "culture", "문화공연"),
    "c": ("문화체육과", "culture", "문화공연"),
    "d": (None, None, None),  # a notice that was gone when it was sent
}

deliveries = st.lists(st.tuples(st.integers(1, 12), st.sampled_from(TYPES), st.sampled_from(sorted(NOTICE_META))),
                      max_size=60)


def aggregates_of(records):
    """What the journal's GROUP BY hands the report, from single deliveries."""
    counted = Counter((f"2026-{month:02d}", kind, slug, *NOTICE_META[slug]) for month, kind, slug in records)
    return [(*key, n, float(n), None) for key, n in counted.items()]  # each record is a message of one notice


def brute_force_line(records):
    """A line of the report read straight from SPEC §11: the distinct notices
    sent, and one delivery per notice per subscriber per channel."""
    return (len({slug for _, _, slug in records}),
            {kind: sum(1 for _, k, _ in records if k == kind) for kind in TYPES})


def as_pair(line):
    return line.notices, line.by_type


@given(deliveries)
@settings(max_examples=200, deadline=None)
def test_counts_match_a_direct_reading_of_the_spec(records):
    report = annual_report(2026, aggregates_of(records))
    for month in range(1, 13):
        line = report.months[month - 1]
        assert line.item == f"{month}월"
        assert as_pair(line) == brute_force_line([r for r in records if r[0] == month])
    departments = {d or "(기록 없음)" for d, _, _ in (NOTICE_META[s] for _, _, s in records)}
    assert {line.item for line in report.departments} == departments
    for line in report.departments:
        chosen = [r for r in records if (NOTICE_META[r[2]][0] or "(기록 없음)") == line.item]
        assert as_pair(line) == brute_force_line(chosen)
    for line in report.categories:
        chosen = [r for r in records if (NOTICE_META[r[2]][2] or "(기록 없음)") == line.item]
        assert as_pair(line) == brute_force_line(chosen)
    assert as_pair(report.total) == brute_force_line(records)
    assert report.total.deliveries == len(records)
    prices = Prices(sms=9, lms=27)
    assert report.total.cost(prices) == sum(prices.of(kind) for _, kind, _ in records)  # one message each
    assert sum(line.cost(prices) for line in report.months) == pytest.approx(report.total.cost(prices))
    ranked = [line.deliveries for line in report.departments]
    assert ranked == sorted(ranked, reverse=True)


@given(deliveries)
@settings(max_examples=100, deadline=None)
def test_chart_bars_are_proportional_to_the_month_totals(records):
    report = annual_report(2026, aggregates_of(records))
    chart = month_chart(report)
    plot = chart["baseline"] - 16
    peak = max(line.deliveries for line in report.months) or 1
    for bar, line in zip(chart["bars"], report.months):
        assert bar["total"] == line.deliveries
        assert sum(p["height"] for p in bar["parts"]) == pytest.approx(plot * line.deliveries / peak, abs=0.2)
        assert all(p["y"] >= 16 - 0.1 for p in bar["parts"])


# --- from the journal --------------------------------------------------------------


def message(subscriber_id, channel, kind, notices):
    return OutboxMessage(subscriber_id, channel, tuple(notices), f"email/{subscriber_id}.eml" if channel == "email" else None, kind)


def every_message(messages) -> set:
    return {(message.subscriber_id, message.channel) for message in messages}


def fill_journal(db_path: Path | str, folder: Path | None = None):
    """Two outboxes: one sent in March 2026, one in December 2025 (another year);
    a failed and a deferred email that must not count. ``db_path``: the store's
    file, or its SOTONG_DB with ``folder`` that of the outboxes."""
    store = Store.open(db_path)
    folder = folder or Path(db_path).parent
    now = {"t": "2025-12-24T10:00:00+09:00"}
    journal = Journal(store, clock=lambda: now["t"])
    infos = {slug: _info(slug) for slug in NOTICE_META}
    old = Outbox("2025-12-24", "issue", folder, (message("S00001", "email", "EMAIL", ["a", "b"]),))
    journal.record_outbox(old, every_message, infos)
    _send(journal, journal.claim(old.key, 10), ["sent"])
    now["t"] = "2026-03-12T09:30:00+09:00"
    march = Outbox("2026-03-12", "issue", folder, (
        message("S00001", "email", "EMAIL", ["a", "b", "c"]),
        message("S00002", "email", "EMAIL", ["a"]),
        message("S00003", "email", "EMAIL", ["c"]),
        message("S00004", "email", "EMAIL", ["b"]),
        message("S00001", "sms", "SMS", ["a"]),
        message("S00002", "sms", "LMS", ["a", "c"]),
    ))
    recorded, unsent = journal.record_outbox(march, every_message, infos)
    assert (recorded.email_new, len(recorded.sms), recorded.sms_types) == (4, 2, {"SMS": 1, "LMS": 1})
    assert len(journal.hand_over(march, recorded.sms)) == 2
    assert unsent == 4
    _send(journal, journal.claim(march.key, 10), ["sent", "sent", "failed", "deferred"])
    store.close()


def _info(slug):
    department, category, label = NOTICE_META[slug]
    return NoticeInfo(f"공지 {slug}", department, category, label)


def _send(journal, pending, outcomes):
    for item, state in zip(pending, outcomes):
        journal.mark(item.id, state, "data", 250 if state == "sent" else 550, "answer")


def test_the_journal_counts_sent_messages_of_the_year_only(tmp_path, store_location):
    """On SQLite and on PostgreSQL (SPEC §15)."""
    fill_journal(store_location, tmp_path)
    journal = Journal(Store.open(store_location))
    report = annual_report(2026, journal.sent_aggregates(2026))
    march = report.months[2]
    assert (march.notices, march.by_type) == (3, {"EMAIL": 4, "SMS": 1, "LMS": 2})
    assert [line.deliveries for line in report.months if line.item != "3월"] == [0] * 11
    assert [(line.item, line.notices, line.deliveries) for line in report.departments] == [("보건소", 2, 5), ("문화체육과", 1, 2)]
    assert [(line.item, line.deliveries) for line in report.categories] == [("건강정보", 4), ("문화공연", 3)]
    # the texts of March: an SMS of a (9 won) and an LMS of a and c (27 won, half each)
    prices = Prices(sms=9, lms=27)
    assert march.cost(prices) == report.total.cost(prices) == 36
    assert {line.item: line.cost(prices) for line in report.departments} == {"보건소": 22.5, "문화체육과": 13.5}
    assert {line.item: line.cost(prices) for line in report.categories} == {"건강정보": 22.5, "문화공연": 13.5}
    old = annual_report(2025, journal.sent_aggregates(2025))
    assert (old.months[11].notices, old.total.deliveries) == (2, 2)


@pytest.fixture(scope="module")
def reported(tmp_path_factory):
    """The sample project with a filled journal, after ``sotong report --year 2026``: (project, result)."""
    project = copy_project(tmp_path_factory.mktemp("report"))
    add_subscribers(project / "private" / "sotong.db", 1)
    fill_journal(project / "private" / "sotong.db")
    result = run_cli(project / "pelicanconf.py", "report", "--year", "2026")
    assert result.code == 0, result.output
    return project, result


def test_report_command_sums_the_year_up_and_names_its_files(reported):
    _, result = reported
    assert "2026: 3 notices, 7 deliveries (email 4, SMS 1, LMS 2); texts cost 36 won." in result.output
    assert "Wrote private/reports/2026.html and private/reports/2026.csv" in result.output


def test_report_csv_opens_in_excel_with_a_row_per_month_department_category_and_total(reported):
    project, _ = reported
    raw = (project / "private" / "reports" / "2026.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads the Korean
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert list(rows[0]) == ["Table", "Item", "Notices", "Email deliveries", "SMS deliveries", "LMS deliveries",
                             "Deliveries", "Text cost (won)"]
    by_key = {(r["Table"], r["Item"]): r for r in rows}
    assert by_key[("by month", "3월")] == {"Table": "by month", "Item": "3월", "Notices": "3", "Email deliveries": "4",
                                          "SMS deliveries": "1", "LMS deliveries": "2", "Deliveries": "7",
                                          "Text cost (won)": "36"}
    assert by_key[("total", "합계")]["Text cost (won)"] == "36"
    assert by_key[("by department", "보건소")]["Deliveries"] == "5"
    assert by_key[("by field", "문화공연")]["Notices"] == "2"
    assert by_key[("total", "합계")]["Deliveries"] == "7"
    assert len([r for r in rows if r["Table"] == "by month"]) == 12


def test_report_page_describes_its_chart_and_heads_its_tables(reported):
    project, _ = reported
    page = (project / "private" / "reports" / "2026.html").read_text(encoding="utf-8")
    assert '<html lang="ko">' in page and "<script" not in page
    assert re.search(r'<svg role="img" aria-labelledby="chart-title chart-desc"', page)
    assert '<title id="chart-title">2026년 월별 발송 건수' in page
    assert re.search(r'<desc id="chart-desc">1월 0건, 2월 0건, 3월 7건, .*12월 0건\.', page)
    assert page.count("<caption id=") == 3 and 'scope="col"' in page and 'scope="row"' in page
    assert page.count('<th scope="col" class="n">문자 비용(원)</th>') == 3
    assert re.search(r'<th scope="row">합계</th>(\s*<td class="n">[\d,]+</td>){5}\s*<td class="n">36</td>', page)


def test_report_page_names_no_subscriber(reported):
    project, _ = reported
    page = (project / "private" / "reports" / "2026.html").read_text(encoding="utf-8")
    assert "S0000" not in page and "@" not in page


def test_report_of_a_year_with_nothing_sent_says_so(reported):
    project, _ = reported
    empty = run_cli(project / "pelicanconf.py", "report", "--year", "2024")
    assert empty.code == 0 and "2024: nothing was sent that year" in empty.output
    assert "0 notices" not in empty.output and "0 won" not in empty.output
    page = (project / "private" / "reports" / "2024.html").read_text(encoding="utf-8")
    assert "이 해에 발송 기록이 없습니다." in page and "2024년에는 발송 기록이 없습니다." in page
    assert "<svg" not in page and "공지 0건" not in page  # no chart of nothing (its scale read 0, 0, 1)


@pytest.mark.parametrize("options", [(), ("--year", "twenty")])
def test_report_without_a_year_or_with_a_wrong_one_exits_2(reported, options):
    project, _ = reported
    assert run_cli(project / "pelicanconf.py", "report", *options).code == 2


def test_the_report_page_passes_the_nu_html_checker(tmp_path):
    import tooling
    from html_validator import vnu_errors

    project = copy_project(tmp_path)
    fill_journal(project / "private" / "sotong.db")
    assert run_cli(project / "pelicanconf.py", "report", "--year", "2026").code == 0
    page = project / "private" / "reports" / "2026.html"
    errors = vnu_errors(tooling.vnu_jar(), tooling.java(), [page])
    assert not errors.get(page.resolve()), "\n".join(errors[page.resolve()])


@settings(max_examples=200)
@given(st.lists(st.tuples(st.sampled_from(TYPES), st.sampled_from(sorted(NOTICE_META)), st.integers(1, 7)), max_size=30),
       st.sampled_from([Prices(sms=9, lms=27), Prices(sms=8.4, lms=25.3), Prices(sms=10, lms=30)]))
def test_each_tables_costs_in_whole_won_add_up_to_the_years(messages, prices):
    """Messages of k notices (a share of 1/k each): every table's shown
    costs add up to the year's shown cost, each within a won of its exact share."""
    shares = Counter()
    for kind, slug, k in messages:
        shares["2026-03", kind, slug, *NOTICE_META[slug]] += 1.0 / k
    report = annual_report(2026, [(*key, 1, share, None) for key, share in shares.items()], prices)
    assert report.total.won == math.floor(round(report.total.cost(prices), 6) + 0.5)  # half up, as money is
    for _key, _title, lines in report.tables():
        assert sum(line.won for line in lines) == report.total.won
        assert all(abs(line.won - line.cost(prices)) < 1 for line in lines)


def test_half_a_won_rounds_up_and_a_tables_won_add_up_to_the_years():
    """94.5 won is 95 (Python's round() says 94); a table whose costs add up
    to 94.5 (or, in float, to a hair under it) shows 95 in all."""
    assert (whole_won(94.5), whole_won(94.49), whole_won(0.5)) == (95, 94, 1)
    assert sum(apportioned([31.5, 31.5, 31.5 - 1e-9], whole_won(94.5))) == 95


def test_an_lms_shared_by_two_departments_costs_what_it_cost_in_the_csv_and_page(tmp_path):
    """One 27-won LMS holding a notice of 보건소 and one of 문화체육과: 13.5 won
    each, which rounded one by one showed 14 + 14 under a total of 27."""
    from delivery.annual import write_report

    aggregates = [("2026-03", "LMS", "a", *NOTICE_META["a"], 1, 0.5, 27.0), ("2026-03", "LMS", "c", *NOTICE_META["c"], 1, 0.5, 27.0)]
    report = annual_report(2026, aggregates, Prices(sms=9, lms=27))
    html_path, csv_path = write_report(report, tmp_path, "성동구 소통")
    rows = list(csv.DictReader(csv_path.read_text(encoding="utf-8-sig").splitlines()))
    costs = {row["Item"]: int(row["Text cost (won)"]) for row in rows if row["Table"] == "by department"}
    assert sorted(costs.values()) == [13, 14] and sum(costs.values()) == 27
    page = html_path.read_text(encoding="utf-8")
    assert len(re.findall(r'<td class="n">14</td>\s*</tr>', page)) == 2  # one department, one category
    assert len(re.findall(r'<td class="n">27</td>\s*</tr>', page)) == 4  # March and the three totals


def test_the_report_csv_speaks_the_staffs_korean_and_keeps_a_formula_text(tmp_path, monkeypatch):
    """Staff open the CSV in Excel: its header and its tables' names are the
    page's words (they were English keys: table, item, cost_won, month,
    department), and a department written like a formula stays text."""
    from delivery.annual import write_report

    monkeypatch.setenv("SOTONG_LANG", "ko")
    aggregates = [("2026-03", "LMS", "a", '=HYPERLINK("x")', "health", "건강정보", 1, 1.0, 27.0)]
    _page, csv_path = write_report(annual_report(2026, aggregates, Prices(sms=9, lms=27)), tmp_path, "성동구 소통")
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads the Korean
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0] == ["구분", "항목", "공지 수", "이메일", "SMS(단문)", "LMS(장문)", "발송 합계", "문자 비용(원)"]
    assert [row[0] for row in rows[1:]] == ["월별"] * 12 + ["부서별", "분야별", "합계"]
    assert rows[13] == ["부서별", '\'=HYPERLINK("x")', "1", "0", "0", "1", "1", "27"]
    assert rows[15][1:] == ["합계", "1", "0", "0", "1", "1", "27"]


def test_the_command_says_the_years_cost_the_report_shows(tmp_path):
    """At 8.4 won an SMS and 25.3 an LMS the year's texts cost 33.7 won: the
    command said "33.7 won" above a report whose total row reads 34."""
    project = copy_project(tmp_path, extra_settings="SMS_PRICE = 8.4\nLMS_PRICE = 25.3\n")
    add_subscribers(project / "private" / "sotong.db", 1)
    fill_journal(project / "private" / "sotong.db")
    result = run_cli(project / "pelicanconf.py", "report", "--year", "2026")
    assert result.code == 0, result.output
    rows = list(csv.DictReader((project / "private" / "reports" / "2026.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert [row["Text cost (won)"] for row in rows if row["Table"] == "total"] == ["34"]
    assert "texts cost 34 won." in result.output


def test_a_report_stopped_while_it_is_written_leaves_the_one_before_and_no_part_of_the_new(tmp_path):
    """Stopped (Ctrl+C, or SIGTERM taken as it) while the report's HTML was
    written: the report before stays, and no hidden .Y.html.partial is left
    beside it (its own copy of sotong.atomic left it)."""
    folder = tmp_path / "reports"
    write_report(annual_report(2026, []), folder, "성동구 소통")
    before = {path.name: path.read_bytes() for path in folder.iterdir()}
    with stopped_when(lambda: len(list(folder.iterdir())) > 2):
        write_report(annual_report(2026, [("2026-03", "EMAIL", "a", "보건소", "health", "건강정보", 1, 1.0, None)]),
                     folder, "성동구 소통")
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == before


def test_a_field_renamed_in_the_middle_of_the_year_is_one_line_under_its_latest_label():
    """culture was 문화공연 until May and 문화·공연 after (audiences.yaml): the
    outboxes recorded each label, and the report showed two lines for one
    field, each with part of its notices and deliveries."""
    aggregates = [("2026-03", "EMAIL", "c", "문화체육과", "culture", "문화공연", 3, 3.0, None),
                  ("2026-06", "EMAIL", "e", "문화체육과", "culture", "문화·공연", 2, 2.0, None),
                  ("2026-06", "SMS", "c", "문화체육과", "culture", "문화·공연", 1, 1.0, 9.0),
                  ("2026-06", "EMAIL", "a", "보건소", "health", "건강정보", 4, 4.0, None)]
    report = annual_report(2026, aggregates, Prices(sms=9, lms=27))
    assert [(line.item, line.notices, line.deliveries) for line in report.categories] == [
        ("문화·공연", 2, 6), ("건강정보", 1, 4)]
    assert sum(line.won for line in report.categories) == report.total.won == 9
