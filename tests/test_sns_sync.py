"""The sns_sync plugin (SPEC §7): the notices' SNS feeds (JSON Feed 1.1 and
RSS 2.0 per platform) and the homepage's "SNS 소식" from the office's own
feeds, sanitized; unreadable feeds are warnings, never build errors.

A small project is built with the real ``sotong`` command in a temporary
folder; its imported feeds are local files and a feed served over HTTP on
127.0.0.1.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import http.server
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import unicodedata
from pathlib import Path

import feedparser
import lxml.etree
import lxml.html
import pytest
from hypothesis import given, settings, strategies as st

from project_support import REPO, copy_project, run_sotong
from sns_sync.config import SnsSettings, read_sns_settings
from sns_sync.feeds import FeedInfo, rss_feed_bytes
from sns_sync.imported import TITLE_MAX_CHARS, FeedUnreadable, entry_post, fetch, plain_text, read_posts, sanitize_summary
from sns_sync.posts import PLATFORMS, FeedItem, SharedNotice, platform_notices
from sns_sync.weighted import MAX_WEIGHT, weighted_length
from sotong.notices import CHANNELS, SEOUL, URGENT_MARKER, Notice

SITEURL = "https://example.org/sotong"
PLUGINS = 'PLUGINS = ["sotong.pelican_plugin", "homepage", "sns_sync"]\nCACHE_CONTENT = False\nLOAD_CONTENT_CACHE = False\n'
WIDE = {"COLUMNS": "1000"}  # rich wraps log lines at the terminal width
LONG_TITLE = ("성동구 " + "겨울철 한파 대비 취약계층 안전 점검 및 난방비 지원 사업 안내 " * 3)[:100]
LONG_SUMMARY = ("한파 특보가 발령되면 구청과 동 주민센터가 홀몸 어르신과 취약계층 가구를 직접 찾아가 "
                "난방 상태를 살피고 난방비와 방한용품을 지원합니다. " * 3)[:200]


def notice(title, date, channels, extra="", body=None, category="culture", department="문화체육과"):
    return (f'---\ntitle: "{title}"\ndate: {date}\ndepartment: {department}\ncategory: {category}\n'
            f"channels: [{', '.join(channels)}]\n{extra}---\n{body or title + ' 본문입니다.'}\n")


NOTICES = {
    "urgent-long": notice(LONG_TITLE, "2026-11-20 09:00", ["homepage", "twitter"],
                          f'summary: "{LONG_SUMMARY}"\npriority: urgent\n', category="living", department="안전재난과"),
    "festival-photo": notice("겨울 축제 사진 공모", "2026-11-18", ["homepage", "facebook"],
                             'summary: "축제 사진을 보내 주세요."\nimage: images/winter-festival.svg\n'
                             'image_alt: "겨울 축제 포스터"\n'),
    "library-blog": notice("도서관 겨울 독서 교실", "2026-11-19 10:00", ["homepage", "blog"],
                           'summary: "겨울방학 독서 교실 참가자를 모집합니다."\n', category="library",
                           department="도서관운영팀",
                           body="겨울방학 **독서 교실**을 엽니다.\n\n- 신청: [구독 안내]({filename}/pages/subscribe.md)\n"
                                "- 지도: ![도서관 위치]({static}/images/kimjang.svg)\n- 문의: [다른 공지](../festival-photo/)\n"),
    "everywhere": notice("구정 소식 모음", "2026-11-22", ["homepage", "twitter", "facebook", "blog"],
                         'summary: "이번 주 구정 소식입니다."\n'),
    "sns-only": notice("SNS로만 알리는 안내", "2026-11-10", ["twitter", "facebook"]),
    "a-draft": notice("아직 쓰는 중", "2026-11-21", ["homepage", "twitter", "facebook", "blog"], "status: draft\n"),
    "no-sns": notice("홈페이지 공지", "2026-11-21", ["homepage", "email"]),
}
SNS_NOTICES = {"twitter": ["everywhere", "urgent-long", "sns-only"],
               "facebook": ["everywhere", "festival-photo", "sns-only"],
               "blog": ["everywhere", "library-blog"]}

ATOM_WITH_SCRIPT = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>성동구청 블로그</title>
  <id>tag:blog.example.kr,2026:feed</id>
  <updated>2026-11-22T09:00:00+09:00</updated>
  <entry>
    <title>겨울 축제 준비 현장</title>
    <id>tag:blog.example.kr,2026:1</id>
    <link href="https://blog.example.kr/posts/1"/>
    <updated>2026-11-22T09:00:00+09:00</updated>
    <content type="html">&lt;p&gt;축제 &lt;strong&gt;준비&lt;/strong&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src="x" onerror="alert(2)"&gt;
      &lt;a href="javascript:alert(3)"&gt;나쁜 링크&lt;/a&gt; &lt;a href="https://blog.example.kr/posts/1" onclick="alert(4)"&gt;더 보기&lt;/a&gt;
      &lt;div style="position:fixed"&gt;&lt;iframe src="https://evil.example"&gt;&lt;/iframe&gt;&lt;/div&gt;&lt;/p&gt;</content>
  </entry>
  <entry>
    <title>도서관 야간 개방</title>
    <id>tag:blog.example.kr,2026:2</id>
    <link href="javascript:alert(5)"/>
    <updated>2026-11-15T09:00:00+09:00</updated>
    <summary>저녁에도 문을 엽니다.</summary>
  </entry>
  <entry>
    <title>가장 오래된 글</title>
    <id>tag:blog.example.kr,2026:3</id>
    <link href="https://blog.example.kr/posts/3"/>
    <updated>2026-10-01T09:00:00+09:00</updated>
    <summary>오래된 글입니다.</summary>
  </entry>
</feed>
"""

