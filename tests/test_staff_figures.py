"""The figures PR staff read after a command, in Korean (the default):
counts written the Korean way, with thousands separators (12,345, as the
reports' pages and the costs in 원 already were), and the bundles summary
saying of each count whether it is messages (통, 건) or subscribers (명).
A district's list runs to tens of thousands, where "98765" had to be read
digit by digit and "이번에 받을 것이 없음: 20000" did not say 20,000 what."""

from __future__ import annotations

from pathlib import Path

import pytest
from bundles.outbox import Summary
from delivery.bounce_commands import _say
from delivery.commands import _emails_line, _state_lines
from delivery.bounce_rules import Verdict
from delivery.bounces import Bounce, Sorted
from delivery.retention import ensure
from delivery.sender import SendFigures
from delivery.verp import ReturnPath
from delivery_support import run_cli
from project_support import copy_project, store_of

from sotong.sms import MessageCounts, Prices
from sotong.store import Store
from sotong.subscribers import ImportReport


@pytest.fixture
def korean(monkeypatch):
    monkeypatch.setenv("SOTONG_LANG", "ko")


def test_the_bundles_summary_separates_thousands_and_says_messages_or_subscribers(korean):
    summary = Summary(Path("private/outbox/2026-12-10"), readers=120_345, emails=98_765, sms=12_000, lms=3_456,
                      nothing=20_000, invalid_email=1_234, unsubscribed=1_500, seconds=12.3, prices=Prices(sms=9, lms=27),
                      repeated=MessageCounts(sms=1_100))
    assert summary.lines("private/outbox/2026-12-10") == [
        "메시지 114,221건을 private/outbox/2026-12-10/에 썼습니다 (12.3초, 구독자 120,345명):",
        "  이메일: 98,765통",
        "  문자:  15,456건 (SMS 12,000건, LMS 3,456건)",
        "  비용:  201,312원 (SMS 12,000 × 9원, LMS 3,456 × 27원), 이메일은 무료. SMS_POLICY all",
        "  이번에 받을 것이 없는 구독자: 20,000명",
        "  건너뜀, 받을 수 없는 이메일 주소: 1,234명",
        "  건너뜀, 수신 거부: 1,500명",
        "  이미 문자를 받는 번호로 한 번 더: 1,100건, 9,900원. 두 구독자가 한 전화번호를 씁니다(가족이거나, 한 사람이 두 번 등록됨). "
        "sotong subscribers shared로 누구인지 확인하세요",
    ]


def test_the_import_summary_separates_thousands(korean):
    report = ImportReport(added=12_345, updated=2_000, unchanged=100_000, rejected=3, purged=1_001)
    assert report.summary().startswith("추가 12,345명, 변경 2,000명, 그대로 100,000명, 거부 3명, 제외 1,001명")


def test_the_send_and_send_report_lines_separate_thousands(korean):
    line = _emails_line(SendFigures(sent=98_765, failed=1_234, deferred=1_000, withdrawn=2_500, seconds=600.0))
    assert line.startswith("이메일: 보냄 98,765, 실패 1,234, 미뤄짐 1,000 (600.0초)") and "2,500" in line
    counts = {("email", "EMAIL", "sent"): 98_765, ("email", "EMAIL", "failed"): 1_234, ("sms", "LMS", "handed_over"): 15_456}
    assert _state_lines(counts) == ["  이메일: 보냄 98,765, 실패 1,234 (모두 99,999건)",
                                    "  문자(SMS·LMS): 대행사에 넘김 15,456 (모두 15,456건)"]


def test_the_bounces_summary_separates_thousands(korean, capsys):
    hard = Verdict("hard", "5.1.1", "550 5.1.1 User unknown")
    found = Sorted(bounces=[(f"{index}", Bounce(f"{index}", ReturnPath(f"S{index:06d}", "2026-12-10"), hard, "2026-12-11"))
                            for index in range(1_200)], unattributed=1_500, not_bounces=2_000)
    _say(found, 1_100, 0, {f"S{index:06d}" for index in range(1_200)}, [], 1.0, "sotong-handled")
    said = capsys.readouterr().out
    assert "1,200" in said and "1,100" in said and "1,500" in said and "2,000" in said, said


def test_the_annual_report_line_separates_thousands_but_not_the_year(korean, tmp_path):
    project = copy_project(tmp_path)
    store = ensure(Store.open(store_of(project)))
    with store.transaction():
        for kind, deliveries, messages in (("EMAIL", 98_765, 98_765.0), ("LMS", 3_456, 3_456.0)):
            store.db.execute("INSERT INTO delivery_kept_counts VALUES ('2026-03-12', '2026-03', ?, 'a', '보건소', "
                             "'health', '건강정보', ?, ?, '2027-03-20T00:10:00+09:00', NULL)", (kind, deliveries, messages))
    store.close()
    result = run_cli(project / "pelicanconf.py", "report", "--year", "2026")
    assert result.code == 0, result.output
    assert "2026년: 공지 1건, 발송 102,221건 (이메일 98,765, SMS 0, LMS 3,456). 문자 비용 93,312원." in result.output
