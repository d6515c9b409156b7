"""The newsletter plugin: web editions, archive and Atom feed built from a
small project, and the ``sotong newsletter`` commands (SPEC §5)."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from pathlib import Path

import feedparser
import pytest
from hypothesis import given, strategies as st

from project_support import copy_project, invoke_sotong, run_sotong
from newsletter.config import read_newsletter_settings
from newsletter.issues import group_by_field, issue_title, plan_issues, published_issues
from sotong.notices import SEOUL, Notice
from sotong.schedule import edition, issues_between

TODAY = "2026-11-26"  # the issue day of 2026-11-26: its edition page appears from today (SPEC §2)
FEED_DOMAIN = "https://www.sd.go.kr/sotong"

MINIMAL_BASE = """<!DOCTYPE html>
<html lang="ko"><head><meta charset="utf-8"><title>{% block title %}{{ SITENAME }}{% endblock %}</title>
{% block head %}{% endblock %}</head>
<body><main>{% block content %}{% endblock %}</main></body></html>
"""

NOTICES = {
    # dated 10-01: the window of 10-08; the issue of 10-22 is then empty
    "october": dict(date="2026-10-01", category="culture", title="가을 음악회 안내"),
    "on-issue-day": dict(date="2026-11-12 14:00", category="health", title="독감 예방접종 마감 임박",
                         department="보건소"),
    "day-after": dict(date="2026-11-13", category="culture", title="문화 & 예술 <특강> 안내"),
    "urgent": dict(date="2026-11-15", category="living", title="한파 대비 긴급 안내", department="안전재난과",
                   extra="priority: urgent\nchannels: [homepage, newsletter, sms]"),
    "draft": dict(date="2026-11-16", category="culture", title="초안으로 남은 공지", extra="status: draft"),
    "expired": dict(date="2026-11-17", category="culture", title="지난주에 끝난 행사", extra="expires: 2026-11-25"),
    "expires-on-issue": dict(date="2026-11-18", category="health", title="발행일까지 받는 검진",
                             department="보건소", extra="expires: 2026-11-26"),
    "no-newsletter": dict(date="2026-11-19", category="culture", title="이메일로만 가는 공지",
                          extra="channels: [homepage, email]"),
    # after the issue being prepared: in no published issue yet
    "december": dict(date="2026-12-01", category="culture", title="12월 공연 안내"),
}


def notice_text(date, category, title, department="문화체육과", extra=""):
    return f"---\ntitle: \"{title}\"\ndate: {date}\ndepartment: {department}\ncategory: {category}\n{extra}\n---\n{title} 본문입니다.\n"


def make_project(root: Path, extra_settings: str = "") -> Path:
    settings = (
        f'SOTONG_TODAY = "{TODAY}"\nTHEME = "test-theme"\nFEED_DOMAIN = "{FEED_DOMAIN}"\n'
        f'PLUGINS = ["sotong.pelican_plugin", "newsletter"]\nCACHE_CONTENT = False\nLOAD_CONTENT_CACHE = False\n'
        f"{extra_settings}"
    )
    project = copy_project(root, notices=False, extra_settings=settings)
    (project / "test-theme" / "templates").mkdir(parents=True)
    (project / "test-theme" / "static").mkdir()
    (project / "test-theme" / "templates" / "base.html").write_text(MINIMAL_BASE, encoding="utf-8")
    # the project's DIRECT_TEMPLATES has the feeds page, which Pelican's simple theme lacks
    (project / "test-theme" / "templates" / "feeds.html").write_text(MINIMAL_BASE, encoding="utf-8")
    for slug, fields in NOTICES.items():
        (project / "content" / "notices" / f"{slug}.md").write_text(notice_text(**fields), encoding="utf-8")
    return project


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    project = make_project(tmp_path_factory.mktemp("newsletter"))
    # a process of its own: only these PLUGINS may be connected (in this process others may be already)
    result = run_sotong(project, "build")
    assert result.code == 0, result.output
    return project


def page(built: Path, day: str) -> str:
    return (built / "output" / "newsletter" / day / "index.html").read_text(encoding="utf-8")


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


# --- the web edition -----------------------------------------------------------------


def test_an_edition_page_for_every_issue_with_notices_up_to_the_build_day(built):
    written = sorted(p.name for p in (built / "output" / "newsletter").iterdir() if p.is_dir())
    # 10-22 has an empty edition; 12-10 comes after the build day (11-26, its own issue day)
    assert written == ["2026-10-08", "2026-11-12", "2026-11-26"]


def test_edition_heading_says_date_and_number_in_korean(built):
    # numbered by the calendar from the first issue with notices: the empty 10-22 keeps number 2
    assert "성동구 소통 소식지 2026년 10월 8일 (제1호)" in text_of(page(built, "2026-10-08"))
    assert "성동구 소통 소식지 2026년 11월 12일 (제3호)" in text_of(page(built, "2026-11-12"))
    assert "성동구 소통 소식지 2026년 11월 26일 (제4호)" in text_of(page(built, "2026-11-26"))


def test_edition_holds_the_window_newsletter_notices_grouped_urgent_first(built):
    html = page(built, "2026-11-26")
    text = text_of(html)
    for title in ("한파 대비 긴급 안내", "문화 & 예술 <특강> 안내", "발행일까지 받는 검진"):
        assert title in text
    assert "&lt;특강&gt;" in html  # titles are text, escaped
    for absent in ("초안으로 남은 공지", "지난주에 끝난 행사", "이메일로만 가는 공지", "12월 공연 안내", "독감 예방접종"):
        assert absent not in text
    headings = re.findall(r"<h2[^>]*>([^<]+)", html)
    assert [h.strip() for h in headings] == ["생활정보", "문화공연", "건강정보"]
    assert re.search(r'<strong class="badge badge-urgent">긴급</strong>\s*<a href="/notices/urgent/">', html)
    assert html.count(">긴급<") == 1
    assert '<a href="/notices/day-after/">' in html
    assert "2026년 11월 13일" in text and "문화체육과" in text and "보건소" in text
    assert "한파 대비 긴급 안내 본문입니다." in text  # the summary


def test_edition_links_previous_and_next_issues_skipping_empty_ones(built):
    middle = page(built, "2026-11-12")
    assert re.search(r'href="/newsletter/2026-10-08/" rel="prev"', middle)
    assert re.search(r'href="/newsletter/2026-11-26/" rel="next"', middle)
    assert 'rel="prev"' not in page(built, "2026-10-08")
    assert 'rel="next"' not in page(built, "2026-11-26")


def test_edition_says_how_to_subscribe(built):
    html = page(built, "2026-11-26")
    assert '<a href="/subscribe/">전자소통 서비스를 신청</a>' in html
    assert "구청소식지" in text_of(html)  # the edition_field label


def test_archive_lists_every_issue_newest_first_with_counts(built):
    html = (built / "output" / "newsletter" / "index.html").read_text(encoding="utf-8")
    listed = re.findall(r'<a href="/newsletter/(\d{4}-\d{2}-\d{2})/">.*?</a>\s*— 소식 (\d+)건', html, re.S)
    assert listed == [("2026-11-26", "3"), ("2026-11-12", "1"), ("2026-10-08", "1")]
    assert "2026년 11월 26일" in text_of(html)


def test_archive_says_an_issue_without_notices_and_links_no_empty_page(built):
    """SPEC §5: the archive lists every issue. 10-22's window holds no
    newsletter notice, so it has no page; a reader seeing 제1호, 제3호 and
    제4호 would look for 제2호: it is listed, unlinked, saying it is empty."""
    html = (built / "output" / "newsletter" / "index.html").read_text(encoding="utf-8")
    items = [text_of(item) for item in re.findall(r"<li(?:\s[^>]*)?>(.*?)</li>", html, re.S)]
    assert items == [
        "2026년 11월 26일 (제4호) — 소식 3건", "2026년 11월 12일 (제3호) — 소식 1건",
        "2026년 10월 22일 (제2호) — 이 호에는 실린 소식이 없습니다", "2026년 10월 8일 (제1호) — 소식 1건",
    ]
    assert "/newsletter/2026-10-22/" not in html
    assert not (built / "output" / "newsletter" / "2026-10-22").exists()


def test_the_feed_links_to_the_public_site_by_the_one_absolute_url_rule(tmp_path, built):
    """SITEURL when it is absolute (publishconf.py), FEED_DOMAIN in development
    (sotong.links.absolute_site_url), as every other feed and calendar."""
    project = make_project(tmp_path, extra_settings='SITEURL = "https://sotong.sd.go.kr"\n')
    assert run_sotong(project, "build").code == 0  # only its PLUGINS: a process of its own
    feed = feedparser.parse(str(project / "output" / "newsletter" / "feed.atom.xml"))
    assert feed.entries[0].id == "https://sotong.sd.go.kr/newsletter/2026-11-26/"
    assert feedparser.parse(str(built / "output" / "newsletter" / "feed.atom.xml")).entries[0].id.startswith(FEED_DOMAIN)


def test_atom_feed_has_one_entry_per_issue(built):
    feed = feedparser.parse(str(built / "output" / "newsletter" / "feed.atom.xml"))
    assert not feed.bozo, feed.bozo_exception
    assert [e.id for e in feed.entries] == [f"{FEED_DOMAIN}/newsletter/{d}/" for d in ("2026-11-26", "2026-11-12", "2026-10-08")]
    newest = feed.entries[0]
    assert newest.title == "성동구 소통 소식지 2026년 11월 26일 (제4호)"
    assert newest.updated == "2026-11-26T00:00:00+09:00"
    assert tuple(newest.updated_parsed)[:5] == (2026, 11, 25, 15, 0)  # midnight in Seoul, in UTC
    content = newest.content[0].value
    assert f'href="{FEED_DOMAIN}/notices/urgent/"' in content
    assert "한파 대비 긴급 안내" in content and "지난주에 끝난 행사" not in content


def test_drafts_appear_nowhere_in_the_newsletter(built):
    for path in (built / "output" / "newsletter").rglob("*"):
        if path.is_file():
            assert "초안으로 남은 공지" not in path.read_text(encoding="utf-8"), path


# --- the commands ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return make_project(tmp_path_factory.mktemp("commands"))


@pytest.mark.parametrize("after, expected", [
    ("2026-11-13", "2026-11-26"),
    ("2026-11-26", "2026-11-26"),
    ("2026-12-25", "2027-01-14"),
    ("2026-10-01", "2026-10-08"),  # October 2026 starts on a Thursday
])
def test_newsletter_next_after(project, after, expected):
    result = invoke_sotong(project, "newsletter", "next", "--after", after)
    assert result.code == 0, result.output
    assert result.stdout == f"{expected}\n"


def test_newsletter_next_defaults_to_today_in_seoul(project):
    result = invoke_sotong(project, "newsletter", "next")
    assert (result.code, result.stdout) == (0, "2026-11-26\n")


@pytest.mark.parametrize("bad", ["2026-02-30", "26-11-13", "next week"])
def test_newsletter_next_with_a_bad_date_is_exit_2_in_one_line(project, bad):
    result = invoke_sotong(project, "newsletter", "next", "--after", bad)
    assert result.code == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert f'--after "{bad}" is not a date; write it as YYYY-MM-DD' in result.stderr


def test_newsletter_next_past_the_schedules_last_issue_names_it(project):
    """The issue after 2099-12-24 falls in 2100, which every other command
    refuses (--issue 2100-01-14 "is in the year 2100"): next said it all the same."""
    assert invoke_sotong(project, "newsletter", "next", "--after", "2099-12-24").stdout == "2099-12-24\n"
    result = invoke_sotong(project, "newsletter", "next", "--after", "2099-12-30")
    assert (result.code, result.stdout) == (2, "")
    assert result.stderr.strip() == ("Error: no issue comes on or after 2099-12-30 within the schedule's years "
                                     "(2000-2099); the last is 2099-12-24")


def test_newsletter_list_shows_each_issue_with_counts_and_window(project):
    result = invoke_sotong(project, "newsletter", "list")
    assert result.code == 0, result.output
    rows = {line.split()[0]: line for line in result.stdout.splitlines()[1:]}
    assert list(rows) == ["2026-10-08", "2026-10-22", "2026-11-12", "2026-11-26"]
    assert rows["2026-11-26"].split()[1:6] == ["제4호", "3", "4", "2026-11-13", "~"]  # the window adds no-newsletter
    assert "being prepared" in rows["2026-11-26"]
    assert "empty edition" in rows["2026-10-22"] and "제2호" in rows["2026-10-22"]


def test_newsletter_list_range(project):
    result = invoke_sotong(project, "newsletter", "list", "--from", "2026-12-01", "--to", "2027-01-31")
    assert result.code == 0, result.output
    days = [line.split()[0] for line in result.stdout.splitlines()[1:]]
    assert days == ["2026-12-10", "2026-12-24", "2027-01-14", "2027-01-28"]
    assert result.stdout.splitlines()[1].split()[1:4] == ["제5호", "1", "1"]
    reversed_range = invoke_sotong(project, "newsletter", "list", "--from", "2027-01-31", "--to", "2026-12-01")
    assert reversed_range.code == 2 and len(reversed_range.stderr.strip().splitlines()) == 1


def test_a_bad_newsletter_setting_is_reported_with_its_line(tmp_path):
    project = make_project(tmp_path, 'NEWSLETTER = {"frist_issue": "2026-10-08"}\n')
    line = next(n for n, text in enumerate((project / "pelicanconf.py").read_text(encoding="utf-8").splitlines(), 1)
                if text.startswith("NEWSLETTER"))
    check = invoke_sotong(project, "check")
    assert check.code == 1
    assert (f'pelicanconf.py:{line}: NEWSLETTER: unknown key "frist_issue"; did you mean "first_issue"?; '
            'allowed: title, first_issue, first_number, subscribe_url') in check.stderr.splitlines()
    assert "Traceback" not in check.stderr
    build = invoke_sotong(project, "build")
    assert build.code == 1 and not (project / "output").exists()


# --- the rules -------------------------------------------------------------------------


def test_settings_validation_names_what_to_write():
    config, problems = read_newsletter_settings({"NEWSLETTER": {"first_issue": "2026-11-19", "first_number": 0},
                                                 "SITENAME": "성동구 소통"})
    assert config is None
    messages = [p.message for p in problems]
    assert any('not an issue date' in m and '"2026-11-26"' in m for m in messages)
    assert 'NEWSLETTER: "first_number" is 0; write a whole number of 1 or more, e.g. NEWSLETTER = {"first_number": 1}' in messages
    config, problems = read_newsletter_settings({"SITENAME": "성동구 소통"})
    assert problems == [] and config.title == "성동구 소통 소식지" and config.first_number == 1


def make_notice(slug, day, *, category="culture", urgent=False, expires=None, draft=False, newsletter=True):
    channels = ("homepage", "newsletter") if newsletter else ("homepage", "email")
    return Notice(source=f"{slug}.md", slug=slug, title=slug, date=dt.datetime.combine(day, dt.time(9), SEOUL),
                  department="문화체육과", category=category, body="", channels=channels, expires=expires,
                  priority="urgent" if urgent else "normal", status="draft" if draft else "published")


@st.composite
def notice_sets(draw):
    start = dt.date(2026, 1, 1)
    notices = []
    for index in range(draw(st.integers(0, 15))):
        day = start + dt.timedelta(days=draw(st.integers(0, 200)))
        notices.append(make_notice(
            f"n{index}", day, category=draw(st.sampled_from(["culture", "living", "health"])),
            urgent=draw(st.booleans()), draft=draw(st.booleans()), newsletter=draw(st.booleans()),
            expires=draw(st.none() | st.integers(0, 20).map(lambda n, d=day: d + dt.timedelta(days=n))),
        ))
    return notices


@given(notice_sets(), st.dates(dt.date(2025, 12, 1), dt.date(2026, 9, 1)))
def test_published_issues_are_the_non_empty_editions_up_to_the_build_day(notices, today):
    issues = published_issues(notices, today)
    # brute force: every issue date from well before the first notice up to today (SPEC §2), scanning all notices
    every = [d for d in issues_between(dt.date(2025, 12, 1), today + dt.timedelta(days=1)) if d <= today]
    expected = [d for d in every if edition(notices, d)]
    assert [i.day for i in issues] == expected
    for issue in issues:
        assert [n.slug for n in issue.edition] == [n.slug for n in edition(notices, issue.day)]
    if issues:
        assert issues[0].number == 1
        assert all(b.number - a.number == len(list(issues_between(a.day, b.day))) - 1
                   for a, b in zip(issues, issues[1:]))


@given(notice_sets())
def test_group_by_field_puts_urgent_fields_first_and_keeps_every_notice(notices):
    labels = {"culture": "문화공연", "living": "생활정보", "health": "건강정보"}
    groups = group_by_field(notices, labels)
    assert sorted(n.slug for g in groups for n in g.notices) == sorted(n.slug for n in notices)
    assert all(n.category == g.key and g.label == labels[g.key] for g in groups for n in g.notices)
    urgency = [any(n.urgent for n in g.notices) for g in groups]
    assert urgency == sorted(urgency, reverse=True)
    for same in (True, False):
        keys = [g.key for g, u in zip(groups, urgency) if u is same]
        assert keys == [k for k in labels if k in keys]


def test_issue_title_and_numbering_from_a_configured_first_issue():
    notices = [make_notice("a", dt.date(2026, 11, 20))]
    issues = plan_issues(notices, dt.date(2026, 11, 1), dt.date(2026, 11, 30),
                         first_issue=dt.date(2026, 1, 8), first_number=100)
    assert [(i.day, i.number) for i in issues] == [(dt.date(2026, 11, 12), 120), (dt.date(2026, 11, 26), 121)]
    assert issue_title("성동구 소통 소식지", issues[1]) == "성동구 소통 소식지 2026년 11월 26일 (제121호)"


def test_the_sample_builds_its_editions_in_the_site_theme(tmp_path):
    project = copy_project(tmp_path, extra_settings='PLUGINS = ["sotong.pelican_plugin", "newsletter"]\n'
                                                    'SOTONG_TODAY = "2026-11-26"\n')  # its edition's issue day
    result = invoke_sotong(project, "build")
    assert result.code == 0, result.output
    html = (project / "output" / "newsletter" / "2026-11-26" / "index.html").read_text(encoding="utf-8")
    assert "성동구 소통 소식지 2026년 11월 26일 (제6호)" in text_of(html)
    assert '<a href="/newsletter/" aria-current="page">' in html  # the theme's navigation knows the page
    archive = (project / "output" / "newsletter" / "index.html").read_text(encoding="utf-8")
    assert archive.count('<a href="/newsletter/20') == 6
