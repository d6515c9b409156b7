"""The homepage plugin (SPEC §8): department pages, the homepage section
(fragment and JSON), event .ics files, short links, expired and unlisted
notices, Korean feeds, and short link codes across rebuilds.

Sites are built with the real ``sotong`` command in temporary folders: the
sample content, and a small hand-made project whose notices each exercise one
rule. The rules themselves are checked against brute-force readings of the
spec with hypothesis.
"""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import json
import re
import threading
import urllib.request
from pathlib import Path
from urllib.parse import quote, unquote, urljoin

import icalendar
import lxml.html
import pytest
from hypothesis import given, settings, strategies as st

from project_support import SAMPLE_TODAY, copy_project, run_sotong
from homepage.config import DEFAULTS, SECTION_SIZE_MAX, option_problems
from homepage.departments import group_by_department
from sotong.ics import event_calendar, event_times
from homepage.section import JSON_KEYS, section_notices
from sotong.links import _code_digits, former_codes, short_codes, sms_link_notices
from sotong.notices import SEOUL, Event, Notice
from sotong.project import Project

ISOLATED = 'PLUGINS = ["sotong.pelican_plugin", "homepage"]\nCACHE_CONTENT = False\nLOAD_CONTENT_CACHE = False\n'
SITEURL = "https://example.org/sotong"


def notice_text(title, date="2026-11-10", department="문화체육과", category="culture", extra="", body=None):
    return (f'---\ntitle: "{title}"\ndate: {date}\ndepartment: {department}\ncategory: {category}\n{extra}\n---\n'
            f"{body or title + ' 본문입니다.'}\n\n문의: {department} 02-2286-0000\n")


# Each hand-made notice exercises one rule; SAMPLE_TODAY is 2026-11-23.
HANDMADE = {
    "current-festival": notice_text(
        "구민 축제, 함께해요; 모두 환영", date="2026-11-20",
        extra='event:\n  start: "2026-12-01"\n  end: "2026-12-03"\n  place: "서울숲, 가족마당; 북문"'),
    "timed-lecture": notice_text(
        "도서관 인문학 강좌 " + "아주 긴 제목 " * 8, date="2026-11-19", category="library", department="도서관운영팀",
        extra='event:\n  start: "2026-12-05 14:00"\n  end: "2026-12-05 16:30"\n  place: "성동구립도서관 3층"'),
    # newer than the notices the section shows, but expired the day before the build
    "expired-exhibit": notice_text("가을 전시회 안내", date="2026-11-22 18:00", extra="expires: 2026-11-22"),
    "email-only": notice_text("이메일로만 보내는 안내", date="2026-11-18", extra="channels: [email, sms]"),
    "draft-notice": notice_text("아직 쓰는 중인 초안 공지", date="2026-11-21", extra="status: draft"),
    "urgent-water": notice_text("[긴급] 단수 안내", date="2026-11-12", category="living", department="치수과",
                                extra="priority: urgent"),
    "health-check": notice_text("건강검진 안내", date="2026-11-22", category="health", department="보건소"),
}


def write_notices(project: Path, notices: dict) -> None:
    for slug, text in notices.items():
        (project / "content" / "notices" / f"{slug}.md").write_text(text, encoding="utf-8")


def build(project: Path) -> Path:
    result = run_sotong(project, "build")
    assert result.code == 0, result.output
    return project / "output"


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    """The sample content, built as in development (SITEURL empty)."""
    return build(copy_project(tmp_path_factory.mktemp("sample"), extra_settings=ISOLATED))


@pytest.fixture(scope="module")
def handmade(tmp_path_factory) -> Path:
    """The hand-made notices, built with an absolute SITEURL and a section of 3."""
    project = copy_project(tmp_path_factory.mktemp("handmade"), notices=False,
                           extra_settings=ISOLATED + f'SITEURL = "{SITEURL}"\nHOMEPAGE = {{"section_size": 3}}\n')
    write_notices(project, HANDMADE)
    return build(project)


@pytest.fixture(scope="module")
def sample_notices(sample) -> list[Notice]:
    return Project(sample.parent / "pelicanconf.py").notices


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def html_files(output: Path) -> list[Path]:
    return sorted(output.rglob("*.html"))


def listing_pages(output: Path) -> list[Path]:
    """Every page that lists notices: index and its pages, categories,
    departments, archives."""
    pages = [output / "index.html", *output.glob("page/*/index.html"), *output.glob("category/**/index.html"),
             *output.glob("department/**/index.html"), output / "archives" / "index.html"]
    return [p for p in pages if p.is_file()]