RSS_SERVED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>성동구 유튜브</title><link>https://video.example.kr/</link><description>영상</description>
  <item><title>구청장 신년 인사</title><link>https://video.example.kr/v/2</link>
    <pubDate>Mon, 23 Nov 2026 01:00:00 +0000</pubDate><description>새해 인사 영상입니다.</description></item>
  <item><title>서울숲 드론 영상</title><link>https://video.example.kr/v/1</link>
    <pubDate>Wed, 18 Nov 2026 01:00:00 +0000</pubDate><description>서울숲을 하늘에서.</description></item>
</channel></rss>
"""


@pytest.fixture(scope="module")
def feed_server(tmp_path_factory):
    """An HTTP server on 127.0.0.1 serving a folder of feeds."""
    folder = tmp_path_factory.mktemp("served")
    (folder / "youtube.xml").write_text(RSS_SERVED, encoding="utf-8")
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def write_notices(project: Path, notices: dict) -> None:
    for slug, text in notices.items():
        (project / "content" / "notices" / f"{slug}.md").write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def built(tmp_path_factory, feed_server):
    """The small project, built with SITEURL, importing four feeds: a local
    Atom file, an RSS feed over HTTP, a missing file and an HTTP 404."""
    project = copy_project(tmp_path_factory.mktemp("sns"), notices=False, extra_settings=(
        f'{PLUGINS}SITEURL = "{SITEURL}"\nSNS_SYNC = {{"import_limit": 4}}\n'
        f'SNS_IMPORT_FEEDS = ["sns-in/blog.atom", "{feed_server}/youtube.xml", "sns-in/missing.xml", '
        f'"{feed_server}/gone.xml"]\n'))
    write_notices(project, NOTICES)
    (project / "sns-in").mkdir()
    (project / "sns-in" / "blog.atom").write_text(ATOM_WITH_SCRIPT, encoding="utf-8")
    result = run_sotong(project, "build", env=WIDE)
    return project / "output", result


def load_json(output: Path, platform: str) -> dict:
    return json.loads((output / "sns" / f"{platform}.json").read_text(encoding="utf-8"))


def slug_of(url: str) -> str:
    assert url.startswith(f"{SITEURL}/notices/") and url.endswith("/"), url
    return url[len(f"{SITEURL}/notices/"):-1]


# --- the notices' feeds ---------------------------------------------------------


def test_a_logged_warning_is_named_in_the_staffs_language(built):
    """Lines logged while a command runs (a feed that cannot be read, a
    mail server that does not answer) began with the English WARNING,
    before Korean words; they now begin with 주의."""
    output, _result = built
    rebuilt = run_sotong(output.parent, "build", env={**WIDE, "SOTONG_LANG": "ko"})
    assert rebuilt.code == 0, rebuilt.output
    logged = [line for line in rebuilt.stderr.splitlines() if "missing.xml" in line]
    assert logged and logged[0].startswith("주의") and "WARNING" not in rebuilt.stderr, rebuilt.stderr


def test_build_succeeds_and_unreadable_feeds_are_warnings(built):
    output, result = built
    assert result.code == 0, result.output
    log = " ".join(result.stderr.split())
    assert "WARNING" in log and "ERROR" not in log and "Traceback" not in log
    assert "sns-in/missing.xml" in log and "no file" in log
    assert "gone.xml" in log and "404" in log
    assert "pelicanconf.py:" in log  # says where the feed is listed


@pytest.mark.parametrize("platform", ["twitter", "facebook", "blog"])
def test_json_feed_holds_the_platforms_notices_newest_first(built, platform):
    output, _ = built
    feed = load_json(output, platform)
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["language"] == "ko"
    assert feed["title"]
    assert feed["home_page_url"] == f"{SITEURL}/"
    assert feed["feed_url"] == f"{SITEURL}/sns/{platform}.json"
    assert [slug_of(item["id"]) for item in feed["items"]] == SNS_NOTICES[platform]
    for item in feed["items"]:
        assert item["url"] == item["id"]
        assert (output / "notices" / slug_of(item["id"]) / "index.html").is_file(), "the post links to a page"
        published = dt.datetime.fromisoformat(item["date_published"])
        assert published.utcoffset() == dt.timedelta(hours=9)
        assert ("content_text" in item) != ("content_html" in item)
    dates = [dt.datetime.fromisoformat(item["date_published"]) for item in feed["items"]]
    assert dates == sorted(dates, reverse=True)


@pytest.mark.parametrize("platform", ["twitter", "facebook", "blog"])
def test_rss_feed_parses_and_matches_the_json_feed(built, platform):
    output, _ = built
    parsed = feedparser.parse((output / "sns" / f"{platform}.xml").read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    assert parsed.feed.language == "ko"
    self_links = [link.href for link in parsed.feed.links if link.rel == "self"]
    assert self_links == [f"{SITEURL}/sns/{platform}.xml"]
    json_items = load_json(output, platform)["items"]
    assert [entry.id for entry in parsed.entries] == [item["id"] for item in json_items]
    assert [entry.link for entry in parsed.entries] == [item["url"] for item in json_items]
    channel = lxml.etree.fromstring((output / "sns" / f"{platform}.xml").read_bytes())
    assert [(guid.text, guid.get("isPermaLink")) for guid in channel.iter("guid")] == \
        [(item["id"], "true") for item in json_items]


def test_drafts_and_notices_without_the_platform_are_absent(built):
    output, _ = built
    for platform in ("twitter", "facebook", "blog"):
        text = (output / "sns" / f"{platform}.json").read_text(encoding="utf-8")
        text += (output / "sns" / f"{platform}.xml").read_text(encoding="utf-8")
        assert "a-draft" not in text and "아직 쓰는 중" not in text
        assert "/no-sns/" not in text
    assert not (output / "notices" / "a-draft").exists()


def test_twitter_text_fits_280_and_ends_with_the_url(built):
    output, _ = built
    items = {slug_of(item["id"]): item for item in load_json(output, "twitter")["items"]}
    for item in items.values():
        assert weighted_length(item["content_text"]) <= MAX_WEIGHT
        assert item["content_text"].endswith(" " + item["url"])
    long = items["urgent-long"]
    assert len(LONG_TITLE) == 100 and len(LONG_SUMMARY) == 200
    assert long["content_text"].startswith(f"[긴급] {LONG_TITLE}\n{LONG_SUMMARY[:10]}")
    assert f"… {long['url']}" in long["content_text"]
    assert weighted_length(long["content_text"]) >= MAX_WEIGHT - 1  # cut as late as possible
    assert items["everywhere"]["content_text"] == f"구정 소식 모음\n이번 주 구정 소식입니다. {items['everywhere']['url']}"


def test_facebook_has_summary_then_url_and_the_image(built):
    output, _ = built
    items = {slug_of(item["id"]): item for item in load_json(output, "facebook")["items"]}
    photo = items["festival-photo"]
    assert photo["content_text"] == f"축제 사진을 보내 주세요.\n\n{photo['url']}"
    assert photo["image"] == f"{SITEURL}/images/winter-festival.svg"
    assert (output / "images" / "winter-festival.svg").is_file()
    assert "image" not in items["everywhere"]
    rss = feedparser.parse((output / "sns" / "facebook.xml").read_bytes())
    enclosure = next(e for e in rss.entries if e.link == photo["url"]).enclosures[0]
    assert enclosure.href == photo["image"] and enclosure.type == "image/svg+xml"
    assert int(enclosure.length) == (output / "images" / "winter-festival.svg").stat().st_size


def test_blog_has_the_whole_notice_with_absolute_links(built):
    output, _ = built
    items = {slug_of(item["id"]): item for item in load_json(output, "blog")["items"]}
    blog = items["library-blog"]
    assert blog["summary"] == "겨울방학 독서 교실 참가자를 모집합니다."
    assert blog["tags"] == ["도서관정보", "도서관운영팀"]
    assert blog["date_published"] == "2026-11-19T10:00:00+09:00"
    html = lxml.html.fragment_fromstring(blog["content_html"], create_parent="div")
    assert "독서 교실" in html.text_content() and html.xpath("//strong")
    links = html.xpath("//a/@href") + html.xpath("//img/@src")
    assert sorted(links) == sorted([f"{SITEURL}/subscribe/", f"{SITEURL}/images/kimjang.svg",
                                    f"{SITEURL}/notices/festival-photo/"])
    rss = feedparser.parse((output / "sns" / "blog.xml").read_bytes())
    entry = next(e for e in rss.entries if e.link == blog["url"])
    assert [tag.term for tag in entry.tags] == ["도서관정보", "도서관운영팀"]
    assert "<strong>독서 교실</strong>" in entry.description


def rss_descriptions(text: str) -> list[str]:
    """The descriptions of an RSS feed whose one item's post is ``text``, as
    the HTML a feed reader gets (after XML parsing)."""
    info = FeedInfo("t", "d", f"{SITEURL}/", f"{SITEURL}/sns/x.json", f"{SITEURL}/sns/x.xml")
    item = FeedItem(url=f"{SITEURL}/notices/a/", title="a", date=dt.datetime(2026, 11, 20, tzinfo=SEOUL),
                    content_text=text)
    channel = lxml.etree.fromstring(rss_feed_bytes(info, [item]))
    return [element.text for element in channel.iter("description")][1:]


def test_a_plain_text_post_is_escaped_in_the_rss_description():
    text = "요금 < 1만 원 & 무료]]> <script>alert(1)</script>\n\nhttps://a.kr/?x=1&y=2"
    [description] = rss_descriptions(text)
    shown = lxml.html.fragment_fromstring(description, create_parent="div")
    assert not shown.xpath("//script") and shown.text_content() == text
    assert "&lt;script&gt;" in description and "&amp; 무료]]&gt;" in description


@given(st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\n<>&]"), min_size=1))
def test_any_plain_text_post_reads_back_the_same_from_rss(text):
    [description] = rss_descriptions(text)
    shown = lxml.html.fragment_fromstring(description, create_parent="div").text_content()
    assert shown.strip() == text.strip()  # the HTML parser drops a leading or trailing blank


# --- which notices go to a platform, against a brute-force reading of SPEC §7 ---------


def random_notice(index, day, hour, channels, draft, urgent):
    return Notice(source=f"n{index}.md", slug=f"n{index:02d}", title=f"공지 {index}",
                  date=dt.datetime(2026, 11, day, hour, tzinfo=SEOUL), department="문화체육과",
                  category="culture", body="본문", channels=tuple(channels),
                  status="draft" if draft else "published", priority="urgent" if urgent else "normal")


NOTICE_LISTS = st.lists(st.builds(
    random_notice, st.integers(0, 99), st.integers(1, 30), st.integers(0, 23),
    st.lists(st.sampled_from(CHANNELS), min_size=1, unique=True), st.booleans(), st.booleans()),
    max_size=25, unique_by=lambda n: n.slug)


@settings(deadline=None)
@given(NOTICE_LISTS, st.sampled_from(PLATFORMS))
def test_a_platform_gets_its_published_notices_newest_first(notices, platform):
    shared = [SharedNotice(n, f"https://a.kr/notices/{n.slug}/", "문화공연", "") for n in notices]
    chosen = [item.notice for item in platform_notices(shared, platform)]
    assert sorted(chosen, key=lambda n: n.slug) == sorted(
        (n for n in notices if n.status == "published" and platform in n.channels), key=lambda n: n.slug)
    for newer, older in zip(chosen, chosen[1:]):
        assert newer.date > older.date or (newer.date == older.date and newer.slug < older.slug)


@given(st.booleans(), st.booleans())
def test_an_urgent_headline_is_marked_once(urgent, already_marked):
    title = f"{URGENT_MARKER} 단수 안내" if already_marked else "단수 안내"
    notice = random_notice(1, 1, 9, ["twitter"], False, urgent)
    marked = dataclasses.replace(notice, title=title).headline
    assert marked.count(URGENT_MARKER) == (1 if urgent or already_marked else 0)
    assert marked.endswith("단수 안내")


# --- the office's own feeds on the homepage ---------------------------------------


def test_imported_posts_are_the_newest_of_all_readable_feeds(built):
    output, _ = built
    section = lxml.html.fragment_fromstring((output / "section" / "sns.html").read_text(encoding="utf-8"))
    assert section.tag == "section" and "<html" not in (output / "section" / "sns.html").read_text(encoding="utf-8")
    titles = [" ".join(item.xpath("string(.//a | .)").split()) for item in section.xpath("//li")]
    expected = ["구청장 신년 인사", "겨울 축제 준비 현장", "서울숲 드론 영상", "도서관 야간 개방"]  # 4 of 5, newest first
    assert [next(t for t in expected if t in title) for title in titles] == expected
    assert "가장 오래된 글" not in section.text_content()
    assert "성동구 유튜브" in section.text_content() and "성동구청 블로그" in section.text_content()


def test_imported_html_is_sanitized(built):
    output, _ = built
    for page in (output / "section" / "sns.html", output / "index.html"):
        text = page.read_text(encoding="utf-8")
        assert "alert(" not in text and "<script" not in text and "<iframe" not in text
        assert "onerror" not in text and "onclick" not in text and "javascript:" not in text
        assert "position:fixed" not in text
        tree = lxml.html.fromstring(text)
        post_link = tree.xpath('//a[@href="https://blog.example.kr/posts/1" and contains(., "더 보기")]')
        assert post_link and post_link[0].get("rel") == "noopener nofollow"
        assert tree.xpath('//strong[.="준비"]')
        assert not tree.xpath('//a[contains(., "나쁜 링크")]/@href'), "an unsafe link is left as text"


def test_homepage_shows_sns_posts(built):
    output, _ = built
    tree = lxml.html.fromstring((output / "index.html").read_text(encoding="utf-8"))
    heading = tree.xpath('//h2[@id="sns-posts-title"]')
    assert heading and heading[0].text_content() == "SNS 소식"
    section = heading[0].getparent()
    assert section.xpath('.//a[@href="https://video.example.kr/v/2"]')
    night = section.xpath('.//h3[contains(., "도서관 야간 개방")]')[0]
    assert not night.xpath(".//a"), "a javascript: link is shown without a link"


# --- settings and addresses --------------------------------------------------------


def test_feeds_use_feed_domain_when_siteurl_is_empty_and_keep_feed_max_items(tmp_path):
    project = copy_project(tmp_path, notices=False, extra_settings=PLUGINS + "FEED_MAX_ITEMS = 1\n")
    # festival-photo: the notice library-blog links to (check refuses a link to no notice)
    write_notices(project, {slug: NOTICES[slug] for slug in ("everywhere", "library-blog", "festival-photo")})
    result = run_sotong(project, "build", env=WIDE)
    assert result.code == 0, result.output
    [item] = load_json(project / "output", "blog")["items"]  # the newest only
    assert item["id"] == "https://www.sd.go.kr/sotong/notices/everywhere/"  # FEED_DOMAIN of pelicanconf.py
    assert "localhost" not in result.stderr
    section = (project / "output" / "section" / "sns.html").read_text(encoding="utf-8")
    assert "아직 SNS 소식이 없습니다" in section


def test_without_any_site_address_feeds_use_localhost_and_say_so(tmp_path):
    project = copy_project(tmp_path, notices=False, extra_settings=PLUGINS + 'FEED_DOMAIN = ""\n')
    write_notices(project, {"sns-only": NOTICES["sns-only"]})
    result = run_sotong(project, "build", env=WIDE)
    assert result.code == 0, result.output
    assert load_json(project / "output", "twitter")["items"][0]["id"] == "http://localhost:8000/notices/sns-only/"
    assert "FEED_DOMAIN" in " ".join(result.stderr.split())


def test_bad_settings_are_reported_with_file_and_line(tmp_path):
    project = copy_project(tmp_path, notices=False, extra_settings=(
        PLUGINS + 'SNS_SYNC = {"import_limt": 5}\nSNS_IMPORT_FEEDS = ["ftp://example.org/feed.xml", 3]\n'))
    lines = (project / "pelicanconf.py").read_text(encoding="utf-8").splitlines()
    sync_line = lines.index('SNS_SYNC = {"import_limt": 5}') + 1
    result = run_sotong(project, "check")
    assert result.code == 1, result.output
    assert "Traceback" not in result.output
    stderr = result.stderr.splitlines()
    assert (f'pelicanconf.py:{sync_line}: SNS_SYNC: unknown key "import_limt"; did you mean "import_limit"?; '
            'allowed: import_limit') in stderr
    assert (f'pelicanconf.py:{sync_line + 1}: SNS_IMPORT_FEEDS: [0] "ftp://example.org/feed.xml" is not an http:// or '
            'https:// address nor a path; write e.g. https://blog.example.kr/rss') in stderr
    assert f"pelicanconf.py:{sync_line + 1}: SNS_IMPORT_FEEDS: [1] is 3; write a feed's path or URL in quotes" in stderr


@pytest.mark.parametrize("value, message", [
    ({"import_limit": -1}, "a whole number from 0 to 50"),
    ({"import_limit": True}, "a whole number from 0 to 50"),
    ({"import_limit": "5"}, "a whole number from 0 to 50"),
    ([5], 'SNS_SYNC: must be a dict, e.g. SNS_SYNC = {"import_limit": 5}'),
])
def test_sns_sync_setting_is_validated(value, message):
    config, problems = read_sns_settings({"SNS_SYNC": value})
    assert config is None and any(message in p.message for p in problems)


def test_import_feeds_setting_is_validated():
    assert read_sns_settings({"SNS_IMPORT_FEEDS": "feed.xml"})[1][0].message.startswith("SNS_IMPORT_FEEDS: must be a list")
    config, problems = read_sns_settings({"SNS_IMPORT_FEEDS": ["a.xml", "https://x.kr/rss"], "SNS_SYNC": {"import_limit": 0}})
    assert problems == [] and config.import_feeds == ("a.xml", "https://x.kr/rss") and config.import_limit == 0


# --- reading and sanitizing, unit by unit -------------------------------------------


def test_sanitize_keeps_only_the_allowed_tags():
    cleaned = sanitize_summary('<p class="x">가 <em>나</em><br><b>굵게</b> <ul><li>하나</li></ul>'
                               '<a href="mailto:a@b.kr" title="t">메일</a><h1>제목</h1><table><tr><td>칸</td></tr></table></p>')
    tree = lxml.html.fragment_fromstring(cleaned, create_parent="div")
    assert {element.tag for element in tree.iter()} - {"div"} <= {"a", "p", "br", "strong", "em", "ul", "ol", "li"}
    assert tree.xpath("//a")[0].attrib == {"href": "mailto:a@b.kr", "rel": "noopener nofollow"}
    assert "굵게" in tree.text_content() and "칸" in tree.text_content()


def test_a_post_without_title_uses_its_text():
    parsed = feedparser.parse("<rss version='2.0'><channel><title>X</title><item><description>"
                              "오늘 서울숲에서 만나요!</description><link>https://x.example/s/1</link></item></channel></rss>")
    post = entry_post(parsed.entries[0], "성동구 X")
    assert post == {"title": "오늘 서울숲에서 만나요!", "link": "https://x.example/s/1", "date": None,
                    "summary_html": "", "source": "성동구 X"}


def test_a_huge_feed_file_is_refused_without_being_read_whole(tmp_path):
    """A feed path naming a huge file (a video, a log, a disk image given by
    mistake) was read whole into memory before its first 5 MB were kept:
    gigabytes, or a build killed for want of memory. Now at most 5 MB and a
    byte are read, and the feed is skipped as too large."""
    huge = tmp_path / "huge.xml"
    with huge.open("wb") as file:
        file.truncate(3 * 1024 ** 3)  # sparse: no disk used
    code = ("import resource; resource.setrlimit(resource.RLIMIT_AS, (1024 ** 3, 1024 ** 3)); "
            "from pathlib import Path; from sns_sync.imported import fetch, parse, FeedUnreadable\n"
            f"data, headers = fetch({str(huge)!r}, Path('.'))\n"
            "try: parse(data, headers, 'huge.xml')\n"
            "except FeedUnreadable as exc: print(exc)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(REPO / "plugins") + os.pathsep + str(REPO)})
    assert done.returncode == 0, done.stderr[-500:]
    assert "5 MB" in done.stdout


def test_fetch_gives_up_after_the_timeout(tmp_path):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)  # accepts the connection, never answers
    try:
        started = time.monotonic()
        with pytest.raises(FeedUnreadable, match="no complete answer within 0.5 seconds"):
            fetch(f"http://127.0.0.1:{silent.getsockname()[1]}/feed.xml", tmp_path, timeout=0.5)
        assert time.monotonic() - started < 3
    finally:
        silent.close()


def test_a_file_that_is_not_a_feed_is_unreadable(tmp_path, feed_server):
    from sns_sync.imported import parse

    (tmp_path / "page.html").write_text("<html><body>안녕</body></html>", encoding="utf-8")
    data, headers = fetch("page.html", tmp_path)
    with pytest.raises(FeedUnreadable, match="not a readable feed"):
        parse(data, headers, "page.html")
    data, headers = fetch(f"{feed_server}/youtube.xml", tmp_path)
    source, entries, damage = parse(data, headers, "youtube.xml")
    assert source == "성동구 유튜브" and len(entries) == 2 and damage is None


class TricklingServer(threading.Thread):
    """An HTTP server on 127.0.0.1 that sends its answer one byte at a time,
    ``interval`` seconds apart: from the status line on, or after headers
    sent at once."""

    def __init__(self, interval: float, headers_at_once: bool):
        super().__init__(daemon=True)
        self.interval, self.headers_at_once = interval, headers_at_once
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/feed.xml"
        self.stop = threading.Event()

    def run(self):
        connection, _ = self.listener.accept()
        with connection:
            connection.recv(65536)
            body = RSS_SERVED.encode() * 20
            head = f"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: {len(body)}\r\n\r\n".encode()
            trickled = body if self.headers_at_once else head + body
            if self.headers_at_once:
                connection.sendall(head)
            for byte in trickled:
                if self.stop.wait(self.interval):
                    return
                try:
                    connection.sendall(bytes([byte]))
                except OSError:
                    return


@pytest.mark.parametrize("headers_at_once", [False, True], ids=["trickled-headers", "trickled-body"])
def test_a_trickling_feed_server_cannot_hold_the_fetch_past_its_deadline(tmp_path, headers_at_once):
    server = TricklingServer(interval=0.2, headers_at_once=headers_at_once)  # each read well inside the timeout
    server.start()
    try:
        started = time.monotonic()
        with pytest.raises(FeedUnreadable, match="no complete answer within 1.5 seconds"):
            fetch(server.url, tmp_path, timeout=1.5)
        assert time.monotonic() - started < 3
    finally:
        server.stop.set()
        server.listener.close()


TRUNCATED_ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>성동구청 블로그</title><id>https://blog.example.kr/</id>
<updated>2026-11-20T09:00:00Z</updated>
<entry><title>첫 글</title><id>https://blog.example.kr/1</id><link href="https://blog.example.kr/1"/>
<updated>2026-11-20T09:00:00Z</updated><summary>첫 글입니다.</summary></entry>
<entry><title>둘째 글</title><id>https://blog.example.kr/2</id><link href="https://blog.example.kr/2"/>
<updated>2026-11-19T09:00:00Z</updated><summary>둘째 글입니다.</summary></entry>
<entry><title>잘린 글</title><id>https://blog.exa"""


