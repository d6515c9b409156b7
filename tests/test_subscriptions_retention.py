"""``sotong subscribers purge`` (content/pages/privacy.md, 제3조 1): a week
after someone unsubscribed, everything the store keeps of them but the
unsubscribe time is destroyed (their row's values, their consent log but
the unsubscribe, their consents, pending changes and queued mails), on both
backends; the others stay as they were; ``--dry-run`` only counts; no
address or phone in the output."""

from __future__ import annotations

from pathlib import Path

import pytest
from delivery_support import run_cli, store_rows
from project_support import project_on

from sotong.store import Store

HEADER = "id,name,email,phone,birth_year,gender,dong,fields,channels,kind,business_type,subscribed_at,unsubscribed_at\n"
KIM = "S1,김민지,kim@example.com,010-1234-5678,1950,F,yongdap,health;culture,email;sms,person,,2025-01-05,2026-11-16\n"
LEE = "S2,이영수,lee@example.com,010-9999-0000,1951,M,yongdap,health,email,person,,2025-01-05,2026-11-17\n"
PARK = "S3,박지훈,park@example.com,,1960,M,majang,culture,email,person,,2025-01-05,\n"
TODAY = "2026-11-23"  # S1 unsubscribed 7 days before, S2 6 days before


@pytest.fixture
def project(tmp_path, store_location):
    project = project_on(store_location, tmp_path, f'SOTONG_TODAY = "{TODAY}"')
    source = project / "in.csv"
    for rows in (KIM.replace("kim@", "kim.old@").replace(",2026-11-16", ",") + LEE + PARK, KIM + LEE + PARK):
        source.write_text(HEADER + rows, encoding="utf-8")  # Kim changed her address, then unsubscribed
        assert run_cli(project / "pelicanconf.py", "subscribers", "import", str(source)).code == 0
    from subscriptions import storage

    store = storage.ensure(Store.open(store_location))
    with store.transaction():
        for reader in ("S1", "S2"):
            storage.record_consent(store, reader, "2025-01")
            storage.queue_mail(store, f"{reader}@example.com", "링크", "본문", reader)
    store.close()
    return project


def rows_of(project, subscriber_id: str) -> dict:
    return {
        "subscriber": store_rows(project, f"SELECT * FROM subscribers WHERE id = '{subscriber_id}'"),
        "log": store_rows(project, f"SELECT * FROM consent_log WHERE subscriber_id = '{subscriber_id}' ORDER BY id"),
        "own": [store_rows(project, f"SELECT count(*) FROM {table} WHERE subscriber_id = '{subscriber_id}'")
                for table in ("subscriptions_consents", "subscriptions_mail")]}


def test_purge_keeps_only_the_id_and_the_unsubscribe_time_of_those_unsubscribed_a_week_ago(project, store_location):
    others = {reader: rows_of(project, reader) for reader in ("S2", "S3")}
    unsubscribed_at = store_rows(project, "SELECT unsubscribed_at FROM subscribers WHERE id = 'S1'")[0][0]
    dry = run_cli(project / "pelicanconf.py", "subscribers", "purge", "--dry-run")
    assert dry.code == 0 and "on or before 2026-11-16: 1 subscribers' data would be destroyed;" in dry.output, dry.output
    assert store_rows(project, "SELECT name FROM subscribers WHERE id = 'S1'") == [("김민지",)]
    result = run_cli(project / "pelicanconf.py", "subscribers", "purge")
    assert result.code == 0 and "1 subscribers' data destroyed" in result.output, result.output
    assert "example.com" not in result.output and "010" not in result.output
    assert store_rows(project, "SELECT id, name, email, phone, birth_year, gender, dong, fields, channels, "
                               "business_type, subscribed_at, sms_unsubscribed_at, groups, unsubscribed_at "
                               "FROM subscribers WHERE id = 'S1'") == [
        ("S1", None, None, None, None, None, None, "", "", None, None, None, "", unsubscribed_at)]
    assert store_rows(project, "SELECT field, old_value, new_value FROM consent_log_columns WHERE subscriber_id = 'S1'") == [
        ("unsubscribed_at", None, unsubscribed_at)]
    assert rows_of(project, "S1")["own"] == [[(0,)], [(0,)]]
    assert {reader: rows_of(project, reader) for reader in ("S2", "S3")} == others
    again = run_cli(project / "pelicanconf.py", "subscribers", "purge")
    assert "2026-11-16: 0 subscribers" in again.output
    if not store_location.startswith("postgresql"):  # the old values are not left in the file's free pages
        data = b"".join(path.read_bytes() for path in Path(store_location).parent.glob("sotong.db*"))
        assert b"kim@example.com" not in data and b"kim.old@example.com" not in data and "김민지".encode() not in data
        assert b"lee@example.com" in data


def test_what_an_import_brings_back_of_a_purged_subscriber_goes_at_the_next_purge(project):
    """The office's own system may still list them: the import fills their
    row again (never subscribing them again), and the daily purge empties it."""
    run_cli(project / "pelicanconf.py", "subscribers", "purge")
    source = project / "again.csv"
    source.write_text(HEADER + KIM.replace(",2026-11-16", ","), encoding="utf-8")
    run_cli(project / "pelicanconf.py", "subscribers", "import", str(source))
    assert store_rows(project, "SELECT email FROM subscribers WHERE id = 'S1'") == [("kim@example.com",)]
    assert "1 subscribers' data destroyed" in run_cli(project / "pelicanconf.py", "subscribers", "purge").output
    assert store_rows(project, "SELECT email, unsubscribed_at IS NOT NULL FROM subscribers WHERE id = 'S1'") == [
        (None, True)]
    assert store_rows(project, "SELECT DISTINCT field FROM consent_log_columns WHERE subscriber_id = 'S1'") == [("unsubscribed_at",)]
