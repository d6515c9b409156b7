"""Consent over time, every source interleaved (SPEC §4, §6, §13): a
hypothesis state machine drives the real collector over real HTTP (sign-up
and its confirmation, late, twice or for an address already on record; the
preferences page; email changes and their confirmation; one-click
unsubscribe; "stop everything") and the real commands (CSV imports, an old
export imported again, SMS opt-outs, forget) for a few residents, and
checks after every step, against a small model written from SPEC: each
reader's state in the store, one consent-log entry per real change (old and
new values, source) and none for a no-op, `sotong reach` counting exactly
the subscribed consenting readers, and nothing left of a forgotten one."""

from __future__ import annotations

import contextlib
import csv
from collections import Counter
import io
import json
import re
import sqlite3
import urllib.parse
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
import os

from hypothesis import settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test
from project_support import copy_project, serving, sms_code_file, store_query
from delivery_support import SMTPServer, run_cli
from test_serve import request

from sotong.project import Project
from sotong.store import Store, now_iso, seoul_day
from sotong.tokens import make_token, unsubscribe_token
from sotong.web import make_app

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
ADDRESSES = ("r1@example.com", "r1.new@example.com", "r2@example.com", "r2.new@example.com", "r3@example.com")
PHONES = ("010-1111-0001", "010-1111-0002", "010-1111-0003")
FIELDS = ("health", "culture", "tax")
DONGS = ("yongdap", "majang", "oksu")
NOTICE, ISSUE = "2026-09-02-property-tax-september", "2026-09-10"  # category tax, email and sms, no audiences
HEADER = "id,name,email,phone,birth_year,gender,dong,fields,channels,kind,business_type,subscribed_at,unsubscribed_at\n"
AGAIN, DAY = 5 * 60 + 1, 25 * 3600  # past a double tap's five minutes; past a link's 24 hours
TABLES = ("subscribers", "consent_log", "subscriptions_pending", "subscriptions_consents", "subscriptions_mail",
          "subscriptions_links_mailed", "subscriptions_rate", "subscriptions_texts")


class Accept:
    """An SMTP handler that takes every mail (the collector's mails are not read: their links are made here)."""

    async def handle_DATA(self, server, session, envelope):
        return "250 2.0.0 OK"


@dataclass(frozen=True)
class Reader:
    """What SPEC says the store holds of one subscriber; days, not times."""

    # what they consented to, and since when
    fields: frozenset
    channels: frozenset
    subscribed_day: str | None
    # where it goes
    email: str | None
    phone: str | None
    # who they are (the match rule's attributes, SPEC §3)
    name: str | None
    birth_year: int | None
    gender: str | None
    dong: str | None
    kind: str = "person"
    # what they withdrew
    unsubscribed_day: str | None = None
    sms_out: bool = False  # a 수신거부 reply

    @property
    def subscribed(self) -> bool:
        return self.unsubscribed_day is None


@dataclass
class Pending:
    """A confirmation link mailed: a sign-up's (``email`` its address) or an email change's (``reader``)."""

    id: str
    email: str
    data: dict
    reader: str | None = None
    used: bool = False
    recent: bool = True  # within the five minutes a second tap sends no second mail
    expired: bool = False


def today() -> str:
    return now_iso()[:10]


def day_from_today(days: int) -> str:
    import datetime as dt

    return (dt.date.fromisoformat(today()) + dt.timedelta(days=days)).isoformat()


def reader_of(row) -> Reader:
    """The store's row as the model reads it."""
    return Reader(name=row["name"], email=row["email"], phone=row["phone"], birth_year=row["birth_year"],
                  gender=row["gender"], dong=row["dong"], fields=frozenset(filter(None, row["fields"].split(";"))),
                  channels=frozenset(filter(None, row["channels"].split(";"))),
                  subscribed_day=row["subscribed_at"] and seoul_day(row["subscribed_at"]),
                  unsubscribed_day=row["unsubscribed_at"] and seoul_day(row["unsubscribed_at"]),
                  sms_out=row["sms_unsubscribed_at"] is not None, kind=row["kind"])