def test_a_damaged_feed_is_warned_about_by_name_and_its_readable_posts_are_shown(tmp_path, caplog):
    (tmp_path / "blog.atom").write_text(TRUNCATED_ATOM, encoding="utf-8")
    (tmp_path / "whole.atom").write_text(TRUNCATED_ATOM.rsplit("<entry><title>잘린", 1)[0] + "</feed>", encoding="utf-8")
    config = SnsSettings(import_limit=5, import_feeds=("blog.atom",), project_dir=tmp_path, where="pelicanconf.py:9")
    with caplog.at_level("WARNING", logger="sns_sync.imported"):
        posts = read_posts(config)
    assert [post["title"] for post in posts][:2] == ["첫 글", "둘째 글"]
    [warning] = [record.getMessage() for record in caplog.records]
    assert warning.startswith("pelicanconf.py:9: SNS_IMPORT_FEEDS: the feed blog.atom is damaged (")
    assert "could be read from it" in warning
    caplog.clear()
    with caplog.at_level("WARNING", logger="sns_sync.imported"):
        whole = read_posts(dataclasses.replace(config, import_feeds=("whole.atom",)))
    assert [post["title"] for post in whole] == ["첫 글", "둘째 글"] and not caplog.records


def test_direction_controls_in_a_post_title_and_feed_name_are_dropped():
    """An override left open in a post's title showed the date and account after it backwards ("월21 년6202")."""
    parsed = feedparser.parse("<rss version='2.0'><channel><title>성동구 \u202eX</title><item>"
                              "<title>서울숲 \u202e행사\u2067 안내</title><link>https://x.example/s/1</link>"
                              "</item></channel></rss>")
    source = plain_text(parsed.feed.title)
    assert source == "성동구 X"
    assert entry_post(parsed.entries[0], source)["title"] == "서울숲 행사 안내"


