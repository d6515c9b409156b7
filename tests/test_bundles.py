"""Personalized bundles (plugin bundles, SPEC §6): who gets which notices,
the outbox files (manifest.jsonl, email/ID.eml, sms.csv) read back and
compared with a direct reading of the spec, one-off bundles, re-runs,
previews, the command line, and that nothing of a subscriber reaches output/."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json
import re
import struct
import unicodedata
from email import policy
from email.parser import BytesParser
from html import escape
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from bundles.outbox import eml_name, issue_bundle, write_bundle
from bundles.persona import PersonaError, parse_persona
from bundles.rules import blocks_that_fit, relevance, select
from project_support import REPO, copy_project, invoke_sotong, png
from delivery_support import mark_address_invalid, run_cli
from sotong import signals, tokens
from sotong.audiences import Audiences, Profile, load_audiences
from sotong.images import image_size
from sotong.links import short_codes, short_url, sms_link_notices
from sotong.mail import Block
from sotong.notices import CHANNELS, Notice
from sotong.project import Project
from sotong.store import Store, Subscriber
from test_audiences_match import profiles, segments, spec_matches_notice

ISSUE = "2026-11-26"
PREVIOUS_ISSUE = dt.date(2026, 11, 12)
HTML_LIMIT = 102_000
parse_eml = BytesParser(policy=policy.default).parsebytes
AUDIENCES = load_audiences(REPO / "audiences.yaml")
SEOUL = dt.timezone(dt.timedelta(hours=9))
ALWAYS_BANNER = "gov24-certificates"  # the sample's minwon24 banner for every email, all year (SPEC §10)


# --- the rules, against a direct reading of SPEC §6 ---------------------------------------


def spec_selection(reader, notices, audiences, year, with_edition=True):
    """SPEC §6 read directly: (email notices in message order, sms notices)."""
    def matches(n):
        return spec_matches_notice(reader, n.category, n.audiences, year)

    for_you = [n.slug for n in notices if "email" in n.channels and matches(n)]
    rest = []
    if with_edition and reader.subscribed and audiences.edition_field in reader.fields:
        rest = [n.slug for n in notices if "newsletter" in n.channels and n.slug not in for_you]
    return for_you + rest, [n.slug for n in notices if "sms" in n.channels and matches(n)]


def make_notice(index, category, audiences, channels) -> Notice:
    return Notice(source=f"n{index}.md", slug=f"n{index}", title=f"소식 {index}", body="",
                  date=dt.datetime(2026, 11, 20, tzinfo=SEOUL), department="홍보담당관", category=category,
                  audiences=tuple(audiences), channels=tuple(channels))


def notices_of(audiences: Audiences):
    """Notices whose audiences are segments of ``audiences`` or inline ones."""
    named = st.sampled_from([audiences.segments[name] for name in sorted(audiences.segments)])
    one = st.builds(
        lambda category, chosen, channels: (category, chosen, channels),
        st.sampled_from(sorted(audiences.fields)),
        st.lists(named | segments if audiences.segments else segments, max_size=3, unique=True),
        st.lists(st.sampled_from(CHANNELS), min_size=1, unique=True),
    )
    return st.lists(one, max_size=10).map(lambda specs: [make_notice(i, *spec) for i, spec in enumerate(specs)])


def maybe(strategy):
    return st.none() | strategy


sample_profiles = st.builds(  # readers of the sample's audiences.yaml
    Profile, birth_year=maybe(st.integers(1920, 2026)), gender=maybe(st.sampled_from(("F", "M"))),
    dong=maybe(st.sampled_from(sorted(AUDIENCES.dongs))), kind=st.sampled_from(("person", "business")),
    business_type=maybe(st.sampled_from(sorted(AUDIENCES.business_types))),
    fields=st.frozensets(st.sampled_from(sorted(AUDIENCES.fields))), subscribed=st.booleans(),
    groups=st.frozensets(st.sampled_from(sorted(AUDIENCES.groups))),
)


@settings(max_examples=300, deadline=None)
@given(reader=sample_profiles, notices=notices_of(AUDIENCES), year=st.integers(2024, 2028), with_edition=st.booleans())
def test_select_reads_spec_6(reader, notices, year, with_edition):
    chosen = select(reader, notices, AUDIENCES, year, with_edition=with_edition)
    email, sms = spec_selection(reader, notices, AUDIENCES, year, with_edition)
    assert [n.slug for n in chosen.email] == email
    assert [n.slug for n in chosen.sms] == sms


@st.composite
def audiences_with_random_segments(draw):
    chosen = draw(st.lists(segments, min_size=1, max_size=5))
    named = {f"s{i}": dataclasses.replace(s, name=f"s{i}") for i, s in enumerate(chosen)}
    return Audiences(fields={f: f for f in ("culture", "education", "health", "bulletin")}, edition_field="bulletin",
                     departments=("홍보담당관",), dongs={}, business_types={}, segments=named)


@settings(max_examples=200, deadline=None)
@given(data=st.data(), year=st.integers(2024, 2028))
def test_readers_with_the_same_key_get_the_same_notices(data, year):
    audiences = data.draw(audiences_with_random_segments())
    notices = data.draw(notices_of(audiences))
    rules = relevance(notices, audiences, year)
    reader = data.draw(profiles)
    stand_in = rules.profile(rules.key(reader))
    assert select(reader, notices, audiences, year) == select(stand_in, notices, audiences, year)
    assert rules.key(stand_in) == rules.key(reader)


@given(full=st.lists(st.integers(100, 5000), max_size=30), limit=st.integers(0, 60_000), data=st.data())
def test_blocks_that_fit_is_the_longest_prefix_within_the_limit(full, limit, data):
    links = [data.draw(st.integers(10, size)) for size in full]

    def size_keeping(k):
        return 3000 + sum(full[:k]) + sum(links[k:]) + (200 if k < len(full) else 0)

    fitting = [k for k in range(len(full) + 1) if size_keeping(k) <= limit]
    assert blocks_that_fit(len(full), size_keeping, limit) == (max(fitting) if fitting else 0)


def test_a_persona_reads_into_a_subscriber_with_placeholder_addresses():
    reader = parse_persona("age=34 gender=F dong=seongsu1ga1 fields=education,culture", AUDIENCES, 2026)
    assert (reader.birth_year, reader.gender, reader.dong, reader.kind) == (1992, "F", "seongsu1ga1", "person")
    assert reader.fields == {"education", "culture"} and reader.channels == {"email", "sms"}
    assert reader.email.endswith("@example.com") and reader.reachable_by("email") and reader.reachable_by("sms")
    business = parse_persona("kind=business business_type=food-service channels=sms", AUDIENCES, 2026)
    assert business.birth_year is None and business.channels == {"sms"}
    with pytest.raises(PersonaError, match='unknown key "gendr"; did you mean "gender"'):
        parse_persona("gendr=F", AUDIENCES, 2026)
    with pytest.raises(PersonaError, match='unknown dong "seongsu"'):
        parse_persona("dong=seongsu", AUDIENCES, 2026)
    member = parse_persona("groups=주민참여예산위원회,org-tongjang", AUDIENCES, 2026)  # a committee's (SPEC §16)
    assert member.groups == {"committee-budget", "org-tongjang"} and member.fields == frozenset()
    with pytest.raises(PersonaError, match='unknown group "committee"; did you mean "committee-budget"'):
        parse_persona("groups=committee", AUDIENCES, 2026)


@pytest.mark.parametrize("persona, expected", [
    ("age=²", 'age must be a whole number from 0 to 150, not "²"'),  # a digit to str.isdigit, not to int()
    ("age=١٩", 'age must be a whole number from 0 to 150, not "١٩"'),
    ("age=151", 'age must be a whole number from 0 to 150, not "151"'),
    ("birth_year=1899", 'birth_year must be a whole number from 1900 to 2100, not "1899"'),
    (f"age={2 ** 63}", f'age must be a whole number from 0 to 150, not "{2 ** 63}"'),
])
def test_a_persona_age_or_birth_year_out_of_a_segment_range_is_said(persona, expected):
    with pytest.raises(PersonaError) as wrong:
        parse_persona(persona, AUDIENCES, 2026)
    assert str(wrong.value) == expected
    assert parse_persona("age=150", AUDIENCES, 2026).birth_year == 1876
    assert parse_persona("birth_year=2100", AUDIENCES, 2026).birth_year == 2100


def test_an_id_that_cannot_be_a_file_name_is_escaped():
    assert eml_name("S000001") == "S000001.eml"
    assert eml_name("../x/가") == "..%2Fx%2F%EA%B0%80.eml"


# --- the sample issue, bundled by the real command ------------------------------------------

SPECIAL = [
    # an email that bounced: no email, the SMS still goes
    Subscriber(id="X-invalid", name="반송", email="bounce@example.com", phone="010-1111-2222", birth_year=1950,
               gender="F", dong="eungbong", fields=frozenset({"health", "living", "bulletin"}),
               channels=frozenset({"email", "sms"})),  # its address marked invalid in ``sample``
    # unsubscribed: nothing at all
    Subscriber(id="X-gone", name="탈퇴", email="gone@example.com", phone="010-3333-4444", birth_year=1950,
               fields=frozenset({"health", "living", "bulletin"}), channels=frozenset({"email", "sms"}),
               unsubscribed_at="2026-10-01"),
    # an id that is not a file name
    Subscriber(id="X/가 1", name="이상한 아이디", email="odd@example.com", birth_year=1980,
               fields=frozenset({"bulletin"}), channels=frozenset({"email"})),
]


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The sample project with sample/subscribers.csv and SPECIAL, bundled for ISSUE."""
    project = copy_project(tmp_path_factory.mktemp("sample"))
    imported = invoke_sotong(project, "subscribers", "import", str(REPO / "sample" / "subscribers.csv"))
    assert imported.code == 0, imported.output
    store = Store.open(project / "private" / "sotong.db")
    for subscriber in SPECIAL:
        store.put_subscriber(subscriber)
    mark_address_invalid(store, "X-invalid")
    store.close()
    result = invoke_sotong(project, "bundles", "--issue", ISSUE)
    assert result.code == 0, result.output
    return project, result


