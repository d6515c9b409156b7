"""SMS_POLICY and --sms-budget (issue #12, SPEC §6 amended): under
email-first a reader who also gets the bundle by email gets an SMS only for
its urgent notices, checked against a brute-force reading for random
readers; `sotong bundles` prints messages by type and their cost; over the
budget it writes nothing and says what would fit."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from bundles.outbox import Bundler, issue_bundle
from project_support import copy_project, invoke_sotong
from sotong.project import Project
from sotong.schedule import window
from sotong.store import Store, Subscriber
from test_audiences_match import spec_matches_notice

ISSUE = dt.date(2026, 11, 26)
FIELDS = ("living", "health", "culture", "bulletin")


def notice_file(title: str, date: str, category: str, channels: str, *, urgent=False, audiences=None) -> str:
    extra = "priority: urgent\n" if urgent else ""
    extra += f"audiences: [{audiences}]\n" if audiences else ""
    return (f'---\ntitle: "{title}"\ndate: {date}\ndepartment: 홍보담당관\ncategory: {category}\n'
            f"channels: [{channels}]\n{extra}---\n{title} 본문입니다.\n")


NOTICES = {  # every kind the policy looks at: urgent or not, email and SMS or SMS alone
    "water-cut": notice_file("단수 안내", "2026-11-20", "living", "homepage, email, sms", urgent=True),
    "kimjang": notice_file("김장 나눔 자원봉사자 모집", "2026-11-19", "living", "homepage, email, sms"),
    "flu-alert": notice_file("독감 유행 주의보", "2026-11-18", "health", "sms", urgent=True),
    "checkup": notice_file("어르신 건강검진", "2026-11-17", "health", "sms", audiences="seniors"),
    "concert": notice_file("연말 음악회", "2026-11-16", "culture", "homepage, newsletter, email"),
    "bulletin": notice_file("소식지 12월호", "2026-11-15", "bulletin", "homepage, newsletter, email, sms"),
}


def policy_project(root: Path, policy: str, extra: str = "") -> Path:
    project = copy_project(root, notices=False, extra_settings=f'SMS_POLICY = "{policy}"\n{extra}')
    for slug, text in NOTICES.items():
        (project / "content" / "notices" / f"{slug}.md").write_text(text, encoding="utf-8")
    return project


@pytest.fixture(scope="module")
def bundlers(tmp_path_factory):
    made = {}
    for policy in ("all", "email-first"):
        project = Project(policy_project(tmp_path_factory.mktemp(policy), policy) / "pelicanconf.py")
        made[policy] = Bundler(project, issue_bundle(project, ISSUE, "성동구 소통 소식"))
    return made


def spec_sms(reader: Subscriber, notices: list, audiences, policy: str, email_marked: bool = False) -> list[str]:
    """SPEC §6 read directly: the notices of the reader's SMS (empty: no SMS);
    ``email_marked``: the reader's address is marked invalid."""
    def matches(n):
        return spec_matches_notice(reader.profile, n.category, list(n.audiences), ISSUE.year)

    subscribed = reader.unsubscribed_at is None
    email_notices = [n for n in notices if "email" in n.channels and matches(n)]
    if subscribed and audiences.edition_field in reader.fields:
        email_notices += [n for n in notices if "newsletter" in n.channels]
    gets_email = (subscribed and "email" in reader.channels and bool(reader.email) and not email_marked
                  and bool(email_notices))
    if not (subscribed and "sms" in reader.channels and reader.phone and not reader.sms_unsubscribed_at):
        return []
    return [n.slug for n in notices if "sms" in n.channels and matches(n)
            and (policy == "all" or not gets_email or n.priority == "urgent")]