def test_a_post_nested_past_what_the_sanitizer_reads_in_time_is_shown_as_its_text():
    """100,000 nested <div> in one post of a 3.5 MB feed took every build 55 s
    in the sanitizer; 50 levels are read as they are."""
    deep = "<div>" * 100_000 + "서울숲 <strong>행사</strong> &amp; 안내" + "</div>" * 100_000
    started = time.monotonic()
    post = entry_post({"title": "<div>" * 100_000 + "깊은 글", "summary": deep, "link": "https://x.example/s/1"}, "성동구")
    assert time.monotonic() - started < 3
    assert (post["title"], str(post["summary_html"])) == ("깊은 글", "서울숲 행사 &amp; 안내")
    kept = entry_post({"title": "글", "summary": "<div>" * 49 + "<strong>행사</strong>" + "</div>" * 49}, "성동구")
    assert str(kept["summary_html"]) == "<strong>행사</strong>"


def _rss(*items: str) -> str:
    return f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>성동구 블로그</title>{''.join(items)}</channel></rss>"


def _item(title: str, link: str = "", day: str = "Sun, 22 Nov 2026 01:00:00 GMT") -> str:
    return f"<item><title>{title}</title>{f'<link>{link}</link>' if link else ''}<pubDate>{day}</pubDate></item>"


