"""A year in the office, told with the real commands (SPEC §4, §5, §6, §11,
§14): readers imported from a CP949 CSV as Excel writes it (bad rows
among them), issues on the 2nd and 4th Thursdays from January to December,
``sotong bundles`` and ``sotong send`` into aiosmtpd (a 5xx answer, a run
stopped in the middle and run again, a 4xx answer whose message goes out
after New Year), bounces read from a Maildir, an SMS-only issue with the
agency's results, an unsubscribe and a renamed field label mid-year; then
``sotong report --year`` and ``--issue`` against a reading of the SPEC made
here from the manifests, the sms.csv files and what the mail server took.

The sends happen at chosen moments of Asia/Seoul: the store's clock is
moved there (``sotong.store.now_iso`` is what the journal stamps)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import mailbox
import re
import shutil
import sqlite3
import time
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from bounce_mails import postfix_dsn
from delivery_support import SMTPServer, ScriptedHandler, run_cli
from delivery.verp import make_return_path
from project_support import copy_project

import sotong.store as store_module

BOUNCES = "bounces@sd.go.kr"
# id, name, email, phone, birth_year, gender, dong, fields, channels, kind, business_type
READERS = [
    ("S1001", "김민수", "minsu@example.net", "010-1111-0001", "1960", "M", "yongdap", "culture;health;bulletin", "email;sms", "person", ""),
    ("S1002", "이영희", "yh@example.net", "", "1985", "F", "eungbong", "culture;education", "email", "person", ""),
    ("S1003", "박철수", "", "010-1111-0003", "1950", "M", "majang", "health;living", "sms", "person", ""),
    ("S1004", "성수식당", "shop@example.net", "010-1111-0004", "", "", "seongsu1ga1", "health;living", "email;sms", "business", "food-service"),
    ("S1005", "최지우", "jiwoo@example.net", "010-1111-0005", "1990", "F", "oksu", "culture;living", "email;sms", "person", ""),
    ("S1006", "정하늘", "sky@example.net", "010-1111-0006", "1970", "F", "sageun", "health;culture", "email;sms", "person", ""),
    ("S1007", "한바다", "sea@example.net", "", "1975", "M", "sageun", "health;living", "email", "person", ""),
]
BAD_ROWS = [  # each rejected with its line; the good rows are imported all the same
    ("S1008", "오류동", "x@example.net", "", "1980", "M", "nowhere", "health", "email", "person", ""),
    ("S1009", "나쁜메일", "not-an-email", "", "1980", "M", "majang", "health", "email", "person", ""),
    ("S1010", "번호없음", "", "", "1980", "M", "majang", "health", "sms", "person", ""),
]
ADDRESS = {row[0]: row[2] for row in READERS}
HEADER = "id,name,email,phone,birth_year,gender,dong,fields,channels,kind,business_type,subscribed_at,unsubscribed_at"

# slug -> (date, title, department, category, channels, sms text or None, extra front matter)
NOTICES = {
    "jan-concert": ("2026-01-05", "신년 음악회", "문화체육과", "culture", "email sms newsletter", "신년 음악회 안내", ""),
    "jan-flu": ("2026-01-06", "독감 예방접종 연장", "보건소", "health", "email newsletter", None, ""),
    "mar-seniors": ("2026-03-20", "어르신 대상포진 예방접종", "보건소", "health", "email sms", "어르신 대상포진 무료 예방접종을 시작합니다. 가까운 보건지소에서 신분증을 지참하시고 접종받으세요. 자세한 일정은 누리집을 확인해 주세요",
                    "audiences: [seniors]\npriority: urgent\n"),
    "mar-school": ("2026-03-23", "방과후 교실 모집", "교육지원과", "education", "email", None, ""),
    "jun-festival": ("2026-06-20", "성동 여름 축제", "문화체육과", "culture", "email sms", "여름 축제 안내", ""),
    "jun-clean": ("2026-06-22", "장마철 하수구 청소", "청소행정과", "living", "email sms newsletter", "하수구 청소 안내", ""),
    "aug-heat": ("2026-08-04", "폭염 특보, 무더위 쉼터 운영", "보건소", "health", "email sms", "폭염 특보 쉼터 안내",
                 "priority: urgent\n"),  # sent on its own (sotong bundles --notice), not in an issue
    "sep-typhoon": ("2026-09-08", "태풍 대비 안전 수칙", "안전재난과", "living", "sms", "태풍 대비 안내", "priority: urgent\n"),
    "dec-lights": ("2026-12-20", "연말 빛 축제", "문화체육과", "culture", "email sms", "빛 축제 안내", ""),
    "dec-snow": ("2026-12-21", "-5도 한파, 제설 작업 안내", "청소행정과", "living", "email", None, ""),
}
RENAMED = ("culture: 문화공연", "culture: 문화·공연")  # the field's label, changed in audiences.yaml in May


class ShiftedClock:
    """The ``time`` module as sotong.store sees it, moved to a chosen moment (it goes on ticking)."""

    def __init__(self):
        self.offset = 0.0

    def at(self, moment: str) -> None:
        self.offset = dt.datetime.fromisoformat(moment).timestamp() - time.time()

    def time(self) -> float:
        return time.time() + self.offset

    def __getattr__(self, name):
        return getattr(time, name)


def write_csv(path: Path, rows, encoding: str, unsubscribed: dict = {}) -> None:
    lines = [HEADER] + [",".join(row) + f",2025-03-01,{unsubscribed.get(row[0], '')}" for row in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))  # Excel: CRLF, CP949 ("CSV (쉼표로 분리)")


def write_notice(project: Path, slug: str) -> None:
    date, title, department, category, channels, sms, extra = NOTICES[slug]
    front = (f'title: "{title}"\ndate: {date}\ndepartment: {department}\ncategory: {category}\n'
             f"channels: [homepage, {', '.join(channels.split())}]\n" + (f'sms: "{sms}"\n' if sms else "") + extra)
    (project / "content" / "notices" / f"{slug}.md").write_text(f"---\n{front}---\n{title}의 본문입니다.\n", encoding="utf-8")


class Year:
    """The office's year: the project, the sink's takings and what each run did."""

    def __init__(self, project: Path, clock: ShiftedClock, server):
        self.project, self.clock, self.server = project, clock, server
        self.settings = project / "pelicanconf.py"
        self.taken = []  # (issue, subscriber id, moment) of every email the server accepted, in order
        self.handed = {}  # issue -> the moment of the run that recorded its SMS handed over
        self.outputs = {}

    def run(self, moment: str, *args: str):
        self.clock.at(moment)
        before = len(self.server.handler.accepted)
        result = run_cli(self.settings, *args)
        self.outputs.setdefault(args[:3], []).append(result)
        if args[:2] in (("send", "--issue"), ("send", "--notice")):
            issue = args[2]
            by_address = {address: key for key, address in ADDRESS.items()}
            self.taken += [(issue, by_address[recipient], moment)
                           for recipient, _ in self.server.handler.accepted[before:]]
        return result

    def send(self, moment: str, issue: str, option: str = "--issue"):
        result = self.run(moment, "send", option, issue, "--host", "127.0.0.1", "--port", str(self.server.port))
        if issue not in self.handed and "recorded as handed over;" in result.output:
            self.handed[issue] = moment
        return result

    def manifest(self, issue: str) -> list[dict]:
        text = (self.project / "private" / "outbox" / issue / "manifest.jsonl").read_text(encoding="utf-8")
        return [json.loads(line) for line in text.splitlines()]

    def sms_types(self, issue: str) -> dict:
        with open(self.project / "private" / "outbox" / issue / "sms.csv", encoding="utf-8", newline="") as file:
            return {row["id"]: row["type"] for row in csv.DictReader(file)}


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    """The year 2026 (and New Year's Day 2027) lived; returns the Year."""
    project = copy_project(tmp_path_factory.mktemp("year"), notices=False, extra_settings=(
        f'BOUNCE_ADDRESS = "{BOUNCES}"\nBOUNCE_MAILDIR = "private/bounces"\nBOUNCE_SCORE_LIMIT = 1\n'
        'SEND_RATE = 2000\nDELIVERY = {"max_attempts": 1, "connections": 1, "try_later_seconds": 0}\nSMS_PRICE = 9\nLMS_PRICE = 27\n'))
    clock = ShiftedClock()
    handler = ScriptedHandler()
    handler.refuse[ADDRESS["S1006"]] = "550 5.1.1 no such user"  # every email to S1006 fails for good
    with pytest.MonkeyPatch.context() as patch, SMTPServer(handler) as server:
        patch.setattr(store_module, "time", clock)
        office = Year(project, clock, server)
        live_the_year(office)
        yield office


def in_flight(project: Path, issue: str, subscriber_id: str) -> None:
    """The journal as a run killed between the server's 250 and its record leaves it (state sending)."""
    db = sqlite3.connect(project / "private" / "sotong.db")
    with db:
        assert db.execute("UPDATE delivery_messages SET state = 'sending', sent_at = NULL WHERE outbox = ?"
                          " AND subscriber_id = ? AND channel = 'email' AND state = 'sent'",
                          (issue, subscriber_id)).rowcount == 1
    db.close()


def live_the_year(office: Year) -> None:
    project = office.project
    write_csv(project / "readers.csv", READERS[:3] + BAD_ROWS[:2] + READERS[3:] + BAD_ROWS[2:], "cp949")
    office.run("2026-01-02T10:00:00+09:00", "subscribers", "import", str(project / "readers.csv"))
    for slug in NOTICES:
        write_notice(project, slug)
    # January: S1006's email refused (550); S1007's accepted, then bounced for good
    office.run("2026-01-08T09:00:00+09:00", "bundles", "--issue", "2026-01-08")
    office.send("2026-01-08T10:00:00+09:00", "2026-01-08")
    box = mailbox.Maildir(str(project / "private" / "bounces"), create=True)
    box.add(postfix_dsn(make_return_path(BOUNCES, "S1007", "2026-01-08"), ADDRESS["S1007"], serial=1))
    office.run("2026-01-09T09:00:00+09:00", "bounces")
    # March: the run dies after the server took S1002's email and before the journal said so; run again
    office.run("2026-03-26T09:00:00+09:00", "bundles", "--issue", "2026-03-26")
    office.send("2026-03-26T10:00:00+09:00", "2026-03-26")
    in_flight(project, "2026-03-26", "S1002")
    office.send("2026-03-26T10:05:00+09:00", "2026-03-26")
    # May: the field's label renamed; S1005 unsubscribes (the e-communication system's export, UTF-8 with BOM)
    audiences = project / "audiences.yaml"
    audiences.write_text(audiences.read_text(encoding="utf-8").replace(*RENAMED), encoding="utf-8")
    write_csv(project / "may.csv", [READERS[4]], "utf-8-sig", unsubscribed={"S1005": "2026-05-20"})
    office.run("2026-05-20T10:00:00+09:00", "subscribers", "import", str(project / "may.csv"))
    office.run("2026-06-25T08:00:00+09:00", "reach", "--issue", "2026-06-25")
    office.run("2026-06-25T09:00:00+09:00", "bundles", "--issue", "2026-06-25")
    office.send("2026-06-25T10:00:00+09:00", "2026-06-25")
    # July: January's export imported again (S1005 still without unsubscribed_at there, the same addresses)
    office.run("2026-07-01T10:00:00+09:00", "subscribers", "import", str(project / "readers.csv"))
    # August: a heat wave warning sent on its own
    office.run("2026-08-05T08:00:00+09:00", "bundles", "--notice", "aug-heat")
    office.send("2026-08-05T08:10:00+09:00", "aug-heat", "--notice")
    # September: an issue of texts only, and the agency's results
    office.run("2026-09-10T09:00:00+09:00", "bundles", "--issue", "2026-09-10")
    office.send("2026-09-10T10:00:00+09:00", "2026-09-10")
    phones = {row[0]: row[3] for row in READERS}
    (project / "results.csv").write_text(f"phone,status,code,time\n{phones['S1003']},delivered,1000,2026-09-10 10:01\n"
                                         f"{phones['S1004']},failed,2001,2026-09-10 10:02\n", encoding="utf-8")
    office.run("2026-09-11T09:00:00+09:00", "send", "results", "--issue", "2026-09-10", str(project / "results.csv"))
    # December's second issue, sent late on New Year's Eve; one email waits (451) and goes on New Year's morning
    office.run("2026-12-24T09:00:00+09:00", "bundles", "--issue", "2026-12-24")
    office.server.handler.rcpt_answers[ADDRESS["S1002"]] = ["451 4.7.1 try again later"]
    office.send("2026-12-31T23:30:00+09:00", "2026-12-24")
    office.send("2027-01-01T08:30:00+09:00", "2026-12-24")  # 2026-12-31 23:30 in UTC


# --- SPEC read here, on its own -----------------------------------------------------------------

ISSUES = ("2026-01-08", "2026-03-26", "2026-06-25", "2026-09-10", "2026-12-24")
ONE_OFF = {"aug-heat": "2026-08-05"}  # outbox -> the day it was bundled
LABELS = {"culture": "문화·공연", "education": "교육정보", "health": "건강정보", "living": "생활정보"}  # as renamed
UNSUBSCRIBED = {"S1005": "2026-05-20"}
# what made an address invalid (SPEC §14), and from when: a 550, a hard bounce, the agency's failure
INVALID = {("S1006", "email"): "2026-01-08", ("S1007", "email"): "2026-01-09", ("S1004", "sms"): "2026-09-11"}


def thursdays(year: int, month: int) -> list[dt.date]:
    first = dt.date(year, month, 1)
    days = [first + dt.timedelta(days=n) for n in range(31) if (first + dt.timedelta(days=n)).month == month]
    return [day for day in days if day.weekday() == 3]


def previous_issue(day: str) -> str:
    """SPEC §5: the issue before ``day``, on the 2nd or 4th Thursday."""
    issues = sorted(thursday for year in (2025, 2026) for month in range(1, 13)
                    for thursday in (thursdays(year, month)[1], thursdays(year, month)[3]))
    return max(issue for issue in issues if issue < dt.date.fromisoformat(day)).isoformat()


def spec_messages(key: str) -> dict:
    """SPEC §6 read for our readers: (id, channel) -> the set of notices of its message, in the outbox
    of an issue or of a one-off notice (no window, no edition)."""
    if key in ONE_OFF:
        issue, window, edition = ONE_OFF[key], [key], set()
    else:
        issue = key
        window = [slug for slug, n in NOTICES.items() if previous_issue(issue) < n[0] <= issue]
        edition = {slug for slug in window if "newsletter" in NOTICES[slug][4]}
    found = {}
    for reader in READERS:
        key, _name, email, phone, birth, _gender, _dong, fields, channels, kind, _type = reader
        if UNSUBSCRIBED.get(key, "9999") <= issue:
            continue
        def matches(slug):
            seniors = "seniors" not in NOTICES[slug][6] or (kind == "person" and 2026 - int(birth) >= 65)
            return NOTICES[slug][3] in fields.split(";") and seniors
        for channel in channels.split(";"):
            if INVALID.get((key, channel), "9999") < issue:
                continue
            notices = {slug for slug in window if channel in NOTICES[slug][4].split() and matches(slug)}
            if channel == "email" and "bulletin" in fields.split(";"):
                notices |= edition
            if notices:
                found[key, channel] = notices
    return found


def spec_deliveries(office: Year) -> list[tuple]:
    """(month YYYY-MM in Seoul, type, slug) of every delivery (SPEC §11), read from the manifests, the
    sms.csv files, what the mail server took (first time only) and when each send ran."""
    taken = {}
    for issue, key, moment in office.taken:
        taken.setdefault((issue, key), moment)
    found = []
    for issue in (*ISSUES, *ONE_OFF):
        types = office.sms_types(issue)
        for message in office.manifest(issue):
            key, channel = message["id"], message["channel"]
            moment = taken.get((issue, key)) if channel == "email" else office.handed[issue]
            if moment is not None:
                kind = "EMAIL" if channel == "email" else types[key]
                found += [(moment[:7], kind, slug) for slug in message["notices"]]
    return found


def report_rows(office: Year, name: str) -> dict:
    with open(office.project / "private" / "reports" / f"{name}.csv", encoding="utf-8-sig", newline="") as file:
        return {(row["Table"], row["Item"]): row for row in csv.DictReader(file)}


def expected_line(deliveries: list[tuple]) -> dict:
    by_type = Counter(kind for _month, kind, _slug in deliveries)
    return {"Notices": str(len({slug for *_rest, slug in deliveries})), "Email deliveries": str(by_type["EMAIL"]),
            "SMS deliveries": str(by_type["SMS"]), "LMS deliveries": str(by_type["LMS"]),
            "Deliveries": str(len(deliveries))}


def figures_of(row: dict) -> dict:
    return {name: row[name] for name in ("Notices", "Email deliveries", "SMS deliveries", "LMS deliveries", "Deliveries")}


# --- the tests ----------------------------------------------------------------------------------


def test_the_readers_came_in_from_excels_cp949_file_less_the_bad_rows(year):
    result = year.outputs["subscribers", "import", str(year.project / "readers.csv")][0]
    assert result.code == 1 and "7 added, 0 updated, 0 unchanged, 3 rejected." in result.output
    lines = re.findall(r"^" + re.escape(str(year.project / "readers.csv")) + r":(\d+): ", result.output, re.M)
    assert sorted(map(int, lines)) == [5, 6, 11]  # the bad rows' lines, the header being line 1
    again = year.outputs["subscribers", "import", str(year.project / "readers.csv")][1]  # in July
    assert again.code == 1 and "0 added, 0 updated, 7 unchanged, 3 rejected." in again.output


@pytest.mark.parametrize("issue", [*ISSUES, *ONE_OFF])
def test_each_issues_bundles_are_the_specs(year, issue):
    """Who got what (SPEC §6): the unsubscribed reader is in no bundle after May, an address made invalid
    by a 550 or a bounce gets no email after it, the urgent notice reaches the seniors only."""
    manifest = {(m["id"], m["channel"]): set(m["notices"]) for m in year.manifest(issue)}
    assert manifest == spec_messages(issue)


@pytest.mark.parametrize("issue", [*ISSUES, *ONE_OFF])
def test_each_text_is_an_sms_up_to_90_cp949_bytes_and_an_lms_above(year, issue):
    with open(year.project / "private" / "outbox" / issue / "sms.csv", encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            size = len(row["text"].encode("cp949"))
            assert (row["type"], int(row["bytes"])) == ("SMS" if size <= 90 else "LMS", size)


def test_the_year_counts_what_the_manifests_and_the_mail_server_say(year):
    """By month, department, field and type, the report of 2026 is the reading of SPEC §11 made here:
    S1002's email taken twice (a run killed before it recorded the 250) counts once; the email of the
    Christmas issue that waited past midnight on New Year's Eve counts in January 2027 (08:30 in Seoul
    is still 2026 in UTC), the rest of that issue, sent at 23:30 on 31 December, in December 2026."""
    assert Counter(key for issue, key, _ in year.taken if issue == "2026-03-26")["S1002"] == 2
    deliveries = spec_deliveries(year)
    result = run_cli(year.settings, "report", "--year", "2026")
    assert result.code == 0, result.output
    rows = report_rows(year, "2026")
    of_2026 = [d for d in deliveries if d[0].startswith("2026-")]
    for month in range(1, 13):
        chosen = [d for d in of_2026 if int(d[0][5:7]) == month]
        assert figures_of(rows["by month", f"{month}월"]) == expected_line(chosen), month
    departments = {NOTICES[slug][2] for *_rest, slug in of_2026}
    assert {item for table, item in rows if table == "by department"} == departments
    for department in departments:
        chosen = [d for d in of_2026 if NOTICES[d[2]][2] == department]
        assert figures_of(rows["by department", department]) == expected_line(chosen)
    fields = {NOTICES[slug][3] for *_rest, slug in of_2026}
    assert {item for table, item in rows if table == "by field"} == {LABELS[key] for key in fields}
    for key in fields:
        chosen = [d for d in of_2026 if NOTICES[d[2]][3] == key]
        assert figures_of(rows["by field", LABELS[key]]) == expected_line(chosen)
    assert figures_of(rows["total", "합계"]) == expected_line(of_2026)
    texts = Counter(kind for _m, kind, _s in of_2026)  # each text here holds one notice
    assert rows["total", "합계"]["Text cost (won)"] == str(9 * texts["SMS"] + 27 * texts["LMS"])


def test_new_years_morning_in_seoul_is_the_next_years_report(year):
    deliveries = [d for d in spec_deliveries(year) if d[0].startswith("2027-")]
    assert deliveries == [("2027-01", "EMAIL", "dec-lights")]
    result = run_cli(year.settings, "report", "--year", "2027")
    assert result.code == 0 and "2027: 1 notices, 1 deliveries (email 1, SMS 0, LMS 0)" in result.output
    assert figures_of(report_rows(year, "2027")["by month", "1월"]) == expected_line(deliveries)


def test_a_year_before_any_sending_is_one_line_and_exit_0(year):
    result = run_cli(year.settings, "report", "--year", "2025")
    assert result.code == 0 and "Traceback" not in result.output
    assert result.output.splitlines()[0] == (
        "2025: nothing was sent that year, by the journal and the counts kept of purged outboxes.")


@pytest.mark.parametrize("issue", ISSUES)
def test_each_issues_report_counts_its_manifest_and_what_the_server_took(year, issue):
    """``sotong report --issue D`` per notice and channel: its messages are the manifest's, its emails
    accepted those the mail server took (S1002's, taken twice, once), its texts those handed over; a
    title Excel would read as a formula (-5도 ...) stays text."""
    result = run_cli(year.settings, "report", "--issue", issue)
    assert result.code == 0, result.output
    raw = (year.project / "private" / "reports" / f"issue-{issue}.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    taken = {(i, key) for i, key, _moment in year.taken if i == issue}
    names = ("Messages", "Accepted by the mail server", "SMS handed over")
    expected = defaultdict(lambda: dict.fromkeys(names, 0))
    for message in year.manifest(issue):
        email = message["channel"] == "email"
        for slug in message["notices"]:
            counts = expected[slug, "이메일" if email else "문자(SMS·LMS)"]
            counts["Messages"] += 1
            counts["Accepted by the mail server"] += email and (issue, message["id"]) in taken
            counts["SMS handed over"] += not email
    found = {(row["Notice slug"], row["Channel"]): {name: int(row[name]) for name in names}
             for row in rows if row["Table"] == "notice"}
    assert found == expected
    for row in rows:
        assert not row["Item"].startswith(("=", "+", "-", "@")), row


def test_the_sms_only_issue_reports_the_agencys_results_and_sends_no_email(year):
    sent = year.outputs["send", "--issue", "2026-09-10"][0]
    assert sent.code == 0 and "Emails: this outbox has none to send." in sent.output
    run_cli(year.settings, "report", "--issue", "2026-09-10")
    rows = report_rows(year, "issue-2026-09-10")
    total = rows["total", "합계"]
    assert (total["Messages"], total["SMS delivered"], total["SMS failed"], total["Accepted by the mail server"]) == (
        "2", "1", "1", "0")


def test_send_report_advises_no_flag_for_an_address_the_send_flagged_already(year):
    """At BOUNCE_SCORE_LIMIT 1 the January send flagged S1006's refused address itself; its report
    still told staff to add --mark-invalid for it."""
    result = run_cli(year.settings, "send", "report", "--issue", "2026-01-08")
    assert result.code == 0 and "S1006  email  after 1 tries: 550 5.1.1 no such user  [invalid address]" in result.output
    assert "add --mark-invalid" not in result.output


def test_reach_before_the_issue_said_what_its_bundles_hold(year):
    """``sotong reach --issue`` the morning of June's issue: per notice, the readers by email and by
    SMS that the bundles then wrote, and the same messages by type and cost."""
    reach = year.outputs["reach", "--issue", "2026-06-25"][0].output
    per_notice = Counter((slug, m["channel"]) for m in year.manifest("2026-06-25") for slug in m["notices"])
    for slug in ("jun-clean", "jun-festival"):
        assert re.search(rf"^\s+{per_notice[slug, 'email']}\s+{per_notice[slug, 'sms']}\s+{slug}$", reach, re.M), reach
    types = Counter(year.sms_types("2026-06-25").values())
    emails = sum(m["channel"] == "email" for m in year.manifest("2026-06-25"))
    assert (f"messages: email {emails}, SMS {types['SMS']}, LMS {types['LMS']}; "
            f"cost {9 * types['SMS'] + 27 * types['LMS']} won") in reach


@pytest.mark.parametrize("today", ["2027-06-30", "2028-01-02"])
def test_the_years_reports_read_the_same_after_the_purges(year, tmp_path, today):
    """A year after each outbox's last send ``sotong send purge`` destroys its journal rows (half the year's
    outboxes by the end of June 2027, all of them in 2028); what the annual reports count stays."""
    before = {}
    for report_year in ("2026", "2027"):
        assert run_cli(year.settings, "report", "--year", report_year).code == 0
        before[report_year] = (year.project / "private" / "reports" / f"{report_year}.csv").read_bytes()
    copy = tmp_path / "office"
    shutil.copytree(year.project, copy)
    with open(copy / "pelicanconf.py", "a", encoding="utf-8") as settings:
        settings.write(f'\nSOTONG_TODAY = "{today}"\n')
    purged = run_cli(copy / "pelicanconf.py", "send", "purge")
    assert purged.code == 0, purged.output
    left = {key for key in ISSUES if (copy / "private" / "outbox" / key).is_dir()}
    assert left == ({"2026-09-10", "2026-12-24"} if today == "2027-06-30" else set())
    for report_year in ("2026", "2027"):
        assert run_cli(copy / "pelicanconf.py", "report", "--year", report_year).code == 0
        assert (copy / "private" / "reports" / f"{report_year}.csv").read_bytes() == before[report_year]