def links_in(path: Path) -> list[str]:
    return lxml.html.fromstring(read(path)).xpath("//a/@href")


def notice_link(slug: str) -> str:
    return f"/notices/{slug}/"


# --- the sample site ------------------------------------------------------------


def test_every_published_notice_has_a_page_sms_ones_a_short_link_and_drafts_neither(sample, sample_notices):
    published = [n for n in sample_notices if n.published]
    drafts = [n for n in sample_notices if not n.published]
    assert published and drafts
    assert any(n.has("sms") for n in published) and not all(n.has("sms") for n in published)
    codes = short_codes(n for n in published if n.has("sms"))
    held = [*codes.values(), *former_codes(codes).values()]
    assert sorted(path.name for path in (sample / "n").iterdir()) == sorted(held), "only SMS uses short links"
    for notice in published:
        if notice.visibility == "private":  # SPEC §16: no page (tests/test_private_notices.py)
            assert not (sample / "notices" / notice.slug).exists(), notice.slug
            continue
        assert (sample / "notices" / notice.slug / "index.html").is_file(), notice.slug
        if notice.has("sms"):
            redirect = read(sample / "n" / codes[notice.slug] / "index.html")
            assert f'content="0; url={notice_link(notice.slug)}"' in redirect
    for notice in drafts:
        assert not (sample / "notices" / notice.slug).exists()


def test_drafts_appear_nowhere_in_the_output(sample, sample_notices):
    drafts = [n for n in sample_notices if not n.published]
    for path in sample.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".xml", ".json", ".ics"):
            text = read(path)
            for draft in drafts:
                assert draft.slug not in text and draft.title not in text, (path, draft.slug)


def test_section_json_lists_current_homepage_notices_with_exactly_the_spec_keys(sample, sample_notices):
    entries = json.loads(read(sample / "section" / "latest.json"))
    assert all(tuple(entry) == JSON_KEYS for entry in entries)
    today = dt.date.fromisoformat(SAMPLE_TODAY)
    current = [n for n in sample_notices if n.status == "published" and "homepage" in n.channels
               and n.day <= today and (n.expires is None or n.expires >= today)]  # not scheduled, not expired
    by_slug = sorted(current, key=lambda n: n.slug)
    newest_first = sorted(by_slug, key=lambda n: n.date, reverse=True)
    expected = sorted(newest_first, key=lambda n: not n.urgent)[:DEFAULTS["section_size"]]
    assert [e["url"] for e in entries] == [notice_link(n.slug) for n in expected]
    assert len(entries) == DEFAULTS["section_size"]
    first = expected[0]
    assert entries[0] == {"title": first.title, "url": notice_link(first.slug), "date": first.day.isoformat(),
                          "department": first.department, "category": first.category,
                          "summary": first.plain_summary()}


def test_section_fragment_is_inline_safe_markup_with_the_json_entries(sample):
    fragment = read(sample / "section" / "latest.html")
    assert not re.search(r"<(html|head|body|!doctype)\b", fragment, re.I)
    root = lxml.html.fragment_fromstring(fragment)
    classes = {c for value in root.xpath("//@class") for c in value.split()} | set(root.get("class").split())
    assert classes and all(c.startswith("sotong-") for c in classes)
    assert all(i.startswith("sotong-") for i in root.xpath("//@id") + [root.get("id") or "sotong-"])
    entries = json.loads(read(sample / "section" / "latest.json"))
    item_links = root.xpath("//li//a/@href")
    assert item_links == [e["url"] for e in entries]
    # the urgent cold wave warning; the urgent water outage of 12-03 is scheduled (SPEC §2)
    assert root.xpath("//li[contains(@class, 'sotong-urgent')]//strong/text()") == ["긴급"]


def test_department_pages_are_written_under_their_korean_names(sample, sample_notices):
    departments = Project(sample.parent / "pelicanconf.py").audiences.departments
    for name in departments:
        assert (sample / "department" / name / "index.html").is_file(), name
    index = lxml.html.fromstring(read(sample / "department" / "index.html"))
    hrefs = index.xpath("//main//a/@href")
    assert hrefs == [f"/department/{quote(name, safe='')}/" for name in departments]
    today = dt.date.fromisoformat(SAMPLE_TODAY)
    listed = [n for n in sample_notices if n.published and n.has("homepage") and n.day <= today
              and not n.expired_on(today)]
    counts = [item.text_content().split("(")[-1] for item in index.xpath("//main//li")]
    assert counts == [f"{sum(n.department == name for n in listed)}건)" for name in departments]
    culture_page = read(sample / "department" / "문화체육과" / "index.html")
    for notice in listed:
        assert (notice_link(notice.slug) in culture_page) == (notice.department == "문화체육과")