def test_a_post_listed_twice_is_shown_once(tmp_path):
    """A feed that lists a post twice (as blogs do for a post they edit), or
    two feeds of one account (the whole blog and one of its categories), filled
    the homepage's SNS 소식 with the same post, pushing the others out."""
    edited = _item("김장 나눔 현장", "https://blog.example.kr/7")
    (tmp_path / "blog.xml").write_text(_rss(edited, edited, _item("링크 없는 글"), _item("링크 없는 글"),
                                            _item("지난주 글", "https://blog.example.kr/6", "Sun, 15 Nov 2026 01:00:00 GMT")),
                                       encoding="utf-8")
    (tmp_path / "category.xml").write_text(_rss(edited), encoding="utf-8")
    config = SnsSettings(import_limit=3, import_feeds=("blog.xml", "category.xml"), project_dir=tmp_path,
                         where="pelicanconf.py:9")
    assert sorted(post["title"] for post in read_posts(config)) == ["김장 나눔 현장", "링크 없는 글", "지난주 글"]


def test_a_post_whose_whole_text_is_its_title_is_cut_as_a_notice_title():
    """Feeds that put a post's whole text in its title made one post of the
    homepage's SNS 소식 a heading of a thousand characters."""
    caption = "성수동 골목길 축제 현장을 소개합니다. " * 50
    post = entry_post(feedparser.parse(_rss(_item(caption, "https://x.example/p/1"))).entries[0], "성동구 인스타그램")
    assert len(post["title"]) <= TITLE_MAX_CHARS + 1 and post["title"].endswith("…") and caption.startswith(post["title"][:-1])