LOGGED = ("name", "email", "phone", "birth_year", "gender", "dong", "fields", "channels", "kind", "business_type",
          "subscribed_at", "unsubscribed_at", "groups", "sms_unsubscribed_at")


class World:
    """The project and its collector, made once per test; each example starts from an empty store."""

    project: Path
    port: int


WORLD = World()


def rows_of(sql: str, params=()) -> list:
    store = Store.open(str(WORLD.project / "private" / "sotong.db"))
    try:
        return store.db.execute(sql, params).fetchall()
    finally:
        store.close()


def post(path: str, fields: dict) -> tuple[int, dict, str]:
    return request(WORLD.port, "POST", path, urllib.parse.urlencode(fields, doseq=True).encode(), FORM)


def text_row(row) -> dict:
    return {column: None if row[column] is None else str(row[column]) for column in LOGGED}


rows_st = st.lists(st.fixed_dictionaries({
    "who": st.sampled_from(("S1", "S2", "S3", "known")), "email": st.sampled_from(ADDRESSES),
    "phone": st.sampled_from((None, *PHONES)), "sms": st.booleans(), "dong": st.sampled_from(DONGS),
    "fields": st.sets(st.sampled_from(FIELDS), min_size=1),
    "subscribed": st.sampled_from((None, -400, -1, 0, 1)), "unsubscribed": st.sampled_from((None, None, -400, -1, 0))}),
    min_size=1, max_size=3)