def test_every_field_has_a_category_page_and_feed_in_korean(sample):
    fields = Project(sample.parent / "pelicanconf.py").audiences.fields
    for key, label in fields.items():
        page = lxml.html.fromstring(read(sample / "category" / key / "index.html"))
        assert page.xpath("//h1")[0].text_content() == label
        feed = read(sample / "feeds" / "category" / f"{key}.atom.xml")
        assert f"<title>성동구 소통 - {label}</title>" in feed
    all_feed = read(sample / "feeds" / "all.atom.xml")
    terms = set(re.findall(r'<category term="([^"]+)"', all_feed))
    assert terms and terms <= set(fields.values())


def test_feeds_hold_only_current_homepage_notices(sample, sample_notices):
    today = dt.date.fromisoformat(SAMPLE_TODAY)
    all_feed = read(sample / "feeds" / "all.atom.xml")
    # Development settings: the feed links to FEED_DOMAIN (an Atom feed's ids must be absolute)
    in_feed = set(re.findall(r'<link href="https://www\.sd\.go\.kr/sotong/notices/([^/]+)/" rel="alternate"', all_feed))
    listed = {n.slug for n in sample_notices if n.published and n.has("homepage") and n.day <= today
              and not n.expired_on(today)}
    assert in_feed == listed
    for notice in sample_notices:
        category_feed = read(sample / "feeds" / "category" / f"{notice.category}.atom.xml")
        assert (notice_link(notice.slug) in category_feed) == (notice.slug in listed)


def test_short_links_redirect_to_the_notice_over_http(sample, sample_notices):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(sample))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        codes = short_codes(sms_link_notices(sample_notices))
        for notice in [n for n in sample_notices if n.published and n.has("sms")][:5]:
            with urllib.request.urlopen(f"{base}/n/{codes[notice.slug]}/", timeout=10) as response:
                page = lxml.html.fromstring(response.read())
            refresh = page.xpath("//meta[@http-equiv='refresh']/@content")[0]
            assert refresh.startswith("0; url=")
            target = urljoin(base + "/", refresh.split("url=", 1)[1])
            assert page.xpath("//link[@rel='canonical']/@href") == [notice_link(notice.slug)]
            assert notice_link(notice.slug) in page.xpath("//main//a/@href")
            assert not page.xpath("//script")
            with urllib.request.urlopen(target, timeout=10) as response:
                assert response.status == 200
                assert notice.title in lxml.html.fromstring(response.read()).xpath("//h1")[0].text_content()
    finally:
        server.shutdown()
        server.server_close()


# --- the hand-made site -----------------------------------------------------------


def test_section_urls_are_absolute_and_its_size_follows_the_setting(handmade):
    entries = json.loads(read(handmade / "section" / "latest.json"))
    assert [e["url"] for e in entries] == [f"{SITEURL}/notices/{slug}/"
                                           for slug in ("urgent-water", "health-check", "current-festival")]
    assert entries[0]["category"] == "living" and entries[0]["date"] == "2026-11-12"
    fragment = lxml.html.fragment_fromstring(read(handmade / "section" / "latest.html"))
    assert all(href.startswith(SITEURL + "/") for href in fragment.xpath("//a/@href"))


def test_an_expired_notice_keeps_its_page_but_leaves_every_list(handmade):
    page = read(handmade / "notices" / "expired-exhibit" / "index.html")
    assert "종료된 공지" in page
    link = notice_link("expired-exhibit")
    for path in [handmade / "index.html", handmade / "feeds" / "all.atom.xml",
                 handmade / "feeds" / "category" / "culture.atom.xml",
                 handmade / "section" / "latest.json", handmade / "section" / "latest.html"]:
        assert "expired-exhibit" not in read(path), path
    for path in [handmade / "category" / "culture" / "index.html", handmade / "department" / "문화체육과" / "index.html"]:
        tree = lxml.html.fromstring(read(path))
        current = tree.xpath("//main/ul[contains(@class, 'notice-list')]//a/@href")
        past = tree.xpath("//section[contains(@class, 'expired-notices')]//a/@href")
        assert link not in [unquote(h).removeprefix(SITEURL) for h in current]
        assert [unquote(h).removeprefix(SITEURL) for h in past] == [link]
        assert tree.xpath("//section[contains(@class, 'expired-notices')]//h2/text()") == ["지난 공지"]