SPEC_KEYS = {"id", "channel", "notices", "banner", "file"}


def manifest_of(folder: Path) -> list[dict]:
    return [json.loads(line) for line in (folder / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]


def test_every_message_is_what_spec_6_says(sample):
    project_dir, _ = sample
    project = Project(project_dir / "pelicanconf.py")
    issue = dt.date.fromisoformat(ISSUE)
    notices = [n for n in project.published_notices
               if PREVIOUS_ISSUE < n.day <= issue and not (n.expires and n.expires < issue)]
    from sotong.schedule import window
    assert {n.slug for n in window(project.published_notices, issue)} == {n.slug for n in notices}
    ordered = window(project.published_notices, issue)
    expected = []
    for s in project.store.subscribers():
        if s.unsubscribed_at:
            continue
        email, sms = spec_selection(s, ordered, project.audiences, issue.year)
        if "email" in s.channels and s.email and s.id != "X-invalid" and email:
            expected.append({"id": s.id, "channel": "email", "notices": email, "banner": ALWAYS_BANNER,
                             "file": f"email/{eml_name(s.id)}"})
        if "sms" in s.channels and s.phone and sms:
            expected.append({"id": s.id, "channel": "sms", "notices": sms, "banner": None, "file": None})
    manifest = manifest_of(project_dir / "private" / "outbox" / ISSUE)
    # Plugins may add keys of their own (the survey plugin's "surveys"); SPEC's are exact.
    assert {key for row in manifest for key in row} - SPEC_KEYS <= {"surveys"}
    assert [{key: row[key] for key in row if key in SPEC_KEYS} for row in manifest] == expected
    assert {"email", "sms"} == {row["channel"] for row in manifest}
    assert any(len(row["notices"]) > 1 for row in manifest)


@pytest.fixture(scope="module")
def emails(sample):
    """Every email of the sample's bundle: (manifest row, message, reader, text part, html part)."""
    project_dir, _ = sample
    project = Project(project_dir / "pelicanconf.py")
    outbox = project_dir / "private" / "outbox" / ISSUE
    found = []
    for row in manifest_of(outbox):
        if row["channel"] == "email":
            message = parse_eml((outbox / row["file"]).read_bytes())
            plain, html_part = message.iter_parts()
            found.append((row, message, project.store.subscriber(row["id"]), plain.get_content(), html_part.get_content()))
    assert len(found) > 20
    return found


def test_each_email_is_addressed_dated_and_identified(emails):
    for _row, message, reader, _text, _html in emails:
        assert message["To"].addresses[0].addr_spec == reader.email
        assert message["To"].addresses[0].display_name == reader.name
        assert str(message["From"]) == "성동구청 홍보담당관 <sotong@sd.go.kr>"
        assert message["Date"].datetime.tzinfo is not None
        assert re.fullmatch(r"<2026-11-26\.[0-9a-f]{24}@sd\.go\.kr>", message["Message-ID"])


def test_each_email_unsubscribes_its_reader_in_one_click_by_header_and_by_a_visible_link(emails):
    for row, message, _reader, text, html in emails:
        https, mailto = [u.strip().strip("<>") for u in str(message["List-Unsubscribe"]).split(",")]
        assert tokens.subscriber_from_unsubscribe_token(https.rsplit("/u/", 1)[1]) == row["id"]
        assert mailto.startswith("mailto:unsubscribe@sd.go.kr?subject=unsubscribe-")
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert https in html and https in text


def test_each_email_is_a_text_and_an_html_part_in_utf8_within_the_size_limit(emails):
    for _row, message, _reader, _text, html in emails:
        assert message.get_content_type() == "multipart/alternative"
        plain, html_part = message.iter_parts()
        assert (plain.get_content_type(), html_part.get_content_type()) == ("text/plain", "text/html")
        assert plain.get_content_charset() == html_part.get_content_charset() == "utf-8"
        assert len(html.encode()) <= HTML_LIMIT


def test_each_email_shows_its_notices_in_manifest_order_in_both_parts(sample, emails):
    titles = {n.slug: n.title for n in Project(sample[0] / "pelicanconf.py").published_notices}
    for row, _message, _reader, text, html in emails:
        for part, shown in ((text, "■ {}\n"), (html, '">{}</a></h3>')):
            positions = [part.find(shown.format(escape(titles[slug], quote=False))) for slug in row["notices"]]
            assert -1 not in positions and positions == sorted(positions), row


def test_each_email_links_the_web_edition_and_gives_the_office_address_with_no_trailing_blanks(emails):
    for _row, _message, _reader, text, html in emails:
        assert [line for line in text.splitlines() if line != line.rstrip()] == [], "a line ends in blanks"
        assert 'href="/newsletter/2026-11-26/"' in html and "웹에서 보기" in html
        assert "서울특별시 성동구 고산자로 270" in html and "서울특별시 성동구 고산자로 270" in text


def test_each_subject_names_the_first_notice_and_how_many_more_and_the_edition_follows_consent(sample, emails):
    titles = {n.slug: n.title for n in Project(sample[0] / "pelicanconf.py").published_notices}
    for row, message, reader, _text, html in emails:
        first, more = titles[row["notices"][0]], len(row["notices"]) - 1
        first = first if len(first) <= 40 else first[:39].rstrip() + "…"
        assert message["Subject"] == f"성동구 소식: {first}" + (f" 외 {more}건" if more else "")
        assert ("이번 호 다른 소식" in html or "이번 호 소식" in html) == ("bulletin" in reader.fields)


def test_each_email_is_styled_inline_readable_at_16px_with_alt_and_sized_images(emails):
    for _row, _message, _reader, _text, html in emails:
        assert "<style" in html and "@media" in html  # responsive rules stay in <head>
        body = html.split("</head>", 1)[1]
        assert 'class="notice"' not in body or 'class="notice" width="100%" cellpadding="0" cellspacing="0" border="0" style="' in body
        sizes = [int(px) for px in re.findall(r"font-size:\s*(\d+)px", body)]
        assert sizes and min(sizes) >= 16
        for image in re.findall(r"<img [^>]*>", html):
            assert re.search(r'alt="[^"]+"', image) and 'width="' in image and 'height="' in image


def test_sms_csv_rows_match_the_manifest_and_count_cp949_bytes(sample):
    project_dir, _ = sample
    project = Project(project_dir / "pelicanconf.py")
    outbox = project_dir / "private" / "outbox" / ISSUE
    by_slug = {n.slug: n for n in project.published_notices}
    codes = short_codes(sms_link_notices(project.published_notices))
    with open(outbox / "sms.csv", encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    assert list(rows[0]) == ["id", "phone", "type", "bytes", "text"]
    sms = [row for row in manifest_of(outbox) if row["channel"] == "sms"]
    assert [r["id"] for r in rows] == [m["id"] for m in sms]
    assert {r["type"] for r in rows} == {"SMS", "LMS"}
    for row, entry in zip(rows, sms):
        reader = project.store.subscriber(row["id"])
        text = row["text"]
        assert row["phone"] == reader.phone
        assert int(row["bytes"]) == len(text.encode("cp949"))
        assert row["type"] == ("SMS" if int(row["bytes"]) <= 90 else "LMS")
        lines = text.split("\n")
        # the date gives way when that makes the text one SMS
        assert lines[0] == ("[성동구]" if row["type"] == "SMS" and lines[0] != "[성동구] 11/26" else "[성동구] 11/26")
        assert lines[-1] == project.settings["SMS_OPTOUT_FOOTER"]
        assert lines[1:-1] == [f"{by_slug[s].sms_text} {short_url(project.settings, codes[s])}" for s in entry["notices"]]


def test_unsubscribed_and_bounced_readers_are_skipped(sample):
    project_dir, _ = sample
    manifest = manifest_of(project_dir / "private" / "outbox" / ISSUE)
    channels = {(row["id"], row["channel"]) for row in manifest}
    assert ("X-invalid", "email") not in channels and ("X-invalid", "sms") in channels
    assert not any(row["id"] == "X-gone" for row in manifest)


def test_bundles_on_a_store_with_no_subscriber_refuses_and_keeps_the_outbox(sample, tmp_path):
    """A store made (sotong db upgrade) and no one imported yet, or SOTONG_DB
    naming another, empty store: bundles wrote an outbox with no message over
    the issue's, with a note; it now refuses in one line, saying what to do,
    and the outbox is as it was. The sample's bundling (a store with
    subscribers) says nothing of the kind."""
    project_dir, result = sample
    assert "holds no subscribers" not in result.output
    project = copy_project(tmp_path)
    assert invoke_sotong(project, "db", "upgrade").code == 0
    outbox = project / "private" / "outbox" / ISSUE
    outbox.mkdir(parents=True)
    (outbox / "manifest.jsonl").write_text('{"id": "S1"}\n', encoding="utf-8")  # the issue's, bundled before
    empty = invoke_sotong(project, "bundles", "--issue", ISSUE)
    assert empty.code == 1 and empty.stderr.splitlines() == [
        "private/sotong.db: the store holds no subscribers, so nothing was bundled and the outbox is as it was; put "
        "them in with sotong subscribers import FILE, or correct SOTONG_DB if it names the wrong store"]
    assert (outbox / "manifest.jsonl").read_text(encoding="utf-8") == '{"id": "S1"}\n'


def test_bundles_with_sotong_db_mistyped_refuses_rather_than_make_an_empty_store(tmp_path):
    """A mistyped SOTONG_DB (private/sotng.db) made a new, empty store and
    its folders there, and bundles then said the store held no subscribers
    (the mistake unsaid, an empty outbox written over the issue's). It is
    refused in one line naming the path, as send and the reading commands
    refuse it, and nothing is made."""
    project = copy_project(tmp_path, extra_settings='SOTONG_DB = "privat/sotng.db"')
    result = invoke_sotong(project, "bundles", "--issue", ISSUE)
    assert result.code == 1 and "Traceback" not in result.output, result.output
    line = (project / "pelicanconf.py").read_text(encoding="utf-8").splitlines().index('SOTONG_DB = "privat/sotng.db"') + 1
    assert result.stderr.splitlines() == [
        f"pelicanconf.py:{line}: SOTONG_DB names privat/sotng.db, where there is no store; check SOTONG_DB (a mistyped "
        "path?), or make the store with sotong subscribers import FILE.csv"]
    assert not (project / "privat").exists() and not (project / "private" / "outbox").exists()


def test_texts_to_a_phone_number_already_texted_are_counted_with_their_cost(sample, tmp_path):
    """Two subscribers on one phone number (a family, or one person entered
    by two dong offices) each get their text, as SPEC §6 says, and the office
    pays twice; bundles now says how many texts went to a number already
    texted and what they cost. The sample (no shared number) says nothing."""
    sample_dir, result = sample
    assert "to a number already texted" not in result.output
    project = copy_project(tmp_path)
    assert invoke_sotong(project, "subscribers", "import", str(REPO / "sample" / "subscribers.csv")).code == 0
    first = invoke_sotong(project, "bundles", "--issue", ISSUE)
    texted = next(csv.DictReader(open(project / "private" / "outbox" / ISSUE / "sms.csv", encoding="utf-8")))
    store = Store.open(project / "private" / "sotong.db")
    store.put_subscriber(dataclasses.replace(store.subscriber(texted["id"]), id="Z-twin"))
    store.close()
    again = invoke_sotong(project, "bundles", "--issue", ISSUE)
    price = {"SMS": 9, "LMS": 27}[texted["type"]]
    assert "to a number already texted" not in first.output
    assert (f"  to a number already texted: 1 texts, {price} won; two subscribers share a phone number (a family, "
            "or one person entered twice); sotong subscribers shared lists them") in again.stdout.splitlines()


def test_an_id_that_is_not_a_file_name_still_gets_its_email_file(sample):
    project_dir, _ = sample
    odd = next(row for row in manifest_of(project_dir / "private" / "outbox" / ISSUE) if row["id"] == "X/가 1")
    assert (project_dir / "private" / "outbox" / ISSUE / odd["file"]).is_file()


@pytest.mark.parametrize("collector, noted", [("http://sotong.sd.go.kr", True), ("https://sotong.sd.go.kr", False)])
def test_bundling_for_sending_says_when_the_unsubscribe_link_is_not_https(tmp_path, collector, noted):
    """SPEC §6: List-Unsubscribe holds an https URL (RFC 8058 one-click
    needs it); a COLLECTOR_URL typed with http:// in the sending settings
    made every email's link http, unsaid."""
    project = copy_project(tmp_path, extra_settings=f'SITEURL = "https://www.sd.go.kr/sotong"\nCOLLECTOR_URL = "{collector}"\n')
    store = Store.open(project / "private" / "sotong.db")
    store.put_subscriber(Subscriber(id="A1", email="a1@example.com", birth_year=1985, dong="seongsu1ga1",
                                    fields=frozenset({"health", "culture", "living"}), channels=frozenset({"email"})))
    store.close()
    result = run_cli(project / "pelicanconf.py", "bundles", "--issue", ISSUE)
    assert result.code == 0, result.output
    (row,) = manifest_of(project / "private" / "outbox" / ISSUE)
    eml = BytesParser(policy=policy.default).parsebytes((project / "private" / "outbox" / ISSUE / row["file"]).read_bytes())
    assert str(eml["List-Unsubscribe"]).startswith(f"<{collector}/u/")
    note = "Note: COLLECTOR_URL is not an https address in pelicanconf.py, so mail services such as Gmail offer no one-click"
    assert (note in result.stdout) == noted and "SITEURL is not absolute" not in result.stdout


def test_the_command_counts_what_it_wrote_and_skipped(sample):
    project_dir, result = sample
    manifest = manifest_of(project_dir / "private" / "outbox" / ISSUE)
    assert "skipped, email address invalid: 1" in result.stdout
    assert "Note: SITEURL is not absolute in pelicanconf.py" in result.stdout  # development settings
    emails = sum(row["channel"] == "email" for row in manifest)
    texts = sum(row["channel"] == "sms" for row in manifest)
    assert f"email: {emails}\n" in result.stdout and f"text:  {texts} (" in result.stdout
    assert len(list((project_dir / "private" / "outbox" / ISSUE / "email").iterdir())) == emails


def test_nothing_of_a_subscriber_is_written_under_output(sample):
    project_dir, _ = sample
    assert invoke_sotong(project_dir, "build").code == 0
    store = Store.open(project_dir / "private" / "sotong.db")
    secrets = set()
    for s in store.subscribers():
        secrets.update(v for v in (s.email, s.phone) if v)
        secrets.add(tokens.unsubscribe_token(s.id))
        if not re.fullmatch(r"S\d{6}", s.id):  # the sample's ids are too short to be told from other text
            secrets.add(s.id)
    secrets.update(f"S{i:06d}," for i in range(1, 301))
    output = (project_dir / "output").resolve()
    files = [p for p in output.rglob("*") if p.is_file()]
    assert len(files) > 50
    for path in files:
        data = path.read_bytes().decode("utf-8", errors="replace")
        leaked = [secret for secret in secrets if secret in data]
        assert not leaked, f"{path} holds {leaked[:3]}"


# --- re-runs, one-off bundles, blocks from plugins ------------------------------------------------


@pytest.fixture
def small(project_dir):
    """The sample project with a few subscribers put straight into the store."""
    store = Store.open(project_dir / "private" / "sotong.db")
    readers = [
        Subscriber(id="A1", name="김민서", email="a1@example.com", phone="010-2000-0001", birth_year=1985, gender="F",
                   dong="seongsu1ga1", fields=frozenset({"health", "culture", "living"}), channels=frozenset({"email", "sms"})),
        Subscriber(id="B2", name="이도윤", email="b2@example.com", birth_year=1990, gender="M", dong="yongdap",
                   fields=frozenset({"bulletin", "library"}), channels=frozenset({"email"})),
        Subscriber(id="C3", name="박서준", phone="010-2000-0003", birth_year=1948, gender="M", dong="eungbong",
                   fields=frozenset({"living"}), channels=frozenset({"sms"})),
    ]
    for reader in readers:
        store.put_subscriber(reader)
    store.close()
    return project_dir


def test_running_an_issue_again_replaces_its_folder_as_a_whole(small):
    project = Project(small / "pelicanconf.py")
    bundle = issue_bundle(project, dt.date.fromisoformat(ISSUE), "성동구 소통 소식")
    write_bundle(project, bundle)
    folder = small / "private" / "outbox" / ISSUE
    assert (folder / "email" / "A1.eml").is_file()
    (folder / "stray.txt").write_text("from an earlier run")
    project.store.unsubscribe("A1")
    summary = write_bundle(project, bundle)
    assert not (folder / "stray.txt").exists() and not (folder / "email" / "A1.eml").exists()
    assert [row["id"] for row in manifest_of(folder)] == ["B2", "C3"]
    assert summary.unsubscribed == 1
    assert sorted(p.name for p in folder.parent.iterdir()) == [ISSUE]  # no staging folder left behind


def test_a_one_off_bundle_applies_the_match_rule_but_not_the_window_nor_the_edition(small):
    old = "2026-10-21-library-reading-festival"  # of the issue of 2026-10-22
    result = invoke_sotong(small, "bundles", "--notice", old)
    assert result.code == 0, result.output
    folder = small / "private" / "outbox" / old
    assert manifest_of(folder) == [{"id": "B2", "channel": "email", "notices": [old], "banner": ALWAYS_BANNER, "file": "email/B2.eml"}]
    message = parse_eml((folder / "email" / "B2.eml").read_bytes())
    assert message["Subject"] == f"성동구 소식: {Project(small / 'pelicanconf.py').notice(old).title}"
    html = message.get_body(("html",)).get_content()
    assert "이번 호" not in html and "회원님을 위한" not in html  # B2 takes the bulletin: still no edition
    assert re.findall(r"<h([1-6])\b", html)[:2] == ["1", "2"]  # no section: the notice's title right under the h1
    assert "Message-ID" in message and old in message["Message-ID"]


def test_an_urgent_notices_email_says_it_is_urgent_in_its_subject_and_its_block(small):
    """The site, the edition and SNS mark an urgent notice 긴급; its email,
    sent on its own or first in an issue, did not."""
    (small / "content" / "notices" / "2026-11-25-water-cut.md").write_text(
        '---\ntitle: "용답동 단수 안내"\ndate: 2026-11-25 18:00\ndepartment: 안전재난과\ncategory: bulletin\n'
        'priority: urgent\nchannels: [homepage, email]\nsummary: "26일 9시부터 단수됩니다."\n---\n본문\n', encoding="utf-8")
    for run, folder in ((("--notice", "2026-11-25-water-cut"), "2026-11-25-water-cut"), (("--issue", ISSUE), ISSUE)):
        result = invoke_sotong(small, "bundles", *run)
        assert result.code == 0, result.output
        message = parse_eml((small / "private" / "outbox" / folder / "email" / "B2.eml").read_bytes())
        text, html = message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()
        assert message["Subject"].startswith("성동구 소식: [긴급] 용답동 단수 안내"), folder
        assert "■ 용답동 단수 안내\n  [긴급 · 구청소식지]" in text
        assert re.search(r'<p class="notice-field"[^>]*><strong class="notice-urgent" style="color:#b3261e">긴급</strong> · 구청소식지</p>', html)


def test_a_one_off_bundle_of_an_sms_notice_writes_texts_and_no_email(small):
    urgent = "2026-11-21-cold-wave-warning"  # sms only, living
    result = invoke_sotong(small, "bundles", "--notice", urgent)
    assert result.code == 0, result.output
    folder = small / "private" / "outbox" / urgent
    assert [(r["id"], r["channel"]) for r in manifest_of(folder)] == [("A1", "sms"), ("C3", "sms")]
    with open(folder / "sms.csv", encoding="utf-8", newline="") as file:
        texts = [row["text"] for row in csv.DictReader(file)]
    assert all(t.startswith("[성동구] 11/23\n한파주의보 발령. 계량기 동파·빙판길 주의 /n/") for t in texts)
    assert not list((folder / "email").iterdir())


def test_the_text_part_writes_links_in_ascii(small):
    """Many mail programs end a link at its first Hangul: a notice whose
    address holds Hangul is linked percent-encoded in the text part."""
    source = small / "content" / "notices" / "2026-10-21-library-reading-festival.md"
    (source.parent / "2026-10-21-도서관-독서-축제.md").write_text(
        source.read_text(encoding="utf-8").replace("title: ", "title: 한글 주소 ", 1), encoding="utf-8")
    with open(small / "pelicanconf.py", "a", encoding="utf-8") as settings_file:
        settings_file.write('\nSITEURL = "https://www.sd.go.kr/sotong"\n')
    slug = "2026-10-21-도서관-독서-축제"
    result = invoke_sotong(small, "bundles", "--notice", slug)
    assert result.code == 0, result.output
    message = parse_eml((small / "private" / "outbox" / slug / "email" / "B2.eml").read_bytes())
    text = message.get_body(("plain",)).get_content()
    encoded = "https://www.sd.go.kr/sotong/notices/2026-10-21-%EB%8F%84%EC%84%9C%EA%B4%80-%EB%8F%85%EC%84%9C-%EC%B6%95%EC%A0%9C/"
    assert f"자세히 보기: {encoded}\n" in text and f"웹에서 보기: {encoded}\n" in text
    assert all(link.isascii() for link in re.findall(r"https?://\S+", text)), text
    assert [line for line in text.splitlines() if line != line.rstrip()] == []


def test_addresses_on_a_hangul_domain_give_ascii_message_ids_and_unsubscribe_headers(small):
    """MAIL_FROM on a Hangul domain: the From address was put in IDNA, but
    the Message-ID kept the Hangul, raw in the header, which no id may hold;
    UNSUBSCRIBE_MAILTO's too, in List-Unsubscribe, which holds only URIs."""
    with open(small / "pelicanconf.py", "a", encoding="utf-8") as settings_file:
        settings_file.write('\nMAIL_FROM = "성동구청 홍보담당관 <sotong@성동구청.kr>"\n'
                            'UNSUBSCRIBE_MAILTO = "unsubscribe@성동구청.kr"\n')
    old = "2026-10-21-library-reading-festival"
    result = invoke_sotong(small, "bundles", "--notice", old)
    assert result.code == 0, result.output
    eml = (small / "private" / "outbox" / old / "email" / "B2.eml").read_bytes()
    message = parse_eml(eml)
    assert message["From"].addresses[0].domain == "xn--2e0bw5j1qmcgl.kr"
    assert message["Message-ID"].endswith("@xn--2e0bw5j1qmcgl.kr>")
    assert "<mailto:unsubscribe@xn--2e0bw5j1qmcgl.kr?subject=unsubscribe-B2>" in message["List-Unsubscribe"]
    assert eml.split(b"\r\n\r\n", 1)[0].isascii()


def test_sms_links_are_in_ascii_too(small):
    with open(small / "pelicanconf.py", "a", encoding="utf-8") as settings_file:
        settings_file.write('\nSITEURL = "https://성동구청.kr/sotong"\n')  # an IDN host, no SHORT_LINK_BASE
    urgent = "2026-11-21-cold-wave-warning"  # sms only
    result = invoke_sotong(small, "bundles", "--notice", urgent)
    assert result.code == 0, result.output
    with open(small / "private" / "outbox" / urgent / "sms.csv", encoding="utf-8", newline="") as file:
        texts = [row["text"] for row in csv.DictReader(file)]
    links = [link for text in texts for link in re.findall(r"https?://\S+", text)]
    assert links and all(link.startswith("https://xn--2e0bw5j1qmcgl.kr/sotong/n/") for link in links), texts


def test_a_notice_text_that_reads_like_a_hole_of_the_template_is_shown_as_written(small):
    """The email is composed with holes (__slot..._NAME__) filled per reader;
    a title naming one stopped the run with a traceback (KeyError), and a
    summary naming the reader's unsubscribe link showed that link."""
    title, summary = "__slot_nope__ 안내 __slot_blocks__", "요약 __slot_unsubscribe_url__ 끝"
    (small / "content" / "notices" / "2026-11-20-holes.md").write_text(
        f'---\ntitle: "{title}"\ndate: 2026-11-20\ndepartment: 홍보담당관\ncategory: bulletin\n'
        f'channels: [homepage, newsletter, email]\nsummary: "{summary}"\n---\n본문\n', encoding="utf-8")
    result = invoke_sotong(small, "bundles", "--issue", ISSUE)
    assert result.code == 0, result.output
    message = parse_eml((small / "private" / "outbox" / ISSUE / "email" / "B2.eml").read_bytes())
    text, html = message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()
    unsubscribe = str(message["List-Unsubscribe"]).split(",")[0].strip("<> ")
    assert f"■ {title}\n" in text and f"  {summary}\n" in text and text.count(unsubscribe) == 1
    assert f">{title}</a></h3>" in html and f">{summary}</p>" in html and html.count(unsubscribe) == 1


def test_a_long_title_written_decomposed_is_cut_between_whole_letters_in_the_subject_and_preheader(small):
    """A title pasted from a Mac's file name has its Hangul decomposed (NFD,
    two or three letters a syllable): cut at 39 of those, the subject ended
    in a lone ㅈ, and the preheader in a broken syllable."""
    title = "2026 성동구 어르신 겨울철 건강 지키기 한마당, 독감 예방접종과 한파 대비 요령 안내"
    (small / "content" / "notices" / "2026-11-26-winter-health.md").write_text(
        f'---\ntitle: "{unicodedata.normalize("NFD", title)}"\ndate: 2026-11-26\ndepartment: 보건소\n'
        'category: bulletin\nchannels: [homepage, newsletter, email]\nsummary: "요약"\n---\n본문\n', encoding="utf-8")
    result = invoke_sotong(small, "bundles", "--issue", ISSUE)
    assert result.code == 0, result.output
    message = parse_eml((small / "private" / "outbox" / ISSUE / "email" / "B2.eml").read_bytes())
    preheader = re.search(r'<div class="preheader"[^>]*>(.*?)</div>', message.get_body(("html",)).get_content())[1]
    assert message["Subject"].startswith(f"성동구 소식: {title[:39]}… 외 ")  # 40 letters as written, the … one of them
    assert preheader.startswith(title) and preheader.endswith("…") and len(preheader) == 120
    for shown in (message["Subject"], preheader):
        assert unicodedata.is_normalized("NFC", shown), shown


def test_a_summary_taken_from_a_long_first_paragraph_ends_in_an_ellipsis_in_both_parts(small):
    """A notice with no summary: its first paragraph, cut to 200 letters,
    stopped mid-word in the email ("신청하실 수 있습"), as if by mistake."""
    paragraph = "성수동 주민 여러분께 겨울철 건강 관리 교실을 안내해 드립니다. " * 6
    (small / "content" / "notices" / "2026-11-25-health-class.md").write_text(
        '---\ntitle: "건강 관리 교실"\ndate: 2026-11-25 18:00\ndepartment: 보건소\ncategory: bulletin\n'
        f"channels: [homepage, email]\n---\n{paragraph}\n", encoding="utf-8")
    result = invoke_sotong(small, "bundles", "--notice", "2026-11-25-health-class")
    assert result.code == 0, result.output
    message = parse_eml((small / "private" / "outbox" / "2026-11-25-health-class" / "email" / "B2.eml").read_bytes())
    summary = paragraph.strip()[:199].rstrip() + "…"
    assert f"  {summary}\n" in message.get_body(("plain",)).get_content()
    assert f">{summary}</p>" in message.get_body(("html",)).get_content()


def test_a_one_off_bundle_of_a_draft_is_refused_at_its_status_line(small):
    draft = invoke_sotong(small, "bundles", "--notice", "2026-11-26-library-holiday-hours")
    assert draft.code == 1
    assert "content/notices/2026-11-26-library-holiday-hours.md:6: " in draft.stderr and "draft" in draft.stderr


def test_a_one_off_bundle_of_an_expired_notice_is_refused_at_its_expires_line(small):
    """Residents would get a notice that no longer holds: refused, nothing written."""
    (small / "content" / "notices" / "2026-11-02-flu-clinic.md").write_text(
        "---\ntitle: 독감 예방접종 임시 접종소\ndate: 2026-11-02\ndepartment: 보건소\ncategory: health\n"
        "channels: [homepage, email, sms]\nexpires: 2026-11-09\n---\n본문\n", encoding="utf-8")
    expired = invoke_sotong(small, "bundles", "--notice", "2026-11-02-flu-clinic")
    assert expired.code == 1, expired.output
    assert expired.stderr.startswith("content/notices/2026-11-02-flu-clinic.md:7: ") and "2026-11-09" in expired.stderr
    assert "Traceback" not in expired.output and not (small / "private" / "outbox" / "2026-11-02-flu-clinic").exists()


def test_a_notice_whose_slug_is_a_day_is_refused_before_it_replaces_that_days_issue(small):
    """A one-off outbox and its journal records are keyed by the slug, as
    an issue's by its day: "2026-11-26.md" sent on its own replaced the
    issue's outbox, and sotong send took the issue's sent messages for its
    own, said "all already sent" and sent the urgent notice to no one."""
    assert invoke_sotong(small, "bundles", "--issue", ISSUE).code == 0
    issue_manifest = (small / "private" / "outbox" / ISSUE / "manifest.jsonl").read_bytes()
    notice = ("---\ntitle: 긴급 단수 안내\ndate: 2026-11-25\ndepartment: 치수과\ncategory: living\n"
              "channels: [homepage, email, sms]\npriority: urgent\n{slug}---\n본문\n")
    (small / "content" / "notices" / f"{ISSUE}.md").write_text(notice.format(slug=""), encoding="utf-8")
    said = (f"content/notices/{ISSUE}.md:1: the notice's address {ISSUE} is a day, which names the outbox and the "
            "records of that day's issue, so sending it on its own would replace the issue's messages and send it to "
            f"no one; add a line such as  slug: {ISSUE}-notice  (or give the file a name with words after the day, "
            f"e.g. {ISSUE}-water-outage.md)")
    one_off = invoke_sotong(small, "bundles", "--notice", ISSUE)
    assert one_off.code == 1 and one_off.stderr.splitlines() == [said], one_off.output
    assert (small / "private" / "outbox" / ISSUE / "manifest.jsonl").read_bytes() == issue_manifest
    check = invoke_sotong(small, "check")
    assert check.code == 1 and said in check.stderr.splitlines(), check.output
    (small / "content" / "notices" / "water-cut.md").write_text(notice.format(slug=f"slug: {ISSUE}\n"), encoding="utf-8")
    (small / "content" / "notices" / f"{ISSUE}.md").unlink()
    assert said.replace(f"{ISSUE}.md:1:", "water-cut.md:8:") in invoke_sotong(small, "check").stderr.splitlines()


def test_a_one_off_bundle_of_an_unknown_notice_names_the_closest(small):
    unknown = invoke_sotong(small, "bundles", "--notice", "2026-11-21-cold-wave")
    assert unknown.code == 1 and 'did you mean "2026-11-21-cold-wave-warning"' in unknown.stderr


def test_command_line_mistakes_exit_2(small):
    settings = small / "pelicanconf.py"
    for args, said in [
        ((), "give --issue YYYY-MM-DD or --notice SLUG"),
        (("--issue", ISSUE, "--notice", "x"), "give --issue YYYY-MM-DD or --notice SLUG"),
        (("--issue", "2026-11-25"), "is not an issue date (2nd or 4th Thursday); the one before it is 2026-11-12, the next one 2026-11-26"),
        (("--issue", "26/11/2026"), "is not a date; write it as YYYY-MM-DD"),
    ]:
        result = run_cli(settings, "bundles", *args)
        assert result.code == 2 and said in result.output, args
    persona = run_cli(settings, "preview", "--persona", "gendr=F")
    assert persona.code == 2 and 'did you mean "gender"' in persona.output
    neither = run_cli(settings, "preview")
    assert neither.code == 2 and "give --subscriber ID or --persona" in neither.output
    assert not (small / "private" / "outbox").exists()


def test_preview_writes_what_one_reader_would_get(small):
    settings = small / "pelicanconf.py"
    result = run_cli(settings, "preview", "--persona", "age=70 gender=F dong=eungbong fields=health,living,bulletin",
                     "--issue", ISSUE)
    assert result.code == 0, result.output
    folder = small / "private" / "preview"
    eml, page, sms = (folder / f"persona-{ISSUE}{suffix}" for suffix in (".eml", ".html", ".sms.txt"))
    for path in (eml, page, sms):
        assert str(path.relative_to(small)) in result.output
    message = parse_eml(eml.read_bytes())
    assert message["To"].addresses[0].addr_spec == "reader@example.com"
    assert page.read_text(encoding="utf-8") == message.get_body(("html",)).get_content()
    assert message["Subject"] == "성동구 소식: 구청소식지 「성동소식」 12월호 발간 외 5건"  # the bulletin first, then 5 more
    assert "이번 호 다른 소식" in page.read_text(encoding="utf-8")  # the bulletin consent brings the edition
    assert "한파쉼터" in sms.read_text(encoding="utf-8") and "자궁경부암" in sms.read_text(encoding="utf-8")
    assert not list((small / "private").glob("outbox/*/email/persona.eml"))

    reader = run_cli(settings, "preview", "--subscriber", "C3", "--issue", ISSUE)
    assert reader.code == 0 and "email: none (email is not among the reader's channels)" in reader.output
    a1 = run_cli(settings, "preview", "--subscriber", "A1", "--issue", ISSUE)
    assert a1.code == 0, a1.output
    preview_page = (folder / f"A1-{ISSUE}.html").read_text(encoding="utf-8")
    links = re.findall(r"/(u|p)/([\w-]+\.[\w-]+)", preview_page)  # unsubscribe, preferences
    assert links and {tokens.read_token({"u": "unsubscribe", "p": "preferences"}[kind], token) for kind, token in links} \
        == {"test-A1"}, links  # clicked in private/preview/, they change nobody's consent: A1's were
    assert (folder / f"C3-{ISSUE}.sms.txt").is_file()
    missing = run_cli(settings, "preview", "--subscriber", "Z9")
    assert missing.code == 1 and 'no subscriber with id "Z9"' in missing.output


def test_preview_says_in_korean_which_channel_a_reader_lacks(small, monkeypatch):
    """It said "sms은(는) 이 구독자의 수신 방법이 아닙니다": the channel's key, in English."""
    monkeypatch.setenv("SOTONG_LANG", "ko")
    result = run_cli(small / "pelicanconf.py", "preview", "--persona", "fields=health channels=email", "--issue", ISSUE)
    assert result.code == 0 and "문자:   없음 (문자는 이 구독자의 수신 방법이 아닙니다)\n" in result.output, result.output


def test_blocks_from_plugins_reach_the_email_and_the_manifest(small):
    def invitation(subscriber, notices):
        if subscriber.id == "A1":
            return [Block('<p class="invitation">설문 초대: 시험 설문</p>', "설문 초대: 시험 설문",
                          {"invitation": "test-survey", "id": "forged", "notices": []})]
        return []

    def receiver(context):
        return invitation if context.issue else None

    signals.message_blocks.connect(receiver)
    try:
        project = Project(small / "pelicanconf.py")
        write_bundle(project, issue_bundle(project, dt.date.fromisoformat(ISSUE), "성동구 소통 소식"))
    finally:
        signals.message_blocks.disconnect(receiver)
    folder = small / "private" / "outbox" / ISSUE
    rows = {(row["id"], row["channel"]): row for row in manifest_of(folder)}
    a1 = rows["A1", "email"]
    assert a1["invitation"] == "test-survey"
    assert a1["id"] == "A1" and a1["notices"]  # a block may add keys, not change SPEC's
    assert "invitation" not in rows["B2", "email"] and "invitation" not in rows["A1", "sms"]
    message = parse_eml((folder / "email" / "A1.eml").read_bytes())
    assert "설문 초대: 시험 설문" in message.get_body(("html",)).get_content()
    assert "설문 초대: 시험 설문" in message.get_body(("plain",)).get_content()
    other = parse_eml((folder / "email" / "B2.eml").read_bytes())
    assert "설문 초대" not in other.get_body(("html",)).get_content()


def test_a_long_issue_lists_the_rest_as_links_to_stay_under_gmails_clip(empty_project_dir):
    notices = empty_project_dir / "content" / "notices"
    summary = "구민 여러분께 알려 드립니다. " * 12
    for i in range(120):
        day = dt.date(2026, 11, 13) + dt.timedelta(days=i % 14)
        (notices / f"long-{i:03d}.md").write_text(
            f'---\ntitle: "긴 소식지 시험 {i}번째 소식입니다"\ndate: {day} {8 + i % 10:02d}:{i % 60:02d}\n'
            f"department: 홍보담당관\ncategory: culture\nsummary: \"{summary[:190]}\"\n---\n본문\n", encoding="utf-8")
    store = Store.open(empty_project_dir / "private" / "sotong.db")
    store.put_subscriber(Subscriber(id="R1", name="독자", email="r1@example.com", fields=frozenset({"culture"}),
                                    channels=frozenset({"email"})))
    store.close()
    project = Project(empty_project_dir / "pelicanconf.py")
    write_bundle(project, issue_bundle(project, dt.date.fromisoformat(ISSUE), "성동구 소통 소식"))
    folder = empty_project_dir / "private" / "outbox" / ISSUE
    (row,) = manifest_of(folder)
    assert len(row["notices"]) == 120
    message = parse_eml((folder / "email" / "R1.eml").read_bytes())
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    assert HTML_LIMIT - 10_000 < len(html.encode()) <= HTML_LIMIT
    shown_in_full = html.count('class="notice"')
    assert 0 < shown_in_full < 120
    assert f"다른 소식 {120 - shown_in_full}건은 홈페이지에서 보세요" in html
    for slug in row["notices"]:  # every notice is at least a link, in the plain text too
        assert f'href="/notices/{slug}/"' in html and f"/notices/{slug}/" in text


def test_a_long_issue_keeps_a_private_notice_in_full_in_the_html(empty_project_dir):
    """A private notice has no page: listed as a line in an issue too long
    for Gmail, its text was only in the text part, which the Gmail and Naver
    Mail apps never show. It now comes first among the reader's notices."""
    notices = empty_project_dir / "content" / "notices"
    summary = ("구민 여러분께 알려 드립니다. " * 12)[:190]
    for i in range(60):
        (notices / f"long-{i:03d}.md").write_text(
            f'---\ntitle: "긴 소식지 시험 {i}번째 소식입니다"\ndate: 2026-11-{14 + i % 12} 09:{i:02d}\n'
            f'department: 홍보담당관\ncategory: culture\nsummary: "{summary}"\n---\n본문\n', encoding="utf-8")
    (notices / "committee.md").write_text(
        '---\ntitle: "[위원 전용] 심사 자료"\ndate: 2026-11-13\ndepartment: 기획예산과\ncategory: survey\n'
        'visibility: private\naudiences: [budget-committee]\nsummary: "심사 자료를 보내 드립니다."\n---\n'
        "위원님들께만 보내 드리는 심사 자료 본문입니다.\n", encoding="utf-8")
    store = Store.open(empty_project_dir / "private" / "sotong.db")
    store.put_subscriber(Subscriber(id="R1", name="위원", email="r1@example.com", fields=frozenset({"culture"}),
                                    channels=frozenset({"email"}), groups=frozenset({"committee-budget"})))
    store.close()
    project = Project(empty_project_dir / "pelicanconf.py")
    write_bundle(project, issue_bundle(project, dt.date.fromisoformat(ISSUE), "성동구 소통 소식"))
    folder = empty_project_dir / "private" / "outbox" / ISSUE
    (row,) = manifest_of(folder)
    message = parse_eml((folder / "email" / "R1.eml").read_bytes())
    html = message.get_body(("html",)).get_content()
    assert len(row["notices"]) == 61 and "홈페이지에서 보세요" in html  # too long: some are links
    assert row["notices"][0] == "committee" and "위원님들께만 보내 드리는 심사 자료 본문입니다." in html
    assert message["Subject"] == "성동구 소식: [위원 전용] 심사 자료 외 60건"  # the subject names the first, as ever


def test_a_mistake_in_the_bundles_settings_is_said_with_its_line(tmp_path):
    project = copy_project(tmp_path, extra_settings='BUNDLES = {"sms_hedaer": "[성동구]", "title": 3}')
    line = next(number for number, text in enumerate((project / "pelicanconf.py").read_text(encoding="utf-8").splitlines(), 1)
                if text.startswith("BUNDLES ="))
    for command in (("check",), ("bundles", "--issue", ISSUE)):
        result = invoke_sotong(project, *command)
        assert result.code == 1 and "Traceback" not in result.output, command
        assert (f'pelicanconf.py:{line}: BUNDLES: unknown key "sms_hedaer"; did you mean "sms_header"?; '
                'allowed: email_theme, title, subject_prefix, sms_header, office_address') in result.stderr.splitlines()
        assert (f'pelicanconf.py:{line}: BUNDLES: "title" is 3; write text, e.g. BUNDLES = {{"title": "성동구 소통 소식"}}'
                in result.stderr.splitlines())


def test_the_outbox_may_not_be_published(tmp_path):
    project = copy_project(tmp_path, extra_settings='OUTBOX_PATH = "output/outbox"')
    result = run_cli(project / "pelicanconf.py", "bundles", "--issue", ISSUE)
    line = (project / "pelicanconf.py").read_text(encoding="utf-8").splitlines().index('OUTBOX_PATH = "output/outbox"') + 1
    assert result.code == 1
    assert (f"pelicanconf.py:{line}: OUTBOX_PATH: is inside OUTPUT_PATH, which is published; keep it under private/"
            in result.output.splitlines())
    assert not (project / "output" / "outbox").exists()


def test_image_sizes_are_read_from_the_file_header(tmp_path):
    cases = {
        "a.png": png(3, 2),
        "a.gif": b"GIF89a" + struct.pack("<HH", 640, 360) + b"\x00" * 20,
        "a.jpg": b"\xff\xd8" + b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00" + b"\x00" * 9
                 + b"\xff\xc0" + struct.pack(">HBHH", 17, 8, 480, 800) + b"\x00" * 12,
        "a.svg": b'<svg xmlns="http://www.w3.org/2000/svg" width="640" height="360"></svg>',
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
    assert image_size(tmp_path / "a.png") == (3, 2)
    assert image_size(tmp_path / "a.gif") == (640, 360)
    assert image_size(tmp_path / "a.jpg") == (800, 480)
    assert image_size(tmp_path / "a.jpg", max_width=400) == (400, 240)
    assert image_size(tmp_path / "a.svg") == (640, 360)  # the email leaves SVG to the web by its suffix
    assert image_size(tmp_path / "missing.png") is None


def test_emails_show_raster_images_with_their_size_and_leave_svg_to_the_web(small):
    (small / "content" / "images" / "poster.png").write_bytes(png(1104, 600))
    notice = small / "content" / "notices" / "2026-11-20-poster.md"
    notice.write_text('---\ntitle: "포스터가 있는 소식"\ndate: 2026-11-20\ndepartment: 문화체육과\ncategory: culture\n'
                      'image: images/poster.png\nimage_alt: "겨울 음악회 포스터"\n---\n본문\n', encoding="utf-8")
    project = Project(small / "pelicanconf.py")
    write_bundle(project, issue_bundle(project, dt.date.fromisoformat(ISSUE), "성동구 소통 소식"))
    html = parse_eml((small / "private" / "outbox" / ISSUE / "email" / "A1.eml").read_bytes()).get_body(("html",)).get_content()
    images = re.findall(r"<img [^>]*>", html)
    assert len(images) == 1  # the poster; the winter festival's SVG is left to its page
    assert 'src="/images/poster.png"' in images[0] and 'alt="겨울 음악회 포스터"' in images[0]
    assert 'width="552"' in images[0] and 'height="300"' in images[0]  # scaled to the column
    assert "winter-festival.svg" not in html and "2026-11-16-winter-festival" in html
