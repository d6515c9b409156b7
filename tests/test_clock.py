"""One clock (issue #8): every time the store keeps is Asia/Seoul with its
offset, whatever zone the machine is set to, and the import compares the
collector's unsubscribe with the CSV's Seoul dates by the Seoul day."""

from __future__ import annotations

import csv

import datetime as dt
import sqlite3
import sys
import subprocess
from zoneinfo import ZoneInfo

from project_support import run_sotong

FAR_FROM_SEOUL = {"TZ": "Pacific/Pago_Pago"}  # UTC-11: the local day is Seoul's day before until 20:00 in Seoul
HEADER = "id,name,email,phone,birth_year,gender,dong,fields,channels,kind,business_type,subscribed_at,unsubscribed_at\n"


def row(subscribed_at: str) -> str:
    return f"S1,김,kim@example.com,,1980,F,yongdap,health,email,,,{subscribed_at},\n"


def test_an_import_does_not_resubscribe_someone_who_unsubscribed_this_morning_in_seoul(project_dir):
    today_in_seoul = dt.datetime.now(ZoneInfo("Asia/Seoul")).date().isoformat()
    (project_dir / "first.csv").write_text(HEADER + row("2026-01-05"), encoding="utf-8")
    assert run_sotong(project_dir, "subscribers", "import", "first.csv", env=FAR_FROM_SEOUL).code == 0
    unsubscribe = "from sotong.store import Store; Store.open('private/sotong.db').unsubscribe('S1')"  # as the collector does
    subprocess.run([sys.executable, "-c", unsubscribe], cwd=project_dir, env=_env(FAR_FROM_SEOUL), check=True)
    stored = _unsubscribed_at(project_dir)
    assert stored.endswith("+09:00") and stored[:10] == today_in_seoul

    # The e-communication system's export of this morning: subscribed today (Seoul), before the unsubscribe.
    (project_dir / "today.csv").write_text(HEADER + row(today_in_seoul), encoding="utf-8")
    result = run_sotong(project_dir, "subscribers", "import", "today.csv", env=FAR_FROM_SEOUL)
    assert result.code == 0, result.output
    assert _unsubscribed_at(project_dir) == stored
    exported = run_sotong(project_dir, "subscribers", "export", "out.csv", env=FAR_FROM_SEOUL)
    exported_row = next(csv.DictReader((project_dir / "out.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert exported.code == 0
    assert (exported_row["subscribed_at"], exported_row["unsubscribed_at"]) == (today_in_seoul, today_in_seoul)


def test_times_written_in_another_zone_by_an_older_store_read_as_their_seoul_day():
    from sotong.store import seoul_day
    from sotong.subscribers import kept_unsubscribed_at

    assert seoul_day("2026-11-25T23:30:00+00:00") == "2026-11-26"  # 08:30 in Seoul
    assert seoul_day("2026-11-26T08:30:00+09:00") == "2026-11-26"
    assert seoul_day("2026-11-26") == "2026-11-26"
    assert kept_unsubscribed_at("2026-11-25T23:30:00+00:00", "2026-11-26", None) == "2026-11-25T23:30:00+00:00"
    assert kept_unsubscribed_at("2026-11-25T23:30:00+00:00", "2026-11-27", None) is None


def _env(extra: dict) -> dict:
    import os

    return dict(os.environ, **extra)


def _unsubscribed_at(project_dir) -> str:
    db = sqlite3.connect(project_dir / "private" / "sotong.db")
    value = db.execute("SELECT unsubscribed_at FROM subscribers WHERE id = 'S1'").fetchone()[0]
    db.close()
    return value