def test_a_notice_without_homepage_has_a_page_but_is_listed_nowhere(handmade):
    assert (handmade / "notices" / "email-only" / "index.html").is_file()
    redirects = [read(page) for page in (handmade / "n").glob("*/index.html")]
    assert sum(f"url={SITEURL}/notices/email-only/" in page for page in redirects) == 2  # its code, and one longer
    for path in listing_pages(handmade) + [handmade / "feeds" / "all.atom.xml", handmade / "section" / "latest.json"]:
        assert "email-only" not in read(path), path


def test_the_draft_appears_nowhere(handmade):
    for path in handmade.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".xml", ".json", ".ics"):
            text = read(path)
            assert "draft-notice" not in text and "초안" not in text, path


def test_event_files_are_valid_rfc5545(handmade):
    for slug in ("current-festival", "timed-lecture"):
        raw = (handmade / "notices" / slug / "event.ics").read_bytes()
        assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
        lines = raw.split(b"\r\n")[:-1]
        assert all(len(line) <= 75 for line in lines)
        calendar = icalendar.Calendar.from_ical(raw)
        (event,) = calendar.walk("VEVENT")
        assert calendar.get_missing_tzids() == set()  # every TZID has its VTIMEZONE
        for name in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "LOCATION", "URL"):
            assert name in event, name
        assert str(event["URL"]) == f"{SITEURL}/notices/{slug}/"
    festival = (handmade / "notices" / "current-festival" / "event.ics").read_bytes()
    assert b"DTSTART;VALUE=DATE:20261201\r\n" in festival and b"DTEND;VALUE=DATE:20261204\r\n" in festival
    assert "SUMMARY:구민 축제\\, 함께해요\\; 모두 환영\r\n".encode() in festival
    assert "LOCATION:서울숲\\, 가족마당\\; 북문".encode() in festival
    lecture = (handmade / "notices" / "timed-lecture" / "event.ics").read_bytes()
    assert b"DTSTART;TZID=Asia/Seoul:20261205T140000\r\n" in lecture
    assert b"BEGIN:VTIMEZONE\r\nTZID:Asia/Seoul\r\n" in lecture
    assert b"\r\n " in lecture  # the long title is folded
    assert not (handmade / "notices" / "health-check" / "event.ics").exists()


def test_the_notice_page_links_its_event_file_department_and_category(handmade):
    links = links_in(handmade / "notices" / "current-festival" / "index.html")
    for path in ("notices/current-festival/event.ics", f"department/{quote('문화체육과')}/", "category/culture/"):
        assert f"{SITEURL}/{path}" in links
        assert (handmade / unquote(path)).exists() or (handmade / unquote(path) / "index.html").exists()


# --- short link codes across rebuilds --------------------------------------------------


def redirect_targets(output: Path, project: Path | None = None) -> dict[str, str]:
    """code -> the notice path its short link page sends to; with the
    ``project``, only the codes its notices hold now (not their former ones)."""
    held = None if project is None else set(short_codes(sms_link_notices(Project(project / "pelicanconf.py").notices)).values())
    return {page.parent.name: re.search(r'content="0; url=([^"]+)"', read(page)).group(1)
            for page in (output / "n").glob("*/index.html") if held is None or page.parent.name in held}


