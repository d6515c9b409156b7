"""``sotong send results --issue D FILE.csv`` (SPEC §14): the SMS agency's
result file into the journal; failures scored like bounces; a wrong line
imports nothing; re-imports count nothing twice."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from project_support import copy_project, project_on, store_of
from delivery_support import (SMTPServer, ScriptedHandler, add_subscribers, make_outbox, marked_invalid, phone_of, run_cli,
                              store_rows)
from delivery.sms_results import SmsResult, read_results

from sotong.store import Store


ISSUE = "2026-11-26"
HEADER = "phone,status,code,time\n"


@pytest.fixture
def sent(tmp_path, store_location) -> Path:
    """Four SMS readers S00001..S00004 of ISSUE, handed over by sotong send;
    once on SQLite and once on PostgreSQL (SPEC §15)."""
    project_on(store_location, tmp_path, 'SMS_SOFT_CODES = ["3001"]\nBOUNCE_SCORE_LIMIT = 1\n')
    ids = add_subscribers(store_location, 4, channels=("sms",))
    make_outbox(tmp_path / "private" / "outbox", ISSUE, [], ["2026-11-21-cold-wave-warning"], sms={i: "SMS" for i in ids})
    with SMTPServer(ScriptedHandler()) as server:
        ran = run_cli(tmp_path / "pelicanconf.py", "send", "--issue", ISSUE, "--host", "127.0.0.1", "--port", str(server.port))
    assert ran.code == 0, ran.output
    return tmp_path


def results(project: Path, text: str):
    path = project / "result.csv"
    path.write_text(text, encoding="utf-8")
    return run_cli(project / "pelicanconf.py", "send", "results", "--issue", ISSUE, str(path))


def test_results_are_recorded_and_failures_scored_like_bounces(sent):
    text = (HEADER + f"{phone_of(1)},delivered,1000,2026-11-26 09:03:12\n"
            f"{phone_of(2).replace('-', '')},failed,2001,2026-11-26 09:03:15\n"
            f"{phone_of(3)},failed,3001,2026-11-26T09:04:00+09:00\n"
            f"{phone_of(4)},DELIVERED,1000,2026-11-26 09:05\n")
    ran = results(sent, text)
    assert ran.code == 0, ran.output
    assert "SMS results of 2026-11-26: 2 delivered, 2 failed (1 hard, 1 soft); 2 failures new to the journal." in ran.output
    assert store_rows(sent, "SELECT subscriber_id, status, code, time FROM delivery_sms_results ORDER BY 1") == [
        ("S00001", "delivered", "1000", "2026-11-26T09:03:12+09:00"), ("S00002", "failed", "2001", "2026-11-26T09:03:15+09:00"),
        ("S00003", "failed", "3001", "2026-11-26T09:04:00+09:00"), ("S00004", "delivered", "1000", "2026-11-26T09:05:00+09:00")]
    assert store_rows(sent, "SELECT subscriber_id, channel, kind, day FROM delivery_bounces ORDER BY 1") == [
        ("S00002", "sms", "hard", "2026-11-26"), ("S00003", "sms", "soft", "2026-11-26")]
    assert "Flagged 1 phone numbers as invalid (bounce score 1 or more); bundles send them no SMS until the number is changed: S00002" in ran.output
    assert marked_invalid(sent, "sms") == ["S00002"]
    assert "010-" not in str(store_rows(sent, "SELECT * FROM delivery_bounces") + store_rows(sent, "SELECT * FROM delivery_sms_results"))
    again = results(sent, text)
    assert "0 failures new to the journal" in again.output
    assert len(store_rows(sent, "SELECT * FROM delivery_bounces")) == 2
    report = run_cli(sent / "pelicanconf.py", "send", "report", "--issue", ISSUE)
    assert "SMS results from the agency: 2 delivered, 2 failed." in report.output
    assert "  S00002  sms  hard on 2026-11-26: the SMS agency reported it failed (code 2001)" in report.output


def test_a_wrong_line_imports_nothing_and_names_file_and_line(sent):
    text = (HEADER + f"{phone_of(1)},delivered,1000,2026-11-26 09:03:12\n"
            "010-9999-0000,failed,2001,2026-11-26 09:03:15\n"
            f"{phone_of(2)},bounced,2001,2026-11-26 09:03:15\n"
            f"{phone_of(3)},failed,2001,yesterday\n"
            "not a phone,failed,2001,2026-11-26 09:03:15\n"
            f"{phone_of(4)},failed\n"  # a short row: no code, no time
            f"{phone_of(4)}\n")
    ran = results(sent, text)
    assert ran.code == 1
    assert "result.csv:3: the phone column holds a number this outbox did not send to (it is not in its sms.csv)" in ran.output
    assert 'result.csv:4: status must be delivered or failed, not "bounced"' in ran.output
    assert 'result.csv:5: "yesterday" is not a time; write it like 2026-11-26 09:03:12' in ran.output
    assert "result.csv:6: the phone column is not a mobile number; write it like 010-1234-5678" in ran.output
    assert 'result.csv:7: "" is not a time; write it like 2026-11-26 09:03:12' in ran.output
    assert 'result.csv:8: status must be delivered or failed, not ""' in ran.output and "None" not in ran.output
    assert "Traceback" not in ran.output
    assert "0000" not in ran.output and "not a phone" not in ran.output  # the row and column, never the number
    assert store_rows(sent, "SELECT count(*) FROM delivery_sms_results") == [(0,)]
    wrong_header = results(sent, "number,result\n010-1000-0001,delivered\n")
    assert wrong_header.code == 1 and "result.csv:1: the header must name the columns phone, status, code, time" in wrong_header.output


def test_results_before_the_handover_are_refused(tmp_path, monkeypatch):
    copy_project(tmp_path)
    (tmp_path / "result.csv").write_text(HEADER, encoding="utf-8")
    ran = run_cli(tmp_path / "pelicanconf.py", "send", "results", "--issue", ISSUE, str(tmp_path / "result.csv"))
    assert ran.code == 1 and f"no SMS of {ISSUE} is in the journal; record the handover first with: sotong send --issue {ISSUE}" in ran.output
    monkeypatch.setenv("SOTONG_LANG", "ko")  # what is to be recorded: the SMS as handed to the agency
    ran = run_cli(tmp_path / "pelicanconf.py", "send", "results", "--issue", ISSUE, str(tmp_path / "result.csv"))
    assert f"먼저 문자를 대행사에 넘긴 것으로 기록하세요: sotong send --issue {ISSUE}" in ran.output


def test_an_issue_that_is_no_date_is_a_command_line_error(tmp_path):
    copy_project(tmp_path)
    (tmp_path / "result.csv").write_text(HEADER, encoding="utf-8")
    ran = run_cli(tmp_path / "pelicanconf.py", "send", "results", "--issue", "26.11.2026", str(tmp_path / "result.csv"))
    assert (ran.code, ran.output) == (2, 'Error: --issue "26.11.2026" is not a date; write it as YYYY-MM-DD, e.g. --issue 2026-11-26\n')


def test_a_flagged_phone_gets_no_sms_until_an_import_changes_it(sent):
    results(sent, HEADER + f"{phone_of(2)},failed,2001,2026-11-26 09:03:15\n")
    columns = "id,name,email,phone,birth_year,gender,dong,fields,channels,kind,business_type,subscribed_at,unsubscribed_at\n"
    same, changed = (sent / "same.csv"), (sent / "changed.csv")
    same.write_text(columns + f"S00002,,,{phone_of(2)},1960,,yongdap,health;culture,sms,person,,2020-01-01,\n", encoding="utf-8")
    changed.write_text(columns + "S00002,,,010-7777-0002,1960,,yongdap,health;culture,sms,person,,2020-01-01,\n", encoding="utf-8")
    assert run_cli(sent / "pelicanconf.py", "subscribers", "import", str(same)).code == 0
    assert marked_invalid(sent, "sms") == ["S00002"]  # the number marked, given again
    assert run_cli(sent / "pelicanconf.py", "subscribers", "import", str(changed)).code == 0
    assert marked_invalid(sent, "sms") == []  # a new number: the mark was the old one's


def test_a_wrong_bounce_score_limit_is_named_before_anything_is_read(tmp_path):
    copy_project(tmp_path, extra_settings='BOUNCE_SCORE_LIMIT = "three"\n')
    (tmp_path / "result.csv").write_text(HEADER, encoding="utf-8")
    ran = run_cli(tmp_path / "pelicanconf.py", "send", "results", "--issue", ISSUE, str(tmp_path / "result.csv"))
    assert ran.code == 1, ran.output
    assert "BOUNCE_SCORE_LIMIT: must be a score above 0 (a hard bounce counts 1, a soft one 0.5), e.g. BOUNCE_SCORE_LIMIT = 5" in ran.output


def test_a_quote_never_closed_is_one_line_and_imports_nothing(sent):
    """A cell that runs on past the csv module's limit (131,072 characters): its row's line, exit 1, nothing imported."""
    text = (HEADER + f"{phone_of(1)},delivered,1000,2026-11-26 09:03:12\n"
            f'{phone_of(2)},"failed,2001,2026-11-26 09:03:15\n' + f"{phone_of(3)},failed,2001,2026-11-26 09:03:16\n" * 5000)
    ran = results(sent, text)
    assert ran.code == 1 and "Traceback" not in ran.output
    assert ran.output.splitlines()[:2] == [
        "result.csv:3: a cell of the row that starts on this line runs on past 131072 characters, longer than any cell may be; "
        "shorten it, or, if a double quote opens a cell there and is never closed, close it",
        "result.csv: nothing was imported; correct the lines above and run again"]
    assert store_rows(sent, "SELECT count(*) FROM delivery_sms_results") == [(0,)]


def test_a_row_spanning_lines_is_named_by_its_first_line_and_a_wrong_phone_never_quoted(sent):
    """A quoted cell with a line break makes a row of several lines: the
    line named is the one it starts on (the spreadsheet's row), and the rows
    after keep theirs; a phone number that is wrong or unknown is said by
    its column, not by its digits (SPEC: lines name subscribers by id)."""
    text = (HEADER + f'{phone_of(1)},"failed\nretried",2001,2026-11-26 09:03:12\n'  # lines 2-3
            '"call 010-9876-\n5432",failed,2001,2026-11-26 09:03:15\n'              # lines 4-5
            "\n"                                                                      # line 6, empty
            "010-5555-4321,failed,2001,2026-11-26 09:03:15\n"                         # line 7
            f"{phone_of(2)},failed,2001,\"yester\nday\"\n")                           # lines 8-9
    ran = results(sent, text)
    assert ran.code == 1
    assert ran.output.splitlines()[:4] == [
        'result.csv:2: status must be delivered or failed, not "failed\\nretried"',
        "result.csv:4: the phone column is not a mobile number; write it like 010-1234-5678",
        "result.csv:7: the phone column holds a number this outbox did not send to (it is not in its sms.csv); "
        "check that the file belongs to this issue",
        'result.csv:8: "yester\\nday" is not a time; write it like 2026-11-26 09:03:12']
    assert not any(digits in ran.output for digits in ("9876", "5432", "5555", "4321"))
    assert store_rows(sent, "SELECT count(*) FROM delivery_sms_results") == [(0,)]


def test_an_sms_csv_with_a_quote_never_closed_is_one_line_not_a_traceback(sent):
    """The outbox's sms.csv (edited by hand after bundling) with a cell past
    the csv module's limit: the line its row starts on, exit 1."""
    sms_csv = sent / "private" / "outbox" / ISSUE / "sms.csv"
    lines = sms_csv.read_text(encoding="utf-8").splitlines()
    sms_csv.write_text("\n".join([lines[0], lines[1], 'S00002,"never closed', *["0123456789" * 5] * 5000]) + "\n",
                       encoding="utf-8")
    ran = results(sent, HEADER + f"{phone_of(1)},delivered,1000,2026-11-26 09:03:12\n")
    assert ran.code == 1 and "Traceback" not in ran.output
    assert ran.output.splitlines()[0].startswith("private/outbox/2026-11-26/sms.csv:3: a cell of the row that starts")


def test_a_failure_the_agency_retried_counts_once_and_a_reader_not_handed_over_not_at_all(tmp_path):
    """The agency's file holds S00002's failure and, after its retry, the
    delivery; and the result of S00004, who unsubscribed from SMS after
    bundling (sotong send left their SMS out; the agency had the sms.csv
    made before). The summary, sotong send report and the issue report
    agree: 2 delivered, 1 failed, of the 3 SMS handed over."""
    copy_project(tmp_path, extra_settings='BOUNCE_SCORE_LIMIT = 1\n')
    ids = add_subscribers(tmp_path / "private" / "sotong.db", 4, channels=("sms",))
    make_outbox(tmp_path / "private" / "outbox", ISSUE, [], ["2026-11-21-cold-wave-warning"], sms={i: "SMS" for i in ids})
    store_rows(tmp_path, "UPDATE subscribers SET sms_unsubscribed_at = '2026-11-25' WHERE id = 'S00004'")
    with SMTPServer(ScriptedHandler()) as server:
        assert run_cli(tmp_path / "pelicanconf.py", "send", "--issue", ISSUE, "--host", "127.0.0.1",
                       "--port", str(server.port)).code == 0
    ran = results(tmp_path, HEADER + f"{phone_of(1)},delivered,1000,2026-11-26 09:00\n"
                  f"{phone_of(2)},failed,2001,2026-11-26 09:01\n{phone_of(3)},failed,2001,2026-11-26 09:02\n"
                  f"{phone_of(4)},delivered,1000,2026-11-26 09:03\n{phone_of(2)},delivered,1000,2026-11-26 11:00\n")
    assert ran.code == 0, ran.output
    assert "Left out 1 results of readers whose SMS sotong send did not hand over" in ran.output
    assert "SMS results of 2026-11-26: 2 delivered, 1 failed (1 hard, 0 soft); 1 failures new to the journal." in ran.output
    assert marked_invalid(tmp_path, "sms") == ["S00003"]  # S00002's phone works
    report = run_cli(tmp_path / "pelicanconf.py", "send", "report", "--issue", ISSUE)
    assert "SMS results from the agency: 2 delivered, 1 failed." in report.output
    # as an import by an earlier Sotong recorded it: sotong send report counts it no more than the issue report
    store_rows(tmp_path, f"INSERT INTO delivery_sms_results VALUES ('{ISSUE}', 'S00004', 'delivered', '1000', 't', 'i')")
    report = run_cli(tmp_path / "pelicanconf.py", "send", "report", "--issue", ISSUE)
    assert "SMS results from the agency: 2 delivered, 1 failed." in report.output
    issue = run_cli(tmp_path / "pelicanconf.py", "report", "--issue", ISSUE)
    assert "SMS 2 delivered and 1 failed" in issue.output and "3 messages (0 emails, 3 SMS)" in issue.output


def test_a_result_of_a_number_two_readers_share_is_each_of_theirs(tmp_path):
    """S00002 and S00003 share a phone (a family; each id gets its own SMS,
    README): the agency's rows name the number, not the reader. Its failure
    is the failure of both texts, and the number is flagged for both; before,
    it went to whichever of them sms.csv listed last, and the other kept
    getting texts to a dead number while the reports counted one failure."""
    copy_project(tmp_path, extra_settings='BOUNCE_SCORE_LIMIT = 1\n')
    ids = add_subscribers(tmp_path / "private" / "sotong.db", 3, channels=("sms",))
    store_rows(tmp_path, f"UPDATE subscribers SET phone = '{phone_of(2)}' WHERE id = 'S00003'")
    folder = make_outbox(tmp_path / "private" / "outbox", ISSUE, [], ["2026-11-21-cold-wave-warning"],
                         sms={i: "SMS" for i in ids})
    sms_csv = folder / "sms.csv"
    sms_csv.write_text(sms_csv.read_text(encoding="utf-8").replace(f"S00003,{phone_of(3)}", f"S00003,{phone_of(2)}"),
                       encoding="utf-8")
    with SMTPServer(ScriptedHandler()) as server:
        assert run_cli(tmp_path / "pelicanconf.py", "send", "--issue", ISSUE, "--host", "127.0.0.1",
                       "--port", str(server.port)).code == 0
    ran = results(tmp_path, HEADER + f"{phone_of(1)},delivered,1000,2026-11-26 09:00\n"
                  f"{phone_of(2)},failed,2001,2026-11-26 09:01\n{phone_of(2)},failed,2001,2026-11-26 09:01\n")
    assert ran.code == 0, ran.output
    assert "SMS results of 2026-11-26: 1 delivered, 2 failed (2 hard, 0 soft); 2 failures new to the journal." in ran.output
    assert store_rows(tmp_path, "SELECT subscriber_id, status FROM delivery_sms_results ORDER BY 1") == [
        ("S00001", "delivered"), ("S00002", "failed"), ("S00003", "failed")]
    assert marked_invalid(tmp_path, "sms") == ["S00002", "S00003"]
    issue = run_cli(tmp_path / "pelicanconf.py", "report", "--issue", ISSUE)
    assert "SMS 1 delivered and 2 failed" in issue.output


@given(st.lists(st.tuples(st.sampled_from(["S1", "S2", "S3"]), st.sampled_from(["delivered", "failed"]),
                          st.sampled_from(["2026-11-26T09:00:00+09:00", "2026-11-26T10:00:00+09:00"])), max_size=8))
def test_each_reader_counts_once_by_its_latest_result(rows):
    """What the journal keeps of a file (its upsert: a later or equal time
    replaces) is what latest() counts: one result a reader, the last of
    its latest time."""
    from delivery.sms_results import SmsResult, latest

    kept = {result.subscriber_id: result for result in latest([SmsResult(r, s, "", t) for r, s, t in rows])}
    assert set(kept) == {r for r, _s, _t in rows}
    for reader, result in kept.items():
        last_time = max(t for r, _s, t in rows if r == reader)
        assert (result.status, result.time) == [(s, t) for r, s, t in rows if r == reader and t == last_time][-1]


def test_a_failure_of_the_number_a_reader_has_since_changed_does_not_flag_the_new_one(sent):
    """The agency's file reports the number the SMS went to; a reader who
    gave a new number since (an import, the preferences page) had it flagged
    invalid by the old one's failure, and got no SMS there until it changed again."""
    columns = "id,name,email,phone,birth_year,gender,dong,fields,channels,kind,business_type,subscribed_at,unsubscribed_at\n"
    changed = sent / "changed.csv"
    changed.write_text(columns + "S00002,,,010-7777-0002,1960,,yongdap,health;culture,sms,person,,2020-01-01,\n", encoding="utf-8")
    store = Store.open(store_of(sent))
    with store.transaction() as db:  # subscribed before, handed over at nine, the number changed after
        db.execute("UPDATE consent_log SET changed_at = '2026-11-20T10:00:00+09:00'")
        db.execute("UPDATE delivery_messages SET sent_at = '2026-11-26T09:00:00+09:00'")
    store.close()
    assert run_cli(sent / "pelicanconf.py", "subscribers", "import", str(changed)).code == 0
    ran = results(sent, HEADER + f"{phone_of(2)},failed,2001,2026-11-26 09:03:15\n{phone_of(3)},failed,2001,2026-11-26 09:03:16\n")
    assert ran.code == 0, ran.output
    assert "1 failed" not in ran.output and "2 failed (2 hard, 0 soft)" in ran.output
    assert marked_invalid(sent, "sms") == ["S00003"]  # S00002's new number is not the one that failed


def test_a_result_file_opened_and_saved_in_excel_is_read():
    """Excel drops the phone's first 0 (the cell is a number) and writes
    the time as it shows it, the hour in one digit and no seconds."""
    text = "phone,status,code,time\r\n1010000001,delivered,1000,2026-11-26 9:03\r\n"
    assert read_results(text, "result.csv", {"010-1000-0001": ("S00001",)}) == (
        [SmsResult("S00001", "delivered", "1000", "2026-11-26T09:03:00+09:00")], [])


def test_a_result_file_as_korean_agencies_deliver_it_is_imported(sent):
    """Saved from Excel as CP949 with Korean headers and status words, a
    blank row (Excel's ``,,,``), phones with and without hyphens or as
    8210…, times in Korean Excel's 오전/오후, with dots or as 14 digits."""
    text = ("전화번호,결과,코드,시간\r\n"
            f"{phone_of(1).replace('-', '')},성공,1000,2026-11-26 오전 9:03:12\r\n"
            ",,,\r\n"
            f"82{phone_of(2).replace('-', '')[1:]},실패,2001,2026.11.26 09:03\r\n"
            f"{phone_of(3)},실패,3001,20261126130400\r\n"
            f"{phone_of(4)},성공,1000,2026/11/26 오후 1:05\r\n")
    path = sent / "결과.csv"
    path.write_bytes(text.encode("cp949"))
    ran = run_cli(sent / "pelicanconf.py", "send", "results", "--issue", ISSUE, str(path))
    assert ran.code == 0, ran.output
    assert store_rows(sent, "SELECT subscriber_id, status, code, time FROM delivery_sms_results ORDER BY 1") == [
        ("S00001", "delivered", "1000", "2026-11-26T09:03:12+09:00"), ("S00002", "failed", "2001", "2026-11-26T09:03:00+09:00"),
        ("S00003", "failed", "3001", "2026-11-26T13:04:00+09:00"), ("S00004", "delivered", "1000", "2026-11-26T13:05:00+09:00")]


def test_a_time_of_day_past_twelve_with_its_half_of_the_day_is_no_time():
    from delivery.sms_results import parse_time

    assert parse_time("2026-11-26 오후 13:05") is None and parse_time("2026-11-26 오전 12:05") == "2026-11-26T00:05:00+09:00"
    assert parse_time("2026. 11. 26. 오후 3:05:09") == "2026-11-26T15:05:09+09:00"  # as a Korean browser writes it