class ConsentOverTime(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        for table in TABLES:  # the collector keeps its store open: the rows go, the tables stay
            store_query(WORLD.project, f"DELETE FROM {table}")
        self.readers: dict[str, Reader] = {}
        self.known_phones: dict[str, set] = {}  # every number a reader had or asked for
        # reader -> the number their code went to, its age in seconds, how many codes that number got before
        self.codes: dict[str, tuple[str, int, int]] = {}
        self.known_emails: dict[str, set] = {}  # every address a reader had or asked for (forget erases them all)
        self.pending: list[Pending] = []
        self.gone: list[Pending] = []  # links whose pending answer forget erased
        self.imported: list[str] = []  # the CSV files imported, to import an old one again
        # drawn from in the order they came (the collector's ids are random: sorted, the draws would differ run to run)
        self.forgotten: list[str] = []
        self.forgotten_now: set[str] = set()  # by this step
        self.forgotten_emails: set[str] = set()
        self.source: str | None = None  # the source the step's changes are logged with
        self.before = self.snapshot()
        self.log = Counter()

    # -- the model's reading of SPEC -------------------------------------------------------------
    def by_email(self, address: str) -> str | None:
        """The reader a sign-up of ``address`` is (SPEC §13: the one with this address; subscribed first)."""
        found = sorted((not reader.subscribed, rid) for rid, reader in self.readers.items()
                       if (reader.email or "").lower() == address.lower())
        return found[0][1] if found else None

    def snapshot(self) -> dict[str, dict]:
        return {row["id"]: dict(row) for row in rows_of("SELECT * FROM subscribers")}

    # -- the collector -----------------------------------------------------------------------------
    @rule(address=st.sampled_from(ADDRESSES), fields=st.sets(st.sampled_from(FIELDS), min_size=1),
          dong=st.sampled_from(DONGS), year=st.sampled_from(("1950", "1988")), phone=st.sampled_from((None, *PHONES)), confirmed=st.booleans())
    def sign_up(self, address, fields, dong, year, phone, confirmed):
        """A sign-up on the form; ``confirmed``: its link's button pressed at once (else later, or never)."""
        data = {"name": "주민", "email": address, "birth_year": year, "gender": "F", "dong": dong, "phone": phone or "",
                "fields": sorted(fields), "channels": ["email", "sms"] if phone else ["email"], "consent": "yes",
                "website": ""}
        known = {row[0] for row in rows_of("SELECT id FROM subscriptions_pending WHERE purpose = 'signup'")}
        status, _headers, _page = post("/subscribe", data)
        assert status == 303
        fresh = [row[0] for row in rows_of("SELECT id FROM subscriptions_pending WHERE purpose = 'signup'")
                 if row[0] not in known]
        again = [p for p in self.pending if p.reader is None and p.email == address and not p.used and p.recent
                 and not p.expired]
        if again:  # a second tap: the link mailed first confirms the answers sent last
            assert fresh == []
            again[0].data = data
        else:
            assert len(fresh) == 1
            self.pending.append(Pending(fresh[0], address, data))
        if confirmed:
            self.confirm_link(again[0] if again else self.pending[-1])

    @precondition(lambda self: any(p.reader is None for p in self.pending + self.gone))
    @rule(data=st.data())
    def confirm(self, data):
        self.confirm_link(data.draw(st.sampled_from([p for p in self.pending + self.gone if p.reader is None]), label="link"))

    def confirm_link(self, link: Pending) -> None:
        status, _headers, _page = post("/subscribe/confirm", {"t": make_token("subscribe-confirm", link.id)})
        if link.expired or link not in self.pending:
            assert status == 410
            return
        assert status == 200
        if link.used:
            return
        link.used, self.source = True, "signup"
        answers = link.data
        rid = self.by_email(link.email)
        if rid is None:
            rid, = set(self.snapshot()) - set(self.readers)
        old = self.readers.get(rid)
        self.readers[rid] = Reader(
            name=answers["name"], email=answers["email"], phone=old.phone if old else None,
            birth_year=int(answers["birth_year"]), gender="F", dong=answers["dong"], fields=frozenset(answers["fields"]),
            channels=frozenset(answers["channels"]), subscribed_day=today(),
            sms_out=bool(old and old.sms_out) and "sms" not in answers["channels"])
        self.known_emails.setdefault(rid, set()).add(link.email)
        if answers["phone"]:
            self.known_phones.setdefault(rid, set()).add(answers["phone"])
        if answers["phone"] and answers["phone"] != (old.phone if old else None):
            texts = sms_code_file(WORLD.project).count(answers["phone"])  # once handed to the transport: in order
            self.codes[rid] = (answers["phone"], 0, texts - 1)  # the code sent to it: the number is used once it comes back

    @rule(kind=st.sampled_from(("minutes", "day")))
    def time_passes(self, kind):
        """The store's clock moved on: every link mailed so far was mailed that much earlier."""
        store_query(WORLD.project, "UPDATE subscriptions_pending SET expires_at = expires_at - ?",
                    (AGAIN if kind == "minutes" else DAY,))
        self.codes = {rid: (phone, age + (AGAIN if kind == "minutes" else DAY), nth)
                      for rid, (phone, age, nth) in self.codes.items()}
        for link in self.pending:
            link.recent = False
            link.expired = link.expired or kind == "day"

    def page_answers(self, rid: str) -> dict:
        """What the reader's preferences page posts back unchanged (its fields and the shown- ones)."""
        status, _headers, page = request(WORLD.port, "GET", f"/p/{make_token('preferences', rid)}")
        assert status == 200
        shown = dict(re.findall(r'<input type="hidden" name="(shown-[a-z_]+)" value="([^"]*)">', page))
        answers = {key[len("shown-"):]: value.split(";") if key in ("shown-fields", "shown-channels") else [value]
                   for key, value in shown.items() if key != "shown-subscribed"}
        return {**answers, **{key: [value] for key, value in shown.items()}, "email": [""], "phone": [""],
                "action": ["save"]}

    @precondition(lambda self: self.readers)
    @rule(data=st.data(), fields=st.sets(st.sampled_from(FIELDS), min_size=1), dong=st.sampled_from(DONGS),
          sms=st.booleans(), new_email=st.sampled_from((None, None, *ADDRESSES)))
    def save_preferences(self, data, fields, dong, sms, new_email):
        rid = data.draw(st.sampled_from(list(self.readers)), label="reader")
        reader = self.readers[rid]
        channels = {"email"} | ({"sms"} if sms and reader.phone else set())
        posted = {**self.page_answers(rid), "fields": sorted(fields), "channels": sorted(channels), "dong": [dong]}
        if new_email:
            posted["email"] = [new_email]
        status, _headers, _page = post(f"/p/{make_token('preferences', rid)}", posted)
        assert status == 303
        self.source = "preferences"
        sent_by = reader.channels - ({"sms"} if reader.sms_out else set())
        self.readers[rid] = replace(
            reader, fields=frozenset(fields), dong=dong, channels=frozenset(channels | (reader.channels - sent_by)),
            sms_out=reader.sms_out and "sms" not in channels,
            unsubscribed_day=None, subscribed_day=today() if not reader.subscribed else reader.subscribed_day)
        if new_email and new_email != reader.email:
            self.ask_email(rid, new_email)

    def ask_email(self, rid: str, address: str) -> None:
        """A new address waits for its link; a link to another address mailed before is dropped."""
        mine = [p for p in self.pending if p.reader == rid and not p.used]
        if any(p.email == address and p.recent for p in mine):
            return  # a second tap: the link sent stands
        self.pending = [p for p in self.pending if p not in mine]
        fresh, = [row[0] for row in rows_of("SELECT id FROM subscriptions_pending WHERE purpose = 'email' AND "
                                            "subscriber_id = ? AND used_at IS NULL", (rid,))]
        self.pending.append(Pending(fresh, address, {}, reader=rid))
        self.known_emails.setdefault(rid, set()).add(address)

    @precondition(lambda self: any(p.reader for p in self.pending + self.gone))
    @rule(data=st.data())
    def confirm_email(self, data):
        link = data.draw(st.sampled_from([p for p in self.pending + self.gone if p.reader]), label="email link")
        status, _headers, _page = post("/p/email", {"t": make_token("email-confirm", link.id)})
        if link.expired or link not in self.pending:
            assert status == 410
            return
        assert status == 200
        if not link.used:
            link.used, self.source = True, "preferences"
            self.readers[link.reader] = replace(self.readers[link.reader], email=link.email)

    @precondition(lambda self: self.readers)
    @rule(data=st.data(), how=st.sampled_from(("one-click", "stop")))
    def unsubscribe(self, data, how):
        rid = data.draw(st.sampled_from(list(self.readers)), label="reader")
        if how == "one-click":
            status = post(f"/u/{unsubscribe_token(rid)}", {"List-Unsubscribe": "One-Click"})[0]
        else:
            status = post(f"/p/{make_token('preferences', rid)}", {"action": "stop"})[0]
        assert status == 200
        if self.readers[rid].subscribed:
            self.source = "unsubscribe-link" if how == "one-click" else "preferences-stop"
            self.readers[rid] = replace(self.readers[rid], unsubscribed_day=today())

    # -- the commands ------------------------------------------------------------------------------
    @rule(rows=rows_st)
    def import_csv(self, rows):
        lines, seen = [], set()
        for row in rows:
            rid = row["who"] if row["who"] != "known" else next(iter(self.readers), "S1")
            if rid in seen:
                continue
            seen.add(rid)
            channels = "email;sms" if row["sms"] and row["phone"] else "email"
            day = lambda offset: "" if offset is None else day_from_today(offset)  # noqa: E731
            lines.append(f"{rid},주민,{row['email']},{row['phone'] or ''},1960,M,{row['dong']},"
                         f"{';'.join(sorted(row['fields']))},{channels},person,,{day(row['subscribed'])},"
                         f"{day(row['unsubscribed'])}\n")
        self.run_import("".join(lines))

    @precondition(lambda self: self.imported)
    @rule(data=st.data())
    def import_an_old_export_again(self, data):
        self.run_import(data.draw(st.sampled_from(self.imported), label="old file"))

    def run_import(self, text: str) -> None:
        path = WORLD.project / "private" / "import.csv"
        path.write_text(HEADER + text, encoding="utf-8")
        result = run_cli(WORLD.project / "pelicanconf.py", "subscribers", "import", str(path))
        assert result.code == 0, result.output
        self.imported.append(text)
        self.source = "csv-import"
        for cells in csv.reader(io.StringIO(text)):
            rid, _name, address, phone, _year, _gender, dong, fields, channels, *_rest, subscribed, unsubscribed = cells
            old = self.readers.get(rid)
            unsubscribed, subscribed = unsubscribed or None, subscribed or None
            if old is not None and old.unsubscribed_day is not None:  # SPEC §4: never re-subscribed, unless later
                if not subscribed or subscribed <= old.unsubscribed_day:
                    unsubscribed = old.unsubscribed_day
            elif old is not None and unsubscribed and (old.subscribed_day or "") > unsubscribed:
                unsubscribed, subscribed = None, old.subscribed_day  # nor unsubscribed by what came before a sign-up
            self.readers[rid] = Reader(
                name="주민", email=address, phone=phone or None, birth_year=1960, gender="M", dong=dong,
                fields=frozenset(fields.split(";")), channels=frozenset(channels.split(";")),
                subscribed_day=subscribed, unsubscribed_day=unsubscribed, sms_out=bool(old and old.sms_out))
            self.known_emails.setdefault(rid, set()).add(address)
            if phone:
                self.known_phones.setdefault(rid, set()).add(phone)

    @precondition(lambda self: self.readers)
    @rule(phones=st.sets(st.sampled_from(PHONES), min_size=1))
    def sms_opt_out(self, phones):
        path = WORLD.project / "private" / "optout.txt"
        path.write_text("\n".join(sorted(phones)) + "\n", encoding="utf-8")
        result = run_cli(WORLD.project / "pelicanconf.py", "subscribers", "unsubscribe", "--phones", str(path))
        assert result.code == 0, result.output
        self.source = "sms-optout"
        for rid, reader in self.readers.items():
            if reader.phone in phones:
                self.readers[rid] = replace(reader, sms_out=True)

    @precondition(lambda self: self.readers)
    @rule(data=st.data())
    def forget(self, data):
        rid = data.draw(st.sampled_from(list(self.readers)), label="reader")
        result = run_cli(WORLD.project / "pelicanconf.py", "subscribers", "forget", rid)
        assert result.code == 0, result.output
        emails = self.known_emails.pop(rid, set()) | {p.email for p in self.pending if p.reader == rid}
        self.forgotten_emails |= emails
        phones = self.known_phones.pop(rid, set())  # each number a code went to is among them
        self.codes = {who: code for who, code in self.codes.items() if who != rid and code[0] not in phones}
        del self.readers[rid]
        self.gone += [p for p in self.pending if p.reader == rid or p.email in emails or p.data.get("phone") in phones]
        self.pending = [p for p in self.pending if p not in self.gone]
        self.forgotten.append(rid)
        self.forgotten_now.add(rid)

    @precondition(lambda self: self.codes)
    @rule(data=st.data())
    def confirm_phone(self, data):
        """The 6-digit code that went to the number typed on the form, typed on the preferences page."""
        rid = data.draw(st.sampled_from(list(self.codes)), label="reader")
        phone, age, nth = self.codes[rid]
        texts = [cells[2] for cells in csv.reader(io.StringIO(sms_code_file(WORLD.project))) if cells[1] == phone]
        code = re.search(r"인증번호 (\d{6})", texts[nth])[1]  # the one sent to this reader (others may share the number)
        status = post(f"/p/{make_token('preferences', rid)}/phone", {"code": code})[0]
        if age >= 600:
            assert status == 400
            return
        assert status == 200
        del self.codes[rid]
        if self.readers[rid].phone != phone:
            self.source = "preferences"
            self.readers[rid] = replace(self.readers[rid], phone=phone)

    @precondition(lambda self: set(self.forgotten) - set(self.readers))
    @rule(data=st.data(), how=st.sampled_from(("one-click", "stop", "page", "save")))
    def links_of_the_forgotten(self, data, how):
        """A forgotten reader's links (in an old mail) open nothing and bring nothing back."""
        rid = data.draw(st.sampled_from([rid for rid in self.forgotten if rid not in self.readers]), label="forgotten")
        path = f"/p/{make_token('preferences', rid)}"
        if how == "one-click":
            assert post(f"/u/{unsubscribe_token(rid)}", {"List-Unsubscribe": "One-Click"})[0] == 200
        elif how == "page":
            assert request(WORLD.port, "GET", path)[0] == 404
        else:
            answers = {"action": "stop"} if how == "stop" else {"fields": ["tax"], "channels": ["email"], "action": "save"}
            assert post(path, answers)[0] == 404

    # -- what is checked after every step ----------------------------------------------------------
    @invariant()
    def store_log_and_reach_agree_with_the_model(self):
        after = self.snapshot()
        assert {rid: reader_of(row) for rid, row in after.items()} == self.readers
        self.check_log(after)
        if self.source or self.forgotten_now:  # else the store is as it was (checked above), and so is its reach
            self.check_reach()
        self.check_forgotten()
        self.before, self.source = after, None
        self.forgotten_now.clear()

    def check_log(self, after: dict) -> None:
        """The log's new entries: one per reader the step changed, with the
        step's source and the old and new value of each changed column; none
        else, and none gone but a forgotten reader's (SQLite gives a
        forgotten reader's last ids again: entries are told apart by content)."""
        log = Counter(tuple(row) for row in rows_of("SELECT id, subscriber_id, changed_at, source, changes FROM consent_log"))
        kept = Counter({row: n for row, n in self.log.items() if row[1] not in self.forgotten_now})
        assert kept <= log
        fresh = log - kept
        self.log = log
        expected = {}
        for rid, row in after.items():
            old = text_row(self.before[rid]) if rid in self.before else dict.fromkeys(LOGGED)
            new = text_row(row)
            changes = {c: [old[c], new[c]] for c in LOGGED if old[c] != new[c] and (rid in self.before or new[c])}
            if changes:
                expected[rid] = (self.source, changes)
        assert {row[1]: (row[3], json.loads(row[4])) for row in fresh} == expected
        assert sum(fresh.values()) == len(expected)  # one entry per change, none for a no-op

    def check_reach(self) -> None:
        result = run_cli(WORLD.project / "pelicanconf.py", "reach", NOTICE, "--issue", ISSUE)
        if not self.snapshot():
            return
        assert result.code == 0, result.output
        line, = [line for line in result.stdout.splitlines() if NOTICE in line]
        email = sum(r.subscribed and "tax" in r.fields and "email" in r.channels and bool(r.email)
                    for r in self.readers.values())
        sms = sum(r.subscribed and "tax" in r.fields and "sms" in r.channels and bool(r.phone) and not r.sms_out
                  for r in self.readers.values())
        assert [int(n) for n in line.split()[:2]] == [email, sms], result.stdout

    def check_forgotten(self) -> None:
        """Nothing of a forgotten reader is left: no row naming their id, and no
        address of theirs that no one else on record has or asked for."""
        in_use = {p.email for p in self.pending}.union(*self.known_emails.values())
        with contextlib.closing(sqlite3.connect(WORLD.project / "private" / "sotong.db")) as db:
            dump = "\n".join(db.iterdump())
        for address in self.forgotten_emails - in_use:
            assert f"{address}" not in dump, address
        for rid in set(self.forgotten) - set(self.readers):
            for table in ("subscribers", "consent_log", "subscriptions_pending", "subscriptions_consents"):
                column = "id" if table == "subscribers" else "subscriber_id"
                assert rows_of(f"SELECT count(*) FROM {table} WHERE {column} = ?", (rid,))[0][0] == 0, table


@pytest.fixture
def collector(tmp_path):
    with SMTPServer(Accept()) as smtp:
        project = copy_project(tmp_path, extra_settings=f"SMTP_PORT = {smtp.port}\nSUBSCRIBE_RATE = '100000/hour'\n")
        (project / "private").mkdir(exist_ok=True)
        Store.open(str(project / "private" / "sotong.db")).close()
        app = make_app(Project(project / "pelicanconf.py"))
        with serving(app) as port:
            WORLD.project, WORLD.port = project, port
            yield


def test_consent_over_time_from_every_source_interleaved(collector):
    """Some 200 steps (about 20 s); CONSENT_EXAMPLES=100 searches further on a developer's machine."""
    run_state_machine_as_test(ConsentOverTime, settings=settings(
        max_examples=int(os.environ.get("CONSENT_EXAMPLES", 12)), stateful_step_count=16, deadline=None))


def signed_up_and_confirmed(address: str) -> None:
    """A resident signs up on the form with ``address`` and presses the mailed link's button."""
    answers = {"name": "주민", "email": address, "birth_year": "1950", "gender": "F", "dong": "majang",
               "fields": ["tax"], "channels": ["email"], "consent": "yes", "website": ""}
    assert post("/subscribe", answers)[0] == 303
    (pending_id,), = rows_of("SELECT id FROM subscriptions_pending WHERE purpose = 'signup' AND used_at IS NULL")
    assert post("/subscribe/confirm", {"t": make_token("subscribe-confirm", pending_id)})[0] == 200


def test_an_old_export_does_not_unsubscribe_who_signed_up_again_since(collector):
    """A reader the office's system lists as unsubscribed a month ago signs
    up again on the form today: they consented again. The office's export,
    made before (or by a system that does not know the sign-up), imported
    afterwards unsubscribed them once more with last month's date, and every
    later import kept them so: consent given after an unsubscribe was
    undone by the record of that unsubscribe. As a stored unsubscribe
    stays unless the row's subscription is later (SPEC §4), a stored
    subscription stays unless the row's unsubscribe is on its day or later."""
    ConsentOverTime()  # an empty store
    old_export = f"S1,주민,r1@example.com,,1960,M,yongdap,tax,email,person,,{day_from_today(-400)},{day_from_today(-30)}\n"
    path = WORLD.project / "private" / "import.csv"
    path.write_text(HEADER + old_export, encoding="utf-8")
    assert run_cli(WORLD.project / "pelicanconf.py", "subscribers", "import", str(path)).code == 0
    signed_up_and_confirmed("r1@example.com")
    (subscribed_at,), = store_query(WORLD.project, "SELECT subscribed_at FROM subscribers WHERE id = 'S1' AND unsubscribed_at IS NULL")
    for _again in range(2):
        assert run_cli(WORLD.project / "pelicanconf.py", "subscribers", "import", str(path)).code == 0
        assert store_query(WORLD.project, "SELECT subscribed_at, unsubscribed_at FROM subscribers WHERE id = 'S1'") == [(subscribed_at, None)]
    logged = store_query(WORLD.project, "SELECT field FROM consent_log_columns WHERE subscriber_id = 'S1' "
                                        "AND source = 'csv-import' AND field LIKE '%subscribed_at'")
    assert logged == [("subscribed_at",), ("unsubscribed_at",)]  # the first import's, and nothing since
    # an unsubscribe on the day of the sign-up or later still applies
    path.write_text(HEADER + old_export.replace(day_from_today(-30), today()), encoding="utf-8")
    assert run_cli(WORLD.project / "pelicanconf.py", "subscribers", "import", str(path)).code == 0
    assert store_query(WORLD.project, "SELECT unsubscribed_at FROM subscribers WHERE id = 'S1'") == [(today(),)]