def test_codes_move_only_for_notices_dated_after_an_added_one_and_their_pages_follow(tmp_path):
    project = copy_project(tmp_path, notices=False, extra_settings=ISOLATED)
    sms = "channels: [homepage, sms]"
    write_notices(project, {"first": notice_text("첫 공지", date="2026-11-10", extra=sms),
                            "second": notice_text("둘째 공지", date="2026-11-11", extra=sms)})
    before = redirect_targets(build(project), project)
    # a notice dated after both never moves their codes
    write_notices(project, {"third": notice_text("셋째 공지", date="2026-11-12", extra=sms)})
    after = redirect_targets(build(project), project)
    assert {code: target for code, target in after.items() if target != "/notices/third/"} == before
    # one dated before them, whose first choice is the code "first" holds, takes it: "first" moves on,
    # and the rebuild (which keeps the pages of unchanged notices) writes both pages anew
    taken = next(code for code, target in after.items() if target == "/notices/first/")
    backdated = next(f"early-{i}" for i in range(10_000) if next(_code_digits(f"early-{i}")) == taken[0])
    write_notices(project, {backdated: notice_text("앞선 공지", date="2026-11-01", extra=sms)})
    moved = redirect_targets(build(project), project)
    assert moved[taken] == f"/notices/{backdated}/"
    assert sorted(moved.values()) == sorted(["/notices/first/", "/notices/second/", "/notices/third/",
                                             f"/notices/{backdated}/"])
    assert moved == {code: f"/notices/{slug}/" for slug, code in short_codes(
        sms_link_notices(Project(project / "pelicanconf.py").notices)).items()}
    # the backdated one removed, "first" gets its code back; the texts sent meanwhile carry its longer code,
    # which led nowhere (404): it leads to "first" still, as do the others' codes of before and now
    sent = {code: target for code, target in moved.items() if target != f"/notices/{backdated}/"}
    (project / "content" / "notices" / f"{backdated}.md").unlink()
    back = redirect_targets(build(project))
    assert redirect_targets(project / "output", project) == after
    assert "/notices/first/" in sent.values() and taken not in sent  # its code of then, longer than now
    assert {code: back.get(code) for code in sent} == sent


# --- sotong check -------------------------------------------------------------------


@pytest.mark.parametrize("value, expected", [
    ('{"section_size": 0}', '"section_size" is 0; write how many notices the homepage section shows, '
                            'a whole number from 1 to 100, e.g. HOMEPAGE = {"section_size": 10}'),
    ('{"section_size": "10"}', '"section_size" is \'10\'; write how many notices the homepage section shows, '
                               'a whole number from 1 to 100, e.g. HOMEPAGE = {"section_size": 10}'),
    ('{"SECTION_SIZE": 5}', 'unknown key "SECTION_SIZE"; did you mean "section_size"?; allowed: section_size'),
])
def test_a_bad_homepage_setting_is_one_line_with_file_and_line(tmp_path, value, expected):
    project = copy_project(tmp_path, notices=False, extra_settings=ISOLATED + f"HOMEPAGE = {value}\n")
    line = read(project / "pelicanconf.py").splitlines().index(f"HOMEPAGE = {value}") + 1
    result = run_sotong(project, "check")
    assert result.code == 1 and "Traceback" not in result.output
    assert f"pelicanconf.py:{line}: HOMEPAGE: {expected}" in result.stderr.splitlines()


# --- the rules, against brute-force readings of the spec --------------------------------

DEPARTMENTS = ("문화체육과", "보건소", "치수과")


def make_notice(index, day, *, department="문화체육과", homepage=True, urgent=False, draft=False,
                expires=None, hour=9, sms=True):
    channels = (("homepage",) if homepage else ()) + ("email",) + (("sms",) if sms else ())
    return Notice(source=f"n{index}.md", slug=f"n{index}", title=f"공지 {index}",
                  date=dt.datetime.combine(day, dt.time(hour), SEOUL), department=department,
                  category="culture", body="본문", channels=channels,
                  expires=expires, priority="urgent" if urgent else "normal",
                  status="draft" if draft else "published")


@st.composite
def notice_lists(draw):
    start = dt.date(2026, 1, 1)
    notices = []
    for index in range(draw(st.integers(0, 25))):
        day = start + dt.timedelta(days=draw(st.integers(0, 60)))
        notices.append(make_notice(
            index, day, department=draw(st.sampled_from(DEPARTMENTS)), homepage=draw(st.booleans()),
            urgent=draw(st.booleans()), draft=draw(st.booleans()), hour=draw(st.integers(0, 23)),
            expires=draw(st.none() | st.integers(0, 30).map(lambda n, d=day: d + dt.timedelta(days=n)))))
    return notices


@given(notice_lists(), st.dates(dt.date(2026, 1, 1), dt.date(2026, 4, 1)), st.integers(1, 30))
def test_section_holds_the_newest_current_homepage_notices_urgent_first(notices, today, size):
    chosen = section_notices(notices, today, size)
    current = [n for n in notices if n.status == "published" and "homepage" in n.channels
               and n.date.date() <= today and (n.expires is None or n.expires >= today)]
    assert len(chosen) == min(size, len(current))
    assert all(n in current for n in chosen)
    left_out = [n for n in current if n not in chosen]
    for shown in chosen:  # nothing left out outranks anything shown
        for other in left_out:
            assert (shown.urgent, shown.date) >= (other.urgent, other.date)
    urgency = [n.urgent for n in chosen]
    assert urgency == sorted(urgency, reverse=True)
    for a, b in zip(chosen, chosen[1:], strict=False):
        assert a.urgent != b.urgent or a.date >= b.date