readers = st.builds(
    Subscriber, id=st.just("R1"), email=st.sampled_from([None, "r@example.com"]),
    phone=st.sampled_from([None, "010-1234-5678"]), birth_year=st.none() | st.integers(1930, 2005),
    gender=st.sampled_from([None, "F", "M"]), fields=st.frozensets(st.sampled_from(FIELDS)),
    channels=st.frozensets(st.sampled_from(("email", "sms"))),
    unsubscribed_at=st.sampled_from([None, "2026-01-02"]), sms_unsubscribed_at=st.sampled_from([None, "2026-01-02"]),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(reader=readers, policy=st.sampled_from(("all", "email-first")), email_marked=st.booleans())
def test_each_reader_gets_the_sms_notices_spec_6_and_the_policy_say(bundlers, reader, policy, email_marked):
    bundler = bundlers[policy]
    bundler.marks = {"email": {reader.id} if email_marked else set(), "sms": set()}  # as signals.reach_marks says
    text = bundler.text_of(reader, bundler.plan(reader))
    expected = spec_sms(reader, list(bundler.bundle.notices), bundler.audiences, policy, email_marked)
    assert (list(text.notices) if text else []) == expected


def test_the_window_holds_what_the_policy_test_needs(bundlers):
    notices = window(bundlers["all"].bundle.notices, ISSUE)
    assert {n.slug for n in notices} == set(NOTICES)


# --- the command: cost by type, email-first, the budget ------------------------------------

READERS = [  # A: email and SMS; B: SMS only; C: email and SMS, no urgent notice for it
    Subscriber(id="A", name="가", email="a@example.com", phone="010-2000-0001", birth_year=1950,
               fields=frozenset({"living"}), channels=frozenset({"email", "sms"})),
    Subscriber(id="B", name="나", phone="010-2000-0002", birth_year=1990,
               fields=frozenset({"living", "health"}), channels=frozenset({"sms"})),
    Subscriber(id="C", name="다", email="c@example.com", phone="010-2000-0003", birth_year=1990,
               fields=frozenset({"bulletin"}), channels=frozenset({"email", "sms"})),
]


def command_project(root: Path, policy: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    project = policy_project(root, policy, 'SHORT_LINK_BASE = "https://sd.go.kr/s/"\nSMS_PRICE = 9\nLMS_PRICE = 27\n')
    store = Store.open(project / "private" / "sotong.db")
    for reader in READERS:
        store.put_subscriber(reader)
    store.close()
    return project


def sms_rows(project: Path) -> dict:
    import csv
    with open(project / "private" / "outbox" / ISSUE.isoformat() / "sms.csv", encoding="utf-8", newline="") as file:
        return {row["id"]: row for row in csv.DictReader(file)}


def test_email_first_keeps_only_urgent_texts_for_email_readers_and_prints_the_cost(tmp_path):
    everyone = command_project(tmp_path / "all", "all")
    result = invoke_sotong(everyone, "bundles", "--issue", ISSUE.isoformat())
    assert result.code == 0, result.output
    assert {r: row["type"] for r, row in sms_rows(everyone).items()} == {"A": "LMS", "B": "LMS", "C": "SMS"}
    assert "  cost:  63 won (SMS 1 × 9 won, LMS 2 × 27 won), email free; SMS_POLICY all\n" in result.stdout

    email_first = command_project(tmp_path / "first", "email-first")
    result = invoke_sotong(email_first, "bundles", "--issue", ISSUE.isoformat())
    assert result.code == 0, result.output
    rows = sms_rows(email_first)
    assert {r: row["type"] for r, row in rows.items()} == {"A": "SMS", "B": "LMS"}  # C: no urgent notice, no text
    assert "단수 안내" in rows["A"]["text"] and "김장" not in rows["A"]["text"]
    assert "  cost:  36 won (SMS 1 × 9 won, LMS 1 × 27 won), email free; SMS_POLICY email-first\n" in result.stdout


def snapshot(folder: Path) -> dict:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(folder.rglob("*"))}


def test_over_the_budget_nothing_is_written_and_what_would_fit_is_said(tmp_path):
    project = command_project(tmp_path, "all")
    assert invoke_sotong(project, "bundles", "--issue", ISSUE.isoformat()).code == 0
    outbox = project / "private" / "outbox"
    before = snapshot(outbox)
    (project / "content" / "notices" / "extra.md").write_text(
        notice_file("추가 안내", "2026-11-21", "living", "email, sms"), encoding="utf-8")
    result = invoke_sotong(project, "bundles", "--issue", ISSUE.isoformat(), "--sms-budget", "40")
    assert result.code == 1 and "Traceback" not in result.output
    assert snapshot(outbox) == before  # not one file changed, added or removed
    (line,) = result.stderr.splitlines()
    assert line == ("--sms-budget 40 won: the texts of 2026-11-26 would cost 63 won (SMS 1 × 9 won, LMS 2 × 27 won), "
                    "so nothing was written; within the budget fit the first 1 of 3 text readers in id order, or only the notices "
                    "water-cut, flu-alert (36 won); with SMS_POLICY = \"email-first\" the texts would cost 36 won")
    within = invoke_sotong(project, "bundles", "--issue", ISSUE.isoformat(), "--sms-budget", "63")
    assert within.code == 0, within.output
    assert snapshot(outbox) != before
    assert invoke_sotong(project, "bundles", "--issue", ISSUE.isoformat(), "--sms-budget", "-1").code == 2


def test_a_bad_sms_policy_stops_the_command_with_its_line(tmp_path):
    project = copy_project(tmp_path, notices=False, extra_settings='SMS_POLICY = "email"\n')
    line = (project / "pelicanconf.py").read_text(encoding="utf-8").splitlines().index('SMS_POLICY = "email"') + 1
    for command in (("check",), ("bundles", "--issue", ISSUE.isoformat())):
        result = invoke_sotong(project, *command)
        assert result.code == 1 and "Traceback" not in result.output
        assert result.stderr.splitlines()[0].startswith(f"pelicanconf.py:{line}: SMS_POLICY: is 'email'; write \"all\"")


@pytest.mark.parametrize("with_newsletter", [True, False])
def test_the_messages_link_the_edition_only_when_the_site_has_its_page(tmp_path, with_newsletter):
    """An issue whose notices all leave out newsletter has no edition page
    (SPEC §5), yet every email's "웹에서 보기" and every text's "외 N건은
    홈페이지에서 확인하세요" linked newsletter/D/: a page not found. The site
    itself now stands in for it."""
    from newsletter.issues import published_issues
    from sotong.sms import more_line

    project_dir = copy_project(tmp_path, notices=False, extra_settings='SITEURL = "https://www.sd.go.kr/sotong"\n')
    channels = "homepage, newsletter, email, sms" if with_newsletter else "homepage, email, sms"
    for index in range(8):  # eight texts of 300 bytes: one LMS cannot hold them all
        (project_dir / "content" / "notices" / f"n{index}.md").write_text(
            f'---\ntitle: "한파 안내 {index}"\ndate: 2026-11-2{index % 3}\ndepartment: 홍보담당관\ncategory: living\n'
            f"channels: [{channels}]\nsms: {'한파 대피소 운영 ' * 30}\n---\n본문\n", encoding="utf-8")
    project = Project(project_dir / "pelicanconf.py")
    has_page = ISSUE in {issue.day for issue in published_issues(project.published_notices, ISSUE)}
    assert has_page == with_newsletter
    bundler = Bundler(project, issue_bundle(project, ISSUE, "성동구 소통 소식"))
    text = bundler.sms.message(bundler.bundle.notices).text
    edition = "https://www.sd.go.kr/sotong/newsletter/2026-11-26/"
    assert text.dropped and more_line(text.dropped, edition if has_page else "https://www.sd.go.kr/sotong/") in text.text
    assert (bundler.bundle.web_url == edition) == has_page and (bundler.bundle.web_url is None) != has_page


def test_a_preview_under_email_first_says_why_an_email_reader_gets_no_text(tmp_path):
    """Staff previewing a reader of both channels under email-first read
    "sms: none (no notice of this issue matches the reader)", though three
    SMS notices matched: the policy had left out those not urgent."""
    project = command_project(tmp_path, "email-first")
    result = invoke_sotong(project, "preview", "--subscriber", "C", "--issue", ISSUE.isoformat())
    assert result.code == 0, result.output
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("sms:")]
    assert line == ("sms:   none (SMS_POLICY is email-first: a reader who gets this issue by email gets a text only "
                    "for urgent notices, and none of the SMS notices for this reader (1) is urgent)")
    assert "no notice of this issue matches" in invoke_sotong(
        command_project(tmp_path / "all", "all"), "preview", "--persona", "fields=culture", "--issue",
        ISSUE.isoformat()).stdout  # no sms notice of culture: none matches, whatever the policy


def test_a_preview_of_an_unsubscribed_reader_says_why_in_korean(tmp_path):
    """The reason was the English word "unsubscribed", untranslated."""
    import dataclasses

    project = command_project(tmp_path, "all")
    store = Store.open(project / "private" / "sotong.db")
    store.put_subscriber(dataclasses.replace(READERS[1], id="D", unsubscribed_at="2026-11-01"))
    store.close()
    result = invoke_sotong(project, "preview", "--subscriber", "D", "--issue", ISSUE.isoformat(), env={"SOTONG_LANG": "ko"})
    assert result.code == 0, result.output
    assert [line.endswith("(수신을 거부했습니다)") for line in result.stdout.splitlines()[:2]] == [True, True]