_JOINS_PREVIOUS = re.compile("[\u200d\U0001F3FB-\U0001F3FF\u1161-\u11ff\ufe0f]")  # ZWJ, skin tones, vowels and finals of NFD Hangul


@pytest.mark.parametrize("text", [
    "🎄 성수동 크리스마스 마켓에 놀러 오세요 " + "👨‍👩‍👧‍👦" * 20,  # a family: four people joined by ZWJ
    "한겨울 밤 서울숲 빛 축제 " + "👍🏻" * 40,  # a thumb and its skin tone
    unicodedata.normalize("NFD", "성동구 겨울 축제에서 만나요 " * 10),  # Hangul as a Mac writes it
])
def test_a_post_cut_to_fit_keeps_whole_letters(text):
    """SNS posts are written with emoji: the title made from a post without
    one, and the cut summary, ended in half an emoji (a stray skin-tone
    swatch, a lone person of a family) or half a Hangul syllable."""
    untitled = f"<item><description>{text}</description><link>https://x.example/p/1</link></item>"
    long = f"<item><title>겨울 축제</title><description>{text * 4}</description><link>https://x.example/p/2</link></item>"
    post, other = (entry_post(entry, "성동구 X") for entry in feedparser.parse(_rss(untitled, long)).entries)
    whole = unicodedata.normalize("NFC", text * 4)
    for shown in (post["title"], lxml.html.fragment_fromstring(str(other["summary_html"])).text_content()):
        cut = shown.removesuffix("…")
        assert shown.endswith("…") and whole.startswith(cut), shown
        assert not _JOINS_PREVIOUS.match(whole[len(cut)]) and not cut.endswith("\u200d"), shown