@given(notice_lists(), notice_lists())
def test_group_by_department_keeps_every_notice_once_in_order(current, expired):
    departments = group_by_department(DEPARTMENTS, current, expired)
    assert [d.name for d in departments] == list(DEPARTMENTS)
    for department in departments:
        assert list(department.articles) == [n for n in current if n.department == department.name]
        assert list(department.expired) == [n for n in expired if n.department == department.name]
        assert department.count == len(department.articles)
        assert department.save_as == f"department/{department.name}/index.html"
        assert unquote(department.url) == f"department/{department.name}/" and department.url.isascii()


moments = st.one_of(
    st.dates(dt.date(2026, 1, 1), dt.date(2027, 12, 31)),
    st.datetimes(dt.datetime(2026, 1, 1), dt.datetime(2027, 12, 31)).map(
        lambda d: d.replace(second=0, microsecond=0, tzinfo=SEOUL)),
)


def _as_datetime(moment):
    return moment if isinstance(moment, dt.datetime) else dt.datetime.combine(moment, dt.time(), SEOUL)


@given(moments, st.none() | moments)
def test_event_times_are_all_day_unless_both_ends_have_a_time(start, end):
    if end is not None and _as_datetime(end) < _as_datetime(start):
        start, end = end, start
    first, after = event_times(start, end)
    all_day = not isinstance(start, dt.datetime) or (end is not None and not isinstance(end, dt.datetime))
    if all_day:
        assert type(first) is dt.date and type(after) is dt.date
        day = lambda m: m.date() if isinstance(m, dt.datetime) else m  # noqa: E731
        assert first == day(start)
        assert after == day(end if end is not None else start) + dt.timedelta(days=1)
    else:
        assert first == start and after == (end or start)
        assert first.tzinfo.key == "Asia/Seoul" and after.tzinfo.key == "Asia/Seoul"


def unfold(raw: bytes) -> list[str]:
    """RFC 5545 §3.1, read literally: CRLF followed by one space or tab
    continues the previous line."""
    return re.sub(rb"\r\n[ \t]", b"", raw).decode("utf-8").split("\r\n")[:-1]


def unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")) | st.sampled_from(",;\\:가나다"),
               min_size=1, max_size=120).filter(str.strip),
       st.text(alphabet="성동구청 ,;:", min_size=1, max_size=60).filter(str.strip))
def test_ics_lines_are_folded_at_75_octets_and_text_survives_escaping(title, place):
    notice = make_notice(0, dt.date(2026, 5, 1))
    notice = Notice(**{**notice.__dict__, "title": title.strip(),
                       "event": Event(start=dt.date(2026, 5, 2), end=None, place=place)})
    raw = event_calendar(notice, "https://example.org/notices/n0/", "example.org")
    physical = raw.split(b"\r\n")
    assert physical[-1] == b"" and all(b"\n" not in line and len(line) <= 75 for line in physical)
    properties = dict(line.split(":", 1) for line in unfold(raw) if not line.startswith(" "))
    assert unescape(properties["SUMMARY"]) == title.strip()
    assert unescape(properties["LOCATION"]) == place
    assert properties["DTSTART;VALUE=DATE"] == "20260502" and properties["DTEND;VALUE=DATE"] == "20260503"


@given(st.one_of(
    st.none(),
    st.fixed_dictionaries({}, optional={"section_size": st.integers(-5, 200) | st.text(max_size=3) | st.booleans()}),
    st.dictionaries(st.text(max_size=12), st.integers(1, 10), max_size=3),
    st.lists(st.integers(), max_size=2),
))
def test_homepage_settings_are_valid_exactly_when_the_spec_says(value):
    valid = value is None or (
        isinstance(value, dict) and set(value) <= {"section_size"}
        and type(value.get("section_size", 10)) is int and 1 <= value.get("section_size", 10) <= SECTION_SIZE_MAX)
    messages = option_problems(value)
    assert (messages == []) == valid
    assert all(m.startswith("HOMEPAGE: ") for m in messages)
