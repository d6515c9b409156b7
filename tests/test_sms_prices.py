"""What the texts cost in the annual report (SPEC §11) is what they cost when
they were handed over: ``sotong send`` records the price in force (SMS_PRICE,
LMS_PRICE) with each SMS, so a price changed mid-year leaves the months before
at their price, and a purge keeps it; texts recorded before prices were are
priced at the setting, and the report says so. ``sotong db upgrade`` brings
an older store's tables up. On SQLite and PostgreSQL."""

from __future__ import annotations

import csv

import pytest

from delivery_support import ScriptedHandler, SMTPServer, add_subscribers, make_outbox, run_cli, send_outbox, store_rows
from project_support import project_on, run_sotong, store_of
from sotong.sms import Prices
from sotong.store import Store

TODAY = "2027-03-20"  # the outboxes of March 2026 and before are a year old: purged
TODAY_PRICES = "SMS_PRICE = 12\nLMS_PRICE = 30\n"  # the settings now; in March 2026 they were 9 and 27
MARCH, NOVEMBER = "2026-03-12", "2026-11-12"


@pytest.fixture
def project(tmp_path, store_location):
    return project_on(store_location, tmp_path, f'{TODAY_PRICES}SOTONG_TODAY = "{TODAY}"\n')


def send_year(project, march_prices: Prices | None) -> None:
    """An SMS and an LMS handed over in March at ``march_prices``, and an SMS in November at today's."""
    root, store = project / "private" / "outbox", store_of(project)
    send_outbox(store, make_outbox(root, MARCH, [], ["a"], sms={"S1": "SMS", "S2": "LMS"}),
                f"{MARCH}T10:00:00+09:00", march_prices)
    send_outbox(store, make_outbox(root, NOVEMBER, [], ["b"], sms={"S3": "SMS"}), f"{NOVEMBER}T10:00:00+09:00",
                Prices(sms=12, lms=30))


def month_costs(project) -> dict:
    rows = csv.DictReader((project / "private" / "reports" / "2026.csv").read_text(encoding="utf-8-sig").splitlines())
    return {row["Item"]: int(row["Text cost (won)"]) for row in rows if row["Table"] in ("by month", "total")
            and row["Text cost (won)"] != "0"}


def test_a_price_changed_mid_year_leaves_the_texts_before_at_what_they_cost(project):
    send_year(project, Prices(sms=9, lms=27))
    result = run_cli(project / "pelicanconf.py", "report", "--year", "2026")
    assert result.code == 0, result.output
    assert "texts cost 48 won." in result.output  # 9 + 27 in March, 12 in November; not 12 + 30 + 12
    assert "before Sotong recorded" not in result.output
    assert month_costs(project) == {"3월": 36, "11월": 12, "합계": 48}
    page = (project / "private" / "reports" / "2026.html").read_text(encoding="utf-8")
    assert "넘길 때 기록한 단가로 셉니다(SMS 9원·12원, LMS 27원)" in page and "단가를 기록하기 전에" not in page

    purged = run_cli(project / "pelicanconf.py", "send", "purge")  # March's outbox is a year old
    assert purged.code == 0 and "1 outboxes last sent before" in purged.output, purged.output
    again = run_cli(project / "pelicanconf.py", "report", "--year", "2026")
    assert "texts cost 48 won." in again.output and month_costs(project) == {"3월": 36, "11월": 12, "합계": 48}


def test_texts_recorded_before_prices_were_are_priced_at_the_setting_and_the_report_says_so(project):
    send_year(project, None)
    result = run_cli(project / "pelicanconf.py", "report", "--year", "2026")
    assert result.code == 0, result.output
    assert "texts cost 54 won." in result.output  # 12 + 30 (today's) in March, 12 in November
    assert ("2 of the texts were handed over before Sotong recorded each text's price: they are counted at today's "
            "SMS_PRICE and LMS_PRICE (12 won and 30 won a message)") in result.output
    page = (project / "private" / "reports" / "2026.html").read_text(encoding="utf-8")
    assert ("단가를 기록하기 전에 넘긴 문자 2건(SMS 1건, LMS 1건)은 그때의 단가를 알 수 없어 지금 설정한 단가(SMS 12원, "
            "LMS 30원)로 셌습니다.") in page
    korean = run_sotong(project, "report", "--year", "2026", env={"SOTONG_LANG": "ko"})
    assert "문자 2건은 소통이 문자마다 단가를 기록하기 전에 넘긴 것이라 지금 설정한 SMS_PRICE와 LMS_PRICE(건당 12원, 30원)로" \
        in korean.stdout, korean.output


def test_sotong_send_records_the_price_in_force_with_each_text(project):
    (project / "pelicanconf.py").write_text((project / "pelicanconf.py").read_text(encoding="utf-8")
                                            + "SMS_PRICE = 8.4\nLMS_PRICE = 25.3\n", encoding="utf-8")
    ids = add_subscribers(store_of(project), 3)
    make_outbox(project / "private" / "outbox", NOVEMBER, ids[:1], ["a"], sms={ids[1]: "SMS", ids[2]: "LMS"})
    with SMTPServer(ScriptedHandler()) as server:
        result = run_cli(project / "pelicanconf.py", "send", "--issue", NOVEMBER, "--host", "127.0.0.1",
                         "--port", str(server.port))
    assert result.code == 0, result.output
    assert store_rows(project, "SELECT subscriber_id, type, price FROM delivery_messages ORDER BY subscriber_id") == [
        (ids[0], "EMAIL", None), (ids[1], "SMS", 8.4), (ids[2], "LMS", 25.3)]


def test_db_upgrade_gives_an_older_stores_journal_and_kept_counts_their_price(project):
    send_year(project, Prices(sms=9, lms=27))
    assert run_cli(project / "pelicanconf.py", "send", "purge").code == 0  # March's counts kept
    store = Store.open(store_of(project))  # as a store was before prices were recorded
    for table, component, version in (("delivery_messages", "delivery_journal", 8),
                                      ("delivery_kept_counts", "delivery_retention", 1)):
        store.db.execute(f"ALTER TABLE {table} DROP COLUMN price")
        store.db.execute("UPDATE schema_versions SET version = ? WHERE component = ?", (version, component))
    store.close()
    result = run_sotong(project, "db", "upgrade")
    assert result.code == 0, result.output
    assert "delivery_journal: upgraded from version 8 to 9" in result.stdout
    assert "delivery_retention: upgraded from version 1 to 2" in result.stdout
    report = run_cli(project / "pelicanconf.py", "report", "--year", "2026")
    assert report.code == 0, report.output
    assert "texts cost 54 won." in report.output and "3 of the texts were handed over before" in report.output
