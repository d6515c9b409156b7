"""``sotong subscribers purge`` (content/pages/privacy.md, 제3조 1): a week
after someone unsubscribed, everything the store keeps of them but the
unsubscribe time is destroyed (their row's values, their consent log but
the unsubscribe, their consents, pending changes and queued mails), on both
backends; the others stay as they were; ``--dry-run`` only counts; no
address or phone in the output."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import socket
import subprocess
import sys
import threading
from email.parser import BytesParser
from email.policy import default as default_policy
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st
from delivery_support import ScriptedHandler, SMTPServer, login_options, run_cli, store_rows
from project_support import project_on

from sotong.store import Store, Subscriber
from sotong.subscribers import COLUMNS, purged_and_still_unsubscribed

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


def exported_changes(project) -> list[dict]:
    out = project / "private" / "changes.csv"
    assert run_cli(project / "pelicanconf.py", "subscribers", "changes", "--since", "2020-01-01", str(out)).code == 0
    return list(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))


def test_a_store_upgraded_from_the_indexed_log_purges_forgets_and_exports_the_log_as_before(project, store_location):
    """Core's step 3 takes the log's index by subscriber away (issue #16): on
    a store of version 2, opened again, the purge, forget and ``changes
    --since`` read the log through and leave or write what they did before."""
    store = Store.open(store_location)
    store.db.execute("CREATE INDEX consent_log_by_subscriber ON consent_log (subscriber_id)")
    store.db.execute("UPDATE schema_versions SET version = 2 WHERE component = 'core'")
    store.close()
    before = exported_changes(project)  # opening the store upgrades it
    assert {row["subscriber_id"] for row in before} == {"S1", "S2", "S3"}
    assert store_rows(project, "SELECT version FROM schema_versions WHERE component = 'core'") == [(3,)]
    index = ("SELECT name FROM sqlite_master WHERE type = 'index'" if not store_location.startswith("postgresql")
             else "SELECT indexname FROM pg_indexes WHERE indexname LIKE 'consent_log%'")
    assert ("consent_log_by_subscriber",) not in store_rows(project, index)
    assert run_cli(project / "pelicanconf.py", "subscribers", "purge").code == 0
    assert run_cli(project / "pelicanconf.py", "subscribers", "forget", "S2").code == 0
    assert exported_changes(project) == [row for row in before if row["subscriber_id"] == "S3" or (
        row["subscriber_id"] == "S1" and row["field"] == "unsubscribed_at")]


def test_a_purge_of_many_subscribers_trims_the_log_of_each(project, store_location, monkeypatch):
    """Their ids are written in chunks; the log, read once, loses every
    chunk's values but the unsubscribe time."""
    from subscriptions import retention

    monkeypatch.setattr(retention, "AT_ONCE", 1)
    store = Store.open(store_location)
    assert retention.purge_unsubscribed(store, ["S1", "S2"]) == 2
    store.close()
    assert store_rows(project, "SELECT subscriber_id, field FROM consent_log_columns WHERE subscriber_id <> 'S3' "
                               "ORDER BY subscriber_id") == [("S1", "unsubscribed_at"), ("S2", "unsubscribed_at")]


def test_an_import_brings_back_nothing_of_a_purged_subscriber_unless_they_subscribed_again(project):
    """The office's own system may still list them, unsubscribed or not: the
    import leaves those rows out and says so (their data stays destroyed);
    a row that subscribes them again (a later subscribed_at) is stored."""
    run_cli(project / "pelicanconf.py", "subscribers", "purge")
    purged = rows_of(project, "S1")
    source = project / "again.csv"
    for listed in (KIM, KIM.replace(",2026-11-16", ",")):
        source.write_text(HEADER + listed + PARK, encoding="utf-8")
        result = run_cli(project / "pelicanconf.py", "subscribers", "import", str(source))
        assert result.code == 0, result.output
        assert ("0 added, 0 updated, 1 unchanged, 0 rejected; 1 left out: unsubscribed, their data destroyed, "
                "not stored again") in result.output
        assert rows_of(project, "S1") == purged
    assert "2026-11-16: 0 subscribers" in run_cli(project / "pelicanconf.py", "subscribers", "purge").output
    source.write_text(HEADER + KIM.replace(",2025-01-05,2026-11-16", ",2026-11-20,"), encoding="utf-8")
    again = run_cli(project / "pelicanconf.py", "subscribers", "import", str(source))
    assert "0 added, 1 updated, 0 unchanged, 0 rejected." in again.output
    assert store_rows(project, "SELECT email, unsubscribed_at FROM subscribers WHERE id = 'S1'") == [
        ("kim@example.com", None)]


some_text = st.text("ab가", min_size=1, max_size=2)
LISTS = ("fields", "channels", "groups")  # "" when empty, the others None
days = st.dates(dt.date(2020, 1, 1), dt.date(2030, 1, 1)).map(dt.date.isoformat)


@st.composite
def stored_rows_unsubscribed(draw):
    """A stored row (the values of COLUMNS) of someone who unsubscribed."""
    row = {column: draw(st.one_of(st.just("") if column in LISTS else st.none(), some_text)) for column in COLUMNS}
    return {**row, "id": draw(st.text("S0123", min_size=1, max_size=4)), "kind": draw(some_text),
            "unsubscribed_at": draw(days)}


@pytest.fixture(scope="module")
def purged_store(tmp_path_factory):
    store = Store.open(tmp_path_factory.mktemp("purged") / "sotong.db")
    yield store
    store.close()


@settings(max_examples=80, deadline=None)
@given(stored_rows_unsubscribed(), st.one_of(st.none(), days))
def test_an_import_leaves_out_exactly_the_rows_of_purged_readers_it_does_not_subscribe_again(
        purged_store, stored, merged_unsubscribed_at):
    """Against the purge itself: the row it leaves in a store is left out
    when the imported row keeps them unsubscribed, and a row holding anything
    more is not."""
    from subscriptions.retention import purge_unsubscribed

    store, names = purged_store, ", ".join(COLUMNS)
    store.db.execute("DELETE FROM subscribers")
    store.db.execute(f"INSERT INTO subscribers ({names}) VALUES ({', '.join('?' * len(COLUMNS))})",
                     tuple(stored.values()))
    assert purge_unsubscribed(store, [stored["id"]]) == 1
    purged = tuple(store.db.execute(f"SELECT {names} FROM subscribers").fetchone())
    merged = tuple({**stored, "email": "new@example.com", "unsubscribed_at": merged_unsubscribed_at}[column]
                   for column in COLUMNS)
    still_unsubscribed = merged_unsubscribed_at is not None
    assert purged_and_still_unsubscribed(merged, purged) == still_unsubscribed
    assert purged_and_still_unsubscribed(merged, tuple(stored.values())) == (
        still_unsubscribed and purged == tuple(stored.values()))
    assert not purged_and_still_unsubscribed(merged, None)


# --- 제3조 6: sent nothing for two years ---------------------------------------------------

def seoul_today():
    from zoneinfo import ZoneInfo

    return dt.datetime.now(ZoneInfo("Asia/Seoul")).date()


def pin_today(project, day) -> None:
    with open(project / "pelicanconf.py", "a", encoding="utf-8") as settings:
        settings.write(f'\nSOTONG_TODAY = "{day.isoformat()}"\n')


@pytest.fixture
def quiet_project(tmp_path, store_location):
    """S1 (email) and S2 (phone only) were sent nothing for over two years;
    S3 was, a year ago (the last-sent day delivery's purge kept), S5 a
    hundred days ago (the journal); S4 subscribed this year."""
    import datetime as dt

    today = seoul_today()
    old, young = (today - dt.timedelta(days=3 * 365)).isoformat(), (today - dt.timedelta(days=100)).isoformat()
    project = project_on(store_location, tmp_path)
    pin_today(project, today)
    rows = [f"S1,김민지,kim@example.com,,1950,F,yongdap,health,email,person,,{old},",
            f"S2,이영수,,010-9999-0000,1951,M,yongdap,health,sms,person,,{old},",
            f"S3,박지훈,park@example.com,,1960,M,majang,culture,email,person,,{old},",
            f"S4,최수아,choi@example.com,,1970,F,majang,culture,email,person,,{young},",
            f"S5,정하늘,jung@example.com,,1980,F,majang,culture,email,person,,{old},"]
    (project / "in.csv").write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    assert run_cli(project / "pelicanconf.py", "subscribers", "import", str(project / "in.csv")).code == 0
    from delivery import journal, retention

    store = retention.ensure(Store.open(store_location))
    with store.transaction() as db:
        db.execute("UPDATE consent_log SET changed_at = ?", (f"{old}T09:00:00+09:00",))  # imported long ago
        db.execute("INSERT INTO delivery_last_sent VALUES ('S3', ?)", ((today - dt.timedelta(days=365)).isoformat(),))
        db.execute("INSERT INTO delivery_messages (outbox, kind, subscriber_id, channel, type, notices, state, queued_at, "
                   "updated_at, sent_at) VALUES ('x', 'issue', 'S5', 'email', 'EMAIL', '[]', 'sent', ?, ?, ?)",
                   (f"{young}T09:00:00+09:00",) * 3)
    store.close()
    assert journal  # the journal's table came with retention.ensure
    return project


class NoticeSink(ScriptedHandler):
    """A mail server (aiosmtpd) that keeps each mail's recipient and text."""

    def __init__(self):
        super().__init__()
        self.texts: list[tuple[str, str]] = []

    async def handle_DATA(self, server, session, envelope):
        answer = await super().handle_DATA(server, session, envelope)
        message = BytesParser(policy=default_policy).parsebytes(envelope.original_content)
        self.texts.extend((recipient, message.get_content()) for recipient in envelope.rcpt_tos)
        return answer


@pytest.fixture
def mail_server():
    with SMTPServer(NoticeSink()) as server:
        yield server


def use_mail_server(project, port: int) -> None:
    with open(project / "pelicanconf.py", "a", encoding="utf-8") as settings:
        settings.write(f"\nSMTP_HOST = '127.0.0.1'\nSMTP_PORT = {port}\n")


def closed_port() -> int:
    """A port nothing listens on: a mail server that is down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def korean_day(day) -> str:
    return f"{day.year}년 {day.month}월 {day.day}일"


def notices_of(project) -> list[tuple]:
    return store_rows(project, "SELECT subscriber_id, channel, ends_on FROM subscriptions_inactive_notices ORDER BY 1")


def ended(project) -> list[str]:
    return [row[0] for row in store_rows(project, "SELECT id FROM subscribers WHERE unsubscribed_at IS NOT NULL ORDER BY id")]


def test_subscribers_sent_nothing_for_two_years_are_told_and_ended_thirty_days_later_unless_they_change(
        quiet_project, store_location, mail_server):
    settings = quiet_project / "pelicanconf.py"
    use_mail_server(quiet_project, mail_server.port)
    dry = run_cli(settings, "subscribers", "purge", "--dry-run")
    assert dry.code == 0 and ": 2 subscribers would be told" in dry.output, dry.output
    assert mail_server.handler.texts == []

    told = run_cli(settings, "subscribers", "purge")
    assert told.code == 0 and "2 subscribers told (by email 1, by text 1, address refused 0, no address 0)" in told.output, told.output
    assert "example.com" not in told.output and "010" not in told.output
    end_day = seoul_today() + dt.timedelta(days=30)
    (to, text), = mail_server.handler.texts  # handed to the mail server by the command itself
    assert to == "kim@example.com" and korean_day(end_day) in text and "/p/" in text
    assert store_rows(quiet_project, "SELECT count(*) FROM subscriptions_mail") == [(0,)]
    texts = (quiet_project / "private" / "subscriptions" / "sms-codes.csv").read_text(encoding="utf-8")
    assert "010-9999-0000" in texts and "/p/" in texts and korean_day(end_day) in texts
    assert notices_of(quiet_project) == [("S1", "email", end_day.isoformat()), ("S2", "sms", end_day.isoformat())]
    assert "0 subscribers told" in run_cli(settings, "subscribers", "purge").output  # told once
    assert len(mail_server.handler.texts) == 1

    store = Store.open(store_location)  # S2 changes a field on the preferences page: active again
    with store.changes_from("preferences"), store.transaction():
        store.db.execute("UPDATE subscribers SET fields = 'health;culture' WHERE id = 'S2'")
    store.close()
    pin_today(quiet_project, seoul_today() + dt.timedelta(days=29))
    assert "; 0 told on or before" in run_cli(settings, "subscribers", "purge").output
    pin_today(quiet_project, end_day)
    result = run_cli(settings, "subscribers", "purge")
    assert "; 1 told on or before" in result.output and "ended." in result.output, result.output
    assert store_rows(quiet_project, "SELECT id, email, name, unsubscribed_at IS NOT NULL FROM subscribers "
                                     "WHERE unsubscribed_at IS NOT NULL OR email IS NULL ORDER BY id") == [
        ("S1", None, None, True), ("S2", None, "이영수", False)]
    assert store_rows(quiet_project, "SELECT source FROM consent_log WHERE subscriber_id = 'S1'") == [("retention",)]
    assert store_rows(quiet_project, "SELECT count(*) FROM subscriptions_inactive_notices") == [(0,)]


def test_the_notice_to_an_inactive_subscriber_is_signed_as_every_email(quiet_project, tmp_path_factory):
    """SPEC §14: with DKIM set, every email is signed; the purge's own notice went out without."""
    from test_dkim import DOMAIN, SELECTOR, RawInbox, assert_signed, ed25519_key

    key, record = ed25519_key(tmp_path_factory.mktemp("keys"))
    inbox = RawInbox()
    with SMTPServer(inbox) as server:
        use_mail_server(quiet_project, server.port)
        with open(quiet_project / "pelicanconf.py", "a", encoding="utf-8") as settings:
            settings.write(f'DKIM_DOMAIN = "{DOMAIN}"\nDKIM_SELECTOR = "{SELECTOR}"\nDKIM_KEY_PATH = "{key}"\n')
        told = run_cli(quiet_project / "pelicanconf.py", "subscribers", "purge")
        assert told.code == 0 and "2 subscribers told (by email 1," in told.output, told.output
        (data,) = inbox.wait_for(1)
    assert_signed(data, record)


def test_a_notice_is_not_sent_with_a_login_in_clear_to_another_machine(quiet_project, monkeypatch):
    """SMTP_USER without SMTP_STARTTLS and a server at 127.0.0.2 (not this
    machine) offering a login without TLS: the password is not sent, S1 is
    not told, and the run says what to write in the settings."""
    options, logins = login_options(require_tls=False)
    monkeypatch.setenv("SOTONG_SMTP_PASSWORD", "s3cret")
    handler = ScriptedHandler()
    with SMTPServer(handler, host="127.0.0.2", **options) as server:
        with open(quiet_project / "pelicanconf.py", "a", encoding="utf-8") as settings:
            settings.write(f"\nSMTP_HOST = '127.0.0.2'\nSMTP_PORT = {server.port}\nSMTP_USER = 'sotong'\n")
        refused = run_cli(quiet_project / "pelicanconf.py", "subscribers", "purge")
    assert refused.code == 1 and "1 inactive subscribers could not be told now (SMTP_USER is set but SMTP_STARTTLS is off" in refused.output
    assert "write SMTP_STARTTLS = True and SMTP_PORT = 587" in refused.output and "example.com" not in refused.output
    assert logins == [] and handler.accepted_counts() == {}
    assert [notice[0] for notice in notices_of(quiet_project)] == ["S2"]


def test_a_notice_the_mail_server_never_took_starts_no_days_and_is_sent_again(quiet_project):
    """The mail server is down for a month: S1's notice is never handed over,
    so S1 is not told, not ended when S2 (told by text that day) is, and is
    told by the first run that reaches the server, 30 days before their end."""
    settings, today = quiet_project / "pelicanconf.py", seoul_today()
    port = closed_port()
    use_mail_server(quiet_project, port)
    down = run_cli(settings, "subscribers", "purge")
    assert down.code == 1 and "1 subscribers told (by email 0, by text 1," in down.output, down.output
    assert (f"1 inactive subscribers could not be told now (the mail server 127.0.0.1:{port} could not be reached "
            "(ConnectionRefusedError)): not counted as told, their 30 days not started; the next run tells them: S1") in down.output
    assert "Traceback" not in down.output and "example.com" not in down.output
    assert "destroyed" in down.output  # the rest of the purge was done
    assert notices_of(quiet_project) == [("S2", "sms", (today + dt.timedelta(days=30)).isoformat())]

    pin_today(quiet_project, today + dt.timedelta(days=30))
    still_down = run_cli(settings, "subscribers", "purge")
    assert still_down.code == 1 and "; 1 told on or before" in still_down.output, still_down.output
    assert ended(quiet_project) == ["S2"]  # told by text 30 days ago; S1 never told, so kept
    assert store_rows(quiet_project, "SELECT email FROM subscribers WHERE id = 'S1'") == [("kim@example.com",)]

    with SMTPServer(NoticeSink()) as server:
        use_mail_server(quiet_project, server.port)
        up = run_cli(settings, "subscribers", "purge")
    assert up.code == 0 and "1 subscribers told (by email 1," in up.output, up.output
    end_day = today + dt.timedelta(days=60)
    (to, text), = server.handler.texts
    assert to == "kim@example.com" and korean_day(end_day) in text
    assert notices_of(quiet_project) == [("S1", "email", end_day.isoformat())]
    pin_today(quiet_project, end_day - dt.timedelta(days=1))
    use_mail_server(quiet_project, closed_port())  # nobody left to tell: the server is not needed
    assert run_cli(settings, "subscribers", "purge").code == 0 and ended(quiet_project) == ["S2"]
    pin_today(quiet_project, end_day)
    assert run_cli(settings, "subscribers", "purge").code == 0 and ended(quiet_project) == ["S1", "S2"]


def test_a_notice_refused_for_now_is_sent_again_and_a_refused_address_is_told_by_text(quiet_project, store_location):
    """451 to S1's address: not told (tried the next run); 550 to S6's, who
    has a phone: told by text instead; 550 to S7's, who has none: recorded
    as refused (nowhere to tell them), as one with no address is."""
    store = Store.open(store_location)
    with store.transaction():
        for subscriber_id, email, phone in (("S6", "yoon@example.com", "010-5555-0000"), ("S7", "han@example.com", None)):
            store.put_subscriber(Subscriber(id=subscriber_id, email=email, phone=phone, fields=frozenset({"health"}),
                                            channels=frozenset({"email"}), subscribed_at="2020-01-01"))
        store.db.execute("UPDATE consent_log SET changed_at = '2020-01-01T09:00:00+09:00'")
    store.close()
    settings = quiet_project / "pelicanconf.py"
    with SMTPServer(NoticeSink()) as server:
        use_mail_server(quiet_project, server.port)
        server.handler.rcpt_answers["kim@example.com"] = ["451 4.7.1 try later"]
        server.handler.refuse.update({"yoon@example.com": "550 5.1.1 no such user", "han@example.com": "550 5.1.1 no such user"})
        first = run_cli(settings, "subscribers", "purge")
        assert first.code == 1 and "3 subscribers told (by email 0, by text 2, address refused 1, no address 0)" in first.output, first.output
        assert f"(the mail server 127.0.0.1:{server.port} answered 451)" in first.output and "the next run tells them: S1" in first.output
        assert [row[:2] for row in notices_of(quiet_project)] == [("S2", "sms"), ("S6", "sms"), ("S7", "refused")]
        texts = (quiet_project / "private" / "subscriptions" / "sms-codes.csv").read_text(encoding="utf-8")
        assert "010-5555-0000" in texts
        second = run_cli(settings, "subscribers", "purge")
        assert second.code == 0 and "1 subscribers told (by email 1," in second.output, second.output
        assert [to for to, _text in server.handler.texts] == ["kim@example.com"]


def test_an_address_outside_ascii_is_told_in_the_form_the_server_takes_and_the_purge_goes_on(
        quiet_project, store_location, mail_server):
    """S6's domain is Korean: the notice goes to its IDNA form, as the
    collector's mails go; S7's address has Korean before the @ and the
    server offers no SMTPUTF8: told by text, as a refused address is. Before,
    smtplib's UnicodeEncodeError ended the purge with a traceback, every day,
    before anyone unsubscribed was destroyed."""
    store = Store.open(store_location)
    with store.transaction():
        for subscriber_id, email, phone in (("S6", "hong@성동구청.kr", None), ("S7", "김민지@example.com", "010-5555-0000")):
            store.put_subscriber(Subscriber(id=subscriber_id, email=email, phone=phone, fields=frozenset({"health"}),
                                            channels=frozenset({"email"}), subscribed_at="2020-01-01"))
        store.db.execute("UPDATE consent_log SET changed_at = '2020-01-01T09:00:00+09:00'")
    store.close()
    use_mail_server(quiet_project, mail_server.port)
    result = run_cli(quiet_project / "pelicanconf.py", "subscribers", "purge")
    assert result.code == 0 and "4 subscribers told (by email 2, by text 2," in result.output, result.output
    assert "destroyed" in result.output and "Traceback" not in result.output
    assert sorted(to for to, _text in mail_server.handler.texts) == ["hong@xn--2e0bw5j1qmcgl.kr", "kim@example.com"]
    assert [row[:2] for row in notices_of(quiet_project)] == [("S1", "email"), ("S2", "sms"), ("S6", "email"), ("S7", "sms")]


def test_a_phone_that_replied_no_more_texts_is_not_texted_the_notice(quiet_project, store_location, mail_server):
    """S6 replied "수신거부" to a text (sms_unsubscribed_at), and has no
    email: sent nothing since, S6 was texted the notice all the same; now
    recorded as one with nowhere to tell them, as S7, refused by the mail
    server and with a phone that replied so too."""
    store = Store.open(store_location)
    with store.transaction():
        for subscriber_id, email in (("S6", None), ("S7", "han@example.com")):
            store.put_subscriber(Subscriber(id=subscriber_id, email=email, phone=f"010-5555-000{subscriber_id[1]}",
                                            fields=frozenset({"health"}), channels=frozenset({"sms"}),
                                            subscribed_at="2020-01-01", sms_unsubscribed_at="2021-03-01"))
        store.db.execute("UPDATE consent_log SET changed_at = '2020-01-01T09:00:00+09:00'")
    store.close()
    mail_server.handler.refuse["han@example.com"] = "550 5.1.1 no such user"
    use_mail_server(quiet_project, mail_server.port)
    result = run_cli(quiet_project / "pelicanconf.py", "subscribers", "purge")
    assert result.code == 0 and "4 subscribers told (by email 1, by text 1, address refused 1, no address 1)" in result.output, result.output
    assert "010-5555" not in (quiet_project / "private" / "subscriptions" / "sms-codes.csv").read_text(encoding="utf-8")
    assert [row[:2] for row in notices_of(quiet_project)] == [("S1", "email"), ("S2", "sms"), ("S6", "none"), ("S7", "refused")]


def test_a_subscriber_imported_without_a_start_day_is_told_once_the_log_shows_two_years(quiet_project, store_location,
                                                                                       mail_server):
    """S6's subscribed_at cell was empty: sent nothing for years, S6 was never
    told nor ended; now the log's rows tell that S6 was there two years ago.
    S7, imported so yesterday, is not."""
    store = Store.open(store_location)
    with store.transaction():
        store.put_subscriber(Subscriber(id="S6", email="yoon@example.com", fields=frozenset({"health"}),
                                        channels=frozenset({"email"})))
        store.db.execute("UPDATE consent_log SET changed_at = '2020-01-01T09:00:00+09:00'")
        store.put_subscriber(Subscriber(id="S7", email="han@example.com", fields=frozenset({"health"}),
                                        channels=frozenset({"email"})))
    store.close()
    use_mail_server(quiet_project, mail_server.port)
    result = run_cli(quiet_project / "pelicanconf.py", "subscribers", "purge")
    assert result.code == 0 and "3 subscribers told (by email 2, by text 1," in result.output, result.output
    assert [row[:2] for row in notices_of(quiet_project)] == [("S1", "email"), ("S2", "sms"), ("S6", "email")]


class HeldAtData(NoticeSink):
    """A mail server that takes the first DATA and never answers it."""

    def __init__(self):
        super().__init__()
        self.data_came = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.data_came.set()
        await asyncio.sleep(60)
        return await super().handle_DATA(server, session, envelope)


def test_a_purge_killed_while_telling_leaves_nobody_ended_and_not_destroyed(quiet_project, store_location):
    """S2 was told by text 30 days ago: ended today, and destroyed in the same
    transaction, before S1 is told; the run killed (a crash, a timer's
    timeout) while the mail server holds S1's notice leaves S2 destroyed,
    not ended with their phone and name kept for another week."""
    from subscriptions import inactive

    today = seoul_today()
    store = inactive.ensure(Store.open(store_location))
    with store.transaction():
        store.db.execute("INSERT INTO subscriptions_inactive_notices (subscriber_id, told_at, channel, ends_on) "
                         "VALUES ('S2', '2020-01-01T09:00:00+09:00', 'sms', ?)", (today.isoformat(),))
    store.close()
    with SMTPServer(HeldAtData()) as server:
        use_mail_server(quiet_project, server.port)
        running = subprocess.Popen([sys.executable, "-m", "sotong", "subscribers", "purge", "-s",
                                    str(quiet_project / "pelicanconf.py")], cwd=quiet_project,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            assert server.handler.data_came.wait(30), "the purge never handed S1's notice over"
        finally:
            running.kill()
            running.wait()
    assert store_rows(quiet_project, "SELECT id, name, phone, unsubscribed_at IS NOT NULL FROM subscribers "
                                     "WHERE id = 'S2'") == [("S2", None, None, True)]
    assert notices_of(quiet_project) == []  # S1's notice never taken: told by the next run


def test_a_text_the_sms_transport_did_not_take_is_not_counted(quiet_project, mail_server):
    """The SMS code file cannot be written (here: a folder stands in its
    place): S2's notice is not recorded, and goes out once it can be."""
    settings = quiet_project / "pelicanconf.py"
    use_mail_server(quiet_project, mail_server.port)
    codes = quiet_project / "private" / "subscriptions" / "sms-codes.csv"
    codes.mkdir(parents=True)
    blocked = run_cli(settings, "subscribers", "purge")
    assert blocked.code == 1 and "1 subscribers told (by email 1, by text 0," in blocked.output, blocked.output
    assert "(the SMS transport could not take the texts (IsADirectoryError))" in blocked.output
    assert [row[0] for row in notices_of(quiet_project)] == ["S1"]
    codes.rmdir()
    assert "1 subscribers told (by email 0, by text 1," in run_cli(settings, "subscribers", "purge").output
    assert [row[:2] for row in notices_of(quiet_project)] == [("S1", "email"), ("S2", "sms")]
    assert "010-9999-0000" in codes.read_text(encoding="utf-8")


def test_notices_recorded_when_only_queued_are_told_again_after_the_upgrade(store_location):
    """Version 1 recorded a mail notice when it was queued (perhaps dropped
    unsent): the upgrade forgets those, and takes their queued mails back, so
    the next purge tells them; a text's notice keeps its 30 days."""
    from subscriptions import inactive, storage

    store = inactive.ensure(Store.open(store_location))
    with store.transaction() as db:
        db.execute("DROP TABLE subscriptions_inactive_notices")
        db.execute(inactive.SCHEMA.strip().rstrip(";"))
        db.execute("UPDATE schema_versions SET version = 1 WHERE component = 'subscriptions_inactive'")
        db.executemany("INSERT INTO subscriptions_inactive_notices VALUES (?, ?, ?)", [
            ("S1", "2026-11-01T23:30:00+09:00", "email"), ("S2", "2026-11-01T23:30:00+09:00", "sms"),
            ("S3", "2026-10-31T15:30:00+00:00", "none")])
        storage.queue_mail(store, "kim@example.com", inactive.SUBJECT, "본문", "S1")
        storage.queue_mail(store, "kim@example.com", "링크", "본문", "S1")
    store.close()
    store = inactive.ensure(Store.open(store_location))
    try:
        assert store.schema_version("subscriptions_inactive") == 2
        assert sorted(tuple(row) for row in store.db.execute(
            "SELECT subscriber_id, channel, ends_on FROM subscriptions_inactive_notices")) == [
            ("S2", "sms", "2026-12-01"), ("S3", "none", "2026-12-01")]
        assert [row[0] for row in store.db.execute("SELECT subject FROM subscriptions_mail")] == ["링크"]
    finally:
        store.close()


def test_texts_sent_a_year_ago_leave_the_sms_code_file(project):
    from subscriptions.outgoing import SMS_CODES_FILE

    path = project / "private" / SMS_CODES_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("time,phone,text\r\n2025-11-22T23:59:00+09:00,010-1234-5678,old\r\n"
                    "2025-11-23T00:00:00+09:00,010-9999-0000,\"kept, as written\"\r\n", encoding="utf-8")
    assert "private/subscriptions/sms-codes.csv" not in run_cli(project / "pelicanconf.py", "subscribers", "purge",
                                                                 "--dry-run").output
    result = run_cli(project / "pelicanconf.py", "subscribers", "purge")
    assert "private/subscriptions/sms-codes.csv: 1 texts sent before 2025-11-23 taken out" in result.output, result.output
    assert path.read_bytes().decode() == ("time,phone,text\r\n"
                                                "2025-11-23T00:00:00+09:00,010-9999-0000,\"kept, as written\"\r\n")


def test_sign_ups_never_confirmed_and_mails_never_sent_are_destroyed_though_no_sign_up_comes(project, store_location):
    """The collector drops them when the next sign-up comes (or its mailer
    runs): a month without one, or a collector stopped, kept a stranger's
    name, address and phone for good; the daily purge destroys them."""
    import time

    from subscriptions import storage

    store = storage.ensure(Store.open(store_location))
    with store.transaction():
        storage.add_pending(store, "signup", {"name": "홍길동", "email": "hong@example.com"}, seconds=-2 * 86400)
        storage.add_pending(store, "signup", {"name": "최수아", "email": "choi@example.com"})  # still waiting
        storage.queue_mail(store, "hong@example.com", "신청 확인", "링크")
        store.db.execute("UPDATE subscriptions_mail SET queued_at = ? WHERE recipient = 'hong@example.com'",
                         (time.time() - 2 * 86400,))
        for reader, ago in (("mailed-an-hour-ago", 3600), ("mailed-a-minute-ago", 60)):  # the /p/link taps remembered
            store.db.execute("INSERT INTO subscriptions_links_mailed VALUES (?, ?)", (reader, time.time() - ago))
    store.close()
    result = run_cli(project / "pelicanconf.py", "subscribers", "purge")
    assert result.code == 0 and "1 sign-ups and address changes never confirmed" in result.output, result.output
    assert "hong@" not in result.output
    assert store_rows(project, "SELECT data FROM subscriptions_pending") == [('{"name": "최수아", "email": "choi@example.com"}',)]
    assert store_rows(project, "SELECT recipient FROM subscriptions_mail") == [("S2@example.com",)]  # queued now (S1's: purged)
    assert store_rows(project, "SELECT reader FROM subscriptions_links_mailed") == [("mailed-a-minute-ago",)]


def test_the_previews_of_a_purged_subscriber_go_with_their_data(project):
    """``sotong preview --subscriber S1`` wrote S1's email (address, name)
    under private/preview/: it stayed for good once the store had destroyed
    all of S1 but the unsubscribe time. S2 (unsubscribed 6 days ago), S3
    and a persona's previews stay; a run stopped before is finished by the next."""
    previews = project / "private" / "preview"
    previews.mkdir(parents=True)
    names = [f"{reader}-2026-11-26.{suffix}" for reader in ("S1", "S2", "S3", "persona")
             for suffix in ("eml", "html", "sms.txt")]
    for name in names:
        (previews / name).write_text("김민지 <kim@example.com>", encoding="utf-8")
    result = run_cli(project / "pelicanconf.py", "subscribers", "purge")
    assert result.code == 0 and "whose data was destroyed, removed: previews 3." in result.output, result.output
    assert sorted(path.name for path in previews.iterdir()) == sorted(name for name in names if not name.startswith("S1-"))
    (previews / "S1-2026-12-10.eml").write_text("kim@example.com", encoding="utf-8")  # left by a run stopped before
    assert "previews 1." in run_cli(project / "pelicanconf.py", "subscribers", "purge").output
    assert not (previews / "S1-2026-12-10.eml").exists()
